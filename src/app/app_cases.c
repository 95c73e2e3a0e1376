/* app_cases.c — the case use cases (办件): filing, intake, handling,
 * decision, delivery, reads, public progress, notices, the warning scan
 * and uploads. Every change goes through casefsm_check and
 * store_case_apply (the change and its event together) inside one write
 * unit with its audit row. Contract in app_cases.h; rules in
 * docs/cases.md. Thread-safe: no state beyond the store. */
#include "app_cases.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../core/deadline.h"
#include "../core/ids.h"
#include "../core/utf8.h"
#include "../store/cases.h"
#include "../store/regions.h"
#include "../store/users.h"
#include "app_catalogue.h"
#include "app_evidence.h"
#include "audit.h"
#include "internal.h"
#include "log.h"

/* ---- small helpers --------------------------------------------------------
 */

static int64_t now_or(int64_t t)
{
    return t ? t : store_now_ms();
}

static int64_t day_of_ms(int64_t ms)
{
    return cal_day_number(cal_date_of_instant(ms));
}

static int today_int(int64_t ms)
{
    struct cal_date d = cal_date_of_instant(ms);
    return d.y * 10000 + d.m * 100 + d.d;
}

static json_t *j_str(const char *s)
{
    return s ? json_string(s) : json_null();
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

static json_t *j_day(int64_t day)
{
    if (day <= 0)
        return json_null();
    char out[11];
    cal_date_format(cal_date_of_day_number(day), out);
    return json_string(out);
}

static void fmt_day(int64_t day, char out[11])
{
    cal_date_format(cal_date_of_day_number(day), out);
}

/* ---- body parsing ---------------------------------------------------------
 */

static int only_keys(const json_t *obj, const char *ptr,
                     const char *const *keys, struct err *e)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        int ok = 0;
        for (const char *const *p = keys; *p; p++)
            if (!strcmp(k, *p))
                ok = 1;
        if (!ok) {
            char f[96];
            snprintf(f, sizeof f, "%s/%s", ptr, k);
            return err_set(e, ERR_INVALID, f, "不认识的字段：%s", k);
        }
    }
    return 0;
}

/* get_str — obj[key] as text of 1..max characters (no controls but \n \t
 * \r); absent or null: NULL, or an error when required. */
static int get_str(const json_t *obj, const char *key, const char *ptr,
                   int required, size_t max, struct arena *a,
                   const char **out, struct err *e)
{
    char f[96];
    snprintf(f, sizeof f, "%s/%s", ptr, key);
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return err_set(e, ERR_INVALID, f, "缺少字段 %s", key);
        return 0;
    }
    if (!json_is_string(v))
        return err_set(e, ERR_INVALID, f, "%s 应为字符串", key);
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (strlen(s) != n || utf8_has_control(s, n))
        return err_set(e, ERR_INVALID, f, "%s 含有控制字符", key);
    size_t c = utf8_chars(s, n);
    if (c == 0) {
        if (required)
            return err_set(e, ERR_INVALID, f, "%s 不能为空", key);
        return 0;
    }
    if (c > max)
        return err_set(e, ERR_INVALID, f, "%s 最多 %zu 个字符", key, max);
    *out = arena_strdup(a, s);
    return 0;
}

static int get_int(const json_t *obj, const char *key, const char *ptr,
                   int required, int64_t min, int64_t max, int64_t *out,
                   struct err *e)
{
    char f[96];
    snprintf(f, sizeof f, "%s/%s", ptr, key);
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            return err_set(e, ERR_INVALID, f, "缺少字段 %s", key);
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < min ||
        json_integer_value(v) > max)
        return err_set(e, ERR_INVALID, f, "%s 应为 %lld 到 %lld 的整数", key,
                       (long long)min, (long long)max);
    *out = json_integer_value(v);
    return 0;
}

