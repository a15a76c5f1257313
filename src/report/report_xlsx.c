/* report_xlsx — the accountants' XLSX report, written with libxlsxwriter in
 * constant-memory mode: «Сводка», one sheet per input file, «Ошибки».
 *
 * Constant memory means every sheet is written top to bottom, one row after
 * the other.  So the sheets are created first (tab order), the file sheets
 * and «Ошибки» are streamed together while the rows come from the source,
 * and «Сводка» — which needs the totals — is written last; it has no rows
 * before that.  Column widths, the autofilter and the frozen header are set
 * at the end (libxlsxwriter writes them when the sheet is closed).
 * Every text cell goes through worksheet_write_string: an input cell holding
 * "=HYPERLINK(...)" stays text. */
#include "report/report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "base/fsutil.h"
#include "base/xalloc.h"
#include "exchange/lifecycle.h"
#include "report/report_internal.h"

#define MAX_COLS 16
#define WIDTH_CAP 60.0
#define WRAP_CAP 45.0              /* long texts (GIS error, hint) wrap at this width */
#define CELL_MAX_BYTES 32000
#define LAST_DATA_ROW (LXW_ROW_MAX - 1)   /* the very last row is kept for a note */       /* Excel holds 32767 characters per cell */

enum cell_kind { K_TEXT, K_NUM, K_DATE, K_WRAP, K_KINDS };   /* K_WRAP: long text, wrapped */

struct formats {
    lxw_format *header, *title, *bold, *text, *num, *dec, *date;
    lxw_format *num_left, *dec_left;     /* key figures on «Сводка» */
    lxw_format *row[REPORT_OUTCOME_COUNT][K_KINDS];
    lxw_format *outcome[REPORT_OUTCOME_COUNT];   /* bold, for the outcome column */
};

/* A worksheet being streamed: next row and the widest content per column. */
struct sheet {
    lxw_worksheet *ws;
    double cap[MAX_COLS];        /* narrower cap for wrapped columns, 0 = WIDTH_CAP */
    lxw_row_t next;
    int ncols;
    double width[MAX_COLS];
    int full;                    /* Excel's row limit reached */
};

struct xlsx_ctx {
    lxw_workbook *wb;
    struct formats fmt;
    const report_hints *hints;
    struct sheet errors;
    struct rfile *file;          /* file being streamed */
    struct sheet *file_sheet;
    struct report_totals *tot;
};

/* Light fills that print well: green, red, yellow, orange, rose, blue. */
static const lxw_color_t outcome_fill[REPORT_OUTCOME_COUNT] = {
    0xC6EFCE, 0xFFC7CE, 0xFFEB9C, 0xFCE4D6, 0xF8CBAD, 0xDDEBF7,
};

static const char *const DATE_FMT = "dd.mm.yyyy hh:mm";

static void make_formats(lxw_workbook *wb, struct formats *f)
{
    f->header = workbook_add_format(wb);
    format_set_bold(f->header);
    format_set_bg_color(f->header, 0xD9D9D9);
    format_set_bottom(f->header, LXW_BORDER_THIN);
    f->title = workbook_add_format(wb);
    format_set_bold(f->title);
    format_set_font_size(f->title, 14);
    f->bold = workbook_add_format(wb);
    format_set_bold(f->bold);
    f->text = NULL;
    f->num = workbook_add_format(wb);
    format_set_num_format(f->num, "0");
    f->dec = workbook_add_format(wb);
    format_set_num_format(f->dec, "0.0");
    f->num_left = workbook_add_format(wb);
    format_set_num_format(f->num_left, "0");
    format_set_align(f->num_left, LXW_ALIGN_LEFT);
    f->dec_left = workbook_add_format(wb);
    format_set_num_format(f->dec_left, "0.0");
    format_set_align(f->dec_left, LXW_ALIGN_LEFT);
    f->date = workbook_add_format(wb);
    format_set_num_format(f->date, DATE_FMT);
    format_set_align(f->date, LXW_ALIGN_LEFT);
    for (int o = 0; o < REPORT_OUTCOME_COUNT; o++) {
        for (int k = 0; k < K_KINDS; k++) {
            lxw_format *x = workbook_add_format(wb);
            format_set_bg_color(x, outcome_fill[o]);
            if (k == K_NUM)
                format_set_num_format(x, "0");
            if (k == K_DATE) {
                format_set_num_format(x, DATE_FMT);
                format_set_align(x, LXW_ALIGN_LEFT);
            }
            if (k == K_WRAP)
                format_set_text_wrap(x);
            format_set_align(x, LXW_ALIGN_VERTICAL_TOP);
            f->row[o][k] = x;
        }
        f->outcome[o] = workbook_add_format(wb);
        format_set_bg_color(f->outcome[o], outcome_fill[o]);
        format_set_bold(f->outcome[o]);
        format_set_align(f->outcome[o], LXW_ALIGN_VERTICAL_TOP);
    }
}

