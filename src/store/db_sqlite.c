/* db_sqlite.c — the SQLite driver of db.h.
 *
 * One `struct db` is one sqlite3 connection in WAL mode with foreign keys on,
 * a 5 s busy timeout and synchronous=FULL, so a COMMIT that returns is on
 * disk. Prepared statements are cached per connection by the address of the
 * SQL text (always a string constant) and reset after use; $1, $2… are bound
 * by name. One thread at a time per connection (the store's pool sees to it);
 * the library itself is in its default serialized mode.
 *
 * Checkpoints: the write connection does not copy the WAL back into the
 * database itself (SQLite's automatic checkpoint would, inside the COMMIT
 * of whichever batch passed 1000 pages, on the writer thread that every
 * write waits for). Its WAL hook wakes a checkpoint thread of its own
 * (bm-checkpoint, own connection) that runs a PASSIVE checkpoint, which
 * never blocks the writer or a reader. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "db.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fts_bigram.h"

#define STMT_CACHE 256 /* open-addressing slots; more SQL texts than this is a bug */

struct stmt_slot {
    const char *sql;
    sqlite3_stmt *st;
    int in_order; /* $1..$n took SQLite indexes 1..n: bind by position */
};

/* WAL pages before the checkpoint thread copies them back: SQLite's own
 * default. 8000 gave at most a few per cent more durable writes per second
 * (a page written by many batches is copied once) but p99 spikes of 40–340
 * ms when the writer's own checkpoint (on_wal) had to sync that much. */
#define CHECKPOINT_PAGES 1000

/* The write connection's checkpoint thread. */
struct ckpt {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int want, stop;
    char *path;
};

struct db_sqlite {
    struct db base;
    sqlite3 *h;
    struct ckpt *ck; /* write connection only */
    struct stmt_slot cache[STMT_CACHE];
    int n_cached;
};

struct res_sqlite {
    struct db_res base;
    struct db_sqlite *db;
    sqlite3_stmt *st;
    int cached; /* reset, not finalize, on free */
    int done;
};

static const struct db_ops k_ops;

static int map_error(struct db_sqlite *d, int rc, const char *sql, struct err *e)
{
    int ext = sqlite3_extended_errcode(d->h);
    const char *text = sqlite3_errmsg(d->h);
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
        if (ext == SQLITE_CONSTRAINT_UNIQUE ||
            ext == SQLITE_CONSTRAINT_PRIMARYKEY)
            err_set(e, ERR_CONFLICT, NULL, "数据冲突：该记录已存在");
        else if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
            err_set(e, ERR_CONFLICT, NULL, "数据冲突：关联的记录不存在或仍被引用");
        else
            err_set(e, ERR_INVALID, NULL, "数据不符合约束");
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        err_set(e, ERR_UNAVAILABLE, NULL, "数据库繁忙，请稍后再试");
        break;
    default:
        err_set(e, ERR_INTERNAL, NULL, "数据库错误");
    }
    err_log(e, "sqlite %d/%d: %s; sql: %.120s", rc, ext, text, sql ? sql : "");
    return -1;
}

/* 1 when parameter k of st is named "$k" for every k, so that binding can
 * go by position instead of looking each name up (a 320-parameter bulk
 * insert spent a third of its time in name look-ups). */
static int params_in_order(sqlite3_stmt *st)
{
    int n = sqlite3_bind_parameter_count(st);
    for (int k = 1; k <= n; k++) {
        const char *name = sqlite3_bind_parameter_name(st, k);
        if (!name || name[0] != '$' || atoi(name + 1) != k)
            return 0;
    }
    return 1;
}

/* Find or prepare the cached statement for `sql`. */
static sqlite3_stmt *stmt_get_n(struct db_sqlite *d, const char *sql,
                                const char *key, int nbytes, int *cached,
                                int *in_order, struct err *e);

static sqlite3_stmt *stmt_get(struct db_sqlite *d, const char *sql,
                              int *cached, int *in_order, struct err *e)
{
    return stmt_get_n(d, sql, sql, -1, cached, in_order, e);
}

