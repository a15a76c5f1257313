/* store_sqlite — the SQLite driver of the statement layer (store_sq.h):
 * the one file that owns the sqlite3 handle and calls sqlite3_*.  A
 * statement is the sqlite3_stmt behind a small header, so a cached lookup
 * costs one indirect call per step and nothing allocated. */
#include "store/store_sq.h"

#include <sqlite3.h>
#include <stdlib.h>

#include "base/xalloc.h"

struct lite_stmt {
    sq_stmt base;
    sqlite3_stmt *s;
};

#define DB(st) ((sqlite3 *)(st)->conn)
#define LS(x) (((struct lite_stmt *)(x))->s)

static sq_stmt *lite_prepare(store *st, const char *sql)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(DB(st), sql, -1, &s, NULL) != SQLITE_OK)
        return NULL;
    struct lite_stmt *ls = xmalloc(sizeof *ls);
    ls->base.drv = &sq_sqlite_driver;
    ls->s = s;
    return &ls->base;
}

static void lite_bind_null(sq_stmt *s, int i)
{
    sqlite3_bind_null(LS(s), i);
}

static void lite_bind_i64(sq_stmt *s, int i, int64_t v)
{
    sqlite3_bind_int64(LS(s), i, v);
}

static void lite_bind_text(sq_stmt *s, int i, const char *v, int len, int copy)
{
    sqlite3_bind_text(LS(s), i, v, len, copy ? SQLITE_TRANSIENT : SQLITE_STATIC);
}

static int lite_step(sq_stmt *s)
{
    int rc = sqlite3_step(LS(s));
    return rc == SQLITE_ROW ? SQ_ROW : rc == SQLITE_DONE ? SQ_DONE : SQ_ERROR;
}

static int64_t lite_col_i64(sq_stmt *s, int i)
{
    return sqlite3_column_int64(LS(s), i);
}

static const char *lite_col_text(sq_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(LS(s), i);
}

static void lite_reset(sq_stmt *s)
{
    sqlite3_reset(LS(s));
}

static void lite_clear(sq_stmt *s)
{
    sqlite3_clear_bindings(LS(s));
}

static void lite_finalize(sq_stmt *s)
{
    sqlite3_finalize(LS(s));
    free(s);
}

static int lite_exec(store *st, const char *sql)
{
    return sqlite3_exec(DB(st), sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static long lite_changes(store *st)
{
    return (long)sqlite3_changes(DB(st));
}

static const char *lite_errmsg(store *st)
{
    return sqlite3_errmsg(DB(st));
}

static int lite_busy(store *st)
{
    int code = sqlite3_errcode(DB(st));
    return code == SQLITE_BUSY || code == SQLITE_LOCKED;
}

static void lite_close(store *st)
{
    sqlite3_close_v2(DB(st));
    st->conn = NULL;
}

const struct sq_driver sq_sqlite_driver = {
    .name = "sqlite",
    .prepare = lite_prepare,
    .bind_null = lite_bind_null,
    .bind_i64 = lite_bind_i64,
    .bind_text = lite_bind_text,
    .step = lite_step,
    .col_i64 = lite_col_i64,
    .col_text = lite_col_text,
    .reset = lite_reset,
    .clear = lite_clear,
    .finalize = lite_finalize,
    .exec = lite_exec,
    .changes = lite_changes,
    .errmsg = lite_errmsg,
    .busy = lite_busy,
    .close = lite_close,
    .begin_sql = "BEGIN IMMEDIATE",
    .has_version_sql = "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_version'",
    .sync_sql = { "PRAGMA synchronous=NORMAL", "PRAGMA synchronous=FULL" },
    .flush_sql = "PRAGMA wal_checkpoint(PASSIVE)",
    .integrity_sql = "PRAGMA integrity_check",
    .claim_lock_sql = NULL,          /* BEGIN IMMEDIATE already serializes writers */
    .skip_locked = "",
    .migration_count = store_sqlite_migration_count,
    .migration = store_sqlite_migration,
};

store *store_open_sqlite(const char *path, int busy_timeout_ms, hcs_err *err)
{
    store *st = xcalloc(1, sizeof *st);
    st->drv = &sq_sqlite_driver;
    st->path = xstrdup(path);
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    st->conn = db;
    if (rc != SQLITE_OK) {
        hcs_fail(err, HCS_EX_CANTCREAT, "cannot open state database %s: %s", path,
                 db ? sqlite3_errmsg(db) : "out of memory");
        store_close(st);
        return NULL;
    }
    sqlite3_busy_timeout(db, busy_timeout_ms > 0 ? busy_timeout_ms : 10000);
    /* WAL: readers (status, reports) never block the run; synchronous=FULL:
     * a committed state change survives a power cut, not only a kill. */
    if (sq_exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", err) < 0
        || sq_migrate(st, err) < 0) {
        store_close(st);
        return NULL;
    }
    return st;
}
