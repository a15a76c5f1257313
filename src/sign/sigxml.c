/* sigxml — Id lookup and iteration without recursion (input is untrusted). */
#include "sign/sigxml.h"

#include <string.h>

const char *sigxml_attr(xmlNodePtr el, const char *name)
{
    for (xmlAttrPtr a = el ? el->properties : NULL; a; a = a->next)
        if (!a->ns && !strcmp((const char *)a->name, name) && a->children &&
            a->children->type == XML_TEXT_NODE && !a->children->next)
            return (const char *)a->children->content;
    return NULL;
}

xmlNodePtr sigxml_first_element(xmlNodePtr parent)
{
    for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return c;
    return NULL;
}

xmlNodePtr sigxml_next_element(xmlNodePtr n, xmlNodePtr root, int skip_children)
{
    if (!skip_children) {
        xmlNodePtr c = sigxml_first_element(n);
        if (c)
            return c;
    }
    while (n && n != root) {
        for (xmlNodePtr s = n->next; s; s = s->next)
            if (s->type == XML_ELEMENT_NODE)
                return s;
        n = n->parent;
    }
    return NULL;
}

xmlNodePtr sigxml_find_id(xmlDocPtr doc, const char *id, int *count)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlNodePtr found = NULL;
    int n = 0;
    for (xmlNodePtr el = root; el; el = sigxml_next_element(el, root, 0)) {
        const char *v = sigxml_attr(el, "Id");
        if (v && !strcmp(v, id)) {
            if (!found)
                found = el;
            n++;
        }
    }
    if (count)
        *count = n;
    return found;
}
