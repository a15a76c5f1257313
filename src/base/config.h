/* config — the one INI configuration (hcsbatch.ini) and its overrides.
 *
 * Keys are written "section.key".  Lookup order: `-o section.key=value`
 * and flag overrides (cfg_set), then the file, then the built-in default
 * from the key table in config_keys.c — the same table that docs/config.md
 * documents.  Asking for a key that is not in the table is a programming
 * error and aborts in debug builds, so every key stays documented. */
#ifndef HCS_CONFIG_H
#define HCS_CONFIG_H

#include "base/err.h"

typedef struct hcs_config hcs_config;

struct cfg_key {
    const char *name;        /* "section.key" */
    const char *def;         /* default value, NULL = unset */
    const char *doc;         /* one line for --help and docs */
};
extern const struct cfg_key cfg_keys[];
/* Base URL of a named GIS stand (prod, sit01, sit02), or NULL. */
const char *cfg_stand_base_url(const char *stand);

/* path may be NULL: defaults only.  A missing or unreadable file is an error
 * (HCS_EX_CONFIG) when given explicitly. */
hcs_config *cfg_load(const char *path, hcs_err *err);
void cfg_free(hcs_config *cfg);
/* Directory of the loaded file ("." when none): relative paths in it resolve from there. */
const char *cfg_base_dir(const hcs_config *cfg);

/* "section.key=value" (the -o argument). */
int cfg_override(hcs_config *cfg, const char *assignment, hcs_err *err);
int cfg_set(hcs_config *cfg, const char *key, const char *value, hcs_err *err);

/* 1 when key is in the table: keys that come from data (a template's
 * default:@section.key) are checked with this before they are asked for. */
int cfg_key_known(const char *key);
const char *cfg_str(const hcs_config *cfg, const char *key);   /* NULL if unset */
long cfg_long(const hcs_config *cfg, const char *key, hcs_err *err, int *ok);
long cfg_int(const hcs_config *cfg, const char *key, long fallback);
int cfg_bool(const hcs_config *cfg, const char *key);
double cfg_double(const hcs_config *cfg, const char *key, double fallback);
/* A path key resolved against the config file's directory; caller frees. NULL if unset. */
char *cfg_path(const hcs_config *cfg, const char *key);

/* ---- organisations ----
 * One installation may serve several organisations (information providers)
 * from one state database: each is a section [org:NAME] of the file (name
 * of a-z, 0-9, _ and -) with its own orgPPAGUID, work directory (inbox/,
 * archive/, rejected/, reports/, run.lock; default <paths.work_dir>/orgs/NAME)
 * and optionally its own signing key.  The configuration without such
 * sections is the one organisation "default"; with them, "default" is one
 * of them too when [gis] org_ppa_guid is set. */
#define CFG_DEFAULT_ORG "default"
size_t cfg_org_count(const hcs_config *cfg);
const char *cfg_org_name(const hcs_config *cfg, size_t i);
/* The organisation a configuration is the view of ("default" for the
 * loaded file itself). */
const char *cfg_org(const hcs_config *cfg);
/* The configuration as organisation `org` sees it: its [org:NAME] keys in
 * place of gis.org_ppa_guid, gis.org_root_guid, paths.work_dir, sign.key,
 * sign.cert, sign.pass_file, sign.pass_env; the SQLite state file stays the
 * shared one.  An unknown name is HCS_EX_CONFIG.  Free with cfg_free. */
hcs_config *cfg_for_org(const hcs_config *cfg, const char *org, hcs_err *err);

#endif
