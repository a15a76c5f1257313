/* xsync — the export requests `hcsbatch sync` asks for, built from what
 * it names (houses, OGRNs, accounts, НСИ registries, a billing month)
 * into exchange_export entries (see exchange.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "exchange/exchange_impl.h"
#include "soap/export_request.h"

struct exports {
    struct exchange_export *v;
    size_t n, cap;
};

static void add(struct exports *r, const char *operation, strbuf *body, const char *split)
{
    ARRAY_GROW(r->v, r->n, r->cap);
    r->v[r->n++] = (struct exchange_export){ operation, sb_detach(body, NULL), split ? xstrdup(split) : NULL };
}

void exchange_exports_free(struct exchange_export *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)v[i].body);
        free((char *)v[i].split_value);
    }
    free(v);
}

static int nsi_exports(const struct exchange_sync_ask *a, struct exports *r, strbuf *b, hcs_err *err)
{
    for (size_t i = 0; i < a->nregistries; i++) {
        char split[16];
        snprintf(split, sizeof split, "%d", a->registries[i]);
        hcs_err ignored = { 0 };
        /* The organisation's own registries are asked of its provider
         * service; the others of the common НСИ.  By pages where the schema
         * has them (page 1 here; x_apply_export asks for the next ones). */
        if (export_provider_nsi_paging_request(b, a->registries[i], 1, &ignored) == 0)
            add(r, "exportDataProviderNsiPagingItem", b, split);
        else if (export_provider_nsi_request(b, a->registries[i], &ignored) == 0)
            add(r, "exportDataProviderNsiItem", b, split);
        else if (export_nsi_paging_request(b, a->registries[i], "NSI", 1, err) == 0)
            add(r, "exportNsiPagingItem", b, split);
        else
            return -1;
    }
    return 0;
}

static int house_exports(const struct exchange_sync_ask *a, struct exports *r, strbuf *b, hcs_err *err)
{
    for (size_t i = 0; i < a->nkeys; i++) {
        const char *h = a->keys[i], *op;
        int rc;
        if (!strcmp(a->what, "houses")) {
            rc = export_house_request(b, h, err);
            op = "exportHouseData";
        } else if (!strcmp(a->what, "accounts")) {
            rc = export_account_request(b, h, err);
            op = "exportAccountData";
        } else {
            rc = export_meter_request(b, h, err);
            op = "exportMeteringDeviceData";
        }
        if (rc < 0)
            return -1;
        add(r, op, b, h);
    }
    return 0;
}