static int sha_ok(const char *s)
{
    if (!s || strlen(s) != 64)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

/* ---- the write ------------------------------------------------------------
 */

struct mat_in {
    int index;
    const char *file;
    int commitment;
};

struct notice_in {
    int index;
    const char *reason;
};

struct case_write {
    struct app *app;
    struct app_cal *cal;
    struct arena *a;
    struct actor actor;
    enum case_action act;
    int64_t now;
    int64_t revision; /* 0 = not checked */
    /* submit */
    int64_t item_id;
    const char *channel;
    const char *ap_kind, *ap_name, *ap_id, *ap_phone;
    const char *ag_name, *ag_id, *ag_phone, *ag_entrust;
    int64_t *conds;
    int n_conds;
    struct mat_in *mats;
    int n_mats;
    /* actions */
    const char *no;
    struct notice_in *items;
    int n_items;
    int64_t *depts;
    int n_depts;
    int64_t dept;
    const char *opinion, *reason, *basis, *decision, *result, *method,
        *tracking, *pause_kind, *receipt;
    int64_t limit_days, amount;
    int64_t valid_until_ms;
    /* submit: the evidence look-ups made before the unit (app_evidence.h),
     * for the guide version lk_version; looked_up once they were made */
    struct evidence_lookup *lk;
    int n_lk, looked_up;
    int lk_version;
    /* result */
    json_t *out;
    char case_no[64];
};

void app_case_write_at(struct case_write *w, int64_t now_ms)
{
    w->now = now_ms;
}

json_t *app_case_write_result(const struct case_write *w)
{
    return w->out ? json_incref(w->out) : NULL;
}

const char *app_case_write_no(const struct case_write *w)
{
    return w->case_no;
}

void app_case_write_free(void *p)
{
    struct case_write *w = p;
    if (!w)
        return;
    json_decref(w->out);
    w->out = NULL;
    if (w->cal)
        app_cal_release(w->cal);
    w->cal = NULL;
}

static struct case_write *new_write(struct app *app, const struct actor *actor,
                                    enum case_action act, struct arena *a,
                                    struct err *e)
{
    struct case_write *w = arena_alloc(a, sizeof *w);
    memset(w, 0, sizeof *w);
    w->app = app;
    w->a = a;
    w->act = act;
    if (actor)
        w->actor = *actor;
    w->cal = app_cal_acquire(app, e);
    if (!w->cal)
        return NULL;
    return w;
}

/* Materials given in a body: [{index, file} | {index, commitment: true}]. */
static int parse_mats(const json_t *arr, const char *ptr, struct arena *a,
                      struct mat_in **out, int *n, struct err *e)
{
    *out = NULL;
    *n = 0;
    if (!arr || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return err_set(e, ERR_INVALID, ptr, "materials 应为数组");
    size_t cnt = json_array_size(arr);
    *out = arena_alloc(a, sizeof **out * (cnt ? cnt : 1));
    size_t i;
    json_t *m;
    json_array_foreach(arr, i, m)
    {
        char p[80];
        snprintf(p, sizeof p, "%s/%zu", ptr, i);
        if (!json_is_object(m))
            return err_set(e, ERR_INVALID, p, "材料应为对象");
        static const char *const k_keys[] = {"index", "file", "commitment",
                                             NULL};
        int64_t idx = -1;
        const char *file;
        if (only_keys(m, p, k_keys, e) ||
            get_int(m, "index", p, 1, 0, 999, &idx, e) ||
            get_str(m, "file", p, 0, 64, a, &file, e))
            return -1;
        json_t *c = json_object_get(m, "commitment");
        if (c && !json_is_null(c) && !json_is_boolean(c)) {
            char f[96];
            snprintf(f, sizeof f, "%s/commitment", p);
            return err_set(e, ERR_INVALID, f, "commitment 应为 true 或 false");
        }
        int commit = json_is_true(c);
        if (!file && !commit)
            return err_set(e, ERR_INVALID, p,
                           "材料应给出已上传文件的 file 或 commitment: true");
        if (file && !sha_ok(file)) {
            char f[96];
            snprintf(f, sizeof f, "%s/file", p);
            return err_set(e, ERR_INVALID, f,
                           "file 应为已上传文件的 SHA-256（64 位小写十六进制）");
        }
        for (int k = 0; k < *n; k++)
            if ((*out)[k].index == (int)idx) {
                char f[96];
                snprintf(f, sizeof f, "%s/index", p);
                return err_set(e, ERR_INVALID, f, "同一材料出现两次");
            }
        (*out)[*n].index = (int)idx;
        (*out)[*n].file = file;
        (*out)[*n].commitment = commit;
        (*n)++;
    }
    return 0;
}

int app_case_submit_prepare(struct app *app, const struct actor *actor,
                            const json_t *body, struct arena *a,
                            struct case_write **out, struct err *e)
{
    static const char *const k_keys[] = {"item_id", "channel",  "applicant",
                                         "agent",   "conditions", "materials",
                                         NULL};
    if (!json_is_object(body))
        return err_set(e, ERR_INVALID, "", "请求体应为对象");
    if (only_keys(body, "", k_keys, e))
        return -1;
    struct case_write *w = new_write(app, actor, CA_SUBMIT, a, e);
    if (!w)
        return -1;
    *out = w;
    if (get_int(body, "item_id", "", 1, 1, INT64_MAX, &w->item_id, e) ||
        get_str(body, "channel", "", 1, 20, a, &w->channel, e))
        return -1;
    const json_t *ap = json_object_get(body, "applicant");
    if (ap && !json_is_null(ap)) {
        static const char *const k_ap[] = {"kind", "name", "id_no",
                                           "credit_code", "phone", NULL};
        if (!json_is_object(ap))
            return err_set(e, ERR_INVALID, "/applicant", "applicant 应为对象");
        const char *idno, *cc;
        if (only_keys(ap, "/applicant", k_ap, e) ||
            get_str(ap, "kind", "/applicant", 1, 10, a, &w->ap_kind, e) ||
            get_str(ap, "name", "/applicant", 1, 100, a, &w->ap_name, e) ||
            get_str(ap, "id_no", "/applicant", 0, 18, a, &idno, e) ||
            get_str(ap, "credit_code", "/applicant", 0, 18, a, &cc, e) ||
            get_str(ap, "phone", "/applicant", 0, 20, a, &w->ap_phone, e))
            return -1;
        if (strcmp(w->ap_kind, "natural") && strcmp(w->ap_kind, "legal"))
            return err_set(e, ERR_INVALID, "/applicant/kind",
                           "申请人类型应为 natural（自然人）或 legal（法人）");
        int natural = !strcmp(w->ap_kind, "natural");
        if (natural) {
            struct ids_resident rid;
            if (ids_resident_parse(idno, today_int(store_now_ms()), &rid,
                                   "/applicant/id_no", e))
                return -1;
            w->ap_id = arena_strdup(a, rid.id);
        } else {
            struct ids_uscc u;
            if (ids_uscc_parse(cc, &u, "/applicant/credit_code", e))
                return -1;
            w->ap_id = arena_strdup(a, u.code);
        }
    }
    const json_t *ag = json_object_get(body, "agent");
    if (ag && !json_is_null(ag)) {
        static const char *const k_ag[] = {"name", "id_no", "phone",
                                           "entrustment", NULL};
        if (!json_is_object(ag))
            return err_set(e, ERR_INVALID, "/agent", "agent 应为对象");
        const char *idno;
        if (only_keys(ag, "/agent", k_ag, e) ||
            get_str(ag, "name", "/agent", 1, 100, a, &w->ag_name, e) ||
            get_str(ag, "id_no", "/agent", 0, 18, a, &idno, e) ||
            get_str(ag, "phone", "/agent", 0, 20, a, &w->ag_phone, e) ||
            get_str(ag, "entrustment", "/agent", 0, 64, a, &w->ag_entrust,
                    e))
            return -1;
        if (idno) {
            struct ids_resident rid;
            if (ids_resident_parse(idno, today_int(store_now_ms()), &rid,
                                   "/agent/id_no", e))
                return -1;
            w->ag_id = arena_strdup(a, rid.id);
        }
        if (w->ag_entrust && !sha_ok(w->ag_entrust))
            return err_set(e, ERR_INVALID, "/agent/entrustment",
                           "委托书应为已上传文件的 SHA-256");
    }
    const json_t *conds = json_object_get(body, "conditions");
    if (conds && !json_is_null(conds)) {
        if (!json_is_array(conds))
            return err_set(e, ERR_INVALID, "/conditions",
                           "conditions 应为材料序号的数组");
        size_t n = json_array_size(conds), i;
        json_t *v;
        w->conds = arena_alloc(a, sizeof *w->conds * (n ? n : 1));
        json_array_foreach(conds, i, v)
        {
            if (!json_is_integer(v) || json_integer_value(v) < 0 ||
                json_integer_value(v) > 999) {
                char f[96];
                snprintf(f, sizeof f, "/conditions/%zu", i);
                return err_set(e, ERR_INVALID, f, "应为材料序号");
            }
            w->conds[w->n_conds++] = json_integer_value(v);
        }
    }
    return parse_mats(json_object_get(body, "materials"), "/materials", a,
                      &w->mats, &w->n_mats, e);
}

int app_case_action_prepare(struct app *app, const struct actor *actor,
                            const char *no, enum case_action act,
                            const json_t *body, struct arena *a,
                            struct case_write **out, struct err *e)
{
    static const char *const k_by[CA__COUNT][10] = {
        [CA_NOTICE] = {"items", "revision"},
        [CA_SUPPLY] = {"materials", "revision"},
        [CA_ACCEPT] = {"opinion", "decision", "reason", "basis", "result",
                       "method", "tracking_no", "revision"},
        [CA_REFUSE] = {"reason", "basis", "revision"},
        [CA_DISPATCH] = {"departments", "revision"},
        [CA_ANSWER] = {"department", "opinion", "revision"},
        [CA_STEP] = {"opinion", "revision"},
        [CA_PAUSE] = {"kind", "reason", "limit_days", "revision"},
        [CA_RESUME] = {"opinion", "revision"},
        [CA_DECIDE] = {"decision", "reason", "basis", "result", "valid_until",
                       "revision"},
        [CA_DELIVER] = {"method", "tracking_no", "revision"},
        [CA_CLOSE] = {"revision"},
        [CA_WITHDRAW] = {"reason", "revision"},
        [CA_FEE] = {"amount_fen", "receipt_no", "revision"},
    };
    if (act <= CA_SUBMIT || act >= CA__COUNT)
        return err_set(e, ERR_INVALID, "", "未知的办件操作");
    if (!no || !*no || strlen(no) > 60)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个办件");
    json_t *tmp = NULL;
    if (!body)
        body = tmp = json_object();
    if (!json_is_object(body)) {
        json_decref(tmp);
        return err_set(e, ERR_INVALID, "", "请求体应为对象");
    }
    int rc = -1;
    struct case_write *w = NULL;
    const char *vu = NULL;
    if (only_keys(body, "", k_by[act], e))
        goto done;
    w = new_write(app, actor, act, a, e);
    if (!w)
        goto done;
    *out = w;
    w->no = arena_strdup(a, no);
    if (get_int(body, "revision", "", 0, 1, INT64_MAX, &w->revision, e) ||
        get_str(body, "opinion", "", 0, 2000, a, &w->opinion, e) ||
        get_str(body, "reason", "", 0, 2000, a, &w->reason, e) ||
        get_str(body, "basis", "", 0, 2000, a, &w->basis, e) ||
        get_str(body, "decision", "", 0, 10, a, &w->decision, e) ||
        get_str(body, "result", "", 0, 2000, a, &w->result, e) ||
        get_str(body, "method", "", 0, 20, a, &w->method, e) ||
        get_str(body, "tracking_no", "", 0, 64, a, &w->tracking, e) ||
        get_str(body, "kind", "", 0, 20, a, &w->pause_kind, e) ||
        get_str(body, "receipt_no", "", 0, 64, a, &w->receipt, e) ||
        get_str(body, "valid_until", "", 0, 10, a, &vu, e) ||
        get_int(body, "limit_days", "", 0, 0, 365, &w->limit_days, e) ||
        get_int(body, "amount_fen", "", 0, 0, 100000000000LL, &w->amount,
                e) ||
        get_int(body, "department", "", act == CA_ANSWER, 1, INT64_MAX,
                &w->dept, e))
        goto done;
    if (vu) {
        struct cal_date d;
        if (cal_date_parse(vu, &d, "/valid_until", e))
            goto done;
        w->valid_until_ms =
            (cal_day_number(d) + 1) * 86400000LL - CAL_SHANGHAI_OFFSET_MS - 1;
    }
    const json_t *items = json_object_get(body, "items");
    if (items && !json_is_null(items)) {
        if (!json_is_array(items)) {
            err_set(e, ERR_INVALID, "/items", "items 应为数组");
            goto done;
        }
        size_t n = json_array_size(items), i;
        json_t *v;
        w->items = arena_alloc(a, sizeof *w->items * (n ? n : 1));
        json_array_foreach(items, i, v)
        {
            char p[80];
            snprintf(p, sizeof p, "/items/%zu", i);
            static const char *const k_it[] = {"index", "reason", NULL};
            int64_t idx = 0;
            const char *why;
            if (!json_is_object(v)) {
                err_set(e, ERR_INVALID, p, "应为 {index, reason}");
                goto done;
            }
            if (only_keys(v, p, k_it, e) ||
                get_int(v, "index", p, 1, 0, 999, &idx, e) ||
                get_str(v, "reason", p, 1, 500, a, &why, e))
                goto done;
            for (int k = 0; k < w->n_items; k++)
                if (w->items[k].index == (int)idx) {
                    err_set(e, ERR_INVALID, p, "同一材料出现两次");
                    goto done;
                }
            w->items[w->n_items].index = (int)idx;
            w->items[w->n_items].reason = why;
            w->n_items++;
        }
    }
    const json_t *deps = json_object_get(body, "departments");
    if (deps && !json_is_null(deps)) {
        if (!json_is_array(deps)) {
            err_set(e, ERR_INVALID, "/departments", "departments 应为数组");
            goto done;
        }
        size_t n = json_array_size(deps), i;
        json_t *v;
        w->depts = arena_alloc(a, sizeof *w->depts * (n ? n : 1));
        json_array_foreach(deps, i, v)
        {
            char p[80];
            snprintf(p, sizeof p, "/departments/%zu", i);
            if (!json_is_integer(v) || json_integer_value(v) <= 0) {
                err_set(e, ERR_INVALID, p, "应为机构编号");
                goto done;
            }
            for (int k = 0; k < w->n_depts; k++)
                if (w->depts[k] == json_integer_value(v)) {
                    err_set(e, ERR_INVALID, p, "同一部门出现两次");
                    goto done;
                }
            w->depts[w->n_depts++] = json_integer_value(v);
        }
    }
    if (parse_mats(json_object_get(body, "materials"), "/materials", a,
                   &w->mats, &w->n_mats, e))
        goto done;
    rc = 0;
done:
    json_decref(tmp);
    return rc;
}

/* ---- roles and scope ------------------------------------------------------
 */

/* The case roles of actor a on a case of `region` handled by `org`. */
static int roles_on(const struct actor *a, const char *region, int64_t org,
                    int64_t applicant_user, int64_t filed_by)
{
    int roles = 0;
    for (int i = 0; i < a->n_grants; i++) {
        const struct grant *g = &a->grants[i];
        if (g->role == ROLE_APPLICANT)
            continue;
        if (g->org_id && g->org_id != org)
            continue;
        int covers = region_covers(g->region, region);
        /* A village agent files for items of the levels above. */
        if (g->role == ROLE_AGENT &&
            (covers || region_covers(region, g->region)))
            roles |= CR_AGENT;
        if (!covers)
            continue;
        if (g->role == ROLE_CLERK)
            roles |= CR_CLERK;
        else if (g->role == ROLE_REVIEWER)
            roles |= CR_REVIEWER;
        else if (g->role == ROLE_DECIDER)
            roles |= CR_DECIDER;
    }
    if (a->user_id && applicant_user == a->user_id)
        roles |= CR_APPLICANT;
    if (a->user_id && filed_by == a->user_id)
        for (int i = 0; i < a->n_grants; i++)
            if (a->grants[i].role == ROLE_AGENT)
                roles |= CR_AGENT;
    return roles;
}

static int may_read(const struct actor *a, const struct case_row *c)
{
    if (!a)
        return 1;
    if (a->user_id &&
        (c->applicant_user == a->user_id || c->filed_by == a->user_id))
        return 1;
    for (int i = 0; i < a->n_grants; i++) {
        const struct grant *g = &a->grants[i];
        if (g->role == ROLE_APPLICANT || !role_has_cap(g->role, CAP_CASE_READ))
            continue;
        if (g->org_id && g->org_id != c->org_id)
            continue;
        if (region_covers(g->region, c->region))
            return 1;
    }
    return 0;
}

/* task_visible — a has a handling role in a department the case was sent
 * to (a parallel step). */
static int task_visible(const struct actor *a, const struct case_task_row *t,
                        int n)
{
    for (int i = 0; i < n; i++)
        if (t[i].dept_region &&
            roles_on(a, t[i].dept_region, t[i].dept_id, 0, 0) &
                (CR_REVIEWER | CR_DECIDER))
            return 1;
    return 0;
}

static int is_applicant_account(const struct actor *a)
{
    return a && (!strcmp(a->kind, "citizen") || !strcmp(a->kind, "enterprise"));
}

static const char *role_label(int roles)
{
    if (roles & CR_CLERK)
        return "clerk";
    if (roles & CR_DECIDER)
        return "decider";
    if (roles & CR_REVIEWER)
        return "reviewer";
    if (roles & CR_AGENT)
        return "agent";
    if (roles & CR_APPLICANT)
        return "applicant";
    return NULL;
}

/* ---- the unit ---------------------------------------------------------------
 */

struct ctx {
    struct case_write *w;
    struct db *db;
    struct case_row c;
    struct guide g;
    struct casefsm_plan plan;
    int roles;
    int64_t now;
    enum case_state to;
};

static int load_guide(struct arena *a, const char *text, struct guide *g,
                      struct err *e)
{
    json_t *j = json_loads(text ? text : "{}", 0, NULL);
    if (!j)
        return err_set(e, ERR_INTERNAL, NULL, "事项指南无法读取");
    int rc = app_guide_from_json(j, "", a, g, e);
    json_decref(j);
    if (rc)
        return err_set(e, ERR_INTERNAL, NULL, "事项指南无法读取");
    return 0;
}

/* ---- parsed guides, by (item, version) -------------------------------------
 * A case reads the guide of the version it was filed under, and a published
 * version never changes (docs/catalogue.md; the database refuses it): each
 * node parses it once. The slot owns an arena holding the guide's texts;
 * readers copy the struct guide (its pointers stay valid until app_close).
 * The text's length is kept as a guard: a different text is parsed anew. */

#define APP_GUIDE_CACHE_SLOTS 8192
#define APP_GUIDE_CACHE_MAX 4096

struct guide_slot {
    int64_t item_id; /* 0 = empty */
    int version;
    size_t text_len;
    struct arena *a;
    struct guide g;
};

static size_t guide_hash(int64_t item_id, int version)
{
    uint64_t h = (uint64_t)item_id * 0x9E3779B97F4A7C15ULL ^
                 (uint64_t)(unsigned)version * 0xC2B2AE3D27D4EB4FULL;
    return (size_t)(h ^ (h >> 29)) & (APP_GUIDE_CACHE_SLOTS - 1);
}

/* The slot of (item, version), or the empty slot where it would go. */
static struct guide_slot *guide_probe(struct guide_slot *slots, int64_t item_id,
                                      int version)
{
    for (size_t i = guide_hash(item_id, version), k = 0;
         k < APP_GUIDE_CACHE_SLOTS;
         k++, i = (i + 1) & (APP_GUIDE_CACHE_SLOTS - 1))
        if (!slots[i].item_id ||
            (slots[i].item_id == item_id && slots[i].version == version))
            return &slots[i];
    return NULL;
}

void app_guide_cache_free(struct app *app)
{
    if (app->gc_slots)
        for (size_t i = 0; i < APP_GUIDE_CACHE_SLOTS; i++)
            arena_free(app->gc_slots[i].a);
    free(app->gc_slots);
    app->gc_slots = NULL;
    app->gc_used = 0;
}

/* guide_of — the parsed guide of (item, version) whose text is `text`:
 * from the cache, else parsed (into a slot's own arena when there is room,
 * else into `a`). */
static int guide_of(struct app *app, int64_t item_id, int version,
                    const char *text, struct arena *a, struct guide *g,
                    struct err *e)
{
    size_t len = text ? strlen(text) : 0;
    if (!app || item_id <= 0 || version <= 0 || !text)
        return load_guide(a, text, g, e);
    pthread_rwlock_rdlock(&app->gc_lock);
    struct guide_slot *s =
        app->gc_slots ? guide_probe(app->gc_slots, item_id, version) : NULL;
    int hit = s && s->item_id && s->text_len == len;
    if (hit)
        *g = s->g;
    int room = app->gc_used < APP_GUIDE_CACHE_MAX;
    pthread_rwlock_unlock(&app->gc_lock);
    if (hit)
        return 0;
    if (!room || (s && s->item_id)) /* full, or a changed text: no caching */
        return load_guide(a, text, g, e);
    struct arena *own = arena_new();
    struct guide parsed;
    if (!own)
        return load_guide(a, text, g, e);
    if (load_guide(own, text, &parsed, e)) {
        arena_free(own);
        return -1;
    }
    pthread_rwlock_wrlock(&app->gc_lock);
    if (!app->gc_slots)
        app->gc_slots = calloc(APP_GUIDE_CACHE_SLOTS, sizeof *app->gc_slots);
    s = app->gc_slots ? guide_probe(app->gc_slots, item_id, version) : NULL;
    if (s && !s->item_id && app->gc_used < APP_GUIDE_CACHE_MAX) {
        *s = (struct guide_slot){item_id, version, len, own, parsed};
        app->gc_used++;
        own = NULL;
        *g = s->g;
    } else if (s && s->item_id && s->text_len == len) {
        *g = s->g; /* another thread was first */
    } else {
        s = NULL;
    }
    pthread_rwlock_unlock(&app->gc_lock);
    if (!s) /* no room after all: the caller's arena */
        return load_guide(a, text, g, e);
    arena_free(own);
    return 0;
}

static int audit_case(struct db *db, const struct case_write *w,
                      const char *action, const char *no, const char *region,
                      const char *state, struct err *e)
{
    json_t *detail = json_pack("{s:s}", "state", state ? state : "");
    struct audit_entry en = {0};
    audit_entry_actor(&en, &w->actor);
    en.action = action;
    en.target_kind = "case";
    en.target_id = no;
    en.region = region;
    en.outcome = "ok";
    en.detail = detail;
    int rc = app_audit_unit_record(db, &en, e);
    json_decref(detail);
    return rc;
}

/* cal_err — a calendar failure as the person sees it (the year's holidays
 * not yet imported). */
static int cal_err(struct err *e)
{
    if (e->code == ERR_INVALID)
        err_field_prefix(e, "/calendar");
    return -1;
}

/* clock_with — the due, legal due and warn days of c (accepted) from
 * acceptance with the pauses, on the calendar's provisional copy: a year
 * not yet known counts Mon–Fri and c->due_provisional says so (either
 * date). The warn day is that of the (provisional) due date, with the
 * threshold frozen at acceptance (the default rule for older cases). */
static int clock_with(const struct app_cal *ac, struct case_row *c,
                      const struct cal_pause *p, int np, int64_t now,
                      struct err *e)
{
    const struct cal *cal = ac->pcal;
    int64_t due, legal;
    int pd, pl;
    if (dl_due_provisional(cal, c->accepted_at, c->limit_days, p, np, now, &due,
                           &pd, e) ||
        dl_due_provisional(cal, c->accepted_at, c->legal_limit_days, p, np, now,
                           &legal, &pl, e))
        return cal_err(e);
    int64_t warn;
    int threshold = c->warn_workdays > 0 ? c->warn_workdays
                                         : dl_threshold(c->limit_days, -1);
    if (dl_warn_day(cal, due, threshold, day_of_ms(c->accepted_at), &warn, e))
        return cal_err(e);
    c->due_day = due;
    c->legal_due_day = legal;
    c->warn_day = warn;
    c->due_provisional = pd || pl;
    return 0;
}

/* The due, legal due and warn days from acceptance with the pauses. The
 * calendar was taken when the write was prepared; a provisional date is
 * checked against the calendar_rev this unit sees: when a year was
 * imported since (committed, or earlier in this batch), the calendar is
 * rebuilt on this connection and the clock counted again, so that no case
 * stays provisional behind an import's recomputation. (PostgreSQL: the
 * import takes store_order_lock exclusive first; this unit took it shared.) */
static int clock_days(struct ctx *x, const struct cal_pause *p, int np,
                      struct err *e)
{
    struct case_write *w = x->w;
    if (clock_with(w->cal, &x->c, p, np, x->now, e))
        return -1;
    if (!x->c.due_provisional)
        return 0;
    char rev[32] = "";
    if (store_meta_get(x->db, "calendar_rev", rev, sizeof rev, e))
        return -1;
    if (!strcmp(rev, w->cal->rev))
        return 0;
    struct app_cal *fresh;
    if (app_cal_build_on(x->db, &fresh, e))
        return -1;
    app_cal_release(w->cal);
    w->cal = fresh;
    return clock_with(w->cal, &x->c, p, np, x->now, e);
}

/* change — casefsm_check passed (x->to set); write the event and the row. */
static int change(struct ctx *x, enum case_action act, int step,
                  const char *reason, json_t *detail, struct err *e)
{
    char *text = NULL;
    if (detail) {
        text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(detail);
    }
    const char *from = x->c.state;
    struct case_event_row ev = {
        .action = casefsm_action_name(act),
        .from_state = from,
        .to_state = casefsm_state_name(x->to),
        .step = step,
        .actor_id = x->w->actor.user_id,
        .actor_login = x->w->actor.login[0] ? x->w->actor.login : NULL,
        .role = role_label(x->roles),
        .at = x->now,
        .reason = reason,
        .detail = text,
    };
    x->c.state = casefsm_state_name(x->to);
    x->c.updated_at = x->now;
    int rc = store_case_apply(x->db, &x->c, &ev, e);
    free(text);
    if (rc)
        return -1;
    x->c.revision++;
    return 0;
}

static int fsm(struct ctx *x, enum case_action act, int roles,
               const struct casefsm_in *in, struct err *e)
{
    return casefsm_check(casefsm_state_parse(x->c.state), act, roles, in,
                         &x->to, e);
}

/* Facts of the current step for the machine. */
static int step_facts(struct ctx *x, struct casefsm_in *in, struct err *e)
{
    const struct case_row *c = &x->c;
    in->immediate = !strcmp(c->kind, "immediate");
    in->steps_left = c->step >= x->plan.first && c->step < x->plan.end
                         ? x->plan.end - c->step
                         : 0;
    if (in->steps_left <= 0)
        return 0;
    const struct guide_step *s = &x->g.steps[c->step];
    in->step_parallel = s->parallel == 1;
    in->step_roles = casefsm_step_roles(s->role);
    if (!in->step_parallel)
        return 0;
    struct case_task_row *t;
    int n;
    if (store_case_tasks(x->db, c->id, x->w->a, &t, &n, e))
        return -1;
    for (int i = 0; i < n; i++) {
        if (t[i].step != c->step)
            continue;
        in->dispatched = 1;
        if (!t[i].answered_at)
            in->pending++;
    }
    return 0;
}

static void gen_code(char out[9])
{
    static const char k_abc[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    for (int i = 0; i < 8; i++)
        out[i] = k_abc[randombytes_uniform(32)];
    out[8] = '\0';
}

/* r1..r4: the ancestors of region at levels 1..4 (NULL below its level). */
static void ancestors(struct arena *a, const char *region, const char **r)
{
    static const int k_cut[] = {2, 4, 6, 9};
    int level = ids_division_level(region);
    for (int l = 1; l <= 4; l++) {
        if (l > level) {
            r[l - 1] = NULL;
            continue;
        }
        char buf[13];
        memset(buf, '0', 12);
        buf[12] = '\0';
        memcpy(buf, region, (size_t)k_cut[l - 1]);
        r[l - 1] = arena_strdup(a, buf);
    }
}

static json_t *summary_json(const struct case_row *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "case_no", json_string(c->case_no));
    json_object_set_new(o, "state", json_string(c->state));
    json_object_set_new(o, "state_title",
                        json_string(casefsm_state_title(
                            casefsm_state_parse(c->state))));
    json_object_set_new(o, "step", json_integer(c->step));
    json_object_set_new(o, "revision", json_integer(c->revision));
    json_object_set_new(o, "due_date", j_day(c->due_day));
    json_object_set_new(o, "legal_due_date", j_day(c->legal_due_day));
    json_object_set_new(o, "due_provisional", json_boolean(c->due_provisional));
    json_object_set_new(o, "decision", j_str(c->decision));
    json_object_set_new(o, "licence_no", j_str(c->licence_no));
    return o;
}

struct user_pick {
    struct arena *a;
    const char *kind, *name, *id_no, *credit, *phone;
};

static int pick_user(void *p, const struct user_row *r)
{
    struct user_pick *u = p;
    u->kind = arena_strdup(u->a, r->kind ? r->kind : "");
    u->name = arena_strdup(u->a, r->name ? r->name : "");
    u->id_no = r->id_no ? arena_strdup(u->a, r->id_no) : NULL;
    u->credit = r->credit_code ? arena_strdup(u->a, r->credit_code) : NULL;
    u->phone = r->phone ? arena_strdup(u->a, r->phone) : NULL;
    return 0;
}

/* proof_commitment — a material of source proof (at /materials/<i> of the
 * body) replaced by the commitment
 * the applicant signed (告知承诺): recorded by the proofs module in this
 * unit (app_evidence.h); its refusal names the material. */
static int proof_commitment(struct ctx *x, const struct guide_material *m,
                            int i, const char *item_code,
                            struct case_material_row *row, struct err *e)
{
    int64_t id = 0;
    if (!m->proof || !*m->proof ||
        app_evidence_commitment(x->db, &x->w->actor, x->c.case_no, m->proof,
                                x->c.applicant_id, item_code, &id, e)) {
        if (!m->proof || !*m->proof || e->code == ERR_INVALID ||
            e->code == ERR_NOT_FOUND) {
            char f[96];
            snprintf(f, sizeof f, "/materials/%d/commitment", i);
            return err_set(e, ERR_INVALID, f,
                           "该证明不能以告知承诺代替");
        }
        return -1;
    }
    row->status = "commitment";
    row->evidence_ref = arena_printf(x->w->a, "commitment:%lld",
                                     (long long)id);
    row->file = NULL;
    return 0;
}

/* submit_item — the item filed against (published, active) and its guide,
 * read on x->db. */
static int submit_item(struct ctx *x, struct case_item *it, struct err *e)
{
    struct case_write *w = x->w;
    if (store_case_item(x->db, w->item_id, w->a, it, e))
        return -1;
    if (it->version <= 0 || strcmp(it->state, "active") || !it->guide)
        return err_set(e, ERR_INVALID, "/item_id", "该事项尚未发布或已废止");
    return guide_of(w->app, it->item_id, it->version, it->guide, w->a, &x->g,
                    e);
}

/* mat_applies — material i of the guide is needed (not a conditional one
 * the application does not claim). */
static int mat_applies(const struct case_write *w, const struct guide_material *m,
                       int i)
{
    int applies = !m->need || strcmp(m->need, "conditional") != 0;
    for (int k = 0; !applies && k < w->n_conds; k++)
        if (w->conds[k] == i)
            applies = 1;
    return applies;
}

/* mat_looks_up — material m is one whose source may be looked up. */
static int mat_looks_up(const struct guide_material *m)
{
    return m->source && (!strcmp(m->source, "licence") ||
                         !strcmp(m->source, "shared_data") ||
                         !strcmp(m->source, "proof"));
}

/* submit_check — everything filing checks before it takes a number, on
 * x->db with reads only (so it also runs before the unit, on a read
 * connection, ahead of the evidence look-ups): who files for whom, the
 * agent, the state machine, conditions and materials. Fills x->c. */
static int submit_check(struct ctx *x, const struct case_item *itp,
                        struct err *e)
{
    struct case_write *w = x->w;
    struct arena *a = w->a;
    struct case_item it = *itp;
    struct case_row *c = &x->c;
    memset(c, 0, sizeof *c);
    c->item_id = it.item_id;
    c->item_version = it.version;
    c->org_id = it.org_id;
    c->region = it.region;
    c->kind = x->g.kind && !strcmp(x->g.kind, "immediate") ? "immediate"
                                                           : "committed";
    c->channel = w->channel;
    c->state = "none";
    c->filed_by = w->actor.user_id;
    c->limit_days = -1;
    c->legal_limit_days = -1;
    /* Who files: the applicant's own account, or staff for someone. */
    int roles = roles_on(&w->actor, it.region, it.org_id, 0, 0);
    if (is_applicant_account(&w->actor)) {
        struct user_pick u = {.a = a};
        /* The account's own identity, never the body's. */
        if (store_user_get(x->db, w->actor.user_id, pick_user, &u, e))
            return -1;
        roles |= CR_APPLICANT;
        c->applicant_user = w->actor.user_id;
        int natural = !strcmp(u.kind, "citizen");
        c->applicant_kind = natural ? "natural" : "legal";
        c->applicant_name = u.name;
        c->applicant_id = natural ? u.id_no : u.credit;
        c->applicant_phone = w->ap_phone ? w->ap_phone : u.phone;
        if (!c->applicant_id || !*c->applicant_name)
            return err_set(e, ERR_INVALID, "/applicant",
                           "账号缺少证件信息，不能网上申请");
    } else {
        if (!w->ap_kind)
            return err_set(e, ERR_INVALID, "/applicant", "缺少申请人信息");
        c->applicant_kind = w->ap_kind;
        c->applicant_name = w->ap_name;
        c->applicant_id = w->ap_id;
        c->applicant_phone = w->ap_phone;
    }
    if (!roles)
        return err_set(e, ERR_FORBIDDEN, "", "无权在该区划受理此事项");
    /* The agent: the village agent who files, or a person the applicant
     * sent, recorded apart from the applicant. */
    const char *entrust = w->ag_entrust;
    c->agent_name = w->ag_name;
    c->agent_id_no = w->ag_id;
    c->agent_phone = w->ag_phone;
    if (w->channel && !strcmp(w->channel, "agent") && !c->agent_name)
        c->agent_name = w->actor.login[0] ? arena_strdup(a, w->actor.login)
                                          : NULL;
    if (entrust) {
        int ex = store_file_exists(x->db, entrust, e);
        if (ex < 0)
            return -1;
        if (!ex)
            return err_set(e, ERR_INVALID, "/agent/entrustment",
                           "委托书文件尚未上传");
        c->entrustment = entrust;
    }
    struct casefsm_in in = {.channel = w->channel, .entrustment = entrust};
    x->roles = roles;
    if (fsm(x, CA_SUBMIT, roles, &in, e))
        return -1;
    if (!strcmp(c->applicant_kind, "natural") &&
        strlen(c->applicant_id) != 18)
        return err_set(e, ERR_INVALID, "/applicant/id_no", "身份证号应为18位");
    /* Conditions and materials name the guide's materials by index. */
    for (int i = 0; i < w->n_conds; i++)
        if (w->conds[i] >= x->g.n_materials ||
            !x->g.materials[w->conds[i]].need ||
            strcmp(x->g.materials[w->conds[i]].need, "conditional")) {
            char f[96];
            snprintf(f, sizeof f, "/conditions/%d", i);
            return err_set(e, ERR_INVALID, f, "该序号不是条件性材料");
        }
    for (int i = 0; i < w->n_mats; i++) {
        char f[96];
        if (w->mats[i].index >= x->g.n_materials) {
            snprintf(f, sizeof f, "/materials/%d/index", i);
            return err_set(e, ERR_INVALID, f, "办事指南没有这项材料");
        }
        const struct guide_material *m = &x->g.materials[w->mats[i].index];
        if (w->mats[i].commitment &&
            (!m->source || (strcmp(m->source, "commitment") &&
                            strcmp(m->source, "proof")))) {
            snprintf(f, sizeof f, "/materials/%d/commitment", i);
            return err_set(e, ERR_INVALID, f, "该材料不能以承诺代替");
        }
        if (w->mats[i].file) {
            int ex = store_file_exists(x->db, w->mats[i].file, e);
            if (ex < 0)
                return -1;
            if (!ex) {
                snprintf(f, sizeof f, "/materials/%d/file", i);
                return err_set(e, ERR_INVALID, f, "文件尚未上传");
            }
        }
    }
    return 0;
}

/* lookup_of — the look-up made before the unit for material i, NULL when
 * none was (the material is not one to look up). */
static struct evidence_lookup *lookup_of(struct case_write *w, int i)
{
    for (int k = 0; k < w->n_lk; k++)
        if (w->lk[k].index == i)
            return &w->lk[k];
    return NULL;
}

static int unit_submit(struct ctx *x, struct err *e)
{
    struct case_write *w = x->w;
    struct arena *a = w->a;
    struct case_item it;
    if (submit_item(x, &it, e) || submit_check(x, &it, e))
        return -1;
    struct case_row *c = &x->c;
    /* The look-ups were made for this guide version and applicant before
     * the unit (app_case_submit_lookups); if either moved since, they do
     * not answer this filing. */
    if (!w->looked_up)
        return err_set(e, ERR_INTERNAL, NULL, "内部错误：材料尚未查验");
    if (w->n_lk && w->lk_version != it.version)
        return err_set(e, ERR_CONFLICT, "/item_id",
                       "办事指南刚刚更新，请重新提交");
    for (int k = 0; k < w->n_lk; k++)
        if (strcmp(w->lk[k].subject, c->applicant_id))
            return err_set(e, ERR_CONFLICT, "/applicant",
                           "申请人信息刚刚变更，请重新提交");
    /* The number: region, Shanghai date, the day's sequence. */
    int64_t day = day_of_ms(x->now), seq;
    if (store_case_next_seq(x->db, it.region, day, &seq, e))
        return -1;
    struct cal_date d = cal_date_of_day_number(day);
    snprintf(w->case_no, sizeof w->case_no, "%s-%04d%02d%02d-%06lld",
             it.region, d.y, d.m, d.d, (long long)seq);
    char code[9];
    gen_code(code);
    c->case_no = w->case_no;
    c->query_code = arena_strdup(a, code);
    const char *r[4];
    ancestors(a, it.region, r);
    c->r1 = r[0];
    c->r2 = r[1];
    c->r3 = r[2];
    c->r4 = r[3];
    c->submitted_at = x->now;
    c->step = 0;
    c->updated_at = x->now;
    if (store_case_insert(x->db, c, &c->id, e))
        return -1;
    c->revision = 1;
    /* Materials: each looked up, given, promised, missing or not needed. */
    json_t *missing = json_array();
    for (int i = 0; i < x->g.n_materials; i++) {
        const struct guide_material *m = &x->g.materials[i];
        struct case_material_row row = {.idx = i,
                                        .name = m->name ? m->name : "",
                                        .need = m->need ? m->need : "",
                                        .source = m->source ? m->source : "",
                                        .status = "missing"};
        int applies = mat_applies(w, m, i);
        const struct mat_in *given = NULL;
        for (int k = 0; k < w->n_mats; k++)
            if (w->mats[k].index == i)
                given = &w->mats[k];
        if (!applies) {
            row.status = "not_applicable";
        } else if (mat_looks_up(m)) {
            /* Made before the unit; recorded here, with the case. */
            struct evidence_lookup *lk = lookup_of(w, i);
            struct evidence ev = {0};
            if (lk) {
                if (app_evidence_log(x->db, &w->actor, c->case_no, NULL, lk,
                                     e)) {
                    json_decref(missing);
                    return -1;
                }
                ev = lk->ev;
            }
            if (ev.kind != EVIDENCE_NONE) {
                row.status = "evidence";
                row.evidence_ref = arena_strdup(a, ev.ref);
                row.evidence_summary = arena_strdup(a, ev.summary);
                row.lookup_id = ev.lookup_id;
            } else if (given && given->commitment) {
                /* A proof replaced by the applicant's commitment. */
                if (proof_commitment(x, m, (int)(given - w->mats), it.code,
                                     &row, e)) {
                    json_decref(missing);
                    return -1;
                }
            } else if (given && given->file) {
                row.status = "provided";
                row.file = given->file;
            }
        } else if (given && given->commitment) {
            row.status = "commitment";
        } else if (given && given->file) {
            row.status = "provided";
            row.file = given->file;
        }
        if (!strcmp(row.status, "missing"))
            json_array_append_new(missing,
                                  json_pack("{s:i, s:s}", "index", i, "name",
                                            row.name));
        if (store_case_material_put(x->db, c->id, &row, x->now, e)) {
            json_decref(missing);
            return -1;
        }
    }
    json_t *detail = json_pack("{s:s, s:i}", "channel", c->channel,
                               "item_version", c->item_version);
    if (c->agent_name)
        json_object_set_new(detail, "agent", json_string(c->agent_name));
    char *text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(detail);
    struct case_event_row ev = {
        .case_id = c->id,
        .action = "submit",
        .from_state = NULL,
        .to_state = "submitted",
        .step = -1,
        .actor_id = w->actor.user_id,
        .actor_login = w->actor.login[0] ? w->actor.login : NULL,
        .role = role_label(x->roles),
        .at = x->now,
        .detail = text,
    };
    int rc = store_case_event_add(x->db, &ev, e);
    free(text);
    if (rc) {
        json_decref(missing);
        return -1;
    }
    c->state = "submitted";
    if (audit_case(x->db, w, "case.submit", c->case_no, c->region, c->state,
                   e)) {
        json_decref(missing);
        return -1;
    }
    w->out = summary_json(c);
    json_object_set_new(w->out, "query_code", json_string(c->query_code));
    json_object_set_new(w->out, "missing", missing);
    return 0;
}

/* Materials given again after a notice (supply). */
static int put_given(struct ctx *x, const struct case_material_row *rows,
                     int n, int only_noticed, struct err *e)
{
    struct case_write *w = x->w;
    for (int i = 0; i < w->n_mats; i++) {
        char f[96];
        const struct case_material_row *r = NULL;
        for (int k = 0; k < n; k++)
            if (rows[k].idx == w->mats[i].index)
                r = &rows[k];
        if (!r || !strcmp(r->status, "not_applicable")) {
            snprintf(f, sizeof f, "/materials/%d/index", i);
            return err_set(e, ERR_INVALID, f, "该办件不需要这项材料");
        }
        if (only_noticed && !r->noticed) {
            snprintf(f, sizeof f, "/materials/%d/index", i);
            return err_set(e, ERR_INVALID, f, "该材料不在补正告知之列");
        }
        struct case_material_row m = *r;
        if (w->mats[i].commitment && !strcmp(r->source, "proof")) {
            if (r->idx >= x->g.n_materials ||
                proof_commitment(x, &x->g.materials[r->idx], i,
                                 x->c.item_code, &m, e))
                return -1;
        } else if (w->mats[i].commitment) {
            if (strcmp(r->source, "commitment")) {
                snprintf(f, sizeof f, "/materials/%d/commitment", i);
                return err_set(e, ERR_INVALID, f, "该材料不能以承诺代替");
            }
            m.status = "commitment";
            m.file = NULL;
        } else {
            int ex = store_file_exists(x->db, w->mats[i].file, e);
            if (ex < 0)
                return -1;
            if (!ex) {
                snprintf(f, sizeof f, "/materials/%d/file", i);
                return err_set(e, ERR_INVALID, f, "文件尚未上传");
            }
            m.status = "provided";
            m.file = w->mats[i].file;
        }
        if (store_case_material_put(x->db, x->c.id, &m, x->now, e))
            return -1;
    }
    return 0;
}

static int do_decide(struct ctx *x, int roles, struct err *e)
{
    struct case_write *w = x->w;
    struct case_row *c = &x->c;
    struct casefsm_in in = {.decision = w->decision,
                            .reason = w->reason,
                            .basis = w->basis};
    if (step_facts(x, &in, e) || fsm(x, CA_DECIDE, roles, &in, e))
        return -1;
    c->decision = w->decision;
    c->decided_at = x->now;
    c->warn_day = 0;
    if (!strcmp(w->decision, "grant")) {
        c->result = w->result ? w->result
                              : (x->g.result_name ? x->g.result_name : "准予");
        if (x->g.result_e_licence == 1) {
            char number[64] = "";
            if (app_licence_issue(x->db, &w->actor,
                                  x->g.result_name ? x->g.result_name
                                                   : c->item_name,
                                  c->applicant_id, c->applicant_name,
                                  c->org_id, c->case_no, w->valid_until_ms,
                                  number, e))
                return -1;
            c->licence_no = arena_strdup(w->a, number);
        }
    } else {
        c->result = w->result;
    }
    if (x->plan.decision >= 0)
        c->step = x->plan.decision + 1;
    else if (c->step < x->plan.end)
        c->step = x->plan.end;
    json_t *d = json_pack("{s:s}", "decision", w->decision);
    if (w->basis)
        json_object_set_new(d, "basis", json_string(w->basis));
    if (c->result)
        json_object_set_new(d, "result", json_string(c->result));
    if (c->licence_no)
        json_object_set_new(d, "licence_no", json_string(c->licence_no));
    if (c->due_day)
        json_object_set_new(d, "on_time",
                            json_boolean(day_of_ms(x->now) <= c->due_day));
    return change(x, CA_DECIDE, x->plan.decision, w->reason, d, e);
}

static int do_deliver(struct ctx *x, const char *method, const char *tracking,
                      struct err *e)
{
    struct case_row *c = &x->c;
    struct casefsm_in in = {.method = method, .tracking_no = tracking};
    if (fsm(x, CA_DELIVER, x->roles, &in, e))
        return -1;
    c->delivery_method = method;
    c->tracking_no = tracking;
    c->step = x->g.n_steps;
    json_t *d = json_pack("{s:s}", "method", method);
    if (tracking)
        json_object_set_new(d, "tracking_no", json_string(tracking));
    return change(x, CA_DELIVER, -1, NULL, d, e);
}

static int do_close(struct ctx *x, struct err *e)
{
    struct casefsm_in in = {0};
    if (fsm(x, CA_CLOSE, x->roles, &in, e))
        return -1;
    x->c.closed_at = x->now;
    return change(x, CA_CLOSE, -1, NULL, NULL, e);
}

static int unit_action(struct ctx *x, struct err *e)
{
    struct case_write *w = x->w;
    struct arena *a = w->a;
    struct case_row *c = &x->c;
    if (store_case_get(x->db, w->no, a, c, e))
        return -1;
    snprintf(w->case_no, sizeof w->case_no, "%s", c->case_no);
    x->roles = roles_on(&w->actor, c->region, c->org_id, c->applicant_user,
                        c->filed_by);
    if (!x->roles && !may_read(&w->actor, c)) {
        /* Staff of a department the case was sent to see it too. */
        struct case_task_row *t;
        int nt;
        if (store_case_tasks(x->db, c->id, a, &t, &nt, e))
            return -1;
        if (!task_visible(&w->actor, t, nt))
            return err_set(e, ERR_NOT_FOUND, NULL, "没有这个办件");
    }
    if (w->revision && w->revision != c->revision)
        return err_set(e, ERR_CONFLICT, "/revision",
                       "办件已被他人修改，请刷新后重试");
    if (guide_of(w->app, c->item_id, c->item_version, c->guide, a, &x->g, e))
        return -1;
    casefsm_plan(&x->g, &x->plan);
    struct casefsm_in in = {0};
    switch (w->act) {
    case CA_NOTICE: {
        struct case_material_row *rows;
        int n;
        if (store_case_materials(x->db, c->id, a, &rows, &n, e))
            return -1;
        in.n_items = w->n_items;
        for (int i = 0; i < w->n_items; i++) {
            struct case_material_row *r = NULL;
            for (int k = 0; k < n; k++)
                if (rows[k].idx == w->items[i].index)
                    r = &rows[k];
            char f[96];
            snprintf(f, sizeof f, "/items/%d/index", i);
            if (!r || !strcmp(r->status, "not_applicable"))
                return err_set(e, ERR_INVALID, f, "该办件不需要这项材料");
            if (!strcmp(r->status, "evidence"))
                return err_set(e, ERR_INVALID, f,
                               "该材料已通过电子证照或共享数据获取，"
                               "不得要求申请人提供");
            if (c->notices > 0 && !r->noticed)
                in.renotice_bad = 1;
        }
        if (fsm(x, CA_NOTICE, x->roles, &in, e))
            return -1;
        json_t *list = json_array();
        for (int i = 0; i < w->n_items; i++) {
            struct case_material_row *r = NULL;
            for (int k = 0; k < n; k++)
                if (rows[k].idx == w->items[i].index)
                    r = &rows[k];
            r->noticed = 1;
            r->notice_reason = w->items[i].reason;
            if (strcmp(r->status, "commitment"))
                r->status = "missing";
            r->file = !strcmp(r->status, "missing") ? NULL : r->file;
            if (store_case_material_put(x->db, c->id, r, x->now, e)) {
                json_decref(list);
                return -1;
            }
            json_array_append_new(list, json_pack("{s:i, s:s, s:s}", "index",
                                                  r->idx, "name", r->name,
                                                  "reason", r->notice_reason));
        }
        c->notices++;
        return change(x, CA_NOTICE, -1, NULL,
                      json_pack("{s:o, s:i}", "items", list, "notice",
                                c->notices),
                      e);
    }
    case CA_SUPPLY: {
        struct case_material_row *rows;
        int n;
        if (fsm(x, CA_SUPPLY, x->roles, &in, e) ||
            store_case_materials(x->db, c->id, a, &rows, &n, e) ||
            put_given(x, rows, n, 1, e))
            return -1;
        return change(x, CA_SUPPLY, -1, NULL,
                      json_pack("{s:i}", "materials", w->n_mats), e);
    }
    case CA_ACCEPT: {
        struct case_material_row *rows;
        int n;
        if (store_case_materials(x->db, c->id, a, &rows, &n, e))
            return -1;
        for (int i = 0; i < n; i++)
            if (!strcmp(rows[i].status, "missing"))
                in.missing++;
        if (fsm(x, CA_ACCEPT, x->roles, &in, e))
            return -1;
        int immediate = !strcmp(c->kind, "immediate");
        c->accepted_at = x->now;
        c->limit_days = immediate ? 0 : x->g.committed_limit_days;
        c->legal_limit_days = immediate ? 0 : x->g.legal_limit_days;
        if (c->limit_days < 0)
            c->limit_days = c->legal_limit_days;
        if (c->limit_days < 0)
            return err_set(e, ERR_INVALID, "", "事项未设定办理时限，无法受理");
        if (c->legal_limit_days < c->limit_days)
            c->legal_limit_days = c->limit_days;
        if (immediate && !w->decision)
            return err_set(e, ERR_INVALID, "/decision",
                           "即办件应当场作出决定（grant 或 deny）");
        /* The yellow threshold of the version filed under, frozen here. */
        c->warn_workdays = dl_threshold(c->limit_days, x->g.warning_workdays);
        if (clock_days(x, NULL, 0, e))
            return -1;
        c->step = x->plan.first;
        json_t *d = json_pack("{s:i}", "limit_days", c->limit_days);
        char due[11];
        fmt_day(c->due_day, due);
        json_object_set_new(d, "due_date", json_string(due));
        if (c->due_provisional)
            json_object_set_new(d, "due_provisional", json_true());
        if (w->opinion)
            json_object_set_new(d, "opinion", json_string(w->opinion));
        if (change(x, CA_ACCEPT, x->plan.intake, NULL, d, e))
            return -1;
        if (!immediate)
            return 0;
        /* 即办件: decided, handed over and closed in the same sitting. */
        if (do_decide(x, x->roles, e))
            return -1;
        return do_deliver(x, w->method ? w->method : "pickup", w->tracking,
                          e) ||
                       do_close(x, e)
                   ? -1
                   : 0;
    }
    case CA_REFUSE:
        in.reason = w->reason;
        in.basis = w->basis;
        if (fsm(x, CA_REFUSE, x->roles, &in, e))
            return -1;
        c->closed_at = x->now;
        return change(x, CA_REFUSE, -1, w->reason,
                      json_pack("{s:s}", "basis", w->basis), e);
    case CA_DISPATCH: {
        in.n_departments = w->n_depts;
        if (step_facts(x, &in, e) || fsm(x, CA_DISPATCH, x->roles, &in, e))
            return -1;
        json_t *list = json_array();
        for (int i = 0; i < w->n_depts; i++) {
            const char *reg, *name;
            struct err e2 = {0};
            if (store_case_org(x->db, w->depts[i], a, &reg, &name, &e2)) {
                json_decref(list);
                if (e2.code == ERR_NOT_FOUND) {
                    char f[96];
                    snprintf(f, sizeof f, "/departments/%d", i);
                    return err_set(e, ERR_INVALID, f, "没有这个部门");
                }
                *e = e2;
                return -1;
            }
            if (store_case_task_add(x->db, c->id, c->step, w->depts[i], e)) {
                json_decref(list);
                return -1;
            }
            json_array_append_new(list, json_pack("{s:I, s:s}", "id",
                                                  (json_int_t)w->depts[i],
                                                  "name", name));
        }
        return change(x, CA_DISPATCH, c->step, NULL,
                      json_pack("{s:o}", "departments", list), e);
    }
    case CA_ANSWER: {
        const char *reg, *name;
        struct err e2 = {0};
        if (store_case_org(x->db, w->dept, a, &reg, &name, &e2)) {
            if (e2.code == ERR_NOT_FOUND)
                return err_set(e, ERR_INVALID, "/department", "没有这个部门");
            *e = e2;
            return -1;
        }
        /* Those who answer for a department are its own staff. */
        int roles = roles_on(&w->actor, reg, w->dept, 0, 0) &
                    (CR_REVIEWER | CR_DECIDER);
        in.opinion = w->opinion;
        if (step_facts(x, &in, e) || fsm(x, CA_ANSWER, roles, &in, e))
            return -1;
        int64_t changed = 0;
        int step = c->step;
        if (store_case_task_answer(x->db, c->id, step, w->dept, w->opinion,
                                   w->actor.user_id, w->actor.login, x->now,
                                   &changed, e))
            return -1;
        if (changed != 1)
            return err_set(e, ERR_CONFLICT, "/department",
                           "该部门不在分送之列或已答复");
        int saved = x->roles;
        x->roles = roles;
        if (change(x, CA_ANSWER, step, NULL,
                   json_pack("{s:I, s:s, s:s}", "department",
                             (json_int_t)w->dept, "name", name, "opinion",
                             w->opinion),
                   e))
            return -1;
        x->roles = saved;
        if (in.pending > 1)
            return 0;
        /* The last answer completes the parallel step. */
        c->step++;
        x->to = casefsm_state_parse(c->state);
        x->roles = roles;
        return change(x, CA_STEP, step, "各部门均已答复",
                      json_pack("{s:s}", "step",
                                x->g.steps[step].name ? x->g.steps[step].name
                                                      : ""),
                      e);
    }
    case CA_STEP: {
        in.opinion = w->opinion;
        if (step_facts(x, &in, e) || fsm(x, CA_STEP, x->roles, &in, e))
            return -1;
        int step = c->step++;
        return change(x, CA_STEP, step, NULL,
                      json_pack("{s:s, s:s}", "step",
                                x->g.steps[step].name ? x->g.steps[step].name
                                                      : "",
                                "opinion", w->opinion),
                      e);
    }
    case CA_PAUSE: {
        in.pause_kind = w->pause_kind;
        in.reason = w->reason;
        in.limit_days = (int)w->limit_days;
        if (fsm(x, CA_PAUSE, x->roles, &in, e))
            return -1;
        struct case_pause_row *ps;
        int np;
        if (store_case_pauses(x->db, c->id, a, &ps, &np, e))
            return -1;
        struct case_pause_row p = {.n = np + 1,
                                   .kind = w->pause_kind,
                                   .reason = w->reason,
                                   .limit_days = (int)w->limit_days,
                                   .start_at = x->now};
        if (store_case_pause_add(x->db, c->id, &p, e))
            return -1;
        c->paused_at = x->now;
        c->warn_day = 0;
        return change(x, CA_PAUSE, -1, w->reason,
                      json_pack("{s:s, s:i}", "kind", w->pause_kind,
                                "limit_days", (int)w->limit_days),
                      e);
    }
    case CA_RESUME: {
        if (fsm(x, CA_RESUME, x->roles, &in, e))
            return -1;
        if (store_case_pause_end(x->db, c->id, x->now, e))
            return -1;
        struct case_pause_row *ps;
        int np;
        if (store_case_pauses(x->db, c->id, a, &ps, &np, e))
            return -1;
        struct cal_pause *p = arena_alloc(a, sizeof *p * (np ? np : 1));
        for (int i = 0; i < np; i++) {
            p[i].start_ms = ps[i].start_at;
            p[i].end_ms = ps[i].end_at ? ps[i].end_at : x->now;
        }
        c->paused_at = 0;
        if (clock_days(x, p, np, e))
            return -1;
        json_t *d = json_object();
        char due[11];
        fmt_day(c->due_day, due);
        json_object_set_new(d, "due_date", json_string(due));
        if (c->due_provisional)
            json_object_set_new(d, "due_provisional", json_true());
        if (w->opinion)
            json_object_set_new(d, "opinion", json_string(w->opinion));
        return change(x, CA_RESUME, -1, NULL, d, e);
    }
    case CA_DECIDE:
        return do_decide(x, x->roles, e);
    case CA_DELIVER:
        return do_deliver(x, w->method, w->tracking, e);
    case CA_CLOSE:
        return do_close(x, e);
    case CA_WITHDRAW:
        in.reason = w->reason;
        if (fsm(x, CA_WITHDRAW, x->roles, &in, e))
            return -1;
        c->warn_day = 0;
        c->paused_at = 0;
        c->closed_at = x->now;
        return change(x, CA_WITHDRAW, -1, w->reason, NULL, e);
    case CA_FEE:
        in.amount_fen = w->amount;
        in.receipt_no = w->receipt;
        if (fsm(x, CA_FEE, x->roles, &in, e))
            return -1;
        return change(x, CA_FEE, -1, NULL,
                      json_pack("{s:I, s:s}", "amount_fen",
                                (json_int_t)w->amount, "receipt_no",
                                w->receipt),
                      e);
    default:
        return err_set(e, ERR_INVALID, "", "未知的办件操作");
    }
}

int app_case_write_unit(struct db *db, void *arg, struct err *e)
{
    struct case_write *w = arg;
    json_decref(w->out);
    w->out = NULL;
    struct ctx x = {.w = w, .db = db, .now = now_or(w->now)};
    /* Ordered against a calendar import (store_order_lock). */
    if (store_order_lock(db, 0, e))
        return -1;
    if (w->act == CA_SUBMIT)
        return unit_submit(&x, e);
    if (unit_action(&x, e))
        return -1;
    char action[32];
    snprintf(action, sizeof action, "case.%s", casefsm_action_name(w->act));
    if (audit_case(db, w, action, x.c.case_no, x.c.region, x.c.state, e))
        return -1;
    w->out = summary_json(&x.c);
    return 0;
}

int app_case_submit_lookups(struct app *app, struct case_write *w,
                            struct err *e)
{
    if (w->act != CA_SUBMIT || w->looked_up)
        return 0;
    struct db *db = store_read(app->store, e);
    if (!db)
        return -1;
    struct ctx x = {.w = w, .db = db, .now = now_or(w->now)};
    struct case_item it;
    int rc = submit_item(&x, &it, e);
    int n = 0;
    for (int i = 0; rc == 0 && i < x.g.n_materials; i++)
        n += mat_applies(w, &x.g.materials[i], i) &&
             mat_looks_up(&x.g.materials[i]);
    /* Nothing to look up: the unit checks the rest. Else the same checks
     * as the unit first (who may file for whom), so that no look-up is
     * made for a filing that would be refused. */
    if (rc == 0 && n)
        rc = submit_check(&x, &it, e);
    if (rc == 0 && n) {
        w->lk = arena_alloc(w->a, sizeof *w->lk * (size_t)n);
        for (int i = 0; rc == 0 && i < x.g.n_materials; i++) {
            const struct guide_material *m = &x.g.materials[i];
            if (!mat_applies(w, m, i) || !mat_looks_up(m))
                continue;
            int got = app_evidence_prepare(db, w->a, m, i, x.c.applicant_id,
                                           &w->lk[w->n_lk], e);
            if (got < 0)
                rc = -1;
            else
                w->n_lk += got;
        }
    }
    store_read_done(app->store, db);
    if (rc)
        return -1;
    /* The remote ones with no connection held. */
    for (int k = 0; k < w->n_lk; k++)
        app_evidence_fetch(&w->lk[k]);
    w->lk_version = it.version;
    w->looked_up = 1;
    return 0;
}

int app_case_write_lookups(const struct case_write *w)
{
    return w->n_lk;
}

int app_case_lookup_log_unit(struct db *db, void *arg, struct err *e)
{
    struct case_write *w = arg;
    for (int k = 0; k < w->n_lk; k++)
        if (app_evidence_log(db, &w->actor, NULL, "办件未能提交", &w->lk[k],
                             e))
            return -1;
    return 0;
}

int app_case_write_run(struct app *app, struct case_write *w, struct err *e)
{
    if (app_case_submit_lookups(app, w, e))
        return -1;
    int rc = store_write(app->store, app_case_write_unit, w, e);
    if (rc && w->n_lk) {
        /* The case was not made; its look-ups were: log them alone. */
        struct err e2 = {0};
        if (store_write(app->store, app_case_lookup_log_unit, w, &e2))
            log_msg(LOG_ERROR, "sharing_log",
                    "look-ups of a filing that failed not logged: %s %s",
                    e2.msg, e2.log);
    }
    return rc;
}

/* ---- recomputing provisional due dates -------------------------------------
 */

int app_cases_recompute_provisional(struct db *db, const struct app_cal *cal,
                                    int64_t now, const struct actor *by,
                                    int *changed, struct err *e)
{
    *changed = 0;
    struct arena *a = arena_new();
    if (!a)
        return err_set(e, ERR_INTERNAL, NULL, "内存不足");
    struct case_row *rows;
    int n;
    if (store_case_provisional(db, a, &rows, &n, e))
        goto fail;
    for (int i = 0; i < n; i++) {
        struct case_row *c = &rows[i];
        struct case_row was = *c;
        struct case_pause_row *ps;
        int np;
        if (store_case_pauses(db, c->id, a, &ps, &np, e))
            goto fail;
        /* The pauses ended so far, as at the last accept or resume; a
         * paused case keeps no warn day (its clock stands). */
        struct cal_pause *p = arena_alloc(a, sizeof *p * (np ? np : 1));
        int k = 0;
        for (int j = 0; j < np; j++)
            if (ps[j].end_at)
                p[k++] = (struct cal_pause){ps[j].start_at, ps[j].end_at};
        if (clock_with(cal, c, p, k, now, e)) {
            err_log(e, " (case %s)", c->case_no);
            goto fail;
        }
        if (!strcmp(c->state, "paused"))
            c->warn_day = 0;
        if (c->due_day == was.due_day &&
            c->legal_due_day == was.legal_due_day &&
            c->warn_day == was.warn_day &&
            c->due_provisional == was.due_provisional)
            continue;
        c->updated_at = now;
        if (store_case_set_clock(db, c, e))
            goto fail;
        /* Not an action of the case (no event, casefsm.h): the audit log
         * records each change, system-wide actor or the importer. */
        json_t *detail = json_pack(
            "{s:{s:o, s:o, s:b}, s:{s:o, s:o, s:b}}", "from", "due_date",
            j_day(was.due_day), "legal_due_date", j_day(was.legal_due_day),
            "provisional", was.due_provisional, "to", "due_date",
            j_day(c->due_day), "legal_due_date", j_day(c->legal_due_day),
            "provisional", c->due_provisional);
        struct audit_entry en = {0};
        audit_entry_actor(&en, by);
        en.action = "case.due_recomputed";
        en.target_kind = "case";
        en.target_id = c->case_no;
        en.region = c->region;
        en.outcome = "ok";
        en.detail = detail;
        int rc = app_audit_unit_record(db, &en, e);
        json_decref(detail);
        if (rc)
            goto fail;
        (*changed)++;
    }
    arena_free(a);
    return 0;
fail:
    arena_free(a);
    return -1;
}

/* ---- reads ------------------------------------------------------------------
 */

/* Everything about one case, read on one connection. */
struct case_full {
    struct case_row c;
    struct guide g;
    struct casefsm_plan plan;
    struct case_material_row *mats;
    int n_mats;
    struct case_event_row *evs;
    int n_evs;
    struct case_task_row *tasks;
    int n_tasks;
    struct case_pause_row *pauses;
    int n_pauses;
    const char *legal_basis; /* the base item's, JSON text */
    const char *due_note;    /* plain words on a provisional due date */
};

static int load_full(struct app *app, struct db *db, const char *no,
                     struct arena *a, struct case_full *f, struct err *e)
{
    memset(f, 0, sizeof *f);
    if (store_case_get(db, no, a, &f->c, e) ||
        guide_of(app, f->c.item_id, f->c.item_version, f->c.guide, a, &f->g, e))
        return -1;
    casefsm_plan(&f->g, &f->plan);
    struct case_item it;
    if (store_case_materials(db, f->c.id, a, &f->mats, &f->n_mats, e) ||
        store_case_events(db, f->c.id, a, &f->evs, &f->n_evs, e) ||
        store_case_tasks(db, f->c.id, a, &f->tasks, &f->n_tasks, e) ||
        store_case_pauses(db, f->c.id, a, &f->pauses, &f->n_pauses, e) ||
        store_case_item(db, f->c.item_id, a, &it, e))
        return -1;
    f->legal_basis = it.legal_basis;
    return 0;
}

/* due_note — for a provisional due date, plain words (zh-CN) naming the
 * years whose holidays are not yet known and saying that the date may
 * change once they are imported; NULL otherwise. */
static const char *due_note(struct app *app, struct arena *a,
                            const struct case_row *c)
{
    if (!c->due_provisional || !c->accepted_at)
        return NULL;
    struct err e2 = {0};
    struct app_cal *ac = app_cal_acquire(app, &e2);
    int64_t last =
        c->legal_due_day > c->due_day ? c->legal_due_day : c->due_day;
    int64_t today = day_of_ms(store_now_ms());
    if (c->paused_at && today > last)
        last = today;
    int y0 = cal_date_of_day_number(day_of_ms(c->accepted_at) + 1).y;
    int y1 = cal_date_of_day_number(last).y;
    char years[96] = "";
    size_t n = 0;
    int k = 0;
    for (int y = y0; y <= y1 && k < 4; y++) {
        if (ac && cal_has_year(ac->cal, y))
            continue;
        n += (size_t)snprintf(years + n, sizeof years - n, "%s%d",
                              k ? "、" : "", y);
        k++;
    }
    if (ac)
        app_cal_release(ac);
    if (!k)
        snprintf(years, sizeof years, "%d", y1);
    return arena_printf(
        a,
        "办结日期为暂定日期：%s年的法定节假日安排尚未导入，其间暂按周一至"
        "周五为工作日、不计节假日推算。国务院办公厅公布的%s年节假日安排"
        "导入后，办结日期将重新计算，可能调整。",
        years, years);
}

static int open_full(struct app *app, const struct actor *actor,
                     const char *no, struct arena *a, struct case_full *f,
                     struct err *e)
{
    if (!no || !*no || strlen(no) > 60)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个办件");
    struct db *db = store_read(app->store, e);
    if (!db)
        return -1;
    int rc = load_full(app, db, no, a, f, e);
    store_read_done(app->store, db);
    if (rc)
        return -1;
    if (actor && !may_read(actor, &f->c) &&
        !task_visible(actor, f->tasks, f->n_tasks))
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个办件");
    f->due_note = due_note(app, a, &f->c);
    return 0;
}

static void audit_read(struct app *app, const struct actor *actor,
                       const struct case_row *c, const char *action)
{
    struct audit_entry en = {0};
    audit_entry_actor(&en, actor);
    en.action = action;
    en.target_kind = "case";
    en.target_id = c->case_no;
    en.region = c->region;
    en.outcome = "ok";
    app_audit_submit(app, &en);
}

static const char *step_name(const struct guide *g, int i)
{
    return i >= 0 && i < g->n_steps && g->steps[i].name ? g->steps[i].name
                                                        : NULL;
}

static enum dl_level level_now(const struct case_row *c, int64_t today)
{
    return c->warn_day ? dl_level_of(today, c->due_day, c->warn_day)
                       : DL_GREEN;
}

/* level_json — the deadline level shown for a case: green, yellow or red
 * while its clock runs, "paused" while it stands (a paused case is not
 * counted down, so it is never yellow or red), null otherwise. */
static json_t *level_json(const struct case_row *c, int64_t today)
{
    if (c->warn_day)
        return json_string(dl_level_name(level_now(c, today)));
    if (!strcmp(c->state, "paused"))
        return json_string("paused");
    return json_null();
}

static json_t *detail_json(const char *text)
{
    json_t *d = text ? json_loads(text, 0, NULL) : NULL;
    return d ? d : json_object();
}

static json_t *full_json(const struct case_full *f, int64_t today)
{
    const struct case_row *c = &f->c;
    json_t *o = summary_json(c);
    json_object_set_new(o, "query_code", json_string(c->query_code));
    json_object_set_new(o, "item",
                        json_pack("{s:I, s:s, s:s, s:i}", "id",
                                  (json_int_t)c->item_id, "code",
                                  c->item_code, "name", c->item_name,
                                  "version", c->item_version));
    json_object_set_new(o, "org", json_pack("{s:I, s:s}", "id",
                                            (json_int_t)c->org_id, "name",
                                            c->org_name));
    json_object_set_new(o, "region", json_string(c->region));
    json_object_set_new(o, "kind", json_string(c->kind));
    json_object_set_new(o, "channel", json_string(c->channel));
    json_t *ap = json_pack("{s:s, s:s}", "kind", c->applicant_kind, "name",
                           c->applicant_name);
    json_object_set_new(ap, !strcmp(c->applicant_kind, "natural")
                                ? "id_no"
                                : "credit_code",
                        json_string(c->applicant_id));
    json_object_set_new(ap, "phone", j_str(c->applicant_phone));
    json_object_set_new(o, "applicant", ap);
    if (c->agent_name)
        json_object_set_new(
            o, "agent",
            json_pack("{s:s, s:o, s:o, s:o}", "name", c->agent_name, "id_no",
                      j_str(c->agent_id_no), "phone", j_str(c->agent_phone),
                      "entrustment", j_str(c->entrustment)));
    else
        json_object_set_new(o, "agent", json_null());
    json_object_set_new(o, "submitted_at", j_time(c->submitted_at));
    json_object_set_new(o, "accepted_at", j_time(c->accepted_at));
    json_object_set_new(o, "decided_at", j_time(c->decided_at));
    json_object_set_new(o, "closed_at", j_time(c->closed_at));
    json_object_set_new(o, "limit_days", c->limit_days >= 0
                                             ? json_integer(c->limit_days)
                                             : json_null());
    json_object_set_new(o, "due_note", j_str(f->due_note));
    json_object_set_new(o, "warn_date", j_day(c->warn_day));
    json_object_set_new(o, "warn_workdays",
                        c->warn_workdays > 0 ? json_integer(c->warn_workdays)
                                             : json_null());
    json_object_set_new(o, "level", level_json(c, today));
    json_object_set_new(o, "result", j_str(c->result));
    json_object_set_new(o, "delivery",
                        c->delivery_method
                            ? json_pack("{s:s, s:o}", "method",
                                        c->delivery_method, "tracking_no",
                                        j_str(c->tracking_no))
                            : json_null());
    json_t *steps = json_array();
    for (int i = 0; i < f->g.n_steps; i++) {
        const struct guide_step *s = &f->g.steps[i];
        const char *status = i < c->step ? "done"
                             : i == c->step && casefsm_open(casefsm_state_parse(
                                                   c->state))
                                 ? "current"
                                 : "pending";
        if (!strcmp(c->state, "submitted") || !strcmp(c->state, "supplement"))
            status = "pending";
        json_array_append_new(
            steps, json_pack("{s:i, s:s, s:o, s:i, s:b, s:s}", "index", i,
                             "name", s->name ? s->name : "", "role",
                             j_str(s->role), "limit_days", s->limit_days,
                             "parallel", s->parallel == 1, "status", status));
    }
    json_object_set_new(o, "steps", steps);
    json_t *mats = json_array();
    for (int i = 0; i < f->n_mats; i++) {
        const struct case_material_row *m = &f->mats[i];
        json_t *j = json_pack("{s:i, s:s, s:s, s:s, s:s, s:o, s:b, s:o}",
                              "index", m->idx, "name", m->name, "need",
                              m->need, "source", m->source, "status",
                              m->status, "file", j_str(m->file), "noticed",
                              m->noticed, "notice_reason",
                              j_str(m->notice_reason));
        json_object_set_new(
            j, "evidence",
            m->evidence_ref ? json_pack("{s:s, s:o}", "ref", m->evidence_ref,
                                        "summary",
                                        j_str(m->evidence_summary))
                            : json_null());
        json_array_append_new(mats, j);
    }
    json_object_set_new(o, "materials", mats);
    json_t *tasks = json_array();
    for (int i = 0; i < f->n_tasks; i++) {
        const struct case_task_row *t = &f->tasks[i];
        json_array_append_new(
            tasks, json_pack("{s:i, s:I, s:s, s:o, s:o, s:o}", "step",
                             t->step, "department", (json_int_t)t->dept_id,
                             "name", t->dept_name, "opinion",
                             j_str(t->opinion), "by", j_str(t->actor_login),
                             "answered_at", j_time(t->answered_at)));
    }
    json_object_set_new(o, "tasks", tasks);
    json_t *pauses = json_array();
    for (int i = 0; i < f->n_pauses; i++) {
        const struct case_pause_row *p = &f->pauses[i];
        json_array_append_new(
            pauses, json_pack("{s:s, s:s, s:i, s:o, s:o}", "kind", p->kind,
                              "reason", p->reason, "limit_days",
                              p->limit_days, "start_at", j_time(p->start_at),
                              "end_at", j_time(p->end_at)));
    }
    json_object_set_new(o, "pauses", pauses);
    json_t *evs = json_array();
    for (int i = 0; i < f->n_evs; i++) {
        const struct case_event_row *v = &f->evs[i];
        json_array_append_new(
            evs,
            json_pack("{s:I, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
                      "id", (json_int_t)v->id, "action", v->action, "from",
                      j_str(v->from_state), "to", v->to_state, "step",
                      v->step >= 0 ? json_integer(v->step) : json_null(),
                      "by", j_str(v->actor_login), "role", j_str(v->role),
                      "at", j_time(v->at), "reason", j_str(v->reason),
                      "detail", detail_json(v->detail)));
    }
    json_object_set_new(o, "events", evs);
    return o;
}

int app_case_get(struct app *app, const struct actor *actor, const char *no,
                 json_t **out, struct err *e)
{
    struct arena *a = arena_new();
    if (!a)
        return err_set(e, ERR_INTERNAL, NULL, "内存不足");
    struct case_full f;
    int rc = open_full(app, actor, no, a, &f, e);
    if (rc == 0) {
        *out = full_json(&f, day_of_ms(store_now_ms()));
        audit_read(app, actor, &f.c, "case.read");
    }
    arena_free(a);
    return rc;
}

/* The region a staff actor reads by default, and whether `region` is in
 * one of their grants carrying `cap` (*org gets that grant's
 * organisation). */
static int scope_of(const struct actor *a, enum cap cap, const char **region,
                    int64_t *org)
{
    for (int i = 0; i < a->n_grants; i++) {
        const struct grant *g = &a->grants[i];
        if (g->role == ROLE_APPLICANT || !role_has_cap(g->role, cap))
            continue;
        if (!*region) {
            *region = g->region;
            *org = g->org_id;
            return 1;
        }
        if (region_covers(g->region, *region)) {
            *org = g->org_id;
            return 1;
        }
    }
    return 0;
}

static int read_scope(const struct actor *a, const char **region, int64_t *org)
{
    return scope_of(a, CAP_CASE_READ, region, org);
}

static json_t *list_item_json(const struct case_row *c, int64_t today)
{
    json_t *o = summary_json(c);
    json_object_set_new(o, "item", json_pack("{s:I, s:s}", "id",
                                             (json_int_t)c->item_id, "name",
                                             c->item_name));
    json_object_set_new(o, "org", json_pack("{s:I, s:s}", "id",
                                            (json_int_t)c->org_id, "name",
                                            c->org_name));
    json_object_set_new(o, "region", json_string(c->region));
    json_object_set_new(o, "channel", json_string(c->channel));
    json_object_set_new(o, "submitted_at", j_time(c->submitted_at));
    json_object_set_new(o, "level", level_json(c, today));
    char masked[IDS_CODE_SIZE];
    if (!strcmp(c->applicant_kind, "natural"))
        ids_mask_resident(c->applicant_id, masked);
    else
        ids_mask_uscc(c->applicant_id, masked);
    json_object_set_new(o, "applicant",
                        json_pack("{s:s, s:s}", "name", c->applicant_name,
                                  "id", masked));
    return o;
}

int app_case_list(struct app *app, const struct actor *actor,
                  const struct case_query *q, json_t **out, struct err *e)
{
    struct case_filter f = {.state = q->state, .before = q->before};
    int limit = q->limit ? q->limit : APP_CASE_PAGE_DEFAULT;
    if (limit < 1 || limit > APP_CASE_PAGE_MAX)
        return err_set(e, ERR_INVALID, "limit", "limit 应为 1 到 %d",
                       APP_CASE_PAGE_MAX);
    f.limit = limit + 1;
    if (q->state && casefsm_state_parse(q->state) == CS_NONE)
        return err_set(e, ERR_INVALID, "state", "没有这个办件状态");
    if (q->region && ids_division_check(q->region, NULL, "region", e))
        return -1;
    const char *region = q->region;
    int64_t org = 0;
    if (q->mine || is_applicant_account(actor)) {
        if (is_applicant_account(actor))
            f.applicant_user = actor->user_id;
        else
            f.filed_by = actor->user_id;
        f.region = region;
    } else {
        if (!read_scope(actor, &region, &org))
            return err_set(e, ERR_FORBIDDEN, "region",
                           "无权查看该区划的办件");
        f.region = region;
        f.org_id = org;
        if (q->org_id) {
            if (org && org != q->org_id)
                return err_set(e, ERR_FORBIDDEN, "org_id",
                               "无权查看该机构的办件");
            f.org_id = q->org_id;
        }
    }
    struct arena *a = arena_new();
    struct db *db = a ? store_read(app->store, e) : NULL;
    if (!db) {
        arena_free(a);
        return a ? -1 : err_set(e, ERR_INTERNAL, NULL, "内存不足");
    }
    struct case_row *rows;
    int n;
    int rc = store_case_list(db, &f, a, &rows, &n, e);
    store_read_done(app->store, db);
    if (rc == 0) {
        int64_t today = day_of_ms(store_now_ms());
        json_t *items = json_array();
        int more = n > limit;
        if (more)
            n = limit;
        for (int i = 0; i < n; i++)
            json_array_append_new(items, list_item_json(&rows[i], today));
        *out = json_pack("{s:o, s:o}", "items", items, "next_before",
                         more ? json_integer((json_int_t)rows[n - 1].id)
                              : json_null());
    }
    arena_free(a);
    return rc;
}

/* ---- notices --------------------------------------------------------------
 */

/* "《法》第十条；《条例》第五条" from the base item's legal_basis. */
static json_t *basis_json(const char *text)
{
    json_t *lb = text ? json_loads(text, 0, NULL) : NULL;
    json_t *out = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(lb, i, v)
    {
        const char *law = json_string_value(json_object_get(v, "law"));
        const char *art = json_string_value(json_object_get(v, "article"));
        if (law)
            json_array_append_new(
                out, json_pack("{s:s, s:s}", "law", law, "article",
                               art ? art : ""));
    }
    json_decref(lb);
    return out;
}

static const char *basis_text(struct arena *a, json_t *basis)
{
    char *s = arena_strdup(a, "");
    size_t i;
    json_t *v;
    json_array_foreach(basis, i, v)
    {
        const char *law = json_string_value(json_object_get(v, "law"));
        const char *art = json_string_value(json_object_get(v, "article"));
        const char *open = law && strstr(law, "《") == law ? "" : "《";
        const char *close = law && strstr(law, "》") ? "" : "》";
        s = arena_printf(a, "%s%s%s%s%s%s", s, i ? "；" : "", open,
                         law ? law : "", close, art ? art : "");
    }
    return s;
}

static const struct case_event_row *last_event(const struct case_full *f,
                                                const char *action)
{
    for (int i = f->n_evs - 1; i >= 0; i--)
        if (!strcmp(f->evs[i].action, action))
            return &f->evs[i];
    return NULL;
}

static json_t *notice_base(const struct case_full *f, const char *kind,
                           const char *title, const struct case_event_row *v,
                           json_t *basis)
{
    const struct case_row *c = &f->c;
    char masked[IDS_CODE_SIZE];
    if (!strcmp(c->applicant_kind, "natural"))
        ids_mask_resident(c->applicant_id, masked);
    else
        ids_mask_uscc(c->applicant_id, masked);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:o, s:O}",
                     "kind", kind, "title", title, "case_no", c->case_no,
                     "item", c->item_name, "org", c->org_name, "applicant",
                     "name", c->applicant_name, "id", masked, "issued_at",
                     j_time(v->at), "legal_basis", basis);
}

