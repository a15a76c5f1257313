/* exchange — setup, the registry lookups, the send/poll cycle and the
 * operator actions.  Sending is in xsend.c,
 * polling and results in xpoll.c. */
#include "exchange/exchange_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "base/xmlsafe.h"

const char *const exchange_states_pending[] = { PS_PREPARED, PS_SENT, PS_PROCESSING, PS_DEFERRED, NULL };
const char *const exchange_states_to_send[] = { PS_PREPARED, PS_DEFERRED, NULL };
const char *const exchange_states_to_poll[] = { PS_SENT, PS_PROCESSING, NULL };
const char *const exchange_states_all[] = { PS_CREATED, PS_PREPARED, PS_SENT, PS_PROCESSING, PS_DONE,
                                            PS_WARNINGS, PS_FAILED, PS_DEFERRED, PS_CANCELLED, NULL };

int64_t x_now(void)
{
    return (int64_t)time(NULL);
}

exchange *exchange_new(const struct exchange_opts *o, hcs_err *err)
{
    exchange *x = xcalloc(1, sizeof *x);
    x->cfg = o->cfg;
    x->st = o->st;
    x->tr = o->tr;
    x->schemas = o->schemas;
    x->run_id = o->run_id;
    const char *base = cfg_str(o->cfg, "gis.base_url");
    size_t blen = base ? strlen(base) : 0;
    x->base_url = (blen && base[blen - 1] != '/') ? xasprintf("%s/", base) : xstrdup(base ? base : "");
    char *work = cfg_path(o->cfg, "paths.work_dir");
    x->archive_dir = path_join(work ? work : ".", "archive");
    free(work);
    x->horizon = cfg_int(o->cfg, "exchange.poll_horizon", 86400);
    x->transient_delay = cfg_int(o->cfg, "exchange.transient_delay", 300);
    x->maintenance_delay = cfg_int(o->cfg, "exchange.maintenance_delay", 1800);
    x->max_attempts = 30;
    if (poll_schedule_parse(cfg_str(o->cfg, "exchange.poll_schedule"), &x->sched, err) < 0) {
        exchange_free(x);
        return NULL;
    }
    return x;
}

void exchange_free(exchange *x)
{
    if (!x)
        return;
    if (x->sg)
        signer_free(x->sg);
    if (x->own_tr)
        transport_free(x->tr);
    for (size_t i = 0; i < x->nlanes; i++)
        free(x->lanes[i].ids);
    free(x->lanes);
    free(x->ready);
    free(x->polls);
    free(x->base_url);
    free(x->archive_dir);
    free(x);
}

const struct exchange_stats *exchange_get_stats(const exchange *x)
{
    return &x->stats;
}

signer *x_signer(exchange *x, hcs_err *err)
{
    if (!x->sg) {
        x->sg = signer_open(x->cfg, err);
        /* Certificate near expiry, key file readable by others: the
         * operator hears it once per run, the run goes on. */
        const char *w = x->sg ? signer_warning(x->sg) : NULL;
        if (w)
            log_warn("%s", w);
    }
    return x->sg;
}

char *x_archive_path(exchange *x, const char *operation, const char *message_guid)
{
    return xasprintf("%s/packets/%s-%s.xml", x->archive_dir, operation, message_guid);
}

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

int x_finish_packet(exchange *x, struct store_packet *p, const char *state, const char *code,
                    const char *text, hcs_err *err)
{
    free(p->state);
    p->state = xstrdup(state);
    free(p->error_code);
    p->error_code = code ? xstrdup(code) : NULL;
    free(p->error_text);
    p->error_text = text ? xstrdup(text) : NULL;
    p->done_at = x_now();
    p->next_at = 0;
    if (store_begin(x->st, err) < 0)
        return -1;
    const char *el_state = !strcmp(state, PS_CANCELLED) ? "cancelled" : "failed";
    if (store_packet_update(x->st, p, err) < 0
        || (strcmp(state, PS_DONE) && strcmp(state, PS_WARNINGS)
            && store_elements_finish_packet(x->st, p->id, el_state, code, text, err) < 0)
        || store_commit(x->st, err) < 0) {
        store_rollback(x->st);
        return -1;
    }
    if (!strcmp(state, PS_FAILED))
        x->stats.failed++;
    return 0;
}

/* ---- registry ---- */

const char *exchange_registry_kind(const char *template_name)
{
    static const struct { const char *tmpl, *kind; } kinds[] = {
        { "importAccountData", "account" },
        { "importPaymentDocumentData", "payment_document" },
        { "importPaymentDocumentData-withdraw", "payment_document_withdrawal" },
        { "importMeteringDeviceValues", "metering_value" },
        { "importMeteringDeviceData", "meter" },
    };
    for (size_t i = 0; template_name && i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(kinds[i].tmpl, template_name))
            return kinds[i].kind;
    return NULL;
}

/* "KIND" or "KIND.FIELD": which registry column answers.  The GUID is the
 * default; some requests name an object by its unique number instead (a
 * withdrawal carries the PaymentDocumentID, GIS's UniqueNumber of the
 * document), so the registry keeps both and the template says which. */
