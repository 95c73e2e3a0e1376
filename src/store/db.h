/* db.h — the driver contract: one connection to one database, SQL with $n
 * parameters, rows read by column. Two drivers fill a `struct db_ops`:
 * sqlite (db_sqlite.c) and postgres (db_pg.c). Everything in store/ above the
 * drivers (regions.c, orgs.c, …) is written once against this interface, with
 * SQL as `static const char` text using $1, $2… (the SQLite driver binds them
 * by name), so one text serves both databases.
 *
 * Dialect rules for shared SQL: ON CONFLICT … DO NOTHING/UPDATE, RETURNING,
 * integers for booleans and for times (Unix milliseconds, UTC), TEXT for
 * strings; no driver-specific functions. A statement that truly differs is
 * chosen with db_dialect().
 *
 * Parameters: where SQL does not fix a parameter's type (`$1 IS NULL`), write
 * CAST($1 AS TEXT|BIGINT) at its first use; use BIGINT, not INTEGER, for
 * values that may pass 2^31 (INTEGER is 32-bit on PostgreSQL).
 * Scripts: a failed script leaves no transaction it opened; a script without
 * BEGIN runs statement by statement on SQLite, as one transaction on
 * PostgreSQL — wrap it if it must be atomic (the writer's units already are).
 * Results: two results of the same SQL text may be open at once. query sets
 * *out to NULL on failure. db_next may be the first to report an error; after
 * it returned 0 it keeps returning 0.
 *
 * Thread-safety: a `struct db` is used by one thread at a time (the pool in
 * store.c hands it out). Errors: every failing call returns -1 and fills *e;
 * a unique, foreign-key or exclusion violation becomes ERR_CONFLICT, a CHECK
 * or NOT NULL violation ERR_INVALID, a busy/locked, serialization or
 * connection failure ERR_UNAVAILABLE, anything else ERR_INTERNAL, with the
 * driver's text and SQLSTATE/extended code in e->log (never the row's data). */
#ifndef BIANMIN_STORE_DB_H
#define BIANMIN_STORE_DB_H

#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"

struct db;     /* one connection; driver state follows the ops pointer */
struct db_res; /* rows of one query; freed by db_res_free */

enum db_dialect { DB_SQLITE = 1, DB_POSTGRES = 2 };

enum db_ptype { DB_NULL = 0, DB_TEXT, DB_INT };

/* One bound parameter; $1 is params[0]. Text is borrowed for the call. */
struct db_param {
    enum db_ptype type;
    const char *s; /* DB_TEXT: NUL-terminated UTF-8 */
    int64_t i;     /* DB_INT */
};

#define DBP_TEXT(x) ((struct db_param){.type = DB_TEXT, .s = (x)})
#define DBP_INT(x) ((struct db_param){.type = DB_INT, .i = (x)})
#define DBP_NULL ((struct db_param){.type = DB_NULL})
/* DBP_TEXT_OR_NULL — NULL for a NULL or empty string. */
#define DBP_TEXT_OR_NULL(x)                                                    \
    ((x) && *(x) ? DBP_TEXT(x) : DBP_NULL)

/* One statement of db_exec_all: sql (a string constant, as for exec) with
 * its parameters; `changes` is filled with the rows it changed. */
struct db_call {
    const char *sql;
    const struct db_param *p;
    int np;
    int64_t changes;
};

struct db_ops {
    int version;      /* 2; bump when appending members */
    const char *name; /* "sqlite" | "postgres" */
    enum db_dialect dialect;
    /* exec — run one statement (no rows expected); *changes (may be NULL)
     * gets the number of rows inserted, updated or deleted. `sql` must be a
     * string constant: drivers cache prepared statements by its address. */
    int (*exec)(struct db *, const char *sql, const struct db_param *p, int np,
                int64_t *changes, struct err *e);
    /* query — run one statement returning rows; *out is freed by res_free. */
    int (*query)(struct db *, const char *sql, const struct db_param *p, int np,
                 struct db_res **out, struct err *e);
    /* script — run several ;-separated statements without parameters
     * (migrations, BEGIN/COMMIT, SAVEPOINT). */
    int (*script)(struct db *, const char *sql, struct err *e);
    /* next — advance to the next row: 1 row ready, 0 no more, -1 error. */
    int (*next)(struct db_res *, struct err *e);
    /* col_* — the current row's column i (from 0). Text is borrowed until the
     * next call of next/free; NULL text for SQL NULL; int 0 for NULL. */
    const char *(*col_text)(struct db_res *, int i);
    int64_t (*col_int)(struct db_res *, int i);
    int (*col_null)(struct db_res *, int i);
    void (*res_free)(struct db_res *);
    void (*close)(struct db *);
    /* alive — 0 once the connection is known to be lost (the server closed
     * it); the pool and the writer then replace it. */
    int (*alive)(struct db *);
    /* exec_all — run n statements (no rows expected) in order, stopping at
     * the first that fails; PostgreSQL sends them in one round trip (libpq
     * pipeline mode), SQLite runs them one by one. Version 2. */
    int (*exec_all)(struct db *, struct db_call *calls, int n, struct err *e);
    /* insert_id — see db_insert_id. Version 2. */
    int (*insert_id)(struct db *, const char *sql, const struct db_param *p,
                     int np, int64_t *id, struct err *e);
    /* defer, flush — see db_defer. Version 2. */
    int (*defer)(struct db *, const char *sql, struct err *e);
    int (*flush)(struct db *, struct err *e);
};

