/* run_report — the report source (report/report.h) over the store: the
 * run, the files it took or whose packets were answered in it, every
 * source row with its outcome, packets by state.  `hcsbatch run` writes
 * the run's reports through it; `hcsbatch report` can use it for one file. */
#ifndef HCS_RUN_REPORT_H
#define HCS_RUN_REPORT_H

#include <stdint.h>

#include "base/config.h"
#include "base/err.h"
#include "exchange/exchange.h"
#include "report/report.h"
#include "sign/sign.h"
#include "store/store.h"

struct run_report_ctx {
    store *st;
    exchange *x;                 /* may be NULL (no live statistics) */
    const signer *signer;        /* the conversion's signer, or NULL (certificate days) */
    int64_t run_id;
    int64_t started;
    int64_t since;               /* a killed run's start: the files touched since then (0: started) */
    int64_t file_id;             /* 0 = the run's files; else only this file */
    int outage_only;             /* nothing new but an outage announced already (outage_notice.h) */
    char run_name[32];
    char failure[700];           /* the report's "сбой" line, kept for src */
    int debt_known;              /* the debt-request counts (run/debt.h) are set */
    long debt_open, debt_due_soon, debt_overdue;
};
/* Fills src to read from ctx (which must outlive src). */
void run_report_source(struct run_report_ctx *ctx, struct report_source *src);

/* Writes the run's XLSX report, errors.csv, metrics and notifications
 * (report_finish_run), then sweeps old files (retention). */
int run_report_write(const hcs_config *cfg, struct run_report_ctx *ctx, char **xlsx_path, char **errors_path,
                     hcs_err *err);

#endif
