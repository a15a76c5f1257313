/* fuzz_config — the INI configuration loader (src/base/config.c over
 * iniparser): the file is the input; every documented key is then read
 * the ways the program reads keys (string, integer, boolean, number,
 * path), and the [input] keys become table options as src/read/ takes them. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <iniparser.h>

#include "base/config.h"
#include "read/read.h"
#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int quiet(const char *fmt, ...)
{
    (void)fmt;
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    iniparser_set_error_callback(quiet);   /* iniparser prints syntax errors itself */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hcs_err err = { 0 };
    hcs_config *cfg = cfg_load(fuzz_as_file(data, size), &err);
    if (!cfg)
        return 0;
    for (const struct cfg_key *k = cfg_keys; k->name; k++) {
        int ok;
        hcs_err e = { 0 };
        (void)cfg_str(cfg, k->name);
        (void)cfg_long(cfg, k->name, &e, &ok);
        (void)cfg_int(cfg, k->name, -1);
        (void)cfg_bool(cfg, k->name);
        (void)cfg_double(cfg, k->name, 0.5);
        free(cfg_path(cfg, k->name));
    }
    struct table_opts opts;
    table_opts_from_config(cfg, &opts);
    /* an override wins over the file */
    hcs_err e = { 0 };
    if (cfg_override(cfg, "input.encoding=cp1251", &e) != 0)
        abort();
    const char *v = cfg_str(cfg, "input.encoding");
    if (!v || v[0] != 'c')
        abort();
    cfg_free(cfg);
    return 0;
}
