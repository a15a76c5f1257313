/* keys_pkcs11 — the signing key (and, when asked, the certificate) on a
 * token, through libp11's OpenSSL engine: sign.key names the key with an
 * RFC 7512 pkcs11: URI, sign.pkcs11_module the token's library.  The PIN
 * comes from sign.pass_file / sign.pass_env like a key passphrase — never
 * from the URI (pin-value= would put it in the ini file, argv or a log).
 * What the signer does with the key is the same as for a file key: the
 * XAdES construction does not know where the key lives. */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "sign/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/ui.h>

#include "base/crypto.h"
#include "base/xalloc.h"

int keys_is_pkcs11_uri(const char *s)
{
    return s && !strncasecmp(s, "pkcs11:", 7);
}

static int refuse_inline_pin(const char *key, const char *uri, hcs_err *err)
{
    if (strcasestr(uri, "pin-value=") || strcasestr(uri, "pin-source="))
        return hcs_fail(err, HCS_EX_CONFIG, "%s: the token PIN must not be written into the pkcs11: URI; "
                        "put it in the file sign.pass_file names or the environment variable "
                        "sign.pass_env names", key);
    return 0;
}

static const char *ossl_reason(void)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;
    return r ? r : "not found";
}

/* The key's URI names the certificate too once its type= attribute is gone
 * (the token keeps both under one id/object label). */
static char *cert_uri_from_key(const char *uri)
{
    char *out = xstrdup(uri);
    char *t = out + 7;   /* after "pkcs11:"; attributes are ';'-separated */
    while (t && *t) {
        char *end = strchr(t, ';');
        if (!strncasecmp(t, "type=", 5)) {
            if (end)
                memmove(t, end + 1, strlen(end + 1) + 1);
            else
                *(t > out + 7 ? t - 1 : t) = '\0';
            break;
        }
        t = end ? end + 1 : NULL;
    }
    return out;
}

static int load_token_cert(ENGINE *e, const char *uri, struct key_material *km, hcs_err *err)
{
    struct {
        const char *s_slot_cert_id;
        X509 *cert;
    } params = { uri, NULL };
    if (!ENGINE_ctrl_cmd(e, "LOAD_CERT_CTRL", 0, &params, NULL, 1) || !params.cert) {
        const char *why = ossl_reason();
        hcs_fail(err, HCS_EX_CONFIG, "sign.cert %s: no certificate on the token (%s)", uri, why);
        ERR_clear_error();
        return -1;
    }
    km->cert = params.cert;
    return 0;
}

/* An engine asks through a UI when it wants the PIN.  Never prompt (cron
 * has no terminal, and a prompt would hang a run): answer with the
 * configured PIN once for an engine that takes it this way, then fail, so
 * that a wrong PIN costs one try of the token's retry counter, not a loop.
 * libp11 has the PIN already: it gets no answer. */
struct pin_answer {
    const char *pin;
    int given;
};

static int answer_pin_once(char *buf, int size, int rwflag, void *u)
{
    struct pin_answer *a = u;
    (void)rwflag;
    if (!a || !a->pin || a->given || (int)strlen(a->pin) >= size)
        return -1;
    a->given = 1;
    memcpy(buf, a->pin, strlen(a->pin) + 1);
    return (int)strlen(a->pin);
}

/* A URI naming no object would take whichever key the token lists first.
 * In hcsbatch.ini it is also what an unquoted URI becomes: ';' starts a
 * comment there, so "pkcs11:token=T;object=K" reads as "pkcs11:token=T". */
static int refuse_vague(const char *key, const char *uri, hcs_err *err)
{
    if (strcasestr(uri, "object=") || strcasestr(uri, "id="))
        return 0;
    return hcs_fail(err, HCS_EX_CONFIG, "%s %s names no object (object= or id=); in hcsbatch.ini put a "
                    "pkcs11: URI in double quotes, since ';' starts a comment there", key, uri);
}

static int check_uri(const char *key, const char *uri, hcs_err *err)
{
    return refuse_inline_pin(key, uri, err) < 0 || refuse_vague(key, uri, err) < 0 ? -1 : 0;
}

int keys_load_pkcs11(const hcs_config *cfg, const char *uri, const char *pin,
                     struct key_material *km, hcs_err *err)
{
    const char *cert = cfg_str(cfg, "sign.cert");
    if (check_uri("sign.key", uri, err) < 0 || (keys_is_pkcs11_uri(cert) && check_uri("sign.cert", cert, err) < 0))
        return -1;
    if (!pin)
        return hcs_fail(err, HCS_EX_CONFIG, "sign.key %s is on a token: set sign.pass_file or "
                        "sign.pass_env to give its PIN", uri);
    struct crypto_token_engine te = { cfg_str(cfg, "sign.pkcs11_engine"), cfg_str(cfg, "sign.pkcs11_engine_id"),
                                      cfg_str(cfg, "sign.pkcs11_module") };
    int libp11 = !te.id || !*te.id || strcmp(te.id, "pkcs11") == 0;
    ENGINE *e = crypto_pkcs11_init(&te, err);
    if (!e)
        return -1;
    /* libp11 keeps its own copy of the PIN to log in again when the token
     * drops the session; ours is wiped by the caller.  Another engine may
     * have no PIN command and ask through the UI instead: it is answered
     * with the PIN once, never by prompting. */
    if (!ENGINE_ctrl_cmd_string(e, "PIN", pin, !libp11) && libp11) {
        ERR_clear_error();
        return hcs_fail(err, HCS_EX_CONFIG, "sign.key %s: the pkcs11 engine refused the PIN", uri);
    }
    struct pin_answer answer = { libp11 ? NULL : pin, 0 };
    UI_METHOD *ui = UI_UTIL_wrap_read_pem_callback(answer_pin_once, 0);
    km->pkey = ENGINE_load_private_key(e, uri, ui, &answer);
    UI_destroy_method(ui);
    if (!km->pkey) {
        const char *why = ossl_reason();
        hcs_fail(err, HCS_EX_CONFIG, "sign.key %s: no usable private key on the token (%s; wrong PIN, "
                 "token or object?)", uri, why);
        ERR_clear_error();
        return -1;
    }
    if (cert && *cert && !keys_is_pkcs11_uri(cert))
        return 0;   /* a certificate file: read by keys_load like for any key */
    char *cert_uri = cert && *cert ? xstrdup(cert) : cert_uri_from_key(uri);
    int rc = load_token_cert(e, cert_uri, km, err);
    free(cert_uri);
    return rc;
}
