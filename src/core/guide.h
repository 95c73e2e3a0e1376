/* guide.h — the service guide (办事指南) of an implementation item as C
 * structs, its lint, and implementation item codes (docs/catalogue.md
 * "The guide", "Guide lint", "Item codes").
 *
 * The guide is filled by app/ from its JSON form (core has no JSON): every
 * text is borrowed (NULL = absent), every enumerated value is kept as the
 * text given ("committed", "licence", …) so that a typo in a draft is a
 * lint finding rather than a refusal to save. Numbers are -1 when absent.
 *
 * Pure: no I/O, no allocation, no global state; thread-safe. */
#ifndef BIANMIN_CORE_GUIDE_H
#define BIANMIN_CORE_GUIDE_H

#include <stddef.h>

#include "core/err.h"

struct guide_step {
    const char *name;
    int limit_days; /* working days; -1 absent */
    const char *role;
    const char *review_points;
    int parallel; /* 0 / 1 */
};

struct guide_material {
    const char *name;
    const char *need;      /* required | conditional */
    const char *condition; /* when a conditional material is needed */
    const char *source;    /* applicant | licence | shared_data | commitment
                              | proof */
    const char *dataset;   /* shared_data: the data set */
    const char *fields;    /* shared_data: the fields used */
    const char *proof;     /* proof: the proof registry entry */
    const char *form;      /* paper | electronic | both */
    int copies;            /* -1 absent */
    const char *blank_form, *sample, *common_errors;
};

struct guide {
    const char *accepting_unit;
    const char *const *conditions;
    int n_conditions;
    const struct guide_step *steps;
    int n_steps;
    const struct guide_material *materials;
    int n_materials;
    int fee_charged; /* 0 / 1; -1 when the fee is not stated */
    const char *fee_basis, *fee_standard;
    int legal_limit_days;     /* -1 absent */
    int committed_limit_days; /* -1 absent */
    int warning_workdays;     /* -1 absent: the yellow threshold of the
                                 deadline scan (core/deadline.h
                                 dl_threshold); 1 <= it < committed */
    const char *kind;         /* immediate | committed */
    const char *const *modes; /* window, online, mail, self_service,
                                 home_visit, appointment, agent, same_city */
    int n_modes;
    int visits; /* -1 absent */
    const char *const *consult;
    int n_consult;
    const char *const *complaint;
    int n_complaint;
    const char *address, *hours;
    const char *result_name, *result_sample;
    int result_e_licence; /* 0 / 1 */
    int outside_centre;   /* 1 when {"where", "phone"} is given */
    const char *outside_where, *outside_phone;
};

/* ---- lint ------------------------------------------------------------------
 */

enum lint_severity { LINT_ERROR = 1, LINT_WARNING = 2 };

struct lint_finding {
    enum lint_severity severity;
    char field[64];   /* JSON pointer into the guide: "/steps/2/limit_days" */
    const char *code; /* stable: "committed_over_legal" (static text) */
    const char *message; /* zh-CN (static text) */
};

/* A report the caller owns: items[cap] storage given by the caller. Findings
 * past cap are counted (errors/warnings, dropped) but not stored. */
struct lint_report {
    struct lint_finding *items;
    int cap, n;
    int errors, warnings, dropped;
};

/* lint_init — an empty report over items[cap]. */
void lint_init(struct lint_report *r, struct lint_finding *items, int cap);

/* guide_lint — append the findings of g to r (codes and rules, in the
 * order checked; every code is listed in guide_lint_codes):
 *   errors: accepting_unit_missing, conditions_missing, steps_missing,
 *     materials_missing, address_missing (unless outside_centre),
 *     hours_missing, consult_missing, complaint_missing, kind_missing,
 *     kind_unknown, limits_missing (a committed item without positive legal
 *     and committed limits), committed_over_legal, step_limit_missing (a
 *     step of a committed item without a positive limit), immediate_steps
 *     (an immediate item with more than one step), immediate_limits (an
 *     immediate item with a non-zero limit), fee_missing, fee_basis_missing,
 *     fee_standard_missing, material_name_missing, material_need_unknown,
 *     material_source_missing, material_source_unknown,
 *     material_condition_missing, shared_data_dataset_missing,
 *     proof_entry_missing, material_form_unknown, modes_missing,
 *     mode_unknown, visits_missing, visits_zero_offline (visits 0 without
 *     online or mail), warning_workdays_range (a warning threshold given
 *     but not at least 1 and below the committed limit);
 *   warnings: steps_over_committed (sum of step limits > committed limit).
 * Returns r->errors. */
