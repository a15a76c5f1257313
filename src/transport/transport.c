/* transport — libcurl multi driver: queue, rate limit, retries, in-flight
 * bound, TLS settings.  See transport.h for the contract. */
#include "transport/transport.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "base/crypto.h"
#include "transport/transport_impl.h"

#define DEFAULT_MAX_RESPONSE (64u << 20)

struct host_bucket {
    char *host;
    struct token_bucket tb;
    struct host_bucket *next;
};

struct job {
    struct job *next;
    char *method, *url;
    struct curl_slist *headers;
    const void *body;
    void *body_owned;
    size_t body_len;
    transport_classify_fn classify;
    void *classify_ctx;
    transport_done_fn done;
    void *ctx;
    int attempts;
    double next_at, first_start;
    CURL *easy;
    strbuf resp_body, resp_headers;
    int too_big;
    size_t max;
    char errbuf[CURL_ERROR_SIZE];
    struct host_bucket *bucket;
};

struct transport {
    struct transport_opts o;
    char *strs[10];              /* owned copies of the option strings */
    char **extra_headers;        /* transport.headers resolved ("Name: value") */
    struct curl_slist *connect_to;
    CURLM *multi;
    struct job *ready, *ready_tail;   /* FIFO of jobs to start */
    struct job *waiting;              /* jobs backing off (unordered) */
    int running;
    transport_feed_fn feed;
    void *feed_ctx;
    int (*before_start)(void *ctx, hcs_err *err);
    void *hook_ctx;
    struct host_bucket *buckets;
    struct transport_stats stats;
    unsigned seed;
    int aborted;
    hcs_err abort_err;
};

static char *own(transport *t, int i, const char *s)
{
    t->strs[i] = s ? xstrdup(s) : NULL;
    return t->strs[i];
}

transport *transport_new(const struct transport_opts *o, hcs_err *err)
{
    static int curl_ready;
    if (!curl_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
            hcs_fail(err, HCS_EX_SOFTWARE, "libcurl initialisation failed");
            return NULL;
        }
        curl_ready = 1;
    }
    /* GOST ciphersuites need the gost engine registered before the first
     * TLS handshake; RSA/ECDHE suites do not. */
    if (o->ciphers && strcasestr(o->ciphers, "GOST") && crypto_gost_init(o->engine_path, err) < 0)
        return NULL;
    char **extra = transport_headers_parse(o->headers, o->fingerprint_cert, err);
    if (!extra)
        return NULL;
    transport *t = xcalloc(1, sizeof *t);
    t->o = *o;
    t->extra_headers = extra;
    /* "HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT"[,…]: the URL, Host and
     * SNI stay the real server's while the connection goes elsewhere. */
    if (o->connect_to && *o->connect_to) {
        char *copy = xstrdup(o->connect_to);
        for (char *save = NULL, *e = strtok_r(copy, ", ", &save); e; e = strtok_r(NULL, ", ", &save))
            t->connect_to = curl_slist_append(t->connect_to, e);
        free(copy);
    }
    t->o.ca_file = own(t, 0, o->ca_file);
    t->o.client_cert = own(t, 1, o->client_cert);
    t->o.client_key = own(t, 2, o->client_key);
    t->o.ciphers = own(t, 3, o->ciphers);
    t->o.basic_auth = own(t, 4, o->basic_auth);
    t->o.engine_path = own(t, 5, o->engine_path);
    t->o.connect_to = t->o.headers = t->o.fingerprint_cert = NULL;   /* consumed above */
    if (t->o.retries < 1)
        t->o.retries = 1;
    if (t->o.in_flight < 1)
        t->o.in_flight = 1;
    if (!t->o.max_response)
        t->o.max_response = DEFAULT_MAX_RESPONSE;
    t->multi = curl_multi_init();
    t->seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    curl_multi_setopt(t->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)t->o.in_flight);
    return t;
}

