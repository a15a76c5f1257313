/* attrs — the registry's "name=value;name=value" attribute strings.  A
 * value may hold any text: '%', ';' and '=' are written as %25, %3B, %3D
 * (free text from GIS answers — an address, an organisation name — would
 * otherwise cut the list). */
#ifndef HCS_ATTRS_H
#define HCS_ATTRS_H

#include "base/strbuf.h"

/* Appends name=value (escaped), with a ';' before it when sb is not empty.
 * A NULL or empty value appends nothing. */
void attrs_add(strbuf *sb, const char *name, const char *value);
/* The unescaped value of name in attrs (malloc'd), or NULL when absent. */
char *attrs_get(const char *attrs, const char *name);

#endif
