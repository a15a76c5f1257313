/* attach — the file store behind template `file` columns (see attach.h). */
#include "run/attach.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/xalloc.h"

/* One answer: (input file, cell) → guid + hash, or the refusal. */
struct attach_memo {
    struct attach_memo *next;
    char *input_file, *cell;
    int rc;
    hcs_err err;
    char guid[37], hash[65];
};

#define MEMO_BUCKETS 4096

static size_t memo_slot(const char *input_file, const char *cell)
{
    uint64_t h = 1469598103934665603ULL;   /* FNV-1a */
    for (const char *s = input_file; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
    for (const char *s = cell; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)(h % MEMO_BUCKETS);
}

static struct attach_memo *memo_find(struct attach *a, const char *input_file, const char *cell)
{
    if (!a->memo)
        return NULL;
    for (struct attach_memo *m = a->memo[memo_slot(input_file, cell)]; m; m = m->next)
        if (!strcmp(m->input_file, input_file) && !strcmp(m->cell, cell))
            return m;
    return NULL;
}

/* The reason a file was refused, for the accountant (errors.csv and the
 * report are in Russian; the file store's messages are for operators). */
static void explain(const char *cell, hcs_err *e)
{
    static const struct { const char *pattern, *text; } known[] = {
        { "No such file", "файл «%s» не найден (путь считается от папки входного файла)" },
        { "give a path relative", "«%s»: укажите путь относительно папки входного файла, без «..» и без диска" },
        { "leads out of", "путь «%s» ведёт за пределы папки входного файла" },
        { "does not take this file type", "«%s»: ГИС ЖКХ не принимает файлы этого типа; допустимы pdf, docx, "
                                          "doc, rtf, txt, xls, xlsx, jpeg, jpg, bmp, tif, tiff, gif, zip, rar, "
                                          "csv, odp, odf, ods, odt, sxc, sxw" },
        { "the file is empty", "файл «%s» пуст" },
        { "over the GIS file store limit", "файл «%s» больше 1 ГБ — ГИС ЖКХ такие не принимает" },
        { "not a regular file", "«%s» — не файл" },
        { "Permission denied", "нет доступа к файлу «%s»" },
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strstr(e->msg, known[i].pattern)) {
            hcs_fail(e, e->code, known[i].text, cell);
            return;
        }
    const char *gis = strstr(e->msg, "refused it: ");
    if (gis) {
        char orig[sizeof e->msg];
        snprintf(orig, sizeof orig, "%s", gis + strlen("refused it: "));
        hcs_fail(e, e->code, "ГИС ЖКХ отклонила файл «%s»: %s", cell, orig);
    }
}

/* convert_attach_fn: the memo first, else the file store (refusals of the
 * file itself are remembered; a failure of the store as a whole is not). */
static int attach_resolve(void *ctx, const char *input_file, const char *cell, char guid[37],
                           char hash[65], hcs_err *err)
{
    struct attach *a = ctx;
    struct attach_memo *m = memo_find(a, input_file, cell);
    if (!m) {
        hcs_err e = { 0 };
        char g[37] = "", h[65] = "";
        int rc = filestore_attach_resolve(&a->actx, input_file, cell, g, h, &e);
        if (rc < 0 && e.code != HCS_EX_DATAERR && e.code != HCS_EX_NOINPUT) {
            if (err)
                *err = e;
            return -1;
        }
        if (rc < 0)
            explain(cell, &e);
        m = xcalloc(1, sizeof *m);
        m->input_file = xstrdup(input_file);
        m->cell = xstrdup(cell);
        m->rc = rc;
        m->err = e;
        memcpy(m->guid, g, sizeof g);
        memcpy(m->hash, h, sizeof h);
        if (!a->memo)
            a->memo = xcalloc(MEMO_BUCKETS, sizeof *a->memo);
        size_t slot = memo_slot(input_file, cell);
        m->next = a->memo[slot];
        a->memo[slot] = m;
    }
    if (m->rc < 0) {
        if (err)
            *err = m->err;
        return -1;
    }
    memcpy(guid, m->guid, 37);
    memcpy(hash, m->hash, 65);
    return 0;
}

int attach_setup(struct attach *a, const hcs_config *cfg, struct convert_opts *opts, const char *owner,
                 hcs_err *err)
{
    memset(a, 0, sizeof *a);
    int has = convert_template_files(opts, &a->context, err);
    if (has <= 0)
        return has;
    struct fs_options fo;
    if (fs_options_from_config(cfg, &fo, &a->owned, err) < 0)
        return hcs_err_wrap(err, "template %s names files to upload",
                            opts->template_name ? opts->template_name : opts->template_dir);
    fo.claim_owner = owner;
    a->client = fs_client_new(&fo, err);
    if (!a->client)
        return -1;
    a->actx.client = a->client;
    a->actx.context = a->context;
    opts->attach = attach_resolve;
    opts->attach_ctx = a;
    return 1;
}

static int drop_packet(void *ctx, struct packet **p, hcs_err *err)
{
    (void)ctx;
    (void)p;
    (void)err;
    return 0;
}

int attach_prepare(struct attach *a, const struct convert_opts *opts, const char *path, hcs_err *err)
{
    if (!a->client || opts->attach != attach_resolve || opts->attach_ctx != a)
        return 0;
    struct convert_opts dry = *opts;
    dry.schemas = NULL;
    dry.preliminary = 1;
    struct convert_sink sink = { .ctx = NULL, .packet = drop_packet, .reject = NULL };
    hcs_err e = { 0 };
    long up = a->actx.uploaded, reused = a->actx.reused;
    int rc = convert_file(&dry, path, &sink, NULL, &e);
    if (a->actx.uploaded > up || a->actx.reused > reused)
        log_info("%s: %ld files uploaded to the file store, %ld already there", path, a->actx.uploaded - up,
                 a->actx.reused - reused);
    if (rc < 0) {
        /* an unreadable file or a missing column is the real conversion's
         * to report; only a failing file store stops here */
        if (e.code == HCS_EX_DATAERR || e.code == HCS_EX_NOINPUT)
            return 0;
        if (err)
            *err = e;
        return -1;
    }
    return 0;
}

void attach_close(struct attach *a)
{
    for (size_t i = 0; a->memo && i < MEMO_BUCKETS; i++)
        for (struct attach_memo *m = a->memo[i], *next; m; m = next) {
            next = m->next;
            free(m->input_file);
            free(m->cell);
            free(m);
        }
    free(a->memo);
    fs_client_free(a->client);
    fs_options_free_owned(a->owned);
    free(a->context);
    memset(a, 0, sizeof *a);
}
