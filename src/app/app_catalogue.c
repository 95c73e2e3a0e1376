/* app_catalogue.c — the catalogue's use cases: checking base items and
 * guides, the public reads (browse, item, versions, diff, comments), the
 * two-step writes (prepare on the caller's thread, unit on the writer) of
 * base items, implementation items, drafts, transitions and comments, and
 * publication with the search index kept in step. Contract in
 * app_catalogue.h; import, export, audit and demo in app_catalogue_io.c.
 * No global mutable state. */
#include "app_catalogue.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/ids.h"
#include "../core/utf8.h"
#include "../store/orgs.h"
#include "../store/proofs.h"
#include "../store/regions.h"
#include "../store/search.h"
#include "app_proofs.h"
#include "app_search.h"
#include "audit.h"
#include "cat_internal.h"
#include "internal.h"
#include "jsonw.h"

#define MAX_LIST 200 /* items of one list in a guide */
#define LINT_CAP 128

/* sfmt — snprintf into a fixed buffer where cutting is fine (JSON pointers
 * and labels are for people; a long one is cut, never overrun). */
static void sfmt(char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void sfmt(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
}

/* ---- vocabularies -------------------------------------------------------- */

const struct cat_vocab cat_types[] = {
    {"licensing", "01", "行政许可"},      {"penalty", "02", "行政处罚"},
    {"enforcement", "03", "行政强制"},    {"levy", "04", "行政征收"},
    {"benefit", "05", "行政给付"},        {"inspection", "06", "行政检查"},
    {"confirmation", "07", "行政确认"},   {"reward", "08", "行政奖励"},
    {"ruling", "09", "行政裁决"},         {"other_power", "10", "其他行政权力"},
    {"public_service", "20", "公共服务"}, {NULL, NULL, NULL},
};

const struct cat_vocab cat_themes[] = {
    {"education", "", "公共教育"},
    {"employment", "", "劳动就业"},
    {"social_security", "", "社会保障"},
    {"health", "", "医疗卫生"},
    {"housing", "", "住房保障"},
    {"culture_sports", "", "文化体育"},
    {"poverty", "", "扶贫脱贫"},
    {"elderly", "", "养老服务"},
    {"disability", "", "残疾人服务"},
    {"civil_affairs", "", "婚姻登记与民政"},
    {"household", "", "户籍与身份"},
    {"birth", "", "生育收养"},
    {"business", "", "市场主体与经营"},
    {"agriculture", "", "农业农村"},
    {"natural_resources", "", "自然资源与宅基地"},
    {"transport", "", "交通出行"},
    {"veterans", "", "退役军人"},
    {"legal", "", "司法公证"},
    {"tax", "", "税费"},
    {"other", "", "其他"},
    {NULL, NULL, NULL},
};

const struct cat_vocab *cat_vocab_find(const struct cat_vocab *v,
                                       const char *name)
{
    for (; name && v->name; v++)
        if (strcmp(v->name, name) == 0)
            return v;
    return NULL;
}

static const char *const k_states[] = {
    "draft",     "legal_review", "public_comment",
    "published", "superseded",   "abolished",
    NULL};
static const char *const k_state_titles[] = {"草稿",   "合法性审查", "征求意见",
                                             "已发布", "已被替代",   "已废止"};

static const char *state_title(const char *s)
{
    for (int i = 0; s && k_states[i]; i++)
        if (strcmp(s, k_states[i]) == 0)
            return k_state_titles[i];
    return "";
}

/* ---- small helpers ---------------------------------------------------------
 */

static void field_of(char out[64], const char *ptr, const char *key)
{
    if (snprintf(out, 64, "%s/%s", ptr, key) >= 64)
        out[63] = '\0';
}

const char *cat_json_text(struct arena *a, const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!s)
        return arena_strdup(a, "null");
    char *out = arena_strdup(a, s);
    free(s);
    return out;
}

static json_t *j_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* j_parsed — JSON text as a value (null when absent or broken). */
static json_t *j_parsed(const char *text)
{
    if (!text)
        return json_null();
    json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
    return v ? v : json_null();
}

static json_t *j_time(int64_t ms)
{
    if (ms <= 0)
        return json_null();
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char buf[32];
    if (!gmtime_r(&t, &tm) ||
        !strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm))
        return json_null();
    return json_string(buf);
}

/* text_ok — a JSON string of 1..max characters without controls (\n \t \r
 * allowed); ERR_INVALID on field otherwise. */
static int text_ok(const json_t *v, const char *field, const char *label,
                   size_t min, size_t max, struct err *e)
{
    if (!json_is_string(v))
        return err_set(e, ERR_INVALID, field, "%s应为字符串", label);
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (strlen(s) != n || utf8_has_control(s, n))
        return err_set(e, ERR_INVALID, field, "%s含有控制字符", label);
    size_t c = utf8_chars(s, n);
    if (c < min || c > max) {
        if (min > 0 && c == 0)
            return err_set(e, ERR_INVALID, field, "%s不能为空", label);
        return err_set(e, ERR_INVALID, field, "%s应为 %zu 到 %zu 个字符", label,
                       min, max);
    }
    return 0;
}

static int only_keys(const json_t *obj, const char *ptr,
                     const char *const *keys, struct err *e)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        int known = 0;
        for (const char *const *p = keys; *p; p++)
            if (strcmp(*p, k) == 0)
                known = 1;
        if (!known) {
            char field[64];
            snprintf(field, sizeof field, "%s/%.40s", ptr, k);
            return err_set(e, ERR_INVALID, field, "未知字段 %.40s", k);
        }
    }
    return 0;
}

int cat_can(const struct actor *actor, enum cap c, const char *region)
{
    if (!actor)
        return 1;
    if (region && *region)
        return actor_can(actor, c, region);
    for (int i = 0; i < actor->n_grants; i++)
        if (role_has_cap(actor->grants[i].role, c) &&
            ids_division_level(actor->grants[i].region) == 1)
            return 1;
    return 0;
}

/* ---- base items: checking
 * ---------------------------------------------------- */

/* str_list — an array of unique strings, each 1..max_chars, at most
 * max_items; optionally each in vocab. JSON text into *out. */
static int str_list(const json_t *v, const char *field, const char *label,
                    int min_items, int max_items, size_t max_chars,
                    const struct cat_vocab *vocab, const char *const *allowed,
                    struct arena *a, const char **out, struct err *e)
{
    if (!json_is_array(v))
        return err_set(e, ERR_INVALID, field, "%s应为数组", label);
    size_t n = json_array_size(v);
    if ((int)n < min_items)
        return err_set(e, ERR_INVALID, field, "%s至少应有 %d 项", label,
                       min_items);
    if ((int)n > max_items)
        return err_set(e, ERR_INVALID, field, "%s最多 %d 项", label, max_items);
    for (size_t i = 0; i < n; i++) {
        char f[64];
        snprintf(f, sizeof f, "%s/%zu", field, i);
        json_t *x = json_array_get(v, i);
        if (text_ok(x, f, label, 1, max_chars, e))
            return -1;
        const char *s = json_string_value(x);
        if (vocab && !cat_vocab_find(vocab, s))
            return err_set(e, ERR_INVALID, f, "未知的%s：%.60s", label, s);
        if (allowed) {
            int ok = 0;
            for (const char *const *p = allowed; *p; p++)
                ok |= strcmp(*p, s) == 0;
            if (!ok)
                return err_set(e, ERR_INVALID, f, "未知的%s：%.60s", label, s);
        }
        for (size_t k = 0; k < i; k++)
            if (strcmp(json_string_value(json_array_get(v, k)), s) == 0)
                return err_set(e, ERR_INVALID, f, "%s重复：%.60s", label, s);
    }
    *out = cat_json_text(a, v);
    return 0;
}

int cat_base_check(const json_t *o, const char *ptr, int partial,
                   int lenient_basis, struct arena *a, struct base_out *out,
                   struct err *e)
{
    static const char *const k_keys[] = {
        "code",     "name",        "type",     "themes", "audience",
        "supply",   "legal_basis", "levels",   "parent", "aliases",
        "keywords", "region",      "revision", "reason", NULL};
    static const char *const k_audience[] = {"natural", "legal", NULL};
    char f[64];
    memset(out, 0, sizeof *out);
    if (!json_is_object(o))
        return err_set(e, ERR_INVALID, ptr, "基本目录事项应为 JSON 对象");
    if (only_keys(o, ptr, k_keys, e))
        return -1;
    static const char *const k_required[] = {
        "code",   "name",        "type",   "themes", "audience",
        "supply", "legal_basis", "levels", NULL};
    if (!partial)
        for (const char *const *k = k_required; *k; k++)
            if (!json_object_get(o, *k)) {
                field_of(f, ptr, *k);
                return err_set(e, ERR_INVALID, f, "缺少字段 %s", *k);
            }
    json_t *v;
    if ((v = json_object_get(o, "code"))) {
        field_of(f, ptr, "code");
        if (!json_is_string(v) || !catalogue_base_code_ok(json_string_value(v)))
            return err_set(e, ERR_INVALID, f,
                           "基本目录编码应为 6 到 32 位数字、大写字母或连字符");
        out->code = arena_strdup(a, json_string_value(v));
    }
    if ((v = json_object_get(o, "name"))) {
        field_of(f, ptr, "name");
        if (text_ok(v, f, "事项名称", 2, 100, e))
            return -1;
        out->name = arena_strdup(a, json_string_value(v));
    }
    if ((v = json_object_get(o, "type"))) {
        field_of(f, ptr, "type");
        if (!json_is_string(v) ||
            !cat_vocab_find(cat_types, json_string_value(v)))
            return err_set(e, ERR_INVALID, f,
                           "事项类型应为 licensing、benefit、confirmation、"
                           "public_service 等（见 docs/catalogue.md）");
        out->type = arena_strdup(a, json_string_value(v));
    }
    if ((v = json_object_get(o, "themes"))) {
        field_of(f, ptr, "themes");
        if (str_list(v, f, "主题", 1, 5, 40, cat_themes, NULL, a, &out->themes,
                     e))
            return -1;
    }
    if ((v = json_object_get(o, "audience"))) {
        field_of(f, ptr, "audience");
        if (str_list(v, f, "服务对象", 1, 2, 10, NULL, k_audience, a,
                     &out->audience, e))
            return -1;
    }
    if ((v = json_object_get(o, "supply"))) {
        field_of(f, ptr, "supply");
        const char *s = json_string_value(v);
        if (!s || (strcmp(s, "must") && strcmp(s, "requested")))
            return err_set(e, ERR_INVALID, f,
                           "供给方式应为 must（端菜型）或 requested（点菜型）");
        out->supply = arena_strdup(a, s);
    }
    if ((v = json_object_get(o, "legal_basis"))) {
        field_of(f, ptr, "legal_basis");
        if (!json_is_array(v))
            return err_set(e, ERR_INVALID, f, "设定依据应为数组");
        size_t n = json_array_size(v);
        if (n == 0 && !lenient_basis)
            return err_set(e, ERR_INVALID, f, "至少应有一条设定依据");
        if (n > 50)
            return err_set(e, ERR_INVALID, f, "设定依据最多 50 条");
        for (size_t i = 0; i < n; i++) {
            static const char *const k_lb[] = {"law", "article", "text", NULL};
            char p2[64], f2[64];
            sfmt(p2, sizeof p2, "%s/%zu", f, i);
            json_t *x = json_array_get(v, i);
            if (!json_is_object(x))
                return err_set(e, ERR_INVALID, p2, "设定依据应为对象");
            if (only_keys(x, p2, k_lb, e))
                return -1;
            field_of(f2, p2, "law");
            if (!json_object_get(x, "law"))
                return err_set(e, ERR_INVALID, f2, "缺少法律法规名称");
            if (text_ok(json_object_get(x, "law"), f2, "法律法规名称", 2, 200,
                        e))
                return -1;
            json_t *art = json_object_get(x, "article");
            field_of(f2, p2, "article");
            if (art && !json_is_null(art) &&
                text_ok(art, f2, "条款", 0, 200, e))
                return -1;
            json_t *tx = json_object_get(x, "text");
            field_of(f2, p2, "text");
            if (tx && !json_is_null(tx) &&
                text_ok(tx, f2, "依据原文", 0, 4000, e))
                return -1;
        }
        out->legal_basis = cat_json_text(a, v);
        out->n_legal_basis = (int)n;
    }
    if ((v = json_object_get(o, "levels"))) {
        field_of(f, ptr, "levels");
        if (!json_is_array(v) || json_array_size(v) == 0 ||
            json_array_size(v) > 5)
            return err_set(e, ERR_INVALID, f,
                           "实施层级应为 1（省）到 5（村）的非空数组");
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            json_int_t l = json_is_integer(x) ? json_integer_value(x) : 0;
            if (l < 1 || l > 5 || (out->levels_mask & (1u << l)))
                return err_set(e, ERR_INVALID, f,
                               "实施层级应为 1（省）到 5（村），不重复");
            out->levels_mask |= 1u << l;
        }
        out->levels = cat_json_text(a, v);
    }
    if ((v = json_object_get(o, "parent")) && !json_is_null(v)) {
        field_of(f, ptr, "parent");
        if (!json_is_string(v) || !catalogue_base_code_ok(json_string_value(v)))
            return err_set(e, ERR_INVALID, f, "上级事项应为基本目录编码");
        out->parent = arena_strdup(a, json_string_value(v));
    }
    if ((v = json_object_get(o, "region")) && !json_is_null(v)) {
        field_of(f, ptr, "region");
        const char *s = json_string_value(v);
        if (!s || ids_division_check(s, NULL, f, e))
            return err_set(e, ERR_INVALID, f, "区划代码应为有效的12位数字");
        out->region = arena_strdup(a, s);
    }
    if ((v = json_object_get(o, "aliases"))) {
        field_of(f, ptr, "aliases");
        if (str_list(v, f, "简称", 0, 20, 30, NULL, NULL, a, &out->aliases, e))
            return -1;
    }
    if ((v = json_object_get(o, "keywords"))) {
        field_of(f, ptr, "keywords");
        if (str_list(v, f, "关键词", 0, 20, 30, NULL, NULL, a, &out->keywords,
                     e))
            return -1;
    }
    if (!partial) {
        if (!out->aliases)
            out->aliases = "[]";
        if (!out->keywords)
            out->keywords = "[]";
    }
    return 0;
}

