/* batch — the run lock, the inbox, the cycles and the exit code.  See batch.h. */
#include "exchange/batch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "exchange/run_report.h"
#include "proto/schema.h"

const struct inbox_kind inbox_kinds[] = {
    { "inbox.accounts", "importAccountData", NULL },
    /* new devices name premises and accounts: after the account imports */
    { "inbox.meters", "importMeteringDeviceData", "importAccountData" },
    { "inbox.readings", "importMeteringDeviceValues", NULL },
    /* bills reference accounts by number: wait until account imports are answered */
    { "inbox.bills", "importPaymentDocumentData", "importAccountData" },
    { "inbox.bills_withdraw", "importPaymentDocumentData-withdraw", "importPaymentDocumentData" },
    { NULL, NULL, NULL }
};

static char *work_dir(const hcs_config *cfg)
{
    char *w = cfg_path(cfg, "paths.work_dir");
    return w ? w : xstrdup(".");
}

int batch_lock(const hcs_config *cfg, hcs_err *err)
{
    char *work = work_dir(cfg);
    if (mkdir_p(work, err) < 0) {
        free(work);
        return -1;
    }
    char *path = path_join(work, "run.lock");
    free(work);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        hcs_fail(err, HCS_EX_CANTCREAT, "%s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        if (e == EWOULDBLOCK)
            hcs_fail(err, HCS_EX_TEMPFAIL, "another hcsbatch run holds %s; try again later", path);
        else
            hcs_fail(err, HCS_EX_OSERR, "%s: %s", path, strerror(e));
        free(path);
        return -1;
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) == 0 && write(fd, pid, (size_t)n) < 0)
        log_debug("cannot record the pid in %s", path);
    free(path);
    return fd;
}

void batch_unlock(int fd)
{
    if (fd >= 0)
        close(fd);
}

void batch_result_clear(struct batch_result *r)
{
    free(r->report_path);
    free(r->errors_path);
    memset(r, 0, sizeof *r);
}

/* ---- the inbox ---- */

static int has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcasecmp(s + a - b, suffix);
}

int inbox_file_ready(const char *dir, const char *name, long settle_seconds, int64_t now)
{
    if (name[0] == '.' || !strncmp(name, "~$", 2) || has_suffix(name, ".part") || has_suffix(name, ".tmp")
        || has_suffix(name, ".error.txt"))
        return 0;
    char *path = path_join(dir, name);
    struct stat a;
    int ok = stat(path, &a) == 0 && S_ISREG(a.st_mode);
    free(path);
    if (!ok)
        return 0;
    /* A file still being written changes size or mtime: leave it for the next run. */
    if (settle_seconds > 0 && now - (int64_t)a.st_mtime < settle_seconds)
        return 0;
    return 1;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Complete files of one inbox folder, sorted by name; caller frees. */
static char **list_inbox(const char *dir, long settle, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **names = NULL;
    size_t cap = 0;
    int64_t now = (int64_t)time(NULL);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!inbox_file_ready(dir, e->d_name, settle, now))
            continue;
        ARRAY_GROW(names, *n, cap);
        names[(*n)++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (*n)
        qsort(names, *n, sizeof *names, name_cmp);
    return names;
}

long inbox_count(const char *dir, long settle_seconds)
{
    size_t n;
    char **names = list_inbox(dir, settle_seconds, &n);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return (long)n;
}

struct batch {
    const hcs_config *cfg;
    const struct batch_opts *o;
    store *st;
    exchange *x;
    schema_set *schemas;
    int64_t run_id, started;
    char *work;
    long waiting, duplicates;
};

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
    if (dest)
        *dest = to;
    else
        free(to);
    return 0;
}

