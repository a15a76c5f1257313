/* bench_read — reads every row of each given table file (CSV or XLSX) with
 * src/read/table and prints rows/s and the process's peak RSS.  Nothing but
 * the reader runs, so this is the reader's own cost.
 *   bench_read FILE...      (run one file per process for a clean peak RSS) */
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

#include "read/table.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_read FILE...\n");
        return 64;
    }
    for (int i = 1; i < argc; i++) {
        hcs_err err = { 0 };
        double t0 = now();
        table *t = table_open(argv[i], NULL, &err);
        if (!t) {
            fprintf(stderr, "bench_read: %s\n", err.msg);
            return 1;
        }
        const struct table_row *r;
        long rows = 0, problems = 0;
        size_t bytes = 0;
        int rc;
        while ((rc = table_next(t, &r, &err)) == 1) {
            rows++;
            problems += r->problem != NULL;
            bytes += r->ncells;
        }
        if (rc < 0) {
            fprintf(stderr, "bench_read: %s\n", err.msg);
            return 1;
        }
        double dt = now() - t0;
        const char *fmt = table_format(t);
        table_close(t);
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        printf("read %-4s %ld rows (%zu cells, %ld with problems) in %.2f s = %.0f rows/s, peak RSS %.1f MB  [%s]\n",
               fmt, rows, bytes, problems, dt, rows / (dt > 0 ? dt : 1e-9), ru.ru_maxrss / 1024.0, argv[i]);
    }
    return 0;
}
