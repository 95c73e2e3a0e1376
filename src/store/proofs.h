/* proofs.h — SQL for proofs, data sharing, electronic licences and
 * notification-commitments (migration 7; docs/proofs.md): the proof
 * registry (证明事项清单), the shared data catalogue (政务数据资源目录) with
 * the records imported for the built-in provider, the sharing log, the
 * licence register (电子证照), commitments with their post-check draws and
 * outcomes, false promises on record, and the one read of the whole
 * published catalogue the clean-up analyser needs. Called by
 * app/app_proofs.c only, which owns validation, permissions, hashing and
 * transactions; these functions only read and write rows.
 *
 * Reads hand rows to callbacks; strings are borrowed for the call (copy
 * what you keep); NULL text and 0 ids mean SQL NULL. Callbacks return
 * nonzero to stop (not an error). The database refuses any change of the
 * sharing log and of a licence's identifying fields (triggers of migration
 * 7: ERR_INVALID or ERR_FORBIDDEN from the drivers).
 *
 * Errors as in db.h. Stateless; one `struct db` per thread. */
#ifndef BIANMIN_STORE_PROOFS_H
#define BIANMIN_STORE_PROOFS_H

#include <stdint.h>

#include "db.h"

/* ---- the proof registry ---------------------------------------------------- */

struct proof_row {
    int64_t id;
    const char *name, *issuing_office, *issuing_item, *legal_basis;
    const char *status; /* retained | cancelled | replaced_sharing |
                           replaced_commitment | replaced_licence */
    const char *status_date, *status_decision;
    const char *replacement; /* the data set, licence type or commitment */
    int published;
    const char *commitment; /* JSON text or NULL */
    int64_t revision, created_at, updated_at;
};
typedef int (*proof_cb)(void *ctx, const struct proof_row *row);

/* store_proof_list — every proof by name (published_only: published ones). */
int store_proof_list(struct db *db, int published_only, proof_cb cb, void *ctx,
                     struct err *e);
/* store_proof_get — by id (name NULL) or by name; ERR_NOT_FOUND
 * ("证明事项清单中没有这项证明") when absent. */
int store_proof_get(struct db *db, int64_t id, const char *name, proof_cb cb,
                    void *ctx, struct err *e);
/* store_proof_insert — r's columns; revision 1. */
int store_proof_insert(struct db *db, const struct proof_row *r, int64_t now,
                       int64_t *id, struct err *e);
/* store_proof_update — every column of r->id when its revision is still
 * expect_revision (0 = any); revision + 1. *changed 0 when gone or moved. */
int store_proof_update(struct db *db, const struct proof_row *r,
                       int64_t expect_revision, int64_t now, int *changed,
                       struct err *e);

/* ---- the shared data catalogue --------------------------------------------- */

struct dataset_row {
    int64_t id;
    const char *name, *provider;
    const char *fields; /* JSON list of texts */
    const char *sharing; /* unconditional | conditional | none */
    const char *sharing_condition;
    const char *kind;    /* builtin | http */
    const char *url;
    int timeout_ms;
    int64_t revision, created_at, updated_at;
    int64_t n_records; /* read only: imported records */
};
typedef int (*dataset_cb)(void *ctx, const struct dataset_row *row);

int store_dataset_list(struct db *db, dataset_cb cb, void *ctx, struct err *e);
/* store_dataset_get — by name; ERR_NOT_FOUND ("没有这个共享数据集"). */
int store_dataset_get(struct db *db, const char *name, dataset_cb cb, void *ctx,
                      struct err *e);
int store_dataset_insert(struct db *db, const struct dataset_row *r,
                         int64_t now, int64_t *id, struct err *e);
int store_dataset_update(struct db *db, const struct dataset_row *r,
                         int64_t expect_revision, int64_t now, int *changed,
                         struct err *e);
/* store_dataset_records_clear — drop every record of the data set. */
int store_dataset_records_clear(struct db *db, int64_t dataset_id,
                                struct err *e);
