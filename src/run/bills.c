/* bills — see bills.h. */
#include "run/bills.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/attrs.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "report/report_bills.h"

struct account {
    char *guid, *number;
};

struct collect {
    const char *period;
    const char *const *want;     /* account GUIDs asked for, or none */
    size_t nwant;
    struct account *accounts;
    size_t naccounts, acap;
    struct bills_row *rows;
    char **owned;                /* every string the rows point to */
    size_t n, cap, nowned, ocap;
};

static char *keep(struct collect *c, char *s)
{
    if (s) {
        ARRAY_GROW(c->owned, c->nowned, c->ocap);
        c->owned[c->nowned++] = s;
    }
    return s;
}

static int collect_account(void *ctx, const struct store_registry_entry *e)
{
    struct collect *c = ctx;
    if (e->guid && *e->guid) {
        ARRAY_GROW(c->accounts, c->naccounts, c->acap);
        c->accounts[c->naccounts++] = (struct account){ xstrdup(e->guid), xstrdup(e->local_key) };
    }
    return 0;
}

static const char *account_number(const struct collect *c, const char *guid)
{
    for (size_t i = 0; guid && i < c->naccounts; i++)
        if (!strcasecmp(c->accounts[i].guid, guid))
            return c->accounts[i].number;
    return NULL;
}

static int wanted(const struct collect *c, const char *guid)
{
    if (!c->nwant)
        return 1;
    for (size_t i = 0; guid && i < c->nwant; i++)
        if (!strcasecmp(c->want[i], guid))
            return 1;
    return 0;
}

/* Entries the export stored carry the document's fields as attrs; those an
 * import result stored (keyed by Номер ЛС) carry none and are left out. */
static int collect_document(void *ctx, const struct store_registry_entry *e)
{
    struct collect *c = ctx;
    char *period = e->attrs ? attrs_get(e->attrs, "period") : NULL;
    char *account = e->attrs ? attrs_get(e->attrs, "account") : NULL;
    if (!period || strcmp(period, c->period) || !wanted(c, account)) {
        free(period);
        free(account);
        return 0;
    }
    ARRAY_GROW(c->rows, c->n, c->cap);
    struct bills_row *r = &c->rows[c->n++];
    char *withdrawn = attrs_get(e->attrs, "withdrawn");
    *r = (struct bills_row){
        .account_number = account_number(c, account),
        .account_guid = keep(c, account),
        .doc_number = keep(c, attrs_get(e->attrs, "number")),
        .doc_id = e->unique_number ? keep(c, xstrdup(e->unique_number)) : NULL,
        .period = keep(c, period),
        .total = keep(c, attrs_get(e->attrs, "total")),
        .debt = keep(c, attrs_get(e->attrs, "debt")),
        .advance = keep(c, attrs_get(e->attrs, "advance")),
        .paid = keep(c, attrs_get(e->attrs, "paid")),
        .withdrawn = withdrawn && !strcmp(withdrawn, "true"),
    };
    free(withdrawn);
    return 0;
}

int run_bills_workbook(store *st, const char *period, const char *const *account_guids, size_t n,
                       const char *path, long *rows, hcs_err *err)
{
    struct collect c = { .period = period, .want = account_guids, .nwant = n };
    *rows = 0;
    int rc = store_registry_list(st, REG_ACCOUNT, collect_account, &c, err);
    if (rc == 0)
        rc = store_registry_list(st, REG_PAYMENT_DOCUMENT, collect_document, &c, err);
    if (rc == 0)
        rc = report_bills_workbook(path, c.rows, c.n, err);
    if (rc == 0) {
        *rows = (long)c.n;
        log_info("payment documents of %s: %zu written to %s", period, c.n, path);
    }
    for (size_t i = 0; i < c.naccounts; i++) {
        free(c.accounts[i].guid);
        free(c.accounts[i].number);
    }
    for (size_t i = 0; i < c.nowned; i++)
        free(c.owned[i]);
    free(c.accounts);
    free(c.owned);
    free(c.rows);
    return rc;
}
