/* config_org — the organisations of one configuration ([org:NAME]
 * sections) and the view of the configuration each of them has (config.h). */
#include "base/config_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/xalloc.h"

/* [org:NAME] key → the key it stands for in that organisation's view */
static const struct { const char *org_key, *key; int is_path; } org_map[] = {
    { "org_ppa_guid", "gis.org_ppa_guid", 0 },
    { "org_root_guid", "gis.org_root_guid", 0 },
    { "work_dir", "paths.work_dir", 1 },
    { "sign_key", "sign.key", 1 },
    { "sign_cert", "sign.cert", 1 },
    { "sign_pass_file", "sign.pass_file", 1 },
    { "sign_pass_env", "sign.pass_env", 0 },
};
#define ORG_MAP_N (sizeof org_map / sizeof org_map[0])

static int org_name_ok(const char *name)
{
    if (!*name || strlen(name) > 63)
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
            return 0;
    return 1;
}

int cfg_org_section_check(const hcs_config *cfg, const char *sec, hcs_err *err)
{
    /* the example configuration has an empty [org] (its keys commented out) */
    if (!strcmp(sec, "org") && iniparser_getsecnkeys(cfg->file, "org") > 0)
        return hcs_fail(err, HCS_EX_CONFIG, "%s: keys in a bare [org] section: organisations are [org:NAME]",
                        cfg->path);
    if (!strcmp(sec, "org"))
        return 0;
    if (strncmp(sec, "org:", 4) != 0)
        return 0;
    if (!org_name_ok(sec + 4) || !strcmp(sec + 4, CFG_DEFAULT_ORG))
        return hcs_fail(err, HCS_EX_CONFIG, "%s: [%s]: an organisation's name is 1-63 of a-z 0-9 _ - (not \"%s\")",
                        cfg->path, sec, CFG_DEFAULT_ORG);
    return 0;
}

void cfg_key_name(const char *ini_key, char *out, size_t n)
{
    snprintf(out, n, "%s", ini_key);
    char *colon = strchr(out, ':');
    if (colon)
        *colon = '.';
}

static void org_add(hcs_config *cfg, const char *name)
{
    cfg->orgs = xrealloc(cfg->orgs, (cfg->norgs + 1) * sizeof *cfg->orgs);
    cfg->orgs[cfg->norgs++] = xstrdup(name);
}

/* iniparser counts only names without ':' as sections: "org:NAME" is a
 * key of its own (no value) and its keys are "org:NAME:key". */
int cfg_orgs_collect(hcs_config *cfg, hcs_err *err)
{
    dictionary *d = cfg->file;
    size_t named = 0;
    for (ssize_t i = 0; d && i < d->size; i++) {
        const char *k = d->key[i];
        if (!k || strncmp(k, "org:", 4) != 0)
            continue;
        const char *colon = strchr(k + 4, ':');
        if (!colon) {
            if (cfg_org_section_check(cfg, k, err) < 0)
                return -1;
            named++;
            continue;
        }
        char name[256];
        snprintf(name, sizeof name, "org.%s", colon + 1);
        if (!cfg_key_known(name))
            return hcs_fail(err, HCS_EX_CONFIG, "%s: unknown key '%s' in [%.*s] (see docs/config.md)", cfg->path,
                            colon + 1, (int)(colon - k), k);
    }
    if (!named || (d && iniparser_getstring(d, "gis:org_ppa_guid", NULL)))
        org_add(cfg, CFG_DEFAULT_ORG);
    for (ssize_t i = 0; d && i < d->size; i++) {
        const char *k = d->key[i];
        if (k && !strncmp(k, "org:", 4) && !strchr(k + 4, ':'))
            org_add(cfg, k + 4);
    }
    return 0;
}

size_t cfg_org_count(const hcs_config *cfg) { return cfg->norgs; }

const char *cfg_org_name(const hcs_config *cfg, size_t i) { return i < cfg->norgs ? cfg->orgs[i] : NULL; }

const char *cfg_org(const hcs_config *cfg) { return cfg->org ? cfg->org : CFG_DEFAULT_ORG; }

static int org_known(const hcs_config *cfg, const char *org)
{
    for (size_t i = 0; i < cfg->norgs; i++)
        if (!strcmp(cfg->orgs[i], org))
            return 1;
    return 0;
}

/* The organisation's own keys and directories as overrides of the view. */
static int org_apply(const hcs_config *base, hcs_config *v, const char *org, hcs_err *err)
{
    char *state = NULL, *work = cfg_path(base, "paths.work_dir");
    const char *rel = cfg_str(base, "store.path");
    if (!work)
        work = xstrdup(".");
    state = rel && rel[0] == '/' ? xstrdup(rel) : path_join(work, rel ? rel : "state.db");
    if (state[0] != '/') {   /* store_open joins a relative store.path to the (organisation's) work_dir */
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd)) {
            free(state);
            free(work);
            return hcs_fail(err, HCS_EX_OSERR, "getcwd: %s", strerror(errno));
        }
        char *abs = path_join(cwd, state);
        free(state);
        state = abs;
    }
    int rc = cfg_set(v, "store.path", state, err);
    char *own_work = path_join(work, "orgs");
    char *dflt = path_join(own_work, org);
    for (size_t i = 0; rc == 0 && i < ORG_MAP_N; i++) {
        char name[256];
        snprintf(name, sizeof name, "org:%s:%s", org, org_map[i].org_key);
        const char *val = iniparser_getstring(v->file, name, NULL);
        char *path = NULL;
        /* paths in the file are relative to the file (a pkcs11: URI is not a path) */
        if (val && org_map[i].is_path && val[0] != '/' && strncmp(val, "pkcs11:", 7) != 0)
            val = path = path_join(v->base_dir, val);
        if (!val && !strcmp(org_map[i].key, "paths.work_dir"))
            val = dflt;
        if (!val && !strcmp(org_map[i].key, "gis.org_ppa_guid"))
            rc = hcs_fail(err, HCS_EX_CONFIG, "%s: [org:%s] has no org_ppa_guid", v->path, org);
        else if (val)
            rc = cfg_set(v, org_map[i].key, val, err);
        free(path);
    }
    free(dflt);
    free(own_work);
    free(state);
    free(work);
    return rc;
}

hcs_config *cfg_for_org(const hcs_config *cfg, const char *org, hcs_err *err)
{
    if (!org_known(cfg, org)) {
        hcs_fail(err, HCS_EX_CONFIG, "no organisation '%s' in %s (see docs/config.md, [org:NAME])", org,
                 cfg->path ? cfg->path : "the configuration");
        return NULL;
    }
    hcs_config *v = cfg_load(cfg->path, err);
    if (!v)
        return NULL;
    for (int i = 0; i < cfg->over->size; i++)
        if (cfg->over->key[i])
            dictionary_set(v->over, cfg->over->key[i], cfg->over->val[i]);
    if (strcmp(org, CFG_DEFAULT_ORG) != 0) {
        v->org = xstrdup(org);
        if (org_apply(cfg, v, org, err) < 0) {
            cfg_free(v);
            return NULL;
        }
    }
    return v;
}
