/* cli — what every subcommand gets: the loaded configuration and the
 * common flags.  Each subcommand lives in its own file (cmd_<name>.c) and is
 * a thin composition of the pipeline stages; it returns the process exit
 * code (enum hcs_exit).
 * Owns: one file per subcommand, the option parsing and the exit code of each
 * command.
 * May call: base/ proto/ packet/ sign/ exchange/ filestore/ store/ report/
 * run/. */
#ifndef HCS_CLI_H
#define HCS_CLI_H

#include "base/config.h"
#include "base/err.h"

struct cli {
    hcs_config *cfg;          /* file + defaults + -o overrides; the organisation's view
                               * when one --org was given */
    hcs_config *base_cfg;     /* the file's (cfg itself without one --org) */
    const char **orgs;        /* --org NAME, in order */
    int norgs;
    const char *config_path;  /* -c, or NULL */
    int verbose;              /* -v count */
    int quiet;                /* -q */
};

struct cli_command {
    const char *name;
    int (*run)(struct cli *cli, int argc, char **argv);
    const char *summary;
};

/* Prints "hcsbatch: <msg>" once and returns the exit code for err. */
int cli_fail(const hcs_err *err);
/* Same for a usage problem: prints the message and a pointer to --help. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define CLI_COMMAND(name) int cmd_##name(struct cli *cli, int argc, char **argv)
CLI_COMMAND(convert);
CLI_COMMAND(verify);
CLI_COMMAND(run);
CLI_COMMAND(send);
CLI_COMMAND(poll);
CLI_COMMAND(worker);
CLI_COMMAND(status);
CLI_COMMAND(retry);
CLI_COMMAND(cancel);
CLI_COMMAND(report);
CLI_COMMAND(upload);
CLI_COMMAND(download);
CLI_COMMAND(config);
CLI_COMMAND(registry);
CLI_COMMAND(sync);
CLI_COMMAND(health);

CLI_COMMAND(ops);

/* After the configuration is loaded: checks the --org names against it,
 * refuses several for a command that works for one organisation (all but
 * run, worker, status, registry) and makes cfg the view of a single one
 * (config.h, cfg_for_org).  0 or -1. */
int cli_select_orgs(struct cli *cli, const char *command, hcs_err *err);
/* The organisations a multi-organisation command works for: --org, else
 * every one the configuration names.  *n set; the array is malloc'd, its
 * names are not. */
const char **cli_orgs(const struct cli *cli, int *n);

/* Prints s as a JSON string literal to stdout (NULL as null). */
void cli_json_str(const char *s);

#endif
