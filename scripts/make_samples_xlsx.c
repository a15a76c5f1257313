/* make_samples_xlsx — writes samples/accounts.xlsx with libxlsxwriter: the
 * same kind of accounts export as samples/accounts.csv, the way an
 * accounting system saves it to Excel: one ФИО column (split into
 * Фамилия/Имя/Отчество by the template), real date cells, numeric cells,
 * a formula with its cached value, an empty row, and a few bad rows.
 * Build and run: sh scripts/make_samples.sh */
#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

struct acc {
    const char *num, *type, *house, *premises, *fio, *sex;
    int by, bm, bd;             /* birth date, 0 = none */
    double share, area, living;
    int persons;
    const char *snils;
};

#define H1 "cb7d56d2-735a-5f7e-9ddc-e1dce2b5813f"
#define H2 "6f8d3564-dfbe-5f16-b850-12db2f5cdcbe"

int main(int argc, char **argv)
{
    const char *out = argc > 1 ? argv[1] : "samples/accounts.xlsx";
    lxw_workbook_options opt = { .constant_memory = LXW_FALSE };
    lxw_workbook *wb = workbook_new_opt(out, &opt);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Лицевые счета");
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "dd.mm.yyyy");
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    const char *hdr[] = { "Номер ЛС", "Тип ЛС", "ФИАС дома", "Идентификатор помещения ГИС",
                          "Доля, %", "Общая площадь", "Жилая площадь", "Количество проживающих",
                          "ФИО", "Пол", "Дата рождения", "СНИЛС" };
    for (int c = 0; c < 12; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, hdr[c], bold);
    const struct acc rows[] = {
        { "00020001", "УО", H1, "47565e3b-ccd9-5157-b375-d7b337a56213", "Белова Ирина Петровна", "Ж", 1971, 3, 8, 100, 45.3, 31.7, 2, "112-233-445 95" },
        { "00020002", "УО", H2, "b710babd-e98a-5b09-adce-ee6a5524eee1", "Зайцев Михаил Андреевич", "М", 1984, 12, 1, 100, 45.3, 31.7, 3, "" },
        { "00020003", "РСО", H1, "", "Комарова Светлана", "Ж", 0, 0, 0, 0, 52.6, 36.8, 1, "" },
        { "00020004", "УО", H2, "4a774a2c-a031-5b49-ae1e-dff1b7a0f28e", "Тихонов Артём Ильич", "м", 1999, 7, 15, 50, 60.2, 42.1, 4, "" },
        { "00020005", "КР", H1, "", "Гусева", "Ж", 1960, 5, 20, 0, 38.0, 0, 1, "" },                    /* no first name */
        { "00020006", "УО", H2, "not-a-guid", "Титов Олег Васильевич", "М", 1975, 1, 30, 100, 70.4, 50.0, 2, "" }, /* bad GUID */
        { "00020004", "УО", H1, "ad11799f-8b47-59cf-b798-0bd37ce255f9", "Тихонов Артём Ильич", "м", 1999, 7, 15, 50, 60.2, 42.1, 4, "" },
    };
    int r = 1;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++, r++) {
        const struct acc *a = &rows[i];
        if (i == 3)
            r++;                                   /* an empty row in the middle */
        worksheet_write_string(ws, (lxw_row_t)r, 0, a->num, NULL);
        worksheet_write_string(ws, (lxw_row_t)r, 1, a->type, NULL);
        worksheet_write_string(ws, (lxw_row_t)r, 2, a->house, NULL);
        if (a->premises[0])
            worksheet_write_string(ws, (lxw_row_t)r, 3, a->premises, NULL);
        if (a->share > 0)
            worksheet_write_number(ws, (lxw_row_t)r, 4, a->share, NULL);
        worksheet_write_number(ws, (lxw_row_t)r, 5, a->area, NULL);
        if (a->living > 0) {
            /* living area as a formula with its cached value */
            char f[64];
            snprintf(f, sizeof f, "=ROUND(F%d*0.7,1)", r + 1);
            worksheet_write_formula_num(ws, (lxw_row_t)r, 6, f, NULL, a->living);
        }
        worksheet_write_number(ws, (lxw_row_t)r, 7, a->persons, NULL);
        worksheet_write_string(ws, (lxw_row_t)r, 8, a->fio, NULL);
        worksheet_write_string(ws, (lxw_row_t)r, 9, a->sex, NULL);
        if (a->by) {
            lxw_datetime d = { a->by, a->bm, a->bd, 0, 0, 0 };
            worksheet_write_datetime(ws, (lxw_row_t)r, 10, &d, date);
        }
        if (a->snils[0])
            worksheet_write_string(ws, (lxw_row_t)r, 11, a->snils, NULL);
    }
    /* a date typed as text in a bad form */
    worksheet_write_string(ws, (lxw_row_t)r, 0, "00020007", NULL);
    worksheet_write_string(ws, (lxw_row_t)r, 1, "УО", NULL);
    worksheet_write_string(ws, (lxw_row_t)r, 2, H1, NULL);
    worksheet_write_number(ws, (lxw_row_t)r, 5, 41.5, NULL);
    worksheet_write_string(ws, (lxw_row_t)r, 8, "Юдин Роман Сергеевич", NULL);
    worksheet_write_string(ws, (lxw_row_t)r, 10, "1988-13-01", NULL);
    worksheet_set_column(ws, 0, 11, 18, NULL);
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : 1;
}
