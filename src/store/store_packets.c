/* store_packets — packets, elements, rejected rows, the
 * registry of GIS ids and the per-row query the reports read. */
#include <stdlib.h>
#include <string.h>

#include "base/keynorm.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "store/store_sq.h"

void store_packet_clear(struct store_packet *p)
{
    free(p->operation); free(p->template_name); free(p->split_value); free(p->lane);
    free(p->state); free(p->archive_path); free(p->error_code); free(p->error_text); free(p->org);
    memset(p, 0, sizeof *p);
}

#define PACKET_COLS "id, file_id, run_id, parent_id, operation, template, seq, split_value, lane," \
    " state, message_guid, gis_message_guid, attempts, polls, next_at, sent_at, first_ack_at," \
    " done_at, archive_path, error_code, error_text, nelements, unreachable_since, org"

#define PF(member, kind) SQ_FIELD(struct store_packet, member, kind)
static const struct sq_field packet_fields[] = {   /* PACKET_COLS, in order */
    PF(id, SQ_I64), PF(file_id, SQ_I64), PF(run_id, SQ_I64), PF(parent_id, SQ_I64),
    PF(operation, SQ_TEXT), PF(template_name, SQ_TEXT), PF(seq, SQ_INT), PF(split_value, SQ_TEXT),
    PF(lane, SQ_TEXT), PF(state, SQ_TEXT), PF(message_guid, SQ_GUID), PF(gis_message_guid, SQ_GUID),
    PF(attempts, SQ_INT), PF(polls, SQ_INT), PF(next_at, SQ_I64), PF(sent_at, SQ_I64),
    PF(first_ack_at, SQ_I64), PF(done_at, SQ_I64), PF(archive_path, SQ_TEXT), PF(error_code, SQ_TEXT),
    PF(error_text, SQ_TEXT), PF(nelements, SQ_INT), PF(unreachable_since, SQ_I64), PF(org, SQ_TEXT),
};
#define PACKET_FIELDS (sizeof packet_fields / sizeof *packet_fields)

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

int store_packet_add(store *st, struct store_packet *p, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "INSERT INTO packets(file_id, run_id, parent_id, operation, template, seq,"
                    " split_value, lane, state, message_guid, gis_message_guid, attempts, polls,"
                    " next_at, archive_path, nelements, updated_at, org)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id", &s, err) < 0)
        return -1;
    if (p->file_id)
        sq_bind_i64(s, 1, p->file_id);
    else
        sq_bind_null(s, 1);   /* an export packet: no input file */
    sq_bind_i64(s, 2, p->run_id);
    if (p->parent_id)
        sq_bind_i64(s, 3, p->parent_id);
    else
        sq_bind_null(s, 3);
    sq_text(s, 4, p->operation);
    sq_text(s, 5, p->template_name);
    sq_bind_int(s, 6, p->seq);
    sq_text(s, 7, p->split_value);
    sq_text(s, 8, p->lane ? p->lane : p->operation);
    sq_text(s, 9, p->state ? p->state : "created");
    sq_text(s, 10, p->message_guid);
    sq_text(s, 11, nonempty(p->gis_message_guid));
    sq_bind_int(s, 12, p->attempts);
    sq_bind_int(s, 13, p->polls);
    sq_bind_i64(s, 14, p->next_at);
    sq_text(s, 15, p->archive_path);
    sq_bind_int(s, 16, p->nelements);
    sq_bind_i64(s, 17, sq_now());
    sq_text(s, 18, sq_org(st));
    return sq_insert_id(st, s, &p->id, err, "add packet");
}

int store_packet_update(store *st, const struct store_packet *p, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "UPDATE packets SET state=?, message_guid=?, gis_message_guid=?, attempts=?,"
                    " polls=?, next_at=?, sent_at=?, first_ack_at=?, done_at=?, archive_path=?,"
                    " error_code=?, error_text=?, updated_at=?, unreachable_since=? WHERE id=?", &s, err) < 0)
        return -1;
    sq_text(s, 1, p->state);
    sq_text(s, 2, p->message_guid);
    sq_text(s, 3, nonempty(p->gis_message_guid));
    sq_bind_int(s, 4, p->attempts);
    sq_bind_int(s, 5, p->polls);
    sq_bind_i64(s, 6, p->next_at);
    sq_bind_i64(s, 7, p->sent_at);
    sq_bind_i64(s, 8, p->first_ack_at);
    sq_bind_i64(s, 9, p->done_at);
    sq_text(s, 10, p->archive_path);
    sq_text(s, 11, p->error_code);
    sq_text(s, 12, p->error_text);
    sq_bind_i64(s, 13, sq_now());
    sq_bind_i64(s, 14, p->unreachable_since);
    sq_bind_i64(s, 15, p->id);
    return sq_done(st, s, err, "update packet");
}

