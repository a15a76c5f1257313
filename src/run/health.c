/* health — the checks of `hcsbatch health`, each asking the stage that
 * owns the thing, graded against [health] thresholds. */
#include "run/health.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/guid.h"
#include "base/xalloc.h"
#include "exchange/exchange.h"
#include "proto/schema.h"
#include "run/run.h"
#include "sign/sign.h"
#include "store/store.h"

#define MB (1024.0 * 1024.0)

static struct health_check *add(struct health_report *r, const char *name)
{
    struct health_check *c = &r->checks[r->n++];
    memset(c, 0, sizeof *c);
    c->name = name;
    return c;
}

static void say(struct health_check *c, enum health_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(struct health_check *c, enum health_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->message, sizeof c->message, fmt, ap);
    va_end(ap);
    c->status = s;
}

/* The host[:port] of a URL, without any user:password@ before it. */
static void url_host(const char *url, char *out, size_t outlen)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t n = strcspn(p, "/?#");
    const char *at = memchr(p, '@', n);
    if (at) {
        n -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    snprintf(out, outlen, "%.*s", (int)n, p);
}

/* cfg_path already falls back to the installed data directory. */
static int dir_resolves(const hcs_config *cfg, const char *key)
{
    char *dir = cfg_path(cfg, key);
    int ok = dir && access(dir, R_OK | X_OK) == 0;
    free(dir);
    return ok;
}

/* What the other checks do not cover: the provider, GIS's address, the
 * work and template directories. */
static void check_config(const hcs_config *cfg, struct health_check *c)
{
    const char *org = cfg_str(cfg, "gis.org_ppa_guid");
    const char *url = cfg_str(cfg, "gis.base_url");
    char g[GUID_STRLEN + 1];
    char *work = run_work_dir(cfg);
    if (!org || !*org)
        say(c, HEALTH_CRITICAL, "gis.org_ppa_guid is not set");
    else if (guid_normalize(org, g) < 0)
        say(c, HEALTH_CRITICAL, "gis.org_ppa_guid is not a GUID");
    else if (!url || (strncasecmp(url, "https://", 8) && strncasecmp(url, "http://", 7)))
        say(c, HEALTH_CRITICAL, "gis.base_url must start with https:// or http://");
    else if (access(work, W_OK | X_OK) != 0)
        say(c, HEALTH_CRITICAL, "paths.work_dir %s is not a writable directory", work);
    else if (!dir_resolves(cfg, "paths.templates_dir"))
        say(c, HEALTH_CRITICAL, "paths.templates_dir is not found (here nor installed)");
    else
        say(c, HEALTH_OK, "configuration loaded; provider and directories set");
    free(work);
}

static void check_key(const hcs_config *cfg, struct health_check *key, struct health_check *exp)
{
    struct key_inspection ki;
    hcs_err err = { 0 };
    long warn_days = cfg_int(cfg, "health.cert_warn_days", 30);
    if (keys_inspect(cfg, &ki, &err) < 0) {
        say(key, HEALTH_CRITICAL, "%s", err.msg);
        say(exp, HEALTH_CRITICAL, "certificate not readable");
        return;
    }
    if (!ki.matches)
        say(key, HEALTH_CRITICAL, "the private key does not match the certificate");
    else if (ki.warning[0])
        say(key, HEALTH_WARNING, "key and certificate match; %s", ki.warning);
    else
        say(key, HEALTH_OK, "key and certificate readable and matching");
    exp->has_value = 1;
    exp->value = ki.days_left;
    if (ki.days_left < 0)
        say(exp, HEALTH_CRITICAL, "the certificate expired on %s; GIS rejects its signatures", ki.not_after);
    else if (ki.not_yet_valid)
        say(exp, HEALTH_CRITICAL, "the certificate is not valid yet");
    else if (ki.days_left < warn_days)
        say(exp, HEALTH_WARNING, "the certificate expires in %d days (%s); order a new one", ki.days_left,
            ki.not_after);
    else
        say(exp, HEALTH_OK, "%d days to expiry (%s)", ki.days_left, ki.not_after);
}

static void check_schemas(const hcs_config *cfg, struct health_check *c)
{
    char *dir = cfg_path(cfg, "paths.schemas_dir");
    struct schema_package_info info;
    hcs_err err = { 0 };
    if (!dir)
        say(c, HEALTH_CRITICAL, "paths.schemas_dir is not set");
    else if (schema_package_inspect(dir, &info, &err) < 0)
        say(c, HEALTH_CRITICAL, "%s", err.msg);
    else if (info.missing[0])
        say(c, HEALTH_CRITICAL, "schema package %s lacks %s", info.version[0] ? info.version : dir, info.missing);
    else if (!info.version[0])
        say(c, HEALTH_WARNING, "schema package in %s does not name its version (hcs-base %s)", dir,
            info.base_version[0] ? info.base_version : "?");
    else
        say(c, HEALTH_OK, "schema package %s (from %s; hcs-base.xsd %s)", info.version, info.version_source,
            info.base_version[0] ? info.base_version : "?");
    free(dir);
}

