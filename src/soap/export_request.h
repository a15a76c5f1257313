/* export_request — the request elements (soap:Body children) of the
 * exports that fill the registry of GIS ids, as text: each carries its
 * namespace declarations, Id="signed-data-container" and base:version, so
 * envelope_begin/envelope_end wrap it as they wrap an import packet.
 * Values are checked before they are written (a GUID, an OGRN, a registry
 * number the schema allows): -1 with HCS_EX_USAGE names the bad one.
 * Pure functions: nothing is sent.  Owned by src/soap/. */
#ifndef HCS_EXPORT_REQUEST_H
#define HCS_EXPORT_REQUEST_H

#include <stddef.h>

#include "base/err.h"
#include "base/strbuf.h"

/* base:version written where the schema fixes none (exportHouseData,
 * exportPaymentDocumentData). */
#define EXPORT_FREE_VERSION "12.2.0.1"

/* exportHouseData: one house (premises, rooms, entrances). */
int export_house_request(strbuf *out, const char *fias_house, hcs_err *err);
/* exportAccountData: every account of a house. */
int export_account_request(strbuf *out, const char *fias_house, hcs_err *err);
/* exportMeteringDeviceData: every device of a house. */
int export_meter_request(strbuf *out, const char *fias_house, hcs_err *err);
/* exportCAChData (exportCAChAsyncRequest) by house: Criteria UOGUID (the
 * managing organisation's orgRootEntityGUID) + FIASHouseGuid. */
int export_cach_house_request(strbuf *out, const char *uo_guid, const char *fias_house, hcs_err *err);
/* exportCAChData by GUID: keys "contract:<ContractGUID>" or
 * "charter:<CharterGUID>", one Criteria each (at most 100, the schema's). */
int export_cach_guid_request(strbuf *out, const char *const *keys, size_t n, hcs_err *err);
/* exportMeteringDeviceHistory (device-metering): the readings of 1..100
 * devices (MeteringDeviceRootGUID) of one house, archived devices included
 * (SerchArchived). */
int export_meter_history_request(strbuf *out, const char *fias_house, const char *const *roots, size_t n,
                                 hcs_err *err);
/* exportNsiItem: a common НСИ registry; list_group "NSI" (NULL) or "NSIRAO". */
int export_nsi_item_request(strbuf *out, int registry, const char *list_group, hcs_err *err);
/* exportDataProviderNsiItem: the organisation's own registry (1, 51, 59,
 * 219, 272, 302, 337 — the schema's list). */
int export_provider_nsi_request(strbuf *out, int registry, hcs_err *err);
/* exportNsiPagingItem: page (from 1) of a common НСИ registry. */
int export_nsi_paging_request(strbuf *out, int registry, const char *list_group, int page, hcs_err *err);
/* exportDataProviderNsiPagingItem: page (from 1) of the organisation's own
 * registry (1, 51, 59, 219, 302, 337 — the schema's list; 272 only unpaged). */
int export_provider_nsi_paging_request(strbuf *out, int registry, int page, hcs_err *err);
/* exportOrgRegistry: 1..100 organisations by OGRN (13 digits) or OGRNIP (15). */
int export_org_request(strbuf *out, const char *const *ogrn, size_t n, hcs_err *err);
/* exportDataProvider: the sender's own data provider record. */
int export_data_provider_request(strbuf *out, hcs_err *err);
/* exportPaymentDocumentData: the documents of one billing month of
 * 1..1000 accounts (AccountGUID). */
int export_payment_documents_request(strbuf *out, int year, int month,
                                     const char *const *account_guids, size_t n, hcs_err *err);
/* exportDebtSubrequests (debt-requests, 14.0.0.0): the subrequests
 * addressed to the organisation whose requests were sent between from and
 * to ("YYYY-MM-DD", at most 6 months apart, as the schema says), answered
 * or not; next_guid (NULL for the first block) is the
 * pagedOutput/nextSubrequestGUID of the previous block (100 a block). */
int export_debt_subrequests_request(strbuf *out, const char *from, const char *to,
                                    const char *next_guid, hcs_err *err);

#endif
