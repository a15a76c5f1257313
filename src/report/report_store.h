/* report_store — a report_source over the state store (src/store/store.h):
 * either the files of one run, or one input file (`hcsbatch report FILE`).
 * The only place where the report meets the store. */
#ifndef HCS_REPORT_STORE_H
#define HCS_REPORT_STORE_H

#include <stdint.h>
#include <time.h>

#include "report/report.h"
#include "store/store.h"

struct report_store_source {
    struct report_source src;    /* hand &src to the report writers */
    store *st;
    int64_t run_id;              /* files of this run (when file_id is 0) */
    int64_t file_id;             /* just this file, or 0 */
    struct report_run run;       /* what run() returns; strings owned here */
    char *run_label;
    char *failure;
};

/* A run's report: the files recorded with run_id.  started: when the run
 * began; failure: why it failed, or NULL when it did not.  Packets by state
 * and the oldest pending packet are over the whole store. */
int report_store_source_run(struct report_store_source *rs, store *st, int64_t run_id,
                            time_t started, const char *failure, hcs_err *err);
/* One input file's final state: packets by state and the oldest pending
 * packet are this file's. */
int report_store_source_file(struct report_store_source *rs, store *st, int64_t file_id,
                             hcs_err *err);
void report_store_source_clear(struct report_store_source *rs);

/* Finds the latest taken file matching `name`: its inbox path, archive
 * path or base name.  1 found (*file_id set), 0 not, -1 error. */
int report_store_find_file(store *st, const char *name, int64_t *file_id, hcs_err *err);

/* Store strings mapped to the report's outcomes (element state and the
 * state of its packet). */
enum report_outcome report_store_outcome(const char *element_state, const char *packet_state);
/* "2026-11-24T03:10:00+03:00", "…Z", "2026-11-24" → Unix time; 0 if unparsable. */
time_t report_parse_time(const char *s);

#endif
