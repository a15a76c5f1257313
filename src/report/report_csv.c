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

struct csv_ctx {
    FILE *out;
    strbuf line;
    const char *file;
    long lines;
};

static int on_row(void *arg, const struct report_row *r, hcs_err *err)
{
    struct csv_ctx *c = arg;
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
    const char *raw[6] = { c->file, rowbuf, r->column, r->value, code, reason };
    for (int i = 0; i < 6; i++)
        clean[i] = cell_text(raw[i], 65536);
    sb_reset(&c->line);
    csv_line(&c->line, (const char *const *)clean, 6);
    for (int i = 0; i < 6; i++)
        free(clean[i]);
    c->lines++;
    if (fwrite(c->line.buf, 1, c->line.len, c->out) != c->line.len)
        return hcs_fail(err, HCS_EX_IOERR, "errors.csv: write failed: %s", strerror(errno));
    return 0;
}

int report_write_errors_csv(const struct report_source *src, const char *path,
                            const report_hints *hints, hcs_err *err)
{
    (void)hints;
    struct rfiles files;
    if (rfiles_collect(src, &files, err) != 0)
        return hcs_err_wrap(err, "errors.csv files");
    char *tmp = xasprintf("%s.tmp", path);
    struct csv_ctx c = { .out = fopen(tmp, "wb"), .line = STRBUF_INIT };
    int rc = -1;
    if (!c.out) {
        hcs_fail(err, HCS_EX_CANTCREAT, "cannot create %s: %s", tmp, strerror(errno));
        goto out;
    }
    static const char *const head[] = { "Файл", "Строка", "Колонка", "Значение", "Код", "Причина" };
    fputs("\xEF\xBB\xBF", c.out);
    csv_line(&c.line, head, 6);
    fwrite(c.line.buf, 1, c.line.len, c.out);
    for (size_t i = 0; i < files.n; i++) {
        c.file = path_base(files.items[i].path);
        if (src->rows && src->rows(src->ctx, &files.items[i].f, on_row, &c, err) != 0) {
            hcs_err_wrap(err, "errors.csv rows of %s", files.items[i].path);
            goto out;
        }
    }
    int bad = ferror(c.out) | fflush(c.out) | fsync(fileno(c.out));
    bad |= fclose(c.out);
    c.out = NULL;
    if (bad) {
        hcs_fail(err, HCS_EX_IOERR, "cannot write %s", tmp);
        goto out;
    }
    if (rename(tmp, path) != 0) {
        hcs_fail(err, HCS_EX_CANTCREAT, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (c.out)
        fclose(c.out);
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    sb_free(&c.line);
    rfiles_free(&files);
    return rc;
}
