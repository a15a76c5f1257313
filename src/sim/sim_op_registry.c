/* sim_op_registry — exports of reference data: exportHouseData (house with
 * its residential premises and rooms), exportNsiItem /
 * exportDataProviderNsiItem / exportNsiList (nsi/<N>.csv), exportOrgRegistry
 * (orgs.csv and the provider) and exportDataProvider (the provider). */
#include "sim/sim_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xmlsafe.h"
#include "sim/sim_db.h"

/* ---- exportHouseData --------------------------------------------------- */

struct house_ctx {
    struct sim_op_ctx *c;
    int rooms_open;
};

static int write_room(void *ctx, sqlite3_stmt *row)
{
    struct sim_op_ctx *c = ctx;
    strbuf *o = c->out;
    sb_adds(o, "<hm:LivingRoom>");
    simx_el_opt(o, "hm:RoomNumber", sim_col(row, 1));
    simx_el(o, "hm:LivingRoomUniqueNumber", sim_col(row, 0));
    simx_el(o, "hm:ModificationDate", c->now);
    simx_el(o, "hm:LivingRoomGUID", sim_col(row, 0));
    sb_adds(o, "</hm:LivingRoom>");
    return 0;
}

static int write_entrance(void *ctx, sqlite3_stmt *row)
{
    struct sim_op_ctx *c = ctx;
    strbuf *o = c->out;
    sb_adds(o, "<hm:Entrance>");
    simx_el_opt(o, "hm:EntranceNum", sim_col(row, 1));
    simx_el(o, "hm:ModificationDate", c->now);
    simx_el(o, "hm:EntranceGUID", sim_col(row, 0));
    sb_adds(o, "</hm:Entrance>");
    return 0;
}

static int write_premises(void *ctx, sqlite3_stmt *row)
{
    struct sim_op_ctx *c = ctx;
    strbuf *o = c->out;
    /* 0 guid, 1 number, 2 residential, 3 total_area */
    sb_adds(o, "<hm:ResidentialPremises>");
    simx_el_opt(o, "hm:PremisesNum", sim_col(row, 1));
    sb_adds(o, "<hm:HasNoEntrance>true</hm:HasNoEntrance>");
    if (*sim_col(row, 3))
        simx_el(o, "hm:GrossArea", sim_col(row, 3));
    else
        sb_adds(o, "<hm:NoGrossArea>true</hm:NoGrossArea>");
    simx_el(o, "hm:PremisesUniqueNumber", sim_col(row, 0));
    simx_el(o, "hm:ModificationDate", c->now);
    hcs_err err;
    sim_db_query(c->db, write_room, c, &err,
                 "SELECT living_room_guid, room_number FROM rooms WHERE premises_guid=? ORDER BY room_number",
                 sim_col(row, 0));
    simx_el(o, "hm:PremisesGUID", sim_col(row, 0));
    sb_adds(o, "</hm:ResidentialPremises>");
    return 0;
}

static int write_house(void *ctx, sqlite3_stmt *row)
{
    struct sim_op_ctx *c = ctx;
    strbuf *o = c->out;
    /* 0 fias, 1 address, 2 type, 3 unique number */
    int living = strcmp(sim_col(row, 2), "living") == 0;
    sb_adds(o, "<hm:exportHouseResult>");
    simx_el(o, "hm:HouseUniqueNumber", *sim_col(row, 3) ? sim_col(row, 3) : sim_col(row, 0));
    simx_el(o, "hm:ModificationDate", c->now);
    sb_adds(o, living ? "<hm:LivingHouse>" : "<hm:ApartmentHouse>");
    sb_adds(o, "<hm:BasicCharacteristicts>");
    simx_el(o, "hm:FIASHouseGuid", sim_col(row, 0));
    sb_adds(o, "</hm:BasicCharacteristicts>");
    hcs_err err;
    if (!living)
        sim_db_query(c->db, write_entrance, c, &err,
                     "SELECT entrance_guid, entrance_number FROM entrances WHERE fias_house_guid=? AND org=?"
                     " ORDER BY CAST(entrance_number AS INTEGER), entrance_number", sim_col(row, 0), c->org_key);
    if (!living)
        sim_db_query(c->db, write_premises, c, &err,
                     "SELECT premises_guid, premises_number, residential, total_area FROM premises"
                     " WHERE fias_house_guid=? AND org=? AND coalesce(residential, 'true') NOT IN"
                     " ('false', '0', 'нет') ORDER BY CAST(premises_number AS INTEGER), premises_number",
                     sim_col(row, 0), c->org_key);
    if (living)
        simx_el(o, "hm:HouseGUID", sim_col(row, 0));
    sb_adds(o, living ? "</hm:LivingHouse>" : "</hm:ApartmentHouse>");
    sb_adds(o, "</hm:exportHouseResult>");
    return 0;
}

