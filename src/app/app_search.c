/* app_search.c — finding implementation items by the words people type
 * (app_search.h, docs/catalogue.md "Search"): the query and its synonym
 * variants are split into bigrams (core/bigram.h), the index gives at most
 * SEARCH_CANDIDATES candidates (store/search.h), and the order is made here,
 * in C, from the stored text alone, so SQLite and PostgreSQL agree:
 *
 *   tier 3  the name or the aliases hold a variant of the query whole (each
 *           of its words: a CJK run as a substring, a Latin/digit word as a
 *           token);
 *   tier 2  the name or the aliases hold some of its bigrams;
 *   tier 1  only the guide text does;
 *   then    (tier 3) whether the variant held whole is a synonym rewrite —
 *           an official term — rather than only the words as typed (养老 →
 *           养老保险: pension items before 养老机构);
 *           the share of a variant's tokens the name covers, the share the
 *           aliases cover, the share the guide text covers (best variant
 *           each, in thousandths), then item id (ascending).
 *
 * Candidates come in stages (store_search_match, each by item id, so the
 * set is the same on both databases): a variant whole in the name or
 * aliases, then two of its tokens there, then any token there, then any
 * token in the guide text — until SEARCH_CANDIDATES are taken.
 *
 * A token is "covered" by a text exactly when the index would match it
 * there: a CJK pair or a single CJK character as a substring (the index
 * treats one character as a prefix of the indexed pairs and tails), a word
 * as a whole word. When no candidate exists the nearest items are
 * suggested (tier 0): those whose name or aliases share the most single
 * characters of the query, found with one-character (prefix) queries,
 * since by then no bigram of the query is anywhere in the index.
 *
 * The synonym dictionary is cached per node as an immutable, reference-
 * counted snapshot, swapped when the database's `synonyms_rev` moves
 * (checked at most once a second, like the region cache). Thread-safe. */
#include "app_search.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/bigram.h"
#include "../core/utf8.h"
#include "../store/regions.h"
#include "../store/search.h"
#include "audit.h"
#include "internal.h"

#define SEARCH_CANDIDATES 500 /* from the index, by its own rank */
#define SEARCH_Q_MAX 32       /* characters of a query */
#define MAX_VARIANTS 8        /* the query and its synonym rewrites */
#define MAX_TOKENS 128        /* distinct tokens over all variants */
#define MAX_SEGS 64           /* distinct words (runs) over all variants */
#define REV_CHECK_MS 1000
#define SYN_FILE_MAX (4u << 20)

/* ---- the synonym cache ---------------------------------------------------- */

struct syn_entry {
    char *term;
    char **exp;
    int n_exp;
    int64_t updated_at;
};

struct syn_dict {
    atomic_int refs;
    int n;
    struct syn_entry *v; /* by term, as the database orders them */
    char rev[32];        /* the synonyms_rev it was read at */
};

static void syn_dict_free(struct syn_dict *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->n; i++) {
        free(d->v[i].term);
        for (int k = 0; k < d->v[i].n_exp; k++)
            free(d->v[i].exp[k]);
        free(d->v[i].exp);
    }
    free(d->v);
    free(d);
}

static void syn_release(struct syn_dict *d)
{
    if (d && atomic_fetch_sub(&d->refs, 1) == 1)
        syn_dict_free(d);
}

void app_search_cache_free(struct app *a)
{
    syn_release(a->syn);
    a->syn = NULL;
}

struct syn_build {
    struct syn_dict *d;
    int cap;
    int oom;
};

/* Split "a|b|c" into malloc'd strings; empty parts are dropped. */
static int split_expansions(const char *s, char ***out)
{
    int n = 0, cap = 0;
    char **v = NULL;
    *out = NULL;
    while (s && *s) {
        const char *bar = strchr(s, '|');
        size_t len = bar ? (size_t)(bar - s) : strlen(s);
        if (len) {
            if (n == cap) {
                cap = cap ? cap * 2 : 4;
                char **grown = realloc(v, sizeof *v * (size_t)cap);
                if (!grown)
                    goto oom;
                v = grown;
            }
            if (!(v[n] = strndup(s, len)))
                goto oom;
            n++;
        }
        s = bar ? bar + 1 : s + len;
    }
    *out = v;
    return n;
oom:
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
    return -1;
}

