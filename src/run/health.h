/* health — `hcsbatch health`: is this installation able to do tonight's
 * run?  Each check asks the stage that owns the thing (sign/ the key and
 * certificate, proto/ the schema package, store/ the state database,
 * exchange/ GIS) and grades the answer ok / warning / critical against
 * the [health] thresholds.  The report is data: health_out.c turns it into
 * text, JSON or a Prometheus textfile.  Messages never carry secrets (no
 * passphrase, no key bytes, no URL credentials). */
#ifndef HCS_RUN_HEALTH_H
#define HCS_RUN_HEALTH_H

#include <stddef.h>
#include <time.h>

#include "base/config.h"
#include "base/err.h"
#include "base/strbuf.h"

enum health_status { HEALTH_OK = 0, HEALTH_WARNING = 1, HEALTH_CRITICAL = 2 };

struct health_check {
    const char *name;          /* config, key, cert_expiry, schemas, store, gis, disk */
    enum health_status status;
    char message[768];         /* one line for a person */
    int has_value;             /* value is meaningful (days, bytes, seconds) */
    double value;
};

#define HEALTH_MAX_CHECKS 8

struct health_report {
    struct health_check checks[HEALTH_MAX_CHECKS];
    size_t n;
    enum health_status worst;
    time_t at;
};

/* Runs every check (none stops the others).  Never fails: a check that
 * cannot run is itself critical. */
void health_run(const hcs_config *cfg, struct health_report *r);

/* The exit code of `hcsbatch health`: 0 ok, 1 warning, 2 critical. */
int health_exit_code(const struct health_report *r);
const char *health_status_name(enum health_status s);

/* Output (health_out.c). */
void health_format_text(strbuf *out, const struct health_report *r);
void health_format_json(strbuf *out, const struct health_report *r);
void health_format_prometheus(strbuf *out, const struct health_report *r);
/* The Prometheus text written atomically (temp file + rename). */
int health_write_prometheus(const char *path, const struct health_report *r, hcs_err *err);

#endif
