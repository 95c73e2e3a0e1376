/* cases.c — SQL for cases: the case row and its change (event first, then
 * the row, both in the caller's unit), events, materials, parallel tasks,
 * pauses, counters, files, the query throttle and the warning scan. One
 * SQL text serves both drivers (db.h). No state. Contract in cases.h. */
#include "cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- SQL ------------------------------------------------------------------ */

#define CASE_COLS                                                              \
    "c.id, c.case_no, c.query_code, c.item_id, c.item_version, c.org_id, "     \
    "c.region, c.r1, c.r2, c.r3, c.r4, c.kind, c.channel, c.state, "           \
    "c.applicant_kind, c.applicant_name, c.applicant_id, c.applicant_phone, "  \
    "c.applicant_user, c.agent_name, c.agent_id_no, c.agent_phone, "           \
    "c.entrustment, c.filed_by, c.step, c.notices, c.submitted_at, "           \
    "c.accepted_at, c.decided_at, c.closed_at, c.decision, c.result, "         \
    "c.licence_no, c.limit_days, c.legal_limit_days, c.due_day, "              \
    "c.legal_due_day, c.warn_day, c.paused_at, c.delivery_method, "            \
    "c.tracking_no, c.revision, c.updated_at, i.code, b.name, o.name, "        \
    "c.due_provisional, c.warn_workdays "
#define CASE_FROM                                                              \
    "FROM cases c JOIN items i ON i.id = c.item_id "                           \
    "JOIN base_items b ON b.id = i.base_id JOIN orgs o ON o.id = c.org_id "

static const char SQL_CASE_BY_NO[] =
    "SELECT " CASE_COLS ", v.guide " CASE_FROM
    "JOIN item_versions v ON v.item_id = c.item_id "
    "AND v.version = c.item_version WHERE c.case_no = $1";
static const char SQL_CASE_BY_ID[] =
    "SELECT " CASE_COLS ", v.guide " CASE_FROM
    "JOIN item_versions v ON v.item_id = c.item_id "
    "AND v.version = c.item_version WHERE c.id = $1";
static const char SQL_CASE_LIST[] =
    "SELECT " CASE_COLS ", NULL " CASE_FROM
    "WHERE (CAST($1 AS TEXT) = '' OR c.region LIKE $1) "
    "AND (CAST($2 AS BIGINT) = 0 OR c.org_id = $2) "
    "AND (CAST($3 AS BIGINT) = 0 OR c.applicant_user = $3) "
    "AND (CAST($4 AS BIGINT) = 0 OR c.filed_by = $4) "
    "AND (CAST($5 AS TEXT) = '' OR c.state = $5) "
    "AND (CAST($6 AS BIGINT) = 0 OR c.id < $6) "
    "ORDER BY c.id DESC LIMIT $7";

static const char SQL_SEQ[] =
    "INSERT INTO case_counters (region, day, last) VALUES ($1, $2, 1) "
    "ON CONFLICT (region, day) DO UPDATE SET last = case_counters.last + 1 "
    "RETURNING last";

static const char SQL_CASE_INSERT[] =
    "INSERT INTO cases (case_no, query_code, item_id, item_version, org_id, "
    "region, r1, r2, r3, r4, kind, channel, state, applicant_kind, "
    "applicant_name, applicant_id, applicant_phone, applicant_user, "
    "agent_name, agent_id_no, agent_phone, entrustment, filed_by, step, "
    "notices, submitted_at, limit_days, legal_limit_days, revision, "
    "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
    "'submitted', $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, 0, "
    "$24, $25, $26, 1, $24) RETURNING id";

static const char SQL_EVENT_INSERT[] =
    "INSERT INTO case_events (case_id, action, from_state, to_state, step, "
    "actor_id, actor_login, role, at, reason, detail) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

static const char SQL_CASE_UPDATE[] =
    "UPDATE cases SET state = $3, step = $4, notices = $5, accepted_at = $6, "
    "decided_at = $7, closed_at = $8, decision = $9, result = $10, "
    "licence_no = $11, limit_days = $12, legal_limit_days = $13, "
    "due_day = $14, legal_due_day = $15, warn_day = $16, paused_at = $17, "
    "delivery_method = $18, tracking_no = $19, updated_at = $20, "
    "due_provisional = $21, warn_workdays = $22, "
    "revision = revision + 1 WHERE id = $1 AND revision = $2";

static const char SQL_CASE_CLOCK[] =
    "UPDATE cases SET due_day = $3, legal_due_day = $4, warn_day = $5, "
    "due_provisional = $6, updated_at = $7, revision = revision + 1 "
    "WHERE id = $1 AND revision = $2";

