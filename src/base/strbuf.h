/* strbuf — a growable byte buffer, always NUL-terminated.
 * Allocation failure aborts (the tool cannot do anything useful without memory). */
#ifndef HCS_STRBUF_H
#define HCS_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct strbuf {
    char *buf;
    size_t len;
    size_t cap;
} strbuf;

#define STRBUF_INIT { NULL, 0, 0 }

void sb_grow(strbuf *sb, size_t extra);
void sb_add(strbuf *sb, const void *data, size_t n);
void sb_adds(strbuf *sb, const char *s);
void sb_addc(strbuf *sb, char c);
void sb_addf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vaddf(strbuf *sb, const char *fmt, va_list ap);
/* Appends s escaped for XML text and attribute values (&, <, >, ", '). */
void sb_add_xml(strbuf *sb, const char *s, size_t n);
/* Appends s as a JSON string literal (quoted, escaped); NULL as null. */
void sb_add_json(strbuf *sb, const char *s);
void sb_reset(strbuf *sb);                 /* len = 0, keeps memory */
char *sb_detach(strbuf *sb, size_t *len);  /* caller frees; sb becomes empty */
void sb_free(strbuf *sb);
/* "" if the buffer never grew */
static inline const char *sb_str(const strbuf *sb) { return sb->buf ? sb->buf : ""; }

#endif
