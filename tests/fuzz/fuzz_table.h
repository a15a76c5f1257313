/* fuzz_table — the table-reader drive both table harnesses share (CSV and
 * XLSX go through the same table API).  Test code only. */
#ifndef HCS_FUZZ_TABLE_H
#define HCS_FUZZ_TABLE_H

#include "read/read.h"

/* Opens path with opts, reads every row, rewinds and reads them again; the
 * second pass must give the same row numbers (abort otherwise).  Header
 * cells also go through header_normalize().  Reads at most max_rows per pass. */
void fuzz_table_read(const char *path, const struct table_opts *opts, long max_rows);

#endif