static const char SQL_CASE_PROVISIONAL[] =
    "SELECT " CASE_COLS ", NULL " CASE_FROM
    "WHERE c.due_provisional = 1 AND c.state IN ('handling', 'paused') "
    "AND c.accepted_at IS NOT NULL ORDER BY c.id";

static const char SQL_EVENTS[] =
    "SELECT id, case_id, action, from_state, to_state, step, actor_id, "
    "actor_login, role, at, reason, detail FROM case_events "
    "WHERE case_id = $1 ORDER BY id";

static const char SQL_MATERIAL_PUT[] =
    "INSERT INTO case_materials (case_id, idx, name, need, source, status, "
    "file, evidence_ref, evidence_summary, lookup_id, noticed, notice_reason, "
    "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
    "$13) ON CONFLICT (case_id, idx) DO UPDATE SET status = $6, file = $7, "
    "evidence_ref = $8, evidence_summary = $9, lookup_id = $10, "
    "noticed = $11, notice_reason = $12, updated_at = $13";
static const char SQL_MATERIALS[] =
    "SELECT idx, name, need, source, status, file, evidence_ref, "
    "evidence_summary, lookup_id, noticed, notice_reason FROM case_materials "
    "WHERE case_id = $1 ORDER BY idx";

static const char SQL_TASK_ADD[] =
    "INSERT INTO case_tasks (case_id, step, dept_id) VALUES ($1, $2, $3)";
static const char SQL_TASK_ANSWER[] =
    "UPDATE case_tasks SET opinion = $4, actor_id = $5, actor_login = $6, "
    "answered_at = $7 WHERE case_id = $1 AND step = $2 AND dept_id = $3 "
    "AND answered_at IS NULL";
static const char SQL_TASKS[] =
    "SELECT t.step, t.dept_id, o.name, t.opinion, t.actor_login, t.actor_id, "
    "t.answered_at, o.region FROM case_tasks t JOIN orgs o ON o.id = t.dept_id "
    "WHERE t.case_id = $1 ORDER BY t.step, t.dept_id";

static const char SQL_PAUSE_ADD[] =
    "INSERT INTO case_pauses (case_id, n, kind, reason, limit_days, "
    "start_at) VALUES ($1, $2, $3, $4, $5, $6)";
static const char SQL_PAUSE_END[] =
    "UPDATE case_pauses SET end_at = $2 WHERE case_id = $1 AND end_at IS NULL";
static const char SQL_PAUSES[] =
    "SELECT n, kind, reason, limit_days, start_at, end_at FROM case_pauses "
    "WHERE case_id = $1 ORDER BY n";

/* The warning scan: one text per scope column (each has its two indexes,
 * migrations 8 and 11). The flagged cases (warn_day <= today) are one
 * range of (col, warn_day, …), counted from the index alone; the red ones
 * (due_day < today) one range of (col, due_day, …). */
#define WARN_COUNT(col, key)                                                   \
    "SELECT (SELECT count(*) FROM cases WHERE " col " = " key " "              \
    "AND warn_day IS NOT NULL AND warn_day <= $2), "                           \
    "(SELECT count(*) FROM cases WHERE " col " = " key " "                     \
    "AND warn_day IS NOT NULL AND due_day < $2)"
static const char SQL_WARN_COUNT_R1[] = WARN_COUNT("r1", "$1");
static const char SQL_WARN_COUNT_R2[] = WARN_COUNT("r2", "$1");
static const char SQL_WARN_COUNT_R3[] = WARN_COUNT("r3", "$1");
static const char SQL_WARN_COUNT_R4[] = WARN_COUNT("r4", "$1");
static const char SQL_WARN_COUNT_REGION[] = WARN_COUNT("region", "$1");
static const char SQL_WARN_COUNT_ORG[] =
    WARN_COUNT("org_id", "CAST($1 AS BIGINT)");
/* The page: the scope's flagged cases in (due_day, warn_day, id) order —
 * red first, most overdue first, then yellow, nearest due first — after
 * the keyset, read in the order of (col, due_day, warn_day, id): red is
 * due_day < today, yellow due_day >= today, so a level is a bound of
 * the range ($3 the upper due day, exclusive; the keyset $5..$7 the lower
 * one); `+warn_day` keeps the planners on that index (the flag is a
 * filter here, not the range). Names are joined for the page's rows
 * only. */
