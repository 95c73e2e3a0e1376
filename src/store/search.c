/* search.c — the full-text index of published items and the synonym
 * dictionary, on both databases (contract in store/search.h; the rule in
 * docs/catalogue.md "Search").
 *
 * SQLite: two FTS5 tables with the tokenizer `bianmin_bigram`
 * (store/fts_bigram.c), rowid = item id, detail=column (no positions:
 * nothing here asks for phrases) and a one-character prefix index
 * (prefix='1'), so that a one-character query ("证" *) reads one doclist
 * instead of merging every pair that starts with it:
 * item_search(name, aliases — both UNINDEXED —, body, region) keeps every
 * field and indexes the guide text; item_search_names(name, aliases, region)
 * indexes only the short fields, so "every word of the query in the name" does
 * not wade through the guide text's doclists (3–20 ms → 0.05–0.2 ms at 100k
 * items). The region column holds the 12-digit code as one token, so the
 * region filter is part of the MATCH expression: `{name aliases} : (…) AND
 * region : (…)`, and LIMIT counts only items of those regions.
 * PostgreSQL: the same text and two stored tsvectors built here as
 * to_tsvector('simple', <space-joined tokens>), each with a GIN index:
 * tsv_body in item_search (which keeps every field) and tsv_name (name and
 * aliases) in the narrow item_search_names (item_id, region, tsv_name), as
 * on SQLite (migration 9); region by btree. A stage is one call of the
 * function item_search_stage, which chooses between walking item ids and
 * sorting the matches (its comment in migrations.c); candidates by
 * `tsv_… @@ tsquery AND region = ANY(…)`, on names through the distinct
 * name-and-aliases tsvectors of item_search_keys (migration 13).
 *
 * A search is one statement on either database (store_search_staged):
 * materialized CTEs, one per stage, on SQLite; item_search_staged on
 * PostgreSQL.
 *
 * Both return matches by item id with LIMIT and no ranking function: bm25
 * over every match is what made common words slow (40–100 ms at 100k
 * items; docs/performance.md "Search"), and an order by id is the same on
 * both databases.
 *
 * Query text for either index is built here from tokens that are tokenised
 * again first, so only CJK characters and [a-z0-9] ever reach it, each
 * quoted as well. Thread-safe: no state; one db per thread (db.h). */
#include "search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/bigram.h"

/* ---- index rows ------------------------------------------------------- */

static const char SQL_SQ_PUT[] =
    "INSERT OR REPLACE INTO item_search (rowid, name, aliases, body, region) "
    "VALUES ($1, $2, $3, $4, $5)";
static const char SQL_SQ_PUT_NAMES[] =
    "INSERT OR REPLACE INTO item_search_names (rowid, name, aliases, region) "
    "VALUES ($1, $2, $3, $4)";
static const char SQL_PG_PUT[] =
    "INSERT INTO item_search (item_id, region, name, aliases, body, "
    "tsv_body) VALUES ($1, $5, $2, $3, $4, to_tsvector('simple', $6)) "
    "ON CONFLICT (item_id) DO UPDATE SET region = EXCLUDED.region, "
    "name = EXCLUDED.name, aliases = EXCLUDED.aliases, body = EXCLUDED.body, "
    "tsv_body = EXCLUDED.tsv_body";
/* The names row and its key: the distinct name-and-aliases tsvector
 * (migration 13), inserted when new; the trigger counts the key's items. */
static const char SQL_PG_PUT_NAMES[] =
    "WITH t AS (SELECT to_tsvector('simple', $3) AS v), "
    "ins AS (INSERT INTO item_search_keys (tsv) SELECT v FROM t "
    "ON CONFLICT ((md5(CAST(tsv AS TEXT)))) DO NOTHING RETURNING id), "
    "k AS (SELECT id FROM ins UNION ALL SELECT k.id FROM item_search_keys k, "
    "t WHERE md5(CAST(k.tsv AS TEXT)) = md5(CAST(t.v AS TEXT))) "
    "INSERT INTO item_search_names (item_id, region, tsv_name, key_id) "
    "SELECT $1, $2, t.v, (SELECT id FROM k LIMIT 1) FROM t "
    "ON CONFLICT (item_id) DO UPDATE SET region = EXCLUDED.region, "
    "tsv_name = EXCLUDED.tsv_name, key_id = EXCLUDED.key_id";
