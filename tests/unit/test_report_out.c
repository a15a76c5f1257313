/* What a run leaves besides the XLSX: the Prometheus textfile (checked by a
 * strict parser of the text format), certificate days to expiry,
 * notifications to a real HTTP sink on 127.0.0.1 (libmicrohttpd) that
 * fails the first attempt, retention, report_finish_run as `run` calls it,
 * and the store helpers against a real SQLite store. */
#include <arpa/inet.h>
#include <ctype.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "base/config.h"
#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "report/report.h"
#include "report/report_metrics.h"
#include "report/report_notify.h"
#include "run/report_store.h"
#include "store/store.h"
#include "test_report_fake.h"

#define T0 1795489200L

/* ---- a strict check of the Prometheus text exposition format ------------- */

static int valid_name(const char *s, size_t n)
{
    if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_' || s[0] == ':'))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == ':'))
            return 0;
    return 1;
}

static int valid_value(const char *s)
{
    if (!strcmp(s, "+Inf") || !strcmp(s, "-Inf") || !strcmp(s, "NaN"))
        return 1;
    char *end;
    strtod(s, &end);
    return end != s && *end == '\0';
}

/* Returns NULL when text is valid, else what is wrong (static buffer). */
static const char *prom_check(const char *text, int *samples)
{
    static char why[256];
    char family[128] = "", seen[64][128];
    int nseen = 0, typed = 0;
    *samples = 0;
    size_t len = strlen(text);
    if (len == 0 || text[len - 1] != '\n')
        return "does not end with a newline";
    char *copy = xstrdup(text), *save = NULL;
    const char *bad = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line && !bad; line = strtok_r(NULL, "\n", &save)) {
        if (!strncmp(line, "# HELP ", 7) || !strncmp(line, "# TYPE ", 7)) {
            char *name = line + 7, *sp = strchr(name, ' ');
            if (!sp || !valid_name(name, (size_t)(sp - name))) {
                bad = "bad HELP/TYPE name";
                break;
            }
            *sp = '\0';
            if (strcmp(name, family) != 0) {
                for (int i = 0; i < nseen; i++)
                    if (!strcmp(seen[i], name)) {
                        snprintf(why, sizeof why, "family %s appears twice", name);
                        bad = why;
                    }
                snprintf(family, sizeof family, "%s", name);
                snprintf(seen[nseen++], sizeof seen[0], "%s", name);
                typed = 0;
            }
            if (line[2] == 'T') {
                const char *t = sp + 1;
                if (typed || (strcmp(t, "counter") && strcmp(t, "gauge") && strcmp(t, "untyped") &&
                              strcmp(t, "histogram") && strcmp(t, "summary")))
                    bad = "bad or repeated TYPE";
                typed = 1;
            }
            continue;
        }
        if (line[0] == '#')
            continue;
        size_t n = strcspn(line, "{ ");
        if (!valid_name(line, n)) {
            bad = "bad sample name";
            break;
        }
        if (strlen(family) != n || strncmp(line, family, n) || !typed) {
            snprintf(why, sizeof why, "sample outside its TYPEd family: %s", line);
            bad = why;
            break;
        }
        const char *p = line + n;
        if (*p == '{') {
            p++;
            while (*p != '}') {
                size_t ln = strcspn(p, "=");
                if (!valid_name(p, ln) || p[ln + 1] != '"') {
                    bad = "bad label";
                    break;
                }
                p += ln + 2;
                while (*p && *p != '"') {
                    if (*p == '\\') {
                        if (p[1] != '\\' && p[1] != '"' && p[1] != 'n') {
                            bad = "bad escape";
                            break;
                        }
                        p++;
                    }
                    p++;
                }
                if (bad || *p != '"') {
                    bad = bad ? bad : "unterminated label value";
                    break;
                }
                p++;
                if (*p == ',')
                    p++;
                else if (*p != '}') {
                    bad = "label list";
                    break;
                }
            }
            if (bad)
                break;
            p++;
        }
        if (*p != ' ' || !valid_value(p + 1)) {
            snprintf(why, sizeof why, "bad value in: %s", line);
            bad = why;
            break;
        }
        (*samples)++;
    }
    free(copy);
    return bad;
}

