/* table — the format-independent part of the table reader: picks the back
 * end from the file's first bytes, finds the header (the first non-empty
 * row), skips empty data rows, pads rows to the header's width and names
 * the column in row problems.  Also header_normalize(). */
#include "read/read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"
#include "read/table_impl.h"

struct table {
    char *path;
    const struct table_feed *feed;   /* rows from a feed (table_open_feed), or NULL */
    const struct table_backend *be;
    void *src;
    struct rowbuf rb;
    char empty[1];                /* the "" every padding cell points to */

    char *hdr_text;               /* header cells, kept for the whole read */
    char **hdr_cells;
    struct table_row header;

    char **cells;
    size_t cells_cap;
    struct table_row cur;
    char problem[320];
    char problem_column[256];
};

enum { DEFAULT_MAX_CELL = 65536 };
#define DEFAULT_MAX_UNZIPPED ((size_t)2 << 30)

static int sniff_format(const char *path, const struct table_backend **be, hcs_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return hcs_fail(err, HCS_EX_NOINPUT, "%s: cannot open: %s", path, strerror(errno));
    unsigned char m[4] = { 0 };
    size_t n = fread(m, 1, sizeof m, f);
    fclose(f);
    size_t plen = strlen(path);
    int xlsx_name = plen > 5 && (!strcasecmp(path + plen - 5, ".xlsx") || !strcasecmp(path + plen - 5, ".xlsm"));
    if (n == 0)
        return hcs_fail(err, HCS_EX_NOINPUT, "%s: the file is empty", path);
    if (n == 4 && m[0] == 'P' && m[1] == 'K' && m[2] == 3 && m[3] == 4) {
        *be = &xlsx_backend;
    } else if (xlsx_name && !(m[0] == 0xD0 && m[1] == 0xCF)) {
        /* Named a workbook but not a zip: do not read it as CSV. */
        return hcs_fail(err, HCS_EX_NOINPUT, "%s: not a readable XLSX (zip) file", path);
    } else if (n == 4 && m[0] == 0xD0 && m[1] == 0xCF && m[2] == 0x11 && m[3] == 0xE0) {
        return hcs_fail(err, HCS_EX_DATAERR,
                        "%s: an old Excel .xls file or a password-protected workbook; "
                        "save it as .xlsx (without a password) or CSV", path);
    } else {
        *be = &csv_backend;
    }
    return 0;
}

/* Reads rows until a non-empty one (or a row with a problem). 1/0/-1. */
static int next_nonempty(table *t, hcs_err *err)
{
    for (;;) {
        int rc = t->be->next(t->src, &t->rb, err);
        if (rc <= 0)
            return rc;
        if (t->rb.problem_col || !rb_is_empty(&t->rb))
            return 1;
    }
}

static void format_problem(table *t)
{
    char col[32];
    size_t c = t->rb.problem_col;
    t->be->column_name(c, col, sizeof col);
    const char *name = c <= t->header.ncells ? t->header.cells[c - 1] : "";
    if (*name)
        snprintf(t->problem, sizeof t->problem, "%s (%s): %s", col, name, t->rb.problem);
    else
        snprintf(t->problem, sizeof t->problem, "%s: %s", col, t->rb.problem);
    snprintf(t->problem_column, sizeof t->problem_column, "%s", *name ? name : col);
}

