/* api_search.c — the search synonym dictionary for administrators
 * (docs/catalogue.md "Search", app/app_search.h):
 *
 *   GET    /api/v1/synonyms         → 200 {"items": [{"term", "expansions",
 *                                      "updated_at"}…]} by term
 *   PUT    /api/v1/synonyms/{term}  {"expansions": ["…", …]}
 *                                    → 201 (new) or 200 {"term", "expansions"}
 *   DELETE /api/v1/synonyms/{term}  → 204; 404 when absent
 *
 * All three need CAP_SYNONYM_WRITE (checked by the gate and again by the
 * app). They run on a worker (R_SLOW): a write waits for its commit there,
 * and the node's dictionary is reloaded before the answer, so the next
 * search on this node already uses it (other nodes within a second). The
 * public item search itself (GET /api/v1/items?q=…) is the catalogue's
 * route; it calls app_search_items. */
#include <microhttpd.h>
#include <stdio.h>

#include "../app/app_search.h"
#include "internal.h"

static json_t *str_list(const char *const *v, int n)
{
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, json_string(v[i]));
    return arr;
}

/* GET /api/v1/synonyms */
int api_synonym_list(struct req *r)
{
    struct synonym *v;
    int n;
    if (app_synonyms_list(r->app, &r->actor, r->arena, &v, &n, &r->err))
        return http_error(r, &r->err);
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(
            items, json_pack("{s:s, s:o, s:o}", "term", v[i].term,
                             "expansions",
                             str_list(v[i].expansions, v[i].n_expansions),
                             "updated_at",
                             v[i].updated_at
                                 ? json_integer((json_int_t)v[i].updated_at)
                                 : json_null()));
    return http_json(r, 200, json_pack("{s:o}", "items", items));
}

/* PUT /api/v1/synonyms/{term} */
int api_synonym_put(struct req *r)
{
    static const char *const k_keys[] = {"expansions", NULL};
    const char *term = http_param(r, 0);
    if (jbody_only(r, r->body_json, "", k_keys))
        return http_error(r, &r->err);
    json_t *arr = json_object_get(r->body_json, "expansions");
    if (!json_is_array(arr))
        return http_errorf(r, ERR_INVALID, "/expansions",
                           "expansions 应为字符串列表");
    size_t n = json_array_size(arr);
    if (n < 1 || n > SYNONYM_EXPANSIONS_MAX)
        return http_errorf(r, ERR_INVALID, "/expansions",
                           "应给出 1–%d 个规范用语", SYNONYM_EXPANSIONS_MAX);
    const char **exp = arena_new_array(r->arena, const char *, n);
    for (size_t i = 0; i < n; i++) {
        exp[i] = json_string_value(json_array_get(arr, i));
        if (!exp[i]) {
            char ptr[32];
            snprintf(ptr, sizeof ptr, "/expansions/%zu", i);
            return http_errorf(r, ERR_INVALID, ptr, "规范用语应为字符串");
        }
    }
    int created = 0;
    if (app_synonym_put(r->app, &r->actor, term, exp, (int)n, &created,
                        &r->err))
        return http_error(r, &r->err);
    return http_json(r, created ? 201 : 200,
                     json_pack("{s:s, s:o}", "term", term, "expansions",
                               str_list(exp, (int)n)));
}

/* DELETE /api/v1/synonyms/{term} */
int api_synonym_delete(struct req *r)
{
    if (app_synonym_delete(r->app, &r->actor, http_param(r, 0), &r->err))
        return http_error(r, &r->err);
    if (http_bytes(r, 204, "text/plain", "", 0))
        return -1;
    MHD_del_response_header(r->resp, "Content-Type", "text/plain");
    return 0;
}
