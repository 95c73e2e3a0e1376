/* orgs.c — SQL for organisations, halls and windows. One SQL text serves
 * both drivers (db.h); every value is bound. No state; thread-safe as long
 * as each `struct db` is used by one thread. Contract in orgs.h. */
#include "orgs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- SQL ----------------------------------------------------------------- */

#define ORG_COLS                                                               \
    "o.id, o.kind, o.name, o.short_name, o.region, r.name, r.level, "          \
    "o.parent_id, o.credit_code, o.address, o.phone, o.hours, o.revision, "    \
    "o.created_at, o.updated_at "                                              \
    "FROM orgs o LEFT JOIN regions r ON r.code = o.region "

static const char SQL_ORG_GET[] = "SELECT " ORG_COLS "WHERE o.id = $1";
static const char SQL_ORG_LIST[] =
    "SELECT " ORG_COLS "WHERE o.region LIKE $1 AND ($2 = '' OR o.kind = $2) "
    "AND o.name LIKE $3 ESCAPE '\\' AND o.id > $4 ORDER BY o.id LIMIT $5";
static const char SQL_ORG_INSERT[] =
    "INSERT INTO orgs (kind, name, short_name, region, parent_id, credit_code, "
    "address, phone, hours, created_at, updated_at, revision) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, 1) RETURNING id";
static const char SQL_ORG_UPDATE[] =
    "UPDATE orgs SET kind = $2, name = $3, short_name = $4, region = $5, "
    "parent_id = $6, credit_code = $7, address = $8, phone = $9, hours = $10, "
    "updated_at = $11, revision = revision + 1 "
    "WHERE id = $1 AND revision = $12";
static const char SQL_ORG_DELETE[] = "DELETE FROM orgs WHERE id = $1";
static const char SQL_ORG_BY_CREDIT[] =
    "SELECT id FROM orgs WHERE credit_code = $1";
static const char SQL_ORG_BY_NAME[] =
    "SELECT id FROM orgs WHERE region = $1 AND name = $2";
static const char SQL_ORG_REFS[] =
    "SELECT (SELECT count(*) FROM halls WHERE org_id = $1), "
    "(SELECT count(*) FROM orgs WHERE parent_id = $1), "
    "(SELECT count(*) FROM windows WHERE dept_id = $1), "
    "(SELECT count(*) FROM grants WHERE org_id = $1)";
static const char SQL_COUNTS[] =
    "SELECT (SELECT count(*) FROM orgs), (SELECT count(*) FROM halls), "
    "(SELECT count(*) FROM windows)";

#define HALL_COLS                                                              \
    "id, org_id, name, address, hours, revision, created_at, updated_at "      \
    "FROM halls "

static const char SQL_HALL_GET[] = "SELECT " HALL_COLS "WHERE id = $1";
static const char SQL_HALL_LIST[] =
    "SELECT " HALL_COLS "WHERE org_id = $1 ORDER BY id";
static const char SQL_HALL_INSERT[] =
    "INSERT INTO halls (org_id, name, address, hours, created_at, updated_at, "
    "revision) VALUES ($1, $2, $3, $4, $5, $5, 1) RETURNING id";
static const char SQL_HALL_UPDATE[] =
    "UPDATE halls SET name = $2, address = $3, hours = $4, updated_at = $5, "
    "revision = revision + 1 WHERE id = $1 AND revision = $6";
static const char SQL_HALL_DELETE[] = "DELETE FROM halls WHERE id = $1";
static const char SQL_HALL_BY_NAME[] =
    "SELECT id FROM halls WHERE org_id = $1 AND name = $2";
static const char SQL_HALL_WINDOWS[] =
    "SELECT count(*) FROM windows WHERE hall_id = $1";

#define WINDOW_COLS                                                            \
    "w.id, w.hall_id, w.number, w.name, w.kind, w.dept_id, d.name, w.active, " \
    "w.revision, w.created_at, w.updated_at "                                  \
    "FROM windows w LEFT JOIN orgs d ON d.id = w.dept_id "

