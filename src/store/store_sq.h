/* store_sq — the neutral statement layer under the store's files: a
 * statement is prepared, bound, stepped and read through the driver of its
 * store (SQLite in store_sqlite.c, PostgreSQL over libpq in store_pg.c), so
 * store_*.c hold SQL and no driver calls.  The SQL is written once, in the
 * dialect both understand: parameters ? or ?N (the PostgreSQL driver turns
 * them into $N), upserts with ON CONFLICT, new ids through RETURNING id,
 * columns of the conflicting row qualified by their table name. */
#ifndef HCS_STORE_SQ_H
#define HCS_STORE_SQ_H

#include <stddef.h>

#include "base/strbuf.h"
#include "store/store.h"

typedef struct sq_stmt sq_stmt;

enum { SQ_ERROR = -1, SQ_DONE = 0, SQ_ROW = 1 };

/* What a driver does; every statement carries its driver. */
struct sq_driver {
    const char *name;
    sq_stmt *(*prepare)(store *st, const char *sql);     /* NULL: failed (errmsg) */
    void (*bind_null)(sq_stmt *s, int i);
    void (*bind_i64)(sq_stmt *s, int i, int64_t v);
    /* copy: the text is copied; else it must outlive the statement's next reset */
    void (*bind_text)(sq_stmt *s, int i, const char *v, int len, int copy);
    int (*step)(sq_stmt *s);                              /* SQ_ROW, SQ_DONE, SQ_ERROR */
    int64_t (*col_i64)(sq_stmt *s, int i);
    const char *(*col_text)(sq_stmt *s, int i);           /* NULL for NULL */
    void (*reset)(sq_stmt *s);                            /* keeps the bindings */
    void (*clear)(sq_stmt *s);                            /* bindings back to NULL */
    void (*finalize)(sq_stmt *s);
    int (*exec)(store *st, const char *sql);              /* several statements, no parameters */
    long (*changes)(store *st);                           /* rows the last statement changed */
    const char *(*errmsg)(store *st);
    int (*busy)(store *st);                               /* the last error is a lock / conflict */
    void (*close)(store *st);
    const char *begin_sql;                                /* starts a write transaction */
    const char *has_version_sql;                          /* count of schema_version tables */
    const char *sync_sql[2];                              /* [full]: store_set_full_sync */
    const char *flush_sql;                                /* store_flush, NULL: nothing to do */
    const char *integrity_sql;                            /* one row: "ok" or the first problem */
    const char *claim_lock_sql;                           /* serializes claims in a transaction, or NULL */
    const char *skip_locked;                              /* appended to a claim's SELECT */
    size_t (*migration_count)(void);
    const char *(*migration)(size_t version);             /* SQL bringing version-1 → version */
};

struct sq_stmt {
    const struct sq_driver *drv;
};

struct store {
    const struct sq_driver *drv;
    void *conn;                   /* the driver's connection */
    int tx_depth;
    char *path;                   /* what errors name: the file, or the conninfo without secrets */
    /* Prepared once, reset after each use: the converter asks the registry
     * for every key of every row, and an export puts every object it lists. */
    sq_stmt *registry_get, *registry_put;
    /* [0] a key written in its comparison form, [1] both spellings */
    sq_stmt *registry_find[2], *registry_answer[2];
    strbuf lookup_key;            /* their key in its comparison form, reused: no allocation per lookup */
    char *org;                    /* the organisation whose rows this handle sees (NULL: "default") */
    int all_orgs;                 /* listings (runs, files, packets, registry) of every organisation */
};

/* The organisation rows are written for and looked up by. */
static inline const char *sq_org(const store *st) { return st->org ? st->org : "default"; }
/* A name of a shared table (marks, the file store's contexts) as the
 * organisation's: "ORG/name", the name itself for the default one.  malloc'd. */
char *sq_org_scoped(const store *st, const char *name);
/* The organisation listings show, NULL: all (bound to (CAST(?N AS TEXT) IS NULL OR org = ?N)). */
static inline const char *sq_org_filter(const store *st) { return st->all_orgs ? NULL : sq_org(st); }

/* Each driver's migrations, the same version numbers (store_schema.c, store_schema_pg.c). */
size_t store_sqlite_migration_count(void);
const char *store_sqlite_migration(size_t version);
size_t store_pg_migration_count(void);
const char *store_pg_migration(size_t version);

extern const struct sq_driver sq_sqlite_driver;
extern const struct sq_driver sq_pg_driver;