static int syn_build_row(void *ctx, const char *term, const char *expansions,
                         int64_t updated_at)
{
    struct syn_build *b = ctx;
    struct syn_dict *d = b->d;
    if (d->n == b->cap) {
        int cap = b->cap ? b->cap * 2 : 256;
        struct syn_entry *grown = realloc(d->v, sizeof *grown * (size_t)cap);
        if (!grown)
            return b->oom = 1;
        d->v = grown;
        b->cap = cap;
    }
    struct syn_entry *en = &d->v[d->n];
    memset(en, 0, sizeof *en);
    if (!(en->term = strdup(term ? term : "")))
        return b->oom = 1;
    en->n_exp = split_expansions(expansions, &en->exp);
    if (en->n_exp < 0) {
        free(en->term);
        return b->oom = 1;
    }
    en->updated_at = updated_at;
    d->n++;
    return 0;
}

/* Read the dictionary at revision rev; NULL on failure (e filled). */
static struct syn_dict *syn_load(struct db *db, const char *rev,
                                 struct err *e)
{
    struct syn_build b = {.d = calloc(1, sizeof(struct syn_dict))};
    if (!b.d)
        return err_set(e, ERR_INTERNAL, NULL, "内存不足"), NULL;
    atomic_init(&b.d->refs, 1);
    snprintf(b.d->rev, sizeof b.d->rev, "%s", rev);
    if (store_synonym_list(db, syn_build_row, &b, e) || b.oom) {
        if (b.oom)
            err_set(e, ERR_INTERNAL, NULL, "内存不足");
        syn_dict_free(b.d);
        return NULL;
    }
    return b.d;
}

/* Reload the dictionary when synonyms_rev moved (at most once a second,
 * unless `force`), reading on `on` when given (the caller's read
 * connection), else on one from the pool. Failures keep the old
 * dictionary. */
static void syn_refresh(struct app *a, struct db *on, int force)
{
    int64_t now = store_now_ms();
    long long last = atomic_load(&a->syn_checked_ms);
    if (!force && (now - last < REV_CHECK_MS ||
                   !atomic_compare_exchange_strong(&a->syn_checked_ms, &last,
                                                   now)))
        return;
    if (force)
        atomic_store(&a->syn_checked_ms, now);
    struct err e = {0};
    struct db *db = on ? on : store_read(a->store, &e);
    if (!db)
        return;
    char rev[32];
    if (store_meta_get(db, "synonyms_rev", rev, sizeof rev, &e)) {
        if (!on)
            store_read_done(a->store, db);
        return;
    }
    pthread_mutex_lock(&a->syn_mu);
    int same = a->syn && strcmp(a->syn->rev, rev) == 0;
    pthread_mutex_unlock(&a->syn_mu);
    struct syn_dict *d = same ? NULL : syn_load(db, rev, &e);
    if (!on)
        store_read_done(a->store, db);
    if (!d)
        return;
    pthread_mutex_lock(&a->syn_mu);
    struct syn_dict *old = a->syn;
    a->syn = d;
    pthread_mutex_unlock(&a->syn_mu);
    syn_release(old);
}

static struct syn_dict *syn_acquire(struct app *a, struct db *db)
{
    syn_refresh(a, db, 0);
    pthread_mutex_lock(&a->syn_mu);
    struct syn_dict *d = a->syn;
    if (d)
        atomic_fetch_add(&d->refs, 1);
    pthread_mutex_unlock(&a->syn_mu);
    return d;
}

/* ---- the query ------------------------------------------------------------ */

struct query {
    /* Distinct tokens over all variants; prefix = one CJK character. */
    const char *tok[MAX_TOKENS];
    int tok_kind[MAX_TOKENS];
    int n_tok;
    int has_word; /* some token is a Latin/digit word */
    /* Distinct words over all variants: a CJK run or a Latin/digit word. */
    const char *seg[MAX_SEGS];
    int seg_word[MAX_SEGS];
    int n_seg;
    /* Each variant: its tokens and words, as bit sets over tok and seg. */
    uint64_t v_tok[MAX_VARIANTS][MAX_TOKENS / 64];
    uint64_t v_seg[MAX_VARIANTS][MAX_SEGS / 64];
    int v_ntok[MAX_VARIANTS];
    int v_exp[MAX_VARIANTS]; /* 1: a synonym rewrite, 0: the query itself */
    int n_var;
};

static void bit_set(uint64_t *b, int i)
{
    b[i / 64] |= (uint64_t)1 << (i % 64);
}

static int bit_count(const uint64_t *b, int words)
{
    int n = 0;
    for (int i = 0; i < words; i++)
        n += __builtin_popcountll(b[i]);
    return n;
}

