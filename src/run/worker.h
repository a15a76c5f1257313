/* worker — `hcsbatch worker`: one of several processes, on one host or
 * many, sharing one state database (PostgreSQL, or SQLite on one host).
 * Each pass claims packets with a lease (store.h, work claiming), sends
 * and polls those, and releases them; a dead worker's leases expire and
 * the others take its packets over.  Each pass first takes the inbox
 * files nobody else holds (each claimed by content, converted once on one
 * host: the inbox folders must be shared by the hosts, e.g. NFS); it
 * writes no reports. */
#ifndef HCS_RUN_WORKER_H
#define HCS_RUN_WORKER_H

#include "base/config.h"
#include "base/err.h"
#include "exchange/exchange.h"
#include "run/intake.h"

struct worker_opts {
    int once;                /* one pass */
    int until_done;          /* stop when no packet is pending in the database */
    int lease_seconds;       /* 0: [worker] lease_seconds */
    int claim_limit;         /* 0: [worker] claim_limit */
    int idle_ms;             /* 0: [worker] idle_ms — sleep when a pass found nothing */
    const char *const *orgs; /* the organisations whose packets it takes (config.h), */
    int norgs;               /* each through its own view; 0: the configuration's own */
    int no_inbox;            /* send and poll only: take no inbox files */
};

struct worker_result {
    long passes;
    struct exchange_stats stats;
    struct intake_stats intake;  /* inbox files this worker took */
    long pending;            /* packets pending in the database at the end */
};

/* Runs until SIGTERM/SIGINT (or per opts).  One state database
 * connection; each pass works for every organisation in o->orgs in turn,
 * claiming only that organisation's packets.  0, or -1 (err). */
int run_worker(const hcs_config *cfg, const struct worker_opts *o, struct worker_result *r, hcs_err *err);

#endif
