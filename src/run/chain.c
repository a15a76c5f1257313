/* chain — exports a file needs before it converts: the houses its rows
 * name that the registry knows nothing of are exported (exportHouseData)
 * in this run, sent and polled until answered or the poll horizon, before
 * the file is taken again (see intake.h). */
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

int run_chain_houses(struct run_state *b, const char *const *houses, size_t n, hcs_err *err)
{
    int64_t *ids = xcalloc(n ? n : 1, sizeof *ids);
    int rc = -1;
    for (size_t i = 0; i < n; i++) {
        log_info("house %s is not in the registry: exportHouseData first", houses[i]);
        if (exchange_add_house_export(b->x, houses[i], &ids[i], err) < 0)
            goto out;
    }
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
        /* GIS unreachable or past the horizon: the file converts with
         * what the registry knows; its export is sent by a later run. */
        if (exchange_get_stats(b->x)->unreachable || (int64_t)time(NULL) >= deadline) {
            log_warn("%ld house export(s) not answered; rows of unknown houses are rejected", open);
            break;
        }
        int64_t next = exchange_next_due(b->x, err);
        if (worked == 0 || next > (int64_t)time(NULL))
            pause_until(next);
    }
    rc = 0;
out:
    free(ids);
    return rc;
}
