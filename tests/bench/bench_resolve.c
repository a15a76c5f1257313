/* bench_resolve — the registry's cost in a conversion (issue 11).
 *
 *   bench_resolve fill STORE REGISTRY N
 *       a fresh state store holding N registry objects in one transaction:
 *       the premises REGISTRY lists ("<key><TAB><guid>" lines, gen_inputs
 *       --local-keys) under their keys, the rest filler accounts
 *   bench_resolve convert [--store STORE] FILE
 *       convert_file importAccountData, unsigned, every packet XSD-validated
 *       (SCHEMAS_DIR), packets dropped; with --store every [resolve] key is
 *       asked from STORE's registry (exchange_resolve, as the nightly run
 *       asks), without it only the GIS ids in the file count
 *
 *   bench_resolve convert --keys-only --store STORE FILE
 *       the chain's keys-only pass alone (convert_opts.keys_only)
 *   bench_resolve lookup STORE REGISTRY
 *       only the lookups: every key REGISTRY lists asked once, in order
 *
 * Prints one line "rows R rejected J packets P cpu S wall W rss_kb K lookups
 * L in_resolver T" (CPU time user+sys: the machine may be shared; T the
 * wall time spent inside the resolver) for bench_resolve.sh to compare.
 * One conversion per process for a clean peak RSS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "base/config.h"
#include "exchange/exchange.h"
#include "packet/convert.h"
#include "proto/schema.h"
#include "store/store.h"

static double cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static int die(const char *what, const hcs_err *err)
{
    fprintf(stderr, "bench_resolve: %s: %s\n", what, err ? err->msg : "failed");
    return 1;
}

static int put(store *st, const char *kind, const char *key, const char *guid, hcs_err *err)
{
    struct store_registry_entry e = { .kind = (char *)kind, .local_key = (char *)key, .guid = (char *)guid };
    return store_registry_put_key(st, &e, err);
}

static int fill(const char *path, const char *registry, long n)
{
    hcs_err err = { 0 };
    unlink(path);
    store *st = store_open_sqlite(path, 5000, &err);
    if (!st)
        return die(path, &err);
    FILE *f = fopen(registry, "r");
    if (!f) {
        perror(registry);
        return 1;
    }
    double c0 = cpu_now(), w0 = wall_now();
    if (store_set_full_sync(st, 0, &err) < 0 || store_begin(st, &err) < 0)
        return die("begin", &err);
    char line[512];
    long put_n = 0, premises = 0;
    while (put_n < n && fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        tab[1 + strcspn(tab + 1, "\r\n")] = '\0';
        if (put(st, REG_PREMISES, line, tab + 1, &err) < 0)
            return die("put", &err);
        put_n++;
        premises++;
    }
    fclose(f);
    for (long i = 0; put_n < n; i++, put_n++) {
        char key[32], guid[37];
        snprintf(key, sizeof key, "%012ld", i);
        snprintf(guid, sizeof guid, "00000000-0000-4000-8000-%012ld", i);
        if (put(st, REG_ACCOUNT, key, guid, &err) < 0)
            return die("put", &err);
    }
    if (store_commit(st, &err) < 0)
        return die("commit", &err);
    store_close(st);
    printf("filled %ld registry objects (%ld premises) in %.1f s wall, %.1f s cpu\n", put_n, premises,
           wall_now() - w0, cpu_now() - c0);
    return 0;
}

/* exchange_resolve timed: the resolution's own cost, measured inside the
 * conversion (the end-to-end difference is noisy on a shared machine). */
static double resolve_seconds;
static long lookups;

static int resolve_timed(void *ctx, const char *kind, const char *local_key, char guid[37])
{
    double t0 = wall_now();
    int rc = exchange_resolve(ctx, kind, local_key, guid);
    resolve_seconds += wall_now() - t0;
    lookups++;
    return rc;
}

struct counts {
    long packets, rejects;
};

static int on_packet(void *ctx, struct packet **p, hcs_err *err)
{
    (void)p;
    (void)err;
    ((struct counts *)ctx)->packets++;
    return 0;
}

static void on_reject(void *ctx, const struct convert_reject *r)
{
    struct counts *c = ctx;
    if (c->rejects++ < 3)
        fprintf(stderr, "bench_resolve: row %ld rejected: %s\n", r->row, r->reason);
}

