/* fsutil — small file-system helpers: directories, whole-file reads,
 * atomic writes (temp file + fsync + rename), content hashes. */
#ifndef HCS_FSUTIL_H
#define HCS_FSUTIL_H

#include <stddef.h>
#include "base/err.h"

int mkdir_p(const char *path, hcs_err *err);
/* Reads a whole (small) file; caller frees. max bounds what is accepted. */
char *file_read_all(const char *path, size_t max, size_t *len, hcs_err *err);
/* Writes to path.tmp, fsyncs, renames over path, fsyncs the directory. */
int file_write_atomic(const char *path, const void *data, size_t len, hcs_err *err);
/* The same without any fsync: for many files made durable at once later
 * (syncfs) before anything points at them. */
int file_write_unsynced(const char *path, const void *data, size_t len, hcs_err *err);
/* Lowercase hex SHA-256 of a file's content (65 bytes incl. NUL). */
int file_sha256_hex(const char *path, char out[65], hcs_err *err);
char *path_join(const char *dir, const char *name);     /* caller frees */
const char *path_base(const char *path);                /* pointer into path */
int file_exists(const char *path);

#endif