static const char SQL_SQ_REMOVE[] = "DELETE FROM item_search WHERE rowid = $1";
static const char SQL_SQ_REMOVE_NAMES[] =
    "DELETE FROM item_search_names WHERE rowid = $1";
static const char SQL_PG_REMOVE[] = "DELETE FROM item_search WHERE item_id = $1";
static const char SQL_PG_REMOVE_NAMES[] =
    "DELETE FROM item_search_names WHERE item_id = $1";
static const char SQL_COUNT[] = "SELECT count(*) FROM item_search";

/* The space-joined tokens of s[0..n) (with tails), malloc'd; NULL when out
 * of memory. */
static char *joined_n(const char *s, size_t n)
{
    size_t need = bigram_join(s, n, BIGRAM_TAIL, NULL, 0);
    char *out = malloc(need + 1);
    if (out)
        bigram_join(s, n, BIGRAM_TAIL, out, need + 1);
    return out;
}

int store_search_put(struct db *db, const struct search_doc *d, struct err *e)
{
    const char *name = d->name ? d->name : "";
    const char *aliases = d->aliases ? d->aliases : "";
    const char *body = d->body ? d->body : "";
    const char *region = d->region ? d->region : "";
    if (db_dialect(db) == DB_SQLITE) {
        struct db_param p[] = {DBP_INT(d->item_id), DBP_TEXT(name),
                               DBP_TEXT(aliases), DBP_TEXT(body),
                               DBP_TEXT(region)};
        struct db_param pn[] = {DBP_INT(d->item_id), DBP_TEXT(name),
                                DBP_TEXT(aliases), DBP_TEXT(region)};
        return db_exec(db, SQL_SQ_PUT, p, 5, NULL, e) ||
                       db_exec(db, SQL_SQ_PUT_NAMES, pn, 4, NULL, e)
                   ? -1
                   : 0;
    }
    /* Name and aliases are one tsvector: the stages ask "name or aliases". */
    size_t nn = strlen(name), na = strlen(aliases);
    char *both = malloc(nn + na + 2), *tn = NULL;
    if (both) {
        memcpy(both, name, nn);
        both[nn] = ' ';
        memcpy(both + nn + 1, aliases, na + 1);
        tn = joined_n(both, nn + na + 1);
    }
    char *tb = joined_n(body, strlen(body));
    int rc;
    if (!tn || !tb) {
        rc = err_set(e, ERR_INTERNAL, NULL, "内存不足");
    } else {
        struct db_param p[] = {DBP_INT(d->item_id), DBP_TEXT(name),
                               DBP_TEXT(aliases), DBP_TEXT(body),
                               DBP_TEXT(region), DBP_TEXT(tb)};
        struct db_param pn[] = {DBP_INT(d->item_id), DBP_TEXT(region),
                                DBP_TEXT(tn)};
        rc = db_exec(db, SQL_PG_PUT, p, 6, NULL, e) ||
                     db_exec(db, SQL_PG_PUT_NAMES, pn, 3, NULL, e)
                 ? -1
                 : 0;
    }
    free(both);
    free(tn);
    free(tb);
    return rc;
}

int store_search_remove(struct db *db, int64_t item_id, struct err *e)
{
    struct db_param p[] = {DBP_INT(item_id)};
    if (db_dialect(db) == DB_SQLITE)
        return db_exec(db, SQL_SQ_REMOVE, p, 1, NULL, e) ||
                       db_exec(db, SQL_SQ_REMOVE_NAMES, p, 1, NULL, e)
                   ? -1
                   : 0;
    return db_exec(db, SQL_PG_REMOVE, p, 1, NULL, e) ||
                   db_exec(db, SQL_PG_REMOVE_NAMES, p, 1, NULL, e)
               ? -1
               : 0;
}

int store_search_count(struct db *db, int64_t *n, struct err *e)
{
    return db_query_int(db, SQL_COUNT, NULL, 0, n, e);
}

/* ---- candidates -------------------------------------------------------- */

/* SQLite: one text per (field, left-out ids): the MATCH text is $1, the
 * limit last. */
