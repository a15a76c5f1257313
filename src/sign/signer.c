/* signer — makes the enveloped XAdES-BES signature GIS checks.
 *
 * Order matters: the data digest is taken before ds:Signature exists (the
 * enveloped-signature transform would remove it anyway); the
 * SignedProperties digest is inclusive c14n in the final document, so it is
 * computed after the signature is in place; SignedInfo is signed last.
 * Everything that depends only on the certificate (base64 DER, CertDigest,
 * issuer, serial) is prepared once in signer_open. */
#include "sign/sign.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/err.h>

#include "base/guid.h"
#include "base/xalloc.h"
#include "sign/algs.h"
#include "sign/c14n.h"
#include "base/crypto.h"
#include "sign/dn.h"
#include "sign/keys.h"
#include "sign/sigxml.h"

struct signer {
    struct key_material km;
    const struct sig_alg *alg;
    const EVP_MD *md;
    enum c14n_kind signedinfo_c14n;
    const struct digest_alg *cert_digest_alg;
    char *cert_b64;
    char *cert_digest_b64;
    char *issuer;
    char *serial;
    char *inc_list;                 /* [sign] inclusive_prefixes, or NULL */
    xmlChar **inc_prefixes;         /* the same split, NULL-terminated (c14n_spec.prefixes) */
};

static int prepare_cert_parts(signer *s, hcs_err *err)
{
    unsigned char *der = NULL;
    int n = i2d_X509(s->km.cert, &der);
    if (n <= 0)
        return hcs_fail(err, HCS_EX_CONFIG, "cannot encode the signing certificate");
    s->cert_b64 = b64_encode(der, (size_t)n);
    const EVP_MD *cmd = crypto_md(s->cert_digest_alg->md, err);
    unsigned char dg[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    int ok = cmd && EVP_Digest(der, (size_t)n, dg, &dlen, cmd, NULL);
    OPENSSL_free(der);
    if (!ok)
        return cmd ? hcs_fail(err, HCS_EX_SOFTWARE, "certificate digest failed") : -1;
    s->cert_digest_b64 = b64_encode(dg, dlen);
    s->issuer = dn_format_rfc2253(X509_get_issuer_name(s->km.cert));
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(s->km.cert), NULL);
    char *dec = bn ? BN_bn2dec(bn) : NULL;
    BN_free(bn);
    if (!s->issuer || !dec) {
        OPENSSL_free(dec);
        return hcs_fail(err, HCS_EX_CONFIG, "cannot read the certificate's issuer or serial number");
    }
    s->serial = xstrdup(dec);
    OPENSSL_free(dec);
    return 0;
}

static int read_options(signer *s, const hcs_config *cfg, hcs_err *err)
{
    const char *alg = cfg_str(cfg, "sign.alg");
    s->alg = sig_alg_by_name(alg ? alg : "gost2012");
    if (!s->alg)
        return hcs_fail(err, HCS_EX_CONFIG, "sign.alg=%s: expected gost2012, gost2001 or rsa", alg);
    const char *c14n = cfg_str(cfg, "sign.signedinfo_c14n");
    if (!c14n || !strcmp(c14n, "exc"))
        s->signedinfo_c14n = C14N_EXCLUSIVE;
    else if (!strcmp(c14n, "inclusive"))
        s->signedinfo_c14n = C14N_INCLUSIVE;
    else
        return hcs_fail(err, HCS_EX_CONFIG, "sign.signedinfo_c14n=%s: expected exc or inclusive", c14n);
    /* exc-c14n renders a prefix again on every element that uses it when
     * its parent does not (xmlns:ind on each ind:* element: a third of an
     * accounts packet); an InclusiveNamespaces PrefixList renders the
     * listed ones once, on the signed element */
    const char *inc = cfg_str(cfg, "sign.inclusive_prefixes");
    if (inc && inc[strspn(inc, " \t")]) {
        size_t n = 0, cap = 0;
        for (const char *p = inc; *(p += strspn(p, " \t"));) {
            size_t len = strcspn(p, " \t");
            ARRAY_GROW(s->inc_prefixes, n, cap);
            s->inc_prefixes[n++] = (xmlChar *)xstrndup(p, len);
            p += len;
        }
        ARRAY_GROW(s->inc_prefixes, n, cap);
        s->inc_prefixes[n] = NULL;
        strbuf list = STRBUF_INIT;
        for (size_t i = 0; i < n; i++)
            sb_addf(&list, "%s%s", i ? " " : "", (const char *)s->inc_prefixes[i]);
        s->inc_list = sb_detach(&list, NULL);
    }
    const char *cd = cfg_str(cfg, "sign.cert_digest");
    s->cert_digest_alg = cert_digest_by_name(cd, s->alg);
    if (!s->cert_digest_alg)
        return hcs_fail(err, HCS_EX_CONFIG, "sign.cert_digest=%s: expected auto, gost2012, gost94 or sha256", cd);
    return 0;
}

