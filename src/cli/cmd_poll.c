/* hcsbatch poll — getState for the packets that are due, storing results. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/batch_cli.h"

static void usage(FILE *out)
{
    fputs("usage: hcsbatch poll [--wait [--max-wait SECONDS]]\n\n"
          "Asks GIS (getState) about every acknowledged packet whose next poll time has\n"
          "come ([exchange] poll_schedule, poll_horizon) and stores the results: element\n"
          "outcomes by TransportGUID and the GIS ids in the registry.  Sends nothing.\n\n"
          "  --wait           keep polling until no acknowledged packet is waiting\n"
          "  --max-wait N     with --wait: give up after N seconds\n\n"
          "Exit codes: 0 ok, 65 packets failed or elements rejected, 69 GIS unreachable,\n"
          "75 locked, 78 config.\n", out);
}

CLI_COMMAND(poll)
{
    struct run_opts o = { .command = "poll", .poll = 1 };
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--wait")) {
            o.wait = 1;
        } else if (!strcmp(argv[i], "--max-wait") && i + 1 < argc) {
            o.max_wait_s = atol(argv[++i]);
        } else {
            return cli_usage_error("poll", "unknown argument '%s'", argv[i]);
        }
    }
    return cli_run_batch(cli, &o);
}
