/* chain — exports a file needs before it converts (needs.h: houses,
 * meters of a house, organisations) are stored as packets and sent and
 * polled in this run until answered (GIS unreachable or in maintenance,
 * or the poll horizon, ends the wait), before the file is taken again
 * (see intake.h). */
#include "run/run_impl.h"

#include <stdlib.h>
#include <time.h>

#include "base/log.h"
#include "base/xalloc.h"

/* Packets among ids not final yet. */
static long still_open(store *st, const int64_t *ids, size_t n, hcs_err *err)
{
    long open = 0;
    for (size_t i = 0; i < n; i++) {
        struct store_packet p = { 0 };
        enum packet_state s;
        if (store_packet_get(st, ids[i], &p, err) < 0)
            return -1;
        if (lifecycle_state_parse(p.state, &s) == 0 && lifecycle_in_group(s, PGROUP_PENDING))
            open++;
        store_packet_clear(&p);
    }
    return open;
}

static void pause_until(int64_t when)
{
    int64_t now = (int64_t)time(NULL);
    struct timespec ts = { 0, 200 * 1000 * 1000 };
    if (when > now)
        ts = (struct timespec){ (time_t)(when - now), 0 };
    nanosleep(&ts, NULL);
}

/* The exports of every need, stored as packets; their ids appended to ids. */
static int add_exports(struct run_state *b, const chain_needs *needs, int64_t **ids, size_t *nids,
                       hcs_err *err)
{
    for (int w = 0; w < NEED_COUNT; w++) {
        struct exchange_sync_ask ask = { .what = chain_need_what[w] };
        ask.keys = needs_keys(needs, (enum chain_need)w, &ask.nkeys);
        struct exchange_export *v = NULL;
        size_t n = 0;
        if (!ask.nkeys)
            continue;
        for (size_t i = 0; i < ask.nkeys; i++)
            log_info("chain: %s %s unknown to the registry: exported first", chain_need_what[w], ask.keys[i]);
        if (exchange_sync_exports(&ask, &v, &n, err) < 0)
            return -1;
        *ids = xrealloc(*ids, (*nids + n) * sizeof **ids);
        int rc = 0;
        for (size_t i = 0; rc == 0 && i < n; i++)
            rc = exchange_add_export(b->x, &v[i], &(*ids)[(*nids)++], err);
        exchange_exports_free(v, n);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int run_chain(struct run_state *b, const chain_needs *needs, hcs_err *err)
{
    int64_t *ids = NULL;
    size_t n = 0;
    int rc = -1;
    if (add_exports(b, needs, &ids, &n, err) < 0)
        goto out;
    int64_t deadline = (int64_t)time(NULL) + cfg_int(b->cfg, "exchange.poll_horizon", 86400) + 60;
    for (;;) {
        long worked = 0;
        if (exchange_cycle(b->x, &worked, err) < 0)
            goto out;
        long open = still_open(b->st, ids, n, err);
        if (open < 0)
            goto out;
        if (open == 0)
            break;
        /* GIS unreachable, in maintenance (sends held back for hours) or
         * past the horizon: the file converts with what the registry
         * knows; the exports are sent when GIS is back. */
        const struct exchange_stats *xs = exchange_get_stats(b->x);
        if (xs->unreachable || xs->maintenance || (int64_t)time(NULL) >= deadline) {
            log_warn("chain: %ld export(s) not answered; rows of keys still unknown are rejected", open);
            break;
        }
        /* the file's claim is kept while it waits (a poll may be due in 30 min) */
        if (intake_keep_lease(b->in, err) < 0)
            goto out;
        int64_t next = exchange_next_due(b->x, err), now = (int64_t)time(NULL);
        int every = intake_lease_interval(b->in);
        if (every && next > now + every)
            next = now + every;
        if (worked == 0 || next > now)
            pause_until(next);
    }
    rc = 0;
out:
    free(ids);
    return rc;
}
