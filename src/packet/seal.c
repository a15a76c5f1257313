/* seal — the last step of the conversion stage: a finished packet is
 * signed (when the conversion signs) and serialized into the bytes that
 * are stored and sent (see convert.h). */
#include "packet/convert.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/xmlsave.h>

#include "base/xalloc.h"
#include "sign/sigxml.h"
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

/* Serialize once: p->text is the unsigned document as text, so the
 * signed one is that text with ds:Signature (serialized alone) put right
 * after the signed element's start tag, where signer_sign placed it.  The
 * signed element is the first carrying the container Id (the header before
 * it holds configured GUIDs only).  0 done; 1 the text does not look as
 * expected (the caller serializes the whole tree instead). */
static int splice_signature(struct packet *p, hcs_err *err)
{
    xmlNodePtr container = envelope_body_element(p->doc);
    xmlNodePtr sig = container ? container->children : NULL;
    const char *id = strstr(p->text, "Id=\"" SIGNED_CONTAINER_ID "\"");
    const char *gt = id ? strchr(id, '>') : NULL;
    if (!sig || sig->type != XML_ELEMENT_NODE || strcmp((const char *)sig->name, "Signature") || !gt ||
        gt[-1] == '/')
        return 1;
    xmlBufferPtr buf = xmlBufferCreate();
    xmlSaveCtxtPtr save = buf ? xmlSaveToBuffer(buf, "UTF-8", 0) : NULL;
    int ok = save && xmlSaveTree(save, sig) >= 0;
    if (save)
        xmlSaveClose(save);
    if (!ok) {
        if (buf)
            xmlBufferFree(buf);
        return hcs_fail(err, HCS_EX_SOFTWARE, "cannot serialize the signature");
    }
    size_t head = (size_t)(gt + 1 - p->text), slen = (size_t)xmlBufferLength(buf);
    char *out = xmalloc(p->text_len + slen + 1);
    memcpy(out, p->text, head);
    memcpy(out + head, xmlBufferContent(buf), slen);
    memcpy(out + head + slen, p->text + head, p->text_len - head + 1);
    xmlBufferFree(buf);
    free(p->text);
    p->text = out;
    p->text_len += slen;
    return 0;
}

int convert_seal_with(signer *sg, struct packet *p, hcs_err *err)
{
    /* unsigned and untouched: the converter's own text is the document */
    if (!sg && p->text)
        return 0;
    if (sg && p->text) {
        if (signer_sign(sg, p->doc, err) < 0)
            return hcs_err_wrap(err, "signing packet %s of %s", p->message_guid, p->source_file);
        int rc = splice_signature(p, err);
        if (rc <= 0)
            return rc;
        sg = NULL;   /* signed already: only serialize below */
    }
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
