/* inbox — the inbox folders (see inbox.h). */
#include "run/inbox.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "base/fsutil.h"
#include "base/xalloc.h"
#include "exchange/lifecycle.h"

const struct inbox_kind inbox_kinds[] = {
    /* houses with their premises, entrances, rooms (one house a request);
     * first, so the registry knows the premises the other forms name */
    { "inbox.houses", "importHouseUOData", { NULL } },
    /* accounts name premises: a house imported the same night first */
    { "inbox.accounts", "importAccountData", { "importHouseUOData", NULL } },
    /* new devices name premises and accounts: after both imports */
    { "inbox.meters", "importMeteringDeviceData", { "importHouseUOData", "importAccountData", NULL } },
    /* readings name devices: a device registered the same night first */
    { "inbox.readings", "importMeteringDeviceValues", { "importMeteringDeviceData", NULL } },
    /* bills reference accounts by number: wait until account imports are answered */
    { "inbox.bills", "importPaymentDocumentData", { "importAccountData", NULL } },
    { "inbox.bills_withdraw", "importPaymentDocumentData-withdraw", { "importPaymentDocumentData", NULL } },
    /* payments received name bills; a cancellation names a notification */
    { "inbox.payments", "importNotificationsOfOrderExecution", { "importPaymentDocumentData", NULL } },
    { "inbox.payments_cancel", "importNotificationsOfOrderExecutionCancellation",
      { "importNotificationsOfOrderExecution", NULL } },
    /* the accountant's answers to debt subrequests (docs/debt-requests.md) */
    { "inbox.debt_responses", "importResponses", { NULL } },
    /* the organisation's dictionaries НСИ 1 and 51 (each import is followed
     * by an export of its dictionary: exchange/xpoll.c) */
    { "inbox.additional_services", "importAdditionalServices", { NULL } },
    { "inbox.municipal_services", "importMunicipalServices", { NULL } },
    /* contracts and charters name houses and НСИ values only */
    { "inbox.supply_contracts", "importSupplyResourceContractData", { NULL } },
    { "inbox.contracts", "importContractData", { NULL } },
    { "inbox.charters", "importCharterData", { NULL } },
    /* changes to devices in GIS: after registrations (a replacement names a
     * device registered in the same run); archiving after the readings, so a
     * device's last reading goes before it is archived */
    { "inbox.meters_update", "importMeteringDeviceData-update", { "importMeteringDeviceData", NULL } },
    { "inbox.meters_replace", "importMeteringDeviceData-replace", { "importMeteringDeviceData", NULL } },
    { "inbox.meters_archive", "importMeteringDeviceData-archive", { "importMeteringDeviceValues", NULL } },
    { NULL, NULL, { NULL } }
};

int inbox_must_wait(store *st, const struct inbox_kind *k, const int *waiting_kind, const char **op,
                    long *packets, hcs_err *err)
{
    long none;
    if (!packets)
        packets = &none;
    *packets = 0;
    for (const char *const *w = k->waits_for; *w; w++) {
        long n = store_packets_count(st, packet_states_pending, *w, err);
        if (n < 0)
            return -1;
        if (n > 0) {
            *op = *w;
            *packets = n;
            return 1;
        }
    }
    for (const struct inbox_kind *d = inbox_kinds; d < k; d++) {
        if (!waiting_kind[d - inbox_kinds])
            continue;
        for (const char *const *w = k->waits_for; *w; w++)
            if (!strncmp(d->template_name, *w, strlen(*w))) {
                *op = *w;
                return 1;
            }
    }
    return 0;
}

size_t inbox_kind_count(void)
{
    size_t n = 0;
    while (inbox_kinds[n].cfg_key)
        n++;
    return n;
}

char *inbox_dir(const hcs_config *cfg, const char *work, const struct inbox_kind *k)
{
    const char *rel = cfg_str(cfg, k->cfg_key);
    if (!rel || !*rel)
        return NULL;
    return rel[0] == '/' ? xstrdup(rel) : path_join(work, rel);
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcasecmp(s + a - b, suffix);
}

int inbox_file_ready(const char *dir, const char *name, long settle_seconds, int64_t now)
{
    if (name[0] == '.' || !strncmp(name, "~$", 2) || has_suffix(name, ".part") || has_suffix(name, ".tmp")
        || has_suffix(name, ".error.txt"))
        return 0;
    char *path = path_join(dir, name);
    struct stat a;
    int ok = stat(path, &a) == 0 && S_ISREG(a.st_mode);
    free(path);
    if (!ok)
        return 0;
    /* A file still being written changes size or mtime: leave it for the next run. */
    if (settle_seconds > 0 && now - (int64_t)a.st_mtime < settle_seconds)
        return 0;
    return 1;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **inbox_list(const char *dir, long settle, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **names = NULL;
    size_t cap = 0;
    int64_t now = (int64_t)time(NULL);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!inbox_file_ready(dir, e->d_name, settle, now))
            continue;
        ARRAY_GROW(names, *n, cap);
        names[(*n)++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (*n)
        qsort(names, *n, sizeof *names, name_cmp);
    return names;
}

long inbox_count(const char *dir, long settle_seconds)
{
    size_t n;
    char **names = inbox_list(dir, settle_seconds, &n);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return (long)n;
}
