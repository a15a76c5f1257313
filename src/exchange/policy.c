/* policy — getState cadence and the GIS error policy table. */
#include "exchange/policy.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

int poll_schedule_parse(const char *text, struct poll_schedule *s, hcs_err *err)
{
    s->n = 0;
    const char *p = text ? text : "";
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!isdigit((unsigned char)*p))
            return hcs_fail(err, HCS_EX_CONFIG,
                            "exchange.poll_schedule: expected seconds separated by commas, got '%s'", text);
        char *end;
        long v = strtol(p, &end, 10);
        if (s->n >= POLL_SCHEDULE_MAX)
            return hcs_fail(err, HCS_EX_CONFIG, "exchange.poll_schedule: more than %d delays",
                            POLL_SCHEDULE_MAX);
        s->delays[s->n++] = v;
        p = end;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == ',')
            p++;
        else if (*p)
            return hcs_fail(err, HCS_EX_CONFIG,
                            "exchange.poll_schedule: expected seconds separated by commas, got '%s'", text);
    }
    if (s->n == 0)
        return hcs_fail(err, HCS_EX_CONFIG, "exchange.poll_schedule is empty");
    return 0;
}

long poll_schedule_delay(const struct poll_schedule *s, int polls_done)
{
    if (s->n == 0)
        return 0;
    if (polls_done < 0)
        polls_done = 0;
    return s->delays[polls_done < s->n ? polls_done : s->n - 1];
}

long policy_backoff(long base, long cap, int64_t outage_s)
{
    long d = base > 0 ? base : 0;
    if (outage_s > d)
        d = outage_s > LONG_MAX ? LONG_MAX : (long)outage_s;
    if (cap > 0 && d > cap)
        d = cap;
    return d;
}

int policy_give_up(long give_up_after, int64_t since, int64_t now)
{
    return give_up_after > 0 && since > 0 && now - since >= give_up_after;
}

static int starts(const char *code, const char *prefix)
{
    return !strncmp(code, prefix, strlen(prefix));
}

enum policy_action policy_for_code(const char *code, enum policy_context where)
{
    if (!code)
        return POLICY_FAIL;
    if (!strcmp(code, "INT002012"))
        return where == POLICY_ON_POLL ? POLICY_POLL_AGAIN : POLICY_EMPTY_RESULT;
    if (!strcmp(code, "INT002013"))
        return POLICY_STOP_POLLING;
    if (!strcmp(code, "INT002029"))
        return POLICY_MAINTENANCE;
    if (!strcmp(code, "EXP001000"))
        /* A getState that hit an internal error is simply asked again; the
         * message itself failing needs a rebuild (resending the same signed
         * message loops forever). */
        return where == POLICY_ON_POLL ? POLICY_POLL_AGAIN : POLICY_REBUILD;
    if (!strcmp(code, "INT002018"))
        return where == POLICY_ON_SEND ? POLICY_RETRY_LATER : POLICY_POLL_AGAIN;
    if (!strcmp(code, "EXP002001") || !strcmp(code, "EXP002002") || !strcmp(code, "EXP002003")
        || !strcmp(code, "INT003001"))
        /* Transient.  A processed message keeps its failed result under its
         * MessageGUID, so resending means a rebuild with a new one. */
        return where == POLICY_ON_POLL ? POLICY_POLL_AGAIN
               : where == POLICY_ON_RESULT ? POLICY_REBUILD : POLICY_RETRY_LATER;
    if (starts(code, "AUT") || starts(code, "FMT"))
        return POLICY_FAIL;
    return POLICY_FAIL;
}

const char *policy_action_name(enum policy_action a)
{
    switch (a) {
    case POLICY_EMPTY_RESULT: return "empty-result";
    case POLICY_POLL_AGAIN: return "poll-again";
    case POLICY_RETRY_LATER: return "retry-later";
    case POLICY_REBUILD: return "rebuild";
    case POLICY_MAINTENANCE: return "maintenance";
    case POLICY_STOP_POLLING: return "stop-polling";
    case POLICY_FAIL: return "fail";
    }
    return "?";
}
