/* sim_op_meter — metering devices: importMeteringDeviceValues
 * (device-metering), importMeteringDeviceData and exportMeteringDeviceData
 * (house-management). */
#include "sim/sim_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/guid.h"
#include "base/xmlsafe.h"
#include "sim/sim_db.h"

/* ---- importMeteringDeviceValues --------------------------------------- */

/* Every element below node that carries a base:TransportGUID child is one
 * reading (CurrentValue, ControlValue, VerificationValue, …). */
static void each_value(struct sim_op_ctx *c, struct simx_results *r, xmlNodePtr node,
                       const char *root, const char *err_code, const char *err_desc)
{
    for (xmlNodePtr e = node->children; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE)
            continue;
        xmlNodePtr t = xml_child(e, NS_BASE, "TransportGUID");
        if (!t) {
            each_value(c, r, e, root, err_code, err_desc);
            continue;
        }
        char transport[64], code[16], desc[512], value[64], date[40], resource[16], guid[40];
        simop_node_text(t, transport, sizeof transport);
        if (err_code) {
            simx_result_error(r, transport, err_code, err_desc);
            continue;
        }
        if (simop_check_nsi(c, e, code, desc, sizeof desc)) {
            simx_result_error(r, transport, code, desc);
            continue;
        }
        simop_text(e, "MeteringValue", value, sizeof value);
        if (!value[0])
            simop_text(e, "MeteringValueT1", value, sizeof value);
        simop_text(e, "DateValue", date, sizeof date);
        xmlNodePtr res = simop_child(e, "MunicipalResource");
        resource[0] = '\0';
        if (res)
            simop_node_text(xml_child(res, NS_NSI_BASE, "Code"), resource, sizeof resource);
        guid_new(guid);
        sim_db_query(c->db, NULL, NULL, NULL,
                     "INSERT INTO readings(guid, meter_root_guid, resource, value, date_value,"
                     " transport_guid, message_guid, update_date) VALUES(?,?,?,?,?,?,?,?)",
                     guid, root, resource, value, date, transport, c->gis_guid, c->now);
        simx_result_ok(r, guid, transport, NULL, c->now, NULL);
    }
}

int sim_op_import_meter_values(struct sim_op_ctx *c)
{
    struct simx_results r;
    simx_results_begin(&r, c->out, c->op->service);
    char house[64], one[8];
    simop_node_text(simop_child(c->req, "FIASHouseGuid"), house, sizeof house);
    int house_ok = !house[0] || sim_db_get(c->db, one, sizeof one,
                                           "SELECT 1 FROM houses WHERE fias_house_guid=?", house) == 1;
    for (xmlNodePtr mv = c->req->children; mv; mv = mv->next) {
        if (mv->type != XML_ELEMENT_NODE || strcmp((const char *)mv->name, "MeteringDevicesValues") != 0)
            continue;
        char id[64], root[64] = "", desc[300];
        const char *err_code = NULL, *field = "MeteringDeviceRootGUID";
        if (simop_node_text(simop_child(mv, "MeteringDeviceRootGUID"), id, sizeof id)[0]) {
            sim_db_get(c->db, root, sizeof root,
                       "SELECT root_guid FROM meters WHERE root_guid=?", id);
        } else {
            field = "MeteringDeviceVersionGUID";
            simop_node_text(simop_child(mv, "MeteringDeviceVersionGUID"), id, sizeof id);
            sim_db_get(c->db, root, sizeof root,
                       "SELECT root_guid FROM meters WHERE version_guid=?", id);
        }
        if (!house_ok) {
            err_code = "INT002034";
            snprintf(desc, sizeof desc, "Идентификатор объекта ссылается на несуществующий или "
                                        "неактуальный элемент жилищного фонда (FIASHouseGuid %s)", house);
        } else if (!root[0]) {
            /* A reading for a device GIS does not know. */
            err_code = "INT002000";
            snprintf(desc, sizeof desc, "Значение в поле %s отсутствует в реестре.", field);
        } else if (sim_db_get(c->db, one, sizeof one, "SELECT 1 FROM meters WHERE root_guid=? AND"
                              " coalesce(archived, '')<>''", root) == 1) {
            /* an archived (or replaced) device takes no reading */
            err_code = "INT002000";
            snprintf(desc, sizeof desc, "Значение в поле %s отсутствует в реестре (прибор учета в архиве).", field);
        } else if (house[0] && sim_db_get(c->db, one, sizeof one,
                                          "SELECT 1 FROM meters WHERE root_guid=? AND"
                                          " fias_house_guid<>?", root, house) == 1) {
            err_code = "INT002034";
            snprintf(desc, sizeof desc, "Идентификатор объекта ссылается на несуществующий или "
                                        "неактуальный элемент жилищного фонда (ПУ %s не в доме %s)", id, house);
        }
        each_value(c, &r, mv, root, err_code, desc);
    }
    simx_results_end(&r);
    return 0;
}

