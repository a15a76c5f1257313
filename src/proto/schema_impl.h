/* schema_impl — the schema set's inside, shared by schema.c (compiled
 * schemas for validation) and schema_facts.c (facts read off the XSD
 * text).  Private to src/proto. */
#ifndef HCS_SCHEMA_IMPL_H
#define HCS_SCHEMA_IMPL_H

#include <pthread.h>
#include <stddef.h>
#include <libxml/xmlschemas.h>

struct gis_service;

struct compiled {
    const struct gis_service *service;   /* NULL for the base-only schema */
    xmlSchemaPtr schema;
    xmlSchemaValidCtxtPtr vctxt;
};

/* What one types XSD says about one global element. */
struct schema_fact {
    const struct gis_service *service;
    char *element;
    int service_present;      /* the service's types XSD is in the package */
    int element_present;      /* it declares the element globally */
    char *version;            /* fixed base:version, NULL when free or absent */
};

struct schema_set {
    char *dir;
    char *debt_dir;              /* the 14.5.0.1 package (PKG_DEBT services) */
    struct compiled **items;     /* pointers: they stay put while other threads hold them */
    size_t n, cap;
    pthread_mutex_t lock;        /* guards items (compiling happens under it) */
    struct schema_fact *facts;
    size_t nfacts, capfacts;
};

void schema_facts_free(schema_set *set);

#endif