static int reject_file(struct batch *b, const char *path, const char *why, hcs_err *err)
{
    char *dir = path_join(b->work, "rejected");
    char *name = xasprintf("run%lld-%s", (long long)b->run_id, path_base(path));
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

static int archive_input(struct batch *b, struct store_file *f, int64_t run_id, hcs_err *err)
{
    char *dir = path_join(b->work, "archive/inputs");
    char *name = xasprintf("run%lld-%s", (long long)run_id, f->name ? f->name : path_base(f->path));
    char *dest = NULL;
    int rc = move_file(f->path, dir, name, &dest, err);
    free(dir);
    free(name);
    if (rc < 0)
        return -1;
    free(f->archive_path);
    f->archive_path = dest;
    return store_file_update(b->st, f, err);
}

/* One inbox file: dedupe by content, convert, move. */
static int take_one(struct batch *b, const struct inbox_kind *k, const char *path, hcs_err *err)
{
    char sha[65];
    if (file_sha256_hex(path, sha, err) < 0)
        return -1;
    struct store_file f = { 0 };
    if (!b->o->force) {
        int found = store_file_find_hash(b->st, sha, k->template_name, &f, err);
        if (found < 0)
            return -1;
        if (found) {
            int rc;
            if (!f.archive_path && !strcmp(f.path, path)) {
                /* Converted by a run that stopped before moving it. */
                rc = archive_input(b, &f, f.run_id, err);
            } else {
                char why[512];
                snprintf(why, sizeof why, "файл с тем же содержимым уже обработан (запуск %lld, %s);"
                         " для повторной отправки запустите hcsbatch run --force", (long long)f.run_id,
                         f.name ? f.name : "");
                rc = reject_file(b, path, why, err);
                b->duplicates++;
            }
            store_file_clear(&f);
            return rc;
        }
    }
    if (!b->schemas) {
        char *dir = cfg_path(b->cfg, "paths.schemas_dir");
        b->schemas = schema_set_open(dir ? dir : ".", err);
        free(dir);
        if (!b->schemas)
            return -1;
        exchange_set_schemas(b->x, b->schemas);
    }
    log_info("taking %s (%s)", path, k->template_name);
    int rc = exchange_take_file(b->x, path, k->template_name, sha, &f, err);
    if (rc == 0)
        rc = archive_input(b, &f, b->run_id, err);
    else if (rc == 1)
        rc = reject_file(b, path, f.error ? f.error : "не удалось прочитать файл", err);
    store_file_clear(&f);
    return rc;
}

static int scan_inbox(struct batch *b, hcs_err *err)
{
    long settle = cfg_int(b->cfg, "input.settle_seconds", 5);
    int waiting_kind[16] = { 0 };
    b->waiting = 0;
    for (const struct inbox_kind *k = inbox_kinds; k->cfg_key; k++) {
        const char *rel = cfg_str(b->cfg, k->cfg_key);
        if (!rel || !*rel)
            continue;
        char *dir = rel[0] == '/' ? xstrdup(rel) : path_join(b->work, rel);
        size_t n;
        char **names = list_inbox(dir, settle, &n);
        long blocked = 0;
        if (n && k->waits_for) {
            blocked = store_packets_count(b->st, exchange_states_pending, k->waits_for, err);
            if (blocked < 0)
                blocked = 0;
            /* Transitive: withdrawals wait for bills that themselves still
             * wait in their inbox for accounts. */
            for (const struct inbox_kind *d = inbox_kinds; d < k; d++)
                if (waiting_kind[d - inbox_kinds] && d->template_name
                    && !strncmp(d->template_name, k->waits_for, strlen(k->waits_for)))
                    blocked++;
        }
        int rc = 0;
        for (size_t i = 0; i < n; i++) {
            char *path = path_join(dir, names[i]);
            if (blocked > 0) {
                log_info("%s waits for %s (packets not answered yet)", path, k->waits_for);
                b->waiting++;
                waiting_kind[k - inbox_kinds] = 1;
            } else if (rc == 0) {
                rc = take_one(b, k, path, err);
            }
            free(path);
            free(names[i]);
        }
        free(names);
        free(dir);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* ---- the run ---- */

static int due(store *st, const char *const *states, int64_t now, hcs_err *err)
{
    long n = store_packets_count(st, states, NULL, err);
    if (n <= 0)
        return n < 0 ? -1 : 0;
    return store_packets_next_due(st, states, err) <= now;
}

/* 1 when this invocation has nothing to do at all (an idle cron run). */
static int is_idle(struct batch *b, hcs_err *err)
{
    const struct batch_opts *o = b->o;
    int64_t now = (int64_t)time(NULL);
    if (o->take_inbox) {
        long settle = cfg_int(b->cfg, "input.settle_seconds", 5);
        for (const struct inbox_kind *k = inbox_kinds; k->cfg_key; k++) {
            const char *rel = cfg_str(b->cfg, k->cfg_key);
            if (!rel || !*rel)
                continue;
            char *dir = rel[0] == '/' ? xstrdup(rel) : path_join(b->work, rel);
            long n = inbox_count(dir, settle);
            free(dir);
            if (n > 0)
                return 0;
        }
    }
    if (o->wait) {
        long pending = store_packets_count(b->st, o->send ? exchange_states_pending : exchange_states_to_poll,
                                           NULL, err);
        if (pending != 0)
            return pending < 0 ? -1 : 0;
    }
    int d = o->send ? due(b->st, exchange_states_to_send, now, err) : 0;
    if (d != 0)
        return d < 0 ? -1 : 0;
    d = o->poll ? due(b->st, exchange_states_to_poll, now, err) : 0;
    if (d != 0)
        return d < 0 ? -1 : 0;
    return 1;
}

static void sleep_until(int64_t when, int64_t deadline)
{
    int64_t now = (int64_t)time(NULL);
    if (deadline && when > deadline)
        when = deadline;
    if (when <= now) {
        struct timespec ts = { 0, 200 * 1000 * 1000 };
        nanosleep(&ts, NULL);
        return;
    }
    /* Wake at the second boundary the packet becomes due. */
    struct timespec ts = { (time_t)(when - now), 0 };
    nanosleep(&ts, NULL);
}

static int exit_code_for(const struct exchange_stats *s)
{
    if (s->unreachable)
        return HCS_EX_UNAVAILABLE;
    if (s->rows_rejected || s->files_rejected || s->failed || s->warnings || s->elements_error)
        return HCS_EX_DATAERR;
    return HCS_OK;
}

int batch_run(const hcs_config *cfg, const struct batch_opts *o, struct batch_result *r, hcs_err *err)
{
    memset(r, 0, sizeof *r);
    struct batch b = { .cfg = cfg, .o = o };
    int rc = -1;
    b.work = work_dir(cfg);
    b.st = store_open(cfg, err);
    if (!b.st)
        goto out;
    b.started = (int64_t)time(NULL);
    int idle_start = is_idle(&b, err);
    if (idle_start < 0)
        goto out;
    if (idle_start) {
        /* Nothing to take, send or poll: no run is recorded, nothing written. */
        log_debug("nothing to do");
        rc = 0;
        goto out;
    }
    if (store_run_begin(b.st, o->command, &b.run_id, err) < 0)
        goto out;
    r->run_id = b.run_id;
    struct exchange_opts xo = { .cfg = cfg, .st = b.st, .run_id = b.run_id };
    b.x = exchange_new(&xo, err);
    if (!b.x || exchange_recover(b.x, err) < 0)
        goto out;
    int64_t deadline = o->max_wait_s > 0 ? b.started + o->max_wait_s : 0;
    for (;;) {
        if (o->take_inbox && scan_inbox(&b, err) < 0)
            goto out;
        long worked = 0;
        if ((o->send || o->poll) && exchange_cycle_parts(b.x, o->send, o->poll, &worked, err) < 0)
            goto out;
        if (store_files_finish(b.st, err) < 0)
            goto out;
        if (!o->wait)
            break;
        long pending = o->send ? exchange_pending(b.x, err)
                               : store_packets_count(b.st, exchange_states_to_poll, NULL, err);
        if (pending < 0)
            goto out;
        if (pending == 0 && b.waiting == 0)
            break;
        if (deadline && (int64_t)time(NULL) >= deadline) {
            log_warn("--max-wait reached with %ld packet(s) pending", pending);
            break;
        }
        if (pending == 0)
            continue;                    /* dependencies cleared: take the waiting files now */
        int64_t next = o->send ? exchange_next_due(b.x, err)
                               : store_packets_next_due(b.st, exchange_states_to_poll, err);
        if (worked == 0 || next > (int64_t)time(NULL))
            sleep_until(next, deadline);
    }
    r->stats = *exchange_get_stats(b.x);
    r->pending = exchange_pending(b.x, err);
    r->files_waiting = b.waiting;
    r->files_duplicate = b.duplicates;
    r->exit_code = exit_code_for(&r->stats);
    const struct exchange_stats *xs = &r->stats;
    int idle = !xs->files_taken && !xs->files_rejected && !xs->sends && !xs->polls && !b.duplicates;
    if (o->reports && !idle) {
        hcs_err rerr = { 0 };
        if (run_report_write(cfg, b.st, b.x, b.run_id, b.started, &r->report_path, &r->errors_path, &rerr) < 0)
            log_error("report: %s", rerr.msg);
    }
    char summary[512];
    snprintf(summary, sizeof summary,
             "files %ld taken, %ld rejected, %ld waiting; rows %ld, rejected %ld; packets %ld prepared,"
             " %ld sent, %ld done, %ld with warnings, %ld failed, %ld pending",
             r->stats.files_taken, r->stats.files_rejected, r->files_waiting, r->stats.rows,
             r->stats.rows_rejected, r->stats.packets_prepared, r->stats.acks, r->stats.done,
             r->stats.warnings, r->stats.failed, r->pending);
    store_run_finish(b.st, b.run_id, r->exit_code, summary, err);
    rc = 0;
out:
    if (rc < 0 && b.st && b.run_id) {
        hcs_err ignored;
        store_run_finish(b.st, b.run_id, err->code ? err->code : HCS_EX_FAIL, err->msg, &ignored);
    }
    exchange_free(b.x);
    if (b.schemas)
        schema_set_free(b.schemas);
    store_close(b.st);
    free(b.work);
    return rc;
}
