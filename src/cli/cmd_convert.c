/* hcsbatch convert — CSV/XLSX exports → schema-valid SOAP packets on disk
 * and errors.csv, without sending anything.  A thin composition: the
 * conversion stage (convert_file, which also signs with --sign) with a sink
 * that writes each packet's bytes to --out and each rejected row to
 * errors.csv through the run's writer (report.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "packet/convert.h"
#include "report/report.h"
#include "run/run_lock.h"
#include "run/attach.h"
#include "run/intake.h"

static void usage(FILE *out)
{
    fputs("usage: hcsbatch convert --op NAME [--template DIR] [--schemas DIR] [--out DIR]\n"
          "                        [--sign [--key FILE] [--cert FILE] [--alg ALG]] [--no-upload]\n"
          "                        [--jobs N]\n"
          "                        FILE...\n\n"
          "Turns accounting exports (CSV or XLSX) into request envelopes that validate\n"
          "against the official GIS ZhKKh schemas: DIR/<operation>-<nnnn>.xml, one per\n"
          "packet, and DIR/errors.csv naming every rejected row, in the layout of the\n"
          "run's errors.csv (docs/reports.md): Файл;Строка;Колонка;Значение;Код;Причина,\n"
          "UTF-8 with BOM, `;`, CRLF; an unreadable file is one line with an empty\n"
          "Строка and the code HCS-FILE.\n"
          "A template with two-file form (importHouseUOData: a houses file and a\n"
          "premises file, told apart by their headers) converts the i-th houses file\n"
          "given with the i-th premises file, house by house, as the run does; premises\n"
          "rows of a house the houses file lacks are rejected (convert has no registry).\n\n"
          "  --op NAME         importAccountData | importMeteringDeviceValues |\n"
          "                    importPaymentDocumentData | importPaymentDocumentData-withdraw |\n"
          "                    importMeteringDeviceData\n"
          "                    (any folder under [paths] templates_dir)\n"
          "  --template DIR    use this template folder instead of templates_dir/NAME\n"
          "  --out DIR         output folder (default: out)\n"
          "  --sign            sign every packet ([sign] key, cert, alg)\n"
          "  --key FILE, --cert FILE, --alg gost2012|gost2001|rsa   override [sign]\n"
          "  --jobs N          build, validate and sign packets on N threads ([convert]\n"
          "                    jobs; default: the online cores); the output is the same\n"
          "                    for any N (packets and errors.csv in file order)\n"
          "  --no-upload       templates with file columns (importMeteringDeviceData:\n"
          "                    Файл поверки) normally upload each named file to the GIS\n"
          "                    file store ([gis] base_url, once per content) to fill\n"
          "                    AttachmentGUID/HASH; with --no-upload nothing is sent and\n"
          "                    rows naming a file are rejected (a dry check of the rest);\n"
          "                    uploading takes the run lock (uploads are state)\n\n"
          "Exit: 0 every row converted, 65 some rows rejected (see errors.csv),\n"
          "66 an input file cannot be read, 69 the file store is unreachable (files\n"
          "to upload), 75 another run holds the lock (files to upload), 76 it answered\n"
          "unexpectedly, 78 configuration error.\n", out);
}

struct out_ctx {
    const char *dir;
    errors_csv *errors;
    int next;
    int write_failed;            /* errors.csv could not be written: write_err says why */
    hcs_err write_err;
};

/* errors.csv: the run's layout and writer (report.h), one line per rejected row. */
static int write_error(struct out_ctx *o, const char *file, const struct report_row *r)
{
    if (!o->write_failed && errors_csv_add(o->errors, file, r, &o->write_err) < 0)
        o->write_failed = 1;
    return o->write_failed ? -1 : 0;
}

static void on_reject(void *ctx, const struct convert_reject *r)
{
    struct report_row row = { .row = packet_row_number(r->row), .outcome = REPORT_REJECTED, .reason = r->reason,
                              .column = r->column, .value = r->value };
    write_error(ctx, r->file, &row);
}

/* The packet comes signed (with --sign) and serialized: write its bytes. */
static int on_packet(void *ctx, struct packet **pp, hcs_err *err)
{
    struct out_ctx *o = ctx;
    struct packet *p = *pp;
    char name[256];
    snprintf(name, sizeof name, "%s-%04d.xml", p->op->name, ++o->next);
    char *path = path_join(o->dir, name);
    int rc = 0;
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p->text, 1, p->text_len, f) != p->text_len || fclose(f) != 0)
        rc = hcs_fail(err, HCS_EX_CANTCREAT, "%s: %s", path, strerror(errno));
    free(path);
    return rc;
}

/* The two-file form (templates with [join]): partner[i] is the premises
 * file converted with houses file i, -2 a premises file so taken, -1
 * neither; the i-th houses file takes the i-th premises file (as the run). */
static int *pair_inputs(const struct convert_opts *copts, char **files, int n)
{
    int *partner = xcalloc((size_t)n + 1, sizeof *partner);
    int *role = xcalloc((size_t)n + 1, sizeof *role);
    int joins = convert_template_joins(copts);
    for (int i = 0; i < n; i++)
        role[i] = joins ? convert_join_role(copts, files[i]) : 0;
    convert_join_pairs(role, partner, (size_t)n);
    free(role);
    return partner;
}

