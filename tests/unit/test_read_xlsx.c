/* Unit tests for the XLSX side of src/read/table.  Workbooks are made here:
 * with libxlsxwriter (shared strings, numbers, date formats, booleans,
 * formulas with cached values, skipped cells and rows) and by hand with
 * minizip's zip.h for what libxlsxwriter cannot write (the 1904 date system,
 * inline strings with rich text runs, error cells, a DOCTYPE, a zip bomb). */
#include "testutil.h"
#include "table_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "read/read.h"
#include "read/xlsx_impl.h"

struct part { const char *name; const char *text; };

static void write_zip(const char *path, const struct part *parts, size_t n)
{
    zipFile zf = zipOpen64(path, APPEND_STATUS_CREATE);
    assert_non_null(zf);
    for (size_t i = 0; i < n; i++) {
        zip_fileinfo zi;
        memset(&zi, 0, sizeof zi);
        assert_int_equal(zipOpenNewFileInZip64(zf, parts[i].name, &zi, NULL, 0, NULL, 0, NULL,
                                               Z_DEFLATED, 6, 0), ZIP_OK);
        assert_int_equal(zipWriteInFileInZip(zf, parts[i].text, (unsigned)strlen(parts[i].text)),
                         ZIP_OK);
        assert_int_equal(zipCloseFileInZip(zf), ZIP_OK);
    }
    assert_int_equal(zipClose(zf, NULL), ZIP_OK);
}

static const char *WORKBOOK_1904 =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<workbookPr date1904=\"1\"/><sheets><sheet name=\"Лист1\" sheetId=\"1\" r:id=\"rId7\"/></sheets>"
    "</workbook>";
static const char *WORKBOOK_1900 =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<sheets><sheet name=\"Лист1\" sheetId=\"1\" r:id=\"rId7\"/></sheets></workbook>";
static const char *RELS =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
    "<Relationship Id=\"rId7\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"/xl/worksheets/data.xml\"/>"
    "</Relationships>";
/* xf 0 general, xf 1 custom date, xf 2 a number format with a quoted "д"
 * (must stay a number), xf 3 builtin time 20 (h:mm). */
static const char *STYLES =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy;@\"/>"
    "<numFmt numFmtId=\"165\" formatCode=\"0.00&quot;д&quot;;[Red]\\-0.00\"/></numFmts>"
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
    "<cellXfs count=\"4\"><xf numFmtId=\"0\"/><xf numFmtId=\"164\" applyNumberFormat=\"1\"><alignment/></xf>"
    "<xf numFmtId=\"165\"/><xf numFmtId=\"20\"/></cellXfs></styleSheet>";

static char *tmp_path(char **dir, const char *name)
{
    *dir = tu_tmpdir();
    return xasprintf("%s/%s", *dir, name);
}

static void cleanup(char *dir, char *path)
{
    unlink(path);
    rmdir(dir);
    free(path);
    free(dir);
}

static void make_xlsxwriter_book(const char *path)
{
    lxw_workbook *wb = workbook_new(path);
    assert_non_null(wb);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Счета");
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "dd.mm.yyyy");
    lxw_format *dt = workbook_add_format(wb);
    format_set_num_format(dt, "dd.mm.yyyy hh:mm");
    lxw_format *tm = workbook_add_format(wb);
    format_set_num_format(tm, "hh:mm");
    lxw_format *builtin14 = workbook_add_format(wb);
    format_set_num_format_index(builtin14, 14);
    lxw_format *money = workbook_add_format(wb);
    format_set_num_format(money, "#,##0.00\"р.\"");
    const char *head[] = { "Номер ЛС", "Фамилия", "Сумма", "Дата", "Флаг", "Формула",
                           "Дата и время", "Время" };
    for (int c = 0; c < 8; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, head[c], NULL);
    worksheet_write_string(ws, 1, 0, "001", NULL);
    worksheet_write_string(ws, 1, 1, "  Иванов  ", NULL);
    worksheet_write_number(ws, 1, 2, 1234.5, money);
    lxw_datetime d1 = { 2024, 3, 5, 0, 0, 0 };
    worksheet_write_datetime(ws, 1, 3, &d1, date);
    worksheet_write_boolean(ws, 1, 4, 1, NULL);
    worksheet_write_formula_num(ws, 1, 5, "=C2*2", NULL, 2469);
    lxw_datetime d2 = { 2024, 3, 5, 13, 45, 10 };
    worksheet_write_datetime(ws, 1, 6, &d2, dt);
    lxw_datetime t1 = { 0, 0, 0, 8, 30, 0 };
    worksheet_write_datetime(ws, 1, 7, &t1, tm);
    /* row 3 (index 2) left out; row 4 has gaps and a cell beyond the header */
    worksheet_write_number(ws, 3, 2, 0.1 + 0.2, NULL);
    worksheet_write_boolean(ws, 3, 4, 0, NULL);
    worksheet_write_string(ws, 3, 9, "за пределами", NULL);
    /* row 5: builtin date format 14, a tiny and a huge number */
    worksheet_write_string(ws, 4, 0, "002", NULL);
    worksheet_write_number(ws, 4, 3, 45292, builtin14);
    worksheet_write_number(ws, 4, 2, 1.5e-7, NULL);
    worksheet_write_number(ws, 4, 5, 12345678901234567.0, NULL);
    worksheet_write_number(ws, 4, 1, -42.25, NULL);
    /* row 6: blank-looking (empty string) → skipped; row 7: last */
    worksheet_write_string(ws, 5, 0, "", NULL);
    worksheet_write_string(ws, 6, 0, "003", NULL);

    lxw_worksheet *second = workbook_add_worksheet(wb, "Второй");
    worksheet_write_string(second, 2, 1, "Только здесь", NULL);
    worksheet_write_string(second, 3, 1, "данные", NULL);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
}

