/* report — what the accountants and administrators get after a run: the
 * XLSX report (reports/<date>-<run>.xlsx), errors.csv, the Prometheus
 * textfile and the notifications.  Owned by src/report/.
 *
 * The report does not know the store.  It reads everything through a
 * `struct report_source`: a handful of callbacks the caller implements
 * (h5's run over the SQLite/PostgreSQL store; the tests over an in-memory
 * fake).  Strings handed to a callback (files, rows, packet_states) only
 * need to live until that callback returns; the report copies what it
 * keeps.  The strings run() puts into *out must stay valid until the
 * report_write_* / report_finish_run call returns (they belong to ctx).
 *
 * Calls made by each writer (report_finish_run runs the XLSX writer, the
 * errors.csv writer and the metrics, so it asks again for each):
 *   run()            once;
 *   files()          once, to learn the input files (the list is small);
 *   rows(file)       once per file;
 *   packet_states()  once.
 * rows() must deliver a file's rows in ascending row number — the XLSX is
 * written in constant-memory mode, row after row, never going back.
 * May call: base/ transport/ (the notifications) exchange/ (lifecycle.h
 * alone: state names). */
#ifndef HCS_REPORT_H
#define HCS_REPORT_H

#include <stddef.h>
#include <time.h>

#include "base/config.h"
#include "base/err.h"

/* What became of one source row.  Russian labels: report_outcome_label(). */
enum report_outcome {
    REPORT_ACCEPTED = 0,   /* принято: GIS accepted the element                   */
    REPORT_FAILED,         /* ошибка: GIS rejected the element (code + text)      */
    REPORT_PENDING,        /* ожидает ответа ГИС: sent, getState not final yet    */
    REPORT_DEFERRED,       /* отложено: held back (transient error, maintenance)  */
    REPORT_REJECTED,       /* отклонено до отправки: our check refused the row    */
    REPORT_SENT,           /* отправлено: acknowledged by GIS, not polled yet     */
    REPORT_OUTCOME_COUNT
};

struct report_run {
    const char *run_id;          /* e.g. "42" or "20261124-0300"; part of file names */
    time_t started;              /* 0 = unknown */
    time_t finished;             /* 0 = still running / unknown (the report uses now) */
    time_t killed_started;       /* a run killed before its report began then: its files and
                                    answers are in this report too; 0 = none */
    int failed;                  /* 1 when the run as a whole failed (GIS down, config, …) */
    const char *failure;         /* what failed, English or Russian, or NULL */
    long oldest_pending_age;     /* seconds the oldest unanswered packet has waited; -1 none */
    long retries;                /* send/poll retries made during this run */
    long runs_total;             /* runs recorded so far, this one included (metrics) */
    time_t last_success;         /* finish time of the last successful run, 0 = never */
    long cert_days_left;         /* days until the signing certificate expires;
                                    REPORT_CERT_UNKNOWN when not known */
    int debt_known;              /* 1 when the debt-request counts below are set */
    long debt_open, debt_due_soon, debt_overdue;   /* open subrequests (docs/debt-requests.md) */
    const char *org;             /* the organisation, when the installation serves several
                                    ([org:NAME]): every metric carries org="NAME"; NULL = one */
    int outage_only;             /* the run's only news is an outage announced on its own
                                    (report_notify_outage): no run notification for it under
                                    notify.when = errors (cron runs during an outage stay quiet) */
};
#define REPORT_CERT_UNKNOWN (-999999L)

struct report_file {
    long id;                     /* the source's own handle (store row id), passed back to rows() */
    const char *path;            /* input file as taken (the report shows its base name) */
    const char *operation;       /* template / operation, e.g. "importAccountData" */
    long rows;                   /* data rows read from the file */
    const char *key_title;       /* header of the key column, e.g. "Номер ЛС"; NULL = "Ключевые поля" */
};

