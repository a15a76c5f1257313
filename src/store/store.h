/* store — the durable state of hcsbatch behind one narrow interface:
 * runs, input files, packets, elements (TransportGUID ↔ source rows) with
 * their GIS outcomes, rejected rows, the registry of GIS ids, and what the
 * file store client remembers between runs (unfinished uploads, files
 * uploaded per content).
 *
 * Every state change the exchange makes is written (and committed) here
 * before the side effect it describes happens, so a killed process resumes
 * from the store alone.  The SQLite driver (store_sqlite.c) is the default;
 * the PostgreSQL driver (store_pg.c, libpq) runs the same SQL through the
 * statement layer store_sq.h: nothing outside src/store/ sees SQL.
 *
 * Conventions: ids are int64 (0 = none), times are Unix seconds (0 = not
 * set), strings in structs filled by the store are malloc'd and released by
 * the matching *_clear function.  Functions return 0 / -1 (err filled)
 * unless documented otherwise.
 * May call: base/ packet/ (the element struct store_element_add takes). */
#ifndef HCS_STORE_H
#define HCS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "base/err.h"
#include "packet/packet.h"

typedef struct store store;

#define STORE_SCHEMA_VERSION 11

/* Opens per [store] (driver = sqlite: path relative to paths.work_dir,
 * busy_timeout_ms; driver = postgres: conninfo), creating and migrating the
 * schema as needed. */
store *store_open(const hcs_config *cfg, hcs_err *err);
/* The SQLite driver directly (tests, tools). */
store *store_open_sqlite(const char *path, int busy_timeout_ms, hcs_err *err);
/* The PostgreSQL driver directly: a libpq connection string without a
 * password (refused: the password comes from PGPASSFILE / ~/.pgpass). */
store *store_open_pg(const char *conninfo, hcs_err *err);
const char *store_driver_name(store *st);   /* "sqlite" | "postgres" */
/* The organisation (config.h, [org:NAME]) whose runs, files, packets and
 * registry this handle reads and writes: store_open takes the one of its
 * configuration's view, the others start with "default".  org NULL: the
 * listings (store_runs_each, store_files_each, store_packets_each and
 * _count, store_registry_list) show every organisation; writes and lookups
 * keep the organisation set before. */
void store_set_org(store *st, const char *org);
const char *store_org(store *st);
void store_close(store *st);
int store_schema_version(store *st);

/* Transactions nest by counting: only the outermost commit commits. */
int store_begin(store *st, hcs_err *err);
int store_commit(store *st, hcs_err *err);
void store_rollback(store *st);
/* Durability of later commits: full = each commit reaches the disk before
 * it returns (power-cut safe; the default); 0 = committed and safe from a
 * killed process, flushed at checkpoints (WAL synchronous=NORMAL).  The
 * exchange uses 0 for answers it can ask for again. */
int store_set_full_sync(store *st, int full, hcs_err *err);   /* outside transactions only */
/* Makes every commit so far durable (WAL fsync + checkpoint). */
int store_flush(store *st, hcs_err *err);
/* "ok" or the first problem PRAGMA integrity_check reports. */
int store_integrity_check(store *st, char *out, size_t outlen, hcs_err *err);

/* ---- runs ---- */
int store_run_begin(store *st, const char *command, int64_t *run_id, hcs_err *err);
int store_run_finish(store *st, int64_t run_id, int exit_code, const char *summary, hcs_err *err);
/* When the earliest run of `command` of the store's organisation began
 * that never finished (killed) and came after the last that did; 0 when
 * there is none, -1 on error. */
int64_t store_run_unfinished_since(store *st, const char *command, hcs_err *err);

struct store_run {
    int64_t id;
    const char *command;
    int64_t pid, started_at, finished_at;   /* finished_at 0: still running or killed */
    int exit_code;                          /* -1 when not finished */
    const char *summary;
    const char *org;
};
typedef int (*store_run_fn)(void *ctx, const struct store_run *r);
/* The latest `limit` runs, newest first. */
int store_runs_each(store *st, int limit, store_run_fn fn, void *ctx, hcs_err *err);

