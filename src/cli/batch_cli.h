/* batch_cli — what run, send and poll share: take the lock, one
 * run_batch pass, the summary on stdout, the exit code. */
#ifndef HCS_BATCH_CLI_H
#define HCS_BATCH_CLI_H

#include "cli/cli.h"
#include "run/run.h"

/* For each organisation selected (cli_orgs): its own lock, work_dir and
 * store scope.  The exit code is the first organisation's that is not 0. */
int cli_run_batch(struct cli *cli, const struct run_opts *o);

#endif
