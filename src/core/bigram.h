/* bigram.h — text → search tokens, the one rule shared by the SQLite FTS5
 * tokenizer (store/fts_bigram.c), the PostgreSQL tsvector text
 * (store/search.c) and query terms (app/app_search.c). See docs/catalogue.md
 * "Search".
 *
 * The rule, over UTF-8 text:
 *   - a run of CJK characters (CJK Unified Ideographs U+4E00–9FFF,
 *     Extension A U+3400–4DBF, Extensions B–H in planes 2 and 3,
 *     Compatibility Ideographs U+F900–FAFF and U+2F800–2FA1F, and 〇 U+3007)
 *     becomes its overlapping pairs: 最低生活 → 最低 低生 生活; a run of one
 *     character becomes that character (a unigram);
 *   - a run of Latin letters and digits (ASCII, and their full-width forms
 *     Ａ–Ｚ ａ–ｚ ０–９, folded to ASCII) becomes one lower-cased word, cut
 *     after BIGRAM_WORD_MAX bytes (the rest of the run is dropped);
 *   - everything else — spaces, punctuation (full-width too), other scripts,
 *     bytes that are not valid UTF-8 — only separates.
 * With BIGRAM_TAIL the last character of each run of two or more CJK
 * characters is also given as a unigram (flag BIGRAM_F_TAIL on that token),
 * so that every character of the text is the first character of some token:
 * a one-character query is then a prefix query over the index (store/
 * search.c). Indexing uses BIGRAM_TAIL; queries do not.
 *
 * Pure: no I/O, no allocation, no global state; thread-safe. The iterator
 * borrows the text and owns a small buffer for the current token. */
#ifndef BIANMIN_CORE_BIGRAM_H
#define BIANMIN_CORE_BIGRAM_H

#include <stddef.h>

#define BIGRAM_WORD_MAX 32 /* bytes of one Latin/digit word token */
#define BIGRAM_TOKEN_MAX 33 /* any token, with its NUL */

/* Iterator flags. */
#define BIGRAM_TAIL 0x1u /* also emit the last character of each CJK run */

/* Token kinds, and the tail flag. */
enum bigram_kind {
    BIGRAM_CJK2 = 1, /* two CJK characters */
    BIGRAM_CJK1 = 2, /* one CJK character (a lone one, or a tail) */
    BIGRAM_WORD = 3, /* Latin letters and digits, lower-cased ASCII */
};
#define BIGRAM_F_TAIL 0x1 /* a tail unigram (only with BIGRAM_TAIL) */

struct bigram_tok {
    const char *text;     /* NUL-terminated; valid until the next call */
    size_t len;           /* bytes of text, without the NUL */
    size_t start, end;    /* byte offsets of the token in the source */
    enum bigram_kind kind;
    int flags;            /* BIGRAM_F_TAIL */
};

/* Iterator state: treat as opaque. */
struct bigram_iter {
    const char *s;
    size_t n, pos;
    unsigned flags;
    /* The CJK run in progress: the previous character's offset and length,
     * and how many characters of the run have been read. */
    size_t prev_start, prev_len;
    int run;
    char buf[BIGRAM_TOKEN_MAX];
};

/* bigram_init — iterate over s[0..n) (need not be NUL-terminated) with
 * `flags` (0 or BIGRAM_TAIL). */
void bigram_init(struct bigram_iter *it, const char *s, size_t n,
                 unsigned flags);

/* bigram_next — 1 and *t filled with the next token, or 0 at the end (and
 * for every later call). Tokens come in text order; a tail unigram comes
 * right after the last pair of its run (same end offset). */
int bigram_next(struct bigram_iter *it, struct bigram_tok *t);

/* bigram_is_cjk — 1 when code point cp counts as a CJK character. */
int bigram_is_cjk(unsigned cp);

/* bigram_query_tokens — the distinct tokens of the query q[0..n) (the rule
 * above, without tails), in order of first appearance. Each is copied,
 * NUL-terminated, into buf[cap] and toks[i] points at it. Returns the number
 * of tokens (at most max); tokens that no longer fit in buf or toks are
 * left out, and *truncated (may be NULL) is set to 1 then, else 0. */
int bigram_query_tokens(const char *q, size_t n, char *buf, size_t cap,
                        const char **toks, int max, int *truncated);

/* bigram_join — the tokens of s[0..n) by `flags`, joined by single spaces,
 * into out[cap] (NUL-terminated when cap > 0; cut at a token boundary when
 * it does not fit). Returns the length the whole text needs (without the
 * NUL), like snprintf: the output is complete when the result < cap. For
 * PostgreSQL: to_tsvector('simple', <this>). */
size_t bigram_join(const char *s, size_t n, unsigned flags, char *out,
                   size_t cap);

#endif
