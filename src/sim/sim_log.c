/* sim_log — JSON lines, appended and flushed per request. */
#include "sim/sim_log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/strbuf.h"
#include "base/xalloc.h"

struct sim_log {
    FILE *f;
    pthread_mutex_t lock;
};

sim_log *sim_log_open(const char *path, hcs_err *err)
{
    FILE *f = fopen(path, "a");
    if (!f) {
        hcs_fail(err, HCS_EX_CANTCREAT, "%s: cannot open the request log", path);
        return NULL;
    }
    sim_log *log = xcalloc(1, sizeof *log);
    log->f = f;
    pthread_mutex_init(&log->lock, NULL);
    return log;
}

static void add_str(strbuf *sb, const char *key, const char *v)
{
    sb_addf(sb, ",\"%s\":\"", key);
    for (const unsigned char *p = (const unsigned char *)(v ? v : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            sb_addf(sb, "\\%c", *p);
        else if (*p < 0x20)
            sb_addf(sb, "\\u%04x", *p);
        else
            sb_addc(sb, (char)*p);
    }
    sb_addc(sb, '"');
}

void sim_log_write(sim_log *log, const struct sim_log_entry *e)
{
    if (!log)
        return;
    time_t secs = (time_t)e->time;
    struct tm tm;
    gmtime_r(&secs, &tm);
    char iso[40];
    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S", &tm);
    strbuf sb = STRBUF_INIT;
    sb_addf(&sb, "{\"n\":%ld,\"time\":\"%s.%03dZ\",\"ts\":%.3f", e->request_no, iso,
            (int)((e->time - (double)secs) * 1000), e->time);
    add_str(&sb, "method", e->method);
    add_str(&sb, "endpoint", e->endpoint);
    add_str(&sb, "action", e->action);
    add_str(&sb, "operation", e->operation);
    add_str(&sb, "message_guid", e->message_guid);
    add_str(&sb, "gis_message_guid", e->gis_message_guid);
    sb_addf(&sb, ",\"status\":%d", e->status);
    add_str(&sb, "fault", e->fault);
    add_str(&sb, "code", e->code);
    sb_addf(&sb, ",\"request_state\":%d,\"duplicate\":%s,\"transport_guids\":[%s]"
                 ",\"duration_ms\":%ld,\"bytes_in\":%lld}\n",
            e->request_state, e->duplicate ? "true" : "false",
            e->transport_guids ? e->transport_guids : "", e->duration_ms, e->bytes_in);
    pthread_mutex_lock(&log->lock);
    fwrite(sb.buf, 1, sb.len, log->f);
    fflush(log->f);
    pthread_mutex_unlock(&log->lock);
    sb_free(&sb);
}

void sim_log_close(sim_log *log)
{
    if (!log)
        return;
    fclose(log->f);
    pthread_mutex_destroy(&log->lock);
    free(log);
}
