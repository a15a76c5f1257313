/* cli_orgs — the --org selection every command shares (cli.h). */
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "cli/cli.h"

static int several_allowed(const char *command)
{
    static const char *const multi[] = { "run", "worker", "status", "registry", NULL };
    for (const char *const *m = multi; *m; m++)
        if (!strcmp(*m, command))
            return 1;
    return 0;
}

int cli_select_orgs(struct cli *cli, const char *command, hcs_err *err)
{
    cli->base_cfg = cli->cfg;
    if (cli->norgs > 1 && !several_allowed(command))
        return hcs_fail(err, HCS_EX_USAGE, "%s works for one organisation at a time: give one --org", command);
    for (int i = 0; i < cli->norgs; i++) {
        hcs_config *view = cfg_for_org(cli->base_cfg, cli->orgs[i], err);
        if (!view)
            return -1;
        if (cli->norgs == 1) {
            cli->cfg = view;
        } else {
            cfg_free(view);
        }
    }
    return 0;
}

const char **cli_orgs(const struct cli *cli, int *n)
{
    size_t count = cli->norgs ? (size_t)cli->norgs : cfg_org_count(cli->base_cfg);
    const char **out = xcalloc(count + 1, sizeof *out);
    for (size_t i = 0; i < count; i++)
        out[i] = cli->norgs ? cli->orgs[i] : cfg_org_name(cli->base_cfg, i);
    *n = (int)count;
    return out;
}
