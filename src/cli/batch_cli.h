/* batch_cli — what run, send and poll share: take the lock, one
 * run_batch pass, the summary on stdout, the exit code. */
#ifndef HCS_BATCH_CLI_H
#define HCS_BATCH_CLI_H

#include "cli/cli.h"
#include "run/run.h"

int cli_run_batch(struct cli *cli, const struct run_opts *o);

#endif
