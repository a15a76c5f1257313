/* progress — one updating line on stderr for long work (converting a file,
 * uploading to the file store, waiting for GIS): what, how much, the rate
 * (rows/s or MB/s) and an estimate of the time left, redrawn in place with
 * \r at most five times a second and erased when the work ends.  Only when
 * stderr is a terminal and progress is allowed (the CLI turns it off with
 * -q): cron logs and pipes never see it.  A log line written meanwhile
 * erases it first (log.c), the next update draws it again.  Lines may
 * nest (an upload inside a conversion inside the run's wait): whichever
 * updated last is on the terminal, and an ended one is erased until the
 * outer one's next update.  Main thread only. */
#ifndef HCS_PROGRESS_H
#define HCS_PROGRESS_H

typedef struct progress progress;

enum progress_unit {
    PROGRESS_COUNT,     /* things: "1 200 rows, 850 rows/s" */
    PROGRESS_BYTES      /* bytes: shown as MB and MB/s */
};

/* Allows or forbids progress for the process (default: allowed). */
void progress_allow(int allowed);

/* Starts a line "WHAT: …" counting in unit (named noun for PROGRESS_COUNT,
 * e.g. "rows").  NULL when nothing is to be shown; every function accepts
 * NULL, so callers need no test of their own. */
progress *progress_begin(const char *what, enum progress_unit unit, const char *noun);
/* done: how much so far (for the rate); fraction: how far through the
 * whole, 0..1, or < 0 when unknown (no estimate then). */
void progress_update(progress *p, double done, double fraction);
/* 1 when an update now would be drawn (0 for NULL): lets a caller skip
 * working out done and fraction for updates that would be dropped. */
int progress_due(const progress *p);
/* Erases the line and frees p. */
void progress_end(progress *p);

/* Erases the line if one is shown (the logger calls this before a line). */
void progress_interrupt(void);

/* The text of the line without control characters (unit-tested):
 * elapsed seconds since begin. */
void progress_format(char *out, unsigned outlen, const char *what, enum progress_unit unit,
                     const char *noun, double done, double fraction, double elapsed);

#endif
