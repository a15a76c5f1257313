/* convert — the conversion stage, one input file:
 * read (table) → template (rows → elements) → packet (split) → soap
 * (envelope + XSD validation) → sign (when opts->signing is given) →
 * the serialized bytes (packet->text).  Every source row ends either
 * inside an element of a finished packet handed to sink->packet, or in
 * sink->reject with the reason; nothing is dropped silently.  Memory is
 * bounded by the open packets, not by the file.  `hcsbatch convert` and the
 * nightly run (src/run/) both call convert_file; only their sinks differ
 * (files in --out, or packets in the store).  Owned by src/packet/; may
 * call base, proto, read, template, soap and sign. */
#ifndef HCS_CONVERT_H
#define HCS_CONVERT_H

#include "base/config.h"
#include "base/err.h"
#include "packet/packet.h"
#include "proto/schema.h"
#include "sign/sign.h"

/* Resolves an accounting-system key to a GIS id through the registry
 * (kind: "account", "premises", "meter", "payment_document", …; "KIND.FIELD"
 * asks for another id of the object, e.g. "payment_document.unique_number"
 * = its PaymentDocumentID; the answer fits 36 bytes).  local_key comes as
 * the row wrote it (composite keys joined with '|'), asked once per key:
 * the resolver compares it normalized (base/keynorm.h) and as written
 * (store_registry_answer does both in one lookup).
 * Returns 1 found (guid written), 0 unknown, -1 error. */
typedef int (*convert_resolve_fn)(void *ctx, const char *kind, const char *local_key,
                                  char guid[37]);
/* Asked for every [resolve] key a row names (in its comparison form),
 * whether or not the row gives the GIS id itself: NULL = the row may name
 * it, else the object must not be named yet (its own import failed) and
 * the row is rejected with this reason (Russian, valid until the next
 * call).  ctx = resolve_ctx. */
typedef const char *(*convert_held_fn)(void *ctx, const char *kind, const char *local_key);

/* Uploads a file named in a row (cell: path relative to input_file's
 * folder) once per content and gives its AttachmentGUID and hex
 * AttachmentHASH.  filestore_attach_resolve (filestore/filestore.h) has
 * this shape.  0 = done; -1 = failed: err code DATAERR/NOINPUT rejects the
 * row with err->msg, any other code stops the file. */
typedef int (*convert_attach_fn)(void *ctx, const char *input_file, const char *cell,
                                 char guid[37], char hash[65], hcs_err *err);

/* Signing for the conversion: the signer is opened from cfg ([sign]) when
 * the first packet needs it (a file whose rows are all rejected opens
 * nothing) and kept for the next files; its owner frees sg (signer_free). */
struct convert_signing {
    const hcs_config *cfg;
    signer *sg;
};
/* The signer, opened now if it was not yet (NULL: err, e.g. HCS_EX_CONFIG). */
signer *convert_signer(struct convert_signing *s, hcs_err *err);

/* Packets are built, validated and signed on [convert] jobs worker
 * threads (default: the online cores, at most this many; 1: in the
 * calling thread).  Sinks are always called from the calling thread, in
 * file order, and the output does not depend on the number of jobs. */
#define CONVERT_MAX_JOBS 64

/* A spill index on disk for the two-file form (packet/join.h); the run
 * gives the store's (store_spill_*), whose shapes these are. */
struct join_spill {
    void *(*open)(hcs_err *err);
    void (*close)(void *sp);
    int (*put)(void *sp, const char *key, long row, const void *data, size_t len, hcs_err *err);
    int (*mark)(void *sp, const char *key, hcs_err *err);        /* 1 new, 0 marked before, -1 */
    int (*unmark_all)(void *sp, hcs_err *err);
    int (*rows)(void *sp, const char *key, void (*fn)(void *ctx, long row, const void *data, size_t len),
                void *ctx, hcs_err *err);
    int (*next_unmarked)(void *sp, const char *after, char **key, hcs_err *err);
};

