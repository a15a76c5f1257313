/* hcsbatch cancel — a packet GIS has not acknowledged is never sent; its
 * elements are reported as cancelled. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "run/run_lock.h"
#include "exchange/exchange.h"

static void usage(FILE *out)
{
    fputs("usage: hcsbatch cancel PACKET...\n\n"
          "Cancels packets that GIS has not acknowledged (prepared or deferred; ids from\n"
          "'hcsbatch status'): they are never sent and their rows are reported as\n"
          "cancelled.  A packet GIS has acknowledged cannot be cancelled.\n\n"
          "Exit codes: 0 ok, 65 a packet cannot be cancelled, 75 locked, 78 config.\n", out);
}

CLI_COMMAND(cancel)
{
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        }
        char *end;
        long long id = strtoll(argv[i], &end, 10);
        if (*end || id <= 0)
            return cli_usage_error("cancel", "'%s' is not a packet id", argv[i]);
        n++;
    }
    if (!n)
        return cli_usage_error("cancel", "name a packet");
    hcs_err err = { 0 };
    int lock = run_lock(cli->cfg, &err);
    if (lock < 0)
        return cli_fail(&err);
    int rc = 0;
    store *st = store_open(cli->cfg, &err);
    struct exchange_opts xo = { .cfg = cli->cfg, .st = st };
    exchange *x = st ? exchange_new(&xo, &err) : NULL;
    if (!x) {
        rc = cli_fail(&err);
    } else {
        for (int i = 1; i < argc; i++) {
            long long id = strtoll(argv[i], NULL, 10);
            if (exchange_cancel_packet(x, id, &err) < 0) {
                fprintf(stderr, "hcsbatch cancel: %s\n", err.msg);
                rc = err.code ? err.code : HCS_EX_FAIL;
            } else if (!cli->quiet) {
                printf("packet %lld cancelled\n", id);
            }
        }
    }
    exchange_free(x);
    store_close(st);
    run_unlock(lock);
    return rc;
}
