/* page_public.c — the public pages: home (search box and themes), search
 * results, the full guide of an item (办事指南), the case progress query,
 * and the static files (style sheet, icon). Each is a thin handler: read
 * the query, call the same app/ use case the API calls (permission and
 * visibility rules stay there), add the zh-CN labels a person reads, and
 * render a template (web.h). Labels are presentation only: the stored and
 * API values stay the stable codes. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../app/app_cases.h"
#include "../app/app_catalogue.h"
#include "../app/embedded.h"
#include "../http/internal.h"
#include "web.h"

/* ---- labels ----------------------------------------------------------- */

struct label {
    const char *code, *title;
};

static const struct label k_modes[] = {
    {"window", "窗口办理"},
    {"online", "网上办理"},
    {"mail", "邮寄办理"},
    {"self_service", "自助终端"},
    {"home_visit", "上门服务"},
    {"appointment", "预约办理"},
    {"agent", "代办帮办"},
    {"same_city", "同城通办"},
    {NULL, NULL},
};
static const struct label k_needs[] = {
    {"required", "必交"}, {"conditional", "视情形提交"}, {NULL, NULL}};
static const struct label k_sources[] = {
    {"applicant", "申请人提交"},
    {"licence", "电子证照调取，免提交"},
    {"shared_data", "部门共享数据核验，免提交"},
    {"commitment", "告知承诺，签署承诺书即可"},
    {"proof", "有关单位出具的证明"},
    {NULL, NULL},
};
static const struct label k_forms[] = {{"paper", "纸质"},
                                       {"electronic", "电子"},
                                       {"both", "纸质或电子"},
                                       {NULL, NULL}};
static const struct label k_kinds[] = {
    {"immediate", "即办件（当场办结）"}, {"committed", "承诺件"}, {NULL, NULL}};
static const struct label k_roles[] = {{"clerk", "窗口受理"},
                                       {"reviewer", "审查"},
                                       {"decider", "决定"},
                                       {NULL, NULL}};
static const struct label k_levels[] = {
    {"green", "正常"},
    {"yellow", "临近时限（黄牌预警）"},
    {"red", "即将或已经超过时限（红牌预警）"},
    {NULL, NULL}};
static const struct label k_decisions[] = {
    {"grant", "准予"}, {"deny", "不予"}, {"refused", "不予受理"}, {NULL, NULL}};

static const char *label(const struct label *t, const char *code)
{
    for (; code && t->code; t++)
        if (strcmp(t->code, code) == 0)
            return t->title;
    return code ? code : "";
}

/* Set obj[key "_title"] from obj[key] by table t (when obj[key] is text). */
static void add_title(json_t *obj, const char *key, const char *title_key,
                      const struct label *t)
{
    const char *v = json_string_value(json_object_get(obj, key));
    if (v)
        json_object_set_new(obj, title_key, json_string(label(t, v)));
}

/* ["window", …] → ["窗口办理", …] */
static json_t *titles(const json_t *codes, const struct label *t)
{
    json_t *out = json_array();
    size_t i;
    const json_t *v;
    json_array_foreach(codes, i, v)
    {
        if (json_is_string(v))
            json_array_append_new(out,
                                  json_string(label(t, json_string_value(v))));
    }
    return out;
}

/* A text or a list of texts as one text joined by "、"; NULL otherwise. */
static json_t *joined(const json_t *v)
{
    if (json_is_string(v))
        return json_string(json_string_value(v));
    if (!json_is_array(v) || json_array_size(v) == 0)
        return NULL;
    size_t n = 0, i;
    const json_t *x;
    json_array_foreach(v, i, x) n += json_string_length(x) + 3;
    char *buf = malloc(n + 1), *p = buf;
    *p = '\0';
    json_array_foreach(v, i, x)
    {
        if (!json_is_string(x))
            continue;
        if (p != buf) {
            memcpy(p, "、", 3);
            p += 3;
        }
        memcpy(p, json_string_value(x), json_string_length(x));
        p += json_string_length(x);
        *p = '\0';
    }
    json_t *out = json_string(buf);
    free(buf);
    return out;
}

