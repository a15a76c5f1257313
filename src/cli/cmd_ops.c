/* hcsbatch ops — every operation hcsbatch ships (src/proto/operations.c):
 * its service, element limit, the inbox folder and templates that feed it,
 * and the schema package its service validates against. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "proto/operations.h"
#include "run/inbox.h"

static void usage(FILE *out)
{
    fputs("usage: hcsbatch ops [--json]\n\n"
          "Lists every operation hcsbatch knows: service, element limit (the schema's\n"
          "maxOccurs of the repeating element), the inbox folder and templates that feed\n"
          "it, and the official schema package it is validated against (12.2.2.15, or\n"
          "14.5.0.1 for the debt-requests service: paths.debt_schemas_dir).\n\n"
          "  --json        a JSON array of operations instead of text\n\n"
          "Exit codes: 0 ok, 64 usage.\n", out);
}

struct shipped {                 /* a template folder and the operation it sends */
    char *name;
    const struct gis_operation *op;
};

/* The operation a map.ini's [template] section names, or NULL. */
static const struct gis_operation *map_operation(const char *map)
{
    FILE *f = fopen(map, "r");
    char line[512], name[128];
    const struct gis_operation *op = NULL;
    while (f && !op && fgets(line, sizeof line, f))
        if (sscanf(line, " operation = %127[A-Za-z]", name) == 1)
            op = gis_operation_find(name);
    if (f)
        fclose(f);
    return op;
}

/* The templates under paths.templates_dir (folders whose map.ini names a known operation). */
static struct shipped *load_templates(const hcs_config *cfg, size_t *n)
{
    struct shipped *v = NULL;
    size_t cap = 0;
    *n = 0;
    char *dir = cfg_path(cfg, "paths.templates_dir");
    DIR *d = dir ? opendir(dir) : NULL;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char *tdir = path_join(dir, e->d_name), *map = path_join(tdir, "map.ini");
        const struct gis_operation *op = map_operation(map);
        if (op) {
            ARRAY_GROW(v, *n, cap);
            v[(*n)++] = (struct shipped){ xstrdup(e->d_name), op };
        }
        free(map);
        free(tdir);
    }
    if (d)
        closedir(d);
    free(dir);
    return v;
}

/* The inbox folders (config value) and template names feeding op, comma-joined. */
static void feeders(const hcs_config *cfg, const struct gis_operation *op, const struct shipped *t,
                    size_t nt, strbuf *folders, strbuf *templates)
{
    for (size_t i = 0; i < nt; i++) {
        if (t[i].op != op)
            continue;
        sb_addf(templates, "%s%s", templates->len ? "," : "", t[i].name);
        for (const struct inbox_kind *k = inbox_kinds; k->cfg_key; k++) {
            const char *rel = cfg_str(cfg, k->cfg_key);
            if (!strcmp(k->template_name, t[i].name) && rel && *rel)
                sb_addf(folders, "%s%s", folders->len ? "," : "", rel);
        }
    }
}

CLI_COMMAND(ops)
{
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else {
            return cli_usage_error("ops", "unknown argument '%s'", argv[i]);
        }
    }
    size_t nt;
    struct shipped *t = load_templates(cli->cfg, &nt);
    strbuf folders = STRBUF_INIT, templates = STRBUF_INIT;
    if (json)
        putchar('[');
    else
        printf("%-47s %-30s %-6s %-9s %-24s %s\n", "OPERATION", "SERVICE", "LIMIT", "PACKAGE",
               "INBOX", "TEMPLATES");
    const struct gis_operation *op;
    for (size_t i = 0; (op = gis_operation_at(i)); i++) {
        sb_reset(&folders);
        sb_reset(&templates);
        feeders(cli->cfg, op, t, nt, &folders, &templates);
        const char *pkg = op->service->package ? op->service->package : PKG_MAIN;
        if (json) {
            printf("%s{\"operation\":", i ? "," : "");
            cli_json_str(op->name);
            fputs(",\"service\":", stdout);
            cli_json_str(op->service->name);
            fputs(",\"request_element\":", stdout);
            cli_json_str(op->request_element);
            printf(",\"element_limit\":%d,\"limited_element\":", op->element_limit);
            cli_json_str(op->limited_element);
            fputs(",\"package\":", stdout);
            cli_json_str(pkg);
            fputs(",\"inbox\":", stdout);
            cli_json_str(folders.len ? sb_str(&folders) : NULL);
            fputs(",\"templates\":", stdout);
            cli_json_str(templates.len ? sb_str(&templates) : NULL);
            putchar('}');
        } else {
            char limit[16] = "-";
            if (op->element_limit)
                snprintf(limit, sizeof limit, "%d", op->element_limit);
            printf("%-47s %-30s %-6s %-9s %-24s %s\n", op->name, op->service->name, limit, pkg,
                   folders.len ? sb_str(&folders) : "-", templates.len ? sb_str(&templates) : "-");
        }
    }
    if (json)
        puts("]");
    sb_free(&folders);
    sb_free(&templates);
    for (size_t i = 0; i < nt; i++)
        free(t[i].name);
    free(t);
    return 0;
}
