/* scan — the inbox scan: every complete file, kind after kind in
 * dependency order, deduplicated by content, taken (intake.h) and moved
 * (archive.h). */
#include "run/run_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "packet/convert.h"
#include "run/archive.h"
#include "run/inbox.h"

/* A file whose content was processed before: moved again if a run stopped
 * before moving it, else refused (sent again only with --force). */
static int take_known(struct run_state *b, struct store_file *f, const char *path, hcs_err *err)
{
    if (!f->archive_path && !strcmp(f->path, path))
        return archive_input(b->st, b->work, f, f->run_id, err);   /* converted by a run that stopped */
    char why[512];
    snprintf(why, sizeof why, "файл с тем же содержимым уже обработан (запуск %lld, %s);"
             " для повторной отправки запустите hcsbatch run --force", (long long)f->run_id,
             f->name ? f->name : "");
    b->duplicates++;
    return archive_reject(b->work, b->run_id, path, why, err);
}

void run_claims_init(struct run_state *b, const char *role)
{
    store_owner_id(b->owner, sizeof b->owner);
    char *colon = strrchr(b->owner, ':');
    if (role && colon)
        snprintf(colon + 1, sizeof b->owner - (size_t)(colon + 1 - b->owner), "%s", role);
    b->lease_seconds = (int)cfg_int(b->cfg, "worker.lease_seconds", 300);
}

static int gone(const char *path)
{
    struct stat sb;
    return stat(path, &sb) != 0 && errno == ENOENT;
}

/* One inbox file, claimed: dedupe by content, convert, move. */
static int take_claimed(struct run_state *b, const struct inbox_kind *k, const char *path, const char *sha,
                        hcs_err *err)
{
    struct store_file f = { 0 };
    int rc;
    int found = b->o->force ? 0 : store_file_find_hash(b->st, sha, k->template_name, &f, err);
    if (found < 0)
        return -1;
    if (found) {
        rc = take_known(b, &f, path, err);
        store_file_clear(&f);
        return rc;
    }
    log_info("taking %s (%s)", path, k->template_name);
    rc = intake_take_file(b->in, path, k->template_name, sha, &f, err);
    if (rc == 2) {
        /* The chain: the exports first, then the file once more (its rows
         * of keys still unknown are rejected one by one). */
        rc = run_chain(b, intake_needs(b->in), err);
        store_file_clear(&f);
        intake_set_chain(b->in, 0);
        if (rc == 0)
            rc = intake_take_file(b->in, path, k->template_name, sha, &f, err);
        intake_set_chain(b->in, 1);
    }
    if (rc == 0)
        rc = archive_input(b->st, b->work, &f, b->run_id, err);
    else if (rc == 1)
        rc = archive_reject(b->work, b->run_id, path, f.error ? f.error : "не удалось прочитать файл", err);
    else if (rc == 3)
        rc = 0, b->elsewhere++; /* another worker took the file over: it is that one's */
    store_file_clear(&f);
    return rc;
}

static int take_pair_claimed(struct run_state *b, const struct inbox_kind *k, const char *path, const char *sha,
                             const char *child, const char *csha, hcs_err *err);

/* An inbox file — or a houses file with its premises file (child) —
 * claimed by content (organisation, template, SHA-256: two copies of one
 * content are the same work, whatever their names or the mount point a
 * host sees them under), taken, released.  A pair is claimed as one: both
 * claims, both renewed by the conversion's fence.  Files another worker
 * holds, or has taken and moved since the listing, are passed by. */
static int take_files(struct run_state *b, const struct inbox_kind *k, const char *path, const char *child,
                      hcs_err *err)
{
    char sha[65], csha[65];
    if (file_sha256_hex(path, sha, err) < 0 || (child && file_sha256_hex(child, csha, err) < 0))
        return gone(path) || (child && gone(child)) ? 0 : -1;
    const char *org = cfg_org(b->cfg);
    char *key = xasprintf("%s/%s/%s", org, k->template_name, sha);
    char *ckey = child ? xasprintf("%s/%s/%s", org, k->template_name, csha) : NULL;
    int64_t now = (int64_t)time(NULL);
    int rc = store_lease_take(b->st, "inbox", key, b->owner, now, b->lease_seconds, err);
    if (rc == 1 && ckey)
        rc = store_lease_take(b->st, "inbox", ckey, b->owner, now, b->lease_seconds, err);
    if (rc == 1 && (gone(path) || (child && gone(child)))) {
        rc = 0;                 /* taken and moved by another worker since the listing */
    } else if (rc == 1) {
        intake_set_lease(b->in, key, b->owner, b->lease_seconds);
        intake_set_lease_partner(b->in, ckey);
        rc = child ? take_pair_claimed(b, k, path, sha, child, csha, err) : take_claimed(b, k, path, sha, err);
        intake_set_lease(b->in, NULL, b->owner, b->lease_seconds);
    } else if (rc == 0) {
        log_debug("%s%s%s: another worker takes it", path, child ? " with " : "", child ? child : "");
        b->elsewhere++;
    }
    hcs_err ignored;            /* only the owner's claims go; a failed release ends with its lease */
    store_lease_release(b->st, "inbox", key, b->owner, &ignored);
    if (ckey)
        store_lease_release(b->st, "inbox", ckey, b->owner, &ignored);
    free(key);
    free(ckey);
    return rc < 0 ? -1 : 0;
}