int store_packet_get(store *st, int64_t id, struct store_packet *p, hcs_err *err)
{
    return sq_get_by_id(st, "SELECT " PACKET_COLS " FROM packets WHERE id=?", id, packet_fields, PACKET_FIELDS,
                        p, "packet", err);
}

long store_packets_move_file(store *st, int64_t file_id, const char *from, const char *to, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "UPDATE packets SET state=?, updated_at=? WHERE file_id=? AND state=?", &s, err) < 0)
        return -1;
    sq_text(s, 1, to);
    sq_bind_i64(s, 2, sq_now());
    sq_bind_i64(s, 3, file_id);
    sq_text(s, 4, from);
    if (sq_done(st, s, err, "move packets") < 0)
        return -1;
    return (long)sq_changes(st);
}

int store_packet_abandon_message(store *st, int64_t packet_id, const char *message_guid,
                                 const char *gis_message_guid, const char *reason, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "INSERT INTO packet_messages(packet_id, message_guid, gis_message_guid, reason, at)"
                    " VALUES (?,?,?,?,?)", &s, err) < 0)
        return -1;
    sq_bind_i64(s, 1, packet_id);
    sq_text(s, 2, message_guid);
    sq_text(s, 3, nonempty(gis_message_guid));
    sq_text(s, 4, reason);
    sq_bind_i64(s, 5, sq_now());
    return sq_done(st, s, err, "abandon message");
}

/* "state IN (?,?,…)" for a NULL-terminated list, binding from index *next. */
static void add_states(strbuf *sql, const char *const *states)
{
    if (!states)
        return;
    sb_adds(sql, " AND state IN (");
    for (size_t i = 0; states[i]; i++)
        sb_adds(sql, i ? ",?" : "?");
    sb_adds(sql, ")");
}

/* Binds the organisation filter (NULL: all) to parameters 1 and 2; the next index. */
static int bind_org(sq_stmt *s, const char *org)
{
    sq_text(s, 1, org);
    sq_text(s, 2, org);
    return 3;
}

static int bind_states(sq_stmt *s, int idx, const char *const *states)
{
    for (size_t i = 0; states && states[i]; i++)
        sq_text(s, idx++, states[i]);
    return idx;
}

int store_packets_each(store *st, const struct store_packet_filter *flt, store_packet_fn fn,
                       void *ctx, hcs_err *err)
{
    strbuf sql = STRBUF_INIT;
    sb_adds(&sql, "SELECT " PACKET_COLS " FROM packets WHERE (CAST(? AS TEXT) IS NULL OR org = ?)");
    add_states(&sql, flt->states);
    if (flt->due_before)
        sb_adds(&sql, " AND next_at <= ?");
    if (flt->file_id)
        sb_adds(&sql, " AND file_id = ?");
    if (flt->id)
        sb_adds(&sql, " AND id = ?");
    if (flt->operation)
        sb_adds(&sql, " AND operation = ?");
    if (flt->lease_owner)
        sb_adds(&sql, " AND lease_owner = ?");
    sb_adds(&sql, " ORDER BY lane, file_id, seq, id");
    sq_stmt *s;
    int rc = sq_prep(st, sb_str(&sql), &s, err);
    sb_free(&sql);
    if (rc < 0)
        return -1;
    int i = bind_states(s, bind_org(s, sq_org_filter(st)), flt->states);
    if (flt->due_before)
        sq_bind_i64(s, i++, flt->due_before);
    if (flt->file_id)
        sq_bind_i64(s, i++, flt->file_id);
    if (flt->id)
        sq_bind_i64(s, i++, flt->id);
    if (flt->operation)
        sq_text(s, i++, flt->operation);
    if (flt->lease_owner)
        sq_text(s, i++, flt->lease_owner);
    int stop = 0;
    while (!stop && (rc = sq_step(s)) == SQ_ROW) {
        struct store_packet p = { 0 };
        sq_read_row(s, packet_fields, PACKET_FIELDS, &p);
        stop = fn(ctx, &p);
        store_packet_clear(&p);
    }
    if (!stop && rc != SQ_DONE) {
        sq_finalize(s);
        return sq_fail(st, err, "list packets");
    }
    sq_finalize(s);
    return stop;
}

