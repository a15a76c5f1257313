/* report_metrics — the Prometheus textfile (node_exporter's textfile
 * collector) written after each run, and the signing certificate's days
 * to expiry that goes into it.  Names: docs/reports.md. */
#ifndef HCS_REPORT_METRICS_H
#define HCS_REPORT_METRICS_H

#include <time.h>

#include "base/strbuf.h"
#include "report/report.h"

struct metrics_state {           /* packets by state, as the source gave them */
    char **names;
    long *counts;
    size_t n, cap;
};
int metrics_states_collect(const struct report_source *src, struct metrics_state *ms, hcs_err *err);
void metrics_states_free(struct metrics_state *ms);

/* The exposition text (HELP/TYPE lines, one family after the other). */
void metrics_format(strbuf *out, const struct report_run *run, const struct report_totals *tot,
                    const struct metrics_state *states, time_t now);
/* Formats and writes path atomically (temp file + rename). */
int metrics_write(const char *path, const struct report_run *run, const struct report_totals *tot,
                  const struct metrics_state *states, time_t now, hcs_err *err);

/* Whole days from now until the PEM certificate's notAfter (negative when
 * expired). */
int report_cert_days_left(const char *pem_path, time_t now, long *days, hcs_err *err);

#endif
