/* app_proofs.h — use cases of proofs, data sharing and electronic licences
 * (证明事项清理; docs/proofs.md is the contract):
 *
 *   - the proof registry (证明事项清单): each proof's issuing office and
 *     issuing item, legal basis, status (retained, cancelled, replaced by
 *     data sharing, by a commitment or by a licence), the date and decision
 *     that set it, publication, and its notification-commitment terms;
 *     "no proof outside the list" is enforced at publication
 *     (app_proofs_publish_check, called by the catalogue's cat_publish);
 *   - the shared data catalogue (政务数据资源目录): data sets with provider,
 *     fields and sharing condition, answered by a pluggable provider (the
 *     built-in one reads records imported by CSV; the http one asks another
 *     department's endpoint); every look-up is in the sharing log;
 *   - electronic licences (电子证照) with a tamper-evident hash;
 *   - notification-commitments (告知承诺): commitments on record, the
 *     seeded post-check draw (core/sample.h), outcomes, and a false promise
 *     revoking the result and going on the applicant's record;
 *   - the clean-up analyser over the whole published catalogue (JSON, a
 *     readable report, and the public summary 清理结果公示).
 * The seam with case intake is app_evidence.h (implemented in
 * app_proofs.c).
 *
 * Reads answer JSON (new references; the caller decrefs). Writes run as one
 * store unit each and wait until durable (callers: a worker thread or the
 * CLI, never an HTTP polling thread); each records itself in the audit log
 * inside its unit.
 *
 * Permissions (auth.h, docs/permissions.md): CAP_PROOF_WRITE (legal
 * reviewers, system administrators) for the registry, the data sets and
 * their records, licence import and revocation, draws and outcomes;
 * CAP_EVIDENCE_READ (clerks, reviewers, deciders, system administrators)
 * for licence look-ups, shared-data look-ups and recording commitments;
 * CAP_AUDIT_READ for the sharing log. The registry, the data catalogue and
 * the clean-up summary are public. A NULL actor is trusted (the CLI, demo
 * loading). These are platform-wide lists: any grant carrying the
 * capability will do.
 *
 * Errors (err.h; field = JSON pointer into the body or the query argument;
 * zh-CN messages): ERR_INVALID 422, ERR_FORBIDDEN 403, ERR_NOT_FOUND 404,
 * ERR_CONFLICT 409 (stale revision, an outcome recorded twice),
 * ERR_UNAVAILABLE 503 (an http provider that did not answer in time — only
 * from the look-up API; inside case intake a failed provider is "not
 * found" and logged as `error`).
 *
 * Thread-safe: no state outside the database. */
#ifndef BIANMIN_APP_APP_PROOFS_H
#define BIANMIN_APP_APP_PROOFS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/arena.h"
#include "../core/guide.h"
#include "../store/db.h"
#include "app.h"

#define PROOF_CHECK_DAYS_MAX 365 /* post-check within at most a year */
#define DATASET_TIMEOUT_MAX 10000 /* ms */
#define DATASET_FIELDS_MAX 50

/* ---- the registry --------------------------------------------------------- */

/* app_proof_list — {"proofs": [Proof]} by name; published_only (the public
 * registry) or every proof (needs CAP_PROOF_WRITE unless by is NULL). */
int app_proof_list(struct app *a, const struct actor *by, int published_only,
                   json_t **out, struct err *e);
/* app_proof_get — one proof by name; an unpublished one only for
 * CAP_PROOF_WRITE. */
int app_proof_get(struct app *a, const struct actor *by, const char *name,
                  json_t **out, struct err *e);
/* app_proof_put — create or replace proof `name` from body {issuing_office?,
 * issuing_item? (base item code), legal_basis?, status, status_date?
 * (YYYY-MM-DD; required unless retained), status_decision? (required
 * unless retained), replacement? (the data set for replaced_sharing — it
 * must exist —, the licence type for replaced_licence), published?,
 * commitment? {condition, legal_basis, consequence, text, check_percent
 * (0–100), check_days (1–365)} (required for replaced_commitment; allowed
 * for retained), revision?}. *created 1 when new. Audited "proof.put". */
int app_proof_put(struct app *a, const struct actor *by, const char *name,
                  const json_t *body, json_t **out, int *created,
                  struct err *e);

