/* batch — one invocation of the nightly batch, as `hcsbatch run`, `send`
 * and `poll` use it: the run lock, the inbox scan (only complete files, in
 * dependency order), conversion into prepared packets, the send/poll
 * cycles (once, or until nothing is pending with --wait), the run's
 * reports, moving files to archive/ or rejected/, and the exit code cron
 * acts on.  Owned by src/exchange/. */
#ifndef HCS_BATCH_H
#define HCS_BATCH_H

#include <stdint.h>

#include "base/config.h"
#include "base/err.h"
#include "exchange/exchange.h"

/* flock on <work_dir>/run.lock.  Returns the fd (keep it open), or -1:
 * HCS_EX_TEMPFAIL when another run holds it. */
int batch_lock(const hcs_config *cfg, hcs_err *err);
void batch_unlock(int fd);

struct batch_opts {
    const char *command;         /* "run", "send", "poll" (recorded in runs) */
    int take_inbox;              /* scan and convert inbox files */
    int send, poll;              /* which halves of the cycle */
    int wait;                    /* repeat until nothing is pending */
    int force;                   /* take files already processed (same content) again */
    long max_wait_s;             /* with wait: give up after this long (0 = no limit) */
    int reports;                 /* write the run's reports */
};

struct batch_result {
    int64_t run_id;
    struct exchange_stats stats;
    long pending;                /* packets still pending at the end */
    long files_waiting;          /* inbox files left for a dependency */
    long files_duplicate;        /* inbox files already processed (not sent again) */
    char *report_path;           /* XLSX written, or NULL */
    char *errors_path;           /* errors.csv written, or NULL */
    int exit_code;               /* 0, 65 rejected/failed, 69 unreachable */
};
void batch_result_clear(struct batch_result *r);

int batch_run(const hcs_config *cfg, const struct batch_opts *o, struct batch_result *r, hcs_err *err);

/* The inbox kinds in dependency order: config key, template, operation
 * whose pending packets a file of this kind waits for (or NULL). */
struct inbox_kind {
    const char *cfg_key;
    const char *template_name;
    const char *waits_for;
};
extern const struct inbox_kind inbox_kinds[];
/* 1 when a directory entry is a complete input file to take now. */
int inbox_file_ready(const char *dir, const char *name, long settle_seconds, int64_t now);
/* Complete files in an inbox folder now. */
long inbox_count(const char *dir, long settle_seconds);

#endif
