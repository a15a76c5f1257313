/* xpoll — getState for packets that are due, the poll cadence and horizon,
 * and storing processed results: element outcomes by TransportGUID and the
 * registry of GIS ids, in one transaction (an export's result: xexport.c). */
#include <stdlib.h>
#include <string.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "exchange/exchange_impl.h"
#include "soap/envelope.h"
#include "soap/result.h"

struct polling {
    exchange *x;
    int64_t id;
};

/* A poll GIS did not answer: the packet asks again later, and records since
 * when GIS has been unreachable (the outage notice and the report read it,
 * so an outage seen only through polls is announced as one seen through sends). */
static void poll_unreachable(exchange *x, struct store_packet *p, const char *msg)
{
    x_unreachable(x, msg);
    if (!p->unreachable_since)
        p->unreachable_since = x_now();
    p->next_at = x_now() + x->transient_delay;
}

static int poll_done(void *ctx, struct transport_response *resp, const hcs_err *terr, hcs_err *err);

/* Acknowledged (GIS's MessageGUID known) and not answered meanwhile. */
static int pollable(const struct store_packet *p)
{
    return lifecycle_allows(p->state, PEV_POLL) && p->gis_message_guid[0];
}

int x_feed_poll(exchange *x, hcs_err *err)
{
    while (x->pnext < x->npolls) {
        struct store_packet p = { 0 };
        if (store_packet_get(x->st, x->polls[x->pnext++], &p, err) < 0)
            return -1;
        if (!pollable(&p)) {
            store_packet_clear(&p);
            continue;
        }
        const struct gis_operation *op = x_op(&p, err);
        xmlDocPtr doc = op ? soap_build_get_state(x->cfg, op->service, p.gis_message_guid, NULL, err) : NULL;
        char *bytes = NULL;
        size_t len = 0;
        if (!doc || envelope_to_bytes(doc, &bytes, &len, err) < 0) {
            if (doc)
                xmlFreeDoc(doc);
            store_packet_clear(&p);
            return -1;
        }
        xmlFreeDoc(doc);
        char *url = x_endpoint(x, op);
        const char *headers[] = { "Content-Type: text/xml; charset=utf-8", "SOAPAction: \"urn:getState\"", NULL };
        struct transport_request req = { .method = "POST", .url = url, .headers = headers,
                                         .body = bytes, .body_len = len, .classify = x_classify };
        struct polling *s = xcalloc(1, sizeof *s);
        s->x = x;
        s->id = p.id;
        transport_submit(x->tr, &req, 1, poll_done, s);
        xmlFree(bytes);
        free(url);
        x->stats.polls++;
        store_packet_clear(&p);
        return 1;
    }
    return 0;
}

/* RequestState 1 or 2: poll again per schedule, unless past the horizon. */
static int still_processing(exchange *x, struct store_packet *p, hcs_err *err)
{
    int64_t now = x_now();
    p->polls++;
    if (p->first_ack_at && now - p->first_ack_at >= x->horizon) {
        char why[256];
        snprintf(why, sizeof why, "ГИС не вернула результат за %ld с после приёма пакета"
                 " (exchange.poll_horizon); опрос прекращён", x->horizon);
        return x_finish_packet(x, p, PEV_FAIL, "HCS-HORIZON", why, err);
    }
    if (lifecycle_apply(p, PEV_POLL, err) < 0)
        return -1;
    p->next_at = now + poll_schedule_delay(&x->sched, p->polls);
    return store_packet_update(x->st, p, err);
}

static char *errors_text(const struct gis_object_result *o)
{
    strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < o->nerrors; i++) {
        if (i)
            sb_addf(&sb, "; %s: ", o->errors[i].code ? o->errors[i].code : "");
        sb_adds(&sb, o->errors[i].description ? o->errors[i].description : "");
    }
    return sb_detach(&sb, NULL);
}

