/* fuzz_util — see fuzz_util.h. */
#include "fuzz_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void die(const char *what)
{
    perror(what);
    abort();
}

static void write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w <= 0)
            die("fuzz: write");
        p += w;
        len -= (size_t)w;
    }
}

const char *fuzz_as_file(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("fuzz-input", 0);
        if (fd < 0)
            die("fuzz: memfd_create");
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
        die("fuzz: ftruncate");
    write_all(fd, data, size);
    return path;
}

static char tmpdir[4096];

static void remove_tmpdir(void)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz: could not remove %s\n", tmpdir);
}

const char *fuzz_tmpdir(void)
{
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/hcs-fuzz-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(tmpdir))
            die("fuzz: mkdtemp");
        atexit(remove_tmpdir);
    }
    return tmpdir;
}

void fuzz_put(const char *dir, const char *name, const void *data, size_t len)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (len == (size_t)-1) {
        unlink(path);
        return;
    }
    FILE *f = fopen(path, "wb");
    if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0)
        die(path);
}

const uint8_t *fuzz_part(const uint8_t *data, size_t size, uint8_t sep, int i, size_t *len)
{
    if (!data)
        data = (const uint8_t *)"";
    size_t start = 0;
    for (int k = 0; k < i; k++) {
        const uint8_t *s = start < size ? memchr(data + start, sep, size - start) : NULL;
        if (!s) {
            *len = 0;
            return NULL;
        }
        start = (size_t)(s - data) + 1;
    }
    const uint8_t *e = start < size ? memchr(data + start, sep, size - start) : NULL;
    *len = (e ? (size_t)(e - data) : size) - start;
    return data + start;
}
