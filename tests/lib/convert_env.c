#include "convert_env.h"

#include <stdlib.h>

#include "testutil.h"

hcs_config *tu_convert_config(const char *org_ppa_guid)
{
    hcs_err err = { 0 };
    hcs_config *cfg = cfg_load(NULL, &err);
    if (!cfg)
        fail_msg("cfg_load: %s", err.msg);
    char *t = tu_path("templates"), *n = tu_path("samples/world/nsi");
    cfg_set(cfg, "paths.templates_dir", t, &err);
    cfg_set(cfg, "paths.nsi_dir", n, &err);
    cfg_set(cfg, "gis.org_ppa_guid", org_ppa_guid, &err);
    free(t);
    free(n);
    return cfg;
}

schema_set *tu_schemas_open(void)
{
    hcs_err err = { 0 };
    schema_set *schemas = schema_set_open(tu_schemas_dir(), &err);
    if (!schemas)
        fail_msg("%s", err.msg);
    return schemas;
}
