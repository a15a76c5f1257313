/* store_pg — the PostgreSQL driver of the statement layer (store_sq.h),
 * over libpq: the one file that calls PQ*.  A statement keeps its SQL with
 * ? / ?N turned into $N and its parameters as text; the first step runs it
 * (PQexecParams, the server infers the parameter types from the SQL) and
 * later steps walk the rows of the result.  The password never comes
 * through the connection string: libpq reads it from PGPASSFILE. */
#include "store/store_sq.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

struct pg_conn {
    PGconn *c;
    char *errmsg;          /* the last error, malloc'd */
    char sqlstate[6];
    long changes;
};

struct pg_stmt {
    sq_stmt base;
    store *st;
    char *sql;             /* with $N */
    int nparams;
    const char **vals;     /* [nparams], NULL = SQL NULL */
    char **owned;          /* copies of bound texts */
    char (*num)[24];       /* bound integers as text */
    PGresult *res;
    int row, nrows, executed;
};

#define PC(st) ((struct pg_conn *)(st)->conn)
#define PS(x) ((struct pg_stmt *)(x))

static void set_error(store *st, const char *msg, const char *sqlstate)
{
    struct pg_conn *pc = PC(st);
    free(pc->errmsg);
    pc->errmsg = xstrdup(msg && *msg ? msg : "error");
    size_t n = strlen(pc->errmsg);
    while (n > 0 && (pc->errmsg[n - 1] == '\n' || pc->errmsg[n - 1] == ' '))
        pc->errmsg[--n] = '\0';
    snprintf(pc->sqlstate, sizeof pc->sqlstate, "%s", sqlstate ? sqlstate : "");
}

static void result_error(store *st, const PGresult *res)
{
    set_error(st, res ? PQresultErrorMessage(res) : PQerrorMessage(PC(st)->c),
              res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL);
}

/* ? and ?N → $N, outside quoted literals and identifiers, numbered as
 * SQLite numbers them (a bare ? is the highest number so far + 1);
 * *nparams = the highest. */
static char *translate(const char *sql, int *nparams)
{
    strbuf out = STRBUF_INIT;
    int max = 0;
    char quote = 0;
    for (const char *p = sql; *p; p++) {
        if (quote) {
            sb_addc(&out, *p);
            if (*p == quote)
                quote = 0;
            continue;
        }
        if (*p == '\'' || *p == '"') {
            quote = *p;
            sb_addc(&out, *p);
            continue;
        }
        if (*p != '?') {
            sb_addc(&out, *p);
            continue;
        }
        int n;
        if (p[1] >= '0' && p[1] <= '9') {
            n = (int)strtol(p + 1, (char **)&p, 10);
            p--;
        } else {
            n = max + 1;
        }
        if (n > max)
            max = n;
        sb_addf(&out, "$%d", n);
    }
    *nparams = max;
    return sb_detach(&out, NULL);
}

static sq_stmt *pg_prepare(store *st, const char *sql)
{
    struct pg_stmt *ps = xcalloc(1, sizeof *ps);
    ps->base.drv = &sq_pg_driver;
    ps->st = st;
    ps->sql = translate(sql, &ps->nparams);
    if (ps->nparams > 0) {
        ps->vals = xcalloc((size_t)ps->nparams, sizeof *ps->vals);
        ps->owned = xcalloc((size_t)ps->nparams, sizeof *ps->owned);
        ps->num = xcalloc((size_t)ps->nparams, sizeof *ps->num);
    }
    return &ps->base;
}

static int param(struct pg_stmt *ps, int i)
{
    if (i < 1 || i > ps->nparams)
        return -1;
    free(ps->owned[i - 1]);
    ps->owned[i - 1] = NULL;
    return i - 1;
}

static void pg_bind_null(sq_stmt *s, int i)
{
    int k = param(PS(s), i);
    if (k >= 0)
        PS(s)->vals[k] = NULL;
}

static void pg_bind_i64(sq_stmt *s, int i, int64_t v)
{
    int k = param(PS(s), i);
    if (k < 0)
        return;
    snprintf(PS(s)->num[k], sizeof PS(s)->num[k], "%lld", (long long)v);
    PS(s)->vals[k] = PS(s)->num[k];
}

static void pg_bind_text(sq_stmt *s, int i, const char *v, int len, int copy)
{
    int k = param(PS(s), i);
    if (k < 0)
        return;
    if (copy || len >= 0) {   /* a length means a prefix: libpq reads up to the NUL */
        PS(s)->owned[k] = len >= 0 ? xstrndup(v, (size_t)len) : xstrdup(v);
        PS(s)->vals[k] = PS(s)->owned[k];
    } else {
        PS(s)->vals[k] = v;
    }
}

static int pg_step(sq_stmt *s)
{
    struct pg_stmt *ps = PS(s);
    struct pg_conn *pc = PC(ps->st);
    if (!ps->executed) {
        ps->executed = 1;
        ps->res = PQexecParams(pc->c, ps->sql, ps->nparams, NULL, ps->vals, NULL, NULL, 0);
        ExecStatusType status = ps->res ? PQresultStatus(ps->res) : PGRES_FATAL_ERROR;
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            result_error(ps->st, ps->res);
            PQclear(ps->res);
            ps->res = NULL;
            return SQ_ERROR;
        }
        const char *n = PQcmdTuples(ps->res);
        pc->changes = n && *n ? atol(n) : 0;
        ps->nrows = status == PGRES_TUPLES_OK ? PQntuples(ps->res) : 0;
        ps->row = -1;
    }
    if (!ps->res)
        return SQ_ERROR;
    if (ps->row + 1 < ps->nrows) {
        ps->row++;
        return SQ_ROW;
    }
    ps->row = ps->nrows;
    return SQ_DONE;
}

