/* bench_claim — the store's claim latency (issue 17), driver from CONFIG
 * ([store] driver, path or conninfo), over whatever queue the database
 * holds (bench_workers.sh fills it).
 *
 *   bench_claim CONFIG [REPS]
 *
 * Prints the queue, the plan of each claim a worker pass makes (the send
 * claim: whole lanes nobody else holds; the poll claim: due polls), then
 * for each "claim KIND: got N median M ms min A max B (REPS runs)", each
 * run one transaction as a worker makes it (claim_limit 50), its leases
 * released after the timing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/config.h"
#include "exchange/lifecycle.h"
#include "store/store.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int bench(store *st, const char *kind, const struct store_claim *c, int reps, hcs_err *err)
{
    char *plan = store_packets_claim_plan(st, c, err);
    if (!plan)
        return -1;
    printf("plan of the %s claim:\n%s", kind, plan);
    free(plan);
    double *ms = calloc((size_t)reps, sizeof *ms);
    int64_t ids[50];
    long got = 0;
    for (int i = 0; i < reps; i++) {
        double t0 = now_ms();
        got = store_packets_claim(st, c, ids, err);
        ms[i] = now_ms() - t0;
        if (got < 0 || store_packets_release(st, c->owner, 0, err) < 0) {
            free(ms);
            return -1;
        }
    }
    qsort(ms, (size_t)reps, sizeof *ms, cmp_double);
    printf("claim %s: got %ld median %.1f ms min %.1f max %.1f (%d runs)\n", kind, got, ms[reps / 2], ms[0],
           ms[reps - 1], reps);
    free(ms);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_claim CONFIG [REPS]\n");
        return 64;
    }
    int reps = argc > 2 ? atoi(argv[2]) : 15;
    if (reps < 1)
        reps = 1;
    hcs_err err = { 0 };
    hcs_config *cfg = cfg_load(argv[1], &err);
    store *st = cfg ? store_open(cfg, &err) : NULL;
    if (!st) {
        fprintf(stderr, "bench_claim: %s\n", err.msg);
        cfg_free(cfg);
        return 1;
    }
    long to_send = store_packets_count(st, packet_states_to_send, NULL, &err);
    long to_poll = store_packets_count(st, packet_states_to_poll, NULL, &err);
    long all = store_packets_count(st, packet_states_all, NULL, &err);
    printf("driver %s: %ld packets, %ld to send, %ld to poll\n", store_driver_name(st), all, to_send, to_poll);
    int64_t now = (int64_t)time(NULL);
    struct store_claim send = { .owner = "bench:1", .states = packet_states_to_send, .now = now,
                                .lease_seconds = 300, .limit = 50, .lanes = 1 };
    struct store_claim poll = send;
    poll.states = packet_states_to_poll;
    poll.due_before = now;
    poll.lanes = 0;
    int rc = bench(st, "send", &send, reps, &err) < 0 || bench(st, "poll", &poll, reps, &err) < 0;
    if (rc)
        fprintf(stderr, "bench_claim: %s\n", err.msg);
    store_close(st);
    cfg_free(cfg);
    return rc;
}