int sim_op_export_house(struct sim_op_ctx *c)
{
    char house[64];
    simop_node_text(simop_child(c->req, "FIASHouseGuid"), house, sizeof house);
    hcs_err err;
    int rows = sim_db_query(c->db, write_house, c, &err,
                            "SELECT fias_house_guid, address, house_type, unique_number FROM houses h"
                            " WHERE fias_house_guid=?1 AND " SIMOP_HOUSE_OF_ORG, house, c->org_key);
    if (rows <= 0)
        simop_nothing_to_export(c);
    return rows < 0 ? -1 : 0;
}

/* ---- НСИ ---------------------------------------------------------------- */

static int write_nsi_element(void *ctx, sqlite3_stmt *row)
{
    struct sim_op_ctx *c = ctx;
    strbuf *o = c->out;
    sb_adds(o, "<nsi-base:NsiElement>");
    simx_el(o, "nsi-base:Code", sim_col(row, 0));
    simx_el(o, "nsi-base:GUID", sim_col(row, 1));
    simx_el(o, "nsi-base:Modified", c->now);
    /* an element the organisation deleted stays, not actual (sim_op_nsi.c) */
    sb_addf(o, "<nsi-base:IsActual>%s</nsi-base:IsActual>", strcmp(sim_col(row, 3), "0") ? "true" : "false");
    if (*sim_col(row, 2)) {
        sb_adds(o, "<nsi-base:NsiElementField xsi:type=\"nsi-base:NsiElementStringFieldType\">"
                   "<nsi-base:Name>Значение</nsi-base:Name>");
        simx_el(o, "nsi-base:Value", sim_col(row, 2));
        sb_adds(o, "</nsi-base:NsiElementField>");
    }
    sb_adds(o, "</nsi-base:NsiElement>");
    return 0;
}

int sim_op_export_nsi_item(struct sim_op_ctx *c)
{
    char reg[16];
    simop_node_text(simop_child(c->req, "RegistryNumber"), reg, sizeof reg);
    char one[8];
    if (sim_db_get(c->db, one, sizeof one, "SELECT 1 FROM nsi WHERE registry=? LIMIT 1", reg) != 1) {
        simop_nothing_to_export(c);
        return 0;
    }
    sb_adds(c->out, "<");
    sb_adds(c->out, simx_prefix(c->op->service));
    sb_adds(c->out, ":NsiItem>");
    simx_el(c->out, "nsi-base:NsiItemRegistryNumber", reg);
    simx_el(c->out, "nsi-base:Created", c->now);
    hcs_err err;
    int rc = sim_db_query(c->db, write_nsi_element, c, &err,
                          "SELECT code, guid, name, coalesce(actual, 1) FROM nsi WHERE registry=?"
                          " ORDER BY CAST(code AS INTEGER), code", reg);
    sb_addf(c->out, "</%s:NsiItem>", simx_prefix(c->op->service));
    return rc < 0 ? -1 : 0;
}

/* exportNsiPagingItem / exportDataProviderNsiPagingItem: the registry's
 * elements nsi_page_size at a time, page Page (from 1) of TotalPages; a
 * page past the last, or a registry without elements, is INT002012. */
int sim_op_export_nsi_paging_item(struct sim_op_ctx *c)
{
    char reg[16], page_s[16], total_s[24];
    simop_node_text(simop_child(c->req, "RegistryNumber"), reg, sizeof reg);
    simop_node_text(simop_child(c->req, "Page"), page_s, sizeof page_s);
    long page = atol(page_s), size = c->nsi_page_size > 0 ? c->nsi_page_size : 1000;
    if (sim_db_get(c->db, total_s, sizeof total_s, "SELECT count(*) FROM nsi WHERE registry=?", reg) != 1)
        return -1;
    long total = atol(total_s), pages = (total + size - 1) / size;
    if (total == 0 || page < 1 || page > pages) {
        simop_nothing_to_export(c);
        return 0;
    }
    const char *p = simx_prefix(c->op->service);
    sb_addf(c->out, "<%s:NsiPagingItem>", p);
    simx_el(c->out, "nsi-base:NsiItemRegistryNumber", reg);
    simx_el(c->out, "nsi-base:Created", c->now);
    char limit[24], offset[24];
    snprintf(limit, sizeof limit, "%ld", size);
    snprintf(offset, sizeof offset, "%ld", (page - 1) * size);
    hcs_err err;
    int rc = sim_db_query(c->db, write_nsi_element, c, &err,
                          "SELECT code, guid, name, coalesce(actual, 1) FROM nsi WHERE registry=?"
                          " ORDER BY CAST(code AS INTEGER), code LIMIT CAST(? AS INTEGER) OFFSET CAST(? AS INTEGER)",
                          reg, limit, offset);
    sb_addf(c->out, "<%s:TotalItemsCount>%ld</%s:TotalItemsCount>", p, total, p);
    sb_addf(c->out, "<%s:TotalPages>%ld</%s:TotalPages>", p, pages, p);
    sb_addf(c->out, "<%s:CurrentPage>%ld</%s:CurrentPage>", p, page, p);
    sb_addf(c->out, "</%s:NsiPagingItem>", p);
    return rc < 0 ? -1 : 0;
}

