/* db_pg.c — the PostgreSQL driver of the db.h contract, on libpq.
 *
 * Owns one PGconn per `struct db` and the statements prepared on it. Each
 * `sql` text is prepared once per connection (PQprepare, parameter types left
 * to the server) and found again by the text's address in a small
 * open-addressing map; the map keeps a copy of the text too, so that a caller
 * who breaks the "string constant" rule gets a fresh statement instead of a
 * wrong one. Parameters travel as text ($n: DB_INT in decimal, DB_NULL as
 * NULL), results come back in text format. `script` runs several statements
 * with PQexec and no parameters.
 *
 * Errors: SQLSTATE 23505/23503 (and 23P01, exclusion) → ERR_CONFLICT,
 * 23514/23502 → ERR_INVALID; serialization, deadlock, lock-not-available,
 * shutdown, too-many-clients and connection classes → ERR_UNAVAILABLE;
 * anything else ERR_INTERNAL.
 * e->msg is a short zh-CN line for the person; e->log has the SQLSTATE,
 * table, constraint and libpq text, never sent to a client (for integrity
 * violations only the primary message: their DETAIL quotes the citizen's
 * row). A connection the server has closed keeps failing with
 * ERR_UNAVAILABLE; the pool should drop it (no silent reconnect, which
 * would lose an open transaction unnoticed).
 *
 * On connect the session is set to UTF8 and UTC, and a database whose
 * LC_CTYPE is not a UTF-8 locale is refused, since Chinese search (pg_trgm,
 * lower(), ILIKE) depends on it.
 *
 * Thread-safety: a connection and its results are used by one thread at a
 * time (store.c's pool hands them out); different connections may be used
 * from different threads at once (libpq is built thread-safe). */
#include "db.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

/* One prepared statement: the caller's text pointer (the key), our own copy
 * of the text (checked on every hit) and its server-side name bm_<id>. */
struct pg_stmt {
    const char *key;
    char *text;
    unsigned id;
};

enum { PG_DEFER_MAX = 8 };

struct pg_db {
    struct db base;
    PGconn *conn;
    /* db_defer: statements (string constants) waiting for the next round
     * trip; tx_broken once one of them failed, until the rollback. */
    const char *deferred[PG_DEFER_MAX];
    int n_deferred, tx_broken;
    struct pg_stmt *stmts; /* open addressing, linear probing, no deletes */
    size_t n_stmts, cap_stmts;
    unsigned next_id;
};

struct pg_res {
    struct db_res base;
    PGresult *res;
    int row, n_rows, n_cols;
};

static const struct db_ops k_pg_ops;
static int pg_exec(struct db *db, const char *sql, const struct db_param *p,
                   int np, int64_t *changes, struct err *e);

/* ---- errors ------------------------------------------------------------ */

/* Copy libpq's (multi-line) message to the log, newlines as " | ". */
static void log_text(struct err *e, const char *text)
{
    if (!e || !text)
        return;
    size_t n = strlen(e->log);
    for (const char *p = text; *p && n + 1 < sizeof e->log; p++) {
        if (*p == '\n') {
            if (!p[1])
                break;
            if (n + 4 >= sizeof e->log)
                break;
            memcpy(e->log + n, " | ", 3);
            n += 3;
        } else {
            e->log[n++] = *p;
        }
    }
    e->log[n] = '\0';
}

/* pg_fail — fill *e from a failed result (or, when r is NULL, from the
 * connection) and return -1. `what` names the step for the log. */
