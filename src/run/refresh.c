/* refresh — one re-export and one retry for elements GIS refused because
 * the registry was stale (see refresh.h). */
#include "run/refresh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/guid.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "packet/convert.h"
#include "run/run_impl.h"

static const char *const stale_codes[] = { "INT002000", "INT002034", "INT002006", NULL };
#define CODE_EXISTS "INT002006"

#define NOTE_RECONCILED "объект уже есть в ГИС ЖКХ (INT002006): идентификатор взят из выгрузки после " \
                        "обновления реестра, повторно не отправлялся"
#define NOTE_SUPERSEDED "заменено повтором после обновления реестра"
#define NOTE_NO_EXPORT "реестр не обновлялся: в строках нет ключей, по которым его можно выгрузить из ГИС ЖКХ"

/* ---- the refreshes of one packet, as read from the store ---- */

struct item {
    int64_t element_id, packet_id, file_id;
    char *code, *local_key, *template_name, *exports;
    int is_error;                /* the element still holds GIS's refusal */
};

struct items {
    struct item *v;
    size_t n, cap;
};

static int collect(void *ctx, const struct store_refresh *r)
{
    struct items *it = ctx;
    ARRAY_GROW(it->v, it->n, it->cap);
    it->v[it->n++] = (struct item){ r->element_id, r->packet_id, r->file_id,
                                    xstrdup(r->error_code ? r->error_code : ""),
                                    xstrdup(r->local_key ? r->local_key : ""),
                                    xstrdup(r->template_name ? r->template_name : ""),
                                    r->exports ? xstrdup(r->exports) : NULL,
                                    !r->element_state || !strcmp(r->element_state, "error") };
    return 0;
}

static void items_free(struct items *it)
{
    for (size_t i = 0; i < it->n; i++) {
        free(it->v[i].code);
        free(it->v[i].local_key);
        free(it->v[i].template_name);
        free(it->v[i].exports);
    }
    free(it->v);
}

static int cmp_row(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* The source rows of it[from..to), ascending, each once (convert_opts.only_rows). */
static int rows_of(store *st, const struct item *it, size_t from, size_t to, long **rows, size_t *n,
                   int64_t *joined, hcs_err *err)
{
    *joined = 0;
    size_t cap = 0;
    *rows = NULL;
    *n = 0;
    for (size_t i = from; i < to; i++) {
        long *r;
        size_t nr;
        int64_t other = 0;
        if (store_element_rows(st, it[i].element_id, &r, &nr, &other, err) < 0) {
            free(*rows);
            return -1;
        }
        if (other)
            *joined = other;     /* the premises file of a pair (one per houses file) */
        for (size_t k = 0; k < nr; k++) {
            ARRAY_GROW(*rows, *n, cap);
            (*rows)[(*n)++] = r[k];
        }
        free(r);
    }
    if (*n)
        qsort(*rows, *n, sizeof **rows, cmp_row);
    size_t kept = 0;
    for (size_t i = 0; i < *n; i++)
        if (!kept || (*rows)[kept - 1] != (*rows)[i])
            (*rows)[kept++] = (*rows)[i];
    *n = kept;
    return 0;
}

/* ---- step 1: which exports the rows' keys need ---- */

enum what { W_HOUSES, W_METERS, W_ACCOUNTS, W_ORGS, W_COUNT };
static const char *const what_name[W_COUNT] = { "houses", "meters", "accounts", "orgs" };

struct keyset {
    char **v;
    size_t n, cap;
};

static void keyset_add(struct keyset *k, const char *s)
{
    for (size_t i = 0; i < k->n; i++)
        if (!strcmp(k->v[i], s))
            return;
    ARRAY_GROW(k->v, k->n, k->cap);
    k->v[k->n++] = xstrdup(s);
}

static void keyset_free(struct keyset *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->v[i]);
    free(k->v);
}

struct probe {
    store *st;
    int want[W_COUNT];
    struct keyset houses, orgs;
};

