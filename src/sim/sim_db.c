/* sim_db — SQLite storage of the simulated world and of the simulator's
 * own state (messages, acks, results, imported objects). */
#include "sim/sim_db.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <csv.h>

#include "base/fsutil.h"
#include "base/guid.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

static const char schema_sql[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    /* GUIDs compare without case (GIS writes them either way) and stay indexed. */
    "CREATE TABLE IF NOT EXISTS houses(fias_house_guid TEXT COLLATE NOCASE PRIMARY KEY, address TEXT,"
    " house_type TEXT, unique_number TEXT, origin TEXT);"
    "CREATE TABLE IF NOT EXISTS premises(premises_guid TEXT COLLATE NOCASE PRIMARY KEY, fias_house_guid TEXT COLLATE NOCASE,"
    " premises_number TEXT, residential TEXT, total_area TEXT, origin TEXT,"
    /* the organisation that created it ('': the world's provider); another
     * organisation's premises are unknown to a requester */
    " org TEXT NOT NULL DEFAULT '');"
    /* houses an organisation created with importHouseUOData: a house is
     * known to the organisations listed here, or, when none is, to the
     * world's provider ('') */
    "CREATE TABLE IF NOT EXISTS house_orgs(fias_house_guid TEXT COLLATE NOCASE, org TEXT,"
    " PRIMARY KEY(fias_house_guid, org));"
    "CREATE INDEX IF NOT EXISTS premises_house ON premises(fias_house_guid);"
    /* entrances: none in the world files; importHouseUOData adds them */
    "CREATE TABLE IF NOT EXISTS entrances(entrance_guid TEXT COLLATE NOCASE PRIMARY KEY,"
    " fias_house_guid TEXT COLLATE NOCASE, entrance_number TEXT, origin TEXT, org TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE IF NOT EXISTS rooms(living_room_guid TEXT COLLATE NOCASE PRIMARY KEY, premises_guid TEXT COLLATE NOCASE,"
    " room_number TEXT, origin TEXT);"
    "CREATE TABLE IF NOT EXISTS meters(root_guid TEXT COLLATE NOCASE PRIMARY KEY, version_guid TEXT COLLATE NOCASE,"
    " fias_house_guid TEXT COLLATE NOCASE, serial_number TEXT, kind TEXT, resources TEXT, premises_guid TEXT COLLATE NOCASE,"
    " account_number TEXT, account_guid TEXT COLLATE NOCASE, model TEXT, update_date TEXT, origin TEXT,"
    " archived TEXT, replaced_by TEXT COLLATE NOCASE);"
    "CREATE INDEX IF NOT EXISTS meters_house ON meters(fias_house_guid);"
    "CREATE INDEX IF NOT EXISTS meters_version ON meters(version_guid);"
    "CREATE TABLE IF NOT EXISTS accounts(account_guid TEXT COLLATE NOCASE PRIMARY KEY, account_number TEXT,"
    " unified_account_number TEXT, service_id TEXT, fias_house_guid TEXT COLLATE NOCASE, premises_guid TEXT COLLATE NOCASE,"
    " living_room_guid TEXT COLLATE NOCASE, account_kind TEXT, share_percent TEXT, total_square TEXT,"
    " persons TEXT, payer_surname TEXT, payer_first_name TEXT, payer_org TEXT,"
    " closed TEXT, update_date TEXT, origin TEXT,"
    " org TEXT NOT NULL DEFAULT '');"   /* the organisation's whose account it is ('': the world's provider) */
    "CREATE INDEX IF NOT EXISTS accounts_number ON accounts(account_number);"
    "CREATE INDEX IF NOT EXISTS accounts_house ON accounts(fias_house_guid);"
    "CREATE INDEX IF NOT EXISTS accounts_uan ON accounts(unified_account_number);"
    "CREATE INDEX IF NOT EXISTS accounts_sid ON accounts(service_id);"
    "CREATE TABLE IF NOT EXISTS orgs(org_root_guid TEXT COLLATE NOCASE PRIMARY KEY, ogrn TEXT,"
    " org_version_guid TEXT COLLATE NOCASE, name TEXT, origin TEXT);"
    "CREATE TABLE IF NOT EXISTS payment_documents(payment_document_guid TEXT COLLATE NOCASE PRIMARY KEY,"
    " account_number TEXT, payment_document_number TEXT, period TEXT, payment_document_id TEXT,"
    " account_guid TEXT COLLATE NOCASE, total TEXT, withdrawn TEXT, update_date TEXT, origin TEXT);"
    "CREATE INDEX IF NOT EXISTS pd_id ON payment_documents(payment_document_id);"
    "CREATE INDEX IF NOT EXISTS pd_account ON payment_documents(account_guid);"
    "CREATE TABLE IF NOT EXISTS nsi(registry TEXT, code TEXT, guid TEXT COLLATE NOCASE, name TEXT, origin TEXT,"
    " actual INTEGER DEFAULT 1, PRIMARY KEY(registry, code));"
    "CREATE TABLE IF NOT EXISTS readings(guid TEXT COLLATE NOCASE PRIMARY KEY, meter_root_guid TEXT COLLATE NOCASE,"
    " resource TEXT, value TEXT, date_value TEXT, transport_guid TEXT COLLATE NOCASE, message_guid TEXT COLLATE NOCASE,"
    " update_date TEXT);"
    "CREATE INDEX IF NOT EXISTS readings_meter ON readings(meter_root_guid);"
    "CREATE TABLE IF NOT EXISTS messages(gis_guid TEXT COLLATE NOCASE PRIMARY KEY, requester_guid TEXT COLLATE NOCASE UNIQUE,"
    " org TEXT, endpoint TEXT, operation TEXT, received_ms INTEGER, processing_ms INTEGER,"
    " done INTEGER DEFAULT 0, request BLOB, ack BLOB, result BLOB);"
    "CREATE INDEX IF NOT EXISTS messages_pending ON messages(done, received_ms);"
    "CREATE TABLE IF NOT EXISTS poisoned(requester_guid TEXT COLLATE NOCASE PRIMARY KEY);"
    /* --faults result: messages whose processing ends in an ErrorMessage. */
    "CREATE TABLE IF NOT EXISTS result_faults(gis_guid TEXT COLLATE NOCASE PRIMARY KEY, code TEXT);"
    "CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value INTEGER);"
    /* Objects of the imports without a table of their own (houses, charters,
     * contracts, services, payment notifications): the request XML as sent. */
    "CREATE TABLE IF NOT EXISTS objects(guid TEXT COLLATE NOCASE PRIMARY KEY, kind TEXT,"
    " natural_key TEXT, version_guid TEXT COLLATE NOCASE, version_number INTEGER DEFAULT 1,"
    " unique_number TEXT, update_date TEXT,"
    " element TEXT, xml TEXT, houses TEXT);"
    "CREATE INDEX IF NOT EXISTS objects_key ON objects(kind, natural_key);"
    "CREATE INDEX IF NOT EXISTS objects_version ON objects(version_guid);"
    /* Debt subrequests addressed to the provider (sim_op_debt.c).  Dates
     * may be written relative to the day they are read: today, today+N,
     * today-N.  status: Sent (open) | Processed | Revoked (closed). */
    "CREATE TABLE IF NOT EXISTS subrequests(subrequest_guid TEXT COLLATE NOCASE PRIMARY KEY,"
    " request_guid TEXT, request_number TEXT, org_root_guid TEXT, org_name TEXT, org_tel TEXT,"
    " fias_house_guid TEXT, hm_object_guid TEXT, address TEXT, period_from TEXT, period_to TEXT,"
    " sent_date TEXT, response_date TEXT, status TEXT DEFAULT 'Sent',"
    " response_status TEXT DEFAULT 'NotSent', has_debt TEXT, description TEXT, executor_guid TEXT,"
    " answered_at TEXT, origin TEXT);";

sqlite3 *sim_db_open(const char *state_dir, hcs_err *err)
{
    if (mkdir_p(state_dir, err) < 0)
        return NULL;
    char *path = path_join(state_dir, "sim-state.sqlite");
    sqlite3 *db = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK) {
        hcs_fail(err, HCS_EX_CANTCREAT, "%s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
        sqlite3_close(db);
        free(path);
        return NULL;
    }
    sqlite3_busy_timeout(db, 5000);
    char *msg = NULL;
    if (sqlite3_exec(db, schema_sql, NULL, NULL, &msg) != SQLITE_OK) {
        hcs_fail(err, HCS_EX_CANTCREAT, "%s: %s", path, msg ? msg : "schema");
        sqlite3_free(msg);
        sqlite3_close(db);
        free(path);
        return NULL;
    }
    free(path);
    return db;
}

void sim_db_close(sqlite3 *db)
{
    if (db)
        sqlite3_close(db);
}

static int vquery(sqlite3 *db, sim_row_fn fn, void *ctx, hcs_err *err, const char *sql, va_list ap)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return hcs_fail(err, HCS_EX_SOFTWARE, "sql: %s: %s", sqlite3_errmsg(db), sql);
    int nparams = sqlite3_bind_parameter_count(st);
    for (int i = 1; i <= nparams; i++) {
        const char *v = va_arg(ap, const char *);
        /* by content: equal literals from two files need not share an
         * address (under ASan they never do) */
        if (v && !strcmp(v, SIM_NULL))
            sqlite3_bind_null(st, i);
        else
            sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_TRANSIENT);
    }
    int rows = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        rows++;
        if (fn && fn(ctx, st))
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        hcs_fail(err, HCS_EX_SOFTWARE, "sql: %s", sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    return rows;
}

