/* catalogue.c — SQL for base items, implementation items, versions, events
 * and comments. One SQL text serves both drivers (db.h); every value is
 * bound. No state; thread-safe as long as each `struct db` is used by one
 * thread. Contract in catalogue.h. */
#include "catalogue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DBP_ID_OR_NULL(x) ((x) > 0 ? DBP_INT(x) : DBP_NULL)

/* ---- SQL -------------------------------------------------------------------
 */

#define BASE_COLS                                                              \
    "b.id, b.code, b.parent_id, p.code, b.region, b.name, b.type, b.supply, "  \
    "b.state, b.themes, b.audience, b.legal_basis, b.levels, b.aliases, "      \
    "b.keywords, b.revision, b.created_at, b.updated_at, "                     \
    "(SELECT count(*) FROM base_items c WHERE c.parent_id = b.id) "            \
    "FROM base_items b LEFT JOIN base_items p ON p.id = b.parent_id "

static const char SQL_BASE_GET[] = "SELECT " BASE_COLS "WHERE b.id = $1";
static const char SQL_BASE_BY_CODE[] =
    "SELECT id FROM base_items WHERE code = $1";
static const char SQL_BASE_LIST[] =
    "SELECT " BASE_COLS
    "WHERE (b.name LIKE $1 ESCAPE '\\' OR b.code LIKE $1 ESCAPE '\\') "
    "AND (CAST($2 AS BIGINT) = 0 OR (CAST($2 AS BIGINT) = -1 AND "
    "b.parent_id IS NULL) OR b.parent_id = CAST($2 AS BIGINT)) "
    "AND (CAST($3 AS TEXT) = '' OR b.region = CAST($3 AS TEXT)) "
    "AND b.id > $4 ORDER BY b.id LIMIT $5";
static const char SQL_BASE_INSERT[] =
    "INSERT INTO base_items (code, parent_id, region, name, type, supply, "
    "state, themes, audience, legal_basis, levels, aliases, keywords, "
    "revision, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
    "$8, $9, $10, $11, $12, $13, 1, $14, $14) RETURNING id";
static const char SQL_BASE_UPDATE[] =
    "UPDATE base_items SET code = $2, parent_id = $3, region = $4, name = $5, "
    "type = $6, supply = $7, state = $8, themes = $9, audience = $10, "
    "legal_basis = $11, levels = $12, aliases = $13, keywords = $14, "
    "updated_at = $15, revision = revision + 1 "
    "WHERE id = $1 AND revision = $16";
static const char SQL_BASE_HISTORY_ADD[] =
    "INSERT INTO base_item_history (base_id, revision, action, actor_id, "
    "actor_login, reason, snapshot, at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
static const char SQL_BASE_HISTORY_LIST[] =
    "SELECT id, base_id, revision, actor_id, at, action, actor_login, reason, "
    "snapshot FROM base_item_history WHERE base_id = $1 ORDER BY revision";

#define ITEM_COLS_HEAD                                                         \
    "i.id, i.base_id, i.org_id, i.region, i.code, i.sub_path, i.state, "       \
    "i.modes, i.business_no, i.current_version, i.visits, i.created_by, "      \
    "i.created_at, i.updated_at, b.code, b.name, b.type, b.themes, "           \
    "b.audience, b.supply, b.legal_basis, b.levels, b.aliases, b.keywords, "   \
    "o.name, o.credit_code, r.name, "
#define ITEM_FROM                                                              \
    "FROM items i JOIN base_items b ON b.id = i.base_id "                      \
    "JOIN orgs o ON o.id = i.org_id "                                          \
    "LEFT JOIN regions r ON r.code = i.region "
#define ITEM_COLS                                                              \
    ITEM_COLS_HEAD                                                             \
        "lv.version, lv.state " ITEM_FROM                                      \
        "LEFT JOIN item_versions lv ON lv.item_id = i.id AND lv.version = "    \
        "(SELECT max(version) FROM item_versions m WHERE m.item_id = i.id) "
