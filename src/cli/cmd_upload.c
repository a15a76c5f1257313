/* hcsbatch upload — placeholder until its issue lands. */
#include <stdio.h>

#include "cli/cli.h"

CLI_COMMAND(upload)
{
    (void)cli; (void)argc; (void)argv;
    fprintf(stderr, "hcsbatch upload: not implemented yet\n");
    return HCS_EX_SOFTWARE;
}
