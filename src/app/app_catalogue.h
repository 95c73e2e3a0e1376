/* app_catalogue.h — use cases of the catalogue (事项清单): base items,
 * implementation items with their numbered guide versions and life cycle,
 * public comments, the public browse, import and export of the whole
 * catalogue (JSON model and CSV, and the two real extracts as published),
 * the lint audit and the demo catalogue. Contract: docs/catalogue.md.
 *
 * Reads answer JSON (new references; the caller decrefs). Writes follow
 * app_orgs.h: *_prepare checks the body's shape on the caller's thread (no
 * database) and returns a `struct cat_write` in the caller's arena;
 * app_cat_write_unit runs it on the writer (permission on the stored
 * region, states, lint, all or nothing) and keeps its JSON result, which
 * app_cat_write_take hands over. The arena must not be touched while the
 * unit runs; app_cat_write_free (also fine after take) drops what is left
 * and is safe to register with http_on_complete.
 *
 * Permissions (auth.h, docs/permissions.md): CAP_CATALOGUE_EDIT on the
 * region (base item: its region; national base items need a province-level
 * grant; implementation item: the organisation's region) for base items,
 * item creation, drafts, submit, new version and replies;
 * CAP_CATALOGUE_REVIEW for approve, reject, publish and abolish. A NULL
 * actor is trusted (the CLI, demo loading).
 *
 * Errors (err.h; field = JSON pointer into the body, or the query argument,
 * or "FILE:LINE" / "FILE#/items/3/…" for imports; messages zh-CN):
 *   ERR_INVALID 422  a rule broken; publication with lint errors (the write
 *                    then also holds the findings: app_cat_write_lint)
 *   ERR_FORBIDDEN 403, ERR_NOT_FOUND 404,
 *   ERR_CONFLICT 409 code taken, a non-draft edited, a transition from the
 *                    wrong state, stale revision.
 * Thread-safe: no shared state beyond the store. */
#ifndef BIANMIN_APP_APP_CATALOGUE_H
#define BIANMIN_APP_APP_CATALOGUE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../core/arena.h"
#include "../core/guide.h"
#include "../store/db.h"
#include "app.h"

#define APP_CAT_PAGE_MAX 200
#define APP_CAT_PAGE_DEFAULT 50

/* ---- reads ------------------------------------------------------------------
 */

/* A public browse; every member optional (NULL / -1 / 0). */
struct item_query {
    const char *region;   /* 12 digits: items serving it (it and ancestors) */
    const char *theme;    /* one of the themes */
    const char *type;     /* one of the types */
    const char *audience; /* natural | legal */
    const char *mode;     /* one of the modes */
    int max_visits;       /* -1 = any; else 0..9 */
    const char *q;        /* words: ranked by app_search_items */
    int64_t after;        /* next page after this id (no q) or offset (q) */
    int limit;            /* 1..APP_CAT_PAGE_MAX; 0 = default */
};

/* app_item_browse — {"items":[ItemSummary], "next_after": id|null,
 * "suggested": bool (only with q)}. Published, not abolished items. */
int app_item_browse(struct app *app, const struct item_query *q, json_t **out,
                    struct err *e);
/* app_item_browse_text — the same answer as compact JSON text (malloc'd,
 * *len bytes), written without a json_t tree (app/jsonw.h): what the API
 * route sends; app_item_browse parses it back. */
int app_item_browse_text(struct app *app, const struct item_query *q,
                         char **text, size_t *len, struct err *e);

/* app_item_get — the item with its base fields merged and the guide of its
 * published version (+ lint). Without a published version (or abolished)
 * only staff who may edit or review it in its region see it (then with
 * its latest version); others get ERR_NOT_FOUND. actor may be NULL. */
int app_item_get(struct app *app, const struct actor *actor, int64_t id,
                 json_t **out, struct err *e);
/* app_item_get_by_code — app_item_get of the item whose implementation
 * code is `code` (the public page /items/{code}); ERR_NOT_FOUND for an
 * unknown or malformed code, with the same visibility rule. */
int app_item_get_by_code(struct app *app, const struct actor *actor,
                         const char *code, json_t **out, struct err *e);
/* app_cat_themes — [{"name", "title"}] of every theme, in the catalogue's
 * order (for the portal's home page). New reference. */
