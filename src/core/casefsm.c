/* casefsm.c — the case state machine: one table of transitions (from which
 * states, to which, by which roles) and the required fields of each action.
 * Pure rules; contract in core/casefsm.h. */
#include "casefsm.h"

#include <string.h>

static const char *const k_state_names[CS__COUNT] = {
    [CS_NONE] = "none",           [CS_SUBMITTED] = "submitted",
    [CS_SUPPLEMENT] = "supplement", [CS_HANDLING] = "handling",
    [CS_PAUSED] = "paused",       [CS_DECIDED] = "decided",
    [CS_DELIVERED] = "delivered", [CS_CLOSED] = "closed",
    [CS_REFUSED] = "refused",     [CS_WITHDRAWN] = "withdrawn",
};

static const char *const k_state_titles[CS__COUNT] = {
    [CS_NONE] = "未申请",         [CS_SUBMITTED] = "已申请，待受理",
    [CS_SUPPLEMENT] = "待补正材料", [CS_HANDLING] = "办理中",
    [CS_PAUSED] = "暂停计时",     [CS_DECIDED] = "已作出决定",
    [CS_DELIVERED] = "结果已送达", [CS_CLOSED] = "已办结",
    [CS_REFUSED] = "不予受理",    [CS_WITHDRAWN] = "已撤回",
};

static const char *const k_action_names[CA__COUNT] = {
    [CA_NONE] = "none",         [CA_SUBMIT] = "submit",
    [CA_NOTICE] = "notice",     [CA_SUPPLY] = "supply",
    [CA_ACCEPT] = "accept",     [CA_REFUSE] = "refuse",
    [CA_DISPATCH] = "dispatch", [CA_ANSWER] = "answer",
    [CA_STEP] = "step",         [CA_PAUSE] = "pause",
    [CA_RESUME] = "resume",     [CA_DECIDE] = "decide",
    [CA_DELIVER] = "deliver",   [CA_CLOSE] = "close",
    [CA_WITHDRAW] = "withdraw", [CA_FEE] = "fee",
};

static const char *const k_action_titles[CA__COUNT] = {
    [CA_NONE] = "操作",       [CA_SUBMIT] = "提交申请",
    [CA_NOTICE] = "一次性告知", [CA_SUPPLY] = "补正材料",
    [CA_ACCEPT] = "受理",     [CA_REFUSE] = "不予受理",
    [CA_DISPATCH] = "并联分送", [CA_ANSWER] = "并联答复",
    [CA_STEP] = "办理环节",   [CA_PAUSE] = "暂停计时",
    [CA_RESUME] = "恢复计时", [CA_DECIDE] = "作出决定",
    [CA_DELIVER] = "送达",    [CA_CLOSE] = "办结",
    [CA_WITHDRAW] = "撤回",   [CA_FEE] = "收费",
};

#define S(x) (1u << (x))
#define OPEN_STATES                                                            \
    (S(CS_SUBMITTED) | S(CS_SUPPLEMENT) | S(CS_HANDLING) | S(CS_PAUSED) |      \
     S(CS_DECIDED) | S(CS_DELIVERED))

/* The transitions. to == CS_NONE: the state stays. roles == 0: decided by
 * a fact of the case (step, decide). */
