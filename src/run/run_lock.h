/* run_lock — one nightly run at a time: flock on <work_dir>/run.lock
 * (the pid written inside for the operator).  Owned by src/run/. */
#ifndef HCS_RUN_LOCK_H
#define HCS_RUN_LOCK_H

#include "base/config.h"
#include "base/err.h"

/* Returns the fd (keep it open), or -1: HCS_EX_TEMPFAIL when another run
 * holds it. */
int run_lock(const hcs_config *cfg, hcs_err *err);
void run_unlock(int fd);

#endif