static void job_free(struct job *j)
{
    if (j->easy)
        curl_easy_cleanup(j->easy);
    curl_slist_free_all(j->headers);
    free(j->method);
    free(j->url);
    free(j->body_owned);
    sb_free(&j->resp_body);
    sb_free(&j->resp_headers);
    free(j);
}

static void free_list(struct job *j)
{
    while (j) {
        struct job *next = j->next;
        job_free(j);
        j = next;
    }
}

void transport_free(transport *t)
{
    if (!t)
        return;
    free_list(t->ready);
    free_list(t->waiting);
    if (t->multi)
        curl_multi_cleanup(t->multi);
    transport_headers_free(t->extra_headers);
    curl_slist_free_all(t->connect_to);
    for (struct host_bucket *b = t->buckets, *n; b; b = n) {
        n = b->next;
        free(b->host);
        free(b);
    }
    if (t->strs[4])
        secure_wipe(t->strs[4], strlen(t->strs[4]));
    for (size_t i = 0; i < sizeof t->strs / sizeof t->strs[0]; i++)
        free(t->strs[i]);
    free(t);
}

void transport_response_clear(struct transport_response *r)
{
    free(r->body);
    free(r->headers);
    free(r->net_error);
    memset(r, 0, sizeof *r);
}

char *transport_response_header(const struct transport_response *r, const char *name)
{
    size_t nlen = strlen(name);
    for (const char *line = r->headers; line && *line;) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        if (len > nlen && !strncasecmp(line, name, nlen) && line[nlen] == ':') {
            const char *v = line + nlen + 1;
            const char *end = line + len;
            while (v < end && (*v == ' ' || *v == '\t'))
                v++;
            while (end > v && (end[-1] == '\r' || end[-1] == ' '))
                end--;
            return xstrndup(v, (size_t)(end - v));
        }
        line = eol ? eol + 1 : line + len;
    }
    return NULL;
}

int transport_response_header_copy(const struct transport_response *r, const char *name, char *out,
                                   size_t outlen)
{
    char *v = transport_response_header(r, name);
    int found = v != NULL;
    if (outlen)
        snprintf(out, outlen, "%s", found ? v : "");
    free(v);
    return found;
}

void transport_get_stats(const transport *t, struct transport_stats *s)
{
    *s = t->stats;
}

void transport_set_before_start(transport *t, int (*fn)(void *ctx, hcs_err *err), void *ctx)
{
    t->before_start = fn;
    t->hook_ctx = ctx;
}

void transport_set_feeder(transport *t, transport_feed_fn feed, void *ctx)
{
    t->feed = feed;
    t->feed_ctx = ctx;
}

static struct host_bucket *bucket_for(transport *t, const char *url)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    size_t len = strcspn(h, "/?#");
    for (struct host_bucket *b = t->buckets; b; b = b->next)
        if (strlen(b->host) == len && !strncmp(b->host, h, len))
            return b;
    struct host_bucket *b = xcalloc(1, sizeof *b);
    b->host = xstrndup(h, len);
    token_bucket_init(&b->tb, t->o.rate, t->o.burst, transport_now());
    b->next = t->buckets;
    t->buckets = b;
    return b;
}

static void enqueue(transport *t, struct job *j)
{
    j->next = NULL;
    if (t->ready_tail)
        t->ready_tail->next = j;
    else
        t->ready = j;
    t->ready_tail = j;
}

