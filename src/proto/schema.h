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
