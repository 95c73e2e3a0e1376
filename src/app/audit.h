/* audit.h — the audit log: who did what, when, from where, to what, with
 * which outcome. Every action (sign-in and its failures, sign-out, account
 * and grant changes, organisation/hall/window writes, imports) and every
 * read of personal data leaves one row. Rows are append-only (the database
 * refuses UPDATE and DELETE) and hash-chained: row n stores
 *
 *     hash_n = hex BLAKE2b-256( hash_{n-1} ‖ "\n" ‖ canon(row n) )
 *
 * where hash_0 is 64 zeros and canon writes seq, at, actor_id, actor_login,
 * ip, request_id, action, target_kind, target_id, region, outcome, detail in
 * that order, each as "-;" when NULL or empty, else "<bytes>:<text>;"
 * (integers as decimal text). So a removed row (a gap in seq, or a cut tail
 * against audit_head), a changed row (its hash) and a reordered pair (the
 * next row's prev_hash) are found by app_audit_verify
 * (`bianmin audit log --verify`).
 *
 * Privacy: the log keeps no secrets and no personal numbers. Before a row is
 * stored, actor_login, target_id and detail are passed through
 * audit_mask_text: an 11-digit mobile number keeps its first 3 and last 4
 * digits, an 18-character (or 15-digit) resident ID its first 4 and last 4;
 * 12-digit division codes and other numbers are left alone. Callers put no
 * passwords, tokens, addresses or names of citizens into detail.
 *
 * Two ways to record:
 *   - inside a write unit: app_audit_unit_record(db, …) in the unit of the
 *     action, so the action and its row commit together (or neither);
 *   - for events with no write of their own (a failed sign-in refused before
 *     any write, a read of personal data): app_audit_submit queues a unit of
 *     its own and returns at once (fire and forget: the read is not slowed
 *     by a commit, and its row may trail the answer by one group commit; a
 *     row lost to a crash in that window is the price). app_audit_record
 *     waits until durable.
 *
 * Scope: each row names a region (the region of the thing acted on; for
 * sign-ins and reads, the region of the person's first staff grant) or none
 * (system-wide: imports, the command line, citizens, unknown logins). A
 * holder of CAP_AUDIT_READ sees rows in their grants' subtrees; rows without
 * a region only a system administrator.
 *
 * Thread-safe: no state outside the database. */
#ifndef BIANMIN_APP_AUDIT_H
#define BIANMIN_APP_AUDIT_H

#include <jansson.h>
#include <stdint.h>

#include "../core/arena.h"
#include "../store/audit.h"
#include "../store/store.h"
#include "app.h"
#include "auth.h"

#define APP_AUDIT_PAGE_DEFAULT 50
#define APP_AUDIT_PAGE_MAX 1000 /* the API allows 200 */
#define AUDIT_CLI_LOGIN "@cli"  /* actor_login of the command line: no login
                                 * can start with '@' */

/* One event. Strings are borrowed for the call. */
struct audit_entry {
    int64_t actor_id;        /* 0 = none (anonymous, the command line) */
    const char *actor_login; /* NULL = none */
    const char *ip;          /* peer address; NULL = none */
    const char *request_id;  /* NULL = none */
    const char *action;      /* "session.create", "org.update", … */
    const char *target_kind; /* "org", "user", …; NULL = none */
    const char *target_id;   /* NULL = none */
    const char *region;      /* 12 digits; NULL = see region_of_actor */
    int region_of_actor;     /* region NULL: take the region of actor_id's
                              * first grant (none: system-wide) */
    const char *outcome;     /* "ok" | "denied" | "failed" */
    const json_t *detail;    /* an object or NULL; borrowed; stored compact
                              * with sorted keys, masked */
    const char *detail_text; /* instead of detail: that object serialised
                              * already (json_dumps, JSON_COMPACT |
                              * JSON_SORT_KEYS), e.g. off the writer */
};

/* audit_entry_actor — fill the actor part of en from a (id, login, ip,
 * request id); a NULL a is the command line (login AUDIT_CLI_LOGIN). */
void audit_entry_actor(struct audit_entry *en, const struct actor *a);

/* audit_actor_region — the region of a's first grant other than the
 * applicants' whole-country one (borrowed from a), or NULL. */
const char *audit_actor_region(const struct actor *a);

/* audit_mask_text — mask mobile numbers and resident IDs inside s, in
 * place (same length; see the top of this file). */
