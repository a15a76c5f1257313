/* Unit tests for local keys: the comparison form (base/keynorm), the
 * registry functions of src/store/store_registry.c, and the shipped
 * templates resolving every key kind through a registry filled with
 * store_registry_put — from CSV and from XLSX — with unknown keys rejected
 * per row in Russian; group keys that spell one GUID two ways. */
#include "testutil.h"
#include "convert_collect.h"
#include "sim_ask.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/xpath.h>
#include <xlsxwriter.h>

#include "base/config.h"
#include "base/keynorm.h"
#include "base/xalloc.h"
#include "packet/convert.h"
#include "soap/export_parse.h"
#include "soap/export_request.h"
#include "store/store.h"

#define ORG "c8f1d2e3-a4b5-4c6d-8e7f-9a0b1c2d3e4f"
#define HOUSE "b5a7f2c1-3d4e-4f5a-8b6c-7d8e9f0a1b2c"
#define HOUSE_UP "{B5A7F2C1-3D4E-4F5A-8B6C-7D8E9F0A1B2C}"
#define PREM_5A "3f2c7f0e-5d3b-4c1e-9a7b-2b8e6d4f1a90"
#define PREM_N1 "7c9e6679-7425-40de-944b-e07fc1f90ae7"
#define ROOM_N1_2 "1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b"
#define ORG_VERSION "6fa459ea-ee8a-4ca4-894e-db77e160355e"
#define METER_E "44444444-4444-4444-8444-444444444444"
#define METER_W "55555555-5555-4555-8555-555555555555"
#define NSI_CONCIERGE "0d7b3dcb-3b7d-4bad-9bdd-2b0d7b3dcb6d"
#define ACCOUNT "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"

static char *dir;
static hcs_config *cfg;
static schema_set *xsd;
static store *reg;

static void put(const char *kind, const char *const *parts, int n, const char *guid,
                const char *unique_number)
{
    hcs_err err = { 0 };
    char *key = store_registry_key(parts, n);
    struct store_registry_entry e = { .kind = (char *)kind, .local_key = key, .guid = (char *)guid,
                                      .unique_number = (char *)unique_number };
    assert_int_equal(store_registry_put_key(reg, &e, &err), 0);
    free(key);
}

static int setup(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    dir = tu_tmpdir();
    cfg = cfg_load(NULL, &err);
    char *templates = tu_path("templates"), *nsi = tu_path("samples/world/nsi");
    assert_int_equal(cfg_set(cfg, "paths.templates_dir", templates, &err), 0);
    assert_int_equal(cfg_set(cfg, "paths.nsi_dir", nsi, &err), 0);
    assert_int_equal(cfg_set(cfg, "gis.org_ppa_guid", ORG, &err), 0);
    free(templates);
    free(nsi);
    xsd = schema_set_open(tu_schemas_dir(), &err);
    char *db = xasprintf("%s/state.db", dir);
    reg = store_open_sqlite(db, 1000, &err);
    free(db);
    if (!xsd || !reg)
        fail_msg("%s", err.msg);
    /* as the exports write them (spelled as GIS or the accountant might) */
    put(REG_PREMISES, (const char *[]){ HOUSE, "5А" }, 2, PREM_5A, NULL);
    put(REG_PREMISES, (const char *[]){ HOUSE, "H1" }, 2, PREM_N1, NULL);      /* Latin H */
    put(REG_ROOM, (const char *[]){ HOUSE, "Н1", "2" }, 3, ROOM_N1_2, NULL);
    put(REG_ORG, (const char *[]){ "1027700132195" }, 1, ORG_VERSION, NULL);
    put(REG_METER, (const char *[]){ "Э-1" }, 1, METER_E, NULL);
    put(REG_METER_KIND, (const char *[]){ "Э-1" }, 1, "electric", NULL);
    /* ХВ-2: a device of this house, and another one of that serial elsewhere */
    put(REG_METER, (const char *[]){ HOUSE, "ХВ-2" }, 2, METER_W, NULL);
    put(REG_METER_KIND, (const char *[]){ HOUSE, "ХВ-2" }, 2, "onerate", NULL);
    put(REG_METER, (const char *[]){ "ХВ-2" }, 1, "66666666-6666-4666-8666-666666666666", NULL);
    put(REG_METER_KIND, (const char *[]){ "ХВ-2" }, 1, "volume", NULL);
    put(REG_ACCOUNT, (const char *[]){ "ЛС 777" }, 1, ACCOUNT, NULL);
    put(REG_PAYMENT_DOCUMENT, (const char *[]){ "ЛС 777", "ПД-3", "2026-11" }, 3,
        "2b8e6d4f-1a90-4c1e-9a7b-3f2c7f0e5d3b", "76АБ000100-01-1126");
    /* an organisation's own service the sample dictionary files lack */
    put(REG_NSI, (const char *[]){ "1", "Консьерж" }, 2, NSI_CONCIERGE, "77");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    store_close(reg);
    schema_set_free(xsd);
    cfg_free(cfg);
    free(dir);
    return 0;
}