struct report_row {
    long row;                    /* spreadsheet row number in the input file; 0 = file as a whole */
    const char *key;             /* key columns for people, e.g. "ЛС 10001" (packet_element.label) */
    enum report_outcome outcome;
    const char *gis_guid;        /* GIS identifier received (e.g. AccountGUID), or NULL */
    const char *unique_number;   /* GIS unique number received, or NULL */
    const char *code;            /* GIS error code (INT002012, …) or our code (HCS-DATE, …), or NULL:
                                    for REPORT_REJECTED rows without a code the report derives one
                                    from `reason` (report_reason_code) */
    const char *gis_text;        /* GIS error text, verbatim, or NULL */
    const char *reason;          /* our reason for a pre-send rejection (convert_reject.reason) */
    const char *column;          /* offending column (rejections), or NULL */
    const char *value;           /* offending value (rejections), or NULL */
    time_t updated;              /* when this outcome was recorded; 0 = unknown */
};

typedef int (*report_file_fn)(void *arg, const struct report_file *f, hcs_err *err);
typedef int (*report_row_fn)(void *arg, const struct report_row *r, hcs_err *err);
/* state: the store's packet state name ("prepared", "sent", "done", …). */
typedef int (*report_state_fn)(void *arg, const char *state, long count, hcs_err *err);

/* Every callback returns 0, or -1 with err filled; a callback must pass on a
 * non-zero return of fn (stop iterating and return -1). */
struct report_source {
    void *ctx;
    int (*run)(void *ctx, struct report_run *out, hcs_err *err);
    /* The input files this report covers: for a run, the files taken in the
     * run and the files whose rows changed outcome in it (packets answered in
     * a later run); for `hcsbatch report FILE`, that one file. */
    int (*files)(void *ctx, report_file_fn fn, void *arg, hcs_err *err);
    /* Every source row of f with its current outcome, ascending by row
     * number.  A row with several problems may come several times. */
    int (*rows)(void *ctx, const struct report_file *f, report_row_fn fn, void *arg, hcs_err *err);
    /* Packets by state (may be NULL: no such section). */
    int (*packet_states)(void *ctx, report_state_fn fn, void *arg, hcs_err *err);
};

/* Counts gathered while writing, for metrics and notifications. */
struct report_totals {
    long files;
    long rows;
    long by_outcome[REPORT_OUTCOME_COUNT];
    long need_action;            /* rows listed on «Ошибки» and in errors.csv */
};

/* ---- labels and codes ---------------------------------------------------- */

/* "принято", "ошибка", "ожидает ответа ГИС", "отложено", "отклонено до отправки", "отправлено" */
const char *report_outcome_label(enum report_outcome o);
/* ASCII name for metrics and JSON: accepted, failed, pending, deferred, rejected, sent */
const char *report_outcome_name(enum report_outcome o);
/* Rows the accountant must act on: FAILED and REJECTED. */
int report_outcome_needs_action(enum report_outcome o);
/* Our code for a pre-send rejection reason (English or Russian text):
 * HCS-PREREQUISITE (an object the row names failed its own import:
 * run/prereq.h), HCS-ELEMENT (rejected with the rest of its element), HCS-SCHEMA,
 * HCS-REQUIRED, HCS-DUPLICATE, HCS-NSI, HCS-UNKNOWN-KEY, HCS-PERIOD,
 * HCS-DATE, HCS-NUMBER, HCS-LENGTH, HCS-FILE or HCS-VALUE.  Never NULL. */
const char *report_reason_code(const char *reason);

/* ---- writers ----------------------------------------------------------- */

/* Accountant hints per code, from a `code;hint` CSV (UTF-8, header line). */
typedef struct report_hints report_hints;
report_hints *report_hints_load(const char *path, hcs_err *err);   /* NULL + err on failure */
const char *report_hints_get(const report_hints *h, const char *code);  /* NULL if none; h may be NULL */
/* Adds the lines of another code;hint table (e.g. templates/filestore-errors.csv:
 * file store exception names); codes already present keep their hint. */
int report_hints_merge(report_hints *into, const char *path, hcs_err *err);
void report_hints_free(report_hints *h);

/* The XLSX report (constant-memory libxlsxwriter).  hints may be NULL;
 * totals may be NULL. */
int report_write_xlsx(const struct report_source *src, const char *path,
                      const report_hints *hints, struct report_totals *totals, hcs_err *err);

/* errors.csv: the rows needing action, one line per problem:
 * file;row;column;value;code;reason — UTF-8 with BOM, CRLF, RFC 4180 quoting;
 * a cell starting with = + - @ (or tab/CR) gets a leading apostrophe. */
int report_write_errors_csv(const struct report_source *src, const char *path,
                            const report_hints *hints, hcs_err *err);