static const char *family_name(int nid)
{
    switch (nid) {
    case NID_id_GostR3410_2012_256: return "GOST R 34.10-2012 256";
    case NID_id_GostR3410_2012_512: return "GOST R 34.10-2012 512";
    case NID_id_GostR3410_2001: return "GOST R 34.10-2001";
    case EVP_PKEY_RSA: return "RSA";
    default: return OBJ_nid2sn(nid);
    }
}

signer *signer_open(const hcs_config *cfg, hcs_err *err)
{
    signer *s = xcalloc(1, sizeof *s);
    if (read_options(s, cfg, err) < 0 || crypto_gost_init(cfg_str(cfg, "sign.engine_path"), err) < 0 ||
        keys_load(cfg, &s->km, err) < 0) {
        signer_free(s);
        return NULL;
    }
    int nid = EVP_PKEY_get_id(s->km.pkey);
    if (nid != s->alg->pkey_nid) {
        hcs_fail(err, HCS_EX_CONFIG, "sign.alg=%s needs a %s key, but the key is %s", s->alg->name,
                 family_name(s->alg->pkey_nid), family_name(nid));
        signer_free(s);
        return NULL;
    }
    s->md = crypto_md(s->alg->md, err);
    if (!s->md || prepare_cert_parts(s, err) < 0) {
        signer_free(s);
        return NULL;
    }
    return s;
}

int signer_cert_days_left(const signer *s)
{
    return keys_cert_days_left(s->km.cert);
}

const char *signer_warning(const signer *s)
{
    return s && s->km.warning[0] ? s->km.warning : NULL;
}

const X509 *signer_cert(const signer *s)
{
    return s->km.cert;
}

void signer_free(signer *s)
{
    if (!s)
        return;
    keys_free(&s->km);
    free(s->cert_b64);
    free(s->cert_digest_b64);
    free(s->issuer);
    free(s->serial);
    free(s->inc_list);
    for (size_t i = 0; s->inc_prefixes && s->inc_prefixes[i]; i++)
        free(s->inc_prefixes[i]);
    free(s->inc_prefixes);
    secure_wipe(s, sizeof *s);
    free(s);
}

/* --- building the signature --- */

static void signing_time_now(char *out, size_t cap)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);
    long off = tm.tm_gmtoff / 60;
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03ld%c%02ld:%02ld", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
             sign, off / 60, off % 60);
}

static xmlNodePtr add(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *text)
{
    return text ? xmlNewTextChild(parent, ns, BAD_CAST name, BAD_CAST text)
                : xmlNewChild(parent, ns, BAD_CAST name, NULL);
}

static void set_attr(xmlNodePtr el, const char *name, const char *value)
{
    xmlNewProp(el, BAD_CAST name, BAD_CAST value);
}

static xmlNodePtr add_digest(xmlNodePtr parent, xmlNsPtr ds, const char *uri, const char *value)
{
    xmlNodePtr dm = add(parent, ds, "DigestMethod", NULL);
    set_attr(dm, "Algorithm", uri);
    return add(parent, ds, "DigestValue", value ? value : "");
}

struct sig_nodes {
    xmlNodePtr signature, signed_info, props_digest, signature_value, signed_props;
};

static void build_signed_info(const signer *s, const char *id, const char *data_digest,
                              xmlNsPtr ds, struct sig_nodes *n)
{
    char buf[160];
    n->signed_info = add(n->signature, ds, "SignedInfo", NULL);
    xmlNodePtr cm = add(n->signed_info, ds, "CanonicalizationMethod", NULL);
    set_attr(cm, "Algorithm", s->signedinfo_c14n == C14N_EXCLUSIVE ? URI_EXC_C14N : URI_C14N);
    set_attr(add(n->signed_info, ds, "SignatureMethod", NULL), "Algorithm", s->alg->uri);

    xmlNodePtr ref = add(n->signed_info, ds, "Reference", NULL);
    snprintf(buf, sizeof buf, "%s-ref0", id);
    set_attr(ref, "Id", buf);
    set_attr(ref, "URI", "#" SIGNED_CONTAINER_ID);
    xmlNodePtr tr = add(ref, ds, "Transforms", NULL);
    set_attr(add(tr, ds, "Transform", NULL), "Algorithm", URI_ENVELOPED);
    xmlNodePtr exc = add(tr, ds, "Transform", NULL);
    set_attr(exc, "Algorithm", URI_EXC_C14N);
    if (s->inc_list) {
        xmlNodePtr inc = xmlNewChild(exc, NULL, BAD_CAST "InclusiveNamespaces", NULL);
        xmlSetNs(inc, xmlNewNs(inc, BAD_CAST URI_EXC_C14N, BAD_CAST "ec"));
        set_attr(inc, "PrefixList", s->inc_list);
    }
    add_digest(ref, ds, s->alg->digest_uri, data_digest);

    xmlNodePtr pref = add(n->signed_info, ds, "Reference", NULL);
    set_attr(pref, "Type", URI_SIGNED_PROPS);
    snprintf(buf, sizeof buf, "#%s-signedprops", id);
    set_attr(pref, "URI", buf);
    n->props_digest = add_digest(pref, ds, s->alg->digest_uri, NULL);
}

