/* convert — one input file through read → template → packet → soap
 * (see convert.h).
 *
 * Grouping with bounded memory: when the template groups rows (accounts:
 * by Номер ЛС; bills: by account + document + period), pass 1 reads the
 * file once and finds the keys whose rows are not adjacent, with the
 * ordinal of their last row (keymap.h: a fixed Bloom filter plus an exact
 * map of just those keys).  Pass 2 reads again, converts every row and
 * holds a group only until its last row has been seen, then renders it.
 * Rows need not be adjacent; memory grows only with the non-adjacent ones. */
#include "packet/convert.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "base/progress.h"
#include "base/xalloc.h"
#include "packet/join.h"
#include "packet/keymap.h"
#include "packet/packer.h"
#include "read/read.h"
#include "template/template.h"

struct group {
    char *key;
    uint64_t hash;
    struct group *next;
    struct trow **rows;
    size_t nrows, cap;
    long *rownums;              /* every row of the group, good or bad */
    size_t nrownums, rcap;
    long *badrows;
    size_t nbad, bcap;
};

struct group_map {
    struct group **buckets;
    size_t nb, n;
};

static struct group *gmap_get(struct group_map *m, const char *key, uint64_t h, int create)
{
    if (create && m->n >= m->nb) {
        size_t nb = m->nb ? m->nb * 2 : 256;
        struct group **b = xcalloc(nb, sizeof *b);
        for (size_t i = 0; i < m->nb; i++)
            for (struct group *g = m->buckets[i], *next; g; g = next) {
                next = g->next;
                g->next = b[g->hash & (nb - 1)];
                b[g->hash & (nb - 1)] = g;
            }
        free(m->buckets);
        m->buckets = b;
        m->nb = nb;
    }
    if (!m->nb)
        return NULL;
    for (struct group *g = m->buckets[h & (m->nb - 1)]; g; g = g->next)
        if (g->hash == h && !strcmp(g->key, key))
            return g;
    if (!create)
        return NULL;
    struct group *g = xcalloc(1, sizeof *g);
    g->key = xstrdup(key);
    g->hash = h;
    g->next = m->buckets[h & (m->nb - 1)];
    m->buckets[h & (m->nb - 1)] = g;
    m->n++;
    return g;
}

static void gmap_remove(struct group_map *m, struct group *g)
{
    struct group **pp = &m->buckets[g->hash & (m->nb - 1)];
    while (*pp && *pp != g)
        pp = &(*pp)->next;
    if (*pp)
        *pp = g->next;
    m->n--;
}

static void group_free(struct group *g)
{
    for (size_t i = 0; i < g->nrows; i++)
        trow_free(g->rows[i]);
    free(g->rows);
    free(g->rownums);
    free(g->badrows);
    free(g->key);
    free(g);
}

struct run {
    const struct convert_opts *opts;
    const char *path;
    const template *t;
    const tbinding *b;
    const struct convert_sink *sink;
    struct convert_stats *stats;
    struct packer *pk;
    struct tproblems probs;
    progress *prog;             /* the TTY line, or NULL */
};

/* The file a row came from: a joined table's second file has its own. */
static const char *file_of(const struct run *r, long row)
{
    return table_row_file(row) && r->opts->join_child ? r->opts->join_child : r->path;
}

static void reject_problems(struct run *r, long row, const char *element_key)
{
    for (size_t i = 0; i < r->probs.n; i++) {
        struct convert_reject rj = { file_of(r, row), row, r->probs.items[i].column, r->probs.items[i].value,
                                     r->probs.items[i].reason, element_key };
        if (r->sink && r->sink->reject)
            r->sink->reject(r->sink->ctx, &rj);
    }
    tproblems_clear(&r->probs);
}

/* A group is complete: render it, or reject all its rows if one was bad. */
static int complete_group(struct run *r, struct group *g, hcs_err *err)
{
    int rc = 0;
    if (g->nbad) {
        strbuf why = STRBUF_INIT;
        sb_adds(&why, "строка отклонена вместе со всем элементом: ошибка в строке");
        if (g->nbad > 1)
            sb_adds(&why, "х");
        for (size_t i = 0; i < g->nbad; i++)
            sb_addf(&why, "%s %ld", i ? "," : "", table_row_number(g->badrows[i]));
        /* the bad rows were reported with their own reasons already */
        for (size_t i = 0; i < g->nrownums; i++) {
            int is_bad = 0;
            for (size_t k = 0; k < g->nbad; k++)
                is_bad |= g->badrows[k] == g->rownums[i];
            if (is_bad)
                continue;
            packer_reject_rows(r->sink, file_of(r, g->rownums[i]), &g->rownums[i], 1, "", "", sb_str(&why),
                               g->key);
            r->stats->rows_rejected++;
        }
        sb_free(&why);
    } else if (g->nrows) {
        size_t at = 0;
        int var = template_check_same(r->t, g->rows, g->nrows, &at);
        if (var >= 0) {
            /* element-level values disagree: sending the first row's would be a guess */
            const char *col = template_column(r->b, var);
            char *why = xasprintf("значения «%s» в строках %ld и %ld одного элемента различаются",
                                  col, table_row_number(g->rows[0]->row), table_row_number(g->rows[at]->row));
            for (size_t i = 0; i < g->nrows; i++) {
                const char *v = trow_get(g->rows[i], var);
                packer_reject_rows(r->sink, file_of(r, g->rows[i]->row), &g->rows[i]->row, 1, col, v, why, g->key);
            }
            r->stats->rows_rejected += (long)g->nrows;
            free(why);
        } else {
            rc = packer_add(r->pk, g->rows, g->nrows, err);
            g->nrows = 0;  /* the packer owns the rows now */
        }
    }
    group_free(g);
    return rc;
}

