/* utf8 — the small UTF-8 checks the readers and the value parsers share:
 * validation and the whitespace sequences accounting exports use. */
#ifndef HCS_UTF8_H
#define HCS_UTF8_H

#include <stddef.h>

/* 1 when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
int utf8_valid(const unsigned char *s, size_t n);
/* Length of the whitespace sequence at s (space, tab, CR, LF, NBSP, U+202F), 0 if none. */
size_t utf8_space_at(const unsigned char *s, size_t n);

#endif
