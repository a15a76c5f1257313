/* Unit tests for the pure exchange rules: the getState cadence, the GIS
 * error policy table (PROTOCOL.md), the token bucket and the back-off. */
#include "testutil.h"

#include <string.h>

#include "exchange/exchange.h"
#include "base/xalloc.h"
#include "exchange/policy.h"
#include "store/store.h"
#include "transport/transport.h"

static void test_poll_schedule(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    struct poll_schedule s;
    assert_int_equal(poll_schedule_parse("10,60,300,900,1800", &s, &err), 0);
    assert_int_equal(s.n, 5);
    assert_int_equal(poll_schedule_delay(&s, 0), 10);     /* first getState 10 s after the ack */
    assert_int_equal(poll_schedule_delay(&s, 1), 60);
    assert_int_equal(poll_schedule_delay(&s, 3), 900);
    assert_int_equal(poll_schedule_delay(&s, 4), 1800);
    assert_int_equal(poll_schedule_delay(&s, 40), 1800);  /* the last repeats */
    assert_int_equal(poll_schedule_parse(" 0 , 1 ", &s, &err), 0);
    assert_int_equal(poll_schedule_delay(&s, 0), 0);
    assert_int_equal(poll_schedule_delay(&s, 9), 1);
    assert_int_equal(poll_schedule_parse("", &s, &err), -1);
    assert_int_equal(err.code, HCS_EX_CONFIG);
    assert_int_equal(poll_schedule_parse("10,-5", &s, &err), -1);
    assert_int_equal(poll_schedule_parse("10;60", &s, &err), -1);
    assert_int_equal(poll_schedule_parse("ten", &s, &err), -1);
    assert_non_null(strstr(err.msg, "poll_schedule"));
}

static void test_error_policy(void **state)
{
    (void)state;
    assert_int_equal(policy_for_code("INT002012", POLICY_ON_RESULT), POLICY_EMPTY_RESULT);
    assert_int_equal(policy_for_code("INT002013", POLICY_ON_POLL), POLICY_STOP_POLLING);
    assert_int_equal(policy_for_code("INT002013", POLICY_ON_RESULT), POLICY_STOP_POLLING);
    assert_int_equal(policy_for_code("EXP001000", POLICY_ON_SEND), POLICY_REBUILD);
    assert_int_equal(policy_for_code("EXP001000", POLICY_ON_RESULT), POLICY_REBUILD);
    assert_int_equal(policy_for_code("EXP001000", POLICY_ON_POLL), POLICY_POLL_AGAIN);
    assert_int_equal(policy_for_code("INT002029", POLICY_ON_SEND), POLICY_MAINTENANCE);
    assert_int_equal(policy_for_code("INT002029", POLICY_ON_POLL), POLICY_MAINTENANCE);
    assert_int_equal(policy_for_code("INT002018", POLICY_ON_SEND), POLICY_RETRY_LATER);
    assert_int_equal(policy_for_code("INT002018", POLICY_ON_POLL), POLICY_POLL_AGAIN);
    assert_int_equal(policy_for_code("EXP002001", POLICY_ON_SEND), POLICY_RETRY_LATER);
    assert_int_equal(policy_for_code("EXP002003", POLICY_ON_POLL), POLICY_POLL_AGAIN);
    assert_int_equal(policy_for_code("EXP002002", POLICY_ON_RESULT), POLICY_REBUILD);
    assert_int_equal(policy_for_code("AUT011006", POLICY_ON_SEND), POLICY_FAIL);
    assert_int_equal(policy_for_code("AUT001102", POLICY_ON_POLL), POLICY_FAIL);
    assert_int_equal(policy_for_code("FMT001300", POLICY_ON_SEND), POLICY_FAIL);
    assert_int_equal(policy_for_code("INT002000", POLICY_ON_RESULT), POLICY_FAIL);
    assert_int_equal(policy_for_code(NULL, POLICY_ON_SEND), POLICY_FAIL);
    assert_string_equal(policy_action_name(POLICY_REBUILD), "rebuild");
}