static int resolve_in_store(void *ctx, const char *kind, const char *key, char guid[37])
{
    hcs_err err = { 0 };
    return store_registry_answer(ctx, kind, key, guid, &err);
}

static int count(xmlDocPtr doc, const char *xpath)
{
    xmlXPathContextPtr x = xmlXPathNewContext(doc);
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST xpath, x);
    int n = o && o->nodesetval ? o->nodesetval->nodeNr : -1;
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(x);
    return n;
}

/* Converts a file with the template, resolving through the registry. */
static void convert_path(const char *tname, const char *path, store *registry, struct collect *c,
                         struct convert_stats *st)
{
    hcs_err err = { 0 };
    struct convert_opts o = { .cfg = cfg, .template_name = tname, .schemas = xsd,
                              .resolve = resolve_in_store, .resolve_ctx = registry };
    struct convert_sink s = { c, collect_packet, collect_reject };
    if (convert_file(&o, path, &s, st, &err) != 0)
        fail_msg("%s: %s", path, err.msg);
}

enum input { CSV, XLSX };

/* Writes rows (cells separated by ';', header first) as CSV or as an XLSX
 * sheet of strings, then converts it with the template. */
static void convert_rows(const char *tname, enum input in, const char *const *rows,
                         struct collect *c, struct convert_stats *st)
{
    char *path = xasprintf("%s/%s.%s", dir, tname, in == CSV ? "csv" : "xlsx");
    if (in == CSV) {
        strbuf sb = STRBUF_INIT;
        for (size_t r = 0; rows[r]; r++)
            sb_addf(&sb, "%s\n", rows[r]);
        tu_write_str(path, sb_str(&sb));
        sb_free(&sb);
    } else {
        lxw_workbook *wb = workbook_new(path);
        lxw_worksheet *ws = workbook_add_worksheet(wb, "Лист1");
        for (size_t r = 0; rows[r]; r++) {
            char *line = xstrdup(rows[r]);
            lxw_col_t col = 0;
            for (char *p = line, *cell; (cell = strsep(&p, ";")) != NULL; col++)
                if (*cell)
                    worksheet_write_string(ws, (lxw_row_t)r, col, cell, NULL);
            free(line);
        }
        assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    }
    convert_path(tname, path, reg, c, st);
    free(path);
}

static void test_key_comparison_form(void **state)
{
    (void)state;
    static const char *same[][2] = {
        { "{B5A7F2C1-3D4E-4F5A-8B6C-7D8E9F0A1B2C}", HOUSE },
        { "  кв.   5а ", "кв. 5А" },
        { "№ 12", "12" },
        { "№12", "12" },
        { "Ёлкин", "елкин" },
        { "5A", "5а" },               /* Latin A in a premises number */
        { "H1", "Н1" },               /* Latin H */
        { HOUSE_UP "| 5а |2", HOUSE "|5А|2" },
        { "ЛС\xC2\xA0" "777", "лс 777" },
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        char *a = key_norm(same[i][0]), *b = key_norm(same[i][1]);
        assert_string_equal(a, b);
        free(a);
        free(b);
    }
    char *serial = key_norm("SN-ABC123");   /* a Latin serial stays Latin */
    assert_string_equal(serial, "sn-abc123");
    free(serial);
    char *key = store_registry_key((const char *[]){ HOUSE_UP, "кв|5" }, 2);
    assert_string_equal(key, HOUSE "|кв 5");   /* a '|' inside a part cannot shift the parts */
    free(key);
}

