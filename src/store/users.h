/* users.h — SQL for accounts (tables `users`, `grants`, `sessions`,
 * `login_failures`; migration 2). Called by app/accounts.c only; the rules
 * (throttle policy, scope, password strength) live there, this file only
 * reads and writes rows. Errors as in db.h: a unique or foreign-key
 * violation is ERR_CONFLICT. Strings in rows handed to callbacks are
 * borrowed for the duration of the callback. Thread-safe as db.h: one
 * connection per thread. */
#ifndef BIANMIN_STORE_USERS_H
#define BIANMIN_STORE_USERS_H

#include <stdint.h>

#include "db.h"

#define USER_LOGIN_SIZE 65 /* 64 bytes + NUL */
#define USER_HASH_SIZE 128 /* crypto_pwhash_STRBYTES */

/* A new account. kind "staff" | "citizen" | "enterprise"; NULL/"" optional
 * texts are stored as NULL. */
struct user_insert {
    const char *kind, *login, *name, *id_no, *credit_code, *phone;
    const char *password_hash;
};

/* What sign-in needs about one account, copied out of the row. */
struct user_auth {
    int64_t id;
    char kind[16];
    char login[USER_LOGIN_SIZE];
    char password_hash[USER_HASH_SIZE];
    int failed_logins;
    int64_t failed_at, locked_until;
    int disabled;
};

/* The throttle state of a login that is no account. */
struct login_throttle {
    int failed_logins;
    int64_t failed_at, locked_until;
};

/* An account row for display (no password hash). */
struct user_row {
    int64_t id;
    const char *kind, *login, *name, *id_no, *credit_code, *phone;
    int64_t created_at, locked_until;
    int disabled;
};

/* A grant row; org_id 0 = none. user_id lets list callers group. */
struct grant_row {
    int64_t id, user_id;
    const char *role, *region, *region_name; /* region_name may be NULL */
    int64_t org_id;
};

/* A session with its account and one of its grants (one row per grant;
 * role NULL when the account has none). */
struct session_row {
    int64_t user_id;
    const char *login, *kind;
    int disabled;
    int64_t expires_at;
    int revoked;
    const char *role, *region;
    int64_t org_id;
};

typedef int (*user_row_cb)(void *ctx, const struct user_row *u);
typedef int (*grant_row_cb)(void *ctx, const struct grant_row *g);
typedef int (*session_row_cb)(void *ctx, const struct session_row *s);

/* ---- users ---------------------------------------------------------- */

/* store_user_insert — insert one account at now_ms; *id_out its id.
 * ERR_CONFLICT when the login, id_no or credit_code is taken. */
int store_user_insert(struct db *db, const struct user_insert *u,
                      int64_t now_ms, int64_t *id_out, struct err *e);
/* store_user_auth — the account with this (lower-case) login into *out;
 * 1 found, 0 none (out zeroed), -1 error. */
int store_user_auth(struct db *db, const char *login, struct user_auth *out,
                    struct err *e);
/* store_user_auth_by_id — as store_user_auth, by id. */
int store_user_auth_by_id(struct db *db, int64_t id, struct user_auth *out,
                          struct err *e);
/* store_user_taken — 1 when an account already has this login (field 1),
 * id_no (2) or credit_code (3); 0 when none; -1 error. NULL/"" values are
 * skipped. */
int store_user_taken(struct db *db, const char *login, const char *id_no,
                     const char *credit_code, struct err *e);
/* store_user_get — one account; ERR_NOT_FOUND when absent. */
int store_user_get(struct db *db, int64_t id, user_row_cb cb, void *ctx,
                   struct err *e);
/* store_user_list — every account by id; cb returns nonzero to stop. */
int store_user_list(struct db *db, user_row_cb cb, void *ctx, struct err *e);
/* store_user_fail — count one failed sign-in at now_ms unless the account
 * is locked (locked_until > now_ms): the count restarts at 1 when the last
 * failure is older than forget_before. *count gets the new count, or 0
 * when nothing was counted (locked meanwhile). */
int store_user_fail(struct db *db, int64_t id, int64_t now_ms,
                    int64_t forget_before, int *count, struct err *e);
/* store_user_lock — set locked_until. */
int store_user_lock(struct db *db, int64_t id, int64_t until_ms, struct err *e);
/* store_user_signed_in — clear the throttle of an account that is neither
 * locked at now_ms nor disabled; *ok 1 when done, 0 when it was locked or
 * disabled meanwhile (nothing changed). */