/* store_dataset_record_put — insert or replace one record (data: JSON
 * object text). */
int store_dataset_record_put(struct db *db, int64_t dataset_id,
                             const char *subject, const char *data,
                             int64_t now, struct err *e);
/* store_dataset_record_get — the record's JSON text (*data_out, malloc'd;
 * the caller frees), or NULL when the subject has no record. */
int store_dataset_record_get(struct db *db, int64_t dataset_id,
                             const char *subject, char **data_out,
                             struct err *e);

/* ---- the sharing log --------------------------------------------------------- */

struct sharing_row {
    int64_t id, at, actor_id;
    const char *actor_login, *case_no, *dataset;
    const char *subject;      /* masked */
    const char *subject_hash; /* hex BLAKE2b-256 of the subject */
    const char *material, *fields;
    const char *result; /* found | not_found | refused | error */
    const char *detail;
};
typedef int (*sharing_cb)(void *ctx, const struct sharing_row *row);

int store_sharing_add(struct db *db, const struct sharing_row *r, int64_t *id,
                      struct err *e);
/* A search of the log; every member optional (NULL / 0). */
struct sharing_filter {
    const char *case_no, *dataset, *subject_hash;
    int64_t after_id;
    int limit; /* 1..1001 */
};
int store_sharing_list(struct db *db, const struct sharing_filter *f,
                       sharing_cb cb, void *ctx, struct err *e);

/* ---- electronic licences ------------------------------------------------------ */

struct licence_row {
    int64_t id;
    const char *number, *type, *holder, *holder_name;
    int64_t issuer_org_id;
    const char *issuer_name, *case_no;
    const char *source; /* issued | imported */
    int64_t issued_at, valid_until; /* valid_until 0 = no end */
    const char *status;             /* valid | revoked | expired */
    const char *status_reason;
    int64_t status_at;
    const char *hash;
    int64_t created_at;
};
typedef int (*licence_cb)(void *ctx, const struct licence_row *row);

/* store_licence_next_serial — the next licence serial (1, 2, …), from the
 * meta counter `licence_serial`, inside the caller's unit. */
int store_licence_next_serial(struct db *db, int64_t *serial, struct err *e);
int store_licence_insert(struct db *db, const struct licence_row *r,
                         int64_t now, int64_t *id, struct err *e);
/* store_licence_get — by number; ERR_NOT_FOUND ("没有这个电子证照"). */
int store_licence_get(struct db *db, const char *number, licence_cb cb,
                      void *ctx, struct err *e);
/* store_licence_of_holder — the holder's licences (of `type` unless NULL),
 * newest first. */
int store_licence_of_holder(struct db *db, const char *holder,
                            const char *type, licence_cb cb, void *ctx,
                            struct err *e);
/* store_licence_of_case — licences a case issued. */
int store_licence_of_case(struct db *db, const char *case_no, licence_cb cb,
                          void *ctx, struct err *e);
/* store_licence_count — licences on record. */
int store_licence_count(struct db *db, int64_t *n, struct err *e);
/* store_licence_types — each distinct licence type on record, to cb. */
typedef int (*text_cb)(void *ctx, const char *text);
int store_licence_types(struct db *db, text_cb cb, void *ctx, struct err *e);
/* store_licence_set_status — from `from` to `to` with a reason; *changed. */
int store_licence_set_status(struct db *db, int64_t id, const char *from,
                             const char *to, const char *reason, int64_t now,
                             int *changed, struct err *e);

/* ---- commitments ---------------------------------------------------------------- */

struct commitment_row {
    int64_t id, proof_id;
    const char *proof_name; /* read only */
    const char *case_no, *applicant, *item_code;
    int64_t accepted_at, actor_id, draw_id;
    int selected;
    const char *check_due, *outcome, *outcome_note;
    int64_t outcome_at, outcome_by;
};
typedef int (*commitment_cb)(void *ctx, const struct commitment_row *row);