static int list_count(void *ctx, const struct store_registry_entry *e)
{
    int *n = ctx;
    (*n)++;
    assert_string_equal(e->kind, REG_METER);
    return 0;
}

static void test_registry_find_list_answer(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    struct store_registry_entry e = { 0 };
    assert_int_equal(store_registry_find(reg, REG_PREMISES, HOUSE_UP "|5а", &e, &err), 1);
    assert_string_equal(e.guid, PREM_5A);
    store_registry_clear(&e);
    /* an entry stored verbatim (an import result) is still found as written */
    struct store_registry_entry raw = { .kind = REG_ACCOUNT, .local_key = "AB-1", .guid = ACCOUNT };
    assert_int_equal(store_registry_put(reg, &raw, &err), 0);
    assert_int_equal(store_registry_find(reg, REG_ACCOUNT, "AB-1", &e, &err), 1);
    store_registry_clear(&e);
    int n = 0;
    assert_int_equal(store_registry_list(reg, REG_METER, list_count, &n, &err), 0);
    assert_int_equal(n, 3);
    char out[37];
    assert_int_equal(store_registry_answer(reg, "payment_document.unique_number",
                                           "ЛС 777|ПД-3|2026-11", out, &err), 1);
    assert_string_equal(out, "76АБ000100-01-1126");
    assert_int_equal(store_registry_answer(reg, "meter_kind", "э-1", out, &err), 1);
    assert_string_equal(out, "electric");
    assert_int_equal(store_registry_answer(reg, "meter", "Х-9", out, &err), 0);
    assert_int_equal(store_registry_answer(reg, "meter.colour", "Э-1", out, &err), -1);
}

static const char *reason_of_row(const struct collect *c, long row)
{
    for (int i = 0; i < c->nr; i++)
        if (c->r[i].row == row)
            return c->r[i].reason;
    return NULL;
}

static void accounts_by_local_keys(enum input in)
{
    static const char *rows[] = {
        "Номер ЛС;ФИАС дома;Номер помещения;Номер комнаты;Фамилия;Имя;ОГРН плательщика",
        "001;" HOUSE_UP ";5а;;Иванов;Иван;",
        "002;" HOUSE ";№ Н1;2;Петров;Пётр;",
        "003;" HOUSE ";H1;;;;1027700132195",
        "004;" HOUSE ";999;;Сидоров;Сидор;",
        "005;" HOUSE ";5А;;;;1027700000008",
        "лс  777;" HOUSE ";;;Ким;Ли;",              /* a known account (as «ЛС 777»): an update */
        NULL
    };
    struct collect c = { 0 };
    struct convert_stats st;
    convert_rows("importAccountData", in, rows, &c, &st);
    assert_int_equal(c.np, 1);
    xmlDocPtr doc = c.p[0]->doc;
    assert_int_equal(c.p[0]->nelements, 4);
    /* only the known account carries its AccountGUID; the others are new */
    assert_int_equal(count(doc, "//*[local-name()='AccountGUID']"), 1);
    assert_int_equal(count(doc, "//*[local-name()='Account'][*[local-name()='AccountNumber']='лс  777']"
                                "/*[local-name()='AccountGUID'][.='" ACCOUNT "']"), 1);
    assert_int_equal(count(doc, "//*[local-name()='Accommodation']/*[local-name()='PremisesGUID'][.='" PREM_5A "']"), 1);
    assert_int_equal(count(doc, "//*[local-name()='Accommodation']/*[local-name()='LivingRoomGUID'][.='" ROOM_N1_2 "']"), 1);
    assert_int_equal(count(doc, "//*[local-name()='Accommodation']/*[local-name()='PremisesGUID'][.='" PREM_N1 "']"), 1);
    assert_int_equal(count(doc, "//*[local-name()='orgVersionGUID'][.='" ORG_VERSION "']"), 1);
    assert_int_equal(c.nr, 2);
    const char *why = reason_of_row(&c, 5);
    assert_non_null(why);
    assert_non_null(strstr(why, "нет идентификатора ГИС: помещение 999 не найдено в доме"));
    why = reason_of_row(&c, 6);
    assert_non_null(why);
    assert_non_null(strstr(why, "организация с ОГРН 1027700000008 не найдена"));
    collect_free(&c);
}

