/* xsend — sending prepared packets (lanes in order) and interpreting the
 * ack or the SOAP Fault by the error policy (the EXP001000 rebuild itself
 * is xpacket.c's). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "base/xmlsafe.h"
#include "exchange/exchange_impl.h"
#include "soap/envelope.h"
#include "soap/result.h"

#define MAX_ENVELOPE (50u << 20)   /* GIS refuses messages over 50 MB */

struct sending {
    exchange *x;
    int64_t id;
    size_t lane;
    char *body;
    size_t len;
    char *action;
};

static void lane_push(exchange *x, size_t li)
{
    struct lane *l = &x->lanes[li];
    if (l->queued || l->dropped || l->next >= l->n)
        return;
    l->queued = 1;
    x->ready[x->rtail] = li;
    x->rtail = (x->rtail + 1) % x->rcap;
}

static int lane_pop(exchange *x, size_t *li)
{
    if (x->rhead == x->rtail)
        return 0;
    *li = x->ready[x->rhead];
    x->rhead = (x->rhead + 1) % x->rcap;
    x->lanes[*li].queued = 0;
    return 1;
}

static int send_done(void *ctx, struct transport_response *resp, const hcs_err *terr, hcs_err *err);

/* RequestHeader/Date is "set right before sending": a packet prepared more
 * than DATE_FRESH_S ago (deferred, GIS was down) goes with a new Date —
 * same MessageGUID, same signature (the header is not signed). */
#define DATE_FRESH_S 300
static int refresh_date(const char *path, char **body, size_t *len, hcs_err *err)
{
    struct stat stt;
    if (stat(path, &stt) != 0 || time(NULL) - stt.st_mtime <= DATE_FRESH_S)
        return 0;
    xmlDocPtr doc = xmlsafe_parse(*body, *len, path, err);
    if (!doc)
        return -1;
    char *bytes = NULL;
    size_t n = 0;
    int rc = envelope_refresh_header(doc, NULL, err) < 0 || envelope_to_bytes(doc, &bytes, &n, err) < 0 ? -1 : 0;
    xmlFreeDoc(doc);
    if (rc == 0) {
        free(*body);
        *body = xmalloc(n + 1);
        memcpy(*body, bytes, n);
        (*body)[n] = '\0';
        *len = n;
    }
    if (bytes)
        xmlFree(bytes);
    return rc;
}

/* exchange.give_up_after: the packet ends, its reason says since when GIS
 * has not answered and what it said last. */
static void give_up_reason(const struct store_packet *p, long give_up_after, char *why, size_t size)
{
    char since[32];
    time_t t = (time_t)p->unreachable_since;
    struct tm tm;
    strftime(since, sizeof since, "%Y-%m-%d %H:%M", localtime_r(&t, &tm));
    snprintf(why, size, "Пакет не отправлен: ГИС ЖКХ не отвечает с %s, дольше %ld с (exchange.give_up_after)%s%s",
             since, give_up_after, p->error_text ? "; последняя ошибка: " : "",
             p->error_text ? p->error_text : "");
}

int x_feed_send(exchange *x, hcs_err *err)
{
    size_t li;
    while (x_now() >= x->hold_sends_until && lane_pop(x, &li)) {
        struct lane *l = &x->lanes[li];
        if (l->dropped || l->busy || l->next >= l->n)
            continue;
        struct store_packet p = { 0 };
        if (store_packet_get(x->st, l->ids[l->next], &p, err) < 0)
            return -1;
        if (!lifecycle_allows(p.state, PEV_SEND)) {
            l->next++;                   /* answered or cancelled meanwhile */
            lane_push(x, li);
            store_packet_clear(&p);
            continue;
        }
        if (p.next_at > x_now()) {
            l->dropped = 1;              /* deferred head: the lane waits in order */
            store_packet_clear(&p);
            continue;
        }
        const struct gis_operation *op = x_op(&p, err);
        if (!op) {
            store_packet_clear(&p);
            return -1;
        }
        size_t len = 0;
        hcs_err rerr = { 0 };
        char why[700];
        char *body = NULL;
        if (policy_give_up(x->give_up_after, p.unreachable_since, x_now()))
            give_up_reason(&p, x->give_up_after, why, sizeof why);
        else if (!(body = file_read_all(p.archive_path, MAX_ENVELOPE, &len, &rerr)))
            snprintf(why, sizeof why, "Подписанный пакет недоступен: %s", rerr.msg);
        if (!body) {
            int rc = x_finish_packet(x, &p, PEV_FAIL, "HCS-SEND", why, err);
            store_packet_clear(&p);
            if (rc < 0)
                return -1;
            l->next++;
            lane_push(x, li);
            continue;
        }
        if (refresh_date(p.archive_path, &body, &len, &rerr) < 0)
            log_warn("packet %lld: Date not refreshed: %s", (long long)p.id, rerr.msg);
        /* The attempt is on record before the request leaves: a crash after
         * this point resends the same MessageGUID, which GIS answers with
         * the same ack. */
        p.attempts++;
        p.sent_at = x_now();
        if (lifecycle_apply(&p, PEV_SEND, err) < 0 || store_packet_update(x->st, &p, err) < 0) {
            free(body);
            store_packet_clear(&p);
            return -1;
        }
        struct sending *s = xcalloc(1, sizeof *s);
        s->x = x;
        s->id = p.id;
        s->lane = li;
        s->body = body;
        s->len = len;
        s->action = xasprintf("SOAPAction: \"%s\"", op->soap_action);
        char *url = x_endpoint(x, op);
        const char *headers[] = { "Content-Type: text/xml; charset=utf-8", s->action, NULL };
        struct transport_request req = { .method = "POST", .url = url, .headers = headers,
                                         .body = body, .body_len = len, .classify = x_classify };
        transport_submit(x->tr, &req, 0, send_done, s);
        free(url);
        l->busy = 1;
        x->stats.sends++;
        store_packet_clear(&p);
        return 1;
    }
    return 0;
}