/* ---- importMeteringDeviceData ----------------------------------------- */

static void create_device(struct sim_op_ctx *c, struct simx_results *r, const char *transport,
                          xmlNodePtr data, const char *req_house)
{
    char number[128], premises[64] = "", account[64] = "", room[64] = "", house[64] = "";
    char code[16], desc[512], one[64];
    xmlNodePtr basic = simop_child(data, "BasicChatacteristicts");
    simop_text(basic, "MeteringDeviceNumber", number, sizeof number);
    simop_text(basic, "PremiseGUID", premises, sizeof premises);
    simop_text(basic, "AccountGUID", account, sizeof account);
    simop_text(basic, "LivingRoomGUID", room, sizeof room);
    simop_text(basic, "FIASHouseGuid", house, sizeof house);
    if (!house[0])
        snprintf(house, sizeof house, "%s", req_house);
    if (simop_check_nsi(c, data, code, desc, sizeof desc)) {
        simx_result_error(r, transport, code, desc);
        return;
    }
    if (premises[0] && sim_db_get(c->db, house, sizeof house,
                                  "SELECT fias_house_guid FROM premises WHERE premises_guid=?",
                                  premises) != 1) {
        snprintf(desc, sizeof desc, "Идентификатор объекта ссылается на несуществующий или неактуальный "
                                    "элемент жилищного фонда (PremiseGUID %s)", premises);
        simx_result_error(r, transport, "INT002034", desc);
        return;
    }
    if (house[0] && sim_db_get(c->db, one, sizeof one,
                               "SELECT 1 FROM houses WHERE fias_house_guid=?", house) != 1) {
        snprintf(desc, sizeof desc, "Идентификатор объекта ссылается на несуществующий или неактуальный "
                                    "элемент жилищного фонда (FIASHouseGuid %s)", house);
        simx_result_error(r, transport, "INT002034", desc);
        return;
    }
    char account_number[64] = "";
    if (account[0] && sim_db_get(c->db, account_number, sizeof account_number,
                                 "SELECT coalesce(account_number, '') FROM accounts"
                                 " WHERE account_guid=?", account) != 1) {
        simx_result_error(r, transport, "INT002000", "Значение в поле AccountGUID отсутствует в реестре.");
        return;
    }
    if (sim_db_get(c->db, one, sizeof one, "SELECT 1 FROM meters WHERE serial_number=? AND"
                   " coalesce(fias_house_guid, '')=?", number, house) == 1) {
        snprintf(desc, sizeof desc, "Объект уже существует: MeteringDeviceNumber:%s", number);
        simx_result_error(r, transport, "INT002006", desc);
        return;
    }
    /* Resources: НСИ 2 codes of the device; electric when MunicipalResourceEnergy. */
    char resources[64] = "";
    const char *kind = simop_child(data, "MunicipalResourceEnergy") ? "electric" : "onerate";
    for (xmlNodePtr m = data->children; m; m = m->next) {
        if (m->type != XML_ELEMENT_NODE)
            continue;
        const char *nm = (const char *)m->name;
        if (strcmp(nm, "MunicipalResourceNotEnergy") && strcmp(nm, "MunicipalResources"))
            continue;
        char rc[16];
        simop_text(m, "Code", rc, sizeof rc);
        if (rc[0] && strlen(resources) + strlen(rc) + 2 < sizeof resources)
            snprintf(resources + strlen(resources), sizeof resources - strlen(resources), "%s%s",
                     resources[0] ? "," : "", rc);
    }
    if (!strcmp(kind, "electric"))
        snprintf(resources, sizeof resources, "3");   /* НСИ 2: electric energy */
    char root[40], version[40], uniq[32];
    guid_new(root);
    guid_new(version);
    snprintf(uniq, sizeof uniq, "%ld", simop_counter(c, "meter"));
    char model[128];
    simop_text(basic, "MeteringDeviceModel", model, sizeof model);
    sim_db_query(c->db, NULL, NULL, NULL,
                 "INSERT INTO meters(root_guid, version_guid, fias_house_guid, serial_number, kind,"
                 " resources, premises_guid, account_number, account_guid, model, update_date, origin)"
                 " VALUES(?,?,?,?,?,?,nullif(?, ''),nullif(?, ''),nullif(?, ''),nullif(?, ''),?,'state')",
                 root, version, house, number, kind, resources, premises, account_number, account,
                 model, c->now);
    char extra[200];
    snprintf(extra, sizeof extra, "<hm:importMeteringDevice><hm:MeteringDeviceGUID>%s"
                                  "</hm:MeteringDeviceGUID></hm:importMeteringDevice>", version);
    simx_result_ok(r, root, transport, uniq, c->now, extra);
}

