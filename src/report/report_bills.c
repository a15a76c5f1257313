/* report_bills — see report_bills.h. */
#include "report/report_bills.h"
#include "report/report_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "base/xalloc.h"

static int by_account(const void *a, const void *b)
{
    const struct bills_row *x = a, *y = b;
    int r = strcmp(x->account_number ? x->account_number : "", y->account_number ? y->account_number : "");
    if (!r)
        r = strcmp(x->period ? x->period : "", y->period ? y->period : "");
    return r ? r : strcmp(x->doc_number ? x->doc_number : "", y->doc_number ? y->doc_number : "");
}

enum { C_ACCOUNT, C_ACCOUNT_GUID, C_DOC, C_DOC_ID, C_PERIOD, C_STATE, C_DEBT, C_ADVANCE, C_TOTAL, C_PAID,
       C_COUNT };

static const struct { const char *title; double width; } columns[C_COUNT] = {
    { "Номер ЛС", 14 }, { "Идентификатор ЛС ГИС", 38 }, { "Номер ПД", 20 }, { "Идентификатор ПД ГИС", 22 },
    { "Период", 10 }, { "Состояние", 12 }, { "Задолженность", 14 }, { "Аванс", 12 },
    { "Итого к оплате", 16 }, { "Оплачено", 12 },
};

/* A money cell: a number when it is one, else the text as GIS gave it. */
static void money(lxw_worksheet *ws, lxw_row_t row, int col, const char *v, lxw_format *f)
{
    char *end = NULL;
    double d = v && *v ? strtod(v, &end) : 0;
    if (v && *v && end && !*end)
        worksheet_write_number(ws, row, (lxw_col_t)col, d, f);
    else
        worksheet_write_string(ws, row, (lxw_col_t)col, v ? v : "", NULL);
}

/* "2026-10" → "10.2026", as Период is written in the input files. */
static const char *ru_period(const char *iso, char out[16])
{
    int y, m;
    if (iso && sscanf(iso, "%4d-%2d", &y, &m) == 2)
        snprintf(out, 16, "%02d.%04d", m % 100, y % 10000);
    else
        snprintf(out, 16, "%s", iso ? iso : "");
    return out;
}

static void write_rows(lxw_workbook *wb, lxw_worksheet *ws, const struct bills_row *rows, size_t n)
{
    lxw_format *num = workbook_add_format(wb), *gone = workbook_add_format(wb);
    lxw_format *gone_num = workbook_add_format(wb), *bold = workbook_add_format(wb);
    format_set_num_format(num, "# ##0.00");
    format_set_num_format(gone_num, "# ##0.00");
    format_set_font_strikeout(gone_num);
    format_set_font_color(gone, 0x808080);
    format_set_font_color(gone_num, 0x808080);
    format_set_bold(bold);
    for (size_t i = 0; i < n; i++) {
        const struct bills_row *r = &rows[i];
        lxw_row_t row = (lxw_row_t)(i + 1);
        lxw_format *t = r->withdrawn ? gone : NULL, *m = r->withdrawn ? gone_num : num;
        char p[16];
        worksheet_write_string(ws, row, C_ACCOUNT, r->account_number ? r->account_number : "", t);
        worksheet_write_string(ws, row, C_ACCOUNT_GUID, r->account_guid ? r->account_guid : "", t);
        worksheet_write_string(ws, row, C_DOC, r->doc_number ? r->doc_number : "", t);
        worksheet_write_string(ws, row, C_DOC_ID, r->doc_id ? r->doc_id : "", t);
        worksheet_write_string(ws, row, C_PERIOD, ru_period(r->period, p), t);
        worksheet_write_string(ws, row, C_STATE, r->withdrawn ? "отозван" : "размещён", t);
        money(ws, row, C_DEBT, r->debt, m);
        money(ws, row, C_ADVANCE, r->advance, m);
        money(ws, row, C_TOTAL, r->total, m);
        money(ws, row, C_PAID, r->paid, m);
    }
    /* the totals of the documents in force (withdrawn ones left out) */
    lxw_row_t last = (lxw_row_t)(n + 1);
    worksheet_write_string(ws, last, C_ACCOUNT, "Итого (размещённые)", bold);
    for (int col = C_DEBT; col < C_COUNT; col++) {
        char formula[160], from[16], to[16], state_from[16], state_to[16];
        lxw_rowcol_to_cell(from, 1, (lxw_col_t)col);
        lxw_rowcol_to_cell(to, (lxw_row_t)(n ? n : 1), (lxw_col_t)col);
        lxw_rowcol_to_cell(state_from, 1, C_STATE);
        lxw_rowcol_to_cell(state_to, (lxw_row_t)(n ? n : 1), C_STATE);
        snprintf(formula, sizeof formula, "=SUMIF(%s:%s,\"размещён\",%s:%s)", state_from, state_to, from, to);
        worksheet_write_formula(ws, last, (lxw_col_t)col, formula, num);
    }
}

int report_bills_workbook(const char *path, struct bills_row *rows, size_t n, hcs_err *err)
{
    qsort(rows, n, sizeof *rows, by_account);
    char *tmp;
    lxw_workbook *wb = workbook_begin(path, &tmp, err);
    if (!wb)
        return -1;
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Платёжные документы");
    lxw_format *head = workbook_add_format(wb);
    format_set_bold(head);
    format_set_text_wrap(head);
    format_set_bg_color(head, 0xD9E1F2);
    for (int col = 0; col < C_COUNT; col++) {
        worksheet_write_string(ws, 0, (lxw_col_t)col, columns[col].title, head);
        worksheet_set_column(ws, (lxw_col_t)col, (lxw_col_t)col, columns[col].width, NULL);
    }
    write_rows(wb, ws, rows, n);
    worksheet_freeze_panes(ws, 1, 0);
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)(n ? n : 1), C_COUNT - 1);
    return workbook_finish(wb, tmp, path, err);
}
