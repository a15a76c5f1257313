/* policy — the pure rules of the exchange: the getState cadence and what
 * to do with each GIS error code (PROTOCOL.md, "Error policy").  No I/O;
 * exchange.c applies the decisions, the unit tests pin them down. */
#ifndef HCS_POLICY_H
#define HCS_POLICY_H

#include <stdint.h>

#include "base/err.h"

#define POLL_SCHEDULE_MAX 32

struct poll_schedule {
    long delays[POLL_SCHEDULE_MAX];   /* seconds; the last one repeats */
    int n;
};
/* "10,60,300,900,1800": non-negative integers, at least one. */
int poll_schedule_parse(const char *text, struct poll_schedule *s, hcs_err *err);
/* Delay before getState number `polls_done + 1` (0 = the first after the ack). */
long poll_schedule_delay(const struct poll_schedule *s, int polls_done);

/* What a GIS error means for the packet that got it. */
enum policy_action {
    POLICY_EMPTY_RESULT,   /* INT002012: nothing to export — done, not an error */
    POLICY_POLL_AGAIN,     /* still processing / transient answer to getState */
    POLICY_RETRY_LATER,    /* transient: send again after exchange.transient_delay */
    POLICY_REBUILD,        /* EXP001000: new MessageGUID, Date, signature, send again */
    POLICY_MAINTENANCE,    /* INT002029: send (or poll) again after maintenance_delay */
    POLICY_STOP_POLLING,   /* INT002013: GIS does not know the message — packet failed */
    POLICY_FAIL            /* AUT/FMT and everything else: packet failed, reported */
};

/* Where the code came from: a SOAP Fault answering our import/export call,
 * a SOAP Fault answering getState, or ErrorMessage inside a processed
 * getStateResult (RequestState 3). */
enum policy_context { POLICY_ON_SEND, POLICY_ON_POLL, POLICY_ON_RESULT };

/* Outages.  A transient failure (no answer, 5xx, reset, timeout, EXP001000
 * on a send) never fails a packet: it waits.  The wait before the next send
 * grows with the outage (as long as it has lasted so far, at least `base`)
 * and is capped at `cap` (0 = no cap). */
long policy_backoff(long base, long cap, int64_t outage_s);
/* 1 when a packet GIS has not answered since `since` is to be given up:
 * give_up_after > 0 (0 = never) and the outage is at least that old. */
int policy_give_up(long give_up_after, int64_t since, int64_t now);

enum policy_action policy_for_code(const char *code, enum policy_context where);
const char *policy_action_name(enum policy_action a);

#endif
