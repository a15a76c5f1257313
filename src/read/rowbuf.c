/* rowbuf — the one-row cell store both table back ends fill, and the small
 * UTF-8 helpers (validation, whitespace) the reader needs. */
#include "read/table_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

size_t utf8_space_at(const unsigned char *s, size_t n)
{
    if (n == 0)
        return 0;
    if (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\n' || s[0] == '\v' || s[0] == '\f')
        return 1;
    if (n >= 2 && s[0] == 0xC2 && s[1] == 0xA0)                    /* NBSP */
        return 2;
    if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 && s[2] == 0xAF)    /* narrow NBSP */
        return 3;
    return 0;
}

int utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned min;
        unsigned cp;
        if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; min = 0x80; }
        else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; min = 0x800; }
        else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; min = 0x10000; }
        else return 0;
        if (i + len > n)
            return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

void rb_init(struct rowbuf *rb, size_t max_cell)
{
    memset(rb, 0, sizeof *rb);
    rb->max_cell = max_cell;
}

void rb_begin(struct rowbuf *rb, long row)
{
    sb_reset(&rb->text);
    rb->n = 0;
    rb->row = row;
    rb->problem_col = 0;
    rb->problem[0] = '\0';
}

static size_t trailing_space(const unsigned char *s, size_t n)
{
    size_t k = 0;
    for (;;) {
        size_t rest = n - k;
        if (rest >= 1 && (s[rest - 1] == ' ' || s[rest - 1] == '\t' || s[rest - 1] == '\r' ||
                          s[rest - 1] == '\n' || s[rest - 1] == '\v' || s[rest - 1] == '\f'))
            k += 1;
        else if (rest >= 2 && s[rest - 2] == 0xC2 && s[rest - 1] == 0xA0)
            k += 2;
        else if (rest >= 3 && s[rest - 3] == 0xE2 && s[rest - 2] == 0x80 && s[rest - 1] == 0xAF)
            k += 3;
        else
            return k;
    }
}

void rb_add(struct rowbuf *rb, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t k;
    while ((k = utf8_space_at(u, len)) > 0) {
        u += k;
        len -= k;
    }
    len -= trailing_space(u, len);
    ARRAY_GROW(rb->offs, rb->n, rb->cap);
    rb->offs[rb->n++] = rb->text.len;
    if (rb->max_cell && len > rb->max_cell) {
        rb_problem(rb, rb->n, "value longer than %zu bytes", rb->max_cell);
        len = 0;
    }
    sb_add(&rb->text, u, len);
    sb_addc(&rb->text, '\0');
}

void rb_problem(struct rowbuf *rb, size_t col, const char *fmt, ...)
{
    if (rb->problem_col)
        return;
    rb->problem_col = col ? col : 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rb->problem, sizeof rb->problem, fmt, ap);
    va_end(ap);
}

int rb_is_empty(const struct rowbuf *rb)
{
    for (size_t i = 0; i < rb->n; i++)
        if (rb->text.buf[rb->offs[i]] != '\0')
            return 0;
    return 1;
}

const char *rb_cell(const struct rowbuf *rb, size_t i) { return rb->text.buf + rb->offs[i]; }

void rb_free(struct rowbuf *rb)
{
    sb_free(&rb->text);
    free(rb->offs);
    memset(rb, 0, sizeof *rb);
}
