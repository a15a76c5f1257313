/* sim_op_meter_update — importMeteringDeviceData's DeviceDataToUpdate
 * (house-management): characteristics changed before or after readings
 * began, archiving (ArchiveDevice, НСИ 21) and replacement by a device
 * already in GIS (ReplaceDevice: НСИ 224 or a planned verification, the
 * old device's final readings).  Each accepted change gives the device a
 * new version GUID, answered as importMeteringDevice/MeteringDeviceGUID;
 * an archived device takes no further change and no reading. */
#include "sim/sim_ops.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/guid.h"
#include "base/xmlsafe.h"

struct device {
    char root[40], house[64], archived[40];
};

/* The device whose current version is `version`: 1 found, 0 not. */
static int find_version(struct sim_op_ctx *c, const char *version, struct device *d)
{
    memset(d, 0, sizeof *d);
    if (sim_db_get(c->db, d->root, sizeof d->root, "SELECT root_guid FROM meters WHERE version_guid=?", version) != 1)
        return 0;
    sim_db_get(c->db, d->house, sizeof d->house, "SELECT coalesce(fias_house_guid, '') FROM meters WHERE root_guid=?",
               d->root);
    sim_db_get(c->db, d->archived, sizeof d->archived, "SELECT coalesce(archived, '') FROM meters WHERE root_guid=?",
               d->root);
    return 1;
}

/* Why `version` (named by field) cannot be changed, or NULL: unknown,
 * archived, or in another house than the request's. */
static const char *refuse(struct sim_op_ctx *c, const char *field, const char *version, const char *req_house,
                          struct device *d, char *desc, size_t n)
{
    if (!find_version(c, version, d)) {
        snprintf(desc, n, "Значение в поле %s отсутствует в реестре.", field);
        return "INT002000";
    }
    if (d->archived[0]) {
        snprintf(desc, n, "Значение в поле %s отсутствует в реестре (прибор учета %s в архиве).", field, version);
        return "INT002000";
    }
    if (req_house[0] && d->house[0] && strcasecmp(req_house, d->house) != 0) {
        snprintf(desc, n, "Идентификатор объекта ссылается на несуществующий или неактуальный элемент "
                          "жилищного фонда (ПУ %s не в доме %s)", version, req_house);
        return "INT002034";
    }
    return NULL;
}

/* UpdateBeforeDevicesValues / UpdateAfterDevicesValues: the characteristics given. */
static const char *apply_characteristics(struct sim_op_ctx *c, const struct device *d, xmlNodePtr data,
                                         char *desc, size_t n)
{
    xmlNodePtr basic = simop_child(data, "BasicChatacteristicts");
    xmlNodePtr from = basic ? basic : data;
    char number[128], model[128], one[8];
    simop_node_text(simop_child(from, "MeteringDeviceNumber"), number, sizeof number);
    simop_node_text(simop_child(from, "MeteringDeviceModel"), model, sizeof model);
    if (number[0] && sim_db_get(c->db, one, sizeof one,
                                "SELECT 1 FROM meters WHERE serial_number=? AND coalesce(fias_house_guid, '')=?"
                                " AND root_guid<>? AND coalesce(archived, '')=''", number, d->house, d->root) == 1) {
        snprintf(desc, n, "Объект уже существует: MeteringDeviceNumber:%s", number);
        return "INT002006";
    }
    sim_db_query(c->db, NULL, NULL, NULL,
                 "UPDATE meters SET serial_number=coalesce(nullif(?, ''), serial_number),"
                 " model=coalesce(nullif(?, ''), model) WHERE root_guid=?", number, model, d->root);
    return NULL;
}

/* ReplaceDevice: the replacing device must be another active device of
 * the house; the final readings are stored on the old one. */
