/* exchange — setup, taking input files (conversion into prepared packets),
 * the send/poll cycle and the operator actions.  Sending is in xsend.c,
 * polling and results in xpoll.c, what they share in xpacket.c and
 * xrequest.c (exchange_impl.h). */
#include "exchange/exchange_impl.h"
#include "exchange/attach.h"

#include <errno.h>
#include <fcntl.h>
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
#include "packet/convert.h"
#include "soap/envelope.h"

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
    free(x->seqs);
    free(x->operation);
    free(x->base_url);
    free(x->archive_dir);
    free(x);
}

const struct exchange_stats *exchange_get_stats(const exchange *x)
{
    return &x->stats;
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

/* ---- taking files ---- */

static int recover_one(void *ctx, const struct store_file *f)
{
    exchange *x = ctx;
    hcs_err err;
    log_warn("input %s: conversion was interrupted; converting it again", f->path);
    if (store_file_discard(x->st, f->id, &err) < 0)
        log_error("%s", err.msg);
    return 0;
}

int exchange_recover(exchange *x, hcs_err *err)
{
    return store_files_each(x->st, 0, "converting", recover_one, x, err) < 0 ? -1 : 0;
}

static int64_t parent_id_for(exchange *x, int parent_seq)
{
    for (size_t i = 0; i < x->nseqs; i++)
        if (x->seqs[i].seq == parent_seq)
            return x->seqs[i].id;
    return 0;
}

/* temp file + rename; made durable for the whole file at once by
 * sync_archive() before the transaction that points at them commits. */
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

static int sync_archive(exchange *x, hcs_err *err)
{
    int fd = open(x->archive_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || syncfs(fd) != 0) {
        hcs_fail(err, HCS_EX_IOERR, "cannot sync %s: %s", x->archive_dir, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

static int sink_packet(void *ctx, struct packet **pp, hcs_err *err)
{
    exchange *x = ctx;
    struct packet *pk = *pp;
    signer *sg = x_signer(x, err);
    if (!sg || signer_sign(sg, pk->doc, err) < 0)
        return hcs_err_wrap(err, "signing packet %d of %s", pk->seq, pk->source_file);
    char *bytes = NULL;
    size_t len = 0;
    if (envelope_to_bytes(pk->doc, &bytes, &len, err) < 0)
        return -1;
    char *path = x_archive_path(x, pk->op->name, pk->message_guid);
    char *dir = path_join(x->archive_dir, "packets");
    int rc = mkdir_p(dir, err) < 0 ? -1 : x_write_unsynced(path, bytes, len, err);
    free(dir);
    xmlFree(bytes);
    if (rc < 0) {
        free(path);
        return -1;
    }
    struct store_packet p = { 0 };
    p.file_id = x->file_id;
    p.run_id = x->run_id;
    p.parent_id = pk->parent_seq ? parent_id_for(x, pk->parent_seq) : 0;
    p.operation = (char *)pk->op->name;
    p.template_name = pk->template_name ? pk->template_name : (char *)x->template_name;
    p.seq = pk->seq;
    p.split_value = pk->split_value;
    p.lane = xasprintf("%s|%s", pk->op->name, pk->split_value ? pk->split_value : "");
    p.state = PS_CREATED;
    snprintf(p.message_guid, sizeof p.message_guid, "%s", pk->message_guid);
    p.archive_path = path;
    p.nelements = (int)pk->nelements;
    rc = store_packet_add(x->st, &p, err);
    for (size_t i = 0; rc == 0 && i < pk->nelements; i++)
        rc = store_element_add(x->st, p.id, x->file_id, &pk->elements[i], err);
    free(p.lane);
    free(path);
    if (rc < 0)
        return -1;
    ARRAY_GROW(x->seqs, x->nseqs, x->scap);
    x->seqs[x->nseqs].seq = pk->seq;
    x->seqs[x->nseqs++].id = p.id;
    if (!x->operation)
        x->operation = xstrdup(pk->op->name);
    x->stats.packets_prepared++;
    return 0;
}

static void sink_reject(void *ctx, const struct convert_reject *r)
{
    exchange *x = ctx;
    struct store_reject sr = { r->row, r->column, r->value, r->reason, r->element_key };
    hcs_err err;
    if (store_reject_add(x->st, x->file_id, &sr, &err) < 0)
        log_error("%s", err.msg);
}

static int record_rejected_file(exchange *x, struct store_file *f, const char *why, hcs_err *err)
{
    f->state = xstrdup("rejected");
    f->error = xstrdup(why);
    f->id = 0;
    if (store_file_add(x->st, f, err) < 0)
        return -1;
    x->stats.files_rejected++;
    return 1;
}

static int take_converted(exchange *x, const char *path, struct store_file *f, const struct convert_opts *opts,
                          hcs_err *err);

int exchange_take_file(exchange *x, const char *path, const char *template_name, const char *sha256,
                       struct store_file *f, hcs_err *err)
{
    memset(f, 0, sizeof *f);
    f->run_id = x->run_id;
    f->path = xstrdup(path);
    f->name = xstrdup(path_base(path));
    f->sha256 = xstrdup(sha256);
    f->template_name = xstrdup(template_name);
    x->nseqs = 0;
    free(x->operation);
    x->operation = NULL;
    x->template_name = template_name;

    struct convert_opts co = { .cfg = x->cfg, .template_name = template_name, .schemas = x->schemas,
                               .resolve = exchange_resolve, .resolve_ctx = x->st };
    /* Files named in rows are uploaded before the transaction (attach.h). */
    struct xattach att;
    if (xattach_setup(&att, x->cfg, &co, err) < 0 || xattach_prepare(&att, &co, path, err) < 0) {
        xattach_close(&att);
        return -1;
    }
    int rc = take_converted(x, path, f, &co, err);
    xattach_close(&att);
    return rc;
}

static int take_converted(exchange *x, const char *path, struct store_file *f, const struct convert_opts *opts,
                          hcs_err *err)
{
    const struct convert_opts co = *opts;
    /* All or nothing: the file row, its packets, elements and rejected rows
     * in one transaction, committed only when the whole file converted. */
    if (store_begin(x->st, err) < 0)
        return -1;
    f->state = xstrdup("converting");
    if (store_file_add(x->st, f, err) < 0)
        goto fatal;
    x->file_id = f->id;
    struct convert_sink sink = { .ctx = x, .packet = sink_packet, .reject = sink_reject };
    struct convert_stats cs = { 0 };
    hcs_err cerr = { 0 };
    if (convert_file(&co, path, &sink, &cs, &cerr) < 0) {
        store_rollback(x->st);
        if (cerr.code == HCS_EX_NOINPUT || cerr.code == HCS_EX_DATAERR) {
            free(f->state);
            return record_rejected_file(x, f, cerr.msg, err);
        }
        *err = cerr;
        return -1;
    }
    free(f->state);
    f->state = xstrdup("converted");
    f->rows = cs.rows;
    f->rows_rejected = cs.rows_rejected;
    f->operation = x->operation ? xstrdup(x->operation) : NULL;
    if ((x->nseqs && sync_archive(x, err) < 0)
        || store_packets_move_file(x->st, f->id, PS_CREATED, PS_PREPARED, err) < 0
        || store_file_update(x->st, f, err) < 0 || store_commit(x->st, err) < 0)
        goto fatal;
    x->stats.files_taken++;
    x->stats.rows += cs.rows;
    x->stats.rows_rejected += cs.rows_rejected;
    return 0;
fatal:
    store_rollback(x->st);
    return -1;
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
    struct store_packet_filter f = { .states = packet_states_to_send };
    if (send && now >= x->hold_sends_until && store_packets_each(x->st, &f, collect_one, &c, err) < 0)
        return -1;
    c.polls = 1;
    f.states = packet_states_to_poll;
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
    return store_packets_count(x->st, packet_states_pending, NULL, err);
}

int64_t exchange_next_due(exchange *x, hcs_err *err)
{
    int64_t poll = store_packets_next_due(x->st, packet_states_to_poll, err);
    int64_t send = store_packets_next_due(x->st, packet_states_to_send, err);
    long n_send = store_packets_count(x->st, packet_states_to_send, NULL, err);
    if (n_send > 0 && send < x->hold_sends_until)
        send = x->hold_sends_until;
    long n_poll = store_packets_count(x->st, packet_states_to_poll, NULL, err);
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
    if (!lifecycle_allows(p.state, PEV_RETRY)) {
        hcs_fail(err, HCS_EX_DATAERR, "packet %lld is %s: only failed, deferred or done-with-warnings"
                 " packets can be retried", (long long)packet_id, p.state);
        goto out;
    }
    lifecycle_set_error(&p, NULL, NULL);
    p.attempts = 0;
    p.done_at = 0;
    if (store_begin(x->st, err) < 0)
        goto out;
    if (store_elements_reset_packet(x->st, p.id, err) < 0
        || x_rebuild(x, &p, PEV_RETRY, "operator retry", x_now(), err) < 0 || store_commit(x->st, err) < 0) {
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
    if (!lifecycle_allows(p.state, PEV_CANCEL)) {
        hcs_fail(err, HCS_EX_DATAERR, "packet %lld is %s: only packets GIS has not acknowledged"
                 " (prepared, deferred) can be cancelled", (long long)packet_id, p.state);
    } else if (!strcmp(p.state, PS_PREPARED) && p.attempts > 0) {
        hcs_fail(err, HCS_EX_DATAERR, "packet %lld: a send was started (%d attempts) and may have reached"
                 " GIS; run 'hcsbatch send' to learn its fate", (long long)packet_id, p.attempts);
    } else if (p.gis_message_guid[0]) {
        hcs_fail(err, HCS_EX_DATAERR, "packet %lld was acknowledged by GIS (%s): it cannot be cancelled",
                 (long long)packet_id, p.gis_message_guid);
    } else {
        rc = x_finish_packet(x, &p, PEV_CANCEL, "CANCELLED", "Пакет отменён оператором", err);
    }
    store_packet_clear(&p);
    return rc;
}
