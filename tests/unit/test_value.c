/* Unit tests for src/template/value: numbers, dates, periods, booleans, GUIDs,
 * SNILS, ИНН, ОГРН, БИК and the account key — accepted forms, canonical
 * output and the reasons for rejects. */
#include "testutil.h"

#include <string.h>

#include "template/value.h"

static void dec_ok(const char *in, int max_frac, int neg, const char *want)
{
    char out[64];
    const char *why = NULL;
    if (value_decimal(in, max_frac, neg, out, sizeof out, &why) != 0)
        fail_msg("value_decimal(\"%s\") failed: %s", in, why);
    assert_string_equal(out, want);
}

static void dec_bad(const char *in, int max_frac, int neg, const char *reason_part)
{
    char out[64];
    const char *why = NULL;
    assert_int_equal(value_decimal(in, max_frac, neg, out, sizeof out, &why), -1);
    assert_non_null(why);
    if (!strstr(why, reason_part))
        fail_msg("value_decimal(\"%s\"): reason \"%s\" lacks \"%s\"", in, why, reason_part);
}

static void test_decimal(void **state)
{
    (void)state;
    dec_ok("1 234,50", 2, 0, "1234.50");
    dec_ok("1234.5", 2, 0, "1234.5");
    dec_ok("1\xC2\xA0" "234", -1, 0, "1234");
    dec_ok("  007 ", -1, 0, "7");
    dec_ok(",5", 2, 0, "0.5");
    dec_ok("0", 2, 0, "0");
    dec_ok("-12,3", 2, 1, "-12.3");
    dec_ok("-0,00", 2, 0, "0.00");                 /* negative zero is zero */
    dec_ok("+5", 0, 0, "5");
    dec_ok("1,500", 2, 0, "1.50");                 /* trailing zeros are not precision */
    dec_ok("12.3456789", 7, 0, "12.3456789");
    dec_ok("0,99", 2, 0, "0.99");                  /* exactly max_frac digits */
    dec_ok("1,230", 2, 0, "1.23");
    dec_bad("0,001", 2, 0, "слишком много знаков после запятой");
    dec_bad("12.34567891", 7, 0, "слишком много знаков после запятой");
    dec_bad("1,234", 2, 0, "слишком много знаков после запятой");   /* an error, never rounded */
    dec_bad("1.5", 0, 0, "дробная часть не допускается");
    dec_bad("-1", 2, 0, "отрицательное");
    dec_bad("1,2,3", 2, 0, "не число");
    dec_bad("12a", 2, 0, "не число");
    dec_bad("", 2, 0, "пустое");
    dec_bad(" , ", 2, 0, "не число");
    dec_bad("1e5", -1, 0, "не число");
    char small[4];
    const char *why;
    assert_int_equal(value_decimal("12345", -1, 0, small, sizeof small, &why), -1);
}

static void test_integer(void **state)
{
    (void)state;
    char out[32];
    const char *why;
    assert_int_equal(value_integer(" 3 ", out, sizeof out, &why), 0);
    assert_string_equal(out, "3");
    assert_int_equal(value_integer("1 000", out, sizeof out, &why), 0);
    assert_string_equal(out, "1000");
    assert_int_equal(value_integer("4,00", out, sizeof out, &why), 0);
    assert_string_equal(out, "4");
    assert_int_equal(value_integer("2,5", out, sizeof out, &why), -1);
    assert_string_equal(why, "не целое число");
    assert_int_equal(value_integer("два", out, sizeof out, &why), -1);
}

