/* sim_filestore — the simulator's GIS file store: single PUT up to 5 MB,
 * multipart uploads (POST ?upload, PUT parts, POST ?completed, HEAD),
 * downloads (GET ?getfile with Range), and the AttachmentHASH lookup the
 * SOAP checks use.
 *
 * Everything lives on disk under <state_dir>/filestore/ so a restarted
 * simulator keeps its files and half-finished uploads:
 *   <id>.meta   key=value lines (context, name, length, parts, completed, hash)
 *   <id>.data   the file; parts are written at their offset (never whole in memory)
 *   <id>.parts  one byte per part, '1' once that part arrived intact
 * The GOST R 34.11-94 hash is computed on the first lookup and then kept in
 * the meta file: hashing a 1 GB file takes ~35 s, which uploads should not
 * wait for. */
#include "sim/sim_filestore.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base/fsutil.h"
#include "base/guid.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "proto/fs_proto.h"
#include "base/crypto.h"

struct sim_filestore {
    char *dir;
    pthread_mutex_t lock;
    int legacy_header;        /* also accept X-Upload-Dataprovider */
};

/* The contexts the real file store knows (PROTOCOL.md and the rules). */
static const char *const known_contexts[] = {
    "homemanagement", "bills", "agreements", "voting", "inspection", "licenses",
    "informing", "rki", "passport", "publiccontent", "indices", "ppa", "nsi",
    "contentmanagement", "capitalrepair", "disclosure", "organizations", "msp",
    "payment", "tariff", "appeals", "debtrequests", NULL
};

struct upload {
    char id[GUID_STRLEN + 1];
    char context[64];
    char *name;               /* decoded UTF-8 file name */
    uint64_t length;
    uint64_t parts;           /* 0: single PUT */
    int completed;
    char hash[65];            /* "" until the first lookup */
};

static void upload_clear(struct upload *u)
{
    free(u->name);
    memset(u, 0, sizeof *u);
}

/* ---- responses ---- */

static void add_header(struct sim_http_response *resp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void add_header(struct sim_http_response *resp, const char *fmt, ...)
{
    int n = 0;
    while (n < 15 && resp->headers[n])
        n++;
    if (n >= 15)
        return;
    va_list ap;
    va_start(ap, fmt);
    strbuf sb = STRBUF_INIT;
    sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    resp->headers[n] = sb_detach(&sb, NULL);
    resp->headers[n + 1] = NULL;
}

static void set_body(struct sim_http_response *resp, const char *text)
{
    free(resp->body);
    resp->body = xstrdup(text);
    resp->body_len = strlen(text);
}

/* 400 + X-Upload-Error: the one way the file store says no. */
static void fail(struct sim_http_response *resp, const char *exception, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(struct sim_http_response *resp, const char *exception, const char *fmt, ...)
{
    resp->status = 400;
    add_header(resp, "X-Upload-Error: %s", exception);
    va_list ap;
    va_start(ap, fmt);
    strbuf sb = STRBUF_INIT;
    sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    sb_addc(&sb, '\n');
    free(resp->body);
    resp->body = sb_detach(&sb, &resp->body_len);
    snprintf(resp->note, sizeof resp->note, "error=%s", exception);
}

void sim_filestore_response_clear(struct sim_http_response *resp)
{
    free(resp->body);
    for (int i = 0; i < 16 && resp->headers[i]; i++)
        free(resp->headers[i]);
    memset(resp, 0, sizeof *resp);
}

/* ---- meta files ---- */

static char *file_of(const sim_filestore *fs, const char *id, const char *ext)
{
    return xasprintf("%s/%s.%s", fs->dir, id, ext);
}

static int meta_save(const sim_filestore *fs, const struct upload *u)
{
    strbuf sb = STRBUF_INIT;
    sb_addf(&sb, "context=%s\nname=%s\nlength=%" PRIu64 "\nparts=%" PRIu64 "\ncompleted=%d\nhash=%s\n",
            u->context, u->name, u->length, u->parts, u->completed, u->hash);
    char *path = file_of(fs, u->id, "meta");
    hcs_err err = { 0 };
    int rc = file_write_atomic(path, sb.buf, sb.len, &err);
    free(path);
    sb_free(&sb);
    return rc;
}

/* 1 loaded, 0 no such upload (or not a GUID). */
static int meta_load(const sim_filestore *fs, const char *id_in, struct upload *u)
{
    memset(u, 0, sizeof *u);
    if (guid_normalize(id_in, u->id) < 0)
        return 0;
    char *path = file_of(fs, u->id, "meta");
    hcs_err err = { 0 };
    size_t len = 0;
    char *text = file_read_all(path, 65536, &len, &err);
    free(path);
    if (!text)
        return 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *eq = strchr(line, '=');
        if (!eq)
            continue;
        *eq = '\0';
        const char *v = eq + 1;
        if (!strcmp(line, "context"))
            snprintf(u->context, sizeof u->context, "%s", v);
        else if (!strcmp(line, "name"))
            u->name = xstrdup(v);
        else if (!strcmp(line, "length"))
            u->length = strtoull(v, NULL, 10);
        else if (!strcmp(line, "parts"))
            u->parts = strtoull(v, NULL, 10);
        else if (!strcmp(line, "completed"))
            u->completed = atoi(v);
        else if (!strcmp(line, "hash"))
            snprintf(u->hash, sizeof u->hash, "%s", v);
    }
    free(text);
    if (!u->name)
        u->name = xstrdup("");
    return 1;
}

/* ---- request helpers ---- */

static const char *hdr(const struct sim_http_request *req, const char *name)
{
    const char *v = req->header ? req->header(req->conn, name) : NULL;
    return v && *v ? v : NULL;
}

static int parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s)
        return -1;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || *s == '-')
        return -1;
    *out = v;
    return 0;
}

