/* xexport — the exports that fill the registry of GIS ids as stored
 * packets: one request element (src/soap/export_request.h) in a signed
 * envelope, kept in archive/packets/ like an import's, with no elements;
 * sent and polled on the import's cadence and policy.  Its processed
 * result is walked by export_parse and every entry stored in the registry,
 * together with the packet's final state, in one transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "base/xmlsafe.h"
#include "exchange/exchange_impl.h"
#include "packet/convert.h"
#include "soap/envelope.h"
#include "soap/export_parse.h"
#include "soap/export_request.h"

int exchange_is_export(const char *operation)
{
    static const char *const exports[] = {
        "exportHouseData", "exportAccountData", "exportMeteringDeviceData", "exportNsiItem",
        "exportDataProviderNsiItem", "exportNsiPagingItem", "exportDataProviderNsiPagingItem", "exportOrgRegistry",
        "exportDataProvider", "exportPaymentDocumentData", "exportDebtSubrequests", "exportCAChData",
        "exportMeteringDeviceHistory", NULL,
    };
    for (const char *const *e = exports; operation && *e; e++)
        if (!strcmp(*e, operation))
            return 1;
    return 0;
}

/* The signed envelope around the request element, written where a rebuild
 * reads it from. */
static int seal_export(exchange *x, const struct gis_operation *op, const char *body, char guid[37],
                       char **path, hcs_err *err)
{
    struct envelope_header h;
    if (envelope_header_init(&h, x->cfg, op->header, err) < 0)
        return -1;
    strbuf sb = STRBUF_INIT;
    envelope_begin(&sb, &h);
    sb_adds(&sb, body);
    envelope_end(&sb);
    xmlDocPtr doc = xmlsafe_parse(sb.buf, sb.len, op->name, err);
    sb_free(&sb);
    if (!doc)
        return -1;
    signer *sg = x_signer(x, err);
    char *bytes = NULL, *dir = path_join(x->archive_dir, "packets");
    size_t len = 0;
    *path = exchange_packet_path(x->archive_dir, op->name, h.message_guid);
    int rc = -1;
    if (sg && convert_seal_envelope(sg, doc, &bytes, &len, err) == 0 && mkdir_p(dir, err) == 0
        && file_write_atomic(*path, bytes, len, err) == 0)
        rc = 0;
    snprintf(guid, 37, "%s", h.message_guid);
    free(bytes);
    free(dir);
    xmlFreeDoc(doc);
    return rc;
}

int exchange_add_export(exchange *x, const struct exchange_export *e, int64_t *packet_id, hcs_err *err)
{
    const struct gis_operation *op = gis_operation_find(e->operation);
    if (!op || !exchange_is_export(e->operation))
        return hcs_fail(err, HCS_EX_SOFTWARE, "%s is no registry export", e->operation);
    struct store_packet p = { 0 };
    if (seal_export(x, op, e->body, p.message_guid, &p.archive_path, err) < 0) {
        free(p.archive_path);
        return hcs_err_wrap(err, "%s", e->operation);
    }
    p.run_id = x->run_id;
    p.operation = (char *)op->name;
    p.template_name = (char *)op->name;
    p.seq = 1;
    p.split_value = (char *)e->split_value;
    p.lane = xasprintf("%s|%s", op->name, e->split_value ? e->split_value : "");
    p.state = PS_PREPARED;
    int rc = store_packet_add(x->st, &p, err);
    if (rc == 0 && packet_id)
        *packet_id = p.id;
    free(p.lane);
    free(p.archive_path);
    return rc;
}

struct put_ctx {
    exchange *x;
    hcs_err *err;
};

static int put_entry(void *ctx, const struct export_entry *e)
{
    struct put_ctx *c = ctx;
    int device = e->nkey == 2 && (!strcmp(e->kind, REG_METER) || !strcmp(e->kind, REG_METER_ARCHIVED));
    /* a device within its house: the serial as GIS wrote it (x_registry_put keeps it) */
    char *key = device ? xasprintf("%s|%s", e->key[0], e->key[1]) : store_registry_key(e->key, e->nkey);
    char *shown = device ? NULL : store_registry_key_as_written(e->key, e->nkey);
    struct store_registry_entry r = { .kind = (char *)e->kind, .local_key = key, .guid = (char *)e->guid,
                                      .unique_number = (char *)e->unique_number,
                                      .version = (char *)e->version,
                                      .update_date = (char *)e->update_date, .attrs = (char *)e->attrs,
                                      .display_key = shown && strcmp(shown, key) ? shown : NULL };
    int rc = x_registry_put(c->x, &r, c->err);
    free(shown);
    free(key);
    if (rc == 0)
        c->x->stats.registry_entries++;
    return rc < 0;
}