json_t *app_cat_themes(void);
/* app_item_versions — {"versions":[{version, state, created_at,
 * published_at}]}; versions before public comment only for staff as
 * above. app_item_version — one version with its guide and lint. */
int app_item_versions(struct app *app, const struct actor *actor, int64_t id,
                      json_t **out, struct err *e);
int app_item_version(struct app *app, const struct actor *actor, int64_t id,
                     int n, json_t **out, struct err *e);
/* app_item_diff — {"from", "to", "changes":[{"path": JSON pointer into the
 * guide, "old", "new"}]} (absent = null). */
int app_item_diff(struct app *app, const struct actor *actor, int64_t id,
                  int from, int to, json_t **out, struct err *e);
/* app_item_events — {"events":[…]}: staff with edit or review rights. */
int app_item_events(struct app *app, const struct actor *actor, int64_t id,
                    json_t **out, struct err *e);
/* app_item_comments — {"comments":[…]}: public (names as given). */
int app_item_comments(struct app *app, int64_t id, json_t **out, struct err *e);

struct base_query {
    const char *q;  /* name or code contains */
    int64_t parent; /* >0 children of; -1 top level; 0 any */
    int64_t after;
    int limit;
};
int app_base_list(struct app *app, const struct base_query *q, json_t **out,
                  struct err *e);
/* app_base_get — the base item with its children's codes and history. */
int app_base_get(struct app *app, int64_t id, json_t **out, struct err *e);

/* ---- writes
 * ------------------------------------------------------------------ */

struct cat_write;

enum cat_action {
    CAT_SUBMIT = 1,  /* draft → legal_review (edit) */
    CAT_APPROVE,     /* legal_review → public_comment (review) */
    CAT_REJECT,      /* legal_review | public_comment → draft (review;
                        reason required) */
    CAT_PUBLISH,     /* public_comment → published (review; lint clean);
                        the previous published version → superseded */
    CAT_NEW_VERSION, /* published → a new draft, a copy (edit) */
    CAT_ABOLISH,     /* published → abolished (review; reason required) */
};
/* cat_action_parse — "submit", "approve", "reject", "publish",
 * "new-version", "abolish"; 0 otherwise. */
enum cat_action cat_action_parse(const char *s);

/* Base item body: {code, name, type, themes, audience, supply, legal_basis,
 * levels, parent?, aliases?, keywords?, region?}; update: any of them plus
 * revision? and reason (required when the item is in use); abolish:
 * {reason}. */
int app_base_create_prepare(struct app *app, const struct actor *actor,
                            const json_t *body, struct arena *a,
                            struct cat_write **out, struct err *e);
int app_base_update_prepare(struct app *app, const struct actor *actor,
                            int64_t id, const json_t *body, struct arena *a,
                            struct cat_write **out, struct err *e);
int app_base_abolish_prepare(struct app *app, const struct actor *actor,
                             int64_t id, const json_t *body, struct arena *a,
                             struct cat_write **out, struct err *e);
/* Implementation item body: {base: code | base_id, org_id, business_no?,
 * sub_path?, guide?}: the item and its version 1 draft. */
int app_item_create_prepare(struct app *app, const struct actor *actor,
                            const json_t *body, struct arena *a,
                            struct cat_write **out, struct err *e);
/* Draft body: {guide, version?}: replaces the guide of the latest version,
 * which must be a draft (else ERR_CONFLICT "只能修改草稿"). */
int app_item_draft_prepare(struct app *app, const struct actor *actor,
                           int64_t id, const json_t *body, struct arena *a,
                           struct cat_write **out, struct err *e);
/* Transition body: {reason?} (required for reject and abolish). */
int app_item_transition_prepare(struct app *app, const struct actor *actor,
                                int64_t id, enum cat_action action,
                                const json_t *body, struct arena *a,
                                struct cat_write **out, struct err *e);
/* Comment body: {text, name?} — anyone, while the latest version is in
 * public comment; name defaults to the signed-in login or "匿名". Reply
 * body: {reply} (edit right on the item's region). */
int app_comment_add_prepare(struct app *app, const struct actor *actor,
                            int64_t item_id, const json_t *body,
                            struct arena *a, struct cat_write **out,
                            struct err *e);
int app_comment_reply_prepare(struct app *app, const struct actor *actor,
                              int64_t comment_id, const json_t *body,
                              struct arena *a, struct cat_write **out,
                              struct err *e);

