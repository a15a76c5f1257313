/* Unit tests for src/base: config overrides, GUIDs, strbuf escaping,
 * untrusted XML parsing, and the schema validator. */
#include "testutil.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "base/config.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/progress.h"
#include "base/guid.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "base/xmlsafe.h"
#include "proto/schema.h"

static void test_config_layers(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    char *dir = tu_tmpdir();
    char *ini = xasprintf("%s/h.ini", dir);
    tu_write_str(ini, "[gis]\nbase_url = http://127.0.0.1:1/\n[paths]\nnsi_dir = nsi\n");
    hcs_config *cfg = cfg_load(ini, &err);
    assert_non_null(cfg);
    assert_string_equal(cfg_str(cfg, "gis.base_url"), "http://127.0.0.1:1/");
    assert_string_equal(cfg_str(cfg, "sign.alg"), "gost2012");          /* default */
    assert_int_equal(cfg_override(cfg, "gis.base_url=http://x/", &err), 0);
    assert_string_equal(cfg_str(cfg, "gis.base_url"), "http://x/");     /* -o wins */
    char *nsi = cfg_path(cfg, "paths.nsi_dir");
    char *want = xasprintf("%s/nsi", dir);
    assert_string_equal(nsi, want);                                     /* file-relative */
    assert_int_equal(cfg_override(cfg, "nope.key=1", &err), -1);
    assert_int_equal(err.code, HCS_EX_CONFIG);
    free(nsi); free(want);
    cfg_free(cfg);

    tu_write_str(ini, "[gis]\nbase_ulr = typo\n");
    assert_null(cfg_load(ini, &err));
    assert_non_null(strstr(err.msg, "base_ulr"));
    free(ini); free(dir);
}

/* [org:NAME] sections: the organisations a file names, each one's view
 * (its orgPPAGUID, key and work_dir in place of the common ones, the
 * SQLite file still the common one), refused names and keys. */
static void test_config_orgs(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    char *dir = tu_tmpdir();
    char *ini = xasprintf("%s/h.ini", dir);
    tu_write_str(ini, "[paths]\nwork_dir = /srv/w\n[sign]\nkey = /k/common.pem\n"
                      "[org:volga]\norg_ppa_guid = 11111111-1111-4111-8111-111111111111\n"
                      "[org:zarya]\norg_ppa_guid = 22222222-2222-4222-8222-222222222222\nsign_key = z.pem\n"
                      "work_dir = /srv/zarya\n");
    hcs_config *cfg = cfg_load(ini, &err);
    assert_non_null(cfg);
    assert_int_equal(cfg_org_count(cfg), 2);   /* no [gis] org_ppa_guid: no "default" */
    assert_string_equal(cfg_org_name(cfg, 0), "volga");
    assert_string_equal(cfg_org_name(cfg, 1), "zarya");
    assert_string_equal(cfg_org(cfg), "default");
    hcs_config *v = cfg_for_org(cfg, "volga", &err);
    assert_non_null(v);
    assert_string_equal(cfg_org(v), "volga");
    assert_string_equal(cfg_str(v, "gis.org_ppa_guid"), "11111111-1111-4111-8111-111111111111");
    assert_string_equal(cfg_str(v, "paths.work_dir"), "/srv/w/orgs/volga");
    assert_string_equal(cfg_str(v, "sign.key"), "/k/common.pem");
    assert_string_equal(cfg_str(v, "store.path"), "/srv/w/state.db");
    cfg_free(v);
    v = cfg_for_org(cfg, "zarya", &err);
    assert_non_null(v);
    char *key = xasprintf("%s/z.pem", dir);
    assert_string_equal(cfg_str(v, "sign.key"), key);   /* relative to the file */
    assert_string_equal(cfg_str(v, "paths.work_dir"), "/srv/zarya");
    assert_string_equal(cfg_str(v, "store.path"), "/srv/w/state.db");
    free(key);
    cfg_free(v);
    assert_null(cfg_for_org(cfg, "nosuch", &err));
    assert_int_equal(err.code, HCS_EX_CONFIG);
    cfg_free(cfg);

    tu_write_str(ini, "[gis]\norg_ppa_guid = 33333333-3333-4333-8333-333333333333\n"
                      "[org:volga]\norg_ppa_guid = 11111111-1111-4111-8111-111111111111\n");
    cfg = cfg_load(ini, &err);
    assert_non_null(cfg);
    assert_int_equal(cfg_org_count(cfg), 2);   /* [gis] org_ppa_guid: "default" as well */
    assert_string_equal(cfg_org_name(cfg, 0), "default");
    cfg_free(cfg);
    static const char *const bad[] = {
        "[org:volga]\norg_ppa_guid = x\nsign_kye = a\n",   /* unknown key */
        "[org]\norg_ppa_guid = x\n",                        /* a bare [org] */
        "[org:default]\norg_ppa_guid = x\n",                /* taken */
        "[org:a.b]\norg_ppa_guid = x\n",                    /* not a name */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tu_write_str(ini, bad[i]);
        assert_null(cfg_load(ini, &err));
        assert_int_equal(err.code, HCS_EX_CONFIG);
    }
    tu_write_str(ini, "[org:volga]\nwork_dir = /x\n");   /* no orgPPAGUID */
    cfg = cfg_load(ini, &err);
    assert_non_null(cfg);
    assert_null(cfg_for_org(cfg, "volga", &err));
    assert_non_null(strstr(err.msg, "org_ppa_guid"));
    cfg_free(cfg);
    free(ini); free(dir);
}

