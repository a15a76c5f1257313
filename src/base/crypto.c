/* crypto — loads the OpenSSL gost engine in code and hands out digests.
 *
 * The engine is loaded with the dynamic-engine sequence (ENGINE_by_id
 * "dynamic", SO_PATH, LOAD, ENGINE_init, ENGINE_set_default) so that no
 * global openssl.cnf is needed; Debian's gostprov provider cannot sign.
 * The ENGINE API is deprecated in OpenSSL 3 but still the only way the
 * gost engine signs, hence OPENSSL_SUPPRESS_DEPRECATED. */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "base/crypto.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/engine.h>
#include <openssl/err.h>

/* Process-wide by nature: OpenSSL's engine table is global too. */
static pthread_mutex_t gost_lock = PTHREAD_MUTEX_INITIALIZER;
static ENGINE *gost_engine;
static ENGINE *pkcs11_engine;
static char pkcs11_module[3200];   /* "engine file|id|module" of the loaded one */

/* "ENGINESDIR: \"/usr/lib/x86_64-linux-gnu/engines-3\"" → DIR/file. */
static void default_engine_path(const char *file, char *out, size_t cap)
{
    const char *v = OpenSSL_version(OPENSSL_ENGINES_DIR);
    const char *q1 = v ? strchr(v, '"') : NULL;
    const char *q2 = q1 ? strchr(q1 + 1, '"') : NULL;
    if (q1 && q2 && q2 > q1 + 1)
        snprintf(out, cap, "%.*s/%s", (int)(q2 - q1 - 1), q1 + 1, file);
    else
        snprintf(out, cap, "/usr/lib/x86_64-linux-gnu/engines-3/%s", file);
}

static const char *openssl_reason(void)
{
    unsigned long e = ERR_peek_last_error();
    return e ? ERR_reason_error_string(e) : NULL;
}

static int load_engine(const char *path, hcs_err *err)
{
    ENGINE *e = ENGINE_by_id("dynamic");
    if (!e)
        return hcs_fail(err, HCS_EX_CONFIG, "OpenSSL has no dynamic engine support");
    if (!ENGINE_ctrl_cmd_string(e, "SO_PATH", path, 0) ||
        !ENGINE_ctrl_cmd_string(e, "ID", "gost", 0) ||
        !ENGINE_ctrl_cmd_string(e, "LOAD", NULL, 0)) {
        const char *why = openssl_reason();
        ENGINE_free(e);
        ERR_clear_error();
        return hcs_fail(err, HCS_EX_CONFIG, "cannot load the gost engine from %s%s%s "
                        "(Debian package libengine-gost-openssl)", path,
                        why ? ": " : "", why ? why : "");
    }
    if (!ENGINE_init(e)) {
        ENGINE_free(e);
        ERR_clear_error();
        return hcs_fail(err, HCS_EX_CONFIG, "cannot initialise the gost engine from %s", path);
    }
    if (!ENGINE_set_default(e, ENGINE_METHOD_ALL)) {
        ENGINE_finish(e);
        ENGINE_free(e);
        ERR_clear_error();
        return hcs_fail(err, HCS_EX_CONFIG, "cannot make the gost engine the default");
    }
    /* Keep the functional reference (ENGINE_init) for the process lifetime;
     * drop the structural one from ENGINE_by_id. */
    ENGINE_free(e);
    gost_engine = e;
    return 0;
}

int crypto_gost_init(const char *engine_path, hcs_err *err)
{
    int rc = 0;
    pthread_mutex_lock(&gost_lock);
    if (!gost_engine) {
        char path[1024];
        if (engine_path && *engine_path)
            snprintf(path, sizeof path, "%s", engine_path);
        else
            default_engine_path("gost.so", path, sizeof path);
        rc = load_engine(path, err);
    }
    pthread_mutex_unlock(&gost_lock);
    return rc;
}

/* A token engine by file and id: libp11's "pkcs11" needs MODULE_PATH
 * (the token's library) between LOAD and ENGINE_init; an engine that finds
 * its token library itself (Aktiv's rtengine) gets it only when one is
 * configured.  Not made a default for anything: only keys loaded through
 * it use it. */
