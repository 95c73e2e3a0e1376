/* accounts.c — sign-in, sessions, passwords, accounts and grants. Contract
 * and the throttle rules in accounts.h; permission rules in auth.h. All SQL
 * is in store/users.c; writes are store units run by store_write (these
 * functions run on worker threads or the CLI, never on a polling thread).
 * No state outside the database; thread-safe. Passwords and tokens live
 * only in caller buffers and locals, which are wiped after use. */
#include "accounts.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../core/ids.h"
#include "../core/utf8.h"
#include "audit.h"
#include "../store/regions.h"
#include "../store/users.h"

const struct acct_policy acct_policy_default = {
    .lock_after = 5,
    .lock_ms = 15LL * 60 * 1000,
    .lock_max_ms = 24LL * 3600 * 1000,
    .cooldown_ms = 2000,
    .forget_ms = 48LL * 3600 * 1000,
    .session_ttl_ms = ACCT_SESSION_TTL_MS,
};

/* A hash of a throw-away password with the product's parameters, verified
 * against when the login is unknown, so that an unknown login costs what a
 * wrong password costs. A constant; it protects nothing. */
static const char k_dummy_hash[crypto_pwhash_STRBYTES] =
    "$argon2id$v=19$m=65536,t=2,p=1$kv7dn2w9cdzyOITNEuUZaQ$"
    "C3u0xDZ0YIqW/yx5UOyjeSq5ju9dk2hq2ssv6Ipcxc8";

#define PW_OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PW_MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE
#define TOKEN_BYTES 32
#define TOKEN_CHARS 43 /* base64url, no padding */
#define HASH_HEX 65

static const char k_bad_credentials[] = "账号或密码错误";

/* ---- small rules ---------------------------------------------------- */

static int sodium_ready(struct err *e)
{
    if (sodium_init() < 0) /* thread-safe, idempotent */
        return err_set(e, ERR_INTERNAL, NULL, "内部错误"),
               err_log(e, "sodium_init failed");
    return 0;
}

/* login_norm — lower-case copy of a login into out; with `strict` the
 * account-name rules apply (3–64 of a-z 0-9 . _ - @, first a letter or
 * digit), otherwise only the length (for sign-in, where any text is just a
 * name that matches nothing). */
static int login_norm(const char *in, char out[USER_LOGIN_SIZE], int strict,
                      const char *field, struct err *e)
{
    size_t n = in ? strlen(in) : 0;
    if (n == 0)
        return err_set(e, ERR_INVALID, field, "账号不能为空");
    if (n > ACCT_LOGIN_MAX)
        return err_set(e, ERR_INVALID, field, "账号不能超过 %d 个字符",
                       ACCT_LOGIN_MAX);
    for (size_t i = 0; i <= n; i++) {
        char c = in[i];
        out[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    if (!strict)
        return 0;
    if (n < 3)
        return err_set(e, ERR_INVALID, field, "账号至少 3 个字符");
    for (size_t i = 0; i < n; i++) {
        char c = out[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || !strchr("._-@", c)))
            return err_set(
                e, ERR_INVALID, field,
                "账号只能由字母、数字和 . _ - @ 组成，且以字母或数字开头");
    }
    return 0;
}

static int name_check(const char *s, const char *field, struct err *e)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0)
        return err_set(e, ERR_INVALID, field, "名称不能为空");
    if (!utf8_valid(s, n) || utf8_has_control(s, n))
        return err_set(e, ERR_INVALID, field, "名称含有无效字符");
    if (utf8_chars(s, n) > 64)
        return err_set(e, ERR_INVALID, field, "名称不能超过 64 个字符");
    return 0;
}

/* A mainland mobile number: 11 digits, 1 then 3-9. */
static int phone_check(const char *s, const char *field, struct err *e)
{
    if (!s || strlen(s) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9')
        return err_set(e, ERR_INVALID, field, "手机号应为 11 位数字");
    for (int i = 0; i < 11; i++)
        if (s[i] < '0' || s[i] > '9')
            return err_set(e, ERR_INVALID, field, "手机号应为 11 位数字");
    return 0;
}

static int region_check(const char *region, const char *field, struct err *e)
{
    if (ids_division_check(region, NULL, field, e))
        return -1;
    return 0;
}

/* Today in China (UTC+8, no DST) as yyyymmdd, for ID birth dates. */
static int today_cn(void)
{
    time_t t = time(NULL) + 8 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* ASCII case-insensitive "hay contains needle". */
static int ci_contains(const char *hay, const char *needle)
{
    size_t hn = strlen(hay), nn = strlen(needle);
    for (size_t i = 0; nn && i + nn <= hn; i++) {
        size_t k = 0;
        while (k < nn) {
            char a = hay[i + k], b = needle[k];
            if (a >= 'A' && a <= 'Z')
                a = (char)(a - 'A' + 'a');
            if (b >= 'A' && b <= 'Z')
                b = (char)(b - 'A' + 'a');
            if (a != b)
                break;
            k++;
        }
        if (k == nn)
            return 1;
    }
    return 0;
}

int app_password_check(const char *login, const char *password,
                       const char *field, struct err *e)
{
    size_t n = password ? strlen(password) : 0;
    if (n == 0)
        return err_set(e, ERR_INVALID, field, "密码不能为空");
    if (!utf8_valid(password, n) || utf8_has_control(password, n))
        return err_set(e, ERR_INVALID, field, "密码含有无效字符");
    size_t chars = utf8_chars(password, n);
    if (chars < 10)
        return err_set(e, ERR_INVALID, field, "密码至少 10 个字符");
    if (chars > ACCT_PASSWORD_MAX)
        return err_set(e, ERR_INVALID, field, "密码不能超过 %d 个字符",
                       ACCT_PASSWORD_MAX);
    int lower = 0, upper = 0, digit = 0, other = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)password[i];
        if (c >= 'a' && c <= 'z')
            lower = 1;
        else if (c >= 'A' && c <= 'Z')
            upper = 1;
        else if (c >= '0' && c <= '9')
            digit = 1;
        else
            other = 1;
    }
    if (chars < 16 && lower + upper + digit + other < 3)
        return err_set(e, ERR_INVALID, field,
                       "密码应包含大写字母、小写字母、数字、符号中的至少三类，"
                       "或不少于 16 个字符");
    if (login && strlen(login) >= 3 && ci_contains(password, login))
        return err_set(e, ERR_INVALID, field, "密码不能包含账号");
    return 0;
}

/* Hash a password for storage (argon2id, the product's parameters). */
static int pw_hash(const char *password, char out[USER_HASH_SIZE],
                   struct err *e)
{
    if (crypto_pwhash_str(out, password, strlen(password), PW_OPSLIMIT,
                          PW_MEMLIMIT) != 0)
        return err_set(e, ERR_INTERNAL, NULL, "内部错误"),
               err_log(e, "crypto_pwhash_str: out of memory");
    return 0;
}

