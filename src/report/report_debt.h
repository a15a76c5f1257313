/* report_debt — the accountant's debt-request workbook: one row per open
 * subrequest (sorted by deadline, overdue rows marked), the columns the
 * importResponses template reads back (templates/importResponses/map.ini),
 * drop-down lists for Задолженность and the document type.  Pure: the
 * caller (run/debt.c) reads the registry and hands the rows over. */
#ifndef HCS_REPORT_DEBT_H
#define HCS_REPORT_DEBT_H

#include <stddef.h>

#include "base/err.h"

struct debt_row {
    const char *guid, *number, *org, *address;
    const char *from, *to;         /* period asked about, YYYY-MM-DD */
    const char *sent, *deadline;   /* YYYY-MM-DD */
};

struct debt_counts {
    long open;                     /* rows written */
    long due_soon;                 /* deadline within 2 working days (overdue ones included) */
    long overdue;                  /* deadline before today */
};

/* today + n working days (Saturdays and Sundays skipped; public holidays
 * are not known), as YYYY-MM-DD.  -1 for a bad date. */
int debt_add_working_days(const char *today, int n, char out[11]);
/* Counts over rows (not sorted). */
void debt_count(const struct debt_row *rows, size_t n, const char *today, struct debt_counts *c);
/* Sorts rows by deadline and writes the workbook to path (atomically:
 * path.tmp then rename).  doc_types: the names of НСИ 358 for the drop-down
 * (may be empty: the column is free text then). */
int report_debt_workbook(const char *path, struct debt_row *rows, size_t n, const char *today,
                         const char *const *doc_types, size_t ntypes, struct debt_counts *c,
                         hcs_err *err);

#endif