/* The same columns without the latest version (NULL: latest_version 0,
 * latest_state NULL): what a list shows (store_item_summaries). */
#define ITEM_SUMMARY_COLS                                                      \
    ITEM_COLS_HEAD "CAST(NULL AS INTEGER), CAST(NULL AS TEXT) " ITEM_FROM

static const char SQL_ITEM_GET[] = "SELECT " ITEM_COLS "WHERE i.id = $1";
static const char SQL_ITEM_ALL[] = "SELECT " ITEM_COLS "ORDER BY i.id";
static const char SQL_ITEM_BY_CODE[] = "SELECT id FROM items WHERE code = $1";
static const char SQL_ITEM_NEXT_NO[] =
    "SELECT COALESCE(max(business_no), 0) + 1 FROM items "
    "WHERE org_id = $1 AND base_id = $2 AND sub_path = $3";
static const char SQL_ITEM_INSERT[] =
    "INSERT INTO items (base_id, org_id, region, code, business_no, "
    "sub_path, current_version, state, modes, visits, created_by, created_at, "
    "updated_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, 'active', '', NULL, "
    "$7, $8, $8) RETURNING id";
static const char SQL_ITEM_SET_PUBLISHED[] =
    "UPDATE items SET current_version = $2, modes = $3, visits = $4, "
    "state = $5, updated_at = $6 WHERE id = $1";
/* Regions: $1..$6 (padded by the caller), $7 = 1 when they apply. */
static const char SQL_ITEM_BROWSE[] =
    "SELECT " ITEM_COLS
    "WHERE i.current_version IS NOT NULL AND i.state = 'active' "
    "AND (CAST($7 AS BIGINT) = 0 OR i.region IN ($1, $2, $3, $4, $5, $6)) "
    "AND (CAST($8 AS TEXT) = '' OR b.themes LIKE $8) "
    "AND (CAST($9 AS TEXT) = '' OR b.type = $9) "
    "AND (CAST($10 AS TEXT) = '' OR b.audience LIKE $10) "
    "AND (CAST($11 AS TEXT) = '' OR i.modes LIKE $11) "
    "AND (CAST($12 AS BIGINT) < 0 OR i.visits <= CAST($12 AS BIGINT)) "
    "AND (CAST($13 AS BIGINT) = 0 OR i.org_id = CAST($13 AS BIGINT)) "
    "AND i.id > $14 ORDER BY i.id LIMIT $15";
static const char SQL_COUNTS[] =
    "SELECT (SELECT count(*) FROM base_items), (SELECT count(*) FROM items), "
    "(SELECT count(*) FROM items WHERE current_version IS NOT NULL AND "
    "state = 'active')";

#define VERSION_COLS                                                           \
    "id, item_id, version, state, guide, created_by, created_at, "             \
    "updated_at, published_at FROM item_versions "

static const char SQL_VERSION_GET[] =
    "SELECT " VERSION_COLS "WHERE item_id = $1 AND version = $2";
static const char SQL_VERSION_LATEST[] =
    "SELECT " VERSION_COLS "WHERE item_id = $1 ORDER BY version DESC LIMIT 1";
static const char SQL_VERSION_LIST[] =
    "SELECT " VERSION_COLS "WHERE item_id = $1 ORDER BY version";
static const char SQL_VERSION_INSERT[] =
    "INSERT INTO item_versions (item_id, version, state, guide, created_by, "
    "created_at, updated_at, published_at) VALUES ($1, $2, $3, $4, $5, $6, "
    "$6, CASE WHEN $3 = 'published' THEN CAST($6 AS BIGINT) END)";
static const char SQL_VERSION_SET_GUIDE[] =
    "UPDATE item_versions SET guide = $3, updated_at = $4 "
    "WHERE item_id = $1 AND version = $2 AND state = 'draft'";
static const char SQL_VERSION_SET_STATE[] =
    "UPDATE item_versions SET state = $4, updated_at = $5, "
    "published_at = CASE WHEN $4 = 'published' THEN CAST($5 AS BIGINT) "
    "ELSE published_at END "
    "WHERE item_id = $1 AND version = $2 AND state = $3";