/* 1 when password matches hash; runs argon2 once either way. */
static int pw_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* A new random token and the hex hash that is stored. */
static void token_new(char tok[SESSION_TOKEN_SIZE], char hash[HASH_HEX])
{
    unsigned char raw[TOKEN_BYTES], h[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(tok, SESSION_TOKEN_SIZE, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    crypto_generichash(h, sizeof h, (const unsigned char *)tok, TOKEN_CHARS,
                       NULL, 0);
    sodium_bin2hex(hash, HASH_HEX, h, sizeof h);
    sodium_memzero(raw, sizeof raw);
}

/* The stored hash of a presented token; -1 when it is not token-shaped. */
static int token_hash(const char *tok, char hash[HASH_HEX])
{
    if (!tok || strlen(tok) != TOKEN_CHARS)
        return -1;
    for (int i = 0; i < TOKEN_CHARS; i++) {
        char c = tok[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return -1;
    }
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)tok, TOKEN_CHARS,
                       NULL, 0);
    sodium_bin2hex(hash, HASH_HEX, h, sizeof h);
    return 0;
}

/* ---- what is kept of a login that is no account ---------------------
 * A sign-in that names no account is throttled and audited under a
 * fingerprint of the typed text, never the text itself: a password typed
 * into the login field must not be kept anywhere. The fingerprint is "#"
 * and 32 hex digits of BLAKE2b-128 keyed with the installation's secret
 * (store_login_fp_key, created on first use): the same for every node, so
 * the throttle still works, and useless to someone who reads the audit log
 * without the key. No login can start with '#'. */
#define FP_SIZE 34

/* login_fp — the fingerprint of norm into out: 1, or 0 when there is no
 * key yet (only when !create: then nothing was ever stored under one), or
 * -1. With create (inside a write unit) a missing key is made. */
static int login_fp(struct db *db, int create, const char *norm,
                    char out[FP_SIZE], struct err *e)
{
    char hex[STORE_FP_KEY_HEX], fresh[STORE_FP_KEY_HEX];
    unsigned char key[32], raw[32], h[16];
    if (create) {
        randombytes_buf(raw, sizeof raw);
        sodium_bin2hex(fresh, sizeof fresh, raw, sizeof raw);
        sodium_memzero(raw, sizeof raw);
    }
    int rc = store_login_fp_key(db, create ? fresh : NULL, hex, e);
    if (create)
        sodium_memzero(fresh, sizeof fresh);
    if (rc <= 0)
        return rc;
    size_t klen = 0;
    if (sodium_hex2bin(key, sizeof key, hex, strlen(hex), NULL, &klen, NULL) ||
        klen != sizeof key) {
        sodium_memzero(hex, sizeof hex);
        return err_set(e, ERR_INTERNAL, NULL, "内部错误"),
               err_log(e, "meta login_fp_key is not 64 hex digits");
    }
    crypto_generichash(h, sizeof h, (const unsigned char *)norm, strlen(norm),
                       key, sizeof key);
    out[0] = '#';
    sodium_bin2hex(out + 1, FP_SIZE - 1, h, sizeof h);
    sodium_memzero(key, sizeof key);
    sodium_memzero(hex, sizeof hex);
    return 1;
}

/* ---- CSRF tokens ----------------------------------------------------- */

/* The fixed context that keys the derivation: not a secret (the session
 * token is); it keeps the CSRF token apart from the stored token hash. */
static const char k_csrf_ctx[] = "bianmin/session-csrf/v1";

int app_csrf_token(const char *session_token, char out[ACCT_CSRF_SIZE])
{
    char th[HASH_HEX];
    out[0] = '\0';
    if (sodium_init() < 0 || token_hash(session_token, th))
        return -1;
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)session_token,
                       TOKEN_CHARS, (const unsigned char *)k_csrf_ctx,
                       sizeof k_csrf_ctx - 1);
    sodium_bin2base64(out, ACCT_CSRF_SIZE, h, sizeof h,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(h, sizeof h);
    return 0;
}

int app_csrf_check(const char *session_token, const char *presented)
{
    char want[ACCT_CSRF_SIZE];
    if (!presented || strlen(presented) != ACCT_CSRF_SIZE - 1 ||
        app_csrf_token(session_token, want))
        return 0;
    int ok = sodium_memcmp(want, presented, ACCT_CSRF_SIZE - 1) == 0;
    sodium_memzero(want, sizeof want);
    return ok;
}

/* Printable ASCII only, at most max bytes (user agents, addresses). */
static void clean_ascii(const char *in, char *out, size_t max)
{
    size_t n = 0;
    for (const char *p = in ? in : ""; *p && n < max; p++)
        if (*p >= 0x20 && *p < 0x7f)
            out[n++] = *p;
    out[n] = '\0';
}

/* The throttle: how long to refuse after the count-th failure in a row. */
static int64_t lock_for(const struct acct_policy *p, int count)
{
    if (count <= 0 || p->lock_after <= 0)
        return 0;
    if (count % p->lock_after == 0) {
        int k = count / p->lock_after - 1;
        if (k > 20)
            k = 20;
        int64_t d = p->lock_ms << k;
        return d > p->lock_max_ms ? p->lock_max_ms : d;
    }
    int r = count % p->lock_after;
    if (p->cooldown_ms > 0 && r >= 3)
        return p->cooldown_ms << (r - 3 > 10 ? 10 : r - 3);
    return 0;
}

static int refuse_locked(struct err *e, int64_t now, int64_t until)
{
    int64_t left = until - now;
    if (left >= 60000)
        return err_set(e, ERR_RATE, NULL,
                       "登录失败次数过多，请 %lld 分钟后再试",
                       (long long)((left + 59999) / 60000));
    return err_set(e, ERR_RATE, NULL, "登录失败次数过多，请 %lld 秒后再试",
                   (long long)((left + 999) / 1000));
}

/* ---- sign-in ----------------------------------------------------------- */

struct fail_arg {
    const struct acct_policy *p;
    int64_t now;
    int64_t user_id;   /* 0: an unknown login */
    const char *login; /* normalised */
    const struct actor *from; /* ip and request id for the audit row */
    const char *action;       /* "session.fail" | "password.change" */
};

/* The audit row of a sign-in event (app/audit.h): the person's region is
 * their first grant's. */
static int audit_signin(struct db *db, const struct actor *from,
                        int64_t user_id, const char *login, const char *action,
                        const char *outcome, const json_t *detail,
                        struct err *e)
{
    struct audit_entry en = {0};
    audit_entry_actor(&en, from);
    en.actor_id = user_id;
    en.actor_login = login;
    en.action = action;
    en.region_of_actor = 1;
    en.outcome = outcome;
    en.detail = detail;
    return app_audit_unit_record(db, &en, e);
}

