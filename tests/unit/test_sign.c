/* Unit tests for src/sign: the shared signature vectors, round trips for
 * GOST 2012, GOST 2001 and RSA (both SignedInfo canonicalizations), tamper
 * detection, the signature's exact structure, issuer-name formatting and
 * the engine's digests.  Keys are generated per run (sign_testkeys.h). */
#include "testutil.h"
#include "xml_check.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "base/xmlsafe.h"
#include "sign/algs.h"
#include "sign/c14n.h"
#include "base/crypto.h"
#include "sign/dn.h"
#include "sign/sign.h"
#include "sign/sigxml.h"
#include "proto/schema.h"

#include "sign_testkeys.h"

static char *keydir;

static int setup_keys(void **state)
{
    (void)state;
    keydir = tk_keydir_make();
    return 0;
}

static int teardown_keys(void **state)
{
    (void)state;
    tk_keydir_remove(keydir);
    return 0;
}

static const char *sigxml_attr_or_empty(xmlNodePtr el)
{
    const char *v = sigxml_attr(el, "Id");
    return v ? v : "";
}

static enum verify_status verify_text(const char *xml, schema_set *schemas, char *reason, size_t cap)
{
    hcs_err err = { 0 };
    xmlDocPtr doc = xmlsafe_parse(xml, strlen(xml), "test", &err);
    assert_non_null(doc);
    struct verify_result r;
    assert_int_equal(verify_document(doc, schemas, &r, &err), 0);
    if (reason)
        snprintf(reason, cap, "%s", r.status == VERIFY_OK ? r.schema_note : r.reason);
    xmlFreeDoc(doc);
    verify_result_clear(&r);
    return r.status;
}

/* Signs tk_envelope() with alg; returns the serialized document. */
static char *sign_envelope(const char *alg, const char *signedinfo_c14n)
{
    hcs_err err = { 0 };
    char *key = xasprintf("%s.key", alg), *crt = xasprintf("%s.crt", alg);
    hcs_config *cfg = tk_config(keydir, alg, key, crt);
    if (signedinfo_c14n)
        assert_int_equal(cfg_set(cfg, "sign.signedinfo_c14n", signedinfo_c14n, &err), 0);
    signer *s = signer_open(cfg, &err);
    if (!s)
        fail_msg("signer_open(%s): %s", alg, err.msg);
    assert_null(signer_warning(s));
    assert_in_range(signer_cert_days_left(s), 363, 365);
    char *env = tk_envelope();
    xmlDocPtr doc = xmlsafe_parse(env, strlen(env), "envelope", &err);
    assert_non_null(doc);
    assert_int_equal(signer_sign(s, doc, &err), 0);
    char *res = tu_doc_text(doc);
    xmlFreeDoc(doc);
    free(env);
    signer_free(s);
    cfg_free(cfg);
    free(key);
    free(crt);
    return res;
}

