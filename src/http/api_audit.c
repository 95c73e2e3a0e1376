/* api_audit.c — the audit log for supervisors.
 *
 *   GET /api/v1/audit?action=&actor=&region=&outcome=&since=&until=&after=&limit=
 *       → 200 {"items": [row…], "next_after": seq | null}, oldest first.
 *
 * Runs on a worker (R_SLOW). The gate checked CAP_AUDIT_READ somewhere; the
 * app limits the rows to the actor's region subtrees (app/audit.h). Rows
 * hold no personal numbers (masked when recorded). */
#include <stdio.h>

#include "../app/audit.h"
#include "internal.h"

#define API_AUDIT_PAGE_MAX 200

int api_audit_list(struct req *r)
{
    long after, limit;
    if (http_query_int(r, "after", 0, 0, 0x7fffffffffffffffL, &after) ||
        http_query_int(r, "limit", APP_AUDIT_PAGE_DEFAULT, 1,
                       API_AUDIT_PAGE_MAX, &limit))
        return http_error(r, &r->err);
    struct audit_query q = {
        .action = http_query(r, "action"),
        .actor = http_query(r, "actor"),
        .region = http_query(r, "region"),
        .outcome = http_query(r, "outcome"),
        .since = http_query(r, "since"),
        .until = http_query(r, "until"),
        .after = after,
        .limit = (int)limit,
    };
    struct audit_view *items;
    int n;
    int64_t next;
    if (app_audit_search(r->app, &r->actor, &q, r->arena, &items, &n, &next,
                         &r->err))
        return http_error(r, &r->err);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, app_audit_json(&items[i]));
    return http_json(r, 200,
                     json_pack("{s:o, s:o}", "items", arr, "next_after",
                               next ? json_integer((json_int_t)next)
                                    : json_null()));
}
