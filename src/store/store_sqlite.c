/* store_sqlite — the SQLite driver: opening (WAL, busy timeout, migrations),
 * transactions, runs and input files.  Packets, elements, registry and the
 * report queries are in store_packets.c; the file store client's tables in
 * store_filestore.c. */
#include "store/store_sqlite.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/xalloc.h"

int64_t sq_now(void)
{
    return (int64_t)time(NULL);
}

int sq_fail(store *st, hcs_err *err, const char *what)
{
    int code = sqlite3_errcode(st->db);
    int ex = (code == SQLITE_BUSY || code == SQLITE_LOCKED) ? HCS_EX_TEMPFAIL : HCS_EX_IOERR;
    return hcs_fail(err, ex, "state database %s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

int sq_exec(store *st, const char *sql, hcs_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int code = sqlite3_errcode(st->db);
        hcs_fail(err, code == SQLITE_BUSY ? HCS_EX_TEMPFAIL : HCS_EX_IOERR,
                 "state database %s: %s", st->path, msg ? msg : "error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

int sq_prep(store *st, const char *sql, sqlite3_stmt **stmt, hcs_err *err)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) != SQLITE_OK)
        return sq_fail(st, err, "prepare");
    return 0;
}

void sq_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

int sq_texts(sqlite3_stmt *s, int first, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sq_text(s, first + (int)i, v[i]);
    return first + (int)n;
}

char *sq_dup(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? xstrdup((const char *)t) : NULL;
}

void sq_read_row(sqlite3_stmt *s, const struct sq_field *fields, size_t n, void *out)
{
    for (size_t i = 0; i < n; i++) {
        char *at = (char *)out + fields[i].offset;
        int col = (int)i;
        switch (fields[i].type) {
        case SQ_I64: *(int64_t *)at = sqlite3_column_int64(s, col); break;
        case SQ_INT: *(int *)at = sqlite3_column_int(s, col); break;
        case SQ_LONG: *(long *)at = (long)sqlite3_column_int64(s, col); break;
        case SQ_TEXT: *(char **)at = sq_dup(s, col); break;
        case SQ_GUID: {
            const unsigned char *t = sqlite3_column_text(s, col);
            snprintf(at, 37, "%s", t ? (const char *)t : "");
            break;
        }
        }
    }
}

int sq_get_by_id(store *st, const char *sql, int64_t id, const struct sq_field *fields, size_t n, void *out,
                 const char *what, hcs_err *err)
{
    sqlite3_stmt *s;
    if (sq_prep(st, sql, &s, err) < 0)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        sq_read_row(s, fields, n, out);
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW)
        return hcs_fail(err, HCS_EX_DATAERR, "no %s with id %lld", what, (long long)id);
    return 0;
}

int sq_done(store *st, sqlite3_stmt *s, hcs_err *err, const char *what)
{
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return sq_fail(st, err, what);
    return 0;
}

int sq_cached(store *st, sqlite3_stmt **cached, const char *sql, hcs_err *err)
{
    return *cached ? 0 : sq_prep(st, sql, cached, err);
}

int sq_done_cached(store *st, sqlite3_stmt *s, hcs_err *err, const char *what)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return sq_fail(st, err, what);
    return 0;
}

/* ---- opening and migrations ---- */

static int read_version(store *st, int *version, hcs_err *err)
{
    sqlite3_stmt *s;
    *version = 0;
    if (sq_prep(st, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_version'",
                &s, err) < 0)
        return -1;
    int exists = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) > 0;
    sqlite3_finalize(s);
    if (!exists)
        return 0;
    if (sq_prep(st, "SELECT max(version) FROM schema_version", &s, err) < 0)
        return -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        *version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return 0;
}