static int write_nsi_info(void *ctx, sqlite3_stmt *row)
{
    struct sim_op_ctx *c = ctx;
    sb_adds(c->out, "<nsi-base:NsiItemInfo>");
    simx_el(c->out, "nsi-base:RegistryNumber", sim_col(row, 0));
    char name[64];
    snprintf(name, sizeof name, "НСИ %s", sim_col(row, 0));
    simx_el(c->out, "nsi-base:Name", name);
    simx_el(c->out, "nsi-base:Modified", c->now);
    sb_adds(c->out, "</nsi-base:NsiItemInfo>");
    return 0;
}

int sim_op_export_nsi_list(struct sim_op_ctx *c)
{
    char group[16];
    simop_node_text(simop_child(c->req, "ListGroup"), group, sizeof group);
    char one[8];
    if (sim_db_get(c->db, one, sizeof one, "SELECT 1 FROM nsi LIMIT 1") != 1) {
        simop_nothing_to_export(c);
        return 0;
    }
    sb_adds(c->out, "<nsic:NsiList>");
    simx_el(c->out, "nsi-base:Created", c->now);
    hcs_err err;
    sim_db_query(c->db, write_nsi_info, c, &err,
                 "SELECT DISTINCT registry FROM nsi ORDER BY CAST(registry AS INTEGER)");
    simx_el(c->out, "nsi-base:ListGroup", group[0] ? group : "NSI");
    sb_adds(c->out, "</nsic:NsiList>");
    return 0;
}

/* ---- organisations ------------------------------------------------------ */

static void write_org(struct sim_op_ctx *c, const char *root, const char *version,
                      const char *ogrn, const char *name)
{
    strbuf *o = c->out;
    sb_adds(o, "<ro:exportOrgRegistryResult>");
    simx_el(o, "org-reg:orgRootEntityGUID", root);
    sb_adds(o, "<ro:OrgVersion>");
    simx_el(o, "org-reg:orgVersionGUID", version);
    char date[16];
    snprintf(date, sizeof date, "%.10s", c->now);
    simx_el(o, "ro:lastEditingDate", date);
    sb_adds(o, "<ro:IsActual>true</ro:IsActual><ro:Legal>");
    simx_el(o, "org-reg:FullName", *name ? name : "Организация");
    simx_el(o, "orgb:OGRN", ogrn);
    sb_adds(o, "</ro:Legal></ro:OrgVersion></ro:exportOrgRegistryResult>");
}

static int write_org_row(void *ctx, sqlite3_stmt *row)
{
    write_org(ctx, sim_col(row, 0), sim_col(row, 1), sim_col(row, 2), sim_col(row, 3));
    return 0;
}

#define ORG_COLS "SELECT org_root_guid, coalesce(org_version_guid, org_root_guid), ogrn, name FROM orgs"

int sim_op_export_org_registry(struct sim_op_ctx *c)
{
    int rows = 0;
    hcs_err err;
    for (xmlNodePtr sc = c->req->children; sc; sc = sc->next) {
        if (sc->type != XML_ELEMENT_NODE || strcmp((const char *)sc->name, "SearchCriteria") != 0)
            continue;
        for (xmlNodePtr n = sc->children; n; n = n->next) {
            if (n->type != XML_ELEMENT_NODE)
                continue;
            const char *name = (const char *)n->name;
            char v[64];
            simop_node_text(n, v, sizeof v);
            int rc = 0;
            if (!strcmp(name, "OGRN") || !strcmp(name, "OGRNIP"))
                rc = sim_db_query(c->db, write_org_row, c, &err, ORG_COLS " WHERE ogrn=?", v);
            else if (!strcmp(name, "orgVersionGUID"))
                rc = sim_db_query(c->db, write_org_row, c, &err, ORG_COLS " WHERE org_version_guid=?", v);
            else if (!strcmp(name, "orgRootEntityGUID"))
                rc = sim_db_query(c->db, write_org_row, c, &err, ORG_COLS " WHERE org_root_guid=?", v);
            else if (!strcmp(name, "orgPPAGUID") && strcasecmp(v, c->org_ppa_guid) == 0)
                rc = sim_db_query(c->db, write_org_row, c, &err, ORG_COLS " WHERE ogrn=?", c->provider_ogrn);
            if (rc > 0)
                rows += rc;
        }
    }
    if (!rows)
        simop_nothing_to_export(c);
    return 0;
}

int sim_op_export_data_provider(struct sim_op_ctx *c)
{
    char root[64] = "";
    sim_db_get(c->db, root, sizeof root, "SELECT org_root_guid FROM orgs WHERE ogrn=?", c->provider_ogrn);
    strbuf *o = c->out;
    sb_adds(o, "<ro:exportDataProviderResult>");
    simx_el(o, "ro:DataProviderGUID", c->org_ppa_guid);
    sb_adds(o, "<ro:IsActual>true</ro:IsActual><org-reg:RegOrg>");
    simx_el(o, "org-reg:orgRootEntityGUID", root[0] ? root : c->org_ppa_guid);
    sb_adds(o, "</org-reg:RegOrg></ro:exportDataProviderResult>");
    return 0;
}
