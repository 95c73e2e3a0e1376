/* guide.c — the guide lint and implementation item codes. Pure rules: no
 * I/O, no allocation, thread-safe. Contract in core/guide.h. */
#include "core/guide.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"

const char *const guide_lint_codes[] = {
    "accepting_unit_missing",
    "conditions_missing",
    "steps_missing",
    "materials_missing",
    "address_missing",
    "hours_missing",
    "consult_missing",
    "complaint_missing",
    "kind_missing",
    "kind_unknown",
    "limits_missing",
    "committed_over_legal",
    "step_limit_missing",
    "immediate_steps",
    "immediate_limits",
    "fee_missing",
    "fee_basis_missing",
    "fee_standard_missing",
    "material_name_missing",
    "material_need_unknown",
    "material_source_missing",
    "material_source_unknown",
    "material_condition_missing",
    "shared_data_dataset_missing",
    "proof_entry_missing",
    "material_form_unknown",
    "modes_missing",
    "mode_unknown",
    "visits_missing",
    "visits_zero_offline",
    "warning_workdays_range",
    "steps_over_committed",
    "legal_basis_missing",
    "code_form",
    "proof_not_listed",
    NULL,
};

void lint_init(struct lint_report *r, struct lint_finding *items, int cap)
{
    memset(r, 0, sizeof *r);
    r->items = items;
    r->cap = items ? cap : 0;
}

static void add(struct lint_report *r, enum lint_severity sev,
                const char *field, const char *code, const char *msg)
{
    if (sev == LINT_ERROR)
        r->errors++;
    else
        r->warnings++;
    if (r->n >= r->cap) {
        r->dropped++;
        return;
    }
    struct lint_finding *f = &r->items[r->n++];
    f->severity = sev;
    snprintf(f->field, sizeof f->field, "%s", field);
    f->code = code;
    f->message = msg;
}

static void addi(struct lint_report *r, enum lint_severity sev,
                 const char *list, int i, const char *key, const char *code,
                 const char *msg)
{
    char field[64];
    if (key)
        snprintf(field, sizeof field, "/%s/%d/%s", list, i, key);
    else
        snprintf(field, sizeof field, "/%s/%d", list, i);
    add(r, sev, field, code, msg);
}

static int blank(const char *s)
{
    if (!s)
        return 1;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 0;
    return 1;
}

static int one_of(const char *s, const char *const *set)
{
    for (; s && *set; set++)
        if (strcmp(s, *set) == 0)
            return 1;
    return 0;
}

static int any_text(const char *const *list, int n)
{
    for (int i = 0; i < n; i++)
        if (!blank(list[i]))
            return 1;
    return 0;
}

const char *const guide_modes[] = {"window",       "online",     "mail",
                                   "self_service", "home_visit", "appointment",
                                   "agent",        "same_city",  NULL};
static const char *const k_needs[] = {"required", "conditional", NULL};
static const char *const k_sources[] = {"applicant",  "licence", "shared_data",
                                        "commitment", "proof",   NULL};
static const char *const k_forms[] = {"paper", "electronic", "both", NULL};