static void test_token_bucket(void **state)
{
    (void)state;
    struct token_bucket b;
    token_bucket_init(&b, 5, 2, 100.0);
    assert_true(token_bucket_take(&b, 100.0) == 0);      /* burst of 2 */
    assert_true(token_bucket_take(&b, 100.0) == 0);
    double w = token_bucket_take(&b, 100.0);               /* empty: 1/5 s to the next */
    assert_true(w > 0.19 && w < 0.21);
    w = token_bucket_take(&b, 100.1);
    assert_true(w > 0.09 && w < 0.11);
    assert_true(token_bucket_take(&b, 100.2) == 0);
    assert_true(token_bucket_take(&b, 100.2) > 0);
    /* idle for long: never more than the burst */
    assert_true(token_bucket_take(&b, 200.0) == 0);
    assert_true(token_bucket_take(&b, 200.0) == 0);
    assert_true(token_bucket_take(&b, 200.0) > 0);
    /* over 10 s at most burst + rate*10 tokens */
    token_bucket_init(&b, 5, 2, 0);
    int taken = 0;
    for (double t = 0; t <= 10.0; t += 0.001)
        if (token_bucket_take(&b, t) == 0)
            taken++;
    assert_true(taken <= 2 + 50 + 1 && taken >= 50);
    /* rate 0 = unlimited */
    token_bucket_init(&b, 0, 1, 0);
    for (int i = 0; i < 100; i++)
        assert_true(token_bucket_take(&b, 0) == 0);
}

static void test_backoff(void **state)
{
    (void)state;
    unsigned seed = 42;
    for (int i = 0; i < 200; i++) {
        long d1 = backoff_delay_ms(1, 1000, 60000, &seed);
        assert_true(d1 >= 500 && d1 <= 1000);             /* equal jitter: [d/2, d] */
        long d3 = backoff_delay_ms(3, 1000, 60000, &seed);
        assert_true(d3 >= 2000 && d3 <= 4000);
        long d20 = backoff_delay_ms(20, 1000, 60000, &seed);
        assert_true(d20 >= 30000 && d20 <= 60000);        /* capped */
    }
    /* jitter: not all the same */
    long a = backoff_delay_ms(2, 1000, 60000, &seed), same = 1;
    for (int i = 0; i < 20; i++)
        if (backoff_delay_ms(2, 1000, 60000, &seed) != a)
            same = 0;
    assert_false(same);
}

static void test_registry_kinds(void **state)
{
    (void)state;
    assert_string_equal(exchange_registry_kind("importAccountData"), "account");
    assert_string_equal(exchange_registry_kind("importPaymentDocumentData"), "payment_document");
    assert_null(exchange_registry_kind("nope"));
}

/* The resolver over a real registry: KIND answers the GUID, KIND.unique_number
 * the unique number GIS gave (a withdrawal's PaymentDocumentID). */
