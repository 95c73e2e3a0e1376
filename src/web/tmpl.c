/* tmpl.c — the page template renderer: compile template text into a tree
 * of nodes once, render it many times against jansson values. Pure: no
 * I/O; a compiled set is read-only after tmpl_set_add/check and may be
 * shared by threads. Contract and language in tmpl.h. */
#include "tmpl.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/arena.h"

enum node_kind {
    N_TEXT = 1,
    N_VAR,     /* {{x}} {{x|attr}} {{x|url}} */
    N_RAW,     /* {{{x_html}}} */
    N_SECTION, /* {{#x}} */
    N_INVERT,  /* {{^x}} */
    N_INCLUDE, /* {{> t}} */
    N_BODY,    /* {{$body}} */
};

enum filter { F_HTML = 0, F_ATTR, F_URL };

struct node {
    enum node_kind kind;
    enum filter filter;
    const char *text; /* N_TEXT: the text; others: the name */
    size_t len;       /* N_TEXT */
    int line;
    struct node *child; /* sections: first node inside */
    struct node *next;
};

struct tmpl {
    char name[64];
    const char *layout; /* {{< layout}} or NULL */
    int layout_line;
    struct node *first;
    struct tmpl *next;
};

struct tmpl_set {
    struct arena *a;
    struct tmpl *list;
};

struct tmpl_set *tmpl_set_new(void)
{
    struct tmpl_set *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->a = arena_new();
    if (!s->a) {
        free(s);
        return NULL;
    }
    return s;
}

void tmpl_set_free(struct tmpl_set *s)
{
    if (!s)
        return;
    arena_free(s->a);
    free(s);
}

static const struct tmpl *find(const struct tmpl_set *s, const char *name)
{
    for (const struct tmpl *t = s->list; t; t = t->next)
        if (strcmp(t->name, name) == 0)
            return t;
    return NULL;
}

int tmpl_has(const struct tmpl_set *s, const char *name)
{
    return name && find(s, name) != NULL;
}

/* ---- compiling ------------------------------------------------------- */

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '@' ||
           c == '-';
}

static int tmpl_name_ok(const char *s, size_t n)
{
    if (n == 0 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '_' || s[i] == '-'))
            return 0;
    return 1;
}

/* A variable or section name: ".", "@number", "@first", "@last", or parts
 * of name characters separated by single dots. */
static int var_name_ok(const char *s, size_t n)
{
    if (n == 0 || n > 127)
        return 0;
    if (n == 1 && s[0] == '.')
        return 1;
    if (s[0] == '@')
        return (n == 7 && !memcmp(s, "@number", 7)) ||
               (n == 6 && !memcmp(s, "@first", 6)) ||
               (n == 5 && !memcmp(s, "@last", 5));
    if (s[0] == '.' || s[n - 1] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!name_char(s[i]) || s[i] == '@')
            return 0;
        if (s[i] == '.' && s[i + 1] == '.')
            return 0;
    }
    return 1;
}

struct compiler {
    struct tmpl_set *s;
    const char *name;
    struct err *e;
};

static int cerr(struct compiler *c, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int cerr(struct compiler *c, int line, const char *fmt, ...)
{
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return err_set(c->e, ERR_INVALID, c->name, "模板 %s 第 %d 行：%s", c->name,
                   line, what);
}

static int count_lines(const char *p, const char *end)
{
    int n = 0;
    for (; p < end; p++)
        n += *p == '\n';
    return n;
}

/* trim — the tag's inside without surrounding blanks. */
static void trim(const char **p, size_t *n)
{
    while (*n && (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')) {
        (*p)++;
        (*n)--;
    }
    while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t' ||
                  (*p)[*n - 1] == '\n' || (*p)[*n - 1] == '\r'))
        (*n)--;
}

static int ends_html(const char *s, size_t n)
{
    const char *dot = NULL;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '.')
            dot = s + i;
    const char *last = dot ? dot + 1 : s;
    size_t ln = (size_t)(s + n - last);
    return ln > 5 && memcmp(last + ln - 5, "_html", 5) == 0;
}

