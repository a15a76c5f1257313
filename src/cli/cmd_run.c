/* hcsbatch run — placeholder until its issue lands. */
#include <stdio.h>

#include "cli/cli.h"

CLI_COMMAND(run)
{
    (void)cli; (void)argc; (void)argv;
    fprintf(stderr, "hcsbatch run: not implemented yet\n");
    return HCS_EX_SOFTWARE;
}
