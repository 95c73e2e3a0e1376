/* web.c — what every page shares: the compiled templates, the page
 * security headers, rendering into an answer, the HTML error page,
 * redirects, the double-submit CSRF token and urlencoded forms. Contract
 * in web.h. Thread-safe: the template set is built once and then only
 * read; everything else lives in one request's arena. */
#include "web.h"

#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../app/accounts.h"
#include "../app/embedded.h"
#include "../app/log.h"
#include "../core/urlenc.h"
#include "../core/utf8.h"
#include "../http/internal.h"
#include "tmpl.h"

#define TEMPLATE_DIR "src/web/templates/"

/* Debug builds (the tests) refuse a template naming something the page's
 * data lacks; release builds render it as nothing and log a warning. */
#ifdef NDEBUG
#define WEB_STRICT 0
#else
#define WEB_STRICT 1
#endif

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static struct tmpl_set *g_set;
static struct err g_init_err;

static void init_once(void)
{
    struct tmpl_set *s = tmpl_set_new();
    if (!s) {
        err_set(&g_init_err, ERR_INTERNAL, NULL, "内存不足");
        return;
    }
    size_t dl = strlen(TEMPLATE_DIR);
    for (const struct embedded_file *f = embedded_files; f->path; f++) {
        size_t pl = strlen(f->path);
        if (strncmp(f->path, TEMPLATE_DIR, dl) != 0 || pl < dl + 6 ||
            strcmp(f->path + pl - 5, ".html") != 0)
            continue;
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(pl - dl - 5), f->path + dl);
        if (tmpl_set_add(s, name, f->data, f->size, &g_init_err)) {
            tmpl_set_free(s);
            return;
        }
    }
    if (tmpl_set_check(s, &g_init_err)) {
        tmpl_set_free(s);
        return;
    }
    g_set = s;
}

int web_init(struct err *e)
{
    pthread_once(&g_once, init_once);
    if (!g_set) {
        *e = g_init_err;
        if (e->code == ERR_OK)
            err_set(e, ERR_INTERNAL, NULL, "页面模板无法加载");
        return -1;
    }
    return 0;
}

int web_is_page(const struct req *r)
{
    if (r->route)
        return (r->route->flags & R_PAGE) != 0;
    if (!r->path) /* no request line (a harness rendering an error) */
        return 0;
    const char *p = r->path;
    return strncmp(p, "/api/", 5) != 0 && strcmp(p, "/api") != 0 &&
           strcmp(p, "/healthz") != 0;
}

void web_security_headers(struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(
        resp, "Content-Security-Policy",
        "default-src 'none'; style-src 'self'; img-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
}

int web_cookie_secure(struct req *r)
{
    if (server_opts_of(r->srv)->secure_cookies)
        return 1;
    const char *p = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                                "X-Forwarded-Proto");
    return p && strcasecmp(p, "https") == 0;
}

/* ---- CSRF -------------------------------------------------------------- */

#define CSRF_LEN 43 /* 32 random bytes, base64url without padding */

static int csrf_well_formed(const char *t)
{
    return t && strlen(t) == CSRF_LEN &&
           strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                     "0123456789-_") == CSRF_LEN;
}

const char *web_csrf_token(struct req *r)
{
    if (r->csrf_new)
        return r->csrf_new;
    const char *c =
        MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, WEB_CSRF_COOKIE);
    if (csrf_well_formed(c))
        return c;
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    char *t = arena_alloc(r->arena, CSRF_LEN + 1);
    sodium_bin2base64(t, CSRF_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    r->csrf_new = t;
    return t;
}

int web_csrf_check(struct req *r)
{
    int bad = 0;
    const char *form = web_form(r, WEB_CSRF_FIELD, &bad);
    if (bad)
        return -1;
    const char *c =
        MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, WEB_CSRF_COOKIE);
    if (!csrf_well_formed(c) || !csrf_well_formed(form) ||
        sodium_memcmp(c, form, CSRF_LEN) != 0)
        return err_set(&r->err, ERR_FORBIDDEN, WEB_CSRF_FIELD,
                       "页面已过期或请求来源不明，请返回重新打开页面后再提交");
    return 0;
}

