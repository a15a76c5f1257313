/* fuzz_csv — the CSV side of the table reader (src/read/): delimiter and
 * encoding detection, libcsv's records turned into rows, Windows-1251
 * conversion, cell limits, rewind.  The input is the file. */
#include <stddef.h>
#include <stdint.h>

#include <csv.h>

#include "fuzz_table.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The reader asks libcsv to grow its field buffer in 1 MB steps; under ASan
 * every such block is a fresh mapping to fault in and poison (about 4 ms per
 * parser, 70 inputs/s in all).  This definition takes the place of libcsv's
 * own for this program: small steps, the same parse. */
void csv_set_blk_size(struct csv_parser *p, size_t size)
{
    (void)size;
    p->blk_size = 64;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* sniff_format picks XLSX for a zip: that is fuzz_xlsx's job */
    if (size >= 4 && data[0] == 'P' && data[1] == 'K' && data[2] == 3 && data[3] == 4)
        return 0;
    const char *path = fuzz_as_file(data, size);
    /* as shipped: everything detected */
    struct table_opts detect = { 0 };
    fuzz_table_read(path, &detect, 1000);
    /* forced encoding and delimiter, tiny cells: the conversion and the
     * too-long-cell problem paths */
    struct table_opts forced = { .encoding = "cp1251", .delimiter = ",", .max_cell_bytes = 8 };
    fuzz_table_read(path, &forced, 1000);
    return 0;
}
