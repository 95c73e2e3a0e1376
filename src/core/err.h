/* err.h — the one error value of bianmin, carried from core to the wire.
 *
 * A function that can fail takes `struct err *e` last, returns 0 on success
 * and -1 on failure after filling *e with err_set(). The person sees `msg`
 * (zh-CN, one short factual line) and `field` (a JSON pointer into their
 * input, "" when no field is at fault); `log` is for the log only (SQLSTATE,
 * errno text, internals) and is never sent to a client.
 *
 * http/ owns the one table from code to HTTP status. Fixed buffers, so
 * reporting an error needs no allocation. Thread-safe: no shared state. */
#ifndef BIANMIN_CORE_ERR_H
#define BIANMIN_CORE_ERR_H

enum err_code {
    ERR_OK = 0,
    ERR_BAD_REQUEST,  /* 400 malformed syntax: bad JSON, bad query string */
    ERR_UNAUTHORIZED, /* 401 no or expired credentials */
    ERR_FORBIDDEN,    /* 403 authenticated but not allowed */
    ERR_NOT_FOUND,    /* 404 no such resource */
    ERR_METHOD,       /* 405 method not allowed on this path */
    ERR_CONFLICT,     /* 409 unique key taken, state changed meanwhile */
    ERR_TOO_LARGE,    /* 413 body, list or string over its limit */
    ERR_MEDIA,        /* 415 wrong Content-Type */
    ERR_INVALID,      /* 422 well-formed but breaks a rule */
    ERR_RATE,         /* 429 slowed down */
    ERR_INTERNAL,     /* 500 a bug or an I/O failure; details in log */
    ERR_UNAVAILABLE,  /* 503 shutting down, database unreachable */
    ERR_CSRF,         /* 403 a cookie-authenticated write without its
                       * CSRF token (app/accounts.h, http/routes.c) */
};

struct err {
    enum err_code code;
    char field[64]; /* JSON pointer of the bad input: "/applicant/id_no" */
    char msg[256];  /* for the person, zh-CN, one short factual line */
    char log[512];  /* log only: SQLSTATE, errno text; never sent */
};

/* err_set — fill e (if not NULL) with code, field (NULL = "") and a printf
 * message; clears log. Always returns -1 so that `return err_set(...)` reads
 * as a failing return. */
int err_set(struct err *e, enum err_code code, const char *field,
            const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* err_log — append a printf detail for the log to e->log. Returns -1. */
int err_log(struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* err_field_prefix — prepend a JSON pointer prefix to e->field, so that a
 * validator of a nested object can report "/halls/2/name". */
void err_field_prefix(struct err *e, const char *prefix);

/* err_clear — reset to ERR_OK with empty strings. */
void err_clear(struct err *e);

/* err_code_name — the stable wire name of a code: "invalid", "not_found"… */
const char *err_code_name(enum err_code code);

#endif