long store_packets_count(store *st, const char *const *states, const char *operation, hcs_err *err)
{
    strbuf sql = STRBUF_INIT;
    sb_adds(&sql, "SELECT count(*) FROM packets WHERE (CAST(? AS TEXT) IS NULL OR org = ?)");
    add_states(&sql, states);
    if (operation)
        sb_adds(&sql, " AND operation = ?");
    sq_stmt *s;
    int rc = sq_prep(st, sb_str(&sql), &s, err);
    sb_free(&sql);
    if (rc < 0)
        return -1;
    int i = bind_states(s, bind_org(s, sq_org_filter(st)), states);
    if (operation)
        sq_text(s, i, operation);
    return (long)sq_one_i64(st, s, err, "count packets");
}

/* min(column) over the packets in `states` that pass `cond` (SQL, may be ""). */
static int64_t packets_min(store *st, const char *column, const char *cond, const char *const *states,
                           hcs_err *err)
{
    strbuf sql = STRBUF_INIT;
    sb_addf(&sql, "SELECT min(%s) FROM packets WHERE org = ?%s", column, cond);
    add_states(&sql, states);
    sq_stmt *s;
    int rc = sq_prep(st, sb_str(&sql), &s, err);
    sb_free(&sql);
    if (rc < 0)
        return -1;
    sq_text(s, 1, sq_org(st));
    bind_states(s, 2, states);
    int64_t t = 0;
    if (sq_step(s) == SQ_ROW)
        t = sq_col_i64(s, 0);
    sq_finalize(s);
    return t;
}

int64_t store_packets_next_due(store *st, const char *const *states, hcs_err *err)
{
    return packets_min(st, "next_at", "", states, err);
}

int64_t store_packets_unreachable_since(store *st, const char *const *states, hcs_err *err)
{
    return packets_min(st, "unreachable_since", " AND unreachable_since > 0", states, err);
}

/* ---- elements ---- */

static int add_parts(store *st, int64_t element_id, const struct packet_element *e, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "INSERT INTO element_parts(transport_guid, element_id, kind, local_key, label)"
                    " VALUES (?,?,?,?,?)", &s, err) < 0)
        return -1;
    for (size_t i = 0; i < e->nparts; i++) {
        const struct packet_part *pt = &e->parts[i];
        sq_text(s, 1, pt->transport_guid);
        sq_bind_i64(s, 2, element_id);
        SQ_TEXTS(s, 3, pt->kind, pt->local_key, pt->label);
        if (sq_step(s) != SQ_DONE) {
            sq_finalize(s);
            return sq_fail(st, err, "add element parts");
        }
        sq_reset(s);
    }
    sq_finalize(s);
    return 0;
}

/* The source rows of an element (a row named twice is kept once). */
static int add_rows(store *st, int64_t element_id, int64_t file_id, const long *rows, size_t nrows, hcs_err *err)
{
    if (!nrows)
        return 0;
    sq_stmt *s;
    if (sq_prep(st, "INSERT INTO element_rows(element_id, file_id, row) VALUES (?,?,?) ON CONFLICT DO NOTHING",
                &s, err) < 0)
        return -1;
    for (size_t i = 0; i < nrows; i++) {
        sq_bind_i64(s, 1, element_id);
        sq_bind_i64(s, 2, file_id);
        sq_bind_i64(s, 3, rows[i]);
        if (sq_step(s) != SQ_DONE) {
            sq_finalize(s);
            return sq_fail(st, err, "add element rows");
        }
        sq_reset(s);
    }
    sq_finalize(s);
    return 0;
}

int store_element_add(store *st, int64_t packet_id, int64_t file_id,
                      const struct packet_element *e, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "INSERT INTO elements(packet_id, file_id, transport_guid, local_key, label, state,"
                    " updated_at, key_norm) VALUES (?,?,?,?,?,'pending',?,?) RETURNING id", &s, err) < 0)
        return -1;
    char *norm = e->local_key ? key_norm(e->local_key) : NULL;
    sq_bind_i64(s, 1, packet_id);
    sq_bind_i64(s, 2, file_id);
    sq_text(s, 3, e->transport_guid);
    sq_text(s, 4, e->local_key);
    sq_text(s, 5, e->label);
    sq_bind_i64(s, 6, sq_now());
    sq_text(s, 7, norm);
    free(norm);
    int64_t id;
    if (sq_insert_id(st, s, &id, err, "add element") < 0)
        return -1;
    if (e->nparts && add_parts(st, id, e, err) < 0)
        return -1;
    return add_rows(st, id, file_id, e->rows, e->nrows, err);
}

