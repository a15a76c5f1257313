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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "common/xalloc.h"
#include "sign/algs.h"
#include "sign/c14n.h"
#include "sign/crypto.h"
#include "sign/dn.h"
#include "sign/sigxml.h"
#include "soap/operations.h"

struct parsed_ref {
    xmlNodePtr el;
    const char *uri;
    xmlNodePtr target;             /* what URI points at */
    int enveloped;
    enum c14n_kind kind;
    xmlChar **prefixes;            /* owned */
    const struct digest_alg *dalg;
    const char *digest_b64;
};

struct parsed_sig {
    xmlNodePtr sig, signed_info, sig_value, cert_el, qp, signed_props;
    xmlNodePtr signing_time, cert_digest_method, cert_digest_value, issuer_name, serial;
    const struct sig_alg *alg;
    enum c14n_kind si_kind;
    struct parsed_ref data, props;
};

static int fail(struct verify_result *r, enum verify_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct verify_result *r, enum verify_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
    r->status = st;
    return 1;   /* "stop checking", not an internal error */
}

static int is_ds(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->ns && !strcmp((const char *)n->ns->href, URI_DSIG_NS) &&
           !strcmp((const char *)n->name, name);
}

static int is_xades(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->ns && !strcmp((const char *)n->ns->href, URI_XADES_NS) &&
           !strcmp((const char *)n->name, name);
}

static xmlNodePtr next_el(xmlNodePtr n)
{
    for (n = n ? n->next : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE)
            return n;
    return NULL;
}

static const char *text_of(xmlNodePtr el)
{
    xmlNodePtr t = el ? el->children : NULL;
    if (t && t->type == XML_TEXT_NODE && !t->next)
        return (const char *)t->content;
    return el && !el->children ? "" : NULL;
}

static const char *qname(xmlNodePtr el, char *buf, size_t cap)
{
    if (el->ns && el->ns->prefix)
        snprintf(buf, cap, "%s:%s", el->ns->prefix, el->name);
    else
        snprintf(buf, cap, "%s", el->name);
    return buf;
}

/* --- structure --- */

static int has_element_child(xmlNodePtr el)
{
    return sigxml_first_element(el) != NULL;
}

static int strict_value_element(xmlNodePtr el)
{
    return is_ds(el, "DigestValue") || is_ds(el, "SignatureValue") || is_ds(el, "X509Certificate") ||
           is_ds(el, "X509SerialNumber") || is_xades(el, "SigningTime");
}

/* GIS refuses any text node inside ds:Signature except element values,
 * and whitespace inside or around those values. */
static int check_no_text(xmlNodePtr sig, struct verify_result *r)
{
    char qn[128];
    for (xmlNodePtr el = sig; el; el = sigxml_next_element(el, sig, 0)) {
        int leaf = !has_element_child(el);
        for (xmlNodePtr c = el->children; c; c = c->next) {
            if (c->type == XML_COMMENT_NODE || c->type == XML_PI_NODE)
                return fail(r, VERIFY_BAD_FORMAT, "comment or processing instruction inside ds:Signature (in %s)",
                            qname(el, qn, sizeof qn));
            if (c->type == XML_CDATA_SECTION_NODE || c->type == XML_ENTITY_REF_NODE)
                return fail(r, VERIFY_BAD_FORMAT, "CDATA or entity reference inside ds:Signature (in %s)",
                            qname(el, qn, sizeof qn));
            if (c->type != XML_TEXT_NODE)
                continue;
            const char *t = (const char *)c->content;
            size_t n = strlen(t);
            int ws_only = strspn(t, " \t\r\n") == n;
            if (!leaf || ws_only)
                return fail(r, VERIFY_BAD_FORMAT, "%s text node inside ds:Signature (in %s); no text nodes, "
                            "not even newlines, are allowed there", ws_only ? "whitespace/newline" : "stray",
                            qname(el, qn, sizeof qn));
            if (isspace((unsigned char)t[0]) || isspace((unsigned char)t[n - 1]) ||
                (strict_value_element(el) && strpbrk(t, " \t\r\n")))
                return fail(r, VERIFY_BAD_FORMAT, "whitespace inside the value of %s in ds:Signature",
                            qname(el, qn, sizeof qn));
        }
    }
    return 0;
}

