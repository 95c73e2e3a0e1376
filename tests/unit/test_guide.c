/* test_guide.c — core/guide.h: every lint rule fires on a guide crafted to
 * break it (and names the field), none fires on a good guide; item codes
 * built and parsed, including the real codes of the 广安区 extract
 * (../shared/data/guides) whose credit segment is malformed. Table-driven
 * (STYLE.md habit 12): each row says why. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/guide.h"
#include "core/ids.h"

/* ---- a good committed guide (the 低保 example of docs/catalogue.md) ----- */

static const char *const k_conditions[] = {
    "持有本县户籍的城乡居民", "家庭月人均收入低于当地最低生活保障标准"};
static const char *const k_modes[] = {"window", "online", "agent"};
static const char *const k_consult[] = {"0564-7066000"};
static const char *const k_complaint[] = {"12345"};

static struct guide_step g_steps[4];
static struct guide_material g_mats[3];
static const char *g_modes[4];

static struct guide good(void)
{
    static const struct guide_step steps[] = {
        {"受理", 1, "clerk", "材料是否齐全", 0},
        {"审查", 10, "reviewer", "入户调查", 0},
        {"决定", 5, "decider", NULL, 0},
        {"送达", 1, "clerk", NULL, 0},
    };
    static const struct guide_material mats[] = {
        {.name = "居民身份证",
         .need = "required",
         .source = "licence",
         .form = "electronic",
         .copies = 1},
        {.name = "家庭收入情况声明",
         .need = "required",
         .source = "commitment",
         .copies = -1},
        {.name = "残疾人证",
         .need = "conditional",
         .condition = "家庭成员有残疾的",
         .source = "applicant",
         .form = "paper",
         .copies = 1},
    };
    memcpy(g_steps, steps, sizeof steps);
    memcpy(g_mats, mats, sizeof mats);
    memcpy(g_modes, k_modes, sizeof k_modes);
    struct guide g = {
        .accepting_unit = "金寨县民政局",
        .conditions = k_conditions,
        .n_conditions = 2,
        .steps = g_steps,
        .n_steps = 4,
        .materials = g_mats,
        .n_materials = 3,
        .fee_charged = 0,
        .legal_limit_days = 30,
        .committed_limit_days = 17,
        .warning_workdays = -1,
        .kind = "committed",
        .modes = g_modes,
        .n_modes = 3,
        .visits = 1,
        .consult = k_consult,
        .n_consult = 1,
        .complaint = k_complaint,
        .n_complaint = 1,
        .address = "金寨县政务服务中心二楼民政窗口",
        .hours = "周一至周五 8:30-12:00, 14:30-17:30",
        .result_name = "最低生活保障证",
        .result_e_licence = 1,
    };
    return g;
}

/* ---- one row per rule ------------------------------------------------------
 */