static int migrate(store *st, hcs_err *err)
{
    int version;
    /* Up to date: no write lock.  A second connection (the file store
     * client's, `hcsbatch status`) opens while the run holds a transaction. */
    if (read_version(st, &version, err) < 0)
        return -1;
    if (version == (int)store_sqlite_migration_count())
        return 0;
    if (store_begin(st, err) < 0)
        return -1;
    if (read_version(st, &version, err) < 0)
        goto fail;
    int latest = (int)store_sqlite_migration_count();
    if (version > latest) {
        hcs_fail(err, HCS_EX_CONFIG, "state database %s has schema version %d; this hcsbatch knows %d",
                 st->path, version, latest);
        goto fail;
    }
    if (version == 0 && sq_exec(st, "CREATE TABLE schema_version (version INTEGER NOT NULL,"
                                    " applied_at INTEGER NOT NULL)", err) < 0)
        goto fail;
    for (int v = version + 1; v <= latest; v++) {
        if (sq_exec(st, store_sqlite_migration((size_t)v), err) < 0)
            goto fail;
        sqlite3_stmt *s;
        if (sq_prep(st, "INSERT INTO schema_version(version, applied_at) VALUES (?, ?)", &s, err) < 0)
            goto fail;
        sqlite3_bind_int(s, 1, v);
        sqlite3_bind_int64(s, 2, sq_now());
        if (sq_done(st, s, err, "record schema version") < 0)
            goto fail;
    }
    return store_commit(st, err);
fail:
    store_rollback(st);
    return -1;
}

store *store_open_sqlite(const char *path, int busy_timeout_ms, hcs_err *err)
{
    store *st = xcalloc(1, sizeof *st);
    st->path = xstrdup(path);
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        hcs_fail(err, HCS_EX_CANTCREAT, "cannot open state database %s: %s", path,
                 st->db ? sqlite3_errmsg(st->db) : "out of memory");
        store_close(st);
        return NULL;
    }
    sqlite3_busy_timeout(st->db, busy_timeout_ms > 0 ? busy_timeout_ms : 10000);
    /* WAL: readers (status, reports) never block the run; synchronous=FULL:
     * a committed state change survives a power cut, not only a kill. */
    if (sq_exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", err) < 0
        || migrate(st, err) < 0) {
        store_close(st);
        return NULL;
    }
    return st;
}

store *store_open(const hcs_config *cfg, hcs_err *err)
{
    const char *driver = cfg_str(cfg, "store.driver");
    if (driver && strcmp(driver, "sqlite") != 0) {
        hcs_fail(err, HCS_EX_CONFIG, "store.driver=%s is not available in this build (only sqlite)", driver);
        return NULL;
    }
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
    store *st = store_open_sqlite(path, (int)cfg_int(cfg, "store.busy_timeout_ms", 10000), err);
    free(path);
    return st;
}

void store_close(store *st)
{
    if (!st)
        return;
    sqlite3_finalize(st->registry_get);
    sb_free(&st->lookup_key);
    for (int i = 0; i < 2; i++) {
        sqlite3_finalize(st->registry_find[i]);
        sqlite3_finalize(st->registry_answer[i]);
    }
    sqlite3_finalize(st->registry_put);
    if (st->db)
        sqlite3_close_v2(st->db);
    free(st->path);
    free(st);
}

int store_schema_version(store *st)
{
    int v = 0;
    hcs_err err;
    if (read_version(st, &v, &err) < 0)
        return -1;
    return v;
}

/* ---- transactions ---- */

