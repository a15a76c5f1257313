/* Unit tests for src/transport against a real HTTP server on 127.0.0.1
 * (libmicrohttpd in this process): retries on 5xx with back-off, a SOAP
 * Fault taken as an answer, the retry budget, connection refused, the rate
 * limit, the in-flight bound, the response size bound, headers and the
 * feeder. */
#include "testutil.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "transport/transport.h"

struct server {
    struct MHD_Daemon *d;
    int port;
    pthread_mutex_t lock;
    int flaky_left;               /* /flaky answers 503 this many times */
    double times[256];            /* request arrival times */
    int n;
    int running, max_running;     /* concurrent /slow requests */
    char last_action[128];
};

static enum MHD_Result reply(struct MHD_Connection *c, int status, const char *body, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "X-Upload-UploadID", "abc-123");
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **con)
{
    (void)method; (void)version; (void)upload;
    struct server *s = cls;
    if (!*con) {                  /* first call: headers only */
        *con = s;
        return MHD_YES;
    }
    if (*upload_size) {           /* body chunk: consume */
        *upload_size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&s->lock);
    if (s->n < 256)
        s->times[s->n++] = transport_now();
    const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "SOAPAction");
    snprintf(s->last_action, sizeof s->last_action, "%s", a ? a : "");
    int fail = !strcmp(url, "/flaky") && s->flaky_left > 0 ? s->flaky_left-- : 0;
    pthread_mutex_unlock(&s->lock);
    if (!strcmp(url, "/flaky"))
        return fail ? reply(c, 503, "busy", 4) : reply(c, 200, "<ok/>", 5);
    if (!strcmp(url, "/always503"))
        return reply(c, 503, "down", 4);
    if (!strcmp(url, "/fault")) {
        const char *f = "<soap:Envelope><soap:Body><soap:Fault><detail><base:Fault>"
                        "<base:ErrorCode>EXP001000</base:ErrorCode></base:Fault></detail>"
                        "</soap:Fault></soap:Body></soap:Envelope>";
        return reply(c, 500, f, strlen(f));
    }
    if (!strcmp(url, "/big")) {
        size_t len = 2u << 20;
        char *b = xmalloc(len);
        memset(b, 'x', len);
        enum MHD_Result rc = reply(c, 200, b, len);
        free(b);
        return rc;
    }
    if (!strcmp(url, "/slow")) {
        pthread_mutex_lock(&s->lock);
        if (++s->running > s->max_running)
            s->max_running = s->running;
        pthread_mutex_unlock(&s->lock);
        usleep(200000);
        pthread_mutex_lock(&s->lock);
        s->running--;
        pthread_mutex_unlock(&s->lock);
    }
    return reply(c, 200, "<ok/>", 5);
}

static struct server *server_start(void)
{
    struct server *s = xcalloc(1, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL,
                            answer, s, MHD_OPTION_END);
    assert_non_null(s->d);
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = i->port;
    return s;
}

