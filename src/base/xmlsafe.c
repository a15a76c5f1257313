#include "base/xmlsafe.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <libxml/parser.h>

#include "base/log.h"

static xmlExternalEntityLoader default_loader;

/* libxml2 never reaches the network: schema imports of local files still
 * load (the official XSDs import each other by relative path), anything with
 * a non-file URL scheme gets nothing.  Documents are parsed without DTD
 * loading or entity substitution, so this loader serves only the schema
 * compiler. */
static xmlParserInputPtr local_files_only(const char *url, const char *id,
                                          xmlParserCtxtPtr ctxt)
{
    if (url && strstr(url, "://") && strncmp(url, "file://", 7) != 0)
        return NULL;
    return default_loader(url, id, ctxt);
}

/* libxml2's own messages go through the logger (and so to syslog when
 * configured), never raw to stderr.  Parse errors are returned to the
 * caller through hcs_err as well (xmlGetLastError), so they are details
 * (debug); anything else libxml2 says is a warning. */
static void log_structured(void *ctx, xmlErrorPtr e)
{
    (void)ctx;
    if (!e || !e->message)
        return;
    int detail = e->domain == XML_FROM_PARSER || e->domain == XML_FROM_NAMESPACE || e->domain == XML_FROM_IO
                 || e->domain == XML_FROM_I18N || e->level == XML_ERR_WARNING;
    size_t n = strcspn(e->message, "\n");
    log_msg(detail ? LOG_LVL_DEBUG : LOG_LVL_WARN, "libxml2: %s%s%.*s (line %d)", e->file ? e->file : "",
            e->file ? ": " : "", (int)n, e->message, e->line);
}

/* The old-style channel sends a line in pieces: collected up to its newline
 * (per thread: the --jobs workers report through it too). */
static void log_generic(void *ctx, const char *fmt, ...)
{
    static _Thread_local char line[1024];
    (void)ctx;
    size_t used = strlen(line);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + used, sizeof line - used, fmt, ap);
    va_end(ap);
    char *nl;
    while ((nl = strchr(line, '\n')) != NULL || strlen(line) >= sizeof line - 1) {
        if (nl)
            *nl = '\0';
        if (line[0])
            log_warn("libxml2: %s", line);
        size_t rest = nl ? strlen(nl + 1) : 0;
        memmove(line, nl ? nl + 1 : line + strlen(line), rest + 1);
    }
}

void xmlsafe_init(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    xmlInitParser();
    /* libxml2's error handlers are per thread: the ThrDef calls give
     * threads started later (the convert pool) the same ones. */
    xmlSetStructuredErrorFunc(NULL, log_structured);
    xmlSetGenericErrorFunc(NULL, log_generic);
    xmlThrDefSetStructuredErrorFunc(NULL, log_structured);
    xmlThrDefSetGenericErrorFunc(NULL, log_generic);
    default_loader = xmlGetExternalEntityLoader();
    xmlSetExternalEntityLoader(local_files_only);
}

int xmlsafe_options(void)
{
    return XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
           XML_PARSE_NOCDATA;
}

static void first_error(hcs_err *err, const char *what)
{
    const xmlError *e = xmlGetLastError();
    if (e && e->message) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", e->message);
        size_t n = strlen(msg);
        while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
            msg[--n] = '\0';
        hcs_fail(err, HCS_EX_DATAERR, "%s: not well-formed XML (line %d: %s)", what, e->line, msg);
    } else {
        hcs_fail(err, HCS_EX_DATAERR, "%s: not well-formed XML", what);
    }
}

xmlDocPtr xmlsafe_parse(const char *buf, size_t len, const char *what, hcs_err *err)
{
    xmlsafe_init();
    if (len > (size_t)0x7fffffff) {
        hcs_fail(err, HCS_EX_DATAERR, "%s: XML larger than 2 GB", what);
        return NULL;
    }
    xmlResetLastError();
    xmlDocPtr doc = xmlReadMemory(buf, (int)len, NULL, NULL, xmlsafe_options());
    if (!doc) {
        first_error(err, what);
        return NULL;
    }
    /* A DOCTYPE in a SOAP message or an XLSX part has no business being there. */
    if (doc->intSubset || doc->extSubset) {
        xmlFreeDoc(doc);
        hcs_fail(err, HCS_EX_DATAERR, "%s: DOCTYPE declarations are not accepted", what);
        return NULL;
    }
    return doc;
}

xmlDocPtr xmlsafe_parse_file(const char *path, hcs_err *err)
{
    xmlsafe_init();
    xmlResetLastError();
    xmlDocPtr doc = xmlReadFile(path, NULL, xmlsafe_options());
    if (!doc) {
        first_error(err, path);
        return NULL;
    }
    if (doc->intSubset || doc->extSubset) {
        xmlFreeDoc(doc);
        hcs_fail(err, HCS_EX_DATAERR, "%s: DOCTYPE declarations are not accepted", path);
        return NULL;
    }
    return doc;
}

int xml_is(xmlNodePtr node, const char *ns, const char *name)
{
    if (!node || node->type != XML_ELEMENT_NODE)
        return 0;
    if (name && strcmp((const char *)node->name, name) != 0)
        return 0;
    if (ns) {
        if (!node->ns || !node->ns->href || strcmp((const char *)node->ns->href, ns) != 0)
            return 0;
    }
    return 1;
}

xmlNodePtr xml_next(xmlNodePtr after, const char *ns, const char *name)
{
    for (xmlNodePtr n = after ? after->next : NULL; n; n = n->next)
        if (xml_is(n, ns, name))
            return n;
    return NULL;
}

xmlNodePtr xml_child(xmlNodePtr parent, const char *ns, const char *name)
{
    if (!parent)
        return NULL;
    for (xmlNodePtr n = parent->children; n; n = n->next)
        if (xml_is(n, ns, name))
            return n;
    return NULL;
}

xmlNodePtr xml_find(xmlNodePtr root, const char *ns, const char *name)
{
    if (!root)
        return NULL;
    if (xml_is(root, ns, name))
        return root;
    for (xmlNodePtr n = root->children; n; n = n->next) {
        xmlNodePtr hit = xml_find(n, ns, name);
        if (hit)
            return hit;
    }
    return NULL;
}

char *xml_child_text(xmlNodePtr parent, const char *ns, const char *name)
{
    xmlNodePtr c = xml_child(parent, ns, name);
    return c ? (char *)xmlNodeGetContent(c) : NULL;
}