/* ---- cell writers: track widths, never write formulas ------------------- */

static void note_width(struct sheet *s, int col, double chars)
{
    if (col < MAX_COLS && chars > s->width[col])
        s->width[col] = chars;
    if (col + 1 > s->ncols)
        s->ncols = col + 1;
}

static void put_text(struct sheet *s, lxw_row_t r, int col, const char *text, lxw_format *f)
{
    if (!text || !*text) {
        if (f)
            worksheet_write_blank(s->ws, r, (lxw_col_t)col, f);
        note_width(s, col, 0);
        return;
    }
    char *clean = cell_text(text, CELL_MAX_BYTES);
    worksheet_write_string(s->ws, r, (lxw_col_t)col, clean, f);
    /* A multi-line text is as wide as its longest line. */
    double widest = 0, cur = 0;
    for (const char *p = clean; *p; p++) {
        if (*p == '\n') {
            cur = 0;
            continue;
        }
        if (((unsigned char)*p & 0xC0) != 0x80 && ++cur > widest)
            widest = cur;
    }
    note_width(s, col, widest);
    free(clean);
}

static void put_num(struct sheet *s, lxw_row_t r, int col, double v, lxw_format *f)
{
    worksheet_write_number(s->ws, r, (lxw_col_t)col, v, f);
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%.0f", v);
    note_width(s, col, n);
}

/* Dates are shown in local time, as the accountant lives. */
static void put_date(struct sheet *s, lxw_row_t r, int col, time_t t, lxw_format *f, lxw_format *blank)
{
    if (t <= 0) {
        put_text(s, r, col, NULL, blank);
        return;
    }
    struct tm tm;
    localtime_r(&t, &tm);
    lxw_datetime dt = { tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec };
    worksheet_write_datetime(s->ws, r, (lxw_col_t)col, &dt, f);
    note_width(s, col, 16);
}

static void put_header(struct sheet *s, const struct formats *fmt, const char *const *titles, int n)
{
    for (int c = 0; c < n; c++)
        put_text(s, s->next, c, titles[c], fmt->header);
    s->next++;
}

/* Widths that fit the content (characters, a little padding, capped);
 * then the autofilter over the table and the frozen header row. */
static void finish_table(struct sheet *s, lxw_row_t header_row, int filter)
{
    for (int c = 0; c < s->ncols && c < MAX_COLS; c++) {
        double w = s->width[c] + 2;
        double cap = s->cap[c] > 0 ? s->cap[c] : WIDTH_CAP;
        if (w > cap)
            w = cap;
        if (w < 6)
            w = 6;
        worksheet_set_column(s->ws, (lxw_col_t)c, (lxw_col_t)c, w, NULL);
    }
    /* Printed: A4 landscape, one page wide, header row on every page. */
    worksheet_set_paper(s->ws, 9);
    worksheet_set_landscape(s->ws);
    worksheet_fit_to_pages(s->ws, 1, 0);
    if (filter)
        worksheet_repeat_rows(s->ws, header_row, header_row);
    if (filter && s->ncols > 0) {
        lxw_row_t last = s->next > header_row + 1 ? s->next - 1 : header_row;
        worksheet_autofilter(s->ws, header_row, 0, last, (lxw_col_t)(s->ncols - 1));
        worksheet_freeze_panes(s->ws, header_row + 1, 0);
    }
}

