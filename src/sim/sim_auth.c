/* sim_auth — request signature checks mapped to GIS codes.
 * TEMPORARY: src/sign's verify_document is not in the tree yet; until it
 * lands only the presence of ds:Signature is checked (AUT011004). */
#include "sim/sim_auth.h"

#include <stdio.h>
#include <string.h>

#include "common/xmlsafe.h"
#include "soap/operations.h"

int sim_auth_check(xmlDocPtr doc, X509 *provider_cert, const char *sender_guid,
                   char code[16], char *message, size_t n, char *detail, size_t dn)
{
    (void)provider_cert;
    (void)sender_guid;
    detail[0] = '\0';
    if (!xml_find(xmlDocGetRootElement(doc), NS_DSIG, "Signature")) {
        snprintf(code, 16, "AUT011004");
        snprintf(message, n, "Отсутствует подпись запроса");
        return 1;
    }
    return 0;
}
