/* catalogue.h — SQL for the catalogue (migration 5): base items and their
 * history, implementation items, their numbered versions, the events of
 * each transition, and public comments. Called by app/app_catalogue.c only,
 * which owns validation, permissions, the life cycle, the search index and
 * transactions; these functions only read and write rows.
 *
 * Reads hand rows to callbacks; strings in a row are borrowed from the
 * driver for the duration of the callback (copy what you keep). NULL text
 * and 0 ids mean SQL NULL. Callbacks return nonzero to stop (not an error).
 * List-valued fields (themes, audience, legal_basis, levels, aliases,
 * keywords) are JSON text; the guide of a version is JSON text.
 *
 * The database itself refuses to change or delete a published, superseded
 * or abolished version (triggers of migration 5: ERR_INVALID from either
 * driver) and any change of item_events.
 *
 * Errors as in db.h. Stateless; one `struct db` per thread. */
#ifndef BIANMIN_STORE_CATALOGUE_H
#define BIANMIN_STORE_CATALOGUE_H

#include <stdint.h>

#include "db.h"

#define STORE_CAT_LIST_MAX 200
#define STORE_CAT_REGIONS_MAX 6 /* a region and its ancestors */

/* ---- base items ------------------------------------------------------------
 */

struct base_row {
    int64_t id;
    const char *code;
    int64_t parent_id;
    const char *parent_code; /* read only */
    const char *region;      /* NULL = national */
    const char *name, *type, *supply, *state;
    const char *themes, *audience, *legal_basis, *levels, *aliases,
        *keywords; /* JSON text */
    int64_t revision, created_at, updated_at;
    int64_t n_children; /* read only */
};
typedef int (*base_cb)(void *ctx, const struct base_row *row);

/* store_base_get — ERR_NOT_FOUND ("没有这个基本目录事项") when absent. */
int store_base_get(struct db *db, int64_t id, base_cb cb, void *ctx,
                   struct err *e);
/* store_base_id_by_code — the id of base item `code`, or 0. */
int store_base_id_by_code(struct db *db, const char *code, int64_t *id,
                          struct err *e);

struct base_filter {
    const char *q;      /* name or code contains; NULL = any */
    int64_t parent_id;  /* >0: children of; 0: any; -1: top-level only */
    const char *region; /* NULL = any */
    int64_t after_id;
    int limit; /* 1..STORE_CAT_LIST_MAX+1; 0 = no limit (exports) */
};
int store_base_list(struct db *db, const struct base_filter *f, base_cb cb,
                    void *ctx, struct err *e);
/* store_base_insert — b's columns (id, revision, read-only ones ignored);
 * revision 1, created_at = updated_at = now. */
int store_base_insert(struct db *db, const struct base_row *b, int64_t now,
                      int64_t *id, struct err *e);
/* store_base_update — every column of b->id when its revision is still
 * expect_revision; revision + 1. *changed 0 when gone or moved. */
int store_base_update(struct db *db, const struct base_row *b,
                      int64_t expect_revision, int64_t now, int *changed,
                      struct err *e);
/* store_base_history_add — one history row (snapshot: JSON text). */
int store_base_history_add(struct db *db, int64_t base_id, int64_t revision,
                           const char *action, int64_t actor_id,
                           const char *actor_login, const char *reason,
                           const char *snapshot, int64_t now, struct err *e);
struct base_history_row {
    int64_t id, base_id, revision, actor_id, at;
    const char *action, *actor_login, *reason, *snapshot;
};
typedef int (*base_history_cb)(void *ctx, const struct base_history_row *row);
int store_base_history_list(struct db *db, int64_t base_id, base_history_cb cb,
                            void *ctx, struct err *e);

/* ---- implementation items -------------------------------------------------
 */

struct item_row {
    int64_t id, base_id, org_id;
    const char *region, *code, *sub_path, *state, *modes;
    int business_no;
    int current_version; /* 0 = none published */
    int visits;          /* -1 = unknown */
    int64_t created_by, created_at, updated_at;
    /* read only: joined */
    const char *base_code, *name, *type, *themes, *audience, *supply,
        *legal_basis, *levels, *aliases, *keywords;
    const char *org_name, *org_credit_code, *region_name;
    int latest_version;       /* the highest version number */
    const char *latest_state; /* its state */
};
typedef int (*item_cb)(void *ctx, const struct item_row *row);

/* store_item_get — ERR_NOT_FOUND ("没有这个事项") when absent. */
int store_item_get(struct db *db, int64_t id, item_cb cb, void *ctx,
                   struct err *e);
int store_item_id_by_code(struct db *db, const char *code, int64_t *id,
                          struct err *e);
