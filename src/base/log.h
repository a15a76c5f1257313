/* log — the process log: human-readable lines on stderr, or syslog.
 * Only the CLI layer and long-running loops log; library code returns errors.
 * Never pass secrets (PINs, passwords, key material) to these functions. */
#ifndef HCS_LOG_H
#define HCS_LOG_H

enum log_level { LOG_LVL_ERROR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* target: "stderr" (default) or "syslog"; level: error|warn|info|debug */
void log_setup(const char *target, const char *level, const char *ident);
int log_parse_level(const char *name);      /* -1 when unknown */
void log_set_level(int level);
int log_enabled(int level);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