/* ---- input files ---- */
/* File states: "converting" (packets being created; discarded on restart),
 * "converted" (its packets are prepared), "rejected" (unreadable as a whole),
 * "done" (every packet final), "waiting" (left in the inbox for a dependency). */
struct store_file {
    int64_t id, run_id;
    char *path;            /* where it was read (inbox) */
    char *name;            /* base name as the accountant wrote it */
    char *sha256;
    char *template_name;
    char *operation;
    char *state;
    long rows, rows_rejected;
    char *archive_path;    /* where it was moved to, or NULL */
    char *error;           /* why it was rejected as a whole, or NULL */
    int64_t created_at, updated_at;
    char *org;             /* the organisation it is of (set by the store) */
};
void store_file_clear(struct store_file *f);
int store_file_add(store *st, struct store_file *f, hcs_err *err);        /* sets f->id */
int store_file_update(store *st, const struct store_file *f, hcs_err *err);
/* 1 and *f filled when a file with this content and template was already
 * taken (any state but "converting" and "rejected"), 0 when not. */
int store_file_find_hash(store *st, const char *sha256, const char *template_name,
                         struct store_file *f, hcs_err *err);
int store_file_get(store *st, int64_t id, struct store_file *f, hcs_err *err);
/* Removes what a crashed conversion left behind (packets never sent,
 * elements, rows, rejects) and the file row itself. */
int store_file_discard(store *st, int64_t id, hcs_err *err);
typedef int (*store_file_fn)(void *ctx, const struct store_file *f);
/* run_id 0 = all files; state NULL = any. Ordered by id. */
int store_files_each(store *st, int64_t run_id, const char *state, store_file_fn fn, void *ctx,
                     hcs_err *err);

/* Files in "converted" whose packets are all final become "done". */
int store_files_finish(store *st, hcs_err *err);
/* How many files store_files_finish would mark done, or -1. */
long store_files_finishable(store *st, hcs_err *err);
/* Files taken in run_id, and files that or whose packets changed since
 * `since` (answers that arrived in that run, or in a killed one before
 * it).  Ordered by id. */
int store_files_touched(store *st, int64_t run_id, int64_t since, store_file_fn fn, void *ctx,
                        hcs_err *err);

/* ---- packets ---- */
/* States (see exchange.h): created prepared sent processing done
 * done-with-warnings failed deferred cancelled. */
struct store_packet {
    int64_t id, file_id, run_id, parent_id;
    char *operation;       /* gis_operation name */
    char *template_name;
    int seq;
    char *split_value;     /* house / period, or NULL */
    char *lane;            /* operation + split value: packets of one lane go in order */
    char *state;
    char message_guid[37];       /* ours (RequestHeader/MessageGUID) */
    char gis_message_guid[37];   /* Ack/MessageGUID, "" before the ack */
    int attempts;          /* sends started (a crash after starting may have sent it) */
    int polls;             /* getState calls answered */
    int64_t next_at;       /* when to send (deferred) or poll next */
    int64_t sent_at;       /* last send started */
    int64_t first_ack_at;  /* first ack for this packet (poll horizon counts from it) */
    int64_t done_at;
    int64_t unreachable_since;   /* first transient send failure of this outage, 0 = none */
    char *archive_path;    /* the signed envelope as sent */
    char *error_code;      /* last GIS / transport error code */
    char *error_text;      /* verbatim */
    int nelements;
    char *org;             /* the organisation it is of (set by the store) */
};
void store_packet_clear(struct store_packet *p);
int store_packet_add(store *st, struct store_packet *p, hcs_err *err);    /* sets p->id */
/* Writes every mutable field (state, ids, counters, times, archive, error). */
int store_packet_update(store *st, const struct store_packet *p, hcs_err *err);
int store_packet_get(store *st, int64_t id, struct store_packet *p, hcs_err *err);
/* Moves every packet of a file from one state to another (created → prepared
 * once the whole file is converted).  Returns the number moved, -1 on error. */