static void test_prom_checker_can_fail(void **state)
{
    (void)state;
    int n;
    assert_null(prom_check("# HELP a x\n# TYPE a gauge\na 1\n", &n));
    assert_int_equal(n, 1);
    assert_non_null(prom_check("a 1\n", &n));                         /* no TYPE */
    assert_non_null(prom_check("# TYPE a gauge\na one\n", &n));      /* value */
    assert_non_null(prom_check("# TYPE a gauge\na{x=\"1} 1\n", &n));  /* label */
    assert_non_null(prom_check("# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# TYPE a gauge\na 2\n", &n));
    assert_non_null(prom_check("# TYPE a gauge\na 1", &n));           /* newline */
}

static struct fake_source small_source(void);

static void test_metrics(void **state)
{
    (void)state;
    struct report_run run = { .run_id = "7", .started = T0, .finished = T0 + 60, .oldest_pending_age = 3600,
                              .retries = 4, .runs_total = 7, .last_success = T0 + 60, .cert_days_left = 25 };
    struct report_totals tot = { 2, 10, { 5, 2, 1, 0, 2, 0 }, 4 };
    char *names[] = { "done", "pro\"cess\\ing\n" };
    long counts[] = { 3, 1 };
    struct metrics_state ms = { names, counts, 2, 2 };
    strbuf sb = STRBUF_INIT;
    metrics_format(&sb, &run, &tot, &ms, T0 + 100);
    int n;
    const char *bad = prom_check(sb_str(&sb), &n);
    if (bad)
        fail_msg("%s\n%s", bad, sb_str(&sb));
    assert_true(n >= 18);
    const char *t = sb_str(&sb);
    assert_non_null(strstr(t, "# TYPE hcsbatch_runs_total counter\nhcsbatch_runs_total 7\n"));
    assert_non_null(strstr(t, "hcsbatch_last_success_timestamp_seconds 1795489260\n"));
    assert_non_null(strstr(t, "hcsbatch_last_run_rows{outcome=\"rejected\"} 2\n"));
    assert_non_null(strstr(t, "hcsbatch_packets{state=\"pro\\\"cess\\\\ing\\n\"} 1\n"));
    assert_non_null(strstr(t, "hcsbatch_oldest_pending_packet_age_seconds 3600\n"));
    assert_non_null(strstr(t, "hcsbatch_last_run_retries 4\n"));
    assert_non_null(strstr(t, "hcsbatch_certificate_expiry_days 25\n"));
    sb_reset(&sb);
    /* A failed run keeps the previous success time; unknown cert: no family. */
    run.failed = 1;
    run.cert_days_left = REPORT_CERT_UNKNOWN;
    run.last_success = T0 - 86400;
    metrics_format(&sb, &run, &tot, NULL, T0 + 100);
    assert_null(prom_check(sb_str(&sb), &n));
    assert_non_null(strstr(sb_str(&sb), "hcsbatch_last_success_timestamp_seconds 1795402800\n"));
    assert_non_null(strstr(sb_str(&sb), "hcsbatch_last_run_success 0\n"));
    assert_null(strstr(sb_str(&sb), "certificate"));
    /* Several organisations: every sample names its organisation first. */
    sb_reset(&sb);
    run.org = "uk-\"1\"";
    metrics_format(&sb, &run, &tot, &ms, T0 + 100);
    if ((bad = prom_check(sb_str(&sb), &n)))
        fail_msg("%s\n%s", bad, sb_str(&sb));
    assert_non_null(strstr(sb_str(&sb), "hcsbatch_last_run_success{org=\"uk-\\\"1\\\"\"} 0\n"));
    assert_non_null(strstr(sb_str(&sb), "hcsbatch_packets{org=\"uk-\\\"1\\\"\",state=\"done\"} 3\n"));
    sb_free(&sb);

    /* HCS_REPORT_OUT: kept for tests/integration/test_report.sh (prometheus_client). */
    const char *keep = getenv("HCS_REPORT_OUT");
    char *dir = keep && *keep ? xstrdup(keep) : tu_tmpdir();
    char *path = path_join(dir, "hcsbatch.prom");
    hcs_err err;
    assert_int_equal(mkdir_p(dir, &err), 0);
    run.cert_days_left = 25;
    assert_int_equal(metrics_write(path, &run, &tot, &ms, T0, &err), 0);
    size_t len;
    char *got = file_read_all(path, 1 << 20, &len, &err);
    assert_non_null(got);
    assert_null(prom_check(got, &n));
    free(got);
    char *tmp = xasprintf("%s.tmp", path);
    assert_false(file_exists(tmp));
    free(tmp);
    free(path);
    path = path_join(dir, "missing/dir/x.prom");
    assert_int_equal(metrics_write(path, &run, &tot, &ms, T0, &err), -1);
    free(path);
    free(dir);
}