/* Replaces the first occurrence of from with to (must exist). */
static char *replace_once(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    if (!at)
        fail_msg("'%s' not found", from);
    return xasprintf("%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
}

static void test_engine_digests(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    /* GOST R 34.11-2012 (256) of the empty string (RFC 6986 / Streebog reference) */
    assert_int_equal(crypto_digest_hex("md_gost12_256", "", 0, hex, &err), 0);
    assert_string_equal(hex, "3f539a213e97c802cc229d474c6aa32a825a360b2a933a949fd925208d9ce1bb");
    /* GOST R 34.11-94, CryptoPro parameters, of "abc" */
    assert_int_equal(crypto_digest_hex("md_gost94", "abc", 3, hex, &err), 0);
    assert_string_equal(hex, "b285056dbf18d7392d7677369524dd14747459ed8143997e163b2986f92fd42c");
    assert_int_equal(crypto_digest_hex("sha256", "abc", 3, hex, &err), 0);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_null(crypto_md("md_nonexistent", &err));
    assert_int_equal(err.code, HCS_EX_CONFIG);
}

struct vector_case {
    const char *file;
    enum verify_status status;
    const char *reason;       /* substring of the reason (or of the schema note when OK) */
};

static void test_shared_vectors(void **state)
{
    (void)state;
    static const struct vector_case cases[] = {
        { "valid_gost2012.xml", VERIFY_OK, "base:version 13.1.1.6" },
        { "valid_gost2001.xml", VERIFY_OK, "schema not checked" },
        { "valid_rsa.xml", VERIFY_OK, "schema not checked" },
        { "valid_gost2012_inclusive_signedinfo.xml", VERIFY_OK, "schema not checked" },
        { "valid_gost2012_sp_exc_transform.xml", VERIFY_OK, "schema not checked" },
        { "gis-server-getStateResult-2016-gost2001.xml", VERIFY_OK,
          "schema not checked: namespace http://dom.gosuslugi.ru/schema/integration/8.7.2.2/house-management/" },
        { "bad_business_byte_changed.xml", VERIFY_BAD_DIGEST, "signed data was changed" },
        { "bad_newline_in_signedinfo.xml", VERIFY_BAD_FORMAT, "newline text node inside ds:Signature (in ds:SignedInfo)" },
        { "bad_signature_reversed.xml", VERIFY_BAD_SIGNATURE, "SignatureValue does not verify" },
        { "bad_signingtime_changed.xml", VERIFY_BAD_DIGEST, "(SignedProperties): digest mismatch" },
        { "bad_envelope_ns_added_after_signing.xml", VERIFY_BAD_DIGEST, "namespaces in scope changed" },
        { "unsigned_importAccountRequest.xml", VERIFY_NO_SIGNATURE, "not signed" },
    };
    hcs_err err = { 0 };
    schema_set *schemas = schema_set_open(tu_schemas_dir(), &err);
    assert_non_null(schemas);
    char *dir = tk_vectors_dir();
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *path = xasprintf("%s/%s", dir, cases[i].file);
        xmlDocPtr doc = xmlsafe_parse_file(path, &err);
        assert_non_null(doc);
        struct verify_result r;
        assert_int_equal(verify_document(doc, schemas, &r, &err), 0);
        const char *text = r.status == VERIFY_OK ? r.schema_note : r.reason;
        if (r.status != cases[i].status || !strstr(text, cases[i].reason))
            fail_msg("%s: status %s, '%s'; want %s, '%s'", cases[i].file, verify_status_name(r.status), text,
                     verify_status_name(cases[i].status), cases[i].reason);
        if (r.status == VERIFY_OK) {
            assert_non_null(r.cert);
            assert_non_null(r.signed_element);
            assert_string_equal(sigxml_attr_or_empty(r.signed_element), "signed-data-container");
            assert_true(r.signing_time > 0);
        }
        verify_result_clear(&r);
        xmlFreeDoc(doc);
        free(path);
    }
    free(dir);
    schema_set_free(schemas);
}

/* The exact shape GIS wants: first child of the container, no text nodes,
 * algorithm URIs, Reference order, Target, IssuerSerial in decimal. */
