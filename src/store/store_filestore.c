/* store_filestore — the file store client's tables:
 * unfinished multipart uploads (filestore_uploads, filestore_parts) and
 * files uploaded per content (filestore_attachments). */
#include <stdio.h>
#include <string.h>

#include "store/store_sq.h"

static void copy_col(sq_stmt *s, int i, char *out, size_t cap)
{
    const char *v = sq_col_text(s, i);
    snprintf(out, cap, "%s", v ? (const char *)v : "");
}

/* 1 when the step found a row, 0 when none, -1 (err) on failure; finalizes
 * the statement only when it is done with it (0 and -1). */
static int step_row(store *st, sq_stmt *s, hcs_err *err, const char *what)
{
    int rc = sq_step(s);
    if (rc == SQ_ROW)
        return 1;
    sq_finalize(s);
    return rc == SQ_DONE ? 0 : sq_fail(st, err, what);
}

int store_upload_find(store *st, const char *context, const char *path, struct store_upload *u,
                      hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "SELECT upload_id, size, mtime, parts FROM filestore_uploads"
                    " WHERE context = ?1 AND path = ?2", &s, err) < 0)
        return -1;
    sq_text(s, 1, context);
    sq_text(s, 2, path);
    int found = step_row(st, s, err, "find upload");
    if (found == 1) {
        copy_col(s, 0, u->upload_id, sizeof u->upload_id);
        u->size = sq_col_i64(s, 1);
        u->mtime = sq_col_i64(s, 2);
        u->parts = sq_col_int(s, 3);
        sq_finalize(s);
    }
    return found;
}

int store_upload_begin(store *st, const char *context, const char *path, const struct store_upload *u,
                       hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "INSERT INTO filestore_uploads"
                    " (context, path, upload_id, size, mtime, parts, started_at)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (context, path) DO UPDATE SET"
                    " upload_id=excluded.upload_id, size=excluded.size, mtime=excluded.mtime,"
                    " parts=excluded.parts, started_at=excluded.started_at", &s, err) < 0)
        return -1;
    sq_text(s, 1, context);
    sq_text(s, 2, path);
    sq_text(s, 3, u->upload_id);
    sq_bind_i64(s, 4, u->size);
    sq_bind_i64(s, 5, u->mtime);
    sq_bind_int(s, 6, u->parts);
    sq_bind_i64(s, 7, sq_now());
    return sq_done(st, s, err, "record upload");
}

int store_upload_part_done(store *st, const char *upload_id, int part, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "INSERT INTO filestore_parts (upload_id, part, done_at)"
                    " VALUES (?1, ?2, ?3) ON CONFLICT (upload_id, part) DO UPDATE SET done_at=excluded.done_at", &s, err) < 0)
        return -1;
    sq_text(s, 1, upload_id);
    sq_bind_int(s, 2, part);
    sq_bind_i64(s, 3, sq_now());
    return sq_done(st, s, err, "record part");
}

long store_upload_parts_count(store *st, const char *upload_id, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "SELECT count(*) FROM filestore_parts WHERE upload_id = ?1", &s, err) < 0)
        return -1;
    sq_text(s, 1, upload_id);
    if (step_row(st, s, err, "count parts") != 1)
        return -1;
    long n = (long)sq_col_i64(s, 0);
    sq_finalize(s);
    return n;
}

int store_upload_end(store *st, const char *context, const char *path, const char *upload_id,
                     hcs_err *err)
{
    sq_stmt *s;
    if (store_begin(st, err) < 0)
        return -1;
    if (sq_prep(st, "DELETE FROM filestore_parts WHERE upload_id = ?1", &s, err) < 0)
        goto fail;
    sq_text(s, 1, upload_id);
    if (sq_done(st, s, err, "forget parts") < 0)
        goto fail;
    if (sq_prep(st, "DELETE FROM filestore_uploads WHERE context = ?1 AND path = ?2", &s, err) < 0)
        goto fail;
    sq_text(s, 1, context);
    sq_text(s, 2, path);
    if (sq_done(st, s, err, "forget upload") < 0)
        goto fail;
    return store_commit(st, err);
fail:
    store_rollback(st);
    return -1;
}

int store_attachment_find(store *st, const char *context, const char *sha256, const char *scope,
                          char guid[37], char hash[65], hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "SELECT guid, hash FROM filestore_attachments"
                    " WHERE context = ?1 AND sha256 = ?2 AND scope = ?3", &s, err) < 0)
        return -1;
    sq_take_text(s, 1, sq_org_scoped(st, context));   /* one organisation's upload is not another's */
    sq_text(s, 2, sha256);
    sq_text(s, 3, scope);
    int found = step_row(st, s, err, "find attachment");
    if (found == 1) {
        copy_col(s, 0, guid, 37);
        copy_col(s, 1, hash, 65);
        sq_finalize(s);
    }
    return found;
}

int store_attachment_put(store *st, const char *context, const char *sha256, const char *scope,
                         int64_t size, const char *name, const char *guid, const char *hash, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "INSERT INTO filestore_attachments"
                    " (context, sha256, scope, size, name, guid, hash, uploaded_at)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (context, sha256, scope) DO UPDATE SET"
                    " size=excluded.size, name=excluded.name, guid=excluded.guid, hash=excluded.hash,"
                    " uploaded_at=excluded.uploaded_at", &s, err) < 0)
        return -1;
    sq_take_text(s, 1, sq_org_scoped(st, context));
    sq_text(s, 2, sha256);
    sq_text(s, 3, scope);
    sq_bind_i64(s, 4, size);
    sq_text(s, 5, name);
    sq_text(s, 6, guid);
    sq_text(s, 7, hash);
    sq_bind_i64(s, 8, sq_now());
    return sq_done(st, s, err, "remember attachment");
}

int store_attachment_forget(store *st, const char *guid, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "DELETE FROM filestore_attachments WHERE guid = ?1", &s, err) < 0)
        return -1;
    sq_text(s, 1, guid);
    return sq_done(st, s, err, "forget attachment");
}
