/* test_casefsm.c — core/casefsm (every action from every state, by every
 * role, with and without its required fields: table rows, each saying why)
 * and core/deadline on the real holiday files (data/holidays, read with
 * jansson as the app does): due dates across the Spring Festival with its
 * make-up Saturday, pauses that do not eat working days, thresholds and
 * levels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/casefsm.h"
#include "core/deadline.h"

#define ALL (CR_APPLICANT | CR_AGENT | CR_CLERK | CR_REVIEWER | CR_DECIDER)

/* ---- the transition table ------------------------------------------------ */

/* A complete input: every field present, no fact in the way. Rows change
 * one thing. */
static struct casefsm_in full(void)
{
    return (struct casefsm_in){
        .channel = "window", .entrustment = "abc", .reason = "理由",
        .basis = "《条例》第十条", .opinion = "同意", .decision = "grant",
        .method = "pickup", .tracking_no = "SF1", .pause_kind = "hearing",
        .limit_days = 10, .n_items = 1, .n_departments = 2,
        .receipt_no = "R1", .amount_fen = 8000, .steps_left = 1,
        .step_roles = CR_REVIEWER,
    };
}

enum tweak {
    T_NONE,
    T_NO_REASON,
    T_NO_BASIS,
    T_NO_OPINION,
    T_DENY,
    T_DENY_NO_BASIS,
    T_BAD_DECISION,
    T_MAIL_NO_TRACKING,
    T_MAIL,
    T_BAD_METHOD,
    T_BAD_KIND,
    T_LIMIT_0,
    T_NO_ITEMS,
    T_RENOTICE,
    T_MISSING,
    T_NO_STEPS,
    T_PARALLEL,
    T_PARALLEL_DISPATCHED,
    T_PARALLEL_PENDING,
    T_ONE_DEPT,
    T_CH_ONLINE,
    T_CH_AGENT,
    T_CH_AGENT_NO_ENTRUST,
    T_CH_BAD,
    T_IMMEDIATE,
    T_NO_RECEIPT,
    T_AMOUNT_0,
    T_STEP_DECIDER,
};

static void apply(struct casefsm_in *in, enum tweak t)
{
    switch (t) {
    case T_NONE: break;
    case T_NO_REASON: in->reason = ""; break;
    case T_NO_BASIS: in->basis = NULL; break;
    case T_NO_OPINION: in->opinion = NULL; break;
    case T_DENY: in->decision = "deny"; break;
    case T_DENY_NO_BASIS: in->decision = "deny"; in->basis = ""; break;
    case T_BAD_DECISION: in->decision = "maybe"; break;
    case T_MAIL_NO_TRACKING: in->method = "mail"; in->tracking_no = NULL; break;
    case T_MAIL: in->method = "mail"; break;
    case T_BAD_METHOD: in->method = "pigeon"; break;
    case T_BAD_KIND: in->pause_kind = "nap"; break;
    case T_LIMIT_0: in->limit_days = 0; break;
    case T_NO_ITEMS: in->n_items = 0; break;
    case T_RENOTICE: in->renotice_bad = 1; break;
    case T_MISSING: in->missing = 2; break;
    case T_NO_STEPS: in->steps_left = 0; break;
    case T_PARALLEL: in->step_parallel = 1; break;
    case T_PARALLEL_DISPATCHED:
        in->step_parallel = 1; in->dispatched = 1; in->pending = 0; break;
    case T_PARALLEL_PENDING:
        in->step_parallel = 1; in->dispatched = 1; in->pending = 2; break;
    case T_ONE_DEPT: in->n_departments = 1; break;
    case T_CH_ONLINE: in->channel = "online"; break;
    case T_CH_AGENT: in->channel = "agent"; break;
    case T_CH_AGENT_NO_ENTRUST: in->channel = "agent"; in->entrustment = ""; break;
    case T_CH_BAD: in->channel = "fax"; break;
    case T_IMMEDIATE: in->immediate = 1; in->steps_left = 0; break;
    case T_NO_RECEIPT: in->receipt_no = NULL; break;
    case T_AMOUNT_0: in->amount_fen = 0; break;
    case T_STEP_DECIDER: in->step_roles = CR_DECIDER; break;
    }
}

