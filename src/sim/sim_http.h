/* sim_http — the simulator's HTTP front (libmicrohttpd, 127.0.0.1 only):
 * collects request bodies, routes the file store prefix to sim_filestore
 * and everything else to the SOAP pipeline (sim_handle), applies the
 * injected transport faults and writes the request log. */
#ifndef HCS_SIM_HTTP_H
#define HCS_SIM_HTTP_H

#include "base/err.h"
#include "sim/sim.h"
#include "sim/sim_faults.h"
#include "sim/sim_log.h"

#define SIM_FILESTORE_PREFIX "ext-bus-file-store-service/rest/"
#define SIM_MAX_BODY (60u * 1024 * 1024)   /* GIS takes at most 50 MB per message */

typedef struct sim_server sim_server;

/* port 0 picks a free port (see sim_server_port).  faults and log may be
 * NULL.  latency_ms > 0: every request's answer is held back that long
 * (counted in the log's duration_ms, not a fault). */
sim_server *sim_server_start(sim *s, sim_faults *faults, sim_log *log, int port, long latency_ms, hcs_err *err);
int sim_server_port(const sim_server *srv);
/* Wakes stalled connections and stops the daemon. */
void sim_server_stop(sim_server *srv);

#endif