static void test_cert_days(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *cmd = xasprintf("cd '%s' && openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=t "
                          "-keyout k.pem -out c.pem >/dev/null 2>&1", dir);
    assert_int_equal(tu_run(cmd), 0);
    free(cmd);
    char *cert = path_join(dir, "c.pem");
    long days = -1;
    hcs_err err;
    assert_int_equal(report_cert_days_left(cert, time(NULL), &days, &err), 0);
    assert_true(days == 29 || days == 30);
    assert_int_equal(report_cert_days_left(cert, time(NULL) + 40 * 86400L, &days, &err), 0);
    assert_true(days == -10 || days == -11);
    char *key = path_join(dir, "k.pem");
    assert_int_equal(report_cert_days_left(key, time(NULL), &days, &err), -1);
    free(key);
    free(cert);
    free(dir);
}

/* ---- an HTTP sink: records requests, fails the first one per path -------- */

struct req {
    char path[256];
    char api_key[128];
    char *body;
};

struct sink {
    struct MHD_Daemon *d;
    int port;
    pthread_mutex_t mu;
    struct req reqs[32];
    int nreqs;
    int fail_first;              /* answer 500 to the first request of each path */
    int always_status;           /* non-zero: answer this to everything */
};

struct upload { strbuf body; };

static enum MHD_Result sink_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                    const char *method, const char *version, const char *data,
                                    size_t *size, void **con_cls)
{
    (void)method; (void)version;
    struct sink *s = cls;
    if (!*con_cls) {
        struct upload *u = xcalloc(1, sizeof *u);
        *con_cls = u;
        return MHD_YES;
    }
    struct upload *u = *con_cls;
    if (*size) {
        sb_add(&u->body, data, *size);
        *size = 0;
        return MHD_YES;
    }
    int status = 200;
    pthread_mutex_lock(&s->mu);
    int earlier = 0;
    for (int i = 0; i < s->nreqs; i++)
        earlier += strcmp(s->reqs[i].path, url) == 0;
    if (s->nreqs < 32) {
        struct req *r = &s->reqs[s->nreqs++];
        snprintf(r->path, sizeof r->path, "%s", url);
        const char *k = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-API-Key");
        snprintf(r->api_key, sizeof r->api_key, "%s", k ? k : "");
        r->body = xstrdup(sb_str(&u->body));
    }
    if (s->always_status)
        status = s->always_status;
    else if (s->fail_first && earlier == 0)
        status = 500;
    pthread_mutex_unlock(&s->mu);
    sb_free(&u->body);
    free(u);
    *con_cls = NULL;
    static const char ok[] = "{\"ok\":true}";
    struct MHD_Response *resp = MHD_create_response_from_buffer(sizeof ok - 1, (void *)ok,
                                                                MHD_RESPMEM_PERSISTENT);
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return rc;
}

static void sink_start(struct sink *s)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, sink_handler, s,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&a, MHD_OPTION_END);
    assert_non_null(s->d);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info->port;
    assert_true(s->port > 0);
}

