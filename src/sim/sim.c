/* sim — the simulator's life: options, the world's provider, the state
 * database, schemas, file store and answer signer.  The request pipeline
 * is sim_request.c, the processing queue sim_queue.c. */
#include "sim/sim.h"
#include "sim/sim_internal.h"

#include <iniparser.h>
#include <pthread.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "base/fsutil.h"
#include "base/guid.h"
#include "base/xalloc.h"
#include "base/crypto.h"
#include "sign/sign.h"
#include "base/config.h"
#include "sim/sim_db.h"
#include "proto/operations.h"
#include "proto/schema.h"

long long sim_now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

const char *sim_state_dir(const sim *s) { return s->state_dir; }
sim_filestore *sim_get_filestore(sim *s) { return s->fs; }

static X509 *read_cert(const sim *s, const char *ini, const char *cert, hcs_err *err)
{
    char *cpath = cert[0] == '/' ? xstrdup(cert) : path_join(s->world_dir, cert);
    FILE *f = fopen(cpath, "r");
    X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    if (!x)
        hcs_fail(err, HCS_EX_DATAERR, "%s: certificate %s: not a readable PEM certificate", ini, cpath);
    free(cpath);
    return x;
}

/* The world's other organisations: sections [org:NAME] with org_ppa_guid
 * (iniparser keeps "org:NAME" as a key of its own, not as a section). */
static int load_orgs(sim *s, dictionary *d, const char *path, hcs_err *err)
{
    for (ssize_t i = 0; i < d->size; i++) {
        const char *sec = d->key[i];
        if (!sec || strncmp(sec, "org:", 4) != 0 || strchr(sec + 4, ':'))
            continue;
        char key[300];
        snprintf(key, sizeof key, "%s:org_ppa_guid", sec);
        const char *g = iniparser_getstring(d, key, "");
        s->orgs = xrealloc(s->orgs, (s->norgs + 1) * sizeof *s->orgs);
        if (guid_normalize(g, s->orgs[s->norgs]) < 0)
            return hcs_fail(err, HCS_EX_DATAERR, "%s: [%s] org_ppa_guid is not a GUID: '%s'", path, sec, g);
        s->norgs++;
    }
    return 0;
}

int sim_org_known(const sim *s, const char *org)
{
    if (!strcmp(org, s->org_ppa_guid))
        return 1;
    for (size_t i = 0; i < s->norgs; i++)
        if (!strcmp(org, s->orgs[i]))
            return 1;
    return 0;
}

static int load_provider(sim *s, hcs_err *err)
{
    char *path = path_join(s->world_dir, "provider.ini");
    dictionary *d = file_exists(path) ? iniparser_load(path) : NULL;
    if (!d) {
        hcs_fail(err, HCS_EX_NOINPUT, "%s: cannot read the world's provider", path);
        free(path);
        return -1;
    }
    const char *guid = iniparser_getstring(d, "provider:org_ppa_guid", "");
    if (guid_normalize(guid, s->org_ppa_guid) < 0) {
        hcs_fail(err, HCS_EX_DATAERR, "%s: [provider] org_ppa_guid is not a GUID: '%s'", path, guid);
        goto fail;
    }
    snprintf(s->ogrn, sizeof s->ogrn, "%s", iniparser_getstring(d, "provider:ogrn", ""));
    snprintf(s->name, sizeof s->name, "%s", iniparser_getstring(d, "provider:name", ""));
    const char *cert = iniparser_getstring(d, "provider:certificate", "any");
    if (strcmp(cert, "any") != 0 && *cert && !(s->cert = read_cert(s, path, cert, err)))
        goto fail;
    if (load_orgs(s, d, path, err) < 0)
        goto fail;
    /* The operator of the information system signing for the provider. */
    const char *op_cert = iniparser_getstring(d, "operator:certificate", "");
    if (*op_cert) {
        const char *op_org = iniparser_getstring(d, "operator:org_ppa_guid", "");
        if (guid_normalize(op_org, s->operator_org) < 0) {
            hcs_fail(err, HCS_EX_DATAERR, "%s: [operator] org_ppa_guid is not a GUID: '%s'", path, op_org);
            goto fail;
        }
        if (!(s->operator_cert = read_cert(s, path, op_cert, err)))
            goto fail;
    }
    iniparser_freedict(d);
    free(path);
    return 0;
fail:
    iniparser_freedict(d);
    free(path);
    return -1;
}