static char *object_attrs(const struct gis_object_result *o)
{
    strbuf sb = STRBUF_INIT;
    if (o->unified_account_number)
        sb_addf(&sb, "UnifiedAccountNumber=%s;", o->unified_account_number);
    if (o->service_id)
        sb_addf(&sb, "ServiceID=%s;", o->service_id);
    if (o->metering_device_guid)
        sb_addf(&sb, "MeteringDeviceGUID=%s;", o->metering_device_guid);
    return sb.len ? sb_detach(&sb, NULL) : NULL;
}

static int apply_object(exchange *x, const char *kind, const struct gis_object_result *o, hcs_err *err)
{
    char *text = o->nerrors ? errors_text(o) : NULL;
    char *attrs = object_attrs(o);
    struct store_outcome out = {
        .transport_guid = o->transport_guid,
        .state = o->nerrors ? "error" : "accepted",
        .gis_guid = o->guid[0] ? o->guid : NULL,
        .unique_number = o->unique_number,
        .update_date = o->update_date,
        .error_code = o->nerrors ? o->errors[0].code : NULL,
        .error_text = text,
        .attrs = attrs,
    };
    char *local_key = NULL;
    int rc = store_element_set_outcome(x->st, &out, &local_key, err);
    if (rc == 1) {
        if (o->nerrors)
            x->stats.elements_error++;
        else
            x->stats.elements_accepted++;
    }
    if (rc == 1 && kind && local_key && *local_key) {
        char *last = o->nerrors ? xasprintf("%s %s", out.error_code ? out.error_code : "", text) : NULL;
        struct store_registry_entry e = {
            .kind = (char *)kind, .local_key = local_key,
            .guid = o->nerrors ? NULL : (char *)out.gis_guid,
            .unique_number = o->nerrors ? NULL : o->unique_number,
            /* the new version: a document's (…VersionGUID) or a metering
             * device's (importMeteringDevice/MeteringDeviceGUID) */
            .version = o->nerrors ? NULL : o->version_guid ? o->version_guid : o->metering_device_guid,
            .update_date = o->nerrors ? NULL : o->update_date,
            .last_error = last, .attrs = o->nerrors ? NULL : attrs,
        };
        /* in the comparison form, like the exports' entries: one row per
         * object whichever filled it, found however the key is spelt
         * (x_registry_put, xregistry.c) */
        if (x_registry_put(x, &e, err) < 0)
            rc = -1;
        free(last);
    }
    free(local_key);
    free(text);
    free(attrs);
    return rc;
}

/* The answer for a part of an element (a premises of a house): accepted,
 * its GUID goes into the registry under the part's kind and key; refused,
 * its element is marked (store_part_set_outcome).  0 when o is no part. */
static int apply_part(exchange *x, const struct gis_object_result *o, hcs_err *err)
{
    char *text = o->nerrors ? errors_text(o) : NULL;
    struct store_outcome out = {
        .transport_guid = o->transport_guid,
        .state = o->nerrors ? "error" : "accepted",
        .gis_guid = o->guid[0] ? o->guid : NULL,
        .unique_number = o->unique_number,
        .error_code = o->nerrors ? o->errors[0].code : NULL,
        .error_text = text,
    };
    struct store_part pt;
    int rc = store_part_set_outcome(x->st, &out, &pt, err);
    if (rc == 1 && !o->nerrors && out.gis_guid) {
        struct store_registry_entry e = {
            .kind = pt.kind, .local_key = pt.local_key, .guid = (char *)out.gis_guid,
            .unique_number = o->unique_number, .update_date = o->update_date,
        };
        if (store_registry_put_key(x->st, &e, err) < 0)
            rc = -1;
    }
    if (rc == 1 && pt.refused_accepted) {
        x->stats.elements_accepted--;
        x->stats.elements_error++;
    }
    if (rc == 1)
        store_part_clear(&pt);
    free(text);
    return rc;
}