int tmpl_set_add(struct tmpl_set *s, const char *name, const char *text,
                 size_t n, struct err *e)
{
    struct compiler c = {.s = s, .name = name, .e = e};
    if (!name || !tmpl_name_ok(name, strlen(name)))
        return err_set(e, ERR_INVALID, "name", "模板名称无效");
    if (find(s, name))
        return err_set(e, ERR_CONFLICT, name, "模板 %s 重复", name);
    if (!text && n)
        return err_set(e, ERR_INVALID, name, "模板 %s 没有内容", name);
    struct tmpl *t = arena_alloc(s->a, sizeof *t);
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    const char *src = n ? arena_strndup(s->a, text, n) : "";

    /* Open sections: where their children go. */
    struct node **tail[TMPL_MAX_DEPTH + 1];
    struct node *open[TMPL_MAX_DEPTH + 1];
    int depth = 0;
    tail[0] = &t->first;
    open[0] = NULL;
    int line = 1, tags = 0;
    const char *p = src, *end = src + n;
    while (p < end) {
        const char *o = NULL;
        for (const char *q = p; q + 1 < end; q++)
            if (q[0] == '{' && q[1] == '{') {
                o = q;
                break;
            }
        const char *text_end = o ? o : end;
        if (text_end > p) {
            struct node *nd = arena_alloc(s->a, sizeof *nd);
            memset(nd, 0, sizeof *nd);
            nd->kind = N_TEXT;
            nd->text = p;
            nd->len = (size_t)(text_end - p);
            nd->line = line;
            *tail[depth] = nd;
            tail[depth] = &nd->next;
            line += count_lines(p, text_end);
        }
        if (!o)
            break;
        int triple = o + 2 < end && o[2] == '{';
        const char *in = o + (triple ? 3 : 2);
        const char *close = NULL;
        for (const char *q = in; q + 1 < end; q++)
            if (q[0] == '}' && q[1] == '}') {
                close = q;
                break;
            }
        if (!close)
            return cerr(&c, line, "标签没有结束的 }}");
        if (triple && (close + 2 >= end || close[2] != '}'))
            return cerr(&c, line, "{{{ 应以 }}} 结束");
        const char *body = in;
        size_t blen = (size_t)(close - in);
        const char *after = close + (triple ? 3 : 2);
        int tag_line = line;
        line += count_lines(o, after);
        p = after;
        trim(&body, &blen);
        if (blen == 0)
            return cerr(&c, tag_line, "空标签");
        char sigil = triple ? '{' : body[0];
        if (sigil == '!') {
            continue; /* a comment */
        }
        tags++;
        if (!triple && strchr("#^/><$", sigil)) {
            body++;
            blen--;
            trim(&body, &blen);
        }
        if (sigil == '<') {
            if (tags != 1 || depth != 0)
                return cerr(&c, tag_line, "{{< 布局}} 只能是第一个标签");
            if (!tmpl_name_ok(body, blen))
                return cerr(&c, tag_line, "布局名称无效");
            t->layout = arena_strndup(s->a, body, blen);
            t->layout_line = tag_line;
            continue;
        }
        struct node *nd = arena_alloc(s->a, sizeof *nd);
        memset(nd, 0, sizeof *nd);
        nd->line = tag_line;
        if (sigil == '/') {
            if (depth == 0)
                return cerr(&c, tag_line, "多余的结束标签 {{/%.*s}}",
                            (int)(blen > 40 ? 40 : blen), body);
            struct node *sec = open[depth];
            if (strlen(sec->text) != blen || memcmp(sec->text, body, blen))
                return cerr(&c, tag_line, "结束标签与第 %d 行的 {{#%s}} 不配对",
                            sec->line, sec->text);
            depth--;
            continue;
        }
        if (sigil == '>') {
            if (!tmpl_name_ok(body, blen))
                return cerr(&c, tag_line, "包含的模板名称无效");
            nd->kind = N_INCLUDE;
        } else if (sigil == '$') {
            if (blen != 4 || memcmp(body, "body", 4))
                return cerr(&c, tag_line, "只有 {{$body}} 一个位置标签");
            nd->kind = N_BODY;
        } else {
            enum filter f = F_HTML;
            if (!triple && sigil != '#' && sigil != '^') {
                const char *bar = memchr(body, '|', blen);
                if (bar) {
                    const char *fn = bar + 1;
                    size_t fl = (size_t)(body + blen - fn);
                    trim(&fn, &fl);
                    if (fl == 4 && !memcmp(fn, "attr", 4))
                        f = F_ATTR;
                    else if (fl == 3 && !memcmp(fn, "url", 3))
                        f = F_URL;
                    else if (fl == 4 && !memcmp(fn, "html", 4))
                        f = F_HTML;
                    else
                        return cerr(&c, tag_line, "未知的过滤器");
                    blen = (size_t)(bar - body);
                    trim(&body, &blen);
                }
            }
            if (!var_name_ok(body, blen))
                return cerr(&c, tag_line, "名称无效");
            if (triple && !ends_html(body, blen))
                return cerr(&c, tag_line,
                            "{{{…}}} 只能输出以 _html 结尾的名称");
            nd->kind = triple         ? N_RAW
                       : sigil == '#' ? N_SECTION
                       : sigil == '^' ? N_INVERT
                                      : N_VAR;
            nd->filter = f;
        }
        nd->text = arena_strndup(s->a, body, blen);
        *tail[depth] = nd;
        tail[depth] = &nd->next;
        if (nd->kind == N_SECTION || nd->kind == N_INVERT) {
            if (depth >= TMPL_MAX_DEPTH)
                return cerr(&c, tag_line, "区段嵌套超过 %d 层", TMPL_MAX_DEPTH);
            depth++;
            open[depth] = nd;
            tail[depth] = &nd->child;
        }
    }
    if (depth)
        return cerr(&c, open[depth]->line, "区段 {{#%s}} 没有结束",
                    open[depth]->text);
    t->next = s->list;
    s->list = t;
    return 0;
}