/* ---- file sheets and «Ошибки» -------------------------------------------- */

/* Lines a wrapped cell needs at WRAP_CAP width (words wrap a little
 * earlier than the full width, hence the slack). */
static int wrapped_lines(const char *text)
{
    if (!text)
        return 1;
    int lines = 1;
    double cur = 0, per_line = WRAP_CAP - 2;
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            lines++;
            cur = 0;
        } else if (((unsigned char)*p & 0xC0) != 0x80 && ++cur > per_line) {
            lines++;
            cur = 1;
        }
    }
    return lines;
}

/* Constant memory: a row's height must be set before its cells are
 * written, and LibreOffice does not grow rows for wrapped text itself. */
static void set_row_height(struct sheet *s, lxw_row_t r, const char *const *wrapped, int n)
{
    int lines = 1;
    for (int i = 0; i < n; i++) {
        int l = wrapped_lines(wrapped[i]);
        if (l > lines)
            lines = l;
    }
    if (lines > 1)
        worksheet_set_row(s->ws, r, 15.0 * (lines > 20 ? 20 : lines), NULL);
}


static const char *row_code(const struct report_row *r)
{
    if (r->code && *r->code)
        return r->code;
    if (r->outcome == REPORT_REJECTED)
        return report_reason_code(r->reason);
    return NULL;
}

/* Columns of a file sheet. */
enum { FC_ROW, FC_KEY, FC_OUTCOME, FC_CODE, FC_GISTEXT, FC_REASON, FC_COLUMN, FC_VALUE,
       FC_HINT, FC_GUID, FC_UNIQUE, FC_DATE, FC_COUNT };

/* The row's common cells, from row number to hint, starting at column c:
 * a file sheet has them first, «Ошибки» after the file name. */
static void write_row_cells(struct xlsx_ctx *x, struct sheet *s, lxw_row_t n, lxw_col_t c,
                            const struct report_row *r)
{
    const struct formats *f = &x->fmt;
    int o = (unsigned)r->outcome < REPORT_OUTCOME_COUNT ? (int)r->outcome : REPORT_FAILED;
    lxw_format *ft = f->row[o][K_TEXT], *fw = f->row[o][K_WRAP];
    const char *code = row_code(r);
    const char *hint = report_hints_get(x->hints, code);
    const char *wrapped[] = { r->gis_text, r->reason, hint };
    set_row_height(s, n, wrapped, 3);
    if (r->row > 0)
        put_num(s, n, c + FC_ROW, (double)r->row, f->row[o][K_NUM]);
    else
        put_text(s, n, c + FC_ROW, "весь файл", ft);
    put_text(s, n, c + FC_KEY, r->key, ft);
    put_text(s, n, c + FC_OUTCOME, report_outcome_label((enum report_outcome)o), f->outcome[o]);
    put_text(s, n, c + FC_CODE, code, ft);
    put_text(s, n, c + FC_GISTEXT, r->gis_text, fw);
    put_text(s, n, c + FC_REASON, r->reason, fw);
    put_text(s, n, c + FC_COLUMN, r->column, ft);
    put_text(s, n, c + FC_VALUE, r->value, ft);
    put_text(s, n, c + FC_HINT, hint, fw);
}

