/* xprobe — is GIS there and does it know us: one getState for a
 * MessageGUID made up now.  GIS looks such a message up and answers
 * INT002013 («Запрос не найден») in an ordinary getStateResult, after the
 * transport (TLS handshake, client certificate), the envelope's schema and
 * the provider in the RequestHeader have been accepted.  Nothing is
 * created on the GIS side, so it is cheap and harmless to repeat. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/guid.h"
#include "base/xalloc.h"
#include "exchange/exchange_impl.h"
#include "soap/envelope.h"
#include "soap/result.h"

#define PROBE_OPERATION "importAccountData"   /* its service: house-management */

static void probe_text(struct exchange_probe *pr, const char *code, const char *text)
{
    snprintf(pr->code, sizeof pr->code, "%s", code ? code : "");
    snprintf(pr->text, sizeof pr->text, "%s", text ? text : "");
}

/* What the answer says: a getStateResult's ErrorMessage, or a Fault's code. */
static void read_answer(struct exchange_probe *pr, const struct transport_response *resp)
{
    struct gis_state_result res = { 0 };
    struct gis_fault fault = { 0 };
    hcs_err perr = { 0 };
    if (soap_parse_state(resp->body, resp->body_len, &res, &fault, &perr) == 0) {
        pr->answered = 1;
        pr->request_state = res.request_state;
        if (res.message_error)
            probe_text(pr, res.message_error->code, res.message_error->description);
    } else if (fault.faultcode || fault.error_code) {
        pr->answered = 1;
        probe_text(pr, fault.error_code ? fault.error_code : fault.faultcode,
                   fault.error_message ? fault.error_message : fault.faultstring);
    } else {
        snprintf(pr->text, sizeof pr->text, "HTTP %ld, not a SOAP answer: %s", resp->status, perr.msg);
    }
    gis_state_result_clear(&res);
    gis_fault_clear(&fault);
}

static int one_request(transport *tr, const char *url, const char *body, size_t len,
                       struct exchange_probe *pr)
{
    const char *headers[] = { "Content-Type: text/xml; charset=utf-8", "SOAPAction: \"urn:getState\"", NULL };
    struct transport_request req = { .method = "POST", .url = url, .headers = headers,
                                     .body = body, .body_len = len, .classify = x_classify };
    struct transport_response resp = { 0 };
    hcs_err terr = { 0 };
    int rc = transport_request(tr, &req, &resp, &terr);
    pr->http_status = resp.status;
    pr->seconds = resp.seconds;
    if (rc == 0)
        read_answer(pr, &resp);
    else if (resp.net_error)      /* libcurl's words: the host at most, never a path or credentials */
        snprintf(pr->text, sizeof pr->text, "%s", resp.net_error);
    else
        snprintf(pr->text, sizeof pr->text, "HTTP %ld after %d attempt%s", resp.status, resp.attempts,
                 resp.attempts == 1 ? "" : "s");
    transport_response_clear(&resp);
    return 0;
}

int exchange_probe(const hcs_config *cfg, struct exchange_probe *pr, hcs_err *err)
{
    memset(pr, 0, sizeof *pr);
    const struct gis_operation *op = gis_operation_find(PROBE_OPERATION);
    const char *base = cfg_str(cfg, "gis.base_url");
    if (!op || !base || !*base)
        return hcs_fail(err, HCS_EX_CONFIG, "gis.base_url is not set");
    size_t blen = strlen(base);
    char *url = xasprintf("%s%s%s", base, base[blen - 1] == '/' ? "" : "/", op->service->endpoint_path);
    pr->tls = strncasecmp(base, "https://", 8) == 0;
    guid_new(pr->message_guid);
    xmlDocPtr doc = soap_build_get_state(cfg, op->service, pr->message_guid, NULL, err);
    char *bytes = NULL;
    size_t len = 0;
    int rc = doc ? envelope_to_bytes(doc, &bytes, &len, err) : -1;
    if (doc)
        xmlFreeDoc(doc);
    struct transport_opts o;
    char *auth = NULL;
    if (rc == 0)
        rc = transport_opts_from_config(cfg, &o, &auth, err);
    transport *tr = NULL;
    if (rc == 0) {
        o.retries = 1;            /* a health check reports, it does not insist */
        tr = transport_new(&o, err);
        rc = tr ? 0 : -1;
    }
    if (auth) {
        secure_wipe(auth, strlen(auth));
        free(auth);
    }
    if (rc == 0)
        rc = one_request(tr, url, bytes, len, pr);
    transport_free(tr);
    xmlFree(bytes);
    free(url);
    return rc;
}
