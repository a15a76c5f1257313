/* Unit tests for the file store client (src/filestore/) over real HTTP:
 * tests/lib/fs_server hands every request to the simulator's file store
 * (sim_filestore_handle) and can inject a
 * connection reset, HTTP 503 or HashConflictException on chosen requests. */
#include "testutil.h"
#include "fs_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "filestore/filestore.h"
#include "proto/fs_proto.h"
#include "report/report.h"
#include "base/crypto.h"
#include "sim/sim_filestore.h"

#define PROVIDER "6f0b0a51-2e1c-4c34-9a9b-0c3c2e8d1a11"
#define PREFIX FS_SERVER_PREFIX

struct fixture {
    struct fs_server *srv;
    char *tmp, *url, *db;
    fs_client *c;
};

static fs_client *client(struct fixture *f, int first_part, int retries)
{
    struct fs_options o = {
        .url = f->url, .provider_header = "X-Upload-OrgPPAGUID", .provider_id = PROVIDER,
        .hash_first_part = first_part, .state_db = f->db,
        .transport = { .connect_timeout_s = 5, .timeout_s = 30, .retries = retries, .backoff_ms = 5,
                       .backoff_max_ms = 20 },
    };
    hcs_err err = { 0 };
    fs_client *c = fs_client_new(&o, &err);
    assert_non_null(c);
    return c;
}

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    f->srv = fs_server_start();
    f->tmp = tu_tmpdir();
    f->url = xasprintf("http://127.0.0.1:%d" PREFIX, f->srv->port);
    f->db = xasprintf("%s/state.db", f->tmp);
    f->c = client(f, 0, 4);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    fs_client_free(f->c);
    fs_server_stop(f->srv);
    free(f->tmp);
    free(f->url);
    free(f->db);
    free(f);
    return 0;
}

static char *make_file(struct fixture *f, const char *name, size_t n, unsigned seed, char **data)
{
    char *path = xasprintf("%s/%s", f->tmp, name);
    char *b = xmalloc(n ? n : 1);
    for (size_t i = 0; i < n; i++)
        b[i] = (char)((i * 2654435761u + seed) >> 11);
    tu_write(path, b, n);
    if (data)
        *data = b;
    else
        free(b);
    return path;
}

static void assert_gost(const char *data, size_t n, const char *hex)
{
    char want[2 * EVP_MAX_MD_SIZE + 1];
    hcs_err err = { 0 };
    assert_int_equal(crypto_digest_hex("md_gost94", data, n, want, &err), 0);
    assert_string_equal(hex, want);
}

static void assert_same_file(const char *path, const char *data, size_t n)
{
    hcs_err err = { 0 };
    size_t len = 0;
    char *got = file_read_all(path, n + 1, &len, &err);
    assert_non_null(got);
    assert_int_equal(len, n);
    assert_memory_equal(got, data, n);
    free(got);
}

static void test_small_roundtrip(void **state)
{
    struct fixture *f = *state;
    char *data;
    char *path = make_file(f, "Устав ТСЖ.pdf", 70000, 1, &data);
    struct fs_upload_result r;
    hcs_err err = { 0 };
    assert_int_equal(fs_upload(f->c, "homemanagement", path, NULL, &r, &err), 0);
    assert_int_equal(r.parts_total, 1);
    assert_gost(data, 70000, r.hash);
    char sim_hash[65];
    assert_int_equal(sim_filestore_lookup(f->srv->fs, r.guid, sim_hash), 1);
    assert_string_equal(sim_hash, r.hash);

    char *out = xasprintf("%s/back.pdf", f->tmp);
    struct fs_download_result d;
    assert_int_equal(fs_download(f->c, "homemanagement", r.guid, out, &d, &err), 0);
    assert_int_equal(d.size, 70000);
    assert_same_file(out, data, 70000);
    free(out);
    free(path);
    free(data);
}