int guide_lint(const struct guide *g, struct lint_report *r)
{
    if (blank(g->accepting_unit))
        add(r, LINT_ERROR, "/accepting_unit", "accepting_unit_missing",
            "缺少受理单位");
    if (!any_text(g->conditions, g->n_conditions))
        add(r, LINT_ERROR, "/conditions", "conditions_missing", "缺少受理条件");
    if (g->n_steps == 0)
        add(r, LINT_ERROR, "/steps", "steps_missing", "缺少办理流程");
    if (g->n_materials == 0)
        add(r, LINT_ERROR, "/materials", "materials_missing",
            "缺少申请材料（无需材料的事项也应写明）");
    if (blank(g->address) && !g->outside_centre)
        add(r, LINT_ERROR, "/address", "address_missing", "缺少办理地点");
    if (blank(g->hours))
        add(r, LINT_ERROR, "/hours", "hours_missing", "缺少办理时间");
    if (!any_text(g->consult, g->n_consult))
        add(r, LINT_ERROR, "/consult", "consult_missing", "缺少咨询方式");
    if (!any_text(g->complaint, g->n_complaint))
        add(r, LINT_ERROR, "/complaint", "complaint_missing",
            "缺少监督投诉方式");

    int committed = 0, immediate = 0;
    if (blank(g->kind))
        add(r, LINT_ERROR, "/kind", "kind_missing",
            "缺少办件类型（即办件或承诺件）");
    else if (strcmp(g->kind, "committed") == 0)
        committed = 1;
    else if (strcmp(g->kind, "immediate") == 0)
        immediate = 1;
    else
        add(r, LINT_ERROR, "/kind", "kind_unknown",
            "办件类型应为 immediate（即办件）或 committed（承诺件）");

    if (committed) {
        if (g->legal_limit_days <= 0)
            add(r, LINT_ERROR, "/legal_limit_days", "limits_missing",
                "承诺件应写明大于 0 的法定办结时限");
        if (g->committed_limit_days <= 0)
            add(r, LINT_ERROR, "/committed_limit_days", "limits_missing",
                "承诺件应写明大于 0 的承诺办结时限");
        if (g->legal_limit_days > 0 &&
            g->committed_limit_days > g->legal_limit_days)
            add(r, LINT_ERROR, "/committed_limit_days", "committed_over_legal",
                "承诺办结时限不得超过法定办结时限");
        long sum = 0;
        for (int i = 0; i < g->n_steps; i++) {
            if (g->steps[i].limit_days <= 0)
                addi(r, LINT_ERROR, "steps", i, "limit_days",
                     "step_limit_missing", "承诺件的每个环节应有大于 0 的时限");
            else
                sum += g->steps[i].limit_days;
        }
        if (g->committed_limit_days > 0 && sum > g->committed_limit_days)
            add(r, LINT_WARNING, "/steps", "steps_over_committed",
                "各环节时限之和超过承诺办结时限");
    }
    if (immediate) {
        if (g->n_steps > 1)
            add(r, LINT_ERROR, "/steps", "immediate_steps",
                "即办件只应有一个环节（当场办结）");
        if (g->legal_limit_days > 0)
            add(r, LINT_ERROR, "/legal_limit_days", "immediate_limits",
                "即办件的时限应为 0");
        if (g->committed_limit_days > 0)
            add(r, LINT_ERROR, "/committed_limit_days", "immediate_limits",
                "即办件的时限应为 0");
        for (int i = 0; i < g->n_steps; i++)
            if (g->steps[i].limit_days > 0)
                addi(r, LINT_ERROR, "steps", i, "limit_days",
                     "immediate_limits", "即办件的时限应为 0");
    }

    /* The yellow threshold, when given: at least one working day and less
     * than the committed limit (else the case would be yellow from its
     * acceptance, or never; an immediate item has no clock to warn on). */
    if (g->warning_workdays >= 0 &&
        (g->warning_workdays < 1 ||
         g->warning_workdays >=
             (g->committed_limit_days > 0 ? g->committed_limit_days : 1)))
        add(r, LINT_ERROR, "/warning_workdays", "warning_workdays_range",
            "预警阈值应为至少 1 个工作日且小于承诺办结时限");

    if (g->fee_charged < 0)
        add(r, LINT_ERROR, "/fee", "fee_missing", "应写明是否收费");
    else if (g->fee_charged) {
        if (blank(g->fee_basis))
            add(r, LINT_ERROR, "/fee/basis", "fee_basis_missing",
                "收费事项应写明收费依据");
        if (blank(g->fee_standard))
            add(r, LINT_ERROR, "/fee/standard", "fee_standard_missing",
                "收费事项应写明收费标准");
    }

    for (int i = 0; i < g->n_materials; i++) {
        const struct guide_material *m = &g->materials[i];
        if (blank(m->name))
            addi(r, LINT_ERROR, "materials", i, "name", "material_name_missing",
                 "材料缺少名称");
        if (!blank(m->need) && !one_of(m->need, k_needs))
            addi(r, LINT_ERROR, "materials", i, "need", "material_need_unknown",
                 "材料的必要性应为 required 或 conditional");
        if (blank(m->source))
            addi(r, LINT_ERROR, "materials", i, "source",
                 "material_source_missing", "材料缺少来源");
        else if (!one_of(m->source, k_sources))
            addi(r, LINT_ERROR, "materials", i, "source",
                 "material_source_unknown",
                 "材料来源应为 applicant、licence、shared_data、commitment "
                 "或 proof");
        if (m->need && strcmp(m->need, "conditional") == 0 &&
            blank(m->condition))
            addi(r, LINT_ERROR, "materials", i, "condition",
                 "material_condition_missing",
                 "容缺或条件性材料应写明适用情形");
        if (m->source && strcmp(m->source, "shared_data") == 0 &&
            blank(m->dataset))
            addi(r, LINT_ERROR, "materials", i, "dataset",
                 "shared_data_dataset_missing", "共享获取的材料应写明数据集");
        if (m->source && strcmp(m->source, "proof") == 0 && blank(m->proof))
            addi(r, LINT_ERROR, "materials", i, "proof", "proof_entry_missing",
                 "证明材料应写明证明事项清单中的条目");
        if (!blank(m->form) && !one_of(m->form, k_forms))
            addi(r, LINT_ERROR, "materials", i, "form", "material_form_unknown",
                 "材料形式应为 paper、electronic 或 both");
    }

    int online_or_mail = 0;
    if (g->n_modes == 0)
        add(r, LINT_ERROR, "/modes", "modes_missing", "缺少办理方式");
    for (int i = 0; i < g->n_modes; i++) {
        if (!one_of(g->modes[i], guide_modes))
            addi(r, LINT_ERROR, "modes", i, NULL, "mode_unknown",
                 "未知的办理方式");
        else if (!strcmp(g->modes[i], "online") || !strcmp(g->modes[i], "mail"))
            online_or_mail = 1;
    }
    if (g->visits < 0)
        add(r, LINT_ERROR, "/visits", "visits_missing", "缺少到办事现场次数");
    else if (g->visits == 0 && !online_or_mail)
        add(r, LINT_ERROR, "/visits", "visits_zero_offline",
            "零跑动事项应支持网上办理或邮寄");
    return r->errors;
}

