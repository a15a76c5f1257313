/* tmpl_map — reads map.ini: [template] (operation, limit, keys),
 * [columns] (variable = headers | converter | flags), [infer], [resolve].
 * Conditions ("a,!b,c=x,d!=y": all must hold) are parsed here too. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <iniparser.h>

#include "base/xalloc.h"
#include "template/textfold.h"
#include "template/tmpl_internal.h"

/* iniparser keeps a section as a key without a value: a [columns:x]
 * section shows among the keys of [columns] and reads as NULL.  Every
 * value here goes through this, so such a key reads as def. */
static const char *ini_str(const dictionary *d, const char *key, const char *def)
{
    const char *v = iniparser_getstring(d, key, def);
    return v ? v : def;
}

static char *trimdup(const char *s, size_t n)
{
    const char *p = text_trim(s, &n);
    return xstrndup(p, n);
}

int tmpl_add_var(template *t, const char *name)
{
    for (size_t i = 0; i < t->nvars; i++)
        if (!strcmp(t->vars[i].name, name))
            return (int)i;
    ARRAY_GROW(t->vars, t->nvars, t->vcap);
    struct tvar *v = &t->vars[t->nvars];
    memset(v, 0, sizeof *v);
    v->name = xstrdup(name);
    v->conv = CV_TEXT;
    v->d1 = v->d2 = v->d3 = -1;
    v->when = -1;
    return (int)t->nvars++;
}

static int find_var(const template *t, const char *name)
{
    for (size_t i = 0; i < t->nvars; i++)
        if (!strcmp(t->vars[i].name, name))
            return (int)i;
    return -1;
}

int tmpl_parse_cond(template *t, const char *expr, hcs_err *err)
{
    struct cond c = { 0 };
    size_t cap = 0;
    char *copy = xstrdup(expr), *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        size_t n = strlen(tok);
        char *term = trimdup(tok, n);
        struct term tm = { .var = -1 };
        char *name = term;
        char *eq = strchr(term, '=');
        if (eq) {
            tm.op = (eq > term && eq[-1] == '!') ? 2 : 1;
            if (tm.op == 2)
                eq[-1] = '\0';
            *eq = '\0';
            size_t vl = strlen(eq + 1);
            tm.value = trimdup(eq + 1, vl);
        } else if (*name == '!') {
            tm.neg = 1;
            name++;
        }
        size_t nl = strlen(name);
        char *nm = trimdup(name, nl);
        tm.var = find_var(t, nm);
        if (tm.var < 0) {
            hcs_fail(err, HCS_EX_CONFIG, "condition \"%s\": unknown variable %s", expr, nm);
            free(nm);
            free(term);
            free(tm.value);
            free(copy);
            for (size_t i = 0; i < c.n; i++)
                free(c.terms[i].value);
            free(c.terms);
            return -1;
        }
        free(nm);
        free(term);
        ARRAY_GROW(c.terms, c.n, cap);
        c.terms[c.n++] = tm;
    }
    free(copy);
    ARRAY_GROW(t->conds, t->nconds, t->ccap);
    t->conds[t->nconds] = c;
    return (int)t->nconds++;
}

int tmpl_cond_holds(const template *t, int cond, const struct trow *row)
{
    const struct cond *c = &t->conds[cond];
    for (size_t i = 0; i < c->n; i++) {
        const struct term *tm = &c->terms[i];
        const char *v = trow_get(row, tm->var);
        int ok;
        if (tm->op == 0)
            ok = tm->neg ? v[0] == '\0' : v[0] != '\0';
        else {
            int same = strcmp(v, tm->value) == 0;
            ok = tm->op == 1 ? same : !same;
        }
        if (!ok)
            return 0;
    }
    return 1;
}

