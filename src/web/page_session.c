/* page_session.c — signing in and out through forms.
 *
 *   GET  /login   the form (login, password, the hidden _csrf token); a
 *                 signed-in person sees who they are and a sign-out form.
 *   POST /login   urlencoded; the double-submit CSRF token first (403
 *                 page on a mismatch), then app_login_from — the use case
 *                 POST /api/v1/sessions calls (throttle, lock-out, audit
 *                 row) — on a worker thread (R_SLOW: it hashes). Success:
 *                 the bm_session cookie (HttpOnly, SameSite=Lax, Path=/,
 *                 Secure when configured or behind TLS) and 303 to /.
 *                 Refusal: the form again with the use case's message and
 *                 its status (401, 422, 429).
 *   POST /logout  urlencoded; signed in, the form carries the session's CSRF
 *                 token (checked by the gate, app/accounts.h), else the
 *                 double-submit token; revokes the session
 *                 (a durable write, app_logout_unit), clears the cookie,
 *                 303 to /.
 * The token is never logged and is wiped after use. */
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "../app/accounts.h"
#include "../http/internal.h"
#include "web.h"

static void session_cookie(struct req *r, const char *token, long max_age)
{
    char buf[256];
    snprintf(buf, sizeof buf,
             WEB_SESSION_COOKIE "=%s; Path=/; Max-Age=%ld; HttpOnly; "
                                "SameSite=Lax%s",
             token ? token : "", token ? max_age : 0L,
             web_cookie_secure(r) ? "; Secure" : "");
    if (r->resp)
        MHD_add_response_header(r->resp, MHD_HTTP_HEADER_SET_COOKIE, buf);
    sodium_memzero(buf, sizeof buf);
}

static int login_form(struct req *r, int status, const char *login,
                      const char *error)
{
    json_t *ctx =
        json_pack("{s:s, s:s}", "title", "登录", "login", login ? login : "");
    if (error) {
        json_object_set_new(ctx, "error", json_string(error));
        json_object_set_new(ctx, "error_code",
                            json_string(err_code_name(r->err.code)));
    }
    return web_page(r, status, "login", ctx);
}

/* GET /login */
int page_login_form(struct req *r)
{
    return login_form(r, 200, NULL, NULL);
}

/* POST /login — worker thread. */
int page_login(struct req *r)
{
    if (web_csrf_check(r))
        return http_error(r, &r->err);
    int bad = 0;
    const char *login = web_form(r, "login", &bad);
    const char *password = web_form(r, "password", &bad);
    if (bad)
        return http_error(r, &r->err);
    const char *ua =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "User-Agent");
    struct session_new s;
    struct err e = {0};
    if (app_login_from(r->app, &r->actor, login ? login : "",
                       password ? password : "", ua, &s, &e)) {
        r->err = e;
        return login_form(r, http_status_of(e.code), login, e.msg);
    }
    if (web_redirect(r, "/")) {
        sodium_memzero(&s, sizeof s);
        return -1;
    }
    session_cookie(r, s.token, (long)((s.expires_at - store_now_ms()) / 1000));
    sodium_memzero(&s, sizeof s);
    return 0;
}

static int logout_done(struct req *r)
{
    if (web_redirect(r, "/"))
        return -1;
    session_cookie(r, NULL, 0);
    return 0;
}

/* POST /logout */
int page_logout(struct req *r)
{
    /* Signed in by the cookie: the gate has already checked the session's
     * CSRF token (a cookie write without it arrives here anonymous). A
     * bearer token is not this form's business. */
    if (r->actor.session[0] && r->cred_cookie)
        return http_write(r, app_logout_unit, &r->actor, logout_done);
    if (web_csrf_check(r))
        return http_error(r, &r->err);
    return logout_done(r); /* nobody signed in: just clear the cookie */
}
