/* app_catalogue_io.c — the whole catalogue in and out: import of the JSON
 * model, of bianmin CSV and of the two real extracts (四川政务服务网
 * implementation list as CSV, 辽宁政务服务网 catalogue as JSON), export as
 * JSON or CSV, the lint audit of every current version, and the demo
 * catalogue. Every input is turned into the JSON model first and checked
 * whole before the one write unit runs (all or nothing). Contract in
 * app_catalogue.h; formats in docs/catalogue.md "Import and export". */
#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/ids.h"
#include "../core/utf8.h"
#include "../store/orgs.h"
#include "../store/search.h"
#include "app_catalogue.h"
#include "audit.h"
#include "cat_internal.h"
#include "internal.h"

#define IMPORT_MAX_BYTES (64u << 20)
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

/* ---- the CSV form ----------------------------------------------------------
 */

/* One header for every record type; a record uses the columns it needs. */
static const char *const k_csv_cols[] = {"record",
                                         "code",
                                         "base",
                                         "name",
                                         "type",
                                         "themes",
                                         "audience",
                                         "supply",
                                         "levels",
                                         "parent",
                                         "region",
                                         "aliases",
                                         "keywords",
                                         "legal_basis",
                                         "org_credit_code",
                                         "business_no",
                                         "sub_path",
                                         "state",
                                         "accepting_unit",
                                         "conditions",
                                         "legal_limit_days",
                                         "committed_limit_days",
                                         "kind",
                                         "modes",
                                         "visits",
                                         "fee_charged",
                                         "fee_basis",
                                         "fee_standard",
                                         "consult",
                                         "complaint",
                                         "address",
                                         "hours",
                                         "result_name",
                                         "result_sample",
                                         "result_e_licence",
                                         "outside_where",
                                         "outside_phone",
                                         "limit_days",
                                         "role",
                                         "review_points",
                                         "parallel",
                                         "need",
                                         "condition",
                                         "source",
                                         "dataset",
                                         "fields",
                                         "proof",
                                         "form",
                                         "copies",
                                         "blank_form",
                                         "sample",
                                         "common_errors",
                                         NULL};
enum { N_CSV_COLS = 52 };

struct table {
    char ***rows; /* rows[i][c], strings malloc'd */
    int *ncols;
    int n, cap;
    /* parser state */
    char **cur;
    int ncur, capcur;
    int failed;
};

static void tb_field(void *s, size_t len, void *data)
{
    struct table *t = data;
    if (t->ncur == t->capcur) {
        int cap = t->capcur ? t->capcur * 2 : 16;
        char **g = realloc(t->cur, sizeof *g * (size_t)cap);
        if (!g) {
            t->failed = 1;
            return;
        }
        t->cur = g;
        t->capcur = cap;
    }
    char *v = malloc(len + 1);
    if (!v) {
        t->failed = 1;
        return;
    }
    memcpy(v, s ? s : "", len);
    v[len] = '\0';
    t->cur[t->ncur++] = v;
}

static void tb_record(int c, void *data)
{
    struct table *t = data;
    (void)c;
    if (t->n == t->cap) {
        int cap = t->cap ? t->cap * 2 : 64;
        char ***g = realloc(t->rows, sizeof *g * (size_t)cap);
        int *nc = realloc(t->ncols, sizeof *nc * (size_t)cap);
        if (g)
            t->rows = g;
        if (nc)
            t->ncols = nc;
        if (!g || !nc) {
            t->failed = 1;
            return;
        }
        t->cap = cap;
    }
    t->rows[t->n] = t->cur;
    t->ncols[t->n] = t->ncur;
    t->n++;
    t->cur = NULL;
    t->ncur = t->capcur = 0;
}

static void tb_free(struct table *t)
{
    for (int i = 0; i < t->n; i++) {
        for (int c = 0; c < t->ncols[i]; c++)
            free(t->rows[i][c]);
        free(t->rows[i]);
    }
    for (int c = 0; c < t->ncur; c++)
        free(t->cur[c]);
    free(t->cur);
    free(t->rows);
    free(t->ncols);
}

static int tb_parse(const char *name, const char *data, size_t n,
                    struct table *t, struct err *e)
{
    struct csv_parser cp;
    memset(t, 0, sizeof *t);
    csv_init(&cp, CSV_STRICT | CSV_APPEND_NULL | CSV_STRICT_FINI |
                      CSV_EMPTY_IS_NULL);
    /* Skip a UTF-8 byte order mark. */
    if (n >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
        data += 3;
        n -= 3;
    }
    size_t done = csv_parse(&cp, data, n, tb_field, tb_record, t);
    int bad = done != n || csv_fini(&cp, tb_field, tb_record, t) != 0;
    int code = csv_error(&cp);
    csv_free(&cp);
    if (bad || t->failed) {
        err_set(e, ERR_INVALID, name, "%s 第 %d 行：CSV 格式错误：%s", name,
                t->n + 1, t->failed ? "内存不足" : csv_strerror(code));
        tb_free(t);
        return -1;
    }
    if (t->n == 0) {
        tb_free(t);
        return err_set(e, ERR_INVALID, name, "%s 是空文件", name);
    }
    return 0;
}

/* col — the index of header column `name`, or -1. */
static int col(const struct table *t, const char *name)
{
    for (int c = 0; c < t->ncols[0]; c++)
        if (t->rows[0][c] && strcmp(t->rows[0][c], name) == 0)
            return c;
    return -1;
}

static const char *cell(const struct table *t, int row, int c)
{
    if (c < 0 || c >= t->ncols[row] || !t->rows[row][c])
        return "";
    return t->rows[row][c];
}

/* ---- small JSON builders
 * ------------------------------------------------------ */

/* split_list — "a|b|c" into an array of trimmed non-empty strings. */
static json_t *split_list(const char *s)
{
    json_t *a = json_array();
    const char *p = s;
    while (p && *p) {
        const char *q = strchr(p, '|');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        while (n && (*p == ' ' || *p == '\t')) {
            p++;
            n--;
        }
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n)
            json_array_append_new(a, json_stringn(p, n));
        p = q ? q + 1 : NULL;
    }
    return a;
}

static json_t *join_list(const json_t *a)
{
    size_t cap = 64, n = 0, i;
    char *buf = malloc(cap);
    json_t *x;
    buf[0] = '\0';
    json_array_foreach(a, i, x)
    {
        const char *s = json_is_string(x) ? json_string_value(x) : "";
        char num[32];
        if (json_is_integer(x)) {
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(x));
            s = num;
        }
        size_t l = strlen(s);
        if (n + l + 2 > cap) {
            cap = (n + l + 2) * 2;
            buf = realloc(buf, cap);
        }
        n += (size_t)sprintf(buf + n, "%s%s", i ? "|" : "", s);
    }
    json_t *out = json_string(buf);
    free(buf);
    return out;
}

/* num — a non-negative integer cell as JSON (null for ""), or -1 bad. */
static int num(const char *s, json_t **out)
{
    *out = NULL;
    if (!*s)
        return 0;
    size_t n = strlen(s);
    if (n > 6 || strspn(s, "0123456789") != n)
        return -1;
    *out = json_integer(atoi(s));
    return 0;
}

static int boolean(const char *s, json_t **out)
{
    *out = NULL;
    if (!*s)
        return 0;
    if (!strcmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "是"))
        *out = json_true();
    else if (!strcmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "否"))
        *out = json_false();
    else
        return -1;
    return 0;
}

static void set_text(json_t *o, const char *key, const char *s)
{
    if (s && *s)
        json_object_set_new(o, key, json_string(s));
}

/* The import's working form: the model plus a label per entry. */
struct model {
    json_t *bases, *items; /* arrays of objects */
    json_t *labels_b, *labels_i;
    const char *format;
    int lenient_basis;
};

static void model_init(struct model *m, const char *format)
{
    m->bases = json_array();
    m->items = json_array();
    m->labels_b = json_array();
    m->labels_i = json_array();
    m->format = format;
    m->lenient_basis = 1;
}

static void model_free(struct model *m)
{
    json_decref(m->bases);
    json_decref(m->items);
    json_decref(m->labels_b);
    json_decref(m->labels_i);
}

static const char *label_of(const json_t *labels, size_t i)
{
    const char *s = json_string_value(json_array_get(labels, i));
    return s ? s : "?";
}

/* row_fail — an error naming the row: field = the label, message begins
 * with it; the inner field (a JSON pointer) is added when given. */
static int row_fail(struct err *e, const char *label, const struct err *inner)
{
    char msg[256];
    if (inner->field[0] && inner->field[0] == '/')
        sfmt(msg, sizeof msg, "%s（%s）", inner->msg, inner->field);
    else
        snprintf(msg, sizeof msg, "%s", inner->msg);
    enum err_code code = inner->code == ERR_OK ? ERR_INVALID : inner->code;
    char log[512];
    snprintf(log, sizeof log, "%s", inner->log);
    err_set(e, code, label, "%s：%s", label, msg);
    if (log[0])
        err_log(e, "%s", log);
    return -1;
}

/* ---- bianmin CSV → model
 * -------------------------------------------------------- */