static void test_refused_before_sending(void **state)
{
    struct fixture *f = *state;
    fs_server_reset_counts(f->srv);
    char *empty = make_file(f, "empty.pdf", 0, 0, NULL);
    char *exe = make_file(f, "tool.exe", 10, 0, NULL);
    struct fs_upload_result r;
    hcs_err err = { 0 };
    assert_int_equal(fs_upload(f->c, "homemanagement", empty, NULL, &r, &err), -1);
    assert_int_equal(err.code, HCS_EX_DATAERR);
    assert_non_null(strstr(err.msg, "empty"));
    assert_int_equal(fs_upload(f->c, "homemanagement", exe, NULL, &r, &err), -1);
    assert_int_equal(err.code, HCS_EX_DATAERR);
    assert_non_null(strstr(err.msg, "allowed extensions"));
    /* a name can make the same bytes acceptable */
    assert_int_equal(fs_upload(f->c, "homemanagement", exe, "tool.txt", &r, &err), 0);
    assert_int_equal(f->srv->requests, 1);
    /* GIS refusals come back with their exception name */
    assert_int_equal(fs_upload(f->c, "nosuchcontext", exe, "tool.txt", &r, &err), -1);
    assert_string_equal(r.gis_error, "ContextNotFoundException");
    assert_int_equal(err.code, HCS_EX_DATAERR);
    free(empty);
    free(exe);
}

static void test_exactly_5mb_single_put(void **state)
{
    struct fixture *f = *state;
    fs_server_reset_counts(f->srv);
    char *data;
    char *path = make_file(f, "five.zip", FS_PART_SIZE, 5, &data);
    struct fs_upload_result r;
    hcs_err err = { 0 };
    assert_int_equal(fs_upload(f->c, "bills", path, NULL, &r, &err), 0);
    assert_int_equal(r.parts_total, 1);
    assert_int_equal(f->srv->requests, 1);
    assert_gost(data, FS_PART_SIZE, r.hash);
    free(path);
    free(data);
}

/* 12 MB = 3 parts; request 3 (part 1) gets HashConflictException, request 5
 * (part 2) a connection reset, request 6 (the retry) a 503: all retried. */
static void test_multipart_with_faults(void **state)
{
    struct fixture *f = *state;
    fs_server_reset_counts(f->srv);
    f->srv->plan[2] = INJ_CONFLICT;    /* 1 = POST ?upload, 2 = part 1 */
    f->srv->plan[4] = INJ_RESET;       /* 3 = part 1 again, 4 = part 2 */
    f->srv->plan[5] = INJ_503;
    size_t n = 12 * 1024 * 1024;
    char *data;
    char *path = make_file(f, "Протокол.pdf", n, 9, &data);
    struct fs_upload_result r;
    hcs_err err = { 0 };
    assert_int_equal(fs_upload(f->c, "voting", path, NULL, &r, &err), 0);
    assert_int_equal(r.parts_total, 3);
    assert_int_equal(r.parts_sent, 3);
    assert_int_equal(f->srv->puts_ok, 3);
    assert_int_equal(f->srv->requests, 1 + 3 + 3 + 1);
    assert_gost(data, n, r.hash);
    char sim_hash[65];
    assert_int_equal(sim_filestore_lookup(f->srv->fs, r.guid, sim_hash), 1);
    assert_string_equal(sim_hash, r.hash);

    /* ranged download, resumed from a .part holding the first 5 MB */
    char *out = xasprintf("%s/back.pdf", f->tmp);
    char *part = xasprintf("%s.part", out);
    char *part_id = xasprintf("%s.id", part);
    /* a .part of another file is not continued */
    tu_write(part, data + 1, FS_PART_SIZE);
    tu_write_str(part_id, "00000000-0000-4000-8000-000000000000");
    struct fs_download_result d;
    assert_int_equal(fs_download(f->c, "voting", r.guid, out, &d, &err), 0);
    assert_int_equal(d.resumed_from, 0);
    assert_same_file(out, data, n);
    /* a .part of this file is */
    tu_write(part, data, FS_PART_SIZE);
    tu_write_str(part_id, r.guid);
    fs_server_reset_counts(f->srv);
    assert_int_equal(fs_download(f->c, "voting", r.guid, out, &d, &err), 0);
    assert_int_equal(d.resumed_from, FS_PART_SIZE);
    assert_int_equal(d.requests, 2);
    assert_same_file(out, data, n);
    assert_int_not_equal(stat(part_id, &(struct stat){ 0 }), 0);
    free(part_id);
    struct stat st;
    assert_int_not_equal(stat(part, &st), 0);
    free(part);
    free(out);
    free(path);
    free(data);
}

/* Parts 3.. fail for good: the call fails; the next call resumes and sends
 * only what GIS does not have. */