long store_packets_move_file(store *st, int64_t file_id, const char *from, const char *to, hcs_err *err);
/* Records a MessageGUID we stop using (EXP001000 rebuild) with the reason. */
int store_packet_abandon_message(store *st, int64_t packet_id, const char *message_guid,
                                 const char *gis_message_guid, const char *reason, hcs_err *err);

struct store_packet_filter {
    const char *const *states;   /* NULL-terminated list, NULL = any */
    int64_t due_before;          /* next_at <= this, 0 = any */
    int64_t file_id;             /* 0 = any */
    int64_t id;                  /* 0 = any */
    const char *operation;       /* NULL = any */
    const char *lease_owner;     /* only packets this worker holds a lease on, NULL = any */
};
typedef int (*store_packet_fn)(void *ctx, const struct store_packet *p);
/* Ordered by lane, seq, id.  fn returning non-zero stops the walk (returned). */
int store_packets_each(store *st, const struct store_packet_filter *flt, store_packet_fn fn,
                       void *ctx, hcs_err *err);
/* Number of packets in one of states (NULL-terminated), optionally of one operation. */
long store_packets_count(store *st, const char *const *states, const char *operation, hcs_err *err);
/* Earliest next_at among packets in states, 0 when none. */
int64_t store_packets_next_due(store *st, const char *const *states, hcs_err *err);
/* Earliest unreachable_since among packets in `states` (since when GIS has
 * not answered them); 0 when none waits for an outage to end. */
int64_t store_packets_unreachable_since(store *st, const char *const *states, hcs_err *err);

/* ---- work claiming (several workers, several hosts) ----
 * A worker takes packets with a lease (owner, until): a short transaction
 * picks packets nobody holds a live lease on (PostgreSQL: FOR UPDATE SKIP
 * LOCKED under an advisory lock; SQLite: BEGIN IMMEDIATE) and marks them.
 * A packet is the worker's until the lease ends or it releases it; a dead
 * worker's leases expire and another worker takes its packets over.  A
 * packet keeps its MessageGUID across workers, so a send the dead worker
 * may have made is repeated under the same MessageGUID, never doubled. */
struct store_claim {
    const char *owner;           /* the worker: "host:pid" */
    const char *const *states;   /* NULL-terminated */
    int64_t due_before;          /* next_at <= this, 0 = any */
    int64_t now;                 /* leases ending at or before now are free */
    int lease_seconds;
    int limit;
    int lanes;                   /* 1: not a packet whose lane has another packet in
                                  * `states` leased by another worker (lanes go in order) */
};
/* Claims up to c->limit packets, ordered by lane, seq, id; their ids into
 * ids[] (room for c->limit).  Returns how many, -1 on error.  Packets the
 * owner already holds are claimed again (lease renewed). */
long store_packets_claim(store *st, const struct store_claim *c, int64_t *ids, hcs_err *err);
/* Ends the owner's leases: of one packet (id > 0) or of all its packets
 * (id 0).  Returns how many, -1 on error. */
long store_packets_release(store *st, const char *owner, int64_t id, hcs_err *err);
/* The query plan of the claim c (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on
 * PostgreSQL; nothing is claimed), one plan line a line: for the
 * benchmark and the test of index use.  Malloc'd, or NULL (err). */
char *store_packets_claim_plan(store *st, const struct store_claim *c, hcs_err *err);

/* Named work claims (migration 9): one worker at a time holds a (kind,
 * key) — a file store upload by content ("upload"), an inbox file by
 * content ("inbox") — with a lease it renews while it works; a dead
 * worker's lease ends and another takes the work over. */
/* "host:pid", the owner this process claims as. */
void store_owner_id(char *out, size_t cap);
/* Claims (kind, key) for owner until now + lease_seconds: 1 taken (it
 * was free, its lease had ended, or owner held it: renewed), 0 when
 * another owner holds a live lease, -1 on error.  Commits on its own. */
int store_lease_take(store *st, const char *kind, const char *key, const char *owner, int64_t now,
                     int lease_seconds, hcs_err *err);
