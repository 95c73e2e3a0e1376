/* server.c — libmicrohttpd glue: request life cycle, limits that apply
 * before routing, suspension for durable writes and slow work, the access
 * log, and graceful stop. Contract in http.h.
 *
 * MHD 0.9.75 traps kept here (docs/architecture.md): never queue on the
 * first call of a request (it forces Connection: close) except to refuse an
 * oversized body; consume every upload chunk before queuing; MHD runs its
 * own threads, so signals are handled by the caller with sigwait. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../app/audit.h"
#include "../app/log.h"
#include "../core/utf8.h"
#include "../web/web.h"
#include "internal.h"

enum { ST_NEW = 0, ST_SUSPENDED, ST_RESUMED };

struct workq_item {
    struct req *r;
    struct workq_item *next;
};

struct server {
    struct app *app;
    struct server_opts o;
    struct MHD_Daemon *d;
    int port;
    uint32_t rid_prefix;
    atomic_ullong rid_next;
    atomic_int in_flight;

    /* slow-work queue */
    pthread_mutex_t wq_mu;
    pthread_cond_t wq_cv;
    struct workq_item *wq_head, *wq_tail;
    int wq_stop;
    pthread_t *workers;
    int n_workers;
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

size_t server_max_string(const struct server *s)
{
    return s->o.max_string;
}
size_t server_max_list(const struct server *s)
{
    return s->o.max_list;
}
int server_port(const struct server *s)
{
    return s->port;
}
const struct server_opts *server_opts_of(const struct server *s)
{
    return &s->o;
}

/* ---- answers ---------------------------------------------------------- */

static void add_common_headers(struct req *r, struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "X-Request-Id", r->rid);
    if (web_is_page(r))
        web_security_headers(resp); /* a CSP that lets the style sheet in */
    else
        http_security_headers(resp);
}

void http_security_headers(struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'none'; frame-ancestors 'none'");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
}

static void set_response(struct req *r, int status, struct MHD_Response *resp,
                         size_t n)
{
    if (r->resp)
        MHD_destroy_response(r->resp);
    r->status = status;
    r->resp = resp;
    r->resp_bytes = n;
}

int http_bytes(struct req *r, int status, const char *ctype, const char *data,
               size_t n)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        n, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return -1;
    MHD_add_response_header(resp, "Content-Type", ctype);
    add_common_headers(r, resp);
    set_response(r, status, resp, n);
    return 0;
}

int http_json(struct req *r, int status, json_t *body)
{
    size_t n = 0;
    char *text = json_text(body, &n);
    json_decref(body);
    return http_json_text(r, status, text, n);
}

