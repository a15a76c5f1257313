/* Unit tests for src/packet (convert_file, packer) with the shipped
 * templates, the sample НСИ and the official schemas: grouping of
 * non-adjacent rows, a bad row rejecting its whole element, splitting by
 * limit / house / billing period, parent packets, PaymentInformation
 * deduplication and keyrefs, schema failure of one element, resolver;
 * with convert_opts.signing the packets come signed, as their bytes. */
#include "testutil.h"
#include "convert_collect.h"
#include "convert_env.h"
#include "xml_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "base/xalloc.h"
#include "base/crypto.h"
#include "base/xmlsafe.h"
#include "packet/convert.h"
#include "sign/sign.h"
#include "soap/envelope.h"

#include "sign_testkeys.h"

#define ORG "c8f1d2e3-a4b5-4c6d-8e7f-9a0b1c2d3e4f"
#define H1 "b5a7f2c1-3d4e-4f5a-8b6c-7d8e9f0a1b2c"
#define H2 "c6b8a3d2-4e5f-4a6b-9c7d-8e9f0a1b2c3d"
#define P1 "3f2c7f0e-5d3b-4c1e-9a7b-2b8e6d4f1a90"
#define P2 "7c9e6679-7425-40de-944b-e07fc1f90ae7"

static char *tmp;
static hcs_config *cfg;
static schema_set *schemas;

