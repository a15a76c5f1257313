/* run — the nightly-run application: one invocation of `hcsbatch run`,
 * `send` or `poll`.  It owns the run lock (run_lock.h), the inbox scan in
 * dependency order (inbox.h, scan.c), taking a file through the conversion
 * stage into stored packets (intake.h; files named in rows go to the file
 * store first, attach.h), moving inputs to archive/ or rejected/
 * (archive.h), the send/poll cycles (until nothing is pending with
 * --wait), the run's reports, notifications and retention (run_report.h)
 * and the exit code cron acts on.  Thin: each step is a stage's function.
 * Owned by src/run/.  No stage folder includes run/; cli/ calls it.
 * May call: base/ proto/ packet/ sign/ filestore/ exchange/ store/ report/. */
#ifndef HCS_RUN_H
#define HCS_RUN_H

#include <stdint.h>

#include "base/config.h"
#include "base/err.h"
#include "exchange/exchange.h"
#include "run/intake.h"

struct run_opts {
    const char *command;         /* "run", "send", "poll" (recorded in runs) */
    int take_inbox;              /* scan and convert inbox files */
    int send, poll;              /* which halves of the cycle */
    int wait;                    /* repeat until nothing is pending */
    int force;                   /* take files already processed (same content) again */
    long max_wait_s;             /* with wait: give up after this long (0 = no limit) */
    int reports;                 /* write the run's reports */
    const struct exchange_export *exports;   /* registry exports to store and send first */
    size_t nexports;
};

struct run_result {
    int64_t run_id;
    struct intake_stats intake;  /* files taken, rows, packets prepared */
    struct exchange_stats stats; /* sends, polls, outcomes */
    long pending;                /* packets still pending at the end */
    long files_waiting;          /* inbox files left for a dependency */
    long files_duplicate;        /* inbox files already processed (not sent again) */
    char *report_path;           /* XLSX written, or NULL */
    char *errors_path;           /* errors.csv written, or NULL */
    int exit_code;               /* 0, 65 rejected/failed, 69 unreachable */
    int debt_known;              /* debt requests on ([debt] lookback_days) and counted */
    char *debt_path;             /* the accountant's debt-request workbook, or NULL (none open) */
    long debt_open, debt_due_soon, debt_overdue;   /* open subrequests (run/debt.h) */
};
void run_result_clear(struct run_result *r);

/* One invocation (the caller holds run_lock).  0 with r filled (its
 * exit_code is the run's verdict), -1 when the run itself failed (err). */
int run_batch(const hcs_config *cfg, const struct run_opts *o, struct run_result *r, hcs_err *err);

/* [paths] work_dir, or "."; caller frees. */
char *run_work_dir(const hcs_config *cfg);

#endif
