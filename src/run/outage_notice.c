/* outage_notice — GIS outage begin/end notices, once each (outage_notice.h). */
#include "run/outage_notice.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "report/report.h"

/* Sends o; 1 when it reached a destination or there is none, else 0. */
static int announce(const hcs_config *cfg, const struct report_outage *o)
{
    int destinations = 0;
    char *warnings = NULL;
    int delivered = report_notify_outage(cfg, o, &destinations, &warnings);
    for (const char *line = warnings, *nl; line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        log_warn("outage notice: %.*s", nl ? (int)(nl - line) : (int)strlen(line), line);
    }
    free(warnings);
    if (destinations && !delivered)
        return 0;
    log_info("outage notice sent: GIS %s", o->ended ? "answers again" : "unreachable");
    return 1;
}

int outage_notice_update(const hcs_config *cfg, store *st, const struct exchange_stats *xs)
{
    hcs_err err = { 0 };
    int64_t since = store_packets_unreachable_since(st, packet_states_pending, &err);
    int64_t noticed = 0;
    if (since < 0 || store_mark_get(st, OUTAGE_NOTICE_MARK, &noticed, &err) < 0) {
        log_warn("outage notice: %s", err.msg);
        return 0;
    }
    if (since > 0 && noticed)
        return 1;                           /* announced already */
    if (since == 0 && !noticed)
        return 0;                           /* no outage, nothing announced */
    struct report_outage o = { .ended = since == 0, .since = (time_t)(since ? since : noticed),
                               .until = time(NULL) };
    if (!o.ended) {
        o.waiting = store_packets_count(st, packet_states_pending, NULL, &err);
        o.detail = xs && xs->unreachable ? xs->unreachable_msg : NULL;
    } else {
        o.still_down = xs && xs->unreachable;    /* the packets were given up, GIS is silent */
    }
    if (!announce(cfg, &o))
        return 0;
    if (store_mark_put(st, OUTAGE_NOTICE_MARK, o.ended ? 0 : since, &err) < 0) {
        log_warn("outage notice: %s", err.msg);
        return 0;
    }
    return !o.ended;
}
