/* hcsbatch config — print the effective configuration, secrets masked. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static int is_secret(const char *key)
{
    return strstr(key, "pass") || strstr(key, "token") || strstr(key, "api_key") ||
           strstr(key, "conninfo");
}

CLI_COMMAND(config)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        puts("usage: hcsbatch config\nPrints every configuration key with its effective value.");
        return 0;
    }
    for (const struct cfg_key *k = cfg_keys; k->name; k++) {
        const char *v = cfg_str(cli->cfg, k->name);
        /* Values named by *_env / *_file keys are references, not secrets;
         * connection strings may embed passwords and are masked. */
        int mask = is_secret(k->name) && !strstr(k->name, "_env") && !strstr(k->name, "_file");
        printf("%-40s = %s\n", k->name, !v ? "" : mask ? "****" : v);
    }
    return 0;
}
