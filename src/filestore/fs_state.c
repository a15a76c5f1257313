/* fs_state — the file store client's resume and attachment memory in SQLite. */
#include "filestore/fs_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "base/xalloc.h"

struct fs_state {
    sqlite3 *db;
};

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS filestore_uploads ("
    " context TEXT NOT NULL, path TEXT NOT NULL, upload_id TEXT NOT NULL,"
    " size INTEGER NOT NULL, mtime INTEGER NOT NULL, parts INTEGER NOT NULL,"
    " started_at INTEGER NOT NULL, PRIMARY KEY (context, path));"
    "CREATE TABLE IF NOT EXISTS filestore_parts ("
    " upload_id TEXT NOT NULL, part INTEGER NOT NULL, done_at INTEGER NOT NULL,"
    " PRIMARY KEY (upload_id, part));"
    "CREATE TABLE IF NOT EXISTS filestore_attachments ("
    " context TEXT NOT NULL, sha256 TEXT NOT NULL, scope TEXT NOT NULL,"
    " size INTEGER NOT NULL, name TEXT, guid TEXT NOT NULL, hash TEXT NOT NULL,"
    " uploaded_at INTEGER NOT NULL, PRIMARY KEY (context, sha256, scope));";

static int db_fail(fs_state *s, hcs_err *err, const char *what)
{
    return hcs_fail(err, HCS_EX_IOERR, "state database: %s: %s", what, sqlite3_errmsg(s->db));
}

fs_state *fs_state_open(const char *db_path, long busy_timeout_ms, hcs_err *err)
{
    fs_state *s = xcalloc(1, sizeof *s);
    if (sqlite3_open_v2(db_path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL) != SQLITE_OK) {
        hcs_fail(err, HCS_EX_CANTCREAT, "cannot open the state database %s: %s", db_path,
                 s->db ? sqlite3_errmsg(s->db) : "out of memory");
        fs_state_close(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, (int)(busy_timeout_ms > 0 ? busy_timeout_ms : 10000));
    /* WAL like the store; the pragma answers a row, so it goes through exec too. */
    if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(s->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK) {
        db_fail(s, err, db_path);
        fs_state_close(s);
        return NULL;
    }
    return s;
}

void fs_state_close(fs_state *s)
{
    if (!s)
        return;
    sqlite3_close(s->db);
    free(s);
}

static sqlite3_stmt *prep(fs_state *s, const char *sql, hcs_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        db_fail(s, err, "prepare");
        return NULL;
    }
    return st;
}

static void bind_texts(sqlite3_stmt *st, int n, const char *const *v)
{
    for (int i = 0; i < n; i++)
        sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_TRANSIENT);
}

/* Runs a statement with no result rows. */
static int run(fs_state *s, sqlite3_stmt *st, hcs_err *err, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(s, err, what);
    return 0;
}

static void copy_col(sqlite3_stmt *st, int i, char *out, size_t cap)
{
    const unsigned char *v = sqlite3_column_text(st, i);
    snprintf(out, cap, "%s", v ? (const char *)v : "");
}

int fs_state_upload_find(fs_state *s, const char *context, const char *path,
                         struct fs_state_upload *u, hcs_err *err)
{
    sqlite3_stmt *st = prep(s, "SELECT upload_id, size, mtime, parts FROM filestore_uploads"
                               " WHERE context = ?1 AND path = ?2", err);
    if (!st)
        return -1;
    bind_texts(st, 2, (const char *[]){ context, path });
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        copy_col(st, 0, u->upload_id, sizeof u->upload_id);
        u->size = sqlite3_column_int64(st, 1);
        u->mtime = sqlite3_column_int64(st, 2);
        u->parts = sqlite3_column_int(st, 3);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return db_fail(s, err, "find upload");
}

int fs_state_upload_begin(fs_state *s, const char *context, const char *path,
                          const struct fs_state_upload *u, hcs_err *err)
{
    sqlite3_stmt *st = prep(s, "INSERT OR REPLACE INTO filestore_uploads"
                               " (context, path, upload_id, size, mtime, parts, started_at)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", err);
    if (!st)
        return -1;
    bind_texts(st, 3, (const char *[]){ context, path, u->upload_id });
    sqlite3_bind_int64(st, 4, u->size);
    sqlite3_bind_int64(st, 5, u->mtime);
    sqlite3_bind_int(st, 6, u->parts);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)time(NULL));
    return run(s, st, err, "record upload");
}

int fs_state_part_done(fs_state *s, const char *upload_id, int part, hcs_err *err)
{
    sqlite3_stmt *st = prep(s, "INSERT OR REPLACE INTO filestore_parts (upload_id, part, done_at)"
                               " VALUES (?1, ?2, ?3)", err);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, upload_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, part);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
    return run(s, st, err, "record part");
}

long fs_state_parts_count(fs_state *s, const char *upload_id, hcs_err *err)
{
    sqlite3_stmt *st = prep(s, "SELECT count(*) FROM filestore_parts WHERE upload_id = ?1", err);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, upload_id, -1, SQLITE_TRANSIENT);
    long n = sqlite3_step(st) == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    if (n < 0)
        return db_fail(s, err, "count parts");
    return n;
}

int fs_state_upload_end(fs_state *s, const char *context, const char *path, const char *upload_id,
                        hcs_err *err)
{
    sqlite3_stmt *st = prep(s, "DELETE FROM filestore_parts WHERE upload_id = ?1", err);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, upload_id, -1, SQLITE_TRANSIENT);
    if (run(s, st, err, "forget parts") < 0)
        return -1;
    st = prep(s, "DELETE FROM filestore_uploads WHERE context = ?1 AND path = ?2", err);
    if (!st)
        return -1;
    bind_texts(st, 2, (const char *[]){ context, path });
    return run(s, st, err, "forget upload");
}

int fs_state_attachment_find(fs_state *s, const char *context, const char *sha256, const char *scope,
                             char guid[37], char hash[65], hcs_err *err)
{
    sqlite3_stmt *st = prep(s, "SELECT guid, hash FROM filestore_attachments"
                               " WHERE context = ?1 AND sha256 = ?2 AND scope = ?3", err);
    if (!st)
        return -1;
    bind_texts(st, 3, (const char *[]){ context, sha256, scope });
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        copy_col(st, 0, guid, 37);
        copy_col(st, 1, hash, 65);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return db_fail(s, err, "find attachment");
}

int fs_state_attachment_put(fs_state *s, const char *context, const char *sha256, const char *scope,
                            int64_t size, const char *name, const char *guid, const char *hash,
                            hcs_err *err)
{
    sqlite3_stmt *st = prep(s, "INSERT OR REPLACE INTO filestore_attachments"
                               " (context, sha256, scope, size, name, guid, hash, uploaded_at)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", err);
    if (!st)
        return -1;
    bind_texts(st, 3, (const char *[]){ context, sha256, scope });
    sqlite3_bind_int64(st, 4, size);
    sqlite3_bind_text(st, 5, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, guid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)time(NULL));
    return run(s, st, err, "remember attachment");
}

int fs_state_attachment_forget(fs_state *s, const char *guid, hcs_err *err)
{
    sqlite3_stmt *st = prep(s, "DELETE FROM filestore_attachments WHERE guid = ?1", err);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, guid, -1, SQLITE_TRANSIENT);
    return run(s, st, err, "forget attachment");
}
