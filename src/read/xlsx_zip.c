/* xlsx_zip — reads the parts of an XLSX (a zip of XML files) as streams.
 *
 * XLSX files come from outside, so every part is untrusted: minizip inflates
 * it through a read callback that counts every byte against max_unzipped
 * (the declared sizes can lie, the count cannot), entries whose declared size
 * or compression ratio is absurd are refused before inflating anything, and
 * libxml2 reads with xmlsafe_options() (no network, no entity loading) and a
 * DOCTYPE is refused outright. */
#include "read/xlsx_impl.h"

#include <stdio.h>
#include <string.h>

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

xmlTextReaderPtr xz_part_open(struct xlsx_zip *z, const char *part, hcs_err *err)
{
    if (unzLocateFile(z->zip, part, 2) != UNZ_OK) {
        hcs_fail(err, HCS_EX_DATAERR, "%s: not an Excel workbook (no %s inside)", z->path, part);
        return NULL;
    }
    unz_file_info64 info;
    if (unzGetCurrentFileInfo64(z->zip, &info, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK) {
        hcs_fail(err, HCS_EX_DATAERR, "%s: damaged zip directory at %s", z->path, part);
        return NULL;
    }
    unsigned long long usize = info.uncompressed_size, csize = info.compressed_size;
    if (usize > z->max_unzipped - (z->inflated < z->max_unzipped ? z->inflated : z->max_unzipped)) {
        bomb_fail(z, err);
        return NULL;
    }
    if (usize > RATIO_CHECK_MIN && (csize == 0 || usize / csize > RATIO_MAX)) {
        hcs_fail(err, HCS_EX_NOINPUT,
                 "%s: XLSX part %s inflates %llu MB from %llu KB — refusing (zip bomb?)", z->path,
                 part, usize >> 20, csize >> 10);
        return NULL;
    }
    if (unzOpenCurrentFile(z->zip) != UNZ_OK) {
        hcs_fail(err, HCS_EX_DATAERR, "%s: cannot read %s (unsupported compression or encryption)",
                 z->path, part);
        return NULL;
    }
    z->entry_open = 1;
    z->entry_size = usize;
    z->bomb = 0;
    z->zip_error = 0;
    z->xml_error[0] = '\0';
    snprintf(z->entry, sizeof z->entry, "%s", part);
    xmlTextReaderPtr rd = xmlReaderForIO(read_cb, NULL, z, part, NULL, xmlsafe_options());
    if (!rd) {
        unzCloseCurrentFile(z->zip);
        z->entry_open = 0;
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
    if (z->entry_open)
        unzCloseCurrentFile(z->zip);
    z->entry_open = 0;
}

int xz_read(struct xlsx_zip *z, xmlTextReaderPtr rd, hcs_err *err)
{
    int rc = xmlTextReaderRead(rd);
    if (z->bomb)
        return bomb_fail(z, err);
    if (rc == 1) {
        if (xmlTextReaderNodeType(rd) == XML_READER_TYPE_DOCUMENT_TYPE)
            return hcs_fail(err, HCS_EX_DATAERR,
                            "%s: %s has a DOCTYPE declaration — refusing (not produced by Excel)",
                            z->path, z->entry);
        return 1;
    }
    if (rc == 0)
        return 0;
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
