/* transport_impl — pieces shared by transport.c and transport_config.c
 * (and unit-tested): extra request headers and the certificate fingerprint. */
#ifndef HCS_TRANSPORT_IMPL_H
#define HCS_TRANSPORT_IMPL_H

#include "base/err.h"

/* "Name: value; Name2: value" into a NULL-terminated array of "Name: value"
 * lines (free with transport_headers_free); the value `auto` of
 * X-Client-Cert-Fingerprint becomes the fingerprint of cert_path.  NULL on
 * a malformed list or an unreadable certificate (err filled). */
char **transport_headers_parse(const char *spec, const char *cert_path, hcs_err *err);
void transport_headers_free(char **h);
/* SHA-1 of the DER certificate, upper-case hex (40 characters). */
int transport_cert_fingerprint(const char *cert_path, char out[41], hcs_err *err);
/* 1 when the URL's host is 127.x, localhost or [::1]. */
int transport_url_is_loopback(const char *url);

#endif