static void write_file_row(struct xlsx_ctx *x, struct sheet *s, const struct report_row *r)
{
    int o = (unsigned)r->outcome < REPORT_OUTCOME_COUNT ? (int)r->outcome : REPORT_FAILED;
    lxw_format *ft = x->fmt.row[o][K_TEXT];
    lxw_row_t n = s->next++;
    write_row_cells(x, s, n, 0, r);
    put_text(s, n, FC_GUID, r->gis_guid, ft);
    put_text(s, n, FC_UNIQUE, r->unique_number, ft);
    put_date(s, n, FC_DATE, r->updated, x->fmt.row[o][K_DATE], ft);
}

/* Columns of «Ошибки»: the file name, then the common cells. */
enum { EC_FILE, EC_ROW, EC_GISTEXT = EC_ROW + FC_GISTEXT, EC_REASON = EC_ROW + FC_REASON,
       EC_HINT = EC_ROW + FC_HINT, EC_COUNT };

static void write_error_row(struct xlsx_ctx *x, const struct report_row *r)
{
    struct sheet *s = &x->errors;
    int o = (unsigned)r->outcome < REPORT_OUTCOME_COUNT ? (int)r->outcome : REPORT_FAILED;
    lxw_row_t n = s->next++;
    put_text(s, n, EC_FILE, path_base(x->file->path), x->fmt.row[o][K_TEXT]);
    write_row_cells(x, s, n, EC_ROW, r);
}

static int on_row(void *arg, const struct report_row *r, hcs_err *err)
{
    (void)err;
    struct xlsx_ctx *x = arg;
    int o = (unsigned)r->outcome < REPORT_OUTCOME_COUNT ? (int)r->outcome : REPORT_FAILED;
    x->file->counts[o]++;
    x->file->listed++;
    struct sheet *s = x->file_sheet;
    if (s->next < LAST_DATA_ROW)
        write_file_row(x, s, r);
    else
        s->full = 1;
    if (report_outcome_needs_action((enum report_outcome)o)) {
        if (x->tot)
            x->tot->need_action++;
        if (x->errors.next < LAST_DATA_ROW)
            write_error_row(x, r);
        else
            x->errors.full = 1;
    }
    return 0;
}

/* A sheet holds 1,048,576 rows; the last one says where the rest is. */
static void note_if_full(struct sheet *s)
{
    if (s->full)
        put_text(s, s->next++, 0, "Строк больше, чем помещается на лист Excel: полный список — "
                 "в errors.csv и в отчёте hcsbatch report по файлу", NULL);
}

/* ---- «Сводка» ------------------------------------------------------------ */

struct state_list {
    char **names;
    long *counts;
    size_t n, cap, cap2;
};

static int collect_state(void *arg, const char *state, long count, hcs_err *err)
{
    (void)err;
    struct state_list *sl = arg;
    size_t cap = sl->cap;
    ARRAY_GROW(sl->names, sl->n, sl->cap);
    if (sl->cap != cap)
        sl->counts = xrealloc(sl->counts, sl->cap * sizeof *sl->counts);
    sl->names[sl->n] = xstrdup(state ? state : "?");
    sl->counts[sl->n++] = count;
    return 0;
}

static void state_list_free(struct state_list *sl)
{
    for (size_t i = 0; i < sl->n; i++)
        free(sl->names[i]);
    free(sl->names);
    free(sl->counts);
}

/* Russian names for the store's packet states (lifecycle.h); unknown ones shown as they are. */
static const char *state_label(const char *state)
{
    enum packet_state s;
    return lifecycle_state_parse(state, &s) == 0 ? lifecycle_state_label_ru(s) : state;
}

static void put_label_value_text(struct sheet *s, const struct formats *f, const char *label, const char *value)
{
    put_text(s, s->next, 0, label, f->bold);
    put_text(s, s->next, 1, value, NULL);
    s->next++;
}

