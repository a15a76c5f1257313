/* report_store — the report_source callbacks over the state store. */
#include "report/report_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"
#include "common/xalloc.h"

static const char *const packet_states[] = {
    "created", "prepared", "sent", "processing", "done", "done-with-warnings", "failed",
    "deferred", "cancelled", NULL,
};

enum report_outcome report_store_outcome(const char *element_state, const char *packet_state)
{
    const char *e = element_state ? element_state : "";
    const char *p = packet_state ? packet_state : "";
    if (strcmp(e, "accepted") == 0)
        return REPORT_ACCEPTED;
    if (strcmp(e, "rejected") == 0)
        return REPORT_REJECTED;
    if (strcmp(e, "deferred") == 0)
        return REPORT_DEFERRED;
    if (strcmp(e, "pending") == 0) {
        if (strcmp(p, "processing") == 0)
            return REPORT_PENDING;         /* GIS acknowledged, answer not final */
        if (strcmp(p, "sent") == 0)
            return REPORT_SENT;            /* handed over, no ack yet */
        if (strcmp(p, "deferred") == 0 || strcmp(p, "created") == 0 || strcmp(p, "prepared") == 0)
            return REPORT_DEFERRED;        /* not sent yet */
        return REPORT_PENDING;
    }
    return REPORT_FAILED;                  /* error, failed, cancelled */
}