static json_t *one_notice(struct arena *a, const struct case_full *f,
                          const char *kind, json_t *basis)
{
    const struct case_row *c = &f->c;
    const char *bt = basis_text(a, basis);
    const struct case_event_row *v;
    if (!strcmp(kind, "receipt") && (v = last_event(f, "accept"))) {
        json_t *n = notice_base(f, kind, "受理凭证", v, basis);
        char due[11], legal[11], at[11];
        fmt_day(c->due_day, due);
        fmt_day(c->legal_due_day, legal);
        fmt_day(day_of_ms(v->at), at);
        json_object_set_new(n, "accepted_on", json_string(at));
        json_object_set_new(n, "due_date", json_string(due));
        json_object_set_new(n, "legal_due_date", json_string(legal));
        json_object_set_new(n, "due_provisional",
                            json_boolean(c->due_provisional));
        json_object_set_new(n, "query_code", json_string(c->query_code));
        json_object_set_new(n, "limit_days", json_integer(c->limit_days));
        json_object_set_new(n, "legal_limit_days",
                            json_integer(c->legal_limit_days));
        const char *consult =
            f->g.n_consult > 0 && f->g.consult[0] ? f->g.consult[0] : NULL;
        json_object_set_new(n, "consult", j_str(consult));
        json_object_set_new(
            n, "text",
            json_string(arena_printf(
                a,
                "你（单位）于 %s 提出的「%s」申请，材料齐全、符合法定形式，"
                "根据%s，本机关决定予以受理。办件编号 %s，承诺办结时限 %d "
                "个工作日，于 %s 前办结（法定期限 %d 个工作日，%s）。%s可凭"
                "办件编号和查询码 %s 查询办理进度%s%s。",
                at, c->item_name, bt, c->case_no, c->limit_days, due,
                c->legal_limit_days, legal, f->due_note ? f->due_note : "",
                c->query_code, consult ? "；咨询电话 " : "",
                consult ? consult : "")));
        return n;
    }
    if (!strcmp(kind, "notice") && (v = last_event(f, "notice"))) {
        json_t *n = notice_base(f, kind, "一次性告知书", v, basis);
        json_t *d = detail_json(v->detail);
        json_t *items = json_object_get(d, "items");
        /* Each item with the material's name as the guide writes it. */
        json_t *list = json_array();
        const char *names = "";
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
        {
            json_int_t k = json_integer_value(json_object_get(it, "index"));
            const char *name =
                k >= 0 && k < f->g.n_materials ? f->g.materials[k].name : NULL;
            const char *why = json_string_value(json_object_get(it, "reason"));
            json_t *x = json_deep_copy(it);
            json_object_set_new(x, "name", j_str(name));
            json_array_append_new(list, x);
            names = arena_printf(a, "%s%s%zu. %s（%s）", names, i ? "；" : "",
                                 i + 1, name ? name : "", why ? why : "");
        }
        json_object_set_new(n, "items", list);
        json_object_set_new(
            n, "text",
            json_string(arena_printf(
                a,
                "你（单位）提出的「%s」申请（办件编号 %s），材料不齐全或者"
                "不符合法定形式。根据%s，现一次性告知需补正的全部材料：%s。"
                "请补正后重新提交；补正期间不计入办理时限。",
                c->item_name, c->case_no, bt, names)));
        json_decref(d);
        return n;
    }
    if (!strcmp(kind, "refusal") && (v = last_event(f, "refuse"))) {
        json_t *n = notice_base(f, kind, "不予受理决定书", v, basis);
        json_t *d = detail_json(v->detail);
        const char *why = json_string_value(json_object_get(d, "basis"));
        json_object_set_new(n, "reason", j_str(v->reason));
        json_object_set_new(n, "refusal_basis", j_str(why));
        json_object_set_new(
            n, "text",
            json_string(arena_printf(
                a,
                "你（单位）提出的「%s」申请（办件编号 %s），因%s，根据%s，"
                "本机关决定不予受理。如不服本决定，可以依法申请行政复议或者"
                "提起行政诉讼。",
                c->item_name, c->case_no, v->reason ? v->reason : "",
                why ? why : bt)));
        json_decref(d);
        return n;
    }
    if (!strcmp(kind, "decision") && (v = last_event(f, "decide"))) {
        int grant = c->decision && !strcmp(c->decision, "grant");
        json_t *n = notice_base(f, kind, grant ? "准予决定书" : "不予决定书",
                                v, basis);
        json_t *d = detail_json(v->detail);
        const char *why = json_string_value(json_object_get(d, "basis"));
        json_object_set_new(n, "decision", j_str(c->decision));
        json_object_set_new(n, "result", j_str(c->result));
        json_object_set_new(n, "licence_no", j_str(c->licence_no));
        json_object_set_new(n, "reason", j_str(v->reason));
        json_object_set_new(
            n, "text",
            json_string(
                grant ? arena_printf(a,
                                     "你（单位）提出的「%s」申请（办件编号 "
                                     "%s），经审查符合条件，根据%s，本机关决"
                                     "定准予。办理结果：%s%s%s。",
                                     c->item_name, c->case_no, bt,
                                     c->result          ? c->result
                                     : f->g.result_name ? f->g.result_name
                                                        : "准予",
                                     c->licence_no ? "，电子证照编号 " : "",
                                     c->licence_no ? c->licence_no : "")
                      : arena_printf(a,
                                     "你（单位）提出的「%s」申请（办件编号 "
                                     "%s），因%s，根据%s，本机关决定不予准"
                                     "予。如不服本决定，可以依法申请行政复议"
                                     "或者提起行政诉讼。",
                                     c->item_name, c->case_no,
                                     v->reason ? v->reason : "",
                                     why ? why : bt)));
        json_decref(d);
        return n;
    }
    if (!strcmp(kind, "delivery") && (v = last_event(f, "deliver"))) {
        json_t *n = notice_base(f, kind, "送达回证", v, basis);
        static const struct {
            const char *k, *t;
        } k_m[] = {{"pickup", "窗口领取"},
                   {"mail", "邮寄送达"},
                   {"electronic", "电子送达"}};
        const char *mt = c->delivery_method ? c->delivery_method : "";
        for (size_t i = 0; i < sizeof k_m / sizeof k_m[0]; i++)
            if (!strcmp(mt, k_m[i].k))
                mt = k_m[i].t;
        json_object_set_new(n, "method", j_str(c->delivery_method));
        json_object_set_new(n, "tracking_no", j_str(c->tracking_no));
        json_object_set_new(
            n, "text",
            json_string(arena_printf(
                a,
                "根据%s，办件编号 %s「%s」的办理结果（%s）已于 %s 以%s方式"
                "送达%s%s。",
                bt, c->case_no, c->item_name,
                c->result          ? c->result
                : f->g.result_name ? f->g.result_name
                                   : "决定书",
                json_string_value(json_object_get(n, "issued_at")), mt,
                c->tracking_no ? "，快递单号 " : "",
                c->tracking_no ? c->tracking_no : "")));
        return n;
    }
    return NULL;
}