/* Opens path and reads every row; err keeps the first failure, if any. */
static void read_through_opts(const char *path, const struct table_opts *o, hcs_err *err)
{
    table *t = table_open(path, o, err);
    if (!t)
        return;
    const struct table_row *r;
    while (table_next(t, &r, err) == 1)
        ;
    table_close(t);
}

static void read_through(const char *path, hcs_err *err) { read_through_opts(path, NULL, err); }

static void test_xlsxwriter_values(void **state)
{
    (void)state;
    char *dir, *path = tmp_path(&dir, "book.xlsx");
    make_xlsxwriter_book(path);
    table *t = tu_table_open_ok(path, NULL);
    assert_string_equal(table_format(t), "xlsx");
    const struct table_row *h = table_header(t);
    assert_int_equal(h->row, 1);
    assert_int_equal(h->ncells, 8);
    assert_string_equal(h->cells[0], "Номер ЛС");
    assert_string_equal(h->cells[7], "Время");

    for (int pass = 0; pass < 2; pass++) {
        const struct table_row *r = tu_table_next_ok(t);
        assert_int_equal(r->row, 2);
        assert_null(r->problem);
        /* the progress estimate counts the sheet's XML only: read, not past its end */
        assert_true(table_fraction(t) > 0 && table_fraction(t) <= 1);
        assert_string_equal(r->cells[0], "001");
        assert_string_equal(r->cells[1], "Иванов");
        assert_string_equal(r->cells[2], "1234.5");
        assert_string_equal(r->cells[3], "2024-03-05");
        assert_string_equal(r->cells[4], "1");
        assert_string_equal(r->cells[5], "2469");
        assert_string_equal(r->cells[6], "2024-03-05T13:45:10");
        assert_string_equal(r->cells[7], "08:30:00");

        r = tu_table_next_ok(t);
        assert_int_equal(r->row, 4);                 /* row 3 does not exist */
        assert_int_equal(r->ncells, 10);
        assert_string_equal(r->cells[0], "");
        assert_string_equal(r->cells[2], "0.3");     /* Excel's 15 digits */
        assert_string_equal(r->cells[3], "");
        assert_string_equal(r->cells[4], "0");
        assert_string_equal(r->cells[9], "за пределами");

        r = tu_table_next_ok(t);
        assert_int_equal(r->row, 5);
        assert_string_equal(r->cells[0], "002");
        assert_string_equal(r->cells[1], "-42.25");
        assert_string_equal(r->cells[2], "0.00000015");
        assert_string_equal(r->cells[3], "2024-01-01");
        assert_string_equal(r->cells[5], "12345678901234600");

        r = tu_table_next_ok(t);
        assert_int_equal(r->row, 7);                 /* row 6 is empty */
        assert_string_equal(r->cells[0], "003");
        tu_table_assert_end(t);
        hcs_err err = { 0 };
        assert_int_equal(table_rewind(t, &err), 0);
    }
    table_close(t);

    struct table_opts o = { .sheet = "второй" };
    t = tu_table_open_ok(path, &o);
    assert_int_equal(table_header(t)->row, 3);
    assert_int_equal(table_header(t)->ncells, 2);
    assert_string_equal(table_header(t)->cells[1], "Только здесь");
    assert_int_equal(tu_table_next_ok(t)->row, 4);
    table_close(t);

    hcs_err err = { 0 };
    o.sheet = "Третий";
    assert_null(table_open(path, &o, &err));
    assert_non_null(strstr(err.msg, "«Второй»"));
    cleanup(dir, path);
}