int sim_op_import_meter_data(struct sim_op_ctx *c)
{
    struct simx_results r;
    simx_results_begin(&r, c->out, c->op->service);
    char house[64];
    simop_node_text(simop_child(c->req, "FIASHouseGuid"), house, sizeof house);
    for (xmlNodePtr md = c->req->children; md; md = md->next) {
        if (md->type != XML_ELEMENT_NODE || strcmp((const char *)md->name, "MeteringDevice") != 0)
            continue;
        char transport[64];
        simop_node_text(xml_child(md, NS_BASE, "TransportGUID"), transport, sizeof transport);
        xmlNodePtr create = simop_child(md, "DeviceDataToCreate");
        xmlNodePtr update = simop_child(md, "DeviceDataToUpdate");
        if (create)
            create_device(c, &r, transport, create, house);
        else if (update)
            sim_meter_update(c, &r, transport, update, house);
    }
    simx_results_end(&r);
    return 0;
}

/* ---- exportMeteringDeviceData ----------------------------------------- */

static void nsi_ref(struct sim_op_ctx *c, const char *qname, const char *registry, const char *code)
{
    char guid[64] = "", name[512] = "";
    sim_db_get(c->db, guid, sizeof guid, "SELECT guid FROM nsi WHERE registry=? AND code=?", registry, code);
    sim_db_get(c->db, name, sizeof name, "SELECT name FROM nsi WHERE registry=? AND code=?", registry, code);
    sb_addf(c->out, "<%s>", qname);
    simx_el(c->out, "nsi-base:Code", code);
    /* A registry the world does not ship still needs a GUID for the schema. */
    simx_el(c->out, "nsi-base:GUID", guid[0] ? guid : "00000000-0000-0000-0000-000000000000");
    simx_el_opt(c->out, "nsi-base:Name", name);   /* GIS writes the element's name too */
    sb_addf(c->out, "</%s>", qname);
}