static void free_prefixes(xmlChar **p)
{
    for (size_t i = 0; p && p[i]; i++)
        free(p[i]);
    free(p);
}

static xmlChar **parse_prefix_list(const char *list)
{
    size_t n = 0, cap = 0;
    xmlChar **out = NULL;
    const char *p = list;
    while (*p) {
        p += strspn(p, " \t\r\n");
        size_t len = strcspn(p, " \t\r\n");
        if (!len)
            break;
        ARRAY_GROW(out, n, cap);
        out[n++] = (xmlChar *)xstrndup(p, len);   /* libxml2 understands "#default" itself */
        p += len;
    }
    ARRAY_GROW(out, n, cap);
    out[n] = NULL;
    return out;
}

static int parse_transforms(xmlNodePtr tr, struct parsed_ref *ref, struct verify_result *r)
{
    int have_c14n = 0;
    for (xmlNodePtr t = sigxml_first_element(tr); t; t = next_el(t)) {
        const char *alg = is_ds(t, "Transform") ? sigxml_attr(t, "Algorithm") : NULL;
        if (!alg)
            return fail(r, VERIFY_BAD_FORMAT, "ds:Transforms holds something other than ds:Transform");
        if (!strcmp(alg, URI_ENVELOPED)) {
            if (have_c14n)
                return fail(r, VERIFY_BAD_FORMAT, "enveloped-signature transform after canonicalization");
            ref->enveloped = 1;
        } else if (!strcmp(alg, URI_EXC_C14N) || !strcmp(alg, URI_C14N)) {
            if (have_c14n)
                return fail(r, VERIFY_BAD_FORMAT, "more than one canonicalization transform");
            have_c14n = 1;
            ref->kind = !strcmp(alg, URI_EXC_C14N) ? C14N_EXCLUSIVE : C14N_INCLUSIVE;
            xmlNodePtr inc = sigxml_first_element(t);
            const char *list = inc && !strcmp((const char *)inc->name, "InclusiveNamespaces")
                                   ? sigxml_attr(inc, "PrefixList") : NULL;
            if (list && ref->kind == C14N_EXCLUSIVE)
                ref->prefixes = parse_prefix_list(list);
        } else {
            return fail(r, VERIFY_BAD_FORMAT, "unsupported transform %s", alg);
        }
    }
    return 0;
}

static int parse_reference(xmlNodePtr el, struct parsed_ref *ref, struct verify_result *r)
{
    ref->el = el;
    ref->kind = C14N_INCLUSIVE;   /* XML-DSig default for a node set without a c14n transform */
    ref->uri = sigxml_attr(el, "URI");
    if (!ref->uri || ref->uri[0] != '#' || !ref->uri[1])
        return fail(r, VERIFY_BAD_FORMAT, "ds:Reference URI must point at an Id (\"#...\"), got \"%s\"",
                    ref->uri ? ref->uri : "");
    xmlNodePtr c = sigxml_first_element(el);
    if (is_ds(c, "Transforms")) {
        if (parse_transforms(c, ref, r))
            return 1;
        c = next_el(c);
    }
    if (!is_ds(c, "DigestMethod") || !is_ds(next_el(c), "DigestValue") || next_el(next_el(c)))
        return fail(r, VERIFY_BAD_FORMAT, "ds:Reference %s: expected [Transforms] DigestMethod DigestValue", ref->uri);
    const char *uri = sigxml_attr(c, "Algorithm");
    ref->dalg = digest_alg_by_uri(uri);
    if (!ref->dalg)
        return fail(r, VERIFY_BAD_FORMAT, "ds:Reference %s: unknown DigestMethod %s", ref->uri, uri ? uri : "(none)");
    ref->digest_b64 = text_of(next_el(c));
    int count = 0;
    ref->target = sigxml_find_id(el->doc, ref->uri + 1, &count);
    if (!ref->target)
        return fail(r, VERIFY_BAD_FORMAT, "ds:Reference %s points at no element", ref->uri);
    if (count > 1)
        return fail(r, VERIFY_BAD_FORMAT, "ds:Reference %s: Id occurs %d times in the document", ref->uri, count);
    return 0;
}

