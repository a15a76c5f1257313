/* sim_op_common — the operation table and the helpers the processors share:
 * НСИ reference checks (INT002000), attachment checks (FIL001001/2),
 * counters for registry numbers. */
#include "sim/sim_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xmlsafe.h"
#include "base/guid.h"
#include "sim/sim_db.h"

static const struct { const char *name; sim_op_fn fn; } table[] = {
    { "importAccountData", sim_op_import_account },
    { "exportAccountData", sim_op_export_account },
    { "importMeteringDeviceValues", sim_op_import_meter_values },
    { "exportMeteringDeviceHistory", sim_op_export_meter_history },
    { "importMeteringDeviceData", sim_op_import_meter_data },
    { "exportMeteringDeviceData", sim_op_export_meter_data },
    { "importPaymentDocumentData", sim_op_import_payment_docs },
    { "exportPaymentDocumentData", sim_op_export_payment_docs },
    { "exportHouseData", sim_op_export_house },
    { "exportNsiItem", sim_op_export_nsi_item },
    { "exportDataProviderNsiItem", sim_op_export_nsi_item },
    { "exportNsiPagingItem", sim_op_export_nsi_paging_item },
    { "exportDataProviderNsiPagingItem", sim_op_export_nsi_paging_item },
    { "exportNsiList", sim_op_export_nsi_list },
    { "exportOrgRegistry", sim_op_export_org_registry },
    { "exportDataProvider", sim_op_export_data_provider },
    { "importHouseUOData", sim_op_import_house_uo },
    { "importCharterData", sim_op_import_objects },
    { "importContractData", sim_op_import_objects },
    { "importSupplyResourceContractData", sim_op_import_objects },
    { "importAdditionalServices", sim_op_import_nsi_services },
    { "importMunicipalServices", sim_op_import_nsi_services },
    { "importNotificationsOfOrderExecution", sim_op_import_objects },
    { "importNotificationsOfOrderExecutionCancellation", sim_op_import_payment_cancellations },
    { "exportCAChData", sim_op_export_cach },
    { "exportDebtSubrequests", sim_op_export_debt_subrequests },
    { "importResponses", sim_op_import_debt_responses },
    { NULL, NULL }
};

sim_op_fn sim_op_lookup(const char *operation)
{
    for (int i = 0; table[i].name; i++)
        if (strcmp(table[i].name, operation) == 0)
            return table[i].fn;
    /* Everything else in the operation table is an import. */
    return strncmp(operation, "import", 6) == 0 ? sim_op_import_generic : NULL;
}

xmlNodePtr simop_child(xmlNodePtr node, const char *local)
{
    for (xmlNodePtr n = node ? node->children : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, local) == 0)
            return n;
    return NULL;
}

static xmlNodePtr find_local(xmlNodePtr node, const char *local)
{
    for (xmlNodePtr n = node ? node->children : NULL; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)n->name, local) == 0)
            return n;
        xmlNodePtr d = find_local(n, local);
        if (d)
            return d;
    }
    return NULL;
}

const char *simop_text(xmlNodePtr node, const char *local, char *buf, size_t n)
{
    buf[0] = '\0';
    xmlNodePtr e = find_local(node, local);
    if (e) {
        xmlChar *t = xmlNodeGetContent(e);
        snprintf(buf, n, "%s", t ? (const char *)t : "");
        xmlFree(t);
    }
    return buf;
}

/* Which НСИ registry an nsiRef element refers to, by its name and parent
 * (the registries the schemas' documentation names); NULL when unknown. */
