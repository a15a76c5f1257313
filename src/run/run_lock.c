/* run_lock — the run lock (see run_lock.h). */
#include "run/run_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "run/run.h"

int run_lock(const hcs_config *cfg, hcs_err *err)
{
    char *work = run_work_dir(cfg);
    if (mkdir_p(work, err) < 0) {
        free(work);
        return -1;
    }
    char *path = path_join(work, "run.lock");
    free(work);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        hcs_fail(err, HCS_EX_CANTCREAT, "%s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        if (e == EWOULDBLOCK)
            hcs_fail(err, HCS_EX_TEMPFAIL, "another hcsbatch run holds %s; try again later", path);
        else
            hcs_fail(err, HCS_EX_OSERR, "%s: %s", path, strerror(e));
        free(path);
        return -1;
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) == 0 && write(fd, pid, (size_t)n) < 0)
        log_debug("cannot record the pid in %s", path);
    free(path);
    return fd;
}

void run_unlock(int fd)
{
    if (fd >= 0)
        close(fd);
}
