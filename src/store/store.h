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
 * `writers` threads, each batching on its own connection; there each batch
 * begins by taking one advisory transaction lock, so write transactions of
 * all nodes are serialised (one hash chain for the audit log, no deadlocks)
 * while each still carries many units.
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

struct store_opts {
    int writers;     /* PostgreSQL writer threads; 0 = 2. SQLite: always 1 */
    int max_readers; /* pooled read connections; 0 = 16 */
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
