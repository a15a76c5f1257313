/* template — one operation form as data: templates/<name>/ holds
 *   map.ini      columns → variables (+ converters, conditions), grouping,
 *                splitting, keys, limit (iniparser)
 *   request.xml  the request element with holes <t:side/> and <t:elements/>
 *   element.xml  one repeating element with {var} placeholders, t:if
 *                (optional parts), t:each (one child per row of the group)
 *   side.xml     optional: a per-packet side block (PaymentInformation)
 * The skeletons are compiled once into a flat list of ops and rendered
 * into a strbuf with XML escaping.  docs/templates.md documents the
 * language.  Owned by src/template/.
 * May call: base/ proto/ read/. */
#ifndef HCS_TEMPLATE_H
#define HCS_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "base/err.h"
#include "base/strbuf.h"
#include "read/read.h"
#include "proto/operations.h"

typedef struct template template;
typedef struct tbinding tbinding;

/* Same shape as convert_resolve_fn (packet/convert.h). */
typedef int (*template_resolve_fn)(void *ctx, const char *kind, const char *local_key,
                                   char guid[37]);
/* Same shape as convert_held_fn: NULL, or why the row must not name the key. */
typedef const char *(*template_held_fn)(void *ctx, const char *kind, const char *local_key);

/* Uploads a file named in a row (path relative to input_file's folder)
 * and gives its AttachmentGUID and AttachmentHASH; same shape as
 * convert_attach_fn (packet/convert.h) and filestore_attach_resolve.
 * 0 = done, -1 = failed (err says why). */
typedef int (*template_attach_fn)(void *ctx, const char *input_file, const char *cell,
                                  char guid[37], char hash[65], hcs_err *err);

/* One converted source row: the value of every template variable. */
struct trow {
    long row;              /* spreadsheet row number */
    int nvars;
    uint32_t *off;         /* offsets into buf, one per variable */
    char *buf;
};
static inline const char *trow_get(const struct trow *r, int var) { return r->buf + r->off[var]; }
void trow_free(struct trow *r);

/* A problem found in a row: column as written in the file, value, reason (Russian). */
struct tproblem {
    char *column;
    char *value;
    char *reason;
};
struct tproblems {
    struct tproblem *items;
    size_t n, cap;
};
void tproblems_add(struct tproblems *p, const char *column, const char *value, const char *reason);
void tproblems_clear(struct tproblems *p);   /* frees the entries, keeps nothing */

/* Loads templates/<name> (dir = that folder).  Limits: the form's schema
 * maximum (map.ini limit, default the operation's ELEMENT_LIMIT); a lower
 * [limits] <limit_key> in cfg wins, a higher one is refused (HCS_EX_CONFIG).
 * НСИ files come from [paths] nsi_dir. */
template *template_load(const char *dir, const hcs_config *cfg, hcs_err *err);
void template_free(template *t);
const char *template_name(const template *t);          /* folder name */
const struct gis_operation *template_operation(const template *t);
int template_limit(const template *t);
int template_has_group(const template *t);
int template_has_split(const template *t);
int template_has_side(const template *t);
const char *template_sheet(const template *t);          /* XLSX sheet or NULL */
/* Namespace URI and local name of the repeating element (element.xml root). */
const char *template_element_ns(const template *t);
const char *template_element_name(const template *t);
/* 1 when ns:name is the form's repeating element (one of them: element.xml
 * may be a <t:block> of alternatives, see tmpl_compile.c). */
int template_is_element(const template *t, const char *ns, const char *name);
int template_var_index(const template *t, const char *name);   /* -1 unknown */

/* Binds the variables to the columns of a file's header.  A column marked
 * `required` that the header lacks → -1 (HCS_EX_DATAERR naming it).
 * Unknown header names are appended to *unknown (", "-separated) if given. */
tbinding *template_bind(const template *t, const struct table_row *header, strbuf *unknown,
                        hcs_err *err);
void tbinding_free(tbinding *b);

/* The raw group key of a row (cells of the group variables), for the
 * grouping pass; empty when the template has no group or the cells are empty. */
void template_group_raw(const template *t, const tbinding *b, const struct table_row *row,
                        strbuf *out);

/* Converts one row: 0 = ok (*out set), 1 = the row is bad (probs filled,
 * *out NULL), -1 = fatal (a dictionary file is broken, the resolver failed). */
int template_convert(const template *t, const tbinding *b, const struct table_row *row,
                     template_resolve_fn resolve, void *rctx, struct trow **out,
                     struct tproblems *probs, hcs_err *err);

