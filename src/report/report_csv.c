/* report_csv — errors.csv: the rows needing action, one line per problem,
 * for people who prefer a flat list to the XLSX.
 *
 * Format chosen so that both Excel (Russian locale) and LibreOffice open it
 * by double-click: UTF-8 with a BOM, `;` separators, CRLF line ends, RFC
 * 4180 quoting (a field with ; " CR or LF is quoted, quotes doubled).
 * Formula injection: a field starting with = + - @ (or tab / CR) that is
 * not a plain number gets a leading apostrophe ('), which spreadsheets
 * show as text instead of running; quoting alone would not stop Excel. */
#include "report/report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "report/report_internal.h"

static int plain_number(const char *s)
{
    char *end;
    errno = 0;
    (void)strtod(s, &end);
    return end != s && *end == '\0' && errno == 0;
}

static void csv_field(strbuf *sb, const char *v)
{
    v = v ? v : "";
    int defuse = strchr("=+-@\t\r", v[0]) && v[0] && !plain_number(v);
    int quote = strpbrk(v, ";\"\r\n") != NULL;
    if (quote)
        sb_addc(sb, '"');
    if (defuse)
        sb_addc(sb, '\'');
    for (const char *p = v; *p; p++) {
        if (*p == '"')
            sb_addc(sb, '"');
        sb_addc(sb, *p);
    }
    if (quote)
        sb_addc(sb, '"');
}

static void csv_line(strbuf *sb, const char *const *fields, int n)
{
    for (int i = 0; i < n; i++) {
        if (i)
            sb_addc(sb, ';');
        csv_field(sb, fields[i]);
    }
    sb_adds(sb, "\r\n");
}

struct errors_csv {
    FILE *out;
    char *path, *tmp;
    strbuf line;
};

errors_csv *errors_csv_open(const char *path, hcs_err *err)
{
    errors_csv *w = xcalloc(1, sizeof *w);
    w->path = xstrdup(path);
    w->tmp = xasprintf("%s.tmp", path);
    if (!(w->out = fopen(w->tmp, "wb"))) {
        hcs_fail(err, HCS_EX_CANTCREAT, "cannot create %s: %s", w->tmp, strerror(errno));
        errors_csv_discard(w);
        return NULL;
    }
    static const char *const head[] = { "Файл", "Строка", "Колонка", "Значение", "Код", "Причина" };
    fputs("\xEF\xBB\xBF", w->out);
    csv_line(&w->line, head, 6);
    fwrite(w->line.buf, 1, w->line.len, w->out);
    return w;
}

int errors_csv_add(errors_csv *w, const char *file, const struct report_row *r, hcs_err *err)
{
    /* An outcome the report does not know counts as an error (as in the XLSX). */
    enum report_outcome o = (unsigned)r->outcome < REPORT_OUTCOME_COUNT ? r->outcome : REPORT_FAILED;
    if (!report_outcome_needs_action(o))
        return 0;
    char rowbuf[24] = "";
    if (r->row > 0)
        snprintf(rowbuf, sizeof rowbuf, "%ld", r->row);
    const char *code = r->code && *r->code ? r->code
                       : o == REPORT_REJECTED ? report_reason_code(r->reason) : "";
    const char *reason = r->gis_text && *r->gis_text ? r->gis_text : r->reason;
    char *clean[6];
    const char *raw[6] = { file ? path_base(file) : "", rowbuf, r->column, r->value, code, reason };
    for (int i = 0; i < 6; i++)
        clean[i] = cell_text(raw[i], 65536);
    sb_reset(&w->line);
    csv_line(&w->line, (const char *const *)clean, 6);
    for (int i = 0; i < 6; i++)
        free(clean[i]);
    if (fwrite(w->line.buf, 1, w->line.len, w->out) != w->line.len)
        return hcs_fail(err, HCS_EX_IOERR, "errors.csv: write failed: %s", strerror(errno));
    return 0;
}

int errors_csv_close(errors_csv *w, hcs_err *err)
{
    int bad = ferror(w->out) | fflush(w->out) | fsync(fileno(w->out));
    bad |= fclose(w->out);
    w->out = NULL;
    int rc = -1;
    if (bad)
        hcs_fail(err, HCS_EX_IOERR, "cannot write %s", w->tmp);
    else if (rename(w->tmp, w->path) != 0)
        hcs_fail(err, HCS_EX_CANTCREAT, "cannot rename %s to %s: %s", w->tmp, w->path, strerror(errno));
    else
        rc = 0;
    if (rc == 0) {
        free(w->tmp);
        w->tmp = NULL;
    }
    errors_csv_discard(w);
    return rc;
}

void errors_csv_discard(errors_csv *w)
{
    if (!w)
        return;
    if (w->out)
        fclose(w->out);
    if (w->tmp)
        unlink(w->tmp);
    free(w->tmp);
    free(w->path);
    sb_free(&w->line);
    free(w);
}

struct csv_ctx {
    errors_csv *w;
    const char *file;
};

static int on_row(void *arg, const struct report_row *r, hcs_err *err)
{
    struct csv_ctx *c = arg;
    return errors_csv_add(c->w, c->file, r, err);
}

int report_write_errors_csv(const struct report_source *src, const char *path,
                            const report_hints *hints, hcs_err *err)
{
    (void)hints;
    struct rfiles files;
    if (rfiles_collect(src, &files, err) != 0)
        return hcs_err_wrap(err, "errors.csv files");
    struct csv_ctx c = { .w = errors_csv_open(path, err) };
    int rc = c.w ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < files.n; i++) {
        c.file = files.items[i].path;
        if (src->rows && src->rows(src->ctx, &files.items[i].f, on_row, &c, err) != 0)
            rc = hcs_err_wrap(err, "errors.csv rows of %s", files.items[i].path);
    }
    if (rc == 0)
        rc = errors_csv_close(c.w, err);
    else
        errors_csv_discard(c.w);
    rfiles_free(&files);
    return rc;
}
