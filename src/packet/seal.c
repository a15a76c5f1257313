/* seal — the last step of the conversion stage: a finished packet is
 * signed (when the conversion signs) and serialized into the bytes that
 * are stored and sent (see convert.h). */
#include "packet/convert.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "soap/envelope.h"

signer *convert_signer(struct convert_signing *s, hcs_err *err)
{
    if (!s->sg)
        s->sg = signer_open(s->cfg, err);
    return s->sg;
}

int convert_seal_envelope(signer *sg, xmlDocPtr doc, char **bytes, size_t *len, hcs_err *err)
{
    *bytes = NULL;
    *len = 0;
    if (sg && signer_sign(sg, doc, err) < 0)
        return -1;
    char *xml = NULL;
    size_t n = 0;
    if (envelope_to_bytes(doc, &xml, &n, err) < 0)
        return -1;
    /* the packet frees its text with free(), libxml2 buffers need xmlFree */
    *bytes = xmalloc(n + 1);
    memcpy(*bytes, xml, n);
    (*bytes)[n] = '\0';
    *len = n;
    xmlFree(xml);
    return 0;
}

int convert_seal_with(signer *sg, struct packet *p, hcs_err *err)
{
    /* unsigned and untouched: the converter's own text is the document */
    if (!sg && p->text)
        return 0;
    char *bytes;
    size_t len;
    if (convert_seal_envelope(sg, p->doc, &bytes, &len, err) < 0)
        return sg ? hcs_err_wrap(err, "signing packet %s of %s", p->message_guid, p->source_file)
                  : hcs_err_wrap(err, "packet %s of %s", p->message_guid, p->source_file);
    free(p->text);
    p->text = bytes;
    p->text_len = len;
    return 0;
}

int convert_seal_packet(struct convert_signing *s, struct packet *p, hcs_err *err)
{
    signer *sg = NULL;
    if (s && !(sg = convert_signer(s, err)))
        return hcs_err_wrap(err, "signing packet %d of %s", p->seq, p->source_file);
    return convert_seal_with(sg, p, err);
}
