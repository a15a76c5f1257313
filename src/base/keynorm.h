/* keynorm — the comparison form of a local key (premises number, meter
 * serial, account number, OGRN, НСИ name, GUID, or several of them joined
 * with '|').  Every place where a value acts as a key — registry lookups
 * and writes, template `group` keys — compares this form, so that the
 * spellings an accounting export mixes name one object:
 *   GUIDs: any case, with or without braces → lowercase, no braces;
 *   spaces (incl. NBSP): trimmed around each part, inner runs → one space;
 *   «№» dropped (acts as a space); ё → е;
 *   letters lowercased, Cyrillic and Latin; Latin letters that look like
 *   Cyrillic ones (A B C E H K M O P T X Y) become Cyrillic in parts that
 *   already hold Cyrillic or have at most two letters («5A» = «5а» = «5А»,
 *   «H1» = «Н1»).
 * The form is for comparing, not for showing.  Owned by src/base/. */
#ifndef HCS_KEYNORM_H
#define HCS_KEYNORM_H

#include <stddef.h>

#include "base/strbuf.h"

/* Appends the comparison form of s[0..n) to out; '|' separates parts that
 * are normalized one by one. */
void key_norm_add(strbuf *out, const char *s, size_t n);
/* The comparison form of a NUL-terminated key, malloc'd. */
char *key_norm(const char *s);

#endif
