/* result — see result.h.  Walks responses by namespace + local name; the
 * service namespace of getStateResult/ImportResult is taken as found. */
#include "soap/result.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "base/xmlsafe.h"
#include "proto/operations.h"

static int local_is(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static char *text_of(xmlNodePtr n)
{
    if (!n)
        return NULL;
    xmlChar *c = xmlNodeGetContent(n);
    char *s = xstrdup(c ? (const char *)c : "");
    xmlFree(c);
    /* trim */
    size_t len = strlen(s), st = 0;
    while (st < len && (s[st] == ' ' || s[st] == '\n' || s[st] == '\r' || s[st] == '\t'))
        st++;
    while (len > st && (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == '\t'))
        len--;
    memmove(s, s + st, len - st);
    s[len - st] = '\0';
    return s;
}

static xmlNodePtr child_local(xmlNodePtr parent, const char *name)
{
    for (xmlNodePtr n = parent ? parent->children : NULL; n; n = n->next)
        if (local_is(n, name))
            return n;
    return NULL;
}

static void copy_guid(char out[37], xmlNodePtr n)
{
    out[0] = '\0';
    char *s = text_of(n);
    if (s) {
        snprintf(out, 37, "%s", s);
        free(s);
    }
}

void gis_fault_clear(struct gis_fault *f)
{
    if (!f)
        return;
    free(f->faultcode);
    free(f->faultstring);
    free(f->error_code);
    free(f->error_message);
    memset(f, 0, sizeof *f);
}

static xmlNodePtr body_child(xmlDocPtr doc)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!xml_is(root, NS_SOAP, "Envelope"))
        return root;                       /* a bare document */
    xmlNodePtr body = xml_child(root, NS_SOAP, "Body");
    for (xmlNodePtr n = body ? body->children : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE)
            return n;
    return NULL;
}

/* A SOAP Fault in the body: fills fault and err, returns -1. */
static int fault_of(xmlNodePtr f, struct gis_fault *fault, hcs_err *err)
{
    struct gis_fault tmp = { 0 };
    tmp.faultcode = text_of(child_local(f, "faultcode"));
    tmp.faultstring = text_of(child_local(f, "faultstring"));
    xmlNodePtr detail = child_local(f, "detail");
    xmlNodePtr bf = detail ? xml_find(detail, NS_BASE, "Fault") : NULL;
    if (bf) {
        tmp.error_code = text_of(xml_child(bf, NS_BASE, "ErrorCode"));
        tmp.error_message = text_of(xml_child(bf, NS_BASE, "ErrorMessage"));
    }
    hcs_fail(err, HCS_EX_PROTOCOL, "SOAP fault %s: %s%s%s", tmp.faultcode ? tmp.faultcode : "?",
             tmp.error_code ? tmp.error_code : "", tmp.error_code ? ": " : "",
             tmp.error_message ? tmp.error_message : (tmp.faultstring ? tmp.faultstring : ""));
    if (fault)
        *fault = tmp;
    else
        gis_fault_clear(&tmp);
    return -1;
}

int soap_parse_ack(const char *buf, size_t len, struct gis_ack *ack, struct gis_fault *fault,
                   hcs_err *err)
{
    memset(ack, 0, sizeof *ack);
    xmlDocPtr doc = xmlsafe_parse(buf, len, "AckRequest response", err);
    if (!doc) {
        if (err)
            err->code = HCS_EX_PROTOCOL;
        return -1;
    }
    xmlNodePtr b = body_child(doc);
    int rc = 0;
    if (b && local_is(b, "Fault") && b->ns && !strcmp((const char *)b->ns->href, NS_SOAP)) {
        rc = fault_of(b, fault, err);
    } else if (!xml_is(b, NS_BASE, "AckRequest")) {
        rc = hcs_fail(err, HCS_EX_PROTOCOL, "expected base:AckRequest, got %s",
                      b ? (const char *)b->name : "an empty body");
    } else {
        xmlNodePtr a = xml_child(b, NS_BASE, "Ack");
        copy_guid(ack->message_guid, a ? xml_child(a, NS_BASE, "MessageGUID") : NULL);
        copy_guid(ack->requester_message_guid, a ? xml_child(a, NS_BASE, "RequesterMessageGUID") : NULL);
        if (!ack->message_guid[0])
            rc = hcs_fail(err, HCS_EX_PROTOCOL, "AckRequest without Ack/MessageGUID");
    }
    xmlFreeDoc(doc);
    return rc;
}

static struct gis_error *error_of(xmlNodePtr e)
{
    struct gis_error *x = xcalloc(1, sizeof *x);
    x->code = text_of(xml_child(e, NS_BASE, "ErrorCode"));
    x->description = text_of(xml_child(e, NS_BASE, "Description"));
    if (!x->code)
        x->code = xstrdup("");
    if (!x->description)
        x->description = xstrdup("");
    return x;
}

