/* sim_op_contracts — the rules of contracts and charters that the schema
 * states only in its annotations (hcs-house-management-types.xsd 12.2.2.15),
 * checked on the create forms before sim_op_objects stores the document:
 *
 *   SupplyResourceContract: at least one ObjectAddress («При импорте
 *     договора должен быть добавлен как минимум один адрес объекта жилищного
 *     фонда»); MeteringDeviceInformation when CountingResource is R («Обязательно
 *     для заполнения, если в tns:CountingResource указано "РСО"»);
 *   PlacingContract: SignedOwners when the other party is the owners
 *     (Owners); Charter when ContractBase is «Устав» (НСИ 58 by name);
 *   PlacingCharter: MeetingProtocol unless NoCharterApproveProtocol;
 *   any orgRootEntityGUID (the counterparty) must be an organisation of the
 *     world → INT002000.
 *
 * The package publishes no error code for the annotation rules: INT002016
 * is the simulator's choice; the description names the field as GIS's
 * «Не заполнено обязательное поле» texts do. */
#include "sim/sim_ops.h"

#include <stdio.h>
#include <string.h>

#define RULE_CODE "INT002016"

static int rule(char code[16], char *desc, size_t n, const char *text)
{
    snprintf(code, 16, RULE_CODE);
    snprintf(desc, n, "%s", text);
    return 1;
}

static int text_is(xmlNodePtr e, const char *value)
{
    char v[64];
    return e && strcmp(simop_node_text(e, v, sizeof v), value) == 0;
}

/* Every orgRootEntityGUID below node: an organisation of the world. */
static int check_orgs(struct sim_op_ctx *c, xmlNodePtr node, char code[16], char *desc, size_t n)
{
    for (xmlNodePtr e = node->children; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)e->name, "orgRootEntityGUID") == 0) {
            char g[64], one[8];
            simop_node_text(e, g, sizeof g);
            if (sim_db_get(c->db, one, sizeof one, "SELECT 1 FROM orgs WHERE org_root_guid=?", g) != 1) {
                snprintf(code, 16, "INT002000");
                snprintf(desc, n, "Значение в поле orgRootEntityGUID отсутствует в реестре.");
                return 1;
            }
        }
        if (check_orgs(c, e, code, desc, n))
            return 1;
    }
    return 0;
}

static int check_supply(xmlNodePtr src, char code[16], char *desc, size_t n)
{
    if (!simop_child(src, "ObjectAddress"))
        return rule(code, desc, n, "Не заполнено обязательное поле ObjectAddress: при импорте договора должен "
                                   "быть добавлен как минимум один адрес объекта жилищного фонда");
    if (text_is(simop_child(src, "CountingResource"), "R") && !simop_child(src, "MeteringDeviceInformation"))
        return rule(code, desc, n, "Не заполнено обязательное поле MeteringDeviceInformation: обязательно, "
                                   "если в CountingResource указано «РСО»");
    return 0;
}

static int check_contract(struct sim_op_ctx *c, xmlNodePtr src, char code[16], char *desc, size_t n)
{
    if (simop_child(src, "Owners") && !simop_child(src, "SignedOwners"))
        return rule(code, desc, n, "Не заполнено обязательное поле SignedOwners: реестр собственников, "
                                   "подписавших договор, обязателен, если стороной договора являются собственники");
    char base[16], name[200] = "";
    simop_text(simop_child(src, "ContractBase"), "Code", base, sizeof base);
    if (*base)
        sim_db_get(c->db, name, sizeof name, "SELECT name FROM nsi WHERE registry='58' AND code=?", base);
    if (strcmp(name, "Устав") == 0 && !simop_child(src, "Charter"))
        return rule(code, desc, n, "Не заполнено обязательное поле Charter: устав обязателен, если в "
                                   "«Основание заключения договора» указано «Устав»");
    return 0;
}

static int check_charter(xmlNodePtr src, char code[16], char *desc, size_t n)
{
    if (!simop_child(src, "MeetingProtocol") && !text_is(simop_child(src, "NoCharterApproveProtocol"), "true"))
        return rule(code, desc, n, "Не заполнено обязательное поле MeetingProtocol: протокол собрания "
                                   "собственников обязателен, если не указано NoCharterApproveProtocol");
    return 0;
}

int simop_check_document(struct sim_op_ctx *c, xmlNodePtr obj, char code[16], char *desc, size_t n)
{
    xmlNodePtr src;
    if ((src = simop_child(obj, "SupplyResourceContract")))
        return check_orgs(c, src, code, desc, n) || check_supply(src, code, desc, n);
    if ((src = simop_child(obj, "PlacingContract")))
        return check_orgs(c, src, code, desc, n) || check_contract(c, src, code, desc, n);
    if ((src = simop_child(obj, "PlacingCharter")))
        return check_charter(src, code, desc, n);
    return 0;
}
