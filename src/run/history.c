/* history — see history.h. */
#include "run/history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/attrs.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "report/report_history.h"

struct device {
    char *root, *house, *serial;
    int archived;
};

struct collect {
    struct device *dev;
    size_t ndev, dcap;
    char **nsi;                  /* "code\tname" of НСИ 2 (synced), when the answer gives no Name */
    size_t nnsi, ncap;
    struct history_row *rows;
    size_t n, cap;
    char **owned;                /* strings the rows point to */
    size_t nowned, ocap;
    const char *const *houses;
    size_t nhouses;
};

static const char *own(struct collect *c, char *s)
{
    ARRAY_GROW(c->owned, c->nowned, c->ocap);
    c->owned[c->nowned++] = s;
    return s ? s : "";
}

/* meter / meter_archived "<house>|<serial>": the device's house and serial */
static int collect_device(void *ctx, const struct store_registry_entry *e)
{
    struct collect *c = ctx;
    const char *bar = e->local_key ? strchr(e->local_key, '|') : NULL;
    if (!bar || !e->guid || !*e->guid)
        return 0;
    char *serial = e->attrs ? attrs_get(e->attrs, "serial") : NULL;
    ARRAY_GROW(c->dev, c->ndev, c->dcap);
    c->dev[c->ndev++] = (struct device){ xstrdup(e->guid), xstrndup(e->local_key, (size_t)(bar - e->local_key)),
                                         serial ? serial : xstrdup(bar + 1),
                                         !strcmp(e->kind, REG_METER_ARCHIVED) };
    return 0;
}

static int collect_nsi2(void *ctx, const struct store_registry_entry *e)
{
    struct collect *c = ctx;
    if (!e->local_key || strncmp(e->local_key, "2|", 2) || !e->unique_number
        || strcmp(e->local_key + 2, e->unique_number))
        return 0;                /* the entry by code, not by name */
    char *name = e->attrs ? attrs_get(e->attrs, "name") : NULL;
    ARRAY_GROW(c->nsi, c->nnsi, c->ncap);
    c->nsi[c->nnsi++] = xasprintf("%s\t%s", e->unique_number, name ? name : e->unique_number);
    free(name);
    return 0;
}

/* Devices by root, an active entry before an archived one of the same
 * device (a stale meter_archived entry), so lookups are O(log n). */
static int by_root(const void *a, const void *b)
{
    const struct device *x = a, *y = b;
    int c = strcasecmp(x->root, y->root);
    return c ? c : x->archived - y->archived;
}

static int root_cmp(const void *key, const void *elem)
{
    return strcasecmp(key, ((const struct device *)elem)->root);
}

static const struct device *device_of(const struct collect *c, const char *root)
{
    const struct device *d = c->ndev ? bsearch(root, c->dev, c->ndev, sizeof *c->dev, root_cmp) : NULL;
    while (d && d > c->dev && !strcasecmp(d[-1].root, root))
        d--;                     /* the first entry of that root: the active one if any */
    return d;
}

static const char *resource_name(const struct collect *c, const char *code)
{
    size_t len = strlen(code);
    for (size_t i = 0; len && i < c->nnsi; i++)
        if (!strncmp(c->nsi[i], code, len) && c->nsi[i][len] == '\t')
            return c->nsi[i] + len + 1;
    return code;
}

static int asked(const struct collect *c, const char *house)
{
    for (size_t i = 0; i < c->nhouses; i++)
        if (!strcasecmp(c->houses[i], house))
            return 1;
    return c->nhouses == 0;
}

/* meter_value "<root>|<date>|<type:resource>" */
static int collect_value(void *ctx, const struct store_registry_entry *e)
{
    struct collect *c = ctx;
    const struct device *d = e->guid ? device_of(c, e->guid) : NULL;
    if (!e->guid || (c->nhouses && !d) || (d && !asked(c, d->house)))
        return 0;
    char *type = attrs_get(e->attrs ? e->attrs : "", "type");
    char *res = attrs_get(e->attrs ? e->attrs : "", "resource");
    char *res_name = attrs_get(e->attrs ? e->attrs : "", "resource_name");
    ARRAY_GROW(c->rows, c->n, c->cap);
    c->rows[c->n++] = (struct history_row){
        .house = d ? d->house : "", .serial = d ? d->serial : "", .archived = d ? d->archived : 0,
        .date = own(c, attrs_get(e->attrs ? e->attrs : "", "date")),
        .control = type && !strcmp(type, "control"),
        .resource = res_name ? res_name : res ? resource_name(c, res) : "",
        .value = e->unique_number ? own(c, xstrdup(e->unique_number)) : "",
        .t2 = own(c, attrs_get(e->attrs ? e->attrs : "", "t2")),
        .t3 = own(c, attrs_get(e->attrs ? e->attrs : "", "t3")),
        .entered = e->update_date ? own(c, xstrdup(e->update_date)) : "",
        .root = own(c, xstrdup(e->guid)),
    };
    own(c, type);
    own(c, res);
    own(c, res_name);
    return 0;
}

static void collect_free(struct collect *c)
{
    for (size_t i = 0; i < c->ndev; i++) {
        free(c->dev[i].root);
        free(c->dev[i].house);
        free(c->dev[i].serial);
    }
    for (size_t i = 0; i < c->nnsi; i++)
        free(c->nsi[i]);
    for (size_t i = 0; i < c->nowned; i++)
        free(c->owned[i]);
    free(c->dev);
    free(c->nsi);
    free(c->rows);
    free(c->owned);
}

int run_history_workbook(const hcs_config *cfg, store *st, const char *work, const char *const *houses,
                         size_t nhouses, char **path, long *rows, hcs_err *err)
{
    struct collect c = { .houses = houses, .nhouses = nhouses };
    *path = NULL;
    *rows = 0;
    int rc = store_registry_list(st, REG_METER, collect_device, &c, err);
    if (rc == 0)
        rc = store_registry_list(st, REG_METER_ARCHIVED, collect_device, &c, err);
    if (rc == 0)
        rc = store_registry_list(st, REG_NSI, collect_nsi2, &c, err);
    if (rc == 0 && c.ndev)
        qsort(c.dev, c.ndev, sizeof *c.dev, by_root);
    if (rc == 0)
        rc = store_registry_list(st, "meter_value", collect_value, &c, err);
    if (rc == 0 && c.n) {
        char today[11], name[64];
        time_t t = time(NULL) + 3 * 3600;     /* Moscow day */
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(today, sizeof today, "%Y-%m-%d", &tm);
        const char *rel = cfg_str(cfg, "report.dir");
        char *dir = rel && rel[0] == '/' ? xstrdup(rel) : path_join(work, rel && *rel ? rel : "reports");
        snprintf(name, sizeof name, "meter-history-%s.xlsx", today);
        *path = path_join(dir, name);
        rc = mkdir_p(dir, err);
        if (rc == 0)
            rc = report_history_workbook(*path, c.rows, c.n, err);
        free(dir);
        if (rc < 0) {
            free(*path);
            *path = NULL;
        } else {
            *rows = (long)c.n;
            log_info("metering-device history: %zu readings: %s", c.n, *path);
        }
    }
    collect_free(&c);
    return rc;
}