int store_begin(store *st, hcs_err *err)
{
    if (st->tx_depth++ > 0)
        return 0;
    if (sq_exec(st, "BEGIN IMMEDIATE", err) < 0) {
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
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

void store_rollback(store *st)
{
    if (st->tx_depth <= 0)
        return;
    st->tx_depth = 0;
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_set_full_sync(store *st, int full, hcs_err *err)
{
    return sq_exec(st, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", err);
}

int store_flush(store *st, hcs_err *err)
{
    return sq_exec(st, "PRAGMA wal_checkpoint(PASSIVE)", err);
}

int store_integrity_check(store *st, char *out, size_t outlen, hcs_err *err)
{
    sqlite3_stmt *s;
    if (sq_prep(st, "PRAGMA integrity_check", &s, err) < 0)
        return -1;
    const char *first = "no answer";
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        first = (const char *)sqlite3_column_text(s, 0);
    snprintf(out, outlen, "%s", first);
    sqlite3_finalize(s);
    return 0;
}

/* ---- runs ---- */

int store_run_begin(store *st, const char *command, int64_t *run_id, hcs_err *err)
{
    sqlite3_stmt *s;
    if (sq_prep(st, "INSERT INTO runs(command, pid, started_at) VALUES (?, ?, ?)", &s, err) < 0)
        return -1;
    sq_text(s, 1, command);
    sqlite3_bind_int64(s, 2, (int64_t)getpid());
    sqlite3_bind_int64(s, 3, sq_now());
    if (sq_done(st, s, err, "start run") < 0)
        return -1;
    *run_id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int store_run_finish(store *st, int64_t run_id, int exit_code, const char *summary, hcs_err *err)
{
    sqlite3_stmt *s;
    if (sq_prep(st, "UPDATE runs SET finished_at=?, exit_code=?, summary=? WHERE id=?", &s, err) < 0)
        return -1;
    sqlite3_bind_int64(s, 1, sq_now());
    sqlite3_bind_int(s, 2, exit_code);
    sq_text(s, 3, summary);
    sqlite3_bind_int64(s, 4, run_id);
    return sq_done(st, s, err, "finish run");
}

int store_runs_each(store *st, int limit, store_run_fn fn, void *ctx, hcs_err *err)
{
    sqlite3_stmt *s;
    if (sq_prep(st, "SELECT id, command, pid, started_at, coalesce(finished_at, 0),"
                    " coalesce(exit_code, -1), summary FROM runs ORDER BY id DESC LIMIT ?", &s, err) < 0)
        return -1;
    sqlite3_bind_int(s, 1, limit);
    int stop = 0;
    while (!stop && sqlite3_step(s) == SQLITE_ROW) {
        struct store_run r = {
            .id = sqlite3_column_int64(s, 0),
            .command = (const char *)sqlite3_column_text(s, 1),
            .pid = sqlite3_column_int64(s, 2),
            .started_at = sqlite3_column_int64(s, 3),
            .finished_at = sqlite3_column_int64(s, 4),
            .exit_code = sqlite3_column_int(s, 5),
            .summary = (const char *)sqlite3_column_text(s, 6),
        };
        stop = fn(ctx, &r);
    }
    sqlite3_finalize(s);
    return stop;
}

/* ---- files ---- */

void store_file_clear(struct store_file *f)
{
    free(f->path); free(f->name); free(f->sha256); free(f->template_name);
    free(f->operation); free(f->state); free(f->archive_path); free(f->error);
    memset(f, 0, sizeof *f);
}

#define FILE_COLS "id, run_id, path, name, sha256, template, operation, state, rows, rows_rejected," \
                  " archive_path, error, created_at, updated_at"

#define FF(member, kind) SQ_FIELD(struct store_file, member, kind)
static const struct sq_field file_fields[] = {   /* FILE_COLS, in order */
    FF(id, SQ_I64), FF(run_id, SQ_I64), FF(path, SQ_TEXT), FF(name, SQ_TEXT), FF(sha256, SQ_TEXT),
    FF(template_name, SQ_TEXT), FF(operation, SQ_TEXT), FF(state, SQ_TEXT), FF(rows, SQ_LONG),
    FF(rows_rejected, SQ_LONG), FF(archive_path, SQ_TEXT), FF(error, SQ_TEXT), FF(created_at, SQ_I64),
    FF(updated_at, SQ_I64),
};

static void read_file_row(sqlite3_stmt *s, struct store_file *f)
{
    sq_read_row(s, file_fields, sizeof file_fields / sizeof *file_fields, f);
}

int store_file_add(store *st, struct store_file *f, hcs_err *err)
{
    sqlite3_stmt *s;
    if (sq_prep(st, "INSERT INTO files(run_id, path, name, sha256, template, operation, state, rows,"
                    " rows_rejected, archive_path, error, created_at, updated_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", &s, err) < 0)
        return -1;
    int64_t now = sq_now();
    sqlite3_bind_int64(s, 1, f->run_id);
    sq_text(s, 2, f->path);
    sq_text(s, 3, f->name ? f->name : path_base(f->path));
    sq_text(s, 4, f->sha256);
    sq_text(s, 5, f->template_name);
    sq_text(s, 6, f->operation);
    sq_text(s, 7, f->state ? f->state : "converting");
    sqlite3_bind_int64(s, 8, f->rows);
    sqlite3_bind_int64(s, 9, f->rows_rejected);
    sq_text(s, 10, f->archive_path);
    sq_text(s, 11, f->error);
    sqlite3_bind_int64(s, 12, now);
    sqlite3_bind_int64(s, 13, now);
    if (sq_done(st, s, err, "add file") < 0)
        return -1;
    f->id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int store_file_update(store *st, const struct store_file *f, hcs_err *err)
{
    sqlite3_stmt *s;
    if (sq_prep(st, "UPDATE files SET state=?, rows=?, rows_rejected=?, archive_path=?, error=?,"
                    " operation=?, path=?, updated_at=? WHERE id=?", &s, err) < 0)
        return -1;
    sq_text(s, 1, f->state);
    sqlite3_bind_int64(s, 2, f->rows);
    sqlite3_bind_int64(s, 3, f->rows_rejected);
    SQ_TEXTS(s, 4, f->archive_path, f->error, f->operation, f->path);
    sqlite3_bind_int64(s, 8, sq_now());
    sqlite3_bind_int64(s, 9, f->id);
    return sq_done(st, s, err, "update file");
}

int store_file_find_hash(store *st, const char *sha256, const char *template_name,
                         struct store_file *f, hcs_err *err)
{
    sqlite3_stmt *s;
    if (sq_prep(st, "SELECT " FILE_COLS " FROM files WHERE sha256=? AND template=?"
                    " AND state NOT IN ('converting', 'rejected') ORDER BY id DESC LIMIT 1", &s, err) < 0)
        return -1;
    sq_text(s, 1, sha256);
    sq_text(s, 2, template_name);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        read_file_row(s, f);
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_fail(st, err, "find file");
    return rc == SQLITE_ROW;
}

int store_file_get(store *st, int64_t id, struct store_file *f, hcs_err *err)
{
    return sq_get_by_id(st, "SELECT " FILE_COLS " FROM files WHERE id=?", id, file_fields,
                        sizeof file_fields / sizeof *file_fields, f, "input file", err);
}

int store_file_discard(store *st, int64_t id, hcs_err *err)
{
    static const char *const sql[] = {
        "DELETE FROM element_rows WHERE element_id IN"
        " (SELECT e.id FROM elements e JOIN packets p ON p.id=e.packet_id WHERE p.file_id=?)",
        "DELETE FROM elements WHERE packet_id IN (SELECT id FROM packets WHERE file_id=?)",
        "DELETE FROM packet_messages WHERE packet_id IN (SELECT id FROM packets WHERE file_id=?)",
        "DELETE FROM packets WHERE file_id=?",
        "DELETE FROM rejects WHERE file_id=?",
        "DELETE FROM files WHERE id=?",
    };
    if (store_begin(st, err) < 0)
        return -1;
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        sqlite3_stmt *s;
        if (sq_prep(st, sql[i], &s, err) < 0)
            goto fail;
        sqlite3_bind_int64(s, 1, id);
        if (sq_done(st, s, err, "discard file") < 0)
            goto fail;
    }
    return store_commit(st, err);
fail:
    store_rollback(st);
    return -1;
}

int store_files_finish(store *st, hcs_err *err)
{
    return sq_exec(st, "UPDATE files SET state='done', updated_at=strftime('%s','now')"
                       " WHERE state='converted' AND NOT EXISTS (SELECT 1 FROM packets p"
                       " WHERE p.file_id=files.id AND p.state IN"
                       " ('created','prepared','sent','processing','deferred'))", err);
}

/* Hands each selected file row to fn until it asks to stop; finalizes s. */
static int each_file_row(sqlite3_stmt *s, store_file_fn fn, void *ctx)
{
    int stop = 0;
    while (!stop && sqlite3_step(s) == SQLITE_ROW) {
        struct store_file f = { 0 };
        read_file_row(s, &f);
        stop = fn(ctx, &f);
        store_file_clear(&f);
    }
    sqlite3_finalize(s);
    return stop;
}

int store_files_touched(store *st, int64_t run_id, int64_t since, store_file_fn fn, void *ctx,
                        hcs_err *err)
{
    sqlite3_stmt *s;
    if (sq_prep(st, "SELECT " FILE_COLS " FROM files WHERE state <> 'converting' AND (run_id = ?1"
                    " OR id IN (SELECT file_id FROM packets WHERE updated_at >= ?2)) ORDER BY id", &s, err) < 0)
        return -1;
    sqlite3_bind_int64(s, 1, run_id);
    sqlite3_bind_int64(s, 2, since);
    return each_file_row(s, fn, ctx);
}

int store_files_each(store *st, int64_t run_id, const char *state, store_file_fn fn, void *ctx,
                     hcs_err *err)
{
    sqlite3_stmt *s;
    if (sq_prep(st, "SELECT " FILE_COLS " FROM files WHERE (?1 = 0 OR run_id = ?1)"
                    " AND (?2 IS NULL OR state = ?2) ORDER BY id", &s, err) < 0)
        return -1;
    sqlite3_bind_int64(s, 1, run_id);
    sq_text(s, 2, state);
    return each_file_row(s, fn, ctx);
}