/* app_proofs_publish_check — "no proof outside the list", inside a
 * publication's unit: append proof_not_listed findings (core/guide.h
 * proof_lint) for the stored guide `guide_json` to r, reading the registry
 * on db (texts in arena a). When there are any, why[n] says which proof
 * and why (absent, or its status). -1 only on a store error. */
int app_proofs_publish_check(struct db *db, const char *guide_json,
                             struct arena *a, struct lint_report *r,
                             char *why, size_t n, struct err *e);

/* ---- shared data ------------------------------------------------------------ */

/* app_dataset_list — {"datasets": [Dataset]} (public: no records). */
int app_dataset_list(struct app *a, json_t **out, struct err *e);
int app_dataset_get(struct app *a, const char *name, json_t **out,
                    struct err *e);
/* app_dataset_put — create or replace data set `name`: {provider, fields
 * (1–50 texts), sharing (unconditional | conditional | none),
 * sharing_condition? (required when conditional), kind (builtin | http),
 * url? (http: http:// or https://), timeout_ms? (100–10000, default
 * 2000), revision?}. Audited "dataset.put". */
int app_dataset_put(struct app *a, const struct actor *by, const char *name,
                    const json_t *body, json_t **out, int *created,
                    struct err *e);

struct dataset_import_report {
    int rows;     /* records read */
    int replaced; /* 1 when the data set's records were replaced */
};
/* app_dataset_import_csv — records for the built-in provider from CSV text:
 * header `subject,<field>,…` (each field one of the data set's fields),
 * then one record per line; subject a valid resident ID (GB 11643) or
 * credit code (GB 32100). Every row is checked first (field "LINE" with
 * the column after a '/': "3/subject"), then one unit writes them all:
 * merged (replace 0: a subject's record is replaced) or replacing every
 * record. Audited "dataset.import". */
int app_dataset_import_csv(struct app *a, const struct actor *by,
                           const char *name, const char *csv, size_t n,
                           int replace, struct dataset_import_report *rep,
                           struct err *e);

/* app_dataset_lookup — look subject up in data set `name` for case
 * `case_no` (required when the data set's sharing is conditional), logged:
 * {"found": bool, "result": found|not_found|refused|error, "record":
 * {field: value}|null, "lookup_id"}. `fields` (NULL = all) limits what is
 * returned to fields of the data set. A provider failure is ERR_UNAVAILABLE
 * (and logged as error). */
int app_dataset_lookup(struct app *a, const struct actor *by, const char *name,
                       const char *subject, const char *case_no,
                       const char *const *fields, int n_fields, json_t **out,
                       struct err *e);

/* app_sharing_log — {"entries": [...], "next_after"} (CAP_AUDIT_READ);
 * subject is matched through its hash. */
struct sharing_query {
    const char *case_no, *dataset, *subject;
    int64_t after;
    int limit; /* 1..1000; 0 = 100 */
};
int app_sharing_log(struct app *a, const struct actor *by,
                    const struct sharing_query *q, json_t **out,
                    struct err *e);

/* ---- licences ------------------------------------------------------------------ */

/* app_licence_find — {"licences": [Licence]} of holder (and type), with
 * "intact" (the hash checks) and the status as of now (a valid licence past
 * valid_until shows as expired). The read is audited ("licence.read"). */
int app_licence_find(struct app *a, const struct actor *by, const char *holder,
                     const char *type, json_t **out, struct err *e);
int app_licence_get(struct app *a, const struct actor *by, const char *number,
                    json_t **out, struct err *e);
/* app_licence_import — {"licences": [{number, type, holder, holder_name?,
 * issuer_name, issued_on (YYYY-MM-DD), valid_until? (YYYY-MM-DD)}]}: all
 * or nothing; an existing number is refused (409). *n = imported. */
int app_licence_import(struct app *a, const struct actor *by,
                       const json_t *body, int *n, struct err *e);
/* app_licence_revoke — valid → revoked with a reason. */
int app_licence_revoke(struct app *a, const struct actor *by,
                       const char *number, const char *reason, json_t **out,
                       struct err *e);
/* app_licence_hash — hex BLAKE2b-256 over the identifying fields (number,
 * type, holder, holder_name, issuer_name, issued_at, valid_until, case_no),
 * each as "<bytes>:<text>;" or "-;" — the tamper-evident hash. */
