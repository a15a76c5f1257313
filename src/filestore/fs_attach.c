/* fs_attach — attachments named in input rows: upload once per content.
 * The content key is the SHA-256 of the bytes (a fast extra read; the GOST
 * digest is ~30 MB/s and only needed when the file is actually sent), the
 * context and the hash scope (a scope change means a different
 * AttachmentHASH, hence a fresh upload). */
#include "filestore/fs_impl.h"

#include <stdio.h>
#include <string.h>

#include "common/fsutil.h"

int filestore_attach(fs_client *c, const char *context, const char *path, const char *name,
                     struct fs_attachment *out, hcs_err *err)
{
    memset(out, 0, sizeof *out);
    uint64_t size = 0;
    if (fs_check_file(path, name, &size, err) < 0)
        return -1;
    char sha[65];
    if (file_sha256_hex(path, sha, err) < 0)
        return -1;
    const char *scope = c->hash_first_part ? "first_part" : "file";
    if (c->state) {
        int found = fs_state_attachment_find(c->state, context, sha, scope, out->guid, out->hash, err);
        if (found < 0)
            return -1;
        if (found) {
            out->reused = 1;
            return 0;
        }
    }
    struct fs_upload_result res;
    if (fs_upload(c, context, path, name, &res, err) < 0)
        return -1;
    memcpy(out->guid, res.guid, sizeof out->guid);
    memcpy(out->hash, res.hash, sizeof out->hash);
    if (c->state &&
        fs_state_attachment_put(c->state, context, sha, scope, (int64_t)size, name ? name : path_base(path),
                                res.guid, res.hash, err) < 0)
        return -1;
    return 0;
}
