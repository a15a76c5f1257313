/* report_retention — removes old logs, reports, archived and rejected
 * files.  Only regular files, judged by mtime; symlinks are neither
 * followed nor removed; folders stay (the inbox layout must survive). */
#include "report/report.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/xalloc.h"

#define RETENTION_MAX_DEPTH 16

static int sweep(const char *dir, time_t cutoff, int depth, struct retention_stats *st, hcs_err *err)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT)
            return 0;                /* nothing kept there yet */
        return hcs_fail(err, HCS_EX_IOERR, "retention: cannot open %s: %s", dir, strerror(errno));
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *p = path_join(dir, e->d_name);
        struct stat sb;
        if (lstat(p, &sb) == 0) {
            if (S_ISDIR(sb.st_mode) && depth < RETENTION_MAX_DEPTH) {
                rc = sweep(p, cutoff, depth + 1, st, err);
            } else if (S_ISREG(sb.st_mode) && sb.st_mtime < cutoff) {
                if (unlink(p) == 0)
                    st->removed++;
                else
                    st->failed++;
            }
        }
        free(p);
    }
    closedir(d);
    return rc;
}

int report_retention_dir(const char *dir, long days, time_t now, struct retention_stats *st,
                         hcs_err *err)
{
    if (days <= 0 || !dir)
        return 0;                    /* keep forever */
    if (now == 0)
        now = time(NULL);
    return sweep(dir, now - (time_t)days * 86400, 0, st, err);
}

int report_retention_sweep(const hcs_config *cfg, time_t now, struct retention_stats *st,
                           hcs_err *err)
{
    memset(st, 0, sizeof *st);
    char *work = cfg_path(cfg, "paths.work_dir");
    if (!work)
        return hcs_fail(err, HCS_EX_CONFIG, "retention: paths.work_dir is not set");
    const char *report_dir = cfg_str(cfg, "report.dir");
    struct { const char *sub; const char *key; } kinds[] = {
        { "logs", "retention.logs_days" },
        { report_dir ? report_dir : "reports", "retention.reports_days" },
        { "archive", "retention.archive_days" },
        { "rejected", "retention.rejected_days" },
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0] && rc == 0; i++) {
        char *dir = kinds[i].sub[0] == '/' ? xstrdup(kinds[i].sub) : path_join(work, kinds[i].sub);
        /* A kind configured as the work dir itself would sweep the state
         * store and the inbox: refuse. */
        char *real_dir = realpath(dir, NULL), *real_work = realpath(work, NULL);
        if (real_dir && real_work && strcmp(real_dir, real_work) == 0)
            rc = hcs_fail(err, HCS_EX_CONFIG, "retention: %s is the work directory itself", dir);
        else
            rc = report_retention_dir(dir, cfg_int(cfg, kinds[i].key, 0), now, st, err);
        free(real_dir);
        free(real_work);
        free(dir);
    }
    free(work);
    return rc;
}
