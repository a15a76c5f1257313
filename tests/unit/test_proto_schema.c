/* Unit tests for src/proto/operations.c against the official package: every
 * number and fixed value the operations table copies from the XSD (the
 * ELEMENT_LIMIT — maxOccurs of the repeating element of the request — and
 * the fixed base:version of the request), and every template's own packet
 * limit, is read again from the schemas and compared.  A typo in the table (a limit of 1000 where the schema says
 * 100) would otherwise only show at a real site, as "element is not
 * expected" for every packet over the limit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <iniparser.h>

#include "base/fsutil.h"
#include "base/xalloc.h"
#include "proto/operations.h"
#include "proto/schema.h"
#include "testutil.h"

#define NS_XS "http://www.w3.org/2001/XMLSchema"

static int is_xs(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->ns && strcmp((const char *)n->ns->href, NS_XS) == 0 &&
           strcmp((const char *)n->name, name) == 0;
}

static xmlNodePtr global_element(xmlDocPtr doc, const char *name)
{
    for (xmlNodePtr n = xmlDocGetRootElement(doc)->children; n; n = n->next) {
        if (!is_xs(n, "element"))
            continue;
        xmlChar *nm = xmlGetProp(n, (const xmlChar *)"name");
        int hit = nm && strcmp((const char *)nm, name) == 0;
        xmlFree(nm);
        if (hit)
            return n;
    }
    return NULL;
}

/* What the request element's own content model says: each child element
 * with its maxOccurs (through complexType/complexContent/extension/
 * sequence/choice, not into the children's own definitions) and the fixed
 * value of its base:version attribute ("" when free). */
#define MAX_CHILDREN 64
struct content_facts {
    struct { char name[96]; long max_occurs; } child[MAX_CHILDREN];   /* -1 = unbounded */
    int n;
    char version[32];
};

static void add_child(struct content_facts *f, xmlNodePtr el)
{
    xmlChar *nm = xmlGetProp(el, (const xmlChar *)"name");
    if (!nm)
        nm = xmlGetProp(el, (const xmlChar *)"ref");
    xmlChar *mo = xmlGetProp(el, (const xmlChar *)"maxOccurs");
    if (nm && f->n < MAX_CHILDREN) {
        const char *local = strchr((const char *)nm, ':');
        snprintf(f->child[f->n].name, sizeof f->child[f->n].name, "%s", local ? local + 1 : (const char *)nm);
        f->child[f->n].max_occurs = !mo ? 1 : strcmp((const char *)mo, "unbounded") == 0 ? -1
                                                 : strtol((const char *)mo, NULL, 10);
        f->n++;
    }
    xmlFree(nm);
    xmlFree(mo);
}

static void walk_content(xmlNodePtr parent, struct content_facts *f)
{
    for (xmlNodePtr n = parent->children; n; n = n->next) {
        if (is_xs(n, "element")) {
            add_child(f, n);
        } else if (is_xs(n, "attribute")) {
            xmlChar *ref = xmlGetProp(n, (const xmlChar *)"ref");
            xmlChar *fixed = xmlGetProp(n, (const xmlChar *)"fixed");
            if (ref && fixed && strcmp((const char *)ref, "base:version") == 0)
                snprintf(f->version, sizeof f->version, "%s", (const char *)fixed);
            xmlFree(ref);
            xmlFree(fixed);
        } else if (is_xs(n, "complexType") || is_xs(n, "complexContent") || is_xs(n, "extension") ||
                   is_xs(n, "sequence") || is_xs(n, "choice")) {
            walk_content(n, f);
        }
    }
}

/* maxOccurs of the request-level child `name`; 0 when there is none. */
static long max_occurs_of(const struct content_facts *f, const char *name)
{
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->child[i].name, name) == 0)
            return f->child[i].max_occurs;
    return 0;
}

