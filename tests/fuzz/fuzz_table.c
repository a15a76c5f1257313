/* fuzz_table — see fuzz_table.h. */
#include "fuzz_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long read_pass(table *t, long max_rows, long *rows_seen, hcs_err *err)
{
    const struct table_row *r;
    long n = 0;
    int rc;
    while (n < max_rows && (rc = table_next(t, &r, err)) == 1) {
        if (r->ncells < table_header(t)->ncells)
            abort();                 /* data rows are padded to the header's width */
        for (size_t i = 0; i < r->ncells; i++)
            if (!r->cells[i])
                abort();
        if (rows_seen)
            rows_seen[n] = r->row;
        n++;
    }
    return n;
}

void fuzz_table_read(const char *path, const struct table_opts *opts, long max_rows)
{
    hcs_err err = { 0 };
    table *t = table_open(path, opts, &err);
    if (!t)
        return;
    const struct table_row *h = table_header(t);
    for (size_t i = 0; i < h->ncells; i++)
        free(header_normalize(h->cells[i]));
    long *rows = calloc((size_t)max_rows + 1, sizeof *rows);
    long n1 = read_pass(t, max_rows, rows, &err);
    if (table_rewind(t, &err) == 0) {
        const struct table_row *r;
        long n2 = 0;
        hcs_err err2 = { 0 };
        while (n2 < n1 && table_next(t, &r, &err2) == 1) {
            if (r->row != rows[n2])
                abort();             /* a second pass reads the same rows */
            n2++;
        }
        if (n2 != n1)
            abort();
    }
    free(rows);
    table_close(t);
}
