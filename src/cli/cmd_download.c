/* hcsbatch download — fetches a file from the GIS file store by its GUID,
 * in 5 MB Range parts above 5 MB, continuing an interrupted download from
 * its .part file. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "filestore/filestore.h"

static void help(void)
{
    fputs("usage: hcsbatch download --context CTX GUID [-o FILE]\n\n"
          "Downloads the file GUID from the GIS file store context CTX to FILE (default: GUID\n"
          "in the current directory). Its size comes from HEAD (X-Upload-Length); files up to\n"
          "5 MB come in one GET ?getfile, larger ones in Range parts of 5 242 880 bytes appended\n"
          "to FILE.part, so a second call continues an interrupted download. FILE appears only\n"
          "when its size matches the one GIS announced.\n\n"
          "  --context CTX   file store context (required)\n"
          "  -o, --output FILE\n\n"
          "Exit: 0 downloaded, 64 usage, 65 GIS refused (e.g. FileNotFoundException),\n"
          "69 file store unreachable, 73 cannot write FILE, 76 unexpected answer, 78 configuration.\n",
          stdout);
}

CLI_COMMAND(download)
{
    const char *ctx = NULL, *out = NULL, *guid = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            help();
            return 0;
        } else if (!strcmp(a, "--context") && i + 1 < argc) {
            ctx = argv[++i];
        } else if (!strncmp(a, "--context=", 10)) {
            ctx = a + 10;
        } else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && i + 1 < argc) {
            out = argv[++i];
        } else if (!strncmp(a, "--output=", 9)) {
            out = a + 9;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("download", "unknown option %s", a);
        } else if (!guid) {
            guid = a;
        } else {
            return cli_usage_error("download", "one GUID at a time (got %s and %s)", guid, a);
        }
    }
    if (!ctx || !*ctx)
        return cli_usage_error("download", "--context CTX is required");
    if (!guid)
        return cli_usage_error("download", "no GUID given");
    if (!out)
        out = guid;

    hcs_err err = { 0 };
    struct fs_options o;
    char **owned = NULL;
    fs_client *c = NULL;
    if (fs_options_from_config(cli->cfg, &o, &owned, &err) < 0 || !(c = fs_client_new(&o, &err))) {
        fs_options_free_owned(owned);
        return cli_fail(&err);
    }
    struct fs_download_result r;
    int rc = fs_download(c, ctx, guid, out, &r, &err);
    fs_client_free(c);
    fs_options_free_owned(owned);
    if (rc < 0)
        return cli_fail(&err);
    if (!cli->quiet)
        fprintf(stderr, "hcsbatch download: %s: %llu bytes in %d request(s)%s\n", out,
                (unsigned long long)r.size, r.requests, r.resumed_from ? " (resumed)" : "");
    return 0;
}
