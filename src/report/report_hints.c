/* report_hints — the accountant hints table (templates/hints.csv,
 * `code;hint`, UTF-8, header line), read with libcsv.  Code "*" is the
 * fallback for a GIS error code without a line of its own. */
#include "report/report.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "base/fsutil.h"
#include "base/xalloc.h"

#define HINTS_MAX_BYTES (1024 * 1024)

struct hint { char *code; char *text; };

struct report_hints {
    struct hint *items;
    size_t n, cap;
    const char *fallback;
};

struct hints_parse {
    report_hints *h;
    char *field[2];
    int nfield;
    long line;
};

static void on_field(void *s, size_t len, void *data)
{
    struct hints_parse *p = data;
    if (p->nfield < 2)
        p->field[p->nfield] = xstrndup(s ? s : "", s ? len : 0);
    p->nfield++;
}

static void on_record(int c, void *data)
{
    (void)c;
    struct hints_parse *p = data;
    p->line++;
    /* Line 1 is the header; lines without a hint are ignored. */
    if (p->line > 1 && p->nfield >= 2 && p->field[0][0] && p->field[1][0]) {
        ARRAY_GROW(p->h->items, p->h->n, p->h->cap);
        p->h->items[p->h->n++] = (struct hint){ p->field[0], p->field[1] };
        p->field[0] = p->field[1] = NULL;
    }
    free(p->field[0]);
    free(p->field[1]);
    p->field[0] = p->field[1] = NULL;
    p->nfield = 0;
}

static int by_code(const void *a, const void *b)
{
    return strcmp(((const struct hint *)a)->code, ((const struct hint *)b)->code);
}

report_hints *report_hints_load(const char *path, hcs_err *err)
{
    size_t len;
    char *text = file_read_all(path, HINTS_MAX_BYTES, &len, err);
    if (!text) {
        hcs_err_wrap(err, "hints file");
        return NULL;
    }
    size_t skip = (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
    struct csv_parser parser;
    csv_init(&parser, CSV_APPEND_NULL | CSV_STRICT | CSV_STRICT_FINI);
    csv_set_delim(&parser, ';');
    struct hints_parse p = { .h = xcalloc(1, sizeof(report_hints)) };
    int bad = csv_parse(&parser, text + skip, len - skip, on_field, on_record, &p) != len - skip
              || csv_fini(&parser, on_field, on_record, &p) != 0;
    csv_free(&parser);
    free(text);
    free(p.field[0]);
    free(p.field[1]);
    if (bad) {
        report_hints_free(p.h);
        hcs_fail(err, HCS_EX_CONFIG, "%s: not a valid code;hint CSV", path);
        return NULL;
    }
    qsort(p.h->items, p.h->n, sizeof *p.h->items, by_code);
    struct hint key = { (char *)"*", NULL };
    struct hint *fb = bsearch(&key, p.h->items, p.h->n, sizeof *p.h->items, by_code);
    p.h->fallback = fb ? fb->text : NULL;
    return p.h;
}

int report_hints_merge(report_hints *into, const char *path, hcs_err *err)
{
    report_hints *more = report_hints_load(path, err);
    if (!more)
        return -1;
    for (size_t i = 0; i < more->n; i++) {
        struct hint key = { more->items[i].code, NULL };
        if (bsearch(&key, into->items, into->n, sizeof *into->items, by_code))
            continue;                /* the first table wins */
        ARRAY_GROW(into->items, into->n, into->cap);
        into->items[into->n++] = more->items[i];
        more->items[i].code = more->items[i].text = NULL;
    }
    report_hints_free(more);
    qsort(into->items, into->n, sizeof *into->items, by_code);
    struct hint fb_key = { (char *)"*", NULL };
    struct hint *fb = bsearch(&fb_key, into->items, into->n, sizeof *into->items, by_code);
    into->fallback = fb ? fb->text : NULL;
    return 0;
}

const char *report_hints_get(const report_hints *h, const char *code)
{
    if (!h || !code || !*code)
        return NULL;
    struct hint key = { (char *)code, NULL };
    struct hint *found = bsearch(&key, h->items, h->n, sizeof *h->items, by_code);
    if (found)
        return found->text;
    /* Our own codes all have lines; the fallback is for unknown GIS codes. */
    return strncmp(code, "HCS-", 4) == 0 ? NULL : h->fallback;
}

void report_hints_free(report_hints *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n; i++) {
        free(h->items[i].code);
        free(h->items[i].text);
    }
    free(h->items);
    free(h);
}
