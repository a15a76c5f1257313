/* join — a parent file and a child file as one table, house by house
 * (see join.h). */
#include "packet/join.h"

#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/xalloc.h"

/* A child row from the spill: its depth (one byte, template_join_depth),
 * problem, problem column, then the child header's cells, each
 * NUL-terminated. */
struct held_row {
    int depth;
    long row;
    char *data;
    size_t len;
};

enum phase { PH_PARENT, PH_ORPHANS_START, PH_ORPHANS, PH_END };

struct join {
    const template *t;
    const struct convert_opts *opts;
    table *parent, *child;
    tbinding *pb, *cb;
    void *sp;                          /* the spill of the child file */
    table *tb;                         /* the joined rows as a table */
    struct table_feed feed;
    struct table_row header;           /* parent header, then the child's own columns */
    char **hdr;
    size_t width, pwidth;
    size_t *cmap, ncmap;               /* child column → joined column */
    struct held_row *held;             /* the child rows of the current key */
    size_t nheld, hcap, next_held;
    enum phase phase;
    char *orphan_key;                  /* the key whose child rows have no parent row */
    char *orphan_shown;                /* ... as the registry is asked ('|' between parts) */
    int refuse;                        /* ... and neither file nor registry knows it */
    strbuf reason, key;
    char **cells;
    struct table_row cur;
    char empty[1];
};

static void clear_held(struct join *j)
{
    for (size_t i = 0; i < j->nheld; i++)
        free(j->held[i].data);
    j->nheld = j->next_held = 0;
}

static void hold_row(void *ctx, long row, const void *data, size_t len)
{
    struct join *j = ctx;
    ARRAY_GROW(j->held, j->nheld, j->hcap);
    struct held_row *h = &j->held[j->nheld++];
    h->row = row;
    h->depth = len ? ((const unsigned char *)data)[0] : 0;
    h->len = len ? len - 1 : 0;
    h->data = xmalloc(h->len + 1);
    memcpy(h->data, (const char *)data + (len ? 1 : 0), h->len);
    h->data[h->len] = '\0';
}

/* A premises before its rooms, else file order. */
static int cmp_held(const void *a, const void *b)
{
    const struct held_row *x = a, *y = b;
    if (x->depth != y->depth)
        return x->depth - y->depth;
    return (x->row > y->row) - (x->row < y->row);
}

static void blank_row(struct join *j)
{
    for (size_t i = 0; i < j->width; i++)
        j->cells[i] = j->empty;
    j->cur.ncells = j->width;
    j->cur.cells = j->cells;
    j->cur.problem = NULL;
    j->cur.problem_column = NULL;
    j->cur.problem_whole = 0;
    j->cur.problem_value = NULL;
}

static void emit_parent(struct join *j, const struct table_row *pr)
{
    blank_row(j);
    for (size_t i = 0; i < j->pwidth && i < pr->ncells; i++)
        j->cells[i] = pr->cells[i];
    j->cur.row = pr->row;
    j->cur.problem = pr->problem;
    j->cur.problem_column = pr->problem_column;
}

/* The next held row; the cells point into its data. */
static void emit_held(struct join *j)
{
    struct held_row *h = &j->held[j->next_held++];
    blank_row(j);
    char *p = h->data, *end = h->data + h->len;
    const char *problem = p;
    p += strlen(p) + 1;
    const char *pcol = p < end ? p : j->empty;
    p += p < end ? strlen(p) + 1 : 0;
    for (size_t c = 0; c < j->ncmap && p < end; c++) {
        j->cells[j->cmap[c]] = p;
        p += strlen(p) + 1;
    }
    j->cur.row = j->parent ? h->row | TABLE_ROW_SECOND : h->row;
    if (j->refuse) {
        j->cur.problem = sb_str(&j->reason);
        j->cur.problem_column = template_join_key_column(j->t, j->cb);
        j->cur.problem_whole = 1;
        j->cur.problem_value = j->orphan_shown;
    } else if (*problem) {
        j->cur.problem = problem;
        j->cur.problem_column = pcol;
    }
}

static int load_key(struct join *j, const char *key, hcs_err *err)
{
    clear_held(j);
    if (j->opts->spill->rows(j->sp, key, hold_row, j, err) < 0)
        return -1;
    if (j->nheld > 1)
        qsort(j->held, j->nheld, sizeof *j->held, cmp_held);
    return 0;
}

