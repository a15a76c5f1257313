/* envelope — SOAP 1.1 envelopes as PROTOCOL.md / ASYNC.md describe them:
 * soap:Header with base:RequestHeader (Date with offset, MessageGUID,
 * orgPPAGUID or SenderID, optional IsOperatorSignature) or
 * base:ISRequestHeader, and exactly one request element in soap:Body.
 * The converter writes envelopes as text (fast) and parses them once; the
 * exchange refreshes Date/MessageGUID right before sending and builds
 * getState requests.  Owned by src/soap/. */
#ifndef HCS_ENVELOPE_H
#define HCS_ENVELOPE_H

#include <time.h>
#include <libxml/tree.h>

#include "base/config.h"
#include "base/err.h"
#include "base/strbuf.h"
#include "proto/operations.h"

struct envelope_header {
    enum gis_header kind;          /* RequestHeader or ISRequestHeader */
    char org_ppa_guid[37];         /* [gis] org_ppa_guid (RequestHeader only) */
    int use_sender_id;             /* [gis] sender_header = SenderID */
    int operator_signature;        /* [gis] operator_signature */
    char message_guid[37];         /* filled by envelope_header_init (new GUID) */
    time_t date;                   /* 0 = now when written */
};

/* Fills h for a header of the given kind from [gis]; generates a new
 * MessageGUID.  RequestHeader without [gis] org_ppa_guid → HCS_EX_CONFIG. */
int envelope_header_init(struct envelope_header *h, const hcs_config *cfg,
                         enum gis_header kind, hcs_err *err);

/* "2026-11-24T07:15:30.000+03:00" (local time with offset). */
void envelope_format_date(time_t t, char out[40]);

/* Text building blocks: the opening of the envelope up to and including
 * "<soapenv:Body>", and the closing after the body element.  The body
 * element itself brings its own namespace declarations. */
void envelope_begin(strbuf *sb, const struct envelope_header *h);
void envelope_end(strbuf *sb);

/* The request element of a parsed envelope (the soap:Body child), or NULL. */
xmlNodePtr envelope_body_element(xmlDocPtr doc);

/* Sets a fresh Date (now) and, when new_message_guid is not NULL, a new
 * MessageGUID (written there) in the header of a parsed envelope — what a
 * rebuild after EXP001000 needs.  Must be called before signing. */
int envelope_refresh_header(xmlDocPtr doc, char new_message_guid[37], hcs_err *err);
/* The RequestHeader/ISRequestHeader MessageGUID of a parsed envelope ("" if none). */
void envelope_message_guid(xmlDocPtr doc, char out[37]);

/* getState for a service: header as the service's getState needs
 * (service->header), body base:getStateRequest/base:MessageGUID = ack_guid
 * (the GIS id from AckRequest).  Our MessageGUID is written to
 * out_message_guid when not NULL.  Returns a new document. */
xmlDocPtr soap_build_get_state(const hcs_config *cfg, const struct gis_service *service,
                               const char *ack_guid, char out_message_guid[37], hcs_err *err);

/* The whole envelope as UTF-8 bytes, no formatting added (signed documents
 * must be written byte-exact).  Caller frees with xmlFree. */
int envelope_to_bytes(xmlDocPtr doc, char **out, size_t *len, hcs_err *err);

#endif
