/* sim_op_account — importAccountData and exportAccountData against the
 * accounts of the world (house-management ImportResult/CommonResult with
 * ImportAccount; hm:exportAccountResult). */
#include "sim/sim_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/guid.h"
#include "base/xalloc.h"
#include "base/xmlsafe.h"
#include "sim/sim_db.h"

static const char *const kinds[] = { "isUOAccount", "isRSOAccount", "isCRAccount", "isRCAccount",
                                     "isOGVorOMSAccount", "isTKOAccount", NULL };

struct place {
    char house[40], premises[40], room[40], share[32];
};

/* Resolves the first Accommodation to house/premises/room; INT002034 when
 * any of them points at nothing in the housing stock. */
static int resolve_accommodations(struct sim_op_ctx *c, xmlNodePtr account, struct place *pl,
                                  char code[16], char *desc, size_t n)
{
    memset(pl, 0, sizeof *pl);
    int first = 1;
    for (xmlNodePtr a = account->children; a; a = a->next) {
        if (a->type != XML_ELEMENT_NODE || strcmp((const char *)a->name, "Accommodation") != 0)
            continue;
        char v[64], house[40] = "", premises[40] = "", room[40] = "", field[32] = "";
        int found = 0;
        if (*simop_text(a, "PremisesGUID", v, sizeof v)) {
            snprintf(field, sizeof field, "PremisesGUID");
            /* another organisation's premises is not in the requester's housing stock */
            found = sim_db_get(c->db, house, sizeof house,
                               "SELECT fias_house_guid FROM premises WHERE premises_guid=? AND org=?", v, c->org_key) == 1;
            snprintf(premises, sizeof premises, "%s", v);
        } else if (*simop_text(a, "LivingRoomGUID", v, sizeof v)) {
            snprintf(field, sizeof field, "LivingRoomGUID");
            found = sim_db_get(c->db, premises, sizeof premises,
                               "SELECT premises_guid FROM rooms WHERE living_room_guid=?", v) == 1;
            if (found)
                sim_db_get(c->db, house, sizeof house,
                           "SELECT fias_house_guid FROM premises WHERE premises_guid=?", premises);
            snprintf(room, sizeof room, "%s", v);
        } else if (*simop_text(a, "FIASHouseGuid", v, sizeof v)) {
            snprintf(field, sizeof field, "FIASHouseGuid");
            char one[8];
            found = sim_db_get(c->db, one, sizeof one,
                               "SELECT 1 FROM houses WHERE fias_house_guid=?", v) == 1;
            snprintf(house, sizeof house, "%s", v);
        }
        if (!found) {
            snprintf(code, 16, "INT002034");
            snprintf(desc, n, "Идентификатор объекта ссылается на несуществующий или неактуальный "
                              "элемент жилищного фонда (%s %s)", field, v);
            return 1;
        }
        if (first) {
            snprintf(pl->house, sizeof pl->house, "%s", house);
            snprintf(pl->premises, sizeof pl->premises, "%s", premises);
            snprintf(pl->room, sizeof pl->room, "%s", room);
            simop_text(a, "SharePercent", pl->share, sizeof pl->share);
            first = 0;
        }
    }
    return 0;
}

