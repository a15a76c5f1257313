/* tmpl_join — [join] of map.ini: the two-file form of a grouped template
 * (importHouseUOData: a houses file and a premises file).  Which file is
 * which is told by its header: a child file binds a `child` variable and
 * no `parent` one, a parent file binds no `child` variable, a file binding
 * both is the one-file form.  packet/join.c does the joining. */
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "template/tmpl_internal.h"

/* "a, b, c" → variable indexes; an unknown name is a broken template. */
static int var_list(template *t, const char *list, int **out, size_t *n, hcs_err *err)
{
    char *copy = xstrdup(list);
    char *save = NULL;
    int rc = 0;
    for (char *tok = strtok_r(copy, ", ", &save); tok && rc == 0; tok = strtok_r(NULL, ", ", &save)) {
        int v = template_var_index(t, tok);
        if (v < 0) {
            rc = hcs_fail(err, HCS_EX_CONFIG, "%s is not a column of [columns]", tok);
            break;
        }
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        (*out)[(*n)++] = v;
    }
    free(copy);
    return rc;
}

int tmpl_load_join(template *t, const char *parent, const char *child, const char *kind,
                   const char *orphan, hcs_err *err)
{
    if (!t->ngroup)
        return hcs_fail(err, HCS_EX_CONFIG, "a join needs [template] group (the key it joins by)");
    if (!*child || !*kind || !*orphan)
        return hcs_fail(err, HCS_EX_CONFIG, "parent, child, parent_kind and orphan are all needed");
    struct tjoin *j = xcalloc(1, sizeof *j);
    t->join = j;
    j->parent_kind = xstrdup(kind);
    j->orphan = xstrdup(orphan);
    if (var_list(t, parent, &j->parent, &j->nparent, err) < 0 || var_list(t, child, &j->child, &j->nchild, err) < 0)
        return -1;
    return 0;
}

void tmpl_join_free(struct tjoin *j)
{
    if (!j)
        return;
    free(j->parent);
    free(j->child);
    free(j->parent_kind);
    free(j->orphan);
    free(j);
}

static int binds_any(const tbinding *b, const int *vars, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b->col[vars[i]] >= 0)
            return 1;
    return 0;
}

enum tjoin_role template_join_role(const template *t, const tbinding *b)
{
    if (!t->join)
        return TJOIN_NONE;
    int parent = binds_any(b, t->join->parent, t->join->nparent);
    int child = binds_any(b, t->join->child, t->join->nchild);
    if (child && parent)
        return TJOIN_BOTH;
    return child ? TJOIN_CHILD : TJOIN_PARENT;
}

const char *template_join_kind(const template *t)
{
    return t->join ? t->join->parent_kind : NULL;
}

void template_join_orphan(const template *t, const char *key, strbuf *out)
{
    const char *o = t->join ? t->join->orphan : "";
    const char *at = strstr(o, "{key}");
    if (!at) {
        sb_adds(out, o);
        return;
    }
    sb_add(out, o, (size_t)(at - o));
    sb_adds(out, key);
    sb_adds(out, at + strlen("{key}"));
}

int template_bound_column(const tbinding *b, int var)
{
    return var >= 0 && (size_t)var < b->nvars ? b->col[var] : -1;
}

size_t template_var_count(const template *t)
{
    return t->nvars;
}

const char *template_join_key_column(const template *t, const tbinding *b)
{
    return t->ngroup ? template_column(b, t->group_vars[0]) : "";
}

int template_trow_depth(const template *t, const struct trow *row)
{
    int depth = 0;
    for (size_t i = 0; t->join && i < t->join->nchild; i++)
        depth += trow_get(row, t->join->child[i])[0] != '\0';
    return depth;
}

int template_join_depth(const template *t, const tbinding *b, const struct table_row *row)
{
    int depth = 0;
    for (size_t i = 0; t->join && i < t->join->nchild; i++) {
        int c = b->col[t->join->child[i]];
        depth += c >= 0 && (size_t)c < row->ncells && row->cells[c][0];
    }
    return depth;
}