static const struct transition {
    unsigned from; /* bit set of states */
    enum case_state to;
    int roles;
} k_table[CA__COUNT] = {
    [CA_SUBMIT] = {S(CS_NONE), CS_SUBMITTED,
                   CR_APPLICANT | CR_AGENT | CR_CLERK},
    [CA_NOTICE] = {S(CS_SUBMITTED), CS_SUPPLEMENT, CR_CLERK},
    [CA_SUPPLY] = {S(CS_SUPPLEMENT), CS_SUBMITTED,
                   CR_APPLICANT | CR_AGENT | CR_CLERK},
    [CA_ACCEPT] = {S(CS_SUBMITTED), CS_HANDLING, CR_CLERK},
    [CA_REFUSE] = {S(CS_SUBMITTED) | S(CS_SUPPLEMENT), CS_REFUSED, CR_CLERK},
    [CA_DISPATCH] = {S(CS_HANDLING), CS_NONE,
                     CR_CLERK | CR_REVIEWER | CR_DECIDER},
    [CA_ANSWER] = {S(CS_HANDLING), CS_NONE, CR_REVIEWER | CR_DECIDER},
    [CA_STEP] = {S(CS_HANDLING), CS_NONE, 0},
    [CA_PAUSE] = {S(CS_HANDLING), CS_PAUSED,
                  CR_CLERK | CR_REVIEWER | CR_DECIDER},
    [CA_RESUME] = {S(CS_PAUSED), CS_HANDLING,
                   CR_CLERK | CR_REVIEWER | CR_DECIDER},
    [CA_DECIDE] = {S(CS_HANDLING), CS_DECIDED, 0},
    [CA_DELIVER] = {S(CS_DECIDED), CS_DELIVERED, CR_CLERK},
    [CA_CLOSE] = {S(CS_DELIVERED), CS_CLOSED, CR_CLERK},
    [CA_WITHDRAW] = {S(CS_SUBMITTED) | S(CS_SUPPLEMENT) | S(CS_HANDLING) |
                         S(CS_PAUSED),
                     CS_WITHDRAWN, CR_APPLICANT | CR_AGENT | CR_CLERK},
    [CA_FEE] = {OPEN_STATES, CS_NONE, CR_CLERK},
};

const char *casefsm_state_name(enum case_state s)
{
    return s >= CS_NONE && s < CS__COUNT ? k_state_names[s] : "none";
}

enum case_state casefsm_state_parse(const char *s)
{
    for (int i = CS_NONE + 1; s && i < CS__COUNT; i++)
        if (!strcmp(s, k_state_names[i]))
            return (enum case_state)i;
    return CS_NONE;
}

const char *casefsm_state_title(enum case_state s)
{
    return s >= CS_NONE && s < CS__COUNT ? k_state_titles[s] : "未知";
}

const char *casefsm_action_name(enum case_action a)
{
    return a >= CA_NONE && a < CA__COUNT ? k_action_names[a] : "none";
}

enum case_action casefsm_action_parse(const char *s)
{
    for (int i = CA_NONE + 1; s && i < CA__COUNT; i++)
        if (!strcmp(s, k_action_names[i]))
            return (enum case_action)i;
    return CA_NONE;
}

int casefsm_open(enum case_state s)
{
    return s > CS_NONE && s < CS__COUNT && (OPEN_STATES & S(s)) != 0;
}

static int present(const char *s)
{
    return s && *s;
}

static int one_of(const char *s, const char *const *set)
{
    for (; s && *set; set++)
        if (!strcmp(s, *set))
            return 1;
    return 0;
}

static const char *const k_channels[] = {"window", "online", "mobile",
                                         "self_service", "agent", "mail",
                                         NULL};
static const char *const k_methods[] = {"pickup", "mail", "electronic", NULL};
static const char *const k_pauses[] = {"supplement", "hearing",
                                       "expert_review", "inspection",
                                       "special", NULL};
static const char *const k_decisions[] = {"grant", "deny", NULL};

/* Which channels each filing role may use: applicants file themselves
 * online, by phone or at a terminal; a village agent under an entrustment;
 * a clerk enters window and mailed applications. */
static int channel_ok(int roles, const char *ch)
{
    if ((roles & CR_APPLICANT) &&
        one_of(ch, (const char *const[]){"online", "mobile", "self_service",
                                         NULL}))
        return 1;
    if ((roles & CR_AGENT) && !strcmp(ch, "agent"))
        return 1;
    if ((roles & CR_CLERK) &&
        one_of(ch, (const char *const[]){"window", "mail", NULL}))
        return 1;
    return 0;
}