static void test_resolve_fields(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *path = xasprintf("%s/state.db", dir);
    hcs_err err = { 0 };
    store *st = store_open_sqlite(path, 1000, &err);
    assert_non_null(st);
    const char *key = "00010010|ПД-2026-10-0010|2026-10";
    struct store_registry_entry e = {
        .kind = "payment_document", .local_key = (char *)key,
        .guid = "020a3201-ecf0-46b8-b1ba-ac43d82a947e", .unique_number = "76АБ000100-02-1026",
    };
    assert_int_equal(store_registry_put(st, &e, &err), 0);
    char id[37];
    assert_int_equal(exchange_resolve(st, "payment_document", key, id), 1);
    assert_string_equal(id, "020a3201-ecf0-46b8-b1ba-ac43d82a947e");
    assert_int_equal(exchange_resolve(st, "payment_document.guid", key, id), 1);
    assert_string_equal(id, "020a3201-ecf0-46b8-b1ba-ac43d82a947e");
    assert_int_equal(exchange_resolve(st, "payment_document.unique_number", key, id), 1);
    assert_string_equal(id, "76АБ000100-02-1026");
    assert_int_equal(exchange_resolve(st, "payment_document.unique_number", "00010010|ПД-1|2026-10", id), 0);
    assert_int_equal(exchange_resolve(st, "account.unique_number", key, id), 0);   /* other kind */
    assert_int_equal(exchange_resolve(st, "payment_document.version_guid", key, id), -1);
    /* no unique number stored, or one too long for the answer: unknown, never cut */
    struct store_registry_entry g = { .kind = "account", .local_key = "00010010",
                                      .guid = "923f2d37-bb17-5ecf-a189-fbf4bdd603fa" };
    assert_int_equal(store_registry_put(st, &g, &err), 0);
    assert_int_equal(exchange_resolve(st, "account.unique_number", "00010010", id), 0);
    g.unique_number = "ЛЛЛЛЛЛЛЛЛЛЛЛЛЛЛЛЛЛЛ";      /* 19 Cyrillic letters = 38 bytes */
    assert_int_equal(store_registry_put(st, &g, &err), 0);
    assert_int_equal(exchange_resolve(st, "account.unique_number", "00010010", id), 0);
    assert_int_equal(exchange_resolve(st, "account", "00010010", id), 1);
    store_close(st);
    char *cmd = xasprintf("rm -rf '%s'", dir);
    tu_run(cmd);
    free(cmd);
    free(path);
    free(dir);
}

/* Outages: the wait grows with the outage, capped; a packet is given up
 * only when give_up_after is set and the outage is that old. */
static void test_outage_policy(void **state)
{
    (void)state;
    assert_int_equal(policy_backoff(300, 3600, 0), 300);       /* first failure: the base */
    assert_int_equal(policy_backoff(300, 3600, 120), 300);
    assert_int_equal(policy_backoff(300, 3600, 900), 900);     /* as long as it has lasted */
    assert_int_equal(policy_backoff(300, 3600, 86400), 3600);  /* capped */
    assert_int_equal(policy_backoff(300, 0, 86400), 86400);    /* 0 = no cap */
    assert_int_equal(policy_backoff(1, 1, 100000), 1);
    assert_int_equal(policy_backoff(0, 60, -5), 0);            /* clock went back */
    assert_int_equal(policy_give_up(0, 1000, 999999), 0);      /* default: never */
    assert_int_equal(policy_give_up(3600, 0, 999999), 0);      /* GIS answered: no outage */
    assert_int_equal(policy_give_up(3600, 1000, 4599), 0);
    assert_int_equal(policy_give_up(3600, 1000, 4600), 1);
    /* transient answers to a send never fail a packet */
    assert_int_equal(policy_for_code("EXP001000", POLICY_ON_SEND), POLICY_REBUILD);
    assert_int_equal(policy_for_code("INT002018", POLICY_ON_SEND), POLICY_RETRY_LATER);
    assert_int_equal(policy_for_code("EXP002001", POLICY_ON_SEND), POLICY_RETRY_LATER);
}

int main(void)
{
    const struct CMUnitTest policy[] = {
        cmocka_unit_test(test_poll_schedule), cmocka_unit_test(test_error_policy),
        cmocka_unit_test(test_outage_policy),
    };
    const struct CMUnitTest pacing[] = { cmocka_unit_test(test_token_bucket), cmocka_unit_test(test_backoff) };
    const struct CMUnitTest registry[] = {
        cmocka_unit_test(test_registry_kinds), cmocka_unit_test(test_resolve_fields),
    };
    return cmocka_run_group_tests_name("policy", policy, NULL, NULL) |
           cmocka_run_group_tests_name("pacing", pacing, NULL, NULL) |
           cmocka_run_group_tests_name("registry", registry, NULL, NULL);
}