/* Child rows of a key no parent row has: the registry decides. */
static int judge_orphans(struct join *j, hcs_err *err)
{
    j->refuse = 0;
    if (!*j->orphan_key)
        return 0;                      /* rows without a key: the template refuses them */
    if (j->opts->keys_only)
        return 0;                      /* the chain's pass: the rows' own lookups may find the house in GIS */
    char *shown = xstrdup(j->orphan_key);
    size_t n = strlen(shown);
    while (n && shown[n - 1] == '\x1f')
        shown[--n] = '\0';
    for (char *c = shown; *c; c++)
        if (*c == '\x1f')
            *c = '|';
    char guid[37];
    int rc = j->opts->resolve ? j->opts->resolve(j->opts->resolve_ctx, template_join_kind(j->t), shown, guid) : 0;
    if (rc < 0) {
        free(shown);
        return hcs_fail(err, HCS_EX_IOERR, "registry lookup of %s failed", template_join_kind(j->t));
    }
    if (rc == 0) {
        j->refuse = 1;
        sb_reset(&j->reason);
        template_join_orphan(j->t, shown, &j->reason);
    }
    free(j->orphan_shown);
    j->orphan_shown = shown;
    return 0;
}

static int next_parent(struct join *j, hcs_err *err)
{
    const struct table_row *pr;
    int rc = table_next(j->parent, &pr, err);
    if (rc <= 0) {
        j->phase = PH_ORPHANS_START;
        return rc;
    }
    clear_held(j);
    j->refuse = 0;
    sb_reset(&j->key);
    template_group_raw(j->t, j->pb, pr, &j->key);
    if (j->key.len) {
        /* a house named twice gets its premises once */
        int fresh = j->opts->spill->mark(j->sp, sb_str(&j->key), err);
        if (fresh < 0 || (fresh && load_key(j, sb_str(&j->key), err) < 0))
            return -1;
    }
    emit_parent(j, pr);
    return 1;
}

static int feed_next(void *ctx, const struct table_row **row, hcs_err *err)
{
    struct join *j = ctx;
    for (;;) {
        if (j->next_held < j->nheld) {
            emit_held(j);
            *row = &j->cur;
            return 1;
        }
        int rc = 0;
        char *key = NULL;
        switch (j->phase) {
        case PH_PARENT:
            rc = next_parent(j, err);
            if (rc < 0)
                return -1;
            if (rc == 1) {
                *row = &j->cur;
                return 1;
            }
            break;
        case PH_ORPHANS_START:
            free(j->orphan_key);
            j->orphan_key = xstrdup("");
            j->phase = PH_ORPHANS;
            if (judge_orphans(j, err) < 0 || load_key(j, "", err) < 0)
                return -1;
            break;
        case PH_ORPHANS:
            clear_held(j);
            rc = j->opts->spill->next_unmarked(j->sp, j->orphan_key, &key, err);
            if (rc < 0)
                return -1;
            if (rc == 0) {
                j->phase = PH_END;
                break;
            }
            free(j->orphan_key);
            j->orphan_key = key;
            if (judge_orphans(j, err) < 0 || load_key(j, key, err) < 0)
                return -1;
            break;
        case PH_END:
            return 0;
        }
    }
}

static int feed_rewind(void *ctx, hcs_err *err)
{
    struct join *j = ctx;
    clear_held(j);
    j->refuse = 0;
    j->phase = j->parent ? PH_PARENT : PH_ORPHANS_START;
    if (j->parent && table_rewind(j->parent, err) < 0)
        return -1;
    return j->opts->spill->unmark_all(j->sp, err);
}

static const struct table_row *feed_header(void *ctx)
{
    return &((struct join *)ctx)->header;
}

/* The joined header: the parent's columns, then the child's columns the
 * parent has no variable of (a variable both bind is one column). */