static int write_meter(void *ctx, sqlite3_stmt *row)
{
    struct sim_op_ctx *c = ctx;
    strbuf *o = c->out;
    /* 0 root, 1 version, 2 house, 3 serial, 4 kind, 5 resources, 6 premises, 7 account guid,
     * 8 model, 9 update_date, 10 archived (НСИ 21 code or "replaced", "" when active) */
    sb_adds(o, "<hm:exportMeteringDeviceDataResult><hm:BasicChatacteristicts>");
    simx_el(o, "hm:MeteringDeviceNumber", sim_col(row, 3));
    simx_el_opt(o, "hm:MeteringDeviceModel", sim_col(row, 8));
    sb_adds(o, "<hm:RemoteMeteringMode>false</hm:RemoteMeteringMode>"
               "<hm:TemperatureSensor>false</hm:TemperatureSensor>"
               "<hm:PressureSensor>false</hm:PressureSensor>");
    if (*sim_col(row, 6) && *sim_col(row, 7)) {
        sb_adds(o, "<hm:ResidentialPremiseDevice>");
        simx_el(o, "hm:PremiseGUID", sim_col(row, 6));
        simx_el(o, "hm:AccountGUID", sim_col(row, 7));
        sb_adds(o, "</hm:ResidentialPremiseDevice>");
    } else {
        sb_adds(o, "<hm:CollectiveDevice>");
        simx_el_opt(o, "hm:FIASHouseGuid", sim_col(row, 2));
        sb_adds(o, "</hm:CollectiveDevice>");
    }
    sb_adds(o, "</hm:BasicChatacteristicts><hm:NotLinkedWithMetering>true</hm:NotLinkedWithMetering>");
    if (strcmp(sim_col(row, 4), "electric") == 0) {
        sb_adds(o, "<hm:MunicipalResourceEnergy><mdb:MeteringValueT1>0</mdb:MeteringValueT1>"
                   "</hm:MunicipalResourceEnergy>");
    } else {
        char res[64];
        snprintf(res, sizeof res, "%s", *sim_col(row, 5) ? sim_col(row, 5) : "1");
        int n = 0;
        char *save = NULL;
        for (char *code = strtok_r(res, ",", &save); code && n < 3; code = strtok_r(NULL, ",", &save), n++) {
            sb_adds(o, "<hm:MunicipalResourceNotEnergy>");
            nsi_ref(c, "mdb:MunicipalResource", "2", code);
            sb_adds(o, "<mdb:MeteringValue>0</mdb:MeteringValue></hm:MunicipalResourceNotEnergy>");
        }
    }
    simx_el(o, "hm:MeteringDeviceRootGUID", sim_col(row, 0));
    sb_addf(o, "<hm:StatusRootDoc>%s</hm:StatusRootDoc>", *sim_col(row, 10) ? "Archival" : "Active");
    simx_el(o, "hm:MeteringDeviceVersionGUID", *sim_col(row, 1) ? sim_col(row, 1) : sim_col(row, 0));
    sb_adds(o, "<hm:VersionNumber>1</hm:VersionNumber><hm:StatusVersion>Active</hm:StatusVersion>");
    simx_el(o, "hm:UpdateDateTime", *sim_col(row, 9) ? sim_col(row, 9) : c->now);
    simx_el(o, "hm:MeteringDeviceGISGKHNumber", sim_col(row, 3));
    sb_adds(o, "</hm:exportMeteringDeviceDataResult>");
    return 0;
}

#define METER_COLS "SELECT m.root_guid, m.version_guid, m.fias_house_guid, m.serial_number, m.kind," \
    " m.resources, m.premises_guid, coalesce(m.account_guid, (SELECT a.account_guid FROM accounts a" \
    " WHERE a.account_number = m.account_number LIMIT 1)), m.model, m.update_date, coalesce(m.archived, '')" \
    " FROM meters m"

int sim_op_export_meter_data(struct sim_op_ctx *c)
{
    static const struct simop_criterion crit[] = {
        { "FIASHouseGuid", METER_COLS " WHERE m.fias_house_guid=? ORDER BY m.serial_number" },
        { "MeteringDeviceRootGUID", METER_COLS " WHERE m.root_guid=?" },
        { "MeteringDeviceVersionGUID", METER_COLS " WHERE m.version_guid=?" },
        { NULL, NULL },
    };
    return simop_export_by_criteria(c, crit, write_meter);
}