static int context_known(const char *ctx)
{
    for (const char *const *c = known_contexts; *c; c++)
        if (!strcmp(*c, ctx))
            return 1;
    return 0;
}

/* Checks what creating an upload needs: the provider header, a decodable
 * file name with an allowed extension.  Returns the decoded name or NULL
 * (resp filled).  The real file store wants the organisation in
 * X-Upload-OrgPPAGUID (every client that works against it sends that; the
 * older X-Upload-Dataprovider carried a SenderID) and answers a request
 * without it like any other missing required header; the old name is
 * accepted only in legacy mode (--legacy-upload-header). */
static char *check_create_headers(const sim_filestore *fs, const struct sim_http_request *req,
                                  struct sim_http_response *resp)
{
    const char *prov = hdr(req, "X-Upload-OrgPPAGUID");
    if (!prov && fs->legacy_header)
        prov = hdr(req, "X-Upload-Dataprovider");
    char g[GUID_STRLEN + 1];
    if (!prov) {
        fail(resp, "FieldValidationException",
             hdr(req, "X-Upload-Dataprovider") ? "X-Upload-OrgPPAGUID missing (X-Upload-Dataprovider is the "
                                                 "legacy name, accepted only with --legacy-upload-header)"
                                               : "X-Upload-OrgPPAGUID missing");
        return NULL;
    }
    if (guid_normalize(prov, g) < 0) {
        fail(resp, "FieldValidationException", "X-Upload-OrgPPAGUID is not a GUID");
        return NULL;
    }
    const char *raw = hdr(req, "X-Upload-Filename");
    if (!raw) {
        fail(resp, "FieldValidationException", "X-Upload-Filename missing");
        return NULL;
    }
    char *name = fs_rfc2047_decode(raw);
    if (!name || !*name || strpbrk(name, "\r\n/\\")) {
        fail(resp, "FieldValidationException", "X-Upload-Filename is not a valid RFC 2047 file name");
        free(name);
        return NULL;
    }
    if (!fs_ext_allowed(name)) {
        fail(resp, "DetectionException", "file type not allowed: %s (allowed: %s)", name,
             fs_allowed_extensions);
        free(name);
        return NULL;
    }
    return name;
}

/* 0 when Content-MD5 is present and matches the body (resp filled otherwise). */
static int check_md5(const struct sim_http_request *req, struct sim_http_response *resp)
{
    unsigned char want[16], got[16];
    const char *v = hdr(req, "Content-MD5");
    if (!v || fs_md5_parse(v, want) < 0) {
        fail(resp, "FieldValidationException", "Content-MD5 missing or not base64 of an MD5 digest");
        return -1;
    }
    fs_md5(req->body, req->body_len, got);
    if (memcmp(want, got, 16) != 0) {
        fail(resp, "HashConflictException", "Content-MD5 does not match the body");
        return -1;
    }
    return 0;
}

