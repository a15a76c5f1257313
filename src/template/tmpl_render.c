/* tmpl_render — runs a compiled skeleton over the rows of one group. */
#include <stdio.h>
#include <string.h>

#include "base/guid.h"

#include "template/tmpl_internal.h"

void tmpl_run(const template *t, const struct prog *p, struct trow *const *rows, size_t nrows,
              const struct render_ctx *ctx, strbuf *out, size_t *holes, int escape)
{
    const struct trow *cur = nrows ? rows[0] : NULL;
    size_t idx = 0;
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
                /* {t:guid:NAME}: the same NAME and row of the element give the same GUID */
                char name[64], g[GUID_STRLEN + 1];
                snprintf(name, sizeof name, "%.*s", (int)o->len, text + o->off);
                guid_derive(ctx->tguid, name, (unsigned long)idx, g);
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
        case OP_IF:
            pc = (cur && tmpl_cond_holds(t, o->arg, cur)) ? pc + 1 : (size_t)o->jump;
            break;
        case OP_EACH:
            idx = 0;
            cur = nrows ? rows[0] : NULL;
            pc++;
            break;
        case OP_ENDEACH:
            if (++idx < nrows) {
                cur = rows[idx];
                pc = (size_t)o->jump;
            } else {
                cur = nrows ? rows[0] : NULL;
                idx = 0;
                pc++;
            }
            break;
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
