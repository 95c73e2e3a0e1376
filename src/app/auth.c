/* auth.c — roles, capabilities and region scope. See auth.h and
 * docs/permissions.md (keep the two in step: a test walks the table). */
#include "auth.h"

#include <string.h>

static const char *const k_role_names[ROLE__COUNT] = {
    [ROLE_NONE] = "none",
    [ROLE_APPLICANT] = "applicant",
    [ROLE_AGENT] = "agent",
    [ROLE_CLERK] = "clerk",
    [ROLE_REVIEWER] = "reviewer",
    [ROLE_DECIDER] = "decider",
    [ROLE_EDITOR] = "editor",
    [ROLE_LEGAL_REVIEWER] = "legal_reviewer",
    [ROLE_SUPERVISOR] = "supervisor",
    [ROLE_CENTRE_ADMIN] = "centre_admin",
    [ROLE_SYS_ADMIN] = "sys_admin",
};

static const char *const k_role_titles[ROLE__COUNT] = {
    [ROLE_NONE] = "无",
    [ROLE_APPLICANT] = "申请人",
    [ROLE_AGENT] = "代办员",
    [ROLE_CLERK] = "窗口受理人员",
    [ROLE_REVIEWER] = "审查人员",
    [ROLE_DECIDER] = "决定人员",
    [ROLE_EDITOR] = "事项编制人员",
    [ROLE_LEGAL_REVIEWER] = "法制审查人员",
    [ROLE_SUPERVISOR] = "电子监察人员",
    [ROLE_CENTRE_ADMIN] = "中心管理员",
    [ROLE_SYS_ADMIN] = "系统管理员",
};

static const char *const k_cap_names[CAP__COUNT] = {
    [CAP_NONE] = "none",
    [CAP_SIGNED_IN] = "signed_in",
    [CAP_ORG_WRITE] = "org_write",
    [CAP_CALENDAR_WRITE] = "calendar_write",
    [CAP_REGION_WRITE] = "region_write",
    [CAP_USER_ADMIN] = "user_admin",
    [CAP_AUDIT_READ] = "audit_read",
    [CAP_CATALOGUE_EDIT] = "catalogue_edit",
    [CAP_CATALOGUE_REVIEW] = "catalogue_review",
    [CAP_CATALOGUE_IMPORT] = "catalogue_import",
    [CAP_SYNONYM_WRITE] = "synonym_write",
    [CAP_CASE_INTAKE] = "case_intake",
    [CAP_CASE_HANDLE] = "case_handle",
    [CAP_CASE_READ] = "case_read",
    [CAP_PROOF_WRITE] = "proof_write",
    [CAP_EVIDENCE_READ] = "evidence_read",
    [CAP_CASE_WARNINGS] = "case_warnings",
};

/* Which role carries which capability. */
static const unsigned char k_caps[ROLE__COUNT][CAP__COUNT] = {
    [ROLE_EDITOR] = {[CAP_CATALOGUE_EDIT] = 1, [CAP_SYNONYM_WRITE] = 1},
    [ROLE_LEGAL_REVIEWER] = {[CAP_CATALOGUE_REVIEW] = 1,
                             [CAP_PROOF_WRITE] = 1},
    [ROLE_APPLICANT] = {[CAP_CASE_READ] = 1},
    [ROLE_AGENT] = {[CAP_CASE_INTAKE] = 1, [CAP_CASE_READ] = 1},
    [ROLE_CLERK] = {[CAP_CASE_INTAKE] = 1, [CAP_CASE_READ] = 1,
                    [CAP_EVIDENCE_READ] = 1, [CAP_CASE_WARNINGS] = 1},
    [ROLE_REVIEWER] = {[CAP_CASE_HANDLE] = 1, [CAP_CASE_READ] = 1,
                       [CAP_EVIDENCE_READ] = 1},
    [ROLE_DECIDER] = {[CAP_CASE_HANDLE] = 1, [CAP_CASE_READ] = 1,
                      [CAP_EVIDENCE_READ] = 1},
    [ROLE_SUPERVISOR] = {[CAP_AUDIT_READ] = 1, [CAP_CASE_READ] = 1,
                         [CAP_CASE_WARNINGS] = 1},
    [ROLE_CENTRE_ADMIN] = {[CAP_ORG_WRITE] = 1, [CAP_USER_ADMIN] = 1,
                           [CAP_CASE_WARNINGS] = 1},
    [ROLE_SYS_ADMIN] = {[CAP_ORG_WRITE] = 1,
                        [CAP_CALENDAR_WRITE] = 1,
                        [CAP_REGION_WRITE] = 1,
                        [CAP_USER_ADMIN] = 1,
                        [CAP_AUDIT_READ] = 1,
                        [CAP_CATALOGUE_EDIT] = 1,
                        [CAP_CATALOGUE_REVIEW] = 1,
                        [CAP_CATALOGUE_IMPORT] = 1,
                        [CAP_SYNONYM_WRITE] = 1,
                        [CAP_PROOF_WRITE] = 1,
                        [CAP_EVIDENCE_READ] = 1},
};