time_t report_parse_time(const char *s)
{
    if (!s || !*s)
        return 0;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) != 3)
        return 0;
    const char *p = s + n;
    int offset = 0;
    if (*p == 'T' || *p == ' ') {
        int m = 0;
        if (sscanf(p + 1, "%2d:%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &m) != 3)
            return 0;
        p += 1 + m;
        if (*p == '.')
            for (p++; *p >= '0' && *p <= '9'; p++)
                ;
        if (*p == '+' || *p == '-') {
            int hh = 0, mm = 0;
            if (sscanf(p + 1, "%2d:%2d", &hh, &mm) < 1)
                return 0;
            offset = (hh * 3600 + mm * 60) * (*p == '-' ? -1 : 1);
        }
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    return t == (time_t)-1 ? 0 : t - offset;
}

/* ---- callbacks -------------------------------------------------------------- */

static int cb_run(void *ctx, struct report_run *out, hcs_err *err)
{
    (void)err;
    *out = ((struct report_store_source *)ctx)->run;
    return 0;
}

struct files_walk {
    report_file_fn fn;
    void *arg;
    hcs_err *err;
    int64_t only;
    int failed;
};

static int on_store_file(void *ctx, const struct store_file *f)
{
    struct files_walk *w = ctx;
    if (w->only && f->id != w->only)
        return 0;
    struct report_file rf = {
        .id = (long)f->id,
        .path = f->name && *f->name ? f->name : f->path,
        .operation = f->operation ? f->operation : f->template_name,
        .rows = f->rows,
        .key_title = NULL,
    };
    if (w->fn(w->arg, &rf, w->err) != 0) {
        w->failed = 1;
        return 1;
    }
    return 0;
}

static int cb_files(void *ctx, report_file_fn fn, void *arg, hcs_err *err)
{
    struct report_store_source *rs = ctx;
    struct files_walk w = { fn, arg, err, rs->file_id, 0 };
    int rc = store_files_each(rs->st, rs->file_id ? 0 : rs->run_id, NULL, on_store_file, &w, err);
    return rc < 0 || w.failed ? -1 : 0;
}

struct rows_walk {
    report_row_fn fn;
    void *arg;
    hcs_err *err;
    int failed;
};

static int on_store_row(void *ctx, const struct store_row_outcome *r)
{
    struct rows_walk *w = ctx;
    enum report_outcome o = report_store_outcome(r->outcome, r->packet_state);
    int rejected = r->outcome && strcmp(r->outcome, "rejected") == 0;
    int cancelled = r->outcome && strcmp(r->outcome, "cancelled") == 0;
    struct report_row row = {
        .row = r->row,
        .key = r->label && *r->label ? r->label : r->local_key,
        .outcome = o,
        .gis_guid = r->gis_guid,
        .unique_number = r->unique_number,
        .code = r->error_code,
        .gis_text = rejected ? NULL : r->error_text,
        .reason = rejected ? r->error_text : cancelled ? "пакет отменён оператором" : NULL,
        .column = r->column,
        .value = r->value,
        .updated = report_parse_time(r->update_date),
    };
    if (w->fn(w->arg, &row, w->err) != 0) {
        w->failed = 1;
        return 1;
    }
    return 0;
}

static int cb_rows(void *ctx, const struct report_file *f, report_row_fn fn, void *arg, hcs_err *err)
{
    struct report_store_source *rs = ctx;
    struct rows_walk w = { fn, arg, err, 0 };
    int rc = store_file_rows(rs->st, (int64_t)f->id, on_store_row, &w, err);
    return rc < 0 || w.failed ? -1 : 0;
}

/* Packet counts by state, and the oldest packet still waiting for GIS. */
struct packets_walk {
    long counts[sizeof packet_states / sizeof packet_states[0]];
    int64_t oldest;              /* earliest send time of a waiting packet */
};

static int on_packet(void *ctx, const struct store_packet *p)
{
    struct packets_walk *w = ctx;
    for (size_t i = 0; packet_states[i]; i++)
        if (strcmp(p->state, packet_states[i]) == 0)
            w->counts[i]++;
    if (strcmp(p->state, "sent") == 0 || strcmp(p->state, "processing") == 0) {
        int64_t since = p->first_ack_at ? p->first_ack_at : p->sent_at;
        if (since && (!w->oldest || since < w->oldest))
            w->oldest = since;
    }
    return 0;
}

static int walk_packets(struct report_store_source *rs, struct packets_walk *w, hcs_err *err)
{
    memset(w, 0, sizeof *w);
    struct store_packet_filter flt = { .file_id = rs->file_id };
    return store_packets_each(rs->st, &flt, on_packet, w, err) < 0 ? -1 : 0;
}

static int cb_states(void *ctx, report_state_fn fn, void *arg, hcs_err *err)
{
    struct report_store_source *rs = ctx;
    struct packets_walk w;
    if (walk_packets(rs, &w, err) != 0)
        return -1;
    for (size_t i = 0; packet_states[i]; i++)
        if (w.counts[i] && fn(arg, packet_states[i], w.counts[i], err) != 0)
            return -1;
    return 0;
}

/* ---- setup ------------------------------------------------------------------ */

static int init(struct report_store_source *rs, store *st, int64_t run_id, int64_t file_id,
                hcs_err *err)
{
    memset(rs, 0, sizeof *rs);
    rs->st = st;
    rs->run_id = run_id;
    rs->file_id = file_id;
    rs->src = (struct report_source){ rs, cb_run, cb_files, cb_rows, cb_states };
    rs->run.oldest_pending_age = -1;
    rs->run.cert_days_left = REPORT_CERT_UNKNOWN;
    rs->run.finished = time(NULL);
    struct packets_walk w;
    if (walk_packets(rs, &w, err) != 0)
        return -1;
    if (w.oldest)
        rs->run.oldest_pending_age = (long)(rs->run.finished - w.oldest);
    return 0;
}

int report_store_source_run(struct report_store_source *rs, store *st, int64_t run_id,
                            time_t started, const char *failure, hcs_err *err)
{
    if (init(rs, st, run_id, 0, err) != 0)
        return -1;
    rs->run_label = xasprintf("%lld", (long long)run_id);
    rs->failure = failure ? xstrdup(failure) : NULL;
    rs->run.run_id = rs->run_label;
    rs->run.started = started;
    rs->run.failed = failure != NULL;
    rs->run.failure = rs->failure;
    rs->run.runs_total = (long)run_id;   /* run ids count up from 1 */
    return 0;
}

int report_store_source_file(struct report_store_source *rs, store *st, int64_t file_id,
                             hcs_err *err)
{
    if (init(rs, st, 0, file_id, err) != 0)
        return -1;
    struct store_file f;
    memset(&f, 0, sizeof f);
    if (store_file_get(st, file_id, &f, err) != 0)
        return -1;
    rs->run_label = xasprintf("файл %s (запуск %lld)", f.name && *f.name ? f.name : path_base(f.path),
                              (long long)f.run_id);
    rs->run.run_id = rs->run_label;
    rs->run.started = (time_t)f.created_at;
    store_file_clear(&f);
    return 0;
}

void report_store_source_clear(struct report_store_source *rs)
{
    free(rs->run_label);
    free(rs->failure);
    memset(rs, 0, sizeof *rs);
}

struct find_walk {
    const char *name;
    int64_t found;
};

static int on_find(void *ctx, const struct store_file *f)
{
    struct find_walk *w = ctx;
    const char *base = path_base(w->name);
    if ((f->path && strcmp(f->path, w->name) == 0) ||
        (f->archive_path && strcmp(f->archive_path, w->name) == 0) ||
        (f->name && strcmp(f->name, base) == 0) ||
        (f->path && strcmp(path_base(f->path), base) == 0))
        w->found = f->id;            /* ordered by id: the last match is the latest */
    return 0;
}

int report_store_find_file(store *st, const char *name, int64_t *file_id, hcs_err *err)
{
    struct find_walk w = { name, 0 };
    if (store_files_each(st, 0, NULL, on_find, &w, err) < 0)
        return -1;
    if (!w.found)
        return 0;
    *file_id = w.found;
    return 1;
}
