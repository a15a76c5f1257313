/* Unit tests for src/store, the driver-neutral ones on SQLite and, when
 * HCS_TEST_PG_CONNINFO names a server (tests/lib/pg_throwaway.sh starts
 * one), on PostgreSQL too (else a SKIP line): schema creation and migration
 * from an older version, refusing a newer schema, nested transactions and
 * rollback, files/packets/elements/outcomes/registry round trips, the
 * per-row query the reports read, discarding a half-converted file, and
 * the file store client's tables (uploads, parts, attachments), registry
 * refreshes. */
#include "testutil.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "store/store.h"

static char *db_path(char **dir)
{
    *dir = tu_tmpdir();
    return xasprintf("%s/state.db", *dir);
}

/* The driver the neutral tests open: NULL SQLite, else a PostgreSQL
 * connection string whose search_path is a schema of this test's own. */
static char *pg_conninfo;
#define PG_SCHEMA "t_store"

/* Runs sql on the test server directly (libpq): 0 or the error. */
static int pg_sql(const char *sql)
{
    PGconn *c = PQconnectdb(getenv("HCS_TEST_PG_CONNINFO"));
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    PGresult *r = PQexec(c, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "pg_sql: %s", PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    return ok ? 0 : -1;
}

/* A fresh, empty state database of the driver under test. */
static store *open_fresh(const char *path, hcs_err *err)
{
    if (!pg_conninfo)
        return store_open_sqlite(path, 1000, err);
    assert_int_equal(pg_sql("DROP SCHEMA IF EXISTS " PG_SCHEMA " CASCADE; CREATE SCHEMA " PG_SCHEMA), 0);
    return store_open_pg(pg_conninfo, err);
}

/* The same database again (a second connection). */
static store *open_again(const char *path, int busy_ms, hcs_err *err)
{
    return pg_conninfo ? store_open_pg(pg_conninfo, err) : store_open_sqlite(path, busy_ms, err);
}

/* A SQLite database back to before migration 11 (registry display keys). */
#define UNDO_11 " ALTER TABLE registry DROP COLUMN display_key;"
/* A SQLite database back to before migration 10 (named work claims). */
#define UNDO_10 " DROP TABLE work_claims;"

/* A SQLite database back to before migration 9 (organisations). */
#define UNDO_9 " DROP INDEX packets_org; DROP INDEX files_hash; ALTER TABLE runs DROP COLUMN org;" \
               " ALTER TABLE files DROP COLUMN org; ALTER TABLE packets DROP COLUMN org;" \
               " CREATE INDEX files_hash ON files(sha256, template);" \
               " CREATE TABLE registry_old (kind TEXT NOT NULL, local_key TEXT NOT NULL, guid TEXT," \
               " unique_number TEXT, version TEXT, update_date TEXT, last_error TEXT, attrs TEXT," \
               " updated_at INTEGER NOT NULL, PRIMARY KEY (kind, local_key)) WITHOUT ROWID;" \
               " INSERT INTO registry_old SELECT kind, local_key, guid, unique_number, version, update_date," \
               " last_error, attrs, updated_at FROM registry; DROP TABLE registry;" \
               " ALTER TABLE registry_old RENAME TO registry;"

/* A SQLite database back to before migration 7 (work claiming). */
#define UNDO_8 " DROP TABLE rate_slots; DROP INDEX packets_lease; DROP INDEX packets_lane; ALTER TABLE packets DROP COLUMN lease_owner;" \
               " ALTER TABLE packets DROP COLUMN lease_until;"

static void cleanup(char *dir, char *path)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    tu_run(cmd);
    free(cmd);
    free(dir);
    free(path);
}

