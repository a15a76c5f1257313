/* Unit tests for the debt-request helpers: the registry's attrs codec
 * (base/attrs), working days and the open / due-soon / overdue counts of
 * the accountant's workbook (report/report_debt). */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "base/attrs.h"
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "read/read.h"
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

/* The workbook, read back with the converter's own XLSX reader: Russian
 * headers the importResponses template matches, rows sorted by deadline,
 * overdue and due-soon rows named, the input columns empty. */
static void test_workbook_reads_back(void **state)
{
    (void)state;
    char *dir = tu_tmpdir(), *path = path_join(dir, "debt.xlsx");
    struct debt_row rows[] = {
        { .guid = "g-later", .number = "ДЗ-2", .org = "УСЗН", .address = "ул. Свободы, д. 1; кв. 2",
          .from = "2025-01-01", .to = "2025-12-31", .sent = "2026-12-01", .deadline = "2026-12-20" },
        { .guid = "g-overdue", .number = "ДЗ-1", .org = "УСЗН", .address = "ул. Свободы, д. 1",
          .from = "2025-01-01", .to = "2025-12-31", .sent = "2026-11-25", .deadline = "2026-12-03" },
        { .guid = "g-soon", .number = "ДЗ-3", .org = "УСЗН", .address = "ул. Свободы, д. 3",
          .from = "2025-01-01", .to = "2025-12-31", .sent = "2026-12-02", .deadline = "2026-12-08" },
    };
    const char *types[] = { "Судебный приказ", "Решение суда" };
    struct debt_counts c;
    hcs_err err = { 0 };
    if (report_debt_workbook(path, rows, 3, "2026-12-04", types, 2, &c, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(c.open, 3);
    assert_int_equal(c.due_soon, 2);
    assert_int_equal(c.overdue, 1);
    char *tmp = xasprintf("%s.tmp", path);
    assert_false(file_exists(tmp));            /* renamed into place */
    free(tmp);
    struct table_opts o = { 0 };
    table *t = table_open(path, &o, &err);
    if (!t)
        fail_msg("%s", err.msg);
    const struct table_row *h = table_header(t), *r;
    assert_string_equal(h->cells[0], "Идентификатор подзапроса");
    assert_string_equal(h->cells[6], "Срок ответа");
    assert_string_equal(h->cells[8], "Задолженность");
    assert_string_equal(h->cells[14], "Файл судебного акта");
    static const char *const want[][3] = { { "g-overdue", "03.12.2026", "ПРОСРОЧЕН" },
                                           { "g-soon", "08.12.2026", "срок ≤ 2 раб. дней" },
                                           { "g-later", "20.12.2026", "открыт" } };
    int n = 0;
    while (table_next(t, &r, &err) == 1) {
        assert_true(n < 3);
        assert_string_equal(r->cells[0], want[n][0]);
        assert_string_equal(r->cells[6], want[n][1]);
        assert_string_equal(r->cells[7], want[n][2]);
        assert_string_equal(r->cells[8], "");
        n++;
    }
    assert_int_equal(n, 3);
    table_close(t);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attrs_round_trip),
        cmocka_unit_test(test_working_days),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_workbook_reads_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
