/* tmpl.h — the page template renderer: a small, logic-less language in the
 * spirit of Mustache, fed with jansson values (STYLE.md habit 10: templates
 * escape by default). Pure: no I/O, no global state; a compiled set is
 * immutable and may be shared by every thread.
 *
 * The language (a tag is `{{ … }}`; whitespace inside it is ignored):
 *   {{name}}          the value, HTML-escaped (strings; integers and reals
 *                     as decimals; null as nothing)
 *   {{name|attr}}     escaped for a quoted attribute value
 *   {{name|url}}      percent-encoded as one URL component (RFC 3986
 *                     unreserved characters kept)
 *   {{{name_html}}}   raw, only for names whose last part ends in `_html`
 *                     (anything else is a compile error)
 *   {{#name}}…{{/name}}  section: skipped when the value is absent, null,
 *                     false, "" or []; once per element of a list (the
 *                     element on top of the context); once otherwise (the
 *                     value on top)
 *   {{^name}}…{{/name}}  inverted section: only when the above skips
 *   {{> other}}       include template `other` with the current context
 *   {{< layout}}      first tag only: render `layout` around this template,
 *                     which the layout places with {{$body}}
 *   {{! text}}        comment
 * Names are `.` (the top of the context), `a`, `a.b.c` (the first part is
 * looked up from the top of the context stack down, the rest inside it), or
 * inside a list section `@number` (1, 2, …), `@first`, `@last`.
 *
 * Unknown names: a variable whose name resolves to nothing is an error
 * when `strict` (tests and Debug builds) and renders as nothing otherwise
 * (counted in tmpl_render's *unknown). A section over an absent name is
 * simply skipped. Rendering a list, object or boolean as text is treated
 * the same way as an unknown name.
 *
 * Limits (hostile templates and data): nesting 32 sections, includes and
 * layouts 8 deep, TMPL_MAX_STEPS node visits and max_out bytes of output
 * per render; past them the render fails with ERR_TOO_LARGE.
 *
 * Errors: ERR_INVALID for a template that does not compile ("模板 NAME 第 N
 * 行：…", field = the template's name); ERR_NOT_FOUND for an unknown
 * template; ERR_INVALID for an unknown name when strict; ERR_TOO_LARGE for
 * the limits. The libFuzzer target fuzz/fuzz_template.c drives all of it. */
#ifndef BIANMIN_WEB_TMPL_H
#define BIANMIN_WEB_TMPL_H

#include <jansson.h>
#include <stddef.h>

#include "../core/err.h"

#define TMPL_MAX_DEPTH 32     /* nested sections */
#define TMPL_MAX_INCLUDE 8    /* nested includes and layouts */
#define TMPL_MAX_STEPS 200000 /* node visits per render */
#define TMPL_MAX_OUT (4u << 20)

struct tmpl_set;

/* tmpl_set_new — an empty set (NULL when out of memory); tmpl_set_free
 * releases it and every template in it. */
struct tmpl_set *tmpl_set_new(void);
void tmpl_set_free(struct tmpl_set *s);

/* tmpl_set_add — compile text[0..n) as template `name` (1..63 bytes of
 * [a-z0-9_-]) into s; the text is copied. 0, or -1 with e (ERR_INVALID:
 * the template's line and what is wrong; ERR_CONFLICT: the name is taken). */
int tmpl_set_add(struct tmpl_set *s, const char *name, const char *text,
                 size_t n, struct err *e);

/* tmpl_set_check — every include and layout names a template of the set.
 * 0, or -1 with e (ERR_INVALID naming the template and line). */
int tmpl_set_check(const struct tmpl_set *s, struct err *e);

/* tmpl_has — 1 when s holds template `name`. */
int tmpl_has(const struct tmpl_set *s, const char *name);

/* tmpl_render — render template `name` with `ctx` (borrowed; NULL = an
 * empty object). On success 0, *out (malloc'd, NUL-terminated; the caller
 * frees) and *n; *unknown (may be NULL) counts names that resolved to
 * nothing. max_out 0 = TMPL_MAX_OUT. On failure -1 with e, *out NULL. */
int tmpl_render(const struct tmpl_set *s, const char *name, const json_t *ctx,
                int strict, size_t max_out, char **out, size_t *n, int *unknown,
                struct err *e);

/* Escapes, for callers that build markup or links by hand. Each appends
 * the escaped form of in[0..n) to out (capacity cap, always
 * NUL-terminated) and returns the length it needs (like snprintf). */
size_t tmpl_escape_html(const char *in, size_t n, char *out, size_t cap);
size_t tmpl_escape_url(const char *in, size_t n, char *out, size_t cap);

#endif
