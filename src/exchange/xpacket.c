/* xpacket — changes to one stored packet that sending, polling and the
 * operator actions share: finishing it (packet and pending elements in one
 * transaction) and rebuilding it with a new MessageGUID; the signer and the
 * archive paths its signed bytes live under.  Every state change goes
 * through lifecycle_apply(). */
#include <stdlib.h>
#include <string.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "packet/convert.h"
#include "base/xmlsafe.h"
#include "exchange/exchange_impl.h"
#include "soap/envelope.h"

signer *x_signer(exchange *x, hcs_err *err)
{
    if (!x->sg) {
        x->sg = signer_open(x->cfg, err);
        /* Certificate near expiry, key file readable by others: the
         * operator hears it once per run, the run goes on. */
        const char *w = x->sg ? signer_warning(x->sg) : NULL;
        if (w)
            log_warn("%s", w);
    }
    return x->sg;
}

char *exchange_packet_path(const char *archive_dir, const char *operation, const char *message_guid)
{
    return xasprintf("%s/packets/%s-%s.xml", archive_dir, operation, message_guid);
}

int x_finish_packet(exchange *x, struct store_packet *p, enum packet_event ev, const char *code,
                    const char *text, hcs_err *err)
{
    if (lifecycle_apply(p, ev, err) < 0)
        return -1;
    lifecycle_set_error(p, code, text);
    p->done_at = x_now();
    p->next_at = 0;
    if (store_begin(x->st, err) < 0)
        return -1;
    /* A done packet's elements were answered one by one; the others end with it. */
    const char *el_state = ev == PEV_CANCEL ? "cancelled" : "failed";
    if (store_packet_update(x->st, p, err) < 0
        || (ev != PEV_DONE && store_elements_finish_packet(x->st, p->id, el_state, code, text, err) < 0)
        || store_commit(x->st, err) < 0) {
        store_rollback(x->st);
        return -1;
    }
    if (ev == PEV_FAIL)
        x->stats.failed++;
    return 0;
}

/* The provider id as configured now: an operator retry after fixing
 * [gis] org_ppa_guid must not resend the old one. */
static void refresh_provider(exchange *x, xmlDocPtr doc)
{
    const char *org = cfg_str(x->cfg, "gis.org_ppa_guid");
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    xmlNodePtr hdr = root ? xml_child(root, NS_SOAP, "Header") : NULL;
    xmlNodePtr rh = hdr ? xml_child(hdr, NS_BASE, "RequestHeader") : NULL;
    if (!org || !*org || !rh)
        return;
    xmlNodePtr n = xml_child(rh, NS_BASE, "orgPPAGUID");
    if (!n)
        n = xml_child(rh, NS_BASE, "SenderID");
    if (n)
        xmlNodeSetContent(n, BAD_CAST org);
}

int x_rebuild(exchange *x, struct store_packet *p, enum packet_event ev, const char *reason, int64_t next_at,
              hcs_err *err)
{
    /* Refused before anything is signed or written. */
    if (lifecycle_check(p, ev, err) < 0)
        return -1;
    signer *sg = x_signer(x, err);
    if (!sg)
        return -1;
    xmlDocPtr doc = xmlsafe_parse_file(p->archive_path, err);
    if (!doc)
        return hcs_err_wrap(err, "rebuilding packet %lld", (long long)p->id);
    char guid[37];
    int rc = -1;
    char *bytes = NULL, *path = NULL;
    size_t len = 0;
    if (envelope_refresh_header(doc, guid, err) < 0)
        goto out;
    refresh_provider(x, doc);
    xmlNodePtr body = envelope_body_element(doc);
    if (!body) {
        hcs_fail(err, HCS_EX_SOFTWARE, "%s: no request element", p->archive_path);
        goto out;
    }
    for (xmlNodePtr c = body->children, next; c; c = next) {
        next = c->next;
        if (xml_is(c, NS_DSIG, "Signature")) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
    }
    if (convert_seal_envelope(sg, doc, &bytes, &len, err) < 0)
        goto out;
    path = exchange_packet_path(x->archive_dir, p->operation, guid);
    /* The new bytes are on disk before the store points at them. */
    if (file_write_atomic(path, bytes, len, err) < 0)
        goto out;
    if (store_begin(x->st, err) < 0)
        goto out;
    if (store_packet_abandon_message(x->st, p->id, p->message_guid, p->gis_message_guid, reason, err) < 0
        || lifecycle_apply(p, ev, err) < 0)
        goto rollback;
    snprintf(p->message_guid, sizeof p->message_guid, "%s", guid);
    p->gis_message_guid[0] = '\0';
    free(p->archive_path);
    p->archive_path = xstrdup(path);
    p->next_at = next_at;
    p->polls = 0;
    p->first_ack_at = 0;
    if (store_packet_update(x->st, p, err) < 0 || store_commit(x->st, err) < 0)
        goto rollback;
    x->stats.rebuilds++;
    x->need_full_sync = 1;
    log_info("packet %lld rebuilt with MessageGUID %s (%s)", (long long)p->id, guid, reason);
    rc = 0;
    goto out;
rollback:
    store_rollback(x->st);
out:
    free(bytes);
    free(path);
    xmlFreeDoc(doc);
    return rc;
}

int x_commit_processed(exchange *x, struct store_packet *p, enum packet_event ev, hcs_err *err)
{
    if (lifecycle_apply(p, ev, err) < 0)
        return -1;
    lifecycle_set_error(p, NULL, NULL);
    p->done_at = x_now();
    p->next_at = 0;
    p->polls++;
    return store_packet_update(x->st, p, err) < 0 || store_commit(x->st, err) < 0 ? -1 : 0;
}