static void test_create_and_version(void **state)
{
    (void)state;
    char *dir, *path = db_path(&dir);
    hcs_err err = { 0 };
    store *st = store_open_sqlite(path, 1000, &err);
    assert_non_null(st);
    assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
    char ic[64];
    assert_int_equal(store_integrity_check(st, ic, sizeof ic, &err), 0);
    assert_string_equal(ic, "ok");
    store_close(st);

    /* reopening applies nothing twice */
    st = store_open_sqlite(path, 1000, &err);
    assert_non_null(st);
    assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
    store_close(st);

    /* WAL mode is on */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *s;
    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
    sqlite3_finalize(s);

    /* a database from a newer hcsbatch is refused, not damaged */
    assert_int_equal(sqlite3_exec(db, "INSERT INTO schema_version VALUES (99, 0)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_null(store_open_sqlite(path, 1000, &err));
    assert_int_equal(err.code, HCS_EX_CONFIG);
    assert_non_null(strstr(err.msg, "99"));
    cleanup(dir, path);
}

static void test_migrates_version_zero(void **state)
{
    (void)state;
    char *dir, *path = db_path(&dir);
    /* An unrelated table in an empty file (version 0): migrations run. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE keep_me(x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    hcs_err err = { 0 };
    store *st = store_open_sqlite(path, 1000, &err);
    assert_non_null(st);
    assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
    store_close(st);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "SELECT x FROM keep_me", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    cleanup(dir, path);
}

static int count_files(void *ctx, const struct store_file *f)
{
    (void)f;
    (*(int *)ctx)++;
    return 0;
}

static void test_transactions(void **state)
{
    (void)state;
    char *dir, *path = db_path(&dir);
    hcs_err err = { 0 };
    store *st = open_fresh(path, &err);
    int64_t run;
    assert_int_equal(store_run_begin(st, "run", &run, &err), 0);

    /* nested: only the outer commit commits; a rollback drops everything */
    assert_int_equal(store_begin(st, &err), 0);
    assert_int_equal(store_begin(st, &err), 0);
    struct store_file f = { .run_id = run, .path = "in/a.csv", .sha256 = "aa", .template_name = "t" };
    assert_int_equal(store_file_add(st, &f, &err), 0);
    assert_int_equal(store_commit(st, &err), 0);
    store_rollback(st);
    int n = 0;
    store_files_each(st, 0, NULL, count_files, &n, &err);
    assert_int_equal(n, 0);

    assert_int_equal(store_begin(st, &err), 0);
    assert_int_equal(store_file_add(st, &f, &err), 0);
    assert_int_equal(store_commit(st, &err), 0);
    n = 0;
    store_files_each(st, 0, NULL, count_files, &n, &err);
    assert_int_equal(n, 1);

    /* a "converting" file is not a processed one */
    struct store_file got = { 0 };
    assert_int_equal(store_file_find_hash(st, "aa", "t", &got, &err), 0);
    struct store_file upd = f;
    upd.state = "converted";
    assert_int_equal(store_file_update(st, &upd, &err), 0);
    assert_int_equal(store_file_find_hash(st, "aa", "t", &got, &err), 1);
    assert_string_equal(got.path, "in/a.csv");
    assert_string_equal(got.name, "a.csv");
    store_file_clear(&got);
    assert_int_equal(store_file_find_hash(st, "aa", "other", &got, &err), 0);
    store_close(st);
    cleanup(dir, path);
}

struct rows {
    int n;
    char text[2048];
};

static int collect_row(void *ctx, const struct store_row_outcome *r)
{
    struct rows *rs = ctx;
    rs->n++;
    size_t len = strlen(rs->text);
    snprintf(rs->text + len, sizeof rs->text - len, "%ld:%s:%s:%s;", r->row, r->outcome,
             r->gis_guid ? r->gis_guid : r->error_code ? r->error_code : "",
             r->error_text ? r->error_text : "");
    return 0;
}

static void test_packets_outcomes_registry(void **state)
{
    (void)state;
    char *dir, *path = db_path(&dir);
    hcs_err err = { 0 };
    store *st = open_fresh(path, &err);
    int64_t run;
    store_run_begin(st, "run", &run, &err);
    struct store_file f = { .run_id = run, .path = "a.csv", .sha256 = "h", .template_name = "importAccountData",
                            .state = "converted", .rows = 4 };
    assert_int_equal(store_file_add(st, &f, &err), 0);
    struct store_packet p = { .file_id = f.id, .run_id = run, .operation = "importAccountData", .seq = 1,
                              .lane = "importAccountData|h1", .state = "prepared", .nelements = 2,
                              .archive_path = "/x.xml" };
    strcpy(p.message_guid, "11111111-1111-4111-8111-111111111111");
    assert_int_equal(store_packet_add(st, &p, &err), 0);
    long r1[] = { 2, 3 }, r2[] = { 4 };
    struct packet_element e1 = { "aaaaaaaa-0000-4000-8000-000000000001", "10001", "ЛС 10001", r1, 2, NULL, 0 };
    struct packet_element e2 = { "aaaaaaaa-0000-4000-8000-000000000002", "10002", "ЛС 10002", r2, 1, NULL, 0 };
    assert_int_equal(store_element_add(st, p.id, f.id, &e1, &err), 0);
    assert_int_equal(store_element_add(st, p.id, f.id, &e2, &err), 0);
    struct store_reject rj = { 5, "Имя", "", "не заполнено", "10003" };
    assert_int_equal(store_reject_add(st, f.id, &rj, &err), 0);

    /* the same MessageGUID twice is refused (one id per packet) */
    struct store_packet dup = p;
    dup.id = 0;
    assert_int_equal(store_packet_add(st, &dup, &err), -1);

    const char *to_send[] = { "prepared", "deferred", NULL };
    assert_int_equal(store_packets_count(st, to_send, NULL, &err), 1);
    assert_int_equal(store_packets_count(st, to_send, "importPaymentDocumentData", &err), 0);

    struct store_packet q = { 0 };
    assert_int_equal(store_packet_get(st, p.id, &q, &err), 0);
    free(q.state);
    q.state = xstrdup("sent");
    strcpy(q.gis_message_guid, "22222222-2222-4222-8222-222222222222");
    q.next_at = 1000;
    q.attempts = 1;
    assert_int_equal(store_packet_update(st, &q, &err), 0);
    const char *to_poll[] = { "sent", "processing", NULL };
    assert_int_equal(store_packets_next_due(st, to_poll, &err), 1000);
    store_packet_clear(&q);

    struct store_outcome ok = { .transport_guid = e1.transport_guid, .state = "accepted",
                                .gis_guid = "33333333-3333-4333-8333-333333333333", .unique_number = "77СМ1" };
    char *key = NULL;
    assert_int_equal(store_element_set_outcome(st, &ok, &key, &err), 1);
    assert_string_equal(key, "10001");
    free(key);
    struct store_outcome unknown = { .transport_guid = "ffffffff-0000-4000-8000-000000000000", .state = "accepted" };
    assert_int_equal(store_element_set_outcome(st, &unknown, NULL, &err), 0);
    assert_int_equal(store_elements_finish_packet(st, p.id, "failed", "HCS-NORESULT", "нет результата", &err), 1);

    struct rows rs = { 0 };
    assert_int_equal(store_file_rows(st, f.id, collect_row, &rs, &err), 0);
    assert_int_equal(rs.n, 4);
    assert_string_equal(rs.text, "2:accepted:33333333-3333-4333-8333-333333333333:;"
                                 "3:accepted:33333333-3333-4333-8333-333333333333:;"
                                 "4:failed:HCS-NORESULT:нет результата;"
                                 "5:rejected::не заполнено;");

    /* the last import of an object: compared in the keys' comparison form;
     * the newest element of the operation wins */
    struct store_last_import li;
    assert_int_equal(store_element_last_import(st, "importAccountData", " 10002 ", &li, &err), 1);
    assert_string_equal(li.state, "failed");
    assert_int_equal(li.packet_id, p.id);
    assert_string_equal(li.error_code, "HCS-NORESULT");
    assert_string_equal(li.file_name, "a.csv");
    store_last_import_clear(&li);
    assert_int_equal(store_element_last_import(st, "importPaymentDocumentData", "10002", &li, &err), 0);
    assert_int_equal(store_element_last_import(st, "importAccountData", "10009", &li, &err), 0);
    struct store_packet p2 = p;
    p2.id = 0;
    strcpy(p2.message_guid, "44444444-4444-4444-8444-444444444444");
    assert_int_equal(store_packet_add(st, &p2, &err), 0);
    struct packet_element e3 = { "aaaaaaaa-0000-4000-8000-000000000003", "10002", "ЛС 10002", r2, 1, NULL, 0 };
    assert_int_equal(store_element_add(st, p2.id, f.id, &e3, &err), 0);
    assert_int_equal(store_element_last_import(st, "importAccountData", "10002", &li, &err), 1);
    assert_string_equal(li.state, "pending");
    assert_int_equal(li.packet_id, p2.id);
    assert_null(li.error_code);
    store_last_import_clear(&li);

    /* marks: unset reads 0, put replaces */
    int64_t mark = 5;
    assert_int_equal(store_mark_get(st, "outage_notified", &mark, &err), 0);
    assert_int_equal(mark, 0);
    assert_int_equal(store_mark_put(st, "outage_notified", 1700000000, &err), 0);
    assert_int_equal(store_mark_put(st, "outage_notified", 1700000001, &err), 0);
    assert_int_equal(store_mark_get(st, "outage_notified", &mark, &err), 1);
    assert_int_equal(mark, 1700000001);

    /* registry: insert, update keeps what is not given */
    struct store_registry_entry e = { .kind = "account", .local_key = "10001", .guid = (char *)ok.gis_guid,
                                      .unique_number = "77СМ1", .attrs = "ServiceID=1;" };
    assert_int_equal(store_registry_put(st, &e, &err), 0);
    struct store_registry_entry e2b = { .kind = "account", .local_key = "10001", .last_error = "INT002000 x" };
    assert_int_equal(store_registry_put(st, &e2b, &err), 0);
    struct store_registry_entry g = { 0 };
    assert_int_equal(store_registry_get(st, "account", "10001", &g, &err), 1);
    assert_string_equal(g.guid, ok.gis_guid);
    assert_string_equal(g.attrs, "ServiceID=1;");
    assert_string_equal(g.last_error, "INT002000 x");
    store_registry_clear(&g);
    assert_int_equal(store_registry_get(st, "account", "nope", &g, &err), 0);

    /* discarding a file removes its packets, elements and rejects */
    assert_int_equal(store_file_discard(st, f.id, &err), 0);
    const char *any[] = { "prepared", "sent", "processing", "done", "failed", NULL };
    assert_int_equal(store_packets_count(st, any, NULL, &err), 0);
    rs.n = 0;
    assert_int_equal(store_file_rows(st, f.id, collect_row, &rs, &err), 0);
    assert_int_equal(rs.n, 0);
    char ic[64];
    store_integrity_check(st, ic, sizeof ic, &err);
    assert_string_equal(ic, "ok");
    store_close(st);
    cleanup(dir, path);
}

static int collect_refresh(void *ctx, const struct store_refresh *r)
{
    struct rows *rs = ctx;
    rs->n++;
    size_t len = strlen(rs->text);
    snprintf(rs->text + len, sizeof rs->text - len, "%s:%s:%s:%s;", r->local_key, r->error_code,
             r->state ? r->state : "-", r->exports ? r->exports : "-");
    return 0;
}

static int collect_note(void *ctx, const struct store_row_outcome *r)
{
    struct rows *rs = ctx;
    rs->n++;
    size_t len = strlen(rs->text);
    snprintf(rs->text + len, sizeof rs->text - len, "%ld:%s:%s;", r->row, r->outcome, r->note ? r->note : "");
    return 0;
}

/* Registry refreshes: which elements are candidates (stale codes, final
 * packet, not refreshed, not made by a refresh), their state, notes, and
 * the report rows leaving a superseded element out. */
static void test_refreshes(void **state)
{
    (void)state;
    char *dir, *path = db_path(&dir);
    hcs_err err = { 0 };
    store *st = open_fresh(path, &err);
    int64_t run;
    store_run_begin(st, "run", &run, &err);
    struct store_file f = { .run_id = run, .path = "a.csv", .sha256 = "h", .template_name = "importAccountData",
                            .state = "converted", .rows = 4 };
    assert_int_equal(store_file_add(st, &f, &err), 0);
    struct store_packet p = { .file_id = f.id, .run_id = run, .operation = "importAccountData", .seq = 1,
                              .template_name = "importAccountData", .lane = "importAccountData|", .state = "sent",
                              .nelements = 4 };
    strcpy(p.message_guid, "11111111-1111-4111-8111-111111111111");
    assert_int_equal(store_packet_add(st, &p, &err), 0);
    long r1[] = { 3, 2 }, r2[] = { 4 }, r3[] = { 5 }, r4[] = { 6 };
    struct packet_element el[] = { { "aaaaaaaa-0000-4000-8000-000000000001", "k1", "ЛС k1", r1, 2, NULL, 0 },
                                   { "aaaaaaaa-0000-4000-8000-000000000002", "k2", "ЛС k2", r2, 1, NULL, 0 },
                                   { "aaaaaaaa-0000-4000-8000-000000000003", "k3", "ЛС k3", r3, 1, NULL, 0 },
                                   { "aaaaaaaa-0000-4000-8000-000000000004", "k4", "ЛС k4", r4, 1, NULL, 0 } };
    const char *codes[] = { "INT002034", "INT002006", "INT002001", NULL };
    for (int i = 0; i < 4; i++) {
        assert_int_equal(store_element_add(st, p.id, f.id, &el[i], &err), 0);
        struct store_outcome o = { .transport_guid = el[i].transport_guid, .state = i < 3 ? "error" : "accepted",
                                   .error_code = codes[i], .error_text = "text",
                                   .gis_guid = i < 3 ? NULL : "33333333-3333-4333-8333-333333333333" };
        assert_int_equal(store_element_set_outcome(st, &o, NULL, &err), 1);
    }
    const char *stale[] = { "INT002000", "INT002034", "INT002006", NULL };
    struct rows rs = { 0 };
    /* a packet not final yet has no candidates */
    assert_int_equal(store_refresh_candidates(st, stale, collect_refresh, &rs, &err), 0);
    assert_int_equal(rs.n, 0);
    struct store_packet q = { 0 };
    assert_int_equal(store_packet_get(st, p.id, &q, &err), 0);
    free(q.state);
    q.state = xstrdup("done-with-warnings");
    assert_int_equal(store_packet_update(st, &q, &err), 0);
    store_packet_clear(&q);
    assert_int_equal(store_refresh_candidates(st, stale, collect_refresh, &rs, &err), 0);
    assert_string_equal(rs.text, "k1:INT002034:-:-;k2:INT002006:-:-;");

    /* k1 is being refreshed: no candidate any more, listed as exporting */
    struct store_refresh r = { .packet_id = p.id, .file_id = f.id, .state = "exporting", .exports = "7,8" };
    const int64_t e1 = 1, e2 = 2;   /* element ids in insertion order (a fresh database) */
    r.element_id = e1;
    assert_int_equal(store_refresh_put(st, &r, &err), 0);
    memset(&rs, 0, sizeof rs);
    assert_int_equal(store_refresh_candidates(st, stale, collect_refresh, &rs, &err), 0);
    assert_string_equal(rs.text, "k2:INT002006:-:-;");
    memset(&rs, 0, sizeof rs);
    assert_int_equal(store_refreshes_each(st, "exporting", collect_refresh, &rs, &err), 0);
    assert_string_equal(rs.text, "k1:INT002034:exporting:7,8;");
    long *rows;
    size_t nrows;
    assert_int_equal(store_element_rows(st, e1, &rows, &nrows, NULL, &err), 0);
    assert_int_equal(nrows, 2);
    assert_int_equal(rows[0], 2);
    assert_int_equal(rows[1], 3);
    free(rows);

    /* the retry: k1 superseded by a new element that carries the note and
     * is never a candidate, even refused again; k2 reconciled */
    struct store_packet p2 = p;
    p2.id = 0;
    p2.state = "done";
    strcpy(p2.message_guid, "11111111-1111-4111-8111-111111111112");
    assert_int_equal(store_packet_add(st, &p2, &err), 0);
    struct packet_element e5 = { "aaaaaaaa-0000-4000-8000-000000000005", "k1", "ЛС k1", r1, 2, NULL, 0 };
    assert_int_equal(store_element_add(st, p2.id, f.id, &e5, &err), 0);
    assert_int_equal(store_elements_note_packet(st, p2.id, "повторено", &err), 0);
    struct store_outcome again = { .transport_guid = e5.transport_guid, .state = "error", .error_code = "INT002034",
                                   .error_text = "text" };
    assert_int_equal(store_element_set_outcome(st, &again, NULL, &err), 1);
    r.state = "retried";
    r.exports = NULL;
    assert_int_equal(store_refresh_put(st, &r, &err), 0);
    assert_int_equal(store_element_note(st, e1, "retried", NULL, "заменено", &err), 0);
    assert_int_equal(store_element_note(st, e2, "accepted", "44444444-4444-4444-8444-444444444444", "уже есть", &err), 0);
    r.element_id = e2;
    r.state = "reconciled";
    assert_int_equal(store_refresh_put(st, &r, &err), 0);
    memset(&rs, 0, sizeof rs);
    assert_int_equal(store_refresh_candidates(st, stale, collect_refresh, &rs, &err), 0);
    assert_int_equal(rs.n, 0);
    memset(&rs, 0, sizeof rs);
    assert_int_equal(store_refreshes_each(st, "retried", collect_refresh, &rs, &err), 0);
    assert_string_equal(rs.text, "k1:INT002034:retried:7,8;");   /* the exports stay recorded */
    assert_int_equal(store_elements_count(st, p.id, "error", &err), 1);
    memset(&rs, 0, sizeof rs);
    assert_int_equal(store_file_rows(st, f.id, collect_note, &rs, &err), 0);
    assert_string_equal(rs.text, "2:error:повторено;3:error:повторено;4:accepted:уже есть;5:error:;6:accepted:;");
    store_close(st);
    cleanup(dir, path);
}

/* Upgrading to refreshes (migration 4) does not refresh the history:
 * errors stored before are recorded as "before-refreshes". */
static void test_refreshes_migrate(void **state)
{
    (void)state;
    char *dir, *path = db_path(&dir);
    hcs_err err = { 0 };
    store *st = store_open_sqlite(path, 1000, &err);
    int64_t run;
    store_run_begin(st, "run", &run, &err);
    struct store_file f = { .run_id = run, .path = "a.csv", .sha256 = "h", .template_name = "importAccountData",
                            .state = "converted", .rows = 1 };
    assert_int_equal(store_file_add(st, &f, &err), 0);
    struct store_packet p = { .file_id = f.id, .run_id = run, .operation = "importAccountData", .seq = 1,
                              .lane = "importAccountData|", .state = "done-with-warnings", .nelements = 1 };
    strcpy(p.message_guid, "11111111-1111-4111-8111-111111111111");
    assert_int_equal(store_packet_add(st, &p, &err), 0);
    long r1[] = { 2 };
    struct packet_element e = { "aaaaaaaa-0000-4000-8000-000000000001", "k1", "ЛС k1", r1, 1, NULL, 0 };
    assert_int_equal(store_element_add(st, p.id, f.id, &e, &err), 0);
    struct store_outcome o = { .transport_guid = e.transport_guid, .state = "error", .error_code = "INT002006",
                               .error_text = "Объект уже существует" };
    assert_int_equal(store_element_set_outcome(st, &o, NULL, &err), 1);
    store_close(st);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "DELETE FROM schema_version WHERE version > 5; DROP TABLE refreshes; DROP TABLE element_parts;" UNDO_11 UNDO_10 UNDO_9 UNDO_8
                                      "ALTER TABLE elements DROP COLUMN note;", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    st = store_open_sqlite(path, 1000, &err);
    assert_non_null(st);
    assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
    const char *stale[] = { "INT002006", NULL };
    struct rows rs = { 0 };
    assert_int_equal(store_refresh_candidates(st, stale, collect_refresh, &rs, &err), 0);
    assert_int_equal(rs.n, 0);
    assert_int_equal(store_refreshes_each(st, "before-refreshes", collect_refresh, &rs, &err), 0);
    assert_string_equal(rs.text, "k1:INT002006:before-refreshes:-;");
    store_close(st);
    cleanup(dir, path);
}

/* The file store client's memory: unfinished uploads with their parts, and
 * attachments per content. */
static void test_filestore_memory(void **state)
{
    (void)state;
    char *dir, *path = db_path(&dir);
    hcs_err err = { 0 };
    store *st = open_fresh(path, &err);
    assert_non_null(st);
    const char *id = "0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f";
    struct store_upload u = { .size = 12345678, .mtime = 1700000000, .parts = 3 }, got;
    memcpy(u.upload_id, id, 37);
    assert_int_equal(store_upload_find(st, "bills", "/in/a.pdf", &got, &err), 0);
    assert_int_equal(store_upload_begin(st, "bills", "/in/a.pdf", &u, &err), 0);
    assert_int_equal(store_upload_find(st, "bills", "/in/a.pdf", &got, &err), 1);
    assert_string_equal(got.upload_id, id);
    assert_true(got.size == 12345678 && got.mtime == 1700000000 && got.parts == 3);
    assert_int_equal(store_upload_find(st, "voting", "/in/a.pdf", &got, &err), 0);
    assert_int_equal(store_upload_part_done(st, id, 1, &err), 0);
    assert_int_equal(store_upload_part_done(st, id, 2, &err), 0);
    assert_int_equal(store_upload_part_done(st, id, 2, &err), 0);     /* a repeat counts once */
    assert_int_equal(store_upload_parts_count(st, id, &err), 2);
    assert_int_equal(store_upload_end(st, "bills", "/in/a.pdf", id, &err), 0);
    assert_int_equal(store_upload_find(st, "bills", "/in/a.pdf", &got, &err), 0);
    assert_int_equal(store_upload_parts_count(st, id, &err), 0);

    char guid[37], hash[65];
    assert_int_equal(store_attachment_find(st, "voting", "ab12", "file", guid, hash, &err), 0);
    assert_int_equal(store_attachment_put(st, "voting", "ab12", "file", 22, "Протокол.pdf", id, "77ff", &err), 0);
    assert_int_equal(store_attachment_find(st, "voting", "ab12", "file", guid, hash, &err), 1);
    assert_string_equal(guid, id);
    assert_string_equal(hash, "77ff");
    assert_int_equal(store_attachment_find(st, "voting", "ab12", "first_part", guid, hash, &err), 0);
    assert_int_equal(store_attachment_forget(st, id, &err), 0);
    assert_int_equal(store_attachment_find(st, "voting", "ab12", "file", guid, hash, &err), 0);
    store_close(st);
    cleanup(dir, path);
}

/* A version 1 database where the file store client created its own tables
 * (as it did before they moved behind store.h) keeps their rows; opening an
 * up-to-date database takes no write lock, so it works while another
 * connection is inside a transaction. */
/* Migration 5: the registry of a version-4 database, rows and all, becomes
 * a WITHOUT ROWID table (one b-tree per lookup). */
static void test_registry_migrates_without_rowid(void **state)
{
    (void)state;
    char *dir, *path = db_path(&dir);
    hcs_err err = { 0 };
    store *st = store_open_sqlite(path, 1000, &err);
    assert_non_null(st);
    store_close(st);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "DELETE FROM schema_version WHERE version > 4;" UNDO_11 UNDO_10 UNDO_9 " DROP TABLE registry;" UNDO_8
                                      "DROP TABLE refreshes; DROP TABLE element_parts; ALTER TABLE elements DROP COLUMN note;"
                                      "CREATE TABLE registry ("
                                      "  kind TEXT NOT NULL, local_key TEXT NOT NULL, guid TEXT, unique_number TEXT,"
                                      "  version TEXT, update_date TEXT, last_error TEXT, attrs TEXT,"
                                      "  updated_at INTEGER NOT NULL, PRIMARY KEY (kind, local_key));"
                                      "INSERT INTO registry VALUES ('account', '10001', 'g-10001', 'ЕЛС-1',"
                                      "  NULL, NULL, NULL, 'x=1', 5);",
                                  NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    st = store_open_sqlite(path, 1000, &err);
    assert_non_null(st);
    assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
    struct store_registry_entry e = { 0 };
    assert_int_equal(store_registry_get(st, "account", "10001", &e, &err), 1);
    assert_string_equal(e.guid, "g-10001");
    assert_string_equal(e.unique_number, "ЕЛС-1");
    assert_string_equal(e.attrs, "x=1");
    store_registry_clear(&e);
    store_close(st);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE name='registry'", -1, &s, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_non_null(strstr((const char *)sqlite3_column_text(s, 0), "WITHOUT ROWID"));
    sqlite3_finalize(s);
    sqlite3_close(db);
    cleanup(dir, path);
}

static void test_filestore_tables_migrate(void **state)
{
    (void)state;
    char *dir, *path = db_path(&dir);
    hcs_err err = { 0 };
    store *st = store_open_sqlite(path, 1000, &err);
    assert_non_null(st);
    store_close(st);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "DELETE FROM schema_version WHERE version > 1;" UNDO_11 UNDO_10 UNDO_9 UNDO_8
                                      "ALTER TABLE packets DROP COLUMN unreachable_since;"
                                      "DROP TABLE marks; DROP INDEX elements_key_norm;"
                                      "ALTER TABLE elements DROP COLUMN key_norm;"
                                      "DROP TABLE refreshes; DROP TABLE element_parts; ALTER TABLE elements DROP COLUMN note;"
                                      "DROP TABLE filestore_parts; DROP TABLE filestore_uploads;"
                                      "DROP TABLE filestore_attachments;"
                                      "CREATE TABLE filestore_attachments ("
                                      " context TEXT NOT NULL, sha256 TEXT NOT NULL, scope TEXT NOT NULL,"
                                      " size INTEGER NOT NULL, name TEXT, guid TEXT NOT NULL, hash TEXT NOT NULL,"
                                      " uploaded_at INTEGER NOT NULL, PRIMARY KEY (context, sha256, scope));"
                                      "INSERT INTO filestore_attachments VALUES"
                                      " ('voting', 'ab12', 'file', 22, 'p.pdf', 'g-1', 'h-1', 0);",
                                  NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    st = store_open_sqlite(path, 1000, &err);
    assert_non_null(st);
    assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
    char guid[37], hash[65];
    assert_int_equal(store_attachment_find(st, "voting", "ab12", "file", guid, hash, &err), 1);
    assert_string_equal(guid, "g-1");
    struct store_upload u = { .upload_id = "u-1", .size = 1, .mtime = 1, .parts = 2 };
    assert_int_equal(store_upload_begin(st, "bills", "/x", &u, &err), 0);

    assert_int_equal(store_begin(st, &err), 0);
    assert_int_equal(store_upload_part_done(st, "u-1", 1, &err), 0);
    store *second = store_open_sqlite(path, 200, &err);
    assert_non_null(second);
    assert_int_equal(store_attachment_find(second, "voting", "ab12", "file", guid, hash, &err), 1);
    store_close(second);
    assert_int_equal(store_commit(st, &err), 0);
    store_close(st);
    cleanup(dir, path);
}

static int64_t add_packet(store *st, int64_t run, const char *lane, int seq, const char *state, int64_t next_at)
{
    hcs_err err = { 0 };
    static int n;
    struct store_packet p = { .run_id = run, .operation = "exportAccountData", .seq = seq, .lane = (char *)lane,
                              .state = (char *)state, .next_at = next_at };
    snprintf(p.message_guid, sizeof p.message_guid, "22222222-2222-4222-8222-%012d", ++n);
    assert_int_equal(store_packet_add(st, &p, &err), 0);
    return p.id;
}

static int count_packet(void *ctx, const struct store_packet *p)
{
    (void)p;
    (*(int *)ctx)++;
    return 0;
}

static int count_entry(void *ctx, const struct store_registry_entry *e)
{
    (void)e;
    (*(int *)ctx)++;
    return 0;
}

/* The registry shows a key as GIS or the input spelt it: stored beside its
 * comparison form, which alone is looked up; a later put without a
 * spelling (an import result under the same key) keeps it. */
struct shown { char key[64], local[64]; };

static int remember_shown(void *ctx, const struct store_registry_entry *e)
{
    struct shown *sh = ctx;
    snprintf(sh->key, sizeof sh->key, "%s", e->display_key ? e->display_key : "(none)");
    snprintf(sh->local, sizeof sh->local, "%s", e->local_key);
    return 0;
}

static void test_registry_display_key(void **state)
{
    (void)state;
    char *dir, *path = db_path(&dir);
    hcs_err err = { 0 };
    store *st = open_fresh(path, &err);
    assert_non_null(st);
    struct store_registry_entry e = { .kind = "meter", .local_key = "ХВ-60001 ", .guid = "g1" };
    assert_int_equal(store_registry_put_key(st, &e, &err), 0);
    struct shown sh = { 0 };
    assert_int_equal(store_registry_list(st, "meter", remember_shown, &sh, &err), 0);
    assert_string_equal(sh.local, "хв-60001");
    assert_string_equal(sh.key, "ХВ-60001 ");
    struct store_registry_entry got = { 0 };
    assert_int_equal(store_registry_find(st, "meter", "хв-60001", &got, &err), 1);
    assert_string_equal(got.display_key, "ХВ-60001 ");
    store_registry_clear(&got);
    struct store_registry_entry again = { .kind = "meter", .local_key = "хв-60001", .guid = "g2" };
    assert_int_equal(store_registry_put_key(st, &again, &err), 0);
    assert_int_equal(store_registry_list(st, "meter", remember_shown, &sh, &err), 0);
    assert_string_equal(sh.key, "ХВ-60001 ");
    const char *parts[] = { "B08843E7-F3C6-5701-8E74-1DDFD1D4925E", "Н1" };
    char *as_written = store_registry_key_as_written(parts, 2);
    assert_string_equal(as_written, "B08843E7-F3C6-5701-8E74-1DDFD1D4925E|Н1");
    free(as_written);
    store_close(st);
    cleanup(dir, path);
}

/* Two organisations in one database (two handles, as two runs): the same
 * registry key is each one's own entry, found by each; packets, claims,
 * files and marks are each one's; a listing of all shows both. */
static void test_organisations(void **state)
{
    (void)state;
    char *dir, *path = db_path(&dir);
    hcs_err err = { 0 };
    store *a = open_fresh(path, &err);
    assert_non_null(a);
    store *b = open_again(path, 1000, &err);
    assert_non_null(b);
    assert_string_equal(store_org(a), "default");
    store_set_org(a, "alfa");
    store_set_org(b, "beta");
    struct store_registry_entry ea = { .kind = "premises", .local_key = "77|5", .guid = "guid-a" };
    struct store_registry_entry eb = { .kind = "premises", .local_key = "77|5", .guid = "guid-b" };
    assert_int_equal(store_registry_put_key(a, &ea, &err), 0);   /* the key in its comparison form */
    assert_int_equal(store_registry_put_key(b, &eb, &err), 0);
    char out[37];
    assert_int_equal(store_registry_answer(a, "premises", "77|5", out, &err), 1);
    assert_string_equal(out, "guid-a");
    assert_int_equal(store_registry_answer(b, "premises", "77|5", out, &err), 1);
    assert_string_equal(out, "guid-b");
    struct store_registry_entry got = { 0 };
    assert_int_equal(store_registry_find(b, "premises", "77|5", &got, &err), 1);
    assert_string_equal(got.guid, "guid-b");
    store_registry_clear(&got);
    assert_int_equal(store_registry_has_prefix(a, "premises", "77|", &err), 1);
    assert_int_equal(store_registry_drop_prefix(a, "premises", "77|", &err), 1);
    assert_int_equal(store_registry_answer(a, "premises", "77|5", out, &err), 0);
    assert_int_equal(store_registry_answer(b, "premises", "77|5", out, &err), 1);

    int64_t run;
    assert_int_equal(store_run_begin(a, "run", &run, &err), 0);
    add_packet(a, run, "L1", 1, "prepared", 0);
    add_packet(b, run, "L1", 1, "prepared", 0);
    add_packet(b, run, "L2", 1, "prepared", 0);
    static const char *const send[] = { "prepared", NULL };
    assert_int_equal(store_packets_count(a, send, NULL, &err), 1);
    assert_int_equal(store_packets_count(b, send, NULL, &err), 2);
    int64_t ids[10];
    struct store_claim c = { .owner = "h:1", .states = send, .now = 1000, .lease_seconds = 10, .limit = 10, .lanes = 1 };
    assert_int_equal(store_packets_claim(a, &c, ids, &err), 1);
    c.owner = "h:2";
    /* b's lane L1 is not held by a's lease on a's own L1 */
    assert_int_equal(store_packets_claim(b, &c, ids, &err), 2);

    struct store_file f = { .run_id = run, .path = "/in/x.csv", .sha256 = "abc", .template_name = "t", .state = "converted" };
    assert_int_equal(store_file_add(a, &f, &err), 0);
    struct store_file seen = { 0 };
    assert_int_equal(store_file_find_hash(a, "abc", "t", &seen, &err), 1);
    assert_string_equal(seen.org, "alfa");
    store_file_clear(&seen);
    assert_int_equal(store_file_find_hash(b, "abc", "t", &seen, &err), 0);

    int64_t v;
    assert_int_equal(store_mark_put(a, "outage", 7, &err), 0);
    assert_int_equal(store_mark_get(b, "outage", &v, &err), 0);
    assert_int_equal(store_mark_get(a, "outage", &v, &err), 1);
    assert_int_equal(v, 7);

    int n = 0;
    store_set_org(b, NULL);   /* listings of every organisation */
    assert_int_equal(store_packets_count(b, send, NULL, &err), 3);
    assert_int_equal(store_registry_list(b, "premises", count_entry, &n, &err), 0);
    assert_int_equal(n, 1);   /* a dropped its own */
    assert_string_equal(store_org(b), "beta");
    store_close(a);
    store_close(b);
    cleanup(dir, path);
}

/* Two workers (two connections) claiming: a packet leased by one is not
 * the other's; a lane leased by one waits for it (its order holds); an
 * expired lease frees the packet; released packets are free at once; due
 * polls only; a shared rate hands out slots one interval apart. */
static void test_claims(void **state)
{
    (void)state;
    char *dir, *path = db_path(&dir);
    hcs_err err = { 0 };
    store *a = open_fresh(path, &err);
    assert_non_null(a);
    store *b = open_again(path, 1000, &err);
    assert_non_null(b);
    int64_t run;
    assert_int_equal(store_run_begin(a, "worker", &run, &err), 0);
    int64_t l1a = add_packet(a, run, "L1", 1, "prepared", 0);
    int64_t l1b = add_packet(a, run, "L1", 2, "prepared", 0);
    int64_t l2 = add_packet(a, run, "L2", 1, "deferred", 0);
    int64_t due = add_packet(a, run, "L3", 1, "sent", 100);
    add_packet(a, run, "L4", 1, "processing", 5000);
    static const char *const send[] = { "prepared", "deferred", NULL };
    static const char *const poll[] = { "sent", "processing", NULL };
    int64_t ids[10];
    struct store_claim ca = { .owner = "host-a:1", .states = send, .now = 1000, .lease_seconds = 60, .limit = 1,
                              .lanes = 1 };
    struct store_claim cb = ca;
    cb.owner = "host-b:2";
    cb.limit = 10;
    long got = store_packets_claim(a, &ca, ids, &err);
    if (got < 0)
        fprintf(stderr, "claim: %s\n", err.msg);
    assert_int_equal(got, 1);
    assert_true(ids[0] == l1a);
    /* B: not A's packet, nor the rest of A's lane */
    assert_int_equal(store_packets_claim(b, &cb, ids, &err), 1);
    assert_true(ids[0] == l2);
    /* A again: its own packet (renewed) and the rest of its lane */
    ca.limit = 10;
    assert_int_equal(store_packets_claim(a, &ca, ids, &err), 2);
    assert_true(ids[0] == l1a && ids[1] == l1b);
    int n = 0;
    struct store_packet_filter mine = { .lease_owner = "host-a:1" };
    assert_int_equal(store_packets_each(b, &mine, count_packet, &n, &err), 0);
    assert_int_equal(n, 2);
    /* A dies: its leases end, B takes everything */
    cb.now = 1000 + 60;
    assert_int_equal(store_packets_claim(b, &cb, ids, &err), 3);
    assert_int_equal(store_packets_claim(a, &ca, ids, &err), 0);
    /* released: free at once */
    assert_int_equal(store_packets_release(b, "host-b:2", l2, &err), 1);
    assert_int_equal(store_packets_release(b, "host-a:1", 0, &err), 0);
    assert_int_equal(store_packets_claim(a, &ca, ids, &err), 1);
    assert_true(ids[0] == l2);
    assert_int_equal(store_packets_release(b, "host-b:2", 0, &err), 2);
    /* polls: only the due ones */
    struct store_claim cp = { .owner = "host-a:1", .states = poll, .due_before = 1000, .now = 1000,
                              .lease_seconds = 60, .limit = 10 };
    assert_int_equal(store_packets_claim(a, &cp, ids, &err), 1);
    assert_true(ids[0] == due);
    cp.owner = "host-b:2";
    assert_int_equal(store_packets_claim(b, &cp, ids, &err), 0);

    /* a shared rate: one slot per 100 ms, whoever asks */
    int64_t wait;
    assert_int_equal(store_rate_slot(a, "gis", 0, 100000, &wait, &err), 0);
    assert_int_equal(wait, 0);
    assert_int_equal(store_rate_slot(b, "gis", 0, 100000, &wait, &err), 0);
    assert_int_equal(wait, 100000);
    assert_int_equal(store_rate_slot(a, "gis", 50000, 100000, &wait, &err), 0);
    assert_int_equal(wait, 150000);
    assert_int_equal(store_rate_slot(b, "other", 50000, 100000, &wait, &err), 0);
    assert_int_equal(wait, 0);
    assert_int_equal(store_rate_slot(a, "gis", 10000000, 100000, &wait, &err), 0);
    assert_int_equal(wait, 0);
    store_close(b);
    store_close(a);
    cleanup(dir, path);
}

/* Named claims (uploads, inbox files) by two workers: a live lease keeps
 * the work from the other; its owner renews it; an ended lease is taken
 * over; a released claim is free at once; kinds do not mix. */
static void test_leases(void **state)
{
    (void)state;
    char *dir, *path = db_path(&dir);
    hcs_err err = { 0 };
    store *a = open_fresh(path, &err);
    assert_non_null(a);
    store *b = open_again(path, 1000, &err);
    assert_non_null(b);
    assert_int_equal(store_lease_take(a, "upload", "ctx/file/abc", "host-a:1", 1000, 60, &err), 1);
    assert_int_equal(store_lease_take(b, "upload", "ctx/file/abc", "host-b:2", 1059, 60, &err), 0);
    assert_int_equal(store_lease_take(b, "inbox", "ctx/file/abc", "host-b:2", 1000, 60, &err), 1);
    assert_int_equal(store_lease_take(b, "upload", "ctx/file/other", "host-b:2", 1000, 60, &err), 1);
    /* A renews at 1050: until 1110, so B still cannot at 1100 */
    assert_int_equal(store_lease_take(a, "upload", "ctx/file/abc", "host-a:1", 1050, 60, &err), 1);
    assert_int_equal(store_lease_take(b, "upload", "ctx/file/abc", "host-b:2", 1100, 60, &err), 0);
    /* A dies: at 1110 its lease has ended and B takes the upload over */
    assert_int_equal(store_lease_take(b, "upload", "ctx/file/abc", "host-b:2", 1110, 60, &err), 1);
    assert_int_equal(store_lease_take(a, "upload", "ctx/file/abc", "host-a:1", 1111, 60, &err), 0);
    /* released (only by its owner): free at once */
    assert_int_equal(store_lease_release(a, "upload", "ctx/file/abc", "host-a:1", &err), 0);
    assert_int_equal(store_lease_take(a, "upload", "ctx/file/abc", "host-a:1", 1112, 60, &err), 0);
    assert_int_equal(store_lease_release(b, "upload", "ctx/file/abc", "host-b:2", &err), 0);
    assert_int_equal(store_lease_take(a, "upload", "ctx/file/abc", "host-a:1", 1112, 60, &err), 1);
    char owner[160];
    store_owner_id(owner, sizeof owner);
    assert_non_null(strchr(owner, ':'));
    store_close(b);
    store_close(a);
    cleanup(dir, path);
}

/* The password never sits in the connection string: refused before any
 * connection is tried, with a message that says where it goes. */
/* The two-file form: a house element holds rows of the houses file and of
 * the premises file; store_element_rows gives the premises rows flagged
 * and names that file (the refresh converts both again). */
static void test_element_rows_of_two_files(void **state)
{
    (void)state;
    char *dir, *path = db_path(&dir);
    hcs_err err = { 0 };
    store *st = open_fresh(path, &err);
    int64_t run;
    store_run_begin(st, "run", &run, &err);
    struct store_file fh = { .run_id = run, .path = "houses.csv", .sha256 = "h1", .template_name = "importHouseUOData",
                             .state = "converted" };
    struct store_file fp = { .run_id = run, .path = "premises.csv", .sha256 = "h2",
                             .template_name = "importHouseUOData", .state = "converted" };
    assert_int_equal(store_file_add(st, &fh, &err), 0);
    assert_int_equal(store_file_add(st, &fp, &err), 0);
    struct store_packet p = { .file_id = fh.id, .run_id = run, .operation = "importHouseUOData", .seq = 1,
                              .lane = "importHouseUOData|h", .state = "prepared", .nelements = 1,
                              .archive_path = "/x.xml" };
    strcpy(p.message_guid, "11111111-1111-4111-8111-111111111112");
    assert_int_equal(store_packet_add(st, &p, &err), 0);
    long own[] = { 3 }, premises[] = { 2, 7 };
    struct packet_element e = { "bbbbbbbb-0000-4000-8000-000000000001", "house", "Дом", own, 1, NULL, 0 };
    assert_int_equal(store_element_add(st, p.id, fh.id, &e, &err), 0);
    assert_int_equal(store_element_rows_add(st, e.transport_guid, fp.id, premises, 2, &err), 0);
    long *rows;
    size_t n;
    int64_t joined = -1;
    /* the element's id: the first element of a fresh SQLite store */
    assert_int_equal(store_element_rows(st, 1, &rows, &n, &joined, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(rows[0], 3);
    assert_int_equal(rows[1], packet_row_second(2));
    assert_int_equal(rows[2], packet_row_second(7));
    assert_int_equal(joined, fp.id);
    free(rows);
    /* each row's outcome under its own file */
    struct rows rs = { 0 };
    assert_int_equal(store_file_rows(st, fp.id, collect_row, &rs, &err), 0);
    assert_int_equal(rs.n, 2);
    store_close(st);
    cleanup(dir, path);
}

/* The spill index of the two-file form: rows by key in row order, marks,
 * and the keys no mark covers, in key order. */
static void collect_spill(void *ctx, long row, const void *data, size_t len)
{
    char *out = ctx;
    snprintf(out + strlen(out), 256 - strlen(out), "%ld:%.*s;", row, (int)len, (const char *)data);
}

static void test_spill(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    store_spill *sp = store_spill_open(&err);
    assert_non_null(sp);
    assert_int_equal(store_spill_put(sp, "b", 9, "x", 1, &err), 0);
    assert_int_equal(store_spill_put(sp, "a", 4, "y", 1, &err), 0);
    assert_int_equal(store_spill_put(sp, "b", 2, "z", 1, &err), 0);
    assert_int_equal(store_spill_put(sp, "c", 5, "w", 1, &err), 0);
    char out[256] = "";
    assert_int_equal(store_spill_rows(sp, "b", collect_spill, out, &err), 0);
    assert_string_equal(out, "2:z;9:x;");
    assert_int_equal(store_spill_mark(sp, "b", &err), 1);
    assert_int_equal(store_spill_mark(sp, "b", &err), 0);
    assert_int_equal(store_spill_mark(sp, "zz", &err), 1);
    char *key;
    assert_int_equal(store_spill_next_unmarked(sp, "", &key, &err), 1);
    assert_string_equal(key, "a");
    free(key);
    assert_int_equal(store_spill_next_unmarked(sp, "a", &key, &err), 1);
    assert_string_equal(key, "c");
    free(key);
    assert_int_equal(store_spill_next_unmarked(sp, "c", &key, &err), 0);
    assert_int_equal(store_spill_unmark_all(sp, &err), 0);
    assert_int_equal(store_spill_next_unmarked(sp, "a", &key, &err), 1);
    assert_string_equal(key, "b");
    free(key);
    store_spill_close(sp);
}

static void test_pg_password_refused(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    assert_null(store_open_pg("host=/nonexistent dbname=hcs password=secret", &err));
    assert_int_equal(err.code, HCS_EX_CONFIG);
    assert_non_null(strstr(err.msg, "PGPASSFILE"));
    assert_null(strstr(err.msg, "secret"));
    assert_null(store_open_pg("postgresql://hcs:secret@localhost/hcs", &err));
    assert_int_equal(err.code, HCS_EX_CONFIG);
    assert_null(strstr(err.msg, "secret"));
}

/* PostgreSQL: the same schema version as SQLite, migrations applied once,
 * a newer schema refused. */
static void test_pg_create_and_version(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    store *st = open_fresh(NULL, &err);
    assert_non_null(st);
    assert_string_equal(store_driver_name(st), "postgres");
    assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
    store_close(st);
    st = open_again(NULL, 0, &err);
    assert_non_null(st);
    assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
    store_close(st);
    assert_int_equal(pg_sql("INSERT INTO " PG_SCHEMA ".schema_version VALUES (99, 0)"), 0);
    assert_null(open_again(NULL, 0, &err));
    assert_int_equal(err.code, HCS_EX_CONFIG);
    assert_non_null(strstr(err.msg, "99"));
}

/* The claim's plan: SQLite finds the lanes other workers hold once, not
 * in a subquery per candidate packet (at 100k queued packets that cost
 * 100k index searches a claim, under the write lock), and reads the
 * candidates through an index.  PostgreSQL: the plan is printed. */
static void test_claim_plan(void **state)
{
    (void)state;
    char *dir, *path = db_path(&dir);
    hcs_err err = { 0 };
    store *st = open_fresh(path, &err);
    assert_non_null(st);
    int64_t run;
    assert_int_equal(store_run_begin(st, "worker", &run, &err), 0);
    for (int i = 0; i < 20; i++)
        add_packet(st, run, i % 2 ? "L1" : "L2", i, i % 3 ? "prepared" : "done", 0);
    static const char *const send[] = { "prepared", "deferred", NULL };
    struct store_claim c = { .owner = "host-a:1", .states = send, .now = 1000, .lease_seconds = 60, .limit = 5,
                             .lanes = 1 };
    char *plan = store_packets_claim_plan(st, &c, &err);
    if (!plan)
        fprintf(stderr, "claim plan: %s\n", err.msg);
    assert_non_null(plan);
    if (strcmp(store_driver_name(st), "sqlite") == 0) {
        assert_null(strstr(plan, "CORRELATED"));
        /* through an index on the state (with the organisation first since migration 9) */
        assert_true(strstr(plan, "USING INDEX packets_org") || strstr(plan, "USING INDEX packets_state"));
    } else {
        printf("claim plan on PostgreSQL:\n%s", plan);
        assert_non_null(strstr(plan, "packets"));
    }
    free(plan);
    int64_t ids[5];
    assert_int_equal(store_packets_claim(st, &c, ids, &err), 5);
    store_close(st);
    cleanup(dir, path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_and_version),
        cmocka_unit_test(test_migrates_version_zero),
        cmocka_unit_test(test_transactions),
        cmocka_unit_test(test_packets_outcomes_registry),
        cmocka_unit_test(test_refreshes),
        cmocka_unit_test(test_refreshes_migrate),
        cmocka_unit_test(test_filestore_memory),
        cmocka_unit_test(test_registry_migrates_without_rowid),
        cmocka_unit_test(test_filestore_tables_migrate),
        cmocka_unit_test(test_claims),
        cmocka_unit_test(test_organisations),
        cmocka_unit_test(test_registry_display_key),
        cmocka_unit_test(test_claim_plan),
        cmocka_unit_test(test_element_rows_of_two_files),
        cmocka_unit_test(test_spill),
        cmocka_unit_test(test_leases),
        cmocka_unit_test(test_pg_password_refused),
    };
    /* the driver-neutral tests again, on PostgreSQL */
    const struct CMUnitTest pg_tests[] = {
        cmocka_unit_test(test_pg_create_and_version),
        cmocka_unit_test(test_transactions),
        cmocka_unit_test(test_packets_outcomes_registry),
        cmocka_unit_test(test_refreshes),
        cmocka_unit_test(test_filestore_memory),
        cmocka_unit_test(test_claims),
        cmocka_unit_test(test_organisations),
        cmocka_unit_test(test_registry_display_key),
        cmocka_unit_test(test_claim_plan),
        cmocka_unit_test(test_element_rows_of_two_files),
        cmocka_unit_test(test_leases),
    };
    int failed = cmocka_run_group_tests_name("sqlite", tests, NULL, NULL);
    const char *conninfo = getenv("HCS_TEST_PG_CONNINFO");
    if (!conninfo || !*conninfo) {
        printf("SKIP test_store on PostgreSQL: no server (HCS_TEST_PG_CONNINFO unset; tests/lib/pg_throwaway.sh"
               " starts one when the postgresql package is installed)\n");
        return failed;
    }
    pg_conninfo = xasprintf("%s options='-c search_path=" PG_SCHEMA "'", conninfo);
    failed += cmocka_run_group_tests_name("postgres", pg_tests, NULL, NULL);
    free(pg_conninfo);
    return failed;
}
