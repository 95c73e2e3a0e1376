/* api_orgs.c — handlers for organisations, halls and windows
 * (/api/v1/orgs…, /api/v1/halls/{id}…, /api/v1/windows/{id}). Each is thin
 * (STYLE.md, habit 9): parse the path id, one app call, render. Writes are
 * prepared (checked) here on the polling thread and run as a store unit with
 * http_write; the answer is rendered after COMMIT. The route gate has
 * checked CAP_ORG_WRITE exists somewhere; the app checks it on the region.
 * A path id that is not a positive decimal number names nothing: 404. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../app/app_orgs.h"
#include "internal.h"

/* path_id — {id} segment 0 as a positive integer; else 404 "没有这个<what>". */
static int path_id(struct req *r, const char *what, int64_t *id)
{
    const char *s = http_param(r, 0);
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 18 || strspn(s, "0123456789") != n ||
        (*id = strtoll(s, NULL, 10)) <= 0)
        return err_set(&r->err, ERR_NOT_FOUND, NULL, "没有这个%s", what);
    return 0;
}

static int no_content(struct req *r)
{
    if (http_bytes(r, 204, "text/plain", "", 0))
        return -1;
    MHD_del_response_header(r->resp, "Content-Type", "text/plain");
    return 0;
}

/* GET /api/v1/orgs?region=&kind=&q=&after=&limit= — runs on a worker. */
int api_org_list(struct req *r)
{
    long after, limit;
    if (http_query_int(r, "after", 0, 0, 0x7fffffffffffffffL, &after) ||
        http_query_int(r, "limit", APP_ORG_PAGE_DEFAULT, 1, APP_ORG_PAGE_MAX,
                       &limit))
        return http_error(r, &r->err);
    struct org_query q = {
        .region = http_query(r, "region"),
        .kind = http_query(r, "kind"),
        .q = http_query(r, "q"),
        .after = after,
        .limit = (int)limit,
    };
    struct org_view *items;
    int n;
    int64_t next;
    if (app_org_list(r->app, &q, r->arena, &items, &n, &next, &r->err))
        return http_error(r, &r->err);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, app_org_json(&items[i]));
    return http_json(r, 200,
                     json_pack("{s:o, s:o}", "items", arr, "next_after",
                               next ? json_integer((json_int_t)next)
                                    : json_null()));
}

/* GET /api/v1/orgs/{id} — with halls and windows. */
int api_org_get(struct req *r)
{
    int64_t id;
    struct org_view *v;
    if (path_id(r, "机构", &id) ||
        app_org_get(r->app, id, r->arena, &v, &r->err))
        return http_error(r, &r->err);
    return http_json(r, 200, app_org_json(v));
}

static int org_created(struct req *r)
{
    const struct org_write *w = r->unit.arg;
    if (http_json(r, 201, app_org_json(app_org_write_org(w))))
        return -1;
    char loc[64];
    snprintf(loc, sizeof loc, "/api/v1/orgs/%lld",
             (long long)app_org_write_id(w));
    MHD_add_response_header(r->resp, "Location", loc);
    return 0;
}

static int org_changed(struct req *r)
{
    return http_json(r, 200, app_org_json(app_org_write_org(r->unit.arg)));
}

static int hall_created(struct req *r)
{
    return http_json(r, 201, app_hall_json(app_org_write_hall(r->unit.arg)));
}

static int hall_changed(struct req *r)
{
    return http_json(r, 200, app_hall_json(app_org_write_hall(r->unit.arg)));
}

static int window_created(struct req *r)
{
    return http_json(r, 201,
                     app_window_json(app_org_write_window(r->unit.arg)));
}

static int window_changed(struct req *r)
{
    return http_json(r, 200,
                     app_window_json(app_org_write_window(r->unit.arg)));
}

/* POST /api/v1/orgs — the org with nested halls and windows, one unit. */
int api_org_create(struct req *r)
{
    struct org_write *w;
    if (app_org_create_prepare(r->app, &r->actor, r->body_json, r->arena, &w,
                               &r->err) ||
        app_org_write_precheck(r->app, w, &r->err))
        return http_error(r, &r->err);
    return http_write(r, app_org_write_unit, w, org_created);
}

/* PATCH /api/v1/orgs/{id} */
int api_org_update(struct req *r)
{
    int64_t id;
    struct org_write *w;
    if (path_id(r, "机构", &id) ||
        app_org_update_prepare(r->app, &r->actor, id, r->body_json, r->arena,
                               &w, &r->err))
        return http_error(r, &r->err);
    return http_write(r, app_org_write_unit, w, org_changed);
}

/* DELETE /api/v1/orgs/{id} */
int api_org_delete(struct req *r)
{
    int64_t id;
    struct org_write *w;
    if (path_id(r, "机构", &id) ||
        app_org_delete_prepare(r->app, &r->actor, id, r->arena, &w, &r->err))
        return http_error(r, &r->err);
    return http_write(r, app_org_write_unit, w, no_content);
}

/* POST /api/v1/orgs/{id}/halls — a hall, with nested windows. */
int api_hall_create(struct req *r)
{
    int64_t id;
    struct org_write *w;
    if (path_id(r, "机构", &id) ||
        app_hall_create_prepare(r->app, &r->actor, id, r->body_json, r->arena,
                                &w, &r->err))
        return http_error(r, &r->err);
    return http_write(r, app_org_write_unit, w, hall_created);
}

/* PATCH /api/v1/halls/{id} */
int api_hall_update(struct req *r)
{
    int64_t id;
    struct org_write *w;
    if (path_id(r, "大厅", &id) ||
        app_hall_update_prepare(r->app, &r->actor, id, r->body_json, r->arena,
                                &w, &r->err))
        return http_error(r, &r->err);
    return http_write(r, app_org_write_unit, w, hall_changed);
}

/* DELETE /api/v1/halls/{id} */
int api_hall_delete(struct req *r)
{
    int64_t id;
    struct org_write *w;
    if (path_id(r, "大厅", &id) ||
        app_hall_delete_prepare(r->app, &r->actor, id, r->arena, &w, &r->err))
        return http_error(r, &r->err);
    return http_write(r, app_org_write_unit, w, no_content);
}

/* POST /api/v1/halls/{id}/windows */
int api_window_create(struct req *r)
{
    int64_t id;
    struct org_write *w;
    if (path_id(r, "大厅", &id) ||
        app_window_create_prepare(r->app, &r->actor, id, r->body_json,
                                  r->arena, &w, &r->err))
        return http_error(r, &r->err);
    return http_write(r, app_org_write_unit, w, window_created);
}

/* PATCH /api/v1/windows/{id} */
int api_window_update(struct req *r)
{
    int64_t id;
    struct org_write *w;
    if (path_id(r, "窗口", &id) ||
        app_window_update_prepare(r->app, &r->actor, id, r->body_json,
                                  r->arena, &w, &r->err))
        return http_error(r, &r->err);
    return http_write(r, app_org_write_unit, w, window_changed);
}

/* DELETE /api/v1/windows/{id} */
int api_window_delete(struct req *r)
{
    int64_t id;
    struct org_write *w;
    if (path_id(r, "窗口", &id) ||
        app_window_delete_prepare(r->app, &r->actor, id, r->arena, &w,
                                  &r->err))
        return http_error(r, &r->err);
    return http_write(r, app_org_write_unit, w, no_content);
}
