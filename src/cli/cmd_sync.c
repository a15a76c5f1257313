/* hcsbatch sync — fills the registry of GIS ids from GIS exports: builds
 * the export requests (src/soap/export_request.h) for the houses, OGRNs,
 * registries or billing month asked for, and hands them to one run_batch
 * pass (lock, store as packets, send, poll; exit codes as `run`). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cli/batch_cli.h"
#include "soap/export_request.h"
#include "store/store.h"

static void usage(FILE *out)
{
    fputs("usage: hcsbatch sync nsi|orgs|houses|accounts|meters|bills [--house GUID ...]\n"
          "                    [--ogrn OGRN ...] [--period YYYY-MM] [--wait [--max-wait SECONDS]]\n\n"
          "Asks GIS for what it knows and stores it in the registry of GIS ids (the state\n"
          "store in [paths] work_dir), which `convert` and `run` resolve local keys through:\n"
          "  nsi       common НСИ registries 2, 3, 16, 22, 50, 95, 224, 329 (exportNsiItem) and\n"
          "            the organisation's own 1 and 51 (exportDataProviderNsiItem), with every\n"
          "            other registry the templates name\n"
          "  orgs      organisations by OGRN (exportOrgRegistry); default: every OGRN known\n"
          "  houses    premises, rooms, entrances of a house (exportHouseData)\n"
          "  accounts  the accounts of a house (exportAccountData)\n"
          "  meters    the metering devices of a house (exportMeteringDeviceData)\n"
          "  bills     the payment documents of one month (--period) of every known account\n"
          "            (exportPaymentDocumentData)\n"
          "houses, accounts, meters: default every house the registry knows.\n"
          "Each request is stored as a signed packet (archive/packets/), sent and polled\n"
          "like any packet; without --wait the next run polls it.\n\n"
          "  --house GUID     FIAS house GUID (repeatable)\n"
          "  --ogrn OGRN      OGRN or OGRNIP (repeatable)\n"
          "  --period Y-M     billing month for bills\n"
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

struct requests {
    struct exchange_export *v;
    size_t n, cap;
};

static void request_add(struct requests *r, const char *operation, strbuf *body, const char *split)
{
    ARRAY_GROW(r->v, r->n, r->cap);
    r->v[r->n++] = (struct exchange_export){ operation, sb_detach(body, NULL), split ? xstrdup(split) : NULL };
}

static void requests_free(struct requests *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free((char *)r->v[i].body);
        free((char *)r->v[i].split_value);
    }
    free(r->v);
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
    const char *const *kinds = !strcmp(want, "house") ? house_kinds : !strcmp(want, "org") ? org_kinds
                                                                                           : account_kinds;
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

/* ---- the requests of each kind ---- */

