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
    char *work;
    long waiting, duplicates;
    char **announced;                /* waiting files already said so in this run */
    size_t nannounced;
    struct refresh_count replaced;   /* what registry refreshes replaced (refresh.h) */
};

/* Takes every complete inbox file whose dependencies are answered;
 * counts the others in b->waiting. */
int run_scan_inbox(struct run_state *b, hcs_err *err);

/* chain.c: the exports needs lists, sent and polled now until answered
 * (bounded by the poll horizon; GIS unreachable or in maintenance ends
 * the wait). */
int run_chain(struct run_state *b, const chain_needs *needs, hcs_err *err);

#endif
