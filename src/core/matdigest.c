/* matdigest.c — the guide's materials scanner and the material digest
 * (matdigest.h). */
#include "core/matdigest.h"
#include "core/urlenc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the guide scanner ----------------------------------------------------
 */

static const char *ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
        p++;
    return p;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A decoded string being kept: at most cap-1 bytes, cut before the first
 * character that does not fit whole (so the kept text stays UTF-8). */
struct sink {
    char *buf;
    size_t cap, n;
    int full;
};

static size_t utf8_cut(const char *s, size_t n)
{
    /* back off over continuation bytes to a lead byte, then drop the
     * character when it is incomplete */
    if (n == 0)
        return 0;
    size_t i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return n;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t want = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    return n - (i - 1) >= want ? n : i - 1;
}

static void sink_put(struct sink *k, const char *s, size_t len)
{
    if (!k->buf || k->full)
        return;
    if (k->n + len < k->cap) {
        memcpy(k->buf + k->n, s, len);
        k->n += len;
        return;
    }
    size_t room = k->cap - 1 - k->n;
    memcpy(k->buf + k->n, s, room);
    k->n = utf8_cut(k->buf, k->n + room);
    k->full = 1;
}

/* str — p at '"': the decoded text into buf (cap > 0; kept as struct sink
 * says, NUL-terminated), *len its kept length; returns the position after
 * the closing quote, NULL on malformed input or a decoded U+0000. buf NULL:
 * only skip. */
static const char *str(const char *p, const char *end, char *buf, size_t cap,
                       size_t *len)
{
    struct sink k = {buf, cap, 0, 0};
    p++;
    while (p < end && *p != '"') {
        if (*p != '\\') {
            const char *q = p;
            while (q < end && *q != '"' && *q != '\\')
                q++;
            sink_put(&k, p, (size_t)(q - p));
            p = q;
            continue;
        }
        if (p + 1 >= end)
            return NULL;
        char c = p[1], out[4];
        size_t n = 1;
        p += 2;
        switch (c) {
        case 'n':
            out[0] = '\n';
            break;
        case 't':
            out[0] = '\t';
            break;
        case 'r':
            out[0] = '\r';
            break;
        case 'b':
            out[0] = '\b';
            break;
        case 'f':
            out[0] = '\f';
            break;
        case 'u': {
            if (p + 4 > end)
                return NULL;
            unsigned cp = 0;
            for (int i = 0; i < 4; i++) {
                int h = urlenc_hex(p[i]);
                if (h < 0)
                    return NULL;
                cp = cp * 16 + (unsigned)h;
            }
            p += 4;
            if (cp == 0)
                return NULL;
            if (cp >= 0xD800 && cp < 0xDC00 && p + 6 <= end && p[0] == '\\' &&
                p[1] == 'u') {
                unsigned lo = 0;
                for (int i = 0; i < 4; i++) {
                    int h = urlenc_hex(p[2 + i]);
                    lo = lo * 16 + (unsigned)(h < 0 ? 0 : h);
                }
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            }
            n = put_utf8(out, cp);
            break;
        }
        default:
            out[0] = c;
        }
        sink_put(&k, out, n);
    }
    if (p >= end)
        return NULL;
    if (buf)
        buf[k.n] = '\0';
    if (len)
        *len = k.n;
    return p + 1;
}

/* skip — past one JSON value at p; NULL on malformed input. */
static const char *skip(const char *p, const char *end)
{
    p = ws(p, end);
    if (p >= end)
        return NULL;
    if (*p == '"')
        return str(p, end, NULL, 0, NULL);
    if (*p != '{' && *p != '[') {
        while (p < end && *p != ',' && *p != '}' && *p != ']')
            p++;
        return p;
    }
    int depth = 0;
    while (p < end) {
        if (*p == '"') {
            p = str(p, end, NULL, 0, NULL);
            if (!p)
                return NULL;
            continue;
        }
        if (*p == '{' || *p == '[')
            depth++;
        else if (*p == '}' || *p == ']') {
            if (--depth == 0)
                return p + 1;
        }
        p++;
    }
    return NULL;
}

static enum md_kind kind_of(const char *s)
{
    if (!strcmp(s, "applicant"))
        return MD_APPLICANT;
    if (!strcmp(s, "licence"))
        return MD_LICENCE;
    if (!strcmp(s, "shared_data"))
        return MD_SHARED;
    if (!strcmp(s, "commitment"))
        return MD_COMMITMENT;
    if (!strcmp(s, "proof"))
        return MD_PROOF;
    return MD_OTHER;
}

