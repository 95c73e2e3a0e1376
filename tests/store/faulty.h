/* faulty.h — a database connection that fails its k-th call (STYLE.md
 * habit 13), for the store tests that try every failure path of a write:
 * wrap a real write connection with faulty_init(&fd, real, k), run the
 * write on &fd.base, and check fd.fired and that nothing stored changed.
 * exec, query, exec_all and insert_id count as calls; script (transaction
 * control) passes through. Header-only: each test includes it once. */
#ifndef BIANMIN_TESTS_FAULTY_H
#define BIANMIN_TESTS_FAULTY_H

#include <string.h>

#include "core/err.h"
#include "store/db.h"

struct faulty {
    struct db base;
    struct db_ops ops;
    struct db *real;
    int k, calls, fired;
};

static int faulty_hit(struct db *db, struct err *e)
{
    struct faulty *f = (struct faulty *)db;
    if (++f->calls != f->k)
        return 0;
    f->fired = 1;
    err_set(e, ERR_UNAVAILABLE, NULL, "injected fault");
    return -1;
}

static int faulty_exec(struct db *db, const char *sql, const struct db_param *p,
                       int np, int64_t *changes, struct err *e)
{
    struct faulty *f = (struct faulty *)db;
    if (faulty_hit(db, e))
        return -1;
    return f->real->ops->exec(f->real, sql, p, np, changes, e);
}

static int faulty_query(struct db *db, const char *sql,
                        const struct db_param *p, int np, struct db_res **out,
                        struct err *e)
{
    struct faulty *f = (struct faulty *)db;
    if (faulty_hit(db, e))
        return -1;
    return f->real->ops->query(f->real, sql, p, np, out, e);
}

static int faulty_script(struct db *db, const char *sql, struct err *e)
{
    struct faulty *f = (struct faulty *)db;
    return f->real->ops->script(f->real, sql, e);
}

static int faulty_exec_all(struct db *db, struct db_call *calls, int n,
                           struct err *e)
{
    struct faulty *f = (struct faulty *)db;
    if (faulty_hit(db, e))
        return -1;
    return f->real->ops->exec_all(f->real, calls, n, e);
}

static int faulty_insert_id(struct db *db, const char *sql,
                            const struct db_param *p, int np, int64_t *id,
                            struct err *e)
{
    struct faulty *f = (struct faulty *)db;
    if (faulty_hit(db, e))
        return -1;
    return f->real->ops->insert_id(f->real, sql, p, np, id, e);
}

/* faulty_init — fd wraps real and fails its k-th counted call. */
static void faulty_init(struct faulty *fd, struct db *real, int k)
{
    memset(fd, 0, sizeof *fd);
    fd->real = real;
    fd->k = k;
    fd->ops = *real->ops;
    fd->ops.exec = faulty_exec;
    fd->ops.query = faulty_query;
    fd->ops.script = faulty_script;
    fd->ops.exec_all = faulty_exec_all;
    fd->ops.insert_id = faulty_insert_id;
    fd->base.ops = &fd->ops;
}

#endif