int app_case_notices(struct app *app, const struct actor *actor,
                     const char *no, const char *kind, json_t **out,
                     struct err *e)
{
    static const char *const k_kinds[] = {"receipt", "notice", "refusal",
                                          "decision", "delivery", NULL};
    if (kind) {
        int ok = 0;
        for (const char *const *k = k_kinds; *k; k++)
            if (!strcmp(kind, *k))
                ok = 1;
        if (!ok)
            return err_set(e, ERR_NOT_FOUND, NULL, "没有这种文书");
    }
    struct arena *a = arena_new();
    if (!a)
        return err_set(e, ERR_INTERNAL, NULL, "内存不足");
    struct case_full f;
    int rc = open_full(app, actor, no, a, &f, e);
    if (rc == 0) {
        json_t *basis = basis_json(f.legal_basis);
        if (kind) {
            *out = one_notice(a, &f, kind, basis);
            if (!*out)
                rc = err_set(e, ERR_NOT_FOUND, NULL, "该办件还没有这种文书");
        } else {
            json_t *list = json_array();
            for (const char *const *k = k_kinds; *k; k++) {
                json_t *n = one_notice(a, &f, *k, basis);
                if (n)
                    json_array_append_new(list, n);
            }
            *out = json_pack("{s:s, s:o}", "case_no", f.c.case_no, "notices",
                             list);
        }
        json_decref(basis);
        if (rc == 0)
            audit_read(app, actor, &f.c, "case.notices");
    }
    arena_free(a);
    return rc;
}

