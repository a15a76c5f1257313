/* template — loading a template folder, binding it to a file's header,
 * converting rows and rendering (see template.h). */
#include "template/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fsutil.h"
#include "base/guid.h"
#include "base/keynorm.h"
#include "base/xalloc.h"
#include "template/value.h"
#include "template/textfold.h"
#include "template/tmpl_internal.h"

void trow_free(struct trow *r)
{
    if (!r)
        return;
    free(r->off);
    free(r->buf);
    free(r);
}

void tproblems_add(struct tproblems *p, const char *column, const char *value, const char *reason)
{
    ARRAY_GROW(p->items, p->n, p->cap);
    p->items[p->n].column = xstrdup(column ? column : "");
    p->items[p->n].value = xstrdup(value ? value : "");
    p->items[p->n].reason = xstrdup(reason ? reason : "");
    p->n++;
}

void tproblems_clear(struct tproblems *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->items[i].column);
        free(p->items[i].value);
        free(p->items[i].reason);
    }
    free(p->items);
    memset(p, 0, sizeof *p);
}

int template_var_index(const template *t, const char *name)
{
    for (size_t i = 0; i < t->nvars; i++)
        if (!strcmp(t->vars[i].name, name))
            return (int)i;
    return -1;
}

void template_free(template *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nvars; i++) {
        struct tvar *v = &t->vars[i];
        free(v->name);
        for (size_t k = 0; k < v->nalts; k++) {
            free(v->alts[k].fold);
            free(v->alts[k].display);
        }
        free(v->alts);
        for (size_t k = 0; k < v->npairs; k++) {
            free(v->pairs[k].from);
            free(v->pairs[k].to);
        }
        free(v->pairs);
        free(v->def);
        free(v->required_when);
    }
    free(t->vars);
    for (size_t i = 0; i < t->nconds; i++) {
        for (size_t k = 0; k < t->conds[i].n; k++)
            free(t->conds[i].terms[k].value);
        free(t->conds[i].terms);
    }
    free(t->conds);
    for (size_t i = 0; i < t->ninfer; i++)
        free(t->infer[i].value);
    free(t->infer);
    for (size_t i = 0; i < t->nresolve; i++)
        free(t->resolve[i].kind);
    free(t->resolve);
    free(t->group_vars);
    for (int i = 0; i < 4; i++)
        prog_free(&t->fmt[i]);
    prog_free(&t->request);
    prog_free(&t->element);
    prog_free(&t->side);
    for (size_t i = 0; i < t->nparts; i++) {
        free(t->parts[i].kind);
        prog_free(&t->parts[i].key);
        prog_free(&t->parts[i].label);
    }
    free(t->parts);
    tmpl_join_free(t->join);
    free(t->elem_ns);
    free(t->elem_name);
    free(t->sheet);
    free(t->name);
    free(t->dir);
    nsi_set_free(t->nsi);
    tmpl_nsireg_free(t->nsireg);
    free(t->attach_context);
    free(t);
}

template *template_load(const char *dir, const hcs_config *cfg, hcs_err *err)
{
    char *map = path_join(dir, "map.ini");
    if (!file_exists(map)) {
        hcs_fail(err, HCS_EX_CONFIG, "%s: not a template folder (map.ini missing)", dir);
        free(map);
        return NULL;
    }
    template *t = xcalloc(1, sizeof *t);
    t->dir = xstrdup(dir);
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    char *trimmed = xstrndup(dir, dl);
    t->name = xstrdup(path_base(trimmed));
    free(trimmed);
    char *nsi_dir = cfg ? cfg_path(cfg, "paths.nsi_dir") : NULL;
    t->nsi = nsi_set_open(nsi_dir ? nsi_dir : "nsi");
    t->nsireg = tmpl_nsireg_new();
    free(nsi_dir);
    int rc = tmpl_load_map(t, map, cfg, err);
    free(map);
    char *req = path_join(dir, "request.xml"), *el = path_join(dir, "element.xml"),
         *side = path_join(dir, "side.xml");
    if (rc == 0)
        rc = tmpl_compile_xml(t, req, &t->request, 1, err);
    if (rc == 0)
        rc = tmpl_compile_xml(t, el, &t->element, 0, err);
    if (rc == 0 && file_exists(side)) {
        t->has_side_xml = 1;
        rc = tmpl_compile_xml(t, side, &t->side, 0, err);
    }
    if (rc == 0 && t->has_side_xml != t->has_fmt[TF_SIDE])
        rc = hcs_fail(err, HCS_EX_CONFIG, "%s: side.xml and [template] side_key go together", dir);
    free(req);
    free(el);
    free(side);
    if (rc < 0) {
        template_free(t);
        return NULL;
    }
    return t;
}

