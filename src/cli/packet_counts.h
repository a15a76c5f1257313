/* packet_counts — packets by state, of the whole store or of one input
 * file: the one count `hcsbatch status [FILE]` prints and `hcsbatch report
 * FILE` puts on its summary, so the two always agree. */
#ifndef HCS_CLI_PACKET_COUNTS_H
#define HCS_CLI_PACKET_COUNTS_H

#include <stdint.h>

#include "base/err.h"
#include "report/report.h"
#include "store/store.h"

/* Calls fn(arg, state, count) for every lifecycle state with packets, in
 * lifecycle order; file_id 0 counts every packet.  fn returning non-zero
 * stops (-1). */
int packet_counts_each(store *st, int64_t file_id, report_state_fn fn, void *arg, hcs_err *err);

#endif
