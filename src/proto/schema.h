/* schema — validation against the official XSD package.
 *
 * The package ships no SOAP envelope schema, so validation is per element:
 * each soap:Header child and the soap:Body child is checked against the
 * global declaration in its namespace.  Schemas are compiled lazily, once
 * per service, the first time an element of that namespace is validated
 * (an idle run compiles nothing). */
#ifndef HCS_SCHEMA_H
#define HCS_SCHEMA_H

#include <libxml/tree.h>

#include "base/config.h"
#include "base/err.h"

typedef struct schema_set schema_set;

/* One validation problem: the offending node (may be NULL), its line and
 * libxml2's message (trailing newline removed). */
typedef void (*schema_error_fn)(void *ctx, xmlNodePtr node, int line, const char *message);

/* Checks that dir looks like the package (lib/hcs-base.xsd present);
 * compiles nothing yet. */
schema_set *schema_set_open(const char *dir, hcs_err *err);
void schema_set_free(schema_set *set);
const char *schema_set_dir(const schema_set *set);
/* schema_set_open of paths.schemas_dir, with paths.debt_schemas_dir applied. */
schema_set *schema_set_open_config(const hcs_config *cfg, hcs_err *err);
/* Where the services of another package (PKG_DEBT: debt-requests) load
 * from; by default hcs-wsdl-<package> next to dir.  An empty dir keeps
 * the default.  Nothing is checked until such a service is validated. */
void schema_set_package_dir(schema_set *set, const char *package, const char *dir);
const char *schema_set_package(const schema_set *set, const char *package);

/* 1 when the namespace is base or belongs to a service we know that this
 * package has (its types XSD is there). */

/* Compiles the schema of namespace ns now (in this thread: libxml2's
 * error handlers are per thread, and the set's are the logging ones),
 * so that workers validating later find it ready.  0, or -1 (err). */
int schema_prepare(schema_set *set, const char *ns, hcs_err *err);

/* 1 when the namespace belongs to a service of the package we know. */
int schema_knows_ns(schema_set *set, const char *ns);

/* Validates one element (and its subtree) in place.  Returns 0 when valid,
 * 1 when invalid (on_error called for each problem, may be NULL), -1 when
 * the schema cannot be loaded or the namespace is unknown (err filled). */
int schema_validate_element(schema_set *set, xmlNodePtr element,
                            schema_error_fn on_error, void *ctx, hcs_err *err);

/* Validates every soap:Header child and the soap:Body child of an envelope.
 * Same return convention. */
int schema_validate_envelope(schema_set *set, xmlDocPtr doc,
                             schema_error_fn on_error, void *ctx, hcs_err *err);

/* Facts read off the package's XSD text (schema_facts.c), for packages
 * that differ from the one the operation table was written from. */
struct gis_service;
struct gis_operation;
/* The base:version the package fixes on element (a global element of the
 * service's types XSD), or NULL when it fixes none, lacks the element or
 * the service.  The string lives as long as the set. */
const char *schema_fixed_version(schema_set *set, const struct gis_service *svc, const char *element);
/* 0 when the package has the operation's request element with the
 * base:version the operation table writes; otherwise HCS_EX_CONFIG naming
 * the operation, the package and what is missing or different. */
int schema_check_operation(schema_set *set, const struct gis_operation *op, hcs_err *err);

/* What schema package a directory holds (`hcsbatch health`). */
struct schema_package_info {
    char version[32];         /* package version ("12.2.2.15"), "" when it does not say */
    char version_source[24];  /* "changelog.txt" or "folder name" */
    char base_version[32];    /* version attribute of lib/hcs-base.xsd */
    char missing[128];        /* first types XSD an operation needs that is absent, or "" */
};
/* -1 (HCS_EX_CONFIG) when dir is not the package at all. */
int schema_package_inspect(const char *dir, struct schema_package_info *info, hcs_err *err);

/* Validation from several threads: the compiled schemas are shared (compiled
 * once, under the set's lock), each thread validates through a validator
 * of its own (its own xmlSchemaValidCtxt per schema).  The set-level
 * functions above use the set's own contexts: one thread at a time. */
typedef struct schema_validator schema_validator;
schema_validator *schema_validator_new(schema_set *set);
/* Before the set is freed. */
void schema_validator_free(schema_validator *v);
/* schema_validate_envelope through the validator. */
int schema_validator_envelope(schema_validator *v, xmlDocPtr doc,
                              schema_error_fn on_error, void *ctx, hcs_err *err);

#endif