static const char *answer_field(const char *kind, char *base, size_t cap)
{
    const char *dot = strrchr(kind, '.');
    size_t n = dot ? (size_t)(dot - kind) : strlen(kind);
    if (n >= cap)
        n = cap - 1;
    memcpy(base, kind, n);
    base[n] = '\0';
    return dot ? dot + 1 : "guid";
}

int exchange_resolve(void *ctx, const char *kind, const char *local_key, char guid[37])
{
    store *st = ctx;
    char base[64];
    const char *field = answer_field(kind, base, sizeof base);
    if (strcmp(field, "guid") && strcmp(field, "unique_number")) {
        log_error("registry lookup %s: unknown field %s (guid or unique_number)", kind, field);
        return -1;
    }
    struct store_registry_entry e = { 0 };
    hcs_err err;
    int rc = store_registry_get(st, base, local_key, &e, &err);
    const char *answer = rc == 1 ? (strcmp(field, "guid") ? e.unique_number : e.guid) : NULL;
    if (rc == 1 && answer && *answer && strlen(answer) < 37) {
        snprintf(guid, 37, "%s", answer);
    } else if (rc == 1) {
        if (answer && *answer)      /* never hand on a cut id */
            log_warn("registry %s %s: %s too long (%zu bytes)", base, local_key, field, strlen(answer));
        rc = 0;
    } else if (rc < 0) {
        log_error("registry lookup %s %s: %s", base, local_key, err.msg);
    }
    store_registry_clear(&e);
    return rc;
}

/* ---- archive copies ---- */

