/* table_xlsx — the XLSX back end (work in progress: refuses XLSX for now). */
#include <stdio.h>

#include "read/table_impl.h"

void *xlsx_src_open(const char *path, const struct table_opts *opts, hcs_err *err)
{
    hcs_fail(err, HCS_EX_DATAERR, "%s: XLSX reading is not implemented yet", path);
    return NULL;
}

static int x_next(void *p, struct rowbuf *rb, hcs_err *err) { return 0; }
static int x_rewind(void *p, hcs_err *err) { return 0; }
static void x_close(void *p) { }
static void x_column_name(size_t col, char *out, size_t n) { snprintf(out, n, "column %zu", col); }

const struct table_backend xlsx_backend = {
    .format = "xlsx", .next = x_next, .rewind = x_rewind, .close = x_close,
    .column_name = x_column_name,
};