/* ---- the public progress query --------------------------------------------
 */

static const char *pause_title(const char *k)
{
    static const struct {
        const char *k, *t;
    } k_t[] = {{"supplement", "补正材料"},
               {"hearing", "听证"},
               {"expert_review", "专家评审"},
               {"inspection", "检验检测"},
               {"special", "特别程序"}};
    for (size_t i = 0; k && i < sizeof k_t / sizeof k_t[0]; i++)
        if (!strcmp(k, k_t[i].k))
            return k_t[i].t;
    return "特别程序";
}

static const char *plain_words(struct arena *a, const struct case_full *f,
                               const struct case_event_row *v)
{
    json_t *d = detail_json(v->detail);
    const char *s = NULL;
    const char *act = v->action;
    if (!strcmp(act, "submit"))
        s = "已提交申请";
    else if (!strcmp(act, "notice"))
        s = arena_printf(a, "材料需补正：已一次性告知 %zu 项材料",
                         json_array_size(json_object_get(d, "items")));
    else if (!strcmp(act, "supply"))
        s = "已补正材料，等待受理";
    else if (!strcmp(act, "accept"))
        s = arena_printf(a, "已受理，承诺办结日期 %s%s",
                         json_string_value(json_object_get(d, "due_date"))
                             ? json_string_value(json_object_get(d, "due_date"))
                             : "",
                         json_is_true(json_object_get(d, "due_provisional"))
                             ? "（暂定）"
                             : "");
    else if (!strcmp(act, "refuse"))
        s = arena_printf(a, "不予受理：%s", v->reason ? v->reason : "");
    else if (!strcmp(act, "dispatch"))
        s = arena_printf(a, "已分送 %zu 个部门并联办理",
                         json_array_size(json_object_get(d, "departments")));
    else if (!strcmp(act, "answer"))
        s = arena_printf(a, "%s 已提出意见",
                         json_string_value(json_object_get(d, "name"))
                             ? json_string_value(json_object_get(d, "name"))
                             : "部门");
    else if (!strcmp(act, "step"))
        s = arena_printf(a, "「%s」环节已完成",
                         step_name(&f->g, v->step) ? step_name(&f->g, v->step)
                                                   : "办理");
    else if (!strcmp(act, "pause"))
        s = arena_printf(
            a, "暂停计时（%s），期限 %lld 个工作日",
            pause_title(json_string_value(json_object_get(d, "kind"))),
            (long long)json_integer_value(json_object_get(d, "limit_days")));
    else if (!strcmp(act, "resume"))
        s = "恢复计时";
    else if (!strcmp(act, "decide"))
        s = f->c.decision && !strcmp(f->c.decision, "grant")
                ? "已作出准予决定"
                : "已作出不予决定";
    else if (!strcmp(act, "deliver"))
        s = "办理结果已送达";
    else if (!strcmp(act, "close"))
        s = "已办结";
    else if (!strcmp(act, "withdraw"))
        s = "申请人已撤回申请";
    else if (!strcmp(act, "fee"))
        s = "已缴费";
    else
        s = "办件有新进展";
    json_decref(d);
    return s;
}

