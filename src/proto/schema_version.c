/* schema_version — which official schema package paths.schemas_dir holds
 * (for `hcsbatch health`).  The package names its version in two places:
 * changelog.txt, whose newest entry reads "Изменения в форматах данных от
 * версии A до версии B" (B is the package), and the folder it is
 * distributed as (hcs-wsdl-B).  Not every package ships the changelog, so
 * the folder name is the fallback.  lib/hcs-base.xsd carries its own
 * version attribute (the base types' revision, not the package's). */
#include "proto/schema.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fsutil.h"
#include "base/xmlsafe.h"
#include "proto/operations.h"

#define CHANGELOG_MAX (8 * 1024 * 1024)

/* Copies a dotted version number ("12.2.2.15") starting at s; 0 when none. */
static int take_version(const char *s, char *out, size_t outlen)
{
    size_t n = 0;
    while (isdigit((unsigned char)s[n]) || (s[n] == '.' && isdigit((unsigned char)s[n + 1])))
        n++;
    if (n == 0 || !memchr(s, '.', n) || n >= outlen)
        return 0;
    memcpy(out, s, n);
    out[n] = '\0';
    return 1;
}

static int from_changelog(const char *dir, char *out, size_t outlen)
{
    char *path = path_join(dir, "changelog.txt");
    size_t len = 0;
    hcs_err ignored = { 0 };
    char *text = file_exists(path) ? file_read_all(path, CHANGELOG_MAX, &len, &ignored) : NULL;
    free(path);
    if (!text)
        return 0;
    static const char marker[] = "до версии ";
    const char *at = strstr(text, marker);
    int ok = at && take_version(at + strlen(marker), out, outlen);
    free(text);
    return ok;
}

static int from_folder(const char *dir, char *out, size_t outlen)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    size_t start = n;
    while (start > 0 && dir[start - 1] != '/')
        start--;
    for (size_t i = start; i < n; i++)
        if (isdigit((unsigned char)dir[i]) && (i == start || dir[i - 1] == '-'))
            return take_version(dir + i, out, outlen);
    return 0;
}

static void base_version(const char *dir, char *out, size_t outlen)
{
    char *path = path_join(dir, "lib/hcs-base.xsd");
    hcs_err ignored = { 0 };
    xmlDocPtr doc = file_exists(path) ? xmlsafe_parse_file(path, &ignored) : NULL;
    free(path);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    xmlChar *v = root ? xmlGetProp(root, (const xmlChar *)"version") : NULL;
    snprintf(out, outlen, "%s", v ? (const char *)v : "");
    xmlFree(v);
    if (doc)
        xmlFreeDoc(doc);
}

int schema_package_inspect(const char *dir, struct schema_package_info *info, hcs_err *err)
{
    memset(info, 0, sizeof *info);
    schema_set *set = schema_set_open(dir, err);
    if (!set)
        return -1;
    if (from_changelog(dir, info->version, sizeof info->version))
        snprintf(info->version_source, sizeof info->version_source, "changelog.txt");
    else if (from_folder(dir, info->version, sizeof info->version))
        snprintf(info->version_source, sizeof info->version_source, "folder name");
    base_version(dir, info->base_version, sizeof info->base_version);
    /* Every service the operations use must have its types schema (the
     * debt-requests service is looked for in its own package, next to this one). */
    for (size_t i = 0; gis_operation_at(i); i++) {
        const struct gis_service *svc = gis_operation_at(i)->service;
        char *xsd = path_join(schema_set_package(set, svc->package), svc->types_xsd);
        int present = file_exists(xsd);
        free(xsd);
        /* the debt-requests package is optional: only debt.* uses it */
        if (!present && !svc->package && !info->missing[0])
            snprintf(info->missing, sizeof info->missing, "%s", svc->types_xsd);
    }
    schema_set_free(set);
    return 0;
}
