/* sim_auth — request signature checks mapped to GIS codes, using
 * src/sign's verify_document for the cryptography. */
#include "sim/sim_auth.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "sign/sign.h"

/* 1 when the verified certificate may sign for the provider. */
static int signer_allowed(const struct sim_signers *who, X509 *cert, char *detail, size_t dn)
{
    if (who->operator_cert && cert && X509_cmp(cert, who->operator_cert) == 0) {
        if (!who->operator_flag)
            snprintf(detail, dn, "signed with the certificate of the information system's operator "
                     "(organisation %s), not of the provider; RequestHeader has no IsOperatorSignature",
                     who->operator_org ? who->operator_org : "?");
        return who->operator_flag;
    }
    return !who->provider_cert || (cert && X509_cmp(cert, who->provider_cert) == 0);
}

/* One verification at a time: requests arrive on several connection
 * threads, and verifying a GOST signature on two at once races inside
 * libcrypto/the GOST engine (ThreadSanitizer: BN_copy on shared key
 * parameters, seen with `make check-tsan`); the simulator's throughput
 * does not need parallel verification. */
static pthread_mutex_t verify_lock = PTHREAD_MUTEX_INITIALIZER;

int sim_auth_check(xmlDocPtr doc, const struct sim_signers *who, const char *sender_guid,
                   char code[16], char *message, size_t n, char *detail, size_t dn)
{
    struct verify_result vr;
    memset(&vr, 0, sizeof vr);
    hcs_err err = { 0 };
    detail[0] = '\0';
    int rc = 1;
    pthread_mutex_lock(&verify_lock);
    int vrc = verify_document(doc, NULL, &vr, &err);
    pthread_mutex_unlock(&verify_lock);
    if (vrc < 0) {
        snprintf(code, 16, "AUT011005");
        snprintf(message, n, "Ошибка формата подписи запроса");
        snprintf(detail, dn, "%s", err.msg);
        return 1;
    }
    snprintf(detail, dn, "%s", vr.reason);
    switch (vr.status) {
    case VERIFY_OK:
        if (!signer_allowed(who, vr.cert, detail, dn)) {
            snprintf(code, 16, "AUT011007");
            snprintf(message, n, "Подпись не принадлежит поставщику информации SenderID=%s", sender_guid);
        } else {
            rc = 0;
        }
        break;
    case VERIFY_NO_SIGNATURE:
        snprintf(code, 16, "AUT011004");
        snprintf(message, n, "Отсутствует подпись запроса");
        break;
    case VERIFY_BAD_CERT:
        snprintf(code, 16, "AUT011006");
        snprintf(message, n, "Ошибка валидации сертификата подписи");
        break;
    case VERIFY_BAD_SCHEMA:
        snprintf(code, 16, "FMT001300");
        snprintf(message, n, "Некорректный XML");
        break;
    default:   /* format, digest, signature value */
        snprintf(code, 16, "AUT011005");
        snprintf(message, n, "Ошибка формата подписи запроса");
        break;
    }
    verify_result_clear(&vr);
    return rc;
}
