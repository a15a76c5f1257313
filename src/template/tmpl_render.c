/* tmpl_render — runs a compiled skeleton over the rows of one group.
 * t:each repeats its body for the group's rows; t:distinct="v" only for
 * the first row of each non-empty value of v, t:match="v" only for the
 * rows whose v equals the enclosing row's (a premises' rooms inside the
 * premises).  Repetitions nest up to EACH_DEPTH. */
#include <stdio.h>
#include <string.h>

#include "base/guid.h"

#include "template/tmpl_internal.h"

#define EACH_DEPTH 4

struct each_level {
    size_t idx;                  /* the row being written */
    const struct trow *outer;    /* the row outside this repetition */
    int distinct, match;         /* variable indices or -1 */
};

static int wanted(const struct each_level *L, struct trow *const *rows, size_t j)
{
    if (L->match >= 0 && (!L->outer || strcmp(trow_get(rows[j], L->match), trow_get(L->outer, L->match))))
        return 0;
    if (L->distinct < 0)
        return 1;
    const char *v = trow_get(rows[j], L->distinct);
    if (!*v)
        return 0;
    for (size_t k = 0; k < j; k++)
        if ((L->match < 0 || !strcmp(trow_get(rows[k], L->match), trow_get(L->outer, L->match))) &&
            !strcmp(trow_get(rows[k], L->distinct), v))
            return 0;
    return 1;
}

static size_t next_row(const struct each_level *L, struct trow *const *rows, size_t nrows, size_t from)
{
    while (from < nrows && !wanted(L, rows, from))
        from++;
    return from;
}

void tmpl_run(const template *t, const struct prog *p, struct trow *const *rows, size_t nrows,
              const struct render_ctx *ctx, strbuf *out, size_t *holes, int escape)
{
    const struct trow *cur = nrows ? rows[0] : NULL;
    struct each_level lv[EACH_DEPTH];
    int depth = 0;
    const char *text = sb_str(&p->text);
    for (size_t pc = 0; pc < p->n;) {
        const struct op *o = &p->ops[pc];
        switch (o->kind) {
        case OP_TEXT:
            sb_add(out, text + o->off, o->len);
            pc++;
            break;
        case OP_VAR: {
            const char *v = cur ? trow_get(cur, o->arg) : "";
            if (escape)
                sb_add_xml(out, v, strlen(v));
            else
                sb_adds(out, v);
            pc++;
            break;
        }
        case OP_TGUID:
            if (o->arg && ctx && ctx->tguid) {
                /* {t:guid:NAME}: the same NAME and row of the element give the
                 * same GUID (the row: the innermost repetition's, else the first) */
                char name[64], g[GUID_STRLEN + 1];
                snprintf(name, sizeof name, "%.*s", (int)o->len, text + o->off);
                guid_derive(ctx->tguid, name, (unsigned long)(depth ? lv[depth - 1].idx : 0), g);
                sb_adds(out, g);
            } else {
                sb_adds(out, ctx && ctx->tguid ? ctx->tguid : "");
            }
            pc++;
            break;
        case OP_SIDE:
            sb_adds(out, ctx && ctx->side_ref && cur ? ctx->side_ref(ctx->side_ctx, cur) : "");
            pc++;
            break;
        case OP_PART:
            sb_adds(out, ctx && ctx->part_ref && cur ? ctx->part_ref(ctx->part_ctx, o->arg, cur) : "");
            pc++;
            break;
        case OP_IF:
            pc = (cur && tmpl_cond_holds(t, o->arg, cur)) ? pc + 1 : (size_t)o->jump;
            break;
        case OP_EACH: {
            if (depth == EACH_DEPTH) {   /* deeper than the compiler allows: write nothing */
                pc = (size_t)o->jump;
                break;
            }
            struct each_level *L = &lv[depth];
            *L = (struct each_level){ 0, cur, o->arg, o->arg2 };
            size_t i = next_row(L, rows, nrows, 0);
            if (i >= nrows) {
                pc = (size_t)o->jump;
                break;
            }
            depth++;
            L->idx = i;
            cur = rows[i];
            pc++;
            break;
        }
        case OP_ENDEACH: {
            struct each_level *L = &lv[depth - 1];
            size_t i = next_row(L, rows, nrows, L->idx + 1);
            if (i < nrows) {
                L->idx = i;
                cur = rows[i];
                pc = (size_t)o->jump;
            } else {
                cur = L->outer;
                depth--;
                pc++;
            }
            break;
        }
        case OP_HOLE:
            if (holes)
                holes[o->arg] = out->len;
            pc++;
            break;
        default:
            pc++;
        }
    }
}