static const char SQL_WINDOW_GET[] = "SELECT " WINDOW_COLS "WHERE w.id = $1";
static const char SQL_WINDOW_LIST_ORG[] =
    "SELECT " WINDOW_COLS "JOIN halls h ON h.id = w.hall_id "
    "WHERE h.org_id = $1 ORDER BY w.hall_id, w.number";
static const char SQL_WINDOW_LIST_HALL[] =
    "SELECT " WINDOW_COLS "WHERE w.hall_id = $1 ORDER BY w.number";
static const char SQL_WINDOW_INSERT[] =
    "INSERT INTO windows (hall_id, number, name, kind, dept_id, active, "
    "created_at, updated_at, revision) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 1) RETURNING id";
static const char SQL_WINDOW_UPDATE[] =
    "UPDATE windows SET number = $2, name = $3, kind = $4, dept_id = $5, "
    "active = $6, updated_at = $7, revision = revision + 1 "
    "WHERE id = $1 AND revision = $8";
static const char SQL_WINDOW_DELETE[] = "DELETE FROM windows WHERE id = $1";
static const char SQL_WINDOW_BY_NUMBER[] =
    "SELECT id FROM windows WHERE hall_id = $1 AND number = $2";

/* ---- helpers ------------------------------------------------------------- */

#define DBP_ID_OR_NULL(x) ((x) > 0 ? DBP_INT(x) : DBP_NULL)

/* id_or_zero — the first column of the first row, or 0 without a row. */
static int id_or_zero(struct db *db, const char *sql, const struct db_param *p,
                      int np, int64_t *id, struct err *e)
{
    struct err e2 = {0};
    if (db_query_int(db, sql, p, np, id, &e2) == 0)
        return 0;
    if (e2.code == ERR_NOT_FOUND) {
        *id = 0;
        return 0;
    }
    *e = e2;
    return -1;
}

static int changed_of(int64_t changes, int *changed)
{
    if (changed)
        *changed = changes > 0;
    return 0;
}

/* ---- orgs ---------------------------------------------------------------- */

struct org_each {
    org_cb cb;
    void *ctx;
};

static int org_from_row(void *ctx, struct db_res *r)
{
    struct org_each *c = ctx;
    struct org_row row = {
        .id = db_int(r, 0),
        .kind = db_text(r, 1),
        .name = db_text(r, 2),
        .short_name = db_text(r, 3),
        .region = db_text(r, 4),
        .region_name = db_text(r, 5),
        .region_level = (int)db_int(r, 6),
        .parent_id = db_int(r, 7),
        .credit_code = db_text(r, 8),
        .address = db_text(r, 9),
        .phone = db_text(r, 10),
        .hours = db_text(r, 11),
        .revision = db_int(r, 12),
        .created_at = db_int(r, 13),
        .updated_at = db_int(r, 14),
    };
    return c->cb(c->ctx, &row);
}

static int each_org(struct db *db, const char *sql, const struct db_param *p,
                    int np, org_cb cb, void *ctx, int *count, struct err *e)
{
    struct org_each c = {cb, ctx};
    return db_each(db, sql, p, np, org_from_row, &c, count, e);
}