struct db {
    const struct db_ops *ops;
};

/* db_open — connect by URL: "sqlite:PATH" (created if absent; WAL, foreign
 * keys on, busy timeout 5 s, synchronous=FULL) or "postgresql://…" /
 * "postgres://…" (libpq conninfo URL). `for_write` (SQLite) takes the
 * connection that the writer thread owns. Caller frees with db_close. */
struct db *db_open(const char *url, int for_write, struct err *e);
void db_close(struct db *db);

/* Thin inline wrappers, so that callers read as db_exec(db, SQL_X, …). */
static inline int db_exec(struct db *db, const char *sql,
                          const struct db_param *p, int np, int64_t *changes,
                          struct err *e)
{
    return db->ops->exec(db, sql, p, np, changes, e);
}
static inline int db_query(struct db *db, const char *sql,
                           const struct db_param *p, int np,
                           struct db_res **out, struct err *e)
{
    return db->ops->query(db, sql, p, np, out, e);
}
static inline int db_script(struct db *db, const char *sql, struct err *e)
{
    return db->ops->script(db, sql, e);
}
static inline int db_exec_all(struct db *db, struct db_call *calls, int n,
                              struct err *e)
{
    return db->ops->exec_all(db, calls, n, e);
}
/* db_insert_id — run an INSERT of one row whose text ends in
 * " RETURNING id"; *id = the new row's id. PostgreSQL runs it as written.
 * SQLite runs the text without that clause and reads the rowid (its
 * RETURNING builds a temporary table on every run), so `id` must be the
 * table's INTEGER PRIMARY KEY (@ID@ in migrations.c). */
static inline int db_insert_id(struct db *db, const char *sql,
                               const struct db_param *p, int np, int64_t *id,
                               struct err *e)
{
    return db->ops->insert_id(db, sql, p, np, id, e);
}
/* db_defer — a statement without parameters or rows (transaction control:
 * BEGIN, SAVEPOINT, RELEASE, ROLLBACK TO, COMMIT; a string constant), run
 * ahead of this connection's next statement. SQLite runs it at once (a
 * cached prepared statement). PostgreSQL keeps it and sends it in the same
 * round trip as the next statement (libpq pipeline mode), or alone on
 * db_flush. When a deferred statement fails, the call that carried it fails
 * (its error in e), and so does every call after it until the transaction
 * has been rolled back (ROLLBACK by db_script). */
static inline int db_defer(struct db *db, const char *sql, struct err *e)
{
    return db->ops->defer(db, sql, e);
}
/* db_flush — send what db_defer kept, now (one round trip). */
static inline int db_flush(struct db *db, struct err *e)
{
    return db->ops->flush(db, e);
}
static inline enum db_dialect db_dialect(const struct db *db)
{
    return db->ops->dialect;
}

/* Rows: the result keeps a pointer to its driver's ops. */
struct db_res {
    const struct db_ops *ops;
};
static inline int db_next(struct db_res *r, struct err *e)
{
    return r->ops->next(r, e);
}
static inline const char *db_text(struct db_res *r, int i)
{
    return r->ops->col_text(r, i);
}
static inline int64_t db_int(struct db_res *r, int i)
{
    return r->ops->col_int(r, i);
}
static inline int db_null(struct db_res *r, int i)
{
    return r->ops->col_null(r, i);
}
static inline void db_res_free(struct db_res *r)
{
    if (r)
        r->ops->res_free(r);
}

/* db_query_int — run a query whose first row's first column is an integer;
 * *out = that value. ERR_NOT_FOUND when there is no row. */
int db_query_int(struct db *db, const char *sql, const struct db_param *p,
                 int np, int64_t *out, struct err *e);

/* db_each — run a query and call row(ctx, r) for each row, reading the
 * current row's columns from r, until row returns nonzero; *count (may be
 * NULL) gets the rows seen. The loop every store module would otherwise
 * write again. */
typedef int (*db_row_fn)(void *ctx, struct db_res *r);
int db_each(struct db *db, const char *sql, const struct db_param *p, int np,
            db_row_fn row, void *ctx, int *count, struct err *e);

/* Driver constructors (db.c dispatches on the URL). */
struct db *db_sqlite_open(const char *path, int for_write, struct err *e);
struct db *db_pg_open(const char *conninfo, struct err *e);

#endif
