/* accounts.h — people and their sign-in: staff and citizen accounts,
 * passwords (argon2id), sessions as random tokens stored hashed (so any node
 * can serve any user), grants of roles. Use cases; permission model in
 * auth.h and docs/permissions.md. Thread-safe: no state outside the
 * database.
 *
 * Sign-in throttle (per login, in the database, so every node agrees):
 * failures in a row are counted; after the 3rd and 4th the next attempt
 * must wait a few seconds (cooldown), after the 5th the login is locked
 * for 15 minutes, after the 10th for 30, doubling up to 24 hours. A quiet
 * 48 hours forgets the count; a successful sign-in or an administrator's
 * password reset clears it. A locked login is refused before any password
 * hashing, so an attack on it costs one indexed read. A login that is no
 * account is throttled the same way and costs the same (a dummy argon2
 * verify), and both are refused with the same words, so neither timing
 * nor messages tell whether an account exists. What is kept of a login that
 * is no account (its throttle row, its audit rows) is a keyed fingerprint,
 * "#" and 32 hex digits, never the typed text: a password typed into the
 * login field is not stored anywhere. The key is the installation's secret
 * (meta "login_fp_key", made on the first such failure).
 *
 * Functions that hash or verify a password (app_login,
 * app_password_change, app_password_set, app_user_create,
 * app_citizen_register, app_demo_users) take ~0.1–0.3 s of CPU and 64 MiB:
 * call them on a worker thread (R_SLOW) or the CLI, never on an HTTP
 * polling thread. They block until their write is durable (store_write).
 *
 * Secrets: passwords and tokens are never logged, stored or put into an
 * error; only argon2id hashes and BLAKE2b-256 token hashes are stored. */
#ifndef BIANMIN_APP_ACCOUNTS_H
#define BIANMIN_APP_ACCOUNTS_H

#include <stdint.h>

#include "../core/arena.h"
#include "app.h"
#include "auth.h"

#define SESSION_TOKEN_SIZE 44 /* 43 base64url characters (32 bytes) + NUL */
#define ACCT_SESSION_TTL_MS (12LL * 3600 * 1000) /* absolute: 12 hours */
#define ACCT_LOGIN_MAX 64                        /* bytes of a login */
#define ACCT_PASSWORD_MAX 128                    /* characters of a password */

/* The sign-in throttle and session life; acct_policy_default is what the
 * product uses (see above). Tests may pass another to app_login_policy. */
struct acct_policy {
    int lock_after;         /* failures in a row that lock: 5 */
    int64_t lock_ms;        /* first lock: 15 min; doubles per lock */
    int64_t lock_max_ms;    /* longest lock: 24 h */
    int64_t cooldown_ms;    /* wait after the 3rd failure (doubling after
                             * the 4th, …); 0 = none. Default 2 s */
    int64_t forget_ms;      /* quiet time that forgets failures: 48 h */
    int64_t session_ttl_ms; /* ACCT_SESSION_TTL_MS */
};
extern const struct acct_policy acct_policy_default;

/* A new session. token is the only copy of the secret: hand it to the
 * person and wipe it (sodium_memzero) when done. */
struct session_new {
    char token[SESSION_TOKEN_SIZE];
    int64_t user_id;
    int64_t expires_at; /* Unix ms */
};

/* app_login — check login + password and open a session (12 h). Errors:
 * ERR_INVALID (field "/login" or "/password") when empty or over the
 * length limits; ERR_UNAUTHORIZED "账号或密码错误" for an unknown login or
 * a wrong password alike; ERR_RATE "登录失败次数过多，请 N 分钟后再试" while
 * the login is cooling down or locked (no hashing done); ERR_FORBIDDEN
 * when the password is right but the account is disabled. ip and ua
 * (either may be NULL) are kept with the session for the person's own
 * session list; ua is cut to 200 printable ASCII characters. */
int app_login(struct app *a, const char *login, const char *password,
              const char *ip, const char *ua, struct session_new *out,
              struct err *e);
/* app_login_from — app_login for a request: `from` (an anonymous actor, or
 * NULL) gives the peer address and request id kept with the session and
 * the audit row. Every sign-in and failed sign-in (wrong password or
 * unknown login: outcome "failed"; locked or disabled: "denied") leaves an
 * audit row (app/audit.h); empty or over-long input does not. */
int app_login_from(struct app *a, const struct actor *from, const char *login,
                   const char *password, const char *ua,
                   struct session_new *out, struct err *e);