/* ---- forms ------------------------------------------------------------- */

#define FORM_MAX_FIELDS 32

struct web_form {
    int n, bad;
    const char *keys[FORM_MAX_FIELDS], *vals[FORM_MAX_FIELDS];
};

/* Decode s[0..n) ('+' is a blank, %XX a byte) into the arena; NULL when a
 * %-escape is broken. */
static char *form_decode(struct arena *a, const char *s, size_t n)
{
    char *out = arena_alloc(a, n + 1);
    long len = urlenc_decode(s, n, out);
    /* A NUL byte (%00) would cut the value silently: refused. */
    if (len < 0 || (size_t)len != strlen(out))
        return NULL;
    return out;
}

static int form_parse(struct req *r)
{
    struct web_form *f = arena_alloc(r->arena, sizeof *f);
    memset(f, 0, sizeof *f);
    r->form = f;
    const char *ct =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
    size_t tl = strlen("application/x-www-form-urlencoded");
    if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", tl) != 0 ||
        (ct[tl] && ct[tl] != ';' && ct[tl] != ' ')) {
        f->bad = 1;
        return err_set(&r->err, ERR_MEDIA, "Content-Type",
                       "表单应以 application/x-www-form-urlencoded 提交");
    }
    const char *p = r->body ? r->body : "";
    const char *end = p + r->body_len;
    if (memchr(p, '\0', r->body_len)) {
        f->bad = 1;
        return err_set(&r->err, ERR_BAD_REQUEST, "", "表单含有 NUL 字符");
    }
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *fe = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(fe - p));
        if (fe > p) {
            if (f->n >= FORM_MAX_FIELDS) {
                f->bad = 1;
                return err_set(&r->err, ERR_TOO_LARGE, "", "表单字段超过 %d 个",
                               FORM_MAX_FIELDS);
            }
            const char *ke = eq ? eq : fe;
            char *k = form_decode(r->arena, p, (size_t)(ke - p));
            char *v = eq ? form_decode(r->arena, eq + 1, (size_t)(fe - eq - 1))
                         : arena_strdup(r->arena, "");
            if (!k || !v || !utf8_valid(k, strlen(k)) ||
                !utf8_valid(v, strlen(v)) || utf8_has_control(k, strlen(k)) ||
                utf8_has_control(v, strlen(v))) {
                f->bad = 1;
                return err_set(&r->err, ERR_BAD_REQUEST, "",
                               "表单内容不是有效的文字");
            }
            f->keys[f->n] = k;
            f->vals[f->n] = v;
            f->n++;
        }
        p = amp ? amp + 1 : end;
    }
    return 0;
}

const char *web_form(struct req *r, const char *name, int *bad)
{
    if (!r->form && form_parse(r)) {
        *bad = 1;
        return NULL;
    }
    if (r->form->bad) {
        *bad = 1;
        return NULL;
    }
    for (int i = 0; i < r->form->n; i++)
        if (strcmp(r->form->keys[i], name) == 0)
            return r->form->vals[i];
    return NULL;
}

/* ---- answers ----------------------------------------------------------- */

static void set_csrf_cookie(struct req *r)
{
    if (!r->csrf_new || !r->resp)
        return;
    char buf[160];
    snprintf(buf, sizeof buf,
             WEB_CSRF_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s",
             r->csrf_new, web_cookie_secure(r) ? "; Secure" : "");
    MHD_add_response_header(r->resp, MHD_HTTP_HEADER_SET_COOKIE, buf);
}

