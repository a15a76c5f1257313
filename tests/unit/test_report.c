/* Report writers over an in-memory source: outcome labels and codes, sheet
 * names, hints, the XLSX (checked by an independent reader, openpyxl, when
 * /usr/bin/python3 has it), errors.csv byte for byte.
 * HCS_REPORT_OUT=dir keeps the outputs there (tests/integration/test_report.sh
 * checks them further). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "report/report.h"
#include "report/report_internal.h"
#include "test_report_fake.h"

#define T0 1795489200L          /* 2026-11-24 03:00:00 UTC */

static const struct report_file fixture_files[] = {
    { 1, "/w/inbox/accounts/лицевые счета ноябрь.csv", "importAccountData", 5, "Номер ЛС" },
    { 2, "/w/inbox/readings/показания приборов учёта за ноябрь 2026 года [все дома].xlsx",
      "importMeteringDeviceValues", 4, "Заводской номер ПУ" },
    { 3, "/w/inbox/readings/ПОКАЗАНИЯ ПРИБОРОВ УЧЁТА ЗА НОЯБРЬ 2026 ГОДА [ВСЕ ДОМА].csv",
      "importMeteringDeviceValues", 1, NULL },
};

static const struct fake_row fixture_rows[] = {
    { 1, { 2, "ЛС 10001", REPORT_ACCEPTED, "5d1c9a4e-4c1b-4a4f-9c1e-0a0b0c0d0e01", "12АБ345678", NULL, NULL, NULL, NULL, NULL, T0 + 600 } },
    { 1, { 3, "=HYPERLINK(\"http://evil.example/\",\"click\")", REPORT_FAILED, NULL, NULL, "INT002006",
           "Объект уже существует: AccountNumber:10002", NULL, NULL, NULL, T0 + 610 } },
    { 1, { 4, "ЛС 10003", REPORT_REJECTED, NULL, NULL, NULL, NULL, "bad date: 31.02.2026", "Дата открытия",
           "31.02.2026", 0 } },
    { 1, { 5, "ЛС 10004", REPORT_PENDING, NULL, NULL, NULL, NULL, NULL, NULL, NULL, T0 + 300 } },
    { 1, { 6, "ЛС 10005", REPORT_DEFERRED, NULL, NULL, "INT002029", "Регламентные работы", NULL, NULL, NULL, T0 + 320 } },
    { 2, { 2, "ПУ 777-1", REPORT_ACCEPTED, "5d1c9a4e-4c1b-4a4f-9c1e-0a0b0c0d0e02", NULL, NULL, NULL, NULL, NULL, NULL, T0 + 700 } },
    { 2, { 3, "ПУ 777-2", REPORT_REJECTED, NULL, NULL, NULL, NULL, "missing value", "Показание", "", 0 } },
    { 2, { 3, "ПУ 777-2", REPORT_REJECTED, NULL, NULL, NULL, NULL, "not a number", "Показание T2", "=1+1", 0 } },
    { 2, { 4, "ПУ 777-3", REPORT_SENT, NULL, NULL, NULL, NULL, NULL, NULL, NULL, T0 + 200 } },
    { 2, { 5, "ПУ 777-4", REPORT_FAILED, NULL, NULL, "XYZ999999", "Текст \"в кавычках\"; с точкой с запятой\r\nи новой строкой",
           NULL, NULL, NULL, T0 + 720 } },
    { 3, { 2, "ПУ 1", REPORT_ACCEPTED, NULL, NULL, NULL, NULL, NULL, NULL, NULL, T0 + 900 } },
};

static const struct fake_state fixture_states[] = {
    { "done", 3 }, { "processing", 1 }, { "failed", 1 }, { "sent", 1 },
};

static struct fake_source fixture(void)
{
    struct fake_source fs;
    memset(&fs, 0, sizeof fs);
    fs.run = (struct report_run){ .run_id = "42", .started = T0, .finished = T0 + 1800, .oldest_pending_age = 7200,
                                  .retries = 3, .runs_total = 42, .last_success = T0 + 1800, .cert_days_left = 120 };
    fs.files = fixture_files;
    fs.nfiles = 3;
    fs.rows = fixture_rows;
    fs.nrows = sizeof fixture_rows / sizeof fixture_rows[0];
    fs.states = fixture_states;
    fs.nstates = 4;
    return fs;
}

