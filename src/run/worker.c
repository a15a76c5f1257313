/* worker — the claim/work/release loop of `hcsbatch worker` (worker.h). */
#include "run/worker.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/xalloc.h"
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

static int opt(int given, const hcs_config *cfg, const char *key, long dflt)
{
    return given > 0 ? given : (int)cfg_int(cfg, key, dflt);
}

/* One exchange per organisation, all on one store connection. */
struct worker_org {
    const char *name;
    hcs_config *cfg;         /* its view, NULL: the configuration given */
    exchange *x;
};

static int orgs_open(const hcs_config *cfg, const struct worker_opts *o, store *st, int64_t run_id,
                     const char *owner, struct worker_org *w, int n, hcs_err *err)
{
    for (int i = 0; i < n; i++) {
        w[i].name = o->norgs ? o->orgs[i] : cfg_org(cfg);
        if (o->norgs && !(w[i].cfg = cfg_for_org(cfg, w[i].name, err)))
            return -1;
        const hcs_config *c = w[i].cfg ? w[i].cfg : cfg;
        struct exchange_opts xo = { .cfg = c, .st = st, .run_id = run_id, .worker = owner,
                                    .lease_seconds = opt(o->lease_seconds, cfg, "worker.lease_seconds", 300),
                                    .claim_limit = opt(o->claim_limit, cfg, "worker.claim_limit", 50) };
        store_set_org(st, w[i].name);
        if (!(w[i].x = exchange_new(&xo, err)))
            return -1;
    }
    return 0;
}

static void orgs_close(struct worker_org *w, int n)
{
    for (int i = 0; i < n; i++) {
        exchange_free(w[i].x);
        cfg_free(w[i].cfg);
    }
    free(w);
}

/* One pass over every organisation: *worked summed; 0 or -1. */
static int pass(store *st, struct worker_org *w, int n, long *worked, hcs_err *err)
{
    *worked = 0;
    for (int i = 0; i < n; i++) {
        long one = 0;
        store_set_org(st, w[i].name);
        if (exchange_cycle(w[i].x, &one, err) < 0)
            return -1;
        *worked += one;
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

/* Packets pending of every organisation, -1 on error; stats summed into *stats when not NULL. */
static long pending_all(store *st, struct worker_org *w, int n, struct exchange_stats *stats, hcs_err *err)
{
    long total = 0;
    for (int i = 0; i < n; i++) {
        store_set_org(st, w[i].name);
        long one = exchange_pending(w[i].x, err);
        if (one < 0)
            return -1;
        total += one;
        if (stats)
            stats_add(stats, exchange_get_stats(w[i].x));
    }
    return total;
}

int run_worker(const hcs_config *cfg, const struct worker_opts *o, struct worker_result *r, hcs_err *err)
{
    memset(r, 0, sizeof *r);
    char host[128] = "host", owner[160];
    gethostname(host, sizeof host - 1);
    snprintf(owner, sizeof owner, "%s:%ld", host, (long)getpid());
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    store *st = store_open(cfg, err);
    if (!st)
        return -1;
    int64_t run_id = 0;
    int n = o->norgs ? o->norgs : 1;
    struct worker_org *w = xcalloc((size_t)n, sizeof *w);
    int rc = -1;
    if (o->norgs)
        store_set_org(st, o->orgs[0]);
    if (store_run_begin(st, "worker", &run_id, err) < 0 || orgs_open(cfg, o, st, run_id, owner, w, n, err) < 0)
        goto out;
    long idle_ms = opt(o->idle_ms, cfg, "worker.idle_ms", 1000);
    log_info("worker %s: %s state database, %d organisation(s)", owner, store_driver_name(st), n);
    while (!stopping) {
        long worked = 0;
        if (pass(st, w, n, &worked, err) < 0)
            goto out;
        r->passes++;
        if (o->once)
            break;
        if (o->until_done) {
            long pending = pending_all(st, w, n, NULL, err);
            if (pending < 0)
                goto out;
            if (pending == 0)
                break;
        }
        if (worked == 0)
            sleep_ms(idle_ms);
    }
    r->pending = pending_all(st, w, n, &r->stats, err);
    rc = r->pending < 0 ? -1 : 0;
out:
    if (run_id) {
        hcs_err ignored;
        char summary[200];
        snprintf(summary, sizeof summary, "worker %s: %ld passes", owner, r->passes);
        store_run_finish(st, run_id, rc == 0 ? 0 : (err->code ? err->code : HCS_EX_FAIL), summary, &ignored);
    }
    orgs_close(w, n);
    store_close(st);
    return rc;
}
