/* fs_client — options (from the configuration), the client object, its
 * requests (the transport with the file store's retry rules), the checks
 * made before anything is sent, and GIS refusals as errors. */
#include "filestore/fs_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/fsutil.h"
#include "base/guid.h"
#include "base/xalloc.h"
#include "proto/fs_proto.h"

static char *own(char ***owned, int *n, char *s)
{
    (*owned)[(*n)++] = s;
    (*owned)[*n] = NULL;
    return s;
}

int fs_options_from_config(const hcs_config *cfg, struct fs_options *o, char ***owned, hcs_err *err)
{
    memset(o, 0, sizeof *o);
    int n = 0;
    *owned = xcalloc(16, sizeof **owned);
    const char *base = cfg_str(cfg, "gis.base_url");
    const char *path = cfg_str(cfg, "filestore.path");
    if (!base || !*base)
        return hcs_fail(err, HCS_EX_CONFIG, "gis.base_url is not set");
    while (path && *path == '/')
        path++;
    size_t bl = strlen(base);
    o->url = own(owned, &n, xasprintf("%s%s%s", base, bl && base[bl - 1] == '/' ? "" : "/", path ? path : ""));
    o->provider_header = cfg_str(cfg, "filestore.provider_header");
    if (!o->provider_header || (strcasecmp(o->provider_header, "X-Upload-Dataprovider") &&
                                strcasecmp(o->provider_header, "X-Upload-OrgPPAGUID")))
        return hcs_fail(err, HCS_EX_CONFIG, "filestore.provider_header must be X-Upload-OrgPPAGUID "
                        "or X-Upload-Dataprovider, not %s", o->provider_header ? o->provider_header : "(unset)");
    o->provider_id = cfg_str(cfg, "gis.org_ppa_guid");
    if (!o->provider_id || !*o->provider_id)
        return hcs_fail(err, HCS_EX_CONFIG, "gis.org_ppa_guid is not set (the file store sends it in %s)",
                        o->provider_header);
    const char *scope = cfg_str(cfg, "filestore.hash_scope");
    if (!scope || (strcmp(scope, "file") && strcmp(scope, "first_part")))
        return hcs_fail(err, HCS_EX_CONFIG, "filestore.hash_scope must be file or first_part, not %s",
                        scope ? scope : "(unset)");
    o->hash_first_part = !strcmp(scope, "first_part");
    long part = cfg_int(cfg, "filestore.part_size", (long)FS_PART_SIZE);
    if (part != (long)FS_PART_SIZE)
        return hcs_fail(err, HCS_EX_CONFIG, "filestore.part_size must be %llu (GIS requires it), not %ld",
                        (unsigned long long)FS_PART_SIZE, part);
    char *auth = NULL;
    if (transport_opts_from_config(cfg, &o->transport, &auth, err) < 0)
        return -1;
    if (auth)
        own(owned, &n, auth);
    /* The file store has its own pace: filestore.rate, one request at a
     * time (the exchange's transport.rate/burst are for SOAP calls). */
    o->transport.rate = cfg_double(cfg, "filestore.rate", 0);
    o->transport.burst = 1;
    o->transport.in_flight = 1;
    o->lease_seconds = (int)cfg_int(cfg, "worker.lease_seconds", 300);
    const char *driver = cfg_str(cfg, "store.driver");
    if (driver && !strcmp(driver, "postgres"))
        o->state_cfg = cfg;
    if (driver && !strcmp(driver, "sqlite")) {
        char *work = cfg_path(cfg, "paths.work_dir");
        const char *db = cfg_str(cfg, "store.path");
        if (work && db) {
            if (mkdir_p(work, err) < 0) {
                free(work);
                return -1;
            }
            o->state_db = own(owned, &n, db[0] == '/' ? xstrdup(db) : path_join(work, db));
        }
        free(work);
    }
    return 0;
}

void fs_options_free_owned(char **owned)
{
    for (char **p = owned; p && *p; p++) {
        secure_wipe(*p, strlen(*p));    /* one of them may be the basic-auth password */
        free(*p);
    }
    free(owned);
}

fs_client *fs_client_new(const struct fs_options *o, hcs_err *err)
{
    char g[GUID_STRLEN + 1];
    if (!o->url || !*o->url) {
        hcs_fail(err, HCS_EX_CONFIG, "no file store URL");
        return NULL;
    }
    if (!o->provider_id || guid_normalize(o->provider_id, g) < 0) {
        hcs_fail(err, HCS_EX_CONFIG, "the data provider id %s is not a GUID",
                 o->provider_id ? o->provider_id : "(unset)");
        return NULL;
    }
    fs_client *c = xcalloc(1, sizeof *c);
    size_t ul = strlen(o->url);
    c->root = xasprintf("%s%s", o->url, o->url[ul - 1] == '/' ? "" : "/");
    c->provider_line = xasprintf("%s: %s", o->provider_header ? o->provider_header : "X-Upload-OrgPPAGUID", g);
    c->hash_first_part = o->hash_first_part;
    c->http = transport_new(&o->transport, err);
    if (!c->http) {
        fs_client_free(c);
        return NULL;
    }
    c->lease_seconds = o->lease_seconds > 0 ? o->lease_seconds : 300;
    if (o->claim_owner)
        snprintf(c->owner, sizeof c->owner, "%s", o->claim_owner);
    else
        store_owner_id(c->owner, sizeof c->owner);
    if (o->state_db) {
        /* Its own connection, committing as it goes, with the durability
         * the client always had (the uploads can be asked for again). */
        c->state = store_open_sqlite(o->state_db, 10000, err);
        if (!c->state || store_set_full_sync(c->state, 0, err) < 0) {
            fs_client_free(c);
            return NULL;
        }
    } else if (o->state_cfg && !(c->state = store_open(o->state_cfg, err))) {
        fs_client_free(c);
        return NULL;
    }
    return c;
}

