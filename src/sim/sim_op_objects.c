/* sim_op_objects — the imports whose objects live in the generic objects
 * table (houses of importHouseUOData, charters, management contracts,
 * supply-resource contracts, additional and municipal services, payment
 * notifications) and exportCAChData over the stored charters/contracts.
 *
 * Every TransportGUID of a request marks one object: the element holding it.
 * The object's natural key is the text of the operation's key fields found
 * in that element; an element without them is a part of its parent object
 * (entrance, premises, ...) and is accepted with a new GUID, stored under
 * its TransportGUID.  A create whose key is stored already is INT002006; an
 * update form (an element named …Update/Edit…, or one naming the object by
 * ElementGuid / …VersionGUID / …RootGUID) changes the stored object and is
 * INT002000 when that object is unknown. */
#include "sim/sim_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/guid.h"
#include "base/xalloc.h"
#include "base/xmlsafe.h"
#include "sim/sim_db.h"

struct kind {
    const char *operation;
    const char *kind;
    const char *keys[3];       /* key fields, all of them present for an object */
    int check_houses;          /* FIASHouseGuid below must be in the housing stock */
    int check_accounts;        /* account / payment document references must exist */
};

static const struct kind kinds[] = {
    { "importHouseUOData", "house", { "FIASHouseGuid" }, 0, 0 },
    { "importCharterData", "charter", { "Date" }, 1, 0 },
    { "importContractData", "contract", { "DocNum", "SigningDate" }, 1, 0 },
    { "importSupplyResourceContractData", "supply-contract", { "ContractNumber", "SigningDate" }, 1, 0 },
    { "importAdditionalServices", "additional-service", { "AdditionalServiceTypeName" }, 0, 0 },
    { "importMunicipalServices", "municipal-service", { "MainMunicipalServiceName" }, 0, 0 },
    { "importNotificationsOfOrderExecution", "payment-notification", { "OrderID" }, 0, 1 },
    { NULL, NULL, { NULL }, 0, 0 }
};

/* Fields that name an existing object (update forms). */
static const char *const ref_fields[] = { "ElementGuid", "ContractVersionGUID", "CharterVersionGUID",
                                          "ContractRootGUID", "CharterGUID", "ContractGUID", NULL };

static const struct kind *kind_of(const char *operation)
{
    for (int i = 0; kinds[i].operation; i++)
        if (strcmp(kinds[i].operation, operation) == 0)
            return &kinds[i];
    return NULL;
}

/* Text of a direct or nested field, skipping nested objects (elements that
 * carry a TransportGUID of their own). */
static int field_text(xmlNodePtr obj, const char *local, char *buf, size_t n)
{
    for (xmlNodePtr e = obj->children; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)e->name, local) == 0) {
            xmlChar *t = xmlNodeGetContent(e);
            snprintf(buf, n, "%s", t ? (const char *)t : "");
            xmlFree(t);
            return 1;
        }
        if (xml_child(e, NS_BASE, "TransportGUID"))
            continue;
        if (field_text(e, local, buf, n))
            return 1;
    }
    return 0;
}

static int is_update_form(xmlNodePtr obj, xmlNodePtr req)
{
    for (xmlNodePtr e = obj; e && e != req; e = e->parent) {
        const char *name = (const char *)e->name;
        if (strstr(name, "Update") || strncmp(name, "Edit", 4) == 0 || strncmp(name, "Delete", 6) == 0 ||
            strncmp(name, "Recover", 7) == 0)
            return 1;
    }
    return 0;
}

/* Every FIASHouseGuid below node must be a house of the world (or one
 * imported by importHouseUOData). */