/* "Фамилия / ФИО[1]" → alternatives. */
static void parse_headers(struct tvar *v, const char *s)
{
    const char *p = s;
    size_t cap = 0;
    while (*p) {
        const char *sep = strstr(p, " / ");
        size_t n = sep ? (size_t)(sep - p) : strlen(p);
        char *h = trimdup(p, n);
        struct header_alt a = { 0 };
        size_t hl = strlen(h);
        if (hl > 2 && h[hl - 1] == ']') {
            char *br = strrchr(h, '[');
            if (br) {
                int from = 0, plus = 0;
                char tail = 0;
                if (sscanf(br + 1, "%d%c", &from, &tail) >= 1 && from > 0) {
                    plus = tail == '+';
                    a.word_from = from;
                    a.word_to = plus ? 1000 : from;
                    *br = '\0';
                }
            }
        }
        if (*h) {
            a.fold = text_fold(h, strlen(h));
            a.display = xstrdup(h);
            ARRAY_GROW(v->alts, v->nalts, cap);
            v->alts[v->nalts++] = a;
        }
        free(h);
        p += n;
        if (sep)
            p += 3;
    }
}

static int parse_converter(template *t, int vi, const char *s, hcs_err *err)
{
    struct tvar *v = &t->vars[vi];
    const char *colon = strchr(s, ':');
    size_t kl = colon ? (size_t)(colon - s) : strlen(s);
    const char *arg = colon ? colon + 1 : NULL;
    static const struct { const char *name; enum conv_kind kind; int def; } kinds[] = {
        { "text", CV_TEXT, 0 }, { "decimal", CV_DECIMAL, -1 }, { "sdecimal", CV_SDECIMAL, -1 },
        { "int", CV_INT, 0 }, { "date", CV_DATE, 0 }, { "period", CV_PERIOD, 0 },
        { "bool", CV_BOOL, 0 }, { "guid", CV_GUID, 0 }, { "snils", CV_SNILS, 0 },
        { "sex", CV_SEX, 0 }, { "enum", CV_ENUM, 0 }, { "nsi", CV_NSI, 0 },
        { "digits", CV_DIGITS, 0 }, { "file", CV_FILE, 0 }, { "inn", CV_INN, 0 },
        { "ogrn", CV_OGRN, 0 }, { "bik", CV_BIK, 0 }, { "account", CV_ACCOUNT, -1 },
        { "kopecks", CV_KOPECKS, 0 },
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strlen(kinds[i].name) != kl || strncmp(kinds[i].name, s, kl))
            continue;
        v->conv = kinds[i].kind;
        v->arg = kinds[i].def;
        if (v->conv == CV_ENUM) {
            if (!arg)
                return hcs_fail(err, HCS_EX_CONFIG, "variable %s: enum needs values (enum:a=X,b=Y)", v->name);
            char *copy = xstrdup(arg), *save = NULL;
            size_t cap = 0;
            for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
                char *eq = strchr(p, '=');
                if (!eq) {
                    /* p points into copy: the message is made before copy goes */
                    hcs_fail(err, HCS_EX_CONFIG, "variable %s: enum item \"%s\" lacks =", v->name, p);
                    free(copy);
                    return -1;
                }
                ARRAY_GROW(v->pairs, v->npairs, cap);
                v->pairs[v->npairs].from = text_fold(p, (size_t)(eq - p));
                v->pairs[v->npairs].to = trimdup(eq + 1, strlen(eq + 1));
                v->npairs++;
            }
            free(copy);
        } else if (v->conv == CV_ACCOUNT && arg) {
            free(v->arg_name);
            v->arg_name = trimdup(arg, strlen(arg));   /* may name a later column */
        } else if (arg) {
            char *end = NULL;
            long n = strtol(arg, &end, 10);
            if (end == arg || *end)
                return hcs_fail(err, HCS_EX_CONFIG, "variable %s: bad converter argument \"%s\"", v->name, arg);
            v->arg = (int)n;
        } else if (v->conv == CV_NSI) {
            return hcs_fail(err, HCS_EX_CONFIG, "variable %s: nsi needs a registry number (nsi:2)", v->name);
        }
        char dn[256];
        if (v->conv == CV_NSI || v->conv == CV_PERIOD) {
            const char *s1 = v->conv == CV_NSI ? "guid" : "month";
            const char *s2 = v->conv == CV_NSI ? "name" : "year";
            char *base = xstrdup(v->name);
            snprintf(dn, sizeof dn, "%s_%s", base, s1);
            int d1 = tmpl_add_var(t, dn);
            snprintf(dn, sizeof dn, "%s_%s", base, s2);
            int d2 = tmpl_add_var(t, dn);
            free(base);
            t->vars[d1].conv = t->vars[d2].conv = CV_DERIVED;
            t->vars[vi].d1 = d1;
            t->vars[vi].d2 = d2;
        }
        if (t->vars[vi].conv == CV_FILE) {
            /* the AttachmentType parts, filled when the file is uploaded */
            static const char *suffix[3] = { "guid", "hash", "name" };
            int d[3];
            char *base = xstrdup(v->name);
            for (int k = 0; k < 3; k++) {
                snprintf(dn, sizeof dn, "%s_%s", base, suffix[k]);
                d[k] = tmpl_add_var(t, dn);
                t->vars[d[k]].conv = CV_DERIVED;
            }
            free(base);
            t->vars[vi].d1 = d[0];
            t->vars[vi].d2 = d[1];
            t->vars[vi].d3 = d[2];
            t->has_files = 1;
        }
        return 0;
    }
    return hcs_fail(err, HCS_EX_CONFIG, "variable %s: unknown converter \"%s\"", v->name, s);
}

