/* pool — runs one function over a stream of jobs on worker threads and
 * hands the finished jobs back in the order they were submitted.  The
 * number of jobs in flight is bounded (submitting waits), so memory is
 * bounded by the pool, not by the input.  With 0 workers every job runs
 * in the submitting thread at once (no thread is made).  Owned by
 * src/packet/ (the conversion stage's packets). */
#ifndef HCS_PACKET_POOL_H
#define HCS_PACKET_POOL_H

#include <stddef.h>

struct pool;

/* work(job, state) runs on a worker; state is that worker's own, made by
 * state_new(ctx) in the worker thread and freed there by state_free. */
struct pool_fns {
    void (*work)(void *job, void *state);
    void *(*state_new)(void *ctx);
    void (*state_free)(void *state);
    void *ctx;
};

/* NULL when no thread could be started (callers fall back to 0 workers). */
struct pool *pool_new(int workers, size_t max_in_flight, const struct pool_fns *fns);
/* Queues job.  The submitter is the one who takes jobs back, so it must
 * take one first when pool_in_flight == pool_capacity (else it would wait
 * for itself). */
void pool_submit(struct pool *p, void *job);
/* The oldest submitted job not yet taken back, once it is finished: with
 * wait, waits for it; without, NULL if it is still running.  NULL also
 * when nothing is in flight. */
void *pool_take(struct pool *p, int wait);
size_t pool_in_flight(const struct pool *p);
size_t pool_capacity(const struct pool *p);
/* Stops the workers; jobs not taken back are finished first and left to
 * the caller (take them before, or they are lost). */
void pool_free(struct pool *p);

#endif
