/* regions.c — SQL for administrative divisions and the meta table. One SQL
 * text serves both drivers (db.h). Bulk upserts go 64 rows a statement; the
 * statement text is built once (pthread_once) and is immutable after. */
#include "regions.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_GET[] =
    "SELECT code, name, level, parent FROM regions WHERE code = $1";
static const char SQL_CHILDREN[] =
    "SELECT code, name, level, parent FROM regions WHERE parent = $1 "
    "ORDER BY code";
static const char SQL_TOP[] =
    "SELECT code, name, level, parent FROM regions WHERE level = 1 "
    "ORDER BY code";
static const char SQL_SEARCH[] =
    "SELECT code, name, level, parent FROM regions "
    "WHERE name LIKE $1 ESCAPE '\\' AND ($2 = 0 OR level = $2) "
    "AND code LIKE $3 ORDER BY level, code LIMIT $4";
static const char SQL_EXISTS[] = "SELECT count(*) FROM regions WHERE code = $1";
static const char SQL_COUNT[] = "SELECT count(*) FROM regions";
static const char SQL_META_GET[] = "SELECT value FROM meta WHERE key = $1";
static const char SQL_META_SET[] =
    "INSERT INTO meta (key, value) VALUES ($1, $2) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value";

#define UPSERT_ROWS 64
#define UPSERT_COLS 5
static const char SQL_UPSERT_HEAD[] =
    "INSERT INTO regions (code, name, level, parent, updated_at) VALUES ";
static const char SQL_UPSERT_TAIL[] =
    " ON CONFLICT (code) DO UPDATE SET name = excluded.name, "
    "level = excluded.level, parent = excluded.parent, "
    "updated_at = excluded.updated_at "
    "WHERE regions.name <> excluded.name OR regions.level <> excluded.level "
    "OR regions.parent IS DISTINCT FROM excluded.parent";
static char g_upsert_one[512];   /* immutable after build_upsert */
static char g_upsert_many[8192]; /* immutable after build_upsert */
static char g_insert_one[512];   /* the same without the ON CONFLICT tail */
static char g_insert_many[8192];
/* SQLite: INSERT OR FAIL. A multi-row INSERT that may ABORT keeps a statement
 * journal to undo its own rows, and every statement copied the B-trees' last
 * pages into it (a fifth of the import's time). FAIL undoes nothing, and the
 * import's unit is all or nothing anyway: any error rolls it all back. */
static char g_insert_one_sq[512];
static char g_insert_many_sq[8192];
static pthread_once_t g_upsert_once = PTHREAD_ONCE_INIT;

static void build_rows_as(char *out, size_t cap, const char *head, int rows,
                          const char *tail)
{
    size_t n = (size_t)snprintf(out, cap, "%s", head);
    for (int r = 0; r < rows; r++) {
        int b = r * UPSERT_COLS;
        n += (size_t)snprintf(out + n, cap - n, "%s($%d, $%d, $%d, $%d, $%d)",
                              r ? ", " : "", b + 1, b + 2, b + 3, b + 4, b + 5);
    }
    snprintf(out + n, cap - n, "%s", tail);
}

static void build_rows(char *out, size_t cap, int rows, const char *tail)
{
    build_rows_as(out, cap, SQL_UPSERT_HEAD, rows, tail);
}

static void build_upsert(void)
{
    build_rows(g_upsert_one, sizeof g_upsert_one, 1, SQL_UPSERT_TAIL);
    build_rows(g_upsert_many, sizeof g_upsert_many, UPSERT_ROWS,
               SQL_UPSERT_TAIL);
    build_rows(g_insert_one, sizeof g_insert_one, 1, "");
    build_rows(g_insert_many, sizeof g_insert_many, UPSERT_ROWS, "");
    static const char head_sq[] = "INSERT OR FAIL INTO regions "
                                  "(code, name, level, parent, updated_at) "
                                  "VALUES ";
    build_rows_as(g_insert_one_sq, sizeof g_insert_one_sq, head_sq, 1, "");
    build_rows_as(g_insert_many_sq, sizeof g_insert_many_sq, head_sq,
                  UPSERT_ROWS, "");
}

struct region_each {
    region_cb cb;
    void *ctx;
};

