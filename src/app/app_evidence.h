/* app_evidence.h — the seam between the proofs module (issue "Proofs, data
 * sharing and electronic licences": app_proofs.c) and case intake
 * (app_cases.c): can a material of a guide be satisfied without the
 * applicant bringing it, and by what.
 *
 * Case intake looks up each material whose guide source is `licence` or
 * `shared_data`, or a `proof` the registry replaced (docs/catalogue.md "The
 * guide"), BEFORE its write unit is queued (docs/proofs.md "The seam with
 * case intake"): a look-up may ask another department's endpoint over the
 * network (the http provider, up to its timeout), and a write unit runs on
 * the one writer that every write of the service centre waits for. So:
 *
 *   1. app_evidence_prepare, on a read connection: which register or data
 *      set answers the material, and the local answers (the licence
 *      register, a builtin data set) at once;
 *   2. app_evidence_fetch, with no connection held: the remote answers;
 *   3. app_evidence_log, inside the intake's unit: the sharing-log row of
 *      each look-up (who, for which case, which data set and subject, when,
 *      result) — with the case, all or nothing. When the case's unit fails,
 *      the caller logs the look-ups in a unit of their own (case_no NULL),
 *      since the sharing log records every look-up actually made.
 *
 * Thread-safe; no state outside the database. */
#ifndef BIANMIN_APP_APP_EVIDENCE_H
#define BIANMIN_APP_APP_EVIDENCE_H

#include <stdint.h>

#include "../core/arena.h"
#include "../core/guide.h"
#include "../store/db.h"
#include "auth.h"

struct dataset_row;

enum evidence_kind {
    EVIDENCE_NONE = 0,  /* nothing found: the applicant must bring it */
    EVIDENCE_LICENCE,   /* a valid electronic licence of the subject */
    EVIDENCE_SHARED,    /* a record of a shared data set */
};

struct evidence {
    enum evidence_kind kind;
    char ref[64];      /* licence number, or data set + record key */
    char summary[256]; /* what was found, personal data masked (zh-CN) */
    int64_t lookup_id; /* the sharing-log row written for this look-up */
};

/* One look-up of one material for one subject, made before the write unit
 * and recorded in it. Strings live in the arena given to prepare. */
struct evidence_lookup {
    int index;             /* the material's index in the guide */
    const char *material;  /* its name */
    const char *dataset;   /* the data set logged (电子证照 for a licence) */
    const char *fields;    /* the fields (or licence type) logged */
    const char *subject;   /* resident ID or credit code */
    const char *result;    /* found | not_found | refused | error */
    char detail[256];      /* logged detail: what was found, or why not */
    int64_t at;            /* when it was made (the log row's time) */
    int remote;            /* 1: waits for app_evidence_fetch */
    struct dataset_row *ds; /* remote: the data set to ask */
    struct evidence ev;    /* the outcome; lookup_id once logged */
};

/* app_evidence_prepare — the look-up of material m (index `index` of the
 * guide) for `subject` (an 18-digit resident ID or credit code, already
 * validated), on `db` (a read connection; no write). Returns 1 with *out
 * filled when the material is looked up (a local answer is complete; a
 * remote one has out->remote set), 0 when the material is not one to look
 * up (applicant source, a proof not replaced by sharing or a licence), -1
 * only on a store error. */
int app_evidence_prepare(struct db *db, struct arena *a,
                         const struct guide_material *m, int index,
                         const char *subject, struct evidence_lookup *out,
                         struct err *e);

/* app_evidence_fetch — ask the remote provider of a prepared look-up
 * (nothing when it is not remote). No database; may take up to the data
 * set's timeout. A provider error is result `error`, never a failure (the
 * applicant then brings the material). */
void app_evidence_fetch(struct evidence_lookup *l);

/* app_evidence_log — the sharing-log row of look-up l on behalf of `by`
 * for case `case_no` (NULL when the case was not made), inside the
 * caller's write unit; sets l->ev.lookup_id. `note` (may be NULL) is
 * appended to the logged detail. */
int app_evidence_log(struct db *db, const struct actor *by,
                     const char *case_no, const char *note,
                     struct evidence_lookup *l, struct err *e);

/* app_licence_issue — record a result issued by a case as an electronic
 * licence of `holder` (type = the guide's result name), inside the caller's
 * write unit; *number gets the licence number. */
int app_licence_issue(struct db *db, const struct actor *by,
                      const char *type, const char *holder,
                      const char *holder_name, int64_t issuer_org_id,
                      const char *case_no, int64_t valid_until_ms,
                      char number[64], struct err *e);

/* app_evidence_commitment — the applicant signed the notification-
 * commitment (告知承诺) that replaces proof `proof` (a registry entry that
 * carries commitment terms) in case `case_no`, inside the caller's write
 * unit; the commitment joins the pool of the post-check draw
 * (app_proofs.h app_commitment_draw). *id gets its id. ERR_INVALID when the
 * proof allows no commitment, ERR_CONFLICT when the case already holds it,
 * ERR_NOT_FOUND when the proof is not in the registry. */
int app_evidence_commitment(struct db *db, const struct actor *by,
                            const char *case_no, const char *proof,
                            const char *applicant, const char *item_code,
                            int64_t *id, struct err *e);

#endif