/* Ends owner's claim of (kind, key) (none held: nothing happens). */
int store_lease_release(store *st, const char *kind, const char *key, const char *owner, hcs_err *err);

/* A request slot of a rate shared by every worker on this database: takes
 * the next free slot of `name` (at least interval_us after the previous
 * slot taken by anyone) and says how long to wait for it.  0, or -1. */
int store_rate_slot(store *st, const char *name, int64_t now_us, int64_t interval_us, int64_t *wait_us,
                    hcs_err *err);

/* ---- elements and their outcomes ---- */
/* Element states: "pending" (in a packet not answered yet), "accepted",
 * "error" (GIS rejected it), "failed" (its packet failed as a whole),
 * "cancelled". */
/* More source rows of the element with this TransportGUID, from another
 * file (a join of two files: the premises rows of a house element). */
int store_element_rows_add(store *st, const char *transport_guid, int64_t file_id, const long *rows,
                           size_t nrows, hcs_err *err);
int store_element_add(store *st, int64_t packet_id, int64_t file_id,
                      const struct packet_element *e, hcs_err *err);
/* A part of an element (packet.h struct packet_part) as stored. */
struct store_part {
    int64_t element_id;
    char *kind, *local_key, *label;
    int refused_accepted;    /* this refusal turned its accepted element into an error */
};
struct store_outcome;
/* The outcome of a part's TransportGUID: 1 when it is a part of ours (pt
 * filled: free with store_part_clear), 0 when not, -1 on error.  A refused
 * part also marks its element refused, naming the part (label) and GIS's
 * error, after whatever the element's own answer said: store parts after
 * the elements of a result. */
int store_part_set_outcome(store *st, const struct store_outcome *o, struct store_part *pt, hcs_err *err);
void store_part_clear(struct store_part *pt);
struct store_outcome {
    const char *transport_guid;
    const char *state;           /* accepted | error | failed | cancelled */
    const char *gis_guid;        /* base:GUID, or NULL */
    const char *unique_number;
    const char *update_date;
    const char *error_code;
    const char *error_text;      /* verbatim from GIS */
    const char *attrs;           /* operation data, "Name=value;…" (UnifiedAccountNumber, ServiceID) */
};
/* Returns 1 when the TransportGUID is one of ours (local_key/label copied,
 * caller frees), 0 when unknown. */
int store_element_set_outcome(store *st, const struct store_outcome *o, char **local_key,
                              hcs_err *err);
/* Marks every still-pending element of a packet (packet failed / cancelled,
 * or no result for them); returns how many, -1 on error. */
int store_elements_finish_packet(store *st, int64_t packet_id, const char *state,
                                 const char *error_code, const char *error_text, hcs_err *err);

/* Every element of a packet back to "pending" (operator retry). */
int store_elements_reset_packet(store *st, int64_t packet_id, hcs_err *err);

/* How the latest import of one object ended: the newest element of a
 * packet of `operation` whose key, in its comparison form, is local_key's
 * (elements stored before schema 4: the key as written). */
struct store_last_import {
    char *state;                 /* element state: pending accepted error failed cancelled */
    int64_t packet_id;
    char *packet_state;
    char *file_name;             /* the input file it came from, or NULL */
    char *error_code, *error_text;   /* the element's, else its packet's, or NULL */
};
void store_last_import_clear(struct store_last_import *li);
/* 1 found (*li filled), 0 none, -1 error. */
int store_element_last_import(store *st, const char *operation, const char *local_key,
                              struct store_last_import *li, hcs_err *err);
/* ---- registry refreshes (run/refresh.h) ----
 * An element GIS refused because the registry was stale gets one refresh:
 * exports of the objects concerned, then one retry of its rows or, for an
 * object GIS already has, a reconciliation.  States: "exporting" (its
 * export packets are stored), "retried", "reconciled", "given-up".  An
 * element a refresh made carries a note and is never refreshed again;
 * errors stored before refreshes existed are "before-refreshes". */
