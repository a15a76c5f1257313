/* hcsbatch send — placeholder until its issue lands. */
#include <stdio.h>

#include "cli/cli.h"

CLI_COMMAND(send)
{
    (void)cli; (void)argc; (void)argv;
    fprintf(stderr, "hcsbatch send: not implemented yet\n");
    return HCS_EX_SOFTWARE;
}
