/* xalloc — allocation that aborts on failure instead of returning NULL. */
#ifndef HCS_XALLOC_H
#define HCS_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Overwrites memory in a way the compiler cannot drop (secrets). */
void secure_wipe(void *p, size_t n);

/* Grow a dynamic array: ARRAY_GROW(items, count, cap) before items[count++] = x. */
#define ARRAY_GROW(arr, n, cap)                                         \
    do {                                                                \
        if ((n) >= (cap)) {                                             \
            (cap) = (cap) ? (cap) * 2 : 16;                             \
            (arr) = xrealloc((arr), (cap) * sizeof *(arr));             \
        }                                                               \
    } while (0)

#endif
