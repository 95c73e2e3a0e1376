/* log.h — JSON-lines logs: one object per line on the log stream (stderr
 * unless log_open names a file). Every line has ts (UTC, ms), level, event;
 * request lines carry the request id. Personal data never goes here: callers
 * log paths without query strings and error details (err.log), not bodies.
 * Thread-safe (one write(2) per line). */
#ifndef BIANMIN_APP_LOG_H
#define BIANMIN_APP_LOG_H

#include <jansson.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

/* log_setup — start-up only: minimum level and file (NULL = stderr). */
int log_setup(enum log_level min, const char *path);
/* log_level_parse — "debug" | "info" | "warn" | "error"; -1 otherwise. */
int log_level_parse(const char *s);
int log_enabled(enum log_level l);
/* log_json — write `fields` (stolen) with ts, level, event added. */
void log_json(enum log_level l, const char *event, json_t *fields);
/* log_msg — a line with a "msg" field. */
void log_msg(enum log_level l, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