/* Requests of up to `per` keys each (the schema's limit). */
static int batched_exports(const struct exchange_sync_ask *a, struct exports *r, strbuf *b, hcs_err *err)
{
    int bills = !strcmp(a->what, "bills");
    int year = 0, month = 0;
    char tail, split[8];
    if (bills && (!a->period || sscanf(a->period, "%d-%d%c", &year, &month, &tail) != 2))
        return hcs_fail(err, HCS_EX_USAGE, "sync bills needs --period YYYY-MM");
    snprintf(split, sizeof split, "%04d-%02d", year % 10000, month % 100);
    size_t per = bills ? 1000 : 100;
    for (size_t i = 0; i < a->nkeys; i += per) {
        size_t n = a->nkeys - i < per ? a->nkeys - i : per;
        int rc = bills ? export_payment_documents_request(b, year, month, a->keys + i, n, err)
                       : export_org_request(b, a->keys + i, n, err);
        if (rc < 0)
            return -1;
        add(r, bills ? "exportPaymentDocumentData" : "exportOrgRegistry", b, bills ? split : NULL);
    }
    return 0;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* keys "<FIAS house>|<MeteringDeviceRootGUID>": one request per house and
 * 100 devices (the schema's limit), split by house. */
static int history_exports(const struct exchange_sync_ask *a, struct exports *r, strbuf *b, hcs_err *err)
{
    const char **k = xcalloc(a->nkeys ? a->nkeys : 1, sizeof *k);
    memcpy(k, a->keys, a->nkeys * sizeof *k);
    qsort(k, a->nkeys, sizeof *k, by_text);
    const char *roots[100];
    int rc = 0;
    for (size_t i = 0; i < a->nkeys && rc == 0;) {
        size_t hlen = strcspn(k[i], "|"), n = 0;
        char house[64];
        snprintf(house, sizeof house, "%.*s", (int)hlen, k[i]);
        for (; i < a->nkeys && n < 100 && !strncmp(k[i], house, hlen) && k[i][hlen] == '|'; i++)
            if (!n || strcmp(roots[n - 1], k[i] + hlen + 1))
                roots[n++] = k[i] + hlen + 1;
        if (n == 0)
            rc = hcs_fail(err, HCS_EX_USAGE, "not <house>|<device>: %s", k[i++]);
        else if ((rc = export_meter_history_request(b, house, roots, n, err)) == 0)
            add(r, "exportMeteringDeviceHistory", b, house);
    }
    free(k);
    return rc;
}

/* The subrequests sent within keys[0]..keys[1] (YYYY-MM-DD), first block. */
static int debt_exports(const struct exchange_sync_ask *a, struct exports *r, strbuf *b, hcs_err *err)
{
    if (a->nkeys != 2)
        return hcs_fail(err, HCS_EX_USAGE, "sync debt needs the sending period FROM TO (YYYY-MM-DD)");
    if (export_debt_subrequests_request(b, a->keys[0], a->keys[1], NULL, err) < 0)
        return -1;
    char split[32];
    snprintf(split, sizeof split, "%.10s..%.10s", a->keys[0], a->keys[1]);
    add(r, "exportDebtSubrequests", b, split);
    return 0;
}

/* Contracts and charters: keys "contract:GUID" / "charter:GUID" (the
 * registry's), up to 100 a request, or FIAS houses, one request each. */
static int cach_exports(const struct exchange_sync_ask *a, struct exports *r, strbuf *b, hcs_err *err)
{
    for (size_t i = 0; i < a->nkeys;) {
        int by_guid = strchr(a->keys[i], ':') != NULL;
        size_t n = 1;
        while (by_guid && i + n < a->nkeys && n < 100 && strchr(a->keys[i + n], ':'))
            n++;
        int rc = by_guid ? export_cach_guid_request(b, a->keys + i, n, err)
                         : export_cach_house_request(b, a->uo_guid, a->keys[i], err);
        if (rc < 0)
            return -1;
        add(r, "exportCAChData", b, by_guid ? NULL : a->keys[i]);
        i += n;
    }
    return 0;
}

int x_next_page_request(const char *operation, const char *split_value, int page, strbuf *body, hcs_err *err)
{
    int registry = split_value ? atoi(split_value) : 0;
    if (!strcmp(operation, "exportNsiPagingItem"))
        return export_nsi_paging_request(body, registry, "NSI", page, err);
    if (!strcmp(operation, "exportDataProviderNsiPagingItem"))
        return export_provider_nsi_paging_request(body, registry, page, err);
    return hcs_fail(err, HCS_EX_SOFTWARE, "%s has no page to ask for", operation);
}

int exchange_sync_exports(const struct exchange_sync_ask *a, struct exchange_export **out, size_t *n,
                          hcs_err *err)
{
    struct exports r = { 0 };
    strbuf b = STRBUF_INIT;
    int rc;
    if (!strcmp(a->what, "nsi"))
        rc = nsi_exports(a, &r, &b, err);
    else if (!strcmp(a->what, "orgs") || !strcmp(a->what, "bills"))
        rc = batched_exports(a, &r, &b, err);
    else if (!strcmp(a->what, "debt"))
        rc = debt_exports(a, &r, &b, err);
    else if (!strcmp(a->what, "contracts"))
        rc = cach_exports(a, &r, &b, err);
    else if (!strcmp(a->what, "history"))
        rc = history_exports(a, &r, &b, err);
    else if (!strcmp(a->what, "houses") || !strcmp(a->what, "accounts") || !strcmp(a->what, "meters"))
        rc = house_exports(a, &r, &b, err);
    else
        rc = hcs_fail(err, HCS_EX_USAGE, "nothing to sync called '%s'", a->what);
    sb_free(&b);
    if (rc < 0) {
        exchange_exports_free(r.v, r.n);
        return -1;
    }
    *out = r.v;
    *n = r.n;
    return 0;
}
