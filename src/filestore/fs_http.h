/* fs_http — the file store client's HTTP: one reused libcurl easy handle
 * (keep-alive), request bodies from memory, bounded response bodies, every
 * response header kept, retries with exponential back-off and jitter on
 * network errors, HTTP 5xx/429 and (when asked) 400 HashConflictException.
 * Back-off and rate limit reuse the pure pieces of src/transport/.
 * TODO(integration): when transport_request() grows access to response
 * headers for its classify callback, this can become a thin layer over it. */
#ifndef HCS_FS_HTTP_H
#define HCS_FS_HTTP_H

#include <stddef.h>

#include "base/err.h"
#include "filestore/filestore.h"

typedef struct fs_http fs_http;

struct fs_http_req {
    const char *method;               /* PUT POST GET HEAD */
    const char *url;
    const char *const *headers;       /* NULL-terminated "Name: value" */
    const void *body;
    size_t body_len;
    int retry_hash_conflict;          /* a 400 HashConflictException is retried (same body) */
};

struct fs_http_resp {
    long status;                      /* 0: no answer */
    char *body;
    size_t body_len;
    char *headers;                    /* raw header lines of the last attempt */
    int attempts;
};

fs_http *fs_http_new(const struct fs_options *o, hcs_err *err);
void fs_http_free(fs_http *h);
/* 0 when an answer came that is not retryable (any status); -1 when every
 * attempt failed (HCS_EX_UNAVAILABLE; resp holds the last answer, if any). */
int fs_http_do(fs_http *h, const struct fs_http_req *req, struct fs_http_resp *resp, hcs_err *err);
void fs_http_resp_clear(struct fs_http_resp *r);
/* Header value (case-insensitive name, trimmed) copied into out; 1 found, 0 not. */
int fs_http_header(const struct fs_http_resp *r, const char *name, char *out, size_t outlen);
/* Malloc'd header value or NULL (for long ones: X-Upload-Completed-Parts). */
char *fs_http_header_dup(const struct fs_http_resp *r, const char *name);

#endif
