/* packer — see packer.h. */
#include "packet/packer.h"

#include <stdint.h>
#include <stdio.h>
#include <malloc.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>

#include <openssl/rand.h>

#include "base/guid.h"
#include "base/xalloc.h"
#include "base/xmlsafe.h"
#include "packet/pool.h"
#include "soap/envelope.h"

struct side_entry {
    char *key;
    char guid[37];
};

struct open_packet {
    char *split;
    strbuf pieces[3];
    strbuf sides;
    struct side_entry **side;
    size_t nside, sidecap;
    strbuf elems;
    struct packet_element *el;
    size_t nel, elcap;
    unsigned long last_use;
};

struct flush_job;
static void job_free(struct flush_job *j);

struct packer {
    const template *t;
    const struct convert_opts *opts;
    char *source;
    const struct convert_sink *sink;
    struct convert_stats *stats;
    struct open_packet *open[PACKER_MAX_OPEN];
    size_t nopen;
    unsigned long tick;
    int seq;
    int parent_seq;
    size_t text_hint;             /* size of the largest envelope so far */
    struct pool *pool;            /* made at the first packet */
    struct flush_job *last;       /* the newest packet in flight: later rejects wait behind it */
    int failed;                   /* a packet failed: nothing more is delivered */
    hcs_err fail_err;             /* why */
    struct convert_sink ordered;  /* see packer_ordered_sink */
    unsigned char rnd[4096];      /* random bytes for TransportGUIDs, refilled in bulk */
    size_t rnd_used;
};

/* A v4 GUID from the packer's random pool: one RAND_bytes call per 256
 * GUIDs instead of one each (the per-call cost showed in profiles). */
static void new_guid(struct packer *pk, char out[37])
{
    if (pk->rnd_used + 16 > sizeof pk->rnd || pk->rnd_used == 0) {
        if (RAND_bytes(pk->rnd, sizeof pk->rnd) != 1) {
            guid_new(out);
            return;
        }
        pk->rnd_used = 0;
    }
    unsigned char *b = pk->rnd + pk->rnd_used;
    pk->rnd_used += 16;
    if (pk->rnd_used == sizeof pk->rnd)
        pk->rnd_used = 0;         /* forces a refill next time */
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    static const char hex[] = "0123456789abcdef";
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        *o++ = hex[b[i] >> 4];
        *o++ = hex[b[i] & 15];
    }
    *o = '\0';
}

void packer_reject_rows(const struct convert_sink *sink, const char *file, const long *rows,
                        size_t nrows, const char *column, const char *value, const char *reason,
                        const char *element_key)
{
    packer_reject_joined(sink, file, NULL, rows, nrows, column, value, reason, element_key);
}

void packer_reject_joined(const struct convert_sink *sink, const char *file, const char *second,
                          const long *rows, size_t nrows, const char *column, const char *value,
                          const char *reason, const char *element_key)
{
    for (size_t i = 0; i < nrows; i++) {
        struct convert_reject r = { second && table_row_file(rows[i]) ? second : file, rows[i], column ? column : "", value ? value : "",
                                    reason, element_key };
        if (sink && sink->reject)
            sink->reject(sink->ctx, &r);
    }
}

struct packer *packer_new(const template *t, const struct convert_opts *opts, const char *source,
                          const struct convert_sink *sink, struct convert_stats *stats)
{
    struct packer *pk = xcalloc(1, sizeof *pk);
    pk->t = t;
    pk->opts = opts;
    pk->source = xstrdup(source);
    pk->sink = sink;
    pk->stats = stats;
    return pk;
}

static void free_elements(struct packet_element *el, size_t n)
{
    for (size_t i = 0; i < n; i++)
        packet_element_clear(&el[i]);
    free(el);
}

static void open_free(struct open_packet *op, int keep_elements)
{
    free(op->split);
    for (int i = 0; i < 3; i++)
        sb_free(&op->pieces[i]);
    sb_free(&op->sides);
    for (size_t i = 0; i < op->nside; i++) {
        free(op->side[i]->key);
        free(op->side[i]);
    }
    free(op->side);
    sb_free(&op->elems);
    if (!keep_elements)
        free_elements(op->el, op->nel);
    free(op);
}

