/* table_csv — the CSV back end: libcsv does the RFC 4180 parsing; this file
 * turns its push callbacks into a pull API (feed the parser one line at a
 * time until a record is complete), detects the delimiter from the header
 * line and the encoding (UTF-8 or Windows-1251) from the first record with
 * non-ASCII bytes, and converts Windows-1251 text by a table of the 128
 * non-ASCII bytes that iconv fills once (an iconv call per cell cost more
 * than the conversion itself).
 *
 * Row numbers are record numbers as a spreadsheet shows them: every line
 * ending counts (also blank lines, so they are reported to libcsv with
 * CSV_REPALL_NL), a CRLF pair counts once, a quoted newline not at all.
 * Memory: the read buffer, libcsv's field buffer and the current record. */
#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/xalloc.h"
#include "read/table_impl.h"

enum enc { ENC_UNDECIDED, ENC_UTF8, ENC_CP1251 };

/* libcsv grows one buffer for the field being read; a field this long is not
 * an accounting export (and would cost that much memory). */
#define CSV_FIELD_HARD_CAP ((size_t)32 << 20)

struct csv_src {
    char *path;
    FILE *f;
    struct csv_parser p;
    int parser_ready;
    unsigned char buf[1 << 16];
    size_t pos, len;
    int eof, fini_done;

    enum enc enc;
    unsigned char delim;
    unsigned char cp1251[128][4]; /* UTF-8 of bytes 0x80..0xFF: length, then the bytes */
    int cp1251_ready;

    /* the record being assembled: raw field bytes + offsets */
    strbuf raw;
    size_t *foff, *flen;
    size_t nf, fcap;
    int too_many;
    size_t oversized_col;        /* a cell past CSV_FIELD_HARD_CAP (1-based), 0 = none */
    int unterminated;            /* the file ended inside a quoted value */
    int rec_done;
    int last_term;
    long recno;
    strbuf conv;
};

static void *capped_realloc(void *p, size_t n)
{
    if (n > CSV_FIELD_HARD_CAP)
        return NULL;
    return realloc(p, n);
}

static int only_space(unsigned char c) { return c == ' '; }

static void on_field(void *data, size_t len, void *ctx)
{
    struct csv_src *s = ctx;
    if (s->nf >= TABLE_MAX_COLUMNS) {
        s->too_many = 1;
        return;
    }
    if (s->nf >= s->fcap) {
        s->fcap = s->fcap ? s->fcap * 2 : 32;
        s->foff = xrealloc(s->foff, s->fcap * sizeof *s->foff);
        s->flen = xrealloc(s->flen, s->fcap * sizeof *s->flen);
    }
    s->foff[s->nf] = s->raw.len;
    s->flen[s->nf] = len;
    s->nf++;
    if (len)
        sb_add(&s->raw, data, len);
}

static void on_record(int c, void *ctx)
{
    struct csv_src *s = ctx;
    if (s->nf == 0 && c == '\n' && s->last_term == '\r') {
        s->last_term = 0;          /* the LF of a CRLF: same line ending */
        return;
    }
    s->last_term = c;
    s->recno++;
    s->rec_done = 1;
}

static int parser_start(struct csv_src *s, hcs_err *err)
{
    if (s->parser_ready)
        csv_free(&s->p);
    if (csv_init(&s->p, CSV_REPALL_NL) != 0)
        return hcs_fail(err, HCS_EX_SOFTWARE, "%s: cannot initialise the CSV parser", s->path);
    s->parser_ready = 1;
    csv_set_delim(&s->p, s->delim);
    csv_set_space_func(&s->p, only_space);
    csv_set_realloc_func(&s->p, capped_realloc);
    /* libcsv grows its field buffer linearly by this much: small steps make
     * a long field cost quadratic copying (untouched pages cost nothing). */
    csv_set_blk_size(&s->p, 1 << 20);
    return 0;
}

static int refill(struct csv_src *s, hcs_err *err)
{
    s->pos = 0;
    s->len = fread(s->buf, 1, sizeof s->buf, s->f);
    if (s->len == 0) {
        if (ferror(s->f))
            return hcs_fail(err, HCS_EX_NOINPUT, "%s: read error: %s", s->path, strerror(errno));
        s->eof = 1;
    }
    return 0;
}

