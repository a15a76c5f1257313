/* sim_http — libmicrohttpd glue, transport faults, request log. */
#include "sim/sim_http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "proto/operations.h"

struct sim_server {
    struct MHD_Daemon *daemon;
    sim *s;
    sim_faults *faults;
    sim_log *log;
    pthread_mutex_t lock;        /* the fault PRNG (sim_handle locks for itself) */
    atomic_long requests;
    atomic_int stopping;
    int port;
    long latency_ms;             /* every answer held back this long */
};

struct conn_data {
    strbuf body;
    int too_big;
};

static double now_seconds(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

/* ---- responses --------------------------------------------------------- */

static enum MHD_Result send_buffer(struct MHD_Connection *conn, int status, const char *type,
                                   const char *data, size_t len)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)data,
                                                                MHD_RESPMEM_MUST_COPY);
    if (type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return rc;
}

/* A body that stops half way and drops the connection (reset mid-body). */
struct cut_body {
    char *data;
    size_t len, cut;
};

static ssize_t cut_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct cut_body *c = cls;
    if (pos >= c->cut)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = c->cut - (size_t)pos;
    if (n > max)
        n = max;
    memcpy(buf, c->data + pos, n);
    return (ssize_t)n;
}

static void cut_free(void *cls)
{
    struct cut_body *c = cls;
    free(c->data);
    free(c);
}

static enum MHD_Result send_reset(struct MHD_Connection *conn, const char *data, size_t len)
{
    struct cut_body *c = xcalloc(1, sizeof *c);
    c->data = xmalloc(len + 1);
    memcpy(c->data, data, len);
    c->len = len;
    c->cut = len / 2;
    struct MHD_Response *resp = MHD_create_response_from_callback(len, 4096, cut_reader, c, cut_free);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/xml; charset=utf-8");
    enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return rc;
}

static void stall(sim_server *srv, double seconds)
{
    for (double t = 0; t < seconds && !atomic_load(&srv->stopping); t += 0.05)
        usleep((useconds_t)((seconds - t < 0.05 ? seconds - t : 0.05) * 1e6));
}

static void garble(sim_server *srv, strbuf *b)
{
    /* Overwrite a run of bytes in the middle with junk that is never
     * well-formed XML ('<' and '&' included). */
    if (b->len < 16)
        return;
    pthread_mutex_lock(&srv->lock);
    size_t at = b->len / 3 + (size_t)(sim_faults_rand(srv->faults) % (b->len / 3));
    pthread_mutex_unlock(&srv->lock);
    static const char junk[] = "<&\x01\xff<<&#";
    for (size_t i = 0; i < 8 && at + i < b->len; i++)
        b->buf[at + i] = junk[i];
}

/* ---- file store -------------------------------------------------------- */

static const char *header_lookup(void *conn, const char *name)
{
    return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

static enum MHD_Result first_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    (void)value;
    const char **out = cls;
    if (!*out)
        *out = key;
    return MHD_NO;
}

static enum MHD_Result serve_filestore(sim_server *srv, struct MHD_Connection *conn,
                                       const char *method, const char *path, strbuf *body,
                                       int *status)
{
    const char *query = NULL;
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, first_arg, &query);
    struct sim_http_request req = {
        .method = method, .path = path, .query = query ? query : "",
        .header = header_lookup, .conn = conn, .body = sb_str(body), .body_len = body->len
    };
    struct sim_http_response resp = { 0 };
    sim_filestore_handle(sim_get_filestore(srv->s), &req, &resp);
    struct MHD_Response *r = MHD_create_response_from_buffer(resp.body_len, resp.body ? resp.body : "",
                                                             MHD_RESPMEM_MUST_COPY);
    for (int i = 0; i < 16 && resp.headers[i]; i++) {
        char *colon = strchr(resp.headers[i], ':');
        if (colon) {
            *colon = '\0';
            const char *v = colon + 1;
            while (*v == ' ')
                v++;
            MHD_add_response_header(r, resp.headers[i], v);
        }
        free(resp.headers[i]);
    }
    free(resp.body);
    *status = resp.status ? resp.status : 500;
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned)*status, r);
    MHD_destroy_response(r);
    return rc;
}

