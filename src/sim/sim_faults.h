/* sim_faults — reproducible fault injection for the simulator.
 *
 * Spec: comma-separated rules  KIND[/ACTION](=PROB|@FROM-TO)[:PARAM]
 *   KIND    http500 http502 http503 reset stall truncated garbled
 *           exp001000 maintenance slow result
 *   ACTION  only requests whose SOAPAction is urn:ACTION; "filestore" makes
 *           the rule apply to file store requests (rules without ACTION
 *           apply to SOAP requests only)
 *   PROB    probability 0..1 per request (drawn from a PRNG seeded by --seed)
 *   FROM-TO request numbers (1-based, counted over all HTTP requests);
 *           "@N" alone is one request
 *   PARAM   stall: seconds ("30s", "1500ms"), slow: factor ("2x"),
 *           result: the GIS error code (default EXP001000)
 * result: the message is acknowledged as usual, but its getStateResult
 * (RequestState 3) is a base:ErrorMessage with the code, as the real GIS
 * answers when processing fails; the request's other faults still apply.
 * Example: http503=0.1,reset=0.05,stall=0.02:30s,http503@1-3,slow=2x */
#ifndef HCS_SIM_FAULTS_H
#define HCS_SIM_FAULTS_H

#include "base/err.h"

enum sim_fault_kind {
    FAULT_NONE = 0, FAULT_HTTP500, FAULT_HTTP502, FAULT_HTTP503, FAULT_RESET, FAULT_STALL,
    FAULT_TRUNCATED, FAULT_GARBLED, FAULT_EXP001000, FAULT_MAINTENANCE, FAULT_SLOW, FAULT_RESULT
};

struct sim_fault {
    enum sim_fault_kind kind;    /* the one fault of this request (not slow) */
    double stall_seconds;
    double slow_factor;          /* 1 unless a slow rule fired */
    char result_code[16];        /* a result rule fired: the code its getStateResult carries */
};

typedef struct sim_faults sim_faults;

sim_faults *sim_faults_parse(const char *spec, unsigned long long seed, hcs_err *err);
void sim_faults_free(sim_faults *f);
/* action: the SOAPAction without "urn:" and quotes, or "filestore". */
void sim_faults_decide(sim_faults *f, long request_no, const char *action, struct sim_fault *out);
const char *sim_fault_name(enum sim_fault_kind kind);
/* Deterministic PRNG shared with the garbling of answers. */
unsigned long long sim_faults_rand(sim_faults *f);

#endif
