/* run — one invocation of the nightly batch: the cycles and the exit code
 * (see run.h). */
#include "run/run_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "base/progress.h"
#include "base/xalloc.h"
#include "run/debt.h"
#include "run/inbox.h"
#include "run/outage_notice.h"
#include "run/refresh.h"
#include "run/run_report.h"

char *run_work_dir(const hcs_config *cfg)
{
    char *w = cfg_path(cfg, "paths.work_dir");
    return w ? w : xstrdup(".");
}

void run_result_clear(struct run_result *r)
{
    free(r->report_path);
    free(r->errors_path);
    free(r->debt_path);
    memset(r, 0, sizeof *r);
}

static int due(store *st, const char *const *states, int64_t now, hcs_err *err)
{
    long n = store_packets_count(st, states, NULL, err);
    if (n <= 0)
        return n < 0 ? -1 : 0;
    return store_packets_next_due(st, states, err) <= now;
}

static int inbox_has_files(struct run_state *b)
{
    long settle = cfg_int(b->cfg, "input.settle_seconds", 5);
    for (const struct inbox_kind *k = inbox_kinds; k->cfg_key; k++) {
        char *dir = inbox_dir(b->cfg, b->work, k);
        long n = dir ? inbox_count(dir, settle) : 0;
        free(dir);
        if (n > 0)
            return 1;
    }
    return 0;
}

/* 1 when this invocation has nothing to do at all (an idle cron run). */
static int is_idle(struct run_state *b, hcs_err *err)
{
    const struct run_opts *o = b->o;
    int64_t now = (int64_t)time(NULL);
    if (o->take_inbox && inbox_has_files(b))
        return 0;
    if (o->wait) {
        long pending = store_packets_count(b->st, o->send ? exchange_states_pending : exchange_states_to_poll,
                                           NULL, err);
        if (pending != 0)
            return pending < 0 ? -1 : 0;
    }
    int d = o->send ? due(b->st, exchange_states_to_send, now, err) : 0;
    if (d != 0)
        return d < 0 ? -1 : 0;
    d = o->poll ? due(b->st, exchange_states_to_poll, now, err) : 0;
    if (d != 0)
        return d < 0 ? -1 : 0;
    /* what a run killed after GIS's last answer left to do with it */
    d = o->send && o->poll ? run_refresh_waiting(b, err) : 0;
    if (d != 0)
        return d < 0 ? -1 : 0;
    long finished = store_files_finishable(b->st, err);
    if (finished != 0)
        return finished < 0 ? -1 : 0;
    return 1;
}

static void sleep_until(int64_t when, int64_t deadline)
{
    int64_t now = (int64_t)time(NULL);
    if (deadline && when > deadline)
        when = deadline;
    if (when <= now) {
        struct timespec ts = { 0, 200 * 1000 * 1000 };
        nanosleep(&ts, NULL);
        return;
    }
    /* Wake at the second boundary the packet becomes due. */
    struct timespec ts = { (time_t)(when - now), 0 };
    nanosleep(&ts, NULL);
}

static int exit_code_for(const struct run_result *r)
{
    const struct intake_stats *in = &r->intake;
    const struct exchange_stats *s = &r->stats;
    /* A request that ran out of retries on the way matters only when
     * something still waits for GIS at the end. */
    if (s->unreachable && r->pending > 0)
        return HCS_EX_UNAVAILABLE;
    if (in->rows_rejected || in->files_rejected || s->failed || s->warnings || s->elements_error)
        return HCS_EX_DATAERR;
    return HCS_OK;
}

/* With --wait on a terminal: how many of the packets pending since the
 * wait began GIS has answered. */
static void show_wait(progress *p, long pending, long *most)
{
    if (pending > *most)
        *most = pending;
    if (*most > 0)
        progress_update(p, (double)(*most - pending), (double)(*most - pending) / (double)*most);
}