/* ---- dispatch ---------------------------------------------------------- */

/* The header MessageGUID of a request the pipeline never sees (an injected
 * HTTP error), for the log only: the first <…MessageGUID>…</ text, so tests
 * can still tell which message a failed send carried. */
static void peek_message_guid(const char *body, size_t len, char out[40])
{
    out[0] = '\0';
    const char *p = memmem(body, len, "MessageGUID>", 12);
    if (!p)
        return;
    p += 12;
    size_t i = 0;
    while (p + i < body + len && p[i] != '<' && i < 39) {
        out[i] = p[i];
        i++;
    }
    out[i] = '\0';
}

static void strip_action(const char *raw, char *out, size_t n)
{
    const char *p = raw ? raw : "";
    if (*p == '"')
        p++;
    if (strncmp(p, "urn:", 4) == 0)
        p += 4;
    snprintf(out, n, "%s", p);
    size_t len = strlen(out);
    if (len && out[len - 1] == '"')
        out[len - 1] = '\0';
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_size, void **con_cls)
{
    (void)version;
    sim_server *srv = cls;
    struct conn_data *cd = *con_cls;
    if (!cd) {
        *con_cls = xcalloc(1, sizeof *cd);
        return MHD_YES;
    }
    if (*upload_size) {
        if (cd->body.len + *upload_size > SIM_MAX_BODY)
            cd->too_big = 1;
        else
            sb_add(&cd->body, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    double start = now_seconds();
    long no = atomic_fetch_add(&srv->requests, 1) + 1;
    const char *path = url[0] == '/' ? url + 1 : url;
    const char *raw_action = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "SOAPAction");
    char action[128];
    strip_action(raw_action, action, sizeof action);
    int filestore = strncmp(path, SIM_FILESTORE_PREFIX, strlen(SIM_FILESTORE_PREFIX)) == 0;

    /* The network and GIS's front: every request, whatever comes of it. */
    if (srv->latency_ms > 0)
        stall(srv, srv->latency_ms / 1000.0);
    struct sim_fault fault = { .kind = FAULT_NONE, .slow_factor = 1 };
    if (srv->faults) {
        pthread_mutex_lock(&srv->lock);
        sim_faults_decide(srv->faults, no, filestore ? "filestore" : action, &fault);
        pthread_mutex_unlock(&srv->lock);
    }
    struct sim_reply reply = { 0 };
    struct sim_log_entry e = { .request_no = no, .time = start, .method = method,
                               .endpoint = url, .action = action, .bytes_in = (long long)cd->body.len };
    enum MHD_Result rc;
    int status = 0;

    char peeked[40] = "";
    if (fault.kind == FAULT_HTTP500 || fault.kind == FAULT_HTTP502 || fault.kind == FAULT_HTTP503) {
        status = fault.kind == FAULT_HTTP500 ? 500 : fault.kind == FAULT_HTTP502 ? 502 : 503;
        if (!filestore) {
            peek_message_guid(sb_str(&cd->body), cd->body.len, peeked);
            e.message_guid = peeked;
            e.operation = action;
        }
        char page[128];
        int n = snprintf(page, sizeof page, "<html><body><h1>%d</h1>injected by hcs-sim</body></html>\n", status);
        rc = send_buffer(conn, status, "text/html", page, (size_t)n);
        goto log;
    }
    if (cd->too_big) {
        status = 413;
        rc = send_buffer(conn, status, "text/plain", "request too large\n", 18);
        goto log;
    }
    if (filestore) {
        rc = serve_filestore(srv, conn, method, path + strlen(SIM_FILESTORE_PREFIX), &cd->body, &status);
        goto log;
    }
    if (strcmp(method, "POST") != 0) {
        status = gis_service_by_path(path) ? 405 : 404;
        rc = send_buffer(conn, status, "text/plain", status == 405 ? "POST only\n" : "not found\n", 10);
        goto log;
    }
    if (!gis_service_by_path(path)) {
        status = 404;
        rc = send_buffer(conn, status, "text/plain", "no such service\n", 16);
        goto log;
    }
    /* SOAP 1.1 travels as text/xml; a SOAP stack refuses anything else. */
    const char *ctype = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!ctype || strncasecmp(ctype, "text/xml", 8) != 0) {
        status = 415;
        rc = send_buffer(conn, status, "text/plain", "SOAP 1.1 needs Content-Type: text/xml\n", 38);
        goto log;
    }
    struct sim_request q = {
        .path = path, .soap_action = raw_action, .body = sb_str(&cd->body), .len = cd->body.len,
        .slow_factor = fault.slow_factor,
        .inject_exp001000 = fault.kind == FAULT_EXP001000,
        .inject_maintenance = fault.kind == FAULT_MAINTENANCE,
        .inject_result = fault.kind == FAULT_RESULT ? fault.result_code : NULL,
    };
    sim_handle(srv->s, &q, &reply);
    status = reply.status;
    e.operation = reply.operation;
    e.message_guid = reply.request_guid;
    e.gis_message_guid = reply.gis_guid;
    e.code = reply.code;
    e.request_state = reply.request_state;
    e.duplicate = reply.duplicate;
    e.transport_guids = sb_str(&reply.transports);
    if (fault.kind == FAULT_STALL)
        stall(srv, fault.stall_seconds);
    if (fault.kind == FAULT_RESET) {
        rc = send_reset(conn, sb_str(&reply.body), reply.body.len);
        goto log;
    }
    if (fault.kind == FAULT_TRUNCATED)
        reply.body.len /= 2;
    if (fault.kind == FAULT_GARBLED)
        garble(srv, &reply.body);
    rc = send_buffer(conn, status, "text/xml; charset=utf-8", sb_str(&reply.body), reply.body.len);
log:
    e.status = status;
    e.fault = sim_fault_name(fault.kind == FAULT_NONE && fault.slow_factor != 1 ? FAULT_SLOW : fault.kind);
    e.duration_ms = (long)((now_seconds() - start) * 1000);
    if (!e.operation)
        e.operation = filestore ? "filestore" : "";
    sim_log_write(srv->log, &e);
    sim_reply_free(&reply);
    return rc;
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct conn_data *cd = *con_cls;
    if (cd) {
        sb_free(&cd->body);
        free(cd);
    }
    *con_cls = NULL;
}