json_t *cat_base_json(const struct base_row *b, int full)
{
    json_t *o = json_object();
    if (full)
        json_object_set_new(o, "id", json_integer((json_int_t)b->id));
    json_object_set_new(o, "code", j_str(b->code));
    json_object_set_new(o, "name", j_str(b->name));
    json_object_set_new(o, "type", j_str(b->type));
    json_object_set_new(o, "themes", j_parsed(b->themes));
    json_object_set_new(o, "audience", j_parsed(b->audience));
    json_object_set_new(o, "supply", j_str(b->supply));
    json_object_set_new(o, "legal_basis", j_parsed(b->legal_basis));
    json_object_set_new(o, "levels", j_parsed(b->levels));
    json_object_set_new(o, "parent", j_str(b->parent_code));
    json_object_set_new(o, "aliases", j_parsed(b->aliases));
    json_object_set_new(o, "keywords", j_parsed(b->keywords));
    json_object_set_new(o, "region", j_str(b->region));
    if (full) {
        const struct cat_vocab *t = cat_vocab_find(cat_types, b->type);
        json_object_set_new(o, "type_name", j_str(t ? t->title : NULL));
        json_object_set_new(o, "parent_id",
                            b->parent_id ? json_integer(b->parent_id)
                                         : json_null());
        json_object_set_new(o, "state", j_str(b->state));
        json_object_set_new(o, "leaf", json_boolean(b->n_children == 0));
        json_object_set_new(o, "revision", json_integer(b->revision));
        json_object_set_new(o, "created_at", j_time(b->created_at));
        json_object_set_new(o, "updated_at", j_time(b->updated_at));
    }
    return o;
}

/* ---- guides: checking
 * -------------------------------------------------------- */

static int g_text(const json_t *o, const char *ptr, const char *key,
                  const char *label, size_t max, struct arena *a,
                  const char **out, struct err *e)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    char f[64];
    field_of(f, ptr, key);
    if (text_ok(v, f, label, 0, max, e))
        return -1;
    *out = arena_strdup(a, json_string_value(v));
    return 0;
}

static int g_int(const json_t *o, const char *ptr, const char *key,
                 const char *label, int *out, struct err *e)
{
    json_t *v = json_object_get(o, key);
    *out = -1;
    if (!v || json_is_null(v))
        return 0;
    char f[64];
    field_of(f, ptr, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > 3650)
        return err_set(e, ERR_INVALID, f, "%s应为 0 到 3650 的整数", label);
    *out = (int)json_integer_value(v);
    return 0;
}

static int g_bool(const json_t *o, const char *ptr, const char *key,
                  const char *label, int *out, struct err *e)
{
    json_t *v = json_object_get(o, key);
    *out = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v)) {
        char f[64];
        field_of(f, ptr, key);
        return err_set(e, ERR_INVALID, f, "%s应为 true 或 false", label);
    }
    *out = json_is_true(v);
    return 0;
}

/* g_fields — the shared fields of a material: a text or a list of texts
 * (joined with "、" for the lint; the stored guide keeps what was given). */
static int g_fields(const json_t *o, const char *ptr, struct arena *a,
                    const char **out, struct err *e)
{
    json_t *v = json_object_get(o, "fields");
    *out = NULL;
    if (!json_is_array(v))
        return g_text(o, ptr, "fields", "共享字段", 500, a, out, e);
    char f[64];
    field_of(f, ptr, "fields");
    size_t cap = 1, i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        char f2[64];
        sfmt(f2, sizeof f2, "%s/%zu", f, i);
        if (i >= 50)
            return err_set(e, ERR_INVALID, f, "共享字段最多 50 项");
        if (text_ok(x, f2, "共享字段", 1, 100, e))
            return -1;
        cap += json_string_length(x) + 4;
    }
    char *s = arena_alloc(a, cap);
    json_array_foreach(v, i, x)
    {
        if (i)
            strcat(s, "、");
        strcat(s, json_string_value(x));
    }
    *out = s;
    return 0;
}

static int g_strings(const json_t *o, const char *ptr, const char *key,
                     const char *label, size_t max_chars, struct arena *a,
                     const char *const **out, int *n, struct err *e)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    *n = 0;
    if (!v || json_is_null(v))
        return 0;
    char f[64];
    field_of(f, ptr, key);
    if (!json_is_array(v) || json_array_size(v) > MAX_LIST)
        return err_set(e, ERR_INVALID, f, "%s应为不超过 %d 项的数组", label,
                       MAX_LIST);
    const char **list =
        arena_new_array(a, const char *, json_array_size(v) + 1);
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        char f2[64];
        sfmt(f2, sizeof f2, "%s/%zu", f, i);
        if (text_ok(x, f2, label, 0, max_chars, e))
            return -1;
        list[i] = arena_strdup(a, json_string_value(x));
    }
    *out = list;
    *n = (int)json_array_size(v);
    return 0;
}

int app_guide_from_json(const json_t *j, const char *ptr, struct arena *a,
                        struct guide *g, struct err *e)
{
    static const char *const k_keys[] = {"accepting_unit",
                                         "conditions",
                                         "steps",
                                         "materials",
                                         "fee",
                                         "legal_limit_days",
                                         "committed_limit_days",
                                         "warning_workdays",
                                         "kind",
                                         "modes",
                                         "visits",
                                         "consult",
                                         "complaint",
                                         "address",
                                         "hours",
                                         "result",
                                         "outside_centre",
                                         "forms",
                                         NULL};
    static const char *const k_step[] = {"name",          "limit_days", "role",
                                         "review_points", "parallel",   NULL};
    static const char *const k_mat[] = {
        "name",   "need",          "condition", "source", "dataset",
        "fields", "proof",         "form",      "copies", "blank_form",
        "sample", "common_errors", NULL};
    static const char *const k_fee[] = {"charged", "basis", "standard", NULL};
    static const char *const k_res[] = {"name", "sample", "e_licence", NULL};
    static const char *const k_out[] = {"where", "phone", NULL};
    memset(g, 0, sizeof *g);
    g->fee_charged = -1;
    if (!json_is_object(j))
        return err_set(e, ERR_INVALID, ptr, "办事指南应为 JSON 对象");
    if (only_keys(j, ptr, k_keys, e))
        return -1;
    char f[64];
    if (g_text(j, ptr, "accepting_unit", "受理单位", 100, a, &g->accepting_unit,
               e) ||
        g_strings(j, ptr, "conditions", "受理条件", 1000, a, &g->conditions,
                  &g->n_conditions, e) ||
        g_int(j, ptr, "legal_limit_days", "法定办结时限", &g->legal_limit_days,
              e) ||
        g_int(j, ptr, "committed_limit_days", "承诺办结时限",
              &g->committed_limit_days, e) ||
        g_int(j, ptr, "warning_workdays", "预警阈值", &g->warning_workdays,
              e) ||
        g_text(j, ptr, "kind", "办件类型", 20, a, &g->kind, e) ||
        g_strings(j, ptr, "modes", "办理方式", 20, a, &g->modes, &g->n_modes,
                  e) ||
        g_int(j, ptr, "visits", "到现场次数", &g->visits, e) ||
        g_strings(j, ptr, "consult", "咨询方式", 200, a, &g->consult,
                  &g->n_consult, e) ||
        g_strings(j, ptr, "complaint", "投诉方式", 200, a, &g->complaint,
                  &g->n_complaint, e) ||
        g_text(j, ptr, "address", "办理地点", 300, a, &g->address, e) ||
        g_text(j, ptr, "hours", "办理时间", 200, a, &g->hours, e))
        return -1;
    json_t *v = json_object_get(j, "forms");
    if (v && !json_is_null(v) && !json_is_array(v)) {
        field_of(f, ptr, "forms");
        return err_set(e, ERR_INVALID, f, "表格下载应为数组");
    }
    if ((v = json_object_get(j, "steps")) && !json_is_null(v)) {
        field_of(f, ptr, "steps");
        if (!json_is_array(v) || json_array_size(v) > 30)
            return err_set(e, ERR_INVALID, f, "办理流程应为不超过 30 步的数组");
        struct guide_step *steps =
            arena_new_array(a, struct guide_step, json_array_size(v) + 1);
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            char p2[64];
            sfmt(p2, sizeof p2, "%s/%zu", f, i);
            if (!json_is_object(x))
                return err_set(e, ERR_INVALID, p2, "环节应为对象");
            if (only_keys(x, p2, k_step, e) ||
                g_text(x, p2, "name", "环节名称", 50, a, &steps[i].name, e) ||
                g_int(x, p2, "limit_days", "环节时限", &steps[i].limit_days,
                      e) ||
                g_text(x, p2, "role", "环节岗位", 50, a, &steps[i].role, e) ||
                g_text(x, p2, "review_points", "审查要点", 1000, a,
                       &steps[i].review_points, e) ||
                g_bool(x, p2, "parallel", "并联", &steps[i].parallel, e))
                return -1;
        }
        g->steps = steps;
        g->n_steps = (int)json_array_size(v);
    }
    if ((v = json_object_get(j, "materials")) && !json_is_null(v)) {
        field_of(f, ptr, "materials");
        if (!json_is_array(v) || json_array_size(v) > MAX_LIST)
            return err_set(e, ERR_INVALID, f, "申请材料应为不超过 %d 项的数组",
                           MAX_LIST);
        struct guide_material *ms =
            arena_new_array(a, struct guide_material, json_array_size(v) + 1);
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            char p2[64];
            sfmt(p2, sizeof p2, "%s/%zu", f, i);
            struct guide_material *m = &ms[i];
            if (!json_is_object(x))
                return err_set(e, ERR_INVALID, p2, "材料应为对象");
            if (only_keys(x, p2, k_mat, e) ||
                g_text(x, p2, "name", "材料名称", 100, a, &m->name, e) ||
                g_text(x, p2, "need", "必要性", 20, a, &m->need, e) ||
                g_text(x, p2, "condition", "适用情形", 500, a, &m->condition,
                       e) ||
                g_text(x, p2, "source", "材料来源", 20, a, &m->source, e) ||
                g_text(x, p2, "dataset", "数据集", 200, a, &m->dataset, e) ||
                g_fields(x, p2, a, &m->fields, e) ||
                g_text(x, p2, "proof", "证明事项", 200, a, &m->proof, e) ||
                g_text(x, p2, "form", "材料形式", 20, a, &m->form, e) ||
                g_int(x, p2, "copies", "份数", &m->copies, e) ||
                g_text(x, p2, "blank_form", "空白表格", 500, a, &m->blank_form,
                       e) ||
                g_text(x, p2, "sample", "示例样表", 500, a, &m->sample, e) ||
                g_text(x, p2, "common_errors", "常见错误", 1000, a,
                       &m->common_errors, e))
                return -1;
        }
        g->materials = ms;
        g->n_materials = (int)json_array_size(v);
    }
    if ((v = json_object_get(j, "fee")) && !json_is_null(v)) {
        field_of(f, ptr, "fee");
        if (!json_is_object(v))
            return err_set(e, ERR_INVALID, f, "收费应为对象");
        json_t *c = json_object_get(v, "charged");
        if (only_keys(v, f, k_fee, e))
            return -1;
        if (!json_is_boolean(c)) {
            char f2[64];
            field_of(f2, f, "charged");
            return err_set(e, ERR_INVALID, f2, "是否收费应为 true 或 false");
        }
        g->fee_charged = json_is_true(c);
        if (g_text(v, f, "basis", "收费依据", 500, a, &g->fee_basis, e) ||
            g_text(v, f, "standard", "收费标准", 500, a, &g->fee_standard, e))
            return -1;
    }
    if ((v = json_object_get(j, "result")) && !json_is_null(v)) {
        field_of(f, ptr, "result");
        if (!json_is_object(v))
            return err_set(e, ERR_INVALID, f, "办理结果应为对象");
        if (only_keys(v, f, k_res, e) ||
            g_text(v, f, "name", "结果名称", 100, a, &g->result_name, e) ||
            g_text(v, f, "sample", "结果样本", 500, a, &g->result_sample, e) ||
            g_bool(v, f, "e_licence", "电子证照", &g->result_e_licence, e))
            return -1;
    }
    if ((v = json_object_get(j, "outside_centre")) && !json_is_null(v)) {
        field_of(f, ptr, "outside_centre");
        if (!json_is_object(v))
            return err_set(e, ERR_INVALID, f,
                           "不进中心办理的说明应为对象或 null");
        if (only_keys(v, f, k_out, e) ||
            g_text(v, f, "where", "办理地点", 300, a, &g->outside_where, e) ||
            g_text(v, f, "phone", "联系电话", 100, a, &g->outside_phone, e))
            return -1;
        g->outside_centre = 1;
    }
    return 0;
}

