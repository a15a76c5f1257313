/* intake — taking an inbox file into the store through the conversion
 * stage (see intake.h). */
#include "run/intake.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "exchange/exchange.h"
#include "packet/convert.h"
#include "proto/schema.h"
#include "run/attach.h"
#include "run/prereq.h"

struct intake {
    const hcs_config *cfg;
    store *st;
    int64_t run_id;
    char *archive_dir;           /* <work>/archive */
    schema_set *schemas;         /* compiled when the first file is taken */
    struct convert_signing signing;
    int warned;                  /* the signer's warning was logged */
    struct intake_stats stats;

    /* the file being converted */
    int64_t file_id;
    int64_t child_file_id;       /* the premises file joined to it (two-file form), or 0 */
    long child_rows, child_rejected, last_child_reject;
    struct { int seq; int64_t id; } *seqs;
    size_t nseqs, scap;
    const char *template_name;
    char *operation;
    int chain;                   /* the chain is on (intake_set_chain) */
    int noting;                  /* note unknown keys the chain can export: the keys-only pass */
    chain_needs *needs;
    char held_why[1024];         /* why the last lookup was held back (prereq.h) */
    char **written;              /* envelopes archived for the file being converted */
    size_t nwritten, wcap;
    char *lease_key;             /* the inbox claim the file is taken under (intake_set_lease), or NULL */
    char *lease_partner;         /* the two-file form: the premises file's claim, or NULL */
    char lease_owner[160];
    int lease_seconds;
    int64_t lease_renewed;       /* when the claims were last renewed */
    store *lease_keeper;         /* PostgreSQL: the connection intake_keep_lease renews through */
};

void intake_set_lease(intake *in, const char *key, const char *owner, int lease_seconds)
{
    free(in->lease_key);
    in->lease_key = key ? xstrdup(key) : NULL;
    free(in->lease_partner);
    in->lease_partner = NULL;
    snprintf(in->lease_owner, sizeof in->lease_owner, "%s", owner ? owner : "");
    in->lease_seconds = lease_seconds;
    in->lease_renewed = (int64_t)time(NULL);     /* the caller has just taken it */
}

int intake_lease_interval(const intake *in)
{
    if (!in->lease_key)
        return 0;
    return in->lease_seconds >= 3 ? in->lease_seconds / 3 : 1;
}

/* On PostgreSQL a renewal inside the conversion's transaction would stay
 * invisible to the other workers until the commit: it goes through a
 * connection of its own.  On SQLite that transaction holds the write lock
 * (nobody can take the claim meanwhile) and the renewal joins it. */
int intake_keep_lease(intake *in, hcs_err *err)
{
    int64_t now = (int64_t)time(NULL);
    int every = intake_lease_interval(in);
    if (!every || now - in->lease_renewed < every)
        return 0;
    store *st = in->st;
    if (!strcmp(store_driver_name(st), "postgres")) {
        if (!in->lease_keeper && !(in->lease_keeper = store_open(in->cfg, err)))
            return -1;
        st = in->lease_keeper;
    }
    in->lease_renewed = now;
    int held = store_lease_take(st, "inbox", in->lease_key, in->lease_owner, now, in->lease_seconds, err);
    if (held == 1 && in->lease_partner)
        held = store_lease_take(st, "inbox", in->lease_partner, in->lease_owner, now, in->lease_seconds, err);
    if (held == 0)
        log_debug("%s: the claim was lost before it could be renewed", in->lease_key);
    return held < 0 ? -1 : 0;
}

/* The file's inbox claim renewed: 1 still ours (or no claim), 0 lost to
 * another worker after its lease ended, -1 error.  Inside the file's
 * transaction it fences the commit: the claim row stays locked (SQLite:
 * the write lock) until the packets are in, so only the holder commits. */
static int lease_renewed(intake *in, const char *key, hcs_err *err)
{
    int held = store_lease_take(in->st, "inbox", key, in->lease_owner, (int64_t)time(NULL), in->lease_seconds, err);
    if (held == 0)
        log_warn("%s: the lease on this file ended and another worker took it over; nothing stored here", key);
    return held;                 /* 0: the caller stores nothing */
}

