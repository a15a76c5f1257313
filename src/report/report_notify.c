/* report_notify — webhook and Telegram notifications through the transport. */
#include "report/report_notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/xalloc.h"
#include "transport/transport.h"

#define WHY_SIZE 320

/* ---- what to say --------------------------------------------------------- */

/* A run that only waited for a GIS already announced unreachable has
 * nothing to say (its report still lists the rows waiting). */
static int has_errors(const struct notify_summary *s)
{
    if (s->run->outage_only)
        return 0;
    return s->run->failed || s->tot->need_action > 0;
}

int notify_wanted(const hcs_config *cfg, const struct notify_summary *s)
{
    const char *when = cfg_str(cfg, "notify.when");
    if (when && strcmp(when, "never") == 0)
        return 0;
    if (when && strcmp(when, "always") == 0)
        return 1;
    return has_errors(s);            /* "errors", and anything unknown */
}

/* The one JSON string writer is base's. */
static void json_str(strbuf *out, const char *s)
{
    sb_add_json(out, s);
}

static void json_time(strbuf *out, time_t t)
{
    if (t <= 0) {
        sb_adds(out, "null");
        return;
    }
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_str(out, buf);
}

void notify_json(strbuf *out, const struct notify_summary *s)
{
    const struct report_run *run = s->run;
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    sb_adds(out, "{\"source\":\"hcsbatch\",\"event\":\"run\",\"host\":");
    json_str(out, host);
    sb_adds(out, ",\"run_id\":");
    json_str(out, run->run_id);
    sb_adds(out, ",\"status\":");
    json_str(out, run->failed ? "failed" : s->tot->need_action > 0 ? "errors" : "ok");
    sb_adds(out, ",\"failure\":");
    json_str(out, run->failed ? (run->failure ? run->failure : "") : NULL);
    sb_adds(out, ",\"started\":");
    json_time(out, run->started);
    sb_adds(out, ",\"finished\":");
    json_time(out, run->finished ? run->finished : s->now);
    sb_addf(out, ",\"files\":%ld,\"rows\":%ld,\"need_action\":%ld,\"outcomes\":{",
            s->tot->files, s->tot->rows, s->tot->need_action);
    for (int o = 0; o < REPORT_OUTCOME_COUNT; o++)
        sb_addf(out, "%s\"%s\":%ld", o ? "," : "", report_outcome_name((enum report_outcome)o),
                s->tot->by_outcome[o]);
    sb_adds(out, "},\"packets\":{");
    for (size_t i = 0; s->packets && i < s->packets->n; i++) {
        if (i)
            sb_addc(out, ',');
        json_str(out, s->packets->names[i]);
        sb_addf(out, ":%ld", s->packets->counts[i]);
    }
    sb_adds(out, "},\"oldest_pending_age_seconds\":");
    if (run->oldest_pending_age >= 0)
        sb_addf(out, "%ld", run->oldest_pending_age);
    else
        sb_adds(out, "null");
    sb_addf(out, ",\"retries\":%ld,\"report\":", run->retries);
    json_str(out, s->xlsx_path);
    sb_adds(out, ",\"errors_csv\":");
    json_str(out, s->errors_csv_path);
    sb_adds(out, "}");
}

void notify_text(strbuf *out, const struct notify_summary *s)
{
    const struct report_run *run = s->run;
    sb_addf(out, "hcsbatch, запуск %s: ", run->run_id ? run->run_id : "?");
    if (run->failed)
        sb_addf(out, "СБОЙ — %s.\n", run->failure ? run->failure : "см. журнал");
    else if (s->tot->need_action > 0)
        sb_addf(out, "требуют исправления %ld стр.\n", s->tot->need_action);
    else
        sb_adds(out, "без ошибок.\n");
    sb_addf(out, "Файлов: %ld, строк: %ld (", s->tot->files, s->tot->rows);
    int first = 1;
    for (int o = 0; o < REPORT_OUTCOME_COUNT; o++) {
        if (!s->tot->by_outcome[o])
            continue;
        sb_addf(out, "%s%s %ld", first ? "" : ", ", report_outcome_label((enum report_outcome)o),
                s->tot->by_outcome[o]);
        first = 0;
    }
    sb_adds(out, first ? "нет)." : ").");
    if (s->xlsx_path)
        sb_addf(out, "\nОтчёт: %s", path_base(s->xlsx_path));
}

/* ---- how to send ---------------------------------------------------------- */

/* "scheme://host[:port]" only: paths and queries may carry secrets. */
static char *url_for_log(const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    const char *at = NULL;
    for (const char *q = p; *q && *q != '/'; q++)
        if (*q == '@')
            at = q;          /* drop user:password@ */
    const char *host = at ? at + 1 : p;
    size_t n = strcspn(host, "/?#");
    size_t scheme = (size_t)(p - url);
    return xasprintf("%.*s%.*s", (int)scheme, url, (int)n, host);
}

