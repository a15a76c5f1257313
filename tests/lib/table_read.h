/* table_read — src/read/table calls for the reader tests that fail the
 * test, with the reader's message, instead of returning an error. */
#ifndef HCS_TABLE_READ_H
#define HCS_TABLE_READ_H

#include "read/read.h"

table *tu_table_open_ok(const char *path, const struct table_opts *o);
const struct table_row *tu_table_next_ok(table *t);   /* there must be a next row */
void tu_table_assert_end(table *t);                    /* there must be none */

#endif
