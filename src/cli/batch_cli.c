#include "cli/batch_cli.h"

#include <stdio.h>
#include <stdlib.h>

#include "run/run_lock.h"

static void print_batch(const struct run_result *r)
{
    const struct intake_stats *in = &r->intake;
    const struct exchange_stats *s = &r->stats;
    if (!r->run_id) {
        printf("nothing to do: no complete inbox file, no packet due\n");
        return;
    }
    printf("run %lld: files %ld taken, %ld rejected, %ld waiting, %ld already processed;"
           " rows %ld, %ld rejected\n", (long long)r->run_id, in->files_taken, in->files_rejected,
           r->files_waiting, r->files_duplicate, in->rows, in->rows_rejected);
    printf("packets: %ld prepared, %ld sends, %ld acks, %ld polls, %ld rebuilt (EXP001000);"
           " %ld done, %ld with warnings, %ld failed, %ld deferred; %ld still pending\n",
           in->packets_prepared, s->sends, s->acks, s->polls, s->rebuilds, s->done, s->warnings,
           s->failed, s->deferred, r->pending);
    printf("elements: %ld accepted, %ld rejected by GIS\n", s->elements_accepted, s->elements_error);
    if (s->registry_entries)
        printf("registry: %ld entries stored from GIS exports\n", s->registry_entries);
    if (s->unreachable)
        printf("GIS unreachable: %s\n", s->unreachable_msg);
    if (s->maintenance)
        printf("GIS maintenance (INT002029): sending resumes later\n");
    if (r->report_path)
        printf("report: %s\n", r->report_path);
    if (r->errors_path)
        printf("errors: %s\n", r->errors_path);
    if (r->debt_known)
        printf("debt requests: %ld open, %ld due within 2 working days, %ld overdue; workbook: %s\n",
               r->debt_open, r->debt_due_soon, r->debt_overdue, r->debt_path ? r->debt_path : "none (nothing open)");
}

/* One organisation's batch under its own lock (in its work_dir). */
static int batch_one(struct cli *cli, const hcs_config *cfg, const struct run_opts *o)
{
    hcs_err err = { 0 };
    int lock = run_lock(cfg, &err);
    if (lock < 0)
        return cli_fail(&err);
    struct run_result r;
    int rc = run_batch(cfg, o, &r, &err);
    run_unlock(lock);
    if (rc < 0) {
        run_result_clear(&r);
        return cli_fail(&err);
    }
    if (!cli->quiet)
        print_batch(&r);
    rc = r.exit_code;
    run_result_clear(&r);
    return rc;
}

int cli_run_batch(struct cli *cli, const struct run_opts *o)
{
    if (cli->norgs == 1)
        return batch_one(cli, cli->cfg, o);
    int n, rc = 0;
    const char **orgs = cli_orgs(cli, &n);
    for (int i = 0; i < n; i++) {
        hcs_err err = { 0 };
        hcs_config *view = cfg_for_org(cli->base_cfg, orgs[i], &err);
        if (n > 1 && !cli->quiet)
            printf("organisation %s:\n", orgs[i]);
        int one = view ? batch_one(cli, view, o) : cli_fail(&err);
        if (one && !rc)
            rc = one;   /* the first organisation's that did not end well */
        cfg_free(view);
    }
    free(orgs);
    return rc;
}
