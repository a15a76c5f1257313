/* table_xlsx — the XLSX back end: the chosen worksheet streamed through
 * libxml2's SAX2 push parser, one inflated chunk at a time.  The handlers
 * assemble rows and queue the complete ones; xlsx_next gives them out and
 * feeds the next chunk only when the queue is empty, so what is held is the
 * rows of one chunk (kept sparse: empty cells are not stored) plus the row
 * being assembled.  Pass 1's rows are spooled to a temporary file so that a
 * rewind replays them instead of parsing the sheet twice.  The shared
 * strings and style kinds were read once by xlsx_book.c.
 * Cells are placed by their reference (r="C5"), gaps filled with ""; rows
 * keep their own numbers.  Values: shared/inline strings (rich text runs
 * joined, phonetic hints dropped), numbers (date/time styles → ISO text,
 * 1900 or 1904 system), booleans "1"/"0", formulas' cached values, error
 * cells as their text. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "read/table_impl.h"
#include "read/xlsx_impl.h"

enum cell_type { CT_NUMBER, CT_SHARED, CT_INLINE, CT_STR, CT_BOOL, CT_ERROR, CT_DATE };

struct cell { long col; enum cell_type type; long style; };

struct xlsx_src {
    char *path;
    struct xlsx_zip z;
    struct xlsx_book b;
    size_t meta_inflated;        /* bytes spent on workbook/styles/strings */
    size_t max_cell;
    struct xz_sax sx;
    int ended;                   /* the part is parsed to its end */
    int sheet_done;              /* sheetData ended: nothing after it is data */
    int failed;                  /* pending holds the error, given after the queued rows */
    hcs_err pending;
    long last_row;
    /* element and attribute names interned in the parser's dictionary */
    const xmlChar *n_row, *n_c, *n_v, *n_is, *n_t, *n_rph, *n_sheetdata, *a_r, *a_t, *a_s;
    /* the row the handlers are assembling */
    struct rowbuf cur;
    int in_row, in_cell, in_v, in_is, in_t, in_rph;
    long next_col;
    struct cell c;
    strbuf val;
    int val_too_long;
    /* complete rows not yet given out: see queue_row for the layout */
    strbuf queue;
    size_t qpos;
    /* pass 1's rows for pass 2: see spool_batch */
    FILE *spool;
    int spool_state;
    uint64_t spool_size, spool_read;
};

enum { SPOOL_WRITING, SPOOL_COMPLETE, SPOOL_REPLAY, SPOOL_OFF };

static const struct xz_sax_handlers sheet_handlers;

static void reset_row_state(struct xlsx_src *s)
{
    s->in_row = s->in_cell = s->in_v = s->in_is = s->in_t = s->in_rph = 0;
    s->next_col = 1;
}

static void queue_clear(struct xlsx_src *s)
{
    sb_reset(&s->queue);
    s->qpos = 0;
}

static int start_sheet(struct xlsx_src *s, hcs_err *err)
{
    s->z.inflated = s->meta_inflated;
    if (xz_sax_open(&s->z, s->b.sheet_part, &sheet_handlers, s, &s->sx, err) < 0)
        return -1;
    s->n_row = xz_sax_intern(&s->sx, "row");
    s->n_c = xz_sax_intern(&s->sx, "c");
    s->n_v = xz_sax_intern(&s->sx, "v");
    s->n_is = xz_sax_intern(&s->sx, "is");
    s->n_t = xz_sax_intern(&s->sx, "t");
    s->n_rph = xz_sax_intern(&s->sx, "rPh");
    s->n_sheetdata = xz_sax_intern(&s->sx, "sheetData");
    s->a_r = xz_sax_intern(&s->sx, "r");
    s->a_t = xz_sax_intern(&s->sx, "t");
    s->a_s = xz_sax_intern(&s->sx, "s");
    s->ended = s->failed = s->sheet_done = 0;
    s->last_row = 0;
    reset_row_state(s);
    queue_clear(s);
    return 0;
}

/* ---- pass 2 from pass 1's rows ---------------------------------------- */