const char *template_name(const template *t) { return t->name; }
const struct gis_operation *template_operation(const template *t) { return t->op; }
int template_limit(const template *t) { return t->limit; }
int template_has_group(const template *t) { return t->ngroup > 0; }
int template_has_split(const template *t) { return t->has_fmt[TF_SPLIT]; }
int template_has_side(const template *t) { return t->has_side_xml; }
const char *template_sheet(const template *t) { return t->sheet; }
int template_has_files(const template *t) { return t->has_files; }
const char *template_attach_context(const template *t) { return t->attach_context; }
const char *template_element_ns(const template *t) { return t->elem_ns; }
const char *template_element_name(const template *t) { return t->elem_name; }

const char *template_part_kind(const template *t, int part)
{
    return part >= 0 && (size_t)part < t->nparts ? t->parts[part].kind : "";
}

void template_part_format(const template *t, int part, const struct trow *row, strbuf *key, strbuf *label)
{
    if (part < 0 || (size_t)part >= t->nparts)
        return;
    struct trow *rows[1] = { (struct trow *)row };
    const struct tpart *pt = &t->parts[part];
    tmpl_run(t, &pt->key, rows, 1, NULL, key, NULL, 0);
    if (pt->has_label)
        tmpl_run(t, &pt->label, rows, 1, NULL, label, NULL, 0);
    else
        sb_addf(label, "%s %s", pt->kind, sb_str(key));
}

int template_is_element(const template *t, const char *ns, const char *name)
{
    if (!t->elem_ns || strcmp(t->elem_ns, ns))
        return 0;
    size_t n = strlen(name);
    for (const char *p = t->elem_name; p && *p;) {
        size_t m = strcspn(p, " ");
        if (m == n && !strncmp(p, name, n))
            return 1;
        p += m;
        p += *p == ' ';
    }
    return 0;
}

void tbinding_free(tbinding *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->nvars; i++)
        free(b->header[i]);
    free(b->header);
    free(b->col);
    free(b->alt);
    free(b);
}

tbinding *template_bind(const template *t, const struct table_row *header, strbuf *unknown,
                        hcs_err *err)
{
    tbinding *b = xcalloc(1, sizeof *b);
    b->nvars = t->nvars;
    b->col = xcalloc(t->nvars, sizeof *b->col);
    b->alt = xcalloc(t->nvars, sizeof *b->alt);
    b->header = xcalloc(t->nvars, sizeof *b->header);
    char **folded = xcalloc(header->ncells + 1, sizeof *folded);
    char *used = xcalloc(header->ncells + 1, 1);
    for (size_t c = 0; c < header->ncells; c++)
        folded[c] = text_fold(header->cells[c], strlen(header->cells[c]));
    int rc = 0;
    for (size_t i = 0; i < t->nvars; i++) {
        const struct tvar *v = &t->vars[i];
        b->col[i] = -1;
        for (size_t a = 0; a < v->nalts && b->col[i] < 0; a++)
            for (size_t c = 0; c < header->ncells; c++)
                if (!strcmp(folded[c], v->alts[a].fold)) {
                    b->col[i] = (int)c;
                    b->alt[i] = (int)a;
                    used[c] = 1;
                    break;
                }
        if (b->col[i] >= 0) {
            size_t hl = strlen(header->cells[b->col[i]]);
            const char *hs = text_trim(header->cells[b->col[i]], &hl);
            b->header[i] = xstrndup(hs, hl);
        }
        else
            b->header[i] = xstrdup(v->nalts ? v->alts[0].display : v->name);
        if (b->col[i] < 0 && v->required && v->nalts && rc == 0) {
            strbuf names = STRBUF_INIT;
            for (size_t a = 0; a < v->nalts; a++) {
                if (a)
                    sb_adds(&names, "» или «");
                sb_adds(&names, v->alts[a].display);
            }
            rc = hcs_fail(err, HCS_EX_DATAERR, "в файле нет обязательной колонки «%s»", sb_str(&names));
            sb_free(&names);
        }
    }
    for (size_t c = 0; c < header->ncells; c++) {
        if (!used[c] && folded[c][0] && unknown) {
            if (unknown->len)
                sb_adds(unknown, ", ");
            sb_adds(unknown, header->cells[c]);
        }
        free(folded[c]);
    }
    free(folded);
    free(used);
    if (rc < 0) {
        tbinding_free(b);
        return NULL;
    }
    return b;
}

