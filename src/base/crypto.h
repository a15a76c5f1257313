/* crypto — OpenSSL with the GOST engine, loaded in code (no global
 * openssl.cnf): the dynamic-engine sequence from PROTOCOL.md.  Digests by
 * name for the signer, the verifier and the file store (GOST R 34.11-94
 * AttachmentHASH).  Part of the base layer: sign/, transport/, filestore/
 * and the simulator use it. */
#ifndef HCS_CRYPTO_H
#define HCS_CRYPTO_H

#include <openssl/evp.h>
#include <openssl/types.h>

#include "base/err.h"

/* Loads and initialises the gost engine once per process (idempotent).
 * engine_path NULL: the engines-3/gost.so next to libcrypto. */
int crypto_gost_init(const char *engine_path, hcs_err *err);
/* The OpenSSL engine that reaches keys on a token: by default libp11's
 * pkcs11.so next to libcrypto (id "pkcs11"), bound to the token's PKCS#11
 * library; or another engine by file and id (Aktiv's rtengine for GOST
 * keys on a Rutoken).  Loaded once per process, NULL + err on failure.
 * The caller logs in and loads objects through it (src/sign/keys_pkcs11.c). */
struct crypto_token_engine {
    const char *path;     /* engine file; NULL/"" = pkcs11.so in ENGINESDIR */
    const char *id;       /* engine id; NULL/"" = "pkcs11" */
    const char *module;   /* PKCS#11 library (MODULE_PATH); required by "pkcs11" */
};
ENGINE *crypto_pkcs11_init(const struct crypto_token_engine *te, hcs_err *err);
/* "md_gost12_256" (34.11-2012 256), "md_gost94" (34.11-94), "sha256", "md5". */
const EVP_MD *crypto_md(const char *name, hcs_err *err);
/* Convenience: hex digest of a buffer. out must hold 2*EVP_MAX_MD_SIZE+1. */
int crypto_digest_hex(const char *md_name, const void *data, size_t len, char *out, hcs_err *err);

#endif