static void test_handmade_1904_inline_rich(void **state)
{
    (void)state;
    const char *sheet =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
        "<sheetPr><outlinePr/></sheetPr><dimension ref=\"A2:F6\"/>"
        "<sheetData>"
        "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>Фамилия</t></is></c>"
        "<c r=\"B2\" t=\"inlineStr\"><is><t xml:space=\"preserve\"> Дата </t></is></c>"
        "<c r=\"C2\" t=\"inlineStr\"><is><t>Сумма</t></is></c>"
        "<c r=\"D2\" t=\"inlineStr\"><is><t>Формула</t></is></c>"
        "<c r=\"E2\" t=\"inlineStr\"><is><t>Ошибка</t></is></c>"
        "<c r=\"F2\" t=\"inlineStr\"><is><t>Время</t></is></c></row>"
        "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><r><rPr><b/></rPr><t>Ива</t></r><r><t>нов</t></r>"
        "<rPh sb=\"0\" eb=\"1\"><t>ИГНОР</t></rPh></is></c>"
        "<c r=\"B3\" s=\"1\"><v>43830</v></c><c r=\"C3\" s=\"2\"><v>12.5</v></c>"
        "<c r=\"D3\" t=\"str\"><f>A3&amp;\"!\"</f><v>Иванов!</v></c>"
        "<c r=\"E3\" t=\"e\"><f>1/0</f><v>#DIV/0!</v></c><c r=\"F3\" s=\"3\"><v>0.5</v></c></row>"
        "<row><c t=\"inlineStr\"><is><t>строка_x000D_два</t></is></c><c s=\"1\"><v>0</v></c></row>"
        "<row r=\"5\"><c r=\"A5\" s=\"1\"/><c r=\"B5\" t=\"inlineStr\"><is><t>  </t></is></c></row>"
        "<row r=\"6\" spans=\"1:3\"><c r=\"C6\" t=\"b\"><v>1</v></c></row>"
        "</sheetData><mergeCells count=\"0\"/></worksheet>";
    struct part parts[] = {
        { "xl/workbook.xml", WORKBOOK_1904 }, { "xl/_rels/workbook.xml.rels", RELS },
        { "xl/styles.xml", STYLES }, { "xl/worksheets/data.xml", sheet },
    };
    char *dir, *path = tmp_path(&dir, "hand.xlsx");
    write_zip(path, parts, 4);
    table *t = tu_table_open_ok(path, NULL);
    const struct table_row *h = table_header(t);
    assert_int_equal(h->row, 2);
    assert_int_equal(h->ncells, 6);
    assert_string_equal(h->cells[1], "Дата");
    const struct table_row *r = tu_table_next_ok(t);
    assert_int_equal(r->row, 3);
    assert_string_equal(r->cells[0], "Иванов");            /* runs joined, phonetic dropped */
    assert_string_equal(r->cells[1], "2024-01-01");        /* 1904 system */
    assert_string_equal(r->cells[2], "12.5");              /* "д" in quotes: not a date */
    assert_string_equal(r->cells[3], "Иванов!");           /* cached formula value */
    assert_string_equal(r->cells[4], "#DIV/0!");
    assert_string_equal(r->cells[5], "12:00:00");
    r = tu_table_next_ok(t);
    assert_int_equal(r->row, 4);                           /* row without r: previous + 1 */
    assert_string_equal(r->cells[0], "строка\rдва");       /* _x000D_ decoded */
    assert_string_equal(r->cells[1], "1904-01-01");
    r = tu_table_next_ok(t);
    assert_int_equal(r->row, 6);                           /* row 5 has only empty cells */
    assert_string_equal(r->cells[2], "1");
    tu_table_assert_end(t);
    table_close(t);
    unlink(path);

    /* The same serial in the 1900 system. */
    parts[0].text = WORKBOOK_1900;
    write_zip(path, parts, 4);
    t = tu_table_open_ok(path, NULL);
    r = tu_table_next_ok(t);
    assert_string_equal(r->cells[1], "2019-12-31");
    r = tu_table_next_ok(t);
    assert_string_equal(r->cells[1], "1899-12-31");        /* serial 0 */
    table_close(t);
    cleanup(dir, path);
}

static void test_doctype_refused(void **state)
{
    (void)state;
    const char *sheet =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        "<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
        "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
        "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&xxe;</t></is></c></row>"
        "</sheetData></worksheet>";
    struct part parts[] = {
        { "xl/workbook.xml", WORKBOOK_1900 }, { "xl/_rels/workbook.xml.rels", RELS },
        { "xl/worksheets/data.xml", sheet },
    };
    char *dir, *path = tmp_path(&dir, "xxe.xlsx");
    write_zip(path, parts, 3);
    hcs_err err = { 0 };
    assert_null(table_open(path, NULL, &err));
    assert_int_equal(err.code, HCS_EX_DATAERR);
    assert_non_null(strstr(err.msg, "DOCTYPE"));
    assert_null(strstr(err.msg, "root:"));
    unlink(path);

    /* In the workbook part too. */
    char *wb = xasprintf("<?xml version=\"1.0\"?><!DOCTYPE workbook [<!ENTITY a \"b\">]>%s",
                         strstr(WORKBOOK_1900, "<workbook"));
    parts[0].text = wb;
    write_zip(path, parts, 3);
    assert_null(table_open(path, NULL, &err));
    assert_non_null(strstr(err.msg, "DOCTYPE"));
    free(wb);
    cleanup(dir, path);
}

