/* table_xlsx — the XLSX back end: the chosen worksheet streamed row by row
 * with xmlTextReader (only the current row is held; the shared strings and
 * style kinds were read once by xlsx_book.c).  Cells are placed by their
 * reference (r="C5"), gaps filled with ""; rows keep their own numbers.
 * Values: shared/inline strings (rich text runs joined, phonetic hints
 * dropped), numbers (date/time styles → ISO text, 1900 or 1904 system),
 * booleans "1"/"0", formulas' cached values, error cells as their text. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "read/table_impl.h"
#include "read/xlsx_impl.h"

enum cell_type { CT_NUMBER, CT_SHARED, CT_INLINE, CT_STR, CT_BOOL, CT_ERROR, CT_DATE };

struct xlsx_src {
    char *path;
    struct xlsx_zip z;
    struct xlsx_book b;
    size_t meta_inflated;        /* bytes spent on workbook/styles/strings */
    size_t max_cell;
    xmlTextReaderPtr rd;
    int done;
    long last_row;
    /* element and attribute names interned in the reader's dictionary */
    const xmlChar *n_row, *n_c, *n_v, *n_is, *n_t, *n_rph, *n_sheetdata, *a_r, *a_t, *a_s;
    strbuf val;
    int val_too_long;
};

static int start_sheet(struct xlsx_src *s, hcs_err *err)
{
    s->z.inflated = s->meta_inflated;
    s->rd = xz_part_open(&s->z, s->b.sheet_part, err);
    if (!s->rd)
        return -1;
    s->n_row = xmlTextReaderConstString(s->rd, BAD_CAST "row");
    s->n_c = xmlTextReaderConstString(s->rd, BAD_CAST "c");
    s->n_v = xmlTextReaderConstString(s->rd, BAD_CAST "v");
    s->n_is = xmlTextReaderConstString(s->rd, BAD_CAST "is");
    s->n_t = xmlTextReaderConstString(s->rd, BAD_CAST "t");
    s->n_rph = xmlTextReaderConstString(s->rd, BAD_CAST "rPh");
    s->n_sheetdata = xmlTextReaderConstString(s->rd, BAD_CAST "sheetData");
    s->a_r = xmlTextReaderConstString(s->rd, BAD_CAST "r");
    s->a_t = xmlTextReaderConstString(s->rd, BAD_CAST "t");
    s->a_s = xmlTextReaderConstString(s->rd, BAD_CAST "s");
    s->done = 0;
    s->last_row = 0;
    return 0;
}

static void xlsx_close(void *p)
{
    struct xlsx_src *s = p;
    if (!s)
        return;
    if (s->rd)
        xz_part_close(&s->z, s->rd);
    xz_close(&s->z);
    xlsx_book_free(&s->b);
    sb_free(&s->val);
    free(s->path);
    free(s);
}