/* Required fields and facts, after state and role passed. */
static int check_fields(enum case_action a, int roles,
                        const struct casefsm_in *in, struct err *e)
{
    switch (a) {
    case CA_SUBMIT:
        if (!one_of(in->channel, k_channels))
            return err_set(e, ERR_INVALID, "/channel",
                           "申请渠道应为 window、online、mobile、"
                           "self_service、agent 或 mail");
        if (!channel_ok(roles, in->channel))
            return err_set(e, ERR_FORBIDDEN, "/channel",
                           "无权以该渠道提交申请");
        if (!strcmp(in->channel, "agent") && !present(in->entrustment))
            return err_set(e, ERR_INVALID, "/agent/entrustment",
                           "代办申请须有委托书");
        return 0;
    case CA_NOTICE:
        if (in->n_items <= 0)
            return err_set(e, ERR_INVALID, "/items",
                           "一次性告知须列明需补正的全部材料");
        if (in->renotice_bad)
            return err_set(e, ERR_CONFLICT, "/items",
                           "已收取的材料不得再次要求补正");
        return 0;
    case CA_ACCEPT:
        if (in->missing > 0)
            return err_set(e, ERR_INVALID, "/materials",
                           "尚有 %d 项材料不齐全，应一次性告知补正",
                           in->missing);
        return 0;
    case CA_REFUSE:
        if (!present(in->reason))
            return err_set(e, ERR_INVALID, "/reason", "不予受理须说明理由");
        if (!present(in->basis))
            return err_set(e, ERR_INVALID, "/basis",
                           "不予受理须写明法律依据");
        return 0;
    case CA_DISPATCH:
        if (!in->step_parallel)
            return err_set(e, ERR_CONFLICT, "",
                           "当前环节不是并联环节，无需分送");
        if (in->dispatched)
            return err_set(e, ERR_CONFLICT, "", "当前并联环节已分送");
        if (in->n_departments < 2)
            return err_set(e, ERR_INVALID, "/departments",
                           "并联办理应分送至少两个部门");
        return 0;
    case CA_ANSWER:
        if (!in->step_parallel || !in->dispatched || in->pending <= 0)
            return err_set(e, ERR_CONFLICT, "",
                           "当前没有等待答复的并联环节");
        if (!present(in->opinion))
            return err_set(e, ERR_INVALID, "/opinion", "请填写部门意见");
        return 0;
    case CA_STEP:
        if (!present(in->opinion))
            return err_set(e, ERR_INVALID, "/opinion", "请填写办理意见");
        return 0;
    case CA_PAUSE:
        if (!one_of(in->pause_kind, k_pauses))
            return err_set(e, ERR_INVALID, "/kind",
                           "暂停类型应为 supplement、hearing、expert_review、"
                           "inspection 或 special");
        if (!present(in->reason))
            return err_set(e, ERR_INVALID, "/reason", "暂停计时须说明理由");
        if (in->limit_days < 1 || in->limit_days > 365)
            return err_set(e, ERR_INVALID, "/limit_days",
                           "暂停期限应为 1 至 365 个工作日");
        return 0;
    case CA_DECIDE:
        if (!one_of(in->decision, k_decisions))
            return err_set(e, ERR_INVALID, "/decision",
                           "决定应为 grant（准予）或 deny（不予）");
        if (!strcmp(in->decision, "deny")) {
            if (!present(in->reason))
                return err_set(e, ERR_INVALID, "/reason",
                               "不予决定须说明理由");
            if (!present(in->basis))
                return err_set(e, ERR_INVALID, "/basis",
                               "不予决定须写明法律依据");
        }
        return 0;
    case CA_DELIVER:
        if (!one_of(in->method, k_methods))
            return err_set(e, ERR_INVALID, "/method",
                           "送达方式应为 pickup、mail 或 electronic");
        if (!strcmp(in->method, "mail") && !present(in->tracking_no))
            return err_set(e, ERR_INVALID, "/tracking_no",
                           "邮寄送达须填写快递单号");
        return 0;
    case CA_WITHDRAW:
        if (!present(in->reason))
            return err_set(e, ERR_INVALID, "/reason", "撤回须说明理由");
        return 0;
    case CA_FEE:
        if (in->amount_fen <= 0 || in->amount_fen > 100000000000LL)
            return err_set(e, ERR_INVALID, "/amount_fen",
                           "收费金额应为正整数（分）");
        if (!present(in->receipt_no))
            return err_set(e, ERR_INVALID, "/receipt_no",
                           "收费须填写票据号");
        return 0;
    default:
        return 0;
    }
}

