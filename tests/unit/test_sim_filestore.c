/* Unit tests for the simulator's file store (src/sim/sim_filestore.c),
 * called directly: single PUT, multipart with HEAD and completion, ranged
 * download, every X-Upload-Error, and the GOST R 34.11-94 lookup.
 * Also the shared protocol helpers (src/proto/fs_proto.c). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"
#include "proto/fs_proto.h"
#include "base/crypto.h"
#include "sim/sim_filestore.h"

#define PROVIDER "6f0b0a51-2e1c-4c34-9a9b-0c3c2e8d1a11"

struct hdrs {
    const char *name[8];
    const char *value[8];
};

static const char *hdr_get(void *conn, const char *name)
{
    struct hdrs *h = conn;
    for (int i = 0; i < 8 && h->name[i]; i++)
        if (!strcasecmp(h->name[i], name))
            return h->value[i];
    return NULL;
}

static void hdr_set(struct hdrs *h, const char *name, const char *value)
{
    int i = 0;
    while (i < 7 && h->name[i] && strcasecmp(h->name[i], name))
        i++;
    h->name[i] = name;
    h->value[i] = value;
}

static const char *resp_header(const struct sim_http_response *r, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < 16 && r->headers[i]; i++)
        if (!strncasecmp(r->headers[i], name, n) && r->headers[i][n] == ':')
            return r->headers[i] + n + 2;
    return NULL;
}

struct call {
    struct hdrs h;
    char md5[25];
    struct sim_http_response resp;
};

static void call(sim_filestore *fs, struct call *c, const char *method, const char *path,
                 const char *query, const void *body, size_t len)
{
    struct sim_http_request req = { method, path, query, hdr_get, &c->h, body, len };
    sim_filestore_handle(fs, &req, &c->resp);
}

static void with_md5(struct call *c, const void *body, size_t len)
{
    unsigned char md[16];
    fs_md5(body, len, md);
    fs_md5_b64(md, c->md5);
    hdr_set(&c->h, "Content-MD5", c->md5);
}

static char *filled(size_t n, unsigned seed)
{
    char *b = xmalloc(n ? n : 1);
    for (size_t i = 0; i < n; i++)
        b[i] = (char)((i * 2654435761u + seed) >> 13);
    return b;
}

static void expect_error(struct call *c, const char *exception)
{
    assert_int_equal(c->resp.status, 400);
    const char *e = resp_header(&c->resp, "X-Upload-Error");
    assert_non_null(e);
    assert_string_equal(e, exception);
    sim_filestore_response_clear(&c->resp);
}

static void test_proto_helpers(void **state)
{
    (void)state;
    assert_true(fs_ext_allowed("Устав.PDF"));
    assert_true(fs_ext_allowed("a.b.xlsx"));
    assert_false(fs_ext_allowed("virus.exe"));
    assert_false(fs_ext_allowed("noext"));
    assert_false(fs_ext_allowed("dir.pdf/x"));
    char *enc = fs_rfc2047_encode("Протокол собрания.pdf");
    assert_true(!strncmp(enc, "=?utf-8?B?", 10));
    char *dec = fs_rfc2047_decode(enc);
    assert_string_equal(dec, "Протокол собрания.pdf");
    free(enc);
    free(dec);
    dec = fs_rfc2047_decode("=?UTF-8?Q?a_b=D0=AF?= =?utf-8?B?LnBkZg==?=");
    assert_string_equal(dec, "a bЯ.pdf");
    free(dec);
    dec = fs_rfc2047_decode("plain.txt");
    assert_string_equal(dec, "plain.txt");
    free(dec);
    assert_null(fs_rfc2047_decode("=?utf-8?B?***?="));
    assert_null(fs_rfc2047_decode("=?koi8-r?B?YQ==?="));
    unsigned char md[16], back[16];
    char b64[25];
    fs_md5("", 0, md);
    fs_md5_b64(md, b64);
    assert_string_equal(b64, "1B2M2Y8AsgTpgAmY7PhCfg==");
    assert_int_equal(fs_md5_parse(b64, back), 0);
    assert_memory_equal(md, back, 16);
    assert_int_equal(fs_md5_parse("d41d8cd98f00b204e9800998ecf8427e", back), -1);
    assert_int_equal(fs_part_count(12 * 1024 * 1024, FS_PART_SIZE), 3);
    assert_int_equal(fs_part_count(FS_PART_SIZE, FS_PART_SIZE), 1);
}

static void test_single_put_and_download(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    sim_filestore *fs = sim_filestore_open(dir);
    assert_non_null(fs);
    size_t len = 100000;
    char *body = filled(len, 7);
    char *name = fs_rfc2047_encode("Устав.pdf");
    struct call c = { 0 };
    hdr_set(&c.h, "X-Upload-OrgPPAGUID", PROVIDER);
    hdr_set(&c.h, "X-Upload-Filename", name);
    with_md5(&c, body, len);
    call(fs, &c, "PUT", "homemanagement", "", body, len);
    assert_int_equal(c.resp.status, 200);
    char id[64];
    snprintf(id, sizeof id, "%s", resp_header(&c.resp, "X-Upload-UploadID"));
    assert_int_equal(strlen(id), 36);
    sim_filestore_response_clear(&c.resp);

    /* whole and ranged download */
    char path[128];
    snprintf(path, sizeof path, "homemanagement/%s", id);
    struct call g = { 0 };
    call(fs, &g, "GET", path, "getfile", NULL, 0);
    assert_int_equal(g.resp.status, 200);
    assert_int_equal(g.resp.body_len, len);
    assert_memory_equal(g.resp.body, body, len);
    sim_filestore_response_clear(&g.resp);
    hdr_set(&g.h, "Range", "bytes=10-19");
    call(fs, &g, "GET", path, "getfile", NULL, 0);
    assert_int_equal(g.resp.status, 206);
    assert_int_equal(g.resp.body_len, 10);
    assert_memory_equal(g.resp.body, body + 10, 10);
    assert_string_equal(resp_header(&g.resp, "Content-Range"), "bytes 10-19/100000");
    sim_filestore_response_clear(&g.resp);
    hdr_set(&g.h, "Range", "bytes=200000-");
    call(fs, &g, "GET", path, "getfile", NULL, 0);
    assert_int_equal(g.resp.status, 416);
    sim_filestore_response_clear(&g.resp);

    /* the wrong context does not see it */
    snprintf(path, sizeof path, "bills/%s", id);
    call(fs, &g, "GET", path, "getfile", NULL, 0);
    expect_error(&g, "FileNotFoundException");

    /* lookup: the GOST R 34.11-94 hash of the whole file */
    char want[2 * EVP_MAX_MD_SIZE + 1], got[65];
    hcs_err err = { 0 };
    assert_int_equal(crypto_digest_hex("md_gost94", body, len, want, &err), 0);
    assert_int_equal(sim_filestore_lookup(fs, id, got), 1);
    assert_string_equal(got, want);
    assert_int_equal(sim_filestore_lookup(fs, "00000000-0000-4000-8000-000000000000", got), 0);
    assert_int_equal(sim_filestore_lookup(fs, "../../etc/passwd", got), 0);

    /* a restarted simulator still has it (hash kept on disk) */
    sim_filestore_free(fs);
    fs = sim_filestore_open(dir);
    memset(got, 0, sizeof got);
    assert_int_equal(sim_filestore_lookup(fs, id, got), 1);
    assert_string_equal(got, want);

    sim_filestore_free(fs);
    free(name);
    free(body);
    free(dir);
}

