/* app_cases.h — use cases of cases (办件): filing from every channel,
 * materials (uploaded files, electronic licences and shared data looked up
 * through app_evidence.h, commitments), the intake decision (accept with a
 * receipt, one-time notice, refusal; immediate items decided on the spot),
 * handling (the guide's steps, parallel steps, pauses), decision,
 * delivery, closing, withdrawal, fees; reads for staff and applicants,
 * the public progress query, notices as JSON, the warning scan, and
 * uploads. Contract and rules: docs/cases.md; the state machine is
 * core/casefsm.h, the clock core/deadline.h.
 *
 * Writes follow app_orgs.h: *_prepare checks the body's shape on the
 * caller's thread (no database; the calendar is taken then) and returns a
 * `struct case_write` in the caller's arena; app_case_write_unit runs it
 * on the writer (scope, casefsm_check, the change with its event, the
 * evidence look-ups, the audit row: all or nothing). The arena must not be
 * touched while the unit runs; app_case_write_free releases what the write
 * holds outside the arena (the calendar, JSON) and may be registered with
 * http_on_complete.
 *
 * Permissions (auth.h, docs/permissions.md): the route gate checks
 * CAP_CASE_INTAKE / CAP_CASE_HANDLE / CAP_CASE_READ exist; here the
 * actor's grants on the case's region (and organisation) give the case
 * roles (CR_* of casefsm.h) the state machine checks. A case outside the
 * actor's scope answers ERR_NOT_FOUND, as a missing one does.
 *
 * Errors (err.h; field = JSON pointer into the body or the query
 * argument; messages zh-CN): ERR_INVALID 422, ERR_FORBIDDEN 403,
 * ERR_NOT_FOUND 404, ERR_CONFLICT 409 (wrong state, stale revision),
 * ERR_RATE 429 (public query), ERR_TOO_LARGE 413 / ERR_MEDIA 415 (files).
 * Thread-safe: no state beyond the store. */
#ifndef BIANMIN_APP_APP_CASES_H
#define BIANMIN_APP_APP_CASES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/arena.h"
#include "../core/casefsm.h"
#include "../store/db.h"
#include "app.h"

#define APP_CASE_PAGE_MAX 200
#define APP_CASE_PAGE_DEFAULT 50
#define APP_FILE_MAX (10 * 1024 * 1024) /* bytes of one upload */
/* The public query: failed look-ups allowed per key and window. */
#define APP_PROGRESS_WINDOW_MS (10 * 60 * 1000)
#define APP_PROGRESS_MAX_PER_IP 20
#define APP_PROGRESS_MAX_PER_CASE 10

/* ---- writes ------------------------------------------------------------- */

struct case_write;

/* app_case_submit_prepare — body
 *   {item_id, channel, applicant: {kind: natural|legal, name, id_no |
 *    credit_code, phone?}, agent?: {name, id_no?, phone?, entrustment?:
 *    sha256 of an uploaded file}, conditions?: [material index…],
 *    materials?: [{index, file: sha256} | {index, commitment: true}]}
 * An applicant filing for themselves (online, mobile, self_service) is the
 * account's own person: applicant is taken from the account. */
int app_case_submit_prepare(struct app *app, const struct actor *actor,
                            const json_t *body, struct arena *a,
                            struct case_write **out, struct err *e);

/* app_case_action_prepare — an action on case `no` (CA_NOTICE …, not
 * CA_SUBMIT), body by action (docs/cases.md "Actions"):
 *   notice   {items: [{index, reason}]}
 *   supply   {materials: [{index, file} | {index, commitment: true}]}
 *   accept   {opinion?} — immediate items also {decision, reason?, basis?,
 *            result?, method?, tracking_no?}
 *   refuse   {reason, basis}
 *   dispatch {departments: [org id…]}
 *   answer   {department: org id, opinion}
 *   step     {opinion}
 *   pause    {kind, reason, limit_days}
 *   resume   {opinion?}
 *   decide   {decision: grant|deny, reason?, basis?, result?, valid_until?}
 *   deliver  {method: pickup|mail|electronic, tracking_no?}
 *   close    {}
 *   withdraw {reason}
 *   fee      {amount_fen, receipt_no}
 * every body may carry revision (the case's revision read: ERR_CONFLICT
 * when it moved). */
int app_case_action_prepare(struct app *app, const struct actor *actor,
                            const char *no, enum case_action act,
                            const json_t *body, struct arena *a,
                            struct case_write **out, struct err *e);

/* app_case_submit_lookups — for a filing (else nothing): the evidence
 * look-ups of its materials (app_evidence.h: licences, shared data,
 * replaced proofs), made now, before the unit is queued, on a read
 * connection and — for another department's endpoint — over the network
 * with no connection held (up to the data set's timeout: not on an HTTP
 * polling thread). The same checks as the unit come first, so a filing
 * the unit would refuse makes no look-up. The unit only records them (the
 * sharing-log rows with the case); it refuses a filing whose look-ups were
 * not made, and answers ERR_CONFLICT when the item's guide version or the
 * applicant moved in between. -1 on a refused filing or a store error. */
int app_case_submit_lookups(struct app *app, struct case_write *w,
                            struct err *e);
/* app_case_write_lookups — how many look-ups the write made. */
int app_case_write_lookups(const struct case_write *w);
/* app_case_lookup_log_unit — a unit (arg: the write) logging its look-ups
 * with no case (detail "办件未能提交"), for when the filing's own unit
 * failed: the sharing log records every look-up made. */