static const char SQL_SQ_BODY[] =
    "SELECT rowid, region, name, aliases, body FROM item_search "
    "WHERE item_search MATCH $1 ORDER BY rowid LIMIT $2";
static const char SQL_SQ_NAMES[] =
    "SELECT s.rowid, s.region, s.name, s.aliases, s.body "
    "FROM item_search_names n JOIN item_search s ON s.rowid = n.rowid "
    "WHERE item_search_names MATCH $1 ORDER BY n.rowid LIMIT $2";
/* Names only, without item_search's rows (SEARCH_NO_BODY). */
static const char SQL_SQ_NAMES_ONLY[] =
    "SELECT rowid, region, name, aliases, NULL FROM item_search_names "
    "WHERE item_search_names MATCH $1 ORDER BY rowid LIMIT $2";
static const char SQL_SQ_BOTH[] =
    "SELECT s.rowid, s.region, s.name, s.aliases, s.body FROM "
    "(SELECT rowid AS id FROM item_search_names "
    "WHERE item_search_names MATCH $1 UNION "
    "SELECT rowid FROM item_search WHERE item_search MATCH $2 "
    "ORDER BY 1 LIMIT $3) AS m JOIN item_search s ON s.rowid = m.id "
    "ORDER BY m.id";
/* The same with the items already taken left out ($2: their ids as a JSON
 * array), so that LIMIT counts only new ones and the rows of items an
 * earlier stage took are not read again. */
static const char SQL_SQ_BODY_X[] =
    "SELECT rowid, region, name, aliases, body FROM item_search "
    "WHERE item_search MATCH $1 "
    "AND rowid NOT IN (SELECT value FROM json_each($2)) "
    "ORDER BY rowid LIMIT $3";
static const char SQL_SQ_NAMES_X[] =
    "SELECT s.rowid, s.region, s.name, s.aliases, s.body "
    "FROM item_search_names n JOIN item_search s ON s.rowid = n.rowid "
    "WHERE item_search_names MATCH $1 "
    "AND n.rowid NOT IN (SELECT value FROM json_each($2)) "
    "ORDER BY n.rowid LIMIT $3";
static const char SQL_SQ_BOTH_X[] =
    "SELECT s.rowid, s.region, s.name, s.aliases, s.body FROM "
    "(SELECT rowid AS id FROM item_search_names "
    "WHERE item_search_names MATCH $1 "
    "AND rowid NOT IN (SELECT value FROM json_each($3)) UNION "
    "SELECT rowid FROM item_search WHERE item_search MATCH $2 "
    "AND rowid NOT IN (SELECT value FROM json_each($3)) "
    "ORDER BY 1 LIMIT $4) AS m JOIN item_search s ON s.rowid = m.id "
    "ORDER BY m.id";
/* PostgreSQL: one stage is one call of item_search_stage (migration 9),
 * which picks the plan from the planner's estimate of the matches (the
 * walk along item ids for common words, the GIN matches sorted for rare
 * ones: see its comment) and plans with the values each time. Arguments:
 * 'names' | 'body' | 'both', the tsquery text, the regions and the
 * left-out ids (comma lists, '' = none), the limit. */
static const char SQL_PG_STAGE[] =
    "SELECT item_id, region, name, aliases, body "
    "FROM item_search_stage($1, $2, $3, $4, $5)";

/* A growing text; on overflow of memory `oom` is set and appends stop. */
struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *grown = realloc(b->p, cap);
        if (!grown) {
            b->oom = 1;
            return;
        }
        b->p = grown;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

/* A token quoted for its index: "x" (FTS5, " doubled) or 'x' (tsquery,
 * ' doubled). Tokens hold no quotes (core/bigram.h), so the doubling is a
 * second line of defence. */
static void sb_quoted(struct sbuf *b, const char *s, char q)
{
    sb_add(b, &q, 1);
    for (const char *c = s; *c; c++) {
        sb_add(b, c, 1);
        if (*c == q)
            sb_add(b, c, 1);
    }
    sb_add(b, &q, 1);
}

static int region_ok(const char *r)
{
    size_t n = r ? strlen(r) : 0;
    if (n < 1 || n > 32)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = r[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
              (c >= 'A' && c <= 'Z')))
            return 0;
    }
    return 1;
}

