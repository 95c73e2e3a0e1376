/* api_catalogue.c — handlers of the catalogue (/api/v1/items…,
 * /api/v1/base-items…, /api/v1/comments/{id}/reply, /api/v1/catalogue/…).
 * Thin (STYLE.md, habit 9): parse the path and query, one app call, render.
 * Writes are prepared here and run as a store unit with http_write; the
 * answer is rendered after COMMIT. The route gate has checked the route's
 * capability exists somewhere; the app checks it on the item's region.
 * Contract of the use cases: app/app_catalogue.h. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../app/app_catalogue.h"
#include "internal.h"

/* path_num — {x} segment i as a positive integer; else 404. */
static int path_num(struct req *r, int i, const char *what, int64_t *id)
{
    const char *s = http_param(r, i);
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 18 || strspn(s, "0123456789") != n ||
        (*id = strtoll(s, NULL, 10)) <= 0)
        return err_set(&r->err, ERR_NOT_FOUND, NULL, "没有这个%s", what);
    return 0;
}

static int answer(struct req *r, int rc, json_t *out)
{
    if (rc)
        return http_error(r, &r->err);
    return http_json(r, 200, out);
}

/* ---- reads
 * -------------------------------------------------------------------- */

/* GET /api/v1/items?region=&theme=&type=&audience=&mode=&max_visits=&q=
 * &after=&limit= — a search on the polling thread, a browse on a worker. */
int api_item_browse(struct req *r)
{
    /* A search answers here, on the polling thread: it is bounded (at most
     * 500 candidates for a query of at most 32 characters, app_search.c;
     * about 1 ms at 100,000 items). A browse walks the catalogue by id
     * past its filters, which a rare theme can make long: on a worker. */
    const char *qs = http_query(r, "q");
    if ((!qs || !*qs) && !r->slow)
        return http_slow(r, api_item_browse);
    long after, limit, max_visits;
    if (http_query_int(r, "after", 0, 0, 0x7fffffffffffffffL, &after) ||
        http_query_int(r, "limit", APP_CAT_PAGE_DEFAULT, 1, APP_CAT_PAGE_MAX,
                       &limit) ||
        http_query_int(r, "max_visits", -1, 0, 9, &max_visits))
        return http_error(r, &r->err);
    struct item_query q = {
        .region = http_query(r, "region"),
        .theme = http_query(r, "theme"),
        .type = http_query(r, "type"),
        .audience = http_query(r, "audience"),
        .mode = http_query(r, "mode"),
        .max_visits = (int)max_visits,
        .q = http_query(r, "q"),
        .after = after,
        .limit = (int)limit,
    };
    char *text;
    size_t n;
    if (app_item_browse_text(r->app, &q, &text, &n, &r->err))
        return http_error(r, &r->err);
    return http_json_text(r, 200, text, n);
}

/* GET /api/v1/items/{id} */
int api_item_get(struct req *r)
{
    int64_t id;
    json_t *out = NULL;
    if (path_num(r, 0, "事项", &id))
        return http_error(r, &r->err);
    int rc = app_item_get(r->app, &r->actor, id, &out, &r->err);
    return answer(r, rc, out);
}

/* GET /api/v1/items/{id}/versions */
int api_item_versions(struct req *r)
{
    int64_t id;
    json_t *out = NULL;
    if (path_num(r, 0, "事项", &id))
        return http_error(r, &r->err);
    int rc = app_item_versions(r->app, &r->actor, id, &out, &r->err);
    return answer(r, rc, out);
}

/* GET /api/v1/items/{id}/versions/{n} */
int api_item_version(struct req *r)
{
    int64_t id, n;
    json_t *out = NULL;
    if (path_num(r, 0, "事项", &id) || path_num(r, 1, "版本", &n))
        return http_error(r, &r->err);
    if (n > 100000)
        return http_errorf(r, ERR_NOT_FOUND, NULL, "没有这个版本");
    int rc = app_item_version(r->app, &r->actor, id, (int)n, &out, &r->err);
    return answer(r, rc, out);
}

/* GET /api/v1/items/{id}/diff?from=&to= */
int api_item_diff(struct req *r)
{
    int64_t id;
    long from, to;
    json_t *out = NULL;
    if (path_num(r, 0, "事项", &id) ||
        http_query_int(r, "from", 0, 1, 100000, &from) ||
        http_query_int(r, "to", 0, 1, 100000, &to))
        return http_error(r, &r->err);
    int rc =
        app_item_diff(r->app, &r->actor, id, (int)from, (int)to, &out, &r->err);
    return answer(r, rc, out);
}

/* GET /api/v1/items/{id}/events — staff of the item's region. */
int api_item_events(struct req *r)
{
    int64_t id;
    json_t *out = NULL;
    if (path_num(r, 0, "事项", &id))
        return http_error(r, &r->err);
    int rc = app_item_events(r->app, &r->actor, id, &out, &r->err);
    return answer(r, rc, out);
}