static const char *registry_of(xmlNodePtr ref)
{
    const char *name = (const char *)ref->name;
    const char *parent = ref->parent ? (const char *)ref->parent->name : "";
    /* a supply contract's subject: НСИ 3 and 239 (ContractSubjectType) */
    if (strcmp(parent, "ContractSubject") == 0 && strcmp(name, "ServiceType") == 0)
        return "3";
    if (strcmp(parent, "ContractSubject") == 0 && strcmp(name, "MunicipalResource") == 0)
        return "239";
    if (strcmp(name, "ContractBase") == 0)
        return "58";
    if (strcmp(name, "MunicipalResource") == 0)
        return "2";
    if (strcmp(name, "CloseReason") == 0)
        return "22";
    /* importHouseUOData: Состояние (НСИ 24), Часовая зона (НСИ 32),
     * Характеристика помещения (НСИ 30) */
    if (strcmp(name, "State") == 0 && strcmp(parent, "BasicCharacteristicts") == 0)
        return "24";
    if (strcmp(name, "OlsonTZ") == 0)
        return "32";
    if (strcmp(name, "PremisesCharacteristic") == 0)
        return "30";
    if (strcmp(name, "MunicipalServiceRef") == 0)
        return "3";
    if (strcmp(name, "MunicipalResourceRef") == 0)
        return "2";
    if (strcmp(name, "ArchivingReason") == 0)       /* ArchiveDevice */
        return "21";
    if (strcmp(name, "ReasonVerification") == 0)    /* ReplaceDevice */
        return "224";
    if (strcmp(name, "Type") == 0 && strcmp(parent, "ID") == 0)
        return "95";
    if (strcmp(name, "ServiceType") == 0) {
        if (strcmp(parent, "HousingService") == 0)
            return "50";
        if (strcmp(parent, "MunicipalService") == 0)
            return "51";
        if (strcmp(parent, "AdditionalService") == 0)
            return "1";
        if (strcmp(parent, "PenaltiesAndCourtCosts") == 0)
            return "329";
    }
    /* debtInfo/document/type: НСИ 358, debtInfo/person/document/type: НСИ 95
     * (hcs-debt-requests-types.xsd) */
    if (strcmp(name, "type") == 0 && strcmp(parent, "document") == 0 && ref->parent->parent) {
        const char *up = (const char *)ref->parent->parent->name;
        return strcmp(up, "debtInfo") == 0 ? "358" : strcmp(up, "person") == 0 ? "95" : NULL;
    }
    return NULL;
}

static int check_refs(struct sim_op_ctx *c, xmlNodePtr node, char code[16], char *desc, size_t n)
{
    for (xmlNodePtr e = node ? node->children : NULL; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE)
            continue;
        xmlNodePtr cnode = xml_child(e, NS_NSI_BASE, "Code");
        xmlNodePtr gnode = xml_child(e, NS_NSI_BASE, "GUID");
        const char *reg = cnode && gnode ? registry_of(e) : NULL;
        if (reg) {
            char have[8];
            if (sim_db_get(c->db, have, sizeof have, "SELECT 1 FROM nsi WHERE registry=? LIMIT 1", reg) == 1) {
                xmlChar *code_t = xmlNodeGetContent(cnode), *guid_t = xmlNodeGetContent(gnode);
                int ok = sim_db_get(c->db, have, sizeof have,
                                    "SELECT 1 FROM nsi WHERE registry=? AND code=? AND guid=?",
                                    reg, (const char *)code_t, (const char *)guid_t) == 1;
                xmlFree(code_t);
                xmlFree(guid_t);
                if (!ok) {
                    snprintf(code, 16, "INT002000");
                    snprintf(desc, n, "Значение в поле %s отсутствует в реестре.", (const char *)e->name);
                    return 1;
                }
            }
        }
        if (check_refs(c, e, code, desc, n))
            return 1;
    }
    return 0;
}

int simop_check_nsi(struct sim_op_ctx *c, xmlNodePtr node, char code[16], char *desc, size_t n)
{
    return check_refs(c, node, code, desc, n);
}

static int check_attachment_tree(struct sim_op_ctx *c, xmlNodePtr node, char code[16], char *desc, size_t n)
{
    for (xmlNodePtr e = node ? node->children : NULL; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE)
            continue;
        xmlNodePtr att = xml_child(e, NS_BASE, "Attachment");
        xmlNodePtr hash = xml_child(e, NS_BASE, "AttachmentHASH");
        xmlNodePtr gnode = att ? xml_child(att, NS_BASE, "AttachmentGUID") : NULL;
        if (gnode) {
            xmlChar *g = xmlNodeGetContent(gnode);
            xmlChar *h = hash ? xmlNodeGetContent(hash) : NULL;
            char stored[65];
            int rc = 0;
            if (!sim_filestore_lookup(c->fs, (const char *)g, stored)) {
                snprintf(code, 16, "FIL001001");
                snprintf(desc, n, "Файл не найден");
                rc = 1;
            } else if (h && strcasecmp((const char *)h, stored) != 0) {
                snprintf(code, 16, "FIL001002");
                snprintf(desc, n, "AttachmentHASH не совпадает контрольной суммой файла %s", (const char *)g);
                rc = 1;
            }
            xmlFree(g);
            xmlFree(h);
            if (rc)
                return 1;
        }
        if (check_attachment_tree(c, e, code, desc, n))
            return 1;
    }
    return 0;
}

