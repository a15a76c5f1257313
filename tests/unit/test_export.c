/* Unit tests for src/soap/export_request and export_parse: every registry
 * export request is valid against the official XSD, bad values are
 * refused; the answers of the real simulator code (driven in process, as
 * in test_sim_pipeline, with signatures off) parse into registry entries;
 * INT002012 is an empty answer; the paging marker is reported. */
#include "testutil.h"
#include "sim_ask.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/attrs.h"
#include "base/xalloc.h"
#include "base/xmlsafe.h"
#include "proto/operations.h"
#include "proto/schema.h"
#include "sim/sim.h"
#include "soap/export_parse.h"
#include "soap/export_request.h"
#include "soap/result.h"

#define ORG "c8f1d2e3-a4b5-4c6d-8e7f-9a0b1c2d3e4f"
#define HOUSE "b5a7f2c1-3d4e-4f5a-8b6c-7d8e9f0a1b2c"
#define PREM1 "3f2c7f0e-5d3b-4c1e-9a7b-2b8e6d4f1a90"
#define PREM2 "7c9e6679-7425-40de-944b-e07fc1f90ae7"
#define ROOM "1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b"
#define ACCOUNT "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"

static char *dir;
static schema_set *xsd;
static sim *gis;

static void world_file(const char *name, const char *text)
{
    char *p = xasprintf("%s/world/%s", dir, name);
    tu_write_str(p, text);
    free(p);
}