/* The cell of variable i, trimmed; word ranges ("ФИО[2]") cut out. */
static const char *cell_of(const template *t, const tbinding *b, const struct table_row *row,
                           size_t i, size_t *len, strbuf *tmp)
{
    int c = b->col[i];
    if (c < 0 || (size_t)c >= row->ncells) {
        *len = 0;
        return "";
    }
    const char *s = row->cells[c];
    size_t n = strlen(s);
    s = text_trim(s, &n);
    const struct header_alt *a = &t->vars[i].alts[b->alt[i]];
    if (!a->word_from) {
        *len = n;
        return s;
    }
    sb_reset(tmp);
    int word = 0;
    for (size_t k = 0; k < n;) {
        while (k < n && (s[k] == ' ' || s[k] == '\t'))
            k++;
        if (k >= n)
            break;
        size_t st = k;
        while (k < n && s[k] != ' ' && s[k] != '\t')
            k++;
        word++;
        if (word >= a->word_from && word <= a->word_to) {
            if (tmp->len)
                sb_addc(tmp, ' ');
            sb_add(tmp, s + st, k - st);
        }
    }
    *len = tmp->len;
    return sb_str(tmp);
}

void template_group_raw(const template *t, const tbinding *b, const struct table_row *row,
                        strbuf *out)
{
    strbuf tmp = STRBUF_INIT;
    int any = 0;
    for (size_t g = 0; g < t->ngroup; g++) {
        size_t n;
        const char *s = cell_of(t, b, row, (size_t)t->group_vars[g], &n, &tmp);
        if (n)
            any = 1;
        key_norm_add(out, s, n);      /* «{GUID}» and «guid» are one document */
        sb_addc(out, '\x1f');
    }
    if (!any)
        sb_reset(out);
    sb_free(&tmp);
}

/* Asks the registry for a [resolve] key once, as written (parts joined
 * with '|'): the resolver compares it in its comparison form and as
 * written (store_registry_find), in one lookup. */
static int resolve_key(const struct resolve_rule *rr, const char *const *parts,
                       template_resolve_fn resolve, void *rctx, char guid[37])
{
    if (!resolve)
        return 0;
    char small[512];
    size_t len = 0;
    for (int q = 0; q < rr->nkeys; q++)
        len += strlen(parts[q]) + 1;
    char *key = len <= sizeof small ? small : xmalloc(len);
    size_t at = 0;
    for (int q = 0; q < rr->nkeys; q++) {
        if (q)
            key[at++] = '|';
        size_t n = strlen(parts[q]);
        memcpy(key + at, parts[q], n);
        at += n;
    }
    key[at] = '\0';
    int r = resolve(rctx, rr->kind, key, guid);
    guid[36] = '\0';
    if (key != small)
        free(key);
    return r;
}