void transport_submit(transport *t, const struct transport_request *req, int copy_body,
                      transport_done_fn done, void *ctx)
{
    struct job *j = xcalloc(1, sizeof *j);
    j->method = xstrdup(req->method ? req->method : "POST");
    j->url = xstrdup(req->url);
    for (const char *const *h = req->headers; h && *h; h++)
        j->headers = curl_slist_append(j->headers, *h);
    for (char **h = t->extra_headers; h && *h; h++)
        j->headers = curl_slist_append(j->headers, *h);
    /* No "Expect: 100-continue" round trip before every POST body. */
    j->headers = curl_slist_append(j->headers, "Expect:");
    if (copy_body && req->body_len) {
        j->body_owned = xmalloc(req->body_len);
        memcpy(j->body_owned, req->body, req->body_len);
        j->body = j->body_owned;
    } else {
        j->body = req->body;
    }
    j->body_len = req->body_len;
    j->classify = req->classify;
    j->classify_ctx = req->classify_ctx;
    j->done = done;
    j->ctx = ctx;
    j->bucket = bucket_for(t, j->url);
    j->max = req->max_response ? req->max_response : t->o.max_response;
    enqueue(t, j);
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    struct job *j = arg;
    size_t len = size * n;
    if (j->resp_body.len + len > j->max || j->too_big) {
        j->too_big = 1;
        return 0;
    }
    sb_add(&j->resp_body, data, len);
    return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    struct job *j = arg;
    size_t len = size * n;
    /* A new status line (after a 100 Continue or a retry) starts afresh. */
    if (len > 5 && !strncmp(data, "HTTP/", 5))
        sb_reset(&j->resp_headers);
    if (j->resp_headers.len < 65536)
        sb_add(&j->resp_headers, data, len);
    return len;
}

static void setup_easy(transport *t, struct job *j)
{
    CURL *e = curl_easy_init();
    j->easy = e;
    j->errbuf[0] = '\0';
    sb_reset(&j->resp_body);
    sb_reset(&j->resp_headers);
    j->too_big = 0;
    curl_easy_setopt(e, CURLOPT_URL, j->url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, j);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, j->errbuf);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, j->headers);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, t->o.connect_timeout_s);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, t->o.timeout_s);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, j);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, j);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)j->max);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    if (!strcmp(j->method, "HEAD")) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (!strcmp(j->method, "GET")) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, j->body ? j->body : "");
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)j->body_len);
        if (strcmp(j->method, "POST") != 0)
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, j->method);
    }
    if (t->o.ca_file)
        curl_easy_setopt(e, CURLOPT_CAINFO, t->o.ca_file);
    if (t->o.client_cert)
        curl_easy_setopt(e, CURLOPT_SSLCERT, t->o.client_cert);
    if (t->o.client_key)
        curl_easy_setopt(e, CURLOPT_SSLKEY, t->o.client_key);
    if (t->o.ciphers)
        curl_easy_setopt(e, CURLOPT_SSL_CIPHER_LIST, t->o.ciphers);
    if (t->connect_to)
        curl_easy_setopt(e, CURLOPT_CONNECT_TO, t->connect_to);
    static const long tls_min[] = { CURL_SSLVERSION_DEFAULT, CURL_SSLVERSION_TLSv1_0, CURL_SSLVERSION_TLSv1_1,
                                    CURL_SSLVERSION_TLSv1_2, CURL_SSLVERSION_TLSv1_3 };
    static const long tls_max[] = { CURL_SSLVERSION_MAX_DEFAULT, CURL_SSLVERSION_MAX_TLSv1_0,
                                    CURL_SSLVERSION_MAX_TLSv1_1, CURL_SSLVERSION_MAX_TLSv1_2,
                                    CURL_SSLVERSION_MAX_TLSv1_3 };
    if (t->o.tls_min || t->o.tls_max)
        curl_easy_setopt(e, CURLOPT_SSLVERSION, tls_min[t->o.tls_min % 5] | tls_max[t->o.tls_max % 5]);
    if (t->o.basic_auth) {
        curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(e, CURLOPT_USERPWD, t->o.basic_auth);
    }
}

static void start(transport *t, struct job *j, double now)
{
    if (!j->attempts)
        j->first_start = now;
    else
        t->stats.retries++;
    j->attempts++;
    t->stats.requests++;
    setup_easy(t, j);
    curl_multi_add_handle(t->multi, j->easy);
    t->running++;
}

static enum transport_verdict default_classify(long status)
{
    return (status >= 500 || status == 429) ? TRANSPORT_RETRY : TRANSPORT_FINAL;
}

