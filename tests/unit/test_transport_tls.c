/* Unit tests for the transport's TLS: mutual TLS against `openssl s_server`
 * on 127.0.0.1 requiring a client certificate — with RSA, and with GOST R
 * 34.10-2012 keys and the GOST2012-KUZNYECHIK-KUZNYECHIKOMAC ciphersuite
 * through the gost engine, and the legacy GOST2012-GOST8912-GOST8912 over
 * TLS 1.0 with @SECLEVEL=0 (needed where openssl.cnf raises the security
 * level, as Debian's usually does; OpenSSL 3 reports the suite as
 * LEGACY-GOST2012-GOST8912-GOST8912).  A handshake that fails names the
 * versions and ciphers offered.  Keys and certificates are made now. */
#include "testutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "transport/transport.h"

static char *dir;

static void make_pki(const char *p, const char *eng, const char *alg)
{
    char *cmd = xasprintf(
        "cd '%s' && (printf 'subjectAltName=IP:127.0.0.1\\n' > ext && "
        "openssl req %s -x509 -newkey %s -nodes -keyout %sca.key -out %sca.pem -subj '/CN=CA' -days 2 && "
        "openssl req %s -newkey %s -nodes -keyout %ssrv.key -out %ssrv.csr -subj '/CN=127.0.0.1' && "
        "openssl x509 %s -req -in %ssrv.csr -CA %sca.pem -CAkey %sca.key -CAcreateserial -out %ssrv.pem -days 2 -extfile ext && "
        "openssl req %s -newkey %s -nodes -keyout %scli.key -out %scli.csr -subj '/CN=client' && "
        "openssl x509 %s -req -in %scli.csr -CA %sca.pem -CAkey %sca.key -CAcreateserial -out %scli.pem -days 2)"
        " >/dev/null 2>&1",
        dir, eng, alg, p, p, eng, alg, p, p, eng, p, p, p, p, eng, alg, p, p, eng, p, p, p, p);
    assert_int_equal(tu_run(cmd), 0);
    free(cmd);
}

static int start_server(const char *p, const char *eng, const char *extra, int *port)
{
    *port = 20000 + (int)(getpid() % 20000) + (p[0] == 'g') + 2 * (p[0] == 'l');
    char *cmd = xasprintf("cd '%s' && (openssl s_server %s -accept 127.0.0.1:%d -cert %ssrv.pem -key %ssrv.key"
                          " -CAfile %sca.pem -Verify 1 %s -www >%ssrv.log 2>&1 & echo $! > %ssrv.pid)",
                          dir, eng, *port, p, p, p, extra, p, p);
    assert_int_equal(tu_run(cmd), 0);
    free(cmd);
    char *pidf = xasprintf("%s/%ssrv.pid", dir, p);
    FILE *f = fopen(pidf, "r");
    int pid = 0;
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%d", &pid), 1);
    fclose(f);
    free(pidf);
    usleep(700000);
    return pid;
}

static int get_tls(const char *p, int port, int with_cert, const char *ciphers, int tls_min, int tls_max,
                   hcs_err *err, long *status)
{
    char *ca = xasprintf("%s/%sca.pem", dir, p), *cert = xasprintf("%s/%scli.pem", dir, p),
         *key = xasprintf("%s/%scli.key", dir, p), *url = xasprintf("https://127.0.0.1:%d/", port);
    struct transport_opts o = { .connect_timeout_s = 3, .timeout_s = 5, .retries = 2, .backoff_ms = 10,
                                .backoff_max_ms = 10, .in_flight = 1, .burst = 1, .ca_file = ca,
                                .client_cert = with_cert ? cert : NULL, .client_key = with_cert ? key : NULL,
                                .ciphers = ciphers, .tls_min = tls_min, .tls_max = tls_max };
    transport *t = transport_new(&o, err);
    assert_non_null(t);
    struct transport_request req = { .method = "GET", .url = url };
    struct transport_response r;
    int rc = transport_request(t, &req, &r, err);
    *status = r.status;
    transport_response_clear(&r);
    transport_free(t);
    free(ca); free(cert); free(key); free(url);
    return rc;
}

static int get(const char *p, int port, int with_cert, const char *ciphers, hcs_err *err, long *status)
{
    return get_tls(p, port, with_cert, ciphers, 0, 0, err, status);
}

static void test_mtls_rsa(void **state)
{
    (void)state;
    make_pki("r", "", "rsa:2048");
    int port, pid = start_server("r", "", "", &port);
    hcs_err err = { 0 };
    long status = 0;
    assert_int_equal(get("r", port, 1, NULL, &err, &status), 0);
    assert_int_equal(status, 200);
    /* without the client certificate the server refuses the handshake */
    assert_int_equal(get("r", port, 0, NULL, &err, &status), -1);
    assert_int_equal(err.code, HCS_EX_UNAVAILABLE);
    kill(pid, SIGTERM);
}

static void test_mtls_gost(void **state)
{
    (void)state;
    make_pki("g", "-engine gost", "gost2012_256 -pkeyopt paramset:A");
    int port, pid = start_server("g", "-engine gost", "-tls1_2 -cipher GOST2012-KUZNYECHIK-KUZNYECHIKOMAC", &port);
    hcs_err err = { 0 };
    long status = 0;
    int rc = get("g", port, 1, "GOST2012-KUZNYECHIK-KUZNYECHIKOMAC", &err, &status);
    if (rc != 0)
        print_error("GOST TLS: %s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(status, 200);
    /* a client offering only MAGMA: the error lists what it offered */
    rc = get_tls("g", port, 1, "GOST2012-MAGMA-MAGMAOMAC", 3, 3, &err, &status);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err.msg, "ciphers GOST2012-MAGMA-MAGMAOMAC"));
    assert_non_null(strstr(err.msg, "versions 1.2 to 1.2"));
    kill(pid, SIGTERM);
}

/* The suite older GIS sites and stunnel set-ups use: TLS 1.0 only. */
static void test_mtls_gost_legacy_tls10(void **state)
{
    (void)state;
    make_pki("l", "-engine gost", "gost2012_256 -pkeyopt paramset:A");
    int port, pid = start_server("l", "-engine gost", "-tls1 -cipher GOST2012-GOST8912-GOST8912:@SECLEVEL=0", &port);
    hcs_err err = { 0 };
    long status = 0;
    int rc = get_tls("l", port, 1, "GOST2012-GOST8912-GOST8912:@SECLEVEL=0", 1, 1, &err, &status);
    if (rc != 0)
        print_error("legacy GOST TLS 1.0: %s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(status, 200);
    /* a client insisting on TLS 1.2 cannot agree with a TLS 1.0-only server */
    rc = get_tls("l", port, 1, "GOST2012-GOST8912-GOST8912:@SECLEVEL=0", 3, 0, &err, &status);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err.msg, "versions 1.2 to default"));
    kill(pid, SIGTERM);
}

static int setup(void **state)
{
    (void)state;
    dir = tu_tmpdir();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char *cmd = xasprintf("rm -rf '%s'", dir);
    tu_run(cmd);
    free(cmd);
    free(dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mtls_rsa),
        cmocka_unit_test(test_mtls_gost),
        cmocka_unit_test(test_mtls_gost_legacy_tls10),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
