/* keymap — see keymap.h. */
#include "packet/keymap.h"

#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

uint64_t key_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;       /* FNV-1a, then a final mix */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h ? h : 1;
}

static void grow(struct lastrow_map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 1024;
    uint64_t *k = xcalloc(ncap, sizeof *k);
    uint32_t *v = xmalloc(ncap * sizeof *v);
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i])
            continue;
        size_t j = (size_t)m->keys[i] & (ncap - 1);
        while (k[j])
            j = (j + 1) & (ncap - 1);
        k[j] = m->keys[i];
        v[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = k;
    m->vals = v;
    m->cap = ncap;
}

void lastrow_put(struct lastrow_map *m, uint64_t h, uint32_t ordinal)
{
    if ((m->n + 1) * 4 > m->cap * 3)
        grow(m);
    size_t j = (size_t)h & (m->cap - 1);
    while (m->keys[j] && m->keys[j] != h)
        j = (j + 1) & (m->cap - 1);
    if (!m->keys[j]) {
        m->keys[j] = h;
        m->n++;
    }
    m->vals[j] = ordinal;
}

void lastrow_free(struct lastrow_map *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

void bitmap_from_lastrow(struct bitmap *b, struct lastrow_map *m, size_t nrows)
{
    b->nbits = nrows;
    b->bits = xcalloc(nrows / 64 + 1, sizeof *b->bits);
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i] && m->vals[i] < nrows)
            b->bits[m->vals[i] / 64] |= 1ULL << (m->vals[i] % 64);
    lastrow_free(m);
}

int bitmap_get(const struct bitmap *b, size_t i)
{
    return i < b->nbits && (b->bits[i / 64] >> (i % 64)) & 1;
}

void bitmap_free(struct bitmap *b)
{
    free(b->bits);
    memset(b, 0, sizeof *b);
}
