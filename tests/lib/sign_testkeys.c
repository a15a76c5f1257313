#include "sign_testkeys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "testutil.h"
#include "base/crypto.h"
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "base/xmlsafe.h"

#define TK_SUBJECT "/C=RU/L=Moscow/O=Test \"Org\"/CN=hcsbatch test signer" \
                   "/emailAddress=signer@example.ru/INN=007707083893/OGRN=1027700132195"

char *tk_keydir_make(void)
{
    hcs_err err = { 0 };
    xmlsafe_init();
    assert_int_equal(crypto_gost_init(NULL, &err), 0);
    char *dir = tu_tmpdir();
    tk_make(dir, "gost2012");
    tk_make(dir, "gost2001");
    tk_make(dir, "rsa");
    return dir;
}

void tk_keydir_remove(char *dir)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    tu_run(cmd);
    free(cmd);
    free(dir);
}

/* alg: gost2012 | gost2001 | rsa.  Writes DIR/<alg>.key and DIR/<alg>.crt. */
void tk_make(const char *dir, const char *alg)
{
    const char *gen = !strcmp(alg, "gost2012") ? "-engine gost -algorithm gost2012_256 -pkeyopt paramset:A"
                    : !strcmp(alg, "gost2001") ? "-engine gost -algorithm gost2001 -pkeyopt paramset:A"
                                               : "-algorithm RSA -pkeyopt rsa_keygen_bits:2048";
    char *cmd = xasprintf("cd '%s' && openssl genpkey %s -out %s.key >/dev/null 2>&1 && chmod 600 %s.key && "
                          "openssl req -engine gost -new -x509 -key %s.key -out %s.crt -days 365 "
                          "-set_serial 0x2952b0a981d5d32bea650ae36df73cbd -subj '%s' >/dev/null 2>&1",
                          dir, gen, alg, alg, alg, alg, TK_SUBJECT);
    assert_int_equal(tu_run(cmd), 0);
    free(cmd);
}

/* DIR/<name>.crt for DIR/<alg>.key, valid from now+from_days to now+to_days. */
void tk_make_cert_validity(const char *dir, const char *alg, const char *name, long from_days, long to_days)
{
    char *kp = xasprintf("%s/%s.key", dir, alg);
    char *cp = xasprintf("%s/%s.crt", dir, name);
    FILE *f = fopen(kp, "r");
    assert_non_null(f);
    EVP_PKEY *pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(pkey);
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 4242);
    X509_gmtime_adj(X509_getm_notBefore(x), from_days * 86400L);
    X509_gmtime_adj(X509_getm_notAfter(x), to_days * 86400L);
    X509_NAME *nm = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_UTF8, (const unsigned char *)"validity test", -1, -1, 0);
    X509_set_issuer_name(x, nm);
    X509_set_pubkey(x, pkey);
    assert_true(X509_sign(x, pkey, strcmp(alg, "rsa") ? NULL : EVP_sha256()) > 0);
    f = fopen(cp, "w");
    assert_non_null(f);
    PEM_write_X509(f, x);
    fclose(f);
    X509_free(x);
    EVP_PKEY_free(pkey);
    free(kp);
    free(cp);
}

hcs_config *tk_config(const char *dir, const char *alg, const char *key_file, const char *cert_file)
{
    hcs_err err = { 0 };
    hcs_config *cfg = cfg_load(NULL, &err);
    assert_non_null(cfg);
    char *k = xasprintf("%s/%s", dir, key_file);
    assert_int_equal(cfg_set(cfg, "sign.key", k, &err), 0);
    free(k);
    if (cert_file) {
        char *c = xasprintf("%s/%s", dir, cert_file);
        assert_int_equal(cfg_set(cfg, "sign.cert", c, &err), 0);
        free(c);
    }
    assert_int_equal(cfg_set(cfg, "sign.alg", alg, &err), 0);
    return cfg;
}

/* A schema-valid importAccountData envelope built from the shared example
 * (Envelope also declares xsi, used nowhere in the body). Caller frees. */
char *tk_envelope(void)
{
    hcs_err err = { 0 };
    char *ex = xasprintf("%s/../gis/examples/importAccountData-typical.xml", tu_schemas_dir());
    char *body = file_read_all(ex, 1 << 20, NULL, &err);
    assert_non_null(body);
    char *start = strstr(body, "<hm:importAccountRequest");
    assert_non_null(start);
    char *env = xasprintf(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
        "xmlns:base=\"http://dom.gosuslugi.ru/schema/integration/base/\">\n"
        "  <soapenv:Header>\n    <base:RequestHeader>\n"
        "      <base:Date>2026-11-24T10:15:00.000+03:00</base:Date>\n"
        "      <base:MessageGUID>6f1c2a4e-7b7d-4c3e-9a51-0d3f3b9c1e22</base:MessageGUID>\n"
        "      <base:orgPPAGUID>c8913980-8cbb-4a46-bdac-7fecd98c7ff8</base:orgPPAGUID>\n"
        "    </base:RequestHeader>\n  </soapenv:Header>\n  <soapenv:Body>\n%s  </soapenv:Body>\n"
        "</soapenv:Envelope>\n", start);
    free(body);
    free(ex);
    return env;
}

char *tk_vectors_dir(void)
{
    return xasprintf("%s/../gis/signature-vectors", tu_schemas_dir());
}