/* The terms of one group: its tokens tokenised again, de-duplicated, each
 * quoted for the dialect (a one-character CJK token as a prefix). */
struct terms {
    char text[SEARCH_MAX_TOKENS][BIGRAM_TOKEN_MAX + 8];
    int n;
};

static void group_terms(const struct search_group *g, enum db_dialect dialect,
                        struct terms *t)
{
    t->n = 0;
    for (int i = 0; i < g->n && t->n < SEARCH_MAX_TOKENS; i++) {
        struct bigram_iter it;
        struct bigram_tok tok;
        const char *s = g->tokens[i] ? g->tokens[i] : "";
        bigram_init(&it, s, strlen(s), 0);
        while (t->n < SEARCH_MAX_TOKENS && bigram_next(&it, &tok)) {
            /* Quote: tokens hold only CJK and [a-z0-9] (no quote to
             * double), at most BIGRAM_TOKEN_MAX - 1 bytes. */
            char *o = t->text[t->n];
            if (dialect == DB_SQLITE)
                snprintf(o, sizeof t->text[0], "\"%s\"%s", tok.text,
                         tok.kind == BIGRAM_CJK1 ? " *" : "");
            else
                snprintf(o, sizeof t->text[0], "'%s'%s", tok.text,
                         tok.kind == BIGRAM_CJK1 ? ":*" : "");
            int dup = 0;
            for (int k = 0; k < t->n && !dup; k++)
                dup = strcmp(t->text[k], o) == 0;
            if (!dup)
                t->n++;
        }
    }
}

/* The boolean expression over the groups into *b: (a AND b) OR (c …) …
 * *n_terms gets how many terms it holds (0: nothing to search). */
static void build_expr(struct sbuf *b, enum db_dialect dialect,
                       enum search_how how, const struct search_group *groups,
                       int n_groups, int *n_terms)
{
    const char *or = dialect == DB_SQLITE ? " OR " : " | ";
    const char *and = dialect == DB_SQLITE ? " AND " : " & ";
    struct terms *t = malloc(sizeof *t);
    int parts = 0, pairs = 0;
    *n_terms = 0;
    if (!t) {
        b->oom = 1;
        return;
    }
    for (int g = 0; g < n_groups; g++) {
        group_terms(&groups[g], dialect, t);
        if (!t->n)
            continue;
        *n_terms += t->n;
        if (how == SEARCH_ANY || (how == SEARCH_ALL && t->n == 1)) {
            for (int i = 0; i < t->n; i++) {
                sb_str(b, parts++ ? or : "");
                sb_str(b, t->text[i]);
            }
        } else if (how == SEARCH_ALL || t->n <= 2) {
            sb_str(b, parts++ ? or : "");
            sb_str(b, "(");
            for (int i = 0; i < t->n; i++) {
                sb_str(b, i ? and : "");
                sb_str(b, t->text[i]);
            }
            sb_str(b, ")");
        } else {
            for (int i = 0; i < t->n; i++)
                for (int k = i + 1; k < t->n && pairs < SEARCH_MAX_PAIRS;
                     k++, pairs++) {
                    sb_str(b, parts++ ? or : "");
                    sb_str(b, "(");
                    sb_str(b, t->text[i]);
                    sb_str(b, and);
                    sb_str(b, t->text[k]);
                    sb_str(b, ")");
                }
        }
    }
    free(t);
}

int store_search_match(struct db *db, int where, enum search_how how,
                       const struct search_group *groups, int n_groups,
                       const char *const *regions, int n_regions, int limit,
                       search_hit_cb cb, void *ctx, struct err *e)
{
    return store_search_match_ex(db, where, how, groups, n_groups, regions,
                                 n_regions, NULL, 0, limit, cb, ctx, e);
}