struct store_refresh {
    int64_t element_id, packet_id, file_id;
    char *state;                 /* NULL for a candidate */
    char *element_state;         /* the element's: "error" unless an operator retry reset it */
    char *exports;               /* export packet ids "12,13", or NULL */
    char *transport_guid, *local_key, *error_code, *error_text;
    char *template_name;         /* of the element's packet */
};
void store_refresh_clear(struct store_refresh *r);
typedef int (*store_refresh_fn)(void *ctx, const struct store_refresh *r);
/* Elements GIS refused with one of codes (NULL-terminated) in a final
 * packet of an input file, without a refresh and not made by one; ordered
 * by packet and element.  fn returning non-zero stops the walk. */
int store_refresh_candidates(store *st, const char *const *codes, store_refresh_fn fn, void *ctx,
                             hcs_err *err);
/* Refreshes in state, ordered by packet and element. */
int store_refreshes_each(store *st, const char *state, store_refresh_fn fn, void *ctx, hcs_err *err);
/* Inserts or updates (state, exports) the refresh of r->element_id. */
int store_refresh_put(store *st, const struct store_refresh *r, hcs_err *err);
/* The source rows of an element, ascending (*rows malloc'd).  Rows of
 * another file than the element's (the premises file joined to a houses
 * file) come flagged (packet_row_second) and *joined names that file (0:
 * none; joined may be NULL). */
int store_element_rows(store *st, int64_t element_id, long **rows, size_t *n, int64_t *joined, hcs_err *err);
/* An element's refresh outcome: state ("retried": superseded by the
 * retry's elements, "accepted": reconciled), gis_guid when not NULL, note. */
int store_element_note(store *st, int64_t element_id, const char *state, const char *gis_guid,
                       const char *note, hcs_err *err);
/* Elements of a packet in state, -1 on error. */
long store_elements_count(store *st, int64_t packet_id, const char *state, hcs_err *err);
/* Every element of a packet gets note (the elements a retry made). */
int store_elements_note_packet(store *st, int64_t packet_id, const char *note, hcs_err *err);

/* ---- rejected rows ---- */
struct store_reject {
    long row;
    const char *column, *value, *reason, *element_key;
};
int store_reject_add(store *st, int64_t file_id, const struct store_reject *r, hcs_err *err);

/* ---- registry of GIS ids ---- */
struct store_registry_entry {
    char *kind;            /* "account", "payment_document", "meter", "premises", … */
    char *local_key;
    char *guid;
    char *unique_number;
    char *version;         /* version GUID where GIS has one */
    char *update_date;
    char *last_error;      /* "CODE text" of the last failed import, or NULL */
    char *attrs;           /* "UnifiedAccountNumber=…;ServiceID=…" */
    char *display_key;     /* the key as GIS or the input spelt it, where local_key
                            * holds its comparison form (else NULL); shown only */
    char *org;             /* read by store_registry_list only; writes use the store's */
};
void store_registry_clear(struct store_registry_entry *e);
/* Inserts or replaces by (kind, local_key); NULL fields keep their stored value. */
int store_registry_put(store *st, const struct store_registry_entry *e, hcs_err *err);
/* 1 found, 0 not. */
int store_registry_get(store *st, const char *kind, const char *local_key,
                       struct store_registry_entry *e, hcs_err *err);

/* Kinds the GIS exports fill (src/soap/export_parse.h) and their local
 * keys, parts joined with '|' in their comparison form (base/keynorm.h):
 *   premises          <FIAS house>|<premises number>          → PremisesGUID
 *   room              <FIAS house>|<premises number>|<room>   → LivingRoomGUID
 *   meter             <serial number>, and <FIAS house>|<serial number> from the
 *                     exports                                 → MeteringDeviceRootGUID
 *                     (version: MeteringDeviceVersionGUID; attrs house=,kind=)
 *   meter_kind        the same keys              → onerate | electric | volume (in guid)
 *   account           <account number>                        → AccountGUID
 *                     (unique_number: UnifiedAccountNumber)
 *   org               <OGRN>                                  → orgVersionGUID
 *                     (attrs root=orgRootEntityGUID)
 *   nsi               <registry>|<code> and <registry>|<name> → GUID (unique_number: the code)
 *   payment_document  <account number>|<doc number>|<YYYY-MM> → PaymentDocumentGUID
 *                     (unique_number: PaymentDocumentID)
 *   payment_notification  <OrderID> → the notification's GUID (import results)
 * Import results store a meter under the importMeteringDeviceData element
 * key (the serial alone); templates ask within the house first. */
