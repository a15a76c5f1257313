/* hcsbatch status — what the state store says: recent runs, input files,
 * packets by state, and what waits for what (packets due for a send or a
 * poll, inbox files waiting for a dependency).  Reads only: no lock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/packet_counts.h"
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "run/inbox.h"
#include "run/report_store.h"
#include "exchange/exchange.h"
#include "exchange/lifecycle.h"
#include "store/store.h"

static void usage(FILE *out)
{
    fputs("usage: hcsbatch [--org NAME]... status [--json] [--runs N] [--files N] [FILE]\n\n"
          "Prints the recent runs, the input files, the packets by state and what waits\n"
          "for what: packets due for a send or a getState (with the time), and inbox files\n"
          "that wait for another operation's packets to be answered.\n"
          "With FILE (an input file's path, archive path or name; the latest of that\n"
          "name), the files, packets and waiting packets are that file's only: the\n"
          "same counts as on the summary of 'hcsbatch report FILE'.\n"
          "With several organisations ([org:NAME]), the status of each one given with --org\n"
          "(default: every one) in turn; --json then prints an array of {\"org\", \"status\"}.\n\n"
          "  --json        one JSON object instead of text (for monitoring)\n"
          "  --runs N      how many recent runs to list (default 5)\n"
          "  --files N     how many recent input files to list (default 20)\n", out);
}

struct out {
    int json;
    int first;
    long limit, seen, total;
    int64_t file_id;             /* 0 = every file */
};