static int csv_to_model(const char *name, const struct table *t,
                        struct model *m, struct err *e)
{
    int c[N_CSV_COLS];
    for (int i = 0; i < N_CSV_COLS; i++)
        c[i] = col(t, k_csv_cols[i]);
    json_t *by_code = json_object(); /* item code → item object */
    for (int r = 1; r < t->n; r++) {
        char label[64];
        snprintf(label, sizeof label, "%.40s:%d", name, r + 1);
        struct err in = {0};
        const char *rec = cell(t, r, c[0]);
        if (!strcmp(rec, "base")) {
            json_t *o = json_object();
            set_text(o, "code", cell(t, r, c[1]));
            set_text(o, "name", cell(t, r, c[3]));
            set_text(o, "type", cell(t, r, c[4]));
            json_object_set_new(o, "themes", split_list(cell(t, r, c[5])));
            json_object_set_new(o, "audience", split_list(cell(t, r, c[6])));
            set_text(o, "supply", cell(t, r, c[7]));
            json_t *lv = split_list(cell(t, r, c[8]));
            json_t *levels = json_array();
            size_t i;
            json_t *x;
            json_array_foreach(lv, i, x)
            {
                json_t *nv;
                if (num(json_string_value(x), &nv) || !nv) {
                    json_decref(lv);
                    json_decref(levels);
                    json_decref(o);
                    json_decref(by_code);
                    err_set(&in, ERR_INVALID, "/levels",
                            "实施层级应为 | 分隔的数字");
                    return row_fail(e, label, &in);
                }
                json_array_append_new(levels, nv);
            }
            json_decref(lv);
            json_object_set_new(o, "levels", levels);
            set_text(o, "parent", cell(t, r, c[9]));
            set_text(o, "region", cell(t, r, c[10]));
            json_object_set_new(o, "aliases", split_list(cell(t, r, c[11])));
            json_object_set_new(o, "keywords", split_list(cell(t, r, c[12])));
            const char *lb = cell(t, r, c[13]);
            json_t *basis = *lb ? json_loads(lb, 0, NULL) : json_array();
            if (!basis) {
                json_decref(o);
                json_decref(by_code);
                err_set(&in, ERR_INVALID, "/legal_basis",
                        "legal_basis 列应为 JSON 数组");
                return row_fail(e, label, &in);
            }
            json_object_set_new(o, "legal_basis", basis);
            json_array_append_new(m->bases, o);
            json_array_append_new(m->labels_b, json_string(label));
        } else if (!strcmp(rec, "item")) {
            json_t *o = json_object(), *g = json_object();
            const char *code = cell(t, r, c[1]);
            set_text(o, "code", code);
            set_text(o, "base", cell(t, r, c[2]));
            set_text(o, "org_credit_code", cell(t, r, c[14]));
            json_t *v;
            if (num(cell(t, r, c[15]), &v)) {
                json_decref(o);
                json_decref(g);
                json_decref(by_code);
                err_set(&in, ERR_INVALID, "/business_no", "业务项编号应为数字");
                return row_fail(e, label, &in);
            }
            if (v)
                json_object_set_new(o, "business_no", v);
            set_text(o, "sub_path", cell(t, r, c[16]));
            set_text(o, "state", cell(t, r, c[17]));
            set_text(g, "accepting_unit", cell(t, r, c[18]));
            if (*cell(t, r, c[19]))
                json_object_set_new(g, "conditions",
                                    split_list(cell(t, r, c[19])));
            static const struct {
                int col;
                const char *key;
            } k_nums[] = {{20, "legal_limit_days"},
                          {21, "committed_limit_days"},
                          {24, "visits"}};
            for (size_t k = 0; k < sizeof k_nums / sizeof *k_nums; k++) {
                if (num(cell(t, r, c[k_nums[k].col]), &v)) {
                    json_decref(o);
                    json_decref(g);
                    json_decref(by_code);
                    char f[40];
                    snprintf(f, sizeof f, "/%s", k_nums[k].key);
                    err_set(&in, ERR_INVALID, f, "应为非负整数");
                    return row_fail(e, label, &in);
                }
                if (v)
                    json_object_set_new(g, k_nums[k].key, v);
            }
            set_text(g, "kind", cell(t, r, c[22]));
            if (*cell(t, r, c[23]))
                json_object_set_new(g, "modes", split_list(cell(t, r, c[23])));
            json_t *charged;
            if (boolean(cell(t, r, c[25]), &charged)) {
                json_decref(o);
                json_decref(g);
                json_decref(by_code);
                err_set(&in, ERR_INVALID, "/fee/charged",
                        "fee_charged 应为 true 或 false");
                return row_fail(e, label, &in);
            }
            if (charged) {
                json_t *fee = json_object();
                json_object_set_new(fee, "charged", charged);
                set_text(fee, "basis", cell(t, r, c[26]));
                set_text(fee, "standard", cell(t, r, c[27]));
                json_object_set_new(g, "fee", fee);
            }
            if (*cell(t, r, c[28]))
                json_object_set_new(g, "consult",
                                    split_list(cell(t, r, c[28])));
            if (*cell(t, r, c[29]))
                json_object_set_new(g, "complaint",
                                    split_list(cell(t, r, c[29])));
            set_text(g, "address", cell(t, r, c[30]));
            set_text(g, "hours", cell(t, r, c[31]));
            if (*cell(t, r, c[32]) || *cell(t, r, c[33]) ||
                *cell(t, r, c[34])) {
                json_t *res = json_object(), *el;
                set_text(res, "name", cell(t, r, c[32]));
                set_text(res, "sample", cell(t, r, c[33]));
                if (boolean(cell(t, r, c[34]), &el) == 0 && el)
                    json_object_set_new(res, "e_licence", el);
                json_object_set_new(g, "result", res);
            }
            if (*cell(t, r, c[35]) || *cell(t, r, c[36])) {
                json_t *oc = json_object();
                set_text(oc, "where", cell(t, r, c[35]));
                set_text(oc, "phone", cell(t, r, c[36]));
                json_object_set_new(g, "outside_centre", oc);
            }
            json_object_set_new(o, "guide", g);
            json_array_append_new(m->items, o);
            json_array_append_new(m->labels_i, json_string(label));
            if (*code)
                json_object_set(by_code, code, o);
        } else if (!strcmp(rec, "step") || !strcmp(rec, "material")) {
            json_t *item = json_object_get(by_code, cell(t, r, c[1]));
            if (!item) {
                json_decref(by_code);
                err_set(&in, ERR_INVALID, "/code",
                        "code 应为此前某个 item 行的事项编码");
                return row_fail(e, label, &in);
            }
            json_t *g = json_object_get(item, "guide");
            int is_step = !strcmp(rec, "step");
            const char *listkey = is_step ? "steps" : "materials";
            json_t *list = json_object_get(g, listkey);
            if (!list) {
                list = json_array();
                json_object_set_new(g, listkey, list);
            }
            json_t *x = json_object(), *v;
            set_text(x, "name", cell(t, r, c[3]));
            if (is_step) {
                if (num(cell(t, r, c[37]), &v)) {
                    json_decref(x);
                    json_decref(by_code);
                    err_set(&in, ERR_INVALID, "/limit_days",
                            "limit_days 应为非负整数");
                    return row_fail(e, label, &in);
                }
                if (v)
                    json_object_set_new(x, "limit_days", v);
                set_text(x, "role", cell(t, r, c[38]));
                set_text(x, "review_points", cell(t, r, c[39]));
                if (boolean(cell(t, r, c[40]), &v) == 0 && v)
                    json_object_set_new(x, "parallel", v);
            } else {
                if (strchr(cell(t, r, c[45]), '|'))
                    json_object_set_new(x, "fields",
                                        split_list(cell(t, r, c[45])));
                else
                    set_text(x, "fields", cell(t, r, c[45]));
                static const struct {
                    int col;
                    const char *key;
                } k_m[] = {{41, "need"},         {42, "condition"},
                           {43, "source"},       {44, "dataset"},
                           {46, "proof"},        {47, "form"},
                           {49, "blank_form"},   {50, "sample"},
                           {51, "common_errors"}};
                for (size_t k = 0; k < sizeof k_m / sizeof *k_m; k++)
                    set_text(x, k_m[k].key, cell(t, r, c[k_m[k].col]));
                if (num(cell(t, r, c[48]), &v) == 0 && v)
                    json_object_set_new(x, "copies", v);
            }
            json_array_append_new(list, x);
        } else if (*rec) {
            json_decref(by_code);
            err_set(&in, ERR_INVALID, "/record",
                    "record 应为 base、item、step 或 material");
            return row_fail(e, label, &in);
        }
    }
    json_decref(by_code);
    return 0;
}

/* ---- extracts: themes and audience from the words of a name
 * ------------------------ */

static const struct {
    const char *theme;
    const char *words; /* '|'-separated */
} k_theme_words[] = {
    {"poverty", "扶贫|建档立卡|脱贫"},
    {"veterans", "退役|军人|优抚|烈士|义务兵|军队"},
    {"disability", "残疾|残联|助残"},
    {"elderly", "养老|老年|高龄"},
    {"education", "学生|学校|教育|教师|入学|招生|学籍|助学|保教|幼儿|学前"},
    {"employment", "就业|劳动|职业|人才|失业"},
    {"social_security", "社会保险|社保|救助|低保|最低生活|特困|临时救助"},
    {"health",
     "医疗|医师|卫生|药品|药物|麻醉|疫苗|母婴|护士|诊所|医院|传染病|供水"},
    {"housing", "住房|公租房|廉租"},
    {"culture_sports",
     "体育|运动|文化|文物|出版|广播|电视|娱乐|音像|档案|科普|科技"},
    {"civil_affairs", "婚姻|结婚|离婚|民政|殡葬|社会组织|慈善|地名|福利|彩票"},
    {"household", "户口|户籍|身份证|居住证|出入境"},
    {"birth", "生育|收养|计划生育|独生子女"},
    {"business",
     "企业|经营|公司|商业|市场|广告|批发|特种设备|保安|充装|集成|检验|检测"},
    {"agriculture", "农业|农村|林业|渔业|畜牧|兽医|种子|远洋"},
    {"natural_resources", "土地|矿|宅基地|测绘|采矿|地质"},
    {"transport", "交通|车辆|驾驶|港口|道路|船舶"},
    {"legal", "司法|公证|法律援助|律师|调解|纠纷|专利|仲裁"},
    {"tax", "税"},
};