int app_case_lookup_log_unit(struct db *db, void *w, struct err *e);

/* app_case_write_at — run the write as if at now_ms (tests; 0 = clock). */
void app_case_write_at(struct case_write *w, int64_t now_ms);
int app_case_write_unit(struct db *db, void *w, struct err *e);
/* app_case_write_run — the look-ups (app_case_submit_lookups), store_write
 * of the unit, and when it fails after look-ups, their own log unit (not on
 * a polling thread). */
int app_case_write_run(struct app *app, struct case_write *w, struct err *e);
/* app_case_write_result — the case after the write: {case_no, state,
 * state_title, step, revision, due_date, …; query_code after submit}
 * (new reference). */
json_t *app_case_write_result(const struct case_write *w);
const char *app_case_write_no(const struct case_write *w);
void app_case_write_free(void *w);

/* ---- provisional due dates --------------------------------------------- */

struct app_cal;

/* app_cases_recompute_provisional — inside a write unit (after
 * store_order_lock, exclusive): every open case (handling, paused) whose due date
 * is provisional (it counted a year not yet known Mon–Fri, core/deadline.h)
 * is counted again on `cal` (built on this unit's connection with the
 * newly imported year, app_cal_build_on) — due, legal due and warn days,
 * the flag cleared when every year needed is now known. Each case that
 * changes is written with store_case_set_clock (revision + 1, no event:
 * this is no action of the case) and gets an audit row
 * "case.due_recomputed" (detail: from/to dates and flags; actor `by`, NULL
 * = the command line). *changed = how many. */
int app_cases_recompute_provisional(struct db *db, const struct app_cal *cal,
                                    int64_t now, const struct actor *by,
                                    int *changed, struct err *e);

/* ---- reads -------------------------------------------------------------- */

/* app_case_get — the whole case as staff and the applicant see it
 * (materials, steps, tasks, pauses, events, deadlines, level); the read is
 * audited (case.read). */
int app_case_get(struct app *app, const struct actor *actor, const char *no,
                 json_t **out, struct err *e);

struct case_query {
    const char *region; /* 12 digits: that subtree (within one's scope);
                           NULL = one's first case_read grant */
    int64_t org_id;     /* 0 = any */
    const char *state;  /* one state name; NULL = any */
    int mine;           /* 1: the cases one filed (agents, clerks) */
    int64_t before;     /* next page: ids below this */
    int limit;          /* 1..APP_CASE_PAGE_MAX; 0 = default */
};
/* app_case_list — {"items": [summary…], "next_before": id|null}.
 * Applicants always get their own cases. */
int app_case_list(struct app *app, const struct actor *actor,
                  const struct case_query *q, json_t **out, struct err *e);

/* app_case_notices — {"notices": [notice…]} or, with kind (receipt |
 * notice | refusal | decision | delivery), that one notice (ERR_NOT_FOUND
 * when the case has none of that kind). Each cites the item's legal
 * basis and prints the case number. */
int app_case_notices(struct app *app, const struct actor *actor,
                     const char *no, const char *kind, json_t **out,
                     struct err *e);

/* app_case_progress — the public view by number and query code: the
 * timeline in plain words, current step, due date, result when ready;
 * names and numbers masked. A wrong code and a missing case give the same
 * ERR_NOT_FOUND; failures are counted per peer (`ip`) and per number in
 * the database, and past APP_PROGRESS_MAX_* in a window the answer is
 * ERR_RATE whatever the input. Not on a polling thread (it may write). */
int app_case_progress(struct app *app, const char *no, const char *code,
                      const char *ip, json_t **out, struct err *e);

struct warn_query {
    const char *region; /* 12 digits; NULL = one's first case_warnings grant */
    int64_t org_id;     /* > 0: that office instead of a region */
    const char *level;  /* red | yellow | NULL (both) */
    const char *after;  /* the previous page's "next" cursor; NULL = first */
    int limit;          /* rows, 1..APP_CASE_PAGE_MAX; 0 = default */
    int64_t today;      /* day number; 0 = today (tests, the CLI's --date) */
};
/* app_case_warnings — the deadline warning scan of a region subtree or an
 * office: {"scope", "today", "red": n, "yellow": n, "items": [{case_no,
 * item, org: {id, name}, region, state, due_date, warn_date,
 * remaining_workdays, level, due_provisional}], "next": cursor | null}.
 * Counts cover the whole scope; items are the running cases past their
 * warn day, red first (most overdue first), then yellow (nearest due
 * first), `limit` a page, keyset-paged by `next`. Paused cases are never
 * listed (their clock stands). The actor needs CAP_CASE_WARNINGS on the
 * region (a grant limited to an organisation: that office only);
 * ERR_FORBIDDEN otherwise. actor NULL = the trusted command line. */
int app_case_warnings(struct app *app, const struct actor *actor,
                      const struct warn_query *q, json_t **out,
                      struct err *e);

/* ---- files -------------------------------------------------------------- */

/* app_file_store — keep an upload content-addressed: type must be
 * application/pdf, image/jpeg or image/png and the bytes must start as
 * that type does; 1..APP_FILE_MAX bytes. Written to
 * <files dir>/<2 hex>/<sha256> (fsync'd) and recorded (hash, size, type,
 * who) durably. {"sha256", "size", "type"}. Not on a polling thread. */
int app_file_store(struct app *app, const struct actor *actor,
                   const void *data, size_t n, const char *type,
                   const char *name, json_t **out, struct err *e);

#endif
