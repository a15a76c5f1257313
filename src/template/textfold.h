/* textfold — the comparison form of names and dictionary values:
 * surrounding spaces trimmed, inner runs of spaces (incl. NBSP) collapsed,
 * ASCII and Cyrillic lowercased, ё folded to е.  Used for header names in
 * templates, enum values and НСИ names.  Owned by src/template/. */
#ifndef HCS_TEXTFOLD_H
#define HCS_TEXTFOLD_H

#include <stddef.h>

/* Writes the folded form of s[0..n) into a new string; caller frees. */
char *text_fold(const char *s, size_t n);
/* Trims ASCII spaces/tabs and NBSP at both ends: returns start, sets *len. */
const char *text_trim(const char *s, size_t *len);

#endif
