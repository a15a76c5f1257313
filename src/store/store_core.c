/* store_core — runs and input files (store.h), in the SQL both drivers run. */
#include "store/store_sq.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/xalloc.h"

/* ---- runs ---- */

int store_run_begin(store *st, const char *command, int64_t *run_id, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "INSERT INTO runs(command, pid, started_at, org) VALUES (?, ?, ?, ?) RETURNING id", &s, err) < 0)
        return -1;
    sq_text(s, 1, command);
    sq_bind_i64(s, 2, (int64_t)getpid());
    sq_bind_i64(s, 3, sq_now());
    sq_text(s, 4, sq_org(st));
    return sq_insert_id(st, s, run_id, err, "start run");
}

int store_run_finish(store *st, int64_t run_id, int exit_code, const char *summary, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "UPDATE runs SET finished_at=?, exit_code=?, summary=? WHERE id=?", &s, err) < 0)
        return -1;
    sq_bind_i64(s, 1, sq_now());
    sq_bind_int(s, 2, exit_code);
    sq_text(s, 3, summary);
    sq_bind_i64(s, 4, run_id);
    return sq_done(st, s, err, "finish run");
}

int64_t store_run_unfinished_since(store *st, const char *command, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "SELECT coalesce(min(started_at), 0) FROM runs WHERE command=?1 AND org=?2"
                    " AND finished_at IS NULL AND id > coalesce((SELECT max(id) FROM runs"
                    " WHERE command=?1 AND org=?2 AND finished_at IS NOT NULL), 0)", &s, err) < 0)
        return -1;
    sq_text(s, 1, command);
    sq_text(s, 2, sq_org(st));
    return sq_one_i64(st, s, err, "unfinished runs");
}

int store_runs_each(store *st, int limit, store_run_fn fn, void *ctx, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "SELECT id, command, pid, started_at, coalesce(finished_at, 0),"
                    " coalesce(exit_code, -1), summary, org FROM runs WHERE (CAST(?2 AS TEXT) IS NULL OR org = ?2)"
                    " ORDER BY id DESC LIMIT ?1", &s, err) < 0)
        return -1;
    sq_bind_int(s, 1, limit);
    sq_text(s, 2, sq_org_filter(st));
    int stop = 0;
    while (!stop && sq_step(s) == SQ_ROW) {
        struct store_run r = {
            .id = sq_col_i64(s, 0),
            .command = (const char *)sq_col_text(s, 1),
            .pid = sq_col_i64(s, 2),
            .started_at = sq_col_i64(s, 3),
            .finished_at = sq_col_i64(s, 4),
            .exit_code = sq_col_int(s, 5),
            .summary = (const char *)sq_col_text(s, 6),
            .org = (const char *)sq_col_text(s, 7),
        };
        stop = fn(ctx, &r);
    }
    sq_finalize(s);
    return stop;
}

/* ---- files ---- */

void store_file_clear(struct store_file *f)
{
    free(f->path); free(f->name); free(f->sha256); free(f->template_name);
    free(f->operation); free(f->state); free(f->archive_path); free(f->error); free(f->org);
    memset(f, 0, sizeof *f);
}

#define FILE_COLS "id, run_id, path, name, sha256, template, operation, state, rows, rows_rejected," \
                  " archive_path, error, created_at, updated_at, org"

#define FF(member, kind) SQ_FIELD(struct store_file, member, kind)
static const struct sq_field file_fields[] = {   /* FILE_COLS, in order */
    FF(id, SQ_I64), FF(run_id, SQ_I64), FF(path, SQ_TEXT), FF(name, SQ_TEXT), FF(sha256, SQ_TEXT),
    FF(template_name, SQ_TEXT), FF(operation, SQ_TEXT), FF(state, SQ_TEXT), FF(rows, SQ_LONG),
    FF(rows_rejected, SQ_LONG), FF(archive_path, SQ_TEXT), FF(error, SQ_TEXT), FF(created_at, SQ_I64),
    FF(updated_at, SQ_I64), FF(org, SQ_TEXT),
};

static void read_file_row(sq_stmt *s, struct store_file *f)
{
    sq_read_row(s, file_fields, sizeof file_fields / sizeof *file_fields, f);
}

int store_file_add(store *st, struct store_file *f, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "INSERT INTO files(run_id, path, name, sha256, template, operation, state, rows,"
                    " rows_rejected, archive_path, error, created_at, updated_at, org)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id", &s, err) < 0)
        return -1;
    int64_t now = sq_now();
    sq_bind_i64(s, 1, f->run_id);
    sq_text(s, 2, f->path);
    sq_text(s, 3, f->name ? f->name : path_base(f->path));
    sq_text(s, 4, f->sha256);
    sq_text(s, 5, f->template_name);
    sq_text(s, 6, f->operation);
    sq_text(s, 7, f->state ? f->state : "converting");
    sq_bind_i64(s, 8, f->rows);
    sq_bind_i64(s, 9, f->rows_rejected);
    sq_text(s, 10, f->archive_path);
    sq_text(s, 11, f->error);
    sq_bind_i64(s, 12, now);
    sq_bind_i64(s, 13, now);
    sq_text(s, 14, sq_org(st));
    return sq_insert_id(st, s, &f->id, err, "add file");
}