static void sink_stop(struct sink *s)
{
    MHD_stop_daemon(s->d);
    for (int i = 0; i < s->nreqs; i++)
        free(s->reqs[i].body);
    pthread_mutex_destroy(&s->mu);
}

static hcs_config *notify_config(const struct sink *s)
{
    hcs_err err;
    hcs_config *cfg = cfg_load(NULL, &err);
    assert_non_null(cfg);
    char *urls = xasprintf("http://127.0.0.1:%d/hook/one?token=qsecret, http://127.0.0.1:%d/hook/two",
                           s->port, s->port);
    char *tg = xasprintf("http://127.0.0.1:%d/", s->port);
    assert_int_equal(cfg_set(cfg, "notify.urls", urls, &err), 0);
    assert_int_equal(cfg_set(cfg, "notify.api_key_env", "HCS_TEST_NOTIFY_KEY", &err), 0);
    assert_int_equal(cfg_set(cfg, "notify.attempts", "3", &err), 0);
    assert_int_equal(cfg_set(cfg, "notify.delay_ms", "10", &err), 0);
    assert_int_equal(cfg_set(cfg, "notify.telegram_api", tg, &err), 0);
    assert_int_equal(cfg_set(cfg, "notify.telegram_token_env", "HCS_TEST_TG_TOKEN", &err), 0);
    assert_int_equal(cfg_set(cfg, "notify.telegram_chat", "-100123", &err), 0);
    free(urls);
    free(tg);
    setenv("HCS_TEST_NOTIFY_KEY", "k-123-secret", 1);
    setenv("HCS_TEST_TG_TOKEN", "123456:ABC-tok", 1);
    return cfg;
}

static void test_notify_when(void **state)
{
    (void)state;
    hcs_err err;
    hcs_config *cfg = cfg_load(NULL, &err);
    struct report_run run = { .run_id = "1", .oldest_pending_age = -1 };
    struct report_totals tot = { 0 };
    struct notify_summary s = { &run, &tot, NULL, NULL, NULL, T0 };
    assert_false(notify_wanted(cfg, &s));             /* default "errors", none */
    tot.need_action = 1;
    assert_true(notify_wanted(cfg, &s));
    tot.need_action = 0;
    run.failed = 1;
    assert_true(notify_wanted(cfg, &s));
    cfg_set(cfg, "notify.when", "never", &err);
    assert_false(notify_wanted(cfg, &s));
    run.failed = 0;
    cfg_set(cfg, "notify.when", "always", &err);
    assert_true(notify_wanted(cfg, &s));
    /* a run whose only news is an outage announced already stays quiet
     * under "errors" */
    cfg_set(cfg, "notify.when", "errors", &err);
    run.failed = 1;
    run.outage_only = 1;
    assert_false(notify_wanted(cfg, &s));
    run.outage_only = 0;
    assert_true(notify_wanted(cfg, &s));
    cfg_free(cfg);
}

/* The outage notices: JSON event and times, the Russian text. */
static void test_notify_outage_texts(void **state)
{
    (void)state;
    struct report_outage o = { .since = T0, .waiting = 5, .detail = "Couldn't connect" };
    strbuf j = STRBUF_INIT, t = STRBUF_INIT;
    notify_outage_json(&j, &o);
    assert_non_null(strstr(sb_str(&j), "\"event\":\"outage_began\""));
    assert_non_null(strstr(sb_str(&j), "\"since\":\"2026-11-24T03:00:00Z\",\"ended\":null"));
    assert_non_null(strstr(sb_str(&j), "\"packets_waiting\":5,\"detail\":\"Couldn't connect\""));
    notify_outage_text(&t, &o);
    assert_non_null(strstr(sb_str(&t), "ГИС ЖКХ недоступна с "));
    assert_non_null(strstr(sb_str(&t), "пакетов ждут отправки: 5"));
    sb_reset(&j);
    sb_reset(&t);
    o = (struct report_outage){ .ended = 1, .since = T0, .until = T0 + 7200 };
    notify_outage_json(&j, &o);
    assert_non_null(strstr(sb_str(&j), "\"event\":\"outage_ended\""));
    assert_non_null(strstr(sb_str(&j), "\"ended\":\"2026-11-24T05:00:00Z\""));
    assert_non_null(strstr(sb_str(&j), "\"gis_answers\":true"));
    notify_outage_text(&t, &o);
    assert_non_null(strstr(sb_str(&t), "ГИС ЖКХ снова отвечает"));
    sb_reset(&t);
    o.still_down = 1;              /* given up (give_up_after), GIS still silent */
    notify_outage_text(&t, &o);
    assert_non_null(strstr(sb_str(&t), "ГИС ЖКХ всё ещё не отвечает"));
    sb_free(&j);
    sb_free(&t);
}