static int q_token(struct query *q, struct arena *ar, const struct bigram_tok *t)
{
    for (int i = 0; i < q->n_tok; i++)
        if (strcmp(q->tok[i], t->text) == 0)
            return i;
    if (q->n_tok >= MAX_TOKENS)
        return -1;
    q->tok[q->n_tok] = arena_strndup(ar, t->text, t->len);
    q->tok_kind[q->n_tok] = t->kind;
    if (t->kind == BIGRAM_WORD)
        q->has_word = 1;
    return q->n_tok++;
}

static int q_seg(struct query *q, struct arena *ar, const char *s, size_t n,
                 int word)
{
    for (int i = 0; i < q->n_seg; i++)
        if (q->seg_word[i] == word && strlen(q->seg[i]) == n &&
            memcmp(q->seg[i], s, n) == 0)
            return i;
    if (q->n_seg >= MAX_SEGS)
        return -1;
    q->seg[q->n_seg] = arena_strndup(ar, s, n);
    q->seg_word[q->n_seg] = word;
    return q->n_seg++;
}

/* Add variant text v: its tokens and its words (CJK runs, Latin words). */
static void q_variant(struct query *q, struct arena *ar, const char *v,
                      int is_exp)
{
    if (q->n_var >= MAX_VARIANTS)
        return;
    int k = q->n_var;
    memset(q->v_tok[k], 0, sizeof q->v_tok[k]);
    memset(q->v_seg[k], 0, sizeof q->v_seg[k]);
    struct bigram_iter it;
    struct bigram_tok t;
    size_t run_start = 0, run_end = 0;
    int in_run = 0, n = 0;
    bigram_init(&it, v, strlen(v), 0);
    while (bigram_next(&it, &t)) {
        int i = q_token(q, ar, &t);
        if (i >= 0) {
            bit_set(q->v_tok[k], i);
            n++;
        }
        if (t.kind == BIGRAM_CJK2 && in_run && t.start < run_end) {
            run_end = t.end; /* the run goes on */
            continue;
        }
        if (in_run) {
            int s = q_seg(q, ar, v + run_start, run_end - run_start, 0);
            if (s >= 0)
                bit_set(q->v_seg[k], s);
            in_run = 0;
        }
        if (t.kind == BIGRAM_WORD) {
            int s = q_seg(q, ar, t.text, t.len, 1);
            if (s >= 0)
                bit_set(q->v_seg[k], s);
        } else {
            in_run = 1;
            run_start = t.start;
            run_end = t.end;
        }
    }
    if (in_run) {
        int s = q_seg(q, ar, v + run_start, run_end - run_start, 0);
        if (s >= 0)
            bit_set(q->v_seg[k], s);
    }
    if (!n)
        return; /* nothing searchable in it */
    for (int i = 0; i < k; i++) /* the same variant twice counts once */
        if (!memcmp(q->v_tok[i], q->v_tok[k], sizeof q->v_tok[k]) &&
            !memcmp(q->v_seg[i], q->v_seg[k], sizeof q->v_seg[k]))
            return;
    q->v_ntok[k] = n;
    q->v_exp[k] = is_exp;
    q->n_var++;
}

/* A term occurrence inside the query. */
struct hit {
    size_t at, len;
    const struct syn_entry *en;
};

static int hit_by_len(const void *x, const void *y)
{
    const struct hit *a = x, *b = y;
    if (a->len != b->len)
        return a->len > b->len ? -1 : 1;
    return a->at < b->at ? -1 : a->at > b->at;
}

/* The query's variants: q itself, then q with each dictionary term found
 * in it (longest first; occurrences that overlap a longer one are left
 * out) replaced by each of its expansions. */
static void make_variants(struct query *qq, struct arena *ar, const char *q,
                          const struct syn_dict *d)
{
    q_variant(qq, ar, q, 0);
    if (!d)
        return;
    struct hit hits[32];
    int n_hits = 0;
    for (int i = 0; i < d->n && n_hits < 32; i++) {
        const char *p = d->v[i].term[0] ? strstr(q, d->v[i].term) : NULL;
        if (p)
            hits[n_hits++] = (struct hit){(size_t)(p - q),
                                          strlen(d->v[i].term), &d->v[i]};
    }
    qsort(hits, (size_t)n_hits, sizeof *hits, hit_by_len);
    int kept[32], n_kept = 0;
    for (int i = 0; i < n_hits; i++) {
        int overlap = 0;
        for (int k = 0; k < n_kept && !overlap; k++) {
            const struct hit *h = &hits[kept[k]];
            overlap = hits[i].at < h->at + h->len && h->at < hits[i].at + hits[i].len;
        }
        if (!overlap)
            kept[n_kept++] = i;
    }
    for (int k = 0; k < n_kept; k++) {
        const struct hit *h = &hits[kept[k]];
        for (int x = 0; x < h->en->n_exp; x++)
            q_variant(qq, ar,
                      arena_printf(ar, "%.*s%s%s", (int)h->at, q,
                                   h->en->exp[x], q + h->at + h->len),
                      1);
    }
}

