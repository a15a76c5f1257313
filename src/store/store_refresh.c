/* store_refresh — registry refreshes (store.h): elements GIS refused
 * because the registry was stale, the exports and the retry they got. */
#include "store/store_sq.h"

#include <stdlib.h>

#include "base/strbuf.h"
#include "base/xalloc.h"

void store_refresh_clear(struct store_refresh *r)
{
    free(r->state);
    free(r->element_state);
    free(r->exports);
    free(r->transport_guid);
    free(r->local_key);
    free(r->error_code);
    free(r->error_text);
    free(r->template_name);
    *r = (struct store_refresh){ 0 };
}

static const struct sq_field refresh_fields[] = {
    SQ_FIELD(struct store_refresh, element_id, SQ_I64),
    SQ_FIELD(struct store_refresh, packet_id, SQ_I64),
    SQ_FIELD(struct store_refresh, file_id, SQ_I64),
    SQ_FIELD(struct store_refresh, state, SQ_TEXT),
    SQ_FIELD(struct store_refresh, element_state, SQ_TEXT),
    SQ_FIELD(struct store_refresh, exports, SQ_TEXT),
    SQ_FIELD(struct store_refresh, transport_guid, SQ_TEXT),
    SQ_FIELD(struct store_refresh, local_key, SQ_TEXT),
    SQ_FIELD(struct store_refresh, error_code, SQ_TEXT),
    SQ_FIELD(struct store_refresh, error_text, SQ_TEXT),
    SQ_FIELD(struct store_refresh, template_name, SQ_TEXT),
};
#define REFRESH_FIELDS (sizeof refresh_fields / sizeof refresh_fields[0])

static int walk(store *st, sq_stmt *s, store_refresh_fn fn, void *ctx, hcs_err *err)
{
    int rc = SQ_DONE, stop = 0;
    while (!stop && (rc = sq_step(s)) == SQ_ROW) {
        struct store_refresh r = { 0 };
        sq_read_row(s, refresh_fields, REFRESH_FIELDS, &r);
        stop = fn(ctx, &r);
        store_refresh_clear(&r);
    }
    int out = stop;
    if (!stop && rc != SQ_DONE)
        out = sq_fail(st, err, "refreshes");
    sq_finalize(s);
    return out < 0 ? -1 : out;
}

int store_refresh_candidates(store *st, const char *const *codes, store_refresh_fn fn, void *ctx,
                             hcs_err *err)
{
    strbuf sql = STRBUF_INIT;
    sb_adds(&sql, "SELECT e.id, e.packet_id, e.file_id, NULL, e.state, NULL, e.transport_guid, e.local_key,"
                  " e.error_code, e.error_text, p.template FROM elements e JOIN packets p ON p.id=e.packet_id"
                  " WHERE e.state='error' AND e.note IS NULL AND e.file_id IS NOT NULL"
                  " AND p.state IN ('done','done-with-warnings') AND p.org = ?1"
                  " AND NOT EXISTS (SELECT 1 FROM refreshes f WHERE f.element_id=e.id) AND e.error_code IN (");
    size_t n = 0;
    for (; codes[n]; n++)
        sb_addf(&sql, "%s?%d", n ? "," : "", (int)n + 2);
    sb_adds(&sql, ") ORDER BY e.packet_id, e.id");
    sq_stmt *s;
    int rc = sq_prep(st, sb_str(&sql), &s, err);
    sb_free(&sql);
    if (rc < 0)
        return -1;
    sq_text(s, 1, sq_org(st));
    sq_texts(s, 2, codes, n);
    return walk(st, s, fn, ctx, err);
}

int store_refreshes_each(store *st, const char *state, store_refresh_fn fn, void *ctx, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "SELECT f.element_id, f.packet_id, f.file_id, f.state, e.state, f.exports, e.transport_guid,"
                    " e.local_key, e.error_code, e.error_text, p.template FROM refreshes f"
                    " JOIN elements e ON e.id=f.element_id JOIN packets p ON p.id=f.packet_id"
                    " WHERE f.state=? AND p.org=? ORDER BY f.packet_id, f.element_id", &s, err) < 0)
        return -1;
    sq_text(s, 1, state);
    sq_text(s, 2, sq_org(st));
    return walk(st, s, fn, ctx, err);
}

int store_refresh_put(store *st, const struct store_refresh *r, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "INSERT INTO refreshes(element_id, packet_id, file_id, state, exports, created_at, updated_at)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT(element_id) DO UPDATE SET"
                    " state=excluded.state, exports=coalesce(excluded.exports, refreshes.exports),"
                    " updated_at=excluded.updated_at", &s, err) < 0)
        return -1;
    sq_bind_i64(s, 1, r->element_id);
    sq_bind_i64(s, 2, r->packet_id);
    if (r->file_id)
        sq_bind_i64(s, 3, r->file_id);
    SQ_TEXTS(s, 4, r->state, r->exports);
    sq_bind_i64(s, 6, sq_now());
    return sq_done(st, s, err, "refresh put");
}

int store_element_rows(store *st, int64_t element_id, long **rows, size_t *n, int64_t *joined, hcs_err *err)
{
    sq_stmt *s;
    *rows = NULL;
    *n = 0;
    if (joined)
        *joined = 0;
    if (sq_prep(st, "SELECT r.row, r.file_id, CASE WHEN e.file_id IS NULL OR r.file_id = e.file_id THEN 0 ELSE 1 END"
                    " FROM element_rows r"
                    " JOIN elements e ON e.id = r.element_id WHERE r.element_id=? ORDER BY 3, 1", &s, err) < 0)
        return -1;
    sq_bind_i64(s, 1, element_id);
    size_t cap = 0;
    int rc;
    while ((rc = sq_step(s)) == SQ_ROW) {
        ARRAY_GROW(*rows, *n, cap);
        long row = (long)sq_col_i64(s, 0);
        if (sq_col_i64(s, 2)) {
            row = packet_row_second(row);
            if (joined)
                *joined = sq_col_i64(s, 1);
        }
        (*rows)[(*n)++] = row;
    }
    int out = rc == SQ_DONE ? 0 : sq_fail(st, err, "element rows");
    sq_finalize(s);
    return out;
}

int store_element_note(store *st, int64_t element_id, const char *state, const char *gis_guid,
                       const char *note, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "UPDATE elements SET state=?1, gis_guid=coalesce(?2, gis_guid), note=?3, updated_at=?4"
                    " WHERE id=?5", &s, err) < 0)
        return -1;
    SQ_TEXTS(s, 1, state, gis_guid, note);
    sq_bind_i64(s, 4, sq_now());
    sq_bind_i64(s, 5, element_id);
    return sq_done(st, s, err, "element note");
}

int store_elements_note_packet(store *st, int64_t packet_id, const char *note, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "UPDATE elements SET note=? WHERE packet_id=?", &s, err) < 0)
        return -1;
    sq_text(s, 1, note);
    sq_bind_i64(s, 2, packet_id);
    return sq_done(st, s, err, "elements note");
}

long store_elements_count(store *st, int64_t packet_id, const char *state, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "SELECT count(*) FROM elements WHERE packet_id=? AND state=?", &s, err) < 0)
        return -1;
    sq_bind_i64(s, 1, packet_id);
    sq_text(s, 2, state);
    long n = sq_step(s) == SQ_ROW ? (long)sq_col_i64(s, 0) : -1;
    sq_finalize(s);
    return n < 0 ? sq_fail(st, err, "count elements") : n;
}