/* store_item_next_business_no — 1 + the highest business number the org
 * uses for the base item and sub-item path (1 when none). */
int store_item_next_business_no(struct db *db, int64_t org_id, int64_t base_id,
                                const char *sub_path, int *out, struct err *e);
int store_item_insert(struct db *db, const struct item_row *r, int64_t now,
                      int64_t *id, struct err *e);
/* store_item_set_published — current_version, the browse copies of the
 * guide (modes: " window online " with spaces around each; visits -1 =
 * NULL) and state. */
int store_item_set_published(struct db *db, int64_t id, int version,
                             const char *modes, int visits, const char *state,
                             int64_t now, struct err *e);

/* A browse query: published, active items. */
struct item_filter {
    const char *const *regions; /* serve these regions (IN); n 0 = any */
    int n_regions;              /* 0..STORE_CAT_REGIONS_MAX */
    const char *theme, *type, *audience, *mode; /* NULL = any */
    int max_visits;                             /* -1 = any */
    int64_t org_id;                             /* 0 = any */
    int64_t after_id;
    int limit; /* 1..STORE_CAT_LIST_MAX+1 */
};
int store_item_browse(struct db *db, const struct item_filter *f, item_cb cb,
                      void *ctx, struct err *e);
/* store_item_all — every item by id (exports, the audit, the index). */
int store_item_all(struct db *db, item_cb cb, void *ctx, struct err *e);
/* store_item_get_many — the items of ids[n] (1..100) that exist, in no
 * particular order (search results are re-ordered by the caller). */
int store_item_get_many(struct db *db, const int64_t *ids, int n, item_cb cb,
                        void *ctx, struct err *e);
/* store_item_summaries — the same without the latest version
 * (latest_version 0, latest_state NULL: not read), for lists that show an
 * item's summary (a search page): three look-ups fewer per item. */
int store_item_summaries(struct db *db, const int64_t *ids, int n, item_cb cb,
                         void *ctx, struct err *e);
int store_catalogue_counts(struct db *db, int64_t *bases, int64_t *items,
                           int64_t *published, struct err *e);

/* ---- versions
 * ---------------------------------------------------------------- */

struct version_row {
    int64_t id, item_id;
    int version;
    const char *state, *guide;
    int64_t created_by, created_at, updated_at, published_at;
};
typedef int (*version_cb)(void *ctx, const struct version_row *row);

/* store_version_get — version n of the item (n 0 = the highest);
 * ERR_NOT_FOUND ("没有这个版本") when absent. */
int store_version_get(struct db *db, int64_t item_id, int n, version_cb cb,
                      void *ctx, struct err *e);
int store_version_list(struct db *db, int64_t item_id, version_cb cb, void *ctx,
                       struct err *e);
int store_version_insert(struct db *db, int64_t item_id, int version,
                         const char *state, const char *guide, int64_t actor_id,
                         int64_t now, struct err *e);
/* store_version_set_guide — only while the version is a draft; *changed 0
 * otherwise. */
int store_version_set_guide(struct db *db, int64_t item_id, int version,
                            const char *guide, int64_t now, int *changed,
                            struct err *e);
/* store_version_set_state — from `from` to `to` (published_at set when to
 * is published); *changed 0 when the version is not in `from`. */
int store_version_set_state(struct db *db, int64_t item_id, int version,
                            const char *from, const char *to, int64_t now,
                            int *changed, struct err *e);

/* ---- events and comments
 * ------------------------------------------------------ */

struct event_row {
    int64_t id, item_id;
    int version;
    int64_t actor_id, at;
    const char *actor_login, *from_state, *to_state, *reason;
};
typedef int (*event_cb)(void *ctx, const struct event_row *row);
int store_event_add(struct db *db, const struct event_row *ev, struct err *e);
int store_event_list(struct db *db, int64_t item_id, event_cb cb, void *ctx,
                     struct err *e);

struct comment_row {
    int64_t id, item_id;
    int version;
    int64_t author_id;
    const char *author_name, *body, *reply;
    int64_t created_at, replied_by, replied_at;
};
typedef int (*comment_cb)(void *ctx, const struct comment_row *row);
int store_comment_add(struct db *db, const struct comment_row *c, int64_t *id,
                      struct err *e);
/* store_comment_get — ERR_NOT_FOUND ("没有这条意见") when absent. */
int store_comment_get(struct db *db, int64_t id, comment_cb cb, void *ctx,
                      struct err *e);
int store_comment_list(struct db *db, int64_t item_id, comment_cb cb, void *ctx,
                       struct err *e);
int store_comment_reply(struct db *db, int64_t id, const char *reply,
                        int64_t by, int64_t now, struct err *e);

#endif