json_t *app_lint_json(const struct lint_report *r)
{
    json_t *list = json_array();
    for (int i = 0; i < r->n; i++) {
        const struct lint_finding *f = &r->items[i];
        json_array_append_new(
            list,
            json_pack("{s:s, s:s, s:s, s:s}", "severity",
                      f->severity == LINT_ERROR ? "error" : "warning", "field",
                      f->field, "code", f->code, "message", f->message));
    }
    return json_pack("{s:i, s:i, s:o}", "errors", r->errors, "warnings",
                     r->warnings, "findings", list);
}

int cat_lint_text(const char *guide_json, const char *legal_basis_json,
                  const char *code, struct arena *a, struct lint_report *r,
                  struct lint_finding *items, int cap, struct err *e)
{
    lint_init(r, items, cap);
    json_t *g = json_loads(guide_json ? guide_json : "{}", 0, NULL);
    struct guide gd;
    int rc = app_guide_from_json(g, "", a, &gd, e);
    json_decref(g);
    if (rc)
        return -1;
    guide_lint(&gd, r);
    json_t *lb =
        json_loads(legal_basis_json ? legal_basis_json : "[]", 0, NULL);
    struct base_facts bf = {.n_legal_basis = (int)json_array_size(lb),
                            .code = code};
    json_decref(lb);
    base_lint(&bf, r);
    return 0;
}

/* ---- rows into the arena
 * --------------------------------------------------------- */

static const char *dup(struct arena *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

struct item_row *cat_item_copy(struct arena *a, const struct item_row *r)
{
    struct item_row *c = arena_new_obj(a, struct item_row);
    *c = *r;
    c->region = dup(a, r->region);
    c->code = dup(a, r->code);
    c->sub_path = dup(a, r->sub_path);
    c->state = dup(a, r->state);
    c->modes = dup(a, r->modes);
    c->base_code = dup(a, r->base_code);
    c->name = dup(a, r->name);
    c->type = dup(a, r->type);
    c->themes = dup(a, r->themes);
    c->audience = dup(a, r->audience);
    c->supply = dup(a, r->supply);
    c->legal_basis = dup(a, r->legal_basis);
    c->levels = dup(a, r->levels);
    c->aliases = dup(a, r->aliases);
    c->keywords = dup(a, r->keywords);
    c->org_name = dup(a, r->org_name);
    c->org_credit_code = dup(a, r->org_credit_code);
    c->region_name = dup(a, r->region_name);
    c->latest_state = dup(a, r->latest_state);
    return c;
}

struct version_row *cat_version_copy(struct arena *a,
                                     const struct version_row *r)
{
    struct version_row *c = arena_new_obj(a, struct version_row);
    *c = *r;
    c->state = dup(a, r->state);
    c->guide = dup(a, r->guide);
    return c;
}

struct one_sink {
    struct arena *a;
    void *row;
};

static int take_item(void *ctx, const struct item_row *r)
{
    struct one_sink *s = ctx;
    s->row = cat_item_copy(s->a, r);
    return 1;
}

static int take_version(void *ctx, const struct version_row *r)
{
    struct one_sink *s = ctx;
    s->row = cat_version_copy(s->a, r);
    return 1;
}

int cat_load_item(struct db *db, int64_t id, struct arena *a,
                  struct item_row **out, struct err *e)
{
    struct one_sink s = {a, NULL};
    if (store_item_get(db, id, take_item, &s, e))
        return -1;
    *out = s.row;
    return 0;
}

int cat_load_version(struct db *db, int64_t item_id, int n, struct arena *a,
                     struct version_row **out, struct err *e)
{
    struct one_sink s = {a, NULL};
    if (store_version_get(db, item_id, n, take_version, &s, e))
        return -1;
    *out = s.row;
    return 0;
}

static int take_base(void *ctx, const struct base_row *r)
{
    struct one_sink *s = ctx;
    struct base_row *c = arena_new_obj(s->a, struct base_row);
    *c = *r;
    c->code = dup(s->a, r->code);
    c->parent_code = dup(s->a, r->parent_code);
    c->region = dup(s->a, r->region);
    c->name = dup(s->a, r->name);
    c->type = dup(s->a, r->type);
    c->supply = dup(s->a, r->supply);
    c->state = dup(s->a, r->state);
    c->themes = dup(s->a, r->themes);
    c->audience = dup(s->a, r->audience);
    c->legal_basis = dup(s->a, r->legal_basis);
    c->levels = dup(s->a, r->levels);
    c->aliases = dup(s->a, r->aliases);
    c->keywords = dup(s->a, r->keywords);
    s->row = c;
    return 1;
}

static int load_base(struct db *db, int64_t id, struct arena *a,
                     struct base_row **out, struct err *e)
{
    struct one_sink s = {a, NULL};
    if (store_base_get(db, id, take_base, &s, e))
        return -1;
    *out = s.row;
    return 0;
}

/* ---- item JSON
 * ------------------------------------------------------------------ */

/* The fields of an ItemSummary (docs/openapi.yaml) into an open object:
 * the one place they are written (lists write them as text; item_full_json
 * reads them back). */
static void item_summary_fields(struct jsonw *w, const struct item_row *it)
{
    const struct cat_vocab *t = cat_vocab_find(cat_types, it->type);
    jw_kint(w, "id", it->id);
    jw_kstr(w, "code", it->code);
    jw_kstr(w, "base", it->base_code);
    jw_kstr(w, "name", it->name);
    jw_kstr(w, "type", it->type);
    jw_kstr(w, "type_name", t ? t->title : NULL);
    jw_key(w, "themes");
    jw_json(w, it->themes);
    jw_key(w, "audience");
    jw_json(w, it->audience);
    jw_kstr(w, "region", it->region);
    jw_kstr(w, "region_name", it->region_name);
    jw_kint(w, "org_id", it->org_id);
    jw_kstr(w, "org_name", it->org_name);
    jw_kstr(w, "state", it->state);
    jw_key(w, "version");
    if (it->current_version)
        jw_int(w, it->current_version);
    else
        jw_null(w);
    jw_key(w, "modes");
    jw_arr(w);
    if (it->modes) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s", it->modes);
        char *save = NULL;
        for (char *m = strtok_r(buf, " ", &save); m;
             m = strtok_r(NULL, " ", &save))
            if (utf8_valid(m, strlen(m))) /* a cut character: left out */
                jw_str(w, m);
    }
    jw_end(w);
    jw_key(w, "visits");
    if (it->visits >= 0)
        jw_int(w, it->visits);
    else
        jw_null(w);
}

static json_t *item_summary_json(const struct item_row *it)
{
    struct jsonw w = {0};
    size_t n;
    jw_obj(&w);
    item_summary_fields(&w, it);
    jw_end(&w);
    char *text = jw_take(&w, &n);
    json_t *o = text ? json_loadb(text, n, 0, NULL) : NULL;
    free(text);
    return o ? o : json_object();
}

/* item_full_json — summary + base fields + version v with guide and lint. */
static json_t *item_full_json(const struct item_row *it,
                              const struct version_row *v, struct arena *a)
{
    json_t *o = item_summary_json(it);
    json_object_set_new(o, "supply", j_str(it->supply));
    json_object_set_new(o, "legal_basis", j_parsed(it->legal_basis));
    json_object_set_new(o, "levels", j_parsed(it->levels));
    json_object_set_new(o, "aliases", j_parsed(it->aliases));
    json_object_set_new(o, "keywords", j_parsed(it->keywords));
    json_object_set_new(o, "base_id", json_integer(it->base_id));
    json_object_set_new(o, "org_credit_code", j_str(it->org_credit_code));
    json_object_set_new(o, "business_no", json_integer(it->business_no));
    json_object_set_new(o, "sub_path", j_str(it->sub_path));
    json_object_set_new(o, "latest_version",
                        it->latest_version ? json_integer(it->latest_version)
                                           : json_null());
    json_object_set_new(o, "latest_state", j_str(it->latest_state));
    json_object_set_new(o, "created_at", j_time(it->created_at));
    json_object_set_new(o, "updated_at", j_time(it->updated_at));
    if (v) {
        json_t *ver = json_object();
        json_object_set_new(ver, "version", json_integer(v->version));
        json_object_set_new(ver, "state", j_str(v->state));
        json_object_set_new(ver, "state_name", j_str(state_title(v->state)));
        json_object_set_new(ver, "created_at", j_time(v->created_at));
        json_object_set_new(ver, "updated_at", j_time(v->updated_at));
        json_object_set_new(ver, "published_at", j_time(v->published_at));
        json_object_set_new(o, "current", ver);
        json_object_set_new(o, "guide", j_parsed(v->guide));
        struct lint_finding items[LINT_CAP];
        struct lint_report r;
        struct err e2 = {0};
        if (cat_lint_text(v->guide, it->legal_basis, it->code, a, &r, items,
                          LINT_CAP, &e2) == 0)
            json_object_set_new(o, "lint", app_lint_json(&r));
    }
    return o;
}

/* ---- events, index, publication
 * ------------------------------------------------- */

int cat_event(struct db *db, const struct actor *actor, int64_t item_id,
              int version, const char *from, const char *to, const char *reason,
              int64_t now, struct err *e)
{
    struct event_row ev = {
        .item_id = item_id,
        .version = version,
        .actor_id = actor ? actor->user_id : 0,
        .actor_login = actor ? actor->login : "system",
        .at = now,
        .from_state = from,
        .to_state = to,
        .reason = reason,
    };
    return store_event_add(db, &ev, e);
}

/* append_words — the strings of a JSON array text, space-joined. */
static void append_words(char *buf, size_t cap, const char *json_text)
{
    json_t *v = json_loads(json_text ? json_text : "[]", 0, NULL);
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        size_t n = strlen(buf);
        if (json_is_string(x))
            snprintf(buf + n, cap - n, "%s%s", n ? " " : "",
                     json_string_value(x));
    }
    json_decref(v);
}

int cat_index(struct db *db, const struct item_row *it, const char *guide_json,
              struct arena *a, struct err *e)
{
    char aliases[2048] = "";
    append_words(aliases, sizeof aliases, it->aliases);
    append_words(aliases, sizeof aliases, it->keywords);
    /* The body: the guide's words people search by. */
    size_t cap = 16384, n = 0;
    char *body = arena_alloc(a, cap);
    json_t *g = json_loads(guide_json ? guide_json : "{}", 0, NULL);
#define ADD(s)                                                                 \
    do {                                                                       \
        const char *s_ = (s);                                                  \
        if (s_ && n + strlen(s_) + 2 < cap) {                                  \
            n +=                                                               \
                (size_t)snprintf(body + n, cap - n, "%s%s", n ? " " : "", s_); \
        }                                                                      \
    } while (0)
    ADD(it->org_name);
    ADD(json_string_value(json_object_get(g, "accepting_unit")));
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(g, "conditions"), i, x)
        ADD(json_string_value(x));
    json_array_foreach(json_object_get(g, "materials"), i, x)
        ADD(json_string_value(json_object_get(x, "name")));
    ADD(json_string_value(
        json_object_get(json_object_get(g, "result"), "name")));
