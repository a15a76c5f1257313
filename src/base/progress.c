/* progress — the TTY progress line (see progress.h). */
#include "base/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define REDRAW_S 0.2
#define MB (1024.0 * 1024.0)

struct progress {
    char what[96];
    char noun[24];
    enum progress_unit unit;
    double start, last_draw;
};

static int g_allowed = 1;
static int g_shown;           /* a line is on the terminal now */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_allow(int allowed)
{
    g_allowed = allowed;
}

static int terminal_wanted(void)
{
    const char *term = getenv("TERM");
    return g_allowed && isatty(STDERR_FILENO) && !(term && !strcmp(term, "dumb"));
}

progress *progress_begin(const char *what, enum progress_unit unit, const char *noun)
{
    if (!terminal_wanted())
        return NULL;
    progress *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    snprintf(p->what, sizeof p->what, "%s", what ? what : "");
    snprintf(p->noun, sizeof p->noun, "%s", noun ? noun : "");
    p->unit = unit;
    p->start = now_s();
    p->last_draw = -1;
    return p;
}

static void amount(char *out, size_t n, enum progress_unit unit, const char *noun, double v)
{
    if (unit == PROGRESS_BYTES)
        snprintf(out, n, "%.1f MB", v / MB);
    else
        snprintf(out, n, "%.0f %s", v, noun);
}

void progress_format(char *out, unsigned outlen, const char *what, enum progress_unit unit,
                     const char *noun, double done, double fraction, double elapsed)
{
    char got[48], rate[48] = "", eta[32] = "", pct[16] = "";
    amount(got, sizeof got, unit, noun, done);
    if (fraction >= 0 && fraction <= 1)
        snprintf(pct, sizeof pct, " (%.0f%%)", fraction * 100);
    if (elapsed >= 0.1 && done > 0) {
        double r = done / elapsed;
        if (unit == PROGRESS_BYTES)
            snprintf(rate, sizeof rate, ", %.1f MB/s", r / MB);
        else
            snprintf(rate, sizeof rate, r < 10 ? ", %.1f %s/s" : ", %.0f %s/s", r, noun);
    }
    if (elapsed >= 0.1 && fraction > 0.001 && fraction < 1) {
        long left = (long)(elapsed * (1 - fraction) / fraction + 0.5);
        if (left >= 3600)
            snprintf(eta, sizeof eta, ", ~%ld:%02ld:%02ld left", left / 3600, left / 60 % 60, left % 60);
        else
            snprintf(eta, sizeof eta, ", ~%ld:%02ld left", left / 60, left % 60);
    }
    snprintf(out, outlen, "%s: %s%s%s%s", what, got, pct, rate, eta);
}

int progress_due(const progress *p)
{
    return p && (p->last_draw < 0 || now_s() - p->last_draw >= REDRAW_S);
}

void progress_update(progress *p, double done, double fraction)
{
    if (!p)
        return;
    double t = now_s();
    /* The first update draws at once; then at most every REDRAW_S. */
    if (p->last_draw >= 0 && t - p->last_draw < REDRAW_S)
        return;
    p->last_draw = t;
    char line[256];
    progress_format(line, sizeof line, p->what, p->unit, p->noun, done, fraction, t - p->start);
    /* \033[K clears what a longer previous line left. */
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    g_shown = 1;
}

void progress_interrupt(void)
{
    if (!g_shown)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    g_shown = 0;
}

void progress_end(progress *p)
{
    if (!p)
        return;
    progress_interrupt();
    free(p);
}
