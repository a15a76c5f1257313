/* result — parsing what GIS answers: the synchronous AckRequest (or a
 * SOAP Fault) and getStateResult of any service, into plain structs.
 * Both shapes of per-object results are handled: base:CommonResultType
 * directly under <svc>:ImportResult (bills, device-metering, nsi, …) and
 * house-management's ImportResult/CommonResult with its operation block
 * (ImportAccount: UnifiedAccountNumber, ServiceID; importMeteringDevice:
 * MeteringDeviceGUID).  Export-specific result blocks are not interpreted
 * here: the parsed document is kept (res->doc) for the caller to walk.
 * Input is untrusted: parsed through base/xmlsafe.  Owned by src/soap/. */
#ifndef HCS_RESULT_H
#define HCS_RESULT_H

#include <stddef.h>
#include <libxml/tree.h>

#include "base/err.h"

/* SOAP Fault (base:Fault detail when present). */
struct gis_fault {
    char *faultcode;          /* soap faultcode text */
    char *faultstring;
    char *error_code;         /* base:Fault/ErrorCode or NULL */
    char *error_message;      /* base:Fault/ErrorMessage or NULL */
};

struct gis_ack {
    char message_guid[37];            /* Ack/MessageGUID: GIS id, use in getState */
    char requester_message_guid[37];  /* Ack/RequesterMessageGUID: ours */
};

struct gis_error {
    char *code;               /* ErrorCode, verbatim */
    char *description;        /* Description, verbatim */
};

struct gis_object_result {
    char transport_guid[37];  /* our element's TransportGUID */
    char guid[37];            /* base:GUID or "" */
    char *unique_number;      /* base:UniqueNumber or NULL */
    char *update_date;        /* base:UpdateDate or NULL */
    /* house-management operation blocks (NULL when absent) */
    char *unified_account_number;   /* ImportAccount/UnifiedAccountNumber */
    char *service_id;               /* ImportAccount/ServiceID */
    char *metering_device_guid;     /* importMeteringDevice/MeteringDeviceGUID */
    char *version_guid;             /* the document's version: importContract/ContractVersionGUID,
                                       importCharter/CharterVersionGUID,
                                       ImportSupplyResourceContract/ContractGUID */
    struct gis_error *errors;       /* base:Error[] (nerrors == 0: success) */
    size_t nerrors;
};

struct gis_state_result {
    int request_state;        /* 1 received, 2 processing, 3 processed */
    char message_guid[37];
    struct gis_error *message_error;   /* base:ErrorMessage (whole request), or NULL */
    struct gis_object_result *objects; /* ImportResult entries, in document order */
    size_t nobjects;
    xmlDocPtr doc;            /* the parsed response, for export results; owned */
    xmlNodePtr result;        /* the <svc>:getStateResult element inside doc */
};

/* Kind of a response body. */
enum gis_response_kind { GIS_RESP_ACK, GIS_RESP_STATE, GIS_RESP_FAULT };

/* Parses an AckRequest envelope.  A SOAP Fault gives -1 with
 * HCS_EX_PROTOCOL and "faultcode: ErrorCode: message" in err (and fills
 * fault when not NULL).  Anything else unexpected: -1, HCS_EX_PROTOCOL. */
int soap_parse_ack(const char *buf, size_t len, struct gis_ack *ack,
                   struct gis_fault *fault, hcs_err *err);

/* Parses a getStateResult envelope (or a bare getStateResult document).
 * Returns 0 and fills res (clear it with gis_state_result_clear), or -1
 * (fault: as soap_parse_ack). */
int soap_parse_state(const char *buf, size_t len, struct gis_state_result *res,
                     struct gis_fault *fault, hcs_err *err);
/* Same, from an already parsed document (ownership of doc passes to res). */
int soap_state_from_doc(xmlDocPtr doc, struct gis_state_result *res,
                        struct gis_fault *fault, hcs_err *err);

void gis_state_result_clear(struct gis_state_result *res);
void gis_fault_clear(struct gis_fault *f);

#endif
