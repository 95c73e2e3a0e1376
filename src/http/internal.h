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
/* http_client_ip — the peer's address as text into out[n] ("" if unknown);
 * no proxy header is trusted for it. */
void http_client_ip(struct req *r, char *out, size_t n);
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
/* json_text — json_dumps(v, JSON_COMPACT), byte for byte, faster for
 * answers (json.c); *len its length. NULL when out of memory. */
char *json_text(json_t *v, size_t *len);
int json_limits_ok(struct req *r, json_t *v, const char *ptr);

struct json_limits {
    int max_depth;     /* nesting of [ and {, checked before parsing */
    size_t max_string; /* bytes of one string */
    size_t max_list;   /* items of one list, keys of one object */
};
/* json_body_parse — the gate's checks on a JSON body, without MHD: not
 * empty (400), depth (413), syntax and UTF-8 (400, duplicate keys refused),
 * an object (400), every string, list and key within limits (413). 0 and
 * *out (caller decrefs) on success; -1 with e set on failure, when *out may
 * still hold the parsed value (the caller decrefs it too). Pure: no I/O,
 * thread-safe; the libFuzzer target fuzz/fuzz_json_body.c drives it. */
int json_body_parse(const char *body, size_t n, const struct json_limits *lim,
                    json_t **out, struct err *e);

/* http_form_value — the first value of field `name` (matched as sent, not
 * decoded) in an application/x-www-form-urlencoded body[0..n), decoded
 * (%XX, '+' as space) into out[outn], NUL-terminated. 0 when found; -1
 * when absent, malformed (% without two hex digits) or not shorter than
 * outn. Pure (the gate's _csrf field; fuzz/fuzz_form.c drives it). */
int http_form_value(const char *body, size_t n, const char *name, char *out,
                    size_t outn);

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
int api_session_get(struct req *r);
int api_register(struct req *r);
int api_password_change(struct req *r);
int api_audit_list(struct req *r);
int api_synonym_list(struct req *r);
int api_synonym_put(struct req *r);
int api_synonym_delete(struct req *r);
int api_item_browse(struct req *r);
int api_item_create(struct req *r);
int api_item_get(struct req *r);
int api_item_draft(struct req *r);
int api_item_submit(struct req *r);
int api_item_approve(struct req *r);
int api_item_reject(struct req *r);
int api_item_publish(struct req *r);
int api_item_new_version(struct req *r);
int api_item_abolish(struct req *r);
int api_item_versions(struct req *r);
int api_item_version(struct req *r);
int api_item_diff(struct req *r);
int api_item_events(struct req *r);
int api_item_comments(struct req *r);
int api_comment_add(struct req *r);
int api_comment_reply(struct req *r);
int api_base_list(struct req *r);
int api_base_create(struct req *r);
int api_base_get(struct req *r);
int api_base_update(struct req *r);
int api_base_abolish(struct req *r);
int api_catalogue_import(struct req *r);
int api_catalogue_export(struct req *r);
int api_proof_list(struct req *r);
int api_proof_get(struct req *r);
int api_proof_put(struct req *r);
int api_dataset_list(struct req *r);
int api_dataset_get(struct req *r);
int api_dataset_put(struct req *r);
int api_dataset_records(struct req *r);
int api_dataset_lookup(struct req *r);
int api_sharing_log(struct req *r);
int api_licence_find(struct req *r);
int api_licence_get(struct req *r);
int api_licence_import(struct req *r);
int api_licence_revoke(struct req *r);
int api_commitment_add(struct req *r);
int api_commitment_list(struct req *r);
int api_commitment_draw(struct req *r);
int api_commitment_outcome(struct req *r);
int api_dishonesty(struct req *r);
int api_proof_audit(struct req *r);
int api_proof_summary(struct req *r);

int api_file_upload(struct req *r);
int api_case_submit(struct req *r);
int api_case_list(struct req *r);
int api_case_get(struct req *r);
int api_case_notice(struct req *r);
int api_case_supply(struct req *r);
int api_case_accept(struct req *r);
int api_case_refuse(struct req *r);
int api_case_dispatch(struct req *r);
int api_case_answer(struct req *r);
int api_case_step(struct req *r);
int api_case_pause(struct req *r);
int api_case_resume(struct req *r);
int api_case_decide(struct req *r);
int api_case_deliver(struct req *r);
int api_case_close(struct req *r);
int api_case_withdraw(struct req *r);
int api_case_fee(struct req *r);
int api_case_notices(struct req *r);
int api_case_notice_get(struct req *r);
int api_case_progress(struct req *r);
int api_case_warnings(struct req *r);

#endif