/* Converts every input; returns the exit code. */
static int convert_all(struct cli *cli, const struct convert_opts *copts, struct out_ctx *o, char **files,
                       int nfiles)
{
    struct convert_sink sink = { o, on_packet, on_reject };
    int exit_code = 0;
    long total_rows = 0, total_rej = 0, total_packets = 0;
    int *partner = pair_inputs(copts, files, nfiles);
    for (int i = 0; i < nfiles; i++) {
        struct convert_stats st;
        hcs_err ferr = { 0 };
        struct convert_opts one = *copts;
        if (partner[i] == -2)
            continue;            /* converted with its houses file */
        if (partner[i] >= 0) {
            one.spill = intake_spill();
            one.join_child = files[partner[i]];
        }
        if (convert_file(&one, files[i], &sink, &st, &ferr) < 0) {
            fprintf(stderr, "hcsbatch convert: %s\n", ferr.msg);
            if (ferr.code == HCS_EX_CONFIG || ferr.code == HCS_EX_SOFTWARE ||
                ferr.code == HCS_EX_CANTCREAT || ferr.code == HCS_EX_UNAVAILABLE ||
                ferr.code == HCS_EX_PROTOCOL) {
                exit_code = ferr.code;
                break;
            }
            /* the file as a whole, as the run's errors.csv shows a refused file */
            struct report_row row = { .row = 0, .outcome = REPORT_REJECTED, .reason = ferr.msg,
                                      .code = REPORT_CODE_FILE };
            write_error(o, files[i], &row);
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
            fprintf(stderr, "%s%s%s: %ld rows, %ld rejected, %ld elements in %ld packets\n", files[i],
                    one.join_child ? " + " : "", one.join_child ? one.join_child : "", st.rows,
                    st.rows_rejected, st.elements, st.packets);
        if (st.rows_rejected && exit_code == 0)
            exit_code = HCS_EX_DATAERR;
    }
    free(partner);
    if (!cli->quiet && nfiles > 1)
        fprintf(stderr, "total: %ld rows, %ld rejected, %ld packets\n", total_rows, total_rej,
                total_packets);
    return exit_code;
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
        } else if (!strcmp(a, "--jobs") && next) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end || n < 1 || n > CONVERT_MAX_JOBS) {
                free(files);
                return cli_usage_error("convert", "--jobs %s: expected a number from 1 to %d",
                                       argv[i], CONVERT_MAX_JOBS);
            }
            rc = set_opt(cli, "convert.jobs", argv[i]);
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
    struct convert_signing signing = { .cfg = cli->cfg };
    struct convert_opts copts = { .cfg = cli->cfg, .template_name = op, .template_dir = tdir,
                                  .signing = sign ? &signing : NULL };
    struct out_ctx o = { .dir = out };
    struct attach att = { 0 };
    hcs_err err = { 0 };
    copts.schemas = schema_set_open_config(cli->cfg, &err);
    char *epath = path_join(out, "errors.csv");
    int exit_code = -1, lock = -1;
    if (!copts.schemas || mkdir_p(out, &err) < 0)
        goto out;
    /* a broken key or certificate stops before anything is converted */
    if (sign && !convert_signer(&signing, &err))
        goto out;
    if (signing.sg && signer_warning(signing.sg))
        fprintf(stderr, "hcsbatch convert: warning: %s\n", signer_warning(signing.sg));
    if (!(o.errors = errors_csv_open(epath, &err)))
        goto out;
    int uploads = no_upload ? 0 : attach_setup(&att, cli->cfg, &copts, NULL, &err);
    if (uploads < 0) {
        if (err.code == HCS_EX_CONFIG) {
            char m[sizeof err.msg];
            snprintf(m, sizeof m, "%s (--no-upload converts without uploading the files)", err.msg);
            hcs_fail(&err, HCS_EX_CONFIG, "%s", m);
        }
        goto out;
    }
    /* Uploads are remembered in the state store: one writer at a time. */
    if (uploads == 1 && (lock = run_lock(cli->cfg, &err)) < 0)
        goto out;
    exit_code = convert_all(cli, &copts, &o, files, nfiles);
    if (o.write_failed && exit_code == 0) {
        fprintf(stderr, "hcsbatch convert: %s\n", o.write_err.msg);
        exit_code = o.write_err.code;
    }
    hcs_err cerr = { 0 };
    if (errors_csv_close(o.errors, &cerr) < 0 && exit_code == 0) {
        fprintf(stderr, "hcsbatch convert: %s\n", cerr.msg);
        exit_code = HCS_EX_CANTCREAT;
    }
    o.errors = NULL;
    if (!cli->quiet && att.client)
        fprintf(stderr, "files: %ld uploaded, %ld already in the file store\n", att.actx.uploaded,
                att.actx.reused);
out:
    if (exit_code < 0)
        exit_code = cli_fail(&err);
    errors_csv_discard(o.errors);
    attach_close(&att);
    run_unlock(lock);
    free(epath);
    if (signing.sg)
        signer_free(signing.sg);
    if (copts.schemas)
        schema_set_free(copts.schemas);
    free(files);
    return exit_code;
}