static int keys_only;            /* convert --keys-only: the chain's cheap pass */

static int convert(const char *store_path, const char *file)
{
    hcs_err err = { 0 };
    hcs_config *cfg = cfg_load(NULL, &err);
    const char *schemas_dir = getenv("SCHEMAS_DIR");
    if (!cfg || cfg_set(cfg, "paths.templates_dir", "templates", &err) < 0
        || cfg_set(cfg, "paths.nsi_dir", "samples/world/nsi", &err) < 0
        || cfg_set(cfg, "gis.org_ppa_guid", "c8f1d2e3-a4b5-4c6d-8e7f-9a0b1c2d3e4f", &err) < 0)
        return die("config", &err);
    schema_set *schemas = schema_set_open(schemas_dir ? schemas_dir : "../shared/hcs-wsdl-12.2.2.15", &err);
    if (!schemas)
        return die("schemas", &err);
    store *st = NULL;
    if (store_path && !(st = store_open_sqlite(store_path, 5000, &err)))
        return die(store_path, &err);
    struct convert_opts o = { .cfg = cfg, .template_name = "importAccountData", .schemas = schemas,
                              .resolve = st ? resolve_timed : NULL, .resolve_ctx = st,
                              .keys_only = keys_only };
    struct counts c = { 0 };
    struct convert_sink sink = { &c, on_packet, on_reject };
    struct convert_stats cs;
    double c0 = cpu_now(), w0 = wall_now();
    /* the nightly run converts a file inside one store transaction (intake.c) */
    if (st && store_begin(st, &err) < 0)
        return die("begin", &err);
    if (convert_file(&o, file, &sink, &cs, &err) < 0)
        return die(file, &err);
    if (st)
        store_rollback(st);
    double cpu = cpu_now() - c0, wall = wall_now() - w0;
    printf("rows %ld rejected %ld packets %ld cpu %.2f wall %.2f rss_kb %ld lookups %ld in_resolver %.2f\n",
           cs.rows, cs.rows_rejected, c.packets, cpu, wall, peak_rss_kb(), lookups, resolve_seconds);
    if (st)
        store_close(st);
    schema_set_free(schemas);
    cfg_free(cfg);
    return 0;
}

/* Only the lookups: every key of REGISTRY asked once, in file order. */
static int lookup(const char *path, const char *registry)
{
    hcs_err err = { 0 };
    store *st = store_open_sqlite(path, 5000, &err);
    FILE *f = fopen(registry, "r");
    if (!st || !f)
        return die(path, &err);
    char line[512], guid[37];
    long n = 0, found = 0;
    double c0 = cpu_now();
    if (store_begin(st, &err) < 0)
        return die("begin", &err);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\t")] = '\0';
        int rc = exchange_resolve(st, REG_PREMISES, line, guid);
        if (rc < 0)
            return die("lookup", NULL);
        found += rc;
        n++;
    }
    store_rollback(st);
    double cpu = cpu_now() - c0;
    printf("%ld lookups, %ld found: %.2f s cpu, %.2f us each, peak RSS %.1f MB\n", n, found, cpu,
           n ? cpu / n * 1e6 : 0, peak_rss_kb() / 1024.0);
    fclose(f);
    store_close(st);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "lookup"))
        return lookup(argv[2], argv[3]);
    if (argc == 5 && !strcmp(argv[1], "fill"))
        return fill(argv[2], argv[3], atol(argv[4]));
    if (argc == 3 && !strcmp(argv[1], "convert"))
        return convert(NULL, argv[2]);
    if (argc == 5 && !strcmp(argv[1], "convert") && !strcmp(argv[2], "--store"))
        return convert(argv[3], argv[4]);
    if (argc == 6 && !strcmp(argv[1], "convert") && !strcmp(argv[2], "--keys-only") && !strcmp(argv[3], "--store")) {
        keys_only = 1;
        return convert(argv[4], argv[5]);
    }
    fprintf(stderr, "usage: bench_resolve fill STORE REGISTRY N\n"
                    "       bench_resolve convert [--keys-only --store STORE | --store STORE] FILE\n"
                    "       bench_resolve lookup STORE REGISTRY\n");
    return 64;
}