static void m_unit(struct guide *g)
{
    g->accepting_unit = "  ";
}
static void m_cond(struct guide *g)
{
    g->n_conditions = 0;
}
static void m_steps(struct guide *g)
{
    g->n_steps = 0;
}
static void m_mats(struct guide *g)
{
    g->n_materials = 0;
}
static void m_addr(struct guide *g)
{
    g->address = NULL;
}
static void m_hours(struct guide *g)
{
    g->hours = "";
}
static void m_consult(struct guide *g)
{
    g->n_consult = 0;
}
static void m_complaint(struct guide *g)
{
    g->n_complaint = 0;
}
static void m_kind(struct guide *g)
{
    g->kind = NULL;
}
static void m_kind2(struct guide *g)
{
    g->kind = "promised";
}
static void m_legal0(struct guide *g)
{
    g->legal_limit_days = 0;
}
static void m_committed0(struct guide *g)
{
    g->committed_limit_days = -1;
}
static void m_over(struct guide *g)
{
    g->committed_limit_days = 31;
}
static void m_step0(struct guide *g)
{
    g_steps[2].limit_days = 0;
}
static void m_imm_steps(struct guide *g)
{
    g->kind = "immediate";
    g->legal_limit_days = g->committed_limit_days = 0;
    for (int i = 0; i < 4; i++)
        g_steps[i].limit_days = 0;
}
static void m_imm_limits(struct guide *g)
{
    g->kind = "immediate";
    g->n_steps = 1;
    g_steps[0].limit_days = 0;
    g->legal_limit_days = 5;
    g->committed_limit_days = 0;
}
static void m_fee(struct guide *g)
{
    g->fee_charged = -1;
}
static void m_fee_basis(struct guide *g)
{
    g->fee_charged = 1;
    g->fee_standard = "每件 10 元";
}
static void m_fee_std(struct guide *g)
{
    g->fee_charged = 1;
    g->fee_basis = "《安徽省行政事业性收费目录》";
}
static void m_mat_name(struct guide *g)
{
    g_mats[1].name = NULL;
}
static void m_need(struct guide *g)
{
    g_mats[0].need = "must";
}
static void m_source0(struct guide *g)
{
    g_mats[1].source = NULL;
}
static void m_source(struct guide *g)
{
    g_mats[1].source = "office";
}
static void m_condition(struct guide *g)
{
    g_mats[2].condition = "";
}
static void m_dataset(struct guide *g)
{
    g_mats[0].source = "shared_data";
}
static void m_proof(struct guide *g)
{
    g_mats[2].source = "proof";
}
static void m_form(struct guide *g)
{
    g_mats[0].form = "scan";
}
static void m_modes0(struct guide *g)
{
    g->n_modes = 0;
}
static void m_mode(struct guide *g)
{
    g_modes[1] = "fax";
}
static void m_visits(struct guide *g)
{
    g->visits = -1;
}
static void m_visits0(struct guide *g)
{
    g->visits = 0;
    g_modes[1] = "appointment";
}
static void m_warn0(struct guide *g)
{
    g->warning_workdays = 0;
}
static void m_warn_limit(struct guide *g)
{
    g->warning_workdays = 17;
}
static void m_sum(struct guide *g)
{
    g->committed_limit_days = 16;
}

