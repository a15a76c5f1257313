/* bills — the payment-document report: `hcsbatch sync bills --xlsx` writes
 * the documents exportPaymentDocumentData returned for a billing month (the
 * registry's payment_document entries the export stored, with their attrs:
 * src/soap/export_parse.c) as the accountant's workbook
 * (report/report_bills.h).  Owned by src/run/. */
#ifndef HCS_RUN_BILLS_H
#define HCS_RUN_BILLS_H

#include <stddef.h>

#include "base/err.h"
#include "store/store.h"

/* Writes the workbook of period (YYYY-MM) to path: the exported documents
 * of the accounts account_guids[0..n) (n = 0: of every account).  *rows:
 * documents written.  0 or -1 (err). */
int run_bills_workbook(store *st, const char *period, const char *const *account_guids, size_t n,
                       const char *path, long *rows, hcs_err *err);

#endif
