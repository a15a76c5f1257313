/* store_sq — what the store does the same way on every driver: the
 * statement helpers, opening by [store] driver, migrations, transactions. */
#include "store/store_sq.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/fsutil.h"
#include "base/xalloc.h"

int64_t sq_now(void)
{
    return (int64_t)time(NULL);
}

int sq_fail(store *st, hcs_err *err, const char *what)
{
    int ex = st->drv->busy(st) ? HCS_EX_TEMPFAIL : HCS_EX_IOERR;
    return hcs_fail(err, ex, "state database %s: %s: %s", st->path, what, st->drv->errmsg(st));
}

int sq_exec(store *st, const char *sql, hcs_err *err)
{
    if (st->drv->exec(st, sql) < 0)
        return hcs_fail(err, st->drv->busy(st) ? HCS_EX_TEMPFAIL : HCS_EX_IOERR, "state database %s: %s",
                        st->path, st->drv->errmsg(st));
    return 0;
}

int sq_prep(store *st, const char *sql, sq_stmt **stmt, hcs_err *err)
{
    *stmt = st->drv->prepare(st, sql);
    return *stmt ? 0 : sq_fail(st, err, "prepare");
}

void sq_text(sq_stmt *s, int i, const char *v)
{
    if (v)
        s->drv->bind_text(s, i, v, -1, 1);
    else
        s->drv->bind_null(s, i);
}

int sq_texts(sq_stmt *s, int first, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sq_text(s, first + (int)i, v[i]);
    return first + (int)n;
}

char *sq_dup(sq_stmt *s, int i)
{
    const char *t = sq_col_text(s, i);
    return t ? xstrdup(t) : NULL;
}

void sq_read_row(sq_stmt *s, const struct sq_field *fields, size_t n, void *out)
{
    for (size_t i = 0; i < n; i++) {
        char *at = (char *)out + fields[i].offset;
        int col = (int)i;
        switch (fields[i].type) {
        case SQ_I64: *(int64_t *)at = sq_col_i64(s, col); break;
        case SQ_INT: *(int *)at = sq_col_int(s, col); break;
        case SQ_LONG: *(long *)at = (long)sq_col_i64(s, col); break;
        case SQ_TEXT: *(char **)at = sq_dup(s, col); break;
        case SQ_GUID: {
            const char *t = sq_col_text(s, col);
            snprintf(at, 37, "%s", t ? t : "");
            break;
        }
        }
    }
}

int sq_get_by_id(store *st, const char *sql, int64_t id, const struct sq_field *fields, size_t n, void *out,
                 const char *what, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, sql, &s, err) < 0)
        return -1;
    sq_bind_i64(s, 1, id);
    int rc = sq_step(s);
    if (rc == SQ_ROW)
        sq_read_row(s, fields, n, out);
    sq_finalize(s);
    if (rc == SQ_ERROR)
        return sq_fail(st, err, what);
    if (rc != SQ_ROW)
        return hcs_fail(err, HCS_EX_DATAERR, "no %s with id %lld", what, (long long)id);
    return 0;
}

int sq_done(store *st, sq_stmt *s, hcs_err *err, const char *what)
{
    int rc = sq_step(s);
    if (rc == SQ_ERROR) {
        sq_fail(st, err, what);
        sq_finalize(s);
        return -1;
    }
    sq_finalize(s);
    return 0;
}

int64_t sq_one_i64(store *st, sq_stmt *s, hcs_err *err, const char *what)
{
    int64_t v = -1;
    if (sq_step(s) == SQ_ROW)
        v = sq_col_i64(s, 0);
    else
        sq_fail(st, err, what);
    sq_finalize(s);
    return v;
}

int sq_insert_id(store *st, sq_stmt *s, int64_t *id, hcs_err *err, const char *what)
{
    int rc = sq_step(s);
    if (rc == SQ_ROW)
        *id = sq_col_i64(s, 0);
    while (rc == SQ_ROW)
        rc = sq_step(s);
    if (rc == SQ_ERROR)
        sq_fail(st, err, what);
    sq_finalize(s);
    return rc == SQ_ERROR ? -1 : 0;
}

int sq_cached(store *st, sq_stmt **cached, const char *sql, hcs_err *err)
{
    return *cached ? 0 : sq_prep(st, sql, cached, err);
}

int sq_done_cached(store *st, sq_stmt *s, hcs_err *err, const char *what)
{
    int rc = sq_step(s);
    if (rc == SQ_ERROR)
        sq_fail(st, err, what);
    sq_reset(s);
    sq_clear(s);
    return rc == SQ_ERROR ? -1 : 0;
}

/* ---- opening and migrations ---- */

int sq_read_version(store *st, int *version, hcs_err *err)
{
    sq_stmt *s;
    *version = 0;
    if (sq_prep(st, st->drv->has_version_sql, &s, err) < 0)
        return -1;
    int exists = sq_step(s) == SQ_ROW && sq_col_int(s, 0) > 0;
    sq_finalize(s);
    if (!exists)
        return 0;
    if (sq_prep(st, "SELECT max(version) FROM schema_version", &s, err) < 0)
        return -1;
    if (sq_step(s) == SQ_ROW)
        *version = sq_col_int(s, 0);
    sq_finalize(s);
    return 0;
}

