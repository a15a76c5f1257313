/* hcsbatch report — placeholder until its issue lands. */
#include <stdio.h>

#include "cli/cli.h"

CLI_COMMAND(report)
{
    (void)cli; (void)argc; (void)argv;
    fprintf(stderr, "hcsbatch report: not implemented yet\n");
    return HCS_EX_SOFTWARE;
}
