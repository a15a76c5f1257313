/* history — the accountant's workbook of metering-device readings: after
 * `hcsbatch sync history` has stored GIS's answers to
 * exportMeteringDeviceHistory in the registry (kind meter_value), the rows
 * of the houses asked for, each device named by its serial number (kinds
 * meter and meter_archived) and each resource by its НСИ 2 name.  Written
 * to <work>/<report.dir>/meter-history-<today>.xlsx.  Owned by src/run/. */
#ifndef HCS_RUN_HISTORY_H
#define HCS_RUN_HISTORY_H

#include <stddef.h>

#include "base/config.h"
#include "base/err.h"
#include "store/store.h"

/* houses: FIAS GUIDs (n = 0: every house).  *path NULL and *rows 0 when
 * the registry holds no reading of them (no workbook written).  Caller
 * frees *path. */
int run_history_workbook(const hcs_config *cfg, store *st, const char *work, const char *const *houses,
                         size_t nhouses, char **path, long *rows, hcs_err *err);

#endif