static const struct {
    void (*mutate)(struct guide *g);
    const char *code, *field;
    enum lint_severity sev;
    const char *why;
} k_rows[] = {
    {m_unit, "accepting_unit_missing", "/accepting_unit", LINT_ERROR,
     "blank text is missing text"},
    {m_cond, "conditions_missing", "/conditions", LINT_ERROR, "no conditions"},
    {m_steps, "steps_missing", "/steps", LINT_ERROR, "no process"},
    {m_mats, "materials_missing", "/materials", LINT_ERROR, "no materials"},
    {m_addr, "address_missing", "/address", LINT_ERROR, "no address"},
    {m_hours, "hours_missing", "/hours", LINT_ERROR, "empty hours"},
    {m_consult, "consult_missing", "/consult", LINT_ERROR, "no phone"},
    {m_complaint, "complaint_missing", "/complaint", LINT_ERROR,
     "no supervision channel"},
    {m_kind, "kind_missing", "/kind", LINT_ERROR, "case kind unset"},
    {m_kind2, "kind_unknown", "/kind", LINT_ERROR, "a typo of a kind"},
    {m_legal0, "limits_missing", "/legal_limit_days", LINT_ERROR,
     "a committed item needs a positive legal limit"},
    {m_committed0, "limits_missing", "/committed_limit_days", LINT_ERROR,
     "and a committed limit"},
    {m_over, "committed_over_legal", "/committed_limit_days", LINT_ERROR,
     "31 promised > 30 by law"},
    {m_step0, "step_limit_missing", "/steps/2/limit_days", LINT_ERROR,
     "the 决定 step has no time"},
    {m_imm_steps, "immediate_steps", "/steps", LINT_ERROR,
     "an immediate item is one step"},
    {m_imm_limits, "immediate_limits", "/legal_limit_days", LINT_ERROR,
     "an immediate item closes the same day"},
    {m_fee, "fee_missing", "/fee", LINT_ERROR, "fee not stated"},
    {m_fee_basis, "fee_basis_missing", "/fee/basis", LINT_ERROR,
     "charged without basis"},
    {m_fee_std, "fee_standard_missing", "/fee/standard", LINT_ERROR,
     "charged without standard"},
    {m_mat_name, "material_name_missing", "/materials/1/name", LINT_ERROR,
     "a material without a name"},
    {m_need, "material_need_unknown", "/materials/0/need", LINT_ERROR,
     "need is required or conditional"},
    {m_source0, "material_source_missing", "/materials/1/source", LINT_ERROR,
     "where it comes from is not said"},
    {m_source, "material_source_unknown", "/materials/1/source", LINT_ERROR,
     "an unknown source"},
    {m_condition, "material_condition_missing", "/materials/2/condition",
     LINT_ERROR, "conditional without when"},
    {m_dataset, "shared_data_dataset_missing", "/materials/0/dataset",
     LINT_ERROR, "shared data from which data set?"},
    {m_proof, "proof_entry_missing", "/materials/2/proof", LINT_ERROR,
     "a proof outside the registry"},
    {m_form, "material_form_unknown", "/materials/0/form", LINT_ERROR,
     "paper, electronic or both"},
    {m_modes0, "modes_missing", "/modes", LINT_ERROR, "no handling mode"},
    {m_mode, "mode_unknown", "/modes/1", LINT_ERROR, "fax is not a mode"},
    {m_visits, "visits_missing", "/visits", LINT_ERROR, "visits unset"},
    {m_visits0, "visits_zero_offline", "/visits", LINT_ERROR,
     "zero visits but neither online nor mail"},
    {m_warn0, "warning_workdays_range", "/warning_workdays", LINT_ERROR,
     "a threshold of 0 never warns"},
    {m_warn_limit, "warning_workdays_range", "/warning_workdays", LINT_ERROR,
     "17 of 17 days would be yellow from acceptance"},
    {m_sum, "steps_over_committed", "/steps", LINT_WARNING,
     "steps add to 17 > 16 promised"},
};

static int has(const struct lint_report *r, const char *code, const char *field,
               enum lint_severity sev)
{
    for (int i = 0; i < r->n; i++)
        if (!strcmp(r->items[i].code, code) &&
            !strcmp(r->items[i].field, field) && r->items[i].severity == sev &&
            r->items[i].message && r->items[i].message[0])
            return 1;
    return 0;
}

static void test_good_guide_is_clean(void **state)
{
    struct guide g = good();
    struct lint_finding items[64];
    struct lint_report r;
    lint_init(&r, items, 64);
    assert_int_equal(guide_lint(&g, &r), 0);
    for (int i = 0; i < r.n; i++)
        fprintf(stderr, "unexpected: %s %s\n", r.items[i].code,
                r.items[i].field);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.warnings, 0);

    /* A warning threshold from 1 to one below the committed limit is
     * clean (the range's both ends). */
    for (int w = 1; w <= 16; w += 15) {
        g = good();
        g.warning_workdays = w;
        lint_init(&r, items, 64);
        assert_int_equal(guide_lint(&g, &r), 0);
        assert_int_equal(r.n, 0);
    }

    /* A good immediate item (社保卡 on the spot) and an item outside a
     * centre without address are clean too. */
    g = good();
    g.kind = "immediate";
    g.n_steps = 1;
    g_steps[0].limit_days = 0;
    g.legal_limit_days = 0;
    g.committed_limit_days = 0;
    g.address = NULL;
    g.outside_centre = 1;
    g.outside_where = "车辆管理所";
    g.visits = 0;
    lint_init(&r, items, 64);
    assert_int_equal(guide_lint(&g, &r), 0);
    assert_int_equal(r.n, 0);
}