/* stmt_get_n — the first nbytes of sql (-1: all), cached under `key`. */
static sqlite3_stmt *stmt_get_n(struct db_sqlite *d, const char *sql,
                                const char *key, int nbytes, int *cached,
                                int *in_order, struct err *e)
{
    size_t h = ((uintptr_t)key >> 3) % STMT_CACHE;
    for (size_t i = 0; i < STMT_CACHE; i++) {
        struct stmt_slot *s = &d->cache[(h + i) % STMT_CACHE];
        if (s->sql == key) {
            if (!sqlite3_stmt_busy(s->st)) {
                *cached = 1;
                *in_order = s->in_order;
                return s->st;
            }
            break; /* in use by an open result: prepare a private copy */
        }
        if (!s->sql)
            break;
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(d->h, sql, nbytes, SQLITE_PREPARE_PERSISTENT,
                                &st, NULL);
    if (rc != SQLITE_OK) {
        map_error(d, rc, sql, e);
        return NULL;
    }
    *cached = 0;
    *in_order = params_in_order(st);
    int present = 0;
    for (size_t i = 0; i < STMT_CACHE && !present; i++)
        present = d->cache[i].sql == key;
    if (!present && d->n_cached < STMT_CACHE * 3 / 4) {
        for (size_t i = 0; i < STMT_CACHE; i++) {
            struct stmt_slot *s = &d->cache[(h + i) % STMT_CACHE];
            if (!s->sql) {
                s->sql = key;
                s->st = st;
                s->in_order = *in_order;
                d->n_cached++;
                *cached = 1;
                break;
            }
        }
    }
    return st;
}

static int bind_all(struct db_sqlite *d, sqlite3_stmt *st, const char *sql,
                    int in_order, const struct db_param *p, int np,
                    struct err *e)
{
    int want = sqlite3_bind_parameter_count(st);
    for (int i = 0; i < np; i++) {
        char name[16];
        int idx = i + 1;
        if (!in_order) {
            snprintf(name, sizeof name, "$%d", i + 1);
            idx = sqlite3_bind_parameter_index(st, name);
        } else if (idx > want) {
            idx = 0;
            snprintf(name, sizeof name, "$%d", i + 1);
        }
        if (idx == 0)
            return err_set(e, ERR_INTERNAL, NULL, "数据库错误"),
                   err_log(e, "sqlite: no parameter %s in: %.120s", name, sql);
        int rc;
        switch (p[i].type) {
        case DB_TEXT:
            rc = sqlite3_bind_text(st, idx, p[i].s, -1, SQLITE_STATIC);
            break;
        case DB_INT:
            rc = sqlite3_bind_int64(st, idx, p[i].i);
            break;
        default:
            rc = sqlite3_bind_null(st, idx);
        }
        if (rc != SQLITE_OK)
            return map_error(d, rc, sql, e);
    }
    if (want != np)
        return err_set(e, ERR_INTERNAL, NULL, "数据库错误"),
               err_log(e, "sqlite: %d params bound, %d wanted: %.120s", np,
                       want, sql);
    return 0;
}

static void stmt_done(sqlite3_stmt *st, int cached)
{
    if (cached) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    } else {
        sqlite3_finalize(st);
    }
}

static int sq_exec(struct db *db, const char *sql, const struct db_param *p,
                   int np, int64_t *changes, struct err *e)
{
    struct db_sqlite *d = (struct db_sqlite *)db;
    int cached, in_order;
    sqlite3_stmt *st = stmt_get(d, sql, &cached, &in_order, e);
    if (!st)
        return -1;
    if (bind_all(d, st, sql, in_order, p, np, e)) {
        stmt_done(st, cached);
        return -1;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    if (rc != SQLITE_DONE) {
        map_error(d, rc, sql, e);
        stmt_done(st, cached);
        return -1;
    }
    if (changes)
        *changes = sqlite3_changes64(d->h);
    stmt_done(st, cached);
    return 0;
}

/* sq_insert_id — db_insert_id: the text up to " RETURNING id", prepared
 * and cached under the key sql + 1 (an address inside the same constant,
 * so it never meets another text's key, nor this text run whole). */
static int sq_insert_id(struct db *db, const char *sql,
                        const struct db_param *p, int np, int64_t *id,
                        struct err *e)
{
    static const char k_tail[] = " RETURNING id";
    struct db_sqlite *d = (struct db_sqlite *)db;
    size_t n = strlen(sql), t = sizeof k_tail - 1;
    if (n <= t || strcmp(sql + n - t, k_tail) != 0)
        return err_set(e, ERR_INTERNAL, NULL, "数据库错误"),
               err_log(e, "sqlite: insert_id without RETURNING id: %.120s",
                       sql);
    int cached, in_order;
    sqlite3_stmt *st =
        stmt_get_n(d, sql, sql + 1, (int)(n - t), &cached, &in_order, e);
    if (!st)
        return -1;
    if (bind_all(d, st, sql, in_order, p, np, e)) {
        stmt_done(st, cached);
        return -1;
    }
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        map_error(d, rc, sql, e);
        stmt_done(st, cached);
        return -1;
    }
    *id = sqlite3_last_insert_rowid(d->h);
    stmt_done(st, cached);
    return 0;
}

static int sq_defer(struct db *db, const char *sql, struct err *e)
{
    return sq_exec(db, sql, NULL, 0, NULL, e);
}