void audit_mask_text(char *s);

/* app_audit_unit_record — record en inside the current write unit
 * (store.h): masked and copied now, appended to the chain (hash, insert,
 * head move) with the rows of the other units at the end of the batch,
 * just before its COMMIT (the batch hooks below); rolled back with the unit
 * if the unit fails. On a store without those hooks it is appended at once
 * under the chain's lock. ERR_INVALID for an entry without action or with
 * an unknown outcome. */
int app_audit_unit_record(struct db *db, const struct audit_entry *en,
                          struct err *e);

/* app_audit_hooks — the store batch hooks (store.h) that append the rows
 * units recorded, once per batch; app_open passes them to store_open. The
 * chain's lock is then taken last in every write transaction, after every
 * row a unit locks, so a head-versus-row deadlock cannot happen. */
const struct store_hooks *app_audit_hooks(void);

/* app_audit_unit_lock — on a store without the batch hooks, take the
 * chain's lock now (first thing in a unit that will record later); with
 * them (always under app_open) nothing: the lock is taken at the end of
 * the batch. */
int app_audit_unit_lock(struct db *db, struct err *e);

/* app_audit_record — en as a unit of its own; waits until durable. Not on
 * an HTTP polling thread. */
int app_audit_record(struct app *a, const struct audit_entry *en,
                     struct err *e);

/* app_audit_submit — en (copied) as a unit of its own; returns at once. A
 * failure to record is logged (event "audit_lost"), never returned. Any
 * thread, polling threads included. */
void app_audit_submit(struct app *a, const struct audit_entry *en);

/* ---- reading ------------------------------------------------------------ */

/* A search; every member optional (NULL / 0). Times: Unix ms, or text as
 * app_audit_time_parse reads it. */
struct audit_query {
    const char *action;  /* "org.create", or a prefix ending in '*':
                          * "session.*"; only a-z . _ and a final * */
    const char *actor;   /* an account id (digits) or a login */
    const char *region;  /* 12 digits: that subtree (must be in scope) */
    const char *outcome; /* ok | denied | failed */
    const char *since, *until; /* at in [since, until) */
    int64_t after;       /* seq greater than this (the last page's
                          * next_after) */
    int limit;           /* 1..APP_AUDIT_PAGE_MAX; 0 = default */
};

/* A row as shown (strings in the caller's arena; NULL = none). */
struct audit_view {
    int64_t seq, at, actor_id;
    const char *actor_login, *ip, *request_id, *action, *target_kind,
        *target_id, *region, *outcome;
    const char *detail; /* JSON object text */
    const char *hash;
};

/* app_audit_search — one page of rows by seq (oldest first) within by's
 * scope (by NULL = the command line: every row). *next_after is the seq to
 * pass as `after` for the next page, 0 on the last page. Errors:
 * ERR_FORBIDDEN without CAP_AUDIT_READ or for a `region` outside the scope;
 * ERR_INVALID naming the query argument ("action", "actor", "region",
 * "outcome", "since", "until", "after", "limit"). */
int app_audit_search(struct app *a, const struct actor *by,
                     const struct audit_query *q, struct arena *ar,
                     struct audit_view **items, int *n, int64_t *next_after,
                     struct err *e);

/* app_audit_time_parse — Unix ms from "1767225600000" (ms), "2026-01-01"
 * (00:00 Beijing time, UTC+8) or "2026-01-01T08:00:00Z" / "…+08:00" /
 * "…" without zone (Beijing time). ERR_INVALID naming `field`. Pure. */
int app_audit_time_parse(const char *s, const char *field, int64_t *out,
                         struct err *e);

/* The verdict of app_audit_verify. */
struct audit_verdict {
    int64_t rows;    /* rows checked */
    int64_t bad_seq; /* 0 = intact; else the first seq that is wrong */
    char why[256];   /* zh-CN, when bad_seq */
};

/* app_audit_verify — walk the whole chain by seq (1000 rows per read) and
 * check: seq runs 1, 2, 3… without gap; each prev_hash is the previous
 * row's hash; each hash matches its row; the last row is the head
 * (audit_head). Returns 0 with *out filled whether intact or not; -1 only
 * when the log could not be read. */
int app_audit_verify(struct app *a, struct audit_verdict *out, struct err *e);

/* app_audit_json — a view as the API shows it (new reference). */
json_t *app_audit_json(const struct audit_view *v);

#endif
