/* sign_testkeys — throw-away keys and certificates for the signing tests,
 * made at test time with the openssl CLI and the gost engine (nothing
 * secret is committed), plus certificates with chosen validity made with
 * the OpenSSL API (the CLI of OpenSSL 3.0 cannot backdate notAfter). */
#ifndef SIGN_TESTKEYS_H
#define SIGN_TESTKEYS_H

#include "base/config.h"

/* A fresh folder with gost2012, gost2001 and rsa keys and certificates,
 * the XML parser and the gost engine initialised.  Caller: tk_keydir_remove. */
char *tk_keydir_make(void);
void tk_keydir_remove(char *dir);              /* removes it, frees dir */

/* alg: gost2012 | gost2001 | rsa.  Writes DIR/<alg>.key and DIR/<alg>.crt. */
void tk_make(const char *dir, const char *alg);
/* DIR/<name>.crt for DIR/<alg>.key, valid from now+from_days to now+to_days. */
void tk_make_cert_validity(const char *dir, const char *alg, const char *name, long from_days, long to_days);
/* A configuration signing with DIR/key_file (and DIR/cert_file, if any) as alg. */
hcs_config *tk_config(const char *dir, const char *alg, const char *key_file, const char *cert_file);
/* A schema-valid importAccountData envelope built from the shared example
 * (Envelope also declares xsi, used nowhere in the body). Caller frees. */
char *tk_envelope(void);
char *tk_vectors_dir(void);                    /* the shared signature vectors; caller frees */

#endif
