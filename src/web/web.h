/* web.h — server-rendered pages: what the route table and server.c need
 * from src/web, and what the page handlers share.
 *
 * Pages are routes flagged R_PAGE in http/routes.c; they go through the
 * same gate as the API (path, method, limits, sign-in from the bm_session
 * cookie, capability) and call the same app/ use cases. They answer HTML
 * rendered from the templates in src/web/templates (compiled into the
 * binary, compiled once by web_init), in zh-CN, with the page security
 * headers (web_security_headers). Any error on a page route — or on an
 * unknown path outside /api/ — is an HTML error page (web_error_page), not
 * the API's JSON.
 *
 * Forms: application/x-www-form-urlencoded only (web_form). State-changing
 * forms carry a CSRF token: before a session exists, a double-submit token
 * (web_csrf_token / web_csrf_check): the random `bm_csrf` cookie (HttpOnly,
 * SameSite=Strict) must equal the form's hidden `_csrf` field.
 *
 * Thread-safety: web_init compiles the templates once (pthread_once); the
 * set is read-only afterwards. Everything else works on one request. */
#ifndef BIANMIN_WEB_WEB_H
#define BIANMIN_WEB_WEB_H

#include <jansson.h>
#include <stddef.h>

#include "../core/err.h"

struct req;
struct MHD_Response;

#define WEB_CSRF_COOKIE "bm_csrf"
#define WEB_CSRF_FIELD "_csrf"
#define WEB_SESSION_COOKIE "bm_session"

/* web_init — compile every embedded template (src/web/templates/NAME.html
 * becomes template NAME) and check includes and layouts. Idempotent and
 * thread-safe; 0, or -1 with e (the server then refuses to start). */
int web_init(struct err *e);

/* web_is_page — 1 when r answers HTML: its route is a page, or no route
 * matched and the path is not under /api/ (nor /healthz). */
int web_is_page(const struct req *r);

/* web_security_headers — the page variant of http_security_headers: CSP
 * allowing only this origin's style sheet and images and forms posting
 * here (no script at all, no inline style), frame-ancestors 'none',
 * nosniff, no-referrer, X-Frame-Options DENY. */
void web_security_headers(struct MHD_Response *resp);

/* web_page — render template `name` with ctx (stolen) plus what every page
 * shows: "me" (the signed-in login, or absent), "csrf" (the double-submit
 * token, set as a cookie on this answer when new), "path". Sets r->resp;
 * 0, or -1 after an error page was made instead. Cache-Control: no-store. */
int web_page(struct req *r, int status, const char *name, json_t *ctx);

/* web_error_page — the HTML error page for e (status from its code);
 * shown text is e->msg only. Always makes an answer; returns 0. */
int web_error_page(struct req *r, const struct err *e);

/* web_redirect — 303 See Other to `to` (a path on this site). */
int web_redirect(struct req *r, const char *to);

/* web_csrf_token — the request's double-submit token: the bm_csrf cookie
 * when it is well-formed, else a new random one (arena), which web_page
 * sets as the cookie. */
const char *web_csrf_token(struct req *r);

/* web_csrf_check — the form's _csrf equals the bm_csrf cookie (constant
 * time; both present and well-formed). 0, or -1 with r->err a 403. */
int web_csrf_check(struct req *r);

/* web_form — the value of field `name` in the urlencoded body (decoded,
 * arena), or NULL. The first call checks the body: Content-Type must be
 * application/x-www-form-urlencoded (415), the text valid UTF-8 without
 * NUL or control characters but tab and newlines (400); -1 with r->err
 * then, and *bad set. */
const char *web_form(struct req *r, const char *name, int *bad);

/* web_cookie_secure — 1 when cookies should carry Secure: the server was
 * configured so (secure_cookies), or the client came over TLS through a
 * proxy (X-Forwarded-Proto: https). */
int web_cookie_secure(struct req *r);

/* Page handlers (page_*.c), named in http/routes.c. */
int page_home(struct req *r);
int page_search(struct req *r);
int page_item(struct req *r);
int page_progress(struct req *r);
int page_login_form(struct req *r);
int page_login(struct req *r);
int page_logout(struct req *r);
int page_static(struct req *r);

#endif
