/* hcsbatch sync — fills the registry of GIS ids from GIS exports: builds
 * the export requests (src/soap/export_request.h) for the houses, OGRNs,
 * registries or billing month asked for, and hands them to one run_batch
 * pass (lock, store as packets, send, poll; exit codes as `run`). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"
#include "cli/batch_cli.h"
#include "base/guid.h"
#include "run/bills.h"
#include "run/history.h"
#include "run/run.h"
#include "store/store.h"

static void usage(FILE *out)
{
    fputs("usage: hcsbatch sync nsi|orgs|houses|accounts|meters|bills|debt|contracts|history\n"
          "                    [--house GUID ...] [--ogrn OGRN ...] [--period YYYY-MM]\n"
          "                    [--account NUMBER ...] [--xlsx REPORT.xlsx] [--from DATE --to DATE]\n"
          "                    [--wait [--max-wait SECONDS]]\n\n"
          "Asks GIS for what it knows and stores it in the registry of GIS ids (the state\n"
          "store in [paths] work_dir), which `convert` and `run` resolve local keys through:\n"
          "  nsi       common НСИ registries 2, 3, 16, 22, 50, 95, 224, 329 (exportNsiPagingItem)\n"
          "            and the organisation's own 1 and 51 (exportDataProviderNsiPagingItem), with\n"
          "            every other registry the templates name; page after page until the last\n"
          "  orgs      organisations by OGRN (exportOrgRegistry); default: every OGRN known\n"
          "  houses    premises, rooms, entrances of a house (exportHouseData)\n"
          "  accounts  the accounts of a house (exportAccountData)\n"
          "  meters    the metering devices of a house (exportMeteringDeviceData)\n"
          "  bills     the payment documents of one month (--period) of every known account\n"
          "            (exportPaymentDocumentData); with --account only those accounts, with\n"
          "            --xlsx (and --wait) also the accountant's workbook of the documents\n"
          "  history   the readings of the metering devices of a house as GIS holds them\n"
          "            (exportMeteringDeviceHistory, archived devices included; the devices the\n"
          "            registry knows: sync meters first); with --wait, then writes the\n"
          "            accountant's workbook reports/meter-history-<date>.xlsx\n"
          "            (docs/meter-changes.md)\n"
          "  debt      the debt subrequests addressed to the organisation, sent between --from\n"
          "            and --to (YYYY-MM-DD, at most 6 months; exportDebtSubrequests, schema\n"
          "            package 14.5.0.1); the next `run` writes their workbook\n"
          "            (docs/debt-requests.md)\n"
          "  contracts management contracts and charters (exportCAChData): with --house,\n"
          "            the documents of those houses (needs gis.org_root_guid, the UOGUID);\n"
          "            without, every contract and charter the registry knows, by GUID\n"
          "houses, accounts, meters, history: default every house the registry knows.\n"
          "Each request is stored as a signed packet (archive/packets/), sent and polled\n"
          "like any packet; without --wait the next run polls it.\n\n"
          "  --house GUID     FIAS house GUID (repeatable)\n"
          "  --ogrn OGRN      OGRN or OGRNIP (repeatable)\n"
          "  --period Y-M     billing month for bills\n"
          "  --account N      bills: Номер ЛС or AccountGUID (repeatable; the registry\n"
          "                   resolves a number)\n"
          "  --xlsx PATH      bills, with --wait: write the payment documents GIS holds for\n"
          "                   the month to PATH (docs/reports.md)\n"
          "  --from, --to D   sending period for debt\n"
          "  --wait           poll until every request is answered\n"
          "  --max-wait N     with --wait: stop after N seconds\n\n"
          "Exit codes: 0 ok, 64 usage, 65 a request failed in GIS, 69 GIS unreachable,\n"
          "75 another run holds the lock, 78 configuration error.\n", out);
}

struct keys {
    char **v;
    size_t n, cap;
};

static void keys_add(struct keys *k, const char *s)
{
    for (size_t i = 0; i < k->n; i++)
        if (!strcmp(k->v[i], s))
            return;
    ARRAY_GROW(k->v, k->n, k->cap);
    k->v[k->n++] = xstrdup(s);
}

static void keys_free(struct keys *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->v[i]);
    free(k->v);
}

/* ---- what the registry already knows ---- */

struct known {
    const char *want;            /* "house", "org", "account" */
    struct keys *out;
};