static int parse_times(sim *s, const char *spec, hcs_err *err)
{
    if (!spec || !*spec)
        return 0;
    char *copy = xstrdup(spec), *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        char *end = NULL;
        long ms = strtol(eq ? eq + 1 : item, &end, 10);
        if (end == (eq ? eq + 1 : item) || *end || ms < 0) {
            free(copy);
            return hcs_fail(err, HCS_EX_USAGE, "--processing-ms: '%s' is not MS or OPERATION=MS", item);
        }
        if (!eq || strncmp(item, "default=", 8) == 0) {
            s->processing_ms = ms;
            continue;
        }
        *eq = '\0';
        if (!gis_operation_find(item)) {
            hcs_fail(err, HCS_EX_USAGE, "--processing-ms: unknown operation '%s'", item);
            free(copy);
            return -1;
        }
        s->times = xrealloc(s->times, (s->ntimes + 1) * sizeof *s->times);
        snprintf(s->times[s->ntimes].op, sizeof s->times[0].op, "%s", item);
        s->times[s->ntimes++].ms = ms;
    }
    free(copy);
    return 0;
}

int sim_resend_parse(const char *name)
{
    static const char *const names[] = { "ack", "again", "busy" };
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, names[i]))
            return i;
    return -1;
}

long sim_processing_time(const sim *s, const char *op)
{
    for (size_t i = 0; i < s->ntimes; i++)
        if (strcmp(s->times[i].op, op) == 0)
            return s->times[i].ms;
    return s->processing_ms;
}

sim *sim_open(const struct sim_options *o, hcs_err *err)
{
    sim *s = xcalloc(1, sizeof *s);
    pthread_mutex_init(&s->schema_lock, NULL);
    pthread_mutex_init(&s->state_lock, NULL);
    s->world_dir = xstrdup(o->world_dir);
    s->state_dir = o->state_dir ? xstrdup(o->state_dir) : path_join(o->world_dir, "../sim-state");
    s->processing_ms = o->processing_ms;
    s->nsi_page_size = o->nsi_page_size > 0 ? o->nsi_page_size : 1000;
    s->skip_signature = o->skip_signature;
    /* GOST certificates (the provider's, the requests') need the engine. */
    if (crypto_gost_init(NULL, err) < 0)
        goto fail;
    if (parse_times(s, o->processing_spec, err) < 0 || load_provider(s, err) < 0)
        goto fail;
    if (!(s->db = sim_db_open(s->state_dir, err)) || sim_db_load_world(s->db, s->world_dir, err) < 0)
        goto fail;
    s->resend = o->resend;
    for (size_t i = 0; i < o->nrenew_guids; i++) {
        char renewed[40];
        if (sim_db_renew_guid(s->db, o->renew_guids[i], renewed, err) < 0)
            goto fail;
        fprintf(stderr, "hcs-sim: %s renewed as %s\n", o->renew_guids[i], renewed);
    }
    if ((s->schemas = schema_set_open(o->schemas_dir, err)))
        schema_set_package_dir(s->schemas, PKG_DEBT, o->debt_schemas_dir);
    if (!s->schemas)
        goto fail;
    if (o->sign_key) {
        /* A key passphrase never comes from argv: when the environment
         * has HCS_SIM_KEY_PASS, src/sign reads it from there (sign.pass_env). */
        if (!(s->sign_cfg = cfg_load(NULL, err)) ||
            cfg_set(s->sign_cfg, "sign.key", o->sign_key, err) < 0 ||
            (o->sign_cert && cfg_set(s->sign_cfg, "sign.cert", o->sign_cert, err) < 0) ||
            cfg_set(s->sign_cfg, "sign.alg", o->sign_alg ? o->sign_alg : "gost2012", err) < 0 ||
            (getenv("HCS_SIM_KEY_PASS") && cfg_set(s->sign_cfg, "sign.pass_env", "HCS_SIM_KEY_PASS", err) < 0) ||
            !(s->signer = signer_open(s->sign_cfg, err)))
            goto fail;
    }
    s->fs = sim_filestore_open(s->state_dir);
    if (!s->fs) {
        hcs_fail(err, HCS_EX_CANTCREAT, "%s: cannot open the file store", s->state_dir);
        goto fail;
    }
    return s;
fail:
    sim_free(s);
    return NULL;
}

void sim_free(sim *s)
{
    if (!s)
        return;
    if (s->fs)
        sim_filestore_free(s->fs);
    schema_set_free(s->schemas);
    sim_db_close(s->db);
    signer_free(s->signer);
    cfg_free(s->sign_cfg);
    free(s->orgs);
    X509_free(s->cert);
    X509_free(s->operator_cert);
    free(s->times);
    free(s->world_dir);
    free(s->state_dir);
    pthread_mutex_destroy(&s->schema_lock);
    pthread_mutex_destroy(&s->state_lock);
    free(s);
}
