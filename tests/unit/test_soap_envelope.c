/* Unit tests for src/soap/envelope and src/soap/result: headers per
 * configuration, getState requests that validate against the official
 * schemas, header refresh, and parsing AckRequest, SOAP faults and both
 * shapes of getStateResult. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "soap/envelope.h"
#include "proto/operations.h"
#include "soap/result.h"
#include "proto/schema.h"

#define ORG "c8f1d2e3-a4b5-4c6d-8e7f-9a0b1c2d3e4f"
#define ACK "7f8e9d0c-1b2a-4c3d-9e4f-5a6b7c8d9e0f"

static void test_get_state(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    hcs_config *cfg = cfg_load(NULL, &err);
    schema_set *s = schema_set_open(tu_schemas_dir(), &err);
    assert_non_null(s);
    /* RequestHeader needs the provider */
    assert_null(soap_build_get_state(cfg, gis_service_find("bills"), ACK, NULL, &err));
    assert_int_equal(err.code, HCS_EX_CONFIG);
    cfg_set(cfg, "gis.org_ppa_guid", ORG, &err);
    char mg[37];
    xmlDocPtr d = soap_build_get_state(cfg, gis_service_find("bills"), ACK, mg, &err);
    assert_non_null(d);
    assert_int_equal(schema_validate_envelope(s, d, NULL, NULL, &err), 0);
    char got[37];
    envelope_message_guid(d, got);
    assert_string_equal(got, mg);
    char *bytes = NULL;
    size_t len = 0;
    assert_int_equal(envelope_to_bytes(d, &bytes, &len, &err), 0);
    assert_non_null(strstr(bytes, "<base:orgPPAGUID>" ORG "</base:orgPPAGUID>"));
    assert_non_null(strstr(bytes, "<base:MessageGUID>" ACK "</base:MessageGUID></base:getStateRequest>"));
    xmlFree(bytes);
    /* a rebuild gets a new MessageGUID */
    char fresh[37];
    assert_int_equal(envelope_refresh_header(d, fresh, &err), 0);
    envelope_message_guid(d, got);
    assert_string_equal(got, fresh);
    assert_string_not_equal(fresh, mg);
    assert_int_equal(schema_validate_envelope(s, d, NULL, NULL, &err), 0);
    xmlFreeDoc(d);
    /* nsi-common: ISRequestHeader, no orgPPAGUID */
    d = soap_build_get_state(cfg, gis_service_find("nsi-common"), ACK, NULL, &err);
    assert_int_equal(schema_validate_envelope(s, d, NULL, NULL, &err), 0);
    assert_int_equal(envelope_to_bytes(d, &bytes, &len, &err), 0);
    assert_non_null(strstr(bytes, "ISRequestHeader"));
    assert_null(strstr(bytes, "orgPPAGUID"));
    xmlFree(bytes);
    xmlFreeDoc(d);
    /* SenderID instead of orgPPAGUID, operator signature */
    cfg_set(cfg, "gis.sender_header", "SenderID", &err);
    cfg_set(cfg, "gis.operator_signature", "yes", &err);
    d = soap_build_get_state(cfg, gis_service_find("device-metering"), ACK, NULL, &err);
    assert_int_equal(schema_validate_envelope(s, d, NULL, NULL, &err), 0);
    assert_int_equal(envelope_to_bytes(d, &bytes, &len, &err), 0);
    assert_non_null(strstr(bytes, "<base:SenderID>" ORG "</base:SenderID><base:IsOperatorSignature>true"));
    xmlFree(bytes);
    xmlFreeDoc(d);
    assert_null(soap_build_get_state(cfg, gis_service_find("bills"), "not-a-guid", NULL, &err));
    schema_set_free(s);
    cfg_free(cfg);
}

static void test_date_format(void **state)
{
    (void)state;
    char d[40];
    envelope_format_date(1700000000, d);
    /* 2023-11-14T..:..:20.000+hh:mm in local time */
    assert_int_equal(strlen(d), 29);
    assert_memory_equal(d + 19, ".000", 4);
    assert_true(d[23] == '+' || d[23] == '-');
    assert_int_equal(d[26], ':');
}