/* Reads the first chunk and steps over a UTF-8 byte order mark. */
static int file_start(struct csv_src *s, hcs_err *err)
{
    if (fseek(s->f, 0, SEEK_SET) != 0)
        return hcs_fail(err, HCS_EX_NOINPUT, "%s: cannot seek: %s", s->path, strerror(errno));
    clearerr(s->f);
    s->eof = s->fini_done = 0;
    s->recno = 0;
    s->last_term = 0;
    if (refill(s, err) < 0)
        return -1;
    if (s->len >= 2 && ((s->buf[0] == 0xFF && s->buf[1] == 0xFE) || (s->buf[0] == 0xFE && s->buf[1] == 0xFF)))
        return hcs_fail(err, HCS_EX_DATAERR,
                        "%s: UTF-16 text (Excel \"Unicode text\"); save it as CSV (UTF-8 or Windows-1251)",
                        s->path);
    if (s->len >= 3 && s->buf[0] == 0xEF && s->buf[1] == 0xBB && s->buf[2] == 0xBF) {
        s->pos = 3;
        if (s->enc == ENC_UNDECIDED)
            s->enc = ENC_UTF8;
    }
    return 0;
}

/* The delimiter that occurs most often (outside quotes) in the first line
 * that has any content; ties prefer ';', then TAB, then ','. */
static unsigned char detect_delimiter(const unsigned char *b, size_t n)
{
    size_t semi = 0, tab = 0, comma = 0;
    int quoted = 0, content = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = b[i];
        if (c == '"') {
            quoted = !quoted;
            content = 1;
        } else if (quoted) {
            continue;
        } else if (c == '\n' || c == '\r') {
            if (content)
                break;
            semi = tab = comma = 0;
        } else if (c == ';') {
            semi++;
        } else if (c == '\t') {
            tab++;
        } else if (c == ',') {
            comma++;
        } else if (c != ' ') {
            content = 1;
        }
    }
    if (semi >= tab && semi >= comma && semi > 0)
        return ';';
    if (tab >= comma && tab > 0)
        return '\t';
    if (comma > 0)
        return ',';
    return ';';
}

static int parse_options(struct csv_src *s, const struct table_opts *o, hcs_err *err)
{
    const char *e = o->encoding;
    if (!e || !*e || !strcasecmp(e, "auto"))
        s->enc = ENC_UNDECIDED;
    else if (!strcasecmp(e, "utf-8") || !strcasecmp(e, "utf8"))
        s->enc = ENC_UTF8;
    else if (!strcasecmp(e, "cp1251") || !strcasecmp(e, "windows-1251") || !strcasecmp(e, "1251"))
        s->enc = ENC_CP1251;
    else
        return hcs_fail(err, HCS_EX_CONFIG,
                        "input.encoding = %s: expected auto, utf-8 or cp1251", e);
    const char *d = o->delimiter;
    if (!d || !*d || !strcasecmp(d, "auto"))
        s->delim = 0;
    else if (!strcasecmp(d, "tab") || !strcmp(d, "\\t") || !strcmp(d, "\t"))
        s->delim = '\t';
    else if (!strcasecmp(d, "semicolon"))      /* ';' starts a comment in INI files */
        s->delim = ';';
    else if (!strcasecmp(d, "comma"))
        s->delim = ',';
    else if (strlen(d) == 1 && d[0] != '"' && d[0] != '\n' && d[0] != '\r')
        s->delim = (unsigned char)d[0];
    else
        return hcs_fail(err, HCS_EX_CONFIG,
                        "input.delimiter = %s: expected auto, semicolon (;), comma (,) or tab", d);
    return 0;
}

static void csv_close(void *p)
{
    struct csv_src *s = p;
    if (!s)
        return;
    if (s->parser_ready)
        csv_free(&s->p);
    if (s->f)
        fclose(s->f);
    sb_free(&s->raw);
    sb_free(&s->conv);
    free(s->foff);
    free(s->flen);
    free(s->path);
    free(s);
}

