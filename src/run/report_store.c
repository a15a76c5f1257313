/* report_store — small helpers where the report meets the state store:
 * finding an input file by name, the outcome mapping, GIS dates.  The
 * report_source over the store itself is h5's src/exchange/run_report.c. */
#include "run/report_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fsutil.h"
#include "base/xalloc.h"
#include "exchange/lifecycle.h"

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
        if (strcmp(p, PS_PROCESSING) == 0)
            return REPORT_PENDING;         /* GIS is processing it, answer not final */
        if (strcmp(p, PS_SENT) == 0)
            return REPORT_SENT;            /* acknowledged by GIS, not polled yet */
        if (strcmp(p, PS_DEFERRED) == 0 || strcmp(p, PS_CREATED) == 0 || strcmp(p, PS_PREPARED) == 0)
            return REPORT_DEFERRED;        /* not sent yet (or sent, not acknowledged) */
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
