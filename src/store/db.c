/* db.c — choosing a driver by URL, and helpers shared by both drivers.
 * Contract in db.h. Thread-safe: no shared state. */
#include "db.h"

#include <string.h>

struct db *db_open(const char *url, int for_write, struct err *e)
{
    if (!url || !*url)
        return err_set(e, ERR_INVALID, "db", "未指定数据库地址"), NULL;
    if (strncmp(url, "sqlite:", 7) == 0) {
        if (!url[7])
            return err_set(e, ERR_INVALID, "db", "SQLite 数据库地址缺少文件路径"),
                   NULL;
        return db_sqlite_open(url + 7, for_write, e);
    }
    if (strncmp(url, "postgresql://", 13) == 0 ||
        strncmp(url, "postgres://", 11) == 0)
        return db_pg_open(url, e);
    err_set(e, ERR_INVALID, "db",
            "数据库地址应为 sqlite:路径 或 postgresql://…");
    return NULL;
}

void db_close(struct db *db)
{
    if (db)
        db->ops->close(db);
}

int db_query_int(struct db *db, const char *sql, const struct db_param *p,
                 int np, int64_t *out, struct err *e)
{
    struct db_res *r;
    if (db_query(db, sql, p, np, &r, e))
        return -1;
    int rc = db_next(r, e);
    if (rc == 1)
        *out = db_int(r, 0);
    db_res_free(r);
    if (rc == 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "未找到记录");
    return rc < 0 ? -1 : 0;
}

int db_each(struct db *db, const char *sql, const struct db_param *p, int np,
            db_row_fn row, void *ctx, int *count, struct err *e)
{
    struct db_res *r;
    if (db_query(db, sql, p, np, &r, e))
        return -1;
    int rc, n = 0;
    while ((rc = db_next(r, e)) == 1) {
        n++;
        if (row(ctx, r))
            break;
    }
    db_res_free(r);
    if (count)
        *count = n;
    return rc < 0 ? -1 : 0;
}