static void test_every_rule_fires(void **state)
{
    int covered[64] = {0};
    for (size_t i = 0; i < sizeof k_rows / sizeof *k_rows; i++) {
        struct guide g = good();
        k_rows[i].mutate(&g);
        struct lint_finding items[64];
        struct lint_report r;
        lint_init(&r, items, 64);
        int errors = guide_lint(&g, &r);
        if (!has(&r, k_rows[i].code, k_rows[i].field, k_rows[i].sev)) {
            for (int k = 0; k < r.n; k++)
                fprintf(stderr, "  got %s %s\n", r.items[k].code,
                        r.items[k].field);
            fail_msg("row %zu (%s): no %s at %s", i, k_rows[i].why,
                     k_rows[i].code, k_rows[i].field);
        }
        if (k_rows[i].sev == LINT_ERROR)
            assert_true(errors > 0);
        else
            assert_int_equal(errors, 0); /* a warning blocks nothing */
        for (int c = 0; guide_lint_codes[c]; c++)
            if (!strcmp(guide_lint_codes[c], k_rows[i].code))
                covered[c] = 1;
    }
    /* Every code of the guide lint has a row (the two base codes are
     * tested below). */
    for (int c = 0; guide_lint_codes[c]; c++) {
        if (!strcmp(guide_lint_codes[c], "legal_basis_missing") ||
            !strcmp(guide_lint_codes[c], "code_form") ||
            !strcmp(guide_lint_codes[c], "proof_not_listed"))
            continue;
        if (!covered[c])
            fail_msg("lint code %s has no test row", guide_lint_codes[c]);
    }
}

static void test_report_capacity(void **state)
{
    /* An empty guide: many findings, counted even past the storage. */
    struct guide g = {.fee_charged = -1,
                      .legal_limit_days = -1,
                      .committed_limit_days = -1,
                      .visits = -1};
    struct lint_finding items[3];
    struct lint_report r;
    lint_init(&r, items, 3);
    int errors = guide_lint(&g, &r);
    assert_int_equal(r.n, 3);
    assert_true(errors > 3);
    assert_int_equal(r.dropped, errors - 3);
}

/* The registry as the lint sees it: 居住证明 retained, the rest not. */
static int only_residence(void *ctx, const char *name)
{
    (void)ctx;
    return strcmp(name, "居住证明") == 0;
}

static void test_proof_lint(void **state)
{
    (void)state;
    static const struct {
        const char *source, *proof;
        int errors;
        const char *why;
    } k_proof_rows[] = {
        {"proof", "居住证明", 0, "a retained proof may be asked for"},
        {"proof", "未婚证明", 1, "not retained (or absent): refused"},
        {"proof", NULL, 0, "no entry: guide_lint's proof_entry_missing"},
        {"applicant", "未婚证明", 0, "not a proof material"},
    };
    for (size_t i = 0; i < sizeof k_proof_rows / sizeof k_proof_rows[0]; i++) {
        struct guide_material m[2] = {
            {.name = "身份证", .source = "licence"},
            {.name = "证明", .source = k_proof_rows[i].source,
             .proof = k_proof_rows[i].proof},
        };
        struct guide g = {.materials = m, .n_materials = 2};
        struct lint_finding items[4];
        struct lint_report r;
        lint_init(&r, items, 4);
        struct proof_facts p = {.retained = only_residence};
        assert_int_equal(proof_lint(&g, &p, &r), k_proof_rows[i].errors);
        if (k_proof_rows[i].errors) {
            assert_string_equal(items[0].code, "proof_not_listed");
            assert_string_equal(items[0].field, "/materials/1/proof");
        }
    }
    /* No registry at all: every proof is outside the list. */
    struct guide_material m = {.name = "证明", .source = "proof",
                               .proof = "居住证明"};
    struct guide g = {.materials = &m, .n_materials = 1};
    struct lint_finding items[2];
    struct lint_report r;
    lint_init(&r, items, 2);
    assert_int_equal(proof_lint(&g, NULL, &r), 1);
}

