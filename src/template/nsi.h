/* nsi — НСИ dictionaries from files: a directory of
 * <registry-number>.csv, UTF-8, ';', header line "code;guid;name" ([paths]
 * nsi_dir: the offline fallback of the НСИ synced into the registry; the
 * simulator world's are samples/world/nsi/).  A value given by
 * code or by name (case-insensitive, trimmed, ё = е) resolves to the nsiRef
 * the request needs (Code + GUID).  Registries load lazily on first use.
 * Owned by src/template/. */
#ifndef HCS_NSI_H
#define HCS_NSI_H

#include "base/err.h"

typedef struct nsi_set nsi_set;

struct nsi_item {
    char *code;
    char guid[37];
    char *name;
};

nsi_set *nsi_set_open(const char *dir);
void nsi_set_free(nsi_set *set);
const char *nsi_set_dir(const nsi_set *set);

/* 1 found (*item set), 0 unknown value, -1 the registry file is missing or
 * broken (err: HCS_EX_CONFIG). */
int nsi_lookup(nsi_set *set, int registry, const char *value, const struct nsi_item **item,
               hcs_err *err);
/* Number of entries of a registry (loads it); -1 on error. */
long nsi_count(nsi_set *set, int registry, hcs_err *err);

#endif
