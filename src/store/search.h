/* search.h — the full-text index of published implementation items (see
 * docs/catalogue.md "Search"). One row per implementation item that has a
 * published version; the catalogue keeps it in step inside the same write
 * unit that publishes, supersedes or abolishes (store_search_put /
 * store_search_remove). Text is tokenised by core/bigram.h: on SQLite by the
 * FTS5 tokenizer `bianmin_bigram` (registered by the SQLite driver on every
 * connection), on PostgreSQL into a stored tsvector column with a GIN index.
 *
 * Candidates come from the index; ranking is done by app/app_search.c in C
 * on the stored fields, so both databases give the same order. */
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

/* store_search_candidates — items whose text holds any of the n tokens
 * (tokens as core/bigram.h makes them), optionally only items of the given
 * regions (n_regions 0 = any region), at most `limit`, best first by the
 * index's own rank. For each, cb gets the stored fields (borrowed for the
 * call). Return nonzero from cb to stop. */
typedef int (*search_hit_cb)(void *ctx, const struct search_doc *d);
int store_search_candidates(struct db *db, const char *const *tokens, int n,
                            const char *const *regions, int n_regions,
                            int limit, search_hit_cb cb, void *ctx,
                            struct err *e);

#endif