static void put_label_value_num(struct sheet *s, const struct formats *f, const char *label, double v,
                                lxw_format *nf)
{
    put_text(s, s->next, 0, label, f->bold);
    worksheet_write_number(s->ws, s->next, 1, v, nf);
    s->next++;
}

static void put_counts_row(struct sheet *s, const struct formats *f, const char *file, const char *op,
                           long in_file, const long *counts, lxw_format *label_fmt)
{
    lxw_row_t r = s->next++;
    put_text(s, r, 0, file, label_fmt);
    put_text(s, r, 1, op, label_fmt);
    if (in_file >= 0)
        put_num(s, r, 2, (double)in_file, f->num);
    long total = 0;
    for (int o = 0; o < REPORT_OUTCOME_COUNT; o++) {
        put_num(s, r, 3 + o, (double)counts[o], f->num);
        total += counts[o];
    }
    put_num(s, r, 3 + REPORT_OUTCOME_COUNT, (double)total, f->num);
}

static int by_operation(const void *a, const void *b)
{
    const struct rfile *x = *(const struct rfile *const *)a, *y = *(const struct rfile *const *)b;
    int c = strcmp(x->operation, y->operation);
    return c ? c : strcmp(x->path, y->path);
}

/* Rows by outcome per operation and file, with subtotals and a grand total. */
static void write_outcome_table(struct sheet *s, const struct formats *f, struct rfiles *fl,
                                const long *grand)
{
    static const char *const head[] = { "Файл", "Операция", "Строк в файле" };
    for (int c = 0; c < 3; c++)
        put_text(s, s->next, c, head[c], f->header);
    for (int o = 0; o < REPORT_OUTCOME_COUNT; o++)
        put_text(s, s->next, 3 + o, report_outcome_label((enum report_outcome)o), f->outcome[o]);
    put_text(s, s->next, 3 + REPORT_OUTCOME_COUNT, "Всего строк", f->header);
    s->next++;

    struct rfile **order = xcalloc(fl->n ? fl->n : 1, sizeof *order);
    for (size_t i = 0; i < fl->n; i++)
        order[i] = &fl->items[i];
    qsort(order, fl->n, sizeof *order, by_operation);
    for (size_t i = 0; i < fl->n;) {
        size_t j = i;
        long sub[REPORT_OUTCOME_COUNT] = { 0 }, sub_rows = 0;
        for (; j < fl->n && strcmp(order[j]->operation, order[i]->operation) == 0; j++) {
            put_counts_row(s, f, path_base(order[j]->path), order[j]->operation, order[j]->f.rows,
                           order[j]->counts, NULL);
            for (int o = 0; o < REPORT_OUTCOME_COUNT; o++)
                sub[o] += order[j]->counts[o];
            sub_rows += order[j]->f.rows;
        }
        if (j - i > 1)
            put_counts_row(s, f, "Итого по операции", order[i]->operation, sub_rows, sub, f->bold);
        i = j;
    }
    long all_rows = 0;
    for (size_t i = 0; i < fl->n; i++)
        all_rows += fl->items[i].f.rows;
    put_counts_row(s, f, "Всего", "", all_rows, grand, f->bold);
    free(order);
}

