/* Unit tests for src/transport/transport_config.c: named stands filling
 * gis.base_url, TLS version keys, extra headers with the certificate
 * fingerprint (compared with `openssl x509 -fingerprint -sha1`), and
 * CONNECT_TO: a request whose URL names another host reaches a server on
 * 127.0.0.1 with that host in Host and the configured headers. */
#include "testutil.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/config.h"
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "transport/transport.h"
#include "transport/transport_impl.h"

static void test_stands(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    hcs_config *cfg = cfg_load(NULL, &err);
    assert_non_null(cfg);
    assert_string_equal(cfg_str(cfg, "gis.base_url"), "https://api.dom.gosuslugi.ru/");
    assert_int_equal(cfg_set(cfg, "gis.stand", "sit01", &err), 0);
    assert_string_equal(cfg_str(cfg, "gis.base_url"), "https://sit01.dom.test.gosuslugi.ru:10081/");
    assert_int_equal(cfg_set(cfg, "gis.base_url", "http://127.0.0.1:8089/", &err), 0);
    assert_string_equal(cfg_str(cfg, "gis.base_url"), "http://127.0.0.1:8089/");   /* explicit wins */
    struct transport_opts o;
    char *auth = NULL;
    assert_int_equal(transport_opts_from_config(cfg, &o, &auth, &err), 0);
    assert_int_equal(cfg_set(cfg, "gis.stand", "sit03", &err), 0);
    assert_int_equal(transport_opts_from_config(cfg, &o, &auth, &err), -1);
    assert_non_null(strstr(err.msg, "gis.stand"));
    cfg_free(cfg);
}

static void test_tls_versions(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    hcs_config *cfg = cfg_load(NULL, &err);
    struct transport_opts o;
    char *auth = NULL;
    cfg_set(cfg, "gis.base_url", "http://127.0.0.1:1/", &err);
    cfg_set(cfg, "transport.tls_min", "1.0", &err);
    cfg_set(cfg, "transport.tls_max", "1.2", &err);
    assert_int_equal(transport_opts_from_config(cfg, &o, &auth, &err), 0);
    assert_int_equal(o.tls_min, 1);
    assert_int_equal(o.tls_max, 3);
    cfg_set(cfg, "transport.tls_max", "1.4", &err);
    assert_int_equal(transport_opts_from_config(cfg, &o, &auth, &err), -1);
    cfg_set(cfg, "transport.tls_min", "1.3", &err);
    cfg_set(cfg, "transport.tls_max", "1.2", &err);
    assert_int_equal(transport_opts_from_config(cfg, &o, &auth, &err), -1);
    cfg_free(cfg);
}

static char *read_text(const char *path)
{
    hcs_err err = { 0 };
    size_t len;
    char *t = file_read_all(path, 1 << 20, &len, &err);
    assert_non_null(t);
    return t;
}

/* Plain http:// to another machine and a non-GOST-2012 signature are
 * warned about (on stderr, the log's default target); loopback is quiet. */
static void test_warnings(void **state)
{
    (void)state;
    char *dir = tu_tmpdir(), *path = xasprintf("%s/stderr.txt", dir);
    hcs_err err = { 0 };
    hcs_config *cfg = cfg_load(NULL, &err);
    struct transport_opts o;
    char *auth = NULL;
    cfg_set(cfg, "sign.alg", "rsa", &err);
    fflush(stderr);
    int saved = dup(2);
    FILE *f = freopen(path, "w", stderr);
    assert_non_null(f);
    cfg_set(cfg, "gis.base_url", "http://127.0.0.1:8089/", &err);
    assert_int_equal(transport_opts_from_config(cfg, &o, &auth, &err), 0);
    cfg_set(cfg, "gis.base_url", "http://api.dom.gosuslugi.ru:1443/", &err);   /* through a local stunnel */
    cfg_set(cfg, "transport.connect_to", "api.dom.gosuslugi.ru:1443:127.0.0.1:1443", &err);
    cfg_set(cfg, "sign.alg", "gost2012", &err);
    assert_int_equal(transport_opts_from_config(cfg, &o, &auth, &err), 0);
    cfg_set(cfg, "transport.connect_to", "", &err);
    cfg_set(cfg, "sign.alg", "rsa", &err);
    fflush(stderr);
    char *quiet = read_text(path);
    cfg_set(cfg, "gis.base_url", "http://sit02.dom.test.gosuslugi.ru:10082/", &err);
    assert_int_equal(transport_opts_from_config(cfg, &o, &auth, &err), 0);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char *loud = read_text(path);
    assert_string_equal(quiet, "");
    assert_non_null(strstr(loud, "plain http://"));
    assert_non_null(strstr(loud, "sign.alg = rsa"));
    free(quiet);
    free(loud);
    cfg_free(cfg);
    free(path);
    free(dir);
}

