/* jsonw.c — JSON text straight into one buffer. See jsonw.h. */
#include "jsonw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/utf8.h"

static void add(struct jsonw *w, const char *s, size_t n)
{
    if (w->bad)
        return;
    if (w->n + n + 1 > w->cap) {
        size_t cap = w->cap ? w->cap : 4096;
        while (w->n + n + 1 > cap)
            cap *= 2;
        char *grown = realloc(w->p, cap);
        if (!grown) {
            w->bad = 1;
            return;
        }
        w->p = grown;
        w->cap = cap;
    }
    memcpy(w->p + w->n, s, n);
    w->n += n;
}

/* Before a value or a key: the comma, unless it is the level's first or
 * the value of the key just written. */
static void sep(struct jsonw *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth > 0) {
        if (!w->first[w->depth])
            add(w, ",", 1);
        w->first[w->depth] = 0;
    }
}

static void open_level(struct jsonw *w, char open, char close)
{
    sep(w);
    if (w->depth == JW_DEPTH) {
        w->bad = w->bad ? w->bad : 2;
        return;
    }
    add(w, &open, 1);
    w->depth++;
    w->open[w->depth] = close;
    w->first[w->depth] = 1;
}

void jw_obj(struct jsonw *w)
{
    open_level(w, '{', '}');
}

void jw_arr(struct jsonw *w)
{
    open_level(w, '[', ']');
}

void jw_end(struct jsonw *w)
{
    if (w->depth == 0) {
        w->bad = w->bad ? w->bad : 2;
        return;
    }
    add(w, &w->open[w->depth], 1);
    w->depth--;
}

/* The string in quotes, escaped as jansson escapes it; s is valid UTF-8. */
static void quoted(struct jsonw *w, const char *s, size_t n)
{
    add(w, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        add(w, s + run, i - run);
        run = i + 1;
        char esc[8];
        const char *e = esc;
        size_t len = 2;
        switch (c) {
        case '"':
            e = "\\\"";
            break;
        case '\\':
            e = "\\\\";
            break;
        case '\b':
            e = "\\b";
            break;
        case '\f':
            e = "\\f";
            break;
        case '\n':
            e = "\\n";
            break;
        case '\r':
            e = "\\r";
            break;
        case '\t':
            e = "\\t";
            break;
        default:
            snprintf(esc, sizeof esc, "\\u%04X", (unsigned)c);
            len = 6;
        }
        add(w, e, len);
    }
    add(w, s + run, n - run);
    add(w, "\"", 1);
}

void jw_key(struct jsonw *w, const char *key)
{
    sep(w);
    quoted(w, key, strlen(key));
    add(w, ":", 1);
    w->after_key = 1;
}

void jw_str(struct jsonw *w, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (!s || !utf8_valid(s, n)) {
        jw_null(w);
        return;
    }
    sep(w);
    quoted(w, s, n);
}

void jw_int(struct jsonw *w, long long v)
{
    char num[32];
    sep(w);
    add(w, num, (size_t)snprintf(num, sizeof num, "%lld", v));
}

void jw_bool(struct jsonw *w, int b)
{
    sep(w);
    add(w, b ? "true" : "false", b ? 4 : 5);
}

void jw_null(struct jsonw *w)
{
    sep(w);
    add(w, "null", 4);
}

void jw_kstr(struct jsonw *w, const char *key, const char *s)
{
    jw_key(w, key);
    jw_str(w, s);
}

void jw_kint(struct jsonw *w, const char *key, long long v)
{
    jw_key(w, key);
    jw_int(w, v);
}

/* 1 when text is `[]` or `["…","…"]` exactly: no blank, every string
 * without escapes or control characters, valid UTF-8 — text jansson would
 * load and then dump unchanged. */
static int plain_string_array(const char *text, size_t n)
{
    if (n < 2 || text[0] != '[' || text[n - 1] != ']')
        return 0;
    if (n == 2)
        return 1;
    size_t i = 1;
    for (;;) {
        if (text[i++] != '"')
            return 0;
        while (i < n && text[i] != '"') {
            unsigned char c = (unsigned char)text[i++];
            if (c < 0x20 || c == '\\')
                return 0;
        }
        if (i >= n - 1) /* the closing quote is missing, or is the ']' */
            return 0;
        i++;
        if (text[i] == ']')
            return i == n - 1 && utf8_valid(text, n);
        if (text[i++] != ',')
            return 0;
    }
}

void jw_json(struct jsonw *w, const char *text)
{
    if (!text) {
        jw_null(w);
        return;
    }
    size_t n = strlen(text);
    if (plain_string_array(text, n)) {
        sep(w);
        add(w, text, n);
        return;
    }
    json_t *v = json_loadb(text, n, JSON_DECODE_ANY, NULL);
    char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    json_decref(v);
    if (!s) {
        jw_null(w);
        return;
    }
    sep(w);
    add(w, s, strlen(s));
    free(s);
}

void jw_value(struct jsonw *w, json_t *v)
{
    if (w->bad)
        return;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *x;
        jw_obj(w);
        json_object_foreach(v, key, x)
        {
            jw_key(w, key);
            jw_value(w, x);
        }
        jw_end(w);
        break;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *x;
        jw_arr(w);
        json_array_foreach(v, i, x) jw_value(w, x);
        jw_end(w);
        break;
    }
    case JSON_STRING: /* jansson holds valid UTF-8 only */
        sep(w);
        quoted(w, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        jw_int(w, (long long)json_integer_value(v));
        break;
    case JSON_TRUE:
        jw_bool(w, 1);
        break;
    case JSON_FALSE:
        jw_bool(w, 0);
        break;
    case JSON_NULL:
        jw_null(w);
        break;
    default: /* JSON_REAL: jansson's own number formatting */
        w->bad = 2;
    }
}

char *jw_take(struct jsonw *w, size_t *n)
{
    if (!w->bad && !w->p)
        add(w, "", 0); /* nothing written: still a NUL-terminated buffer */
    if (w->bad) {
        jw_free(w);
        *n = 0;
        return NULL;
    }
    w->p[w->n] = '\0';
    *n = w->n;
    char *text = w->p;
    w->p = NULL;
    w->n = w->cap = 0;
    return text;
}

void jw_free(struct jsonw *w)
{
    free(w->p);
    w->p = NULL;
    w->n = w->cap = 0;
}