/* ---- exportMeteringDeviceHistory ------------------------------------- */

struct history {
    struct sim_op_ctx *c;
    int electric;
    int any;
};

static int write_reading(void *ctx, sqlite3_stmt *row)
{
    struct history *h = ctx;
    strbuf *o = h->c->out;
    /* 0 resource, 1 value, 2 date, 3 update_date */
    sb_adds(o, "<dm:CurrentValue>");
    if (h->electric) {
        simx_el(o, "mdb:MeteringValueT1", sim_col(row, 1));
    } else {
        nsi_ref(h->c, "mdb:MunicipalResource", "2", *sim_col(row, 0) ? sim_col(row, 0) : "1");
        simx_el(o, "mdb:MeteringValue", sim_col(row, 1));
    }
    simx_el(o, "mdb:EnterIntoSystem", sim_col(row, 3));
    char date[40];
    snprintf(date, sizeof date, "%.10sT00:00:00+03:00", sim_col(row, 2));
    simx_el(o, "dm:DateValue", date);
    sb_adds(o, "</dm:CurrentValue>");
    h->any = 1;
    return 0;
}

static int write_history(void *ctx, sqlite3_stmt *row)
{
    struct sim_op_ctx *c = ctx;
    struct history h = { c, strcmp(sim_col(row, 1), "electric") == 0, 0 };
    const char *box = h.electric ? "dm:ElectricDeviceValue" : "dm:OneRateDeviceValue";
    sb_adds(c->out, "<dm:exportMeteringDeviceHistoryResult>");
    simx_el(c->out, "dm:MeteringDeviceRootGUID", sim_col(row, 0));
    sb_addf(c->out, "<%s><dm:Values>", box);
    hcs_err err;
    sim_db_query(c->db, write_reading, &h, &err,
                 "SELECT resource, value, date_value, update_date FROM readings"
                 " WHERE meter_root_guid=? ORDER BY date_value, rowid", sim_col(row, 0));
    sb_addf(c->out, "</dm:Values></%s></dm:exportMeteringDeviceHistoryResult>", box);
    return 0;
}

/* Readings stored by importMeteringDeviceValues (and the final readings
 * of a replacement), per device of the house (all of them, or the
 * MeteringDeviceRootGUIDs asked for); archived devices only with
 * SerchArchived. */
int sim_op_export_meter_history(struct sim_op_ctx *c)
{
    char house[64], archived[8];
    simop_node_text(simop_child(c->req, "FIASHouseGuid"), house, sizeof house);
    /* archived devices only when SerchArchived (the schema's spelling) is set */
    simop_node_text(simop_child(c->req, "SerchArchived"), archived, sizeof archived);
    int rows = 0, by_root = 0;
    hcs_err err;
    for (xmlNodePtr n = c->req->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "MeteringDeviceRootGUID") != 0)
            continue;
        char root[64];
        simop_node_text(n, root, sizeof root);
        by_root = 1;
        int rc = sim_db_query(c->db, write_history, c, &err,
                              "SELECT root_guid, kind FROM meters WHERE root_guid=?"
                              " AND fias_house_guid=? AND (coalesce(archived, '')='' OR ?='true')",
                              root, house, archived);
        if (rc > 0)
            rows += rc;
    }
    if (!by_root) {
        int rc = sim_db_query(c->db, write_history, c, &err,
                              "SELECT root_guid, kind FROM meters WHERE fias_house_guid=?"
                              " AND (coalesce(archived, '')='' OR ?='true') ORDER BY serial_number",
                              house, archived);
        if (rc > 0)
            rows += rc;
    }
    if (!rows)
        simop_nothing_to_export(c);
    return 0;
}
