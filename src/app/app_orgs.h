/* app_orgs.h — use cases on organisations (机构), their halls (大厅) and
 * windows (窗口): read one, list, and the durable writes (create, change,
 * delete of each), plus their JSON form.
 *
 * Kinds and where they may sit (the region's level, 1 province … 5 village):
 *   department       部门                 levels 1–4
 *   service_centre   政务服务中心           levels 1–3
 *   township_centre  为民服务中心           level 4
 *   village_station  为民服务工作站         level 5
 * Departments and service centres must carry a unified social credit code
 * (GB 32100, unique); the others may. A window is `comprehensive` (综合窗口)
 * or `department` (部门窗口), and then serves for `dept_id`, a department of
 * the hall's region or of a region above it.
 *
 * A write is done in two steps, so that an HTTP polling thread never waits
 * on the database:
 *   1. app_*_prepare — on the caller's thread: checks the JSON body's shape
 *      (unknown keys, types, lengths, formats, duplicates inside the body),
 *      and, when the region is in the body, the actor's permission. Cheap; no
 *      database. Returns a `struct org_write` allocated in arena `a`.
 *   2. app_org_write_unit — the store unit (store.h) that runs on the writer
 *      connection: loads what it needs, checks permission on the stored
 *      region, existence of regions and referenced orgs, uniqueness and the
 *      revision, writes, and reads back the result into `a`. All or nothing:
 *      a failure leaves nothing of the write.
 * While the unit runs it uses arena `a` on the writer thread: the caller
 * must not touch `a` until the unit's done callback (or app_org_write_run)
 * returned. After success, app_org_write_result* give the written thing.
 *
X
 * number"; query arguments by their name, "region"); messages are zh-CN.
 *   ERR_INVALID 422   a rule broken (format, length, kind/level, region or
 *                     referenced org missing, unknown key)
 *   ERR_FORBIDDEN 403 the actor may not manage orgs in that region
 *   ERR_NOT_FOUND 404 no such org / hall / window (the path's id)
 *   ERR_CONFLICT 409  name or number or credit code taken, stale revision,
 *                     delete refused while something refers to the row
 * Thread-safe: no shared state beyond the store. */
#ifndef BIANMIN_APP_APP_ORGS_H
#define BIANMIN_APP_APP_ORGS_H

#include <jansson.h>
#include <stdint.h>

#include "../core/arena.h"
#include "../store/db.h"
#include "app.h"

#define APP_ORG_PAGE_MAX 200
#define APP_ORG_PAGE_DEFAULT 50

/* ---- views: what reads and writes hand back, all in the caller's arena -- */

struct window_view {
    int64_t id, hall_id;
    const char *number, *name;
    const char *kind;      /* comprehensive | department */
    int64_t dept_id;       /* 0 = none */
    const char *dept_name; /* NULL = none */
    int active;
    int64_t revision, created_at, updated_at; /* times: Unix ms UTC */
};

struct hall_view {
    int64_t id, org_id;
    const char *name, *address, *hours; /* NULL = not set */
    int64_t revision, created_at, updated_at;
    struct window_view *windows;
    int n_windows;
};

struct org_view {
    int64_t id;
    const char *kind, *name, *short_name;
    const char *region, *region_name; /* region_name NULL if unknown */
    int64_t parent_id;                /* 0 = none */
    const char *credit_code, *address, *phone, *hours; /* NULL = not set */
    int64_t revision, created_at, updated_at;
    struct hall_view *halls;
    int n_halls; /* -1: halls not loaded (lists, updates) */
};

/* ---- reads ---------------------------------------------------------------- */

/* app_org_get — org `id` with its halls and their windows, in arena a.
 * ERR_NOT_FOUND "没有这个机构". */
int app_org_get(struct app *app, int64_t id, struct arena *a,
                struct org_view **out, struct err *e);

/* A list request; every member optional (NULL / 0). */
struct org_query {
    const char *region; /* 12 digits: that region and everything below */
    const char *kind;   /* one of the four kinds */
    const char *q;      /* name contains (1–32 characters) */
    int64_t after;      /* ids greater than this (the previous next_after) */
    int limit;          /* 1–APP_ORG_PAGE_MAX; 0 = APP_ORG_PAGE_DEFAULT */
};

/* app_org_list — one page of orgs (without halls) by id, in arena a:
 * *items and *n; *next_after is the id to pass as `after` for the next page, or
 * 0 when this is the last page. ERR_INVALID naming the query argument
 * ("region", "kind", "q", "after", "limit"). Public: no actor. */
int app_org_list(struct app *app, const struct org_query *q, struct arena *a,
                 struct org_view **items, int *n, int64_t *next_after,
                 struct err *e);

/* ---- writes --------------------------------------------------------------- */

struct org_write; /* a checked write, ready to run; lives in its arena */

