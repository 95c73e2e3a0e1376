/* proofs_internal.h — what the files of the proofs module (app_proofs.c,
 * app_proofs_evidence.c, app_proofs_audit.c) share and nobody else uses:
 * subject checks, masking and hashing, the provider table, one look-up and
 * its log row, and the body checks the demo loader reuses. */
#ifndef BIANMIN_APP_PROOFS_INTERNAL_H
#define BIANMIN_APP_PROOFS_INTERNAL_H

#include <jansson.h>
#include <stdint.h>

#include "../core/arena.h"
#include "../core/ids.h"
#include "../store/proofs.h"
#include "auth.h"

/* A data provider (docs/proofs.md "Providers"): lookup returns 1 with
 * *record (a new JSON object of field → value), 0 when the subject is not
 * there, -1 with e on failure (timeout, bad answer). */
struct share_provider {
    const char *kind; /* "builtin" | "http" */
    int remote; /* 1: asks over the network (never inside a write unit) */
    int (*lookup)(struct db *db, const struct dataset_row *ds,
                  const char *subject, json_t **record, struct err *e);
};
const struct share_provider *proofs_provider(const char *kind);

struct share_answer {
    const char *result; /* found | not_found | refused | error */
    json_t *record;     /* found: new reference */
    char detail[256];
    struct err err;     /* error: the provider's */
    int64_t at;         /* when the look-up was made; 0 = when logged */
};

/* proofs_share_run — the sharing condition, then the provider, on db (a
 * remote provider does not use db: NULL is fine). case_no only decides a
 * conditional data set's condition (a look-up for a case). */
void proofs_share_run(struct db *db, const struct dataset_row *ds,
                      const char *subject, const char *case_no,
                      const char *const *fields, int n_fields,
                      struct share_answer *ans);
/* proofs_share_log — the sharing-log row of one look-up (in a unit). */
int proofs_share_log(struct db *db, const struct actor *by,
                     const char *case_no, const char *dataset,
                     const char *subject, const char *material,
                     const char *fields, const struct share_answer *ans,
                     int64_t *id, struct err *e);

/* proofs_subject_check — an 18-digit resident ID (GB 11643) or a credit
 * code (GB 32100); ERR_INVALID naming field. */
int proofs_subject_check(const char *s, const char *field, struct err *e);
void proofs_mask_subject(const char *s, char out[IDS_CODE_SIZE]);
void proofs_subject_hash(const char *s, char out[65]);
int proofs_today(void); /* Shanghai date as yyyymmdd */
const char *proofs_status_title(const char *status);
/* proofs_dataset_exists — 1 / 0, -1 on a store error. */
int proofs_dataset_exists(struct db *db, const char *name, struct err *e);

/* Body checks (also used by the demo loader). */
int proofs_proof_prepare(const char *name, const json_t *body, struct arena *a,
                         struct proof_row *row, long long *revision,
                         struct err *e);
int proofs_dataset_prepare(const char *name, const json_t *body,
                           struct arena *a, struct dataset_row *row,
                           long long *revision, struct err *e);

#endif
