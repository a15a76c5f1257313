/* dn — RFC 2253 formatting and matching of X.500 names. */
#include "sign/dn.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/objects.h>

#include "base/strbuf.h"
#include "base/xalloc.h"

/* RFC 2253 section 2.3 keywords, written in lowercase as the GIS server
 * does; the aliases are spellings other signers use. */
static const struct { const char *kw; const char *oid; } keywords[] = {
    { "cn", "2.5.4.3" }, { "l", "2.5.4.7" }, { "st", "2.5.4.8" }, { "o", "2.5.4.10" },
    { "ou", "2.5.4.11" }, { "c", "2.5.4.6" }, { "street", "2.5.4.9" },
    { "dc", "0.9.2342.19200300.100.1.25" }, { "uid", "0.9.2342.19200300.100.1.1" },
};
static const struct { const char *alias; const char *oid; } aliases[] = {
    { "s", "2.5.4.8" }, { "e", "1.2.840.113549.1.9.1" }, { "email", "1.2.840.113549.1.9.1" },
    { "emailaddress", "1.2.840.113549.1.9.1" }, { "inn", "1.2.643.3.131.1.1" },
    { "ogrn", "1.2.643.100.1" }, { "snils", "1.2.643.100.3" }, { "ogrnip", "1.2.643.100.5" },
    { "innle", "1.2.643.100.4" }, { "sn", "2.5.4.4" }, { "surname", "2.5.4.4" },
    { "g", "2.5.4.42" }, { "gn", "2.5.4.42" }, { "givenname", "2.5.4.42" },
    { "t", "2.5.4.12" }, { "title", "2.5.4.12" }, { "serialnumber", "2.5.4.5" },
};
#define COUNT(a) (sizeof(a) / sizeof *(a))

static void entry_oid(const X509_NAME_ENTRY *e, char *buf, size_t cap)
{
    OBJ_obj2txt(buf, (int)cap, X509_NAME_ENTRY_get_object(e), 1);
}

static void add_escaped_value(strbuf *sb, const unsigned char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = v[i];
        if (strchr(",+\"\\<>;", c) && c)
            sb_addc(sb, '\\'), sb_addc(sb, (char)c);
        else if ((i == 0 && (c == ' ' || c == '#')) || (i == n - 1 && c == ' '))
            sb_addc(sb, '\\'), sb_addc(sb, (char)c);
        else if (c < 0x20 || c == 0x7f)
            sb_addf(sb, "\\%02X", c);
        else
            sb_addc(sb, (char)c);
    }
}

char *dn_format_rfc2253(const X509_NAME *name)
{
    strbuf sb = STRBUF_INIT;
    int count = X509_NAME_entry_count(name);
    int prev_set = -1;
    for (int i = count - 1; i >= 0; i--) {
        const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
        int set = X509_NAME_ENTRY_set(e);
        if (i != count - 1)
            sb_addc(&sb, set == prev_set ? '+' : ',');
        prev_set = set;
        char oid[128];
        entry_oid(e, oid, sizeof oid);
        const char *kw = oid;
        for (size_t k = 0; k < COUNT(keywords); k++)
            if (!strcmp(keywords[k].oid, oid))
                kw = keywords[k].kw;
        unsigned char *utf8 = NULL;
        int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
        if (n < 0) {
            sb_free(&sb);
            return NULL;
        }
        sb_adds(&sb, kw);
        sb_addc(&sb, '=');
        add_escaped_value(&sb, utf8, (size_t)n);
        OPENSSL_free(utf8);
    }
    if (!sb.buf)
        sb_adds(&sb, "");
    return sb_detach(&sb, NULL);
}

/* --- matching --- */

struct rdn_attr {
    char oid[128];
    strbuf value;
};

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

