/* api_cases.c — handlers for cases (/api/v1/cases…), uploads
 * (/api/v1/files), the public progress query (/api/v1/progress/{no}) and
 * the warning scan (/api/v1/case-warnings). Thin (STYLE.md habit 9):
 * parse, one app call, render. Writes are prepared here and run as a
 * store unit with http_write; the answer is rendered after COMMIT. The
 * route gate has checked the capability exists; app_cases.c checks it on
 * the case's region through the state machine. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../app/app_cases.h"
#include "internal.h"

static int case_changed(struct req *r)
{
    return http_json(r, 200, app_case_write_result(r->unit.arg));
}

static int case_created(struct req *r)
{
    const struct case_write *w = r->unit.arg;
    if (http_json(r, 201, app_case_write_result(w)))
        return -1;
    char loc[128];
    snprintf(loc, sizeof loc, "/api/v1/cases/%s", app_case_write_no(w));
    MHD_add_response_header(r->resp, "Location", loc);
    return 0;
}

/* POST /api/v1/cases — file an application (R_SLOW). */
int api_case_submit(struct req *r)
{
    struct case_write *w = NULL;
    int rc = app_case_submit_prepare(r->app, &r->actor, r->body_json,
                                     r->arena, &w, &r->err);
    if (w)
        http_on_complete(r, app_case_write_free, w);
    /* On a worker (R_SLOW): the evidence look-ups, another department's
     * endpoint included, are made before the unit is queued, so the one
     * writer never waits on the network (app_cases.h). */
    if (rc == 0)
        rc = app_case_submit_lookups(r->app, w, &r->err);
    if (rc)
        return http_error(r, &r->err);
    return http_write_or(r, app_case_write_unit, w, case_created,
                         app_case_write_lookups(w) ? app_case_lookup_log_unit
                                                   : NULL);
}

static int action(struct req *r, enum case_action act)
{
    struct case_write *w = NULL;
    int rc = app_case_action_prepare(r->app, &r->actor, http_param(r, 0), act,
                                     r->body_json, r->arena, &w, &r->err);
    if (w)
        http_on_complete(r, app_case_write_free, w);
    if (rc)
        return http_error(r, &r->err);
    return http_write(r, app_case_write_unit, w, case_changed);
}

/* POST /api/v1/cases/{no}/<action> — one route per action (routes.c). */
int api_case_notice(struct req *r) { return action(r, CA_NOTICE); }
int api_case_supply(struct req *r) { return action(r, CA_SUPPLY); }
int api_case_accept(struct req *r) { return action(r, CA_ACCEPT); }
int api_case_refuse(struct req *r) { return action(r, CA_REFUSE); }
int api_case_dispatch(struct req *r) { return action(r, CA_DISPATCH); }
int api_case_answer(struct req *r) { return action(r, CA_ANSWER); }
int api_case_step(struct req *r) { return action(r, CA_STEP); }
int api_case_pause(struct req *r) { return action(r, CA_PAUSE); }
int api_case_resume(struct req *r) { return action(r, CA_RESUME); }
int api_case_decide(struct req *r) { return action(r, CA_DECIDE); }
int api_case_deliver(struct req *r) { return action(r, CA_DELIVER); }
int api_case_close(struct req *r) { return action(r, CA_CLOSE); }
int api_case_withdraw(struct req *r) { return action(r, CA_WITHDRAW); }
int api_case_fee(struct req *r) { return action(r, CA_FEE); }

/* GET /api/v1/cases/{no} */
int api_case_get(struct req *r)
{
    json_t *out;
    if (app_case_get(r->app, &r->actor, http_param(r, 0), &out, &r->err))
        return http_error(r, &r->err);
    return http_json(r, 200, out);
}

/* GET /api/v1/cases?region=&org_id=&state=&mine=&before=&limit= — worker. */
int api_case_list(struct req *r)
{
    long org, before, limit, mine;
    if (http_query_int(r, "org_id", 0, 0, 0x7fffffffffffffffL, &org) ||
        http_query_int(r, "before", 0, 0, 0x7fffffffffffffffL, &before) ||
        http_query_int(r, "limit", APP_CASE_PAGE_DEFAULT, 1,
                       APP_CASE_PAGE_MAX, &limit) ||
        http_query_int(r, "mine", 0, 0, 1, &mine))
        return http_error(r, &r->err);
    struct case_query q = {.region = http_query(r, "region"),
                           .org_id = org,
                           .state = http_query(r, "state"),
                           .mine = (int)mine,
                           .before = before,
                           .limit = (int)limit};
    json_t *out;
    if (app_case_list(r->app, &r->actor, &q, &out, &r->err))
        return http_error(r, &r->err);
    return http_json(r, 200, out);
}

/* GET /api/v1/cases/{no}/notices */
int api_case_notices(struct req *r)
{
    json_t *out;
    if (app_case_notices(r->app, &r->actor, http_param(r, 0), NULL, &out,
                         &r->err))
        return http_error(r, &r->err);
    return http_json(r, 200, out);
}

/* GET /api/v1/cases/{no}/notices/{kind} */
int api_case_notice_get(struct req *r)
{
    json_t *out;
    if (app_case_notices(r->app, &r->actor, http_param(r, 0),
                         http_param(r, 1), &out, &r->err))
        return http_error(r, &r->err);
    return http_json(r, 200, out);
}

/* GET /api/v1/progress/{no}?code= — public; on a worker (a miss is
 * counted durably). */
int api_case_progress(struct req *r)
{
    char ip[64];
    http_client_ip(r, ip, sizeof ip);
    json_t *out;
    if (app_case_progress(r->app, http_param(r, 0), http_query(r, "code"), ip,
                          &out, &r->err))
        return http_error(r, &r->err);
    return http_json(r, 200, out);
}

/* GET /api/v1/case-warnings?region=&org_id=&level=&limit=&after= —
 * worker. */
int api_case_warnings(struct req *r)
{
    long org, limit;
    if (http_query_int(r, "org_id", 0, 0, 0x7fffffffffffffffL, &org) ||
        http_query_int(r, "limit", APP_CASE_PAGE_DEFAULT, 1,
                       APP_CASE_PAGE_MAX, &limit))
        return http_error(r, &r->err);
    struct warn_query q = {.region = http_query(r, "region"),
                           .org_id = org,
                           .level = http_query(r, "level"),
                           .after = http_query(r, "after"),
                           .limit = (int)limit};
    json_t *out;
    if (app_case_warnings(r->app, &r->actor, &q, &out, &r->err))
        return http_error(r, &r->err);
    return http_json(r, 200, out);
}

/* POST /api/v1/files?name= — the body is the file (application/pdf,
 * image/jpeg, image/png); on a worker (hashing, fsync). */
int api_file_upload(struct req *r)
{
    const char *ct =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
    char type[64] = "";
    if (ct) {
        size_t n = strcspn(ct, "; ");
        if (n < sizeof type) {
            memcpy(type, ct, n);
            type[n] = '\0';
            for (char *p = type; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                    *p = (char)(*p - 'A' + 'a');
        }
    }
    const char *name = http_query(r, "name");
    if (name && (strlen(name) > 100 || !*name))
        name = NULL;
    json_t *out;
    if (app_file_store(r->app, &r->actor, r->body, r->body_len, type, name,
                       &out, &r->err))
        return http_error(r, &r->err);
    return http_json(r, 201, out);
}
