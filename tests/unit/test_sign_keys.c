/* Unit tests for src/sign key handling: encrypted PEM with the passphrase
 * from a file or an environment variable, PKCS#12, a key that does not
 * match the certificate, expired / not-yet-valid / nearly expired
 * certificates, and the file-permission warning. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/xalloc.h"
#include "base/xmlsafe.h"
#include "base/crypto.h"
#include "sign/sign.h"

#include "sign_testkeys.h"

#define PASSPHRASE "correct horse battery"

static char *keydir;

static int setup_keys(void **state)
{
    (void)state;
    keydir = tk_keydir_make();
    char *pass = xasprintf("%s/pass.txt", keydir);
    tu_write_str(pass, PASSPHRASE "\n");
    chmod(pass, 0600);
    free(pass);
    /* the passphrase reaches openssl through a file, never argv */
    char *cmd = xasprintf("cd '%s' && openssl pkcs8 -engine gost -topk8 -in gost2012.key -out enc.key "
                          "-passout file:pass.txt >/dev/null 2>&1 && "
                          "openssl pkcs12 -engine gost -export -inkey gost2012.key -in gost2012.crt -out k.p12 "
                          "-passout file:pass.txt >/dev/null 2>&1 && "
                          "openssl pkcs12 -export -inkey rsa.key -in rsa.crt -out rsa.pfx "
                          "-passout file:pass.txt >/dev/null 2>&1 && chmod 600 enc.key k.p12 rsa.pfx", keydir);
    assert_int_equal(tu_run(cmd), 0);
    free(cmd);
    tk_make_cert_validity(keydir, "rsa", "expired", -400, -1);
    tk_make_cert_validity(keydir, "rsa", "future", 2, 400);
    tk_make_cert_validity(keydir, "rsa", "soon", -30, 10);
    return 0;
}

static int teardown_keys(void **state)
{
    (void)state;
    tk_keydir_remove(keydir);
    return 0;
}

/* Opens a signer and signs + verifies a packet with it. */
static void assert_signs(hcs_config *cfg)
{
    hcs_err err = { 0 };
    signer *s = signer_open(cfg, &err);
    if (!s)
        fail_msg("signer_open: %s", err.msg);
    char *env = tk_envelope();
    xmlDocPtr doc = xmlsafe_parse(env, strlen(env), "e", &err);
    assert_int_equal(signer_sign(s, doc, &err), 0);
    struct verify_result r;
    assert_int_equal(verify_document(doc, NULL, &r, &err), 0);
    assert_int_equal(r.status, VERIFY_OK);
    assert_int_equal(X509_cmp(r.cert, signer_cert(s)), 0);
    verify_result_clear(&r);
    xmlFreeDoc(doc);
    free(env);
    signer_free(s);
}

static void expect_refusal(hcs_config *cfg, const char *needle)
{
    hcs_err err = { 0 };
    signer *s = signer_open(cfg, &err);
    if (s)
        fail_msg("signer_open accepted what it should refuse (%s)", needle);
    assert_int_equal(err.code, HCS_EX_CONFIG);
    if (!strstr(err.msg, needle))
        fail_msg("'%s' does not mention '%s'", err.msg, needle);
    assert_null(strstr(err.msg, PASSPHRASE));
}

static void test_encrypted_pem(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    hcs_config *cfg = tk_config(keydir, "gost2012", "enc.key", "gost2012.crt");
    expect_refusal(cfg, "is encrypted: set sign.pass_file or sign.pass_env");

    char *pf = xasprintf("%s/pass.txt", keydir);
    assert_int_equal(cfg_set(cfg, "sign.pass_file", pf, &err), 0);
    assert_signs(cfg);

    char *wrong = xasprintf("%s/wrong.txt", keydir);
    tu_write_str(wrong, "not it\n");
    chmod(wrong, 0600);
    assert_int_equal(cfg_set(cfg, "sign.pass_file", wrong, &err), 0);
    expect_refusal(cfg, "wrong passphrase");
    cfg_free(cfg);

    cfg = tk_config(keydir, "gost2012", "enc.key", "gost2012.crt");
    assert_int_equal(cfg_set(cfg, "sign.pass_env", "HCS_TEST_SIGN_PASS", &err), 0);
    unsetenv("HCS_TEST_SIGN_PASS");
    expect_refusal(cfg, "HCS_TEST_SIGN_PASS, which is not set");
    setenv("HCS_TEST_SIGN_PASS", PASSPHRASE, 1);
    assert_signs(cfg);
    unsetenv("HCS_TEST_SIGN_PASS");
    cfg_free(cfg);
    free(pf);
    free(wrong);
}