static int pg_fail(struct pg_db *d, const PGresult *r, const char *what,
                   struct err *e)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *text = r ? PQresultErrorMessage(r) : "";
    if (!text || !*text)
        text = PQerrorMessage(d->conn);
    if (!state)
        state = "";

    if (!strcmp(state, "23505"))
        err_set(e, ERR_CONFLICT, "", "数据冲突：该记录已存在");
    else if (!strcmp(state, "23503"))
        err_set(e, ERR_CONFLICT, "",
                "数据冲突：关联的记录不存在或仍被引用");
    else if (!strcmp(state, "23P01")) /* EXCLUDE: an overlapping booking */
        err_set(e, ERR_CONFLICT, "", "数据冲突：与已有记录重叠");
    else if (!strcmp(state, "23514"))
        err_set(e, ERR_INVALID, "", "数据不符合约束");
    else if (!strcmp(state, "23502"))
        err_set(e, ERR_INVALID, "", "缺少必填的数据");
    else if (!strcmp(state, "40001") || !strcmp(state, "40P01") ||
             !strcmp(state, "55P03"))
        err_set(e, ERR_UNAVAILABLE, "", "数据库繁忙，请稍后再试");
    else if (!strncmp(state, "08", 2) || !strcmp(state, "57P01") ||
             !strcmp(state, "57P02") || !strcmp(state, "57P03") ||
             !strcmp(state, "53300") ||
             (!*state && PQstatus(d->conn) == CONNECTION_BAD))
        err_set(e, ERR_UNAVAILABLE, "", "数据库暂时无法连接，请稍后再试");
    else
        err_set(e, ERR_INTERNAL, "", "数据库错误");

    err_log(e, "postgres %s: SQLSTATE %s", what, *state ? state : "none");
    const char *table = r ? PQresultErrorField(r, PG_DIAG_TABLE_NAME) : NULL;
    const char *cons = r ? PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME) : NULL;
    if (table)
        err_log(e, " table %s", table);
    if (cons)
        err_log(e, " constraint %s", cons);
    err_log(e, ": ");
    /* An integrity violation's DETAIL quotes the row ("Key (id_no)=(…)"),
     * i.e. a citizen's data: log only the primary message for class 23. */
    const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    /* A data exception's primary message may quote the value itself
     * ('invalid input syntax for type bigint: "…"'): only its SQLSTATE. */
    if (!strncmp(state, "22", 2))
        log_text(e, "(message withheld: it may quote the value)");
    else
        log_text(e, !strncmp(state, "23", 2) && primary ? primary : text);
    return -1;
}

/* ---- statement cache --------------------------------------------------- */

static size_t slot_of(const char *key, size_t cap)
{
    uint64_t h = (uint64_t)(uintptr_t)key;
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    return (size_t)h & (cap - 1);
}

static int cache_grow(struct pg_db *d, struct err *e)
{
    size_t cap = d->cap_stmts ? d->cap_stmts * 2 : 64;
    struct pg_stmt *s = calloc(cap, sizeof *s);
    if (!s)
        return err_set(e, ERR_INTERNAL, "", "内存不足");
    for (size_t i = 0; i < d->cap_stmts; i++) {
        if (!d->stmts[i].key)
            continue;
        size_t j = slot_of(d->stmts[i].key, cap);
        while (s[j].key)
            j = (j + 1) & (cap - 1);
        s[j] = d->stmts[i];
    }
    free(d->stmts);
    d->stmts = s;
    d->cap_stmts = cap;
    return 0;
}

/* stmt_get — the server-side name of `sql` in name[], preparing it on the
 * first use. A failed prepare is not cached (the table may appear later).
 * Slots are never emptied, so probe chains stay whole. */
static int stmt_get(struct pg_db *d, const char *sql, char name[24],
                    struct err *e)
{
    if (d->cap_stmts == 0 || (d->n_stmts + 1) * 2 > d->cap_stmts)
        if (cache_grow(d, e))
            return -1;
    size_t j = slot_of(sql, d->cap_stmts);
    while (d->stmts[j].key && d->stmts[j].key != sql)
        j = (j + 1) & (d->cap_stmts - 1);
    struct pg_stmt *s = &d->stmts[j];
    if (s->key && !strcmp(s->text, sql)) {
        snprintf(name, 24, "bm_%u", s->id);
        return 0;
    }

    char *copy = strdup(sql);
    if (!copy)
        return err_set(e, ERR_INTERNAL, "", "内存不足");
    unsigned id = ++d->next_id;
    snprintf(name, 24, "bm_%u", id);
    PGresult *r = PQprepare(d->conn, name, sql, 0, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        pg_fail(d, r, "prepare", e);
        PQclear(r);
        free(copy);
        return -1;
    }
    PQclear(r);
    if (s->key) {
        /* Same address, other text: the caller broke the string-constant
         * rule. The new statement takes the slot; the old one is dropped
         * (if that fails, in an aborted transaction, it merely lingers). */
        char cmd[40];
        snprintf(cmd, sizeof cmd, "DEALLOCATE bm_%u", s->id);
        PQclear(PQexec(d->conn, cmd));
        free(s->text);
    } else {
        d->n_stmts++;
    }
    s->key = sql;
    s->text = copy;
    s->id = id;
    return 0;
}