static void check_structure(const char *xml, const char *alg, const char *c14n_uri)
{
    const struct sig_alg *a = sig_alg_by_name(alg);
    assert_non_null(strstr(xml, "Id=\"signed-data-container\" base:version=\"10.0.1.1\"><ds:Signature "
                                "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" Id=\"xmldsig-"));
    char *want = xasprintf("<ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"%s\"/>"
                           "<ds:SignatureMethod Algorithm=\"%s\"/><ds:Reference Id=", c14n_uri, a->uri);
    assert_non_null(strstr(xml, want));
    free(want);
    assert_non_null(strstr(xml, "URI=\"#signed-data-container\"><ds:Transforms><ds:Transform Algorithm=\""
                                URI_ENVELOPED "\"/><ds:Transform Algorithm=\"" URI_EXC_C14N "\"/></ds:Transforms>"));
    want = xasprintf("-signedprops\"><ds:DigestMethod Algorithm=\"%s\"/><ds:DigestValue>", a->digest_uri);
    assert_non_null(strstr(xml, "<ds:Reference Type=\"" URI_SIGNED_PROPS "\" URI=\"#xmldsig-"));
    assert_non_null(strstr(xml, want));
    free(want);
    assert_non_null(strstr(xml, "</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>"));
    assert_non_null(strstr(xml, "<ds:Object><xades:QualifyingProperties xmlns:xades=\"" URI_XADES_NS
                                "\" Target=\"#xmldsig-"));
    /* issuer: RFC 2253 order, lowercase keywords, dotted OIDs, ',' without spaces */
    assert_non_null(strstr(xml, "<ds:X509IssuerName>1.2.643.100.1=1027700132195,1.2.643.3.131.1.1=007707083893,"
                                "1.2.840.113549.1.9.1=signer@example.ru,cn=hcsbatch test signer,"
                                "o=Test \\\"Org\\\",l=Moscow,c=RU</ds:X509IssuerName>"));
    assert_non_null(strstr(xml, "<ds:X509SerialNumber>54927699303413178955222486689445788861</ds:X509SerialNumber>"));
    /* CertDigest in the signature's family */
    want = xasprintf("<xades:CertDigest><ds:DigestMethod Algorithm=\"%s\"/>", a->digest_uri);
    assert_non_null(strstr(xml, want));
    free(want);
    /* SigningTime with offset */
    const char *st = strstr(xml, "<xades:SigningTime>");
    assert_non_null(st);
    assert_true(st[19 + 23] == '+' || st[19 + 23] == '-');
    /* no text nodes: the signature has no newline or space between tags */
    const char *sig = strstr(xml, "<ds:Signature ");
    const char *end = strstr(xml, "</ds:Signature>");
    assert_non_null(end);
    for (const char *p = sig; p < end; p++)
        if (*p == '\n' || *p == '\t' || *p == '\r' || (p[0] == '>' && p[1] == ' ') || (p[0] == ' ' && p[1] == '<'))
            fail_msg("whitespace inside ds:Signature near: %.40s", p);
}

