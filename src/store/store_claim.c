/* store_claim — work claiming for several workers (store.h): packets taken
 * with a lease in one short transaction, leases released, and the request
 * slots of a rate shared through the database. */
#include "store/store_sq.h"

#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/xalloc.h"

/* "(?first,?first+1,…)" for n states: numbered, since the list stands
 * before numbered parameters in the SQL. */
static void add_list(strbuf *sql, int first, size_t n)
{
    sb_adds(sql, "(");
    for (size_t i = 0; i < n; i++)
        sb_addf(sql, "%s?%d", i ? "," : "", first + (int)i);
    sb_adds(sql, ")");
}

static char *claim_sql(store *st, size_t nstates, int lanes)
{
    strbuf sql = STRBUF_INIT;
    /* ?1 owner, ?2 lease until, ?3 due before, ?4 now, ?5 limit, ?6 the
     * organisation, ?7… the states */
    sb_adds(&sql, "UPDATE packets SET lease_owner=?1, lease_until=?2 WHERE id IN (SELECT p.id FROM packets p"
                  " WHERE p.org = ?6 AND p.state IN ");
    add_list(&sql, 7, nstates);
    sb_adds(&sql, " AND (CAST(?3 AS BIGINT) = 0 OR p.next_at <= ?3)"
                  " AND (p.lease_owner IS NULL OR p.lease_owner = ?1 OR p.lease_until <= ?4)");
    if (lanes) {
        /* The lanes other workers hold, found once (few rows: leases end
         * with each pass), not a subquery run for every candidate: that
         * made a claim over 100k queued packets cost 100k index searches
         * under the write lock (tests/bench/bench_workers.sh).  lane is
         * NOT NULL, so NOT IN is safe; p itself leased by another already
         * fails the lease test above.  A lane is an organisation's. */
        sb_adds(&sql, " AND p.lane NOT IN (SELECT q.lane FROM packets q WHERE q.org = ?6 AND q.lease_owner IS NOT NULL"
                      " AND q.lease_owner <> ?1 AND q.lease_until > ?4 AND q.state IN ");
        add_list(&sql, 7, nstates);
        sb_adds(&sql, ")");
    }
    sb_addf(&sql, " ORDER BY p.lane, p.file_id, p.seq, p.id LIMIT ?5%s) RETURNING id", st->drv->skip_locked);
    return sb_detach(&sql, NULL);
}

static size_t count_states(const struct store_claim *c)
{
    size_t n = 0;
    while (c->states[n])
        n++;
    return n;
}

/* The claim's statement, `prefix` before it (an EXPLAIN), bound. */
static int claim_prep(store *st, const struct store_claim *c, const char *prefix, sq_stmt **s, hcs_err *err)
{
    size_t n = count_states(c);
    char *body = claim_sql(st, n, c->lanes);
    char *sql = xasprintf("%s%s", prefix, body);
    int rc = sq_prep(st, sql, s, err);
    free(sql);
    free(body);
    if (rc < 0)
        return -1;
    sq_text(*s, 1, c->owner);
    sq_bind_i64(*s, 2, c->now + c->lease_seconds);
    sq_bind_i64(*s, 3, c->due_before);
    sq_bind_i64(*s, 4, c->now);
    sq_bind_int(*s, 5, c->limit);
    sq_text(*s, 6, sq_org(st));
    sq_texts(*s, 7, c->states, n);
    return 0;
}

static long claim_in_tx(store *st, const struct store_claim *c, int64_t *ids, hcs_err *err)
{
    if (st->drv->claim_lock_sql && sq_exec(st, st->drv->claim_lock_sql, err) < 0)
        return -1;
    sq_stmt *s;
    if (claim_prep(st, c, "", &s, err) < 0)
        return -1;
    long got = 0;
    int rc;
    while ((rc = sq_step(s)) == SQ_ROW)
        if (got < c->limit)
            ids[got++] = sq_col_i64(s, 0);
    if (rc == SQ_ERROR)
        got = sq_fail(st, err, "claim packets");
    sq_finalize(s);
    return got;
}

char *store_packets_claim_plan(store *st, const struct store_claim *c, hcs_err *err)
{
    /* SQLite: id, parent, notused, detail; PostgreSQL: one text column. */
    int lite = strcmp(store_driver_name(st), "sqlite") == 0;
    sq_stmt *s;
    if (!c->states || !c->states[0] || claim_prep(st, c, lite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ", &s, err) < 0)
        return NULL;
    strbuf out = STRBUF_INIT;
    int rc;
    while ((rc = sq_step(s)) == SQ_ROW) {
        const char *line = sq_col_text(s, lite ? 3 : 0);
        sb_addf(&out, "%s\n", line ? line : "");
    }
    if (rc == SQ_ERROR) {
        sq_fail(st, err, "explain the claim");
        sq_finalize(s);
        sb_free(&out);
        return NULL;
    }
    sq_finalize(s);
    return sb_detach(&out, NULL);
}

long store_packets_claim(store *st, const struct store_claim *c, int64_t *ids, hcs_err *err)
{
    if (c->limit <= 0 || !c->states || !c->states[0])
        return 0;
    if (store_begin(st, err) < 0)
        return -1;
    long got = claim_in_tx(st, c, ids, err);
    if (got < 0 || store_commit(st, err) < 0) {
        store_rollback(st);
        return -1;
    }
    return got;
}

long store_packets_release(store *st, const char *owner, int64_t id, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "UPDATE packets SET lease_owner=NULL, lease_until=0 WHERE lease_owner=?1 AND (CAST(?2 AS BIGINT) = 0 OR id=?2)",
                &s, err) < 0)
        return -1;
    sq_text(s, 1, owner);
    sq_bind_i64(s, 2, id);
    if (sq_done(st, s, err, "release packets") < 0)
        return -1;
    return sq_changes(st);
}

int store_rate_slot(store *st, const char *name, int64_t now_us, int64_t interval_us, int64_t *wait_us,
                    hcs_err *err)
{
    /* One statement: the slot is max(now, the next free one); the next
     * free one moves interval_us past it.  The row lock (PostgreSQL) or
     * the write lock (SQLite) makes concurrent takers line up. */
    sq_stmt *s;
    if (sq_prep(st, "INSERT INTO rate_slots(name, next_us) VALUES (?1, CAST(?2 AS BIGINT) + CAST(?3 AS BIGINT))"
                    " ON CONFLICT(name) DO UPDATE SET next_us ="
                    " CASE WHEN rate_slots.next_us > ?2 THEN rate_slots.next_us ELSE ?2 END + CAST(?3 AS BIGINT)"
                    " RETURNING next_us", &s, err) < 0)
        return -1;
    sq_text(s, 1, name);
    sq_bind_i64(s, 2, now_us);
    sq_bind_i64(s, 3, interval_us);
    int64_t next = 0;
    if (sq_insert_id(st, s, &next, err, "rate slot") < 0)
        return -1;
    int64_t slot = next - interval_us;
    *wait_us = slot > now_us ? slot - now_us : 0;
    return 0;
}