int http_json_text(struct req *r, int status, char *text, size_t n)
{
    if (!text)
        return http_errorf(r, ERR_INTERNAL, NULL, "内部错误");
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(n, text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return -1;
    }
    MHD_add_response_header(resp, "Content-Type",
                            "application/json; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    add_common_headers(r, resp);
    set_response(r, status, resp, n);
    return 0;
}

int http_status_of(enum err_code c)
{
    static const struct {
        enum err_code code;
        int status;
    } k_map[] = {
        {ERR_BAD_REQUEST, 400}, {ERR_UNAUTHORIZED, 401}, {ERR_FORBIDDEN, 403},
        {ERR_NOT_FOUND, 404},   {ERR_METHOD, 405},       {ERR_CONFLICT, 409},
        {ERR_TOO_LARGE, 413},   {ERR_MEDIA, 415},        {ERR_INVALID, 422},
        {ERR_RATE, 429},        {ERR_INTERNAL, 500},     {ERR_UNAVAILABLE, 503},
        {ERR_CSRF, 403},
    };
    for (size_t i = 0; i < sizeof k_map / sizeof k_map[0]; i++)
        if (k_map[i].code == c)
            return k_map[i].status;
    return 500;
}

int http_error(struct req *r, const struct err *e)
{
    struct err safe = *e;
    if (safe.code == ERR_OK)
        err_set(&safe, ERR_INTERNAL, NULL, "内部错误");
    /* A fixed-size buffer may have split a character of echoed input (a
     * long path, a key): cut there, or json_pack refuses the text (a 500). */
    safe.field[utf8_valid_prefix(safe.field, strlen(safe.field))] = '\0';
    safe.msg[utf8_valid_prefix(safe.msg, strlen(safe.msg))] = '\0';
    r->err = safe;
    int status = http_status_of(safe.code);
    if (status >= 500 || safe.log[0]) {
        /* The log gets no phone or ID number, even one echoed in a message. */
        struct err logged = safe;
        audit_mask_text(logged.msg);
        audit_mask_text(logged.log);
        json_t *f = json_pack("{s:s, s:i, s:s, s:s, s:s}", "rid", r->rid,
                              "status", status, "code",
                              err_code_name(safe.code), "msg", logged.msg,
                              "detail", logged.log);
        log_json(status >= 500 ? LOG_ERROR : LOG_DEBUG, "error", f);
    }
    if (web_is_page(r)) /* pages and unknown paths outside /api/: HTML */
        return web_error_page(r, &safe);
    json_t *body = json_pack(
        "{s:{s:s, s:s, s:s, s:s}}", "error", "code", err_code_name(safe.code),
        "field", safe.field, "message", safe.msg, "request_id", r->rid);
    return http_json(r, status, body);
}

int http_errorf(struct req *r, enum err_code code, const char *field,
                const char *fmt, ...)
{
    struct err e = {0};
    e.code = code;
    snprintf(e.field, sizeof e.field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.msg, sizeof e.msg, fmt, ap);
    va_end(ap);
    return http_error(r, &e);
}

int http_cached(struct req *r, const char *ctype, const char *data, size_t n,
                const char *etag, const char *cache_control)
{
    const char *inm = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                                  "If-None-Match");
    int not_modified = etag && inm && strstr(inm, etag) != NULL;
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        not_modified ? 0 : n, not_modified ? (void *)"" : (void *)data,
        MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return -1;
    MHD_add_response_header(resp, "Content-Type", ctype);
    if (etag)
        MHD_add_response_header(resp, "ETag", etag);
    if (cache_control)
        MHD_add_response_header(resp, "Cache-Control", cache_control);
    add_common_headers(r, resp);
    set_response(r, not_modified ? 304 : 200, resp, not_modified ? 0 : n);
    return 0;
}

/* ---- inputs ----------------------------------------------------------- */

const char *http_param(const struct req *r, int i)
{
    return i >= 0 && i < r->n_params ? r->params[i] : NULL;
}

const char *http_query(const struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

int http_query_int(struct req *r, const char *name, long def, long min,
                   long max, long *out)
{
    const char *v = http_query(r, name);
    if (!v || !*v) {
        *out = def;
        return 0;
    }
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10); /* ERANGE: out of range, not clamped */
    if (*end || end == v || errno == ERANGE || n < min || n > max) {
        char field[64];
        snprintf(field, sizeof field, "%s", name);
        err_set(&r->err, ERR_INVALID, field, "%s 应为 %ld 到 %ld 之间的整数",
                name, min, max);
        return -1;
    }
    *out = n;
    return 0;
}

void http_on_complete(struct req *r, void (*fn)(void *arg), void *arg)
{
    struct http_cleanup *c = arena_new_obj(r->arena, struct http_cleanup);
    c->fn = fn;
    c->arg = arg;
    c->next = r->cleanups;
    r->cleanups = c;
}

/* ---- deferral --------------------------------------------------------- */

static void unit_done(struct store_unit *u)
{
    struct req *r = u->ctx;
    r->state = ST_RESUMED;
    MHD_resume_connection(r->conn);
}

