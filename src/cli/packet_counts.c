#include "cli/packet_counts.h"

#include "exchange/lifecycle.h"

static int count_one(void *ctx, const struct store_packet *p)
{
    (void)p;
    (*(long *)ctx)++;
    return 0;
}

static long count_state(store *st, const char *state, int64_t file_id, hcs_err *err)
{
    const char *one[] = { state, NULL };
    if (!file_id)
        return store_packets_count(st, one, NULL, err);
    long n = 0;
    struct store_packet_filter f = { .states = one, .file_id = file_id };
    return store_packets_each(st, &f, count_one, &n, err) < 0 ? -1 : n;
}

int packet_counts_each(store *st, int64_t file_id, report_state_fn fn, void *arg, hcs_err *err)
{
    for (int s = 0; s < PKT_STATE_COUNT; s++) {
        const char *name = lifecycle_state_name((enum packet_state)s);
        long n = count_state(st, name, file_id, err);
        if (n < 0)
            return -1;
        if (n > 0 && fn(arg, name, n, err) != 0)
            return -1;
    }
    return 0;
}
