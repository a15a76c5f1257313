/* sim_op_debt — the debt-requests service (14.5.0.1 package) from the
 * provider's side.  exportDebtSubrequests answers the world's subrequests
 * (table subrequests) in blocks of 100 with nextSubrequestGUID paging, as
 * the schema's annotations say.  importResponses answers them, one
 * ImportResult per action (the request itself was schema-checked by the
 * pipeline), checked against the subrequest's state:
 *   unknown subrequestGUID                 → INT002000 (the registry wording)
 *   request not open (Processed, Revoked),
 *   deadline passed, answer auto-generated → INT002018
 *   Send without responseData; debtInfo,
 *   debtGUID or additionalFile with
 *   hasDebt=false; hasDebt=true without
 *   debtInfo/debtGUID; Revoke of no answer → INT002019
 * (INT002018/19 are the simulator's choice: the package does not publish
 * the codes real GIS uses here.)  НСИ 358/95 refs and attachments are
 * checked like elsewhere. */
#include "sim/sim_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/xmlsafe.h"

#define BLOCK 100
#define COLS "SELECT subrequest_guid, request_guid, request_number, org_root_guid, org_name," \
             " hm_object_guid, address, period_from, period_to, sent_date, response_date, status," \
             " response_status, has_debt, executor_guid, description FROM subrequests"

/* "today", "today+N", "today-N" or a date, as YYYY-MM-DD (Moscow day). */
static const char *resolve_date(const char *in, char out[16])
{
    if (strncmp(in, "today", 5) != 0) {
        snprintf(out, 16, "%.10s", in);
        return out;
    }
    long days = atol(in + 5);
    time_t t = time(NULL) + 3 * 3600 + days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
    return out;
}

struct dsr_walk {
    struct sim_op_ctx *c;
    const char *start, *end;   /* sending period asked for, or NULL (by GUID) */
    int rows;
    char next[64];             /* first subrequest of the next block */
};

static int write_subrequest(void *ctx, sqlite3_stmt *row)
{
    struct dsr_walk *w = ctx;
    char from[16], to[16], sent[16], due[16];
    resolve_date(sim_col(row, 9), sent);
    if (w->start && (strcmp(sent, w->start) < 0 || strcmp(sent, w->end) > 0))
        return 0;
    if (w->rows >= BLOCK) {
        snprintf(w->next, sizeof w->next, "%s", sim_col(row, 0));
        return 1;
    }
    strbuf *o = w->c->out;
    sb_adds(o, "<drs:subrequestData>");
    simx_el(o, "drs:subrequestGUID", sim_col(row, 0));
    sb_adds(o, "<drs:requestInfo>");
    simx_el(o, "drs:requestGUID", sim_col(row, 1));
    simx_el(o, "drs:requestNumber", sim_col(row, 2));
    sb_adds(o, "<drs:organization>");
    simx_el(o, "drs:orgRootGUID", sim_col(row, 3));
    simx_el(o, "drs:name", sim_col(row, 4));
    sb_adds(o, "</drs:organization><drs:housingFundObject>");
    simx_el(o, "drs:HMobjectGUID", sim_col(row, 5));
    sb_adds(o, "<drs:adressType>Apartment</drs:adressType>");
    simx_el(o, "drs:address", sim_col(row, 6));
    sb_adds(o, "</drs:housingFundObject><drs:period>");
    simx_el(o, "base:startDate", resolve_date(sim_col(row, 7), from));
    simx_el(o, "base:endDate", resolve_date(sim_col(row, 8), to));
    sb_adds(o, "</drs:period>");
    simx_el(o, "drs:status", !strcmp(sim_col(row, 11), "Processed") ? "Processed" : "Sent");
    simx_el(o, "drs:sentDate", sent);
    simx_el(o, "drs:responseDate", resolve_date(sim_col(row, 10), due));
    sb_adds(o, "<drs:executorInfo>");
    simx_el(o, "drs:GUID", sim_col(row, 3));
    simx_el(o, "drs:fio", "Специалист органа соцзащиты");
    sb_adds(o, "</drs:executorInfo></drs:requestInfo>");
    simx_el(o, "drs:responseStatus", sim_col(row, 12));
    if (!strcmp(sim_col(row, 12), "Sent")) {
        sb_adds(o, "<drs:responseData>");
        simx_el(o, "drs:hasDebt", sim_col(row, 13));
        simx_el_opt(o, "drs:description", sim_col(row, 15));
        sb_adds(o, "<drs:executorInfo>");
        simx_el(o, "drs:GUID", sim_col(row, 14));
        simx_el(o, "drs:fio", "Исполнитель поставщика");
        sb_adds(o, "</drs:executorInfo></drs:responseData>");
    }
    sb_adds(o, "</drs:subrequestData>");
    w->rows++;
    return 0;
}