static void test_huge_cells(void **state)
{
    (void)state;
    strbuf sheet = STRBUF_INIT;
    sb_adds(&sheet, "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
                    "<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>А</t></is></c>"
                    "<c r=\"B1\" t=\"inlineStr\"><is><t>Б</t></is></c></row>"
                    "<row r=\"2\"><c r=\"A2\"><v>1</v></c><c r=\"B2\" t=\"inlineStr\"><is><t>");
    for (int i = 0; i < 100000; i++)
        sb_addc(&sheet, 'x');
    sb_adds(&sheet, "</t></is></c></row><row r=\"3\"><c r=\"A3\"><v>2</v></c></row></sheetData></worksheet>");
    struct part parts[] = {
        { "xl/workbook.xml", WORKBOOK_1900 }, { "xl/_rels/workbook.xml.rels", RELS },
        { "xl/worksheets/data.xml", sheet.buf },
    };
    char *dir, *path = tmp_path(&dir, "huge.xlsx");
    write_zip(path, parts, 3);
    table *t = tu_table_open_ok(path, NULL);
    const struct table_row *r = tu_table_next_ok(t);
    assert_int_equal(r->row, 2);
    assert_non_null(r->problem);
    assert_non_null(strstr(r->problem, "column B (Б)"));
    assert_non_null(strstr(r->problem, "longer than 65536 bytes"));
    assert_string_equal(r->cells[0], "1");
    assert_string_equal(r->cells[1], "");
    r = tu_table_next_ok(t);
    assert_null(r->problem);
    assert_string_equal(r->cells[0], "2");
    table_close(t);
    sb_free(&sheet);
    unlink(path);

    /* A shared string over the limit (libxlsxwriter writes shared strings). */
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, NULL);
    worksheet_write_string(ws, 0, 0, "Имя", NULL);
    worksheet_write_string(ws, 1, 0, "Короткое", NULL);
    worksheet_write_string(ws, 2, 0, "Длинное значение больше сорока байт в UTF-8", NULL);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    struct table_opts o = { .max_cell_bytes = 40 };
    t = tu_table_open_ok(path, &o);
    r = tu_table_next_ok(t);
    assert_null(r->problem);
    assert_string_equal(r->cells[0], "Короткое");
    r = tu_table_next_ok(t);
    assert_non_null(r->problem);
    assert_non_null(strstr(r->problem, "column A (Имя): value longer than 40 bytes"));
    table_close(t);
    cleanup(dir, path);
}

/* 200 MB of spaces compress to about 200 KB: refused from the zip directory
 * before anything is inflated. */
static void test_zip_bomb(void **state)
{
    (void)state;
    char *dir, *path = tmp_path(&dir, "bomb.xlsx");
    zipFile zf = zipOpen64(path, APPEND_STATUS_CREATE);
    assert_non_null(zf);
    struct part small[] = { { "xl/workbook.xml", WORKBOOK_1900 },
                            { "xl/_rels/workbook.xml.rels", RELS } };
    for (int i = 0; i < 2; i++) {
        zip_fileinfo zi = { 0 };
        zipOpenNewFileInZip64(zf, small[i].name, &zi, NULL, 0, NULL, 0, NULL, Z_DEFLATED, 6, 0);
        zipWriteInFileInZip(zf, small[i].text, (unsigned)strlen(small[i].text));
        zipCloseFileInZip(zf);
    }
    zip_fileinfo zi = { 0 };
    assert_int_equal(zipOpenNewFileInZip64(zf, "xl/worksheets/data.xml", &zi, NULL, 0, NULL, 0,
                                           NULL, Z_DEFLATED, 9, 0), ZIP_OK);
    const char *head = "<worksheet><sheetData>";
    zipWriteInFileInZip(zf, head, (unsigned)strlen(head));
    size_t chunk = 1 << 20;
    char *spaces = xmalloc(chunk);
    memset(spaces, ' ', chunk);
    for (int i = 0; i < 200; i++)
        assert_int_equal(zipWriteInFileInZip(zf, spaces, (unsigned)chunk), ZIP_OK);
    const char *tail = "</sheetData></worksheet>";
    zipWriteInFileInZip(zf, tail, (unsigned)strlen(tail));
    zipCloseFileInZip(zf);
    zipClose(zf, NULL);
    free(spaces);

    hcs_err err = { 0 };
    assert_null(table_open(path, NULL, &err));
    assert_int_equal(err.code, HCS_EX_NOINPUT);      /* unreadable as a whole: convert exits 66 */
    /* the directory's ratio check, which runs before anything is inflated */
    assert_non_null(strstr(err.msg, "XLSX part xl/worksheets/data.xml inflates 200 MB from"));

    /* The total budget: the same sheet, allowed 100 MB in all. */
    struct table_opts o = { .max_unzipped = (size_t)100 << 20 };
    assert_null(table_open(path, &o, &err));
    assert_non_null(strstr(err.msg, "XLSX decompresses to more than 100 MB — refusing (zip bomb?)"));
    cleanup(dir, path);
}

/* A zip whose directory understates a part's size: minizip inflates no more
 * than the declared size, so the lie ends in a refused (truncated) part,
 * quickly, instead of 100 MB of inflation. */
