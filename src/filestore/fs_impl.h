/* fs_impl — the file store client's internals shared by its files
 * (fs_client.c, fs_upload.c, fs_download.c, fs_attach.c). */
#ifndef HCS_FS_IMPL_H
#define HCS_FS_IMPL_H

#include "filestore/filestore.h"
#include "filestore/fs_http.h"
#include "filestore/fs_state.h"

struct fs_client {
    char *root;               /* file store URL, ends in '/' */
    char *provider_line;      /* "X-Upload-Dataprovider: <guid>" */
    int hash_first_part;
    fs_http *http;
    fs_state *state;          /* NULL: nothing remembered */
};

/* Turns a non-2xx answer into err (DATAERR for a GIS refusal with
 * X-Upload-Error, PROTOCOL otherwise), copying the exception name into
 * gis_error (64 bytes).  what: "upload of X" etc.  Returns -1. */
int fs_answer_error(const struct fs_http_resp *r, const char *what, char *gis_error, hcs_err *err);

#endif
