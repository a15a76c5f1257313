/* xregistry — the registry as the exchange uses it: which registry kind
 * an operation's accepted elements fill, and the converter's lookups of
 * local keys (exchange_resolve).  Both declared in exchange.h. */
#include "exchange/exchange_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/attrs.h"
#include "base/log.h"

const char *exchange_registry_kind(const char *template_name)
{
    static const struct { const char *tmpl, *kind; } kinds[] = {
        { "importAccountData", "account" },
        { "importPaymentDocumentData", "payment_document" },
        { "importPaymentDocumentData-withdraw", "payment_document_withdrawal" },
        { "importMeteringDeviceValues", "metering_value" },
        /* payments received, by OrderID: the cancellation names them so */
        { "importNotificationsOfOrderExecution", "payment_notification" },
        { "importNotificationsOfOrderExecutionCancellation", "payment_notification_cancellation" },
        { "importMeteringDeviceData", "meter" },
        /* a changed device: its new version under its (new) serial in the house */
        { "importMeteringDeviceData-update", "meter" },
        /* an archived or replaced device leaves kind meter (xpoll.c) */
        { "importMeteringDeviceData-archive", "meter_archived" },
        { "importMeteringDeviceData-replace", "meter_archived" },
        /* an accepted answer, by subrequestGUID: the workbook drops it at once */
        { "importResponses", "debt_answer" },
        /* "<registry>|<name>" → the element's GUID (unique_number: its
         * code), until the refresh that follows the import replaces it */
        /* the house by its FIAS GUID; its premises, rooms and entrances are
         * parts stored under their own kinds (xpoll.c apply_part) */
        { "importHouseUOData", "house" },
        { "importAdditionalServices", "nsi" },
        { "importMunicipalServices", "nsi" },
        /* by Номер договора / the charter's key: ContractRootGUID, ContractGUID, CharterGUID */
        { "importSupplyResourceContractData", "supply_contract" },
        { "importContractData", "contract" },
        { "importCharterData", "charter" },
    };
    for (size_t i = 0; template_name && i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(kinds[i].tmpl, template_name))
            return kinds[i].kind;
    return NULL;
}

/* A registry entry from an import result or an export: metering devices
 * named by house and serial are stored under the comparison form of the
 * key (the form the exports write, so an update replaces the exported
 * entry instead of adding a twin); an archived device leaves kind meter. */
int x_registry_put(exchange *x, const struct store_registry_entry *e, hcs_err *err)
{
    int meter = !strcmp(e->kind, REG_METER) || !strcmp(e->kind, REG_METER_ARCHIVED);
    const char *bar = strchr(e->local_key, '|');
    if (!meter || !bar)
        return store_registry_put_key(x->st, e, err);
    /* the comparison form lowercases the serial: attrs keep it as written
     * (serial=, for the reports) */
    struct store_registry_entry n = *e;
    strbuf attrs = STRBUF_INIT;
    if (e->attrs)
        sb_adds(&attrs, e->attrs);
    while (attrs.len && attrs.buf[attrs.len - 1] == ';')
        attrs.buf[--attrs.len] = '\0';
    attrs_add(&attrs, "serial", bar + 1);
    n.attrs = (char *)sb_str(&attrs);
    int rc = store_registry_put_key(x->st, &n, err);
    sb_free(&attrs);
    if (rc == 0 && e->guid && !strcmp(e->kind, REG_METER_ARCHIVED))
        rc = store_registry_drop_guid(x->st, REG_METER, e->guid, err);
    return rc;
}

/* "KIND" or "KIND.FIELD" (guid, unique_number, version): the registry
 * keeps both ids because some requests name an object by its unique number
 * (a withdrawal carries the PaymentDocumentID).  Keys compare in their
 * normalized form (store_registry_find). */
int exchange_resolve(void *ctx, const char *kind, const char *local_key, char guid[37])
{
    hcs_err err = { 0 };
    int rc = store_registry_answer(ctx, kind, local_key, guid, &err);
    if (rc < 0)
        log_error("registry lookup %s %s: %s", kind, local_key, err.msg);
    return rc;
}