static void test_date(void **state)
{
    (void)state;
    char out[16];
    const char *why;
    struct { const char *in, *want; } ok[] = {
        { "05.03.2024", "2024-03-05" }, { "5.3.2024", "2024-03-05" },
        { "2024-03-05", "2024-03-05" }, { "2024-03-05T13:45:00", "2024-03-05" },
        { "29.02.2024", "2024-02-29" }, { "29.02.2000", "2000-02-29" },
        { " 31.12.1999 ", "1999-12-31" }, { "01.02.2024 10:30", "2024-02-01" },
        { "31.01.2024", "2024-01-31" }, { "30.06.2024", "2024-06-30" }, { "28.02.2100", "2100-02-28" },
        { "01.01.2025", "2025-01-01" },
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        if (value_date(ok[i].in, out, sizeof out, &why) != 0)
            fail_msg("value_date(\"%s\"): %s", ok[i].in, why);
        assert_string_equal(out, ok[i].want);
    }
    const char *bad[] = { "29.02.2023", "29.02.1900", "31.04.2024", "00.01.2024", "2024-13-01",
                          "2024/03/05", "05.03.24", "45292", "вчера", "2024-03-05X", "",
                          "32.01.2024", "31.06.2024", "29.02.2100", "30.02.2024", "2024-02-30" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why = NULL;
        if (value_date(bad[i], out, sizeof out, &why) != -1)
            fail_msg("value_date(\"%s\") accepted", bad[i]);
        assert_non_null(why);
    }
    value_date("29.02.2023", out, sizeof out, &why);
    assert_string_equal(why, "такой даты нет в календаре");
    value_date("29.02.2100", out, sizeof out, &why);   /* a century, not divisible by 400 */
    assert_string_equal(why, "такой даты нет в календаре");
    value_date("45292", out, sizeof out, &why);
    assert_non_null(strstr(why, "отформатирована как дата"));
}

static void test_period(void **state)
{
    (void)state;
    int m = 0, y = 0;
    const char *why;
    assert_int_equal(value_period("03.2024", &m, &y, &why), 0);
    assert_int_equal(m, 3); assert_int_equal(y, 2024);
    assert_int_equal(value_period("2023-11", &m, &y, &why), 0);
    assert_int_equal(m, 11); assert_int_equal(y, 2023);
    assert_int_equal(value_period("1.2025", &m, &y, &why), 0);
    assert_int_equal(m, 1); assert_int_equal(y, 2025);
    assert_int_equal(value_period("2024-02-01", &m, &y, &why), 0);   /* XLSX date cell */
    assert_int_equal(m, 2); assert_int_equal(y, 2024);
    assert_int_equal(value_period("13.2024", &m, &y, &why), -1);
    assert_int_equal(value_period("2024", &m, &y, &why), -1);
    assert_int_equal(value_period("март", &m, &y, &why), -1);
    assert_non_null(strstr(why, "период"));
}

static void test_bool(void **state)
{
    (void)state;
    const char *yes[] = { "да", "ДА", " Да ", "д", "1", "true", "TRUE", "y", "Yes" };
    const char *no[] = { "нет", "НЕТ", "н", "0", "false", "N", "no" };
    int v;
    const char *why;
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        v = -1;
        assert_int_equal(value_bool(yes[i], &v, &why), 0);
        assert_int_equal(v, 1);
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        v = -1;
        assert_int_equal(value_bool(no[i], &v, &why), 0);
        assert_int_equal(v, 0);
    }
    assert_int_equal(value_bool("может", &v, &why), -1);
    assert_non_null(strstr(why, "да или нет"));
    assert_int_equal(value_bool("2", &v, &why), -1);
}

static void test_guid(void **state)
{
    (void)state;
    char out[40];
    const char *why;
    assert_int_equal(value_guid(" {6F1A2B3C-4D5E-4F60-8A7B-9C0D1E2F3A4B} ", out, sizeof out, &why), 0);
    assert_string_equal(out, "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b");
    assert_int_equal(value_guid("6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4", out, sizeof out, &why), -1);
    assert_string_equal(why, "не идентификатор GUID");
    assert_int_equal(value_guid("6f1a2b3c4d5e4f608a7b9c0d1e2f3a4b", out, sizeof out, &why), -1);
}