/* ---- coverage of one text ------------------------------------------------- */

struct cover {
    uint64_t tok[MAX_TOKENS / 64];
    uint64_t seg[MAX_SEGS / 64];
};

/* Which tokens and words of the query text s holds (see the top). */
static void cover_text(const struct query *q, const char *s, int want_segs,
                       struct cover *c)
{
    memset(c, 0, sizeof *c);
    if (!s || !*s)
        return;
    for (int i = 0; i < q->n_tok; i++)
        if (q->tok_kind[i] != BIGRAM_WORD && strstr(s, q->tok[i]))
            bit_set(c->tok, i);
    if (want_segs)
        for (int i = 0; i < q->n_seg; i++)
            if (!q->seg_word[i] && strstr(s, q->seg[i]))
                bit_set(c->seg, i);
    if (!q->has_word)
        return;
    struct bigram_iter it;
    struct bigram_tok t;
    bigram_init(&it, s, strlen(s), 0);
    while (bigram_next(&it, &t)) {
        if (t.kind != BIGRAM_WORD)
            continue;
        for (int i = 0; i < q->n_tok; i++)
            if (q->tok_kind[i] == BIGRAM_WORD && !strcmp(q->tok[i], t.text))
                bit_set(c->tok, i);
        if (want_segs)
            for (int i = 0; i < q->n_seg; i++)
                if (q->seg_word[i] && !strcmp(q->seg[i], t.text))
                    bit_set(c->seg, i);
    }
}

/* Thousandths of variant k's tokens that c holds. */
static int share(const struct query *q, int k, const struct cover *c)
{
    uint64_t both[MAX_TOKENS / 64];
    for (int i = 0; i < MAX_TOKENS / 64; i++)
        both[i] = q->v_tok[k][i] & c->tok[i];
    int hit = bit_count(both, MAX_TOKENS / 64);
    return (hit * 1000 + q->v_ntok[k] / 2) / q->v_ntok[k];
}

/* 1 when c holds every word of variant k. */
static int holds_all(const struct query *q, int k, const struct cover *c)
{
    for (int i = 0; i < MAX_SEGS / 64; i++)
        if ((q->v_seg[k][i] & c->seg[i]) != q->v_seg[k][i])
            return 0;
    return 1;
}

/* ---- ranking --------------------------------------------------------------- */

/* The candidates seen so far (stages overlap): an open-addressing set. */
#define SEEN_SLOTS 1024 /* > 2 × SEARCH_CANDIDATES, a power of two */

struct ranker {
    const struct query *q;
    struct arena *ar;
    struct search_result *v;
    int n, cap;
    int64_t seen[SEEN_SLOTS]; /* 0 = empty (item ids are positive) */
};

/* 1 when id was seen before; else remember it and 0. */
static int seen_before(struct ranker *r, int64_t id)
{
    uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;
    for (size_t i = (size_t)(h >> 54) & (SEEN_SLOTS - 1);;
         i = (i + 1) & (SEEN_SLOTS - 1)) {
        if (r->seen[i] == id)
            return 1;
        if (!r->seen[i]) {
            r->seen[i] = id;
            return 0;
        }
    }
}

static int rank_hit(void *ctx, const struct search_doc *d)
{
    struct ranker *r = ctx;
    const struct query *q = r->q;
    if (r->n == r->cap)
        return 1;
    if (d->item_id <= 0 || seen_before(r, d->item_id))
        return 0;
    struct cover cn, ca, cb;
    cover_text(q, d->name, 1, &cn);
    cover_text(q, d->aliases, 1, &ca);
    cover_text(q, d->body, 0, &cb);
    int whole = 0, official = 0, ns = 0, as = 0, bs = 0;
    for (int k = 0; k < q->n_var; k++) {
        int w = holds_all(q, k, &cn) || holds_all(q, k, &ca);
        whole |= w;
        official |= w && q->v_exp[k];
        int x = share(q, k, &cn), y = share(q, k, &ca), z = share(q, k, &cb);
        ns = x > ns ? x : ns;
        as = y > as ? y : as;
        bs = z > bs ? z : bs;
    }
    struct search_result *res = &r->v[r->n++];
    res->item_id = d->item_id;
    res->tier = whole ? 3 : (ns || as) ? 2 : 1;
    res->score = (double)official * 1e9 + (double)ns * 1e6 +
                 (double)as * 1e3 + (double)bs;
    return 0;
}

