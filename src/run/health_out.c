/* health_out — a health report as text for a person, as JSON for scripts
 * and as a Prometheus textfile for node_exporter's textfile collector
 * (exposition format 0.0.4; names in docs/operations.md "Health check"). */
#include "run/health.h"

#include <stdio.h>

#include "base/fsutil.h"

void health_format_text(strbuf *out, const struct health_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct health_check *c = &r->checks[i];
        sb_addf(out, "%-8s %-11s %s\n", health_status_name(c->status), c->name, c->message);
    }
    sb_addf(out, "health: %s\n", health_status_name(r->worst));
}

void health_format_json(strbuf *out, const struct health_report *r)
{
    sb_adds(out, "{\"status\":");
    sb_add_json(out, health_status_name(r->worst));
    sb_addf(out, ",\"exit_code\":%d,\"checked_at\":%lld,\"checks\":[", health_exit_code(r), (long long)r->at);
    for (size_t i = 0; i < r->n; i++) {
        const struct health_check *c = &r->checks[i];
        sb_adds(out, i ? ",{\"name\":" : "{\"name\":");
        sb_add_json(out, c->name);
        sb_adds(out, ",\"status\":");
        sb_add_json(out, health_status_name(c->status));
        sb_adds(out, ",\"message\":");
        sb_add_json(out, c->message);
        if (c->has_value)
            sb_addf(out, ",\"value\":%.17g", c->value);
        sb_adds(out, "}");
    }
    sb_adds(out, "]}\n");
}

void health_format_prometheus(strbuf *out, const struct health_report *r)
{
    sb_adds(out, "# HELP hcsbatch_health_check_status Result of each hcsbatch health check "
                 "(0 ok, 1 warning, 2 critical).\n# TYPE hcsbatch_health_check_status gauge\n");
    for (size_t i = 0; i < r->n; i++)
        sb_addf(out, "hcsbatch_health_check_status{check=\"%s\"} %d\n", r->checks[i].name,
                (int)r->checks[i].status);
    sb_adds(out, "# HELP hcsbatch_health_check_value The number a check measured (cert_expiry: days, "
                 "disk: free bytes, gis: seconds).\n# TYPE hcsbatch_health_check_value gauge\n");
    for (size_t i = 0; i < r->n; i++)
        if (r->checks[i].has_value)
            sb_addf(out, "hcsbatch_health_check_value{check=\"%s\"} %.17g\n", r->checks[i].name,
                    r->checks[i].value);
    sb_addf(out, "# HELP hcsbatch_health_status Worst result of the last health check (0 ok, 1 warning, "
                 "2 critical).\n# TYPE hcsbatch_health_status gauge\nhcsbatch_health_status %d\n",
            (int)r->worst);
    sb_addf(out, "# HELP hcsbatch_health_timestamp_seconds When the last health check ran (Unix time).\n"
                 "# TYPE hcsbatch_health_timestamp_seconds gauge\nhcsbatch_health_timestamp_seconds %lld\n",
            (long long)r->at);
}

int health_write_prometheus(const char *path, const struct health_report *r, hcs_err *err)
{
    strbuf sb = STRBUF_INIT;
    health_format_prometheus(&sb, r);
    int rc = file_write_atomic(path, sb.buf, sb.len, err);
    sb_free(&sb);
    return rc < 0 ? hcs_err_wrap(err, "--prometheus %s", path) : 0;
}