static int setup(void **state)
{
    (void)state;
    xmlsafe_init();
    hcs_err err = { 0 };
    dir = tu_tmpdir();
    char *mk = xasprintf("mkdir -p '%s/world/nsi' '%s/state'", dir, dir);
    assert_int_equal(tu_run(mk), 0);
    free(mk);
    char *prov = xasprintf("[provider]\norg_ppa_guid = %s\nogrn = 1027700000000\nname = Test\n"
                           "certificate = any\n", ORG);
    world_file("provider.ini", prov);
    free(prov);
    world_file("houses.csv", "fias_house_guid;address;house_type;unique_number\n" HOUSE ";Test street 1;apartment;H-1\n");
    world_file("premises.csv", "fias_house_guid;premises_number;premises_guid;residential;total_area\n"
               HOUSE ";5А;" PREM1 ";true;54.3\n" HOUSE ";Н1;" PREM2 ";true;41.0\n");
    world_file("rooms.csv", "premises_guid;room_number;living_room_guid\n" PREM2 ";2;" ROOM "\n");
    world_file("accounts.csv", "account_number;account_guid;unified_account_number;service_id;fias_house_guid;premises_guid\n"
               "0012345679;" ACCOUNT ";12АБ345678;12АБ345678-01;" HOUSE ";" PREM2 "\n");
    world_file("meters.csv", "fias_house_guid;serial_number;root_guid;version_guid;kind;resources;premises_guid;account_number\n"
               HOUSE ";SN-1;5e2f1c3a-8b7d-4f6e-9a1b-c2d3e4f5a6b7;6f3a2d4b-9c8e-4a7f-8b2c-d3e4f5a6b7c8;onerate;1;"
               PREM2 ";0012345679\n"
               HOUSE ";Э-2;5e2f1c3a-8b7d-4f6e-9a1b-c2d3e4f5a6b8;;electric;;;\n");
    world_file("orgs.csv", "ogrn;org_root_guid;org_version_guid;name\n"
               "1027700000000;11111111-2222-4333-8444-555555555555;11111111-2222-4333-8444-666666666666;ООО Тест\n");
    world_file("payment_documents.csv",
               "account_number;payment_document_number;period;payment_document_id;payment_document_guid;account_guid\n"
               "0012345679;ПД-7;2026-10;12АБ345678-01-6101;2b8e6d4f-1a90-4c1e-9a7b-3f2c7f0e5d3b;" ACCOUNT "\n");
    world_file("nsi/2.csv", "code;guid;name\n1;00000000-0000-4000-8000-000000000002;Холодная вода\n"
               "2;00000000-0000-4000-8000-000000000003;Горячая вода\n");
    /* 105 open subrequests: one full block of 100 and the rest */
    strbuf subs = STRBUF_INIT;
    sb_adds(&subs, "subrequest_guid;request_guid;request_number;org_root_guid;org_name;hm_object_guid;address;"
                   "period_from;period_to;sent_date;response_date;status\n");
    for (int i = 0; i < 105; i++)
        sb_addf(&subs, "%08x-aaaa-4bbb-8ccc-000000000001;%08x-bbbb-4bbb-8ccc-000000000002;ДЗ-%d;"
                       "11111111-2222-4333-8444-555555555555;УСЗН;" PREM1 ";\"ул. Тест; д.=%d%%\";2025-01-01;2025-12-31;"
                       "today-1;today+3;Sent\n", i, i, i, i);
    world_file("subrequests.csv", sb_str(&subs));
    sb_free(&subs);
    world_file("nsi/51.csv", "code;guid;name\n1.1;00000000-0000-4000-8000-000000000051;ХВС\n");
    xsd = schema_set_open(tu_schemas_dir(), &err);
    char *w = xasprintf("%s/world", dir), *s = xasprintf("%s/state", dir);
    struct sim_options o = { .world_dir = w, .state_dir = s, .schemas_dir = tu_schemas_dir(),
                             .skip_signature = 1 };
    gis = xsd ? sim_open(&o, &err) : NULL;
    free(w);
    free(s);
    if (!gis)
        fail_msg("%s", err.msg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sim_free(gis);
    schema_set_free(xsd);
    free(dir);
    return 0;
}

static void assert_schema_valid(const strbuf *body)
{
    hcs_err err = { 0 };
    xmlDocPtr doc = xmlsafe_parse(sb_str(body), body->len, "request", &err);
    if (!doc)
        fail_msg("%s\n%s", err.msg, sb_str(body));
    int rc = schema_validate_element(xsd, xmlDocGetRootElement(doc), NULL, NULL, &err);
    if (rc != 0)
        fail_msg("not schema-valid (%d %s): %s", rc, err.msg, sb_str(body));
    xmlFreeDoc(doc);
}

static void test_requests_schema_valid(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    const char *ogrns[] = { "1027700000000", "304500116000157" };
    const char *accounts[] = { "{9B1DEB4D-3B7D-4BAD-9BDD-2B0D7B3DCB6D}" };
    strbuf b[8] = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT,
                    STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
    assert_int_equal(export_house_request(&b[0], HOUSE, &err), 0);
    assert_int_equal(export_account_request(&b[1], HOUSE, &err), 0);
    assert_int_equal(export_meter_request(&b[2], HOUSE, &err), 0);
    assert_int_equal(export_nsi_item_request(&b[3], 2, NULL, &err), 0);
    assert_int_equal(export_provider_nsi_request(&b[4], 51, &err), 0);
    assert_int_equal(export_org_request(&b[5], ogrns, 2, &err), 0);
    assert_int_equal(export_data_provider_request(&b[6], &err), 0);
    assert_int_equal(export_payment_documents_request(&b[7], 2026, 10, accounts, 1, &err), 0);
    for (int i = 0; i < 8; i++) {
        assert_schema_valid(&b[i]);
        sb_free(&b[i]);
    }
    /* the readings of 1..100 devices of a house, archived ones included */
    strbuf hist = STRBUF_INIT;
    const char *roots[101];
    for (int i = 0; i < 101; i++)
        roots[i] = accounts[0];
    assert_int_equal(export_meter_history_request(&hist, HOUSE, roots, 100, &err), 0);
    assert_schema_valid(&hist);
    assert_non_null(strstr(sb_str(&hist), "<s:SerchArchived>true</s:SerchArchived>"));
    assert_non_null(strstr(sb_str(&hist), "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"));
    sb_free(&hist);
    strbuf bad = STRBUF_INIT;
    assert_int_equal(export_meter_history_request(&bad, HOUSE, roots, 101, &err), -1);
    assert_int_equal(export_meter_history_request(&bad, HOUSE, roots, 0, &err), -1);
    assert_int_equal(export_meter_history_request(&bad, HOUSE, (const char *[]){ "x" }, 1, &err), -1);
    assert_int_equal(err.code, HCS_EX_USAGE);
    assert_int_equal(export_house_request(&bad, "not-a-guid", &err), -1);
    assert_int_equal(err.code, HCS_EX_USAGE);
    assert_int_equal(export_provider_nsi_request(&bad, 2, &err), -1);
    assert_int_equal(export_org_request(&bad, (const char *[]){ "12345" }, 1, &err), -1);
    assert_non_null(strstr(err.msg, "12345"));
    assert_int_equal(export_payment_documents_request(&bad, 2026, 13, accounts, 1, &err), -1);
    /* the sending period: at most 6 months (the schema's annotation), in order */
    assert_int_equal(export_debt_subrequests_request(&bad, "2026-01-01", "2026-07-02", NULL, &err), -1);
    assert_non_null(strstr(err.msg, "6 months"));
    assert_int_equal(export_debt_subrequests_request(&bad, "2026-03-01", "2026-02-01", NULL, &err), -1);
    assert_int_equal(export_debt_subrequests_request(&bad, "2026-02-30", "2026-03-01", NULL, &err), -1);
    assert_int_equal(bad.len, 0);
    strbuf debt = STRBUF_INIT;
    assert_int_equal(export_debt_subrequests_request(&debt, "2026-01-01", "2026-07-01", NULL, &err), 0);
    assert_schema_valid(&debt);                 /* against the 14.5.0.1 package */
    assert_non_null(strstr(sb_str(&debt), "base:version=\"14.0.0.0\""));
    sb_reset(&debt);
    assert_int_equal(export_debt_subrequests_request(&debt, "2026-01-01", "2026-01-31", ACCOUNT, &err), 0);
    assert_schema_valid(&debt);
    assert_non_null(strstr(sb_str(&debt), "<s:exportSubrequestGUID>"));
    sb_free(&debt);
}

/* ---- through the simulator ---------------------------------------------- */

struct got {
    char lines[32][200];
    int n;
};

static int keep(void *ctx, const struct export_entry *e)
{
    struct got *g = ctx;
    if (g->n >= 32)
        return 1;
    char *l = g->lines[g->n++];
    int k = snprintf(l, 200, "%s", e->kind);
    for (int i = 0; i < e->nkey; i++)
        k += snprintf(l + k, (size_t)(200 - k), "%s%s", i ? "|" : " ", e->key[i]);
    snprintf(l + k, (size_t)(200 - k), " = %s%s%s%s%s", e->guid ? e->guid : "-",
             e->unique_number ? " #" : "", e->unique_number ? e->unique_number : "",
             e->attrs ? " " : "", e->attrs ? e->attrs : "");
    return 0;
}

static int has(const struct got *g, const char *line)
{
    for (int i = 0; i < g->n; i++)
        if (!strcmp(g->lines[i], line))
            return 1;
    return 0;
}

static void export_and_parse(const char *operation, const strbuf *body, const struct export_context *cx,
                             struct got *g, struct export_summary *sum)
{
    struct gis_state_result res;
    hcs_err err = { 0 };
    sim_ask(gis, ORG, operation, sb_str(body), &res);
    memset(g, 0, sizeof *g);
    if (export_parse(operation, &res, cx, keep, g, sum, &err) != 0)
        fail_msg("%s: %s", operation, err.msg);
    assert_int_equal(sum->entries, g->n);
    gis_state_result_clear(&res);
}

static void expect(const struct got *g, const char *line)
{
    if (has(g, line))
        return;
    for (int i = 0; i < g->n; i++)
        print_message("  got: %s\n", g->lines[i]);
    fail_msg("missing: %s", line);
}
#define EXPECT(g, line) expect(g, line)

static void test_sim_answers_parse(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    struct got g;
    struct export_summary sum;
    strbuf b = STRBUF_INIT;

    assert_int_equal(export_house_request(&b, HOUSE, &err), 0);
    export_and_parse("exportHouseData", &b, NULL, &g, &sum);
    EXPECT(&g, "premises " HOUSE "|5А = " PREM1 " #" PREM1);
    EXPECT(&g, "premises " HOUSE "|Н1 = " PREM2 " #" PREM2);
    EXPECT(&g, "room " HOUSE "|Н1|2 = " ROOM " #" ROOM);
    /* the house itself: an apartment house has no HouseGUID of its own */
    EXPECT(&g, "house " HOUSE " = " HOUSE " #H-1");
    assert_int_equal(g.n, 4);

    sb_reset(&b);
    assert_int_equal(export_account_request(&b, HOUSE, &err), 0);
    export_and_parse("exportAccountData", &b, NULL, &g, &sum);
    EXPECT(&g, "account 0012345679 = " ACCOUNT " #12АБ345678 ServiceID=12АБ345678-01");

    sb_reset(&b);
    assert_int_equal(export_meter_request(&b, HOUSE, &err), 0);
    struct export_context house = { .house = HOUSE };
    export_and_parse("exportMeteringDeviceData", &b, &house, &g, &sum);
    EXPECT(&g, "meter SN-1 = 5e2f1c3a-8b7d-4f6e-9a1b-c2d3e4f5a6b7 house=" HOUSE ";kind=onerate");
    EXPECT(&g, "meter_kind SN-1 = onerate");
    EXPECT(&g, "meter Э-2 = 5e2f1c3a-8b7d-4f6e-9a1b-c2d3e4f5a6b8 house=" HOUSE ";kind=electric");
    EXPECT(&g, "meter_kind Э-2 = electric");
    EXPECT(&g, "meter " HOUSE "|Э-2 = 5e2f1c3a-8b7d-4f6e-9a1b-c2d3e4f5a6b8 house=" HOUSE ";kind=electric");
    EXPECT(&g, "meter_kind " HOUSE "|SN-1 = onerate");
    assert_int_equal(g.n, 8);

    sb_reset(&b);
    assert_int_equal(export_nsi_item_request(&b, 2, NULL, &err), 0);
    export_and_parse("exportNsiItem", &b, NULL, &g, &sum);
    EXPECT(&g, "nsi 2|1 = 00000000-0000-4000-8000-000000000002 #1 name=Холодная вода");
    EXPECT(&g, "nsi 2|Горячая вода = 00000000-0000-4000-8000-000000000003 #2 name=Горячая вода");
    assert_int_equal(g.n, 4);

    sb_reset(&b);
    assert_int_equal(export_provider_nsi_request(&b, 51, &err), 0);
    export_and_parse("exportDataProviderNsiItem", &b, NULL, &g, &sum);
    EXPECT(&g, "nsi 51|ХВС = 00000000-0000-4000-8000-000000000051 #1.1 name=ХВС");

    sb_reset(&b);
    assert_int_equal(export_org_request(&b, (const char *[]){ "1027700000000" }, 1, &err), 0);
    export_and_parse("exportOrgRegistry", &b, NULL, &g, &sum);
    EXPECT(&g, "org 1027700000000 = 11111111-2222-4333-8444-666666666666 root=11111111-2222-4333-8444-555555555555");
    assert_int_equal(sum.next_page, 0);

    sb_reset(&b);
    assert_int_equal(export_data_provider_request(&b, &err), 0);
    export_and_parse("exportDataProvider", &b, NULL, &g, &sum);
    EXPECT(&g, "data_provider 11111111-2222-4333-8444-555555555555 = " ORG);

    sb_reset(&b);
    assert_int_equal(export_payment_documents_request(&b, 2026, 10, (const char *[]){ ACCOUNT }, 1, &err), 0);
    struct export_context october = { .period = "2026-10" };
    export_and_parse("exportPaymentDocumentData", &b, &october, &g, &sum);
    /* the attrs keep what the payment-document report shows (run/bills.c) */
    EXPECT(&g, "payment_document " ACCOUNT "|ПД-7|2026-10 = - #12АБ345678-01-6101 account=" ACCOUNT
               ";number=ПД-7;period=2026-10");

    /* nothing to export: INT002012 is an empty answer */
    sb_reset(&b);
    assert_int_equal(export_house_request(&b, "00000000-1111-4222-8333-444444444444", &err), 0);
    export_and_parse("exportHouseData", &b, NULL, &g, &sum);
    assert_int_equal(sum.empty, 1);
    assert_int_equal(g.n, 0);
    sb_free(&b);
}

struct debt_seen {
    long n;
    char first_attrs[400];
};

static int count_debt(void *ctx, const struct export_entry *e)
{
    struct debt_seen *s = ctx;
    if (!s->n++)
        snprintf(s->first_attrs, sizeof s->first_attrs, "%s %s", e->key[0], e->attrs ? e->attrs : "");
    assert_string_equal(e->kind, "debt_subrequest");
    return 0;
}

/* exportDebtSubrequests through the simulator: blocks of 100 with
 * nextSubrequestGUID, the answer itself schema-valid (14.5.0.1), free text
 * with ';', '=' and '%' kept whole in the attrs. */
static void test_debt_subrequests_paged(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    strbuf b = STRBUF_INIT;
    char today[16], from[16];
    time_t now = time(NULL);
    strftime(today, sizeof today, "%Y-%m-%d", gmtime(&now));
    now -= 30 * 86400;
    strftime(from, sizeof from, "%Y-%m-%d", gmtime(&now));
    assert_int_equal(export_debt_subrequests_request(&b, from, today, NULL, &err), 0);
    struct gis_state_result res;
    sim_ask(gis, ORG, "exportDebtSubrequests", sb_str(&b), &res);
    assert_non_null(res.result);
    if (schema_validate_element(xsd, res.result, NULL, NULL, &err) != 0)
        fail_msg("the simulator's exportDSRsResult is not schema-valid: %s", err.msg);
    struct debt_seen seen = { 0 };
    struct export_summary sum;
    assert_int_equal(export_parse("exportDebtSubrequests", &res, NULL, count_debt, &seen, &sum, &err), 0);
    assert_int_equal(seen.n, 100);
    assert_int_equal(sum.next_page, 1);
    assert_string_equal(sum.next_guid, "00000064-aaaa-4bbb-8ccc-000000000001");   /* the 101st */
    char *addr = attrs_get(strchr(seen.first_attrs, ' ') + 1, "address");
    assert_string_equal(addr, "ул. Тест; д.=0%");
    free(addr);
    gis_state_result_clear(&res);
    sb_reset(&b);
    assert_int_equal(export_debt_subrequests_request(&b, from, today, sum.next_guid, &err), 0);
    sim_ask(gis, ORG, "exportDebtSubrequests", sb_str(&b), &res);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(export_parse("exportDebtSubrequests", &res, NULL, count_debt, &seen, &sum, &err), 0);
    assert_int_equal(seen.n, 5);
    assert_int_equal(sum.next_page, 0);
    gis_state_result_clear(&res);
    sb_free(&b);
}

/* The paging marker and a failed request, on a hand-made answer. */
static void test_paging_and_errors(void **state)
{
    (void)state;
    static const char *paged =
        "<ro:getStateResult xmlns:ro=\"http://dom.gosuslugi.ru/schema/integration/organizations-registry-common/\""
        " xmlns:base=\"http://dom.gosuslugi.ru/schema/integration/base/\""
        " xmlns:org-reg=\"http://dom.gosuslugi.ru/schema/integration/organizations-registry-base/\""
        " xmlns:orgb=\"http://dom.gosuslugi.ru/schema/integration/organizations-base/\" base:version=\"10.0.2.1\">"
        "<base:MessageGUID>" ACCOUNT "</base:MessageGUID><base:RequestState>3</base:RequestState>"
        "<ro:exportOrgRegistryResult><org-reg:orgRootEntityGUID>11111111-2222-4333-8444-555555555555</org-reg:orgRootEntityGUID>"
        "<ro:OrgVersion><org-reg:orgVersionGUID>11111111-2222-4333-8444-666666666666</org-reg:orgVersionGUID>"
        "<ro:lastEditingDate>2026-10-01</ro:lastEditingDate><ro:IsActual>true</ro:IsActual>"
        "<ro:Legal><org-reg:FullName>ООО</org-reg:FullName><orgb:OGRN>1027700000000</orgb:OGRN></ro:Legal>"
        "</ro:OrgVersion></ro:exportOrgRegistryResult><ro:IsNextPage>true</ro:IsNextPage></ro:getStateResult>";
    hcs_err err = { 0 };
    struct gis_state_result res;
    memset(&res, 0, sizeof res);
    assert_int_equal(soap_parse_state(paged, strlen(paged), &res, NULL, &err), 0);
    struct got g = { 0 };
    struct export_summary sum;
    assert_int_equal(export_parse("exportOrgRegistry", &res, NULL, keep, &g, &sum, &err), 0);
    assert_int_equal(sum.next_page, 1);
    assert_int_equal(g.n, 1);
    assert_int_equal(export_parse("importAccountData", &res, NULL, keep, &g, &sum, &err), -1);
    gis_state_result_clear(&res);

    static const char *failed =
        "<hm:getStateResult xmlns:hm=\"http://dom.gosuslugi.ru/schema/integration/house-management/\""
        " xmlns:base=\"http://dom.gosuslugi.ru/schema/integration/base/\" base:version=\"12.2.0.1\">"
        "<base:MessageGUID>" ACCOUNT "</base:MessageGUID><base:RequestState>3</base:RequestState>"
        "<base:ErrorMessage><base:ErrorCode>INT002000</base:ErrorCode><base:Description>нет</base:Description>"
        "</base:ErrorMessage></hm:getStateResult>";
    memset(&res, 0, sizeof res);
    assert_int_equal(soap_parse_state(failed, strlen(failed), &res, NULL, &err), 0);
    assert_int_equal(export_parse("exportHouseData", &res, NULL, keep, &g, &sum, &err), -1);
    assert_int_equal(err.code, HCS_EX_PROTOCOL);
    assert_non_null(strstr(err.msg, "INT002000"));
    gis_state_result_clear(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_requests_schema_valid),
        cmocka_unit_test(test_sim_answers_parse),
        cmocka_unit_test(test_debt_subrequests_paged), cmocka_unit_test(test_paging_and_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