/* app_org_create_prepare — body {kind, name, short_name?, region,
 * parent_id?, credit_code?, address?, phone?, hours?, halls?: [{name,
 * address?, hours?, windows?: [{number, name, kind?, dept_id?, active?}]}]}.
 * The org, its halls and windows are written in one unit. */
int app_org_create_prepare(struct app *app, const struct actor *actor,
                           const json_t *body, struct arena *a,
                           struct org_write **out, struct err *e);
/* app_org_write_precheck — optional, after a create's prepare: the region
 * exists and fits the kind, checked now from the per-node region cache
 * (app_region_level; a database read only on a cache miss), so that the
 * writer's unit is the insert alone. A name or credit code already taken is
 * not looked up: the unit's INSERT meets it on the unique index and fails
 * with the same 409 on /name or /credit_code. Without the precheck the unit
 * makes every check itself. Other writes: nothing. */
int app_org_write_precheck(struct app *app, struct org_write *w,
                           struct err *e);
/* app_org_update_prepare — body: any of the create fields except halls
 * (absent = unchanged; null = cleared, for optional ones), and `revision`
 * (optional: when given and not the stored one, ERR_CONFLICT). */
int app_org_update_prepare(struct app *app, const struct actor *actor,
                           int64_t id, const json_t *body, struct arena *a,
                           struct org_write **out, struct err *e);
/* app_org_delete_prepare — refused (ERR_CONFLICT) in the unit while halls,
 * child orgs, department windows or grants refer to the org. */
int app_org_delete_prepare(struct app *app, const struct actor *actor,
                           int64_t id, struct arena *a, struct org_write **out,
                           struct err *e);
/* app_hall_create_prepare — body {name, address?, hours?, windows?: […]}
 * for org `org_id`. */
int app_hall_create_prepare(struct app *app, const struct actor *actor,
                            int64_t org_id, const json_t *body,
                            struct arena *a, struct org_write **out,
                            struct err *e);
/* app_hall_update_prepare — body: any of name, address, hours; revision. */
int app_hall_update_prepare(struct app *app, const struct actor *actor,
                            int64_t hall_id, const json_t *body,
                            struct arena *a, struct org_write **out,
                            struct err *e);
/* app_hall_delete_prepare — refused (ERR_CONFLICT) while it has windows. */
int app_hall_delete_prepare(struct app *app, const struct actor *actor,
                            int64_t hall_id, struct arena *a,
                            struct org_write **out, struct err *e);
/* app_window_create_prepare — body {number, name, kind?, dept_id?,
 * active?} for hall `hall_id`. kind defaults to comprehensive, active to
 * true. */
int app_window_create_prepare(struct app *app, const struct actor *actor,
                              int64_t hall_id, const json_t *body,
                              struct arena *a, struct org_write **out,
                              struct err *e);
/* app_window_update_prepare — body: any of the create fields; revision.
 * Making a window comprehensive clears its department. */
int app_window_update_prepare(struct app *app, const struct actor *actor,
                              int64_t window_id, const json_t *body,
                              struct arena *a, struct org_write **out,
                              struct err *e);
int app_window_delete_prepare(struct app *app, const struct actor *actor,
                              int64_t window_id, struct arena *a,
                              struct org_write **out, struct err *e);

/* app_org_write_unit — the store unit of a prepared write (arg: the
 * struct org_write *). Runs it once; do not run the same write twice. */
int app_org_write_unit(struct db *db, void *w, struct err *e);

/* app_org_write_run — run a prepared write with store_write and wait until
 * it is durable. For the CLI, tests and worker threads; never on an HTTP
 * polling thread (there: http_write with app_org_write_unit). */
int app_org_write_run(struct app *app, struct org_write *w, struct err *e);

/* After a successful unit (borrowed, in the write's arena; NULL when the
 * write has no such result): the org created (with halls) or changed
 * (without halls); the hall created (with windows) or changed (with
 * windows); the window created or changed. app_org_write_id — the id of
 * the row created, changed or deleted. */
const struct org_view *app_org_write_org(const struct org_write *w);
const struct hall_view *app_org_write_hall(const struct org_write *w);
const struct window_view *app_org_write_window(const struct org_write *w);
int64_t app_org_write_id(const struct org_write *w);

/* ---- JSON ------------------------------------------------------------------ */

/* New references (caller owns). Times as ISO-8601 UTC strings
 * ("2024-09-30T08:00:00Z"); absent optional text as null. The org has
 * `halls` only when they were loaded (n_halls >= 0). */
json_t *app_org_json(const struct org_view *v);
json_t *app_hall_json(const struct hall_view *h);
json_t *app_window_json(const struct window_view *w);

/* app_org_kind_name — "部门", "政务服务中心", "为民服务中心", "为民服务工作站";
 * NULL for an unknown kind. app_window_kind_name — "综合窗口", "部门窗口". */
const char *app_org_kind_name(const char *kind);
const char *app_window_kind_name(const char *kind);

#endif
