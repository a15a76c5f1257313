/* rowbuf — the one-row cell store both table back ends fill. */
#include "read/table_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "base/xalloc.h"

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
    } else if (memchr(u, '\0', len)) {
        /* a NUL would cut the value short where C strings end */
        rb_problem(rb, rb->n, "a NUL byte in the value (not a text export?)");
        len = 0;
    }
    sb_add(&rb->text, u, len);
    sb_addc(&rb->text, '\0');
}

void rb_add_clean(struct rowbuf *rb, const char *s, size_t len)
{
    ARRAY_GROW(rb->offs, rb->n, rb->cap);
    rb->offs[rb->n++] = rb->text.len;
    sb_add(&rb->text, s, len);
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
