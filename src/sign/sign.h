/* sign — XAdES-BES enveloped signatures as GIS wants them, and their
 * verification.  Canonicalization by libxml2, digests and signatures by
 * OpenSSL EVP with the gost engine loaded in code.  Owned by src/sign/.
 * May call: base/ proto/. */
#ifndef HCS_SIGN_H
#define HCS_SIGN_H

#include <libxml/tree.h>
#include <openssl/x509.h>

#include <time.h>

#include "base/config.h"
#include "base/err.h"
#include "base/strbuf.h"
#include "proto/schema.h"

typedef struct signer signer;

/* Loads key and certificate per [sign] (key, cert, alg, pass_file,
 * pass_env, signedinfo_c14n, cert_digest).  Refuses a key that does not
 * match the certificate or an expired certificate (HCS_EX_CONFIG). */
signer *signer_open(const hcs_config *cfg, hcs_err *err);
/* Signs the element carrying Id="signed-data-container" in doc (the
 * soap:Body child): ds:Signature becomes its first child. */
int signer_sign(signer *s, xmlDocPtr doc, hcs_err *err);
/* The same in two steps, for pipelines: _begin starts the data digest
 * (nearly all of the cost: c14n + Streebog over the whole request) on a
 * worker thread and returns at once; the caller may build the next packet
 * meanwhile but must neither change nor free doc until _end, which joins
 * the worker, adds ds:Signature and frees the job (also on failure).
 * NULL from _begin: err filled, nothing started.  signer_sign may be used
 * from several threads on different documents. */
typedef struct sign_job sign_job;
sign_job *signer_sign_begin(signer *s, xmlDocPtr doc, hcs_err *err);
int signer_sign_end(sign_job *job, hcs_err *err);
/* Days until the certificate expires (for warnings and metrics). */
int signer_cert_days_left(const signer *s);
/* NULL, or what the CLI should print once as a warning: the certificate
 * expires within 30 days, the key or passphrase file is readable by
 * group/others ("; "-joined). */
const char *signer_warning(const signer *s);
/* The signing certificate (owned by the signer). */
const X509 *signer_cert(const signer *s);
void signer_free(signer *s);

/* What `hcsbatch health` reports about the key and certificate: read
 * without refusing (an expired or mismatched pair is described, not an
 * error).  -1 only when the key or certificate cannot be read. */
struct key_inspection {
    int matches;            /* the private key belongs to the certificate */
    int not_yet_valid;      /* notBefore is in the future */
    int days_left;          /* until notAfter (negative when expired) */
    char not_after[16];     /* "YYYY-MM-DD" (UTC) */
    char warning[768];      /* key file readable by group/others, … */
};
int keys_inspect(const hcs_config *cfg, struct key_inspection *ki, hcs_err *err);

enum verify_status {
    VERIFY_OK = 0,
    VERIFY_NO_SIGNATURE,     /* → AUT011004 */
    VERIFY_BAD_FORMAT,       /* structure, whitespace, unknown algorithm → AUT011005 */
    VERIFY_BAD_DIGEST,       /* a Reference digest does not match → AUT011005 */
    VERIFY_BAD_SIGNATURE,    /* SignatureValue does not verify → AUT011005 */
    VERIFY_BAD_CERT,         /* certificate unreadable/expired/not yet valid, CertDigest or IssuerSerial wrong → AUT011006 */
    VERIFY_BAD_SCHEMA        /* signed element not schema-valid → FMT001300 */
};

struct verify_result {
    enum verify_status status;
    char reason[512];        /* the first failing check, human-readable */
    char schema_note[256];   /* "schema not checked: namespace …" when applicable */
    X509 *cert;              /* the embedded certificate (owned; verify_result_clear frees) */
    time_t signing_time;     /* xades:SigningTime, 0 when absent or unreadable */
    xmlNodePtr signed_element; /* VERIFY_OK: the element the signature covers (points into doc) */
};

/* Verifies the signature inside doc (the element it references).
 * schemas may be NULL (no schema check).  Returns 0 when the check ran
 * (result->status tells), -1 on internal errors. */
int verify_document(xmlDocPtr doc, schema_set *schemas, struct verify_result *result, hcs_err *err);
void verify_result_clear(struct verify_result *result);
/* One-word name of a status ("ok", "no-signature", "bad-format", …). */
const char *verify_status_name(enum verify_status status);

/* The canonical bytes of one part of the signature as the verifier
 * computes them (cross-checks with openssl dgst, debugging). */
enum sig_part { SIG_PART_SIGNEDINFO, SIG_PART_DATA, SIG_PART_SIGNED_PROPERTIES };
int verify_dump_part(xmlDocPtr doc, enum sig_part part, strbuf *out, hcs_err *err);

#endif