static int on_fault(exchange *x, struct store_packet *p, struct lane *l, const struct gis_fault *fault,
                    hcs_err *err)
{
    const char *code = fault->error_code;
    const char *text = fault->error_message ? fault->error_message : fault->faultstring;
    enum policy_action a = policy_for_code(code, POLICY_ON_SEND);
    int64_t now = x_now();
    log_info("packet %lld: GIS answered %s %s → %s", (long long)p->id, code ? code : "(no code)",
             text ? text : "", policy_action_name(a));
    char reason[600];
    switch (a) {
    case POLICY_REBUILD:
        snprintf(reason, sizeof reason, "%s %s", code, text ? text : "");
        /* The first EXP001000 is rebuilt and sent at once; while it keeps
         * coming, the rebuilt packet waits like any other outage. */
        if (p->unreachable_since) {
            lifecycle_set_error(p, code, text);
            l->dropped = 1;
            return x_rebuild(x, p, PEV_REBUILD, reason,
                             now + policy_backoff(x->transient_delay, x->max_backoff, now - p->unreachable_since),
                             err);
        }
        p->unreachable_since = now;
        if (x_rebuild(x, p, PEV_REBUILD, reason, now, err) < 0)
            return -1;
        return 1;                       /* send the rebuilt packet in this cycle */
    case POLICY_RETRY_LATER:
        l->dropped = 1;                 /* the lane keeps its order: the rest waits */
        return x_defer_send(x, p, code, text, err);
    case POLICY_MAINTENANCE:
    case POLICY_POLL_AGAIN:
        if (lifecycle_apply(p, PEV_DEFER, err) < 0)
            return -1;
        lifecycle_set_error(p, code, text);
        p->next_at = now + x->maintenance_delay;
        x->stats.maintenance = 1;
        if (p->next_at > x->hold_sends_until)
            x->hold_sends_until = p->next_at;
        x->stats.deferred++;
        l->dropped = 1;                 /* the lane keeps its order: the rest waits */
        return store_packet_update(x->st, p, err);
    case POLICY_EMPTY_RESULT:
        return x_finish_packet(x, p, PEV_DONE, NULL, NULL, err);
    case POLICY_STOP_POLLING:
    case POLICY_FAIL:
        break;
    }
    return x_finish_packet(x, p, PEV_FAIL, code ? code : "SOAP-FAULT", text ? text : "SOAP Fault", err);
}

static int send_done(void *ctx, struct transport_response *resp, const hcs_err *terr, hcs_err *err)
{
    struct sending *s = ctx;
    exchange *x = s->x;
    struct lane *l = &x->lanes[s->lane];
    l->busy = 0;
    struct store_packet p = { 0 };
    struct gis_fault fault = { 0 };
    int rc = -1, requeue = 0;
    if (store_packet_get(x->st, s->id, &p, err) < 0)
        goto out;
    if (x->worker && !lifecycle_allows(p.state, PEV_ACK)) {
        /* Our lease ran out while the request was on the way and another
         * worker sent the packet (same MessageGUID) and recorded its ack:
         * the packet and the rest of its lane are that worker's now. */
        log_info("packet %lld: taken over by another worker while its request was on the way (lease expired)",
                 (long long)p.id);
        l->dropped = 1;
        rc = 0;
        goto out;
    }
    if (terr) {
        x_unreachable(x, terr->msg);
        l->dropped = 1;
        rc = x_defer_send(x, &p, "HCS-NET", terr->msg, err);
        goto out;
    }
    struct gis_ack ack;
    hcs_err perr = { 0 };
    if (soap_parse_ack(resp->body, resp->body_len, &ack, &fault, &perr) == 0) {
        if (strcasecmp(ack.requester_message_guid, p.message_guid) != 0)
            log_warn("packet %lld: ack names RequesterMessageGUID %s, we sent %s", (long long)p.id,
                     ack.requester_message_guid, p.message_guid);
        int64_t now = x_now();
        if (lifecycle_apply(&p, PEV_ACK, err) < 0)
            goto out;
        snprintf(p.gis_message_guid, sizeof p.gis_message_guid, "%s", ack.message_guid);
        if (!p.first_ack_at)
            p.first_ack_at = now;
        p.unreachable_since = 0;        /* GIS answers again */
        p.polls = 0;
        p.next_at = now + poll_schedule_delay(&x->sched, 0);
        lifecycle_set_error(&p, NULL, NULL);
        x->stats.acks++;
        rc = store_packet_update(x->st, &p, err);
        l->next++;
        requeue = 1;
    } else if (fault.error_code || fault.faultcode) {
        rc = on_fault(x, &p, l, &fault, err);
        if (rc == 1) {
            rc = 0;                     /* rebuilt: same lane head again */
        } else if (!l->dropped) {
            l->next++;
        }
        requeue = 1;
    } else {
        char msg[900];
        snprintf(msg, sizeof msg, "HTTP %ld: %s", resp->status, perr.msg);
        x_unreachable(x, msg);
        l->dropped = 1;
        rc = x_defer_send(x, &p, "HCS-PROTOCOL", msg, err);
    }
out:
    if (requeue && rc == 0)
        lane_push(x, s->lane);
    gis_fault_clear(&fault);
    store_packet_clear(&p);
    free(s->body);
    free(s->action);
    free(s);
    return rc;
}
