/* hcsbatch send — send the packets that are due (prepared, or deferred and
 * due again) without taking new files or polling. */
#include <stdio.h>
#include <string.h>

#include "cli/batch_cli.h"

static void usage(FILE *out)
{
    fputs("usage: hcsbatch send\n\n"
          "Sends every packet that is due: prepared packets, and deferred ones whose delay\n"
          "is over (lanes of one operation and house in order, [transport] in_flight at\n"
          "once).  Takes no inbox files and polls nothing ('hcsbatch poll' does).\n\n"
          "Exit codes: 0 ok, 65 packets failed, 69 GIS unreachable, 75 locked, 78 config.\n", out);
}

CLI_COMMAND(send)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        }
        return cli_usage_error("send", "unknown argument '%s'", argv[i]);
    }
    struct run_opts o = { .command = "send", .send = 1 };
    return cli_run_batch(cli, &o);
}
