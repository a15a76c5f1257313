/* hcsbatch run — the nightly run: lock, inbox, convert, sign, send, poll
 * what is due, reports, move files, exit with a code cron can act on.
 * A thin composition of run_batch (src/run/run.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/batch_cli.h"

static void usage(FILE *out)
{
    fputs("usage: hcsbatch [--org NAME]... run [--wait [--max-wait SECONDS]] [--force]\n\n"
          "One run of the batch: takes the lock (work_dir/run.lock), picks up complete files\n"
          "from the inbox folders ([inbox]; names ending .part/.tmp, dotfiles, ~$* and files\n"
          "changed within input.settle_seconds are left alone), converts and signs them into\n"
          "packets (each written to archive/packets/ and recorded before it is sent), sends\n"
          "what is due, polls getState for what is due ([exchange] poll_schedule), writes the\n"
          "run's reports and moves the files to archive/inputs/ or rejected/.\n"
          "Nothing waits in memory between runs: the next run polls what is due then.\n"
          "With several organisations ([org:NAME]) one run after the other, each in its own\n"
          "work_dir (its lock, inbox, archive, reports) and under its own orgPPAGUID: those\n"
          "given with --org (repeatable), by default every one.\n\n"
          "  --wait           keep polling until no packet is pending (sleeps until the next\n"
          "                   due time; for interactive use, tests and the demo)\n"
          "  --max-wait N     with --wait: stop after N seconds even if packets are pending\n"
          "  --force          take files whose content was already processed (sent again)\n\n"
          "Exit codes: 0 everything accepted, 65 rows or packets rejected/failed (see the\n"
          "report), 69 GIS unreachable (retried next run), 75 another run holds the lock,\n"
          "78 configuration error.\n", out);
}

CLI_COMMAND(run)
{
    struct run_opts o = { .command = "run", .take_inbox = 1, .send = 1, .poll = 1, .reports = 1 };
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--wait")) {
            o.wait = 1;
        } else if (!strcmp(argv[i], "--force")) {
            o.force = 1;
        } else if (!strcmp(argv[i], "--max-wait") && i + 1 < argc) {
            o.max_wait_s = atol(argv[++i]);
        } else {
            return cli_usage_error("run", "unknown argument '%s'", argv[i]);
        }
    }
    return cli_run_batch(cli, &o);
}