/* Parsing the sheet's XML is most of the cost of reading XLSX, and grouped
 * templates read the file twice.  So pass 1's queued rows also go, a batch
 * per chunk, to a temporary file (unlinked at once), and a rewind after the
 * whole sheet was read replays them instead of inflating and parsing again;
 * memory still holds one batch.  The spool is dropped (pass 2 parses the
 * sheet again, as it always did) when it cannot be written, when pass 1
 * stops early, or when it would grow past the sheet XML inflated so far
 * plus 1 MB: disk use stays within what max_unzipped allowed. */
#define SPOOL_SLACK ((uint64_t)1 << 20)

static FILE *spool_file(void)
{
    const char *dir = getenv("TMPDIR");
    char *path = xasprintf("%s/hcsbatch-xlsx-XXXXXX", dir && *dir ? dir : "/tmp");
    FILE *f = NULL;
    int fd = mkstemp(path);
    if (fd >= 0) {
        unlink(path);
        f = fdopen(fd, "w+b");
        if (!f)
            close(fd);
    }
    free(path);
    return f;
}

static void spool_off(struct xlsx_src *s)
{
    if (s->spool)
        fclose(s->spool);
    s->spool = NULL;
    s->spool_state = SPOOL_OFF;
}

/* The rows one chunk gave, as a length and the queue's bytes. */
static void spool_batch(struct xlsx_src *s)
{
    if (s->spool_state != SPOOL_WRITING || !s->queue.len)
        return;
    uint64_t len = s->queue.len;
    uint64_t cap = (uint64_t)(s->z.inflated - s->meta_inflated) + SPOOL_SLACK;
    if (s->spool_size + len + sizeof len > cap ||
        fwrite(&len, sizeof len, 1, s->spool) != 1 ||
        fwrite(s->queue.buf, 1, s->queue.len, s->spool) != s->queue.len) {
        spool_off(s);
        return;
    }
    s->spool_size += len + sizeof len;
}

static void spool_complete(struct xlsx_src *s)
{
    if (s->spool_state != SPOOL_WRITING)
        return;
    if (fflush(s->spool) != 0 || ferror(s->spool))
        spool_off(s);
    else
        s->spool_state = SPOOL_COMPLETE;
}

static int spool_read_fail(struct xlsx_src *s, hcs_err *err)
{
    return hcs_fail(err, HCS_EX_IOERR, "%s: cannot read back the rows of pass 1 (temporary file)",
                    s->path);
}

/* Next batch into the queue: 1, 0 at the end, -1 + err. */
static int spool_next(struct xlsx_src *s, hcs_err *err)
{
    uint64_t len;
    if (s->spool_read >= s->spool_size)
        return 0;
    if (fread(&len, sizeof len, 1, s->spool) != 1 || len > s->spool_size - s->spool_read)
        return spool_read_fail(s, err);
    sb_grow(&s->queue, (size_t)len);
    if (fread(s->queue.buf, 1, (size_t)len, s->spool) != len)
        return spool_read_fail(s, err);
    s->queue.len = (size_t)len;
    s->spool_read += len + sizeof len;
    return 1;
}

static void xlsx_close(void *p)
{
    struct xlsx_src *s = p;
    if (!s)
        return;
    xz_sax_close(&s->sx);
    if (s->spool)
        fclose(s->spool);
    xz_close(&s->z);
    xlsx_book_free(&s->b);
    sb_free(&s->val);
    sb_free(&s->queue);
    rb_free(&s->cur);
    free(s->path);
    free(s);
}

void *xlsx_src_open(const char *path, const struct table_opts *opts, hcs_err *err)
{
    struct xlsx_src *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(path);
    s->max_cell = opts->max_cell_bytes;
    rb_init(&s->cur, opts->max_cell_bytes);
    if (xz_open(&s->z, s->path, opts->max_unzipped, err) < 0 ||
        xlsx_book_load(&s->z, &s->b, opts, err) < 0) {
        xlsx_close(s);
        return NULL;
    }
    s->meta_inflated = s->z.inflated;
    s->spool = opts->two_passes ? spool_file() : NULL;
    s->spool_state = s->spool ? SPOOL_WRITING : SPOOL_OFF;
    if (start_sheet(s, err) < 0) {
        xlsx_close(s);
        return NULL;
    }
    return s;
}

/* ---- values ---------------------------------------------------------- */