static void test_guid(void **state)
{
    (void)state;
    char a[37], b[37], n[37];
    guid_new(a);
    guid_new(b);
    assert_int_equal(strlen(a), 36);
    assert_string_not_equal(a, b);
    assert_int_equal(a[14], '4');
    assert_int_equal(guid_normalize("{0B5D7A2E-4C1F-4E8A-9D3B-6F7E8A9B0C1D}", n), 0);
    assert_string_equal(n, "0b5d7a2e-4c1f-4e8a-9d3b-6f7e8a9b0c1d");
    assert_int_equal(guid_normalize("0b5d7a2e4c1f-4e8a-9d3b-6f7e8a9b0c1d", n), -1);
}

static void test_strbuf_xml(void **state)
{
    (void)state;
    strbuf sb = STRBUF_INIT;
    const char *s = "a<b>&\"c'";
    sb_add_xml(&sb, s, strlen(s));
    assert_string_equal(sb.buf, "a&lt;b&gt;&amp;&quot;c&apos;");
    sb_free(&sb);
}

static void test_xmlsafe_refuses_doctype(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    const char *xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>";
    assert_null(xmlsafe_parse(xxe, strlen(xxe), "test", &err));
    assert_non_null(strstr(err.msg, "DOCTYPE"));
    assert_null(xmlsafe_parse("<a><b></a>", 10, "broken", &err));
    assert_non_null(strstr(err.msg, "broken"));
}

struct errs { int n; char first[512]; };
static void on_err(void *ctx, xmlNodePtr node, int line, const char *msg)
{
    struct errs *e = ctx;
    (void)node; (void)line;
    if (!e->n++)
        snprintf(e->first, sizeof e->first, "%s", msg);
}

/* libxml2 keeps its error handlers per thread: one started after
 * xmlsafe_init (a convert --jobs worker) must report through the logger too. */
static void *libxml2_message_from_thread(void *arg)
{
    (void)arg;
    xmlGenericError(xmlGenericErrorContext, "from a worker thread\n");
    return NULL;
}

/* libxml2's own messages (the old generic channel, errors outside a parse)
 * reach stderr only through the logger, in its format. */
static void test_xmlsafe_errors_through_log(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *path = xasprintf("%s/stderr.txt", dir);
    fflush(stderr);
    int saved = dup(2);
    FILE *f = freopen(path, "w", stderr);
    assert_non_null(f);
    log_setup("stderr", "debug", "hcsbatch");
    hcs_err err = { 0 };
    assert_null(xmlsafe_parse("<a><b></a>", 10, "broken", &err));
    xmlGenericError(xmlGenericErrorContext, "raw %s ", "generic");
    xmlGenericError(xmlGenericErrorContext, "message\n");
    pthread_t worker;
    assert_int_equal(pthread_create(&worker, NULL, libxml2_message_from_thread, NULL), 0);
    assert_int_equal(pthread_join(worker, NULL), 0);
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root = xmlNewDocNode(doc, NULL, BAD_CAST "r", NULL);
    xmlDocSetRootElement(doc, root);
    xmlFreeDoc(doc);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    log_setup("stderr", "warn", "hcsbatch");
    size_t len = 0;
    char *text = file_read_all(path, 1 << 20, &len, &err);
    assert_non_null(text);
    assert_non_null(strstr(text, "libxml2: raw generic message"));
    assert_non_null(strstr(text, "libxml2: from a worker thread"));
    assert_non_null(strstr(text, "libxml2: "));
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
        assert_non_null(strstr(line, " hcsbatch "));     /* every line is the logger's */
    free(text);
    unlink(path);
    rmdir(dir);
    free(path);
    free(dir);
}

