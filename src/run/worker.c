/* worker — the claim/work/release loop of `hcsbatch worker` (worker.h). */
#include "run/worker.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
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
    exchange *x = NULL;
    int rc = -1;
    if (store_run_begin(st, "worker", &run_id, err) < 0)
        goto out;
    struct exchange_opts xo = { .cfg = cfg, .st = st, .run_id = run_id, .worker = owner,
                                .lease_seconds = opt(o->lease_seconds, cfg, "worker.lease_seconds", 300),
                                .claim_limit = opt(o->claim_limit, cfg, "worker.claim_limit", 50) };
    long idle_ms = opt(o->idle_ms, cfg, "worker.idle_ms", 1000);
    if (!(x = exchange_new(&xo, err)))
        goto out;
    log_info("worker %s: %s state database", owner, store_driver_name(st));
    while (!stopping) {
        long worked = 0;
        if (exchange_cycle(x, &worked, err) < 0)
            goto out;
        r->passes++;
        if (o->once)
            break;
        if (o->until_done) {
            long pending = exchange_pending(x, err);
            if (pending < 0)
                goto out;
            if (pending == 0)
                break;
        }
        if (worked == 0)
            sleep_ms(idle_ms);
    }
    r->stats = *exchange_get_stats(x);
    r->pending = exchange_pending(x, err);
    rc = r->pending < 0 ? -1 : 0;
out:
    if (run_id) {
        hcs_err ignored;
        char summary[200];
        snprintf(summary, sizeof summary, "worker %s: %ld passes", owner, r->passes);
        store_run_finish(st, run_id, rc == 0 ? 0 : (err->code ? err->code : HCS_EX_FAIL), summary, &ignored);
    }
    exchange_free(x);
    store_close(st);
    return rc;
}
