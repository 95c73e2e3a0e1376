/* log.c — JSON-lines logging. See log.h. The level and file descriptor are
 * start-up configuration, set once before threads start. */
#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum log_level g_min = LOG_INFO; /* start-up configuration */
static int g_fd = 2;                    /* start-up configuration */

int log_setup(enum log_level min, const char *path)
{
    g_min = min;
    if (path && *path) {
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (fd < 0)
            return -1;
        g_fd = fd;
    }
    return 0;
}

int log_level_parse(const char *s)
{
    static const char *k_names[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++)
        if (s && strcmp(s, k_names[i]) == 0)
            return i;
    return -1;
}

int log_enabled(enum log_level l)
{
    return l >= g_min;
}

void log_json(enum log_level l, const char *event, json_t *fields)
{
    static const char *k_names[] = {"debug", "info", "warn", "error"};
    if (!log_enabled(l)) {
        json_decref(fields);
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[64];
    snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
    json_t *line = json_pack("{s:s, s:s, s:s}", "ts", when, "level",
                             k_names[l], "event", event);
    if (fields)
        json_object_update(line, fields);
    json_decref(fields);
    char *text = json_dumps(line, JSON_COMPACT | JSON_ENSURE_ASCII * 0);
    json_decref(line);
    if (!text)
        return;
    size_t n = strlen(text);
    text[n] = '\n'; /* json_dumps leaves room: overwrite NUL, write n+1 */
    ssize_t w = write(g_fd, text, n + 1);
    (void)w;
    free(text);
}

void log_msg(enum log_level l, const char *event, const char *fmt, ...)
{
    if (!log_enabled(l))
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    log_json(l, event, json_pack("{s:s}", "msg", buf));
}
