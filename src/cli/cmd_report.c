/* hcsbatch report FILE — the XLSX report of one input file's current
 * (final, once every packet is answered) state, from the state store:
 * every source row with its outcome, GIS ids and errors, hints.
 * Reads only: no run lock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/packet_counts.h"
#include "base/xalloc.h"
#include "run/run_report.h"
#include "report/report.h"
#include "run/report_store.h"
#include "store/store.h"

/* The summary's packets are the file's, counted as `hcsbatch status FILE`
 * counts them (run_report's own count is the whole store's, right for a
 * run's report). */
static int file_packet_states(void *vctx, report_state_fn fn, void *arg, hcs_err *err)
{
    const struct run_report_ctx *c = vctx;
    return packet_counts_each(c->st, c->file_id, fn, arg, err);
}

static void usage(FILE *out)
{
    fputs("usage: hcsbatch report [--out REPORT.xlsx] FILE\n\n"
          "Writes the XLSX report of one input file as the state store knows it now:\n"
          "every source row with its outcome (принято, ошибка, ожидает ответа ГИС,\n"
          "отложено, отклонено до отправки, отправлено), the GIS identifier and unique\n"
          "number, the GIS error code and text, and a hint for the accountant.\n"
          "FILE is the input file as it was taken: its path, its archive path or its\n"
          "name; the latest file of that name is reported.  The summary counts that\n"
          "file's packets by state, as 'hcsbatch status FILE' does.\n\n"
          "  --out PATH    where to write (default: <work_dir>/<report.dir>/<date>-<name>.xlsx)\n\n"
          "Prints the path written.  Exit codes: 0 written, 66 FILE unknown to the store,\n"
          "73 the report cannot be written, 78 configuration.\n", out);
}

CLI_COMMAND(report)
{
    const char *out_path = NULL, *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
            out_path = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage_error("report", "unknown option '%s'", argv[i]);
        } else if (!file) {
            file = argv[i];
        } else {
            return cli_usage_error("report", "one input file at a time ('%s' is extra)", argv[i]);
        }
    }
    if (!file)
        return cli_usage_error("report", "which input file? (hcsbatch report FILE)");

    hcs_err err = { 0 };
    store *st = store_open(cli->cfg, &err);
    if (!st)
        return cli_fail(&err);
    int64_t file_id = 0;
    int found = report_store_find_file(st, file, &file_id, &err);
    if (found <= 0) {
        store_close(st);
        if (found == 0)
            hcs_fail(&err, HCS_EX_NOINPUT, "%s: no such input file in the state store "
                     "(see 'hcsbatch status' for the files taken)", file);
        return cli_fail(&err);
    }
    struct run_report_ctx ctx = { .st = st, .file_id = file_id };
    struct store_file f = { 0 };
    if (store_file_get(st, file_id, &f, &err) == 0) {
        ctx.run_id = f.run_id;
        ctx.started = f.created_at;
        store_file_clear(&f);
    }
    struct report_source src;
    run_report_source(&ctx, &src);
    src.packet_states = file_packet_states;
    char *written = NULL;
    int rc = report_write_file_report(cli->cfg, &src, out_path, 0, &written, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(&err);
    printf("%s\n", written);
    free(written);
    return 0;
}