/* An unknown key rejects the row, naming the object in Russian. */
static void reject_unknown_key(const tbinding *b, const struct resolve_rule *rr,
                               const char *const *parts, struct tproblems *probs)
{
    strbuf why = STRBUF_INIT, cols = STRBUF_INIT, value = STRBUF_INIT;
    sb_adds(&why, "нет идентификатора ГИС: ");
    tmpl_key_phrase(rr->kind, parts, rr->nkeys, &why);
    sb_addf(&why, "; заполните колонку «%s» или сначала загрузите объект в ГИС",
            b->header[rr->var]);
    for (int q = 0; q < rr->nkeys; q++) {
        sb_addf(&cols, "%s%s", q ? " + " : "", b->header[rr->key_vars[q]]);
        sb_addf(&value, "%s%s", q ? "|" : "", parts[q]);
    }
    tproblems_add(probs, sb_str(&cols), sb_str(&value), sb_str(&why));
    sb_free(&why);
    sb_free(&cols);
    sb_free(&value);
}

/* 1 when the caller holds the key back (its object's own import failed):
 * the row's problem is the caller's reason. */
static int held_key(const tbinding *b, const struct resolve_rule *rr, const char *const *parts,
                    template_held_fn held, void *rctx, struct tproblems *probs)
{
    strbuf cols = STRBUF_INIT, value = STRBUF_INIT, norm = STRBUF_INIT;
    for (int q = 0; q < rr->nkeys; q++) {
        sb_addf(&cols, "%s%s", q ? " + " : "", b->header[rr->key_vars[q]]);
        sb_addf(&value, "%s%s", q ? "|" : "", parts[q]);
    }
    key_norm_add(&norm, sb_str(&value), value.len);
    const char *why = held(rctx, rr->kind, sb_str(&norm));
    if (why)
        tproblems_add(probs, sb_str(&cols), sb_str(&value), why);
    sb_free(&cols);
    sb_free(&value);
    sb_free(&norm);
    return why != NULL;
}

static size_t utf8_len(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            k++;
    return k;
}

/* The scratch buffer of one conversion: values appended, offsets per variable. */
struct scratch {
    strbuf sb;
    uint32_t *off;
};

static void set_val(struct scratch *s, int var, const char *v, size_t n)
{
    s->off[var] = (uint32_t)s->sb.len;
    sb_add(&s->sb, v, n);
    sb_addc(&s->sb, '\0');
}

static struct trow view(struct scratch *s, long rownum, int nvars)
{
    struct trow r = { rownum, nvars, s->off, s->sb.buf };
    return r;
}

static const char *sex_of(const char *f)
{
    static const char *m[] = { "м", "муж", "мужской", "m", "male" };
    static const char *w[] = { "ж", "жен", "женский", "f", "female" };
    for (size_t i = 0; i < 5; i++) {
        if (!strcmp(f, m[i]))
            return "M";
        if (!strcmp(f, w[i]))
            return "F";
    }
    return NULL;
}

