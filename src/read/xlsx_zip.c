/* xlsx_zip — reads the parts of an XLSX (a zip of XML files) as streams:
 * through an xmlTextReader, or fed in chunks to a SAX2 push parser.
 *
 * XLSX files come from outside, so every part is untrusted: minizip inflates
 * it through a read callback that counts every byte against max_unzipped
 * (the declared sizes can lie, the count cannot), entries whose declared size
 * or compression ratio is absurd are refused before inflating anything, and
 * libxml2 reads with xmlsafe_options() (no network, no entity loading) and a
 * DOCTYPE is refused outright.  Both ways count the same bytes: the reader's
 * read callback and the push feeder each add what unzReadCurrentFile gave. */
#include "read/xlsx_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parserInternals.h>

#include "base/xalloc.h"
#include "base/xmlsafe.h"

/* A part this large that compresses better than this is not a spreadsheet. */
#define RATIO_CHECK_MIN ((unsigned long long)16 << 20)
#define RATIO_MAX 500ULL

static int bomb_fail(struct xlsx_zip *z, hcs_err *err)
{
    size_t mb = (z->max_unzipped + (1u << 20) - 1) >> 20;
    return hcs_fail(err, HCS_EX_NOINPUT,
                    "%s: XLSX decompresses to more than %zu MB — refusing (zip bomb?)", z->path, mb);
}

int xz_open(struct xlsx_zip *z, const char *path, size_t max_unzipped, hcs_err *err)
{
    memset(z, 0, sizeof *z);
    z->path = path;
    z->max_unzipped = max_unzipped;
    z->zip = unzOpen64(path);
    if (!z->zip)
        return hcs_fail(err, HCS_EX_NOINPUT, "%s: not a readable XLSX (zip) file", path);
    xmlsafe_init();
    return 0;
}

void xz_close(struct xlsx_zip *z)
{
    if (z->zip) {
        if (z->entry_open)
            unzCloseCurrentFile(z->zip);
        unzClose(z->zip);
    }
    z->zip = NULL;
    z->entry_open = 0;
}

int xz_exists(struct xlsx_zip *z, const char *part)
{
    return unzLocateFile(z->zip, part, 2) == UNZ_OK;
}

static int read_cb(void *ctx, char *buf, int len)
{
    struct xlsx_zip *z = ctx;
    if (z->bomb)
        return -1;
    int n = unzReadCurrentFile(z->zip, buf, (unsigned)len);
    if (n < 0) {
        z->zip_error = n;
        return -1;
    }
    z->inflated += (size_t)n;
    if (z->inflated > z->max_unzipped) {
        z->bomb = 1;
        return -1;
    }
    return n;
}

static void on_xml_error(void *arg, xmlErrorPtr e)
{
    struct xlsx_zip *z = arg;
    if (z->xml_error[0] || !e || !e->message)
        return;
    snprintf(z->xml_error, sizeof z->xml_error, "line %d: %s", e->line, e->message);
    size_t n = strlen(z->xml_error);
    while (n && (z->xml_error[n - 1] == '\n' || z->xml_error[n - 1] == ' '))
        z->xml_error[--n] = '\0';
}

