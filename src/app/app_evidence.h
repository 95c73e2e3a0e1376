/* app_evidence.h — the seam between the proofs module (issue "Proofs, data
 * sharing and electronic licences": app_proofs.c) and case intake
 * (app_cases.c): can a material of a guide be satisfied without the
 * applicant bringing it, and by what.
 *
 * Case intake calls app_evidence_resolve for each material whose guide
 * source is `licence` or `shared_data` (docs/catalogue.md "The guide"). The
 * proofs module answers from the electronic licence register or from the
 * shared data set the material names, and records the look-up in the data
 * sharing log (who, for which case, which data set and subject, when,
 * result) inside the same write unit as the intake — so it runs on the
 * writer connection `db`.
 *
 * Thread-safe; no state outside the database. */
#ifndef BIANMIN_APP_APP_EVIDENCE_H
#define BIANMIN_APP_APP_EVIDENCE_H

#include <stdint.h>

#include "../core/guide.h"
#include "../store/db.h"
#include "auth.h"

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

/* app_evidence_resolve — look up material m for `subject` (an 18-digit
 * resident ID or credit code, already validated) on behalf of `by` for case
 * `case_no`, inside the caller's write unit. Fills *out (kind NONE when
 * nothing valid was found: not an error). -1 only on a store error. */
int app_evidence_resolve(struct db *db, const struct actor *by,
                         const char *case_no,
                         const struct guide_material *m, const char *subject,
                         struct evidence *out, struct err *e);

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
