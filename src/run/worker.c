/* worker — the claim/work/release loop of `hcsbatch worker` (worker.h). */
#include "run/worker.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

#include "base/log.h"
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

static int opt(int given, const hcs_config *cfg, const char *key, long dflt)
{
    return given > 0 ? given : (int)cfg_int(cfg, key, dflt);
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

/* --until-done: nothing pending and no inbox file left to anyone. */
static int done(struct run_state *b, int took, hcs_err *err)
{
    long pending = exchange_pending(b->x, err);
    if (pending < 0)
        return -1;
    return pending == 0 && !took && b->elsewhere == 0 && b->waiting == 0;
}

static void worker_close(struct run_state *b, int rc, long passes, hcs_err *err)
{
    if (b->run_id) {
        hcs_err ignored;
        char summary[200];
        snprintf(summary, sizeof summary, "worker %s: %ld passes", b->owner, passes);
        store_run_finish(b->st, b->run_id, rc == 0 ? 0 : (err->code ? err->code : HCS_EX_FAIL), summary, &ignored);
    }
    intake_free(b->in);
    exchange_free(b->x);
    store_close(b->st);
    free(b->work);
    for (size_t i = 0; i < b->nannounced; i++)
        free(b->announced[i]);
    free(b->announced);
}

int run_worker(const hcs_config *cfg, const struct worker_opts *o, struct worker_result *r, hcs_err *err)
{
    memset(r, 0, sizeof *r);
    umask(umask(0) | 027);       /* archives and envelopes hold personal data (as run does) */
    static const struct run_opts ro = { .command = "worker", .take_inbox = 1 };
    struct run_state b = { .cfg = cfg, .o = &ro };
    run_claims_init(&b, NULL);
    b.lease_seconds = opt(o->lease_seconds, cfg, "worker.lease_seconds", 300);
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    b.work = run_work_dir(cfg);
    int rc = -1;
    if (!(b.st = store_open(cfg, err)) || store_run_begin(b.st, "worker", &b.run_id, err) < 0)
        goto out;
    struct exchange_opts xo = { .cfg = cfg, .st = b.st, .run_id = b.run_id, .worker = b.owner,
                                .lease_seconds = b.lease_seconds,
                                .claim_limit = opt(o->claim_limit, cfg, "worker.claim_limit", 50) };
    long idle_ms = opt(o->idle_ms, cfg, "worker.idle_ms", 1000);
    if (!(b.x = exchange_new(&xo, err)))
        goto out;
    b.in = intake_new(cfg, b.st, b.run_id);
    intake_set_lease(b.in, NULL, b.owner, b.lease_seconds);   /* uploads claimed as this worker */
    log_info("worker %s: %s state database%s", b.owner, store_driver_name(b.st), o->no_inbox ? "" : ", inbox");
    while (!stopping) {
        long worked = 0;
        int inbox = o->no_inbox ? 0 : take_inbox(&b, err);
        if (inbox < 0 || exchange_cycle(b.x, &worked, err) < 0)
            goto out;
        r->passes++;
        if (o->once)
            break;
        int fin = o->until_done ? done(&b, inbox, err) : 0;
        if (fin < 0)
            goto out;
        if (fin)
            break;
        if (worked == 0 && !inbox)
            sleep_ms(idle_ms);
    }
    r->stats = *exchange_get_stats(b.x);
    r->intake = *intake_get_stats(b.in);
    r->pending = exchange_pending(b.x, err);
    rc = r->pending < 0 ? -1 : 0;
out:
    worker_close(&b, rc, r->passes, err);
    return rc;
}