static int write_at(const char *path, int flags, const void *data, size_t len, uint64_t off)
{
    int fd = open(path, O_WRONLY | flags, 0644);
    if (fd < 0)
        return -1;
    const char *p = data;
    while (len) {
        ssize_t w = pwrite(fd, p, len, (off_t)off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            close(fd);
            return -1;
        }
        p += w;
        len -= (size_t)w;
        off += (uint64_t)w;
    }
    return close(fd);
}

static void storage_error(struct sim_http_response *resp, const char *what)
{
    resp->status = 500;
    set_body(resp, what);
    snprintf(resp->note, sizeof resp->note, "error=storage");
}

/* ---- operations ---- */

static void put_single(sim_filestore *fs, const struct sim_http_request *req, const char *ctx,
                       struct sim_http_response *resp)
{
    char *name = check_create_headers(fs, req, resp);
    if (!name)
        return;
    if (check_md5(req, resp) < 0)
        goto out;
    if (req->body_len == 0 || req->body_len > FS_SINGLE_MAX) {
        fail(resp, "InvalidSizeException", "a single PUT takes 1..%llu bytes, got %zu",
             (unsigned long long)FS_SINGLE_MAX, req->body_len);
        goto out;
    }
    struct upload u = { .length = req->body_len, .completed = 1, .name = name };
    guid_new(u.id);
    snprintf(u.context, sizeof u.context, "%s", ctx);
    char *data = file_of(fs, u.id, "data");
    int rc = write_at(data, O_CREAT | O_TRUNC, req->body, req->body_len, 0);
    free(data);
    if (rc < 0 || meta_save(fs, &u) < 0) {
        storage_error(resp, "cannot store the file\n");
        goto out;
    }
    resp->status = 200;
    add_header(resp, "X-Upload-UploadID: %s", u.id);
    snprintf(resp->note, sizeof resp->note, "put upload=%s", u.id);
out:
    free(name);
}