static int sq_flush(struct db *db, struct err *e)
{
    (void)db;
    (void)e;
    return 0;
}

static int sq_exec_all(struct db *db, struct db_call *calls, int n,
                       struct err *e)
{
    for (int i = 0; i < n; i++)
        if (sq_exec(db, calls[i].sql, calls[i].p, calls[i].np,
                    &calls[i].changes, e))
            return -1;
    return 0;
}

static int sq_query(struct db *db, const char *sql, const struct db_param *p,
                    int np, struct db_res **out, struct err *e)
{
    struct db_sqlite *d = (struct db_sqlite *)db;
    *out = NULL;
    int cached, in_order;
    sqlite3_stmt *st = stmt_get(d, sql, &cached, &in_order, e);
    if (!st)
        return -1;
    if (bind_all(d, st, sql, in_order, p, np, e)) {
        stmt_done(st, cached);
        return -1;
    }
    struct res_sqlite *r = malloc(sizeof *r);
    if (!r) {
        stmt_done(st, cached);
        return err_set(e, ERR_INTERNAL, NULL, "内存不足");
    }
    r->base.ops = &k_ops;
    r->db = d;
    r->st = st;
    r->cached = cached;
    r->done = 0;
    *out = &r->base;
    return 0;
}

static int sq_next(struct db_res *res, struct err *e)
{
    struct res_sqlite *r = (struct res_sqlite *)res;
    if (r->done)
        return 0;
    int rc = sqlite3_step(r->st);
    if (rc == SQLITE_ROW)
        return 1;
    r->done = 1;
    if (rc == SQLITE_DONE)
        return 0;
    return map_error(r->db, rc, sqlite3_sql(r->st), e);
}

static const char *sq_col_text(struct db_res *res, int i)
{
    return (const char *)sqlite3_column_text(((struct res_sqlite *)res)->st, i);
}

static int64_t sq_col_int(struct db_res *res, int i)
{
    return sqlite3_column_int64(((struct res_sqlite *)res)->st, i);
}

static int sq_col_null(struct db_res *res, int i)
{
    return sqlite3_column_type(((struct res_sqlite *)res)->st, i) ==
           SQLITE_NULL;
}

static void sq_res_free(struct db_res *res)
{
    struct res_sqlite *r = (struct res_sqlite *)res;
    stmt_done(r->st, r->cached);
    free(r);
}