#define REG_PREMISES "premises"
#define REG_ROOM "room"
#define REG_METER "meter"
#define REG_METER_KIND "meter_kind"
/* an archived or replaced device (importMeteringDeviceData-archive/-replace
 * results, StatusRootDoc Archival in exports): <FIAS house>|<serial> → root GUID */
#define REG_METER_ARCHIVED "meter_archived"
#define REG_ACCOUNT "account"
#define REG_ORG "org"
#define REG_NSI "nsi"
#define REG_PAYMENT_DOCUMENT "payment_document"

/* The registry key of parts[0..n): each part in its comparison form,
 * joined with '|'.  malloc'd. */
char *store_registry_key(const char *const *parts, int n);
/* The same parts as written (display_key), joined the same way.  malloc'd. */
char *store_registry_key_as_written(const char *const *parts, int n);
/* store_registry_put with e->local_key in its comparison form. */
int store_registry_put_key(store *st, const struct store_registry_entry *e, hcs_err *err);
/* store_registry_get by the comparison form of local_key, then by the key
 * as written when that differs (entries an import stored verbatim): one
 * query either way, a miss included. */
int store_registry_find(store *st, const char *kind, const char *local_key,
                        struct store_registry_entry *e, hcs_err *err);
/* The answer to a converter lookup (convert_resolve_fn shape over the
 * store): kind "KIND" or "KIND.FIELD", FIELD one of guid (default),
 * unique_number, version; found as store_registry_find finds, through a
 * statement prepared once per store that copies the one field (nothing
 * allocated per lookup).  1 = found
 * (out set; an empty or over-long answer counts as unknown), 0 = unknown,
 * -1 = error (err) or an unknown FIELD (HCS_EX_SOFTWARE). */
int store_registry_answer(store *st, const char *kind, const char *local_key, char out[37],
                          hcs_err *err);
/* 1 when some entry of kind has a key starting with key_prefix (in its
 * comparison form: "<FIAS house>|" = the house is known), 0 not, -1 error. */
int store_registry_has_prefix(store *st, const char *kind, const char *key_prefix, hcs_err *err);
/* Removes every entry of kind whose key starts with key_prefix (comparison
 * form); the number removed, or -1.  A dictionary GIS sent anew replaces the
 * registry's copy ("<registry>|"). */
long store_registry_drop_prefix(store *st, const char *kind, const char *key_prefix, hcs_err *err);
/* Removes every entry of kind whose GUID is guid (an archived metering
 * device leaves kind meter under all its keys).  0, or -1 (err). */
int store_registry_drop_guid(store *st, const char *kind, const char *guid, hcs_err *err);
typedef int (*store_registry_fn)(void *ctx, const struct store_registry_entry *e);
/* Every entry of kind (NULL = all kinds), ordered by kind and key; fn
 * returning non-zero stops the walk (returned).  Returns 0 or -1. */
int store_registry_list(store *st, const char *kind, store_registry_fn fn, void *ctx,
                        hcs_err *err);

/* ---- the file store client's memory (src/filestore/) ----
 * The client opens its own connection to the same database (see
 * run/attach.h: it works while the run's connection has no
 * transaction open), so these calls commit on their own. */
/* An unfinished multipart upload of one file (its real path) to a context:
 * a later run continues it when size, mtime and part count still match. */
struct store_upload {
    char upload_id[37];
    int64_t size, mtime;
    int parts;
};
/* 1 found (*u filled), 0 none, -1 error. */
int store_upload_find(store *st, const char *context, const char *path, struct store_upload *u,
                      hcs_err *err);
