/* hcsbatch worker — one of several workers sharing a state database:
 * claims packets with a lease, sends and polls them (src/run/worker.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "run/worker.h"

static void usage(FILE *out)
{
    fputs("usage: hcsbatch [--org NAME]... worker [--once | --until-done] [--lease SECONDS] [--claim N]\n\n"
          "Sends and polls packets as one of several workers sharing the state database\n"
          "([store] driver = postgres for workers on several hosts; several workers on one\n"
          "host may share SQLite).  Each pass claims up to N packets to send (whole lanes,\n"
          "in order) and N due polls with a lease, works on them and releases them; when a\n"
          "worker dies its leases expire and the others take its packets over, with the\n"
          "same MessageGUID.  transport.rate is shared by all workers through the database.\n"
          "Takes no inbox files and writes no reports ('hcsbatch run' or 'convert' prepare\n"
          "the packets).  Runs until SIGTERM or SIGINT.  Takes no run lock.\n"
          "Works for the organisations given with --org (repeatable; default: every one the\n"
          "configuration names, [org:NAME]): their packets only, each under its orgPPAGUID.\n\n"
          "  --once           one pass, then exit\n"
          "  --until-done     exit when no packet is pending in the database\n"
          "  --lease N        lease in seconds (default [worker] lease_seconds)\n"
          "  --claim N        packets claimed per pass (default [worker] claim_limit)\n\n"
          "Exit codes: 0 ok, 69 GIS unreachable, 75 database busy or unreachable, 78 config.\n", out);
}

static int positive(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    return *end || v <= 0 || v > 1000000 ? -1 : (int)v;
}

CLI_COMMAND(worker)
{
    struct worker_opts o = { 0 };
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--once")) {
            o.once = 1;
        } else if (!strcmp(argv[i], "--until-done")) {
            o.until_done = 1;
        } else if ((!strcmp(argv[i], "--lease") || !strcmp(argv[i], "--claim")) && i + 1 < argc) {
            int v = positive(argv[i + 1]);
            if (v < 0)
                return cli_usage_error("worker", "%s wants a positive number, not '%s'", argv[i], argv[i + 1]);
            *(argv[i][2] == 'l' ? &o.lease_seconds : &o.claim_limit) = v;
            i++;
        } else {
            return cli_usage_error("worker", "unknown argument '%s'", argv[i]);
        }
    }
    hcs_err err = { 0 };
    struct worker_result r;
    const char **orgs = cli_orgs(cli, &o.norgs);
    o.orgs = orgs;
    int rc = run_worker(cli->base_cfg, &o, &r, &err);
    free(orgs);
    if (rc < 0)
        return cli_fail(&err);
    if (!cli->quiet)
        printf("worker: %ld passes; %ld sends, %ld acks, %ld polls; %ld done, %ld failed; %ld still pending\n",
               r.passes, r.stats.sends, r.stats.acks, r.stats.polls, r.stats.done, r.stats.failed, r.pending);
    return r.stats.unreachable ? HCS_EX_UNAVAILABLE : 0;
}