static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long yy = (long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

/* An Excel serial day number as ISO text; -1 if out of Excel's range. */
static int serial_to_text(double v, int date1904, enum xf_kind kind, char *out, size_t n)
{
    if (!(v >= 0 && v < 2958466))
        return -1;
    long days = (long)floor(v);
    long secs = lround((v - (double)days) * 86400.0);
    if (secs >= 86400) {
        days++;
        secs -= 86400;
    }
    int hh = (int)(secs / 3600), mi = (int)(secs / 60 % 60), ss = (int)(secs % 60);
    if (kind == XF_TIME && days == 0) {
        snprintf(out, n, "%02d:%02d:%02d", hh, mi, ss);
        return 0;
    }
    int y, m, d;
    if (date1904) {
        civil_from_days(days - 24107, &y, &m, &d);        /* 1904-01-01 = day 0 */
    } else if (days == 60) {
        y = 1900, m = 2, d = 29;                           /* Excel's Lotus-compatible leap day */
    } else {
        /* day 1 = 1900-01-01; after the fictitious 29 Feb the epoch is 1899-12-30 */
        civil_from_days(days - 25569 + (days < 60 ? 1 : 0), &y, &m, &d);
    }
    if (secs == 0 && kind == XF_DATE)
        snprintf(out, n, "%04d-%02d-%02d", y, m, d);
    else
        snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, hh, mi, ss);
    return 0;
}

/* Excel keeps 15 significant digits; the binary tail beyond them is noise
 * (0.1 + 0.2 shows as 0.3 in Excel, so it is "0.3" here).  Positional
 * notation, never an exponent. */
static void format_number(double x, char *out, size_t n)
{
    if (x == 0) {
        snprintf(out, n, "0");
        return;
    }
    if (x == floor(x) && fabs(x) < 1e15) {
        snprintf(out, n, "%.0f", x);
        return;
    }
    char e[48];
    snprintf(e, sizeof e, "%.14e", x);          /* -d.dddddddddddddde±XX */
    const char *p = e;
    int neg = *p == '-';
    if (neg)
        p++;
    char digits[20];
    int nd = 0;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[nd++] = *p;
    int exp10 = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    int point = exp10 + 1;                       /* digits before the decimal point */
    strbuf sb = STRBUF_INIT;
    if (neg)
        sb_addc(&sb, '-');
    if (point <= 0) {
        sb_adds(&sb, "0.");
        for (int i = 0; i < -point; i++)
            sb_addc(&sb, '0');
        sb_add(&sb, digits, (size_t)nd);
    } else if (point >= nd) {
        sb_add(&sb, digits, (size_t)nd);
        for (int i = nd; i < point; i++)
            sb_addc(&sb, '0');
    } else {
        sb_add(&sb, digits, (size_t)point);
        sb_addc(&sb, '.');
        sb_add(&sb, digits + point, (size_t)(nd - point));
    }
    snprintf(out, n, "%s", sb_str(&sb));
    sb_free(&sb);
}

/* Is v already what format_number would print (plain decimal, at most 15
 * significant digits, no exponent, no redundant zeros)?  Excel writes most
 * numbers like that, and skipping strtod + printf is most of the cost. */
static int canonical_number(const char *v)
{
    const char *p = v;
    if (*p == '-')
        p++;
    if (!(*p >= '0' && *p <= '9'))
        return 0;
    if (*p == '0' && p[1] && p[1] != '.')
        return 0;                                  /* leading zero */
    int sig = 0, started = 0, dot = 0;
    char last = 0;
    for (; *p; p++) {
        if (*p == '.') {
            if (dot || !p[1])
                return 0;
            dot = 1;
        } else if (*p >= '0' && *p <= '9') {
            if (*p != '0' || started)
                sig++;
            started |= *p != '0';
        } else {
            return 0;
        }
        last = *p;
    }
    if (dot && last == '0')
        return 0;                                  /* trailing zero in the fraction */
    if (!started)
        return !dot && v[0] != '-';               /* "0", not "-0" */
    return sig <= 15;
}

