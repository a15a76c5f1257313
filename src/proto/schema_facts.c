/* schema_facts — what the configured package itself says about a request
 * or result element: is it there at all, and which base:version does it
 * fix.  Packages differ here (14.5.0.1 has six services, no bills/payment/
 * nsi; it leaves importHouseUORequest, exportCAChAsyncRequest and
 * exportMeteringDeviceHistoryRequest free where 12.2.2.15 fixes them), so
 * these answers are read from the XSD files, never assumed.  Each types XSD is parsed once per set and the answers kept. */
#include "proto/schema.h"
#include "proto/schema_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fsutil.h"
#include "base/xalloc.h"
#include "base/xmlsafe.h"
#include "proto/operations.h"

#define NS_XS "http://www.w3.org/2001/XMLSchema"

/* The fixed value of the base:version attribute somewhere inside el
 * (the request/result types put it in an extension), or NULL. */
static char *fixed_version(xmlNodePtr el)
{
    for (xmlNodePtr n = el->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (xml_is(n, NS_XS, "attribute")) {
            xmlChar *ref = xmlGetProp(n, BAD_CAST "ref");
            const char *colon = ref ? strchr((const char *)ref, ':') : NULL;
            int is_version = ref && strcmp(colon ? colon + 1 : (const char *)ref, "version") == 0;
            xmlFree(ref);
            if (is_version) {
                xmlChar *fixed = xmlGetProp(n, BAD_CAST "fixed");
                char *v = fixed ? xstrdup((const char *)fixed) : NULL;
                xmlFree(fixed);
                return v;
            }
            continue;
        }
        if (xml_is(n, NS_XS, "element"))   /* a nested element's attributes are not ours */
            continue;
        char *v = fixed_version(n);
        if (v)
            return v;
    }
    return NULL;
}

static struct schema_fact *remember(schema_set *set, const struct gis_service *svc, const char *element)
{
    ARRAY_GROW(set->facts, set->nfacts, set->capfacts);
    struct schema_fact *f = &set->facts[set->nfacts++];
    memset(f, 0, sizeof *f);
    f->service = svc;
    f->element = xstrdup(element);
    return f;
}

static const struct schema_fact *fact_for(schema_set *set, const struct gis_service *svc,
                                          const char *element, hcs_err *err)
{
    for (size_t i = 0; i < set->nfacts; i++)
        if (set->facts[i].service == svc && strcmp(set->facts[i].element, element) == 0)
            return &set->facts[i];
    char *path = path_join(schema_set_package(set, svc->package), svc->types_xsd);
    if (!file_exists(path)) {
        free(path);
        return remember(set, svc, element);   /* the service is not in this package */
    }
    xmlDocPtr doc = xmlsafe_parse_file(path, err);
    free(path);
    if (!doc)
        return NULL;
    struct schema_fact *f = remember(set, svc, element);
    f->service_present = 1;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    for (xmlNodePtr n = root ? root->children : NULL; n; n = n->next) {
        if (!xml_is(n, NS_XS, "element"))
            continue;
        xmlChar *name = xmlGetProp(n, BAD_CAST "name");
        int match = name && strcmp((const char *)name, element) == 0;
        xmlFree(name);
        if (match) {
            f->element_present = 1;
            f->version = fixed_version(n);
            break;
        }
    }
    xmlFreeDoc(doc);
    return f;
}

void schema_facts_free(schema_set *set)
{
    for (size_t i = 0; i < set->nfacts; i++) {
        free(set->facts[i].element);
        free(set->facts[i].version);
    }
    free(set->facts);
    set->facts = NULL;
    set->nfacts = set->capfacts = 0;
}

const char *schema_fixed_version(schema_set *set, const struct gis_service *svc, const char *element)
{
    hcs_err err = { 0 };
    const struct schema_fact *f = fact_for(set, svc, element, &err);
    return f ? f->version : NULL;
}

int schema_check_operation(schema_set *set, const struct gis_operation *op, hcs_err *err)
{
    const struct schema_fact *f = fact_for(set, op->service, op->request_element, err);
    if (!f)
        return -1;
    if (!f->service_present)
        return hcs_fail(err, HCS_EX_CONFIG, "operation %s is not in the schema package %s: it has no "
                        "service %s (%s missing); set paths.schemas_dir to a package that has it",
                        op->name, schema_set_package(set, op->service->package), op->service->name, op->service->types_xsd);
    if (!f->element_present)
        return hcs_fail(err, HCS_EX_CONFIG, "operation %s is not in the schema package %s: %s declares "
                        "no element %s; set paths.schemas_dir to a package that has it",
                        op->name, schema_set_package(set, op->service->package), op->service->types_xsd, op->request_element);
    if (f->version && op->version && strcmp(f->version, op->version) != 0)
        return hcs_fail(err, HCS_EX_CONFIG, "operation %s: the schema package %s fixes base:version=\"%s\" "
                        "for %s, hcsbatch writes \"%s\" (a package newer than this hcsbatch knows)",
                        op->name, schema_set_package(set, op->service->package), f->version, op->request_element, op->version);
    return 0;
}