/* Converts one non-empty value; 0 ok, 1 bad (reason in why), -1 fatal. */
static int convert_one(const template *t, int vi, const char *raw, struct scratch *s,
                       const struct tconvert_ctx *cx, char *why, size_t whyn, hcs_err *err)
{
    const struct tvar *v = &t->vars[vi];
    char out[256];
    const char *w = NULL;
    size_t n = strlen(raw);
    switch (v->conv) {
    case CV_TEXT:
    case CV_DERIVED:
        if (v->arg > 0 && utf8_len(raw, n) > (size_t)v->arg) {
            snprintf(why, whyn, "длиннее %d символов", v->arg);
            return 1;
        }
        set_val(s, vi, raw, n);
        return 0;
    case CV_DECIMAL:
    case CV_SDECIMAL:
        if (value_decimal(raw, v->arg, v->conv == CV_SDECIMAL, out, sizeof out, &w) < 0) {
            snprintf(why, whyn, "неверное число (%s)", w ? w : "");
            return 1;
        }
        break;
    case CV_KOPECKS:
        if (value_kopecks(raw, out, sizeof out, &w) < 0) {
            snprintf(why, whyn, "неверная сумма в рублях (%s)", w ? w : "");
            return 1;
        }
        break;
    case CV_INT:
        if (value_integer(raw, out, sizeof out, &w) < 0) {
            snprintf(why, whyn, "неверное целое число (%s)", w ? w : "");
            return 1;
        }
        break;
    case CV_DATE:
        if (value_date(raw, out, sizeof out, &w) < 0) {
            snprintf(why, whyn, "неверная дата, ожидается ДД.ММ.ГГГГ (%s)", w ? w : "");
            return 1;
        }
        break;
    case CV_PERIOD: {
        int m = 0, y = 0;
        if (value_period(raw, &m, &y, &w) < 0) {
            snprintf(why, whyn, "неверный период, ожидается ММ.ГГГГ (%s)", w ? w : "");
            return 1;
        }
        snprintf(out, sizeof out, "%04d-%02d", y, m);
        set_val(s, vi, out, strlen(out));
        snprintf(out, sizeof out, "%d", m);
        set_val(s, v->d1, out, strlen(out));
        snprintf(out, sizeof out, "%d", y);
        set_val(s, v->d2, out, strlen(out));
        return 0;
    }
    case CV_BOOL: {
        int b = 0;
        if (value_bool(raw, &b, &w) < 0) {
            snprintf(why, whyn, "ожидается да или нет");
            return 1;
        }
        snprintf(out, sizeof out, "%s", b ? "true" : "false");
        break;
    }
    case CV_GUID:
        if (guid_normalize(raw, out) < 0) {
            snprintf(why, whyn, "неверный идентификатор (GUID)");
            return 1;
        }
        break;
    case CV_SNILS:
        if (value_snils(raw, out, sizeof out, &w) < 0) {
            snprintf(why, whyn, "неверный СНИЛС (%s)", w ? w : "");
            return 1;
        }
        break;
    case CV_INN:
    case CV_OGRN:
    case CV_BIK:
    case CV_ACCOUNT: {
        /* their reasons name the number ("неверное контрольное число ИНН") */
        int (*const parse)(const char *, char *, size_t, const char **) =
            v->conv == CV_INN ? value_inn : v->conv == CV_OGRN ? value_ogrn
            : v->conv == CV_BIK ? value_bik : value_account;
        if (parse(raw, out, sizeof out, &w) < 0) {
            snprintf(why, whyn, "%s", w ? w : "");
            return 1;
        }
        break;
    }
    case CV_DIGITS: {
        size_t k = 0;
        for (size_t i = 0; i < n && k + 1 < sizeof out; i++) {
            if (raw[i] >= '0' && raw[i] <= '9')
                out[k++] = raw[i];
            else if (raw[i] != ' ' && raw[i] != '-') {
                snprintf(why, whyn, "допустимы только цифры");
                return 1;
            }
        }
        out[k] = '\0';
        if (v->arg > 0 && k != (size_t)v->arg) {
            snprintf(why, whyn, "нужно ровно %d цифр", v->arg);
            return 1;
        }
        break;
    }
    case CV_SEX: {
        char *f = text_fold(raw, n);
        const char *r = sex_of(f);
        free(f);
        if (!r) {
            snprintf(why, whyn, "пол: ожидается М или Ж");
            return 1;
        }
        snprintf(out, sizeof out, "%s", r);
        break;
    }
    case CV_ENUM: {
        char *f = text_fold(raw, n);
        const char *to = NULL;
        for (size_t i = 0; i < v->npairs && !to; i++)
            if (!strcmp(v->pairs[i].from, f))
                to = v->pairs[i].to;
        free(f);
        if (!to) {
            size_t k = (size_t)snprintf(why, whyn, "недопустимое значение; ожидается одно из:");
            for (size_t i = 0; i < v->npairs && k < whyn; i++)
                k += (size_t)snprintf(why + k, whyn - k, "%s %s", i ? "," : "", v->pairs[i].from);
            return 1;
        }
        set_val(s, vi, to, strlen(to));
        return 0;
    }
    case CV_FILE: {
        /* the path as written; the upload comes after the whole row converted */
        if (n > 1024) {
            snprintf(why, whyn, "слишком длинный путь к файлу");
            return 1;
        }
        set_val(s, vi, raw, n);
        const char *base = raw + n;
        while (base > raw && base[-1] != '/' && base[-1] != '\\')
            base--;
        set_val(s, v->d3, base, strlen(base));
        return 0;
    }
    case CV_NSI: {
        /* synced НСИ first; the dictionary files are the offline fallback */
        char code[37], guid[37];
        int rc = tmpl_nsi_from_registry(t->nsireg, cx->resolve, cx->resolve_ctx, v->arg, raw, code, guid);
        if (rc < 0)
            return hcs_fail(err, HCS_EX_SOFTWARE, "registry lookup failed for НСИ %d %s", v->arg, raw);
        if (rc > 0) {
            set_val(s, vi, code, strlen(code));
            set_val(s, v->d1, guid, strlen(guid));
            set_val(s, v->d2, raw, strlen(raw));
            return 0;
        }
        const struct nsi_item *it = NULL;
        rc = nsi_lookup(t->nsi, v->arg, raw, &it, err);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            snprintf(why, whyn, "значения нет в справочнике НСИ %d", v->arg);
            return 1;
        }
        set_val(s, vi, it->code, strlen(it->code));
        set_val(s, v->d1, it->guid, strlen(it->guid));
        set_val(s, v->d2, it->name, strlen(it->name));
        return 0;
    }
    }
    set_val(s, vi, out, strlen(out));
    return 0;
}

