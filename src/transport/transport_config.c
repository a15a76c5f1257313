/* transport_config — [transport] and the related [gis] keys read into
 * transport options: named stands, CONNECT_TO, extra headers (with the
 * certificate fingerprint computed when asked), TLS versions, and the
 * configuration warnings a real site must see before its first night. */
#include "transport/transport.h"
#include "transport/transport_impl.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/crypto.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/xalloc.h"

int transport_url_is_loopback(const char *url)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    static const char *const loop[] = { "127.", "localhost:", "localhost/", "[::1]", NULL };
    for (const char *const *l = loop; *l; l++)
        if (!strncasecmp(h, *l, strlen(*l)))
            return 1;
    return !strcasecmp(h, "localhost");
}

/* 1 when connect_to sends every connection to this machine (a local stunnel). */
static int connect_to_loopback(const char *connect_to)
{
    if (!connect_to || !*connect_to)
        return 0;
    char *copy = xstrdup(connect_to);
    int all = 1;
    for (char *save = NULL, *e = strtok_r(copy, ", ", &save); e; e = strtok_r(NULL, ", ", &save)) {
        /* HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT; the third field is where it goes */
        char *to = strchr(e, ':');
        to = to ? strchr(to + 1, ':') : NULL;
        char *url = to ? xasprintf("http://%s", to + 1) : NULL;
        all = all && url && transport_url_is_loopback(url);
        free(url);
    }
    free(copy);
    return all;
}

/* Each said once per process: the exchange and the file store both read
 * [transport].  Logged here, at configuration time, rather than returned:
 * they do not stop the run, and every command that talks to GIS passes
 * through this reader. */
static void warn_once(const hcs_config *cfg)
{
    static int warned_http, warned_alg;
    const char *base = cfg_str(cfg, "gis.base_url");
    if (!base)
        return;
    if (!warned_http && !strncasecmp(base, "http://", 7) && !transport_url_is_loopback(base) &&
        !connect_to_loopback(cfg_str(cfg, "transport.connect_to")) && ++warned_http)
        log_warn("gis.base_url %s is plain http:// outside this machine: requests (and Basic "
                 "credentials) travel in clear; use https:// or a local stunnel (docs/going-live.md)", base);
    const char *alg = cfg_str(cfg, "sign.alg");
    if (!warned_alg && alg && (!strcasecmp(alg, "rsa") || !strcasecmp(alg, "gost2001")) &&
        !transport_url_is_loopback(base) && ++warned_alg)
        log_warn("sign.alg = %s: GIS accepts only GOST R 34.10-2012 (256-bit) signatures; "
                 "requests to %s will be refused (docs/going-live.md)", alg, base);
}

static int tls_version(const char *key, const char *v, int *out, hcs_err *err)
{
    static const char *const names[] = { "1.0", "1.1", "1.2", "1.3" };
    *out = 0;
    if (!v || !*v)
        return 0;
    for (int i = 0; i < 4; i++)
        if (!strcmp(v, names[i])) {
            *out = i + 1;
            return 0;
        }
    return hcs_fail(err, HCS_EX_CONFIG, "%s must be 1.0, 1.1, 1.2 or 1.3, not %s", key, v);
}

int transport_opts_from_config(const hcs_config *cfg, struct transport_opts *o, char **auth_owned,
                               hcs_err *err)
{
    memset(o, 0, sizeof *o);
    *auth_owned = NULL;
    const char *stand = cfg_str(cfg, "gis.stand");
    if (stand && *stand && !cfg_stand_base_url(stand))
        return hcs_fail(err, HCS_EX_CONFIG, "gis.stand must be prod, sit01 or sit02, not %s", stand);
    o->connect_timeout_s = cfg_int(cfg, "transport.connect_timeout", 20);
    o->timeout_s = cfg_int(cfg, "transport.timeout", 120);
    o->retries = (int)cfg_int(cfg, "transport.retries", 5);
    o->backoff_ms = cfg_int(cfg, "transport.backoff_ms", 1000);
    o->backoff_max_ms = cfg_int(cfg, "transport.backoff_max_ms", 60000);
    o->rate = cfg_double(cfg, "transport.rate", 5);
    o->burst = cfg_double(cfg, "transport.burst", 5);
    o->in_flight = (int)cfg_int(cfg, "transport.in_flight", 4);
    /* An answer is buffered whole (parsed as one document): a hostile or
     * broken server streaming without end must not take the memory. */
    long max_mb = cfg_int(cfg, "transport.max_response_mb", 64);
    if (max_mb < 1 || max_mb > 4096)
        return hcs_fail(err, HCS_EX_CONFIG, "transport.max_response_mb must be 1 … 4096, not %ld", max_mb);
    o->max_response = (size_t)max_mb << 20;
    o->ca_file = cfg_str(cfg, "transport.ca_file");
    o->client_cert = cfg_str(cfg, "transport.client_cert");
    o->client_key = cfg_str(cfg, "transport.client_key");
    o->ciphers = cfg_str(cfg, "transport.ciphers");
    o->engine_path = cfg_str(cfg, "sign.engine_path");
    o->connect_to = cfg_str(cfg, "transport.connect_to");
    o->headers = cfg_str(cfg, "transport.headers");
    /* The fingerprint names the information system's certificate: the TLS
     * client certificate when there is one, else the signing one. */
    o->fingerprint_cert = o->client_cert ? o->client_cert : cfg_str(cfg, "sign.cert");
    if (tls_version("transport.tls_min", cfg_str(cfg, "transport.tls_min"), &o->tls_min, err) < 0 ||
        tls_version("transport.tls_max", cfg_str(cfg, "transport.tls_max"), &o->tls_max, err) < 0)
        return -1;
    if (o->tls_min && o->tls_max && o->tls_min > o->tls_max)
        return hcs_fail(err, HCS_EX_CONFIG, "transport.tls_min is above transport.tls_max");
    char *auth_file = cfg_path(cfg, "transport.basic_auth_file");
    if (auth_file) {
        size_t len;
        char *text = file_read_all(auth_file, 4096, &len, err);
        free(auth_file);
        if (!text)
            return hcs_err_wrap(err, "transport.basic_auth_file");
        text[strcspn(text, "\r\n")] = '\0';
        if (!strchr(text, ':')) {
            secure_wipe(text, len);
            free(text);
            return hcs_fail(err, HCS_EX_CONFIG, "transport.basic_auth_file: expected user:password");
        }
        *auth_owned = text;
        o->basic_auth = text;
    }
    if (o->retries < 1 || o->in_flight < 1 || o->timeout_s < 1 || o->connect_timeout_s < 1)
        return hcs_fail(err, HCS_EX_CONFIG,
                        "[transport] retries, in_flight, timeout and connect_timeout must be at least 1");
    warn_once(cfg);
    return 0;
}

