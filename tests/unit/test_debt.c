/* Unit tests for the debt-request helpers: the registry's attrs codec
 * (base/attrs), working days and the open / due-soon / overdue counts of
 * the accountant's workbook (report/report_debt). */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "base/attrs.h"
#include "report/report_debt.h"

static void test_attrs_round_trip(void **state)
{
    (void)state;
    strbuf sb = STRBUF_INIT;
    attrs_add(&sb, "org", "УСЗН; отдел=1 (100%)");
    attrs_add(&sb, "empty", "");
    attrs_add(&sb, "deadline", "2026-12-08");
    assert_string_equal(sb_str(&sb), "org=УСЗН%3B отдел%3D1 (100%25);deadline=2026-12-08");
    char *v = attrs_get(sb_str(&sb), "org");
    assert_string_equal(v, "УСЗН; отдел=1 (100%)");
    free(v);
    v = attrs_get(sb_str(&sb), "deadline");
    assert_string_equal(v, "2026-12-08");
    free(v);
    assert_null(attrs_get(sb_str(&sb), "empty"));
    assert_null(attrs_get(sb_str(&sb), "dead"));        /* a prefix is not a name */
    assert_null(attrs_get(NULL, "org"));
    v = attrs_get("root=abc", "root");                   /* older entries, unescaped */
    assert_string_equal(v, "abc");
    free(v);
    v = attrs_get("x=50%", "x");                         /* a stray % stays */
    assert_string_equal(v, "50%");
    free(v);
    sb_free(&sb);
}

static void test_working_days(void **state)
{
    (void)state;
    char out[11];
    assert_int_equal(debt_add_working_days("2026-12-04", 2, out), 0);   /* Friday → Tuesday */
    assert_string_equal(out, "2026-12-08");
    assert_int_equal(debt_add_working_days("2026-12-06", 2, out), 0);   /* Sunday → Tuesday */
    assert_string_equal(out, "2026-12-08");
    assert_int_equal(debt_add_working_days("2026-12-07", 2, out), 0);   /* Monday → Wednesday */
    assert_string_equal(out, "2026-12-09");
    assert_int_equal(debt_add_working_days("2026-12-31", 1, out), 0);
    assert_string_equal(out, "2027-01-01");
    assert_int_equal(debt_add_working_days("not a date", 2, out), -1);
}

static void test_counts(void **state)
{
    (void)state;
    struct debt_row rows[] = {
        { .guid = "a", .deadline = "2026-12-03" },   /* overdue */
        { .guid = "b", .deadline = "2026-12-04" },   /* today */
        { .guid = "c", .deadline = "2026-12-08" },   /* Tuesday: 2 working days from Friday */
        { .guid = "d", .deadline = "2026-12-09" },
        { .guid = "e", .deadline = NULL },
    };
    struct debt_counts c;
    debt_count(rows, 5, "2026-12-04", &c);
    assert_int_equal(c.open, 5);
    assert_int_equal(c.overdue, 1);
    assert_int_equal(c.due_soon, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attrs_round_trip),
        cmocka_unit_test(test_working_days),
        cmocka_unit_test(test_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