/* The request element of op, read off the official package. */
static void request_facts(const struct gis_operation *op, struct content_facts *f)
{
    char path[1024];
    /* the debt-requests service reads the 14.5.0.1 package beside the main one */
    schema_set *set = schema_set_open(tu_schemas_dir(), NULL);
    assert_non_null(set);
    snprintf(path, sizeof path, "%s/%s", schema_set_package(set, op->service->package), op->service->types_xsd);
    schema_set_free(set);
    xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
    if (!doc)
        fail_msg("%s: cannot read %s", op->name, path);
    xmlNodePtr el = global_element(doc, op->request_element);
    if (!el)
        fail_msg("%s: no global element %s in %s", op->name, op->request_element, path);
    memset(f, 0, sizeof *f);
    walk_content(el, f);
    xmlFreeDoc(doc);
}

static void test_table_matches_schemas(void **state)
{
    (void)state;
    int checked = 0, wrong = 0;
    for (size_t i = 0; gis_operation_at(i); i++) {
        const struct gis_operation *op = gis_operation_at(i);
        struct content_facts f;
        request_facts(op, &f);
        if ((op->element_limit > 0) != (op->limited_element != NULL)) {
            print_error("%s: element_limit and limited_element go together\n", op->name);
            wrong++;
        } else if (op->limited_element && max_occurs_of(&f, op->limited_element) != op->element_limit) {
            print_error("%s: element_limit %d, the schema's maxOccurs of %s is %ld\n", op->name,
                        op->element_limit, op->limited_element, max_occurs_of(&f, op->limited_element));
            wrong++;
        }
        const char *want = op->version ? op->version : "";
        if (strcmp(f.version, want) != 0) {
            print_error("%s: version \"%s\", the schema fixes \"%s\"\n", op->name, want, f.version);
            wrong++;
        }
        checked++;
    }
    assert_int_equal(wrong, 0);
    assert_true(checked >= 20);
}

/* A template's packets hold at most `limit` (map.ini, else the operation's
 * element_limit) copies of its element (the root of element.xml): that
 * number must be the element's maxOccurs in the request. */
static void test_templates_limits_match_schemas(void **state)
{
    (void)state;
    static const char *const forms[] = { "importAccountData", "importMeteringDeviceData",
                                         "importMeteringDeviceValues", "importPaymentDocumentData",
                                         "importPaymentDocumentData-withdraw", "importResponses", NULL };
    for (int i = 0; forms[i]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/templates/%s/map.ini", tu_top(), forms[i]);
        dictionary *d = iniparser_load(path);
        assert_non_null(d);
        const struct gis_operation *op = gis_operation_find(iniparser_getstring(d, "template:operation", ""));
        assert_non_null(op);
        long limit = iniparser_getint(d, "template:limit", op->element_limit);
        iniparser_freedict(d);

        snprintf(path, sizeof path, "%s/templates/%s/element.xml", tu_top(), forms[i]);
        xmlDocPtr el = xmlReadFile(path, NULL, XML_PARSE_NONET);
        assert_non_null(el);
        char name[96];
        snprintf(name, sizeof name, "%s", (const char *)xmlDocGetRootElement(el)->name);
        xmlFreeDoc(el);

        struct content_facts f;
        request_facts(op, &f);
        if (max_occurs_of(&f, name) != limit)
            fail_msg("template %s: %ld %s per packet, the schema's maxOccurs is %ld", forms[i], limit, name,
                     max_occurs_of(&f, name));
    }
}

/* The walk itself, on a schema written here: a nested choice counts, a
 * grandchild does not, a ref names its element without the prefix. */