int app_cat_write_unit(struct db *db, void *w, struct err *e);
/* app_cat_write_run — store_write of the unit; then -1 with the refusal
 * when the unit refused (publication with lint errors). */
int app_cat_write_run(struct app *app, struct cat_write *w, struct err *e);
/* app_cat_write_refused — 1 when the unit ran but refused (the write's
 * error in *e, findings in app_cat_write_lint); nothing was written. */
int app_cat_write_refused(const struct cat_write *w, struct err *e);
/* app_cat_write_lint — the findings of a refused publication: a new
 * {"errors":n,"warnings":n,"findings":[…]} or NULL. */
json_t *app_cat_write_lint(const struct cat_write *w);
json_t *app_cat_write_take(struct cat_write *w); /* the result; yours */
int64_t app_cat_write_id(const struct cat_write *w);
void app_cat_write_free(void *w);

/* ---- import, export, audit, demo
 * --------------------------------------------- */

enum cat_publish {
    CAT_IMPORT_DRAFT = 0, /* implementation items arrive as version 1 drafts */
    CAT_IMPORT_PUBLISH,   /* published; any item with lint errors fails the
                             whole import, naming it */
    CAT_IMPORT_AS_IS,     /* published as they are; lint errors recorded in
                             the event's reason and shown by the lint */
};

struct cat_import_report {
    int bases_new, bases_updated, bases_same;
    int items_new, items_versioned, items_same;
    int orgs_new;         /* departments created (extract imports) */
    int published;        /* versions published by this import */
    int with_lint_errors; /* published items whose guide has lint errors */
    const char *format;   /* "json" | "csv" | "sczwfw-csv" | "lnzwfw-json" */
};

/* app_catalogue_import_buffer — import `data` (n bytes) named `name` in
 * messages. The format is recognised by content: the JSON model
 * ({"base_items", "items"}), bianmin CSV (first column `record`), the
 * 四川政务服务网 implementation extract (CSV with department, name,
 * item_code, task_type …) or the 辽宁政务服务网 catalogue (a JSON array of
 * {职权编码, 事项名称, 事项类型, 依据, 实施层级}). Everything is checked before
 * anything is written; the write is one unit: all or nothing. Regions must
 * exist (import them first: `bianmin import regions`); the error names the
 * first missing one. actor NULL = trusted; else CAT_CATALOGUE_IMPORT. */
struct cat_import_opts {
    enum cat_publish publish;
};
int app_catalogue_import_buffer(struct app *app, const struct actor *actor,
                                const char *name, const char *data, size_t n,
                                const struct cat_import_opts *o,
                                struct cat_import_report *rep, struct err *e);
int app_catalogue_import_file(struct app *app, const char *path,
                              const struct cat_import_opts *o,
                              struct cat_import_report *rep, struct err *e);

/* app_catalogue_export — the JSON model. published_only: only items with a
 * published version, with that version's guide; else every item with its
 * current version (published, else the latest) and "state". */
int app_catalogue_export(struct app *app, int published_only, json_t **out,
                         struct err *e);
/* app_catalogue_export_csv — the CSV form of the same (docs/catalogue.md);
 * *out malloc'd, caller frees. */
int app_catalogue_export_csv(struct app *app, int published_only, char **out,
                             size_t *n, struct err *e);

/* app_catalogue_audit — lint every item's current version: {"items": n,
 * "errors": n, "warnings": n, "by_code": {code: n}, "findings": [{item_id,
 * code (item code), name, version, state, severity, field, finding,
 * message}]}. */
int app_catalogue_audit(struct app *app, json_t **out, struct err *e);

/* app_demo_catalogue — load data/demo/catalogue.json (the JSON model) as
 * published items; idempotent. *items = implementation items after. */
int app_demo_catalogue(struct app *app, int *items, struct err *e);

/* ---- JSON helpers shared with http/
 * -------------------------------------------- */

/* app_guide_from_json — the shape of a guide (unknown keys, types,
 * lengths) into *g, texts copied into a. field prefixes `ptr`. */
int app_guide_from_json(const json_t *j, const char *ptr, struct arena *a,
                        struct guide *g, struct err *e);
/* app_lint_json — {"errors","warnings","findings":[{severity, field, code,
 * message}]}. */
json_t *app_lint_json(const struct lint_report *r);

#endif