#define WARN_LIST(col, key)                                                    \
    "SELECT c.id, c.case_no, c.state, c.region, b.name, c.org_id, o.name, "    \
    "c.due_day, c.warn_day, c.due_provisional FROM (SELECT id FROM cases "     \
    "WHERE " col " = " key " AND warn_day IS NOT NULL AND +warn_day <= $2 "    \
    "AND due_day < $3 AND (due_day, warn_day, id) > ($5, $6, $7) "             \
    "ORDER BY due_day, warn_day, id LIMIT $4) s JOIN cases c ON c.id = s.id "  \
    "JOIN items i ON i.id = c.item_id JOIN base_items b ON b.id = i.base_id "  \
    "JOIN orgs o ON o.id = c.org_id ORDER BY c.due_day, c.warn_day, c.id"
static const char SQL_WARN_LIST_R1[] = WARN_LIST("r1", "$1");
static const char SQL_WARN_LIST_R2[] = WARN_LIST("r2", "$1");
static const char SQL_WARN_LIST_R3[] = WARN_LIST("r3", "$1");
static const char SQL_WARN_LIST_R4[] = WARN_LIST("r4", "$1");
static const char SQL_WARN_LIST_REGION[] = WARN_LIST("region", "$1");
static const char SQL_WARN_LIST_ORG[] =
    WARN_LIST("org_id", "CAST($1 AS BIGINT)");

static const char SQL_ITEM[] =
    "SELECT i.id, i.org_id, COALESCE(i.current_version, 0), i.state, "
    "i.region, i.code, b.name, v.guide, b.legal_basis, o.name, "
    "o.credit_code FROM items i JOIN base_items b ON b.id = i.base_id "
    "JOIN orgs o ON o.id = i.org_id LEFT JOIN item_versions v "
    "ON v.item_id = i.id AND v.version = i.current_version WHERE i.id = $1";
static const char SQL_ORG[] = "SELECT region, name FROM orgs WHERE id = $1";

static const char SQL_FILE_PUT[] =
    "INSERT INTO files (sha256, size, type, name, uploaded_by, at) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha256) DO NOTHING";
static const char SQL_FILE_EXISTS[] =
    "SELECT count(*) FROM files WHERE sha256 = $1";

static const char SQL_THROTTLE_GET[] =
    "SELECT fails FROM query_throttle WHERE key = $1 AND window_start >= $2";
static const char SQL_THROTTLE_FAIL[] =
    "INSERT INTO query_throttle (key, window_start, fails) VALUES ($1, $2, 1) "
    "ON CONFLICT (key) DO UPDATE SET "
    "fails = CASE WHEN query_throttle.window_start < $3 THEN 1 "
    "ELSE query_throttle.fails + 1 END, "
    "window_start = CASE WHEN query_throttle.window_start < $3 THEN $2 "
    "ELSE query_throttle.window_start END";

/* ---- helpers ------------------------------------------------------------- */

static const char *dup(struct arena *a, struct db_res *r, int i)
{
    const char *s = db_text(r, i);
    return s ? arena_strdup(a, s) : NULL;
}

static int int_or(struct db_res *r, int i, int def)
{
    return db_null(r, i) ? def : (int)db_int(r, i);
}

static void read_case(struct db_res *r, struct arena *a, struct case_row *c)
{
    memset(c, 0, sizeof *c);
    c->id = db_int(r, 0);
    c->case_no = dup(a, r, 1);
    c->query_code = dup(a, r, 2);
    c->item_id = db_int(r, 3);
    c->item_version = (int)db_int(r, 4);
    c->org_id = db_int(r, 5);
    c->region = dup(a, r, 6);
    c->r1 = dup(a, r, 7);
    c->r2 = dup(a, r, 8);
    c->r3 = dup(a, r, 9);
    c->r4 = dup(a, r, 10);
    c->kind = dup(a, r, 11);
    c->channel = dup(a, r, 12);
    c->state = dup(a, r, 13);
    c->applicant_kind = dup(a, r, 14);
    c->applicant_name = dup(a, r, 15);
    c->applicant_id = dup(a, r, 16);
    c->applicant_phone = dup(a, r, 17);
    c->applicant_user = db_int(r, 18);
    c->agent_name = dup(a, r, 19);
    c->agent_id_no = dup(a, r, 20);
    c->agent_phone = dup(a, r, 21);
    c->entrustment = dup(a, r, 22);
    c->filed_by = db_int(r, 23);
    c->step = (int)db_int(r, 24);
    c->notices = (int)db_int(r, 25);
    c->submitted_at = db_int(r, 26);
    c->accepted_at = db_int(r, 27);
    c->decided_at = db_int(r, 28);
    c->closed_at = db_int(r, 29);
    c->decision = dup(a, r, 30);
    c->result = dup(a, r, 31);
    c->licence_no = dup(a, r, 32);
    c->limit_days = int_or(r, 33, -1);
    c->legal_limit_days = int_or(r, 34, -1);
    c->due_day = db_int(r, 35);
    c->legal_due_day = db_int(r, 36);
    c->warn_day = db_int(r, 37);
    c->paused_at = db_int(r, 38);
    c->delivery_method = dup(a, r, 39);
    c->tracking_no = dup(a, r, 40);
    c->revision = db_int(r, 41);
    c->updated_at = db_int(r, 42);
    c->item_code = dup(a, r, 43);
    c->item_name = dup(a, r, 44);
    c->org_name = dup(a, r, 45);
    c->due_provisional = (int)db_int(r, 46);
    c->warn_workdays = (int)db_int(r, 47);
    c->guide = dup(a, r, 48);
}