static int type_to_oid(const char *type, size_t n, char *out, size_t cap)
{
    char t[128];
    while (n && isspace((unsigned char)*type)) type++, n--;
    while (n && isspace((unsigned char)type[n - 1])) n--;
    if (n == 0 || n >= sizeof t)
        return -1;
    memcpy(t, type, n);
    t[n] = '\0';
    if (!strncasecmp(t, "oid.", 4))
        memmove(t, t + 4, strlen(t + 4) + 1);
    if (isdigit((unsigned char)t[0])) {
        snprintf(out, cap, "%s", t);
        return 0;
    }
    for (size_t k = 0; k < COUNT(keywords); k++)
        if (!strcasecmp(keywords[k].kw, t))
            return snprintf(out, cap, "%s", keywords[k].oid), 0;
    for (size_t k = 0; k < COUNT(aliases); k++)
        if (!strcasecmp(aliases[k].alias, t))
            return snprintf(out, cap, "%s", aliases[k].oid), 0;
    ASN1_OBJECT *obj = OBJ_txt2obj(t, 0);
    if (!obj)
        return -1;
    OBJ_obj2txt(out, (int)cap, obj, 1);
    ASN1_OBJECT_free(obj);
    return 0;
}

/* Parses "type=value" up to an unescaped ',' or '+'; *p advances past the
 * separator, *sep tells which one ('\0' at the end). */
static int parse_attr(const char **p, struct rdn_attr *a, char *sep)
{
    const char *s = *p;
    const char *eq = s;
    while (*eq && *eq != '=')
        eq++;
    if (*eq != '=' || type_to_oid(s, (size_t)(eq - s), a->oid, sizeof a->oid) < 0)
        return -1;
    const char *v = eq + 1;
    while (*v == ' ')
        v++;
    size_t keep = 0;   /* length without unescaped trailing spaces */
    for (; *v && *v != ',' && *v != '+'; v++) {
        if (*v == '\\') {
            int h1 = hexval((unsigned char)v[1]), h2 = h1 >= 0 ? hexval((unsigned char)v[2]) : -1;
            if (h1 >= 0 && h2 >= 0) {
                sb_addc(&a->value, (char)(h1 * 16 + h2));
                v += 2;
            } else if (v[1]) {
                sb_addc(&a->value, v[1]);
                v++;
            } else {
                return -1;
            }
            keep = a->value.len;
        } else {
            sb_addc(&a->value, *v);
            if (*v != ' ')
                keep = a->value.len;
        }
    }
    a->value.len = keep;
    if (a->value.buf)
        a->value.buf[keep] = '\0';
    *sep = *v;
    *p = *v ? v + 1 : v;
    return 0;
}

int dn_matches(const char *text, const X509_NAME *name)
{
    int count = X509_NAME_entry_count(name);
    int i = count - 1;
    int prev_set = -1;
    int ok = 1;
    const char *p = text;
    char prev_sep = ',';
    if (!*p)
        return count == 0;
    while (ok && *p) {
        struct rdn_attr a = { .value = STRBUF_INIT };
        char sep = 0;
        if (i < 0 || parse_attr(&p, &a, &sep) < 0) {
            sb_free(&a.value);
            return 0;
        }
        const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
        int set = X509_NAME_ENTRY_set(e);
        /* '+' joins attributes of one RDN, ',' starts the next one */
        if (i != count - 1 && (prev_sep == '+') != (set == prev_set))
            ok = 0;
        char oid[128];
        entry_oid(e, oid, sizeof oid);
        unsigned char *utf8 = NULL;
        int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
        if (ok && (n < 0 || strcmp(oid, a.oid) || (size_t)n != a.value.len ||
                   memcmp(utf8, sb_str(&a.value), (size_t)n)))
            ok = 0;
        OPENSSL_free(utf8);
        sb_free(&a.value);
        prev_set = set;
        prev_sep = sep;
        i--;
        if (sep && !*p)
            ok = 0;   /* trailing separator */
    }
    return ok && i < 0;
}
