/* hcsbatch status — placeholder until its issue lands. */
#include <stdio.h>

#include "cli/cli.h"

CLI_COMMAND(status)
{
    (void)cli; (void)argc; (void)argv;
    fprintf(stderr, "hcsbatch status: not implemented yet\n");
    return HCS_EX_SOFTWARE;
}
