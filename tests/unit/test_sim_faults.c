/* test_sim_faults — the --faults spec: syntax errors named, schedules by
 * request number, action filters, the file store scope, slow factors and
 * seeded reproducibility. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "sim/sim_faults.h"

static sim_faults *parse_ok(const char *spec, unsigned long long seed)
{
    hcs_err err = { 0 };
    sim_faults *f = sim_faults_parse(spec, seed, &err);
    if (!f)
        fail_msg("'%s': %s", spec, err.msg);
    return f;
}

static void test_bad_specs(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "nosuch=0.1", "http503", "http503=1.5", "http503=x", "http503@0", "http503@5-3",
        "stall=0.1:30parsecs", "slow=fast", "reset=0.1:2x", "result@1:EXP00100", "result@1:exp001000",
        "result=0.5:2x", NULL
    };
    for (int i = 0; bad[i]; i++) {
        hcs_err err = { 0 };
        sim_faults *f = sim_faults_parse(bad[i], 1, &err);
        if (f)
            fail_msg("accepted '%s'", bad[i]);
        assert_int_equal(err.code, HCS_EX_USAGE);
        assert_non_null(strstr(err.msg, "--faults"));
    }
}

static void test_schedules_and_filters(void **state)
{
    (void)state;
    sim_faults *f = parse_ok("http503@2-3,stall@4:1500ms,exp001000/importAccountData@5,"
                             "reset/filestore@6,slow/getState=3x", 1);
    struct sim_fault out;
    sim_faults_decide(f, 1, "importAccountData", &out);
    assert_int_equal(out.kind, FAULT_NONE);
    sim_faults_decide(f, 2, "importAccountData", &out);
    assert_int_equal(out.kind, FAULT_HTTP503);
    sim_faults_decide(f, 3, "getState", &out);
    assert_int_equal(out.kind, FAULT_HTTP503);
    assert_true(out.slow_factor == 3.0);
    sim_faults_decide(f, 4, "getState", &out);
    assert_int_equal(out.kind, FAULT_STALL);
    assert_true(out.stall_seconds == 1.5);
    sim_faults_decide(f, 5, "getState", &out);          /* filtered to importAccountData */
    assert_int_equal(out.kind, FAULT_NONE);
    sim_faults_decide(f, 5, "importAccountData", &out);
    assert_int_equal(out.kind, FAULT_EXP001000);
    assert_true(out.slow_factor == 1.0);
    sim_faults_decide(f, 6, "importAccountData", &out); /* reset is for the file store only */
    assert_int_equal(out.kind, FAULT_NONE);
    sim_faults_decide(f, 6, "filestore", &out);
    assert_int_equal(out.kind, FAULT_RESET);
    sim_faults_decide(f, 2, "filestore", &out);         /* unfiltered rules are SOAP only */
    assert_int_equal(out.kind, FAULT_NONE);
    assert_string_equal(sim_fault_name(FAULT_MAINTENANCE), "maintenance");
    sim_faults_free(f);
}

/* result rules carry the GIS code the message's getStateResult will hold. */
static void test_result_codes(void **state)
{
    (void)state;
    sim_faults *f = parse_ok("result/importAccountData@2,result@3:INT002029", 1);
    struct sim_fault out;
    sim_faults_decide(f, 1, "importAccountData", &out);
    assert_int_equal(out.kind, FAULT_NONE);
    assert_string_equal(out.result_code, "");
    sim_faults_decide(f, 2, "importAccountData", &out);
    assert_int_equal(out.kind, FAULT_RESULT);
    assert_string_equal(out.result_code, "EXP001000");
    sim_faults_decide(f, 3, "importPaymentDocumentData", &out);
    assert_int_equal(out.kind, FAULT_RESULT);
    assert_string_equal(out.result_code, "INT002029");
    assert_string_equal(sim_fault_name(FAULT_RESULT), "result");
    sim_faults_free(f);
}

static void sequence(unsigned long long seed, char *out, size_t n)
{
    sim_faults *f = parse_ok("http503=0.3,garbled=0.2,slow=0.5:2x", seed);
    size_t len = 0;
    for (long i = 1; i <= 60 && len + 2 < n; i++) {
        struct sim_fault fl;
        sim_faults_decide(f, i, "getState", &fl);
        out[len++] = (char)('0' + fl.kind);
        out[len++] = fl.slow_factor > 1 ? 's' : '-';
    }
    out[len] = '\0';
    sim_faults_free(f);
}

static void test_seeded_probabilities(void **state)
{
    (void)state;
    char a[256], b[256], c[256];
    sequence(42, a, sizeof a);
    sequence(42, b, sizeof b);
    sequence(43, c, sizeof c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    /* Roughly the asked rates over 60 requests: some of each, not all. */
    int n503 = 0, slow = 0;
    for (size_t i = 0; a[i]; i += 2) {
        n503 += a[i] == '0' + FAULT_HTTP503;
        slow += a[i + 1] == 's';
    }
    assert_in_range(n503, 5, 35);
    assert_in_range(slow, 15, 45);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_specs),
        cmocka_unit_test(test_schedules_and_filters),
        cmocka_unit_test(test_result_codes),
        cmocka_unit_test(test_seeded_probabilities),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
