/* The operation table: every asynchronous GIS operation hcsbatch knows,
 * read off the official WSDL/XSD package (shared/gis/operations.tsv).
 * Generated once from that file and kept by hand since. */
#include "proto/operations.h"

#include <string.h>

#define NS "http://dom.gosuslugi.ru/schema/integration/"

static const struct gis_service services[] = {
    { "nsi-common", NS "nsi-common/", "ext-bus-nsi-common-service/services/NsiCommonAsync", "nsi-common/hcs-nsi-common-types.xsd", "10.0.1.2", HDR_IS, NULL },
    { "nsi", NS "nsi/", "ext-bus-nsi-service/services/NsiAsync", "nsi/hcs-nsi-types.xsd", "10.0.1.2", HDR_REQUEST, NULL },
    { "organizations-registry-common", NS "organizations-registry-common/", "ext-bus-org-registry-common-service/services/OrgRegistryCommonAsync", "organizations-registry-common/hcs-organizations-registry-common-types.xsd", "10.0.2.1", HDR_IS, NULL },
    { "house-management", NS "house-management/", "ext-bus-home-management-service/services/HomeManagementAsync", "house-management/hcs-house-management-types.xsd", "11.0.0.1", HDR_REQUEST, NULL },
    { "device-metering", NS "device-metering/", "ext-bus-device-metering-service/services/DeviceMeteringAsync", "device-metering/hcs-device-metering-types.xsd", "10.0.1.1", HDR_REQUEST, NULL },
    { "bills", NS "bills/", "ext-bus-bills-service/services/BillsAsync/", "bills/hcs-bills-types.xsd", "10.0.1.1", HDR_REQUEST, NULL },
    { "payment", NS "payment/", "ext-bus-payment-service/services/PaymentAsync", "payment/hcs-payment-types.xsd", "10.0.1.1", HDR_REQUEST, NULL },
    /* The debt-requests service exists only in the 14.5.0.1 package. */
    { "debt-requests", NS "drs/", "ext-bus-debtreq-service/services/DebtRequestsAsync", "debt-requests/hcs-debt-requests-types.xsd", "14.0.0.0", HDR_REQUEST, PKG_DEBT },
    { NULL, NULL, NULL, NULL, NULL, 0, NULL }
};

