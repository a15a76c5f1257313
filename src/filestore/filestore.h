/* filestore — the client of the GIS file store (ext-bus-file-store-service):
 * uploads up to 1 GB (one PUT up to 5 MB, else POST ?upload + parts of
 * 5 242 880 bytes + POST ?completed), resumable after a crash (the UploadID
 * and the parts sent are kept in the state database; HEAD tells what GIS
 * has), downloads with Range (resumable through a .part file), and
 * "attach": upload once per content and remember the AttachmentGUID.
 * HTTP goes through src/transport/ (the file store's retry rules are its
 * classify callback); what is remembered goes through src/store/ (store.h,
 * a connection of its own to the state database, SQLite or PostgreSQL).
 * With several workers on several hosts an attachment's upload is claimed
 * by content with a lease (store.h, named claims) renewed at every part:
 * one worker uploads it, the others wait for its AttachmentGUID, and a
 * dead worker's upload is taken over and resumed.  Calls base/, proto/,
 * transport/ and store/ only.
 *
 * One pass over each file: per-part MD5 (Content-MD5) and the GOST R
 * 34.11-94 AttachmentHASH are computed while reading; the GOST digest runs
 * on a second thread so that sending and hashing overlap.  Memory is
 * bounded by two parts.
 *
 * Errors come back through hcs_err; the GIS exception name (X-Upload-Error,
 * e.g. "HashConflictException") is also left in the result so reports can
 * show the accountant the Russian explanation from
 * templates/filestore-errors.csv (`code;hint`, readable with
 * report_hints_load).
 * Owns: the GIS file store protocol as a client: uploads, resume, downloads,
 * attachments.
 * May call: base/ proto/ transport/ store/. */
#ifndef HCS_FILESTORE_H
#define HCS_FILESTORE_H

#include <stdint.h>

#include "base/config.h"
#include "base/err.h"
#include "transport/transport.h"

typedef struct fs_client fs_client;

struct fs_options {
    const char *url;              /* file store root, e.g. "http://127.0.0.1:8080/ext-bus-file-store-service/rest/" */
    const char *provider_header;  /* "X-Upload-OrgPPAGUID" (or the legacy "X-Upload-Dataprovider") */
    const char *provider_id;      /* the value sent in it (gis.org_ppa_guid) */
    int hash_first_part;          /* AttachmentHASH over the first part only (filestore.hash_scope) */
    const char *state_db;         /* state database (SQLite) for resume + attachments; NULL = no memory */
    const hcs_config *state_cfg;  /* else the [store] of this config (PostgreSQL); NULL = no memory */
    int lease_seconds;            /* an upload's claim (several workers): [worker] lease_seconds */
    const char *claim_owner;      /* the claims' owner; NULL = this process ("host:pid", store.h) */
    /* Timeouts, retries, back-off, TLS, basic auth as [transport] says
     * (transport_opts_from_config), with rate = filestore.rate (≤ 0 =
     * unlimited), burst 1 and one request at a time. */
    struct transport_opts transport;
};

/* Options from [gis] base_url + [filestore] path, [filestore] provider_header,
 * gis.org_ppa_guid, hash_scope, rate, [transport] (through the transport's
 * own reader) and paths.work_dir/store.path.  Strings point into cfg or
 * *owned (free both with fs_options_free_owned). */
int fs_options_from_config(const hcs_config *cfg, struct fs_options *o, char ***owned, hcs_err *err);
void fs_options_free_owned(char **owned);

fs_client *fs_client_new(const struct fs_options *o, hcs_err *err);
void fs_client_free(fs_client *c);

/* Checks before anything is sent: an allowed extension and 0 < size ≤ 1 GB.
 * name NULL = the path's base name.  Returns 0 and *size, or -1 (HCS_EX_DATAERR
 * with a message naming the file). */
int fs_check_file(const char *path, const char *name, uint64_t *size, hcs_err *err);

struct fs_upload_result {
    char guid[37];            /* AttachmentGUID (the UploadID) */
    char hash[65];            /* AttachmentHASH: hex GOST R 34.11-94 */
    uint64_t size;
    int parts_total;          /* 1 for a single PUT */
    int parts_sent;           /* parts sent by this call (fewer when resumed) */
    int resumed;              /* continued an upload a previous run began */
    char gis_error[64];       /* X-Upload-Error of a refusal, "" otherwise */
};

/* Uploads path to the context under `name` (NULL = base name). */
int fs_upload(fs_client *c, const char *context, const char *path, const char *name,
              struct fs_upload_result *res, hcs_err *err);

struct fs_download_result {
    uint64_t size;
    int requests;             /* GETs made by this call */
    uint64_t resumed_from;    /* bytes already in the .part file */
    char gis_error[64];
};

/* Downloads a file to out_path (written to out_path.part, renamed when its
 * size matches the one GIS announced). */
int fs_download(fs_client *c, const char *context, const char *guid, const char *out_path,
                struct fs_download_result *res, hcs_err *err);

/* For templates/converters (AttachmentType): uploads path once per content
 * (SHA-256 of the bytes + context + hash scope, remembered in the state
 * database) and returns the AttachmentGUID and AttachmentHASH.  *reused is 1
 * when nothing was sent.  name NULL = base name.  With a state database the
 * upload is claimed first: while another worker holds the claim this
 * waits for its result (or for its lease to end, then uploads itself). */
struct fs_attachment {
    char guid[37];
    char hash[65];
    int reused;
};
int filestore_attach(fs_client *c, const char *context, const char *path, const char *name,
                     struct fs_attachment *out, hcs_err *err);
/* The same for a file named in an input row: cell is a path relative to the
 * input file's directory.  Absolute paths, ".." and symlinks leading out of
 * that directory are refused (HCS_EX_DATAERR): a row must not be able to
 * send an arbitrary file of this machine to GIS.  The name sent is the
 * cell's base name. */
int filestore_attach_cell(fs_client *c, const char *context, const char *input_file, const char *cell,
                          struct fs_attachment *out, hcs_err *err);

/* Callback shape for the converter (like convert_resolve_fn): ctx is a
 * struct fs_attach_ctx.  Returns 0 (guid, hash filled) or -1 (err says why;
 * the row is rejected with that reason). */
struct fs_attach_ctx {
    fs_client *client;
    const char *context;      /* the template's file store context, e.g. "homemanagement" */
    long uploaded, reused;    /* counters for the run summary */
};
int filestore_attach_resolve(void *ctx, const char *input_file, const char *cell, char guid[37],
                             char hash[65], hcs_err *err);

#endif
