/* hcsbatch cancel — placeholder until its issue lands. */
#include <stdio.h>

#include "cli/cli.h"

CLI_COMMAND(cancel)
{
    (void)cli; (void)argc; (void)argv;
    fprintf(stderr, "hcsbatch cancel: not implemented yet\n");
    return HCS_EX_SOFTWARE;
}
