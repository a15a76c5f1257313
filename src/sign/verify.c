/* verify — checks an enveloped XAdES-BES signature the way GIS does.
 *
 * Order of checks (the first failure is reported): a signature exists;
 * structure and "no text nodes inside ds:Signature"; algorithms known; the
 * embedded certificate parses; the data Reference digest; the
 * SignedProperties Reference digest; SignatureValue over canonical
 * SignedInfo; XAdES CertDigest and IssuerSerial; the certificate was valid
 * at SigningTime; finally schema validity of the signed element when its
 * namespace belongs to the configured schema set.  Each canonical byte
 * stream is produced once and fed straight into its digest. */
#include "sign/sign.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "base/xalloc.h"
#include "sign/algs.h"
#include "sign/c14n.h"
#include "base/crypto.h"
#include "sign/dn.h"
#include "sign/sigxml.h"
#include "sign/verify_parse.h"
#include "proto/operations.h"

/* --- cryptographic checks --- */

static void ref_spec(const struct parsed_sig *ps, const struct parsed_ref *ref, struct c14n_spec *spec)
{
    spec->kind = ref->kind;
    spec->apex = ref->target;
    spec->exclude = ref->enveloped ? ps->sig : NULL;
    spec->prefixes = ref->prefixes;
    spec->isolated = 0;   /* the verifier walks the node set: the reference the signer's shortcut is tested against */
}

static int check_digest(const struct parsed_sig *ps, const struct parsed_ref *ref, const char *what,
                        struct verify_result *r, hcs_err *err)
{
    const EVP_MD *md = crypto_md(ref->dalg->md, err);
    if (!md)
        return -1;
    unsigned char got[EVP_MAX_MD_SIZE], *want = NULL;
    size_t want_len = 0;
    if (!ref->digest_b64 || b64_decode(ref->digest_b64, &want, &want_len) < 0)
        return verify_fail(r, VERIFY_BAD_FORMAT, "Reference %s: DigestValue is not base64", ref->uri);
    struct c14n_spec spec;
    ref_spec(ps, ref, &spec);
    unsigned int got_len = 0;
    int rc = c14n_digest(&spec, md, got, &got_len, err);
    if (rc == 0 && (got_len != want_len || CRYPTO_memcmp(want, got, got_len)))
        rc = verify_fail(r, VERIFY_BAD_DIGEST, "Reference %s (%s): digest mismatch: %s", ref->uri, what,
                  ref == &ps->data ? "the signed data was changed after signing"
                                   : "SignedProperties (SigningTime, certificate reference) or the namespaces in scope changed after signing");
    free(want);
    return rc;
}

static int verify_sink(void *ctx, const void *data, size_t len)
{
    return EVP_DigestVerifyUpdate(ctx, data, len) ? 0 : -1;
}

static int check_signature_value(const struct parsed_sig *ps, X509 *cert, struct verify_result *r, hcs_err *err)
{
    EVP_PKEY *pkey = X509_get0_pubkey(cert);
    if (!pkey) {
        ERR_clear_error();
        return verify_fail(r, VERIFY_BAD_CERT, "the embedded certificate's public key is unreadable");
    }
    if (EVP_PKEY_get_id(pkey) != ps->alg->pkey_nid)
        return verify_fail(r, VERIFY_BAD_SIGNATURE, "SignatureMethod %s does not fit the certificate's key type",
                    ps->alg->uri);
    unsigned char *sig = NULL;
    size_t siglen = 0;
    const char *text = verify_text_of(ps->sig_value);
    if (!text || b64_decode(text, &sig, &siglen) < 0)
        return verify_fail(r, VERIFY_BAD_FORMAT, "SignatureValue is not base64");
    const EVP_MD *md = crypto_md(ps->alg->md, err);
    EVP_MD_CTX *ctx = md ? EVP_MD_CTX_new() : NULL;
    int rc = md ? 0 : -1;
    if (ctx && !EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey))
        rc = hcs_fail(err, HCS_EX_SOFTWARE, "cannot start verifying %s", ps->alg->uri);
    if (ctx && rc == 0) {
        struct c14n_spec spec = { ps->si_kind, ps->signed_info, NULL, NULL, 0 };
        rc = c14n_stream(&spec, verify_sink, ctx, err);
        if (rc == 0 && EVP_DigestVerifyFinal(ctx, sig, siglen) != 1)
            rc = verify_fail(r, VERIFY_BAD_SIGNATURE, "SignatureValue does not verify with the embedded certificate "
                      "over the canonical SignedInfo");
    }
    ERR_clear_error();
    EVP_MD_CTX_free(ctx);
    free(sig);
    return rc;
}

