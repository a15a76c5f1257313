/* export_request — see export_request.h. */
#include "soap/export_request.h"

#include <stdio.h>
#include <string.h>

#include "base/guid.h"
#include "proto/operations.h"

#define NS_NSI_BASE "http://dom.gosuslugi.ru/schema/integration/nsi-base/"
#define NS_ORG_BASE "http://dom.gosuslugi.ru/schema/integration/organizations-base/"

/* Writes the opening tag of op's request element (prefix "s" for the
 * service namespace); extra_ns: more declarations or "". */
static int open_request(strbuf *out, const char *operation, const char *extra_ns, hcs_err *err)
{
    const struct gis_operation *op = gis_operation_find(operation);
    if (!op)
        return hcs_fail(err, HCS_EX_SOFTWARE, "unknown operation %s", operation);
    sb_addf(out, "<s:%s xmlns:s=\"%s\" xmlns:base=\"%s\"%s Id=\"signed-data-container\""
                 " base:version=\"%s\">", op->request_element, op->service->ns, NS_BASE,
            extra_ns, op->version ? op->version
                      : op->service->package ? op->service->result_version   /* 14.0.0.0 */
                                             : EXPORT_FREE_VERSION);
    return 0;
}

static void close_request(strbuf *out, const char *operation)
{
    sb_addf(out, "</s:%s>", gis_operation_find(operation)->request_element);
}

static int house_guid(const char *in, char out[GUID_STRLEN + 1], hcs_err *err)
{
    if (!in || guid_normalize(in, out) != 0)
        return hcs_fail(err, HCS_EX_USAGE, "not a FIAS house GUID: %s", in ? in : "(none)");
    return 0;
}

/* The three house-management exports by one house differ only in name. */
static int by_house(strbuf *out, const char *operation, const char *fias, hcs_err *err)
{
    char g[GUID_STRLEN + 1];
    if (house_guid(fias, g, err) < 0 || open_request(out, operation, "", err) < 0)
        return -1;
    sb_addf(out, "<s:FIASHouseGuid>%s</s:FIASHouseGuid>", g);
    close_request(out, operation);
    return 0;
}

int export_house_request(strbuf *out, const char *fias_house, hcs_err *err)
{
    return by_house(out, "exportHouseData", fias_house, err);
}

int export_account_request(strbuf *out, const char *fias_house, hcs_err *err)
{
    return by_house(out, "exportAccountData", fias_house, err);
}

int export_meter_request(strbuf *out, const char *fias_house, hcs_err *err)
{
    return by_house(out, "exportMeteringDeviceData", fias_house, err);
}

int export_cach_house_request(strbuf *out, const char *uo_guid, const char *fias_house, hcs_err *err)
{
    char h[GUID_STRLEN + 1], uo[GUID_STRLEN + 1];
    if (house_guid(fias_house, h, err) < 0)
        return -1;
    if (!uo_guid || guid_normalize(uo_guid, uo) != 0)
        return hcs_fail(err, HCS_EX_CONFIG, "exportCAChData by house needs gis.org_root_guid (the "
                                            "organisation's orgRootEntityGUID), not \"%s\"",
                        uo_guid ? uo_guid : "");
    if (open_request(out, "exportCAChData", "", err) < 0)
        return -1;
    sb_addf(out, "<s:Criteria><s:UOGUID>%s</s:UOGUID><s:FIASHouseGuid>%s</s:FIASHouseGuid>"
                 "<s:LastVersionOnly>true</s:LastVersionOnly></s:Criteria>", uo, h);
    close_request(out, "exportCAChData");
    return 0;
}

int export_cach_guid_request(strbuf *out, const char *const *keys, size_t n, hcs_err *err)
{
    if (n < 1 || n > 100)
        return hcs_fail(err, HCS_EX_USAGE, "exportCAChData asks 1 to 100 documents, not %zu", n);
    if (open_request(out, "exportCAChData", "", err) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int charter = !strncmp(keys[i], "charter:", 8);
        const char *colon = strchr(keys[i], ':');
        char g[GUID_STRLEN + 1];
        if (!colon || guid_normalize(colon + 1, g) != 0)
            return hcs_fail(err, HCS_EX_USAGE, "not a contract or charter GUID: %s", keys[i]);
        sb_addf(out, "<s:Criteria><s:%s>%s</s:%s></s:Criteria>", charter ? "CharterGUID" : "ContractGUID", g,
                charter ? "CharterGUID" : "ContractGUID");
    }
    close_request(out, "exportCAChData");
    return 0;
}