/* Render into an answer; -1 (and nothing set) when the render fails. */
static int render(struct req *r, int status, const char *name, json_t *ctx,
                  struct err *e)
{
    if (web_init(e))
        return -1;
    if (r->actor.user_id) {
        /* The sign-out form posts the session's own CSRF token, which the
         * gate checks before the page handler runs (app/accounts.h). */
        char tok[ACCT_CSRF_SIZE] = "";
        if (r->cred_token)
            app_csrf_token(r->cred_token, tok);
        json_object_set_new(ctx, "me",
                            json_pack("{s:s}", "login", r->actor.login));
        json_object_set_new(ctx, "session_csrf", json_string(tok));
    }
    json_object_set_new(ctx, "csrf", json_string(web_csrf_token(r)));
    json_object_set_new(ctx, "request_id", json_string(r->rid));
    char *html = NULL;
    size_t n = 0;
    int unknown = 0;
    if (tmpl_render(g_set, name, ctx, WEB_STRICT, 0, &html, &n, &unknown, e))
        return -1;
    if (unknown)
        log_json(LOG_WARN, "template",
                 json_pack("{s:s, s:s, s:i}", "rid", r->rid, "template", name,
                           "unknown_names", unknown));
    int rc = http_bytes(r, status, "text/html; charset=utf-8", html, n);
    free(html);
    if (rc)
        return err_set(e, ERR_INTERNAL, NULL, "内部错误");
    MHD_add_response_header(r->resp, "Cache-Control", "no-store");
    set_csrf_cookie(r);
    return 0;
}

int web_page(struct req *r, int status, const char *name, json_t *ctx)
{
    struct err e = {0};
    int rc = render(r, status, name, ctx, &e);
    json_decref(ctx);
    if (rc == 0)
        return 0;
    /* A page that cannot render is a bug: 500, detail in the log. */
    err_log(&e, "template %s: %s", name, e.msg);
    struct err shown = {0};
    err_set(&shown, ERR_INTERNAL, NULL, "内部错误");
    memcpy(shown.log, e.log, sizeof shown.log);
    http_error(r, &shown);
    return -1;
}

static const char *status_title(int status)
{
    switch (status) {
    case 400:
        return "请求有误";
    case 401:
        return "请先登录";
    case 403:
        return "无权访问";
    case 404:
        return "页面不存在";
    case 405:
        return "不支持的请求方式";
    case 409:
        return "操作冲突";
    case 413:
        return "提交的内容过大";
    case 415:
        return "提交的格式不对";
    case 422:
        return "填写有误";
    case 429:
        return "操作过于频繁";
    case 503:
        return "服务暂不可用";
    default:
        return status >= 500 ? "服务器内部错误" : "请求未能完成";
    }
}

int web_error_page(struct req *r, const struct err *e)
{
    int status = http_status_of(e->code);
    r->err = *e;
    json_t *ctx = json_pack("{s:i, s:s, s:s, s:s}", "status", status, "title",
                            status_title(status), "code",
                            err_code_name(e->code), "message", e->msg);
    struct err re = {0};
    int rc = ctx ? render(r, status, "error", ctx, &re) : -1;
    json_decref(ctx);
    if (rc == 0)
        return 0;
    /* The error page itself failed: a fixed page (still HTML, same headers). */
    static const char k_fallback[] =
        "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\">"
        "<title>服务器内部错误</title><h1>服务器内部错误</h1>"
        "<p>请稍后再试。</p></html>";
    if (http_bytes(r, status >= 500 ? status : 500, "text/html; charset=utf-8",
                   k_fallback, sizeof k_fallback - 1) == 0)
        MHD_add_response_header(r->resp, "Cache-Control", "no-store");
    return 0;
}

int web_redirect(struct req *r, const char *to)
{
    if (http_bytes(r, 303, "text/plain; charset=utf-8", "", 0))
        return -1;
    MHD_add_response_header(r->resp, "Location", to);
    MHD_add_response_header(r->resp, "Cache-Control", "no-store");
    set_csrf_cookie(r);
    return 0;
}
