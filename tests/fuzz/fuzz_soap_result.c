/* fuzz_soap_result — the parsers of what GIS answers (src/soap/result.h):
 * the AckRequest (or SOAP Fault) of a send and the getStateResult of a
 * poll, both shapes of per-object results.  Every input goes to both
 * parsers; results and faults are cleared as exchange/ does. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

#include "base/xmlsafe.h"
#include "soap/result.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    xmlsafe_init();
    return 0;
}

static void check_guid(const char g[37])
{
    if (memchr(g, '\0', 37) == NULL)
        abort();                     /* fixed GUID fields stay terminated */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hcs_err err = { 0 };
    struct gis_ack ack;
    struct gis_fault fault = { 0 };
    if (soap_parse_ack((const char *)data, size, &ack, &fault, &err) == 0) {
        check_guid(ack.message_guid);
        check_guid(ack.requester_message_guid);
    }
    gis_fault_clear(&fault);

    hcs_err err2 = { 0 };
    struct gis_state_result res;
    struct gis_fault fault2 = { 0 };
    if (soap_parse_state((const char *)data, size, &res, &fault2, &err2) == 0) {
        check_guid(res.message_guid);
        for (size_t i = 0; i < res.nobjects; i++) {
            check_guid(res.objects[i].transport_guid);
            check_guid(res.objects[i].guid);
            for (size_t k = 0; k < res.objects[i].nerrors; k++)
                if (!res.objects[i].errors[k].code && !res.objects[i].errors[k].description)
                    continue;
        }
    }
    gis_state_result_clear(&res);
    gis_fault_clear(&fault2);
    return 0;
}
