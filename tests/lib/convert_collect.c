#include "convert_collect.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "testutil.h"
#include "base/xalloc.h"

int collect_packet(void *ctx, struct packet **pp, hcs_err *err)
{
    (void)err;
    struct collect *c = ctx;
    assert_true(c->np < 64);
    /* a sink gets the packet as its text (the converter freed the tree):
     * the tests read what would be stored and sent */
    struct packet *p = *pp;
    assert_null(p->doc);
    assert_non_null(p->text);
    p->doc = xmlReadMemory(p->text, (int)p->text_len, "packet.xml", "UTF-8", XML_PARSE_NONET);
    assert_non_null(p->doc);
    c->p[c->np++] = p;
    *pp = NULL;
    return 0;
}

void collect_reject(void *ctx, const struct convert_reject *r)
{
    struct collect *c = ctx;
    assert_true(c->nr < 64);
    struct rej *x = &c->r[c->nr++];
    x->file = xstrdup(r->file);
    x->row = r->row;
    x->column = xstrdup(r->column);
    x->value = xstrdup(r->value);
    x->reason = xstrdup(r->reason);
    x->key = r->element_key ? xstrdup(r->element_key) : NULL;
}

void collect_free(struct collect *c)
{
    for (int i = 0; i < c->np; i++)
        packet_free(c->p[i]);
    for (int i = 0; i < c->nr; i++) {
        free(c->r[i].file);
        free(c->r[i].column);
        free(c->r[i].value);
        free(c->r[i].reason);
        free(c->r[i].key);
    }
    memset(c, 0, sizeof *c);
}
