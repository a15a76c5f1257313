/* exchange_impl — what exchange.c (files, cycle), xsend.c (send, rebuild)
 * and xpoll.c (getState, results) share.  Not part of the contract. */
#ifndef HCS_EXCHANGE_IMPL_H
#define HCS_EXCHANGE_IMPL_H

#include <stddef.h>

#include "exchange/exchange.h"
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
    schema_set *schemas;
    signer *sg;                  /* opened when the first packet needs signing */
    int64_t run_id;
    char *base_url;
    char *archive_dir;           /* <work>/archive */
    struct poll_schedule sched;
    long horizon, transient_delay, maintenance_delay;
    int max_attempts;
    struct exchange_stats stats;
    int64_t hold_sends_until;    /* maintenance / unreachable: no sends before this */

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

int64_t x_now(void);
signer *x_signer(exchange *x, hcs_err *err);
/* Archive path for a packet's envelope: <archive>/packets/<op>-<guid>.xml. */
char *x_archive_path(exchange *x, const char *operation, const char *message_guid);
const struct gis_operation *x_op(const struct store_packet *p, hcs_err *err);
char *x_endpoint(exchange *x, const struct gis_operation *op);
/* Marks the packet and its pending elements final in one transaction. */
int x_finish_packet(exchange *x, struct store_packet *p, const char *state, const char *code,
                    const char *text, hcs_err *err);
void x_unreachable(exchange *x, const char *msg);
/* temp file + rename, no fsync (archive copies; see sync_archive). */
int x_write_unsynced(const char *path, const void *data, size_t len, hcs_err *err);
enum transport_verdict x_classify(void *ctx, const struct transport_response *answer);

/* xsend.c */
int x_feed_send(exchange *x, hcs_err *err);
/* New MessageGUID, Date and signature; old id recorded as abandoned.  The
 * packet becomes prepared, due at next_at. */
int x_rebuild(exchange *x, struct store_packet *p, const char *reason, int64_t next_at, hcs_err *err);

/* xpoll.c */
int x_feed_poll(exchange *x, hcs_err *err);

#endif
