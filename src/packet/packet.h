/* packet — one request envelope ready to sign and send, and the elements
 * it carries with the source rows they came from.  This is the contract
 * between the converter (read → template → packet → soap) and everything
 * downstream (sign, exchange, store, report).  Owned by src/packet/.
 * May call: base/ proto/ read/ template/ soap/ sign/. */
#ifndef HCS_PACKET_H
#define HCS_PACKET_H

#include <stddef.h>
#include <libxml/tree.h>

#include "proto/operations.h"
#include "read/read.h"

/* Row numbers of a joined table (packet/join.h, two files as one): which
 * file a row of an element or a reject came from (0 the file converted,
 * 1 the file joined to it), and its row number in that file. */
static inline int packet_row_file(long row) { return table_row_file(row); }
static inline long packet_row_number(long row) { return table_row_number(row); }
static inline long packet_row_second(long row) { return row | TABLE_ROW_SECOND; }

/* A nested object of an element with a TransportGUID of its own (a premises,
 * room or entrance of a house: template [parts]); GIS answers for it
 * separately, and its GUID goes into the registry as kind/local_key. */
struct packet_part {
    char transport_guid[37];
    char *kind;                  /* registry kind: "premises", "room", "entrance" */
    char *local_key;             /* "<FIAS>|<number>" … */
    char *label;                 /* for people: "помещение 5" */
};

struct packet_element {
    char transport_guid[37];     /* base:TransportGUID of this element */
    char *local_key;             /* the accounting system's key: account number, serial+date, … */
    char *label;                 /* key columns for people, e.g. "ЛС 10001" */
    long *rows;                  /* source row numbers (spreadsheet numbering) */
    size_t nrows;
    struct packet_part *parts;   /* nested objects answered on their own, or NULL */
    size_t nparts;
};

/* Frees what an element owns (not the element itself). */
void packet_element_clear(struct packet_element *e);

struct packet {
    const struct gis_operation *op;
    char *template_name;         /* templates/<name>, e.g. "importPaymentDocumentData-withdraw" */
    char *source_file;           /* input path the elements came from */
    int seq;                     /* 1, 2, … within source file and template */
    int parent_seq;              /* 0 for the first packet of the file, else that packet's seq */
    char *split_value;           /* house FIAS GUID, billing period "YYYY-MM", or NULL */
    char message_guid[37];       /* RequestHeader/MessageGUID */
    xmlDocPtr doc;               /* the envelope while the packet is built (schema-valid,
                                    not yet signed); NULL once sealed: sinks get the text */
    char *text;                  /* the envelope as UTF-8: while building, the rendered text
                                    (NULL after the converter removed elements); once sealed,
                                    the bytes to store and send; packet_free frees it */
    size_t text_len;
    struct packet_element *elements;
    size_t nelements;
};

void packet_free(struct packet *p);

#endif
