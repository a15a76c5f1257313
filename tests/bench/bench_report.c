/* bench_report — the XLSX report and errors.csv over a generated source of
 * N rows in F files (rows made on the fly, nothing stored): rows/s and peak
 * RSS, to show constant-memory writing.
 * usage: bench_report ROWS FILES OUTDIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "base/xalloc.h"
#include "report/report.h"

struct gen { long rows, files; };

static int g_run(void *ctx, struct report_run *out, hcs_err *err)
{
    (void)ctx; (void)err;
    out->run_id = "bench";
    out->started = time(NULL) - 60;
    out->oldest_pending_age = -1;
    return 0;
}

static int g_files(void *ctx, report_file_fn fn, void *arg, hcs_err *err)
{
    struct gen *g = ctx;
    for (long i = 0; i < g->files; i++) {
        char path[64];
        snprintf(path, sizeof path, "/in/accounts-%03ld.csv", i);
        struct report_file f = { i, path, "importAccountData", g->rows / g->files, "Номер ЛС" };
        if (fn(arg, &f, err) != 0)
            return -1;
    }
    return 0;
}

static int g_rows(void *ctx, const struct report_file *f, report_row_fn fn, void *arg, hcs_err *err)
{
    struct gen *g = ctx;
    long n = g->rows / g->files;
    char key[32], guid[40];
    for (long r = 0; r < n; r++) {
        snprintf(key, sizeof key, "ЛС %08ld", f->id * n + r);
        snprintf(guid, sizeof guid, "5d1c9a4e-4c1b-4a4f-9c1e-%012ld", r);
        struct report_row row = { .row = r + 2, .key = key, .updated = time(NULL) };
        switch (r % 10) {
        case 0:
            row.outcome = REPORT_FAILED;
            row.code = "INT002006";
            row.gis_text = "Объект уже существует: AccountNumber";
            break;
        case 1:
            row.outcome = REPORT_REJECTED;
            row.reason = "неверная дата, ожидается ДД.ММ.ГГГГ";
            row.column = "Дата";
            row.value = "31.02.2026";
            break;
        default:
            row.outcome = REPORT_ACCEPTED;
            row.gis_guid = guid;
            row.unique_number = "77СМ000001";
        }
        if (fn(arg, &row, err) != 0)
            return -1;
    }
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_report ROWS FILES OUTDIR\n");
        return 64;
    }
    struct gen g = { atol(argv[1]), atol(argv[2]) };
    if (g.rows <= 0 || g.files <= 0)
        return 64;
    struct report_source src = { &g, g_run, g_files, g_rows, NULL };
    hcs_err err;
    char *xlsx = xasprintf("%s/bench.xlsx", argv[3]);
    char *csv = xasprintf("%s/bench-errors.csv", argv[3]);
    double t0 = now_s();
    if (report_write_xlsx(&src, xlsx, NULL, NULL, &err) != 0) {
        fprintf(stderr, "bench_report: %s\n", err.msg);
        return 1;
    }
    double t1 = now_s();
    if (report_write_errors_csv(&src, csv, NULL, &err) != 0) {
        fprintf(stderr, "bench_report: %s\n", err.msg);
        return 1;
    }
    double t2 = now_s();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("report xlsx: %ld rows in %ld files, %.2f s, %.0f rows/s\n", g.rows, g.files, t1 - t0,
           g.rows / (t1 - t0));
    printf("errors.csv:  %.2f s, %.0f rows/s\n", t2 - t1, g.rows / (t2 - t1));
    printf("peak RSS: %ld MB\n", ru.ru_maxrss / 1024);
    free(xlsx);
    free(csv);
    return 0;
}
