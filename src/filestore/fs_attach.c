/* fs_attach — attachments named in input rows: upload once per content.
 * The content key is the SHA-256 of the bytes (a fast extra read; the GOST
 * digest is ~30 MB/s and only needed when the file is actually sent), the
 * context and the hash scope (a scope change means a different
 * AttachmentHASH, hence a fresh upload). */
#include "filestore/fs_impl.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "base/xalloc.h"

int fs_lease_renew(fs_client *c, hcs_err *err)
{
    if (!c->state || !c->lease_key)
        return 0;
    int held = store_lease_take(c->state, "upload", c->lease_key, c->owner, (int64_t)time(NULL), c->lease_seconds,
                                err);
    c->lease_lost = held == 0;
    if (held == 0)
        return hcs_fail(err, HCS_EX_TEMPFAIL, "upload %s: the claim's lease ended and another worker took the "
                        "upload over", c->lease_key);
    return held < 0 ? -1 : 0;
}

static void sleep_ms(long ms)
{
    struct timespec d = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&d, &d) < 0 && errno == EINTR)
        ;
}

/* The upload of this content is ours to make: 1 (claimed; nobody has made
 * it yet), 0 when it is made (out filled, reused) — by an earlier run or
 * by the worker whose claim this waited for —, -1 error.  A dead worker's
 * claim ends with its lease and is taken over here. */
static int claim_or_find(fs_client *c, const char *key, const char *context, const char *sha,
                         const char *scope, const char *path, struct fs_attachment *out, hcs_err *err)
{
    for (int said = 0;; said = 1) {
        int found = store_attachment_find(c->state, context, sha, scope, out->guid, out->hash, err);
        if (found)
            return found < 0 ? -1 : (out->reused = 1, 0);
        int taken = store_lease_take(c->state, "upload", key, c->owner, (int64_t)time(NULL), c->lease_seconds, err);
        if (taken < 0)
            return -1;
        if (taken) {
            /* made and released between the look and the claim? */
            found = store_attachment_find(c->state, context, sha, scope, out->guid, out->hash, err);
            if (found == 0)
                return 1;
            store_lease_release(c->state, "upload", key, c->owner, err);
            return found < 0 ? -1 : (out->reused = 1, 0);
        }
        if (!said)
            log_info("%s: another worker is uploading the same content; waiting for it", path);
        sleep_ms(200);
    }
}

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
    char *key = xasprintf("%s/%s/%s", context, scope, sha);
    struct fs_upload_result res;
    int rc;
    for (;;) {
        rc = c->state ? claim_or_find(c, key, context, sha, scope, path, out, err) : 1;
        if (rc <= 0) {
            free(key);
            return rc;
        }
        c->lease_key = c->state ? key : NULL;
        c->lease_lost = 0;
        rc = fs_upload(c, context, path, name, &res, err);
        c->lease_key = NULL;
        if (rc == 0 || !c->lease_lost)
            break;
        /* our lease ended under us and another worker goes on with the
         * upload (resumed from the parts GIS has): wait for its result */
        log_warn("%s: %s; waiting for that worker", path, err->msg);
    }
    if (rc == 0) {
        memcpy(out->guid, res.guid, sizeof out->guid);
        memcpy(out->hash, res.hash, sizeof out->hash);
    }
    if (rc == 0 && c->state)
        rc = store_attachment_put(c->state, context, sha, scope, (int64_t)size, name ? name : path_base(path),
                                  res.guid, res.hash, err);
    if (c->state) {
        hcs_err ignored;
        store_lease_release(c->state, "upload", key, c->owner, &ignored);
    }
    free(key);
    return rc;
}

/* 1 when path is dir itself or below it (both canonical). */
static int is_under(const char *dir, const char *path)
{
    size_t n = strlen(dir);
    return strncmp(dir, path, n) == 0 && (path[n] == '/' || (n == 1 && dir[0] == '/'));
}

int filestore_attach_cell(fs_client *c, const char *context, const char *input_file, const char *cell,
                          struct fs_attachment *out, hcs_err *err)
{
    memset(out, 0, sizeof *out);
    if (!cell || !*cell)
        return hcs_fail(err, HCS_EX_DATAERR, "no attachment file named");
    /* accountants on Windows write docs\\file.pdf */
    char *rel = xstrdup(cell);
    for (char *p = rel; *p; p++)
        if (*p == '\\')
            *p = '/';
    int dotdot = 0;
    for (const char *p = rel; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            dotdot = 1;
        p += n;
        while (*p == '/')
            p++;
    }
    if (rel[0] == '/' || dotdot || strchr(rel, ':')) {
        free(rel);
        return hcs_fail(err, HCS_EX_DATAERR, "attachment \"%s\": give a path relative to the input file's "
                        "folder, without \"..\"", cell);
    }
    char *copy = xstrdup(input_file);
    char *slash = strrchr(copy, '/');
    if (slash)
        *slash = '\0';
    char *dir = realpath(slash ? (copy[0] ? copy : "/") : ".", NULL);
    free(copy);
    if (!dir) {
        free(rel);
        return hcs_fail(err, HCS_EX_NOINPUT, "%s: %s", input_file, strerror(errno));
    }
    char *joined = path_join(dir, rel);
    char *real = realpath(joined, NULL);
    int rc;
    if (!real)
        rc = hcs_fail(err, HCS_EX_DATAERR, "attachment \"%s\" (next to %s): %s", cell, path_base(input_file),
                      strerror(errno));
    else if (!is_under(dir, real))
        rc = hcs_fail(err, HCS_EX_DATAERR, "attachment \"%s\" leads out of the input file's folder", cell);
    else
        rc = filestore_attach(c, context, real, path_base(rel), out, err);
    free(rel);
    free(real);
    free(joined);
    free(dir);
    return rc;
}

int filestore_attach_resolve(void *ctx, const char *input_file, const char *cell, char guid[37],
                             char hash[65], hcs_err *err)
{
    struct fs_attach_ctx *a = ctx;
    struct fs_attachment out;
    if (filestore_attach_cell(a->client, a->context, input_file, cell, &out, err) < 0)
        return -1;
    memcpy(guid, out.guid, 37);
    memcpy(hash, out.hash, 65);
    if (out.reused)
        a->reused++;
    else
        a->uploaded++;
    return 0;
}