static int take_one(struct run_state *b, const struct inbox_kind *k, const char *path, hcs_err *err)
{
    return take_files(b, k, path, NULL, err);
}

/* The two-file form: a houses file and its premises file (templates with
 * [join]).  Taken as one when neither was processed before; else the new
 * one goes on its own (a premises file then joins the houses the
 * registry knows). */
static int take_pair_claimed(struct run_state *b, const struct inbox_kind *k, const char *path, const char *sha,
                             const char *child, const char *csha, hcs_err *err)
{
    struct store_file f = { 0 }, fc = { 0 };
    int known = b->o->force ? 0 : store_file_find_hash(b->st, sha, k->template_name, &f, err);
    int cknown = b->o->force || known ? 0 : store_file_find_hash(b->st, csha, k->template_name, &fc, err);
    store_file_clear(&f);
    store_file_clear(&fc);
    if (known < 0 || cknown < 0)
        return -1;
    if (known || cknown) {
        int rc = take_one(b, k, path, err);
        return rc < 0 ? rc : take_one(b, k, child, err);
    }
    log_info("taking %s with %s (%s)", path, child, k->template_name);
    int rc = intake_take_pair(b->in, path, sha, child, csha, k->template_name, &f, &fc, err);
    if (rc == 2) {
        /* the chain, as in take_one */
        rc = run_chain(b, intake_needs(b->in), err);
        store_file_clear(&f);
        store_file_clear(&fc);
        intake_set_chain(b->in, 0);
        if (rc == 0)
            rc = intake_take_pair(b->in, path, sha, child, csha, k->template_name, &f, &fc, err);
        intake_set_chain(b->in, 1);
    }
    if (rc == 0 && (rc = archive_input(b->st, b->work, &f, b->run_id, err)) == 0)
        rc = archive_input(b->st, b->work, &fc, b->run_id, err);
    else if (rc == 1 && (rc = archive_reject(b->work, b->run_id, path, f.error, err)) == 0)
        rc = archive_reject(b->work, b->run_id, child, fc.error, err);
    if (rc == 3)
        rc = 0, b->elsewhere++; /* another worker took the pair over */
    store_file_clear(&f);
    store_file_clear(&fc);
    return rc;
}

/* partner[i]: the premises file taken with houses file i (its index), -1
 * none, -2 file i is itself taken with a houses file.  The i-th houses file
 * (name order) takes the i-th premises file. */
static int *pair_files(struct run_state *b, const struct inbox_kind *k, const char *dir, char **names, size_t n)
{
    if (!intake_template_joins(b->in, k->template_name))
        return NULL;            /* no file is opened for a kind that does not pair */
    int *partner = xcalloc(n + 1, sizeof *partner);
    int *role = xcalloc(n + 1, sizeof *role);
    for (size_t i = 0; i < n; i++) {
        char *path = path_join(dir, names[i]);
        role[i] = intake_join_role(b->in, path, k->template_name);
        free(path);
    }
    convert_join_pairs(role, partner, n);
    free(role);
    return partner;
}

/* A file that waits is said once a run, not at every scan of the wait. */
static void announce_waiting(struct run_state *b, const char *path, const char *waits_for)
{
    for (size_t i = 0; i < b->nannounced; i++)
        if (!strcmp(b->announced[i], path))
            return;
    b->announced = xrealloc(b->announced, (b->nannounced + 1) * sizeof *b->announced);
    b->announced[b->nannounced++] = xstrdup(path);
    log_info("%s waits for %s (packets not answered yet)", path, waits_for);
}

int run_scan_inbox(struct run_state *b, hcs_err *err)
{
    long settle = cfg_int(b->cfg, "input.settle_seconds", 5);
    int *waiting_kind = xcalloc(inbox_kind_count(), sizeof *waiting_kind);
    b->waiting = 0;
    for (const struct inbox_kind *k = inbox_kinds; k->cfg_key; k++) {
        char *dir = inbox_dir(b->cfg, b->work, k);
        if (!dir)
            continue;
        size_t n;
        char **names = inbox_list(dir, settle, &n);
        const char *waits_for = NULL;
        /* a store error here only means the files are taken now */
        int blocked = n ? inbox_must_wait(b->st, k, waiting_kind, &waits_for, NULL, err) : 0;
        int *partner = n > 1 && blocked <= 0 ? pair_files(b, k, dir, names, n) : NULL;
        int rc = 0;
        for (size_t i = 0; i < n; i++) {
            char *path = path_join(dir, names[i]);
            if (blocked > 0) {
                announce_waiting(b, path, waits_for);
                b->waiting++;
                waiting_kind[k - inbox_kinds] = 1;
            } else if (rc == 0 && partner && partner[i] >= 0) {
                char *child = path_join(dir, names[partner[i]]);
                rc = take_files(b, k, path, child, err);
                free(child);
            } else if (rc == 0 && !(partner && partner[i] == -2)) {
                rc = take_one(b, k, path, err);
            }
            free(path);
        }
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(partner);
        free(names);
        free(dir);
        if (rc < 0) {
            free(waiting_kind);
            return -1;
        }
    }
    free(waiting_kind);
    return 0;
}