static const char SQL_EVENT_ADD[] =
    "INSERT INTO item_events (item_id, version, actor_id, actor_login, at, "
    "from_state, to_state, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
static const char SQL_EVENT_LIST[] =
    "SELECT id, item_id, version, actor_id, at, actor_login, from_state, "
    "to_state, reason FROM item_events WHERE item_id = $1 ORDER BY id";

#define COMMENT_COLS                                                           \
    "id, item_id, version, author_id, author_name, body, reply, created_at, "  \
    "replied_by, replied_at FROM item_comments "

static const char SQL_COMMENT_ADD[] =
    "INSERT INTO item_comments (item_id, version, author_id, author_name, "
    "body, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
static const char SQL_COMMENT_GET[] = "SELECT " COMMENT_COLS "WHERE id = $1";
static const char SQL_COMMENT_LIST[] =
    "SELECT " COMMENT_COLS "WHERE item_id = $1 ORDER BY id";
static const char SQL_COMMENT_REPLY[] =
    "UPDATE item_comments SET reply = $2, replied_by = $3, replied_at = $4 "
    "WHERE id = $1";

/* ---- helpers
 * ------------------------------------------------------------------ */

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

/* like_pattern — %needle% with LIKE wildcards escaped; caller frees. */
static char *like_pattern(const char *needle)
{
    size_t n = needle ? strlen(needle) : 0, k = 0;
    char *pat = malloc(n * 2 + 3);
    if (!pat)
        return NULL;
    pat[k++] = '%';
    for (size_t i = 0; i < n; i++) {
        if (needle[i] == '%' || needle[i] == '_' || needle[i] == '\\')
            pat[k++] = '\\';
        pat[k++] = needle[i];
    }
    pat[k++] = '%';
    pat[k] = '\0';
    return pat;
}

/* ---- base items
 * -------------------------------------------------------------- */

struct base_each {
    base_cb cb;
    void *ctx;
};

static int base_from_row(void *ctx, struct db_res *r)
{
    struct base_each *c = ctx;
    struct base_row row = {
        .id = db_int(r, 0),
        .code = db_text(r, 1),
        .parent_id = db_int(r, 2),
        .parent_code = db_text(r, 3),
        .region = db_text(r, 4),
        .name = db_text(r, 5),
        .type = db_text(r, 6),
        .supply = db_text(r, 7),
        .state = db_text(r, 8),
        .themes = db_text(r, 9),
        .audience = db_text(r, 10),
        .legal_basis = db_text(r, 11),
        .levels = db_text(r, 12),
        .aliases = db_text(r, 13),
        .keywords = db_text(r, 14),
        .revision = db_int(r, 15),
        .created_at = db_int(r, 16),
        .updated_at = db_int(r, 17),
        .n_children = db_int(r, 18),
    };
    return c->cb(c->ctx, &row);
}

static int each_base(struct db *db, const char *sql, const struct db_param *p,
                     int np, base_cb cb, void *ctx, int *count, struct err *e)
{
    struct base_each c = {cb, ctx};
    return db_each(db, sql, p, np, base_from_row, &c, count, e);
}

