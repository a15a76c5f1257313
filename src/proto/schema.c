#include "proto/schema.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/xmlschemas.h>

#include "base/fsutil.h"
#include "base/xalloc.h"
#include "base/xmlsafe.h"
#include "proto/operations.h"
#include "proto/schema_impl.h"

/* "<parent of dir>/hcs-wsdl-<package>": the official packages unpack side
 * by side under their version names. */
static char *sibling_package(const char *dir, const char *package)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    while (n > 0 && dir[n - 1] != '/')
        n--;
    char *name = xasprintf("hcs-wsdl-%s", package);
    char *parent = n ? xstrndup(dir, n) : xstrdup(".");
    char *path = path_join(parent, name);
    free(parent);
    free(name);
    return path;
}

/* A validation context of one thread for one compiled schema: the
 * compiled xmlSchemaPtr is shared read-only, contexts are not. */
struct vctxt_entry {
    xmlSchemaPtr schema;
    xmlSchemaValidCtxtPtr vctxt;
};

struct schema_validator {
    schema_set *set;
    struct vctxt_entry *items;
    size_t n, cap;
};


schema_set *schema_set_open(const char *dir, hcs_err *err)
{
    char *probe = path_join(dir, "lib/hcs-base.xsd");
    int ok = file_exists(probe);
    free(probe);
    if (!ok) {
        hcs_fail(err, HCS_EX_CONFIG,
                 "%s: not the official GIS schema package (lib/hcs-base.xsd missing); "
                 "the package is not shipped with hcsbatch: download it from dom.gosuslugi.ru "
                 "and set [paths] schemas_dir or --schemas (see schemas/README.md, installed "
                 "as share/doc/hcsbatch/schemas.md)", dir);
        return NULL;
    }
    schema_set *set = xcalloc(1, sizeof *set);
    set->dir = xstrdup(dir);
    set->debt_dir = sibling_package(dir, PKG_DEBT);
    pthread_mutex_init(&set->lock, NULL);
    xmlsafe_init();
    return set;
}

void schema_set_package_dir(schema_set *set, const char *package, const char *dir)
{
    if (strcmp(package, PKG_DEBT) != 0 || !dir || !*dir)
        return;
    free(set->debt_dir);
    set->debt_dir = xstrdup(dir);
}

schema_set *schema_set_open_config(const hcs_config *cfg, hcs_err *err)
{
    char *dir = cfg_path(cfg, "paths.schemas_dir");
    schema_set *set = schema_set_open(dir ? dir : ".", err);
    free(dir);
    const char *debt = cfg_str(cfg, "paths.debt_schemas_dir");
    if (set && debt && *debt) {
        char *d = cfg_path(cfg, "paths.debt_schemas_dir");
        schema_set_package_dir(set, PKG_DEBT, d);
        free(d);
    }
    return set;
}

const char *schema_set_package(const schema_set *set, const char *package)
{
    return package && strcmp(package, PKG_DEBT) == 0 ? set->debt_dir : set->dir;
}

void schema_set_free(schema_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++) {
        xmlSchemaFreeValidCtxt(set->items[i]->vctxt);
        xmlSchemaFree(set->items[i]->schema);
        free(set->items[i]);
    }
    free(set->items);
    schema_facts_free(set);
    free(set->debt_dir);
    free(set->dir);
    pthread_mutex_destroy(&set->lock);
    free(set);
}

const char *schema_set_dir(const schema_set *set) { return set->dir; }

static void collect_parse_error(void *ctx, const xmlError *e)
{
    char *first = ctx;
    if (!first[0] && e && e->message)
        snprintf(first, 512, "%s:%d: %s", e->file ? e->file : "?", e->line, e->message);
}

static struct compiled *compile(schema_set *set, const struct gis_service *svc, hcs_err *err)
{
    char *path = path_join(schema_set_package(set, svc ? svc->package : NULL),
                           svc ? svc->types_xsd : "lib/hcs-base.xsd");
    char first[512] = "";
    xmlSchemaParserCtxtPtr pctxt = xmlSchemaNewParserCtxt(path);
    xmlSchemaSetParserStructuredErrors(pctxt, (xmlStructuredErrorFunc)collect_parse_error, first);
    xmlSchemaPtr schema = xmlSchemaParse(pctxt);
    xmlSchemaFreeParserCtxt(pctxt);
    if (!schema) {
        hcs_fail(err, HCS_EX_CONFIG, "cannot compile schema %s: %s", path,
                 first[0] ? first : "unknown error");
        free(path);
        return NULL;
    }
    free(path);
    ARRAY_GROW(set->items, set->n, set->cap);
    struct compiled *c = xcalloc(1, sizeof *c);
    set->items[set->n++] = c;
    c->service = svc;
    c->schema = schema;
    c->vctxt = xmlSchemaNewValidCtxt(schema);
    return c;
}

static struct compiled *schema_for_ns(schema_set *set, const char *ns, hcs_err *err)
{
    const struct gis_service *svc = NULL;
    if (strcmp(ns, NS_BASE) != 0) {
        svc = gis_service_by_ns(ns);
        if (!svc) {
            hcs_fail(err, HCS_EX_DATAERR, "schema not known for namespace %s", ns);
            return NULL;
        }
    }
    /* base elements (headers, getStateRequest, AckRequest) validate against
     * any compiled service schema, since each imports base. */
    pthread_mutex_lock(&set->lock);
    struct compiled *c = NULL;
    for (size_t i = 0; i < set->n && !c; i++)
        if (set->items[i]->service == svc
            || (!svc && (!set->items[i]->service || !set->items[i]->service->package)))
            c = set->items[i];
    if (!c)
        c = compile(set, svc, err);
    pthread_mutex_unlock(&set->lock);
    return c;
}