static int parse_signed_info(struct parsed_sig *ps, struct verify_result *r)
{
    xmlNodePtr cm = sigxml_first_element(ps->signed_info);
    const char *c14n = is_ds(cm, "CanonicalizationMethod") ? sigxml_attr(cm, "Algorithm") : NULL;
    if (!c14n)
        return fail(r, VERIFY_BAD_FORMAT, "ds:SignedInfo must start with ds:CanonicalizationMethod");
    if (!strcmp(c14n, URI_EXC_C14N))
        ps->si_kind = C14N_EXCLUSIVE;
    else if (!strcmp(c14n, URI_C14N))
        ps->si_kind = C14N_INCLUSIVE;
    else
        return fail(r, VERIFY_BAD_FORMAT, "unsupported CanonicalizationMethod %s", c14n);
    xmlNodePtr sm = next_el(cm);
    const char *alg = is_ds(sm, "SignatureMethod") ? sigxml_attr(sm, "Algorithm") : NULL;
    if (!alg)
        return fail(r, VERIFY_BAD_FORMAT, "ds:SignatureMethod missing after ds:CanonicalizationMethod");
    ps->alg = sig_alg_by_uri(alg);
    if (!ps->alg)
        return fail(r, VERIFY_BAD_FORMAT, "unknown SignatureMethod %s", alg);
    int nrefs = 0;
    for (xmlNodePtr ref = next_el(sm); ref; ref = next_el(ref), nrefs++) {
        if (!is_ds(ref, "Reference"))
            return fail(r, VERIFY_BAD_FORMAT, "unexpected element in ds:SignedInfo");
        const char *type = sigxml_attr(ref, "Type");
        int is_props = type && !strcmp(type, URI_SIGNED_PROPS);
        struct parsed_ref *slot = is_props ? &ps->props : &ps->data;
        if (slot->el)
            return fail(r, VERIFY_BAD_FORMAT, "more than one %s Reference",
                        is_props ? "SignedProperties" : "data");
        if (parse_reference(ref, slot, r))
            return 1;
    }
    if (!ps->data.el)
        return fail(r, VERIFY_BAD_FORMAT, "no Reference to the signed data in ds:SignedInfo");
    if (!ps->props.el)
        return fail(r, VERIFY_BAD_FORMAT, "no Reference of Type %s (XAdES-BES needs one)", URI_SIGNED_PROPS);
    return 0;
}

/* Signature(SignedInfo, SignatureValue, KeyInfo(X509Data(X509Certificate)), Object(QualifyingProperties)) */
static int parse_signature(struct parsed_sig *ps, struct verify_result *r)
{
    xmlNodePtr c = sigxml_first_element(ps->sig);
    if (!is_ds(c, "SignedInfo"))
        return fail(r, VERIFY_BAD_FORMAT, "ds:Signature must start with ds:SignedInfo");
    ps->signed_info = c;
    c = next_el(c);
    if (!is_ds(c, "SignatureValue"))
        return fail(r, VERIFY_BAD_FORMAT, "ds:SignatureValue missing after ds:SignedInfo");
    ps->sig_value = c;
    c = next_el(c);
    if (!is_ds(c, "KeyInfo"))
        return fail(r, VERIFY_BAD_FORMAT, "ds:KeyInfo with the certificate missing");
    xmlNodePtr x509 = sigxml_first_element(c);
    ps->cert_el = is_ds(x509, "X509Data") ? sigxml_first_element(x509) : NULL;
    if (!is_ds(ps->cert_el, "X509Certificate"))
        return fail(r, VERIFY_BAD_FORMAT, "ds:KeyInfo must hold X509Data/X509Certificate");
    for (c = next_el(c); c && !ps->qp; c = next_el(c)) {
        if (!is_ds(c, "Object"))
            return fail(r, VERIFY_BAD_FORMAT, "unexpected element after ds:KeyInfo");
        xmlNodePtr q = sigxml_first_element(c);
        if (is_xades(q, "QualifyingProperties"))
            ps->qp = q;
    }
    if (!ps->qp)
        return fail(r, VERIFY_BAD_FORMAT, "no xades:QualifyingProperties (not XAdES-BES)");
    return parse_signed_info(ps, r);
}