static const struct row {
    enum case_state from;
    enum case_action a;
    int roles;
    enum tweak t;
    enum err_code want;     /* ERR_OK = allowed */
    enum case_state to;     /* when allowed */
    const char *field;      /* when refused with ERR_INVALID */
    const char *why;
} k_rows[] = {
    /* submit */
    {CS_NONE, CA_SUBMIT, CR_CLERK, T_NONE, ERR_OK, CS_SUBMITTED, NULL,
     "a clerk files a window application"},
    {CS_NONE, CA_SUBMIT, CR_APPLICANT, T_CH_ONLINE, ERR_OK, CS_SUBMITTED, NULL,
     "an applicant files online"},
    {CS_NONE, CA_SUBMIT, CR_APPLICANT, T_NONE, ERR_FORBIDDEN, 0, NULL,
     "an applicant cannot claim the window channel"},
    {CS_NONE, CA_SUBMIT, CR_AGENT, T_CH_AGENT, ERR_OK, CS_SUBMITTED, NULL,
     "a village agent files with an entrustment"},
    {CS_NONE, CA_SUBMIT, CR_AGENT, T_CH_AGENT_NO_ENTRUST, ERR_INVALID, 0,
     "/agent/entrustment", "no entrustment, no agent filing"},
    {CS_NONE, CA_SUBMIT, CR_CLERK, T_CH_BAD, ERR_INVALID, 0, "/channel",
     "unknown channel"},
    {CS_NONE, CA_SUBMIT, CR_REVIEWER, T_NONE, ERR_FORBIDDEN, 0, NULL,
     "reviewers do not file"},
    {CS_SUBMITTED, CA_SUBMIT, CR_CLERK, T_NONE, ERR_CONFLICT, 0, NULL,
     "a case is submitted once"},
    /* notice */
    {CS_SUBMITTED, CA_NOTICE, CR_CLERK, T_NONE, ERR_OK, CS_SUPPLEMENT, NULL,
     "one-time notice: the case waits, clock not started"},
    {CS_SUBMITTED, CA_NOTICE, CR_CLERK, T_NO_ITEMS, ERR_INVALID, 0, "/items",
     "a notice lists what is missing"},
    {CS_SUBMITTED, CA_NOTICE, CR_CLERK, T_RENOTICE, ERR_CONFLICT, 0, NULL,
     "a second notice may not name material already accepted"},
    {CS_SUBMITTED, CA_NOTICE, CR_AGENT, T_NONE, ERR_FORBIDDEN, 0, NULL,
     "agents do not take intake decisions"},
    {CS_HANDLING, CA_NOTICE, CR_CLERK, T_NONE, ERR_CONFLICT, 0, NULL,
     "after acceptance the notice is over (pause for supplement instead)"},
    /* supply */
    {CS_SUPPLEMENT, CA_SUPPLY, CR_APPLICANT, T_NONE, ERR_OK, CS_SUBMITTED,
     NULL, "the applicant supplements"},
    {CS_SUBMITTED, CA_SUPPLY, CR_APPLICANT, T_NONE, ERR_CONFLICT, 0, NULL,
     "nothing was asked"},
    /* accept */
    {CS_SUBMITTED, CA_ACCEPT, CR_CLERK, T_NONE, ERR_OK, CS_HANDLING, NULL,
     "complete materials: accept"},
    {CS_SUBMITTED, CA_ACCEPT, CR_CLERK, T_MISSING, ERR_INVALID, 0,
     "/materials", "incomplete materials: notice, not accept"},
    {CS_SUBMITTED, CA_ACCEPT, CR_REVIEWER | CR_DECIDER, T_NONE, ERR_FORBIDDEN,
     0, NULL, "only the clerk accepts"},
    {CS_SUPPLEMENT, CA_ACCEPT, CR_CLERK, T_NONE, ERR_CONFLICT, 0, NULL,
     "waiting for the supplement"},
    /* refuse */
    {CS_SUBMITTED, CA_REFUSE, CR_CLERK, T_NONE, ERR_OK, CS_REFUSED, NULL,
     "不予受理 with reason and basis"},
    {CS_SUPPLEMENT, CA_REFUSE, CR_CLERK, T_NONE, ERR_OK, CS_REFUSED, NULL,
     "refuse while waiting for a supplement"},
    {CS_SUBMITTED, CA_REFUSE, CR_CLERK, T_NO_REASON, ERR_INVALID, 0, "/reason",
     "refusal needs a reason"},
    {CS_SUBMITTED, CA_REFUSE, CR_CLERK, T_NO_BASIS, ERR_INVALID, 0, "/basis",
     "refusal needs its legal basis"},
    {CS_HANDLING, CA_REFUSE, CR_CLERK, T_NONE, ERR_CONFLICT, 0, NULL,
     "an accepted case is decided, not refused"},
    /* steps */
    {CS_HANDLING, CA_STEP, CR_REVIEWER, T_NONE, ERR_OK, CS_HANDLING, NULL,
     "the reviewer completes a review step"},
    {CS_HANDLING, CA_STEP, CR_CLERK, T_NONE, ERR_FORBIDDEN, 0, NULL,
     "the step is the reviewer's"},
    {CS_HANDLING, CA_STEP, CR_DECIDER, T_STEP_DECIDER, ERR_OK, CS_HANDLING,
     NULL, "a step of the decider's role"},
    {CS_HANDLING, CA_STEP, CR_REVIEWER, T_NO_OPINION, ERR_INVALID, 0,
     "/opinion", "each step records an opinion"},
    {CS_HANDLING, CA_STEP, CR_REVIEWER, T_NO_STEPS, ERR_CONFLICT, 0, NULL,
     "no step left"},
    {CS_HANDLING, CA_STEP, CR_REVIEWER, T_PARALLEL, ERR_CONFLICT, 0, NULL,
     "a parallel step is done by the departments' answers"},
    {CS_PAUSED, CA_STEP, CR_REVIEWER, T_NONE, ERR_CONFLICT, 0, NULL,
     "no work while paused"},
    /* parallel */
    {CS_HANDLING, CA_DISPATCH, CR_REVIEWER, T_PARALLEL, ERR_OK, CS_HANDLING,
     NULL, "dispatch a parallel step"},
    {CS_HANDLING, CA_DISPATCH, CR_REVIEWER, T_NONE, ERR_CONFLICT, 0, NULL,
     "a serial step is not dispatched"},
    {CS_HANDLING, CA_DISPATCH, CR_REVIEWER, T_PARALLEL_PENDING, ERR_CONFLICT,
     0, NULL, "dispatched once"},
    {CS_HANDLING, CA_DISPATCH, CR_REVIEWER, T_ONE_DEPT, ERR_CONFLICT, 0, NULL,
     "(serial step) one department is no parallel handling"},
    {CS_HANDLING, CA_ANSWER, CR_REVIEWER, T_PARALLEL_PENDING, ERR_OK,
     CS_HANDLING, NULL, "a department answers"},
    {CS_HANDLING, CA_ANSWER, CR_REVIEWER, T_PARALLEL, ERR_CONFLICT, 0, NULL,
     "nothing dispatched yet"},
    {CS_HANDLING, CA_ANSWER, CR_CLERK, T_PARALLEL_PENDING, ERR_FORBIDDEN, 0,
     NULL, "departments answer through reviewers or deciders"},
    {CS_HANDLING, CA_DECIDE, CR_DECIDER, T_PARALLEL_PENDING, ERR_CONFLICT, 0,
     NULL, "a parallel step blocks the decision until all answer"},
    /* pause */
    {CS_HANDLING, CA_PAUSE, CR_REVIEWER, T_NONE, ERR_OK, CS_PAUSED, NULL,
     "special procedure: hearing"},
    {CS_HANDLING, CA_PAUSE, CR_REVIEWER, T_BAD_KIND, ERR_INVALID, 0, "/kind",
     "unknown pause"},
    {CS_HANDLING, CA_PAUSE, CR_REVIEWER, T_LIMIT_0, ERR_INVALID, 0,
     "/limit_days", "a pause has a limit"},
    {CS_HANDLING, CA_PAUSE, CR_REVIEWER, T_NO_REASON, ERR_INVALID, 0,
     "/reason", "a pause has a reason"},
    {CS_HANDLING, CA_PAUSE, CR_APPLICANT, T_NONE, ERR_FORBIDDEN, 0, NULL,
     "applicants do not stop the clock"},
    {CS_PAUSED, CA_PAUSE, CR_REVIEWER, T_NONE, ERR_CONFLICT, 0, NULL,
     "already paused"},
    {CS_PAUSED, CA_RESUME, CR_REVIEWER, T_NONE, ERR_OK, CS_HANDLING, NULL,
     "resume"},
    {CS_HANDLING, CA_RESUME, CR_REVIEWER, T_NONE, ERR_CONFLICT, 0, NULL,
     "not paused"},
    /* decide */
    {CS_HANDLING, CA_DECIDE, CR_DECIDER, T_NO_STEPS, ERR_OK, CS_DECIDED, NULL,
     "grant after every step"},
    {CS_HANDLING, CA_DECIDE, CR_DECIDER, T_NONE, ERR_CONFLICT, 0, NULL,
     "a step is left"},
    {CS_HANDLING, CA_DECIDE, CR_REVIEWER, T_NO_STEPS, ERR_FORBIDDEN, 0, NULL,
     "reviewers do not decide"},
    {CS_HANDLING, CA_DECIDE, CR_CLERK, T_NO_STEPS, ERR_FORBIDDEN, 0, NULL,
     "clerks decide only immediate items"},
    {CS_HANDLING, CA_DECIDE, CR_CLERK, T_IMMEDIATE, ERR_OK, CS_DECIDED, NULL,
     "即办件: the clerk decides on the spot"},
    {CS_HANDLING, CA_DECIDE, CR_DECIDER, T_BAD_DECISION, ERR_CONFLICT, 0,
     NULL, "(steps left) checked before the fields"},
    {CS_HANDLING, CA_DECIDE, CR_DECIDER, T_IMMEDIATE, ERR_OK, CS_DECIDED, NULL,
     "the decider may decide immediate items too"},
    {CS_PAUSED, CA_DECIDE, CR_DECIDER, T_NO_STEPS, ERR_CONFLICT, 0, NULL,
     "resume before deciding"},
    {CS_DECIDED, CA_DECIDE, CR_DECIDER, T_NO_STEPS, ERR_CONFLICT, 0, NULL,
     "decided once"},
    /* deliver, close */
    {CS_DECIDED, CA_DELIVER, CR_CLERK, T_NONE, ERR_OK, CS_DELIVERED, NULL,
     "pick-up"},
    {CS_DECIDED, CA_DELIVER, CR_CLERK, T_MAIL, ERR_OK, CS_DELIVERED, NULL,
     "mail with tracking number"},
    {CS_DECIDED, CA_DELIVER, CR_CLERK, T_MAIL_NO_TRACKING, ERR_INVALID, 0,
     "/tracking_no", "mail needs a tracking number"},
    {CS_DECIDED, CA_DELIVER, CR_CLERK, T_BAD_METHOD, ERR_INVALID, 0,
     "/method", "unknown delivery"},
    {CS_HANDLING, CA_DELIVER, CR_CLERK, T_NONE, ERR_CONFLICT, 0, NULL,
     "nothing to deliver yet"},
    {CS_DELIVERED, CA_CLOSE, CR_CLERK, T_NONE, ERR_OK, CS_CLOSED, NULL,
     "close"},
    {CS_DECIDED, CA_CLOSE, CR_CLERK, T_NONE, ERR_CONFLICT, 0, NULL,
     "deliver before closing"},
    {CS_CLOSED, CA_CLOSE, CR_CLERK, T_NONE, ERR_CONFLICT, 0, NULL,
     "closed is final"},
    /* withdraw */
    {CS_SUBMITTED, CA_WITHDRAW, CR_APPLICANT, T_NONE, ERR_OK, CS_WITHDRAWN,
     NULL, "withdraw before acceptance"},
    {CS_HANDLING, CA_WITHDRAW, CR_APPLICANT, T_NONE, ERR_OK, CS_WITHDRAWN,
     NULL, "withdraw during handling"},
    {CS_PAUSED, CA_WITHDRAW, CR_AGENT, T_NONE, ERR_OK, CS_WITHDRAWN, NULL,
     "the agent withdraws for the applicant"},
    {CS_DECIDED, CA_WITHDRAW, CR_APPLICANT, T_NONE, ERR_CONFLICT, 0, NULL,
     "no withdrawal after the decision"},
    {CS_HANDLING, CA_WITHDRAW, CR_APPLICANT, T_NO_REASON, ERR_INVALID, 0,
     "/reason", "withdrawal needs a reason"},
    {CS_HANDLING, CA_WITHDRAW, CR_REVIEWER, T_NONE, ERR_FORBIDDEN, 0, NULL,
     "staff other than the clerk do not withdraw"},
    /* fee */
    {CS_HANDLING, CA_FEE, CR_CLERK, T_NONE, ERR_OK, CS_HANDLING, NULL,
     "fee with receipt"},
    {CS_DECIDED, CA_FEE, CR_CLERK, T_NO_RECEIPT, ERR_INVALID, 0,
     "/receipt_no", "a fee needs its receipt number"},
    {CS_DECIDED, CA_FEE, CR_CLERK, T_AMOUNT_0, ERR_INVALID, 0, "/amount_fen",
     "a fee has an amount"},
    {CS_CLOSED, CA_FEE, CR_CLERK, T_NONE, ERR_CONFLICT, 0, NULL,
     "no fee on a closed case"},
    /* terminal states */
    {CS_REFUSED, CA_ACCEPT, CR_CLERK, T_NONE, ERR_CONFLICT, 0, NULL,
     "refused is final"},
    {CS_WITHDRAWN, CA_SUPPLY, CR_APPLICANT, T_NONE, ERR_CONFLICT, 0, NULL,
     "withdrawn is final"},
};

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof k_rows / sizeof k_rows[0]; i++) {
        const struct row *r = &k_rows[i];
        struct casefsm_in in = full();
        apply(&in, r->t);
        struct err e = {0};
        enum case_state to = CS__COUNT;
        int rc = casefsm_check(r->from, r->a, r->roles, &in, &to, &e);
        if (r->want == ERR_OK) {
            if (rc != 0)
                fail_msg("row %zu (%s): refused: %s [%s]", i, r->why, e.msg,
                         e.field);
            if (to != r->to)
                fail_msg("row %zu (%s): to %s, want %s", i, r->why,
                         casefsm_state_name(to), casefsm_state_name(r->to));
            continue;
        }
        if (rc == 0)
            fail_msg("row %zu (%s): allowed, want %s", i, r->why,
                     err_code_name(r->want));
        if (e.code != r->want)
            fail_msg("row %zu (%s): %s (%s), want %s", i, r->why,
                     err_code_name(e.code), e.msg, err_code_name(r->want));
        if (r->field && strcmp(e.field, r->field))
            fail_msg("row %zu (%s): field %s, want %s", i, r->why, e.field,
                     r->field);
        assert_int_equal(to, CS__COUNT); /* untouched */
        assert_true(e.msg[0] != '\0');
    }
}