int sim_db_query(sqlite3 *db, sim_row_fn fn, void *ctx, hcs_err *err, const char *sql, ...)
{
    va_list ap;
    va_start(ap, sql);
    int rc = vquery(db, fn, ctx, err, sql, ap);
    va_end(ap);
    return rc;
}

const char *sim_col(sqlite3_stmt *row, int i)
{
    const unsigned char *t = sqlite3_column_text(row, i);
    return t ? (const char *)t : "";
}

struct get_ctx {
    char *out;
    size_t n;
};

static int get_first(void *ctx, sqlite3_stmt *row)
{
    struct get_ctx *g = ctx;
    snprintf(g->out, g->n, "%s", sim_col(row, 0));
    return 1;
}

int sim_db_get(sqlite3 *db, char *out, size_t n, const char *sql, ...)
{
    struct get_ctx g = { out, n };
    hcs_err err;
    if (n)
        out[0] = '\0';
    va_list ap;
    va_start(ap, sql);
    int rc = vquery(db, get_first, &g, &err, sql, ap);
    va_end(ap);
    return rc < 0 ? -1 : rc > 0;
}

int sim_db_begin(sqlite3 *db) { return sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1; }
int sim_db_commit(sqlite3 *db) { return sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1; }
void sim_db_rollback(sqlite3 *db) { sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL); }