static void test_walk_reads_only_the_request_level(void **state)
{
    (void)state;
    static const char xsd[] =
        "<xs:schema xmlns:xs='" NS_XS "'>"
        "<xs:element name='r'><xs:complexType><xs:sequence>"
        "<xs:choice><xs:element name='a' maxOccurs='250'>"
        "<xs:complexType><xs:sequence><xs:element name='deep' maxOccurs='9999'/></xs:sequence></xs:complexType>"
        "</xs:element></xs:choice>"
        "<xs:element ref='p:b' maxOccurs='unbounded'/>"
        "</xs:sequence><xs:attribute ref='base:version' fixed='1.2.3'/></xs:complexType></xs:element>"
        "</xs:schema>";
    xmlDocPtr doc = xmlReadMemory(xsd, (int)strlen(xsd), "t.xsd", NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    struct content_facts f;
    memset(&f, 0, sizeof f);
    walk_content(global_element(doc, "r"), &f);
    assert_int_equal(max_occurs_of(&f, "a"), 250);
    assert_int_equal(max_occurs_of(&f, "b"), -1);
    assert_int_equal(max_occurs_of(&f, "deep"), 0);
    assert_string_equal(f.version, "1.2.3");
    xmlFreeDoc(doc);
}

/* The other package beside the configured one (12.2.2.15 ↔ 14.5.0.1). */
static char *package(const char *name)
{
    return xasprintf("%s/../%s", tu_schemas_dir(), name);
}

/* What schema_facts reads off each package: the request or result
 * element's own fixed base:version (not one of an element nested in it:
 * house-management's getStateResult holds an ImportResult fixing 10.0.1.1,
 * its own is 11.0.0.1), presence of services and elements, and the check
 * convert runs before a template's first row. */
static void test_facts_of_both_packages(void **state)
{
    (void)state;
    char *d12 = package("hcs-wsdl-12.2.2.15"), *d14 = package("hcs-wsdl-14.5.0.1");
    hcs_err err = { 0 };
    schema_set *p12 = schema_set_open(d12, &err), *p14 = schema_set_open(d14, &err);
    assert_non_null(p12);
    assert_non_null(p14);
    const struct gis_service *hm = gis_service_find("house-management");
    const struct gis_service *dm = gis_service_find("device-metering");
    assert_string_equal(schema_fixed_version(p12, hm, "getStateResult"), "11.0.0.1");
    assert_string_equal(schema_fixed_version(p14, hm, "getStateResult"), "11.0.0.1");
    assert_string_equal(schema_fixed_version(p12, hm, "importHouseUORequest"), "11.0.10.1");
    assert_null(schema_fixed_version(p14, hm, "importHouseUORequest"));          /* free in 14.5 */
    assert_string_equal(schema_fixed_version(p12, dm, "exportMeteringDeviceHistoryRequest"), "10.0.1.1");
    assert_null(schema_fixed_version(p14, dm, "exportMeteringDeviceHistoryRequest"));
    assert_string_equal(schema_fixed_version(p14, hm, "importAccountRequest"), "10.0.1.1");
    assert_null(schema_fixed_version(p14, gis_service_find("bills"), "getStateResult"));

    /* the templates' operations: in both; bills only in 12.2.2.15 */
    static const char *const both[] = { "importAccountData", "importMeteringDeviceData",
                                        "importMeteringDeviceValues", "exportAccountData", NULL };
    for (const char *const *op = both; *op; op++) {
        assert_int_equal(schema_check_operation(p12, gis_operation_find(*op), &err), 0);
        assert_int_equal(schema_check_operation(p14, gis_operation_find(*op), &err), 0);
    }
    assert_int_equal(schema_check_operation(p12, gis_operation_find("importPaymentDocumentData"), &err), 0);
    assert_int_equal(schema_check_operation(p14, gis_operation_find("importPaymentDocumentData"), &err), -1);
    assert_int_equal(err.code, HCS_EX_CONFIG);
    assert_non_null(strstr(err.msg, "it has no service bills"));
    assert_non_null(strstr(err.msg, d14));
    /* a service it has, an element it lacks */
    struct gis_operation gone = *gis_operation_find("importAccountData");
    gone.name = "importHouseRSOData";
    gone.request_element = "importHouseRSORequest";   /* dropped in 14.5.0.1 */
    gone.version = NULL;
    assert_int_equal(schema_check_operation(p12, &gone, &err), 0);
    assert_int_equal(schema_check_operation(p14, &gone, &err), -1);
    assert_non_null(strstr(err.msg, "declares no element importHouseRSORequest"));

    assert_true(schema_knows_ns(p12, gis_service_find("bills")->ns));
    assert_false(schema_knows_ns(p14, gis_service_find("bills")->ns));
    assert_true(schema_knows_ns(p14, hm->ns));
    schema_set_free(p12);
    schema_set_free(p14);
    free(d12);
    free(d14);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_reads_only_the_request_level),
        cmocka_unit_test(test_table_matches_schemas),
        cmocka_unit_test(test_templates_limits_match_schemas),
        cmocka_unit_test(test_facts_of_both_packages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