static int parse_xades(struct parsed_sig *ps, struct verify_result *r)
{
    const char *id = sigxml_attr(ps->sig, "Id");
    const char *target = sigxml_attr(ps->qp, "Target");
    if (!id || !target || target[0] != '#' || strcmp(target + 1, id))
        return fail(r, VERIFY_BAD_FORMAT, "QualifyingProperties Target must be \"#\" + the ds:Signature Id");
    ps->signed_props = ps->props.target;
    if (!is_xades(ps->signed_props, "SignedProperties") || ps->signed_props->parent != ps->qp)
        return fail(r, VERIFY_BAD_FORMAT, "the SignedProperties Reference %s does not point at this "
                    "signature's xades:SignedProperties", ps->props.uri);
    xmlNodePtr ssp = sigxml_first_element(ps->signed_props);
    ps->signing_time = is_xades(ssp, "SignedSignatureProperties") ? sigxml_first_element(ssp) : NULL;
    if (!is_xades(ps->signing_time, "SigningTime"))
        return fail(r, VERIFY_BAD_FORMAT, "xades:SignedSignatureProperties must start with xades:SigningTime");
    xmlNodePtr sc = next_el(ps->signing_time);
    xmlNodePtr cert = is_xades(sc, "SigningCertificate") ? sigxml_first_element(sc) : NULL;
    xmlNodePtr cd = is_xades(cert, "Cert") ? sigxml_first_element(cert) : NULL;
    xmlNodePtr is = is_xades(cd, "CertDigest") ? next_el(cd) : NULL;
    if (!is_xades(is, "IssuerSerial"))
        return fail(r, VERIFY_BAD_FORMAT, "xades:SigningCertificate/Cert must hold CertDigest and IssuerSerial");
    ps->cert_digest_method = sigxml_first_element(cd);
    ps->cert_digest_value = next_el(ps->cert_digest_method);
    ps->issuer_name = sigxml_first_element(is);
    ps->serial = next_el(ps->issuer_name);
    if (!is_ds(ps->cert_digest_method, "DigestMethod") || !is_ds(ps->cert_digest_value, "DigestValue") ||
        !is_ds(ps->issuer_name, "X509IssuerName") || !is_ds(ps->serial, "X509SerialNumber"))
        return fail(r, VERIFY_BAD_FORMAT, "xades:CertDigest or xades:IssuerSerial is malformed");
    return 0;
}

