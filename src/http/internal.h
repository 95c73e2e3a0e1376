/* internal.h — what the files of http/ share and nobody else uses: the
 * dispatcher, the handlers named in the route table, and JSON helpers. */
#ifndef BIANMIN_HTTP_INTERNAL_H
#define BIANMIN_HTTP_INTERNAL_H

#include "http.h"

#define HTTP_DEFER_SLOW 2 /* dispatcher: run r->slow on a worker */

struct MHD_Response;

/* http_dispatch — route, gate and call the handler; 0, HTTP_DEFER or
 * HTTP_DEFER_SLOW. */
int http_dispatch(struct req *r);
/* http_routes_check — start-up: every non-public route has a capability,
 * every public one has none; patterns well-formed. */
int http_routes_check(struct err *e);
int http_status_of(enum err_code c);
void http_security_headers(struct MHD_Response *resp);
const struct server_opts *server_opts_of(const struct server *s);

/* JSON body helpers (json.c). Each returns 0, or -1 with r->err set to a 422
 * naming the field, so handlers can chain them and then http_error. */
const char *jbody_str(struct req *r, json_t *obj, const char *key,
                      const char *ptr, int required, size_t max_chars);
int jbody_int(struct req *r, json_t *obj, const char *key, const char *ptr,
              int required, long long min, long long max, long long *out);
/* jbody_only — refuse keys not in the NULL-ended list (a typo is an error,
 * not a silently ignored field). */
int jbody_only(struct req *r, json_t *obj, const char *ptr,
               const char *const *keys);
/* json_check_limits — depth (pre-parse), strings, lists; used by dispatch. */
int json_depth_ok(const char *text, size_t n, int max_depth);
int json_limits_ok(struct req *r, json_t *v, const char *ptr);

/* Handlers (api_*.c). */
int api_healthz(struct req *r);
int api_openapi(struct req *r);
int api_region_get(struct req *r);
int api_region_children(struct req *r);
int api_region_search(struct req *r);
int api_calendar_year(struct req *r);
int api_calendar_put(struct req *r);
int api_calendar_due(struct req *r);
int api_org_list(struct req *r);
int api_org_get(struct req *r);
int api_org_create(struct req *r);
int api_org_update(struct req *r);
int api_org_delete(struct req *r);
int api_hall_create(struct req *r);
int api_hall_update(struct req *r);
int api_hall_delete(struct req *r);
int api_window_create(struct req *r);
int api_window_update(struct req *r);
int api_window_delete(struct req *r);
int api_session_create(struct req *r);
int api_session_delete(struct req *r);
int api_me(struct req *r);

#endif
