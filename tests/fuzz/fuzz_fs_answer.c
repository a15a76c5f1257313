/* fuzz_fs_answer — how the file store client reads the file store's HTTP
 * answers: header lookup (transport_response_header*, which the file store uses), the
 * refusal message (fs_answer_error), and the values it takes from headers:
 * X-Upload-UploadID (guid_normalize), X-Upload-Filename (RFC 2047,
 * src/proto/fs_proto.c), Content-MD5, X-Upload-Length.
 * The input is an answer as libcurl hands it over: status line and header
 * lines, a blank line, the body. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/guid.h"
#include "filestore/fs_impl.h"
#include "proto/fs_proto.h"
#include "transport/transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const header_names[] = {
    "X-Upload-UploadID", "X-Upload-Error", "X-Upload-Length", "X-Upload-Completed",
    "X-Upload-Completed-Parts", "X-Upload-Filename", "Content-MD5", "Content-Length", "",
};

static char *dup_mem(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

static const uint8_t *blank_line(const uint8_t *data, size_t size, size_t *skip)
{
    for (size_t i = 0; i + 1 < size; i++) {
        if (data[i] == '\n' && data[i + 1] == '\n') {
            *skip = 2;
            return data + i;
        }
        if (i + 3 < size && !memcmp(data + i, "\r\n\r\n", 4)) {
            *skip = 4;
            return data + i;
        }
    }
    return NULL;
}

static void use_values(const struct transport_response *r)
{
    char small[4], v[128], id[37];
    for (size_t i = 0; i < sizeof header_names / sizeof *header_names; i++) {
        transport_response_header_copy(r, header_names[i], small, sizeof small);
        transport_response_header_copy(r, header_names[i], v, sizeof v);
        free(transport_response_header(r, header_names[i]));
    }
    if (transport_response_header_copy(r, "X-Upload-UploadID", v, sizeof v))
        guid_normalize(v, id);
    char *name = transport_response_header(r, "X-Upload-Filename");
    if (name)
        free(fs_rfc2047_decode(name));
    free(name);
    char *md5 = transport_response_header(r, "Content-MD5");
    unsigned char bin[16];
    if (md5)
        fs_md5_parse(md5, bin);
    free(md5);
    char gis_error[64];
    hcs_err err = { 0 };
    fs_answer_error(r, "upload of fuzz.pdf", gis_error, &err);
    if (!memchr(gis_error, '\0', sizeof gis_error))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t skip = 0;
    const uint8_t *end = blank_line(data, size, &skip);
    size_t hlen = end ? (size_t)(end - data) + skip / 2 : size;
    struct transport_response r = { 0 };
    r.headers = dup_mem(data, hlen);
    if (end) {
        r.body_len = size - hlen - skip / 2;
        r.body = dup_mem(end + skip, r.body_len);
    }
    /* the status as curl reports it: the number after "HTTP/x.y " */
    const char *sp = strchr(r.headers, ' ');
    r.status = sp ? strtol(sp + 1, NULL, 10) : 0;
    r.attempts = 1;
    use_values(&r);
    free(r.headers);
    free(r.body);
    return 0;
}
