/* hcsbatch health — can tonight's run work?  The checks are run/health.c's;
 * this file parses the options, prints and picks the exit code. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "run/health.h"

static void help(void)
{
    fputs("usage: hcsbatch health [--json] [--prometheus FILE]\n\n"
          "Checks what tonight's run needs, each one graded ok, warning or critical:\n"
          "  config       the configuration loads; provider GUID, gis.base_url, work and template\n"
          "               directories\n"
          "  key          sign.key and sign.cert readable and the key matching the certificate\n"
          "  cert_expiry  days until the certificate expires: warning under health.cert_warn_days\n"
          "               (30), critical once expired\n"
          "  schemas      the official schema package in paths.schemas_dir and its version\n"
          "  store        the state database opens and passes its integrity check (none yet\n"
          "               before the first run is ok: health never creates it)\n"
          "  gis          GIS answers one getState of a made-up MessageGUID with INT002013\n"
          "               (TLS handshake, envelope and provider accepted; nothing is created)\n"
          "  disk         free space of work_dir: warning under health.disk_warn_mb (1024),\n"
          "               critical under health.disk_critical_mb (100)\n\n"
          "Prints one line per check (no secrets).\n"
          "  --json             print the report as one JSON object instead\n"
          "  --prometheus FILE  also write a Prometheus textfile (atomically): one\n"
          "                     hcsbatch_health_check_status{check=\"...\"} gauge per check,\n"
          "                     hcsbatch_health_check_value, hcsbatch_health_status and\n"
          "                     hcsbatch_health_timestamp_seconds\n\n"
          "Exit: 0 every check ok, 1 a warning (none critical), 2 a check is critical,\n"
          "64 usage, 73/74 the Prometheus file cannot be written.\n",
          stdout);
}

CLI_COMMAND(health)
{
    int json = 0;
    const char *prom = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            help();
            return 0;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--prometheus") && i + 1 < argc) {
            prom = argv[++i];
        } else if (!strncmp(a, "--prometheus=", 13) && a[13]) {
            prom = a + 13;
        } else {
            return cli_usage_error("health", "unknown option or missing value: %s", a);
        }
    }
    struct health_report r;
    health_run(cli->cfg, &r);
    strbuf sb = STRBUF_INIT;
    if (json)
        health_format_json(&sb, &r);
    else
        health_format_text(&sb, &r);
    fputs(sb_str(&sb), stdout);
    sb_free(&sb);
    hcs_err err = { 0 };
    if (prom && health_write_prometheus(prom, &r, &err) < 0)
        return cli_fail(&err);
    return health_exit_code(&r);
}
