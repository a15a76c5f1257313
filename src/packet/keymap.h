/* keymap — what the grouping passes remember about group keys, in memory
 * that does not grow with the file in the usual case.
 *
 * Rows of one group are usually adjacent (a "run").  Pass 1 keeps a Bloom
 * filter of the keys whose run it has seen (fixed 8 MiB); a key whose run
 * starts again later (or a Bloom false positive) goes into an exact map
 * hash → ordinal of its last row.  Pass 2 completes a group at the end of
 * a run unless the exact map says the group has a later row.  Keys are
 * compared by a 64-bit hash here; pass 2 groups by the key text, so a hash
 * collision can only keep a group open longer (it is completed at the end
 * of the file).  Owned by src/packet/. */
#ifndef HCS_KEYMAP_H
#define HCS_KEYMAP_H

#include <stddef.h>
#include <stdint.h>

uint64_t key_hash(const char *s, size_t n);

struct lastrow_map {
    uint64_t *keys;        /* 0 = empty slot */
    uint32_t *vals;
    size_t cap, n;
};
void lastrow_put(struct lastrow_map *m, uint64_t h, uint32_t ordinal);
/* 1 and *ordinal set when present. */
int lastrow_get(const struct lastrow_map *m, uint64_t h, uint32_t *ordinal);
void lastrow_free(struct lastrow_map *m);

#define BLOOM_BITS (1u << 26)
struct bloom {
    uint64_t *bits;        /* BLOOM_BITS bits, allocated on first use */
};
/* Adds h; returns 1 when h was (probably) present already. */
int bloom_test_add(struct bloom *b, uint64_t h);
void bloom_free(struct bloom *b);

#endif
