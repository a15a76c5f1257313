/* sim_op_nsi — the organisation's own НСИ dictionaries as GIS keeps them:
 * importAdditionalServices (НСИ 1) and importMunicipalServices (НСИ 51)
 * add, change, recover and delete elements of the world's nsi table, so a
 * later exportDataProviderNsi(Paging)Item shows the change (a deleted
 * element stays, IsActual false).
 *
 * Import without ElementGuid: a new element (next code) unless an actual
 * element has that name (INT002006); with ElementGuid: that element, which
 * must exist and be actual (INT002000), is renamed.  Recover: the element
 * must exist and be deleted; Delete: it must exist and be actual
 * (INT002000 otherwise).  The ImportResult's UniqueNumber is the code. */
#include "sim/sim_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/guid.h"

enum nsi_act { ACT_IMPORT, ACT_RECOVER, ACT_DELETE };

struct form {
    const char *element;
    enum nsi_act act;
};

struct dict {
    const char *operation;
    const char *registry;
    const char *name_field;
    struct form forms[3];
};

static const struct dict dicts[] = {
    { "importAdditionalServices", "1", "AdditionalServiceTypeName",
      { { "ImportAdditionalServiceType", ACT_IMPORT }, { "RecoverAdditionalServiceType", ACT_RECOVER },
        { "DeleteAdditionalServiceType", ACT_DELETE } } },
    { "importMunicipalServices", "51", "MainMunicipalServiceName",
      { { "ImportMainMunicipalService", ACT_IMPORT }, { "RecoverMainMunicipalService", ACT_RECOVER },
        { "DeleteMainMunicipalService", ACT_DELETE } } },
};

static void not_found(struct simx_results *r, const char *transport)
{
    simx_result_error(r, transport, "INT002000", "Значение в поле ElementGuid отсутствует в реестре.");
}

static void import_one(struct sim_op_ctx *c, const struct dict *d, struct simx_results *r, xmlNodePtr el,
                       const char *transport)
{
    char code[16], desc[600], name[256], guid[64], have[64] = "", actual[8] = "";
    if (simop_check_nsi(c, el, code, desc, sizeof desc)) {
        simx_result_error(r, transport, code, desc);
        return;
    }
    simop_text(el, d->name_field, name, sizeof name);
    simop_text(el, "ElementGuid", guid, sizeof guid);
    if (guid[0]) {
        if (sim_db_get(c->db, actual, sizeof actual, "SELECT actual FROM nsi WHERE registry=? AND guid=?",
                       d->registry, guid) != 1 || strcmp(actual, "1")) {
            not_found(r, transport);
            return;
        }
    } else {
        guid_new(guid);
    }
    if (sim_db_get(c->db, have, sizeof have,
                   "SELECT guid FROM nsi WHERE registry=? AND name=? AND actual=1 AND guid<>?", d->registry, name,
                   guid) == 1) {
        snprintf(desc, sizeof desc, "Объект уже существует: %s:%s", d->name_field, name);
        simx_result_error(r, transport, "INT002006", desc);
        return;
    }
    if (actual[0]) {
        sim_db_query(c->db, NULL, NULL, NULL, "UPDATE nsi SET name=? WHERE registry=? AND guid=?", name,
                     d->registry, guid);
    } else {
        sim_db_query(c->db, NULL, NULL, NULL,
                     "INSERT INTO nsi(registry, code, guid, name, origin, actual)"
                     " SELECT ?1, CAST(coalesce(max(CAST(code AS INTEGER)), 0) + 1 AS TEXT), ?2, ?3, 'state', 1"
                     " FROM nsi WHERE registry=?1",
                     d->registry, guid, name);
    }
    sim_db_get(c->db, code, sizeof code, "SELECT code FROM nsi WHERE registry=? AND guid=?", d->registry, guid);
    simx_result_ok(r, guid, transport, code, c->now, NULL);
}

/* Recover (to = 1) or delete (to = 0) the element ElementGuid names. */
static void set_actual(struct sim_op_ctx *c, const struct dict *d, struct simx_results *r, xmlNodePtr el,
                       const char *transport, int to)
{
    char guid[64], actual[8], code[16];
    simop_text(el, "ElementGuid", guid, sizeof guid);
    if (sim_db_get(c->db, actual, sizeof actual, "SELECT actual FROM nsi WHERE registry=? AND guid=?",
                   d->registry, guid) != 1 || atoi(actual) == to) {
        not_found(r, transport);
        return;
    }
    sim_db_query(c->db, NULL, NULL, NULL, "UPDATE nsi SET actual=?, origin='state' WHERE registry=? AND guid=?",
                 to ? "1" : "0", d->registry, guid);
    sim_db_get(c->db, code, sizeof code, "SELECT code FROM nsi WHERE registry=? AND guid=?", d->registry, guid);
    simx_result_ok(r, guid, transport, code, c->now, NULL);
}

int sim_op_import_nsi_services(struct sim_op_ctx *c)
{
    const struct dict *d = NULL;
    for (size_t i = 0; i < sizeof dicts / sizeof dicts[0]; i++)
        if (!strcmp(dicts[i].operation, c->op->name))
            d = &dicts[i];
    if (!d)
        return sim_op_import_generic(c);
    struct simx_results r;
    simx_results_begin(&r, c->out, c->op->service);
    for (xmlNodePtr el = c->req->children; el; el = el->next) {
        if (el->type != XML_ELEMENT_NODE)
            continue;
        for (int f = 0; f < 3; f++) {
            if (strcmp((const char *)el->name, d->forms[f].element))
                continue;
            char transport[64];
            simop_text(el, "TransportGUID", transport, sizeof transport);
            if (d->forms[f].act == ACT_IMPORT)
                import_one(c, d, &r, el, transport);
            else
                set_actual(c, d, &r, el, transport, d->forms[f].act == ACT_RECOVER);
        }
    }
    simx_results_end(&r);
    if (!r.count)
        simx_error(c->out, "base:ErrorMessage", "INT002009",
                   "Поле TransportGUID является обязательным в данном контексте.");
    return 0;
}