void packer_free(struct packer *pk)
{
    if (!pk)
        return;
    for (size_t i = 0; i < pk->nopen; i++)
        open_free(pk->open[i], 0);
    if (pk->pool) {
        /* a failed conversion: what is still in flight is finished and dropped */
        struct flush_job *j;
        while ((j = pool_take(pk->pool, 1)) != NULL)
            job_free(j);
        pool_free(pk->pool);
    }
    free(pk->source);
    free(pk);
}

/* ---- the per-packet work: parse, validate, seal (on a worker) ---- */

/* An element the schema refused, with the reason for its rows. */
struct dropped {
    struct packet_element el;
    char *why;
};

/* A reject of a later row, held until the packets before it are out (so
 * errors.csv is in the same order whatever the number of workers). */
struct held_reject {
    char *file, *column, *value, *reason, *element_key;
    long row;
};

struct flush_job {
    const struct packer *pk;     /* read-only on the worker */
    strbuf text;                 /* the rendered envelope */
    struct packet *p;            /* names and elements (main); doc, text (worker) */
    signer *sg;                  /* NULL: not signed */
    int seal;                    /* the sink wants the packet's bytes */
    struct dropped *dropped;
    size_t ndropped, dcap;
    int rc;
    hcs_err err;                 /* the worker's own */
    struct held_reject *after;   /* main thread only */
    size_t nafter, acap;
};

struct worker_state {
    schema_validator *v;
};

static void *worker_state_new(void *ctx)
{
    struct worker_state *w = xcalloc(1, sizeof *w);
    if (ctx)
        w->v = schema_validator_new(ctx);
    return w;
}

static void worker_state_free(void *state)
{
    struct worker_state *w = state;
    schema_validator_free(w->v);
    free(w);
}

struct vstate {
    xmlNodePtr request;
    size_t nel;
    char **why;            /* per element: first schema message, or NULL */
    char *packet_why;      /* a problem outside any element */
    int failures;
};

static void on_schema_error(void *ctx, xmlNodePtr node, int line, const char *message)
{
    (void)line;
    struct vstate *v = ctx;
    v->failures++;
    xmlNodePtr n = node;
    if (n && n->type == XML_ATTRIBUTE_NODE)
        n = n->parent;
    while (n && n->parent && n->parent != v->request)
        n = n->parent;
    intptr_t idx = (n && n->parent == v->request && n->type == XML_ELEMENT_NODE) ? (intptr_t)n->_private : 0;
    if (idx > 0 && (size_t)idx <= v->nel) {
        if (!v->why[idx - 1])
            v->why[idx - 1] = xstrdup(message);
    } else if (!v->packet_why) {
        v->packet_why = xstrdup(message);
    }
}

/* Element i leaves the packet: its node goes, its rows are rejected with
 * why (taken) when the job is delivered. */
static void drop(struct flush_job *j, xmlNodePtr node, const struct packet_element *el, char *why)
{
    xmlUnlinkNode(node);
    xmlFreeNode(node);
    ARRAY_GROW(j->dropped, j->ndropped, j->dcap);
    j->dropped[j->ndropped].el = *el;
    j->dropped[j->ndropped++].why = why;
}

static void vstate_free(struct vstate *v)
{
    for (size_t i = 0; i < v->nel; i++)
        free(v->why[i]);
    free(v->why);
    free(v->packet_why);
}

static int validate(struct flush_job *j, schema_validator *sv, xmlDocPtr doc, xmlNodePtr *nodes,
                    hcs_err *err)
{
    struct packet_element *el = j->p->elements;
    size_t *nel = &j->p->nelements;
    if (!sv)
        return 0;
    /* every invalid round removes at least one element, so this ends */
    while (*nel) {
        struct vstate v = { envelope_body_element(doc), *nel, xcalloc(*nel, sizeof(char *)), NULL, 0 };
        for (size_t i = 0; i < *nel; i++)
            nodes[i]->_private = (void *)(intptr_t)(i + 1);
        int rc = schema_validator_envelope(sv, doc, on_schema_error, &v, err);
        for (size_t i = 0; i < *nel; i++)
            nodes[i]->_private = NULL;
        size_t any = 0;
        for (size_t i = 0; i < *nel; i++)
            any += v.why[i] != NULL;
        if (rc <= 0) {
            vstate_free(&v);
            return rc;
        }
        if (!any) {
            /* Nothing to blame on one element: the whole packet is refused. */
            for (size_t i = 0; i < *nel; i++)
                drop(j, nodes[i], &el[i], xasprintf("пакет не прошёл проверку схемы: %s",
                                                    v.packet_why ? v.packet_why : "ошибка схемы"));
            *nel = 0;
            vstate_free(&v);
            return 0;
        }
        size_t k = 0;
        for (size_t i = 0; i < *nel; i++) {
            if (v.why[i]) {
                drop(j, nodes[i], &el[i], xasprintf("не прошло проверку схемы ГИС ЖКХ: %s", v.why[i]));
                continue;
            }
            el[k] = el[i];
            nodes[k] = nodes[i];
            k++;
        }
        *nel = k;
        vstate_free(&v);
    }
    return 0;
}