/* The cycles: take the inbox, send and poll, until done (or once). */
static int cycles_loop(struct run_state *b, progress *prog, hcs_err *err)
{
    const struct run_opts *o = b->o;
    long most_pending = 0;
    int64_t deadline = o->max_wait_s > 0 ? b->started + o->max_wait_s : 0;
    for (;;) {
        if (o->take_inbox && run_scan_inbox(b, err) < 0)
            return -1;
        long worked = 0;
        if ((o->send || o->poll) && exchange_cycle_parts(b->x, o->send, o->poll, &worked, err) < 0)
            return -1;
        /* stale-registry answers: one re-export, then one retry (refresh.h) */
        if (o->send && o->poll && run_refresh(b, &b->replaced, err) < 0)
            return -1;
        if (store_files_finish(b->st, err) < 0)
            return -1;
        if (!o->wait)
            return 0;
        long pending = o->send ? exchange_pending(b->x, err)
                               : store_packets_count(b->st, exchange_states_to_poll, NULL, err);
        if (pending < 0)
            return -1;
        show_wait(prog, pending, &most_pending);
        if (pending == 0 && b->waiting == 0)
            return 0;
        if (deadline && (int64_t)time(NULL) >= deadline) {
            log_warn("--max-wait reached with %ld packet(s) pending", pending);
            return 0;
        }
        if (pending == 0)
            continue;                    /* dependencies cleared: take the waiting files now */
        int64_t next = o->send ? exchange_next_due(b->x, err)
                               : store_packets_next_due(b->st, exchange_states_to_poll, err);
        if (worked == 0 || next > (int64_t)time(NULL))
            sleep_until(next, deadline);
    }
}

static int cycles(struct run_state *b, hcs_err *err)
{
    progress *prog = b->o->wait ? progress_begin("waiting for GIS, answered", PROGRESS_COUNT, "packets") : NULL;
    int rc = cycles_loop(b, prog, err);
    progress_end(prog);
    return rc;
}

/* The verdict, the reports and the run's row in the store. */
static void finish(struct run_state *b, struct run_result *r, hcs_err *err)
{
    r->intake = *intake_get_stats(b->in);
    r->stats = *exchange_get_stats(b->x);
    /* first answers a retry or reconciliation replaced are not the outcome */
    struct exchange_stats *xr = &r->stats;
    xr->elements_error -= b->replaced.elements < xr->elements_error ? b->replaced.elements : xr->elements_error;
    xr->warnings -= b->replaced.packets < xr->warnings ? b->replaced.packets : xr->warnings;
    r->pending = exchange_pending(b->x, err);
    r->files_waiting = b->waiting;
    r->files_duplicate = b->duplicates;
    r->exit_code = exit_code_for(r);
    const struct intake_stats *in = &r->intake;
    const struct exchange_stats *xs = &r->stats;
    if (b->o->take_inbox && run_debt_enabled(b->cfg)) {
        hcs_err derr = { 0 };
        struct debt_counts dc;
        if (run_debt_workbook(b->cfg, b->st, b->work, &r->debt_path, &dc, &derr) < 0)
            log_error("debt requests: %s", derr.msg);
        else
            r->debt_known = 1;
        r->debt_open = dc.open;
        r->debt_due_soon = dc.due_soon;
        r->debt_overdue = dc.overdue;
    }
    int idle = !in->files_taken && !in->files_rejected && !xs->sends && !xs->polls && !b->duplicates
               && !b->report_since;
    /* Once when GIS stops answering, once when it answers again; a run
     * that took nothing and got no answer while the outage is announced
     * sends no notification of its own. */
    int outage_noticed = b->o->send || b->o->poll ? outage_notice_update(b->cfg, b->st, xs) : 0;
    int outage_only = outage_noticed && !in->files_taken && !in->files_rejected && !b->duplicates
                      && !xs->done && !xs->warnings && !xs->failed && !xs->elements_accepted
                      && !xs->elements_error;
    if (b->o->reports && !idle) {
        hcs_err rerr = { 0 };
        struct run_report_ctx rc = { .st = b->st, .x = b->x, .signer = intake_signer(b->in),
                                     .run_id = b->run_id, .started = b->started, .since = b->report_since,
                                     .debt_known = r->debt_known, .debt_open = r->debt_open,
                                     .debt_due_soon = r->debt_due_soon, .debt_overdue = r->debt_overdue,
                                     .outage_only = outage_only };
        if (run_report_write(b->cfg, &rc, &r->report_path, &r->errors_path, &rerr) < 0)
            log_error("report: %s", rerr.msg);
    }
    char summary[640];
    int len = snprintf(summary, sizeof summary,
             "files %ld taken, %ld rejected, %ld waiting; rows %ld, rejected %ld; packets %ld prepared,"
             " %ld sent, %ld done, %ld with warnings, %ld failed, %ld pending",
             in->files_taken, in->files_rejected, r->files_waiting, in->rows, in->rows_rejected,
             in->packets_prepared, xs->acks, xs->done, xs->warnings, xs->failed, r->pending);
    if (r->debt_known && len > 0 && (size_t)len < sizeof summary)
        snprintf(summary + len, sizeof summary - (size_t)len,
                 "; debt requests %ld open, %ld due within 2 working days, %ld overdue", r->debt_open,
                 r->debt_due_soon, r->debt_overdue);
    store_run_finish(b->st, b->run_id, r->exit_code, summary, err);
}

