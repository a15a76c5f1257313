/* batch_cli — what run, send and poll share: take the lock, one
 * batch_run pass, the summary on stdout, the exit code. */
#ifndef HCS_BATCH_CLI_H
#define HCS_BATCH_CLI_H

#include "cli/cli.h"
#include "exchange/batch.h"

int cli_run_batch(struct cli *cli, const struct batch_opts *o);

#endif