int store_search_match_ex(struct db *db, int where, enum search_how how,
                          const struct search_group *groups, int n_groups,
                          const char *const *regions, int n_regions,
                          const int64_t *exclude, int n_exclude, int limit,
                          search_hit_cb cb, void *ctx, struct err *e)
{
    if (n_regions < 0 || n_regions > SEARCH_MAX_REGIONS)
        return err_set(e, ERR_INVALID, "regions", "区划过多（至多 %d 个）",
                       SEARCH_MAX_REGIONS);
    for (int i = 0; i < n_regions; i++)
        if (!region_ok(regions[i]))
            return err_set(e, ERR_INVALID, "regions", "区划代码格式不正确");
    int no_body = (where & SEARCH_NO_BODY) && !(where & SEARCH_BODY);
    where &= SEARCH_NAMES | SEARCH_BODY;
    if (limit <= 0 || !where)
        return 0;
    enum db_dialect dialect = db_dialect(db);
    struct sbuf q = {0}, q2 = {0}, rl = {0}, xl = {0};
    /* The ids to leave out: [1,2] (json_each) or 1,2 (string_to_array). */
    if (n_exclude > 0) {
        sb_str(&xl, dialect == DB_SQLITE ? "[" : "");
        for (int i = 0; i < n_exclude; i++) {
            char num[24];
            snprintf(num, sizeof num, "%s%lld", i ? "," : "",
                     (long long)exclude[i]);
            sb_str(&xl, num);
        }
        sb_str(&xl, dialect == DB_SQLITE ? "]" : "");
    }
    int n_terms = 0;
    if (dialect == DB_SQLITE) {
        /* q for item_search_names, q2 for item_search's body. */
        struct sbuf expr = {0}, reg = {0};
        build_expr(&expr, dialect, how, groups, n_groups, &n_terms);
        if (n_regions) {
            sb_str(&reg, " AND region : (");
            for (int i = 0; i < n_regions; i++) {
                sb_str(&reg, i ? " OR " : "");
                sb_quoted(&reg, regions[i], '"');
            }
            sb_str(&reg, ")");
        }
        const char *ex = expr.p ? expr.p : "", *rg = reg.p ? reg.p : "";
        sb_str(&q, where & SEARCH_NAMES ? "{name aliases} : (" : "body : (");
        sb_str(&q, ex);
        sb_str(&q, ")");
        sb_str(&q, rg);
        sb_str(&q2, "body : (");
        sb_str(&q2, ex);
        sb_str(&q2, ")");
        sb_str(&q2, rg);
        q.oom |= expr.oom || reg.oom;
        free(expr.p);
        free(reg.p);
    } else {
        build_expr(&q, dialect, how, groups, n_groups, &n_terms);
        for (int i = 0; i < n_regions; i++) {
            sb_str(&rl, i ? "," : "");
            sb_str(&rl, regions[i]);
        }
    }
    int rc = 0;
    if (q.oom || q2.oom || rl.oom || xl.oom) {
        rc = err_set(e, ERR_INTERNAL, NULL, "内存不足");
        goto out;
    }
    if (!n_terms) /* nothing searchable: punctuation, emoji … */
        goto out;
    struct db_res *r = NULL;
    if (dialect == DB_SQLITE && xl.p && where == (SEARCH_NAMES | SEARCH_BODY)) {
        struct db_param p[] = {DBP_TEXT(q.p), DBP_TEXT(q2.p), DBP_TEXT(xl.p),
                               DBP_INT(limit)};
        rc = db_query(db, SQL_SQ_BOTH_X, p, 4, &r, e);
    } else if (dialect == DB_SQLITE && xl.p) {
        struct db_param p[] = {DBP_TEXT(q.p), DBP_TEXT(xl.p), DBP_INT(limit)};
        rc = db_query(db,
                      where == SEARCH_NAMES ? SQL_SQ_NAMES_X : SQL_SQ_BODY_X,
                      p, 3, &r, e);
    } else if (dialect == DB_SQLITE && where == (SEARCH_NAMES | SEARCH_BODY)) {
        struct db_param p[] = {DBP_TEXT(q.p), DBP_TEXT(q2.p), DBP_INT(limit)};
        rc = db_query(db, SQL_SQ_BOTH, p, 3, &r, e);
    } else if (dialect == DB_SQLITE) {
        struct db_param p[] = {DBP_TEXT(q.p), DBP_INT(limit)};
        rc = db_query(db,
                      where == SEARCH_NAMES
                          ? (no_body ? SQL_SQ_NAMES_ONLY : SQL_SQ_NAMES)
                          : SQL_SQ_BODY,
                      p, 2, &r, e);
    } else {
        static const char *const k_field[] = {"names", "body", "both"};
        struct db_param p[] = {DBP_TEXT(k_field[where - 1]), DBP_TEXT(q.p),
                               DBP_TEXT(rl.p ? rl.p : ""),
                               DBP_TEXT(xl.p ? xl.p : ""), DBP_INT(limit)};
        rc = db_query(db, SQL_PG_STAGE, p, 5, &r, e);
    }
    if (rc)
        goto out;
    int step;
    while ((step = db_next(r, e)) == 1) {
        struct search_doc d = {
            .item_id = db_int(r, 0),
            .region = db_text(r, 1),
            .name = db_text(r, 2),
            .aliases = db_text(r, 3),
            .body = db_text(r, 4),
        };
        if (cb(ctx, &d))
            break;
    }
    if (step < 0)
        rc = -1;
    db_res_free(r);
out:
    free(q.p);
    free(q2.p);
    free(rl.p);
    free(xl.p);
    return rc;
}

