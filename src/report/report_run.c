/* report_run — the end of a run in one call: XLSX report and errors.csv
 * under [report] dir, the metrics textfile, notifications.  Only a report
 * that cannot be written fails; everything after it is a warning. */
#include "report/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "report/report_internal.h"
#include "report/report_metrics.h"
#include "report/report_notify.h"

/* "a/./b/." → "a/b": the paths we print are read by people. */
static void drop_dot_segments(char *p)
{
    char *w = p;
    for (const char *r = p; *r;) {
        if (r[0] == '/' && r[1] == '.' && (r[2] == '/' || r[2] == '\0') && w != p) {
            r += 2;
            continue;
        }
        if (r == p && r[0] == '.' && r[1] == '/' && r[2]) {
            r += 2;
            continue;
        }
        *w++ = *r++;
    }
    *w = '\0';
}

/* [report] dir, relative to paths.work_dir unless absolute. */
static char *reports_dir(const hcs_config *cfg)
{
    const char *d = cfg_str(cfg, "report.dir");
    if (d && d[0] == '/')
        return xstrdup(d);
    char *work = cfg_path(cfg, "paths.work_dir");
    char *out = path_join(work ? work : ".", d && *d ? d : "reports");
    free(work);
    drop_dot_segments(out);
    return out;
}

/* A piece of a file name: no slashes, no control characters, not empty. */
static char *name_part(const char *s)
{
    char *out = cell_text(s && *s ? s : "run", 120);
    for (char *p = out; *p; p++)
        if (*p == '/' || *p == '\\' || (unsigned char)*p < 0x20 || *p == ':')
            *p = '_';
    if (out[0] == '.')
        out[0] = '_';
    return out;
}

static void day_stamp(time_t now, char out[16])
{
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
}

/* Hints are a help, not a must: a missing table becomes a warning. */
static report_hints *load_hints(const hcs_config *cfg, strbuf *warnings)
{
    char *path = cfg_path(cfg, "paths.hints_file");
    if (!path)
        return NULL;
    hcs_err err;
    report_hints *h = report_hints_load(path, &err);
    if (!h)
        sb_addf(warnings, "report: no accountant hints: %s\n", err.msg);
    /* The file store's exception names (X-Upload-Error) have their own
     * table next to it, written by the file store's owner. */
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    char *fs_table = slash ? (*slash = '\0', path_join(dir, "filestore-errors.csv"))
                           : xstrdup("filestore-errors.csv");
    if (h && file_exists(fs_table) && report_hints_merge(h, fs_table, &err) != 0)
        sb_addf(warnings, "report: %s\n", err.msg);
    free(fs_table);
    free(dir);
    free(path);
    return h;
}

/* Fills in the certificate's days to expiry when the source did not. */
static void cert_days(const hcs_config *cfg, struct report_run *run, time_t now, strbuf *warnings)
{
    if (run->cert_days_left != REPORT_CERT_UNKNOWN)
        return;
    const char *c = cfg_str(cfg, "sign.cert");
    if (c && !strncasecmp(c, "pkcs11:", 7))
        return;   /* on a token: only the signer can read it */
    char *cert = cfg_path(cfg, "sign.cert");
    if (!cert)
        return;
    hcs_err err;
    long days;
    if (report_cert_days_left(cert, now, &days, &err) == 0)
        run->cert_days_left = days;
    else
        sb_addf(warnings, "metrics: %s\n", err.msg);
    free(cert);
}

/* report.metrics_file, or with several organisations one file each,
 * "-NAME" before the extension (hcsbatch.prom → hcsbatch-a.prom): the
 * textfile collector reads them all, each run rewrites only its own; the
 * run's metrics then carry org="NAME". */
static char *metrics_path(const hcs_config *cfg, struct report_run *run)
{
    char *path = cfg_path(cfg, "report.metrics_file");
    const char *org = cfg_org(cfg);
    if (!path || (cfg_org_count(cfg) <= 1 && !strcmp(org, CFG_DEFAULT_ORG)))
        return path;
    run->org = org;
    const char *base = strrchr(path, '/');
    const char *dot = strrchr(base ? base + 1 : path, '.');
    size_t stem = dot && dot != (base ? base + 1 : path) ? (size_t)(dot - path) : strlen(path);
    char *named = xasprintf("%.*s-%s%s", (int)stem, path, org, path + stem);
    free(path);
    return named;
}