static void failed_done(struct store_unit *u)
{
    struct req *r = u->ctx;
    if (u->rc != 0)
        log_msg(LOG_ERROR, "unit_failed",
                "request %s: the unit after a failed write failed too: %s %s",
                r->rid, u->err.msg, u->err.log);
    unit_done(u);
}

/* On the writer thread, without the store's lock (store.h): a failed unit
 * with a follow-up queues it and resumes only when that one is done. */
static void unit_done_or(struct store_unit *u)
{
    struct req *r = u->ctx;
    if (u->rc == 0 || !r->unit_failed.fn) {
        unit_done(u);
        return;
    }
    store_submit(app_store(r->app), &r->unit_failed);
}

int http_write(struct req *r, store_unit_fn fn, void *arg,
               int (*then)(struct req *r))
{
    r->unit.fn = fn;
    r->unit.arg = arg;
    r->unit.done = unit_done;
    r->unit.ctx = r;
    r->then = then;
    return HTTP_DEFER;
}

int http_write_or(struct req *r, store_unit_fn fn, void *arg,
                  int (*then)(struct req *r), store_unit_fn failed)
{
    http_write(r, fn, arg, then);
    if (failed) {
        r->unit.done = unit_done_or;
        r->unit_failed.fn = failed;
        r->unit_failed.arg = arg;
        r->unit_failed.done = failed_done;
        r->unit_failed.ctx = r;
    }
    return HTTP_DEFER;
}

static void *worker_main(void *p)
{
    struct server *s = p;
    pthread_setname_np(pthread_self(), "bm-worker"); /* for top -H, perf */
    for (;;) {
        pthread_mutex_lock(&s->wq_mu);
        while (!s->wq_head && !s->wq_stop)
            pthread_cond_wait(&s->wq_cv, &s->wq_mu);
        struct workq_item *it = s->wq_head;
        if (!it) {
            pthread_mutex_unlock(&s->wq_mu);
            return NULL;
        }
        s->wq_head = it->next;
        if (!s->wq_head)
            s->wq_tail = NULL;
        pthread_mutex_unlock(&s->wq_mu);

        struct req *r = it->r;
        int rc = r->slow(r);
        if (rc == HTTP_DEFER) {
            /* A slow handler that then writes: hand over to the writer; the
             * connection stays suspended until the commit. */
            store_submit(app_store(r->app), &r->unit);
        } else {
            if (rc != 0 && !r->resp)
                http_error(r, &r->err);
            r->then = NULL;
            r->state = ST_RESUMED;
            MHD_resume_connection(r->conn);
        }
    }
}

int http_slow(struct req *r, http_handler fn)
{
    r->slow = fn;
    return HTTP_DEFER_SLOW;
}

static void workq_push(struct server *s, struct req *r)
{
    struct workq_item *it = arena_new_obj(r->arena, struct workq_item);
    it->r = r;
    pthread_mutex_lock(&s->wq_mu);
    if (s->wq_tail)
        s->wq_tail->next = it;
    else
        s->wq_head = it;
    s->wq_tail = it;
    pthread_cond_signal(&s->wq_cv);
    pthread_mutex_unlock(&s->wq_mu);
}

/* ---- life cycle ------------------------------------------------------- */

void http_client_ip(struct req *r, char *out, size_t n)
{
    out[0] = '\0';
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
                  (socklen_t)n);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
                  (socklen_t)n);
}

/* A signed-in person refused (403, by the gate or by a use case): an
 * audit row "access.denied" (queued, not waited for). */
static void audit_denied(struct req *r)
{
    struct audit_entry en = {0};
    audit_entry_actor(&en, &r->actor);
    en.action = "access.denied";
    en.region = audit_actor_region(&r->actor);
    en.outcome = "denied";
    json_t *detail = json_pack(
        "{s:s, s:s, s:s}", "method", r->method, "route",
        r->route ? r->route->pattern : "", "message", r->err.msg);
    en.detail = detail;
    app_audit_submit(r->app, &en);
    json_decref(detail);
}