/* Count one failure and, when the count calls for it, lock. */
static int unit_fail(struct db *db, void *arg, struct err *e)
{
    struct fail_arg *f = arg;
    int count = 0;
    int64_t forget = f->now - f->p->forget_ms;
    char fp[FP_SIZE];
    const char *login = f->login; /* an account's; else its fingerprint */
    if (app_audit_unit_lock(db, e))
        return -1;
    if (!f->user_id) {
        if (login_fp(db, 1, f->login, fp, e) < 0)
            return -1;
        login = fp;
    }
    if (f->user_id
            ? store_user_fail(db, f->user_id, f->now, forget, &count, e)
            : store_throttle_fail(db, login, f->now, forget, &count, e))
        return -1;
    int64_t d = lock_for(f->p, count);
    if (d > 0 && (f->user_id
                      ? store_user_lock(db, f->user_id, f->now + d, e)
                      : store_throttle_lock(db, login, f->now + d, e)))
        return -1;
    json_t *detail = json_pack("{s:s, s:i}", "reason",
                               strcmp(f->action, "session.fail") == 0
                                   ? "bad_credentials"
                                   : "wrong_old_password",
                               "failures", count);
    if (d > 0)
        json_object_set_new(detail, "locked_ms", json_integer(d));
    int rc = audit_signin(db, f->from, f->user_id, login, f->action,
                          "failed", detail, e);
    json_decref(detail);
    return rc;
}

/* Count a failure; the caller's error stays the answer. A failure to count
 * is logged into e->log and otherwise ignored (the attempt is refused
 * anyway). */
static void count_failure(struct app *a, const struct acct_policy *p,
                          const struct actor *from, const char *action,
                          int64_t user_id, const char *login, struct err *e)
{
    struct fail_arg f = {p, store_now_ms(), user_id, login, from, action};
    struct err e2 = {0};
    if (store_write(app_store(a), unit_fail, &f, &e2))
        err_log(e, "counting a failed sign-in: %s %s", e2.msg, e2.log);
}

struct signin_arg {
    int64_t now, user_id, expires_at;
    const char *token_hash, *ip, *ua;
    const char *new_hash; /* rehash with current parameters, or NULL */
    const struct actor *from;
    const char *login;
};

static int unit_signin(struct db *db, void *arg, struct err *e)
{
    struct signin_arg *s = arg;
    int ok = 0;
    if (app_audit_unit_lock(db, e) ||
        store_user_signed_in(db, s->user_id, s->now, &ok, e))
        return -1;
    if (!ok) { /* locked or disabled since we read it */
        struct user_auth ua;
        if (store_user_auth_by_id(db, s->user_id, &ua, e) < 0)
            return -1;
        if (ua.disabled)
            return err_set(e, ERR_FORBIDDEN, NULL, "账号已停用，请联系管理员");
        return refuse_locked(e, s->now, ua.locked_until);
    }
    if (s->new_hash &&
        store_user_set_password(db, s->user_id, s->new_hash, s->now, e))
        return -1;
    if (store_session_insert(db, s->token_hash, s->user_id, s->now,
                             s->expires_at, s->ip, s->ua, e))
        return -1;
    return audit_signin(db, s->from, s->user_id, s->login, "session.create",
                        "ok", NULL, e);
}

/* A refused sign-in that writes nothing else: its own unit, not waited
 * for (a locked login must stay cheap to refuse). */
static void audit_refused(struct app *a, const struct actor *from,
                          int64_t user_id, const char *login,
                          const char *reason)
{
    struct audit_entry en = {0};
    audit_entry_actor(&en, from);
    en.actor_id = user_id;
    en.actor_login = login;
    en.action = "session.fail";
    en.region_of_actor = 1;
    en.outcome = "denied";
    json_t *detail = json_pack("{s:s}", "reason", reason);
    en.detail = detail;
    app_audit_submit(a, &en);
    json_decref(detail);
}

static int login_impl(struct app *a, const struct acct_policy *p,
                      const struct actor *from, const char *login,
                      const char *password, const char *ua,
                      struct session_new *out, struct err *e);

int app_login(struct app *a, const char *login, const char *password,
              const char *ip, const char *ua, struct session_new *out,
              struct err *e)
{
    return app_login_policy(a, &acct_policy_default, login, password, ip, ua,
                            out, e);
}

int app_login_policy(struct app *a, const struct acct_policy *p,
                     const char *login, const char *password, const char *ip,
                     const char *ua, struct session_new *out, struct err *e)
{
    struct actor from = {0};
    snprintf(from.ip, sizeof from.ip, "%s", ip ? ip : "");
    return login_impl(a, p, &from, login, password, ua, out, e);
}

int app_login_from(struct app *a, const struct actor *from, const char *login,
                   const char *password, const char *ua,
                   struct session_new *out, struct err *e)
{
    return login_impl(a, &acct_policy_default, from, login, password, ua, out,
                      e);
}

static int login_impl(struct app *a, const struct acct_policy *p,
                      const struct actor *from, const char *login,
                      const char *password, const char *ua,
                      struct session_new *out, struct err *e)
{
    const char *ip = from ? from->ip : NULL;
    char norm[USER_LOGIN_SIZE];
    memset(out, 0, sizeof *out);
    if (sodium_ready(e) || login_norm(login, norm, 0, "/login", e))
        return -1;
    if (!password || !*password)
        return err_set(e, ERR_INVALID, "/password", "密码不能为空");
    if (strlen(password) > 4 * ACCT_PASSWORD_MAX)
        return err_set(e, ERR_INVALID, "/password", "密码不能超过 %d 个字符",
                       ACCT_PASSWORD_MAX);

    /* Read the account (or the unknown login's throttle): a pure read. */
    struct user_auth u;
    struct login_throttle t = {0};
    struct db *db = store_read(app_store(a), e);
    if (!db)
        return -1;
    char fp[FP_SIZE] = "";
    int found = store_user_auth(db, norm, &u, e);
    int rc = found;
    if (found == 0) { /* no key yet: nothing was ever throttled */
        rc = login_fp(db, 0, norm, fp, e);
        if (rc == 1)
            rc = store_throttle_get(db, fp, &t, e);
    }
    store_read_done(app_store(a), db);
    if (rc < 0)
        return -1;

    int64_t now = store_now_ms();
    int64_t locked_until = found ? u.locked_until : t.locked_until;
    if (locked_until > now) { /* refused before any hashing */
        sodium_memzero(u.password_hash, sizeof u.password_hash);
        audit_refused(a, from, found ? u.id : 0, found ? norm : fp, "locked");
        return refuse_locked(e, now, locked_until);
    }

