/* hcsbatch — entry point: global options, configuration, dispatch. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "base/log.h"
#include "base/progress.h"
#include "base/xmlsafe.h"

#define HCS_VERSION "0.1.0"

static const struct cli_command commands[] = {
    { "run", cmd_run, "the nightly run: take inbox files, convert, sign, send, poll, report" },
    { "convert", cmd_convert, "turn CSV/XLSX exports into schema-valid SOAP packets" },
    { "verify", cmd_verify, "check the XAdES-BES signature (and schema) of envelopes" },
    { "send", cmd_send, "send prepared packets" },
    { "poll", cmd_poll, "poll getState for packets that are due" },
    { "worker", cmd_worker, "claim packets and send/poll them, one of several workers" },
    { "status", cmd_status, "runs, files and packets by state" },
    { "registry", cmd_registry, "look up and list the GIS ids known for local keys" },
    { "sync", cmd_sync, "fill the registry of GIS ids from GIS exports (nsi, orgs, houses, …)" },
    { "retry", cmd_retry, "re-queue a failed packet (or --failed)" },
    { "cancel", cmd_cancel, "cancel a packet that has not been sent" },
    { "report", cmd_report, "write the XLSX report of one input file's final state" },
    { "upload", cmd_upload, "upload attachments to the GIS file store" },
    { "download", cmd_download, "download a file from the GIS file store" },
    { "health", cmd_health, "check key, certificate, schemas, state, GIS and disk (0 ok, 1 warning, 2 critical)" },

    { "ops", cmd_ops, "list the operations: service, element limit, inbox folder, schema package" },
    { "config", cmd_config, "print the effective configuration (secrets masked)" },
    { NULL, NULL, NULL }
};

static void usage(FILE *out)
{
    fputs("usage: hcsbatch [-c FILE] [-o section.key=value]... [--schemas DIR] [--org NAME]... [-v|-q] COMMAND [ARGS]\n\n"
          "Batch client for the GIS ZhKKh (dom.gosuslugi.ru) asynchronous SOAP API.\n\n"
          "Commands:\n", out);
    for (const struct cli_command *c = commands; c->name; c++)
        fprintf(out, "  %-9s %s\n", c->name, c->summary);
    fputs("\nGlobal options (accepted before or after the command):\n"
          "  -c, --config FILE        configuration file (INI; see docs/config.md)\n"
          "  -o section.key=value     override one configuration key (repeatable)\n"
          "      --schemas DIR        official XSD/WSDL package (paths.schemas_dir)\n"
          "      --org NAME           the organisation ([org:NAME]) to work for; run, worker,\n"
          "                           status and registry take several (default: all)\n"
          "  -v, --verbose            more log output (repeat for debug)\n"
          "  -q, --quiet              errors only, and no progress line (shown only when stderr\n"
          "                           is a terminal: converting, uploading, waiting for GIS)\n"
          "  -h, --help               this text; 'hcsbatch COMMAND --help' for a command\n"
          "      --version            print the version\n\n"
          "Exit codes: 0 ok, 64 usage, 65 rejected data, 66 unreadable input, 69 GIS unreachable,\n"
          "70 internal error, 75 try again later (another run holds the lock), 78 configuration.\n"
          "See hcsbatch(1).\n", out);
}

int cli_fail(const hcs_err *err)
{
    fprintf(stderr, "hcsbatch: %s\n", err->msg[0] ? err->msg : "failed");
    return err->code ? err->code : HCS_EX_FAIL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "hcsbatch %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'hcsbatch %s --help'.\n", cmd);
    va_end(ap);
    return HCS_EX_USAGE;
}

/* -o is also a command flag (download -o FILE): it is a config override only
 * when its value looks like section.key=value. */
static int is_override(const char *v)
{
    const char *eq = v ? strchr(v, '=') : NULL;
    const char *dot = v ? strchr(v, '.') : NULL;
    return eq && dot && dot < eq && dot > v;
}