static void write_summary(struct xlsx_ctx *x, struct sheet *s, const struct report_run *run,
                          struct rfiles *fl, const struct state_list *states, const long *grand)
{
    const struct formats *f = &x->fmt;
    time_t finished = run->finished ? run->finished : time(NULL);
    put_text(s, s->next++, 0, "Отчёт о загрузке данных в ГИС ЖКХ", f->title);
    s->next++;
    put_label_value_text(s, f, "Запуск", run->run_id);
    put_text(s, s->next, 0, "Начало", f->bold);
    put_date(s, s->next++, 1, run->started, f->date, NULL);
    put_text(s, s->next, 0, "Окончание", f->bold);
    put_date(s, s->next++, 1, finished, f->date, NULL);
    if (run->started > 0) {
        char *took = duration_text((long)(finished - run->started));
        put_label_value_text(s, f, "Длительность", took);
        free(took);
    }
    char *state = run->failed ? xasprintf("сбой: %s", run->failure ? run->failure : "см. журнал")
                              : xstrdup("завершён");
    put_label_value_text(s, f, "Состояние запуска", state);
    free(state);
    if (run->killed_started > 0) {
        put_text(s, s->next, 0, "Включены результаты прерванного запуска от", f->bold);
        put_date(s, s->next++, 1, run->killed_started, f->date, NULL);
    }
    put_label_value_num(s, f, "Файлов в отчёте", (double)fl->n, f->num_left);
    long rows = 0;
    for (int o = 0; o < REPORT_OUTCOME_COUNT; o++)
        rows += grand[o];
    put_label_value_num(s, f, "Строк в отчёте", (double)rows, f->num_left);
    put_label_value_num(s, f, "Строк требуют исправления", (double)(grand[REPORT_FAILED] + grand[REPORT_REJECTED]), f->num_left);
    if (run->oldest_pending_age >= 0)
        put_label_value_num(s, f, "Самый старый пакет ждёт ответа ГИС, ч",
                            (double)run->oldest_pending_age / 3600.0, f->dec_left);
    else
        put_label_value_text(s, f, "Самый старый пакет ждёт ответа ГИС, ч", "нет ожидающих пакетов");
    put_label_value_num(s, f, "Повторных попыток", (double)run->retries, f->num_left);
    if (run->debt_known) {
        put_label_value_num(s, f, "Запросов о задолженности без ответа", (double)run->debt_open, f->num_left);
        put_label_value_num(s, f, "из них срок ответа ≤ 2 рабочих дней", (double)run->debt_due_soon, f->num_left);
        put_label_value_num(s, f, "из них просрочено", (double)run->debt_overdue, f->num_left);
    }
    s->next++;

    put_text(s, s->next++, 0, "Строки по результатам", f->title);
    write_outcome_table(s, f, fl, grand);
    s->next++;

    put_text(s, s->next++, 0, "Пакеты по состояниям", f->title);
    put_text(s, s->next, 0, "Состояние", f->header);
    put_text(s, s->next, 1, "Пакетов", f->header);
    s->next++;
    if (states->n == 0)
        put_text(s, s->next++, 0, "пакетов нет", NULL);
    for (size_t i = 0; i < states->n; i++) {
        put_text(s, s->next, 0, state_label(states->names[i]), NULL);
        put_num(s, s->next++, 1, (double)states->counts[i], f->num);
    }
    s->next++;

    /* The chart's data: one line per outcome. */
    put_text(s, s->next++, 0, "Результаты (для диаграммы)", f->title);
    put_text(s, s->next, 0, "Результат", f->header);
    put_text(s, s->next, 1, "Строк", f->header);
    s->next++;
    lxw_row_t first = s->next;
    for (int o = 0; o < REPORT_OUTCOME_COUNT; o++) {
        put_text(s, s->next, 0, report_outcome_label((enum report_outcome)o), f->outcome[o]);
        put_num(s, s->next++, 1, (double)grand[o], f->num);
    }
    lxw_chart *chart = workbook_add_chart(x->wb, LXW_CHART_BAR);
    lxw_chart_series *ser = chart_add_series(chart, NULL, NULL);
    chart_series_set_categories(ser, "Сводка", first, 0, first + REPORT_OUTCOME_COUNT - 1, 0);
    chart_series_set_values(ser, "Сводка", first, 1, first + REPORT_OUTCOME_COUNT - 1, 1);
    chart_series_set_name(ser, "Строк");
    lxw_chart_fill fills[REPORT_OUTCOME_COUNT];
    lxw_chart_line line = { .color = 0x808080 };
    lxw_chart_point pts[REPORT_OUTCOME_COUNT];
    lxw_chart_point *ptrs[REPORT_OUTCOME_COUNT + 1];
    for (int o = 0; o < REPORT_OUTCOME_COUNT; o++) {
        fills[o] = (lxw_chart_fill){ .color = outcome_fill[o] };
        pts[o] = (lxw_chart_point){ .fill = &fills[o], .line = &line };
        ptrs[o] = &pts[o];
    }
    ptrs[REPORT_OUTCOME_COUNT] = NULL;
    chart_series_set_points(ser, ptrs);
    chart_series_set_labels(ser);
    chart_title_set_name(chart, "Строки по результатам");
    chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
    /* Right of the key figures (rows 3-13), above the outcome table. */
    lxw_chart_options opt = { .x_offset = 10, .x_scale = 1.1, .y_scale = 0.72 };
    worksheet_insert_chart_opt(s->ws, 2, 2, chart, &opt);
    finish_table(s, 0, 0);
}