static const char *when(int64_t t, char buf[32])
{
    if (!t)
        return "-";
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(buf, 32, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

static int print_run(void *ctx, const struct store_run *r)
{
    struct out *o = ctx;
    char a[32], b[32];
    if (o->json) {
        printf("%s{\"id\":%lld,\"command\":", o->first ? "" : ",", (long long)r->id);
        cli_json_str(r->command);
        printf(",\"started_at\":%lld,\"finished_at\":%lld,\"exit_code\":%d,\"summary\":",
               (long long)r->started_at, (long long)r->finished_at, r->exit_code);
        cli_json_str(r->summary);
        putchar('}');
    } else {
        char code[16] = "-";     /* none yet: running, or killed */
        if (r->exit_code >= 0)
            snprintf(code, sizeof code, "%d", r->exit_code);
        printf("  #%-5lld %-5s %s → %s  exit %s  %s\n", (long long)r->id, r->command,
               when(r->started_at, a), r->finished_at ? when(r->finished_at, b) : "(unfinished)", code,
               r->summary ? r->summary : "");
    }
    o->first = 0;
    return 0;
}

static int count_file(void *ctx, const struct store_file *f)
{
    struct out *o = ctx;
    if (!o->file_id || f->id == o->file_id)
        o->total++;
    return 0;
}

static int print_file(void *ctx, const struct store_file *f)
{
    struct out *o = ctx;
    if (o->file_id && f->id != o->file_id)
        return 0;
    if (o->seen++ < o->total - o->limit)
        return 0;
    if (o->json) {
        printf("%s{\"id\":%lld,\"run\":%lld,\"name\":", o->first ? "" : ",", (long long)f->id,
               (long long)f->run_id);
        cli_json_str(f->name);
        printf(",\"template\":");
        cli_json_str(f->template_name);
        printf(",\"state\":");
        cli_json_str(f->state);
        printf(",\"rows\":%ld,\"rows_rejected\":%ld,\"archive\":", f->rows, f->rows_rejected);
        cli_json_str(f->archive_path);
        printf(",\"error\":");
        cli_json_str(f->error);
        putchar('}');
    } else {
        printf("  #%-5lld run %-4lld %-10s %-36s rows %ld, rejected %ld%s%s\n", (long long)f->id,
               (long long)f->run_id, f->state, f->name, f->rows, f->rows_rejected,
               f->error ? "  " : "", f->error ? f->error : "");
    }
    o->first = 0;
    return 0;
}

static int print_state(void *ctx, const char *state, long n, hcs_err *err)
{
    (void)err;
    struct out *o = ctx;
    o->total += n;
    if (o->json) {
        printf("%s\"%s\":%ld", o->first ? "" : ",", state, n);
    } else {
        enum packet_state ps;
        const char *meaning = lifecycle_state_parse(state, &ps) == 0 ? lifecycle_state_meaning(ps) : "";
        printf("  %-20s %6ld  %s\n", state, n, meaning);
    }
    o->first = 0;
    return 0;
}

static int print_waiting(void *ctx, const struct store_packet *p)
{
    struct out *o = ctx;
    if (o->seen++ >= o->limit)
        return 0;
    char a[32];
    enum packet_state ps;
    int to_send = lifecycle_state_parse(p->state, &ps) == 0 && lifecycle_in_group(ps, PGROUP_TO_SEND);
    if (o->json) {
        printf("%s{\"packet\":%lld,\"operation\":", o->first ? "" : ",", (long long)p->id);
        cli_json_str(p->operation);
        printf(",\"state\":");
        cli_json_str(p->state);
        printf(",\"waits_for\":\"%s\",\"due_at\":%lld,\"attempts\":%d,\"polls\":%d,\"message_guid\":",
               to_send ? "send" : "getState", (long long)p->next_at, p->attempts, p->polls);
        cli_json_str(p->message_guid);
        printf(",\"gis_message_guid\":");
        cli_json_str(p->gis_message_guid[0] ? p->gis_message_guid : NULL);
        printf(",\"error_code\":");
        cli_json_str(p->error_code);
        printf(",\"error_text\":");
        cli_json_str(p->error_text);
        putchar('}');
    } else {
        printf("  packet %-6lld %-28s %-10s waits for %-8s due %s  attempts %d polls %d%s%s%s\n",
               (long long)p->id, p->operation, p->state, to_send ? "send" : "getState",
               p->next_at ? when(p->next_at, a) : "now", p->attempts, p->polls,
               p->error_code ? "  last: " : "", p->error_code ? p->error_code : "",
               p->error_text ? p->error_text : "");
    }
    o->first = 0;
    return 0;
}

static int print_failed(void *ctx, const struct store_packet *p)
{
    struct out *o = ctx;
    if (o->seen == 0)
        printf("Failed packets (retry with 'hcsbatch retry PACKET' or '--failed'):\n");
    if (o->seen++ >= o->limit)
        return 0;
    printf("  packet %-6lld %-28s failed: %s %s\n", (long long)p->id, p->operation,
           p->error_code ? p->error_code : "", p->error_text ? p->error_text : "");
    return 0;
}

/* Inbox files and the operation they wait for, decided as the run decides. */
static void inbox_waits(const hcs_config *cfg, store *st, int json, int *first)
{
    char *work = cfg_path(cfg, "paths.work_dir");
    long settle = cfg_int(cfg, "input.settle_seconds", 5);
    hcs_err err;
    int *waiting_kind = xcalloc(inbox_kind_count(), sizeof *waiting_kind);
    for (const struct inbox_kind *k = inbox_kinds; k->cfg_key; k++) {
        const char *rel = cfg_str(cfg, k->cfg_key);
        if (!rel)
            continue;
        char *dir = rel[0] == '/' ? xstrdup(rel) : path_join(work ? work : ".", rel);
        long n = inbox_count(dir, settle);
        const char *waits_for = NULL;
        long blocked = 0;
        int wait = n ? inbox_must_wait(st, k, waiting_kind, &waits_for, &blocked, &err) : 0;
        waiting_kind[k - inbox_kinds] = wait > 0;
        if (n > 0) {
            if (json) {
                printf("%s{\"folder\":", *first ? "" : ",");
                cli_json_str(dir);
                printf(",\"files\":%ld,\"template\":", n);
                cli_json_str(k->template_name);
                printf(",\"waits_for\":");
                cli_json_str(wait > 0 ? waits_for : NULL);
                printf(",\"blocking_packets\":%ld}", blocked);
                *first = 0;
            } else if (wait > 0 && blocked > 0) {
                printf("  %ld file(s) in %s wait for %ld %s packet(s)\n", n, dir, blocked, waits_for);
            } else if (wait > 0) {
                printf("  %ld file(s) in %s wait for the %s files that wait themselves\n", n, dir, waits_for);
            } else {
                printf("  %ld file(s) in %s ready for the next run\n", n, dir);
            }
        }
        free(dir);
    }
    free(waiting_kind);
    free(work);
}

static void print_outage(int64_t since)
{
    char when[32];
    time_t t = (time_t)since;
    struct tm tm;
    strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime_r(&t, &tm));
    long mins = (long)((time(NULL) - since) / 60);
    printf("GIS unreachable since %s (%ld h %02ld min); the waiting packets are sent when it answers\n", when,
           mins / 60, mins % 60);
}

/* The status of the store's organisation; 0 or the exit code. */
static int status_one(const hcs_config *cfg, store *st, const char *file, int json, long nruns, long nfiles)
{
    hcs_err err = { 0 };
    int64_t file_id = 0;
    if (file) {
        int found = report_store_find_file(st, file, &file_id, &err);
        if (found <= 0) {
            if (found == 0)
                hcs_fail(&err, HCS_EX_NOINPUT, "%s: no such input file in the state store", file);
            return cli_fail(&err);
        }
    }
    struct out o = { .json = json, .first = 1, .file_id = file_id };
    if (json)
        printf("{\"runs\":[");
    else
        printf("Runs (latest %ld):\n", nruns);
    store_runs_each(st, (int)nruns, print_run, &o, &err);

    o.first = 1;
    o.limit = nfiles;
    store_files_each(st, 0, NULL, count_file, &o, &err);
    if (json)
        printf("],\"files\":[");
    else
        printf("Input files (%ld in all, latest %ld):\n", o.total, nfiles);
    store_files_each(st, 0, NULL, print_file, &o, &err);

    /* An outage: since when GIS has not answered a packet still waiting. */
    int64_t down = store_packets_unreachable_since(st, packet_states_pending, &err);
    if (json)
        printf("],\"unreachable_since\":%lld,\"packets\":{", (long long)(down > 0 ? down : 0));
    else if (down > 0)
        print_outage(down);
    if (!json)
        printf("Packets by state:\n");
    struct out po = { .json = json, .first = 1 };
    packet_counts_each(st, file_id, print_state, &po, &err);
    if (!json && po.total == 0)
        printf("  (none)\n");

    if (json)
        printf("},\"waiting\":[");
    else
        printf("Waiting:\n");
    struct out w = { .json = json, .first = 1, .limit = json ? 100000 : 30 };
    struct store_packet_filter f = { .states = packet_states_pending, .file_id = file_id };
    store_packets_each(st, &f, print_waiting, &w, &err);
    if (!json && w.seen > w.limit)
        printf("  … and %ld more\n", w.seen - w.limit);
    if (json)
        printf("],\"inbox\":[");
    int first = 1;
    inbox_waits(cfg, st, json, &first);
    if (!json && w.seen == 0)
        printf("  no packet waits for GIS\n");
    if (json) {
        printf("]}\n");
    } else {
        const char *failed[] = { lifecycle_state_name(PKT_FAILED), NULL };
        struct store_packet_filter ff = { .states = failed, .file_id = file_id };
        struct out fo = { .limit = 20 };
        store_packets_each(st, &ff, print_failed, &fo, &err);
    }
    return 0;
}

CLI_COMMAND(status)
{
    int json = 0;
    long nruns = 5, nfiles = 20;
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--runs") && i + 1 < argc) {
            nruns = atol(argv[++i]);
        } else if (!strcmp(argv[i], "--files") && i + 1 < argc) {
            nfiles = atol(argv[++i]);
        } else if (argv[i][0] != '-' && !file) {
            file = argv[i];
        } else {
            return cli_usage_error("status", "unknown argument '%s'", argv[i]);
        }
    }
    hcs_err err = { 0 };
    store *st = store_open(cli->cfg, &err);
    if (!st)
        return cli_fail(&err);
    int n, rc = 0;
    const char **orgs = cli_orgs(cli, &n);
    if (json && n > 1)
        putchar('[');
    for (int i = 0; i < n && rc == 0; i++) {
        hcs_config *view = cli->norgs == 1 ? NULL : cfg_for_org(cli->base_cfg, orgs[i], &err);
        if (cli->norgs != 1 && !view) {
            rc = cli_fail(&err);
            break;
        }
        if (view)   /* one --org: the view's store is that organisation's already */
            store_set_org(st, orgs[i]);
        if (n > 1 && !json)
            printf("%s== organisation %s ==\n", i ? "\n" : "", orgs[i]);
        if (json && n > 1)
            printf("%s{\"org\":\"%s\",\"status\":", i ? "," : "", orgs[i]);
        rc = status_one(view ? view : cli->cfg, st, file, json, nruns, nfiles);
        if (json && n > 1)
            putchar('}');
        cfg_free(view);
    }
    if (json && n > 1)
        puts("]");
    free(orgs);
    store_close(st);
    return rc;
}
