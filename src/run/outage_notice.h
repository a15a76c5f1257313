/* outage_notice — one notification when GIS stops answering, one when it
 * answers again, whatever the number of runs in between (cron every few
 * minutes during a night-long outage).
 *
 * The outage itself is in the store: packets still pending with
 * unreachable_since set (the exchange sets it on a transient send or
 * poll failure and clears it when GIS answers).  Which notice went out is the
 * store mark "outage_notice": the start of the outage announced, 0 =
 * none.  A run that finds an outage and no mark announces it; a run that
 * finds no outage and a mark announces the end.  The mark changes only
 * when a destination got the notice (or none is configured), so a notice
 * that could not be delivered is tried again by the next run.  Owned by
 * src/run/ (report/ sends, it never sees the store). */
#ifndef HCS_OUTAGE_NOTICE_H
#define HCS_OUTAGE_NOTICE_H

#include "base/config.h"
#include "exchange/exchange.h"
#include "store/store.h"

#define OUTAGE_NOTICE_MARK "outage_notice"

/* Sends the notice due now, if any (problems are logged, never fatal).
 * Returns 1 when an outage is going on and was announced (the run's own
 * notification need not repeat it), else 0. */
int outage_notice_update(const hcs_config *cfg, store *st, const struct exchange_stats *xs);

#endif
