/* store.c — the read pool and the group-commit writer. Contract in store.h.
 *
 * The writer loop: wait for units; take all queued (≤ STORE_BATCH_MAX);
 * BEGIN (IMMEDIATE on SQLite); for each unit SAVEPOINT, run, RELEASE or
 * ROLLBACK TO; the hooks' before_commit; COMMIT; then call every unit's
 * done. A failed BEGIN, savepoint step, before_commit or COMMIT fails every
 * unit of the batch (nothing of it is durable, and each caller is told so).
 * A batch of one unit skips the savepoint. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_WRITERS 8

struct store {
    char *url;
    enum db_dialect dialect;

    pthread_mutex_t mu;
    pthread_cond_t cv_work;  /* writers: units queued or closing */
    pthread_cond_t cv_read;  /* readers: a connection came back */
    struct store_unit *head, *tail;
    int closing;

    struct db **idle; /* pooled read connections */
    int n_idle, n_open_readers, max_readers;

    long long n_batches, n_units, n_failed; /* under mu */
    struct store_hooks hooks;               /* set once in store_open */

    pthread_t writer[MAX_WRITERS];
    struct db *wdb[MAX_WRITERS];
    int n_writers;
};

struct writer_arg {
    struct store *s;
    int i;
};

int64_t store_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum db_dialect store_dialect(const struct store *s)
{
    return s->dialect;
}

static void fail_unit(struct store_unit *u, enum err_code code,
                      const char *msg, const struct err *cause)
{
    u->rc = -1;
    err_set(&u->err, code, NULL, "%s", msg);
    if (cause)
        err_log(&u->err, "%s", cause->log);
}

/* Transaction control of one batch goes through db_defer: SQLite runs each
 * statement at once (prepared once per connection); PostgreSQL sends it in
 * the round trip of the next statement, so that a unit costs no round trip
 * of its own for "RELEASE unit; SAVEPOINT unit". */
static int tx_do(struct db *db, const char *sql, struct err *e)
{
    return db_defer(db, sql, e);
}

static void fail_pending(struct store_unit *batch, const struct err *cause)
{
    for (struct store_unit *u = batch; u; u = u->next)
        if (u->rc == 0)
            fail_unit(u, ERR_UNAVAILABLE, "数据库暂时无法写入，请稍后再试",
                      cause);
}

/* Returns nonzero when the connection must not be used again (foreign keys
 * could not be turned back on after a bulk unit). */
static int run_batch(struct store *s, struct db *db, struct store_unit *batch)
{
    const struct store_hooks *h = &s->hooks;
    struct err e = {0};
    int single = batch->next == NULL;
    int committed = 0;
    int nofk = single && batch->bulk && s->dialect == DB_SQLITE;
    int spoilt = 0;

    for (struct store_unit *u = batch; u; u = u->next) {
        u->rc = 0;
        err_clear(&u->err);
    }
    if (nofk && db_script(db, "PRAGMA foreign_keys=OFF", &e))
        goto broken;
    if (tx_do(db, s->dialect == DB_POSTGRES ? "BEGIN" : "BEGIN IMMEDIATE", &e))
        goto broken;
    for (struct store_unit *u = batch; u; u = u->next) {
        if (!single && tx_do(db, "SAVEPOINT unit", &e))
            goto broken;
        if (h->unit_begin)
            h->unit_begin(h->ctx, db);
        u->rc = u->fn(db, u->arg, &u->err);
        if (u->rc != 0 && u->err.code == ERR_OK)
            err_set(&u->err, ERR_INTERNAL, NULL, "内部错误");
        if (h->unit_end)
            h->unit_end(h->ctx, db, u->rc == 0);
        if (single)
            continue;
        if (u->rc != 0 ? tx_do(db, "ROLLBACK TO unit", &e) ||
                             tx_do(db, "RELEASE unit", &e)
                       : tx_do(db, "RELEASE unit", &e))
            goto broken; /* the transaction is unusable */
    }
    if (single && batch->rc != 0)
        goto rollback;
    if ((h->before_commit && h->before_commit(h->ctx, db, &e)) ||
        tx_do(db, "COMMIT", &e) || db_flush(db, &e))
        goto broken;
    committed = 1;
    goto done;
broken:
    fail_pending(batch, &e);
rollback:
    err_clear(&e);
    db_script(db, "ROLLBACK", &e);
done:
    if (h->batch_end)
        h->batch_end(h->ctx, db, committed);
    if (nofk) {
        struct err e2 = {0};
        int64_t on = 0;
        if (db_script(db, "PRAGMA foreign_keys=ON", &e2) ||
            db_query_int(db, "PRAGMA foreign_keys", NULL, 0, &on, &e2) ||
            on != 1)
            spoilt = 1;
    }
    long long units = 0, failed = 0;
    for (struct store_unit *u = batch; u; u = u->next) {
        units++;
        failed += u->rc != 0;
    }
    pthread_mutex_lock(&s->mu);
    s->n_batches++;
    s->n_units += units;
    s->n_failed += failed;
    pthread_mutex_unlock(&s->mu);
    for (struct store_unit *u = batch, *next; u; u = next) {
        next = u->next;
        u->next = NULL;
        u->done(u);
    }
    return spoilt;
}

