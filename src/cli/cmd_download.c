/* hcsbatch download — placeholder until its issue lands. */
#include <stdio.h>

#include "cli/cli.h"

CLI_COMMAND(download)
{
    (void)cli; (void)argc; (void)argv;
    fprintf(stderr, "hcsbatch download: not implemented yet\n");
    return HCS_EX_SOFTWARE;
}