static void test_single_put_errors(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    sim_filestore *fs = sim_filestore_open(dir);
    char *body = filled(FS_SINGLE_MAX + 1, 3);
    char *name = fs_rfc2047_encode("a.pdf");
    char *exe = fs_rfc2047_encode("a.exe");
    struct call c = { 0 };

    call(fs, &c, "PUT", "homemanagement", "", body, 10);
    expect_error(&c, "FieldValidationException");               /* no provider */
    hdr_set(&c.h, "X-Upload-OrgPPAGUID", PROVIDER);
    call(fs, &c, "PUT", "homemanagement", "", body, 10);
    expect_error(&c, "FieldValidationException");               /* no file name */
    hdr_set(&c.h, "X-Upload-Filename", exe);
    with_md5(&c, body, 10);
    call(fs, &c, "PUT", "homemanagement", "", body, 10);
    expect_error(&c, "DetectionException");
    hdr_set(&c.h, "X-Upload-Filename", name);
    call(fs, &c, "PUT", "nosuchcontext", "", body, 10);
    expect_error(&c, "ContextNotFoundException");
    call(fs, &c, "PUT", "homemanagement", "", body, 11);        /* MD5 of 10 bytes */
    expect_error(&c, "HashConflictException");
    with_md5(&c, body, 0);
    call(fs, &c, "PUT", "homemanagement", "", body, 0);
    expect_error(&c, "InvalidSizeException");
    with_md5(&c, body, FS_SINGLE_MAX + 1);
    call(fs, &c, "PUT", "homemanagement", "", body, FS_SINGLE_MAX + 1);
    expect_error(&c, "InvalidSizeException");
    hdr_set(&c.h, "Content-MD5", "not-md5");
    call(fs, &c, "PUT", "homemanagement", "", body, 10);
    expect_error(&c, "FieldValidationException");
    /* exactly 5 MB is still one PUT */
    with_md5(&c, body, FS_SINGLE_MAX);
    call(fs, &c, "PUT", "homemanagement", "", body, FS_SINGLE_MAX);
    assert_int_equal(c.resp.status, 200);
    sim_filestore_response_clear(&c.resp);

    sim_filestore_free(fs);
    free(name);
    free(exe);
    free(body);
    free(dir);
}