/* SQLite: the four stages (three without SEARCH_TWO) as one statement.
 * Each stage is a materialized CTE of item ids over its FTS5 table, by
 * rowid, leaving out the ids of the earlier stages and limited to what is
 * still missing (LIMIT 0 skips the MATCH); then each taken item's row is
 * read once. Parameters: the MATCH text of each stage, the limit last. */
#define SQ_STAGE_ROWS                                                          \
    "SELECT s.rowid, s.region, s.name, s.aliases, s.body FROM (SELECT id "     \
    "FROM s1 UNION ALL SELECT id FROM s2 UNION ALL SELECT id FROM s3"
static const char SQL_SQ_STAGED4[] =
    "WITH s1 AS MATERIALIZED (SELECT rowid AS id FROM item_search_names "
    "WHERE item_search_names MATCH $1 ORDER BY rowid LIMIT $5), "
    "s2 AS MATERIALIZED (SELECT rowid AS id FROM item_search_names "
    "WHERE item_search_names MATCH $2 AND rowid NOT IN s1 ORDER BY rowid "
    "LIMIT max(0, $5 - (SELECT count(*) FROM s1))), "
    "s3 AS MATERIALIZED (SELECT rowid AS id FROM item_search_names "
    "WHERE item_search_names MATCH $3 AND rowid NOT IN s1 "
    "AND rowid NOT IN s2 ORDER BY rowid LIMIT max(0, $5 - "
    "(SELECT count(*) FROM s1) - (SELECT count(*) FROM s2))), "
    "s4 AS MATERIALIZED (SELECT rowid AS id FROM item_search "
    "WHERE item_search MATCH $4 AND rowid NOT IN s1 AND rowid NOT IN s2 "
    "AND rowid NOT IN s3 ORDER BY rowid LIMIT max(0, $5 - "
    "(SELECT count(*) FROM s1) - (SELECT count(*) FROM s2) - "
    "(SELECT count(*) FROM s3))) " SQ_STAGE_ROWS
    " UNION ALL SELECT id FROM s4) AS c "
    "CROSS JOIN item_search s ON s.rowid = c.id";
static const char SQL_SQ_STAGED3[] =
    "WITH s1 AS MATERIALIZED (SELECT rowid AS id FROM item_search_names "
    "WHERE item_search_names MATCH $1 ORDER BY rowid LIMIT $4), "
    "s2 AS MATERIALIZED (SELECT rowid AS id FROM item_search_names "
    "WHERE item_search_names MATCH $2 AND rowid NOT IN s1 ORDER BY rowid "
    "LIMIT max(0, $4 - (SELECT count(*) FROM s1))), "
    "s3 AS MATERIALIZED (SELECT rowid AS id FROM item_search "
    "WHERE item_search MATCH $3 AND rowid NOT IN s1 AND rowid NOT IN s2 "
    "ORDER BY rowid LIMIT max(0, $4 - (SELECT count(*) FROM s1) - "
    "(SELECT count(*) FROM s2))) " SQ_STAGE_ROWS
    ") AS c CROSS JOIN item_search s ON s.rowid = c.id";

