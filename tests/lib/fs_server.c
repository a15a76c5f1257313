#include "fs_server.h"

#include <microhttpd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

struct body { strbuf sb; };

static const char *hdr_lookup(void *conn, const char *name)
{
    return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

static ssize_t cut_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)cls;
    if (pos >= 10)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = max < 10 - pos ? max : (size_t)(10 - pos);
    memset(buf, 'x', n);
    return (ssize_t)n;
}

static enum MHD_Result first_key(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind; (void)value;
    const char **out = cls;
    if (!*out)
        *out = key;
    return MHD_NO;
}

static enum MHD_Result answer_injected(struct MHD_Connection *conn, enum inject inj)
{
    struct MHD_Response *r;
    enum MHD_Result rc;
    if (inj == INJ_RESET) {
        /* an answer cut off half way: the connection drops mid-body */
        r = MHD_create_response_from_callback(100, 16, cut_reader, NULL, NULL);
        rc = MHD_queue_response(conn, 200, r);
    } else {
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        if (inj == INJ_CONFLICT)
            MHD_add_response_header(r, "X-Upload-Error", "HashConflictException");
        rc = MHD_queue_response(conn, inj == INJ_503 ? 503 : 400, r);
    }
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                              const char *version, const char *data, size_t *size, void **cc)
{
    (void)version;
    struct fs_server *s = cls;
    struct body *b = *cc;
    if (!b) {
        *cc = xcalloc(1, sizeof *b);
        return MHD_YES;
    }
    if (*size) {
        sb_add(&b->sb, data, *size);
        *size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&s->lock);
    long no = ++s->requests;
    enum inject inj = no < 64 ? s->plan[no] : INJ_NONE;
    if (s->always && no >= s->always_from)
        inj = s->always;
    pthread_mutex_unlock(&s->lock);
    if (inj != INJ_NONE)
        return answer_injected(conn, inj);
    const char *query = NULL;
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, first_key, &query);
    struct sim_http_request req = { method, url + strlen(FS_SERVER_PREFIX), query ? query : "", hdr_lookup, conn,
                                    sb_str(&b->sb), b->sb.len };
    struct sim_http_response resp;
    sim_filestore_handle(s->fs, &req, &resp);
    pthread_mutex_lock(&s->lock);
    if (!strcmp(method, "PUT") && resp.status == 200)
        s->puts_ok++;
    if (!strcmp(method, "HEAD"))
        s->heads++;
    pthread_mutex_unlock(&s->lock);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(resp.body_len, resp.body ? resp.body : "", MHD_RESPMEM_MUST_COPY);
    for (int i = 0; i < 16 && resp.headers[i]; i++) {
        char *colon = strchr(resp.headers[i], ':');
        *colon = '\0';
        MHD_add_response_header(r, resp.headers[i], colon + 2);
    }
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned)resp.status, r);
    MHD_destroy_response(r);
    sim_filestore_response_clear(&resp);
    return rc;
}

static void done(void *cls, struct MHD_Connection *conn, void **cc, enum MHD_RequestTerminationCode t)
{
    (void)cls; (void)conn; (void)t;
    struct body *b = *cc;
    if (b) {
        sb_free(&b->sb);
        free(b);
    }
    *cc = NULL;
}

struct fs_server *fs_server_start(void)
{
    struct fs_server *s = xcalloc(1, sizeof *s);
    s->dir = tu_tmpdir();
    s->fs = sim_filestore_open(s->dir);
    pthread_mutex_init(&s->lock, NULL);
    struct sockaddr_in addr = { 0 };
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL,
                            answer, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                            MHD_OPTION_NOTIFY_COMPLETED, done, s, MHD_OPTION_END);
    assert_non_null(s->d);
    s->port = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT)->port;
    return s;
}

void fs_server_stop(struct fs_server *s)
{
    MHD_stop_daemon(s->d);
    sim_filestore_free(s->fs);
    pthread_mutex_destroy(&s->lock);
    free(s->dir);
    free(s);
}

void fs_server_reset_counts(struct fs_server *s)
{
    pthread_mutex_lock(&s->lock);
    s->requests = s->puts_ok = s->heads = 0;
    memset(s->plan, 0, sizeof s->plan);
    s->always = INJ_NONE;
    pthread_mutex_unlock(&s->lock);
}

long fs_server_requests(struct fs_server *s)
{
    pthread_mutex_lock(&s->lock);
    long n = s->requests;
    pthread_mutex_unlock(&s->lock);
    return n;
}

long fs_server_puts_ok(struct fs_server *s)
{
    pthread_mutex_lock(&s->lock);
    long n = s->puts_ok;
    pthread_mutex_unlock(&s->lock);
    return n;
}