static const char *ACK_XML =
    "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
    "xmlns:base=\"http://dom.gosuslugi.ru/schema/integration/base/\"><soapenv:Header/><soapenv:Body>"
    "<base:AckRequest><base:Ack><base:MessageGUID>" ACK "</base:MessageGUID>"
    "<base:RequesterMessageGUID>0b5d7a2e-4c1f-4e8a-9d3b-6f7e8a9b0c1d</base:RequesterMessageGUID>"
    "</base:Ack></base:AckRequest></soapenv:Body></soapenv:Envelope>";

static const char *FAULT_XML =
    "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
    "xmlns:base=\"http://dom.gosuslugi.ru/schema/integration/base/\"><soapenv:Body><soapenv:Fault>"
    "<faultcode>soapenv:Server</faultcode><faultstring>Ошибка</faultstring><detail><base:Fault>"
    "<base:ErrorCode>AUT011005</base:ErrorCode><base:ErrorMessage>Ошибка формата подписи запроса</base:ErrorMessage>"
    "</base:Fault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>";

static void test_ack_and_fault(void **state)
{
    (void)state;
    struct gis_ack ack;
    struct gis_fault f = { 0 };
    hcs_err err = { 0 };
    assert_int_equal(soap_parse_ack(ACK_XML, strlen(ACK_XML), &ack, &f, &err), 0);
    assert_string_equal(ack.message_guid, ACK);
    assert_string_equal(ack.requester_message_guid, "0b5d7a2e-4c1f-4e8a-9d3b-6f7e8a9b0c1d");
    assert_int_equal(soap_parse_ack(FAULT_XML, strlen(FAULT_XML), &ack, &f, &err), -1);
    assert_int_equal(err.code, HCS_EX_PROTOCOL);
    assert_string_equal(f.error_code, "AUT011005");
    assert_string_equal(f.faultcode, "soapenv:Server");
    assert_non_null(strstr(err.msg, "AUT011005"));
    gis_fault_clear(&f);
    assert_int_equal(soap_parse_ack("<x/>", 4, &ack, NULL, &err), -1);
    assert_int_equal(soap_parse_ack("not xml", 7, &ack, NULL, &err), -1);
    assert_int_equal(err.code, HCS_EX_PROTOCOL);
}

static const char *HM_XML =
    "<hm:getStateResult xmlns:hm=\"http://dom.gosuslugi.ru/schema/integration/house-management/\" "
    "xmlns:base=\"http://dom.gosuslugi.ru/schema/integration/base/\" "
    "xmlns:account-base=\"http://dom.gosuslugi.ru/schema/integration/account-base/\" base:version=\"11.0.0.1\">"
    "<base:RequestState>3</base:RequestState><base:MessageGUID>" ACK "</base:MessageGUID>"
    "<hm:ImportResult base:version=\"10.0.1.1\"><hm:CommonResult>"
    "<base:GUID>9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d</base:GUID>"
    "<base:TransportGUID>a1b2c3d4-0002-4e5f-8a9b-0c1d2e3f4a5b</base:TransportGUID>"
    "<base:UniqueNumber>12АБ345678-01</base:UniqueNumber><base:UpdateDate>2019-10-21T10:16:05.123+03:00</base:UpdateDate>"
    "<hm:ImportAccount><account-base:UnifiedAccountNumber>12АБ345678</account-base:UnifiedAccountNumber>"
    "<account-base:ServiceID>12АБ345678-01</account-base:ServiceID></hm:ImportAccount></hm:CommonResult>"
    "<hm:CommonResult><base:TransportGUID>a1b2c3d4-0003-4e5f-8a9b-0c1d2e3f4a5b</base:TransportGUID>"
    "<base:Error><base:ErrorCode>INT002000</base:ErrorCode><base:Description>Значение в поле отсутствует в реестре.</base:Description></base:Error>"
    "</hm:CommonResult></hm:ImportResult></hm:getStateResult>";

static const char *DM_XML =
    "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
    "xmlns:base=\"http://dom.gosuslugi.ru/schema/integration/base/\" "
    "xmlns:dm=\"http://dom.gosuslugi.ru/schema/integration/device-metering/\"><soapenv:Body>"
    "<dm:getStateResult base:version=\"10.0.1.1\"><base:RequestState>3</base:RequestState>"
    "<base:MessageGUID>" ACK "</base:MessageGUID>"
    "<dm:ImportResult><base:GUID>8a9b0c1d-2e3f-4a4b-8c5d-6e7f8a9b0c1d</base:GUID>"
    "<base:TransportGUID>d4e5f6a7-0001-4b8c-9d0e-1f2a3b4c5d6e</base:TransportGUID>"
    "<base:UpdateDate>2019-10-21T10:16:05.123+03:00</base:UpdateDate></dm:ImportResult>"
    "</dm:getStateResult></soapenv:Body></soapenv:Envelope>";

