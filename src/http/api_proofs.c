/* api_proofs.c — handlers of proofs, data sharing, licences and
 * commitments (docs/proofs.md; app/app_proofs.h):
 *
 *   GET  /api/v1/proofs[?all=1]              the registry (public: published)
 *   GET  /api/v1/proofs/{name}               one proof
 *   PUT  /api/v1/proofs/{name}               create or replace (proof_write)
 *   GET  /api/v1/datasets, /{name}           the data catalogue (public)
 *   PUT  /api/v1/datasets/{name}             create or replace (proof_write)
 *   POST /api/v1/datasets/{name}/records     CSV records (?replace=1)
 *   POST /api/v1/datasets/{name}/lookup      a logged look-up (evidence_read)
 *   GET  /api/v1/sharing-log                 the log (audit_read)
 *   GET  /api/v1/licences?holder=&type=      licences of a holder
 *   GET  /api/v1/licences/{number}           one licence, hash checked
 *   POST /api/v1/licences/import             import (proof_write)
 *   POST /api/v1/licences/{number}/revoke    revoke (proof_write)
 *   POST /api/v1/commitments                 a signed commitment
 *   GET  /api/v1/commitments                 listing (proof_write)
 *   POST /api/v1/commitments/draws           the post-check draw
 *   POST /api/v1/commitments/{id}/outcome    the check's outcome
 *   GET  /api/v1/dishonesty?subject=         false promises on record
 *   GET  /api/v1/proof-audit[?format=text]   the clean-up report
 *   GET  /api/v1/proof-audit/summary         清理结果公示 (public)
 *
 * Every route runs on a worker (R_SLOW): writes wait for their commit
 * there, look-ups may wait on another department's endpoint. Thin: parse,
 * one app call, render. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../app/app_proofs.h"
#include "internal.h"

static int answer(struct req *r, int rc, int status, json_t *out)
{
    if (rc)
        return http_error(r, &r->err);
    return http_json(r, status, out);
}

static int flag(struct req *r, const char *name, int *out)
{
    const char *v = http_query(r, name);
    *out = 0;
    if (!v || !*v || !strcmp(v, "0") || !strcmp(v, "false"))
        return 0;
    if (!strcmp(v, "1") || !strcmp(v, "true")) {
        *out = 1;
        return 0;
    }
    return err_set(&r->err, ERR_INVALID, name, "%s 应为 0 或 1", name);
}

/* GET /api/v1/proofs */
int api_proof_list(struct req *r)
{
    int all;
    if (flag(r, "all", &all))
        return http_error(r, &r->err);
    json_t *out = NULL;
    int rc = app_proof_list(r->app, &r->actor, !all, &out, &r->err);
    return answer(r, rc, 200, out);
}

/* GET /api/v1/proofs/{name} */
int api_proof_get(struct req *r)
{
    json_t *out = NULL;
    int rc = app_proof_get(r->app, &r->actor, http_param(r, 0), &out, &r->err);
    return answer(r, rc, 200, out);
}

/* PUT /api/v1/proofs/{name} */
int api_proof_put(struct req *r)
{
    json_t *out = NULL;
    int created = 0;
    int rc = app_proof_put(r->app, &r->actor, http_param(r, 0), r->body_json,
                           &out, &created, &r->err);
    return answer(r, rc, created ? 201 : 200, out);
}

/* GET /api/v1/datasets */
int api_dataset_list(struct req *r)
{
    json_t *out = NULL;
    int rc = app_dataset_list(r->app, &out, &r->err);
    return answer(r, rc, 200, out);
}

/* GET /api/v1/datasets/{name} */
int api_dataset_get(struct req *r)
{
    json_t *out = NULL;
    int rc = app_dataset_get(r->app, http_param(r, 0), &out, &r->err);
    return answer(r, rc, 200, out);
}

/* PUT /api/v1/datasets/{name} */
int api_dataset_put(struct req *r)
{
    json_t *out = NULL;
    int created = 0;
    int rc = app_dataset_put(r->app, &r->actor, http_param(r, 0),
                             r->body_json, &out, &created, &r->err);
    return answer(r, rc, created ? 201 : 200, out);
}

/* POST /api/v1/datasets/{name}/records?replace=0|1 — body text/csv. */
int api_dataset_records(struct req *r)
{
    int replace;
    if (flag(r, "replace", &replace))
        return http_error(r, &r->err);
    const char *ct =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
    if (!ct || strncasecmp(ct, "text/csv", 8) != 0)
        return http_errorf(r, ERR_MEDIA, "Content-Type", "请求体应为 text/csv");
    if (r->body_len == 0)
        return http_errorf(r, ERR_BAD_REQUEST, "", "请求体为空");
    struct dataset_import_report rep;
    if (app_dataset_import_csv(r->app, &r->actor, http_param(r, 0), r->body,
                               r->body_len, replace, &rep, &r->err))
        return http_error(r, &r->err);
    return http_json(r, 200,
                     json_pack("{s:i, s:b}", "rows", rep.rows, "replaced",
                               rep.replaced));
}

