/* routes.c — the route table, and the one gate every request passes before
 * its handler (STYLE.md: routes are data; the gate is central). Adding a
 * route: a line here, the handler in api_*.c, and the path in
 * docs/openapi.yaml (a test compares the two). A web page: a line flagged
 * R_PAGE and its page_* handler in src/web (not in the OpenAPI document;
 * `bianmin routes` marks it "page"). */
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../app/accounts.h"
#include "../core/urlenc.h"
#include "../core/utf8.h"
#include "../web/web.h"
#include "internal.h"

/* clang-format off */
const struct route http_routes[] = {
/* method    pattern                           handler               capability          flags */
{"GET",    "/healthz",                        api_healthz,          CAP_NONE,           R_PUBLIC, "存活检查"},
{"GET",    "/api/openapi.yaml",               api_openapi,          CAP_NONE,           R_PUBLIC, "OpenAPI 文档"},
{"GET",    "/api/v1/regions",                 api_region_search,    CAP_NONE,           R_PUBLIC | R_SLOW, "按名称查找区划"},
{"GET",    "/api/v1/regions/{code}",          api_region_get,       CAP_NONE,           R_PUBLIC, "区划及其上级"},
{"GET",    "/api/v1/regions/{code}/children", api_region_children,  CAP_NONE,           R_PUBLIC, "下级区划"},
{"GET",    "/api/v1/calendar/due",            api_calendar_due,     CAP_NONE,           R_PUBLIC, "按工作日计算到期日"},
{"GET",    "/api/v1/calendar/{year}",         api_calendar_year,    CAP_NONE,           R_PUBLIC, "某年节假日与调休"},
{"PUT",    "/api/v1/calendar/{year}",         api_calendar_put,     CAP_CALENDAR_WRITE, R_JSON, "导入某年节假日"},
{"GET",    "/api/v1/orgs",                    api_org_list,         CAP_NONE,           R_PUBLIC | R_SLOW, "机构列表"},
{"POST",   "/api/v1/orgs",                    api_org_create,       CAP_ORG_WRITE,      R_JSON, "新建机构"},
{"GET",    "/api/v1/orgs/{id}",               api_org_get,          CAP_NONE,           R_PUBLIC, "机构详情（含大厅与窗口）"},
{"PATCH",  "/api/v1/orgs/{id}",               api_org_update,       CAP_ORG_WRITE,      R_JSON, "修改机构"},
{"DELETE", "/api/v1/orgs/{id}",               api_org_delete,       CAP_ORG_WRITE,      0, "删除机构"},
{"POST",   "/api/v1/orgs/{id}/halls",         api_hall_create,      CAP_ORG_WRITE,      R_JSON, "新建大厅"},
{"PATCH",  "/api/v1/halls/{id}",              api_hall_update,      CAP_ORG_WRITE,      R_JSON, "修改大厅"},
{"DELETE", "/api/v1/halls/{id}",              api_hall_delete,      CAP_ORG_WRITE,      0, "删除大厅"},
{"POST",   "/api/v1/halls/{id}/windows",      api_window_create,    CAP_ORG_WRITE,      R_JSON, "新建窗口"},
{"PATCH",  "/api/v1/windows/{id}",            api_window_update,    CAP_ORG_WRITE,      R_JSON, "修改窗口"},
{"DELETE", "/api/v1/windows/{id}",            api_window_delete,    CAP_ORG_WRITE,      0, "删除窗口"},
{"POST",   "/api/v1/sessions",                api_session_create,   CAP_NONE,           R_PUBLIC | R_JSON | R_SLOW, "登录"},
{"DELETE", "/api/v1/sessions/current",        api_session_delete,   CAP_SIGNED_IN,      0, "退出登录"},
{"GET",    "/api/v1/sessions/current",        api_session_get,      CAP_SIGNED_IN,      0, "当前会话（有效期与 CSRF 令牌）"},
{"POST",   "/api/v1/register",                api_register,         CAP_NONE,           R_PUBLIC | R_JSON | R_SLOW, "群众或企业实名注册账号"},
{"GET",    "/api/v1/me",                      api_me,               CAP_SIGNED_IN,      0, "当前用户"},
{"POST",   "/api/v1/me/password",             api_password_change,  CAP_SIGNED_IN,      R_JSON | R_SLOW, "修改本人密码（其他会话失效）"},
{"GET",    "/api/v1/audit",                   api_audit_list,       CAP_AUDIT_READ,     R_SLOW, "查询审计日志"},
{"GET",    "/api/v1/synonyms",                api_synonym_list,     CAP_SYNONYM_WRITE,  R_SLOW, "搜索同义词列表"},
{"PUT",    "/api/v1/synonyms/{term}",         api_synonym_put,      CAP_SYNONYM_WRITE,  R_JSON | R_SLOW, "新增或修改搜索同义词"},
{"DELETE", "/api/v1/synonyms/{term}",         api_synonym_delete,   CAP_SYNONYM_WRITE,  R_SLOW, "删除搜索同义词"},
{"GET",    "/api/v1/items",                   api_item_browse,      CAP_NONE,           R_PUBLIC,          "浏览与搜索已发布事项"},
{"POST",   "/api/v1/items",                   api_item_create,      CAP_CATALOGUE_EDIT, R_JSON, "新建实施清单事项（第1版草稿）"},
{"GET",    "/api/v1/items/{id}",              api_item_get,         CAP_NONE,           R_PUBLIC, "事项详情与办事指南"},
{"PUT",    "/api/v1/items/{id}/draft",        api_item_draft,       CAP_CATALOGUE_EDIT, R_JSON, "修改草稿的办事指南"},
{"POST",   "/api/v1/items/{id}/submit",       api_item_submit,      CAP_CATALOGUE_EDIT, R_JSON, "提交合法性审查"},
{"POST",   "/api/v1/items/{id}/approve",      api_item_approve,     CAP_CATALOGUE_REVIEW, R_JSON, "审查通过，进入征求意见"},
{"POST",   "/api/v1/items/{id}/reject",       api_item_reject,      CAP_CATALOGUE_REVIEW, R_JSON, "退回修改"},
{"POST",   "/api/v1/items/{id}/publish",      api_item_publish,     CAP_CATALOGUE_REVIEW, R_JSON, "发布"},
{"POST",   "/api/v1/items/{id}/new-version",  api_item_new_version, CAP_CATALOGUE_EDIT, R_JSON, "以已发布版本为底新建版本"},
{"POST",   "/api/v1/items/{id}/abolish",      api_item_abolish,     CAP_CATALOGUE_REVIEW, R_JSON, "废止"},
{"GET",    "/api/v1/items/{id}/versions",     api_item_versions,    CAP_NONE,           R_PUBLIC, "事项的版本列表"},
{"GET",    "/api/v1/items/{id}/versions/{n}", api_item_version,     CAP_NONE,           R_PUBLIC, "事项的某一版本"},
{"GET",    "/api/v1/items/{id}/diff",         api_item_diff,        CAP_NONE,           R_PUBLIC, "两个版本的差异"},
{"GET",    "/api/v1/items/{id}/events",       api_item_events,      CAP_SIGNED_IN,      0, "事项的变更记录"},
{"GET",    "/api/v1/items/{id}/comments",     api_item_comments,    CAP_NONE,           R_PUBLIC, "征求意见及答复"},
{"POST",   "/api/v1/items/{id}/comments",     api_comment_add,      CAP_NONE,           R_PUBLIC | R_JSON, "提交意见"},
{"POST",   "/api/v1/comments/{id}/reply",     api_comment_reply,    CAP_CATALOGUE_EDIT, R_JSON, "答复意见"},
{"GET",    "/api/v1/base-items",              api_base_list,        CAP_NONE,           R_PUBLIC | R_SLOW, "基本目录事项列表"},
{"POST",   "/api/v1/base-items",              api_base_create,      CAP_CATALOGUE_EDIT, R_JSON, "新建基本目录事项"},
{"GET",    "/api/v1/base-items/{id}",         api_base_get,         CAP_NONE,           R_PUBLIC, "基本目录事项详情与历史"},
{"PATCH",  "/api/v1/base-items/{id}",         api_base_update,      CAP_CATALOGUE_EDIT, R_JSON, "修改基本目录事项"},
{"POST",   "/api/v1/base-items/{id}/abolish", api_base_abolish,     CAP_CATALOGUE_EDIT, R_JSON, "废止基本目录事项"},
{"POST",   "/api/v1/catalogue/import",        api_catalogue_import, CAP_CATALOGUE_IMPORT, R_SLOW, "导入事项清单文件"},
{"GET",    "/api/v1/catalogue/export",        api_catalogue_export, CAP_NONE,           R_PUBLIC | R_SLOW, "导出已发布的事项清单"},
{"POST",   "/api/v1/files",                   api_file_upload,      CAP_SIGNED_IN,      R_SLOW, "上传材料文件（按内容寻址保存）"},
{"POST",   "/api/v1/cases",                   api_case_submit,      CAP_SIGNED_IN,      R_JSON | R_SLOW, "提交办件申请"},
{"GET",    "/api/v1/cases",                   api_case_list,        CAP_CASE_READ,      R_SLOW, "办件列表"},
{"GET",    "/api/v1/cases/{no}",              api_case_get,         CAP_CASE_READ,      0, "办件详情"},
{"POST",   "/api/v1/cases/{no}/notice",       api_case_notice,      CAP_CASE_INTAKE,    R_JSON, "一次性告知补正材料"},
{"POST",   "/api/v1/cases/{no}/supply",       api_case_supply,      CAP_SIGNED_IN,      R_JSON, "补正材料"},
{"POST",   "/api/v1/cases/{no}/accept",       api_case_accept,      CAP_CASE_INTAKE,    R_JSON, "受理（即办件当场办结）"},
{"POST",   "/api/v1/cases/{no}/refuse",       api_case_refuse,      CAP_CASE_INTAKE,    R_JSON, "不予受理"},
{"POST",   "/api/v1/cases/{no}/dispatch",     api_case_dispatch,    CAP_CASE_HANDLE,    R_JSON, "并联环节分送各部门"},
{"POST",   "/api/v1/cases/{no}/answer",       api_case_answer,      CAP_CASE_HANDLE,    R_JSON, "部门答复并联环节"},
{"POST",   "/api/v1/cases/{no}/step",         api_case_step,        CAP_CASE_HANDLE,    R_JSON, "完成当前办理环节"},
{"POST",   "/api/v1/cases/{no}/pause",        api_case_pause,       CAP_CASE_HANDLE,    R_JSON, "暂停计时（补正、特别程序）"},
{"POST",   "/api/v1/cases/{no}/resume",       api_case_resume,      CAP_CASE_HANDLE,    R_JSON, "恢复计时"},
{"POST",   "/api/v1/cases/{no}/decide",       api_case_decide,      CAP_CASE_HANDLE,    R_JSON, "作出决定（准予或不予）"},
{"POST",   "/api/v1/cases/{no}/deliver",      api_case_deliver,     CAP_CASE_INTAKE,    R_JSON, "送达办理结果"},
{"POST",   "/api/v1/cases/{no}/close",        api_case_close,       CAP_CASE_INTAKE,    R_JSON, "办结"},
{"POST",   "/api/v1/cases/{no}/withdraw",     api_case_withdraw,    CAP_SIGNED_IN,      R_JSON, "撤回申请"},
{"POST",   "/api/v1/cases/{no}/fee",          api_case_fee,         CAP_CASE_INTAKE,    R_JSON, "登记收费及票据号"},
{"GET",    "/api/v1/cases/{no}/notices",      api_case_notices,     CAP_CASE_READ,      0, "办件文书"},
{"GET",    "/api/v1/cases/{no}/notices/{kind}", api_case_notice_get, CAP_CASE_READ,     0, "办件的某一文书"},
{"GET",    "/api/v1/progress/{no}",           api_case_progress,    CAP_NONE,           R_PUBLIC | R_SLOW, "凭办件编号和查询码查询办理进度"},
{"GET",    "/api/v1/case-warnings",           api_case_warnings,    CAP_CASE_WARNINGS,  R_SLOW, "办件时限预警"},
{"GET",    "/api/v1/proofs",                  api_proof_list,       CAP_NONE,           R_PUBLIC | R_SLOW, "证明事项清单"},
{"GET",    "/api/v1/proofs/{name}",           api_proof_get,        CAP_NONE,           R_PUBLIC | R_SLOW, "一项证明事项"},
{"PUT",    "/api/v1/proofs/{name}",           api_proof_put,        CAP_PROOF_WRITE,    R_JSON | R_SLOW, "新增或修改证明事项"},
{"GET",    "/api/v1/datasets",                api_dataset_list,     CAP_NONE,           R_PUBLIC | R_SLOW, "政务数据资源目录"},
{"GET",    "/api/v1/datasets/{name}",         api_dataset_get,      CAP_NONE,           R_PUBLIC | R_SLOW, "一个共享数据集"},
{"PUT",    "/api/v1/datasets/{name}",         api_dataset_put,      CAP_PROOF_WRITE,    R_JSON | R_SLOW, "新增或修改共享数据集"},
{"POST",   "/api/v1/datasets/{name}/records", api_dataset_records,  CAP_PROOF_WRITE,    R_SLOW, "导入共享数据记录（CSV）"},
{"POST",   "/api/v1/datasets/{name}/lookup",  api_dataset_lookup,   CAP_EVIDENCE_READ,  R_JSON | R_SLOW, "调取共享数据（留痕）"},
{"GET",    "/api/v1/sharing-log",             api_sharing_log,      CAP_AUDIT_READ,     R_SLOW, "数据共享调取日志"},
{"GET",    "/api/v1/licences",                api_licence_find,     CAP_EVIDENCE_READ,  R_SLOW, "按持证人查询电子证照"},
{"POST",   "/api/v1/licences/import",         api_licence_import,   CAP_PROOF_WRITE,    R_JSON | R_SLOW, "导入电子证照"},
{"GET",    "/api/v1/licences/{number}",       api_licence_get,      CAP_EVIDENCE_READ,  R_SLOW, "一个电子证照（校验防篡改哈希）"},
{"POST",   "/api/v1/licences/{number}/revoke", api_licence_revoke,  CAP_PROOF_WRITE,    R_JSON | R_SLOW, "注销电子证照"},
{"POST",   "/api/v1/commitments",             api_commitment_add,   CAP_EVIDENCE_READ,  R_JSON | R_SLOW, "记录告知承诺"},
{"GET",    "/api/v1/commitments",             api_commitment_list,  CAP_PROOF_WRITE,    R_SLOW, "告知承诺与核查"},
{"POST",   "/api/v1/commitments/draws",       api_commitment_draw,  CAP_PROOF_WRITE,    R_JSON | R_SLOW, "抽取事后核查样本"},
{"POST",   "/api/v1/commitments/{id}/outcome", api_commitment_outcome, CAP_PROOF_WRITE, R_JSON | R_SLOW, "记录核查结果"},
{"GET",    "/api/v1/dishonesty",              api_dishonesty,       CAP_PROOF_WRITE,    R_SLOW, "虚假承诺记录"},
{"GET",    "/api/v1/proof-audit",             api_proof_audit,      CAP_PROOF_WRITE,    R_SLOW, "证明事项清理分析报告"},
{"GET",    "/api/v1/proof-audit/summary",     api_proof_summary,    CAP_NONE,           R_PUBLIC | R_SLOW, "证明事项清理结果公示"},
/* Web pages (src/web, R_PAGE): HTML answers, not in docs/openapi.yaml. */
{"GET",    "/",                               page_home,            CAP_NONE,           R_PUBLIC | R_PAGE, "首页"},
{"GET",    "/search",                         page_search,          CAP_NONE,           R_PUBLIC | R_PAGE | R_SLOW, "搜索事项"},
{"GET",    "/items/{code}",                   page_item,            CAP_NONE,           R_PUBLIC | R_PAGE, "办事指南"},
{"GET",    "/progress",                       page_progress,        CAP_NONE,           R_PUBLIC | R_PAGE | R_SLOW, "办件进度查询"},
{"GET",    "/login",                          page_login_form,      CAP_NONE,           R_PUBLIC | R_PAGE, "登录页面"},
{"POST",   "/login",                          page_login,           CAP_NONE,           R_PUBLIC | R_PAGE | R_SLOW, "登录（表单）"},
{"POST",   "/logout",                         page_logout,          CAP_NONE,           R_PUBLIC | R_PAGE, "退出登录（表单）"},
{"GET",    "/static/{name}",                  page_static,          CAP_NONE,           R_PUBLIC | R_PAGE, "样式表与图标"},
{NULL, NULL, NULL, CAP_NONE, 0, NULL},
};
/* clang-format on */