static int lease_held(intake *in, hcs_err *err)
{
    if (!in->lease_key)
        return 1;
    int held = lease_renewed(in, in->lease_key, err);
    return held == 1 && in->lease_partner ? lease_renewed(in, in->lease_partner, err) : held;
}

void intake_set_lease_partner(intake *in, const char *key)
{
    free(in->lease_partner);
    in->lease_partner = key ? xstrdup(key) : NULL;
}

/* Drops the list of envelopes archived for the current file; with
 * remove, deletes them (a conversion rolled back points at none). */
static void forget_written(intake *in, int remove)
{
    for (size_t i = 0; i < in->nwritten; i++) {
        if (remove)
            unlink(in->written[i]);
        free(in->written[i]);
    }
    in->nwritten = 0;
}

intake *intake_new(const hcs_config *cfg, store *st, int64_t run_id)
{
    intake *in = xcalloc(1, sizeof *in);
    in->cfg = cfg;
    in->st = st;
    in->run_id = run_id;
    in->signing.cfg = cfg;
    in->chain = 1;
    in->needs = needs_new(st);
    char *work = cfg_path(cfg, "paths.work_dir");
    in->archive_dir = path_join(work ? work : ".", "archive");
    free(work);
    return in;
}

void intake_free(intake *in)
{
    if (!in)
        return;
    if (in->signing.sg)
        signer_free(in->signing.sg);
    if (in->schemas)
        schema_set_free(in->schemas);
    free(in->seqs);
    needs_free(in->needs);
    forget_written(in, 0);
    free(in->written);
    free(in->operation);
    free(in->archive_dir);
    free(in->lease_key);
    free(in->lease_partner);
    store_close(in->lease_keeper);
    free(in);
}

const struct intake_stats *intake_get_stats(const intake *in)
{
    return &in->stats;
}

const signer *intake_signer(const intake *in)
{
    return in->signing.sg;
}

static int recover_one(void *ctx, const struct store_file *f)
{
    intake *in = ctx;
    hcs_err err;
    log_warn("input %s: conversion was interrupted; converting it again", f->path);
    if (store_file_discard(in->st, f->id, &err) < 0)
        log_error("%s", err.msg);
    return 0;
}

int intake_recover(intake *in, hcs_err *err)
{
    return store_files_each(in->st, 0, "converting", recover_one, in, err) < 0 ? -1 : 0;
}

/* ---- the chain: exports to run before the file converts (needs.h) ---- */

const chain_needs *intake_needs(const intake *in)
{
    return in->needs;
}

void intake_set_chain(intake *in, int on)
{
    in->chain = on;
}

static int chain_resolve(void *ctx, const char *kind, const char *local_key, char guid[37])
{
    intake *in = ctx;
    int rc = exchange_resolve(in->st, kind, local_key, guid);
    if (rc == 0 && in->noting)
        needs_note(in->needs, kind, local_key);
    return rc;
}

/* An object whose own import failed is not named by later rows (prereq.h). */
static const char *held_by_prereq(void *ctx, const char *kind, const char *local_key)
{
    intake *in = ctx;
    hcs_err err = { 0 };
    int held = prereq_held(in->st, kind, local_key, in->held_why, sizeof in->held_why, &err);
    if (held < 0) {
        /* the row is not sent on a guess: it is held with the store's error */
        log_error("%s", err.msg);
        snprintf(in->held_why, sizeof in->held_why, "не удалось проверить загрузку объекта: %s", err.msg);
    }
    return held ? in->held_why : NULL;
}

/* ---- the spill index of the two-file form (packet/join.h) ---- */

