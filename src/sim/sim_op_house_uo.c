/* sim_op_house_uo — importHouseUOData for an apartment house: the house,
 * its non-residential premises, entrances, residential premises and their
 * living rooms become housing stock of the world (houses, premises, rooms,
 * entrances tables), so exportHouseData shows them and accounts, meters
 * and readings may name them.  Every part answers under its own
 * TransportGUID (GUID, UniqueNumber).
 *
 * Strict where GIS is: a …ToCreate of an object the house already has
 * (house by FIAS, entrance and premises by number, room by number within
 * its premises) is INT002006; a …ToUpdate naming an unknown object (or one
 * of another house) is INT002000; a residential premises naming an
 * entrance the house does not have (nor gets in this request) is INT002000;
 * when the house itself is refused, every part is refused with it.  A
 * LivingHouse is stored as the generic objects are (sim_op_objects.c). */
#include "sim/sim_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/guid.h"
#include "base/xmlsafe.h"

struct house_ctx {
    struct sim_op_ctx *c;
    struct simx_results *r;
    char fias[64];
    const char *fail_code;       /* the house was refused: its parts are too */
    char fail_desc[600];
};

static const char *child_text(xmlNodePtr n, const char *local, char *buf, size_t len)
{
    return simop_node_text(simop_child(n, local), buf, len);
}

static const char *transport_of(xmlNodePtr n, char *buf, size_t len)
{
    return simop_node_text(xml_child(n, NS_BASE, "TransportGUID"), buf, len);
}

static void ok(struct house_ctx *h, const char *guid, const char *transport, const char *counter)
{
    char unique[32];
    snprintf(unique, sizeof unique, "%ld", simop_counter(h->c, counter));
    simx_result_ok(h->r, guid, transport, unique, h->c->now, NULL);
}

static int refused(struct house_ctx *h, const char *transport, const char *code, const char *desc)
{
    simx_result_error(h->r, transport, code, desc);
    return 1;
}

/* 1 when the part was answered with an error already (house refused, НСИ). */
static int part_check(struct house_ctx *h, xmlNodePtr n, const char *transport)
{
    char code[16], desc[600];
    if (h->fail_code)
        return refused(h, transport, h->fail_code, h->fail_desc);
    if (simop_check_nsi(h->c, n, code, desc, sizeof desc))
        return refused(h, transport, code, desc);
    return 0;
}

static void house(struct house_ctx *h, xmlNodePtr n, int create)
{
    char transport[64], code[16] = "", desc[600] = "", one[8];
    transport_of(n, transport, sizeof transport);
    simop_text(simop_child(n, "BasicCharacteristicts"), "FIASHouseGuid", h->fias, sizeof h->fias);
    /* a house is the requester's when it created it, or, created by none
     * (the world's), when the requester is the world's provider */
    const char *org = h->c->org_key;
    int known = sim_db_get(h->c->db, one, sizeof one,
                           "SELECT 1 FROM houses h WHERE h.fias_house_guid=?1 AND " SIMOP_HOUSE_OF_ORG,
                           h->fias, org) == 1;
    if (simop_check_nsi(h->c, n, code, desc, sizeof desc)) {
        h->fail_code = "INT002000";
    } else if (create && known) {
        h->fail_code = "INT002006";
        snprintf(desc, sizeof desc, "Объект уже существует: FIASHouseGuid:%s", h->fias);
    } else if (!create && !known) {
        h->fail_code = "INT002000";
        snprintf(desc, sizeof desc, "Значение в поле FIASHouseGuid отсутствует в реестре.");
    }
    if (h->fail_code) {
        snprintf(h->fail_desc, sizeof h->fail_desc, "%s", desc);
        simx_result_error(h->r, transport, h->fail_code, desc);
        return;
    }
    if (create) {
        sim_db_query(h->c->db, NULL, NULL, NULL,
                     "INSERT OR IGNORE INTO houses(fias_house_guid, house_type, origin) VALUES(?, 'MKD', 'state')", h->fias);
        sim_db_query(h->c->db, NULL, NULL, NULL, "INSERT OR IGNORE INTO house_orgs(fias_house_guid, org) VALUES(?, ?)",
                     h->fias, org);
    }
    ok(h, h->fias, transport, "house");
}