static int region_from_row(void *ctx, struct db_res *r)
{
    struct region_each *c = ctx;
    struct region_row row = {
        .code = db_text(r, 0),
        .name = db_text(r, 1),
        .level = (int)db_int(r, 2),
        .parent = db_text(r, 3),
    };
    return c->cb(c->ctx, &row);
}

static int each_row(struct db *db, const char *sql, const struct db_param *p,
                    int np, region_cb cb, void *ctx, int *count, struct err *e)
{
    struct region_each c = {cb, ctx};
    return db_each(db, sql, p, np, region_from_row, &c, count, e);
}

int store_region_get(struct db *db, const char *code, region_cb cb, void *ctx,
                     struct err *e)
{
    struct db_param p[] = {DBP_TEXT(code)};
    int n;
    if (each_row(db, SQL_GET, p, 1, cb, ctx, &n, e))
        return -1;
    if (n == 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有代码为 %s 的区划", code);
    return 0;
}

int store_region_children(struct db *db, const char *parent, region_cb cb,
                          void *ctx, struct err *e)
{
    struct db_param p[] = {DBP_TEXT(parent)};
    return each_row(db, SQL_CHILDREN, p, 1, cb, ctx, NULL, e);
}

int store_region_top(struct db *db, region_cb cb, void *ctx, struct err *e)
{
    return each_row(db, SQL_TOP, NULL, 0, cb, ctx, NULL, e);
}

int store_region_search(struct db *db, const char *needle, int level,
                        const char *within_prefix, int limit, region_cb cb,
                        void *ctx, struct err *e)
{
    size_t n = strlen(needle);
    char *pat = malloc(n * 2 + 3);
    if (!pat)
        return err_set(e, ERR_INTERNAL, NULL, "内存不足");
    size_t k = 0;
    pat[k++] = '%';
    for (size_t i = 0; i < n; i++) {
        if (needle[i] == '%' || needle[i] == '_' || needle[i] == '\\')
            pat[k++] = '\\';
        pat[k++] = needle[i];
    }
    pat[k++] = '%';
    pat[k] = '\0';
    char prefix[16];
    snprintf(prefix, sizeof prefix, "%s%%", within_prefix ? within_prefix : "");
    struct db_param p[] = {DBP_TEXT(pat), DBP_INT(level), DBP_TEXT(prefix),
                           DBP_INT(limit)};
    int rc = each_row(db, SQL_SEARCH, p, 4, cb, ctx, NULL, e);
    free(pat);
    return rc;
}

int store_region_exists(struct db *db, const char *code, struct err *e)
{
    int64_t n;
    struct db_param p[] = {DBP_TEXT(code)};
    if (db_query_int(db, SQL_EXISTS, p, 1, &n, e))
        return -1;
    return n > 0;
}

int store_region_count(struct db *db, int64_t *n, struct err *e)
{
    return db_query_int(db, SQL_COUNT, NULL, 0, n, e);
}

/* n rows, UPSERT_ROWS a statement, with `many` (UPSERT_ROWS rows) or `one`;
 * updated_at is at[i], or now_ms when at is NULL. */
static int write_batched(struct db *db, const char *many, const char *one,
                         const struct region_row *rows, const int64_t *at,
                         int n, int64_t now_ms, int64_t *written, struct err *e)
{
    struct db_param p[UPSERT_ROWS * UPSERT_COLS];
    int64_t total = 0;
    int i = 0;
    while (i < n) {
        int batch = n - i >= UPSERT_ROWS ? UPSERT_ROWS : 1;
        for (int r = 0; r < batch; r++) {
            const struct region_row *row = &rows[i + r];
            struct db_param *q = &p[r * UPSERT_COLS];
            q[0] = DBP_TEXT(row->code);
            q[1] = DBP_TEXT(row->name);
            q[2] = DBP_INT(row->level);
            q[3] = DBP_TEXT_OR_NULL(row->parent);
            q[4] = DBP_INT(at ? at[i + r] : now_ms);
        }
        int64_t changed = 0;
        if (db_exec(db, batch == 1 ? one : many, p, batch * UPSERT_COLS,
                    &changed, e))
            return err_log(e, " (region %s)", rows[i].code);
        total += changed;
        i += batch;
    }
    if (written)
        *written = total;
    return 0;
}

int store_region_upsert(struct db *db, const struct region_row *rows, int n,
                        int64_t now_ms, int64_t *written, struct err *e)
{
    pthread_once(&g_upsert_once, build_upsert);
    return write_batched(db, g_upsert_many, g_upsert_one, rows, NULL, n,
                         now_ms, written, e);
}

int store_region_insert(struct db *db, const struct region_row *rows, int n,
                        int64_t now_ms, struct err *e)
{
    pthread_once(&g_upsert_once, build_upsert);
    int sq = db_dialect(db) == DB_SQLITE;
    return write_batched(db, sq ? g_insert_many_sq : g_insert_many,
                         sq ? g_insert_one_sq : g_insert_one, rows, NULL, n,
                         now_ms, NULL, e);
}

int store_region_insert_at(struct db *db, const struct region_row *rows,
                           const int64_t *at, int n, struct err *e)
{
    pthread_once(&g_upsert_once, build_upsert);
    int sq = db_dialect(db) == DB_SQLITE;
    return write_batched(db, sq ? g_insert_many_sq : g_insert_many,
                         sq ? g_insert_one_sq : g_insert_one, rows, at, n, 0,
                         NULL, e);
}

static const char SQL_SCAN_ALL[] =
    "SELECT code, name, level, parent, updated_at FROM regions ORDER BY code";

struct region_at_each {
    region_at_cb cb;
    void *ctx;
};

static int region_at_from_row(void *ctx, struct db_res *r)
{
    struct region_at_each *c = ctx;
    struct region_row row = {
        .code = db_text(r, 0),
        .name = db_text(r, 1),
        .level = (int)db_int(r, 2),
        .parent = db_text(r, 3),
    };
    return c->cb(c->ctx, &row, db_int(r, 4));
}

int store_region_scan_all(struct db *db, region_at_cb cb, void *ctx,
                          struct err *e)
{
    struct region_at_each c = {cb, ctx};
    return db_each(db, SQL_SCAN_ALL, NULL, 0, region_at_from_row, &c, NULL, e);
}

static const char SQL_CLEAR[] = "DELETE FROM regions";

int store_region_clear(struct db *db, struct err *e)
{
    return db_exec(db, SQL_CLEAR, NULL, 0, NULL, e);
}

static const char SQL_UPDATE[] =
    "UPDATE regions SET name = $2, level = $3, parent = $4, updated_at = $5 "
    "WHERE code = $1";

int store_region_update(struct db *db, const struct region_row *rows, int n,
                        int64_t now_ms, struct err *e)
{
    for (int i = 0; i < n; i++) {
        struct db_param p[] = {DBP_TEXT(rows[i].code), DBP_TEXT(rows[i].name),
                               DBP_INT(rows[i].level),
                               DBP_TEXT_OR_NULL(rows[i].parent),
                               DBP_INT(now_ms)};
        if (db_exec(db, SQL_UPDATE, p, 5, NULL, e))
            return err_log(e, " (region %s)", rows[i].code);
    }
    return 0;
}

static const char SQL_SCAN[] = "SELECT code, name, level, parent FROM regions "
                               "WHERE level BETWEEN $1 AND $2";

int store_region_scan(struct db *db, int lo, int hi, region_cb cb, void *ctx,
                      struct err *e)
{
    struct db_param p[] = {DBP_INT(lo), DBP_INT(hi)};
    return each_row(db, SQL_SCAN, p, 2, cb, ctx, NULL, e);
}

int store_meta_get(struct db *db, const char *key, char *out, size_t n,
                   struct err *e)
{
    struct db_param p[] = {DBP_TEXT(key)};
    struct db_res *r;
    if (db_query(db, SQL_META_GET, p, 1, &r, e))
        return -1;
    int rc = db_next(r, e);
    snprintf(out, n, "%s", rc == 1 && db_text(r, 0) ? db_text(r, 0) : "");
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

int store_meta_set(struct db *db, const char *key, const char *value,
                   struct err *e)
{
    struct db_param p[] = {DBP_TEXT(key), DBP_TEXT(value)};
    return db_exec(db, SQL_META_SET, p, 2, NULL, e);
}
