/* store.h — bianmin's persistence: one `struct store` per database, holding
 * a pool of read connections and the group-commit writer. Nothing above
 * store/ writes SQL: the domain functions (store_region_*, store_org_*,
 * store_cal_*) are declared in their own headers and take a `struct db *`
 * handed out here.
 *
 * Writes (ARCHITECTURE.md "Scale and speed", docs/architecture.md): a write
 * is a *unit*, a function that runs on a writer thread's connection inside
 * that writer's current transaction, in its own SAVEPOINT. The writer drains
 * everything queued (at most STORE_BATCH_MAX units) into one transaction,
 * never waiting for a batch to fill; a unit that fails rolls back alone and
 * the others commit. Only after COMMIT returns (synchronous=FULL on SQLite,
 * synchronous_commit=on on PostgreSQL) is each unit's `done` called, so a
 * caller that answers in `done` answers only for what is on disk.
 * SQLite has one writer thread (one write connection); PostgreSQL has
 * `writers` threads, each batching on its own connection, and those batches
 * run at the same time: nothing is locked for a whole batch. Work that must
 * be ordered across writers (the audit chain) is done once per batch at its
 * end by a batch hook (store_hooks, below), so only that step and the COMMIT
 * after it are serialised. Two units on different writers that lock the same
 * rows in opposite orders can deadlock; PostgreSQL then fails one statement
 * (40P01), whose unit alone rolls back to its savepoint and fails with
 * ERR_UNAVAILABLE (503), and the other goes on.
 *
 * Cost per unit: SQLite runs transaction control (BEGIN, SAVEPOINT, RELEASE,
 * COMMIT) as statements prepared once per connection; PostgreSQL sends them
 * along with the next round trip ("RELEASE unit; SAVEPOINT unit").
 *
 * Reads take a connection from the pool (store_read) and give it back
 * (store_read_done); in WAL mode they never wait on the writer.
 *
 * Thread-safe: every function here may be called from any thread. */
#ifndef BIANMIN_STORE_STORE_H
#define BIANMIN_STORE_STORE_H

#include <stdint.h>

#include "db.h"

#define STORE_BATCH_MAX 256

struct store;

/* Batch hooks: a module that defers part of every unit's work to the end of
 * the batch (app/audit.c: the audit rows, appended to the chain in one go).
 * All run on the writer thread with its connection; any member may be NULL.
 *   unit_begin(ctx, db)          before each unit runs
 *   unit_end(ctx, db, ok)        after it; ok = 0 when it failed (its
 *                                savepoint is rolled back: drop what it
 *                                deferred)
 *   before_commit(ctx, db, e)    once, after the last unit, inside the
 *                                transaction; -1 fails every unit of the
 *                                batch (nothing of it commits)
 *   batch_end(ctx, db, committed) after COMMIT or ROLLBACK, before any done */
struct store_hooks {
    void *ctx;
    void (*unit_begin)(void *ctx, struct db *db);
    void (*unit_end)(void *ctx, struct db *db, int ok);
    int (*before_commit)(void *ctx, struct db *db, struct err *e);
    void (*batch_end)(void *ctx, struct db *db, int committed);
};

struct store_opts {
    int writers;     /* PostgreSQL writer threads; 0 = 2. SQLite: always 1 */
    int max_readers; /* pooled read connections; 0 = 16 */
    const struct store_hooks *hooks; /* copied; NULL = none */
};

/* store_open — connect to `url` (see db_open) and start the writer(s).
 * Does not touch the schema (see store_migrate / store_schema_check).
 * Caller frees with store_close. */
struct store *store_open(const char *url, const struct store_opts *o,
                         struct err *e);

/* store_close — finish every queued unit, stop the writers, close every
 * connection. Units submitted after close starts fail with ERR_UNAVAILABLE. */
void store_close(struct store *s);

/* store_dialect — DB_SQLITE or DB_POSTGRES. */
enum db_dialect store_dialect(const struct store *s);

/* store_read — borrow a read connection; give it back with store_read_done
 * (also after an error). NULL and *e when none can be opened. */
struct db *store_read(struct store *s, struct err *e);
void store_read_done(struct store *s, struct db *db);