static int check_houses(struct sim_op_ctx *c, xmlNodePtr node, char code[16], char *desc, size_t n)
{
    for (xmlNodePtr e = node->children; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)e->name, "FIASHouseGuid") == 0) {
            xmlChar *t = xmlNodeGetContent(e);
            char one[8];
            int ok = sim_db_get(c->db, one, sizeof one, "SELECT 1 FROM houses WHERE fias_house_guid=?",
                                t ? (const char *)t : "") == 1;
            if (!ok) {
                snprintf(code, 16, "INT002034");
                snprintf(desc, n, "Идентификатор объекта ссылается на несуществующий или неактуальный "
                                  "элемент жилищного фонда (FIASHouseGuid %s)", t ? (const char *)t : "");
            }
            xmlFree(t);
            if (!ok)
                return 1;
        }
        if (check_houses(c, e, code, desc, n))
            return 1;
    }
    return 0;
}

/* A payment notification's ЕЛС, ЖКУ id, account number or payment document
 * must be known. */
static int check_accounts(struct sim_op_ctx *c, xmlNodePtr obj, char code[16], char *desc, size_t n)
{
    static const struct { const char *field, *sql; } refs[] = {
        { "UnifiedAccountNumber", "SELECT 1 FROM accounts WHERE unified_account_number=?" },
        { "ServiceID", "SELECT 1 FROM accounts WHERE service_id=?" },
        { "AccountNumber", "SELECT 1 FROM accounts WHERE account_number=?" },
        { "PaymentDocumentID", "SELECT 1 FROM payment_documents WHERE payment_document_id=?" },
    };
    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
        char v[128], one[8];
        if (field_text(obj, refs[i].field, v, sizeof v) &&
            sim_db_get(c->db, one, sizeof one, refs[i].sql, v) != 1) {
            snprintf(code, 16, "INT002000");
            snprintf(desc, n, "Значение в поле %s отсутствует в реестре.", refs[i].field);
            return 1;
        }
    }
    return 0;
}

/* The FIASHouseGuids below node, space-separated (the houses a charter or
 * contract manages; kept by an update that names none). */
static void collect_houses(xmlNodePtr node, strbuf *sb)
{
    for (xmlNodePtr e = node->children; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)e->name, "FIASHouseGuid") == 0) {
            xmlChar *t = xmlNodeGetContent(e);
            sb_addf(sb, "%s%s", sb->len ? " " : "", t ? (const char *)t : "");
            xmlFree(t);
        }
        collect_houses(e, sb);
    }
}

/* The object as a standalone document: the copy declares the namespaces its
 * ancestors did, so exportCAChData can parse it again. */
static char *node_xml(xmlNodePtr node)
{
    xmlDocPtr d = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr copy = xmlDocCopyNode(node, d, 1);
    xmlDocSetRootElement(d, copy);
    xmlDOMWrapReconcileNamespaces(NULL, copy, 0);
    xmlChar *out = NULL;
    int len = 0;
    xmlDocDumpMemoryEnc(d, &out, &len, "UTF-8");
    char *s = xstrndup((const char *)out, (size_t)len);
    xmlFree(out);
    xmlFreeDoc(d);
    return s;
}

/* The operation block of house-management's CommonResult. */
static void op_block(const struct kind *k, strbuf *sb, const char *guid, const char *version,
                     const char *number)
{
    if (strcmp(k->kind, "contract") == 0 || strcmp(k->kind, "charter") == 0) {
        const char *w = k->kind[1] == 'o' ? "Contract" : "Charter";
        sb_addf(sb, "<hm:import%s>", w);
        sb_addf(sb, "<hm:%sGUID>%s</hm:%sGUID>", w, guid, w);
        sb_addf(sb, "<hm:%sVersionGUID>%s</hm:%sVersionGUID>", w, version, w);
        sb_addf(sb, "<hm:%sStatus>Approved</hm:%sStatus>", w, w);
        simx_el(sb, "hm:VersionNumber", number);
        sb_addf(sb, "</hm:import%s>", w);
    } else if (strcmp(k->kind, "supply-contract") == 0) {
        sb_adds(sb, "<hm:ImportSupplyResourceContract>");
        simx_el(sb, "hm:ContractGUID", version);
        simx_el(sb, "hm:ContractRootGUID", guid);
        sb_adds(sb, "</hm:ImportSupplyResourceContract>");
    }
}

