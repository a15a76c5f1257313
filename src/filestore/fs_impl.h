/* fs_impl — the file store client's internals shared by its files
 * (fs_client.c, fs_upload.c, fs_download.c, fs_attach.c). */
#ifndef HCS_FS_IMPL_H
#define HCS_FS_IMPL_H

#include "filestore/filestore.h"
#include "store/store.h"
#include "transport/transport.h"

struct fs_client {
    char *root;               /* file store URL, ends in '/' */
    char *provider_line;      /* "X-Upload-OrgPPAGUID: <guid>" */
    int hash_first_part;
    transport *http;          /* its own: blocking requests, the file store's rate */
    store *state;             /* own connection to the state database; NULL: nothing remembered */
    char owner[160];          /* "host:pid": the claims' owner */
    int lease_seconds;
    const char *lease_key;    /* the upload claim held now (renewed per part), or NULL */
    int lease_lost;           /* the last renewal found it taken over */
};

/* Renews the upload claim held (c->lease_key): 0, or -1 when it is lost
 * (another worker took it over after the lease ended) or on error. */
int fs_lease_renew(fs_client *c, hcs_err *err);

/* One request through the transport with the file store's retry rules:
 * network errors, 5xx and 429 are retried, and with retry_hash_conflict a
 * 400 HashConflictException too (the same body again).  Answers are
 * bounded by one part.  0 when an answer came that is not retried (any
 * status); -1 when every attempt failed (HCS_EX_UNAVAILABLE naming method,
 * URL and the last status or network error; resp holds the last answer). */
int fs_request(fs_client *c, const char *method, const char *url, const char *const *headers,
               const void *body, size_t len, int retry_hash_conflict, struct transport_response *resp,
               hcs_err *err);

/* Turns a non-2xx answer into err (DATAERR for a GIS refusal with
 * X-Upload-Error, PROTOCOL otherwise), copying the exception name into
 * gis_error (64 bytes).  what: "upload of X" etc.  Returns -1. */
int fs_answer_error(const struct transport_response *r, const char *what, char *gis_error, hcs_err *err);

#endif
