/* cases.h — SQL for cases (migration 8, docs/cases.md): the case row, its
 * events (append-only; the database refuses to change or delete one, and
 * refuses a change of state whose event is not the case's newest), its
 * materials, parallel tasks and pauses, case-number counters, uploaded
 * files, the public query throttle and the warning scan.
 *
 * Rows read are copied into the caller's arena (strings NULL for SQL
 * NULL). Writes run inside the caller's write unit (store.h). Errors as in
 * db.h; ERR_NOT_FOUND where said. Thread-safe as far as each `struct db`
 * is used by one thread. */
#ifndef BIANMIN_STORE_CASES_H
#define BIANMIN_STORE_CASES_H

#include <stdint.h>

#include "../core/arena.h"
#include "db.h"

struct case_row {
    int64_t id;
    const char *case_no, *query_code;
    int64_t item_id;
    int item_version;
    int64_t org_id;
    const char *region, *r1, *r2, *r3, *r4;
    const char *kind, *channel, *state;
    const char *applicant_kind, *applicant_name, *applicant_id,
        *applicant_phone;
    int64_t applicant_user; /* 0 = none */
    const char *agent_name, *agent_id_no, *agent_phone, *entrustment;
    int64_t filed_by;
    int step, notices;
    int64_t submitted_at, accepted_at, decided_at, closed_at; /* 0 = not */
    const char *decision, *result, *licence_no;
    int limit_days, legal_limit_days; /* -1 = not set */
    int64_t due_day, legal_due_day, warn_day; /* 0 = not set */
    int due_provisional; /* 1: a due date counts a year not yet known by
                            the weekday rule (migration 10) */
    int warn_workdays;   /* the yellow threshold frozen at acceptance
                            (migration 11); 0 = not set */
    int64_t paused_at;
    const char *delivery_method, *tracking_no;
    int64_t revision, updated_at;
    /* read only, joined: the item's code, the base item's name, the org's
     * name, the frozen version's guide (JSON text) */
    const char *item_code, *item_name, *org_name, *guide;
};

/* store_case_next_seq — the next sequence number of (region, day), taken
 * by upserting the counter row inside the unit. */
int store_case_next_seq(struct db *db, const char *region, int64_t day,
                        int64_t *seq, struct err *e);

/* store_case_insert — a new case (state must be 'submitted'); *id. */
int store_case_insert(struct db *db, const struct case_row *c, int64_t *id,
                      struct err *e);

/* store_case_get / store_case_get_id — the case with its joined fields;
 * ERR_NOT_FOUND "没有这个办件". */
int store_case_get(struct db *db, const char *case_no, struct arena *a,
                   struct case_row *out, struct err *e);
int store_case_get_id(struct db *db, int64_t id, struct arena *a,
                      struct case_row *out, struct err *e);

/* An event (to_state NULL = the state stays). */
struct case_event_row {
    int64_t id, case_id;
    const char *action, *from_state, *to_state;
    int step; /* -1 = none */
    int64_t actor_id;
    const char *actor_login, *role;
    int64_t at;
    const char *reason, *detail; /* detail: JSON object text or NULL */
};

/* store_case_apply — the one way a case changes state: append `ev` (its
 * case_id, from_state = the stored state), then write every mutable
 * column of c (state, step, notices, times, decision, result, licence,
 * limits, days and their provisional flag, warning threshold, pause,
 * delivery) where c->id
 * still has c->revision; revision + 1. ERR_CONFLICT "办件已被他人修改" when the
 * revision moved. */
int store_case_apply(struct db *db, const struct case_row *c,
                     const struct case_event_row *ev, struct err *e);

/* store_case_provisional — the open cases (handling, paused) whose due
 * date is provisional, by id, with their joined fields but no guide. */
int store_case_provisional(struct db *db, struct arena *a,
                           struct case_row **out, int *n, struct err *e);

/* store_case_set_clock — the clock alone, recomputed when a year's
 * holidays are imported: due_day, legal_due_day, warn_day,
 * due_provisional and updated_at of c->id where it still has c->revision;
 * revision + 1. No state change and no event (the audit log records it,
 * app_cases.h). ERR_CONFLICT when the revision moved. */
int store_case_set_clock(struct db *db, const struct case_row *c,
                         struct err *e);

/* store_case_event_add — the first event of a new case (submit): its
 * creation, not a change. */
int store_case_event_add(struct db *db, const struct case_event_row *ev,
                         struct err *e);

/* store_case_events — every event of a case by id. */
int store_case_events(struct db *db, int64_t case_id, struct arena *a,
                      struct case_event_row **out, int *n, struct err *e);

struct case_material_row {
    int idx;
    const char *name, *need, *source, *status;
    const char *file, *evidence_ref, *evidence_summary;
    int64_t lookup_id;
    int noticed;
    const char *notice_reason;
};
/* store_case_material_put — insert or replace material idx of the case. */
int store_case_material_put(struct db *db, int64_t case_id,
                            const struct case_material_row *m, int64_t now,
                            struct err *e);
int store_case_materials(struct db *db, int64_t case_id, struct arena *a,
                         struct case_material_row **out, int *n,
                         struct err *e);