/* Finds ds:Signature and the element it signs (its parent). */
static int locate(xmlDocPtr doc, struct parsed_sig *ps, struct verify_result *r)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    int count = 0;
    for (xmlNodePtr el = root; el; el = sigxml_next_element(el, root, is_ds(el, "Signature")))
        if (is_ds(el, "Signature") && !count++)
            ps->sig = el;
    if (!ps->sig)
        return fail(r, VERIFY_NO_SIGNATURE, "no ds:Signature: the document is not signed");
    if (count > 1)
        return fail(r, VERIFY_BAD_FORMAT, "%d ds:Signature elements; expected one", count);
    if (check_no_text(ps->sig, r) || parse_signature(ps, r))
        return 1;
    if (ps->data.target != ps->sig->parent)
        return fail(r, VERIFY_BAD_FORMAT, "ds:Signature is not inside the element its Reference %s signs",
                    ps->data.uri);
    /* GIS signs the request element itself: in an envelope, the Body child */
    xmlNodePtr signed_el = ps->sig->parent;
    if (root && root->ns && !strcmp((const char *)root->ns->href, NS_SOAP) &&
        !strcmp((const char *)root->name, "Envelope") &&
        !(signed_el->parent && signed_el->parent->ns && !strcmp((const char *)signed_el->parent->name, "Body") &&
          !strcmp((const char *)signed_el->parent->ns->href, NS_SOAP) && signed_el->parent->parent == root))
        return fail(r, VERIFY_BAD_FORMAT, "the signed element <%s> is not the soap:Body child", signed_el->name);
    if (sigxml_first_element(ps->sig->parent) != ps->sig)
        return fail(r, VERIFY_BAD_FORMAT, "ds:Signature is not the first child of the signed element");
    if (!ps->data.enveloped)
        return fail(r, VERIFY_BAD_FORMAT, "the data Reference lacks the enveloped-signature transform");
    return parse_xades(ps, r);
}

