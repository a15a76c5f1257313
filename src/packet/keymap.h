/* keymap — the two hash structures of the grouping passes.
 * lastrow: 64-bit hash of a group key → ordinal of its last row (pass 1,
 * 12 bytes a key), turned into a bitmap "row k closes its group".  A hash
 * collision only keeps a group open longer (it is flushed at the end), so
 * grouping stays exact: pass 2 groups by the key text.
 * Owned by src/packet/. */
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
void lastrow_free(struct lastrow_map *m);

struct bitmap {
    uint64_t *bits;
    size_t nbits;
};
/* Sets bit (ordinal) for every key's last row and frees the map. */
void bitmap_from_lastrow(struct bitmap *b, struct lastrow_map *m, size_t nrows);
int bitmap_get(const struct bitmap *b, size_t i);
void bitmap_free(struct bitmap *b);

#endif