int http_routes_check(struct err *e)
{
    for (const struct route *rt = http_routes; rt->method; rt++) {
        int pub = (rt->flags & R_PUBLIC) != 0;
        if (pub != (rt->cap == CAP_NONE))
            return err_set(e, ERR_INTERNAL, NULL,
                           "路由 %s %s 的权限设置不一致", rt->method,
                           rt->pattern);
        if (rt->pattern[0] != '/')
            return err_set(e, ERR_INTERNAL, NULL, "路由 %s 格式错误",
                           rt->pattern);
        /* Before a route is known, errors under /api/ are JSON. */
        if ((rt->flags & R_PAGE) && strncmp(rt->pattern, "/api/", 5) == 0)
            return err_set(e, ERR_INTERNAL, NULL, "路由 %s：页面不能在 /api/ 下",
                           rt->pattern);
    }
    return 0;
}

/* Match path against pattern; fill params (arena copies). */
static int match(struct req *r, const char *pattern, const char *path,
                 int fill)
{
    const char *p = pattern, *u = path;
    int n = 0;
    while (*p && *u) {
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            const char *ue = strchr(u, '/');
            if (!ue)
                ue = u + strlen(u);
            if (ue == u || n >= HTTP_MAX_PARAMS)
                return 0;
            if (fill)
                r->params[n] = arena_strndup(r->arena, u, (size_t)(ue - u));
            n++;
            p = pe + 1;
            u = ue;
            continue;
        }
        if (*p != *u)
            return 0;
        p++;
        u++;
    }
    if (*p || *u)
        return 0;
    if (fill)
        r->n_params = n;
    return 1;
}

