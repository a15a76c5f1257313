/* bench_read — reads every row of each given table file (CSV or XLSX) with
 * src/read/table and prints rows/s and the process's peak RSS.  Nothing but
 * the reader runs, so this is the reader's own cost.
 *   bench_read FILE...      (run one file per process for a clean peak RSS) */
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

#include "read/read.h"

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
        struct rusage ru0;
        getrusage(RUSAGE_SELF, &ru0);
        double cpu0 = (double)ru0.ru_utime.tv_sec + ru0.ru_utime.tv_usec / 1e6 +
                      (double)ru0.ru_stime.tv_sec + ru0.ru_stime.tv_usec / 1e6;
        double t0 = now();
        table *t = table_open(argv[i], NULL, &err);
        if (!t) {
            fprintf(stderr, "bench_read: %s\n", err.msg);
            return 1;
        }
        const struct table_row *r;
        long rows = 0, problems = 0;
        size_t cells = 0;
        int rc;
        while ((rc = table_next(t, &r, &err)) == 1) {
            rows++;
            problems += r->problem != NULL;
            cells += r->ncells;
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
        /* CPU time too: on a busy machine wall-clock rows/s understates the reader */
        double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
                     (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6 - cpu0;
        printf("read %-4s %ld rows (%zu cells, %ld with problems) in %.2f s = %.0f rows/s "
               "(CPU %.2f s = %.0f rows/CPU-s), peak RSS %.1f MB  [%s]\n",
               fmt, rows, cells, problems, dt, rows / (dt > 0 ? dt : 1e-9), cpu,
               rows / (cpu > 0 ? cpu : 1e-9), ru.ru_maxrss / 1024.0, argv[i]);
    }
    return 0;
}