static char **split_fields(const char *s, int *n)
{
    char **f = xcalloc(3, sizeof *f);
    int k = 0;
    const char *p = s;
    while (k < 3) {
        const char *bar = k < 2 ? strchr(p, '|') : NULL;
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        f[k++] = trimdup(p, len);
        if (!bar)
            break;
        p = bar + 1;
    }
    *n = k;
    return f;
}

/* account:NAME → the index of the БИК variable NAME; every arg_name freed. */
static int resolve_account_biks(template *t, int rc, hcs_err *err)
{
    for (size_t i = 0; i < t->nvars; i++) {
        struct tvar *v = &t->vars[i];
        if (!v->arg_name)
            continue;
        int bik = find_var(t, v->arg_name);
        if (rc == 0 && (bik < 0 || t->vars[bik].conv != CV_BIK))
            rc = hcs_fail(err, HCS_EX_CONFIG, "%s/map.ini: variable %s: account:%s must name a bik column",
                          t->dir, v->name, v->arg_name);
        v->arg = bik;
        free(v->arg_name);
        v->arg_name = NULL;
    }
    return rc;
}

#define PENDING_ONLY 4096   /* second half of the pending array: "when:" conditions */

static void replace_str(char **slot, const char *s)
{
    free(*slot);
    *slot = xstrdup(s);
}

static int parse_flags(template *t, int vi, const char *flags, const hcs_config *cfg,
                       char ***pending_when, hcs_err *err)
{
    char *copy = xstrdup(flags), *save = NULL;
    for (char *p = strtok_r(copy, " \t", &save); p; p = strtok_r(NULL, " \t", &save)) {
        if (!strcmp(p, "required"))
            t->vars[vi].required = 1;
        else if (!strcmp(p, "same"))
            t->vars[vi].same = 1;
        else if (!strncmp(p, "required_when:", 14))
            replace_str(&(*pending_when)[vi], p + 14);       /* the last one given wins */
        else if (!strncmp(p, "when:", 5))
            replace_str(&(*pending_when)[vi + PENDING_ONLY], p + 5);
        else if (!strncmp(p, "default:", 8)) {
            const char *d = p + 8;
            if (*d == '@') {
                if (!cfg_key_known(d + 1)) {
                    /* asking cfg for a key it does not document aborts */
                    hcs_fail(err, HCS_EX_CONFIG, "variable %s: default:@%s is not a configuration key "
                             "(see docs/config.md)", t->vars[vi].name, d + 1);
                    free(copy);
                    return -1;
                }
                const char *cv = cfg ? cfg_str(cfg, d + 1) : NULL;
                d = cv ? cv : "";
            }
            replace_str(&t->vars[vi].def, d);
        } else {
            /* p points into copy: the message is made before copy goes */
            hcs_fail(err, HCS_EX_CONFIG, "variable %s: unknown flag \"%s\"", t->vars[vi].name, p);
            free(copy);
            return -1;
        }
    }
    free(copy);
    return 0;
}

static int valid_name(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_'))
            return 0;
    return 1;
}