static int check_cert_digest(const struct parsed_sig *ps, X509 *cert, struct verify_result *r, hcs_err *err)
{
    const char *uri = sigxml_attr(ps->cert_digest_method, "Algorithm");
    const struct digest_alg *da = digest_alg_by_uri(uri);
    if (!da)
        return verify_fail(r, VERIFY_BAD_FORMAT, "CertDigest: unknown DigestMethod %s", uri ? uri : "(none)");
    const EVP_MD *md = crypto_md(da->md, err);
    if (!md)
        return -1;
    unsigned char *der = NULL, got[EVP_MAX_MD_SIZE], *want = NULL;
    unsigned int got_len = 0;
    size_t want_len = 0;
    int n = i2d_X509(cert, &der);
    int ok = n > 0 && EVP_Digest(der, (size_t)n, got, &got_len, md, NULL);
    OPENSSL_free(der);
    if (!ok)
        return hcs_fail(err, HCS_EX_SOFTWARE, "certificate digest failed");
    const char *text = verify_text_of(ps->cert_digest_value);
    if (!text || b64_decode(text, &want, &want_len) < 0)
        return verify_fail(r, VERIFY_BAD_FORMAT, "CertDigest DigestValue is not base64");
    int rc = 0;
    if (want_len != got_len || CRYPTO_memcmp(want, got, got_len))
        rc = verify_fail(r, VERIFY_BAD_CERT, "xades:CertDigest does not match the embedded certificate");
    free(want);
    return rc;
}

static int check_issuer_serial(const struct parsed_sig *ps, X509 *cert, struct verify_result *r)
{
    const char *issuer = verify_text_of(ps->issuer_name);
    if (!issuer || !dn_matches(issuer, X509_get_issuer_name(cert))) {
        char *want = dn_format_rfc2253(X509_get_issuer_name(cert));
        verify_fail(r, VERIFY_BAD_CERT, "X509IssuerName \"%.150s\" does not match the certificate issuer \"%.150s\"",
             issuer ? issuer : "", want ? want : "?");
        free(want);
        return 1;
    }
    const char *serial = verify_text_of(ps->serial);
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
    char *dec = bn ? BN_bn2dec(bn) : NULL;
    int rc = 0;
    if (!serial || !dec || strcmp(serial, dec))
        rc = verify_fail(r, VERIFY_BAD_CERT, "X509SerialNumber %.60s does not match the certificate serial %.60s (decimal)",
                  serial ? serial : "", dec ? dec : "?");
    BN_free(bn);
    OPENSSL_free(dec);
    return rc;
}

/* xs:dateTime with optional fraction and offset ("Z", "+03:00"). */
static int parse_datetime(const char *s, time_t *out)
{
    struct tm tm = { 0 };
    int n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &n) != 6)
        return -1;
    const char *p = s + n;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return -1;
        while (isdigit((unsigned char)*p))
            p++;
    }
    long off = 0;
    if (*p == '+' || *p == '-') {
        int hh, mm;
        if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2 || strlen(p) != 6)
            return -1;
        off = (hh * 60L + mm) * 60L * (*p == '-' ? -1 : 1);
    } else if (*p == 'Z') {
        if (p[1])
            return -1;
    } else if (*p) {
        return -1;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    if (t == (time_t)-1)
        return -1;
    *out = t - off;
    return 0;
}

static int check_cert_time(const struct parsed_sig *ps, X509 *cert, struct verify_result *r)
{
    const char *text = verify_text_of(ps->signing_time);
    time_t t;
    if (!text || parse_datetime(text, &t) < 0)
        return verify_fail(r, VERIFY_BAD_FORMAT, "xades:SigningTime \"%.60s\" is not an xs:dateTime", text ? text : "");
    r->signing_time = t;
    if (X509_cmp_time(X509_get0_notBefore(cert), &t) > 0 || X509_cmp_time(X509_get0_notAfter(cert), &t) < 0)
        return verify_fail(r, VERIFY_BAD_CERT, "the certificate was not valid at SigningTime %s", text);
    return 0;
}

static int load_cert(const struct parsed_sig *ps, struct verify_result *r)
{
    const char *text = verify_text_of(ps->cert_el);
    unsigned char *der = NULL;
    size_t len = 0;
    if (!text || b64_decode(text, &der, &len) < 0)
        return verify_fail(r, VERIFY_BAD_CERT, "X509Certificate is not base64");
    const unsigned char *p = der;
    r->cert = d2i_X509(NULL, &p, (long)len);
    int whole = r->cert && p == der + len;
    free(der);
    ERR_clear_error();
    if (!whole)
        return verify_fail(r, VERIFY_BAD_CERT, "X509Certificate is not a DER certificate");
    return 0;
}

/* --- schema --- */

struct first_error {
    char msg[300];
    int line;
};

