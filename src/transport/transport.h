/* transport — HTTP for hcsbatch through libcurl, and the only code that
 * calls libcurl: the SOAP calls to GIS (exchange), the file store client
 * (filestore) and the run notifications (report).  Owns what every request
 * needs: connect and total timeouts, TLS with a client certificate (GOST
 * ciphersuites through the OpenSSL gost engine) or plain HTTP to a local
 * stunnel, a CA bundle file, bounded response bodies, retries on network
 * errors and HTTP 5xx with exponential back-off and jitter (or whatever the
 * caller's classify callback decides from status, headers and body), a
 * token-bucket rate limit per host, and a bounded number of requests in
 * flight (curl multi, one thread).  Calls only base/.
 *
 * Two ways in: transport_request() (one request, blocking, with retries),
 * and transport_submit() + transport_run() for many at once (completion
 * callbacks may submit more; a feeder callback supplies work lazily so
 * memory stays bounded by what is in flight).
 * May call: base/. */
#ifndef HCS_TRANSPORT_H
#define HCS_TRANSPORT_H

#include <stddef.h>

#include "base/config.h"
#include "base/err.h"

typedef struct transport transport;

struct transport_opts {
    long connect_timeout_s, timeout_s;
    int retries;                  /* attempts in all (≥ 1) */
    long backoff_ms, backoff_max_ms;
    double rate, burst;           /* requests/s and bucket size per host; rate ≤ 0 = unlimited */
    int in_flight;
    size_t max_response;          /* bytes; larger bodies fail the request */
    const char *ca_file, *client_cert, *client_key, *ciphers;
    const char *basic_auth;       /* "user:password" or NULL (copied) */
    const char *engine_path;      /* gost engine for GOST TLS (NULL = default) */
    int tls_min, tls_max;         /* 0 = libcurl's default, 1..4 = TLS 1.0..1.3 */
    const char *connect_to;       /* CURLOPT_CONNECT_TO entries "HOST:PORT:TO-HOST:TO-PORT", comma-separated */
    const char *headers;          /* extra headers for every request: "Name: value; Name2: value" */
    const char *fingerprint_cert; /* PEM certificate for X-Client-Cert-Fingerprint: auto */
};
/* The one reader of [transport] (and sign.engine_path, gis.stand); basic
 * auth from its file (*auth_owned: wipe and free it after transport_new).
 * The file store options embed what this fills.  Warns (once) when
 * gis.base_url is plain http:// outside loopback and when sign.alg is not
 * GOST 2012 for a non-loopback URL. */
int transport_opts_from_config(const hcs_config *cfg, struct transport_opts *o, char **auth_owned,
                               hcs_err *err);
transport *transport_new(const struct transport_opts *o, hcs_err *err);
transport *transport_new_from_config(const hcs_config *cfg, hcs_err *err);
void transport_free(transport *t);

struct transport_response {
    long status;                  /* HTTP status, 0 when no answer */
    char *body;                   /* NUL-terminated, malloc'd */
    size_t body_len;
    char *headers;                /* raw response header lines of the last attempt */
    char *net_error;              /* why the last attempt got no answer (libcurl's text, which
                                   * names the host at most, never the path), or NULL */
    int attempts;                 /* attempts made */
    double seconds;               /* wall time of all attempts incl. back-off */
};

/* What to do with an answer: FINAL hands it to the caller, RETRY tries
 * again after a back-off (while attempts remain). */
enum transport_verdict { TRANSPORT_FINAL = 0, TRANSPORT_RETRY = 1 };

/* Decides about one HTTP answer from its status, headers and body (the
 * file store retries a 400 whose X-Upload-Error says HashConflictException).
 * answer is only valid during the call. */
typedef enum transport_verdict (*transport_classify_fn)(void *ctx, const struct transport_response *answer);

struct transport_request {
    const char *method;           /* "POST", "PUT", "GET", "HEAD" */
    const char *url;
    const char *const *headers;   /* NULL-terminated "Name: value" lines, or NULL */
    const void *body;             /* must stay valid until the request completes */
    size_t body_len;
    /* Optional: decides about an HTTP answer (default: 5xx and 429 retry,
     * everything else final).  A SOAP Fault comes with HTTP 500 and is an
     * answer, not a transport failure: the exchange says FINAL for it. */
    transport_classify_fn classify;
    void *classify_ctx;
    size_t max_response;          /* bytes for this request; 0 = the transport's */
};

void transport_response_clear(struct transport_response *r);
/* Value of a response header (case-insensitive name); malloc'd or NULL. */
char *transport_response_header(const struct transport_response *r, const char *name);
/* The same copied into out (truncated to outlen, "" when absent); 1 found, 0 not. */
int transport_response_header_copy(const struct transport_response *r, const char *name, char *out,
                                   size_t outlen);

/* Blocking: returns 0 when an answer arrived that classify called final (any
 * status), -1 when every attempt failed (err: HCS_EX_UNAVAILABLE with the
 * last curl error or HTTP status).  resp is filled in both cases. */
int transport_request(transport *t, const struct transport_request *req,
                      struct transport_response *resp, hcs_err *err);

/* Completion: err NULL on an answer, else why all attempts failed.  resp
 * is owned by the transport and cleared after the callback returns (take
 * body with resp->body = NULL to keep it).  Returns 0, or -1 to abort
 * transport_run (err_out filled). */
typedef int (*transport_done_fn)(void *ctx, struct transport_response *resp, const hcs_err *err,
                                 hcs_err *err_out);
/* Queues a request (method/url/headers copied; body NOT copied unless
 * copy_body). */
void transport_submit(transport *t, const struct transport_request *req, int copy_body,
                      transport_done_fn done, void *ctx);
/* Called whenever a slot is free and nothing is queued: submit at most one
 * request and return 1, or return 0 when there is nothing more right now;
 * -1 aborts the run (err filled). */
typedef int (*transport_feed_fn)(void *ctx, hcs_err *err);
void transport_set_feeder(transport *t, transport_feed_fn feed, void *ctx);
/* Called before a group of requests is started (after the feeder queued
 * them): the exchange commits what those requests stand for here, so many
 * state changes share one commit and none is behind its request.  -1
 * aborts the run. */
void transport_set_before_start(transport *t, int (*fn)(void *ctx, hcs_err *err), void *ctx);
/* Runs until nothing is queued, in flight or fed.  Returns 0, or -1 when a
 * callback aborted. */
int transport_run(transport *t, hcs_err *err);

/* Counters since transport_new, for reports and tests. */
struct transport_stats {
    long requests;                /* attempts started */
    long retries;                 /* attempts that were retries */
    long failures;                /* requests that failed after all attempts */
    double waited_rate_s;         /* time spent waiting for rate-limit tokens */
};
void transport_get_stats(const transport *t, struct transport_stats *s);

/* ---- pure pieces (unit-tested; also used by the file store client) ---- */

struct token_bucket {
    double rate, burst, tokens, last;
};
void token_bucket_init(struct token_bucket *b, double rate, double burst, double now);
/* Takes a token when one is available (returns 0); else returns the seconds
 * to wait before one will be. */
double token_bucket_take(struct token_bucket *b, double now);

/* Delay before retry number `retry` (1 = the first retry): exponential from
 * base_ms, capped at max_ms, "equal jitter" (half fixed, half random) so
 * clients that failed together do not retry together.  seed: rand_r state. */
long backoff_delay_ms(int retry, long base_ms, long max_ms, unsigned *seed);

/* Monotonic clock in seconds. */
double transport_now(void);

#endif
