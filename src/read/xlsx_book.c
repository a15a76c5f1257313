/* xlsx_book — the workbook facts the sheet reader needs, read once:
 * the sheet part (first worksheet, or the one named in the options) from
 * xl/workbook.xml + its relationships, the 1904 date system flag, which
 * cell styles (cellXfs) carry a date or time number format, and the shared
 * strings — held in one arena with a size limit, since cells refer to them
 * by index from anywhere in the sheet. */
#include "read/xlsx_impl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/xalloc.h"

#define DEFAULT_MAX_SHARED ((size_t)256 << 20)

struct rel { char *id, *type, *target; };
struct sheet_ref { char *name, *rid; };

struct book_parts {
    struct rel *rels;
    size_t nrels, crels;
    struct sheet_ref *sheets;
    size_t nsheets, csheets;
};

static int is_elem(xmlTextReaderPtr rd, const char *name)
{
    return xmlTextReaderNodeType(rd) == XML_READER_TYPE_ELEMENT &&
           !strcmp((const char *)xmlTextReaderConstLocalName(rd), name);
}

static int is_end(xmlTextReaderPtr rd, const char *name)
{
    return xmlTextReaderNodeType(rd) == XML_READER_TYPE_END_ELEMENT &&
           !strcmp((const char *)xmlTextReaderConstLocalName(rd), name);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

/* Relationship targets are relative to xl/ unless absolute. */
static char *resolve_target(const char *target)
{
    if (target[0] == '/')
        return xstrdup(target + 1);
    if (!strncmp(target, "./", 2))
        target += 2;
    return xasprintf("xl/%s", target);
}

static int read_workbook(struct xlsx_zip *z, struct xlsx_book *b, struct book_parts *p,
                         hcs_err *err)
{
    xmlTextReaderPtr rd = xz_part_open(z, "xl/workbook.xml", err);
    if (!rd)
        return -1;
    int rc;
    while ((rc = xz_read(z, rd, err)) == 1) {
        if (is_elem(rd, "workbookPr")) {
            char *v = xz_attr(rd, "date1904");
            if (v && (!strcmp(v, "1") || !strcmp(v, "true")))
                b->date1904 = 1;
            xmlFree(v);
        } else if (is_elem(rd, "sheet")) {
            char *name = xz_attr(rd, "name"), *rid = xz_attr(rd, "id");
            ARRAY_GROW(p->sheets, p->nsheets, p->csheets);
            p->sheets[p->nsheets].name = xstrdup(name ? name : "");
            p->sheets[p->nsheets].rid = xstrdup(rid ? rid : "");
            p->nsheets++;
            xmlFree(name);
            xmlFree(rid);
        }
    }
    xz_part_close(z, rd);
    return rc;
}

static int read_rels(struct xlsx_zip *z, struct book_parts *p, hcs_err *err)
{
    const char *part = "xl/_rels/workbook.xml.rels";
    if (!xz_exists(z, part))
        return 0;
    xmlTextReaderPtr rd = xz_part_open(z, part, err);
    if (!rd)
        return -1;
    int rc;
    while ((rc = xz_read(z, rd, err)) == 1) {
        if (!is_elem(rd, "Relationship"))
            continue;
        char *id = xz_attr(rd, "Id"), *type = xz_attr(rd, "Type"), *target = xz_attr(rd, "Target");
        char *mode = xz_attr(rd, "TargetMode");
        if (id && type && target && !(mode && !strcmp(mode, "External"))) {
            ARRAY_GROW(p->rels, p->nrels, p->crels);
            p->rels[p->nrels].id = xstrdup(id);
            p->rels[p->nrels].type = xstrdup(type);
            p->rels[p->nrels].target = resolve_target(target);
            p->nrels++;
        }
        xmlFree(id);
        xmlFree(type);
        xmlFree(target);
        xmlFree(mode);
    }
    xz_part_close(z, rd);
    return rc;
}

static const struct rel *rel_by_id(const struct book_parts *p, const char *id)
{
    for (size_t i = 0; i < p->nrels; i++)
        if (!strcmp(p->rels[i].id, id))
            return &p->rels[i];
    return NULL;
}

static const char *rel_target_by_type(const struct book_parts *p, const char *suffix,
                                      const char *fallback)
{
    for (size_t i = 0; i < p->nrels; i++)
        if (ends_with(p->rels[i].type, suffix))
            return p->rels[i].target;
    return fallback;
}

static int choose_sheet(struct xlsx_zip *z, struct xlsx_book *b, const struct book_parts *p,
                        const char *wanted, hcs_err *err)
{
    if (wanted && *wanted) {
        char *w = header_normalize(wanted);
        for (size_t i = 0; i < p->nsheets && !b->sheet_part; i++) {
            char *n = header_normalize(p->sheets[i].name);
            const struct rel *r = rel_by_id(p, p->sheets[i].rid);
            if (!strcmp(n, w))
                b->sheet_part = xstrdup(r ? r->target : "xl/worksheets/sheet1.xml");
            free(n);
        }
        free(w);
        if (b->sheet_part)
            return 0;
        strbuf names = STRBUF_INIT;
        for (size_t i = 0; i < p->nsheets; i++)
            sb_addf(&names, "%s«%s»", i ? ", " : "", p->sheets[i].name);
        hcs_fail(err, HCS_EX_DATAERR, "%s: no sheet named «%s» (sheets: %s)", z->path, wanted,
                 sb_str(&names));
        sb_free(&names);
        return -1;
    }
    for (size_t i = 0; i < p->nsheets; i++) {
        const struct rel *r = rel_by_id(p, p->sheets[i].rid);
        if (r && ends_with(r->type, "/worksheet")) {
            b->sheet_part = xstrdup(r->target);
            return 0;
        }
    }
    if (p->nrels == 0 && xz_exists(z, "xl/worksheets/sheet1.xml")) {
        b->sheet_part = xstrdup("xl/worksheets/sheet1.xml");
        return 0;
    }
    return hcs_fail(err, HCS_EX_DATAERR, "%s: the workbook has no worksheet", z->path);
}

/* ---- number formats ------------------------------------------------- */

static enum xf_kind builtin_kind(int id)
{
    if ((id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58))
        return XF_DATE;
    if ((id >= 18 && id <= 21) || (id >= 45 && id <= 47))
        return XF_TIME;
    return XF_NUMBER;
}

/* Date letters count only outside "literals", [colours/locales], and
 * escaped characters; "General" and AM/PM are words, not letters. */
enum xf_kind xlsx_format_kind(int id, const char *code)
{
    if (!code)
        return builtin_kind(id);
    int date = 0, time = 0, month = 0;
    for (const char *p = code; *p; p++) {
        char c = (char)tolower((unsigned char)*p);
        if (c == '"') {
            while (p[1] && p[1] != '"')
                p++;
            if (p[1])
                p++;
        } else if (c == '\\' || c == '_' || c == '*') {
            if (p[1])
                p++;
        } else if (c == '[') {
            char e = (char)tolower((unsigned char)p[1]);
            if (e == 'h' || e == 'm' || e == 's')
                time = 1;                                   /* [h]:mm elapsed time */
            while (p[1] && p[1] != ']')
                p++;
            if (p[1])
                p++;
        } else if (!strncasecmp(p, "general", 7)) {
            p += 6;
        } else if (!strncasecmp(p, "am/pm", 5)) {
            time = 1;
            p += 4;
        } else if (!strncasecmp(p, "a/p", 3)) {
            time = 1;
            p += 2;
        } else if (c == 'd' || c == 'y') {
            date = 1;
        } else if (c == 'h' || c == 's') {
            time = 1;
        } else if (c == 'm') {
            month = 1;
        }
    }
    if (date)
        return XF_DATE;
    if (time)
        return XF_TIME;
    return month ? XF_DATE : XF_NUMBER;
}

struct custom_fmt { int id; enum xf_kind kind; };

static int read_styles(struct xlsx_zip *z, struct xlsx_book *b, const char *part, hcs_err *err)
{
    if (!xz_exists(z, part))
        return 0;
    xmlTextReaderPtr rd = xz_part_open(z, part, err);
    if (!rd)
        return -1;
    struct custom_fmt *fmts = NULL;
    size_t nf = 0, cf = 0, cxf = 0;
    int in_cellxfs = 0, rc;
    while ((rc = xz_read(z, rd, err)) == 1) {
        if (is_elem(rd, "numFmt")) {
            char *id = xz_attr(rd, "numFmtId"), *code = xz_attr(rd, "formatCode");
            if (id) {
                ARRAY_GROW(fmts, nf, cf);
                fmts[nf].id = atoi(id);
                fmts[nf].kind = xlsx_format_kind(fmts[nf].id, code ? code : "");
                nf++;
            }
            xmlFree(id);
            xmlFree(code);
        } else if (is_elem(rd, "cellXfs")) {
            in_cellxfs = !xmlTextReaderIsEmptyElement(rd);
        } else if (is_end(rd, "cellXfs")) {
            in_cellxfs = 0;
        } else if (in_cellxfs && is_elem(rd, "xf")) {
            char *v = xz_attr(rd, "numFmtId");
            int id = v ? atoi(v) : 0;
            xmlFree(v);
            enum xf_kind kind = builtin_kind(id);
            for (size_t i = 0; i < nf; i++)
                if (fmts[i].id == id)
                    kind = fmts[i].kind;
            ARRAY_GROW(b->xf_kind, b->nxf, cxf);
            b->xf_kind[b->nxf++] = (unsigned char)kind;
        }
    }
    free(fmts);
    xz_part_close(z, rd);
    return rc;
}

/* ---- shared strings -------------------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

size_t xlsx_unescape(char *s, size_t n)
{
    char *first = memchr(s, '_', n);
    if (!first)
        return n;
    size_t o = (size_t)(first - s);
    for (size_t i = o; i < n;) {
        if (s[i] == '_' && i + 6 < n && s[i + 1] == 'x' && s[i + 6] == '_') {
            int h[4], ok = 1;
            for (int k = 0; k < 4; k++)
                ok &= (h[k] = hexval(s[i + 2 + k])) >= 0;
            if (ok) {
                unsigned cp = (unsigned)(h[0] << 12 | h[1] << 8 | h[2] << 4 | h[3]);
                if (cp < 0x80) {
                    s[o++] = (char)cp;
                } else if (cp < 0x800) {
                    s[o++] = (char)(0xC0 | cp >> 6);
                    s[o++] = (char)(0x80 | (cp & 0x3F));
                } else {
                    s[o++] = (char)(0xE0 | cp >> 12);
                    s[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                    s[o++] = (char)(0x80 | (cp & 0x3F));
                }
                i += 7;
                continue;
            }
        }
        s[o++] = s[i++];
    }
    return o;
}

static int push_shared(struct xlsx_zip *z, struct xlsx_book *b, strbuf *cur, int too_long,
                       size_t max_cell, size_t max_shared, hcs_err *err)
{
    ARRAY_GROW(b->ss, b->nss, b->ss_alloc);
    size_t len = cur->len ? xlsx_unescape(cur->buf, cur->len) : 0;
    if (too_long || len > max_cell) {
        b->ss[b->nss].off = 0;
        b->ss[b->nss].len = SS_TOO_LONG;
        b->nss++;
        return 0;
    }
    if (b->ss_used + len + 1 > max_shared)
        return hcs_fail(err, HCS_EX_DATAERR,
                        "%s: shared strings take more than %zu MB — refusing (save the sheet as CSV)",
                        z->path, max_shared >> 20);
    if (b->ss_used + len + 1 > b->ss_cap) {
        size_t cap = b->ss_cap ? b->ss_cap : 1 << 16;
        while (cap < b->ss_used + len + 1)
            cap *= 2;
        b->ss_text = xrealloc(b->ss_text, cap);
        b->ss_cap = cap;
    }
    memcpy(b->ss_text + b->ss_used, cur->buf ? cur->buf : "", len);
    b->ss_text[b->ss_used + len] = '\0';
    b->ss[b->nss].off = (uint32_t)b->ss_used;
    b->ss[b->nss].len = (uint32_t)len;
    b->nss++;
    b->ss_used += len + 1;
    return 0;
}

/* The shared strings part, streamed like the sheet (a workbook may have a
 * million of them). */
struct shared_reader {
    struct xlsx_zip *z;
    struct xlsx_book *b;
    struct xz_sax sx;
    const xmlChar *n_si, *n_t, *n_rph;
    size_t max_cell, max_shared, raw_cap;
    strbuf cur;
    int in_si, in_t, in_rph, too_long;
    int failed;
    hcs_err *err;
};

static void shared_push(struct shared_reader *r)
{
    if (push_shared(r->z, r->b, &r->cur, r->too_long, r->max_cell, r->max_shared, r->err) < 0) {
        r->failed = 1;
        xz_sax_stop(&r->sx);
    }
}

static void shared_start(void *user, const xmlChar *name, const xmlChar **attrs, int nattrs)
{
    (void)attrs, (void)nattrs;
    struct shared_reader *r = user;
    if (name == r->n_si) {
        sb_reset(&r->cur);
        r->too_long = 0;
        r->in_si = 1;
    } else if (name == r->n_t) {
        r->in_t = r->in_si;
    } else if (name == r->n_rph) {
        r->in_rph = 1;                  /* phonetic hints are not cell text */
    }
}

static void shared_end(void *user, const xmlChar *name)
{
    struct shared_reader *r = user;
    if (name == r->n_t) {
        r->in_t = 0;
    } else if (name == r->n_rph) {
        r->in_rph = 0;
    } else if (name == r->n_si) {
        r->in_si = 0;
        shared_push(r);
    }
}

static void shared_text(void *user, const xmlChar *v, int len)
{
    struct shared_reader *r = user;
    if (!r->in_t || r->in_rph)
        return;
    if (r->cur.len + (size_t)len > r->raw_cap)
        r->too_long = 1;
    else
        sb_add(&r->cur, v, (size_t)len);
}

static const struct xz_sax_handlers shared_handlers = { shared_start, shared_end, shared_text };

static int read_shared(struct xlsx_zip *z, struct xlsx_book *b, const char *part,
                       const struct table_opts *o, hcs_err *err)
{
    if (!xz_exists(z, part))
        return 0;
    struct shared_reader r = { .z = z, .b = b, .err = err };
    r.max_cell = o->max_cell_bytes ? o->max_cell_bytes : 65536;
    r.max_shared = o->max_shared_strings ? o->max_shared_strings : DEFAULT_MAX_SHARED;
    if (r.max_shared > (size_t)UINT32_MAX - 1)
        r.max_shared = (size_t)UINT32_MAX - 1;
    r.raw_cap = r.max_cell * 2 + 64;       /* _xHHHH_ escapes shrink when decoded */
    if (xz_sax_open(z, part, &shared_handlers, &r, &r.sx, err) < 0)
        return -1;
    r.n_si = xz_sax_intern(&r.sx, "si");
    r.n_t = xz_sax_intern(&r.sx, "t");
    r.n_rph = xz_sax_intern(&r.sx, "rPh");
    int rc;
    while ((rc = xz_sax_feed(&r.sx, err)) == 1)
        ;
    if (r.failed)
        rc = -1;
    sb_free(&r.cur);
    xz_sax_close(&r.sx);
    return rc;
}

static void parts_free(struct book_parts *p)
{
    for (size_t i = 0; i < p->nrels; i++) {
        free(p->rels[i].id);
        free(p->rels[i].type);
        free(p->rels[i].target);
    }
    for (size_t i = 0; i < p->nsheets; i++) {
        free(p->sheets[i].name);
        free(p->sheets[i].rid);
    }
    free(p->rels);
    free(p->sheets);
}

int xlsx_book_load(struct xlsx_zip *z, struct xlsx_book *b, const struct table_opts *o,
                   hcs_err *err)
{
    struct book_parts p = { 0 };
    int rc = -1;
    if (read_workbook(z, b, &p, err) < 0 || read_rels(z, &p, err) < 0 ||
        choose_sheet(z, b, &p, o->sheet, err) < 0)
        goto out;
    if (read_styles(z, b, rel_target_by_type(&p, "/styles", "xl/styles.xml"), err) < 0)
        goto out;
    if (read_shared(z, b, rel_target_by_type(&p, "/sharedStrings", "xl/sharedStrings.xml"), o,
                    err) < 0)
        goto out;
    rc = 0;
out:
    parts_free(&p);
    return rc;
}

void xlsx_book_free(struct xlsx_book *b)
{
    free(b->xf_kind);
    free(b->ss_text);
    free(b->ss);
    free(b->sheet_part);
    memset(b, 0, sizeof *b);
}