/* Takes the global options out of argv wherever they stand. */
static int take_global_options(int *argc, char **argv, struct cli *cli, char **schemas,
                               char ***overrides, int *noverrides, hcs_err *err)
{
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        if (!strcmp(a, "--")) {
            while (i < *argc)
                argv[out++] = argv[i++];
            break;
        }
        if ((!strcmp(a, "-c") || !strcmp(a, "--config"))) {
            if (i + 1 >= *argc)
                return hcs_fail(err, HCS_EX_USAGE, "%s needs a file", a);
            cli->config_path = argv[++i];
        } else if (!strncmp(a, "--config=", 9)) {
            cli->config_path = a + 9;
        } else if (!strcmp(a, "-o") && i + 1 < *argc && is_override(argv[i + 1])) {
            (*overrides)[(*noverrides)++] = argv[++i];
        } else if (!strcmp(a, "--schemas")) {
            if (i + 1 >= *argc)
                return hcs_fail(err, HCS_EX_USAGE, "--schemas needs a directory");
            *schemas = argv[++i];
        } else if ((val = !strncmp(a, "--schemas=", 10) ? a + 10 : NULL)) {
            *schemas = (char *)val;
        } else if (!strcmp(a, "--org")) {
            if (i + 1 >= *argc)
                return hcs_fail(err, HCS_EX_USAGE, "--org needs an organisation's name");
            cli->orgs[cli->norgs++] = argv[++i];
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            cli->verbose++;
        } else if (!strcmp(a, "-vv")) {
            cli->verbose += 2;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            cli->quiet = 1;
        } else {
            argv[out++] = argv[i];
        }
    }
    *argc = out;
    argv[out] = NULL;
    return 0;
}

int main(int argc, char **argv)
{
    struct cli cli = { 0 };
    hcs_err err = { 0 };
    char *schemas = NULL;
    char **overrides = calloc((size_t)argc + 1, sizeof *overrides);
    int noverrides = 0;
    cli.orgs = calloc((size_t)argc + 1, sizeof *cli.orgs);
    if (!overrides || !cli.orgs)
        return HCS_EX_OSERR;
    if (take_global_options(&argc, argv, &cli, &schemas, &overrides, &noverrides, &err) < 0) {
        free(overrides);
        fprintf(stderr, "hcsbatch: %s\nTry 'hcsbatch --help'.\n", err.msg);
        return HCS_EX_USAGE;
    }
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        free(overrides);
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? HCS_EX_USAGE : 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        free(overrides);
        printf("hcsbatch %s\n", HCS_VERSION);
        return 0;
    }
    const struct cli_command *cmd = NULL;
    for (const struct cli_command *c = commands; c->name; c++)
        if (!strcmp(c->name, argv[1]))
            cmd = c;
    if (!cmd) {
        free(overrides);
        fprintf(stderr, "hcsbatch: unknown command '%s'\nTry 'hcsbatch --help'.\n", argv[1]);
        return HCS_EX_USAGE;
    }
    int rc;
    cli.cfg = cfg_load(cli.config_path, &err);
    if (!cli.cfg) {
        free(overrides);
        return cli_fail(&err);
    }
    for (int i = 0; i < noverrides; i++)
        if (cfg_override(cli.cfg, overrides[i], &err) < 0) {
            free(overrides);
            cfg_free(cli.cfg);
            return cli_fail(&err);
        }
    free(overrides);
    if (schemas && cfg_set(cli.cfg, "paths.schemas_dir", schemas, &err) < 0) {
        cfg_free(cli.cfg);
        return cli_fail(&err);
    }
    if (cli_select_orgs(&cli, cmd->name, &err) < 0) {
        cfg_free(cli.cfg);
        return cli_fail(&err);
    }
    const char *level = cli.quiet ? "error" : cli.verbose > 1 ? "debug" : cli.verbose ? "info"
                                                                        : cfg_str(cli.cfg, "log.level");
    log_setup(cfg_str(cli.cfg, "log.target"), level, "hcsbatch");
    progress_allow(!cli.quiet);
    xmlsafe_init();
    /* Inputs, envelopes, reports, errors.csv and the state database hold
     * personal data: whatever any command creates (convert --out, report,
     * the run's files) is 0640 at most, folders 0750 — umask 027 added to
     * the caller's, never loosened. */
    umask(umask(0) | 027);
    rc = cmd->run(&cli, argc - 1, argv + 1);
    if (cli.base_cfg != cli.cfg)
        cfg_free(cli.base_cfg);
    cfg_free(cli.cfg);
    free(cli.orgs);
    xmlCleanupParser();
    return rc;
}
