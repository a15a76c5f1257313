/* c14n — canonical XML of one subtree, streamed straight into a digest,
 * a signature context or a buffer (each canonical byte is produced and
 * hashed once).  libxml2's xmlC14NExecute does the canonicalization; this
 * module only chooses the node set: the subtree at `apex`, minus the
 * subtree at `exclude` (the enveloped-signature transform).  Owned by
 * src/sign/. */
#ifndef HCS_SIGN_C14N_H
#define HCS_SIGN_C14N_H

#include <stddef.h>

#include <libxml/tree.h>
#include <openssl/evp.h>

#include "base/err.h"
#include "base/strbuf.h"

enum c14n_kind { C14N_INCLUSIVE, C14N_EXCLUSIVE };

struct c14n_spec {
    enum c14n_kind kind;
    xmlNodePtr apex;          /* the subtree to canonicalize */
    xmlNodePtr exclude;       /* NULL, or a subtree inside apex to leave out */
    xmlChar **prefixes;       /* exc-c14n InclusiveNamespaces PrefixList (NULL-terminated) or NULL */
    int isolated;             /* canonicalize a copy of apex in a document of its own, with every
                               * namespace in scope declared on it: the same bytes, but libxml2
                               * then walks the small subtree instead of the whole document
                               * (SignedInfo, SignedProperties).  Needs exclude == NULL; falls
                               * back to the node-set walk when an ancestor has xml:* attributes. */
};

/* Receives the canonical bytes in pieces; returns 0, or -1 to abort. */
typedef int (*c14n_sink)(void *ctx, const void *data, size_t len);

int c14n_stream(const struct c14n_spec *spec, c14n_sink sink, void *ctx, hcs_err *err);
/* Digest of the canonical bytes (md from crypto_md). */
int c14n_digest(const struct c14n_spec *spec, const EVP_MD *md,
                unsigned char *out, unsigned int *outlen, hcs_err *err);
/* The canonical bytes themselves (for signing/verifying and for dumps). */
int c14n_to_buffer(const struct c14n_spec *spec, strbuf *sb, hcs_err *err);

#endif