/* The FTS5 MATCH text of one stage over `where`, region filter included. */
static void sq_stage_text(struct sbuf *q, int where, enum search_how how,
                          const struct search_group *groups, int n_groups,
                          const char *region_expr, int *n_terms)
{
    struct sbuf expr = {0};
    build_expr(&expr, DB_SQLITE, how, groups, n_groups, n_terms);
    sb_str(q, where == SEARCH_NAMES ? "{name aliases} : (" : "body : (");
    sb_str(q, expr.p ? expr.p : "");
    sb_str(q, ")");
    sb_str(q, region_expr);
    q->oom |= expr.oom;
    free(expr.p);
}

/* PostgreSQL: every stage in one call of item_search_staged (migration
 * 13): the tsquery text of "all", "two" ('' = no such stage) and "any"
 * (names, then the guide text), the regions as a comma list. */
static const char SQL_PG_STAGED[] =
    "SELECT item_id, region, name, aliases, body "
    "FROM item_search_staged($1, $2, $3, $4, $5)";

static int pg_staged(struct db *db, const struct search_group *groups,
                     int n_groups, int with_two, const char *const *regions,
                     int n_regions, int limit, search_hit_cb cb, void *ctx,
                     struct err *e)
{
    struct sbuf all = {0}, two = {0}, any = {0}, rl = {0};
    int n_terms = 0, unused = 0;
    build_expr(&all, DB_POSTGRES, SEARCH_ALL, groups, n_groups, &n_terms);
    if (with_two)
        build_expr(&two, DB_POSTGRES, SEARCH_TWO, groups, n_groups, &unused);
    build_expr(&any, DB_POSTGRES, SEARCH_ANY, groups, n_groups, &unused);
    for (int i = 0; i < n_regions; i++) {
        sb_str(&rl, i ? "," : "");
        sb_str(&rl, regions[i]);
    }
    int rc = 0;
    if (all.oom || two.oom || any.oom || rl.oom) {
        rc = err_set(e, ERR_INTERNAL, NULL, "内存不足");
    } else if (n_terms) {
        struct db_param p[] = {DBP_TEXT(all.p), DBP_TEXT(two.p ? two.p : ""),
                               DBP_TEXT(any.p), DBP_TEXT(rl.p ? rl.p : ""),
                               DBP_INT(limit)};
        struct db_res *r = NULL;
        rc = db_query(db, SQL_PG_STAGED, p, 5, &r, e);
        int step = 0;
        while (!rc && (step = db_next(r, e)) == 1) {
            struct search_doc d = {
                .item_id = db_int(r, 0),
                .region = db_text(r, 1),
                .name = db_text(r, 2),
                .aliases = db_text(r, 3),
                .body = db_text(r, 4),
            };
            if (cb(ctx, &d))
                break;
        }
        if (step < 0)
            rc = -1;
        if (r)
            db_res_free(r);
    }
    free(all.p);
    free(two.p);
    free(any.p);
    free(rl.p);
    return rc;
}