static ENGINE *load_token_engine(const struct crypto_token_engine *te, hcs_err *err)
{
    ENGINE *e = ENGINE_by_id("dynamic");
    if (!e) {
        hcs_fail(err, HCS_EX_CONFIG, "OpenSSL has no dynamic engine support");
        return NULL;
    }
    if (!ENGINE_ctrl_cmd_string(e, "SO_PATH", te->path, 0) ||
        !ENGINE_ctrl_cmd_string(e, "ID", te->id, 0) ||
        !ENGINE_ctrl_cmd_string(e, "LOAD", NULL, 0)) {
        const char *why = openssl_reason();
        hcs_fail(err, HCS_EX_CONFIG, "cannot load the token engine \"%s\" from %s%s%s (sign.pkcs11_engine, "
                 "sign.pkcs11_engine_id; libp11's is Debian package libengine-pkcs11-openssl)", te->id,
                 te->path, why ? ": " : "", why ? why : "");
        ENGINE_free(e);
        ERR_clear_error();
        return NULL;
    }
    int module_ok = !te->module || !*te->module || ENGINE_ctrl_cmd_string(e, "MODULE_PATH", te->module, 0);
    if (!module_ok || !ENGINE_init(e)) {
        const char *why = openssl_reason();
        hcs_fail(err, HCS_EX_CONFIG, "cannot initialise the token engine \"%s\"%s%s%s%s", te->id,
                 te->module && *te->module ? " with PKCS#11 module " : "", te->module ? te->module : "",
                 why ? ": " : "", why ? why : "");
        ENGINE_free(e);
        ERR_clear_error();
        return NULL;
    }
    ENGINE_free(e);   /* keep the functional reference for the process lifetime */
    return e;
}

ENGINE *crypto_pkcs11_init(const struct crypto_token_engine *te, hcs_err *err)
{
    ENGINE *e = NULL;
    struct crypto_token_engine want = *te;
    char path[1024];
    if (!want.id || !*want.id)
        want.id = "pkcs11";
    if (!want.path || !*want.path) {
        default_engine_path(strcmp(want.id, "pkcs11") == 0 ? "pkcs11.so" : "", path, sizeof path);
        if (strcmp(want.id, "pkcs11") != 0) {
            hcs_fail(err, HCS_EX_CONFIG, "sign.pkcs11_engine_id = %s needs sign.pkcs11_engine, the engine's "
                     "file (e.g. %slibrtengine.so)", want.id, path);
            return NULL;
        }
        want.path = path;
    }
    if (strcmp(want.id, "pkcs11") == 0 && (!want.module || !*want.module)) {
        hcs_fail(err, HCS_EX_CONFIG, "a pkcs11: key needs sign.pkcs11_module (the token's PKCS#11 "
                 "library, e.g. /usr/lib/librtpkcs11ecp.so for Rutoken ECP)");
        return NULL;
    }
    char loaded_as[sizeof pkcs11_module];
    snprintf(loaded_as, sizeof loaded_as, "%s|%s|%s", want.path, want.id, want.module ? want.module : "");
    pthread_mutex_lock(&gost_lock);
    if (pkcs11_engine && strcmp(pkcs11_module, loaded_as) != 0) {
        hcs_fail(err, HCS_EX_CONFIG, "token engine %s: this process already uses %s", loaded_as, pkcs11_module);
    } else if (pkcs11_engine) {
        e = pkcs11_engine;
    } else if ((e = load_token_engine(&want, err))) {
        pkcs11_engine = e;
        snprintf(pkcs11_module, sizeof pkcs11_module, "%s", loaded_as);
    }
    pthread_mutex_unlock(&gost_lock);
    return e;
}

static int is_gost_name(const char *name)
{
    return strncmp(name, "md_gost", 7) == 0 || strncmp(name, "gost", 4) == 0;
}

const EVP_MD *crypto_md(const char *name, hcs_err *err)
{
    if (!name || !*name) {
        hcs_fail(err, HCS_EX_SOFTWARE, "no digest name");
        return NULL;
    }
    if (is_gost_name(name) && crypto_gost_init(NULL, err) < 0)
        return NULL;
    const EVP_MD *md = EVP_get_digestbyname(name);
    if (!md) {
        hcs_fail(err, HCS_EX_CONFIG, "digest %s is not available in OpenSSL", name);
        return NULL;
    }
    return md;
}

int crypto_digest_hex(const char *md_name, const void *data, size_t len, char *out, hcs_err *err)
{
    const EVP_MD *md = crypto_md(md_name, err);
    if (!md)
        return -1;
    unsigned char bin[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, md, NULL) && EVP_DigestUpdate(ctx, data, len) &&
             EVP_DigestFinal_ex(ctx, bin, &n);
    EVP_MD_CTX_free(ctx);
    if (!ok) {
        ERR_clear_error();
        return hcs_fail(err, HCS_EX_SOFTWARE, "digest %s failed", md_name);
    }
    static const char hex[] = "0123456789abcdef";
    for (unsigned int i = 0; i < n; i++) {
        out[2 * i] = hex[bin[i] >> 4];
        out[2 * i + 1] = hex[bin[i] & 15];
    }
    out[2 * n] = '\0';
    return 0;
}