static int load_columns(template *t, dictionary *d, const hcs_config *cfg, hcs_err *err)
{
    int nk = iniparser_getsecnkeys(d, "columns");
    if (nk <= 0)
        return hcs_fail(err, HCS_EX_CONFIG, "%s/map.ini: [columns] is empty", t->dir);
    const char **keys = xcalloc((size_t)nk, sizeof *keys);
    iniparser_getseckeys(d, "columns", keys);
    /* Variables first (conditions may name later ones), then their flags. */
    char **when = xcalloc(2 * PENDING_ONLY, sizeof *when);
    int rc = 0;
    for (int i = 0; i < nk && rc == 0; i++) {
        const char *name = keys[i] + strlen("columns:");
        if (!valid_name(name)) {
            rc = hcs_fail(err, HCS_EX_CONFIG, "%s/map.ini: variable name \"%s\": use a-z, 0-9, _",
                          t->dir, name);
            break;
        }
        int nf = 0;
        char **f = split_fields(ini_str(d, keys[i], ""), &nf);
        int vi = tmpl_add_var(t, name);
        parse_headers(&t->vars[vi], f[0]);
        if (nf > 1 && f[1][0])
            rc = parse_converter(t, vi, f[1], err);
        if (rc == 0 && nf > 2 && f[2][0]) {
            if (vi >= PENDING_ONLY)
                rc = hcs_fail(err, HCS_EX_CONFIG, "too many variables");
            else
                rc = parse_flags(t, vi, f[2], cfg, &when, err);
        }
        for (int k = 0; k < nf; k++)
            free(f[k]);
        free(f);
    }
    for (size_t i = 0; i < t->nvars && rc == 0; i++)
        if (when[i]) {
            char *save = NULL;
            size_t cap = 0;
            for (char *alt = strtok_r(when[i], "|", &save); alt && rc == 0; alt = strtok_r(NULL, "|", &save)) {
                int c = tmpl_parse_cond(t, alt, err);
                if (c < 0) {
                    rc = hcs_err_wrap(err, "%s/map.ini: %s", t->dir, t->vars[i].name);
                    break;
                }
                ARRAY_GROW(t->vars[i].required_when, t->vars[i].nwhen, cap);
                t->vars[i].required_when[t->vars[i].nwhen++] = c;
            }
        }
    for (size_t i = 0; i < t->nvars && i < PENDING_ONLY && rc == 0; i++)
        if (when[i + PENDING_ONLY]) {
            int c = tmpl_parse_cond(t, when[i + PENDING_ONLY], err);
            if (c < 0)
                rc = hcs_err_wrap(err, "%s/map.ini: %s", t->dir, t->vars[i].name);
            else
                t->vars[i].when = c;
        }
    for (int i = 0; i < 2 * PENDING_ONLY; i++)
        free(when[i]);
    free(when);
    free(keys);
    return resolve_account_biks(t, rc, err);
}

/* [parts] KIND = key format, KIND_label = label format: the nested objects
 * element.xml gives TransportGUIDs of their own with {t:part:KIND}. */
static int load_parts(template *t, dictionary *d, hcs_err *err)
{
    int nk = iniparser_getsecnkeys(d, "parts");
    if (nk <= 0)
        return 0;
    const char **keys = xcalloc((size_t)nk, sizeof *keys);
    iniparser_getseckeys(d, "parts", keys);
    int rc = 0;
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        for (int i = 0; i < nk && rc == 0; i++) {
            const char *name = keys[i] + strlen("parts:");
            size_t n = strlen(name);
            int is_label = n > 6 && !strcmp(name + n - 6, "_label");
            if (is_label != pass)
                continue;
            const char *fmt = ini_str(d, keys[i], "");
            struct tpart *pt = NULL;
            if (!is_label) {
                t->parts = xrealloc(t->parts, (t->nparts + 1) * sizeof *t->parts);
                pt = &t->parts[t->nparts++];
                memset(pt, 0, sizeof *pt);
                pt->kind = xstrdup(name);
                rc = tmpl_compile_text(t, fmt, &pt->key, 0, err);
            } else {
                for (size_t k = 0; k < t->nparts; k++)
                    if (strlen(t->parts[k].kind) == n - 6 && !strncmp(t->parts[k].kind, name, n - 6))
                        pt = &t->parts[k];
                if (!pt)
                    rc = hcs_fail(err, HCS_EX_CONFIG, "%s/map.ini [parts]: %s names no part", t->dir, name);
                else if ((rc = tmpl_compile_text(t, fmt, &pt->label, 0, err)) == 0)
                    pt->has_label = 1;
            }
            if (rc < 0)
                hcs_err_wrap(err, "%s/map.ini [parts] %s", t->dir, name);
        }
    }
    free(keys);
    return rc;
}