/* app_login_policy — app_login with another throttle/session policy. */
int app_login_policy(struct app *a, const struct acct_policy *p,
                     const char *login, const char *password, const char *ip,
                     const char *ua, struct session_new *out, struct err *e);

/* app_session_actor — the signed-in person behind a session token, with
 * their grants (citizens and enterprises get the implied applicant grant
 * over REGION_ALL); *out is zeroed first. ERR_UNAUTHORIZED for a malformed,
 * unknown, expired or revoked token or a disabled account. A pure read:
 * nothing is written per request (last_seen_at is the sign-in time). */
int app_session_actor(struct app *a, const char *token, struct actor *out,
                      struct err *e);

/* app_logout — revoke the actor's session (actor->session). ERR_UNAUTHORIZED
 * when the actor has no session or it was revoked already. */
int app_logout(struct app *a, const struct actor *actor, struct err *e);
/* app_logout_unit — the same as a store unit for http_write; arg is the
 * const struct actor *, which must outlive the unit. */
int app_logout_unit(struct db *db, void *arg, struct err *e);

/* ---- CSRF tokens for session cookies ------------------------------------
 * A state-changing request (POST, PUT, PATCH, DELETE) that is signed in by
 * the bm_session cookie — not by a bearer token — must carry the session's
 * CSRF token, in the header X-CSRF-Token or the form field _csrf; the gate
 * (http/routes.c) checks it. The token is derived, not stored: base64url
 * (no padding, 43 characters) of BLAKE2b-256 over the raw session token,
 * keyed with a fixed context. So any node can check it with nothing
 * written, it lives and dies with its session, and it differs from the
 * stored token hash (unkeyed BLAKE2b), so reading the sessions table does
 * not give it. Another site cannot learn it: the cookie is HttpOnly and
 * SameSite=Strict and no CORS header lets it read an answer. It is handed
 * out at sign-in (the 201 body) and by GET /api/v1/sessions/current. */
#define ACCT_CSRF_SIZE 44 /* 43 characters + NUL */

/* app_csrf_token — the CSRF token of a session token into out; -1 (out "")
 * when session_token is not token-shaped. Pure, thread-safe. */
int app_csrf_token(const char *session_token, char out[ACCT_CSRF_SIZE]);
/* app_csrf_check — 1 when `presented` is session_token's CSRF token
 * (compared in constant time), else 0 (NULL, wrong length, wrong value). */
int app_csrf_check(const char *session_token, const char *presented);

/* app_password_check — the strength rule: 10–128 characters; at least 3 of
 * the 4 classes (lower case, upper case, digits, other) unless 16 or more
 * characters; must not contain the login (any case, logins of 3+
 * characters). ERR_INVALID naming `field` and the broken rule. Pure. */
int app_password_check(const char *login, const char *password,
                       const char *field, struct err *e);

/* app_password_change — the actor changes their own password: old_pw must
 * verify (a wrong one counts as a failed sign-in: ERR_INVALID field
 * "/old_password", and ERR_RATE once locked), new_pw must pass
 * app_password_check (field "/new_password") and differ from the old one.
 * Every other session of the account is revoked; the actor's own stays. */
int app_password_change(struct app *a, const struct actor *actor,
                        const char *old_pw, const char *new_pw, struct err *e);

/* app_password_set — the command line sets a password (strength rule,
 * field "/password"), unlocks the account and revokes all its sessions.
 * ERR_NOT_FOUND (field "/login") for an unknown login. */
int app_password_set(struct app *a, const char *login, const char *password,
                     struct err *e);

/* A staff account and its first grant. */
struct user_new {
    const char *login;    /* 3–64 of a-z 0-9 . _ - @, starting with a
                           * letter or digit; stored lower-case */
    const char *name;     /* 1–64 characters */
    const char *phone;    /* optional: an 11-digit mobile number */
    const char *password; /* app_password_check */
    enum role role;       /* any role but applicant */
    const char *region;   /* 12-digit code of an existing region */
    int64_t org_id;       /* 0 = none; else an organisation in region */
};

/* app_user_create — create a staff account with one grant; *id_out (may be
 * NULL) its id. `by` NULL is the command line (bootstrap: no permission
 * check); otherwise by must be allowed to grant u->role in u->region
 * (actor_can_grant), else ERR_FORBIDDEN. Errors name the field: "/login",
 * "/name", "/phone", "/password", "/role", "/region" (ERR_INVALID for an
 * unknown region), "/org_id"; ERR_CONFLICT "/login" when taken. */
int app_user_create(struct app *a, const struct actor *by,
                    const struct user_new *u, int64_t *id_out, struct err *e);