static void import_object(struct sim_op_ctx *c, const struct kind *k, struct simx_results *r,
                          xmlNodePtr obj, const char *transport)
{
    char code[16], desc[600], key[512] = "", shown[600] = "";
    if (simop_check_nsi(c, obj, code, desc, sizeof desc) ||
        simop_check_attachments(c, obj, code, desc, sizeof desc) ||
        simop_check_document(c, obj, code, desc, sizeof desc) ||
        (k->check_houses && check_houses(c, obj, code, desc, sizeof desc)) ||
        (k->check_accounts && check_accounts(c, obj, code, desc, sizeof desc))) {
        simx_result_error(r, transport, code, desc);
        return;
    }
    int whole = 1;
    for (int i = 0; k->keys[i]; i++) {
        char v[200];
        if (!field_text(obj, k->keys[i], v, sizeof v)) {
            whole = 0;
            break;
        }
        size_t kl = strlen(key), sl = strlen(shown);
        snprintf(key + kl, sizeof key - kl, "%s%s", i ? "|" : "", v);
        snprintf(shown + sl, sizeof shown - sl, "%s%s:%s", i ? ", " : "", k->keys[i], v);
    }
    char ref[64] = "", ref_field[40] = "";
    for (int i = 0; ref_fields[i] && !ref[0]; i++)
        if (field_text(obj, ref_fields[i], ref, sizeof ref))
            snprintf(ref_field, sizeof ref_field, "%s", ref_fields[i]);
    /* Parts (no key fields) of an update form are new parts unless named. */
    int update = ref[0] || (whole && is_update_form(obj, c->req));

    char guid[40] = "", version[40], unique[40] = "";
    if (update) {
        int found = ref[0]
            ? sim_db_get(c->db, guid, sizeof guid,
                         "SELECT guid FROM objects WHERE kind=? AND (guid=? OR version_guid=?)", k->kind, ref, ref)
            : whole ? sim_db_get(c->db, guid, sizeof guid,
                                 "SELECT guid FROM objects WHERE kind=? AND natural_key=?", k->kind, key) : 0;
        char one[8];
        if (found != 1 && !ref[0] && whole && strcmp(k->kind, "house") == 0 &&
            sim_db_get(c->db, one, sizeof one, "SELECT 1 FROM houses WHERE fias_house_guid=?", key) == 1) {
            /* A house of the world fixture updated for the first time. */
            update = 0;
        } else if (found != 1) {
            snprintf(desc, sizeof desc, "Значение в поле %s отсутствует в реестре.",
                     ref[0] ? ref_field : whole ? k->keys[0] : "TransportGUID");
            simx_result_error(r, transport, "INT002000", desc);
            return;
        }
    } else if (whole) {
        char other[40];
        if (sim_db_get(c->db, other, sizeof other, "SELECT guid FROM objects WHERE kind=? AND natural_key=?",
                       k->kind, key) == 1) {
            snprintf(desc, sizeof desc, "Объект уже существует: %s", shown);
            simx_result_error(r, transport, "INT002006", desc);
            return;
        }
    }
    guid_new(version);
    char *xml = node_xml(obj);
    strbuf houses = STRBUF_INIT;
    collect_houses(obj, &houses);
    if (update) {
        sim_db_get(c->db, unique, sizeof unique, "SELECT unique_number FROM objects WHERE guid=?", guid);
        sim_db_query(c->db, NULL, NULL, NULL,
                     "UPDATE objects SET natural_key=coalesce(nullif(?, ''), natural_key), version_guid=?,"
                     " version_number=version_number+1,"
                     " update_date=?, element=?, xml=?, houses=coalesce(nullif(?, ''), houses) WHERE guid=?",
                     whole ? key : "", version, c->now, (const char *)obj->name, xml, sb_str(&houses), guid);
    } else {
        guid_new(guid);
        snprintf(unique, sizeof unique, "%ld", simop_counter(c, k->kind));
        sim_db_query(c->db, NULL, NULL, NULL,
                     "INSERT INTO objects(guid, kind, natural_key, version_guid, unique_number, update_date,"
                     " element, xml, houses) VALUES(?,?,?,?,?,?,?,?,?)",
                     guid, whole ? k->kind : "part", whole ? key : transport, version, unique, c->now,
                     (const char *)obj->name, xml, sb_str(&houses));
        if (whole && strcmp(k->kind, "house") == 0)
            /* An imported house is housing stock for accounts and contracts. */
            sim_db_query(c->db, NULL, NULL, NULL,
                         "INSERT OR IGNORE INTO houses(fias_house_guid, house_type, origin)"
                         " VALUES(?, 'MKD', 'state')", key);
    }
    free(xml);
    sb_free(&houses);
    char number[16] = "1";
    sim_db_get(c->db, number, sizeof number, "SELECT version_number FROM objects WHERE guid=?", guid);
    strbuf extra = STRBUF_INIT;
    if (whole)
        op_block(k, &extra, guid, version, number);
    simx_result_ok(r, guid, transport, unique, c->now, extra.len ? sb_str(&extra) : NULL);
    sb_free(&extra);
}