static void test_resume_sends_only_missing(void **state)
{
    struct fixture *f = *state;
    fs_server_reset_counts(f->srv);
    size_t n = 30 * 1024 * 1024;       /* 6 parts */
    char *data;
    char *path = make_file(f, "big.docx", n, 3, &data);
    f->srv->always = INJ_RESET;
    f->srv->always_from = 4;           /* POST, part 1, part 2 pass */
    fs_client *c = client(f, 0, 2);
    struct fs_upload_result r;
    hcs_err err = { 0 };
    assert_int_equal(fs_upload(c, "homemanagement", path, NULL, &r, &err), -1);
    assert_int_equal(err.code, HCS_EX_UNAVAILABLE);
    assert_int_equal(f->srv->puts_ok, 2);
    fs_client_free(c);

    fs_server_reset_counts(f->srv);
    c = client(f, 0, 2);               /* a new process, as after a crash */
    assert_int_equal(fs_upload(c, "homemanagement", path, NULL, &r, &err), 0);
    assert_int_equal(r.resumed, 1);
    assert_int_equal(r.parts_total, 6);
    assert_int_equal(r.parts_sent, 4);
    assert_int_equal(f->srv->heads, 1);
    assert_int_equal(f->srv->puts_ok, 4);
    assert_int_equal(f->srv->requests, 1 + 4 + 1);   /* HEAD, parts 3-6, completed */
    assert_gost(data, n, r.hash);
    char sim_hash[65];
    assert_int_equal(sim_filestore_lookup(f->srv->fs, r.guid, sim_hash), 1);
    assert_string_equal(sim_hash, r.hash);

    /* finished uploads are forgotten: the same file again is a fresh upload */
    fs_server_reset_counts(f->srv);
    struct fs_upload_result r2;
    assert_int_equal(fs_upload(c, "homemanagement", path, NULL, &r2, &err), 0);
    assert_int_equal(r2.resumed, 0);
    assert_string_not_equal(r2.guid, r.guid);
    fs_client_free(c);
    free(path);
    free(data);
}

static void test_first_part_scope_and_attach_once(void **state)
{
    struct fixture *f = *state;
    size_t n = 7 * 1024 * 1024;
    char *data;
    char *path = make_file(f, "scan.tiff", n, 4, &data);
    fs_client *c = client(f, 1, 3);
    fs_server_reset_counts(f->srv);
    struct fs_attachment a, b;
    hcs_err err = { 0 };
    assert_int_equal(filestore_attach(c, "inspection", path, NULL, &a, &err), 0);
    assert_int_equal(a.reused, 0);
    assert_gost(data, FS_PART_SIZE, a.hash);        /* first part only */
    long sent = f->srv->requests;
    assert_int_equal(filestore_attach(c, "inspection", path, "другое имя.tiff", &b, &err), 0);
    assert_int_equal(b.reused, 1);
    assert_string_equal(a.guid, b.guid);
    assert_string_equal(a.hash, b.hash);
    assert_int_equal(f->srv->requests, sent);       /* nothing sent */
    fs_client_free(c);
    /* the whole-file scope is another AttachmentHASH, hence another upload */
    assert_int_equal(filestore_attach(f->c, "inspection", path, NULL, &b, &err), 0);
    assert_int_equal(b.reused, 0);
    assert_gost(data, n, b.hash);
    free(path);
    free(data);
}

/* A part that never arrives intact: retried, then reported with its exception. */
static void test_persistent_hash_conflict(void **state)
{
    struct fixture *f = *state;
    fs_server_reset_counts(f->srv);
    f->srv->always = INJ_CONFLICT;
    f->srv->always_from = 1;
    char *path = make_file(f, "c.txt", 1000, 2, NULL);
    struct fs_upload_result r;
    hcs_err err = { 0 };
    assert_int_equal(fs_upload(f->c, "bills", path, NULL, &r, &err), -1);
    assert_int_equal(err.code, HCS_EX_UNAVAILABLE);
    assert_string_equal(r.gis_error, "HashConflictException");
    assert_int_equal(f->srv->requests, 4);          /* transport.retries attempts */
    fs_server_reset_counts(f->srv);
    free(path);
}