/* ---- world CSV loading ------------------------------------------------ */

struct world_file {
    const char *file;
    const char *table;
    const char *const cols[13];  /* columns the file may carry; [0] is required */
};

static const struct world_file world_files[] = {
    { "houses.csv", "houses", { "fias_house_guid", "address", "house_type", "unique_number" } },
    { "premises.csv", "premises", { "premises_guid", "fias_house_guid", "premises_number", "residential", "total_area" } },
    { "rooms.csv", "rooms", { "living_room_guid", "premises_guid", "room_number" } },
    { "meters.csv", "meters", { "root_guid", "fias_house_guid", "serial_number", "version_guid", "kind", "resources", "premises_guid", "account_number" } },
    { "accounts.csv", "accounts", { "account_guid", "account_number", "unified_account_number", "service_id", "fias_house_guid", "premises_guid" } },
    { "orgs.csv", "orgs", { "org_root_guid", "ogrn", "org_version_guid", "name" } },
    { "payment_documents.csv", "payment_documents", { "payment_document_guid", "account_number", "payment_document_number", "period", "payment_document_id", "account_guid" } },
    { "subrequests.csv", "subrequests", { "subrequest_guid", "request_guid", "request_number", "org_root_guid", "org_name", "hm_object_guid", "address", "period_from", "period_to", "sent_date", "response_date", "status" } },
    { NULL, NULL, { NULL } }
};

struct csv_load {
    sqlite3 *db;
    const char *path;
    const struct world_file *wf;
    const char *registry;        /* nsi file: its registry number */
    char **fields;
    size_t nfields, cap;
    int header_done;
    int map[16];                 /* CSV column → index into wf->cols (or -1) */
    size_t ncols;
    sqlite3_stmt *insert;
    long line;
    hcs_err *err;
    int failed;
};

