/* exchange — the scheduler between the converter and GIS.  A packet's
 * states and the transitions between them are lifecycle.h's: it is
 * `created` while its file converts and becomes `prepared` (signed bytes in
 * archive/) when the whole file is converted, in one transaction.  Before
 * each send the attempt is committed; after the ack the GIS MessageGUID and
 * the first poll time (`sent`); a processed result is stored in one
 * transaction (element outcomes + registry).  Nothing waits in memory
 * between runs: each cycle sends what is due and polls what is due, per
 * [exchange] poll_schedule, poll_horizon and the error policy (policy.h).
 * Owned by src/exchange/; run/ and cli/ call it (packet/ is called for the
 * one sign-and-serialize step of a rebuild).
 * May call: base/ proto/ packet/ soap/ sign/ transport/ store/. */
#ifndef HCS_EXCHANGE_H
#define HCS_EXCHANGE_H

#include <stdint.h>

#include "base/config.h"
#include "base/err.h"
#include "exchange/lifecycle.h"
#include "proto/schema.h"
#include "store/store.h"
#include "transport/transport.h"

/* NULL-terminated state lists; lifecycle.h owns them (these names stay
 * for the callers). */
#define exchange_states_pending packet_states_pending   /* prepared sent processing deferred */
#define exchange_states_to_send packet_states_to_send   /* prepared deferred */
#define exchange_states_to_poll packet_states_to_poll   /* sent processing */
#define exchange_states_all packet_states_all

struct exchange_stats {
    long sends, acks, polls, rebuilds;
    long done, warnings, failed, deferred;
    long elements_accepted, elements_error;
    int unreachable;              /* GIS did not answer (network, 5xx after retries, non-SOAP) */
    char unreachable_msg[512];
    int maintenance;              /* INT002029 seen */
    long registry_entries;        /* registry entries stored from export results */
};

typedef struct exchange exchange;

struct exchange_opts {
    const hcs_config *cfg;
    store *st;
    transport *tr;                /* may be NULL until something must be sent */
    int64_t run_id;
    /* One of several workers (hcsbatch worker): each cycle claims its
     * packets with a lease (store_packets_claim) and works on those only,
     * in short transactions, taking request slots of transport.rate from
     * the database (shared by every worker).  NULL: the one process. */
    const char *worker;           /* lease owner "host:pid" */
    int lease_seconds;            /* how long a claim holds without the worker */
    int claim_limit;              /* packets claimed per cycle (sends and polls each) */
};

exchange *exchange_new(const struct exchange_opts *o, hcs_err *err);
void exchange_free(exchange *x);
const struct exchange_stats *exchange_get_stats(const exchange *x);

/* Registry kind that an operation's accepted elements fill ("account" for
 * importAccountData, …); NULL when it fills none. */
const char *exchange_registry_kind(const char *template_name);
/* convert_resolve_fn over the registry (ctx = the store):
 * store_registry_answer, errors logged.  kind "KIND" answers the GUID
 * stored for (KIND, local_key), "KIND.unique_number" the unique number GIS
 * gave the object (payment_document.unique_number = the PaymentDocumentID
 * a withdrawal needs), "KIND.version" the version GUID.  -1 for an unknown
 * field or a store error. */
int exchange_resolve(void *ctx, const char *kind, const char *local_key, char guid[37]);
/* An export that fills the registry (body from src/soap/export_request.h):
 * stored as a prepared packet without elements, then sent and polled like
 * any packet; its processed result goes into the registry with the
 * packet's final state in one transaction.  split_value is what the answer
 * does not repeat (exportMeteringDeviceData: the FIAS house;
 * exportPaymentDocumentData: "YYYY-MM") or any value that gives the
 * request its own lane (a house, a registry number); NULL for none. */