static void post_upload(sim_filestore *fs, const struct sim_http_request *req, const char *ctx,
                        struct sim_http_response *resp)
{
    char *name = check_create_headers(fs, req, resp);
    if (!name)
        return;
    uint64_t length = 0, count = 0;
    if (parse_u64(hdr(req, "X-Upload-Length"), &length) < 0 ||
        parse_u64(hdr(req, "X-Upload-Part-Count"), &count) < 0) {
        fail(resp, "FieldValidationException", "X-Upload-Length and X-Upload-Part-Count must be numbers");
        goto out;
    }
    if (length == 0 || length > FS_MAX_SIZE) {
        fail(resp, "InvalidSizeException", "X-Upload-Length must be 1..%llu, got %" PRIu64,
             (unsigned long long)FS_MAX_SIZE, length);
        goto out;
    }
    if (count != fs_part_count(length, FS_PART_SIZE)) {
        fail(resp, "InvalidPartNumberException", "%" PRIu64 " bytes make %" PRIu64 " parts of %llu, not %" PRIu64,
             length, fs_part_count(length, FS_PART_SIZE), (unsigned long long)FS_PART_SIZE, count);
        goto out;
    }
    struct upload u = { .length = length, .parts = count, .name = name };
    guid_new(u.id);
    snprintf(u.context, sizeof u.context, "%s", ctx);
    char *data = file_of(fs, u.id, "data");
    char *parts = file_of(fs, u.id, "parts");
    char *zeros = xcalloc(1, count);
    memset(zeros, '0', count);
    int rc = write_at(parts, O_CREAT | O_TRUNC, zeros, count, 0);
    if (rc == 0) {
        int fd = open(data, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        rc = fd < 0 || ftruncate(fd, (off_t)length) < 0 ? -1 : 0;   /* sparse until parts arrive */
        if (fd >= 0)
            close(fd);
    }
    free(zeros);
    free(data);
    free(parts);
    if (rc < 0 || meta_save(fs, &u) < 0) {
        storage_error(resp, "cannot create the upload\n");
        goto out;
    }
    resp->status = 200;
    add_header(resp, "X-Upload-UploadID: %s", u.id);
    snprintf(resp->note, sizeof resp->note, "upload=%s parts=%" PRIu64, u.id, count);
out:
    free(name);
}

/* Loads the upload named in the path, checking it belongs to this context. */
static int find_upload(sim_filestore *fs, const char *ctx, const char *id, struct upload *u,
                       struct sim_http_response *resp)
{
    if (!meta_load(fs, id, u) || strcmp(u->context, ctx) != 0) {
        upload_clear(u);
        fail(resp, "FileNotFoundException", "no upload %s in context %s", id, ctx);
        return -1;
    }
    return 0;
}

/* The '0'/'1' map of received parts; caller frees. NULL for single uploads. */
static char *parts_map(sim_filestore *fs, const struct upload *u)
{
    if (!u->parts)
        return NULL;
    char *path = file_of(fs, u->id, "parts");
    hcs_err err = { 0 };
    size_t len = 0;
    char *map = file_read_all(path, FS_MAX_PARTS + 16, &len, &err);
    free(path);
    if (map && len < u->parts) {
        map = xrealloc(map, u->parts + 1);
        memset(map + len, '0', u->parts - len);
    }
    return map;
}

static void put_part(sim_filestore *fs, const struct sim_http_request *req, const char *ctx,
                     const char *id, struct sim_http_response *resp)
{
    struct upload u;
    if (find_upload(fs, ctx, id, &u, resp) < 0)
        return;
    uint64_t n = 0;
    if (u.completed || !u.parts) {
        fail(resp, "InvalidStatusException", "upload %s is %s", u.id,
             u.completed ? "already completed" : "not a multipart upload");
        goto out;
    }
    if (parse_u64(hdr(req, "X-Upload-Partnumber"), &n) < 0) {
        fail(resp, "FieldValidationException", "X-Upload-Partnumber missing or not a number");
        goto out;
    }
    if (n < 1 || n > u.parts) {
        fail(resp, "InvalidPartNumberException", "part %" PRIu64 " outside 1..%" PRIu64, n, u.parts);
        goto out;
    }
    uint64_t want = n < u.parts ? FS_PART_SIZE : u.length - (u.parts - 1) * FS_PART_SIZE;
    if (req->body_len != want) {
        fail(resp, "InvalidSizeException", "part %" PRIu64 " must be %" PRIu64 " bytes, got %zu", n,
             want, req->body_len);
        goto out;
    }
    if (check_md5(req, resp) < 0) {
        snprintf(resp->note, sizeof resp->note, "part=%" PRIu64 " error=HashConflictException", n);
        goto out;
    }
    char *data = file_of(fs, u.id, "data");
    char *parts = file_of(fs, u.id, "parts");
    int rc = write_at(data, 0, req->body, req->body_len, (n - 1) * FS_PART_SIZE);
    /* the map is written after the data: a crash in between loses the part, never corrupts */
    if (rc == 0)
        rc = write_at(parts, 0, "1", 1, n - 1);
    free(data);
    free(parts);
    if (rc < 0) {
        storage_error(resp, "cannot store the part\n");
        goto out;
    }
    resp->status = 200;
    snprintf(resp->note, sizeof resp->note, "part=%" PRIu64 " upload=%s", n, u.id);
out:
    upload_clear(&u);
}

static void post_completed(sim_filestore *fs, const char *ctx, const char *id,
                           struct sim_http_response *resp)
{
    struct upload u;
    if (find_upload(fs, ctx, id, &u, resp) < 0)
        return;
    char *map = parts_map(fs, &u);
    if (u.completed || !u.parts) {
        fail(resp, "InvalidStatusException", "upload %s is already completed", u.id);
        goto out;
    }
    if (!map) {
        storage_error(resp, "cannot read the part map\n");
        goto out;
    }
    strbuf missing = STRBUF_INIT;
    for (uint64_t i = 0; i < u.parts; i++)
        if (map[i] != '1')
            sb_addf(&missing, "%s%" PRIu64, missing.len ? "," : "", i + 1);
    if (missing.len) {
        fail(resp, "InvalidStatusException", "upload %s misses parts %s", u.id, sb_str(&missing));
        sb_free(&missing);
        goto out;
    }
    u.completed = 1;
    if (meta_save(fs, &u) < 0) {
        storage_error(resp, "cannot complete the upload\n");
        goto out;
    }
    resp->status = 200;
    snprintf(resp->note, sizeof resp->note, "completed upload=%s", u.id);
out:
    free(map);
    upload_clear(&u);
}

static void head_upload(sim_filestore *fs, const char *ctx, const char *id,
                        struct sim_http_response *resp)
{
    struct upload u;
    if (find_upload(fs, ctx, id, &u, resp) < 0)
        return;
    strbuf done = STRBUF_INIT;
    char *map = parts_map(fs, &u);
    for (uint64_t i = 0; map && i < u.parts; i++)
        if (map[i] == '1')
            sb_addf(&done, "%s%" PRIu64, done.len ? "," : "", i + 1);
    if (!u.parts && u.completed)
        sb_adds(&done, "1");
    char *enc = fs_rfc2047_encode(u.name);
    resp->status = 200;
    add_header(resp, "X-Upload-Completed-Parts: %s", sb_str(&done));
    add_header(resp, "X-Upload-Completed: %s", u.completed ? "true" : "false");
    add_header(resp, "X-Upload-Length: %" PRIu64, u.length);
    add_header(resp, "X-Upload-Part-Count: %" PRIu64, u.parts ? u.parts : 1);
    add_header(resp, "X-Upload-Filename: %s", enc);
    snprintf(resp->note, sizeof resp->note, "head upload=%s", u.id);
    free(enc);
    free(map);
    sb_free(&done);
    upload_clear(&u);
}

/* "bytes=a-b" or "bytes=a-"; 0 ok, -1 malformed. */
static int parse_range(const char *v, uint64_t length, uint64_t *from, uint64_t *to)
{
    if (strncasecmp(v, "bytes=", 6) != 0)
        return -1;
    const char *p = v + 6;
    char *end = NULL;
    if (*p < '0' || *p > '9')
        return -1;
    *from = strtoull(p, &end, 10);
    if (*end != '-')
        return -1;
    p = end + 1;
    if (!*p) {
        *to = length ? length - 1 : 0;
    } else {
        if (*p < '0' || *p > '9')
            return -1;
        *to = strtoull(p, &end, 10);
        if (*end)
            return -1;
        if (*to >= length)
            *to = length - 1;
    }
    return 0;
}

static void get_file(sim_filestore *fs, const struct sim_http_request *req, const char *ctx,
                     const char *id, struct sim_http_response *resp)
{
    struct upload u;
    if (find_upload(fs, ctx, id, &u, resp) < 0)
        return;
    uint64_t from = 0, to = u.length - 1;
    const char *range = hdr(req, "Range");
    if (!u.completed) {
        fail(resp, "InvalidStatusException", "upload %s is not completed", u.id);
        goto out;
    }
    if (range) {
        if (parse_range(range, u.length, &from, &to) < 0) {
            fail(resp, "FieldValidationException", "malformed Range: %s", range);
            goto out;
        }
        if (from >= u.length || from > to) {
            resp->status = 416;
            add_header(resp, "Content-Range: bytes */%" PRIu64, u.length);
            goto out;
        }
    }
    /* Bounded memory: one answer carries at most one part. */
    if (to - from + 1 > FS_PART_SIZE) {
        fail(resp, "InvalidSizeException", "files over %llu bytes are downloaded in Range parts of at most that size",
             (unsigned long long)FS_PART_SIZE);
        goto out;
    }
    size_t n = (size_t)(to - from + 1);
    char *path = file_of(fs, u.id, "data");
    int fd = open(path, O_RDONLY);
    free(path);
    char *buf = xmalloc(n ? n : 1);
    size_t got = 0;
    while (fd >= 0 && got < n) {
        ssize_t r = pread(fd, buf + got, n - got, (off_t)(from + got));
        if (r <= 0) {
            if (r < 0 && errno == EINTR)
                continue;
            break;
        }
        got += (size_t)r;
    }
    if (fd >= 0)
        close(fd);
    if (got != n) {
        free(buf);
        storage_error(resp, "cannot read the file\n");
        goto out;
    }
    char *enc = fs_rfc2047_encode(u.name);
    resp->status = range ? 206 : 200;
    resp->body = buf;
    resp->body_len = n;
    add_header(resp, "Content-Type: application/octet-stream");
    add_header(resp, "X-Upload-Filename: %s", enc);
    add_header(resp, "X-Upload-Length: %" PRIu64, u.length);
    if (range)
        add_header(resp, "Content-Range: bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, from, to, u.length);
    snprintf(resp->note, sizeof resp->note, "getfile %" PRIu64 "-%" PRIu64 " upload=%s", from, to, u.id);
    free(enc);
out:
    upload_clear(&u);
}

/* ---- entry points ---- */

sim_filestore *sim_filestore_open(const char *state_dir)
{
    hcs_err err = { 0 };
    char *dir = path_join(state_dir, "filestore");
    if (mkdir_p(dir, &err) < 0) {
        free(dir);
        return NULL;
    }
    sim_filestore *fs = xcalloc(1, sizeof *fs);
    fs->dir = dir;
    pthread_mutex_init(&fs->lock, NULL);
    return fs;
}

void sim_filestore_set_legacy_header(sim_filestore *fs, int on)
{
    fs->legacy_header = on;
}

void sim_filestore_free(sim_filestore *fs)
{
    if (!fs)
        return;
    pthread_mutex_destroy(&fs->lock);
    free(fs->dir);
    free(fs);
}

static void dispatch(sim_filestore *fs, const struct sim_http_request *req, const char *ctx,
                     const char *id, struct sim_http_response *resp)
{
    const char *m = req->method ? req->method : "";
    const char *q = req->query ? req->query : "";
    if (!*id) {
        if (!strcmp(m, "PUT") && !*q)
            put_single(fs, req, ctx, resp);
        else if (!strcmp(m, "POST") && !strcmp(q, "upload"))
            post_upload(fs, req, ctx, resp);
        else
            fail(resp, "FieldValidationException", "%s %s/?%s is not a file store request", m, ctx, q);
        return;
    }
    if (!strcmp(m, "PUT") && !*q)
        put_part(fs, req, ctx, id, resp);
    else if (!strcmp(m, "POST") && !strcmp(q, "completed"))
        post_completed(fs, ctx, id, resp);
    else if (!strcmp(m, "HEAD"))
        head_upload(fs, ctx, id, resp);
    else if (!strcmp(m, "GET") && !strcmp(q, "getfile"))
        get_file(fs, req, ctx, id, resp);
    else
        fail(resp, "FieldValidationException", "%s %s/%s?%s is not a file store request", m, ctx, id, q);
}

void sim_filestore_handle(sim_filestore *fs, const struct sim_http_request *req,
                          struct sim_http_response *resp)
{
    memset(resp, 0, sizeof *resp);
    /* "<context>[/<id>][/]" */
    const char *path = req->path ? req->path : "";
    while (*path == '/')
        path++;
    size_t clen = strcspn(path, "/");
    char ctx[64] = "", id[128] = "";
    if (clen == 0 || clen >= sizeof ctx) {
        fail(resp, "ContextNotFoundException", "no context in the path");
        return;
    }
    memcpy(ctx, path, clen);
    const char *rest = path + clen;
    while (*rest == '/')
        rest++;
    size_t idlen = strcspn(rest, "/");
    if (idlen >= sizeof id || rest[idlen + (rest[idlen] == '/')] != '\0') {
        fail(resp, "FileNotFoundException", "malformed file store path");
        return;
    }
    memcpy(id, rest, idlen);
    if (!context_known(ctx)) {
        fail(resp, "ContextNotFoundException", "unknown context %s", ctx);
        return;
    }
    pthread_mutex_lock(&fs->lock);
    dispatch(fs, req, ctx, id, resp);
    pthread_mutex_unlock(&fs->lock);
}

static int hash_file(const char *path, const EVP_MD *md, char out[65])
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, md, NULL);
    size_t cap = 1 << 20;
    char *buf = xmalloc(cap);
    for (;;) {
        ssize_t r = read(fd, buf, cap);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            ok = 0;
        if (r <= 0)
            break;
        ok = ok && EVP_DigestUpdate(ctx, buf, (size_t)r);
    }
    unsigned char bin[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    ok = ok && EVP_DigestFinal_ex(ctx, bin, &n) && n == 32;
    if (ok)
        fs_hex(bin, n, out);
    EVP_MD_CTX_free(ctx);
    free(buf);
    close(fd);
    return ok ? 0 : -1;
}

int sim_filestore_lookup(sim_filestore *fs, const char *upload_id, char hash_hex[65])
{
    struct upload u;
    int found = 0;
    pthread_mutex_lock(&fs->lock);
    if (meta_load(fs, upload_id, &u) && u.completed) {
        if (!u.hash[0]) {
            hcs_err err = { 0 };
            const EVP_MD *md = crypto_md("md_gost94", &err);
            char *data = file_of(fs, u.id, "data");
            if (md && hash_file(data, md, u.hash) == 0)
                meta_save(fs, &u);
            else
                u.hash[0] = '\0';
            free(data);
        }
        if (u.hash[0]) {
            memcpy(hash_hex, u.hash, 65);
            found = 1;
        }
    }
    upload_clear(&u);
    pthread_mutex_unlock(&fs->lock);
    return found;
}
