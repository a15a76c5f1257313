/* intake — one inbox file through the conversion stage (convert_file:
 * read → template → packet → envelope → XSD → signature) into the store,
 * all or nothing: the file row, its packets (`created`, signed bytes in
 * archive/packets/), their elements and the rejected rows in one
 * transaction, the packets `prepared` once the whole file converted.
 * Files named in rows are uploaded to the GIS file store first (attach.h).
 * Owned by src/run/. */
#ifndef HCS_INTAKE_H
#define HCS_INTAKE_H

#include <stdint.h>

#include "base/config.h"
#include "base/err.h"
#include "run/needs.h"
#include "sign/sign.h"
#include "store/store.h"

struct intake_stats {
    long files_taken, files_rejected;
    long rows, rows_rejected;
    long packets_prepared;
};

typedef struct intake intake;

intake *intake_new(const hcs_config *cfg, store *st, int64_t run_id);
void intake_free(intake *in);
const struct intake_stats *intake_get_stats(const intake *in);
/* The conversion's signer, or NULL while no packet was signed. */
const signer *intake_signer(const intake *in);

/* Removes what a conversion killed half-way left (files in "converting"). */
int intake_recover(intake *in, hcs_err *err);

/* Converts one input file into prepared packets, all or nothing.  Returns
 * 0 converted (f filled; some rows may be rejected), 1 when the file as a
 * whole was rejected (f->error says why), 2 when the chain is on and rows
 * name objects the registry lacks that GIS exports can fill (needs.h; a
 * keys-only pass finds them before anything is built, signed, uploaded or
 * stored, so a file converts and signs once): intake_needs lists the
 * exports to run before the file is taken again (keys exported so are not
 * asked again in this run, whatever GIS answered); 3 when the file's claim
 * (intake_set_lease) was lost to another worker before the commit, or the
 * file left the inbox meanwhile (that worker moved it): nothing is stored,
 * the file is that worker's; -1 on a fatal error (config,
 * signing, store) — the file is left untouched for the next run. */
int intake_take_file(intake *in, const char *path, const char *template_name, const char *sha256,
                     struct store_file *f, hcs_err *err);
/* The two-file form (templates with [join], packet/join.h): a houses file
 * (path) and a premises file (child) converted as one, house by house;
 * both get a file record (fc: the premises file's), in the same
 * transaction, each row's outcome under its own file.  Return values as
 * intake_take_file (1: both rejected).  child NULL = intake_take_file.
 * A premises file taken alone (intake_take_file) is joined to the
 * houses the registry knows. */
int intake_take_pair(intake *in, const char *path, const char *sha256, const char *child,
                     const char *child_sha256, const char *template_name, struct store_file *f,
                     struct store_file *fc, hcs_err *err);
/* The role of an inbox file for its template (convert_join_role: 0 no
 * [join], 1 houses file, 2 premises file, 3 one-file form). */
int intake_join_role(intake *in, const char *path, const char *template_name);
/* 1 when files of the template may pair (it has [join]). */
int intake_template_joins(intake *in, const char *template_name);
/* A retry after a registry refresh (refresh.h): the rows of f (its
 * archived copy) converted again through the registry as it is now into
 * new packets (new MessageGUID and TransportGUIDs, signed) of the same
 * file; rows still wrong are rejected one by one.  In one transaction with
 * what commit_with writes (ids: the new packets); nothing is kept when it
 * fails.  Files the rows name are uploaded first, outside it. */
typedef int (*intake_commit_fn)(void *ctx, const int64_t *ids, size_t n, hcs_err *err);
/* fj: the premises file joined to f when its elements hold rows of both
 * (rows of fj flagged: store_element_rows), else NULL. */
int intake_retake_rows(intake *in, const struct store_file *f, const struct store_file *fj, const long *rows,
                       size_t nrows, intake_commit_fn commit_with, void *ctx, hcs_err *err);
/* The store's spill index for the two-file form (convert_opts.spill). */
const struct join_spill *intake_spill(void);
/* Several workers: the files taken next are claimed as ("inbox", key)
 * by owner (store.h, named claims); the claim is renewed before the
 * conversion's transaction and inside it, so a worker whose lease ended
 * (another took the file over) stores nothing.  key NULL: no claim.
 * Uploads of files rows name are claimed as owner too (NULL: this
 * process, "host:pid"). */
void intake_set_lease(intake *in, const char *key, const char *owner, int lease_seconds);
/* The two-file form: the premises file's claim, fenced with the houses
 * file's (cleared by the next intake_set_lease). */
void intake_set_lease_partner(intake *in, const char *key);
/* Keeps the claims while the work on the file outlasts a third of the
 * lease (the chain's wait for GIS, a long conversion), so that no other
 * worker takes the file over meanwhile.  A claim lost already stays lost
 * (the fence says so at the commit).  0, or -1 (err). */
int intake_keep_lease(intake *in, hcs_err *err);
/* Seconds between the renewals intake_keep_lease makes; 0: no claim held. */
int intake_lease_interval(const intake *in);
/* What the last intake_take_file that returned 2 needs exported. */
const chain_needs *intake_needs(const intake *in);
/* Chain on (default): such keys make intake_take_file return 2; off:
 * their rows are rejected one by one. */
void intake_set_chain(intake *in, int on);

#endif