/* What one fresh process (the warnings are said once per process) prints
 * on stderr when it reads [transport] with this sign.alg and base URL. */
static char *warning_for(const char *alg, const char *base_key, const char *base)
{
    char *dir = tu_tmpdir(), *path = xasprintf("%s/stderr.txt", dir);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!freopen(path, "w", stderr))
            _exit(2);
        hcs_err err = { 0 };
        hcs_config *cfg = cfg_load(NULL, &err);
        struct transport_opts o;
        char *auth = NULL;
        cfg_set(cfg, "sign.alg", alg, &err);
        cfg_set(cfg, base_key, base, &err);
        int rc = transport_opts_from_config(cfg, &o, &auth, &err);
        fflush(stderr);
        /* everything freed: the unit tests also run under valgrind */
        free(auth);
        cfg_free(cfg);
        free(path);
        free(dir);
        _exit(rc == 0 ? 0 : 1);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    char *text = read_text(path);
    free(path);
    free(dir);
    return text;
}

/* GIS takes only GOST R 34.10-2012 signatures: rsa and gost2001 are warned
 * about whenever the requests leave this machine, gost2012 never. */
static void test_alg_warning(void **state)
{
    (void)state;
    static const struct { const char *alg, *key, *base; int warns; } cases[] = {
        { "gost2001", "gis.base_url", "https://api.dom.gosuslugi.ru/", 1 },
        { "rsa", "gis.base_url", "https://api.dom.gosuslugi.ru/", 1 },
        { "gost2001", "gis.stand", "sit02", 1 },
        { "gost2012", "gis.base_url", "https://api.dom.gosuslugi.ru/", 0 },
        { "gost2001", "gis.base_url", "http://127.0.0.1:8089/", 0 },
        { "rsa", "gis.base_url", "http://localhost:8089/", 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = warning_for(cases[i].alg, cases[i].key, cases[i].base);
        char *want = xasprintf("sign.alg = %s", cases[i].alg);
        if ((strstr(text, want) != NULL) != cases[i].warns)
            fail_msg("sign.alg=%s %s=%s: stderr '%s', expected %s warning", cases[i].alg, cases[i].key,
                     cases[i].base, text, cases[i].warns ? "a" : "no");
        free(want);
        free(text);
    }
}

static void test_loopback(void **state)
{
    (void)state;
    assert_true(transport_url_is_loopback("http://127.0.0.1:8089/"));
    assert_true(transport_url_is_loopback("http://localhost:1443/"));
    assert_true(transport_url_is_loopback("http://[::1]:80/"));
    assert_false(transport_url_is_loopback("http://sit02.dom.test.gosuslugi.ru:10082/"));
    assert_false(transport_url_is_loopback("http://localhost.example.org/"));
}

static void test_headers_and_fingerprint(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    char **h = transport_headers_parse(" X-A: 1;X-B:  two words ; ", NULL, &err);
    assert_non_null(h);
    assert_string_equal(h[0], "X-A: 1");
    assert_string_equal(h[1], "X-B: two words");
    assert_null(h[2]);
    transport_headers_free(h);
    assert_null(transport_headers_parse("no colon here", NULL, &err));
    assert_null(transport_headers_parse("X-Other: auto", NULL, &err));
    assert_null(transport_headers_parse("X-Client-Cert-Fingerprint: auto", NULL, &err));
    /* a certificate on a token is not a file: said so, not "cannot open" */
    assert_null(transport_headers_parse("X-Client-Cert-Fingerprint: auto", "pkcs11:token=t;object=o", &err));
    assert_non_null(strstr(err.msg, "on a token"));

    char *dir = tu_tmpdir();
    char *cmd = xasprintf("cd '%s' && openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem "
                          "-subj /CN=test -days 2 >/dev/null 2>&1 && openssl x509 -in c.pem -noout "
                          "-fingerprint -sha1 | sed 's/.*=//; s/://g' >fp.txt", dir);
    assert_int_equal(system(cmd), 0);
    char *fp_path = xasprintf("%s/fp.txt", dir), *cert = xasprintf("%s/c.pem", dir);
    char want[64] = "";
    FILE *f = fopen(fp_path, "r");
    assert_non_null(f);
    assert_non_null(fgets(want, sizeof want, f));
    fclose(f);
    want[strcspn(want, "\n")] = '\0';
    h = transport_headers_parse("X-Client-Cert-Fingerprint: auto", cert, &err);
    assert_non_null(h);
    char *expect = xasprintf("X-Client-Cert-Fingerprint: %s", want);
    assert_string_equal(h[0], expect);
    transport_headers_free(h);
    free(expect);
    free(cmd);
    free(fp_path);
    free(cert);
    free(dir);
}

struct seen {
    char host[128], extra[64];
};

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **con)
{
    (void)url; (void)method; (void)version; (void)upload;
    struct seen *s = cls;
    if (!*con) {
        *con = s;
        return MHD_YES;
    }
    if (*upload_size) {           /* body chunk: consume */
        *upload_size = 0;
        return MHD_YES;
    }
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    const char *x = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Stand-Test");
    snprintf(s->host, sizeof s->host, "%s", h ? h : "");
    snprintf(s->extra, sizeof s->extra, "%s", x ? x : "");
    struct MHD_Response *r = MHD_create_response_from_buffer(5, (void *)"<ok/>", MHD_RESPMEM_MUST_COPY);
    enum MHD_Result rc = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return rc;
}

