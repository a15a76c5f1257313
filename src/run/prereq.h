/* prereq — rows of a later file whose object's own import failed.
 *
 * Files wait in their inbox while the packets of the kind they depend on
 * are pending (inbox.h: bills wait for account imports), so a bill is
 * never sent before its account's packet is answered.  When that answer
 * is a failure (the packet failed — e.g. give_up_after —, GIS rejected
 * the account, or the operator cancelled the packet), sending the bill
 * would only fail at GIS, or bill an account GIS holds with stale data:
 * the row is rejected before sending, its reason naming the account, the
 * packet and the file whose import failed.  The latest import of the
 * object decides (store_element_last_import): once the accountant sends
 * the account again and GIS accepts it, its bills go out.  Objects no
 * import of ours touched are resolved from the registry as before.
 * Kinds checked: "account" (importAccountData) — bills, and new devices
 * naming their account.  Owned by src/run/. */
#ifndef HCS_PREREQ_H
#define HCS_PREREQ_H

#include <stddef.h>

#include "base/err.h"
#include "store/store.h"

/* 1 when rows must not name (kind, local_key) yet (why: the Russian
 * reason), 0 when they may, -1 on a store error.  kind may be "KIND.FIELD". */
int prereq_held(store *st, const char *kind, const char *local_key, char *why, size_t whylen, hcs_err *err);

#endif
