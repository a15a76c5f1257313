/* lifecycle — the packet states, their groups and the transition table
 * (lifecycle.h).  The only code that writes a packet's state. */
#include "exchange/lifecycle.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "store/store.h"

#define BIT(s) (1u << (s))

static const struct {
    const char *name, *label_ru, *meaning;
} states[PKT_STATE_COUNT] = {
    [PKT_CREATED] = { PS_CREATED, "создан", "its input file is being converted" },
    [PKT_PREPARED] = { PS_PREPARED, "подготовлен", "signed and stored, waiting to be sent" },
    [PKT_SENT] = { PS_SENT, "отправлен", "acknowledged by GIS, waiting for the first getState" },
    [PKT_PROCESSING] = { PS_PROCESSING, "обрабатывается в ГИС", "GIS is processing it; polled on the schedule" },
    [PKT_DONE] = { PS_DONE, "обработан", "processed, every element answered" },
    [PKT_WARNINGS] = { PS_WARNINGS, "обработан с ошибками", "processed, some elements rejected or unanswered" },
    [PKT_FAILED] = { PS_FAILED, "сбой", "failed; 'hcsbatch retry' sends it again" },
    [PKT_DEFERRED] = { PS_DEFERRED, "отложен", "held back (maintenance, transient error); sent again later" },
    [PKT_CANCELLED] = { PS_CANCELLED, "отменён", "cancelled by the operator, never sent" },
};

static const char *const event_names[PEV_EVENT_COUNT] = {
    [PEV_PREPARE] = "prepare", [PEV_SEND] = "send", [PEV_ACK] = "ack", [PEV_POLL] = "poll",
    [PEV_REBUILD] = "rebuild", [PEV_DONE] = "finish-done", [PEV_WARNINGS] = "finish-warnings",
    [PEV_FAIL] = "fail", [PEV_DEFER] = "defer", [PEV_RETRY] = "retry", [PEV_CANCEL] = "cancel",
};

#define UNSENT (BIT(PKT_PREPARED) | BIT(PKT_DEFERRED))       /* a send may start */
#define ACKED (BIT(PKT_SENT) | BIT(PKT_PROCESSING))          /* GIS has it: polled */

const struct lifecycle_transition lifecycle_table[PEV_EVENT_COUNT] = {
    { PEV_PREPARE, BIT(PKT_CREATED), PKT_PREPARED },
    { PEV_SEND, UNSENT, PKT_SAME },
    /* The ack answers a send started from prepared or deferred. */
    { PEV_ACK, UNSENT, PKT_SENT },
    { PEV_POLL, ACKED, PKT_PROCESSING },
    /* EXP001000 answers the send; a final error in getState the result. */
    { PEV_REBUILD, UNSENT | ACKED, PKT_PREPARED },
    /* INT002012 (nothing to export) may already answer the send. */
    { PEV_DONE, UNSENT | ACKED, PKT_DONE },
    { PEV_WARNINGS, ACKED, PKT_WARNINGS },
    { PEV_FAIL, UNSENT | ACKED, PKT_FAILED },
    { PEV_DEFER, UNSENT, PKT_DEFERRED },
    { PEV_RETRY, BIT(PKT_FAILED) | BIT(PKT_DEFERRED) | BIT(PKT_WARNINGS), PKT_PREPARED },
    /* Only before GIS could have it; exchange_cancel_packet also refuses a
     * prepared packet whose send was started. */
    { PEV_CANCEL, BIT(PKT_CREATED) | UNSENT, PKT_CANCELLED },
};

const char *const packet_states_pending[] = { PS_PREPARED, PS_SENT, PS_PROCESSING, PS_DEFERRED, NULL };
const char *const packet_states_to_send[] = { PS_PREPARED, PS_DEFERRED, NULL };
const char *const packet_states_to_poll[] = { PS_SENT, PS_PROCESSING, NULL };
const char *const packet_states_final[] = { PS_DONE, PS_WARNINGS, PS_FAILED, PS_CANCELLED, NULL };
const char *const packet_states_all[] = { PS_CREATED, PS_PREPARED, PS_SENT, PS_PROCESSING, PS_DONE,
                                          PS_WARNINGS, PS_FAILED, PS_DEFERRED, PS_CANCELLED, NULL };