int base_lint(const struct base_facts *b, struct lint_report *r)
{
    if (b->n_legal_basis <= 0)
        add(r, LINT_ERROR, "/legal_basis", "legal_basis_missing",
            "缺少设定依据");
    if (b->code) {
        struct catalogue_code c;
        if (catalogue_code_parse(b->code, &c, NULL) || !c.national)
            add(r, LINT_WARNING, "/code", "code_form",
                "事项编码不符合国家实施清单编码格式");
    }
    return r->errors;
}

int proof_lint(const struct guide *g, const struct proof_facts *p,
               struct lint_report *r)
{
    for (int i = 0; i < g->n_materials; i++) {
        const struct guide_material *m = &g->materials[i];
        if (!m->source || strcmp(m->source, "proof") != 0 || blank(m->proof))
            continue;
        if (!p || !p->retained || !p->retained(p->ctx, m->proof))
            addi(r, LINT_ERROR, "materials", i, "proof", "proof_not_listed",
                 "证明事项清单中没有保留这项证明：清单之外不得要求提交证明");
    }
    return r->errors;
}

/* ---- codes
 * ------------------------------------------------------------------- */

int catalogue_base_code_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 6 || n > 32 || s[0] == '-' || s[n - 1] == '-')
        return 0;
    return strspn(s, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-") == n;
}

static int digits(const char *s, size_t n)
{
    return strlen(s) == n && strspn(s, "0123456789") == n;
}

static int sub_path_ok(const char *s)
{
    size_t n = strlen(s);
    return n >= 2 && n <= 16 && n % 2 == 0 && strspn(s, "0123456789") == n;
}