/* Records the upload (replacing an older one of the same file) before the
 * first part is sent. */
int store_upload_begin(store *st, const char *context, const char *path, const struct store_upload *u,
                       hcs_err *err);
/* A part GIS acknowledged (informational: after a crash HEAD is the truth). */
int store_upload_part_done(store *st, const char *upload_id, int part, hcs_err *err);
/* Parts recorded for the upload, -1 on error. */
long store_upload_parts_count(store *st, const char *upload_id, hcs_err *err);
/* Forgets the upload and its parts (finished, or GIS no longer knows it). */
int store_upload_end(store *st, const char *context, const char *path, const char *upload_id,
                     hcs_err *err);

/* A file uploaded once per content: (context, SHA-256 of the bytes, hash
 * scope "file" | "first_part") → AttachmentGUID + AttachmentHASH. */
/* 1 found (guid, hash filled), 0 none, -1 error. */
int store_attachment_find(store *st, const char *context, const char *sha256, const char *scope,
                          char guid[37], char hash[65], hcs_err *err);
int store_attachment_put(store *st, const char *context, const char *sha256, const char *scope,
                         int64_t size, const char *name, const char *guid, const char *hash, hcs_err *err);
/* Forgets a remembered attachment (GIS no longer has it). */
int store_attachment_forget(store *st, const char *guid, hcs_err *err);

/* ---- marks: small named values kept between runs ---- */
/* 1 found (*value set), 0 not set (*value = 0), -1 error. */
int store_mark_get(store *st, const char *name, int64_t *value, hcs_err *err);
/* Sets (or replaces) the mark; committed with the caller's transaction, or at once. */
int store_mark_put(store *st, const char *name, int64_t value, hcs_err *err);

/* ---- what reports read ---- */
/* One source row with its outcome: every row of a file appears once per
 * element it belongs to, or once per reject (an element a retry
 * superseded is left out: its rows appear with the retry's outcome). */
struct store_row_outcome {
    long row;
    const char *outcome;         /* accepted | error | pending | failed | cancelled | rejected | deferred */
    const char *local_key;       /* element key, or the reject's element key */
    const char *label;
    const char *transport_guid;
    const char *gis_guid;
    const char *unique_number;
    const char *update_date;
    const char *error_code;      /* GIS code, or NULL */
    const char *error_text;      /* GIS text verbatim, or the reject reason */
    const char *column;          /* rejects only */
    const char *value;           /* rejects only */
    const char *packet_state;    /* state of the element's packet, NULL for rejects */
    int64_t packet_id;
    const char *note;            /* what a registry refresh did with the row (Russian), or NULL */
};
typedef int (*store_row_fn)(void *ctx, const struct store_row_outcome *r);
/* Ordered by row number. */
int store_file_rows(store *st, int64_t file_id, store_row_fn fn, void *ctx, hcs_err *err);

/* ---- a spill index (store_spill.c) ----
 * Rows of a file kept on disk by key while a join reads another file
 * (packet/join.c): a private temporary SQLite database whatever the
 * driver, deleted when closed; memory stays bounded whatever the rows. */
typedef struct store_spill store_spill;
store_spill *store_spill_open(hcs_err *err);
void store_spill_close(store_spill *sp);
int store_spill_put(store_spill *sp, const char *key, long row, const void *data, size_t len, hcs_err *err);
/* Marks key as seen: 1 when it was not marked before, 0 when it was, -1 error. */
int store_spill_mark(store_spill *sp, const char *key, hcs_err *err);
int store_spill_unmark_all(store_spill *sp, hcs_err *err);
/* fn(ctx, row, data, len) for every row put under key, in row order. */
typedef void (*store_spill_fn)(void *ctx, long row, const void *data, size_t len);
int store_spill_rows(store_spill *sp, const char *key, store_spill_fn fn, void *ctx, hcs_err *err);
/* The smallest key of rows put that is greater than after and not marked:
 * 1 (*key malloc'd), 0 none, -1 error. */
int store_spill_next_unmarked(store_spill *sp, const char *after, char **key, hcs_err *err);

#endif