void app_licence_hash(const char *number, const char *type, const char *holder,
                      const char *holder_name, const char *issuer_name,
                      int64_t issued_at, int64_t valid_until,
                      const char *case_no, char out[65]);

/* ---- commitments ---------------------------------------------------------------- */

/* app_commitment_add — {proof, case_no, applicant, item_code?}: the
 * applicant signed the commitment of `proof` (which must carry commitment
 * terms). Audited "commitment.add". */
int app_commitment_add(struct app *a, const struct actor *by,
                       const json_t *body, json_t **out, struct err *e);

/* app_commitment_list — {"commitments": [...], "next_after"}. */
struct commitment_query {
    int64_t draw_id;
    int selected_only;
    const char *case_no, *applicant;
    int64_t after;
    int limit; /* 1..1000; 0 = 100 */
};
int app_commitment_list(struct app *a, const struct actor *by,
                        const struct commitment_query *q, json_t **out,
                        struct err *e);

/* The post-check draw. For each proof with commitment terms (or only
 * `proof`), the population is its commitments in no earlier draw accepted
 * before `until`, ordered by case number; k = ceil(population *
 * check_percent / 100); the places come from sample_draw(seed mixed with the
 * proof's name). The same seed over the same population gives the same
 * sample on every machine and database. dry_run: only computed; else the
 * draw is stored (and audited, "commitment.draw") and its commitments
 * marked, the selected ones with a check due date check_days working days
 * after the draw. */
struct draw_request {
    const char *seed; /* 1–64 characters */
    const char *until; /* date or time (app_audit_time_parse); NULL = now */
    const char *proof; /* NULL = every proof with terms */
    int dry_run;
};
/* {"draw_id": n|null, "seed", "until", "population", "selected",
 * "proofs": [{"proof", "check_percent", "check_days", "population",
 * "selected": [{"id", "case_no", "applicant" (masked), "check_due"}]}]} */
int app_commitment_draw(struct app *a, const struct actor *by,
                        const struct draw_request *rq, json_t **out,
                        struct err *e);
/* app_commitment_outcome — {outcome: kept | false_promise, note}: for a
 * selected commitment, once. A false promise revokes every licence the case
 * issued (reason 虚假承诺) and records it against the applicant
 * (dishonesty_records). {"commitment", "revoked": [numbers]}. */
int app_commitment_outcome(struct app *a, const struct actor *by, int64_t id,
                           const json_t *body, json_t **out, struct err *e);
/* app_dishonesty_of — {"records": [...]} of an applicant
 * (CAP_PROOF_WRITE). */
int app_dishonesty_of(struct app *a, const struct actor *by,
                      const char *subject, json_t **out, struct err *e);

/* ---- the clean-up analyser -------------------------------------------------------- */

/* app_proofs_analyse — the whole published catalogue against the registry,
 * the data catalogue and the licence types on record (docs/proofs.md "The
 * clean-up analyser"): a new JSON report with "summary" (the public
 * 清理结果公示), "proofs_without_basis", "unlisted_proofs", "obtainable",
 * "circular", "repeated", "most_materials", "visits". Lists are capped
 * (their full counts are in "counts"). One read of the catalogue — each
 * version's material digest written at publication (store_digest_put,
 * core/matdigest.h), not its whole guide; runs in memory. */
int app_proofs_analyse(struct app *a, json_t **out, struct err *e);
/* app_proofs_analyse_from — the same report read from the digests
 * (PROOFS_FROM_DIGESTS, what app_proofs_analyse does) or from the whole
 * guides (PROOFS_FROM_GUIDES: the check that both give the same report,
 * tests/store/test_proofs.c). */
enum proofs_source { PROOFS_FROM_DIGESTS, PROOFS_FROM_GUIDES };
int app_proofs_analyse_from(struct app *a, enum proofs_source from,
                            json_t **out, struct err *e);
/* app_proofs_report_text — the report as readable zh-CN text (malloc'd). */
char *app_proofs_report_text(const json_t *report);

/* app_demo_proofs — load data/demo/proofs.json: the registry, data sets
 * with their records, licences. Idempotent. Counts what exists after. */
int app_demo_proofs(struct app *a, int *proofs, int *datasets, int *licences,
                    struct err *e);

#endif