int store_element_rows_add(store *st, const char *transport_guid, int64_t file_id, const long *rows,
                           size_t nrows, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "SELECT id FROM elements WHERE transport_guid=?", &s, err) < 0)
        return -1;
    sq_text(s, 1, transport_guid);
    int rc = sq_step(s);
    int64_t id = rc == SQ_ROW ? sq_col_i64(s, 0) : 0;
    sq_finalize(s);
    if (rc != SQ_ROW && rc != SQ_DONE)
        return sq_fail(st, err, "find element");
    return rc == SQ_ROW ? add_rows(st, id, file_id, rows, nrows, err) : 0;
}

int store_element_set_outcome(store *st, const struct store_outcome *o, char **local_key,
                              hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "UPDATE elements SET state=?, gis_guid=?, unique_number=?, update_date=?,"
                    " error_code=?, error_text=?, attrs=?, updated_at=? WHERE transport_guid=?"
                    " RETURNING local_key", &s, err) < 0)
        return -1;
    SQ_TEXTS(s, 1, o->state, o->gis_guid, o->unique_number, o->update_date, o->error_code, o->error_text,
             o->attrs);
    sq_bind_i64(s, 8, sq_now());
    sq_text(s, 9, o->transport_guid);
    int rc = sq_step(s);
    int found = rc == SQ_ROW;
    if (found && local_key)
        *local_key = sq_dup(s, 0);
    while (rc == SQ_ROW)
        rc = sq_step(s);
    sq_finalize(s);
    if (rc != SQ_DONE)
        return sq_fail(st, err, "store element outcome");
    return found;
}

void store_last_import_clear(struct store_last_import *li)
{
    free(li->state);
    free(li->packet_state);
    free(li->file_name);
    free(li->error_code);
    free(li->error_text);
    memset(li, 0, sizeof *li);
}

int store_element_last_import(store *st, const char *operation, const char *local_key,
                              struct store_last_import *li, hcs_err *err)
{
    memset(li, 0, sizeof *li);
    sq_stmt *s;
    if (sq_prep(st, "SELECT e.state, e.packet_id, p.state, f.name, coalesce(e.error_code, p.error_code),"
                    " coalesce(e.error_text, p.error_text)"
                    " FROM elements e JOIN packets p ON p.id = e.packet_id LEFT JOIN files f ON f.id = e.file_id"
                    " WHERE p.operation = ?1 AND (e.key_norm = ?2 OR (e.key_norm IS NULL AND e.local_key = ?3))"
                    " AND p.org = ?4 ORDER BY e.id DESC LIMIT 1", &s, err) < 0)
        return -1;
    char *norm = key_norm(local_key);
    SQ_TEXTS(s, 1, operation, norm, local_key, sq_org(st));
    int rc = sq_step(s);
    if (rc == SQ_ROW) {
        li->state = sq_dup(s, 0);
        li->packet_id = sq_col_i64(s, 1);
        li->packet_state = sq_dup(s, 2);
        li->file_name = sq_dup(s, 3);
        li->error_code = sq_dup(s, 4);
        li->error_text = sq_dup(s, 5);
    }
    sq_finalize(s);
    free(norm);
    if (rc != SQ_ROW && rc != SQ_DONE)
        return sq_fail(st, err, "last import");
    return rc == SQ_ROW;
}

int store_elements_finish_packet(store *st, int64_t packet_id, const char *state,
                                 const char *error_code, const char *error_text, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "UPDATE elements SET state=?, error_code=?, error_text=?, updated_at=?"
                    " WHERE packet_id=? AND state='pending'", &s, err) < 0)
        return -1;
    sq_text(s, 1, state);
    sq_text(s, 2, error_code);
    sq_text(s, 3, error_text);
    sq_bind_i64(s, 4, sq_now());
    sq_bind_i64(s, 5, packet_id);
    if (sq_done(st, s, err, "finish elements") < 0)
        return -1;
    return sq_changes(st);
}

