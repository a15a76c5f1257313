/* export_parse — see export_parse.h.  Walks by local name: the answers
 * mix the service namespace with the *-base ones. */
#include "soap/export_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/tree.h>

#include "base/attrs.h"
#include "base/strbuf.h"

struct walk {
    export_entry_fn fn;
    void *ctx;
    const struct export_context *cx;
    struct export_summary *sum;
    int stop;
};

static int named(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static xmlNodePtr kid(xmlNodePtr parent, const char *name)
{
    for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
        if (named(c, name))
            return c;
    return NULL;
}

static xmlNodePtr below(xmlNodePtr root, const char *name)
{
    for (xmlNodePtr c = root ? root->children : NULL; c; c = c->next) {
        if (named(c, name))
            return c;
        xmlNodePtr d = below(c, name);
        if (d)
            return d;
    }
    return NULL;
}

/* Text of a node, trimmed, in a caller-owned buffer ("" when absent). */
static const char *text(xmlNodePtr n, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (!n)
        return buf;
    xmlChar *t = xmlNodeGetContent(n);
    const char *s = t ? (const char *)t : "";
    s += strspn(s, " \t\r\n");
    size_t len = strlen(s);
    while (len && strchr(" \t\r\n", s[len - 1]))
        len--;
    snprintf(buf, cap, "%.*s", (int)len, s);
    xmlFree(t);
    return buf;
}

#define TEXT(n, buf) text((n), buf, sizeof buf)

static const char *or_null(const char *s)
{
    return s && *s ? s : NULL;
}

static void emit(struct walk *w, const struct export_entry *e)
{
    if (w->stop)
        return;
    for (int i = 0; i < e->nkey; i++)
        if (!e->key[i])
            return;
    w->sum->entries++;
    w->stop = w->fn(w->ctx, e);
}

/* ---- exportHouseData ---- */

static void house_rooms(struct walk *w, xmlNodePtr holder, const char *fias, const char *premises)
{
    for (xmlNodePtr r = holder->children; r; r = r->next) {
        if (!named(r, "LivingRoom"))
            continue;
        char num[256], guid[64], uniq[64];
        struct export_entry e = { .kind = "room", .key = { fias, premises, TEXT(kid(r, "RoomNumber"), num) },
                                  .nkey = 3, .guid = or_null(TEXT(kid(r, "LivingRoomGUID"), guid)),
                                  .unique_number = or_null(TEXT(kid(r, "LivingRoomUniqueNumber"), uniq)) };
        if (*num && e.guid)
            emit(w, &e);
    }
}

static void walk_house(struct walk *w, xmlNodePtr result)
{
    xmlNodePtr house = below(result, "exportHouseResult");
    char fias[64];
    TEXT(below(house, "FIASHouseGuid"), fias);
    if (!house || !*fias)
        return;
    /* the house itself: GIS has it (importHouseUOData updates it, not creates) */
    char hguid[64], huniq[64];
    struct export_entry he = { .kind = "house", .key = { fias }, .nkey = 1,
                               .guid = or_null(TEXT(below(house, "HouseGUID"), hguid)),
                               .unique_number = or_null(TEXT(kid(house, "HouseUniqueNumber"), huniq)) };
    if (!he.guid)
        he.guid = fias;
    emit(w, &he);
    for (xmlNodePtr kind = house->children; kind; kind = kind->next) {
        if (!named(kind, "ApartmentHouse") && !named(kind, "LivingHouse"))
            continue;
        house_rooms(w, kind, fias, "");
        for (xmlNodePtr p = kind->children; p; p = p->next) {
            char num[256], guid[64], uniq[64];
            if (named(p, "Entrance")) {
                struct export_entry e = { .kind = "entrance", .key = { fias, TEXT(kid(p, "EntranceNum"), num) },
                                          .nkey = 2, .guid = or_null(TEXT(kid(p, "EntranceGUID"), guid)) };
                if (*num && e.guid)
                    emit(w, &e);
                continue;
            }
            if (!named(p, "ResidentialPremises") && !named(p, "NonResidentialPremises"))
                continue;
            struct export_entry e = { .kind = "premises", .key = { fias, TEXT(kid(p, "PremisesNum"), num) },
                                      .nkey = 2, .guid = or_null(TEXT(kid(p, "PremisesGUID"), guid)),
                                      .unique_number = or_null(TEXT(kid(p, "PremisesUniqueNumber"), uniq)) };
            if (!*num || !e.guid)
                continue;
            emit(w, &e);
            house_rooms(w, p, fias, num);
        }
    }
}

/* ---- exportAccountData ---- */

static void walk_accounts(struct walk *w, xmlNodePtr result)
{
    for (xmlNodePtr a = result->children; a; a = a->next) {
        if (!named(a, "exportAccountResult"))
            continue;
        char num[256], guid[64], uan[64], sid[64], attrs[128] = "";
        TEXT(kid(a, "ServiceID"), sid);
        if (*sid)
            snprintf(attrs, sizeof attrs, "ServiceID=%s", sid);
        struct export_entry e = { .kind = "account", .key = { TEXT(kid(a, "AccountNumber"), num) }, .nkey = 1,
                                  .guid = or_null(TEXT(kid(a, "AccountGUID"), guid)),
                                  .unique_number = or_null(TEXT(kid(a, "UnifiedAccountNumber"), uan)),
                                  .attrs = or_null(attrs) };
        if (*num && e.guid)      /* an account without a number has no local key */
            emit(w, &e);
    }
}

/* ---- exportMeteringDeviceData ---- */

static const char *meter_kind(xmlNodePtr m)
{
    char v[16];
    if (below(m, "MunicipalResourceEnergy"))
        return "electric";
    if (!strcmp(TEXT(below(m, "ConsumedVolume"), v), "true"))
        return "volume";
    return "onerate";
}

static void walk_meters(struct walk *w, xmlNodePtr result)
{
    for (xmlNodePtr m = result->children; m; m = m->next) {
        if (!named(m, "exportMeteringDeviceDataResult"))
            continue;
        char serial[256], root[64], version[64], updated[64], house[64], attrs[160];
        const char *kind = meter_kind(m);
        TEXT(below(kid(m, "BasicChatacteristicts"), "FIASHouseGuid"), house);
        if (!*house && w->cx && w->cx->house)
            snprintf(house, sizeof house, "%s", w->cx->house);
        snprintf(attrs, sizeof attrs, "%s%s%skind=%s", *house ? "house=" : "", house, *house ? ";" : "", kind);
        char status[16];
        /* an archived device is no target for readings or changes */
        int archived = !strcmp(TEXT(kid(m, "StatusRootDoc"), status), "Archival");
        struct export_entry e = { .kind = archived ? "meter_archived" : "meter",
                                  .key = { TEXT(below(m, "MeteringDeviceNumber"), serial) },
                                  .nkey = 1, .guid = or_null(TEXT(kid(m, "MeteringDeviceRootGUID"), root)),
                                  .version = or_null(TEXT(kid(m, "MeteringDeviceVersionGUID"), version)),
                                  .update_date = or_null(TEXT(kid(m, "UpdateDateTime"), updated)),
                                  .attrs = attrs };
        if (!*serial || !e.guid)
            continue;
        struct export_entry k = { .kind = "meter_kind", .key = { serial }, .nkey = 1, .guid = kind };
        emit(w, &e);
        if (!archived)
            emit(w, &k);
        if (!*house)
            continue;
        /* within its house too: serial numbers repeat across houses */
        e.key[0] = k.key[0] = house;
        e.key[1] = k.key[1] = serial;
        e.nkey = k.nkey = 2;
        emit(w, &e);
        if (!archived)
            emit(w, &k);
    }
}

/* ---- НСИ ---- */

/* The element's name: the value of its first string field. */
static const char *nsi_name(xmlNodePtr el, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (xmlNodePtr f = el->children; f && !buf[0]; f = f->next)
        if (named(f, "NsiElementField") && kid(f, "Value"))
            text(kid(f, "Value"), buf, cap);
    return buf;
}

static void walk_nsi_elements(struct walk *w, xmlNodePtr holder, const char *registry)
{
    for (xmlNodePtr el = holder->children; el; el = el->next) {
        if (!named(el, "NsiElement") && !named(el, "ChildElement"))
            continue;
        char code[64], guid[64], actual[16], name[512], attrs[560] = "";
        TEXT(kid(el, "Code"), code);
        TEXT(kid(el, "GUID"), guid);
        nsi_name(el, name, sizeof name);
        if (*name)
            snprintf(attrs, sizeof attrs, "name=%s", name);
        /* an element the organisation deleted (IsActual false) is kept
         * apart: a recovery names it, nothing else may */
        if (*code && *guid) {
            int gone = !strcmp(TEXT(kid(el, "IsActual"), actual), "false");
            struct export_entry e = { .kind = gone ? "nsi_deleted" : "nsi", .key = { registry, code }, .nkey = 2,
                                      .guid = guid,
                                      .unique_number = code, .attrs = or_null(attrs) };
            emit(w, &e);
            if (*name) {
                e.key[1] = name;
                emit(w, &e);
            }
        }
        walk_nsi_elements(w, el, registry);
    }
}

/* One page of a registry: its elements, and whether pages follow
 * (CurrentPage < TotalPages: ask again with Page + 1). */
static void walk_nsi_page(struct walk *w, xmlNodePtr result)
{
    xmlNodePtr item = kid(result, "NsiPagingItem");
    char registry[16], cur[16], total[16];
    TEXT(kid(item, "NsiItemRegistryNumber"), registry);
    if (item && *registry)
        walk_nsi_elements(w, item, registry);
    int page = atoi(TEXT(kid(item, "CurrentPage"), cur)), pages = atoi(TEXT(kid(item, "TotalPages"), total));
    w->sum->page = page;
    w->sum->next_page = page >= 1 && page < pages;
}

static void walk_nsi(struct walk *w, xmlNodePtr result)
{
    xmlNodePtr item = kid(result, "NsiItem");
    char registry[16];
    TEXT(kid(item, "NsiItemRegistryNumber"), registry);
    if (item && *registry)
        walk_nsi_elements(w, item, registry);
}

/* ---- organisations ---- */

static void walk_orgs(struct walk *w, xmlNodePtr result)
{
    for (xmlNodePtr o = result->children; o; o = o->next) {
        if (!named(o, "exportOrgRegistryResult"))
            continue;
        char ogrn[32], root[64], version[64], attrs[80] = "";
        xmlNodePtr ver = kid(o, "OrgVersion");
        if (!*TEXT(below(ver, "OGRN"), ogrn))
            TEXT(below(ver, "OGRNIP"), ogrn);
        if (*TEXT(kid(o, "orgRootEntityGUID"), root))
            snprintf(attrs, sizeof attrs, "root=%s", root);
        struct export_entry e = { .kind = "org", .key = { ogrn }, .nkey = 1,
                                  .guid = or_null(TEXT(kid(ver, "orgVersionGUID"), version)),
                                  .attrs = or_null(attrs) };
        if (*ogrn && e.guid)
            emit(w, &e);
    }
    char more[16];
    w->sum->next_page = !strcmp(TEXT(kid(result, "IsNextPage"), more), "true");
}

static void walk_data_provider(struct walk *w, xmlNodePtr result)
{
    for (xmlNodePtr p = result->children; p; p = p->next) {
        if (!named(p, "exportDataProviderResult"))
            continue;
        char root[64], guid[64];
        struct export_entry e = { .kind = "data_provider", .key = { TEXT(below(p, "orgRootEntityGUID"), root) },
                                  .nkey = 1, .guid = or_null(TEXT(kid(p, "DataProviderGUID"), guid)) };
        if (*root && e.guid)
            emit(w, &e);
    }
}

/* ---- exportPaymentDocumentData ---- */

static void walk_payment_documents(struct walk *w, xmlNodePtr result)
{
    const char *period = w->cx && w->cx->period ? w->cx->period : NULL;
    for (xmlNodePtr r = result->children; r; r = r->next) {
        xmlNodePtr d = named(r, "exportPaymentDocResult") ? kid(r, "PaymentDocument") : NULL;
        if (!d || !period)
            continue;
        char account[64], num[64], id[64], buf[64];
        /* what the payment-document report shows (run/bills.h) */
        strbuf attrs = STRBUF_INIT;
        if (kid(d, "Withdraw"))
            attrs_add(&attrs, "withdrawn", "true");
        /* as GIS wrote them (the key holds their comparison form) */
        attrs_add(&attrs, "account", TEXT(kid(d, "AccountGuid"), buf));
        attrs_add(&attrs, "number", TEXT(kid(d, "PaymentDocumentNumber"), buf));
        attrs_add(&attrs, "period", period);
        attrs_add(&attrs, "total", TEXT(kid(d, "TotalPayableByPD"), buf));
        attrs_add(&attrs, "debt", TEXT(kid(d, "DebtPreviousPeriods"), buf));
        attrs_add(&attrs, "advance", TEXT(kid(d, "AdvanceBllingPeriod"), buf));
        attrs_add(&attrs, "paid", TEXT(kid(d, "PaymentsTaken"), buf));
        struct export_entry e = { .kind = "payment_document",
                                  .key = { TEXT(kid(d, "AccountGuid"), account), TEXT(kid(d, "PaymentDocumentNumber"), num),
                                           period },
                                  .nkey = 3, .unique_number = or_null(TEXT(kid(d, "PaymentDocumentID"), id)),
                                  .attrs = attrs.len ? sb_str(&attrs) : NULL };
        if (*account && *num && e.unique_number)
            emit(w, &e);
        sb_free(&attrs);
    }
}

/* ---- exportDebtSubrequests ---- */

/* One subrequest: what the accountant's workbook shows of it, as attrs. */
static void walk_debt_subrequest(struct walk *w, xmlNodePtr d)
{
    char sub[64], buf[4096];
    xmlNodePtr info = kid(d, "requestInfo");
    xmlNodePtr answer = kid(d, "responseData");
    static const struct { const char *attr, *path[2]; } fields[] = {
        { "request_guid", { "requestGUID", NULL } }, { "number", { "requestNumber", NULL } },
        { "org", { "organization", "name" } },        { "tel", { "organization", "tel" } },
        { "address", { "housingFundObject", "address" } },
        { "from", { "period", "startDate" } },         { "to", { "period", "endDate" } },
        { "status", { "status", NULL } },              { "sent", { "sentDate", NULL } },
        { "deadline", { "responseDate", NULL } },
    };
    strbuf attrs = STRBUF_INIT;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        xmlNodePtr n = kid(info, fields[i].path[0]);
        if (fields[i].path[1])
            n = kid(n, fields[i].path[1]);
        attrs_add(&attrs, fields[i].attr, TEXT(n, buf));
    }
    attrs_add(&attrs, "response", TEXT(kid(d, "responseStatus"), buf));
    attrs_add(&attrs, "has_debt", TEXT(kid(answer, "hasDebt"), buf));
    struct export_entry e = { .kind = "debt_subrequest", .key = { TEXT(kid(d, "subrequestGUID"), sub) },
                              .nkey = 1, .guid = or_null(sub), .attrs = sb_str(&attrs) };
    if (*sub)
        emit(w, &e);
    sb_free(&attrs);
}