/* The SQLite file store_open would open (same rule: store.path relative
 * to work_dir), or NULL for another driver.  Looked at first because
 * store_open creates what is missing, and a health check run by hand as
 * root must not leave a root-owned state database for the batch user. */
static char *sqlite_path(const hcs_config *cfg)
{
    const char *driver = cfg_str(cfg, "store.driver");
    if (driver && strcmp(driver, "sqlite") != 0)
        return NULL;
    const char *rel = cfg_str(cfg, "store.path");
    if (rel && rel[0] == '/')
        return xstrdup(rel);
    char *work = run_work_dir(cfg);
    char *path = path_join(work, rel ? rel : "state.db");
    free(work);
    return path;
}

static void check_store(const hcs_config *cfg, struct health_check *c)
{
    hcs_err err = { 0 };
    char *file = sqlite_path(cfg);
    int absent = file && !file_exists(file);
    if (absent)
        say(c, HEALTH_OK, "no state database yet (%s): the first run creates it", file);
    free(file);
    if (absent)
        return;
    store *st = store_open(cfg, &err);
    char verdict[512] = "";
    if (!st)
        say(c, HEALTH_CRITICAL, "cannot open the state database: %s", err.msg);
    else if (store_integrity_check(st, verdict, sizeof verdict, &err) < 0)
        say(c, HEALTH_CRITICAL, "integrity check failed: %s", err.msg);
    else if (strcmp(verdict, "ok") != 0)
        say(c, HEALTH_CRITICAL, "the state database is damaged: %s", verdict);
    else
        say(c, HEALTH_OK, "integrity ok (schema version %d)", store_schema_version(st));
    store_close(st);
}

static void check_gis(const hcs_config *cfg, struct health_check *c)
{
    struct exchange_probe pr;
    hcs_err err = { 0 };
    char host[256] = "";
    url_host(cfg_str(cfg, "gis.base_url") ? cfg_str(cfg, "gis.base_url") : "", host, sizeof host);
    if (exchange_probe(cfg, &pr, &err) < 0) {
        say(c, HEALTH_CRITICAL, "cannot ask GIS: %s", err.msg);
        return;
    }
    c->has_value = 1;
    c->value = pr.seconds;
    const char *how = pr.tls ? "TLS" : "plain HTTP";
    if (!pr.answered)
        say(c, HEALTH_CRITICAL, "GIS at %s not reachable (%s): %s", host, how, pr.text);
    else if (!strcmp(pr.code, "INT002013"))
        say(c, HEALTH_OK, "GIS at %s answered getState over %s in %.2f s: %s %s", host, how, pr.seconds,
            pr.code, pr.text);
    else if (!strcmp(pr.code, "INT002029"))
        say(c, HEALTH_WARNING, "GIS at %s is in maintenance: %s %s", host, pr.code, pr.text);
    else
        say(c, HEALTH_CRITICAL, "GIS at %s answered getState of an unknown message with %s %s "
            "(expected INT002013)", host, pr.code[0] ? pr.code : "no error code", pr.text);
}

static void check_disk(const hcs_config *cfg, struct health_check *c)
{
    char *work = run_work_dir(cfg);
    struct statvfs vfs;
    double warn = (double)cfg_int(cfg, "health.disk_warn_mb", 1024);
    double crit = (double)cfg_int(cfg, "health.disk_critical_mb", 100);
    if (statvfs(work, &vfs) != 0) {
        say(c, HEALTH_CRITICAL, "cannot read the free space of %s", work);
    } else {
        double free_b = (double)vfs.f_bavail * (double)vfs.f_frsize;
        c->has_value = 1;
        c->value = free_b;
        enum health_status s = free_b < crit * MB ? HEALTH_CRITICAL : free_b < warn * MB ? HEALTH_WARNING
                                                                                           : HEALTH_OK;
        say(c, s, "%.0f MB free in %s (warning under %.0f MB, critical under %.0f MB)", free_b / MB, work,
            warn, crit);
    }
    free(work);
}

void health_run(const hcs_config *cfg, struct health_report *r)
{
    memset(r, 0, sizeof *r);
    r->at = time(NULL);
    check_config(cfg, add(r, "config"));
    struct health_check *key = add(r, "key");
    check_key(cfg, key, add(r, "cert_expiry"));
    check_schemas(cfg, add(r, "schemas"));
    check_store(cfg, add(r, "store"));
    check_gis(cfg, add(r, "gis"));
    check_disk(cfg, add(r, "disk"));
    for (size_t i = 0; i < r->n; i++)
        if (r->checks[i].status > r->worst)
            r->worst = r->checks[i].status;
}

int health_exit_code(const struct health_report *r)
{
    return (int)r->worst;
}

const char *health_status_name(enum health_status s)
{
    return s == HEALTH_OK ? "ok" : s == HEALTH_WARNING ? "warning" : "critical";
}
