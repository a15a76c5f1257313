/* hcsbatch retry — put a failed (or deferred, or done-with-warnings) packet
 * back in the queue: rebuilt with a new MessageGUID, Date and signature (GIS
 * keeps its final answer under the old id, recorded as abandoned); the next
 * run or 'hcsbatch send' sends it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "run/run_lock.h"
#include "exchange/exchange.h"

static void usage(FILE *out)
{
    fputs("usage: hcsbatch retry PACKET... | --failed\n\n"
          "Re-queues packets (ids from 'hcsbatch status'): each is rebuilt with a new\n"
          "MessageGUID, Date and signature and its elements wait for GIS again.  The next\n"
          "'hcsbatch run' or 'hcsbatch send' sends them.\n\n"
          "  --failed      every packet in state failed\n\n"
          "Exit codes: 0 ok, 65 a packet cannot be retried, 75 locked, 78 config.\n", out);
}

struct ids {
    int64_t *v;
    size_t n, cap;
};

static int add_id(void *ctx, const struct store_packet *p)
{
    struct ids *ids = ctx;
    if (ids->n == ids->cap) {
        ids->cap = ids->cap ? ids->cap * 2 : 16;
        ids->v = realloc(ids->v, ids->cap * sizeof *ids->v);
        if (!ids->v)
            abort();
    }
    ids->v[ids->n++] = p->id;
    return 0;
}

CLI_COMMAND(retry)
{
    struct ids ids = { 0 };
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            free(ids.v);
            return 0;
        } else if (!strcmp(argv[i], "--failed")) {
            failed = 1;
        } else {
            char *end;
            long long id = strtoll(argv[i], &end, 10);
            if (*end || id <= 0) {
                free(ids.v);
                return cli_usage_error("retry", "'%s' is not a packet id", argv[i]);
            }
            struct store_packet p = { .id = id };
            add_id(&ids, &p);
        }
    }
    if (!ids.n && !failed)
        return cli_usage_error("retry", "name a packet or --failed");
    hcs_err err = { 0 };
    int lock = run_lock(cli->cfg, &err);
    if (lock < 0) {
        free(ids.v);
        return cli_fail(&err);
    }
    int rc = 0;
    store *st = store_open(cli->cfg, &err);
    struct exchange_opts xo = { .cfg = cli->cfg, .st = st };
    exchange *x = st ? exchange_new(&xo, &err) : NULL;
    if (!x) {
        rc = cli_fail(&err);
        goto out;
    }
    if (failed) {
        const char *states[] = { PS_FAILED, NULL };
        struct store_packet_filter f = { .states = states };
        if (store_packets_each(st, &f, add_id, &ids, &err) < 0) {
            rc = cli_fail(&err);
            goto out;
        }
    }
    long done = 0;
    for (size_t i = 0; i < ids.n; i++) {
        if (exchange_retry_packet(x, ids.v[i], &err) < 0) {
            fprintf(stderr, "hcsbatch retry: %s\n", err.msg);
            if (err.code != HCS_EX_DATAERR) {
                rc = err.code ? err.code : HCS_EX_FAIL;
                break;
            }
            rc = HCS_EX_DATAERR;
        } else {
            done++;
        }
    }
    if (!cli->quiet)
        printf("%ld packet(s) queued again; the next 'hcsbatch run' or 'hcsbatch send' sends them\n", done);
out:
    exchange_free(x);
    store_close(st);
    run_unlock(lock);
    free(ids.v);
    return rc;
}