#define PI(x) DBP_INT(x)
#define PT(x) DBP_TEXT_OR_NULL(x)
/* An integer that is NULL when 0 (times, days, users). */
static struct db_param pi0(int64_t v)
{
    return v ? DBP_INT(v) : DBP_NULL;
}
/* An integer that is NULL when negative (limits). */
static struct db_param pineg(int64_t v)
{
    return v >= 0 ? DBP_INT(v) : DBP_NULL;
}

/* ---- cases --------------------------------------------------------------- */

int store_case_next_seq(struct db *db, const char *region, int64_t day,
                        int64_t *seq, struct err *e)
{
    struct db_param p[] = {DBP_TEXT(region), PI(day)};
    return db_query_int(db, SQL_SEQ, p, 2, seq, e);
}

int store_case_insert(struct db *db, const struct case_row *c, int64_t *id,
                      struct err *e)
{
    struct db_param p[] = {
        DBP_TEXT(c->case_no),     DBP_TEXT(c->query_code),
        PI(c->item_id),           PI(c->item_version),
        PI(c->org_id),            DBP_TEXT(c->region),
        DBP_TEXT(c->r1),          PT(c->r2),
        PT(c->r3),                PT(c->r4),
        DBP_TEXT(c->kind),        DBP_TEXT(c->channel),
        DBP_TEXT(c->applicant_kind), DBP_TEXT(c->applicant_name),
        DBP_TEXT(c->applicant_id), PT(c->applicant_phone),
        pi0(c->applicant_user),   PT(c->agent_name),
        PT(c->agent_id_no),       PT(c->agent_phone),
        PT(c->entrustment),       pi0(c->filed_by),
        PI(c->step),              PI(c->submitted_at),
        pineg(c->limit_days),     pineg(c->legal_limit_days),
    };
    return db_query_int(db, SQL_CASE_INSERT, p, 26, id, e);
}

static int get_one(struct db *db, const char *sql, struct db_param p,
                   struct arena *a, struct case_row *out, struct err *e)
{
    struct db_res *r;
    if (db_query(db, sql, &p, 1, &r, e))
        return -1;
    int rc = db_next(r, e);
    if (rc == 1)
        read_case(r, a, out);
    db_res_free(r);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个办件");
    return 0;
}

int store_case_get(struct db *db, const char *case_no, struct arena *a,
                   struct case_row *out, struct err *e)
{
    return get_one(db, SQL_CASE_BY_NO, DBP_TEXT(case_no), a, out, e);
}

int store_case_get_id(struct db *db, int64_t id, struct arena *a,
                      struct case_row *out, struct err *e)
{
    return get_one(db, SQL_CASE_BY_ID, DBP_INT(id), a, out, e);
}

int store_case_apply(struct db *db, const struct case_row *c,
                     const struct case_event_row *ev, struct err *e)
{
    struct db_param pe[] = {
        PI(c->id),
        DBP_TEXT(ev->action),
        PT(ev->from_state),
        DBP_TEXT(ev->to_state ? ev->to_state : c->state),
        ev->step >= 0 ? PI(ev->step) : DBP_NULL,
        pi0(ev->actor_id),
        PT(ev->actor_login),
        PT(ev->role),
        PI(ev->at),
        PT(ev->reason),
        PT(ev->detail),
    };
    if (db_exec(db, SQL_EVENT_INSERT, pe, 11, NULL, e))
        return -1;
    struct db_param p[] = {
        PI(c->id),
        PI(c->revision),
        DBP_TEXT(c->state),
        PI(c->step),
        PI(c->notices),
        pi0(c->accepted_at),
        pi0(c->decided_at),
        pi0(c->closed_at),
        PT(c->decision),
        PT(c->result),
        PT(c->licence_no),
        pineg(c->limit_days),
        pineg(c->legal_limit_days),
        pi0(c->due_day),
        pi0(c->legal_due_day),
        pi0(c->warn_day),
        pi0(c->paused_at),
        PT(c->delivery_method),
        PT(c->tracking_no),
        PI(c->updated_at),
        PI(c->due_provisional ? 1 : 0),
        pi0(c->warn_workdays),
    };
    int64_t changes = 0;
    if (db_exec(db, SQL_CASE_UPDATE, p, 22, &changes, e))
        return -1;
    if (changes != 1)
        return err_set(e, ERR_CONFLICT, NULL, "办件已被他人修改，请刷新后重试");
    return 0;
}

