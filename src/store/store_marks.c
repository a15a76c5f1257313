/* store_marks — small named values kept between runs (store.h), each
 * organisation's its own. */
#include "store/store_sq.h"

#include <stdlib.h>

int store_mark_get(store *st, const char *name, int64_t *value, hcs_err *err)
{
    *value = 0;
    sq_stmt *s;
    if (sq_prep(st, "SELECT value FROM marks WHERE name = ?", &s, err) < 0)
        return -1;
    sq_take_text(s, 1, sq_org_scoped(st, name));
    int rc = sq_step(s);
    if (rc == SQ_ROW)
        *value = sq_col_i64(s, 0);
    sq_finalize(s);
    if (rc != SQ_ROW && rc != SQ_DONE)
        return sq_fail(st, err, "read mark");
    return rc == SQ_ROW;
}

int store_mark_put(store *st, const char *name, int64_t value, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "INSERT INTO marks(name, value, updated_at) VALUES (?1, ?2, ?3)"
                    " ON CONFLICT(name) DO UPDATE SET value = ?2, updated_at = ?3", &s, err) < 0)
        return -1;
    sq_take_text(s, 1, sq_org_scoped(st, name));
    sq_bind_i64(s, 2, value);
    sq_bind_i64(s, 3, sq_now());
    return sq_done(st, s, err, "write mark");
}