static struct req *req_new(struct server *s, struct MHD_Connection *c,
                           const char *url, const char *method)
{
    struct arena *a = arena_new();
    struct req *r = arena_new_obj(a, struct req);
    r->arena = a;
    r->conn = c;
    r->srv = s;
    r->app = s->app;
    r->t0_ns = now_ns();
    r->method = strcmp(method, "HEAD") == 0 ? "GET" : arena_strdup(a, method);
    r->path = arena_strdup(a, url);
    unsigned long long n = atomic_fetch_add(&s->rid_next, 1);
    snprintf(r->rid, sizeof r->rid, "%08x%010llx", s->rid_prefix, n);
    atomic_fetch_add(&s->in_flight, 1);
    return r;
}

static int body_append(struct req *r, const char *data, size_t n)
{
    size_t max = r->srv->o.max_body;
    if (r->body_over || r->body_len + n > max) {
        r->body_over = 1;
        return 0;
    }
    if (r->body_len + n + 1 > r->body_cap) {
        size_t cap = r->body_cap ? r->body_cap * 2 : 4096;
        while (cap < r->body_len + n + 1)
            cap *= 2;
        char *nb = arena_alloc(r->arena, cap);
        if (r->body_len)
            memcpy(nb, r->body, r->body_len);
        r->body = nb;
        r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return 0;
}

static enum MHD_Result queue(struct req *r)
{
    if (!r->resp)
        http_errorf(r, ERR_INTERNAL, NULL, "内部错误");
    if (!r->resp)
        return MHD_NO;
    enum MHD_Result rc =
        MHD_queue_response(r->conn, (unsigned)r->status, r->resp);
    MHD_destroy_response(r->resp);
    r->resp = NULL;
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    struct server *s = cls;
    struct req *r = *con_cls;
    if (!r) {
        r = req_new(s, c, url, method);
        *con_cls = r;
        const char *cl =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > s->o.max_body) {
            /* Refuse before reading the body; MHD closes the connection. */
            http_errorf(r, ERR_TOO_LARGE, "", "请求体超过 %zu 字节的上限",
                        s->o.max_body);
            return queue(r);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        body_append(r, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->state == ST_SUSPENDED)
        return MHD_YES;
    if (r->state == ST_RESUMED) {
        if (r->then) {
            if (r->unit.rc != 0)
                http_error(r, &r->unit.err);
            else if (r->then(r) != 0 && !r->resp)
                http_errorf(r, ERR_INTERNAL, NULL, "内部错误");
        }
        return queue(r);
    }
    int rc = http_dispatch(r);
    if (rc == HTTP_DEFER || rc == HTTP_DEFER_SLOW) {
        r->state = ST_SUSPENDED;
        MHD_suspend_connection(c);
        if (rc == HTTP_DEFER_SLOW)
            workq_push(s, r);
        else
            store_submit(app_store(s->app), &r->unit);
        return MHD_YES;
    }
    return queue(r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct server *s = cls;
    struct req *r = *con_cls;
    if (!r)
        return;
    if (log_enabled(LOG_INFO)) {
        double ms = (double)(now_ns() - r->t0_ns) / 1e6;
        char *path = arena_strdup(r->arena, r->path); /* masked copy */
        audit_mask_text(path);
        json_t *f = json_pack("{s:s, s:s, s:s, s:i, s:f, s:I}", "rid", r->rid,
                              "method", r->method, "path", path, "status",
                              r->status, "ms", ms, "bytes",
                              (json_int_t)r->resp_bytes);
        if (r->actor.user_id)
            json_object_set_new(f, "user", json_integer(r->actor.user_id));
        if (r->err.code != ERR_OK)
            json_object_set_new(f, "error",
                                json_string(err_code_name(r->err.code)));
        if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
            json_object_set_new(f, "aborted", json_integer((int)toe));
        log_json(LOG_INFO, "access", f);
    }
    if (r->status == 403 && r->actor.user_id)
        audit_denied(r);
    if (r->resp)
        MHD_destroy_response(r->resp);
    for (struct http_cleanup *k = r->cleanups; k; k = k->next)
        k->fn(k->arg);
    json_decref(r->body_json);
    arena_free(r->arena);
    *con_cls = NULL;
    atomic_fetch_sub(&s->in_flight, 1);
}

static int parse_listen(const char *listen, struct sockaddr_in *sa,
                        struct err *e)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof host)
        return err_set(e, ERR_INVALID, "listen", "监听地址应为 主机:端口");
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535)
        return err_set(e, ERR_INVALID, "listen", "端口应为 0 到 65535");
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return err_set(e, ERR_INVALID, "listen", "无法识别的监听主机 %s", host);
    return 0;
}

