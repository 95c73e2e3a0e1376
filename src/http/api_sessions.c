/* api_sessions.c — sign-in, sign-out and "who am I" on the JSON API.
 *
 *   POST   /api/v1/sessions          {login, password} → 201 {token,
 *          expires_at, user, grants} and a Set-Cookie bm_session (HttpOnly,
 *          SameSite=Strict) for pages. Runs on a worker thread (R_SLOW):
 *          it hashes.
 *          The body also carries csrf_token, which page writes made with
 *          the cookie must send back (app/accounts.h, http/routes.c).
 *   GET    /api/v1/sessions/current  the session the request came with:
 *          expires_at, csrf_token, and how it was presented.
 *   DELETE /api/v1/sessions/current  revoke the session the request came
 *          with (bearer or cookie) → 204, and clear the cookie.
 *   GET    /api/v1/me                the account, its grants, the session's
 *          expiry.
 *
 * The token appears only in the 201 body and the cookie; it is wiped from
 * memory after rendering and never logged. Personal numbers are masked. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "../app/accounts.h"
#include "internal.h"

#define COOKIE_NAME "bm_session"

/* ISO 8601 UTC with milliseconds, in the request's arena. */
static const char *iso_ms(struct req *r, int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char buf[32];
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    return arena_printf(r->arena, "%s.%03dZ", buf, (int)(ms % 1000));
}

/* Secure cookies when the client reached us over TLS (a proxy's
 * X-Forwarded-Proto: trusting it can only make the cookie stricter). */
static int over_tls(struct req *r)
{
    const char *p = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                                "X-Forwarded-Proto");
    return p && strcasecmp(p, "https") == 0;
}

/* http_set_cookie — add the session cookie (value NULL: clear it) to the
 * answer already made (r->resp). */
static void http_set_cookie(struct req *r, const char *value, long max_age)
{
    char buf[256];
    snprintf(buf, sizeof buf,
             COOKIE_NAME "=%s; Path=/; Max-Age=%ld; HttpOnly; "
                         "SameSite=Strict%s",
             value ? value : "", value ? max_age : 0L,
             over_tls(r) ? "; Secure" : "");
    if (r->resp)
        MHD_add_response_header(r->resp, MHD_HTTP_HEADER_SET_COOKIE, buf);
    sodium_memzero(buf, sizeof buf);
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *user_json(struct req *r, const struct user_view *v)
{
    json_t *u = json_object();
    json_object_set_new(u, "id", json_integer(v->id));
    json_object_set_new(u, "kind", json_string(v->kind));
    json_object_set_new(u, "login", json_string(v->login));
    json_object_set_new(u, "name", json_string(v->name));
    json_object_set_new(u, "id_no", str_or_null(v->id_no_masked));
    json_object_set_new(u, "credit_code", str_or_null(v->credit_code_masked));
    json_object_set_new(u, "phone", str_or_null(v->phone_masked));
    json_object_set_new(u, "created_at", json_string(iso_ms(r, v->created_at)));
    return u;
}

static json_t *grants_json(const struct user_view *v)
{
    json_t *list = json_array();
    for (int i = 0; i < v->n_grants; i++) {
        const struct grant_view *g = &v->grants[i];
        json_t *o = json_object();
        json_object_set_new(o, "role", json_string(role_name(g->role)));
        json_object_set_new(o, "role_name", json_string(role_title(g->role)));
        json_object_set_new(o, "region", json_string(g->region));
        json_object_set_new(o, "region_name", str_or_null(g->region_name));
        json_object_set_new(o, "org_id",
                            g->org_id ? json_integer(g->org_id) : json_null());
        json_array_append_new(list, o);
    }
    return list;
}

/* POST /api/v1/sessions — sign in (worker thread). */
int api_session_create(struct req *r)
{
    static const char *const k_keys[] = {"login", "password", NULL};
    json_t *b = r->body_json;
    if (jbody_only(r, b, "", k_keys))
        return http_error(r, &r->err);
    const char *login = jbody_str(r, b, "login", "", 1, ACCT_LOGIN_MAX);
    if (!login)
        return http_error(r, &r->err);
    const char *password =
        jbody_str(r, b, "password", "", 1, ACCT_PASSWORD_MAX);
    if (!password)
        return http_error(r, &r->err);

    const char *ua =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "User-Agent");
    struct session_new s;
    struct err e = {0};
    /* r->actor is anonymous here and carries the address and request id. */
    if (app_login_from(r->app, &r->actor, login, password, ua, &s, &e))
        return http_error(r, &e);

    struct actor who;
    struct user_view *v = NULL;
    int bad = app_session_actor(r->app, s.token, &who, &e);
    if (!bad) { /* the same request: its address and id for the audit */
        memcpy(who.ip, r->actor.ip, sizeof who.ip);
        memcpy(who.rid, r->actor.rid, sizeof who.rid);
        bad = app_me(r->app, &who, r->arena, &v, &e);
    }
    if (bad) {
        sodium_memzero(&s, sizeof s);
        return http_error(r, &e);
    }
    char csrf[ACCT_CSRF_SIZE];
    app_csrf_token(s.token, csrf);
    json_t *body = json_object();
    json_object_set_new(body, "token", json_string(s.token));
    json_object_set_new(body, "csrf_token", json_string(csrf));
    json_object_set_new(body, "expires_at",
                        json_string(iso_ms(r, s.expires_at)));
    json_object_set_new(body, "user", user_json(r, v));
    json_object_set_new(body, "grants", grants_json(v));
    http_json(r, 201, body);
    http_set_cookie(r, s.token, (long)((s.expires_at - store_now_ms()) / 1000));
    sodium_memzero(&s, sizeof s);
    return 0;
}