/* Outputs go to $HCS_REPORT_OUT when set, else to a fresh temp dir. */
static char *out_dir(void)
{
    const char *keep = getenv("HCS_REPORT_OUT");
    if (keep && *keep) {
        hcs_err err;
        assert_int_equal(mkdir_p(keep, &err), 0);
        return xstrdup(keep);
    }
    return tu_tmpdir();
}

static void test_labels_and_codes(void **state)
{
    (void)state;
    assert_string_equal(report_outcome_label(REPORT_PENDING), "ожидает ответа ГИС");
    assert_string_equal(report_outcome_label(REPORT_REJECTED), "отклонено до отправки");
    assert_string_equal(report_outcome_name(REPORT_FAILED), "failed");
    assert_true(report_outcome_needs_action(REPORT_FAILED));
    assert_true(report_outcome_needs_action(REPORT_REJECTED));
    assert_false(report_outcome_needs_action(REPORT_PENDING));
    /* a held bill: the GIS text it quotes (schema, required, …) does not decide */
    assert_string_equal(report_reason_code("лицевой счёт 1 не загружен в ГИС — его загрузка не удалась "
                                           "(ГИС отклонила его): пакет № 3, файл «a.csv»: INT002012 "
                                           "не заполнено обязательное поле; строка не отправлена"),
                        "HCS-PREREQUISITE");
    assert_string_equal(report_reason_code("bad date: 31.02.2026"), "HCS-DATE");
    assert_string_equal(report_reason_code("Неверная дата"), "HCS-DATE");
    assert_string_equal(report_reason_code("not a number"), "HCS-NUMBER");
    assert_string_equal(report_reason_code("missing value"), "HCS-REQUIRED");
    assert_string_equal(report_reason_code("required column is empty: date"), "HCS-REQUIRED");
    assert_string_equal(report_reason_code("Обязательное поле не заполнено"), "HCS-REQUIRED");
    assert_string_equal(report_reason_code("duplicate account number"), "HCS-DUPLICATE");
    assert_string_equal(report_reason_code("unknown account 123"), "HCS-UNKNOWN-KEY");
    assert_string_equal(report_reason_code("something odd"), "HCS-VALUE");
    /* The converter's own Russian reasons (samples/ through hcsbatch run). */
    assert_string_equal(report_reason_code("значения нет в справочнике НСИ 95"), "HCS-NSI");
    assert_string_equal(report_reason_code("нет идентификатора ГИС: заполните колонку"), "HCS-UNKNOWN-KEY");
    assert_string_equal(report_reason_code("строка отклонена вместе со всем элементом: ошибка в строке 17"),
                        "HCS-ELEMENT");
    assert_string_equal(report_reason_code("не прошло проверку схемы ГИС ЖКХ: [facet 'length']"), "HCS-SCHEMA");
    assert_string_equal(report_reason_code("неверный период, ожидается ММ.ГГГГ"), "HCS-PERIOD");
    assert_string_equal(report_reason_code("неверная дата, ожидается ДД.ММ.ГГГГ"), "HCS-DATE");
    assert_string_equal(report_reason_code("неверное число (not a number)"), "HCS-NUMBER");
    assert_string_equal(report_reason_code("не заполнено обязательное поле"), "HCS-REQUIRED");
    assert_string_equal(report_reason_code(NULL), "HCS-VALUE");
}

static void test_sheet_names(void **state)
{
    (void)state;
    struct sheet_names sn = { 0 };
    assert_string_equal(sheet_name_make(&sn, "Сводка"), "Сводка");
    /* Same name in other case (Cyrillic): made unique. */
    assert_string_equal(sheet_name_make(&sn, "СВОДКА"), "СВОДКА (2)");
    const char *n = sheet_name_make(&sn, "показания приборов учёта за ноябрь 2026 года [все дома]");
    assert_true(utf8_chars(n) <= 31);
    assert_null(strpbrk(n, "[]:*?/\\"));
    const char *m = sheet_name_make(&sn, "ПОКАЗАНИЯ ПРИБОРОВ УЧЁТА ЗА НОЯБРЬ 2026 ГОДА [ВСЕ ДОМА]");
    assert_true(utf8_chars(m) <= 31);
    assert_string_not_equal(n, m);
    assert_string_equal(sheet_name_make(&sn, "'a:b'"), "a_b");
    assert_string_equal(sheet_name_make(&sn, "''"), "Лист");
    sheet_names_free(&sn);

    char *t = cell_text("a\x01" "b\r\nc\xff", 100);
    assert_string_equal(t, "a\xEF\xBF\xBD" "b\nc\xEF\xBF\xBD");
    free(t);
    t = cell_text("ЖЖЖ", 5);        /* cut on a character boundary */
    assert_string_equal(t, "ЖЖ");
    free(t);
}

