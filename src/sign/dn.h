/* dn — X509IssuerName strings as GIS wants them: RFC 2253 order (most
 * specific RDN first), ',' without spaces, lowercase keywords for the RFC
 * 2253 attribute types and dotted OIDs for all others (e-mail
 * 1.2.840.113549.1.9.1, INN 1.2.643.3.131.1.1, OGRN 1.2.643.100.1 …),
 * values in UTF-8 with RFC 2253 escapes; and the comparison a verifier
 * needs (keyword case and spelling do not matter, values do).
 * Owned by src/sign/. */
#ifndef HCS_SIGN_DN_H
#define HCS_SIGN_DN_H

#include <openssl/x509.h>

/* Caller frees; NULL only if the name has an unreadable value. */
char *dn_format_rfc2253(const X509_NAME *name);
/* 1 when text names the same RDN sequence as name, 0 otherwise. */
int dn_matches(const char *text, const X509_NAME *name);

#endif
