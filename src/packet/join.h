/* join — the two-file form of a template with [join] (importHouseUOData:
 * a houses file, one row per house, and a premises file, one row per
 * premises or room, in any order).  The child file is read once into a
 * spill index on disk (convert_opts.spill: the store's temporary SQLite)
 * keyed by the group key; the rows then come out as one table, house by
 * house in the parent file's order: the house's row, then its premises
 * rows in file order.  Child rows of keys no parent row has follow, key
 * by key: joined to the registry when it knows the key (resolve of the
 * template's parent_kind), else refused one by one naming the key.
 * Memory holds one house's rows, whatever the size or order of the
 * files.  The child's rows carry TABLE_ROW_SECOND when a parent file is
 * joined.  Owned by src/packet/ (internal to convert.c). */
#ifndef HCS_PACKET_JOIN_H
#define HCS_PACKET_JOIN_H

#include "packet/convert.h"
#include "read/read.h"
#include "template/template.h"

struct join;

/* Takes both tables (parent may be NULL: the child file alone, joined to
 * the registry).  Reads the whole child file into the spill first.
 * NULL on error (err: DATAERR when the files are not a parent and a
 * child file of t, IOERR from the spill). */
struct join *join_open(const template *t, table *parent, table *child, const struct convert_opts *opts,
                       hcs_err *err);
/* The joined rows as a table (owned by the join). */
table *join_table(struct join *j);
void join_free(struct join *j);

#endif