int store_case_event_add(struct db *db, const struct case_event_row *ev,
                         struct err *e)
{
    struct db_param p[] = {
        PI(ev->case_id),        DBP_TEXT(ev->action), PT(ev->from_state),
        DBP_TEXT(ev->to_state), ev->step >= 0 ? PI(ev->step) : DBP_NULL,
        pi0(ev->actor_id),      PT(ev->actor_login),  PT(ev->role),
        PI(ev->at),             PT(ev->reason),       PT(ev->detail),
    };
    return db_exec(db, SQL_EVENT_INSERT, p, 11, NULL, e);
}

int store_case_events(struct db *db, int64_t case_id, struct arena *a,
                      struct case_event_row **out, int *n, struct err *e)
{
    struct db_param p = DBP_INT(case_id);
    struct db_res *r;
    *out = NULL;
    *n = 0;
    if (db_query(db, SQL_EVENTS, &p, 1, &r, e))
        return -1;
    int cap = 0, rc;
    while ((rc = db_next(r, e)) == 1) {
        if (*n == cap) {
            int ncap = cap ? cap * 2 : 16;
            struct case_event_row *nv =
                arena_alloc(a, sizeof *nv * (size_t)ncap);
            if (*n)
                memcpy(nv, *out, sizeof *nv * (size_t)*n);
            *out = nv;
            cap = ncap;
        }
        struct case_event_row *v = &(*out)[(*n)++];
        v->id = db_int(r, 0);
        v->case_id = db_int(r, 1);
        v->action = dup(a, r, 2);
        v->from_state = dup(a, r, 3);
        v->to_state = dup(a, r, 4);
        v->step = int_or(r, 5, -1);
        v->actor_id = db_int(r, 6);
        v->actor_login = dup(a, r, 7);
        v->role = dup(a, r, 8);
        v->at = db_int(r, 9);
        v->reason = dup(a, r, 10);
        v->detail = dup(a, r, 11);
    }
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

/* ---- materials, tasks, pauses ------------------------------------------ */

int store_case_material_put(struct db *db, int64_t case_id,
                            const struct case_material_row *m, int64_t now,
                            struct err *e)
{
    struct db_param p[] = {
        PI(case_id),         PI(m->idx),
        DBP_TEXT(m->name ? m->name : ""), DBP_TEXT(m->need ? m->need : ""),
        DBP_TEXT(m->source ? m->source : ""), DBP_TEXT(m->status),
        PT(m->file),         PT(m->evidence_ref),
        PT(m->evidence_summary), pi0(m->lookup_id),
        PI(m->noticed),      PT(m->notice_reason),
        PI(now),
    };
    return db_exec(db, SQL_MATERIAL_PUT, p, 13, NULL, e);
}

int store_case_materials(struct db *db, int64_t case_id, struct arena *a,
                         struct case_material_row **out, int *n,
                         struct err *e)
{
    struct db_param p = DBP_INT(case_id);
    struct db_res *r;
    *out = NULL;
    *n = 0;
    if (db_query(db, SQL_MATERIALS, &p, 1, &r, e))
        return -1;
    int cap = 0, rc;
    while ((rc = db_next(r, e)) == 1) {
        if (*n == cap) {
            int ncap = cap ? cap * 2 : 16;
            struct case_material_row *nv =
                arena_alloc(a, sizeof *nv * (size_t)ncap);
            if (*n)
                memcpy(nv, *out, sizeof *nv * (size_t)*n);
            *out = nv;
            cap = ncap;
        }
        struct case_material_row *m = &(*out)[(*n)++];
        m->idx = (int)db_int(r, 0);
        m->name = dup(a, r, 1);
        m->need = dup(a, r, 2);
        m->source = dup(a, r, 3);
        m->status = dup(a, r, 4);
        m->file = dup(a, r, 5);
        m->evidence_ref = dup(a, r, 6);
        m->evidence_summary = dup(a, r, 7);
        m->lookup_id = db_int(r, 8);
        m->noticed = (int)db_int(r, 9);
        m->notice_reason = dup(a, r, 10);
    }
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

int store_case_task_add(struct db *db, int64_t case_id, int step,
                        int64_t dept_id, struct err *e)
{
    struct db_param p[] = {PI(case_id), PI(step), PI(dept_id)};
    return db_exec(db, SQL_TASK_ADD, p, 3, NULL, e);
}

int store_case_task_answer(struct db *db, int64_t case_id, int step,
                           int64_t dept_id, const char *opinion,
                           int64_t actor_id, const char *actor_login,
                           int64_t at, int64_t *changed, struct err *e)
{
    struct db_param p[] = {PI(case_id),  PI(step),       PI(dept_id),
                           DBP_TEXT(opinion), pi0(actor_id), PT(actor_login),
                           PI(at)};
    return db_exec(db, SQL_TASK_ANSWER, p, 7, changed, e);
}

int store_case_tasks(struct db *db, int64_t case_id, struct arena *a,
                     struct case_task_row **out, int *n, struct err *e)
{
    struct db_param p = DBP_INT(case_id);
    struct db_res *r;
    *out = NULL;
    *n = 0;
    if (db_query(db, SQL_TASKS, &p, 1, &r, e))
        return -1;
    int cap = 0, rc;
    while ((rc = db_next(r, e)) == 1) {
        if (*n == cap) {
            int ncap = cap ? cap * 2 : 8;
            struct case_task_row *nv =
                arena_alloc(a, sizeof *nv * (size_t)ncap);
            if (*n)
                memcpy(nv, *out, sizeof *nv * (size_t)*n);
            *out = nv;
            cap = ncap;
        }
        struct case_task_row *t = &(*out)[(*n)++];
        t->step = (int)db_int(r, 0);
        t->dept_id = db_int(r, 1);
        t->dept_name = dup(a, r, 2);
        t->opinion = dup(a, r, 3);
        t->actor_login = dup(a, r, 4);
        t->actor_id = db_int(r, 5);
        t->answered_at = db_int(r, 6);
        t->dept_region = dup(a, r, 7);
    }
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

int store_case_pause_add(struct db *db, int64_t case_id,
                         const struct case_pause_row *x, struct err *e)
{
    struct db_param p[] = {PI(case_id),         PI(x->n),
                           DBP_TEXT(x->kind),   DBP_TEXT(x->reason),
                           PI(x->limit_days),   PI(x->start_at)};
    return db_exec(db, SQL_PAUSE_ADD, p, 6, NULL, e);
}

int store_case_pause_end(struct db *db, int64_t case_id, int64_t at,
                         struct err *e)
{
    struct db_param p[] = {PI(case_id), PI(at)};
    return db_exec(db, SQL_PAUSE_END, p, 2, NULL, e);
}

int store_case_pauses(struct db *db, int64_t case_id, struct arena *a,
                      struct case_pause_row **out, int *n, struct err *e)
{
    struct db_param p = DBP_INT(case_id);
    struct db_res *r;
    *out = NULL;
    *n = 0;
    if (db_query(db, SQL_PAUSES, &p, 1, &r, e))
        return -1;
    int cap = 0, rc;
    while ((rc = db_next(r, e)) == 1) {
        if (*n == cap) {
            int ncap = cap ? cap * 2 : 4;
            struct case_pause_row *nv =
                arena_alloc(a, sizeof *nv * (size_t)ncap);
            if (*n)
                memcpy(nv, *out, sizeof *nv * (size_t)*n);
            *out = nv;
            cap = ncap;
        }
        struct case_pause_row *x = &(*out)[(*n)++];
        x->n = (int)db_int(r, 0);
        x->kind = dup(a, r, 1);
        x->reason = dup(a, r, 2);
        x->limit_days = (int)db_int(r, 3);
        x->start_at = db_int(r, 4);
        x->end_at = db_int(r, 5);
    }
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

/* ---- lists and the scan --------------------------------------------------- */

int store_case_list(struct db *db, const struct case_filter *f,
                    struct arena *a, struct case_row **out, int *n,
                    struct err *e)
{
    char like[16] = "";
    if (f->region && *f->region) {
        /* The subtree: the code cut to its level, then any digits. */
        static const int k_cut[] = {2, 4, 6, 9, 12};
        int sig = 0;
        for (int i = 0; i < 5; i++) {
            int zero = 1;
            for (int k = i ? k_cut[i - 1] : 0; k < k_cut[i]; k++)
                if (f->region[k] != '0')
                    zero = 0;
            if (!zero)
                sig = k_cut[i];
        }
        snprintf(like, sizeof like, "%.*s%%", sig, f->region);
    }
    struct db_param p[] = {
        DBP_TEXT(like),
        PI(f->org_id),
        PI(f->applicant_user),
        PI(f->filed_by),
        DBP_TEXT(f->state ? f->state : ""),
        PI(f->before),
        PI(f->limit > 0 ? f->limit : 50),
    };
    struct db_res *r;
    *out = NULL;
    *n = 0;
    if (db_query(db, SQL_CASE_LIST, p, 7, &r, e))
        return -1;
    int cap = f->limit > 0 ? f->limit : 50, rc;
    *out = arena_alloc(a, sizeof **out * (size_t)cap);
    while ((rc = db_next(r, e)) == 1 && *n < cap)
        read_case(r, a, &(*out)[(*n)++]);
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

int store_case_provisional(struct db *db, struct arena *a,
                           struct case_row **out, int *n, struct err *e)
{
    struct db_res *r;
    *out = NULL;
    *n = 0;
    if (db_query(db, SQL_CASE_PROVISIONAL, NULL, 0, &r, e))
        return -1;
    int cap = 0, rc;
    while ((rc = db_next(r, e)) == 1) {
        if (*n == cap) {
            int ncap = cap ? cap * 2 : 64;
            struct case_row *grown =
                arena_alloc(a, sizeof *grown * (size_t)ncap);
            if (*n)
                memcpy(grown, *out, sizeof *grown * (size_t)*n);
            *out = grown;
            cap = ncap;
        }
        read_case(r, a, &(*out)[(*n)++]);
    }
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

int store_case_set_clock(struct db *db, const struct case_row *c, struct err *e)
{
    struct db_param p[] = {
        PI(c->id),         PI(c->revision),
        pi0(c->due_day),   pi0(c->legal_due_day),
        pi0(c->warn_day),  PI(c->due_provisional ? 1 : 0),
        PI(c->updated_at),
    };
    int64_t changes = 0;
    if (db_exec(db, SQL_CASE_CLOCK, p, 7, &changes, e))
        return -1;
    if (changes != 1)
        return err_set(e, ERR_CONFLICT, NULL, "办件已被他人修改，请刷新后重试");
    return 0;
}

static const char *const k_warn_count[] = {
    [CASE_SCOPE_R1] = SQL_WARN_COUNT_R1, [CASE_SCOPE_R2] = SQL_WARN_COUNT_R2,
    [CASE_SCOPE_R3] = SQL_WARN_COUNT_R3, [CASE_SCOPE_R4] = SQL_WARN_COUNT_R4,
    [CASE_SCOPE_REGION] = SQL_WARN_COUNT_REGION,
    [CASE_SCOPE_ORG] = SQL_WARN_COUNT_ORG,
};
static const char *const k_warn_list[] = {
    [CASE_SCOPE_R1] = SQL_WARN_LIST_R1, [CASE_SCOPE_R2] = SQL_WARN_LIST_R2,
    [CASE_SCOPE_R3] = SQL_WARN_LIST_R3, [CASE_SCOPE_R4] = SQL_WARN_LIST_R4,
    [CASE_SCOPE_REGION] = SQL_WARN_LIST_REGION,
    [CASE_SCOPE_ORG] = SQL_WARN_LIST_ORG,
};

int store_case_warn_counts(struct db *db, enum case_scope_col col,
                           const char *key, int64_t today, int64_t *red,
                           int64_t *yellow, struct err *e)
{
    if (col < CASE_SCOPE_R1 || col > CASE_SCOPE_ORG)
        return err_set(e, ERR_INTERNAL, NULL, "内部错误");
    struct db_param p[] = {DBP_TEXT(key), PI(today)};
    struct db_res *r;
    if (db_query(db, k_warn_count[col], p, 2, &r, e))
        return -1;
    int rc = db_next(r, e);
    if (rc == 1) {
        *red = db_int(r, 1);
        *yellow = db_int(r, 0) - *red;
    }
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

int store_case_warn_list(struct db *db, enum case_scope_col col,
                         const char *key, int64_t today, int level,
                         const int64_t after[3], int limit, struct arena *a,
                         struct case_warn_row **out, int *n, struct err *e)
{
    if (col < CASE_SCOPE_R1 || col > CASE_SCOPE_ORG || level < 0 || level > 2)
        return err_set(e, ERR_INTERNAL, NULL, "内部错误");
    /* The range of the level: red ends before today, yellow starts on
     * it (the keyset moved up to today unless it is past it). */
    int64_t lo[3] = {after[0], after[1], after[2]};
    if (level == 1 && (lo[0] < today))
        lo[0] = today, lo[1] = -1, lo[2] = 0;
    int64_t hi = level == 2 ? today : 2147483647;
    struct db_param p[] = {DBP_TEXT(key), PI(today), PI(hi),   PI(limit),
                           PI(lo[0]),     PI(lo[1]), PI(lo[2])};
    struct db_res *r;
    *n = 0;
    *out = arena_alloc(a, sizeof **out * (size_t)(limit > 0 ? limit : 1));
    if (db_query(db, k_warn_list[col], p, 7, &r, e))
        return -1;
    int rc;
    while ((rc = db_next(r, e)) == 1 && *n < limit) {
        struct case_warn_row *w = &(*out)[(*n)++];
        w->id = db_int(r, 0);
        w->case_no = dup(a, r, 1);
        w->state = dup(a, r, 2);
        w->region = dup(a, r, 3);
        w->item_name = dup(a, r, 4);
        w->org_id = db_int(r, 5);
        w->org_name = dup(a, r, 6);
        w->due_day = db_int(r, 7);
        w->warn_day = db_int(r, 8);
        w->due_provisional = (int)db_int(r, 9);
    }
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

/* ---- items, orgs, files, throttle ---------------------------------------- */

int store_case_item(struct db *db, int64_t item_id, struct arena *a,
                    struct case_item *out, struct err *e)
{
    struct db_param p = DBP_INT(item_id);
    struct db_res *r;
    if (db_query(db, SQL_ITEM, &p, 1, &r, e))
        return -1;
    int rc = db_next(r, e);
    if (rc == 1) {
        out->item_id = db_int(r, 0);
        out->org_id = db_int(r, 1);
        out->version = (int)db_int(r, 2);
        out->state = dup(a, r, 3);
        out->region = dup(a, r, 4);
        out->code = dup(a, r, 5);
        out->name = dup(a, r, 6);
        out->guide = dup(a, r, 7);
        out->legal_basis = dup(a, r, 8);
        out->org_name = dup(a, r, 9);
        out->org_credit = dup(a, r, 10);
    }
    db_res_free(r);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return err_set(e, ERR_NOT_FOUND, "/item_id", "没有这个事项");
    return 0;
}

int store_case_org(struct db *db, int64_t org_id, struct arena *a,
                   const char **region, const char **name, struct err *e)
{
    struct db_param p = DBP_INT(org_id);
    struct db_res *r;
    if (db_query(db, SQL_ORG, &p, 1, &r, e))
        return -1;
    int rc = db_next(r, e);
    if (rc == 1) {
        *region = dup(a, r, 0);
        *name = dup(a, r, 1);
    }
    db_res_free(r);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个机构");
    return 0;
}

int store_file_put(struct db *db, const char *sha256, int64_t size,
                   const char *type, const char *name, int64_t by, int64_t at,
                   struct err *e)
{
    struct db_param p[] = {DBP_TEXT(sha256), PI(size), DBP_TEXT(type),
                           PT(name),         pi0(by),  PI(at)};
    return db_exec(db, SQL_FILE_PUT, p, 6, NULL, e);
}

int store_file_exists(struct db *db, const char *sha256, struct err *e)
{
    struct db_param p = DBP_TEXT(sha256);
    int64_t n = 0;
    if (db_query_int(db, SQL_FILE_EXISTS, &p, 1, &n, e))
        return -1;
    return n > 0;
}

int store_case_throttle_fails(struct db *db, const char *key, int64_t since,
                         int64_t *fails, struct err *e)
{
    struct db_param p[] = {DBP_TEXT(key), PI(since)};
    struct err e2 = {0};
    if (db_query_int(db, SQL_THROTTLE_GET, p, 2, fails, &e2)) {
        if (e2.code == ERR_NOT_FOUND) {
            *fails = 0;
            return 0;
        }
        if (e)
            *e = e2;
        return -1;
    }
    return 0;
}

int store_case_throttle_fail(struct db *db, const char *key, int64_t now,
                        int64_t since, struct err *e)
{
    struct db_param p[] = {DBP_TEXT(key), PI(now), PI(since)};
    return db_exec(db, SQL_THROTTLE_FAIL, p, 3, NULL, e);
}