/* [infer] var = value if cond | value if cond … */
static int load_infer(template *t, dictionary *d, hcs_err *err)
{
    int nk = iniparser_getsecnkeys(d, "infer");
    if (nk <= 0)
        return 0;
    const char **keys = xcalloc((size_t)nk, sizeof *keys);
    iniparser_getseckeys(d, "infer", keys);
    int rc = 0;
    for (int i = 0; i < nk && rc == 0; i++) {
        int var = tmpl_add_var(t, keys[i] + strlen("infer:"));
        char *copy = xstrdup(ini_str(d, keys[i], "")), *save = NULL;
        for (char *alt = strtok_r(copy, "|", &save); alt && rc == 0; alt = strtok_r(NULL, "|", &save)) {
            char *ifp = strstr(alt, " if ");
            if (!ifp) {
                rc = hcs_fail(err, HCS_EX_CONFIG, "%s/map.ini [infer]: \"%s\": expected VALUE if CONDITION",
                              t->dir, alt);
                break;
            }
            *ifp = '\0';
            int c = tmpl_parse_cond(t, ifp + 4, err);
            if (c < 0) {
                rc = -1;
                break;
            }
            ARRAY_GROW(t->infer, t->ninfer, t->icap);
            t->infer[t->ninfer].var = var;
            t->infer[t->ninfer].value = trimdup(alt, strlen(alt));
            t->infer[t->ninfer].cond = c;
            t->ninfer++;
        }
        free(copy);
    }
    free(keys);
    return rc;
}

