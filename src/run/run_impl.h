/* run_impl — what run.c (the run's loop), scan.c (the inbox scan) and
 * chain.c (exports a file needs first) share.  Not part of the contract. */
#ifndef HCS_RUN_IMPL_H
#define HCS_RUN_IMPL_H

#include "run/refresh.h"
#include "run/run.h"

struct run_state {
    const hcs_config *cfg;
    const struct run_opts *o;
    store *st;
    exchange *x;
    intake *in;
    int64_t run_id, started;
    int64_t report_since;            /* a killed run's start: its answers go in this run's report */
    char *work;
    long waiting, duplicates;
    char **announced;                /* waiting files already said so in this run */
    size_t nannounced;
    struct refresh_count replaced;   /* what registry refreshes replaced (refresh.h) */
    char owner[160];                 /* "host:pid": inbox files are claimed as this */
    int lease_seconds;               /* [worker] lease_seconds */
    long elsewhere;                  /* inbox files another worker holds now */
};

/* Fills b->owner and b->lease_seconds.  A worker claims as "host:pid";
 * `run` (role "run") as "host:run": it holds the run lock, so a claim of
 * that owner is a killed run's, and the next run takes it at once instead
 * of waiting for the lease. */
void run_claims_init(struct run_state *b, const char *role);

/* Takes every complete inbox file whose dependencies are answered;
 * counts the others in b->waiting.  Each file is claimed by content
 * first (store.h, named claims): one worker on one host converts it, the
 * others pass it by (b->elsewhere); a dead worker's file is taken over
 * when its lease ends. */
int run_scan_inbox(struct run_state *b, hcs_err *err);

/* chain.c: the exports needs lists, sent and polled now until answered
 * (bounded by the poll horizon; GIS unreachable or in maintenance ends
 * the wait). */
int run_chain(struct run_state *b, const chain_needs *needs, hcs_err *err);

#endif