static const char *pg_col_text(sq_stmt *s, int i)
{
    struct pg_stmt *ps = PS(s);
    if (!ps->res || ps->row < 0 || ps->row >= ps->nrows || i >= PQnfields(ps->res)
        || PQgetisnull(ps->res, ps->row, i))
        return NULL;
    return PQgetvalue(ps->res, ps->row, i);
}

static int64_t pg_col_i64(sq_stmt *s, int i)
{
    const char *v = pg_col_text(s, i);
    if (!v)
        return 0;
    if (v[0] == 't' && !v[1])   /* a boolean column */
        return 1;
    return (int64_t)strtoll(v, NULL, 10);
}

static void pg_reset(sq_stmt *s)
{
    struct pg_stmt *ps = PS(s);
    PQclear(ps->res);
    ps->res = NULL;
    ps->executed = 0;
    ps->row = ps->nrows = 0;
}

static void pg_clear(sq_stmt *s)
{
    for (int i = 1; i <= PS(s)->nparams; i++)
        pg_bind_null(s, i);
}

static void pg_finalize(sq_stmt *s)
{
    struct pg_stmt *ps = PS(s);
    pg_reset(s);
    pg_clear(s);
    free(ps->vals);
    free(ps->owned);
    free(ps->num);
    free(ps->sql);
    free(ps);
}

static int pg_exec(store *st, const char *sql)
{
    PGresult *res = PQexec(PC(st)->c, sql);
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    int ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    if (!ok)
        result_error(st, res);
    PQclear(res);
    return ok ? 0 : -1;
}

static long pg_changes(store *st)
{
    return PC(st)->changes;
}

static const char *pg_errmsg(store *st)
{
    return PC(st)->errmsg ? PC(st)->errmsg : "no error";
}

/* Serialization failure, deadlock, lock not available, connection trouble:
 * worth trying again later. */
static int pg_busy(store *st)
{
    const char *s = PC(st)->sqlstate;
    return !strcmp(s, "40001") || !strcmp(s, "40P01") || !strcmp(s, "55P03") || !strncmp(s, "08", 2)
           || PQstatus(PC(st)->c) != CONNECTION_OK;
}

static void pg_close(store *st)
{
    struct pg_conn *pc = PC(st);
    PQfinish(pc->c);
    free(pc->errmsg);
    free(pc);
    st->conn = NULL;
}

const struct sq_driver sq_pg_driver = {
    .name = "postgres",
    .prepare = pg_prepare,
    .bind_null = pg_bind_null,
    .bind_i64 = pg_bind_i64,
    .bind_text = pg_bind_text,
    .step = pg_step,
    .col_i64 = pg_col_i64,
    .col_text = pg_col_text,
    .reset = pg_reset,
    .clear = pg_clear,
    .finalize = pg_finalize,
    .exec = pg_exec,
    .changes = pg_changes,
    .errmsg = pg_errmsg,
    .busy = pg_busy,
    .close = pg_close,
    .begin_sql = "BEGIN",
    .has_version_sql = "SELECT count(*) FROM information_schema.tables"
                       " WHERE table_schema = current_schema() AND table_name = 'schema_version'",
    .sync_sql = { "SET synchronous_commit = off", "SET synchronous_commit = on" },
    .flush_sql = NULL,
    .integrity_sql = "SELECT 'ok'",
    /* claims take turns (the lane check reads what other claims write);
     * SKIP LOCKED passes over rows a worker's open transaction holds */
    .claim_lock_sql = "SELECT pg_advisory_xact_lock(7201932)",
    .skip_locked = " FOR UPDATE SKIP LOCKED",
    .migration_count = store_pg_migration_count,
    .migration = store_pg_migration,
};

/* Refuses a connection string that carries a password (it would sit in a
 * configuration file and in error messages): 0, or -1 (err). */
static int check_conninfo(const char *conninfo, hcs_err *err)
{
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &msg);
    if (!opts) {
        hcs_fail(err, HCS_EX_CONFIG, "store.conninfo is not a valid PostgreSQL connection string: %s",
                 msg ? msg : "out of memory");
        PQfreemem(msg);
        return -1;
    }
    int has_password = 0;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (!strcmp(o->keyword, "password") && o->val && *o->val)
            has_password = 1;
    PQconninfoFree(opts);
    if (has_password)
        return hcs_fail(err, HCS_EX_CONFIG, "store.conninfo contains a password; remove it and put the password"
                        " in the file PGPASSFILE names (or ~/.pgpass, mode 0600)");
    return 0;
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

store *store_open_pg(const char *conninfo, hcs_err *err)
{
    if (check_conninfo(conninfo, err) < 0)
        return NULL;
    store *st = xcalloc(1, sizeof *st);
    st->drv = &sq_pg_driver;
    st->path = xasprintf("postgres:%s", conninfo);
    struct pg_conn *pc = xcalloc(1, sizeof *pc);
    st->conn = pc;
    pc->c = PQconnectdb(conninfo);
    if (PQstatus(pc->c) != CONNECTION_OK) {
        set_error(st, PQerrorMessage(pc->c), "08000");
        hcs_fail(err, HCS_EX_TEMPFAIL, "cannot connect to the state database %s: %s", st->path, pg_errmsg(st));
        store_close(st);
        return NULL;
    }
    /* notices (CREATE … IF NOT EXISTS) are not errors: keep them off stderr */
    PQsetNoticeProcessor(pc->c, quiet, NULL);
    if (sq_exec(st, "SET client_min_messages = warning", err) < 0 || sq_migrate(st, err) < 0) {
        store_close(st);
        return NULL;
    }
    return st;
}