/* Finds the part, applies the guards that need no inflating and opens it. */
static int entry_open(struct xlsx_zip *z, const char *part, hcs_err *err)
{
    if (unzLocateFile(z->zip, part, 2) != UNZ_OK)
        return hcs_fail(err, HCS_EX_DATAERR, "%s: not an Excel workbook (no %s inside)", z->path,
                        part);
    unz_file_info64 info;
    if (unzGetCurrentFileInfo64(z->zip, &info, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK)
        return hcs_fail(err, HCS_EX_DATAERR, "%s: damaged zip directory at %s", z->path, part);
    unsigned long long usize = info.uncompressed_size, csize = info.compressed_size;
    if (usize > z->max_unzipped - (z->inflated < z->max_unzipped ? z->inflated : z->max_unzipped))
        return bomb_fail(z, err);
    if (usize > RATIO_CHECK_MIN && (csize == 0 || usize / csize > RATIO_MAX))
        return hcs_fail(err, HCS_EX_NOINPUT,
                        "%s: XLSX part %s inflates %llu MB from %llu KB — refusing (zip bomb?)",
                        z->path, part, usize >> 20, csize >> 10);
    if (unzOpenCurrentFile(z->zip) != UNZ_OK)
        return hcs_fail(err, HCS_EX_DATAERR,
                        "%s: cannot read %s (unsupported compression or encryption)", z->path, part);
    z->entry_open = 1;
    z->entry_size = usize;
    z->bomb = 0;
    z->zip_error = 0;
    z->xml_error[0] = '\0';
    snprintf(z->entry, sizeof z->entry, "%s", part);
    return 0;
}

static void entry_close(struct xlsx_zip *z)
{
    if (z->entry_open)
        unzCloseCurrentFile(z->zip);
    z->entry_open = 0;
}

xmlTextReaderPtr xz_part_open(struct xlsx_zip *z, const char *part, hcs_err *err)
{
    if (entry_open(z, part, err) < 0)
        return NULL;
    xmlTextReaderPtr rd = xmlReaderForIO(read_cb, NULL, z, part, NULL, xmlsafe_options());
    if (!rd) {
        entry_close(z);
        hcs_fail(err, HCS_EX_SOFTWARE, "%s: cannot start an XML reader for %s", z->path, part);
        return NULL;
    }
    xmlTextReaderSetStructuredErrorHandler(rd, on_xml_error, z);
    return rd;
}

void xz_part_close(struct xlsx_zip *z, xmlTextReaderPtr rd)
{
    if (rd)
        xmlFreeTextReader(rd);
    entry_close(z);
}

static int doctype_fail(struct xlsx_zip *z, hcs_err *err)
{
    return hcs_fail(err, HCS_EX_DATAERR,
                    "%s: %s has a DOCTYPE declaration — refusing (not produced by Excel)", z->path,
                    z->entry);
}

/* After libxml2 gave up on the part: damaged zip data or bad XML. */
static int parse_fail(struct xlsx_zip *z, hcs_err *err)
{
    if (z->zip_error)
        return hcs_fail(err, HCS_EX_DATAERR, "%s: damaged zip data in %s (error %d)", z->path,
                        z->entry, z->zip_error);
    if (!z->xml_error[0]) {
        const xmlError *e = xmlGetLastError();
        snprintf(z->xml_error, sizeof z->xml_error, "%s",
                 e && e->message ? e->message : "parse error");
    }
    return hcs_fail(err, HCS_EX_DATAERR, "%s: %s is not well-formed XML (%s)", z->path, z->entry,
                    z->xml_error);
}

int xz_read(struct xlsx_zip *z, xmlTextReaderPtr rd, hcs_err *err)
{
    int rc = xmlTextReaderRead(rd);
    if (z->bomb)
        return bomb_fail(z, err);
    if (rc == 1) {
        if (xmlTextReaderNodeType(rd) == XML_READER_TYPE_DOCUMENT_TYPE)
            return doctype_fail(z, err);
        return 1;
    }
    if (rc == 0)
        return 0;
    return parse_fail(z, err);
}

char *xz_attr(xmlTextReaderPtr rd, const char *local)
{
    char *v = NULL;
    if (xmlTextReaderMoveToFirstAttribute(rd) != 1)
        return NULL;
    do {
        const xmlChar *name = xmlTextReaderConstLocalName(rd);
        if (name && !strcmp((const char *)name, local)) {
            v = (char *)xmlStrdup(xmlTextReaderConstValue(rd));
            break;
        }
    } while (xmlTextReaderMoveToNextAttribute(rd) == 1);
    xmlTextReaderMoveToElement(rd);
    return v;
}

/* ---- SAX2 push parsing ------------------------------------------------ */

#define SAX_CHUNK_DEFAULT ((size_t)64 << 10)
static size_t sax_chunk_size;

void xz_set_chunk_size(size_t n) { sax_chunk_size = n; }

static void sax_start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri,
                      int nns, const xmlChar **ns, int nattrs, int ndefaulted,
                      const xmlChar **attrs)
{
    (void)prefix, (void)uri, (void)nns, (void)ns, (void)ndefaulted;
    struct xz_sax *sx = ctx;
    sx->text_run = 0;
    sx->h->start(sx->user, local, attrs, nattrs);
}

static void sax_end(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
    (void)prefix, (void)uri;
    struct xz_sax *sx = ctx;
    sx->text_run = 0;
    sx->h->end(sx->user, local);
}

/* xmlTextReader refused a text node over XML_MAX_TEXT_LENGTH (10 MB) when
 * building it; the same limit, with the same message, holds here, where no
 * node is built. */
static void sax_text(void *ctx, const xmlChar *s, int len)
{
    struct xz_sax *sx = ctx;
    sx->text_run += (size_t)len;
    if (sx->text_run > XML_MAX_TEXT_LENGTH && !(sx->ctxt->options & XML_PARSE_HUGE)) {
        struct xlsx_zip *z = sx->z;
        if (!z->xml_error[0])
            snprintf(z->xml_error, sizeof z->xml_error, "line %d: xmlSAX2Characters: huge text node",
                     sx->ctxt->input ? sx->ctxt->input->line : 0);
        sx->huge = 1;
        xmlStopParser(sx->ctxt);
        return;
    }
    sx->h->text(sx->user, s, len);
}

