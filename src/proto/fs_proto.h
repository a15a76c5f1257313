/* fs_proto — the GIS file store protocol's small shared pieces, used by the
 * client (src/filestore/) and the simulator (src/sim/sim_filestore.c):
 * limits, allowed extensions, Content-MD5, RFC 2047 file names, header
 * names.  No I/O here. */
#ifndef HCS_FS_PROTO_H
#define HCS_FS_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define FS_PART_SIZE   5242880ULL               /* every part but the last */
#define FS_SINGLE_MAX  FS_PART_SIZE             /* one PUT up to this size */
#define FS_MAX_SIZE    (1024ULL * 1024 * 1024)  /* 1 GB */
#define FS_MAX_PARTS   ((FS_MAX_SIZE + FS_PART_SIZE - 1) / FS_PART_SIZE)

/* The allowed extensions, space separated (for messages). */
extern const char fs_allowed_extensions[];
/* 1 when the file name ends in an allowed extension (any letter case). */
int fs_ext_allowed(const char *name);
/* Number of parts for a multipart upload of `size` bytes with `part` sized parts. */
uint64_t fs_part_count(uint64_t size, uint64_t part);

/* base64 of the 16-byte MD5 (Content-MD5): 24 chars + NUL. */
void fs_md5_b64(const unsigned char md5[16], char out[25]);
/* Decodes a Content-MD5 value; 0 ok, -1 when it is not base64 of 16 bytes. */
int fs_md5_parse(const char *b64, unsigned char md5[16]);
/* MD5 of a buffer (OpenSSL EVP). */
void fs_md5(const void *data, size_t len, unsigned char md5[16]);

/* "=?utf-8?B?<base64>?=" of a UTF-8 name; caller frees. */
char *fs_rfc2047_encode(const char *utf8);
/* Decodes encoded-words (B and Q, utf-8) and passes plain text through;
 * whitespace between adjacent encoded-words is dropped.  NULL when an
 * encoded-word is malformed.  Caller frees. */
char *fs_rfc2047_decode(const char *value);

/* Lowercase hex of n bytes into out (2n+1). */
void fs_hex(const unsigned char *bin, size_t n, char *out);

#endif
