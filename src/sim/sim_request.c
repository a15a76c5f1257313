/* sim_request — one SOAP request through the checks of the GIS control
 * table (schema, signature, certificate, provider), then the ack (with
 * deduplication by the requester's MessageGUID) or the getState answer. */
#include "sim/sim.h"
#include "sim/sim_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/guid.h"
#include "base/xalloc.h"
#include "base/xmlsafe.h"
#include "sim/sim_auth.h"
#include "sim/sim_db.h"
#include "sim/sim_xml.h"
#include "proto/operations.h"

void sim_reply_free(struct sim_reply *r)
{
    sb_free(&r->body);
    sb_free(&r->transports);
}

/* ---- answers ----------------------------------------------------------- */

static void fault_trace(struct sim_reply *r, int client, const char *code, const char *message,
                        const char *trace)
{
    sb_reset(&r->body);
    simx_fault(&r->body, client, code, message, trace);
    r->status = 500;
    snprintf(r->code, sizeof r->code, "%s", code);
}

static void fault(struct sim_reply *r, int client, const char *code, const char *message)
{
    fault_trace(r, client, code, message, NULL);
}

static void fmt_fault(struct sim_reply *r, const char *detail)
{
    char msg[1400];
    snprintf(msg, sizeof msg, "Некорректный XML: %s", detail);
    fault(r, 1, "FMT001300", msg);
}

struct schema_msgs {
    strbuf sb;
    int n;
};

static void on_schema_error(void *ctx, xmlNodePtr node, int line, const char *message)
{
    struct schema_msgs *m = ctx;
    (void)node;
    if (m->n++ >= 3)
        return;
    if (m->sb.len)
        sb_adds(&m->sb, "; ");
    sb_addf(&m->sb, "line %d: %s", line, message);
}

/* ---- request pipeline -------------------------------------------------- */

struct parsed {
    xmlDocPtr doc;
    xmlNodePtr header;          /* RequestHeader | ISRequestHeader */
    xmlNodePtr body_el;
    int is_header;              /* ISRequestHeader */
    const struct gis_service *svc;
    const struct gis_operation *op;   /* NULL for getState */
    char org[40];
};

static void collect_transports(xmlNodePtr node, strbuf *out)
{
    for (xmlNodePtr n = node; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (xml_is(n, NS_BASE, "TransportGUID")) {
            xmlChar *t = xmlNodeGetContent(n);
            if (out->len)
                sb_addc(out, ',');
            sb_addf(out, "\"%s\"", t ? (const char *)t : "");
            xmlFree(t);
        }
        collect_transports(n->children, out);
    }
}

