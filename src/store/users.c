/* users.c — SQL for accounts, grants, sessions and the login throttle.
 * Contract in users.h; one SQL text serves both drivers (db.h). Counters
 * are changed by single UPDATE statements (never read-modify-write in C), so
 * concurrent writers on PostgreSQL cannot lose a failed attempt. */
#include "users.h"

#include <stdio.h>
#include <string.h>

static const char SQL_USER_INSERT[] =
    "INSERT INTO users (kind, login, name, id_no, credit_code, phone, "
    "password_hash, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id";
static const char SQL_USER_AUTH[] =
    "SELECT id, kind, login, password_hash, failed_logins, failed_at, "
    "locked_until, disabled FROM users WHERE login = $1";
static const char SQL_USER_AUTH_ID[] =
    "SELECT id, kind, login, password_hash, failed_logins, failed_at, "
    "locked_until, disabled FROM users WHERE id = $1";
static const char SQL_USER_TAKEN[] =
    "SELECT CASE WHEN login = $1 THEN 1 WHEN id_no = $2 THEN 2 ELSE 3 END "
    "FROM users WHERE login = $1 OR id_no = $2 OR credit_code = $3 "
    "ORDER BY 1 LIMIT 1";
static const char SQL_USER_GET[] =
    "SELECT id, kind, login, name, id_no, credit_code, phone, created_at, "
    "locked_until, disabled FROM users WHERE id = $1";
static const char SQL_USER_LIST[] =
    "SELECT id, kind, login, name, id_no, credit_code, phone, created_at, "
    "locked_until, disabled FROM users ORDER BY id";
static const char SQL_USER_FAIL[] =
    "UPDATE users SET failed_logins = CASE WHEN failed_at < $3 THEN 1 "
    "ELSE failed_logins + 1 END, failed_at = $2 "
    "WHERE id = $1 AND locked_until <= $2 RETURNING failed_logins";
static const char SQL_USER_LOCK[] =
    "UPDATE users SET locked_until = $2 WHERE id = $1";
static const char SQL_USER_SIGNED_IN[] =
    "UPDATE users SET failed_logins = 0, failed_at = 0, locked_until = 0 "
    "WHERE id = $1 AND locked_until <= $2 AND disabled = 0";
static const char SQL_USER_SET_PASSWORD[] =
    "UPDATE users SET password_hash = $2, updated_at = $3, failed_logins = 0, "
    "failed_at = 0, locked_until = 0 WHERE id = $1";

static const char SQL_THROTTLE_GET[] =
    "SELECT failed_logins, failed_at, locked_until FROM login_failures "
    "WHERE login = $1";
static const char SQL_THROTTLE_FAIL[] =
    "INSERT INTO login_failures (login, failed_logins, failed_at, "
    "locked_until) VALUES ($1, 1, $2, 0) "
    "ON CONFLICT (login) DO UPDATE SET failed_logins = CASE "
    "WHEN login_failures.failed_at < $3 THEN 1 "
    "ELSE login_failures.failed_logins + 1 END, "
    "failed_at = excluded.failed_at "
    "WHERE login_failures.locked_until <= $2 RETURNING failed_logins";
static const char SQL_THROTTLE_PRUNE[] =
    "DELETE FROM login_failures WHERE failed_at < $1 AND locked_until < $2";
static const char SQL_THROTTLE_LOCK[] =
    "UPDATE login_failures SET locked_until = $2 WHERE login = $1";
static const char SQL_THROTTLE_FORGET[] =
    "DELETE FROM login_failures WHERE login = $1";

static const char SQL_FP_KEY_GET[] =
    "SELECT value FROM meta WHERE key = 'login_fp_key'";
static const char SQL_FP_KEY_NEW[] =
    "INSERT INTO meta (key, value) VALUES ('login_fp_key', $1) "
    "ON CONFLICT (key) DO NOTHING RETURNING key";
static const char SQL_THROTTLE_CLEAR[] = "DELETE FROM login_failures";

static const char SQL_GRANT_INSERT[] =
    "INSERT INTO grants (user_id, role, region, org_id, granted_by, "
    "created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING";