static void test_snils(void **state)
{
    (void)state;
    char out[16];
    const char *why;
    assert_int_equal(value_snils("112-233-445 95", out, sizeof out, &why), 0);
    assert_string_equal(out, "11223344595");
    assert_int_equal(value_snils("11223344595", out, sizeof out, &why), 0);
    assert_int_equal(value_snils("112-233-445 96", out, sizeof out, &why), -1);
    assert_string_equal(why, "неверная контрольная сумма СНИЛС");
    /* sum ≥ 101 → mod 101: 987-654-321 → 9*9+8*8+...+1*1 = 285 → 285 % 101 = 83 */
    assert_int_equal(value_snils("987 654 321 83", out, sizeof out, &why), 0);
    assert_int_equal(value_snils("987 654 321 84", out, sizeof out, &why), -1);
    /* numbers up to 001-001-998 carry no checksum */
    assert_int_equal(value_snils("001-001-998 00", out, sizeof out, &why), 0);
    assert_int_equal(value_snils("1122334459", out, sizeof out, &why), -1);
    assert_non_null(strstr(why, "11 цифр"));
    assert_int_equal(value_snils("112-233-445 9X", out, sizeof out, &why), -1);
}

/* The checksum's boundaries: a sum of 99 is itself, 100 and 101 give 00,
 * 102 is taken mod 101 (01), a remainder of 100 (sum 201) gives 00 again;
 * 001-001-998 is the last number without a checksum. */