static void round_trip(const char *alg)
{
    hcs_err err = { 0 };
    schema_set *schemas = schema_set_open(tu_schemas_dir(), &err);
    assert_non_null(schemas);
    char reason[600];

    char *xml = sign_envelope(alg, NULL);
    check_structure(xml, alg, URI_EXC_C14N);
    assert_int_equal(verify_text(xml, schemas, reason, sizeof reason), VERIFY_OK);
    assert_string_equal(reason, "");   /* schema checked, no note */

    char *inc = sign_envelope(alg, "inclusive");
    check_structure(inc, alg, URI_C14N);
    assert_int_equal(verify_text(inc, schemas, reason, sizeof reason), VERIFY_OK);

    /* tamper: a changed digit in the business data */
    char *t1 = replace_once(xml, "<hm:LivingPersonsNumber>3<", "<hm:LivingPersonsNumber>4<");
    assert_int_equal(verify_text(t1, schemas, reason, sizeof reason), VERIFY_BAD_DIGEST);
    assert_non_null(strstr(reason, "signed data was changed"));
    /* tamper: a namespace declaration moved out of the signed element's scope */
    char *t2a = replace_once(xml, " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"", "");
    char *t2 = replace_once(t2a, "<soapenv:Header>",
                            "<soapenv:Header xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">");
    assert_int_equal(verify_text(t2, schemas, reason, sizeof reason), VERIFY_BAD_DIGEST);
    assert_non_null(strstr(reason, "SignedProperties"));
    /* ... the same move under inclusive SignedInfo breaks SignedInfo too, but the
     * SignedProperties digest is checked first */
    char *t2i_a = replace_once(inc, " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"", "");
    char *t2i = replace_once(t2i_a, "<soapenv:Header>",
                             "<soapenv:Header xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">");
    assert_int_equal(verify_text(t2i, schemas, NULL, 0), VERIFY_BAD_DIGEST);
    /* tamper: a newline in SignedInfo */
    char *t3 = replace_once(xml, "<ds:SignedInfo>", "<ds:SignedInfo>\n");
    assert_int_equal(verify_text(t3, schemas, reason, sizeof reason), VERIFY_BAD_FORMAT);
    assert_non_null(strstr(reason, "ds:SignedInfo"));
    /* tamper: an attribute changed inside SignedInfo (digests fine, signature not) */
    char *t4 = replace_once(xml, "<ds:Reference Id=\"", "<ds:Reference Id=\"x");
    assert_int_equal(verify_text(t4, schemas, reason, sizeof reason), VERIFY_BAD_SIGNATURE);
    /* a renamed prefix inside the data changes its exclusive c14n */
    char *t5 = replace_once(xml, "<hm:isUOAccount>true</hm:isUOAccount>",
                            "<h:isUOAccount xmlns:h=\"http://dom.gosuslugi.ru/schema/integration/house-management/\">"
                            "true</h:isUOAccount>");
    assert_int_equal(verify_text(t5, schemas, NULL, 0), VERIFY_BAD_DIGEST);
    /* signature wrapping: the signed element moved away from the Body child */
    char *t7a = replace_once(xml, "<soapenv:Body>", "<soapenv:Body><wrapper>");
    char *t7 = replace_once(t7a, "</soapenv:Body>", "</wrapper></soapenv:Body>");
    assert_int_equal(verify_text(t7, schemas, reason, sizeof reason), VERIFY_BAD_FORMAT);
    assert_non_null(strstr(reason, "not the soap:Body child"));
    free(t7a); free(t7);
    /* pure re-indentation outside the signed element is harmless */
    char *t6 = replace_once(xml, "  <soapenv:Header>", "<soapenv:Header>");
    assert_int_equal(verify_text(t6, schemas, NULL, 0), VERIFY_OK);

    free(xml); free(inc); free(t1); free(t2a); free(t2); free(t2i_a); free(t2i);
    free(t3); free(t4); free(t5); free(t6);
    schema_set_free(schemas);
}

static void test_round_trip_gost2012(void **state) { (void)state; round_trip("gost2012"); }
static void test_round_trip_gost2001(void **state) { (void)state; round_trip("gost2001"); }
static void test_round_trip_rsa(void **state) { (void)state; round_trip("rsa"); }

static void test_schema_invalid_signed(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    schema_set *schemas = schema_set_open(tu_schemas_dir(), &err);
    assert_non_null(schemas);
    hcs_config *cfg = tk_config(keydir, "gost2012", "gost2012.key", "gost2012.crt");
    signer *s = signer_open(cfg, &err);
    assert_non_null(s);
    char *env = tk_envelope();
    char *bad = replace_once(env, "<hm:LivingPersonsNumber>3<", "<hm:LivingPersonsNumber>many<");
    xmlDocPtr doc = xmlsafe_parse(bad, strlen(bad), "bad", &err);
    assert_int_equal(signer_sign(s, doc, &err), 0);
    /* signing twice replaces the signature instead of nesting a second one */
    assert_int_equal(signer_sign(s, doc, &err), 0);
    struct verify_result r;
    assert_int_equal(verify_document(doc, schemas, &r, &err), 0);
    assert_int_equal(r.status, VERIFY_BAD_SCHEMA);
    assert_non_null(strstr(r.reason, "LivingPersonsNumber"));
    verify_result_clear(&r);
    /* without schemas the same document verifies cryptographically */
    assert_int_equal(verify_document(doc, NULL, &r, &err), 0);
    assert_int_equal(r.status, VERIFY_OK);
    verify_result_clear(&r);
    xmlFreeDoc(doc);
    free(bad); free(env);
    signer_free(s);
    cfg_free(cfg);
    schema_set_free(schemas);
}

static void test_cert_digest_option(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    hcs_config *cfg = tk_config(keydir, "gost2012", "gost2012.key", "gost2012.crt");
    assert_int_equal(cfg_set(cfg, "sign.cert_digest", "gost94", &err), 0);
    signer *s = signer_open(cfg, &err);
    assert_non_null(s);
    char *env = tk_envelope();
    xmlDocPtr doc = xmlsafe_parse(env, strlen(env), "e", &err);
    assert_int_equal(signer_sign(s, doc, &err), 0);
    xmlChar *out = NULL;
    int len = 0;
    xmlDocDumpMemory(doc, &out, &len);
    assert_non_null(strstr((char *)out, "<xades:CertDigest><ds:DigestMethod Algorithm=\""
                                        "http://www.w3.org/2001/04/xmldsig-more#gostr3411\"/>"));
    assert_int_equal(verify_text((char *)out, NULL, NULL, 0), VERIFY_OK);
    xmlFree(out);
    xmlFreeDoc(doc);
    free(env);
    signer_free(s);
    assert_int_equal(cfg_set(cfg, "sign.cert_digest", "md5", &err), 0);
    assert_null(signer_open(cfg, &err));
    assert_int_equal(err.code, HCS_EX_CONFIG);
    assert_int_equal(cfg_set(cfg, "sign.cert_digest", "auto", &err), 0);
    assert_int_equal(cfg_set(cfg, "sign.alg", "rsa", &err), 0);   /* GOST key, RSA alg */
    assert_null(signer_open(cfg, &err));
    assert_non_null(strstr(err.msg, "needs a RSA key"));
    cfg_free(cfg);
}

static void test_dn_format_and_match(void **state)
{
    (void)state;
    char *path = xasprintf("%s/gost2012.crt", keydir);
    FILE *f = fopen(path, "r");
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    free(path);
    assert_non_null(x);
    const X509_NAME *nm = X509_get_issuer_name(x);
    char *s = dn_format_rfc2253(nm);
    assert_string_equal(s, "1.2.643.100.1=1027700132195,1.2.643.3.131.1.1=007707083893,"
                           "1.2.840.113549.1.9.1=signer@example.ru,cn=hcsbatch test signer,"
                           "o=Test \\\"Org\\\",l=Moscow,c=RU");
    assert_true(dn_matches(s, nm));
    /* other signers' spellings of the same name */
    assert_true(dn_matches("OGRN=1027700132195, INN=007707083893, E=signer@example.ru, CN=hcsbatch test signer,"
                           " O=Test \\22Org\\22, L=Moscow, C=RU", nm));
    assert_false(dn_matches("1.2.643.100.1=1027700132195,1.2.643.3.131.1.1=007707083893,"
                            "1.2.840.113549.1.9.1=signer@example.ru,cn=hcsbatch test signer,"
                            "o=Test \\\"Org\\\",l=Moskva,c=RU", nm));
    assert_false(dn_matches("c=RU,l=Moscow,o=Test \\\"Org\\\",cn=hcsbatch test signer,"
                            "1.2.840.113549.1.9.1=signer@example.ru,1.2.643.3.131.1.1=007707083893,"
                            "1.2.643.100.1=1027700132195", nm));   /* X.500 order is not RFC 2253 */
    assert_false(dn_matches("", nm));
    free(s);
    X509_free(x);
}

/* Malformed signatures are refused with the right status and a reason
 * naming the problem (and nothing crashes on them). */
static void test_malformed(void **state)
{
    (void)state;
    char *xml = sign_envelope("rsa", NULL);
    struct { const char *from, *to; enum verify_status st; const char *reason; } cases[] = {
        { "<ds:KeyInfo><ds:X509Data>", "<ds:KeyInfo><ds:KeyName/><ds:X509Data>", VERIFY_BAD_FORMAT,
          "ds:KeyInfo must hold X509Data/X509Certificate" },
        { "<ds:X509Certificate>M", "<ds:X509Certificate>*", VERIFY_BAD_CERT, "X509Certificate is not base64" },
        { "<ds:X509Certificate>MII", "<ds:X509Certificate>AAA", VERIFY_BAD_CERT, "not a DER certificate" },
        { "xmldsig-more#rsa-sha256", "xmldsig-more#rsa-sha512", VERIFY_BAD_FORMAT, "unknown SignatureMethod" },
        { "enveloped-signature\"/>", "enveloped-signature\"/><ds:Transform Algorithm=\"urn:x\"/>",
          VERIFY_BAD_FORMAT, "unsupported transform urn:x" },
        { "URI=\"#signed-data-container\"", "URI=\"#nowhere\"", VERIFY_BAD_FORMAT, "points at no element" },
        { "<hm:Account>", "<hm:Account Id=\"signed-data-container\">", VERIFY_BAD_FORMAT, "occurs 2 times" },
        { "<ds:SignatureValue", "<!-- x --><ds:SignatureValue", VERIFY_BAD_FORMAT, "comment" },
        { "Target=\"#xmldsig-", "Target=\"#other-", VERIFY_BAD_FORMAT, "Target" },
        { "<ds:X509SerialNumber>5", "<ds:X509SerialNumber>6", VERIFY_BAD_DIGEST, "SignedProperties" },
        { "<xades:SigningTime>", "<xades:SigningTime> ", VERIFY_BAD_FORMAT, "whitespace inside the value" },
        { "</ds:Signature>", "</ds:Signature><ds:Signature xmlns:ds=\"" URI_DSIG_NS "\"/>",
          VERIFY_BAD_FORMAT, "2 ds:Signature elements" },
        { "base:version=\"10.0.1.1\"><ds:Signature", "base:version=\"10.0.1.1\"><hm:x/><ds:Signature",
          VERIFY_BAD_FORMAT, "not the first child" },
        { "<ds:Transform Algorithm=\"" URI_ENVELOPED "\"/>", "", VERIFY_BAD_FORMAT,
          "lacks the enveloped-signature transform" },
        { "<ds:CanonicalizationMethod Algorithm=\"" URI_EXC_C14N "\"/>",
          "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2006/12/xml-c14n11\"/>",
          VERIFY_BAD_FORMAT, "unsupported CanonicalizationMethod" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *t = replace_once(xml, cases[i].from, cases[i].to);
        char reason[600];
        enum verify_status st = verify_text(t, NULL, reason, sizeof reason);
        if (st != cases[i].st || !strstr(reason, cases[i].reason))
            fail_msg("case %zu (%s): %s '%s'; want %s '%s'", i, cases[i].to, verify_status_name(st), reason,
                     verify_status_name(cases[i].st), cases[i].reason);
        free(t);
    }
    free(xml);
}

/* signer_sign_begin/_end give the same verifiable result, and one signer
 * serves several threads at once. */
struct thread_arg {
    signer *s;
    const char *env;
    int ok;
};

static void *sign_many(void *p)
{
    struct thread_arg *a = p;
    hcs_err err = { 0 };
    for (int i = 0; i < 8; i++) {
        xmlDocPtr doc = xmlsafe_parse(a->env, strlen(a->env), "t", &err);
        int rc = doc ? signer_sign(a->s, doc, &err) : -1;
        struct verify_result r;
        if (rc == 0 && verify_document(doc, NULL, &r, &err) == 0 && r.status == VERIFY_OK)
            a->ok++;
        if (rc == 0)
            verify_result_clear(&r);
        xmlFreeDoc(doc);
    }
    return NULL;
}

static void test_two_step_and_threads(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    hcs_config *cfg = tk_config(keydir, "gost2012", "gost2012.key", "gost2012.crt");
    signer *s = signer_open(cfg, &err);
    assert_non_null(s);
    char *env = tk_envelope();
    xmlDocPtr d1 = xmlsafe_parse(env, strlen(env), "1", &err);
    xmlDocPtr d2 = xmlsafe_parse(env, strlen(env), "2", &err);
    sign_job *j1 = signer_sign_begin(s, d1, &err);
    sign_job *j2 = signer_sign_begin(s, d2, &err);
    assert_non_null(j1);
    assert_non_null(j2);
    assert_int_equal(signer_sign_end(j2, &err), 0);
    assert_int_equal(signer_sign_end(j1, &err), 0);
    struct verify_result r;
    assert_int_equal(verify_document(d1, NULL, &r, &err), 0);
    assert_int_equal(r.status, VERIFY_OK);
    verify_result_clear(&r);
    assert_int_equal(verify_document(d2, NULL, &r, &err), 0);
    assert_int_equal(r.status, VERIFY_OK);
    verify_result_clear(&r);
    xmlFreeDoc(d1);
    xmlFreeDoc(d2);
    /* no container: begin fails cleanly */
    xmlDocPtr bare = xmlsafe_parse("<a/>", 4, "bare", &err);
    assert_null(signer_sign_begin(s, bare, &err));
    assert_non_null(strstr(err.msg, "signed-data-container"));
    xmlFreeDoc(bare);

    pthread_t th[4];
    struct thread_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct thread_arg){ s, env, 0 };
        assert_int_equal(pthread_create(&th[i], NULL, sign_many, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].ok, 8);
    }
    free(env);
    signer_free(s);
    cfg_free(cfg);
}

/* The signer's shortcut (c14n of an isolated copy) must give the very
 * bytes of the node-set walk, for every subtree and both kinds. */
static void assert_isolated_same(xmlNodePtr apex, enum c14n_kind kind, xmlChar **prefixes)
{
    hcs_err err = { 0 };
    strbuf walk = STRBUF_INIT, alone = STRBUF_INIT;
    struct c14n_spec a = { kind, apex, NULL, prefixes, 0 }, b = { kind, apex, NULL, prefixes, 1 };
    assert_int_equal(c14n_to_buffer(&a, &walk, &err), 0);
    assert_int_equal(c14n_to_buffer(&b, &alone, &err), 0);
    if (walk.len != alone.len || memcmp(sb_str(&walk), sb_str(&alone), walk.len))
        fail_msg("<%s> kind %d:\n walk:  %s\n alone: %s", apex->name, kind, sb_str(&walk), sb_str(&alone));
    sb_free(&walk);
    sb_free(&alone);
}

static void test_isolated_c14n_equivalence(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    char *dir = tk_vectors_dir();
    const char *files[] = { "gis-server-getStateResult-2016-gost2001.xml", "valid_gost2012.xml", NULL };
    char *own = sign_envelope("gost2012", NULL);
    /* a default namespace, an undeclared-then-redeclared prefix and an xml:lang
     * (inherited by inclusive c14n) around a signed document */
    const char *odd = "<r xmlns=\"urn:d\" xmlns:p=\"urn:p\" xml:lang=\"ru\"><a xmlns:q=\"urn:q\">"
                      "<p:b xmlns=\"\" q:x=\"1\"><c xmlns:p=\"urn:p2\"><p:d/></c></p:b></a></r>";
    for (int i = 0; i < 4; i++) {
        xmlDocPtr doc;
        if (i < 2) {
            char *path = xasprintf("%s/%s", dir, files[i]);
            doc = xmlsafe_parse_file(path, &err);
            free(path);
        } else {
            const char *t = i == 2 ? own : odd;
            doc = xmlsafe_parse(t, strlen(t), "t", &err);
        }
        assert_non_null(doc);
        xmlNodePtr root = xmlDocGetRootElement(doc);
        xmlChar *list[] = { BAD_CAST "p", BAD_CAST "#default", NULL };
        for (xmlNodePtr el = root; el; el = sigxml_next_element(el, root, 0)) {
            assert_isolated_same(el, C14N_INCLUSIVE, NULL);
            assert_isolated_same(el, C14N_EXCLUSIVE, NULL);
            assert_isolated_same(el, C14N_EXCLUSIVE, list);
        }
        xmlFreeDoc(doc);
    }
    free(own);
    free(dir);
}

static void test_dump_part(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    char *xml = sign_envelope("gost2012", NULL);
    xmlDocPtr doc = xmlsafe_parse(xml, strlen(xml), "x", &err);
    strbuf sb = STRBUF_INIT;
    assert_int_equal(verify_dump_part(doc, SIG_PART_SIGNEDINFO, &sb, &err), 0);
    const char *si_head = "<ds:SignedInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:Canon";
    assert_true(!strncmp(sb_str(&sb), si_head, strlen(si_head)));
    sb_reset(&sb);
    assert_int_equal(verify_dump_part(doc, SIG_PART_DATA, &sb, &err), 0);
    assert_null(strstr(sb_str(&sb), "Signature"));   /* enveloped-signature applied */
    const char *data_head = "<hm:importAccountRequest xmlns:base=";
    assert_true(!strncmp(sb_str(&sb), data_head, strlen(data_head)));
    sb_reset(&sb);
    assert_int_equal(verify_dump_part(doc, SIG_PART_SIGNED_PROPERTIES, &sb, &err), 0);
    /* inclusive: every namespace in scope, xsi included */
    assert_non_null(strstr(sb_str(&sb), "xmlns:xsi="));
    sb_free(&sb);
    xmlFreeDoc(doc);
    free(xml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engine_digests),
        cmocka_unit_test(test_shared_vectors),
        cmocka_unit_test(test_round_trip_gost2012),
        cmocka_unit_test(test_round_trip_gost2001),
        cmocka_unit_test(test_round_trip_rsa),
        cmocka_unit_test(test_schema_invalid_signed),
        cmocka_unit_test(test_cert_digest_option),
        cmocka_unit_test(test_dn_format_and_match),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_two_step_and_threads),
        cmocka_unit_test(test_isolated_c14n_equivalence),
        cmocka_unit_test(test_dump_part),
    };
    int rc = cmocka_run_group_tests(tests, setup_keys, teardown_keys);
    xmlCleanupParser();
    return rc;
}