static const char *apply_replace(struct sim_op_ctx *c, const struct device *d, xmlNodePtr rep, const char *req_house,
                                 char *desc, size_t n)
{
    char newv[64], date[40];
    struct device nd;
    simop_node_text(simop_child(rep, "ReplacingMeteringDeviceVersionGUID"), newv, sizeof newv);
    const char *code = refuse(c, "ReplacingMeteringDeviceVersionGUID", newv, req_house[0] ? req_house : d->house,
                              &nd, desc, n);
    if (code)
        return code;
    if (!strcasecmp(nd.root, d->root)) {
        snprintf(desc, n, "Значение в поле ReplacingMeteringDeviceVersionGUID отсутствует в реестре "
                          "(прибор учета не может заменить сам себя).");
        return "INT002000";
    }
    simop_node_text(simop_child(rep, "VerificationDate"), date, sizeof date);
    for (xmlNodePtr v = rep->children; v; v = v->next) {
        if (v->type != XML_ELEMENT_NODE || !strstr((const char *)v->name, "Value"))
            continue;
        char value[64], resource[16] = "", guid[40];
        simop_text(v, "MeteringValue", value, sizeof value);
        if (!value[0])
            simop_text(v, "MeteringValueT1", value, sizeof value);
        xmlNodePtr res = simop_child(v, "MunicipalResource");
        if (res)
            simop_node_text(xml_child(res, NS_NSI_BASE, "Code"), resource, sizeof resource);
        guid_new(guid);
        sim_db_query(c->db, NULL, NULL, NULL,
                     "INSERT INTO readings(guid, meter_root_guid, resource, value, date_value, message_guid,"
                     " update_date) VALUES(?,?,?,?,?,?,?)", guid, d->root, resource, value, date, c->gis_guid, c->now);
    }
    sim_db_query(c->db, NULL, NULL, NULL, "UPDATE meters SET archived='replaced', replaced_by=? WHERE root_guid=?",
                 nd.root, d->root);
    return NULL;
}

void sim_meter_update(struct sim_op_ctx *c, struct simx_results *r, const char *transport, xmlNodePtr upd,
                      const char *req_house)
{
    char version[64], code_buf[16], desc[512];
    struct device d;
    simop_node_text(simop_child(upd, "MeteringDeviceVersionGUID"), version, sizeof version);
    const char *code = refuse(c, "MeteringDeviceVersionGUID", version, req_house, &d, desc, sizeof desc);
    if (!code && simop_check_nsi(c, upd, code_buf, desc, sizeof desc))
        code = code_buf;
    xmlNodePtr before = simop_child(upd, "UpdateBeforeDevicesValues");
    xmlNodePtr after = simop_child(upd, "UpdateAfterDevicesValues");
    xmlNodePtr archive = simop_child(upd, "ArchiveDevice");
    xmlNodePtr replace = simop_child(upd, "ReplaceDevice");
    char one[8];
    if (!code && before && sim_db_get(c->db, one, sizeof one, "SELECT 1 FROM readings WHERE meter_root_guid=?"
                                      " LIMIT 1", d.root) == 1) {
        /* the schema's own words: "до начала внесения показаний" */
        snprintf(desc, sizeof desc, "Обновление характеристик ПУ до начала внесения показаний невозможно: "
                                    "по ПУ внесены показания (используйте UpdateAfterDevicesValues).");
        code = "INT002000";
    }
    if (!code && (before || after))
        code = apply_characteristics(c, &d, before ? before : after, desc, sizeof desc);
    if (!code && replace)
        code = apply_replace(c, &d, replace, req_house, desc, sizeof desc);
    if (code) {
        simx_result_error(r, transport, code, desc);
        return;
    }
    if (archive) {
        char reason[16];
        simop_text(archive, "Code", reason, sizeof reason);
        sim_db_query(c->db, NULL, NULL, NULL, "UPDATE meters SET archived=? WHERE root_guid=?", reason, d.root);
    }
    char fresh[40];
    guid_new(fresh);
    sim_db_query(c->db, NULL, NULL, NULL,
                 "UPDATE meters SET version_guid=?, update_date=?, origin='state' WHERE root_guid=?",
                 fresh, c->now, d.root);
    char extra[200];
    snprintf(extra, sizeof extra, "<hm:importMeteringDevice><hm:MeteringDeviceGUID>%s"
                                  "</hm:MeteringDeviceGUID></hm:importMeteringDevice>", fresh);
    simx_result_ok(r, d.root, transport, NULL, c->now, extra);
}