int schema_prepare(schema_set *set, const char *ns, hcs_err *err)
{
    return schema_for_ns(set, ns, err) ? 0 : -1;
}

int schema_knows_ns(schema_set *set, const char *ns)
{
    if (strcmp(ns, NS_BASE) == 0)
        return 1;
    /* a service of the table that this package has (14.5.0.1 has six) */
    const struct gis_service *svc = gis_service_by_ns(ns);
    if (!svc)
        return 0;
    char *path = path_join(schema_set_package(set, svc->package), svc->types_xsd);
    int has = file_exists(path);
    free(path);
    return has;
}

struct relay {
    schema_error_fn fn;
    void *ctx;
    int count;
};

static void relay_error(void *ctx, const xmlError *e)
{
    struct relay *r = ctx;
    r->count++;
    if (!r->fn || !e)
        return;
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", e->message ? e->message : "invalid");
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    r->fn(r->ctx, (xmlNodePtr)e->node, e->line, msg);
}

/* The validation context for element's namespace: the set's own (one
 * thread), or the validator's (v given: one per thread). */
static xmlSchemaValidCtxtPtr vctxt_for(schema_set *set, schema_validator *v, xmlNodePtr element,
                                       hcs_err *err)
{
    if (!element || element->type != XML_ELEMENT_NODE || !element->ns || !element->ns->href) {
        hcs_fail(err, HCS_EX_DATAERR, "element without a namespace cannot be validated");
        return NULL;
    }
    struct compiled *c = schema_for_ns(set, (const char *)element->ns->href, err);
    if (!c)
        return NULL;
    if (!v)
        return c->vctxt;
    for (size_t i = 0; i < v->n; i++)
        if (v->items[i].schema == c->schema)
            return v->items[i].vctxt;
    ARRAY_GROW(v->items, v->n, v->cap);
    v->items[v->n].schema = c->schema;
    v->items[v->n].vctxt = xmlSchemaNewValidCtxt(c->schema);
    return v->items[v->n++].vctxt;
}

static int validate_element(schema_set *set, schema_validator *v, xmlNodePtr element,
                            schema_error_fn on_error, void *ctx, hcs_err *err)
{
    xmlSchemaValidCtxtPtr vc = vctxt_for(set, v, element, err);
    if (!vc)
        return -1;
    struct relay r = { on_error, ctx, 0 };
    xmlSchemaSetValidStructuredErrors(vc, (xmlStructuredErrorFunc)relay_error, &r);
    int rc = xmlSchemaValidateOneElement(vc, element);
    xmlSchemaSetValidStructuredErrors(vc, NULL, NULL);
    if (rc < 0)
        return hcs_fail(err, HCS_EX_SOFTWARE, "libxml2 schema validation failed internally");
    return (rc > 0 || r.count) ? 1 : 0;
}

int schema_validate_element(schema_set *set, xmlNodePtr element,
                            schema_error_fn on_error, void *ctx, hcs_err *err)
{
    return validate_element(set, NULL, element, on_error, ctx, err);
}

static int validate_envelope(schema_set *set, schema_validator *v, xmlDocPtr doc,
                             schema_error_fn on_error, void *ctx, hcs_err *err)
{
    xmlNodePtr env = xmlDocGetRootElement(doc);
    if (!xml_is(env, NS_SOAP, "Envelope"))
        return hcs_fail(err, HCS_EX_DATAERR, "not a SOAP 1.1 envelope");
    xmlNodePtr body = xml_child(env, NS_SOAP, "Body");
    if (!body)
        return hcs_fail(err, HCS_EX_DATAERR, "SOAP envelope without soap:Body");
    int invalid = 0, elements = 0;
    xmlNodePtr header = xml_child(env, NS_SOAP, "Header");
    for (int part = 0; part < 2; part++) {
        xmlNodePtr parent = part == 0 ? header : body;
        for (xmlNodePtr n = parent ? parent->children : NULL; n; n = n->next) {
            if (n->type != XML_ELEMENT_NODE)
                continue;
            elements += part;
            int rc = validate_element(set, v, n, on_error, ctx, err);
            if (rc < 0)
                return -1;
            invalid |= rc;
        }
    }
    if (elements != 1)
        return hcs_fail(err, HCS_EX_DATAERR, "soap:Body must hold exactly one element, found %d",
                        elements);
    return invalid;
}

int schema_validate_envelope(schema_set *set, xmlDocPtr doc,
                             schema_error_fn on_error, void *ctx, hcs_err *err)
{
    return validate_envelope(set, NULL, doc, on_error, ctx, err);
}

schema_validator *schema_validator_new(schema_set *set)
{
    schema_validator *v = xcalloc(1, sizeof *v);
    v->set = set;
    return v;
}

void schema_validator_free(schema_validator *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++)
        xmlSchemaFreeValidCtxt(v->items[i].vctxt);
    free(v->items);
    free(v);
}

int schema_validator_envelope(schema_validator *v, xmlDocPtr doc,
                              schema_error_fn on_error, void *ctx, hcs_err *err)
{
    return validate_envelope(v->set, v, doc, on_error, ctx, err);
}
