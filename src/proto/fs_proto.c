/* fs_proto — limits, extensions, Content-MD5 and RFC 2047 names shared by the
 * file store client and the simulator. */
#include "proto/fs_proto.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "base/strbuf.h"
#include "base/xalloc.h"

const char fs_allowed_extensions[] =
    "pdf docx doc rtf txt xls xlsx jpeg jpg bmp tif tiff gif zip rar csv odp odf ods odt sxc sxw";

int fs_ext_allowed(const char *name)
{
    const char *dot = name ? strrchr(name, '.') : NULL;
    if (!dot || !dot[1] || strchr(dot, '/'))
        return 0;
    const char *ext = dot + 1;
    size_t n = strlen(ext);
    const char *p = fs_allowed_extensions;
    while (*p) {
        size_t w = strcspn(p, " ");
        if (w == n && strncasecmp(p, ext, n) == 0)
            return 1;
        p += w;
        while (*p == ' ')
            p++;
    }
    return 0;
}

uint64_t fs_part_count(uint64_t size, uint64_t part)
{
    return part ? (size + part - 1) / part : 0;
}

void fs_md5_b64(const unsigned char md5[16], char out[25])
{
    EVP_EncodeBlock((unsigned char *)out, md5, 16);
    out[24] = '\0';
}

int fs_md5_parse(const char *b64, unsigned char md5[16])
{
    if (!b64)
        return -1;
    while (*b64 == ' ')
        b64++;
    size_t n = strlen(b64);
    while (n && (b64[n - 1] == ' ' || b64[n - 1] == '\r' || b64[n - 1] == '\n'))
        n--;
    if (n != 24 || b64[22] != '=' || b64[23] != '=')
        return -1;
    unsigned char buf[24];
    if (EVP_DecodeBlock(buf, (const unsigned char *)b64, 24) != 18)
        return -1;
    memcpy(md5, buf, 16);
    return 0;
}

void fs_md5(const void *data, size_t len, unsigned char md5[16])
{
    unsigned int n = 0;
    EVP_Digest(data, len, md5, &n, EVP_md5(), NULL);
}

void fs_hex(const unsigned char *bin, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[bin[i] >> 4];
        out[2 * i + 1] = hex[bin[i] & 15];
    }
    out[2 * n] = '\0';
}

char *fs_rfc2047_encode(const char *utf8)
{
    size_t n = strlen(utf8);
    char *b64 = xmalloc(4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)utf8, (int)n);
    char *out = xasprintf("=?utf-8?B?%s?=", b64);
    free(b64);
    return out;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* One encoded-word's text (between "?B?"/"?Q?" and "?=") appended to out. */
static int decode_word(char enc, const char *text, size_t n, strbuf *out)
{
    if (enc == 'B' || enc == 'b') {
        if (n % 4)
            return -1;
        unsigned char *buf = xmalloc(n / 4 * 3 + 1);
        int got = n ? EVP_DecodeBlock(buf, (const unsigned char *)text, (int)n) : 0;
        if (got < 0) {
            free(buf);
            return -1;
        }
        /* EVP_DecodeBlock counts the padding as zero bytes. */
        if (n >= 1 && text[n - 1] == '=') got--;
        if (n >= 2 && text[n - 2] == '=') got--;
        sb_add(out, buf, (size_t)got);
        free(buf);
        return 0;
    }
    if (enc == 'Q' || enc == 'q') {
        for (size_t i = 0; i < n; i++) {
            if (text[i] == '_') {
                sb_addc(out, ' ');
            } else if (text[i] == '=') {
                if (i + 2 >= n)
                    return -1;
                int h = hexval((unsigned char)text[i + 1]), l = hexval((unsigned char)text[i + 2]);
                if (h < 0 || l < 0)
                    return -1;
                sb_addc(out, (char)(h * 16 + l));
                i += 2;
            } else {
                sb_addc(out, text[i]);
            }
        }
        return 0;
    }
    return -1;
}

char *fs_rfc2047_decode(const char *value)
{
    strbuf out = STRBUF_INIT;
    const char *p = value;
    int last_was_word = 0;
    while (*p) {
        if (p[0] == '=' && p[1] == '?') {
            const char *cs = p + 2;
            const char *q1 = strchr(cs, '?');
            if (!q1 || !q1[1] || q1[2] != '?')
                goto bad;
            char enc = q1[1];
            const char *text = q1 + 3;
            const char *end = strstr(text, "?=");
            if (!end)
                goto bad;
            size_t cslen = (size_t)(q1 - cs);
            if (!((cslen == 5 && strncasecmp(cs, "utf-8", 5) == 0) ||
                  (cslen == 8 && strncasecmp(cs, "us-ascii", 8) == 0)))
                goto bad;
            if (decode_word(enc, text, (size_t)(end - text), &out) < 0)
                goto bad;
            p = end + 2;
            last_was_word = 1;
            continue;
        }
        if (last_was_word && isspace((unsigned char)*p)) {
            /* whitespace between two encoded-words is not part of the text */
            const char *s = p;
            while (isspace((unsigned char)*s))
                s++;
            if (s[0] == '=' && s[1] == '?') {
                p = s;
                continue;
            }
        }
        sb_addc(&out, *p++);
        last_was_word = 0;
    }
    if (!out.buf)
        return xstrdup("");
    if (memchr(out.buf, '\0', out.len))
        goto bad;
    return sb_detach(&out, NULL);
bad:
    sb_free(&out);
    return NULL;
}