static int check_envelope(sim *s, const struct sim_request *q, struct parsed *p, struct sim_reply *r)
{
    hcs_err err = { 0 };
    p->doc = xmlsafe_parse(q->body, q->len, "request", &err);
    if (!p->doc) {
        fmt_fault(r, err.msg);
        return -1;
    }
    struct schema_msgs m = { STRBUF_INIT, 0 };
    pthread_mutex_lock(&s->schema_lock);
    int rc = schema_validate_envelope(s->schemas, p->doc, on_schema_error, &m, &err);
    pthread_mutex_unlock(&s->schema_lock);
    if (rc != 0) {
        fmt_fault(r, rc < 0 ? err.msg : sb_str(&m.sb));
        sb_free(&m.sb);
        return -1;
    }
    sb_free(&m.sb);
    xmlNodePtr env = xmlDocGetRootElement(p->doc);
    xmlNodePtr hdr = xml_child(env, NS_SOAP, "Header");
    p->header = hdr ? xml_child(hdr, NS_BASE, "RequestHeader") : NULL;
    if (!p->header && hdr && (p->header = xml_child(hdr, NS_BASE, "ISRequestHeader")))
        p->is_header = 1;
    xmlNodePtr body = xml_child(env, NS_SOAP, "Body");
    for (xmlNodePtr n = body->children; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE)
            p->body_el = n;
    if (p->header) {
        char *g = xml_child_text(p->header, NS_BASE, "MessageGUID");
        snprintf(r->request_guid, sizeof r->request_guid, "%s", g ? g : "");
        xmlFree(g);
        char *org = xml_child_text(p->header, NS_BASE, "orgPPAGUID");
        if (!org)
            org = xml_child_text(p->header, NS_BASE, "SenderID");
        snprintf(p->org, sizeof p->org, "%s", org ? org : "");
        xmlFree(org);
    }
    p->svc = gis_service_by_path(q->path);
    const char *ns = p->body_el->ns ? (const char *)p->body_el->ns->href : "";
    if (xml_is(p->body_el, NS_BASE, "getStateRequest")) {
        snprintf(r->operation, sizeof r->operation, "getState");
    } else {
        p->op = gis_operation_by_element(ns, (const char *)p->body_el->name);
        if (p->op)
            snprintf(r->operation, sizeof r->operation, "%s", p->op->name);
    }
    char detail[512];
    if (!p->op && !r->operation[0]) {
        snprintf(detail, sizeof detail, "element {%s}%s is not a request of any operation", ns,
                 (const char *)p->body_el->name);
        fmt_fault(r, detail);
        return -1;
    }
    if (p->op && p->op->service != p->svc) {
        snprintf(detail, sizeof detail, "operation %s is not served at /%s", p->op->name, q->path);
        fmt_fault(r, detail);
        return -1;
    }
    const char *want_action = p->op ? p->op->soap_action : "urn:getState";
    if (q->soap_action && *q->soap_action) {
        char action[128];
        snprintf(action, sizeof action, "%s", q->soap_action + (q->soap_action[0] == '"'));
        size_t n = strlen(action);
        if (n && action[n - 1] == '"')
            action[n - 1] = '\0';
        if (strcmp(action, want_action) != 0) {
            snprintf(detail, sizeof detail, "SOAPAction %s does not match the body element (%s)",
                     action, want_action);
            fmt_fault(r, detail);
            return -1;
        }
    }
    enum gis_header want = p->op ? p->op->header : p->svc->header;
    if (!p->header || (want == HDR_IS) != p->is_header) {
        snprintf(detail, sizeof detail, "soap:Header must carry base:%s for %s",
                 want == HDR_IS ? "ISRequestHeader" : "RequestHeader", r->operation);
        fmt_fault(r, detail);
        return -1;
    }
    return 0;
}

static int check_provider(sim *s, struct parsed *p, struct sim_reply *r)
{
    if (p->is_header)
        return 0;
    char org[40];
    if (guid_normalize(p->org, org) < 0 || !sim_org_known(s, org)) {
        fault(r, 1, "AUT001102", "Организация не найдена");
        return -1;
    }
    return 0;
}

static int check_signature(sim *s, struct parsed *p, struct sim_reply *r)
{
    if (s->skip_signature)
        return 0;
    char code[16], msg[512], detail[512];
    struct sim_signers who = { s->cert, s->operator_cert, s->operator_org, 0 };
    char *flag = p->header ? xml_child_text(p->header, NS_BASE, "IsOperatorSignature") : NULL;
    who.operator_flag = flag && (strcmp(flag, "true") == 0 || strcmp(flag, "1") == 0);
    xmlFree(flag);
    if (sim_auth_check(p->doc, &who, s->org_ppa_guid, code, msg, sizeof msg, detail, sizeof detail)) {
        /* The verifier's reason goes to StackTrace: GIS says little, an
         * operator debugging a signature needs more. */
        fault_trace(r, 1, code, msg, detail);
        return -1;
    }
    return 0;
}

static int is_acknowledged(sim *s, const char *guid)
{
    char out[8];
    return sim_db_get(s->db, out, sizeof out, "SELECT 1 FROM messages WHERE requester_guid=?", guid) == 1;
}

static int is_poisoned(sim *s, const char *guid)
{
    char out[8];
    return sim_db_get(s->db, out, sizeof out, "SELECT 1 FROM poisoned WHERE requester_guid=?", guid) == 1;
}

/* A MessageGUID acknowledged before (gis: its ack), per --resend: 1 when
 * answered (its ack again, or INT003001 while it is processed), 0 when it
 * is to be processed again as a new message (the first keeps its result
 * under its own ack). */