/* "2026-11-23T19:22:26Z" (UTC) → "2026-11-24 03:22" (Beijing time). */
static json_t *local_time(const char *iso)
{
    struct tm tm = {0};
    if (!iso || sscanf(iso, "%4d-%2d-%2dT%2d:%2d", &tm.tm_year, &tm.tm_mon,
                       &tm.tm_mday, &tm.tm_hour, &tm.tm_min) != 5)
        return json_string(iso ? iso : "");
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm) + 8 * 3600;
    struct tm bj;
    gmtime_r(&t, &bj);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &bj);
    return json_string(buf);
}

/* ---- pages ------------------------------------------------------------ */

/* GET / — the search box and the themes. */
int page_home(struct req *r)
{
    return web_page(r, 200, "home",
                    json_pack("{s:s, s:s, s:o}", "title", "首页", "q", "",
                              "themes", app_cat_themes()));
}

/* One search hit or browse row, with the labels a person reads. */
static void decorate_summary(json_t *it)
{
    json_object_set_new(it, "mode_titles",
                        titles(json_object_get(it, "modes"), k_modes));
}

/* GET /search?q=&theme=&after= — the same search as GET /api/v1/items
 * (app_item_browse → app_search_items); worker thread (R_SLOW). */
int page_search(struct req *r)
{
    const char *q = http_query(r, "q");
    const char *theme = http_query(r, "theme");
    long after;
    if (http_query_int(r, "after", 0, 0, 10000, &after))
        return http_error(r, &r->err);
    if (q && strlen(q) > 200)
        return http_errorf(r, ERR_INVALID, "q",
                           "搜索词过长，请精简到 200 字节以内");
    const char *theme_title = "";
    json_t *themes = app_cat_themes();
    size_t i;
    json_t *t;
    json_array_foreach(themes, i, t)
    {
        if (theme &&
            !strcmp(theme, json_string_value(json_object_get(t, "name"))))
            theme_title = json_string_value(json_object_get(t, "title"));
    }
    json_t *ctx = json_pack("{s:s, s:s, s:s, s:o}", "q", q ? q : "", "theme",
                            theme ? theme : "", "theme_title", theme_title,
                            "themes", themes);
    int asked = (q && *q) || (theme && *theme);
    json_object_set_new(ctx, "asked", json_boolean(asked));
    json_object_set_new(ctx, "title",
                        json_string(*theme_title ? theme_title : "搜索事项"));
    if (!asked)
        return web_page(r, 200, "search", ctx);
    struct item_query iq = {
        .q = q, .theme = theme, .max_visits = -1, .after = after, .limit = 20};
    json_t *out = NULL;
    struct err e = {0};
    if (app_item_browse(r->app, &iq, &out, &e)) {
        json_decref(ctx);
        return http_error(r, &e);
    }
    json_t *items = json_object_get(out, "items");
    json_array_foreach(items, i, t) decorate_summary(t);
    json_object_set(ctx, "items", items);
    json_object_set_new(ctx, "count",
                        json_integer((json_int_t)json_array_size(items)));
    json_object_set(ctx, "suggested",
                    json_object_get(out, "suggested")
                        ? json_object_get(out, "suggested")
                        : json_false());
    json_object_set(ctx, "next_after", json_object_get(out, "next_after"));
    json_decref(out);
    return web_page(r, 200, "search", ctx);
}

/* GET /items/{code} — the full guide of the published version (staff who
 * may edit the item see the latest version, as in the API). */
