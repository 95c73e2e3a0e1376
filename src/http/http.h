/* http.h — bianmin's HTTP edge on libmicrohttpd: the request value that
 * handlers receive, the ways a handler answers, and the server's life cycle.
 *
 * A request's life (server.c): MHD's first call makes `struct req` with its
 * arena; upload calls collect the body (over the limit → 413); the final call
 * dispatches through the route table (routes.c), which checks, in order:
 * path (404), method (405), header size (431), body limits and Content-Type
 * (413/415), JSON syntax, depth, string and list limits and UTF-8 (400/413),
 * authentication and capability (401/403) — and only then calls the handler.
 *
 * A handler answers in one of three ways:
 *   - at once: http_json / http_error / http_bytes / http_cached, return 0;
 *   - after a durable write: return http_write(r, fn, arg, then) — the
 *     connection is suspended, fn runs as a store unit on the writer, and
 *     after COMMIT the connection resumes and `then(r)` renders the answer
 *     (or the unit's error is sent);
 *   - slow work: routes flagged R_SLOW run their handler on a worker thread
 *     while the connection is suspended, so polling threads never block;
 *     a handler may also hand itself over to one: return http_slow(r, fn).
 *
 * Memory: everything hanging off `r->arena` is freed when the request
 * completes; `r->body_json` is released then too. Thread-safety: a req is
 * touched by one thread at a time (the polling thread, the writer's done
 * callback only flips its state and resumes it, or one worker). */
#ifndef BIANMIN_HTTP_HTTP_H
#define BIANMIN_HTTP_HTTP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../app/app.h"
#include "../core/arena.h"
#include "../core/err.h"
#include "../store/store.h"

struct MHD_Connection;
struct MHD_Response;
struct server;
struct route;

#define HTTP_DEFER 1 /* handler return: answer comes later */
#define HTTP_MAX_PARAMS 4

struct req {
    struct MHD_Connection *conn;
    struct server *srv;
    struct app *app;
    struct arena *arena;
    const char *method; /* "GET", "POST"… ("HEAD" is dispatched as GET) */
    const char *path;   /* decoded path, no query string */
    char rid[20];       /* request id, also sent as X-Request-Id */
    int64_t t0_ns;

    /* body */
    char *body;
    size_t body_len, body_cap;
    int body_over; /* the upload passed the body limit */
    json_t *body_json; /* parsed for R_JSON routes; released at completion */

    /* routing */
    const struct route *route;
    const char *params[HTTP_MAX_PARAMS]; /* {name} segments, in order */
    int n_params;
    struct actor actor; /* who is asking; user_id 0 = anonymous */
    /* The raw session token the actor came from (borrowed from MHD for the
     * request; never logged or copied) and whether it was the bm_session
     * cookie rather than a bearer token (then writes need the CSRF token,
     * app/accounts.h). NULL / 0 for an anonymous request. */
    const char *cred_token;
    int cred_cookie;

    /* deferral */
    int state;
    struct store_unit unit;
    struct store_unit unit_failed; /* http_write_or: run when `unit` fails */
    int (*then)(struct req *r);
    int (*slow)(struct req *r);

    /* answer */
    int status;
    struct MHD_Response *resp;
    size_t resp_bytes;
    struct err err; /* kept for the access log */
    struct http_cleanup *cleanups;

    /* pages (src/web) */
    const char *csrf_new; /* a double-submit token to set as cookie */
    struct web_form *form; /* the parsed urlencoded body */
};

struct http_cleanup {
    void (*fn)(void *arg);
    void *arg;
    struct http_cleanup *next;
};

/* http_on_complete — call fn(arg) when the request is done (after the
 * answer is sent or the connection dropped), for memory not in the arena. */
void http_on_complete(struct req *r, void (*fn)(void *arg), void *arg);

typedef int (*http_handler)(struct req *r);