#undef ADD
    json_decref(g);
    struct search_doc d = {.item_id = it->id,
                           .region = it->region,
                           .name = it->name,
                           .aliases = aliases,
                           .body = body};
    return store_search_put(db, &d, e);
}

/* modes_text — " window online " from the guide (for browse filters). */
static const char *modes_text(struct arena *a, const json_t *g)
{
    char buf[512] = " ";
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(g, "modes"), i, x)
    {
        size_t n = strlen(buf);
        if (json_is_string(x) && n + json_string_length(x) + 2 < sizeof buf)
            snprintf(buf + n, sizeof buf - n, "%s ", json_string_value(x));
    }
    return arena_strdup(a, strlen(buf) > 1 ? buf : "");
}

int cat_publish(struct db *db, const struct actor *actor, struct item_row *it,
                int n, const char *from, const char *guide_json,
                const char *reason, int force, struct arena *a, json_t **lint,
                int *lint_errors, struct err *e)
{
    struct lint_finding items[LINT_CAP];
    struct lint_report r;
    if (lint)
        *lint = NULL;
    if (cat_lint_text(guide_json, it->legal_basis, it->code, a, &r, items,
                      LINT_CAP, e))
        return -1;
    /* No proof outside the list (app_proofs.h): a proof the registry does
     * not hold as retained is a lint error of this publication. */
    char unlisted[320];
    int before = r.errors;
    if (app_proofs_publish_check(db, guide_json, a, &r, unlisted,
                                 sizeof unlisted, e))
        return -1;
    if (lint_errors)
        *lint_errors = r.errors;
    if (r.errors > before && !force) {
        if (lint)
            *lint = app_lint_json(&r);
        char field[64] = "/guide";
        for (int i = 0; i < r.n; i++)
            if (!strcmp(r.items[i].code, "proof_not_listed")) {
                sfmt(field, sizeof field, "/guide%s", r.items[i].field);
                break;
            }
        return err_set(e, ERR_INVALID, field,
                       "清单之外无证明：%s，不能要求申请人提交，事项不能发布",
                       unlisted);
    }
    if (r.errors && !force) {
        if (lint)
            *lint = app_lint_json(&r);
        char field[64];
        sfmt(field, sizeof field, "/guide%s", r.n ? r.items[0].field : "");
        return err_set(e, ERR_INVALID, field,
                       "办事指南有 %d 项错误，不能发布（第一项：%s）", r.errors,
                       r.n ? r.items[0].message : "");
    }
    int64_t now = store_now_ms();
    int changed;
    if (it->current_version > 0 && it->current_version != n) {
        if (store_version_set_state(db, it->id, it->current_version,
                                    "published", "superseded", now, &changed,
                                    e))
            return -1;
        if (changed &&
            cat_event(db, actor, it->id, it->current_version, "published",
                      "superseded", "新版本发布", now, e))
            return -1;
    }
    if (from) {
        if (store_version_set_state(db, it->id, n, from, "published", now,
                                    &changed, e))
            return -1;
        if (!changed)
            return err_set(e, ERR_CONFLICT, "", "版本状态已变化，请刷新后重试");
    }
    char why[300];
    if (r.errors)
        snprintf(why, sizeof why, "%s（指南检查有 %d 项错误、%d 项提示）",
                 reason ? reason : "按原样发布", r.errors, r.warnings);
    else
        snprintf(why, sizeof why, "%s", reason ? reason : "");
    if (cat_event(db, actor, it->id, n, from, "published", why[0] ? why : NULL,
                  now, e))
        return -1;
    json_t *g = json_loads(guide_json, 0, NULL);
    json_t *vis = json_object_get(g, "visits");
    const char *modes = modes_text(a, g);
    int visits = json_is_integer(vis) ? (int)json_integer_value(vis) : -1;
    json_decref(g);
    /* The proof analyser's digest of the version's materials, in this
     * unit: published versions never change, so it never goes stale. */
    if (store_item_set_published(db, it->id, n, modes, visits, "active", now,
                                 e) ||
        store_digest_put(db, it->id, n, guide_json, e))
        return -1;
    it->current_version = n;
    it->modes = modes;
    it->visits = visits;
    return cat_index(db, it, guide_json, a, e);
}

/* ---- reads
 * ---------------------------------------------------------------------- */

/* staff — may the actor see unpublished versions of an item in region? */
static int staff(const struct actor *actor, const char *region)
{
    return actor && actor->user_id &&
           (actor_can(actor, CAP_CATALOGUE_EDIT, region) ||
            actor_can(actor, CAP_CATALOGUE_REVIEW, region));
}

static int public_state(const char *s)
{
    return s && (!strcmp(s, "public_comment") || !strcmp(s, "published") ||
                 !strcmp(s, "superseded") || !strcmp(s, "abolished"));
}

struct browse_sink {
    struct jsonw *w;
    int64_t last;
    int n, limit;
};

static int browse_take(void *ctx, const struct item_row *r)
{
    struct browse_sink *s = ctx;
    if (s->n >= s->limit) {
        s->n++;
        return 1;
    }
    jw_obj(s->w);
    item_summary_fields(s->w, r);
    jw_end(s->w);
    s->last = r->id;
    s->n++;
    return 0;
}

/* item_matches — the browse filters, in C (for search results). */
static int item_matches(const struct item_row *r, const struct item_query *q)
{
    char pat[64];
    if (r->current_version <= 0 || strcmp(r->state, "active") != 0)
        return 0;
    if (q->theme && *q->theme) {
        snprintf(pat, sizeof pat, "\"%s\"", q->theme);
        if (!r->themes || !strstr(r->themes, pat))
            return 0;
    }
    if (q->type && *q->type && strcmp(r->type, q->type) != 0)
        return 0;
    if (q->audience && *q->audience) {
        snprintf(pat, sizeof pat, "\"%s\"", q->audience);
        if (!r->audience || !strstr(r->audience, pat))
            return 0;
    }
    if (q->mode && *q->mode) {
        snprintf(pat, sizeof pat, " %s ", q->mode);
        if (!r->modes || !strstr(r->modes, pat))
            return 0;
    }
    if (q->max_visits >= 0 && (r->visits < 0 || r->visits > q->max_visits))
        return 0;
    return 1;
}

struct hit_sink {
    struct item_row **rows;
    int64_t *ids;
    int n;
    struct arena *a;
};

static int hit_take(void *ctx, const struct item_row *r)
{
    struct hit_sink *s = ctx;
    for (int i = 0; i < s->n; i++)
        if (s->ids[i] == r->id)
            s->rows[i] = cat_item_copy(s->a, r);
    return 0;
}

/* The answer's text, or ERR_INTERNAL when the writer failed. */
static int take_text(struct jsonw *w, char **text, size_t *n, struct err *e)
{
    *text = jw_take(w, n);
    return *text ? 0 : err_set(e, ERR_INTERNAL, NULL, "内存不足");
}

int app_item_browse(struct app *app, const struct item_query *q, json_t **out,
                    struct err *e)
{
    char *text;
    size_t n;
    *out = NULL;
    if (app_item_browse_text(app, q, &text, &n, e))
        return -1;
    *out = json_loadb(text, n, 0, NULL);
    free(text);
    return *out ? 0 : err_set(e, ERR_INTERNAL, NULL, "内存不足");
}

int app_item_browse_text(struct app *app, const struct item_query *q,
                         char **text, size_t *text_len, struct err *e)
{
    *text = NULL;
    *text_len = 0;
    const char *regions[STORE_CAT_REGIONS_MAX];
    char chain[STORE_CAT_REGIONS_MAX][13];
    int n_regions = 0;
    if (q->region && *q->region) {
        if (ids_division_check(q->region, NULL, "region", e))
            return -1;
        snprintf(chain[0], 13, "%s", q->region);
        regions[n_regions++] = chain[0];
        while (n_regions < STORE_CAT_REGIONS_MAX &&
               ids_division_parent(chain[n_regions - 1], chain[n_regions]) >
                   0) {
            regions[n_regions] = chain[n_regions];
            n_regions++;
        }
    }
    if (q->theme && *q->theme && !cat_vocab_find(cat_themes, q->theme))
        return err_set(e, ERR_INVALID, "theme", "未知的主题");
    if (q->type && *q->type && !cat_vocab_find(cat_types, q->type))
        return err_set(e, ERR_INVALID, "type", "未知的事项类型");
    if (q->audience && *q->audience && strcmp(q->audience, "natural") &&
        strcmp(q->audience, "legal"))
        return err_set(e, ERR_INVALID, "audience",
                       "服务对象应为 natural 或 legal");
    if (q->mode && *q->mode) {
        int ok = 0;
        for (const char *const *m = guide_modes; *m; m++)
            ok |= strcmp(*m, q->mode) == 0;
        if (!ok)
            return err_set(e, ERR_INVALID, "mode", "未知的办理方式");
    }
    if (q->max_visits > 9)
        return err_set(e, ERR_INVALID, "max_visits",
                       "max_visits 应在 0 到 9 之间");
    int limit = q->limit ? q->limit : APP_CAT_PAGE_DEFAULT;
    if (limit < 1 || limit > APP_CAT_PAGE_MAX)
        return err_set(e, ERR_INVALID, "limit", "limit 应在 1 到 %d 之间",
                       APP_CAT_PAGE_MAX);
    if (q->after < 0)
        return err_set(e, ERR_INVALID, "after", "after 应为非负整数");

    if (q->q && *q->q) {
        /* The search and the page's item rows on one read connection, as
         * one snapshot (one read transaction on SQLite). */
        struct db *db = store_read(app->store, e);
        if (!db)
            return -1;
        if (store_read_snapshot(db, e)) {
            store_read_done(app->store, db);
            return -1;
        }
        struct arena *ar = arena_new();
        struct search_result *res = NULL;
        int n = 0, suggested = 0;
        int rc = app_search_items_on(app, db, q->q, n_regions ? regions : NULL,
                                     n_regions, 100, ar, &res, &n, &suggested,
                                     e);
        struct hit_sink hs = {.rows =
                                  arena_new_array(ar, struct item_row *, n + 1),
                              .ids = arena_new_array(ar, int64_t, n + 1),
                              .n = n,
                              .a = ar};
        for (int i = 0; i < n; i++)
            hs.ids[i] = res[i].item_id;
        /* Load the ranked items in rank order, only as many as the page
         * needs (after + limit, and one more to tell whether there is a
         * next page): usually one short batch instead of all n; only what
         * a summary shows (not the latest version). */
        long need = q->after + limit + 1;
        int loaded = 0;
        for (long found = 0; !rc && loaded < n && found < need;) {
            long want = need - found < 8 ? 8 : need - found;
            int chunk = want < n - loaded ? (int)want : n - loaded;
            struct hit_sink part = {.rows = hs.rows + loaded,
                                    .ids = hs.ids + loaded,
                                    .n = chunk,
                                    .a = ar};
            rc = store_item_summaries(db, part.ids, chunk, hit_take, &part, e);
            for (int i = loaded; !rc && i < loaded + chunk; i++)
                found += hs.rows[i] && item_matches(hs.rows[i], q);
            loaded += chunk;
        }
        store_read_snapshot_end(db);
        store_read_done(app->store, db);
        if (rc) {
            arena_free(ar);
            return -1;
        }
        struct jsonw w = {0};
        jw_obj(&w);
        jw_key(&w, "items");
        jw_arr(&w);
        int seen = 0, shown = 0, more = 0;
        for (int i = 0; i < loaded; i++) {
            struct item_row *r = hs.rows[i];
            if (!r || !item_matches(r, q))
                continue;
            if (seen++ < q->after)
                continue;
            if (shown >= limit) {
                more = 1;
                break;
            }
            jw_obj(&w);
            item_summary_fields(&w, r);
            jw_kint(&w, "tier", res[i].tier);
            jw_end(&w);
            shown++;
        }
        arena_free(ar);
        jw_end(&w);
        jw_key(&w, "next_after");
        if (more)
            jw_int(&w, q->after + limit);
        else
            jw_null(&w);
        jw_key(&w, "suggested");
        jw_bool(&w, suggested);
        jw_end(&w);
        return take_text(&w, text, text_len, e);
    }

    struct item_filter f = {
        .regions = regions,
        .n_regions = n_regions,
        .theme = q->theme && *q->theme ? q->theme : NULL,
        .type = q->type && *q->type ? q->type : NULL,
        .audience = q->audience && *q->audience ? q->audience : NULL,
        .mode = q->mode && *q->mode ? q->mode : NULL,
        .max_visits = q->max_visits,
        .after_id = q->after,
        .limit = limit + 1,
    };
    struct db *db = store_read(app->store, e);
    if (!db)
        return -1;
    struct jsonw w = {0};
    jw_obj(&w);
    jw_key(&w, "items");
    jw_arr(&w);
    struct browse_sink s = {.w = &w, .limit = limit};
    int rc = store_item_browse(db, &f, browse_take, &s, e);
    store_read_done(app->store, db);
    if (rc) {
        jw_free(&w);
        return -1;
    }
    jw_end(&w);
    jw_key(&w, "next_after");
    if (s.n > limit)
        jw_int(&w, s.last);
    else
        jw_null(&w);
    jw_end(&w);
    return take_text(&w, text, text_len, e);
}

