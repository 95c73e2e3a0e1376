/* casefsm.h — the state machine of a case (办件): its states, the actions
 * that move it, who may take each action, and what each action must carry.
 * It is the only way a case changes state: app/app_cases.c asks
 * casefsm_check before every write, and store/cases.c writes the state
 * change and its event (who, when, from, to, why) in one statement pair
 * that the database itself checks (migration "cases": a state change
 * without its event, or a changed or deleted event, is refused).
 *
 *   (none) ──submit──▶ submitted ──accept──▶ handling ──decide──▶ decided
 *                      │   ▲   │                │  ▲                  │
 *               notice │   │supply          pause│  │resume         deliver
 *                      ▼   │   │                ▼  │                  ▼
 *                    supplement │             paused              delivered
 *                      │        │refuse                               │close
 *                      └────────┴──────▶ refused                      ▼
 *   withdraw: submitted | supplement | handling | paused ──▶ withdrawn  closed
 *
 * Inside `handling` the case walks the guide's steps (casefsm_plan): `step`
 * completes the current step (its opinion recorded); a parallel step
 * (并联) is first `dispatch`ed to several departments, each `answer`s, and
 * the step completes only with the last answer. `decide` needs every step
 * done. `fee` records a fee and its receipt without changing the state.
 * Immediate items (即办件): the app takes accept, decide, deliver and close
 * in one sitting (one write unit), each still checked here.
 *
 * Roles are the case's own (CR_*), computed by the app from the actor's
 * grants on the case's region and from the case (CR_APPLICANT only for the
 * applicant's own account): core knows nothing of accounts.
 *
 * Pure: no I/O, no allocation, no global state; thread-safe. */
#ifndef BIANMIN_CORE_CASEFSM_H
#define BIANMIN_CORE_CASEFSM_H

#include <stdint.h>

#include "core/err.h"
#include "core/guide.h"

enum case_state {
    CS_NONE = 0,   /* before submission */
    CS_SUBMITTED,  /* 已申请，待受理 */
    CS_SUPPLEMENT, /* 待补正（已一次性告知），未起算 */
    CS_HANDLING,   /* 办理中，计时 */
    CS_PAUSED,     /* 中止计时：补正或特别程序 */
    CS_DECIDED,    /* 已作出决定 */
    CS_DELIVERED,  /* 已送达 */
    CS_CLOSED,     /* 已办结 */
    CS_REFUSED,    /* 不予受理 */
    CS_WITHDRAWN,  /* 已撤回 */
    CS__COUNT
};

enum case_action {
    CA_NONE = 0,
    CA_SUBMIT,   /* none → submitted */
    CA_NOTICE,   /* submitted → supplement: the one-time notice */
    CA_SUPPLY,   /* supplement → submitted: the applicant supplements */
    CA_ACCEPT,   /* submitted → handling: receipt, clock starts */
    CA_REFUSE,   /* submitted | supplement → refused */
    CA_DISPATCH, /* handling: a parallel step to its departments */
    CA_ANSWER,   /* handling: one department answers a parallel step */
    CA_STEP,     /* handling: the current (serial) step is done */
    CA_PAUSE,    /* handling → paused */
    CA_RESUME,   /* paused → handling */
    CA_DECIDE,   /* handling → decided: grant or deny */
    CA_DELIVER,  /* decided → delivered */
    CA_CLOSE,    /* delivered → closed */
    CA_WITHDRAW, /* submitted | supplement | handling | paused → withdrawn */
    CA_FEE,      /* submitted … delivered, no change: a fee and receipt */
    CA__COUNT
};

/* The case's roles of an actor (bits). */
enum case_role {
    CR_APPLICANT = 1 << 0, /* the applicant's own account */
    CR_AGENT = 1 << 1,     /* 代办员 */
    CR_CLERK = 1 << 2,     /* 窗口受理人员 */
    CR_REVIEWER = 1 << 3,  /* 审查人员 */
    CR_DECIDER = 1 << 4,   /* 决定人员 */
};

/* What an action carries, and the facts of the case it depends on. Texts
 * are borrowed; NULL or "" = absent. */