/* Route flags. */
enum {
    R_PUBLIC = 1 << 0, /* no sign-in needed; `cap` must be CAP_NONE */
    R_JSON = 1 << 1,   /* body must be a JSON object (415/400 otherwise) */
    R_SLOW = 1 << 2,   /* run the handler on a worker thread: for work
                          without a small bound (listings, exports,
                          password hashing, calls to other systems). A
                          bounded read answers on the polling thread (the
                          two hand-offs cost the catalogue search 13 %);
                          a route with both kinds uses http_slow */
    R_PAGE = 1 << 3,   /* a web page (src/web): HTML answers and errors,
                          page security headers; not in the OpenAPI document */
};

struct route {
    const char *method;
    const char *pattern; /* "/api/v1/regions/{code}"; {x} matches a segment */
    http_handler handler;
    enum cap cap; /* checked before the handler: actor_can(actor, cap, …) */
    int flags;
    const char *summary; /* one line, zh-CN; the OpenAPI test compares paths */
};

/* The table (routes.c). Ended by an entry whose method is NULL. */
extern const struct route http_routes[];

/* Answers. Each sets r->status and r->resp and returns 0. */
int http_json(struct req *r, int status, json_t *body); /* steals body */
/* http_json_text — an answer written as JSON text already (app/jsonw.h);
 * steals text (malloc'd); NULL text: 500. */
int http_json_text(struct req *r, int status, char *text, size_t n);
int http_error(struct req *r, const struct err *e);
int http_errorf(struct req *r, enum err_code code, const char *field,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* http_bytes — data is copied. */
int http_bytes(struct req *r, int status, const char *ctype, const char *data,
               size_t n);
/* http_cached — an immutable answer with a strong ETag: 304 when the
 * client's If-None-Match matches, else data (borrowed: must outlive the
 * response, e.g. an embedded file or a cache entry kept alive by refcount). */
int http_cached(struct req *r, const char *ctype, const char *data, size_t n,
                const char *etag, const char *cache_control);
/* http_write — durable write: see the top of this file. fn/arg run on the
 * writer; `then` renders on resume; arg lives in r->arena. */
int http_write(struct req *r, store_unit_fn fn, void *arg,
               int (*then)(struct req *r));
/* http_write_or — http_write, and when the unit fails, `failed` (same arg)
 * runs as a unit of its own before the unit's error is answered (e.g. the
 * sharing-log rows of look-ups a failed filing made; app_cases.h). A
 * failure of `failed` is logged; the answer is still the first error. */
int http_write_or(struct req *r, store_unit_fn fn, void *arg,
                  int (*then)(struct req *r), store_unit_fn failed);

/* http_slow — finish on a worker thread: a handler of a route without
 * R_SLOW that finds its work unbounded returns http_slow(r, fn); fn(r)
 * then runs on a worker as an R_SLOW handler does (r->slow is set there,
 * so fn may be the handler itself). */
int http_slow(struct req *r, http_handler fn);

/* Request inputs. */
const char *http_param(const struct req *r, int i);     /* {x} segment i */
const char *http_query(const struct req *r, const char *name); /* or NULL */
/* http_query_int — optional integer query argument within [min,max]; def
 * when absent; -1 with r->err (422 naming the field) when bad. */
int http_query_int(struct req *r, const char *name, long def, long min,
                   long max, long *out);

/* Server. */
struct server_opts {
    const char *listen;      /* "HOST:PORT" */
    int threads;             /* polling threads; 0 = number of cores */
    int workers;             /* slow-work threads; 0 = number of cores */
    size_t max_body;         /* bytes; 0 = 1 MiB */
    size_t max_header;       /* bytes of all request headers; 0 = 16 KiB */
    int max_json_depth;      /* 0 = 32 */
    size_t max_string;       /* bytes of one JSON string; 0 = 64 KiB */
    size_t max_list;         /* elements of one JSON array; 0 = 1000 */
    int secure_cookies;      /* page cookies carry Secure (behind TLS) */
};

struct server *server_start(struct app *app, const struct server_opts *o,
                            struct err *e);
/* server_stop — stop accepting, finish requests in flight, join threads. */
void server_stop(struct server *s);
/* server_port — the bound port (useful with port 0). */
int server_port(const struct server *s);

/* Limits in force, for validators. */
size_t server_max_string(const struct server *s);
size_t server_max_list(const struct server *s);

#endif
