/* worker — the claim/work/release loop of `hcsbatch worker` (worker.h). */
#include "run/worker.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "run/run_impl.h"
#include "store/store.h"

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static void sleep_ms(long ms)
{
    struct timespec d = { ms / 1000, (ms % 1000) * 1000000L };
    while (!stopping && nanosleep(&d, &d) < 0 && errno == EINTR)
        ;
}

/* A pass that failed because the state database was busy (another
 * worker's long transaction, e.g. a big file's conversion on SQLite, past
 * store.busy_timeout_ms) is tried again at the next pass, for up to the
 * lease: what the pass had claimed is still the worker's until then, and
 * every change it made was committed on its own.  1: try again (err
 * cleared), 0: give up with err. */
static int busy_waited_out(hcs_err *err, int64_t *since, int lease_seconds)
{
    int64_t now = (int64_t)time(NULL);
    if (err->code != HCS_EX_TEMPFAIL || stopping || (*since && now - *since >= lease_seconds))
        return 0;
    if (!*since) {
        log_warn("%s; trying again at each pass for up to %d s", err->msg, lease_seconds);
        *since = now;
    }
    *err = (hcs_err){ 0 };
    return 1;
}

static int opt(int given, const hcs_config *cfg, const char *key, long dflt)
{
    return given > 0 ? given : (int)cfg_int(cfg, key, dflt);
}

/* One organisation the worker serves: its view of the configuration (NULL:
 * the one given), its work directory, exchange and intake, all on the
 * worker's one store connection (switched with store_set_org). */
struct worker_org {
    const char *name;
    hcs_config *view;
    struct run_state b;
};

static const struct run_opts worker_run_opts = { .command = "worker", .take_inbox = 1 };

static int org_open(const hcs_config *cfg, const struct worker_opts *o, store *st, int64_t run_id,
                    struct worker_org *w, hcs_err *err)
{
    if (o->norgs && !(w->view = cfg_for_org(cfg, w->name, err)))
        return -1;
    struct run_state *b = &w->b;
    b->cfg = w->view ? w->view : cfg;
    b->o = &worker_run_opts;
    b->st = st;
    b->run_id = run_id;
    run_claims_init(b, NULL);
    b->lease_seconds = opt(o->lease_seconds, cfg, "worker.lease_seconds", 300);
    b->work = run_work_dir(b->cfg);
    struct exchange_opts xo = { .cfg = b->cfg, .st = st, .run_id = run_id, .worker = b->owner,
                                .lease_seconds = b->lease_seconds,
                                .claim_limit = opt(o->claim_limit, cfg, "worker.claim_limit", 50) };
    store_set_org(st, w->name);
    if (!(b->x = exchange_new(&xo, err)))
        return -1;
    b->in = intake_new(b->cfg, st, run_id);
    intake_set_lease(b->in, NULL, b->owner, b->lease_seconds);   /* uploads claimed as this worker */
    return 0;
}

static void org_close(struct worker_org *w)
{
    struct run_state *b = &w->b;
    intake_free(b->in);
    exchange_free(b->x);
    free(b->work);
    for (size_t i = 0; i < b->nannounced; i++)
        free(b->announced[i]);
    free(b->announced);
    cfg_free(w->view);
}

/* The inbox half of a pass: every complete file nobody else holds,
 * claimed and converted (scan.c).  1 when it took a file, 0 when not
 * (b->elsewhere: files other workers hold), -1 on error. */
static int take_inbox(struct run_state *b, hcs_err *err)
{
    long taken = intake_get_stats(b->in)->files_taken + intake_get_stats(b->in)->files_rejected;
    long dup = b->duplicates;
    b->elsewhere = 0;
    if (run_scan_inbox(b, err) < 0)
        return -1;
    const struct intake_stats *s = intake_get_stats(b->in);
    return s->files_taken + s->files_rejected > taken || b->duplicates > dup;
}

/* One pass over every organisation: its inbox (unless no_inbox), then
 * its packets.  *busy: some file taken or request made; *done (for
 * --until-done): nothing pending and no inbox file left to anyone. */