int md_scan_guide(const char *g, md_cb cb, void *ctx)
{
    const char *end = g + strlen(g);
    const char *p = strstr(g, "\"materials\":");
    if (!p)
        return 0;
    p = ws(p + 12, end);
    if (p >= end || *p != '[')
        return p < end && *p == 'n' ? 0 : -1;
    p = ws(p + 1, end);
    char name[MD_TEXT_MAX], src[32], ds[MD_TEXT_MAX], pf[MD_TEXT_MAX], key[32];
    int idx = 0;
    while (p < end && *p != ']') {
        if (*p != '{')
            return -1;
        p = ws(p + 1, end);
        size_t nl = 0, dl = 0, pl = 0;
        name[0] = src[0] = ds[0] = pf[0] = '\0';
        while (p < end && *p != '}') {
            size_t kl;
            if (*p != '"' || !(p = str(p, end, key, sizeof key, &kl)))
                return -1;
            p = ws(p, end);
            if (p >= end || *p != ':')
                return -1;
            p = ws(p + 1, end);
            if (p < end && *p == '"' && !strcmp(key, "name"))
                p = str(p, end, name, sizeof name, &nl);
            else if (p < end && *p == '"' && !strcmp(key, "source"))
                p = str(p, end, src, sizeof src, NULL);
            else if (p < end && *p == '"' && !strcmp(key, "dataset"))
                p = str(p, end, ds, sizeof ds, &dl);
            else if (p < end && *p == '"' && !strcmp(key, "proof"))
                p = str(p, end, pf, sizeof pf, &pl);
            else
                p = skip(p, end);
            if (!p)
                return -1;
            p = ws(p, end);
            if (p < end && *p == ',')
                p = ws(p + 1, end);
        }
        if (p >= end)
            return -1;
        enum md_kind k = kind_of(src);
        const char *ref = k == MD_SHARED ? ds : k == MD_PROOF ? pf : "";
        size_t rl = k == MD_SHARED ? dl : k == MD_PROOF ? pl : 0;
        if (cb(ctx, k, name, nl, ref, rl, idx++))
            return -1;
        p = ws(p + 1, end);
        if (p < end && *p == ',')
            p = ws(p + 1, end);
    }
    return 0;
}

/* ---- the digest -------------------------------------------------------------
 */

struct out {
    char *p;
    size_t n, cap;
    int oom;
};

static void out_put(struct out *o, const char *s, size_t n)
{
    if (o->oom)
        return;
    if (o->n + n + 1 > o->cap) {
        size_t cap = (o->cap ? o->cap * 2 : 256) + n;
        char *g = realloc(o->p, cap);
        if (!g) {
            o->oom = 1;
            return;
        }
        o->p = g;
        o->cap = cap;
    }
    memcpy(o->p + o->n, s, n);
    o->n += n;
    o->p[o->n] = '\0';
}

static int on_build(void *ctx, enum md_kind kind, const char *name, size_t nlen,
                    const char *ref, size_t rlen, int idx)
{
    struct out *o = ctx;
    char head[32];
    (void)idx;
    int w = snprintf(head, sizeof head, "%c%zu:", (char)kind, nlen);
    out_put(o, head, (size_t)w);
    out_put(o, name, nlen);
    w = snprintf(head, sizeof head, "%zu:", rlen);
    out_put(o, head, (size_t)w);
    out_put(o, ref, rlen);
    return o->oom;
}

char *md_build(const char *guide)
{
    struct out o = {0};
    out_put(&o, "", 0); /* "" for a guide without materials */
    if (md_scan_guide(guide, on_build, &o)) {
        if (o.oom) {
            free(o.p);
            return NULL;
        }
        o.n = 0;
        out_put(&o, MD_UNREADABLE, strlen(MD_UNREADABLE));
    }
    if (o.oom) {
        free(o.p);
        return NULL;
    }
    return o.p;
}

/* A length "<digits>:" at *p; -1 when malformed or past end. */
static long len_at(const char **p, const char *end)
{
    const char *q = *p;
    long v = 0;
    if (q >= end || *q < '0' || *q > '9')
        return -1;
    while (q < end && *q >= '0' && *q <= '9') {
        v = v * 10 + (*q - '0');
        if (v >= MD_TEXT_MAX)
            return -1;
        q++;
    }
    if (q >= end || *q != ':')
        return -1;
    *p = q + 1;
    return v;
}

static int is_kind(char c)
{
    return c == MD_APPLICANT || c == MD_LICENCE || c == MD_SHARED ||
           c == MD_COMMITMENT || c == MD_PROOF || c == MD_OTHER;
}

/* walk — check (cb NULL) or report every record of a digest. */
static int walk(const char *d, const char *end, md_cb cb, void *ctx)
{
    const char *p = d;
    int idx = 0;
    while (p < end) {
        char k = *p++;
        if (!is_kind(k))
            return -1;
        long nl = len_at(&p, end);
        if (nl < 0 || end - p < nl)
            return -1;
        const char *name = p;
        p += nl;
        long rl = len_at(&p, end);
        if (rl < 0 || end - p < rl)
            return -1;
        const char *ref = p;
        p += rl;
        if (cb &&
            cb(ctx, (enum md_kind)k, name, (size_t)nl, ref, (size_t)rl, idx))
            return -1;
        idx++;
    }
    return 0;
}

int md_scan(const char *digest, md_cb cb, void *ctx)
{
    const char *end = digest + strlen(digest);
    if (walk(digest, end, NULL, NULL))
        return -1;
    return walk(digest, end, cb, ctx);
}
