/* lifecycle — a packet's life, in one place: its states (the strings the
 * store keeps), what each means, the state groups the scheduler selects by,
 * and the transition table every state change goes through.
 *
 *   created ──prepare──▶ prepared ──send──▶ (attempt on record) ──ack──▶ sent
 *   sent ──poll──▶ processing ──poll──▶ processing
 *   sent | processing ──finish──▶ done | done-with-warnings | failed
 *   prepared | deferred ──finish──▶ done | failed   (the Fault answering a send)
 *   prepared | deferred ──defer──▶ deferred      (maintenance, transient)
 *   prepared | deferred | sent | processing ──rebuild──▶ prepared
 *                                  (EXP001000 &c.: new MessageGUID)
 *   failed | deferred | done-with-warnings ──retry──▶ prepared   (operator)
 *   created | prepared | deferred ──cancel──▶ cancelled           (operator)
 *
 * A packet is born `created`; `prepare` moves all packets of a converted
 * file at once in the store (store_packets_move_file), the one change not
 * made packet by packet through lifecycle_apply().
 *
 * `sent` is set when GIS acknowledged the packet (the ack carries GIS's
 * MessageGUID) and no getState has said "still processing" yet; while a send
 * is only started, the packet stays prepared (or deferred) with its attempt
 * counted.
 *
 * This header is self-contained (it includes only base/): report/ and cli/
 * may include it to read state names and meanings without depending on the
 * rest of the exchange.  lifecycle_apply() is the exchange's; the others
 * only read. */
#ifndef HCS_LIFECYCLE_H
#define HCS_LIFECYCLE_H

#include "base/err.h"

/* The stored strings: existing databases hold exactly these. */
#define PS_CREATED "created"
#define PS_PREPARED "prepared"
#define PS_SENT "sent"
#define PS_PROCESSING "processing"
#define PS_DONE "done"
#define PS_WARNINGS "done-with-warnings"
#define PS_FAILED "failed"
#define PS_DEFERRED "deferred"
#define PS_CANCELLED "cancelled"

enum packet_state {
    PKT_CREATED,       /* its input file is being converted */
    PKT_PREPARED,      /* signed bytes in archive/, waiting to be sent */
    PKT_SENT,          /* acknowledged by GIS, no getState answer yet */
    PKT_PROCESSING,    /* GIS said "still processing"; polled on the schedule */
    PKT_DONE,
    PKT_WARNINGS,      /* processed; some elements rejected or unanswered */
    PKT_FAILED,
    PKT_DEFERRED,      /* held back (maintenance, transient error); sent again later */
    PKT_CANCELLED,
    PKT_STATE_COUNT
};

enum packet_event {
    PEV_PREPARE,       /* the whole input file converted */
    PEV_SEND,          /* a send attempt started (state unchanged) */
    PEV_ACK,           /* GIS acknowledged: its MessageGUID is known */
    PEV_POLL,          /* getState: still processing */
    PEV_REBUILD,       /* new MessageGUID, Date, signature; to be sent again */
    PEV_DONE,          /* finished: processed without errors (or nothing to do) */
    PEV_WARNINGS,      /* finished: processed, some elements failed */
    PEV_FAIL,          /* finished: the packet failed */
    PEV_DEFER,         /* send again later */
    PEV_RETRY,         /* operator: rebuild a finished or deferred packet */
    PEV_CANCEL,        /* operator: never send it */
    PEV_EVENT_COUNT
};

enum packet_group {
    PGROUP_PENDING,    /* not final: prepared sent processing deferred */
    PGROUP_TO_SEND,    /* prepared deferred */
    PGROUP_TO_POLL,    /* sent processing */
    PGROUP_FINAL,      /* done done-with-warnings failed cancelled */
    PGROUP_COUNT
};

/* Sentinel "to" of a table row whose event leaves the state as it is. */
#define PKT_SAME PKT_STATE_COUNT

struct lifecycle_transition {
    enum packet_event event;
    unsigned from;                 /* bit (1u << state) per state it is allowed from */
    enum packet_state to;          /* PKT_SAME: unchanged */
};
/* The table, one row per event, in enum order. */
extern const struct lifecycle_transition lifecycle_table[PEV_EVENT_COUNT];

/* NULL-terminated lists of the stored names, for store filters. */
extern const char *const packet_states_pending[];
extern const char *const packet_states_to_send[];
extern const char *const packet_states_to_poll[];
extern const char *const packet_states_final[];
extern const char *const packet_states_all[];

const char *lifecycle_state_name(enum packet_state s);          /* "done-with-warnings" */
/* -1 for a name that is no state. */
int lifecycle_state_parse(const char *name, enum packet_state *s);
const char *lifecycle_state_label_ru(enum packet_state s);      /* for the accountants' report */
const char *lifecycle_state_meaning(enum packet_state s);       /* English one line, for `status` */
const char *lifecycle_event_name(enum packet_event ev);
const char *const *lifecycle_group_states(enum packet_group g);
int lifecycle_in_group(enum packet_state s, enum packet_group g);

/* The state `ev` leads to from `from`; -1 when the table forbids it. */
int lifecycle_next(enum packet_state from, enum packet_event ev, enum packet_state *to);
/* By stored name (unknown names allow nothing). */
int lifecycle_allows(const char *state, enum packet_event ev);

/* The one way a packet's state changes: checks the table and sets
 * p->state.  An illegal transition is an internal error (HCS_EX_SOFTWARE)
 * and leaves p as it was. */
struct store_packet;
/* The check alone, for a change that must be refused before its side
 * effects (a rebuild signs and writes first). */
int lifecycle_check(const struct store_packet *p, enum packet_event ev, hcs_err *err);
int lifecycle_apply(struct store_packet *p, enum packet_event ev, hcs_err *err);
/* The packet's last error (NULL, NULL clears it). */
void lifecycle_set_error(struct store_packet *p, const char *code, const char *text);

#endif