int store_search_staged(struct db *db, const struct search_group *groups,
                        int n_groups, int with_two, const char *const *regions,
                        int n_regions, int limit, search_hit_cb cb, void *ctx,
                        struct err *e)
{
    static const struct {
        int where;
        enum search_how how;
    } k_stages[] = {{SEARCH_NAMES, SEARCH_ALL},
                    {SEARCH_NAMES, SEARCH_TWO},
                    {SEARCH_NAMES, SEARCH_ANY},
                    {SEARCH_BODY, SEARCH_ANY}};
    if (n_regions < 0 || n_regions > SEARCH_MAX_REGIONS)
        return err_set(e, ERR_INVALID, "regions", "区划过多（至多 %d 个）",
                       SEARCH_MAX_REGIONS);
    for (int i = 0; i < n_regions; i++)
        if (!region_ok(regions[i]))
            return err_set(e, ERR_INVALID, "regions", "区划代码格式不正确");
    if (limit <= 0)
        return 0;
    if (db_dialect(db) != DB_SQLITE)
        return pg_staged(db, groups, n_groups, with_two, regions, n_regions,
                         limit, cb, ctx, e);
    struct sbuf reg = {0}, q[4] = {{0}};
    if (n_regions) {
        sb_str(&reg, " AND region : (");
        for (int i = 0; i < n_regions; i++) {
            sb_str(&reg, i ? " OR " : "");
            sb_quoted(&reg, regions[i], '"');
        }
        sb_str(&reg, ")");
    }
    int nq = 0, n_terms = 0, oom = reg.oom;
    for (size_t st = 0; st < sizeof k_stages / sizeof *k_stages; st++) {
        if (k_stages[st].how == SEARCH_TWO && !with_two)
            continue;
        sq_stage_text(&q[nq], k_stages[st].where, k_stages[st].how, groups,
                      n_groups, reg.p ? reg.p : "", &n_terms);
        oom |= q[nq].oom;
        nq++;
    }
    int rc = 0;
    if (oom) {
        rc = err_set(e, ERR_INTERNAL, NULL, "内存不足");
    } else if (n_terms) { /* else nothing searchable */
        struct db_param p[5];
        for (int i = 0; i < nq; i++)
            p[i] = DBP_TEXT(q[i].p);
        p[nq] = DBP_INT(limit);
        struct db_res *r = NULL;
        rc = db_query(db, nq == 4 ? SQL_SQ_STAGED4 : SQL_SQ_STAGED3, p, nq + 1,
                      &r, e);
        int step = 0;
        while (!rc && (step = db_next(r, e)) == 1) {
            struct search_doc d = {
                .item_id = db_int(r, 0),
                .region = db_text(r, 1),
                .name = db_text(r, 2),
                .aliases = db_text(r, 3),
                .body = db_text(r, 4),
            };
            if (cb(ctx, &d))
                break;
        }
        if (step < 0)
            rc = -1;
        if (r)
            db_res_free(r);
    }
    free(reg.p);
    for (int i = 0; i < nq; i++)
        free(q[i].p);
    return rc;
}

int store_search_candidates(struct db *db, const char *const *tokens, int n,
                            const char *const *regions, int n_regions,
                            int limit, search_hit_cb cb, void *ctx,
                            struct err *e)
{
    struct search_group g = {tokens, n};
    return store_search_match(db, SEARCH_NAMES | SEARCH_BODY, SEARCH_ANY, &g,
                              1, regions, n_regions, limit, cb, ctx, e);
}

/* ---- synonyms ----------------------------------------------------------- */

static const char SQL_SYN_LIST[] =
    "SELECT term, expansions, updated_at FROM synonyms ORDER BY term";
static const char SQL_SYN_PUT[] =
    "INSERT INTO synonyms (term, expansions, updated_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (term) DO UPDATE SET expansions = EXCLUDED.expansions, "
    "updated_at = EXCLUDED.updated_at";
static const char SQL_SYN_ADD[] =
    "INSERT INTO synonyms (term, expansions, updated_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (term) DO NOTHING";
static const char SQL_SYN_DELETE[] = "DELETE FROM synonyms WHERE term = $1";

int store_synonym_list(struct db *db, synonym_cb cb, void *ctx, struct err *e)
{
    struct db_res *r;
    if (db_query(db, SQL_SYN_LIST, NULL, 0, &r, e))
        return -1;
    int step;
    while ((step = db_next(r, e)) == 1)
        if (cb(ctx, db_text(r, 0), db_text(r, 1), db_int(r, 2)))
            break;
    db_res_free(r);
    return step < 0 ? -1 : 0;
}

int store_synonym_put(struct db *db, const char *term, const char *expansions,
                      int64_t now_ms, struct err *e)
{
    struct db_param p[] = {DBP_TEXT(term), DBP_TEXT(expansions),
                           DBP_INT(now_ms)};
    return db_exec(db, SQL_SYN_PUT, p, 3, NULL, e);
}

int store_synonym_add(struct db *db, const char *term, const char *expansions,
                      int64_t now_ms, int *added, struct err *e)
{
    struct db_param p[] = {DBP_TEXT(term), DBP_TEXT(expansions),
                           DBP_INT(now_ms)};
    int64_t changes = 0;
    if (db_exec(db, SQL_SYN_ADD, p, 3, &changes, e))
        return -1;
    if (added)
        *added = changes > 0;
    return 0;
}

int store_synonym_delete(struct db *db, const char *term, int *removed,
                         struct err *e)
{
    struct db_param p[] = {DBP_TEXT(term)};
    int64_t changes = 0;
    if (db_exec(db, SQL_SYN_DELETE, p, 1, &changes, e))
        return -1;
    if (removed)
        *removed = changes > 0;
    return 0;
}