static void parsed_free(struct parsed_sig *ps)
{
    free_prefixes(ps->data.prefixes);
    free_prefixes(ps->props.prefixes);
}

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
        return fail(r, VERIFY_BAD_FORMAT, "Reference %s: DigestValue is not base64", ref->uri);
    struct c14n_spec spec;
    ref_spec(ps, ref, &spec);
    unsigned int got_len = 0;
    int rc = c14n_digest(&spec, md, got, &got_len, err);
    if (rc == 0 && (got_len != want_len || CRYPTO_memcmp(want, got, got_len)))
        rc = fail(r, VERIFY_BAD_DIGEST, "Reference %s (%s): digest mismatch: %s", ref->uri, what,
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
        return fail(r, VERIFY_BAD_CERT, "the embedded certificate's public key is unreadable");
    }
    if (EVP_PKEY_get_id(pkey) != ps->alg->pkey_nid)
        return fail(r, VERIFY_BAD_SIGNATURE, "SignatureMethod %s does not fit the certificate's key type",
                    ps->alg->uri);
    unsigned char *sig = NULL;
    size_t siglen = 0;
    const char *text = text_of(ps->sig_value);
    if (!text || b64_decode(text, &sig, &siglen) < 0)
        return fail(r, VERIFY_BAD_FORMAT, "SignatureValue is not base64");
    const EVP_MD *md = crypto_md(ps->alg->md, err);
    EVP_MD_CTX *ctx = md ? EVP_MD_CTX_new() : NULL;
    int rc = md ? 0 : -1;
    if (ctx && !EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey))
        rc = hcs_fail(err, HCS_EX_SOFTWARE, "cannot start verifying %s", ps->alg->uri);
    if (ctx && rc == 0) {
        struct c14n_spec spec = { ps->si_kind, ps->signed_info, NULL, NULL, 0 };
        rc = c14n_stream(&spec, verify_sink, ctx, err);
        if (rc == 0 && EVP_DigestVerifyFinal(ctx, sig, siglen) != 1)
            rc = fail(r, VERIFY_BAD_SIGNATURE, "SignatureValue does not verify with the embedded certificate "
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
        return fail(r, VERIFY_BAD_FORMAT, "CertDigest: unknown DigestMethod %s", uri ? uri : "(none)");
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
    const char *text = text_of(ps->cert_digest_value);
    if (!text || b64_decode(text, &want, &want_len) < 0)
        return fail(r, VERIFY_BAD_FORMAT, "CertDigest DigestValue is not base64");
    int rc = 0;
    if (want_len != got_len || CRYPTO_memcmp(want, got, got_len))
        rc = fail(r, VERIFY_BAD_CERT, "xades:CertDigest does not match the embedded certificate");
    free(want);
    return rc;
}

static int check_issuer_serial(const struct parsed_sig *ps, X509 *cert, struct verify_result *r)
{
    const char *issuer = text_of(ps->issuer_name);
    if (!issuer || !dn_matches(issuer, X509_get_issuer_name(cert))) {
        char *want = dn_format_rfc2253(X509_get_issuer_name(cert));
        fail(r, VERIFY_BAD_CERT, "X509IssuerName \"%.150s\" does not match the certificate issuer \"%.150s\"",
             issuer ? issuer : "", want ? want : "?");
        free(want);
        return 1;
    }
    const char *serial = text_of(ps->serial);
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
    char *dec = bn ? BN_bn2dec(bn) : NULL;
    int rc = 0;
    if (!serial || !dec || strcmp(serial, dec))
        rc = fail(r, VERIFY_BAD_CERT, "X509SerialNumber %.60s does not match the certificate serial %.60s (decimal)",
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
    const char *text = text_of(ps->signing_time);
    time_t t;
    if (!text || parse_datetime(text, &t) < 0)
        return fail(r, VERIFY_BAD_FORMAT, "xades:SigningTime \"%.60s\" is not an xs:dateTime", text ? text : "");
    r->signing_time = t;
    if (X509_cmp_time(X509_get0_notBefore(cert), &t) > 0 || X509_cmp_time(X509_get0_notAfter(cert), &t) < 0)
        return fail(r, VERIFY_BAD_CERT, "the certificate was not valid at SigningTime %s", text);
    return 0;
}

static int load_cert(const struct parsed_sig *ps, struct verify_result *r)
{
    const char *text = text_of(ps->cert_el);
    unsigned char *der = NULL;
    size_t len = 0;
    if (!text || b64_decode(text, &der, &len) < 0)
        return fail(r, VERIFY_BAD_CERT, "X509Certificate is not base64");
    const unsigned char *p = der;
    r->cert = d2i_X509(NULL, &p, (long)len);
    int whole = r->cert && p == der + len;
    free(der);
    ERR_clear_error();
    if (!whole)
        return fail(r, VERIFY_BAD_CERT, "X509Certificate is not a DER certificate");
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
    xmlChar *version = xmlGetNsProp(signed_el, BAD_CAST "version", BAD_CAST NS_BASE);
    if (op && op->version && version && strcmp((const char *)version, op->version)) {
        snprintf(r->schema_note, sizeof r->schema_note,
                 "schema not checked: namespace %s, base:version %s (the schema package fixes %s)",
                 ns, (const char *)version, op->version);
        xmlFree(version);
        return 0;
    }
    xmlFree(version);
    struct first_error fe = { "", 0 };
    int rc = schema_validate_element(schemas, signed_el, remember_first, &fe, err);
    if (rc < 0)
        return -1;
    if (rc == 1)
        return fail(r, VERIFY_BAD_SCHEMA, "not schema-valid: line %d: %s", fe.line, fe.msg);
    return 0;
}

int verify_document(xmlDocPtr doc, schema_set *schemas, struct verify_result *r, hcs_err *err)
{
    memset(r, 0, sizeof *r);
    struct parsed_sig ps = { 0 };
    int rc = crypto_gost_init(NULL, err);
    if (rc == 0)
        rc = locate(doc, &ps, r);
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
    parsed_free(&ps);
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
    switch (st) {
    case VERIFY_OK: return "ok";
    case VERIFY_NO_SIGNATURE: return "no-signature";
    case VERIFY_BAD_FORMAT: return "bad-format";
    case VERIFY_BAD_DIGEST: return "bad-digest";
    case VERIFY_BAD_SIGNATURE: return "bad-signature";
    case VERIFY_BAD_CERT: return "bad-cert";
    case VERIFY_BAD_SCHEMA: return "bad-schema";
    }
    return "?";
}

int verify_dump_part(xmlDocPtr doc, enum sig_part part, strbuf *out, hcs_err *err)
{
    struct verify_result r;
    memset(&r, 0, sizeof r);
    struct parsed_sig ps = { 0 };
    int rc = locate(doc, &ps, &r);
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
    parsed_free(&ps);
    return rc;
}