transport *transport_new_from_config(const hcs_config *cfg, hcs_err *err)
{
    struct transport_opts o;
    char *auth = NULL;
    if (transport_opts_from_config(cfg, &o, &auth, err) < 0)
        return NULL;
    transport *t = transport_new(&o, err);
    if (auth) {
        secure_wipe(auth, strlen(auth));
        free(auth);
    }
    return t;
}

/* The value the plain-HTTP test stand expects in X-Client-Cert-Fingerprint:
 * a public Python client for GIS sends its certificate's thumbprint there
 * when it talks plain HTTP to SIT (app/gis/core, GisSession: "добавляем
 * заголовок с отпечатком сертификата"), and the C# client's thumbprint is
 * Windows' X509Certificate2.Thumbprint: SHA-1 of the DER certificate in
 * upper-case hex without separators.  That is what this computes. */
int transport_cert_fingerprint(const char *cert_path, char out[41], hcs_err *err)
{
    if (!cert_path)
        return hcs_fail(err, HCS_EX_CONFIG, "X-Client-Cert-Fingerprint: auto needs transport.client_cert "
                        "or sign.cert (a PEM certificate)");
    if (!strncasecmp(cert_path, "pkcs11:", 7))
        return hcs_fail(err, HCS_EX_CONFIG, "X-Client-Cert-Fingerprint: auto reads a certificate file, but "
                        "sign.cert names one on a token (%s): set transport.client_cert to the certificate "
                        "file, or write the fingerprint itself", cert_path);
    FILE *f = fopen(cert_path, "r");
    if (!f)
        return hcs_fail(err, HCS_EX_NOINPUT, "%s: cannot open the certificate", cert_path);
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (!x)
        return hcs_fail(err, HCS_EX_CONFIG, "%s: not a PEM certificate", cert_path);
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    X509_free(x);
    if (len <= 0)
        return hcs_fail(err, HCS_EX_SOFTWARE, "%s: cannot encode the certificate", cert_path);
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    int rc = crypto_digest_hex("sha1", der, (size_t)len, hex, err);
    OPENSSL_free(der);
    if (rc < 0)
        return -1;
    snprintf(out, 41, "%s", hex);
    for (char *p = out; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    return 0;
}

char **transport_headers_parse(const char *spec, const char *cert_path, hcs_err *err)
{
    size_t n = 0, cap = 4;
    char **out = xcalloc(cap + 1, sizeof *out);
    char *copy = xstrdup(spec ? spec : "");
    for (char *save = NULL, *item = strtok_r(copy, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
        while (*item == ' ' || *item == '\t')
            item++;
        if (!*item)
            continue;
        char *colon = strchr(item, ':');
        char *v = colon ? colon + 1 : NULL;
        while (v && (*v == ' ' || *v == '\t'))
            v++;
        char *end = v ? v + strlen(v) : NULL;
        while (end && end > v && (end[-1] == ' ' || end[-1] == '\t'))
            *--end = '\0';
        if (!colon || colon == item || strpbrk(item, "\r\n")) {
            hcs_fail(err, HCS_EX_CONFIG, "transport.headers: expected \"Name: value; Name2: value\", got '%s'", item);
            goto fail;
        }
        *colon = '\0';
        char fp[41];
        if (!strcasecmp(v, "auto")) {
            if (strcasecmp(item, "X-Client-Cert-Fingerprint")) {
                hcs_fail(err, HCS_EX_CONFIG, "transport.headers: 'auto' is known only for X-Client-Cert-Fingerprint");
                goto fail;
            }
            if (transport_cert_fingerprint(cert_path, fp, err) < 0)
                goto fail;
            v = fp;
        }
        if (n == cap) {
            cap *= 2;
            out = xrealloc(out, (cap + 1) * sizeof *out);
        }
        out[n++] = xasprintf("%s: %s", item, v);
        out[n] = NULL;
    }
    free(copy);
    return out;
fail:
    free(copy);
    transport_headers_free(out);
    return NULL;
}

void transport_headers_free(char **h)
{
    for (size_t i = 0; h && h[i]; i++)
        free(h[i]);
    free(h);
}