static const char *ERR_XML =
    "<b:getStateResult xmlns:b=\"http://dom.gosuslugi.ru/schema/integration/bills/\" "
    "xmlns:base=\"http://dom.gosuslugi.ru/schema/integration/base/\" base:version=\"10.0.1.1\">"
    "<base:RequestState>3</base:RequestState><base:MessageGUID>" ACK "</base:MessageGUID>"
    "<base:ErrorMessage><base:ErrorCode>INT002013</base:ErrorCode><base:Description>Запрос не найден</base:Description></base:ErrorMessage>"
    "</b:getStateResult>";

static void test_state_results(void **state)
{
    (void)state;
    struct gis_state_result r;
    hcs_err err = { 0 };
    assert_int_equal(soap_parse_state(HM_XML, strlen(HM_XML), &r, NULL, &err), 0);
    assert_int_equal(r.request_state, 3);
    assert_string_equal(r.message_guid, ACK);
    assert_null(r.message_error);
    assert_int_equal(r.nobjects, 2);
    assert_string_equal(r.objects[0].guid, "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d");
    assert_string_equal(r.objects[0].unique_number, "12АБ345678-01");
    assert_string_equal(r.objects[0].unified_account_number, "12АБ345678");
    assert_string_equal(r.objects[0].service_id, "12АБ345678-01");
    assert_int_equal(r.objects[0].nerrors, 0);
    assert_string_equal(r.objects[1].transport_guid, "a1b2c3d4-0003-4e5f-8a9b-0c1d2e3f4a5b");
    assert_int_equal(r.objects[1].nerrors, 1);
    assert_string_equal(r.objects[1].errors[0].code, "INT002000");
    gis_state_result_clear(&r);

    assert_int_equal(soap_parse_state(DM_XML, strlen(DM_XML), &r, NULL, &err), 0);
    assert_int_equal(r.nobjects, 1);
    assert_string_equal(r.objects[0].transport_guid, "d4e5f6a7-0001-4b8c-9d0e-1f2a3b4c5d6e");
    assert_string_equal(r.objects[0].update_date, "2019-10-21T10:16:05.123+03:00");
    assert_null(r.objects[0].unique_number);
    assert_non_null(r.result);
    gis_state_result_clear(&r);

    assert_int_equal(soap_parse_state(ERR_XML, strlen(ERR_XML), &r, NULL, &err), 0);
    assert_non_null(r.message_error);
    assert_string_equal(r.message_error->code, "INT002013");
    assert_string_equal(r.message_error->description, "Запрос не найден");
    gis_state_result_clear(&r);

    const char *pending = "<b:getStateResult xmlns:b=\"http://dom.gosuslugi.ru/schema/integration/bills/\" "
        "xmlns:base=\"http://dom.gosuslugi.ru/schema/integration/base/\"><base:RequestState>2</base:RequestState>"
        "<base:MessageGUID>" ACK "</base:MessageGUID></b:getStateResult>";
    assert_int_equal(soap_parse_state(pending, strlen(pending), &r, NULL, &err), 0);
    assert_int_equal(r.request_state, 2);
    assert_int_equal(r.nobjects, 0);
    gis_state_result_clear(&r);

    assert_int_equal(soap_parse_state(ACK_XML, strlen(ACK_XML), &r, NULL, &err), -1);
    gis_state_result_clear(&r);
    struct gis_fault f = { 0 };
    assert_int_equal(soap_parse_state(FAULT_XML, strlen(FAULT_XML), &r, &f, &err), -1);
    assert_string_equal(f.error_message, "Ошибка формата подписи запроса");
    gis_fault_clear(&f);
    gis_state_result_clear(&r);
    /* DOCTYPE refused (untrusted input) */
    const char *dt = "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>";
    assert_int_equal(soap_parse_state(dt, strlen(dt), &r, NULL, &err), -1);
    gis_state_result_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_state),
        cmocka_unit_test(test_date_format),
        cmocka_unit_test(test_ack_and_fault),
        cmocka_unit_test(test_state_results),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