static void add_value(struct xlsx_src *s, struct rowbuf *rb, enum cell_type type, long style)
{
    const char *v = sb_str(&s->val);
    if (s->val_too_long) {
        rb_add(rb, "", 0);
        rb_problem(rb, rb->n, "value longer than %zu bytes", s->max_cell);
        return;
    }
    switch (type) {
    case CT_SHARED: {
        char *end;
        unsigned long i = strtoul(v, &end, 10);
        if (end == v || *end || i >= s->b.nss) {
            rb_add(rb, "", 0);
            if (!s->b.nss)       /* a workbook saved without its shared-strings part */
                rb_problem(rb, rb->n, "shared string %s, but the workbook has no shared strings"
                           " (xl/sharedStrings.xml missing)", v);
            else
                rb_problem(rb, rb->n, "broken shared string reference %s", v);
        } else if (s->b.ss[i].len == SS_TOO_LONG) {
            rb_add(rb, "", 0);
            rb_problem(rb, rb->n, "value longer than %zu bytes", s->max_cell);
        } else {
            rb_add(rb, s->b.ss_text + s->b.ss[i].off, s->b.ss[i].len);
        }
        return;
    }
    case CT_INLINE:
    case CT_STR: {
        size_t len = s->val.len ? xlsx_unescape(s->val.buf, s->val.len) : 0;
        rb_add(rb, sb_str(&s->val), len);
        return;
    }
    case CT_BOOL:
        rb_add(rb, !*v ? "" : strcmp(v, "0") ? "1" : "0", *v ? 1 : 0);
        return;
    case CT_ERROR:
    case CT_DATE:
        rb_add(rb, v, s->val.len);
        return;
    case CT_NUMBER:
        break;
    }
    if (!*v) {
        rb_add(rb, "", 0);
        return;
    }
    enum xf_kind kind = style >= 0 && (size_t)style < s->b.nxf ? s->b.xf_kind[style] : XF_NUMBER;
    if (kind == XF_NUMBER && canonical_number(v)) {
        rb_add(rb, v, s->val.len);
        return;
    }
    char *end;
    double x = strtod(v, &end);
    char out[400];
    if (*end || !isfinite(x))
        snprintf(out, sizeof out, "%s", v);
    else if (kind == XF_NUMBER || serial_to_text(x, s->b.date1904, kind, out, sizeof out) < 0)
        format_number(x, out, sizeof out);
    rb_add(rb, out, strlen(out));
}

/* ---- the sheet --------------------------------------------------------- */

static long column_of(const char *ref)
{
    long col = 0;
    for (; *ref >= 'A' && *ref <= 'Z'; ref++) {
        col = col * 26 + (*ref - 'A' + 1);
        if (col > TABLE_MAX_COLUMNS)
            return TABLE_MAX_COLUMNS + 1;
    }
    return col;
}

static enum cell_type type_of(const char *t)
{
    if (!t || !strcmp(t, "n")) return CT_NUMBER;
    if (!strcmp(t, "s")) return CT_SHARED;
    if (!strcmp(t, "inlineStr")) return CT_INLINE;
    if (!strcmp(t, "str")) return CT_STR;
    if (!strcmp(t, "b")) return CT_BOOL;
    if (!strcmp(t, "e")) return CT_ERROR;
    if (!strcmp(t, "d")) return CT_DATE;
    return CT_STR;
}

static void read_cell_attrs(struct xlsx_src *s, struct cell *c, long next_col,
                            const xmlChar **attrs, int nattrs)
{
    c->col = next_col;
    c->type = CT_NUMBER;
    c->style = -1;
    for (int i = 0; i < nattrs; i++) {
        const xmlChar *name = attrs[i * 5];
        char v[32];
        if (name == s->a_r) {
            xz_sax_attr_value(attrs, i, v, sizeof v);
            long col = column_of(v);
            if (col > 0)
                c->col = col;
        } else if (name == s->a_t) {
            xz_sax_attr_value(attrs, i, v, sizeof v);
            c->type = type_of(v);
        } else if (name == s->a_s) {
            xz_sax_attr_value(attrs, i, v, sizeof v);
            c->style = atol(v);
        }
    }
}

static long row_number_attr(struct xlsx_src *s, const xmlChar **attrs, int nattrs)
{
    long r = 0;
    for (int i = 0; i < nattrs; i++) {
        if (attrs[i * 5] == s->a_r) {
            char v[32];
            xz_sax_attr_value(attrs, i, v, sizeof v);
            r = atol(v);
        }
    }
    return r;
}

