/* report_text — the file list the report keeps, sheet names, and cleaning
 * of untrusted text before it goes into a spreadsheet cell. */
#include "report/report_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

/* ---- file list ---------------------------------------------------------- */

static int copy_file(void *arg, const struct report_file *f, hcs_err *err)
{
    (void)err;
    struct rfiles *fl = arg;
    ARRAY_GROW(fl->items, fl->n, fl->cap);
    struct rfile *rf = &fl->items[fl->n++];
    memset(rf, 0, sizeof *rf);
    rf->path = xstrdup(f->path ? f->path : "");
    rf->operation = xstrdup(f->operation ? f->operation : "");
    rf->key_title = xstrdup(f->key_title && *f->key_title ? f->key_title : "Ключевые поля");
    rf->f = *f;
    return 0;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const struct rfile *)a)->path, ((const struct rfile *)b)->path);
}

int rfiles_collect(const struct report_source *src, struct rfiles *out, hcs_err *err)
{
    memset(out, 0, sizeof *out);
    if (src->files && src->files(src->ctx, copy_file, out, err) != 0) {
        rfiles_free(out);
        return -1;
    }
    if (out->n > 1)
        qsort(out->items, out->n, sizeof *out->items, by_path);
    /* Pointers are fixed only now that the array no longer moves. */
    for (size_t i = 0; i < out->n; i++) {
        struct rfile *rf = &out->items[i];
        rf->f.path = rf->path;
        rf->f.operation = rf->operation;
        rf->f.key_title = rf->key_title;
    }
    return 0;
}

void rfiles_free(struct rfiles *fl)
{
    for (size_t i = 0; i < fl->n; i++) {
        free(fl->items[i].path);
        free(fl->items[i].operation);
        free(fl->items[i].key_title);
    }
    free(fl->items);
    memset(fl, 0, sizeof *fl);
}

/* ---- UTF-8 -------------------------------------------------------------- */

size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* Length of a valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 && s[0] < 0xE0 ? 2 : 0;
    if (n == 0 || s[0] > 0xF4)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

char *cell_text(const char *s, size_t max_bytes)
{
    static const char replacement[] = "\xEF\xBF\xBD";
    strbuf sb = STRBUF_INIT;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        if (*p == '\r') {           /* CRLF and lone CR: keep the LF only */
            p++;
            continue;
        }
        size_t n = utf8_seq(p);
        const char *piece = (const char *)p;
        size_t plen = n;
        if (n == 0 || (n == 1 && *p < 0x20 && *p != '\t' && *p != '\n') || (n == 1 && *p == 0x7F)) {
            piece = replacement;
            plen = 3;
            n = 1;
        }
        if (sb.len + plen > max_bytes)
            break;
        sb_add(&sb, piece, plen);
        p += n;
    }
    if (!sb.buf)
        return xstrdup("");
    return sb_detach(&sb, NULL);
}

/* ---- sheet names -------------------------------------------------------- */

/* Lower-cases ASCII and Cyrillic letters (А-Я, Ё, Ѐ-Џ) for comparing names. */
static char *fold_case(const char *s)
{
    char *out = xstrdup(s);
    unsigned char *p = (unsigned char *)out;
    while (*p) {
        if (*p < 0x80) {
            if (*p >= 'A' && *p <= 'Z')
                *p += 32;
            p++;
        } else if ((p[0] == 0xD0) && p[1] >= 0x80 && p[1] <= 0x8F) {
            p[0] = 0xD1;                 /* U+0400..040F -> U+0450..045F */
            p[1] += 0x10;
            p += 2;
        } else if (p[0] == 0xD0 && p[1] >= 0x90 && p[1] <= 0x9F) {
            p[1] += 0x20;                /* А..П -> а..п */
            p += 2;
        } else if (p[0] == 0xD0 && p[1] >= 0xA0 && p[1] <= 0xAF) {
            p[0] = 0xD1;                 /* Р..Я -> р..я */
            p[1] -= 0x20;
            p += 2;
        } else {
            p++;
        }
    }
    return out;
}

static int name_taken(const struct sheet_names *sn, const char *name)
{
    char *f = fold_case(name);
    int taken = 0;
    for (size_t i = 0; i < sn->n && !taken; i++) {
        char *g = fold_case(sn->names[i]);
        taken = strcmp(f, g) == 0;
        free(g);
    }
    free(f);
    return taken;
}

/* Keeps at most max characters of s (in place). */
static void cut_chars(char *s, size_t max)
{
    size_t n = 0;
    for (char *p = s; *p; p++) {
        if (((unsigned char)*p & 0xC0) != 0x80 && n++ == max) {
            *p = '\0';
            return;
        }
    }
}

const char *sheet_name_make(struct sheet_names *taken, const char *wanted)
{
    char *clean = cell_text(wanted, 31 * 4);
    for (char *p = clean; *p; p++)
        if (strchr("[]:*?/\\\t\n", *p))
            *p = '_';
    char *start = clean;
    while (*start == '\'' || *start == ' ')
        start++;
    cut_chars(start, 31);
    size_t len = strlen(start);
    while (len > 0 && (start[len - 1] == '\'' || start[len - 1] == ' '))
        start[--len] = '\0';
    if (!*start || strcasecmp(start, "History") == 0)   /* Excel reserves it */
        start = (char *)"Лист";
    char *name = xstrdup(start);
    for (int k = 2; name_taken(taken, name); k++) {
        char suffix[16];
        snprintf(suffix, sizeof suffix, " (%d)", k);
        char *base = xstrdup(start);
        cut_chars(base, 31 - strlen(suffix));
        free(name);
        name = xasprintf("%s%s", base, suffix);
        free(base);
    }
    free(clean);
    ARRAY_GROW(taken->names, taken->n, taken->cap);
    taken->names[taken->n++] = name;
    return name;
}

const char *sheet_name_for_file(struct sheet_names *taken, const char *path)
{
    char *name = xstrdup(path_base(path ? path : ""));
    /* A long name loses the end of its stem, never its extension: the
     * extension tells accounts.csv from accounts.xlsx. */
    char *dot = strrchr(name, '.');
    size_t ext_chars = dot && dot != name ? utf8_chars(dot) : 0;
    if (utf8_chars(name) > 31 && ext_chars > 0 && ext_chars <= 8) {
        char *ext = xstrdup(dot);
        *dot = '\0';
        cut_chars(name, 31 - ext_chars);
        char *joined = xasprintf("%s%s", name, ext);
        free(ext);
        free(name);
        name = joined;
    }
    const char *made = sheet_name_make(taken, name);
    free(name);
    return made;
}

char *duration_text(long seconds)
{
    if (seconds < 0)
        seconds = 0;
    long h = seconds / 3600, m = seconds / 60 % 60, s = seconds % 60;
    if (h > 0)
        return xasprintf("%ld ч %02ld мин %02ld с", h, m, s);
    return xasprintf("%ld мин %02ld с", m, s);
}

void sheet_names_free(struct sheet_names *sn)
{
    for (size_t i = 0; i < sn->n; i++)
        free(sn->names[i]);
    free(sn->names);
    memset(sn, 0, sizeof *sn);
}

char *file_stem(const char *path)
{
    char *stem = xstrdup(path_base(path ? path : ""));
    char *dot = strrchr(stem, '.');
    if (dot && dot != stem)
        *dot = '\0';
    return stem;
}
