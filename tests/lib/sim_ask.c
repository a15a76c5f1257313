/* sim_ask — see sim_ask.h. */
#include "sim_ask.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/guid.h"
#include "base/xalloc.h"
#include "proto/operations.h"
#include "soap/envelope.h"

static void envelope_of(enum gis_header kind, const char *org, const char *body, strbuf *out)
{
    struct envelope_header h = { .kind = kind };
    snprintf(h.org_ppa_guid, sizeof h.org_ppa_guid, "%s", org);
    guid_new(h.message_guid);
    envelope_begin(out, &h);
    sb_adds(out, body);
    envelope_end(out);
}

static void post(sim *s, const struct gis_service *svc, const char *action, const char *xml,
                 struct sim_reply *r)
{
    memset(r, 0, sizeof *r);
    struct sim_request q = { .path = svc->endpoint_path, .soap_action = action, .body = xml,
                             .len = strlen(xml), .slow_factor = 1 };
    sim_handle(s, &q, r);
    if (r->status != 200)
        fail_msg("%s: HTTP %d %s", action, r->status, sb_str(&r->body));
}

void sim_ask(sim *s, const char *org, const char *operation, const char *body,
             struct gis_state_result *res)
{
    const struct gis_operation *op = gis_operation_find(operation);
    assert_non_null(op);
    hcs_err err = { 0 };
    strbuf env = STRBUF_INIT;
    envelope_of(op->header, org, body, &env);
    struct sim_reply r;
    post(s, op->service, op->soap_action, sb_str(&env), &r);
    struct gis_ack ack;
    if (soap_parse_ack(sb_str(&r.body), r.body.len, &ack, NULL, &err) != 0)
        fail_msg("%s ack: %s", operation, err.msg);
    sim_reply_free(&r);
    char *get = xasprintf("<base:getStateRequest xmlns:base=\"%s\"><base:MessageGUID>%s</base:MessageGUID>"
                          "</base:getStateRequest>", NS_BASE, ack.message_guid);
    memset(res, 0, sizeof *res);
    for (int tries = 0; tries < 50; tries++) {
        sb_reset(&env);
        envelope_of(op->service->header, org, get, &env);
        post(s, op->service, "urn:getState", sb_str(&env), &r);
        memset(res, 0, sizeof *res);
        if (soap_parse_state(sb_str(&r.body), r.body.len, res, NULL, &err) != 0)
            fail_msg("%s state: %s", operation, err.msg);
        sim_reply_free(&r);
        if (res->request_state == 3)
            break;
        gis_state_result_clear(res);
        usleep(20000);
        sim_process_due(s);
    }
    assert_int_equal(res->request_state, 3);
    free(get);
    sb_free(&env);
}
