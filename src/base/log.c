#include "base/log.h"
#include "base/progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

static int g_level = LOG_LVL_INFO;
static int g_syslog;
static const char *g_ident = "hcsbatch";

static const char *const level_names[] = { "error", "warn", "info", "debug" };

int log_parse_level(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (name && strcmp(name, level_names[i]) == 0)
            return i;
    return -1;
}

void log_setup(const char *target, const char *level, const char *ident)
{
    if (ident)
        g_ident = ident;
    int lv = log_parse_level(level);
    if (lv >= 0)
        g_level = lv;
    if (target && strcmp(target, "syslog") == 0) {
        openlog(g_ident, LOG_PID, LOG_USER);
        g_syslog = 1;
    }
}

void log_set_level(int level) { g_level = level; }
int log_enabled(int level) { return level <= g_level; }

void log_msg(int level, const char *fmt, ...)
{
    if (level > g_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    if (g_syslog) {
        static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
        vsyslog(prio[level], fmt, ap);
    } else {
        char ts[32];
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S", &tm);
        flockfile(stderr);      /* one line, whole, when pool workers log too */
        progress_interrupt();   /* the log line must not land inside a progress line */
        fprintf(stderr, "%s %s %s: ", ts, g_ident, level_names[level]);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        funlockfile(stderr);
    }
    va_end(ap);
}
