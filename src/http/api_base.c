/* api_base.c — handlers for the server itself, regions and the calendar.
 * Each is thin: parse, one app call, render (STYLE.md, habit 9). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../app/app_calendar.h"
#include "../app/app_regions.h"
#include "../app/embedded.h"
#include "internal.h"

/* GET /healthz — liveness: the process answers. (Readiness of the database
 * is `?ready=1`, which does one trivial read.) */
int api_healthz(struct req *r)
{
    static const char k_ok[] = "{\"status\":\"ok\"}";
    const char *ready = http_query(r, "ready");
    if (ready && strcmp(ready, "1") == 0) {
        struct err e = {0};
        if (app_ready(r->app, &e))
            return http_error(r, &e);
    }
    return http_bytes(r, 200, "application/json", k_ok, sizeof k_ok - 1);
}

/* GET /api/openapi.yaml — the API description compiled into the program. */
int api_openapi(struct req *r)
{
    const struct embedded_file *f = embedded_find("docs/openapi.yaml");
    if (!f)
        return http_errorf(r, ERR_NOT_FOUND, "", "没有 OpenAPI 文档");
    return http_cached(r, "application/yaml; charset=utf-8", f->data, f->size,
                       NULL, "public, max-age=60");
}

/* GET /api/v1/regions/{code} */
int api_region_get(struct req *r)
{
    const char *json, *etag;
    size_t len;
    if (app_region_cached(r->app, http_param(r, 0), r->arena, &json, &len,
                          &etag, &r->err))
        return http_error(r, &r->err);
    return http_cached(r, "application/json; charset=utf-8", json, len, etag,
                       "public, max-age=300");
}

/* GET /api/v1/regions/{code}/children */
int api_region_children(struct req *r)
{
    json_t *out;
    if (app_region_children(r->app, http_param(r, 0), &out, &r->err))
        return http_error(r, &r->err);
    return http_json(r, 200, out);
}

/* GET /api/v1/regions?q=&level=&within=&limit= — without q: the provinces. */
int api_region_search(struct req *r)
{
    const char *q = http_query(r, "q");
    long level, limit;
    json_t *out;
    if (http_query_int(r, "level", 0, 0, 5, &level) ||
        http_query_int(r, "limit", 20, 1, 200, &limit))
        return http_error(r, &r->err);
    if (!q || !*q) {
        if (app_region_children(r->app, NULL, &out, &r->err))
            return http_error(r, &r->err);
        return http_json(r, 200, out);
    }
    if (app_region_search(r->app, q, (int)level, http_query(r, "within"),
                          (int)limit, &out, &r->err))
        return http_error(r, &r->err);
    return http_json(r, 200, out);
}

static int parse_year(struct req *r, int *year)
{
    const char *s = http_param(r, 0);
    char *end;
    long y = strtol(s, &end, 10);
    if (*end || end == s || strlen(s) != 4 || y < 1900 || y > 2999)
        return err_set(&r->err, ERR_INVALID, "year", "年份应为四位数字");
    *year = (int)y;
    return 0;
}

/* GET /api/v1/calendar/{year} */
int api_calendar_year(struct req *r)
{
    int year;
    json_t *out;
    if (parse_year(r, &year) || app_calendar_year(r->app, year, &out, &r->err))
        return http_error(r, &r->err);
    return http_json(r, 200, out);
}

/* GET /api/v1/calendar/due?from=YYYY-MM-DD&workdays=N */
int api_calendar_due(struct req *r)
{
    long n;
    json_t *out;
    if (!http_query(r, "workdays"))
        return http_errorf(r, ERR_INVALID, "workdays", "缺少 workdays");
    if (http_query_int(r, "workdays", 0, 0, 3650, &n) ||
        app_calendar_due(r->app, http_query(r, "from"), n, &out, &r->err))
        return http_error(r, &r->err);
    return http_json(r, 200, out);
}

static void free_import(void *p)
{
    app_calendar_import_free(p);
}

static int calendar_put_done(struct req *r)
{
    const struct cal_import *ci = r->unit.arg;
    struct err e = {0};
    app_calendar_reload(r->app, &e); /* other nodes follow calendar_rev */
    return http_json(
        r, 200,
        json_pack("{s:i, s:i, s:s, s:i}", "year", app_calendar_import_year(ci),
                  "days", app_calendar_import_days(ci), "source", "imported",
                  "cases_recomputed", app_calendar_import_recomputed(ci)));
}

/* PUT /api/v1/calendar/{year} — body in the shipped file format. */
int api_calendar_put(struct req *r)
{
    int year;
    if (parse_year(r, &year))
        return http_error(r, &r->err);
    struct cal_import *ci =
        app_calendar_parse(r->body_json, year, "api", &r->err);
    if (!ci)
        return http_error(r, &r->err);
    app_calendar_import_by(ci, &r->actor);
    http_on_complete(r, free_import, ci);
    return http_write(r, app_calendar_store_unit, ci, calendar_put_done);
}
