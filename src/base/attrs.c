/* attrs — see attrs.h. */
#include "base/attrs.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

void attrs_add(strbuf *sb, const char *name, const char *value)
{
    if (!value || !*value)
        return;
    if (sb->len)
        sb_addc(sb, ';');
    sb_addf(sb, "%s=", name);
    for (const char *p = value; *p; p++) {
        if (*p == '%' || *p == ';' || *p == '=')
            sb_addf(sb, "%%%02X", (unsigned char)*p);
        else
            sb_addc(sb, *p);
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

char *attrs_get(const char *attrs, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = attrs; p && *p;) {
        const char *end = strchr(p, ';');
        if (!end)
            end = p + strlen(p);
        if ((size_t)(end - p) > n && !strncmp(p, name, n) && p[n] == '=') {
            strbuf out = STRBUF_INIT;
            for (const char *q = p + n + 1; q < end; q++) {
                int hi, lo;
                if (*q == '%' && end - q >= 3 && (hi = hexval(q[1])) >= 0 && (lo = hexval(q[2])) >= 0) {
                    sb_addc(&out, (char)(hi * 16 + lo));
                    q += 2;
                } else {
                    sb_addc(&out, *q);
                }
            }
            char *v = sb_detach(&out, NULL);
            return v ? v : xstrdup("");
        }
        p = *end ? end + 1 : end;
    }
    return NULL;
}
