/* pool — see pool.h.  One mutex, two condition variables: `work` wakes
 * workers when a job is queued, `done` wakes the submitter when a job
 * finishes (or a slot frees).  Jobs sit in a ring in submission order;
 * `next` is the first not yet started, `head` the first not yet taken. */
#include "packet/pool.h"

#include <pthread.h>
#include <stdlib.h>

#include "base/xalloc.h"

struct slot {
    void *job;
    int finished;
};

struct pool {
    struct pool_fns fns;
    pthread_t *threads;
    int nthreads;
    pthread_mutex_t lock;
    pthread_cond_t work, done;
    struct slot *ring;
    size_t cap;                  /* max in flight */
    size_t head, next, count;    /* ring indices (mod cap) and jobs in flight */
    size_t queued;               /* submitted, not started */
    int stopping;
    void *inline_state;          /* 0 workers: the submitter's own state */
};

static void *worker_main(void *arg)
{
    struct pool *p = arg;
    void *state = p->fns.state_new ? p->fns.state_new(p->fns.ctx) : NULL;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->queued && !p->stopping)
            pthread_cond_wait(&p->work, &p->lock);
        if (!p->queued)
            break;
        struct slot *s = &p->ring[p->next];
        p->next = (p->next + 1) % p->cap;
        p->queued--;
        pthread_mutex_unlock(&p->lock);
        p->fns.work(s->job, state);
        pthread_mutex_lock(&p->lock);
        s->finished = 1;
        pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->lock);
    if (p->fns.state_free)
        p->fns.state_free(state);
    return NULL;
}

struct pool *pool_new(int workers, size_t max_in_flight, const struct pool_fns *fns)
{
    struct pool *p = xcalloc(1, sizeof *p);
    p->fns = *fns;
    p->cap = max_in_flight ? max_in_flight : 1;
    p->ring = xcalloc(p->cap, sizeof *p->ring);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    if (workers <= 0) {
        p->inline_state = fns->state_new ? fns->state_new(fns->ctx) : NULL;
        return p;
    }
    p->threads = xcalloc((size_t)workers, sizeof *p->threads);
    for (int i = 0; i < workers; i++) {
        if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0)
            break;
        p->nthreads++;
    }
    if (!p->nthreads) {
        pool_free(p);
        return NULL;
    }
    return p;
}

void pool_submit(struct pool *p, void *job)
{
    if (!p->nthreads) {
        /* no workers: the job is finished before it is queued */
        p->fns.work(job, p->inline_state);
    }
    pthread_mutex_lock(&p->lock);
    while (p->count == p->cap)
        pthread_cond_wait(&p->done, &p->lock);
    struct slot *s = &p->ring[(p->head + p->count) % p->cap];
    s->job = job;
    s->finished = !p->nthreads;
    p->count++;
    if (p->nthreads) {
        p->queued++;
        pthread_cond_signal(&p->work);
    }
    pthread_mutex_unlock(&p->lock);
}

void *pool_take(struct pool *p, int wait)
{
    void *job = NULL;
    pthread_mutex_lock(&p->lock);
    while (wait && p->count && !p->ring[p->head].finished)
        pthread_cond_wait(&p->done, &p->lock);
    if (p->count && p->ring[p->head].finished) {
        job = p->ring[p->head].job;
        p->ring[p->head].job = NULL;
        p->ring[p->head].finished = 0;
        p->head = (p->head + 1) % p->cap;
        p->count--;
        pthread_cond_broadcast(&p->done);   /* a slot is free for the submitter */
    }
    pthread_mutex_unlock(&p->lock);
    return job;
}

size_t pool_capacity(const struct pool *p)
{
    return p->cap;
}

size_t pool_in_flight(const struct pool *p)
{
    return p->count;
}

void pool_free(struct pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    if (!p->nthreads && p->fns.state_free && p->inline_state)
        p->fns.state_free(p->inline_state);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->lock);
    free(p->threads);
    free(p->ring);
    free(p);
}