static int pass(store *st, struct worker_org *w, int n, int no_inbox, int *busy, int *done, hcs_err *err)
{
    *busy = 0;
    *done = 1;
    for (int i = 0; i < n; i++) {
        struct run_state *b = &w[i].b;
        store_set_org(st, w[i].name);
        long worked = 0;
        int took = no_inbox ? 0 : take_inbox(b, err);
        if (took < 0 || exchange_cycle(b->x, &worked, err) < 0)
            return -1;
        long pending = exchange_pending(b->x, err);
        if (pending < 0)
            return -1;
        *busy |= took || worked > 0;
        *done &= pending == 0 && !took && b->elsewhere == 0 && b->waiting == 0;
    }
    return 0;
}

static void stats_add(struct exchange_stats *to, const struct exchange_stats *s)
{
    to->sends += s->sends, to->acks += s->acks, to->polls += s->polls, to->rebuilds += s->rebuilds;
    to->done += s->done, to->warnings += s->warnings, to->failed += s->failed, to->deferred += s->deferred;
    to->elements_accepted += s->elements_accepted, to->elements_error += s->elements_error;
    to->maintenance |= s->maintenance;
    to->registry_entries += s->registry_entries;
    if (s->unreachable && !to->unreachable) {
        to->unreachable = 1;
        memcpy(to->unreachable_msg, s->unreachable_msg, sizeof to->unreachable_msg);
    }
}

static void intake_stats_add(struct intake_stats *to, const struct intake_stats *s)
{
    to->files_taken += s->files_taken, to->files_rejected += s->files_rejected;
    to->rows += s->rows, to->rows_rejected += s->rows_rejected;
    to->packets_prepared += s->packets_prepared;
}

/* Every organisation's results summed into r; pending packets, -1 on error. */
static long results(store *st, struct worker_org *w, int n, struct worker_result *r, hcs_err *err)
{
    long total = 0;
    for (int i = 0; i < n; i++) {
        store_set_org(st, w[i].name);
        long one = exchange_pending(w[i].b.x, err);
        if (one < 0)
            return -1;
        total += one;
        stats_add(&r->stats, exchange_get_stats(w[i].b.x));
        intake_stats_add(&r->intake, intake_get_stats(w[i].b.in));
    }
    return total;
}

int run_worker(const hcs_config *cfg, const struct worker_opts *o, struct worker_result *r, hcs_err *err)
{
    memset(r, 0, sizeof *r);
    umask(umask(0) | 027);       /* archives and envelopes hold personal data (as run does) */
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    store *st = store_open(cfg, err);
    if (!st)
        return -1;
    int64_t run_id = 0;
    int n = o->norgs ? o->norgs : 1, opened = 0;
    struct worker_org *w = xcalloc((size_t)n, sizeof *w);
    for (int i = 0; i < n; i++)
        w[i].name = o->norgs ? o->orgs[i] : cfg_org(cfg);
    int rc = -1;
    store_set_org(st, w[0].name);
    if (store_run_begin(st, "worker", &run_id, err) < 0)
        goto out;
    for (; opened < n; opened++)
        if (org_open(cfg, o, st, run_id, &w[opened], err) < 0) {
            opened++;
            goto out;
        }
    long idle_ms = opt(o->idle_ms, cfg, "worker.idle_ms", 1000);
    log_info("worker %s: %s state database, %d organisation(s)%s", w[0].b.owner, store_driver_name(st), n,
             o->no_inbox ? "" : ", inbox");
    int64_t busy_since = 0;
    while (!stopping) {
        int busy = 0, done = 0;
        if (pass(st, w, n, o->no_inbox, &busy, &done, err) < 0) {
            if (!busy_waited_out(err, &busy_since, w[0].b.lease_seconds))
                goto out;
            sleep_ms(idle_ms);
            continue;
        }
        busy_since = 0;
        r->passes++;
        if (o->once || (o->until_done && done))
            break;
        if (!busy)
            sleep_ms(idle_ms);
    }
    r->pending = results(st, w, n, r, err);
    rc = r->pending < 0 ? -1 : 0;
out:
    if (run_id) {
        hcs_err ignored;
        char summary[200];
        snprintf(summary, sizeof summary, "worker %s: %ld passes", w[0].b.owner[0] ? w[0].b.owner : "?",
                 r->passes);
        store_set_org(st, w[0].name);
        store_run_finish(st, run_id, rc == 0 ? 0 : (err->code ? err->code : HCS_EX_FAIL), summary, &ignored);
    }
    for (int i = 0; i < opened; i++)
        org_close(&w[i]);
    free(w);
    store_close(st);
    return rc;
}