int report_finish_run(const hcs_config *cfg, const struct report_source *src,
                      time_t now, struct report_outputs *out, hcs_err *err)
{
    memset(out, 0, sizeof *out);
    if (now == 0)
        now = time(NULL);
    struct report_run run;
    memset(&run, 0, sizeof run);
    run.oldest_pending_age = -1;
    run.cert_days_left = REPORT_CERT_UNKNOWN;
    if (src->run && src->run(src->ctx, &run, err) != 0)
        return hcs_err_wrap(err, "report run info");

    char *dir = reports_dir(cfg);
    if (mkdir_p(dir, err) != 0) {
        free(dir);
        return -1;
    }
    char day[16];
    day_stamp(now, day);
    char *id = name_part(run.run_id);
    out->xlsx_path = xasprintf("%s/%s-%s.xlsx", dir, day, id);
    out->errors_csv_path = xasprintf("%s/%s-%s-errors.csv", dir, day, id);
    free(id);
    free(dir);

    strbuf warnings = STRBUF_INIT;
    report_hints *hints = load_hints(cfg, &warnings);
    int rc = report_write_xlsx(src, out->xlsx_path, hints, &out->totals, err);
    if (rc == 0)
        rc = report_write_errors_csv(src, out->errors_csv_path, hints, err);
    report_hints_free(hints);
    if (rc != 0) {
        sb_free(&warnings);
        return -1;
    }

    struct metrics_state states;
    hcs_err serr;
    if (metrics_states_collect(src, &states, &serr) != 0) {
        sb_addf(&warnings, "report: packet states: %s\n", serr.msg);
        memset(&states, 0, sizeof states);
    }
    cert_days(cfg, &run, now, &warnings);
    char *metrics = metrics_path(cfg, &run);
    if (metrics) {
        hcs_err merr;
        if (metrics_write(metrics, &run, &out->totals, &states, now, &merr) == 0)
            out->metrics_path = metrics;
        else {
            sb_addf(&warnings, "%s\n", merr.msg);
            free(metrics);
        }
    }
    struct notify_summary ns = { &run, &out->totals, &states, out->xlsx_path,
                                 out->totals.need_action > 0 ? out->errors_csv_path : NULL, now };
    if (notify_wanted(cfg, &ns))
        out->notified = notify_send(cfg, &ns, &warnings);
    metrics_states_free(&states);
    if (warnings.len)
        out->warnings = sb_detach(&warnings, NULL);
    sb_free(&warnings);
    return 0;
}

void report_outputs_free(struct report_outputs *out)
{
    free(out->xlsx_path);
    free(out->errors_csv_path);
    free(out->metrics_path);
    free(out->warnings);
    memset(out, 0, sizeof *out);
}

int report_write_file_report(const hcs_config *cfg, const struct report_source *src,
                             const char *out_path, time_t now, char **written, hcs_err *err)
{
    if (now == 0)
        now = time(NULL);
    char *path = NULL;
    if (out_path) {
        path = xstrdup(out_path);
    } else {
        struct rfiles files;
        if (rfiles_collect(src, &files, err) != 0)
            return -1;
        char *stem = file_stem(files.n ? files.items[0].path : "report");
        char *part = name_part(stem);
        char *dir = reports_dir(cfg);
        char day[16];
        day_stamp(now, day);
        if (mkdir_p(dir, err) == 0)
            path = xasprintf("%s/%s-%s.xlsx", dir, day, part);
        free(dir);
        free(part);
        free(stem);
        rfiles_free(&files);
        if (!path)
            return -1;
    }
    strbuf warnings = STRBUF_INIT;
    report_hints *hints = load_hints(cfg, &warnings);
    sb_free(&warnings);
    int rc = report_write_xlsx(src, path, hints, NULL, err);
    report_hints_free(hints);
    if (rc == 0 && written)
        *written = path;
    else
        free(path);
    return rc;
}
