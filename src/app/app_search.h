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
/* app_search_items_on — the same on db, a read connection the caller
 * holds (store_read), e.g. inside its store_read_snapshot, so that the
 * search and the page's item rows are one read transaction on SQLite. */
struct db;
int app_search_items_on(struct app *a, struct db *db, const char *q,
                        const char *const *regions, int n_regions, int limit,
                        struct arena *ar, struct search_result **out, int *n,
                        int *suggested, struct err *e);

/* The synonym dictionary (docs/catalogue.md "Search"): a term people type
 * (低保) → official terms (最低生活保障). Each node caches it and reloads it
 * when the database's `synonyms_rev` moves (checked at most once a second;
 * at once on the node that wrote). A dictionary term found inside the query
 * (longest first, occurrences not overlapping) adds the query with that
 * term replaced by each expansion as a variant of the query. */
#define SYNONYM_TERM_MAX 30       /* characters */
#define SYNONYM_EXPANSION_MAX 50  /* characters of one expansion */
#define SYNONYM_EXPANSIONS_MAX 10 /* expansions of one term */

struct synonym {
    const char *term;
    const char **expansions;
    int n_expansions;
    int64_t updated_at; /* Unix ms; 0 when loaded without a time */
};

/* app_synonyms_list — every entry by term, into arena ar. Needs
 * CAP_SYNONYM_WRITE (ERR_FORBIDDEN). */
int app_synonyms_list(struct app *a, const struct actor *who, struct arena *ar,
                      struct synonym **out, int *n, struct err *e);
/* app_synonym_check — validate a term and its expansions (field "term" or
 * "/expansions/i"): term 1–SYNONYM_TERM_MAX characters, 1–
 * SYNONYM_EXPANSIONS_MAX expansions of 1–SYNONYM_EXPANSION_MAX characters,
 * no control characters, '|' or tab, no duplicates. */
int app_synonym_check(const char *term, const char *const *expansions, int n,
                      struct err *e);
/* app_synonym_put — create or replace `term` (CAP_SYNONYM_WRITE); bumps
 * synonyms_rev. *created (may be NULL) = 1 when the term was new. */
int app_synonym_put(struct app *a, const struct actor *who, const char *term,
                    const char *const *expansions, int n, int *created,
                    struct err *e);
/* app_synonym_delete — remove `term` (CAP_SYNONYM_WRITE); ERR_NOT_FOUND when
 * absent. Bumps synonyms_rev. */
int app_synonym_delete(struct app *a, const struct actor *who,
                       const char *term, struct err *e);
/* app_synonyms_load — add the terms of a dictionary file (format of
 * data/synonyms.tsv: `term<TAB>expansion1|expansion2`, '#' comments, blank
 * lines) that the database does not hold yet; terms present are left as
 * they are (administrators may have edited them). For `bianmin init`; no
 * actor. All or nothing: any bad line (field "FILE:LINE") adds nothing.
 * *added (may be NULL) = how many terms were new. */
int app_synonyms_load(struct app *a, const char *path, int *added,
                      struct err *e);
/* app_synonyms_load_default — app_synonyms_load of <data dir>/synonyms.tsv;
 * a missing file adds nothing and is not an error. */
int app_synonyms_load_default(struct app *a, int *added, struct err *e);

#endif
