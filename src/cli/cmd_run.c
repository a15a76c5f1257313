/* hcsbatch run — the nightly run: lock, inbox, convert, sign, send, poll
 * what is due, reports, move files, exit with a code cron can act on.
 * A thin composition of batch_run (src/exchange/batch.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "exchange/batch.h"

static void usage(FILE *out)
{
    fputs("usage: hcsbatch run [--wait [--max-wait SECONDS]] [--force]\n\n"
          "One run of the batch: takes the lock (work_dir/run.lock), picks up complete files\n"
          "from the inbox folders ([inbox]; names ending .part/.tmp, dotfiles, ~$* and files\n"
          "changed within input.settle_seconds are left alone), converts and signs them into\n"
          "packets (each written to archive/packets/ and recorded before it is sent), sends\n"
          "what is due, polls getState for what is due ([exchange] poll_schedule), writes the\n"
          "run's reports and moves the files to archive/inputs/ or rejected/.\n"
          "Nothing waits in memory between runs: the next run polls what is due then.\n\n"
          "  --wait           keep polling until no packet is pending (sleeps until the next\n"
          "                   due time; for interactive use, tests and the demo)\n"
          "  --max-wait N     with --wait: stop after N seconds even if packets are pending\n"
          "  --force          take files whose content was already processed (sent again)\n\n"
          "Exit codes: 0 everything accepted, 65 rows or packets rejected/failed (see the\n"
          "report), 69 GIS unreachable (retried next run), 75 another run holds the lock,\n"
          "78 configuration error.\n", out);
}

void cli_print_batch(const struct batch_result *r);

void cli_print_batch(const struct batch_result *r)
{
    const struct exchange_stats *s = &r->stats;
    if (!r->run_id) {
        printf("nothing to do: no complete inbox file, no packet due\n");
        return;
    }
    printf("run %lld: files %ld taken, %ld rejected, %ld waiting, %ld already processed;"
           " rows %ld, %ld rejected\n", (long long)r->run_id, s->files_taken, s->files_rejected,
           r->files_waiting, r->files_duplicate, s->rows, s->rows_rejected);
    printf("packets: %ld prepared, %ld sends, %ld acks, %ld polls, %ld rebuilt (EXP001000);"
           " %ld done, %ld with warnings, %ld failed, %ld deferred; %ld still pending\n",
           s->packets_prepared, s->sends, s->acks, s->polls, s->rebuilds, s->done, s->warnings,
           s->failed, s->deferred, r->pending);
    printf("elements: %ld accepted, %ld rejected by GIS\n", s->elements_accepted, s->elements_error);
    if (s->unreachable)
        printf("GIS unreachable: %s\n", s->unreachable_msg);
    if (s->maintenance)
        printf("GIS maintenance (INT002029): sending resumes later\n");
    if (r->report_path)
        printf("report: %s\n", r->report_path);
    if (r->errors_path)
        printf("errors: %s\n", r->errors_path);
}

CLI_COMMAND(run)
{
    struct batch_opts o = { .command = "run", .take_inbox = 1, .send = 1, .poll = 1, .reports = 1 };
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
    hcs_err err = { 0 };
    int lock = batch_lock(cli->cfg, &err);
    if (lock < 0)
        return cli_fail(&err);
    struct batch_result r;
    int rc = batch_run(cli->cfg, &o, &r, &err);
    batch_unlock(lock);
    if (rc < 0) {
        batch_result_clear(&r);
        return cli_fail(&err);
    }
    if (!cli->quiet)
        cli_print_batch(&r);
    rc = r.exit_code;
    batch_result_clear(&r);
    return rc;
}
