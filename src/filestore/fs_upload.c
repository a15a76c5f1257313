/* fs_upload — sending one file to the GIS file store.
 *
 * Up to 5 MB: one PUT.  Above: POST ?upload, a PUT per 5 242 880-byte part,
 * POST ?completed.  The file is read once, part by part, into one of two
 * buffers; the main thread computes the part's MD5 and sends it while a
 * hashing thread (fs_hasher.c) feeds the same buffer to GOST R 34.11-94 (the slow digest,
 * ~30 MB/s), so sending and hashing overlap and memory stays at two parts.
 *
 * Resume: the UploadID is recorded before the first part is sent; a later
 * run for the same file (same size and mtime) asks HEAD which parts GIS has
 * and sends only the others (it still reads them all for the hash). */
#include "filestore/fs_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base/fsutil.h"
#include "base/guid.h"
#include "base/progress.h"
#include "base/xalloc.h"
#include "filestore/fs_hasher.h"
#include "proto/fs_proto.h"
#include "base/crypto.h"

/* ---- helpers ---- */

static int read_at(int fd, char *buf, size_t len, uint64_t off, const char *path, hcs_err *err)
{
    size_t got = 0;
    while (got < len) {
        ssize_t r = pread(fd, buf + got, len - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return hcs_fail(err, HCS_EX_IOERR, "%s: %s", path,
                            r < 0 ? strerror(errno) : "file shrank while being uploaded");
        got += (size_t)r;
    }
    return 0;
}

/* X-Upload-UploadID of a successful answer, as a canonical GUID. */
static int take_upload_id(const struct transport_response *r, char id[37], const char *what, hcs_err *err)
{
    char raw[128];
    if (!transport_response_header_copy(r, "X-Upload-UploadID", raw, sizeof raw) || guid_normalize(raw, id) < 0)
        return hcs_fail(err, HCS_EX_PROTOCOL, "%s: GIS file store answered %ld without a valid X-Upload-UploadID",
                        what, r->status);
    return 0;
}

static int ok_status(long s)
{
    return s >= 200 && s < 300;
}

/* ---- one PUT (≤ 5 MB) ---- */

static int upload_single(fs_client *c, const char *context, int fd, const char *path, const char *name,
                         uint64_t size, struct fs_upload_result *res, hcs_err *err)
{
    char *buf = xmalloc((size_t)size);
    int rc = read_at(fd, buf, (size_t)size, 0, path, err);
    char hash[2 * EVP_MAX_MD_SIZE + 1];
    if (rc == 0)
        rc = crypto_digest_hex("md_gost94", buf, (size_t)size, hash, err);
    if (rc < 0) {
        free(buf);
        return -1;
    }
    unsigned char md5[16];
    char b64[25];
    fs_md5(buf, (size_t)size, md5);
    fs_md5_b64(md5, b64);
    char *enc = fs_rfc2047_encode(name);
    char *h_md5 = xasprintf("Content-MD5: %s", b64);
    char *h_name = xasprintf("X-Upload-Filename: %s", enc);
    const char *headers[] = { c->provider_line, h_md5, h_name, "Content-Type: application/octet-stream", NULL };
    char *url = xasprintf("%s%s", c->root, context);
    struct transport_response resp;
    rc = fs_request(c, "PUT", url, headers, buf, (size_t)size, 1, &resp, err);
    if (rc < 0)
        transport_response_header_copy(&resp, "X-Upload-Error", res->gis_error, sizeof res->gis_error);
    if (rc == 0 && !ok_status(resp.status))
        rc = fs_answer_error(&resp, path, res->gis_error, err);
    if (rc == 0)
        rc = take_upload_id(&resp, res->guid, path, err);
    if (rc == 0) {
        memcpy(res->hash, hash, 65);
        res->parts_total = 1;
        res->parts_sent = 1;
    }
    transport_response_clear(&resp);
    free(url);
    free(h_md5);
    free(h_name);
    free(enc);
    free(buf);
    return rc;
}

/* ---- multipart ---- */

struct multipart {
    fs_client *c;
    const char *context, *path, *name;
    char *key;                /* state key: the file's real path */
    int fd;
    uint64_t size;
    int parts;
    int64_t mtime;
    char id[37];
    unsigned char *have;      /* parts GIS already has (resume) */
    int completed;            /* GIS already completed this upload */
    char *url;                /* <root><context>/<id> */
    progress *prog;           /* the TTY line, or NULL */
};

/* "1,2,5" → have[]. */
static void parse_parts(const char *list, unsigned char *have, int parts)
{
    for (const char *p = list; p && *p;) {
        char *end = NULL;
        long n = strtol(p, &end, 10);
        if (end == p) {
            p++;
            continue;
        }
        if (n >= 1 && n <= parts)
            have[n - 1] = 1;
        p = end;
    }
}

/* HEAD the recorded upload.  1: usable (have/completed filled), 0: GIS does
 * not know it (start over), -1 error. */
static int resume_probe(struct multipart *m, hcs_err *err)
{
    char *url = xasprintf("%s%s/%s", m->c->root, m->context, m->id);
    struct transport_response resp;
    int rc = fs_request(m->c, "HEAD", url, (const char *[]){ m->c->provider_line, NULL }, NULL, 0, 0, &resp, err);
    free(url);
    if (rc < 0) {
        transport_response_clear(&resp);
        return -1;
    }
    if (!ok_status(resp.status)) {
        /* FileNotFoundException (expired or unknown): a fresh upload is the answer */
        transport_response_clear(&resp);
        return 0;
    }
    char *list = transport_response_header(&resp, "X-Upload-Completed-Parts");
    char done[16] = "";
    transport_response_header_copy(&resp, "X-Upload-Completed", done, sizeof done);
    parse_parts(list, m->have, m->parts);
    m->completed = !strcmp(done, "true");
    free(list);
    transport_response_clear(&resp);
    return 1;
}

static int begin_upload(struct multipart *m, struct fs_upload_result *res, hcs_err *err)
{
    char *enc = fs_rfc2047_encode(m->name);
    char *h_name = xasprintf("X-Upload-Filename: %s", enc);
    char *h_len = xasprintf("X-Upload-Length: %" PRIu64, m->size);
    char *h_cnt = xasprintf("X-Upload-Part-Count: %d", m->parts);
    const char *headers[] = { m->c->provider_line, h_name, h_len, h_cnt, NULL };
    char *url = xasprintf("%s%s/?upload", m->c->root, m->context);
    struct transport_response resp;
    int rc = fs_request(m->c, "POST", url, headers, NULL, 0, 0, &resp, err);
    if (rc == 0 && !ok_status(resp.status))
        rc = fs_answer_error(&resp, m->path, res->gis_error, err);
    if (rc == 0)
        rc = take_upload_id(&resp, m->id, m->path, err);
    transport_response_clear(&resp);
    free(url);
    free(h_name);
    free(h_len);
    free(h_cnt);
    free(enc);
    if (rc == 0 && m->c->state) {
        struct store_upload u = { .size = (int64_t)m->size, .mtime = m->mtime, .parts = m->parts };
        memcpy(u.upload_id, m->id, sizeof u.upload_id);
        rc = store_upload_begin(m->c->state, m->context, m->key, &u, err);
    }
    return rc;
}

/* Finds a recorded upload of this very file and probes it, or begins one. */
static int find_or_begin(struct multipart *m, struct fs_upload_result *res, hcs_err *err)
{
    store *st = m->c->state;
    struct store_upload u;
    int found = st ? store_upload_find(st, m->context, m->key, &u, err) : 0;
    if (found < 0)
        return -1;
    if (found && u.size == (int64_t)m->size && u.mtime == m->mtime && u.parts == m->parts) {
        memcpy(m->id, u.upload_id, sizeof m->id);
        int probe = resume_probe(m, err);
        if (probe < 0)
            return -1;
        if (probe == 1) {
            res->resumed = 1;
            return 0;
        }
    }
    if (found && store_upload_end(st, m->context, m->key, u.upload_id, err) < 0)
        return -1;
    memset(m->have, 0, (size_t)m->parts);
    m->completed = 0;
    return begin_upload(m, res, err);
}

static int send_part(struct multipart *m, int n, const char *buf, size_t len,
                     struct fs_upload_result *res, hcs_err *err)
{
    unsigned char md5[16];
    char b64[25];
    fs_md5(buf, len, md5);
    fs_md5_b64(md5, b64);
    char h_md5[64], h_num[64];
    snprintf(h_md5, sizeof h_md5, "Content-MD5: %s", b64);
    snprintf(h_num, sizeof h_num, "X-Upload-Partnumber: %d", n);
    const char *headers[] = { m->c->provider_line, h_md5, h_num, "Content-Type: application/octet-stream", NULL };
    struct transport_response resp;
    int rc = fs_request(m->c, "PUT", m->url, headers, buf, len, 1, &resp, err);
    if (rc < 0) {
        /* e.g. HashConflictException on every attempt: keep the name for reports */
        transport_response_header_copy(&resp, "X-Upload-Error", res->gis_error, sizeof res->gis_error);
        hcs_err_wrap(err, "%s: part %d of %d", m->path, n, m->parts);
    }
    if (rc == 0 && !ok_status(resp.status)) {
        char what[PATH_MAX + 64];
        snprintf(what, sizeof what, "%s: part %d of %d", m->path, n, m->parts);
        rc = fs_answer_error(&resp, what, res->gis_error, err);
    }
    transport_response_clear(&resp);
    if (rc == 0) {
        res->parts_sent++;
        if (m->c->state)
            rc = store_upload_part_done(m->c->state, m->id, n, err);
        if (rc == 0)
            rc = fs_lease_renew(m->c, err);
    }
    return rc;
}

static int complete_upload(struct multipart *m, struct fs_upload_result *res, hcs_err *err)
{
    char *url = xasprintf("%s?completed", m->url);
    struct transport_response resp;
    int rc = fs_request(m->c, "POST", url, (const char *[]){ m->c->provider_line, NULL }, NULL, 0, 0, &resp, err);
    free(url);
    if (rc == 0 && !ok_status(resp.status)) {
        /* A retried POST whose first attempt did complete answers
         * InvalidStatusException: HEAD decides. */
        char xerr[64] = "";
        transport_response_header_copy(&resp, "X-Upload-Error", xerr, sizeof xerr);
        memset(m->have, 0, (size_t)m->parts);
        if (!strcmp(xerr, "InvalidStatusException") && resume_probe(m, err) == 1 && m->completed)
            rc = 0;
        else
            rc = fs_answer_error(&resp, m->path, res->gis_error, err);
    }
    transport_response_clear(&resp);
    return rc;
}

/* The single pass: read each part, hash it (thread), send the missing ones. */
static int send_parts(struct multipart *m, struct fs_upload_result *res, hcs_err *err)
{
    fs_hasher h;
    if (fs_hasher_start(&h, err) < 0)
        return -1;
    char *buf[2] = { xmalloc((size_t)FS_PART_SIZE), xmalloc((size_t)FS_PART_SIZE) };
    int rc = 0;
    double sent = 0;             /* bytes sent now (resumed parts are not), for the rate */
    for (int i = 0; i < m->parts && rc == 0; i++) {
        uint64_t off = (uint64_t)i * FS_PART_SIZE;
        size_t len = (size_t)(i + 1 < m->parts ? FS_PART_SIZE : m->size - off);
        int hash_it = !m->c->hash_first_part || i == 0;
        int send_it = !m->completed && !m->have[i];
        if (!hash_it && !send_it)
            continue;
        int slot = i % 2;
        fs_hasher_wait_slot(&h, slot);
        rc = read_at(m->fd, buf[slot], len, off, m->path, err);
        if (rc < 0)
            break;
        if (hash_it)
            fs_hasher_submit(&h, slot, buf[slot], len);
        if (send_it)
            rc = send_part(m, i + 1, buf[slot], len, res, err);
        if (send_it)
            sent += (double)len;
        progress_update(m->prog, sent, (double)(off + len) / (double)m->size);
    }
    int hrc = fs_hasher_finish(&h, rc == 0 ? res->hash : NULL, err);
    free(buf[0]);
    free(buf[1]);
    return rc < 0 ? -1 : hrc;
}

static int upload_multi(fs_client *c, const char *context, int fd, const char *path, const char *name,
                        const struct stat *st, progress *prog, struct fs_upload_result *res, hcs_err *err)
{
    struct multipart m = { .c = c, .context = context, .path = path, .name = name, .fd = fd,
                           .size = (uint64_t)st->st_size, .mtime = (int64_t)st->st_mtime, .prog = prog };
    m.parts = (int)fs_part_count(m.size, FS_PART_SIZE);
    char *real = realpath(path, NULL);
    m.key = real ? real : xstrdup(path);
    m.have = xcalloc((size_t)m.parts, 1);
    res->parts_total = m.parts;
    int rc = find_or_begin(&m, res, err);
    if (rc == 0) {
        m.url = xasprintf("%s%s/%s", c->root, context, m.id);
        rc = send_parts(&m, res, err);
    }
    if (rc == 0 && !m.completed)
        rc = complete_upload(&m, res, err);
    if (rc == 0 && c->state)
        rc = store_upload_end(c->state, context, m.key, m.id, err);
    if (rc == 0)
        memcpy(res->guid, m.id, sizeof res->guid);
    free(m.url);
    free(m.have);
    free(m.key);
    return rc;
}

int fs_upload(fs_client *c, const char *context, const char *path, const char *name,
              struct fs_upload_result *res, hcs_err *err)
{
    memset(res, 0, sizeof *res);
    if (!name)
        name = path_base(path);
    if (!context || !*context || strpbrk(context, "/?#% "))
        return hcs_fail(err, HCS_EX_USAGE, "bad file store context \"%s\"", context ? context : "");
    uint64_t size = 0;
    if (fs_check_file(path, name, &size, err) < 0)
        return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return hcs_fail(err, HCS_EX_NOINPUT, "%s: %s", path, strerror(e));
    }
    res->size = (uint64_t)st.st_size;
    char *what = xasprintf("uploading %s", name);
    progress *prog = progress_begin(what, PROGRESS_BYTES, NULL);
    free(what);
    progress_update(prog, 0, 0);     /* shown while a single PUT is on its way */
    int rc = (uint64_t)st.st_size <= FS_SINGLE_MAX
                 ? upload_single(c, context, fd, path, name, (uint64_t)st.st_size, res, err)
                 : upload_multi(c, context, fd, path, name, &st, prog, res, err);
    progress_end(prog);
    close(fd);
    return rc;
}