/* store_read_snapshot — make the reads that follow on db (a connection from
 * store_read) one snapshot until store_read_snapshot_end, which must come
 * before store_read_done (also after an error). SQLite: BEGIN … COMMIT, one
 * read transaction — one WAL read lock and one page-cache check instead of
 * one per statement. PostgreSQL: nothing, each statement keeps its own
 * snapshot (a transaction would cost two round trips). */
int store_read_snapshot(struct db *db, struct err *e);
void store_read_snapshot_end(struct db *db);

/* A write unit. fn runs on a writer thread with that writer's connection;
 * it must only use `db` and `arg`, must not begin or commit, and returns 0 or
 * -1 with *e filled. */
typedef int (*store_unit_fn)(struct db *db, void *arg, struct err *e);

struct store_unit {
    store_unit_fn fn;
    void *arg;
    /* done — called once on the writer thread after the batch's COMMIT (or
     * after failure); must be quick (signal a waiter, resume a connection).
     * Reads rc (0 = durable) and err. */
    void (*done)(struct store_unit *u);
    void *ctx;
    int rc;
    struct err err;
    struct store_unit *next; /* the writer's queue link */
    int bulk; /* run alone; SQLite foreign keys off (store_write_bulk) */
};

/* store_submit — queue u; u->done will be called exactly once (at once,
 * with ERR_UNAVAILABLE, when the store is closing). u must stay valid until
 * then. */
void store_submit(struct store *s, struct store_unit *u);

/* store_write — run fn as one unit and wait until it is durable (or failed).
 * For the CLI and worker threads; never on an HTTP polling thread. */
int store_write(struct store *s, store_unit_fn fn, void *arg, struct err *e);

/* store_write_bulk — store_write for a bulk load: fn runs alone in its own
 * transaction and, on SQLite, with foreign-key enforcement off for that
 * transaction (PRAGMA foreign_keys cannot change inside one, so the writer
 * turns it off before BEGIN and on again after COMMIT or ROLLBACK). Only for
 * a unit that checks every reference it writes itself, inside the same
 * transaction: the per-row look-up would repeat that check (the region
 * import spent a third of its database time there). PostgreSQL keeps its
 * checks. The keys stay declared. */
int store_write_bulk(struct store *s, store_unit_fn fn, void *arg,
                     struct err *e);

/* store_order_lock — inside a unit: order it against units of other
 * writers (threads and nodes, PostgreSQL) that take this lock too, until
 * COMMIT: shared holders run side by side, an exclusive holder waits for
 * them and they for it (pg_advisory_xact_lock[_shared]). SQLite: nothing
 * (one writer). Case units take it shared, a calendar import exclusive, so
 * a case unit commits either before the import (which recomputes it) or
 * after (and sees the new calendar). */
int store_order_lock(struct db *db, int exclusive, struct err *e);

/* store_stats — what the writers have done since store_open: transactions
 * committed (or failed), units run, units that failed. units / batches is the
 * group-commit factor. */
struct store_stats {
    long long batches, units, failed_units;
};
void store_stats(struct store *s, struct store_stats *out);

/* Schema. Migrations are numbered; their text is in migrations.c. Each is
 * applied once, by number; a number may be missing below a newer one while
 * branches that took their numbers side by side are not merged yet. */
int store_schema_latest(void);
/* store_schema_count — how many migrations this program has. */
int store_schema_count(void);
/* store_schema_version — the version recorded in the database (0 when no
 * schema yet). */
int store_schema_version(struct store *s, int *version, struct err *e);
/* store_migrate — apply every pending migration, each in its own transaction;
 * *applied (may be NULL) gets how many. Refuses (ERR_CONFLICT) a database
 * whose version is newer than this program knows. Re-running is harmless. */
int store_migrate(struct store *s, int *applied, struct err *e);
/* store_schema_check — 0 when the database has exactly this program's
 * migrations;
 * otherwise a clear error saying to run `bianmin init` or to upgrade. */
int store_schema_check(struct store *s, struct err *e);

/* store_now_ms — wall-clock UTC in Unix milliseconds (the one clock the
 * store writes). */
int64_t store_now_ms(void);

#endif