static void column_letters(size_t col, char *out, size_t n)
{
    char tmp[8];
    int k = 0;
    while (col > 0 && k < 7) {
        col--;
        tmp[k++] = (char)('A' + col % 26);
        col /= 26;
    }
    size_t o = 0;
    while (k > 0 && o + 1 < n)
        out[o++] = tmp[--k];
    out[o] = '\0';
}

static void place_cell(struct xlsx_src *s, struct rowbuf *rb, const struct cell *c)
{
    if (c->col > TABLE_MAX_COLUMNS) {
        rb_problem(rb, TABLE_MAX_COLUMNS + 1, "a cell beyond column XFD");
        return;
    }
    if ((size_t)c->col <= rb->n) {
        char letters[8];
        column_letters((size_t)c->col, letters, sizeof letters);
        rb_problem(rb, (size_t)c->col, "cell %s%ld appears twice or out of order", letters, rb->row);
        return;
    }
    while (rb->n + 1 < (size_t)c->col)
        rb_add(rb, "", 0);
    add_value(s, rb, c->type, c->style);
}

/* ---- the row queue --------------------------------------------------- */

/* A row in the queue: struct qrow, the problem text (plen bytes), then for
 * each non-empty cell its index, length and bytes.  Sparse, so a row padded
 * to column XFD by one cell costs a few bytes here, not 16384 cells. */
struct qrow { long row; uint32_t n, nvals, problem_col, plen; };
struct qval { uint32_t idx, len; };

static void queue_row(struct xlsx_src *s)
{
    const struct rowbuf *rb = &s->cur;
    struct qrow h = { rb->row, (uint32_t)rb->n, 0, (uint32_t)rb->problem_col,
                      rb->problem_col ? (uint32_t)strlen(rb->problem) : 0 };
    for (size_t i = 0; i < rb->n; i++)
        h.nvals += rb->text.buf[rb->offs[i]] != '\0';
    sb_add(&s->queue, &h, sizeof h);
    sb_add(&s->queue, rb->problem, h.plen);
    for (size_t i = 0; i < rb->n; i++) {
        const char *v = rb->text.buf + rb->offs[i];
        if (!*v)
            continue;
        struct qval q = { (uint32_t)i, (uint32_t)strlen(v) };
        sb_add(&s->queue, &q, sizeof q);
        sb_add(&s->queue, v, q.len);
    }
}

static int pop_row(struct xlsx_src *s, struct rowbuf *rb)
{
    if (s->qpos >= s->queue.len)
        return 0;
    const char *p = s->queue.buf + s->qpos;
    struct qrow h;
    memcpy(&h, p, sizeof h);
    p += sizeof h;
    rb_begin(rb, h.row);
    if (h.problem_col) {
        rb->problem_col = h.problem_col;
        memcpy(rb->problem, p, h.plen);
        rb->problem[h.plen] = '\0';
    }
    p += h.plen;
    for (size_t k = 0; k < h.nvals; k++) {
        struct qval q;
        memcpy(&q, p, sizeof q);
        p += sizeof q;
        while (rb->n < q.idx)
            rb_add_clean(rb, "", 0);
        rb_add_clean(rb, p, q.len);
        p += q.len;
    }
    while (rb->n < h.n)
        rb_add_clean(rb, "", 0);
    s->qpos = (size_t)(p - s->queue.buf);
    return 1;
}

/* ---- the SAX handlers ------------------------------------------------ */

static void row_done(struct xlsx_src *s)
{
    s->last_row = s->cur.row;
    queue_row(s);
    reset_row_state(s);
}

static void sheet_start(void *user, const xmlChar *name, const xmlChar **attrs, int nattrs)
{
    struct xlsx_src *s = user;
    if (s->sheet_done)
        return;
    if (name == s->n_row) {
        long r = row_number_attr(s, attrs, nattrs);
        rb_begin(&s->cur, r > 0 ? r : s->last_row + 1);
        s->next_col = 1;
        s->in_row = 1;
    } else if (!s->in_row) {
        return;
    } else if (name == s->n_c) {
        read_cell_attrs(s, &s->c, s->next_col, attrs, nattrs);
        sb_reset(&s->val);
        s->val_too_long = 0;
        s->in_v = s->in_is = s->in_t = s->in_rph = 0;
        s->in_cell = 1;
    } else if (s->in_cell && name == s->n_v) {
        s->in_v = 1;
    } else if (s->in_cell && name == s->n_is) {
        s->in_is = 1;
    } else if (s->in_is && name == s->n_t) {
        s->in_t = 1;
    } else if (s->in_is && name == s->n_rph) {
        s->in_rph = 1;
    }
}

