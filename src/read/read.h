/* read — a source table (CSV or XLSX export) read row by row.
 *
 * The reader picks the format from the content (zip magic → XLSX, else
 * CSV), finds the header (the first non-empty row) and then hands out data
 * rows one at a time; nothing but the current row is held in memory.
 * Cell text is UTF-8 with surrounding spaces trimmed; XLSX dates come out
 * as "YYYY-MM-DD" (date-time as "YYYY-MM-DDThh:mm:ss"), numbers in their
 * shortest decimal form at Excel's 15 significant digits (no exponent),
 * booleans as "1"/"0", error cells as their text ("#N/A"), time-only
 * cells as "hh:mm:ss".  Empty data rows are skipped; row numbers are the
 * spreadsheet's (a CSV record with a quoted newline is one row).
 * Owned by src/read/.
 * May call: base/. */
#ifndef HCS_READ_H
#define HCS_READ_H

#include <stddef.h>

#include "base/err.h"

typedef struct table table;

struct table_opts {
    const char *encoding;      /* CSV: "auto" (default), "utf-8", "cp1251" */
    const char *delimiter;     /* CSV: "auto" (default), ";", ",", "tab", "semicolon", "comma" */
    const char *sheet;         /* XLSX: sheet name; NULL = the first worksheet */
    size_t max_cell_bytes;     /* longer cells are an error for that row; 0 = 65536 */
    size_t max_unzipped;       /* XLSX: total inflated bytes allowed; 0 = 2 GiB */
    size_t max_shared_strings; /* XLSX: bytes of shared-string text held in memory; 0 = 256 MiB */
    int two_passes;            /* XLSX: table_rewind will follow a full read; pass 1's rows are
                                  kept in a temporary file so pass 2 does not parse the sheet again */
};

/* The [input] keys (input.encoding, input.delimiter, input.max_cell_bytes,
 * input.max_unzipped_mb) → opts.  The strings point into cfg. */
struct hcs_config;
void table_opts_from_config(const struct hcs_config *cfg, struct table_opts *opts);

struct table_row {
    long row;                  /* row number as a spreadsheet shows it (header row = its own number) */
    size_t ncells;             /* data rows: at least the header's ncells (padded with "") */
    char **cells;              /* ncells strings, never NULL ("" for empty) */
    const char *problem;       /* non-NULL: this row could not be read fully (e.g. a cell too long,
                                  invalid encoding); the message names the column */
    const char *problem_column; /* with problem: the column's header text, or its letter/number
                                   when the header has none there */
    int problem_whole;         /* with problem: it is the whole reason for refusing the row (a
                                  feed's verdict, not a reading error) */
    const char *problem_value; /* with problem_whole: the value refused, or NULL */
};

/* A table joined from two files (packet/join.c) numbers the second file's
 * rows with this bit set; everything that shows or stores a row number
 * splits it with the two helpers. */
#define TABLE_ROW_SECOND ((long)1 << 40)
static inline int table_row_file(long row) { return (row & TABLE_ROW_SECOND) != 0; }
static inline long table_row_number(long row) { return row & ~TABLE_ROW_SECOND; }

/* Opens the file and reads up to and including the header row.
 * Errors: HCS_EX_NOINPUT (the file cannot be read as a whole: cannot open,
 * empty, not a zip / truncated workbook, zip bomb), HCS_EX_DATAERR (not a
 * table, no header). */
table *table_open(const char *path, const struct table_opts *opts, hcs_err *err);
const struct table_row *table_header(const table *t);
/* 1 = *row valid until the next call, 0 = end of file, -1 = fatal error (err). */
int table_next(table *t, const struct table_row **row, hcs_err *err);
/* Starts again after the header (a second pass over the same file). */
int table_rewind(table *t, hcs_err *err);
/* How far through the file the rows read so far go, 0..1, or -1 when the
 * reader cannot tell (for a progress estimate, not exact). */
double table_fraction(const table *t);
const char *table_format(const table *t);       /* "csv" | "xlsx" | "feed" */
const char *table_path(const table *t);
void table_close(table *t);

/* A table whose rows come from a feed instead of a file (a join of two
 * files, packet/join.c).  The feed owns its rows and header; the table
 * only forwards (path names it in messages). */
struct table_feed {
    void *ctx;
    const struct table_row *(*header)(void *ctx);
    int (*next)(void *ctx, const struct table_row **row, hcs_err *err);   /* as table_next */
    int (*rewind)(void *ctx, hcs_err *err);
};
table *table_open_feed(const char *path, const struct table_feed *feed);

/* Header matching as INPUT-FORMATS.md says: case-insensitive, surrounding
 * and repeated inner spaces ignored, ё = е.  Writes the normalized form
 * (lowercase UTF-8) into a new string; caller frees. */
char *header_normalize(const char *name);

#endif