/* After a failed handshake, what was offered: a site comparing it with
 * the server's (or stunnel's) settings sees the mismatch at once. */
static const char *tls_tried(const transport *t, CURLcode res)
{
    static __thread char text[320];
    if (res != CURLE_SSL_CONNECT_ERROR && res != CURLE_SSL_CIPHER && res != CURLE_SSL_CERTPROBLEM)
        return "";
    static const char *const v[] = { "default", "1.0", "1.1", "1.2", "1.3" };
    snprintf(text, sizeof text, " (TLS handshake offered versions %s to %s, ciphers %s)",
             v[t->o.tls_min % 5], v[t->o.tls_max % 5], t->o.ciphers ? t->o.ciphers : "OpenSSL's default");
    return text;
}

static void finish(transport *t, struct job *j, CURLcode res)
{
    long status = 0;
    double now = transport_now();
    curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_multi_remove_handle(t->multi, j->easy);
    curl_easy_cleanup(j->easy);
    j->easy = NULL;
    t->running--;

    hcs_err fail = { 0 };
    enum transport_verdict v;
    if (j->too_big || res == CURLE_FILESIZE_EXCEEDED) {
        v = TRANSPORT_FINAL;
        hcs_fail(&fail, HCS_EX_PROTOCOL, "%s: response larger than %zu bytes", j->url, j->max);
    } else if (res != CURLE_OK) {
        v = TRANSPORT_RETRY;
        hcs_fail(&fail, HCS_EX_UNAVAILABLE, "%s: %s%s", j->url, j->errbuf[0] ? j->errbuf : curl_easy_strerror(res),
                 tls_tried(t, res));
    } else if (j->classify) {
        /* A view of this attempt's answer: nothing is copied. */
        struct transport_response answer = { .status = status, .body = (char *)sb_str(&j->resp_body),
                                             .body_len = j->resp_body.len,
                                             .headers = (char *)sb_str(&j->resp_headers) };
        v = j->classify(j->classify_ctx, &answer);
    } else {
        v = default_classify(status);
    }
    if (res == CURLE_OK && !j->too_big && v == TRANSPORT_RETRY)
        hcs_fail(&fail, HCS_EX_UNAVAILABLE, "%s: HTTP %ld", j->url, status);
    if (v == TRANSPORT_RETRY && j->attempts < t->o.retries) {
        long ms = backoff_delay_ms(j->attempts, t->o.backoff_ms, t->o.backoff_max_ms, &t->seed);
        j->next_at = now + (double)ms / 1000.0;
        j->next = t->waiting;
        t->waiting = j;
        return;
    }
    struct transport_response resp = { 0 };
    resp.status = res == CURLE_OK ? status : 0;
    resp.body_len = j->resp_body.len;
    resp.body = sb_detach(&j->resp_body, NULL);
    if (!resp.body)
        resp.body = xstrdup("");
    resp.headers = sb_detach(&j->resp_headers, NULL);
    if (res != CURLE_OK)
        resp.net_error = xstrdup(j->errbuf[0] ? j->errbuf : curl_easy_strerror(res));
    resp.attempts = j->attempts;
    resp.seconds = now - j->first_start;
    int failed = fail.msg[0] != '\0';
    if (failed) {
        t->stats.failures++;
        if (j->attempts > 1)
            hcs_err_wrap(&fail, "after %d attempts", j->attempts);
    }
    if (!t->aborted && j->done(j->ctx, &resp, failed ? &fail : NULL, &t->abort_err) < 0)
        t->aborted = 1;
    transport_response_clear(&resp);
    job_free(j);
}

/* Moves jobs whose back-off is over to the ready queue; returns the
 * earliest remaining wake-up (or a large value). */