    int ok = pw_verify(found ? u.password_hash : k_dummy_hash, password);
    if (!found || !ok) {
        err_set(e, ERR_UNAUTHORIZED, NULL, "%s", k_bad_credentials);
        count_failure(a, p, from, "session.fail", found ? u.id : 0, norm, e);
        sodium_memzero(u.password_hash, sizeof u.password_hash);
        return -1;
    }
    if (u.disabled) {
        sodium_memzero(u.password_hash, sizeof u.password_hash);
        audit_refused(a, from, u.id, norm, "disabled");
        return err_set(e, ERR_FORBIDDEN, NULL, "账号已停用，请联系管理员");
    }

    char new_hash[USER_HASH_SIZE], th[HASH_HEX], ip_c[64], ua_c[201];
    int rehash = crypto_pwhash_str_needs_rehash(u.password_hash, PW_OPSLIMIT,
                                                PW_MEMLIMIT) != 0;
    sodium_memzero(u.password_hash, sizeof u.password_hash);
    if (rehash && pw_hash(password, new_hash, e))
        return -1;
    clean_ascii(ip, ip_c, sizeof ip_c - 1);
    clean_ascii(ua, ua_c, sizeof ua_c - 1);
    token_new(out->token, th);
    now = store_now_ms();
    struct signin_arg s = {
        .now = now,
        .user_id = u.id,
        .expires_at = now + p->session_ttl_ms,
        .token_hash = th,
        .ip = ip_c,
        .ua = ua_c,
        .new_hash = rehash ? new_hash : NULL,
        .from = from,
        .login = norm,
    };
    if (store_write(app_store(a), unit_signin, &s, e)) {
        sodium_memzero(out, sizeof *out);
        return -1;
    }
    out->user_id = u.id;
    out->expires_at = s.expires_at;
    return 0;
}

/* ---- sessions --------------------------------------------------------- */

struct actor_fill {
    struct actor *out;
    int64_t now;
    int bad;
};

static int fill_actor(void *ctx, const struct session_row *s)
{
    struct actor_fill *f = ctx;
    struct actor *o = f->out;
    if (o->user_id == 0) {
        if (s->revoked || s->disabled || s->expires_at <= f->now) {
            f->bad = 1;
            return 1;
        }
        o->user_id = s->user_id;
        o->session_expires_at = s->expires_at;
        snprintf(o->login, sizeof o->login, "%s", s->login ? s->login : "");
        snprintf(o->kind, sizeof o->kind, "%s", s->kind ? s->kind : "");
    }
    if (!s->role || o->n_grants >= ACTOR_MAX_GRANTS)
        return 0;
    enum role r = role_parse(s->role);
    if (r == ROLE_NONE || !s->region || strlen(s->region) != 12)
        return 0;
    struct grant *g = &o->grants[o->n_grants++];
    g->role = r;
    memcpy(g->region, s->region, 13);
    g->org_id = s->org_id;
    return 0;
}

int app_session_actor(struct app *a, const char *token, struct actor *out,
                      struct err *e)
{
    char th[HASH_HEX];
    memset(out, 0, sizeof *out);
    if (sodium_ready(e))
        return -1;
    if (token_hash(token, th))
        return err_set(e, ERR_UNAUTHORIZED, NULL, "登录已失效，请重新登录");
    struct actor_fill f = {out, store_now_ms(), 0};
    int found = 0;
    struct db *db = store_read(app_store(a), e);
    if (!db)
        return -1;
    int rc = store_session_actor(db, th, ACTOR_MAX_GRANTS, fill_actor, &f,
                                 &found, e);
    store_read_done(app_store(a), db);
    if (rc)
        return -1;
    if (!found || f.bad || out->user_id == 0) {
        memset(out, 0, sizeof *out);
        return err_set(e, ERR_UNAUTHORIZED, NULL, "登录已失效，请重新登录");
    }
    if (strcmp(out->kind, "staff") != 0) {
        /* Citizens and enterprises: the implied applicant grant. */
        out->n_grants = 0;
        struct grant *g = &out->grants[out->n_grants++];
        g->role = ROLE_APPLICANT;
        memcpy(g->region, REGION_ALL, 13);
        g->org_id = 0;
    }
    memcpy(out->session, th, HASH_HEX);
    return 0;
}

int app_logout_unit(struct db *db, void *arg, struct err *e)
{
    const struct actor *actor = arg;
    int64_t changes = 0;
    if (!actor || actor->user_id == 0 || !actor->session[0])
        return err_set(e, ERR_UNAUTHORIZED, NULL, "未登录");
    if (app_audit_unit_lock(db, e) ||
        store_session_revoke(db, actor->session, actor->user_id, &changes, e))
        return -1;
    if (changes != 1)
        return err_set(e, ERR_UNAUTHORIZED, NULL, "登录已失效，请重新登录");
    struct audit_entry en = {0};
    audit_entry_actor(&en, actor);
    en.action = "session.delete";
    en.region = audit_actor_region(actor);
    en.outcome = "ok";
    return app_audit_unit_record(db, &en, e);
}

int app_logout(struct app *a, const struct actor *actor, struct err *e)
{
    return store_write(app_store(a), app_logout_unit, (void *)actor, e);
}

/* ---- passwords --------------------------------------------------------- */

struct pw_arg {
    int64_t user_id, now;
    const char *hash;
    const char *keep_session; /* "" = revoke every session */
    const struct actor *by;   /* NULL: the command line */
};

static int unit_set_password(struct db *db, void *arg, struct err *e)
{
    struct pw_arg *w = arg;
    int64_t revoked = 0;
    if (store_user_set_password(db, w->user_id, w->hash, w->now, e) ||
        store_session_revoke_others(db, w->user_id, w->keep_session, &revoked,
                                    e))
        return -1;
    char target[24];
    snprintf(target, sizeof target, "%lld", (long long)w->user_id);
    struct audit_entry en = {0};
    audit_entry_actor(&en, w->by);
    en.action = w->by ? "password.change" : "password.set";
    en.target_kind = "user";
    en.target_id = target;
    en.region = w->by ? audit_actor_region(w->by) : NULL;
    en.outcome = "ok";
    json_t *detail = json_pack("{s:I}", "sessions_revoked", (json_int_t)revoked);
    en.detail = detail;
    int rc = app_audit_unit_record(db, &en, e);
    json_decref(detail);
    return rc;
}