/* One alternative "KIND from VAR[,VAR…] [optional]" of a [resolve] line. */
static int parse_resolve_alt(template *t, const char *name, const char *alt, struct resolve_rule *rr,
                             hcs_err *err)
{
    char kind[64], key[256], opt[32] = "", extra[8];
    int nf = sscanf(alt, "%63s from %255s %31s %7s", kind, key, opt, extra);
    if (nf < 2 || nf > 3 || (nf == 3 && strcmp(opt, "optional")))
        return hcs_fail(err, HCS_EX_CONFIG, "%s/map.ini [resolve] %s: expected KIND from VARIABLE[,VARIABLE…]"
                        " [optional] [| KIND from …]", t->dir, name);
    *rr = (struct resolve_rule){ .var = find_var(t, name), .nkeys = 0, .optional = nf == 3 };
    if (rr->var < 0)
        return hcs_fail(err, HCS_EX_CONFIG, "%s/map.ini [resolve] %s: unknown variable", t->dir, name);
    char *save = NULL;
    for (char *k = strtok_r(key, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
        int kv = find_var(t, k);
        if (kv < 0 || rr->nkeys == 4)
            return hcs_fail(err, HCS_EX_CONFIG, "%s/map.ini [resolve] %s: unknown variable %s", t->dir, name, k);
        rr->key_vars[rr->nkeys++] = kv;
    }
    rr->kind = xstrdup(kind);
    return 0;
}

/* [resolve] var = KIND from VAR[,VAR…] [optional] [| KIND from … ]: the
 * alternatives are tried in order (all but the last count as optional),
 * as consecutive rules: a rule is skipped once its variable is filled. */
static int load_resolve(template *t, dictionary *d, hcs_err *err)
{
    int nk = iniparser_getsecnkeys(d, "resolve");
    if (nk <= 0)
        return 0;
    const char **keys = xcalloc((size_t)nk, sizeof *keys);
    iniparser_getseckeys(d, "resolve", keys);
    int rc = 0;
    for (int i = 0; i < nk && rc == 0; i++) {
        const char *name = keys[i] + strlen("resolve:");
        char *line = xstrdup(ini_str(d, keys[i], "")), *save = NULL;
        for (char *alt = strtok_r(line, "|", &save); alt && rc == 0; alt = strtok_r(NULL, "|", &save)) {
            struct resolve_rule rr;
            if ((rc = parse_resolve_alt(t, name, alt, &rr, err)) < 0)
                break;
            rr.optional |= save && *save;   /* more alternatives follow */
            ARRAY_GROW(t->resolve, t->nresolve, t->rcap);
            t->resolve[t->nresolve++] = rr;
        }
        free(line);
    }
    free(keys);
    return rc;
}

static int load_group(template *t, const char *spec, hcs_err *err)
{
    char *copy = xstrdup(spec), *save = NULL;
    size_t cap = 0;
    for (char *p = strtok_r(copy, ", {}", &save); p; p = strtok_r(NULL, ", {}", &save)) {
        int v = find_var(t, p);
        if (v < 0) {
            /* p points into copy: the message is made before copy goes */
            hcs_fail(err, HCS_EX_CONFIG, "%s/map.ini: group: unknown variable %s", t->dir, p);
            free(copy);
            return -1;
        }
        ARRAY_GROW(t->group_vars, t->ngroup, cap);
        t->group_vars[t->ngroup++] = v;
    }
    free(copy);
    return 0;
}

int tmpl_load_map(template *t, const char *path, const hcs_config *cfg, hcs_err *err)
{
    dictionary *d = iniparser_load(path);
    if (!d)
        return hcs_fail(err, HCS_EX_CONFIG, "%s: cannot read the template map", path);
    int rc = 0;
    const char *opname = ini_str(d, "template:operation", NULL);
    t->op = opname ? gis_operation_find(opname) : NULL;
    if (!t->op) {
        rc = hcs_fail(err, HCS_EX_CONFIG, "%s: [template] operation \"%s\" is not a known operation",
                      path, opname ? opname : "");
        goto out;
    }
    int schema_max = iniparser_getint(d, "template:limit", t->op->element_limit);
    if (schema_max <= 0) {
        rc = hcs_fail(err, HCS_EX_CONFIG, "%s: operation %s has no element limit", path, opname);
        goto out;
    }
    t->limit = schema_max;
    const char *limit_key = ini_str(d, "template:limit_key", t->op->name);
    if (cfg && limit_key && *limit_key) {
        char key[128];
        snprintf(key, sizeof key, "limits.%s", limit_key);
        const char *lv = NULL;
        for (const struct cfg_key *k = cfg_keys; k->name; k++)
            if (!strcmp(k->name, key))
                lv = cfg_str(cfg, key);
        if (lv && *lv) {
            char *end = NULL;
            long l = strtol(lv, &end, 10);
            if (end == lv || *end || l <= 0) {
                rc = hcs_fail(err, HCS_EX_CONFIG, "[limits] %s = \"%s\": not a positive number", limit_key, lv);
                goto out;
            }
            if (l > schema_max) {
                rc = hcs_fail(err, HCS_EX_CONFIG,
                              "[limits] %s = %ld exceeds the schema's ELEMENT_LIMIT %d", limit_key, l,
                              schema_max);
                goto out;
            }
            t->limit = (int)l;
        }
    }
    t->attach_context = xstrdup(ini_str(d, "template:attach_context", "homemanagement"));
    const char *sheet = ini_str(d, "template:sheet", "");
    t->sheet = *sheet ? xstrdup(sheet) : NULL;
    if ((rc = load_columns(t, d, cfg, err)) < 0 || (rc = load_infer(t, d, err)) < 0 ||
        (rc = load_resolve(t, d, err)) < 0 || (rc = load_parts(t, d, err)) < 0)
        goto out;
    if ((rc = load_group(t, ini_str(d, "template:group", ""), err)) < 0)
        goto out;
    if (*ini_str(d, "join:parent", "") &&
        (rc = tmpl_load_join(t, ini_str(d, "join:parent", ""), ini_str(d, "join:child", ""),
                             ini_str(d, "join:parent_kind", ""), ini_str(d, "join:orphan", ""), err)) < 0) {
        hcs_err_wrap(err, "%s [join]", path);
        goto out;
    }
    static const char *fmt_keys[4] = { "template:split", "template:key", "template:label", "template:side_key" };
    for (int i = 0; i < 4; i++) {
        const char *s = ini_str(d, fmt_keys[i], "");
        if (!*s)
            continue;
        if (tmpl_compile_text(t, s, &t->fmt[i], 0, err) < 0) {
            rc = hcs_err_wrap(err, "%s: %s", path, fmt_keys[i]);
            goto out;
        }
        t->has_fmt[i] = 1;
    }
out:
    iniparser_freedict(d);
    return rc;
}
