/* exchange — setup, the send/poll cycle and the operator actions.  Sending is in xsend.c, polling and results in
 * xpoll.c, what they share in xpacket.c and xrequest.c (exchange_impl.h). */
#include "exchange/exchange_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "base/xmlsafe.h"

exchange *exchange_new(const struct exchange_opts *o, hcs_err *err)
{
    exchange *x = xcalloc(1, sizeof *x);
    x->cfg = o->cfg;
    x->st = o->st;
    x->tr = o->tr;
    x->run_id = o->run_id;
    const char *base = cfg_str(o->cfg, "gis.base_url");
    size_t blen = base ? strlen(base) : 0;
    x->base_url = (blen && base[blen - 1] != '/') ? xasprintf("%s/", base) : xstrdup(base ? base : "");
    char *work = cfg_path(o->cfg, "paths.work_dir");
    x->archive_dir = path_join(work ? work : ".", "archive");
    free(work);
    x->horizon = cfg_int(o->cfg, "exchange.poll_horizon", 86400);
    x->transient_delay = cfg_int(o->cfg, "exchange.transient_delay", 300);
    x->maintenance_delay = cfg_int(o->cfg, "exchange.maintenance_delay", 1800);
    x->max_backoff = cfg_int(o->cfg, "exchange.max_backoff", 3600);
    x->give_up_after = cfg_int(o->cfg, "exchange.give_up_after", 0);
    if (o->worker) {
        x->worker = xstrdup(o->worker);
        x->lease_seconds = o->lease_seconds > 0 ? o->lease_seconds : 300;
        x->claim_limit = o->claim_limit > 0 ? o->claim_limit : 50;
        double rate = cfg_double(o->cfg, "transport.rate", 0);
        x->rate_interval_us = rate > 0 ? (int64_t)(1e6 / rate) : 0;
    }
    if (poll_schedule_parse(cfg_str(o->cfg, "exchange.poll_schedule"), &x->sched, err) < 0) {
        exchange_free(x);
        return NULL;
    }
    return x;
}

void exchange_free(exchange *x)
{
    if (!x)
        return;
    if (x->sg)
        signer_free(x->sg);
    if (x->own_tr)
        transport_free(x->tr);
    for (size_t i = 0; i < x->nlanes; i++)
        free(x->lanes[i].ids);
    free(x->lanes);
    free(x->ready);
    free(x->polls);
    free(x->base_url);
    free(x->archive_dir);
    free(x->worker);
    free(x);
}

const struct exchange_stats *exchange_get_stats(const exchange *x)
{
    return &x->stats;
}

/* ---- the cycle ---- */

struct collect {
    exchange *x;
    int polls;
};

static int collect_one(void *ctx, const struct store_packet *p)
{
    struct collect *c = ctx;
    exchange *x = c->x;
    if (c->polls) {
        ARRAY_GROW(x->polls, x->npolls, x->pcap);
        x->polls[x->npolls++] = p->id;
        return 0;
    }
    /* Packets come ordered by lane: a new lane starts when the name changes. */
    if (x->nlanes == 0 || strncmp(x->last_lane, p->lane ? p->lane : "", sizeof x->last_lane - 1) != 0) {
        ARRAY_GROW(x->lanes, x->nlanes, x->lcap);
        memset(&x->lanes[x->nlanes++], 0, sizeof x->lanes[0]);
        snprintf(x->last_lane, sizeof x->last_lane, "%s", p->lane ? p->lane : "");
    }
    struct lane *l = &x->lanes[x->nlanes - 1];
    ARRAY_GROW(l->ids, l->n, l->cap);
    l->ids[l->n++] = p->id;
    return 0;
}

static void reset_cycle(exchange *x)
{
    for (size_t i = 0; i < x->nlanes; i++)
        free(x->lanes[i].ids);
    x->nlanes = 0;
    x->npolls = x->pnext = 0;
    x->rhead = x->rtail = 0;
}

static int group_commit(void *ctx, hcs_err *err)
{
    exchange *x = ctx;
    if (store_commit(x->st, err) < 0)
        return -1;
    /* A rebuilt packet's new MessageGUID must survive a power cut before
     * it is sent (else a second rebuild could import it twice); everything
     * else here can be asked for again, so it is only committed. */
    if (x->need_full_sync && store_flush(x->st, err) < 0)
        return -1;
    x->need_full_sync = 0;
    return store_begin(x->st, err);
}