static void build_header(struct join *j)
{
    const struct table_row *ph = j->parent ? table_header(j->parent) : NULL;
    const struct table_row *ch = table_header(j->child);
    j->pwidth = ph ? ph->ncells : 0;
    j->hdr = xcalloc(j->pwidth + ch->ncells + 1, sizeof *j->hdr);
    for (size_t i = 0; i < j->pwidth; i++)
        j->hdr[i] = xstrdup(ph->cells[i]);
    j->width = j->pwidth;
    j->ncmap = ch->ncells;
    j->cmap = xcalloc(ch->ncells + 1, sizeof *j->cmap);
    size_t nv = template_var_count(j->t);
    for (size_t c = 0; c < ch->ncells; c++) {
        int pc = -1;
        for (size_t v = 0; v < nv && pc < 0 && j->pb; v++)
            if (template_bound_column(j->cb, (int)v) == (int)c)
                pc = template_bound_column(j->pb, (int)v);
        if (pc >= 0) {
            j->cmap[c] = (size_t)pc;
        } else {
            j->cmap[c] = j->width;
            j->hdr[j->width++] = xstrdup(ch->cells[c]);
        }
    }
    j->header.row = ph ? ph->row : ch->row;
    j->header.ncells = j->width;
    j->header.cells = j->hdr;
    j->cells = xcalloc(j->width + 1, sizeof *j->cells);
}

/* Every child row into the spill under its group key. */
static int spill_child(struct join *j, hcs_err *err)
{
    const struct table_row *r;
    strbuf data = STRBUF_INIT;
    int rc;
    while ((rc = table_next(j->child, &r, err)) == 1) {
        sb_reset(&j->key);
        template_group_raw(j->t, j->cb, r, &j->key);
        sb_reset(&data);
        sb_addc(&data, (char)template_join_depth(j->t, j->cb, r));
        sb_add(&data, r->problem ? r->problem : "", r->problem ? strlen(r->problem) + 1 : 1);
        sb_add(&data, r->problem_column ? r->problem_column : "",
               r->problem_column ? strlen(r->problem_column) + 1 : 1);
        for (size_t c = 0; c < j->ncmap; c++)
            sb_add(&data, c < r->ncells ? r->cells[c] : "", (c < r->ncells ? strlen(r->cells[c]) : 0) + 1);
        if (j->opts->spill->put(j->sp, sb_str(&j->key), r->row, data.buf, data.len, err) < 0) {
            rc = -1;
            break;
        }
    }
    sb_free(&data);
    return rc;
}

static int check_roles(struct join *j, hcs_err *err)
{
    if (template_join_role(j->t, j->cb) != TJOIN_CHILD)
        return hcs_fail(err, HCS_EX_DATAERR, "%s: not a premises file of %s (its header has no premises"
                        " column or has house columns)", table_path(j->child), template_name(j->t));
    if (j->pb && template_join_role(j->t, j->pb) != TJOIN_PARENT)
        return hcs_fail(err, HCS_EX_DATAERR, "%s: not a houses file of %s (its header has premises columns)",
                        table_path(j->parent), template_name(j->t));
    return 0;
}

struct join *join_open(const template *t, table *parent, table *child, const struct convert_opts *opts,
                       hcs_err *err)
{
    struct join *j = xcalloc(1, sizeof *j);
    j->t = t;
    j->opts = opts;
    j->parent = parent;
    j->child = child;
    j->phase = parent ? PH_PARENT : PH_ORPHANS_START;
    if ((parent && !(j->pb = template_bind(t, table_header(parent), NULL, err)))
        || !(j->cb = template_bind(t, table_header(child), NULL, err)) || check_roles(j, err) < 0
        || !(j->sp = opts->spill->open(err))) {
        join_free(j);
        return NULL;
    }
    build_header(j);
    if (spill_child(j, err) < 0) {
        join_free(j);
        return NULL;
    }
    j->feed = (struct table_feed){ .ctx = j, .header = feed_header, .next = feed_next, .rewind = feed_rewind };
    j->tb = table_open_feed(table_path(parent ? parent : child), &j->feed);
    return j;
}

table *join_table(struct join *j)
{
    return j->tb;
}

void join_free(struct join *j)
{
    if (!j)
        return;
    clear_held(j);
    free(j->held);
    if (j->sp)
        j->opts->spill->close(j->sp);
    table_close(j->tb);
    table_close(j->parent);
    table_close(j->child);
    tbinding_free(j->pb);
    tbinding_free(j->cb);
    for (size_t i = 0; i < j->width; i++)
        free(j->hdr[i]);
    free(j->hdr);
    free(j->cmap);
    free(j->cells);
    free(j->orphan_key);
    free(j->orphan_shown);
    sb_free(&j->reason);
    sb_free(&j->key);
    free(j);
}
