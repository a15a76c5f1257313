/* report_metrics — Prometheus text exposition format, version 0.0.4:
 * "# HELP name text", "# TYPE name gauge|counter", then the samples of
 * that family; label values escaped (\\ \" \n). */
#include "report/report_metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/asn1.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base/fsutil.h"
#include "base/xalloc.h"

static int collect(void *arg, const char *state, long count, hcs_err *err)
{
    (void)err;
    struct metrics_state *ms = arg;
    size_t cap = ms->cap;
    ARRAY_GROW(ms->names, ms->n, ms->cap);
    if (cap != ms->cap)
        ms->counts = xrealloc(ms->counts, ms->cap * sizeof *ms->counts);
    ms->names[ms->n] = xstrdup(state ? state : "unknown");
    ms->counts[ms->n++] = count;
    return 0;
}

int metrics_states_collect(const struct report_source *src, struct metrics_state *ms, hcs_err *err)
{
    memset(ms, 0, sizeof *ms);
    if (src->packet_states && src->packet_states(src->ctx, collect, ms, err) != 0) {
        metrics_states_free(ms);
        return -1;
    }
    return 0;
}

void metrics_states_free(struct metrics_state *ms)
{
    for (size_t i = 0; i < ms->n; i++)
        free(ms->names[i]);
    free(ms->names);
    free(ms->counts);
    memset(ms, 0, sizeof *ms);
}

static void family(strbuf *out, const char *name, const char *type, const char *help)
{
    sb_addf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void label_value(strbuf *out, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            sb_addc(out, '\\');
        if (*v == '\n') {
            sb_adds(out, "\\n");
            continue;
        }
        sb_addc(out, *v);
    }
}

/* One sample: org="…" first when the run names its organisation (several
 * organisations' files in one textfile directory must not collide), then
 * the sample's own label. */
static void sample(strbuf *out, const char *org, const char *name, const char *label, const char *value,
                   double v)
{
    sb_adds(out, name);
    if (org || label) {
        sb_adds(out, "{");
        if (org) {
            sb_adds(out, "org=\"");
            label_value(out, org);
            sb_adds(out, label ? "\"," : "\"");
        }
        if (label) {
            sb_addf(out, "%s=\"", label);
            label_value(out, value);
            sb_adds(out, "\"");
        }
        sb_adds(out, "}");
    }
    sb_addf(out, " %.17g\n", v);
}