int store_elements_reset_packet(store *st, int64_t packet_id, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "UPDATE elements SET state='pending', gis_guid=NULL, unique_number=NULL,"
                    " update_date=NULL, error_code=NULL, error_text=NULL, attrs=NULL, updated_at=?"
                    " WHERE packet_id=?", &s, err) < 0)
        return -1;
    sq_bind_i64(s, 1, sq_now());
    sq_bind_i64(s, 2, packet_id);
    return sq_done(st, s, err, "reset elements");
}

/* ---- rejected rows ---- */

int store_reject_add(store *st, int64_t file_id, const struct store_reject *r, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st, "INSERT INTO rejects(file_id, row, col, value, reason, element_key)"
                    " VALUES (?,?,?,?,?,?)", &s, err) < 0)
        return -1;
    sq_bind_i64(s, 1, file_id);
    sq_bind_i64(s, 2, r->row);
    sq_text(s, 3, r->column);
    sq_text(s, 4, r->value);
    sq_text(s, 5, r->reason ? r->reason : "");
    sq_text(s, 6, r->element_key);
    return sq_done(st, s, err, "add rejected row");
}

/* ---- registry ---- */

void store_registry_clear(struct store_registry_entry *e)
{
    free(e->kind); free(e->local_key); free(e->guid); free(e->unique_number);
    free(e->version); free(e->update_date); free(e->last_error); free(e->attrs); free(e->display_key);
    free(e->org);
    memset(e, 0, sizeof *e);
}

int store_registry_put(store *st, const struct store_registry_entry *e, hcs_err *err)
{
    if (sq_cached(st, &st->registry_put,
                  "INSERT INTO registry(kind, local_key, guid, unique_number, version, update_date,"
                  " last_error, attrs, updated_at, org, display_key) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)"
                  " ON CONFLICT(org, kind, local_key) DO UPDATE SET"
                  " guid=coalesce(?3, registry.guid), unique_number=coalesce(?4, registry.unique_number),"
                  " version=coalesce(?5, registry.version), update_date=coalesce(?6, registry.update_date),"
                  " last_error=?7, attrs=coalesce(?8, registry.attrs), updated_at=?9,"
                  " display_key=coalesce(?11, registry.display_key)", err) < 0)
        return -1;
    sq_stmt *s = st->registry_put;
    SQ_TEXTS(s, 1, e->kind, e->local_key, e->guid, e->unique_number, e->version, e->update_date, e->last_error,
             e->attrs);
    sq_bind_i64(s, 9, sq_now());
    sq_text(s, 10, sq_org(st));
    sq_text(s, 11, e->display_key);
    return sq_done_cached(st, s, err, "registry put");
}

#define RF(member) SQ_FIELD(struct store_registry_entry, member, SQ_TEXT)
const struct sq_field registry_fields[REGISTRY_NCOLS] = {   /* REGISTRY_COLS, in order */
    RF(kind), RF(local_key), RF(guid), RF(unique_number), RF(version), RF(update_date), RF(last_error), RF(attrs),
    RF(display_key),
};

int store_registry_get(store *st, const char *kind, const char *local_key,
                       struct store_registry_entry *e, hcs_err *err)
{
    if (sq_cached(st, &st->registry_get, "SELECT " REGISTRY_COLS " FROM registry WHERE kind=? AND local_key=? AND org=?",
                  err) < 0)
        return -1;
    sq_stmt *s = st->registry_get;
    sq_text(s, 1, kind);
    sq_text(s, 2, local_key);
    sq_text(s, 3, sq_org(st));
    int rc = sq_step(s);
    if (rc == SQ_ROW)
        sq_read_row(s, registry_fields, REGISTRY_NCOLS, e);
    sq_reset(s);
    sq_clear(s);
    if (rc != SQ_ROW && rc != SQ_DONE)
        return sq_fail(st, err, "registry get");
    return rc == SQ_ROW;
}

/* ---- per-row outcomes for reports ---- */

