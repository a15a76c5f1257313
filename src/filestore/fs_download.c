/* fs_download — GET <context>/<FileGUID>?getfile: the size from HEAD, then
 * the whole file (≤ 5 MB) or Range parts of 5 MB appended to <out>.part,
 * which a later run continues from its size; renamed to <out> only when the
 * size matches what GIS announced. */
#include "filestore/fs_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/guid.h"
#include "base/xalloc.h"
#include "proto/fs_proto.h"

/* Size of the file from HEAD (X-Upload-Length). */
static int probe_size(fs_client *c, const char *url, const char *guid, uint64_t *size,
                      struct fs_download_result *res, hcs_err *err)
{
    struct transport_response resp;
    int rc = fs_request(c, "HEAD", url, (const char *[]){ c->provider_line, NULL }, NULL, 0, 0, &resp, err);
    char what[128], len[64] = "", done[16] = "";
    snprintf(what, sizeof what, "file %s", guid);
    if (rc == 0 && !(resp.status >= 200 && resp.status < 300))
        rc = fs_answer_error(&resp, what, res->gis_error, err);
    if (rc == 0) {
        transport_response_header_copy(&resp, "X-Upload-Length", len, sizeof len);
        transport_response_header_copy(&resp, "X-Upload-Completed", done, sizeof done);
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(len, &end, 10);
        if (!len[0] || *end || errno)
            rc = hcs_fail(err, HCS_EX_PROTOCOL, "%s: HEAD answered no X-Upload-Length", what);
        else if (done[0] && strcmp(done, "true") != 0)
            rc = hcs_fail(err, HCS_EX_DATAERR, "%s: the upload is not completed in GIS", what);
        else
            *size = v;
    }
    transport_response_clear(&resp);
    return rc;
}

static int write_all(int fd, const char *p, size_t n, const char *path, hcs_err *err)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return hcs_fail(err, HCS_EX_CANTCREAT, "%s: %s", path, strerror(errno));
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* One GET: the range [from, to] (or the whole file when whole) appended to fd. */
static int get_piece(fs_client *c, const char *url, const char *guid, int fd, const char *part_path,
                     uint64_t from, uint64_t to, int whole, uint64_t total,
                     struct fs_download_result *res, hcs_err *err)
{
    char range[96];
    snprintf(range, sizeof range, "Range: bytes=%" PRIu64 "-%" PRIu64, from, to);
    const char *headers[] = { c->provider_line, whole ? NULL : range, NULL };
    struct transport_response resp;
    int rc = fs_request(c, "GET", url, headers, NULL, 0, 0, &resp, err);
    res->requests++;
    char what[160];
    snprintf(what, sizeof what, "file %s bytes %" PRIu64 "-%" PRIu64, guid, from, to);
    uint64_t want = to - from + 1;
    if (rc == 0 && !(resp.status == 200 || resp.status == 206))
        rc = fs_answer_error(&resp, what, res->gis_error, err);
    if (rc == 0 && resp.status == 200 && !whole && !(from == 0 && to + 1 == total))
        rc = hcs_fail(err, HCS_EX_PROTOCOL, "%s: GIS ignored the Range header", what);
    if (rc == 0 && resp.body_len != want)
        rc = hcs_fail(err, HCS_EX_PROTOCOL, "%s: got %zu bytes instead of %" PRIu64, what,
                      resp.body_len, want);
    if (rc == 0)
        rc = write_all(fd, resp.body, resp.body_len, part_path, err);
    transport_response_clear(&resp);
    return rc;
}

int fs_download(fs_client *c, const char *context, const char *guid_in, const char *out_path,
                struct fs_download_result *res, hcs_err *err)
{
    memset(res, 0, sizeof *res);
    char guid[GUID_STRLEN + 1];
    if (guid_normalize(guid_in, guid) < 0)
        return hcs_fail(err, HCS_EX_USAGE, "\"%s\" is not a file GUID", guid_in);
    if (!context || !*context || strpbrk(context, "/?#% "))
        return hcs_fail(err, HCS_EX_USAGE, "bad file store context \"%s\"", context ? context : "");
    char *head_url = xasprintf("%s%s/%s", c->root, context, guid);
    char *url = xasprintf("%s?getfile", head_url);
    char *part_path = xasprintf("%s.part", out_path);
    uint64_t total = 0;
    int fd = -1;
    int rc = probe_size(c, head_url, guid, &total, res, err);
    if (rc == 0) {
        fd = open(part_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0)
            rc = hcs_fail(err, HCS_EX_CANTCREAT, "%s: %s", part_path, strerror(errno));
    }
    struct stat st;
    uint64_t have = 0;
    if (rc == 0 && fstat(fd, &st) == 0)
        have = (uint64_t)st.st_size;
    /* <out>.part.id names the file the .part belongs to: a .part of another
     * GUID (or of unknown origin) is not continued. */
    char *id_path = xasprintf("%s.id", part_path);
    if (rc == 0 && have > 0) {
        hcs_err ignore = { 0 };
        size_t idlen = 0;
        char *id = file_read_all(id_path, 64, &idlen, &ignore);
        if (!id || idlen < GUID_STRLEN || strncmp(id, guid, GUID_STRLEN) != 0)
            have = total + 1;            /* forces the restart below */
        free(id);
    }
    if (rc == 0 && file_write_atomic(id_path, guid, GUID_STRLEN, err) < 0)
        rc = -1;
    if (rc == 0 && have > total) {
        /* not the same file: start over */
        if (ftruncate(fd, 0) != 0)
            rc = hcs_fail(err, HCS_EX_CANTCREAT, "%s: %s", part_path, strerror(errno));
        have = 0;
    }
    res->resumed_from = have;
    if (rc == 0 && have == 0 && total > 0 && total <= FS_SINGLE_MAX) {
        rc = get_piece(c, url, guid, fd, part_path, 0, total - 1, 1, total, res, err);
        have = rc == 0 ? total : have;
    }
    while (rc == 0 && have < total) {
        uint64_t to = have + FS_PART_SIZE < total ? have + FS_PART_SIZE - 1 : total - 1;
        rc = get_piece(c, url, guid, fd, part_path, have, to, 0, total, res, err);
        if (rc == 0)
            have = to + 1;
    }
    if (rc == 0 && (fsync(fd) != 0 || fstat(fd, &st) != 0))
        rc = hcs_fail(err, HCS_EX_IOERR, "%s: %s", part_path, strerror(errno));
    if (rc == 0 && (uint64_t)st.st_size != total)
        rc = hcs_fail(err, HCS_EX_PROTOCOL, "file %s: %lld bytes on disk, GIS announced %" PRIu64, guid,
                      (long long)st.st_size, total);
    if (fd >= 0)
        close(fd);
    if (rc == 0 && rename(part_path, out_path) != 0)
        rc = hcs_fail(err, HCS_EX_CANTCREAT, "%s: %s", out_path, strerror(errno));
    if (rc == 0)
        unlink(id_path);
    free(id_path);
    if (rc == 0)
        res->size = total;
    free(part_path);
    free(url);
    free(head_url);
    return rc;
}