static void test_lying_sizes(void **state)
{
    (void)state;
    char *dir, *path = tmp_path(&dir, "liar.xlsx");
    zipFile zf = zipOpen64(path, APPEND_STATUS_CREATE);
    struct part small[] = { { "xl/workbook.xml", WORKBOOK_1900 },
                            { "xl/_rels/workbook.xml.rels", RELS } };
    for (int i = 0; i < 2; i++) {
        zip_fileinfo zi = { 0 };
        zipOpenNewFileInZip64(zf, small[i].name, &zi, NULL, 0, NULL, 0, NULL, Z_DEFLATED, 6, 0);
        zipWriteInFileInZip(zf, small[i].text, (unsigned)strlen(small[i].text));
        zipCloseFileInZip(zf);
    }
    /* raw deflate of a 100 MB sheet, declared as 2 KB */
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    strbuf out = STRBUF_INIT;
    size_t chunk = 1 << 20;
    char *in = xmalloc(chunk);
    memset(in, ' ', chunk);
    const char *head = "<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>A</t></is></c></row>";
    memcpy(in, head, strlen(head));
    char obuf[1 << 16];
    uLong crc = crc32(0, NULL, 0);
    for (int i = 0; i < 100; i++) {
        zs.next_in = (Bytef *)in;
        zs.avail_in = (uInt)chunk;
        crc = crc32(crc, (const Bytef *)in, (uInt)chunk);
        int flush = i == 99 ? Z_FINISH : Z_NO_FLUSH;
        do {
            zs.next_out = (Bytef *)obuf;
            zs.avail_out = sizeof obuf;
            deflate(&zs, flush);
            sb_add(&out, obuf, sizeof obuf - zs.avail_out);
        } while (zs.avail_out == 0);
        if (i == 0)
            memset(in, ' ', strlen(head));
    }
    deflateEnd(&zs);
    free(in);
    zip_fileinfo zi = { 0 };
    assert_int_equal(zipOpenNewFileInZip2(zf, "xl/worksheets/data.xml", &zi, NULL, 0, NULL, 0,
                                          NULL, Z_DEFLATED, 9, 1), ZIP_OK);
    zipWriteInFileInZip(zf, out.buf, (unsigned)out.len);
    assert_int_equal(zipCloseFileInZipRaw(zf, 2048, crc), ZIP_OK);
    zipClose(zf, NULL);
    sb_free(&out);

    /* A 1 MB budget: had the reader believed the stream rather than the
     * declared 2 KB, it would stop on the budget, not on the part's XML. */
    struct table_opts o = { .max_unzipped = (size_t)1 << 20 };
    hcs_err err = { 0 };
    read_through_opts(path, &o, &err);
    print_message("refused: %s\n", err.msg);
    assert_non_null(strstr(err.msg, "xl/worksheets/data.xml is not well-formed XML"));
    assert_null(strstr(err.msg, "decompresses to more than"));
    cleanup(dir, path);
}

static void test_budget_counts_every_part(void **state)
{
    (void)state;
    char *dir, *path = tmp_path(&dir, "big.xlsx");
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, NULL);
    worksheet_write_string(ws, 0, 0, "Номер", NULL);
    worksheet_write_string(ws, 0, 1, "Текст", NULL);
    char buf[64];
    for (int i = 1; i <= 20000; i++) {
        worksheet_write_number(ws, (lxw_row_t)i, 0, i, NULL);
        snprintf(buf, sizeof buf, "строка номер %d", i);
        worksheet_write_string(ws, (lxw_row_t)i, 1, buf, NULL);
    }
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);

    table *t = tu_table_open_ok(path, NULL);
    long n = 0;
    const struct table_row *r;
    hcs_err err = { 0 };
    while (table_next(t, &r, &err) == 1)
        n++;
    assert_int_equal(n, 20000);
    assert_string_equal(r->cells[1], "строка номер 20000");
    table_close(t);

    struct table_opts o = { .max_unzipped = 1 << 20 };
    assert_null(table_open(path, &o, &err));
    assert_non_null(strstr(err.msg, "decompresses to more than 1 MB"));
    cleanup(dir, path);
}

static void test_not_a_workbook(void **state)
{
    (void)state;
    struct part parts[] = { { "readme.txt", "hello" } };
    char *dir, *path = tmp_path(&dir, "x.xlsx");
    write_zip(path, parts, 1);
    hcs_err err = { 0 };
    assert_null(table_open(path, NULL, &err));
    assert_int_equal(err.code, HCS_EX_DATAERR);
    assert_non_null(strstr(err.msg, "not an Excel workbook"));
    cleanup(dir, path);
}

/* ---- chunked SAX reading ------------------------------------------------ */

static const char *RELS_SST =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>"
    "<Relationship Id=\"rId7\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"/xl/worksheets/data.xml\"/>"
    "</Relationships>";
static const char *SST =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"4\" uniqueCount=\"4\">"
    "<si><t>Номер ЛС</t></si><si><t>Фамилия</t></si>"
    "<si><r><t>Пет</t></r><r><rPr><i/></rPr><t xml:space=\"preserve\">ров &amp; К°</t></r>"
    "<rPh sb=\"0\" eb=\"1\"><t>ПЕТ</t></rPh></si>"
    "<si><t><![CDATA[a<b]]>_x0041_</t></si><si/></sst>";
/* Every kind of cell the sheet reader handles, so that a chunk boundary
 * falls inside each of them at some chunk size. */
