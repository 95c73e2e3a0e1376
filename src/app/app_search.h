/* app_search.h — finding implementation items by the words people type
 * (docs/catalogue.md "Search"): synonym expansion, bigram candidates from the
 * index, ranking in C (the same order on SQLite and PostgreSQL), suggestions
 * when nothing matches. Thread-safe. */
#ifndef BIANMIN_APP_APP_SEARCH_H
#define BIANMIN_APP_APP_SEARCH_H

#include <stdint.h>

#include "../core/arena.h"
#include "app.h"

struct search_result {
    int64_t item_id;
    int tier;     /* 3 name/alias holds the whole query or an expansion,
                     2 the name covers part of it, 1 only the guide text,
                     0 a suggestion (nothing matched) */
    double score; /* within a tier; higher first; ties by item_id */
};

/* app_search_items — at most `limit` (1–100) ranked results for q (1–32
 * characters) among items of `regions` (n_regions 0 = everywhere), in
 * arena `ar`. *suggested = 1 when nothing matched and the results are the
 * nearest items instead. ERR_INVALID (field "q") for an empty or too long
 * query. */
int app_search_items(struct app *a, const char *q, const char *const *regions,
                     int n_regions, int limit, struct arena *ar,
                     struct search_result **out, int *n, int *suggested,
                     struct err *e);

#endif
