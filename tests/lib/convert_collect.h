/* convert_collect — a convert_sink for tests: keeps the packets handed
 * over and copies every reject, so assertions can look at both. */
#ifndef HCS_CONVERT_COLLECT_H
#define HCS_CONVERT_COLLECT_H

#include "packet/convert.h"

struct rej { char *file; long row; char *column; char *value; char *reason; char *key; };
struct collect {
    struct packet *p[64];
    int np;
    struct rej r[64];
    int nr;
};

int collect_packet(void *ctx, struct packet **pp, hcs_err *err);
void collect_reject(void *ctx, const struct convert_reject *r);
void collect_free(struct collect *c);

#endif