/* GET /api/v1/items/{id}/comments */
int api_item_comments(struct req *r)
{
    int64_t id;
    json_t *out = NULL;
    if (path_num(r, 0, "事项", &id))
        return http_error(r, &r->err);
    int rc = app_item_comments(r->app, id, &out, &r->err);
    return answer(r, rc, out);
}

/* GET /api/v1/base-items?q=&parent=&after=&limit= — on a worker. */
int api_base_list(struct req *r)
{
    long after, limit, parent;
    if (http_query_int(r, "after", 0, 0, 0x7fffffffffffffffL, &after) ||
        http_query_int(r, "limit", APP_CAT_PAGE_DEFAULT, 1, APP_CAT_PAGE_MAX,
                       &limit) ||
        http_query_int(r, "parent", 0, -1, 0x7fffffffffffffffL, &parent))
        return http_error(r, &r->err);
    struct base_query q = {.q = http_query(r, "q"),
                           .parent = parent,
                           .after = after,
                           .limit = (int)limit};
    json_t *out = NULL;
    int rc = app_base_list(r->app, &q, &out, &r->err);
    return answer(r, rc, out);
}

/* GET /api/v1/base-items/{id} */
int api_base_get(struct req *r)
{
    int64_t id;
    json_t *out = NULL;
    if (path_num(r, 0, "基本目录事项", &id))
        return http_error(r, &r->err);
    int rc = app_base_get(r->app, id, &out, &r->err);
    return answer(r, rc, out);
}

/* ---- writes
 * ------------------------------------------------------------------- */

static int written(struct req *r, int status)
{
    struct cat_write *w = r->unit.arg;
    struct err e = {0};
    if (app_cat_write_refused(w, &e)) {
        /* Publication refused by the lint: 422 with every finding. */
        json_t *lint = app_cat_write_lint(w);
        json_t *body =
            json_pack("{s:{s:s, s:s, s:s, s:s, s:o}}", "error", "code",
                      err_code_name(e.code), "field", e.field, "message", e.msg,
                      "request_id", r->rid, "lint", lint ? lint : json_null());
        r->err = e;
        return http_json(r, 422, body);
    }
    json_t *out = app_cat_write_take(w);
    return http_json(r, status, out ? out : json_object());
}

static int created(struct req *r)
{
    return written(r, 201);
}

static int changed(struct req *r)
{
    return written(r, 200);
}

static int run(struct req *r, int prep_rc, struct cat_write *w,
               int (*then)(struct req *r))
{
    if (prep_rc)
        return http_error(r, &r->err);
    http_on_complete(r, app_cat_write_free, w);
    return http_write(r, app_cat_write_unit, w, then);
}

/* POST /api/v1/items — an implementation item and its version 1 draft. */
int api_item_create(struct req *r)
{
    struct cat_write *w = NULL;
    int rc = app_item_create_prepare(r->app, &r->actor, r->body_json, r->arena,
                                     &w, &r->err);
    return run(r, rc, w, created);
}

/* PUT /api/v1/items/{id}/draft — replace the guide of the draft. */
int api_item_draft(struct req *r)
{
    int64_t id;
    struct cat_write *w = NULL;
    if (path_num(r, 0, "事项", &id))
        return http_error(r, &r->err);
    int rc = app_item_draft_prepare(r->app, &r->actor, id, r->body_json,
                                    r->arena, &w, &r->err);
    return run(r, rc, w, changed);
}

static int transition(struct req *r, enum cat_action a)
{
    int64_t id;
    struct cat_write *w = NULL;
    if (path_num(r, 0, "事项", &id))
        return http_error(r, &r->err);
    int rc = app_item_transition_prepare(r->app, &r->actor, id, a, r->body_json,
                                         r->arena, &w, &r->err);
    return run(r, rc, w, changed);
}

/* POST /api/v1/items/{id}/{submit|approve|reject|publish|new-version|
 * abolish} — body {"reason"?}. */
int api_item_submit(struct req *r)
{
    return transition(r, CAT_SUBMIT);
}
int api_item_approve(struct req *r)
{
    return transition(r, CAT_APPROVE);
}
int api_item_reject(struct req *r)
{
    return transition(r, CAT_REJECT);
}
int api_item_publish(struct req *r)
{
    return transition(r, CAT_PUBLISH);
}
int api_item_new_version(struct req *r)
{
    return transition(r, CAT_NEW_VERSION);
}
int api_item_abolish(struct req *r)
{
    return transition(r, CAT_ABOLISH);
}