static const char *CHUNK_SHEET =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
    "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
    "<c r=\"C1\" t=\"inlineStr\"><is><t>Дата</t></is></c><c r=\"D1\" t=\"inlineStr\"><is><t>Ещё</t></is></c></row>"
    "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>2</v></c><c r=\"B2\" t=\"s\"><v>3</v></c>"
    "<c r=\"C2\" s=\"1\"><v>45292.5</v></c><c r=\"D2\" t=\"inlineStr\"><is><r><t>Дли</t></r><r><t>нный текст &#x416;&#1046; ёж</t></r>"
    "<rPh><t>НЕТ</t></rPh></is></c></row>"
    "<row r=\"4\"><c r=\"B4\"><v>0.30000000000000004</v></c><c r=\"D4\" t=\"b\"><v>0</v></c></row>"
    "<row/>"
    "<row r=\"7\"><c r=\"A7\" t=\"str\"><v>строка_x000A_два</v></c><c r=\"A7\"><v>1</v></c></row>"
    "<row r=\"8\"><c t=\"s\"><v>4</v></c><c t=\"e\"><v>#N/A</v></c><c s=\"3\"><v>0.75</v></c></row>"
    "<row r=\"9\"><c r=\"A9\"><v>9</v></c><c r=\"XFD9\"><v>1</v></c></row>"
    "<row r=\"10\"><c r=\"A10\" t=\"s\"><v>99</v></c></row>"
    "</sheetData><pageMargins left=\"0.7\"/></worksheet>";

/* pad: an incompressible part last, so that the sheet and the zip
 * directory are further apart than stdio's buffer: reading the sheet
 * again goes to the file. */
static char *make_noise(void)
{
    char *noise = xmalloc(256 * 1024 + 1);
    srand(7);
    for (size_t i = 0; i < 256 * 1024; i++)
        noise[i] = (char)(1 + rand() % 255);
    noise[256 * 1024] = '\0';
    return noise;
}

static void write_chunk_book_padded(const char *path, int pad)
{
    char *noise = make_noise();
    struct part parts[] = {
        { "xl/workbook.xml", WORKBOOK_1900 }, { "xl/_rels/workbook.xml.rels", RELS_SST },
        { "xl/styles.xml", STYLES }, { "xl/sharedStrings.xml", SST },
        { "xl/worksheets/data.xml", CHUNK_SHEET }, { "xl/media/noise.bin", noise },
    };
    write_zip(path, parts, pad ? 6 : 5);
    free(noise);
}

static void write_chunk_book(const char *path) { write_chunk_book_padded(path, 0); }

/* All rows after the header as text: "row|cell|cell|...|!problem". */
static void dump_rows(table *t, strbuf *out)
{
    const struct table_row *r;
    hcs_err err = { 0 };
    int rc;
    while ((rc = table_next(t, &r, &err)) == 1) {
        sb_addf(out, "%ld", r->row);
        for (size_t i = 0; i < r->ncells; i++)
            sb_addf(out, "|%s", r->cells[i]);
        if (r->problem)
            sb_addf(out, "|!%s", r->problem);
        sb_addc(out, '\n');
    }
    assert_int_equal(rc, 0);
}

static void dump_book(const char *path, strbuf *out)
{
    table *t = tu_table_open_ok(path, NULL);
    const struct table_row *h = table_header(t);
    for (size_t i = 0; i < h->ncells; i++)
        sb_addf(out, "%s|", h->cells[i]);
    sb_addc(out, '\n');
    dump_rows(t, out);
    hcs_err err = { 0 };
    assert_int_equal(table_rewind(t, &err), 0);     /* pass 2 gives the same rows */
    strbuf again = STRBUF_INIT;
    dump_rows(t, &again);
    assert_non_null(strstr(sb_str(out), sb_str(&again)));
    sb_free(&again);
    table_close(t);
}

/* The push parser gets the inflated part in chunks: tags, attribute values,
 * UTF-8 sequences, entities and cell text split at any byte give the same
 * rows as one whole chunk. */
static void test_chunk_boundaries(void **state)
{
    (void)state;
    char *dir, *path = tmp_path(&dir, "chunks.xlsx");
    write_chunk_book(path);
    strbuf whole = STRBUF_INIT;
    dump_book(path, &whole);
    const char *w = sb_str(&whole);
    assert_non_null(strstr(w, "Номер ЛС|Фамилия|Дата|Ещё|\n"));
    assert_non_null(strstr(w, "2|Петров & К°|a<bA|2024-01-01T12:00:00|Длинный текст ЖЖ ёж\n"));
    assert_non_null(strstr(w, "4||0.3||0\n"));
    assert_non_null(strstr(w, "7|строка\nдва||||!column A (Номер ЛС): cell A7 appears twice or out of order\n"));
    assert_non_null(strstr(w, "8||#N/A|18:00:00|\n"));
    assert_non_null(strstr(w, "10|||||!column A (Номер ЛС): broken shared string reference 99\n"));
    const char *r9 = strstr(w, "\n9|9|");
    assert_non_null(r9);                                /* padded to XFD: 16384 cells */
    size_t bars = 0;
    for (const char *p = r9 + 1; *p != '\n'; p++)
        bars += *p == '|';
    assert_int_equal(bars, 16384);
    assert_non_null(strstr(r9, "|1\n"));
    static const size_t sizes[] = { 1, 2, 3, 7, 64, 1000 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        xz_set_chunk_size(sizes[i]);
        strbuf got = STRBUF_INIT;
        dump_book(path, &got);
        if (strcmp(sb_str(&got), w) != 0)
            fail_msg("chunk size %zu:\n%.2000s\nwant\n%.2000s", sizes[i], sb_str(&got), w);
        sb_free(&got);
    }
    xz_set_chunk_size(0);
    sb_free(&whole);
    cleanup(dir, path);
}

