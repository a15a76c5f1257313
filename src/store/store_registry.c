/* store_registry — the registry of GIS ids by local key as the exports
 * fill it: keys in their comparison form, listing for `hcsbatch registry`.
 * The row-level put/get stay in store_packets.c (import results). */
#include "store/store_sqlite.h"

#include <stdlib.h>
#include <string.h>

#include "base/keynorm.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

char *store_registry_key(const char *const *parts, int n)
{
    strbuf sb = STRBUF_INIT;
    for (int i = 0; i < n; i++) {
        if (i)
            sb_addc(&sb, '|');
        /* a '|' inside a part would shift the others: it becomes a space */
        for (const char *p = parts[i] ? parts[i] : ""; *p;) {
            size_t len = strcspn(p, "|");
            key_norm_add(&sb, p, len);
            p += len;
            if (*p) {
                sb_addc(&sb, ' ');
                p++;
            }
        }
    }
    return sb_detach(&sb, NULL);
}

int store_registry_put_key(store *st, const struct store_registry_entry *e, hcs_err *err)
{
    struct store_registry_entry n = *e;
    n.local_key = key_norm(e->local_key);
    int rc = store_registry_put(st, &n, err);
    free(n.local_key);
    return rc;
}

int store_registry_find(store *st, const char *kind, const char *local_key,
                        struct store_registry_entry *e, hcs_err *err)
{
    char *norm = key_norm(local_key);
    int rc = store_registry_get(st, kind, norm, e, err);
    if (rc == 0 && strcmp(norm, local_key))
        rc = store_registry_get(st, kind, local_key, e, err);
    free(norm);
    return rc;
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
    struct store_registry_entry e = { 0 };
    int rc = store_registry_find(st, base, local_key, &e, err);
    if (rc == 1) {
        const char *v = !strcmp(field, "guid") ? e.guid
                        : !strcmp(field, "unique_number") ? e.unique_number
                        : !strcmp(field, "version") ? e.version : NULL;
        if (v == NULL && strcmp(field, "guid") && strcmp(field, "unique_number")
            && strcmp(field, "version"))
            rc = hcs_fail(err, HCS_EX_SOFTWARE, "registry %s: unknown field %s", base, field);
        else if (v && *v && strlen(v) < 37)
            memcpy(out, v, strlen(v) + 1);
        else
            rc = 0;
    }
    store_registry_clear(&e);
    return rc;
}

int store_registry_list(store *st, const char *kind, store_registry_fn fn, void *ctx,
                        hcs_err *err)
{
    sqlite3_stmt *s;
    if (sq_prep(st, "SELECT " REGISTRY_COLS " FROM registry WHERE ?1 IS NULL OR kind=?1 ORDER BY kind, local_key",
                &s, err) < 0)
        return -1;
    sq_text(s, 1, kind);
    int rc = SQLITE_DONE, stop = 0;
    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_registry_entry e = { 0 };
        sq_read_row(s, registry_fields, 8, &e);
        stop = fn(ctx, &e);
        store_registry_clear(&e);
    }
    int out = stop;
    if (!stop && rc != SQLITE_DONE)
        out = sq_fail(st, err, "registry list");
    sqlite3_finalize(s);
    return out;
}

int store_registry_has_prefix(store *st, const char *kind, const char *key_prefix, hcs_err *err)
{
    /* A range over the key index: [prefix, prefix with its last byte + 1). */
    size_t n = strlen(key_prefix);
    if (n == 0)
        return hcs_fail(err, HCS_EX_SOFTWARE, "registry prefix is empty");
    char *upper = xstrdup(key_prefix);
    upper[n - 1]++;
    sqlite3_stmt *s;
    int rc = -1;
    if (sq_prep(st, "SELECT 1 FROM registry WHERE kind=? AND local_key >= ? AND local_key < ? LIMIT 1", &s,
                err) == 0) {
        sq_text(s, 1, kind);
        sq_text(s, 2, key_prefix);
        sq_text(s, 3, upper);
        int step = sqlite3_step(s);
        rc = step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : sq_fail(st, err, "registry prefix");
        sqlite3_finalize(s);
    }
    free(upper);
    return rc;
}
