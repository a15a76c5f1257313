/* report_history — see report_history.h. */
#include "report/report_history.h"
#include "report/report_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "base/xalloc.h"

static int by_device_date(const void *a, const void *b)
{
    const struct history_row *x = a, *y = b;
    int c = strcmp(x->house, y->house);
    if (!c)
        c = strcmp(x->serial, y->serial);
    if (!c)
        c = strcmp(x->root, y->root);
    if (!c)
        c = strcmp(x->date, y->date);
    return c ? c : x->control - y->control;
}

enum { C_HOUSE, C_SERIAL, C_STATE, C_DATE, C_KIND, C_RESOURCE, C_VALUE, C_T2, C_T3, C_ENTERED, C_ROOT, C_COUNT };

static const struct { const char *title; double width; } columns[C_COUNT] = {
    { "ФИАС дома", 38 }, { "Заводской номер ПУ", 20 }, { "Состояние ПУ", 14 }, { "Дата снятия", 13 },
    { "Вид показания", 14 }, { "Ресурс", 24 }, { "Показание (Т1)", 16 }, { "Показание Т2", 14 },
    { "Показание Т3", 14 }, { "Внесено в ГИС", 20 }, { "Идентификатор ПУ ГИС", 38 },
};

/* A number cell where the text is one (GIS writes 123.4560000), else text. */
static void number(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *v, lxw_format *f)
{
    char *end = NULL;
    double d = v && *v ? strtod(v, &end) : 0;
    if (v && *v && end && !*end)
        worksheet_write_number(ws, row, col, d, f);
    else if (v && *v)
        worksheet_write_string(ws, row, col, v, NULL);
}

/* "YYYY-MM-DD…" → ДД.ММ.ГГГГ; a dateTime keeps its time as ЧЧ:ММ. */
static const char *ru_date(const char *iso, char out[24])
{
    int y, m, d, hh, mm;
    int got = iso ? sscanf(iso, "%4d-%2d-%2dT%2d:%2d", &y, &m, &d, &hh, &mm) : 0;
    if (got == 5)
        snprintf(out, 24, "%02d.%02d.%04d %02d:%02d", d % 100, m % 100, y % 10000, hh % 100, mm % 100);
    else if (got >= 3)
        snprintf(out, 24, "%02d.%02d.%04d", d % 100, m % 100, y % 10000);
    else
        snprintf(out, 24, "%s", iso ? iso : "");
    return out;
}

int report_history_workbook(const char *path, struct history_row *rows, size_t n, hcs_err *err)
{
    qsort(rows, n, sizeof *rows, by_device_date);
    char *tmp;
    lxw_workbook *wb = workbook_begin(path, &tmp, err);
    if (!wb)
        return -1;
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Показания");
    lxw_format *head = workbook_add_format(wb), *num = workbook_add_format(wb), *old = workbook_add_format(wb);
    format_set_bold(head);
    format_set_text_wrap(head);
    format_set_bg_color(head, 0xD9E1F2);
    format_set_num_format(num, "# ##0.000####");
    format_set_font_color(old, 0x808080);      /* an archived device's rows */
    for (int col = 0; col < C_COUNT; col++) {
        worksheet_write_string(ws, 0, (lxw_col_t)col, columns[col].title, head);
        worksheet_set_column(ws, (lxw_col_t)col, (lxw_col_t)col, columns[col].width, NULL);
    }
    for (size_t i = 0; i < n; i++) {
        const struct history_row *r = &rows[i];
        lxw_row_t row = (lxw_row_t)(i + 1);
        lxw_format *f = r->archived ? old : NULL;
        char a[24], b[24];
        worksheet_write_string(ws, row, C_HOUSE, r->house, f);
        worksheet_write_string(ws, row, C_SERIAL, r->serial, f);
        worksheet_write_string(ws, row, C_STATE, r->archived ? "в архиве" : "действует", f);
        worksheet_write_string(ws, row, C_DATE, ru_date(r->date, a), f);
        worksheet_write_string(ws, row, C_KIND, r->control ? "контрольное" : "текущее", f);
        worksheet_write_string(ws, row, C_RESOURCE, r->resource ? r->resource : "", f);
        number(ws, row, C_VALUE, r->value, num);
        number(ws, row, C_T2, r->t2, num);
        number(ws, row, C_T3, r->t3, num);
        worksheet_write_string(ws, row, C_ENTERED, ru_date(r->entered, b), f);
        worksheet_write_string(ws, row, C_ROOT, r->root, f);
    }
    worksheet_freeze_panes(ws, 1, 0);
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)(n ? n : 1), C_COUNT - 1);
    return workbook_finish(wb, tmp, path, err);
}
