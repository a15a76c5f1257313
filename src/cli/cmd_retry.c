/* hcsbatch retry — placeholder until its issue lands. */
#include <stdio.h>

#include "cli/cli.h"

CLI_COMMAND(retry)
{
    (void)cli; (void)argc; (void)argv;
    fprintf(stderr, "hcsbatch retry: not implemented yet\n");
    return HCS_EX_SOFTWARE;
}