static int has_word(const char *text, const char *words)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", words);
    char *save = NULL;
    for (char *w = strtok_r(buf, "|", &save); w; w = strtok_r(NULL, "|", &save))
        if (strstr(text, w))
            return 1;
    return 0;
}

static json_t *guess_themes(const char *name, const char *dept)
{
    json_t *a = json_array();
    for (size_t i = 0; i < sizeof k_theme_words / sizeof *k_theme_words &&
                       json_array_size(a) < 2;
         i++)
        if (has_word(name, k_theme_words[i].words))
            json_array_append_new(a, json_string(k_theme_words[i].theme));
    for (size_t i = 0; dept && json_array_size(a) == 0 &&
                       i < sizeof k_theme_words / sizeof *k_theme_words;
         i++)
        if (has_word(dept, k_theme_words[i].words))
            json_array_append_new(a, json_string(k_theme_words[i].theme));
    if (json_array_size(a) == 0)
        json_array_append_new(a, json_string("other"));
    return a;
}

static json_t *guess_audience(const char *name, const char *type)
{
    int legal =
        has_word(name, "企业|单位|机构|公司|经营|医疗机构|学校|社会组织|"
                       "纳税人|生产|批发|集成|充装|检验");
    int natural = has_word(name, "个人|居民|学生|儿童|少年|老年|残疾|婚姻|户口|"
                                 "身份证|军人|优抚|教师|运动员|公民|家庭|子女|"
                                 "义务兵|低保|救助|补贴|补助|资助|所得税");
    if (type && !strcmp(type, "penalty") && !natural)
        legal = 1;
    json_t *a = json_array();
    if (natural || !legal)
        json_array_append_new(a, json_string("natural"));
    if (legal)
        json_array_append_new(a, json_string("legal"));
    return a;
}

/* ---- 四川政务服务网 implementation extract (CSV) → model
 * ----------------------------- */

static const char *type_of_task(const char *t)
{
    static const struct {
        const char *code, *type;
    } k[] = {
        {"1", "licensing"},    {"2", "penalty"},        {"3", "enforcement"},
        {"4", "levy"},         {"5", "benefit"},        {"6", "inspection"},
        {"7", "confirmation"}, {"8", "reward"},         {"9", "ruling"},
        {"10", "other_power"}, {"20", "public_service"}};
    for (size_t i = 0; i < sizeof k / sizeof *k; i++)
        if (!strcmp(k[i].code, t))
            return k[i].type;
    return NULL;
}

static int sczwfw_to_model(const char *name, const struct table *t,
                           struct model *m, struct err *e)
{
    int c_dept = col(t, "department"), c_name = col(t, "name"),
        c_code = col(t, "item_code"), c_task = col(t, "task_type"),
        c_area = col(t, "area_code");
    /* First pass: each department's credit code — the valid GB 32100 code
     * its items' codes name most often (extracts also carry 9-digit
     * organisation codes and mistyped ones). */
    json_t *credits = json_object(); /* dept → {code: count} */
    for (int r = 1; r < t->n; r++) {
        struct catalogue_code cc;
        if (catalogue_code_parse(cell(t, r, c_code), &cc, NULL))
            continue;
        char up[40];
        snprintf(up, sizeof up, "%s", cc.credit);
        for (char *p = up; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
        if (ids_uscc_parse(up, NULL, NULL, NULL))
            continue;
        json_t *d = json_object_get(credits, cell(t, r, c_dept));
        if (!d) {
            d = json_object();
            json_object_set_new(credits, cell(t, r, c_dept), d);
        }
        json_int_t k = json_integer_value(json_object_get(d, up));
        json_object_set_new(d, up, json_integer(k + 1));
    }
    json_t *seen_base = json_object();
    int serial = 0;
    for (int r = 1; r < t->n; r++) {
        char label[64];
        snprintf(label, sizeof label, "%.40s:%d", name, r + 1);
        struct err in = {0};
        const char *dept = cell(t, r, c_dept), *nm = cell(t, r, c_name),
                   *code = cell(t, r, c_code), *area = cell(t, r, c_area);
        const char *type = type_of_task(cell(t, r, c_task));
        if (!*nm || !*code || !*dept) {
            err_set(&in, ERR_INVALID, "", "缺少 department、name 或 item_code");
            goto fail;
        }
        if (!type) {
            err_set(&in, ERR_INVALID, "/task_type", "未知的 task_type：%.20s",
                    cell(t, r, c_task));
            goto fail;
        }
        struct catalogue_code cc;
        char base[CATALOGUE_BASE_MAX] = "", region[13] = "";
        if (catalogue_code_parse(code, &cc, NULL) == 0 &&
            catalogue_base_code_ok(cc.base)) {
            snprintf(base, sizeof base, "%s", cc.base);
            snprintf(region, sizeof region, "%s", cc.region);
        } else {
            /* No region anchor (H-000185-001-4444444444): the code
             * without its last segment, if that is a base code. */
            const char *last = strrchr(code, '-');
            if (last && (size_t)(last - code) < sizeof base)
                snprintf(base, sizeof base, "%.*s", (int)(last - code), code);
            if (!catalogue_base_code_ok(base))
                snprintf(base, sizeof base, "BM%.6s-%04d", area, ++serial);
        }
        if (!region[0])
            snprintf(region, sizeof region, "%s", area);
        int level = ids_division_level(region);
        if (!level) {
            err_set(&in, ERR_INVALID, "/area_code", "区划代码无效：%.20s",
                    region);
            goto fail;
        }
        /* the department's credit code */
        const char *credit = NULL;
        json_int_t best = 0;
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(credits, dept), k, v)
        {
            if (json_integer_value(v) > best) {
                best = json_integer_value(v);
                credit = k;
            }
        }
        if (!credit) {
            err_set(&in, ERR_INVALID, "/item_code",
                    "部门「%.40s」的事项编码中没有有效的统一社会信用代码",
                    dept);
            goto fail;
        }
        if (!json_object_get(seen_base, base)) {
            json_t *b = json_object();
            json_object_set_new(b, "code", json_string(base));
            json_object_set_new(b, "name", json_string(nm));
            json_object_set_new(b, "type", json_string(type));
            json_object_set_new(b, "themes", guess_themes(nm, dept));
            json_object_set_new(b, "audience", guess_audience(nm, type));
            json_object_set_new(b, "supply", json_string("must"));
            json_object_set_new(b, "legal_basis", json_array());
            json_object_set_new(b, "levels", json_pack("[i]", level));
            json_array_append_new(m->bases, b);
            json_array_append_new(m->labels_b, json_string(label));
            json_object_set_new(seen_base, base, json_true());
        }
        json_t *it = json_object();
        json_object_set_new(it, "base", json_string(base));
        json_object_set_new(it, "code", json_string(code));
        json_object_set_new(it, "org_credit_code", json_string(credit));
        json_object_set_new(it, "org_name", json_string(dept));
        json_object_set_new(it, "region", json_string(region));
        json_object_set_new(it, "guide", json_object());
        json_array_append_new(m->items, it);
        json_array_append_new(m->labels_i, json_string(label));
        continue;
    fail:
        json_decref(credits);
        json_decref(seen_base);
        return row_fail(e, label, &in);
    }
    json_decref(credits);
    json_decref(seen_base);
    return 0;
}

/* ---- 辽宁政务服务网 catalogue (JSON array) → model
 * ------------------------------------ */

/* clean_basis — the published 依据 text without its dirt: \r\n made \n,
 * a stray quote pair or a leading ';'/'；' removed, blank ends trimmed. In
 * a (the result is malloc'd: caller frees). */
static char *clean_basis(const char *s)
{
    size_t n = strlen(s), k = 0;
    char *out = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        if (!(s[i] == '\r' && s[i + 1] == '\n'))
            out[k++] = s[i] == '\r' ? '\n' : s[i];
    out[k] = '\0';
    for (;;) {
        size_t len = strlen(out);
        char *p = out;
        while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '"' || *p == ';')
            p++;
        if (!strncmp(p, "；", 3)) {
            p += 3;
            memmove(out, p, strlen(p) + 1);
            continue;
        }
        memmove(out, p, strlen(p) + 1);
        len = strlen(out);
        while (len && (out[len - 1] == ' ' || out[len - 1] == '\n' ||
                       out[len - 1] == '\t' || out[len - 1] == '"'))
            out[--len] = '\0';
        break;
    }
    return out;
}

/* utf8_cut — s cut to at most max characters (in place). */
static void utf8_cut(char *s, size_t max)
{
    size_t chars = 0, i = 0;
    while (s[i]) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (chars == max) {
                s[i] = '\0';
                return;
            }
            chars++;
        }
        i++;
    }
}

/* basis_entry — one provision: law = the first 《…》 title (else the text
 * after 【…】 up to （ or 第), article = the first 第…条. */