int export_meter_history_request(strbuf *out, const char *fias_house, const char *const *roots, size_t n,
                                 hcs_err *err)
{
    char g[GUID_STRLEN + 1], r[GUID_STRLEN + 1];
    if (n < 1 || n > 100)
        return hcs_fail(err, HCS_EX_USAGE, "exportMeteringDeviceHistory takes 1 to 100 devices, not %zu", n);
    if (house_guid(fias_house, g, err) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!roots[i] || guid_normalize(roots[i], r) != 0)
            return hcs_fail(err, HCS_EX_USAGE, "not a metering device GUID: %s", roots[i] ? roots[i] : "(none)");
    if (open_request(out, "exportMeteringDeviceHistory", "", err) < 0)
        return -1;
    sb_addf(out, "<s:FIASHouseGuid>%s</s:FIASHouseGuid>", g);
    for (size_t i = 0; i < n; i++) {
        guid_normalize(roots[i], r);
        sb_addf(out, "<s:MeteringDeviceRootGUID>%s</s:MeteringDeviceRootGUID>", r);
    }
    sb_adds(out, "<s:SerchArchived>true</s:SerchArchived>");
    close_request(out, "exportMeteringDeviceHistory");
    return 0;
}

int export_nsi_item_request(strbuf *out, int registry, const char *list_group, hcs_err *err)
{
    if (!list_group)
        list_group = "NSI";
    if (registry < 1 || (strcmp(list_group, "NSI") && strcmp(list_group, "NSIRAO")))
        return hcs_fail(err, HCS_EX_USAGE, "НСИ registry %d of group %s cannot be exported",
                        registry, list_group);
    if (open_request(out, "exportNsiItem", " xmlns:nsi-base=\"" NS_NSI_BASE "\"", err) < 0)
        return -1;
    sb_addf(out, "<s:RegistryNumber>%d</s:RegistryNumber><nsi-base:ListGroup>%s</nsi-base:ListGroup>",
            registry, list_group);
    close_request(out, "exportNsiItem");
    return 0;
}

int export_provider_nsi_request(strbuf *out, int registry, hcs_err *err)
{
    static const int allowed[] = { 1, 51, 59, 219, 272, 302, 337 };
    size_t i = 0;
    while (i < sizeof allowed / sizeof allowed[0] && allowed[i] != registry)
        i++;
    if (i == sizeof allowed / sizeof allowed[0])
        return hcs_fail(err, HCS_EX_USAGE, "НСИ registry %d is not an organisation's own registry"
                        " (1, 51, 59, 219, 272, 302, 337)", registry);
    if (open_request(out, "exportDataProviderNsiItem", "", err) < 0)
        return -1;
    sb_addf(out, "<s:RegistryNumber>%d</s:RegistryNumber>", registry);
    close_request(out, "exportDataProviderNsiItem");
    return 0;
}

int export_nsi_paging_request(strbuf *out, int registry, const char *list_group, int page, hcs_err *err)
{
    if (!list_group)
        list_group = "NSI";
    if (registry < 1 || page < 1 || (strcmp(list_group, "NSI") && strcmp(list_group, "NSIRAO")))
        return hcs_fail(err, HCS_EX_USAGE, "НСИ registry %d of group %s, page %d cannot be exported",
                        registry, list_group, page);
    if (open_request(out, "exportNsiPagingItem", " xmlns:nsi-base=\"" NS_NSI_BASE "\"", err) < 0)
        return -1;
    sb_addf(out, "<s:RegistryNumber>%d</s:RegistryNumber><nsi-base:ListGroup>%s</nsi-base:ListGroup>"
                 "<s:Page>%d</s:Page>", registry, list_group, page);
    close_request(out, "exportNsiPagingItem");
    return 0;
}

int export_provider_nsi_paging_request(strbuf *out, int registry, int page, hcs_err *err)
{
    static const int allowed[] = { 1, 51, 59, 219, 302, 337 };
    size_t i = 0;
    while (i < sizeof allowed / sizeof allowed[0] && allowed[i] != registry)
        i++;
    if (i == sizeof allowed / sizeof allowed[0] || page < 1)
        return hcs_fail(err, HCS_EX_USAGE, "НСИ registry %d cannot be exported by pages"
                        " (1, 51, 59, 219, 302, 337)", registry);
    if (open_request(out, "exportDataProviderNsiPagingItem", "", err) < 0)
        return -1;
    sb_addf(out, "<s:RegistryNumber>%d</s:RegistryNumber><s:Page>%d</s:Page>", registry, page);
    close_request(out, "exportDataProviderNsiPagingItem");
    return 0;
}

static int all_digits(const char *s, size_t n)
{
    return s && strlen(s) == n && strspn(s, "0123456789") == n;
}

