/* store_lease — named work claims (store.h): a file store upload or an
 * inbox file taken by one worker with a lease, renewed while it works,
 * released when done, taken over by another worker once a dead worker's
 * lease ends. */
#include "store/store_sq.h"

#include <stdio.h>
#include <unistd.h>

void store_owner_id(char *out, size_t cap)
{
    char host[128] = "host";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    snprintf(out, cap, "%s:%ld", host, (long)getpid());
}

int store_lease_take(store *st, const char *kind, const char *key, const char *owner, int64_t now,
                     int lease_seconds, hcs_err *err)
{
    /* One statement in a short transaction (SQLite: BEGIN IMMEDIATE, the
     * write lock; PostgreSQL: the conflicting row is locked and its WHERE
     * seen as committed): the claim is made, renewed by its owner, or
     * taken over when its lease has ended — else no row comes back. */
    if (store_begin(st, err) < 0)
        return -1;
    sq_stmt *s;
    if (sq_prep(st, "INSERT INTO work_claims (kind, key, owner, lease_until) VALUES (?1, ?2, ?3, ?4)"
                    " ON CONFLICT (kind, key) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until"
                    " WHERE work_claims.owner = excluded.owner OR work_claims.lease_until <= ?5"
                    " RETURNING owner", &s, err) < 0) {
        store_rollback(st);
        return -1;
    }
    sq_text(s, 1, kind);
    sq_text(s, 2, key);
    sq_text(s, 3, owner);
    sq_bind_i64(s, 4, now + lease_seconds);
    sq_bind_i64(s, 5, now);
    int rc = sq_step(s);
    int got = rc == SQ_ROW;
    while (rc == SQ_ROW)
        rc = sq_step(s);
    if (rc == SQ_ERROR)
        sq_fail(st, err, "claim");
    sq_finalize(s);
    if (rc == SQ_ERROR) {
        store_rollback(st);
        return -1;
    }
    if (store_commit(st, err) < 0) {
        store_rollback(st);
        return -1;
    }
    return got;
}

int store_lease_release(store *st, const char *kind, const char *key, const char *owner, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "DELETE FROM work_claims WHERE kind = ?1 AND key = ?2 AND owner = ?3", &s, err) < 0)
        return -1;
    sq_text(s, 1, kind);
    sq_text(s, 2, key);
    sq_text(s, 3, owner);
    return sq_done(st, s, err, "release claim");
}