static int check_nodes(const struct tmpl_set *s, const struct tmpl *t,
                       const struct node *nd, struct err *e)
{
    for (; nd; nd = nd->next) {
        if (nd->kind == N_INCLUDE && !find(s, nd->text))
            return err_set(e, ERR_INVALID, t->name,
                           "模板 %s 第 %d 行：没有模板 %s", t->name, nd->line,
                           nd->text);
        if (nd->child && check_nodes(s, t, nd->child, e))
            return -1;
    }
    return 0;
}

int tmpl_set_check(const struct tmpl_set *s, struct err *e)
{
    for (const struct tmpl *t = s->list; t; t = t->next) {
        if (t->layout && !find(s, t->layout))
            return err_set(e, ERR_INVALID, t->name,
                           "模板 %s 第 %d 行：没有布局模板 %s", t->name,
                           t->layout_line, t->layout);
        if (check_nodes(s, t, t->first, e))
            return -1;
    }
    return 0;
}

/* ---- escaping -------------------------------------------------------- */

static size_t put(char *out, size_t cap, size_t at, const char *s, size_t n)
{
    if (at < cap) {
        size_t room = cap - at - 1;
        memcpy(out + at, s, n < room ? n : room);
    }
    return at + n;
}

static size_t escape(const char *in, size_t n, char *out, size_t cap, int attr)
{
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (in[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        case '`':
            rep = attr ? "&#96;" : NULL;
            break;
        case '=':
            rep = attr ? "&#61;" : NULL;
            break;
        default:
            break;
        }
        at = rep ? put(out, cap, at, rep, strlen(rep))
                 : put(out, cap, at, in + i, 1);
    }
    if (cap)
        out[at < cap ? at : cap - 1] = '\0';
    return at;
}

size_t tmpl_escape_html(const char *in, size_t n, char *out, size_t cap)
{
    return escape(in, n, out, cap, 0);
}

size_t tmpl_escape_url(const char *in, size_t n, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)in[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
            (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' ||
            ch == '~') {
            at = put(out, cap, at, (const char *)&in[i], 1);
        } else {
            char pct[3] = {'%', hex[ch >> 4], hex[ch & 15]};
            at = put(out, cap, at, pct, 3);
        }
    }
    if (cap)
        out[at < cap ? at : cap - 1] = '\0';
    return at;
}

/* ---- rendering ------------------------------------------------------- */

struct frame {
    const json_t *v;
    long index; /* in a list section: the element's index; else -1 */
    long count;
};

struct render {
    const struct tmpl_set *s;
    int strict;
    size_t max_out;
    char *buf;
    size_t n, cap;
    long steps;
    int unknown;
    int includes;
    struct frame stack[TMPL_MAX_DEPTH * (TMPL_MAX_INCLUDE + 1) + 2];
    int top;                 /* stack[0..top) */
    const struct node *body; /* the page inside the current layout */
    const struct tmpl *body_tmpl;
    const struct tmpl *cur; /* for messages */
    struct err *e;
};

static int emit(struct render *r, const char *s, size_t n)
{
    if (r->n + n > r->max_out)
        return err_set(r->e, ERR_TOO_LARGE, r->cur->name,
                       "页面超过 %zu 字节的上限", r->max_out);
    if (r->n + n + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->n + n + 1)
            cap *= 2;
        char *nb = realloc(r->buf, cap);
        if (!nb)
            return err_set(r->e, ERR_INTERNAL, NULL, "内存不足");
        r->buf = nb;
        r->cap = cap;
    }
    memcpy(r->buf + r->n, s, n);
    r->n += n;
    r->buf[r->n] = '\0';
    return 0;
}