/* ---- running statements ------------------------------------------------ */

enum { PG_STACK_PARAMS = 16 };

/* params — p as libpq text values in vals (integers printed into nums);
 * a heap block when np > PG_STACK_PARAMS (*heap, caller frees). */
static int params(const struct db_param *p, int np, const char ***vals,
                  char (**nums)[24], void **heap, struct err *e)
{
    *heap = NULL;
    if (np < 0 || (np > 0 && !p)) {
        err_set(e, ERR_INTERNAL, "", "数据库错误");
        return err_log(e, "postgres: bad parameter array (np=%d)", np);
    }
    if (np > PG_STACK_PARAMS) {
        *heap = malloc((size_t)np * (sizeof **vals + sizeof **nums));
        if (!*heap)
            return err_set(e, ERR_INTERNAL, "", "内存不足");
        /* np rows of char[24] (a multiple of 8 bytes), then the pointers */
        *nums = *heap;
        *vals = (const char **)((char *)*heap + (size_t)np * sizeof **nums);
    }
    for (int i = 0; i < np; i++) {
        switch (p[i].type) {
        case DB_TEXT:
            (*vals)[i] = p[i].s; /* a NULL pointer is sent as SQL NULL */
            break;
        case DB_INT:
            snprintf((*nums)[i], 24, "%" PRId64, p[i].i);
            (*vals)[i] = (*nums)[i];
            break;
        case DB_NULL:
        default:
            (*vals)[i] = NULL;
            break;
        }
    }
    return 0;
}

static int pipeline(struct pg_db *d, struct db_call *calls, int m,
                    PGresult **keep, struct err *e);
static int tx_check(struct pg_db *d, struct err *e);

/* run — prepare (once) and execute `sql` with params as text. On success
 * *out is the result (PGRES_COMMAND_OK or PGRES_TUPLES_OK); caller PQclears. */
static int run(struct pg_db *d, const char *sql, const struct db_param *p,
               int np, PGresult **out, struct err *e)
{
    *out = NULL;
    if (tx_check(d, e))
        return -1;
    if (d->n_deferred) { /* they go in the same round trip */
        struct db_call c = {.sql = sql, .p = p, .np = np};
        return pipeline(d, &c, 1, out, e);
    }
    char name[24];
    const char *vals_stack[PG_STACK_PARAMS];
    char nums_stack[PG_STACK_PARAMS][24];
    const char **vals = vals_stack;
    char(*nums)[24] = nums_stack;
    void *heap = NULL;
    if (params(p, np, &vals, &nums, &heap, e))
        return -1;
    if (stmt_get(d, sql, name, e)) {
        free(heap);
        return -1;
    }
    PGresult *r = PQexecPrepared(d->conn, name, np, vals, NULL, NULL, 0);
    free(heap);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        pg_fail(d, r, "exec", e);
        PQclear(r);
        return -1;
    }
    *out = r;
    return 0;
}

static int64_t changes_of(PGresult *r)
{
    const char *t = PQcmdTuples(r);
    return (t && *t) ? strtoll(t, NULL, 10) : 0;
}

enum { PG_PIPE_MAX = 64 };

/* tx_check — after a deferred statement failed, every call fails until
 * the transaction has been rolled back. */
static int tx_check(struct pg_db *d, struct err *e)
{
    if (d->tx_broken && PQtransactionStatus(d->conn) == PQTRANS_IDLE)
        d->tx_broken = 0;
    if (!d->tx_broken)
        return 0;
    err_set(e, ERR_UNAVAILABLE, "", "数据库暂时无法写入，请稍后再试");
    return err_log(e, "postgres: transaction failed earlier (deferred "
                      "statement); waiting for ROLLBACK");
}

/* pipeline — in one round trip: the deferred statements, then up to
 * PG_PIPE_MAX calls (each prepared first, outside the pipeline), one sync;
 * results read in order. After a failure the server skips the rest
 * (PGRES_PIPELINE_ABORTED); the first error is reported. With `keep`, the
 * last call's result is handed over (caller PQclears). */