/* The rendered text → a schema-valid, sealed packet (j->p->text). */
static int build_packet(struct flush_job *j, schema_validator *sv, hcs_err *err)
{
    const struct packer *pk = j->pk;
    struct packet *p = j->p;
    xmlResetLastError();
    xmlDocPtr doc = xmlReadMemory(j->text.buf, (int)j->text.len, "packet.xml", "UTF-8",
                                  xmlsafe_options() | XML_PARSE_COMPACT);
    if (!doc) {
        const xmlError *xe = xmlGetLastError();
        return hcs_fail(err, HCS_EX_CONFIG, "template %s produced XML that does not parse: %s",
                        template_name(pk->t), xe && xe->message ? xe->message : "?");
    }
    p->doc = doc;
    /* the element nodes, in order */
    size_t rendered = p->nelements;
    xmlNodePtr req = envelope_body_element(doc);
    xmlNodePtr *nodes = xcalloc(rendered + 1, sizeof *nodes);
    size_t k = 0;
    for (xmlNodePtr n = req ? req->children : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && n->ns && k < rendered &&
            template_is_element(pk->t, (const char *)n->ns->href, (const char *)n->name))
            nodes[k++] = n;
    if (k != rendered) {
        free(nodes);
        return hcs_fail(err, HCS_EX_CONFIG, "template %s: %zu elements rendered, %zu found in the packet",
                        template_name(pk->t), rendered, k);
    }
    int rc = validate(j, sv, doc, nodes, err);
    free(nodes);
    if (rc < 0 || p->nelements == 0)
        return rc;
    if (p->nelements == rendered)
        p->text = sb_detach(&j->text, &p->text_len);   /* the text is still the document */
    sb_free(&j->text);
    if (j->seal && convert_seal_with(j->sg, p, err) < 0)
        return -1;
    /* Sealed, the packet is its text.  The tree goes in the thread that
     * built it: freed on the delivering thread, its thousands of nodes
     * would go back to this worker's malloc arena under that arena's lock,
     * while the worker allocates the next packet from it. */
    xmlFreeDoc(p->doc);
    p->doc = NULL;
    return 0;
}

static void flush_work(void *job, void *state)
{
    struct flush_job *j = job;
    struct worker_state *w = state;
    j->rc = build_packet(j, w->v, &j->err);
}

static void job_free(struct flush_job *j)
{
    sb_free(&j->text);
    packet_free(j->p);
    for (size_t i = 0; i < j->ndropped; i++) {
        packet_element_clear(&j->dropped[i].el);
        free(j->dropped[i].why);
    }
    free(j->dropped);
    for (size_t i = 0; i < j->nafter; i++) {
        struct held_reject *h = &j->after[i];
        free(h->file);
        free(h->column);
        free(h->value);
        free(h->reason);
        free(h->element_key);
    }
    free(j->after);
    free(j);
}

/* ---- ordered delivery (main thread) ---- */

static int deliver(struct packer *pk, struct flush_job *j, hcs_err *err)
{
    for (size_t i = 0; i < j->ndropped; i++) {
        struct packet_element *e = &j->dropped[i].el;
        packer_reject_joined(pk->sink, pk->source, pk->opts->join_child, e->rows, e->nrows, "", "",
                             j->dropped[i].why, e->local_key);
        pk->stats->rows_rejected += (long)e->nrows;
        pk->stats->schema_rejected++;
    }
    int rc = j->rc;
    if (rc < 0) {
        *err = j->err;
    } else if (j->p->nelements) {
        struct packet *p = j->p;
        p->seq = ++pk->seq;
        if (!pk->parent_seq)
            pk->parent_seq = p->seq;
        p->parent_seq = p->seq == pk->parent_seq ? 0 : pk->parent_seq;
        pk->stats->packets++;
        pk->stats->elements += (long)p->nelements;
        if (j->seal)
            rc = pk->sink->packet(pk->sink->ctx, &j->p, err);
    }
    for (size_t i = 0; rc == 0 && i < j->nafter; i++) {
        struct held_reject *h = &j->after[i];
        struct convert_reject r = { h->file, h->row, h->column, h->value, h->reason, h->element_key };
        pk->sink->reject(pk->sink->ctx, &r);
    }
    job_free(j);
    return rc;
}