static int emit_escaped(struct render *r, const char *s, size_t n,
                        enum filter f)
{
    char chunk[1024];
    /* Escape in pieces: at most 6 bytes out per byte in (html), 3 (url). */
    for (size_t i = 0; i < n;) {
        size_t take = n - i < 160 ? n - i : 160;
        size_t m = f == F_URL
                       ? tmpl_escape_url(s + i, take, chunk, sizeof chunk)
                       : escape(s + i, take, chunk, sizeof chunk, f == F_ATTR);
        if (emit(r, chunk, m))
            return -1;
        i += take;
    }
    return 0;
}

/* A name's value: 1 and *v (borrowed; *tmp set when it is a value made
 * here, which the caller decrefs) when found; 0 when absent. */
static int lookup(struct render *r, const char *name, const json_t **v,
                  json_t **tmp)
{
    *tmp = NULL;
    if (name[0] == '.' && name[1] == '\0') {
        if (!r->top)
            return 0;
        *v = r->stack[r->top - 1].v;
        return 1;
    }
    if (name[0] == '@') {
        for (int i = r->top - 1; i >= 0; i--) {
            const struct frame *f = &r->stack[i];
            if (f->index < 0)
                continue;
            if (!strcmp(name, "@number"))
                *tmp = json_integer(f->index + 1);
            else if (!strcmp(name, "@first"))
                *tmp = json_boolean(f->index == 0);
            else
                *tmp = json_boolean(f->index == f->count - 1);
            *v = *tmp;
            return *tmp != NULL;
        }
        return 0;
    }
    const char *dot = strchr(name, '.');
    size_t first = dot ? (size_t)(dot - name) : strlen(name);
    const json_t *cur = NULL;
    for (int i = r->top - 1; i >= 0 && !cur; i--) {
        const json_t *o = r->stack[i].v;
        if (json_is_object(o))
            cur = json_object_getn(o, name, first);
    }
    while (cur && dot) {
        const char *part = dot + 1;
        dot = strchr(part, '.');
        size_t len = dot ? (size_t)(dot - part) : strlen(part);
        cur = json_is_object(cur) ? json_object_getn(cur, part, len) : NULL;
    }
    if (!cur)
        return 0;
    *v = cur;
    return 1;
}

static int unknown_name(struct render *r, const struct node *nd,
                        const char *why)
{
    r->unknown++;
    if (!r->strict)
        return 0;
    return err_set(r->e, ERR_INVALID, r->cur->name, "模板 %s 第 %d 行：%s %s",
                   r->cur->name, nd->line, why, nd->text);
}

static int truthy(const json_t *v)
{
    if (!v || json_is_null(v) || json_is_false(v))
        return 0;
    if (json_is_string(v))
        return json_string_length(v) > 0;
    if (json_is_array(v))
        return json_array_size(v) > 0;
    return 1;
}

static int render_nodes(struct render *r, const struct node *nd);

static int push(struct render *r, const json_t *v, long index, long count)
{
    if (r->top >= (int)(sizeof r->stack / sizeof r->stack[0]))
        return err_set(r->e, ERR_TOO_LARGE, r->cur->name, "模板嵌套过深");
    r->stack[r->top++] = (struct frame){.v = v, .index = index, .count = count};
    return 0;
}

static int render_var(struct render *r, const struct node *nd)
{
    const json_t *v;
    json_t *tmp;
    if (!lookup(r, nd->text, &v, &tmp))
        return unknown_name(r, nd, "没有这个名称：");
    char num[64];
    int rc = 0;
    if (json_is_string(v)) {
        if (nd->kind == N_RAW)
            rc = emit(r, json_string_value(v), json_string_length(v));
        else
            rc = emit_escaped(r, json_string_value(v), json_string_length(v),
                              nd->filter);
    } else if (json_is_integer(v)) {
        int m =
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        rc = emit(r, num, (size_t)m);
    } else if (json_is_real(v)) {
        int m = snprintf(num, sizeof num, "%g", json_real_value(v));
        rc = emit(r, num, (size_t)m);
    } else if (!json_is_null(v)) {
        rc = unknown_name(r, nd, "不能作为文字输出：");
    }
    json_decref(tmp);
    return rc;
}

static int render_include(struct render *r, const struct tmpl *t);