int run_batch(const hcs_config *cfg, const struct run_opts *o, struct run_result *r, hcs_err *err)
{
    memset(r, 0, sizeof *r);
    /* The state database, reports, archived inputs and envelopes hold
     * personal data: nothing the run creates is readable by others. */
    umask(umask(0) | 027);
    struct run_state b = { .cfg = cfg, .o = o };
    struct exchange_export *debt = NULL;   /* this run's debt-request export (run/debt.h) */
    size_t ndebt = 0;
    int rc = -1;
    b.work = run_work_dir(cfg);
    run_claims_init(&b, "run");
    b.st = store_open(cfg, err);
    if (!b.st)
        goto out;
    b.started = (int64_t)time(NULL);
    if (o->take_inbox && run_debt_export(cfg, b.st, &debt, &ndebt, err) < 0)
        goto out;
    /* A run killed before its report: what it took and GIS answered goes
     * in this one's, so this run is not idle. */
    if (o->reports && (b.report_since = store_run_unfinished_since(b.st, o->command, err)) < 0)
        goto out;
    if (b.report_since)
        log_info("an earlier run ended without its report (killed?): this run's report covers from its start");
    int idle_start = o->nexports || ndebt || b.report_since ? 0 : is_idle(&b, err);
    if (idle_start < 0)
        goto out;
    if (idle_start) {
        /* Nothing to take, send or poll: no run is recorded, nothing written. */
        log_debug("nothing to do");
        rc = 0;
        goto out;
    }
    if (store_run_begin(b.st, o->command, &b.run_id, err) < 0)
        goto out;
    r->run_id = b.run_id;
    struct exchange_opts xo = { .cfg = cfg, .st = b.st, .run_id = b.run_id };
    b.x = exchange_new(&xo, err);
    b.in = intake_new(cfg, b.st, b.run_id);
    intake_set_lease(b.in, NULL, b.owner, b.lease_seconds);   /* uploads claimed as this run */
    for (size_t i = 0; b.x && i < o->nexports; i++)
        if (exchange_add_export(b.x, &o->exports[i], NULL, err) < 0)
            goto out;
    for (size_t i = 0; b.x && i < ndebt; i++)
        if (exchange_add_export(b.x, &debt[i], NULL, err) < 0 || run_debt_mark_fetched(b.st, err) < 0)
            goto out;
    if (!b.x || intake_recover(b.in, err) < 0 || cycles(&b, err) < 0)
        goto out;
    finish(&b, r, err);
    rc = 0;
out:
    if (rc < 0 && b.st && b.run_id) {
        hcs_err ignored;
        store_run_finish(b.st, b.run_id, err->code ? err->code : HCS_EX_FAIL, err->msg, &ignored);
    }
    exchange_exports_free(debt, ndebt);
    intake_free(b.in);
    exchange_free(b.x);
    store_close(b.st);
    free(b.work);
    for (size_t i = 0; i < b.nannounced; i++)
        free(b.announced[i]);
    free(b.announced);
    return rc;
}
