/* store_sqlite — internals shared by the SQLite driver's files. */
#ifndef HCS_STORE_SQLITE_H
#define HCS_STORE_SQLITE_H

#include <stddef.h>
#include <sqlite3.h>

#include "base/strbuf.h"
#include "store/store.h"

struct store {
    sqlite3 *db;
    int tx_depth;
    char *path;
    /* Prepared once, reset after each use: the converter asks the registry
     * for every key of every row, and an export puts every object it lists. */
    sqlite3_stmt *registry_get, *registry_put;
    /* [0] a key written in its comparison form, [1] both spellings */
    sqlite3_stmt *registry_find[2], *registry_answer[2];
    strbuf lookup_key;            /* their key in its comparison form, reused: no allocation per lookup */
};

size_t store_sqlite_migration_count(void);
const char *store_sqlite_migration(size_t version);   /* SQL bringing version-1 → version */

/* Helpers: prepare (err on failure), bind a possibly-NULL string, copy a column. */
int sq_prep(store *st, const char *sql, sqlite3_stmt **stmt, hcs_err *err);
void sq_text(sqlite3_stmt *s, int i, const char *v);
/* sq_text for v[0..n) as parameters first, first + 1, …; returns first + n. */
int sq_texts(sqlite3_stmt *s, int first, const char *const *v, size_t n);
#define SQ_TEXTS(s, first, ...) \
    sq_texts(s, first, (const char *const[]){ __VA_ARGS__ }, \
             sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))
char *sq_dup(sqlite3_stmt *s, int i);
int sq_fail(store *st, hcs_err *err, const char *what);
int sq_exec(store *st, const char *sql, hcs_err *err);
/* Steps a statement that returns no rows, finalizes it. */
int sq_done(store *st, sqlite3_stmt *s, hcs_err *err, const char *what);
/* A statement prepared once per store (*cached; store_close finalizes it):
 * prepares it on first use.  0, or -1 (err). */
int sq_cached(store *st, sqlite3_stmt **cached, const char *sql, hcs_err *err);
/* Steps a cached statement that returns no rows, then resets it. */
int sq_done_cached(store *st, sqlite3_stmt *s, hcs_err *err, const char *what);
int64_t sq_now(void);

/* A row read by a table of fields, column i into fields[i]: the struct
 * readers of the drivers' SELECTs. */
enum sq_type { SQ_I64, SQ_INT, SQ_LONG, SQ_TEXT, SQ_GUID };   /* SQ_GUID: char[37] */
struct sq_field {
    size_t offset;
    enum sq_type type;
};
#define SQ_FIELD(type_, member, kind) { offsetof(type_, member), kind }
void sq_read_row(sqlite3_stmt *s, const struct sq_field *fields, size_t n, void *out);
/* The registry's columns, in the order registry_fields reads them. */
#define REGISTRY_COLS "kind, local_key, guid, unique_number, version, update_date, last_error, attrs"
extern const struct sq_field registry_fields[8];

/* Runs `sql` (one ? for the id) and reads its row into out: 0, or -1 with
 * HCS_EX_DATAERR "no <what> with id N" when there is none. */
int sq_get_by_id(store *st, const char *sql, int64_t id, const struct sq_field *fields, size_t n, void *out,
                 const char *what, hcs_err *err);

#endif