static void on_field(void *s, size_t len, void *data)
{
    struct csv_load *L = data;
    ARRAY_GROW(L->fields, L->nfields, L->cap);
    const char *p = s ? s : "";
    if (L->line == 0 && L->nfields == 0 && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
        p += 3;   /* UTF-8 byte order mark */
        len -= 3;
    }
    L->fields[L->nfields++] = xstrndup(p, len);
}

static const char *const nsi_cols[] = { "code", "guid", "name", NULL };

static const char *const *load_cols(struct csv_load *L)
{
    return L->wf ? L->wf->cols : nsi_cols;
}

static void prepare_insert(struct csv_load *L)
{
    const char *const *cols = load_cols(L);
    strbuf sql = STRBUF_INIT;
    sb_addf(&sql, "INSERT OR IGNORE INTO %s(origin", L->wf ? L->wf->table : "nsi");
    if (!L->wf)
        sb_adds(&sql, ",registry");
    for (size_t i = 0; i < L->ncols; i++)
        if (L->map[i] >= 0)
            sb_addf(&sql, ",%s", cols[L->map[i]]);
    sb_adds(&sql, ") VALUES('world'");
    if (!L->wf)
        sb_adds(&sql, ",?");
    for (size_t i = 0; i < L->ncols; i++)
        if (L->map[i] >= 0)
            sb_adds(&sql, ",?");
    sb_adds(&sql, ")");
    if (sqlite3_prepare_v2(L->db, sb_str(&sql), -1, &L->insert, NULL) != SQLITE_OK) {
        hcs_fail(L->err, HCS_EX_SOFTWARE, "%s: %s", L->path, sqlite3_errmsg(L->db));
        L->failed = 1;
    }
    sb_free(&sql);
}

static void on_header(struct csv_load *L)
{
    const char *const *cols = load_cols(L);
    int have_key = 0;
    L->ncols = L->nfields < 16 ? L->nfields : 16;
    for (size_t i = 0; i < L->ncols; i++) {
        L->map[i] = -1;
        for (int c = 0; cols[c]; c++)
            if (strcmp(L->fields[i], cols[c]) == 0) {
                L->map[i] = c;
                have_key |= c == 0;
            }
    }
    if (!have_key) {
        hcs_fail(L->err, HCS_EX_DATAERR, "%s: header line lacks the column %s", L->path, cols[0]);
        L->failed = 1;
        return;
    }
    prepare_insert(L);
}

static void on_row(int c, void *data)
{
    (void)c;
    struct csv_load *L = data;
    if (L->failed)
        goto out;
    if (!L->header_done) {
        L->header_done = 1;
        on_header(L);
        goto out;
    }
    if (L->nfields == 1 && L->fields[0][0] == '\0')
        goto out;   /* blank line */
    sqlite3_reset(L->insert);
    sqlite3_clear_bindings(L->insert);
    int p = 1;
    if (!L->wf)
        sqlite3_bind_text(L->insert, p++, L->registry, -1, SQLITE_TRANSIENT);
    for (size_t i = 0; i < L->ncols; i++) {
        if (L->map[i] < 0)
            continue;
        const char *v = i < L->nfields ? L->fields[i] : "";
        if (*v)
            sqlite3_bind_text(L->insert, p, v, -1, SQLITE_TRANSIENT);
        p++;
    }
    if (sqlite3_step(L->insert) != SQLITE_DONE) {
        hcs_fail(L->err, HCS_EX_DATAERR, "%s: line %ld: %s", L->path, L->line + 1, sqlite3_errmsg(L->db));
        L->failed = 1;
    }
out:
    for (size_t i = 0; i < L->nfields; i++)
        free(L->fields[i]);
    L->nfields = 0;
    L->line++;
}

static int load_csv(sqlite3 *db, const char *path, const struct world_file *wf,
                    const char *registry, hcs_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;   /* every world file is optional */
    struct csv_parser p;
    csv_init(&p, CSV_APPEND_NULL | CSV_EMPTY_IS_NULL);
    csv_set_delim(&p, ';');
    struct csv_load L = { .db = db, .path = path, .wf = wf, .registry = registry, .err = err };
    char buf[65536];
    size_t n;
    while (!L.failed && (n = fread(buf, 1, sizeof buf, f)) > 0)
        if (csv_parse(&p, buf, n, on_field, on_row, &L) != n) {
            hcs_fail(err, HCS_EX_DATAERR, "%s: line %ld: %s", path, L.line + 1,
                     csv_strerror(csv_error(&p)));
            L.failed = 1;
        }
    if (!L.failed)
        csv_fini(&p, on_field, on_row, &L);
    csv_free(&p);
    fclose(f);
    for (size_t i = 0; i < L.nfields; i++)
        free(L.fields[i]);
    free(L.fields);
    if (L.insert)
        sqlite3_finalize(L.insert);
    return L.failed ? -1 : 0;
}

