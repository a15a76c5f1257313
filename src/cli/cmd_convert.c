/* hcsbatch convert — CSV/XLSX exports → schema-valid SOAP packets on disk
 * and errors.csv, without sending anything.  A thin composition of
 * convert_file (read → template → packet → soap) and, with --sign, the
 * signer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "exchange/attach.h"
#include "packet/convert.h"
#include "sign/sign.h"
#include "soap/envelope.h"

static void usage(FILE *out)
{
    fputs("usage: hcsbatch convert --op NAME [--template DIR] [--schemas DIR] [--out DIR]\n"
          "                        [--sign [--key FILE] [--cert FILE] [--alg ALG]] [--no-upload]\n"
          "                        FILE...\n\n"
          "Turns accounting exports (CSV or XLSX) into request envelopes that validate\n"
          "against the official GIS ZhKKh schemas: DIR/<operation>-<nnnn>.xml, one per\n"
          "packet, and DIR/errors.csv (file;row;column;value;reason, UTF-8 with BOM)\n"
          "naming every rejected row.\n\n"
          "  --op NAME         importAccountData | importMeteringDeviceValues |\n"
          "                    importPaymentDocumentData | importPaymentDocumentData-withdraw |\n"
          "                    importMeteringDeviceData\n"
          "                    (any folder under [paths] templates_dir)\n"
          "  --template DIR    use this template folder instead of templates_dir/NAME\n"
          "  --out DIR         output folder (default: out)\n"
          "  --sign            sign every packet ([sign] key, cert, alg)\n"
          "  --key FILE, --cert FILE, --alg gost2012|gost2001|rsa   override [sign]\n"
          "  --no-upload       templates with file columns (importMeteringDeviceData:\n"
          "                    Файл поверки) normally upload each named file to the GIS\n"
          "                    file store ([gis] base_url, once per content) to fill\n"
          "                    AttachmentGUID/HASH; with --no-upload nothing is sent and\n"
          "                    rows naming a file are rejected (a dry check of the rest)\n\n"
          "Exit: 0 every row converted, 65 some rows rejected (see errors.csv),\n"
          "66 an input file cannot be read, 69 the file store is unreachable (files\n"
          "to upload), 76 it answered unexpectedly, 78 configuration error.\n", out);
}

struct out_ctx {
    const char *dir;
    FILE *errors;
    int next;
    signer *signer;
    long rejected_lines;
};

static void csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ";\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void write_error(struct out_ctx *o, const char *file, long row, const char *column,
                        const char *value, const char *reason)
{
    csv_field(o->errors, file);
    fprintf(o->errors, ";%ld;", row);
    csv_field(o->errors, column ? column : "");
    fputc(';', o->errors);
    csv_field(o->errors, value ? value : "");
    fputc(';', o->errors);
    csv_field(o->errors, reason ? reason : "");
    fputs("\r\n", o->errors);
    o->rejected_lines++;
}

static void on_reject(void *ctx, const struct convert_reject *r)
{
    write_error(ctx, r->file, r->row, r->column, r->value, r->reason);
}

static int on_packet(void *ctx, struct packet **pp, hcs_err *err)
{
    struct out_ctx *o = ctx;
    struct packet *p = *pp;
    if (o->signer && signer_sign(o->signer, p->doc, err) < 0)
        return hcs_err_wrap(err, "signing packet %d of %s", p->seq, p->source_file);
    char name[256];
    snprintf(name, sizeof name, "%s-%04d.xml", p->op->name, ++o->next);
    char *path = path_join(o->dir, name);
    char *bytes = NULL;
    size_t len = 0;
    int rc = 0;
    /* unsigned and untouched: the converter's own text is the document */
    const char *data = !o->signer && p->text ? p->text : NULL;
    len = data ? p->text_len : 0;
    if (!data && (rc = envelope_to_bytes(p->doc, &bytes, &len, err)) == 0)
        data = bytes;
    if (rc == 0) {
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
            rc = hcs_fail(err, HCS_EX_CANTCREAT, "%s: %s", path, strerror(errno));
    }
    if (bytes)
        xmlFree(bytes);
    free(path);
    return rc;
}

static int set_opt(struct cli *cli, const char *key, const char *val)
{
    hcs_err err = { 0 };
    if (cfg_set(cli->cfg, key, val, &err) < 0)
        return cli_fail(&err);
    return 0;
}