static void build_object(const signer *s, const char *id, xmlNsPtr ds, struct sig_nodes *n)
{
    char buf[160];
    xmlNodePtr obj = add(n->signature, ds, "Object", NULL);
    xmlNodePtr qp = add(obj, NULL, "QualifyingProperties", NULL);
    xmlNsPtr xa = xmlNewNs(qp, BAD_CAST URI_XADES_NS, BAD_CAST "xades");
    xmlSetNs(qp, xa);
    snprintf(buf, sizeof buf, "#%s", id);
    set_attr(qp, "Target", buf);
    n->signed_props = add(qp, xa, "SignedProperties", NULL);
    snprintf(buf, sizeof buf, "%s-signedprops", id);
    set_attr(n->signed_props, "Id", buf);
    xmlNodePtr ssp = add(n->signed_props, xa, "SignedSignatureProperties", NULL);
    signing_time_now(buf, sizeof buf);
    add(ssp, xa, "SigningTime", buf);
    xmlNodePtr cert = add(add(ssp, xa, "SigningCertificate", NULL), xa, "Cert", NULL);
    add_digest(add(cert, xa, "CertDigest", NULL), ds, s->cert_digest_alg->uri, s->cert_digest_b64);
    xmlNodePtr is = add(cert, xa, "IssuerSerial", NULL);
    add(is, ds, "X509IssuerName", s->issuer);
    add(is, ds, "X509SerialNumber", s->serial);
}

static void build_signature(const signer *s, const char *data_digest, struct sig_nodes *n)
{
    char guid[GUID_STRLEN + 1], id[64], buf[96];
    guid_new(guid);
    snprintf(id, sizeof id, "xmldsig-%s", guid);
    n->signature = xmlNewNode(NULL, BAD_CAST "Signature");
    xmlNsPtr ds = xmlNewNs(n->signature, BAD_CAST URI_DSIG_NS, BAD_CAST "ds");
    xmlSetNs(n->signature, ds);
    set_attr(n->signature, "Id", id);
    build_signed_info(s, id, data_digest, ds, n);
    n->signature_value = add(n->signature, ds, "SignatureValue", "");
    snprintf(buf, sizeof buf, "%s-sigvalue", id);
    set_attr(n->signature_value, "Id", buf);
    xmlNodePtr x509 = add(add(n->signature, ds, "KeyInfo", NULL), ds, "X509Data", NULL);
    add(x509, ds, "X509Certificate", s->cert_b64);
    build_object(s, id, ds, n);
}

static xmlNodePtr find_container(xmlDocPtr doc, hcs_err *err)
{
    int count = 0;
    xmlNodePtr el = sigxml_find_id(doc, SIGNED_CONTAINER_ID, &count);
    if (!el)
        hcs_fail(err, HCS_EX_SOFTWARE, "nothing to sign: no element with Id=\"" SIGNED_CONTAINER_ID "\"");
    else if (count > 1) {
        hcs_fail(err, HCS_EX_SOFTWARE, "%d elements carry Id=\"" SIGNED_CONTAINER_ID "\"", count);
        el = NULL;
    }
    return el;
}

/* Re-signing replaces an earlier signature rather than nesting a second. */
static void drop_old_signatures(xmlNodePtr container)
{
    xmlNodePtr c = container->children;
    while (c) {
        xmlNodePtr next = c->next;
        if (c->type == XML_ELEMENT_NODE && c->ns && !strcmp((const char *)c->name, "Signature") &&
            !strcmp((const char *)c->ns->href, URI_DSIG_NS)) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
        c = next;
    }
}

static int set_b64(xmlNodePtr el, const unsigned char *data, size_t len)
{
    char *b64 = b64_encode(data, len);
    xmlNodeSetContent(el, BAD_CAST b64);
    free(b64);
    return 0;
}

struct sign_stream {
    EVP_MD_CTX *ctx;
};

