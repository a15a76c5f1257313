/* debt — the run's side of the debt-request round trip (docs/debt-requests.md):
 * the export asking for the subrequests of the last debt.lookback_days, and
 * after the cycles the accountant's workbook of the open ones, built from
 * the registry (kind debt_subrequest).  The answers come back through the
 * inbox (inbox.debt_responses, template importResponses).  Owned by src/run/. */
#ifndef HCS_RUN_DEBT_H
#define HCS_RUN_DEBT_H

#include "base/config.h"
#include "base/err.h"
#include "exchange/exchange.h"
#include "report/report_debt.h"
#include "store/store.h"

/* 1 when debt.lookback_days asks the run to fetch subrequests. */
int run_debt_enabled(const hcs_config *cfg);
/* The exportDebtSubrequests request of this run (sending period: today
 * minus debt.lookback_days .. today); *out NULL when switched off, when
 * one is still pending, or when the last was asked for less than
 * debt.fetch_interval_hours ago (runs every few minutes ask once). */
int run_debt_export(const hcs_config *cfg, store *st, struct exchange_export **out, size_t *n,
                    hcs_err *err);
/* Remembers that the export was stored now (registry kind debt_fetch). */
int run_debt_mark_fetched(store *st, hcs_err *err);
/* Writes <work>/<debt.dir>/debt-requests-<today>.xlsx from the registry;
 * *path NULL when nothing is open (no workbook written).  Caller frees. */
int run_debt_workbook(const hcs_config *cfg, store *st, const char *work, char **path,
                      struct debt_counts *c, hcs_err *err);

#endif
