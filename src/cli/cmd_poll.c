/* hcsbatch poll — placeholder until its issue lands. */
#include <stdio.h>

#include "cli/cli.h"

CLI_COMMAND(poll)
{
    (void)cli; (void)argc; (void)argv;
    fprintf(stderr, "hcsbatch poll: not implemented yet\n");
    return HCS_EX_SOFTWARE;
}