static int pipeline(struct pg_db *d, struct db_call *calls, int m,
                    PGresult **keep, struct err *e)
{
    char names[PG_PIPE_MAX][24];
    if (keep)
        *keep = NULL;
    for (int i = 0; i < m; i++)
        if (stmt_get(d, calls[i].sql, names[i], e))
            return -1;
    int nd = d->n_deferred, done_d = 0;
    d->n_deferred = 0;
    if (!PQenterPipelineMode(d->conn)) {
        d->tx_broken |= nd > 0; /* what they did is unknown */
        return pg_fail(d, NULL, "pipeline", e);
    }
    int rc = 0, sent_d = 0, sent = 0;
    for (int j = 0; j < nd && rc == 0; j++) {
        if (!PQsendQueryParams(d->conn, d->deferred[j], 0, NULL, NULL, NULL,
                               NULL, 0))
            rc = pg_fail(d, NULL, "pipeline send", e);
        else
            sent_d++;
    }
    for (int i = 0; i < m && rc == 0; i++) {
        const char *vals_stack[PG_STACK_PARAMS];
        char nums_stack[PG_STACK_PARAMS][24];
        const char **vals = vals_stack;
        char(*nums)[24] = nums_stack;
        void *heap = NULL;
        if (params(calls[i].p, calls[i].np, &vals, &nums, &heap, e)) {
            rc = -1;
            break;
        }
        if (!PQsendQueryPrepared(d->conn, names[i], calls[i].np, vals, NULL,
                                 NULL, 0))
            rc = pg_fail(d, NULL, "pipeline send", e);
        else
            sent++;
        free(heap);
    }
    if (PQpipelineSync(d->conn) != 1 && rc == 0)
        rc = pg_fail(d, NULL, "pipeline sync", e);
    for (int k = 0; k < sent_d + sent; k++) {
        PGresult *r = PQgetResult(d->conn);
        if (!r) {
            if (rc == 0)
                rc = pg_fail(d, NULL, "pipeline result", e);
            break;
        }
        ExecStatusType st = PQresultStatus(r);
        int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
        if (k < sent_d) { /* a deferred statement; a COMMIT of an aborted
                           * transaction answers "ROLLBACK" */
            if (ok && !strcmp(PQcmdStatus(r), "ROLLBACK") &&
                strncmp(d->deferred[k], "ROLLBACK", 8) != 0)
                ok = 0;
            done_d += ok;
            if (!ok) {
                d->tx_broken = 1;
                if (rc == 0)
                    rc = pg_fail(d, r, d->deferred[k], e);
                if (rc && e && e->code == ERR_INTERNAL)
                    e->code = ERR_UNAVAILABLE;
            }
        } else {
            struct db_call *c = &calls[k - sent_d];
            if (ok)
                c->changes = changes_of(r);
            else if (rc == 0)
                rc = pg_fail(d, r,
                             st == PGRES_PIPELINE_ABORTED
                                 ? "exec (pipeline aborted)"
                                 : "exec",
                             e);
            if (ok && keep && k == sent_d + sent - 1 && rc == 0) {
                *keep = r;
                r = NULL;
            }
        }
        PQclear(r);
        while ((r = PQgetResult(d->conn)) != NULL) /* the query's end */
            PQclear(r);
    }
    PGresult *r;
    while ((r = PQgetResult(d->conn)) != NULL) { /* the sync */
        ExecStatusType st = PQresultStatus(r);
        PQclear(r);
        if (st == PGRES_PIPELINE_SYNC)
            break;
    }
    if (!PQexitPipelineMode(d->conn) && rc == 0)
        rc = pg_fail(d, NULL, "pipeline exit", e);
    if (done_d < nd) /* a deferred statement failed or never ran */
        d->tx_broken = 1;
    if (rc && keep && *keep) {
        PQclear(*keep);
        *keep = NULL;
    }
    return rc;
}

static int pg_defer(struct db *db, const char *sql, struct err *e)
{
    struct pg_db *d = (struct pg_db *)db;
    if (d->n_deferred == PG_DEFER_MAX && pipeline(d, NULL, 0, NULL, e))
        return -1;
    d->deferred[d->n_deferred++] = sql;
    return 0;
}

static int pg_flush(struct db *db, struct err *e)
{
    struct pg_db *d = (struct pg_db *)db;
    if (tx_check(d, e))
        return -1;
    return d->n_deferred ? pipeline(d, NULL, 0, NULL, e) : 0;
}