static int collect_known(void *ctx, const struct store_registry_entry *e)
{
    struct known *k = ctx;
    if (!strcmp(k->want, "house")) {
        const char *bar = e->local_key ? strchr(e->local_key, '|') : NULL;
        if (bar && bar - e->local_key == 36) {
            char house[37];
            memcpy(house, e->local_key, 36);
            house[36] = '\0';
            keys_add(k->out, house);
        }
    } else if (!strcmp(k->want, "org")) {
        keys_add(k->out, e->local_key);
    } else if (!strcmp(k->want, "cach")) {
        if (e->guid && *e->guid) {
            char *key = xasprintf("%s:%s", e->kind, e->guid);
            keys_add(k->out, key);
            free(key);
        }
    } else if (e->guid && *e->guid) {
        keys_add(k->out, e->guid);
    }
    return 0;
}

static int registry_known(struct cli *cli, const char *want, struct keys *out, hcs_err *err)
{
    static const char *const house_kinds[] = { REG_PREMISES, REG_ROOM, REG_METER, NULL };
    static const char *const org_kinds[] = { REG_ORG, NULL };
    static const char *const account_kinds[] = { REG_ACCOUNT, NULL };
    static const char *const cach_kinds[] = { "contract", "charter", NULL };
    const char *const *kinds = !strcmp(want, "house") ? house_kinds : !strcmp(want, "org") ? org_kinds
                               : !strcmp(want, "cach") ? cach_kinds : account_kinds;
    store *st = store_open(cli->cfg, err);
    if (!st)
        return -1;
    struct known k = { want, out };
    int rc = 0;
    for (; rc == 0 && *kinds; kinds++)
        rc = store_registry_list(st, *kinds, collect_known, &k, err);
    store_close(st);
    return rc;
}

/* "<house>|<root>" of every device (active or archived) the registry
 * knows within the houses (all houses when none given). */
struct devices {
    const struct keys *houses;
    struct keys *out;
};

static int collect_device(void *ctx, const struct store_registry_entry *e)
{
    struct devices *d = ctx;
    const char *bar = e->local_key ? strchr(e->local_key, '|') : NULL;
    if (!bar || bar - e->local_key != 36 || !e->guid || strlen(e->guid) != 36)
        return 0;
    int want = d->houses->n == 0;
    for (size_t i = 0; !want && i < d->houses->n; i++)
        want = !strncasecmp(d->houses->v[i], e->local_key, 36);
    if (want) {
        char *k = xasprintf("%.36s|%s", e->local_key, e->guid);
        keys_add(d->out, k);
        free(k);
    }
    return 0;
}

static int registry_devices(struct cli *cli, const struct keys *houses, struct keys *out, hcs_err *err)
{
    store *st = store_open(cli->cfg, err);
    if (!st)
        return -1;
    struct devices d = { houses, out };
    int rc = store_registry_list(st, REG_METER, collect_device, &d, err);
    if (rc == 0)
        rc = store_registry_list(st, REG_METER_ARCHIVED, collect_device, &d, err);
    store_close(st);
    if (rc == 0 && !out->n)
        rc = hcs_fail(err, HCS_EX_USAGE, "no metering device of %s known to the registry: run `hcsbatch sync "
                      "meters` first", houses->n ? "these houses" : "any house");
    return rc;
}

/* After `sync history --wait`: the workbook of the readings stored. */
static int history_workbook(struct cli *cli, const struct keys *houses)
{
    hcs_err err = { 0 };
    store *st = store_open(cli->cfg, &err);
    char *work = run_work_dir(cli->cfg), *path = NULL;
    long rows = 0;
    int rc = st ? run_history_workbook(cli->cfg, st, work, (const char *const *)houses->v, houses->n, &path,
                                       &rows, &err) : -1;
    if (st)
        store_close(st);
    if (rc == 0 && !cli->quiet && path)
        printf("meter history: %ld readings: %s\n", rows, path);
    else if (rc == 0 && !cli->quiet)
        printf("meter history: no readings\n");
    free(path);
    free(work);
    return rc < 0 ? cli_fail(&err) : 0;
}

/* ---- the requests of each kind ---- */

/* Registry numbers the templates name (`nsi:N` in a map.ini), the
 * operator's own templates too. */
static void template_registries(struct cli *cli, int *seen, int max)
{
    char *dir = cfg_path(cli->cfg, "paths.templates_dir");
    DIR *d = dir ? opendir(dir) : NULL;
    for (struct dirent *de; d && (de = readdir(d));) {
        if (de->d_name[0] == '.')
            continue;
        char *path = xasprintf("%s/%s/map.ini", dir, de->d_name);
        FILE *f = fopen(path, "r");
        char line[1024];
        while (f && fgets(line, sizeof line, f)) {
            for (char *p = strstr(line, "nsi:"); p; p = strstr(p + 4, "nsi:")) {
                int reg = atoi(p + 4);
                if (reg > 0 && reg < max)
                    seen[reg] = 1;
            }
        }
        if (f)
            fclose(f);
        free(path);
    }
    if (d)
        closedir(d);
    free(dir);
}