static int sign_sink(void *ctx, const void *data, size_t len)
{
    return EVP_DigestSignUpdate(((struct sign_stream *)ctx)->ctx, data, len) ? 0 : -1;
}

static int sign_signed_info(const signer *s, xmlNodePtr signed_info, xmlNodePtr value, hcs_err *err)
{
    struct c14n_spec spec = { s->signedinfo_c14n, signed_info, NULL, NULL, 1 };
    struct sign_stream st = { EVP_MD_CTX_new() };
    unsigned char sig[1024];
    size_t siglen = sizeof sig;
    int rc = -1;
    if (!st.ctx || !EVP_DigestSignInit(st.ctx, NULL, s->md, NULL, s->km.pkey)) {
        hcs_fail(err, HCS_EX_SOFTWARE, "cannot start signing with %s", s->alg->name);
    } else if (c14n_stream(&spec, sign_sink, &st, err) == 0) {
        if (!EVP_DigestSignFinal(st.ctx, NULL, &siglen) || siglen > sizeof sig ||
            !EVP_DigestSignFinal(st.ctx, sig, &siglen))
            hcs_fail(err, HCS_EX_SOFTWARE, "signing with %s failed", s->alg->name);
        else
            rc = set_b64(value, sig, siglen);
    }
    ERR_clear_error();
    EVP_MD_CTX_free(st.ctx);
    return rc;
}

/* Everything after the data digest: the signature subtree, the
 * SignedProperties digest in the final document, the SignatureValue. */
static int finish_signature(const signer *s, xmlNodePtr container, const unsigned char *data_dg,
                            unsigned int data_len, hcs_err *err)
{
    char *data_b64 = b64_encode(data_dg, data_len);
    struct sig_nodes n = { 0 };
    build_signature(s, data_b64, &n);
    free(data_b64);
    if (container->children)
        xmlAddPrevSibling(container->children, n.signature);
    else
        xmlAddChild(container, n.signature);

    unsigned char dg[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    struct c14n_spec props = { C14N_INCLUSIVE, n.signed_props, NULL, NULL, 1 };
    int rc = c14n_digest(&props, s->md, dg, &dlen, err);
    if (rc == 0) {
        set_b64(n.props_digest, dg, dlen);
        rc = sign_signed_info(s, n.signed_info, n.signature_value, err);
    }
    if (rc < 0) {   /* leave no half-made signature behind */
        xmlUnlinkNode(n.signature);
        xmlFreeNode(n.signature);
    }
    return rc;
}

int signer_sign(signer *s, xmlDocPtr doc, hcs_err *err)
{
    xmlNodePtr container = find_container(doc, err);
    if (!container)
        return -1;
    drop_old_signatures(container);
    unsigned char dg[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    struct c14n_spec data = { C14N_EXCLUSIVE, container, NULL, s->inc_prefixes, 0 };
    if (c14n_digest(&data, s->md, dg, &dlen, err) < 0)
        return -1;
    return finish_signature(s, container, dg, dlen, err);
}

/* --- two-step signing: the data digest (nearly all of the cost) on a
 * worker thread while the caller builds the next packet --- */

struct sign_job {
    const signer *s;
    xmlNodePtr container;
    pthread_t thread;
    int threaded;
    int rc;
    hcs_err err;                    /* the worker's own: hcs_err is not shared */
    unsigned char dg[EVP_MAX_MD_SIZE];
    unsigned int dlen;
};

/* c14n only reads the tree, so this is safe while the caller works on
 * other documents (it must leave this one alone until signer_sign_end). */
static void *data_digest_worker(void *arg)
{
    sign_job *job = arg;
    struct c14n_spec data = { C14N_EXCLUSIVE, job->container, NULL, job->s->inc_prefixes, 0 };
    job->rc = c14n_digest(&data, job->s->md, job->dg, &job->dlen, &job->err);
    return NULL;
}

sign_job *signer_sign_begin(signer *s, xmlDocPtr doc, hcs_err *err)
{
    xmlNodePtr container = find_container(doc, err);
    if (!container)
        return NULL;
    drop_old_signatures(container);
    sign_job *job = xcalloc(1, sizeof *job);
    job->s = s;
    job->container = container;
    job->threaded = pthread_create(&job->thread, NULL, data_digest_worker, job) == 0;
    if (!job->threaded)
        data_digest_worker(job);   /* no thread to be had: do it now */
    return job;
}

int signer_sign_end(sign_job *job, hcs_err *err)
{
    if (!job)
        return -1;
    if (job->threaded)
        pthread_join(job->thread, NULL);
    int rc = job->rc;
    if (rc < 0) {
        if (err)
            *err = job->err;
    } else {
        rc = finish_signature(job->s, job->container, job->dg, job->dlen, err);
    }
    free(job);
    return rc;
}