int store_commitment_insert(struct db *db, const struct commitment_row *r,
                            int64_t *id, struct err *e);
/* store_commitment_get — ERR_NOT_FOUND ("没有这条承诺记录"). */
int store_commitment_get(struct db *db, int64_t id, commitment_cb cb, void *ctx,
                         struct err *e);
/* store_commitment_pool — commitments of proof not yet in a draw, accepted
 * before `until` (0 = any time), by case number then id: the population of
 * a draw, in an order both databases agree on. */
int store_commitment_pool(struct db *db, int64_t proof_id, int64_t until,
                          commitment_cb cb, void *ctx, struct err *e);
/* A listing; members optional (0 / NULL). */
struct commitment_filter {
    int64_t draw_id;
    int selected_only;
    const char *case_no, *applicant;
    int64_t after_id;
    int limit; /* 1..1001 */
};
int store_commitment_list(struct db *db, const struct commitment_filter *f,
                          commitment_cb cb, void *ctx, struct err *e);
/* store_commitment_mark — put it in draw_id, selected or not, with the
 * check's due date; only while in no draw (*changed). */
int store_commitment_mark(struct db *db, int64_t id, int64_t draw_id,
                          int selected, const char *check_due, int *changed,
                          struct err *e);
/* store_commitment_outcome — record the check's outcome, once (*changed 0
 * when already recorded or not selected). */
int store_commitment_outcome(struct db *db, int64_t id, const char *outcome,
                             const char *note, int64_t by, int64_t now,
                             int *changed, struct err *e);

int store_draw_insert(struct db *db, const char *seed, int64_t until,
                      int64_t actor_id, const char *actor_login, int64_t now,
                      int population, int selected, const char *detail,
                      int64_t *id, struct err *e);

struct dishonesty_row {
    int64_t id, commitment_id, actor_id, at;
    const char *subject, *case_no, *proof, *reason;
};
typedef int (*dishonesty_cb)(void *ctx, const struct dishonesty_row *row);
int store_dishonesty_add(struct db *db, const struct dishonesty_row *r,
                         struct err *e);
int store_dishonesty_of(struct db *db, const char *subject, dishonesty_cb cb,
                        void *ctx, struct err *e);

/* ---- the catalogue as the analyser reads it ------------------------------------- */

struct scan_row {
    int64_t item_id;
    const char *item_code, *base_code, *name, *org_name, *region;
    int version;
    const char *guide;  /* JSON text; NULL when digest is given */
    const char *digest; /* the version's material digest
                           (core/matdigest.h), or NULL */
    int visits;         /* -1 unknown */
};
typedef int (*scan_cb)(void *ctx, const struct scan_row *row);
/* store_catalogue_scan — every active item's published version with its
 * whole guide, by item id: one query (the analyser's input before digests,
 * and its benchmark's baseline). */
int store_catalogue_scan(struct db *db, scan_cb cb, void *ctx, struct err *e);
/* store_catalogue_scan_digests — the same items, each with its version's
 * material digest instead of the guide (the guide only for a version
 * without a digest of format MD_FORMAT): the analyser's read, about a
 * tenth of the bytes. */
int store_catalogue_scan_digests(struct db *db, scan_cb cb, void *ctx,
                                 struct err *e);

/* ---- material digests (migration 12) -------------------------------------------- */

/* store_digest_put — the material digest of a version being published
 * (md_build of its guide), in the publication's unit. Digests are
 * immutable, like published versions (the database refuses UPDATE and
 * DELETE); a second put of the same version keeps the first. */
int store_digest_put(struct db *db, int64_t item_id, int version,
                     const char *guide, struct err *e);
/* store_digest_backfill — digests for every published, superseded or
 * abolished version that has none (run by migration 12 in its unit, and
 * harmless to run again); *added the number written (may be NULL). */
int store_digest_backfill(struct db *db, int *added, struct err *e);

#endif