int store_base_get(struct db *db, int64_t id, base_cb cb, void *ctx,
                   struct err *e)
{
    struct db_param p[] = {DBP_INT(id)};
    int n;
    if (each_base(db, SQL_BASE_GET, p, 1, cb, ctx, &n, e))
        return -1;
    if (n == 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个基本目录事项");
    return 0;
}

int store_base_id_by_code(struct db *db, const char *code, int64_t *id,
                          struct err *e)
{
    struct db_param p[] = {DBP_TEXT(code)};
    return id_or_zero(db, SQL_BASE_BY_CODE, p, 1, id, e);
}

int store_base_list(struct db *db, const struct base_filter *f, base_cb cb,
                    void *ctx, struct err *e)
{
    if (f->limit < 0 || f->limit > STORE_CAT_LIST_MAX + 1) {
        err_set(e, ERR_INTERNAL, NULL, "内部错误");
        return err_log(e, "store_base_list: limit %d", f->limit);
    }
    char *pat = like_pattern(f->q);
    if (!pat)
        return err_set(e, ERR_INTERNAL, NULL, "内存不足");
    struct db_param p[] = {DBP_TEXT(pat), DBP_INT(f->parent_id),
                           DBP_TEXT(f->region ? f->region : ""),
                           DBP_INT(f->after_id),
                           DBP_INT(f->limit ? f->limit : INT64_MAX / 2)};
    int rc = each_base(db, SQL_BASE_LIST, p, 5, cb, ctx, NULL, e);
    free(pat);
    return rc;
}

static void base_params(const struct base_row *b, struct db_param *p)
{
    p[0] = DBP_TEXT(b->code);
    p[1] = DBP_ID_OR_NULL(b->parent_id);
    p[2] = DBP_TEXT_OR_NULL(b->region);
    p[3] = DBP_TEXT(b->name);
    p[4] = DBP_TEXT(b->type);
    p[5] = DBP_TEXT(b->supply);
    p[6] = DBP_TEXT(b->state ? b->state : "active");
    p[7] = DBP_TEXT(b->themes ? b->themes : "[]");
    p[8] = DBP_TEXT(b->audience ? b->audience : "[]");
    p[9] = DBP_TEXT(b->legal_basis ? b->legal_basis : "[]");
    p[10] = DBP_TEXT(b->levels ? b->levels : "[]");
    p[11] = DBP_TEXT(b->aliases ? b->aliases : "[]");
    p[12] = DBP_TEXT(b->keywords ? b->keywords : "[]");
}

int store_base_insert(struct db *db, const struct base_row *b, int64_t now,
                      int64_t *id, struct err *e)
{
    struct db_param p[14];
    base_params(b, p);
    p[13] = DBP_INT(now);
    return db_query_int(db, SQL_BASE_INSERT, p, 14, id, e);
}

int store_base_update(struct db *db, const struct base_row *b,
                      int64_t expect_revision, int64_t now, int *changed,
                      struct err *e)
{
    struct db_param p[16];
    p[0] = DBP_INT(b->id);
    base_params(b, p + 1);
    p[14] = DBP_INT(now);
    p[15] = DBP_INT(expect_revision);
    int64_t n = 0;
    if (db_exec(db, SQL_BASE_UPDATE, p, 16, &n, e))
        return -1;
    *changed = n > 0;
    return 0;
}

int store_base_history_add(struct db *db, int64_t base_id, int64_t revision,
                           const char *action, int64_t actor_id,
                           const char *actor_login, const char *reason,
                           const char *snapshot, int64_t now, struct err *e)
{
    struct db_param p[] = {DBP_INT(base_id),
                           DBP_INT(revision),
                           DBP_TEXT(action),
                           DBP_ID_OR_NULL(actor_id),
                           DBP_TEXT_OR_NULL(actor_login),
                           DBP_TEXT_OR_NULL(reason),
                           DBP_TEXT(snapshot),
                           DBP_INT(now)};
    return db_exec(db, SQL_BASE_HISTORY_ADD, p, 8, NULL, e);
}

int store_base_history_list(struct db *db, int64_t base_id, base_history_cb cb,
                            void *ctx, struct err *e)
{
    struct db_param p[] = {DBP_INT(base_id)};
    struct db_res *r;
    if (db_query(db, SQL_BASE_HISTORY_LIST, p, 1, &r, e))
        return -1;
    int rc;
    while ((rc = db_next(r, e)) == 1) {
        struct base_history_row row = {
            .id = db_int(r, 0),
            .base_id = db_int(r, 1),
            .revision = db_int(r, 2),
            .actor_id = db_int(r, 3),
            .at = db_int(r, 4),
            .action = db_text(r, 5),
            .actor_login = db_text(r, 6),
            .reason = db_text(r, 7),
            .snapshot = db_text(r, 8),
        };
        if (cb(ctx, &row))
            break;
    }
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

/* ---- implementation items
 * ------------------------------------------------------ */

struct item_each {
    item_cb cb;
    void *ctx;
};

static int item_from_row(void *ctx, struct db_res *r)
{
    struct item_each *c = ctx;
    struct item_row row = {
        .id = db_int(r, 0),
        .base_id = db_int(r, 1),
        .org_id = db_int(r, 2),
        .region = db_text(r, 3),
        .code = db_text(r, 4),
        .sub_path = db_text(r, 5),
        .state = db_text(r, 6),
        .modes = db_text(r, 7),
        .business_no = (int)db_int(r, 8),
        .current_version = (int)db_int(r, 9),
        .visits = db_null(r, 10) ? -1 : (int)db_int(r, 10),
        .created_by = db_int(r, 11),
        .created_at = db_int(r, 12),
        .updated_at = db_int(r, 13),
        .base_code = db_text(r, 14),
        .name = db_text(r, 15),
        .type = db_text(r, 16),
        .themes = db_text(r, 17),
        .audience = db_text(r, 18),
        .supply = db_text(r, 19),
        .legal_basis = db_text(r, 20),
        .levels = db_text(r, 21),
        .aliases = db_text(r, 22),
        .keywords = db_text(r, 23),
        .org_name = db_text(r, 24),
        .org_credit_code = db_text(r, 25),
        .region_name = db_text(r, 26),
        .latest_version = (int)db_int(r, 27),
        .latest_state = db_text(r, 28),
    };
    return c->cb(c->ctx, &row);
}

static int each_item(struct db *db, const char *sql, const struct db_param *p,
                     int np, item_cb cb, void *ctx, int *count, struct err *e)
{
    struct item_each c = {cb, ctx};
    return db_each(db, sql, p, np, item_from_row, &c, count, e);
}

int store_item_get(struct db *db, int64_t id, item_cb cb, void *ctx,
                   struct err *e)
{
    struct db_param p[] = {DBP_INT(id)};
    int n;
    if (each_item(db, SQL_ITEM_GET, p, 1, cb, ctx, &n, e))
        return -1;
    if (n == 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个事项");
    return 0;
}

int store_item_id_by_code(struct db *db, const char *code, int64_t *id,
                          struct err *e)
{
    struct db_param p[] = {DBP_TEXT(code)};
    return id_or_zero(db, SQL_ITEM_BY_CODE, p, 1, id, e);
}

int store_item_next_business_no(struct db *db, int64_t org_id, int64_t base_id,
                                const char *sub_path, int *out, struct err *e)
{
    struct db_param p[] = {DBP_INT(org_id), DBP_INT(base_id),
                           DBP_TEXT(sub_path)};
    int64_t v;
    if (db_query_int(db, SQL_ITEM_NEXT_NO, p, 3, &v, e))
        return -1;
    *out = (int)v;
    return 0;
}

int store_item_insert(struct db *db, const struct item_row *r, int64_t now,
                      int64_t *id, struct err *e)
{
    struct db_param p[] = {DBP_INT(r->base_id),           DBP_INT(r->org_id),
                           DBP_TEXT(r->region),           DBP_TEXT(r->code),
                           DBP_INT(r->business_no),       DBP_TEXT(r->sub_path),
                           DBP_ID_OR_NULL(r->created_by), DBP_INT(now)};
    return db_query_int(db, SQL_ITEM_INSERT, p, 8, id, e);
}

int store_item_set_published(struct db *db, int64_t id, int version,
                             const char *modes, int visits, const char *state,
                             int64_t now, struct err *e)
{
    struct db_param p[] = {DBP_INT(id),
                           version > 0 ? DBP_INT(version) : DBP_NULL,
                           DBP_TEXT(modes ? modes : ""),
                           visits >= 0 ? DBP_INT(visits) : DBP_NULL,
                           DBP_TEXT(state),
                           DBP_INT(now)};
    return db_exec(db, SQL_ITEM_SET_PUBLISHED, p, 6, NULL, e);
}

int store_item_browse(struct db *db, const struct item_filter *f, item_cb cb,
                      void *ctx, struct err *e)
{
    if (f->limit < 1 || f->limit > STORE_CAT_LIST_MAX + 1 || f->n_regions < 0 ||
        f->n_regions > STORE_CAT_REGIONS_MAX) {
        err_set(e, ERR_INTERNAL, NULL, "内部错误");
        return err_log(e, "store_item_browse: limit %d regions %d", f->limit,
                       f->n_regions);
    }
    char theme[64] = "", audience[32] = "", mode[40] = "";
    if (f->theme && *f->theme)
        snprintf(theme, sizeof theme, "%%\"%s\"%%", f->theme);
    if (f->audience && *f->audience)
        snprintf(audience, sizeof audience, "%%\"%s\"%%", f->audience);
    if (f->mode && *f->mode)
        snprintf(mode, sizeof mode, "%% %s %%", f->mode);
    struct db_param p[15];
    for (int i = 0; i < STORE_CAT_REGIONS_MAX; i++)
        p[i] =
            DBP_TEXT(f->n_regions ? f->regions[i < f->n_regions ? i : 0] : "");
    p[6] = DBP_INT(f->n_regions ? 1 : 0);
    p[7] = DBP_TEXT(theme);
    p[8] = DBP_TEXT(f->type ? f->type : "");
    p[9] = DBP_TEXT(audience);
    p[10] = DBP_TEXT(mode);
    p[11] = DBP_INT(f->max_visits);
    p[12] = DBP_INT(f->org_id);
    p[13] = DBP_INT(f->after_id);
    p[14] = DBP_INT(f->limit);
    return each_item(db, SQL_ITEM_BROWSE, p, 15, cb, ctx, NULL, e);
}

int store_item_all(struct db *db, item_cb cb, void *ctx, struct err *e)
{
    return each_item(db, SQL_ITEM_ALL, NULL, 0, cb, ctx, NULL, e);
}

/* One statement for the whole list (a search page is 20–100 items: one
 * round trip instead of one per item): the ids as text, "[1,2,3]" for
 * SQLite's json_each, "1,2,3" for PostgreSQL's string_to_array. */
static const char SQL_ITEM_GET_MANY_SQ[] =
    "SELECT " ITEM_COLS "WHERE i.id IN (SELECT value FROM json_each($1))";
static const char SQL_ITEM_GET_MANY_PG[] =
    "SELECT " ITEM_COLS
    "WHERE i.id = ANY(CAST(string_to_array($1, ',') AS BIGINT[]))";

static const char SQL_ITEM_SUMMARY_MANY_SQ[] =
    "SELECT " ITEM_SUMMARY_COLS
    "WHERE i.id IN (SELECT value FROM json_each($1))";
static const char SQL_ITEM_SUMMARY_MANY_PG[] =
    "SELECT " ITEM_SUMMARY_COLS
    "WHERE i.id = ANY(CAST(string_to_array($1, ',') AS BIGINT[]))";

static int item_many(struct db *db, const int64_t *ids, int n, int summary,
                     item_cb cb, void *ctx, struct err *e)
{
    if (n <= 0)
        return 0;
    int sq = db_dialect(db) == DB_SQLITE;
    char *list = malloc((size_t)n * 21 + 3), *w = list;
    if (!list)
        return err_set(e, ERR_INTERNAL, NULL, "内存不足");
    if (sq)
        *w++ = '[';
    for (int i = 0; i < n; i++)
        w += sprintf(w, "%s%lld", i ? "," : "", (long long)ids[i]);
    if (sq)
        *w++ = ']';
    *w = '\0';
    struct db_param p[] = {DBP_TEXT(list)};
    const char *sql =
        summary ? (sq ? SQL_ITEM_SUMMARY_MANY_SQ : SQL_ITEM_SUMMARY_MANY_PG)
                : (sq ? SQL_ITEM_GET_MANY_SQ : SQL_ITEM_GET_MANY_PG);
    int rc = each_item(db, sql, p, 1, cb, ctx, NULL, e);
    free(list);
    return rc;
}

int store_item_get_many(struct db *db, const int64_t *ids, int n, item_cb cb,
                        void *ctx, struct err *e)
{
    return item_many(db, ids, n, 0, cb, ctx, e);
}

int store_item_summaries(struct db *db, const int64_t *ids, int n, item_cb cb,
                         void *ctx, struct err *e)
{
    return item_many(db, ids, n, 1, cb, ctx, e);
}

int store_catalogue_counts(struct db *db, int64_t *bases, int64_t *items,
                           int64_t *published, struct err *e)
{
    struct db_res *r;
    if (db_query(db, SQL_COUNTS, NULL, 0, &r, e))
        return -1;
    int rc = db_next(r, e);
    if (rc == 1) {
        *bases = db_int(r, 0);
        *items = db_int(r, 1);
        *published = db_int(r, 2);
    }
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

/* ---- versions
 * --------------------------------------------------------------------- */

struct version_each {
    version_cb cb;
    void *ctx;
};

static int version_from_row(void *ctx, struct db_res *r)
{
    struct version_each *c = ctx;
    struct version_row row = {
        .id = db_int(r, 0),
        .item_id = db_int(r, 1),
        .version = (int)db_int(r, 2),
        .state = db_text(r, 3),
        .guide = db_text(r, 4),
        .created_by = db_int(r, 5),
        .created_at = db_int(r, 6),
        .updated_at = db_int(r, 7),
        .published_at = db_int(r, 8),
    };
    return c->cb(c->ctx, &row);
}

static int each_version(struct db *db, const char *sql,
                        const struct db_param *p, int np, version_cb cb,
                        void *ctx, int *count, struct err *e)
{
    struct version_each c = {cb, ctx};
    return db_each(db, sql, p, np, version_from_row, &c, count, e);
}

int store_version_get(struct db *db, int64_t item_id, int n, version_cb cb,
                      void *ctx, struct err *e)
{
    struct db_param p[] = {DBP_INT(item_id), DBP_INT(n)};
    int count;
    if (each_version(db, n > 0 ? SQL_VERSION_GET : SQL_VERSION_LATEST, p,
                     n > 0 ? 2 : 1, cb, ctx, &count, e))
        return -1;
    if (count == 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个版本");
    return 0;
}

int store_version_list(struct db *db, int64_t item_id, version_cb cb, void *ctx,
                       struct err *e)
{
    struct db_param p[] = {DBP_INT(item_id)};
    return each_version(db, SQL_VERSION_LIST, p, 1, cb, ctx, NULL, e);
}

int store_version_insert(struct db *db, int64_t item_id, int version,
                         const char *state, const char *guide, int64_t actor_id,
                         int64_t now, struct err *e)
{
    struct db_param p[] = {DBP_INT(item_id),         DBP_INT(version),
                           DBP_TEXT(state),          DBP_TEXT(guide),
                           DBP_ID_OR_NULL(actor_id), DBP_INT(now)};
    return db_exec(db, SQL_VERSION_INSERT, p, 6, NULL, e);
}

int store_version_set_guide(struct db *db, int64_t item_id, int version,
                            const char *guide, int64_t now, int *changed,
                            struct err *e)
{
    struct db_param p[] = {DBP_INT(item_id), DBP_INT(version), DBP_TEXT(guide),
                           DBP_INT(now)};
    int64_t n = 0;
    if (db_exec(db, SQL_VERSION_SET_GUIDE, p, 4, &n, e))
        return -1;
    *changed = n > 0;
    return 0;
}

int store_version_set_state(struct db *db, int64_t item_id, int version,
                            const char *from, const char *to, int64_t now,
                            int *changed, struct err *e)
{
    struct db_param p[] = {DBP_INT(item_id), DBP_INT(version), DBP_TEXT(from),
                           DBP_TEXT(to), DBP_INT(now)};
    int64_t n = 0;
    if (db_exec(db, SQL_VERSION_SET_STATE, p, 5, &n, e))
        return -1;
    *changed = n > 0;
    return 0;
}

/* ---- events and comments
 * ---------------------------------------------------------- */

int store_event_add(struct db *db, const struct event_row *ev, struct err *e)
{
    struct db_param p[] = {DBP_INT(ev->item_id),
                           DBP_INT(ev->version),
                           DBP_ID_OR_NULL(ev->actor_id),
                           DBP_TEXT_OR_NULL(ev->actor_login),
                           DBP_INT(ev->at),
                           DBP_TEXT_OR_NULL(ev->from_state),
                           DBP_TEXT(ev->to_state),
                           DBP_TEXT_OR_NULL(ev->reason)};
    return db_exec(db, SQL_EVENT_ADD, p, 8, NULL, e);
}

int store_event_list(struct db *db, int64_t item_id, event_cb cb, void *ctx,
                     struct err *e)
{
    struct db_param p[] = {DBP_INT(item_id)};
    struct db_res *r;
    if (db_query(db, SQL_EVENT_LIST, p, 1, &r, e))
        return -1;
    int rc;
    while ((rc = db_next(r, e)) == 1) {
        struct event_row row = {
            .id = db_int(r, 0),
            .item_id = db_int(r, 1),
            .version = (int)db_int(r, 2),
            .actor_id = db_int(r, 3),
            .at = db_int(r, 4),
            .actor_login = db_text(r, 5),
            .from_state = db_text(r, 6),
            .to_state = db_text(r, 7),
            .reason = db_text(r, 8),
        };
        if (cb(ctx, &row))
            break;
    }
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

struct comment_each {
    comment_cb cb;
    void *ctx;
};

static int comment_from_row(void *ctx, struct db_res *r)
{
    struct comment_each *c = ctx;
    struct comment_row row = {
        .id = db_int(r, 0),
        .item_id = db_int(r, 1),
        .version = (int)db_int(r, 2),
        .author_id = db_int(r, 3),
        .author_name = db_text(r, 4),
        .body = db_text(r, 5),
        .reply = db_text(r, 6),
        .created_at = db_int(r, 7),
        .replied_by = db_int(r, 8),
        .replied_at = db_int(r, 9),
    };
    return c->cb(c->ctx, &row);
}

static int each_comment(struct db *db, const char *sql,
                        const struct db_param *p, int np, comment_cb cb,
                        void *ctx, int *count, struct err *e)
{
    struct comment_each c = {cb, ctx};
    return db_each(db, sql, p, np, comment_from_row, &c, count, e);
}

int store_comment_add(struct db *db, const struct comment_row *c, int64_t *id,
                      struct err *e)
{
    struct db_param p[] = {DBP_INT(c->item_id),
                           DBP_INT(c->version),
                           DBP_ID_OR_NULL(c->author_id),
                           DBP_TEXT(c->author_name),
                           DBP_TEXT(c->body),
                           DBP_INT(c->created_at)};
    return db_query_int(db, SQL_COMMENT_ADD, p, 6, id, e);
}

int store_comment_get(struct db *db, int64_t id, comment_cb cb, void *ctx,
                      struct err *e)
{
    struct db_param p[] = {DBP_INT(id)};
    int n;
    if (each_comment(db, SQL_COMMENT_GET, p, 1, cb, ctx, &n, e))
        return -1;
    if (n == 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这条意见");
    return 0;
}

int store_comment_list(struct db *db, int64_t item_id, comment_cb cb, void *ctx,
                       struct err *e)
{
    struct db_param p[] = {DBP_INT(item_id)};
    return each_comment(db, SQL_COMMENT_LIST, p, 1, cb, ctx, NULL, e);
}

int store_comment_reply(struct db *db, int64_t id, const char *reply,
                        int64_t by, int64_t now, struct err *e)
{
    struct db_param p[] = {DBP_INT(id), DBP_TEXT(reply), DBP_ID_OR_NULL(by),
                           DBP_INT(now)};
    return db_exec(db, SQL_COMMENT_REPLY, p, 4, NULL, e);
}
