/* report_store — small helpers where the report meets the state store
 * (src/store/store.h): finding an input file for `hcsbatch report FILE`,
 * mapping store states to report outcomes, parsing GIS dates.  The
 * report_source over the store is run_report.h.  Part of run/: the report
 * itself (src/report/) never sees the store. */
#ifndef HCS_REPORT_STORE_H
#define HCS_REPORT_STORE_H

#include <stdint.h>
#include <time.h>

#include "report/report.h"
#include "store/store.h"

/* Finds the latest taken file matching `name`: its inbox path, archive
 * path, or base name.  1 found (*file_id set), 0 not, -1 error. */
int report_store_find_file(store *st, const char *name, int64_t *file_id, hcs_err *err);

/* Element state + its packet's state → outcome:
 * accepted → принято; rejected → отклонено до отправки; error, failed,
 * cancelled → ошибка; deferred → отложено; pending in a packet that is
 * processing → ожидает ответа ГИС, sent → отправлено, created / prepared /
 * deferred (not sent yet) → отложено. */
enum report_outcome report_store_outcome(const char *element_state, const char *packet_state);
/* "2026-11-24T03:10:00+03:00", "…Z", "…" (UTC), "2026-11-24" → Unix time;
 * 0 when unparsable (for report_row.updated from store_row_outcome.update_date). */
time_t report_parse_time(const char *s);

#endif