const char *role_name(enum role r)
{
    return r > ROLE_NONE && r < ROLE__COUNT ? k_role_names[r] : "none";
}

enum role role_parse(const char *s)
{
    for (int r = ROLE_NONE + 1; r < ROLE__COUNT; r++)
        if (s && strcmp(s, k_role_names[r]) == 0)
            return (enum role)r;
    return ROLE_NONE;
}

const char *role_title(enum role r)
{
    return r > ROLE_NONE && r < ROLE__COUNT ? k_role_titles[r] : "无";
}

const char *cap_name(enum cap c)
{
    return c >= CAP_NONE && c < CAP__COUNT && k_cap_names[c] ? k_cap_names[c]
                                                             : "none";
}

enum cap cap_parse(const char *s)
{
    for (int c = CAP_NONE + 1; c < CAP__COUNT; c++)
        if (s && k_cap_names[c] && strcmp(s, k_cap_names[c]) == 0)
            return (enum cap)c;
    return CAP_NONE;
}

int role_may_grant(enum role granter, enum role r)
{
    if (r <= ROLE_APPLICANT || r >= ROLE__COUNT)
        return 0;
    switch (granter) {
    case ROLE_SYS_ADMIN:
        return 1;
    case ROLE_CENTRE_ADMIN:
        return r == ROLE_AGENT || r == ROLE_CLERK || r == ROLE_REVIEWER ||
               r == ROLE_DECIDER;
    default:
        return 0;
    }
}

int actor_can_grant(const struct actor *a, enum role r, const char *region,
                    int64_t org_id)
{
    if (!a || a->user_id == 0 || !region)
        return 0;
    for (int i = 0; i < a->n_grants; i++) {
        const struct grant *g = &a->grants[i];
        if (!role_has_cap(g->role, CAP_USER_ADMIN) ||
            !role_may_grant(g->role, r) || !region_covers(g->region, region))
            continue;
        if (g->org_id != 0 && g->org_id != org_id)
            continue;
        return 1;
    }
    return 0;
}

int role_has_cap(enum role r, enum cap c)
{
    if (r <= ROLE_NONE || r >= ROLE__COUNT || c <= CAP_NONE || c >= CAP__COUNT)
        return 0;
    return c == CAP_SIGNED_IN || k_caps[r][c];
}

/* Significant digits of a 12-digit code by level: 2,4,6,9,12. */
static int significant(const char *code)
{
    static const int k_cut[] = {2, 4, 6, 9, 12};
    int sig = 12;
    for (int i = 4; i >= 0; i--) {
        int zero = 1;
        for (int k = i == 0 ? 0 : k_cut[i - 1]; k < k_cut[i]; k++)
            if (code[k] != '0')
                zero = 0;
        if (!zero)
            break;
        sig = i == 0 ? 0 : k_cut[i - 1];
    }
    return sig;
}

int region_covers(const char *scope, const char *code)
{
    if (!scope || !code || strlen(scope) != 12 || strlen(code) != 12)
        return 0;
    int sig = significant(scope);
    return strncmp(scope, code, (size_t)sig) == 0;
}

int actor_can(const struct actor *a, enum cap c, const char *region)
{
    if (c == CAP_NONE)
        return 1;
    if (!a || a->user_id == 0)
        return 0;
    if (c == CAP_SIGNED_IN)
        return 1;
    for (int i = 0; i < a->n_grants; i++) {
        const struct grant *g = &a->grants[i];
        if (!role_has_cap(g->role, c))
            continue;
        if (!region || region_covers(g->region, region))
            return 1;
    }
    return 0;
}
