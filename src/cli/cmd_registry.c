/* hcsbatch registry — what the registry of GIS ids knows: every entry (of
 * one kind), or the entries for the local keys given, looked up in their
 * comparison form (base/keynorm.h) as the converter does.  Reads only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"

static const char *const known_kinds[] = {
    "house", REG_PREMISES, REG_ROOM, "entrance", REG_METER, REG_METER_KIND, REG_ACCOUNT, REG_ORG,
    "data_provider", REG_NSI, "nsi_deleted", REG_PAYMENT_DOCUMENT, "payment_notification",
    "payment_notification_cancellation", "supply_contract", "contract", "charter", "debt_subrequest",
    "debt_answer", "metering_value", NULL
};

static void usage(FILE *out)
{
    fputs("usage: hcsbatch [--org NAME]... registry [--kind KIND] [--json] [KEY...]\n\n"
          "Lists what the registry of GIS ids in the state store knows (filled from GIS\n"
          "exports and from import results), or looks up the local keys given: keys\n"
          "compare as the converter compares them (GUID case and braces, spaces, ё/е, «№»,\n"
          "letter case); each entry shows its key as GIS or the input spelt it (JSON:\n"
          "\"key\"; \"local_key\" is the comparison form).  A composite key joins its\n"
          "parts with '|':\n"
          "  premises          <ФИАС дома>|<Номер помещения>\n"
          "  room              <ФИАС дома>|<Номер помещения>|<Номер комнаты>\n"
          "  meter, meter_kind <Заводской номер ПУ>, and <ФИАС дома>|<Заводской номер ПУ>\n"
          "  meter_archived    <ФИАС дома>|<Заводской номер ПУ> (archived or replaced devices)\n"
          "  meter_value       <Идентификатор ПУ ГИС>|<дата>|<вид:ресурс> (sync history)\n"
          "  account           <Номер ЛС>\n"
          "  org               <ОГРН>\n"
          "  nsi               <реестр>|<код или название>\n"
          "  payment_document  <Номер ЛС>|<Номер ПД>|<ГГГГ-ММ>\n"
          "  payment_notification, payment_notification_cancellation\n"
          "                    <Идентификатор платежа> (OrderID)\n\n"
          "Each organisation ([org:NAME]) has its own registry: --org NAME (repeatable)\n"
          "shows those given, by default every one; with several, each line starts\n"
          "with the organisation's name (JSON: \"org\").\n\n"
          "  --kind KIND   only this kind (without it, a KEY is looked up in every kind)\n"
          "  --json        a JSON array of entries instead of text\n\n"
          "Exit codes: 0 ok, 1 some KEY is unknown, 64 usage, 74 state store unreadable.\n", out);
}

struct listing {
    int json;
    long shown;
    const char *org;         /* the organisation whose entries are shown */
    int org_col;             /* several are: name it on each line */
};

static int show_entry(void *ctx, const struct store_registry_entry *e)
{
    struct listing *l = ctx;
    const char *key = e->display_key ? e->display_key : e->local_key;   /* as spelt */
    if (!l->json) {
        if (l->org_col)
            printf("%-12s ", l->org);
        printf("%-16s %s\t%s", e->kind, key, e->guid ? e->guid : "-");
        if (e->unique_number)
            printf("\tномер %s", e->unique_number);
        if (e->version)
            printf("\tверсия %s", e->version);
        if (e->attrs)
            printf("\t%s", e->attrs);
        if (e->last_error)
            printf("\tошибка %s", e->last_error);
        putchar('\n');
    } else {
        const char *names[] = { "org", "kind", "local_key", "key", "guid", "unique_number", "version",
                                "update_date", "last_error", "attrs" };
        const char *values[] = { l->org, e->kind, e->local_key, key, e->guid, e->unique_number, e->version, e->update_date, e->last_error, e->attrs };
        fputs(l->shown ? ",{" : "{", stdout);
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            printf("%s\"%s\":", i ? "," : "", names[i]);
            cli_json_str(values[i]);
        }
        putchar('}');
    }
    l->shown++;
    return 0;
}

/* Looks one key up in one kind or in every known kind: 1 found, 0 not, -1 error. */
static int look_up(store *st, const char *kind, const char *key, struct listing *l, hcs_err *err)
{
    int found = 0;
    for (const char *const *k = kind ? (const char *const[]){ kind, NULL } : known_kinds; *k; k++) {
        struct store_registry_entry e = { 0 };
        int rc = store_registry_find(st, *k, key, &e, err);
        if (rc < 0)
            return -1;
        if (rc == 1) {
            show_entry(l, &e);
            found = 1;
        }
        store_registry_clear(&e);
    }
    if (!found && !l->json && l->org_col)
        printf("%-12s ", l->org);
    if (!found && !l->json)
        printf("%-16s %s\tне найдено\n", kind ? kind : "-", key);
    return found;
}

CLI_COMMAND(registry)
{
    const char *kind = NULL;
    struct listing l = { 0 };
    int first_key = argc;
    for (int i = 1; i < argc && first_key == argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--json")) {
            l.json = 1;
        } else if (!strcmp(argv[i], "--kind") && i + 1 < argc) {
            kind = argv[++i];
        } else if (!strcmp(argv[i], "--")) {
            first_key = i + 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage_error("registry", "unknown argument '%s'", argv[i]);
        } else {
            first_key = i;
        }
    }
    hcs_err err = { 0 };
    store *st = store_open(cli->cfg, &err);
    if (!st)
        return cli_fail(&err);
    int rc = 0, missing = 0, n;
    const char **orgs = cli_orgs(cli, &n);
    l.org_col = n > 1;
    if (l.json)
        putchar('[');
    for (int o = 0; o < n && rc >= 0; o++) {
        if (cli->norgs != 1)   /* one --org: the view's store is that organisation's already */
            store_set_org(st, orgs[o]);
        l.org = store_org(st);
        if (first_key >= argc)
            rc = store_registry_list(st, kind, show_entry, &l, &err);
        for (int i = first_key; i < argc && rc >= 0; i++) {
            rc = look_up(st, kind, argv[i], &l, &err);
            missing |= rc == 0;
        }
    }
    if (l.json)
        puts("]");
    free(orgs);
    store_close(st);
    if (rc < 0)
        return cli_fail(&err);
    return missing ? HCS_EX_FAIL : HCS_OK;
}