/* Registry numbers the templates name (`nsi:N` in a map.ini). */
static void template_registries(struct cli *cli, int *seen, int max)
{
    char *dir = cfg_path(cli->cfg, "paths.templates_dir");
    static const char *const names[] = { "importAccountData", "importMeteringDeviceData",
                                         "importMeteringDeviceValues", "importPaymentDocumentData",
                                         "importPaymentDocumentData-withdraw", NULL };
    for (const char *const *n = names; dir && *n; n++) {
        char *path = xasprintf("%s/%s/map.ini", dir, *n);
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
    free(dir);
}

static int nsi_requests(struct cli *cli, struct requests *r, hcs_err *err)
{
    enum { MAX_REG = 1000 };
    int seen[MAX_REG] = { 0 };
    static const int common[] = { 2, 3, 16, 22, 50, 95, 224, 329 };
    static const int own[] = { 1, 51 };
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
        seen[common[i]] = 1;
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        seen[own[i]] = 1;
    template_registries(cli, seen, MAX_REG);
    strbuf b = STRBUF_INIT;
    for (int reg = 1; reg < MAX_REG; reg++) {
        if (!seen[reg])
            continue;
        char split[16];
        snprintf(split, sizeof split, "%d", reg);
        hcs_err e = { 0 };
        /* The organisation's own registries are asked of its provider
         * service; the others of the common НСИ. */
        if (export_provider_nsi_request(&b, reg, &e) == 0) {
            request_add(r, "exportDataProviderNsiItem", &b, split);
        } else if (export_nsi_item_request(&b, reg, "NSI", err) == 0) {
            request_add(r, "exportNsiItem", &b, split);
        } else {
            sb_free(&b);
            return -1;
        }
    }
    return 0;
}

static int house_requests(const char *what, const struct keys *houses, struct requests *r, hcs_err *err)
{
    strbuf b = STRBUF_INIT;
    for (size_t i = 0; i < houses->n; i++) {
        const char *h = houses->v[i];
        int rc;
        const char *op;
        if (!strcmp(what, "houses")) {
            rc = export_house_request(&b, h, err);
            op = "exportHouseData";
        } else if (!strcmp(what, "accounts")) {
            rc = export_account_request(&b, h, err);
            op = "exportAccountData";
        } else {
            rc = export_meter_request(&b, h, err);
            op = "exportMeteringDeviceData";
        }
        if (rc < 0) {
            sb_free(&b);
            return -1;
        }
        request_add(r, op, &b, h);
    }
    return 0;
}

static int org_requests(const struct keys *ogrn, struct requests *r, hcs_err *err)
{
    strbuf b = STRBUF_INIT;
    for (size_t i = 0; i < ogrn->n; i += 100) {
        size_t n = ogrn->n - i < 100 ? ogrn->n - i : 100;
        if (export_org_request(&b, (const char *const *)ogrn->v + i, n, err) < 0) {
            sb_free(&b);
            return -1;
        }
        request_add(r, "exportOrgRegistry", &b, NULL);
    }
    return 0;
}

static int bill_requests(const char *period, const struct keys *accounts, struct requests *r, hcs_err *err)
{
    int year = 0, month = 0;
    char tail;
    if (!period || sscanf(period, "%d-%d%c", &year, &month, &tail) != 2)
        return hcs_fail(err, HCS_EX_USAGE, "sync bills needs --period YYYY-MM");
    char split[8];
    snprintf(split, sizeof split, "%04d-%02d", year, month);
    strbuf b = STRBUF_INIT;
    for (size_t i = 0; i < accounts->n; i += 1000) {
        size_t n = accounts->n - i < 1000 ? accounts->n - i : 1000;
        if (export_payment_documents_request(&b, year, month, (const char *const *)accounts->v + i, n,
                                             err) < 0) {
            sb_free(&b);
            return -1;
        }
        request_add(r, "exportPaymentDocumentData", &b, split);
    }
    return 0;
}

static int build_requests(struct cli *cli, const char *what, struct keys *houses, struct keys *ogrn,
                          const char *period, struct requests *r, hcs_err *err)
{
    if (!strcmp(what, "nsi"))
        return nsi_requests(cli, r, err);
    if (!strcmp(what, "orgs")) {
        if (!ogrn->n && registry_known(cli, "org", ogrn, err) < 0)
            return -1;
        if (!ogrn->n)
            return hcs_fail(err, HCS_EX_USAGE, "no OGRN known to the registry: give --ogrn");
        return org_requests(ogrn, r, err);
    }
    if (!strcmp(what, "bills")) {
        struct keys accounts = { 0 };
        int rc = registry_known(cli, "account", &accounts, err);
        if (rc == 0 && !accounts.n)
            rc = hcs_fail(err, HCS_EX_USAGE, "no account known to the registry: run `hcsbatch sync accounts` first");
        if (rc == 0)
            rc = bill_requests(period, &accounts, r, err);
        keys_free(&accounts);
        return rc;
    }
    if (!houses->n && registry_known(cli, "house", houses, err) < 0)
        return -1;
    if (!houses->n)
        return hcs_fail(err, HCS_EX_USAGE, "no house known to the registry: give --house FIAS-GUID");
    return house_requests(what, houses, r, err);
}

CLI_COMMAND(sync)
{
    static const char *const kinds[] = { "nsi", "orgs", "houses", "accounts", "meters", "bills", NULL };
    struct run_opts o = { .command = "sync", .send = 1, .poll = 1 };
    const char *what = NULL, *period = NULL;
    struct keys houses = { 0 }, ogrn = { 0 };
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
        } else if (!strcmp(argv[i], "--period") && i + 1 < argc) {
            period = argv[++i];
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
        rc = cli_usage_error("sync", "what to sync: nsi, orgs, houses, accounts, meters or bills");
    if (rc)
        goto out;
    struct requests r = { 0 };
    hcs_err err = { 0 };
    if (build_requests(cli, what, &houses, &ogrn, period, &r, &err) < 0) {
        rc = err.code == HCS_EX_USAGE ? cli_usage_error("sync", "%s", err.msg) : cli_fail(&err);
    } else {
        o.exports = r.v;
        o.nexports = r.n;
        rc = cli_run_batch(cli, &o);
    }
    requests_free(&r);
out:
    keys_free(&houses);
    keys_free(&ogrn);
    return rc;
}