/* Every (state, action) pair outside the table's allowed set is refused
 * whatever the roles and input: the machine has no hidden edge. */
static void test_no_hidden_edges(void **state)
{
    (void)state;
    static const unsigned char allowed[CA__COUNT][CS__COUNT] = {
        [CA_SUBMIT] = {[CS_NONE] = 1},
        [CA_NOTICE] = {[CS_SUBMITTED] = 1},
        [CA_SUPPLY] = {[CS_SUPPLEMENT] = 1},
        [CA_ACCEPT] = {[CS_SUBMITTED] = 1},
        [CA_REFUSE] = {[CS_SUBMITTED] = 1, [CS_SUPPLEMENT] = 1},
        [CA_DISPATCH] = {[CS_HANDLING] = 1},
        [CA_ANSWER] = {[CS_HANDLING] = 1},
        [CA_STEP] = {[CS_HANDLING] = 1},
        [CA_PAUSE] = {[CS_HANDLING] = 1},
        [CA_RESUME] = {[CS_PAUSED] = 1},
        [CA_DECIDE] = {[CS_HANDLING] = 1},
        [CA_DELIVER] = {[CS_DECIDED] = 1},
        [CA_CLOSE] = {[CS_DELIVERED] = 1},
        [CA_WITHDRAW] = {[CS_SUBMITTED] = 1, [CS_SUPPLEMENT] = 1,
                         [CS_HANDLING] = 1, [CS_PAUSED] = 1},
        [CA_FEE] = {[CS_SUBMITTED] = 1, [CS_SUPPLEMENT] = 1,
                    [CS_HANDLING] = 1, [CS_PAUSED] = 1, [CS_DECIDED] = 1,
                    [CS_DELIVERED] = 1},
    };
    for (int a = CA_NONE + 1; a < CA__COUNT; a++)
        for (int s = CS_NONE; s < CS__COUNT; s++) {
            struct casefsm_in in = full();
            struct err e = {0};
            enum case_state to;
            int rc = casefsm_check((enum case_state)s, (enum case_action)a,
                                   ALL, &in, &to, &e);
            if (!allowed[a][s]) {
                if (rc == 0 || e.code != ERR_CONFLICT)
                    fail_msg("%s from %s: want conflict",
                             casefsm_action_name(a), casefsm_state_name(s));
            } else if (rc != 0 && e.code == ERR_CONFLICT &&
                       strstr(e.msg, "当前状态"))
                fail_msg("%s from %s: refused by state",
                         casefsm_action_name(a), casefsm_state_name(s));
        }
    /* Names round-trip; unknown ones are refused. */
    for (int s = CS_NONE + 1; s < CS__COUNT; s++)
        assert_int_equal(casefsm_state_parse(casefsm_state_name(s)), s);
    for (int a = CA_NONE + 1; a < CA__COUNT; a++)
        assert_int_equal(casefsm_action_parse(casefsm_action_name(a)), a);
    assert_int_equal(casefsm_action_parse("delete"), CA_NONE);
    assert_int_equal(casefsm_state_parse(NULL), CS_NONE);
    struct err e = {0};
    enum case_state to;
    assert_int_equal(casefsm_check(CS_SUBMITTED, CA__COUNT, ALL, NULL, &to, &e),
                     -1);
    assert_int_equal(e.code, ERR_INVALID);
    assert_int_equal(casefsm_open(CS_DELIVERED), 1);
    assert_int_equal(casefsm_open(CS_CLOSED), 0);
    assert_int_equal(casefsm_open(CS_WITHDRAWN), 0);
}

