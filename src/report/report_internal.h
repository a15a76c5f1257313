/* report_internal — helpers shared by the report writers (not for other
 * stages): the copied file list, sheet names, UTF-8 text cleaning. */
#ifndef HCS_REPORT_INTERNAL_H
#define HCS_REPORT_INTERNAL_H

#include <stddef.h>

#include <xlsxwriter.h>

#include "report/report.h"

/* A workbook written to PATH.tmp (*tmp) and renamed to path by
 * workbook_finish when it closed well (report_workbook.c).  begin: NULL +
 * err on failure; finish closes wb, frees tmp: 0, or -1 (err). */
lxw_workbook *workbook_begin(const char *path, char **tmp, hcs_err *err);
int workbook_finish(lxw_workbook *wb, char *tmp, const char *path, hcs_err *err);

/* One input file as the report keeps it (copied from the source). */
struct rfile {
    struct report_file f;        /* strings point into the copies below */
    char *path, *operation, *key_title;
    long counts[REPORT_OUTCOME_COUNT];
    long listed;                 /* rows seen */
};

struct rfiles {
    struct rfile *items;
    size_t n, cap;
};

/* Calls src->files and copies the list, sorted by path. */
int rfiles_collect(const struct report_source *src, struct rfiles *out, hcs_err *err);
void rfiles_free(struct rfiles *fl);

/* Characters (not bytes) in a UTF-8 string. */
size_t utf8_chars(const char *s);
/* A copy fit for a spreadsheet cell: C0 control characters other than
 * tab/newline become U+FFFD (CR is dropped), invalid UTF-8 bytes too, and at most max_bytes
 * bytes (cut on a character boundary).  Caller frees. */
char *cell_text(const char *s, size_t max_bytes);

/* Worksheet names: ≤ 31 characters, none of []:*?/\, not starting or
 * ending with an apostrophe, unique ignoring case (ASCII and Cyrillic).
 * `taken` holds the names given so far; the new name is appended to it. */
struct sheet_names {
    char **names;
    size_t n, cap;
};
const char *sheet_name_make(struct sheet_names *taken, const char *wanted);
void sheet_names_free(struct sheet_names *sn);
/* The sheet name of an input file: its base name with the extension
 * (accounts.csv and accounts.xlsx stay apart); past 31 characters the stem
 * is cut, the extension kept. */
const char *sheet_name_for_file(struct sheet_names *taken, const char *path);

/* A run's duration for the accountant: "3 мин 07 с", "1 ч 02 мин 03 с". */
char *duration_text(long seconds);

/* Base name of a path without its extension; caller frees. */
char *file_stem(const char *path);

#endif