static int resent(sim *s, struct sim_reply *r, const char *gis)
{
    r->duplicate = 1;
    char done[8] = "";
    sim_db_get(s->db, done, sizeof done, "SELECT done FROM messages WHERE gis_guid=?", gis);
    if (s->resend == SIM_RESEND_ACK) {
        snprintf(r->gis_guid, sizeof r->gis_guid, "%s", gis);
        simx_ack(&r->body, gis, r->request_guid);
        r->status = 200;
        return 1;
    }
    if (s->resend == SIM_RESEND_BUSY && strcmp(done, "1") != 0) {
        fault(r, 0, "INT003001", "Запрос уже выполняется");
        return 1;
    }
    char *aside = xasprintf("%s/%s", r->request_guid, gis);
    sim_db_query(s->db, NULL, NULL, NULL, "UPDATE messages SET requester_guid=? WHERE gis_guid=?", aside, gis);
    free(aside);
    return 0;
}

static void handle_import_export(sim *s, const struct sim_request *q, struct parsed *p,
                                 struct sim_reply *r)
{
    collect_transports(p->body_el->children, &r->transports);
    char gis[40];
    if (sim_db_get(s->db, gis, sizeof gis, "SELECT gis_guid FROM messages WHERE requester_guid=?",
                   r->request_guid) == 1 && resent(s, r, gis))
        return;
    guid_new(gis);
    snprintf(r->gis_guid, sizeof r->gis_guid, "%s", gis);
    long ms = (long)(sim_processing_time(s, p->op->name) * (q->slow_factor > 0 ? q->slow_factor : 1));
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
            "INSERT INTO messages(gis_guid, requester_guid, org, endpoint, operation, received_ms,"
            " processing_ms, request) VALUES(?,?,?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK) {
        fault(r, 0, "EXP001000", "Внутренняя ошибка");
        return;
    }
    sqlite3_bind_text(st, 1, gis, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, r->request_guid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, p->org, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, p->svc->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, p->op->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, sim_now_ms());
    sqlite3_bind_int64(st, 7, ms);
    sqlite3_bind_blob(st, 8, q->body, (int)q->len, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        fault(r, 0, "EXP001000", "Внутренняя ошибка");
        return;
    }
    if (q->inject_result)
        sim_db_query(s->db, NULL, NULL, NULL, "INSERT INTO result_faults(gis_guid, code) VALUES(?,?)", gis,
                     q->inject_result);
    simx_ack(&r->body, gis, r->request_guid);
    r->status = 200;
}

struct msg_row {
    int found;
    char org[40];
    char endpoint[64];
    char operation[64];
    long long received, processing;
    int done;
    char *result;
};

static int read_msg(void *ctx, sqlite3_stmt *row)
{
    struct msg_row *m = ctx;
    m->found = 1;
    snprintf(m->org, sizeof m->org, "%s", sim_col(row, 0));
    snprintf(m->operation, sizeof m->operation, "%s", sim_col(row, 1));
    m->received = sqlite3_column_int64(row, 2);
    m->processing = sqlite3_column_int64(row, 3);
    m->done = sqlite3_column_int(row, 4);
    m->result = xstrdup(sim_col(row, 5));
    snprintf(m->endpoint, sizeof m->endpoint, "%s", sim_col(row, 6));
    return 1;
}

/* Signs the getStateResult of an answer in place, as the real GIS does. */
static void sign_answer(sim *s, struct sim_reply *r)
{
    hcs_err err = { 0 };
    xmlDocPtr doc = xmlsafe_parse(sb_str(&r->body), r->body.len, "answer", &err);
    if (!doc || signer_sign(s->signer, doc, &err) < 0) {
        if (doc)
            xmlFreeDoc(doc);
        fault(r, 0, "EXP001000", "Внутренняя ошибка");
        return;
    }
    xmlChar *out = NULL;
    int len = 0;
    xmlDocDumpMemoryEnc(doc, &out, &len, "UTF-8");
    sb_reset(&r->body);
    sb_add(&r->body, out, (size_t)len);
    xmlFree(out);
    xmlFreeDoc(doc);
}

/* The getStateResult version is the one the package the simulator was
 * started with fixes (12.2.2.15 and 14.5.0.1 agree today; a later package
 * need not); the operation table's when the package fixes none. */
static const char *result_version(sim *s, const struct gis_service *svc)
{
    pthread_mutex_lock(&s->schema_lock);
    const char *v = schema_fixed_version(s->schemas, svc, "getStateResult");
    pthread_mutex_unlock(&s->schema_lock);
    return v ? v : svc->result_version;
}