static json_t *basis_entry(const char *text)
{
    char law[800] = "", article[200] = "";
    const char *open = strstr(text, "《"),
               *close = open ? strstr(open, "》") : NULL;
    if (open && close && close - open - 3 > 0 && close - open < 700) {
        snprintf(law, sizeof law, "%.*s", (int)(close - open - 3), open + 3);
    } else {
        const char *p = text;
        const char *rb = strstr(p, "】");
        if (rb && rb - p < 40)
            p = rb + 3;
        const char *end = NULL;
        const char *stops[] = {"（", "(", "第", "：", ":", "\n", NULL};
        for (int i = 0; stops[i]; i++) {
            const char *q = strstr(p, stops[i]);
            if (q && q > p && (!end || q < end))
                end = q;
        }
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > 600)
            len = 600;
        snprintf(law, sizeof law, "%.*s", (int)len, p);
    }
    utf8_cut(law, 200);
    const char *d = strstr(text, "第");
    while (d) {
        const char *q = d + 3;
        size_t span = 0;
        while (q[span] && span < 60 && (strncmp(q + span, "条", 3) != 0)) {
            if (strchr(" \n", q[span]))
                break;
            span++;
        }
        if (!strncmp(q + span, "条", 3) && span > 0 && span < 40) {
            snprintf(article, sizeof article, "第%.*s条", (int)span, q);
            break;
        }
        d = strstr(d + 3, "第");
    }
    utf8_cut(article, 200);
    char *t = strdup(text);
    utf8_cut(t, 4000);
    if (utf8_chars(law, strlen(law)) < 2)
        snprintf(law, sizeof law, "%s", "（未注明名称的依据）");
    json_t *o = json_pack("{s:s, s:s}", "law", law, "text", t);
    if (article[0])
        json_object_set_new(o, "article", json_string(article));
    free(t);
    return o;
}

/* split_basis — entries at each 【 that starts a line or follows 】-less
 * text, else one entry. */
static json_t *split_basis(const char *raw)
{
    char *s = clean_basis(raw);
    json_t *a = json_array();
    const char *p = s;
    while (*p) {
        const char *next = NULL;
        for (const char *q = strstr(p + 1, "【"); q; q = strstr(q + 1, "【"))
            if (q > p && (q[-1] == '\n' || q[-1] == ' ')) {
                next = q;
                break;
            }
        size_t len = next ? (size_t)(next - p) : strlen(p);
        char *part = strndup(p, len);
        size_t pl = strlen(part);
        while (pl && (part[pl - 1] == '\n' || part[pl - 1] == ' '))
            part[--pl] = '\0';
        if (pl)
            json_array_append_new(a, basis_entry(part));
        free(part);
        p = next ? next : p + len;
    }
    free(s);
    return a;
}

static int lnzwfw_to_model(const char *name, const json_t *arr, struct model *m,
                           struct err *e)
{
    static const struct {
        const char *code, *type;
    } k_types[] = {{"01", "licensing"},      {"02", "penalty"},
                   {"03", "enforcement"},    {"04", "levy"},
                   {"05", "benefit"},        {"06", "inspection"},
                   {"07", "confirmation"},   {"08", "reward"},
                   {"09", "ruling"},         {"10", "other_power"},
                   {"20", "public_service"}, {"99", "other_power"}};
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x)
    {
        char label[64];
        snprintf(label, sizeof label, "%.40s#/%zu", name, i);
        struct err in = {0};
        const char *code = json_string_value(json_object_get(x, "职权编码"));
        const char *nm = json_string_value(json_object_get(x, "事项名称"));
        const char *tc = json_string_value(json_object_get(x, "事项类型"));
        const char *basis = json_string_value(json_object_get(x, "依据"));
        const char *lv = json_string_value(json_object_get(x, "实施层级"));
        if (!code || !nm || !tc) {
            err_set(&in, ERR_INVALID, "",
                    "缺少 职权编码、事项名称 或 事项类型");
            return row_fail(e, label, &in);
        }
        const char *type = NULL;
        for (size_t k = 0; k < sizeof k_types / sizeof *k_types; k++)
            if (!strcmp(k_types[k].code, tc))
                type = k_types[k].type;
        if (!type) {
            err_set(&in, ERR_INVALID, "/事项类型", "未知的事项类型 %.10s", tc);
            return row_fail(e, label, &in);
        }
        /* 实施层级 2 province, 3 city, 4 county → bianmin 1, 2, 3. */
        json_t *levels = json_array();
        for (const char *p = lv ? lv : ""; *p; p++)
            if (*p >= '2' && *p <= '6') {
                int l = *p - '1';
                int dup = 0;
                size_t k;
                json_t *y;
                json_array_foreach(levels, k, y) dup |=
                    json_integer_value(y) == l;
                if (!dup)
                    json_array_append_new(levels, json_integer(l));
            }
        if (json_array_size(levels) == 0)
            json_array_append_new(levels, json_integer(1));
        json_t *b = json_object();
        json_object_set_new(b, "code", json_string(code));
        json_object_set_new(b, "name", json_string(nm));
        json_object_set_new(b, "type", json_string(type));
        json_object_set_new(b, "themes", guess_themes(nm, NULL));
        json_object_set_new(b, "audience", guess_audience(nm, type));
        json_object_set_new(b, "supply", json_string("must"));
        json_object_set_new(b, "legal_basis",
                            basis ? split_basis(basis) : json_array());
        json_object_set_new(b, "levels", levels);
        json_array_append_new(m->bases, b);
        json_array_append_new(m->labels_b, json_string(label));
    }
    return 0;
}

/* ---- input → model
 * ------------------------------------------------------------------- */