/* A 4xx other than 408/429 means the request itself is wrong: repeating
 * it will not help.  Anything else that is not a 2xx is tried again. */
static enum transport_verdict notify_classify(void *ctx, const struct transport_response *answer)
{
    (void)ctx;
    long status = answer->status;
    if (status >= 200 && status < 300)
        return TRANSPORT_FINAL;
    if (status >= 400 && status < 500 && status != 408 && status != 429)
        return TRANSPORT_FINAL;
    return TRANSPORT_RETRY;
}

/* One POST through the transport, retried; 0 when a 2xx came back, else -1
 * with *why set.  why never quotes the URL (the transport's error message
 * does, and the path may hold a bot token): libcurl's text names the host
 * at most. */
static int post(transport *t, const char *url, const char *body, const char *api_key, char *why,
                size_t whylen)
{
    char *key_header = api_key ? xasprintf("X-API-Key: %s", api_key) : NULL;
    const char *headers[] = { "Content-Type: application/json; charset=utf-8", key_header, NULL };
    struct transport_request req = { .method = "POST", .url = url, .headers = headers, .body = body,
                                     .body_len = strlen(body), .classify = notify_classify };
    struct transport_response resp;
    hcs_err ignored = { 0 };
    transport_request(t, &req, &resp, &ignored);
    int ok = resp.status >= 200 && resp.status < 300;
    if (!ok && resp.status)
        snprintf(why, whylen, "HTTP %ld", resp.status);
    else if (!ok)
        snprintf(why, whylen, "%s", resp.net_error ? resp.net_error : "no answer");
    transport_response_clear(&resp);
    if (key_header) {
        secure_wipe(key_header, strlen(key_header));
        free(key_header);
    }
    return ok ? 0 : -1;
}

static const char *env_secret(const hcs_config *cfg, const char *key, strbuf *warnings, const char *what)
{
    const char *var = cfg_str(cfg, key);
    if (!var || !*var)
        return NULL;
    const char *v = getenv(var);
    if (!v || !*v) {
        sb_addf(warnings, "%s: environment variable %s is not set\n", what, var);
        return NULL;
    }
    return v;
}

static int send_webhooks(const hcs_config *cfg, const char *json, transport *t, long attempts,
                         strbuf *warnings)
{
    const char *urls = cfg_str(cfg, "notify.urls");
    if (!urls || !*urls)
        return 0;
    const char *key = env_secret(cfg, "notify.api_key_env", warnings, "notify");
    int delivered = 0;
    char *list = xstrdup(urls);
    char *save = NULL;
    for (char *u = strtok_r(list, ", \t", &save); u; u = strtok_r(NULL, ", \t", &save)) {
        char why[WHY_SIZE];
        if (post(t, u, json, key, why, sizeof why) == 0) {
            delivered++;
            continue;
        }
        char *shown = url_for_log(u);
        sb_addf(warnings, "notify %s: %s (after %ld attempts at most)\n", shown, why, attempts);
        free(shown);
    }
    free(list);
    return delivered;
}

static int send_telegram(const hcs_config *cfg, const char *text, transport *t, long attempts,
                         strbuf *warnings)
{
    const char *token_var = cfg_str(cfg, "notify.telegram_token_env");
    if (!token_var || !*token_var)
        return 0;
    const char *token = env_secret(cfg, "notify.telegram_token_env", warnings, "telegram");
    const char *chat = cfg_str(cfg, "notify.telegram_chat");
    if (!token)
        return 0;
    if (!chat || !*chat) {
        sb_adds(warnings, "telegram: notify.telegram_chat is not set\n");
        return 0;
    }
    const char *base = cfg_str(cfg, "notify.telegram_api");
    size_t blen = strlen(base ? base : "");
    while (blen > 0 && base[blen - 1] == '/')
        blen--;
    char *url = xasprintf("%.*s/bot%s/sendMessage", (int)blen, base ? base : "", token);
    strbuf body = STRBUF_INIT;
    sb_adds(&body, "{\"chat_id\":");
    json_str(&body, chat);
    sb_adds(&body, ",\"text\":");
    json_str(&body, text);
    sb_adds(&body, ",\"disable_web_page_preview\":true}");
    char why[WHY_SIZE];
    int ok = post(t, url, sb_str(&body), NULL, why, sizeof why) == 0;
    if (!ok)
        sb_addf(warnings, "telegram: %s (after %ld attempts at most)\n", why, attempts);
    secure_wipe(url, strlen(url));
    free(url);
    sb_free(&body);
    return ok;
}