struct case_task_row {
    int step;
    int64_t dept_id;
    const char *dept_name, *dept_region, *opinion, *actor_login;
    int64_t actor_id, answered_at; /* 0 = not yet */
};
int store_case_task_add(struct db *db, int64_t case_id, int step,
                        int64_t dept_id, struct err *e);
/* store_case_task_answer — record the department's answer once;
 * *changed 0 when it had answered already or is not a task. */
int store_case_task_answer(struct db *db, int64_t case_id, int step,
                           int64_t dept_id, const char *opinion,
                           int64_t actor_id, const char *actor_login,
                           int64_t at, int64_t *changed, struct err *e);
int store_case_tasks(struct db *db, int64_t case_id, struct arena *a,
                     struct case_task_row **out, int *n, struct err *e);

struct case_pause_row {
    int n;
    const char *kind, *reason;
    int limit_days;
    int64_t start_at, end_at; /* end_at 0 = still paused */
};
int store_case_pause_add(struct db *db, int64_t case_id,
                         const struct case_pause_row *p, struct err *e);
/* store_case_pause_end — end the open pause at `at`. */
int store_case_pause_end(struct db *db, int64_t case_id, int64_t at,
                         struct err *e);
int store_case_pauses(struct db *db, int64_t case_id, struct arena *a,
                      struct case_pause_row **out, int *n, struct err *e);

/* A list of cases, newest first; every filter optional. */
struct case_filter {
    const char *region;   /* 12 digits: that subtree (by prefix) */
    int64_t org_id;       /* 0 = any */
    int64_t applicant_user; /* > 0: only the applicant's own */
    int64_t filed_by;     /* > 0: only those filed by this account */
    const char *state;    /* NULL = any */
    int64_t before;       /* id < before; 0 = from the newest */
    int limit;
};
int store_case_list(struct db *db, const struct case_filter *f,
                    struct arena *a, struct case_row **out, int *n,
                    struct err *e);

/* The warning scan (docs/cases.md "The warning scan"): running clocks
 * whose warn_day <= today, in one region column ("r1".."r4": the
 * province, city, county or township subtree; "region": one village or
 * other leaf) or one org. Each scope column has two partial indexes WHERE
 * warn_day IS NOT NULL: (col, warn_day, due_day) — the flagged cases are
 * one range — and (col, due_day, warn_day) — the red ones are one range,
 * and pages come in due order. No query reads a green or paused case. */
enum case_scope_col {
    CASE_SCOPE_R1 = 1,
    CASE_SCOPE_R2,
    CASE_SCOPE_R3,
    CASE_SCOPE_R4,
    CASE_SCOPE_REGION,
    CASE_SCOPE_ORG,
};
struct case_warn_row {
    int64_t id;
    const char *case_no, *state, *region, *item_name, *org_name;
    int64_t org_id, due_day, warn_day;
    int due_provisional;
};
/* store_case_warn_counts — *red (due_day < today) and *yellow (the rest
 * with warn_day <= today) in the scope (key: the code, or the org id as
 * decimal text). */
int store_case_warn_counts(struct db *db, enum case_scope_col col,
                           const char *key, int64_t today, int64_t *red,
                           int64_t *yellow, struct err *e);
/* store_case_warn_list — up to limit flagged rows of the scope ordered by
 * (due_day, warn_day, id) — red first, most overdue first, then yellow,
 * nearest due first — strictly after the keyset `after` (due_day,
 * warn_day, id; pass {-1, -1, 0} for the first page). level: 0 both,
 * 1 yellow only, 2 red only. */
int store_case_warn_list(struct db *db, enum case_scope_col col,
                         const char *key, int64_t today, int level,
                         const int64_t after[3], int limit, struct arena *a,
                         struct case_warn_row **out, int *n, struct err *e);

/* The item a case is filed against: its published version and guide. */
struct case_item {
    int64_t item_id, org_id;
    int version; /* 0 = no published version */
    const char *state, *region, *code, *name, *guide, *legal_basis,
        *org_name, *org_credit;
};
/* store_case_item — ERR_NOT_FOUND "没有这个事项". */
int store_case_item(struct db *db, int64_t item_id, struct arena *a,
                    struct case_item *out, struct err *e);
/* store_case_org — region and name of org id; ERR_NOT_FOUND. */
int store_case_org(struct db *db, int64_t org_id, struct arena *a,
                   const char **region, const char **name, struct err *e);

/* Files. store_file_put: insert (an existing hash is left alone). */
int store_file_put(struct db *db, const char *sha256, int64_t size,
                   const char *type, const char *name, int64_t by, int64_t at,
                   struct err *e);
/* store_file_exists — 1 when the hash is recorded, 0 when not. */
int store_file_exists(struct db *db, const char *sha256, struct err *e);

/* The throttle: failures of `key` since window_start >= since. */
int store_case_throttle_fails(struct db *db, const char *key, int64_t since,
                         int64_t *fails, struct err *e);
/* store_case_throttle_fail — count one failure at `now`; a window that started
 * before `since` starts again. */
int store_case_throttle_fail(struct db *db, const char *key, int64_t now,
                        int64_t since, struct err *e);

#endif