int catalogue_code_build(const char *base, const char *region,
                         const char *credit, int business_no,
                         const char *sub_path, char out[CATALOGUE_CODE_MAX],
                         struct err *e)
{
    if (!catalogue_base_code_ok(base))
        return err_set(e, ERR_INVALID, "base",
                       "基本目录编码应为 6 到 32 位数字、大写字母或连字符");
    if (!region || !digits(region, 12) || ids_division_level(region) == 0)
        return err_set(e, ERR_INVALID, "region", "区划代码应为有效的12位数字");
    struct ids_uscc u;
    if (ids_uscc_parse(credit, &u, "credit_code", e))
        return -1;
    if (business_no < 1 || business_no > 999)
        return err_set(e, ERR_INVALID, "business_no",
                       "业务项编号应在 1 到 999 之间");
    if (!sub_path || !sub_path_ok(sub_path))
        return err_set(e, ERR_INVALID, "sub_path",
                       "子项路径应为 00 或两位数字的序号串");
    int w = snprintf(out, CATALOGUE_CODE_MAX, "%s-%s-000-%s-%d-%s", base,
                     region, u.code, business_no, sub_path);
    if (w < 0 || w >= CATALOGUE_CODE_MAX)
        return err_set(e, ERR_INVALID, "base", "事项编码过长");
    return 0;
}

int catalogue_code_parse(const char *code, struct catalogue_code *out,
                         struct err *e)
{
    memset(out, 0, sizeof *out);
    size_t n = code ? strlen(code) : 0;
    if (n == 0 || n >= CATALOGUE_CODE_MAX)
        return err_set(e, ERR_INVALID, "code", "事项编码为空或过长");
    /* The anchor: "-" + 12 digits + "-000-". */
    const char *anchor = NULL;
    for (const char *p = strchr(code, '-'); p; p = strchr(p + 1, '-')) {
        if (strspn(p + 1, "0123456789") == 12 &&
            strncmp(p + 13, "-000-", 5) == 0) {
            anchor = p;
            break;
        }
    }
    if (!anchor || anchor == code)
        return err_set(
            e, ERR_INVALID, "code",
            "事项编码不是“基本编码-区划-000-信用代码-业务项-子项”的形式");
    size_t base_len = (size_t)(anchor - code);
    const char *tail = anchor + 18; /* after "-<12>-000-" */
    const char *last = strrchr(tail, '-');
    if (!last || last == tail)
        goto bad;
    const char *prev = last - 1;
    while (prev > tail && *prev != '-')
        prev--;
    if (prev <= tail) /* no separate credit part */
        goto bad;
    size_t credit_len = (size_t)(prev - tail);
    size_t biz_len = (size_t)(last - prev - 1);
    size_t sub_len = strlen(last + 1);
    if (base_len >= sizeof out->base || credit_len >= sizeof out->credit ||
        biz_len == 0 || biz_len > 3 || sub_len == 0 ||
        sub_len >= sizeof out->sub_path)
        goto bad;
    char biz[4];
    memcpy(biz, prev + 1, biz_len);
    biz[biz_len] = '\0';
    if (strspn(biz, "0123456789") != biz_len)
        goto bad;
    memcpy(out->base, code, base_len);
    memcpy(out->region, anchor + 1, 12);
    memcpy(out->credit, tail, credit_len);
    out->business_no = atoi(biz);
    memcpy(out->sub_path, last + 1, sub_len);
    out->national = catalogue_base_code_ok(out->base) &&
                    ids_division_level(out->region) > 0 &&
                    strlen(out->credit) == 18 &&
                    strspn(out->credit, IDS_USCC_CHARSET) == 18 &&
                    ids_uscc_parse(out->credit, NULL, NULL, NULL) == 0 &&
                    out->business_no >= 1 && sub_path_ok(out->sub_path);
    return 0;
bad:
    memset(out, 0, sizeof *out);
    return err_set(
        e, ERR_INVALID, "code",
        "事项编码不是“基本编码-区划-000-信用代码-业务项-子项”的形式");
}