/* ---- the workbook ------------------------------------------------------- */

static const char *const file_head[FC_COUNT] = {
    "Строка", NULL, "Результат", "Код ошибки", "Текст ошибки ГИС", "Причина или примечание",
    "Колонка", "Значение", "Что сделать", "Идентификатор ГИС", "Уникальный номер", "Дата результата",
};
static const char *const error_head[EC_COUNT] = {
    "Файл", "Строка", "Ключевые поля", "Результат", "Код ошибки", "Текст ошибки ГИС",
    "Причина или примечание", "Колонка", "Значение", "Что сделать",
};

struct xlsx_job {
    struct xlsx_ctx x;
    struct rfiles files;
    struct sheet *sheets;
    struct sheet summary;
    struct state_list states;
    struct sheet_names names;
    struct report_run run;
    char *run_id;
};

static int stream_files(struct xlsx_job *j, const struct report_source *src, long *grand, hcs_err *err)
{
    for (size_t i = 0; i < j->files.n; i++) {
        struct sheet *s = &j->sheets[i];
        const char *head[FC_COUNT];
        memcpy(head, file_head, sizeof head);
        head[FC_KEY] = j->files.items[i].key_title;
        put_header(s, &j->x.fmt, head, FC_COUNT);
        j->x.file = &j->files.items[i];
        j->x.file_sheet = s;
        if (src->rows && src->rows(src->ctx, &j->files.items[i].f, on_row, &j->x, err) != 0)
            return hcs_err_wrap(err, "report rows of %s", j->files.items[i].path);
        if (s->next == 1)
            put_text(s, s->next++, 0, "строк нет", NULL);
        note_if_full(s);
        finish_table(s, 0, 1);
        for (int o = 0; o < REPORT_OUTCOME_COUNT; o++)
            grand[o] += j->files.items[i].counts[o];
    }
    return 0;
}

