/* run_report — report_source callbacks over the store. */
#include "run/run_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "run/report_store.h"

/* Packets still waiting for a GIS that does not answer: the report says
 * since when. */
static void outage_failure(struct run_report_ctx *c, const struct exchange_stats *s, struct report_run *out)
{
    hcs_err ignored = { 0 };
    int64_t since = store_packets_unreachable_since(c->st, packet_states_pending, &ignored);
    if (since <= 0)
        return;
    char when[32];
    time_t t = (time_t)since;
    struct tm tm;
    strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime_r(&t, &tm));
    snprintf(c->failure, sizeof c->failure, "ГИС ЖКХ недоступна с %s, пакеты ждут отправки%s%s", when,
             s->unreachable ? ": " : "", s->unreachable ? s->unreachable_msg : "");
    out->failed = 1;
    out->failure = c->failure;
    /* The outage has its own notice: the runs while it lasts need not repeat it. */
    out->outage_only = c->outage_only;
}

static int src_run(void *vctx, struct report_run *out, hcs_err *err)
{
    struct run_report_ctx *c = vctx;
    memset(out, 0, sizeof *out);
    out->run_id = c->run_name;
    out->started = (time_t)c->started;
    out->killed_started = (time_t)c->since;
    out->finished = time(NULL);
    out->oldest_pending_age = -1;
    out->cert_days_left = REPORT_CERT_UNKNOWN;
    if (c->x) {
        const struct exchange_stats *s = exchange_get_stats(c->x);
        out->failed = s->unreachable;
        out->failure = s->unreachable ? s->unreachable_msg : NULL;
        outage_failure(c, s, out);
        out->retries = exchange_transport_retries(c->x);
        int days = exchange_cert_days_left(c->x);
        if (days != -999999)
            out->cert_days_left = days;
    }
    if (out->cert_days_left == REPORT_CERT_UNKNOWN && c->signer)
        out->cert_days_left = signer_cert_days_left(c->signer);
    out->runs_total = (long)c->run_id;
    out->debt_known = c->debt_known;
    out->debt_open = c->debt_open;
    out->debt_due_soon = c->debt_due_soon;
    out->debt_overdue = c->debt_overdue;
    return 0;
}

struct files_walk {
    report_file_fn fn;
    void *arg;
    hcs_err *err;
    int failed;
};

static int one_file(void *vctx, const struct store_file *f)
{
    struct files_walk *w = vctx;
    struct report_file rf = {
        .id = (long)f->id,
        .path = f->name ? f->name : f->path,
        .operation = f->template_name,
        .rows = f->rows,
    };
    if (w->fn(w->arg, &rf, w->err) != 0) {
        w->failed = 1;
        return 1;
    }
    return 0;
}

static int src_files(void *vctx, report_file_fn fn, void *arg, hcs_err *err)
{
    struct run_report_ctx *c = vctx;
    struct files_walk w = { fn, arg, err, 0 };
    int rc;
    if (c->file_id) {
        struct store_file f = { 0 };
        if (store_file_get(c->st, c->file_id, &f, err) < 0)
            return -1;
        rc = one_file(&w, &f);
        store_file_clear(&f);
    } else {
        rc = store_files_touched(c->st, c->run_id, c->since ? c->since : c->started, one_file, &w, err);
    }
    return (rc < 0 || w.failed) ? -1 : 0;
}

struct rows_walk {
    report_row_fn fn;
    void *arg;
    hcs_err *err;
    int failed;
};

static enum report_outcome outcome_of(const struct store_row_outcome *r)
{
    return report_store_outcome(r->outcome ? r->outcome : "", r->packet_state ? r->packet_state : "");
}

static int one_row(void *vctx, const struct store_row_outcome *r)
{
    struct rows_walk *w = vctx;
    enum report_outcome oc = outcome_of(r);
    struct report_row rr = {
        .row = r->row,
        .key = r->label ? r->label : r->local_key,
        .outcome = oc,
        .gis_guid = r->gis_guid,
        .unique_number = r->unique_number,
        .code = r->error_code,
        .gis_text = oc == REPORT_REJECTED ? NULL : r->error_text,
        .reason = oc == REPORT_REJECTED ? r->error_text : r->note,
        .column = r->column,
        .value = r->value,
        .updated = report_parse_time(r->update_date),
    };
    if (w->fn(w->arg, &rr, w->err) != 0) {
        w->failed = 1;
        return 1;
    }
    return 0;
}

static int src_rows(void *vctx, const struct report_file *f, report_row_fn fn, void *arg, hcs_err *err)
{
    struct run_report_ctx *c = vctx;
    struct rows_walk w = { fn, arg, err, 0 };
    struct store_file sf = { 0 };
    if (store_file_get(c->st, f->id, &sf, err) < 0)
        return -1;
    int rc = 0;
    if (sf.state && !strcmp(sf.state, "rejected")) {
        struct report_row rr = { .row = 0, .outcome = REPORT_REJECTED, .reason = sf.error,
                                 .code = REPORT_CODE_FILE };
        rc = fn(arg, &rr, err) != 0 ? -1 : 0;
    } else {
        rc = store_file_rows(c->st, f->id, one_row, &w, err) < 0 || w.failed ? -1 : 0;
    }
    store_file_clear(&sf);
    return rc;
}

static int src_states(void *vctx, report_state_fn fn, void *arg, hcs_err *err)
{
    struct run_report_ctx *c = vctx;
    for (const char *const *s = exchange_states_all; *s; s++) {
        const char *one[] = { *s, NULL };
        long n = store_packets_count(c->st, one, NULL, err);
        if (n < 0)
            return -1;
        if (n > 0 && fn(arg, *s, n, err) != 0)
            return -1;
    }
    return 0;
}

void run_report_source(struct run_report_ctx *ctx, struct report_source *src)
{
    snprintf(ctx->run_name, sizeof ctx->run_name, "%lld", (long long)ctx->run_id);
    memset(src, 0, sizeof *src);
    src->ctx = ctx;
    src->run = src_run;
    src->files = src_files;
    src->rows = src_rows;
    src->packet_states = src_states;
}

int run_report_write(const hcs_config *cfg, struct run_report_ctx *ctx, char **xlsx_path, char **errors_path,
                     hcs_err *err)
{
    struct report_source src;
    run_report_source(ctx, &src);
    struct report_outputs out = { 0 };
    if (report_finish_run(cfg, &src, 0, &out, err) < 0) {
        report_outputs_free(&out);
        return -1;
    }
    /* Notification, hints or metrics trouble never fails the run. */
    for (const char *line = out.warnings, *nl; line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        log_warn("report: %.*s", nl ? (int)(nl - line) : (int)strlen(line), line);
    }
    /* Retention runs after the report so today's files are never swept. */
    struct retention_stats rs = { 0 };
    hcs_err rerr = { 0 };
    if (report_retention_sweep(cfg, 0, &rs, &rerr) < 0)
        log_warn("retention: %s", rerr.msg);
    else if (rs.removed || rs.failed)
        log_info("retention: %ld old files removed, %ld could not be removed", rs.removed, rs.failed);
    *xlsx_path = out.xlsx_path ? xstrdup(out.xlsx_path) : NULL;
    *errors_path = out.errors_csv_path ? xstrdup(out.errors_csv_path) : NULL;
    report_outputs_free(&out);
    return 0;
}
