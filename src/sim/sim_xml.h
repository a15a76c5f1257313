/* sim_xml — the simulator's answer builder: SOAP envelopes with
 * base:ResultHeader, AckRequest, SOAP faults (base:Fault), getStateResult
 * and per-object import results, written with strbuf.  Every namespace
 * prefix an answer may use is declared once on the Envelope. */
#ifndef HCS_SIM_XML_H
#define HCS_SIM_XML_H

#include "base/strbuf.h"
#include "proto/operations.h"

#define SIMX_DATE_LEN 40

/* Now as xs:dateTime with milliseconds and the Moscow offset. */
void simx_now(char out[SIMX_DATE_LEN]);
/* The prefix used for a service's namespace ("hm", "dm", "b", ...). */
const char *simx_prefix(const struct gis_service *svc);

void simx_envelope_open(strbuf *sb);
void simx_envelope_close(strbuf *sb);
/* A complete SOAP 1.1 fault envelope: faultcode soap:Client|soap:Server,
 * faultstring "<code>: <message>", detail/base:Fault(ErrorCode,
 * ErrorMessage, StackTrace = trace when not NULL or empty). */
void simx_fault(strbuf *sb, int client, const char *code, const char *message, const char *trace);
/* A complete AckRequest envelope. */
void simx_ack(strbuf *sb, const char *gis_guid, const char *requester_guid);

/* <svc:getStateResult base:version=…><base:RequestState>…<base:MessageGUID>…
 * version: the one the simulator's schema package fixes (sim_result_version).
 * with_id adds Id="signed-data-container" (for a signed answer). */
void simx_state_open(strbuf *sb, const struct gis_service *svc, const char *version, int state,
                     const char *gis_guid, int with_id);
void simx_state_close(strbuf *sb, const struct gis_service *svc);

/* <qname>escaped text</qname>; nothing when text is NULL or empty (opt). */
void simx_el(strbuf *sb, const char *qname, const char *text);
void simx_el_opt(strbuf *sb, const char *qname, const char *text);
/* <base:ErrorMessage> (or another qname) with ErrorCode and Description. */
void simx_error(strbuf *sb, const char *qname, const char *code, const char *description);

/* Per-object import results in the service's shape: house-management wraps
 * CommonResult in its own ImportResult, the others write ImportResult of
 * base:CommonResultType. */
struct simx_results {
    strbuf *sb;
    const struct gis_service *svc;
    int hm;          /* house-management shape */
    int open;        /* hm:ImportResult opened */
    int count;
    int errors;
};
void simx_results_begin(struct simx_results *r, strbuf *sb, const struct gis_service *svc);
/* extra: operation-specific XML after UpdateDate (house-management only), may be NULL. */
void simx_result_ok(struct simx_results *r, const char *guid, const char *transport,
                    const char *unique_number, const char *update_date, const char *extra);
void simx_result_error(struct simx_results *r, const char *transport, const char *code,
                       const char *description);
void simx_results_end(struct simx_results *r);

#endif