int page_item(struct req *r)
{
    json_t *it = NULL;
    struct err e = {0};
    if (app_item_get_by_code(r->app, &r->actor, http_param(r, 0), &it, &e))
        return http_error(r, &e);
    decorate_summary(it);
    json_t *g = json_object_get(it, "guide");
    if (json_is_object(g)) {
        add_title(g, "kind", "kind_title", k_kinds);
        json_object_set_new(g, "mode_titles",
                            titles(json_object_get(g, "modes"), k_modes));
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(g, "materials"), i, m)
        {
            add_title(m, "need", "need_title", k_needs);
            add_title(m, "source", "source_title", k_sources);
            add_title(m, "form", "form_title", k_forms);
            json_t *f = joined(json_object_get(m, "fields"));
            if (f)
                json_object_set_new(m, "fields_text", f);
        }
        json_array_foreach(json_object_get(g, "steps"), i, m)
            add_title(m, "role", "role_title", k_roles);
    }
    const char *title = json_string_value(json_object_get(it, "name"));
    return web_page(r, 200, "item",
                    json_pack("{s:s, s:o}", "title", title ? title : "办事指南",
                              "item", it));
}

/* GET /progress?no=&code= — the public progress query: app_case_progress,
 * as GET /api/v1/progress/{no}: masked, a wrong code answers exactly as a
 * missing case, misses are counted and throttled (429). Worker thread: the
 * use case may write its throttle counters. */
int page_progress(struct req *r)
{
    const char *no = http_query(r, "no");
    const char *code = http_query(r, "code");
    json_t *ctx =
        json_pack("{s:s, s:s}", "title", "办件进度查询", "no", no ? no : "");
    if (!no || !*no)
        return web_page(r, 200, "progress", ctx);
    if (strlen(no) > 64 || (code && strlen(code) > 64)) {
        json_decref(ctx);
        return http_errorf(r, ERR_INVALID, "no", "办件编号或查询码过长");
    }
    char ip[64];
    http_client_ip(r, ip, sizeof ip);
    json_t *p = NULL;
    struct err e = {0};
    if (app_case_progress(r->app, no, code ? code : "", ip, &p, &e)) {
        /* The same page for every refusal of the same kind: the message
         * is the use case's, and nothing tells a wrong code from a
         * missing number. */
        json_object_set_new(ctx, "error", json_string(e.msg));
        json_object_set_new(ctx, "error_code",
                            json_string(err_code_name(e.code)));
        r->err = e;
        return web_page(r, http_status_of(e.code), "progress", ctx);
    }
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(p, "timeline"), i, t)
        json_object_set_new(
            t, "at_local",
            local_time(json_string_value(json_object_get(t, "at"))));
    json_object_set_new(
        p, "submitted_local",
        local_time(json_string_value(json_object_get(p, "submitted_at"))));
    add_title(p, "level", "level_title", k_levels);
    json_t *res = json_object_get(p, "result");
    if (json_is_object(res))
        add_title(res, "decision", "decision_title", k_decisions);
    json_object_set_new(ctx, "p", p);
    return web_page(r, 200, "progress", ctx);
}

/* ---- static files ----------------------------------------------------- */

#define STATIC_DIR "src/web/static/"

/* GET /static/{name} — an embedded file with a strong ETag. */
int page_static(struct req *r)
{
    const char *name = http_param(r, 0);
    size_t n = name ? strlen(name) : 0;
    char path[128];
    if (n == 0 || n > 64 || name[0] == '.' ||
        strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-") != n)
        return http_errorf(r, ERR_NOT_FOUND, "", "没有这个文件");
    snprintf(path, sizeof path, STATIC_DIR "%s", name);
    const struct embedded_file *f = embedded_find(path);
    if (!f)
        return http_errorf(r, ERR_NOT_FOUND, "", "没有这个文件");
    const char *dot = strrchr(name, '.');
    const char *ctype = !dot                   ? "application/octet-stream"
                        : !strcmp(dot, ".css") ? "text/css; charset=utf-8"
                        : !strcmp(dot, ".svg") ? "image/svg+xml"
                                               : "application/octet-stream";
    /* FNV-1a of the bytes: the file changes only with the binary. */
    unsigned long long h = 1469598103934665603ULL;
    for (size_t i = 0; i < f->size; i++)
        h = (h ^ (unsigned char)f->data[i]) * 1099511628211ULL;
    char etag[40];
    snprintf(etag, sizeof etag, "\"%016llx\"", h);
    return http_cached(r, ctype, f->data, f->size, etag,
                       "public, max-age=3600");
}
