/* packer — see packer.h. */
#include "packet/packer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>

#include <openssl/rand.h>

#include "base/guid.h"
#include "base/xalloc.h"
#include "base/xmlsafe.h"
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
    strbuf scratch;
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
    for (size_t i = 0; i < nrows; i++) {
        struct convert_reject r = { file, rows[i], column ? column : "", value ? value : "",
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
    for (size_t i = 0; i < n; i++) {
        free(el[i].local_key);
        free(el[i].label);
        free(el[i].rows);
    }
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
    sb_free(&pk->scratch);
    free(pk->source);
    free(pk);
}

/* ---- validation of a whole packet ---- */

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

static int validate(struct packer *pk, xmlDocPtr doc, xmlNodePtr *nodes, struct packet_element *el,
                    size_t *nel, hcs_err *err)
{
    schema_set *set = pk->opts->schemas;
    if (!set)
        return 0;
    /* every invalid round removes at least one element, so this ends */
    while (*nel) {
        struct vstate v = { envelope_body_element(doc), *nel, xcalloc(*nel, sizeof(char *)), NULL, 0 };
        for (size_t i = 0; i < *nel; i++)
            nodes[i]->_private = (void *)(intptr_t)(i + 1);
        int rc = schema_validate_envelope(set, doc, on_schema_error, &v, err);
        for (size_t i = 0; i < *nel; i++)
            nodes[i]->_private = NULL;
        if (rc < 0) {
            for (size_t i = 0; i < *nel; i++)
                free(v.why[i]);
            free(v.why);
            free(v.packet_why);
            return -1;
        }
        if (rc == 0) {
            free(v.why);
            free(v.packet_why);
            return 0;
        }
        size_t any = 0;
        for (size_t i = 0; i < *nel; i++)
            any += v.why[i] != NULL;
        if (!any) {
            /* Nothing to blame on one element: the whole packet is refused. */
            char *why = xasprintf("пакет не прошёл проверку схемы: %s",
                                  v.packet_why ? v.packet_why : "ошибка схемы");
            for (size_t i = 0; i < *nel; i++) {
                packer_reject_rows(pk->sink, pk->source, el[i].rows, el[i].nrows, "", "", why,
                                   el[i].local_key);
                pk->stats->rows_rejected += (long)el[i].nrows;
                pk->stats->schema_rejected++;
                xmlUnlinkNode(nodes[i]);
                xmlFreeNode(nodes[i]);
            }
            free(why);
            for (size_t i = 0; i < *nel; i++) {
                free(el[i].local_key);
                free(el[i].label);
                free(el[i].rows);
            }
            *nel = 0;
            free(v.why);
            free(v.packet_why);
            return 0;
        }
        size_t k = 0;
        for (size_t i = 0; i < *nel; i++) {
            if (v.why[i]) {
                char *why = xasprintf("не прошло проверку схемы ГИС ЖКХ: %s", v.why[i]);
                packer_reject_rows(pk->sink, pk->source, el[i].rows, el[i].nrows, "", "", why,
                                   el[i].local_key);
                free(why);
                free(v.why[i]);
                pk->stats->rows_rejected += (long)el[i].nrows;
                pk->stats->schema_rejected++;
                xmlUnlinkNode(nodes[i]);
                xmlFreeNode(nodes[i]);
                free(el[i].local_key);
                free(el[i].label);
                free(el[i].rows);
                continue;
            }
            el[k] = el[i];
            nodes[k] = nodes[i];
            k++;
        }
        *nel = k;
        free(v.why);
        free(v.packet_why);
    }
    return 0;
}

static int flush(struct packer *pk, size_t index, hcs_err *err)
{
    struct open_packet *op = pk->open[index];
    pk->open[index] = pk->open[--pk->nopen];
    const struct gis_operation *gop = template_operation(pk->t);
    struct envelope_header h;
    if (envelope_header_init(&h, pk->opts->cfg, gop->header, err) < 0) {
        open_free(op, 0);
        return -1;
    }
    strbuf *sb = &pk->scratch;
    sb_reset(sb);
    envelope_begin(sb, &h);
    sb_add(sb, op->pieces[0].buf, op->pieces[0].len);
    sb_add(sb, op->sides.buf, op->sides.len);
    sb_add(sb, op->pieces[1].buf, op->pieces[1].len);
    sb_add(sb, op->elems.buf, op->elems.len);
    sb_add(sb, op->pieces[2].buf, op->pieces[2].len);
    envelope_end(sb);
    xmlDocPtr doc = xmlReadMemory(sb->buf, (int)sb->len, "packet.xml", "UTF-8",
                                  xmlsafe_options() | XML_PARSE_COMPACT);
    if (!doc) {
        const xmlError *xe = xmlGetLastError();
        open_free(op, 0);
        return hcs_fail(err, HCS_EX_CONFIG, "template %s produced XML that does not parse: %s",
                        template_name(pk->t), xe && xe->message ? xe->message : "?");
    }
    /* the element nodes, in order */
    xmlNodePtr req = envelope_body_element(doc);
    xmlNodePtr *nodes = xcalloc(op->nel + 1, sizeof *nodes);
    size_t k = 0;
    const char *ens = template_element_ns(pk->t), *ename = template_element_name(pk->t);
    for (xmlNodePtr n = req ? req->children : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && n->ns && !strcmp((const char *)n->name, ename) &&
            !strcmp((const char *)n->ns->href, ens) && k < op->nel)
            nodes[k++] = n;
    if (k != op->nel) {
        free(nodes);
        xmlFreeDoc(doc);
        open_free(op, 0);
        return hcs_fail(err, HCS_EX_CONFIG, "template %s: %zu elements rendered, %zu found in the packet",
                        template_name(pk->t), op->nel, k);
    }
    size_t nel = op->nel;
    int rc = validate(pk, doc, nodes, op->el, &nel, err);
    free(nodes);
    if (rc < 0 || nel == 0) {
        xmlFreeDoc(doc);
        op->nel = nel;
        open_free(op, 0);
        return rc;
    }
    struct packet *p = xcalloc(1, sizeof *p);
    p->op = gop;
    p->template_name = xstrdup(template_name(pk->t));
    p->source_file = xstrdup(pk->source);
    p->seq = ++pk->seq;
    if (!pk->parent_seq)
        pk->parent_seq = p->seq;
    p->parent_seq = p->seq == pk->parent_seq ? 0 : pk->parent_seq;
    p->split_value = op->split ? xstrdup(op->split) : NULL;
    memcpy(p->message_guid, h.message_guid, sizeof p->message_guid);
    p->doc = doc;
    if (nel == op->nel) {
        p->text = xmalloc(sb->len + 1);
        memcpy(p->text, sb->buf, sb->len + 1);
        p->text_len = sb->len;
    }
    if (sb->cap > (8u << 20))
        sb_free(sb);   /* do not keep a huge buffer around */
    p->elements = op->el;
    p->nelements = nel;
    op->el = NULL;
    op->nel = 0;
    open_free(op, 1);
    pk->stats->packets++;
    pk->stats->elements += (long)nel;
    rc = 0;
    if (pk->sink && pk->sink->packet && (rc = convert_seal_packet(pk->opts->signing, p, err)) == 0)
        rc = pk->sink->packet(pk->sink->ctx, &p, err);
    packet_free(p);
    return rc;
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

int packer_add(struct packer *pk, struct trow **rows, size_t nrows, hcs_err *err)
{
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
        template_render_request(pk->t, rows[0], op->pieces);
        idx = pk->nopen;
        pk->open[pk->nopen++] = op;
    }
    sb_free(&split);
    op->last_use = ++pk->tick;
    ARRAY_GROW(op->el, op->nel, op->elcap);
    struct packet_element *e = &op->el[op->nel++];
    memset(e, 0, sizeof *e);
    new_guid(pk, e->transport_guid);
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
    struct side_ctx sc = { pk, op };
    struct render_ctx ctx = { e->transport_guid, side_ref, &sc };
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
    return 0;
}
