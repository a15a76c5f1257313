/* report_debt — see report_debt.h. */
#include "report/report_debt.h"
#include "report/report_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xlsxwriter.h>

#include "base/xalloc.h"

static int parse_day(const char *s, struct tm *tm)
{
    memset(tm, 0, sizeof *tm);
    if (!s || sscanf(s, "%4d-%2d-%2d", &tm->tm_year, &tm->tm_mon, &tm->tm_mday) != 3)
        return -1;
    tm->tm_year -= 1900;
    tm->tm_mon -= 1;
    tm->tm_hour = 12;
    return 0;
}

int debt_add_working_days(const char *today, int n, char out[11])
{
    struct tm tm;
    if (parse_day(today, &tm) < 0)
        return -1;
    time_t t = timegm(&tm);
    while (n > 0) {
        t += 86400;
        gmtime_r(&t, &tm);
        if (tm.tm_wday != 0 && tm.tm_wday != 6)
            n--;
    }
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
    return 0;
}

void debt_count(const struct debt_row *rows, size_t n, const char *today, struct debt_counts *c)
{
    char soon[11] = "";
    memset(c, 0, sizeof *c);
    debt_add_working_days(today, 2, soon);
    for (size_t i = 0; i < n; i++) {
        const char *d = rows[i].deadline ? rows[i].deadline : "";
        c->open++;
        if (*d && strcmp(d, today) < 0)
            c->overdue++;
        if (*d && strcmp(d, soon) <= 0)
            c->due_soon++;
    }
}

static int by_deadline(const void *a, const void *b)
{
    const struct debt_row *x = a, *y = b;
    int r = strcmp(x->deadline ? x->deadline : "9999", y->deadline ? y->deadline : "9999");
    return r ? r : strcmp(x->guid, y->guid);
}

/* "YYYY-MM-DD" → ДД.ММ.ГГГГ (as the accountant reads dates). */
static const char *ru_date(const char *iso, char out[16])
{
    int y, m, d;
    if (iso && sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) == 3)
        snprintf(out, 16, "%02d.%02d.%04d", d % 100, m % 100, y % 10000);
    else
        snprintf(out, 16, "%s", iso ? iso : "");
    return out;
}

enum { C_GUID, C_NUMBER, C_ORG, C_ADDRESS, C_PERIOD, C_SENT, C_DEADLINE, C_STATE, C_DEBT, C_ANSWER,
       C_LAST, C_FIRST, C_MIDDLE, C_DOCTYPE, C_FILE, C_COUNT };

static const struct { const char *title; double width; } columns[C_COUNT] = {
    { "Идентификатор подзапроса", 38 }, { "Номер запроса", 16 }, { "Заявитель", 36 },
    { "Адрес", 48 }, { "Период", 24 }, { "Дата запроса", 13 }, { "Срок ответа", 13 },
    { "Состояние", 16 }, { "Задолженность", 22 }, { "Ответ (комментарий)", 36 },
    { "Фамилия должника", 18 }, { "Имя должника", 16 }, { "Отчество должника", 18 },
    { "Документ о задолженности", 26 }, { "Файл судебного акта", 28 },
};

static void list_validation(lxw_worksheet *ws, lxw_row_t last, int col, const char **values, const char *title,
                            const char *message)
{
    lxw_data_validation v = { 0 };
    v.validate = LXW_VALIDATION_TYPE_LIST;
    v.value_list = (char **)values;
    v.error_title = (char *)title;
    v.error_message = (char *)message;
    v.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
    worksheet_data_validation_range(ws, 1, (lxw_col_t)col, last, (lxw_col_t)col, &v);
}

int report_debt_workbook(const char *path, struct debt_row *rows, size_t n, const char *today,
                         const char *const *doc_types, size_t ntypes, struct debt_counts *c,
                         hcs_err *err)
{
    qsort(rows, n, sizeof *rows, by_deadline);
    debt_count(rows, n, today, c);
    char soon[11] = "", *tmp;
    debt_add_working_days(today, 2, soon);
    lxw_workbook *wb = workbook_begin(path, &tmp, err);
    if (!wb)
        return -1;
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Подзапросы");
    lxw_format *head = workbook_add_format(wb), *late = workbook_add_format(wb), *soonf = workbook_add_format(wb);
    lxw_format *input = workbook_add_format(wb);
    format_set_bold(head);
    format_set_text_wrap(head);
    format_set_bg_color(head, 0xD9E1F2);
    format_set_bg_color(late, 0xF8CBAD);     /* overdue */
    format_set_bg_color(soonf, 0xFFE699);    /* due within 2 working days */
    format_set_bg_color(input, 0xE2EFDA);    /* the accountant's columns */
    for (int col = 0; col < C_COUNT; col++) {
        worksheet_write_string(ws, 0, (lxw_col_t)col, columns[col].title, head);
        worksheet_set_column(ws, (lxw_col_t)col, (lxw_col_t)col, columns[col].width, NULL);
    }
    for (size_t i = 0; i < n; i++) {
        const struct debt_row *r = &rows[i];
        lxw_row_t row = (lxw_row_t)(i + 1);
        const char *d = r->deadline ? r->deadline : "";
        int overdue = *d && strcmp(d, today) < 0, near = *d && strcmp(d, soon) <= 0;
        lxw_format *f = overdue ? late : near ? soonf : NULL;
        char a[16], b[16], period[40];
        snprintf(period, sizeof period, "%s – %s", ru_date(r->from, a), ru_date(r->to, b));
        worksheet_write_string(ws, row, C_GUID, r->guid, f);
        worksheet_write_string(ws, row, C_NUMBER, r->number ? r->number : "", f);
        worksheet_write_string(ws, row, C_ORG, r->org ? r->org : "", f);
        worksheet_write_string(ws, row, C_ADDRESS, r->address ? r->address : "", f);
        worksheet_write_string(ws, row, C_PERIOD, r->from ? period : "", f);
        worksheet_write_string(ws, row, C_SENT, ru_date(r->sent, a), f);
        worksheet_write_string(ws, row, C_DEADLINE, ru_date(r->deadline, b), f);
        worksheet_write_string(ws, row, C_STATE, overdue ? "ПРОСРОЧЕН" : near ? "срок ≤ 2 раб. дней" : "открыт", f);
        for (int col = C_DEBT; col < C_COUNT; col++)
            worksheet_write_blank(ws, row, (lxw_col_t)col, input);
    }
    lxw_row_t last = (lxw_row_t)(n ? n : 1) + 200;   /* room for rows typed in by hand */
    const char *answers[] = { "нет задолженности", "есть задолженность", NULL };
    list_validation(ws, last, C_DEBT, answers, "Задолженность",
                    "Выберите «нет задолженности» или «есть задолженность».");
    const char **types = xcalloc(ntypes + 1, sizeof *types);
    size_t listed = 0, chars = 0;
    for (size_t i = 0; i < ntypes; i++)
        if ((chars += strlen(doc_types[i]) + 1) < 255)   /* Excel's limit on an inline list */
            types[listed++] = doc_types[i];
    if (listed)
        list_validation(ws, last, C_DOCTYPE, types, "Документ о задолженности",
                        "Выберите тип документа из списка (справочник НСИ 358).");
    worksheet_freeze_panes(ws, 1, 0);
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)(n ? n : 1), C_COUNT - 1);
    int rc = workbook_finish(wb, tmp, path, err);
    free(types);
    return rc;
}