/* A file's sheet is named after the whole file name: two exports that
 * differ only in the extension get two recognisable sheets. */
static void test_sheet_names_for_files(void **state)
{
    (void)state;
    struct sheet_names sn = { 0 };
    sheet_name_make(&sn, "Сводка");
    sheet_name_make(&sn, "Ошибки");
    assert_string_equal(sheet_name_for_file(&sn, "/w/inbox/accounts/accounts.csv"), "accounts.csv");
    assert_string_equal(sheet_name_for_file(&sn, "/w/inbox/accounts/accounts.xlsx"), "accounts.xlsx");
    assert_string_equal(sheet_name_for_file(&sn, "/w/archive/ACCOUNTS.CSV"), "ACCOUNTS.CSV (2)");
    /* Past 31 characters the stem is cut, the extension stays. */
    const char *n = sheet_name_for_file(&sn, "/w/показания приборов учёта за ноябрь 2026 года [все дома].xlsx");
    assert_int_equal(utf8_chars(n), 31);
    assert_string_equal(n, "показания приборов учёта з.xlsx");
    const char *m = sheet_name_for_file(&sn, "/w/показания приборов учёта за ноябрь 2026 года [все дома].xlsx");
    assert_true(utf8_chars(m) <= 31);
    assert_string_not_equal(n, m);
    /* Forbidden characters and an extension-less or odd name. */
    assert_string_equal(sheet_name_for_file(&sn, "/w/a:b*c?.csv"), "a_b_c_.csv");
    assert_string_equal(sheet_name_for_file(&sn, "/w/README"), "README");
    assert_string_equal(sheet_name_for_file(&sn, "/w/.hidden"), ".hidden");
    /* A file called like a reserved sheet does not take its place. */
    assert_string_equal(sheet_name_for_file(&sn, "/w/Ошибки"), "Ошибки (2)");
    sheet_names_free(&sn);
}