/* What template_convert_with needs besides the row. */
struct tconvert_ctx {
    template_resolve_fn resolve;   /* NULL: only GIS ids given directly */
    void *resolve_ctx;
    template_attach_fn attach;     /* NULL: a row naming a file is rejected */
    void *attach_ctx;
    const char *input_file;        /* `file` cells are relative to its folder */
    template_held_fn held;         /* keys rows must not name yet (ctx: resolve_ctx), or NULL */
};
/* template_convert plus `file` columns: after every other value of the row
 * converted, each file named is handed to cx->attach and <var>_guid,
 * <var>_hash, <var>_name are set.  A refused file (missing, outside the
 * folder, wrong type or size, refused by GIS: err code DATAERR or NOINPUT)
 * makes the row bad (1) with the reason; any other attach failure (file
 * store unreachable, configuration) is fatal (-1), so one outage does not
 * reject a whole file row by row. */
int template_convert_with(const template *t, const tbinding *b, const struct table_row *row,
                          const struct tconvert_ctx *cx, struct trow **out, struct tproblems *probs,
                          hcs_err *err);
/* 1 when some variable uses the `file` converter (the run must upload). */
int template_has_files(const template *t);
/* The file store context of the template's files ([template] attach_context). */
const char *template_attach_context(const template *t);

/* Element-level variables (flag `same`) must be equal in every row of a
 * group: returns the first variable that differs (and the index of the
 * first row where it does, in *row_index), or -1 when all agree. */
int template_check_same(const template *t, struct trow *const *rows, size_t nrows,
                        size_t *row_index);
/* [join] (tmpl_join.c): the two-file form of a grouped template.  The
 * role of a file is told by the variables its header binds. */
enum tjoin_role {
    TJOIN_NONE,     /* the template has no [join] */
    TJOIN_PARENT,   /* a parent file (houses): no child column */
    TJOIN_CHILD,    /* a child file (premises): child columns, no parent one */
    TJOIN_BOTH      /* the one-file form: both */
};
enum tjoin_role template_join_role(const template *t, const tbinding *b);
/* The registry kind a child row's group key names when no parent row has it. */
const char *template_join_kind(const template *t);
/* Appends the refusal of a child row whose key is in neither file nor registry. */
void template_join_orphan(const template *t, const char *key, strbuf *out);
/* How many `child` variables of [join] a child row fills: a premises row
 * (Номер помещения) 1, a room row (and Номер комнаты) 2; the join puts the
 * rows of a group in this order, so a premises is read from its own row. */
int template_join_depth(const template *t, const tbinding *b, const struct table_row *row);
/* The same for a converted row (the one-file form, whose rows come as the
 * file has them). */
int template_trow_depth(const template *t, const struct trow *row);
/* The column of the (first) group variable as the file wrote it. */
const char *template_join_key_column(const template *t, const tbinding *b);
/* The header column variable var is bound to, or -1. */
int template_bound_column(const tbinding *b, int var);
size_t template_var_count(const template *t);

/* The column a variable was read from, as written in the file (or map.ini). */
const char *template_column(const tbinding *b, int var);

enum tfmt { TF_SPLIT, TF_KEY, TF_LABEL, TF_SIDE };
/* Formats one of the map.ini key strings for a converted row. */
void template_format(const template *t, enum tfmt which, const struct trow *row, strbuf *out);

struct render_ctx {
    const char *tguid;     /* {t:guid}: the element's TransportGUID */
    /* {t:side}: the TransportGUID of the side block for this row's side key */
    const char *(*side_ref)(void *ctx, const struct trow *row);
    void *side_ctx;
    /* {t:part:KIND}: a new TransportGUID for a nested object the row
     * describes ([parts] of map.ini); the callback records it (packer.c) */
    const char *(*part_ref)(void *ctx, int part, const struct trow *row);
    void *part_ctx;
};
/* [parts]: the kind of part i, and its registry key and label for row. */
const char *template_part_kind(const template *t, int part);
void template_part_format(const template *t, int part, const struct trow *row, strbuf *key, strbuf *label);
void template_render_element(const template *t, struct trow *const *rows, size_t nrows,
                             const struct render_ctx *ctx, strbuf *out);
void template_render_side(const template *t, const struct trow *row, const char *tguid,
                          strbuf *out);
/* request.xml for a packet whose first element's first row is row:
 * pieces[0] up to the side hole, pieces[1] up to the elements hole,
 * pieces[2] the rest (without a side hole pieces[1] is empty).  {t:guid} in
 * request.xml is tguid, the TransportGUID of the packet's first element:
 * a request that is one object (importCharterRequest: TransportGUID beside
 * PlacingCharter, limit 1) carries it there. */
void template_render_request(const template *t, const struct trow *row, const char *tguid,
                             strbuf pieces[3]);

#endif
