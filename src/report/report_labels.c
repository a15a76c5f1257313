/* report_labels — outcome labels (Russian for people, ASCII for machines)
 * and our codes for pre-send rejection reasons, so the hints table can have
 * a line for "bad date" as well as for INT002012. */
#include "report/report.h"

#include <string.h>
#include <strings.h>

static const char *const labels[REPORT_OUTCOME_COUNT] = {
    "принято", "ошибка", "ожидает ответа ГИС", "отложено", "отклонено до отправки", "отправлено",
};
static const char *const names[REPORT_OUTCOME_COUNT] = {
    "accepted", "failed", "pending", "deferred", "rejected", "sent",
};

const char *report_outcome_label(enum report_outcome o)
{
    return (unsigned)o < REPORT_OUTCOME_COUNT ? labels[o] : "?";
}

const char *report_outcome_name(enum report_outcome o)
{
    return (unsigned)o < REPORT_OUTCOME_COUNT ? names[o] : "unknown";
}

int report_outcome_needs_action(enum report_outcome o)
{
    return o == REPORT_FAILED || o == REPORT_REJECTED;
}

/* Case-insensitive for ASCII only (strcasestr works on bytes), so the
 * Russian stems are listed in both cases. */
static int mentions(const char *text, const char *const *words)
{
    for (; *words; words++)
        if (strcasestr(text, *words))
            return 1;
    return 0;
}

const char *report_reason_code(const char *reason)
{
    static const char *const prereq_w[] = { "его загрузка не удалась", NULL };
    static const char *const element_w[] = { "вместе со всем элементом", "with its element", "whole element", NULL };
    static const char *const schema_w[] = { "схем", "Схем", "schema", NULL };
    static const char *const file_w[] = { "file", "файл", "Файл", "header", "заголов", "Заголов", "encoding", "кодиров", NULL };
    static const char *const dup_w[] = { "duplicate", "повтор", "Повтор", "дублир", "Дублир", NULL };
    static const char *const nsi_w[] = { "справочник", "Справочник", "НСИ", "dictionary", "nsi", NULL };
    static const char *const key_w[] = { "unknown", "not found", "не найден", "Не найден", "неизвест", "Неизвест",
                                         "нет идентификатора", "Нет идентификатора", "registry", "no GIS id", NULL };
    static const char *const req_w[] = { "missing", "required", "empty", "обязател", "Обязател", "пуст", "Пуст",
                                         "не заполн", "Не заполн", NULL };
    static const char *const period_w[] = { "period", "период", "Период", NULL };
    static const char *const date_w[] = { "date", "дат", "Дат", NULL };
    static const char *const num_w[] = { "number", "numeric", "decimal", "amount", "числ", "Числ", "сумм", "Сумм", NULL };
    static const char *const len_w[] = { "too long", "length", "длин", "Длин", NULL };
    static const struct { const char *const *words; const char *code; } rules[] = {
        /* Most specific first: "missing date" is a missing value, and a row
         * rejected because its element had a bad row names that row. */
        { prereq_w, "HCS-PREREQUISITE" },
        { element_w, "HCS-ELEMENT" }, { schema_w, "HCS-SCHEMA" }, { req_w, "HCS-REQUIRED" },
        { dup_w, "HCS-DUPLICATE" }, { nsi_w, "HCS-NSI" }, { key_w, "HCS-UNKNOWN-KEY" },
        { period_w, "HCS-PERIOD" }, { date_w, "HCS-DATE" }, { num_w, "HCS-NUMBER" },
        { len_w, "HCS-LENGTH" }, { file_w, "HCS-FILE" },
    };
    if (!reason || !*reason)
        return "HCS-VALUE";
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (mentions(reason, rules[i].words))
            return rules[i].code;
    return "HCS-VALUE";
}
