#include "base/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "base/xalloc.h"

int mkdir_p(const char *path, hcs_err *err)
{
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            hcs_fail(err, HCS_EX_CANTCREAT, "cannot create directory %s: %s", p, strerror(errno));
            free(p);
            return -1;
        }
        *s = '/';
    }
    int rc = 0;
    if (mkdir(p, 0777) != 0 && errno != EEXIST)
        rc = hcs_fail(err, HCS_EX_CANTCREAT, "cannot create directory %s: %s", p, strerror(errno));
    free(p);
    return rc;
}

char *file_read_all(const char *path, size_t max, size_t *len, hcs_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        hcs_fail(err, HCS_EX_NOINPUT, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 8192, n = 0;
    char *buf = xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap >= max) {
                hcs_fail(err, HCS_EX_DATAERR, "%s: larger than %zu bytes", path, max);
                free(buf);
                fclose(f);
                return NULL;
            }
            cap *= 2;
            buf = xrealloc(buf, cap + 1);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        hcs_fail(err, HCS_EX_IOERR, "%s: read error", path);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static void fsync_dir(const char *path)
{
    char *copy = xstrdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(copy);
}

/* temp file + rename; durable: fsync the file before and the directory after. */
static int write_renamed(const char *path, const void *data, size_t len, int durable, hcs_err *err)
{
    char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        hcs_fail(err, HCS_EX_CANTCREAT, "%s: %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            hcs_fail(err, HCS_EX_IOERR, "%s: %s", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
            free(tmp);
            return -1;
        }
        p += w;
        left -= (size_t)w;
    }
    if ((durable && fsync(fd) != 0) || close(fd) != 0) {
        hcs_fail(err, HCS_EX_IOERR, "%s: %s", tmp, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        hcs_fail(err, HCS_EX_IOERR, "rename %s: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    if (durable)
        fsync_dir(path);
    return 0;
}

int file_write_atomic(const char *path, const void *data, size_t len, hcs_err *err)
{
    return write_renamed(path, data, len, 1, err);
}

int file_write_unsynced(const char *path, const void *data, size_t len, hcs_err *err)
{
    return write_renamed(path, data, len, 0, err);
}

int file_sha256_hex(const char *path, char out[65], hcs_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return hcs_fail(err, HCS_EX_NOINPUT, "%s: %s", path, strerror(errno));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        EVP_DigestUpdate(ctx, buf, n);
    int bad = ferror(f);
    fclose(f);
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    if (bad)
        return hcs_fail(err, HCS_EX_IOERR, "%s: read error", path);
    for (unsigned i = 0; i < mdlen; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    return 0;
}

char *path_join(const char *dir, const char *name)
{
    if (!dir || !*dir || name[0] == '/')
        return xstrdup(name);
    size_t n = strlen(dir);
    return xasprintf("%s%s%s", dir, dir[n - 1] == '/' ? "" : "/", name);
}

const char *path_base(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}