static int read_header(table *t, hcs_err *err)
{
    int rc = next_nonempty(t, err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return hcs_fail(err, HCS_EX_DATAERR, "%s: no header row (the table is empty)", t->path);
    if (t->rb.problem_col) {
        char col[32];
        t->be->column_name(t->rb.problem_col, col, sizeof col);
        return hcs_fail(err, HCS_EX_DATAERR, "%s: header row %ld, %s: %s", t->path, t->rb.row,
                        col, t->rb.problem);
    }
    size_t n = t->rb.n;
    while (n > 0 && rb_cell(&t->rb, n - 1)[0] == '\0')
        n--;                                   /* trailing empty header cells mean nothing */
    t->hdr_text = xmalloc(t->rb.text.len + 1);
    memcpy(t->hdr_text, t->rb.text.buf, t->rb.text.len);
    t->hdr_cells = xcalloc(n ? n : 1, sizeof *t->hdr_cells);
    for (size_t i = 0; i < n; i++)
        t->hdr_cells[i] = t->hdr_text + t->rb.offs[i];
    t->header.row = t->rb.row;
    t->header.ncells = n;
    t->header.cells = t->hdr_cells;
    t->header.problem = NULL;
    return 0;
}

table *table_open(const char *path, const struct table_opts *opts, hcs_err *err)
{
    const struct table_backend *be = NULL;
    if (sniff_format(path, &be, err) < 0)
        return NULL;
    struct table_opts o = { 0 };
    if (opts)
        o = *opts;
    if (!o.max_cell_bytes)
        o.max_cell_bytes = DEFAULT_MAX_CELL;
    if (!o.max_unzipped)
        o.max_unzipped = DEFAULT_MAX_UNZIPPED;
    void *src = be == &csv_backend ? csv_src_open(path, &o, err) : xlsx_src_open(path, &o, err);
    if (!src)
        return NULL;
    table *t = xcalloc(1, sizeof *t);
    t->path = xstrdup(path);
    t->be = be;
    t->src = src;
    rb_init(&t->rb, o.max_cell_bytes);
    if (read_header(t, err) < 0) {
        table_close(t);
        return NULL;
    }
    return t;
}

table *table_open_feed(const char *path, const struct table_feed *feed)
{
    table *t = xcalloc(1, sizeof *t);
    t->path = xstrdup(path);
    t->feed = feed;
    return t;
}

const struct table_row *table_header(const table *t)
{
    return t->feed ? t->feed->header(t->feed->ctx) : &t->header;
}

int table_next(table *t, const struct table_row **row, hcs_err *err)
{
    if (t->feed)
        return t->feed->next(t->feed->ctx, row, err);
    int rc = next_nonempty(t, err);
    if (rc <= 0)
        return rc;
    size_t n = t->rb.n > t->header.ncells ? t->rb.n : t->header.ncells;
    if (n > t->cells_cap) {
        t->cells_cap = n;
        t->cells = xrealloc(t->cells, n * sizeof *t->cells);
    }
    for (size_t i = 0; i < n; i++)
        t->cells[i] = i < t->rb.n ? t->rb.text.buf + t->rb.offs[i] : t->empty;
    t->cur.row = t->rb.row;
    t->cur.ncells = n;
    t->cur.cells = t->cells;
    t->cur.problem = NULL;
    t->cur.problem_column = NULL;
    t->cur.problem_whole = 0;
    t->cur.problem_value = NULL;
    if (t->rb.problem_col) {
        format_problem(t);
        t->cur.problem = t->problem;
        t->cur.problem_column = t->problem_column;
    }
    *row = &t->cur;
    return 1;
}

int table_rewind(table *t, hcs_err *err)
{
    if (t->feed)
        return t->feed->rewind(t->feed->ctx, err);
    if (t->be->rewind(t->src, err) < 0)
        return -1;
    /* The header is the first non-empty row again. */
    int rc = next_nonempty(t, err);
    if (rc < 0)
        return -1;
    if (rc == 0 || t->rb.row != t->header.row)
        return hcs_fail(err, HCS_EX_NOINPUT, "%s: the file changed while it was being read",
                        t->path);
    return 0;
}

double table_fraction(const table *t)
{
    if (t->feed)
        return -1;
    return t->be->fraction ? t->be->fraction(t->src) : -1;
}

const char *table_format(const table *t) { return t->feed ? "feed" : t->be->format; }
const char *table_path(const table *t) { return t->path; }

void table_close(table *t)
{
    if (!t)
        return;
    if (t->src)
        t->be->close(t->src);
    rb_free(&t->rb);
    free(t->hdr_text);
    free(t->hdr_cells);
    free(t->cells);
    free(t->path);
    free(t);
}

/* ---- header names ---------------------------------------------------- */

char *header_normalize(const char *name)
{
    const unsigned char *s = (const unsigned char *)name;
    size_t n = strlen(name);
    char *out = xmalloc(n + 1);
    size_t o = 0;
    int pending_space = 0;
    size_t i = 0;
    while (i < n) {
        size_t k = utf8_space_at(s + i, n - i);
        if (k) {
            pending_space = o > 0;
            i += k;
            continue;
        }
        if (pending_space) {
            out[o++] = ' ';
            pending_space = 0;
        }
        unsigned char c = s[i];
        if (c >= 'A' && c <= 'Z') {
            out[o++] = (char)(c + 32);
            i++;
        } else if (c == 0xD0 && i + 1 < n) {
            unsigned char d = s[i + 1];
            if (d == 0x81 || d == 0xB5) {               /* Ё, е → е */
                out[o++] = (char)0xD0; out[o++] = (char)0xB5;
            } else if (d >= 0x90 && d <= 0x9F) {        /* А..П → а..п */
                out[o++] = (char)0xD0; out[o++] = (char)(d + 0x20);
            } else if (d >= 0xA0 && d <= 0xAF) {        /* Р..Я → р..я */
                out[o++] = (char)0xD1; out[o++] = (char)(d - 0x20);
            } else {
                out[o++] = (char)c; out[o++] = (char)d;
            }
            i += 2;
        } else if (c == 0xD1 && i + 1 < n && s[i + 1] == 0x91) {   /* ё → е */
            out[o++] = (char)0xD0; out[o++] = (char)0xB5;
            i += 2;
        } else {
            out[o++] = (char)c;
            i++;
        }
    }
    out[o] = '\0';
    return out;
}
