/* auth.h — who is asking and what they may do (the permission model; the
 * full table of actions and roles is docs/permissions.md).
 *
 * A person holds grants; a grant is a role given for a region subtree (a
 * 12-digit division code: the grant covers that region and every region
 * below it) and optionally one organisation. A capability is allowed on a
 * region when some grant's role carries the capability and the grant's
 * region is that region or one of its ancestors. Computed once per request
 * (http/ fills r->actor), passed in, never global. Pure and thread-safe. */
#ifndef BIANMIN_APP_AUTH_H
#define BIANMIN_APP_AUTH_H

#include <stdint.h>

enum role {
    ROLE_NONE = 0,
    ROLE_APPLICANT,      /* 申请人: citizen or enterprise */
    ROLE_AGENT,          /* 代办员 */
    ROLE_CLERK,          /* 窗口受理人员 */
    ROLE_REVIEWER,       /* 审查 */
    ROLE_DECIDER,        /* 决定 */
    ROLE_EDITOR,         /* 事项编制人员 */
    ROLE_LEGAL_REVIEWER, /* 法制审查 */
    ROLE_SUPERVISOR,     /* 电子监察 */
    ROLE_CENTRE_ADMIN,   /* 中心管理员 */
    ROLE_SYS_ADMIN,      /* 系统管理员 */
    ROLE__COUNT
};

enum cap {
    CAP_NONE = 0,      /* public */
    CAP_SIGNED_IN,     /* any signed-in person */
    CAP_ORG_WRITE,     /* create/change/delete organisations, halls, windows */
    CAP_CALENDAR_WRITE, /* import a year of the working-day calendar */
    CAP_REGION_WRITE,  /* import administrative divisions */
    CAP_USER_ADMIN,    /* create staff accounts and grant roles (which
                        * roles: role_may_grant) */
    CAP_AUDIT_READ,    /* search the audit log of one's region subtree
                        * (system-wide rows: system administrators only) */
    CAP_CATALOGUE_EDIT,   /* write base items, implementation items and their
                           * drafts; submit; reply to comments */
    CAP_CATALOGUE_REVIEW, /* legality review: approve, reject, publish,
                           * abolish catalogue items */
    CAP_CATALOGUE_IMPORT, /* import a whole catalogue file */
    CAP_SYNONYM_WRITE,    /* list and edit the search synonym dictionary */
    CAP_CASE_INTAKE,      /* file cases for others and take the intake
                           * decisions (accept, one-time notice, refuse),
                           * deliver, close, record fees */
    CAP_CASE_HANDLE,      /* handle accepted cases: steps, parallel
                           * answers, pauses, decisions */
    CAP_CASE_READ,        /* read cases: staff those of their region
                           * subtree (and their organisation), applicants
                           * their own, agents those they filed */
    CAP_PROOF_WRITE,      /* the proof registry, shared data sets and their
                           * records, licence import and revocation,
                           * commitment post-check draws and outcomes */
    CAP_EVIDENCE_READ,    /* look up licences and shared data (logged),
                           * record an applicant's commitment */
    CAP_CASE_WARNINGS,    /* the deadline warning scan of one's region
                           * subtree (or organisation): supervisors,
                           * centre administrators, clerks */
    CAP__COUNT
};

#define ACTOR_MAX_GRANTS 16

struct grant {
    enum role role;
    char region[13]; /* 12-digit code; the grant covers its subtree */
    int64_t org_id;  /* 0 = any organisation in the region */
};

/* The region every applicant's implied grant covers: the whole country. */
#define REGION_ALL "000000000000"

struct actor {
    int64_t user_id; /* 0 = anonymous */
    char login[65];
    char kind[12];   /* "staff" | "citizen" | "enterprise"; "" = anonymous */
    /* The session the request came with: hex BLAKE2b-256 of its token (not
     * the token; it signs nobody in) and its absolute expiry, Unix ms.
     * Empty/0 for an actor not made from a session (the CLI). */
    char session[65];
    int64_t session_expires_at;
    /* Where the request came from, for the audit log: the peer's address
     * and the request id (http/ fills both; "" from the CLI). */
    char ip[46];
    char rid[24];
    int n_grants;
    struct grant grants[ACTOR_MAX_GRANTS];
};

/* role_name / role_parse — stable wire names: "clerk", "sys_admin"…;
 * role_parse gives ROLE_NONE for anything else (NULL included). */
const char *role_name(enum role r);
enum role role_parse(const char *s);
/* role_title — the zh-CN name shown to people: "窗口受理人员"… */
const char *role_title(enum role r);
/* cap_name / cap_parse — stable names of capabilities as written in
 * docs/permissions.md: "signed_in", "org_write"…; CAP_NONE is "none". */
const char *cap_name(enum cap c);
enum cap cap_parse(const char *s);
/* role_may_grant — 1 when a holder of `granter` (a role with
 * CAP_USER_ADMIN) may give role `r` to someone: a system administrator any
 * staff role, a centre administrator the roles that work in a service
 * centre (agent, clerk, reviewer, decider). The applicant role is never
 * granted (citizens and enterprises hold it by registering). */
int role_may_grant(enum role granter, enum role r);
/* actor_can_grant — may a give role r for `region` (and org_id, 0 = any
 * organisation of the region)? True when one of a's grants has
 * CAP_USER_ADMIN, covers region (region_covers), may grant r
 * (role_may_grant) and, when it is limited to an organisation, org_id is
 * that organisation. Scope never widens: nobody grants outside their own
 * subtree. */
int actor_can_grant(const struct actor *a, enum role r, const char *region,
                    int64_t org_id);
/* role_has_cap — the role × capability table. */
int role_has_cap(enum role r, enum cap c);
/* region_covers — 1 when `scope` (12 digits) is `code` or an ancestor of it. */
int region_covers(const char *scope, const char *code);
/* actor_can — may a do c on something in `region` (NULL = anywhere a grant
 * with the capability exists)? CAP_NONE is always allowed; CAP_SIGNED_IN
 * needs a user. */
int actor_can(const struct actor *a, enum cap c, const char *region);

#endif