static void walk(struct sim_op_ctx *c, const struct kind *k, struct simx_results *r, xmlNodePtr node)
{
    for (xmlNodePtr e = node->children; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE || xml_is(e, NS_DSIG, "Signature"))
            continue;
        if (xml_is(e, NS_BASE, "TransportGUID")) {
            xmlChar *t = xmlNodeGetContent(e);
            import_object(c, k, r, node, t ? (const char *)t : "");
            xmlFree(t);
            continue;
        }
        walk(c, k, r, e);
    }
}

int sim_op_import_objects(struct sim_op_ctx *c)
{
    const struct kind *k = kind_of(c->op->name);
    if (!k)
        return sim_op_import_generic(c);
    struct simx_results r;
    simx_results_begin(&r, c->out, c->op->service);
    walk(c, k, &r, c->req);
    simx_results_end(&r);
    if (!r.count)
        simx_error(c->out, "base:ErrorMessage", "INT002009",
                   "Поле TransportGUID является обязательным в данном контексте.");
    return 0;
}

/* ---- exportCAChData ---------------------------------------------------- */

/* Writes an element and its subtree, each element declaring its namespace
 * itself (the answer's envelope knows none of the client's prefixes). */
static void write_copy(strbuf *o, xmlNodePtr e)
{
    const char *href = e->ns ? (const char *)e->ns->href : "";
    sb_addf(o, "<x:%s xmlns:x=\"%s\">", (const char *)e->name, href);
    for (xmlNodePtr ch = e->children; ch; ch = ch->next) {
        if (ch->type == XML_ELEMENT_NODE)
            write_copy(o, ch);
        else if (ch->type == XML_TEXT_NODE && ch->content)
            sb_add_xml(o, (const char *)ch->content, strlen((const char *)ch->content));
    }
    sb_addf(o, "</x:%s>", (const char *)e->name);
}

/* Fields of ContractType / CharterType that ContractExportType /
 * CharterExportType carry with the same content model, in schema order. */
static const char *const contract_fields[] = {
    "DocNum", "SigningDate", "EffectiveDate", "PlanDateComptetion", "Validity", "Owners", "Cooperative",
    "MunicipalHousing", "BuildingOwner", "Protocol", "ContractBase", "ContractAttachment",
    "AgreementAttachment", "SignedOwners", "CommissioningPermitAgreement", "Charter",
    "AutomaticRollOverOneYear", "IndicationsAnyDay", NULL
};
static const char *const charter_fields[] = {
    "Date", "MeetingProtocol", "NoCharterApproveProtocol", "AttachmentCharter", "AutomaticRollOverOneYear",
    "IndicationsAnyDay", NULL
};

