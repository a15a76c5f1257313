/* verify_parse — structure of the signature (see verify_parse.h). */
#include "sign/verify_parse.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "sign/sigxml.h"
#include "proto/operations.h"

int verify_fail(struct verify_result *r, enum verify_status st, const char *fmt, ...)
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

const char *verify_text_of(xmlNodePtr el)
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
                return verify_fail(r, VERIFY_BAD_FORMAT, "comment or processing instruction inside ds:Signature (in %s)",
                            qname(el, qn, sizeof qn));
            if (c->type == XML_CDATA_SECTION_NODE || c->type == XML_ENTITY_REF_NODE)
                return verify_fail(r, VERIFY_BAD_FORMAT, "CDATA or entity reference inside ds:Signature (in %s)",
                            qname(el, qn, sizeof qn));
            if (c->type != XML_TEXT_NODE)
                continue;
            const char *t = (const char *)c->content;
            size_t n = strlen(t);
            int ws_only = strspn(t, " \t\r\n") == n;
            if (!leaf || ws_only)
                return verify_fail(r, VERIFY_BAD_FORMAT, "%s text node inside ds:Signature (in %s); no text nodes, "
                            "not even newlines, are allowed there", ws_only ? "whitespace/newline" : "stray",
                            qname(el, qn, sizeof qn));
            if (isspace((unsigned char)t[0]) || isspace((unsigned char)t[n - 1]) ||
                (strict_value_element(el) && strpbrk(t, " \t\r\n")))
                return verify_fail(r, VERIFY_BAD_FORMAT, "whitespace inside the value of %s in ds:Signature",
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
            return verify_fail(r, VERIFY_BAD_FORMAT, "ds:Transforms holds something other than ds:Transform");
        if (!strcmp(alg, URI_ENVELOPED)) {
            if (have_c14n)
                return verify_fail(r, VERIFY_BAD_FORMAT, "enveloped-signature transform after canonicalization");
            ref->enveloped = 1;
        } else if (!strcmp(alg, URI_EXC_C14N) || !strcmp(alg, URI_C14N)) {
            if (have_c14n)
                return verify_fail(r, VERIFY_BAD_FORMAT, "more than one canonicalization transform");
            have_c14n = 1;
            ref->kind = !strcmp(alg, URI_EXC_C14N) ? C14N_EXCLUSIVE : C14N_INCLUSIVE;
            xmlNodePtr inc = sigxml_first_element(t);
            const char *list = inc && !strcmp((const char *)inc->name, "InclusiveNamespaces")
                                   ? sigxml_attr(inc, "PrefixList") : NULL;
            if (list && ref->kind == C14N_EXCLUSIVE)
                ref->prefixes = parse_prefix_list(list);
        } else {
            return verify_fail(r, VERIFY_BAD_FORMAT, "unsupported transform %s", alg);
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
        return verify_fail(r, VERIFY_BAD_FORMAT, "ds:Reference URI must point at an Id (\"#...\"), got \"%s\"",
                    ref->uri ? ref->uri : "");
    xmlNodePtr c = sigxml_first_element(el);
    if (is_ds(c, "Transforms")) {
        if (parse_transforms(c, ref, r))
            return 1;
        c = next_el(c);
    }
    if (!is_ds(c, "DigestMethod") || !is_ds(next_el(c), "DigestValue") || next_el(next_el(c)))
        return verify_fail(r, VERIFY_BAD_FORMAT, "ds:Reference %s: expected [Transforms] DigestMethod DigestValue", ref->uri);
    const char *uri = sigxml_attr(c, "Algorithm");
    ref->dalg = digest_alg_by_uri(uri);
    if (!ref->dalg)
        return verify_fail(r, VERIFY_BAD_FORMAT, "ds:Reference %s: unknown DigestMethod %s", ref->uri, uri ? uri : "(none)");
    ref->digest_b64 = verify_text_of(next_el(c));
    int count = 0;
    ref->target = sigxml_find_id(el->doc, ref->uri + 1, &count);
    if (!ref->target)
        return verify_fail(r, VERIFY_BAD_FORMAT, "ds:Reference %s points at no element", ref->uri);
    if (count > 1)
        return verify_fail(r, VERIFY_BAD_FORMAT, "ds:Reference %s: Id occurs %d times in the document", ref->uri, count);
    return 0;
}

static int parse_signed_info(struct parsed_sig *ps, struct verify_result *r)
{
    xmlNodePtr cm = sigxml_first_element(ps->signed_info);
    const char *c14n = is_ds(cm, "CanonicalizationMethod") ? sigxml_attr(cm, "Algorithm") : NULL;
    if (!c14n)
        return verify_fail(r, VERIFY_BAD_FORMAT, "ds:SignedInfo must start with ds:CanonicalizationMethod");
    if (!strcmp(c14n, URI_EXC_C14N))
        ps->si_kind = C14N_EXCLUSIVE;
    else if (!strcmp(c14n, URI_C14N))
        ps->si_kind = C14N_INCLUSIVE;
    else
        return verify_fail(r, VERIFY_BAD_FORMAT, "unsupported CanonicalizationMethod %s", c14n);
    xmlNodePtr sm = next_el(cm);
    const char *alg = is_ds(sm, "SignatureMethod") ? sigxml_attr(sm, "Algorithm") : NULL;
    if (!alg)
        return verify_fail(r, VERIFY_BAD_FORMAT, "ds:SignatureMethod missing after ds:CanonicalizationMethod");
    ps->alg = sig_alg_by_uri(alg);
    if (!ps->alg)
        return verify_fail(r, VERIFY_BAD_FORMAT, "unknown SignatureMethod %s", alg);
    int nrefs = 0;
    for (xmlNodePtr ref = next_el(sm); ref; ref = next_el(ref), nrefs++) {
        if (!is_ds(ref, "Reference"))
            return verify_fail(r, VERIFY_BAD_FORMAT, "unexpected element in ds:SignedInfo");
        const char *type = sigxml_attr(ref, "Type");
        int is_props = type && !strcmp(type, URI_SIGNED_PROPS);
        struct parsed_ref *slot = is_props ? &ps->props : &ps->data;
        if (slot->el)
            return verify_fail(r, VERIFY_BAD_FORMAT, "more than one %s Reference",
                        is_props ? "SignedProperties" : "data");
        if (parse_reference(ref, slot, r))
            return 1;
    }
    if (!ps->data.el)
        return verify_fail(r, VERIFY_BAD_FORMAT, "no Reference to the signed data in ds:SignedInfo");
    if (!ps->props.el)
        return verify_fail(r, VERIFY_BAD_FORMAT, "no Reference of Type %s (XAdES-BES needs one)", URI_SIGNED_PROPS);
    return 0;
}

/* Signature(SignedInfo, SignatureValue, KeyInfo(X509Data(X509Certificate)), Object(QualifyingProperties)) */
static int parse_signature(struct parsed_sig *ps, struct verify_result *r)
{
    xmlNodePtr c = sigxml_first_element(ps->sig);
    if (!is_ds(c, "SignedInfo"))
        return verify_fail(r, VERIFY_BAD_FORMAT, "ds:Signature must start with ds:SignedInfo");
    ps->signed_info = c;
    c = next_el(c);
    if (!is_ds(c, "SignatureValue"))
        return verify_fail(r, VERIFY_BAD_FORMAT, "ds:SignatureValue missing after ds:SignedInfo");
    ps->sig_value = c;
    c = next_el(c);
    if (!is_ds(c, "KeyInfo"))
        return verify_fail(r, VERIFY_BAD_FORMAT, "ds:KeyInfo with the certificate missing");
    xmlNodePtr x509 = sigxml_first_element(c);
    ps->cert_el = is_ds(x509, "X509Data") ? sigxml_first_element(x509) : NULL;
    if (!is_ds(ps->cert_el, "X509Certificate"))
        return verify_fail(r, VERIFY_BAD_FORMAT, "ds:KeyInfo must hold X509Data/X509Certificate");
    for (c = next_el(c); c && !ps->qp; c = next_el(c)) {
        if (!is_ds(c, "Object"))
            return verify_fail(r, VERIFY_BAD_FORMAT, "unexpected element after ds:KeyInfo");
        xmlNodePtr q = sigxml_first_element(c);
        if (is_xades(q, "QualifyingProperties"))
            ps->qp = q;
    }
    if (!ps->qp)
        return verify_fail(r, VERIFY_BAD_FORMAT, "no xades:QualifyingProperties (not XAdES-BES)");
    return parse_signed_info(ps, r);
}

static int parse_xades(struct parsed_sig *ps, struct verify_result *r)
{
    const char *id = sigxml_attr(ps->sig, "Id");
    const char *target = sigxml_attr(ps->qp, "Target");
    if (!id || !target || target[0] != '#' || strcmp(target + 1, id))
        return verify_fail(r, VERIFY_BAD_FORMAT, "QualifyingProperties Target must be \"#\" + the ds:Signature Id");
    ps->signed_props = ps->props.target;
    if (!is_xades(ps->signed_props, "SignedProperties") || ps->signed_props->parent != ps->qp)
        return verify_fail(r, VERIFY_BAD_FORMAT, "the SignedProperties Reference %s does not point at this "
                    "signature's xades:SignedProperties", ps->props.uri);
    xmlNodePtr ssp = sigxml_first_element(ps->signed_props);
    ps->signing_time = is_xades(ssp, "SignedSignatureProperties") ? sigxml_first_element(ssp) : NULL;
    if (!is_xades(ps->signing_time, "SigningTime"))
        return verify_fail(r, VERIFY_BAD_FORMAT, "xades:SignedSignatureProperties must start with xades:SigningTime");
    xmlNodePtr sc = next_el(ps->signing_time);
    xmlNodePtr cert = is_xades(sc, "SigningCertificate") ? sigxml_first_element(sc) : NULL;
    xmlNodePtr cd = is_xades(cert, "Cert") ? sigxml_first_element(cert) : NULL;
    xmlNodePtr is = is_xades(cd, "CertDigest") ? next_el(cd) : NULL;
    if (!is_xades(is, "IssuerSerial"))
        return verify_fail(r, VERIFY_BAD_FORMAT, "xades:SigningCertificate/Cert must hold CertDigest and IssuerSerial");
    ps->cert_digest_method = sigxml_first_element(cd);
    ps->cert_digest_value = next_el(ps->cert_digest_method);
    ps->issuer_name = sigxml_first_element(is);
    ps->serial = next_el(ps->issuer_name);
    if (!is_ds(ps->cert_digest_method, "DigestMethod") || !is_ds(ps->cert_digest_value, "DigestValue") ||
        !is_ds(ps->issuer_name, "X509IssuerName") || !is_ds(ps->serial, "X509SerialNumber"))
        return verify_fail(r, VERIFY_BAD_FORMAT, "xades:CertDigest or xades:IssuerSerial is malformed");
    return 0;
}

/* Finds ds:Signature and the element it signs (its parent). */
int verify_locate(xmlDocPtr doc, struct parsed_sig *ps, struct verify_result *r)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    int count = 0;
    for (xmlNodePtr el = root; el; el = sigxml_next_element(el, root, is_ds(el, "Signature")))
        if (is_ds(el, "Signature") && !count++)
            ps->sig = el;
    if (!ps->sig)
        return verify_fail(r, VERIFY_NO_SIGNATURE, "no ds:Signature: the document is not signed");
    if (count > 1)
        return verify_fail(r, VERIFY_BAD_FORMAT, "%d ds:Signature elements; expected one", count);
    if (check_no_text(ps->sig, r) || parse_signature(ps, r))
        return 1;
    if (ps->data.target != ps->sig->parent)
        return verify_fail(r, VERIFY_BAD_FORMAT, "ds:Signature is not inside the element its Reference %s signs",
                    ps->data.uri);
    /* GIS signs the request element itself: in an envelope, the Body child */
    xmlNodePtr signed_el = ps->sig->parent;
    if (root && root->ns && !strcmp((const char *)root->ns->href, NS_SOAP) &&
        !strcmp((const char *)root->name, "Envelope") &&
        !(signed_el->parent && signed_el->parent->ns && !strcmp((const char *)signed_el->parent->name, "Body") &&
          !strcmp((const char *)signed_el->parent->ns->href, NS_SOAP) && signed_el->parent->parent == root))
        return verify_fail(r, VERIFY_BAD_FORMAT, "the signed element <%s> is not the soap:Body child", signed_el->name);
    if (sigxml_first_element(ps->sig->parent) != ps->sig)
        return verify_fail(r, VERIFY_BAD_FORMAT, "ds:Signature is not the first child of the signed element");
    if (!ps->data.enveloped)
        return verify_fail(r, VERIFY_BAD_FORMAT, "the data Reference lacks the enveloped-signature transform");
    return parse_xades(ps, r);
}

void verify_parsed_free(struct parsed_sig *ps)
{
    free_prefixes(ps->data.prefixes);
    free_prefixes(ps->props.prefixes);
}
