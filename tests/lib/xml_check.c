#include "xml_check.h"

#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "base/xalloc.h"
#include "proto/operations.h"

static xmlXPathObjectPtr eval(xmlDocPtr doc, const char *xpath)
{
    xmlXPathContextPtr x = xmlXPathNewContext(doc);
    xmlXPathRegisterNs(x, BAD_CAST "hm", BAD_CAST "http://dom.gosuslugi.ru/schema/integration/house-management/");
    xmlXPathRegisterNs(x, BAD_CAST "dm", BAD_CAST "http://dom.gosuslugi.ru/schema/integration/device-metering/");
    xmlXPathRegisterNs(x, BAD_CAST "b", BAD_CAST "http://dom.gosuslugi.ru/schema/integration/bills/");
    xmlXPathRegisterNs(x, BAD_CAST "base", BAD_CAST NS_BASE);
    xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST xpath, x);
    xmlXPathFreeContext(x);
    return r;
}

int tu_xpath_count(xmlDocPtr doc, const char *xpath)
{
    xmlXPathObjectPtr r = eval(doc, xpath);
    int n = r && r->nodesetval ? r->nodesetval->nodeNr : 0;
    xmlXPathFreeObject(r);
    return n;
}

char *tu_xpath_str(xmlDocPtr doc, const char *xpath)
{
    xmlXPathObjectPtr r = eval(doc, xpath);
    char *s = xstrdup(r && r->stringval ? (const char *)r->stringval : "");
    xmlXPathFreeObject(r);
    return s;
}

char *tu_doc_text(xmlDocPtr doc)
{
    xmlChar *out = NULL;
    int len = 0;
    xmlDocDumpMemoryEnc(doc, &out, &len, "UTF-8");
    char *text = xstrndup((const char *)out, (size_t)len);
    xmlFree(out);
    return text;
}