static void test_notify_delivers_despite_failures(void **state)
{
    (void)state;
    struct sink s;
    sink_start(&s);
    s.fail_first = 1;
    hcs_config *cfg = notify_config(&s);
    struct report_run run = { .run_id = "42", .started = T0, .finished = T0 + 60, .oldest_pending_age = 120,
                              .retries = 2, .runs_total = 42, .cert_days_left = REPORT_CERT_UNKNOWN };
    struct report_totals tot = { 1, 4, { 1, 1, 0, 0, 2, 0 }, 3 };
    char *names[] = { "done" };
    long counts[] = { 2 };
    struct metrics_state ms = { names, counts, 1, 1 };
    struct notify_summary ns = { &run, &tot, &ms, "/w/reports/2026-11-24-42.xlsx",
                                 "/w/reports/2026-11-24-42-errors.csv", T0 };
    strbuf warnings = STRBUF_INIT;
    int delivered = notify_send(cfg, &ns, &warnings);
    if (warnings.len)
        fail_msg("warnings: %s", sb_str(&warnings));
    assert_int_equal(delivered, 3);
    /* Three destinations, each failed once then succeeded: six requests. */
    assert_int_equal(s.nreqs, 6);
    int hooks = 0, tg = 0;
    for (int i = 0; i < s.nreqs; i++) {
        struct req *r = &s.reqs[i];
        if (!strncmp(r->path, "/hook/", 6)) {
            hooks++;
            assert_string_equal(r->api_key, "k-123-secret");
            assert_non_null(strstr(r->body, "\"run_id\":\"42\""));
            assert_non_null(strstr(r->body, "\"status\":\"errors\""));
            assert_non_null(strstr(r->body, "\"need_action\":3"));
            assert_non_null(strstr(r->body, "\"outcomes\":{\"accepted\":1,\"failed\":1,\"pending\":0,"
                                            "\"deferred\":0,\"rejected\":2,\"sent\":0}"));
            assert_non_null(strstr(r->body, "\"packets\":{\"done\":2}"));
            assert_non_null(strstr(r->body, "\"started\":\"2026-11-24T03:00:00Z\""));
        } else {
            tg++;
            assert_string_equal(r->path, "/bot123456:ABC-tok/sendMessage");
            assert_string_equal(r->api_key, "");
            assert_non_null(strstr(r->body, "\"chat_id\":\"-100123\""));
            assert_non_null(strstr(r->body, "требуют исправления 3"));
            assert_non_null(strstr(r->body, "2026-11-24-42.xlsx"));
        }
    }
    assert_int_equal(hooks, 4);
    assert_int_equal(tg, 2);
    sb_free(&warnings);

    /* Everything down: warnings name hosts only, never keys, tokens or paths. */
    s.always_status = 503;
    int before = s.nreqs;
    delivered = notify_send(cfg, &ns, &warnings);
    assert_int_equal(delivered, 0);
    assert_int_equal(s.nreqs - before, 9);            /* 3 destinations x 3 attempts */
    const char *w = sb_str(&warnings);
    assert_non_null(strstr(w, "HTTP 503"));
    assert_non_null(strstr(w, "http://127.0.0.1:"));
    assert_null(strstr(w, "secret"));
    assert_null(strstr(w, "ABC-tok"));
    assert_null(strstr(w, "/hook"));
    sb_free(&warnings);

    /* A 4xx is not repeated. */
    s.always_status = 400;
    before = s.nreqs;
    notify_send(cfg, &ns, &warnings);
    assert_int_equal(s.nreqs - before, 3);
    sb_free(&warnings);
    cfg_free(cfg);
    sink_stop(&s);

    /* Nobody listening: a warning, no crash, no secret. */
    cfg = notify_config(&s);
    delivered = notify_send(cfg, &ns, &warnings);
    assert_int_equal(delivered, 0);
    assert_non_null(strstr(sb_str(&warnings), "telegram:"));
    assert_null(strstr(sb_str(&warnings), "ABC-tok"));
    sb_free(&warnings);
    unsetenv("HCS_TEST_TG_TOKEN");
    notify_send(cfg, &ns, &warnings);
    assert_non_null(strstr(sb_str(&warnings), "HCS_TEST_TG_TOKEN is not set"));
    sb_free(&warnings);
    cfg_free(cfg);
}

