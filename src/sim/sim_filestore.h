/* sim_filestore — the simulator's GIS file store
 * (ext-bus-file-store-service/rest/<context>/…).  The HTTP server in
 * src/sim/ hands every request under that path here, body complete. */
#ifndef HCS_SIM_FILESTORE_H
#define HCS_SIM_FILESTORE_H

#include <stddef.h>

struct sim_http_request {
    const char *method;          /* GET PUT POST HEAD */
    const char *path;            /* after the file store prefix: "<context>/…" */
    const char *query;           /* "upload", "completed", "getfile" or "" */
    const char *(*header)(void *conn, const char *name);   /* request header lookup */
    void *conn;
    const char *body;
    size_t body_len;
};

struct sim_http_response {
    int status;
    char *body;                  /* malloc'd or NULL */
    size_t body_len;
    char *headers[16];           /* malloc'd "Name: value" strings, NULL-terminated */
    /* Added by the file store (optional for the server): a short note for
     * the request log, e.g. "part=3 upload=<guid>" or "error=HashConflictException". */
    char note[96];
};

typedef struct sim_filestore sim_filestore;

/* Files live in <state_dir>/filestore/ (created); NULL when it cannot be created.
 * Thread-safe: one lock around each request. */
sim_filestore *sim_filestore_open(const char *state_dir);
void sim_filestore_free(sim_filestore *fs);
/* Legacy mode: accept the organisation in X-Upload-Dataprovider too (off by
 * default, as in the real file store, which requires X-Upload-OrgPPAGUID). */
void sim_filestore_set_legacy_header(sim_filestore *fs, int on);
void sim_filestore_handle(sim_filestore *fs, const struct sim_http_request *req,
                          struct sim_http_response *resp);
/* Frees what sim_filestore_handle put into resp (body, headers). */
void sim_filestore_response_clear(struct sim_http_response *resp);
/* For request checks (FIL001001/FIL001002): 1 found and hash_hex filled, 0 unknown
 * (or not completed).  hash_hex is the lowercase hex GOST R 34.11-94 digest of
 * the whole file, computed on first lookup and kept on disk. */
int sim_filestore_lookup(sim_filestore *fs, const char *upload_id, char hash_hex[65]);

#endif