static int json_model(const char *name, json_t *root, struct model *m,
                      struct err *e)
{
    static const char *const k_keys[] = {"base_items", "items", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(root, k, v)
    {
        int known = 0;
        for (const char *const *p = k_keys; *p; p++)
            known |= !strcmp(*p, k);
        if (!known)
            return err_set(e, ERR_INVALID, name, "%s：未知字段 %.40s", name, k);
    }
    json_t *b = json_object_get(root, "base_items"),
           *it = json_object_get(root, "items");
    if ((b && !json_is_array(b)) || (it && !json_is_array(it)))
        return err_set(e, ERR_INVALID, name, "%s：base_items 和 items 应为数组",
                       name);
    size_t i;
    json_array_foreach(b, i, v)
    {
        char label[64];
        sfmt(label, sizeof label, "%.40s#/base_items/%zu", name, i);
        json_array_append(m->bases, v);
        json_array_append_new(m->labels_b, json_string(label));
    }
    json_array_foreach(it, i, v)
    {
        char label[64];
        sfmt(label, sizeof label, "%.40s#/items/%zu", name, i);
        json_array_append(m->items, v);
        json_array_append_new(m->labels_i, json_string(label));
    }
    return 0;
}

static int read_model(const char *name, const char *data, size_t n,
                      struct model *m, struct err *e)
{
    size_t k = 0;
    if (n >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
        k = 3;
    while (k < n && strchr(" \t\r\n", data[k]))
        k++;
    if (k < n && (data[k] == '{' || data[k] == '[')) {
        json_error_t je;
        json_t *root = json_loadb(data + k, n - k, JSON_REJECT_DUPLICATES, &je);
        if (!root)
            return err_set(e, ERR_INVALID, name,
                           "%s 第 %d 行第 %d 列：JSON 格式错误：%s", name,
                           je.line, je.column, je.text);
        int rc;
        if (json_is_array(root)) {
            model_init(m, "lnzwfw-json");
            rc = lnzwfw_to_model(name, root, m, e);
        } else {
            model_init(m, "json");
            rc = json_model(name, root, m, e);
        }
        json_decref(root);
        return rc;
    }
    if (!utf8_valid(data, n))
        return err_set(e, ERR_INVALID, name, "%s 不是有效的 UTF-8 文本", name);
    struct table t;
    if (tb_parse(name, data, n, &t, e))
        return -1;
    int rc;
    if (col(&t, "record") == 0) {
        model_init(m, "csv");
        rc = csv_to_model(name, &t, m, e);
    } else if (col(&t, "department") >= 0 && col(&t, "item_code") >= 0 &&
               col(&t, "task_type") >= 0 && col(&t, "name") >= 0) {
        model_init(m, "sczwfw-csv");
        rc = sczwfw_to_model(name, &t, m, e);
    } else {
        rc =
            err_set(e, ERR_INVALID, name,
                    "%s：无法识别的 CSV：第一列应为 record（bianmin CSV），"
                    "或为四川政务服务网导出的 department,…,item_code,task_type",
                    name);
        m->bases = m->items = m->labels_b = m->labels_i = NULL;
    }
    tb_free(&t);
    return rc;
}

/* ---- checking the model (no database)
 * --------------------------------------------------- */

struct imp_item {
    const char *label;
    const char *base, *code, *credit, *org_name, *region;
    int business_no;
    const char *sub_path;
    const char *guide; /* JSON text */
};

struct imp_base {
    const char *label;
    struct base_out b;
};

struct plan {
    struct arena *a;
    struct imp_base *bases;
    int n_bases;
    struct imp_item *items;
    int n_items;
    enum cat_publish publish;
    const struct actor *actor;
    struct cat_import_report *rep;
};

static int check_model(struct model *m, struct plan *p, struct err *e)
{
    p->n_bases = (int)json_array_size(m->bases);
    p->n_items = (int)json_array_size(m->items);
    p->bases = arena_new_array(p->a, struct imp_base, p->n_bases + 1);
    p->items = arena_new_array(p->a, struct imp_item, p->n_items + 1);
    json_t *codes = json_object();
    struct err in = {0};
    for (int i = 0; i < p->n_bases; i++) {
        struct imp_base *b = &p->bases[i];
        b->label = arena_strdup(p->a, label_of(m->labels_b, (size_t)i));
        if (cat_base_check(json_array_get(m->bases, (size_t)i), "", 0,
                           m->lenient_basis, p->a, &b->b, &in))
            goto fail_b;
        if (json_object_get(codes, b->b.code)) {
            err_set(&in, ERR_INVALID, "/code", "基本目录编码 %s 在文件中重复",
                    b->b.code);
            goto fail_b;
        }
        json_object_set_new(codes, b->b.code, json_true());
        continue;
    fail_b:
        json_decref(codes);
        return row_fail(e, b->label, &in);
    }
    json_decref(codes);
    codes = json_object();
    static const char *const k_keys[] = {
        "base",   "code",       "org_credit_code", "org_name",
        "region", "org_region", "business_no",     "sub_path",
        "guide",  "state",      "version",         NULL};
    for (int i = 0; i < p->n_items; i++) {
        struct imp_item *it = &p->items[i];
        json_t *o = json_array_get(m->items, (size_t)i);
        it->label = arena_strdup(p->a, label_of(m->labels_i, (size_t)i));
        if (!json_is_object(o)) {
            err_set(&in, ERR_INVALID, "", "实施清单事项应为 JSON 对象");
            goto fail_i;
        }
        const char *k;
        json_t *v;
        json_object_foreach(o, k, v)
        {
            int known = 0;
            for (const char *const *q = k_keys; *q; q++)
                known |= !strcmp(*q, k);
            if (!known) {
                char f[64];
                snprintf(f, sizeof f, "/%.40s", k);
                err_set(&in, ERR_INVALID, f, "未知字段 %.40s", k);
                goto fail_i;
            }
        }
        v = json_object_get(o, "base");
        if (!json_is_string(v) ||
            !catalogue_base_code_ok(json_string_value(v))) {
            err_set(&in, ERR_INVALID, "/base", "base 应为基本目录编码");
            goto fail_i;
        }
        it->base = arena_strdup(p->a, json_string_value(v));
        /* The organisation: by credit code, or by name in a region (the
         * key app_demo_orgs uses; `org_region` is a synonym of `region`). */
        v = json_object_get(o, "org_credit_code");
        struct ids_uscc u;
        if (v &&
            (!json_is_string(v) ||
             ids_uscc_parse(json_string_value(v), &u, "/org_credit_code", &in)))
            goto fail_i;
        it->credit = v ? arena_strdup(p->a, u.code) : NULL;
        if ((v = json_object_get(o, "org_name"))) {
            if (!json_is_string(v) || json_string_length(v) == 0) {
                err_set(&in, ERR_INVALID, "/org_name", "org_name 应为机构名称");
                goto fail_i;
            }
            it->org_name = arena_strdup(p->a, json_string_value(v));
        }
        const char *rk = json_object_get(o, "region") ? "region" : "org_region";
        if ((v = json_object_get(o, rk))) {
            char f[32];
            sfmt(f, sizeof f, "/%s", rk);
            if (!json_is_string(v) ||
                ids_division_check(json_string_value(v), NULL, f, &in))
                goto fail_i;
            it->region = arena_strdup(p->a, json_string_value(v));
        }
        if (it->org_name && !it->region) {
            err_set(&in, ERR_INVALID, "/org_region",
                    "给出 org_name 时还应给出机构所在区划 org_region");
            goto fail_i;
        }
        if (!it->credit && !it->org_name) {
            err_set(&in, ERR_INVALID, "/org_credit_code",
                    "应给出实施机构的统一社会信用代码 org_credit_code，"
                    "或机构名称 org_name 与区划 org_region");
            goto fail_i;
        }
        if ((v = json_object_get(o, "code"))) {
            const char *s = json_string_value(v);
            size_t n = s ? strlen(s) : 0;
            if (n < 6 || n >= CATALOGUE_CODE_MAX ||
                strspn(s, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
                          "opqrstuvwxyz-") != n) {
                err_set(&in, ERR_INVALID, "/code",
                        "事项编码应为 6 到 95 个字母、数字或连字符");
                goto fail_i;
            }
            if (json_object_get(codes, s)) {
                err_set(&in, ERR_INVALID, "/code",
                        "事项编码 %.80s 在文件中重复", s);
                goto fail_i;
            }
            json_object_set_new(codes, s, json_true());
            it->code = arena_strdup(p->a, s);
        }
        v = json_object_get(o, "business_no");
        if (v && (!json_is_integer(v) || json_integer_value(v) < 1 ||
                  json_integer_value(v) > 999)) {
            err_set(&in, ERR_INVALID, "/business_no",
                    "业务项编号应在 1 到 999 之间");
            goto fail_i;
        }
        it->business_no = v ? (int)json_integer_value(v) : 0;
        it->sub_path = "00";
        if ((v = json_object_get(o, "sub_path"))) {
            const char *s = json_string_value(v);
            size_t n = s ? strlen(s) : 0;
            if (n < 2 || n > 16 || n % 2 || strspn(s, "0123456789") != n) {
                err_set(&in, ERR_INVALID, "/sub_path",
                        "子项路径应为 00 或两位数字的序号串");
                goto fail_i;
            }
            it->sub_path = arena_strdup(p->a, s);
        }
        json_t *g = json_object_get(o, "guide");
        struct guide gd;
        if (!g)
            g = json_object();
        else
            json_incref(g);
        int grc = app_guide_from_json(g, "/guide", p->a, &gd, &in);
        it->guide = cat_json_text(p->a, g);
        json_decref(g);
        if (grc)
            goto fail_i;
        if (p->publish == CAT_IMPORT_PUBLISH) {
            /* Fail early (before the unit) on a guide the lint refuses. */
            struct lint_finding items[LINT_CAP];
            struct lint_report r;
            lint_init(&r, items, LINT_CAP);
            if (guide_lint(&gd, &r)) {
                char f[64];
                sfmt(f, sizeof f, "/guide%s", r.items[0].field);
                err_set(&in, ERR_INVALID, f,
                        "办事指南有 %d 项错误，不能发布（第一项：%s）",
                        r.errors, r.items[0].message);
                goto fail_i;
            }
        }
        continue;
    fail_i:
        json_decref(codes);
        return row_fail(e, it->label, &in);
    }
    json_decref(codes);
    return 0;
}

/* ---- the import unit
 * ---------------------------------------------------------------------- */

static int find_base_in_plan(const struct plan *p, const char *code)
{
    for (int i = 0; i < p->n_bases; i++)
        if (!strcmp(p->bases[i].b.code, code))
            return i;
    return -1;
}

struct base_state {
    int64_t id;
    int done;
};

static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

struct base_cur {
    struct arena *a;
    struct base_row *row;
};

static int grab_base(void *ctx, const struct base_row *r)
{
    struct base_cur *c = ctx;
    struct base_row *k = arena_new_obj(c->a, struct base_row);
    *k = *r;
#define D(f) k->f = r->f ? arena_strdup(c->a, r->f) : NULL
    D(code);
    D(parent_code);
    D(region);
    D(name);
    D(type);
    D(supply);
    D(state);
    D(themes);
    D(audience);
    D(legal_basis);
    D(levels);
    D(aliases);
    D(keywords);
#undef D
    c->row = k;
    return 1;
}

static int import_base(struct db *db, struct plan *p, int i, int64_t parent_id,
                       int64_t *id_out, struct err *e)
{
    const struct imp_base *ib = &p->bases[i];
    const struct base_out *b = &ib->b;
    struct err in = {0};
    int64_t id = 0, now = store_now_ms();
    if (b->region) {
        int64_t n;
        struct db_param pr[] = {DBP_TEXT(b->region)};
        static const char SQL_REGION[] =
            "SELECT count(*) FROM regions WHERE code = $1";
        if (db_query_int(db, SQL_REGION, pr, 1, &n, e))
            return -1;
        if (!n) {
            err_set(&in, ERR_INVALID, "/region",
                    "区划 %s 不存在，请先导入区划（bianmin import regions）",
                    b->region);
            return row_fail(e, ib->label, &in);
        }
    }
    if (!cat_can(p->actor, CAP_CATALOGUE_IMPORT, b->region)) {
        err_set(&in, ERR_FORBIDDEN, "/region", "无权导入该区划的基本目录事项");
        return row_fail(e, ib->label, &in);
    }
    if (store_base_id_by_code(db, b->code, &id, e))
        return -1;
    struct base_row row = {
        .code = b->code,
        .parent_id = parent_id,
        .region = b->region,
        .name = b->name,
        .type = b->type,
        .supply = b->supply,
        .state = "active",
        .themes = b->themes,
        .audience = b->audience,
        .legal_basis = b->legal_basis,
        .levels = b->levels,
        .aliases = b->aliases,
        .keywords = b->keywords,
    };
    const char *action = "import";
    if (!id) {
        if (store_base_insert(db, &row, now, &id, e))
            return -1;
        p->rep->bases_new++;
    } else {
        struct base_cur c = {p->a, NULL};
        if (store_base_get(db, id, grab_base, &c, e))
            return -1;
        struct base_row *cur = c.row;
        if (same_text(cur->name, row.name) && same_text(cur->type, row.type) &&
            same_text(cur->supply, row.supply) &&
            same_text(cur->themes, row.themes) &&
            same_text(cur->audience, row.audience) &&
            same_text(cur->legal_basis, row.legal_basis) &&
            same_text(cur->levels, row.levels) &&
            same_text(cur->aliases, row.aliases) &&
            same_text(cur->keywords, row.keywords) &&
            same_text(cur->region, row.region) && cur->parent_id == parent_id &&
            !strcmp(cur->state, "active")) {
            p->rep->bases_same++;
            *id_out = id;
            return 0;
        }
        row.id = id;
        int changed;
        if (store_base_update(db, &row, cur->revision, now, &changed, e))
            return -1;
        p->rep->bases_updated++;
    }
    /* history: the snapshot of what was imported */
    struct base_cur c = {p->a, NULL};
    if (store_base_get(db, id, grab_base, &c, e))
        return -1;
    json_t *snap = cat_base_json(c.row, 0);
    const char *text = cat_json_text(p->a, snap);
    json_decref(snap);
    if (store_base_history_add(
            db, id, c.row->revision, action, p->actor ? p->actor->user_id : 0,
            p->actor ? p->actor->login : "system", "导入", text, now, e))
        return -1;
    *id_out = id;
    return 0;
}

/* org_for — the org of an item: by credit code; for extracts, a department
 * of that name in the region (created when missing). */
static int org_for(struct db *db, struct plan *p, const struct imp_item *it,
                   int64_t *org_id, struct err *e)
{
    struct err in = {0};
    *org_id = 0;
    if (it->credit && store_org_id_by_credit(db, it->credit, org_id, e))
        return -1;
    if (*org_id)
        return 0;
    if (!it->org_name) {
        err_set(&in, ERR_INVALID, "/org_credit_code",
                "没有统一社会信用代码为 %s 的机构", it->credit);
        return row_fail(e, it->label, &in);
    }
    if (store_org_id_by_name(db, it->region, it->org_name, org_id, e))
        return -1;
    if (*org_id)
        return 0;
    if (!it->credit) {
        err_set(&in, ERR_INVALID, "/org_name", "区划 %s 没有名为「%s」的机构",
                it->region, it->org_name);
        return row_fail(e, it->label, &in);
    }
    int64_t n;
    struct db_param pr[] = {DBP_TEXT(it->region)};
    static const char SQL_REGION_LEVEL[] =
        "SELECT level FROM regions WHERE code = $1";
    struct err e2 = {0};
    if (db_query_int(db, SQL_REGION_LEVEL, pr, 1, &n, &e2)) {
        if (e2.code != ERR_NOT_FOUND)
            return *e = e2, -1;
        err_set(&in, ERR_INVALID, "/region",
                "区划 %s 不存在，请先导入区划（bianmin import regions "
                "provinces.csv cities.csv areas.csv）",
                it->region);
        return row_fail(e, it->label, &in);
    }
    if (n > 4) {
        err_set(&in, ERR_INVALID, "/region", "部门不能设在村级区划 %s",
                it->region);
        return row_fail(e, it->label, &in);
    }
    struct org_row o = {.kind = "department",
                        .name = it->org_name,
                        .region = it->region,
                        .credit_code = it->credit};
    if (store_org_insert(db, &o, store_now_ms(), org_id, e))
        return -1;
    p->rep->orgs_new++;
    return 0;
}

struct org_facts {
    char region[13];
    int level;
    int found;
};

static int org_facts(struct db *db, int64_t id, struct org_facts *f,
                     struct err *e)
{
    static const char SQL[] = "SELECT o.region, r.level FROM orgs o "
                              "JOIN regions r ON r.code = o.region "
                              "WHERE o.id = $1";
    struct db_param pr[] = {DBP_INT(id)};
    struct db_res *r;
    memset(f, 0, sizeof *f);
    if (db_query(db, SQL, pr, 1, &r, e))
        return -1;
    int rc = db_next(r, e);
    if (rc == 1) {
        snprintf(f->region, sizeof f->region, "%s", db_text(r, 0));
        f->level = (int)db_int(r, 1);
        f->found = 1;
    }
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

/* guide_norm — a guide as compared on re-import (steals g, returns a new
 * reference): null, "", [] and {} members dropped, shared-data `fields`
 * as one "|"-joined text — what the CSV form cannot tell apart. */
static json_t *guide_norm(json_t *g)
{
    if (json_is_object(g)) {
        json_t *out = json_object();
        const char *k;
        json_t *v;
        json_object_foreach(g, k, v)
        {
            json_t *n = !strcmp(k, "fields") && json_is_array(v)
                            ? join_list(v)
                            : guide_norm(json_incref(v));
            if (!n || json_is_null(n) ||
                (json_is_string(n) && json_string_length(n) == 0) ||
                (json_is_array(n) && json_array_size(n) == 0) ||
                (json_is_object(n) && json_object_size(n) == 0))
                json_decref(n);
            else
                json_object_set_new(out, k, n);
        }
        json_decref(g);
        return out;
    }
    if (json_is_array(g)) {
        json_t *out = json_array();
        size_t i;
        json_t *v;
        json_array_foreach(g, i, v)
            json_array_append_new(out, guide_norm(json_incref(v)));
        json_decref(g);
        return out;
    }
    return g;
}

static int import_item(struct db *db, struct plan *p, int i, struct err *e)
{
    const struct imp_item *it = &p->items[i];
    struct err in = {0};
    int64_t base_id, org_id;
    if (store_base_id_by_code(db, it->base, &base_id, e))
        return -1;
    if (!base_id) {
        err_set(&in, ERR_INVALID, "/base", "基本目录事项 %s 不存在", it->base);
        return row_fail(e, it->label, &in);
    }
    struct base_cur bc = {p->a, NULL};
    if (store_base_get(db, base_id, grab_base, &bc, e))
        return -1;
    if (bc.row->n_children > 0) {
        err_set(&in, ERR_INVALID, "/base",
                "基本目录事项 %s 还有子项，只有最末一级的事项才能实施",
                it->base);
        return row_fail(e, it->label, &in);
    }
    if (org_for(db, p, it, &org_id, e))
        return -1;
    struct org_facts of;
    if (org_facts(db, org_id, &of, e))
        return -1;
    if (!cat_can(p->actor, CAP_CATALOGUE_IMPORT, of.region)) {
        err_set(&in, ERR_FORBIDDEN, "/org_credit_code",
                "无权导入区划 %s 的实施清单", of.region);
        return row_fail(e, it->label, &in);
    }
    json_t *lv = json_loads(bc.row->levels, 0, NULL);
    int fits = 0;
    size_t k;
    json_t *x;
    json_array_foreach(lv, k, x) fits |= json_integer_value(x) == of.level;
    json_decref(lv);
    if (!fits) {
        err_set(&in, ERR_INVALID, "/base",
                "基本目录事项 %s 的实施层级不含实施机构所在区划的层级（%d）",
                it->base, of.level);
        return row_fail(e, it->label, &in);
    }
    char code[CATALOGUE_CODE_MAX];
    int no = it->business_no;
    const char *sub = it->sub_path;
    if (it->code) {
        snprintf(code, sizeof code, "%s", it->code);
        struct catalogue_code cc;
        if (!no) {
            no = catalogue_code_parse(code, &cc, NULL) == 0 && cc.business_no
                     ? cc.business_no
                     : 1;
            if (catalogue_code_parse(code, &cc, NULL) == 0 &&
                strlen(cc.sub_path) % 2 == 0 &&
                strspn(cc.sub_path, "0123456789") == strlen(cc.sub_path))
                sub = arena_strdup(p->a, cc.sub_path);
        }
    } else {
        char credit[40];
        static const char SQL_CREDIT[] =
            "SELECT credit_code FROM orgs WHERE id = $1";
        struct db_param pc[] = {DBP_INT(org_id)};
        struct db_res *r;
        if (db_query(db, SQL_CREDIT, pc, 1, &r, e))
            return -1;
        int rc = db_next(r, e);
        snprintf(credit, sizeof credit, "%s",
                 rc == 1 && db_text(r, 0) ? db_text(r, 0) : "");
        db_res_free(r);
        if (rc < 0)
            return -1;
        if (!credit[0]) {
            err_set(&in, ERR_INVALID, "/org_name",
                    "实施机构没有统一社会信用代码，不能实施事项");
            return row_fail(e, it->label, &in);
        }
        if (!no) /* the first form; name others by business_no */
            no = 1;
        if (catalogue_code_build(it->base, of.region, credit, no, sub, code,
                                 &in))
            return row_fail(e, it->label, &in);
    }
    int64_t id;
    if (store_item_id_by_code(db, code, &id, e))
        return -1;
    int64_t now = store_now_ms();
    struct item_row *row;
    struct version_row *latest = NULL;
    int version;
    if (!id) {
        struct item_row ins = {.base_id = base_id,
                               .org_id = org_id,
                               .region = of.region,
                               .code = code,
                               .business_no = no,
                               .sub_path = sub};
        struct err e2 = {0};
        if (store_item_insert(db, &ins, now, &id, &e2)) {
            if (e2.code != ERR_CONFLICT)
                return *e = e2, -1;
            err_set(&in, ERR_CONFLICT, "/business_no",
                    "该机构已用业务项编号 %d 实施基本目录事项 %s", no,
                    it->base);
            return row_fail(e, it->label, &in);
        }
        version = 1;
        if (store_version_insert(db, id, 1, "draft", it->guide, 0, now, e) ||
            cat_event(db, p->actor, id, 1, NULL, "draft", "导入", now, e))
            return -1;
        p->rep->items_new++;
    } else {
        if (cat_load_version(db, id, 0, p->a, &latest, e))
            return -1;
        json_t *ga = guide_norm(json_loads(latest->guide, 0, NULL)),
               *gb = guide_norm(json_loads(it->guide, 0, NULL));
        int same = json_equal(ga, gb);
        json_decref(ga);
        json_decref(gb);
        if (same && (p->publish == CAT_IMPORT_DRAFT ||
                     !strcmp(latest->state, "published"))) {
            p->rep->items_same++;
            return 0;
        }
        version = latest->version;
        if (!same && !strcmp(latest->state, "draft")) {
            int changed;
            if (store_version_set_guide(db, id, version, it->guide, now,
                                        &changed, e))
                return -1;
        } else if (!same) {
            version = latest->version + 1;
            if (store_version_insert(db, id, version, "draft", it->guide, 0,
                                     now, e) ||
                cat_event(db, p->actor, id, version, NULL, "draft",
                          "导入新版本", now, e))
                return -1;
        }
        p->rep->items_versioned++;
    }
    if (p->publish == CAT_IMPORT_DRAFT)
        return 0;
    if (cat_load_item(db, id, p->a, &row, e) ||
        cat_load_version(db, id, version, p->a, &latest, e))
        return -1;
    if (strcmp(latest->state, "draft") != 0) {
        /* In review: leave it to the reviewers. */
        return 0;
    }
    int lint_errors = 0;
    json_t *lint = NULL;
    struct err pe = {0};
    if (cat_publish(
            db, p->actor, row, version, "draft", latest->guide,
            p->publish == CAT_IMPORT_AS_IS ? "导入：按原样发布" : "导入并发布",
            p->publish == CAT_IMPORT_AS_IS, p->a, &lint, &lint_errors, &pe)) {
        json_decref(lint);
        if (pe.code == ERR_INVALID)
            return row_fail(e, it->label, &pe);
        *e = pe;
        return -1;
    }
    json_decref(lint);
    p->rep->published++;
    if (lint_errors)
        p->rep->with_lint_errors++;
    return 0;
}

static int import_unit(struct db *db, void *arg, struct err *e)
{
    struct plan *p = arg;
    struct cat_import_report keep = *p->rep;
    memset(p->rep, 0, sizeof *p->rep);
    p->rep->format = keep.format;
    /* Bases, parents first: pass over the list until nothing moves. */
    struct base_state *st =
        arena_new_array(p->a, struct base_state, p->n_bases + 1);
    int left = p->n_bases;
    while (left > 0) {
        int moved = 0;
        for (int i = 0; i < p->n_bases; i++) {
            if (st[i].done)
                continue;
            const char *parent = p->bases[i].b.parent;
            int64_t parent_id = 0;
            if (parent) {
                int j = find_base_in_plan(p, parent);
                if (j >= 0) {
                    if (!st[j].done)
                        continue;
                    parent_id = st[j].id;
                } else {
                    if (store_base_id_by_code(db, parent, &parent_id, e))
                        return -1;
                    if (!parent_id) {
                        struct err in = {0};
                        err_set(&in, ERR_INVALID, "/parent",
                                "上级事项 %s 不存在", parent);
                        return row_fail(e, p->bases[i].label, &in);
                    }
                }
            }
            if (import_base(db, p, i, parent_id, &st[i].id, e))
                return -1;
            st[i].done = 1;
            left--;
            moved = 1;
        }
        if (!moved) {
            for (int i = 0; i < p->n_bases; i++)
                if (!st[i].done) {
                    struct err in = {0};
                    err_set(&in, ERR_INVALID, "/parent", "上级事项关系成环：%s",
                            p->bases[i].b.code);
                    return row_fail(e, p->bases[i].label, &in);
                }
        }
    }
    for (int i = 0; i < p->n_items; i++)
        if (import_item(db, p, i, e))
            return -1;
    json_t *detail = json_pack(
        "{s:s, s:i, s:i, s:i, s:i, s:i, s:i}", "format",
        p->rep->format ? p->rep->format : "", "bases_new", p->rep->bases_new,
        "bases_updated", p->rep->bases_updated, "items_new", p->rep->items_new,
        "items_versioned", p->rep->items_versioned, "orgs_new",
        p->rep->orgs_new, "published", p->rep->published);
    struct audit_entry en = {0};
    audit_entry_actor(&en, p->actor);
    en.action = "catalogue.import";
    en.target_kind = "catalogue";
    en.region_of_actor = 1;
    en.outcome = "ok";
    en.detail = detail;
    int rc = app_audit_unit_record(db, &en, e);
    json_decref(detail);
    return rc;
}

int app_catalogue_import_buffer(struct app *app, const struct actor *actor,
                                const char *name, const char *data, size_t n,
                                const struct cat_import_opts *o,
                                struct cat_import_report *rep, struct err *e)
{
    memset(rep, 0, sizeof *rep);
    if (actor && !actor_can(actor, CAP_CATALOGUE_IMPORT, NULL))
        return err_set(e, ERR_FORBIDDEN, "", "无权导入事项清单");
    struct model m = {0};
    if (read_model(name, data, n, &m, e)) {
        model_free(&m);
        return -1;
    }
    struct arena *a = arena_new();
    struct plan p = {.a = a,
                     .publish = o ? o->publish : CAT_IMPORT_DRAFT,
                     .actor = actor,
                     .rep = rep};
    static const char *const k_formats[] = {"json", "csv", "sczwfw-csv",
                                            "lnzwfw-json"};
    for (size_t i = 0; i < 4; i++)
        if (!strcmp(k_formats[i], m.format))
            rep->format = k_formats[i];
    int rc = 0;
    if (json_array_size(m.bases) == 0 && json_array_size(m.items) == 0)
        rc = err_set(e, ERR_INVALID, name,
                     "%s 中没有基本目录事项或实施清单事项", name);
    if (rc == 0)
        rc = check_model(&m, &p, e);
    model_free(&m);
    if (rc == 0)
        rc = store_write(app->store, import_unit, &p, e);
    if (rc) {
        const char *f = rep->format;
        memset(rep, 0, sizeof *rep);
        rep->format = f;
    }
    arena_free(a);
    return rc;
}

int app_catalogue_import_file(struct app *app, const char *path,
                              const struct cat_import_opts *o,
                              struct cat_import_report *rep, struct err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(e, ERR_INVALID, "file", "无法打开文件 %s：%s", path,
                       strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            if (cap >= IMPORT_MAX_BYTES) {
                free(buf);
                fclose(f);
                return err_set(e, ERR_TOO_LARGE, "file", "文件 %s 太大", path);
            }
            cap *= 2;
            char *g = realloc(buf, cap);
            if (!g) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = g;
        }
    }
    fclose(f);
    if (!buf)
        return err_set(e, ERR_INTERNAL, NULL, "内存不足");
    const char *base = strrchr(path, '/');
    int rc = app_catalogue_import_buffer(app, NULL, base ? base + 1 : path, buf,
                                         n, o, rep, e);
    free(buf);
    return rc;
}

/* ---- export
 * ------------------------------------------------------------------------------
 */

struct export_ctx {
    struct arena *a;
    json_t *bases, *items;
    struct item_row **rows;
    int n, cap;
    int published_only;
};

static int export_base(void *ctx, const struct base_row *r)
{
    struct export_ctx *x = ctx;
    if (strcmp(r->state, "active") == 0 || !x->published_only) {
        json_t *o = cat_base_json(r, 0);
        if (json_is_null(json_object_get(o, "parent")))
            json_object_del(o, "parent");
        if (json_is_null(json_object_get(o, "region")))
            json_object_del(o, "region");
        json_array_append_new(x->bases, o);
    }
    return 0;
}

static int export_item(void *ctx, const struct item_row *r)
{
    struct export_ctx *x = ctx;
    if (x->published_only &&
        (r->current_version <= 0 || strcmp(r->state, "active") != 0))
        return 0;
    if (x->n == x->cap) {
        int cap = x->cap ? x->cap * 2 : 64;
        struct item_row **g = arena_new_array(x->a, struct item_row *, cap);
        if (x->n)
            memcpy(g, x->rows, sizeof *g * (size_t)x->n);
        x->rows = g;
        x->cap = cap;
    }
    x->rows[x->n++] = cat_item_copy(x->a, r);
    return 0;
}

int app_catalogue_export(struct app *app, int published_only, json_t **out,
                         struct err *e)
{
    struct arena *a = arena_new();
    struct export_ctx x = {.a = a,
                           .bases = json_array(),
                           .items = json_array(),
                           .published_only = published_only};
    struct db *db = store_read(app->store, e);
    int rc = -1;
    if (!db)
        goto done;
    struct base_filter f = {0};
    rc = store_base_list(db, &f, export_base, &x, e);
    if (rc == 0)
        rc = store_item_all(db, export_item, &x, e);
    for (int i = 0; rc == 0 && i < x.n; i++) {
        struct item_row *r = x.rows[i];
        struct version_row *v;
        int n = r->current_version > 0 ? r->current_version : 0;
        rc = cat_load_version(db, r->id, n, a, &v, e);
        if (rc)
            break;
        json_t *o = json_object();
        json_object_set_new(o, "base", json_string(r->base_code));
        json_object_set_new(o, "code", json_string(r->code));
        json_object_set_new(
            o, "org_credit_code",
            json_string(r->org_credit_code ? r->org_credit_code : ""));
        json_object_set_new(o, "business_no", json_integer(r->business_no));
        json_object_set_new(o, "sub_path", json_string(r->sub_path));
        if (!published_only) {
            json_object_set_new(o, "version", json_integer(v->version));
            json_object_set_new(
                o, "state",
                json_string(strcmp(r->state, "active") ? r->state : v->state));
        }
        json_t *g = json_loads(v->guide, 0, NULL);
        json_object_set_new(o, "guide", g ? g : json_object());
        json_array_append_new(x.items, o);
    }
    store_read_done(app->store, db);
done:
    if (rc == 0)
        *out = json_pack("{s:o, s:o}", "base_items", x.bases, "items", x.items);
    else {
        json_decref(x.bases);
        json_decref(x.items);
    }
    arena_free(a);
    return rc;
}

/* A growable text buffer for CSV. */
struct sbuf {
    char *s;
    size_t n, cap;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *g = realloc(b->s, cap);
        if (!g)
            abort(); /* arena.h's rule: out of memory is not bad input */
        b->s = g;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void csv_cell(struct sbuf *b, const char *s, int first)
{
    if (!first)
        sb_put(b, ",", 1);
    if (!s || !*s)
        return;
    sb_put(b, "\"", 1);
    for (const char *p = s; *p; p++) {
        sb_put(b, p, 1);
        if (*p == '"')
            sb_put(b, "\"", 1); /* a quote is doubled */
    }
    sb_put(b, "\"", 1);
}

/* csv_row — one record from a {column: text} object. */
static void csv_row(struct sbuf *b, json_t *cells)
{
    for (int c = 0; k_csv_cols[c]; c++)
        csv_cell(b, json_string_value(json_object_get(cells, k_csv_cols[c])),
                 c == 0);
    sb_put(b, "\r\n", 2);
    json_decref(cells);
}

static void put_text(json_t *cells, const char *col_name, const json_t *v)
{
    if (json_is_string(v))
        json_object_set_new(cells, col_name, json_string(json_string_value(v)));
    else if (json_is_integer(v)) {
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
        json_object_set_new(cells, col_name, json_string(buf));
    } else if (json_is_boolean(v))
        json_object_set_new(cells, col_name,
                            json_string(json_is_true(v) ? "true" : "false"));
    else if (json_is_array(v))
        json_object_set_new(cells, col_name, join_list(v));
}

int app_catalogue_export_csv(struct app *app, int published_only, char **out,
                             size_t *n, struct err *e)
{
    json_t *m;
    if (app_catalogue_export(app, published_only, &m, e))
        return -1;
    struct sbuf b = {0};
    for (int c = 0; k_csv_cols[c]; c++) {
        if (c)
            sb_put(&b, ",", 1);
        sb_put(&b, k_csv_cols[c], strlen(k_csv_cols[c]));
    }
    sb_put(&b, "\r\n", 2);
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(m, "base_items"), i, x)
    {
        json_t *cells = json_pack("{s:s}", "record", "base");
        static const char *const k[] = {
            "code",   "name",   "type",   "themes",  "audience", "supply",
            "levels", "parent", "region", "aliases", "keywords", NULL};
        for (int j = 0; k[j]; j++)
            put_text(cells, k[j], json_object_get(x, k[j]));
        char *lb = json_dumps(json_object_get(x, "legal_basis"), JSON_COMPACT);
        json_object_set_new(cells, "legal_basis", json_string(lb ? lb : "[]"));
        free(lb);
        csv_row(&b, cells);
    }
    json_array_foreach(json_object_get(m, "items"), i, x)
    {
        json_t *cells = json_pack("{s:s}", "record", "item");
        static const char *const k[] = {
            "code",  "base", "org_credit_code", "business_no", "sub_path",
            "state", NULL};
        for (int j = 0; k[j]; j++)
            put_text(cells, k[j], json_object_get(x, k[j]));
        json_t *g = json_object_get(x, "guide");
        static const char *const kg[] = {"accepting_unit",
                                         "conditions",
                                         "legal_limit_days",
                                         "committed_limit_days",
                                         "kind",
                                         "modes",
                                         "visits",
                                         "consult",
                                         "complaint",
                                         "address",
                                         "hours",
                                         NULL};
        for (int j = 0; kg[j]; j++)
            put_text(cells, kg[j], json_object_get(g, kg[j]));
        json_t *fee = json_object_get(g, "fee");
        put_text(cells, "fee_charged", json_object_get(fee, "charged"));
        put_text(cells, "fee_basis", json_object_get(fee, "basis"));
        put_text(cells, "fee_standard", json_object_get(fee, "standard"));
        json_t *res = json_object_get(g, "result");
        put_text(cells, "result_name", json_object_get(res, "name"));
        put_text(cells, "result_sample", json_object_get(res, "sample"));
        put_text(cells, "result_e_licence", json_object_get(res, "e_licence"));
        json_t *oc = json_object_get(g, "outside_centre");
        put_text(cells, "outside_where", json_object_get(oc, "where"));
        put_text(cells, "outside_phone", json_object_get(oc, "phone"));
        const char *code = json_string_value(json_object_get(x, "code"));
        csv_row(&b, cells);
        size_t k2;
        json_t *s;
        json_array_foreach(json_object_get(g, "steps"), k2, s)
        {
            json_t *c2 =
                json_pack("{s:s, s:s}", "record", "step", "code", code);
            put_text(c2, "name", json_object_get(s, "name"));
            put_text(c2, "limit_days", json_object_get(s, "limit_days"));
            put_text(c2, "role", json_object_get(s, "role"));
            put_text(c2, "review_points", json_object_get(s, "review_points"));
            put_text(c2, "parallel", json_object_get(s, "parallel"));
            csv_row(&b, c2);
        }
        json_array_foreach(json_object_get(g, "materials"), k2, s)
        {
            json_t *c2 =
                json_pack("{s:s, s:s}", "record", "material", "code", code);
            static const char *const km[] = {
                "name",   "need",          "condition", "source", "dataset",
                "fields", "proof",         "form",      "copies", "blank_form",
                "sample", "common_errors", NULL};
            for (int j = 0; km[j]; j++)
                put_text(c2, km[j], json_object_get(s, km[j]));
            csv_row(&b, c2);
        }
    }
    json_decref(m);
    *out = b.s ? b.s : strdup("");
    *n = b.n;
    return 0;
}

/* ---- audit
 * --------------------------------------------------------------------------------
 */

int app_catalogue_audit(struct app *app, json_t **out, struct err *e)
{
    struct arena *a = arena_new();
    struct export_ctx x = {.a = a};
    struct db *db = store_read(app->store, e);
    if (!db) {
        arena_free(a);
        return -1;
    }
    int rc = store_item_all(db, export_item, &x, e);
    json_t *by_code = json_object(), *findings = json_array();
    int errors = 0, warnings = 0, with_errors = 0;
    for (int i = 0; rc == 0 && i < x.n; i++) {
        struct item_row *r = x.rows[i];
        struct version_row *v;
        rc = cat_load_version(db, r->id,
                              r->current_version > 0 ? r->current_version : 0,
                              a, &v, e);
        if (rc)
            break;
        struct lint_finding items[LINT_CAP];
        struct lint_report lr;
        struct err le = {0};
        if (cat_lint_text(v->guide, r->legal_basis, r->code, a, &lr, items,
                          LINT_CAP, &le)) {
            json_array_append_new(
                findings,
                json_pack("{s:I, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s}",
                          "item_id", (json_int_t)r->id, "code", r->code, "name",
                          r->name, "version", v->version, "state", v->state,
                          "severity", "error", "field", le.field, "finding",
                          "guide_invalid", "message", le.msg));
            errors++;
            continue;
        }
        errors += lr.errors;
        warnings += lr.warnings;
        with_errors += lr.errors > 0;
        for (int k = 0; k < lr.n; k++) {
            const struct lint_finding *f = &lr.items[k];
            json_int_t c =
                json_integer_value(json_object_get(by_code, f->code));
            json_object_set_new(by_code, f->code, json_integer(c + 1));
            json_array_append_new(
                findings,
                json_pack(
                    "{s:I, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s}", "item_id",
                    (json_int_t)r->id, "code", r->code, "name", r->name,
                    "version", v->version, "state", v->state, "severity",
                    f->severity == LINT_ERROR ? "error" : "warning", "field",
                    f->field, "finding", f->code, "message", f->message));
        }
    }
    store_read_done(app->store, db);
    arena_free(a);
    if (rc) {
        json_decref(by_code);
        json_decref(findings);
        return -1;
    }
    *out = json_pack("{s:i, s:i, s:i, s:i, s:o, s:o}", "items", x.n,
                     "items_with_errors", with_errors, "errors", errors,
                     "warnings", warnings, "by_code", by_code, "findings",
                     findings);
    return 0;
}

/* ---- demo
 * ----------------------------------------------------------------------------------
 */

int app_demo_catalogue(struct app *app, int *items, struct err *e)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/demo/catalogue.json", app_data_dir(app));
    struct cat_import_report rep;
    struct cat_import_opts o = {.publish = CAT_IMPORT_AS_IS};
    FILE *f = fopen(path, "rb");
    if (f) {
        fclose(f);
        if (app_catalogue_import_file(app, path, &o, &rep, e))
            return -1;
    }
    struct db *db = store_read(app->store, e);
    if (!db)
        return -1;
    int64_t b, n, p;
    int rc = store_catalogue_counts(db, &b, &n, &p, e);
    store_read_done(app->store, db);
    if (rc == 0)
        *items = (int)n;
    return rc;
}