/* ---- plans ---------------------------------------------------------------- */

static void test_plan(void **state)
{
    (void)state;
    static const struct {
        const char *roles[6];
        int intake, decision, first, end;
        const char *why;
    } k_plans[] = {
        {{"clerk", "reviewer", "reviewer", "decider", "clerk"}, 0, 3, 1, 3,
         "低保: intake, two reviews, decision, delivery"},
        {{"clerk"}, 0, -1, 1, 1, "即办件: one clerk step, nothing to handle"},
        {{"clerk", "clerk", "decider"}, 0, 2, 1, 2,
         "帮办代办: a clerk's handling step before the decision"},
        {{"reviewer", "decider"}, -1, 1, 0, 1, "no intake step in the guide"},
        {{"clerk", "reviewer", "clerk"}, 0, -1, 1, 2,
         "no decider step: trailing clerk steps are delivery"},
        {{NULL}, -1, -1, 0, 0, "no steps"},
    };
    for (size_t i = 0; i < sizeof k_plans / sizeof k_plans[0]; i++) {
        struct guide_step steps[6] = {{0}};
        int n = 0;
        while (n < 6 && k_plans[i].roles[n]) {
            steps[n].role = k_plans[i].roles[n];
            n++;
        }
        struct guide g = {.steps = steps, .n_steps = n};
        struct casefsm_plan p;
        casefsm_plan(&g, &p);
        if (p.intake != k_plans[i].intake ||
            p.decision != k_plans[i].decision || p.first != k_plans[i].first ||
            p.end != k_plans[i].end)
            fail_msg("%s: got %d %d %d %d", k_plans[i].why, p.intake,
                     p.decision, p.first, p.end);
    }
    assert_int_equal(casefsm_step_roles("reviewer"), CR_REVIEWER);
    assert_int_equal(casefsm_step_roles(NULL), CR_REVIEWER | CR_DECIDER);
}