int notify_destinations(const hcs_config *cfg)
{
    const char *urls = cfg_str(cfg, "notify.urls");
    const char *tg = cfg_str(cfg, "notify.telegram_token_env");
    return (urls && strspn(urls, ", \t") < strlen(urls)) || (tg && *tg);
}

/* The JSON to the URLs and the text to Telegram, through a transport of
 * their own. */
static int deliver(const hcs_config *cfg, const char *json, const char *text, strbuf *warnings)
{
    long attempts = cfg_int(cfg, "notify.attempts", 3);
    long delay = cfg_int(cfg, "notify.delay_ms", 2000);
    if (attempts < 1)
        attempts = 1;
    if (delay < 0)
        delay = 0;
    /* Webhooks and Telegram are not GIS: none of the [transport] TLS, auth
     * or rate settings apply; a steady delay (back-off capped at it). */
    struct transport_opts o = { .connect_timeout_s = 10, .timeout_s = 30, .retries = (int)attempts,
                                .backoff_ms = delay, .backoff_max_ms = delay, .in_flight = 1 };
    hcs_err err = { 0 };
    transport *t = transport_new(&o, &err);
    if (!t) {
        sb_addf(warnings, "notify: %s\n", err.msg);
        return 0;
    }
    int delivered = send_webhooks(cfg, json, t, attempts, warnings) + send_telegram(cfg, text, t, attempts, warnings);
    transport_free(t);
    return delivered;
}

int notify_send(const hcs_config *cfg, const struct notify_summary *s, strbuf *warnings)
{
    strbuf json = STRBUF_INIT, text = STRBUF_INIT;
    notify_json(&json, s);
    notify_text(&text, s);
    int delivered = deliver(cfg, sb_str(&json), sb_str(&text), warnings);
    sb_free(&json);
    sb_free(&text);
    return delivered;
}

/* ---- outage notices --------------------------------------------------------- */

void notify_outage_json(strbuf *out, const struct report_outage *o)
{
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    sb_adds(out, "{\"source\":\"hcsbatch\",\"event\":");
    json_str(out, o->ended ? "outage_ended" : "outage_began");
    sb_adds(out, ",\"host\":");
    json_str(out, host);
    sb_adds(out, ",\"since\":");
    json_time(out, o->since);
    sb_adds(out, ",\"ended\":");
    json_time(out, o->ended ? o->until : 0);
    sb_addf(out, ",\"gis_answers\":%s", o->ended && !o->still_down ? "true" : "false");
    sb_addf(out, ",\"packets_waiting\":%ld,\"detail\":", o->waiting);
    json_str(out, o->detail && *o->detail ? o->detail : NULL);
    sb_adds(out, "}");
}

static void local_time(char *buf, size_t n, time_t t)
{
    struct tm tm;
    strftime(buf, n, "%Y-%m-%d %H:%M", localtime_r(&t, &tm));
}

void notify_outage_text(strbuf *out, const struct report_outage *o)
{
    char since[32], until[32];
    local_time(since, sizeof since, o->since);
    if (!o->ended) {
        sb_addf(out, "hcsbatch: ГИС ЖКХ недоступна с %s; пакетов ждут отправки: %ld. "
                     "Они будут отправлены, когда ГИС ЖКХ ответит; сообщение об этом придёт один раз.",
                since, o->waiting);
        if (o->detail && *o->detail)
            sb_addf(out, "\nПричина: %s", o->detail);
        return;
    }
    local_time(until, sizeof until, o->until);
    if (o->still_down)
        sb_addf(out, "hcsbatch: ни один пакет больше не ждёт ГИС ЖКХ (недоступна с %s): ожидание прекращено "
                     "(exchange.give_up_after), пакеты завершены с ошибкой — см. отчёт; ГИС ЖКХ всё ещё не отвечает.",
                since);
    else
        sb_addf(out, "hcsbatch: ГИС ЖКХ снова отвечает (недоступна с %s до %s); ни один пакет не ждёт отправки.",
                since, until);
}

int report_notify_outage(const hcs_config *cfg, const struct report_outage *o, int *destinations,
                         char **warnings)
{
    *warnings = NULL;
    const char *when = cfg_str(cfg, "notify.when");
    *destinations = (when && !strcmp(when, "never")) ? 0 : notify_destinations(cfg);
    if (!*destinations)
        return 0;
    strbuf json = STRBUF_INIT, text = STRBUF_INIT, warn = STRBUF_INIT;
    notify_outage_json(&json, o);
    notify_outage_text(&text, o);
    int delivered = deliver(cfg, sb_str(&json), sb_str(&text), &warn);
    sb_free(&json);
    sb_free(&text);
    if (warn.len)
        *warnings = sb_detach(&warn, NULL);
    sb_free(&warn);
    return delivered;
}
