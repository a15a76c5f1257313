/* config_impl — what config.c and config_org.c share: the configuration's
 * layers and its organisations.  Not for use outside src/base/config*.c. */
#ifndef HCS_CONFIG_IMPL_H
#define HCS_CONFIG_IMPL_H

#include <stddef.h>

#include <iniparser.h>

#include "base/config.h"

struct hcs_config {
    dictionary *file;        /* what the INI file says */
    dictionary *over;        /* flags and -o, win over the file */
    char *base_dir;
    char *path;              /* the file loaded, NULL: defaults only */
    char *org;               /* the organisation this view is of, NULL: the default one */
    char **orgs;             /* the organisations the file names (cfg_orgs_collect) */
    size_t norgs;
};

/* A section of the file: "org:NAME" must name an organisation well
 * ([a-z0-9_-], iniparser lowercases), a bare [org] is refused.  0 or -1. */
int cfg_org_section_check(const hcs_config *cfg, const char *sec, hcs_err *err);
/* The "section.key" name of a key as iniparser spells it ("sec:key"). */
void cfg_key_name(const char *ini_key, char *out, size_t n);
/* Fills cfg->orgs from the file's [org:NAME] sections, checking their
 * names and keys.  0, or -1 (err). */
int cfg_orgs_collect(hcs_config *cfg, hcs_err *err);

#endif
