/* fuzz_util — what the libFuzzer harnesses in tests/fuzz/ share: the
 * readers under test open paths, so an input becomes a file (a memfd,
 * reused across inputs: no disk traffic, nothing left behind) or a set of
 * files in one temporary folder (the template loader).  Test code only. */
#ifndef HCS_FUZZ_UTIL_H
#define HCS_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* The input as the whole content of one file; returns its path
 * ("/proc/self/fd/N"), valid until the next call.  Aborts on failure. */
const char *fuzz_as_file(const uint8_t *data, size_t size);

/* A fresh temporary folder for the whole run, removed at exit. */
const char *fuzz_tmpdir(void);
/* Writes dir/name with len bytes; len == (size_t)-1 removes the file. */
void fuzz_put(const char *dir, const char *name, const void *data, size_t len);

/* The i-th part (0-based) of data split at every `sep` byte, or NULL with
 * *len = 0 when there are fewer parts. */
const uint8_t *fuzz_part(const uint8_t *data, size_t size, uint8_t sep, int i, size_t *len);

#endif