/* Files named in input rows: relative to the input file, never outside its folder. */
static void test_attach_cell_confined(void **state)
{
    struct fixture *f = *state;
    char *docs = xasprintf("%s/in/docs", f->tmp);
    char *cmd = xasprintf("mkdir -p '%s' && printf outside > '%s/outside.txt' && ln -sf '%s/outside.txt' '%s/in/evil.txt'",
                          docs, f->tmp, f->tmp, f->tmp);
    assert_int_equal(tu_run(cmd), 0);
    char *doc = xasprintf("%s/Протокол.pdf", docs);
    tu_write_str(doc, "minutes of the meeting");
    char *input = xasprintf("%s/in/accounts.csv", f->tmp);
    tu_write_str(input, "a;b\n");
    struct fs_attachment a;
    hcs_err err = { 0 };
    assert_int_equal(filestore_attach_cell(f->c, "voting", input, "docs\\Протокол.pdf", &a, &err), 0);
    assert_int_equal(strlen(a.guid), 36);
    assert_gost("minutes of the meeting", 22, a.hash);
    struct fs_attach_ctx actx = { f->c, "voting", 0, 0 };
    char g[37], h[65];
    assert_int_equal(filestore_attach_resolve(&actx, input, "docs/Протокол.pdf", g, h, &err), 0);
    assert_string_equal(g, a.guid);                 /* same content: reused */
    assert_string_equal(h, a.hash);
    assert_int_equal(actx.reused, 1);
    assert_int_equal(filestore_attach_resolve(&actx, input, "../outside.txt", g, h, &err), -1);
    static const char *const bad[] = { "../outside.txt", "/etc/hostname.txt", "evil.txt", "docs/../../outside.txt",
                                       "C:\\x.pdf", "missing.pdf", NULL };
    for (const char *const *b = bad; *b; b++) {
        assert_int_equal(filestore_attach_cell(f->c, "voting", input, *b, &a, &err), -1);
        assert_int_equal(err.code, HCS_EX_DATAERR);
    }
    free(cmd); free(doc); free(input); free(docs);
}

static void test_unreachable(void **state)
{
    struct fixture *f = *state;
    char *path = make_file(f, "x.txt", 10, 0, NULL);
    struct fs_options o = { .url = "http://127.0.0.1:1/rest/", .provider_header = "X-Upload-OrgPPAGUID",
                            .provider_id = PROVIDER,
                            .transport = { .connect_timeout_s = 2, .timeout_s = 5, .retries = 2, .backoff_ms = 1 } };
    hcs_err err = { 0 };
    fs_client *c = fs_client_new(&o, &err);
    struct fs_upload_result r;
    assert_int_equal(fs_upload(c, "bills", path, NULL, &r, &err), -1);
    assert_int_equal(err.code, HCS_EX_UNAVAILABLE);
    fs_client_free(c);
    o.provider_id = "not-a-guid";
    assert_null(fs_client_new(&o, &err));
    assert_int_equal(err.code, HCS_EX_CONFIG);
    free(path);
}

/* Every X-Upload-Error the file store sends has a Russian explanation for reports. */
static void test_error_explanations(void **state)
{
    (void)state;
    char *path = tu_path("templates/filestore-errors.csv");
    hcs_err err = { 0 };
    report_hints *h = report_hints_load(path, &err);
    assert_non_null(h);
    static const char *const codes[] = {
        "FieldValidationException", "InvalidSizeException", "HashConflictException",
        "ContextNotFoundException", "DetectionException", "FileNotFoundException",
        "InvalidStatusException", "InvalidPartNumberException", NULL
    };
    for (const char *const *c = codes; *c; c++) {
        const char *hint = report_hints_get(h, *c);
        assert_non_null(hint);
        assert_true(strlen(hint) > 40);
    }
    report_hints_free(h);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_roundtrip),
        cmocka_unit_test(test_refused_before_sending),
        cmocka_unit_test(test_exactly_5mb_single_put),
        cmocka_unit_test(test_multipart_with_faults),
        cmocka_unit_test(test_resume_sends_only_missing),
        cmocka_unit_test(test_first_part_scope_and_attach_once),
        cmocka_unit_test(test_persistent_hash_conflict),
        cmocka_unit_test(test_attach_cell_confined),
        cmocka_unit_test(test_unreachable),
        cmocka_unit_test(test_error_explanations),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
