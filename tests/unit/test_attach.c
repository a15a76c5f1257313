/* Unit tests for files named in input rows (template `file` converter,
 * convert_opts.attach, run/attach): the shipped
 * importMeteringDeviceData template with a fake callback (AttachmentType
 * filled, packet valid against the official XSD; a refused file rejects
 * its row only; a failing file store stops the file; no callback rejects
 * rows naming a file; nothing uploaded for a row bad anyway), then the
 * real callback (attach over filestore_attach_resolve) against the
 * simulator's file store behind tests/lib/fs_server: one upload
 * per distinct content, remembered across clients, and the run's pre-pass
 * answering the real conversion from memory. */
#include "testutil.h"
#include "convert_collect.h"
#include "convert_env.h"
#include "fs_server.h"
#include "xml_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "run/attach.h"
#include "packet/convert.h"
#include "sim/sim_filestore.h"
#include "soap/envelope.h"

#define ORG "c8f1d2e3-a4b5-4c6d-8e7f-9a0b1c2d3e4f"
#define H1 "cb7d56d2-735a-5f7e-9ddc-e1dce2b5813f"
#define P1 "47565e3b-ccd9-5157-b375-d7b337a56213"
#define A1 "923f2d37-bb17-5ecf-a189-fbf4bdd603fa"

static const char *HDR = "ФИАС дома;Заводской номер ПУ;Марка ПУ;Тип ПУ;Ресурс;Идентификатор помещения ГИС;"
                         "Идентификатор ЛС ГИС;Начальное показание;Файл поверки;Описание файла поверки\n";

/* one device row: serial, value, file cell, description */
static void row(strbuf *sb, const char *serial, const char *value, const char *file, const char *desc)
{
    sb_addf(sb, "%s;%s;Пульсар;индивидуальный;Холодная вода;%s;%s;%s;%s;%s\n", H1, serial, P1, A1, value,
            file, desc);
}


static char *tmp;
static hcs_config *cfg;
static schema_set *schemas;

static int setup(void **state)
{
    (void)state;
    tmp = tu_tmpdir();
    cfg = tu_convert_config(ORG);
    schemas = tu_schemas_open();
    hcs_err err = { 0 };
    cfg_set(cfg, "paths.work_dir", tmp, &err);
    cfg_set(cfg, "transport.retries", "2", &err);
    cfg_set(cfg, "transport.backoff_ms", "10", &err);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    schema_set_free(schemas);
    cfg_free(cfg);
    free(tmp);
    return 0;
}

static char *write_input(const char *name, const strbuf *sb)
{
    char *path = xasprintf("%s/%s", tmp, name);
    tu_write_str(path, sb_str(sb));
    return path;
}

/* ---- fake callback ---------------------------------------------------- */

struct fake {
    int calls;
    char cells[8][128];
    char input[512];
};

static int fake_attach(void *ctx, const char *input_file, const char *cell, char guid[37], char hash[65],
                       hcs_err *err)
{
    struct fake *f = ctx;
    snprintf(f->input, sizeof f->input, "%s", input_file);
    if (f->calls < 8)
        snprintf(f->cells[f->calls], sizeof f->cells[0], "%s", cell);
    f->calls++;
    if (strstr(cell, "missing"))
        return hcs_fail(err, HCS_EX_DATAERR, "attachment \"%s\": No such file or directory", cell);
    if (strstr(cell, "down"))
        return hcs_fail(err, HCS_EX_UNAVAILABLE, "file store unreachable");
    snprintf(guid, 37, "0f0e0d0c-0b0a-4909-8807-06050403020%d", f->calls % 10);
    snprintf(hash, 65, "%064d", f->calls);
    return 0;
}

static int convert(const char *path, convert_attach_fn attach, void *actx, struct collect *c,
                   struct convert_stats *st, hcs_err *err)
{
    struct convert_opts o = { .cfg = cfg, .template_name = "importMeteringDeviceData", .schemas = schemas,
                              .attach = attach, .attach_ctx = actx };
    struct convert_sink s = { c, collect_packet, collect_reject };
    return convert_file(&o, path, &s, st, err);
}