static int by_rank(const void *x, const void *y)
{
    const struct search_result *a = x, *b = y;
    if (a->tier != b->tier)
        return a->tier > b->tier ? -1 : 1;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return a->item_id < b->item_id ? -1 : a->item_id > b->item_id;
}

/* The best k of v[0..n) by by_rank, sorted, into v[0..k) (k ≤ n): a heap
 * of the k best so far with the worst on top, then sorted in place. Only
 * the first `limit` results are ever shown, and by_rank is a total order
 * (ties by item id), so this is the order qsort of all n gives, without
 * its scratch buffer and with fewer comparisons. */
static void rank_sift(struct search_result *h, int n, int i)
{
    for (;;) {
        int l = 2 * i + 1, w = i;
        if (l < n && by_rank(&h[l], &h[w]) > 0)
            w = l;
        if (l + 1 < n && by_rank(&h[l + 1], &h[w]) > 0)
            w = l + 1;
        if (w == i)
            return;
        struct search_result t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

static void rank_top(struct search_result *v, int n, int k)
{
    if (k <= 0)
        return;
    for (int i = k / 2 - 1; i >= 0; i--)
        rank_sift(v, k, i);
    for (int i = k; i < n; i++)
        if (by_rank(&v[i], &v[0]) < 0) {
            v[0] = v[i];
            rank_sift(v, k, 0);
        }
    for (int end = k - 1; end > 0; end--) {
        struct search_result t = v[0];
        v[0] = v[end];
        v[end] = t;
        rank_sift(v, end, 0);
    }
}

/* Suggestions: items sharing the most single characters (and words) of the
 * query in their name, then aliases. */
struct suggester {
    const char *chars[MAX_TOKENS];
    int n_chars;
    struct search_result *v;
    int n, cap;
};

static int suggest_hit(void *ctx, const struct search_doc *d)
{
    struct suggester *s = ctx;
    int in_name = 0, in_alias = 0;
    for (int i = 0; i < s->n_chars; i++) {
        in_name += d->name && strstr(d->name, s->chars[i]) != NULL;
        in_alias += d->aliases && strstr(d->aliases, s->chars[i]) != NULL;
    }
    if ((!in_name && !in_alias) || s->n == s->cap)
        return 0;
    struct search_result *res = &s->v[s->n++];
    res->item_id = d->item_id;
    res->tier = 0;
    res->score = (double)in_name * 1e3 + (double)in_alias;
    return 0;
}

static int suggest(struct app *a, struct db *db, const char *q,
                   const char *const *regions, int n_regions, struct arena *ar,
                   struct suggester *s, struct err *e)
{
    const unsigned char *u = (const unsigned char *)q;
    /* Every CJK character of the query, once. */
    for (size_t i = 0; q[i] && s->n_chars < MAX_TOKENS;) {
        size_t len = u[i] < 0x80 ? 1 : u[i] < 0xE0 ? 2 : u[i] < 0xF0 ? 3 : 4;
        struct bigram_iter one;
        struct bigram_tok ot;
        bigram_init(&one, q + i, len, 0);
        if (bigram_next(&one, &ot) && ot.kind == BIGRAM_CJK1) {
            int dup = 0;
            for (int k = 0; k < s->n_chars && !dup; k++)
                dup = !strcmp(s->chars[k], ot.text);
            if (!dup)
                s->chars[s->n_chars++] = arena_strdup(ar, ot.text);
        }
        i += len;
    }
    if (!s->n_chars)
        return 0;
    struct search_group g = {s->chars, s->n_chars};
    return store_search_match(db, SEARCH_NAMES | SEARCH_NO_BODY, SEARCH_ANY,
                              &g, 1, regions, n_regions, SEARCH_CANDIDATES,
                              suggest_hit, s, e);
}

int app_search_items(struct app *a, const char *q, const char *const *regions,
                     int n_regions, int limit, struct arena *ar,
                     struct search_result **out, int *n, int *suggested,
                     struct err *e)
{
    struct db *db = store_read(a->store, e);
    if (!db)
        return -1;
    int rc = app_search_items_on(a, db, q, regions, n_regions, limit, ar, out,
                                 n, suggested, e);
    store_read_done(a->store, db);
    return rc;
}

int app_search_items_on(struct app *a, struct db *db, const char *q,
                        const char *const *regions, int n_regions, int limit,
                        struct arena *ar, struct search_result **out, int *n,
                        int *suggested, struct err *e)
{
    *out = NULL;
    *n = 0;
    *suggested = 0;
    size_t qlen = q ? strlen(q) : 0;
    if (!qlen || !utf8_valid(q, qlen) || utf8_has_control(q, qlen))
        return err_set(e, ERR_INVALID, "q", "请输入要查找的事项名称或关键词");
    if (utf8_chars(q, qlen) > SEARCH_Q_MAX)
        return err_set(e, ERR_INVALID, "q", "查询词过长（至多 %d 个字）",
                       SEARCH_Q_MAX);
    if (limit < 1 || limit > 100)
        return err_set(e, ERR_INVALID, "limit", "limit 应在 1 到 100 之间");

    struct query *qq = arena_new_obj(ar, struct query);
    struct syn_dict *d = syn_acquire(a, db);
    make_variants(qq, ar, q, d);
    syn_release(d);

    struct ranker rk_ = {0}, *rk = &rk_; /* its id set on the stack */
    rk->q = qq;
    rk->ar = ar;
    rk->cap = SEARCH_CANDIDATES;
    rk->v = arena_new_array(ar, struct search_result, rk->cap);
    /* One group of tokens per variant. */
    struct search_group groups[MAX_VARIANTS];
    int two = 0;
    for (int k = 0; k < qq->n_var; k++) {
        const char **t = arena_new_array(ar, const char *, qq->v_ntok[k]);
        int n_t = 0;
        for (int i = 0; i < qq->n_tok; i++)
            if (qq->v_tok[k][i / 64] & ((uint64_t)1 << (i % 64)))
                t[n_t++] = qq->tok[i];
        groups[k] = (struct search_group){t, n_t};
        two |= n_t >= 3;
    }
    /* The stages, each by item id, until SEARCH_CANDIDATES are taken: a
     * variant whole in name or aliases (≈ tier 3); two of its tokens there;
     * any token there (≈ tier 2); any token in the guide text (tier 1).
     * Each stage leaves out the items taken by earlier ones and takes at
     * most the number still missing: the first new ones by item id. One
     * statement on SQLite (store_search_staged). */
    int rc = 0;
    if (qq->n_var)
        rc = store_search_staged(db, groups, qq->n_var, two, regions, n_regions,
                                 rk->cap, rank_hit, rk, e);
    struct suggester s = {.cap = SEARCH_CANDIDATES, .v = rk->v};
    if (!rc && rk->n == 0) {
        rc = suggest(a, db, q, regions, n_regions, ar, &s, e);
        rk->n = s.n;
        *suggested = s.n > 0;
    }
    if (rc)
        return -1;
    *n = rk->n < limit ? rk->n : limit;
    rank_top(rk->v, rk->n, *n);
    *out = rk->v;
    return 0;
}

/* ---- the dictionary: administration ---------------------------------------- */

static int text_ok(const char *s, size_t max_chars)
{
    size_t n = s ? strlen(s) : 0;
    if (!n || !utf8_valid(s, n) || utf8_has_control(s, n) ||
        utf8_chars(s, n) > max_chars || strchr(s, '|') || strchr(s, '\t'))
        return 0;
    /* Something searchable in it, and no space at either end. */
    if (s[0] == ' ' || s[n - 1] == ' ')
        return 0;
    return bigram_join(s, n, 0, NULL, 0) > 0;
}

int app_synonym_check(const char *term, const char *const *expansions, int n,
                      struct err *e)
{
    if (!text_ok(term, SYNONYM_TERM_MAX))
        return err_set(e, ERR_INVALID, "term",
                       "同义词应为 1–%d 个字，含汉字或字母数字，不含 | 与控制字符",
                       SYNONYM_TERM_MAX);
    if (n < 1 || n > SYNONYM_EXPANSIONS_MAX)
        return err_set(e, ERR_INVALID, "/expansions",
                       "应给出 1–%d 个规范用语", SYNONYM_EXPANSIONS_MAX);
    for (int i = 0; i < n; i++) {
        char ptr[32];
        snprintf(ptr, sizeof ptr, "/expansions/%d", i);
        if (!text_ok(expansions[i], SYNONYM_EXPANSION_MAX))
            return err_set(e, ERR_INVALID, ptr,
                           "规范用语应为 1–%d 个字，不含 | 与控制字符",
                           SYNONYM_EXPANSION_MAX);
        for (int k = 0; k < i; k++)
            if (!strcmp(expansions[k], expansions[i]))
                return err_set(e, ERR_INVALID, ptr, "规范用语重复");
    }
    return 0;
}

int app_synonyms_list(struct app *a, const struct actor *who, struct arena *ar,
                      struct synonym **out, int *n, struct err *e)
{
    *out = NULL;
    *n = 0;
    if (!actor_can(who, CAP_SYNONYM_WRITE, NULL))
        return err_set(e, ERR_FORBIDDEN, NULL, "无权管理同义词");
    struct db *db = store_read(a->store, e);
    if (!db)
        return -1;
    struct syn_build b = {.d = calloc(1, sizeof(struct syn_dict))};
    int rc = b.d ? store_synonym_list(db, syn_build_row, &b, e)
                 : err_set(e, ERR_INTERNAL, NULL, "内存不足");
    store_read_done(a->store, db);
    if (!rc && b.oom)
        rc = err_set(e, ERR_INTERNAL, NULL, "内存不足");
    if (!rc) {
        struct synonym *v = arena_new_array(ar, struct synonym, b.d->n + 1);
        for (int i = 0; i < b.d->n; i++) {
            const struct syn_entry *en = &b.d->v[i];
            v[i].term = arena_strdup(ar, en->term);
            v[i].n_expansions = en->n_exp;
            v[i].expansions =
                arena_new_array(ar, const char *, en->n_exp + 1);
            for (int k = 0; k < en->n_exp; k++)
                v[i].expansions[k] = arena_strdup(ar, en->exp[k]);
            v[i].updated_at = en->updated_at;
        }
        *out = v;
        *n = b.d->n;
    }
    syn_dict_free(b.d);
    return rc;
}

/* The next synonyms_rev: the time of the change (ms) — unique enough, and
 * only ever compared for equality. */
static int bump_rev(struct db *db, int64_t now, struct err *e)
{
    char rev[32];
    snprintf(rev, sizeof rev, "%lld", (long long)now);
    return store_meta_set(db, "synonyms_rev", rev, e);
}

struct syn_write {
    const struct actor *who;
    const char *term;
    const char *joined; /* NULL: delete */
    int64_t now;
    int created, removed;
};

static int syn_write_unit(struct db *db, void *arg, struct err *e)
{
    struct syn_write *w = arg;
    int existed = 0;
    if (w->joined) {
        int added = 0;
        if (store_synonym_add(db, w->term, w->joined, w->now, &added, e))
            return -1;
        if (!added &&
            store_synonym_put(db, w->term, w->joined, w->now, e))
            return -1;
        w->created = added;
        existed = !added;
    } else {
        if (store_synonym_delete(db, w->term, &w->removed, e))
            return -1;
        if (!w->removed)
            return err_set(e, ERR_NOT_FOUND, "term", "没有这个同义词");
        existed = 1;
    }
    if (bump_rev(db, w->now, e))
        return -1;
    json_t *detail = json_pack("{s:s, s:b}", "term", w->term, "existed",
                               existed);
    struct audit_entry en = {
        .action = w->joined ? "synonym.put" : "synonym.delete",
        .target_kind = "synonym",
        .target_id = w->term,
        .region_of_actor = 1,
        .outcome = "ok",
        .detail = detail,
    };
    audit_entry_actor(&en, w->who);
    int rc = app_audit_unit_record(db, &en, e);
    json_decref(detail);
    return rc;
}

int app_synonym_put(struct app *a, const struct actor *who, const char *term,
                    const char *const *expansions, int n, int *created,
                    struct err *e)
{
    if (!actor_can(who, CAP_SYNONYM_WRITE, NULL))
        return err_set(e, ERR_FORBIDDEN, NULL, "无权管理同义词");
    if (app_synonym_check(term, expansions, n, e))
        return -1;
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(expansions[i]) + 1;
    char *joined = malloc(len);
    if (!joined)
        return err_set(e, ERR_INTERNAL, NULL, "内存不足");
    joined[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(joined, "|");
        strcat(joined, expansions[i]);
    }
    struct syn_write w = {.who = who, .term = term, .joined = joined,
                          .now = store_now_ms()};
    int rc = store_write(a->store, syn_write_unit, &w, e);
    free(joined);
    if (rc)
        return -1;
    if (created)
        *created = w.created;
    syn_refresh(a, NULL, 1);
    return 0;
}

int app_synonym_delete(struct app *a, const struct actor *who,
                       const char *term, struct err *e)
{
    if (!actor_can(who, CAP_SYNONYM_WRITE, NULL))
        return err_set(e, ERR_FORBIDDEN, NULL, "无权管理同义词");
    if (!term || !*term)
        return err_set(e, ERR_NOT_FOUND, "term", "没有这个同义词");
    struct syn_write w = {.who = who, .term = term, .now = store_now_ms()};
    if (store_write(a->store, syn_write_unit, &w, e))
        return -1;
    syn_refresh(a, NULL, 1);
    return 0;
}

/* ---- the dictionary file -------------------------------------------------- */

struct syn_file {
    char **term, **joined;
    int n, cap;
    int64_t now;
    int added;
};

static void syn_file_free(struct syn_file *f)
{
    for (int i = 0; i < f->n; i++) {
        free(f->term[i]);
        free(f->joined[i]);
    }
    free(f->term);
    free(f->joined);
}

static int syn_file_unit(struct db *db, void *arg, struct err *e)
{
    struct syn_file *f = arg;
    f->added = 0;
    for (int i = 0; i < f->n; i++) {
        int added = 0;
        if (store_synonym_add(db, f->term[i], f->joined[i], f->now, &added,
                              e))
            return -1;
        f->added += added;
    }
    return f->added ? bump_rev(db, f->now, e) : 0;
}

/* Parse one line "term<TAB>a|b" (already without its newline) into f. */
static int syn_file_line(struct syn_file *f, char *line, const char *where,
                         struct err *e)
{
    char *tab = strchr(line, '\t');
    if (!tab)
        return err_set(e, ERR_INVALID, where,
                       "同义词行应为“词<TAB>规范用语1|规范用语2”");
    *tab = '\0';
    char *term = line, *rest = tab + 1;
    const char *exp[SYNONYM_EXPANSIONS_MAX + 1];
    int n = 0;
    for (char *p = rest; n <= SYNONYM_EXPANSIONS_MAX;) {
        char *bar = strchr(p, '|');
        if (bar)
            *bar = '\0';
        exp[n++] = p;
        if (!bar)
            break;
        p = bar + 1;
    }
    struct err sub = {0};
    if (app_synonym_check(term, exp, n, &sub))
        return err_set(e, ERR_INVALID, where, "%s", sub.msg);
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->term[i], term))
            return err_set(e, ERR_INVALID, where, "同义词“%s”重复", term);
    if (f->n == f->cap) {
        int cap = f->cap ? f->cap * 2 : 128;
        char **t = realloc(f->term, sizeof *t * (size_t)cap);
        if (!t)
            return err_set(e, ERR_INTERNAL, NULL, "内存不足");
        f->term = t;
        char **j = realloc(f->joined, sizeof *j * (size_t)cap);
        if (!j)
            return err_set(e, ERR_INTERNAL, NULL, "内存不足");
        f->joined = j;
        f->cap = cap;
    }
    for (int i = 1; i < n; i++) /* put the bars back: a|b|c */
        ((char *)exp[i])[-1] = '|';
    f->term[f->n] = strdup(term);
    f->joined[f->n] = strdup(rest);
    if (!f->term[f->n] || !f->joined[f->n]) {
        free(f->term[f->n]);
        free(f->joined[f->n]);
        return err_set(e, ERR_INTERNAL, NULL, "内存不足");
    }
    f->n++;
    return 0;
}