struct utf8_scan {
    int bad;
    char name[64];
};

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind,
                                 const char *key, const char *value)
{
    struct utf8_scan *s = cls;
    if (!utf8_valid(key, strlen(key)) ||
        (value && !utf8_valid(value, strlen(value)))) {
        s->bad = 1;
        snprintf(s->name, sizeof s->name, "%s",
                 utf8_valid(key, strlen(key)) ? key : "?");
        return MHD_NO;
    }
    return MHD_YES;
}

static enum MHD_Result sum_header(void *cls, enum MHD_ValueKind kind,
                                  const char *key, const char *value)
{
    size_t *n = cls;
    *n += strlen(key) + (value ? strlen(value) : 0) + 4;
    return MHD_YES;
}

/* Who is asking: a bearer token (the API) or else the bm_session cookie
 * (pages). A bad bearer token is an error; a stale cookie is no
 * credential at all (the request goes on anonymously, and a route that
 * needs sign-in answers 401), so public pages keep working with it. */
static int authenticate(struct req *r)
{
    const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                                "Authorization");
    if (h) {
        if (strncasecmp(h, "Bearer ", 7) != 0)
            return err_set(&r->err, ERR_UNAUTHORIZED, "Authorization",
                           "仅支持 Bearer 令牌");
        if (app_session_actor(r->app, h + 7, &r->actor, &r->err))
            return -1;
        r->cred_token = h + 7;
        return 0;
    }
    const char *c =
        MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "bm_session");
    if (!c || !*c)
        return 0;
    struct err e = {0};
    if (app_session_actor(r->app, c, &r->actor, &e) == 0) {
        r->cred_token = c;
        r->cred_cookie = 1;
        return 0;
    }
    if (e.code == ERR_UNAUTHORIZED)
        return 0;
    r->err = e;
    return -1;
}

