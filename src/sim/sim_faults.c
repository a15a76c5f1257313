/* sim_faults — parsing of the --faults spec and the per-request decision. */
#include "sim/sim_faults.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

static const char *const names[] = { "", "http500", "http502", "http503", "reset", "stall",
                                     "truncated", "garbled", "exp001000", "maintenance", "slow", "result" };

struct rule {
    enum sim_fault_kind kind;
    char action[64];
    double prob;                 /* < 0: schedule */
    long from, to;
    double param;
    char code[16];               /* result: the GIS error code */
};

struct sim_faults {
    struct rule *rules;
    size_t n;
    unsigned long long state;
};

const char *sim_fault_name(enum sim_fault_kind kind)
{
    return kind <= FAULT_RESULT ? names[kind] : "?";
}

unsigned long long sim_faults_rand(sim_faults *f)
{
    /* xorshift64*: small, fast and the same on every platform. */
    unsigned long long x = f->state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    f->state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static double uniform(sim_faults *f)
{
    return (double)(sim_faults_rand(f) >> 11) / (double)(1ULL << 53);
}

/* A GIS error code: three capital letters and six digits (EXP001000). */
static int is_gis_code(const char *p)
{
    if (strlen(p) != 9)
        return 0;
    for (int i = 0; i < 9; i++)
        if (i < 3 ? !(p[i] >= 'A' && p[i] <= 'Z') : !(p[i] >= '0' && p[i] <= '9'))
            return 0;
    return 1;
}

static int parse_param(struct rule *r, const char *p, hcs_err *err)
{
    if (r->kind == FAULT_RESULT) {
        if (!is_gis_code(p))
            return hcs_fail(err, HCS_EX_USAGE, "--faults: result takes a GIS error code (EXP001000), not '%s'", p);
        snprintf(r->code, sizeof r->code, "%s", p);
        return 0;
    }
    char *end;
    double v = strtod(p, &end);
    if (end == p || v < 0)
        return hcs_fail(err, HCS_EX_USAGE, "--faults: bad parameter '%s'", p);
    if (r->kind == FAULT_STALL) {
        if (strcmp(end, "ms") == 0)
            v /= 1000.0;
        else if (*end && strcmp(end, "s") != 0)
            return hcs_fail(err, HCS_EX_USAGE, "--faults: stall takes seconds (30s) or ms, not '%s'", p);
    } else if (r->kind == FAULT_SLOW) {
        if (*end && strcmp(end, "x") != 0)
            return hcs_fail(err, HCS_EX_USAGE, "--faults: slow takes a factor (2x), not '%s'", p);
    } else {
        return hcs_fail(err, HCS_EX_USAGE, "--faults: %s takes no parameter", names[r->kind]);
    }
    r->param = v;
    return 0;
}

static int parse_rule(struct rule *r, char *item, hcs_err *err)
{
    memset(r, 0, sizeof *r);
    char *sep = item + strcspn(item, "=@");
    char op = *sep;
    *sep = '\0';
    char *slash = strchr(item, '/');
    if (slash) {
        *slash = '\0';
        snprintf(r->action, sizeof r->action, "%s", slash + 1);
    }
    for (int k = 1; k <= FAULT_RESULT; k++)
        if (strcmp(item, names[k]) == 0)
            r->kind = (enum sim_fault_kind)k;
    if (!r->kind)
        return hcs_fail(err, HCS_EX_USAGE, "--faults: unknown fault kind '%s'", item);
    r->param = r->kind == FAULT_STALL ? 30 : r->kind == FAULT_SLOW ? 2 : 0;
    snprintf(r->code, sizeof r->code, "EXP001000");
    if (!op) {
        if (r->kind != FAULT_SLOW)
            return hcs_fail(err, HCS_EX_USAGE, "--faults: %s needs =PROB or @FROM-TO", item);
        r->prob = 1;
        return 0;
    }
    char *val = sep + 1;
    char *colon = strchr(val, ':');
    if (colon) {
        *colon = '\0';
        if (parse_param(r, colon + 1, err) < 0)
            return -1;
    }
    char *end;
    if (op == '=') {
        /* slow=2x: a factor without probability */
        if (r->kind == FAULT_SLOW && strchr(val, 'x')) {
            r->prob = 1;
            return parse_param(r, val, err);
        }
        r->prob = strtod(val, &end);
        if (end == val || *end || r->prob < 0 || r->prob > 1)
            return hcs_fail(err, HCS_EX_USAGE, "--faults: %s: probability '%s' is not 0..1", item, val);
        return 0;
    }
    r->prob = -1;
    r->from = strtol(val, &end, 10);
    r->to = r->from;
    if (*end == '-')
        r->to = strtol(end + 1, &end, 10);
    if (*end || r->from < 1 || r->to < r->from)
        return hcs_fail(err, HCS_EX_USAGE, "--faults: %s: schedule '%s' is not N or FROM-TO", item, val);
    return 0;
}

sim_faults *sim_faults_parse(const char *spec, unsigned long long seed, hcs_err *err)
{
    sim_faults *f = xcalloc(1, sizeof *f);
    f->state = seed ? seed * 0x9E3779B97F4A7C15ULL : 0x853c49e6748fea9bULL;
    if (!spec || !*spec)
        return f;
    char *copy = xstrdup(spec), *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        f->rules = xrealloc(f->rules, (f->n + 1) * sizeof *f->rules);
        if (parse_rule(&f->rules[f->n], item, err) < 0) {
            free(copy);
            sim_faults_free(f);
            return NULL;
        }
        f->n++;
    }
    free(copy);
    return f;
}

void sim_faults_free(sim_faults *f)
{
    if (!f)
        return;
    free(f->rules);
    free(f);
}

void sim_faults_decide(sim_faults *f, long request_no, const char *action, struct sim_fault *out)
{
    memset(out, 0, sizeof *out);
    out->slow_factor = 1;
    int filestore = strcmp(action, "filestore") == 0;
    for (size_t i = 0; i < f->n; i++) {
        const struct rule *r = &f->rules[i];
        if (r->action[0] ? strcmp(r->action, action) != 0 : filestore)
            continue;
        /* Every probabilistic rule draws once per request it applies to, so
         * the sequence depends only on the seed and the request order. */
        int fire = r->prob < 0 ? request_no >= r->from && request_no <= r->to
                               : uniform(f) < r->prob;
        if (!fire)
            continue;
        if (r->kind == FAULT_SLOW) {
            out->slow_factor *= r->param;
        } else if (!out->kind) {
            out->kind = r->kind;
            out->stall_seconds = r->param;
            if (r->kind == FAULT_RESULT)
                snprintf(out->result_code, sizeof out->result_code, "%s", r->code);
        }
    }
}