static int build(struct xlsx_job *j, const struct report_source *src, struct report_totals *tot,
                 hcs_err *err)
{
    struct formats *f = &j->x.fmt;
    lxw_worksheet *summary_ws = workbook_add_worksheet(j->x.wb, sheet_name_make(&j->names, "Сводка"));
    sheet_name_make(&j->names, "Ошибки");            /* reserved before the file names */
    j->summary = (struct sheet){ .ws = summary_ws };
    j->sheets = xcalloc(j->files.n ? j->files.n : 1, sizeof *j->sheets);
    for (size_t i = 0; i < j->files.n; i++) {
        const char *name = sheet_name_for_file(&j->names, j->files.items[i].path);
        j->sheets[i].ws = workbook_add_worksheet(j->x.wb, name);
        j->sheets[i].cap[FC_GISTEXT] = j->sheets[i].cap[FC_REASON] = WRAP_CAP;
        j->sheets[i].cap[FC_HINT] = WRAP_CAP;
        if (!j->sheets[i].ws)
            return hcs_fail(err, HCS_EX_SOFTWARE, "report: cannot add sheet for %s", j->files.items[i].path);
    }
    j->x.errors.ws = workbook_add_worksheet(j->x.wb, "Ошибки");
    if (!summary_ws || !j->x.errors.ws)
        return hcs_fail(err, HCS_EX_SOFTWARE, "report: cannot add sheets");
    worksheet_set_tab_color(j->x.errors.ws, 0xC00000);
    j->x.errors.cap[EC_GISTEXT] = j->x.errors.cap[EC_REASON] = j->x.errors.cap[EC_HINT] = WRAP_CAP;
    worksheet_activate(summary_ws);
    put_header(&j->x.errors, f, error_head, EC_COUNT);

    long grand[REPORT_OUTCOME_COUNT] = { 0 };
    j->x.tot = tot;
    if (stream_files(j, src, grand, err) != 0)
        return -1;
    if (j->x.errors.next == 1)
        put_text(&j->x.errors, j->x.errors.next++, 0, "Исправлять нечего: ошибок нет", NULL);
    note_if_full(&j->x.errors);
    finish_table(&j->x.errors, 0, 1);

    if (src->packet_states && src->packet_states(src->ctx, collect_state, &j->states, err) != 0)
        return hcs_err_wrap(err, "report packet states");
    write_summary(&j->x, &j->summary, &j->run, &j->files, &j->states, grand);
    if (tot) {
        tot->files = (long)j->files.n;
        for (int o = 0; o < REPORT_OUTCOME_COUNT; o++) {
            tot->by_outcome[o] = grand[o];
            tot->rows += grand[o];
        }
    }
    return 0;
}

int report_write_xlsx(const struct report_source *src, const char *path,
                      const report_hints *hints, struct report_totals *totals, hcs_err *err)
{
    struct xlsx_job j;
    memset(&j, 0, sizeof j);
    struct report_totals local;
    struct report_totals *tot = totals ? totals : &local;
    memset(tot, 0, sizeof *tot);
    j.x.hints = hints;
    j.run.oldest_pending_age = -1;
    j.run.cert_days_left = REPORT_CERT_UNKNOWN;
    if (src->run && src->run(src->ctx, &j.run, err) != 0)
        return hcs_err_wrap(err, "report run info");
    j.run_id = xstrdup(j.run.run_id ? j.run.run_id : "");
    j.run.run_id = j.run_id;
    if (rfiles_collect(src, &j.files, err) != 0) {
        free(j.run_id);
        return hcs_err_wrap(err, "report files");
    }

    char *tmp = xasprintf("%s.tmp", path);
    int rc = -1;
    /* libxlsxwriter only notices an unwritable place at close, and prints
     * to stderr; find out first and say it our way. */
    FILE *probe = fopen(tmp, "wb");
    if (!probe) {
        hcs_fail(err, HCS_EX_CANTCREAT, "cannot create %s: %s", tmp, strerror(errno));
        goto out;
    }
    fclose(probe);
    lxw_workbook_options opt = { .constant_memory = LXW_TRUE };
    j.x.wb = workbook_new_opt(tmp, &opt);
    if (!j.x.wb) {
        hcs_fail(err, HCS_EX_CANTCREAT, "cannot create %s", tmp);
        goto out;
    }
    make_formats(j.x.wb, &j.x.fmt);
    int built = build(&j, src, tot, err);
    lxw_error closed = workbook_close(j.x.wb);
    if (built != 0)
        goto out;
    if (closed != LXW_NO_ERROR) {
        hcs_fail(err, HCS_EX_CANTCREAT, "cannot write %s: %s", path, lxw_strerror(closed));
        goto out;
    }
    if (rename(tmp, path) != 0) {
        hcs_fail(err, HCS_EX_CANTCREAT, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    free(j.sheets);
    state_list_free(&j.states);
    sheet_names_free(&j.names);
    rfiles_free(&j.files);
    free(j.run_id);
    return rc;
}