sim_server *sim_server_start(sim *s, sim_faults *faults, sim_log *log, int port, long latency_ms, hcs_err *err)
{
    sim_server *srv = xcalloc(1, sizeof *srv);
    srv->latency_ms = latency_ms;
    srv->s = s;
    srv->faults = faults;
    srv->log = log;
    pthread_mutex_init(&srv->lock, NULL);
    struct sockaddr_in addr = { 0 };
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    srv->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                                   MHD_USE_ERROR_LOG,
                                   (uint16_t)port, NULL, NULL, answer, srv,
                                   MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                                   MHD_OPTION_NOTIFY_COMPLETED, completed, srv,
                                   MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)300,
                                   MHD_OPTION_END);
    if (!srv->daemon) {
        hcs_fail(err, HCS_EX_UNAVAILABLE, "cannot listen on 127.0.0.1:%d", port);
        pthread_mutex_destroy(&srv->lock);
        free(srv);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : port;
    return srv;
}

int sim_server_port(const sim_server *srv)
{
    return srv->port;
}

void sim_server_stop(sim_server *srv)
{
    if (!srv)
        return;
    atomic_store(&srv->stopping, 1);
    MHD_stop_daemon(srv->daemon);
    pthread_mutex_destroy(&srv->lock);
    free(srv);
}
