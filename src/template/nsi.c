/* nsi — see nsi.h.  Files are small (hundreds of entries): each registry
 * is a flat array searched linearly by folded code or name. */
#include "template/nsi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <csv.h>

#include "base/fsutil.h"
#include "base/guid.h"
#include "base/xalloc.h"
#include "template/textfold.h"

struct entry {
    struct nsi_item item;
    char *code_fold;
    char *name_fold;
};

struct registry {
    int number;
    struct entry *entries;
    size_t n, cap;
};

struct nsi_set {
    char *dir;
    struct registry *regs;
    size_t n, cap;
};

nsi_set *nsi_set_open(const char *dir)
{
    nsi_set *s = xcalloc(1, sizeof *s);
    s->dir = xstrdup(dir ? dir : ".");
    return s;
}

void nsi_set_free(nsi_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++) {
        for (size_t j = 0; j < set->regs[i].n; j++) {
            struct entry *e = &set->regs[i].entries[j];
            free(e->item.code);
            free(e->item.name);
            free(e->code_fold);
            free(e->name_fold);
        }
        free(set->regs[i].entries);
    }
    free(set->regs);
    free(set->dir);
    free(set);
}

const char *nsi_set_dir(const nsi_set *set) { return set->dir; }

struct loader {
    struct registry *reg;
    char *field[3];
    int nfield;
    long line;
    int bad;
    char why[256];
};

static void on_field(void *data, size_t len, void *ctx)
{
    struct loader *l = ctx;
    if (l->nfield < 3)
        l->field[l->nfield] = xstrndup(data ? data : "", len);
    l->nfield++;
}

static void reset_fields(struct loader *l)
{
    for (int i = 0; i < 3; i++) {
        free(l->field[i]);
        l->field[i] = NULL;
    }
    l->nfield = 0;
}

static void on_row(int c, void *ctx)
{
    (void)c;
    struct loader *l = ctx;
    l->line++;
    if (l->line == 1 || l->nfield == 0 || (l->nfield == 1 && !l->field[0][0])) {
        reset_fields(l);           /* header line or empty line */
        return;
    }
    char guid[37];
    if (l->nfield < 2 || guid_normalize(l->field[1], guid) < 0) {
        if (!l->bad)
            snprintf(l->why, sizeof l->why, "line %ld: expected code;guid;name with a GUID", l->line);
        l->bad = 1;
        reset_fields(l);
        return;
    }
    struct registry *r = l->reg;
    ARRAY_GROW(r->entries, r->n, r->cap);
    struct entry *e = &r->entries[r->n++];
    memset(e, 0, sizeof *e);
    size_t cl = strlen(l->field[0]);
    const char *code = text_trim(l->field[0], &cl);
    e->item.code = xstrndup(code, cl);
    memcpy(e->item.guid, guid, sizeof guid);
    e->item.name = xstrdup(l->nfield > 2 && l->field[2] ? l->field[2] : "");
    e->code_fold = text_fold(e->item.code, strlen(e->item.code));
    e->name_fold = text_fold(e->item.name, strlen(e->item.name));
    reset_fields(l);
}

static struct registry *load(nsi_set *set, int number, hcs_err *err)
{
    for (size_t i = 0; i < set->n; i++)
        if (set->regs[i].number == number)
            return &set->regs[i];
    char name[32];
    snprintf(name, sizeof name, "%d.csv", number);
    char *path = path_join(set->dir, name);
    size_t len = 0;
    hcs_err e2 = { 0 };
    char *data = file_read_all(path, 64u << 20, &len, &e2);
    if (!data) {
        hcs_fail(err, HCS_EX_CONFIG, "НСИ %d: dictionary file %s cannot be read (set [paths] nsi_dir)",
                 number, path);
        free(path);
        return NULL;
    }
    ARRAY_GROW(set->regs, set->n, set->cap);
    struct registry *r = &set->regs[set->n++];
    memset(r, 0, sizeof *r);
    r->number = number;
    struct loader l = { .reg = r };
    struct csv_parser p;
    csv_init(&p, CSV_APPEND_NULL);
    csv_set_delim(&p, ';');
    size_t off = (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) ? 3 : 0;
    if (csv_parse(&p, data + off, len - off, on_field, on_row, &l) != len - off)
        l.bad = l.bad ? l.bad : (snprintf(l.why, sizeof l.why, "%s", csv_strerror(csv_error(&p))), 1);
    csv_fini(&p, on_field, on_row, &l);
    csv_free(&p);
    reset_fields(&l);
    free(data);
    if (l.bad) {
        hcs_fail(err, HCS_EX_CONFIG, "НСИ %d: %s: %s", number, path, l.why);
        for (size_t j = 0; j < r->n; j++) {
            free(r->entries[j].item.code);
            free(r->entries[j].item.name);
            free(r->entries[j].code_fold);
            free(r->entries[j].name_fold);
        }
        free(r->entries);
        set->n--;
        free(path);
        return NULL;
    }
    free(path);
    return r;
}

int nsi_lookup(nsi_set *set, int registry, const char *value, const struct nsi_item **item,
               hcs_err *err)
{
    struct registry *r = load(set, registry, err);
    if (!r)
        return -1;
    char *f = text_fold(value, strlen(value));
    int found = 0;
    for (size_t i = 0; i < r->n && !found; i++)
        if (!strcmp(r->entries[i].code_fold, f)) {
            *item = &r->entries[i].item;
            found = 1;
        }
    for (size_t i = 0; i < r->n && !found; i++)
        if (r->entries[i].name_fold[0] && !strcmp(r->entries[i].name_fold, f)) {
            *item = &r->entries[i].item;
            found = 1;
        }
    free(f);
    return found;
}

long nsi_count(nsi_set *set, int registry, hcs_err *err)
{
    struct registry *r = load(set, registry, err);
    return r ? (long)r->n : -1;
}