int app_password_change(struct app *a, const struct actor *actor,
                        const char *old_pw, const char *new_pw, struct err *e)
{
    if (!actor || actor->user_id == 0)
        return err_set(e, ERR_UNAUTHORIZED, NULL, "请先登录");
    if (sodium_ready(e))
        return -1;
    if (!old_pw || !*old_pw)
        return err_set(e, ERR_INVALID, "/old_password", "请输入原密码");
    if (strlen(old_pw) > 4 * ACCT_PASSWORD_MAX)
        return err_set(e, ERR_INVALID, "/old_password", "原密码错误");

    struct user_auth u;
    struct db *db = store_read(app_store(a), e);
    if (!db)
        return -1;
    int found = store_user_auth_by_id(db, actor->user_id, &u, e);
    store_read_done(app_store(a), db);
    if (found < 0)
        return -1;
    if (found == 0)
        return err_set(e, ERR_UNAUTHORIZED, NULL, "登录已失效，请重新登录");
    int64_t now = store_now_ms();
    if (u.locked_until > now)
        return refuse_locked(e, now, u.locked_until);
    /* Check the new password's shape first: no hashing for a weak one. */
    if (app_password_check(u.login, new_pw, "/new_password", e))
        return -1;
    int ok = pw_verify(u.password_hash, old_pw);
    sodium_memzero(u.password_hash, sizeof u.password_hash);
    if (!ok) {
        err_set(e, ERR_INVALID, "/old_password", "原密码错误");
        count_failure(a, &acct_policy_default, actor, "password.change", u.id,
                      u.login, e);
        return -1;
    }
    if (strcmp(old_pw, new_pw) == 0)
        return err_set(e, ERR_INVALID, "/new_password",
                       "新密码不能与原密码相同");
    char hash[USER_HASH_SIZE];
    if (pw_hash(new_pw, hash, e))
        return -1;
    struct pw_arg w = {u.id, store_now_ms(), hash, actor->session, actor};
    return store_write(app_store(a), unit_set_password, &w, e);
}

int app_password_set(struct app *a, const char *login, const char *password,
                     struct err *e)
{
    char norm[USER_LOGIN_SIZE];
    if (sodium_ready(e) || login_norm(login, norm, 0, "/login", e))
        return -1;
    struct user_auth u;
    struct db *db = store_read(app_store(a), e);
    if (!db)
        return -1;
    int found = store_user_auth(db, norm, &u, e);
    store_read_done(app_store(a), db);
    sodium_memzero(u.password_hash, sizeof u.password_hash);
    if (found < 0)
        return -1;
    if (found == 0)
        return err_set(e, ERR_NOT_FOUND, "/login", "账号 %s 不存在", norm);
    if (app_password_check(norm, password, "/password", e))
        return -1;
    char hash[USER_HASH_SIZE];
    if (pw_hash(password, hash, e))
        return -1;
    struct pw_arg w = {u.id, store_now_ms(), hash, "", NULL};
    return store_write(app_store(a), unit_set_password, &w, e);
}

/* ---- accounts and grants ------------------------------------------------ */

/* Check, inside a unit, that region exists and org (if any) lies in it. */
static int check_scope_rows(struct db *db, const char *region, int64_t org_id,
                            struct err *e)
{
    int ex = store_region_exists(db, region, e);
    if (ex < 0)
        return -1;
    if (ex == 0)
        return err_set(e, ERR_INVALID, "/region", "区划 %s 不存在", region);
    if (org_id > 0) {
        char org_region[13];
        if (store_org_region(db, org_id, org_region, e)) {
            if (e->code == ERR_NOT_FOUND)
                return err_set(e, ERR_INVALID, "/org_id", "机构不存在");
            return -1;
        }
        if (!region_covers(region, org_region))
            return err_set(e, ERR_INVALID, "/org_id",
                           "机构不在授权的区划范围内");
    }
    return 0;
}

struct create_arg {
    struct user_insert row;
    const char *role, *region; /* staff: the first grant */
    int64_t org_id, granted_by, now;
    int64_t id; /* out */
    const struct actor *by; /* staff: NULL = the command line */
};

/* The audit row of a new account: "user.create" (staff, in the grant's
 * region) or "user.register" (citizen/enterprise, system-wide, by itself).
 * No personal numbers: the kind, login (masked if it is a phone), role. */
static int audit_created(struct db *db, const struct create_arg *c,
                         struct err *e)
{
    char target[24];
    snprintf(target, sizeof target, "%lld", (long long)c->id);
    struct audit_entry en = {0};
    json_t *detail;
    if (c->role) {
        audit_entry_actor(&en, c->by);
        en.action = "user.create";
        en.region = c->region;
        detail = json_pack("{s:s, s:s, s:s}", "login", c->row.login, "role",
                           c->role, "region", c->region);
        if (c->org_id)
            json_object_set_new(detail, "org_id", json_integer(c->org_id));
    } else {
        en.actor_id = c->id;
        en.actor_login = c->row.login;
        if (c->by) { /* the request: its address and id */
            en.ip = c->by->ip[0] ? c->by->ip : NULL;
            en.request_id = c->by->rid[0] ? c->by->rid : NULL;
        }
        en.action = "user.register";
        detail = json_pack("{s:s}", "kind", c->row.kind);
    }
    en.target_kind = "user";
    en.target_id = target;
    en.outcome = "ok";
    en.detail = detail;
    int rc = app_audit_unit_record(db, &en, e);
    json_decref(detail);
    return rc;
}

static int unit_create(struct db *db, void *arg, struct err *e)
{
    struct create_arg *c = arg;
    int taken =
        store_user_taken(db, c->row.login, c->row.id_no, c->row.credit_code, e);
    if (taken < 0)
        return -1;
    if (taken == 1)
        return err_set(e, ERR_CONFLICT, "/login", "账号 %s 已被使用",
                       c->row.login);
    if (taken == 2)
        return err_set(e, ERR_CONFLICT, "/id_no", "该身份证号已注册");
    if (taken == 3)
        return err_set(e, ERR_CONFLICT, "/credit_code",
                       "该统一社会信用代码已注册");
    if (c->role && check_scope_rows(db, c->region, c->org_id, e))
        return -1;
    if (store_user_insert(db, &c->row, c->now, &c->id, e))
        return -1;
    if (c->role) {
        int added = 0;
        if (store_grant_insert(db, c->id, c->role, c->region, c->org_id,
                               c->granted_by, c->now, &added, e))
            return -1;
    }
    char fp[FP_SIZE];
    int have_fp = login_fp(db, 0, c->row.login, fp, e);
    if (have_fp < 0 || store_throttle_forget(db, c->row.login, e) ||
        (have_fp && store_throttle_forget(db, fp, e)))
        return -1;
    return audit_created(db, c, e);
}

