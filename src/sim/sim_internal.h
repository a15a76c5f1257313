/* sim_internal — what the simulator's own files share: the sim struct and
 * the processing entry point.  Not for use outside src/sim/. */
#ifndef HCS_SIM_INTERNAL_H
#define HCS_SIM_INTERNAL_H

#include <pthread.h>
#include <openssl/x509.h>
#include <sqlite3.h>

#include "base/config.h"
#include "sign/sign.h"
#include "sim/sim.h"
#include "proto/schema.h"

struct op_time {
    char op[64];
    long ms;
};

struct sim {
    char *world_dir;
    char *state_dir;
    sqlite3 *db;
    schema_set *schemas;
    sim_filestore *fs;
    char org_ppa_guid[40];
    /* other organisations of the world ([org:NAME] org_ppa_guid in
     * provider.ini): they may send too, and see only their own objects */
    char (*orgs)[40];
    size_t norgs;
    char ogrn[32];
    char name[256];
    X509 *cert;                 /* NULL: any certificate */
    /* [operator] of provider.ini: the operator of the information system
     * (a billing centre) whose certificate may sign for the provider, but
     * only with RequestHeader/IsOperatorSignature. NULL: none. */
    X509 *operator_cert;
    char operator_org[40];
    int skip_signature;
    enum sim_resend resend;
    long processing_ms;
    long nsi_page_size;
    hcs_config *sign_cfg;       /* answer signing, when asked for */
    signer *signer;
    struct op_time *times;
    size_t ntimes;
    /* Two locks so that the expensive, stateless part of a request (parsing,
     * signature verification) runs in parallel: one for the lazily compiled
     * schemas (their validation contexts are shared), one for the database
     * and the processing queue. */
    pthread_mutex_t schema_lock;
    pthread_mutex_t state_lock;
};

/* 1 when the normalized orgPPAGUID is the world's provider or one of its orgs. */
int sim_org_known(const sim *s, const char *org);
/* Processing time of an operation in ms (per-operation override or default). */
long sim_processing_time(const sim *s, const char *op);
/* Processes due messages; the caller holds s->state_lock (sim_queue.c). */
void sim_process_due_locked(sim *s);

#endif
