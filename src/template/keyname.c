/* keyname — how an unknown local key is named to the accountant: the
 * registry kind and its key parts as a Russian phrase («помещение 999 не
 * найдено в доме …»).  Only src/template/ uses it (tmpl_internal.h). */
#include "template/tmpl_internal.h"

#include <stdio.h>
#include <string.h>

/* $1..$3 stand for the key parts in [resolve] order. */
static const struct { const char *kind, *phrase; } phrases[] = {
    { "premises", "помещение $2 не найдено в доме $1" },
    { "room", "комната $3 помещения $2 не найдена в доме $1" },
    { "meter", "прибор учёта с заводским номером $1 не найден" },
    { "meter_kind", "тип прибора учёта $1 неизвестен" },
    { "account", "лицевой счёт $1 не найден" },
    { "org", "организация с ОГРН $1 не найдена" },
    { "payment_document", "платёжный документ $2 по ЛС $1 за $3 не найден" },
    { "payment_notification", "извещение об оплате $1 не найдено (не отправлялось или не принято ГИС)" },
    { "nsi", "значение $2 справочника НСИ $1 не найдено" },
};

void tmpl_key_phrase(const char *kind, const char *const *parts, int nparts, strbuf *out)
{
    size_t base = strcspn(kind, ".");
    const char *phrase = NULL;
    for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++)
        if (strlen(phrases[i].kind) == base && !strncmp(phrases[i].kind, kind, base))
            phrase = phrases[i].phrase;
    if (!phrase) {
        sb_addf(out, "%s «", kind);
        for (int q = 0; q < nparts; q++)
            sb_addf(out, "%s%s", q ? " | " : "", parts[q]);
        sb_adds(out, "» не найден");
        return;
    }
    for (const char *p = phrase; *p; p++) {
        int q = p[0] == '$' && p[1] >= '1' && p[1] <= '9' ? p[1] - '1' : -1;
        if (q < 0) {
            sb_addc(out, *p);
            continue;
        }
        sb_adds(out, q < nparts ? parts[q] : "?");
        p++;
    }
}