static void sheet_end(void *user, const xmlChar *name)
{
    struct xlsx_src *s = user;
    if (name == s->n_v) {
        s->in_v = 0;
    } else if (name == s->n_t) {
        s->in_t = 0;
    } else if (name == s->n_rph) {
        s->in_rph = 0;
    } else if (name == s->n_is) {
        s->in_is = 0;
    } else if (name == s->n_c && s->in_cell) {
        place_cell(s, &s->cur, &s->c);
        s->next_col = s->c.col + 1;
        s->in_cell = 0;
    } else if (name == s->n_row && s->in_row) {
        row_done(s);
    } else if (name == s->n_sheetdata) {
        /* The rest is still parsed, so a damaged part is refused wherever
         * the damage is. */
        s->sheet_done = 1;
        reset_row_state(s);
    }
}

static void sheet_text(void *user, const xmlChar *v, int len)
{
    struct xlsx_src *s = user;
    if (!s->in_cell || !(s->in_v || (s->in_t && !s->in_rph)))
        return;
    size_t n = (size_t)len;
    /* keep a little more than the limit (escapes shrink when decoded) */
    if (s->val.len + n > s->max_cell * 2 + 64)
        s->val_too_long = 1;
    else
        sb_add(&s->val, v, n);
}

static const struct xz_sax_handlers sheet_handlers = { sheet_start, sheet_end, sheet_text };

/* Rows queued from the last chunk first; then the next chunk is parsed. */
static int xlsx_next(void *p, struct rowbuf *rb, hcs_err *err)
{
    struct xlsx_src *s = p;
    for (;;) {
        if (pop_row(s, rb))
            return 1;
        if (s->failed) {
            if (err)
                *err = s->pending;
            return -1;
        }
        if (s->ended)
            return 0;
        queue_clear(s);
        if (s->spool_state == SPOOL_REPLAY) {
            int rc = spool_next(s, &s->pending);
            s->failed = rc < 0;
            s->ended = rc == 0;
            continue;
        }
        s->cur.max_cell = rb->max_cell;
        int rc = xz_sax_feed(&s->sx, &s->pending);
        if (rc < 0) {
            s->failed = 1;
            spool_off(s);
            continue;
        }
        spool_batch(s);
        if (rc == 0) {
            s->ended = 1;
            spool_complete(s);
        }
    }
}

static int xlsx_rewind(void *p, hcs_err *err)
{
    struct xlsx_src *s = p;
    xz_sax_close(&s->sx);
    if (s->spool_state == SPOOL_COMPLETE || s->spool_state == SPOOL_REPLAY) {
        if (fseek(s->spool, 0, SEEK_SET) == 0) {
            s->spool_state = SPOOL_REPLAY;
            s->spool_read = 0;
            s->ended = s->failed = 0;
            queue_clear(s);
            return 0;
        }
    }
    spool_off(s);                /* pass 1 stopped early: parse again */
    return start_sheet(s, err);
}

static void xlsx_column_name(size_t col, char *out, size_t n)
{
    char letters[8];
    column_letters(col, letters, sizeof letters);
    snprintf(out, n, "column %s", letters);
}

/* The sheet's XML inflated so far over its size (the meta parts come first). */
static double xlsx_fraction(void *src)
{
    struct xlsx_src *s = src;
    if (s->spool_state == SPOOL_REPLAY)
        return s->spool_size ? (double)s->spool_read / (double)s->spool_size : 1;
    if (!s->z.entry_open || !s->z.entry_size || s->z.inflated < s->meta_inflated)
        return -1;
    double f = (double)(s->z.inflated - s->meta_inflated) / (double)s->z.entry_size;
    return f > 1 ? 1 : f;
}

const struct table_backend xlsx_backend = {
    .format = "xlsx",
    .next = xlsx_next,
    .rewind = xlsx_rewind,
    .close = xlsx_close,
    .column_name = xlsx_column_name,
    .fraction = xlsx_fraction,
};