/* A comment or processing instruction ends a text node. */
static void sax_comment(void *ctx, const xmlChar *value)
{
    (void)value;
    ((struct xz_sax *)ctx)->text_run = 0;
}

static void sax_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
    (void)target, (void)data;
    ((struct xz_sax *)ctx)->text_run = 0;
}

/* Called before the subset's declarations are parsed, so none of them
 * (entities above all) is ever looked at. */
static void sax_doctype(void *ctx, const xmlChar *name, const xmlChar *id, const xmlChar *sys)
{
    (void)name, (void)id, (void)sys;
    struct xz_sax *sx = ctx;
    sx->doctype = 1;
    xmlStopParser(sx->ctxt);
}

static void sax_error(void *ctx, xmlErrorPtr e)
{
    struct xz_sax *sx = ctx;
    on_xml_error(sx->z, e);
}

int xz_sax_open(struct xlsx_zip *z, const char *part, const struct xz_sax_handlers *h,
                void *user, struct xz_sax *sx, hcs_err *err)
{
    memset(sx, 0, sizeof *sx);
    if (entry_open(z, part, err) < 0)
        return -1;
    /* no entity, DTD or resolver handlers: nothing external is reachable */
    xmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = sax_start;
    sax.endElementNs = sax_end;
    sax.characters = sax_text;
    sax.ignorableWhitespace = sax_text;
    sax.comment = sax_comment;
    sax.processingInstruction = sax_pi;
    sax.internalSubset = sax_doctype;
    sax.serror = sax_error;
    sx->z = z;
    sx->h = h;
    sx->user = user;
    sx->ctxt = xmlCreatePushParserCtxt(&sax, sx, NULL, 0, part);
    if (!sx->ctxt) {
        entry_close(z);
        return hcs_fail(err, HCS_EX_SOFTWARE, "%s: cannot start an XML parser for %s", z->path,
                        part);
    }
    xmlCtxtUseOptions(sx->ctxt, xmlsafe_options());
    sx->chunk = sax_chunk_size ? sax_chunk_size : SAX_CHUNK_DEFAULT;
    sx->buf = xmalloc(sx->chunk);
    return 0;
}

int xz_sax_feed(struct xz_sax *sx, hcs_err *err)
{
    struct xlsx_zip *z = sx->z;
    if (sx->finished)
        return 0;
    int n = unzReadCurrentFile(z->zip, sx->buf, (unsigned)sx->chunk);
    if (n < 0) {
        sx->finished = 1;
        z->zip_error = n;
        return parse_fail(z, err);
    }
    z->inflated += (size_t)n;
    if (z->inflated > z->max_unzipped) {
        sx->finished = 1;
        z->bomb = 1;
        return bomb_fail(z, err);
    }
    int rc = xmlParseChunk(sx->ctxt, sx->buf, n, n == 0);
    if (sx->doctype) {
        sx->finished = 1;
        return doctype_fail(z, err);
    }
    if (sx->stopped || n == 0)
        sx->finished = 1;
    if (sx->stopped)
        return 0;
    if (rc != 0 || !sx->ctxt->wellFormed || sx->huge) {
        sx->finished = 1;
        return parse_fail(z, err);
    }
    return n == 0 ? 0 : 1;
}

void xz_sax_stop(struct xz_sax *sx)
{
    sx->stopped = 1;
    xmlStopParser(sx->ctxt);
}

void xz_sax_close(struct xz_sax *sx)
{
    if (sx->ctxt) {
        if (sx->ctxt->myDoc)
            xmlFreeDoc(sx->ctxt->myDoc);
        xmlFreeParserCtxt(sx->ctxt);
        entry_close(sx->z);
    }
    free(sx->buf);
    memset(sx, 0, sizeof *sx);
}

const xmlChar *xz_sax_intern(struct xz_sax *sx, const char *name)
{
    return xmlDictLookup(sx->ctxt->dict, BAD_CAST name, -1);
}

void xz_sax_attr_value(const xmlChar **attrs, int i, char *out, size_t n)
{
    const xmlChar *v = attrs[i * 5 + 3], *end = attrs[i * 5 + 4];
    size_t len = (size_t)(end - v);
    if (len >= n)
        len = n - 1;
    memcpy(out, v, len);
    out[len] = '\0';
}