struct server *server_start(struct app *app, const struct server_opts *o,
                            struct err *e)
{
    struct sockaddr_in sa;
    if (parse_listen(o->listen ? o->listen : "127.0.0.1:8080", &sa, e))
        return NULL;
    if (http_routes_check(e) || web_init(e))
        return NULL;
    struct server *s = calloc(1, sizeof *s);
    s->app = app;
    s->o = *o;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1)
        cores = 1;
    if (s->o.threads <= 0)
        s->o.threads = (int)cores;
    if (s->o.workers <= 0)
        s->o.workers = (int)cores;
    if (!s->o.max_body)
        s->o.max_body = 1 << 20;
    if (!s->o.max_header)
        s->o.max_header = 16 << 10;
    if (!s->o.max_json_depth)
        s->o.max_json_depth = 32;
    if (!s->o.max_string)
        s->o.max_string = 64 << 10;
    if (!s->o.max_list)
        s->o.max_list = 1000;
    s->rid_prefix = randombytes_random();
    pthread_mutex_init(&s->wq_mu, NULL);
    pthread_cond_init(&s->wq_cv, NULL);
    s->workers = calloc((size_t)s->o.workers, sizeof *s->workers);
    for (int i = 0; i < s->o.workers; i++) {
        if (pthread_create(&s->workers[i], NULL, worker_main, s) != 0)
            break;
        s->n_workers++;
    }

    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ITC;
    s->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)s->o.threads, MHD_OPTION_CONNECTION_LIMIT, 4096u,
        MHD_OPTION_CONNECTION_TIMEOUT, 30u,
        /* Headers (16 KiB allowed) plus read buffer. MHD clears this pool
         * between keep-alive requests, so it is kept no larger than needed. */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 << 10),
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, s, MHD_OPTION_END);
    if (!s->d) {
        err_set(e, ERR_UNAVAILABLE, "listen", "无法在 %s 上监听（端口被占用？）",
                o->listen);
        server_stop(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : ntohs(sa.sin_port);
    return s;
}

void server_stop(struct server *s)
{
    if (!s)
        return;
    if (s->d) {
        /* Stop accepting; let requests in flight (suspended ones included)
         * finish for up to 10 s; then stop the daemon. */
        MHD_socket fd = MHD_quiesce_daemon(s->d);
        if (fd != MHD_INVALID_SOCKET)
            close(fd);
        for (int i = 0; i < 1000 && atomic_load(&s->in_flight) > 0; i++)
            usleep(10000);
        MHD_stop_daemon(s->d);
    }
    pthread_mutex_lock(&s->wq_mu);
    s->wq_stop = 1;
    pthread_cond_broadcast(&s->wq_cv);
    pthread_mutex_unlock(&s->wq_mu);
    for (int i = 0; i < s->n_workers; i++)
        pthread_join(s->workers[i], NULL);
    free(s->workers);
    pthread_mutex_destroy(&s->wq_mu);
    pthread_cond_destroy(&s->wq_cv);
    free(s);
}
