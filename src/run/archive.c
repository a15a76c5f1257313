/* archive — moving taken and refused input files (see archive.h). */
#include "run/archive.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "base/xalloc.h"

static int move_file(const char *from, const char *to_dir, const char *name, char **dest, hcs_err *err)
{
    if (mkdir_p(to_dir, err) < 0)
        return -1;
    char *to = path_join(to_dir, name);
    /* Two inbox folders may hold files of the same name: never overwrite. */
    for (int i = 2; file_exists(to) && i < 1000; i++) {
        free(to);
        char *alt = xasprintf("%d-%s", i, name);
        to = path_join(to_dir, alt);
        free(alt);
    }
    if (rename(from, to) != 0) {
        hcs_fail(err, HCS_EX_CANTCREAT, "cannot move %s to %s: %s", from, to, strerror(errno));
        free(to);
        return -1;
    }
    /* The input keeps the mode it came with; archived, it holds personal
     * data (names, СНИЛС): owner and group only. */
    struct stat stt;
    if (stat(to, &stt) == 0)
        (void)chmod(to, stt.st_mode & 0640);
    if (dest)
        *dest = to;
    else
        free(to);
    return 0;
}

int archive_reject(const char *work, int64_t run_id, const char *path, const char *why, hcs_err *err)
{
    char *dir = path_join(work, "rejected");
    char *name = xasprintf("run%lld-%s", (long long)run_id, path_base(path));
    char *dest = NULL;
    int rc = move_file(path, dir, name, &dest, err);
    if (rc == 0) {
        char *note = xasprintf("%s.error.txt", dest);
        char *text = xasprintf("Файл %s не обработан.\nПричина: %s\n", path_base(path), why);
        if (file_write_atomic(note, text, strlen(text), err) < 0)
            rc = -1;
        free(note);
        free(text);
    }
    log_warn("%s rejected: %s", path, why);
    free(dest);
    free(name);
    free(dir);
    return rc;
}

int archive_input(store *st, const char *work, struct store_file *f, int64_t run_id, hcs_err *err)
{
    char *dir = path_join(work, "archive/inputs");
    char *name = xasprintf("run%lld-%s", (long long)run_id, f->name ? f->name : path_base(f->path));
    char *dest = NULL;
    int rc = move_file(f->path, dir, name, &dest, err);
    free(dir);
    free(name);
    if (rc < 0)
        return -1;
    free(f->archive_path);
    f->archive_path = dest;
    return store_file_update(st, f, err);
}
