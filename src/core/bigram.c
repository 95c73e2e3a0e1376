/* bigram.c — text → search tokens: CJK runs as overlapping bigrams, Latin
 * letters and digits as lower-cased words. Pure, allocation-free,
 * thread-safe. Contract in core/bigram.h. */
#include "bigram.h"

#include <string.h>

int bigram_is_cjk(unsigned cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) ||   /* URO */
           (cp >= 0x3400 && cp <= 0x4DBF) ||   /* Extension A */
           (cp >= 0xF900 && cp <= 0xFAFF) ||   /* Compatibility */
           cp == 0x3007 ||                     /* 〇 */
           (cp >= 0x20000 && cp <= 0x2A6DF) || /* Extension B */
           (cp >= 0x2A700 && cp <= 0x2EE5F) || /* Extensions C–F, I */
           (cp >= 0x2F800 && cp <= 0x2FA1F) || /* Compatibility Supplement */
           (cp >= 0x30000 && cp <= 0x323AF);   /* Extensions G, H */
}

/* Decode the code point at s[0..n): its length in bytes, or 0 when the bytes
 * there are not valid UTF-8 (overlong, surrogate, > U+10FFFF, truncated). */
static size_t decode(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    size_t len;
    unsigned min, v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, min = 0x80, v = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, min = 0x800, v = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, min = 0x10000, v = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[k] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

/* The ASCII letter or digit a code point folds to (lower case), or 0. */
static char word_char(unsigned cp)
{
    if (cp >= 0xFF10 && cp <= 0xFF19) /* ０–９ */
        cp = cp - 0xFF10 + '0';
    else if (cp >= 0xFF21 && cp <= 0xFF3A) /* Ａ–Ｚ */
        cp = cp - 0xFF21 + 'a';
    else if (cp >= 0xFF41 && cp <= 0xFF5A) /* ａ–ｚ */
        cp = cp - 0xFF41 + 'a';
    if (cp >= 'A' && cp <= 'Z')
        return (char)(cp - 'A' + 'a');
    if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
        return (char)cp;
    return 0;
}

void bigram_init(struct bigram_iter *it, const char *s, size_t n,
                 unsigned flags)
{
    memset(it, 0, sizeof *it);
    it->s = s ? s : "";
    it->n = s ? n : 0;
    it->flags = flags;
}

static int emit(struct bigram_iter *it, struct bigram_tok *t, size_t start,
                size_t end, enum bigram_kind kind, int flags)
{
    size_t len = end - start;
    memcpy(it->buf, it->s + start, len); /* a CJK token is at most 8 bytes */
    it->buf[len] = '\0';
    t->text = it->buf;
    t->len = len;
    t->start = start;
    t->end = end;
    t->kind = kind;
    t->flags = flags;
    return 1;
}

/* End the CJK run in progress: 1 and *t when it leaves a token (a lone
 * character, or a tail when asked for), else 0. */
static int end_run(struct bigram_iter *it, struct bigram_tok *t)
{
    int run = it->run;
    it->run = 0;
    if (run == 1)
        return emit(it, t, it->prev_start, it->prev_start + it->prev_len,
                     BIGRAM_CJK1, 0);
    if (run >= 2 && (it->flags & BIGRAM_TAIL))
        return emit(it, t, it->prev_start, it->prev_start + it->prev_len,
                    BIGRAM_CJK1, BIGRAM_F_TAIL);
    return 0;
}

int bigram_next(struct bigram_iter *it, struct bigram_tok *t)
{
    const unsigned char *s = (const unsigned char *)it->s;
    while (it->pos < it->n) {
        unsigned cp = 0;
        size_t len = decode(s + it->pos, it->n - it->pos, &cp);
        if (len && bigram_is_cjk(cp)) {
            size_t at = it->pos;
            it->pos += len;
            if (it->run++ == 0) {
                it->prev_start = at;
                it->prev_len = len;
                continue;
            }
            size_t start = it->prev_start;
            it->prev_start = at;
            it->prev_len = len;
            return emit(it, t, start, at + len, BIGRAM_CJK2, 0);
        }
        /* Not CJK: the run (if any) ends before this character, which is
         * read again on the next call. */
        if (it->run && end_run(it, t))
            return 1;
        char w = len ? word_char(cp) : 0;
        if (!w) {
            it->pos += len ? len : 1; /* a separator, or one bad byte */
            continue;
        }
        size_t start = it->pos, wl = 0;
        while (it->pos < it->n) {
            len = decode(s + it->pos, it->n - it->pos, &cp);
            w = len ? word_char(cp) : 0;
            if (!w)
                break;
            if (wl < BIGRAM_WORD_MAX)
                it->buf[wl++] = w;
            it->pos += len;
        }
        it->buf[wl] = '\0';
        t->text = it->buf;
        t->len = wl;
        t->start = start;
        t->end = it->pos;
        t->kind = BIGRAM_WORD;
        t->flags = 0;
        return 1;
    }
    return it->run ? end_run(it, t) : 0;
}

int bigram_query_tokens(const char *q, size_t n, char *buf, size_t cap,
                        const char **toks, int max, int *truncated)
{
    struct bigram_iter it;
    struct bigram_tok t;
    size_t used = 0;
    int count = 0, cut = 0;
    bigram_init(&it, q, n, 0);
    while (bigram_next(&it, &t)) {
        int seen = 0;
        for (int i = 0; i < count && !seen; i++)
            seen = strcmp(toks[i], t.text) == 0;
        if (seen)
            continue;
        if (count >= max || used + t.len + 1 > cap) {
            cut = 1;
            continue;
        }
        memcpy(buf + used, t.text, t.len + 1);
        toks[count++] = buf + used;
        used += t.len + 1;
    }
    if (truncated)
        *truncated = cut;
    return count;
}

size_t bigram_join(const char *s, size_t n, unsigned flags, char *out,
                   size_t cap)
{
    struct bigram_iter it;
    struct bigram_tok t;
    size_t need = 0, written = 0;
    int full = 0;
    bigram_init(&it, s, n, flags);
    if (cap)
        out[0] = '\0';
    while (bigram_next(&it, &t)) {
        size_t sep = need ? 1 : 0;
        if (!full && written + sep + t.len < cap) {
            if (sep)
                out[written++] = ' ';
            memcpy(out + written, t.text, t.len);
            written += t.len;
            out[written] = '\0';
        } else {
            full = 1;
        }
        need += sep + t.len;
    }
    return need;
}