/* A worker's request waits for its slot of the rate all workers share. */
static int shared_rate_wait(exchange *x, hcs_err *err)
{
    if (!x->worker || x->rate_interval_us <= 0)
        return 0;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000, wait_us;
    if (store_rate_slot(x->st, "gis", now_us, x->rate_interval_us, &wait_us, err) < 0)
        return -1;
    if (wait_us > 0) {
        struct timespec d = { (time_t)(wait_us / 1000000), (long)(wait_us % 1000000) * 1000 };
        while (nanosleep(&d, &d) < 0 && errno == EINTR)
            ;
    }
    return 0;
}

static int feed(void *ctx, hcs_err *err)
{
    exchange *x = ctx;
    /* Alternate polls and sends so neither starves the other. */
    for (int tries = 0; tries < 2; tries++) {
        int rc = (x->feed_toggle++ & 1) ? x_feed_poll(x, err) : x_feed_send(x, err);
        if (rc == 1 && shared_rate_wait(x, err) < 0)
            return -1;
        if (rc != 0)
            return rc;
    }
    return 0;
}

int exchange_cert_days_left(const exchange *x)
{
    return x->sg ? signer_cert_days_left(x->sg) : -999999;
}

long exchange_transport_retries(const exchange *x)
{
    if (!x->tr)
        return 0;
    struct transport_stats s;
    transport_get_stats(x->tr, &s);
    return s.retries;
}

static int cycle(exchange *x, int send, int poll, long *worked, hcs_err *err);

int exchange_cycle(exchange *x, long *worked, hcs_err *err)
{
    return exchange_cycle_parts(x, 1, 1, worked, err);
}

/* A worker's claims for this cycle: its sends (whole lanes nobody else
 * holds) and its due polls.  0, or -1. */
static int claim(exchange *x, int send, int poll, int64_t now, hcs_err *err)
{
    int64_t *ids = xmalloc((size_t)x->claim_limit * sizeof *ids);
    struct store_claim c = { .owner = x->worker, .states = packet_states_to_send, .now = now,
                             .lease_seconds = x->lease_seconds, .limit = x->claim_limit, .lanes = 1 };
    int rc = 0;
    if (send && now >= x->hold_sends_until && store_packets_claim(x->st, &c, ids, err) < 0)
        rc = -1;
    c.states = packet_states_to_poll;
    c.due_before = now;
    c.lanes = 0;
    if (rc == 0 && poll && store_packets_claim(x->st, &c, ids, err) < 0)
        rc = -1;
    free(ids);
    return rc;
}

int exchange_cycle_parts(exchange *x, int send, int poll, long *worked, hcs_err *err)
{
    if (!x->worker)
        return cycle(x, send, poll, worked, err);
    if (claim(x, send, poll, x_now(), err) < 0)
        return -1;
    int rc = cycle(x, send, poll, worked, err);
    hcs_err ignored;
    if (store_packets_release(x->st, x->worker, 0, rc == 0 ? err : &ignored) < 0)
        rc = -1;
    return rc;
}

static int cycle(exchange *x, int send, int poll, long *worked, hcs_err *err)
{
    int64_t now = x_now();
    long before = x->stats.sends + x->stats.polls;
    reset_cycle(x);
    struct collect c = { x, 0 };
    /* Every packet still to send, due or not: a lane whose head is not due
     * yet (deferred) holds back the packets behind it.  A worker: only
     * the packets it claimed. */
    struct store_packet_filter f = { .states = packet_states_to_send, .lease_owner = x->worker };
    if (send && now >= x->hold_sends_until && store_packets_each(x->st, &f, collect_one, &c, err) < 0)
        return -1;
    c.polls = 1;
    f.states = packet_states_to_poll;
    f.due_before = now;
    if (poll && store_packets_each(x->st, &f, collect_one, &c, err) < 0)
        return -1;
    if (x->nlanes == 0 && x->npolls == 0) {
        if (worked)
            *worked = 0;
        return 0;
    }
    if (!x->tr) {
        if (!(x->tr = transport_new_from_config(x->cfg, err)))
            return -1;
        x->own_tr = 1;
    }
    x->rcap = x->nlanes + 1;
    x->ready = xrealloc(x->ready, x->rcap * sizeof *x->ready);
    for (size_t i = 0; i < x->nlanes; i++) {
        x->ready[x->rtail++] = i;
        x->lanes[i].queued = 1;
    }
    /* Group commit: the callbacks write into one open transaction that is
     * committed before each group of requests leaves (and at the end), so
     * a thousand acks cost one fsync, not a thousand.  A crash loses at most
     * answers that are asked for again (same MessageGUID, same ack).  A
     * worker commits each change by itself: a transaction open while
     * requests are in flight would hold the other workers' claims (SQLite:
     * the write lock). */
    int group = !x->worker;
    if ((group && store_set_full_sync(x->st, 0, err) < 0) || (group && store_begin(x->st, err) < 0))
        return -1;
    transport_set_feeder(x->tr, feed, x);
    if (group)
        transport_set_before_start(x->tr, group_commit, x);
    int rc = transport_run(x->tr, err);
    transport_set_feeder(x->tr, NULL, NULL);
    transport_set_before_start(x->tr, NULL, NULL);
    if (rc == 0)
        rc = store_commit(x->st, err);
    else
        store_rollback(x->st);
    if (store_set_full_sync(x->st, 1, rc == 0 ? err : NULL) < 0 || (rc == 0 && store_flush(x->st, err) < 0))
        rc = -1;
    x->need_full_sync = 0;
    if (worked)
        *worked = x->stats.sends + x->stats.polls - before;
    return rc;
}