static void walk_debt_subrequests(struct walk *w, xmlNodePtr result)
{
    xmlNodePtr r = kid(result, "exportDSRsResult");
    for (xmlNodePtr d = r ? r->children : NULL; d; d = d->next)
        if (named(d, "subrequestData"))
            walk_debt_subrequest(w, d);
    char next[64];
    TEXT(kid(kid(r, "pagedOutput"), "nextSubrequestGUID"), next);
    if (*next) {
        w->sum->next_page = 1;
        snprintf(w->sum->next_guid, sizeof w->sum->next_guid, "%s", next);
    }
}

/* ---- exportCAChData ---- */

/* A management contract by DocNum, a charter by its Date (the keys the
 * import forms store them under): the document's GUID, version GUID, and
 * attrs status= (Approved, Projected, Annul, ...). */
static void walk_cach(struct walk *w, xmlNodePtr result)
{
    for (xmlNodePtr r = result->children; r; r = r->next) {
        if (!named(r, "exportCAChResult"))
            continue;
        xmlNodePtr d = kid(r, "Contract");
        int contract = d != NULL;
        if (!d)
            d = kid(r, "Charter");
        if (!d)
            continue;
        char key[256], guid[64], version[64], status[64], attrs[96] = "";
        TEXT(kid(d, contract ? "DocNum" : "Date"), key);
        TEXT(kid(d, contract ? "ContractStatus" : "CharterStatus"), status);
        if (*status)
            snprintf(attrs, sizeof attrs, "status=%s", status);
        struct export_entry e = { .kind = contract ? "contract" : "charter", .key = { key }, .nkey = 1,
                                  .guid = or_null(TEXT(kid(d, contract ? "ContractGUID" : "CharterGUID"), guid)),
                                  .version = or_null(TEXT(kid(d, contract ? "ContractVersionGUID"
                                                                          : "CharterVersionGUID"), version)),
                                  .attrs = or_null(attrs) };
        if (*key && e.guid)
            emit(w, &e);
    }
}

