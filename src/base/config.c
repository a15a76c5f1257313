#include "base/config.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

#include <iniparser.h>

#include "base/datadir.h"
#include "base/fsutil.h"
#include "base/xalloc.h"

#include "base/config_impl.h"

static const struct cfg_key *key_lookup(const char *key)
{
    /* iniparser lowercases what it reads, so names compare without case. */
    for (const struct cfg_key *k = cfg_keys; k->name; k++)
        if (strcasecmp(k->name, key) == 0)
            return k;
    return NULL;
}

int cfg_key_known(const char *key) { return key_lookup(key) != NULL; }

/* iniparser spells keys "section:key" and lowercases them. */
static void ini_name(const char *key, char *out, size_t n)
{
    snprintf(out, n, "%s", key);
    char *dot = strchr(out, '.');
    if (dot)
        *dot = ':';
}

hcs_config *cfg_load(const char *path, hcs_err *err)
{
    hcs_config *cfg = xcalloc(1, sizeof *cfg);
    cfg->over = dictionary_new(0);
    if (path) {
        FILE *f = fopen(path, "r");
        if (!f) {
            hcs_fail(err, HCS_EX_CONFIG, "%s: %s", path, strerror(errno));
            cfg_free(cfg);
            return NULL;
        }
        fclose(f);
        cfg->file = iniparser_load(path);
        if (!cfg->file) {
            hcs_fail(err, HCS_EX_CONFIG, "%s: not a valid INI file", path);
            cfg_free(cfg);
            return NULL;
        }
        char *copy = xstrdup(path);
        cfg->base_dir = xstrdup(dirname(copy));
        free(copy);
        cfg->path = xstrdup(path);
        /* Unknown keys are almost always typos: refuse them. */
        int nsec = iniparser_getnsec(cfg->file);
        for (int s = 0; s < nsec; s++) {
            const char *sec = iniparser_getsecname(cfg->file, s);
            if (cfg_org_section_check(cfg, sec, err) < 0) {   /* a bare [org] */
                cfg_free(cfg);
                return NULL;
            }
            int nk = iniparser_getsecnkeys(cfg->file, sec);
            const char **keys = xcalloc((size_t)nk + 1, sizeof *keys);
            iniparser_getseckeys(cfg->file, sec, keys);
            for (int i = 0; i < nk; i++) {
                char name[256];
                cfg_key_name(keys[i], name, sizeof name);
                if (!key_lookup(name)) {
                    hcs_fail(err, HCS_EX_CONFIG, "%s: unknown key '%s' (see docs/config.md)",
                             path, name);
                    free(keys);
                    cfg_free(cfg);
                    return NULL;
                }
            }
            free(keys);
        }
    } else {
        cfg->base_dir = xstrdup(".");
    }
    if (cfg_orgs_collect(cfg, err) < 0) {
        cfg_free(cfg);
        return NULL;
    }
    return cfg;
}

void cfg_free(hcs_config *cfg)
{
    if (!cfg)
        return;
    if (cfg->file)
        iniparser_freedict(cfg->file);
    if (cfg->over)
        dictionary_del(cfg->over);
    free(cfg->base_dir);
    free(cfg->path);
    free(cfg->org);
    for (size_t i = 0; i < cfg->norgs; i++)
        free(cfg->orgs[i]);
    free(cfg->orgs);
    free(cfg);
}

const char *cfg_base_dir(const hcs_config *cfg) { return cfg->base_dir; }

