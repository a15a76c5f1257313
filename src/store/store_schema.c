/* store_schema — the SQLite schema as an ordered list of migrations.
 * Migration N brings the database from version N-1 to N; the version lives
 * in schema_version.  Never edit a released migration: append a new one. */
#include "store/store_sq.h"

static const char *const migrations[] = {
    /* 1: the initial schema */
    "CREATE TABLE runs ("
    "  id INTEGER PRIMARY KEY, command TEXT NOT NULL, pid INTEGER,"
    "  started_at INTEGER NOT NULL, finished_at INTEGER, exit_code INTEGER, summary TEXT);"
    "CREATE TABLE files ("
    "  id INTEGER PRIMARY KEY, run_id INTEGER REFERENCES runs(id),"
    "  path TEXT NOT NULL, name TEXT NOT NULL, sha256 TEXT NOT NULL,"
    "  template TEXT NOT NULL, operation TEXT, state TEXT NOT NULL,"
    "  rows INTEGER NOT NULL DEFAULT 0, rows_rejected INTEGER NOT NULL DEFAULT 0,"
    "  archive_path TEXT, error TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE INDEX files_hash ON files(sha256, template);"
    "CREATE INDEX files_run ON files(run_id);"
    "CREATE TABLE packets ("
    "  id INTEGER PRIMARY KEY, file_id INTEGER REFERENCES files(id), run_id INTEGER,"
    "  parent_id INTEGER, operation TEXT NOT NULL, template TEXT, seq INTEGER NOT NULL,"
    "  split_value TEXT, lane TEXT NOT NULL, state TEXT NOT NULL,"
    "  message_guid TEXT NOT NULL UNIQUE, gis_message_guid TEXT,"
    "  attempts INTEGER NOT NULL DEFAULT 0, polls INTEGER NOT NULL DEFAULT 0,"
    "  next_at INTEGER NOT NULL DEFAULT 0, sent_at INTEGER, first_ack_at INTEGER, done_at INTEGER,"
    "  archive_path TEXT, error_code TEXT, error_text TEXT, nelements INTEGER NOT NULL DEFAULT 0,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE INDEX packets_state ON packets(state, next_at);"
    "CREATE INDEX packets_file ON packets(file_id);"
    "CREATE TABLE packet_messages ("
    "  id INTEGER PRIMARY KEY, packet_id INTEGER NOT NULL REFERENCES packets(id),"
    "  message_guid TEXT NOT NULL, gis_message_guid TEXT, reason TEXT, at INTEGER NOT NULL);"
    "CREATE TABLE elements ("
    "  id INTEGER PRIMARY KEY, packet_id INTEGER NOT NULL REFERENCES packets(id),"
    "  file_id INTEGER REFERENCES files(id), transport_guid TEXT NOT NULL UNIQUE,"
    "  local_key TEXT, label TEXT, state TEXT NOT NULL DEFAULT 'pending',"
    "  gis_guid TEXT, unique_number TEXT, update_date TEXT, error_code TEXT, error_text TEXT,"
    "  attrs TEXT, updated_at INTEGER);"
    "CREATE INDEX elements_packet ON elements(packet_id);"
    "CREATE TABLE element_rows ("
    "  element_id INTEGER NOT NULL REFERENCES elements(id), file_id INTEGER NOT NULL,"
    "  row INTEGER NOT NULL, PRIMARY KEY (file_id, row, element_id));"
    "CREATE TABLE rejects ("
    "  id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL REFERENCES files(id), row INTEGER NOT NULL,"
    "  col TEXT, value TEXT, reason TEXT NOT NULL, element_key TEXT);"
    "CREATE INDEX rejects_file ON rejects(file_id, row);"
    "CREATE TABLE registry ("
    "  kind TEXT NOT NULL, local_key TEXT NOT NULL, guid TEXT, unique_number TEXT,"
    "  version TEXT, update_date TEXT, last_error TEXT, attrs TEXT, updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (kind, local_key));",
    /* 2: the file store client's tables, which it used to create itself
     * (fs_state.c, same names and columns): IF NOT EXISTS keeps a database
     * where it already did so, with its rows. */
    "CREATE TABLE IF NOT EXISTS filestore_uploads ("
    "  context TEXT NOT NULL, path TEXT NOT NULL, upload_id TEXT NOT NULL,"
    "  size INTEGER NOT NULL, mtime INTEGER NOT NULL, parts INTEGER NOT NULL,"
    "  started_at INTEGER NOT NULL, PRIMARY KEY (context, path));"
    "CREATE TABLE IF NOT EXISTS filestore_parts ("
    "  upload_id TEXT NOT NULL, part INTEGER NOT NULL, done_at INTEGER NOT NULL,"
    "  PRIMARY KEY (upload_id, part));"
    "CREATE TABLE IF NOT EXISTS filestore_attachments ("
    "  context TEXT NOT NULL, sha256 TEXT NOT NULL, scope TEXT NOT NULL,"
    "  size INTEGER NOT NULL, name TEXT, guid TEXT NOT NULL, hash TEXT NOT NULL,"
    "  uploaded_at INTEGER NOT NULL, PRIMARY KEY (context, sha256, scope));",
    /* 3: since when GIS has not answered a packet's send (an outage), 0 = it
     * answered; the back-off and give_up_after count from it. */
    "ALTER TABLE packets ADD COLUMN unreachable_since INTEGER NOT NULL DEFAULT 0;",
    /* 4: marks (small named values kept between runs: the outage notice
     * sent); elements' keys in their comparison form (base/keynorm.h), so
     * that a later file can ask how an object's last import ended
     * (rows written before carry NULL and are compared as written). */
    "CREATE TABLE marks (name TEXT PRIMARY KEY, value INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "ALTER TABLE elements ADD COLUMN key_norm TEXT;"
    "CREATE INDEX elements_key_norm ON elements(key_norm);",
    /* 5: the registry keyed by its primary key alone (WITHOUT ROWID): the
     * converter's lookup of every key of every row descends one b-tree,
     * not the key index and then the table (a quarter less per lookup at
     * a million entries, bench_resolve). */
    "CREATE TABLE registry_by_key ("
    "  kind TEXT NOT NULL, local_key TEXT NOT NULL, guid TEXT, unique_number TEXT,"
    "  version TEXT, update_date TEXT, last_error TEXT, attrs TEXT, updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (kind, local_key)) WITHOUT ROWID;"
    "INSERT INTO registry_by_key SELECT kind, local_key, guid, unique_number, version, update_date,"
    "  last_error, attrs, updated_at FROM registry;"
    "DROP TABLE registry;"
    "ALTER TABLE registry_by_key RENAME TO registry;",
    /* 6: registry refreshes (run/refresh.h): one per element GIS refused
     * because the registry was stale; an element a refresh made carries a
     * note (and is never refreshed again). */
    "CREATE TABLE refreshes ("
    "  element_id INTEGER PRIMARY KEY REFERENCES elements(id), packet_id INTEGER NOT NULL,"
    "  file_id INTEGER, state TEXT NOT NULL, exports TEXT,"
    "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE INDEX refreshes_state ON refreshes(state, packet_id);"
    "ALTER TABLE elements ADD COLUMN note TEXT;"
    /* errors answered before refreshes existed stay as they are: an upgrade
     * does not re-export and retry the history */
    "INSERT INTO refreshes(element_id, packet_id, file_id, state, created_at, updated_at)"
    "  SELECT id, packet_id, file_id, 'before-refreshes', CAST(strftime('%s','now') AS INTEGER),"
    "  CAST(strftime('%s','now') AS INTEGER) FROM elements WHERE state='error';",
    /* 7: parts of an element with TransportGUIDs of their own (the premises,
     * rooms and entrances of an importHouseUOData house): GIS answers each;
     * an accepted part goes into the registry as kind/local_key, a refused
     * one marks its element. */
    "CREATE TABLE element_parts ("
    "  transport_guid TEXT PRIMARY KEY, element_id INTEGER NOT NULL REFERENCES elements(id),"
    "  kind TEXT NOT NULL, local_key TEXT NOT NULL, label TEXT,"
    "  state TEXT NOT NULL DEFAULT 'pending', gis_guid TEXT, unique_number TEXT,"
    "  error_code TEXT, error_text TEXT);"
    "CREATE INDEX element_parts_element ON element_parts(element_id);",
    /* 8: work claiming: a packet's lease (the worker holding it, until
     * when), and the slots of rates shared by the workers. */
    "ALTER TABLE packets ADD COLUMN lease_owner TEXT;"
    "ALTER TABLE packets ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX packets_lease ON packets(lease_owner);"
    "CREATE INDEX packets_lane ON packets(lane, lease_until);"
    "CREATE TABLE rate_slots (name TEXT PRIMARY KEY, next_us INTEGER NOT NULL);",
    /* 9:
     * several organisations in one database.  Runs, input files and
     * packets belong to one (config.h, [org:NAME]; rows from before are
     * the default organisation's), and the registry is keyed by the
     * organisation first: premises 5 of one organisation's house is not
     * another's. */
    "ALTER TABLE runs ADD COLUMN org TEXT NOT NULL DEFAULT 'default';"
    "ALTER TABLE files ADD COLUMN org TEXT NOT NULL DEFAULT 'default';"
    "ALTER TABLE packets ADD COLUMN org TEXT NOT NULL DEFAULT 'default';"
    "CREATE INDEX packets_org ON packets(org, state, next_at);"
    "DROP INDEX files_hash;"
    "CREATE INDEX files_hash ON files(org, sha256, template);"
    "CREATE TABLE registry_org ("
    "  org TEXT NOT NULL DEFAULT 'default', kind TEXT NOT NULL, local_key TEXT NOT NULL, guid TEXT, unique_number TEXT,"
    "  version TEXT, update_date TEXT, last_error TEXT, attrs TEXT, updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (org, kind, local_key)) WITHOUT ROWID;"
    "INSERT INTO registry_org SELECT 'default', kind, local_key, guid, unique_number, version, update_date,"
    "  last_error, attrs, updated_at FROM registry;"
    "DROP TABLE registry;"
    "ALTER TABLE registry_org RENAME TO registry;",
    /* 10: named work claims with a lease beside the packets' own: a file
     * store upload (by content) and an inbox file (by content) */
    "CREATE TABLE work_claims (kind TEXT NOT NULL, key TEXT NOT NULL, owner TEXT NOT NULL,"
    "  lease_until INTEGER NOT NULL, PRIMARY KEY (kind, key));",
    /* 11: a registry key as GIS or the input spelt it, beside the comparison
     * form the key column holds (hcsbatch registry shows it) */
    "ALTER TABLE registry ADD COLUMN display_key TEXT;",
};

size_t store_sqlite_migration_count(void)
{
    return sizeof migrations / sizeof migrations[0];
}

const char *store_sqlite_migration(size_t version)
{
    if (version < 1 || version > store_sqlite_migration_count())
        return NULL;
    return migrations[version - 1];
}
