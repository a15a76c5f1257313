/* c14n — node-set selection for xmlC14NExecute and streaming sinks. */
#include "sign/c14n.h"

#include <string.h>

#include <libxml/c14n.h>
#include <libxml/xmlIO.h>
#include <openssl/err.h>

struct c14n_run {
    const struct c14n_spec *spec;
    c14n_sink sink;
    void *ctx;
    int failed;
};

/* libxml2 asks for every node of the document: elements and text by
 * themselves, attributes and namespace nodes together with the element
 * they are considered on (`parent`).  Visible = inside apex, not inside
 * exclude.  xmlNs shares xmlNode's leading layout up to `type`. */
static int is_visible(void *user, xmlNodePtr node, xmlNodePtr parent)
{
    const struct c14n_spec *spec = user;
    xmlNodePtr n = node;
    if (node->type == XML_NAMESPACE_DECL || node->type == XML_ATTRIBUTE_NODE)
        n = parent;
    for (; n; n = n->parent) {
        if (n == spec->exclude)
            return 0;
        if (n == spec->apex)
            return 1;
    }
    return 0;
}

static int write_cb(void *user, const char *buf, int len)
{
    struct c14n_run *run = user;
    if (run->failed || run->sink(run->ctx, buf, (size_t)len) < 0) {
        run->failed = 1;
        return -1;
    }
    return len;
}

static int close_cb(void *user)
{
    (void)user;
    return 0;
}

static int is_xml_ns(const xmlNs *ns)
{
    return ns && ns->prefix && !strcmp((const char *)ns->prefix, "xml");
}

/* Inclusive c14n inherits xml:* attributes from ancestors; a copy would
 * lose them, so such documents take the node-set walk. */
static int ancestors_have_xml_attrs(xmlNodePtr apex)
{
    for (xmlNodePtr a = apex->parent; a && a->type == XML_ELEMENT_NODE; a = a->parent)
        for (xmlAttrPtr at = a->properties; at; at = at->next)
            if (is_xml_ns(at->ns))
                return 1;
    return 0;
}

/* A document whose root is a copy of apex carrying every namespace in
 * scope at apex: its whole-document c14n equals the subset c14n of apex
 * (inclusive: the apex renders all namespaces in scope; exclusive: only
 * the utilized and listed ones, wherever they are declared). */
static xmlDocPtr isolate(const struct c14n_spec *spec)
{
    if (spec->exclude || (spec->kind == C14N_INCLUSIVE && ancestors_have_xml_attrs(spec->apex)))
        return NULL;
    xmlDocPtr tmp = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr copy = tmp ? xmlDocCopyNode(spec->apex, tmp, 1) : NULL;
    if (!copy) {
        xmlFreeDoc(tmp);
        return NULL;
    }
    xmlDocSetRootElement(tmp, copy);
    xmlNsPtr *in_scope = xmlGetNsList(spec->apex->doc, spec->apex);
    for (size_t i = 0; in_scope && in_scope[i]; i++) {
        xmlNsPtr ns = in_scope[i];
        int declared = is_xml_ns(ns);
        for (xmlNsPtr d = copy->nsDef; d && !declared; d = d->next)
            declared = xmlStrEqual(d->prefix, ns->prefix);
        if (!declared)
            xmlNewNs(copy, ns->href, ns->prefix);
    }
    xmlFree(in_scope);
    return tmp;
}

int c14n_stream(const struct c14n_spec *spec, c14n_sink sink, void *ctx, hcs_err *err)
{
    struct c14n_run run = { spec, sink, ctx, 0 };
    xmlDocPtr alone = spec->isolated ? isolate(spec) : NULL;
    xmlOutputBufferPtr out = xmlOutputBufferCreateIO(write_cb, close_cb, &run, NULL);
    if (!out) {
        xmlFreeDoc(alone);
        return hcs_fail(err, HCS_EX_SOFTWARE, "cannot create a c14n output buffer");
    }
    int mode = spec->kind == C14N_EXCLUSIVE ? XML_C14N_EXCLUSIVE_1_0 : XML_C14N_1_0;
    xmlChar **prefixes = spec->kind == C14N_EXCLUSIVE ? spec->prefixes : NULL;
    int n = alone ? xmlC14NExecute(alone, NULL, NULL, mode, prefixes, 0, out)
                  : xmlC14NExecute(spec->apex->doc, is_visible, (void *)spec, mode, prefixes, 0, out);
    int closed = xmlOutputBufferClose(out);
    xmlFreeDoc(alone);
    if (n < 0 || closed < 0 || run.failed)
        return hcs_fail(err, HCS_EX_SOFTWARE, "canonicalization of <%s> failed",
                        spec->apex->name ? (const char *)spec->apex->name : "?");
    return 0;
}

static int digest_sink(void *ctx, const void *data, size_t len)
{
    return EVP_DigestUpdate(ctx, data, len) ? 0 : -1;
}

int c14n_digest(const struct c14n_spec *spec, const EVP_MD *md,
                unsigned char *out, unsigned int *outlen, hcs_err *err)
{
    EVP_MD_CTX *mdctx = EVP_MD_CTX_new();
    if (!mdctx || !EVP_DigestInit_ex(mdctx, md, NULL)) {
        EVP_MD_CTX_free(mdctx);
        ERR_clear_error();
        return hcs_fail(err, HCS_EX_SOFTWARE, "cannot start digest %s", EVP_MD_get0_name(md));
    }
    int rc = c14n_stream(spec, digest_sink, mdctx, err);
    if (rc == 0 && !EVP_DigestFinal_ex(mdctx, out, outlen)) {
        ERR_clear_error();
        rc = hcs_fail(err, HCS_EX_SOFTWARE, "digest %s failed", EVP_MD_get0_name(md));
    }
    EVP_MD_CTX_free(mdctx);
    return rc;
}

static int buffer_sink(void *ctx, const void *data, size_t len)
{
    sb_add(ctx, data, len);
    return 0;
}

int c14n_to_buffer(const struct c14n_spec *spec, strbuf *sb, hcs_err *err)
{
    return c14n_stream(spec, buffer_sink, sb, err);
}
