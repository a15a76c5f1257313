/* needs — the chain's exports a conversion showed are needed (needs.h). */
#include "run/needs.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "base/guid.h"
#include "base/log.h"
#include "base/xalloc.h"

const char *const chain_need_what[NEED_COUNT] = { "houses", "meters", "orgs" };

struct key_list {
    char **v;
    size_t n, cap;
};

struct chain_needs {
    store *st;
    struct key_list keys[NEED_COUNT];
    /* Keys this run already exported: GIS answered what it knows, so a
     * key still unknown (an OGRN GIS does not know, a house with no
     * premises) is not asked again for the next file of the run. */
    struct key_list asked[NEED_COUNT];
};

chain_needs *needs_new(store *st)
{
    chain_needs *n = xcalloc(1, sizeof *n);
    n->st = st;
    return n;
}

void needs_clear(chain_needs *n)
{
    for (int w = 0; w < NEED_COUNT; w++) {
        for (size_t i = 0; i < n->keys[w].n; i++)
            free(n->keys[w].v[i]);
        n->keys[w].n = 0;
    }
}

static void add_to(struct key_list *l, const char *key)
{
    ARRAY_GROW(l->v, l->n, l->cap);
    l->v[l->n++] = xstrdup(key);
}

void needs_mark_asked(chain_needs *n)
{
    for (int w = 0; w < NEED_COUNT; w++)
        for (size_t i = 0; i < n->keys[w].n; i++)
            add_to(&n->asked[w], n->keys[w].v[i]);
    needs_clear(n);
}

void needs_free(chain_needs *n)
{
    if (!n)
        return;
    needs_clear(n);
    for (int w = 0; w < NEED_COUNT; w++) {
        for (size_t i = 0; i < n->asked[w].n; i++)
            free(n->asked[w].v[i]);
        free(n->keys[w].v);
        free(n->asked[w].v);
    }
    free(n);
}

size_t needs_total(const chain_needs *n)
{
    size_t t = 0;
    for (int w = 0; w < NEED_COUNT; w++)
        t += n->keys[w].n;
    return t;
}

const char *const *needs_keys(const chain_needs *n, enum chain_need which, size_t *count)
{
    *count = n->keys[which].n;
    return (const char *const *)n->keys[which].v;
}

static int listed(const struct key_list *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], key))
            return 1;
    return 0;
}

/* Noted for this file, or exported earlier in the run. */
static int noted(const chain_needs *n, enum chain_need w, const char *key)
{
    return listed(&n->keys[w], key) || listed(&n->asked[w], key);
}

static void add(chain_needs *n, enum chain_need w, const char *key)
{
    add_to(&n->keys[w], key);
}

/* "<FIAS house>|…": the house when the registry knows no entry of kind in it. */
static void note_house_of(chain_needs *n, enum chain_need w, const char *kind, const char *local_key)
{
    size_t len = strcspn(local_key, "|");
    char raw[64], fias[37];
    if (!local_key[len] || len >= sizeof raw)
        return;
    memcpy(raw, local_key, len);
    raw[len] = '\0';
    if (guid_normalize(raw, fias) < 0 || noted(n, w, fias))
        return;
    const char *part = fias;
    char *key = store_registry_key(&part, 1);
    char *prefix = xasprintf("%s|", key);
    hcs_err err = { 0 };
    int known = store_registry_has_prefix(n->st, kind, prefix, &err);
    if (known < 0)
        log_error("registry: %s", err.msg);
    if (known == 0)
        add(n, w, fias);
    free(prefix);
    free(key);
}

static int is_ogrn(const char *s)
{
    size_t len = strspn(s, "0123456789");
    return !s[len] && (len == 13 || len == 15);
}

void needs_note(chain_needs *n, const char *kind, const char *local_key)
{
    /* "KIND.FIELD" (meter.version) needs what KIND needs */
    char base[32];
    snprintf(base, sizeof base, "%.*s", (int)strcspn(kind, "."), kind);
    kind = base;
    if (!strcmp(kind, REG_PREMISES) || !strcmp(kind, REG_ROOM))
        note_house_of(n, NEED_HOUSES, REG_PREMISES, local_key);
    else if (!strcmp(kind, REG_METER))
        note_house_of(n, NEED_METERS, REG_METER, local_key);
    else if (!strcmp(kind, REG_ORG) && is_ogrn(local_key) && !noted(n, NEED_ORGS, local_key))
        add(n, NEED_ORGS, local_key);
}