static void handle_get_state(sim *s, struct parsed *p, struct sim_reply *r)
{
    const char *version = result_version(s, p->svc);
    char *asked = xml_child_text(p->body_el, NS_BASE, "MessageGUID");
    char guid[40] = "";
    if (asked)
        guid_normalize(asked, guid);
    snprintf(r->gis_guid, sizeof r->gis_guid, "%s", guid[0] ? guid : (asked ? asked : ""));
    xmlFree(asked);
    struct msg_row m = { 0 };
    hcs_err err;
    sim_db_query(s->db, read_msg, &m, &err,
                 "SELECT org, operation, received_ms, processing_ms, done, result, endpoint FROM messages"
                 " WHERE gis_guid=?", r->gis_guid);
    /* A message is known only at the endpoint it was sent to (getState goes
     * to the same service), like separate GIS services. */
    if (m.found && strcmp(m.endpoint, p->svc->name) != 0)
        m.found = 0;
    simx_envelope_open(&r->body);
    r->status = 200;
    if (!m.found) {
        simx_state_open(&r->body, p->svc, version, 3, r->gis_guid, s->signer != NULL);
        simx_error(&r->body, "base:ErrorMessage", "INT002013", "Запрос не найден");
        snprintf(r->code, sizeof r->code, "INT002013");
        r->request_state = 3;
    } else if (!p->is_header && strcasecmp(m.org, p->org) != 0) {
        simx_state_open(&r->body, p->svc, version, 3, r->gis_guid, s->signer != NULL);
        simx_error(&r->body, "base:ErrorMessage", "INT002014",
                   "Исходный запрос принадлежит другому поставщику данных");
        snprintf(r->code, sizeof r->code, "INT002014");
        r->request_state = 3;
    } else {
        long long age = sim_now_ms() - m.received;
        r->request_state = m.done ? 3 : age < m.processing / 3 ? 1 : 2;
        simx_state_open(&r->body, p->svc, version, r->request_state, r->gis_guid, s->signer != NULL);
        if (m.done) {
            sb_adds(&r->body, m.result);
            const char *c = strstr(m.result, "<base:ErrorCode>");
            if (c && strncmp(m.result, "<base:ErrorMessage>", 19) == 0)
                snprintf(r->code, sizeof r->code, "%.9s", c + 16);
        }
    }
    simx_state_close(&r->body, p->svc);
    simx_envelope_close(&r->body);
    free(m.result);
}

void sim_handle(sim *s, const struct sim_request *q, struct sim_reply *r)
{
    struct parsed p = { 0 };
    r->status = 500;
    if (check_envelope(s, q, &p, r) < 0)
        goto out;
    if (q->inject_maintenance) {
        fault(r, 0, "INT002029", "Ведутся регламентные работы. Повторите запрос позднее.");
        goto out;
    }
    if (p.op) {
        pthread_mutex_lock(&s->state_lock);
        /* A MessageGUID already acknowledged gets its ack again, never a
         * fresh EXP001000: the message is accepted, and a rebuild forced
         * now would import its elements a second time. */
        int poisoned = (q->inject_exp001000 && !is_acknowledged(s, r->request_guid)) ||
                       is_poisoned(s, r->request_guid);
        /* Like the real GIS: this MessageGUID keeps failing until the
         * client rebuilds the message with a new one. */
        if (poisoned)
            sim_db_query(s->db, NULL, NULL, NULL,
                         "INSERT OR IGNORE INTO poisoned(requester_guid) VALUES(?)", r->request_guid);
        pthread_mutex_unlock(&s->state_lock);
        if (poisoned) {
            fault(r, 0, "EXP001000", "Внутренняя ошибка");
            goto out;
        }
    } else if (q->inject_exp001000) {
        fault(r, 0, "EXP001000", "Внутренняя ошибка");
        goto out;
    }
    if (p.op && check_signature(s, &p, r) < 0)
        goto out;
    if (check_provider(s, &p, r) < 0)
        goto out;
    sb_reset(&r->body);
    pthread_mutex_lock(&s->state_lock);
    sim_process_due_locked(s);
    if (p.op)
        handle_import_export(s, q, &p, r);
    else
        handle_get_state(s, &p, r);
    pthread_mutex_unlock(&s->state_lock);
    if (!p.op && s->signer && r->status == 200)
        sign_answer(s, r);
out:
    if (p.doc)
        xmlFreeDoc(p.doc);
}
