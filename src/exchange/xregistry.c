/* xregistry — the registry as the exchange uses it: which registry kind
 * an operation's accepted elements fill, and the converter's lookups of
 * local keys (exchange_resolve).  Both declared in exchange.h. */
#include "exchange/exchange_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

const char *exchange_registry_kind(const char *template_name)
{
    static const struct { const char *tmpl, *kind; } kinds[] = {
        { "importAccountData", "account" },
        { "importPaymentDocumentData", "payment_document" },
        { "importPaymentDocumentData-withdraw", "payment_document_withdrawal" },
        { "importMeteringDeviceValues", "metering_value" },
        { "importMeteringDeviceData", "meter" },
    };
    for (size_t i = 0; template_name && i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(kinds[i].tmpl, template_name))
            return kinds[i].kind;
    return NULL;
}

/* "KIND" or "KIND.FIELD": which registry column answers.  The GUID is the
 * default; some requests name an object by its unique number instead (a
 * withdrawal carries the PaymentDocumentID, GIS's UniqueNumber of the
 * document), so the registry keeps both and the template says which. */
static const char *answer_field(const char *kind, char *base, size_t cap)
{
    const char *dot = strrchr(kind, '.');
    size_t n = dot ? (size_t)(dot - kind) : strlen(kind);
    if (n >= cap)
        n = cap - 1;
    memcpy(base, kind, n);
    base[n] = '\0';
    return dot ? dot + 1 : "guid";
}

int exchange_resolve(void *ctx, const char *kind, const char *local_key, char guid[37])
{
    store *st = ctx;
    char base[64];
    const char *field = answer_field(kind, base, sizeof base);
    if (strcmp(field, "guid") && strcmp(field, "unique_number")) {
        log_error("registry lookup %s: unknown field %s (guid or unique_number)", kind, field);
        return -1;
    }
    struct store_registry_entry e = { 0 };
    hcs_err err;
    int rc = store_registry_get(st, base, local_key, &e, &err);
    const char *answer = rc == 1 ? (strcmp(field, "guid") ? e.unique_number : e.guid) : NULL;
    if (rc == 1 && answer && *answer && strlen(answer) < 37) {
        snprintf(guid, 37, "%s", answer);
    } else if (rc == 1) {
        if (answer && *answer)      /* never hand on a cut id */
            log_warn("registry %s %s: %s too long (%zu bytes)", base, local_key, field, strlen(answer));
        rc = 0;
    } else if (rc < 0) {
        log_error("registry lookup %s %s: %s", base, local_key, err.msg);
    }
    store_registry_clear(&e);
    return rc;
}