/* Delivers the finished packets at the head of the line (all of them,
 * waiting, with wait_all).  After a failure the rest is dropped. */
static int drain(struct packer *pk, int wait_all, hcs_err *err)
{
    struct flush_job *j;
    /* the line is full: the oldest must go out before another comes in */
    size_t n = pk->pool ? pool_in_flight(pk->pool) : 0;
    int wait_one = n && (n >= pool_capacity(pk->pool) ||
                         (n >= 2 && n * pk->text_hint > PACKER_IN_FLIGHT_TEXT));
    while (pk->pool && (j = pool_take(pk->pool, wait_all || wait_one)) != NULL) {
        wait_one = 0;
        if (pk->failed) {
            job_free(j);
            continue;
        }
        if (deliver(pk, j, &pk->fail_err) < 0)
            pk->failed = 1;
    }
    if (!pk->pool || !pool_in_flight(pk->pool))
        pk->last = NULL;
    if (pk->failed)
        *err = pk->fail_err;
    return pk->failed ? -1 : 0;
}

static int worker_count(const struct convert_opts *opts)
{
    long n = opts->cfg ? cfg_int(opts->cfg, "convert.jobs", 0) : 1;
    if (n <= 0)
        n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n > CONVERT_MAX_JOBS)
        n = CONVERT_MAX_JOBS;
    return n < 1 ? 1 : (int)n;
}

static void start_pool(struct packer *pk)
{
    int jobs = worker_count(pk->opts);
    struct pool_fns fns = { flush_work, worker_state_new, worker_state_free, pk->opts->schemas };
    /* one job: the packets are made in this thread, one at a time */
    /* glibc gives each thread an arena of its own that keeps its high-water
     * mark: 8 workers each holding a parsed 500-bill packet once would keep
     * 8 of them resident.  Two arenas hold peak RSS near one job's. */
    if (jobs > 1)
        mallopt(M_ARENA_MAX, 2);
    /* Four packets in flight per worker: packets are delivered in order,
     * so with two per worker one slow packet at the head soon left the
     * others idle behind a full line (2 cores, signed: 1.3x one core
     * instead of 1.6x).  Finished packets in line hold only their text,
     * and that is bounded by PACKER_IN_FLIGHT_TEXT. */
    pk->pool = jobs > 1 ? pool_new(jobs, 4 * (size_t)jobs, &fns) : NULL;
    if (!pk->pool)
        pk->pool = pool_new(0, 1, &fns);
}