void *xlsx_src_open(const char *path, const struct table_opts *opts, hcs_err *err)
{
    struct xlsx_src *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(path);
    s->max_cell = opts->max_cell_bytes;
    if (xz_open(&s->z, s->path, opts->max_unzipped, err) < 0 ||
        xlsx_book_load(&s->z, &s->b, opts, err) < 0) {
        xlsx_close(s);
        return NULL;
    }
    s->meta_inflated = s->z.inflated;
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

struct cell { long col; enum cell_type type; long style; };

static void read_cell_attrs(struct xlsx_src *s, struct cell *c, long next_col)
{
    c->col = next_col;
    c->type = CT_NUMBER;
    c->style = -1;
    if (xmlTextReaderMoveToFirstAttribute(s->rd) != 1)
        return;
    do {
        const xmlChar *name = xmlTextReaderConstLocalName(s->rd);
        const char *v = (const char *)xmlTextReaderConstValue(s->rd);
        if (!v)
            continue;
        if (name == s->a_r) {
            long col = column_of(v);
            if (col > 0)
                c->col = col;
        } else if (name == s->a_t) {
            c->type = type_of(v);
        } else if (name == s->a_s) {
            c->style = atol(v);
        }
    } while (xmlTextReaderMoveToNextAttribute(s->rd) == 1);
    xmlTextReaderMoveToElement(s->rd);
}

static long row_number_attr(struct xlsx_src *s)
{
    long r = 0;
    if (xmlTextReaderMoveToFirstAttribute(s->rd) != 1)
        return 0;
    do {
        if (xmlTextReaderConstLocalName(s->rd) == s->a_r) {
            const char *v = (const char *)xmlTextReaderConstValue(s->rd);
            r = v ? atol(v) : 0;
        }
    } while (xmlTextReaderMoveToNextAttribute(s->rd) == 1);
    xmlTextReaderMoveToElement(s->rd);
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

static void append_text(struct xlsx_src *s)
{
    const char *v = (const char *)xmlTextReaderConstValue(s->rd);
    size_t n = v ? strlen(v) : 0;
    /* keep a little more than the limit (escapes shrink when decoded) */
    if (s->val.len + n > s->max_cell * 2 + 64)
        s->val_too_long = 1;
    else
        sb_add(&s->val, v, n);
}

static int xlsx_next(void *p, struct rowbuf *rb, hcs_err *err)
{
    struct xlsx_src *s = p;
    if (s->done)
        return 0;
    int in_row = 0, in_cell = 0, in_v = 0, in_is = 0, in_t = 0, in_rph = 0;
    long next_col = 1;
    struct cell c = { 0, CT_NUMBER, -1 };
    for (;;) {
        int rc = xz_read(&s->z, s->rd, err);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            s->done = 1;
            return in_row;
        }
        int type = xmlTextReaderNodeType(s->rd);
        if (type == XML_READER_TYPE_ELEMENT) {
            const xmlChar *name = xmlTextReaderConstLocalName(s->rd);
            int empty = xmlTextReaderIsEmptyElement(s->rd);
            if (name == s->n_row) {
                long r = row_number_attr(s);
                rb_begin(rb, r > 0 ? r : s->last_row + 1);
                next_col = 1;
                if (empty) {
                    s->last_row = rb->row;
                    return 1;
                }
                in_row = 1;
            } else if (!in_row) {
                continue;
            } else if (name == s->n_c) {
                read_cell_attrs(s, &c, next_col);
                sb_reset(&s->val);
                s->val_too_long = 0;
                in_v = in_is = in_t = in_rph = 0;
                if (empty) {
                    place_cell(s, rb, &c);
                    next_col = c.col + 1;
                } else {
                    in_cell = 1;
                }
            } else if (in_cell && name == s->n_v) {
                in_v = !empty;
            } else if (in_cell && name == s->n_is) {
                in_is = !empty;
            } else if (in_is && name == s->n_t) {
                in_t = !empty;
            } else if (in_is && name == s->n_rph) {
                in_rph = !empty;
            }
        } else if (type == XML_READER_TYPE_END_ELEMENT) {
            const xmlChar *name = xmlTextReaderConstLocalName(s->rd);
            if (name == s->n_v) {
                in_v = 0;
            } else if (name == s->n_t) {
                in_t = 0;
            } else if (name == s->n_rph) {
                in_rph = 0;
            } else if (name == s->n_is) {
                in_is = 0;
            } else if (name == s->n_c && in_cell) {
                place_cell(s, rb, &c);
                next_col = c.col + 1;
                in_cell = 0;
            } else if (name == s->n_row && in_row) {
                s->last_row = rb->row;
                return 1;
            } else if (name == s->n_sheetdata) {
                s->done = 1;                 /* nothing after sheetData is data */
                return 0;
            }
        } else if (in_cell && (in_v || (in_t && !in_rph)) &&
                   (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
                    type == XML_READER_TYPE_WHITESPACE ||
                    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE)) {
            append_text(s);
        }
    }
}

static int xlsx_rewind(void *p, hcs_err *err)
{
    struct xlsx_src *s = p;
    xz_part_close(&s->z, s->rd);
    s->rd = NULL;
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