static void object_of(xmlNodePtr n, struct gis_state_result *res, size_t *cap)
{
    ARRAY_GROW(res->objects, res->nobjects, *cap);
    struct gis_object_result *o = &res->objects[res->nobjects++];
    memset(o, 0, sizeof *o);
    copy_guid(o->transport_guid, xml_child(n, NS_BASE, "TransportGUID"));
    copy_guid(o->guid, xml_child(n, NS_BASE, "GUID"));
    o->unique_number = text_of(xml_child(n, NS_BASE, "UniqueNumber"));
    o->update_date = text_of(xml_child(n, NS_BASE, "UpdateDate"));
    size_t ecap = 0;
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (xml_is(c, NS_BASE, "Error")) {
            struct gis_error *e = error_of(c);
            ARRAY_GROW(o->errors, o->nerrors, ecap);
            o->errors[o->nerrors++] = *e;
            free(e);
        } else if (local_is(c, "ImportAccount")) {
            o->unified_account_number = text_of(child_local(c, "UnifiedAccountNumber"));
            o->service_id = text_of(child_local(c, "ServiceID"));
        } else if (local_is(c, "importMeteringDevice")) {
            o->metering_device_guid = text_of(child_local(c, "MeteringDeviceGUID"));
        } else if (local_is(c, "importContract") || local_is(c, "ImportSupplyResourceContract")) {
            o->version_guid = text_of(child_local(c, local_is(c, "importContract") ? "ContractVersionGUID"
                                                                                    : "ContractGUID"));
        } else if (local_is(c, "importCharter")) {
            o->version_guid = text_of(child_local(c, "CharterVersionGUID"));
        }
    }
}

int soap_state_from_doc(xmlDocPtr doc, struct gis_state_result *res, struct gis_fault *fault,
                        hcs_err *err)
{
    memset(res, 0, sizeof *res);
    res->doc = doc;
    xmlNodePtr b = body_child(doc);
    if (b && local_is(b, "Fault") && b->ns && !strcmp((const char *)b->ns->href, NS_SOAP))
        return fault_of(b, fault, err);
    if (!local_is(b, "getStateResult"))
        return hcs_fail(err, HCS_EX_PROTOCOL, "expected getStateResult, got %s",
                        b ? (const char *)b->name : "an empty body");
    res->result = b;
    char *st = text_of(xml_child(b, NS_BASE, "RequestState"));
    res->request_state = st ? atoi(st) : 0;
    free(st);
    copy_guid(res->message_guid, xml_child(b, NS_BASE, "MessageGUID"));
    if (res->request_state < 1 || res->request_state > 3)
        return hcs_fail(err, HCS_EX_PROTOCOL, "getStateResult with RequestState %d", res->request_state);
    size_t cap = 0;
    for (xmlNodePtr c = b->children; c; c = c->next) {
        if (xml_is(c, NS_BASE, "ErrorMessage")) {
            if (!res->message_error)
                res->message_error = error_of(c);
        } else if (local_is(c, "ImportResult")) {
            int has_common = 0;
            for (xmlNodePtr cc = c->children; cc; cc = cc->next) {
                if (local_is(cc, "CommonResult")) {
                    has_common = 1;
                    object_of(cc, res, &cap);
                } else if (xml_is(cc, NS_BASE, "ErrorMessage")) {
                    has_common = 1;
                    if (!res->message_error)
                        res->message_error = error_of(cc);
                }
            }
            if (!has_common)
                object_of(c, res, &cap);
        }
    }
    return 0;
}

int soap_parse_state(const char *buf, size_t len, struct gis_state_result *res,
                     struct gis_fault *fault, hcs_err *err)
{
    memset(res, 0, sizeof *res);
    xmlDocPtr doc = xmlsafe_parse(buf, len, "getState response", err);
    if (!doc) {
        if (err)
            err->code = HCS_EX_PROTOCOL;
        return -1;
    }
    return soap_state_from_doc(doc, res, fault, err);
}

void gis_state_result_clear(struct gis_state_result *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->nobjects; i++) {
        struct gis_object_result *o = &res->objects[i];
        free(o->unique_number);
        free(o->update_date);
        free(o->unified_account_number);
        free(o->service_id);
        free(o->metering_device_guid);
        free(o->version_guid);
        for (size_t k = 0; k < o->nerrors; k++) {
            free(o->errors[k].code);
            free(o->errors[k].description);
        }
        free(o->errors);
    }
    free(res->objects);
    if (res->message_error) {
        free(res->message_error->code);
        free(res->message_error->description);
        free(res->message_error);
    }
    if (res->doc)
        xmlFreeDoc(res->doc);
    memset(res, 0, sizeof *res);
}