int export_org_request(strbuf *out, const char *const *ogrn, size_t n, hcs_err *err)
{
    if (n < 1 || n > 100)
        return hcs_fail(err, HCS_EX_USAGE, "exportOrgRegistry takes 1 to 100 OGRNs, not %zu", n);
    for (size_t i = 0; i < n; i++)
        if (!all_digits(ogrn[i], 13) && !all_digits(ogrn[i], 15))
            return hcs_fail(err, HCS_EX_USAGE, "not an OGRN (13 digits) or OGRNIP (15): %s",
                            ogrn[i] ? ogrn[i] : "(none)");
    if (open_request(out, "exportOrgRegistry", " xmlns:orgb=\"" NS_ORG_BASE "\"", err) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const char *el = strlen(ogrn[i]) == 13 ? "OGRN" : "OGRNIP";
        sb_addf(out, "<s:SearchCriteria><orgb:%s>%s</orgb:%s></s:SearchCriteria>", el, ogrn[i], el);
    }
    close_request(out, "exportOrgRegistry");
    return 0;
}

int export_data_provider_request(strbuf *out, hcs_err *err)
{
    if (open_request(out, "exportDataProvider", "", err) < 0)
        return -1;
    close_request(out, "exportDataProvider");
    return 0;
}

int export_payment_documents_request(strbuf *out, int year, int month,
                                     const char *const *account_guids, size_t n, hcs_err *err)
{
    if (year < 1992 || year > 2099 || month < 1 || month > 12)
        return hcs_fail(err, HCS_EX_USAGE, "not a billing month: %04d-%02d", year, month);
    if (n < 1 || n > 1000)
        return hcs_fail(err, HCS_EX_USAGE, "exportPaymentDocumentData takes 1 to 1000 accounts, not %zu", n);
    strbuf ids = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        char g[GUID_STRLEN + 1];
        if (!account_guids[i] || guid_normalize(account_guids[i], g) != 0) {
            sb_free(&ids);
            return hcs_fail(err, HCS_EX_USAGE, "not an account GUID: %s",
                            account_guids[i] ? account_guids[i] : "(none)");
        }
        sb_addf(&ids, "<s:AccountGUID>%s</s:AccountGUID>", g);
    }
    int rc = open_request(out, "exportPaymentDocumentData", "", err);
    if (rc == 0) {
        sb_addf(out, "<base:Year>%d</base:Year><base:Month>%d</base:Month>%s", year, month, sb_str(&ids));
        close_request(out, "exportPaymentDocumentData");
    }
    sb_free(&ids);
    return rc;
}

/* "YYYY-MM-DD" → y, m, d; 0 when it is a real date. */
static int parse_date(const char *s, int *y, int *m, int *d)
{
    char tail;
    if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", y, m, d, &tail) != 3)
        return -1;
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (*y < 2000 || *y > 2099 || *m < 1 || *m > 12 || *d < 1 || *d > mdays[*m - 1])
        return -1;
    return 0;
}

int export_debt_subrequests_request(strbuf *out, const char *from, const char *to,
                                    const char *next_guid, hcs_err *err)
{
    int y1, m1, d1, y2, m2, d2;
    if (parse_date(from, &y1, &m1, &d1) < 0 || parse_date(to, &y2, &m2, &d2) < 0)
        return hcs_fail(err, HCS_EX_USAGE, "not a sending period YYYY-MM-DD..YYYY-MM-DD: %s..%s",
                        from ? from : "", to ? to : "");
    long a = y1 * 10000L + m1 * 100 + d1, b = y2 * 10000L + m2 * 100 + d2;
    int ym = y1 * 12 + (m1 - 1) + 6;   /* the schema: "не должен превышать 6-ти месяцев" */
    long limit = (ym / 12) * 10000L + (ym % 12 + 1) * 100 + d1;
    if (b < a || b > limit)
        return hcs_fail(err, HCS_EX_USAGE, "sending period %s..%s: the end must follow the start "
                        "within 6 months", from, to);
    char g[GUID_STRLEN + 1];
    if (next_guid && guid_normalize(next_guid, g) != 0)
        return hcs_fail(err, HCS_EX_USAGE, "not a nextSubrequestGUID: %s", next_guid);
    if (open_request(out, "exportDebtSubrequests", "", err) < 0)
        return -1;
    sb_addf(out, "<s:periodOfSendingRequest><base:startDate>%s</base:startDate>"
                 "<base:endDate>%s</base:endDate></s:periodOfSendingRequest>", from, to);
    if (next_guid)
        sb_addf(out, "<s:exportSubrequestGUID>%s</s:exportSubrequestGUID>", g);
    close_request(out, "exportDebtSubrequests");
    return 0;
}