int guide_lint(const struct guide *g, struct lint_report *r);

/* What the lint needs of the base item and the item code. */
struct base_facts {
    int n_legal_basis; /* entries of legal_basis */
    const char *code;  /* the implementation item's code; NULL = not known */
};

/* base_lint — append: legal_basis_missing (error, "/legal_basis"),
 * code_form (warning, "/code": the implementation code is not in the
 * national form, see catalogue_code_parse). Returns r->errors. */
int base_lint(const struct base_facts *b, struct lint_report *r);

/* What the lint needs of the proof registry (证明事项清单, docs/proofs.md):
 * whether a proof of that name is in the list with status `retained`. */
struct proof_facts {
    int (*retained)(void *ctx, const char *name); /* 1 retained, else 0 */
    void *ctx;
};

/* proof_lint — "no proof outside the list" (清单之外无证明): append
 * proof_not_listed (error, "/materials/i/proof") for each material with
 * source `proof` whose entry the registry does not hold as retained (absent,
 * cancelled, or replaced by data sharing, a commitment or a licence).
 * Materials without an entry are guide_lint's proof_entry_missing. Returns
 * r->errors. */
int proof_lint(const struct guide *g, const struct proof_facts *p,
               struct lint_report *r);

/* guide_lint_codes — every finding code, NULL-ended (for tests and the
 * audit report). */
extern const char *const guide_lint_codes[];
/* guide_modes — the handling modes, NULL-ended. */
extern const char *const guide_modes[];

/* ---- implementation item codes
 * ------------------------------------------------ */

#define CATALOGUE_CODE_MAX 96 /* bytes of a code, NUL included */
#define CATALOGUE_BASE_MAX 33 /* a base code: 6–32 of [0-9A-Z-] + NUL */

/* Parts of `BASE-REGION-000-CREDIT-BUSINESS-SUB`. */
struct catalogue_code {
    char base[CATALOGUE_BASE_MAX];
    char region[13];
    char credit[40]; /* as written; 18 characters in the national form */
    int business_no;
    char sub_path[17];
    int national; /* 1: every part in its form (credit code checked by
                     GB 32100 rules, region by ids_division_check) */
};

/* catalogue_base_code_ok — 1 when s is 6–32 characters of [0-9A-Z-],
 * neither starting nor ending with '-'. */
int catalogue_base_code_ok(const char *s);

/* catalogue_code_build — base + "-" + region (12 digits) + "-000-" +
 * credit (18, upper case) + "-" + business_no (1–999) + "-" + sub_path
 * ("00" or pairs of digits), into out. ERR_INVALID naming the part
 * ("base", "region", "credit_code", "business_no", "sub_path"). */
int catalogue_code_build(const char *base, const char *region,
                         const char *credit, int business_no,
                         const char *sub_path, char out[CATALOGUE_CODE_MAX],
                         struct err *e);

/* catalogue_code_parse — split a code at its anchor, the first
 * "-<12 digits>-000-" segment: before it the base code (which may itself
 * hold '-', as G-000007-001), after it the credit code (which may hold '-'
 * in old extracts: 00877868-5), then the business number and the sub-item
 * path (the last two segments). 0 when the anchor and all parts are found
 * (then out->national says whether each part is in its form); -1 with
 * ERR_INVALID when the code has no anchor or no parts after it (out is then
 * zeroed). Real extracts hold codes like H-000185-001-4444444444: such a
 * code is kept as given by the importer and flagged by base_lint. */
int catalogue_code_parse(const char *code, struct catalogue_code *out,
                         struct err *e);

#endif