int app_synonyms_load(struct app *a, const char *path, int *added,
                      struct err *e)
{
    if (added)
        *added = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return err_set(e, ERR_INVALID, path, "无法读取同义词文件"),
               err_log(e, "%s: %s", path, strerror(errno));
    struct syn_file f = {.now = store_now_ms()};
    char line[4096];
    int lineno = 0, rc = 0;
    size_t total = 0;
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    while (!rc && fgets(line, sizeof line, fp)) {
        char where[64];
        lineno++;
        snprintf(where, sizeof where, "%.40s:%d", base, lineno);
        size_t len = strlen(line);
        total += len;
        if (total > SYN_FILE_MAX) {
            rc = err_set(e, ERR_TOO_LARGE, where, "同义词文件过大");
            break;
        }
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            rc = err_set(e, ERR_INVALID, where, "行过长");
            break;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!utf8_valid(line, len)) {
            rc = err_set(e, ERR_INVALID, where, "不是有效的 UTF-8 文本");
            break;
        }
        const char *p = line;
        while (*p == ' ')
            p++;
        if (!*p || *p == '#')
            continue;
        rc = syn_file_line(&f, line, where, e);
    }
    fclose(fp);
    if (!rc && f.n)
        rc = store_write(a->store, syn_file_unit, &f, e);
    if (!rc && added)
        *added = f.added;
    syn_file_free(&f);
    if (!rc)
        syn_refresh(a, NULL, 1);
    return rc;
}

int app_synonyms_load_default(struct app *a, int *added, struct err *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/synonyms.tsv", app_data_dir(a));
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        if (added)
            *added = 0;
        return 0;
    }
    fclose(fp);
    return app_synonyms_load(a, path, added, e);
}