static void test_pkcs12(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    char *pf = xasprintf("%s/pass.txt", keydir);
    hcs_config *cfg = tk_config(keydir, "gost2012", "k.p12", NULL);
    expect_refusal(cfg, "set sign.pass_file or sign.pass_env");
    assert_int_equal(cfg_set(cfg, "sign.pass_file", pf, &err), 0);
    assert_signs(cfg);
    cfg_free(cfg);

    cfg = tk_config(keydir, "rsa", "rsa.pfx", NULL);
    assert_int_equal(cfg_set(cfg, "sign.pass_file", pf, &err), 0);
    assert_signs(cfg);
    cfg_free(cfg);
    free(pf);
}

static void test_mismatch_and_validity(void **state)
{
    (void)state;
    hcs_config *cfg = tk_config(keydir, "gost2012", "gost2012.key", "gost2001.crt");
    expect_refusal(cfg, "does not match the certificate");
    cfg_free(cfg);
    cfg = tk_config(keydir, "rsa", "rsa.key", "gost2012.crt");
    expect_refusal(cfg, "does not match the certificate");
    cfg_free(cfg);
    cfg = tk_config(keydir, "rsa", "rsa.key", "expired.crt");
    expect_refusal(cfg, "has expired");
    cfg_free(cfg);
    cfg = tk_config(keydir, "rsa", "rsa.key", "future.crt");
    expect_refusal(cfg, "not valid yet");
    cfg_free(cfg);
    cfg = tk_config(keydir, "rsa", "rsa.key", NULL);
    expect_refusal(cfg, "no signing certificate");
    cfg_free(cfg);
    /* one PEM file holding both the key and the certificate needs no sign.cert */
    char *cmd = xasprintf("cd '%s' && cat rsa.key rsa.crt > both.pem && chmod 600 both.pem", keydir);
    assert_int_equal(tu_run(cmd), 0);
    free(cmd);
    cfg = tk_config(keydir, "rsa", "both.pem", NULL);
    assert_signs(cfg);
    cfg_free(cfg);
    cfg = tk_config(keydir, "rsa", "missing.key", "rsa.crt");
    expect_refusal(cfg, "missing.key");
    cfg_free(cfg);
    cfg = tk_config(keydir, "rsa", "rsa.crt", "rsa.crt");   /* a certificate is no key */
    expect_refusal(cfg, "no readable private key");
    cfg_free(cfg);
}

static void test_warnings(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    hcs_config *cfg = tk_config(keydir, "rsa", "rsa.key", "soon.crt");
    signer *s = signer_open(cfg, &err);
    assert_non_null(s);
    assert_in_range(signer_cert_days_left(s), 9, 10);
    assert_non_null(signer_warning(s));
    assert_non_null(strstr(signer_warning(s), "expires in"));
    assert_null(strstr(signer_warning(s), "readable"));
    signer_free(s);
    cfg_free(cfg);

    char *key = xasprintf("%s/rsa.key", keydir);
    chmod(key, 0644);
    cfg = tk_config(keydir, "rsa", "rsa.key", "rsa.crt");
    s = signer_open(cfg, &err);
    assert_non_null(s);
    assert_non_null(signer_warning(s));
    assert_non_null(strstr(signer_warning(s), "readable by others"));
    assert_null(strstr(signer_warning(s), "expires"));
    signer_free(s);
    chmod(key, 0640);
    s = signer_open(cfg, &err);
    assert_non_null(strstr(signer_warning(s), "readable by its group"));
    signer_free(s);
    chmod(key, 0600);
    s = signer_open(cfg, &err);
    assert_null(signer_warning(s));
    signer_free(s);
    cfg_free(cfg);
    free(key);
}

static void test_bad_options(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    hcs_config *cfg = tk_config(keydir, "gost2012", "gost2012.key", "gost2012.crt");
    assert_int_equal(cfg_set(cfg, "sign.signedinfo_c14n", "c14n11", &err), 0);
    expect_refusal(cfg, "signedinfo_c14n");
    cfg_free(cfg);
    cfg = tk_config(keydir, "dsa", "gost2012.key", "gost2012.crt");
    expect_refusal(cfg, "sign.alg=dsa");
    cfg_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encrypted_pem),
        cmocka_unit_test(test_pkcs12),
        cmocka_unit_test(test_mismatch_and_validity),
        cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_bad_options),
    };
    int rc = cmocka_run_group_tests(tests, setup_keys, teardown_keys);
    xmlCleanupParser();
    return rc;
}