/* with_item — run on a read connection: load item id, check visibility. */
static int read_item(struct app *app, const struct actor *actor, int64_t id,
                     struct arena *a, struct db **dbp, struct item_row **it,
                     int *is_staff, struct err *e)
{
    if (id <= 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个事项");
    struct db *db = store_read(app->store, e);
    if (!db)
        return -1;
    if (cat_load_item(db, id, a, it, e)) {
        store_read_done(app->store, db);
        return -1;
    }
    *is_staff = staff(actor, (*it)->region);
    if (!*is_staff && (*it)->current_version <= 0 &&
        !public_state((*it)->latest_state)) {
        store_read_done(app->store, db);
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个事项");
    }
    *dbp = db;
    return 0;
}

int app_item_get(struct app *app, const struct actor *actor, int64_t id,
                 json_t **out, struct err *e)
{
    struct arena *a = arena_new();
    struct db *db;
    struct item_row *it;
    int is_staff;
    if (read_item(app, actor, id, a, &db, &it, &is_staff, e)) {
        arena_free(a);
        return -1;
    }
    struct version_row *v = NULL;
    /* Staff see the latest version; others the published one, or the
     * version in public comment before the first publication. */
    int n = is_staff                  ? 0
            : it->current_version > 0 ? it->current_version
                                      : it->latest_version;
    int rc = cat_load_version(db, id, n, a, &v, e);
    store_read_done(app->store, db);
    if (rc == 0)
        *out = item_full_json(it, v, a);
    arena_free(a);
    return rc;
}

int app_item_get_by_code(struct app *app, const struct actor *actor,
                         const char *code, json_t **out, struct err *e)
{
    /* Codes are [0-9A-Z-]; implementation codes run to about 60 (docs/catalogue.md). */
    size_t n = code ? strlen(code) : 0;
    if (n < 6 || n > 128 || strspn(code, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "-") != n)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个事项");
    struct db *db = store_read(app->store, e);
    if (!db)
        return -1;
    int64_t id = 0;
    int rc = store_item_id_by_code(db, code, &id, e);
    store_read_done(app->store, db);
    if (rc)
        return -1;
    if (id <= 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个事项");
    return app_item_get(app, actor, id, out, e);
}

json_t *app_cat_themes(void)
{
    json_t *list = json_array();
    for (const struct cat_vocab *v = cat_themes; v->name; v++)
        json_array_append_new(list, json_pack("{s:s, s:s}", "name", v->name,
                                              "title", v->title));
    return list;
}

static int list_version(void *ctx, const struct version_row *v)
{
    json_t *list = ctx;
    json_array_append_new(
        list, json_pack("{s:i, s:s, s:s, s:o, s:o}", "version", v->version,
                        "state", v->state, "state_name", state_title(v->state),
                        "created_at", j_time(v->created_at), "published_at",
                        j_time(v->published_at)));
    return 0;
}

int app_item_versions(struct app *app, const struct actor *actor, int64_t id,
                      json_t **out, struct err *e)
{
    struct arena *a = arena_new();
    struct db *db;
    struct item_row *it;
    int is_staff;
    if (read_item(app, actor, id, a, &db, &it, &is_staff, e)) {
        arena_free(a);
        return -1;
    }
    json_t *list = json_array();
    int rc = store_version_list(db, id, list_version, list, e);
    store_read_done(app->store, db);
    arena_free(a);
    if (rc) {
        json_decref(list);
        return -1;
    }
    if (!is_staff) { /* only versions the public may see */
        json_t *keep = json_array();
        size_t i;
        json_t *x;
        json_array_foreach(list, i, x)
        {
            if (public_state(json_string_value(json_object_get(x, "state"))))
                json_array_append(keep, x);
        }
        json_decref(list);
        list = keep;
    }
    *out = json_pack("{s:I, s:o}", "item_id", (json_int_t)id, "versions", list);
    return 0;
}

int app_item_version(struct app *app, const struct actor *actor, int64_t id,
                     int n, json_t **out, struct err *e)
{
    if (n <= 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个版本");
    struct arena *a = arena_new();
    struct db *db;
    struct item_row *it;
    int is_staff;
    if (read_item(app, actor, id, a, &db, &it, &is_staff, e)) {
        arena_free(a);
        return -1;
    }
    struct version_row *v;
    int rc = cat_load_version(db, id, n, a, &v, e);
    store_read_done(app->store, db);
    if (rc == 0 && !is_staff && !public_state(v->state))
        rc = err_set(e, ERR_NOT_FOUND, NULL, "没有这个版本");
    if (rc == 0)
        *out = item_full_json(it, v, a);
    arena_free(a);
    return rc;
}

/* diff — append {path, old, new} for every leaf that differs. */
static void diff(json_t *changes, const char *path, json_t *a, json_t *b)
{
    if (a && b && json_equal(a, b))
        return;
    if (json_is_object(a) && json_is_object(b)) {
        const char *k;
        json_t *v;
        json_object_foreach(a, k, v)
        {
            char p[512];
            snprintf(p, sizeof p, "%s/%s", path, k);
            diff(changes, p, v, json_object_get(b, k));
        }
        json_object_foreach(b, k, v)
        {
            if (json_object_get(a, k))
                continue;
            char p[512];
            snprintf(p, sizeof p, "%s/%s", path, k);
            diff(changes, p, NULL, v);
        }
        return;
    }
    if (json_is_array(a) && json_is_array(b)) {
        size_t na = json_array_size(a), nb = json_array_size(b);
        for (size_t i = 0; i < (na > nb ? na : nb); i++) {
            char p[512];
            snprintf(p, sizeof p, "%s/%zu", path, i);
            diff(changes, p, json_array_get(a, i), json_array_get(b, i));
        }
        return;
    }
    json_array_append_new(changes, json_pack("{s:s, s:O, s:O}", "path", path,
                                             "old", a ? a : json_null(), "new",
                                             b ? b : json_null()));
}

int app_item_diff(struct app *app, const struct actor *actor, int64_t id,
                  int from, int to, json_t **out, struct err *e)
{
    if (from <= 0)
        return err_set(e, ERR_INVALID, "from", "from 应为版本号");
    if (to <= 0)
        return err_set(e, ERR_INVALID, "to", "to 应为版本号");
    struct arena *a = arena_new();
    struct db *db;
    struct item_row *it;
    int is_staff;
    if (read_item(app, actor, id, a, &db, &it, &is_staff, e)) {
        arena_free(a);
        return -1;
    }
    struct version_row *va, *vb;
    int rc = cat_load_version(db, id, from, a, &va, e);
    if (rc == 0)
        rc = cat_load_version(db, id, to, a, &vb, e);
    store_read_done(app->store, db);
    if (rc == 0 && !is_staff &&
        (!public_state(va->state) || !public_state(vb->state)))
        rc = err_set(e, ERR_NOT_FOUND, NULL, "没有这个版本");
    if (rc == 0) {
        json_t *ga = j_parsed(va->guide), *gb = j_parsed(vb->guide);
        json_t *changes = json_array();
        diff(changes, "", ga, gb);
        json_decref(ga);
        json_decref(gb);
        *out = json_pack("{s:I, s:i, s:i, s:o}", "item_id", (json_int_t)id,
                         "from", from, "to", to, "changes", changes);
    }
    arena_free(a);
    return rc;
}

static int list_event(void *ctx, const struct event_row *v)
{
    json_array_append_new(
        ctx, json_pack("{s:I, s:i, s:o, s:o, s:o, s:o, s:s, s:o}", "id",
                       (json_int_t)v->id, "version", v->version, "actor_id",
                       v->actor_id ? json_integer(v->actor_id) : json_null(),
                       "actor", j_str(v->actor_login), "at", j_time(v->at),
                       "from", j_str(v->from_state), "to", v->to_state,
                       "reason", j_str(v->reason)));
    return 0;
}

int app_item_events(struct app *app, const struct actor *actor, int64_t id,
                    json_t **out, struct err *e)
{
    struct arena *a = arena_new();
    struct db *db;
    struct item_row *it;
    int is_staff;
    if (read_item(app, actor, id, a, &db, &it, &is_staff, e)) {
        arena_free(a);
        return -1;
    }
    int rc = 0;
    json_t *list = json_array();
    if (!is_staff)
        rc = err_set(e, ERR_FORBIDDEN, NULL, "无权查看该事项的变更记录");
    else
        rc = store_event_list(db, id, list_event, list, e);
    store_read_done(app->store, db);
    arena_free(a);
    if (rc) {
        json_decref(list);
        return -1;
    }
    *out = json_pack("{s:I, s:o}", "item_id", (json_int_t)id, "events", list);
    return 0;
}

static json_t *comment_json(const struct comment_row *c)
{
    return json_pack("{s:I, s:I, s:i, s:s, s:s, s:o, s:o, s:o}", "id",
                     (json_int_t)c->id, "item_id", (json_int_t)c->item_id,
                     "version", c->version, "name", c->author_name, "text",
                     c->body, "created_at", j_time(c->created_at), "reply",
                     j_str(c->reply), "replied_at", j_time(c->replied_at));
}

static int list_comment(void *ctx, const struct comment_row *c)
{
    json_array_append_new(ctx, comment_json(c));
    return 0;
}

int app_item_comments(struct app *app, int64_t id, json_t **out, struct err *e)
{
    struct arena *a = arena_new();
    struct db *db;
    struct item_row *it;
    int is_staff;
    if (read_item(app, NULL, id, a, &db, &it, &is_staff, e)) {
        arena_free(a);
        return -1;
    }
    json_t *list = json_array();
    int rc = store_comment_list(db, id, list_comment, list, e);
    store_read_done(app->store, db);
    arena_free(a);
    if (rc) {
        json_decref(list);
        return -1;
    }
    *out = json_pack("{s:I, s:o}", "item_id", (json_int_t)id, "comments", list);
    return 0;
}

struct base_sink {
    json_t *list;
    int64_t last;
    int n, limit;
};

static int base_take(void *ctx, const struct base_row *r)
{
    struct base_sink *s = ctx;
    if (s->n++ >= s->limit)
        return 1;
    json_array_append_new(s->list, cat_base_json(r, 1));
    s->last = r->id;
    return 0;
}

int app_base_list(struct app *app, const struct base_query *q, json_t **out,
                  struct err *e)
{
    int limit = q->limit ? q->limit : APP_CAT_PAGE_DEFAULT;
    if (limit < 1 || limit > APP_CAT_PAGE_MAX)
        return err_set(e, ERR_INVALID, "limit", "limit 应在 1 到 %d 之间",
                       APP_CAT_PAGE_MAX);
    if (q->q && (!utf8_valid(q->q, strlen(q->q)) ||
                 utf8_chars(q->q, strlen(q->q)) > 32))
        return err_set(e, ERR_INVALID, "q", "查询词应为 1 到 32 个字符");
    struct base_filter f = {.q = q->q,
                            .parent_id = q->parent,
                            .after_id = q->after,
                            .limit = limit + 1};
    struct db *db = store_read(app->store, e);
    if (!db)
        return -1;
    struct base_sink s = {.list = json_array(), .limit = limit};
    int rc = store_base_list(db, &f, base_take, &s, e);
    store_read_done(app->store, db);
    if (rc) {
        json_decref(s.list);
        return -1;
    }
    *out = json_pack("{s:o, s:o}", "items", s.list, "next_after",
                     s.n > limit ? json_integer(s.last) : json_null());
    return 0;
}

static int list_history(void *ctx, const struct base_history_row *h)
{
    json_array_append_new(
        ctx, json_pack("{s:I, s:s, s:o, s:o, s:o}", "revision",
                       (json_int_t)h->revision, "action", h->action, "actor",
                       j_str(h->actor_login), "reason", j_str(h->reason), "at",
                       j_time(h->at)));
    return 0;
}

static int list_child(void *ctx, const struct base_row *r)
{
    json_array_append_new(ctx,
                          json_pack("{s:I, s:s, s:s}", "id", (json_int_t)r->id,
                                    "code", r->code, "name", r->name));
    return 0;
}

int app_base_get(struct app *app, int64_t id, json_t **out, struct err *e)
{
    if (id <= 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个基本目录事项");
    struct arena *a = arena_new();
    struct db *db = store_read(app->store, e);
    if (!db) {
        arena_free(a);
        return -1;
    }
    struct base_row *b;
    json_t *hist = json_array(), *kids = json_array();
    struct base_filter f = {.parent_id = id};
    int rc = load_base(db, id, a, &b, e);
    if (rc == 0)
        rc = store_base_history_list(db, id, list_history, hist, e);
    if (rc == 0)
        rc = store_base_list(db, &f, list_child, kids, e);
    store_read_done(app->store, db);
    if (rc == 0) {
        *out = cat_base_json(b, 1);
        json_object_set_new(*out, "children", kids);
        json_object_set_new(*out, "history", hist);
    } else {
        json_decref(hist);
        json_decref(kids);
    }
    arena_free(a);
    return rc;
}

/* ---- writes
 * ---------------------------------------------------------------------- */

enum cat_op {
    OP_BASE_CREATE = 1,
    OP_BASE_UPDATE,
    OP_BASE_ABOLISH,
    OP_ITEM_CREATE,
    OP_DRAFT,
    OP_TRANSITION,
    OP_COMMENT,
    OP_REPLY,
};

struct cat_write {
    enum cat_op op;
    struct actor actor;
    int trusted;
    struct arena *a;
    int64_t target;
    /* inputs */
    struct base_out base;
    const char *body_text; /* a base update's body, JSON text */
    int64_t revision;
    const char *reason;
    const char *base_code; /* item create */
    int64_t base_id, org_id;
    int business_no;
    const char *sub_path;
    const char *guide; /* JSON text */
    int version;       /* draft: the version edited (0 = latest) */
    enum cat_action action;
    const char *text, *name; /* comments */
    /* results */
    int64_t id;
    json_t *result;
    int refused;
    struct err refusal;
    json_t *lint;
    const char *audit_region; /* the region touched (NULL: national) */
};

static const struct actor *actor_of(const struct cat_write *w)
{
    return w->trusted ? NULL : &w->actor;
}

static struct cat_write *new_write(const struct actor *actor, enum cat_op op,
                                   int64_t target, struct arena *a)
{
    struct cat_write *w = arena_new_obj(a, struct cat_write);
    w->op = op;
    w->a = a;
    w->target = target;
    if (actor)
        w->actor = *actor;
    else
        w->trusted = 1;
    return w;
}

enum cat_action cat_action_parse(const char *s)
{
    static const struct {
        const char *name;
        enum cat_action a;
    } k[] = {{"submit", CAT_SUBMIT},           {"approve", CAT_APPROVE},
             {"reject", CAT_REJECT},           {"publish", CAT_PUBLISH},
             {"new-version", CAT_NEW_VERSION}, {"abolish", CAT_ABOLISH}};
    for (size_t i = 0; s && i < sizeof k / sizeof *k; i++)
        if (strcmp(k[i].name, s) == 0)
            return k[i].a;
    return 0;
}

/* reason_of — optional "reason" text (1–500) of body into *out. */
static int reason_of(const json_t *body, int required, struct arena *a,
                     const char **out, struct err *e)
{
    json_t *v = body ? json_object_get(body, "reason") : NULL;
    *out = NULL;
    if (!v || json_is_null(v) ||
        (json_is_string(v) && json_string_length(v) == 0)) {
        if (required)
            return err_set(e, ERR_INVALID, "/reason", "请写明理由");
        return 0;
    }
    if (text_ok(v, "/reason", "理由", 1, 500, e))
        return -1;
    *out = arena_strdup(a, json_string_value(v));
    return 0;
}

int app_base_create_prepare(struct app *app, const struct actor *actor,
                            const json_t *body, struct arena *a,
                            struct cat_write **out, struct err *e)
{
    struct cat_write *w = new_write(actor, OP_BASE_CREATE, 0, a);
    if (cat_base_check(body, "", 0, 0, a, &w->base, e))
        return -1;
    if (!cat_can(actor, CAP_CATALOGUE_EDIT, w->base.region))
        return err_set(e, ERR_FORBIDDEN, "/region",
                       w->base.region
                           ? "无权编制该区划的基本目录事项"
                           : "全国性基本目录事项须由省级编制人员编制");
    *out = w;
    return 0;
}

int app_base_update_prepare(struct app *app, const struct actor *actor,
                            int64_t id, const json_t *body, struct arena *a,
                            struct cat_write **out, struct err *e)
{
    if (id <= 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个基本目录事项");
    struct cat_write *w = new_write(actor, OP_BASE_UPDATE, id, a);
    struct base_out tmp;
    if (cat_base_check(body, "", 1, 0, a, &tmp, e) ||
        reason_of(body, 0, a, &w->reason, e))
        return -1;
    json_t *rv = json_object_get(body, "revision");
    if (rv && (!json_is_integer(rv) || json_integer_value(rv) < 1))
        return err_set(e, ERR_INVALID, "/revision", "revision 应为正整数");
    w->revision = rv ? json_integer_value(rv) : 0;
    json_t *copy = json_deep_copy(body);
    json_object_del(copy, "revision");
    json_object_del(copy, "reason");
    w->body_text = cat_json_text(a, copy);
    json_decref(copy);
    *out = w;
    return 0;
}

int app_base_abolish_prepare(struct app *app, const struct actor *actor,
                             int64_t id, const json_t *body, struct arena *a,
                             struct cat_write **out, struct err *e)
{
    if (id <= 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个基本目录事项");
    struct cat_write *w = new_write(actor, OP_BASE_ABOLISH, id, a);
    if (reason_of(body, 1, a, &w->reason, e))
        return -1;
    *out = w;
    return 0;
}

int app_item_create_prepare(struct app *app, const struct actor *actor,
                            const json_t *body, struct arena *a,
                            struct cat_write **out, struct err *e)
{
    static const char *const k_keys[] = {
        "base", "base_id", "org_id", "business_no", "sub_path", "guide", NULL};
    if (only_keys(body, "", k_keys, e))
        return -1;
    struct cat_write *w = new_write(actor, OP_ITEM_CREATE, 0, a);
    json_t *v = json_object_get(body, "base");
    if (v) {
        if (!json_is_string(v) || !catalogue_base_code_ok(json_string_value(v)))
            return err_set(e, ERR_INVALID, "/base", "base 应为基本目录编码");
        w->base_code = arena_strdup(a, json_string_value(v));
    } else if ((v = json_object_get(body, "base_id"))) {
        if (!json_is_integer(v) || json_integer_value(v) < 1)
            return err_set(e, ERR_INVALID, "/base_id", "base_id 应为正整数");
        w->base_id = json_integer_value(v);
    } else {
        return err_set(e, ERR_INVALID, "/base", "缺少基本目录事项 base");
    }
    v = json_object_get(body, "org_id");
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        return err_set(e, ERR_INVALID, "/org_id", "org_id 应为实施机构的编号");
    w->org_id = json_integer_value(v);
    v = json_object_get(body, "business_no");
    if (v && (!json_is_integer(v) || json_integer_value(v) < 1 ||
              json_integer_value(v) > 999))
        return err_set(e, ERR_INVALID, "/business_no",
                       "业务项编号应在 1 到 999 之间");
    w->business_no = v ? (int)json_integer_value(v) : 0;
    v = json_object_get(body, "sub_path");
    w->sub_path = "00";
    if (v) {
        const char *s = json_string_value(v);
        size_t n = s ? strlen(s) : 0;
        if (n < 2 || n > 16 || n % 2 || strspn(s, "0123456789") != n)
            return err_set(e, ERR_INVALID, "/sub_path",
                           "子项路径应为 00 或两位数字的序号串");
        w->sub_path = arena_strdup(a, s);
    }
    v = json_object_get(body, "guide");
    struct guide g;
    if (v && app_guide_from_json(v, "/guide", a, &g, e))
        return -1;
    w->guide = v ? cat_json_text(a, v) : "{}";
    *out = w;
    return 0;
}

int app_item_draft_prepare(struct app *app, const struct actor *actor,
                           int64_t id, const json_t *body, struct arena *a,
                           struct cat_write **out, struct err *e)
{
    static const char *const k_keys[] = {"guide", "version", NULL};
    if (id <= 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个事项");
    if (only_keys(body, "", k_keys, e))
        return -1;
    struct cat_write *w = new_write(actor, OP_DRAFT, id, a);
    json_t *v = json_object_get(body, "guide");
    struct guide g;
    if (!v)
        return err_set(e, ERR_INVALID, "/guide", "缺少办事指南 guide");
    if (app_guide_from_json(v, "/guide", a, &g, e))
        return -1;
    w->guide = cat_json_text(a, v);
    v = json_object_get(body, "version");
    if (v && (!json_is_integer(v) || json_integer_value(v) < 1))
        return err_set(e, ERR_INVALID, "/version", "version 应为版本号");
    w->version = v ? (int)json_integer_value(v) : 0;
    *out = w;
    return 0;
}

int app_item_transition_prepare(struct app *app, const struct actor *actor,
                                int64_t id, enum cat_action action,
                                const json_t *body, struct arena *a,
                                struct cat_write **out, struct err *e)
{
    static const char *const k_keys[] = {"reason", NULL};
    if (id <= 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个事项");
    if (action < CAT_SUBMIT || action > CAT_ABOLISH)
        return err_set(e, ERR_INTERNAL, NULL, "内部错误");
    if (body && only_keys(body, "", k_keys, e))
        return -1;
    struct cat_write *w = new_write(actor, OP_TRANSITION, id, a);
    w->action = action;
    if (reason_of(body, action == CAT_REJECT || action == CAT_ABOLISH, a,
                  &w->reason, e))
        return -1;
    *out = w;
    return 0;
}

int app_comment_add_prepare(struct app *app, const struct actor *actor,
                            int64_t item_id, const json_t *body,
                            struct arena *a, struct cat_write **out,
                            struct err *e)
{
    static const char *const k_keys[] = {"text", "name", NULL};
    if (item_id <= 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个事项");
    if (only_keys(body, "", k_keys, e))
        return -1;
    json_t *t = json_object_get(body, "text");
    if (!t)
        return err_set(e, ERR_INVALID, "/text", "缺少意见内容 text");
    if (text_ok(t, "/text", "意见内容", 2, 2000, e))
        return -1;
    json_t *nm = json_object_get(body, "name");
    if (nm && text_ok(nm, "/name", "称呼", 1, 30, e))
        return -1;
    struct cat_write *w = new_write(actor, OP_COMMENT, item_id, a);
    w->trusted = 0; /* anyone: no permission involved */
    w->text = arena_strdup(a, json_string_value(t));
    w->name = nm ? arena_strdup(a, json_string_value(nm))
              : actor && actor->user_id && actor->login[0]
                  ? arena_strdup(a, actor->login)
                  : "匿名";
    *out = w;
    return 0;
}

int app_comment_reply_prepare(struct app *app, const struct actor *actor,
                              int64_t comment_id, const json_t *body,
                              struct arena *a, struct cat_write **out,
                              struct err *e)
{
    static const char *const k_keys[] = {"reply", NULL};
    if (comment_id <= 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这条意见");
    if (only_keys(body, "", k_keys, e))
        return -1;
    json_t *t = json_object_get(body, "reply");
    if (!t)
        return err_set(e, ERR_INVALID, "/reply", "缺少答复内容 reply");
    if (text_ok(t, "/reply", "答复内容", 2, 2000, e))
        return -1;
    struct cat_write *w = new_write(actor, OP_REPLY, comment_id, a);
    w->text = arena_strdup(a, json_string_value(t));
    *out = w;
    return 0;
}

/* ---- units
 * ----------------------------------------------------------------------- */

static int base_snapshot(struct db *db, int64_t id, const char *action,
                         const struct cat_write *w, struct err *e)
{
    struct base_row *b;
    if (load_base(db, id, w->a, &b, e))
        return -1;
    json_t *o = cat_base_json(b, 0);
    const char *snap = cat_json_text(w->a, o);
    json_decref(o);
    const struct actor *ac = actor_of(w);
    return store_base_history_add(
        db, id, b->revision, action, ac ? ac->user_id : 0,
        ac ? ac->login : "system", w->reason, snap, store_now_ms(), e);
}

static int base_result(struct db *db, struct cat_write *w, int64_t id,
                       struct err *e)
{
    struct base_row *b;
    if (load_base(db, id, w->a, &b, e))
        return -1;
    w->id = id;
    w->audit_region = b->region;
    w->result = cat_base_json(b, 1);
    return 0;
}

/* resolve_parent — the id of base `code` (0 for NULL), ERR_INVALID on field
 * when absent. */
static int resolve_parent(struct db *db, const char *code, const char *field,
                          int64_t *id, struct err *e)
{
    *id = 0;
    if (!code)
        return 0;
    if (store_base_id_by_code(db, code, id, e))
        return -1;
    if (!*id)
        return err_set(e, ERR_INVALID, field, "上级事项 %s 不存在", code);
    return 0;
}

static int region_exists(struct db *db, const char *code, const char *field,
                         struct err *e)
{
    if (!code)
        return 0;
    int64_t n = 0;
    struct db_param p[] = {DBP_TEXT(code)};
    static const char SQL_REGION_EXISTS[] =
        "SELECT count(*) FROM regions WHERE code = $1";
    if (db_query_int(db, SQL_REGION_EXISTS, p, 1, &n, e))
        return -1;
    if (!n)
        return err_set(e, ERR_INVALID, field,
                       "区划 %s 不存在，请先导入区划（bianmin import regions）",
                       code);
    return 0;
}

static int unit_base_create(struct db *db, struct cat_write *w, struct err *e)
{
    const struct base_out *in = &w->base;
    struct base_row row = {
        .code = in->code,
        .region = in->region,
        .name = in->name,
        .type = in->type,
        .supply = in->supply,
        .themes = in->themes,
        .audience = in->audience,
        .legal_basis = in->legal_basis,
        .levels = in->levels,
        .aliases = in->aliases,
        .keywords = in->keywords,
    };
    int64_t other, id;
    if (region_exists(db, in->region, "/region", e) ||
        resolve_parent(db, in->parent, "/parent", &row.parent_id, e) ||
        store_base_id_by_code(db, in->code, &other, e))
        return -1;
    if (other)
        return err_set(e, ERR_CONFLICT, "/code", "基本目录编码 %s 已存在",
                       in->code);
    if (store_base_insert(db, &row, store_now_ms(), &id, e) ||
        base_snapshot(db, id, "create", w, e))
        return -1;
    return base_result(db, w, id, e);
}

static int reindex_base(struct db *db, int64_t base_id, struct arena *a,
                        struct err *e);

static int unit_base_update(struct db *db, struct cat_write *w, struct err *e)
{
    struct base_row *cur;
    if (load_base(db, w->target, w->a, &cur, e))
        return -1;
    if (!cat_can(actor_of(w), CAP_CATALOGUE_EDIT, cur->region))
        return err_set(e, ERR_FORBIDDEN, "", "无权修改该基本目录事项");
    if (w->revision && w->revision != cur->revision)
        return err_set(e, ERR_CONFLICT, "/revision",
                       "基本目录事项已被他人修改，请刷新后重试");
    if (strcmp(cur->state, "active") != 0)
        return err_set(e, ERR_CONFLICT, "", "已废止的基本目录事项不能修改");
    json_t *merged = cat_base_json(cur, 0);
    json_t *body = json_loads(w->body_text, 0, NULL);
    json_object_update(merged, body);
    json_decref(body);
    struct base_out in;
    int rc = cat_base_check(merged, "", 0, 0, w->a, &in, e);
    json_decref(merged);
    if (rc)
        return -1;
    if (!cat_can(actor_of(w), CAP_CATALOGUE_EDIT, in.region))
        return err_set(e, ERR_FORBIDDEN, "/region", "无权把事项移到该区划");
    struct base_row row = {
        .id = cur->id,
        .code = in.code,
        .region = in.region,
        .name = in.name,
        .type = in.type,
        .supply = in.supply,
        .state = cur->state,
        .themes = in.themes,
        .audience = in.audience,
        .legal_basis = in.legal_basis,
        .levels = in.levels,
        .aliases = in.aliases,
        .keywords = in.keywords,
    };
    if (region_exists(db, in.region, "/region", e) ||
        resolve_parent(db, in.parent, "/parent", &row.parent_id, e))
        return -1;
    if (row.parent_id == cur->id)
        return err_set(e, ERR_INVALID, "/parent", "事项不能是自己的上级");
    if (strcmp(in.code, cur->code) != 0) {
        int64_t other;
        if (store_base_id_by_code(db, in.code, &other, e))
            return -1;
        if (other)
            return err_set(e, ERR_CONFLICT, "/code", "基本目录编码 %s 已存在",
                           in.code);
    }
    int changed;
    if (store_base_update(db, &row, cur->revision, store_now_ms(), &changed, e))
        return -1;
    if (!changed)
        return err_set(e, ERR_CONFLICT, "/revision",
                       "基本目录事项已被他人修改，请刷新后重试");
    if (base_snapshot(db, cur->id, "update", w, e) ||
        reindex_base(db, cur->id, w->a, e))
        return -1;
    return base_result(db, w, cur->id, e);
}

static int unit_base_abolish(struct db *db, struct cat_write *w, struct err *e)
{
    struct base_row *cur;
    if (load_base(db, w->target, w->a, &cur, e))
        return -1;
    if (!cat_can(actor_of(w), CAP_CATALOGUE_EDIT, cur->region))
        return err_set(e, ERR_FORBIDDEN, "", "无权废止该基本目录事项");
    if (strcmp(cur->state, "active") != 0)
        return err_set(e, ERR_CONFLICT, "", "该基本目录事项已废止");
    static const char SQL_ACTIVE_ITEMS[] =
        "SELECT count(*) FROM items WHERE base_id = $1 AND state = 'active'";
    struct db_param p[] = {DBP_INT(cur->id)};
    int64_t n;
    if (db_query_int(db, SQL_ACTIVE_ITEMS, p, 1, &n, e))
        return -1;
    if (n)
        return err_set(e, ERR_CONFLICT, "",
                       "还有 %lld 个实施清单事项在用，请先废止它们",
                       (long long)n);
    cur->state = "abolished";
    int changed;
    if (store_base_update(db, cur, cur->revision, store_now_ms(), &changed,
                          e) ||
        base_snapshot(db, cur->id, "abolish", w, e))
        return -1;
    return base_result(db, w, cur->id, e);
}

struct reindex_sink {
    struct arena *a;
    struct item_row **rows;
    int n, cap;
};

static int reindex_take(void *ctx, const struct item_row *r)
{
    struct reindex_sink *s = ctx;
    if (r->current_version <= 0 || strcmp(r->state, "active") != 0)
        return 0;
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 16;
        struct item_row **g = arena_new_array(s->a, struct item_row *, cap);
        if (s->n)
            memcpy(g, s->rows, sizeof *g * (size_t)s->n);
        s->rows = g;
        s->cap = cap;
    }
    s->rows[s->n++] = cat_item_copy(s->a, r);
    return 0;
}

/* reindex_base — re-put every published item of a base item (its name,
 * aliases or keywords may have changed). */
static int reindex_base(struct db *db, int64_t base_id, struct arena *a,
                        struct err *e)
{
    static const char SQL_ITEMS_OF_BASE[] =
        "SELECT id FROM items WHERE base_id = $1 AND current_version IS NOT "
        "NULL AND state = 'active' ORDER BY id";
    struct db_param p[] = {DBP_INT(base_id)};
    struct db_res *r;
    if (db_query(db, SQL_ITEMS_OF_BASE, p, 1, &r, e))
        return -1;
    int64_t ids[512];
    int n = 0, rc;
    while ((rc = db_next(r, e)) == 1 && n < 512)
        ids[n++] = db_int(r, 0);
    db_res_free(r);
    if (rc < 0)
        return -1;
    struct reindex_sink s = {.a = a};
    if (store_item_get_many(db, ids, n, reindex_take, &s, e))
        return -1;
    for (int i = 0; i < s.n; i++) {
        struct version_row *v;
        if (cat_load_version(db, s.rows[i]->id, s.rows[i]->current_version, a,
                             &v, e) ||
            cat_index(db, s.rows[i], v->guide, a, e))
            return -1;
    }
    return 0;
}

static int item_result(struct db *db, struct cat_write *w, int64_t id,
                       struct err *e)
{
    struct item_row *it;
    struct version_row *v;
    if (cat_load_item(db, id, w->a, &it, e) ||
        cat_load_version(db, id, 0, w->a, &v, e))
        return -1;
    w->id = id;
    w->audit_region = it->region;
    w->result = item_full_json(it, v, w->a);
    return 0;
}

static int unit_item_create(struct db *db, struct cat_write *w, struct err *e)
{
    int64_t base_id = w->base_id;
    if (w->base_code) {
        if (store_base_id_by_code(db, w->base_code, &base_id, e))
            return -1;
        if (!base_id)
            return err_set(e, ERR_INVALID, "/base", "基本目录事项 %s 不存在",
                           w->base_code);
    }
    struct base_row *b;
    struct err e2 = {0};
    if (load_base(db, base_id, w->a, &b, &e2)) {
        if (e2.code != ERR_NOT_FOUND)
            return *e = e2, -1;
        return err_set(e, ERR_INVALID, w->base_code ? "/base" : "/base_id",
                       "基本目录事项不存在");
    }
    if (strcmp(b->state, "active") != 0)
        return err_set(e, ERR_INVALID, "/base", "基本目录事项已废止");
    if (b->n_children > 0)
        return err_set(e, ERR_INVALID, "/base",
                       "「%s」还有子项，只有最末一级的事项才能实施", b->name);
    /* the org: its region, credit code */
    struct org_row_copy {
        char region[13], credit[40];
        int level, found;
    } oc = {0};
    static const char SQL_ORG[] =
        "SELECT o.region, o.credit_code, r.level FROM orgs o "
        "JOIN regions r ON r.code = o.region WHERE o.id = $1";
    struct db_param p[] = {DBP_INT(w->org_id)};
    struct db_res *r;
    if (db_query(db, SQL_ORG, p, 1, &r, e))
        return -1;
    int rc = db_next(r, e);
    if (rc == 1) {
        oc.found = 1;
        snprintf(oc.region, sizeof oc.region, "%s", db_text(r, 0));
        snprintf(oc.credit, sizeof oc.credit, "%s",
                 db_text(r, 1) ? db_text(r, 1) : "");
        oc.level = (int)db_int(r, 2);
    }
    db_res_free(r);
    if (rc < 0)
        return -1;
    if (!oc.found)
        return err_set(e, ERR_INVALID, "/org_id", "实施机构不存在");
    if (!cat_can(actor_of(w), CAP_CATALOGUE_EDIT, oc.region))
        return err_set(e, ERR_FORBIDDEN, "/org_id",
                       "无权为该区划的机构编制实施清单");
    if (!oc.credit[0])
        return err_set(e, ERR_INVALID, "/org_id",
                       "实施机构没有统一社会信用代码，不能实施事项");
    json_t *lv = json_loads(b->levels, 0, NULL);
    int fits = 0;
    size_t i;
    json_t *x;
    json_array_foreach(lv, i, x) fits |= json_integer_value(x) == oc.level;
    json_decref(lv);
    if (!fits)
        return err_set(e, ERR_INVALID, "/org_id", "「%s」的实施层级不含%s级",
                       b->name,
                       oc.level == 1   ? "省"
                       : oc.level == 2 ? "市"
                       : oc.level == 3 ? "县"
                       : oc.level == 4 ? "乡镇"
                                       : "村");
    int no = w->business_no;
    if (!no && store_item_next_business_no(db, w->org_id, base_id, w->sub_path,
                                           &no, e))
        return -1;
    char code[CATALOGUE_CODE_MAX];
    if (catalogue_code_build(b->code, oc.region, oc.credit, no, w->sub_path,
                             code, e)) {
        char f[64];
        sfmt(f, sizeof f, "/%s", e->field);
        snprintf(e->field, sizeof e->field, "%s", f);
        return -1;
    }
    int64_t other, id;
    if (store_item_id_by_code(db, code, &other, e))
        return -1;
    if (other)
        return err_set(e, ERR_CONFLICT, "/business_no",
                       "该机构已实施此事项（编码 %s），请换一个业务项编号",
                       code);
    int64_t now = store_now_ms();
    struct item_row row = {.base_id = base_id,
                           .org_id = w->org_id,
                           .region = oc.region,
                           .code = code,
                           .business_no = no,
                           .sub_path = w->sub_path,
                           .created_by = w->trusted ? 0 : w->actor.user_id};
    if (store_item_insert(db, &row, now, &id, e) ||
        store_version_insert(db, id, 1, "draft", w->guide, row.created_by, now,
                             e) ||
        cat_event(db, actor_of(w), id, 1, NULL, "draft", "新建", now, e))
        return -1;
    return item_result(db, w, id, e);
}

static int unit_draft(struct db *db, struct cat_write *w, struct err *e)
{
    struct item_row *it;
    struct version_row *v;
    if (cat_load_item(db, w->target, w->a, &it, e) ||
        cat_load_version(db, it->id, 0, w->a, &v, e))
        return -1;
    if (!cat_can(actor_of(w), CAP_CATALOGUE_EDIT, it->region))
        return err_set(e, ERR_FORBIDDEN, "", "无权编制该区划的事项");
    if (w->version && w->version != v->version)
        return err_set(e, ERR_CONFLICT, "/version",
                       "只能修改最新版本（第 %d 版）的草稿", v->version);
    if (strcmp(v->state, "draft") != 0)
        return err_set(
            e, ERR_CONFLICT, "",
            "第 %d 版处于%s状态，只能修改草稿；已发布的版本不可修改，"
            "请新建版本",
            v->version, state_title(v->state));
    int changed;
    if (store_version_set_guide(db, it->id, v->version, w->guide,
                                store_now_ms(), &changed, e))
        return -1;
    if (!changed)
        return err_set(e, ERR_CONFLICT, "", "草稿状态已变化，请刷新后重试");
    return item_result(db, w, it->id, e);
}

static int unit_transition(struct db *db, struct cat_write *w, struct err *e)
{
    struct item_row *it;
    struct version_row *v;
    if (cat_load_item(db, w->target, w->a, &it, e) ||
        cat_load_version(db, it->id, 0, w->a, &v, e))
        return -1;
    static const struct {
        enum cat_action a;
        enum cap cap;
        const char *from, *from2, *to, *verb;
    } k[] = {
        {CAT_SUBMIT, CAP_CATALOGUE_EDIT, "draft", NULL, "legal_review",
         "提交审查"},
        {CAT_APPROVE, CAP_CATALOGUE_REVIEW, "legal_review", NULL,
         "public_comment", "审查通过"},
        {CAT_REJECT, CAP_CATALOGUE_REVIEW, "legal_review", "public_comment",
         "draft", "退回"},
        {CAT_PUBLISH, CAP_CATALOGUE_REVIEW, "public_comment", NULL, "published",
         "发布"},
        {CAT_NEW_VERSION, CAP_CATALOGUE_EDIT, "published", NULL, "draft",
         "新建版本"},
        {CAT_ABOLISH, CAP_CATALOGUE_REVIEW, "published", NULL, "abolished",
         "废止"},
    };
    int t = (int)w->action - 1;
    if (!cat_can(actor_of(w), k[t].cap, it->region))
        return err_set(e, ERR_FORBIDDEN, "", "无权对该区划的事项执行「%s」",
                       k[t].verb);
    if (strcmp(it->state, "active") != 0)
        return err_set(e, ERR_CONFLICT, "", "该事项已废止");
    /* Abolish acts on the published version even when a newer draft is in
     * progress; everything else on the latest version. */
    if (w->action == CAT_ABOLISH && it->current_version > 0 &&
        it->current_version != v->version &&
        cat_load_version(db, it->id, it->current_version, w->a, &v, e))
        return -1;
    if (strcmp(v->state, k[t].from) != 0 &&
        (!k[t].from2 || strcmp(v->state, k[t].from2) != 0))
        return err_set(e, ERR_CONFLICT, "", "第 %d 版处于%s状态，不能%s",
                       v->version, state_title(v->state), k[t].verb);
    int64_t now = store_now_ms();
    int changed;
    switch (w->action) {
    case CAT_PUBLISH: {
        int rc = cat_publish(db, actor_of(w), it, v->version, v->state,
                             v->guide, w->reason, 0, w->a, &w->lint, NULL, e);
        if (rc && w->lint) { /* refused: nothing was written */
            w->refused = 1;
            w->refusal = *e;
            err_clear(e);
            return 0;
        }
        if (rc)
            return -1;
        break;
    }
    case CAT_NEW_VERSION:
        if (store_version_insert(db, it->id, v->version + 1, "draft", v->guide,
                                 w->trusted ? 0 : w->actor.user_id, now, e) ||
            cat_event(db, actor_of(w), it->id, v->version + 1, NULL, "draft",
                      w->reason ? w->reason : "由已发布版本复制", now, e))
            return -1;
        break;
    case CAT_ABOLISH:
        if (store_version_set_state(db, it->id, v->version, v->state,
                                    "abolished", now, &changed, e) ||
            cat_event(db, actor_of(w), it->id, v->version, v->state,
                      "abolished", w->reason, now, e) ||
            store_item_set_published(db, it->id, it->current_version, it->modes,
                                     it->visits, "abolished", now, e) ||
            store_search_remove(db, it->id, e))
            return -1;
        break;
    default:
        if (store_version_set_state(db, it->id, v->version, v->state, k[t].to,
                                    now, &changed, e))
            return -1;
        if (!changed)
            return err_set(e, ERR_CONFLICT, "", "版本状态已变化，请刷新后重试");
        if (cat_event(db, actor_of(w), it->id, v->version, v->state, k[t].to,
                      w->reason, now, e))
            return -1;
    }
    return item_result(db, w, it->id, e);
}

static int unit_comment(struct db *db, struct cat_write *w, struct err *e)
{
    struct item_row *it;
    struct version_row *v;
    if (cat_load_item(db, w->target, w->a, &it, e) ||
        cat_load_version(db, it->id, 0, w->a, &v, e))
        return -1;
    if (strcmp(v->state, "public_comment") != 0)
        return err_set(e, ERR_CONFLICT, "", "该事项现在不在征求意见期");
    struct comment_row c = {.item_id = it->id,
                            .version = v->version,
                            .author_id = w->actor.user_id,
                            .author_name = w->name,
                            .body = w->text,
                            .created_at = store_now_ms()};
    if (store_comment_add(db, &c, &w->id, e))
        return -1;
    c.id = w->id;
    w->audit_region = it->region;
    w->result = comment_json(&c);
    return 0;
}

static int take_comment(void *ctx, const struct comment_row *c)
{
    struct one_sink *s = ctx;
    struct comment_row *k = arena_new_obj(s->a, struct comment_row);
    *k = *c;
    k->author_name = dup(s->a, c->author_name);
    k->body = dup(s->a, c->body);
    k->reply = dup(s->a, c->reply);
    s->row = k;
    return 1;
}

static int unit_reply(struct db *db, struct cat_write *w, struct err *e)
{
    struct one_sink s = {w->a, NULL};
    if (store_comment_get(db, w->target, take_comment, &s, e))
        return -1;
    struct comment_row *c = s.row;
    struct item_row *it;
    if (cat_load_item(db, c->item_id, w->a, &it, e))
        return -1;
    if (!cat_can(actor_of(w), CAP_CATALOGUE_EDIT, it->region))
        return err_set(e, ERR_FORBIDDEN, "", "无权答复该区划事项的意见");
    int64_t now = store_now_ms();
    if (store_comment_reply(db, c->id, w->text,
                            w->trusted ? 0 : w->actor.user_id, now, e))
        return -1;
    c->reply = w->text;
    c->replied_at = now;
    w->id = c->id;
    w->audit_region = it->region;
    w->result = comment_json(c);
    return 0;
}

/* audit — the audit row of a successful write, in its unit (app/audit.h):
 * action catalogue.<what>, the target, the region it touched. */
static int audit(struct db *db, struct cat_write *w, struct err *e)
{
    static const char *const k_actions[] = {
        [OP_BASE_CREATE] = "catalogue.base.create",
        [OP_BASE_UPDATE] = "catalogue.base.update",
        [OP_BASE_ABOLISH] = "catalogue.base.abolish",
        [OP_ITEM_CREATE] = "catalogue.item.create",
        [OP_DRAFT] = "catalogue.item.draft",
        [OP_TRANSITION] = NULL,
        [OP_COMMENT] = "catalogue.comment.create",
        [OP_REPLY] = "catalogue.comment.reply",
    };
    static const char *const k_transitions[] = {
        [CAT_SUBMIT] = "catalogue.item.submit",
        [CAT_APPROVE] = "catalogue.item.approve",
        [CAT_REJECT] = "catalogue.item.reject",
        [CAT_PUBLISH] = "catalogue.item.publish",
        [CAT_NEW_VERSION] = "catalogue.item.new_version",
        [CAT_ABOLISH] = "catalogue.item.abolish",
    };
    char target[24];
    sfmt(target, sizeof target, "%lld", (long long)w->id);
    json_t *detail = json_object();
    const char *code = json_string_value(json_object_get(w->result, "code"));
    if (code)
        json_object_set_new(detail, "code", json_string(code));
    if (w->reason)
        json_object_set_new(detail, "reason", json_string(w->reason));
    struct audit_entry en = {0};
    audit_entry_actor(&en, w->trusted ? NULL : &w->actor);
    en.action =
        w->op == OP_TRANSITION ? k_transitions[w->action] : k_actions[w->op];
    en.target_kind = w->op <= OP_BASE_ABOLISH ? "base_item"
                     : w->op >= OP_COMMENT    ? "comment"
                                              : "item";
    en.target_id = target;
    en.region = w->audit_region;
    en.region_of_actor = w->audit_region == NULL;
    en.outcome = "ok";
    en.detail = detail;
    int rc = app_audit_unit_record(db, &en, e);
    json_decref(detail);
    return rc;
}

int app_cat_write_unit(struct db *db, void *arg, struct err *e)
{
    struct cat_write *w = arg;
    json_decref(w->result);
    json_decref(w->lint);
    w->result = NULL;
    w->lint = NULL;
    w->refused = 0;
    w->id = 0;
    w->audit_region = NULL;
    int rc;
    switch (w->op) {
    case OP_BASE_CREATE:
        rc = unit_base_create(db, w, e);
        break;
    case OP_BASE_UPDATE:
        rc = unit_base_update(db, w, e);
        break;
    case OP_BASE_ABOLISH:
        rc = unit_base_abolish(db, w, e);
        break;
    case OP_ITEM_CREATE:
        rc = unit_item_create(db, w, e);
        break;
    case OP_DRAFT:
        rc = unit_draft(db, w, e);
        break;
    case OP_TRANSITION:
        rc = unit_transition(db, w, e);
        break;
    case OP_COMMENT:
        rc = unit_comment(db, w, e);
        break;
    case OP_REPLY:
        rc = unit_reply(db, w, e);
        break;
    default:
        rc = err_set(e, ERR_INTERNAL, NULL, "内部错误");
    }
    if (rc == 0 && !w->refused)
        rc = audit(db, w, e);
    if (rc) {
        json_decref(w->result);
        w->result = NULL;
    }
    return rc;
}

int app_cat_write_run(struct app *app, struct cat_write *w, struct err *e)
{
    if (store_write(app->store, app_cat_write_unit, w, e))
        return -1;
    if (w->refused) {
        *e = w->refusal;
        return -1;
    }
    return 0;
}

int app_cat_write_refused(const struct cat_write *w, struct err *e)
{
    if (w->refused && e)
        *e = w->refusal;
    return w->refused;
}

json_t *app_cat_write_lint(const struct cat_write *w)
{
    return w->lint ? json_incref(w->lint) : NULL;
}

json_t *app_cat_write_take(struct cat_write *w)
{
    json_t *r = w->result;
    w->result = NULL;
    return r;
}

int64_t app_cat_write_id(const struct cat_write *w)
{
    return w->id;
}

void app_cat_write_free(void *p)
{
    struct cat_write *w = p;
    if (!w)
        return;
    json_decref(w->result);
    json_decref(w->lint);
    w->result = NULL;
    w->lint = NULL;
}
