/* sigxml — finding things in signed documents: elements by their Id
 * attribute (counting duplicates, which signature-wrapping attacks need)
 * and the signed-data-container.  Owned by src/sign/. */
#ifndef HCS_SIGN_SIGXML_H
#define HCS_SIGN_SIGXML_H

#include <libxml/tree.h>

#define SIGNED_CONTAINER_ID "signed-data-container"

/* The element whose no-namespace attribute Id equals id; *count (may be
 * NULL) gets how many elements carry it. */
xmlNodePtr sigxml_find_id(xmlDocPtr doc, const char *id, int *count);
/* Next element in document order after n (NULL at the end); descends
 * into n's children first unless skip_children. */
xmlNodePtr sigxml_next_element(xmlNodePtr n, xmlNodePtr root, int skip_children);
/* First element child of parent, NULL if none. */
xmlNodePtr sigxml_first_element(xmlNodePtr parent);
/* Attribute without namespace, or NULL (pointer into the tree). */
const char *sigxml_attr(xmlNodePtr el, const char *name);

#endif
