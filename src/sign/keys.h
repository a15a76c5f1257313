/* keys — the signing key and certificate from [sign]: PEM (plain or
 * encrypted) or PKCS#12, the passphrase from sign.pass_file or the
 * environment variable sign.pass_env names (never argv, never logged),
 * and the checks before any signing: the key matches the certificate,
 * the certificate is valid now.  sign.key may instead be a pkcs11: URI
 * (a key on a token: keys_pkcs11.c; the PIN comes like a passphrase).  Warnings (expiry within 30 days, key file
 * readable by group/others) are collected as text for the CLI to print.
 * File bytes and passphrases are wiped after use.  Owned by src/sign/. */
#ifndef HCS_SIGN_KEYS_H
#define HCS_SIGN_KEYS_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "base/config.h"
#include "base/err.h"

#define KEYS_EXPIRY_WARN_DAYS 30

struct key_material {
    EVP_PKEY *pkey;
    X509 *cert;
    int days_left;          /* until notAfter, rounded down */
    char warning[768];      /* "" or "; "-joined warnings */
};

/* Reads sign.key (+ sign.cert, sign.pass_file, sign.pass_env).  Needs the
 * gost engine loaded first for GOST keys.  HCS_EX_CONFIG on refusal. */
int keys_load(const hcs_config *cfg, struct key_material *km, hcs_err *err);
void keys_free(struct key_material *km);

/* 1 when s is an RFC 7512 pkcs11: URI (a key or certificate on a token). */
int keys_is_pkcs11_uri(const char *s);
/* The key named by uri (and the certificate: sign.cert as a pkcs11: URI,
 * or the key's URI without type= when sign.cert is unset) from the token
 * behind sign.pkcs11_module, logging in with pin (keys_pkcs11.c).  A
 * sign.cert file is left for the caller. */
int keys_load_pkcs11(const hcs_config *cfg, const char *uri, const char *pin,
                     struct key_material *km, hcs_err *err);

/* Whole days from now until the certificate's notAfter (negative when expired). */
int keys_cert_days_left(const X509 *cert);

#endif
