/* search.h — the full-text index of published implementation items (see
 * docs/catalogue.md "Search"). One row per implementation item that has a
 * published version; the catalogue keeps it in step inside the same write
 * unit that publishes, supersedes or abolishes (store_search_put /
 * store_search_remove). Text is tokenised by core/bigram.h: on SQLite by the
 * FTS5 tokenizer `bianmin_bigram` (registered by the SQLite driver on every
 * connection), on PostgreSQL into a stored tsvector column with a GIN index.
 *
 * Candidates come from the index in stages (store_search_match), each by
 * item id; ranking is done by app/app_search.c in C on the stored fields, so
 * both databases give the same candidates and the same order. */
#ifndef BIANMIN_STORE_SEARCH_H
#define BIANMIN_STORE_SEARCH_H

#include <stdint.h>

#include "db.h"

struct search_doc {
    int64_t item_id;     /* the implementation item */
    const char *region;  /* its 12-digit region code */
    const char *name;    /* the base item's name */
    const char *aliases; /* aliases and keywords, separated by spaces */
    const char *body;    /* guide text: conditions, materials, unit, result */
};

/* store_search_put — insert or replace the item's row. */
int store_search_put(struct db *db, const struct search_doc *d, struct err *e);
/* store_search_remove — drop the item's row (no row is not an error). */
int store_search_remove(struct db *db, int64_t item_id, struct err *e);

/* store_search_candidates — items whose text (name, aliases or body)
 * holds any of the n tokens (tokens as core/bigram.h makes them),
 * optionally only items of the given regions (n_regions 0 = any region), at
 * most `limit`, by item id (ascending). For each, cb gets the stored fields
 * (borrowed for the call). Return nonzero from cb to stop. The same as
 * store_search_match(SEARCH_NAMES | SEARCH_BODY, SEARCH_ANY, one group). */
typedef int (*search_hit_cb)(void *ctx, const struct search_doc *d);
int store_search_candidates(struct db *db, const char *const *tokens, int n,
                            const char *const *regions, int n_regions,
                            int limit, search_hit_cb cb, void *ctx,
                            struct err *e);

/* store_search_match — one stage of the staged candidate search of
 * app/app_search.c: items where `where` (name and aliases, body, or both)
 * holds, for some group of tokens (one group per variant of the query),
 *   SEARCH_ALL  every token of the group,
 *   SEARCH_TWO  at least two tokens of the group (a group of one or two
 *               tokens: all of them; at most SEARCH_MAX_PAIRS pairs in all,
 *               later pairs are left out),
 *   SEARCH_ANY  any token of the group;
 * only items of `regions` when n_regions > 0; at most `limit`, by item id
 * ascending. No ranking function is used: the order, and so the set that
 * fits under `limit`, is the same on both databases and costs no more than
 * reading `limit` ids. */
enum search_where { SEARCH_NAMES = 1, SEARCH_BODY = 2, SEARCH_NO_BODY = 4 };
/* SEARCH_NO_BODY (with SEARCH_NAMES alone): the caller does not read the
 * guide text (cb may get body NULL) — on SQLite the rows then come from the
 * small names table only, not from item_search's rows with the guide
 * text (the suggestions of app/app_search.c). */
enum search_how { SEARCH_ALL = 1, SEARCH_TWO, SEARCH_ANY };
struct search_group {
    const char *const *tokens;
    int n;
};
#define SEARCH_MAX_PAIRS 64
int store_search_match(struct db *db, int where, enum search_how how,
                       const struct search_group *groups, int n_groups,
                       const char *const *regions, int n_regions, int limit,
                       search_hit_cb cb, void *ctx, struct err *e);
/* store_search_match_ex — the same, leaving out the items exclude[n_exclude]
 * (those an earlier stage took): `limit` then counts only other items, and
 * the left-out ones are not read. */
int store_search_match_ex(struct db *db, int where, enum search_how how,
                          const struct search_group *groups, int n_groups,
                          const char *const *regions, int n_regions,
                          const int64_t *exclude, int n_exclude, int limit,
                          search_hit_cb cb, void *ctx, struct err *e);

/* store_search_staged — the whole staged candidate search of
 * app/app_search.c in one call: the stages names/SEARCH_ALL, names/
 * SEARCH_TWO (only when with_two), names/SEARCH_ANY and body/SEARCH_ANY,
 * each taking the first items by item id that no earlier stage took, until
 * `limit` are taken. cb gets each (stage order, then item id within a
 * stage on SQLite; the caller ranks them anyway). The same set as calling
 * store_search_match_ex stage by stage. SQLite: one statement (the stages
 * as materialized CTEs over the two FTS5 tables, then one row read per
 * item); PostgreSQL: one call of item_search_staged (migration 13: the
 * stages on ids, the name stages on the distinct names, then the rows). */
int store_search_staged(struct db *db, const struct search_group *groups,
                        int n_groups, int with_two, const char *const *regions,
                        int n_regions, int limit, search_hit_cb cb, void *ctx,
                        struct err *e);

/* How tokens are matched (store/search.c): a token of one CJK character is
 * a prefix query ("低" * in FTS5, '低':* in tsquery), which finds the
 * character anywhere because indexed text carries tails (core/bigram.h
 * BIGRAM_TAIL); every other token must equal an indexed token. Tokens are
 * tokenised again here, so any text is safe: query syntax of FTS5 or
 * tsquery only separates. Regions must be 1–32 ASCII letters or digits
 * (ERR_INVALID, field "regions", otherwise); at most SEARCH_MAX_REGIONS.
 * The region filter is part of the index query, so `limit` counts only
 * items of those regions. */
#define SEARCH_MAX_REGIONS 64
#define SEARCH_MAX_TOKENS 128

/* store_search_count — rows in the index (for tests and the benchmark). */
int store_search_count(struct db *db, int64_t *n, struct err *e);

/* The synonym dictionary (docs/catalogue.md "Search"): a term people type
 * and its official expansions, '|'-separated. */
typedef int (*synonym_cb)(void *ctx, const char *term, const char *expansions,
                          int64_t updated_at);
/* store_synonym_list — every entry, by term; cb nonzero stops. */
int store_synonym_list(struct db *db, synonym_cb cb, void *ctx,
                       struct err *e);
/* store_synonym_put — insert or replace the term's expansions. */
int store_synonym_put(struct db *db, const char *term, const char *expansions,
                      int64_t now_ms, struct err *e);
/* store_synonym_add — insert unless the term is present; *added (may be
 * NULL) 1 when inserted. */
int store_synonym_add(struct db *db, const char *term, const char *expansions,
                      int64_t now_ms, int *added, struct err *e);
/* store_synonym_delete — *removed (may be NULL) 1 when a row went. */
int store_synonym_delete(struct db *db, const char *term, int *removed,
                         struct err *e);

#endif