int store_file_update(store *st, const struct store_file *f, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "UPDATE files SET state=?, rows=?, rows_rejected=?, archive_path=?, error=?,"
                    " operation=?, path=?, updated_at=? WHERE id=?", &s, err) < 0)
        return -1;
    sq_text(s, 1, f->state);
    sq_bind_i64(s, 2, f->rows);
    sq_bind_i64(s, 3, f->rows_rejected);
    SQ_TEXTS(s, 4, f->archive_path, f->error, f->operation, f->path);
    sq_bind_i64(s, 8, sq_now());
    sq_bind_i64(s, 9, f->id);
    return sq_done(st, s, err, "update file");
}

int store_file_find_hash(store *st, const char *sha256, const char *template_name,
                         struct store_file *f, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "SELECT " FILE_COLS " FROM files WHERE sha256=? AND template=? AND org=?"
                    " AND state NOT IN ('converting', 'rejected') ORDER BY id DESC LIMIT 1", &s, err) < 0)
        return -1;
    sq_text(s, 1, sha256);
    sq_text(s, 2, template_name);
    sq_text(s, 3, sq_org(st));
    int rc = sq_step(s);
    if (rc == SQ_ROW)
        read_file_row(s, f);
    sq_finalize(s);
    if (rc != SQ_ROW && rc != SQ_DONE)
        return sq_fail(st, err, "find file");
    return rc == SQ_ROW;
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
        sq_stmt *s;
        if (sq_prep(st, sql[i], &s, err) < 0)
            goto fail;
        sq_bind_i64(s, 1, id);
        if (sq_done(st, s, err, "discard file") < 0)
            goto fail;
    }
    return store_commit(st, err);
fail:
    store_rollback(st);
    return -1;
}

/* Converted files of org ?1 none of whose packets waits for GIS any more. */
#define FILES_FINISHED " WHERE state='converted' AND org=?1 AND NOT EXISTS (SELECT 1 FROM packets p" \
                       " WHERE p.file_id=files.id AND p.state IN" \
                       " ('created','prepared','sent','processing','deferred'))"

int store_files_finish(store *st, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "UPDATE files SET state='done', updated_at=?2" FILES_FINISHED, &s, err) < 0)
        return -1;
    sq_text(s, 1, sq_org(st));
    sq_bind_i64(s, 2, sq_now());
    return sq_done(st, s, err, "finish files");
}

long store_files_finishable(store *st, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "SELECT count(*) FROM files" FILES_FINISHED, &s, err) < 0)
        return -1;
    sq_text(s, 1, sq_org(st));
    return (long)sq_one_i64(st, s, err, "count finished files");
}

/* Hands each selected file row to fn until it asks to stop; finalizes s. */
static int each_file_row(store *st, sq_stmt *s, store_file_fn fn, void *ctx, hcs_err *err)
{
    int stop = 0, rc = SQ_DONE;
    while (!stop && (rc = sq_step(s)) == SQ_ROW) {
        struct store_file f = { 0 };
        read_file_row(s, &f);
        stop = fn(ctx, &f);
        store_file_clear(&f);
    }
    if (!stop && rc == SQ_ERROR)
        stop = sq_fail(st, err, "list files");
    sq_finalize(s);
    return stop;
}

int store_files_touched(store *st, int64_t run_id, int64_t since, store_file_fn fn, void *ctx,
                        hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "SELECT " FILE_COLS " FROM files WHERE state <> 'converting' AND org = ?3 AND (run_id = ?1"
                    " OR updated_at >= ?2 OR id IN (SELECT file_id FROM packets WHERE updated_at >= ?2)) ORDER BY id", &s, err) < 0)
        return -1;
    sq_bind_i64(s, 1, run_id);
    sq_bind_i64(s, 2, since);
    sq_text(s, 3, sq_org(st));
    return each_file_row(st, s, fn, ctx, err);
}

int store_files_each(store *st, int64_t run_id, const char *state, store_file_fn fn, void *ctx,
                     hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "SELECT " FILE_COLS " FROM files WHERE (?1 = 0 OR run_id = ?1)"
                    " AND (CAST(?2 AS TEXT) IS NULL OR state = ?2)"
                    " AND (CAST(?3 AS TEXT) IS NULL OR org = ?3) ORDER BY id", &s, err) < 0)
        return -1;
    sq_bind_i64(s, 1, run_id);
    sq_text(s, 2, state);
    sq_text(s, 3, sq_org_filter(st));
    return each_file_row(st, s, fn, ctx, err);
}