static void readings_by_serial(enum input in)
{
    static const char *rows[] = {
        "ФИАС дома;Заводской номер ПУ;Ресурс;Показание;Показание Т1;Дата снятия",
        HOUSE ";э-1;;;100;25.10.2026",              /* electric: the registry's kind */
        HOUSE ";№ ХВ-2;Холодная вода;12,5;;25.10.2026",
        HOUSE ";Х-9;Холодная вода;1;;25.10.2026",
        NULL
    };
    struct collect c = { 0 };
    struct convert_stats st;
    convert_rows("importMeteringDeviceValues", in, rows, &c, &st);
    assert_int_equal(c.np, 1);
    xmlDocPtr doc = c.p[0]->doc;
    assert_int_equal(count(doc, "//*[*[local-name()='MeteringDeviceRootGUID']='" METER_E "']/*[local-name()='ElectricDeviceValue']"), 1);
    /* the device of this house and its kind, not the one of that serial elsewhere */
    assert_int_equal(count(doc, "//*[*[local-name()='MeteringDeviceRootGUID']='" METER_W "']/*[local-name()='OneRateDeviceValue']"), 1);
    assert_int_equal(c.nr, 1);
    assert_non_null(strstr(reason_of_row(&c, 4), "прибор учёта с заводским номером Х-9 не найден"));
    collect_free(&c);
}

static void bills_and_withdraw_by_account(enum input in)
{
    static const char *bills[] = {
        "Период;Номер ЛС;Номер ПД;БИК;Расчётный счёт;Вид услуги;Услуга;Тариф;К оплате",
        "11.2026;лс  777;ПД-3;044525225;40702810938000012345;дополнительная;домофон;45;45",
        "11.2026;ЛС 778;ПД-4;044525225;40702810938000012345;дополнительная;домофон;45;45",
        "11.2026;ЛС 777;ПД-3;044525225;40702810938000012345;дополнительная;консьерж ;30;30",
        NULL
    };
    struct collect c = { 0 };
    struct convert_stats st;
    convert_rows("importPaymentDocumentData", in, bills, &c, &st);
    assert_int_equal(c.np, 1);
    assert_int_equal(count(c.p[0]->doc, "//*[local-name()='AccountGuid'][.='" ACCOUNT "']"), 1);
    /* НСИ 1 by name through the registry: its code and GUID */
    assert_int_equal(count(c.p[0]->doc, "//*[*[local-name()='Code']='77'][*[local-name()='GUID']='" NSI_CONCIERGE "']"), 1);
    assert_int_equal(c.nr, 1);
    assert_non_null(strstr(reason_of_row(&c, 3), "лицевой счёт ЛС 778 не найден"));
    collect_free(&c);

    static const char *withdraw[] = {
        "Номер ЛС;Номер ПД;Период",
        "ЛС 777;пд-3;11.2026",
        "ЛС 777;ПД-3;10.2026",
        NULL
    };
    convert_rows("importPaymentDocumentData-withdraw", in, withdraw, &c, &st);
    assert_int_equal(c.np, 1);
    assert_int_equal(count(c.p[0]->doc, "//*[local-name()='PaymentDocumentID'][.='76АБ000100-01-1126']"), 1);
    assert_int_equal(c.nr, 1);
    assert_non_null(strstr(reason_of_row(&c, 3), "платёжный документ ПД-3 по ЛС ЛС 777 за 2026-10 не найден"));
    collect_free(&c);
}

static void test_local_keys_csv(void **state)
{
    (void)state;
    accounts_by_local_keys(CSV);
    readings_by_serial(CSV);
    bills_and_withdraw_by_account(CSV);
}

static void test_local_keys_xlsx(void **state)
{
    (void)state;
    accounts_by_local_keys(XLSX);
    readings_by_serial(XLSX);
    bills_and_withdraw_by_account(XLSX);
}

/* One document whose rows spell the account GUID in upper case and in
 * braces is one PaymentDocument, not two. */
