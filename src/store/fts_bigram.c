/* fts_bigram.c — the FTS5 tokenizer `bianmin_bigram` over core/bigram.h.
 * Stateless (no options): the tokenizer object is a dummy, so xCreate and
 * xDelete do nothing that can fail. Thread-safe: nothing shared. Contract in
 * store/fts_bigram.h. */
#include "fts_bigram.h"

#include <sqlite3.h>

#include "../core/bigram.h"

static char k_dummy; /* every tokenizer instance: no state to keep */

static int bg_create(void *ctx, const char **argv, int argc,
                     Fts5Tokenizer **out)
{
    (void)ctx;
    (void)argv;
    if (argc > 0) {
        *out = NULL;
        return SQLITE_ERROR; /* bianmin_bigram takes no options */
    }
    *out = (Fts5Tokenizer *)&k_dummy;
    return SQLITE_OK;
}

static void bg_delete(Fts5Tokenizer *t)
{
    (void)t;
}

static int bg_tokenize(Fts5Tokenizer *tok, void *ctx, int flags,
                       const char *text, int n_text,
                       int (*x_token)(void *, int, const char *, int, int,
                                      int))
{
    (void)tok;
    struct bigram_iter it;
    struct bigram_tok t;
    /* Tails are for documents (and aux functions that re-read them), never
     * for queries: a query's phrase "低保" must stay one token. */
    unsigned bf = (flags & FTS5_TOKENIZE_QUERY) ? 0 : BIGRAM_TAIL;
    if (n_text < 0)
        n_text = 0;
    bigram_init(&it, text, (size_t)n_text, bf);
    while (bigram_next(&it, &t)) {
        int tf = (t.flags & BIGRAM_F_TAIL) ? FTS5_TOKEN_COLOCATED : 0;
        int rc = x_token(ctx, tf, t.text, (int)t.len, (int)t.start,
                         (int)t.end);
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

static fts5_api *fts5_api_of(sqlite3 *h)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(h, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return api;
}

int fts_bigram_register(struct sqlite3 *h)
{
    fts5_api *api = fts5_api_of(h);
    if (!api || api->iVersion < 2)
        return SQLITE_ERROR;
    static fts5_tokenizer k_tok = {bg_create, bg_delete, bg_tokenize};
    return api->xCreateTokenizer(api, "bianmin_bigram", NULL, &k_tok, NULL);
}