static int flush(struct packer *pk, size_t index, hcs_err *err)
{
    struct open_packet *op = pk->open[index];
    pk->open[index] = pk->open[--pk->nopen];
    if (pk->failed) {
        open_free(op, 0);
        *err = pk->fail_err;
        return -1;
    }
    const struct gis_operation *gop = template_operation(pk->t);
    struct envelope_header h;
    int seal = pk->sink && pk->sink->packet;
    /* the signer is opened here, in this thread, before any worker uses it */
    signer *sg = NULL;
    if (envelope_header_init(&h, pk->opts->cfg, gop->header, err) < 0 ||
        (seal && pk->opts->signing && !(sg = convert_signer(pk->opts->signing, err)))) {
        open_free(op, 0);
        if (sg == NULL && seal && pk->opts->signing)
            hcs_err_wrap(err, "signing packets of %s", pk->source);
        return -1;
    }
    struct flush_job *j = xcalloc(1, sizeof *j);
    j->pk = pk;
    j->sg = sg;
    j->seal = seal;
    strbuf *sb = &j->text;
    sb_grow(sb, pk->text_hint);
    envelope_begin(sb, &h);
    sb_add(sb, op->pieces[0].buf, op->pieces[0].len);
    sb_add(sb, op->sides.buf, op->sides.len);
    sb_add(sb, op->pieces[1].buf, op->pieces[1].len);
    sb_add(sb, op->elems.buf, op->elems.len);
    sb_add(sb, op->pieces[2].buf, op->pieces[2].len);
    envelope_end(sb);
    if (sb->len > pk->text_hint && sb->len < (8u << 20))
        pk->text_hint = sb->len;
    struct packet *p = xcalloc(1, sizeof *p);
    p->op = gop;
    p->template_name = xstrdup(template_name(pk->t));
    p->source_file = xstrdup(pk->source);
    p->split_value = op->split ? xstrdup(op->split) : NULL;
    memcpy(p->message_guid, h.message_guid, sizeof p->message_guid);
    p->elements = op->el;
    p->nelements = op->nel;
    op->el = NULL;
    op->nel = 0;
    open_free(op, 1);
    j->p = p;
    if (!pk->pool) {
        /* the schema is compiled here, not on a worker (see schema_prepare) */
        if (pk->opts->schemas &&
            schema_prepare(pk->opts->schemas, template_element_ns(pk->t), err) < 0) {
            job_free(j);
            return -1;
        }
        start_pool(pk);
    }
    if (drain(pk, 0, err) < 0) {
        job_free(j);
        return -1;
    }
    pool_submit(pk->pool, j);
    pk->last = j;
    return drain(pk, 0, err);
}

struct side_ctx {
    struct packer *pk;
    struct open_packet *op;
};

static const char *side_ref(void *ctx, const struct trow *row)
{
    struct side_ctx *sc = ctx;
    strbuf key = STRBUF_INIT;
    template_format(sc->pk->t, TF_SIDE, row, &key);
    const char *k = sb_str(&key);
    for (size_t i = 0; i < sc->op->nside; i++)
        if (!strcmp(sc->op->side[i]->key, k)) {
            sb_free(&key);
            return sc->op->side[i]->guid;
        }
    struct side_entry *e = xcalloc(1, sizeof *e);
    e->key = xstrdup(k);
    new_guid(sc->pk, e->guid);
    ARRAY_GROW(sc->op->side, sc->op->nside, sc->op->sidecap);
    sc->op->side[sc->op->nside++] = e;
    template_render_side(sc->pk->t, row, e->guid, &sc->op->sides);
    sb_free(&key);
    return e->guid;
}

struct part_ctx {
    struct packer *pk;
    struct packet_element *e;
    size_t cap;
};

/* {t:part:KIND}: a new TransportGUID for the part the row describes. */
static const char *part_ref(void *ctx, int part, const struct trow *row)
{
    struct part_ctx *pc = ctx;
    struct packet_element *e = pc->e;
    ARRAY_GROW(e->parts, e->nparts, pc->cap);
    struct packet_part *pt = &e->parts[e->nparts++];
    memset(pt, 0, sizeof *pt);
    new_guid(pc->pk, pt->transport_guid);
    strbuf key = STRBUF_INIT, label = STRBUF_INIT;
    template_part_format(pc->pk->t, part, row, &key, &label);
    pt->kind = xstrdup(template_part_kind(pc->pk->t, part));
    pt->local_key = xstrdup(sb_str(&key));
    pt->label = xstrdup(sb_str(&label));
    sb_free(&key);
    sb_free(&label);
    return pt->transport_guid;
}

/* A template with [join]: a group's rows after its first in depth order
 * (premises rows before their rooms' rows), stable, as the two-file form's
 * join gives them, so a premises is read from its own row also when the
 * one-file form lists a room first.  The first row (the house's columns)
 * stays first. */
static void order_by_depth(const template *t, struct trow **rows, size_t nrows)
{
    for (size_t i = 2; i < nrows; i++) {   /* no [join]: every depth 0, nothing moves */
        struct trow *r = rows[i];
        int d = template_trow_depth(t, r);
        size_t j = i;
        while (j > 1 && template_trow_depth(t, rows[j - 1]) > d) {
            rows[j] = rows[j - 1];
            j--;
        }
        rows[j] = r;
    }
}

