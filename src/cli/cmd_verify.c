/* hcsbatch verify — placeholder until its issue lands. */
#include <stdio.h>

#include "cli/cli.h"

CLI_COMMAND(verify)
{
    (void)cli; (void)argc; (void)argv;
    fprintf(stderr, "hcsbatch verify: not implemented yet\n");
    return HCS_EX_SOFTWARE;
}
