/* report_notify — after a run: a JSON summary POSTed to each URL of
 * notify.urls (X-API-Key from the variable named by notify.api_key_env)
 * and a Telegram Bot API message (notify.telegram_*), with retries, sent
 * through src/transport/ (a transport of their own: the [transport] TLS,
 * auth and rate settings are for GIS, not for these destinations).
 * A failed notification is a warning, never a failed run; secrets (API
 * key, bot token) and URL paths/queries never appear in the warnings. */
#ifndef HCS_REPORT_NOTIFY_H
#define HCS_REPORT_NOTIFY_H

#include <time.h>

#include "base/config.h"
#include "base/strbuf.h"
#include "report/report.h"
#include "report/report_metrics.h"

struct notify_summary {
    const struct report_run *run;
    const struct report_totals *tot;
    const struct metrics_state *packets;   /* may be NULL */
    const char *xlsx_path;                 /* may be NULL */
    const char *errors_csv_path;           /* may be NULL */
    time_t now;
};

/* 1 when notify.when asks for a notification about this run. */
int notify_wanted(const hcs_config *cfg, const struct notify_summary *s);
/* The JSON document sent to the URLs (documented in docs/reports.md). */
void notify_json(strbuf *out, const struct notify_summary *s);
/* The Russian text of the Telegram message. */
void notify_text(strbuf *out, const struct notify_summary *s);
/* Sends what notify.* configures.  Returns how many destinations got it;
 * problems are appended to warnings, one line each. */
int notify_send(const hcs_config *cfg, const struct notify_summary *s, strbuf *warnings);
/* 1 when notify.* names at least one destination (a URL, a Telegram token variable). */
int notify_destinations(const hcs_config *cfg);
/* An outage notice: the JSON (event outage_began / outage_ended) and the
 * Russian Telegram text (documented in docs/reports.md). */
void notify_outage_json(strbuf *out, const struct report_outage *o);
void notify_outage_text(strbuf *out, const struct report_outage *o);

#endif