/* ---- retention ------------------------------------------------------------- */

static void make_file_aged(const char *path, long days_old)
{
    tu_write_str(path, "x");
    struct timeval tv[2];
    tv[0].tv_sec = tv[1].tv_sec = time(NULL) - days_old * 86400 - 60;
    tv[0].tv_usec = tv[1].tv_usec = 0;
    assert_int_equal(utimes(path, tv), 0);
}

static void test_retention(void **state)
{
    (void)state;
    char *work = tu_tmpdir();
    hcs_err err;
    static const char *const dirs[] = { "logs", "reports/2026", "archive/accounts", "rejected", "inbox/accounts" };
    for (size_t i = 0; i < 5; i++) {
        char *d = path_join(work, dirs[i]);
        assert_int_equal(mkdir_p(d, &err), 0);
        free(d);
    }
    struct { const char *rel; long age; int gone; } files[] = {
        { "logs/old.log", 91, 1 }, { "logs/new.log", 89, 0 },
        { "reports/2026/old.xlsx", 400, 1 }, { "reports/new.xlsx", 10, 0 },
        { "archive/accounts/a.csv", 366, 1 }, { "archive/accounts/b.csv", 364, 0 },
        { "rejected/r.csv", 100, 1 }, { "inbox/accounts/ancient.csv", 5000, 0 },
        { "state.db", 5000, 0 },
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *p = path_join(work, files[i].rel);
        make_file_aged(p, files[i].age);
        free(p);
    }
    /* A symlink to an old file outside: neither followed nor removed. */
    char *outside = tu_tmpdir();
    char *target = path_join(outside, "precious.txt");
    make_file_aged(target, 1000);
    char *link = path_join(work, "archive/link");
    assert_int_equal(symlink(outside, link), 0);

    hcs_config *cfg = cfg_load(NULL, &err);
    assert_int_equal(cfg_set(cfg, "paths.work_dir", work, &err), 0);
    struct retention_stats st;
    assert_int_equal(report_retention_sweep(cfg, 0, &st, &err), 0);
    assert_int_equal(st.removed, 4);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *p = path_join(work, files[i].rel);
        if (file_exists(p) == files[i].gone)
            fail_msg("%s: expected %s", files[i].rel, files[i].gone ? "removed" : "kept");
        free(p);
    }
    assert_true(file_exists(target));
    char *d = path_join(work, "reports/2026");
    struct stat sb;
    assert_int_equal(stat(d, &sb), 0);               /* folders stay */
    free(d);
    /* 0 days = keep forever; a kind pointing at the work dir is refused. */
    assert_int_equal(report_retention_dir(work, 0, 0, &st, &err), 0);
    cfg_set(cfg, "report.dir", ".", &err);
    assert_int_equal(report_retention_sweep(cfg, 0, &st, &err), -1);
    assert_int_equal(err.code, HCS_EX_CONFIG);
    cfg_free(cfg);
    free(link);
    free(target);
    free(outside);
    free(work);
}

/* ---- report_finish_run ----------------------------------------------------- */

