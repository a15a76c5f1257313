/* store_spill — rows of a file kept on disk by key, for a join that must
 * not hold a large unsorted file in memory (packet/join.c through
 * run/intake.c).  A private temporary SQLite database (file name ""):
 * SQLite keeps it in a temporary file deleted when it is closed, with a
 * bounded page cache, so memory does not grow with the rows put.  It is
 * not the run's store (which may be PostgreSQL): nothing here is durable. */
#include "store/store.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

struct store_spill {
    sqlite3 *db;
    sqlite3_stmt *put, *mark, *rows, *next;
};

static int spill_fail(store_spill *sp, hcs_err *err, const char *what)
{
    return hcs_fail(err, HCS_EX_IOERR, "temporary index (%s): %s", what, sqlite3_errmsg(sp->db));
}

void store_spill_close(store_spill *sp)
{
    if (!sp)
        return;
    sqlite3_finalize(sp->put);
    sqlite3_finalize(sp->mark);
    sqlite3_finalize(sp->rows);
    sqlite3_finalize(sp->next);
    sqlite3_close(sp->db);
    free(sp);
}

store_spill *store_spill_open(hcs_err *err)
{
    store_spill *sp = xcalloc(1, sizeof *sp);
    if (sqlite3_open_v2("", &sp->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK
        || sqlite3_exec(sp->db,
                        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE;"
                        "PRAGMA cache_size=-4096;"
                        "CREATE TABLE rows(key TEXT NOT NULL, row INTEGER NOT NULL, data BLOB NOT NULL);"
                        "CREATE INDEX rows_key ON rows(key, row);"
                        "CREATE TABLE marks(key TEXT PRIMARY KEY) WITHOUT ROWID;"
                        "BEGIN;", NULL, NULL, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(sp->db, "INSERT INTO rows(key, row, data) VALUES (?,?,?)", -1, &sp->put, NULL)
        || sqlite3_prepare_v2(sp->db, "INSERT INTO marks(key) VALUES (?) ON CONFLICT DO NOTHING", -1,
                              &sp->mark, NULL)
        || sqlite3_prepare_v2(sp->db, "SELECT row, data FROM rows WHERE key=? ORDER BY row", -1, &sp->rows, NULL)
        || sqlite3_prepare_v2(sp->db, "SELECT key FROM rows WHERE key>? AND key NOT IN (SELECT key FROM marks)"
                                      " ORDER BY key LIMIT 1", -1, &sp->next, NULL)) {
        spill_fail(sp, err, "open");
        store_spill_close(sp);
        return NULL;
    }
    return sp;
}

int store_spill_put(store_spill *sp, const char *key, long row, const void *data, size_t len, hcs_err *err)
{
    sqlite3_bind_text(sp->put, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(sp->put, 2, row);
    sqlite3_bind_blob64(sp->put, 3, data, len, SQLITE_STATIC);
    int rc = sqlite3_step(sp->put);
    sqlite3_reset(sp->put);
    return rc == SQLITE_DONE ? 0 : spill_fail(sp, err, "put");
}

int store_spill_mark(store_spill *sp, const char *key, hcs_err *err)
{
    sqlite3_bind_text(sp->mark, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(sp->mark);
    sqlite3_reset(sp->mark);
    if (rc != SQLITE_DONE)
        return spill_fail(sp, err, "mark");
    return sqlite3_changes(sp->db) > 0;
}

int store_spill_unmark_all(store_spill *sp, hcs_err *err)
{
    return sqlite3_exec(sp->db, "DELETE FROM marks", NULL, NULL, NULL) == SQLITE_OK ? 0
                                                                                   : spill_fail(sp, err, "unmark");
}

int store_spill_rows(store_spill *sp, const char *key, store_spill_fn fn, void *ctx, hcs_err *err)
{
    sqlite3_bind_text(sp->rows, 1, key, -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(sp->rows)) == SQLITE_ROW)
        fn(ctx, (long)sqlite3_column_int64(sp->rows, 0), sqlite3_column_blob(sp->rows, 1),
           (size_t)sqlite3_column_bytes(sp->rows, 1));
    sqlite3_reset(sp->rows);
    return rc == SQLITE_DONE ? 0 : spill_fail(sp, err, "rows");
}

int store_spill_next_unmarked(store_spill *sp, const char *after, char **key, hcs_err *err)
{
    *key = NULL;
    sqlite3_bind_text(sp->next, 1, after, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(sp->next);
    if (rc == SQLITE_ROW)
        *key = xstrdup((const char *)sqlite3_column_text(sp->next, 0));
    sqlite3_reset(sp->next);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return spill_fail(sp, err, "next key");
    return rc == SQLITE_ROW;
}
