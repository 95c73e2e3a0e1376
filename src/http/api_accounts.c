/* api_accounts.c — accounts a person makes or changes for themselves.
 *
 *   POST /api/v1/register         {kind, name, id_no | credit_code, phone,
 *        password, login?} → 201 {id, kind, login}: a citizen (resident ID,
 *        GB 11643) or an enterprise (credit code, GB 32100) account; the
 *        login is the phone number unless one is given. It does not sign
 *        in: the person signs in next (POST /api/v1/sessions). 422 names
 *        the field at fault; 409 a taken login or an already registered
 *        number, echoing nothing typed (app_citizen_register_from says
 *        what that reveals and why).
 *   POST /api/v1/me/password      {old_password, new_password} → 204: the
 *        signed-in person changes their password. The session the request
 *        came with stays valid (same token, same CSRF token); every other
 *        session of the account is revoked. A wrong old password is 422
 *        "/old_password" and counts as a failed sign-in (429 once locked).
 *
 * Both hash with argon2id: R_SLOW routes, run on a worker thread. Both are
 * audited by the use case ("user.register", "password.change"). */
#include <string.h>

#include "../app/accounts.h"
#include "internal.h"

/* POST /api/v1/register — self-registration (worker thread). */
int api_register(struct req *r)
{
    static const char *const k_keys[] = {"kind",        "login", "name",
                                         "id_no",       "phone", "password",
                                         "credit_code", NULL};
    json_t *b = r->body_json;
    if (jbody_only(r, b, "", k_keys))
        return http_error(r, &r->err);
    struct citizen_new c = {0};
    if (!(c.kind = jbody_str(r, b, "kind", "", 1, 16)))
        return http_error(r, &r->err);
    int citizen = strcmp(c.kind, "citizen") == 0;
    if (!citizen && strcmp(c.kind, "enterprise") != 0)
        return http_errorf(r, ERR_INVALID, "/kind",
                           "账号类型应为 citizen（个人）或 enterprise（企业）");
    /* The number the kind needs is required; the other one must be absent. */
    const char *need = citizen ? "id_no" : "credit_code";
    const char *other = citizen ? "credit_code" : "id_no";
    if (json_object_get(b, other) && !json_is_null(json_object_get(b, other)))
        return http_errorf(r, ERR_INVALID, citizen ? "/credit_code" : "/id_no",
                           citizen ? "个人注册不需要统一社会信用代码"
                                   : "企业注册不需要身份证号");
    const char *number = jbody_str(r, b, need, "", 1, 32);
    if (!number)
        return http_error(r, &r->err);
    if (citizen)
        c.id_no = number;
    else
        c.credit_code = number;
    if (!(c.name = jbody_str(r, b, "name", "", 1, 64)) ||
        !(c.phone = jbody_str(r, b, "phone", "", 1, 16)) ||
        !(c.password = jbody_str(r, b, "password", "", 1, ACCT_PASSWORD_MAX)))
        return http_error(r, &r->err);
    if (json_object_get(b, "login") &&
        !json_is_null(json_object_get(b, "login")) &&
        !(c.login = jbody_str(r, b, "login", "", 0, ACCT_LOGIN_MAX)))
        return http_error(r, &r->err);

    int64_t id = 0;
    char login[ACCT_LOGIN_MAX + 1];
    struct err e = {0};
    if (app_citizen_register_from(r->app, &r->actor, &c, &id, login, &e))
        return http_error(r, &e);
    json_t *body = json_object();
    json_object_set_new(body, "id", json_integer(id));
    json_object_set_new(body, "kind", json_string(c.kind));
    json_object_set_new(body, "login", json_string(login));
    return http_json(r, 201, body);
}

/* POST /api/v1/me/password — change one's own password (worker thread). */
int api_password_change(struct req *r)
{
    static const char *const k_keys[] = {"old_password", "new_password", NULL};
    json_t *b = r->body_json;
    if (jbody_only(r, b, "", k_keys))
        return http_error(r, &r->err);
    const char *old_pw =
        jbody_str(r, b, "old_password", "", 1, ACCT_PASSWORD_MAX);
    if (!old_pw)
        return http_error(r, &r->err);
    const char *new_pw =
        jbody_str(r, b, "new_password", "", 1, ACCT_PASSWORD_MAX);
    if (!new_pw)
        return http_error(r, &r->err);
    struct err e = {0};
    if (app_password_change(r->app, &r->actor, old_pw, new_pw, &e))
        return http_error(r, &e);
    return http_bytes(r, 204, "text/plain; charset=utf-8", "", 0);
}
