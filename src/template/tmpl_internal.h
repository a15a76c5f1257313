/* Internal structures of the template engine (map, converters, compiled
 * skeletons).  Only src/template/ includes this. */
#ifndef HCS_TMPL_INTERNAL_H
#define HCS_TMPL_INTERNAL_H

#include "base/strbuf.h"
#include "template/nsi.h"
#include "template/template.h"

#define TEMPLATE_NS "urn:hcsbatch:template"

enum conv_kind {
    CV_TEXT, CV_DECIMAL, CV_SDECIMAL, CV_INT, CV_DATE, CV_PERIOD, CV_BOOL, CV_GUID,
    CV_SNILS, CV_SEX, CV_ENUM, CV_NSI, CV_DIGITS, CV_FILE, CV_DERIVED,
    CV_INN, CV_OGRN, CV_BIK, CV_ACCOUNT, CV_KOPECKS
};

struct header_alt {
    char *fold;            /* folded header name */
    char *display;         /* as written in map.ini */
    int word_from, word_to;/* 1-based word range of the cell ("ФИО[2]"), 0 = whole cell */
};

struct enum_pair {
    char *from;            /* folded input */
    char *to;
};

/* One condition term: var non-empty / empty / = value / != value. */
struct term {
    int var;
    int neg;               /* "!var" */
    int op;                /* 0 presence, 1 equals, 2 differs */
    char *value;
};
struct cond {
    struct term *terms;    /* all must hold */
    size_t n;
};

struct tvar {
    char *name;
    struct header_alt *alts;
    size_t nalts;
    enum conv_kind conv;
    int arg;               /* text max length, decimal fraction digits, НСИ registry, digits;
                              account: the БИК variable its key is checked against (-1 none) */
    char *arg_name;        /* account:NAME as written, until load_columns resolves it */
    struct enum_pair *pairs;
    size_t npairs;
    int required;          /* always required (also: the column must exist) */
    int *required_when;    /* cond indexes: required when any holds */
    size_t nwhen;
    char *def;             /* default value (already resolved from @config) */
    int when;              /* converted only when this cond holds (-1 = always) */
    int same;              /* element level: equal in every row of a group */
    int d1, d2, d3;        /* derived variables: nsi → _guid, _name; period → _month, _year;
                              file → _guid, _hash, _name */
};

struct infer_rule {
    int var;
    char *value;
    int cond;
};

struct resolve_rule {
    int var;               /* the GIS id variable filled */
    char *kind;            /* resolver kind: "account", "meter", … */
    int key_vars[4];       /* local key variables; several are joined with '|' */
    int nkeys;
    int optional;          /* unknown → leave empty instead of rejecting the row */
};

enum op_kind { OP_TEXT, OP_VAR, OP_TGUID, OP_SIDE, OP_IF, OP_EACH, OP_ENDEACH, OP_HOLE, OP_PART };
struct op {
    int kind;
    int arg;               /* var index, cond index, hole number, part index;
                              OP_EACH: t:distinct variable or -1;
                              OP_TGUID: 1 = derived ({t:guid:NAME}) */
    int arg2;              /* OP_EACH: t:match variable or -1 */
    int jump;              /* OP_IF: op index after the block; OP_ENDEACH: first op of the body;
                              OP_EACH: op index after its OP_ENDEACH (no row to repeat for) */
    size_t off, len;       /* OP_TEXT: bytes in prog text; derived OP_TGUID: its NAME */
};
struct prog {
    struct op *ops;
    size_t n, cap;
    size_t barrier;        /* ops before this index are jump targets' predecessors: no merging into them */
    strbuf text;
};

struct template {
    char *name;
    char *dir;
    const struct gis_operation *op;
    int limit;
    char *sheet;
    struct tvar *vars;
    size_t nvars, vcap;
    struct cond *conds;
    size_t nconds, ccap;
    struct infer_rule *infer;
    size_t ninfer, icap;
    struct resolve_rule *resolve;
    size_t nresolve, rcap;
    int *group_vars;
    size_t ngroup;
    struct prog fmt[4];        /* TF_SPLIT, TF_KEY, TF_LABEL, TF_SIDE */
    int has_fmt[4];
    struct prog request, element, side;
    int has_side_xml;
    char *elem_ns, *elem_name;
    struct tpart *parts;       /* [parts]: nested objects with TransportGUIDs of their own */
    size_t nparts;
    struct tjoin *join;        /* [join]: the two-file form, or NULL */
    nsi_set *nsi;
    struct nsireg_cache *nsireg;   /* НСИ answers of the registry (tmpl_nsireg.c) */
    char *attach_context;      /* file store context of `file` columns ([template] attach_context) */
    int has_files;             /* some variable uses the `file` converter */
};

/* A part of an element ({t:part:KIND}): a nested object GIS answers for
 * under its own TransportGUID (a premises in a house); its registry key
 * and label are format strings over the row that writes it. */
struct tpart {
    char *kind;
    struct prog key, label;
    int has_label;
};

struct tbinding {
    int *col;                  /* per variable: column index or -1 */
    int *alt;                  /* per variable: which alternative matched */
    char **header;             /* per variable: header as written, or the first alternative */
    size_t nvars;
};

/* [join] of map.ini: a parent file (houses) and a child file (premises)
 * joined by the group key (tmpl_join.c). */
struct tjoin {
    int *parent;               /* variables only a parent file has */
    size_t nparent;
    int *child;                /* variables only a child file has */
    size_t nchild;
    char *parent_kind;         /* registry kind of the key of a child row without a parent row */
    char *orphan;              /* the refusal of such a row when the registry does not know the key */
};
int tmpl_load_join(template *t, const char *parent, const char *child, const char *kind,
                   const char *orphan, hcs_err *err);
void tmpl_join_free(struct tjoin *j);

/* tmpl_map.c */
int tmpl_load_map(template *t, const char *path, const hcs_config *cfg, hcs_err *err);
int tmpl_add_var(template *t, const char *name);
int tmpl_parse_cond(template *t, const char *expr, hcs_err *err);
int tmpl_cond_holds(const template *t, int cond, const struct trow *row);
/* tmpl_compile.c */
int tmpl_compile_xml(template *t, const char *path, struct prog *prog, int is_request,
                     hcs_err *err);
int tmpl_compile_text(template *t, const char *text, struct prog *prog, int escape,
                      hcs_err *err);
void prog_free(struct prog *p);
/* keyname.c: the Russian phrase for an unknown registry key of kind
 * ("premises" with parts fias, number → «помещение 5 не найдено в доме …»). */
void tmpl_key_phrase(const char *kind, const char *const *parts, int nparts, strbuf *out);
/* tmpl_nsireg.c: an НСИ value (code or name) of registry number `registry`
 * through the registry of GIS ids (kind "nsi", key "<registry>|<value>",
 * as the НСИ exports fill it): 1 found (code and
 * guid set), 0 unknown or no resolver, -1 the lookup failed.  Answers are
 * remembered in the template's cache. */
struct nsireg_cache *tmpl_nsireg_new(void);
void tmpl_nsireg_free(struct nsireg_cache *c);
int tmpl_nsi_from_registry(struct nsireg_cache *c, template_resolve_fn resolve, void *rctx,
                           int registry, const char *value, char code[37], char guid[37]);
/* tmpl_render.c */
void tmpl_run(const template *t, const struct prog *p, struct trow *const *rows, size_t nrows,
              const struct render_ctx *ctx, strbuf *out, size_t *holes, int escape);

#endif