static void entrance(struct house_ctx *h, xmlNodePtr n, int create)
{
    char transport[64], num[256], guid[64] = "", have[64];
    transport_of(n, transport, sizeof transport);
    if (part_check(h, n, transport))
        return;
    child_text(n, "EntranceNum", num, sizeof num);
    int dup = sim_db_get(h->c->db, have, sizeof have,
                         "SELECT entrance_guid FROM entrances WHERE fias_house_guid=? AND entrance_number=? AND org=?",
                         h->fias, num, h->c->org_key) == 1;
    if (create) {
        if (dup) {
            char desc[400];
            snprintf(desc, sizeof desc, "Объект уже существует: EntranceNum:%s", num);
            refused(h, transport, "INT002006", desc);
            return;
        }
        guid_new(guid);
        sim_db_query(h->c->db, NULL, NULL, NULL,
                     "INSERT INTO entrances(entrance_guid, fias_house_guid, entrance_number, origin, org)"
                     " VALUES(?, ?, ?, 'state', ?)", guid, h->fias, num, h->c->org_key);
    } else {
        child_text(n, "EntranceGUID", guid, sizeof guid);
        if (sim_db_get(h->c->db, have, sizeof have,
                       "SELECT 1 FROM entrances WHERE entrance_guid=? AND fias_house_guid=? AND org=?", guid, h->fias,
                       h->c->org_key) != 1) {
            refused(h, transport, "INT002000", "Значение в поле EntranceGUID отсутствует в реестре.");
            return;
        }
        sim_db_query(h->c->db, NULL, NULL, NULL, "UPDATE entrances SET entrance_number=? WHERE entrance_guid=?",
                     num, guid);
    }
    ok(h, guid, transport, "entrance");
}

/* The premises of a …ToCreate / …ToUpdate element; guid receives its GUID,
 * "" when refused. */
static void premises(struct house_ctx *h, xmlNodePtr n, int create, int residential, char guid[64])
{
    char transport[64], num[256] = "", have[64], area[64] = "", desc[400];
    guid[0] = '\0';
    transport_of(n, transport, sizeof transport);
    if (part_check(h, n, transport))
        return;
    child_text(n, "PremisesNum", num, sizeof num);
    child_text(n, "TotalArea", area, sizeof area);
    if (residential && simop_child(n, "EntranceNum")) {
        char ent[256];
        child_text(n, "EntranceNum", ent, sizeof ent);
        if (sim_db_get(h->c->db, have, sizeof have,
                       "SELECT 1 FROM entrances WHERE fias_house_guid=? AND entrance_number=? AND org=?", h->fias, ent,
                       h->c->org_key) != 1) {
            snprintf(desc, sizeof desc, "Подъезд %s не найден в доме (EntranceNum).", ent);
            refused(h, transport, "INT002000", desc);
            return;
        }
    }
    char g[64] = "";
    if (create) {
        if (sim_db_get(h->c->db, have, sizeof have,
                       "SELECT 1 FROM premises WHERE fias_house_guid=? AND premises_number=? AND org=?", h->fias, num,
                       h->c->org_key) == 1) {
            snprintf(desc, sizeof desc, "Объект уже существует: PremisesNum:%s", num);
            refused(h, transport, "INT002006", desc);
            return;
        }
        guid_new(g);
        sim_db_query(h->c->db, NULL, NULL, NULL,
                     "INSERT INTO premises(premises_guid, fias_house_guid, premises_number, residential, total_area,"
                     " origin, org) VALUES(?, ?, ?, ?, nullif(?, ''), 'state', ?)",
                     g, h->fias, num, residential ? "true" : "false", area, h->c->org_key);
    } else {
        child_text(n, "PremisesGUID", g, sizeof g);
        if (sim_db_get(h->c->db, have, sizeof have,
                       "SELECT 1 FROM premises WHERE premises_guid=? AND fias_house_guid=? AND org=?", g, h->fias,
                       h->c->org_key) != 1) {
            refused(h, transport, "INT002000", "Значение в поле PremisesGUID отсутствует в реестре.");
            return;
        }
        sim_db_query(h->c->db, NULL, NULL, NULL,
                     "UPDATE premises SET premises_number=coalesce(nullif(?, ''), premises_number),"
                     " total_area=coalesce(nullif(?, ''), total_area) WHERE premises_guid=?", num, area, g);
    }
    snprintf(guid, 64, "%s", g);
    ok(h, g, transport, "premises");
}