/* account:bik — an account whose value and БИК both converted is checked
 * against that БИК's control key (a value that failed is empty here, so a
 * bad БИК is reported once, in its own column); 1 when the row is rejected. */
static int check_account_keys(const template *t, const tbinding *b, const struct scratch *s,
                              struct tproblems *probs)
{
    int bad = 0;
    for (size_t i = 0; i < t->nvars; i++) {
        const struct tvar *v = &t->vars[i];
        if (v->conv != CV_ACCOUNT || v->arg < 0)
            continue;
        const char *account = s->sb.buf + s->off[i], *bik = s->sb.buf + s->off[v->arg];
        if (!account[0] || !bik[0] || value_account_matches_bik(account, bik))
            continue;
        char *why = xasprintf("счёт не сходится с БИК %s (неверный контрольный ключ)", bik);
        tproblems_add(probs, b->header[i], account, why);
        free(why);
        bad = 1;
    }
    return bad;
}

int template_convert(const template *t, const tbinding *b, const struct table_row *row,
                     template_resolve_fn resolve, void *rctx, struct trow **out,
                     struct tproblems *probs, hcs_err *err)
{
    struct tconvert_ctx cx = { .resolve = resolve, .resolve_ctx = rctx };
    return template_convert_with(t, b, row, &cx, out, probs, err);
}

/* Uploads the files a good row names; 0 ok, 1 a file refused (probs), -1 fatal. */
static int attach_files(const template *t, const tbinding *b, const struct tconvert_ctx *cx,
                        struct scratch *s, struct tproblems *probs, hcs_err *err)
{
    int bad = 0;
    for (size_t i = 0; i < t->nvars; i++) {
        const struct tvar *v = &t->vars[i];
        const char *cell = s->sb.buf + s->off[i];
        if (v->conv != CV_FILE || !cell[0])
            continue;
        char *path = xstrdup(cell);   /* set_val may move the buffer */
        char guid[37] = "", hash[65] = "";
        hcs_err aerr = { 0 };
        int r = cx->attach ? cx->attach(cx->attach_ctx, cx->input_file ? cx->input_file : "", path, guid,
                                        hash, &aerr)
                           : hcs_fail(&aerr, HCS_EX_DATAERR, "загрузка файлов не настроена (нужен [gis] base_url, "
                                                      "а convert --no-upload файлы не загружает)");
        if (r < 0 && aerr.code != HCS_EX_DATAERR && aerr.code != HCS_EX_NOINPUT) {
            hcs_fail(err, aerr.code ? aerr.code : HCS_EX_SOFTWARE, "file %s: %s", path, aerr.msg);
            free(path);
            return -1;
        }
        if (r < 0) {
            char *why = xasprintf("файл не загружен в ГИС ЖКХ: %s", aerr.msg);
            tproblems_add(probs, b->header[i], path, why);
            free(why);
            bad = 1;
        } else {
            guid[36] = '\0';
            hash[64] = '\0';
            set_val(s, v->d1, guid, strlen(guid));
            set_val(s, v->d2, hash, strlen(hash));
        }
        free(path);
    }
    return bad;
}

