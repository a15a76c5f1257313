/* sim_queue — processing of acked messages when their time has come: the
 * stored request goes to its operation (src/sim/sim_op_*.c) in one
 * transaction and the result is stored for every later getState. */
#include "sim/sim.h"
#include "sim/sim_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/guid.h"
#include "base/xalloc.h"
#include "base/xmlsafe.h"
#include "sim/sim_db.h"
#include "sim/sim_ops.h"
#include "sim/sim_xml.h"
#include "proto/operations.h"

struct pending {
    char gis[40];
    char op[64];
    char org[40];
    char *request;
    size_t len;
};

struct pending_list {
    struct pending *items;
    size_t n, cap;
};

static int add_pending(void *ctx, sqlite3_stmt *row)
{
    struct pending_list *l = ctx;
    ARRAY_GROW(l->items, l->n, l->cap);
    struct pending *p = &l->items[l->n++];
    snprintf(p->gis, sizeof p->gis, "%s", sim_col(row, 0));
    snprintf(p->op, sizeof p->op, "%s", sim_col(row, 1));
    snprintf(p->org, sizeof p->org, "%s", sim_col(row, 3));
    p->len = (size_t)sqlite3_column_bytes(row, 2);
    p->request = xmalloc(p->len + 1);
    memcpy(p->request, sqlite3_column_blob(row, 2), p->len);
    p->request[p->len] = '\0';
    return 0;
}

/* The text the real GIS sends with a result-level code (verbatim), for
 * codes --faults result can inject. */
static const char *injected_text(const char *code)
{
    if (strcmp(code, "EXP001000") == 0)
        return "Внутренняя ошибка";
    if (strcmp(code, "INT002029") == 0)
        return "Ведутся регламентные работы. Повторите запрос позднее.";
    return "Ошибка обработки сообщения";
}

static void process_one(sim *s, struct pending *p)
{
    strbuf out = STRBUF_INIT;
    hcs_err err = { 0 };
    xmlDocPtr doc = xmlsafe_parse(p->request, p->len, "stored request", &err);
    const struct gis_operation *op = gis_operation_find(p->op);
    xmlNodePtr env = doc ? xmlDocGetRootElement(doc) : NULL;
    xmlNodePtr body = env ? xml_child(env, NS_SOAP, "Body") : NULL;
    xmlNodePtr el = NULL;
    for (xmlNodePtr n = body ? body->children : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE)
            el = n;
    char org[40];
    if (guid_normalize(p->org, org) < 0)   /* an ISRequestHeader: the provider's */
        snprintf(org, sizeof org, "%s", s->org_ppa_guid);
    struct sim_op_ctx c = { .db = s->db, .fs = s->fs, .op = op, .req = el, .gis_guid = p->gis,
                            .org_ppa_guid = org, .org_key = strcmp(org, s->org_ppa_guid) ? org : "", .provider_ogrn = s->ogrn, .out = &out, .err = &err,
                            .nsi_page_size = s->nsi_page_size };
    simx_now(c.now);
    sim_op_fn fn = op ? sim_op_lookup(op->name) : NULL;
    char code[16], desc[512];
    sim_db_begin(s->db);
    int rc = -1;
    char injected[16];
    if (sim_db_get(s->db, injected, sizeof injected, "SELECT code FROM result_faults WHERE gis_guid=?", p->gis) == 1) {
        simx_error(&out, "base:ErrorMessage", injected, injected_text(injected));
        rc = 0;
    } else if (el && fn) {
        if (simop_check_attachments(&c, el, code, desc, sizeof desc)) {
            simx_error(&out, "base:ErrorMessage", code, desc);
            rc = 0;
        } else {
            rc = fn(&c);
        }
    }
    if (rc < 0) {
        sim_db_rollback(s->db);
        sim_db_begin(s->db);
        sb_reset(&out);
        simx_error(&out, "base:ErrorMessage", "EXP001000", "Внутренняя ошибка");
    }
    sim_db_query(s->db, NULL, NULL, NULL, "UPDATE messages SET done=1, result=? WHERE gis_guid=?",
                 sb_str(&out), p->gis);
    sim_db_commit(s->db);
    sb_free(&out);
    if (doc)
        xmlFreeDoc(doc);
}

void sim_process_due(sim *s)
{
    pthread_mutex_lock(&s->state_lock);
    sim_process_due_locked(s);
    pthread_mutex_unlock(&s->state_lock);
}

void sim_process_due_locked(sim *s)
{
    struct pending_list l = { 0 };
    char now[32];
    snprintf(now, sizeof now, "%lld", sim_now_ms());
    hcs_err err;
    sim_db_query(s->db, add_pending, &l, &err,
                 "SELECT gis_guid, operation, request, org FROM messages WHERE done=0"
                 " AND received_ms + processing_ms <= CAST(? AS INTEGER) ORDER BY received_ms, rowid", now);
    for (size_t i = 0; i < l.n; i++) {
        process_one(s, &l.items[i]);
        free(l.items[i].request);
    }
    free(l.items);
}