static void server_stop(struct server *s)
{
    MHD_stop_daemon(s->d);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static struct transport_opts opts(void)
{
    struct transport_opts o = { .connect_timeout_s = 2, .timeout_s = 5, .retries = 4, .backoff_ms = 100,
                                .backoff_max_ms = 1000, .rate = 0, .burst = 1, .in_flight = 4 };
    return o;
}

static char *url(struct server *s, const char *path)
{
    return xasprintf("http://127.0.0.1:%d%s", s->port, path);
}

static void test_retry_then_success(void **state)
{
    (void)state;
    struct server *s = server_start();
    s->flaky_left = 2;
    struct transport_opts o = opts();
    hcs_err err = { 0 };
    transport *t = transport_new(&o, &err);
    char *u = url(s, "/flaky");
    const char *hdrs[] = { "SOAPAction: \"urn:getState\"", "Content-Type: text/xml; charset=utf-8", NULL };
    struct transport_request req = { .method = "POST", .url = u, .headers = hdrs, .body = "<x/>", .body_len = 4 };
    struct transport_response r;
    assert_int_equal(transport_request(t, &req, &r, &err), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "<ok/>");
    assert_int_equal(r.attempts, 3);
    assert_string_equal(s->last_action, "\"urn:getState\"");
    char *h = transport_response_header(&r, "x-upload-uploadid");
    assert_string_equal(h, "abc-123");
    free(h);
    /* back-off between attempts: at least half the first delay, then half the doubled one */
    assert_int_equal(s->n, 3);
    assert_true(s->times[1] - s->times[0] >= 0.05 - 0.005);
    assert_true(s->times[2] - s->times[1] >= 0.10 - 0.005);
    struct transport_stats st;
    transport_get_stats(t, &st);
    assert_int_equal(st.requests, 3);
    assert_int_equal(st.retries, 2);
    transport_response_clear(&r);
    free(u);
    transport_free(t);
    server_stop(s);
}

static enum transport_verdict soap_fault_is_answer(void *ctx, const struct transport_response *a)
{
    (void)ctx;
    return a->status == 500 && memmem(a->body, a->body_len, "ErrorCode", 9) ? TRANSPORT_FINAL
           : a->status >= 500 ? TRANSPORT_RETRY : TRANSPORT_FINAL;
}

/* Retries an answer whose header says so: the classify hook sees headers. */
static enum transport_verdict header_says_retry(void *ctx, const struct transport_response *a)
{
    int *seen = ctx;
    char v[32];
    if (a->status == 200 && transport_response_header_copy(a, "X-Upload-UploadID", v, sizeof v) &&
        !strcmp(v, "abc-123")) {
        (*seen)++;
        return TRANSPORT_RETRY;
    }
    return TRANSPORT_FINAL;
}

static void test_budget_fault_refused(void **state)
{
    (void)state;
    struct server *s = server_start();
    struct transport_opts o = opts();
    o.retries = 3;
    o.backoff_ms = 10;
    hcs_err err = { 0 };
    transport *t = transport_new(&o, &err);

    char *u = url(s, "/always503");
    struct transport_request req = { .method = "POST", .url = u, .body = "x", .body_len = 1 };
    struct transport_response r;
    assert_int_equal(transport_request(t, &req, &r, &err), -1);
    assert_int_equal(err.code, HCS_EX_UNAVAILABLE);
    assert_non_null(strstr(err.msg, "HTTP 503"));
    assert_int_equal(r.attempts, 3);
    transport_response_clear(&r);
    free(u);

    /* a SOAP Fault with HTTP 500 is GIS's answer: no retry */
    u = url(s, "/fault");
    req.url = u;
    req.classify = soap_fault_is_answer;
    int before = s->n;
    assert_int_equal(transport_request(t, &req, &r, &err), 0);
    assert_int_equal(r.status, 500);
    assert_int_equal(s->n - before, 1);
    transport_response_clear(&r);
    free(u);

    /* the classify hook sees the response headers */
    u = url(s, "/ok");
    int seen = 0;
    struct transport_request hdr = { .method = "GET", .url = u, .classify = header_says_retry,
                                     .classify_ctx = &seen };
    assert_int_equal(transport_request(t, &hdr, &r, &err), -1);
    assert_int_equal(seen, 3);
    assert_int_equal(r.attempts, 3);
    assert_non_null(strstr(err.msg, "HTTP 200"));
    assert_null(r.net_error);
    transport_response_clear(&r);
    free(u);

    /* a request may bound its own answer below the transport's bound */
    u = url(s, "/big");
    struct transport_request small = { .method = "GET", .url = u, .max_response = 1u << 20 };
    assert_int_equal(transport_request(t, &small, &r, &err), -1);
    assert_non_null(strstr(err.msg, "larger than 1048576"));
    transport_response_clear(&r);
    free(u);

    /* bodies are bounded */
    transport_free(t);
    o.max_response = 1u << 20;
    t = transport_new(&o, &err);
    u = url(s, "/big");
    struct transport_request big = { .method = "GET", .url = u };
    assert_int_equal(transport_request(t, &big, &r, &err), -1);
    assert_non_null(strstr(err.msg, "larger than"));
    transport_response_clear(&r);
    free(u);
    transport_free(t);
    server_stop(s);

    /* nobody listening: connection refused, retried, then unavailable */
    o = opts();
    o.retries = 2;
    o.backoff_ms = 10;
    t = transport_new(&o, &err);
    struct transport_request dead = { .method = "POST", .url = "http://127.0.0.1:1/x", .body = "x", .body_len = 1 };
    assert_int_equal(transport_request(t, &dead, &r, &err), -1);
    assert_int_equal(err.code, HCS_EX_UNAVAILABLE);
    assert_int_equal(r.attempts, 2);
    assert_int_equal(r.status, 0);
    assert_non_null(r.net_error);                     /* libcurl's words: the host, never the path */
    assert_null(strstr(r.net_error, "/x"));
    transport_response_clear(&r);
    transport_free(t);
}

struct feed {
    transport *t;
    char *url;
    int left, done;
};

static int on_done(void *ctx, struct transport_response *resp, const hcs_err *e, hcs_err *err_out)
{
    (void)err_out;
    struct feed *f = ctx;
    assert_null(e);
    assert_int_equal(resp->status, 200);
    f->done++;
    return 0;
}

static int feeder(void *ctx, hcs_err *err)
{
    (void)err;
    struct feed *f = ctx;
    if (!f->left)
        return 0;
    f->left--;
    struct transport_request req = { .method = "POST", .url = f->url, .body = "x", .body_len = 1 };
    transport_submit(f->t, &req, 0, on_done, f);
    return 1;
}

static void test_rate_limit(void **state)
{
    (void)state;
    struct server *s = server_start();
    struct transport_opts o = opts();
    o.rate = 20;
    o.burst = 2;
    o.in_flight = 8;
    hcs_err err = { 0 };
    transport *t = transport_new(&o, &err);
    struct feed f = { t, url(s, "/ok"), 22, 0 };
    transport_set_feeder(t, feeder, &f);
    double t0 = transport_now();
    assert_int_equal(transport_run(t, &err), 0);
    double took = transport_now() - t0;
    assert_int_equal(f.done, 22);
    /* 22 requests at 20/s with a burst of 2: at least 1 s */
    assert_true(took >= 0.95);
    /* and in any 0.5 s window no more than burst + rate * 0.5 (+1 for the edge) */
    for (int i = 0; i < s->n; i++) {
        int n = 0;
        for (int j = i; j < s->n; j++)
            if (s->times[j] - s->times[i] <= 0.5)
                n++;
        assert_true(n <= 2 + 10 + 1);
    }
    free(f.url);
    transport_free(t);
    server_stop(s);
}

static void test_in_flight_bound(void **state)
{
    (void)state;
    struct server *s = server_start();
    struct transport_opts o = opts();
    o.in_flight = 3;
    hcs_err err = { 0 };
    transport *t = transport_new(&o, &err);
    struct feed f = { t, url(s, "/slow"), 9, 0 };
    transport_set_feeder(t, feeder, &f);
    double t0 = transport_now();
    assert_int_equal(transport_run(t, &err), 0);
    double took = transport_now() - t0;
    assert_int_equal(f.done, 9);
    assert_int_equal(s->max_running, 3);            /* concurrent, and never more than the bound */
    assert_true(took >= 0.55 && took < 1.5);        /* 3 waves of 0.2 s */
    free(f.url);
    transport_free(t);
    server_stop(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retry_then_success),
        cmocka_unit_test(test_budget_fault_refused),
        cmocka_unit_test(test_rate_limit),
        cmocka_unit_test(test_in_flight_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