/* The answer is kept for audit before the store records what it says. */
static void keep_answer(exchange *x, const struct store_packet *p, const struct transport_response *resp)
{
    char *dir = xasprintf("%s/responses", x->archive_dir);
    char *path = xasprintf("%s/%s-%s.xml", dir, p->operation, p->gis_message_guid);
    hcs_err werr = { 0 };
    /* An audit copy: the outcomes are in the store, so no fsync per answer. */
    if (mkdir_p(dir, &werr) < 0 || file_write_unsynced(path, resp->body, resp->body_len, &werr) < 0)
        log_warn("packet %lld: %s", (long long)p->id, werr.msg);
    free(dir);
    free(path);
}

/* An import into one of the organisation's own dictionaries (НСИ 1: additional
 * services, 51: municipal services) is followed by an export of that
 * dictionary, stored in the transaction of the import's results: the
 * registry's copy (what `nsi:1` columns and the forms' [resolve] read) is
 * replaced by what GIS now holds (xexport.c replace_provider_nsi). */
static int refresh_dictionary(exchange *x, const struct store_packet *p, hcs_err *err)
{
    int reg = !strcmp(p->operation, "importAdditionalServices") ? 1
            : !strcmp(p->operation, "importMunicipalServices") ? 51 : 0;
    if (!reg)
        return 0;
    struct exchange_export *v = NULL;
    size_t n = 0;
    struct exchange_sync_ask ask = { .what = "nsi", .registries = &reg, .nregistries = 1 };
    int rc = exchange_sync_exports(&ask, &v, &n, err);
    int64_t id = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = exchange_add_export(x, &v[i], &id, err);
    exchange_exports_free(v, n);
    if (rc == 0)
        log_info("packet %lld: %s answered: НСИ %d asked again as packet %lld", (long long)p->id, p->operation,
                 reg, (long long)id);
    return rc;
}

static int apply_results(exchange *x, struct store_packet *p, const struct gis_state_result *res,
                         hcs_err *err)
{
    const char *kind = exchange_registry_kind(p->template_name);
    long errors = 0;
    if (store_begin(x->st, err) < 0)
        return -1;
    /* the elements first, then their parts: a refused part refuses its
     * element whatever order GIS answers in */
    unsigned char *mine = xcalloc(res->nobjects + 1, 1);
    for (size_t i = 0; i < res->nobjects; i++) {
        int rc = apply_object(x, kind, &res->objects[i], err);
        if (rc < 0) {
            free(mine);
            goto fail;
        }
        mine[i] = rc == 1;
        if (res->objects[i].nerrors)
            errors++;
    }
    for (size_t i = 0; i < res->nobjects; i++)
        if (!mine[i] && apply_part(x, &res->objects[i], err) < 0) {
            free(mine);
            goto fail;
        }
    free(mine);
    int missing = store_elements_finish_packet(x->st, p->id, "failed", "HCS-NORESULT",
                                               "ГИС не вернула результат по этому элементу", err);
    if (missing < 0 || refresh_dictionary(x, p, err) < 0)
        goto fail;
    if (x_commit_processed(x, p, errors || missing ? PEV_WARNINGS : PEV_DONE, err) < 0)
        goto fail;
    if (errors || missing)
        x->stats.warnings++;
    else
        x->stats.done++;
    return 0;
fail:
    store_rollback(x->st);
    return -1;
}

