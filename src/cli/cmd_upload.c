/* hcsbatch upload — sends files to the GIS file store and prints, per file,
 * the AttachmentGUID and the AttachmentHASH a request's AttachmentType needs.
 * Interrupted multipart uploads resume on the next call for the same file. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "filestore/filestore.h"
#include "run/run_lock.h"

static void help(void)
{
    fputs("usage: hcsbatch upload --context CTX [--name NAME] [--once] FILE...\n\n"
          "Uploads each FILE to the GIS file store context CTX (homemanagement, bills,\n"
          "agreements, voting, inspection, licenses, informing, rki, passport, publiccontent,\n"
          "indices, ppa, ...): up to 5 MB in one PUT, larger files (to 1 GB) in parts of\n"
          "5 242 880 bytes. The extension (pdf docx doc rtf txt xls xlsx jpeg jpg bmp tif tiff\n"
          "gif zip rar csv odp odf ods odt sxc sxw) and size are checked before anything is sent.\n"
          "A multipart upload interrupted by a crash or kill continues where GIS stopped\n"
          "(state in paths.work_dir/store.path); only the missing parts are sent.\n\n"
          "Prints one line per file: GUID<TAB>ATTACHMENT_HASH<TAB>FILE, where the hash is the\n"
          "hex GOST R 34.11-94 digest (filestore.hash_scope: file | first_part).\n\n"
          "  --context CTX   file store context (required)\n"
          "  --name NAME     file name to send (one FILE only; default: its base name)\n"
          "  --once          reuse an earlier upload of the same content (SHA-256) instead of sending again\n\n"
          "Settings: gis.base_url + filestore.path, gis.org_ppa_guid, filestore.provider_header,\n"
          "filestore.rate, transport.* (timeouts, retries, TLS).\n"
          "Exit: 0 all uploaded, 65 a file was refused (type, size, or by GIS), 66 unreadable file,\n"
          "69 file store unreachable, 64 usage, 75 another run holds the lock, 78 configuration.\n",
          stdout);
}

static int upload_one(struct cli *cli, fs_client *c, const char *ctx, const char *path, const char *name,
                      int once, hcs_err *err)
{
    if (once) {
        struct fs_attachment a;
        if (filestore_attach(c, ctx, path, name, &a, err) < 0)
            return -1;
        printf("%s\t%s\t%s\n", a.guid, a.hash, path);
        if (!cli->quiet && a.reused)
            fprintf(stderr, "hcsbatch upload: %s: same content uploaded before, nothing sent\n", path);
        return 0;
    }
    struct fs_upload_result r;
    if (fs_upload(c, ctx, path, name, &r, err) < 0)
        return -1;
    printf("%s\t%s\t%s\n", r.guid, r.hash, path);
    if (!cli->quiet && r.resumed)
        fprintf(stderr, "hcsbatch upload: %s: resumed upload %s, sent %d of %d parts\n", path, r.guid,
                r.parts_sent, r.parts_total);
    else if (cli->verbose)
        fprintf(stderr, "hcsbatch upload: %s: %llu bytes, %d part(s)\n", path, (unsigned long long)r.size,
                r.parts_total);
    fflush(stdout);
    return 0;
}

CLI_COMMAND(upload)
{
    const char *ctx = NULL, *name = NULL;
    int once = 0, first = argc;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            help();
            return 0;
        } else if (!strcmp(a, "--context") && i + 1 < argc) {
            ctx = argv[++i];
        } else if (!strncmp(a, "--context=", 10)) {
            ctx = a + 10;
        } else if (!strcmp(a, "--name") && i + 1 < argc) {
            name = argv[++i];
        } else if (!strncmp(a, "--name=", 7)) {
            name = a + 7;
        } else if (!strcmp(a, "--once")) {
            once = 1;
        } else if (!strcmp(a, "--")) {
            first = i + 1;
            break;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("upload", "unknown option %s", a);
        } else {
            first = i;
            break;
        }
    }
    if (!ctx || !*ctx)
        return cli_usage_error("upload", "--context CTX is required");
    if (first >= argc)
        return cli_usage_error("upload", "no FILE given");
    if (name && argc - first > 1)
        return cli_usage_error("upload", "--name applies to one FILE only");

    hcs_err err = { 0 };
    /* Upload sessions and remembered attachments are state: one writer. */
    int lock = run_lock(cli->cfg, &err);
    if (lock < 0)
        return cli_fail(&err);
    struct fs_options o;
    char **owned = NULL;
    fs_client *c = NULL;
    if (fs_options_from_config(cli->cfg, &o, &owned, &err) < 0 || !(c = fs_client_new(&o, &err))) {
        fs_options_free_owned(owned);
        run_unlock(lock);
        return cli_fail(&err);
    }
    int rc = 0;
    for (int i = first; i < argc; i++) {
        hcs_err ferr = { 0 };
        if (upload_one(cli, c, ctx, argv[i], name, once, &ferr) < 0) {
            int code = cli_fail(&ferr);
            if (!rc)
                rc = code;
            if (code == HCS_EX_UNAVAILABLE || code == HCS_EX_CONFIG)
                break;          /* the next file would fail the same way */
        }
    }
    fs_client_free(c);
    fs_options_free_owned(owned);
    run_unlock(lock);
    return rc;
}