struct miss {
    const char *k1, *k2;
    int64_t now, since;
};

static int progress_miss_unit(struct db *db, void *arg, struct err *e)
{
    struct miss *m = arg;
    return store_case_throttle_fail(db, m->k1, m->now, m->since, e) ||
                   store_case_throttle_fail(db, m->k2, m->now, m->since, e)
               ? -1
               : 0;
}

int app_case_progress(struct app *app, const char *no, const char *code,
                      const char *ip, json_t **out, struct err *e)
{
    int64_t now = store_now_ms(), since = now - APP_PROGRESS_WINDOW_MS;
    char kip[80], kno[80];
    snprintf(kip, sizeof kip, "ip:%s", ip && *ip ? ip : "?");
    snprintf(kno, sizeof kno, "no:%.60s", no ? no : "");
    struct db *db = store_read(app->store, e);
    if (!db)
        return -1;
    int64_t f_ip = 0, f_no = 0;
    if (store_case_throttle_fails(db, kip, since, &f_ip, e) ||
        store_case_throttle_fails(db, kno, since, &f_no, e)) {
        store_read_done(app->store, db);
        return -1;
    }
    if (f_ip >= APP_PROGRESS_MAX_PER_IP || f_no >= APP_PROGRESS_MAX_PER_CASE) {
        store_read_done(app->store, db);
        return err_set(e, ERR_RATE, NULL, "查询过于频繁，请稍后再试");
    }
    struct arena *a = arena_new();
    struct case_full f;
    struct err e2 = {0};
    int rc = -1, found = 0;
    if (no && *no && strlen(no) <= 60 && code && strlen(code) <= 16) {
        rc = load_full(app, db, no, a, &f, &e2);
        found = rc == 0 && strlen(code) == strlen(f.c.query_code) &&
                sodium_memcmp(code, f.c.query_code, strlen(code)) == 0;
    }
    store_read_done(app->store, db);
    if (rc && e2.code != ERR_NOT_FOUND && e2.code != ERR_OK) {
        *e = e2;
        arena_free(a);
        return -1;
    }
    if (!found) {
        arena_free(a);
        /* Count the miss for the peer and for the number, durably. */
        struct miss m = {kip, kno, now, since};
        if (store_write(app->store, progress_miss_unit, &m, e))
            return -1;
        return err_set(e, ERR_NOT_FOUND, NULL, "没有找到该办件，请核对办件编号和查询码");
    }
    const struct case_row *c = &f.c;
    f.due_note = due_note(app, a, c);
    int64_t today = day_of_ms(now);
    json_t *tl = json_array();
    for (int i = 0; i < f.n_evs; i++) {
        if (!strcmp(f.evs[i].action, "fee"))
            continue;
        json_array_append_new(tl, json_pack("{s:o, s:s}", "at",
                                            j_time(f.evs[i].at), "text",
                                            plain_words(a, &f, &f.evs[i])));
    }
    char mid[IDS_CODE_SIZE];
    if (!strcmp(c->applicant_kind, "natural"))
        ids_mask_resident(c->applicant_id, mid);
    else
        ids_mask_uscc(c->applicant_id, mid);
    size_t nl = strlen(c->applicant_name) + 1;
    char *mname = arena_alloc(a, nl);
    if (!strcmp(c->applicant_kind, "natural"))
        ids_mask_name(c->applicant_name, mname, nl);
    else
        snprintf(mname, nl, "%s", c->applicant_name);
    enum case_state st = casefsm_state_parse(c->state);
    const char *cur = NULL;
    if (st == CS_HANDLING || st == CS_PAUSED)
        cur = step_name(&f.g, c->step);
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:o, s:{s:s, s:s}, s:o, s:o, s:o}",
        "case_no", c->case_no, "item", c->item_name, "org", c->org_name,
        "state", c->state, "state_title", casefsm_state_title(st),
        "current_step", j_str(cur), "applicant", "name", mname, "id", mid,
        "submitted_at", j_time(c->submitted_at), "due_date",
        j_day(c->due_day), "timeline", tl);
    json_object_set_new(o, "due_provisional", json_boolean(c->due_provisional));
    json_object_set_new(o, "due_note", j_str(f.due_note));
    json_object_set_new(o, "level", level_json(c, today));
    if (st == CS_DECIDED || st == CS_DELIVERED || st == CS_CLOSED) {
        json_t *r = json_pack("{s:o, s:o, s:o}", "decision",
                              j_str(c->decision), "result", j_str(c->result),
                              "licence_no", j_str(c->licence_no));
        const struct case_event_row *v = last_event(&f, "decide");
        if (v && v->reason)
            json_object_set_new(r, "reason", json_string(v->reason));
        json_object_set_new(o, "result", r);
    } else if (st == CS_REFUSED) {
        const struct case_event_row *v = last_event(&f, "refuse");
        json_object_set_new(o, "result",
                            json_pack("{s:s, s:o}", "decision", "refused",
                                      "reason",
                                      j_str(v ? v->reason : NULL)));
    } else {
        json_object_set_new(o, "result", json_null());
    }
    *out = o;
    arena_free(a);
    return 0;
}