void fs_client_free(fs_client *c)
{
    if (!c)
        return;
    transport_free(c->http);
    store_close(c->state);
    free(c->root);
    free(c->provider_line);
    free(c);
}

int fs_check_file(const char *path, const char *name, uint64_t *size, hcs_err *err)
{
    if (!name)
        name = path_base(path);
    if (!fs_ext_allowed(name))
        return hcs_fail(err, HCS_EX_DATAERR, "%s: the GIS file store does not take this file type "
                        "(allowed extensions: %s)", name, fs_allowed_extensions);
    struct stat st;
    if (stat(path, &st) != 0)
        return hcs_fail(err, HCS_EX_NOINPUT, "%s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return hcs_fail(err, HCS_EX_NOINPUT, "%s: not a regular file", path);
    if (st.st_size == 0)
        return hcs_fail(err, HCS_EX_DATAERR, "%s: the file is empty; the GIS file store takes 1 byte to 1 GB",
                        path);
    if ((uint64_t)st.st_size > FS_MAX_SIZE)
        return hcs_fail(err, HCS_EX_DATAERR, "%s: %lld bytes is over the GIS file store limit of 1 GB "
                        "(%llu bytes)", path, (long long)st.st_size, (unsigned long long)FS_MAX_SIZE);
    *size = (uint64_t)st.st_size;
    return 0;
}

struct fs_retry_rule {
    int hash_conflict;        /* a 400 HashConflictException is retried */
};

static enum transport_verdict fs_classify(void *ctx, const struct transport_response *answer)
{
    const struct fs_retry_rule *rule = ctx;
    long status = answer->status;
    if (status >= 500 || status == 429)
        return TRANSPORT_RETRY;
    char xerr[64];
    if (rule->hash_conflict && status == 400 &&
        transport_response_header_copy(answer, "X-Upload-Error", xerr, sizeof xerr) &&
        !strcmp(xerr, "HashConflictException"))
        return TRANSPORT_RETRY;
    return TRANSPORT_FINAL;
}

int fs_request(fs_client *c, const char *method, const char *url, const char *const *headers,
               const void *body, size_t len, int retry_hash_conflict, struct transport_response *resp,
               hcs_err *err)
{
    struct fs_retry_rule rule = { retry_hash_conflict };
    struct transport_request req = { .method = method, .url = url, .headers = headers, .body = body,
                                     .body_len = len, .classify = fs_classify, .classify_ctx = &rule,
                                     .max_response = FS_PART_SIZE + 65536 };
    hcs_err terr = { 0 };
    if (transport_request(c->http, &req, resp, &terr) == 0)
        return 0;
    if (terr.code != HCS_EX_UNAVAILABLE) {     /* an answer larger than one part */
        if (err)
            *err = terr;
        return -1;
    }
    char xerr[64] = "", last[320];
    if (resp->status == 400)
        transport_response_header_copy(resp, "X-Upload-Error", xerr, sizeof xerr);
    if (resp->status)
        snprintf(last, sizeof last, "HTTP %ld%s%s", resp->status, xerr[0] ? " " : "", xerr);
    else
        snprintf(last, sizeof last, "%s", resp->net_error ? resp->net_error : terr.msg);
    return hcs_fail(err, HCS_EX_UNAVAILABLE, "%s %s: %s after %d attempt(s)", method, url, last,
                    resp->attempts);
}

int fs_answer_error(const struct transport_response *r, const char *what, char *gis_error, hcs_err *err)
{
    char xerr[64] = "";
    transport_response_header_copy(r, "X-Upload-Error", xerr, sizeof xerr);
    if (gis_error)
        snprintf(gis_error, 64, "%s", xerr);
    /* first line of the body, bounded, for the operator */
    char detail[200] = "";
    if (r->body && r->body_len) {
        size_t n = strcspn(r->body, "\r\n");
        if (n >= sizeof detail)
            n = sizeof detail - 1;
        memcpy(detail, r->body, n);
        detail[n] = '\0';
    }
    if (xerr[0])
        return hcs_fail(err, HCS_EX_DATAERR, "%s: GIS file store refused it: %s%s%s", what, xerr,
                        detail[0] ? " — " : "", detail);
    return hcs_fail(err, r->status >= 500 || r->status == 0 ? HCS_EX_UNAVAILABLE : HCS_EX_PROTOCOL,
                    "%s: GIS file store answered HTTP %ld%s%s", what, r->status,
                    detail[0] ? ": " : "", detail);
}
