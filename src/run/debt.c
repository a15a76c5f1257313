/* debt — see debt.h. */
#include "run/debt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/attrs.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/xalloc.h"

/* Today as YYYY-MM-DD, Moscow time (GIS deadlines are Moscow days). */
static void today_msk(char out[11], long days_back)
{
    time_t t = time(NULL) + 3 * 3600 - days_back * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

int run_debt_enabled(const hcs_config *cfg)
{
    return cfg_int(cfg, "debt.lookback_days", 0) > 0;
}

#define FETCH_KIND "debt_fetch"
#define FETCH_KEY "exportDebtSubrequests"

/* 1 when the subrequests were asked for recently enough or still are. */
static int fetched_recently(const hcs_config *cfg, store *st, hcs_err *err)
{
    static const char *const op = "exportDebtSubrequests";
    long pending = store_packets_count(st, exchange_states_pending, op, err);
    if (pending != 0)
        return pending < 0 ? -1 : 1;
    struct store_registry_entry e = { 0 };
    int found = store_registry_get(st, FETCH_KIND, FETCH_KEY, &e, err);
    long long last = found == 1 && e.update_date ? atoll(e.update_date) : 0;
    store_registry_clear(&e);
    if (found < 0)
        return -1;
    long hours = cfg_int(cfg, "debt.fetch_interval_hours", 20);
    return last && (long long)time(NULL) - last < hours * 3600LL;
}

int run_debt_mark_fetched(store *st, hcs_err *err)
{
    char now[32];
    snprintf(now, sizeof now, "%lld", (long long)time(NULL));
    struct store_registry_entry e = { .kind = FETCH_KIND, .local_key = FETCH_KEY, .update_date = now };
    return store_registry_put(st, &e, err);
}

int run_debt_export(const hcs_config *cfg, store *st, struct exchange_export **out, size_t *n,
                    hcs_err *err)
{
    *out = NULL;
    *n = 0;
    long days = cfg_int(cfg, "debt.lookback_days", 0);
    if (days <= 0)
        return 0;
    const char *executor = cfg_str(cfg, "debt.executor_guid");
    if (!executor || !*executor)
        log_warn("debt.executor_guid is not set: every answer needs the GIS id of the employee "
                 "who answers (executorGUID), else the answer rows are rejected");
    int recent = fetched_recently(cfg, st, err);
    if (recent != 0)
        return recent < 0 ? -1 : 0;
    if (days > 183)
        return hcs_fail(err, HCS_EX_CONFIG, "debt.lookback_days %ld: the schema allows a sending "
                        "period of 6 months at most", days);
    char from[11], to[11];
    today_msk(from, days);
    today_msk(to, 0);
    const char *keys[] = { from, to };
    struct exchange_sync_ask ask = { .what = "debt", .keys = keys, .nkeys = 2 };
    return exchange_sync_exports(&ask, out, n, err);
}

struct collect {
    char **answered;             /* subrequests whose answer GIS accepted (debt_answer) */
    size_t nanswered, acap;
    struct debt_row *rows;
    size_t n, cap;
    char **doc_types;
    size_t ntypes, tcap;
};

static int collect_answered(void *ctx, const struct store_registry_entry *e)
{
    struct collect *c = ctx;
    if (e->guid && *e->guid && !e->last_error) {
        ARRAY_GROW(c->answered, c->nanswered, c->acap);
        c->answered[c->nanswered++] = xstrdup(e->local_key);
    }
    return 0;
}

static int answered(const struct collect *c, const char *key)
{
    for (size_t i = 0; i < c->nanswered; i++)
        if (!strcmp(c->answered[i], key))
            return 1;
    return 0;
}

static int collect_subrequest(void *ctx, const struct store_registry_entry *e)
{
    struct collect *c = ctx;
    const char *a = e->attrs ? e->attrs : "";
    if (answered(c, e->local_key))
        return 0;
    char *status = attrs_get(a, "status"), *response = attrs_get(a, "response");
    int open = status && !strcmp(status, "Sent") && (!response || !strcmp(response, "NotSent"));
    free(status);
    free(response);
    if (!open)
        return 0;
    ARRAY_GROW(c->rows, c->n, c->cap);
    c->rows[c->n++] = (struct debt_row){
        .guid = xstrdup(e->guid ? e->guid : e->local_key), .number = attrs_get(a, "number"),
        .org = attrs_get(a, "org"), .address = attrs_get(a, "address"), .from = attrs_get(a, "from"),
        .to = attrs_get(a, "to"), .sent = attrs_get(a, "sent"), .deadline = attrs_get(a, "deadline"),
    };
    return 0;
}

/* НСИ 358 by code ("358|<code>"): its names for the drop-down. */
static int collect_doc_type(void *ctx, const struct store_registry_entry *e)
{
    struct collect *c = ctx;
    if (!e->local_key || strncmp(e->local_key, "358|", 4) || !e->unique_number
        || strcmp(e->local_key + 4, e->unique_number))
        return 0;
    char *name = attrs_get(e->attrs ? e->attrs : "", "name");
    if (name) {
        ARRAY_GROW(c->doc_types, c->ntypes, c->tcap);
        c->doc_types[c->ntypes++] = name;
    }
    return 0;
}

static void collect_free(struct collect *c)
{
    for (size_t i = 0; i < c->n; i++) {
        struct debt_row *r = &c->rows[i];
        const char *f[] = { r->guid, r->number, r->org, r->address, r->from, r->to, r->sent, r->deadline };
        for (size_t j = 0; j < sizeof f / sizeof f[0]; j++)
            free((char *)f[j]);
    }
    free(c->rows);
    for (size_t i = 0; i < c->ntypes; i++)
        free(c->doc_types[i]);
    free(c->doc_types);
    for (size_t i = 0; i < c->nanswered; i++)
        free(c->answered[i]);
    free(c->answered);
}

int run_debt_workbook(const hcs_config *cfg, store *st, const char *work, char **path,
                      struct debt_counts *counts, hcs_err *err)
{
    struct collect c = { 0 };
    *path = NULL;
    memset(counts, 0, sizeof *counts);
    int rc = store_registry_list(st, "debt_answer", collect_answered, &c, err);
    if (rc == 0)
        rc = store_registry_list(st, "debt_subrequest", collect_subrequest, &c, err);
    if (rc == 0)
        rc = store_registry_list(st, REG_NSI, collect_doc_type, &c, err);
    if (rc == 0 && c.n) {
        char today[11], name[64];
        today_msk(today, 0);
        const char *rel = cfg_str(cfg, "debt.dir");
        char *dir = rel && rel[0] == '/' ? xstrdup(rel) : path_join(work, rel && *rel ? rel : "debt");
        snprintf(name, sizeof name, "debt-requests-%s.xlsx", today);
        *path = path_join(dir, name);
        rc = mkdir_p(dir, err);
        if (rc == 0)
            rc = report_debt_workbook(*path, c.rows, c.n, today, (const char *const *)c.doc_types, c.ntypes,
                                      counts, err);
        free(dir);
        if (rc < 0) {
            free(*path);
            *path = NULL;
        } else {
            log_info("debt requests: %ld open, %ld due within 2 working days, %ld overdue: %s",
                     counts->open, counts->due_soon, counts->overdue, *path);
        }
    }
    collect_free(&c);
    return rc;
}