static int pg_exec_all(struct db *db, struct db_call *calls, int n,
                       struct err *e)
{
    struct pg_db *d = (struct pg_db *)db;
    if (n == 1)
        return pg_exec(db, calls[0].sql, calls[0].p, calls[0].np,
                       &calls[0].changes, e);
    if (tx_check(d, e))
        return -1;
    for (int k = 0; k < n; k += PG_PIPE_MAX)
        if (pipeline(d, calls + k, n - k < PG_PIPE_MAX ? n - k : PG_PIPE_MAX,
                     NULL, e))
            return -1;
    return 0;
}

static int pg_exec(struct db *db, const char *sql, const struct db_param *p,
                   int np, int64_t *changes, struct err *e)
{
    struct pg_db *d = (struct pg_db *)db;
    PGresult *r;
    if (run(d, sql, p, np, &r, e))
        return -1;
    if (changes)
        *changes = changes_of(r);
    PQclear(r);
    return 0;
}

static int pg_query(struct db *db, const char *sql, const struct db_param *p,
                    int np, struct db_res **out, struct err *e)
{
    struct pg_db *d = (struct pg_db *)db;
    *out = NULL;
    struct pg_res *res = calloc(1, sizeof *res);
    if (!res)
        return err_set(e, ERR_INTERNAL, "", "内存不足");
    if (run(d, sql, p, np, &res->res, e)) {
        free(res);
        return -1;
    }
    res->base.ops = &k_pg_ops;
    res->row = -1;
    res->n_rows = PQntuples(res->res);
    res->n_cols = PQnfields(res->res);
    *out = &res->base;
    return 0;
}

/* script — PQexec runs the ;-separated statements and stops at the first
 * error. If the script began outside a transaction and left one aborted
 * (a failing "BEGIN; …; COMMIT"), roll it back so the connection is clean. */
static int pg_script(struct db *db, const char *sql, struct err *e)
{
    struct pg_db *d = (struct pg_db *)db;
    /* Deferred statements go first; a ROLLBACK drops them and always runs
     * (it is how a transaction a deferred statement broke is ended). */
    if (!strncmp(sql, "ROLLBACK", 8)) {
        d->n_deferred = 0;
    } else if ((d->n_deferred && pipeline(d, NULL, 0, NULL, e)) ||
               tx_check(d, e)) {
        return -1;
    }
    PGTransactionStatusType before = PQtransactionStatus(d->conn);
    PGresult *r = PQexec(d->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ||
        st == PGRES_EMPTY_QUERY) {
        PQclear(r);
        return 0;
    }
    pg_fail(d, r, "script", e);
    PQclear(r);
    if (before == PQTRANS_IDLE && PQtransactionStatus(d->conn) == PQTRANS_INERROR)
        PQclear(PQexec(d->conn, "ROLLBACK"));
    return -1;
}

/* ---- rows -------------------------------------------------------------- */

static int pg_next(struct db_res *rb, struct err *e)
{
    struct pg_res *r = (struct pg_res *)rb;
    if (r->row < r->n_rows)
        r->row++;
    return r->row < r->n_rows ? 1 : 0;
}

static int cell_ok(const struct pg_res *r, int i)
{
    return r->row >= 0 && r->row < r->n_rows && i >= 0 && i < r->n_cols;
}

static const char *pg_col_text(struct db_res *rb, int i)
{
    struct pg_res *r = (struct pg_res *)rb;
    if (!cell_ok(r, i) || PQgetisnull(r->res, r->row, i))
        return NULL;
    return PQgetvalue(r->res, r->row, i);
}

/* Integers come back as decimal text; booleans (EXISTS, comparisons) as
 * "t"/"f", read as 1/0 like SQLite's. */
static int64_t pg_col_int(struct db_res *rb, int i)
{
    const char *t = pg_col_text(rb, i);
    if (!t)
        return 0;
    if (t[0] == 't' && !t[1])
        return 1;
    if (t[0] == 'f' && !t[1])
        return 0;
    return strtoll(t, NULL, 10);
}

static int pg_col_null(struct db_res *rb, int i)
{
    struct pg_res *r = (struct pg_res *)rb;
    return !cell_ok(r, i) || PQgetisnull(r->res, r->row, i);
}

static void pg_res_free(struct db_res *rb)
{
    struct pg_res *r = (struct pg_res *)rb;
    if (!r)
        return;
    PQclear(r->res);
    free(r);
}

static void pg_close(struct db *db)
{
    struct pg_db *d = (struct pg_db *)db;
    if (!d)
        return;
    for (size_t i = 0; i < d->cap_stmts; i++)
        free(d->stmts[i].text);
    free(d->stmts);
    PQfinish(d->conn);
    free(d);
}