/* The one errors.csv writer, line by line: report_write_errors_csv uses it
 * over a report_source, `hcsbatch convert` as its converter rejects rows.
 * Written to PATH.tmp, put in place by errors_csv_close.  errors_csv_add
 * skips a row that needs no action and shows file by its base name. */
typedef struct errors_csv errors_csv;
errors_csv *errors_csv_open(const char *path, hcs_err *err);
int errors_csv_add(errors_csv *w, const char *file, const struct report_row *r, hcs_err *err);
/* Flushes, syncs and renames into place; frees w (also on failure). */
int errors_csv_close(errors_csv *w, hcs_err *err);
/* Removes the temporary file and frees w. */
void errors_csv_discard(errors_csv *w);
/* The code of a line about a whole input file (unreadable, refused). */
#define REPORT_CODE_FILE "HCS-FILE"

/* ---- the end of a run (what `hcsbatch run` calls) ------------------------ */

struct report_outputs {
    char *xlsx_path;             /* reports/<date>-<run>.xlsx */
    char *errors_csv_path;       /* reports/<date>-<run>-errors.csv (always written; header only
                                    when nothing needs action) */
    char *metrics_path;          /* NULL when report.metrics_file is unset */
    struct report_totals totals;
    int notified;                /* notifications delivered (URLs + Telegram) */
    char *warnings;              /* hints/metrics/notification problems, one per line, or NULL;
                                    the caller logs them (log_warn); never secrets */
};

/* Writes the XLSX report and errors.csv under [report] dir (relative to
 * paths.work_dir), the metrics textfile, then sends notifications per
 * [notify].  Returns -1 only when the report itself cannot be written;
 * metrics and notification failures become out->warnings and never fail
 * the run.  now: the time to use for file names (0 = time(NULL)). */
/* Before calling run(), the report presets oldest_pending_age = -1 and
 * cert_days_left = REPORT_CERT_UNKNOWN; when the latter stays unknown and
 * sign.cert is a PEM file, report_finish_run reads its notAfter itself. */
int report_finish_run(const hcs_config *cfg, const struct report_source *src,
                      time_t now, struct report_outputs *out, hcs_err *err);
void report_outputs_free(struct report_outputs *out);

/* ---- outage notices ------------------------------------------------------ */

/* GIS stopped answering (ended 0: since = the first send it did not
 * answer) or answers again (ended 1: since .. until).  The caller decides
 * when (once per outage and once at its end: see run/outage_notice.h). */
struct report_outage {
    int ended;
    time_t since, until;
    long waiting;                /* packets waiting for GIS */
    const char *detail;          /* the last transport error, or NULL */
    int still_down;              /* ended: no packet waits any more, but GIS did not answer this
                                    run either (exchange.give_up_after ended them) */
};
/* Sends the notice to every [notify] destination (urls, Telegram) unless
 * notify.when = never.  *destinations: 1 when there is anywhere to send
 * it, else 0 (nothing sent).  Returns the destinations that got it;
 * *warnings: problems, one per line, or NULL (caller frees and logs). */
int report_notify_outage(const hcs_config *cfg, const struct report_outage *o, int *destinations,
                         char **warnings);

/* `hcsbatch report FILE`: one input file's final state, written to out_path
 * (or, when NULL, reports/<date>-<file base name>.xlsx; *written gets the path). */
int report_write_file_report(const hcs_config *cfg, const struct report_source *src,
                             const char *out_path, time_t now, char **written, hcs_err *err);

/* ---- retention ------------------------------------------------------------ */

struct retention_stats {
    long removed;                /* files removed */
    long failed;                 /* files that could not be removed (left in place) */
};

/* Removes regular files older than N days (by mtime) under work_dir:
 * logs/ (retention.logs_days), [report] dir (reports_days), archive/
 * (archive_days) and rejected/ (rejected_days), recursing into
 * sub-folders; never follows symlinks, never removes folders.  0 days =
 * keep forever.  now: 0 = time(NULL). */
int report_retention_sweep(const hcs_config *cfg, time_t now, struct retention_stats *st,
                           hcs_err *err);
/* Same for one directory; exposed for tests and for other kinds of files. */
int report_retention_dir(const char *dir, long days, time_t now, struct retention_stats *st,
                         hcs_err *err);

#endif
