/* prereq — the latest import of an object a row names (prereq.h). */
#include "run/prereq.h"

#include <stdio.h>
#include <string.h>

/* Kinds our own imports fill, with the Russian name of the object. */
static const struct {
    const char *kind, *operation, *what;
} prerequisites[] = {
    { REG_ACCOUNT, "importAccountData", "лицевой счёт" },
};

static const char *ended_how(const struct store_last_import *li)
{
    if (!strcmp(li->state, "cancelled"))
        return "пакет отменён";
    if (!strcmp(li->state, "error"))
        return "ГИС отклонила его";
    return "пакет не принят ГИС";
}

int prereq_held(store *st, const char *kind, const char *local_key, char *why, size_t whylen, hcs_err *err)
{
    size_t klen = strcspn(kind, ".");
    for (size_t i = 0; i < sizeof prerequisites / sizeof prerequisites[0]; i++) {
        if (strlen(prerequisites[i].kind) != klen || strncmp(prerequisites[i].kind, kind, klen))
            continue;
        struct store_last_import li;
        int found = store_element_last_import(st, prerequisites[i].operation, local_key, &li, err);
        if (found <= 0)
            return found;
        int held = li.state && (!strcmp(li.state, "failed") || !strcmp(li.state, "error")
                                || !strcmp(li.state, "cancelled"));
        if (held)
            snprintf(why, whylen,
                     "%s %s не загружен в ГИС — его загрузка не удалась (%s): пакет № %lld, файл «%s»%s%s%s%s; "
                     "строка не отправлена. Исправьте и загрузите %s, затем отправьте строку снова",
                     prerequisites[i].what, local_key, ended_how(&li), (long long)li.packet_id,
                     li.file_name ? li.file_name : "?", li.error_code || li.error_text ? ": " : "",
                     li.error_code ? li.error_code : "", li.error_code && li.error_text ? " " : "",
                     li.error_text ? li.error_text : "", prerequisites[i].what);
        store_last_import_clear(&li);
        return held;
    }
    return 0;
}