static int pg_alive(struct db *db)
{
    return PQstatus(((struct pg_db *)db)->conn) == CONNECTION_OK;
}

static const struct db_ops k_pg_ops = {
    .version = 2,
    .name = "postgres",
    .dialect = DB_POSTGRES,
    .exec = pg_exec,
    .query = pg_query,
    .script = pg_script,
    .next = pg_next,
    .col_text = pg_col_text,
    .col_int = pg_col_int,
    .col_null = pg_col_null,
    .res_free = pg_res_free,
    .close = pg_close,
    .alive = pg_alive,
    .exec_all = pg_exec_all,
    .insert_id = db_query_int,
    .defer = pg_defer,
    .flush = pg_flush,
};

/* ---- connecting -------------------------------------------------------- */

/* Server NOTICEs ("… already exists, skipping") would go to stderr. */
static void quiet_notice(void *arg, const char *message) {}

static int is_utf8_locale(const char *loc)
{
    /* "C.UTF-8", "zh_CN.UTF-8", "en_US.utf8" */
    for (const char *p = loc; *p; p++) {
        if (*p != '.')
            continue;
        const char *c = p + 1;
        if (!strncasecmp(c, "utf-8", 5) || !strncasecmp(c, "utf8", 4))
            return 1;
    }
    return 0;
}

/* check_database — UTF8 encoding and a UTF-8 LC_CTYPE, or fail. */
static int check_database(struct pg_db *d, struct err *e)
{
    const char *enc = PQparameterStatus(d->conn, "server_encoding");
    PGresult *r = PQexec(d->conn,
                         "SELECT datctype FROM pg_database "
                         "WHERE datname = current_database()");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        pg_fail(d, r, "connect check", e);
        PQclear(r);
        return -1;
    }
    const char *ctype = PQgetvalue(r, 0, 0);
    if (!enc || strcmp(enc, "UTF8") || !is_utf8_locale(ctype)) {
        err_set(e, ERR_INTERNAL, "",
                "数据库字符集不是 UTF-8，无法支持中文检索，"
                "请以 UTF8 编码和 C.UTF-8 区域重建数据库");
        err_log(e, "postgres connect: database %s has encoding %s, "
                   "LC_CTYPE %s; need UTF8 and a UTF-8 LC_CTYPE "
                   "(CREATE DATABASE … ENCODING 'UTF8' LC_CTYPE 'C.UTF-8')",
                PQdb(d->conn), enc ? enc : "?", ctype);
        PQclear(r);
        return -1;
    }
    PQclear(r);
    return 0;
}

struct db *db_pg_open(const char *conninfo, struct err *e)
{
    if (!conninfo) {
        err_set(e, ERR_INTERNAL, "", "数据库地址未配置");
        return NULL;
    }
    struct pg_db *d = calloc(1, sizeof *d);
    if (!d) {
        err_set(e, ERR_INTERNAL, "", "内存不足");
        return NULL;
    }
    d->base.ops = &k_pg_ops;

    /* Defaults first; the URL (expanded from dbname) overrides them. */
    const char *const keys[] = {"connect_timeout", "application_name",
                                "client_encoding", "dbname", NULL};
    const char *const vals[] = {"10", "bianmin", "UTF8", conninfo, NULL};
    d->conn = PQconnectdbParams(keys, vals, 1);
    if (!d->conn) {
        err_set(e, ERR_INTERNAL, "", "内存不足");
        free(d);
        return NULL;
    }
    if (PQstatus(d->conn) != CONNECTION_OK) {
        err_set(e, ERR_UNAVAILABLE, "", "数据库暂时无法连接，请稍后再试");
        err_log(e, "postgres connect: ");
        log_text(e, PQerrorMessage(d->conn));
        pg_close(&d->base);
        return NULL;
    }
    PQsetNoticeProcessor(d->conn, quiet_notice, NULL);

    PGresult *r = PQexec(d->conn, "SET client_encoding TO 'UTF8'; "
                                  "SET TIME ZONE 'UTC'");
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        pg_fail(d, r, "connect settings", e);
        PQclear(r);
        pg_close(&d->base);
        return NULL;
    }
    PQclear(r);
    if (check_database(d, e)) {
        pg_close(&d->base);
        return NULL;
    }
    return &d->base;
}
