/* Unit tests for the CSV side of src/read/table: encodings, delimiters,
 * quoting, line endings, row numbering, cell limits, rewind, headers. */
#include "testutil.h"
#include "table_read.h"

#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "read/read.h"

static char *tmp_file(const char *name, const void *data, size_t len)
{
    char *dir = tu_tmpdir();
    char *path = xasprintf("%s/%s", dir, name);
    tu_write(path, data, len);
    free(dir);
    return path;
}

static void remove_tmp(char *path)
{
    unlink(path);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    rmdir(path);
    free(path);
}

static char *to_cp1251(const char *utf8, size_t *outlen)
{
    iconv_t cd = iconv_open("CP1251", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    size_t il = strlen(utf8), ol = il + 1;
    char *out = xmalloc(ol), *op = out;
    char *ip = (char *)utf8;
    assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
    iconv_close(cd);
    *outlen = (size_t)(op - out);
    return out;
}

static void test_cp1251_semicolon(void **state)
{
    (void)state;
    size_t n;
    char *bytes = to_cp1251("Номер ЛС;Фамилия;Доля, %\r\n001;Иванов;50,5\r\n002;Щукина Ёлка;100\r\n", &n);
    char *path = tmp_file("a.csv", bytes, n);
    table *t = tu_table_open_ok(path, NULL);
    assert_string_equal(table_format(t), "csv");
    const struct table_row *h = table_header(t);
    assert_int_equal(h->row, 1);
    assert_int_equal(h->ncells, 3);
    assert_string_equal(h->cells[0], "Номер ЛС");
    assert_string_equal(h->cells[1], "Фамилия");
    assert_string_equal(h->cells[2], "Доля, %");
    const struct table_row *r = tu_table_next_ok(t);
    assert_int_equal(r->row, 2);
    assert_string_equal(r->cells[0], "001");
    assert_string_equal(r->cells[1], "Иванов");
    assert_string_equal(r->cells[2], "50,5");
    assert_null(r->problem);
    r = tu_table_next_ok(t);
    assert_int_equal(r->row, 3);
    assert_string_equal(r->cells[1], "Щукина Ёлка");
    tu_table_assert_end(t);
    table_close(t);
    free(bytes);
    remove_tmp(path);
}

static void test_utf8_bom_comma(void **state)
{
    (void)state;
    const char *text = "\xEF\xBB\xBFНомер ЛС,\"Доля, %\",Имя\n1,\"50,5\",  Пётр  \n";
    char *path = tmp_file("b.csv", text, strlen(text));
    table *t = tu_table_open_ok(path, NULL);
    const struct table_row *h = table_header(t);
    assert_int_equal(h->ncells, 3);
    assert_string_equal(h->cells[0], "Номер ЛС");          /* no BOM left in the name */
    assert_string_equal(h->cells[1], "Доля, %");
    const struct table_row *r = tu_table_next_ok(t);
    assert_int_equal(r->row, 2);
    assert_string_equal(r->cells[1], "50,5");
    assert_string_equal(r->cells[2], "Пётр");              /* trimmed */
    tu_table_assert_end(t);
    table_close(t);
    remove_tmp(path);
}

static void test_tab_delimiter(void **state)
{
    (void)state;
    const char *text = "Адрес\tНомер\tСумма\nг. Тверь, ул. Мира\t5\t1,5\n";
    char *path = tmp_file("c.tsv", text, strlen(text));
    table *t = tu_table_open_ok(path, NULL);
    assert_int_equal(table_header(t)->ncells, 3);
    const struct table_row *r = tu_table_next_ok(t);
    assert_string_equal(r->cells[0], "г. Тверь, ул. Мира");
    assert_string_equal(r->cells[2], "1,5");
    table_close(t);

    /* Forcing the delimiter wins over detection. */
    struct table_opts o = { .delimiter = "comma" };
    t = tu_table_open_ok(path, &o);
    assert_int_equal(table_header(t)->ncells, 1);
    table_close(t);
    remove_tmp(path);
}

static void test_quoted_newline_and_quotes(void **state)
{
    (void)state;
    const char *text = "Номер;Адрес\n1;\"ул. Ленина,\nд. 5 \"\"А\"\"\"\n2;x\n";
    char *path = tmp_file("d.csv", text, strlen(text));
    table *t = tu_table_open_ok(path, NULL);
    const struct table_row *r = tu_table_next_ok(t);
    assert_int_equal(r->row, 2);
    assert_string_equal(r->cells[1], "ул. Ленина,\nд. 5 \"А\"");
    r = tu_table_next_ok(t);
    assert_int_equal(r->row, 3);                 /* the quoted newline adds no row */
    assert_string_equal(r->cells[0], "2");
    tu_table_assert_end(t);
    table_close(t);
    remove_tmp(path);
}

static void test_crlf_blank_rows_numbering(void **state)
{
    (void)state;
    const char *text = "\r\n;;\r\nA;B\r\n1;2\r\n\r\n3;4\r\n  \r\n5;6";
    char *path = tmp_file("e.csv", text, strlen(text));
    table *t = tu_table_open_ok(path, NULL);
    assert_int_equal(table_header(t)->row, 3);
    assert_int_equal(table_header(t)->ncells, 2);
    long want[] = { 4, 6, 8 };
    const char *first[] = { "1", "3", "5" };
    for (int i = 0; i < 3; i++) {
        const struct table_row *r = tu_table_next_ok(t);
        assert_int_equal(r->row, want[i]);
        assert_string_equal(r->cells[0], first[i]);
    }
    tu_table_assert_end(t);

    /* The second pass gives the same rows with the same numbers. */
    hcs_err err = { 0 };
    assert_int_equal(table_rewind(t, &err), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(tu_table_next_ok(t)->row, want[i]);
    tu_table_assert_end(t);
    table_close(t);
    remove_tmp(path);
}

/* Fuzzing finding: a record of only empty fields (",") left the field
 * buffer unallocated and the reader did NULL + 0 on it (UBSan, clang). */
static void test_records_of_only_empty_fields(void **state)
{
    (void)state;
    const char *text = ",\nA,B\n,\n1,2\n,,,\n";
    char *path = tmp_file("empty.csv", text, strlen(text));
    table *t = tu_table_open_ok(path, NULL);
    assert_int_equal(table_header(t)->row, 2);
    assert_string_equal(table_header(t)->cells[1], "B");
    const struct table_row *r = tu_table_next_ok(t);
    assert_int_equal(r->row, 4);
    assert_string_equal(r->cells[0], "1");
    tu_table_assert_end(t);
    table_close(t);
    remove_tmp(path);

    /* nothing but empty fields: no header */
    path = tmp_file("comma.csv", ",", 1);
    hcs_err err = { 0 };
    assert_null(table_open(path, NULL, &err));
    assert_int_equal(err.code, HCS_EX_DATAERR);
    remove_tmp(path);
}

static void test_cell_too_long(void **state)
{
    (void)state;
    const char *text = "A;B;C\n1;01234567890123456789;3\n4;5\n";
    char *path = tmp_file("f.csv", text, strlen(text));
    struct table_opts o = { .max_cell_bytes = 10 };
    table *t = tu_table_open_ok(path, &o);
    const struct table_row *r = tu_table_next_ok(t);
    assert_non_null(r->problem);
    assert_non_null(strstr(r->problem, "column 2"));
    assert_non_null(strstr(r->problem, "(B)"));
    assert_non_null(strstr(r->problem, "longer than 10 bytes"));
    assert_string_equal(r->cells[1], "");
    assert_string_equal(r->cells[2], "3");
    r = tu_table_next_ok(t);                              /* the next row is fine and padded */
    assert_null(r->problem);
    assert_int_equal(r->ncells, 3);
    assert_string_equal(r->cells[2], "");
    table_close(t);
    remove_tmp(path);
}

/* Every non-ASCII Windows-1251 byte comes out as iconv converts the whole
 * text in one call (the reader converts byte by byte from a table); 0x98,
 * which has no character, as '?'. */
static void test_cp1251_every_byte(void **state)
{
    (void)state;
    char bytes[300], want_in[200];
    size_t n = 7, w = 0;
    memcpy(bytes, "a;b\n1;x", n);
    for (int b = 0x80; b < 0x100; b++)
        if (b != 0x98) {
            bytes[n++] = (char)b;
            want_in[w++] = (char)b;
        }
    memcpy(bytes + n, "y\n2;x\x98y\n", 8);
    n += 8;
    iconv_t cd = iconv_open("UTF-8", "CP1251");
    assert_true(cd != (iconv_t)-1);
    char want[600] = "x", *op = want + 1, *ip = want_in;
    size_t il = w, ol = sizeof want - 3;
    assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
    iconv_close(cd);
    strcpy(op, "y");
    char *path = tmp_file("every.csv", bytes, n);
    table *t = tu_table_open_ok(path, NULL);
    const struct table_row *r = tu_table_next_ok(t);
    assert_string_equal(r->cells[1], want);
    assert_non_null(strstr(r->cells[1], "Ё"));
    assert_non_null(strstr(r->cells[1], "№"));
    assert_non_null(strstr(r->cells[1], "€"));
    r = tu_table_next_ok(t);
    assert_string_equal(r->cells[1], "x?y");
    assert_null(r->problem);
    tu_table_assert_end(t);
    table_close(t);
    remove_tmp(path);
}

static void test_encoding_decided_late_and_forced(void **state)
{
    (void)state;
    size_t n;
    char *bytes = to_cp1251("num;name\n1;abc\n2;Сидоров\n", &n);
    char *path = tmp_file("g.csv", bytes, n);
    table *t = tu_table_open_ok(path, NULL);
    tu_table_next_ok(t);
    assert_string_equal(tu_table_next_ok(t)->cells[1], "Сидоров");
    table_close(t);

    struct table_opts o = { .encoding = "utf-8" };
    t = tu_table_open_ok(path, &o);
    tu_table_next_ok(t);
    const struct table_row *r = tu_table_next_ok(t);
    assert_non_null(r->problem);
    assert_non_null(strstr(r->problem, "UTF-8"));
    table_close(t);

    hcs_err err = { 0 };
    o.encoding = "koi8";
    assert_null(table_open(path, &o, &err));
    assert_int_equal(err.code, HCS_EX_CONFIG);
    free(bytes);
    remove_tmp(path);
}

static void test_errors(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    assert_null(table_open("/nonexistent/x.csv", NULL, &err));
    assert_int_equal(err.code, HCS_EX_NOINPUT);
    char *path = tmp_file("h.csv", "\n\n;;\n", 5);
    assert_null(table_open(path, NULL, &err));
    assert_int_equal(err.code, HCS_EX_DATAERR);
    assert_non_null(strstr(err.msg, "no header"));
    remove_tmp(path);

    path = tmp_file("u16.txt", "\xFF\xFEN\0o\0\n\0", 8);
    assert_null(table_open(path, NULL, &err));
    assert_non_null(strstr(err.msg, "UTF-16"));
    remove_tmp(path);

    /* A quoted field beyond libcsv's hard cap is fatal (it may hold line
     * breaks: no line end is a safe place to start again). */
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "A;B\n1;\"");
    sb_grow(&sb, 33u << 20);
    memset(sb.buf + sb.len, 'x', 33u << 20);
    sb.len += 33u << 20;
    sb_adds(&sb, "\"\n");
    path = tmp_file("big.csv", sb.buf, sb.len);
    sb_free(&sb);
    table *t = table_open(path, NULL, &err);
    assert_non_null(t);
    const struct table_row *r;
    assert_int_equal(table_next(t, &r, &err), -1);
    assert_non_null(strstr(err.msg, "row 2, column 2: a quoted cell longer than 32 MB"));
    table_close(t);
    remove_tmp(path);

    /* An unquoted one rejects its row; the rows after it are read. */
    sb_adds(&sb, "A;B\n1;");
    sb_grow(&sb, 33u << 20);
    memset(sb.buf + sb.len, 'x', 33u << 20);
    sb.len += 33u << 20;
    sb_adds(&sb, ";tail\r\n2;b\n");
    path = tmp_file("big2.csv", sb.buf, sb.len);
    sb_free(&sb);
    t = table_open(path, NULL, &err);
    assert_non_null(t);
    assert_int_equal(table_next(t, &r, &err), 1);
    assert_int_equal(r->row, 2);
    assert_non_null(r->problem);
    assert_non_null(strstr(r->problem, "column 2 (B): value longer than 32 MB"));
    assert_int_equal(table_next(t, &r, &err), 1);
    assert_int_equal(r->row, 3);
    assert_null(r->problem);
    assert_string_equal(r->cells[1], "b");
    assert_int_equal(table_next(t, &r, &err), 0);
    table_close(t);
    remove_tmp(path);
}

/* A truncated file (its end inside quotes) and NUL bytes reject the row,
 * naming the column; the other rows are read. */
static void test_truncated_and_nul(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    char *path = tmp_file("trunc.csv", "A;B\n1;x\n2;\"cut", 14);
    table *t = table_open(path, NULL, &err);
    assert_non_null(t);
    const struct table_row *r;
    assert_int_equal(table_next(t, &r, &err), 1);
    assert_null(r->problem);
    assert_int_equal(table_next(t, &r, &err), 1);
    assert_int_equal(r->row, 3);
    assert_non_null(r->problem);
    assert_non_null(strstr(r->problem, "column 2 (B): the file ends inside a quoted value"));
    table_close(t);
    remove_tmp(path);

    path = tmp_file("nul.csv", "A;B\n1;x\0y\n2;z\n", 14);
    t = table_open(path, NULL, &err);
    assert_non_null(t);
    assert_int_equal(table_next(t, &r, &err), 1);
    assert_non_null(r->problem);
    assert_non_null(strstr(r->problem, "column 2 (B): a NUL byte"));
    assert_int_equal(table_next(t, &r, &err), 1);
    assert_null(r->problem);
    assert_string_equal(r->cells[1], "z");
    table_close(t);
    remove_tmp(path);
}

/* Many records with quoted newlines cross the 64 KB read buffer many times. */
static void test_many_rows_across_buffers(void **state)
{
    (void)state;
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "Номер;Текст;Сумма\r\n");
    for (int i = 0; i < 20000; i++)
        sb_addf(&sb, "%d;\"строка %d\r\nвторая \"\"%d\"\"\";%d,%02d\r\n", i, i, i, i, i % 100);
    char *path = tmp_file("i.csv", sb.buf, sb.len);
    table *t = tu_table_open_ok(path, NULL);
    for (int pass = 0; pass < 2; pass++) {
        double before = 0;
        for (int i = 0; i < 20000; i++) {
            const struct table_row *r = tu_table_next_ok(t);
            assert_int_equal(r->row, i + 2);
            /* the progress estimate: never back, about half way at half the rows */
            double f = table_fraction(t);
            assert_true(f >= before && f <= 1);
            before = f;
            if (i == 10000)
                assert_true(f > 0.45 && f < 0.55);
            char want[64];
            snprintf(want, sizeof want, "%d", i);
            assert_string_equal(r->cells[0], want);
            snprintf(want, sizeof want, "строка %d\r\nвторая \"%d\"", i, i);
    assert_string_equal(r->cells[1], want);
        }
        tu_table_assert_end(t);
        assert_true(table_fraction(t) == 1.0);
        hcs_err err = { 0 };
        assert_int_equal(table_rewind(t, &err), 0);
    }
    table_close(t);
    sb_free(&sb);
    remove_tmp(path);
}

