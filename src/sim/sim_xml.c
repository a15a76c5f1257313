/* sim_xml — strbuf-based writers for the simulator's SOAP answers. */
#include "sim/sim_xml.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "base/guid.h"

#define NSI "http://dom.gosuslugi.ru/schema/integration/"

static const struct { const char *service, *prefix; } prefixes[] = {
    { "house-management", "hm" },
    { "device-metering", "dm" },
    { "bills", "b" },
    { "payment", "pm" },
    { "nsi", "nsi" },
    { "nsi-common", "nsic" },
    { "organizations-registry-common", "ro" },
    { "debt-requests", "drs" },
    { NULL, NULL }
};

const char *simx_prefix(const struct gis_service *svc)
{
    for (int i = 0; prefixes[i].service; i++)
        if (strcmp(prefixes[i].service, svc->name) == 0)
            return prefixes[i].prefix;
    return "svc";
}

void simx_now(char out[SIMX_DATE_LEN])
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    time_t t = tv.tv_sec + 3 * 3600;   /* Moscow, no DST since 2014 */
    struct tm tm;
    gmtime_r(&t, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, SIMX_DATE_LEN, "%s.%03d+03:00", base, (int)(tv.tv_usec / 1000));
}

void simx_el(strbuf *sb, const char *qname, const char *text)
{
    sb_addf(sb, "<%s>", qname);
    if (text)
        sb_add_xml(sb, text, strlen(text));
    sb_addf(sb, "</%s>", qname);
}

void simx_el_opt(strbuf *sb, const char *qname, const char *text)
{
    if (text && *text)
        simx_el(sb, qname, text);
}

static void header(strbuf *sb)
{
    char date[SIMX_DATE_LEN], guid[GUID_STRLEN + 1];
    simx_now(date);
    guid_new(guid);
    sb_adds(sb, "<soap:Header><base:ResultHeader>");
    simx_el(sb, "base:Date", date);
    simx_el(sb, "base:MessageGUID", guid);
    sb_adds(sb, "</base:ResultHeader></soap:Header>");
}

void simx_envelope_open(strbuf *sb)
{
    sb_adds(sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<soap:Envelope xmlns:soap=\"" NS_SOAP "\" xmlns:base=\"" NS_BASE "\"");
    for (int i = 0; prefixes[i].service; i++)
        sb_addf(sb, " xmlns:%s=\"%s\"", prefixes[i].prefix, gis_service_find(prefixes[i].service)->ns);
    sb_adds(sb, " xmlns:nsi-base=\"" NSI "nsi-base/\""
                " xmlns:account-base=\"" NSI "account-base/\""
                " xmlns:bills-base=\"" NSI "bills-base/\""
                " xmlns:payments-base=\"" NSI "payments-base/\""
                " xmlns:mdb=\"" NSI "metering-device-base/\""
                " xmlns:premises-base=\"" NSI "premises-base/\""
                " xmlns:ind=\"" NSI "individual-registry-base/\""
                " xmlns:orgb=\"" NSI "organizations-base/\""
                " xmlns:org-reg=\"" NSI "organizations-registry-base/\""
                " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">");
    header(sb);
    sb_adds(sb, "<soap:Body>");
}

void simx_envelope_close(strbuf *sb)
{
    sb_adds(sb, "</soap:Body></soap:Envelope>\n");
}

void simx_fault(strbuf *sb, int client, const char *code, const char *message, const char *trace)
{
    sb_adds(sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<soap:Envelope xmlns:soap=\"" NS_SOAP "\" xmlns:base=\"" NS_BASE "\">"
                "<soap:Body><soap:Fault>");
    simx_el(sb, "faultcode", client ? "soap:Client" : "soap:Server");
    sb_adds(sb, "<faultstring>");
    sb_add_xml(sb, code, strlen(code));
    sb_adds(sb, ": ");
    sb_add_xml(sb, message, strlen(message));
    sb_adds(sb, "</faultstring><detail><base:Fault>");
    simx_el(sb, "base:ErrorCode", code);
    simx_el(sb, "base:ErrorMessage", message);
    simx_el_opt(sb, "base:StackTrace", trace);
    sb_adds(sb, "</base:Fault></detail></soap:Fault></soap:Body></soap:Envelope>\n");
}

void simx_ack(strbuf *sb, const char *gis_guid, const char *requester_guid)
{
    simx_envelope_open(sb);
    sb_adds(sb, "<base:AckRequest><base:Ack>");
    simx_el(sb, "base:MessageGUID", gis_guid);
    simx_el(sb, "base:RequesterMessageGUID", requester_guid);
    sb_adds(sb, "</base:Ack></base:AckRequest>");
    simx_envelope_close(sb);
}

void simx_state_open(strbuf *sb, const struct gis_service *svc, const char *version, int state,
                     const char *gis_guid, int with_id)
{
    sb_addf(sb, "<%s:getStateResult%s base:version=\"%s\">", simx_prefix(svc),
            with_id ? " Id=\"signed-data-container\"" : "", version);
    sb_addf(sb, "<base:RequestState>%d</base:RequestState>", state);
    simx_el(sb, "base:MessageGUID", gis_guid);
}

void simx_state_close(strbuf *sb, const struct gis_service *svc)
{
    sb_addf(sb, "</%s:getStateResult>", simx_prefix(svc));
}

void simx_error(strbuf *sb, const char *qname, const char *code, const char *description)
{
    sb_addf(sb, "<%s>", qname);
    simx_el(sb, "base:ErrorCode", code);
    simx_el(sb, "base:Description", description);
    sb_addf(sb, "</%s>", qname);
}

void simx_results_begin(struct simx_results *r, strbuf *sb, const struct gis_service *svc)
{
    memset(r, 0, sizeof *r);
    r->sb = sb;
    r->svc = svc;
    r->hm = strcmp(svc->name, "house-management") == 0;
}

static void item_open(struct simx_results *r)
{
    const char *p = simx_prefix(r->svc);
    if (r->hm) {
        if (!r->open)
            sb_adds(r->sb, "<hm:ImportResult base:version=\"10.0.1.1\">");
        r->open = 1;
        sb_adds(r->sb, "<hm:CommonResult>");
    } else {
        sb_addf(r->sb, "<%s:ImportResult>", p);
    }
    r->count++;
}

static void item_close(struct simx_results *r)
{
    if (r->hm)
        sb_adds(r->sb, "</hm:CommonResult>");
    else
        sb_addf(r->sb, "</%s:ImportResult>", simx_prefix(r->svc));
}

void simx_result_ok(struct simx_results *r, const char *guid, const char *transport,
                    const char *unique_number, const char *update_date, const char *extra)
{
    item_open(r);
    simx_el_opt(r->sb, "base:GUID", guid);
    simx_el(r->sb, "base:TransportGUID", transport);
    simx_el_opt(r->sb, "base:UniqueNumber", unique_number);
    simx_el(r->sb, "base:UpdateDate", update_date);
    if (r->hm && extra)
        sb_adds(r->sb, extra);
    item_close(r);
}

void simx_result_error(struct simx_results *r, const char *transport, const char *code,
                       const char *description)
{
    item_open(r);
    simx_el(r->sb, "base:TransportGUID", transport);
    simx_error(r->sb, "base:Error", code, description);
    item_close(r);
    r->errors++;
}

void simx_results_end(struct simx_results *r)
{
    if (r->hm && r->open)
        sb_adds(r->sb, "</hm:ImportResult>");
    r->open = 0;
}
