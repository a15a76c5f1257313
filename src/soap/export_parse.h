/* export_parse — what the registry learns from an export's getStateResult:
 * one entry per object, handed to a callback as the registry kinds of
 * store/store.h name them (kind, local key parts as GIS wrote them, ids).
 *   exportHouseData           premises (house, number) → PremisesGUID,
 *                             room (house, premises number, room) → LivingRoomGUID,
 *                             entrance (house, number) → EntranceGUID
 *   exportAccountData         account (number) → AccountGUID, UnifiedAccountNumber
 *   exportMeteringDeviceData  meter (serial) → root GUID, version GUID, attrs
 *                             house= and kind=; meter_kind (serial) → onerate |
 *                             electric | volume (MunicipalResourceEnergy →
 *                             electric, ConsumedVolume → volume, else onerate)
 *   exportNsiItem, exportDataProviderNsiItem
 *                             nsi (registry, code) and (registry, name) → GUID,
 *                             unique number = the code (actual elements only)
 *   exportOrgRegistry         org (OGRN or OGRNIP) → orgVersionGUID, attrs root=
 *   exportDataProvider        data_provider (orgRootEntityGUID) → DataProviderGUID
 *   exportPaymentDocumentData payment_document (AccountGuid, number, period
 *                             asked for) → unique number PaymentDocumentID
 *                             (the answer has no account number: the key is
 *                             the account's GUID, as the bills' element key
 *                             of a document imported by GUID)
 *   exportDebtSubrequests     debt_subrequest (subrequestGUID) → itself, attrs
 *                             (base/attrs.h) request_guid number org tel
 *                             address from to status sent deadline response
 *                             has_debt; paging by nextSubrequestGUID
 *   exportCAChData            contract (DocNum) → ContractGUID, charter (Date,
 *                             YYYY-MM-DD) → CharterGUID; version: the version
 *                             GUID, attrs status=
 *   exportNsiPagingItem, exportDataProviderNsiPagingItem
 *                             the same, one page: next_page while CurrentPage <
 *                             TotalPages (the caller asks for page + 1)
 * INT002012 (nothing to export) is an empty answer, not an error; the
 * schema's paging markers are reported: next_page for the НСИ pages, and
 * IsNextPage of exportOrgRegistry (whose request has no Page to ask for:
 * the caller can only log it).  Owned by src/soap/. */
#ifndef HCS_EXPORT_PARSE_H
#define HCS_EXPORT_PARSE_H

#include "base/err.h"
#include "soap/result.h"

struct export_entry {
    const char *kind;
    const char *key[3];       /* local key parts, in the kind's order */
    int nkey;
    const char *guid;         /* the id the key resolves to, or NULL */
    const char *unique_number;
    const char *version;
    const char *update_date;
    const char *attrs;        /* "name=value;…" or NULL */
};
/* Non-zero stops the walk (export_parse returns it). */
typedef int (*export_entry_fn)(void *ctx, const struct export_entry *e);

/* What the request asked, where the answer does not repeat it. */
struct export_context {
    const char *house;        /* exportMeteringDeviceData: FIAS house asked for */
    const char *period;       /* exportPaymentDocumentData: "YYYY-MM" asked for */
};

struct export_summary {
    long entries;             /* entries handed to fn */
    int empty;                /* GIS answered INT002012: nothing to export */
    int next_page;            /* more pages: ask again for the next one */
    char next_guid[40];       /* exportDebtSubrequests: the next block's exportSubrequestGUID */
    int page;                 /* the page answered (НСИ paging exports), 0 = unpaged */
};

/* Walks res (RequestState 3) of operation.  0 = done (sum filled),
 * fn's non-zero value when it stopped the walk, -1 = the request failed
 * as a whole (ErrorMessage other than INT002012: HCS_EX_PROTOCOL with its
 * code and text), is not processed yet (HCS_EX_TEMPFAIL) or the operation
 * is no registry export (HCS_EX_SOFTWARE). */
int export_parse(const char *operation, const struct gis_state_result *res,
                 const struct export_context *cx, export_entry_fn fn, void *ctx,
                 struct export_summary *sum, hcs_err *err);

#endif