/* temp file + rename, no fsync: what is written here can be asked for again. */
int x_write_unsynced(const char *path, const void *data, size_t len, hcs_err *err)
{
    char *tmp = xasprintf("%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(data, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        hcs_fail(err, HCS_EX_CANTCREAT, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

/* ---- the cycle ---- */

struct collect {
    exchange *x;
    int polls;
};

static int collect_one(void *ctx, const struct store_packet *p)
{
    struct collect *c = ctx;
    exchange *x = c->x;
    if (c->polls) {
        ARRAY_GROW(x->polls, x->npolls, x->pcap);
        x->polls[x->npolls++] = p->id;
        return 0;
    }
    /* Packets come ordered by lane: a new lane starts when the name changes. */
    if (x->nlanes == 0 || strncmp(x->last_lane, p->lane ? p->lane : "", sizeof x->last_lane - 1) != 0) {
        ARRAY_GROW(x->lanes, x->nlanes, x->lcap);
        memset(&x->lanes[x->nlanes++], 0, sizeof x->lanes[0]);
        snprintf(x->last_lane, sizeof x->last_lane, "%s", p->lane ? p->lane : "");
    }
    struct lane *l = &x->lanes[x->nlanes - 1];
    ARRAY_GROW(l->ids, l->n, l->cap);
    l->ids[l->n++] = p->id;
    return 0;
}

static void reset_cycle(exchange *x)
{
    for (size_t i = 0; i < x->nlanes; i++)
        free(x->lanes[i].ids);
    x->nlanes = 0;
    x->npolls = x->pnext = 0;
    x->rhead = x->rtail = 0;
}

static int group_commit(void *ctx, hcs_err *err)
{
    exchange *x = ctx;
    if (store_commit(x->st, err) < 0)
        return -1;
    /* A rebuilt packet's new MessageGUID must survive a power cut before
     * it is sent (else a second rebuild could import it twice); everything
     * else here can be asked for again, so it is only committed. */
    if (x->need_full_sync && store_flush(x->st, err) < 0)
        return -1;
    x->need_full_sync = 0;
    return store_begin(x->st, err);
}

static int feed(void *ctx, hcs_err *err)
{
    exchange *x = ctx;
    /* Alternate polls and sends so neither starves the other. */
    for (int tries = 0; tries < 2; tries++) {
        int rc = (x->feed_toggle++ & 1) ? x_feed_poll(x, err) : x_feed_send(x, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

void exchange_set_schemas(exchange *x, schema_set *schemas)
{
    x->schemas = schemas;
}

int exchange_cert_days_left(const exchange *x)
{
    return x->sg ? signer_cert_days_left(x->sg) : -999999;
}

long exchange_transport_retries(const exchange *x)
{
    if (!x->tr)
        return 0;
    struct transport_stats s;
    transport_get_stats(x->tr, &s);
    return s.retries;
}

int exchange_cycle(exchange *x, long *worked, hcs_err *err)
{
    return exchange_cycle_parts(x, 1, 1, worked, err);
}

int exchange_cycle_parts(exchange *x, int send, int poll, long *worked, hcs_err *err)
{
    int64_t now = x_now();
    long before = x->stats.sends + x->stats.polls;
    reset_cycle(x);
    struct collect c = { x, 0 };
    /* Every packet still to send, due or not: a lane whose head is not due
     * yet (deferred) holds back the packets behind it. */
    struct store_packet_filter f = { .states = exchange_states_to_send };
    if (send && now >= x->hold_sends_until && store_packets_each(x->st, &f, collect_one, &c, err) < 0)
        return -1;
    c.polls = 1;
    f.states = exchange_states_to_poll;
    f.due_before = now;
    if (poll && store_packets_each(x->st, &f, collect_one, &c, err) < 0)
        return -1;
    if (x->nlanes == 0 && x->npolls == 0) {
        if (worked)
            *worked = 0;
        return 0;
    }
    if (!x->tr) {
        if (!(x->tr = transport_new_from_config(x->cfg, err)))
            return -1;
        x->own_tr = 1;
    }
    x->rcap = x->nlanes + 1;
    x->ready = xrealloc(x->ready, x->rcap * sizeof *x->ready);
    for (size_t i = 0; i < x->nlanes; i++) {
        x->ready[x->rtail++] = i;
        x->lanes[i].queued = 1;
    }
    /* Group commit: the callbacks write into one open transaction that is
     * committed before each group of requests leaves (and at the end), so
     * a thousand acks cost one fsync, not a thousand.  A crash loses at most
     * answers that are asked for again (same MessageGUID, same ack). */
    if (store_set_full_sync(x->st, 0, err) < 0 || store_begin(x->st, err) < 0)
        return -1;
    transport_set_feeder(x->tr, feed, x);
    transport_set_before_start(x->tr, group_commit, x);
    int rc = transport_run(x->tr, err);
    transport_set_feeder(x->tr, NULL, NULL);
    transport_set_before_start(x->tr, NULL, NULL);
    if (rc == 0)
        rc = store_commit(x->st, err);
    else
        store_rollback(x->st);
    if (store_set_full_sync(x->st, 1, rc == 0 ? err : NULL) < 0 || (rc == 0 && store_flush(x->st, err) < 0))
        rc = -1;
    x->need_full_sync = 0;
    if (worked)
        *worked = x->stats.sends + x->stats.polls - before;
    return rc;
}

long exchange_pending(exchange *x, hcs_err *err)
{
    return store_packets_count(x->st, exchange_states_pending, NULL, err);
}

int64_t exchange_next_due(exchange *x, hcs_err *err)
{
    int64_t poll = store_packets_next_due(x->st, exchange_states_to_poll, err);
    int64_t send = store_packets_next_due(x->st, exchange_states_to_send, err);
    long n_send = store_packets_count(x->st, exchange_states_to_send, NULL, err);
    if (n_send > 0 && send < x->hold_sends_until)
        send = x->hold_sends_until;
    long n_poll = store_packets_count(x->st, exchange_states_to_poll, NULL, err);
    if (n_poll <= 0)
        return n_send > 0 ? send : 0;
    if (n_send <= 0)
        return poll;
    return poll < send ? poll : send;
}

/* ---- operator actions ---- */

int exchange_retry_packet(exchange *x, int64_t packet_id, hcs_err *err)
{
    struct store_packet p = { 0 };
    if (store_packet_get(x->st, packet_id, &p, err) < 0)
        return -1;
    int rc = -1;
    if (strcmp(p.state, PS_FAILED) && strcmp(p.state, PS_DEFERRED) && strcmp(p.state, PS_WARNINGS)) {
        hcs_fail(err, HCS_EX_DATAERR, "packet %lld is %s: only failed, deferred or done-with-warnings"
                 " packets can be retried", (long long)packet_id, p.state);
        goto out;
    }
    free(p.error_code);
    free(p.error_text);
    p.error_code = p.error_text = NULL;
    p.attempts = 0;
    p.done_at = 0;
    if (store_begin(x->st, err) < 0)
        goto out;
    if (store_elements_reset_packet(x->st, p.id, err) < 0 || x_rebuild(x, &p, "operator retry", x_now(), err) < 0
        || store_commit(x->st, err) < 0) {
        store_rollback(x->st);
        goto out;
    }
    rc = 0;
out:
    store_packet_clear(&p);
    return rc;
}

int exchange_cancel_packet(exchange *x, int64_t packet_id, hcs_err *err)
{
    struct store_packet p = { 0 };
    if (store_packet_get(x->st, packet_id, &p, err) < 0)
        return -1;
    int rc = -1;
    if (strcmp(p.state, PS_PREPARED) && strcmp(p.state, PS_DEFERRED) && strcmp(p.state, PS_CREATED)) {
        hcs_fail(err, HCS_EX_DATAERR, "packet %lld is %s: only packets GIS has not acknowledged"
                 " (prepared, deferred) can be cancelled", (long long)packet_id, p.state);
    } else if (!strcmp(p.state, PS_PREPARED) && p.attempts > 0) {
        hcs_fail(err, HCS_EX_DATAERR, "packet %lld: a send was started (%d attempts) and may have reached"
                 " GIS; run 'hcsbatch send' to learn its fate", (long long)packet_id, p.attempts);
    } else if (p.gis_message_guid[0]) {
        hcs_fail(err, HCS_EX_DATAERR, "packet %lld was acknowledged by GIS (%s): it cannot be cancelled",
                 (long long)packet_id, p.gis_message_guid);
    } else {
        rc = x_finish_packet(x, &p, PS_CANCELLED, "CANCELLED", "Пакет отменён оператором", err);
    }
    store_packet_clear(&p);
    return rc;
}
