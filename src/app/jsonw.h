/* jsonw.h — JSON text written straight into one growing buffer, byte for
 * byte what jansson's json_dumps(…, JSON_COMPACT) writes for the same
 * value: keys in the order written, '"' '\\' and control characters
 * escaped as jansson escapes them (\b \f \n \r \t, else \u00XX), UTF-8
 * copied as it is.
 *
 * Two uses: answers built from rows, without a tree of json_t and an
 * allocation per value (a page of catalogue items: app_item_browse_text),
 * and any json_t through jw_value (the HTTP layer's json_text, which every
 * JSON answer goes through).
 *
 *     struct jsonw w = {0};
 *     jw_obj(&w);
 *     jw_key(&w, "id");
 *     jw_int(&w, 7);
 *     jw_end(&w);
 *     char *text = jw_take(&w, &n);   // {"id":7}, n = 8; caller frees
 *
 * Commas and colons are the writer's. A failure sticks (w->bad) and
 * jw_take then returns NULL: out of memory (1), or a value the writer does
 * not write itself (2): a real inside jw_value, nesting deeper than
 * JW_DEPTH, jw_end with nothing open. Not thread-safe; one writer per
 * answer. */
#ifndef BIANMIN_APP_JSONW_H
#define BIANMIN_APP_JSONW_H

#include <jansson.h>
#include <stddef.h>

#define JW_DEPTH 64

struct jsonw {
    char *p;
    size_t n, cap;
    int bad;                 /* 0 ok, 1 out of memory, 2 not written */
    int depth;               /* open objects and arrays */
    int after_key;           /* a key was written, its value is next */
    char open[JW_DEPTH + 1]; /* '}' or ']' per level, 1-based */
    char first[JW_DEPTH + 1];
};

void jw_obj(struct jsonw *w);
void jw_arr(struct jsonw *w);
void jw_end(struct jsonw *w); /* closes the innermost object or array */
void jw_key(struct jsonw *w, const char *key);
/* jw_str — a string; NULL, or text that is not valid UTF-8 (which jansson
 * would not hold either), is written as null. */
void jw_str(struct jsonw *w, const char *s);
void jw_int(struct jsonw *w, long long v);
void jw_bool(struct jsonw *w, int b);
void jw_null(struct jsonw *w);
/* jw_kstr, jw_kint — a key and its value, for the rows of an object. */
void jw_kstr(struct jsonw *w, const char *key, const char *s);
void jw_kint(struct jsonw *w, const char *key, long long v);
/* jw_json — stored JSON text as a value, as json_loads(text,
 * JSON_DECODE_ANY) then json_dumps would write it: null when NULL or
 * broken. A compact array of plain strings (the stored form of themes,
 * audiences, aliases) is copied as it is, without parsing. */
void jw_json(struct jsonw *w, const char *text);
/* jw_value — a jansson value (borrowed); a real makes w->bad 2. */
void jw_value(struct jsonw *w, json_t *v);

/* jw_take — the text, NUL-terminated, *n its length, owned by the caller;
 * NULL when w->bad (the buffer is freed either way). */
char *jw_take(struct jsonw *w, size_t *n);
void jw_free(struct jsonw *w);

#endif