static void test_group_key_spellings(void **state)
{
    (void)state;
    static const char *rows[] = {
        "Период;Идентификатор ЛС ГИС;Номер ПД;БИК;Расчётный счёт;Вид услуги;Услуга;Тариф;К оплате",
        "11.2026;" ACCOUNT ";ПД-9;044525225;40702810938000012345;дополнительная;домофон;45;45",
        "11.2026;9B1DEB4D-3B7D-4BAD-9BDD-2B0D7B3DCB6D;ПД-9;044525225;40702810938000012345;дополнительная;домофон;10;10",
        "11.2026;{9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d};пд-9 ;044525225;40702810938000012345;дополнительная;домофон;5;5",
        NULL
    };
    struct collect c = { 0 };
    struct convert_stats st;
    convert_rows("importPaymentDocumentData", CSV, rows, &c, &st);
    assert_int_equal(c.nr, 0);
    assert_int_equal(c.np, 1);
    assert_int_equal(c.p[0]->nelements, 1);
    assert_int_equal(count(c.p[0]->doc, "//*[local-name()='PaymentDocument']/*[local-name()='ChargeInfo']"), 3);
    collect_free(&c);
}

/* НСИ answers of the registry are remembered per file: a service named on
 * every row costs two registry lookups (code and GUID), not two per row. */
static int nsi_lookups;
static int count_nsi_lookups(void *ctx, const char *kind, const char *key, char guid[37])
{
    if (!strncmp(kind, "nsi", 3))
        nsi_lookups++;
    return resolve_in_store(ctx, kind, key, guid);
}

static void test_nsi_answers_remembered(void **state)
{
    (void)state;
    char *path = xasprintf("%s/nsi-rows.csv", dir);
    tu_write_str(path, "Период;Номер ЛС;Номер ПД;БИК;Расчётный счёт;Вид услуги;Услуга;Тариф;К оплате\n"
                       "11.2026;ЛС 777;ПД-1;044525225;40702810938000012345;дополнительная;Консьерж;30;30\n"
                       "11.2026;ЛС 777;ПД-2;044525225;40702810938000012345;дополнительная;консьерж;30;30\n"
                       "11.2026;ЛС 777;ПД-3;044525225;40702810938000012345;дополнительная;КОНСЬЕРЖ;30;30\n");
    struct collect c = { 0 };
    struct convert_stats st;
    hcs_err err = { 0 };
    struct convert_opts o = { .cfg = cfg, .template_name = "importPaymentDocumentData", .schemas = xsd,
                              .resolve = count_nsi_lookups, .resolve_ctx = reg };
    struct convert_sink s = { &c, collect_packet, collect_reject };
    nsi_lookups = 0;
    assert_int_equal(convert_file(&o, path, &s, &st, &err), 0);
    assert_int_equal(c.nr, 0);
    assert_int_equal(c.p[0]->nelements, 3);
    assert_int_equal(count(c.p[0]->doc, "//*[*[local-name()='Code']='77'][*[local-name()='GUID']='" NSI_CONCIERGE "']"), 3);
    assert_int_equal(nsi_lookups, 2);
    collect_free(&c);
    free(path);
}

/* ---- the local-key samples after a sync against the simulator ---- */

#define SAMPLE_ORG "f0eedf25-4ee2-59df-9260-79ccb4f33b8e"   /* samples/world/provider.ini */
#define SAMPLE_H1 "cb7d56d2-735a-5f7e-9ddc-e1dce2b5813f"
#define SAMPLE_H2 "6f8d3564-dfbe-5f16-b850-12db2f5cdcbe"
#define SAMPLE_H3 "058783d5-0260-579e-b3c8-e9fdeed3330f"

static int put_export_entry(void *ctx, const struct export_entry *e)
{
    hcs_err err = { 0 };
    char *key = store_registry_key(e->key, e->nkey);
    struct store_registry_entry r = { .kind = (char *)e->kind, .local_key = key, .guid = (char *)e->guid,
                                      .unique_number = (char *)e->unique_number,
                                      .version = (char *)e->version, .update_date = (char *)e->update_date,
                                      .attrs = (char *)e->attrs };
    int rc = store_registry_put(ctx, &r, &err);
    free(key);
    return rc < 0;
}