const char *lifecycle_state_name(enum packet_state s)
{
    return (unsigned)s < PKT_STATE_COUNT ? states[s].name : "?";
}

int lifecycle_state_parse(const char *name, enum packet_state *s)
{
    for (int i = 0; name && i < PKT_STATE_COUNT; i++)
        if (!strcmp(states[i].name, name)) {
            *s = (enum packet_state)i;
            return 0;
        }
    return -1;
}

const char *lifecycle_state_label_ru(enum packet_state s)
{
    return (unsigned)s < PKT_STATE_COUNT ? states[s].label_ru : "?";
}

const char *lifecycle_state_meaning(enum packet_state s)
{
    return (unsigned)s < PKT_STATE_COUNT ? states[s].meaning : "?";
}

const char *lifecycle_event_name(enum packet_event ev)
{
    return (unsigned)ev < PEV_EVENT_COUNT ? event_names[ev] : "?";
}

const char *const *lifecycle_group_states(enum packet_group g)
{
    switch (g) {
    case PGROUP_PENDING:
        return packet_states_pending;
    case PGROUP_TO_SEND:
        return packet_states_to_send;
    case PGROUP_TO_POLL:
        return packet_states_to_poll;
    case PGROUP_FINAL:
        return packet_states_final;
    case PGROUP_COUNT:
        break;
    }
    return NULL;
}

int lifecycle_in_group(enum packet_state s, enum packet_group g)
{
    const char *const *names = lifecycle_group_states(g);
    for (; names && *names; names++)
        if (!strcmp(*names, lifecycle_state_name(s)))
            return 1;
    return 0;
}

int lifecycle_next(enum packet_state from, enum packet_event ev, enum packet_state *to)
{
    if ((unsigned)ev >= PEV_EVENT_COUNT || (unsigned)from >= PKT_STATE_COUNT)
        return -1;
    const struct lifecycle_transition *t = &lifecycle_table[ev];
    if (!(t->from & BIT(from)))
        return -1;
    *to = t->to == PKT_SAME ? from : t->to;
    return 0;
}

int lifecycle_allows(const char *state, enum packet_event ev)
{
    enum packet_state from = PKT_STATE_COUNT, to;
    return lifecycle_state_parse(state, &from) == 0 && lifecycle_next(from, ev, &to) == 0;
}

/* The state the event leads the packet to; -1 with err filled when none. */
static int next_of(const struct store_packet *p, enum packet_event ev, enum packet_state *to, hcs_err *err)
{
    enum packet_state from = PKT_STATE_COUNT;
    if (lifecycle_state_parse(p->state, &from) < 0)
        return hcs_fail(err, HCS_EX_SOFTWARE, "packet %lld: unknown state \"%s\" (event %s)", (long long)p->id,
                        p->state ? p->state : "", lifecycle_event_name(ev));
    if (lifecycle_next(from, ev, to) < 0)
        return hcs_fail(err, HCS_EX_SOFTWARE, "packet %lld: %s is not allowed in state %s (internal error)",
                        (long long)p->id, lifecycle_event_name(ev), p->state);
    return 0;
}

int lifecycle_check(const struct store_packet *p, enum packet_event ev, hcs_err *err)
{
    enum packet_state to;
    return next_of(p, ev, &to, err);
}

int lifecycle_apply(struct store_packet *p, enum packet_event ev, hcs_err *err)
{
    enum packet_state to = PKT_STATE_COUNT;
    if (next_of(p, ev, &to, err) < 0)
        return -1;
    if (strcmp(p->state, states[to].name) != 0) {
        free(p->state);
        p->state = xstrdup(states[to].name);
    }
    return 0;
}

void lifecycle_set_error(struct store_packet *p, const char *code, const char *text)
{
    char *c = code ? xstrdup(code) : NULL, *t = text ? xstrdup(text) : NULL;
    free(p->error_code);
    free(p->error_text);
    p->error_code = c;
    p->error_text = t;
}