/* ---- the warning scan ------------------------------------------------------
 */

/* parse_cursor — "DUE.WARN.ID" (the day numbers and id of the last row
 * of the previous page). */
static int parse_cursor(const char *s, int64_t k[3], struct err *e)
{
    const char *p = s;
    for (int i = 0; i < 3; i++) {
        char *end;
        if (*p < '0' || *p > '9')
            goto bad;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (errno || v > (i < 2 ? 10000000LL : 0x7fffffffffffffffLL) ||
            *end != (i < 2 ? '.' : '\0'))
            goto bad;
        k[i] = v;
        p = end + 1;
    }
    return 0;
bad:
    return err_set(e, ERR_INVALID, "after", "after 应为上一页返回的 next");
}

int app_case_warnings(struct app *app, const struct actor *actor,
                      const struct warn_query *q, json_t **out,
                      struct err *e)
{
    int limit = q->limit ? q->limit : APP_CASE_PAGE_DEFAULT;
    if (limit < 1 || limit > APP_CASE_PAGE_MAX)
        return err_set(e, ERR_INVALID, "limit", "limit 应为 1 到 %d",
                       APP_CASE_PAGE_MAX);
    int level = 0;
    if (q->level) {
        int l = dl_level_parse(q->level);
        if (l < DL_YELLOW)
            return err_set(e, ERR_INVALID, "level", "level 应为 red 或 yellow");
        level = l == DL_RED ? 2 : 1;
    }
    int64_t after[3] = {-1, -1, 0};
    if (q->after && parse_cursor(q->after, after, e))
        return -1;
    struct arena *a = arena_new();
    if (!a)
        return err_set(e, ERR_INTERNAL, NULL, "内存不足");
    enum case_scope_col col;
    const char *key;
    const char *region = q->region;
    int64_t org = 0;
    json_t *scope = NULL;
    int rc = -1;
    struct db *db = NULL;
    struct app_cal *ac = NULL;
    if (region && ids_division_check(region, NULL, "region", e))
        goto done;
    if (!actor && !region && q->org_id <= 0) {
        err_set(e, ERR_INVALID, "region", "请指定区划或机构");
        goto done;
    }
    if (q->org_id > 0) {
        if (!(db = store_read(app->store, e)))
            goto done;
        const char *oreg, *oname;
        if (store_case_org(db, q->org_id, a, &oreg, &oname, e)) {
            if (e->code == ERR_NOT_FOUND)
                err_set(e, ERR_INVALID, "org_id", "没有这个机构");
            goto done;
        }
        if (actor && (!scope_of(actor, CAP_CASE_WARNINGS, &oreg, &org) ||
                      (org && org != q->org_id))) {
            err_set(e, ERR_FORBIDDEN, "org_id", "无权查看该机构的办件预警");
            goto done;
        }
        col = CASE_SCOPE_ORG;
        key = arena_printf(a, "%lld", (long long)q->org_id);
        scope = json_pack("{s:I, s:s}", "org_id", (json_int_t)q->org_id,
                          "name", oname);
    } else {
        if (actor && !scope_of(actor, CAP_CASE_WARNINGS, &region, &org)) {
            err_set(e, ERR_FORBIDDEN, "region", "无权查看该区划的办件预警");
            goto done;
        }
        if (org) {
            err_set(e, ERR_FORBIDDEN, "org_id",
                    "只能查看本机构的办件预警，请指定 org_id");
            goto done;
        }
        int lv = ids_division_level(region);
        col = lv >= 5 ? CASE_SCOPE_REGION : (enum case_scope_col)lv;
        key = region;
        scope = json_pack("{s:s}", "region", region);
        if (!(db = store_read(app->store, e)))
            goto done;
    }
    int64_t today = q->today ? q->today : day_of_ms(store_now_ms());
    int64_t red = 0, yellow = 0;
    struct case_warn_row *rows;
    int n;
    if (store_case_warn_counts(db, col, key, today, &red, &yellow, e) ||
        store_case_warn_list(db, col, key, today, level, after, limit, a, &rows,
                             &n, e))
        goto done;
    store_read_done(app->store, db);
    db = NULL;
    /* Working days left, for the page's rows only (the scan itself is two
     * comparisons per index entry), on the calendar the dates were
     * counted with: the provisional copy past the last known year. */
    if (n && !(ac = app_cal_acquire(app, e)))
        goto done;
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        const struct case_warn_row *w = &rows[i];
        enum dl_level l = dl_level_of(today, w->due_day, w->warn_day);
        int left = 0;
        struct err e2 = {0};
        json_t *jleft = dl_remaining(ac->pcal, today, w->due_day, &left, &e2)
                            ? json_null()
                            : json_integer(left);
        json_array_append_new(
            items,
            json_pack("{s:s, s:s, s:{s:I, s:s}, s:s, s:s, s:o, s:o, s:o, s:s, "
                      "s:b}",
                      "case_no", w->case_no, "item", w->item_name, "org", "id",
                      (json_int_t)w->org_id, "name", w->org_name, "region",
                      w->region, "state", w->state, "due_date",
                      j_day(w->due_day), "warn_date", j_day(w->warn_day),
                      "remaining_workdays", jleft, "level", dl_level_name(l),
                      "due_provisional", w->due_provisional));
    }
    json_t *next =
        n == limit
            ? json_string(arena_printf(
                  a, "%lld.%lld.%lld", (long long)rows[n - 1].due_day,
                  (long long)rows[n - 1].warn_day, (long long)rows[n - 1].id))
            : json_null();
    *out = json_pack("{s:o, s:o, s:I, s:I, s:o, s:o}", "scope", scope, "today",
                     j_day(today), "red", (json_int_t)red, "yellow",
                     (json_int_t)yellow, "items", items, "next", next);
    scope = NULL;
    rc = 0;