int app_user_create(struct app *a, const struct actor *by,
                    const struct user_new *u, int64_t *id_out, struct err *e)
{
    char login[USER_LOGIN_SIZE];
    if (sodium_ready(e) || login_norm(u->login, login, 1, "/login", e) ||
        name_check(u->name, "/name", e))
        return -1;
    if (u->phone && *u->phone && phone_check(u->phone, "/phone", e))
        return -1;
    if (u->role <= ROLE_APPLICANT || u->role >= ROLE__COUNT)
        return err_set(e, ERR_INVALID, "/role", "工作人员账号的角色无效");
    if (region_check(u->region, "/region", e))
        return -1;
    if (u->org_id < 0)
        return err_set(e, ERR_INVALID, "/org_id", "机构编号无效");
    if (by && !actor_can_grant(by, u->role, u->region, u->org_id))
        return err_set(e, ERR_FORBIDDEN, "/region", "无权在该区划授予%s角色",
                       role_title(u->role));
    if (app_password_check(login, u->password, "/password", e))
        return -1;
    char hash[USER_HASH_SIZE];
    if (pw_hash(u->password, hash, e))
        return -1;
    struct create_arg c = {
        .row = {.kind = "staff",
                .login = login,
                .name = u->name,
                .phone = u->phone,
                .password_hash = hash},
        .role = role_name(u->role),
        .region = u->region,
        .org_id = u->org_id,
        .granted_by = by ? by->user_id : 0,
        .now = store_now_ms(),
        .by = by,
    };
    if (store_write(app_store(a), unit_create, &c, e))
        return -1;
    if (id_out)
        *id_out = c.id;
    return 0;
}

int app_citizen_register(struct app *a, const struct citizen_new *c,
                         int64_t *id_out, struct err *e)
{
    return app_citizen_register_from(a, NULL, c, id_out, NULL, e);
}

/* A refused registration (already registered): a row of its own, not
 * waited for. Nothing typed is kept (the login field might hold anything),
 * only the kind, which number was taken and where the request came from. */
static void audit_register_refused(struct app *a, const struct actor *from,
                                   const char *kind, const char *field)
{
    struct audit_entry en = {0};
    en.ip = from && from->ip[0] ? from->ip : NULL;
    en.request_id = from && from->rid[0] ? from->rid : NULL;
    en.action = "user.register";
    en.target_kind = "user";
    en.outcome = "denied";
    const char *reason = strcmp(field, "/login") == 0   ? "login_taken"
                         : strcmp(field, "/id_no") == 0 ? "id_no_registered"
                                                        : "credit_code_registered";
    json_t *detail = json_pack("{s:s, s:s}", "kind", kind, "reason", reason);
    en.detail = detail;
    app_audit_submit(a, &en);
    json_decref(detail);
}

int app_citizen_register_from(struct app *a, const struct actor *from,
                              const struct citizen_new *c, int64_t *id_out,
                              char login_out[ACCT_LOGIN_MAX + 1],
                              struct err *e)
{
    const char *kind = c->kind && *c->kind ? c->kind : "citizen";
    int citizen = strcmp(kind, "citizen") == 0;
    if (!citizen && strcmp(kind, "enterprise") != 0)
        return err_set(e, ERR_INVALID, "/kind",
                       "账号类型应为 citizen 或 enterprise");
    if (sodium_ready(e) || name_check(c->name, "/name", e) ||
        phone_check(c->phone, "/phone", e))
        return -1;
    struct ids_resident rid;
    struct ids_uscc uscc;
    if (citizen && ids_resident_parse(c->id_no, today_cn(), &rid, "/id_no", e))
        return -1;
    if (!citizen && ids_uscc_parse(c->credit_code, &uscc, "/credit_code", e))
        return -1;
    char login[USER_LOGIN_SIZE];
    if (login_norm(c->login && *c->login ? c->login : c->phone, login, 1,
                   "/login", e))
        return -1;
    if (app_password_check(login, c->password, "/password", e))
        return -1;
    char hash[USER_HASH_SIZE];
    if (pw_hash(c->password, hash, e))
        return -1;
    struct create_arg w = {
        .row = {.kind = citizen ? "citizen" : "enterprise",
                .login = login,
                .name = c->name,
                .id_no = citizen ? rid.id : NULL,
                .credit_code = citizen ? NULL : uscc.code,
                .phone = c->phone,
                .password_hash = hash},
        .now = store_now_ms(),
        .by = from,
    };
    int rc = store_write(app_store(a), unit_create, &w, e);
    sodium_memzero(hash, sizeof hash);
    if (rc) {
        if (e->code != ERR_CONFLICT)
            return -1;
        /* Say which number is taken (the person must know to sign in or
         * go to a window), but echo nothing typed. */
        char field[sizeof e->field];
        snprintf(field, sizeof field, "%s", e->field);
        audit_register_refused(a, from, w.row.kind, field);
        if (strcmp(field, "/login") == 0)
            return err_set(e, ERR_CONFLICT, "/login",
                           "该账号已被使用，请换一个；如是本人账号，请直接登录");
        return err_set(e, ERR_CONFLICT, field,
                       "%s已注册过账号，请直接登录；忘记账号或密码请携带%s到"
                       "政务服务窗口办理",
                       citizen ? "该身份证号" : "该统一社会信用代码",
                       citizen ? "身份证" : "营业执照");
    }
    if (id_out)
        *id_out = w.id;
    if (login_out)
        snprintf(login_out, ACCT_LOGIN_MAX + 1, "%s", login);
    return 0;
}

struct grant_arg {
    const char *login, *role, *region;
    int64_t org_id, granted_by, now;
    const struct actor *by; /* NULL = the command line */
};

static int unit_grant(struct db *db, void *arg, struct err *e)
{
    struct grant_arg *g = arg;
    struct user_auth u;
    int found = store_user_auth(db, g->login, &u, e);
    sodium_memzero(u.password_hash, sizeof u.password_hash);
    if (found < 0)
        return -1;
    if (found == 0)
        return err_set(e, ERR_NOT_FOUND, "/login", "账号 %s 不存在", g->login);
    if (strcmp(u.kind, "staff") != 0)
        return err_set(e, ERR_INVALID, "/login", "只能给工作人员账号授予角色");
    int64_t n = 0;
    if (store_grant_count(db, u.id, &n, e))
        return -1;
    if (n >= ACTOR_MAX_GRANTS)
        return err_set(e, ERR_CONFLICT, "/login", "每个账号最多 %d 项授权",
                       ACTOR_MAX_GRANTS);
    if (check_scope_rows(db, g->region, g->org_id, e))
        return -1;
    int added = 0;
    if (store_grant_insert(db, u.id, g->role, g->region, g->org_id,
                           g->granted_by, g->now, &added, e))
        return -1;
    if (!added)
        return err_set(e, ERR_CONFLICT, "", "该授权已存在");
    char target[24];
    snprintf(target, sizeof target, "%lld", (long long)u.id);
    struct audit_entry en = {0};
    audit_entry_actor(&en, g->by);
    en.action = "grant.add";
    en.target_kind = "user";
    en.target_id = target;
    en.region = g->region;
    en.outcome = "ok";
    json_t *detail = json_pack("{s:s, s:s, s:s}", "login", g->login, "role",
                               g->role, "region", g->region);
    if (g->org_id)
        json_object_set_new(detail, "org_id", json_integer(g->org_id));
    en.detail = detail;
    int rc = app_audit_unit_record(db, &en, e);
    json_decref(detail);
    return rc;
}