int http_form_value(const char *body, size_t n, const char *name, char *out,
                    size_t outn)
{
    size_t name_len = strlen(name);
    if (!body || outn == 0)
        return -1;
    out[0] = '\0';
    const char *p = body, *end = body + n;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *pe = amp ? amp : end;
        if ((size_t)(pe - p) > name_len && memcmp(p, name, name_len) == 0 &&
            p[name_len] == '=') {
            const char *v = p + name_len + 1;
            size_t vn = (size_t)(pe - v);
            if (vn + 1 > outn) /* longer than any value we look for */
                return -1;
            return urlenc_decode(v, vn, out) < 0 ? -1 : 0;
        }
        p = pe + 1;
    }
    return -1;
}

/* The _csrf field of an application/x-www-form-urlencoded body (page
 * forms); 0 when found. */
static int form_csrf(const struct req *r, char *out, size_t n)
{
    const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                                 "Content-Type");
    if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0)
        return -1;
    return http_form_value(r->body, r->body_len, "_csrf", out, n);
}

/* The CSRF rule (app/accounts.h): a write signed in by the session cookie
 * carries the session's token in X-CSRF-Token or the form field _csrf. */
static int csrf_ok(struct req *r)
{
    if (!r->cred_cookie || strcmp(r->method, "GET") == 0 ||
        strcmp(r->method, "OPTIONS") == 0)
        return 1;
    const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                                "X-CSRF-Token");
    char form[64];
    if (!h && form_csrf(r, form, sizeof form) == 0)
        h = form;
    return app_csrf_check(r->cred_token, h);
}