static void test_connect_to_and_headers(void **state)
{
    (void)state;
    struct seen seen = { { 0 }, { 0 } };
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, answer, &seen,
                                            MHD_OPTION_END);
    assert_non_null(d);
    int port = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port;
    char *connect_to = xasprintf("gis.example.invalid:10082:127.0.0.1:%d", port);
    struct transport_opts o = { .connect_timeout_s = 2, .timeout_s = 5, .retries = 1, .in_flight = 1,
                                .connect_to = connect_to, .headers = "X-Stand-Test: yes" };
    hcs_err err = { 0 };
    transport *t = transport_new(&o, &err);
    assert_non_null(t);
    struct transport_request req = { .method = "POST", .url = "http://gis.example.invalid:10082/svc",
                                     .body = "x", .body_len = 1 };
    struct transport_response resp;
    int rc = transport_request(t, &req, &resp, &err);
    if (rc < 0)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(resp.status, 200);
    assert_string_equal(seen.host, "gis.example.invalid:10082");
    assert_string_equal(seen.extra, "yes");
    transport_response_clear(&resp);
    transport_free(t);
    MHD_stop_daemon(d);
    free(connect_to);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stands),
        cmocka_unit_test(test_tls_versions),
        cmocka_unit_test(test_alg_warning),   /* before test_warnings: the warning is said once per process */
        cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_loopback),
        cmocka_unit_test(test_headers_and_fingerprint),
        cmocka_unit_test(test_connect_to_and_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