/* POST /api/v1/datasets/{name}/lookup {subject, case_no?, fields?} */
int api_dataset_lookup(struct req *r)
{
    static const char *const k_keys[] = {"subject", "case_no", "fields", NULL};
    if (jbody_only(r, r->body_json, "", k_keys))
        return http_error(r, &r->err);
    const char *subject = jbody_str(r, r->body_json, "subject", "", 1, 18);
    if (!subject)
        return http_error(r, &r->err);
    const char *case_no = jbody_str(r, r->body_json, "case_no", "", 0, 64);
    if (!case_no && r->err.code)
        return http_error(r, &r->err);
    json_t *fl = json_object_get(r->body_json, "fields");
    const char *fields[50];
    int n = 0;
    if (fl && !json_is_null(fl)) {
        if (!json_is_array(fl) || json_array_size(fl) > 50)
            return http_errorf(r, ERR_INVALID, "/fields",
                               "fields 应为最多 50 个字段名");
        for (size_t i = 0; i < json_array_size(fl); i++) {
            fields[n] = json_string_value(json_array_get(fl, i));
            if (!fields[n])
                return http_errorf(r, ERR_INVALID, "/fields", "字段名应为文本");
            n++;
        }
    }
    json_t *out = NULL;
    int rc = app_dataset_lookup(r->app, &r->actor, http_param(r, 0), subject,
                                case_no, fields, n, &out, &r->err);
    return answer(r, rc, 200, out);
}

/* GET /api/v1/sharing-log?case_no=&dataset=&subject=&after=&limit= */
int api_sharing_log(struct req *r)
{
    long after, limit;
    if (http_query_int(r, "after", 0, 0, 0x7fffffffffffffffL, &after) ||
        http_query_int(r, "limit", 100, 1, 1000, &limit))
        return http_error(r, &r->err);
    struct sharing_query q = {.case_no = http_query(r, "case_no"),
                              .dataset = http_query(r, "dataset"),
                              .subject = http_query(r, "subject"),
                              .after = after,
                              .limit = (int)limit};
    json_t *out = NULL;
    int rc = app_sharing_log(r->app, &r->actor, &q, &out, &r->err);
    return answer(r, rc, 200, out);
}

/* GET /api/v1/licences?holder=&type= */
int api_licence_find(struct req *r)
{
    json_t *out = NULL;
    int rc = app_licence_find(r->app, &r->actor, http_query(r, "holder"),
                              http_query(r, "type"), &out, &r->err);
    return answer(r, rc, 200, out);
}

/* GET /api/v1/licences/{number} */
int api_licence_get(struct req *r)
{
    json_t *out = NULL;
    int rc = app_licence_get(r->app, &r->actor, http_param(r, 0), &out,
                             &r->err);
    return answer(r, rc, 200, out);
}

/* POST /api/v1/licences/import {licences: […]} */
int api_licence_import(struct req *r)
{
    static const char *const k_keys[] = {"licences", NULL};
    if (jbody_only(r, r->body_json, "", k_keys))
        return http_error(r, &r->err);
    int n = 0;
    if (app_licence_import(r->app, &r->actor, r->body_json, &n, &r->err))
        return http_error(r, &r->err);
    return http_json(r, 200, json_pack("{s:i}", "imported", n));
}

/* POST /api/v1/licences/{number}/revoke {reason} */
int api_licence_revoke(struct req *r)
{
    static const char *const k_keys[] = {"reason", NULL};
    if (jbody_only(r, r->body_json, "", k_keys))
        return http_error(r, &r->err);
    const char *reason = jbody_str(r, r->body_json, "reason", "", 1, 500);
    if (!reason)
        return http_error(r, &r->err);
    json_t *out = NULL;
    int rc = app_licence_revoke(r->app, &r->actor, http_param(r, 0), reason,
                                &out, &r->err);
    return answer(r, rc, 200, out);
}

/* POST /api/v1/commitments {proof, case_no, applicant, item_code?} */
int api_commitment_add(struct req *r)
{
    static const char *const k_keys[] = {"proof", "case_no", "applicant",
                                         "item_code", NULL};
    if (jbody_only(r, r->body_json, "", k_keys) ||
        (!jbody_str(r, r->body_json, "proof", "", 1, 100) ||
         !jbody_str(r, r->body_json, "case_no", "", 1, 64) ||
         !jbody_str(r, r->body_json, "applicant", "", 1, 18)) ||
        (!jbody_str(r, r->body_json, "item_code", "", 0, 96) && r->err.code))
        return http_error(r, &r->err);
    json_t *out = NULL;
    int rc = app_commitment_add(r->app, &r->actor, r->body_json, &out,
                                &r->err);
    return answer(r, rc, 201, out);
}

