#include "table_read.h"

#include "testutil.h"

table *tu_table_open_ok(const char *path, const struct table_opts *o)
{
    hcs_err err = { 0 };
    table *t = table_open(path, o, &err);
    if (!t)
        fail_msg("table_open: %s", err.msg);
    return t;
}

const struct table_row *tu_table_next_ok(table *t)
{
    hcs_err err = { 0 };
    const struct table_row *r = NULL;
    int rc = table_next(t, &r, &err);
    if (rc < 0)
        fail_msg("table_next: %s", err.msg);
    assert_int_equal(rc, 1);
    return r;
}

void tu_table_assert_end(table *t)
{
    hcs_err err = { 0 };
    const struct table_row *r;
    assert_int_equal(table_next(t, &r, &err), 0);
}