static int sq_script(struct db *db, const char *sql, struct err *e)
{
    struct db_sqlite *d = (struct db_sqlite *)db;
    char *msg = NULL;
    int was_auto = sqlite3_get_autocommit(d->h);
    int rc = sqlite3_exec(d->h, sql, NULL, NULL, &msg);
    sqlite3_free(msg);
    if (rc != SQLITE_OK) {
        map_error(d, rc, sql, e);
        if (was_auto && !sqlite3_get_autocommit(d->h))
            sqlite3_exec(d->h, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

static void *ckpt_main(void *arg)
{
    struct ckpt *c = arg;
    pthread_setname_np(pthread_self(), "bm-checkpoint");
    sqlite3 *h = NULL;
    if (sqlite3_open_v2(c->path, &h,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        sqlite3_close(h);
        h = NULL;
    } else { /* open the file now: until then it knows no WAL */
        sqlite3_busy_timeout(h, 5000);
        sqlite3_exec(h, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    }
    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (!c->want && !c->stop)
            pthread_cond_wait(&c->cv, &c->mu);
        if (c->stop)
            break;
        c->want = 0;
        pthread_mutex_unlock(&c->mu);
        if (h) /* PASSIVE: copies what no reader still needs; never waits */
            sqlite3_wal_checkpoint_v2(h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
                                      NULL);
        pthread_mutex_lock(&c->mu);
    }
    pthread_mutex_unlock(&c->mu);
    sqlite3_close(h);
    return NULL;
}

/* After every commit on the write connection: the WAL's size in pages.
 * Past CHECKPOINT_PAGES the thread copies the WAL back. The WAL only starts
 * over from its beginning when a checkpoint has copied all of it before the
 * writer's next BEGIN, which the thread rarely hits while writes keep
 * coming; so past twice that the writer itself runs a PASSIVE checkpoint
 * here, which has little left to copy, and the WAL is reused. */
static int on_wal(void *arg, sqlite3 *h, const char *name, int pages)
{
    struct ckpt *c = arg;
    if (pages >= 2 * CHECKPOINT_PAGES)
        sqlite3_wal_checkpoint_v2(h, name, SQLITE_CHECKPOINT_PASSIVE, NULL,
                                  NULL);
    else if (pages >= CHECKPOINT_PAGES) {
        pthread_mutex_lock(&c->mu);
        c->want = 1;
        pthread_cond_signal(&c->cv);
        pthread_mutex_unlock(&c->mu);
    }
    return SQLITE_OK;
}

/* ckpt_start — the checkpoint thread of d; without it (no memory, no
 * thread) SQLite's automatic checkpoint stays on. */
static void ckpt_start(struct db_sqlite *d, const char *path)
{
    struct ckpt *c = calloc(1, sizeof *c);
    if (!c)
        return;
    c->path = strdup(path);
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    if (!c->path || pthread_create(&c->th, NULL, ckpt_main, c) != 0) {
        free(c->path);
        free(c);
        return;
    }
    d->ck = c;
    sqlite3_wal_hook(d->h, on_wal, c); /* replaces the automatic one */
}

static void ckpt_stop(struct db_sqlite *d)
{
    struct ckpt *c = d->ck;
    if (!c)
        return;
    sqlite3_wal_hook(d->h, NULL, NULL);
    pthread_mutex_lock(&c->mu);
    c->stop = 1;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->th, NULL);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    free(c->path);
    free(c);
    d->ck = NULL;
}

static void sq_close(struct db *db)
{
    struct db_sqlite *d = (struct db_sqlite *)db;
    ckpt_stop(d);
    for (int i = 0; i < STMT_CACHE; i++)
        if (d->cache[i].st)
            sqlite3_finalize(d->cache[i].st);
    sqlite3_close(d->h);
    free(d);
}

static int sq_alive(struct db *db)
{
    return 1; /* a file does not hang up */
}

static const struct db_ops k_ops = {
    .version = 2,
    .name = "sqlite",
    .dialect = DB_SQLITE,
    .exec = sq_exec,
    .query = sq_query,
    .script = sq_script,
    .next = sq_next,
    .col_text = sq_col_text,
    .col_int = sq_col_int,
    .col_null = sq_col_null,
    .res_free = sq_res_free,
    .close = sq_close,
    .alive = sq_alive,
    .exec_all = sq_exec_all,
    .insert_id = sq_insert_id,
    .defer = sq_defer,
    .flush = sq_flush,
};

/* Process-wide settings, before SQLite initialises itself: no memory
 * statistics, which would take one global mutex around every sqlite3_malloc
 * and sqlite3_free of every connection (the readers and the writer then
 * queue on it; bianmin never reads those statistics). */
static pthread_once_t g_config_once = PTHREAD_ONCE_INIT;

static void config_once(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

struct db *db_sqlite_open(const char *path, int for_write, struct err *e)
{
    pthread_once(&g_config_once, config_once);
    struct db_sqlite *d = calloc(1, sizeof *d);
    if (!d)
        return err_set(e, ERR_INTERNAL, NULL, "内存不足"), NULL;
    d->base.ops = &k_ops;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    int rc = sqlite3_open_v2(path, &d->h, flags, NULL);
    if (rc != SQLITE_OK) {
        err_set(e, ERR_UNAVAILABLE, "db", "无法打开数据库文件");
        err_log(e, "sqlite open %s: %s", path,
                d->h ? sqlite3_errmsg(d->h) : sqlite3_errstr(rc));
        sqlite3_close(d->h);
        free(d);
        return NULL;
    }
    sqlite3_busy_timeout(d->h, 5000);
    static const char k_pragmas[] = "PRAGMA journal_mode=WAL;"
                                    "PRAGMA synchronous=FULL;"
                                    "PRAGMA foreign_keys=ON;"
                                    "PRAGMA temp_store=MEMORY;";
    if (sq_script(&d->base, k_pragmas, e)) {
        sq_close(&d->base);
        return NULL;
    }
    /* The write connection keeps SQLite's default page cache (2 MB): with
     * 64 MB every COMMIT spent ~10 % of the writer's time walking the
     * cache's hash table (pcache1 truncate), for no fewer reads. */
    if (for_write)
        ckpt_start(d, path);
    /* Read connections map the database file (up to SQLite's ceiling of
     * 2 GB; the rest is read as before): a page missing from the
     * connection's cache is then a pointer into the kernel's page cache
     * instead of a pread and a 4 KB copy. The catalogue search spends a
     * third less CPU (docs/performance.md, "Search"). The write connection
     * does not: it gained nothing there (0.98x, "Durable writes, session
     * 3"). Mapped pages are the kernel's file cache, shared by every
     * connection, not memory of their own. */
    else if (sq_script(&d->base, "PRAGMA mmap_size=2147418112", e)) {
        sq_close(&d->base);
        return NULL;
    }
    /* The search index's tokenizer (store/search.c) on every connection. */
    rc = fts_bigram_register(d->h);
    if (rc != SQLITE_OK) {
        map_error(d, rc, "fts5 tokenizer bianmin_bigram", e);
        sq_close(&d->base);
        return NULL;
    }
    return &d->base;
}