static const char SQL_GRANT_COUNT[] =
    "SELECT count(*) FROM grants WHERE user_id = $1";
static const char SQL_GRANTS_OF[] =
    "SELECT g.id, g.user_id, g.role, g.region, r.name, "
    "COALESCE(g.org_id, 0) FROM grants g "
    "LEFT JOIN regions r ON r.code = g.region WHERE g.user_id = $1 "
    "ORDER BY g.id";
static const char SQL_GRANTS_ALL[] =
    "SELECT g.id, g.user_id, g.role, g.region, r.name, "
    "COALESCE(g.org_id, 0) FROM grants g "
    "LEFT JOIN regions r ON r.code = g.region ORDER BY g.user_id, g.id";
static const char SQL_ORG_REGION[] = "SELECT region FROM orgs WHERE id = $1";

static const char SQL_SESSION_INSERT[] =
    "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, "
    "last_seen_at, revoked, user_agent, ip) "
    "VALUES ($1, $2, $3, $4, $3, 0, $5, $6)";
static const char SQL_SESSION_PRUNE[] =
    "DELETE FROM sessions WHERE user_id = $1 AND expires_at < $2";
static const char SQL_SESSION_ACTOR[] =
    "SELECT s.user_id, u.login, u.kind, u.disabled, s.expires_at, s.revoked, "
    "g.role, g.region, COALESCE(g.org_id, 0) "
    "FROM sessions s JOIN users u ON u.id = s.user_id "
    "LEFT JOIN grants g ON g.user_id = s.user_id "
    "WHERE s.token_hash = $1 ORDER BY g.id LIMIT $2";
static const char SQL_SESSION_REVOKE[] =
    "UPDATE sessions SET revoked = 1 "
    "WHERE token_hash = $1 AND user_id = $2 AND revoked = 0";
static const char SQL_SESSION_REVOKE_OTHERS[] =
    "UPDATE sessions SET revoked = 1 "
    "WHERE user_id = $1 AND revoked = 0 AND token_hash <> $2";
static const char SQL_SESSION_EXPIRE_AT[] =
    "UPDATE sessions SET expires_at = $2 WHERE token_hash = $1";

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

/* ---- users ---------------------------------------------------------- */

int store_user_insert(struct db *db, const struct user_insert *u,
                      int64_t now_ms, int64_t *id_out, struct err *e)
{
    struct db_param p[] = {
        DBP_TEXT(u->kind),
        DBP_TEXT(u->login),
        DBP_TEXT(u->name),
        DBP_TEXT_OR_NULL(u->id_no),
        DBP_TEXT_OR_NULL(u->credit_code),
        DBP_TEXT_OR_NULL(u->phone),
        DBP_TEXT(u->password_hash),
        DBP_INT(now_ms),
    };
    return db_query_int(db, SQL_USER_INSERT, p, 8, id_out, e);
}

static int auth_query(struct db *db, const char *sql, struct db_param p,
                      struct user_auth *out, struct err *e)
{
    struct db_res *r = NULL;
    memset(out, 0, sizeof *out);
    if (db_query(db, sql, &p, 1, &r, e))
        return -1;
    int rc = db_next(r, e);
    if (rc == 1) {
        out->id = db_int(r, 0);
        copy(out->kind, sizeof out->kind, db_text(r, 1));
        copy(out->login, sizeof out->login, db_text(r, 2));
        copy(out->password_hash, sizeof out->password_hash, db_text(r, 3));
        out->failed_logins = (int)db_int(r, 4);
        out->failed_at = db_int(r, 5);
        out->locked_until = db_int(r, 6);
        out->disabled = (int)db_int(r, 7);
    }
    db_res_free(r);
    return rc;
}

int store_user_auth(struct db *db, const char *login, struct user_auth *out,
                    struct err *e)
{
    return auth_query(db, SQL_USER_AUTH, DBP_TEXT(login), out, e);
}

int store_user_auth_by_id(struct db *db, int64_t id, struct user_auth *out,
                          struct err *e)
{
    return auth_query(db, SQL_USER_AUTH_ID, DBP_INT(id), out, e);
}