static int load_nsi_dir(sqlite3 *db, const char *world_dir, hcs_err *err)
{
    char *dir = path_join(world_dir, "nsi");
    DIR *d = opendir(dir);
    int rc = 0;
    if (d) {
        struct dirent *e;
        while (rc == 0 && (e = readdir(d))) {
            size_t len = strlen(e->d_name);
            if (len < 5 || strcmp(e->d_name + len - 4, ".csv") != 0)
                continue;
            char *registry = xstrndup(e->d_name, len - 4);
            char *path = path_join(dir, e->d_name);
            rc = load_csv(db, path, NULL, registry, err);
            free(path);
            free(registry);
        }
        closedir(d);
    }
    free(dir);
    return rc;
}

int sim_db_load_world(sqlite3 *db, const char *world_dir, hcs_err *err)
{
    if (sim_db_begin(db) < 0)
        return hcs_fail(err, HCS_EX_SOFTWARE, "sqlite: %s", sqlite3_errmsg(db));
    for (const struct world_file *wf = world_files; wf->file; wf++) {
        char *sql = xasprintf("DELETE FROM %s WHERE origin='world'", wf->table);
        sqlite3_exec(db, sql, NULL, NULL, NULL);
        free(sql);
        char *path = path_join(world_dir, wf->file);
        int rc = load_csv(db, path, wf, NULL, err);
        free(path);
        if (rc < 0) {
            sim_db_rollback(db);
            return -1;
        }
    }
    sqlite3_exec(db, "DELETE FROM nsi WHERE origin='world'", NULL, NULL, NULL);
    if (load_nsi_dir(db, world_dir, err) < 0) {
        sim_db_rollback(db);
        return -1;
    }
    if (sim_db_commit(db) < 0)
        return hcs_fail(err, HCS_EX_SOFTWARE, "sqlite: %s", sqlite3_errmsg(db));
    return 0;
}

/* Where a GUID of the housing stock lives: the column that names the
 * object and the columns that refer to it. */
static const struct { const char *table, *column; } guid_columns[] = {
    { "premises", "premises_guid" }, { "rooms", "premises_guid" }, { "meters", "premises_guid" },
    { "accounts", "premises_guid" }, { "rooms", "living_room_guid" }, { "accounts", "living_room_guid" },
    { "meters", "root_guid" }, { "meters", "version_guid" }, { "meters", "replaced_by" }, { "readings", "meter_root_guid" },
    { "accounts", "account_guid" }, { "meters", "account_guid" }, { "payment_documents", "account_guid" },
};

int sim_db_renew_guid(sqlite3 *db, const char *old_guid, char new_guid[40], hcs_err *err)
{
    char guid[40];
    if (guid_normalize(old_guid, guid) < 0)
        return hcs_fail(err, HCS_EX_USAGE, "--renew-guid: '%s' is not a GUID", old_guid);
    guid_new(new_guid);
    long changed = 0;
    if (sim_db_begin(db) < 0)
        return hcs_fail(err, HCS_EX_SOFTWARE, "sqlite: %s", sqlite3_errmsg(db));
    for (size_t i = 0; i < sizeof guid_columns / sizeof guid_columns[0]; i++) {
        char *sql = xasprintf("UPDATE %s SET %s=? WHERE %s=?", guid_columns[i].table, guid_columns[i].column,
                              guid_columns[i].column);
        int rc = sim_db_query(db, NULL, NULL, err, sql, new_guid, guid);
        free(sql);
        if (rc < 0) {
            sim_db_rollback(db);
            return -1;
        }
        changed += sqlite3_changes(db);
    }
    if (sim_db_commit(db) < 0)
        return hcs_fail(err, HCS_EX_SOFTWARE, "sqlite: %s", sqlite3_errmsg(db));
    if (!changed)
        return hcs_fail(err, HCS_EX_USAGE, "--renew-guid: no object of the world has GUID %s", guid);
    return 0;
}