int app_grant_add(struct app *a, const struct actor *by, const char *login,
                  enum role r, const char *region, int64_t org_id,
                  struct err *e)
{
    char norm[USER_LOGIN_SIZE];
    if (login_norm(login, norm, 0, "/login", e))
        return -1;
    if (r <= ROLE_APPLICANT || r >= ROLE__COUNT)
        return err_set(e, ERR_INVALID, "/role", "角色无效");
    if (region_check(region, "/region", e))
        return -1;
    if (org_id < 0)
        return err_set(e, ERR_INVALID, "/org_id", "机构编号无效");
    if (by && !actor_can_grant(by, r, region, org_id))
        return err_set(e, ERR_FORBIDDEN, "/region", "无权在该区划授予%s角色",
                       role_title(r));
    struct grant_arg g = {norm,   role_name(r),         region,
                          org_id, by ? by->user_id : 0, store_now_ms(),
                          by};
    return store_write(app_store(a), unit_grant, &g, e);
}

/* ---- views ------------------------------------------------------------- */

static void view_from_row(struct arena *ar, const struct user_row *r,
                          int64_t now, struct user_view *v)
{
    v->id = r->id;
    v->kind = arena_strdup(ar, r->kind ? r->kind : "");
    v->login = arena_strdup(ar, r->login ? r->login : "");
    v->name = arena_strdup(ar, r->name ? r->name : "");
    if (r->id_no) {
        char m[IDS_CODE_SIZE];
        ids_mask_resident(r->id_no, m);
        v->id_no_masked = arena_strdup(ar, m);
    }
    if (r->credit_code) {
        char m[IDS_CODE_SIZE];
        ids_mask_uscc(r->credit_code, m);
        v->credit_code_masked = arena_strdup(ar, m);
    }
    if (r->phone) {
        char m[IDS_PHONE_MASK_SIZE];
        ids_mask_phone(r->phone, m);
        v->phone_masked = arena_strdup(ar, m);
    }
    v->created_at = r->created_at;
    v->locked = r->locked_until > now;
    v->disabled = r->disabled;
}

struct me_fill {
    struct arena *ar;
    struct user_view *v;
    int64_t now;
    int cap;
};

static int me_user(void *ctx, const struct user_row *r)
{
    struct me_fill *f = ctx;
    view_from_row(f->ar, r, f->now, f->v);
    return 1;
}

static void add_grant(struct arena *ar, struct user_view *v, int *cap,
                      enum role role, const char *region,
                      const char *region_name, int64_t org_id)
{
    if (v->n_grants == *cap) {
        int ncap = *cap ? *cap * 2 : 4;
        struct grant_view *g = arena_new_array(ar, struct grant_view, ncap);
        if (v->n_grants)
            memcpy(g, v->grants, sizeof *g * (size_t)v->n_grants);
        v->grants = g;
        *cap = ncap;
    }
    struct grant_view *g = &v->grants[v->n_grants++];
    g->role = role;
    g->region = arena_strdup(ar, region);
    g->region_name = region_name ? arena_strdup(ar, region_name) : NULL;
    g->org_id = org_id;
}

static int me_grant(void *ctx, const struct grant_row *r)
{
    struct me_fill *f = ctx;
    add_grant(f->ar, f->v, &f->cap, role_parse(r->role), r->region,
              r->region_name, r->org_id);
    return 0;
}

int app_me(struct app *a, const struct actor *actor, struct arena *ar,
           struct user_view **out, struct err *e)
{
    if (!actor || actor->user_id == 0)
        return err_set(e, ERR_UNAUTHORIZED, NULL, "请先登录");
    struct user_view *v = arena_new_obj(ar, struct user_view);
    struct me_fill f = {ar, v, store_now_ms(), 0};
    struct db *db = store_read(app_store(a), e);
    if (!db)
        return -1;
    int rc = store_user_get(db, actor->user_id, me_user, &f, e);
    if (rc == 0)
        rc = store_grants_of(db, actor->user_id, me_grant, &f, e);
    store_read_done(app_store(a), db);
    if (rc) {
        if (e->code == ERR_NOT_FOUND)
            return err_set(e, ERR_UNAUTHORIZED, NULL, "登录已失效，请重新登录");
        return -1;
    }
    if (strcmp(v->kind, "staff") != 0)
        add_grant(ar, v, &f.cap, ROLE_APPLICANT, REGION_ALL, NULL, 0);
    /* A read of personal data: its audit row trails the answer. */
    char target[24];
    snprintf(target, sizeof target, "%lld", (long long)actor->user_id);
    struct audit_entry en = {0};
    audit_entry_actor(&en, actor);
    en.action = "person.read";
    en.target_kind = "user";
    en.target_id = target;
    en.region = audit_actor_region(actor);
    en.outcome = "ok";
    app_audit_submit(a, &en);
    *out = v;
    return 0;
}

/* Listing: grants are read first (grouped by user), then accounts. */
struct list_grants {
    struct arena *ar;
    struct grant_row *rows;
    int n, cap;
};

static int list_grant(void *ctx, const struct grant_row *r)
{
    struct list_grants *l = ctx;
    if (l->n == l->cap) {
        int ncap = l->cap ? l->cap * 2 : 64;
        struct grant_row *g = arena_new_array(l->ar, struct grant_row, ncap);
        if (l->n)
            memcpy(g, l->rows, sizeof *g * (size_t)l->n);
        l->rows = g;
        l->cap = ncap;
    }
    struct grant_row *g = &l->rows[l->n++];
    *g = *r;
    g->role = arena_strdup(l->ar, r->role);
    g->region = arena_strdup(l->ar, r->region);
    g->region_name =
        r->region_name ? arena_strdup(l->ar, r->region_name) : NULL;
    return 0;
}

struct list_users {
    struct list_grants *g;
    const struct actor *by;
    user_view_cb cb;
    void *ctx;
    int64_t now;
    int next; /* index into g->rows, both sorted by user id */
    int stopped;
};

/* Is some grant of v inside one of by's user-admin scopes? */
static int in_admin_scope(const struct actor *by, const struct user_view *v)
{
    for (int i = 0; i < v->n_grants; i++)
        for (int k = 0; k < by->n_grants; k++)
            if (role_has_cap(by->grants[k].role, CAP_USER_ADMIN) &&
                region_covers(by->grants[k].region, v->grants[i].region))
                return 1;
    return 0;
}