/* The export that fills a registry kind ("KIND" or "KIND.FIELD"), or -1. */
static int what_of_kind(const char *kind)
{
    size_t len = strcspn(kind, ".");
    static const struct { const char *kind; enum what w; } map[] = {
        { REG_PREMISES, W_HOUSES }, { REG_ROOM, W_HOUSES }, { REG_METER, W_METERS },
        { REG_METER_KIND, W_METERS }, { REG_ACCOUNT, W_ACCOUNTS }, { REG_ORG, W_ORGS },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strlen(map[i].kind) == len && !strncmp(map[i].kind, kind, len))
            return (int)map[i].w;
    return -1;
}

/* A dry conversion's lookup: noted, then answered by the registry. */
static int probe_resolve(void *ctx, const char *kind, const char *local_key, char guid[37])
{
    struct probe *p = ctx;
    int w = what_of_kind(kind);
    size_t len = strcspn(local_key, "|");
    char raw[64], fias[37];
    if (local_key[len] && len < sizeof raw) {
        memcpy(raw, local_key, len);
        raw[len] = '\0';
        if (guid_normalize(raw, fias) == 0)
            keyset_add(&p->houses, fias);
    }
    if (w == W_ORGS)
        keyset_add(&p->orgs, local_key);
    int rc = exchange_resolve(p->st, kind, local_key, guid);
    /* Only a key the registry answered is a reference GIS can call stale:
     * an optional key it does not know (a new account's AccountGUID) sent
     * nothing to refresh. */
    if (rc == 1 && w >= 0)
        p->want[w] = 1;
    return rc;
}

static int probe_packet(void *ctx, struct packet **p, hcs_err *err)
{
    (void)ctx;
    (void)p;
    (void)err;
    return 0;
}

static void probe_reject(void *ctx, const struct convert_reject *r)
{
    (void)ctx;
    (void)r;
}

/* Converts rows of f dry (no signature, no schema, no upload) to learn
 * the registry keys they use. */
static const char *input_of(const struct store_file *f)
{
    return f->archive_path ? f->archive_path : f->path;
}

/* fj: the premises file joined to f (a pair), or NULL. */
static int probe_rows(struct run_state *b, const struct store_file *f, const struct store_file *fj,
                      const long *rows, size_t n, struct probe *p, hcs_err *err)
{
    struct convert_opts co = { .cfg = b->cfg, .template_name = f->template_name, .resolve = probe_resolve,
                               .resolve_ctx = p, .only_rows = rows, .nonly_rows = n,
                               .spill = fj ? intake_spill() : NULL, .join_child = fj ? input_of(fj) : NULL };
    struct convert_sink sink = { .ctx = p, .packet = probe_packet, .reject = probe_reject };
    struct convert_stats cs;
    return convert_file(&co, input_of(f), &sink, &cs, err);
}

