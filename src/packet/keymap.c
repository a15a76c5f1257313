/* keymap — see keymap.h. */
#include "packet/keymap.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

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

int lastrow_get(const struct lastrow_map *m, uint64_t h, uint32_t *ordinal)
{
    if (!m->cap)
        return 0;
    size_t j = (size_t)h & (m->cap - 1);
    while (m->keys[j]) {
        if (m->keys[j] == h) {
            *ordinal = m->vals[j];
            return 1;
        }
        j = (j + 1) & (m->cap - 1);
    }
    return 0;
}

int bloom_test_add(struct bloom *b, uint64_t h)
{
    if (!b->bits)
        b->bits = xcalloc(BLOOM_BITS / 64, sizeof *b->bits);
    /* four probes by double hashing */
    uint32_t h1 = (uint32_t)h, h2 = (uint32_t)(h >> 32) | 1;
    int present = 1;
    for (uint32_t i = 0; i < 4; i++) {
        uint32_t bit = (h1 + i * h2) & (BLOOM_BITS - 1);
        uint64_t mask = 1ULL << (bit % 64);
        if (!(b->bits[bit / 64] & mask)) {
            present = 0;
            b->bits[bit / 64] |= mask;
        }
    }
    return present;
}

void bloom_free(struct bloom *b)
{
    free(b->bits);
    b->bits = NULL;
}
