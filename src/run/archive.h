/* archive — where a taken input file goes: archive/inputs/ once converted,
 * rejected/ (with a note saying why, in Russian for the accountants) when
 * it was refused.  Never overwrites: two inbox folders may hold files of
 * the same name.  Owned by src/run/. */
#ifndef HCS_ARCHIVE_H
#define HCS_ARCHIVE_H

#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

/* Moves f->path to <work>/archive/inputs/run<run_id>-<name> and records
 * the new place (f->archive_path) in the store. */
int archive_input(store *st, const char *work, struct store_file *f, int64_t run_id, hcs_err *err);
/* Moves path to <work>/rejected/run<run_id>-<name>, with <that>.error.txt
 * saying why. */
int archive_reject(const char *work, int64_t run_id, const char *path, const char *why, hcs_err *err);

#endif