struct casefsm_in {
    /* carried */
    const char *channel;     /* submit: window | online | mobile |
                                self_service | agent | mail */
    const char *entrustment; /* submit by agent: the recorded 委托书 */
    const char *reason;      /* notice/refuse/pause/withdraw/deny */
    const char *basis;       /* refuse, deny: legal basis */
    const char *opinion;     /* step, answer */
    const char *decision;    /* decide: grant | deny */
    const char *method;      /* deliver: pickup | mail | electronic */
    const char *tracking_no; /* deliver by mail */
    const char *pause_kind;  /* pause: supplement | hearing | expert_review
                                | inspection | special */
    int limit_days;          /* pause: 1..365 */
    int n_items;             /* notice: materials listed */
    int n_departments;       /* dispatch: >= 2 */
    const char *receipt_no;  /* fee */
    int64_t amount_fen;      /* fee: > 0 */
    /* facts of the case */
    int missing;          /* accept: applicable materials not satisfied */
    int renotice_bad;     /* notice: names a material already accepted */
    int immediate;        /* 即办件: the clerk decides */
    int steps_left;       /* handling steps not yet done */
    int step_parallel;    /* the current step is parallel */
    int step_roles;       /* CR_* that may do the current step */
    int dispatched;       /* the current parallel step was dispatched */
    int pending;          /* departments that have not answered */
};

/* casefsm_state_name / casefsm_state_parse — stable wire names
 * ("submitted"…; "none" for CS_NONE); parse gives CS_NONE for others. */
const char *casefsm_state_name(enum case_state s);
enum case_state casefsm_state_parse(const char *s);
/* casefsm_state_title — zh-CN words for the public ("办理中"). */
const char *casefsm_state_title(enum case_state s);
/* casefsm_action_name / casefsm_action_parse — "submit", "accept"…;
 * parse gives CA_NONE for others. */
const char *casefsm_action_name(enum case_action a);
enum case_action casefsm_action_parse(const char *s);
/* casefsm_open — 1 for a state in which the case is still running
 * (submitted … delivered), 0 for closed, refused, withdrawn. */
int casefsm_open(enum case_state s);

/* casefsm_check — may `roles` take action `a` on a case in state `from`
 * with input `in`? 0 and *to (the state after; `from` itself for dispatch,
 * answer, step and fee) on success. Checks in this order, and fails with:
 *   ERR_INVALID (field "")   unknown action
 *   ERR_CONFLICT             the action is not allowed in `from`
 *                            ("办件当前状态为…，不能…"), or a fact of the
 *                            case forbids it (steps left before decide, a
 *                            parallel step waiting for answers, a step
 *                            done while none is left, a parallel step
 *                            dispatched twice, a second notice naming a
 *                            material already accepted)
 *   ERR_FORBIDDEN            none of `roles` may take it (for step: the
 *                            current step's roles; decide: the decider,
 *                            or the clerk on an immediate item)
 *   ERR_INVALID (field = JSON pointer of the body: "/reason", "/basis",
 *                "/opinion", "/decision", "/method", "/tracking_no",
 *                "/kind", "/limit_days", "/items", "/departments",
 *                "/receipt_no", "/amount_fen", "/channel",
 *                "/agent/entrustment", "/materials")
 *                            a required field is absent or out of its set:
 *                            notice needs items (and a reason);
 *                            refuse reason and basis; deny reason and
 *                            basis; mail delivery a tracking number; an
 *                            agent's submission the entrustment; accept
 *                            no missing material.
 * *to is untouched on failure. */
int casefsm_check(enum case_state from, enum case_action a, int roles,
                  const struct casefsm_in *in, enum case_state *to,
                  struct err *e);

/* How a guide's steps map onto the machine (docs/cases.md "Steps"):
 *   intake   = step 0 when its role is "clerk" (受理: done by accept), else -1
 *   decision = the last step whose role is "decider" (done by decide), or -1
 *   handling = the steps after intake and before decision (or, without a
 *              decision step, up to the last step that is not the clerk's)
 *   delivery = the steps after the decision (done by deliver)
 * first..end-1 are the handling steps (empty when first == end). */
struct casefsm_plan {
    int intake, decision;
    int first, end;
};

/* casefsm_plan — the plan of g. Never fails. */
void casefsm_plan(const struct guide *g, struct casefsm_plan *out);

/* casefsm_step_roles — the CR_* bits of a guide step's role text
 * ("reviewer" → CR_REVIEWER; "clerk", "decider" likewise; an unknown or
 * absent role → CR_REVIEWER | CR_DECIDER). */
int casefsm_step_roles(const char *role);

#endif