static int on_message_error(exchange *x, struct store_packet *p, const struct gis_error *e, hcs_err *err)
{
    enum policy_action a = policy_for_code(e->code, POLICY_ON_RESULT);
    int64_t now = x_now();
    char reason[700];
    snprintf(reason, sizeof reason, "%s %s", e->code ? e->code : "", e->description ? e->description : "");
    log_info("packet %lld: result %s → %s", (long long)p->id, reason, policy_action_name(a));
    switch (a) {
    case POLICY_EMPTY_RESULT:
        if (x_finish_packet(x, p, PEV_DONE, NULL, NULL, err) < 0)
            return -1;
        x->stats.done++;                 /* nothing to export is an answer too */
        return 0;
    case POLICY_POLL_AGAIN:
        return still_processing(x, p, err);
    case POLICY_REBUILD:
    case POLICY_RETRY_LATER:
    case POLICY_MAINTENANCE:
        /* GIS keeps this final answer under the old MessageGUID: a new one. */
        return x_rebuild(x, p, PEV_REBUILD, reason,
                         now + (a == POLICY_REBUILD ? 0 : a == POLICY_MAINTENANCE ? x->maintenance_delay
                                                                                  : x->transient_delay),
                         err);
    case POLICY_STOP_POLLING:
    case POLICY_FAIL:
        break;
    }
    return x_finish_packet(x, p, PEV_FAIL, e->code ? e->code : "HCS-ERROR",
                           e->description ? e->description : "", err);
}

static int on_poll_fault(exchange *x, struct store_packet *p, const struct gis_fault *f, hcs_err *err)
{
    enum policy_action a = policy_for_code(f->error_code, POLICY_ON_POLL);
    const char *text = f->error_message ? f->error_message : f->faultstring;
    int64_t now = x_now();
    switch (a) {
    case POLICY_POLL_AGAIN:
    case POLICY_RETRY_LATER:
    case POLICY_REBUILD:
        lifecycle_set_error(p, f->error_code, text);
        p->next_at = now + poll_schedule_delay(&x->sched, p->polls);
        return store_packet_update(x->st, p, err);
    case POLICY_MAINTENANCE:
        lifecycle_set_error(p, f->error_code, text);
        x->stats.maintenance = 1;
        p->next_at = now + x->maintenance_delay;
        return store_packet_update(x->st, p, err);
    default:
        break;
    }
    return x_finish_packet(x, p, PEV_FAIL, f->error_code ? f->error_code : "SOAP-FAULT",
                           text ? text : "SOAP Fault", err);
}

static int poll_done(void *ctx, struct transport_response *resp, const hcs_err *terr, hcs_err *err)
{
    struct polling *s = ctx;
    exchange *x = s->x;
    struct store_packet p = { 0 };
    struct gis_state_result res = { 0 };
    struct gis_fault fault = { 0 };
    int rc = -1;
    if (store_packet_get(x->st, s->id, &p, err) < 0)
        goto out;
    rc = 0;
    if (!pollable(&p))
        goto out;
    if (terr) {
        poll_unreachable(x, &p, terr->msg);
        rc = store_packet_update(x->st, &p, err);
        goto out;
    }
    /* GIS answered (the garbage case below says otherwise): an outage seen
     * through this packet's polls is over. */
    int64_t unreachable_since = p.unreachable_since;
    p.unreachable_since = 0;
    hcs_err perr = { 0 };
    if (soap_parse_state(resp->body, resp->body_len, &res, &fault, &perr) == 0) {
        if (res.request_state != 3)
            rc = still_processing(x, &p, err);
        else if (res.message_error)
            rc = on_message_error(x, &p, res.message_error, err);
        else {
            keep_answer(x, &p, resp);
            rc = exchange_is_export(p.operation) ? x_apply_export(x, &p, &res, err)
                                                 : apply_results(x, &p, &res, err);
        }
    } else if (fault.error_code || fault.faultcode) {
        rc = on_poll_fault(x, &p, &fault, err);
    } else {
        char msg[900];
        snprintf(msg, sizeof msg, "getState: HTTP %ld: %s", resp->status, perr.msg);
        p.unreachable_since = unreachable_since;
        poll_unreachable(x, &p, msg);
        rc = store_packet_update(x->st, &p, err);
    }
out:
    gis_state_result_clear(&res);
    gis_fault_clear(&fault);
    store_packet_clear(&p);
    free(s);
    return rc;
}