static const struct gis_operation operations[] = {
    { "exportNsiList", &services[0], "urn:exportNsiList", "exportNsiListRequest", "10.0.1.2", HDR_IS, 0, NULL },
    { "exportNsiItem", &services[0], "urn:exportNsiItem", "exportNsiItemRequest", "10.0.1.2", HDR_IS, 0, NULL },
    { "exportDataProviderNsiItem", &services[1], "urn:exportDataProviderNsiItem", "exportDataProviderNsiItemRequest", "10.0.1.2", HDR_REQUEST, 0, NULL },
    { "exportNsiPagingItem", &services[0], "urn:exportNsiPagingItem", "exportNsiPagingItemRequest", "10.0.1.2", HDR_IS, 0, NULL },
    /* the WSDL's soapAction really is "…PagingNsiItem" for this one */
    { "exportDataProviderNsiPagingItem", &services[1], "urn:exportDataProviderPagingNsiItem", "exportDataProviderNsiPagingItemRequest", "11.1.0.5", HDR_REQUEST, 0, NULL },
    { "exportOrgRegistry", &services[2], "urn:exportOrgRegistry", "exportOrgRegistryRequest", "10.0.2.1", HDR_IS, 100, "SearchCriteria" },
    { "exportDataProvider", &services[2], "urn:exportDataProvider", "exportDataProviderRequest", "10.0.2.1", HDR_IS, 0, NULL },
    { "exportHouseData", &services[3], "urn:exportHouseData", "exportHouseRequest", NULL, HDR_REQUEST, 0, NULL },
    /* one house a request: ApartmentHouse | LivingHouse, once */
    { "importHouseUOData", &services[3], "urn:importHouseUOData", "importHouseUORequest", "11.0.10.1", HDR_REQUEST, 1, "ApartmentHouse" },
    { "importAccountData", &services[3], "urn:importAccountData", "importAccountRequest", "10.0.1.1", HDR_REQUEST, 100, "Account" },
    { "exportAccountData", &services[3], "urn:exportAccountData", "exportAccountRequest", "10.0.1.1", HDR_REQUEST, 0, NULL },
    { "importMeteringDeviceData", &services[3], "urn:importMeteringDeviceData", "importMeteringDeviceDataRequest", "11.1.0.8", HDR_REQUEST, 100, "MeteringDevice" },
    { "exportMeteringDeviceData", &services[3], "urn:exportMeteringDeviceData", "exportMeteringDeviceDataRequest", "11.1.0.2", HDR_REQUEST, 0, NULL },
    { "importMeteringDeviceValues", &services[4], "urn:importMeteringDeviceValues", "importMeteringDeviceValuesRequest", "10.0.1.1", HDR_REQUEST, 1000, "MeteringDevicesValues" },
    { "exportMeteringDeviceHistory", &services[4], "urn:exportMeteringDeviceHistory", "exportMeteringDeviceHistoryRequest", "10.0.1.1", HDR_REQUEST, 0, NULL },
    { "importPaymentDocumentData", &services[5], "urn:importPaymentDocumentData", "importPaymentDocumentRequest", "11.2.0.16", HDR_REQUEST, 500, "PaymentDocument" },
    { "exportPaymentDocumentData", &services[5], "urn:exportPaymentDocumentData", "exportPaymentDocumentRequest", NULL, HDR_REQUEST, 0, NULL },
    /* one charter per request: TransportGUID beside PlacingCharter */
    { "importCharterData", &services[3], "urn:importCharterData", "importCharterRequest", "11.9.0.1", HDR_REQUEST, 1, "PlacingCharter" },
    { "exportCAChData", &services[3], "urn:exportCAChData", "exportCAChAsyncRequest", "10.0.1.1", HDR_REQUEST, 0, NULL },
    { "importContractData", &services[3], "urn:importContractData", "importContractRequest", "11.9.0.1", HDR_REQUEST, 100, "Contract" },
    { "importSupplyResourceContractData", &services[3], "urn:importSupplyResourceContractData", "importSupplyResourceContractRequest", "11.3.0.5", HDR_REQUEST, 1000, "Contract" },
    /* each of the three forms (Import…, Recover…, Delete…) at most 1000 */
    { "importAdditionalServices", &services[1], "urn:importAdditionalServices", "importAdditionalServicesRequest", "10.0.1.2", HDR_REQUEST, 1000, "ImportAdditionalServiceType" },
    { "importMunicipalServices", &services[1], "urn:importMunicipalServices", "importMunicipalServicesRequest", "11.0.0.4", HDR_REQUEST, 1000, "ImportMainMunicipalService" },
    { "importNotificationsOfOrderExecution", &services[6], "urn:importNotificationsOfOrderExecution", "importNotificationsOfOrderExecutionRequest", "10.0.1.1", HDR_REQUEST, 500, "NotificationOfOrderExecutionType" },
    /* its own WSDL operation: cancels notifications by OrderID */
    { "importNotificationsOfOrderExecutionCancellation", &services[6], "urn:importNotificationsOfOrderExecutionCancellation", "importNotificationsOfOrderExecutionCancellationRequest", "10.0.1.1", HDR_REQUEST, 500, "NotificationOfOrderExecutionCancellation" },
    /* Answers to the debt subrequests of social-protection bodies: the
     * WSDL's names (exportDebtSubrequests, importResponses).
     * exportDSRsRequest fixes no version (13.1.10.1 and 14.0.0.0 are
     * allowed: export_request writes the service's 14.0.0.0);
     * importDSRResponsesRequest fixes 14.0.0.0. */
    { "exportDebtSubrequests", &services[7], "urn:exportDebtSubrequests", "exportDSRsRequest", NULL, HDR_REQUEST, 0, NULL },
    { "importResponses", &services[7], "urn:importResponses", "importDSRResponsesRequest", "14.0.0.0", HDR_REQUEST, 100, "action" },
    { NULL, NULL, NULL, NULL, NULL, 0, 0, NULL }
};

const struct gis_operation *gis_operation_find(const char *name)
{
    for (const struct gis_operation *op = operations; op->name; op++)
        if (strcmp(op->name, name) == 0)
            return op;
    return NULL;
}

const struct gis_operation *gis_operation_by_element(const char *ns, const char *element)
{
    for (const struct gis_operation *op = operations; op->name; op++)
        if (strcmp(op->request_element, element) == 0 && strcmp(op->service->ns, ns) == 0)
            return op;
    return NULL;
}

const struct gis_operation *gis_operation_at(size_t i)
{
    return i < sizeof operations / sizeof operations[0] - 1 ? &operations[i] : NULL;
}

const struct gis_service *gis_service_find(const char *name)
{
    for (const struct gis_service *s = services; s->name; s++)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

const struct gis_service *gis_service_by_path(const char *path)
{
    size_t n = strlen(path);
    while (n && path[n - 1] == '/')
        n--;
    for (const struct gis_service *s = services; s->name; s++) {
        size_t m = strlen(s->endpoint_path);
        while (m && s->endpoint_path[m - 1] == '/')
            m--;
        if (m == n && strncmp(s->endpoint_path, path, n) == 0)
            return s;
    }
    return NULL;
}

const struct gis_service *gis_service_by_ns(const char *ns)
{
    for (const struct gis_service *s = services; s->name; s++)
        if (strcmp(s->ns, ns) == 0)
            return s;
    return NULL;
}