static const struct report_file small_files[] = { { 1, "/in/a.csv", "importAccountData", 2, NULL } };
static const struct fake_row small_rows[] = {
    { 1, { 2, "ЛС 1", REPORT_ACCEPTED, "g", NULL, NULL, NULL, NULL, NULL, NULL, T0 } },
    { 1, { 3, "ЛС 2", REPORT_REJECTED, NULL, NULL, NULL, NULL, "bad date", "Дата", "-1+2", 0 } },
};
static const struct fake_state small_states[] = { { "done", 1 } };

static struct fake_source small_source(void)
{
    struct fake_source fs;
    memset(&fs, 0, sizeof fs);
    fs.run = (struct report_run){ .run_id = "run/9", .started = T0, .finished = T0 + 60, .oldest_pending_age = -1,
                                  .runs_total = 9, .cert_days_left = REPORT_CERT_UNKNOWN };
    fs.files = small_files;
    fs.nfiles = 1;
    fs.rows = small_rows;
    fs.nrows = 2;
    fs.states = small_states;
    fs.nstates = 1;
    return fs;
}

static void test_finish_run(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    struct sink s;
    sink_start(&s);
    hcs_config *cfg = notify_config(&s);
    char *work = tu_tmpdir();
    char *metrics = path_join(work, "hcsbatch.prom");
    hcs_err err;
    cfg_set(cfg, "paths.work_dir", work, &err);
    cfg_set(cfg, "report.metrics_file", metrics, &err);
    char *hints = tu_path("templates/hints.csv");
    cfg_set(cfg, "paths.hints_file", hints, &err);
    free(hints);
    struct fake_source fs = small_source();
    struct report_source src = fake_as_source(&fs);
    struct report_outputs out;
    if (report_finish_run(cfg, &src, T0 + 120, &out, &err) != 0)
        fail_msg("%s", err.msg);
    if (out.warnings)
        fail_msg("warnings: %s", out.warnings);
    char *want = xasprintf("%s/reports/2026-11-24-run_9.xlsx", work);
    assert_string_equal(out.xlsx_path, want);
    free(want);
    assert_true(file_exists(out.xlsx_path));
    assert_true(file_exists(out.errors_csv_path));
    assert_string_equal(out.metrics_path, metrics);
    assert_int_equal(out.totals.need_action, 1);
    assert_int_equal(out.notified, 3);
    size_t len;
    char *csv = file_read_all(out.errors_csv_path, 1 << 16, &len, &err);
    assert_non_null(strstr(csv, "a.csv;3;Дата;'-1+2;HCS-DATE;bad date\r\n"));
    free(csv);
    char *prom = file_read_all(metrics, 1 << 16, &len, &err);
    int n;
    assert_null(prom_check(prom, &n));
    assert_non_null(strstr(prom, "hcsbatch_last_run_rows{outcome=\"rejected\"} 1\n"));
    free(prom);
    report_outputs_free(&out);

    /* Metrics and notifications failing do not fail the report. */
    cfg_set(cfg, "report.metrics_file", "/nonexistent-dir/x.prom", &err);
    cfg_set(cfg, "paths.hints_file", "/nonexistent-dir/hints.csv", &err);
    s.always_status = 500;
    cfg_set(cfg, "notify.attempts", "1", &err);
    assert_int_equal(report_finish_run(cfg, &src, T0 + 120, &out, &err), 0);
    assert_non_null(out.warnings);
    assert_non_null(strstr(out.warnings, "x.prom"));
    assert_non_null(strstr(out.warnings, "hints"));
    assert_non_null(strstr(out.warnings, "HTTP 500"));
    assert_null(strstr(out.warnings, "secret"));
    assert_null(out.metrics_path);
    report_outputs_free(&out);

    /* The report itself unwritable: that fails. */
    cfg_set(cfg, "report.dir", "/proc/no-reports-here", &err);
    assert_int_equal(report_finish_run(cfg, &src, T0 + 120, &out, &err), -1);
    report_outputs_free(&out);

    /* hcsbatch report's writer: default name from the file. */
    cfg_set(cfg, "report.dir", "reports", &err);
    char *written = NULL;
    assert_int_equal(report_write_file_report(cfg, &src, NULL, T0, &written, &err), 0);
    want = xasprintf("%s/reports/2026-11-24-a.xlsx", work);
    assert_string_equal(written, want);
    assert_true(file_exists(written));
    free(want);
    free(written);
    cfg_free(cfg);
    sink_stop(&s);
    free(metrics);
    free(work);
}

