/* store_registry — the registry of GIS ids by local key as the exports
 * fill it: keys in their comparison form, listing for `hcsbatch registry`.
 * The row-level put/get stay in store_packets.c (import results). */
#include "store/store_sq.h"

#include <stdlib.h>
#include <string.h>

#include "base/keynorm.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

static void add_as_is(strbuf *sb, const char *s, size_t len) { sb_add(sb, s, len); }

static char *join_parts(const char *const *parts, int n, void (*add)(strbuf *, const char *, size_t))
{
    strbuf sb = STRBUF_INIT;
    for (int i = 0; i < n; i++) {
        if (i)
            sb_addc(&sb, '|');
        /* a '|' inside a part would shift the others: it becomes a space */
        for (const char *p = parts[i] ? parts[i] : ""; *p;) {
            size_t len = strcspn(p, "|");
            add(&sb, p, len);
            p += len;
            if (*p) {
                sb_addc(&sb, ' ');
                p++;
            }
        }
    }
    return sb_detach(&sb, NULL);
}

char *store_registry_key(const char *const *parts, int n) { return join_parts(parts, n, key_norm_add); }

char *store_registry_key_as_written(const char *const *parts, int n) { return join_parts(parts, n, add_as_is); }

int store_registry_put_key(store *st, const struct store_registry_entry *e, hcs_err *err)
{
    struct store_registry_entry n = *e;
    n.local_key = key_norm(e->local_key);
    /* the spelling GIS or the accountant used, for `hcsbatch registry` */
    if (!n.display_key && strcmp(n.local_key, e->local_key))
        n.display_key = e->local_key;
    int rc = store_registry_put(st, &n, err);
    free(n.local_key);
    return rc;
}

/* One query for both spellings of a key: its comparison form (?2) first,
 * then the key as written (?3, entries an import stored under its element
 * key) when that differs.  A hit on the first stops there (LIMIT 1).  The
 * store's organisation is ?4 (?3 with one spelling). */
#define REGISTRY_FIND(cols, cols2) \
    "SELECT " cols " FROM registry WHERE org=?4 AND kind=?1 AND local_key=?2" \
    " UNION ALL SELECT " cols2 " FROM registry WHERE org=?4 AND kind=?1 AND local_key=?3 LIMIT 1"
/* The same when the key is written in its comparison form (most keys). */
#define REGISTRY_FIND_ONE(cols) "SELECT " cols " FROM registry WHERE org=?3 AND kind=?1 AND local_key=?2"

/* Binds kind and local_key (both spellings when they differ) to the
 * cached statement of the case (cached[0] one spelling, cached[1] two) and
 * steps it once: SQ_ROW (*used to read, then find_done), SQ_DONE
 * (reset already), or -1 (err).  The bindings are not copied (the
 * statement is reset before kind, local_key or st->lookup_key change). */
static int find_step(store *st, sq_stmt **cached, const char *cols, const char *kind,
                     const char *local_key, sq_stmt **used, hcs_err *err)
{
    strbuf *norm = &st->lookup_key;
    sb_reset(norm);
    key_norm_add(norm, local_key, strlen(local_key));
    int both = strcmp(sb_str(norm), local_key) != 0;
    int rc = 0;
    if (!cached[both]) {
        char *sql = both ? xasprintf(REGISTRY_FIND("%s", "%s"), cols, cols) : xasprintf(REGISTRY_FIND_ONE("%s"), cols);
        rc = sq_cached(st, &cached[both], sql, err);
        free(sql);
    }
    sq_stmt *s = cached[both];
    if (rc == 0) {
        sq_bind_static(s, 1, kind, -1);
        sq_bind_static(s, 2, sb_str(norm), (int)norm->len);
        if (both)
            sq_bind_static(s, 3, local_key, -1);
        sq_bind_static(s, both ? 4 : 3, sq_org(st), -1);
        rc = sq_step(s);
        *used = s;
    }
    if (rc < 0 || rc == SQ_ROW)
        return rc;
    sq_reset(s);
    return rc == SQ_DONE ? rc : sq_fail(st, err, "registry find");
}

static void find_done(sq_stmt *s)
{
    sq_reset(s);
}

int store_registry_find(store *st, const char *kind, const char *local_key,
                        struct store_registry_entry *e, hcs_err *err)
{
    sq_stmt *s;
    int rc = find_step(st, st->registry_find, REGISTRY_COLS, kind, local_key, &s, err);
    if (rc != SQ_ROW)
        return rc < 0 ? -1 : 0;
    sq_read_row(s, registry_fields, REGISTRY_NCOLS, e);
    find_done(s);
    return 1;
}