static void test_header_normalize(void **state)
{
    (void)state;
    struct { const char *in, *want; } cases[] = {
        { "  Номер   ЛС ", "номер лс" },
        { "ЁЛКА\xC2\xA0\xC2\xA0Ёжик", "елка ежик" },
        { "ДОЛЯ, %", "доля, %" },
        { "АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ", "абвгдежзийклмнопрстуфхцчшщъыьэюя" },
        { "Идентификатор ПУ ГИС", "идентификатор пу гис" },
        { "\tSNILS\r\n", "snils" },
        { "", "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = header_normalize(cases[i].in);
        assert_string_equal(got, cases[i].want);
        free(got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cp1251_semicolon),
        cmocka_unit_test(test_cp1251_every_byte),
        cmocka_unit_test(test_utf8_bom_comma),
        cmocka_unit_test(test_tab_delimiter),
        cmocka_unit_test(test_quoted_newline_and_quotes),
        cmocka_unit_test(test_crlf_blank_rows_numbering),
        cmocka_unit_test(test_records_of_only_empty_fields),
        cmocka_unit_test(test_cell_too_long),
        cmocka_unit_test(test_encoding_decided_late_and_forced),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_truncated_and_nul),
        cmocka_unit_test(test_many_rows_across_buffers),
        cmocka_unit_test(test_header_normalize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
