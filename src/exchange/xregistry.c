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
        /* payments received, by OrderID: the cancellation names them so */
        { "importNotificationsOfOrderExecution", "payment_notification" },
        { "importNotificationsOfOrderExecutionCancellation", "payment_notification_cancellation" },
        { "importMeteringDeviceData", "meter" },
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