/* GET /api/v1/commitments?draw=&selected=&case_no=&applicant=&after=&limit= */
int api_commitment_list(struct req *r)
{
    long draw, after, limit;
    int selected;
    if (http_query_int(r, "draw", 0, 0, 0x7fffffffffffffffL, &draw) ||
        http_query_int(r, "after", 0, 0, 0x7fffffffffffffffL, &after) ||
        http_query_int(r, "limit", 100, 1, 1000, &limit) ||
        flag(r, "selected", &selected))
        return http_error(r, &r->err);
    struct commitment_query q = {.draw_id = draw,
                                 .selected_only = selected,
                                 .case_no = http_query(r, "case_no"),
                                 .applicant = http_query(r, "applicant"),
                                 .after = after,
                                 .limit = (int)limit};
    json_t *out = NULL;
    int rc = app_commitment_list(r->app, &r->actor, &q, &out, &r->err);
    return answer(r, rc, 200, out);
}

/* POST /api/v1/commitments/draws {seed, until?, proof?, dry_run?} */
int api_commitment_draw(struct req *r)
{
    static const char *const k_keys[] = {"seed", "until", "proof", "dry_run",
                                         NULL};
    if (jbody_only(r, r->body_json, "", k_keys))
        return http_error(r, &r->err);
    struct draw_request rq = {0};
    rq.seed = jbody_str(r, r->body_json, "seed", "", 1, 64);
    if (!rq.seed)
        return http_error(r, &r->err);
    rq.until = jbody_str(r, r->body_json, "until", "", 0, 40);
    if (!rq.until && r->err.code)
        return http_error(r, &r->err);
    rq.proof = jbody_str(r, r->body_json, "proof", "", 0, 100);
    if (!rq.proof && r->err.code)
        return http_error(r, &r->err);
    json_t *dry = json_object_get(r->body_json, "dry_run");
    if (dry && !json_is_boolean(dry))
        return http_errorf(r, ERR_INVALID, "/dry_run", "dry_run 应为布尔值");
    rq.dry_run = json_is_true(dry);
    json_t *out = NULL;
    int rc = app_commitment_draw(r->app, &r->actor, &rq, &out, &r->err);
    return answer(r, rc, rq.dry_run ? 200 : 201, out);
}

/* POST /api/v1/commitments/{id}/outcome {outcome, note} */
int api_commitment_outcome(struct req *r)
{
    const char *s = http_param(r, 0);
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 18 || strspn(s, "0123456789") != n ||
        strtoll(s, NULL, 10) <= 0)
        return http_errorf(r, ERR_NOT_FOUND, "", "没有这条承诺记录");
    static const char *const k_keys[] = {"outcome", "note", NULL};
    if (jbody_only(r, r->body_json, "", k_keys) ||
        !jbody_str(r, r->body_json, "outcome", "", 1, 20) ||
        !jbody_str(r, r->body_json, "note", "", 1, 1000))
        return http_error(r, &r->err);
    json_t *out = NULL;
    int rc = app_commitment_outcome(r->app, &r->actor, strtoll(s, NULL, 10),
                                    r->body_json, &out, &r->err);
    return answer(r, rc, 200, out);
}

/* GET /api/v1/dishonesty?subject= */
int api_dishonesty(struct req *r)
{
    json_t *out = NULL;
    int rc = app_dishonesty_of(r->app, &r->actor, http_query(r, "subject"),
                               &out, &r->err);
    return answer(r, rc, 200, out);
}

/* GET /api/v1/proof-audit?format=json|text */
int api_proof_audit(struct req *r)
{
    const char *fmt = http_query(r, "format");
    if (fmt && strcmp(fmt, "json") && strcmp(fmt, "text"))
        return http_errorf(r, ERR_INVALID, "format", "format 应为 json 或 text");
    if (!actor_can(&r->actor, CAP_PROOF_WRITE, NULL))
        return http_errorf(r, ERR_FORBIDDEN, "", "无权查看证明事项清理报告");
    json_t *out = NULL;
    if (app_proofs_analyse(r->app, &out, &r->err))
        return http_error(r, &r->err);
    if (fmt && !strcmp(fmt, "text")) {
        char *text = app_proofs_report_text(out);
        json_decref(out);
        int rc = http_bytes(r, 200, "text/plain; charset=utf-8", text,
                            strlen(text));
        free(text);
        return rc;
    }
    return http_json(r, 200, out);
}

/* GET /api/v1/proof-audit/summary — 清理结果公示 */
int api_proof_summary(struct req *r)
{
    json_t *out = NULL;
    if (app_proofs_analyse(r->app, &out, &r->err))
        return http_error(r, &r->err);
    json_t *s = json_incref(json_object_get(out, "summary"));
    json_decref(out);
    return http_json(r, 200, s);
}
