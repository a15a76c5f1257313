/* textfold — see textfold.h. */
#include "template/textfold.h"

#include <string.h>

#include "base/strbuf.h"
#include "base/xalloc.h"

static int is_nbsp(const unsigned char *p, size_t left)
{
    return left >= 2 && p[0] == 0xC2 && p[1] == 0xA0;
}

const char *text_trim(const char *s, size_t *len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = *len;
    for (;;) {
        if (n && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) { p++; n--; continue; }
        if (is_nbsp(p, n)) { p += 2; n -= 2; continue; }
        break;
    }
    for (;;) {
        if (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r' || p[n - 1] == '\n')) { n--; continue; }
        if (n >= 2 && p[n - 2] == 0xC2 && p[n - 1] == 0xA0) { n -= 2; continue; }
        break;
    }
    *len = n;
    return (const char *)p;
}

char *text_fold(const char *s, size_t n)
{
    s = text_trim(s, &n);
    const unsigned char *p = (const unsigned char *)s;
    strbuf sb = STRBUF_INIT;
    sb_grow(&sb, n + 1);
    int space = 0;
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        if (c == ' ' || c == '\t' || is_nbsp(p + i, n - i)) {
            space = 1;
            i += c == ' ' || c == '\t' ? 1 : 2;
            continue;
        }
        if (space) {
            sb_addc(&sb, ' ');
            space = 0;
        }
        if (c < 0x80) {
            sb_addc(&sb, (char)(c >= 'A' && c <= 'Z' ? c + 32 : c));
            i++;
        } else if ((c == 0xD0 || c == 0xD1) && i + 1 < n) {
            unsigned cp = ((c & 0x1F) << 6) | (p[i + 1] & 0x3F);
            if (cp >= 0x410 && cp <= 0x42F)
                cp += 0x20;                     /* А-Я → а-я */
            else if (cp >= 0x400 && cp <= 0x40F)
                cp += 0x50;                     /* Ѐ-Џ (Ё) → ѐ-џ */
            if (cp == 0x451)
                cp = 0x435;                     /* ё → е */
            sb_addc(&sb, (char)(0xC0 | (cp >> 6)));
            sb_addc(&sb, (char)(0x80 | (cp & 0x3F)));
            i += 2;
        } else {
            sb_addc(&sb, (char)c);
            i++;
        }
    }
    if (!sb.buf)
        return xstrdup("");
    return sb_detach(&sb, NULL);
}
