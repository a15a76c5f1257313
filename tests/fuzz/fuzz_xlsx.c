/* fuzz_xlsx — the XLSX side of the table reader (src/read/): the zip
 * package, workbook/relationships/shared strings/styles parts and the sheet
 * stream.  The input is the .xlsx file; limits are small so a zip bomb is
 * refused rather than inflated. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_table.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* table_open sends anything else to the CSV reader (fuzz_csv's job) */
    if (size < 4 || data[0] != 'P' || data[1] != 'K' || data[2] != 3 || data[3] != 4)
        return 0;
    const char *path = fuzz_as_file(data, size);
    struct table_opts opts = { .max_cell_bytes = 4096, .max_unzipped = 8u << 20,
                               .max_shared_strings = 1u << 20 };
    fuzz_table_read(path, &opts, 2000);
    /* a named sheet: the workbook's sheet lookup */
    opts.sheet = "Лицевые счета";
    fuzz_table_read(path, &opts, 2000);
    return 0;
}