/* ---- exportMeteringDeviceHistory ----
 * One entry per reading (CurrentValue, ControlValue): kind meter_value,
 * key <root>|<date>|<type:resource>, guid the device, unique_number the
 * value (T1 for electricity), update_date when it entered GIS; attrs
 * type, resource (НСИ 2 code), resource_name (its Name when GIS gives it),
 * t2, t3, date. */

static void history_value(struct walk *w, const char *root, xmlNodePtr v, const char *type)
{
    char date[40], value[64], t2[64], t3[64], res[16], res_name[512], entered[64], part[48];
    TEXT(kid(v, "DateValue"), date);
    date[10 < strlen(date) ? 10 : strlen(date)] = '\0';
    if (!*TEXT(kid(v, "MeteringValue"), value))
        TEXT(kid(v, "MeteringValueT1"), value);
    TEXT(kid(v, "MeteringValueT2"), t2);
    TEXT(kid(v, "MeteringValueT3"), t3);
    TEXT(kid(kid(v, "MunicipalResource"), "Code"), res);
    TEXT(kid(kid(v, "MunicipalResource"), "Name"), res_name);
    TEXT(kid(v, "EnterIntoSystem"), entered);
    snprintf(part, sizeof part, "%s:%s", type, *res ? res : "T");
    strbuf attrs = STRBUF_INIT;
    attrs_add(&attrs, "type", type);
    attrs_add(&attrs, "resource", res);
    attrs_add(&attrs, "resource_name", res_name);
    attrs_add(&attrs, "t2", t2);
    attrs_add(&attrs, "t3", t3);
    attrs_add(&attrs, "date", date);
    struct export_entry e = { .kind = "meter_value", .key = { root, date, part }, .nkey = 3, .guid = root,
                              .unique_number = or_null(value), .update_date = or_null(entered),
                              .attrs = sb_str(&attrs) };
    if (*date && *value)
        emit(w, &e);
    sb_free(&attrs);
}

