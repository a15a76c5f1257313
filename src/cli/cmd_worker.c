/* hcsbatch worker — one of several workers sharing a state database:
 * claims packets with a lease, sends and polls them (src/run/worker.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "run/worker.h"

static void usage(FILE *out)
{
    fputs("usage: hcsbatch [--org NAME]... worker [--once | --until-done] [--lease SECONDS] [--claim N] [--no-inbox]\n\n"
          "Takes inbox files, sends and polls packets as one of several workers sharing the\n"
          "state database ([store] driver = postgres for workers on several hosts; several\n"
          "workers on one host may share SQLite).  Each pass first converts the complete\n"
          "inbox files nobody else holds, each claimed by its content with a lease (the\n"
          "inbox folders must be shared by the hosts, e.g. NFS); files named in rows are\n"
          "uploaded to the file store once, under a claim of their own.  Then it claims up\n"
          "to N packets to send (whole lanes, in order) and N due polls with a lease, works\n"
          "on them and releases them; when a worker dies its leases expire and the others\n"
          "take its files, uploads and packets over (packets with the same MessageGUID,\n"
          "uploads from the last part GIS confirmed).  transport.rate is shared by all\n"
          "workers through the database.  Writes no reports.  Runs until SIGTERM or SIGINT.\n"
          "Takes no run lock.\n"
          "Works for the organisations given with --org (repeatable; default: every one the\n"
          "configuration names, [org:NAME]): their files and packets only, each under its\n"
          "orgPPAGUID.\n\n"
          "  --once           one pass, then exit\n"
          "  --until-done     exit when no packet is pending and no inbox file is left\n"
          "  --no-inbox       send and poll only: take no inbox files\n"
          "  --lease N        lease in seconds (default [worker] lease_seconds)\n"
          "  --claim N        packets claimed per pass (default [worker] claim_limit)\n\n"
          "Exit codes: 0 ok, 69 GIS unreachable, 75 state database unreachable, or busy\n"
          "for longer than the lease, 78 config.\n", out);
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
        } else if (!strcmp(argv[i], "--no-inbox")) {
            o.no_inbox = 1;
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
        printf("worker: %ld passes; %ld inbox files taken, %ld rejected; %ld sends, %ld acks, %ld polls;"
               " %ld done, %ld failed; %ld still pending\n", r.passes, r.intake.files_taken,
               r.intake.files_rejected, r.stats.sends, r.stats.acks, r.stats.polls, r.stats.done, r.stats.failed,
               r.pending);
    return r.stats.unreachable ? HCS_EX_UNAVAILABLE : 0;
}