static int list_user(void *ctx, const struct user_row *r)
{
    struct list_users *l = ctx;
    struct arena *ar = arena_new();
    struct user_view v = {0};
    int cap = 0;
    view_from_row(ar, r, l->now, &v);
    while (l->next < l->g->n && l->g->rows[l->next].user_id < r->id)
        l->next++;
    for (; l->next < l->g->n && l->g->rows[l->next].user_id == r->id;
         l->next++) {
        const struct grant_row *g = &l->g->rows[l->next];
        add_grant(ar, &v, &cap, role_parse(g->role), g->region, g->region_name,
                  g->org_id);
    }
    if (strcmp(v.kind, "staff") != 0)
        add_grant(ar, &v, &cap, ROLE_APPLICANT, REGION_ALL, NULL, 0);
    int stop = 0;
    if (!l->by || (strcmp(v.kind, "staff") == 0 && in_admin_scope(l->by, &v)))
        stop = l->cb(l->ctx, &v);
    arena_free(ar);
    l->stopped = stop;
    return stop;
}

int app_user_list(struct app *a, const struct actor *by, user_view_cb cb,
                  void *ctx, struct err *e)
{
    if (by && !actor_can(by, CAP_USER_ADMIN, NULL))
        return err_set(e, ERR_FORBIDDEN, NULL, "无权查看账号列表");
    struct arena *ar = arena_new();
    struct list_grants g = {.ar = ar};
    struct list_users l = {&g, by, cb, ctx, store_now_ms(), 0, 0};
    struct db *db = store_read(app_store(a), e);
    if (!db) {
        arena_free(ar);
        return -1;
    }
    int rc = store_grants_all(db, list_grant, &g, e);
    if (rc == 0)
        rc = store_user_list(db, list_user, &l, e);
    store_read_done(app_store(a), db);
    arena_free(ar);
    return rc;
}

/* ---- demo accounts ------------------------------------------------------ */

#define DEMO_CITY "341500000000"    /* 六安市 */
#define DEMO_COUNTY "341524000000"  /* 金寨县 */
#define DEMO_TOWN "341524100000"    /* 梅山镇 */
#define DEMO_VILLAGE "341524100001" /* 青山社区 */

static const struct demo_user {
    const char *login, *name;
    enum role role;
    const char *region;
} k_demo[] = {
    {"admin", "六安市系统管理员（演示）", ROLE_SYS_ADMIN, DEMO_CITY},
    {"city_admin", "六安市政务服务中心管理员（演示）", ROLE_CENTRE_ADMIN,
     DEMO_CITY},
    {"city_supervisor", "六安市电子监察员（演示）", ROLE_SUPERVISOR, DEMO_CITY},
    {"city_editor", "六安市事项编制员（演示）", ROLE_EDITOR, DEMO_CITY},
    {"city_legal", "六安市法制审查员（演示）", ROLE_LEGAL_REVIEWER, DEMO_CITY},
    {"city_clerk", "六安市窗口受理员（演示）", ROLE_CLERK, DEMO_CITY},
    {"city_reviewer", "六安市审查员（演示）", ROLE_REVIEWER, DEMO_CITY},
    {"city_decider", "六安市决定人（演示）", ROLE_DECIDER, DEMO_CITY},
    {"jinzhai_admin", "金寨县政务服务中心管理员（演示）", ROLE_CENTRE_ADMIN,
     DEMO_COUNTY},
    {"jinzhai_supervisor", "金寨县电子监察员（演示）", ROLE_SUPERVISOR,
     DEMO_COUNTY},
    {"jinzhai_editor", "金寨县事项编制员（演示）", ROLE_EDITOR, DEMO_COUNTY},
    {"jinzhai_clerk", "金寨县窗口受理员（演示）", ROLE_CLERK, DEMO_COUNTY},
    {"jinzhai_reviewer", "金寨县审查员（演示）", ROLE_REVIEWER, DEMO_COUNTY},
    {"jinzhai_decider", "金寨县决定人（演示）", ROLE_DECIDER, DEMO_COUNTY},
    {"meishan_clerk", "梅山镇为民服务中心受理员（演示）", ROLE_CLERK,
     DEMO_TOWN},
    {"qingshan_agent", "青山社区代办员（演示）", ROLE_AGENT, DEMO_VILLAGE},
};

struct demo_arg {
    const char *hash;
    int64_t now;
    int present; /* demo accounts existing afterwards */
};

static int unit_demo(struct db *db, void *arg, struct err *e)
{
    struct demo_arg *d = arg;
    static const char *const k_regions[] = {DEMO_CITY, DEMO_COUNTY, DEMO_TOWN,
                                            DEMO_VILLAGE};
    for (size_t i = 0; i < sizeof k_regions / sizeof *k_regions; i++) {
        int ex = store_region_exists(db, k_regions[i], e);
        if (ex < 0)
            return -1;
        if (!ex)
            return err_set(e, ERR_INVALID, "/region",
                           "演示区划 %s 尚未导入，请先导入区划", k_regions[i]);
    }
    for (size_t i = 0; i < sizeof k_demo / sizeof *k_demo; i++) {
        const struct demo_user *u = &k_demo[i];
        struct create_arg c = {
            .row = {.kind = "staff",
                    .login = u->login,
                    .name = u->name,
                    .password_hash = d->hash},
            .role = role_name(u->role),
            .region = u->region,
            .now = d->now,
        };
        int taken = store_user_taken(db, u->login, NULL, NULL, e);
        if (taken < 0)
            return -1;
        d->present++;
        if (taken)
            continue;
        if (unit_create(db, &c, e))
            return -1;
    }
    static const struct {
        const char *kind, *login, *name, *id_no, *credit_code, *phone;
    } k_applicants[] = {
        {"citizen", "citizen", "张演示", "341524198503121028", NULL,
         "13800000001"},
        {"enterprise", "enterprise", "金寨演示农业有限公司", NULL,
         "91341524MA2N0D1M0Q", "13800000002"},
    };
    for (size_t i = 0; i < sizeof k_applicants / sizeof *k_applicants; i++) {
        struct create_arg c = {
            .row = {.kind = k_applicants[i].kind,
                    .login = k_applicants[i].login,
                    .name = k_applicants[i].name,
                    .id_no = k_applicants[i].id_no,
                    .credit_code = k_applicants[i].credit_code,
                    .phone = k_applicants[i].phone,
                    .password_hash = d->hash},
            .now = d->now,
        };
        int taken = store_user_taken(db, c.row.login, c.row.id_no,
                                     c.row.credit_code, e);
        if (taken < 0)
            return -1;
        d->present++;
        if (taken)
            continue;
        if (unit_create(db, &c, e))
            return -1;
    }
    return 0;
}

int app_demo_users(struct app *a, int *users, struct err *e)
{
    /* One hash for all: they share a published password anyway, and one
     * argon2 run instead of eighteen keeps `bianmin demo` quick. */
    char hash[USER_HASH_SIZE];
    if (sodium_ready(e) || pw_hash(ACCT_DEMO_PASSWORD, hash, e))
        return -1;
    struct demo_arg d = {hash, store_now_ms(), 0};
    int rc = store_write(app_store(a), unit_demo, &d, e);
    sodium_memzero(hash, sizeof hash);
    if (rc == 0 && users)
        *users = d.present;
    return rc;
}