static void walk_history(struct walk *w, xmlNodePtr result)
{
    for (xmlNodePtr h = result->children; h; h = h->next) {
        if (!named(h, "exportMeteringDeviceHistoryResult"))
            continue;
        char root[64];
        if (!*TEXT(kid(h, "MeteringDeviceRootGUID"), root))
            continue;
        for (xmlNodePtr box = h->children; box; box = box->next) {
            xmlNodePtr values = kid(box, "Values");
            for (xmlNodePtr v = values ? values->children : NULL; v; v = v->next) {
                if (named(v, "CurrentValue"))
                    history_value(w, root, v, "current");
                else if (named(v, "ControlValue"))
                    history_value(w, root, v, "control");
            }
        }
    }
}

static const struct {
    const char *operation;
    void (*walk)(struct walk *w, xmlNodePtr result);
} walkers[] = {
    { "exportCAChData", walk_cach },
    { "exportMeteringDeviceHistory", walk_history },
    { "exportDebtSubrequests", walk_debt_subrequests },
    { "exportHouseData", walk_house },
    { "exportAccountData", walk_accounts },
    { "exportMeteringDeviceData", walk_meters },
    { "exportNsiItem", walk_nsi },
    { "exportDataProviderNsiItem", walk_nsi },
    { "exportNsiPagingItem", walk_nsi_page },
    { "exportDataProviderNsiPagingItem", walk_nsi_page },
    { "exportOrgRegistry", walk_orgs },
    { "exportDataProvider", walk_data_provider },
    { "exportPaymentDocumentData", walk_payment_documents },
};