int casefsm_check(enum case_state from, enum case_action a, int roles,
                  const struct casefsm_in *in, enum case_state *to,
                  struct err *e)
{
    static const struct casefsm_in k_empty;
    if (!in)
        in = &k_empty;
    if (a <= CA_NONE || a >= CA__COUNT)
        return err_set(e, ERR_INVALID, "", "未知的办件操作");
    if (from < CS_NONE || from >= CS__COUNT)
        return err_set(e, ERR_CONFLICT, "", "办件状态未知");
    const struct transition *t = &k_table[a];
    if (!(t->from & S(from)))
        return err_set(e, ERR_CONFLICT, "", "办件当前状态为「%s」，不能%s",
                       k_state_titles[from], k_action_titles[a]);
    /* Facts that make the action impossible whoever asks. */
    if (a == CA_STEP && in->steps_left <= 0)
        return err_set(e, ERR_CONFLICT, "", "办理环节均已完成，请作出决定");
    if (a == CA_STEP && in->step_parallel)
        return err_set(e, ERR_CONFLICT, "",
                       in->dispatched ? "并联环节须待各部门全部答复"
                                      : "并联环节须先分送各部门");
    if (a == CA_DECIDE && in->steps_left > 0)
        return err_set(e, ERR_CONFLICT, "",
                       in->step_parallel && in->dispatched
                           ? "并联环节尚有 %d 个部门未答复"
                           : "尚有 %d 个办理环节未完成",
                       in->step_parallel && in->dispatched ? in->pending
                                                           : in->steps_left);
    int allowed = t->roles;
    if (a == CA_STEP)
        allowed = in->step_roles;
    else if (a == CA_DECIDE)
        allowed = CR_DECIDER | (in->immediate ? CR_CLERK : 0);
    if (!(roles & allowed))
        return err_set(e, ERR_FORBIDDEN, "", "无权%s", k_action_titles[a]);
    if (check_fields(a, roles & allowed, in, e))
        return -1;
    *to = t->to == CS_NONE ? from : t->to;
    return 0;
}

int casefsm_step_roles(const char *role)
{
    if (role && !strcmp(role, "clerk"))
        return CR_CLERK;
    if (role && !strcmp(role, "reviewer"))
        return CR_REVIEWER;
    if (role && !strcmp(role, "decider"))
        return CR_DECIDER;
    return CR_REVIEWER | CR_DECIDER;
}

void casefsm_plan(const struct guide *g, struct casefsm_plan *out)
{
    int n = g && g->steps ? g->n_steps : 0;
    out->intake = -1;
    out->decision = -1;
    out->first = 0;
    out->end = 0;
    if (n <= 0)
        return;
    if (g->steps[0].role && !strcmp(g->steps[0].role, "clerk"))
        out->intake = 0;
    out->first = out->intake + 1;
    for (int i = n - 1; i >= out->first; i--)
        if (g->steps[i].role && !strcmp(g->steps[i].role, "decider")) {
            out->decision = i;
            break;
        }
    if (out->decision >= 0) {
        out->end = out->decision;
        return;
    }
    int end = n;
    while (end > out->first && g->steps[end - 1].role &&
           !strcmp(g->steps[end - 1].role, "clerk"))
        end--;
    out->end = end;
}
