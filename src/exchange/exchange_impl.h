/* exchange_impl — what the exchange's files share.  Not part of the contract.
 *
 *   exchange.c  setup, the cycle (lanes, feeding, group commit), the
 *               operator actions
 *   xsend.c     sending a lane's head packet and reading the ack or Fault
 *   xpoll.c     getState and storing processed results
 *   xpacket.c   changes to one stored packet shared by the above: finish,
 *               rebuild; the signer and the archive
 *   xrequest.c  what every request to GIS needs: operation, endpoint,
 *               answer classification, "GIS unreachable"
 *   xregistry.c registry kinds and the converter's registry lookups
 *   xexport.c   export packets: creating them, storing their results in
 *               the registry
 *   xsync.c     the export requests `hcsbatch sync` asks for
 *   lifecycle.c the states and the transition table every change goes through
 *
 * Calls go one way: exchange.c → xsend.c | xpoll.c → xpacket.c | xrequest.c
 * → lifecycle.c; exchange.c's operator actions call xpacket.c directly;
 * xpoll.c asks xregistry.c which registry kind a result fills and hands
 * an export's result to xexport.c. */
#ifndef HCS_EXCHANGE_IMPL_H
#define HCS_EXCHANGE_IMPL_H

#include <stddef.h>
#include <time.h>

#include "exchange/exchange.h"
#include "exchange/lifecycle.h"
#include "exchange/policy.h"
#include "sign/sign.h"

/* A lane: packets of one operation and split value (house, period), sent in order. */
struct lane {
    int64_t *ids;
    size_t n, cap, next;
    int busy;                    /* its head is in flight */
    int dropped;                 /* stop this lane for the rest of the cycle */
    int queued;                  /* in the ready-lane queue */
};

struct exchange {
    const hcs_config *cfg;
    store *st;
    transport *tr;
    int own_tr;
    signer *sg;                  /* opened when the first packet needs signing */
    int64_t run_id;
    char *base_url;
    char *archive_dir;           /* <work>/archive */
    struct poll_schedule sched;
    long horizon, transient_delay, maintenance_delay;
    long max_backoff, give_up_after;   /* outages: policy_backoff, policy_give_up */
    struct exchange_stats stats;
    int64_t hold_sends_until;    /* maintenance / unreachable: no sends before this */
    char *worker;                /* lease owner, NULL: not a worker */
    int lease_seconds, claim_limit;
    int64_t rate_interval_us;    /* worker: one request per this, shared; 0 = no limit */

    /* the cycle being run */
    struct lane *lanes;
    size_t nlanes, lcap;
    size_t *ready;               /* queue of lane indexes */
    size_t rhead, rtail, rcap;
    int64_t *polls;
    size_t npolls, pcap, pnext;
    int feed_toggle;
    int need_full_sync;          /* a rebuild awaits its commit */
    char last_lane[512];
};

static inline int64_t x_now(void)
{
    return (int64_t)time(NULL);
}

/* xpacket.c */
signer *x_signer(exchange *x, hcs_err *err);
/* Finishes the packet (ev: PEV_DONE, PEV_FAIL or PEV_CANCEL) and its
 * pending elements in one transaction. */
int x_finish_packet(exchange *x, struct store_packet *p, enum packet_event ev, const char *code,
                    const char *text, hcs_err *err);
/* New MessageGUID, Date and signature; old id recorded as abandoned.  The
 * packet becomes prepared (ev: PEV_REBUILD or PEV_RETRY), due at next_at. */
int x_rebuild(exchange *x, struct store_packet *p, enum packet_event ev, const char *reason, int64_t next_at,
              hcs_err *err);

/* A processed answer (ev: PEV_DONE or PEV_WARNINGS) inside the caller's
 * transaction: the packet final, its answer counted, committed.  -1: the
 * caller rolls back. */
/* store_registry_put with the metering-device rules of xregistry.c. */
int x_registry_put(exchange *x, const struct store_registry_entry *e, hcs_err *err);
int x_commit_processed(exchange *x, struct store_packet *p, enum packet_event ev, hcs_err *err);

/* xrequest.c */
const struct gis_operation *x_op(const struct store_packet *p, hcs_err *err);
char *x_endpoint(exchange *x, const struct gis_operation *op);
enum transport_verdict x_classify(void *ctx, const struct transport_response *answer);
/* GIS did not answer: noted for the run, sends held back for transient_delay. */
void x_unreachable(exchange *x, const char *msg);
/* A send GIS did not answer (or answered "try later"): the packet waits,
 * deferred, with the outage's back-off; its first failure time is kept. */
int x_defer_send(exchange *x, struct store_packet *p, const char *code, const char *text, hcs_err *err);

/* xsend.c: starts the head packet of the next ready lane.  1 = submitted, 0 = nothing. */
int x_feed_send(exchange *x, hcs_err *err);
struct gis_state_result;
/* xexport.c: an export's processed result into the registry, the packet
 * done, in one transaction. */
int x_apply_export(exchange *x, struct store_packet *p, const struct gis_state_result *res, hcs_err *err);
/* The request body of page `page` of a paging export (xsync.c):
 * exportNsiPagingItem, exportDataProviderNsiPagingItem (split_value = the
 * registry number).  0, or -1 (err: HCS_EX_SOFTWARE for any other operation). */
int x_next_page_request(const char *operation, const char *split_value, int page, strbuf *body, hcs_err *err);

/* xpoll.c: starts the next due getState.  1 = submitted, 0 = nothing. */
int x_feed_poll(exchange *x, hcs_err *err);


#endif
