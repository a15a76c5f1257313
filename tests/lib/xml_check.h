/* xml_check — libxml2 for the tests' assertions: XPath over a document
 * with the GIS namespace prefixes (hm, dm, b, base) registered, and a
 * document as text. */
#ifndef HCS_XML_CHECK_H
#define HCS_XML_CHECK_H

#include <libxml/tree.h>

int tu_xpath_count(xmlDocPtr doc, const char *xpath);    /* nodes matched */
char *tu_xpath_str(xmlDocPtr doc, const char *xpath);    /* string(xpath), "" if none; caller frees */
char *tu_doc_text(xmlDocPtr doc);                        /* UTF-8 serialisation; caller frees */

#endif