struct exchange_export {
    const char *operation;
    const char *body;
    const char *split_value;
};
int exchange_add_export(exchange *x, const struct exchange_export *e, int64_t *packet_id, hcs_err *err);
/* What `hcsbatch sync` asks for: what = nsi orgs houses accounts meters
 * bills debt (keys: the sending period FROM, TO as YYYY-MM-DD); keys = FIAS houses (houses, accounts, meters), OGRNs (orgs,
 * 100 a request), AccountGUIDs (bills, 1000 a request); registries (nsi:
 * the organisation's own go to exportDataProviderNsiPagingItem, the others
 * to exportNsiPagingItem, page 1: a processed page asks for the next one,
 * x_apply_export; 272 has no paging form: exportDataProviderNsiItem); period
 * "YYYY-MM" (bills); history: keys "<FIAS house>|<MeteringDeviceRootGUID>"
 * (exportMeteringDeviceHistory, 100 devices of one house a request).  A
 * value the schema refuses: -1, HCS_EX_USAGE. */
struct exchange_sync_ask {
    const char *what;
    const char *const *keys;
    size_t nkeys;
    const int *registries;
    size_t nregistries;
    const char *period;
    const char *uo_guid;         /* contracts by house: the UOGUID (gis.org_root_guid) */
};
int exchange_sync_exports(const struct exchange_sync_ask *a, struct exchange_export **out, size_t *n,
                          hcs_err *err);
void exchange_exports_free(struct exchange_export *v, size_t n);
/* 1 when operation is an export whose result fills the registry. */
int exchange_is_export(const char *operation);
/* Where a packet's signed envelope is archived: <archive>/packets/<op>-<guid>.xml. */
char *exchange_packet_path(const char *archive_dir, const char *operation, const char *message_guid);


/* One cycle: sends every packet due to be sent (lanes in order, bounded in
 * flight) and polls every packet due.  *worked = requests made. */
int exchange_cycle(exchange *x, long *worked, hcs_err *err);
/* Only sends, or only polls (`hcsbatch send`, `hcsbatch poll`). */
int exchange_cycle_parts(exchange *x, int send, int poll, long *worked, hcs_err *err);
/* Signing certificate days left, or -999999 when no signer was opened. */
int exchange_cert_days_left(const exchange *x);
/* Retries the transport made so far. */
long exchange_transport_retries(const exchange *x);
/* Packets not final yet (prepared, sent, processing, deferred). */
long exchange_pending(exchange *x, hcs_err *err);
/* Earliest time (Unix s) something is due; 0 when nothing is pending.  Sends
 * held back in this process (maintenance, GIS unreachable) count from then. */
int64_t exchange_next_due(exchange *x, hcs_err *err);

/* `hcsbatch health`: one getState for a MessageGUID made up now, at the
 * house-management endpoint, one attempt.  GIS answers INT002013 when the
 * transport, the envelope and the provider are all accepted.  0 when the
 * probe was made (pr says what came back, or text why nothing did), -1
 * when it could not be made (configuration; err). */
struct exchange_probe {
    char message_guid[37];        /* the made-up id asked about */
    int tls;                      /* gis.base_url is https (an answer means the handshake worked) */
    int answered;                 /* a SOAP answer (getStateResult or Fault) came back */
    long http_status;             /* 0 when no answer */
    int request_state;            /* of a getStateResult */
    char code[24];                /* its ErrorCode (or Fault code), "" when none */
    char text[512];               /* its Description verbatim, or why nothing answered */
    double seconds;
};
int exchange_probe(const hcs_config *cfg, struct exchange_probe *pr, hcs_err *err);

/* Operator actions.  retry: a failed (or deferred) packet is rebuilt with a
 * new MessageGUID (the old one is recorded as abandoned: GIS keeps its final
 * answer under it) and its elements wait again.  cancel: a packet GIS has
 * not acknowledged yet is never sent; its elements become "cancelled". */
int exchange_retry_packet(exchange *x, int64_t packet_id, hcs_err *err);
int exchange_cancel_packet(exchange *x, int64_t packet_id, hcs_err *err);

#endif