static void import_one(struct sim_op_ctx *c, struct simx_results *r, xmlNodePtr acc)
{
    char transport[64], number[64], guid_in[64], code[16], desc[600];
    xmlNodePtr t = xml_child(acc, NS_BASE, "TransportGUID");
    xmlChar *tt = t ? xmlNodeGetContent(t) : NULL;
    snprintf(transport, sizeof transport, "%s", tt ? (const char *)tt : "");
    xmlFree(tt);
    xmlNodePtr numnode = xml_child(acc, NS_ACCOUNT_BASE, "AccountNumber");
    xmlChar *nt = numnode ? xmlNodeGetContent(numnode) : NULL;
    snprintf(number, sizeof number, "%s", nt ? (const char *)nt : "");
    xmlFree(nt);
    xmlNodePtr gnode = simop_child(acc, "AccountGUID");
    xmlChar *gt = gnode ? xmlNodeGetContent(gnode) : NULL;
    snprintf(guid_in, sizeof guid_in, "%s", gt ? (const char *)gt : "");
    xmlFree(gt);

    if (simop_check_nsi(c, acc, code, desc, sizeof desc)) {
        simx_result_error(r, transport, code, desc);
        return;
    }
    struct place pl;
    if (resolve_accommodations(c, acc, &pl, code, desc, sizeof desc)) {
        simx_result_error(r, transport, code, desc);
        return;
    }
    const char *kind = "";
    for (int i = 0; kinds[i]; i++)
        if (simop_child(acc, kinds[i]))
            kind = kinds[i];
    char surname[300], first[300], total[64], persons[32], org[64];
    xmlNodePtr payer = simop_child(acc, "PayerInfo");
    simop_text(payer, "Surname", surname, sizeof surname);
    simop_text(payer, "FirstName", first, sizeof first);
    simop_text(payer, "orgVersionGUID", org, sizeof org);
    simop_text(acc, "TotalSquare", total, sizeof total);
    simop_text(acc, "LivingPersonsNumber", persons, sizeof persons);
    const char *closed = simop_child(acc, "Closed") ? "1" : SIM_NULL;

    char guid[40], uan[32], sid[40];
    if (guid_in[0]) {
        if (guid_normalize(guid_in, guid) < 0 ||
            sim_db_get(c->db, uan, sizeof uan,
                       "SELECT unified_account_number FROM accounts WHERE account_guid=? AND org=?", guid,
                       c->org_key) != 1) {
            simx_result_error(r, transport, "INT002000", "Значение в поле AccountGUID отсутствует в реестре.");
            return;
        }
        sim_db_get(c->db, sid, sizeof sid, "SELECT service_id FROM accounts WHERE account_guid=?", guid);
        sim_db_query(c->db, NULL, NULL, NULL,
                     "UPDATE accounts SET account_number=coalesce(nullif(?, ''), account_number),"
                     " fias_house_guid=?, premises_guid=nullif(?, ''), living_room_guid=nullif(?, ''),"
                     " account_kind=?, share_percent=nullif(?, ''), total_square=nullif(?, ''),"
                     " persons=nullif(?, ''), payer_surname=nullif(?, ''), payer_first_name=nullif(?, ''),"
                     " payer_org=nullif(?, ''), closed=?, update_date=?, origin='state'"
                     " WHERE account_guid=?",
                     number, pl.house, pl.premises, pl.room, kind, pl.share, total, persons, surname,
                     first, org, closed, c->now, guid);
    } else {
        char other[64];
        if (number[0] && sim_db_get(c->db, other, sizeof other,
                                    "SELECT account_guid FROM accounts WHERE account_number=? AND org=? AND"
                                    " closed IS NULL", number, c->org_key) == 1) {
            snprintf(desc, sizeof desc, "Объект уже существует: AccountNumber:%s", number);
            simx_result_error(r, transport, "INT002006", desc);
            return;
        }
        guid_new(guid);
        simop_unified_account(simop_counter(c, "account"), uan, sid);
        sim_db_query(c->db, NULL, NULL, NULL,
                     "INSERT INTO accounts(account_guid, account_number, unified_account_number,"
                     " service_id, fias_house_guid, premises_guid, living_room_guid, account_kind,"
                     " share_percent, total_square, persons, payer_surname, payer_first_name, payer_org,"
                     " closed, update_date, origin, org) VALUES(?,nullif(?, ''),?,?,?,nullif(?, ''),"
                     " nullif(?, ''),?,nullif(?, ''),nullif(?, ''),nullif(?, ''),nullif(?, ''),"
                     " nullif(?, ''),nullif(?, ''),?,?,'state',?)",
                     guid, number, uan, sid, pl.house, pl.premises, pl.room, kind, pl.share, total,
                     persons, surname, first, org, closed, c->now, c->org_key);
    }
    strbuf extra = STRBUF_INIT;
    sb_adds(&extra, "<hm:ImportAccount>");
    simx_el(&extra, "account-base:UnifiedAccountNumber", uan);
    simx_el(&extra, "account-base:ServiceID", sid);
    sb_adds(&extra, "</hm:ImportAccount>");
    simx_result_ok(r, guid, transport, uan, c->now, sb_str(&extra));
    sb_free(&extra);
}