static void test_base_lint(void **state)
{
    struct lint_finding items[8];
    struct lint_report r;
    lint_init(&r, items, 8);
    struct base_facts b = {
        .n_legal_basis = 1,
        .code = "511A0138000000-511602000000-000-115113010833722043-1-00"};
    assert_int_equal(base_lint(&b, &r), 0);
    assert_int_equal(r.n, 0);
    b.n_legal_basis = 0;
    b.code = "512B0053300006-511602000000-000-083372204-1-00";
    assert_int_equal(base_lint(&b, &r), 1);
    assert_true(has(&r, "legal_basis_missing", "/legal_basis", LINT_ERROR));
    assert_true(has(&r, "code_form", "/code", LINT_WARNING));
}

/* ---- codes
 * ------------------------------------------------------------------- */

static const struct {
    const char *code;
    int ok, national;
    const char *base, *region, *credit;
    int business_no;
    const char *sub;
    const char *why;
} k_codes[] = {
    {"511A0138000000-511602000000-000-115113010833722043-1-00", 1, 1,
     "511A0138000000", "511602000000", "115113010833722043", 1, "00",
     "广安区 教科体局: the national form"},
    {"G-000007-001-511602000000-000-115113010833722043-1-00", 1, 1,
     "G-000007-001", "511602000000", "115113010833722043", 1, "00",
     "a base code that holds hyphens"},
    {"511A0012800014-511602000000-000-11511301008778490F-2-00", 1, 1,
     "511A0012800014", "511602000000", "11511301008778490F", 2, "00",
     "business item 2 of 卫健局"},
    {"512B0053300006-511602000000-000-083372204-1-00", 1, 0, "512B0053300006",
     "511602000000", "083372204", 1, "00",
     "a 9-digit organisation code instead of a credit code"},
    {"511F0167300000-511602000000-000-45225901-3-2-00", 1, 0, "511F0167300000",
     "511602000000", "45225901-3", 2, "00",
     "an organisation code with its check digit after a hyphen"},
    {"511A23029001-511602000000-000-1151130000877869M-1-00", 1, 0,
     "511A23029001", "511602000000", "1151130000877869M", 1, "00",
     "17 characters: a mistyped credit code"},
    {"512C0053300008-511602000000-000-11511301452259996u-1-00", 1, 0,
     "512C0053300008", "511602000000", "11511301452259996u", 1, "00",
     "lower case is not the national form"},
    {"H-000185-001-4444444444", 0, 0, "", "", "", 0, "", "no region anchor"},
    {"BM3415-0001-341524000000-000-11341524000001111G-1-0102", 1, 1,
     "BM3415-0001", "341524000000", "11341524000001111G", 1, "0102",
     "a bianmin code of a sub-sub-item"},
    {"", 0, 0, "", "", "", 0, "", "empty"},
    {"-511602000000-000-115113010833722043-1-00", 0, 0, "", "", "", 0, "",
     "no base code"},
    {"511A0138000000-511602000000-000-115113010833722043", 0, 0, "", "", "", 0,
     "", "no business number and sub path"},
};

static void test_code_parse(void **state)
{
    for (size_t i = 0; i < sizeof k_codes / sizeof *k_codes; i++) {
        struct catalogue_code c;
        struct err e = {0};
        int rc = catalogue_code_parse(k_codes[i].code, &c, &e);
        if ((rc == 0) != k_codes[i].ok)
            fail_msg("row %zu (%s): rc %d", i, k_codes[i].why, rc);
        if (rc) {
            assert_int_equal(e.code, ERR_INVALID);
            assert_string_equal(e.field, "code");
            continue;
        }
        assert_string_equal(c.base, k_codes[i].base);
        assert_string_equal(c.region, k_codes[i].region);
        assert_string_equal(c.credit, k_codes[i].credit);
        assert_int_equal(c.business_no, k_codes[i].business_no);
        assert_string_equal(c.sub_path, k_codes[i].sub);
        if (c.national != k_codes[i].national)
            fail_msg("row %zu (%s): national %d", i, k_codes[i].why,
                     c.national);
    }
}

