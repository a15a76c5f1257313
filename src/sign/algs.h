/* algs — the XML-DSig algorithm URIs GIS uses and what they mean in
 * OpenSSL terms (digest names for crypto_md, key types), plus the small
 * encoding helpers the signer and verifier share (base64).  Owned by
 * src/sign/. */
#ifndef HCS_SIGN_ALGS_H
#define HCS_SIGN_ALGS_H

#include <stddef.h>

#define URI_DSIG_NS        "http://www.w3.org/2000/09/xmldsig#"
#define URI_XADES_NS       "http://uri.etsi.org/01903/v1.3.2#"
#define URI_ENVELOPED      "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
#define URI_EXC_C14N       "http://www.w3.org/2001/10/xml-exc-c14n#"
#define URI_C14N           "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
#define URI_SIGNED_PROPS   "http://uri.etsi.org/01903#SignedProperties"

enum sig_family { FAMILY_GOST2012_256, FAMILY_GOST2012_512, FAMILY_GOST2001, FAMILY_RSA };

struct digest_alg {
    const char *uri;
    const char *md;              /* name for crypto_md */
};

struct sig_alg {
    const char *name;            /* sign.alg value; NULL for verify-only */
    const char *uri;             /* SignatureMethod */
    const char *md;              /* digest the signature hashes with */
    const char *digest_uri;      /* DigestMethod the signer writes */
    enum sig_family family;
    int pkey_nid;                /* EVP_PKEY_get_id() of a matching key */
};

/* NULL when the URI is unknown. */
const struct digest_alg *digest_alg_by_uri(const char *uri);
const struct digest_alg *digest_alg_by_md(const char *md);
const struct sig_alg *sig_alg_by_uri(const char *uri);
/* "gost2012", "gost2001", "rsa". */
const struct sig_alg *sig_alg_by_name(const char *name);
/* sign.cert_digest: "auto" (alg's own digest), "gost2012", "gost94", "sha256". */
const struct digest_alg *cert_digest_by_name(const char *name, const struct sig_alg *alg);

/* Base64 without line breaks; caller frees. */
char *b64_encode(const unsigned char *data, size_t len);
/* Strict: no whitespace, valid padding.  Caller frees *out.  -1 if invalid. */
int b64_decode(const char *text, unsigned char **out, size_t *len);

#endif
