/* keynorm — see keynorm.h. */
#include "base/keynorm.h"

#include <string.h>

#include "base/guid.h"
#include "base/utf8.h"
#include "base/xalloc.h"

#define NUMERO_LEN 3   /* «№» U+2116: E2 84 96 */

static int is_numero(const unsigned char *p, size_t left)
{
    return left >= NUMERO_LEN && p[0] == 0xE2 && p[1] == 0x84 && p[2] == 0x96;
}

/* Bytes of separator (whitespace or «№») at p, 0 if none. */
static size_t gap_at(const unsigned char *p, size_t left)
{
    if (is_numero(p, left))
        return NUMERO_LEN;
    return utf8_space_at(p, left);
}

static int is_cyrillic_lead(unsigned c)
{
    return c == 0xD0 || c == 0xD1;
}

/* Latin letters with a Cyrillic twin (lowercase), as code points; 0 = none. */
static unsigned latin_twin(unsigned c)
{
    static const char from[] = "abcehkmoptxy";
    static const unsigned to[] = { 0x430, 0x432, 0x441, 0x435, 0x43D, 0x43A,
                                   0x43C, 0x43E, 0x440, 0x442, 0x445, 0x443 };
    const char *hit = c ? strchr(from, (int)c) : NULL;
    return hit ? to[hit - from] : 0;
}

static void add_cp2(strbuf *out, unsigned cp)
{
    sb_addc(out, (char)(0xC0 | (cp >> 6)));
    sb_addc(out, (char)(0x80 | (cp & 0x3F)));
}

/* Should Latin lookalikes become Cyrillic in this part? */
static int wants_twins(const unsigned char *p, size_t n)
{
    size_t letters = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_cyrillic_lead(p[i]))
            return 1;
        if ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z')
            letters++;
    }
    return letters <= 2;
}

static void add_char(strbuf *out, const unsigned char *p, size_t left, int twins, size_t *used)
{
    unsigned c = p[0];
    *used = 1;
    if (c < 0x80) {
        if (c >= 'A' && c <= 'Z')
            c += 32;
        unsigned cp = twins ? latin_twin(c) : 0;
        if (cp)
            add_cp2(out, cp);
        else
            sb_addc(out, (char)c);
        return;
    }
    if (!is_cyrillic_lead(c) || left < 2) {
        sb_addc(out, (char)c);
        return;
    }
    unsigned cp = ((c & 0x1F) << 6) | (p[1] & 0x3F);
    if (cp >= 0x410 && cp <= 0x42F)
        cp += 0x20;
    else if (cp >= 0x400 && cp <= 0x40F)
        cp += 0x50;
    if (cp == 0x451)            /* ё */
        cp = 0x435;
    add_cp2(out, cp);
    *used = 2;
}

static void add_part(strbuf *out, const unsigned char *p, size_t n)
{
    char guid[GUID_STRLEN + 1];
    if (n == GUID_STRLEN || n == GUID_STRLEN + 2) {
        char raw[GUID_STRLEN + 3];
        memcpy(raw, p, n);
        raw[n] = '\0';
        if (guid_normalize(raw, guid) == 0) {
            sb_adds(out, guid);
            return;
        }
    }
    int twins = wants_twins(p, n);
    size_t start = out->len;
    int pending = 0;
    for (size_t i = 0; i < n;) {
        size_t gap = gap_at(p + i, n - i);
        if (gap) {
            pending = out->len > start;
            i += gap;
            continue;
        }
        if (pending)
            sb_addc(out, ' ');
        pending = 0;
        size_t used;
        add_char(out, p + i, n - i, twins, &used);
        i += used;
    }
}

void key_norm_add(strbuf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (;;) {
        const unsigned char *bar = memchr(p, '|', n);
        size_t len = bar ? (size_t)(bar - p) : n;
        add_part(out, p, len);
        if (!bar)
            break;
        sb_addc(out, '|');
        n -= len + 1;
        p = bar + 1;
    }
}

char *key_norm(const char *s)
{
    strbuf sb = STRBUF_INIT;
    key_norm_add(&sb, s, strlen(s));
    return sb_detach(&sb, NULL);
}
