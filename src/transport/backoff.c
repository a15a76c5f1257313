/* backoff — the pure scheduling pieces of the transport: the per-host token
 * bucket (rate limit) and the exponential back-off with jitter.  No I/O, so
 * the unit tests drive them with a fake clock. */
#include <stdlib.h>
#include <time.h>

#include "transport/transport.h"

void token_bucket_init(struct token_bucket *b, double rate, double burst, double now)
{
    b->rate = rate;
    b->burst = burst < 1 ? 1 : burst;
    b->tokens = b->burst;
    b->last = now;
}

double token_bucket_take(struct token_bucket *b, double now)
{
    if (b->rate <= 0)
        return 0;
    if (now > b->last) {
        b->tokens += (now - b->last) * b->rate;
        if (b->tokens > b->burst)
            b->tokens = b->burst;
        b->last = now;
    }
    if (b->tokens >= 1) {
        b->tokens -= 1;
        return 0;
    }
    return (1 - b->tokens) / b->rate;
}

long backoff_delay_ms(int retry, long base_ms, long max_ms, unsigned *seed)
{
    if (retry < 1)
        retry = 1;
    if (base_ms < 1)
        base_ms = 1;
    long d = base_ms;
    for (int i = 1; i < retry && d < max_ms; i++)
        d *= 2;
    if (d > max_ms)
        d = max_ms;
    long half = d / 2;
    long jitter = half > 0 ? (long)(rand_r(seed) % (unsigned)(half + 1)) : 0;
    return d - half + jitter;
}

double transport_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