/* POST /api/v1/items/{id}/comments — anyone, during public comment. */
int api_comment_add(struct req *r)
{
    int64_t id;
    struct cat_write *w = NULL;
    if (path_num(r, 0, "事项", &id))
        return http_error(r, &r->err);
    int rc = app_comment_add_prepare(r->app, &r->actor, id, r->body_json,
                                     r->arena, &w, &r->err);
    return run(r, rc, w, created);
}

/* POST /api/v1/comments/{id}/reply */
int api_comment_reply(struct req *r)
{
    int64_t id;
    struct cat_write *w = NULL;
    if (path_num(r, 0, "意见", &id))
        return http_error(r, &r->err);
    int rc = app_comment_reply_prepare(r->app, &r->actor, id, r->body_json,
                                       r->arena, &w, &r->err);
    return run(r, rc, w, changed);
}

/* POST /api/v1/base-items */
int api_base_create(struct req *r)
{
    struct cat_write *w = NULL;
    int rc = app_base_create_prepare(r->app, &r->actor, r->body_json, r->arena,
                                     &w, &r->err);
    return run(r, rc, w, created);
}

/* PATCH /api/v1/base-items/{id} */
int api_base_update(struct req *r)
{
    int64_t id;
    struct cat_write *w = NULL;
    if (path_num(r, 0, "基本目录事项", &id))
        return http_error(r, &r->err);
    int rc = app_base_update_prepare(r->app, &r->actor, id, r->body_json,
                                     r->arena, &w, &r->err);
    return run(r, rc, w, changed);
}

/* POST /api/v1/base-items/{id}/abolish */
int api_base_abolish(struct req *r)
{
    int64_t id;
    struct cat_write *w = NULL;
    if (path_num(r, 0, "基本目录事项", &id))
        return http_error(r, &r->err);
    int rc = app_base_abolish_prepare(r->app, &r->actor, id, r->body_json,
                                      r->arena, &w, &r->err);
    return run(r, rc, w, changed);
}

/* ---- import, export
 * ----------------------------------------------------------- */

/* POST /api/v1/catalogue/import?publish=draft|publish|as_is&name=FILE —
 * the body is the file (JSON model, bianmin CSV or one of the extracts);
 * runs on a worker and waits for the one write unit. */
int api_catalogue_import(struct req *r)
{
    const char *pub = http_query(r, "publish");
    struct cat_import_opts o = {.publish = CAT_IMPORT_DRAFT};
    if (pub && !strcmp(pub, "publish"))
        o.publish = CAT_IMPORT_PUBLISH;
    else if (pub && !strcmp(pub, "as_is"))
        o.publish = CAT_IMPORT_AS_IS;
    else if (pub && strcmp(pub, "draft"))
        return http_errorf(r, ERR_INVALID, "publish",
                           "publish 应为 draft、publish 或 as_is");
    const char *name = http_query(r, "name");
    if (!name || !*name || strlen(name) > 60 || strchr(name, '/'))
        name = "upload";
    const char *ct =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
    if (!ct || (strncasecmp(ct, "application/json", 16) != 0 &&
                strncasecmp(ct, "text/csv", 8) != 0))
        return http_errorf(r, ERR_MEDIA, "Content-Type",
                           "请求体应为 application/json 或 text/csv");
    if (r->body_len == 0)
        return http_errorf(r, ERR_BAD_REQUEST, "", "请求体为空");
    struct cat_import_report rep;
    if (app_catalogue_import_buffer(r->app, &r->actor, name, r->body,
                                    r->body_len, &o, &rep, &r->err))
        return http_error(r, &r->err);
    return http_json(
        r, 200,
        json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}",
                  "format", rep.format ? rep.format : "", "bases_new",
                  rep.bases_new, "bases_updated", rep.bases_updated,
                  "bases_same", rep.bases_same, "items_new", rep.items_new,
                  "items_versioned", rep.items_versioned, "items_same",
                  rep.items_same, "orgs_new", rep.orgs_new, "published",
                  rep.published, "with_lint_errors", rep.with_lint_errors));
}

/* GET /api/v1/catalogue/export?format=json|csv — the published catalogue. */
int api_catalogue_export(struct req *r)
{
    const char *fmt = http_query(r, "format");
    if (fmt && !strcmp(fmt, "csv")) {
        char *text;
        size_t n;
        if (app_catalogue_export_csv(r->app, 1, &text, &n, &r->err))
            return http_error(r, &r->err);
        int rc = http_bytes(r, 200, "text/csv; charset=utf-8", text, n);
        free(text);
        return rc;
    }
    if (fmt && strcmp(fmt, "json"))
        return http_errorf(r, ERR_INVALID, "format", "format 应为 json 或 csv");
    json_t *out = NULL;
    int rc = app_catalogue_export(r->app, 1, &out, &r->err);
    return answer(r, rc, out);
}
