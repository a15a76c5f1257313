/* sim_db — the simulator's world and state in one SQLite file.
 *
 * The world fixture (CSV files) is loaded into tables with origin='world';
 * everything an import creates or changes gets origin='state' and is never
 * replaced by a reload, so a restart keeps imported objects, acks and
 * results while still picking up edits of untouched fixture rows.
 * Messages (acks, processing state, results) live in the same file. */
#ifndef HCS_SIM_DB_H
#define HCS_SIM_DB_H

#include <sqlite3.h>

#include "base/err.h"

/* Opens (creating) <state_dir>/sim-state.sqlite and its schema. */
sqlite3 *sim_db_open(const char *state_dir, hcs_err *err);
void sim_db_close(sqlite3 *db);

/* Reloads the world CSV files of dir (see docs/hcs-sim.md). */
int sim_db_load_world(sqlite3 *db, const char *world_dir, hcs_err *err);

/* Row callback: return non-zero to stop. */
typedef int (*sim_row_fn)(void *ctx, sqlite3_stmt *row);

/* Runs one statement with text parameters (NULL-terminated list; a NULL
 * parameter is written as the string SIM_NULL).  Calls fn per result row.
 * Returns the number of rows seen, or -1 on an SQL error (err filled). */
#define SIM_NULL ((const char *)"\x01null")
int sim_db_query(sqlite3 *db, sim_row_fn fn, void *ctx, hcs_err *err, const char *sql, ...);

/* Text of column i, "" for NULL (valid until the next step). */
const char *sim_col(sqlite3_stmt *row, int i);

/* First column of the first row copied into out (size n); 1 found, 0 none, -1 error. */
int sim_db_get(sqlite3 *db, char *out, size_t n, const char *sql, ...);

/* Gives the housing-stock object with GUID old_guid (premises, room, meter,
 * account) a new GUID, references included, as GIS does when an object is
 * registered anew: a client's registry that still holds the old one is
 * stale.  new_guid is the GUID given; -1 (HCS_EX_USAGE) when no object has it. */
int sim_db_renew_guid(sqlite3 *db, const char *old_guid, char new_guid[40], hcs_err *err);

int sim_db_begin(sqlite3 *db);
int sim_db_commit(sqlite3 *db);
void sim_db_rollback(sqlite3 *db);

#endif
