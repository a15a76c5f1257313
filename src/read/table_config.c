/* table_config — the [input] configuration keys as table_opts. */
#include "read/read.h"

#include "base/config.h"

void table_opts_from_config(const struct hcs_config *cfg, struct table_opts *opts)
{
    opts->encoding = cfg_str(cfg, "input.encoding");
    opts->delimiter = cfg_str(cfg, "input.delimiter");
    long cell = cfg_int(cfg, "input.max_cell_bytes", 65536);
    opts->max_cell_bytes = cell > 0 ? (size_t)cell : 0;
    long mb = cfg_int(cfg, "input.max_unzipped_mb", 2048);
    opts->max_unzipped = mb > 0 ? (size_t)mb << 20 : 0;
}