int sim_op_export_debt_subrequests(struct sim_op_ctx *c)
{
    char start[16] = "", end[16] = "", after[64] = "";
    xmlNodePtr period = simop_child(c->req, "periodOfSendingRequest");
    simop_text(period, "startDate", start, sizeof start);
    simop_text(period, "endDate", end, sizeof end);
    simop_node_text(simop_child(c->req, "exportSubrequestGUID"), after, sizeof after);
    strbuf body = STRBUF_INIT;
    strbuf *out = c->out;
    c->out = &body;
    struct dsr_walk w = { c, period ? start : NULL, period ? end : NULL, 0, "" };
    if (!period) {
        /* By subrequestGUID: every one named (at most 100 by the schema). */
        for (xmlNodePtr n = c->req->children; n; n = n->next)
            if (n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, "subrequestGUID")) {
                char g[64];
                sim_db_query(c->db, write_subrequest, &w, NULL, COLS " WHERE subrequest_guid=?",
                             simop_node_text(n, g, sizeof g));
            }
    } else {
        /* Blocks in GUID order; the sending date is compared resolved. */
        sim_db_query(c->db, write_subrequest, &w, NULL,
                     COLS " WHERE subrequest_guid >= ? ORDER BY lower(subrequest_guid)", after);
    }
    c->out = out;
    if (w.rows == 0) {
        sb_free(&body);
        simop_nothing_to_export(c);
        return 0;
    }
    sb_adds(out, "<drs:exportDSRsResult>");
    sb_add(out, body.buf, body.len);
    sb_free(&body);
    if (period) {
        sb_adds(out, "<drs:pagedOutput>");
        if (w.next[0])
            simx_el(out, "drs:nextSubrequestGUID", w.next);
        else
            sb_adds(out, "<drs:lastPage>true</drs:lastPage>");
        sb_adds(out, "</drs:pagedOutput>");
    }
    sb_adds(out, "</drs:exportDSRsResult>");
    c->rows = w.rows;
    return 0;
}

/* Why an action cannot be applied (code and text written), or 0. */
static int check_action(struct sim_op_ctx *c, xmlNodePtr a, const char *sub, char code[16], char *desc,
                        size_t n)
{
    char status[32], due[16], due_raw[32], response[32], action[16], has[16], today[16];
    int found = sim_db_get(c->db, status, sizeof status,
                           "SELECT status FROM subrequests WHERE subrequest_guid=?", sub);
    if (found != 1) {
        snprintf(code, 16, "INT002000");
        snprintf(desc, n, "Значение в поле subrequestGUID отсутствует в реестре.");
        return 1;
    }
    sim_db_get(c->db, due_raw, sizeof due_raw, "SELECT response_date FROM subrequests WHERE subrequest_guid=?", sub);
    sim_db_get(c->db, response, sizeof response,
               "SELECT response_status FROM subrequests WHERE subrequest_guid=?", sub);
    resolve_date(due_raw, due);
    resolve_date("today", today);
    if (strcmp(status, "Sent") != 0 || strcmp(due, today) < 0 || !strcmp(response, "AutoGenerated")) {
        snprintf(code, 16, "INT002018");
        snprintf(desc, n, "Подзапрос %s закрыт (%s), ответ не принимается.", sub,
                 strcmp(status, "Sent") ? status : strcmp(due, today) < 0 ? "истёк срок ответа"
                                                                         : "ответ сформирован автоматически");
        return 1;
    }
    simop_node_text(simop_child(a, "actionType"), action, sizeof action);
    xmlNodePtr data = simop_child(a, "responseData");
    snprintf(code, 16, "INT002019");
    if (!strcmp(action, "Revoke")) {
        if (strcmp(response, "Sent") != 0) {
            snprintf(desc, n, "Ответ на подзапрос %s не отправлялся: отзывать нечего.", sub);
            return 1;
        }
        return 0;
    }
    if (!data) {
        snprintf(desc, n, "Для операции Send обязателен элемент responseData.");
        return 1;
    }
    simop_node_text(simop_child(data, "hasDebt"), has, sizeof has);
    int debt = !strcmp(has, "true") || !strcmp(has, "1");
    int details = simop_child(data, "debtInfo") || simop_child(data, "debtGUID");
    if (!debt && (details || simop_child(data, "additionalFile"))) {
        snprintf(desc, n, "Элементы debtInfo, debtGUID и additionalFile указываются, только если hasDebt=true.");
        return 1;
    }
    if (debt && !details) {
        snprintf(desc, n, "При hasDebt=true обязательна информация о задолженности (debtInfo).");
        return 1;
    }
    if (simop_check_nsi(c, data, code, desc, n) || simop_check_attachments(c, data, code, desc, n))
        return 1;
    return 0;
}

int sim_op_import_debt_responses(struct sim_op_ctx *c)
{
    struct simx_results r;
    simx_results_begin(&r, c->out, c->op->service);
    for (xmlNodePtr a = c->req->children; a; a = a->next) {
        if (a->type != XML_ELEMENT_NODE || strcmp((const char *)a->name, "action") != 0)
            continue;
        char transport[64], sub[64], code[16], desc[512], action[16], has[16], text[1100], executor[64];
        simop_node_text(xml_child(a, NS_BASE, "TransportGUID"), transport, sizeof transport);
        simop_node_text(simop_child(a, "subrequestGUID"), sub, sizeof sub);
        if (check_action(c, a, sub, code, desc, sizeof desc)) {
            simx_result_error(&r, transport, code, desc);
            continue;
        }
        simop_node_text(simop_child(a, "actionType"), action, sizeof action);
        xmlNodePtr data = simop_child(a, "responseData");
        simop_node_text(simop_child(data, "hasDebt"), has, sizeof has);
        simop_node_text(simop_child(data, "description"), text, sizeof text);
        simop_node_text(simop_child(data, "executorGUID"), executor, sizeof executor);
        if (!strcmp(action, "Revoke"))
            sim_db_query(c->db, NULL, NULL, NULL,
                         "UPDATE subrequests SET response_status='NotSent', has_debt=NULL, description=NULL,"
                         " answered_at=?, origin='state' WHERE subrequest_guid=?", c->now, sub);
        else
            sim_db_query(c->db, NULL, NULL, NULL,
                         "UPDATE subrequests SET response_status='Sent', has_debt=?, description=?,"
                         " executor_guid=?, answered_at=?, origin='state' WHERE subrequest_guid=?",
                         !strcmp(has, "1") ? "true" : has, text, executor, c->now, sub);
        simx_result_ok(&r, sub, transport, NULL, c->now, NULL);
    }
    simx_results_end(&r);
    return 0;
}
