/* report_bills — the accountant's workbook of payment documents as GIS
 * holds them (exportPaymentDocumentData): one row per document, sorted by
 * Номер ЛС and Номер ПД, withdrawn ones marked, a totals row.  Pure: the
 * caller (run/bills.c) reads the registry and hands the rows over. */
#ifndef HCS_REPORT_BILLS_H
#define HCS_REPORT_BILLS_H

#include <stddef.h>

#include "base/err.h"

struct bills_row {
    const char *account_number;  /* Номер ЛС, or NULL when the registry does not know it */
    const char *account_guid;
    const char *doc_number, *doc_id;   /* PaymentDocumentNumber, PaymentDocumentID */
    const char *period;          /* YYYY-MM */
    const char *total, *debt, *advance, *paid;   /* rubles as GIS wrote them, or NULL */
    int withdrawn;
};

/* Sorts rows and writes the workbook to path (path.tmp, then rename). */
int report_bills_workbook(const char *path, struct bills_row *rows, size_t n, hcs_err *err);

#endif