struct convert_opts {
    const hcs_config *cfg;         /* paths.*, input.*, gis.*, limits.* */
    const char *template_name;     /* folder under paths.templates_dir ("importAccountData", …) */
    const char *template_dir;      /* explicit template folder (overrides the two above), or NULL */
    schema_set *schemas;           /* NULL: packets are not validated (tests only) */
    convert_resolve_fn resolve;    /* NULL: only GIS ids given directly work */
    void *resolve_ctx;
    convert_held_fn held;          /* NULL: no key is held back */
    convert_attach_fn attach;      /* `file` columns; NULL: rows naming a file are rejected */
    void *attach_ctx;
    struct convert_signing *signing; /* NULL: packets are not signed */
    int keys_only;                 /* only read and resolve: every row through the template (its
                                    * [resolve] lookups reach resolve), nothing grouped, packed,
                                    * validated, signed, uploaded or handed to the sink; stats
                                    * count rows (the chain's cheap pass, run/intake.c) */
    int preliminary;               /* a pass before the real conversion of the same file (keys_only,
                                    * the attachment uploads): it logs nothing the real one will */
    const struct join_spill *spill; /* the two-file form of a template with [join]: a child file
                                    * (premises) converts joined to the registry, and path to
                                    * join_child when given; NULL: every file on its own */
    const char *join_child;        /* the child file joined to path (a parent file), or NULL */
    const long *only_rows;         /* convert just these spreadsheet rows, ascending (a retry); NULL: all */
    size_t nonly_rows;
};

struct convert_reject {
    const char *file;
    long row;                      /* spreadsheet row number; 0 = the file as a whole */
    const char *column;            /* header name as written in the file, or "" */
    const char *value;             /* offending value, or "" */
    const char *reason;            /* English or Russian text, for errors.csv and the report */
    const char *element_key;       /* local key of the element the row belonged to, or NULL */
};

struct convert_sink {
    void *ctx;
    /* A finished packet: validated, signed when opts->signing is given, and
     * (*p)->text / text_len hold the bytes to store or send.  The sink may
     * keep it (set *p = NULL) or leave it to be freed. */
    int (*packet)(void *ctx, struct packet **p, hcs_err *err);
    void (*reject)(void *ctx, const struct convert_reject *r);
};

struct convert_stats {
    long rows;              /* data rows read */
    long rows_rejected;
    long elements;
    long packets;
    long schema_rejected;   /* elements left out because the XSD refused them */
};

/* Returns 0 when the file was processed (some rows may be rejected: see
 * stats, which are zeroed first and describe this file only), -1 when it could not be processed at all (err: NOINPUT, DATAERR
 * for a missing required column, CONFIG for a broken template). */
int convert_file(const struct convert_opts *opts, const char *path,
                 const struct convert_sink *sink, struct convert_stats *stats, hcs_err *err);

/* The last step, one function for every consumer: signs doc when sg is
 * given, then serializes it byte-exact (what is archived and sent).
 * *bytes is malloc'd (free()).  A rebuilt packet (new MessageGUID) can be
 * re-signed through it as well. */
int convert_seal_envelope(signer *sg, xmlDocPtr doc, char **bytes, size_t *len, hcs_err *err);
/* The same with an open signer (NULL: not signed); thread-safe for
 * different packets (the conversion's workers call it). */
int convert_seal_with(signer *sg, struct packet *p, hcs_err *err);

/* The role of the file at path for the template of opts (enum tjoin_role
 * of template/template.h: 0 no [join], 1 parent, 2 child, 3 both), telling
 * a houses file from a premises file by its header.  A file that cannot
 * be read or bound says 0 (its conversion reports why). */
int convert_join_role(const struct convert_opts *opts, const char *path);
/* 1 when the template of opts has [join] (its inbox files may pair). */
int convert_template_joins(const struct convert_opts *opts);
/* The pairs among n files of roles role[] (convert_join_role, in name
 * order): partner[i] the premises file taken with houses file i, -2 a
 * premises file so taken, -1 neither; the i-th houses file takes the i-th
 * premises file.  partner has n entries. */
void convert_join_pairs(const int *role, int *partner, size_t n);

/* Does the template of opts have `file` columns?  1 (and *context = its
 * file store context, malloc'd), 0 (no files), -1 (template broken: err). */
int convert_template_files(const struct convert_opts *opts, char **context, hcs_err *err);

#endif
