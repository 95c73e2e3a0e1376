/* err.c — filling the error value. See err.h. Thread-safe, no allocation. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct err *e, enum err_code code, const char *field,
            const char *fmt, ...)
{
    if (!e)
        return -1;
    e->code = code;
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    e->log[0] = '\0';
    return -1;
}

int err_log(struct err *e, const char *fmt, ...)
{
    if (!e)
        return -1;
    size_t n = strlen(e->log);
    if (n + 1 < sizeof e->log) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->log + n, sizeof e->log - n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

void err_field_prefix(struct err *e, const char *prefix)
{
    if (!e || !prefix || !*prefix)
        return;
    char tmp[sizeof e->field];
    snprintf(tmp, sizeof tmp, "%s%s", prefix, e->field);
    memcpy(e->field, tmp, sizeof tmp);
}

void err_clear(struct err *e)
{
    if (!e)
        return;
    e->code = ERR_OK;
    e->field[0] = e->msg[0] = e->log[0] = '\0';
}

const char *err_code_name(enum err_code code)
{
    switch (code) {
    case ERR_OK: return "ok";
    case ERR_BAD_REQUEST: return "bad_request";
    case ERR_UNAUTHORIZED: return "unauthorized";
    case ERR_FORBIDDEN: return "forbidden";
    case ERR_NOT_FOUND: return "not_found";
    case ERR_METHOD: return "method_not_allowed";
    case ERR_CONFLICT: return "conflict";
    case ERR_TOO_LARGE: return "too_large";
    case ERR_MEDIA: return "unsupported_media_type";
    case ERR_INVALID: return "invalid";
    case ERR_RATE: return "rate_limited";
    case ERR_INTERNAL: return "internal";
    case ERR_UNAVAILABLE: return "unavailable";
    case ERR_CSRF: return "csrf";
    }
    return "internal";
}