int template_convert_with(const template *t, const tbinding *b, const struct table_row *row,
                          const struct tconvert_ctx *cx, struct trow **out, struct tproblems *probs,
                          hcs_err *err)
{
    template_resolve_fn resolve = cx->resolve;
    void *rctx = cx->resolve_ctx;
    *out = NULL;
    int nv = (int)t->nvars;
    struct scratch s = { STRBUF_INIT, xcalloc((size_t)nv, sizeof(uint32_t)) };
    sb_grow(&s.sb, 512);
    sb_addc(&s.sb, '\0');             /* offset 0 = "" for every empty variable */
    char *failed = xcalloc((size_t)nv, 1);
    strbuf tmp = STRBUF_INIT;
    int bad = 0, rc = 0;
    char why[512];
    for (int i = 0; i < nv && rc >= 0; i++) {
        const struct tvar *v = &t->vars[i];
        if (v->conv == CV_DERIVED && !v->nalts)
            continue;
        if (v->when >= 0) {
            struct trow vw = view(&s, row->row, nv);
            if (!tmpl_cond_holds(t, v->when, &vw))
                continue;
        }
        size_t n;
        const char *raw = cell_of(t, b, row, (size_t)i, &n, &tmp);
        if (!n && (!v->def || !v->def[0]))
            continue;                          /* empty: offset 0 is "" already */
        char small[256];
        char *val;
        if (!n) {
            val = v->def;
        } else if (n < sizeof small) {
            memcpy(small, raw, n);
            small[n] = '\0';
            val = small;
        } else {
            val = xstrndup(raw, n);
        }
        {
            int r = convert_one(t, i, val, &s, cx, why, sizeof why, err);
            if (r < 0)
                rc = -1;
            else if (r > 0) {
                tproblems_add(probs, b->header[i], val, why);
                failed[i] = 1;
                bad = 1;
            }
        }
        if (val != small && val != v->def)
            free(val);
    }
    if (rc >= 0 && check_account_keys(t, b, &s, probs))
        bad = 1;
    for (size_t k = 0; k < t->nresolve && rc >= 0; k++) {
        const struct resolve_rule *rr = &t->resolve[k];
        const char *parts[4];
        int empty = 0;
        for (int q = 0; q < rr->nkeys; q++) {
            parts[q] = s.sb.buf + s.off[rr->key_vars[q]];
            empty |= !parts[q][0];
        }
        /* An object whose own import failed: the row names it and is held
         * back, even when it gives the GIS id itself (held_key). */
        if (!empty && cx->held && held_key(b, rr, parts, cx->held, rctx, probs)) {
            failed[rr->var] = 1;
            bad = 1;
            continue;
        }
        if (empty || s.sb.buf[s.off[rr->var]] != '\0')
            continue;
        char guid[37] = "";
        int r = resolve_key(rr, parts, resolve, rctx, guid);
        if (r < 0) {
            rc = hcs_fail(err, HCS_EX_SOFTWARE, "registry lookup failed for %s %s", rr->kind, parts[0]);
        } else if (r == 0 && rr->optional) {
            /* enrichment only: the row goes on without it */
        } else if (r == 0) {
            reject_unknown_key(b, rr, parts, probs);
            failed[rr->var] = 1;
            bad = 1;
        } else {
            set_val(&s, rr->var, guid, strlen(guid));
        }
    }
    for (size_t k = 0; k < t->ninfer && rc >= 0; k++) {
        const struct infer_rule *ir = &t->infer[k];
        struct trow vw = view(&s, row->row, nv);
        if (s.sb.buf[s.off[ir->var]] == '\0' && tmpl_cond_holds(t, ir->cond, &vw))
            set_val(&s, ir->var, ir->value, strlen(ir->value));
    }
    for (int i = 0; i < nv && rc >= 0; i++) {
        const struct tvar *v = &t->vars[i];
        if (failed[i] || s.sb.buf[s.off[i]] != '\0')
            continue;
        struct trow vw = view(&s, row->row, nv);
        int need = v->required;
        /* conditional requirements only on rows whose values all converted:
         * a bad value must not also be reported as a missing companion */
        for (size_t k = 0; k < v->nwhen && !need && !bad; k++)
            need = tmpl_cond_holds(t, v->required_when[k], &vw);
        if (need) {
            tproblems_add(probs, b->header[i], "", "не заполнено обязательное поле");
            bad = 1;
        }
    }
    free(failed);
    sb_free(&tmp);
    /* files last: nothing is uploaded for a row that is rejected anyway */
    if (rc >= 0 && !bad && t->has_files) {
        int r = attach_files(t, b, cx, &s, probs, err);
        if (r < 0)
            rc = -1;
        else if (r > 0)
            bad = 1;
    }
    if (rc < 0 || bad) {
        sb_free(&s.sb);
        free(s.off);
        return rc < 0 ? -1 : 1;
    }
    struct trow *r = xmalloc(sizeof *r);
    r->row = row->row;
    r->nvars = nv;
    r->off = s.off;
    r->buf = sb_detach(&s.sb, NULL);
    *out = r;
    return 0;
}