static void test_fake_fills_attachment(void **state)
{
    (void)state;
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, HDR);
    row(&sb, "ХВ-1", "1", "docs\\scan 1.pdf", "");
    row(&sb, "ХВ-2", "2", "docs/missing.pdf", "");
    row(&sb, "ХВ-3", "3", "", "");
    row(&sb, "ХВ-4", "4", "other.pdf", "Акт поверки");
    char *path = write_input("fake.csv", &sb);
    sb_free(&sb);
    struct fake f = { 0 };
    struct collect c = { 0 };
    struct convert_stats st;
    hcs_err err = { 0 };
    assert_int_equal(convert(path, fake_attach, &f, &c, &st, &err), 0);
    /* the callback saw every file cell as written, and the input file */
    assert_int_equal(f.calls, 3);
    assert_string_equal(f.cells[0], "docs\\scan 1.pdf");
    assert_string_equal(f.cells[1], "docs/missing.pdf");
    assert_string_equal(f.input, path);
    /* the missing file rejects its row only, with the reason */
    assert_int_equal(st.rows, 4);
    assert_int_equal(st.rows_rejected, 1);
    assert_int_equal(c.nr, 1);
    assert_int_equal(c.r[0].row, 3);
    assert_non_null(strstr(c.r[0].reason, "файл не загружен в ГИС ЖКХ"));
    assert_non_null(strstr(c.r[0].reason, "No such file"));
    /* one packet, schema-valid (validated by convert_file), three devices */
    assert_int_equal(c.np, 1);
    assert_int_equal(st.schema_rejected, 0);
    xmlDocPtr d = c.p[0]->doc;
    char *n = tu_xpath_str(d, "string(count(//hm:MeteringDevice))");
    assert_string_equal(n, "3");
    free(n);
    char *name = tu_xpath_str(d, "string(//hm:MeteringDevice[.//hm:MeteringDeviceNumber='ХВ-1']//hm:Certificate/base:Name)");
    char *desc = tu_xpath_str(d, "string(//hm:MeteringDevice[.//hm:MeteringDeviceNumber='ХВ-1']//hm:Certificate/base:Description)");
    char *guid = tu_xpath_str(d, "string(//hm:MeteringDevice[.//hm:MeteringDeviceNumber='ХВ-1']//hm:Certificate/base:Attachment/base:AttachmentGUID)");
    char *hash = tu_xpath_str(d, "string(//hm:MeteringDevice[.//hm:MeteringDeviceNumber='ХВ-1']//hm:Certificate/base:AttachmentHASH)");
    assert_string_equal(name, "scan 1.pdf");
    assert_string_equal(desc, "Свидетельство о поверке");
    assert_string_equal(guid, "0f0e0d0c-0b0a-4909-8807-060504030201");
    assert_string_equal(hash, "0000000000000000000000000000000000000000000000000000000000000001");
    free(name);
    free(desc);
    free(guid);
    free(hash);
    desc = tu_xpath_str(d, "string(//hm:MeteringDevice[.//hm:MeteringDeviceNumber='ХВ-4']//hm:Certificate/base:Description)");
    assert_string_equal(desc, "Акт поверки");
    free(desc);
    n = tu_xpath_str(d, "string(count(//hm:MeteringDevice[.//hm:MeteringDeviceNumber='ХВ-3']//hm:Certificate))");
    assert_string_equal(n, "0");
    free(n);
    collect_free(&c);
    free(path);
}