static void room(struct house_ctx *h, xmlNodePtr n, int create, const char *premises_guid)
{
    char transport[64], num[256] = "", guid[64] = "", have[64], desc[400];
    transport_of(n, transport, sizeof transport);
    if (part_check(h, n, transport))
        return;
    if (!premises_guid[0]) {
        refused(h, transport, "INT002000", "Помещение комнаты не принято (ResidentialPremises).");
        return;
    }
    child_text(n, "RoomNumber", num, sizeof num);
    if (create) {
        if (sim_db_get(h->c->db, have, sizeof have,
                       "SELECT 1 FROM rooms WHERE premises_guid=? AND room_number=?", premises_guid, num) == 1) {
            snprintf(desc, sizeof desc, "Объект уже существует: RoomNumber:%s", num);
            refused(h, transport, "INT002006", desc);
            return;
        }
        guid_new(guid);
        sim_db_query(h->c->db, NULL, NULL, NULL,
                     "INSERT INTO rooms(living_room_guid, premises_guid, room_number, origin) VALUES(?, ?, ?, 'state')",
                     guid, premises_guid, num);
    } else {
        child_text(n, "LivingRoomGUID", guid, sizeof guid);
        if (sim_db_get(h->c->db, have, sizeof have,
                       "SELECT 1 FROM rooms WHERE living_room_guid=? AND premises_guid=?", guid, premises_guid) != 1) {
            refused(h, transport, "INT002000", "Значение в поле LivingRoomGUID отсутствует в реестре.");
            return;
        }
        if (num[0])
            sim_db_query(h->c->db, NULL, NULL, NULL, "UPDATE rooms SET room_number=? WHERE living_room_guid=?",
                         num, guid);
    }
    ok(h, guid, transport, "room");
}

static void residential(struct house_ctx *h, xmlNodePtr rp)
{
    char guid[64] = "";
    for (xmlNodePtr e = rp->children; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE)
            continue;
        const char *name = (const char *)e->name;
        if (!strcmp(name, "ResidentialPremisesToCreate") || !strcmp(name, "ResidentialPremisesToUpdate"))
            premises(h, e, strstr(name, "ToCreate") != NULL, 1, guid);
        else if (!strcmp(name, "LivingRoomToCreate") || !strcmp(name, "LivingRoomToUpdate"))
            room(h, e, strstr(name, "ToCreate") != NULL, guid);
    }
}

static void apartment_house(struct house_ctx *h, xmlNodePtr ah)
{
    for (xmlNodePtr e = ah->children; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE)
            continue;
        const char *name = (const char *)e->name;
        char guid[64];
        if (!strcmp(name, "ApartmentHouseToCreate") || !strcmp(name, "ApartmentHouseToUpdate"))
            house(h, e, strstr(name, "ToCreate") != NULL);
        else if (!strcmp(name, "NonResidentialPremiseToCreate") || !strcmp(name, "NonResidentialPremiseToUpdate"))
            premises(h, e, strstr(name, "ToCreate") != NULL, 0, guid);
        else if (!strcmp(name, "EntranceToCreate") || !strcmp(name, "EntranceToUpdate"))
            entrance(h, e, strstr(name, "ToCreate") != NULL);
        else if (!strcmp(name, "ResidentialPremises"))
            residential(h, e);
        else if (xml_child(e, NS_BASE, "TransportGUID")) {
            char transport[64];
            transport_of(e, transport, sizeof transport);
            if (!part_check(h, e, transport)) {   /* lifts: accepted, not kept */
                guid_new(guid);
                ok(h, guid, transport, "lift");
            }
        }
    }
}

int sim_op_import_house_uo(struct sim_op_ctx *c)
{
    xmlNodePtr ah = simop_child(c->req, "ApartmentHouse");
    if (!ah)
        return sim_op_import_objects(c);
    struct simx_results r;
    struct house_ctx h = { .c = c, .r = &r };
    simx_results_begin(&r, c->out, c->op->service);
    apartment_house(&h, ah);
    simx_results_end(&r);
    if (!r.count)
        simx_error(c->out, "base:ErrorMessage", "INT002009",
                   "Поле TransportGUID является обязательным в данном контексте.");
    return 0;
}
