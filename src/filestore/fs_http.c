/* fs_http — one libcurl easy handle with retries for the file store client. */
#include "filestore/fs_http.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "proto/fs_proto.h"
#include "base/crypto.h"
#include "transport/transport.h"

/* A GET answers at most one part; anything larger is refused. */
#define FS_HTTP_MAX_BODY (FS_PART_SIZE + 65536)

struct fs_http {
    CURL *curl;
    int retries;
    long backoff_ms, backoff_max_ms;
    unsigned seed;
    struct token_bucket bucket;
    char *basic_auth;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

fs_http *fs_http_new(const struct fs_options *o, hcs_err *err)
{
    pthread_once(&curl_once, curl_init_once);
    if (o->ciphers && *o->ciphers && crypto_gost_init(o->engine_path, err) < 0)
        return NULL;
    fs_http *h = xcalloc(1, sizeof *h);
    h->curl = curl_easy_init();
    if (!h->curl) {
        free(h);
        hcs_fail(err, HCS_EX_SOFTWARE, "cannot initialise libcurl");
        return NULL;
    }
    h->retries = o->retries > 0 ? o->retries : 1;
    h->backoff_ms = o->backoff_ms > 0 ? o->backoff_ms : 1000;
    h->backoff_max_ms = o->backoff_max_ms > 0 ? o->backoff_max_ms : 60000;
    h->seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    token_bucket_init(&h->bucket, o->rate, 1, transport_now());
    CURL *c = h->curl;
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o->connect_timeout_s > 0 ? o->connect_timeout_s : 20L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout_s > 0 ? o->timeout_s : 120L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    if (o->ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
    if (o->client_cert)
        curl_easy_setopt(c, CURLOPT_SSLCERT, o->client_cert);
    if (o->client_key)
        curl_easy_setopt(c, CURLOPT_SSLKEY, o->client_key);
    if (o->ciphers)
        curl_easy_setopt(c, CURLOPT_SSL_CIPHER_LIST, o->ciphers);
    if (o->basic_auth) {
        h->basic_auth = xstrdup(o->basic_auth);
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERPWD, h->basic_auth);
    }
    return h;
}

void fs_http_free(fs_http *h)
{
    if (!h)
        return;
    curl_easy_cleanup(h->curl);
    if (h->basic_auth) {
        secure_wipe(h->basic_auth, strlen(h->basic_auth));
        free(h->basic_auth);
    }
    free(h);
}

void fs_http_resp_clear(struct fs_http_resp *r)
{
    free(r->body);
    free(r->headers);
    memset(r, 0, sizeof *r);
}

struct io {
    const char *src;
    size_t src_len, src_off;
    strbuf body, headers;
    int too_big;
};

static size_t on_read(char *buf, size_t size, size_t n, void *ud)
{
    struct io *io = ud;
    size_t want = size * n, left = io->src_len - io->src_off;
    if (want > left)
        want = left;
    memcpy(buf, io->src + io->src_off, want);
    io->src_off += want;
    return want;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct io *io = ud;
    if (io->body.len + size * n > FS_HTTP_MAX_BODY) {
        io->too_big = 1;
        return 0;
    }
    sb_add(&io->body, p, size * n);
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct io *io = ud;
    /* A new status line (100 Continue, redirects) starts a fresh header set. */
    if (size * n > 5 && !strncmp(p, "HTTP/", 5))
        sb_reset(&io->headers);
    if (io->headers.len < 65536)
        sb_add(&io->headers, p, size * n);
    return size * n;
}

static int header_in(const char *raw, const char *name, const char **val, size_t *vlen)
{
    size_t n = strlen(name);
    for (const char *line = raw; line && *line;) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        if (len > n && !strncasecmp(line, name, n) && line[n] == ':') {
            const char *v = line + n + 1, *e = line + len;
            while (v < e && isspace((unsigned char)*v))
                v++;
            while (e > v && isspace((unsigned char)e[-1]))
                e--;
            *val = v;
            *vlen = (size_t)(e - v);
            return 1;
        }
        line = eol ? eol + 1 : NULL;
    }
    return 0;
}