void *csv_src_open(const char *path, const struct table_opts *opts, hcs_err *err)
{
    struct csv_src *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(path);
    if (parse_options(s, opts, err) < 0) {
        csv_close(s);
        return NULL;
    }
    s->f = fopen(path, "rb");
    if (!s->f) {
        hcs_fail(err, HCS_EX_NOINPUT, "%s: cannot open: %s", path, strerror(errno));
        csv_close(s);
        return NULL;
    }
    if (file_start(s, err) < 0) {
        csv_close(s);
        return NULL;
    }
    if (!s->delim)
        s->delim = detect_delimiter(s->buf + s->pos, s->len - s->pos);
    if (parser_start(s, err) < 0) {
        csv_close(s);
        return NULL;
    }
    return s;
}

static int has_high_bytes(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] >= 0x80)
            return 1;
    return 0;
}

/* The first record with non-ASCII text decides: valid UTF-8 → UTF-8. */
static void decide_encoding(struct csv_src *s)
{
    if (!has_high_bytes(s->raw.buf ? s->raw.buf : "", s->raw.len))
        return;
    for (size_t i = 0; i < s->nf; i++) {
        if (!utf8_valid((const unsigned char *)s->raw.buf + s->foff[i], s->flen[i])) {
            s->enc = ENC_CP1251;
            return;
        }
    }
    s->enc = ENC_UTF8;
}

/* Each Windows-1251 byte as iconv converts it; 0x98 has no character
 * in Windows-1251 and becomes '?'. */
static void cp1251_table(struct csv_src *s)
{
    iconv_t cd = iconv_open("UTF-8", "CP1251");
    for (int b = 0x80; b < 0x100; b++) {
        char in = (char)b, out[8];
        char *ip = &in, *op = out;
        size_t il = 1, ol = sizeof out;
        size_t n = 0;
        if (cd != (iconv_t)-1 && iconv(cd, &ip, &il, &op, &ol) != (size_t)-1)
            n = (size_t)(op - out);
        if (n == 0 || n > 3) {
            out[0] = '?';
            n = 1;
        }
        unsigned char *e = s->cp1251[b - 0x80];
        e[0] = (unsigned char)n;
        memcpy(e + 1, out, n);
    }
    if (cd != (iconv_t)-1)
        iconv_close(cd);
    s->cp1251_ready = 1;
}

static void add_cp1251(struct csv_src *s, struct rowbuf *rb, const char *in, size_t n)
{
    if (!s->cp1251_ready)
        cp1251_table(s);
    sb_reset(&s->conv);
    sb_grow(&s->conv, n * 3 + 1);
    unsigned char *op = (unsigned char *)s->conv.buf;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c < 0x80) {
            *op++ = c;
        } else {
            const unsigned char *e = s->cp1251[c - 0x80];
            memcpy(op, e + 1, e[0]);
            op += e[0];
        }
    }
    rb_add(rb, s->conv.buf, (size_t)(op - (unsigned char *)s->conv.buf));
}

static size_t line_end(const unsigned char *b, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (b[i] == '\n' || b[i] == '\r')
            return i + 1;
    return to;
}

static void emit_record(struct csv_src *s, struct rowbuf *rb)
{
    rb_begin(rb, s->recno);
    if (s->enc == ENC_UNDECIDED)
        decide_encoding(s);
    for (size_t i = 0; i < s->nf; i++) {
        size_t n = s->flen[i];
        /* a record of only empty fields never grew raw: its buf is NULL */
        const char *f = n ? s->raw.buf + s->foff[i] : "";
        if (!n || !has_high_bytes(f, n)) {
            rb_add(rb, f, n);
        } else if (s->enc == ENC_CP1251) {
            add_cp1251(s, rb, f, n);
        } else if (utf8_valid((const unsigned char *)f, n)) {
            rb_add(rb, f, n);
        } else {
            rb_add(rb, "", 0);
            rb_problem(rb, rb->n, "not valid UTF-8 text (is the file in one encoding?)");
        }
    }
    if (s->too_many)
        rb_problem(rb, TABLE_MAX_COLUMNS + 1, "more than %d columns", TABLE_MAX_COLUMNS);
    if (s->oversized_col)
        rb_problem(rb, s->oversized_col, "value longer than %zu MB; the rest of the line is skipped",
                   CSV_FIELD_HARD_CAP >> 20);
    if (s->unterminated)
        rb_problem(rb, s->nf ? s->nf : 1, "the file ends inside a quoted value (cut short?)");
}