static int check_json_body(struct req *r)
{
    const struct server_opts *o = server_opts_of(r->srv);
    const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                                 "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
        (ct[16] && ct[16] != ';' && ct[16] != ' '))
        return err_set(&r->err, ERR_MEDIA, "Content-Type",
                       "请求体应为 application/json");
    struct json_limits lim = {.max_depth = o->max_json_depth,
                              .max_string = o->max_string,
                              .max_list = o->max_list};
    return json_body_parse(r->body, r->body_len, &lim, &r->body_json,
                           &r->err);
}

int http_dispatch(struct req *r)
{
    const struct server_opts *o = server_opts_of(r->srv);
    const struct route *hit = NULL;
    int path_known = 0;
    char allow[128] = "";
    for (const struct route *rt = http_routes; rt->method; rt++) {
        if (!match(r, rt->pattern, r->path, 0))
            continue;
        path_known = 1;
        if (strcmp(rt->method, r->method) == 0) {
            hit = rt;
            break;
        }
        if (strlen(allow) + strlen(rt->method) + 3 < sizeof allow) {
            if (allow[0])
                strcat(allow, ", ");
            strcat(allow, rt->method);
        }
    }
    if (!utf8_valid(r->path, strlen(r->path)))
        return http_errorf(r, ERR_BAD_REQUEST, "", "路径不是有效的 UTF-8");
    if (!hit && !path_known)
        return http_errorf(r, ERR_NOT_FOUND, "", "没有这个地址：%s", r->path);
    if (!hit) {
        http_errorf(r, ERR_METHOD, "", "此地址不支持 %s 方法", r->method);
        MHD_add_response_header(r->resp, "Allow", allow);
        return 0;
    }
    r->route = hit;
    match(r, hit->pattern, r->path, 1);

    size_t header_bytes = 0;
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, sum_header,
                              &header_bytes);
    if (header_bytes > o->max_header) {
        http_errorf(r, ERR_TOO_LARGE, "", "请求头超过 %zu 字节的上限",
                    o->max_header);
        r->status = 431;
        return 0;
    }
    struct utf8_scan scan = {0};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, check_arg,
                              &scan);
    if (scan.bad)
        return http_errorf(r, ERR_BAD_REQUEST, scan.name,
                           "查询参数不是有效的 UTF-8");
    if (r->body_over)
        return http_errorf(r, ERR_TOO_LARGE, "", "请求体超过 %zu 字节的上限",
                           o->max_body);
    if (authenticate(r))
        return http_error(r, &r->err);
    /* From where, for the audit log (authenticate rewrote the actor). */
    http_client_ip(r, r->actor.ip, sizeof r->actor.ip);
    snprintf(r->actor.rid, sizeof r->actor.rid, "%s", r->rid);
    if (!csrf_ok(r)) {
        /* A public route needs nobody's identity: it goes on anonymously
         * (a sign-in form posted by someone signed in already). Any other
         * route refuses: the cookie may have been sent by another site. */
        if (!(hit->flags & R_PUBLIC))
            return http_errorf(r, ERR_CSRF, "X-CSRF-Token",
                               "缺少或无效的 CSRF 令牌，请刷新页面后重试");
        struct actor anon = {0};
        memcpy(anon.ip, r->actor.ip, sizeof anon.ip);
        memcpy(anon.rid, r->actor.rid, sizeof anon.rid);
        r->actor = anon;
        r->cred_token = NULL;
        r->cred_cookie = 0;
    }
    if (!actor_can(&r->actor, hit->cap, NULL)) {
        if (r->actor.user_id == 0)
            return http_errorf(r, ERR_UNAUTHORIZED, "", "请先登录");
        return http_errorf(r, ERR_FORBIDDEN, "", "无权执行此操作");
    }
    if ((hit->flags & R_JSON) && check_json_body(r))
        return http_error(r, &r->err);
    if (hit->flags & R_SLOW) {
        r->slow = hit->handler;
        return HTTP_DEFER_SLOW;
    }
    int rc = hit->handler(r);
    if (rc == HTTP_DEFER || rc == HTTP_DEFER_SLOW)
        return rc;
    if (rc != 0 && !r->resp)
        return http_error(r, &r->err);
    return 0;
}