/* What `hcsbatch sync` will do: one export, its entries into the registry. */
static void sync_one(sim *s, store *st, const char *operation, strbuf *body)
{
    struct gis_state_result res;
    sim_ask(s, SAMPLE_ORG, operation, sb_str(body), &res);
    struct export_summary sum;
    hcs_err err = { 0 };
    if (export_parse(operation, &res, NULL, put_export_entry, st, &sum, &err) != 0)
        fail_msg("%s: %s", operation, err.msg);
    assert_true(sum.entries > 0);
    gis_state_result_clear(&res);
    sb_reset(body);
}

static void sync_samples_world(store *st)
{
    hcs_err err = { 0 };
    char *world = tu_path("samples/world"), *state = xasprintf("%s/sim-state", dir);
    struct sim_options o = { .world_dir = world, .state_dir = state, .schemas_dir = tu_schemas_dir(),
                             .skip_signature = 1 };
    sim *s = sim_open(&o, &err);
    if (!s)
        fail_msg("%s", err.msg);
    strbuf b = STRBUF_INIT;
    const char *houses[] = { SAMPLE_H1, SAMPLE_H2, SAMPLE_H3 };
    for (int i = 0; i < 3; i++) {
        assert_int_equal(export_house_request(&b, houses[i], &err), 0);
        sync_one(s, st, "exportHouseData", &b);
        assert_int_equal(export_account_request(&b, houses[i], &err), 0);
        sync_one(s, st, "exportAccountData", &b);
        assert_int_equal(export_meter_request(&b, houses[i], &err), 0);
        sync_one(s, st, "exportMeteringDeviceData", &b);
    }
    const char *ogrn[] = { "1157627012344", "1027600683824", "1037600001111" };
    assert_int_equal(export_org_request(&b, ogrn, 3, &err), 0);
    sync_one(s, st, "exportOrgRegistry", &b);
    sb_free(&b);
    sim_free(s);
    free(world);
    free(state);
}

static int has_reason(const struct collect *c, long row, const char *text)
{
    const char *why = reason_of_row(c, row);
    if (!why || !strstr(why, text))
        print_message("row %ld: %s\n", row, why ? why : "(accepted)");
    return why && strstr(why, text);
}

