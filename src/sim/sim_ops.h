/* sim_ops — the per-operation processors of the simulator.  Each one reads
 * the stored request element and writes what follows RequestState and
 * MessageGUID in the service's getStateResult: per-object ImportResults,
 * export structures or one base:ErrorMessage. */
#ifndef HCS_SIM_OPS_H
#define HCS_SIM_OPS_H

#include <libxml/tree.h>
#include <sqlite3.h>

#include "base/err.h"
#include "base/strbuf.h"
#include "sim/sim_db.h"
#include "sim/sim_filestore.h"
#include "sim/sim_xml.h"
#include "proto/operations.h"

struct sim_op_ctx {
    sqlite3 *db;
    sim_filestore *fs;
    const struct gis_operation *op;
    xmlNodePtr req;              /* the request element */
    const char *gis_guid;        /* our MessageGUID for this message */
    const char *org_ppa_guid;    /* the requester's orgPPAGUID (the world's provider or another of its orgs) */
    const char *org_key;         /* the requester in the world's tables: "" for the world's provider */
    const char *provider_ogrn;
    char now[SIMX_DATE_LEN];
    strbuf *out;
    hcs_err *err;
    int rows;                    /* objects written by an export */
    long nsi_page_size;          /* elements per page of the НСИ paging exports */
};

/* SQL: the house h (houses AS h) is the requester's (parameter ?2 = its
 * org_key): one it created with importHouseUOData, or, created by none (a
 * house of the world's files), the world provider's. */
#define SIMOP_HOUSE_OF_ORG \
    "(EXISTS (SELECT 1 FROM house_orgs o WHERE o.fias_house_guid=h.fias_house_guid AND o.org=?2) OR (?2='' AND" \
    " NOT EXISTS (SELECT 1 FROM house_orgs o WHERE o.fias_house_guid=h.fias_house_guid)))"

/* Returns 0, or -1 on an internal failure (the caller answers EXP001000). */
typedef int (*sim_op_fn)(struct sim_op_ctx *c);

sim_op_fn sim_op_lookup(const char *operation);

/* Operations (sim_op_*.c). */
int sim_op_import_account(struct sim_op_ctx *c);
int sim_op_export_account(struct sim_op_ctx *c);
int sim_op_import_meter_values(struct sim_op_ctx *c);
int sim_op_export_meter_history(struct sim_op_ctx *c);
int sim_op_import_meter_data(struct sim_op_ctx *c);
int sim_op_export_meter_data(struct sim_op_ctx *c);
/* One DeviceDataToUpdate of importMeteringDeviceData (sim_op_meter_update.c). */
void sim_meter_update(struct sim_op_ctx *c, struct simx_results *r, const char *transport, xmlNodePtr upd,
                      const char *req_house);
int sim_op_import_payment_docs(struct sim_op_ctx *c);
int sim_op_export_payment_docs(struct sim_op_ctx *c);
int sim_op_export_house(struct sim_op_ctx *c);
int sim_op_export_nsi_item(struct sim_op_ctx *c);
int sim_op_export_nsi_paging_item(struct sim_op_ctx *c);
int sim_op_export_nsi_list(struct sim_op_ctx *c);
int sim_op_export_org_registry(struct sim_op_ctx *c);
int sim_op_export_data_provider(struct sim_op_ctx *c);
/* Imports stored in the generic objects table (sim_op_objects.c). */
int sim_op_import_objects(struct sim_op_ctx *c);
int sim_op_export_cach(struct sim_op_ctx *c);
/* Cancellations of payment notifications (sim_op_payment.c). */
int sim_op_import_payment_cancellations(struct sim_op_ctx *c);
/* importHouseUOData: an apartment house and its parts (sim_op_house_uo.c). */
int sim_op_import_house_uo(struct sim_op_ctx *c);
/* The organisation's НСИ 1 and 51 (sim_op_nsi.c). */
int sim_op_import_nsi_services(struct sim_op_ctx *c);
/* The debt-requests service (sim_op_debt.c). */
int sim_op_export_debt_subrequests(struct sim_op_ctx *c);
int sim_op_import_debt_responses(struct sim_op_ctx *c);
/* Any other import: every TransportGUID accepted after the НСИ check. */
int sim_op_import_generic(struct sim_op_ctx *c);

/* Helpers shared by the processors (sim_op_common.c). */
#define NS_HCS "http://dom.gosuslugi.ru/schema/integration/"
#define NS_HM NS_HCS "house-management/"
#define NS_ACCOUNT_BASE NS_HCS "account-base/"
#define NS_NSI_BASE NS_HCS "nsi-base/"

/* Text of a descendant (any namespace, by local name; first match), "" if none. */
const char *simop_text(xmlNodePtr node, const char *local, char *buf, size_t n);
/* Direct child by local name (any namespace). */
xmlNodePtr simop_child(xmlNodePtr node, const char *local);
/* Checks every nsiRef (element with nsi-base:Code + nsi-base:GUID) below
 * node against the world's registries.  0 when fine, else INT002000 written
 * to code/desc. */
int simop_check_nsi(struct sim_op_ctx *c, xmlNodePtr node, char code[16], char *desc, size_t n);
/* The annotation rules of a contract or charter create form below obj
 * (sim_op_contracts.c); 0 when fine, else code/desc written. */
int simop_check_document(struct sim_op_ctx *c, xmlNodePtr obj, char code[16], char *desc, size_t n);
/* Checks AttachmentGUID/AttachmentHASH pairs below node (FIL001001/2). */
int simop_check_attachments(struct sim_op_ctx *c, xmlNodePtr node, char code[16], char *desc, size_t n);
/* Next value of a named counter (persistent). */
long simop_counter(struct sim_op_ctx *c, const char *name);
/* A 10-character ЕЛС and the 13-character ЖКУ id from a counter. */
void simop_unified_account(long n, char uan[32], char sid[40]);
/* The simulator's "operation not modelled" answer (INT009999). */
void simop_not_supported(struct sim_op_ctx *c);
/* The text of n (NULL: "") into buf, cut to len; returns buf. */
char *simop_node_text(xmlNodePtr n, char *buf, size_t len);
/* INT002012 as the whole result. */
void simop_nothing_to_export(struct sim_op_ctx *c);

/* An export whose request names objects by criteria elements (FIASHouseGuid,
 * AccountGUID, …): each criterion element of the request runs its query
 * with the element's text as the one parameter, every row is written by
 * `write`, and no row at all is INT002012.  The table ends with {NULL, NULL}. */
struct simop_criterion {
    const char *element;         /* local name of the request child */
    const char *sql;
};
int simop_export_by_criteria(struct sim_op_ctx *c, const struct simop_criterion *crit, sim_row_fn write);

#endif