static double release_waiting(transport *t, double now)
{
    double next = now + 3600;
    struct job **pp = &t->waiting;
    while (*pp) {
        struct job *j = *pp;
        if (j->next_at <= now) {
            *pp = j->next;
            enqueue(t, j);
        } else {
            if (j->next_at < next)
                next = j->next_at;
            pp = &j->next;
        }
    }
    return next;
}

static struct job *pop_ready(transport *t)
{
    struct job *j = t->ready;
    t->ready = j->next;
    if (!t->ready)
        t->ready_tail = NULL;
    j->next = NULL;
    return j;
}

int transport_run(transport *t, hcs_err *err)
{
    t->aborted = 0;
    hcs_err_clear(&t->abort_err);
    for (;;) {
        double now = transport_now();
        double wake = release_waiting(t, now);
        int fed_dry = 0;
        struct job *batch = NULL, **tail = &batch;
        int nbatch = 0;
        while (!t->aborted && t->running + nbatch < t->o.in_flight) {
            if (!t->ready) {
                int rc = t->feed && !fed_dry ? t->feed(t->feed_ctx, &t->abort_err) : 0;
                if (rc < 0)
                    t->aborted = 1;
                if (rc <= 0) {
                    fed_dry = 1;
                    break;
                }
                continue;
            }
            double w = token_bucket_take(&t->ready->bucket->tb, now);
            if (w > 0) {
                if (now + w < wake)
                    wake = now + w;
                t->stats.waited_rate_s += w;
                break;
            }
            *tail = pop_ready(t);
            tail = &(*tail)->next;
            nbatch++;
        }
        /* What the requests stand for is made durable before any leaves. */
        if (batch && t->before_start && !t->aborted && t->before_start(t->hook_ctx, &t->abort_err) < 0)
            t->aborted = 1;
        while (batch) {
            struct job *j = batch;
            batch = j->next;
            j->next = NULL;
            if (t->aborted)
                job_free(j);
            else
                start(t, j, now);
        }
        if (t->aborted && t->running == 0)
            break;
        if (t->running == 0 && !t->ready && !t->waiting && (fed_dry || !t->feed))
            break;
        int timeout_ms = (int)((wake - now) * 1000.0) + 1;
        if (timeout_ms > 1000)
            timeout_ms = 1000;
        if (timeout_ms < 0)
            timeout_ms = 0;
        int still;
        curl_multi_perform(t->multi, &still);
        /* Wait for sockets only when nothing finished in that perform: a
         * transfer completed there would otherwise sit unseen until the
         * poll timed out. */
        if (still == t->running && (t->running > 0 || timeout_ms > 0)) {
            curl_multi_poll(t->multi, NULL, 0, timeout_ms, NULL);
            curl_multi_perform(t->multi, &still);
        }
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(t->multi, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            struct job *j = NULL;
            CURLcode res = msg->data.result;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&j);
            finish(t, j, res);
        }
    }
    if (t->aborted) {
        free_list(t->ready);
        free_list(t->waiting);
        t->ready = t->ready_tail = t->waiting = NULL;
        if (err)
            *err = t->abort_err;
        return -1;
    }
    return 0;
}

/* ---- blocking single request ---- */

struct one {
    struct transport_response *resp;
    hcs_err err;
    int failed;
};

static int one_done(void *ctx, struct transport_response *resp, const hcs_err *err, hcs_err *err_out)
{
    struct one *o = ctx;
    *o->resp = *resp;
    memset(resp, 0, sizeof *resp);
    if (err) {
        o->err = *err;
        o->failed = 1;
    }
    return 0;
}

int transport_request(transport *t, const struct transport_request *req,
                      struct transport_response *resp, hcs_err *err)
{
    struct one o = { .resp = resp };
    memset(resp, 0, sizeof *resp);
    transport_feed_fn saved = t->feed;
    t->feed = NULL;
    transport_submit(t, req, 0, one_done, &o);
    int rc = transport_run(t, err);
    t->feed = saved;
    if (rc < 0)
        return -1;
    if (o.failed) {
        if (err)
            *err = o.err;
        return -1;
    }
    return 0;
}