CLI_COMMAND(convert)
{
    const char *op = NULL, *tdir = NULL, *out = "out";
    int sign = 0, nfiles = 0, no_upload = 0;
    char **files = xcalloc((size_t)argc + 1, sizeof *files);
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            free(files);
            return 0;
        } else if (!strcmp(a, "--op") && next) {
            op = argv[++i];
        } else if (!strcmp(a, "--template") && next) {
            tdir = argv[++i];
        } else if ((!strcmp(a, "--out") || !strcmp(a, "-O")) && next) {
            out = argv[++i];
        } else if (!strcmp(a, "--no-upload")) {
            no_upload = 1;
        } else if (!strcmp(a, "--sign")) {
            sign = 1;
        } else if (!strcmp(a, "--key") && next) {
            rc = set_opt(cli, "sign.key", argv[++i]);
        } else if (!strcmp(a, "--cert") && next) {
            rc = set_opt(cli, "sign.cert", argv[++i]);
        } else if (!strcmp(a, "--alg") && next) {
            rc = set_opt(cli, "sign.alg", argv[++i]);
        } else if (a[0] == '-' && a[1]) {
            free(files);
            return cli_usage_error("convert", "unknown or incomplete option %s", a);
        } else {
            files[nfiles++] = argv[i];
        }
        if (rc) {
            free(files);
            return rc;
        }
    }
    if (!op && !tdir) {
        free(files);
        return cli_usage_error("convert", "--op is required");
    }
    if (!nfiles) {
        free(files);
        return cli_usage_error("convert", "no input files");
    }
    hcs_err err = { 0 };
    char *schemas_dir = cfg_path(cli->cfg, "paths.schemas_dir");
    schema_set *schemas = schema_set_open(schemas_dir ? schemas_dir : ".", &err);
    free(schemas_dir);
    if (!schemas) {
        free(files);
        return cli_fail(&err);
    }
    if (mkdir_p(out, &err) < 0) {
        schema_set_free(schemas);
        free(files);
        return cli_fail(&err);
    }
    struct out_ctx o = { .dir = out };
    if (sign) {
        o.signer = signer_open(cli->cfg, &err);
        if (!o.signer) {
            schema_set_free(schemas);
            free(files);
            return cli_fail(&err);
        }
        if (signer_warning(o.signer))
            fprintf(stderr, "hcsbatch convert: warning: %s\n", signer_warning(o.signer));
    }
    char *epath = path_join(out, "errors.csv");
    o.errors = fopen(epath, "wb");
    if (!o.errors) {
        hcs_fail(&err, HCS_EX_CANTCREAT, "%s: %s", epath, strerror(errno));
        free(epath);
        signer_free(o.signer);
        schema_set_free(schemas);
        free(files);
        return cli_fail(&err);
    }
    fputs("\xEF\xBB\xBF" "file;row;column;value;reason\r\n", o.errors);
    struct convert_opts copts = { .cfg = cli->cfg, .template_name = op, .template_dir = tdir,
                                  .schemas = schemas };
    struct xattach att = { 0 };
    if (!no_upload && xattach_setup(&att, cli->cfg, &copts, &err) < 0) {
        if (err.code == HCS_EX_CONFIG) {
            char m[sizeof err.msg];
            snprintf(m, sizeof m, "%s (--no-upload converts without uploading the files)", err.msg);
            hcs_fail(&err, HCS_EX_CONFIG, "%s", m);
        }
        fclose(o.errors);
        free(epath);
        xattach_close(&att);
        signer_free(o.signer);
        schema_set_free(schemas);
        free(files);
        return cli_fail(&err);
    }
    struct convert_sink sink = { &o, on_packet, on_reject };
    int exit_code = 0;
    long total_rows = 0, total_rej = 0, total_packets = 0;
    for (int i = 0; i < nfiles; i++) {
        struct convert_stats st;
        hcs_err ferr = { 0 };
        if (convert_file(&copts, files[i], &sink, &st, &ferr) < 0) {
            fprintf(stderr, "hcsbatch convert: %s\n", ferr.msg);
            if (ferr.code == HCS_EX_CONFIG || ferr.code == HCS_EX_SOFTWARE ||
                ferr.code == HCS_EX_CANTCREAT || ferr.code == HCS_EX_UNAVAILABLE ||
                ferr.code == HCS_EX_PROTOCOL) {
                exit_code = ferr.code;
                break;
            }
            write_error(&o, files[i], 0, "", "", ferr.msg);
            if (ferr.code == HCS_EX_NOINPUT)
                exit_code = HCS_EX_NOINPUT;
            else if (exit_code == 0)
                exit_code = HCS_EX_DATAERR;
            continue;
        }
        total_rows += st.rows;
        total_rej += st.rows_rejected;
        total_packets += st.packets;
        if (!cli->quiet)
            fprintf(stderr, "%s: %ld rows, %ld rejected, %ld elements in %ld packets\n", files[i],
                    st.rows, st.rows_rejected, st.elements, st.packets);
        if (st.rows_rejected && exit_code == 0)
            exit_code = HCS_EX_DATAERR;
    }
    if (fclose(o.errors) != 0 && exit_code == 0) {
        fprintf(stderr, "hcsbatch convert: %s: %s\n", epath, strerror(errno));
        exit_code = HCS_EX_CANTCREAT;
    }
    if (!cli->quiet && nfiles > 1)
        fprintf(stderr, "total: %ld rows, %ld rejected, %ld packets\n", total_rows, total_rej,
                total_packets);
    if (!cli->quiet && att.client)
        fprintf(stderr, "files: %ld uploaded, %ld already in the file store\n", att.actx.uploaded,
                att.actx.reused);
    xattach_close(&att);
    free(epath);
    signer_free(o.signer);
    schema_set_free(schemas);
    free(files);
    return exit_code;
}
