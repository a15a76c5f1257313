/* fs_state — what the file store client remembers between runs, in the
 * state database (SQLite, paths.work_dir/store.path — the same file as the
 * store, own tables prefixed filestore_):
 *   filestore_uploads      an unfinished multipart upload per (context, file):
 *                          UploadID, size and mtime (a changed file starts over)
 *   filestore_parts        parts GIS acknowledged (informational: after a
 *                          crash HEAD is the truth)
 *   filestore_attachments  uploads per content (SHA-256, context, hash scope)
 *                          → AttachmentGUID + AttachmentHASH, so a file is sent once
 * TODO(integration): move behind src/store/store.h (a registry kind
 * "attachment" and a resume table) when the store grows them. */
#ifndef HCS_FS_STATE_H
#define HCS_FS_STATE_H

#include <stdint.h>

#include "base/err.h"

typedef struct fs_state fs_state;

fs_state *fs_state_open(const char *db_path, long busy_timeout_ms, hcs_err *err);
void fs_state_close(fs_state *s);

struct fs_state_upload {
    char upload_id[37];
    int64_t size, mtime;
    int parts;
};
/* 1 found, 0 none, -1 error. */
int fs_state_upload_find(fs_state *s, const char *context, const char *path,
                         struct fs_state_upload *u, hcs_err *err);
int fs_state_upload_begin(fs_state *s, const char *context, const char *path,
                          const struct fs_state_upload *u, hcs_err *err);
int fs_state_part_done(fs_state *s, const char *upload_id, int part, hcs_err *err);
long fs_state_parts_count(fs_state *s, const char *upload_id, hcs_err *err);
/* Forgets the upload and its parts (finished, or GIS no longer knows it). */
int fs_state_upload_end(fs_state *s, const char *context, const char *path, const char *upload_id,
                        hcs_err *err);

/* 1 found (guid, hash filled), 0 none, -1 error. */
int fs_state_attachment_find(fs_state *s, const char *context, const char *sha256, const char *scope,
                             char guid[37], char hash[65], hcs_err *err);
int fs_state_attachment_put(fs_state *s, const char *context, const char *sha256, const char *scope,
                            int64_t size, const char *name, const char *guid, const char *hash,
                            hcs_err *err);
/* Forgets a remembered attachment (GIS no longer has it). */
int fs_state_attachment_forget(fs_state *s, const char *guid, hcs_err *err);

#endif
