/* hcsbatch convert — placeholder until its issue lands. */
#include <stdio.h>

#include "cli/cli.h"

CLI_COMMAND(convert)
{
    (void)cli; (void)argc; (void)argv;
    fprintf(stderr, "hcsbatch convert: not implemented yet\n");
    return HCS_EX_SOFTWARE;
}