/* The registries `sync nsi` asks for: the common ones the input formats
 * use, the organisation's own 1 and 51, and every one a template names. */
static size_t nsi_registries(struct cli *cli, int *out, size_t max)
{
    enum { MAX_REG = 1000 };
    int seen[MAX_REG] = { 0 };
    static const int wanted[] = { 1, 2, 3, 16, 22, 50, 51, 95, 224, 329 };
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++)
        seen[wanted[i]] = 1;
    template_registries(cli, seen, MAX_REG);
    size_t n = 0;
    for (int reg = 1; reg < MAX_REG && n < max; reg++)
        if (seen[reg])
            out[n++] = reg;
    return n;
}

/* The keys the kind needs: given ones, else what the registry knows. */
static int sync_keys(struct cli *cli, const char *what, struct keys *houses, struct keys *ogrn,
                     struct keys *accounts, struct keys **keys, hcs_err *err)
{
    if (!strcmp(what, "orgs")) {
        *keys = ogrn;
        if (!ogrn->n && registry_known(cli, "org", ogrn, err) < 0)
            return -1;
        return ogrn->n ? 0 : hcs_fail(err, HCS_EX_USAGE, "no OGRN known to the registry: give --ogrn");
    }
    if (!strcmp(what, "bills")) {
        *keys = accounts;
        if (!accounts->n && registry_known(cli, "account", accounts, err) < 0)
            return -1;
        return accounts->n ? 0
                           : hcs_fail(err, HCS_EX_USAGE,
                                      "no account known to the registry: run `hcsbatch sync accounts` first");
    }
    if (!strcmp(what, "history")) {
        *keys = accounts;        /* the spare list: "<house>|<device>" */
        return registry_devices(cli, houses, accounts, err);
    }
    *keys = houses;
    if (!strcmp(what, "nsi") || !strcmp(what, "debt"))
        return 0;
    if (!strcmp(what, "contracts") && !houses->n) {
        /* every contract and charter the registry knows, by its GUID */
        if (registry_known(cli, "cach", houses, err) < 0)
            return -1;
        return houses->n ? 0 : hcs_fail(err, HCS_EX_USAGE, "no contract or charter known to the registry: "
                                                           "give --house FIAS-GUID (and gis.org_root_guid)");
    }
    if (!houses->n && registry_known(cli, "house", houses, err) < 0)
        return -1;
    return houses->n ? 0 : hcs_fail(err, HCS_EX_USAGE, "no house known to the registry: give --house FIAS-GUID");
}

/* --account values as AccountGUIDs: a GUID as it is, a number through the registry. */
static int account_guids(struct cli *cli, const struct keys *given, struct keys *out, hcs_err *err)
{
    if (!given->n)
        return 0;
    store *st = store_open(cli->cfg, err);
    if (!st)
        return -1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < given->n; i++) {
        char g[GUID_STRLEN + 1];
        if (guid_normalize(given->v[i], g) == 0) {
            keys_add(out, g);
            continue;
        }
        int found = store_registry_answer(st, REG_ACCOUNT, given->v[i], g, err);
        if (found == 1)
            keys_add(out, g);
        else if (found == 0)
            rc = hcs_fail(err, HCS_EX_USAGE, "account %s is not in the registry: run `hcsbatch sync accounts` "
                          "or give its AccountGUID", given->v[i]);
        else
            rc = -1;
    }
    store_close(st);
    return rc;
}

/* The workbook of the month's documents, once every export is answered. */
static int bills_xlsx(struct cli *cli, const char *period, const struct keys *accounts, const char *path)
{
    hcs_err err = { 0 };
    store *st = store_open(cli->cfg, &err);
    if (!st)
        return cli_fail(&err);
    char p[8];
    snprintf(p, sizeof p, "%.7s", period);
    long rows = 0;
    int rc = run_bills_workbook(st, p, (const char *const *)accounts->v, accounts->n, path, &rows, &err);
    store_close(st);
    if (rc < 0)
        return cli_fail(&err);
    printf("%s: %ld payment documents\n", path, rows);
    return 0;
}

