/* audit.h — SQL for the audit log (tables audit_log and audit_head,
 * migration 4). Called by app/audit.c only, which owns the rules: what is
 * recorded, masking, the hash (BLAKE2b-256 needs libsodium, which the store
 * does not link), scope. This file only reads and writes rows.
 *
 * The chain: audit_head holds the last seq and hash. The writer takes the
 * head with store_audit_head_lock (on PostgreSQL `SELECT … FOR UPDATE`, so
 * another writer thread or node waits there until this transaction ends; on
 * SQLite the one writer's BEGIN IMMEDIATE already excludes every other
 * writer), computes the rows' hashes and appends them with
 * store_audit_append_many, which inserts the rows and moves the head in the
 * same transaction (on PostgreSQL in one round trip). app/audit.c does this
 * once per batch, just before COMMIT, for the rows of every unit of the
 * batch that succeeded. The head lock is held until COMMIT, so appends of
 * concurrent transactions can never interleave and seq has no gaps.
 *
 * The tables refuse UPDATE and DELETE (triggers, migration 4); nothing here
 * changes a row once written.
 *
 * Errors as in db.h. Strings in rows handed to callbacks are borrowed for
 * the duration of the callback. Thread-safe as db.h: one connection per
 * thread. */
#ifndef BIANMIN_STORE_AUDIT_H
#define BIANMIN_STORE_AUDIT_H

#include <stdint.h>

#include "db.h"

#define AUDIT_HASH_SIZE 65 /* 64 hex digits + NUL */
#define AUDIT_SCOPES_MAX 8 /* region prefixes one search may name */
#define AUDIT_PAGE_MAX 1000

/* One row. In writes, prev_hash and hash are filled by the caller; 0 ids
 * and NULL texts are stored as SQL NULL. */
struct audit_row {
    int64_t seq, at;
    int64_t actor_id; /* 0 = none */
    const char *actor_login, *ip, *request_id;
    const char *action, *target_kind, *target_id, *region, *outcome;
    const char *detail; /* JSON text */
    const char *prev_hash, *hash;
};

/* store_audit_head_lock — the chain's head (*seq 0 and 64 zeros for an
 * empty log) and the `at` of its row (*last_at; 0 for an empty log; may be
 * NULL), locked until the transaction ends. Call inside a writer unit
 * only. ERR_INTERNAL when the head row is missing. Rows appended after it
 * must have an `at` no smaller than *last_at: store_audit_search turns a
 * time window into a range of seq. */
int store_audit_head_lock(struct db *db, int64_t *seq,
                          char hash[AUDIT_HASH_SIZE], int64_t *last_at,
                          struct err *e);

/* store_audit_append_many — insert rows[0..n) (seq head + 1, head + 2, …,
 * each prev_hash the hash before it) and move the head to the last row's
 * (seq, hash), only if it is still at rows[0].seq - 1 (else ERR_INTERNAL:
 * nothing may have moved it since store_audit_head_lock). In the
 * transaction that took the head lock. */
int store_audit_append_many(struct db *db, const struct audit_row *rows, int n,
                            struct err *e);
/* store_audit_append — the same for one row. */
int store_audit_append(struct db *db, const struct audit_row *r,
                       struct err *e);

/* store_audit_head — the head without locking (for verify). */
int store_audit_head(struct db *db, int64_t *seq, char hash[AUDIT_HASH_SIZE],
                     struct err *e);

/* store_audit_user_region — the region of a user's first grant into out
 * ("" when the user has none). */
int store_audit_user_region(struct db *db, int64_t user_id, char out[13],
                            struct err *e);

typedef int (*audit_row_cb)(void *ctx, const struct audit_row *r);

/* store_audit_scan — rows with seq > after, by seq, at most limit
 * (1..AUDIT_PAGE_MAX), to cb (nonzero stops); *n = rows seen. */
int store_audit_scan(struct db *db, int64_t after, int limit, audit_row_cb cb,
                     void *ctx, int *n, struct err *e);

/* A search; every filter optional. */
struct audit_filter {
    int64_t after;       /* seq greater than this */
    int limit;           /* 1..AUDIT_PAGE_MAX */
    const char *action;  /* LIKE pattern over action (no '_' in actions) */
    int64_t actor_id;    /* 0 = any */
    const char *actor_login; /* NULL = any */
    int64_t since, until; /* at in [since, until); 0 = open */
    const char *outcome; /* NULL = any */
    /* Scope: every row when all_regions; otherwise rows whose region
     * starts with one of prefixes[0..n_prefixes) (LIKE patterns "3415%"),
     * plus rows without region when system_rows. */
    int all_regions, system_rows;
    const char *prefixes[AUDIT_SCOPES_MAX];
    int n_prefixes;
};

/* store_audit_search — rows matching f, by seq, to cb (nonzero stops);
 * *n = rows seen. */
int store_audit_search(struct db *db, const struct audit_filter *f,
                       audit_row_cb cb, void *ctx, int *n, struct err *e);

#endif
