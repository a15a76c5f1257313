/* tmpl_nsireg — НСИ values through the registry: see tmpl_internal.h.
 * A file repeats a handful of service names on every row, so answers are
 * remembered per template (per converted file): the registry is asked once
 * per distinct value, not once per cell. */
#include "template/tmpl_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/keynorm.h"
#include "base/xalloc.h"

#define NSIREG_MAX 65536   /* distinct values remembered; later ones are asked each time */

struct nsireg_slot {
    char *key;             /* "<registry>|<normalized value>", NULL = free */
    int found;
    char code[37], guid[37];
};

struct nsireg_cache {
    template_resolve_fn fn;    /* the answers belong to this resolver */
    void *ctx;
    struct nsireg_slot *slots;
    size_t n, cap;             /* open addressing, cap a power of two */
};

struct nsireg_cache *tmpl_nsireg_new(void)
{
    return xcalloc(1, sizeof(struct nsireg_cache));
}

static void forget(struct nsireg_cache *c)
{
    for (size_t i = 0; i < c->cap; i++)
        free(c->slots[i].key);
    free(c->slots);
    c->slots = NULL;
    c->n = c->cap = 0;
}

void tmpl_nsireg_free(struct nsireg_cache *c)
{
    if (!c)
        return;
    forget(c);
    free(c);
}

static size_t slot_of(const struct nsireg_cache *c, const char *key)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    size_t i = (size_t)h & (c->cap - 1);
    while (c->slots[i].key && strcmp(c->slots[i].key, key))
        i = (i + 1) & (c->cap - 1);
    return i;
}

static void remember(struct nsireg_cache *c, const char *key, int found, const char *code,
                     const char *guid)
{
    if (c->n >= NSIREG_MAX)
        return;
    if (2 * (c->n + 1) > c->cap) {
        struct nsireg_cache old = *c;
        c->cap = c->cap ? 2 * c->cap : 64;
        c->slots = xcalloc(c->cap, sizeof *c->slots);
        for (size_t i = 0; i < old.cap; i++)
            if (old.slots[i].key)
                c->slots[slot_of(c, old.slots[i].key)] = old.slots[i];
        free(old.slots);
    }
    struct nsireg_slot *s = &c->slots[slot_of(c, key)];
    s->key = xstrdup(key);
    s->found = found;
    snprintf(s->code, sizeof s->code, "%s", code);
    snprintf(s->guid, sizeof s->guid, "%s", guid);
    c->n++;
}

static int ask(template_resolve_fn resolve, void *rctx, const char *key, char code[37],
               char guid[37])
{
    code[0] = guid[0] = '\0';
    int rc = resolve(rctx, "nsi.unique_number", key, code);
    if (rc > 0)
        rc = resolve(rctx, "nsi", key, guid);
    code[36] = guid[36] = '\0';
    return rc > 0 && code[0] && guid[0] ? 1 : rc < 0 ? -1 : 0;
}

int tmpl_nsi_from_registry(struct nsireg_cache *c, template_resolve_fn resolve, void *rctx,
                           int registry, const char *value, char code[37], char guid[37])
{
    if (!resolve)
        return 0;
    if (c->fn != resolve || c->ctx != rctx) {
        forget(c);
        c->fn = resolve;
        c->ctx = rctx;
    }
    char head[16];
    snprintf(head, sizeof head, "%d|", registry);
    strbuf key = STRBUF_INIT;
    sb_adds(&key, head);
    key_norm_add(&key, value, strlen(value));
    int rc;
    const struct nsireg_slot *s = c->cap ? &c->slots[slot_of(c, sb_str(&key))] : NULL;
    if (s && s->key) {
        rc = s->found;
        memcpy(code, s->code, 37);
        memcpy(guid, s->guid, 37);
    } else {
        rc = ask(resolve, rctx, sb_str(&key), code, guid);
        if (rc >= 0)
            remember(c, sb_str(&key), rc, code, guid);
    }
    sb_free(&key);
    return rc;
}