static int listed(const char *const *list, const char *name)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(list[i], name) == 0)
            return 1;
    return 0;
}

/* The element holding the document's own fields (PlacingContract,
 * EditCharter, ...): the first one with the first field as a child. */
static xmlNodePtr document_fields(xmlNodePtr n, const char *first)
{
    if (simop_child(n, first))
        return n;
    for (xmlNodePtr e = n->children; e; e = e->next) {
        xmlNodePtr d = e->type == XML_ELEMENT_NODE ? document_fields(e, first) : NULL;
        if (d)
            return d;
    }
    return NULL;
}

static int write_cach(void *ctx, sqlite3_stmt *row)
{
    struct sim_op_ctx *c = ctx;
    /* columns: 0 guid, 1 kind, 2 version_guid, 3 xml */
    int contract = strcmp(sim_col(row, 1), "contract") == 0;
    const char *w = contract ? "Contract" : "Charter";
    const char *const *fields = contract ? contract_fields : charter_fields;
    const char *xml = sim_col(row, 3);
    hcs_err err = { 0 };
    xmlDocPtr d = xmlsafe_parse(xml, strlen(xml), "stored object", &err);
    xmlNodePtr src = d ? document_fields(xmlDocGetRootElement(d), fields[0]) : NULL;
    if (src) {
        strbuf *o = c->out;
        sb_addf(o, "<hm:exportCAChResult><hm:%s>", w);
        for (xmlNodePtr e = src->children; e; e = e->next)
            if (e->type == XML_ELEMENT_NODE && listed(fields, (const char *)e->name))
                write_copy(o, e);
        sb_addf(o, "<hm:%sStatus>Approved</hm:%sStatus>", w, w);
        sb_addf(o, "<hm:%sGUID>%s</hm:%sGUID>", w, sim_col(row, 0), w);
        sb_addf(o, "<hm:%sVersionGUID>%s</hm:%sVersionGUID>", w, sim_col(row, 2), w);
        sb_addf(o, "</hm:%s></hm:exportCAChResult>", w);
        c->rows++;
    }
    xmlFreeDoc(d);
    return 0;
}

#define CACH_COLS "SELECT guid, kind, version_guid, xml FROM objects WHERE kind IN ('contract', 'charter')"

int sim_op_export_cach(struct sim_op_ctx *c)
{
    hcs_err err;
    c->rows = 0;
    int criteria = 0;
    for (xmlNodePtr crit = c->req->children; crit; crit = crit->next) {
        if (crit->type != XML_ELEMENT_NODE || strcmp((const char *)crit->name, "Criteria") != 0)
            continue;
        criteria++;
        char v[64], house[64], date[32];
        if (*simop_text(crit, "ContractGUID", v, sizeof v) || *simop_text(crit, "CharterGUID", v, sizeof v))
            sim_db_query(c->db, write_cach, c, &err, CACH_COLS " AND guid=?", v);
        else if (*simop_text(crit, "ContractVersionGUID", v, sizeof v) ||
                 *simop_text(crit, "CharterVersionGUID", v, sizeof v))
            sim_db_query(c->db, write_cach, c, &err, CACH_COLS " AND version_guid=?", v);
        else if (*simop_text(crit, "FIASHouseGuid", house, sizeof house)) {
            /* The house is named in the document's ContractObject. */
            simop_text(crit, "SigningDate", date, sizeof date);
            sim_db_query(c->db, write_cach, c, &err,
                         CACH_COLS " AND instr(lower(houses), lower(?)) > 0"
                         " AND (? = '' OR instr(xml, ?) > 0) ORDER BY unique_number",
                         house, date, date);
        }
    }
    if (!criteria)   /* exportCAChAsyncRequest without Criteria: every document */
        sim_db_query(c->db, write_cach, c, &err, CACH_COLS " ORDER BY kind, unique_number");
    if (!c->rows)
        simop_nothing_to_export(c);
    return 0;
}