int cfg_set(hcs_config *cfg, const char *key, const char *value, hcs_err *err)
{
    if (!key_lookup(key))
        return hcs_fail(err, HCS_EX_CONFIG, "unknown configuration key '%s' (see docs/config.md)", key);
    char name[256], sec[256];
    ini_name(key, name, sizeof name);
    snprintf(sec, sizeof sec, "%s", name);
    char *colon = strchr(sec, ':');
    if (colon)
        *colon = '\0';
    for (char *p = name; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    for (char *p = sec; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    dictionary_set(cfg->over, sec, NULL);
    dictionary_set(cfg->over, name, value);
    return 0;
}

int cfg_override(hcs_config *cfg, const char *assignment, hcs_err *err)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        return hcs_fail(err, HCS_EX_USAGE, "-o expects section.key=value, got '%s'", assignment);
    char key[256];
    snprintf(key, sizeof key, "%.*s", (int)(eq - assignment), assignment);
    return cfg_set(cfg, key, eq + 1, err);
}

/* Where a value comes from: 0 default, 1 override, 2 file. */
static const char *cfg_lookup(const hcs_config *cfg, const char *key, int *source)
{
    const struct cfg_key *k = key_lookup(key);
    if (!k) {
        fprintf(stderr, "hcsbatch: internal error: undocumented configuration key '%s'\n", key);
        abort();
    }
    char name[256];
    ini_name(key, name, sizeof name);
    for (char *p = name; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    *source = 1;
    const char *v = dictionary_get(cfg->over, name, NULL);
    if (!v && cfg->file) {
        *source = 2;
        v = iniparser_getstring(cfg->file, name, NULL);
    }
    if (!v) {
        *source = 0;
        v = k->def;
        /* gis.stand fills gis.base_url unless that is set (an unknown stand
         * is refused where [transport] is read). */
        int s;
        const char *stand_url = !strcmp(key, "gis.base_url") ? cfg_stand_base_url(cfg_lookup(cfg, "gis.stand", &s)) : NULL;
        if (stand_url)
            v = stand_url;
    }
    return v;
}

const char *cfg_str(const hcs_config *cfg, const char *key)
{
    int source;
    return cfg_lookup(cfg, key, &source);
}

long cfg_long(const hcs_config *cfg, const char *key, hcs_err *err, int *ok)
{
    const char *v = cfg_str(cfg, key);
    *ok = 0;
    if (!v || !*v)
        return 0;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end) {
        hcs_fail(err, HCS_EX_CONFIG, "%s: '%s' is not an integer", key, v);
        return 0;
    }
    *ok = 1;
    return n;
}

long cfg_int(const hcs_config *cfg, const char *key, long fallback)
{
    int ok;
    long n = cfg_long(cfg, key, NULL, &ok);
    return ok ? n : fallback;
}

double cfg_double(const hcs_config *cfg, const char *key, double fallback)
{
    const char *v = cfg_str(cfg, key);
    if (!v || !*v)
        return fallback;
    char *end;
    double d = strtod(v, &end);
    return *end ? fallback : d;
}

int cfg_bool(const hcs_config *cfg, const char *key)
{
    const char *v = cfg_str(cfg, key);
    if (!v)
        return 0;
    return !strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") ||
           !strcasecmp(v, "on");
}

/* The read-only data an installed hcsbatch carries in its data directory
 * (datadir.h), by where it sits there; NULL: the value's last component
 * (the schema package hcs-wsdl-VERSION is expected beside the templates
 * but is never installed with them). */
static const struct { const char *key, *installed; } installed_data[] = {
    { "paths.templates_dir", "templates" },
    { "paths.hints_file", "templates/hints.csv" },
    { "paths.nsi_dir", "nsi" },
    { "paths.schemas_dir", NULL },
};

/* A relative path that does not exist here is looked for in the installed
 * layout; when it is not there either, the configured path stays, so the
 * error names what the administrator wrote. */
static char *installed_fallback(const char *key, const char *value, char *path)
{
    if (value[0] == '/' || file_exists(path))
        return path;
    for (size_t i = 0; i < sizeof installed_data / sizeof installed_data[0]; i++) {
        if (strcmp(installed_data[i].key, key) != 0)
            continue;
        const char *rel = installed_data[i].installed ? installed_data[i].installed
                                                      : path_base(value);
        char *found = *rel ? datadir_find(rel) : NULL;
        if (found) {
            free(path);
            return found;
        }
    }
    return path;
}

char *cfg_path(const hcs_config *cfg, const char *key)
{
    int source;
    const char *v = cfg_lookup(cfg, key, &source);
    if (!v || !*v)
        return NULL;
    /* Only paths written in the file are relative to the file. */
    char *path = v[0] == '/' || source != 2 ? xstrdup(v) : xasprintf("%s/%s", cfg->base_dir, v);
    return installed_fallback(key, v, path);
}
