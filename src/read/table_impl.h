/* table_impl — what the format back ends (CSV, XLSX) share with table.c.
 *
 * A back end produces raw rows into a rowbuf: every row including empty
 * ones, with its spreadsheet row number.  table.c finds the header, skips
 * empty data rows, pads rows to the header's width and formats problems.
 * Internal to src/read/. */
#ifndef HCS_TABLE_IMPL_H
#define HCS_TABLE_IMPL_H

#include <stddef.h>

#include "base/err.h"
#include "base/utf8.h"
#include "base/strbuf.h"
#include "read/read.h"

#define TABLE_MAX_COLUMNS 16384          /* Excel's own limit (XFD) */

/* One row's cells, packed into one buffer (each cell NUL-terminated). */
struct rowbuf {
    strbuf text;
    size_t *offs;                /* start of each cell in text */
    size_t n, cap;
    long row;
    size_t max_cell;             /* longer (trimmed) cells become "" + problem */
    size_t problem_col;          /* 1-based column of the first problem, 0 = none */
    char problem[160];           /* its reason */
};

void rb_init(struct rowbuf *rb, size_t max_cell);
void rb_begin(struct rowbuf *rb, long row);
/* Appends one cell: surrounding spaces (also tabs, newlines, NBSP) trimmed,
 * length checked against max_cell. */
void rb_add(struct rowbuf *rb, const char *s, size_t len);
/* Appends a cell rb_add already trimmed and checked (a row kept in a queue
 * and given out later). */
void rb_add_clean(struct rowbuf *rb, const char *s, size_t len);
/* Records the first problem of the row; later ones are dropped. */
void rb_problem(struct rowbuf *rb, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int rb_is_empty(const struct rowbuf *rb);
const char *rb_cell(const struct rowbuf *rb, size_t i);
void rb_free(struct rowbuf *rb);

/* A format back end.  next: 1 = a row in rb, 0 = end, -1 = error.
 * rewind: start again from the first row of the file. */
struct table_backend {
    const char *format;
    int (*next)(void *src, struct rowbuf *rb, hcs_err *err);
    int (*rewind)(void *src, hcs_err *err);
    void (*close)(void *src);
    /* "column 5" (CSV) or "column E" (XLSX): how problems name a column. */
    void (*column_name)(size_t col, char *out, size_t n);
    /* How far through the file reading is, 0..1 (-1 unknown): for progress. */
    double (*fraction)(void *src);
};

extern const struct table_backend csv_backend;
extern const struct table_backend xlsx_backend;

void *csv_src_open(const char *path, const struct table_opts *opts, hcs_err *err);
void *xlsx_src_open(const char *path, const struct table_opts *opts, hcs_err *err);


#endif