static void test_no_callback_and_bad_rows(void **state)
{
    (void)state;
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, HDR);
    row(&sb, "ХВ-1", "1", "scan.pdf", "");
    row(&sb, "ХВ-2", "x", "scan.pdf", "");      /* bad number: no upload for a rejected row */
    row(&sb, "ХВ-3", "3", "", "");
    char *path = write_input("nocb.csv", &sb);
    sb_free(&sb);
    struct collect c = { 0 };
    struct convert_stats st;
    hcs_err err = { 0 };
    assert_int_equal(convert(path, NULL, NULL, &c, &st, &err), 0);
    assert_int_equal(st.rows_rejected, 2);
    assert_int_equal(c.r[0].row, 2);
    assert_non_null(strstr(c.r[0].reason, "загрузка файлов не настроена"));
    assert_null(strstr(c.r[1].reason, "файл"));
    assert_int_equal(c.np, 1);
    collect_free(&c);

    struct fake f = { 0 };
    assert_int_equal(convert(path, fake_attach, &f, &c, &st, &err), 0);
    assert_int_equal(f.calls, 1);           /* row 3 (bad number) uploaded nothing */
    assert_int_equal(st.rows_rejected, 1);
    collect_free(&c);
    free(path);
}

static void test_store_down_stops_file(void **state)
{
    (void)state;
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, HDR);
    row(&sb, "ХВ-1", "1", "down.pdf", "");
    char *path = write_input("down.csv", &sb);
    sb_free(&sb);
    struct fake f = { 0 };
    struct collect c = { 0 };
    hcs_err err = { 0 };
    assert_int_equal(convert(path, fake_attach, &f, &c, NULL, &err), -1);
    assert_int_equal(err.code, HCS_EX_UNAVAILABLE);
    assert_non_null(strstr(err.msg, "file store unreachable"));
    assert_int_equal(c.np, 0);
    collect_free(&c);
    free(path);
}

/* ---- the real callback against the simulator's file store --------------- */