static void remember_first(void *ctx, xmlNodePtr node, int line, const char *message)
{
    struct first_error *fe = ctx;
    (void)node;
    if (!fe->msg[0]) {
        snprintf(fe->msg, sizeof fe->msg, "%s", message);
        fe->line = line;
    }
}

static int check_schema(xmlNodePtr signed_el, schema_set *schemas, struct verify_result *r, hcs_err *err)
{
    const char *ns = signed_el->ns ? (const char *)signed_el->ns->href : "";
    if (!schemas)
        return 0;
    if (!schema_knows_ns(schemas, ns)) {
        snprintf(r->schema_note, sizeof r->schema_note, "schema not checked: namespace %s", ns);
        return 0;
    }
    /* Newer formats keep the namespace and change the fixed base:version:
     * an envelope of another version cannot be judged by this package. */
    const struct gis_operation *op = gis_operation_by_element(ns, (const char *)signed_el->name);
    const char *fixed = op ? schema_fixed_version(schemas, op->service, op->request_element) : NULL;
    xmlChar *version = xmlGetNsProp(signed_el, BAD_CAST "version", BAD_CAST NS_BASE);
    if (fixed && version && strcmp((const char *)version, fixed)) {
        snprintf(r->schema_note, sizeof r->schema_note,
                 "schema not checked: namespace %s, base:version %s (the schema package fixes %s)",
                 ns, (const char *)version, fixed);
        xmlFree(version);
        return 0;
    }
    xmlFree(version);
    struct first_error fe = { "", 0 };
    int rc = schema_validate_element(schemas, signed_el, remember_first, &fe, err);
    if (rc < 0)
        return -1;
    if (rc == 1)
        return verify_fail(r, VERIFY_BAD_SCHEMA, "not schema-valid: line %d: %s", fe.line, fe.msg);
    return 0;
}

int verify_document(xmlDocPtr doc, schema_set *schemas, struct verify_result *r, hcs_err *err)
{
    memset(r, 0, sizeof *r);
    struct parsed_sig ps = { 0 };
    int rc = crypto_gost_init(NULL, err);
    if (rc == 0)
        rc = verify_locate(doc, &ps, r);
    if (rc == 0)
        rc = load_cert(&ps, r);
    if (rc == 0)
        rc = check_digest(&ps, &ps.data, "signed data", r, err);
    if (rc == 0)
        rc = check_digest(&ps, &ps.props, "SignedProperties", r, err);
    if (rc == 0)
        rc = check_signature_value(&ps, r->cert, r, err);
    if (rc == 0)
        rc = check_cert_digest(&ps, r->cert, r, err);
    if (rc == 0)
        rc = check_issuer_serial(&ps, r->cert, r);
    if (rc == 0)
        rc = check_cert_time(&ps, r->cert, r);
    if (rc == 0)
        rc = check_schema(ps.sig->parent, schemas, r, err);
    if (rc == 0)
        r->signed_element = ps.sig->parent;
    verify_parsed_free(&ps);
    if (rc < 0) {   /* callers need not clear a result that never came */
        verify_result_clear(r);
        return -1;
    }
    if (rc == 0) {
        r->status = VERIFY_OK;
        r->reason[0] = '\0';
    }
    return 0;
}

void verify_result_clear(struct verify_result *r)
{
    if (!r)
        return;
    X509_free(r->cert);
    r->cert = NULL;
}

const char *verify_status_name(enum verify_status st)
{
    static const char *const names[] = {
        [VERIFY_OK] = "ok", [VERIFY_NO_SIGNATURE] = "no-signature", [VERIFY_BAD_FORMAT] = "bad-format",
        [VERIFY_BAD_DIGEST] = "bad-digest", [VERIFY_BAD_SIGNATURE] = "bad-signature",
        [VERIFY_BAD_CERT] = "bad-cert", [VERIFY_BAD_SCHEMA] = "bad-schema",
    };
    return (size_t)st < sizeof names / sizeof *names ? names[st] : "?";
}

int verify_dump_part(xmlDocPtr doc, enum sig_part part, strbuf *out, hcs_err *err)
{
    struct verify_result r;
    memset(&r, 0, sizeof r);
    struct parsed_sig ps = { 0 };
    int rc = verify_locate(doc, &ps, &r);
    if (rc == 0) {
        struct c14n_spec spec = { ps.si_kind, ps.signed_info, NULL, NULL, 0 };
        if (part == SIG_PART_DATA)
            ref_spec(&ps, &ps.data, &spec);
        else if (part == SIG_PART_SIGNED_PROPERTIES)
            ref_spec(&ps, &ps.props, &spec);
        rc = c14n_to_buffer(&spec, out, err);
    } else {
        rc = hcs_fail(err, HCS_EX_DATAERR, "%s", r.reason);
    }
    verify_parsed_free(&ps);
    return rc;
}