static void test_local_key_samples_after_sync(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    char *db = xasprintf("%s/synced.db", dir);
    store *st = store_open_sqlite(db, 1000, &err);
    assert_non_null(st);
    sync_samples_world(st);
    struct collect c = { 0 };
    struct convert_stats cs;

    char *path = tu_path("samples/local-keys/accounts.csv");
    convert_path("importAccountData", path, st, &c, &cs);
    free(path);
    assert_int_equal(c.np, 1);
    assert_int_equal(c.p[0]->nelements, 4);
    assert_int_equal(count(c.p[0]->doc, "//*[local-name()='PremisesGUID'][.='47565e3b-ccd9-5157-b375-d7b337a56213']"), 1);
    assert_int_equal(count(c.p[0]->doc, "//*[local-name()='PremisesGUID'][.='ce0463aa-de6e-57a5-9ee0-a0ebcde10674']"), 1);
    assert_int_equal(count(c.p[0]->doc, "//*[local-name()='LivingRoomGUID'][.='d8530a68-7422-50c9-9018-2e427c20721a']"), 1);
    assert_int_equal(count(c.p[0]->doc, "//*[local-name()='orgVersionGUID'][.='ea7942e2-39d9-5a3e-8840-078f841bb558']"), 1);
    assert_int_equal(c.nr, 3);
    assert_true(has_reason(&c, 6, "помещение 999 не найдено в доме " SAMPLE_H2));
    assert_true(has_reason(&c, 7, "комната 7 помещения 4 не найдена в доме " SAMPLE_H3));
    assert_true(has_reason(&c, 8, "организация с ОГРН 1027700000008 не найдена"));
    /* accounts the export brought (00010010, 00010013) are updates by Номер ЛС */
    assert_int_equal(count(c.p[0]->doc, "//*[local-name()='AccountGUID']"), 2);
    assert_int_equal(count(c.p[0]->doc, "//*[local-name()='Account'][*[local-name()='AccountNumber']='00010010']"
                                        "/*[local-name()='AccountGUID'][.='923f2d37-bb17-5ecf-a189-fbf4bdd603fa']"), 1);
    assert_int_equal(count(c.p[0]->doc, "//*[local-name()='Account'][*[local-name()='AccountNumber']='00010013']"
                                        "/*[local-name()='AccountGUID'][.='9950a531-2957-559d-9f32-bccd72dc1452']"), 1);
    collect_free(&c);

    path = tu_path("samples/local-keys/readings.csv");
    convert_path("importMeteringDeviceValues", path, st, &c, &cs);
    free(path);
    assert_int_equal(c.np, 2);                       /* two houses */
    assert_int_equal(c.nr, 1);
    assert_true(has_reason(&c, 6, "прибор учёта с заводским номером ХВ-99999 не найден"));
    struct packet *h1 = !strcmp(c.p[0]->split_value, SAMPLE_H1) ? c.p[0] : c.p[1];
    assert_int_equal(h1->nelements, 3);
    assert_int_equal(count(h1->doc, "//*[*[local-name()='MeteringDeviceRootGUID']='0fde6df3-12db-5803-82f5-8d0cace211f2']"
                                    "/*[local-name()='OneRateDeviceValue']"), 1);
    assert_int_equal(count(h1->doc, "//*[local-name()='ElectricDeviceValue']"), 1);   /* Э-31002: the synced kind */
    collect_free(&c);

    path = tu_path("samples/local-keys/meters.csv");
    convert_path("importMeteringDeviceData", path, st, &c, &cs);
    free(path);
    assert_int_equal(c.np, 2);                       /* two houses */
    assert_int_equal(c.nr, 1);
    assert_true(has_reason(&c, 4, "помещение 77 не найдено в доме " SAMPLE_H2));
    h1 = !strcmp(c.p[0]->split_value, SAMPLE_H1) ? c.p[0] : c.p[1];
    assert_int_equal(count(h1->doc, "//*[local-name()='PremiseGUID' or local-name()='PremisesGUID']"
                                    "[.='47565e3b-ccd9-5157-b375-d7b337a56213']"), 1);
    assert_int_equal(count(h1->doc, "//*[local-name()='AccountGUID'][.='923f2d37-bb17-5ecf-a189-fbf4bdd603fa']"), 1);
    collect_free(&c);

    path = tu_path("samples/local-keys/bills.csv");
    convert_path("importPaymentDocumentData", path, st, &c, &cs);
    free(path);
    assert_int_equal(c.np, 1);
    assert_int_equal(c.p[0]->nelements, 2);
    assert_int_equal(count(c.p[0]->doc, "//*[local-name()='AccountGuid'][.='2f6d6bcd-d85c-5571-981e-eb09645d4da2']"), 1);
    assert_int_equal(c.nr, 1);
    assert_true(has_reason(&c, 4, "лицевой счёт 00099999 не найден"));
    /* an import result: GIS gave the first document its number */
    struct store_registry_entry pd = { .kind = REG_PAYMENT_DOCUMENT, .local_key = c.p[0]->elements[0].local_key,
                                       .unique_number = "76АБ00010011000009" };
    assert_int_equal(store_registry_put(st, &pd, &err), 0);
    collect_free(&c);

    path = tu_path("samples/local-keys/bills-withdraw.csv");
    convert_path("importPaymentDocumentData-withdraw", path, st, &c, &cs);
    free(path);
    assert_int_equal(c.np, 1);
    assert_int_equal(count(c.p[0]->doc, "//*[local-name()='PaymentDocumentID'][.='76АБ00010011000009']"), 1);
    assert_int_equal(c.nr, 1);
    assert_true(has_reason(&c, 3, "платёжный документ ПД-2026-11-7777 по ЛС 00010011 за 2026-11 не найден"));
    collect_free(&c);
    store_close(st);
    free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_comparison_form),
        cmocka_unit_test(test_registry_find_list_answer),
        cmocka_unit_test(test_local_keys_csv),
        cmocka_unit_test(test_local_keys_xlsx),
        cmocka_unit_test(test_group_key_spellings),
        cmocka_unit_test(test_nsi_answers_remembered),
        cmocka_unit_test(test_local_key_samples_after_sync),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
