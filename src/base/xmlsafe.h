/* xmlsafe — parsing XML that comes from outside (XLSX parts, SOAP answers,
 * requests to the simulator): no network, no external entities, no DTD
 * loading, no entity expansion, bounded size.  Every parse of untrusted
 * bytes in hcsbatch goes through here. */
#ifndef HCS_XMLSAFE_H
#define HCS_XMLSAFE_H

#include <stddef.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>

#include "base/err.h"

/* Options for xmlReadMemory/xmlReaderFor*: NONET, no NOENT/DTDLOAD/HUGE. */
int xmlsafe_options(void);
/* Process-wide libxml2 setup (idempotent): no external entity loader. */
void xmlsafe_init(void);
/* what names the input in messages ("response from …", a file name). */
xmlDocPtr xmlsafe_parse(const char *buf, size_t len, const char *what, hcs_err *err);
xmlDocPtr xmlsafe_parse_file(const char *path, hcs_err *err);

/* Small helpers for walking parsed documents by namespace + local name. */
xmlNodePtr xml_child(xmlNodePtr parent, const char *ns, const char *name);
xmlNodePtr xml_next(xmlNodePtr after, const char *ns, const char *name);
xmlNodePtr xml_find(xmlNodePtr root, const char *ns, const char *name);  /* depth-first */
/* Text content of a child element, newly allocated (xmlFree) or NULL. */
char *xml_child_text(xmlNodePtr parent, const char *ns, const char *name);
int xml_is(xmlNodePtr node, const char *ns, const char *name);

#endif