static void test_snils_boundaries(void **state)
{
    (void)state;
    static const struct { const char *in; int ok; } cases[] = {
        { "001-326-678 99", 1 }, { "001-326-678 00", 0 },     /* sum 99 */
        { "001-508-815 00", 1 }, { "001-508-815 01", 0 },     /* sum 100 */
        { "001-437-544 00", 1 }, { "001-437-544 01", 0 },     /* sum 101 */
        { "001-318-759 01", 1 }, { "001-318-759 02", 0 },     /* sum 102 */
        { "006-996-682 00", 1 },                              /* sum 201: 201 mod 101 = 100 → 00 */
        { "006-877-897 00", 1 },                              /* sum 202: 202 mod 101 = 0 */
        { "001-001-998 37", 1 },                              /* no checksum yet */
        { "001-001-999 37", 0 },                              /* sum 1*7+1*4+9*3+9*2+9*1 = 65 */
        { "001-001-999 65", 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char out[16];
        const char *why = NULL;
        int rc = value_snils(cases[i].in, out, sizeof out, &why);
        if ((rc == 0) != cases[i].ok)
            fail_msg("%s: %s", cases[i].in, rc == 0 ? "accepted" : why);
    }
}

/* One registration number through its parser: accepted (out = want) or
 * rejected with a reason containing reason_part. */
typedef int (*id_parser)(const char *, char *, size_t, const char **);

static void id_case(id_parser parse, const char *in, const char *want, const char *reason_part)
{
    char out[32];
    const char *why = NULL;
    int rc = parse(in, out, sizeof out, &why);
    if (want) {
        if (rc != 0)
            fail_msg("\"%s\" rejected: %s", in, why);
        assert_string_equal(out, want);
    } else {
        if (rc == 0)
            fail_msg("\"%s\" accepted as %s", in, out);
        assert_non_null(why);
        if (!strstr(why, reason_part))
            fail_msg("\"%s\": reason \"%s\" lacks \"%s\"", in, why, reason_part);
    }
}

/* ИНН: each control digit is the weighted sum mod 11, then mod 10 — the
 * "…30", "…403" and "…570" numbers are the ones whose remainder is 10. */
static void test_inn(void **state)
{
    (void)state;
    id_case(value_inn, "7707083893", "7707083893", NULL);          /* organisation */
    id_case(value_inn, "7830002293", "7830002293", NULL);
    id_case(value_inn, "7707083830", "7707083830", NULL);          /* remainder 10 → 0 */
    id_case(value_inn, "500100732259", "500100732259", NULL);      /* individual */
    id_case(value_inn, "500100732403", "500100732403", NULL);      /* 11th: remainder 10 → 0 */
    id_case(value_inn, "500100732570", "500100732570", NULL);      /* 12th: remainder 10 → 0 */
    id_case(value_inn, " 7707 083893\xC2\xA0", "7707083893", NULL); /* spaces, NBSP */
    id_case(value_inn, "5001-0073-2259", "500100732259", NULL);
    id_case(value_inn, "7707083894", NULL, "неверное контрольное число ИНН");
    id_case(value_inn, "7707083831", NULL, "неверное контрольное число ИНН");
    id_case(value_inn, "500100732269", NULL, "неверное контрольное число ИНН");   /* 11th wrong */
    id_case(value_inn, "500100732258", NULL, "неверное контрольное число ИНН");   /* 12th wrong */
    id_case(value_inn, "500100732404", NULL, "неверное контрольное число ИНН");
    id_case(value_inn, "500100732571", NULL, "неверное контрольное число ИНН");
    id_case(value_inn, "770708389", NULL, "нужно 10 или 12 цифр");                /* one short */
    id_case(value_inn, "77070838931", NULL, "нужно 10 или 12 цифр");              /* 11 */
    id_case(value_inn, "5001007322591", NULL, "нужно 10 или 12 цифр");            /* one long */
    id_case(value_inn, "77070838930000000000000", NULL, "нужно 10 или 12 цифр");
    id_case(value_inn, "77O7083893", NULL, "только цифры");                        /* letter O */
    id_case(value_inn, "7707083893.0", NULL, "только цифры");
    id_case(value_inn, "7707/083893", NULL, "только цифры");
}

/* ОГРН: the first 12 digits mod 11, then mod 10; ОГРНИП: the first 14
 * mod 13, then mod 10 (remainders 10, 11, 12 give 0, 1, 2). */
static void test_ogrn(void **state)
{
    (void)state;
    id_case(value_ogrn, "1027700132195", "1027700132195", NULL);
    id_case(value_ogrn, "1027700132240", "1027700132240", NULL);         /* remainder 10 → 0 */
    id_case(value_ogrn, "1027700132241", NULL, "неверное контрольное число ОГРН");
    id_case(value_ogrn, "1027700132196", NULL, "неверное контрольное число ОГРН");
    id_case(value_ogrn, "1027600683824", "1027600683824", NULL);
    id_case(value_ogrn, "304500116000157", "304500116000157", NULL);     /* ОГРНИП */
    id_case(value_ogrn, "304500116000180", "304500116000180", NULL);     /* remainder 10 → 0 */
    id_case(value_ogrn, "304500116000191", "304500116000191", NULL);     /* 11 → 1 */
    id_case(value_ogrn, "304500116000202", "304500116000202", NULL);     /* 12 → 2 */
    id_case(value_ogrn, "304500116000158", NULL, "неверное контрольное число ОГРНИП");
    id_case(value_ogrn, "304500116000181", NULL, "неверное контрольное число ОГРНИП");
    id_case(value_ogrn, "1 027700 132195 ", "1027700132195", NULL);
    id_case(value_ogrn, "102770013219", NULL, "нужно 13 цифр");          /* one short */
    id_case(value_ogrn, "10277001321950", NULL, "нужно 13 цифр");        /* 14 */
    id_case(value_ogrn, "3045001160001570", NULL, "нужно 13 цифр");      /* one long */
    id_case(value_ogrn, "102770013219S", NULL, "только цифры");
}

static void test_bik(void **state)
{
    (void)state;
    id_case(value_bik, "044525225", "044525225", NULL);
    id_case(value_bik, "04 45 25 225", "044525225", NULL);
    id_case(value_bik, "04452522", NULL, "нужно 9 цифр");
    id_case(value_bik, "0445252250", NULL, "нужно 9 цифр");
    id_case(value_bik, "44525225", NULL, "нужно 9 цифр");           /* the leading 0 lost in a spreadsheet */
    id_case(value_bik, "054525225", NULL, "начинается с 04");
    id_case(value_bik, "144525225", NULL, "начинается с 04");
    id_case(value_bik, "04452522Б", NULL, "только цифры");
    id_case(value_account, "40702810938000012345", "40702810938000012345", NULL);
    id_case(value_account, "40702 810 9 3800 0012345", "40702810938000012345", NULL);
    id_case(value_account, "4070281093800001234", NULL, "нужно 20 цифр");
    id_case(value_account, "407028109380000123450", NULL, "нужно 20 цифр");
    id_case(value_account, "4.0702810938E+19", NULL, "только цифры");
}

/* The account key (Bank of Russia order N 515) with the order's own
 * examples: a credit institution's client (БИК digits 7–9), a client of a
 * РКЦ and a correspondent account at a РКЦ ("0" + БИК digits 5–6). */
static void test_account_key(void **state)
{
    (void)state;
    assert_true(value_account_matches_bik("40602810700000000025", "049805746"));
    assert_true(value_account_matches_bik("40102810100000010001", "040305000"));
    assert_true(value_account_matches_bik("30101810800000000746", "049805000"));
    assert_true(value_account_matches_bik("40702810938000012345", "044525225"));
    /* one account, two banks: valid at one, not at the other */
    assert_false(value_account_matches_bik("40702810938000012345", "044525974"));
    assert_false(value_account_matches_bik("40602810700000000025", "044525974"));
    /* the key digit itself wrong */
    for (char k = '0'; k <= '9'; k++) {
        char acc[] = "40602810700000000025";
        acc[8] = k;
        assert_int_equal(value_account_matches_bik(acc, "049805746"), k == '7');
    }
    /* the same accounts under a БИК not ending in 000 (a credit
     * institution, digits 7–9 = 001) do not fit: the БИК chooses the rule */
    assert_false(value_account_matches_bik("40102810100000010001", "040305001"));
    assert_false(value_account_matches_bik("30101810800000000746", "049805001"));
    assert_false(value_account_matches_bik("4060281070000000002", "049805746"));
}

static void kop_ok(const char *in, const char *want)
{
    char out[64];
    const char *why = NULL;
    if (value_kopecks(in, out, sizeof out, &why) != 0)
        fail_msg("value_kopecks(\"%s\") failed: %s", in, why);
    assert_string_equal(out, want);
}

/* Payment amounts: rubles as the cash desk writes them, kopecks as the
 * payment schema's Amount wants them (a whole number). */
static void test_kopecks(void **state)
{
    (void)state;
    kop_ok("1 234,50", "123450");
    kop_ok("1234.5", "123450");
    kop_ok("1234", "123400");
    kop_ok("0,05", "5");
    kop_ok("0", "0");
    kop_ok("12,30", "1230");
    char out[64];
    const char *why = NULL;
    assert_int_equal(value_kopecks("1,234", out, sizeof out, &why), -1);
    assert_non_null(strstr(why, "знаков после запятой"));
    assert_int_equal(value_kopecks("-5", out, sizeof out, &why), -1);
    assert_non_null(strstr(why, "отрицательное"));
    assert_int_equal(value_kopecks("сто", out, sizeof out, &why), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal), cmocka_unit_test(test_kopecks), cmocka_unit_test(test_integer),
        cmocka_unit_test(test_date),    cmocka_unit_test(test_period),
        cmocka_unit_test(test_bool),    cmocka_unit_test(test_guid),
        cmocka_unit_test(test_snils),
        cmocka_unit_test(test_snils_boundaries),
        cmocka_unit_test(test_inn),     cmocka_unit_test(test_ogrn),
        cmocka_unit_test(test_bik),     cmocka_unit_test(test_account_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