/* A citizen or an enterprise registering. */
struct citizen_new {
    const char *kind;        /* "citizen" (NULL = citizen) | "enterprise" */
    const char *login;       /* NULL/"" = the phone number */
    const char *name;        /* person's or enterprise's name, 1–64 chars */
    const char *id_no;       /* citizen: resident ID (GB 11643) */
    const char *credit_code; /* enterprise: credit code (GB 32100) */
    const char *phone;       /* an 11-digit mobile number, required */
    const char *password;
};

/* app_citizen_register — create a citizen/enterprise account (role
 * applicant, implied). Fields as in struct citizen_new ("/id_no",
 * "/credit_code", "/phone", …); ERR_CONFLICT "/login" or "/id_no" or
 * "/credit_code" when already registered. */
int app_citizen_register(struct app *a, const struct citizen_new *c,
                         int64_t *id_out, struct err *e);
/* app_citizen_register_from — the same for a request: `from` (anonymous
 * actor, or NULL) gives the address and request id of the audit rows. The
 * account's row is "user.register" ok; a refused duplicate leaves a
 * "user.register" denied row with only the kind and which number was
 * taken. Duplicate answers (ERR_CONFLICT) name the field but echo nothing
 * typed: "/login" (a taken login — the phone number when none is given),
 * else "/id_no" or "/credit_code" (the person must learn that their number
 * has an account to sign in or go to a window; this reveals that a number
 * is registered to whoever presents it with a valid application, which
 * costs a full argon2 hash per try on the bounded worker queue, and every
 * such refusal is in the audit log with its address). login_out (may be
 * NULL) gets the account's login as stored (lower case). */
int app_citizen_register_from(struct app *a, const struct actor *from,
                              const struct citizen_new *c, int64_t *id_out,
                              char login_out[ACCT_LOGIN_MAX + 1],
                              struct err *e);

/* app_grant_add — give the staff account `login` role r for region
 * (org_id 0 = none). `by` as app_user_create. ERR_NOT_FOUND "/login",
 * ERR_INVALID "/login" for a citizen or enterprise account, "/role",
 * "/region", "/org_id"; ERR_CONFLICT when the same grant exists or the
 * account holds ACTOR_MAX_GRANTS already. */
int app_grant_add(struct app *a, const struct actor *by, const char *login,
                  enum role r, const char *region, int64_t org_id,
                  struct err *e);

/* A grant as shown to people. Strings live in the arena given. */
struct grant_view {
    enum role role;
    const char *region;      /* 12 digits */
    const char *region_name; /* NULL for REGION_ALL */
    int64_t org_id;          /* 0 = none */
};

/* An account as shown to its owner or an administrator: personal numbers
 * masked (ids_mask_*). */
struct user_view {
    int64_t id;
    const char *kind, *login, *name;
    const char *id_no_masked;       /* NULL when none */
    const char *credit_code_masked; /* NULL when none */
    const char *phone_masked;       /* NULL when none */
    int64_t created_at;
    int locked; /* locked_until in the future */
    int disabled;
    int n_grants;
    struct grant_view *grants;
};

/* app_me — the actor's own account and grants, in arena ar. Applicants get
 * their implied grant. ERR_UNAUTHORIZED for an anonymous actor. */
int app_me(struct app *a, const struct actor *actor, struct arena *ar,
           struct user_view **out, struct err *e);

/* app_user_list — every account with its grants, by id, to cb (views live
 * until cb returns; cb nonzero stops). `by` NULL = the command line;
 * otherwise only accounts holding a grant inside one of by's
 * CAP_USER_ADMIN scopes, and ERR_FORBIDDEN without such a grant. */
typedef int (*user_view_cb)(void *ctx, const struct user_view *u);
int app_user_list(struct app *a, const struct actor *by, user_view_cb cb,
                  void *ctx, struct err *e);

/* app_demo_users — the demo city's accounts (六安市 341500000000, 金寨县
 * 341524000000, 梅山镇 341524100000 and its 青山社区 341524100001), one per
 * role, all with password "Bianmin-Demo-2026", grants by region only.
 * Also one citizen ("citizen") and one enterprise ("enterprise") with
 * made-up but valid numbers. Idempotent: existing logins are left alone.
 * ERR_INVALID when those regions are not imported yet. */
#define ACCT_DEMO_PASSWORD "Bianmin-Demo-2026"
int app_demo_users(
    struct app *a, int *users,
    struct err *e); /* as in demo.h: *users = accounts that exist after */

#endif