static void test_duration_text(void **state)
{
    (void)state;
    static const struct { long s; const char *want; } cases[] = {
        { 187, "3 мин 07 с" }, { 0, "0 мин 00 с" }, { 59, "0 мин 59 с" }, { 60, "1 мин 00 с" },
        { 1800, "30 мин 00 с" }, { 3723, "1 ч 02 мин 03 с" }, { -5, "0 мин 00 с" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = duration_text(cases[i].s);
        assert_string_equal(got, cases[i].want);
        free(got);
    }
}

static void test_hints(void **state)
{
    (void)state;
    hcs_err err;
    char *path = tu_path("templates/hints.csv");
    report_hints *h = report_hints_load(path, &err);
    free(path);
    assert_non_null(h);
    static const char *const must[] = { "INT002000", "INT002006", "INT002034", "INT002012", "INT002013",
        "INT002029", "EXP001000", "AUT011004", "AUT011005", "AUT011006", "AUT011007", "AUT011008",
        "AUT011009", "AUT001102", "FMT001300", "FIL001001", "FIL001002", "HCS-DATE", "HCS-NUMBER",
        "HCS-REQUIRED", "HCS-VALUE", "HCS-NSI", "HCS-UNKNOWN-KEY", "HCS-ELEMENT", "HCS-SCHEMA",
        "HCS-PERIOD", "HCS-DUPLICATE", "HCS-LENGTH", "HCS-FILE", NULL };
    for (const char *const *c = must; *c; c++) {
        const char *hint = report_hints_get(h, *c);
        if (!hint)
            fail_msg("no hint for %s", *c);
    }
    assert_non_null(strstr(report_hints_get(h, "INT002012"), "не ошибка"));
    /* Unknown GIS code: the fallback line; unknown code of ours: nothing. */
    assert_non_null(report_hints_get(h, "XYZ999999"));
    assert_null(report_hints_get(h, "HCS-NOPE"));
    assert_null(report_hints_get(NULL, "INT002012"));
    /* The file store's table merges in; the first table's lines win. */
    char *fs = tu_path("templates/filestore-errors.csv");
    if (file_exists(fs)) {
        assert_int_equal(report_hints_merge(h, fs, &err), 0);
        assert_non_null(strstr(report_hints_get(h, "HashConflictException"), "Контрольная сумма"));
        assert_non_null(strstr(report_hints_get(h, "INT002012"), "не ошибка"));
    }
    free(fs);
    report_hints_free(h);

    char *dir = tu_tmpdir();
    char *bad = path_join(dir, "bad.csv");
    tu_write_str(bad, "code;hint\n\"unterminated;x\n");
    assert_null(report_hints_load(bad, &err));
    char *missing = path_join(dir, "missing.csv");
    assert_null(report_hints_load(missing, &err));
    free(bad);
    free(missing);
    free(dir);
}

static void test_xlsx(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    struct fake_source fs = fixture();
    struct report_source src = fake_as_source(&fs);
    hcs_err err;
    char *hp = tu_path("templates/hints.csv");
    report_hints *h = report_hints_load(hp, &err);
    free(hp);
    assert_non_null(h);
    char *dir = out_dir();
    char *path = path_join(dir, "report.xlsx");
    struct report_totals tot;
    int rc = report_write_xlsx(&src, path, h, &tot, &err);
    if (rc != 0)
        fail_msg("%s", err.msg);
    assert_true(file_exists(path));
    char *tmp = xasprintf("%s.tmp", path);
    assert_false(file_exists(tmp));
    free(tmp);
    assert_int_equal(tot.files, 3);
    assert_int_equal(tot.rows, 11);
    assert_int_equal(tot.by_outcome[REPORT_ACCEPTED], 3);
    assert_int_equal(tot.by_outcome[REPORT_FAILED], 2);
    assert_int_equal(tot.by_outcome[REPORT_REJECTED], 3);
    assert_int_equal(tot.by_outcome[REPORT_PENDING], 1);
    assert_int_equal(tot.need_action, 5);

    /* The independent reader; the integration test runs it too. */
    if (access("/usr/bin/python3", X_OK) == 0 &&
        tu_run("/usr/bin/python3 -c 'import openpyxl' 2>/dev/null") == 0) {
        char *checker = tu_path("tests/integration/check_report_xlsx.py");
        char *cmd = xasprintf("/usr/bin/python3 '%s' '%s'", checker, path);
        assert_int_equal(tu_run(cmd), 0);
        free(cmd);
        free(checker);
    } else {
        fprintf(stderr, "test_xlsx: openpyxl not available, XLSX content not checked here\n");
    }
    report_hints_free(h);
    free(path);
    free(dir);
}

static void test_xlsx_failing_source(void **state)
{
    (void)state;
    struct fake_source fs = fixture();
    struct report_source src = fake_as_source(&fs);
    src.rows = NULL;           /* no rows: still a valid report */
    hcs_err err;
    char *dir = tu_tmpdir();
    char *path = path_join(dir, "empty.xlsx");
    assert_int_equal(report_write_xlsx(&src, path, NULL, NULL, &err), 0);
    free(path);
    path = path_join(dir, "no-such-dir/x.xlsx");
    src = fake_as_source(&fs);
    assert_int_equal(report_write_xlsx(&src, path, NULL, NULL, &err), -1);
    assert_int_equal(err.code, HCS_EX_CANTCREAT);
    free(path);
    free(dir);
}

static void test_errors_csv(void **state)
{
    (void)state;
    struct fake_source fs = fixture();
    struct report_source src = fake_as_source(&fs);
    hcs_err err;
    char *dir = out_dir();
    char *path = path_join(dir, "errors.csv");
    if (report_write_errors_csv(&src, path, NULL, &err) != 0)
        fail_msg("%s", err.msg);
    size_t len;
    char *got = file_read_all(path, 1 << 20, &len, &err);
    assert_non_null(got);
    const char *expect =
        "\xEF\xBB\xBF"
        "Файл;Строка;Колонка;Значение;Код;Причина\r\n"
        "лицевые счета ноябрь.csv;3;;;INT002006;Объект уже существует: AccountNumber:10002\r\n"
        "лицевые счета ноябрь.csv;4;Дата открытия;31.02.2026;HCS-DATE;bad date: 31.02.2026\r\n"
        "показания приборов учёта за ноябрь 2026 года [все дома].xlsx;3;Показание;;HCS-REQUIRED;missing value\r\n"
        "показания приборов учёта за ноябрь 2026 года [все дома].xlsx;3;Показание T2;'=1+1;HCS-NUMBER;not a number\r\n"
        "показания приборов учёта за ноябрь 2026 года [все дома].xlsx;5;;;XYZ999999;"
        "\"Текст \"\"в кавычках\"\"; с точкой с запятой\nи новой строкой\"\r\n";
    assert_string_equal(got, expect);
    free(got);
    free(path);
    free(dir);
}

/* The same writer line by line, as `hcsbatch convert` uses it: rows as
 * they come, a whole-file line, rows needing no action skipped; nothing is
 * in place before errors_csv_close, and a discarded writer leaves nothing. */
static void test_errors_csv_lines(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    char *dir = tu_tmpdir();
    char *path = path_join(dir, "errors.csv");
    errors_csv *w = errors_csv_open(path, &err);
    assert_non_null(w);
    struct report_row later = { .row = 13, .outcome = REPORT_REJECTED, .column = "Общая площадь",
                                .value = "54,3а", .reason = "неверное число (не число)" };
    struct report_row earlier = { .row = 9, .outcome = REPORT_REJECTED, .column = "Дата рождения",
                                  .value = "31.02.1980", .reason = "неверная дата" };
    struct report_row fine = { .row = 10, .outcome = REPORT_ACCEPTED };
    struct report_row whole = { .row = 0, .outcome = REPORT_REJECTED, .code = REPORT_CODE_FILE,
                                .reason = "/in/b.csv: cannot open" };
    assert_int_equal(errors_csv_add(w, "/in/a.csv", &later, &err), 0);
    assert_int_equal(errors_csv_add(w, "/in/a.csv", &earlier, &err), 0);
    assert_int_equal(errors_csv_add(w, "/in/a.csv", &fine, &err), 0);
    assert_int_equal(errors_csv_add(w, "/in/b.csv", &whole, &err), 0);
    assert_false(file_exists(path));
    assert_int_equal(errors_csv_close(w, &err), 0);
    size_t len;
    char *got = file_read_all(path, 1 << 16, &len, &err);
    assert_non_null(got);
    assert_string_equal(got, "\xEF\xBB\xBF"
                             "Файл;Строка;Колонка;Значение;Код;Причина\r\n"
                             "a.csv;13;Общая площадь;54,3а;HCS-NUMBER;неверное число (не число)\r\n"
                             "a.csv;9;Дата рождения;31.02.1980;HCS-DATE;неверная дата\r\n"
                             "b.csv;;;;HCS-FILE;/in/b.csv: cannot open\r\n");
    free(got);
    char *other = path_join(dir, "other.csv");
    w = errors_csv_open(other, &err);
    assert_non_null(w);
    errors_csv_discard(w);
    char *tmp = xasprintf("%s.tmp", other);
    assert_false(file_exists(other));
    assert_false(file_exists(tmp));
    free(tmp);
    free(other);
    free(path);
    free(dir);
}

/* An outcome value the report does not know is shown as an error, never
 * indexes past the tables (the store might grow a state). */
static void test_unknown_outcome(void **state)
{
    (void)state;
    static const struct report_file files[] = { { 1, "/in/x.csv", "importAccountData", 1, NULL } };
    struct fake_row rows[] = { { 1, { 2, "ЛС 1", (enum report_outcome)99, NULL, NULL, "Q1", "?", NULL, NULL, NULL, 0 } } };
    struct fake_source fs = fixture();
    fs.files = files;
    fs.nfiles = 1;
    fs.rows = rows;
    fs.nrows = 1;
    struct report_source src = fake_as_source(&fs);
    hcs_err err;
    char *dir = tu_tmpdir();
    char *x = path_join(dir, "u.xlsx"), *c = path_join(dir, "u.csv");
    struct report_totals tot;
    assert_int_equal(report_write_xlsx(&src, x, NULL, &tot, &err), 0);
    assert_int_equal(tot.by_outcome[REPORT_FAILED], 1);
    assert_int_equal(tot.need_action, 1);
    assert_int_equal(report_write_errors_csv(&src, c, NULL, &err), 0);
    size_t len;
    char *got = file_read_all(c, 4096, &len, &err);
    assert_non_null(strstr(got, "x.csv;2;;;Q1;?\r\n"));
    free(got);
    free(x);
    free(c);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_labels_and_codes),
        cmocka_unit_test(test_sheet_names),
        cmocka_unit_test(test_sheet_names_for_files),
        cmocka_unit_test(test_duration_text),
        cmocka_unit_test(test_hints),
        cmocka_unit_test(test_xlsx),
        cmocka_unit_test(test_xlsx_failing_source),
        cmocka_unit_test(test_errors_csv),
        cmocka_unit_test(test_errors_csv_lines),
        cmocka_unit_test(test_unknown_outcome),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
