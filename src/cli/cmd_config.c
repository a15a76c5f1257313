/* hcsbatch config — print the effective configuration, secrets masked. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/strbuf.h"
#include "cli/cli.h"

static int is_secret(const char *key)
{
    return strstr(key, "pass") || strstr(key, "token") || strstr(key, "api_key") ||
           strstr(key, "conninfo");
}

/* A query parameter whose value is a credential. */
static int is_secret_param(const char *name, size_t n)
{
    static const char *const words[] = { "token", "key", "pass", "secret", "sig", "auth", NULL };
    for (const char *const *w = words; *w; w++)
        for (size_t i = 0; i + strlen(*w) <= n; i++)
            if (!strncasecmp(name + i, *w, strlen(*w)))
                return 1;
    return 0;
}

/* Credentials inside URLs (a value may hold several, comma-separated):
 * the password of user:password@ and the values of token-like query
 * parameters become ****; the rest stays readable. */
static void mask_urls(const char *v, strbuf *out)
{
    const char *p = v;
    while (*p) {
        const char *scheme = strstr(p, "://");
        if (!scheme) {
            sb_adds(out, p);
            return;
        }
        const char *auth = scheme + 3;
        sb_addf(out, "%.*s", (int)(auth - p), p);
        size_t alen = strcspn(auth, "/?#, ");
        const char *at = NULL;
        for (const char *q = auth; q < auth + alen; q++)
            if (*q == '@')
                at = q;
        if (at) {
            const char *colon = memchr(auth, ':', (size_t)(at - auth));
            sb_addf(out, "%.*s%s", (int)((colon ? colon : auth) - auth), auth, colon ? ":****" : "****");
            auth = at;
        }
        p = auth;
        size_t ulen = strcspn(p, ", ");
        const char *end = p + ulen;
        while (p < end) {
            size_t seg = strcspn(p, "?&#");
            if (p + seg > end)
                seg = (size_t)(end - p);
            sb_addf(out, "%.*s", (int)seg, p);
            p += seg;
            if (p >= end)
                break;
            char sep = *p++;
            sb_addf(out, "%c", sep);
            if (sep == '#')
                continue;
            size_t plen = strcspn(p, "&#, ");
            const char *eq = memchr(p, '=', plen);
            if (eq && is_secret_param(p, (size_t)(eq - p))) {
                sb_addf(out, "%.*s=****", (int)(eq - p), p);
                p += plen;
            }
        }
    }
}

CLI_COMMAND(config)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        puts("usage: hcsbatch config\nPrints every configuration key with its effective value.");
        return 0;
    }
    for (const struct cfg_key *k = cfg_keys; k->name; k++) {
        const char *v = cfg_str(cli->cfg, k->name);
        /* Values named by *_env / *_file keys are references, not secrets;
         * connection strings may embed passwords and are masked. */
        int mask = is_secret(k->name) && !strstr(k->name, "_env") && !strstr(k->name, "_file");
        strbuf shown = STRBUF_INIT;
        if (v && !mask)
            mask_urls(v, &shown);
        printf("%-40s = %s\n", k->name, !v ? "" : mask ? "****" : sb_str(&shown));
        sb_free(&shown);
    }
    return 0;
}
