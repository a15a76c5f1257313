/* needs — what a file needs exported before it converts (the chain): the
 * local keys a conversion asked for and the registry could not answer,
 * turned into `hcsbatch sync` requests where GIS can fill them:
 *   premises, room "<FIAS house>|…" of a house with no premises known
 *                                      → houses (exportHouseData)
 *   meter "<FIAS house>|<serial>" of a house with no device known
 *                                      → meters (exportMeteringDeviceData)
 *   org <OGRN or OGRNIP>               → orgs (exportOrgRegistry)
 * A house that is known but lacks the number asked for stays a per-row
 * rejection: exporting it again would not help.  Owned by src/run/. */
#ifndef HCS_NEEDS_H
#define HCS_NEEDS_H

#include <stddef.h>

#include "store/store.h"

enum chain_need { NEED_HOUSES, NEED_METERS, NEED_ORGS, NEED_COUNT };
/* The exchange_sync_ask `what` of each need ("houses", "meters", "orgs"). */
extern const char *const chain_need_what[NEED_COUNT];

typedef struct chain_needs chain_needs;

chain_needs *needs_new(store *st);
void needs_free(chain_needs *n);
void needs_clear(chain_needs *n);
/* The keys noted are being exported: remembered for the rest of the run
 * (not noted again, whatever GIS answers: an unknown OGRN is asked once
 * per run, not once per file), then cleared. */
void needs_mark_asked(chain_needs *n);
/* A lookup the registry answered "unknown" (kind as convert_resolve_fn's). */
void needs_note(chain_needs *n, const char *kind, const char *local_key);
size_t needs_total(const chain_needs *n);
/* Keys of one need: canonical FIAS GUIDs, or OGRNs. */
const char *const *needs_keys(const chain_needs *n, enum chain_need which, size_t *count);

#endif