static int render_nodes(struct render *r, const struct node *nd)
{
    for (; nd; nd = nd->next) {
        if (++r->steps > TMPL_MAX_STEPS)
            return err_set(r->e, ERR_TOO_LARGE, r->cur->name,
                           "模板 %s 渲染步骤过多", r->cur->name);
        switch (nd->kind) {
        case N_TEXT:
            if (emit(r, nd->text, nd->len))
                return -1;
            break;
        case N_VAR:
        case N_RAW:
            if (render_var(r, nd))
                return -1;
            break;
        case N_SECTION:
        case N_INVERT: {
            const json_t *v = NULL;
            json_t *tmp;
            int found = lookup(r, nd->text, &v, &tmp);
            int on = found && truthy(v);
            int rc = 0;
            if (nd->kind == N_INVERT) {
                if (!on)
                    rc = render_nodes(r, nd->child);
            } else if (on && json_is_array(v)) {
                long count = (long)json_array_size(v);
                for (long i = 0; !rc && i < count; i++) {
                    rc = push(r, json_array_get(v, (size_t)i), i, count);
                    if (!rc) {
                        rc = render_nodes(r, nd->child);
                        r->top--;
                    }
                }
            } else if (on) {
                rc = push(r, v, -1, 0);
                if (!rc) {
                    rc = render_nodes(r, nd->child);
                    r->top--;
                }
            }
            json_decref(tmp);
            if (rc)
                return -1;
            break;
        }
        case N_INCLUDE: {
            const struct tmpl *t = find(r->s, nd->text);
            if (!t)
                return err_set(r->e, ERR_NOT_FOUND, r->cur->name,
                               "模板 %s 第 %d 行：没有模板 %s", r->cur->name,
                               nd->line, nd->text);
            if (render_include(r, t))
                return -1;
            break;
        }
        case N_BODY:
            if (r->body) {
                const struct node *b = r->body;
                const struct tmpl *bt = r->body_tmpl, *saved = r->cur;
                r->body = NULL; /* a body inside the body renders nothing */
                r->cur = bt;
                int rc = render_nodes(r, b);
                r->cur = saved;
                r->body = b;
                if (rc)
                    return -1;
            }
            break;
        }
    }
    return 0;
}

/* Render template t here: through its layout when it has one. */
static int render_include(struct render *r, const struct tmpl *t)
{
    if (r->includes >= TMPL_MAX_INCLUDE)
        return err_set(r->e, ERR_TOO_LARGE, t->name,
                       "模板 %s：包含或布局超过 %d 层", t->name,
                       TMPL_MAX_INCLUDE);
    r->includes++;
    const struct tmpl *saved = r->cur;
    int rc;
    if (t->layout) {
        const struct tmpl *lt = find(r->s, t->layout);
        if (!lt) {
            r->includes--;
            return err_set(r->e, ERR_NOT_FOUND, t->name, "没有布局模板 %s",
                           t->layout);
        }
        const struct node *saved_body = r->body;
        const struct tmpl *saved_bt = r->body_tmpl;
        r->body = t->first;
        r->body_tmpl = t;
        rc = render_include(r, lt);
        r->body = saved_body;
        r->body_tmpl = saved_bt;
    } else {
        r->cur = t;
        rc = render_nodes(r, t->first);
    }
    r->cur = saved;
    r->includes--;
    return rc;
}

int tmpl_render(const struct tmpl_set *s, const char *name, const json_t *ctx,
                int strict, size_t max_out, char **out, size_t *n, int *unknown,
                struct err *e)
{
    *out = NULL;
    if (n)
        *n = 0;
    const struct tmpl *t = name ? find(s, name) : NULL;
    if (!t)
        return err_set(e, ERR_NOT_FOUND, "template", "没有模板 %s",
                       name ? name : "(null)");
    struct render *r = calloc(1, sizeof *r);
    if (!r)
        return err_set(e, ERR_INTERNAL, NULL, "内存不足");
    r->s = s;
    r->strict = strict;
    r->max_out = max_out ? max_out : TMPL_MAX_OUT;
    r->e = e;
    r->cur = t;
    json_t *empty = ctx ? NULL : json_object();
    r->stack[r->top++] = (struct frame){.v = ctx ? ctx : empty, .index = -1};
    int rc = render_include(r, t);
    if (rc == 0 && !r->buf)
        rc = emit(r, "", 0);
    json_decref(empty);
    if (unknown)
        *unknown = r->unknown;
    if (rc) {
        free(r->buf);
        free(r);
        return -1;
    }
    *out = r->buf;
    if (n)
        *n = r->n;
    free(r);
    return 0;
}