/* Replace a lost write connection (PostgreSQL restarted, network cut); on
 * failure the batch fails with ERR_UNAVAILABLE and the next one tries again. */
static struct db *writer_conn(struct store *s, int i)
{
    if (s->wdb[i] && s->wdb[i]->ops->alive(s->wdb[i]))
        return s->wdb[i];
    struct err e = {0};
    struct db *fresh = db_open(s->url, 1, &e);
    if (fresh) {
        db_close(s->wdb[i]);
        s->wdb[i] = fresh;
    }
    return s->wdb[i];
}

static void *writer_main(void *p)
{
    struct writer_arg *wa = p;
    struct store *s = wa->s;
    int me = wa->i;
    free(wa);
    char name[16];
    snprintf(name, sizeof name, "bm-writer-%d", me);
    pthread_setname_np(pthread_self(), name); /* for top -H, perf */
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (!s->head && !s->closing)
            pthread_cond_wait(&s->cv_work, &s->mu);
        if (!s->head) { /* closing and drained */
            pthread_mutex_unlock(&s->mu);
            break;
        }
        struct store_unit *batch = s->head, *last = s->head;
        int n = 1;
        /* A bulk unit runs alone: it ends the batch before it. */
        while (!batch->bulk && last->next && !last->next->bulk &&
               n < STORE_BATCH_MAX) {
            last = last->next;
            n++;
        }
        s->head = last->next;
        if (!s->head)
            s->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&s->mu);
        struct db *db = writer_conn(s, me);
        if (!db) { /* could not reopen after a spoilt connection */
            for (struct store_unit *u = batch, *next; u; u = next) {
                next = u->next;
                u->next = NULL;
                fail_unit(u, ERR_UNAVAILABLE, "数据库暂时无法写入，请稍后再试",
                          NULL);
                u->done(u);
            }
            continue;
        }
        if (run_batch(s, db, batch)) {
            /* Foreign keys may still be off on it: open a fresh one. */
            db_close(s->wdb[me]);
            s->wdb[me] = NULL;
        }
    }
    return NULL;
}

void store_submit(struct store *s, struct store_unit *u)
{
    u->next = NULL;
    u->rc = 0;
    pthread_mutex_lock(&s->mu);
    if (s->closing && s->n_writers == 0) {
        pthread_mutex_unlock(&s->mu);
        fail_unit(u, ERR_UNAVAILABLE, "服务正在停止", NULL);
        u->done(u);
        return;
    }
    if (s->tail)
        s->tail->next = u;
    else
        s->head = u;
    s->tail = u;
    pthread_cond_signal(&s->cv_work);
    pthread_mutex_unlock(&s->mu);
}

int store_order_lock(struct db *db, int exclusive, struct err *e)
{
    static const char k_shared[] =
        "SELECT pg_advisory_xact_lock_shared(7405418)";
    static const char k_exclusive[] = "SELECT pg_advisory_xact_lock(7405418)";
    if (db_dialect(db) != DB_POSTGRES)
        return 0;
    return db_exec(db, exclusive ? k_exclusive : k_shared, NULL, 0, NULL, e);
}

struct sync_wait {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int finished;
};