int template_check_same(const template *t, struct trow *const *rows, size_t nrows,
                        size_t *row_index)
{
    for (size_t i = 0; i < t->nvars; i++) {
        if (!t->vars[i].same)
            continue;
        const char *first = trow_get(rows[0], (int)i);
        for (size_t k = 1; k < nrows; k++)
            if (strcmp(first, trow_get(rows[k], (int)i))) {
                *row_index = k;
                return (int)i;
            }
    }
    return -1;
}

const char *template_column(const tbinding *b, int var)
{
    return var >= 0 && (size_t)var < b->nvars ? b->header[var] : "";
}

void template_format(const template *t, enum tfmt which, const struct trow *row, strbuf *out)
{
    if (!t->has_fmt[which])
        return;
    struct trow *rows[1] = { (struct trow *)row };
    tmpl_run(t, &t->fmt[which], rows, 1, NULL, out, NULL, 0);
}

void template_render_element(const template *t, struct trow *const *rows, size_t nrows,
                             const struct render_ctx *ctx, strbuf *out)
{
    tmpl_run(t, &t->element, rows, nrows, ctx, out, NULL, 1);
}

void template_render_side(const template *t, const struct trow *row, const char *tguid,
                          strbuf *out)
{
    struct render_ctx ctx = { .tguid = tguid };
    struct trow *rows[1] = { (struct trow *)row };
    tmpl_run(t, &t->side, rows, 1, &ctx, out, NULL, 1);
}

void template_render_request(const template *t, const struct trow *row, const char *tguid,
                             strbuf pieces[3])
{
    strbuf all = STRBUF_INIT;
    size_t holes[2] = { (size_t)-1, (size_t)-1 };
    struct trow *rows[1] = { (struct trow *)row };
    struct render_ctx ctx = { .tguid = tguid };
    tmpl_run(t, &t->request, rows, 1, &ctx, &all, holes, 1);
    size_t h1 = holes[1], h0 = holes[0] == (size_t)-1 ? h1 : holes[0];
    const char *s = sb_str(&all);
    for (int i = 0; i < 3; i++)
        sb_reset(&pieces[i]);
    sb_add(&pieces[0], s, h0);
    sb_add(&pieces[1], s + h0, h1 - h0);
    sb_add(&pieces[2], s + h1, all.len - h1);
    sb_free(&all);
}
