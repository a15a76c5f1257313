#include "testutil.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* Every directory tu_tmpdir made, removed with what is left in it when the
 * test program ends: a failed assertion skips the test's own clean-up, and
 * many tests leave their files for a look while they run. */
static char **made;
static size_t nmade;
static pid_t maker;

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb; (void)type; (void)ftw;
    remove(path);
    return 0;
}

static void remove_made(void)
{
    if (getpid() != maker)      /* a forked child's exit is not the test's end */
        return;
    for (size_t i = 0; i < nmade; i++) {
        nftw(made[i], remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(made[i]);
    }
    free(made);
    made = NULL;
    nmade = 0;
}

char *tu_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *tmpl = xasprintf("%s/hcs-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpl))
        fail_msg("mkdtemp failed");
    if (!maker) {
        maker = getpid();
        atexit(remove_made);
    }
    made = xrealloc(made, (nmade + 1) * sizeof *made);
    made[nmade++] = xstrdup(tmpl);
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