static void test_schema_examples(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    schema_set *set = schema_set_open(tu_schemas_dir(), &err);
    assert_non_null(set);
    char *path = tu_path("../shared/gis/examples/soap-importMeteringDeviceValues-request.xml");
    xmlDocPtr doc = xmlsafe_parse_file(path, &err);
    assert_non_null(doc);
    struct errs e = { 0 };
    assert_int_equal(schema_validate_envelope(set, doc, on_err, &e, &err), 0);
    /* Break one value: the validator must name it. */
    xmlNodePtr v = xml_find(xmlDocGetRootElement(doc), NULL, "MeteringValue");
    assert_non_null(v);
    xmlNodeSetContent(v, BAD_CAST "-12,5");
    assert_int_equal(schema_validate_envelope(set, doc, on_err, &e, &err), 1);
    assert_true(e.n > 0);
    assert_non_null(strstr(e.first, "MeteringValue"));
    xmlFreeDoc(doc);
    free(path);
    schema_set_free(set);
    assert_null(schema_set_open("/nonexistent", &err));
    assert_int_equal(err.code, HCS_EX_CONFIG);
}

static void test_progress_line(void **state)
{
    (void)state;
    char line[256];
    /* 500 of 2000 rows in 2 s: 250 rows/s, a quarter done, 6 s left */
    progress_format(line, sizeof line, "converting a.csv", PROGRESS_COUNT, "rows", 500, 0.25, 2.0);
    assert_string_equal(line, "converting a.csv: 500 rows (25%), 250 rows/s, ~0:06 left");
    /* bytes as MB and MB/s; an hour and more left */
    progress_format(line, sizeof line, "uploading b.pdf", PROGRESS_BYTES, NULL, 10 * 1048576.0, 0.001 + 1e-9, 4.0);
    assert_string_equal(line, "uploading b.pdf: 10.0 MB (0%), 2.5 MB/s, ~1:06:36 left");
    /* no fraction: no percentage and no estimate; too early for a rate */
    progress_format(line, sizeof line, "w", PROGRESS_COUNT, "packets", 3, -1, 5.0);
    assert_string_equal(line, "w: 3 packets, 0.6 packets/s");
    progress_format(line, sizeof line, "w", PROGRESS_COUNT, "rows", 0, 0, 0.01);
    assert_string_equal(line, "w: 0 rows (0%)");
    /* not on a terminal (the test's stderr is a file or pipe): nothing at all */
    if (!isatty(STDERR_FILENO))
        assert_null(progress_begin("x", PROGRESS_COUNT, "rows"));
    progress_update(NULL, 1, 0.5);
    assert_false(progress_due(NULL));
    progress_end(NULL);
}

static void test_strbuf_json(void **state)
{
    (void)state;
    strbuf sb = STRBUF_INIT;
    sb_add_json(&sb, "a\"b\\c\n\x01й");
    sb_adds(&sb, " ");
    sb_add_json(&sb, NULL);
    assert_string_equal(sb_str(&sb), "\"a\\\"b\\\\c\\n\\u0001й\" null");
    sb_free(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_layers),
        cmocka_unit_test(test_config_orgs),
        cmocka_unit_test(test_guid),
        cmocka_unit_test(test_strbuf_xml),
        cmocka_unit_test(test_xmlsafe_refuses_doctype),
        cmocka_unit_test(test_xmlsafe_errors_through_log),
        cmocka_unit_test(test_schema_examples),
        cmocka_unit_test(test_progress_line),
        cmocka_unit_test(test_strbuf_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
