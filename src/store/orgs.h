/* orgs.h — SQL for organisations, their halls and the windows in them
 * (tables orgs, halls, windows). Called by app/ only (app_orgs.c), which
 * owns validation, permissions and transactions; these functions only read
 * and write rows. Reads return rows through callbacks: strings in a row are
 * borrowed from the driver and valid only during the callback, so callers
 * copy what they keep. Errors as in db.h (a unique or foreign-key violation
 * is ERR_CONFLICT). Stateless and thread-safe; one `struct db` per thread. */
#ifndef BIANMIN_STORE_ORGS_H
#define BIANMIN_STORE_ORGS_H

#include <stdint.h>

#include "db.h"

#define STORE_ORG_LIST_MAX 200

/* One organisation. In reads, region_name and region_level come from the
 * regions table (NULL/0 when the region is gone); writes ignore them. NULL
 * text and 0 ids mean SQL NULL. */
struct org_row {
    int64_t id;
    const char *kind; /* department | service_centre | township_centre |
                         village_station */
    const char *name;
    const char *short_name;
    const char *region; /* 12 digits */
    const char *region_name;
    int region_level;
    int64_t parent_id;
    const char *credit_code;
    const char *address;
    const char *phone;
    const char *hours;
    int64_t revision;
    int64_t created_at; /* Unix ms UTC */
    int64_t updated_at;
};

struct hall_row {
    int64_t id;
    int64_t org_id;
    const char *name;
    const char *address;
    const char *hours;
    int64_t revision;
    int64_t created_at;
    int64_t updated_at;
};

/* One window; dept_name is read from orgs (NULL without a department). */
struct window_row {
    int64_t id;
    int64_t hall_id;
    const char *number;
    const char *name;
    const char *kind; /* comprehensive | department */
    int64_t dept_id;
    const char *dept_name;
    int active; /* 0 / 1 */
    int64_t revision;
    int64_t created_at;
    int64_t updated_at;
};

/* Callbacks: return nonzero to stop early (not an error). */
typedef int (*org_cb)(void *ctx, const struct org_row *row);
typedef int (*hall_cb)(void *ctx, const struct hall_row *row);
typedef int (*window_cb)(void *ctx, const struct window_row *row);

/* A list query. All filters optional. */
struct org_filter {
    const char *region_prefix; /* significant digits of a region ("3415");
                                  NULL or "" = everywhere */
    const char *kind;          /* NULL = any */
    const char *name_contains; /* plain text, LIKE wildcards escaped here;
                                  NULL = any */
    int64_t after_id;          /* ids greater than this; 0 = from the start */
    int limit;                 /* 1..STORE_ORG_LIST_MAX+1 (one more than a
                                  page tells whether another page exists) */
};

/* ---- orgs ---------------------------------------------------------------- */

/* store_org_get — one org; ERR_NOT_FOUND ("没有这个机构") when absent. */
int store_org_get(struct db *db, int64_t id, org_cb cb, void *ctx,
                  struct err *e);
/* store_org_list — orgs matching f, by id. ERR_INTERNAL for a limit out of
 * range (a caller bug). */
int store_org_list(struct db *db, const struct org_filter *f, org_cb cb,
                   void *ctx, struct err *e);
/* store_org_insert — insert `o` (id, revision, region_name, region_level
 * ignored) with created_at = updated_at = now_ms, revision 1; *id gets the
 * new id. */
int store_org_insert(struct db *db, const struct org_row *o, int64_t now_ms,
                     int64_t *id, struct err *e);
/* store_org_update — overwrite every column of org o->id if its revision is
 * still `expect_revision`; revision + 1, updated_at = now_ms. *changed = 1
 * when the row was written, 0 when it is gone or its revision moved. */
int store_org_update(struct db *db, const struct org_row *o,
                     int64_t expect_revision, int64_t now_ms, int *changed,
                     struct err *e);
/* store_org_delete — delete org id; *changed 1/0 as above. ERR_CONFLICT if
 * rows still refer to it (check store_org_refs first for a clear answer). */
int store_org_delete(struct db *db, int64_t id, int *changed, struct err *e);
/* store_org_id_by_credit — the id of the org holding credit code `code`,
 * or 0. */
int store_org_id_by_credit(struct db *db, const char *code, int64_t *id,
                           struct err *e);
/* store_org_id_by_name — the id of the org called `name` in `region`, or 0. */
int store_org_id_by_name(struct db *db, const char *region, const char *name,
                         int64_t *id, struct err *e);

/* What still refers to an org. */
struct org_refs {
    int64_t halls;    /* halls of the org */
    int64_t children; /* orgs whose parent it is */
    int64_t windows;  /* department windows that serve for it */
    int64_t grants;   /* role grants limited to it */
};
int store_org_refs(struct db *db, int64_t id, struct org_refs *out,
                   struct err *e);

/* store_org_counts — all rows of orgs, halls and windows (NULLs allowed). */
int store_org_counts(struct db *db, int64_t *orgs, int64_t *halls,
                     int64_t *windows, struct err *e);

/* ---- halls --------------------------------------------------------------- */

/* store_hall_get — ERR_NOT_FOUND ("没有这个大厅") when absent. */
int store_hall_get(struct db *db, int64_t id, hall_cb cb, void *ctx,
                   struct err *e);
/* store_hall_list — the halls of one org, by id. */
int store_hall_list(struct db *db, int64_t org_id, hall_cb cb, void *ctx,
                    struct err *e);
int store_hall_insert(struct db *db, const struct hall_row *h, int64_t now_ms,
                      int64_t *id, struct err *e);
/* store_hall_update — name, address, hours of h->id if at expect_revision;
 * *changed as store_org_update. */
int store_hall_update(struct db *db, const struct hall_row *h,
                      int64_t expect_revision, int64_t now_ms, int *changed,
                      struct err *e);
int store_hall_delete(struct db *db, int64_t id, int *changed, struct err *e);
/* store_hall_id_by_name — the hall of org_id called name, or 0. */
int store_hall_id_by_name(struct db *db, int64_t org_id, const char *name,
                          int64_t *id, struct err *e);
/* store_hall_window_count — windows in hall id. */
int store_hall_window_count(struct db *db, int64_t id, int64_t *n,
                            struct err *e);

/* ---- windows ------------------------------------------------------------- */

/* store_window_get — ERR_NOT_FOUND ("没有这个窗口") when absent. */
int store_window_get(struct db *db, int64_t id, window_cb cb, void *ctx,
                     struct err *e);
/* store_window_list_org — every window in every hall of org_id, by hall
 * then number. */
int store_window_list_org(struct db *db, int64_t org_id, window_cb cb,
                          void *ctx, struct err *e);
/* store_window_list_hall — the windows of one hall, by number. */
int store_window_list_hall(struct db *db, int64_t hall_id, window_cb cb,
                           void *ctx, struct err *e);
int store_window_insert(struct db *db, const struct window_row *w,
                        int64_t now_ms, int64_t *id, struct err *e);
/* store_window_update — number, name, kind, dept_id, active of w->id if at
 * expect_revision; *changed as store_org_update. */
int store_window_update(struct db *db, const struct window_row *w,
                        int64_t expect_revision, int64_t now_ms, int *changed,
                        struct err *e);
int store_window_delete(struct db *db, int64_t id, int *changed,
                        struct err *e);
/* store_window_id_by_number — the window of hall_id numbered `number`, or 0. */
int store_window_id_by_number(struct db *db, int64_t hall_id,
                              const char *number, int64_t *id, struct err *e);

#endif
