/* keys — loading and checking the signing key and certificate. */
#include "sign/keys.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include "base/crypto.h"
#include "base/xalloc.h"
#include "sign/sign.h"

#define MAX_KEY_FILE (1024 * 1024)
#define MAX_PASS 1024

/* A secret-bearing file, read in one piece so no stale copies remain
 * (no realloc); the caller wipes and frees it. */
struct secret_buf {
    unsigned char *data;
    size_t len;
};

static void secret_free(struct secret_buf *b)
{
    if (b->data) {
        secure_wipe(b->data, b->len + 1);
        free(b->data);
    }
    b->data = NULL;
    b->len = 0;
}

static int read_secret_file(const char *path, const char *what, struct secret_buf *out, hcs_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return hcs_fail(err, HCS_EX_CONFIG, "%s %s: %s", what, path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_KEY_FILE) {
        close(fd);
        return hcs_fail(err, HCS_EX_CONFIG, "%s %s: not a regular file of at most %d bytes",
                        what, path, MAX_KEY_FILE);
    }
    size_t size = (size_t)st.st_size;
    unsigned char *buf = xmalloc(size + 1);
    size_t n = 0;
    while (n < size) {
        ssize_t got = read(fd, buf + n, size - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    buf[n] = '\0';
    out->data = buf;
    out->len = n;
    return 0;
}

static void add_warning(struct key_material *km, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void add_warning(struct key_material *km, const char *fmt, ...)
{
    size_t used = strlen(km->warning);
    if (used && used + 2 < sizeof km->warning) {
        memcpy(km->warning + used, "; ", 3);
        used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(km->warning + used, sizeof km->warning - used, fmt, ap);
    va_end(ap);
}

static void warn_if_shared(struct key_material *km, const char *path, const char *what)
{
    struct stat st;
    if (stat(path, &st) == 0 && (st.st_mode & (S_IRGRP | S_IROTH)))
        add_warning(km, "%s %s is readable by %s (mode %04o); chmod 600 it", what, path,
                    (st.st_mode & S_IROTH) ? "others" : "its group", (unsigned)(st.st_mode & 07777));
}

/* The passphrase, or NULL when none is configured.  Caller wipes+frees. */
static int read_passphrase(const hcs_config *cfg, struct key_material *km, char **pass, hcs_err *err)
{
    *pass = NULL;
    char *file = cfg_path(cfg, "sign.pass_file");
    const char *env = cfg_str(cfg, "sign.pass_env");
    if (file) {
        struct secret_buf b = { 0 };
        int rc = read_secret_file(file, "sign.pass_file", &b, err);
        if (rc == 0) {
            warn_if_shared(km, file, "passphrase file");
            size_t n = strcspn((char *)b.data, "\r\n");
            if (n > MAX_PASS)
                rc = hcs_fail(err, HCS_EX_CONFIG, "sign.pass_file %s: passphrase longer than %d bytes",
                              file, MAX_PASS);
            else
                *pass = xstrndup((char *)b.data, n);
        }
        secret_free(&b);
        free(file);
        return rc;
    }
    if (env && *env) {
        const char *v = getenv(env);
        if (!v)
            return hcs_fail(err, HCS_EX_CONFIG, "sign.pass_env names %s, which is not set", env);
        *pass = xstrdup(v);
    }
    return 0;
}

static void wipe_pass(char **pass)
{
    if (*pass) {
        secure_wipe(*pass, strlen(*pass));
        free(*pass);
        *pass = NULL;
    }
}

struct pass_ctx {
    const char *pass;
    int asked;
};

static int pem_pass_cb(char *buf, int size, int rwflag, void *u)
{
    (void)rwflag;
    struct pass_ctx *pc = u;
    pc->asked = 1;
    if (!pc->pass)
        return -1;   /* never prompt on a terminal: cron has none */
    int n = (int)strlen(pc->pass);
    if (n > size)
        return -1;
    memcpy(buf, pc->pass, (size_t)n);
    return n;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcasecmp(s + n - m, suffix);
}

static const char *ossl_reason(void)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;
    return r ? r : "unrecognised format";
}

static int load_pkcs12(const char *path, const struct secret_buf *b, const char *pass,
                       struct key_material *km, hcs_err *err)
{
    BIO *bio = BIO_new_mem_buf(b->data, (int)b->len);
    PKCS12 *p12 = bio ? d2i_PKCS12_bio(bio, NULL) : NULL;
    BIO_free(bio);
    if (!p12) {
        ERR_clear_error();
        return hcs_fail(err, HCS_EX_CONFIG, "sign.key %s: not a PKCS#12 file", path);
    }
    STACK_OF(X509) *ca = NULL;
    /* without a passphrase: try the empty one, then none (exporters differ) */
    int ok = PKCS12_parse(p12, pass ? pass : "", &km->pkey, &km->cert, &ca);
    if (!ok && !pass) {
        ERR_clear_error();
        ok = PKCS12_parse(p12, NULL, &km->pkey, &km->cert, &ca);
    }
    PKCS12_free(p12);
    sk_X509_pop_free(ca, X509_free);
    if (!ok) {
        ERR_clear_error();
        return hcs_fail(err, HCS_EX_CONFIG, "sign.key %s: cannot open the PKCS#12 file%s", path,
                        pass ? " (wrong passphrase?)" : " (encrypted: set sign.pass_file or sign.pass_env)");
    }
    if (!km->pkey)
        return hcs_fail(err, HCS_EX_CONFIG, "sign.key %s: the PKCS#12 file holds no private key", path);
    return 0;
}

static int load_pem_key(const char *path, const struct secret_buf *b, const char *pass,
                        struct key_material *km, hcs_err *err)
{
    struct pass_ctx pc = { pass, 0 };
    BIO *bio = BIO_new_mem_buf(b->data, (int)b->len);
    km->pkey = bio ? PEM_read_bio_PrivateKey(bio, NULL, pem_pass_cb, &pc) : NULL;
    BIO_free(bio);
    if (!km->pkey) {
        const char *why = ossl_reason();
        int rc;
        if (pc.asked && !pass)
            rc = hcs_fail(err, HCS_EX_CONFIG, "sign.key %s is encrypted: set sign.pass_file or sign.pass_env", path);
        else if (pc.asked)
            rc = hcs_fail(err, HCS_EX_CONFIG, "sign.key %s: cannot decrypt the key (wrong passphrase?)", path);
        else
            rc = hcs_fail(err, HCS_EX_CONFIG, "sign.key %s: no readable private key (%s)", path, why);
        ERR_clear_error();
        return rc;
    }
    return 0;
}

static int load_pem_cert(const char *path, struct key_material *km, hcs_err *err)
{
    BIO *bio = BIO_new_file(path, "rb");
    km->cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    if (!km->cert) {
        /* DER is what CryptoPro exports as .cer */
        bio = BIO_new_file(path, "rb");
        km->cert = bio ? d2i_X509_bio(bio, NULL) : NULL;
        BIO_free(bio);
    }
    ERR_clear_error();
    if (!km->cert)
        return hcs_fail(err, HCS_EX_CONFIG, "sign.cert %s: no readable certificate (PEM or DER)", path);
    return 0;
}

int keys_cert_days_left(const X509 *cert)
{
    int days = 0, secs = 0;
    if (!ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(cert)))
        return -1;
    if (secs < 0 && days <= 0)
        days--;   /* already past: count the partial day as gone */
    return days;
}

static int check_cert(const char *what, struct key_material *km, hcs_err *err)
{
    if (X509_cmp_current_time(X509_get0_notBefore(km->cert)) > 0)
        return hcs_fail(err, HCS_EX_CONFIG, "%s: the certificate is not valid yet", what);
    if (X509_cmp_current_time(X509_get0_notAfter(km->cert)) < 0)
        return hcs_fail(err, HCS_EX_CONFIG, "%s: the certificate has expired; GIS rejects its signatures", what);
    if (!X509_check_private_key(km->cert, km->pkey)) {
        ERR_clear_error();
        return hcs_fail(err, HCS_EX_CONFIG, "%s: the private key does not match the certificate", what);
    }
    km->days_left = keys_cert_days_left(km->cert);
    if (km->days_left < KEYS_EXPIRY_WARN_DAYS)
        add_warning(km, "the signing certificate expires in %d day%s; order a new one", km->days_left,
                    km->days_left == 1 ? "" : "s");
    return 0;
}

/* A key on a token: the PIN is read like a passphrase. */
static int load_from_token(const hcs_config *cfg, const char *uri, struct key_material *km, char **what,
                           hcs_err *err)
{
    char *pin = NULL;
    int rc = read_passphrase(cfg, km, &pin, err);
    if (rc == 0)
        rc = keys_load_pkcs11(cfg, uri, pin, km, err);
    wipe_pass(&pin);
    char *cert_path = keys_is_pkcs11_uri(cfg_str(cfg, "sign.cert")) ? NULL : cfg_path(cfg, "sign.cert");
    if (rc == 0 && !km->cert && cert_path)
        rc = load_pem_cert(cert_path, km, err);
    *what = xstrdup(uri);
    free(cert_path);
    if (rc < 0)
        keys_free(km);
    return rc;
}

/* Reads the key and its certificate; checks nothing about them. */
static int load_material(const hcs_config *cfg, struct key_material *km, char **what, hcs_err *err)
{
    memset(km, 0, sizeof *km);
    if (keys_is_pkcs11_uri(cfg_str(cfg, "sign.key")))
        return load_from_token(cfg, cfg_str(cfg, "sign.key"), km, what, err);
    char *key_path = cfg_path(cfg, "sign.key");
    char *cert_path = cfg_path(cfg, "sign.cert");
    char *pass = NULL;
    struct secret_buf b = { 0 };
    int rc = 0;
    if (!key_path)
        rc = hcs_fail(err, HCS_EX_CONFIG, "no signing key: set sign.key (or --key)");
    if (rc == 0)
        rc = read_passphrase(cfg, km, &pass, err);
    if (rc == 0)
        rc = read_secret_file(key_path, "sign.key", &b, err);
    if (rc == 0) {
        warn_if_shared(km, key_path, "key file");
        int p12 = has_suffix(key_path, ".p12") || has_suffix(key_path, ".pfx");
        rc = p12 ? load_pkcs12(key_path, &b, pass, km, err) : load_pem_key(key_path, &b, pass, km, err);
        if (rc == 0 && !km->cert && cert_path)
            rc = load_pem_cert(cert_path, km, err);
        if (rc == 0 && !km->cert) {
            /* a PEM file holding both the key and the certificate */
            BIO *bio = BIO_new_mem_buf(b.data, (int)b.len);
            km->cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
            BIO_free(bio);
            ERR_clear_error();
            if (!km->cert)
                rc = hcs_fail(err, HCS_EX_CONFIG, "no signing certificate: set sign.cert (or --cert)");
        }
    }
    secret_free(&b);
    wipe_pass(&pass);
    *what = xstrdup(cert_path ? cert_path : key_path ? key_path : "sign.key");
    free(key_path);
    free(cert_path);
    if (rc < 0)
        keys_free(km);
    return rc;
}

int keys_load(const hcs_config *cfg, struct key_material *km, hcs_err *err)
{
    char *what = NULL;
    int rc = load_material(cfg, km, &what, err);
    if (rc == 0)
        rc = check_cert(what, km, err);
    free(what);
    if (rc < 0)
        keys_free(km);
    return rc;
}

int keys_inspect(const hcs_config *cfg, struct key_inspection *ki, hcs_err *err)
{
    memset(ki, 0, sizeof *ki);
    struct key_material km;
    char *what = NULL;
    if (crypto_gost_init(cfg_str(cfg, "sign.engine_path"), err) < 0)
        return -1;
    int rc = load_material(cfg, &km, &what, err);
    free(what);
    if (rc < 0)
        return -1;
    ki->matches = X509_check_private_key(km.cert, km.pkey) == 1;
    ERR_clear_error();
    ki->not_yet_valid = X509_cmp_current_time(X509_get0_notBefore(km.cert)) > 0;
    ki->days_left = keys_cert_days_left(km.cert);
    struct tm tm;
    if (ASN1_TIME_to_tm(X509_get0_notAfter(km.cert), &tm))
        strftime(ki->not_after, sizeof ki->not_after, "%Y-%m-%d", &tm);
    snprintf(ki->warning, sizeof ki->warning, "%s", km.warning);
    keys_free(&km);
    return 0;
}

void keys_free(struct key_material *km)
{
    EVP_PKEY_free(km->pkey);   /* OpenSSL clears private key bignums on free */
    X509_free(km->cert);
    km->pkey = NULL;
    km->cert = NULL;
}