/* A damaged part is refused wherever the damage is: the rows parsed before
 * it are given out first, then the error; junk after sheetData counts. */
static void test_error_after_rows(void **state)
{
    (void)state;
    const char *bad[] = {
        "<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>А</t></is></c></row>"
        "<row r=\"2\"><c><v>1</v></c></row><row r=\"3\"><c><v>2</v></c></rowx></sheetData></worksheet>",
        "<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>А</t></is></c></row>"
        "<row r=\"2\"><c><v>1</v></c></row></sheetData><oops></worksheet>",
    };
    for (int chunk = 0; chunk < 2; chunk++) {
        xz_set_chunk_size(chunk ? 5 : 0);
        for (int i = 0; i < 2; i++) {
            struct part parts[] = {
                { "xl/workbook.xml", WORKBOOK_1900 }, { "xl/_rels/workbook.xml.rels", RELS },
                { "xl/worksheets/data.xml", bad[i] },
            };
            char *dir, *path = tmp_path(&dir, "bad.xlsx");
            write_zip(path, parts, 3);
            table *t = tu_table_open_ok(path, NULL);
            const struct table_row *r = tu_table_next_ok(t);
            assert_int_equal(r->row, 2);
            assert_string_equal(r->cells[0], "1");
            hcs_err err = { 0 };
            assert_int_equal(table_next(t, &r, &err), -1);
            assert_int_equal(err.code, HCS_EX_DATAERR);
            assert_non_null(strstr(err.msg, "data.xml is not well-formed XML (line 1: Opening and ending tag mismatch"));
            assert_int_equal(table_next(t, &r, &err), -1);  /* and stays failed */
            table_close(t);
            cleanup(dir, path);
        }
    }
    xz_set_chunk_size(0);
}

/* The shared strings are streamed by the same SAX helper: a DOCTYPE there
 * is refused before any of its declarations is used, and an undeclared
 * entity is an error, never an expansion. */
static void test_shared_strings_guarded(void **state)
{
    (void)state;
    const char *ssts[] = {
        "<?xml version=\"1.0\"?><!DOCTYPE sst [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
        "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>&x;</t></si></sst>",
        "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>&x;</t></si></sst>",
    };
    const char *want[] = { "sharedStrings.xml has a DOCTYPE declaration", "sharedStrings.xml is not well-formed XML" };
    for (int i = 0; i < 2; i++) {
        struct part parts[] = {
            { "xl/workbook.xml", WORKBOOK_1900 }, { "xl/_rels/workbook.xml.rels", RELS_SST },
            { "xl/sharedStrings.xml", ssts[i] }, { "xl/worksheets/data.xml", CHUNK_SHEET },
        };
        char *dir, *path = tmp_path(&dir, "sst.xlsx");
        write_zip(path, parts, 4);
        hcs_err err = { 0 };
        assert_null(table_open(path, NULL, &err));
        assert_int_equal(err.code, HCS_EX_DATAERR);
        assert_non_null(strstr(err.msg, want[i]));
        assert_null(strstr(err.msg, "root:"));
        cleanup(dir, path);
    }
}

/* libxml2's text node limit (10 MB without XML_PARSE_HUGE) holds with the
 * SAX reader as it did with xmlTextReader, in the sheet and in the shared
 * strings, with the same message. */
static void test_huge_text_node(void **state)
{
    (void)state;
    strbuf big = STRBUF_INIT;
    for (int i = 0; i < 10 * 1000 * 1000 + 10; i++)
        sb_addc(&big, 'x');
    char *sheet = xasprintf("<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>А</t></is></c></row>"
                            "<row r=\"2\"><c t=\"inlineStr\"><is><t>%s</t></is></c></row></sheetData></worksheet>",
                            sb_str(&big));
    char *sst = xasprintf("<sst><si><t>А</t></si><si><t>%s</t></si></sst>", sb_str(&big));
    sb_free(&big);
    for (int i = 0; i < 2; i++) {
        struct part parts[] = {
            { "xl/workbook.xml", WORKBOOK_1900 }, { "xl/_rels/workbook.xml.rels", RELS_SST },
            { "xl/sharedStrings.xml", i ? sst : "<sst/>" },
            { "xl/worksheets/data.xml", i ? CHUNK_SHEET : sheet },
        };
        char *dir, *path = tmp_path(&dir, "bignode.xlsx");
        write_zip(path, parts, 4);
        hcs_err err = { 0 };
        read_through(path, &err);
        assert_non_null(strstr(err.msg, i ? "sharedStrings.xml is not well-formed XML (line 1: "
                                           : "data.xml is not well-formed XML (line 1: "));
        assert_non_null(strstr(err.msg, "xmlSAX2Characters: huge text node)"));
        cleanup(dir, path);
    }
    free(sheet);
    free(sst);
}