int sim_op_import_account(struct sim_op_ctx *c)
{
    struct simx_results r;
    simx_results_begin(&r, c->out, c->op->service);
    for (xmlNodePtr acc = c->req->children; acc; acc = acc->next)
        if (acc->type == XML_ELEMENT_NODE && strcmp((const char *)acc->name, "Account") == 0)
            import_one(c, &r, acc);
    simx_results_end(&r);
    return 0;
}

/* ---- export ------------------------------------------------------------ */

static int write_account(void *ctx, sqlite3_stmt *row)
{
    struct sim_op_ctx *c = ctx;
    strbuf *o = c->out;
    /* columns: 0 guid, 1 number, 2 uan, 3 sid, 4 house, 5 premises, 6 room, 7 kind,
     * 8 share, 9 total, 10 persons, 11 surname, 12 first, 13 org */
    const char *kind = *sim_col(row, 7) ? sim_col(row, 7) : "isUOAccount";
    sb_adds(o, "<hm:exportAccountResult>");
    sb_addf(o, "<hm:%s>true</hm:%s>", kind, kind);
    if (*sim_col(row, 10))
        simx_el(o, "hm:LivingPersonsNumber", sim_col(row, 10));
    simx_el_opt(o, "hm:TotalSquare", sim_col(row, 9));
    sb_adds(o, "<hm:Accommodation>");
    if (*sim_col(row, 6))
        simx_el(o, "hm:LivingRoomGUID", sim_col(row, 6));
    else if (*sim_col(row, 5))
        simx_el(o, "hm:PremisesGUID", sim_col(row, 5));
    else
        simx_el(o, "hm:FIASHouseGuid", sim_col(row, 4));
    simx_el_opt(o, "hm:SharePercent", sim_col(row, 8));
    sb_adds(o, "</hm:Accommodation><hm:PayerInfo>");
    if (*sim_col(row, 11) || *sim_col(row, 12)) {
        sb_adds(o, "<hm:Ind>");
        simx_el_opt(o, "ind:Surname", sim_col(row, 11));
        simx_el_opt(o, "ind:FirstName", sim_col(row, 12));
        sb_adds(o, "</hm:Ind>");
    } else if (*sim_col(row, 13)) {
        sb_adds(o, "<hm:Org>");
        simx_el(o, "org-reg:orgVersionGUID", sim_col(row, 13));
        sb_adds(o, "</hm:Org>");
    }
    sb_adds(o, "</hm:PayerInfo>");
    simx_el_opt(o, "hm:AccountNumber", sim_col(row, 1));
    simx_el(o, "hm:AccountGUID", sim_col(row, 0));
    simx_el(o, "account-base:UnifiedAccountNumber", sim_col(row, 2));
    simx_el_opt(o, "account-base:ServiceID", sim_col(row, 3));
    sb_adds(o, "</hm:exportAccountResult>");
    return 0;
}

#define ACCOUNT_COLS "account_guid, account_number, unified_account_number, service_id," \
    " fias_house_guid, premises_guid, living_room_guid, account_kind, share_percent," \
    " total_square, persons, payer_surname, payer_first_name, payer_org FROM accounts"

int sim_op_export_account(struct sim_op_ctx *c)
{
    static const struct simop_criterion crit[] = {
        { "FIASHouseGuid", "SELECT " ACCOUNT_COLS " WHERE fias_house_guid=? ORDER BY account_number" },
        { "AccountGUID", "SELECT " ACCOUNT_COLS " WHERE account_guid=?" },
        { "UnifiedAccountNumber", "SELECT " ACCOUNT_COLS " WHERE unified_account_number=?" },
        { "ServiceID", "SELECT " ACCOUNT_COLS " WHERE service_id=?" },
        { NULL, NULL },
    };
    return simop_export_by_criteria(c, crit, write_account);
}