static void test_real_once_per_content(void **state)
{
    (void)state;
    struct fs_server *srv = fs_server_start();
    hcs_err err = { 0 };
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", srv->port);
    assert_int_equal(cfg_set(cfg, "gis.base_url", url, &err), 0);
    char *docs = xasprintf("%s/in", tmp);
    char *f1 = xasprintf("%s/in/a.pdf", tmp), *f2 = xasprintf("%s/in/a-copy.pdf", tmp),
         *f3 = xasprintf("%s/in/b.pdf", tmp), *f4 = xasprintf("%s/in/c.exe", tmp);
    char *mk = xasprintf("mkdir -p '%s'", docs);
    assert_int_equal(tu_run(mk), 0);
    free(mk);
    tu_write_str(f1, "%PDF-1.4 certificate A\n");
    tu_write_str(f2, "%PDF-1.4 certificate A\n");
    tu_write_str(f3, "%PDF-1.4 certificate B\n");
    tu_write_str(f4, "MZ");
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, HDR);
    row(&sb, "ХВ-1", "1", "a.pdf", "");
    row(&sb, "ХВ-2", "2", "a-copy.pdf", "");   /* same content: not sent again */
    row(&sb, "ХВ-3", "3", "b.pdf", "");
    row(&sb, "ХВ-4", "4", "a.pdf", "");        /* same cell again */
    row(&sb, "ХВ-5", "5", "c.exe", "");        /* refused before any request */
    row(&sb, "ХВ-6", "6", "../a.pdf", "");     /* out of the input folder */
    char *path = xasprintf("%s/in/meters.csv", tmp);
    tu_write_str(path, sb_str(&sb));
    sb_free(&sb);

    /* the run: setup + pre-pass outside the transaction, then the conversion */
    struct convert_opts o = { .cfg = cfg, .template_name = "importMeteringDeviceData", .schemas = schemas };
    struct attach a;
    assert_int_equal(attach_setup(&a, cfg, &o, NULL, &err), 1);
    assert_non_null(o.attach);
    assert_int_equal(attach_prepare(&a, &o, path, &err), 0);
    assert_int_equal(fs_server_puts_ok(srv), 2);
    assert_int_equal(a.actx.uploaded, 2);
    long before = fs_server_requests(srv);
    struct collect c = { 0 };
    struct convert_stats st;
    struct convert_sink s = { &c, collect_packet, collect_reject };
    assert_int_equal(convert_file(&o, path, &s, &st, &err), 0);
    assert_int_equal(fs_server_requests(srv), before);  /* answered from memory */
    assert_int_equal(st.rows_rejected, 2);
    assert_int_equal(c.r[0].row, 6);
    assert_non_null(strstr(c.r[0].reason, "не принимает файлы этого типа"));
    assert_int_equal(c.r[1].row, 7);
    assert_non_null(strstr(c.r[1].reason, ".."));
    assert_int_equal(c.np, 1);
    /* the guid written is one the file store knows, with its hash */
    char *g = tu_xpath_str(c.p[0]->doc, "string(//hm:MeteringDevice[.//hm:MeteringDeviceNumber='ХВ-2']//base:AttachmentGUID)");
    char *h = tu_xpath_str(c.p[0]->doc, "string(//hm:MeteringDevice[.//hm:MeteringDeviceNumber='ХВ-2']//base:AttachmentHASH)");
    char *g1 = tu_xpath_str(c.p[0]->doc, "string(//hm:MeteringDevice[.//hm:MeteringDeviceNumber='ХВ-1']//base:AttachmentGUID)");
    char *g3 = tu_xpath_str(c.p[0]->doc, "string(//hm:MeteringDevice[.//hm:MeteringDeviceNumber='ХВ-3']//base:AttachmentGUID)");
    char stored[65];
    assert_int_equal(sim_filestore_lookup(srv->fs, g, stored), 1);
    assert_string_equal(stored, h);
    assert_string_equal(g, g1);
    assert_string_not_equal(g, g3);
    free(g);
    free(h);
    free(g1);
    free(g3);
    collect_free(&c);
    attach_close(&a);

    /* a new client (next run): remembered in the state database, nothing sent */
    struct convert_opts o2 = { .cfg = cfg, .template_name = "importMeteringDeviceData", .schemas = schemas };
    assert_int_equal(attach_setup(&a, cfg, &o2, NULL, &err), 1);
    assert_int_equal(convert_file(&o2, path, &s, &st, &err), 0);
    assert_int_equal(fs_server_puts_ok(srv), 2);
    assert_int_equal(a.actx.uploaded, 0);
    assert_int_equal(a.actx.reused, 3);
    collect_free(&c);
    attach_close(&a);

    /* a template without file columns needs no file store */
    struct convert_opts o3 = { .cfg = cfg, .template_name = "importAccountData" };
    assert_int_equal(attach_setup(&a, cfg, &o3, NULL, &err), 0);
    assert_null(o3.attach);
    attach_close(&a);

    free(path);
    free(docs);
    free(f1);
    free(f2);
    free(f3);
    free(f4);
    fs_server_stop(srv);
}

static void test_setup_needs_base_url(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    hcs_config *c2 = cfg_load(NULL, &err);
    char *t = tu_path("templates");
    cfg_set(c2, "paths.templates_dir", t, &err);
    cfg_set(c2, "paths.work_dir", tmp, &err);
    cfg_set(c2, "gis.base_url", "", &err);
    free(t);
    struct convert_opts o = { .cfg = c2, .template_name = "importMeteringDeviceData" };
    struct attach a;
    assert_int_equal(attach_setup(&a, c2, &o, NULL, &err), -1);
    assert_int_equal(err.code, HCS_EX_CONFIG);
    assert_non_null(strstr(err.msg, "base_url"));
    assert_null(o.attach);
    attach_close(&a);
    cfg_free(c2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fake_fills_attachment),
        cmocka_unit_test(test_no_callback_and_bad_rows),
        cmocka_unit_test(test_store_down_stops_file),
        cmocka_unit_test(test_real_once_per_content),
        cmocka_unit_test(test_setup_needs_base_url),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
