/* verify_parse — reading an enveloped XAdES-BES signature into its parts
 * and the structural checks GIS makes before any cryptography: one
 * ds:Signature, first child of the soap:Body child it references; no text
 * nodes, comments or stray whitespace inside; known algorithms and
 * transforms; unique Ids; XAdES QualifyingProperties with SigningTime,
 * CertDigest and IssuerSerial.  Internal to src/sign/ (verify.c). */
#ifndef HCS_SIGN_VERIFY_PARSE_H
#define HCS_SIGN_VERIFY_PARSE_H

#include <libxml/tree.h>

#include "sign/algs.h"
#include "sign/c14n.h"
#include "sign/sign.h"

struct parsed_ref {
    xmlNodePtr el;
    const char *uri;
    xmlNodePtr target;             /* what URI points at */
    int enveloped;
    enum c14n_kind kind;
    xmlChar **prefixes;            /* owned */
    const struct digest_alg *dalg;
    const char *digest_b64;
};

struct parsed_sig {
    xmlNodePtr sig, signed_info, sig_value, cert_el, qp, signed_props;
    xmlNodePtr signing_time, cert_digest_method, cert_digest_value, issuer_name, serial;
    const struct sig_alg *alg;
    enum c14n_kind si_kind;
    struct parsed_ref data, props;
};

/* Sets r->status and r->reason; returns 1 ("stop checking"). */
int verify_fail(struct verify_result *r, enum verify_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The single text child of el ("" when empty), NULL when el has other children. */
const char *verify_text_of(xmlNodePtr el);
/* Finds ds:Signature and checks and reads its structure: 0 parsed, 1 a
 * check failed (r filled). */
int verify_locate(xmlDocPtr doc, struct parsed_sig *ps, struct verify_result *r);
void verify_parsed_free(struct parsed_sig *ps);

#endif