/* libcsv's state while a field is being read (libcsv.c FIELD_BEGUN). */
#define LIBCSV_FIELD_BEGUN 2

/* An unquoted cell past the hard cap: the row keeps the cells before it
 * and a problem, the rest of its line is skipped, and the parser starts
 * afresh at the next line — the file goes on.  A quoted one may hold line
 * breaks, so no line end is a safe place to start again: the file is
 * refused (0 = skipped, -1 = refused or an error). */
static int skip_oversized(struct csv_src *s, size_t consumed, hcs_err *err)
{
    if (s->p.quoted)
        return hcs_fail(err, HCS_EX_DATAERR,
                        "%s: row %ld, column %zu: a quoted cell longer than %zu MB — not an accounting export?",
                        s->path, s->recno + 1, s->nf + 1, CSV_FIELD_HARD_CAP >> 20);
    s->oversized_col = s->nf + 1;
    s->pos += consumed;
    for (;;) {
        if (s->pos == s->len) {
            if (s->eof)
                break;
            if (refill(s, err) < 0)
                return -1;
            continue;
        }
        size_t end = line_end(s->buf, s->pos, s->len);
        int term = s->buf[end - 1];
        s->pos = end;
        if (term == '\n' || term == '\r') {
            s->last_term = term;
            break;
        }
    }
    if (parser_start(s, err) < 0)
        return -1;
    s->recno++;
    s->rec_done = 1;
    return 0;
}

static int csv_next(void *p, struct rowbuf *rb, hcs_err *err)
{
    struct csv_src *s = p;
    sb_reset(&s->raw);
    s->nf = 0;
    s->too_many = 0;
    s->oversized_col = 0;
    s->unterminated = 0;
    s->rec_done = 0;
    while (!s->rec_done) {
        if (s->pos == s->len) {
            if (s->eof) {
                if (s->fini_done)
                    break;
                s->fini_done = 1;
                /* a truncated file: its last row ends inside quotes */
                s->unterminated = s->p.quoted && s->p.pstate == LIBCSV_FIELD_BEGUN;
                csv_fini(&s->p, on_field, on_record, s);
                continue;
            }
            if (refill(s, err) < 0)
                return -1;
            continue;
        }
        /* Feed up to one line ending, so at most one record completes. */
        size_t end = line_end(s->buf, s->pos, s->len);
        size_t want = end - s->pos;
        size_t got = csv_parse(&s->p, s->buf + s->pos, want, on_field, on_record, s);
        if (got != want) {
            int e = csv_error(&s->p);
            if (e == CSV_ENOMEM || e == CSV_ETOOBIG) {
                if (skip_oversized(s, got, err) < 0)
                    return -1;
                break;
            }
            return hcs_fail(err, HCS_EX_DATAERR, "%s: row %ld: %s", s->path, s->recno + 1,
                            csv_strerror(e));
        }
        s->pos = end;
    }
    if (!s->rec_done)
        return 0;
    emit_record(s, rb);
    return 1;
}

static int csv_rewind(void *p, hcs_err *err)
{
    struct csv_src *s = p;
    if (file_start(s, err) < 0)
        return -1;
    return parser_start(s, err);
}

static void csv_column_name(size_t col, char *out, size_t n) { snprintf(out, n, "column %zu", col); }

/* Bytes handed to the parser over the file's size. */
static double csv_fraction(void *src)
{
    struct csv_src *s = src;
    struct stat st;
    long at = ftell(s->f);
    if (at < 0 || fstat(fileno(s->f), &st) != 0 || st.st_size <= 0)
        return -1;
    double used = (double)at - (double)(s->len - s->pos);
    return used <= 0 ? 0 : used >= (double)st.st_size ? 1 : used / (double)st.st_size;
}

const struct table_backend csv_backend = {
    .format = "csv",
    .next = csv_next,
    .rewind = csv_rewind,
    .close = csv_close,
    .column_name = csv_column_name,
    .fraction = csv_fraction,
};
