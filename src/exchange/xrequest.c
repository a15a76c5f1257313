/* xrequest — what every request to GIS needs, sending and polling alike:
 * the operation and endpoint of a packet, how an HTTP answer is classified
 * (GIS's answer or a transport failure to retry), and what a GIS that does
 * not answer means for the rest of the run. */
#include <stdio.h>
#include <string.h>

#include "base/xalloc.h"
#include "base/xmlsafe.h"
#include "exchange/exchange_impl.h"

const struct gis_operation *x_op(const struct store_packet *p, hcs_err *err)
{
    const struct gis_operation *op = gis_operation_find(p->operation);
    if (!op)
        hcs_fail(err, HCS_EX_SOFTWARE, "packet %lld: unknown operation %s", (long long)p->id, p->operation);
    return op;
}

char *x_endpoint(exchange *x, const struct gis_operation *op)
{
    return xasprintf("%s%s", x->base_url, op->service->endpoint_path);
}

void x_unreachable(exchange *x, const char *msg)
{
    if (!x->stats.unreachable)
        snprintf(x->stats.unreachable_msg, sizeof x->stats.unreachable_msg, "%s", msg);
    x->stats.unreachable = 1;
    /* Do not hammer a GIS that does not answer: the rest waits for the next run. */
    int64_t until = x_now() + x->transient_delay;
    if (until > x->hold_sends_until)
        x->hold_sends_until = until;
}

int x_defer_send(exchange *x, struct store_packet *p, const char *code, const char *text, hcs_err *err)
{
    int64_t now = x_now();
    if (lifecycle_apply(p, PEV_DEFER, err) < 0)
        return -1;
    lifecycle_set_error(p, code, text);
    if (!p->unreachable_since)
        p->unreachable_since = now;
    p->next_at = now + policy_backoff(x->transient_delay, x->max_backoff, now - p->unreachable_since);
    x->stats.deferred++;
    return store_packet_update(x->st, p, err);
}

/* A SOAP Fault comes with HTTP 500: it is GIS's answer, not a transport
 * failure; other 5xx (proxy errors, HTML pages) are retried. */
enum transport_verdict x_classify(void *ctx, const struct transport_response *answer)
{
    (void)ctx;
    long status = answer->status;
    const char *body = answer->body;
    size_t len = answer->body_len;
    if (status == 200) {
        /* A body cut short or mangled on the way is a transport failure:
         * ask again (an import is deduplicated by its MessageGUID). */
        hcs_err perr;
        xmlDocPtr doc = xmlsafe_parse(body, len, "response", &perr);
        if (!doc)
            return TRANSPORT_RETRY;
        xmlFreeDoc(doc);
        return TRANSPORT_FINAL;
    }
    if (status < 500 && status != 429)
        return TRANSPORT_FINAL;
    if (status == 500 && len && memmem(body, len, "Fault", 5) && memmem(body, len, "ErrorCode", 9))
        return TRANSPORT_FINAL;
    return TRANSPORT_RETRY;
}