/* The statement calls, through the statement's driver. */
static inline void sq_bind_null(sq_stmt *s, int i) { s->drv->bind_null(s, i); }
static inline void sq_bind_i64(sq_stmt *s, int i, int64_t v) { s->drv->bind_i64(s, i, v); }
static inline void sq_bind_int(sq_stmt *s, int i, int v) { s->drv->bind_i64(s, i, v); }
/* v not copied: it must stay until the statement is reset or finalized */
static inline void sq_bind_static(sq_stmt *s, int i, const char *v, int len) { s->drv->bind_text(s, i, v, len, 0); }
static inline int sq_step(sq_stmt *s) { return s->drv->step(s); }
static inline int64_t sq_col_i64(sq_stmt *s, int i) { return s->drv->col_i64(s, i); }
static inline int sq_col_int(sq_stmt *s, int i) { return (int)s->drv->col_i64(s, i); }
static inline const char *sq_col_text(sq_stmt *s, int i) { return s->drv->col_text(s, i); }
static inline void sq_reset(sq_stmt *s) { s->drv->reset(s); }
static inline void sq_clear(sq_stmt *s) { s->drv->clear(s); }
static inline void sq_finalize(sq_stmt *s) { if (s) s->drv->finalize(s); }
static inline long sq_changes(store *st) { return st->drv->changes(st); }

/* Helpers: prepare (err on failure), bind a possibly-NULL string (copied), copy a column. */
int sq_prep(store *st, const char *sql, sq_stmt **stmt, hcs_err *err);
void sq_text(sq_stmt *s, int i, const char *v);
/* sq_text of a malloc'd v, freed here. */
void sq_take_text(sq_stmt *s, int i, char *v);
/* sq_text for v[0..n) as parameters first, first + 1, …; returns first + n. */
int sq_texts(sq_stmt *s, int first, const char *const *v, size_t n);
#define SQ_TEXTS(s, first, ...) \
    sq_texts(s, first, (const char *const[]){ __VA_ARGS__ }, \
             sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))
char *sq_dup(sq_stmt *s, int i);
int sq_fail(store *st, hcs_err *err, const char *what);
int sq_exec(store *st, const char *sql, hcs_err *err);
/* Steps a statement that returns no rows, finalizes it. */
int sq_done(store *st, sq_stmt *s, hcs_err *err, const char *what);
/* Steps a statement whose one row holds one integer that is never
 * negative (a count, a coalesced min), finalizes it: the value, or -1. */
int64_t sq_one_i64(store *st, sq_stmt *s, hcs_err *err, const char *what);
/* Steps an INSERT … RETURNING id, reads the id, finalizes it. */
int sq_insert_id(store *st, sq_stmt *s, int64_t *id, hcs_err *err, const char *what);
/* A statement prepared once per store (*cached; store_close finalizes it):
 * prepares it on first use.  0, or -1 (err). */
int sq_cached(store *st, sq_stmt **cached, const char *sql, hcs_err *err);
/* Steps a cached statement that returns no rows, then resets it. */
int sq_done_cached(store *st, sq_stmt *s, hcs_err *err, const char *what);
int64_t sq_now(void);

/* Opening: the driver's connection is in st (drv, conn, path set); creates
 * or migrates the schema.  0, or -1 (err). */
int sq_migrate(store *st, hcs_err *err);
int sq_read_version(store *st, int *version, hcs_err *err);

/* A row read by a table of fields, column i into fields[i]: the struct
 * readers of the drivers' SELECTs. */
enum sq_type { SQ_I64, SQ_INT, SQ_LONG, SQ_TEXT, SQ_GUID };   /* SQ_GUID: char[37] */
struct sq_field {
    size_t offset;
    enum sq_type type;
};
#define SQ_FIELD(type_, member, kind) { offsetof(type_, member), kind }
void sq_read_row(sq_stmt *s, const struct sq_field *fields, size_t n, void *out);
/* The registry's columns, in the order registry_fields reads them. */
#define REGISTRY_COLS "kind, local_key, guid, unique_number, version, update_date, last_error, attrs, display_key"
#define REGISTRY_NCOLS 9
extern const struct sq_field registry_fields[REGISTRY_NCOLS];

/* Runs `sql` (one ? for the id) and reads its row into out: 0, or -1 with
 * HCS_EX_DATAERR "no <what> with id N" when there is none. */
int sq_get_by_id(store *st, const char *sql, int64_t id, const struct sq_field *fields, size_t n, void *out,
                 const char *what, hcs_err *err);

#endif
