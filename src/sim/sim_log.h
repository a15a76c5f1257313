/* sim_log — the simulator's request log: one JSON object per line per HTTP
 * request, so tests can prove what a client did (no duplicate sends, the
 * rate respected, retries backed off). */
#ifndef HCS_SIM_LOG_H
#define HCS_SIM_LOG_H

#include "base/err.h"

struct sim_log_entry {
    long request_no;
    double time;                 /* seconds since the epoch, ms precision */
    const char *method;
    const char *endpoint;        /* URL path */
    const char *action;          /* SOAPAction without quotes, "" */
    const char *operation;
    const char *message_guid;    /* the request header's MessageGUID */
    const char *gis_message_guid;
    int status;
    const char *fault;           /* injected fault kind, "" */
    const char *code;            /* GIS error code answered, "" */
    int request_state;
    int duplicate;
    const char *transport_guids; /* JSON array items (already quoted), "" */
    long duration_ms;
    long long bytes_in;
};

typedef struct sim_log sim_log;

sim_log *sim_log_open(const char *path, hcs_err *err);
void sim_log_write(sim_log *log, const struct sim_log_entry *e);
void sim_log_close(sim_log *log);

#endif