int packer_add(struct packer *pk, struct trow **rows, size_t nrows, hcs_err *err)
{
    char tguid[37];   /* the element's TransportGUID; also {t:guid} of a request it opens */
    new_guid(pk, tguid);
    strbuf split = STRBUF_INIT;
    template_format(pk->t, TF_SPLIT, rows[0], &split);
    struct open_packet *op = NULL;
    size_t idx = 0;
    for (size_t i = 0; i < pk->nopen; i++)
        if (!strcmp(pk->open[i]->split ? pk->open[i]->split : "", sb_str(&split))) {
            op = pk->open[i];
            idx = i;
        }
    if (!op) {
        if (pk->nopen == PACKER_MAX_OPEN) {
            size_t oldest = 0;
            for (size_t i = 1; i < pk->nopen; i++)
                if (pk->open[i]->last_use < pk->open[oldest]->last_use)
                    oldest = i;
            if (flush(pk, oldest, err) < 0) {
                sb_free(&split);
                for (size_t i = 0; i < nrows; i++)
                    trow_free(rows[i]);
                return -1;
            }
        }
        op = xcalloc(1, sizeof *op);
        op->split = template_has_split(pk->t) ? xstrdup(sb_str(&split)) : NULL;
        template_render_request(pk->t, rows[0], tguid, op->pieces);
        idx = pk->nopen;
        pk->open[pk->nopen++] = op;
    }
    sb_free(&split);
    op->last_use = ++pk->tick;
    ARRAY_GROW(op->el, op->nel, op->elcap);
    struct packet_element *e = &op->el[op->nel++];
    memset(e, 0, sizeof *e);
    memcpy(e->transport_guid, tguid, sizeof tguid);
    strbuf s = STRBUF_INIT;
    template_format(pk->t, TF_KEY, rows[0], &s);
    e->local_key = sb_detach(&s, NULL);
    if (!e->local_key)
        e->local_key = xstrdup("");
    template_format(pk->t, TF_LABEL, rows[0], &s);
    e->label = sb_detach(&s, NULL);
    if (!e->label)
        e->label = xstrdup(e->local_key);
    e->rows = xmalloc(nrows * sizeof *e->rows);
    e->nrows = nrows;
    for (size_t i = 0; i < nrows; i++)
        e->rows[i] = rows[i]->row;
    order_by_depth(pk->t, rows, nrows);
    struct side_ctx sc = { pk, op };
    struct part_ctx pc = { pk, e, 0 };
    struct render_ctx ctx = { e->transport_guid, side_ref, &sc, part_ref, &pc };
    template_render_element(pk->t, rows, nrows, &ctx, &op->elems);
    for (size_t i = 0; i < nrows; i++)
        trow_free(rows[i]);
    if ((int)op->nel >= template_limit(pk->t))
        return flush(pk, idx, err);
    return 0;
}

int packer_finish(struct packer *pk, hcs_err *err)
{
    /* oldest first, so packet numbers follow the file */
    while (pk->nopen) {
        size_t oldest = 0;
        for (size_t i = 1; i < pk->nopen; i++)
            if (pk->open[i]->last_use < pk->open[oldest]->last_use)
                oldest = i;
        if (flush(pk, oldest, err) < 0)
            return -1;
    }
    return drain(pk, 1, err);
}

/* A reject from the converter: straight to the sink when no packet is in
 * flight, else held behind the newest one (copied: r's strings are the
 * caller's).  Too many held: wait for the packets before them. */
static void ordered_reject(void *ctx, const struct convert_reject *r)
{
    struct packer *pk = ctx;
    if (!pk->last) {
        if (!pk->failed && pk->sink && pk->sink->reject)
            pk->sink->reject(pk->sink->ctx, r);
        return;
    }
    struct flush_job *j = pk->last;
    ARRAY_GROW(j->after, j->nafter, j->acap);
    struct held_reject *h = &j->after[j->nafter++];
    h->file = xstrdup(r->file ? r->file : "");
    h->row = r->row;
    h->column = xstrdup(r->column ? r->column : "");
    h->value = xstrdup(r->value ? r->value : "");
    h->reason = xstrdup(r->reason ? r->reason : "");
    h->element_key = r->element_key ? xstrdup(r->element_key) : NULL;
    if (j->nafter >= PACKER_MAX_HELD) {
        hcs_err e = { 0 };
        drain(pk, 1, &e);   /* a failure shows at the next flush or at finish */
    }
}

const struct convert_sink *packer_ordered_sink(struct packer *pk)
{
    pk->ordered.ctx = pk;
    pk->ordered.packet = NULL;
    pk->ordered.reject = ordered_reject;
    return &pk->ordered;
}
