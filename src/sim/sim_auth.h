/* sim_auth — the signature and certificate checks of a request, in the
 * order of the GIS control table: AUT011004 (no signature), AUT011005
 * (format, digest, value), AUT011006 (certificate), AUT011007 (certificate
 * not the provider's, or the operator's without IsOperatorSignature).
 * Verification itself is src/sign (verify_document). */
#ifndef HCS_SIM_AUTH_H
#define HCS_SIM_AUTH_H

#include <stddef.h>
#include <libxml/tree.h>
#include <openssl/x509.h>

/* Who may sign a request for the provider: its own certificate, or the
 * certificate of the operator of the information system (a billing centre
 * the provider delegated to) — the latter only when the RequestHeader says
 * so with IsOperatorSignature (hcs-base.xsd: "Используется подпись
 * Оператора ИС"). */
struct sim_signers {
    X509 *provider_cert;   /* NULL: any certificate is the provider's */
    X509 *operator_cert;   /* NULL: no operator signs for this provider */
    const char *operator_org;  /* the operator's orgPPAGUID (named in the StackTrace) */
    int operator_flag;     /* the request's RequestHeader/IsOperatorSignature is true */
};

/* sender_guid names the provider in the AUT011007 text.  Returns 0 when the
 * request passes; otherwise fills code and message (the control table's
 * text) and, in detail, the verifier's reason, and returns 1. */
int sim_auth_check(xmlDocPtr doc, const struct sim_signers *who, const char *sender_guid,
                   char code[16], char *message, size_t n, char *detail, size_t dn);

#endif
