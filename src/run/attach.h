/* attach — files named in input rows (template `file` columns) for the
 * converter: when the template of a convert_opts has such columns, a file
 * store client is made from the configuration ([gis] base_url,
 * [filestore] …) and convert_opts.attach is set, so each file is uploaded
 * once per content (filestore_attach_resolve: remembered in the state
 * database) before its element is built.
 *
 * The run converts a file inside one store transaction (BEGIN IMMEDIATE),
 * and the file store remembers uploads in the same SQLite database through
 * its own connection, which would wait for that transaction.  So the run
 * calls attach_prepare first, outside the transaction: a dry conversion
 * that uploads every file the good rows name.  The real conversion then
 * gets the answers from memory (successes and refusals alike, so a file
 * GIS refused is not sent twice).  Used by `hcsbatch convert` (no
 * transaction, no prepare needed) and the run (intake.c).  Owned by
 * src/run/. */
#ifndef HCS_ATTACH_H
#define HCS_ATTACH_H

#include "base/config.h"
#include "base/err.h"
#include "filestore/filestore.h"
#include "packet/convert.h"

struct attach_memo;

struct attach {
    fs_client *client;
    char **owned;
    char *context;
    struct fs_attach_ctx actx;   /* actx.uploaded / actx.reused: counters */
    struct attach_memo **memo;  /* hash buckets: (input file, cell) → answer, this run */
};

/* Sets opts->attach/attach_ctx when opts' template has `file` columns;
 * uploads are claimed as owner (NULL: this process, store.h).
 * Returns 1 (set up), 0 (the template names no files: nothing to do), -1
 * (template broken, or the file store cannot be configured: err, e.g.
 * HCS_EX_CONFIG "gis.base_url is not set").  a must outlive the
 * conversions; free it with attach_close (also after 0 or -1). */
int attach_setup(struct attach *a, const hcs_config *cfg, struct convert_opts *opts, const char *owner,
                 hcs_err *err);

/* Uploads the files path's good rows name (a conversion whose packets and
 * rejects are dropped and which validates nothing).  Call it before the
 * conversion that counts, outside any store transaction.  0 = done (refused
 * files are remembered and will reject their rows), -1 = the file store
 * failed as a whole (err: unreachable, configuration) — leave the file for
 * the next run.  Nothing to do (0) when opts->attach is not ours. */
int attach_prepare(struct attach *a, const struct convert_opts *opts, const char *path, hcs_err *err);

void attach_close(struct attach *a);

#endif