static void test_code_build(void **state)
{
    char out[CATALOGUE_CODE_MAX];
    struct err e = {0};
    assert_int_equal(catalogue_code_build("511A0138000000", "511602000000",
                                          "115113010833722043", 1, "00", out,
                                          &e),
                     0);
    assert_string_equal(
        out, "511A0138000000-511602000000-000-115113010833722043-1-00");
    /* Round trip; a lower-case credit code is written upper case. */
    assert_int_equal(catalogue_code_build("G-000007-001", "511602000000",
                                          "11511301452259996u", 3, "0102", out,
                                          &e),
                     0);
    struct catalogue_code c;
    assert_int_equal(catalogue_code_parse(out, &c, &e), 0);
    assert_true(c.national);
    assert_string_equal(c.credit, "11511301452259996U");
    assert_int_equal(c.business_no, 3);
    assert_string_equal(c.sub_path, "0102");

    static const struct {
        const char *base, *region, *credit;
        int no;
        const char *sub, *field;
    } bad[] = {
        {"abc", "511602000000", "115113010833722043", 1, "00", "base"},
        {"511A0138000000", "5116020000", "115113010833722043", 1, "00",
         "region"},
        {"511A0138000000", "511602000000", "083372204", 1, "00", "credit_code"},
        {"511A0138000000", "511602000000", "115113010833722044", 1, "00",
         "credit_code"},
        {"511A0138000000", "511602000000", "115113010833722043", 0, "00",
         "business_no"},
        {"511A0138000000", "511602000000", "115113010833722043", 1, "0",
         "sub_path"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err_clear(&e);
        assert_int_equal(catalogue_code_build(bad[i].base, bad[i].region,
                                              bad[i].credit, bad[i].no,
                                              bad[i].sub, out, &e),
                         -1);
        assert_int_equal(e.code, ERR_INVALID);
        assert_string_equal(e.field, bad[i].field);
    }
}

/* Every code of the real 广安区 extract parses or is one of the codes the
 * importer keeps as given; the national ones have a valid credit code. */
static void test_real_extract_codes(void **state)
{
    char path[1024];
    snprintf(path, sizeof path,
             "%s/data/guides/guangan-511602-catalogue-sample.csv",
             BIANMIN_SHARED_DIR);
    FILE *fp = fopen(path, "r");
    if (!fp)
        fail_msg("cannot open %s", path);
    char line[2048];
    int rows = 0, parsed = 0, national = 0;
    while (fgets(line, sizeof line, fp)) {
        if (rows++ == 0)
            continue;
        /* the 4th quoted field is item_code */
        char *p = line;
        for (int q = 0; q < 6 && p; q++)
            p = strchr(p + 1, '"');
        if (!p)
            continue;
        char *end = strchr(p + 1, '"');
        if (!end)
            continue;
        *end = '\0';
        struct catalogue_code c;
        if (catalogue_code_parse(p + 1, &c, NULL) == 0) {
            parsed++;
            assert_string_equal(c.region, "511602000000");
            national += c.national;
            if (c.national)
                assert_int_equal(ids_uscc_parse(c.credit, NULL, NULL, NULL), 0);
        }
    }
    fclose(fp);
    assert_int_equal(rows, 161);
    assert_int_equal(parsed, 159); /* all but H-000185-001-4444444444 */
    assert_int_equal(national, 103);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_guide_is_clean),
        cmocka_unit_test(test_every_rule_fires),
        cmocka_unit_test(test_report_capacity),
        cmocka_unit_test(test_proof_lint),
        cmocka_unit_test(test_base_lint),
        cmocka_unit_test(test_code_parse),
        cmocka_unit_test(test_code_build),
        cmocka_unit_test(test_real_extract_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