int simop_check_attachments(struct sim_op_ctx *c, xmlNodePtr node, char code[16], char *desc, size_t n)
{
    return c->fs ? check_attachment_tree(c, node, code, desc, n) : 0;
}

long simop_counter(struct sim_op_ctx *c, const char *name)
{
    char v[32];
    sim_db_query(c->db, NULL, NULL, NULL,
                 "INSERT INTO counters(name, value) VALUES(?, 1)"
                 " ON CONFLICT(name) DO UPDATE SET value = value + 1", name);
    sim_db_get(c->db, v, sizeof v, "SELECT value FROM counters WHERE name=?", name);
    return atol(v);
}

void simop_unified_account(long n, char uan[32], char sid[40])
{
    /* ЕЛС: 2 digits, 2 Cyrillic letters, 6 digits (10 characters);
     * ЖКУ id: ЕЛС, '-', 2 digits (13 characters). */
    snprintf(uan, 32, "77СМ%06ld", n % 1000000);
    snprintf(sid, 40, "%s-01", uan);
}

void simop_not_supported(struct sim_op_ctx *c)
{
    char desc[200];
    snprintf(desc, sizeof desc, "Операция %s не поддерживается симулятором ГИС ЖКХ (hcs-sim)", c->op->name);
    simx_error(c->out, "base:ErrorMessage", "INT009999", desc);
}

char *simop_node_text(xmlNodePtr n, char *buf, size_t len)
{
    buf[0] = '\0';
    if (n) {
        xmlChar *t = xmlNodeGetContent(n);
        snprintf(buf, len, "%s", t ? (const char *)t : "");
        xmlFree(t);
    }
    return buf;
}

void simop_nothing_to_export(struct sim_op_ctx *c)
{
    simx_error(c->out, "base:ErrorMessage", "INT002012", "Нет объектов для экспорта");
}

int simop_export_by_criteria(struct sim_op_ctx *c, const struct simop_criterion *crit, sim_row_fn write)
{
    int rows = 0;
    hcs_err err;
    for (xmlNodePtr n = c->req->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        const struct simop_criterion *k = crit;
        while (k->element && strcmp(k->element, (const char *)n->name) != 0)
            k++;
        if (!k->element)
            continue;
        xmlChar *v = xmlNodeGetContent(n);
        int rc = sim_db_query(c->db, write, c, &err, k->sql, v ? (const char *)v : "");
        xmlFree(v);
        if (rc > 0)
            rows += rc;
    }
    if (!rows)
        simop_nothing_to_export(c);
    return 0;
}

/* Any import the simulator does not model: each TransportGUID is accepted
 * with a new GUID, after the НСИ references check out. */
static void accept_transports(struct sim_op_ctx *c, struct simx_results *r, xmlNodePtr node)
{
    for (xmlNodePtr e = node ? node->children : NULL; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE)
            continue;
        if (xml_is(e, NS_BASE, "TransportGUID")) {
            xmlChar *t = xmlNodeGetContent(e);
            char code[16], desc[512], guid[40];
            if (simop_check_nsi(c, e->parent, code, desc, sizeof desc)) {
                simx_result_error(r, (const char *)t, code, desc);
            } else {
                guid_new(guid);
                simx_result_ok(r, guid, (const char *)t, NULL, c->now, NULL);
            }
            xmlFree(t);
            continue;
        }
        accept_transports(c, r, e);
    }
}

int sim_op_import_generic(struct sim_op_ctx *c)
{
    struct simx_results r;
    simx_results_begin(&r, c->out, c->op->service);
    accept_transports(c, &r, c->req);
    simx_results_end(&r);
    if (!r.count)
        simx_error(c->out, "base:ErrorMessage", "INT002009",
                   "Поле TransportGUID является обязательным в данном контексте.");
    return 0;
}
