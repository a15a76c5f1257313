/* packer — collects rendered elements into open packets (one per split
 * value: house, billing period), at most `limit` elements each and at most
 * PACKER_MAX_OPEN packets open at once (the oldest is flushed early, which
 * keeps memory bounded when the file is not sorted).  Flushing wraps the
 * packet in its envelope, parses it, validates it against the XSD, drops
 * the elements the schema refuses (rejecting their rows) and hands the
 * rest to the sink.  Owned by src/packet/. */
#ifndef HCS_PACKER_H
#define HCS_PACKER_H

#include "packet/convert.h"
#include "template/template.h"

#define PACKER_MAX_OPEN 16

struct packer;

struct packer *packer_new(const template *t, const struct convert_opts *opts, const char *source,
                          const struct convert_sink *sink, struct convert_stats *stats);
/* Adds one element made of rows (the packer takes ownership of the rows). */
int packer_add(struct packer *pk, struct trow **rows, size_t nrows, hcs_err *err);
/* Flushes every open packet. */
int packer_finish(struct packer *pk, hcs_err *err);
void packer_free(struct packer *pk);

/* Reports every row of an element with one reason. */
void packer_reject_rows(const struct convert_sink *sink, const char *file, const long *rows,
                        size_t nrows, const char *column, const char *value, const char *reason,
                        const char *element_key);

#endif