int fs_http_header(const struct fs_http_resp *r, const char *name, char *out, size_t outlen)
{
    const char *v;
    size_t n;
    if (!r->headers || !header_in(r->headers, name, &v, &n)) {
        if (outlen)
            out[0] = '\0';
        return 0;
    }
    if (n >= outlen)
        n = outlen - 1;
    memcpy(out, v, n);
    out[n] = '\0';
    return 1;
}

char *fs_http_header_dup(const struct fs_http_resp *r, const char *name)
{
    const char *v;
    size_t n;
    if (!r->headers || !header_in(r->headers, name, &v, &n))
        return NULL;
    return xstrndup(v, n);
}

/* One attempt.  Returns the CURLcode. */
static CURLcode attempt(fs_http *h, const struct fs_http_req *req, struct io *io, long *status)
{
    CURL *c = h->curl;
    struct curl_slist *hl = NULL;
    for (const char *const *p = req->headers; p && *p; p++)
        hl = curl_slist_append(hl, *p);
    hl = curl_slist_append(hl, "Expect:");        /* no 100-continue round trip per part */
    curl_easy_setopt(c, CURLOPT_URL, req->url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, io);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, io);
    /* reset the method state left by the previous request */
    curl_easy_setopt(c, CURLOPT_NOBODY, 0L);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 0L);
    curl_easy_setopt(c, CURLOPT_POST, 0L);
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
    if (!strcmp(req->method, "HEAD")) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (!strcmp(req->method, "PUT")) {
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, io);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)req->body_len);
    } else if (!strcmp(req->method, "POST")) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    }
    CURLcode rc = curl_easy_perform(c);
    *status = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hl);
    return rc;
}

static void pace(fs_http *h)
{
    for (;;) {
        double wait = token_bucket_take(&h->bucket, transport_now());
        if (wait <= 0)
            return;
        usleep((useconds_t)(wait * 1e6) + 1000);
    }
}

int fs_http_do(fs_http *h, const struct fs_http_req *req, struct fs_http_resp *resp, hcs_err *err)
{
    memset(resp, 0, sizeof *resp);
    char last[CURL_ERROR_SIZE + 64] = "";
    for (int n = 1; n <= h->retries; n++) {
        if (n > 1)
            usleep((useconds_t)backoff_delay_ms(n - 1, h->backoff_ms, h->backoff_max_ms, &h->seed) * 1000);
        pace(h);
        struct io io = { .src = req->body, .src_len = req->body_len };
        long status = 0;
        CURLcode rc = attempt(h, req, &io, &status);
        fs_http_resp_clear(resp);
        resp->attempts = n;
        if (rc != CURLE_OK) {
            snprintf(last, sizeof last, "%s", io.too_big ? "answer larger than one part" : curl_easy_strerror(rc));
            sb_free(&io.body);
            sb_free(&io.headers);
            if (io.too_big)
                break;
            continue;
        }
        resp->status = status;
        resp->body = sb_detach(&io.body, &resp->body_len);
        resp->headers = sb_detach(&io.headers, NULL);
        char xerr[64] = "";
        int retry = status >= 500 || status == 429 ||
                    (req->retry_hash_conflict && status == 400 &&
                     fs_http_header(resp, "X-Upload-Error", xerr, sizeof xerr) &&
                     !strcmp(xerr, "HashConflictException"));
        if (!retry)
            return 0;
        snprintf(last, sizeof last, "HTTP %ld%s%s", status, status == 400 ? " " : "",
                 status == 400 ? xerr : "");
    }
    return hcs_fail(err, HCS_EX_UNAVAILABLE, "%s %s: %s after %d attempt(s)", req->method, req->url,
                    last, resp->attempts);
}