int export_parse(const char *operation, const struct gis_state_result *res,
                 const struct export_context *cx, export_entry_fn fn, void *ctx,
                 struct export_summary *sum, hcs_err *err)
{
    memset(sum, 0, sizeof *sum);
    size_t i = 0;
    while (i < sizeof walkers / sizeof walkers[0] && strcmp(walkers[i].operation, operation))
        i++;
    if (i == sizeof walkers / sizeof walkers[0])
        return hcs_fail(err, HCS_EX_SOFTWARE, "%s is not a registry export", operation);
    if (res->request_state != 3)
        return hcs_fail(err, HCS_EX_TEMPFAIL, "%s: not processed yet (RequestState %d)", operation,
                        res->request_state);
    if (res->message_error) {
        const char *code = res->message_error->code ? res->message_error->code : "";
        if (!strcmp(code, "INT002012")) {
            sum->empty = 1;
            return 0;
        }
        return hcs_fail(err, HCS_EX_PROTOCOL, "%s: %s: %s", operation, code,
                        res->message_error->description ? res->message_error->description : "");
    }
    if (!res->result)
        return hcs_fail(err, HCS_EX_PROTOCOL, "%s: no getStateResult in the answer", operation);
    struct walk w = { .fn = fn, .ctx = ctx, .cx = cx, .sum = sum };
    walkers[i].walk(&w, res->result);
    return w.stop;
}