static void *spill_open(hcs_err *err) { return store_spill_open(err); }
static void spill_close(void *sp) { store_spill_close(sp); }
static int spill_put(void *sp, const char *key, long row, const void *data, size_t len, hcs_err *err)
{
    return store_spill_put(sp, key, row, data, len, err);
}
static int spill_mark(void *sp, const char *key, hcs_err *err) { return store_spill_mark(sp, key, err); }
static int spill_unmark_all(void *sp, hcs_err *err) { return store_spill_unmark_all(sp, err); }
static int spill_rows(void *sp, const char *key, void (*fn)(void *, long, const void *, size_t), void *ctx,
                      hcs_err *err)
{
    return store_spill_rows(sp, key, fn, ctx, err);
}
static int spill_next(void *sp, const char *after, char **key, hcs_err *err)
{
    return store_spill_next_unmarked(sp, after, key, err);
}
static const struct join_spill spill_fns = { spill_open, spill_close, spill_put, spill_mark,
                                             spill_unmark_all, spill_rows, spill_next };

/* ---- the store sink ---- */

/* An element's rows go to the file each came from (a joined table tags
 * the premises file's rows: read.h TABLE_ROW_SECOND). */
static int add_element(intake *in, int64_t packet_id, const struct packet_element *e, hcs_err *err)
{
    struct packet_element own = *e;
    long *second = xcalloc(e->nrows + 1, sizeof *second);
    size_t nsecond = 0;
    own.rows = xcalloc(e->nrows + 1, sizeof *own.rows);
    own.nrows = 0;
    for (size_t i = 0; i < e->nrows; i++) {
        if (packet_row_file(e->rows[i]))
            second[nsecond++] = packet_row_number(e->rows[i]);
        else
            own.rows[own.nrows++] = e->rows[i];
    }
    in->child_rows += (long)nsecond;
    int64_t file_id = own.nrows || !in->child_file_id ? in->file_id : in->child_file_id;
    int rc = store_element_add(in->st, packet_id, file_id, &own, err);
    if (rc == 0 && nsecond)
        rc = store_element_rows_add(in->st, e->transport_guid, in->child_file_id, second, nsecond, err);
    free(own.rows);
    free(second);
    return rc;
}

static int64_t parent_id_for(intake *in, int parent_seq)
{
    for (size_t i = 0; i < in->nseqs; i++)
        if (in->seqs[i].seq == parent_seq)
            return in->seqs[i].id;
    return 0;
}

/* The packets' archive copies are written without fsync, one file after
 * the other, and made durable for the whole file at once here, before the
 * transaction that points at them commits. */