static int sync_run(struct cli *cli, struct run_opts *o, const char *what, struct keys *houses,
                    struct keys *ogrn, const char *period, const struct keys *given, const char *xlsx)
{
    struct keys accounts = { 0 }, *keys = NULL;
    int regs[64];
    struct exchange_sync_ask ask = { .what = what, .period = period,
                                     .uo_guid = cfg_str(cli->cfg, "gis.org_root_guid") };
    struct exchange_export *v = NULL;
    size_t n = 0;
    hcs_err err = { 0 };
    int rc;
    if (!strcmp(what, "nsi"))
        ask.nregistries = nsi_registries(cli, regs, sizeof regs / sizeof regs[0]);
    ask.registries = regs;
    rc = account_guids(cli, given, &accounts, &err);
    if (rc == 0)
        rc = sync_keys(cli, what, houses, ogrn, &accounts, &keys, &err);
    if (rc == 0) {
        ask.keys = (const char *const *)keys->v;
        ask.nkeys = keys->n;
        rc = exchange_sync_exports(&ask, &v, &n, &err);
    }
    if (rc < 0) {
        rc = err.code == HCS_EX_USAGE ? cli_usage_error("sync", "%s", err.msg) : cli_fail(&err);
    } else {
        o->exports = v;
        o->nexports = n;
        rc = cli_run_batch(cli, o);
        if (rc == 0 && xlsx)
            rc = bills_xlsx(cli, period, given->n ? &accounts : &(struct keys){ 0 }, xlsx);
        if (rc == 0 && o->wait && !strcmp(what, "history"))
            rc = history_workbook(cli, houses);
    }
    exchange_exports_free(v, n);
    keys_free(&accounts);
    return rc;
}

CLI_COMMAND(sync)
{
    static const char *const kinds[] = { "nsi", "orgs", "houses", "accounts", "meters", "bills", "debt",
                                         "contracts", "history", NULL };
    struct run_opts o = { .command = "sync", .send = 1, .poll = 1 };
    const char *what = NULL, *period = NULL, *from = NULL, *to = NULL, *xlsx = NULL;
    struct keys houses = { 0 }, ogrn = { 0 }, given = { 0 };
    int rc = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            goto out;
        } else if (!strcmp(argv[i], "--wait")) {
            o.wait = 1;
        } else if (!strcmp(argv[i], "--max-wait") && i + 1 < argc) {
            o.max_wait_s = atol(argv[++i]);
        } else if (!strcmp(argv[i], "--house") && i + 1 < argc) {
            keys_add(&houses, argv[++i]);
        } else if (!strcmp(argv[i], "--ogrn") && i + 1 < argc) {
            keys_add(&ogrn, argv[++i]);
        } else if (!strcmp(argv[i], "--account") && i + 1 < argc) {
            keys_add(&given, argv[++i]);
        } else if (!strcmp(argv[i], "--xlsx") && i + 1 < argc) {
            xlsx = argv[++i];
        } else if (!strcmp(argv[i], "--period") && i + 1 < argc) {
            period = argv[++i];
        } else if (!strcmp(argv[i], "--from") && i + 1 < argc) {
            from = argv[++i];
        } else if (!strcmp(argv[i], "--to") && i + 1 < argc) {
            to = argv[++i];
        } else if (!what && argv[i][0] != '-') {
            for (const char *const *k = kinds; *k && !what; k++)
                if (!strcmp(*k, argv[i]))
                    what = *k;
            if (!what)
                rc = cli_usage_error("sync", "unknown kind '%s'", argv[i]);
        } else {
            rc = cli_usage_error("sync", "unknown argument '%s'", argv[i]);
        }
    }
    if (rc == 0 && !what)
        rc = cli_usage_error("sync", "what to sync: nsi, orgs, houses, accounts, meters, bills, debt, "
                                     "contracts or history");
    if (rc == 0 && !strcmp(what, "debt")) {
        if (!from || !to)
            rc = cli_usage_error("sync", "sync debt needs --from and --to (YYYY-MM-DD)");
        else {
            /* the sending period travels as the two keys (exchange.h) */
            keys_free(&houses);
            memset(&houses, 0, sizeof houses);
            ARRAY_GROW(houses.v, houses.n, houses.cap);
            houses.v[houses.n++] = xstrdup(from);
            ARRAY_GROW(houses.v, houses.n, houses.cap);
            houses.v[houses.n++] = xstrdup(to);
        }
    }
    if (rc == 0 && (given.n || xlsx) && strcmp(what, "bills"))
        rc = cli_usage_error("sync", "--account and --xlsx are for sync bills");
    if (rc == 0 && xlsx && !o.wait)
        rc = cli_usage_error("sync", "--xlsx needs --wait (the workbook shows the answered exports)");
    if (rc)
        goto out;
    rc = sync_run(cli, &o, what, &houses, &ogrn, period, &given, xlsx);
out:
    keys_free(&given);
    keys_free(&houses);
    keys_free(&ogrn);
    return rc;
}