/* The request for the block after p's (split value "FROM..TO"). */
static int next_debt_block(exchange *x, const struct store_packet *p, const char *next, hcs_err *err)
{
    char from[16] = "", to[16] = "";
    if (!p->split_value || sscanf(p->split_value, "%10[0-9-]..%10[0-9-]", from, to) != 2)
        return hcs_fail(err, HCS_EX_SOFTWARE, "packet %lld: no sending period", (long long)p->id);
    strbuf body = STRBUF_INIT;
    int rc = export_debt_subrequests_request(&body, from, to, next, err);
    if (rc == 0) {
        struct exchange_export e = { "exportDebtSubrequests", sb_str(&body), p->split_value };
        rc = exchange_add_export(x, &e, NULL, err);
    }
    sb_free(&body);
    return rc;
}

/* More pages follow: the next page's request is stored in the same
 * transaction as this page's entries and state, so a crash cannot lose
 * it or ask for it twice; sent and polled like any export (its lane is
 * this one's). */
static int add_next_page(exchange *x, const struct store_packet *p, int page, hcs_err *err)
{
    if (page < 1) {
        /* exportOrgRegistry's IsNextPage: its request has no Page (100 OGRNs at most) */
        log_warn("packet %lld: %s answered IsNextPage; the request has no page to ask for", (long long)p->id,
                 p->operation);
        return 0;
    }
    strbuf body = STRBUF_INIT;
    int rc = x_next_page_request(p->operation, p->split_value, page + 1, &body, err);
    if (rc == 0) {
        struct exchange_export e = { p->operation, sb_str(&body), p->split_value };
        int64_t id = 0;
        rc = exchange_add_export(x, &e, &id, err);
        if (rc == 0)
            log_info("packet %lld: %s page %d of more: page %d asked as packet %lld", (long long)p->id,
                     p->operation, page, page + 1, (long long)id);
    }
    sb_free(&body);
    return rc;
}

static int ignore_entry(void *ctx, const struct export_entry *e)
{
    (void)ctx;
    (void)e;
    return 0;
}

/* The first page of one of the organisation's own dictionaries replaces the
 * registry's copy of it (elements GIS no longer has go, a deleted element
 * moves to nsi_deleted): its entries of both kinds are dropped in the
 * transaction that stores the page.  Other exports only add. */
static int replace_provider_nsi(exchange *x, const struct store_packet *p, const struct gis_state_result *res,
                                hcs_err *err)
{
    if (strcmp(p->operation, "exportDataProviderNsiPagingItem") || !p->split_value)
        return 0;
    struct export_summary sum = { 0 };
    hcs_err perr = { 0 };
    if (export_parse(p->operation, res, NULL, ignore_entry, NULL, &sum, &perr) != 0 || sum.empty || sum.page > 1)
        return 0;                        /* the real walk reports the problem */
    const char *parts[2] = { p->split_value, "" };
    char *prefix = store_registry_key(parts, 2);
    long a = store_registry_drop_prefix(x->st, "nsi", prefix, err);
    long b = a < 0 ? -1 : store_registry_drop_prefix(x->st, "nsi_deleted", prefix, err);
    free(prefix);
    if (b < 0)
        return -1;
    log_info("packet %lld: НСИ %s anew: %ld registry entries replaced", (long long)p->id, p->split_value, a + b);
    return 0;
}

int x_apply_export(exchange *x, struct store_packet *p, const struct gis_state_result *res, hcs_err *err)
{
    struct export_context cx = { 0 };
    if (!strcmp(p->operation, "exportMeteringDeviceData"))
        cx.house = p->split_value;
    else if (!strcmp(p->operation, "exportPaymentDocumentData"))
        cx.period = p->split_value;
    struct export_summary sum = { 0 };
    struct put_ctx c = { x, err };
    hcs_err perr = { 0 };
    long before = x->stats.registry_entries;
    if (store_begin(x->st, err) < 0)
        return -1;
    if (replace_provider_nsi(x, p, res, err) < 0) {
        store_rollback(x->st);
        return -1;
    }
    int rc = export_parse(p->operation, res, &cx, put_entry, &c, &sum, &perr);
    if (rc != 0) {
        store_rollback(x->st);
        x->stats.registry_entries = before;
        if (rc > 0)
            return -1;                   /* the store failed: err says why */
        if (perr.code == HCS_EX_TEMPFAIL) {
            *err = perr;
            return -1;
        }
        return x_finish_packet(x, p, PEV_FAIL, "HCS-EXPORT", perr.msg, err);
    }
    if (sum.next_page && sum.next_guid[0] && !strcmp(p->operation, "exportDebtSubrequests")) {
        /* The next block of 100, in the same transaction as this one's
         * entries: a crash asks for it again or not at all, never twice. */
        if (next_debt_block(x, p, sum.next_guid, err) < 0)
            goto fail;
    } else if (sum.next_page && add_next_page(x, p, sum.page, err) < 0)
        goto fail;
    if (x_commit_processed(x, p, PEV_DONE, err) < 0)
        goto fail;
    x->stats.done++;
    log_info("packet %lld: %s: %ld registry entries%s", (long long)p->id, p->operation, sum.entries,
             sum.empty ? " (nothing to export)" : "");
    return 0;
fail:
    store_rollback(x->st);
    x->stats.registry_entries = before;
    return -1;
}