/* Reads to the end, truncates the file, rewinds and reads again: 0 when
 * pass 2 came through whole, -1 when it needed the file. */
static int second_pass_without_file(const char *path, int two_passes, size_t *rows)
{
    struct table_opts o = { .two_passes = two_passes };
    table *t = tu_table_open_ok(path, &o);
    const struct table_row *r;
    hcs_err err = { 0 };
    size_t n1 = 0, n2 = 0;
    while (table_next(t, &r, &err) == 1)
        n1++;
    FILE *f = fopen(path, "wb");                  /* the zip is gone */
    assert_non_null(f);
    fclose(f);
    int rc = table_rewind(t, &err);
    if (rc == 0)
        while ((rc = table_next(t, &r, &err)) == 1)
            n2++;
    table_close(t);
    *rows = n1;
    return rc < 0 ? -1 : n1 == n2 ? 0 : -2;
}

/* Pass 2 replays pass 1's rows from a temporary file instead of parsing
 * the sheet again; without a usable spool, or when it would outgrow the
 * sheet, it parses the sheet again as before.  A rewind before the end
 * parses again too (the spool is incomplete). */
static void test_pass2_spool(void **state)
{
    (void)state;
    char *dir, *path = tmp_path(&dir, "spool.xlsx");
    size_t n;
    write_chunk_book_padded(path, 1);
    assert_int_equal(second_pass_without_file(path, 1, &n), 0);
    assert_int_equal(n, 6);
    write_chunk_book_padded(path, 1);              /* not asked for: no spool */
    assert_int_equal(second_pass_without_file(path, 0, &n), -1);

    char *tmpdir = getenv("TMPDIR") ? xstrdup(getenv("TMPDIR")) : NULL;
    setenv("TMPDIR", "/nonexistent/hcs-test", 1);
    write_chunk_book_padded(path, 1);
    int rc = second_pass_without_file(path, 1, &n);
    if (tmpdir)
        setenv("TMPDIR", tmpdir, 1);
    else
        unsetenv("TMPDIR");
    free(tmpdir);
    assert_int_equal(rc, -1);                     /* no spool: the sheet is parsed again */

    /* 300000 empty rows: 6 bytes of XML each, more as spooled rows */
    strbuf sheet = STRBUF_INIT;
    sb_adds(&sheet, "<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>А</t></is></c></row>");
    for (int i = 0; i < 300000; i++)
        sb_adds(&sheet, "<row/>");
    sb_adds(&sheet, "<row><c><v>1</v></c></row></sheetData></worksheet>");
    char *noise = make_noise();
    struct part parts[] = {
        { "xl/workbook.xml", WORKBOOK_1900 }, { "xl/_rels/workbook.xml.rels", RELS },
        { "xl/worksheets/data.xml", sheet.buf }, { "xl/media/noise.bin", noise },
    };
    write_zip(path, parts, 4);
    assert_int_equal(second_pass_without_file(path, 1, &n), -1);
    assert_int_equal(n, 1);
    sb_free(&sheet);
    free(noise);

    /* rewound after one row: the rest comes from the sheet */
    write_chunk_book(path);
    strbuf want = STRBUF_INIT, got = STRBUF_INIT;
    table *t = tu_table_open_ok(path, NULL);
    dump_rows(t, &want);
    table_close(t);
    struct table_opts o = { .two_passes = 1 };
    t = tu_table_open_ok(path, &o);
    tu_table_next_ok(t);
    hcs_err err = { 0 };
    assert_int_equal(table_rewind(t, &err), 0);
    dump_rows(t, &got);
    assert_string_equal(sb_str(&got), sb_str(&want));
    table_close(t);
    sb_free(&want);
    sb_free(&got);
    cleanup(dir, path);
}

/* tests grouped by subject: cmocka reports each group by name */
int main(void)
{
    const struct CMUnitTest values[] = {
        cmocka_unit_test(test_xlsxwriter_values),
        cmocka_unit_test(test_handmade_1904_inline_rich),
        cmocka_unit_test(test_chunk_boundaries),
        cmocka_unit_test(test_pass2_spool),
    };
    const struct CMUnitTest limits[] = {
        cmocka_unit_test(test_doctype_refused),
        cmocka_unit_test(test_huge_cells),
        cmocka_unit_test(test_zip_bomb),
        cmocka_unit_test(test_lying_sizes),
        cmocka_unit_test(test_budget_counts_every_part),
        cmocka_unit_test(test_not_a_workbook),
        cmocka_unit_test(test_error_after_rows),
        cmocka_unit_test(test_shared_strings_guarded),
        cmocka_unit_test(test_huge_text_node),
    };
    return cmocka_run_group_tests_name("values", values, NULL, NULL) +
           cmocka_run_group_tests_name("refused or bounded", limits, NULL, NULL);
}