static char *display_key(const char *raw)
{
    char *k = xstrdup(raw);
    size_t n = strlen(k);
    while (n && k[n - 1] == '\x1f')
        k[--n] = '\0';
    for (char *p = k; *p; p++)
        if (*p == '\x1f')
            *p = ' ';
    return k;
}

static int cmp_row(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* table_next over the rows opts->only_rows names (all rows when NULL): a
 * retry converts again just the rows of the elements concerned. */
static int next_row(const struct run *r, table *tb, const struct table_row **row, hcs_err *err)
{
    const struct convert_opts *o = r->opts;
    int rc;
    while ((rc = table_next(tb, row, err)) == 1)
        if (!o->only_rows || bsearch(&(*row)->row, o->only_rows, o->nonly_rows, sizeof *o->only_rows, cmp_row))
            return 1;
    return rc;
}

/* Errors leave here naming the file once: the readers' own messages
 * already start with it, the template's and the packer's do not. */
static void name_file(hcs_err *err, const char *path)
{
    size_t n = strlen(path);
    if (err && (strncmp(err->msg, path, n) || err->msg[n] != ':'))
        hcs_err_wrap(err, "%s", path);
}

/* Pass 1: which keys come back after their run ended (see keymap.h). */
static int pass1(struct run *r, table *tb, struct lastrow_map *split, hcs_err *err)
{
    struct bloom seen = { 0 };
    strbuf key = STRBUF_INIT;
    const struct table_row *row;
    uint32_t ord = 0;
    uint64_t run = 0;
    int run_split = 0, rc;
    while ((rc = next_row(r, tb, &row, err)) == 1) {
        sb_reset(&key);
        template_group_raw(r->t, r->b, row, &key);
        uint64_t h = key.len ? key_hash(key.buf, key.len) : 0;
        if (h && h != run) {
            run_split = bloom_test_add(&seen, h);
            run = h;
        } else if (!h) {
            run = 0;
            run_split = 0;
        }
        if (h && run_split)
            lastrow_put(split, h, ord);
        ord++;
    }
    sb_free(&key);
    bloom_free(&seen);
    return rc < 0 ? -1 : 0;
}

/* The run of group g ended at ordinal last: complete g unless a later run follows. */
static int run_ended(struct run *r, struct group_map *gm, struct group *g, uint32_t last,
                     const struct lastrow_map *split, hcs_err *err)
{
    uint32_t final;
    if (lastrow_get(split, g->hash, &final) && final != last)
        return 0;
    gmap_remove(gm, g);
    char *dk = display_key(g->key);
    free(g->key);
    g->key = dk;
    return complete_group(r, g, err);
}

static int pass2(struct run *r, table *tb, const struct lastrow_map *split, hcs_err *err)
{
    struct group_map gm = { 0 };
    strbuf key = STRBUF_INIT;
    const struct table_row *row;
    uint32_t ord = 0;
    struct group *cur = NULL;       /* the group of the current run */
    int rc, grouping = template_has_group(r->t);
    while ((rc = next_row(r, tb, &row, err)) == 1) {
        r->stats->rows++;
        if (progress_due(r->prog))   /* table_fraction costs a syscall: not per row */
            progress_update(r->prog, (double)r->stats->rows, table_fraction(tb));
        sb_reset(&key);
        if (grouping)
            template_group_raw(r->t, r->b, row, &key);
        if (cur && (!key.len || strcmp(cur->key, key.buf))) {
            struct group *ended = cur;
            cur = NULL;
            if ((rc = run_ended(r, &gm, ended, ord - 1, split, err)) < 0)
                break;
        }
        struct trow *tr = NULL;
        int bad;
        if (row->problem) {
            /* the reader's text names the cell (column letter and header) */
            char *why = row->problem_whole ? xstrdup(row->problem)
                                           : xasprintf("строка не прочитана: %s", row->problem);
            tproblems_add(&r->probs, row->problem_column ? row->problem_column : "",
                          row->problem_value ? row->problem_value : "", why);
            free(why);
            bad = 1;
        } else {
            struct tconvert_ctx cx = { (template_resolve_fn)r->opts->resolve, r->opts->resolve_ctx,
                                       (template_attach_fn)r->opts->attach, r->opts->attach_ctx, r->path,
                                       (template_held_fn)r->opts->held };
            bad = template_convert_with(r->t, r->b, row, &cx, &tr, &r->probs, err);
            if (bad < 0) {
                rc = -1;
                break;
            }
        }
        if (!key.len) {
            /* an element of one row */
            if (bad) {
                reject_problems(r, row->row, NULL);
                r->stats->rows_rejected++;
            } else if ((rc = packer_add(r->pk, &tr, 1, err)) < 0) {
                break;
            }
            ord++;
            rc = 0;
            continue;
        }
        if (!cur)
            cur = gmap_get(&gm, key.buf, key_hash(key.buf, key.len), 1);
        struct group *g = cur;
        ARRAY_GROW(g->rownums, g->nrownums, g->rcap);
        g->rownums[g->nrownums++] = row->row;
        if (bad) {
            char *dk = display_key(key.buf);
            reject_problems(r, row->row, dk);
            free(dk);
            r->stats->rows_rejected++;
            ARRAY_GROW(g->badrows, g->nbad, g->bcap);
            g->badrows[g->nbad++] = row->row;
        } else if (g->nbad) {
            trow_free(tr);
        } else {
            ARRAY_GROW(g->rows, g->nrows, g->cap);
            g->rows[g->nrows++] = tr;
        }
        ord++;
        rc = 0;
    }
    if (rc >= 0 && cur && run_ended(r, &gm, cur, ord - 1, split, err) < 0)
        rc = -1;
    /* groups still open (only after a hash collision): complete them now */
    for (size_t i = 0; i < gm.nb; i++)
        for (struct group *g = gm.buckets[i], *next; g; g = next) {
            next = g->next;
            if (rc >= 0) {
                char *dk = display_key(g->key);
                free(g->key);
                g->key = dk;
                if (complete_group(r, g, err) < 0)
                    rc = -1;
            } else {
                group_free(g);
            }
        }
    free(gm.buckets);
    sb_free(&key);
    tproblems_clear(&r->probs);
    return rc < 0 ? -1 : 0;
}

/* opts->keys_only: every row through the template, so its [resolve]
 * lookups reach opts->resolve; nothing is grouped, packed, validated,
 * signed, uploaded or handed to the sink. */
static int scan_keys(struct run *r, table *tb, hcs_err *err)
{
    const struct table_row *row;
    struct tconvert_ctx cx = { (template_resolve_fn)r->opts->resolve, r->opts->resolve_ctx, NULL, NULL, r->path, NULL };
    int rc;
    while ((rc = table_next(tb, &row, err)) == 1) {
        r->stats->rows++;
        if (row->problem)
            continue;
        struct trow *tr = NULL;
        if (template_convert_with(r->t, r->b, row, &cx, &tr, &r->probs, err) < 0)
            return -1;
        trow_free(tr);
        tproblems_clear(&r->probs);
    }
    return rc < 0 ? -1 : 0;
}

static void table_opts_from(const hcs_config *cfg, const template *t, struct table_opts *to)
{
    memset(to, 0, sizeof *to);
    if (cfg)
        table_opts_from_config(cfg, to);
    to->sheet = template_sheet(t);
}

static template *load_template(const struct convert_opts *opts, hcs_err *err)
{
    char *dir = NULL;
    if (opts->template_dir) {
        dir = xstrdup(opts->template_dir);
    } else {
        char *tdir = opts->cfg ? cfg_path(opts->cfg, "paths.templates_dir") : NULL;
        dir = path_join(tdir ? tdir : "templates", opts->template_name ? opts->template_name : "");
        free(tdir);
    }
    template *t = template_load(dir, opts->cfg, err);
    free(dir);
    return t;
}

int convert_template_files(const struct convert_opts *opts, char **context, hcs_err *err)
{
    *context = NULL;
    template *t = load_template(opts, err);
    if (!t)
        return -1;
    int has = template_has_files(t);
    if (has)
        *context = xstrdup(template_attach_context(t));
    template_free(t);
    return has;
}

/* The two-file form ([join]): the file at path and opts->join_child, or
 * a child file alone, become one joined table (join.h), which replaces
 * *tb (the join owns the tables) and *b.  0 also when nothing is joined. */
static int open_join(const struct convert_opts *opts, const template *t, const struct table_opts *to,
                     table **tb, tbinding **b, struct join **jn, hcs_err *err)
{
    *jn = NULL;
    if (!opts->spill)
        return 0;
    enum tjoin_role role = template_join_role(t, *b);
    if (role == TJOIN_NONE || (!opts->join_child && role != TJOIN_CHILD))
        return 0;
    table *child = *tb, *parent = NULL;
    if (opts->join_child) {
        if (!(child = table_open(opts->join_child, to, err)))
            return -1;
        parent = *tb;
    }
    *tb = NULL;
    tbinding_free(*b);
    *b = NULL;
    if (!(*jn = join_open(t, parent, child, opts, err)))
        return -1;
    *tb = join_table(*jn);
    *b = template_bind(t, table_header(*tb), NULL, err);
    return *b ? 0 : -1;
}

int convert_template_joins(const struct convert_opts *opts)
{
    hcs_err err = { 0 };
    template *t = load_template(opts, &err);
    int joins = t && template_join_kind(t);
    template_free(t);
    return joins;
}

void convert_join_pairs(const int *role, int *partner, size_t n)
{
    for (size_t i = 0; i < n; i++)
        partner[i] = -1;
    for (size_t i = 0, c = 0; i < n; i++) {
        if (role[i] != TJOIN_PARENT)
            continue;
        while (c < n && role[c] != TJOIN_CHILD)
            c++;
        if (c == n)
            break;
        partner[i] = (int)c;
        partner[c++] = -2;
    }
}

int convert_join_role(const struct convert_opts *opts, const char *path)
{
    hcs_err err = { 0 };
    template *t = load_template(opts, &err);
    if (!t || !template_join_kind(t)) {
        template_free(t);
        return TJOIN_NONE;      /* no [join]: the file is not even opened */
    }
    struct table_opts to;
    table_opts_from(opts->cfg, t, &to);
    table *tb = table_open(path, &to, &err);
    tbinding *b = tb ? template_bind(t, table_header(tb), NULL, &err) : NULL;
    int role = b ? (int)template_join_role(t, b) : TJOIN_NONE;
    tbinding_free(b);
    table_close(tb);
    template_free(t);
    return role;
}

int convert_file(const struct convert_opts *opts, const char *path,
                 const struct convert_sink *sink, struct convert_stats *stats, hcs_err *err)
{
    struct convert_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    template *t = load_template(opts, err);
    if (!t)
        return -1;
    /* A template written for another package than the configured one says
     * so once, before any row is read, instead of failing every packet. */
    if (opts->schemas && template_operation(t) &&
        schema_check_operation(opts->schemas, template_operation(t), err) < 0) {
        hcs_err_wrap(err, "%s: template %s", path, template_name(t));
        template_free(t);
        return -1;
    }
    struct table_opts to;
    table_opts_from(opts->cfg, t, &to);
    to.two_passes = template_has_group(t) && !opts->keys_only;
    table *tb = table_open(path, &to, err);
    if (!tb) {
        template_free(t);
        return -1;
    }
    strbuf unknown = STRBUF_INIT;
    tbinding *b = template_bind(t, table_header(tb), &unknown, err);
    if (!b) {
        name_file(err, path);
        sb_free(&unknown);
        table_close(tb);
        template_free(t);
        return -1;
    }
    if (unknown.len && !opts->preliminary)
        log_info("%s: columns not used by template %s: %s", path, template_name(t), sb_str(&unknown));
    sb_free(&unknown);
    struct join *jn = NULL;
    if (open_join(opts, t, &to, &tb, &b, &jn, err) < 0) {
        name_file(err, path);
        join_free(jn);
        if (!jn)
            table_close(tb);
        tbinding_free(b);
        template_free(t);
        return -1;
    }
    struct run r = { .opts = opts, .path = path, .t = t, .b = b, .sink = sink, .stats = stats };
    struct lastrow_map split = { 0 };
    int rc = 0;
    if (opts->keys_only) {
        rc = scan_keys(&r, tb, err);
        goto done;
    }
    r.pk = packer_new(t, opts, path, sink, stats);
    r.sink = packer_ordered_sink(r.pk);   /* rejects stay in file order behind packets in flight */
    if (template_has_group(t)) {
        rc = pass1(&r, tb, &split, err);
        if (rc == 0)
            rc = table_rewind(tb, err);
    }
    if (rc == 0) {
        char *what = xasprintf("converting %s", path_base(path));
        r.prog = progress_begin(what, PROGRESS_COUNT, "rows");
        free(what);
        rc = pass2(&r, tb, &split, err);
        progress_end(r.prog);
    }
    if (rc == 0)
        rc = packer_finish(r.pk, err);
done:
    if (rc < 0)
        name_file(err, path);
    lastrow_free(&split);
    packer_free(r.pk);
    tbinding_free(b);
    if (jn)
        join_free(jn);           /* closes the tables it joined and its own */
    else
        table_close(tb);
    template_free(t);
    return rc;
}
