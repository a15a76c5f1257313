#include "base/guid.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

static void guid_format(unsigned char b[16], char out[GUID_STRLEN + 1])
{
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, GUID_STRLEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
             b[11], b[12], b[13], b[14], b[15]);
}

void guid_derive(const char *base, const char *name, unsigned long n, char out[GUID_STRLEN + 1])
{
    char num[32];
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    snprintf(num, sizeof num, "%lu", n);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
             EVP_DigestUpdate(c, base, strlen(base) + 1) == 1 &&
             EVP_DigestUpdate(c, name, strlen(name) + 1) == 1 &&
             EVP_DigestUpdate(c, num, strlen(num)) == 1 && EVP_DigestFinal_ex(c, md, &mdlen) == 1;
    EVP_MD_CTX_free(c);
    if (!ok || mdlen < 16) {
        guid_new(out);   /* no digest at all: still a unique GUID, just not a repeatable one */
        return;
    }
    guid_format(md, out);
}

void guid_new(char out[GUID_STRLEN + 1])
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1) {
        /* RAND_bytes only fails when the OS has no entropy source at all. */
        FILE *f = fopen("/dev/urandom", "rb");
        if (!f || fread(b, 1, sizeof b, f) != sizeof b) {
            if (f)
                fclose(f);
            memset(out, '0', GUID_STRLEN);
            out[GUID_STRLEN] = '\0';
            return;
        }
        fclose(f);
    }
    guid_format(b, out);
}

int guid_normalize(const char *in, char out[GUID_STRLEN + 1])
{
    size_t n = strlen(in);
    if (n == GUID_STRLEN + 2 && in[0] == '{' && in[n - 1] == '}') {
        in++;
        n -= 2;
    }
    if (n != GUID_STRLEN)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int dash = (i == 8 || i == 13 || i == 18 || i == 23);
        if (dash ? in[i] != '-' : !isxdigit((unsigned char)in[i]))
            return -1;
        out[i] = (char)tolower((unsigned char)in[i]);
    }
    out[n] = '\0';
    return 0;
}
