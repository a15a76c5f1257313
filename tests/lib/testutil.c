#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "base/xalloc.h"

const char *tu_schemas_dir(void)
{
    const char *d = getenv("SCHEMAS_DIR");
    return d && *d ? d : "../shared/hcs-wsdl-12.2.2.15";
}

const char *tu_top(void)
{
    const char *d = getenv("HCS_TOP");
    return d && *d ? d : ".";
}

char *tu_path(const char *rel) { return xasprintf("%s/%s", tu_top(), rel); }

char *tu_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *tmpl = xasprintf("%s/hcs-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpl))
        fail_msg("mkdtemp failed");
    return tmpl;
}

void tu_write(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

void tu_write_str(const char *path, const char *text) { tu_write(path, text, strlen(text)); }

int tu_run(const char *cmd)
{
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