int store_user_taken(struct db *db, const char *login, const char *id_no,
                     const char *credit_code, struct err *e)
{
    struct db_param p[] = {DBP_TEXT_OR_NULL(login), DBP_TEXT_OR_NULL(id_no),
                           DBP_TEXT_OR_NULL(credit_code)};
    int64_t which = 0;
    struct err e2 = {0};
    if (db_query_int(db, SQL_USER_TAKEN, p, 3, &which, &e2)) {
        if (e2.code == ERR_NOT_FOUND)
            return 0;
        if (e)
            *e = e2;
        return -1;
    }
    return (int)which;
}

static int user_rows(struct db *db, const char *sql, const struct db_param *p,
                     int np, user_row_cb cb, void *ctx, int *n, struct err *e)
{
    struct db_res *r = NULL;
    if (db_query(db, sql, p, np, &r, e))
        return -1;
    int rc;
    *n = 0;
    while ((rc = db_next(r, e)) == 1) {
        struct user_row u = {
            .id = db_int(r, 0),
            .kind = db_text(r, 1),
            .login = db_text(r, 2),
            .name = db_text(r, 3),
            .id_no = db_text(r, 4),
            .credit_code = db_text(r, 5),
            .phone = db_text(r, 6),
            .created_at = db_int(r, 7),
            .locked_until = db_int(r, 8),
            .disabled = (int)db_int(r, 9),
        };
        (*n)++;
        if (cb(ctx, &u))
            break;
    }
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

int store_user_get(struct db *db, int64_t id, user_row_cb cb, void *ctx,
                   struct err *e)
{
    struct db_param p[] = {DBP_INT(id)};
    int n;
    if (user_rows(db, SQL_USER_GET, p, 1, cb, ctx, &n, e))
        return -1;
    if (n == 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "账号不存在");
    return 0;
}

int store_user_list(struct db *db, user_row_cb cb, void *ctx, struct err *e)
{
    int n;
    return user_rows(db, SQL_USER_LIST, NULL, 0, cb, ctx, &n, e);
}

/* Run a counting statement whose RETURNING gives the new count; no row =
 * nothing counted. */
static int returning_count(struct db *db, const char *sql,
                           const struct db_param *p, int np, int *count,
                           struct err *e)
{
    struct db_res *r = NULL;
    *count = 0;
    if (db_query(db, sql, p, np, &r, e))
        return -1;
    int rc = db_next(r, e);
    if (rc == 1)
        *count = (int)db_int(r, 0);
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

int store_user_fail(struct db *db, int64_t id, int64_t now_ms,
                    int64_t forget_before, int *count, struct err *e)
{
    struct db_param p[] = {DBP_INT(id), DBP_INT(now_ms),
                           DBP_INT(forget_before)};
    return returning_count(db, SQL_USER_FAIL, p, 3, count, e);
}

int store_user_lock(struct db *db, int64_t id, int64_t until_ms, struct err *e)
{
    struct db_param p[] = {DBP_INT(id), DBP_INT(until_ms)};
    return db_exec(db, SQL_USER_LOCK, p, 2, NULL, e);
}

int store_user_signed_in(struct db *db, int64_t id, int64_t now_ms, int *ok,
                         struct err *e)
{
    struct db_param p[] = {DBP_INT(id), DBP_INT(now_ms)};
    int64_t changes = 0;
    if (db_exec(db, SQL_USER_SIGNED_IN, p, 2, &changes, e))
        return -1;
    *ok = changes == 1;
    return 0;
}

int store_user_set_password(struct db *db, int64_t id, const char *hash,
                            int64_t now_ms, struct err *e)
{
    struct db_param p[] = {DBP_INT(id), DBP_TEXT(hash), DBP_INT(now_ms)};
    int64_t changes = 0;
    if (db_exec(db, SQL_USER_SET_PASSWORD, p, 3, &changes, e))
        return -1;
    if (changes != 1)
        return err_set(e, ERR_NOT_FOUND, NULL, "账号不存在");
    return 0;
}

/* ---- throttle of unknown logins -------------------------------------- */

int store_throttle_get(struct db *db, const char *login,
                       struct login_throttle *out, struct err *e)
{
    struct db_param p[] = {DBP_TEXT(login)};
    struct db_res *r = NULL;
    memset(out, 0, sizeof *out);
    if (db_query(db, SQL_THROTTLE_GET, p, 1, &r, e))
        return -1;
    int rc = db_next(r, e);
    if (rc == 1) {
        out->failed_logins = (int)db_int(r, 0);
        out->failed_at = db_int(r, 1);
        out->locked_until = db_int(r, 2);
    }
    db_res_free(r);
    return rc;
}

int store_throttle_fail(struct db *db, const char *login, int64_t now_ms,
                        int64_t forget_before, int *count, struct err *e)
{
    struct db_param prune[] = {DBP_INT(forget_before), DBP_INT(now_ms)};
    if (db_exec(db, SQL_THROTTLE_PRUNE, prune, 2, NULL, e))
        return -1;
    struct db_param p[] = {DBP_TEXT(login), DBP_INT(now_ms),
                           DBP_INT(forget_before)};
    return returning_count(db, SQL_THROTTLE_FAIL, p, 3, count, e);
}

int store_throttle_lock(struct db *db, const char *login, int64_t until_ms,
                        struct err *e)
{
    struct db_param p[] = {DBP_TEXT(login), DBP_INT(until_ms)};
    return db_exec(db, SQL_THROTTLE_LOCK, p, 2, NULL, e);
}

int store_throttle_forget(struct db *db, const char *login, struct err *e)
{
    struct db_param p[] = {DBP_TEXT(login)};
    return db_exec(db, SQL_THROTTLE_FORGET, p, 1, NULL, e);
}

int store_login_fp_key(struct db *db, const char *fresh,
                       char out[STORE_FP_KEY_HEX], struct err *e)
{
    struct db_res *r = NULL;
    out[0] = '\0';
    if (fresh) {
        struct db_param p[] = {DBP_TEXT(fresh)};
        if (db_query(db, SQL_FP_KEY_NEW, p, 1, &r, e))
            return -1;
        int made = db_next(r, e);
        db_res_free(r);
        if (made < 0 ||
            (made == 1 && db_exec(db, SQL_THROTTLE_CLEAR, NULL, 0, NULL, e)))
            return -1;
    }
    if (db_query(db, SQL_FP_KEY_GET, NULL, 0, &r, e))
        return -1;
    int rc = db_next(r, e);
    if (rc == 1)
        snprintf(out, STORE_FP_KEY_HEX, "%s",
                 db_text(r, 0) ? db_text(r, 0) : "");
    db_res_free(r);
    if (rc < 0)
        return -1;
    return out[0] ? 1 : 0;
}

/* ---- grants ------------------------------------------------------------ */

int store_grant_insert(struct db *db, int64_t user_id, const char *role,
                       const char *region, int64_t org_id, int64_t granted_by,
                       int64_t now_ms, int *added, struct err *e)
{
    struct db_param p[] = {
        DBP_INT(user_id),
        DBP_TEXT(role),
        DBP_TEXT(region),
        org_id > 0 ? DBP_INT(org_id) : DBP_NULL,
        granted_by > 0 ? DBP_INT(granted_by) : DBP_NULL,
        DBP_INT(now_ms),
    };
    int64_t changes = 0;
    if (db_exec(db, SQL_GRANT_INSERT, p, 6, &changes, e))
        return -1;
    *added = changes == 1;
    return 0;
}

int store_grant_count(struct db *db, int64_t user_id, int64_t *n, struct err *e)
{
    struct db_param p[] = {DBP_INT(user_id)};
    return db_query_int(db, SQL_GRANT_COUNT, p, 1, n, e);
}

static int grant_rows(struct db *db, const char *sql, const struct db_param *p,
                      int np, grant_row_cb cb, void *ctx, struct err *e)
{
    struct db_res *r = NULL;
    if (db_query(db, sql, p, np, &r, e))
        return -1;
    int rc;
    while ((rc = db_next(r, e)) == 1) {
        struct grant_row g = {
            .id = db_int(r, 0),
            .user_id = db_int(r, 1),
            .role = db_text(r, 2),
            .region = db_text(r, 3),
            .region_name = db_text(r, 4),
            .org_id = db_int(r, 5),
        };
        if (cb(ctx, &g))
            break;
    }
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

int store_grants_of(struct db *db, int64_t user_id, grant_row_cb cb, void *ctx,
                    struct err *e)
{
    struct db_param p[] = {DBP_INT(user_id)};
    return grant_rows(db, SQL_GRANTS_OF, p, 1, cb, ctx, e);
}

int store_grants_all(struct db *db, grant_row_cb cb, void *ctx, struct err *e)
{
    return grant_rows(db, SQL_GRANTS_ALL, NULL, 0, cb, ctx, e);
}

int store_org_region(struct db *db, int64_t id, char out[13], struct err *e)
{
    struct db_param p[] = {DBP_INT(id)};
    struct db_res *r = NULL;
    out[0] = '\0';
    if (db_query(db, SQL_ORG_REGION, p, 1, &r, e))
        return -1;
    int rc = db_next(r, e);
    if (rc == 1)
        copy(out, 13, db_text(r, 0));
    db_res_free(r);
    if (rc == 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "机构不存在");
    return rc < 0 ? -1 : 0;
}

/* ---- sessions ---------------------------------------------------------- */

int store_session_insert(struct db *db, const char *token_hash, int64_t user_id,
                         int64_t now_ms, int64_t expires_at, const char *ip,
                         const char *ua, struct err *e)
{
    struct db_param prune[] = {DBP_INT(user_id), DBP_INT(now_ms)};
    if (db_exec(db, SQL_SESSION_PRUNE, prune, 2, NULL, e))
        return -1;
    struct db_param p[] = {DBP_TEXT(token_hash), DBP_INT(user_id),
                           DBP_INT(now_ms),      DBP_INT(expires_at),
                           DBP_TEXT_OR_NULL(ua), DBP_TEXT_OR_NULL(ip)};
    return db_exec(db, SQL_SESSION_INSERT, p, 6, NULL, e);
}

int store_session_actor(struct db *db, const char *token_hash, int limit,
                        session_row_cb cb, void *ctx, int *found, struct err *e)
{
    struct db_param p[] = {DBP_TEXT(token_hash), DBP_INT(limit)};
    struct db_res *r = NULL;
    *found = 0;
    if (db_query(db, SQL_SESSION_ACTOR, p, 2, &r, e))
        return -1;
    int rc;
    while ((rc = db_next(r, e)) == 1) {
        struct session_row s = {
            .user_id = db_int(r, 0),
            .login = db_text(r, 1),
            .kind = db_text(r, 2),
            .disabled = (int)db_int(r, 3),
            .expires_at = db_int(r, 4),
            .revoked = (int)db_int(r, 5),
            .role = db_text(r, 6),
            .region = db_text(r, 7),
            .org_id = db_int(r, 8),
        };
        *found = 1;
        if (cb(ctx, &s))
            break;
    }
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

int store_session_revoke(struct db *db, const char *token_hash, int64_t user_id,
                         int64_t *changes, struct err *e)
{
    struct db_param p[] = {DBP_TEXT(token_hash), DBP_INT(user_id)};
    return db_exec(db, SQL_SESSION_REVOKE, p, 2, changes, e);
}

int store_session_revoke_others(struct db *db, int64_t user_id,
                                const char *keep_hash, int64_t *changes,
                                struct err *e)
{
    struct db_param p[] = {DBP_INT(user_id),
                           DBP_TEXT(keep_hash ? keep_hash : "")};
    return db_exec(db, SQL_SESSION_REVOKE_OTHERS, p, 2, changes, e);
}

int store_session_expire_at(struct db *db, const char *token_hash,
                            int64_t expires_at, struct err *e)
{
    struct db_param p[] = {DBP_TEXT(token_hash), DBP_INT(expires_at)};
    return db_exec(db, SQL_SESSION_EXPIRE_AT, p, 2, NULL, e);
}