/* ---- store helpers --------------------------------------------------------- */

static void test_store_helpers(void **state)
{
    (void)state;
    assert_int_equal(report_parse_time("2026-11-24T06:00:00+03:00"), T0);
    assert_int_equal(report_parse_time("2026-11-24T03:00:00Z"), T0);
    assert_int_equal(report_parse_time("2026-11-24T03:00:00.123Z"), T0);
    assert_int_equal(report_parse_time("2026-11-24 03:00:00"), T0);
    assert_int_equal(report_parse_time("2026-11-24"), T0 - 3 * 3600);
    assert_int_equal(report_parse_time("yesterday"), 0);
    assert_int_equal(report_parse_time(NULL), 0);
    assert_int_equal(report_store_outcome("accepted", "done"), REPORT_ACCEPTED);
    assert_int_equal(report_store_outcome("error", "done-with-warnings"), REPORT_FAILED);
    assert_int_equal(report_store_outcome("pending", "processing"), REPORT_PENDING);
    assert_int_equal(report_store_outcome("pending", "sent"), REPORT_SENT);
    assert_int_equal(report_store_outcome("pending", "prepared"), REPORT_DEFERRED);
    assert_int_equal(report_store_outcome("rejected", NULL), REPORT_REJECTED);
    assert_int_equal(report_store_outcome("cancelled", "cancelled"), REPORT_FAILED);

    char *dir = tu_tmpdir();
    char *db = path_join(dir, "state.db");
    hcs_err err;
    store *st = store_open_sqlite(db, 1000, &err);
    assert_non_null(st);
    int64_t run_id;
    assert_int_equal(store_run_begin(st, "run", &run_id, &err), 0);
    int64_t ids[2];
    for (int i = 0; i < 2; i++) {
        struct store_file f = { 0 };
        f.run_id = run_id;
        f.path = "/w/inbox/accounts/ЛС.csv";
        f.name = "ЛС.csv";
        f.sha256 = i ? "bb" : "aa";
        f.template_name = "importAccountData";
        f.operation = "importAccountData";
        f.state = "converted";
        assert_int_equal(store_file_add(st, &f, &err), 0);
        ids[i] = f.id;
    }
    int64_t found = 0;
    assert_int_equal(report_store_find_file(st, "ЛС.csv", &found, &err), 1);
    assert_int_equal(found, ids[1]);                  /* the latest */
    assert_int_equal(report_store_find_file(st, "/elsewhere/ЛС.csv", &found, &err), 1);
    assert_int_equal(report_store_find_file(st, "other.csv", &found, &err), 0);
    store_close(st);
    free(db);
    free(dir);
}

/* tests grouped by subject: cmocka reports each group by name */
int main(void)
{
    const struct CMUnitTest metrics[] = {
        cmocka_unit_test(test_prom_checker_can_fail),
        cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_cert_days),
    };
    const struct CMUnitTest notify[] = {
        cmocka_unit_test(test_notify_when),
        cmocka_unit_test(test_notify_outage_texts),
        cmocka_unit_test(test_notify_delivers_despite_failures),
    };
    const struct CMUnitTest run_store[] = {
        cmocka_unit_test(test_retention),
        cmocka_unit_test(test_finish_run),
        cmocka_unit_test(test_store_helpers),
    };
    return cmocka_run_group_tests_name("metrics", metrics, NULL, NULL) +
           cmocka_run_group_tests_name("notifications", notify, NULL, NULL) +
           cmocka_run_group_tests_name("run store", run_store, NULL, NULL);
}