static void sync_done(struct store_unit *u)
{
    struct sync_wait *w = u->ctx;
    pthread_mutex_lock(&w->mu);
    w->finished = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static int write_wait(struct store *s, store_unit_fn fn, void *arg, int bulk,
                      struct err *e)
{
    struct sync_wait w = {.finished = 0};
    pthread_mutex_init(&w.mu, NULL);
    pthread_cond_init(&w.cv, NULL);
    struct store_unit u = {
        .fn = fn, .arg = arg, .done = sync_done, .ctx = &w, .bulk = bulk};
    store_submit(s, &u);
    pthread_mutex_lock(&w.mu);
    while (!w.finished)
        pthread_cond_wait(&w.cv, &w.mu);
    pthread_mutex_unlock(&w.mu);
    pthread_mutex_destroy(&w.mu);
    pthread_cond_destroy(&w.cv);
    if (u.rc && e)
        *e = u.err;
    return u.rc;
}

int store_write(struct store *s, store_unit_fn fn, void *arg, struct err *e)
{
    return write_wait(s, fn, arg, 0, e);
}

int store_write_bulk(struct store *s, store_unit_fn fn, void *arg,
                     struct err *e)
{
    return write_wait(s, fn, arg, 1, e);
}

void store_stats(struct store *s, struct store_stats *out)
{
    pthread_mutex_lock(&s->mu);
    out->batches = s->n_batches;
    out->units = s->n_units;
    out->failed_units = s->n_failed;
    pthread_mutex_unlock(&s->mu);
}

struct db *store_read(struct store *s, struct err *e)
{
    pthread_mutex_lock(&s->mu);
    for (;;) {
        if (s->n_idle > 0) {
            struct db *db = s->idle[--s->n_idle];
            pthread_mutex_unlock(&s->mu);
            return db;
        }
        if (s->n_open_readers < s->max_readers) {
            s->n_open_readers++;
            pthread_mutex_unlock(&s->mu);
            struct db *db = db_open(s->url, 0, e);
            if (!db) {
                pthread_mutex_lock(&s->mu);
                s->n_open_readers--;
                pthread_cond_signal(&s->cv_read);
                pthread_mutex_unlock(&s->mu);
            }
            return db;
        }
        pthread_cond_wait(&s->cv_read, &s->mu);
    }
}

void store_read_done(struct store *s, struct db *db)
{
    if (!db)
        return;
    if (!db->ops->alive(db)) { /* lost: drop it, a new one opens on demand */
        db_close(db);
        pthread_mutex_lock(&s->mu);
        s->n_open_readers--;
        pthread_cond_signal(&s->cv_read);
        pthread_mutex_unlock(&s->mu);
        return;
    }
    pthread_mutex_lock(&s->mu);
    s->idle[s->n_idle++] = db;
    pthread_cond_signal(&s->cv_read);
    pthread_mutex_unlock(&s->mu);
}

/* Constants, so that the connection's statement cache keeps them prepared
 * (db_script would parse them on every call). */
static const char SQL_SNAPSHOT_BEGIN[] = "BEGIN";
static const char SQL_SNAPSHOT_END[] = "COMMIT";

int store_read_snapshot(struct db *db, struct err *e)
{
    if (db_dialect(db) != DB_SQLITE)
        return 0;
    return db_exec(db, SQL_SNAPSHOT_BEGIN, NULL, 0, NULL, e);
}

void store_read_snapshot_end(struct db *db)
{
    struct err e = {0};
    if (db_dialect(db) == DB_SQLITE &&
        db_exec(db, SQL_SNAPSHOT_END, NULL, 0, NULL, &e))
        db_script(db, "ROLLBACK", &e); /* never hand back an open snapshot */
}

struct store *store_open(const char *url, const struct store_opts *o,
                         struct err *e)
{
    struct store *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(e, ERR_INTERNAL, NULL, "内存不足"), NULL;
    s->url = strdup(url);
    s->max_readers = o && o->max_readers > 0 ? o->max_readers : 16;
    if (o && o->hooks)
        s->hooks = *o->hooks;
    s->idle = calloc((size_t)s->max_readers, sizeof *s->idle);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv_work, NULL);
    pthread_cond_init(&s->cv_read, NULL);

    struct db *first = db_open(url, 1, e);
    if (!first) {
        store_close(s);
        return NULL;
    }
    s->dialect = db_dialect(first);
    int want = 1;
    if (s->dialect == DB_POSTGRES)
        want = o && o->writers > 0 ? o->writers : 2;
    if (want > MAX_WRITERS)
        want = MAX_WRITERS;
    s->wdb[0] = first;
    for (int i = 1; i < want; i++) {
        s->wdb[i] = db_open(url, 1, e);
        if (!s->wdb[i]) {
            store_close(s);
            return NULL;
        }
    }
    for (int i = 0; i < want; i++) {
        struct writer_arg *wa = malloc(sizeof *wa);
        wa->s = s;
        wa->i = i;
        if (pthread_create(&s->writer[i], NULL, writer_main, wa) != 0) {
            free(wa);
            err_set(e, ERR_INTERNAL, NULL, "无法启动写入线程");
            store_close(s);
            return NULL;
        }
        s->n_writers++;
    }
    return s;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->closing = 1;
    pthread_cond_broadcast(&s->cv_work);
    pthread_mutex_unlock(&s->mu);
    for (int i = 0; i < s->n_writers; i++)
        pthread_join(s->writer[i], NULL);
    pthread_mutex_lock(&s->mu);
    s->n_writers = 0;
    struct store_unit *left = s->head; /* submitted while writers stopped */
    s->head = s->tail = NULL;
    pthread_mutex_unlock(&s->mu);
    for (struct store_unit *u = left, *next; u; u = next) {
        next = u->next;
        fail_unit(u, ERR_UNAVAILABLE, "服务正在停止", NULL);
        u->done(u);
    }
    for (int i = 0; i < MAX_WRITERS; i++)
        db_close(s->wdb[i]);
    for (int i = 0; i < s->n_idle; i++)
        db_close(s->idle[i]);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv_work);
    pthread_cond_destroy(&s->cv_read);
    free(s->idle);
    free(s->url);
    free(s);
}
