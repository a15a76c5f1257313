/* operations — what the official package says about each async operation:
 * service endpoint, SOAPAction, request element, fixed base:version, header
 * kind and ELEMENT_LIMIT.  Shared by the converter, the exchange and the
 * simulator, so all three agree on the protocol. */
#ifndef HCS_OPERATIONS_H
#define HCS_OPERATIONS_H

#include <stddef.h>

#define NS_BASE   "http://dom.gosuslugi.ru/schema/integration/base/"
#define NS_SOAP   "http://schemas.xmlsoap.org/soap/envelope/"
#define NS_DSIG   "http://www.w3.org/2000/09/xmldsig#"
#define NS_XADES  "http://uri.etsi.org/01903/v1.3.2#"

enum gis_header { HDR_REQUEST, HDR_IS };   /* base:RequestHeader | base:ISRequestHeader */

/* The main package is 12.2.2.15 (paths.schemas_dir); the debt-requests
 * service ships only in 14.5.0.1 (paths.debt_schemas_dir, by default
 * hcs-wsdl-14.5.0.1 next to the main package). */
#define PKG_MAIN "12.2.2.15"
#define PKG_DEBT "14.5.0.1"

struct gis_service {
    const char *name;            /* folder in the package: "house-management" */
    const char *ns;              /* target namespace, with trailing slash */
    const char *endpoint_path;   /* appended to gis.base_url */
    const char *types_xsd;       /* relative to the schemas directory */
    const char *result_version;  /* base:version of its getStateResult */
    enum gis_header header;      /* header its getState uses */
    const char *package;         /* schema package when not the main one (PKG_DEBT), else NULL */
};

struct gis_operation {
    const char *name;            /* "importAccountData" */
    const struct gis_service *service;
    const char *soap_action;     /* "urn:importAccountData" */
    const char *request_element; /* local name, in service->ns */
    const char *version;         /* fixed base:version, NULL when free */
    enum gis_header header;
    int element_limit;           /* maxOccurs of the repeating element, 0 = none */
    const char *limited_element; /* local name of the element element_limit counts, NULL = none */
};

const struct gis_operation *gis_operation_find(const char *name);
const struct gis_operation *gis_operation_by_element(const char *ns, const char *element);
const struct gis_operation *gis_operation_at(size_t i);   /* iterate; NULL at the end */
const struct gis_service *gis_service_find(const char *name);
const struct gis_service *gis_service_by_path(const char *path);
const struct gis_service *gis_service_by_ns(const char *ns);

#endif