static int sync_archive(intake *in, hcs_err *err)
{
    int fd = open(in->archive_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || syncfs(fd) != 0) {
        hcs_fail(err, HCS_EX_IOERR, "cannot sync %s: %s", in->archive_dir, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

/* The packet's envelope where the exchange keeps it (and writes a rebuilt one). */
static int archive_packet(intake *in, const struct packet *pk, char **path, hcs_err *err)
{
    char *dir = path_join(in->archive_dir, "packets");
    *path = exchange_packet_path(in->archive_dir, pk->op->name, pk->message_guid);
    int rc = mkdir_p(dir, err) < 0 ? -1 : file_write_unsynced(*path, pk->text, pk->text_len, err);
    free(dir);
    return rc;
}

static int sink_packet(void *ctx, struct packet **pp, hcs_err *err)
{
    intake *in = ctx;
    struct packet *pk = *pp;
    struct store_packet p = { 0 };
    if (intake_keep_lease(in, err) < 0 || archive_packet(in, pk, &p.archive_path, err) < 0) {
        free(p.archive_path);
        return -1;
    }
    ARRAY_GROW(in->written, in->nwritten, in->wcap);
    in->written[in->nwritten++] = xstrdup(p.archive_path);
    p.file_id = in->file_id;
    p.run_id = in->run_id;
    p.parent_id = pk->parent_seq ? parent_id_for(in, pk->parent_seq) : 0;
    p.operation = (char *)pk->op->name;
    p.template_name = pk->template_name ? pk->template_name : (char *)in->template_name;
    p.seq = pk->seq;
    p.split_value = pk->split_value;
    p.lane = xasprintf("%s|%s", pk->op->name, pk->split_value ? pk->split_value : "");
    p.state = PS_CREATED;
    snprintf(p.message_guid, sizeof p.message_guid, "%s", pk->message_guid);
    p.nelements = (int)pk->nelements;
    int rc = store_packet_add(in->st, &p, err);
    for (size_t i = 0; rc == 0 && i < pk->nelements; i++)
        rc = add_element(in, p.id, &pk->elements[i], err);
    free(p.lane);
    free(p.archive_path);
    if (rc < 0)
        return -1;
    ARRAY_GROW(in->seqs, in->nseqs, in->scap);
    in->seqs[in->nseqs].seq = pk->seq;
    in->seqs[in->nseqs++].id = p.id;
    if (!in->operation)
        in->operation = xstrdup(pk->op->name);
    in->stats.packets_prepared++;
    return 0;
}

static void sink_reject(void *ctx, const struct convert_reject *r)
{
    intake *in = ctx;
    struct store_reject sr = { packet_row_number(r->row), r->column, r->value, r->reason, r->element_key };
    int64_t file_id = in->file_id;
    if (packet_row_file(r->row) && in->child_file_id) {
        file_id = in->child_file_id;
        /* a row's problems come one after the other: count the row once */
        in->child_rejected += r->row != in->last_child_reject;
        in->last_child_reject = r->row;
    }
    hcs_err err;
    if (store_reject_add(in->st, file_id, &sr, &err) < 0)
        log_error("%s", err.msg);
}

/* ---- taking a file ---- */

static int record_rejected_file(intake *in, struct store_file *f, const char *why, hcs_err *err)
{
    f->state = xstrdup("rejected");
    f->error = xstrdup(why);
    f->id = 0;
    if (store_file_add(in->st, f, err) < 0)
        return -1;
    in->stats.files_rejected++;
    return 1;
}

/* The premises file of a pair is rejected with its houses file. */
static int record_rejected_pair(intake *in, struct store_file *f, struct store_file *fc, const char *why,
                                hcs_err *err)
{
    if (fc && record_rejected_file(in, fc, why, err) < 0)
        return -1;
    return record_rejected_file(in, f, why, err);
}

/* The rows of the two files of a pair (the sinks counted the premises file's). */
static void split_counts(intake *in, struct store_file *f, struct store_file *fc, const struct convert_stats *cs)
{
    f->rows = cs->rows;
    f->rows_rejected = cs->rows_rejected;
    if (!fc)
        return;
    free(fc->state);
    fc->state = xstrdup("converted");
    fc->rows = in->child_rows + in->child_rejected;
    fc->rows_rejected = in->child_rejected;
    fc->operation = in->operation ? xstrdup(in->operation) : NULL;
    f->rows -= fc->rows;
    f->rows_rejected -= fc->rows_rejected;
}

static int take_converted(intake *in, const char *path, struct store_file *f, struct store_file *fc,
                          const struct convert_opts *co, hcs_err *err)
{
    /* All or nothing: the file row, its packets, elements and rejected rows
     * in one transaction, committed only when the whole file converted
     * (and only while the file's claim is still ours). */
    int held = lease_held(in, err);
    if (held <= 0)
        return held < 0 ? -1 : 3;
    if (store_begin(in->st, err) < 0)
        return -1;
    f->state = xstrdup("converting");
    if (store_file_add(in->st, f, err) < 0)
        goto fatal;
    in->file_id = f->id;
    in->child_file_id = 0;
    in->child_rows = in->child_rejected = in->last_child_reject = 0;
    if (fc) {
        fc->state = xstrdup("converting");
        if (store_file_add(in->st, fc, err) < 0)
            goto fatal;
        in->child_file_id = fc->id;
    }
    struct convert_sink sink = { .ctx = in, .packet = sink_packet, .reject = sink_reject };
    struct convert_stats cs = { 0 };
    hcs_err cerr = { 0 };
    if (convert_file(co, path, &sink, &cs, &cerr) < 0) {
        store_rollback(in->st);
        forget_written(in, 1);
        if (cerr.code == HCS_EX_NOINPUT || cerr.code == HCS_EX_DATAERR) {
            /* The worker that took the file over has moved it, or somebody
             * removed it: not ours to reject. */
            if ((held = lease_held(in, err)) <= 0)
                return held < 0 ? -1 : 3;
            if (!file_exists(path) || (co->join_child && !file_exists(co->join_child))) {
                log_warn("%s: gone from the inbox while it was being taken; nothing stored", path);
                return 3;
            }
            free(f->state);
            if (fc) {
                free(fc->state);
                fc->id = 0;
            }
            return record_rejected_pair(in, f, fc, cerr.msg, err);
        }
        *err = cerr;
        return -1;
    }
    free(f->state);
    f->state = xstrdup("converted");
    split_counts(in, f, fc, &cs);
    f->operation = in->operation ? xstrdup(in->operation) : NULL;
    if ((in->nseqs && sync_archive(in, err) < 0)
        || store_packets_move_file(in->st, f->id, PS_CREATED, PS_PREPARED, err) < 0
        || store_file_update(in->st, f, err) < 0 || (fc && store_file_update(in->st, fc, err) < 0)
        || (held = lease_held(in, err)) < 0)
        goto fatal;
    if (held == 0) {
        store_rollback(in->st);
        forget_written(in, 1);
        return 3;
    }
    if (store_commit(in->st, err) < 0)
        goto fatal;
    in->stats.files_taken += fc ? 2 : 1;
    in->stats.rows += cs.rows;
    in->stats.rows_rejected += cs.rows_rejected;
    return 0;
fatal:
    store_rollback(in->st);
    forget_written(in, 1);
    return -1;
}

/* The chain's cheap pass: rows read and resolved, nothing built or signed
 * (convert_opts.keys_only).  2 when rows name objects GIS can tell the
 * registry about (the caller exports them and takes the file again), 0
 * when none: the file converts once, for real.  A file that cannot be read
 * returns 0 too: the conversion reports it as it always does. */
static int scan_needs(intake *in, const struct convert_opts *co, const char *path)
{
    struct convert_opts scan = *co;
    scan.keys_only = 1;
    scan.preliminary = 1;
    scan.signing = NULL;
    hcs_err err = { 0 };
    in->noting = 1;
    int rc = convert_file(&scan, path, NULL, NULL, &err);
    in->noting = 0;
    if (rc < 0) {
        needs_clear(in->needs);
        return 0;
    }
    return needs_total(in->needs) ? 2 : 0;
}

/* Schemas are compiled when the first file is taken: an idle run compiles nothing. */
static int open_schemas(intake *in, hcs_err *err)
{
    if (in->schemas)
        return 0;
    in->schemas = schema_set_open_config(in->cfg, err);
    return in->schemas ? 0 : -1;
}

static void file_init(intake *in, struct store_file *f, const char *path, const char *template_name,
                      const char *sha256)
{
    memset(f, 0, sizeof *f);
    f->run_id = in->run_id;
    f->path = xstrdup(path);
    f->name = xstrdup(path_base(path));
    f->sha256 = xstrdup(sha256);
    f->template_name = xstrdup(template_name);
}

int intake_take_file(intake *in, const char *path, const char *template_name, const char *sha256,
                     struct store_file *f, hcs_err *err)
{
    return intake_take_pair(in, path, sha256, NULL, NULL, template_name, f, NULL, err);
}

int intake_join_role(intake *in, const char *path, const char *template_name)
{
    struct convert_opts co = { .cfg = in->cfg, .template_name = template_name };
    return convert_join_role(&co, path);
}

int intake_template_joins(intake *in, const char *template_name)
{
    struct convert_opts co = { .cfg = in->cfg, .template_name = template_name };
    return convert_template_joins(&co);
}

int intake_take_pair(intake *in, const char *path, const char *sha256, const char *child,
                     const char *child_sha256, const char *template_name, struct store_file *f,
                     struct store_file *fc, hcs_err *err)
{
    file_init(in, f, path, template_name, sha256);
    if (child)
        file_init(in, fc, child, template_name, child_sha256);
    in->nseqs = 0;
    free(in->operation);
    in->operation = NULL;
    in->template_name = template_name;
    /* the keys a take that returned 2 noted have been exported since */
    needs_mark_asked(in->needs);
    forget_written(in, 0);
    if (open_schemas(in, err) < 0)
        return -1;

    struct convert_opts co = { .cfg = in->cfg, .template_name = template_name, .schemas = in->schemas,
                               .resolve = chain_resolve, .resolve_ctx = in, .held = held_by_prereq,
                               .signing = &in->signing, .spill = &spill_fns, .join_child = child };
    if (in->chain) {
        int need = scan_needs(in, &co, path);
        if (need)
            return need;
    }
    /* Files named in rows are uploaded before the transaction (attach.h). */
    struct attach att;
    int rc = -1;
    if (attach_setup(&att, in->cfg, &co, in->lease_owner[0] ? in->lease_owner : NULL, err) >= 0
        && attach_prepare(&att, &co, path, err) >= 0)
        rc = take_converted(in, path, f, child ? fc : NULL, &co, err);
    attach_close(&att);
    /* Certificate near expiry, key file readable by others: the operator
     * hears it once per run, the run goes on. */
    const char *w = in->signing.sg ? signer_warning(in->signing.sg) : NULL;
    if (w && !in->warned) {
        log_warn("%s", w);
        in->warned = 1;
    }
    return rc;
}

/* ---- a retry after a registry refresh ---- */

static int retake_converted(intake *in, const char *path, const struct convert_opts *co,
                            intake_commit_fn commit_with, void *ctx, hcs_err *err)
{
    if (store_begin(in->st, err) < 0)
        return -1;
    struct convert_sink sink = { .ctx = in, .packet = sink_packet, .reject = sink_reject };
    struct convert_stats cs = { 0 };
    int64_t *ids = NULL;
    if (convert_file(co, path, &sink, &cs, err) < 0)
        goto fail;
    ids = xcalloc(in->nseqs + 1, sizeof *ids);
    for (size_t i = 0; i < in->nseqs; i++)
        ids[i] = in->seqs[i].id;
    if ((in->nseqs && sync_archive(in, err) < 0)
        || store_packets_move_file(in->st, in->file_id, PS_CREATED, PS_PREPARED, err) < 0
        || commit_with(ctx, ids, in->nseqs, err) < 0 || store_commit(in->st, err) < 0)
        goto fail;
    free(ids);
    forget_written(in, 0);
    in->stats.rows_rejected += cs.rows_rejected;
    return 0;
fail:
    free(ids);
    store_rollback(in->st);
    forget_written(in, 1);
    return -1;
}

const struct join_spill *intake_spill(void)
{
    return &spill_fns;
}

int intake_retake_rows(intake *in, const struct store_file *f, const struct store_file *fj, const long *rows,
                       size_t nrows, intake_commit_fn commit_with, void *ctx, hcs_err *err)
{
    const char *path = f->archive_path ? f->archive_path : f->path;
    in->nseqs = 0;
    free(in->operation);
    in->operation = NULL;
    in->template_name = f->template_name;
    in->file_id = f->id;
    in->child_file_id = fj ? fj->id : 0;
    needs_clear(in->needs);
    forget_written(in, 0);
    if (open_schemas(in, err) < 0)
        return -1;
    /* Keys still unknown after the refresh reject their rows: no chain. */
    int chain = in->chain;
    in->chain = 0;
    struct convert_opts co = { .cfg = in->cfg, .template_name = f->template_name, .schemas = in->schemas,
                               .resolve = chain_resolve, .resolve_ctx = in, .signing = &in->signing,
                               .spill = &spill_fns,
                               .join_child = fj ? (fj->archive_path ? fj->archive_path : fj->path) : NULL,
                               .only_rows = rows, .nonly_rows = nrows };
    struct attach att;
    int rc = -1;
    if (attach_setup(&att, in->cfg, &co, in->lease_owner[0] ? in->lease_owner : NULL, err) >= 0
        && attach_prepare(&att, &co, path, err) >= 0)
        rc = retake_converted(in, path, &co, commit_with, ctx, err);
    attach_close(&att);
    in->chain = chain;
    return rc;
}