int store_user_signed_in(struct db *db, int64_t id, int64_t now_ms, int *ok,
                         struct err *e);
/* store_user_set_password — new hash; clears the throttle (an
 * administrator's reset unlocks). ERR_NOT_FOUND when no such account. */
int store_user_set_password(struct db *db, int64_t id, const char *hash,
                            int64_t now_ms, struct err *e);

/* ---- throttle of unknown logins -------------------------------------- */

/* store_throttle_get — 1 and *out when the login has a row, 0 when not. */
int store_throttle_get(struct db *db, const char *login,
                       struct login_throttle *out, struct err *e);
/* store_throttle_fail — as store_user_fail, for a login that is no account
 * (inserts the row when new); also prunes rows quiet since forget_before. */
int store_throttle_fail(struct db *db, const char *login, int64_t now_ms,
                        int64_t forget_before, int *count, struct err *e);
int store_throttle_lock(struct db *db, const char *login, int64_t until_ms,
                        struct err *e);
/* store_throttle_forget — drop the row (when an account takes the login). */
int store_throttle_forget(struct db *db, const char *login, struct err *e);

/* store_login_fp_key — the installation's secret key for fingerprints of
 * logins that are no account (app/accounts.c), 64 hex characters in meta
 * "login_fp_key", into out. With `fresh` (64 hex; inside a write unit) a
 * missing key is created from it first, and then the throttle rows kept
 * before fingerprints existed (raw typed logins) are deleted. Returns 1
 * when there is a key, 0 when not (fresh NULL), -1 on error. */
#define STORE_FP_KEY_HEX 65
int store_login_fp_key(struct db *db, const char *fresh,
                       char out[STORE_FP_KEY_HEX], struct err *e);

/* ---- grants ------------------------------------------------------------ */

/* store_grant_insert — add a grant (org_id 0 = none; granted_by 0 = the
 * command line). *added 1 when new, 0 when the same grant existed. */
int store_grant_insert(struct db *db, int64_t user_id, const char *role,
                       const char *region, int64_t org_id, int64_t granted_by,
                       int64_t now_ms, int *added, struct err *e);
/* store_grant_count — the number of grants of an account. */
int store_grant_count(struct db *db, int64_t user_id, int64_t *n,
                      struct err *e);
/* store_grants_of — an account's grants (with region names), by id. */
int store_grants_of(struct db *db, int64_t user_id, grant_row_cb cb, void *ctx,
                    struct err *e);
/* store_grants_all — every grant, by user then id (for listings). */
int store_grants_all(struct db *db, grant_row_cb cb, void *ctx, struct err *e);
/* store_org_region — the region code of organisation `id` into out[13];
 * ERR_NOT_FOUND when there is no such organisation. */
int store_org_region(struct db *db, int64_t id, char out[13], struct err *e);

/* ---- sessions ---------------------------------------------------------- */

/* store_session_insert — a new session; ip and ua may be NULL. Also drops
 * the account's sessions that expired before now_ms. */
int store_session_insert(struct db *db, const char *token_hash, int64_t user_id,
                         int64_t now_ms, int64_t expires_at, const char *ip,
                         const char *ua, struct err *e);
/* store_session_actor — the session with this token hash joined to its
 * account and grants (one cb per grant, at most `limit` rows). Pure read.
 * *found 0 when there is no such session. */
int store_session_actor(struct db *db, const char *token_hash, int limit,
                        session_row_cb cb, void *ctx, int *found,
                        struct err *e);
/* store_session_revoke — revoke one session of user_id; *changes 0 when
 * it was already revoked or is not theirs. */
int store_session_revoke(struct db *db, const char *token_hash, int64_t user_id,
                         int64_t *changes, struct err *e);
/* store_session_revoke_others — revoke every live session of user_id but
 * `keep_hash` (NULL or "" = revoke all); *changes how many. */
int store_session_revoke_others(struct db *db, int64_t user_id,
                                const char *keep_hash, int64_t *changes,
                                struct err *e);
/* store_session_expire_at — set expires_at of a session (tests, and an
 * administrator's forced sign-out at a time). */
int store_session_expire_at(struct db *db, const char *token_hash,
                            int64_t expires_at, struct err *e);

#endif