int store_file_rows(store *st, int64_t file_id, store_row_fn fn, void *ctx, hcs_err *err)
{
    sq_stmt *s;
    if (sq_prep(st,
                "SELECT r.row, CASE WHEN e.state='pending' AND p.state='deferred' THEN 'deferred'"
                "  ELSE e.state END, e.local_key, e.label, e.transport_guid, e.gis_guid,"
                "  e.unique_number, e.update_date, e.error_code, e.error_text, NULL, NULL, p.state, p.id, e.note"
                " FROM element_rows r JOIN elements e ON e.id=r.element_id"
                " JOIN packets p ON p.id=e.packet_id WHERE r.file_id=?1 AND e.state<>'retried'"
                " UNION ALL"
                " SELECT j.row, 'rejected', j.element_key, NULL, NULL, NULL, NULL, NULL, NULL, j.reason,"
                "  j.col, j.value, NULL, 0, NULL FROM rejects j WHERE j.file_id=?1"
                " ORDER BY 1, 2", &s, err) < 0)
        return -1;
    sq_bind_i64(s, 1, file_id);
    int rc, stop = 0;
    while (!stop && (rc = sq_step(s)) == SQ_ROW) {
        struct store_row_outcome r = {
            .row = (long)sq_col_i64(s, 0),
            .outcome = (const char *)sq_col_text(s, 1),
            .local_key = (const char *)sq_col_text(s, 2),
            .label = (const char *)sq_col_text(s, 3),
            .transport_guid = (const char *)sq_col_text(s, 4),
            .gis_guid = (const char *)sq_col_text(s, 5),
            .unique_number = (const char *)sq_col_text(s, 6),
            .update_date = (const char *)sq_col_text(s, 7),
            .error_code = (const char *)sq_col_text(s, 8),
            .error_text = (const char *)sq_col_text(s, 9),
            .column = (const char *)sq_col_text(s, 10),
            .value = (const char *)sq_col_text(s, 11),
            .packet_state = (const char *)sq_col_text(s, 12),
            .packet_id = sq_col_i64(s, 13),
            .note = (const char *)sq_col_text(s, 14),
        };
        stop = fn(ctx, &r);
    }
    if (!stop && rc != SQ_DONE) {
        sq_finalize(s);
        return sq_fail(st, err, "file rows");
    }
    sq_finalize(s);
    return stop;
}

int store_part_set_outcome(store *st, const struct store_outcome *o, struct store_part *pt, hcs_err *err)
{
    memset(pt, 0, sizeof *pt);
    sq_stmt *s;
    if (sq_prep(st, "UPDATE element_parts SET state=?, gis_guid=?, unique_number=?, error_code=?, error_text=?"
                    " WHERE transport_guid=? RETURNING element_id, kind, local_key, label", &s, err) < 0)
        return -1;
    SQ_TEXTS(s, 1, o->state, o->gis_guid, o->unique_number, o->error_code, o->error_text, o->transport_guid);
    int rc = sq_step(s);
    int found = rc == SQ_ROW;
    if (found) {
        pt->element_id = sq_col_i64(s, 0);
        pt->kind = sq_dup(s, 1);
        pt->local_key = sq_dup(s, 2);
        pt->label = sq_dup(s, 3);
    }
    while (rc == SQ_ROW)
        rc = sq_step(s);
    sq_finalize(s);
    if (rc != SQ_DONE) {
        store_part_clear(pt);
        return sq_fail(st, err, "store part outcome");
    }
    if (!found || !o->error_code)
        return found;
    /* a refused part refuses its element: the accountant sees which part and
     * why; the run's counts move the element if it was counted accepted */
    if (sq_prep(st, "UPDATE elements SET state='error' WHERE id=? AND state='accepted'", &s, err) < 0) {
        store_part_clear(pt);
        return -1;
    }
    sq_bind_i64(s, 1, pt->element_id);
    if (sq_done(st, s, err, "part error") < 0) {
        store_part_clear(pt);
        return -1;
    }
    pt->refused_accepted = sq_changes(st) == 1;
    if (sq_prep(st, "UPDATE elements SET state='error', error_code=coalesce(error_code, ?1),"
                    " error_text=coalesce(error_text || '; ', '') || ?2, updated_at=?3 WHERE id=?4", &s, err) < 0) {
        store_part_clear(pt);
        return -1;
    }
    char *text = xasprintf("%s: %s %s", pt->label ? pt->label : pt->local_key, o->error_code,
                           o->error_text ? o->error_text : "");
    SQ_TEXTS(s, 1, o->error_code, text);
    sq_bind_i64(s, 3, sq_now());
    sq_bind_i64(s, 4, pt->element_id);
    free(text);
    if (sq_done(st, s, err, "part error") < 0) {
        store_part_clear(pt);
        return -1;
    }
    return 1;
}

void store_part_clear(struct store_part *pt)
{
    free(pt->kind);
    free(pt->local_key);
    free(pt->label);
    memset(pt, 0, sizeof *pt);
}