done:
    json_decref(scope);
    if (ac)
        app_cal_release(ac);
    if (db)
        store_read_done(app->store, db);
    arena_free(a);
    return rc;
}

/* ---- files -----------------------------------------------------------------
 */

static int mkdir_p(const char *dir)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0750) && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(buf, 0750) && errno != EEXIST ? -1 : 0;
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* The bytes start the way their type does. */
static int magic_ok(const unsigned char *d, size_t n, const char *type)
{
    if (!strcmp(type, "application/pdf"))
        return n >= 5 && !memcmp(d, "%PDF-", 5);
    if (!strcmp(type, "image/png"))
        return n >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8);
    if (!strcmp(type, "image/jpeg"))
        return n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF;
    return 0;
}

struct file_unit {
    const char *sha, *type, *name;
    int64_t size, now;
    const struct actor *by;
};

static int file_unit(struct db *db, void *arg, struct err *e)
{
    struct file_unit *f = arg;
    if (app_audit_unit_lock(db, e) ||
        store_file_put(db, f->sha, f->size, f->type, f->name,
                       f->by ? f->by->user_id : 0, f->now, e))
        return -1;
    json_t *detail = json_pack("{s:s, s:I}", "type", f->type, "size",
                               (json_int_t)f->size);
    struct audit_entry en = {0};
    audit_entry_actor(&en, f->by);
    en.action = "file.upload";
    en.target_kind = "file";
    en.target_id = f->sha;
    en.region = f->by ? audit_actor_region(f->by) : NULL;
    en.outcome = "ok";
    en.detail = detail;
    int rc = app_audit_unit_record(db, &en, e);
    json_decref(detail);
    return rc;
}

int app_file_store(struct app *app, const struct actor *actor,
                   const void *data, size_t n, const char *type,
                   const char *name, json_t **out, struct err *e)
{
    static const char *const k_types[] = {"application/pdf", "image/jpeg",
                                          "image/png", NULL};
    int ok = 0;
    for (const char *const *t = k_types; type && *t; t++)
        if (!strcmp(type, *t))
            ok = 1;
    if (!ok)
        return err_set(e, ERR_MEDIA, "Content-Type",
                       "只接受 application/pdf、image/jpeg 或 image/png");
    if (n == 0)
        return err_set(e, ERR_INVALID, "", "文件为空");
    if (n > APP_FILE_MAX)
        return err_set(e, ERR_TOO_LARGE, "", "文件超过 %d 字节的上限",
                       APP_FILE_MAX);
    if (!magic_ok(data, n, type))
        return err_set(e, ERR_INVALID, "", "文件内容与类型 %s 不符", type);
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, n);
    char sha[65];
    sodium_bin2hex(sha, sizeof sha, h, sizeof h);
    char dir[4096], path[4200], tmp[4300];
    snprintf(dir, sizeof dir, "%s/%.2s", app->files_dir, sha);
    snprintf(path, sizeof path, "%s/%s", dir, sha);
    struct stat st;
    if (stat(path, &st) != 0 || (size_t)st.st_size != n) {
        if (mkdir_p(dir))
            return err_set(e, ERR_INTERNAL, NULL, "文件无法保存"),
                   err_log(e, "mkdir %s: %s", dir, strerror(errno));
        snprintf(tmp, sizeof tmp, "%s.%d.%lx.tmp", path, (int)getpid(),
                 (unsigned long)randombytes_random());
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0640);
        if (fd < 0)
            return err_set(e, ERR_INTERNAL, NULL, "文件无法保存"),
                   err_log(e, "open %s: %s", tmp, strerror(errno));
        size_t off = 0;
        while (off < n) {
            ssize_t w = write(fd, (const char *)data + off, n - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                close(fd);
                unlink(tmp);
                return err_set(e, ERR_INTERNAL, NULL, "文件无法保存"),
                       err_log(e, "write: %s", strerror(errno));
            }
            off += (size_t)w;
        }
        if (fsync(fd) || close(fd) || rename(tmp, path) || fsync_dir(dir)) {
            unlink(tmp);
            return err_set(e, ERR_INTERNAL, NULL, "文件无法保存"),
                   err_log(e, "fsync/rename %s: %s", path, strerror(errno));
        }
    }
    struct file_unit f = {.sha = sha,
                          .type = type,
                          .name = name,
                          .size = (int64_t)n,
                          .now = store_now_ms(),
                          .by = actor};
    if (store_write(app->store, file_unit, &f, e))
        return -1;
    *out = json_pack("{s:s, s:I, s:s}", "sha256", sha, "size", (json_int_t)n,
                     "type", type);
    return 0;
}