static int logout_done(struct req *r)
{
    http_bytes(r, 204, "text/plain; charset=utf-8", "", 0);
    http_set_cookie(r, NULL, 0);
    return 0;
}

/* DELETE /api/v1/sessions/current — sign out: a durable revoke. */
int api_session_delete(struct req *r)
{
    if (!r->actor.session[0])
        return http_errorf(r, ERR_UNAUTHORIZED, "", "请先登录");
    return http_write(r, app_logout_unit, &r->actor, logout_done);
}

/* GET /api/v1/sessions/current — the session itself: its expiry and the
 * CSRF token derived from it (no personal data: not audited). */
int api_session_get(struct req *r)
{
    char csrf[ACCT_CSRF_SIZE];
    if (!r->cred_token || app_csrf_token(r->cred_token, csrf))
        return http_errorf(r, ERR_UNAUTHORIZED, "", "请先登录");
    json_t *body = json_object();
    json_object_set_new(body, "expires_at",
                        json_string(iso_ms(r, r->actor.session_expires_at)));
    json_object_set_new(body, "csrf_token", json_string(csrf));
    json_object_set_new(body, "via",
                        json_string(r->cred_cookie ? "cookie" : "bearer"));
    json_object_set_new(body, "login", json_string(r->actor.login));
    json_object_set_new(body, "kind", json_string(r->actor.kind));
    return http_json(r, 200, body);
}

/* GET /api/v1/me — the signed-in account. */
int api_me(struct req *r)
{
    struct err e = {0};
    struct user_view *v = NULL;
    if (app_me(r->app, &r->actor, r->arena, &v, &e))
        return http_error(r, &e);
    json_t *body = json_object();
    json_object_set_new(body, "user", user_json(r, v));
    json_object_set_new(body, "grants", grants_json(v));
    json_t *sess = json_object();
    json_object_set_new(sess, "expires_at",
                        json_string(iso_ms(r, r->actor.session_expires_at)));
    json_object_set_new(body, "session", sess);
    return http_json(r, 200, body);
}
