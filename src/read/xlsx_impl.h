/* xlsx_impl — the pieces of the XLSX back end (internal to src/read/):
 *   xlsx_zip.c   one zip part at a time, as an xmlTextReader (the small parts)
 *                or fed chunk by chunk to a SAX2 push parser (the sheet and
 *                the shared strings, where xmlTextReader's node per XML node
 *                was most of the cost), with the zip bomb guards (declared
 *                sizes, compression ratio, and every inflated byte counted
 *                against max_unzipped) and DOCTYPE refused;
 *   xlsx_book.c  workbook facts: which part is the sheet, the 1904 flag,
 *                which cell styles are dates, the shared strings (one arena);
 *   table_xlsx.c the sheet itself, streamed row by row. */
#ifndef HCS_XLSX_IMPL_H
#define HCS_XLSX_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <unzip.h>
#include <libxml/parser.h>
#include <libxml/xmlreader.h>

#include "base/err.h"
#include "read/read.h"

struct xlsx_zip {
    const char *path;          /* the file, for messages */
    unzFile zip;
    size_t max_unzipped;
    size_t inflated;           /* bytes inflated so far, all parts */
    int bomb;                  /* the read callback hit max_unzipped */
    int zip_error;             /* unzReadCurrentFile failed */
    int entry_open;
    unsigned long long entry_size; /* uncompressed size of the part being read */
    char entry[256];           /* the part being read */
    char xml_error[256];       /* first libxml2 message for that part */
};

int xz_open(struct xlsx_zip *z, const char *path, size_t max_unzipped, hcs_err *err);
void xz_close(struct xlsx_zip *z);
int xz_exists(struct xlsx_zip *z, const char *part);
/* One part at a time.  NULL + err on failure (missing part, bomb guard). */
xmlTextReaderPtr xz_part_open(struct xlsx_zip *z, const char *part, hcs_err *err);
void xz_part_close(struct xlsx_zip *z, xmlTextReaderPtr rd);
/* Next node: 1, 0 at the end, -1 + err (not well-formed, DOCTYPE, zip bomb). */
int xz_read(struct xlsx_zip *z, xmlTextReaderPtr rd, hcs_err *err);
/* An attribute of the current element by local name, or NULL; xmlFree it. */
char *xz_attr(xmlTextReaderPtr rd, const char *local);

/* A part streamed through libxml2's SAX2 push parser.  The handlers see
 * local names interned in the parser's dictionary (compare them with
 * xz_sax_intern's pointers) and attributes as SAX2 gives them: five
 * pointers each (local name, prefix, URI, value start, value end).  Text
 * comes in pieces; CDATA is text. */
struct xz_sax_handlers {
    void (*start)(void *user, const xmlChar *local, const xmlChar **attrs, int nattrs);
    void (*end)(void *user, const xmlChar *local);
    void (*text)(void *user, const xmlChar *s, int len);
};

struct xz_sax {
    struct xlsx_zip *z;
    xmlParserCtxtPtr ctxt;
    const struct xz_sax_handlers *h;
    void *user;
    char *buf;
    size_t chunk;
    size_t text_run;           /* bytes of the text node being read */
    int doctype;               /* a DOCTYPE was met: the parser was stopped */
    int huge;                  /* a text node passed libxml2's limit: stopped */
    int stopped;               /* a handler called xz_sax_stop */
    int finished;
};

int xz_sax_open(struct xlsx_zip *z, const char *part, const struct xz_sax_handlers *h,
                void *user, struct xz_sax *sx, hcs_err *err);
/* Inflates one chunk and parses it (the handlers run inside): 1 = more to
 * come, 0 = the part ended or a handler stopped it, -1 + err (not
 * well-formed, DOCTYPE, zip bomb, damaged zip data). */
int xz_sax_feed(struct xz_sax *sx, hcs_err *err);
/* From a handler: parse nothing more of this part. */
void xz_sax_stop(struct xz_sax *sx);
void xz_sax_close(struct xz_sax *sx);
const xmlChar *xz_sax_intern(struct xz_sax *sx, const char *name);
/* The value of attribute i copied into out (cut to n - 1 bytes). */
void xz_sax_attr_value(const xmlChar **attrs, int i, char *out, size_t n);
/* Test hook: the inflated chunk size (0 = the default, 64 KB). */
void xz_set_chunk_size(size_t n);

enum xf_kind { XF_NUMBER = 0, XF_DATE = 1, XF_TIME = 2 };
#define SS_TOO_LONG UINT32_MAX

struct ss_entry { uint32_t off, len; };

struct xlsx_book {
    int date1904;
    unsigned char *xf_kind;    /* per cellXfs index */
    size_t nxf;
    char *ss_text;             /* shared strings, NUL-separated */
    size_t ss_used, ss_cap;
    struct ss_entry *ss;
    size_t nss, ss_alloc;
    char *sheet_part;          /* "xl/worksheets/sheet1.xml" */
};

/* Reads workbook.xml (+ rels), styles.xml and sharedStrings.xml. */
int xlsx_book_load(struct xlsx_zip *z, struct xlsx_book *b, const struct table_opts *o,
                   hcs_err *err);
void xlsx_book_free(struct xlsx_book *b);
/* Date/time kind of a number format (builtin id or custom code). */
enum xf_kind xlsx_format_kind(int id, const char *code);
/* Decodes the _xHHHH_ escapes of OOXML strings in place; returns the new length. */
size_t xlsx_unescape(char *s, size_t n);

#endif