void metrics_format(strbuf *out, const struct report_run *run, const struct report_totals *tot,
                    const struct metrics_state *states, time_t now)
{
    time_t finished = run->finished ? run->finished : now;
    time_t last_success = run->failed ? run->last_success : finished;

    family(out, "hcsbatch_runs_total", "counter", "Runs recorded in the state store.");
    sample(out, run->org, "hcsbatch_runs_total", NULL, NULL, (double)run->runs_total);
    family(out, "hcsbatch_last_run_timestamp_seconds", "gauge", "When the last run finished (Unix time).");
    sample(out, run->org, "hcsbatch_last_run_timestamp_seconds", NULL, NULL, (double)finished);
    family(out, "hcsbatch_last_run_success", "gauge", "1 when the last run succeeded, 0 when it failed.");
    sample(out, run->org, "hcsbatch_last_run_success", NULL, NULL, run->failed ? 0 : 1);
    family(out, "hcsbatch_last_success_timestamp_seconds", "gauge",
           "When the last successful run finished (Unix time, 0 = never).");
    sample(out, run->org, "hcsbatch_last_success_timestamp_seconds", NULL, NULL, (double)last_success);
    family(out, "hcsbatch_last_run_duration_seconds", "gauge", "How long the last run took.");
    sample(out, run->org, "hcsbatch_last_run_duration_seconds", NULL, NULL,
           run->started > 0 ? (double)(finished - run->started) : 0);
    family(out, "hcsbatch_last_run_files", "gauge", "Input files covered by the last run's report.");
    sample(out, run->org, "hcsbatch_last_run_files", NULL, NULL, (double)tot->files);
    family(out, "hcsbatch_last_run_rows", "gauge", "Source rows in the last run's report by outcome.");
    for (int o = 0; o < REPORT_OUTCOME_COUNT; o++)
        sample(out, run->org, "hcsbatch_last_run_rows", "outcome", report_outcome_name((enum report_outcome)o),
               (double)tot->by_outcome[o]);
    family(out, "hcsbatch_last_run_rows_need_action", "gauge",
           "Rows the accountant must fix (GIS errors and rows rejected before sending).");
    sample(out, run->org, "hcsbatch_last_run_rows_need_action", NULL, NULL, (double)tot->need_action);
    family(out, "hcsbatch_packets", "gauge", "Packets in the state store by state.");
    for (size_t i = 0; states && i < states->n; i++)
        sample(out, run->org, "hcsbatch_packets", "state", states->names[i], (double)states->counts[i]);
    family(out, "hcsbatch_oldest_pending_packet_age_seconds", "gauge",
           "Age of the oldest packet still waiting for GIS (0 = none waiting).");
    sample(out, run->org, "hcsbatch_oldest_pending_packet_age_seconds", NULL, NULL,
           run->oldest_pending_age > 0 ? (double)run->oldest_pending_age : 0);
    family(out, "hcsbatch_last_run_retries", "gauge", "Send and poll retries made during the last run.");
    sample(out, run->org, "hcsbatch_last_run_retries", NULL, NULL, (double)run->retries);
    if (run->cert_days_left != REPORT_CERT_UNKNOWN) {
        family(out, "hcsbatch_certificate_expiry_days", "gauge",
               "Days until the signing certificate expires (negative: expired).");
        sample(out, run->org, "hcsbatch_certificate_expiry_days", NULL, NULL, (double)run->cert_days_left);
    }
    if (run->debt_known) {
        family(out, "hcsbatch_debt_requests", "gauge",
               "Debt subrequests without an answer: all open, due within 2 working days, overdue.");
        sample(out, run->org, "hcsbatch_debt_requests", "due", "open", (double)run->debt_open);
        sample(out, run->org, "hcsbatch_debt_requests", "due", "within_2_working_days", (double)run->debt_due_soon);
        sample(out, run->org, "hcsbatch_debt_requests", "due", "overdue", (double)run->debt_overdue);
    }
}

int metrics_write(const char *path, const struct report_run *run, const struct report_totals *tot,
                  const struct metrics_state *states, time_t now, hcs_err *err)
{
    strbuf sb = STRBUF_INIT;
    metrics_format(&sb, run, tot, states, now);
    int rc = file_write_atomic(path, sb.buf, sb.len, err);
    sb_free(&sb);
    return rc ? hcs_err_wrap(err, "metrics file") : 0;
}

int report_cert_days_left(const char *pem_path, time_t now, long *days, hcs_err *err)
{
    FILE *f = fopen(pem_path, "r");
    if (!f)
        return hcs_fail(err, HCS_EX_NOINPUT, "certificate %s: cannot open", pem_path);
    X509 *cert = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (!cert)
        return hcs_fail(err, HCS_EX_DATAERR, "certificate %s: not a PEM certificate", pem_path);
    ASN1_TIME *at = ASN1_TIME_set(NULL, now);
    int d = 0, s = 0;
    int ok = at && ASN1_TIME_diff(&d, &s, at, X509_get0_notAfter(cert));
    ASN1_TIME_free(at);
    X509_free(cert);
    if (!ok)
        return hcs_fail(err, HCS_EX_DATAERR, "certificate %s: unreadable validity", pem_path);
    /* Whole days left: 1.5 days is 1, minus half a day is -1. */
    *days = d - (d <= 0 && s < 0 ? 1 : 0);
    return 0;
}
