/* sim_op_bills — importPaymentDocumentData (PaymentDocument and
 * WithdrawPaymentDocument forms) and exportPaymentDocumentData. */
#include "sim/sim_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/guid.h"
#include "base/xmlsafe.h"
#include "sim/sim_db.h"

static void transport_of(xmlNodePtr n, char *buf, size_t len)
{
    simop_node_text(xml_child(n, NS_BASE, "TransportGUID"), buf, len);
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* PaymentDocumentID: 18 characters, "<ЕЛС>-NN-MMYY". */
static void document_id(struct sim_op_ctx *c, const char *uan, int month, int year, char out[40])
{
    long n = simop_counter(c, "payment_document");
    char base[32];
    if (utf8_chars(uan) == 10)
        snprintf(base, sizeof base, "%s", uan);
    else
        snprintf(base, sizeof base, "00ПД%06ld", n % 1000000);
    snprintf(out, 40, "%s-%02ld-%02d%02d", base, n % 100, month % 100, year % 100);
}

/* The document's total as GIS shows it in the export (TotalPayableByPD):
 * the one sent, else the total with debt and advance, else the sum of the
 * service lines' TotalPayable; "" when none. */
static void document_total(xmlNodePtr pd, char *out, size_t n)
{
    simop_text(pd, "TotalPayableByPD", out, n);
    if (!*out)
        simop_text(pd, "TotalPayableByPDWithDebtAndAdvance", out, n);
    if (*out)
        return;
    double sum = 0;
    int any = 0;
    for (xmlNodePtr ci = pd->children; ci; ci = ci->next) {
        char v[64];
        if (ci->type == XML_ELEMENT_NODE && !strcmp((const char *)ci->name, "ChargeInfo") &&
            *simop_text(ci, "TotalPayable", v, sizeof v)) {
            sum += strtod(v, NULL);
            any = 1;
        }
    }
    if (any)
        snprintf(out, n, "%.2f", sum);
}

static void import_document(struct sim_op_ctx *c, struct simx_results *r, xmlNodePtr pd,
                            int month, int year)
{
    char transport[64], account[64], number[64], code[16], desc[512];
    transport_of(pd, transport, sizeof transport);
    simop_node_text(simop_child(pd, "AccountGuid"), account, sizeof account);
    simop_node_text(simop_child(pd, "PaymentDocumentNumber"), number, sizeof number);
    if (simop_check_nsi(c, pd, code, desc, sizeof desc)) {
        simx_result_error(r, transport, code, desc);
        return;
    }
    char uan[32], account_number[64];
    /* A payment document for an account GIS does not know. */
    if (sim_db_get(c->db, uan, sizeof uan,
                   "SELECT coalesce(unified_account_number, '') FROM accounts WHERE account_guid=?",
                   account) != 1) {
        simx_result_error(r, transport, "INT002000", "Значение в поле AccountGuid отсутствует в реестре.");
        return;
    }
    sim_db_get(c->db, account_number, sizeof account_number,
               "SELECT coalesce(account_number, '') FROM accounts WHERE account_guid=?", account);
    char period[16], total[64], guid[64], id[40];
    snprintf(period, sizeof period, "%04d-%02d", year, month);
    document_total(pd, total, sizeof total);
    /* The same account, period and number again replaces the document (a new version). */
    if (sim_db_get(c->db, guid, sizeof guid,
                   "SELECT payment_document_guid FROM payment_documents WHERE account_guid=?"
                   " AND period=? AND coalesce(payment_document_number, '')=? AND withdrawn IS NULL",
                   account, period, number) == 1) {
        sim_db_get(c->db, id, sizeof id,
                   "SELECT payment_document_id FROM payment_documents WHERE payment_document_guid=?", guid);
        sim_db_query(c->db, NULL, NULL, NULL,
                     "UPDATE payment_documents SET total=nullif(?, ''), update_date=?, origin='state'"
                     " WHERE payment_document_guid=?", total, c->now, guid);
    } else {
        guid_new(guid);
        document_id(c, uan, month, year, id);
        sim_db_query(c->db, NULL, NULL, NULL,
                     "INSERT INTO payment_documents(payment_document_guid, account_number,"
                     " payment_document_number, period, payment_document_id, account_guid, total,"
                     " update_date, origin) VALUES(?,nullif(?, ''),nullif(?, ''),?,?,?,nullif(?, ''),?,'state')",
                     guid, account_number, number, period, id, account, total, c->now);
    }
    simx_result_ok(r, guid, transport, id, c->now, NULL);
}

static void withdraw_document(struct sim_op_ctx *c, struct simx_results *r, xmlNodePtr w)
{
    char transport[64], id[64], guid[64], desc[200];
    transport_of(w, transport, sizeof transport);
    simop_node_text(simop_child(w, "PaymentDocumentID"), id, sizeof id);
    if (sim_db_get(c->db, guid, sizeof guid,
                   "SELECT payment_document_guid FROM payment_documents WHERE payment_document_id=?"
                   " AND withdrawn IS NULL", id) != 1) {
        snprintf(desc, sizeof desc, "Квитанция %s не найдена.", id);
        simx_result_error(r, transport, "INT002001", desc);
        return;
    }
    sim_db_query(c->db, NULL, NULL, NULL,
                 "UPDATE payment_documents SET withdrawn='1', update_date=?, origin='state'"
                 " WHERE payment_document_guid=?", c->now, guid);
    simx_result_ok(r, guid, transport, id, c->now, NULL);
}

int sim_op_import_payment_docs(struct sim_op_ctx *c)
{
    struct simx_results r;
    simx_results_begin(&r, c->out, c->op->service);
    char buf[16];
    int month = atoi(simop_node_text(xml_child(c->req, NS_BASE, "Month"), buf, sizeof buf));
    int year = atoi(simop_node_text(xml_child(c->req, NS_BASE, "Year"), buf, sizeof buf));
    for (xmlNodePtr n = c->req->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        const char *name = (const char *)n->name;
        char transport[64], guid[40];
        if (!strcmp(name, "PaymentInformation")) {
            /* Bank details: accepted, referenced by PaymentInformationKey. */
            transport_of(n, transport, sizeof transport);
            guid_new(guid);
            simx_result_ok(&r, guid, transport, NULL, c->now, NULL);
        } else if (!strcmp(name, "PaymentDocument")) {
            import_document(c, &r, n, month, year);
        } else if (!strcmp(name, "WithdrawPaymentDocument")) {
            withdraw_document(c, &r, n);
        }
    }
    simx_results_end(&r);
    return 0;
}

/* ---- export ------------------------------------------------------------ */

static int write_document(void *ctx, sqlite3_stmt *row)
{
    struct sim_op_ctx *c = ctx;
    strbuf *o = c->out;
    /* 0 guid, 1 account guid, 2 number, 3 id, 4 withdrawn, 5 total, 6 period */
    sb_adds(o, "<b:exportPaymentDocResult><b:PaymentDocument>");
    simx_el(o, "account-base:AccountGuid", sim_col(row, 1));
    simx_el_opt(o, "bills-base:PaymentDocumentNumber", sim_col(row, 2));
    sb_adds(o, *sim_col(row, 4) ? "<b:Withdraw>true</b:Withdraw>" : "<b:Expose>true</b:Expose>");
    simx_el_opt(o, "b:TotalPayableByPD", sim_col(row, 5));
    int year = 0, month = 0;
    if (sscanf(sim_col(row, 6), "%d-%d", &year, &month) == 2)
        sb_addf(o, "<base:Month>%d</base:Month><base:Year>%d</base:Year>", month, year);
    simx_el(o, "bills-base:PaymentDocumentID", sim_col(row, 3));
    sb_adds(o, "<b:PaymentInformation/>");
    sb_adds(o, "</b:PaymentDocument></b:exportPaymentDocResult>");
    return 0;
}

#define PD_COLS "SELECT p.payment_document_guid, p.account_guid, p.payment_document_number," \
    " p.payment_document_id, p.withdrawn, p.total, p.period FROM payment_documents p"

int sim_op_export_payment_docs(struct sim_op_ctx *c)
{
    char buf[16], period[16] = "", house[64] = "";
    int month = atoi(simop_node_text(xml_child(c->req, NS_BASE, "Month"), buf, sizeof buf));
    int year = atoi(simop_node_text(xml_child(c->req, NS_BASE, "Year"), buf, sizeof buf));
    if (year)
        snprintf(period, sizeof period, "%04d-%02d", year, month);
    simop_node_text(simop_child(c->req, "FIASHouseGuid"), house, sizeof house);
    int rows = 0;
    hcs_err err;
    for (xmlNodePtr n = c->req->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        const char *name = (const char *)n->name;
        char v[128];
        simop_node_text(n, v, sizeof v);
        int rc = 0;
        if (!strcmp(name, "PaymentDocumentID"))
            rc = sim_db_query(c->db, write_document, c, &err, PD_COLS " WHERE p.payment_document_id=?", v);
        else if (!strcmp(name, "AccountGUID"))
            rc = sim_db_query(c->db, write_document, c, &err,
                              PD_COLS " WHERE p.account_guid=? AND p.period=?", v, period);
        else if (!strcmp(name, "UnifiedAccountNumber") || !strcmp(name, "ServiceID"))
            rc = sim_db_query(c->db, write_document, c, &err,
                              PD_COLS " JOIN accounts a ON a.account_guid=p.account_guid"
                              " WHERE (a.unified_account_number=?1 OR a.service_id=?1) AND p.period=?2", v, period);
        else if (!strcmp(name, "AccountNumber"))
            rc = sim_db_query(c->db, write_document, c, &err,
                              PD_COLS " JOIN accounts a ON a.account_guid=p.account_guid"
                              " WHERE a.account_number=? AND a.fias_house_guid=? AND p.period=?",
                              v, house, period);
        else if (!strcmp(name, "PaymentDocumentNumber"))
            rc = sim_db_query(c->db, write_document, c, &err,
                              PD_COLS " JOIN accounts a ON a.account_guid=p.account_guid"
                              " WHERE p.payment_document_number=? AND a.fias_house_guid=?"
                              " AND p.period=?", v, house, period);
        if (rc > 0)
            rows += rc;
    }
    if (!rows)
        simop_nothing_to_export(c);
    return 0;
}
