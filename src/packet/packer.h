/* packer — collects rendered elements into open packets (one per split
 * value: house, billing period), at most `limit` elements each and at most
 * PACKER_MAX_OPEN packets open at once (the oldest is flushed early, which
 * keeps memory bounded when the file is not sorted).  Flushing wraps the
 * packet in its envelope (in the calling thread) and hands it to a worker
 * (pool.h, [convert] jobs) that parses it, validates it against the XSD,
 * drops the elements the schema refuses and seals it (signs, serializes);
 * the calling thread then gets the packets back in order, rejects the rows
 * of dropped elements and hands the rest to the sink.  Owned by
 * src/packet/. */
#ifndef HCS_PACKER_H
#define HCS_PACKER_H

#include "packet/convert.h"
#include "template/template.h"

#define PACKER_MAX_OPEN 16
/* Packets in flight: at most 4 x jobs, and fewer when they are big: their
 * envelope texts together under this many bytes (a parsed, signed packet
 * takes about 9 times its text; 500 bills make 650 KB), but 2 at least. */
#define PACKER_IN_FLIGHT_TEXT (2u << 20)
/* Rejects held behind a packet in flight before the packer waits for it. */
#define PACKER_MAX_HELD 4096

struct packer;

struct packer *packer_new(const template *t, const struct convert_opts *opts, const char *source,
                          const struct convert_sink *sink, struct convert_stats *stats);
/* Adds one element made of rows (the packer takes ownership of the rows). */
int packer_add(struct packer *pk, struct trow **rows, size_t nrows, hcs_err *err);
/* The sink the converter reports rejected rows to: they reach the real
 * sink in file order, after the packets flushed before them (whatever
 * the number of workers).  Packets go to the sink given to packer_new. */
const struct convert_sink *packer_ordered_sink(struct packer *pk);
/* Flushes every open packet and waits until every packet is delivered. */
int packer_finish(struct packer *pk, hcs_err *err);
void packer_free(struct packer *pk);

/* The same for a joined table: rows flagged TABLE_ROW_SECOND came from
 * the file second (read.h). */
void packer_reject_joined(const struct convert_sink *sink, const char *file, const char *second,
                          const long *rows, size_t nrows, const char *column, const char *value,
                          const char *reason, const char *element_key);
/* Reports every row of an element with one reason. */
void packer_reject_rows(const struct convert_sink *sink, const char *file, const long *rows,
                        size_t nrows, const char *column, const char *value, const char *reason,
                        const char *element_key);

#endif