int store_org_get(struct db *db, int64_t id, org_cb cb, void *ctx,
                  struct err *e)
{
    struct db_param p[] = {DBP_INT(id)};
    int n;
    if (each_org(db, SQL_ORG_GET, p, 1, cb, ctx, &n, e))
        return -1;
    if (n == 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个机构");
    return 0;
}

int store_org_list(struct db *db, const struct org_filter *f, org_cb cb,
                   void *ctx, struct err *e)
{
    if (f->limit < 1 || f->limit > STORE_ORG_LIST_MAX + 1) {
        err_set(e, ERR_INTERNAL, NULL, "内部错误");
        return err_log(e, "store_org_list: limit %d", f->limit);
    }
    const char *needle = f->name_contains ? f->name_contains : "";
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
    snprintf(prefix, sizeof prefix, "%.12s%%",
             f->region_prefix ? f->region_prefix : "");
    struct db_param p[] = {DBP_TEXT(prefix), DBP_TEXT(f->kind ? f->kind : ""),
                           DBP_TEXT(pat), DBP_INT(f->after_id),
                           DBP_INT(f->limit)};
    int rc = each_org(db, SQL_ORG_LIST, p, 5, cb, ctx, NULL, e);
    free(pat);
    return rc;
}

static void org_params(const struct org_row *o, struct db_param *p)
{
    p[0] = DBP_TEXT(o->kind);
    p[1] = DBP_TEXT(o->name);
    p[2] = DBP_TEXT_OR_NULL(o->short_name);
    p[3] = DBP_TEXT(o->region);
    p[4] = DBP_ID_OR_NULL(o->parent_id);
    p[5] = DBP_TEXT_OR_NULL(o->credit_code);
    p[6] = DBP_TEXT_OR_NULL(o->address);
    p[7] = DBP_TEXT_OR_NULL(o->phone);
    p[8] = DBP_TEXT_OR_NULL(o->hours);
}

int store_org_insert(struct db *db, const struct org_row *o, int64_t now_ms,
                     int64_t *id, struct err *e)
{
    struct db_param p[10];
    org_params(o, p);
    p[9] = DBP_INT(now_ms);
    return db_insert_id(db, SQL_ORG_INSERT, p, 10, id, e);
}

int store_org_update(struct db *db, const struct org_row *o,
                     int64_t expect_revision, int64_t now_ms, int *changed,
                     struct err *e)
{
    struct db_param p[12];
    p[0] = DBP_INT(o->id);
    org_params(o, p + 1);
    p[10] = DBP_INT(now_ms);
    p[11] = DBP_INT(expect_revision);
    int64_t changes = 0;
    if (db_exec(db, SQL_ORG_UPDATE, p, 12, &changes, e))
        return -1;
    return changed_of(changes, changed);
}

int store_org_delete(struct db *db, int64_t id, int *changed, struct err *e)
{
    struct db_param p[] = {DBP_INT(id)};
    int64_t changes = 0;
    if (db_exec(db, SQL_ORG_DELETE, p, 1, &changes, e))
        return -1;
    return changed_of(changes, changed);
}

int store_org_id_by_credit(struct db *db, const char *code, int64_t *id,
                           struct err *e)
{
    struct db_param p[] = {DBP_TEXT(code)};
    return id_or_zero(db, SQL_ORG_BY_CREDIT, p, 1, id, e);
}

int store_org_id_by_name(struct db *db, const char *region, const char *name,
                         int64_t *id, struct err *e)
{
    struct db_param p[] = {DBP_TEXT(region), DBP_TEXT(name)};
    return id_or_zero(db, SQL_ORG_BY_NAME, p, 2, id, e);
}

/* Read the n integer columns of a one-row query. */
static int ints_row(struct db *db, const char *sql, const struct db_param *p,
                    int np, int64_t *const *out, int n, struct err *e)
{
    struct db_res *r;
    if (db_query(db, sql, p, np, &r, e))
        return -1;
    int rc = db_next(r, e);
    if (rc == 1)
        for (int i = 0; i < n; i++)
            *out[i] = db_int(r, i);
    db_res_free(r);
    if (rc == 0)
        return err_set(e, ERR_INTERNAL, NULL, "内部错误");
    return rc < 0 ? -1 : 0;
}

int store_org_refs(struct db *db, int64_t id, struct org_refs *out,
                   struct err *e)
{
    struct db_param p[] = {DBP_INT(id)};
    int64_t *const cols[] = {&out->halls, &out->children, &out->windows,
                             &out->grants};
    return ints_row(db, SQL_ORG_REFS, p, 1, cols, 4, e);
}

int store_org_counts(struct db *db, int64_t *orgs, int64_t *halls,
                     int64_t *windows, struct err *e)
{
    int64_t a = 0, b = 0, c = 0;
    int64_t *const cols[] = {&a, &b, &c};
    if (ints_row(db, SQL_COUNTS, NULL, 0, cols, 3, e))
        return -1;
    if (orgs)
        *orgs = a;
    if (halls)
        *halls = b;
    if (windows)
        *windows = c;
    return 0;
}

/* ---- halls --------------------------------------------------------------- */

struct hall_each {
    hall_cb cb;
    void *ctx;
};

static int hall_from_row(void *ctx, struct db_res *r)
{
    struct hall_each *c = ctx;
    struct hall_row row = {
        .id = db_int(r, 0),
        .org_id = db_int(r, 1),
        .name = db_text(r, 2),
        .address = db_text(r, 3),
        .hours = db_text(r, 4),
        .revision = db_int(r, 5),
        .created_at = db_int(r, 6),
        .updated_at = db_int(r, 7),
    };
    return c->cb(c->ctx, &row);
}

static int each_hall(struct db *db, const char *sql, const struct db_param *p,
                     int np, hall_cb cb, void *ctx, int *count, struct err *e)
{
    struct hall_each c = {cb, ctx};
    return db_each(db, sql, p, np, hall_from_row, &c, count, e);
}

int store_hall_get(struct db *db, int64_t id, hall_cb cb, void *ctx,
                   struct err *e)
{
    struct db_param p[] = {DBP_INT(id)};
    int n;
    if (each_hall(db, SQL_HALL_GET, p, 1, cb, ctx, &n, e))
        return -1;
    if (n == 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个大厅");
    return 0;
}

int store_hall_list(struct db *db, int64_t org_id, hall_cb cb, void *ctx,
                    struct err *e)
{
    struct db_param p[] = {DBP_INT(org_id)};
    return each_hall(db, SQL_HALL_LIST, p, 1, cb, ctx, NULL, e);
}

int store_hall_insert(struct db *db, const struct hall_row *h, int64_t now_ms,
                      int64_t *id, struct err *e)
{
    struct db_param p[] = {DBP_INT(h->org_id), DBP_TEXT(h->name),
                           DBP_TEXT_OR_NULL(h->address),
                           DBP_TEXT_OR_NULL(h->hours), DBP_INT(now_ms)};
    return db_insert_id(db, SQL_HALL_INSERT, p, 5, id, e);
}

int store_hall_update(struct db *db, const struct hall_row *h,
                      int64_t expect_revision, int64_t now_ms, int *changed,
                      struct err *e)
{
    struct db_param p[] = {DBP_INT(h->id),
                           DBP_TEXT(h->name),
                           DBP_TEXT_OR_NULL(h->address),
                           DBP_TEXT_OR_NULL(h->hours),
                           DBP_INT(now_ms),
                           DBP_INT(expect_revision)};
    int64_t changes = 0;
    if (db_exec(db, SQL_HALL_UPDATE, p, 6, &changes, e))
        return -1;
    return changed_of(changes, changed);
}

int store_hall_delete(struct db *db, int64_t id, int *changed, struct err *e)
{
    struct db_param p[] = {DBP_INT(id)};
    int64_t changes = 0;
    if (db_exec(db, SQL_HALL_DELETE, p, 1, &changes, e))
        return -1;
    return changed_of(changes, changed);
}

int store_hall_id_by_name(struct db *db, int64_t org_id, const char *name,
                          int64_t *id, struct err *e)
{
    struct db_param p[] = {DBP_INT(org_id), DBP_TEXT(name)};
    return id_or_zero(db, SQL_HALL_BY_NAME, p, 2, id, e);
}

int store_hall_window_count(struct db *db, int64_t id, int64_t *n,
                            struct err *e)
{
    struct db_param p[] = {DBP_INT(id)};
    return db_query_int(db, SQL_HALL_WINDOWS, p, 1, n, e);
}

/* ---- windows ------------------------------------------------------------- */

struct window_each {
    window_cb cb;
    void *ctx;
};

static int window_from_row(void *ctx, struct db_res *r)
{
    struct window_each *c = ctx;
    struct window_row row = {
        .id = db_int(r, 0),
        .hall_id = db_int(r, 1),
        .number = db_text(r, 2),
        .name = db_text(r, 3),
        .kind = db_text(r, 4),
        .dept_id = db_int(r, 5),
        .dept_name = db_text(r, 6),
        .active = db_int(r, 7) != 0,
        .revision = db_int(r, 8),
        .created_at = db_int(r, 9),
        .updated_at = db_int(r, 10),
    };
    return c->cb(c->ctx, &row);
}

static int each_window(struct db *db, const char *sql, const struct db_param *p,
                       int np, window_cb cb, void *ctx, int *count,
                       struct err *e)
{
    struct window_each c = {cb, ctx};
    return db_each(db, sql, p, np, window_from_row, &c, count, e);
}

int store_window_get(struct db *db, int64_t id, window_cb cb, void *ctx,
                     struct err *e)
{
    struct db_param p[] = {DBP_INT(id)};
    int n;
    if (each_window(db, SQL_WINDOW_GET, p, 1, cb, ctx, &n, e))
        return -1;
    if (n == 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个窗口");
    return 0;
}

int store_window_list_org(struct db *db, int64_t org_id, window_cb cb,
                          void *ctx, struct err *e)
{
    struct db_param p[] = {DBP_INT(org_id)};
    return each_window(db, SQL_WINDOW_LIST_ORG, p, 1, cb, ctx, NULL, e);
}

int store_window_list_hall(struct db *db, int64_t hall_id, window_cb cb,
                           void *ctx, struct err *e)
{
    struct db_param p[] = {DBP_INT(hall_id)};
    return each_window(db, SQL_WINDOW_LIST_HALL, p, 1, cb, ctx, NULL, e);
}

int store_window_insert(struct db *db, const struct window_row *w,
                        int64_t now_ms, int64_t *id, struct err *e)
{
    struct db_param p[] = {DBP_INT(w->hall_id),
                           DBP_TEXT(w->number),
                           DBP_TEXT(w->name),
                           DBP_TEXT(w->kind),
                           DBP_ID_OR_NULL(w->dept_id),
                           DBP_INT(w->active != 0),
                           DBP_INT(now_ms)};
    return db_insert_id(db, SQL_WINDOW_INSERT, p, 7, id, e);
}

int store_window_update(struct db *db, const struct window_row *w,
                        int64_t expect_revision, int64_t now_ms, int *changed,
                        struct err *e)
{
    struct db_param p[] = {
        DBP_INT(w->id),    DBP_TEXT(w->number),        DBP_TEXT(w->name),
        DBP_TEXT(w->kind), DBP_ID_OR_NULL(w->dept_id), DBP_INT(w->active != 0),
        DBP_INT(now_ms),   DBP_INT(expect_revision)};
    int64_t changes = 0;
    if (db_exec(db, SQL_WINDOW_UPDATE, p, 8, &changes, e))
        return -1;
    return changed_of(changes, changed);
}

int store_window_delete(struct db *db, int64_t id, int *changed, struct err *e)
{
    struct db_param p[] = {DBP_INT(id)};
    int64_t changes = 0;
    if (db_exec(db, SQL_WINDOW_DELETE, p, 1, &changes, e))
        return -1;
    return changed_of(changes, changed);
}

int store_window_id_by_number(struct db *db, int64_t hall_id,
                              const char *number, int64_t *id, struct err *e)
{
    struct db_param p[] = {DBP_INT(hall_id), DBP_TEXT(number)};
    return id_or_zero(db, SQL_WINDOW_BY_NUMBER, p, 2, id, e);
}
