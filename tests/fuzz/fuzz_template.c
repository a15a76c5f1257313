/* fuzz_template — the template loader (src/template/): map.ini (columns,
 * converters, conditions, grouping, splitting, keys) and the XML skeletons
 * compiled into ops.  The input is split at form feeds (0x0C) into
 * map.ini, request.xml, element.xml and, when there is a fourth part,
 * side.xml, written into one temporary template folder. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include <iniparser.h>

#include "base/xmlsafe.h"
#include "template/template.h"
#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[4200];
static hcs_config *cfg;      /* defaults only, as the program always has one */

static int quiet(const char *fmt, ...)
{
    (void)fmt;
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    xmlsafe_init();
    iniparser_set_error_callback(quiet);
    hcs_err err = { 0 };
    cfg = cfg_load(NULL, &err);
    snprintf(dir, sizeof dir, "%s/importFuzz", fuzz_tmpdir());
    if (mkdir(dir, 0700) != 0)
        perror(dir);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const files[] = { "map.ini", "request.xml", "element.xml", "side.xml" };
    for (int i = 0; i < 4; i++) {
        size_t len;
        const uint8_t *p = fuzz_part(data, size, '\f', i, &len);
        fuzz_put(dir, files[i], p, p ? len : (size_t)-1);
    }
    hcs_err err = { 0 };
    template *t = template_load(dir, cfg, &err);
    if (!t)
        return 0;
    (void)template_limit(t);
    (void)template_element_name(t);
    (void)template_var_index(t, "fias");
    template_free(t);
    return 0;
}