/* ---- deadlines on the real calendar --------------------------------------- */

static struct cal *g_cal;

static int setup(void **state)
{
    (void)state;
    g_cal = cal_new();
    for (int y = 2016; y <= 2026; y++) {
        char path[512];
        snprintf(path, sizeof path, "%s/holidays/%d.json", BIANMIN_DATA_DIR, y);
        json_error_t je;
        json_t *root = json_load_file(path, 0, &je);
        if (!root)
            return -1;
        json_t *days = json_object_get(root, "days");
        struct cal_day list[CAL_YEAR_DAYS_MAX];
        int n = 0;
        size_t i;
        json_t *v;
        json_array_foreach(days, i, v) {
            struct err e = {0};
            if (cal_date_parse(
                    json_string_value(json_object_get(v, "date")),
                    &list[n].date, "", &e))
                return -1;
            list[n].kind =
                json_is_true(json_object_get(v, "isOffDay")) ? CAL_OFF
                                                             : CAL_WORK;
            snprintf(list[n].name, sizeof list[n].name, "%s",
                     json_string_value(json_object_get(v, "name")));
            n++;
        }
        struct err e = {0};
        int rc = cal_set_year(g_cal, y, list, n, &e);
        json_decref(root);
        if (rc)
            return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cal_free(g_cal);
    return 0;
}

static int64_t day_of(const char *s)
{
    struct cal_date d;
    struct err e = {0};
    if (cal_date_parse(s, &d, "", &e))
        fail_msg("bad date %s", s);
    return cal_day_number(d);
}

/* UTC ms of a Shanghai wall-clock time. */
static int64_t at(const char *date, int hh)
{
    return (day_of(date) * 86400 + hh * 3600 - 8 * 3600) * 1000LL;
}

static void fmt(int64_t day, char out[11])
{
    cal_date_format(cal_date_of_day_number(day), out);
}

static void test_due(void **state)
{
    (void)state;
    static const struct {
        const char *accepted;
        int hh, limit;
        const char *pause_from, *pause_to; /* NULL: none; to NULL: open */
        const char *now;
        const char *want;
        const char *why;
    } k_due[] = {
        {"2026-02-13", 16, 5, NULL, NULL, "2026-02-13", "2026-02-27",
         "Spring Festival eve (Fri 13 Feb 2026): Sat 14 Feb is a make-up "
         "workday (day 1), 15-23 Feb holiday, then 24-27 Feb"},
        {"2026-02-13", 16, 6, NULL, NULL, "2026-02-13", "2026-02-28",
         "the 6th working day is Sat 28 Feb, the second make-up Saturday"},
        {"2026-02-13", 23, 1, NULL, NULL, "2026-02-13", "2026-02-14",
         "accepted late on the eve: day 1 is the make-up Saturday"},
        {"2026-02-14", 10, 1, NULL, NULL, "2026-02-14", "2026-02-24",
         "accepted on the make-up Saturday: the holiday is skipped"},
        {"2026-03-02", 10, 5, NULL, NULL, "2026-03-02", "2026-03-09",
         "a plain week: Mon + 5 = next Mon"},
        {"2026-03-02", 10, 5, "2026-03-03", "2026-03-05", "2026-03-06",
         "2026-03-11",
         "paused Tue-Thu: 4 and 5 Mar do not count, due moves by 2"},
        {"2026-03-02", 10, 5, "2026-03-06", "2026-03-09", "2026-03-10",
         "2026-03-10",
         "paused Fri-Mon: only Mon 9 Mar is a working day paused"},
        {"2026-03-02", 10, 5, "2026-03-04", NULL, "2026-03-06", "2026-03-11",
         "an open pause since Wed: Thu and Fri paused so far"},
        {"2026-09-30", 10, 1, NULL, NULL, "2026-09-30", "2026-10-08",
         "National Day 2026: 1-7 Oct off, day 1 is Thu 8 Oct"},
        {"2026-09-30", 10, 3, NULL, NULL, "2026-09-30", "2026-10-10",
         "day 3 is Sat 10 Oct, a make-up workday"},
        {"2026-03-02", 10, 0, NULL, NULL, "2026-03-02", "2026-03-02",
         "即办件: due the same day"},
    };
    for (size_t i = 0; i < sizeof k_due / sizeof k_due[0]; i++) {
        struct cal_pause p = {0};
        int np = 0;
        if (k_due[i].pause_from) {
            p.start_ms = at(k_due[i].pause_from, 10);
            p.end_ms = k_due[i].pause_to ? at(k_due[i].pause_to, 10) : 0;
            np = 1;
        }
        int64_t due;
        struct err e = {0};
        if (dl_due(g_cal, at(k_due[i].accepted, k_due[i].hh), k_due[i].limit,
                   &p, np, at(k_due[i].now, 12), &due, &e))
            fail_msg("%s: %s", k_due[i].why, e.msg);
        char got[11];
        fmt(due, got);
        if (strcmp(got, k_due[i].want))
            fail_msg("%s: got %s, want %s", k_due[i].why, got, k_due[i].want);
    }
    /* Past the known years: refused, not guessed. */
    int64_t due;
    struct err e = {0};
    assert_int_equal(dl_due(g_cal, at("2026-12-20", 10), 30, NULL, 0,
                            at("2026-12-20", 10), &due, &e),
                     -1);
    assert_int_equal(e.code, ERR_INVALID);
    assert_int_equal(dl_due(g_cal, at("2026-03-02", 10), -1, NULL, 0,
                            at("2026-03-02", 10), &due, &e),
                     -1);
}

static void test_levels(void **state)
{
    (void)state;
    static const struct {
        int limit, item, want;
        const char *why;
    } k_thr[] = {
        {20, -1, 4, "20% of 20"},  {25, -1, 5, "20% of 25"},
        {3, -1, 1, "at least one"}, {7, -1, 2, "20% rounded up"},
        {0, -1, 1, "immediate"},   {20, 3, 3, "the item's own threshold"},
    };
    for (size_t i = 0; i < sizeof k_thr / sizeof k_thr[0]; i++)
        if (dl_threshold(k_thr[i].limit, k_thr[i].item) != k_thr[i].want)
            fail_msg("%s: got %d", k_thr[i].why,
                     dl_threshold(k_thr[i].limit, k_thr[i].item));

    static const struct {
        const char *due;
        int threshold;
        const char *floor, *want, *why;
    } k_warn[] = {
        {"2026-03-09", 1, "2026-03-02", "2026-03-09",
         "threshold 1: yellow on the due day"},
        {"2026-03-09", 2, "2026-03-02", "2026-03-06",
         "threshold 2: from the working day before (Fri over the weekend)"},
        {"2026-02-27", 5, "2026-02-13", "2026-02-14",
         "the 4th working day before 27 Feb: 26, 25, 24 Feb, then the "
         "holiday is skipped back to the make-up Saturday 14 Feb"},
        {"2026-03-04", 5, "2026-03-02", "2026-03-02",
         "never before acceptance"},
    };
    for (size_t i = 0; i < sizeof k_warn / sizeof k_warn[0]; i++) {
        int64_t w;
        struct err e = {0};
        if (dl_warn_day(g_cal, day_of(k_warn[i].due), k_warn[i].threshold,
                        day_of(k_warn[i].floor), &w, &e))
            fail_msg("%s: %s", k_warn[i].why, e.msg);
        char got[11];
        fmt(w, got);
        /* The yellow period starts where remaining < threshold first holds:
         * check that property rather than trust the row alone. */
        int rem;
        assert_int_equal(dl_remaining(g_cal, w, day_of(k_warn[i].due), &rem,
                                      &e),
                         0);
        assert_true(rem < k_warn[i].threshold);
        if (w > day_of(k_warn[i].floor)) {
            assert_int_equal(dl_remaining(g_cal, w - 1,
                                          day_of(k_warn[i].due), &rem, &e),
                             0);
            assert_true(rem >= k_warn[i].threshold);
        }
        if (strcmp(got, k_warn[i].want))
            fail_msg("%s: got %s, want %s", k_warn[i].why, got, k_warn[i].want);
    }

    int64_t due = day_of("2026-03-09"), warn = day_of("2026-03-06");
    assert_int_equal(dl_level_of(day_of("2026-03-05"), due, warn), DL_GREEN);
    assert_int_equal(dl_level_of(day_of("2026-03-06"), due, warn), DL_YELLOW);
    assert_int_equal(dl_level_of(day_of("2026-03-09"), due, warn), DL_YELLOW);
    assert_int_equal(dl_level_of(day_of("2026-03-10"), due, warn), DL_RED);
    int rem;
    struct err e = {0};
    assert_int_equal(dl_remaining(g_cal, day_of("2026-03-11"), due, &rem, &e),
                     0);
    assert_int_equal(rem, -2);
    assert_int_equal(dl_level_parse("yellow"), DL_YELLOW);
    assert_int_equal(dl_level_parse("blue"), -1);
    assert_string_equal(dl_level_name(DL_RED), "red");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_no_hidden_edges),
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_due),
        cmocka_unit_test(test_levels),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