long exchange_pending(exchange *x, hcs_err *err)
{
    return store_packets_count(x->st, packet_states_pending, NULL, err);
}

int64_t exchange_next_due(exchange *x, hcs_err *err)
{
    int64_t poll = store_packets_next_due(x->st, packet_states_to_poll, err);
    int64_t send = store_packets_next_due(x->st, packet_states_to_send, err);
    long n_send = store_packets_count(x->st, packet_states_to_send, NULL, err);
    if (n_send > 0 && send < x->hold_sends_until)
        send = x->hold_sends_until;
    long n_poll = store_packets_count(x->st, packet_states_to_poll, NULL, err);
    if (n_poll <= 0)
        return n_send > 0 ? send : 0;
    if (n_send <= 0)
        return poll;
    return poll < send ? poll : send;
}

/* ---- operator actions ---- */

int exchange_retry_packet(exchange *x, int64_t packet_id, hcs_err *err)
{
    struct store_packet p = { 0 };
    if (store_packet_get(x->st, packet_id, &p, err) < 0)
        return -1;
    int rc = -1;
    if (!lifecycle_allows(p.state, PEV_RETRY)) {
        hcs_fail(err, HCS_EX_DATAERR, "packet %lld is %s: only failed, deferred or done-with-warnings"
                 " packets can be retried", (long long)packet_id, p.state);
        goto out;
    }
    lifecycle_set_error(&p, NULL, NULL);
    p.attempts = 0;
    p.done_at = 0;
    p.unreachable_since = 0;     /* the operator's retry starts a new count toward give_up_after */
    if (store_begin(x->st, err) < 0)
        goto out;
    if (store_elements_reset_packet(x->st, p.id, err) < 0
        || x_rebuild(x, &p, PEV_RETRY, "operator retry", x_now(), err) < 0 || store_commit(x->st, err) < 0) {
        store_rollback(x->st);
        goto out;
    }
    rc = 0;
out:
    store_packet_clear(&p);
    return rc;
}

int exchange_cancel_packet(exchange *x, int64_t packet_id, hcs_err *err)
{
    struct store_packet p = { 0 };
    if (store_packet_get(x->st, packet_id, &p, err) < 0)
        return -1;
    int rc = -1;
    if (!lifecycle_allows(p.state, PEV_CANCEL)) {
        hcs_fail(err, HCS_EX_DATAERR, "packet %lld is %s: only packets GIS has not acknowledged"
                 " (prepared, deferred) can be cancelled", (long long)packet_id, p.state);
    } else if (!strcmp(p.state, PS_PREPARED) && p.attempts > 0) {
        hcs_fail(err, HCS_EX_DATAERR, "packet %lld: a send was started (%d attempts) and may have reached"
                 " GIS; run 'hcsbatch send' to learn its fate", (long long)packet_id, p.attempts);
    } else if (p.gis_message_guid[0]) {
        hcs_fail(err, HCS_EX_DATAERR, "packet %lld was acknowledged by GIS (%s): it cannot be cancelled",
                 (long long)packet_id, p.gis_message_guid);
    } else {
        rc = x_finish_packet(x, &p, PEV_CANCEL, "CANCELLED", "Пакет отменён оператором", err);
    }
    store_packet_clear(&p);
    return rc;
}