/* The real file store requires X-Upload-OrgPPAGUID: the older
 * X-Upload-Dataprovider alone is refused unless the simulator runs in
 * legacy mode. */
static void test_legacy_provider_header(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    sim_filestore *fs = sim_filestore_open(dir);
    char *body = filled(100, 5);
    char *name = fs_rfc2047_encode("a.pdf");
    struct call c = { 0 };
    hdr_set(&c.h, "X-Upload-Dataprovider", PROVIDER);
    hdr_set(&c.h, "X-Upload-Filename", name);
    with_md5(&c, body, 100);
    call(fs, &c, "PUT", "homemanagement", "", body, 100);
    assert_non_null(strstr(c.resp.body, "--legacy-upload-header"));
    expect_error(&c, "FieldValidationException");
    call(fs, &c, "POST", "homemanagement/", "upload", NULL, 0);
    expect_error(&c, "FieldValidationException");
    sim_filestore_set_legacy_header(fs, 1);
    call(fs, &c, "PUT", "homemanagement", "", body, 100);
    assert_int_equal(c.resp.status, 200);
    sim_filestore_response_clear(&c.resp);
    sim_filestore_free(fs);
    free(name);
    free(body);
    free(dir);
}

static void test_multipart(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    sim_filestore *fs = sim_filestore_open(dir);
    size_t len = 12 * 1024 * 1024;                 /* 3 parts: 5 MB, 5 MB, 2 MB */
    char *body = filled(len, 11);
    char *name = fs_rfc2047_encode("Договор управления.docx");
    struct call c = { 0 };
    hdr_set(&c.h, "X-Upload-OrgPPAGUID", PROVIDER);
    hdr_set(&c.h, "X-Upload-Filename", name);
    hdr_set(&c.h, "X-Upload-Length", "12582912");
    hdr_set(&c.h, "X-Upload-Part-Count", "2");
    call(fs, &c, "POST", "agreements/", "upload", NULL, 0);
    expect_error(&c, "InvalidPartNumberException");
    hdr_set(&c.h, "X-Upload-Length", "1073741825");
    hdr_set(&c.h, "X-Upload-Part-Count", "205");
    call(fs, &c, "POST", "agreements/", "upload", NULL, 0);
    expect_error(&c, "InvalidSizeException");
    hdr_set(&c.h, "X-Upload-Length", "12582912");
    hdr_set(&c.h, "X-Upload-Part-Count", "3");
    call(fs, &c, "POST", "agreements/", "upload", NULL, 0);
    assert_int_equal(c.resp.status, 200);
    char id[64], path[128];
    snprintf(id, sizeof id, "%s", resp_header(&c.resp, "X-Upload-UploadID"));
    snprintf(path, sizeof path, "agreements/%s", id);
    sim_filestore_response_clear(&c.resp);

    struct call p = { 0 };
    /* part 3 first (order is free), then errors, then 1 */
    hdr_set(&p.h, "X-Upload-Partnumber", "3");
    with_md5(&p, body + 2 * FS_PART_SIZE, len - 2 * FS_PART_SIZE);
    call(fs, &p, "PUT", path, "", body + 2 * FS_PART_SIZE, len - 2 * FS_PART_SIZE);
    assert_int_equal(p.resp.status, 200);
    assert_non_null(strstr(p.resp.note, "part=3"));
    sim_filestore_response_clear(&p.resp);
    hdr_set(&p.h, "X-Upload-Partnumber", "4");
    call(fs, &p, "PUT", path, "", body, FS_PART_SIZE);
    expect_error(&p, "InvalidPartNumberException");
    hdr_set(&p.h, "X-Upload-Partnumber", "one");
    call(fs, &p, "PUT", path, "", body, FS_PART_SIZE);
    expect_error(&p, "FieldValidationException");
    hdr_set(&p.h, "X-Upload-Partnumber", "1");
    with_md5(&p, body, FS_PART_SIZE - 1);
    call(fs, &p, "PUT", path, "", body, FS_PART_SIZE - 1);
    expect_error(&p, "InvalidSizeException");                 /* not the last: exactly 5 MB */
    with_md5(&p, body + 1, FS_PART_SIZE);
    call(fs, &p, "PUT", path, "", body, FS_PART_SIZE);
    expect_error(&p, "HashConflictException");
    with_md5(&p, body, FS_PART_SIZE);
    call(fs, &p, "PUT", path, "", body, FS_PART_SIZE);
    assert_int_equal(p.resp.status, 200);
    sim_filestore_response_clear(&p.resp);
    call(fs, &p, "PUT", "agreements/00000000-0000-4000-8000-000000000000", "", body, FS_PART_SIZE);
    expect_error(&p, "FileNotFoundException");

    /* HEAD tells what arrived; completion refuses while part 2 is missing */
    struct call h = { 0 };
    call(fs, &h, "HEAD", path, "", NULL, 0);
    assert_int_equal(h.resp.status, 200);
    assert_string_equal(resp_header(&h.resp, "X-Upload-Completed-Parts"), "1,3");
    assert_string_equal(resp_header(&h.resp, "X-Upload-Completed"), "false");
    sim_filestore_response_clear(&h.resp);
    call(fs, &h, "POST", path, "completed", NULL, 0);
    expect_error(&h, "InvalidStatusException");
    call(fs, &h, "GET", path, "getfile", NULL, 0);
    expect_error(&h, "InvalidStatusException");

    hdr_set(&p.h, "X-Upload-Partnumber", "2");
    with_md5(&p, body + FS_PART_SIZE, FS_PART_SIZE);
    call(fs, &p, "PUT", path, "", body + FS_PART_SIZE, FS_PART_SIZE);
    assert_int_equal(p.resp.status, 200);
    sim_filestore_response_clear(&p.resp);
    call(fs, &h, "POST", path, "completed", NULL, 0);
    assert_int_equal(h.resp.status, 200);
    sim_filestore_response_clear(&h.resp);
    call(fs, &h, "POST", path, "completed", NULL, 0);
    expect_error(&h, "InvalidStatusException");
    call(fs, &p, "PUT", path, "", body + FS_PART_SIZE, FS_PART_SIZE);
    expect_error(&p, "InvalidStatusException");
    call(fs, &h, "HEAD", path, "", NULL, 0);
    assert_string_equal(resp_header(&h.resp, "X-Upload-Completed-Parts"), "1,2,3");
    assert_string_equal(resp_header(&h.resp, "X-Upload-Completed"), "true");
    assert_string_equal(resp_header(&h.resp, "X-Upload-Length"), "12582912");
    sim_filestore_response_clear(&h.resp);

    /* ranged download of every part equals the original; whole GET is refused above 5 MB */
    call(fs, &h, "GET", path, "getfile", NULL, 0);
    expect_error(&h, "InvalidSizeException");
    for (size_t off = 0; off < len; off += FS_PART_SIZE) {
        char range[64];
        size_t end = off + FS_PART_SIZE < len ? off + FS_PART_SIZE : len;
        snprintf(range, sizeof range, "bytes=%zu-%zu", off, end - 1);
        hdr_set(&h.h, "Range", range);
        call(fs, &h, "GET", path, "getfile", NULL, 0);
        assert_int_equal(h.resp.status, 206);
        assert_int_equal(h.resp.body_len, end - off);
        assert_memory_equal(h.resp.body, body + off, end - off);
        sim_filestore_response_clear(&h.resp);
    }

    char want[2 * EVP_MAX_MD_SIZE + 1], got[65];
    hcs_err err = { 0 };
    assert_int_equal(crypto_digest_hex("md_gost94", body, len, want, &err), 0);
    assert_int_equal(sim_filestore_lookup(fs, id, got), 1);
    assert_string_equal(got, want);

    sim_filestore_free(fs);
    free(name);
    free(body);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_proto_helpers),
        cmocka_unit_test(test_single_put_and_download),
        cmocka_unit_test(test_single_put_errors),
        cmocka_unit_test(test_legacy_provider_header),
        cmocka_unit_test(test_multipart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
