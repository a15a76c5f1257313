/* store_marks — small named values kept between runs (store.h). */
#include "store/store_sqlite.h"

int store_mark_get(store *st, const char *name, int64_t *value, hcs_err *err)
{
    *value = 0;
    sqlite3_stmt *s;
    if (sq_prep(st, "SELECT value FROM marks WHERE name = ?", &s, err) < 0)
        return -1;
    sq_text(s, 1, name);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *value = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_fail(st, err, "read mark");
    return rc == SQLITE_ROW;
}

int store_mark_put(store *st, const char *name, int64_t value, hcs_err *err)
{
    sqlite3_stmt *s;
    if (sq_prep(st, "INSERT INTO marks(name, value, updated_at) VALUES (?1, ?2, ?3)"
                    " ON CONFLICT(name) DO UPDATE SET value = ?2, updated_at = ?3", &s, err) < 0)
        return -1;
    sq_text(s, 1, name);
    sqlite3_bind_int64(s, 2, value);
    sqlite3_bind_int64(s, 3, sq_now());
    return sq_done(st, s, err, "write mark");
}