static int setup(void **state)
{
    (void)state;
    tmp = tu_tmpdir();
    cfg = tu_convert_config(ORG);
    schemas = tu_schemas_open();
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

static int run(const char *tname, const char *csv, struct collect *c, struct convert_stats *st,
               convert_resolve_fn resolve, hcs_err *err)
{
    char path[512];
    snprintf(path, sizeof path, "%s/in-%s.csv", tmp, tname);
    tu_write_str(path, csv);
    struct convert_opts o = { .cfg = cfg, .template_name = tname, .schemas = schemas,
                              .resolve = resolve };
    struct convert_sink s = { c, collect_packet, collect_reject };
    return convert_file(&o, path, &s, st, err);
}

static const char *ACC_HDR = "Номер ЛС;ФИАС дома;Идентификатор помещения ГИС;Доля, %;Фамилия;Имя\n";

static void test_groups_non_adjacent(void **state)
{
    (void)state;
    struct collect c = { 0 };
    struct convert_stats st;
    hcs_err err = { 0 };
    char csv[2048];
    snprintf(csv, sizeof csv, "%s"
             "001;" H1 ";" P1 ";50;Иванов;Иван\n"
             "002;" H1 ";;;Петров;Пётр\n"
             "001;" H2 ";" P2 ";50;Иванов;Иван\n", ACC_HDR);
    assert_int_equal(run("importAccountData", csv, &c, &st, NULL, &err), 0);
    assert_int_equal(st.rows, 3);
    assert_int_equal(st.rows_rejected, 0);
    assert_int_equal(st.elements, 2);
    assert_int_equal(c.np, 1);
    struct packet *p = c.p[0];
    assert_int_equal(p->nelements, 2);
    assert_int_equal(tu_xpath_count(p->doc, "//hm:Account"), 2);
    assert_int_equal(tu_xpath_count(p->doc, "//hm:Account[.//*[local-name()='AccountNumber']='001']/hm:Accommodation"), 2);
    assert_int_equal(tu_xpath_count(p->doc, "//hm:Accommodation/hm:FIASHouseGuid"), 1);   /* 002: house only */
    /* the element remembers its rows, key and label; 001 was completed after 002 */
    struct packet_element *e = NULL;
    for (size_t i = 0; i < p->nelements; i++)
        if (!strcmp(p->elements[i].local_key, "001"))
            e = &p->elements[i];
    assert_non_null(e);
    assert_int_equal(e->nrows, 2);
    assert_int_equal(e->rows[0], 2);
    assert_int_equal(e->rows[1], 4);
    assert_string_equal(e->label, "ЛС 001");
    assert_int_equal(p->parent_seq, 0);
    assert_non_null(p->text);
    /* the TransportGUIDs in the document are the elements' */
    char xp[256];
    snprintf(xp, sizeof xp, "//base:TransportGUID[.='%s']", e->transport_guid);
    assert_int_equal(tu_xpath_count(p->doc, xp), 1);
    /* the header: RequestHeader with orgPPAGUID and our MessageGUID */
    char mg[37];
    envelope_message_guid(p->doc, mg);
    assert_string_equal(mg, p->message_guid);
    assert_int_equal(tu_xpath_count(p->doc, "//base:RequestHeader/base:orgPPAGUID[.='" ORG "']"), 1);
    collect_free(&c);
}

/* A retry converts only the rows it names (convert_opts.only_rows): a
 * group's rows outside them are not read, the others keep their numbers. */
static void test_only_rows(void **state)
{
    (void)state;
    struct collect c = { 0 };
    struct convert_stats st;
    hcs_err err = { 0 };
    char csv[2048], path[512];
    snprintf(csv, sizeof csv, "%s"
             "001;" H1 ";" P1 ";50;Иванов;Иван\n"
             "002;" H1 ";;;Петров;Пётр\n"
             "001;" H2 ";" P2 ";50;Иванов;Иван\n"
             "003;" H1 ";;;Сидоров;Олег\n", ACC_HDR);
    snprintf(path, sizeof path, "%s/in-only.csv", tmp);
    tu_write_str(path, csv);
    const long only[] = { 2, 4 };
    struct convert_opts o = { .cfg = cfg, .template_name = "importAccountData", .schemas = schemas,
                              .only_rows = only, .nonly_rows = 2 };
    struct convert_sink s = { &c, collect_packet, collect_reject };
    assert_int_equal(convert_file(&o, path, &s, &st, &err), 0);
    assert_int_equal(st.rows, 2);
    assert_int_equal(c.np, 1);
    struct packet *p = c.p[0];
    assert_int_equal(p->nelements, 1);
    assert_string_equal(p->elements[0].local_key, "001");
    assert_int_equal(p->elements[0].nrows, 2);
    assert_int_equal(p->elements[0].rows[0], 2);
    assert_int_equal(p->elements[0].rows[1], 4);
    assert_int_equal(tu_xpath_count(p->doc, "//hm:Account"), 1);
    collect_free(&c);
}

/* Runs interleaved, an empty key between runs, a key whose last run is
 * long after its first: every group complete, none split in two. */
static void test_groups_interleaved_runs(void **state)
{
    (void)state;
    struct collect c = { 0 };
    struct convert_stats st;
    hcs_err err = { 0 };
    char csv[4096];
    snprintf(csv, sizeof csv, "%s"
             "A;" H1 ";;;Иванов;Иван\n"
             "B;" H1 ";;;Петров;Пётр\n"
             "B;" H2 ";;;Петров;Пётр\n"
             "A;" H2 ";;;Иванов;Иван\n"
             ";" H2 ";;;Без;Номера\n"
             "C;" H1 ";;;Сидоров;Семён\n"
             "B;" H1 ";" P1 ";;Петров;Пётр\n"
             "A;" H1 ";" P2 ";;Иванов;Иван\n", ACC_HDR);
    assert_int_equal(run("importAccountData", csv, &c, &st, NULL, &err), 0);
    assert_int_equal(st.rows, 8);
    assert_int_equal(st.rows_rejected, 1);            /* the row without Номер ЛС */
    assert_int_equal(c.np, 1);
    assert_int_equal(c.p[0]->nelements, 3);
    assert_int_equal(tu_xpath_count(c.p[0]->doc, "//hm:Account"), 3);
    assert_int_equal(tu_xpath_count(c.p[0]->doc, "//hm:Account[.//*[local-name()='AccountNumber']='A']/hm:Accommodation"), 3);
    assert_int_equal(tu_xpath_count(c.p[0]->doc, "//hm:Account[.//*[local-name()='AccountNumber']='B']/hm:Accommodation"), 3);
    assert_int_equal(tu_xpath_count(c.p[0]->doc, "//hm:Account[.//*[local-name()='AccountNumber']='C']/hm:Accommodation"), 1);
    for (size_t i = 0; i < c.p[0]->nelements; i++)
        if (!strcmp(c.p[0]->elements[i].local_key, "A")) {
            assert_int_equal(c.p[0]->elements[i].nrows, 3);
            assert_int_equal(c.p[0]->elements[i].rows[2], 9);
        }
    assert_int_equal(c.r[0].row, 6);
    collect_free(&c);
}

static void test_bad_row_rejects_element(void **state)
{
    (void)state;
    struct collect c = { 0 };
    struct convert_stats st;
    hcs_err err = { 0 };
    char csv[2048];
    snprintf(csv, sizeof csv, "%s"
             "001;" H1 ";" P1 ";50;Иванов;Иван\n"
             "002;" H1 ";;;Петров;Пётр\n"
             "001;" H2 ";" P2 ";пятьдесят;Иванов;Иван\n"
             "001;" H2 ";" P2 ";10;Иванов;Иван\n", ACC_HDR);
    assert_int_equal(run("importAccountData", csv, &c, &st, NULL, &err), 0);
    assert_int_equal(st.rows, 4);
    assert_int_equal(st.rows_rejected, 3);
    assert_int_equal(c.np, 1);
    assert_int_equal(c.p[0]->nelements, 1);
    assert_string_equal(c.p[0]->elements[0].local_key, "002");
    assert_int_equal(c.nr, 3);
    /* the bad row with its column and value, the others naming it */
    long seen[6] = { 0 };
    for (int i = 0; i < c.nr; i++) {
        seen[c.r[i].row] = 1;
        assert_string_equal(c.r[i].key, "001");
        if (c.r[i].row == 4) {
            assert_string_equal(c.r[i].column, "Доля, %");
            assert_string_equal(c.r[i].value, "пятьдесят");
        } else {
            assert_non_null(strstr(c.r[i].reason, "строке 4"));
        }
    }
    assert_true(seen[2] && seen[4] && seen[5]);
    collect_free(&c);
}

static void test_element_values_must_agree(void **state)
{
    (void)state;
    struct collect c = { 0 };
    struct convert_stats st;
    hcs_err err = { 0 };
    char csv[2048];
    snprintf(csv, sizeof csv, "%s"
             "001;" H1 ";" P1 ";50;Иванов;Иван\n"
             "001;" H2 ";" P2 ";50;Иванова;Иван\n"
             "002;" H1 ";;;Петров;Пётр\n", ACC_HDR);
    assert_int_equal(run("importAccountData", csv, &c, &st, NULL, &err), 0);
    assert_int_equal(st.rows_rejected, 2);
    assert_int_equal(c.nr, 2);
    assert_string_equal(c.r[0].column, "Фамилия");
    assert_string_equal(c.r[0].value, "Иванов");
    assert_string_equal(c.r[1].value, "Иванова");
    assert_non_null(strstr(c.r[1].reason, "в строках 2 и 3"));
    assert_int_equal(c.np, 1);
    assert_int_equal(c.p[0]->nelements, 1);
    collect_free(&c);
}

static void test_limit_split_parent(void **state)
{
    (void)state;
    struct collect c = { 0 };
    struct convert_stats st;
    hcs_err err = { 0 };
    char csv[4096];
    size_t n = (size_t)snprintf(csv, sizeof csv, "%s", ACC_HDR);
    for (int i = 0; i < 5; i++)
        n += (size_t)snprintf(csv + n, sizeof csv - n, "00%d;" H1 ";;;Иванов;Иван\n", i);
    cfg_set(cfg, "limits.importAccountData", "2", &err);
    int rc = run("importAccountData", csv, &c, &st, NULL, &err);
    cfg_set(cfg, "limits.importAccountData", "", &err);
    assert_int_equal(rc, 0);
    assert_int_equal(c.np, 3);
    assert_int_equal(c.p[0]->nelements, 2);
    assert_int_equal(c.p[2]->nelements, 1);
    assert_int_equal(c.p[0]->seq, 1);
    assert_int_equal(c.p[0]->parent_seq, 0);
    assert_int_equal(c.p[1]->parent_seq, 1);
    assert_int_equal(c.p[2]->parent_seq, 1);
    /* TransportGUIDs unique across the run */
    for (int a = 0; a < c.np; a++)
        for (size_t i = 0; i < c.p[a]->nelements; i++)
            for (int b = 0; b < c.np; b++)
                for (size_t j = 0; j < c.p[b]->nelements; j++)
                    if (a != b || i != j)
                        assert_string_not_equal(c.p[a]->elements[i].transport_guid,
                                                c.p[b]->elements[j].transport_guid);
    collect_free(&c);
    /* a limit above the schema's is a configuration error */
    cfg_set(cfg, "limits.importAccountData", "500", &err);
    rc = run("importAccountData", csv, &c, &st, NULL, &err);
    cfg_set(cfg, "limits.importAccountData", "", &err);
    assert_int_equal(rc, -1);
    assert_int_equal(err.code, HCS_EX_CONFIG);
    collect_free(&c);
}

static void test_readings_per_house(void **state)
{
    (void)state;
    struct collect c = { 0 };
    struct convert_stats st;
    hcs_err err = { 0 };
    const char *csv =
        "ФИАС дома,Идентификатор ПУ ГИС,Ресурс,Показание,Показание Т1,Показание Т2,Дата снятия\n"
        H1 ",11111111-1111-4111-8111-111111111111,холодная вода,\"12,5\",,,25.10.2026\n"
        H2 ",22222222-2222-4222-8222-222222222222,,,100.5,20,2026-10-25\n"
        H1 ",33333333-3333-4333-8333-333333333333,2,,7,,25.10.2026\n";
    assert_int_equal(run("importMeteringDeviceValues", csv, &c, &st, NULL, &err), 0);
    assert_int_equal(st.rows_rejected, 0);
    assert_int_equal(c.np, 2);
    for (int i = 0; i < 2; i++) {
        char *house = tu_xpath_str(c.p[i]->doc, "string(//dm:importMeteringDeviceValuesRequest/dm:FIASHouseGuid)");
        assert_string_equal(house, c.p[i]->split_value);
        if (!strcmp(house, H1)) {
            assert_int_equal(c.p[i]->nelements, 2);
            assert_int_equal(tu_xpath_count(c.p[i]->doc, "//dm:OneRateDeviceValue/dm:CurrentValue"), 1);
            assert_int_equal(tu_xpath_count(c.p[i]->doc, "//dm:VolumeDeviceValue/dm:CurrentValue"), 1);
        } else {
            assert_int_equal(tu_xpath_count(c.p[i]->doc, "//dm:ElectricDeviceValue/dm:CurrentValue/*[local-name()='MeteringValueT2']"), 1);
        }
        free(house);
    }
    collect_free(&c);
}

static int resolve_accounts(void *ctx, const char *kind, const char *key, char guid[37])
{
    (void)ctx;
    if (strcmp(kind, "account"))
        return 0;
    if (!strcmp(key, "777")) {
        strcpy(guid, "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d");
        return 1;
    }
    return 0;
}

static int resolve_premises(void *ctx, const char *kind, const char *key, char guid[37])
{
    int *calls = ctx;
    if (!strcmp(kind, "premises"))
        (*calls)++;              /* one lookup per key, whatever the registry answers */
    if (!strcmp(kind, "premises") && !strcmp(key, H1 "|12")) {
        strcpy(guid, P1);
        return 1;
    }
    return 0;
}

static void test_resolve_local_keys(void **state)
{
    (void)state;
    struct collect c = { 0 };
    struct convert_stats st;
    hcs_err err = { 0 };
    const char *csv = "Номер ЛС;ФИАС дома;Номер помещения;Фамилия;Имя\n"
                      "001;" H1 ";12;Иванов;Иван\n"
                      "002;" H1 ";13;Петров;Пётр\n";
    char path[512];
    snprintf(path, sizeof path, "%s/resolve.csv", tmp);
    tu_write_str(path, csv);
    int calls = 0;
    struct convert_opts o = { .cfg = cfg, .template_name = "importAccountData", .schemas = schemas,
                              .resolve = resolve_premises, .resolve_ctx = &calls };
    struct convert_sink s = { &c, collect_packet, collect_reject };
    assert_int_equal(convert_file(&o, path, &s, &st, &err), 0);
    assert_int_equal(calls, 2);
    assert_int_equal(c.np, 1);
    assert_int_equal(tu_xpath_count(c.p[0]->doc, "//hm:Accommodation/hm:PremisesGUID[.='" P1 "']"), 1);
    assert_int_equal(c.nr, 1);                       /* flat 13 is unknown to the registry */
    assert_int_equal(c.r[0].row, 3);
    assert_string_equal(c.r[0].column, "ФИАС дома + Номер помещения");
    assert_string_equal(c.r[0].value, H1 "|13");
    assert_non_null(strstr(c.r[0].reason, "Идентификатор помещения ГИС"));
    collect_free(&c);
}

static int resolve_meters(void *ctx, const char *kind, const char *key, char guid[37])
{
    (void)ctx;
    if (strcmp(key, "Э-1"))
        return 0;
    strcpy(guid, !strcmp(kind, "meter") ? "44444444-4444-4444-8444-444444444444" :
                 !strcmp(kind, "meter_kind") ? "electric" : "");
    return guid[0] != '\0';
}

static void test_readings_registry_kind(void **state)
{
    (void)state;
    struct collect c = { 0 };
    struct convert_stats st;
    hcs_err err = { 0 };
    const char *csv = "ФИАС дома;Заводской номер ПУ;Показание;Дата снятия\n"
                      H1 ";Э-1;100;25.10.2026\n"
                      H1 ";Х-2;5;25.10.2026\n";
    assert_int_equal(run("importMeteringDeviceValues", csv, &c, &st, resolve_meters, &err), 0);
    assert_int_equal(c.np, 1);
    assert_int_equal(c.p[0]->nelements, 1);
    assert_int_equal(tu_xpath_count(c.p[0]->doc, "//dm:MeteringDevicesValues[dm:MeteringDeviceRootGUID='44444444-4444-4444-8444-444444444444']"
                                         "/dm:ElectricDeviceValue/dm:CurrentValue/*[local-name()='MeteringValueT1'][.='100']"), 1);
    assert_string_equal(c.p[0]->elements[0].local_key, "Э-1 2026-10-25");
    assert_int_equal(c.nr, 1);                         /* Х-2: unknown device */
    assert_int_equal(c.r[0].row, 3);
    collect_free(&c);
}

static const char *BILL_HDR = "Период;Номер ЛС;Идентификатор ЛС ГИС;Номер ПД;БИК;Расчётный счёт;Вид услуги;Услуга;Тариф;К оплате\n";

static void test_bills_payment_information(void **state)
{
    (void)state;
    struct collect c = { 0 };
    struct convert_stats st;
    hcs_err err = { 0 };
    char csv[4096];
    snprintf(csv, sizeof csv, "%s"
             "10.2026;;11111111-1111-4111-8111-111111111111;1;044525225;40702810938000012345;жилищная;1;25,5;100\n"
             "10.2026;;22222222-2222-4222-8222-222222222222;2;044525225;40702810938000012345;жилищная;1;25,5;100\n"
             "10.2026;;11111111-1111-4111-8111-111111111111;1;044525225;40702810938000099999;коммунальная;горячее водоснабжение;30;60\n"
             "11.2026;777;;3;044525225;40702810938000012345;дополнительная;домофон;45;45\n"
             "10.2026;888;;4;044525225;40702810938000012345;жилищная;1;25,5;100\n",
             BILL_HDR);
    assert_int_equal(run("importPaymentDocumentData", csv, &c, &st, resolve_accounts, &err), 0);
    assert_int_equal(st.rows_rejected, 1);            /* 888: unknown to the registry */
    assert_int_equal(c.nr, 1);
    assert_int_equal(c.r[0].row, 6);
    assert_string_equal(c.r[0].value, "888");
    assert_int_equal(c.np, 2);                         /* October and November */
    struct packet *oct = !strcmp(c.p[0]->split_value, "2026-10") ? c.p[0] : c.p[1];
    struct packet *nov = oct == c.p[0] ? c.p[1] : c.p[0];
    assert_int_equal(oct->nelements, 2);
    assert_int_equal(tu_xpath_count(oct->doc, "//b:PaymentInformation"), 2);   /* two distinct accounts */
    assert_int_equal(tu_xpath_count(oct->doc, "//b:PaymentDocument[*[local-name()='AccountGuid']='11111111-1111-4111-8111-111111111111']/b:ChargeInfo"), 2);
    assert_int_equal(tu_xpath_count(oct->doc, "//base:Month[.='10']"), 1);
    /* every key refers to a block of the same packet (the schema checks it too) */
    int keys = tu_xpath_count(oct->doc, "//b:PaymentInformationKey");
    int good = tu_xpath_count(oct->doc, "//b:PaymentInformationKey[.=//b:PaymentInformation/base:TransportGUID]");
    assert_int_equal(keys, good);
    assert_true(keys >= 5);
    assert_int_equal(tu_xpath_count(nov->doc, "//b:PaymentInformation"), 1);
    assert_string_equal(nov->elements[0].local_key, "777|3|2026-11");   /* the withdraw form's lookup key */
    assert_int_equal(tu_xpath_count(nov->doc, "//*[local-name()='AccountGuid'][.='9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d']"), 1);
    collect_free(&c);
}

/* The withdraw form asks the registry with the very key a bills element is
 * stored under, for the document's unique number (its PaymentDocumentID). */
static char bill_key[128];
static int resolve_bill_ids(void *ctx, const char *kind, const char *key, char guid[37])
{
    (void)ctx;
    if (!strcmp(kind, "payment_document.unique_number") && !strcmp(key, bill_key)) {
        strcpy(guid, "76АБ000100-01-1126");
        return 1;
    }
    return 0;
}

static void test_withdraw_by_registry_key(void **state)
{
    (void)state;
    struct collect c = { 0 };
    struct convert_stats st;
    hcs_err err = { 0 };
    char csv[1024];
    snprintf(csv, sizeof csv, "%s11.2026;777;;ПД-3;044525225;40702810938000012345;дополнительная;домофон;45;45\n",
             BILL_HDR);
    assert_int_equal(run("importPaymentDocumentData", csv, &c, &st, resolve_accounts, &err), 0);
    assert_int_equal(c.np, 1);
    snprintf(bill_key, sizeof bill_key, "%s", c.p[0]->elements[0].local_key);
    collect_free(&c);
    assert_int_equal(run("importPaymentDocumentData-withdraw",
                         "Номер ЛС;Номер ПД;Период\n777;ПД-3;11.2026\n777;ПД-3;10.2026\n",
                         &c, &st, resolve_bill_ids, &err), 0);
    assert_int_equal(c.np, 1);
    assert_int_equal(c.p[0]->nelements, 1);
    assert_int_equal(tu_xpath_count(c.p[0]->doc, "//b:WithdrawPaymentDocument/*[local-name()='PaymentDocumentID']"
                                         "[.='76АБ000100-01-1126']"), 1);
    assert_int_equal(c.nr, 1);                          /* October: not in the registry */
    assert_int_equal(c.r[0].row, 3);
    assert_non_null(strstr(c.r[0].reason, "нет идентификатора ГИС"));
    collect_free(&c);
}

static void test_schema_failure_leaves_rest(void **state)
{
    (void)state;
    struct collect c = { 0 };
    struct convert_stats st;
    hcs_err err = { 0 };
    const char *csv = "Идентификатор ПД ГИС\n"
                      "76АБ00010009000001\n"
                      "76АБ00010\n"
                      "76АБ00010109000002\n";
    assert_int_equal(run("importPaymentDocumentData-withdraw", csv, &c, &st, NULL, &err), 0);
    assert_int_equal(st.rows_rejected, 1);
    assert_int_equal(st.schema_rejected, 1);
    assert_int_equal(c.nr, 1);
    assert_int_equal(c.r[0].row, 3);
    assert_non_null(strstr(c.r[0].reason, "length"));     /* libxml2's message */
    assert_int_equal(c.np, 1);
    assert_int_equal(c.p[0]->nelements, 2);
    /* the document changed: the bytes handed on are the changed document's */
    assert_non_null(c.p[0]->text);
    assert_null(strstr(c.p[0]->text, ">76АБ00010<"));
    assert_non_null(strstr(c.p[0]->text, ">76АБ00010009000001<"));
    assert_non_null(strstr(c.p[0]->text, ">76АБ00010109000002<"));
    assert_int_equal(tu_xpath_count(c.p[0]->doc, "//b:WithdrawPaymentDocument"), 2);
    assert_int_equal(schema_validate_envelope(schemas, c.p[0]->doc, NULL, NULL, &err), 0);
    collect_free(&c);
}

static void test_schema_failures_all_or_several(void **state)
{
    (void)state;
    struct collect c = { 0 };
    struct convert_stats st;
    hcs_err err = { 0 };
    /* two bad among three: both reported, one element goes on */
    assert_int_equal(run("importPaymentDocumentData-withdraw",
                         "Идентификатор ПД ГИС\n1\n76АБ00010009000001\n22\n", &c, &st, NULL, &err), 0);
    assert_int_equal(st.schema_rejected, 2);
    assert_int_equal(c.nr, 2);
    assert_int_equal(c.np, 1);
    assert_int_equal(c.p[0]->nelements, 1);
    collect_free(&c);
    /* all bad: no packet at all, every row reported */
    assert_int_equal(run("importPaymentDocumentData-withdraw", "Идентификатор ПД ГИС\n1\n22\n", &c, &st, NULL, &err), 0);
    assert_int_equal(c.np, 0);
    assert_int_equal(c.nr, 2);
    assert_int_equal(st.rows_rejected, 2);
    assert_int_equal(st.packets, 0);
    collect_free(&c);
}

static void test_unreadable_and_missing_column(void **state)
{
    (void)state;
    struct collect c = { 0 };
    struct convert_stats st;
    hcs_err err = { 0 };
    struct convert_opts o = { .cfg = cfg, .template_name = "importAccountData", .schemas = schemas };
    struct convert_sink s = { &c, collect_packet, collect_reject };
    assert_int_equal(convert_file(&o, "/nonexistent/file.csv", &s, &st, &err), -1);
    assert_int_equal(err.code, HCS_EX_NOINPUT);
    assert_int_equal(run("importAccountData", "Фамилия;Имя\nИванов;Иван\n", &c, &st, NULL, &err), -1);
    assert_int_equal(err.code, HCS_EX_DATAERR);
    assert_non_null(strstr(err.msg, "Номер ЛС"));
    o.template_name = "noSuchTemplate";
    assert_int_equal(convert_file(&o, "/nonexistent/file.csv", &s, &st, &err), -1);
    assert_int_equal(err.code, HCS_EX_CONFIG);
    collect_free(&c);
}

/* The stage ends in signed packets: with opts.signing every packet's bytes
 * carry a signature that verifies, and the signer is opened once, for the
 * first packet; a file without a good row opens none. */
static void test_signed_packets(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    assert_int_equal(crypto_gost_init(NULL, &err), 0);
    char *keys = tu_tmpdir();
    tk_make(keys, "gost2012");
    hcs_config *kc = tk_config(keys, "gost2012", "gost2012.key", "gost2012.crt");
    struct convert_signing signing = { .cfg = kc };
    char path[512];
    snprintf(path, sizeof path, "%s/in-signed.csv", tmp);
    tu_write_str(path, "Номер ЛС;ФИАС дома;Идентификатор помещения ГИС;Доля, %;Фамилия;Имя\n"
                       "001;" H1 ";" P1 ";50;Иванов;\n");
    struct convert_opts o = { .cfg = cfg, .template_name = "importAccountData", .schemas = schemas,
                              .signing = &signing };
    struct collect c = { 0 };
    struct convert_sink s = { &c, collect_packet, collect_reject };
    assert_int_equal(convert_file(&o, path, &s, NULL, &err), 0);
    assert_int_equal(c.nr, 1);                       /* no first name: the row is rejected */
    assert_null(signing.sg);                         /* nothing to sign, no signer opened */
    tu_write_str(path, "Номер ЛС;ФИАС дома;Идентификатор помещения ГИС;Доля, %;Фамилия;Имя\n"
                       "001;" H1 ";" P1 ";50;Иванов;Иван\n"
                       "002;" H2 ";" P2 ";50;Петров;Пётр\n");
    assert_int_equal(convert_file(&o, path, &s, NULL, &err), 0);
    assert_int_equal(c.np, 1);
    assert_non_null(signing.sg);
    struct packet *p = c.p[0];
    assert_non_null(p->text);
    assert_int_equal(strlen(p->text), p->text_len);
    assert_non_null(strstr(p->text, "Signature"));
    xmlDocPtr doc = xmlsafe_parse(p->text, p->text_len, "signed packet", &err);
    assert_non_null(doc);
    struct verify_result r;
    assert_int_equal(verify_document(doc, schemas, &r, &err), 0);
    if (r.status != VERIFY_OK)
        fail_msg("signed packet does not verify: %s", r.reason);
    verify_result_clear(&r);
    xmlFreeDoc(doc);
    collect_free(&c);
    signer_free(signing.sg);
    cfg_free(kc);
    char *cmd = xasprintf("rm -rf '%s'", keys);
    tu_run(cmd);
    free(cmd);
    free(keys);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_groups_non_adjacent),
        cmocka_unit_test(test_only_rows),
        cmocka_unit_test(test_groups_interleaved_runs),
        cmocka_unit_test(test_bad_row_rejects_element),
        cmocka_unit_test(test_element_values_must_agree),
        cmocka_unit_test(test_limit_split_parent),
        cmocka_unit_test(test_readings_per_house),
        cmocka_unit_test(test_resolve_local_keys),
        cmocka_unit_test(test_readings_registry_kind),
        cmocka_unit_test(test_bills_payment_information),
        cmocka_unit_test(test_withdraw_by_registry_key),
        cmocka_unit_test(test_schema_failure_leaves_rest),
        cmocka_unit_test(test_schema_failures_all_or_several),
        cmocka_unit_test(test_unreadable_and_missing_column),
        cmocka_unit_test(test_signed_packets),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
