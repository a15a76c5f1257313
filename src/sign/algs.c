/* algs — algorithm URI tables and base64 (OpenSSL EVP_EncodeBlock). */
#include "sign/algs.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "base/xalloc.h"

/* The first entry per digest is what the signer writes; later ones are
 * aliases a verifier accepts (CryptoPro's urn: spelling of 34.11-94). */
static const struct digest_alg digests[] = {
    { "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-256", "md_gost12_256" },
    { "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-512", "md_gost12_512" },
    { "http://www.w3.org/2001/04/xmldsig-more#gostr3411", "md_gost94" },
    { "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr3411", "md_gost94" },
    { "http://www.w3.org/2001/04/xmlenc#sha256", "sha256" },
};

static const struct sig_alg sigs[] = {
    { "gost2012", "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-256",
      "md_gost12_256", "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-256",
      FAMILY_GOST2012_256, NID_id_GostR3410_2012_256 },
    { "gost2001", "http://www.w3.org/2001/04/xmldsig-more#gostr34102001-gostr3411",
      "md_gost94", "http://www.w3.org/2001/04/xmldsig-more#gostr3411",
      FAMILY_GOST2001, NID_id_GostR3410_2001 },
    { "rsa", "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
      "sha256", "http://www.w3.org/2001/04/xmlenc#sha256", FAMILY_RSA, EVP_PKEY_RSA },
    /* verify only */
    { NULL, "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-512",
      "md_gost12_512", "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-512",
      FAMILY_GOST2012_512, NID_id_GostR3410_2012_512 },
    { NULL, "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102001-gostr3411",
      "md_gost94", "http://www.w3.org/2001/04/xmldsig-more#gostr3411",
      FAMILY_GOST2001, NID_id_GostR3410_2001 },
};

#define COUNT(a) (sizeof(a) / sizeof *(a))

const struct digest_alg *digest_alg_by_uri(const char *uri)
{
    for (size_t i = 0; uri && i < COUNT(digests); i++)
        if (!strcmp(digests[i].uri, uri))
            return &digests[i];
    return NULL;
}

const struct digest_alg *digest_alg_by_md(const char *md)
{
    for (size_t i = 0; md && i < COUNT(digests); i++)
        if (!strcmp(digests[i].md, md))
            return &digests[i];
    return NULL;
}

const struct sig_alg *sig_alg_by_uri(const char *uri)
{
    for (size_t i = 0; uri && i < COUNT(sigs); i++)
        if (!strcmp(sigs[i].uri, uri))
            return &sigs[i];
    return NULL;
}

const struct sig_alg *sig_alg_by_name(const char *name)
{
    for (size_t i = 0; name && i < COUNT(sigs); i++)
        if (sigs[i].name && !strcmp(sigs[i].name, name))
            return &sigs[i];
    return NULL;
}

const struct digest_alg *cert_digest_by_name(const char *name, const struct sig_alg *alg)
{
    if (!name || !*name || !strcmp(name, "auto"))
        return alg ? digest_alg_by_md(alg->md) : NULL;
    if (!strcmp(name, "gost2012"))
        return digest_alg_by_md("md_gost12_256");
    if (!strcmp(name, "gost94"))
        return digest_alg_by_md("md_gost94");
    if (!strcmp(name, "sha256"))
        return digest_alg_by_md("sha256");
    return NULL;
}

char *b64_encode(const unsigned char *data, size_t len)
{
    char *out = xmalloc(4 * ((len + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    return out;
}

int b64_decode(const char *text, unsigned char **out, size_t *len)
{
    size_t n = strlen(text);
    if (n == 0 || n % 4 != 0 || n > 64u * 1024 * 1024)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char c = text[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '+' || c == '/' || (c == '=' && i >= n - 2);
        if (!ok)
            return -1;
    }
    if (text[n - 2] == '=' && text[n - 1] != '=')
        return -1;
    size_t pad = (text[n - 1] == '=') + (text[n - 2] == '=');
    unsigned char *buf = xmalloc(n / 4 * 3 + 1);
    int got = EVP_DecodeBlock(buf, (const unsigned char *)text, (int)n);
    if (got < 0 || (size_t)got < pad) {
        free(buf);
        return -1;
    }
    *out = buf;
    *len = (size_t)got - pad;
    return 0;
}