int sq_migrate(store *st, hcs_err *err)
{
    int version;
    /* Up to date: no write lock.  A second connection (the file store
     * client's, `hcsbatch status`) opens while the run holds a transaction. */
    if (sq_read_version(st, &version, err) < 0)
        return -1;
    int latest = (int)st->drv->migration_count();
    if (version == latest)
        return 0;
    if (store_begin(st, err) < 0)
        return -1;
    /* PostgreSQL: two hosts opening an empty database at once take turns */
    if (!strcmp(st->drv->name, "postgres") && sq_exec(st, "SELECT pg_advisory_xact_lock(7201931)", err) < 0)
        goto fail;
    if (sq_read_version(st, &version, err) < 0)
        goto fail;
    if (version > latest) {
        hcs_fail(err, HCS_EX_CONFIG, "state database %s has schema version %d; this hcsbatch knows %d",
                 st->path, version, latest);
        goto fail;
    }
    if (version == 0 && sq_exec(st, "CREATE TABLE schema_version (version INTEGER NOT NULL,"
                                    " applied_at BIGINT NOT NULL)", err) < 0)
        goto fail;
    for (int v = version + 1; v <= latest; v++) {
        if (sq_exec(st, st->drv->migration((size_t)v), err) < 0)
            goto fail;
        sq_stmt *s;
        if (sq_prep(st, "INSERT INTO schema_version(version, applied_at) VALUES (?, ?)", &s, err) < 0)
            goto fail;
        sq_bind_int(s, 1, v);
        sq_bind_i64(s, 2, sq_now());
        if (sq_done(st, s, err, "record schema version") < 0)
            goto fail;
    }
    return store_commit(st, err);
fail:
    store_rollback(st);
    return -1;
}

static char *sqlite_file(const hcs_config *cfg, hcs_err *err)
{
    char *work = cfg_path(cfg, "paths.work_dir");
    const char *rel = cfg_str(cfg, "store.path");
    if (!work)
        work = xstrdup(".");
    if (mkdir_p(work, err) < 0) {
        free(work);
        return NULL;
    }
    char *path = (rel && rel[0] == '/') ? xstrdup(rel) : path_join(work, rel ? rel : "state.db");
    free(work);
    return path;
}

store *store_open(const hcs_config *cfg, hcs_err *err)
{
    const char *driver = cfg_str(cfg, "store.driver");
    if (driver && !strcmp(driver, "postgres")) {
        const char *conninfo = cfg_str(cfg, "store.conninfo");
        if (!conninfo || !*conninfo) {
            hcs_fail(err, HCS_EX_CONFIG, "store.driver=postgres needs store.conninfo");
            return NULL;
        }
        store *st = store_open_pg(conninfo, err);
        if (st)
            store_set_org(st, cfg_org(cfg));
        return st;
    }
    if (driver && strcmp(driver, "sqlite") != 0) {
        hcs_fail(err, HCS_EX_CONFIG, "store.driver=%s: expected sqlite or postgres", driver);
        return NULL;
    }
    char *path = sqlite_file(cfg, err);
    if (!path)
        return NULL;
    store *st = store_open_sqlite(path, (int)cfg_int(cfg, "store.busy_timeout_ms", 10000), err);
    free(path);
    if (st)
        store_set_org(st, cfg_org(cfg));
    return st;
}

void store_close(store *st)
{
    if (!st)
        return;
    sq_finalize(st->registry_get);
    sb_free(&st->lookup_key);
    for (int i = 0; i < 2; i++) {
        sq_finalize(st->registry_find[i]);
        sq_finalize(st->registry_answer[i]);
    }
    sq_finalize(st->registry_put);
    if (st->conn)
        st->drv->close(st);
    free(st->path);
    free(st->org);
    free(st);
}

void store_set_org(store *st, const char *org)
{
    st->all_orgs = org == NULL;
    if (!org)
        return;
    char *copy = xstrdup(org);   /* org may be store_org(st) itself */
    free(st->org);
    st->org = copy;
}

void sq_take_text(sq_stmt *s, int i, char *v)
{
    sq_text(s, i, v);
    free(v);
}

char *sq_org_scoped(const store *st, const char *name)
{
    const char *org = sq_org(st);
    return strcmp(org, "default") ? xasprintf("%s/%s", org, name) : xstrdup(name);
}

const char *store_org(store *st)
{
    return sq_org(st);
}

int store_schema_version(store *st)
{
    int v = 0;
    hcs_err err;
    if (sq_read_version(st, &v, &err) < 0)
        return -1;
    return v;
}

const char *store_driver_name(store *st)
{
    return st->drv->name;
}

/* ---- transactions ---- */

int store_begin(store *st, hcs_err *err)
{
    if (st->tx_depth++ > 0)
        return 0;
    if (sq_exec(st, st->drv->begin_sql, err) < 0) {
        st->tx_depth = 0;
        return -1;
    }
    return 0;
}

int store_commit(store *st, hcs_err *err)
{
    if (st->tx_depth <= 0)
        return 0;
    if (--st->tx_depth > 0)
        return 0;
    if (sq_exec(st, "COMMIT", err) < 0) {
        st->drv->exec(st, "ROLLBACK");
        return -1;
    }
    return 0;
}

void store_rollback(store *st)
{
    if (st->tx_depth <= 0)
        return;
    st->tx_depth = 0;
    st->drv->exec(st, "ROLLBACK");
}

int store_set_full_sync(store *st, int full, hcs_err *err)
{
    return sq_exec(st, st->drv->sync_sql[full ? 1 : 0], err);
}

int store_flush(store *st, hcs_err *err)
{
    return st->drv->flush_sql ? sq_exec(st, st->drv->flush_sql, err) : 0;
}

int store_integrity_check(store *st, char *out, size_t outlen, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, st->drv->integrity_sql, &s, err) < 0)
        return -1;
    const char *first = "no answer";
    if (sq_step(s) == SQ_ROW && sq_col_text(s, 0))
        first = sq_col_text(s, 0);
    snprintf(out, outlen, "%s", first);
    sq_finalize(s);
    return 0;
}