/* The exports of what p saw, stored as packets; their ids as "12,13". */
static int add_exports(struct run_state *b, const struct probe *p, strbuf *ids, hcs_err *err)
{
    for (int w = 0; w < W_COUNT; w++) {
        const struct keyset *k = w == W_ORGS ? &p->orgs : &p->houses;
        if (!p->want[w] || !k->n)
            continue;
        struct exchange_sync_ask ask = { .what = what_name[w], .keys = (const char *const *)k->v, .nkeys = k->n };
        struct exchange_export *v = NULL;
        size_t n = 0;
        if (exchange_sync_exports(&ask, &v, &n, err) < 0)
            return -1;
        int rc = 0;
        for (size_t i = 0; rc == 0 && i < n; i++) {
            int64_t id = 0;
            rc = exchange_add_export(b->x, &v[i], &id, err);
            if (rc == 0)
                sb_addf(ids, "%s%lld", ids->len ? "," : "", (long long)id);
        }
        exchange_exports_free(v, n);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* Step 1 for the candidates it[from..to) of one packet: the exports and
 * the refreshes in one transaction. */
static int plan_packet(struct run_state *b, struct item *it, size_t from, size_t to, hcs_err *err)
{
    struct store_file f = { 0 }, fj = { 0 };
    struct probe p = { .st = b->st };
    strbuf ids = STRBUF_INIT;
    long *rows = NULL;
    size_t nrows = 0;
    int64_t joined = 0;
    int rc = -1;
    if (store_file_get(b->st, it[from].file_id, &f, err) < 0
        || rows_of(b->st, it, from, to, &rows, &nrows, &joined, err) < 0
        || (joined && store_file_get(b->st, joined, &fj, err) < 0))
        goto out;
    hcs_err perr = { 0 };
    if (probe_rows(b, &f, joined ? &fj : NULL, rows, nrows, &p, &perr) < 0)
        log_warn("refresh: %s: %s", f.name, perr.msg);
    /* A stale reference: the kinds the rows refer to; an object GIS says
     * exists: the export of its own kind. */
    int seen[W_COUNT];
    memcpy(seen, p.want, sizeof seen);
    memset(p.want, 0, sizeof p.want);
    for (size_t i = from; i < to; i++) {
        if (strcmp(it[i].code, CODE_EXISTS) != 0) {
            for (int w = 0; w < W_COUNT; w++)
                p.want[w] |= seen[w];
            continue;
        }
        const char *kind = exchange_registry_kind(it[i].template_name);
        int w = kind ? what_of_kind(kind) : -1;
        if (w >= 0)
            p.want[w] = 1;
    }
    if (store_begin(b->st, err) < 0)
        goto out;
    if (add_exports(b, &p, &ids, err) < 0)
        goto rollback;
    const char *state = ids.len ? "exporting" : "given-up";
    for (size_t i = from; i < to; i++) {
        struct store_refresh r = { .element_id = it[i].element_id, .packet_id = it[i].packet_id,
                                   .file_id = it[i].file_id, .state = (char *)state,
                                   .exports = ids.len ? (char *)sb_str(&ids) : NULL };
        if (store_refresh_put(b->st, &r, err) < 0
            || (!ids.len && store_element_note(b->st, it[i].element_id, "error", NULL, NOTE_NO_EXPORT, err) < 0))
            goto rollback;
    }
    if (store_commit(b->st, err) < 0)
        goto rollback;
    log_info("refresh: %s: %zu element(s) refused as the registry was stale; exports %s",
             f.name, to - from, ids.len ? sb_str(&ids) : "none");
    rc = 0;
    goto out;
rollback:
    store_rollback(b->st);
out:
    free(rows);
    sb_free(&ids);
    keyset_free(&p.houses);
    keyset_free(&p.orgs);
    store_file_clear(&f);
    store_file_clear(&fj);
    return rc;
}

/* ---- step 2: reconcile or retry once the exports are answered ---- */

/* 1 when every export packet in "12,13" is final, 0 not yet, -1 error. */
static int exports_final(store *st, const char *ids, hcs_err *err)
{
    for (const char *s = ids ? ids : ""; *s;) {
        char *end;
        long long id = strtoll(s, &end, 10);
        if (end == s)
            break;
        struct store_packet p = { 0 };
        enum packet_state ps;
        if (store_packet_get(st, id, &p, err) < 0)
            return -1;
        int open = lifecycle_state_parse(p.state, &ps) == 0 && lifecycle_in_group(ps, PGROUP_PENDING);
        store_packet_clear(&p);
        if (open)
            return 0;
        s = *end == ',' ? end + 1 : end;
    }
    return 1;
}

struct settle {
    struct run_state *b;
    struct item *it;
    size_t from, to;
    char (*guid)[37];            /* per item: the GUID that reconciles it, "" = retried */
    char *note;                  /* the retry's elements */
};

/* The refreshes' outcome, inside the retry's transaction (or its own). */
static int settle_commit(void *ctx, const int64_t *ids, size_t n, hcs_err *err)
{
    struct settle *s = ctx;
    store *st = s->b->st;
    for (size_t i = 0; i < n; i++)
        if (store_elements_note_packet(st, ids[i], s->note, err) < 0)
            return -1;
    for (size_t i = s->from; i < s->to; i++) {
        const struct item *t = &s->it[i];
        const char *g = s->guid[i - s->from];
        struct store_refresh r = { .element_id = t->element_id, .packet_id = t->packet_id, .file_id = t->file_id,
                                   .state = !t->is_error ? "given-up" : g[0] ? "reconciled" : "retried" };
        if (!t->is_error) {
            if (store_refresh_put(st, &r, err) < 0)
                return -1;
            continue;
        }
        if (store_refresh_put(st, &r, err) < 0
            || store_element_note(st, t->element_id, g[0] ? "accepted" : "retried", g[0] ? g : NULL,
                                  g[0] ? NOTE_RECONCILED : NOTE_SUPERSEDED, err) < 0)
            return -1;
    }
    return 0;
}

/* The note of the retry's elements: what GIS answered first. */
static char *retry_note(const struct item *it, size_t from, size_t to)
{
    strbuf codes = STRBUF_INIT;
    for (size_t i = from; i < to; i++)
        if (!strstr(sb_str(&codes), it[i].code))
            sb_addf(&codes, "%s%s", codes.len ? ", " : "", it[i].code);
    char *note = xasprintf("повторено один раз после обновления реестра из ГИС ЖКХ (первый ответ ГИС: %s)",
                           sb_str(&codes));
    sb_free(&codes);
    return note;
}

/* No retry after all: GIS's first answer is the outcome, noted why. */
static int give_up(struct run_state *b, const struct item *it, size_t from, size_t to, const char *why,
                   hcs_err *err)
{
    char *note = xasprintf("повтор после обновления реестра не выполнен: %s", why);
    int rc = store_begin(b->st, err);
    for (size_t i = from; rc == 0 && i < to; i++) {
        struct store_refresh r = { .element_id = it[i].element_id, .packet_id = it[i].packet_id,
                                   .file_id = it[i].file_id, .state = "given-up" };
        rc = store_refresh_put(b->st, &r, err);
        if (rc == 0 && it[i].is_error)
            rc = store_element_note(b->st, it[i].element_id, "error", NULL, note, err);
    }
    if (rc == 0)
        rc = store_commit(b->st, err);
    if (rc < 0)
        store_rollback(b->st);
    free(note);
    return rc;
}

static int settle_packet(struct run_state *b, struct item *it, size_t from, size_t to,
                         struct refresh_count *replaced, hcs_err *err)
{
    int fin = exports_final(b->st, it[from].exports, err);
    if (fin <= 0)
        return fin;
    struct settle s = { b, it, from, to, xcalloc(to - from, sizeof *s.guid), retry_note(it, from, to) };
    struct store_file f = { 0 }, fj = { 0 };
    long *rows = NULL;
    size_t nrows = 0, nretry = 0;
    int rc = -1;
    for (size_t i = from; i < to; i++) {
        if (!it[i].is_error) {
            /* an operator retry sent the element again meanwhile */
            snprintf(s.guid[i - from], 37, "-");
            continue;
        }
        const char *kind = exchange_registry_kind(it[i].template_name);
        struct store_registry_entry e = { 0 };
        int found = kind && !strcmp(it[i].code, CODE_EXISTS)
                        ? store_registry_find(b->st, kind, it[i].local_key, &e, err) : 0;
        if (found < 0)
            goto out;
        if (found && e.guid && strlen(e.guid) == 36)
            snprintf(s.guid[i - from], 37, "%s", e.guid);
        else
            nretry++;
        store_registry_clear(&e);
    }
    if (nretry) {
        /* only the rows of the elements retried */
        struct items sub = { 0 };
        for (size_t i = from; i < to; i++)
            if (!s.guid[i - from][0])
                collect(&sub, &(struct store_refresh){ .element_id = it[i].element_id });
        int64_t joined = 0;
        rc = rows_of(b->st, sub.v, 0, sub.n, &rows, &nrows, &joined, err);
        items_free(&sub);
        if (rc < 0 || store_file_get(b->st, it[from].file_id, &f, err) < 0
            || (joined && store_file_get(b->st, joined, &fj, err) < 0)) {
            rc = -1;
            goto out;
        }
        rc = intake_retake_rows(b->in, &f, joined ? &fj : NULL, rows, nrows, settle_commit, &s, err);
        if (rc == 0)
            log_info("refresh: %s: %zu element(s) retried once through the refreshed registry", f.name, nretry);
        else if (err->code == HCS_EX_NOINPUT || err->code == HCS_EX_DATAERR) {
            /* the input is gone or no longer converts: GIS's answer stays */
            log_warn("refresh: %s: no retry: %s", f.name, err->msg);
            rc = give_up(b, it, from, to, err->msg, err);
            goto out;
        }
    } else {
        rc = store_begin(b->st, err) < 0 || settle_commit(&s, NULL, 0, err) < 0 || store_commit(b->st, err) < 0
                 ? -1 : 0;
        if (rc < 0)
            store_rollback(b->st);
    }
    if (rc == 0) {
        size_t nreconciled = 0;
        for (size_t i = from; i < to; i++)
            nreconciled += it[i].is_error && s.guid[i - from][0];
        replaced->elements += (long)(nretry + nreconciled);
        long left = store_elements_count(b->st, it[from].packet_id, "error", err);
        if (left < 0)
            rc = -1;
        else if (left == 0)
            replaced->packets++;
        if (nreconciled)
            log_info("refresh: %zu element(s) reconciled: GIS already has them", nreconciled);
    }
out:
    free(rows);
    free(s.guid);
    free(s.note);
    store_file_clear(&f);
    store_file_clear(&fj);
    return rc;
}

/* Runs step(b, it, from, to) for each packet's run of items. */
typedef int (*group_step)(struct run_state *b, struct item *it, size_t from, size_t to,
                          struct refresh_count *replaced, hcs_err *err);

static int each_packet(struct run_state *b, struct items *it, group_step step, struct refresh_count *replaced,
                       hcs_err *err)
{
    for (size_t from = 0, to; from < it->n; from = to) {
        for (to = from + 1; to < it->n && it->v[to].packet_id == it->v[from].packet_id;)
            to++;
        if (step(b, it->v, from, to, replaced, err) < 0)
            return -1;
    }
    return 0;
}

static int plan_step(struct run_state *b, struct item *it, size_t from, size_t to, struct refresh_count *replaced,
                     hcs_err *err)
{
    (void)replaced;
    return plan_packet(b, it, from, to, err);
}

struct waiting {
    store *st;
    hcs_err *err;
    int failed;
};

/* Stops at the first candidate, or at the first refresh whose exports are answered. */
static int found_waiting(void *ctx, const struct store_refresh *r)
{
    struct waiting *w = ctx;
    if (!r->exports)
        return 1;
    int fin = exports_final(w->st, r->exports, w->err);
    w->failed = fin < 0;
    return fin != 0;
}

int run_refresh_waiting(struct run_state *b, hcs_err *err)
{
    struct waiting w = { b->st, err, 0 };
    int rc = store_refresh_candidates(b->st, stale_codes, found_waiting, &w, err);
    if (rc == 0)
        rc = store_refreshes_each(b->st, "exporting", found_waiting, &w, err);
    return rc < 0 || w.failed ? -1 : rc;
}

int run_refresh(struct run_state *b, struct refresh_count *replaced, hcs_err *err)
{
    struct items plan = { 0 }, due = { 0 };
    int rc = -1;
    if (store_refresh_candidates(b->st, stale_codes, collect, &plan, err) < 0
        || each_packet(b, &plan, plan_step, replaced, err) < 0
        || store_refreshes_each(b->st, "exporting", collect, &due, err) < 0
        || each_packet(b, &due, settle_packet, replaced, err) < 0)
        goto out;
    rc = 0;
out:
    items_free(&plan);
    items_free(&due);
    return rc;
}