/* The column of store_registry_answer's SELECT for FIELD, -1 unknown. */
static int answer_column(const char *field)
{
    static const char *const fields[] = { "guid", "unique_number", "version" };
    for (int i = 0; i < 3; i++)
        if (!strcmp(field, fields[i]))
            return i;
    return -1;
}

int store_registry_answer(store *st, const char *kind, const char *local_key, char out[37],
                          hcs_err *err)
{
    char base[64];
    size_t klen = strcspn(kind, ".");
    const char *field = kind[klen] ? kind + klen + 1 : "guid";
    if (klen >= sizeof base)
        return hcs_fail(err, HCS_EX_SOFTWARE, "registry kind too long: %s", kind);
    memcpy(base, kind, klen);
    base[klen] = '\0';
    int col = answer_column(field);
    if (col < 0)
        return hcs_fail(err, HCS_EX_SOFTWARE, "registry %s: unknown field %s", base, field);
    /* the converter's per-key lookup: no entry struct, nothing allocated */
    sq_stmt *s;
    int rc = find_step(st, st->registry_answer, "guid, unique_number, version", base, local_key, &s, err);
    if (rc != SQ_ROW)
        return rc < 0 ? -1 : 0;
    const char *v = sq_col_text(s, col);
    size_t n = v ? strlen((const char *)v) : 0;
    rc = n > 0 && n < 37;
    if (rc)
        memcpy(out, v, n + 1);
    find_done(s);
    return rc;
}

int store_registry_list(store *st, const char *kind, store_registry_fn fn, void *ctx,
                        hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "SELECT " REGISTRY_COLS ", org FROM registry WHERE (CAST(?1 AS TEXT) IS NULL OR kind=?1)"
                    " AND (CAST(?2 AS TEXT) IS NULL OR org=?2) ORDER BY org, kind, local_key", &s, err) < 0)
        return -1;
    sq_text(s, 1, kind);
    sq_text(s, 2, sq_org_filter(st));
    int rc = SQ_DONE, stop = 0;
    while (!stop && (rc = sq_step(s)) == SQ_ROW) {
        struct store_registry_entry e = { 0 };
        sq_read_row(s, registry_fields, REGISTRY_NCOLS, &e);
        e.org = sq_dup(s, REGISTRY_NCOLS);
        stop = fn(ctx, &e);
        store_registry_clear(&e);
    }
    int out = stop;
    if (!stop && rc != SQ_DONE)
        out = sq_fail(st, err, "registry list");
    sq_finalize(s);
    return out;
}

/* The keys starting with prefix are a range over the key index:
 * [prefix, prefix with its last byte + 1).  NULL + err for "". */
static char *prefix_upper(const char *key_prefix, hcs_err *err)
{
    size_t n = strlen(key_prefix);
    if (n == 0) {
        hcs_fail(err, HCS_EX_SOFTWARE, "registry prefix is empty");
        return NULL;
    }
    char *upper = xstrdup(key_prefix);
    upper[n - 1]++;
    return upper;
}

long store_registry_drop_prefix(store *st, const char *kind, const char *key_prefix, hcs_err *err)
{
    char *upper = prefix_upper(key_prefix, err);
    if (!upper)
        return -1;
    sq_stmt *s;
    long rc = -1;
    if (sq_prep(st, "DELETE FROM registry WHERE kind=? AND local_key >= ? AND local_key < ? AND org=?", &s, err) == 0) {
        SQ_TEXTS(s, 1, kind, key_prefix, upper, sq_org(st));
        rc = sq_step(s) == SQ_DONE ? sq_changes(st) : sq_fail(st, err, "registry drop");
        sq_finalize(s);
    }
    free(upper);
    return rc;
}

int store_registry_has_prefix(store *st, const char *kind, const char *key_prefix, hcs_err *err)
{
    char *upper = prefix_upper(key_prefix, err);
    if (!upper)
        return -1;
    sq_stmt *s;
    int rc = -1;
    if (sq_prep(st, "SELECT 1 FROM registry WHERE kind=? AND local_key >= ? AND local_key < ? AND org=? LIMIT 1",
                &s, err) == 0) {
        SQ_TEXTS(s, 1, kind, key_prefix, upper, sq_org(st));
        int step = sq_step(s);
        rc = step == SQ_ROW ? 1 : step == SQ_DONE ? 0 : sq_fail(st, err, "registry prefix");
        sq_finalize(s);
    }
    free(upper);
    return rc;
}

int store_registry_drop_guid(store *st, const char *kind, const char *guid, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "DELETE FROM registry WHERE kind=? AND lower(guid)=lower(?) AND org=?", &s, err) < 0)
        return -1;
    SQ_TEXTS(s, 1, kind, guid, sq_org(st));
    return sq_done(st, s, err, "registry drop");
}
