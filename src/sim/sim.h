/* sim — the simulated ГИС ЖКХ behind the HTTP layer: request checks
 * (schema, signature, certificate, provider), acks with deduplication by
 * the requester's MessageGUID, the getState life cycle, and processing of
 * queued messages against the world (src/sim/sim_op_*.c).
 *
 * sim_handle and sim_process_due are thread-safe (the HTTP layer runs a
 * thread per connection); sim_open/sim_free are not.
 * Owns: the GIS simulator behind bin/hcs-sim.
 * May call: base/ proto/ sign/ (the XAdES code GIS would run: its verifier is
 * checked against a signature the real GIS server made). */
#ifndef HCS_SIM_H
#define HCS_SIM_H

#include <stddef.h>
#include <sqlite3.h>

#include "base/err.h"
#include "base/strbuf.h"
#include "sim/sim_filestore.h"

/* What a MessageGUID already acknowledged gets when it is sent again.  The
 * rules promise no deduplication; they forbid only two parallel executions
 * (INT003001), so a client must survive all three. */
enum sim_resend {
    SIM_RESEND_ACK = 0,           /* its first ack again, no second processing */
    SIM_RESEND_AGAIN,             /* processed again as a new message (a new ack) */
    SIM_RESEND_BUSY,              /* INT003001 while the first is processed, then again */
};
/* "ack" | "again" | "busy" → the mode; -1 for anything else. */
int sim_resend_parse(const char *name);

struct sim_options {
    const char *world_dir;        /* required */
    const char *state_dir;        /* NULL: <world>/../sim-state */
    const char *schemas_dir;      /* official XSD package */
    const char *debt_schemas_dir; /* the 14.5.0.1 package (NULL: beside schemas_dir) */
    long processing_ms;           /* default processing time per message */
    const char *processing_spec;  /* "op=ms,op=ms" overrides, may be NULL */
    int skip_signature;           /* accept unsigned requests (debug only) */
    const char *sign_key;         /* sign getStateResult answers (like GIS) when set */
    const char *sign_cert;
    const char *sign_alg;         /* gost2012 (default) | gost2001 | rsa */
    long nsi_page_size;           /* elements per page of exportNsiPagingItem /
                                   * exportDataProviderNsiPagingItem; 0 = 1000 */
    const char *const *renew_guids; /* objects of the world given a new GUID at start */
    size_t nrenew_guids;
    enum sim_resend resend;       /* a MessageGUID sent again */
};

/* What the HTTP layer passes in: the request and the SOAP-level faults
 * the fault injector decided on. */
struct sim_request {
    const char *path;             /* URL path without the leading '/' */
    const char *soap_action;      /* header value, quotes allowed, may be NULL */
    const char *body;
    size_t len;
    double slow_factor;           /* processing time multiplier (1 = normal) */
    int inject_exp001000;
    int inject_maintenance;
    const char *inject_result;    /* a fresh message's result becomes this error code, or NULL */
};

struct sim_reply {
    int status;                   /* HTTP status */
    strbuf body;                  /* text/xml answer */
    char operation[64];           /* "importAccountData", "getState", "" */
    char request_guid[40];        /* RequestHeader/ISRequestHeader MessageGUID */
    char gis_guid[40];            /* acked (import/export) or asked (getState) */
    char code[16];                /* GIS error code of the answer, "" if none */
    int request_state;            /* getState: 1..3, 0 otherwise */
    int duplicate;                /* the same MessageGUID was acked before */
    strbuf transports;            /* JSON array items: "\"guid\",\"guid\"" */
};

typedef struct sim sim;

sim *sim_open(const struct sim_options *o, hcs_err *err);
void sim_free(sim *s);
const char *sim_state_dir(const sim *s);
sim_filestore *sim_get_filestore(sim *s);

void sim_handle(sim *s, const struct sim_request *req, struct sim_reply *reply);
void sim_reply_free(struct sim_reply *reply);

/* Processes every queued message whose processing time has passed. */
void sim_process_due(sim *s);

/* Milliseconds since the epoch (wall clock: stored times survive restarts). */
long long sim_now_ms(void);

#endif
