/* store_sqlite — internals shared by the SQLite driver's files. */
#ifndef HCS_STORE_SQLITE_H
#define HCS_STORE_SQLITE_H

#include <stddef.h>
#include <sqlite3.h>

#include "store/store.h"

struct store {
    sqlite3 *db;
    int tx_depth;
    char *path;
};

size_t store_sqlite_migration_count(void);
const char *store_sqlite_migration(size_t version);   /* SQL bringing version-1 → version */

/* Helpers: prepare (err on failure), bind a possibly-NULL string, copy a column. */
int sq_prep(store *st, const char *sql, sqlite3_stmt **stmt, hcs_err *err);
void sq_text(sqlite3_stmt *s, int i, const char *v);
char *sq_dup(sqlite3_stmt *s, int i);
int sq_fail(store *st, hcs_err *err, const char *what);
int sq_exec(store *st, const char *sql, hcs_err *err);
/* Steps a statement that returns no rows, finalizes it. */
int sq_done(store *st, sqlite3_stmt *s, hcs_err *err, const char *what);
int64_t sq_now(void);

#endif
