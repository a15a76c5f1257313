#include "base/datadir.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/xalloc.h"

#ifndef HCS_DATADIR
#define HCS_DATADIR "/usr/local/share/hcsbatch"
#endif

/* <exe dir>/../share/hcsbatch, or NULL when the executable is unknown. */
static char *datadir_beside_exe(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    return xasprintf("%s/../share/hcsbatch", exe);
}

char *datadir_find(const char *rel)
{
    char *beside = datadir_beside_exe();
    const char *roots[] = { HCS_DATADIR, beside };
    char *found = NULL;
    for (size_t i = 0; i < sizeof roots / sizeof roots[0] && !found; i++) {
        if (!roots[i])
            continue;
        char *p = path_join(roots[i], rel);
        if (file_exists(p))
            found = p;
        else
            free(p);
    }
    free(beside);
    return found;
}
