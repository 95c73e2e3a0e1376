/* app_orgs.c — organisations, halls and windows: reading, listing, the
 * checked two-step writes (prepare on the caller's thread, unit on the
 * writer), their JSON form, and the demo organisations of 六安市. Contract
 * in app_orgs.h (and demo.h for app_demo_orgs). No global mutable state;
 * every allocation goes to the caller's arena. */
#include "app_orgs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/ids.h"
#include "../core/utf8.h"
#include "../store/orgs.h"
#include "../store/regions.h"
#include "app_regions.h"
#include "audit.h"
#include "demo.h"
#include "internal.h"

#define MAX_HALLS 50    /* halls in one create body */
#define MAX_WINDOWS 200 /* windows in one hall of a body */
#define MAX_PARENT_DEPTH 64

/* ---- kinds --------------------------------------------------------------- */

static const struct {
    const char *kind, *name, *levels; /* levels: where it may sit, zh-CN */
    int min_level, max_level;
} k_org_kinds[] = {
    {"department", "部门", "省、市、县、乡镇级", 1, 4},
    {"service_centre", "政务服务中心", "省、市、县级", 1, 3},
    {"township_centre", "为民服务中心", "乡镇（街道）级", 4, 4},
    {"village_station", "为民服务工作站", "村（社区）级", 5, 5},
};
#define N_ORG_KINDS ((int)(sizeof k_org_kinds / sizeof k_org_kinds[0]))

static const char *const k_level_names[] = {"", "省", "市", "县",
                                            "乡镇", "村（社区）"};

static int org_kind_index(const char *kind)
{
    for (int i = 0; kind && i < N_ORG_KINDS; i++)
        if (strcmp(kind, k_org_kinds[i].kind) == 0)
            return i;
    return -1;
}

const char *app_org_kind_name(const char *kind)
{
    int i = org_kind_index(kind);
    return i < 0 ? NULL : k_org_kinds[i].name;
}

const char *app_window_kind_name(const char *kind)
{
    if (kind && strcmp(kind, "comprehensive") == 0)
        return "综合窗口";
    if (kind && strcmp(kind, "department") == 0)
        return "部门窗口";
    return NULL;
}

/* kind_fits — 0 when an org of `kind` may sit at region level `level`;
 * else ERR_INVALID on `field`. */
static int kind_fits(const char *kind, int level, const char *field,
                     struct err *e)
{
    int i = org_kind_index(kind);
    if (i < 0 || level < 1 || level > 5)
        return err_set(e, ERR_INVALID, field, "机构类型或区划无效");
    if (level < k_org_kinds[i].min_level || level > k_org_kinds[i].max_level)
        return err_set(e, ERR_INVALID, field,
                       "%s只能设在%s区划，所选区划是%s级",
                       k_org_kinds[i].name, k_org_kinds[i].levels,
                       k_level_names[level]);
    return 0;
}

/* needs_credit — departments and service centres must carry a code. */
static int needs_credit(const char *kind)
{
    return kind && (strcmp(kind, "department") == 0 ||
                    strcmp(kind, "service_centre") == 0);
}

/* ---- small helpers ------------------------------------------------------- */

static const char *dup_or_null(struct arena *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

static void field_of(char out[64], const char *ptr, const char *key)
{
    if (snprintf(out, 64, "%s/%s", ptr, key) >= 64)
        out[63] = '\0'; /* a pointer that long is cut, never overrun */
}

/* A growable array in an arena (old blocks stay until the arena goes). */
struct vec {
    void *items;
    int n, cap;
    size_t size;
};

static void *vec_push(struct arena *a, struct vec *v)
{
    if (v->n == v->cap) {
        int cap = v->cap ? v->cap * 2 : 8;
        void *grown = arena_alloc(a, (size_t)cap * v->size);
        if (v->n)
            memcpy(grown, v->items, (size_t)v->n * v->size);
        v->items = grown;
        v->cap = cap;
    }
    return (char *)v->items + (size_t)v->n++ * v->size;
}

/* ---- reading rows into views ---------------------------------------------- */

static void org_copy(struct arena *a, const struct org_row *r,
                     struct org_view *v)
{
    v->id = r->id;
    v->kind = dup_or_null(a, r->kind);
    v->name = dup_or_null(a, r->name);
    v->short_name = dup_or_null(a, r->short_name);
    v->region = dup_or_null(a, r->region);
    v->region_name = dup_or_null(a, r->region_name);
    v->parent_id = r->parent_id;
    v->credit_code = dup_or_null(a, r->credit_code);
    v->address = dup_or_null(a, r->address);
    v->phone = dup_or_null(a, r->phone);
    v->hours = dup_or_null(a, r->hours);
    v->revision = r->revision;
    v->created_at = r->created_at;
    v->updated_at = r->updated_at;
    v->n_halls = -1;
}

struct org_sink {
    struct arena *a;
    struct vec v; /* of struct org_view */
};

static int take_org(void *ctx, const struct org_row *row)
{
    struct org_sink *s = ctx;
    org_copy(s->a, row, vec_push(s->a, &s->v));
    return 0;
}

struct hall_sink {
    struct arena *a;
    struct vec v; /* of struct hall_view */
};

static int hall_push(void *ctx, const struct hall_row *r)
{
    struct hall_sink *s = ctx;
    struct hall_view *h = vec_push(s->a, &s->v);
    h->id = r->id;
    h->org_id = r->org_id;
    h->name = dup_or_null(s->a, r->name);
    h->address = dup_or_null(s->a, r->address);
    h->hours = dup_or_null(s->a, r->hours);
    h->revision = r->revision;
    h->created_at = r->created_at;
    h->updated_at = r->updated_at;
    return 0;
}

struct window_sink {
    struct arena *a;
    struct vec v; /* of struct window_view */
};

static int window_push(void *ctx, const struct window_row *r)
{
    struct window_sink *s = ctx;
    struct window_view *w = vec_push(s->a, &s->v);
    w->id = r->id;
    w->hall_id = r->hall_id;
    w->number = dup_or_null(s->a, r->number);
    w->name = dup_or_null(s->a, r->name);
    w->kind = dup_or_null(s->a, r->kind);
    w->dept_id = r->dept_id;
    w->dept_name = dup_or_null(s->a, r->dept_name);
    w->active = r->active;
    w->revision = r->revision;
    w->created_at = r->created_at;
    w->updated_at = r->updated_at;
    return 0;
}

/* load_org — org id into *out (in a); halls and windows too when asked.
 * ERR_NOT_FOUND when absent. */
static int load_org(struct db *db, int64_t id, int with_halls,
                    struct arena *a, struct org_view **out, struct err *e)
{
    struct org_sink s = {.a = a, .v = {.size = sizeof(struct org_view)}};
    if (store_org_get(db, id, take_org, &s, e))
        return -1;
    struct org_view *v = s.v.items;
    if (with_halls) {
        struct hall_sink hs = {.a = a, .v = {.size = sizeof(struct hall_view)}};
        struct window_sink ws = {.a = a,
                                 .v = {.size = sizeof(struct window_view)}};
        if (store_hall_list(db, id, hall_push, &hs, e) ||
            store_window_list_org(db, id, window_push, &ws, e))
            return -1;
        v->halls = hs.v.items;
        v->n_halls = hs.v.n;
        struct window_view *all = ws.v.items;
        /* Windows come by hall id, halls by id: hand out contiguous runs. */
        int k = 0;
        for (int i = 0; i < v->n_halls; i++) {
            struct hall_view *h = &v->halls[i];
            while (k < ws.v.n && all[k].hall_id < h->id)
                k++;
            h->windows = all ? all + k : NULL;
            while (k < ws.v.n && all[k].hall_id == h->id) {
                k++;
                h->n_windows++;
            }
        }
    }
    *out = v;
    return 0;
}

static int load_hall(struct db *db, int64_t id, int with_windows,
                     struct arena *a, struct hall_view **out, struct err *e)
{
    struct hall_sink hs = {.a = a, .v = {.size = sizeof(struct hall_view)}};
    if (store_hall_get(db, id, hall_push, &hs, e))
        return -1;
    struct hall_view *h = hs.v.items;
    if (with_windows) {
        struct window_sink ws = {.a = a,
                                 .v = {.size = sizeof(struct window_view)}};
        if (store_window_list_hall(db, id, window_push, &ws, e))
            return -1;
        h->windows = ws.v.items;
        h->n_windows = ws.v.n;
    }
    *out = h;
    return 0;
}

static int load_window(struct db *db, int64_t id, struct arena *a,
                       struct window_view **out, struct err *e)
{
    struct window_sink ws = {.a = a, .v = {.size = sizeof(struct window_view)}};
    if (store_window_get(db, id, window_push, &ws, e))
        return -1;
    *out = ws.v.items;
    return 0;
}

/* ---- reads ------------------------------------------------------------------ */

int app_org_get(struct app *app, int64_t id, struct arena *a,
                struct org_view **out, struct err *e)
{
    if (id <= 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个机构");
    struct db *db = store_read(app->store, e);
    if (!db)
        return -1;
    int rc = load_org(db, id, 1, a, out, e);
    store_read_done(app->store, db);
    return rc;
}

int app_org_list(struct app *app, const struct org_query *q, struct arena *a,
                 struct org_view **items, int *n, int64_t *next_after,
                 struct err *e)
{
    static const int k_sig[] = {0, 2, 4, 6, 9, 12};
    char prefix[13] = "";
    if (q->region && *q->region) {
        int level;
        if (ids_division_check(q->region, &level, "region", e))
            return -1;
        snprintf(prefix, sizeof prefix, "%.*s", k_sig[level], q->region);
    }
    if (q->kind && *q->kind && org_kind_index(q->kind) < 0)
        return err_set(e, ERR_INVALID, "kind",
                       "机构类型应为 department、service_centre、"
                       "township_centre 或 village_station");
    if (q->q && *q->q) {
        size_t len = strlen(q->q);
        if (!utf8_valid(q->q, len) || utf8_chars(q->q, len) > 32 ||
            utf8_has_control(q->q, len))
            return err_set(e, ERR_INVALID, "q", "查询词应为 1 到 32 个字符");
    }
    if (q->after < 0)
        return err_set(e, ERR_INVALID, "after", "after 应为非负整数");
    int limit = q->limit ? q->limit : APP_ORG_PAGE_DEFAULT;
    if (limit < 1 || limit > APP_ORG_PAGE_MAX)
        return err_set(e, ERR_INVALID, "limit", "limit 应在 1 到 %d 之间",
                       APP_ORG_PAGE_MAX);

    struct org_filter f = {
        .region_prefix = prefix,
        .kind = q->kind && *q->kind ? q->kind : NULL,
        .name_contains = q->q && *q->q ? q->q : NULL,
        .after_id = q->after,
        .limit = limit + 1, /* one more: is there another page? */
    };
    struct db *db = store_read(app->store, e);
    if (!db)
        return -1;
    struct org_sink s = {.a = a, .v = {.size = sizeof(struct org_view)}};
    int rc = store_org_list(db, &f, take_org, &s, e);
    store_read_done(app->store, db);
    if (rc)
        return -1;
    struct org_view *v = s.v.items;
    *next_after = 0;
    if (s.v.n > limit) {
        s.v.n = limit;
        *next_after = v[limit - 1].id;
    }
    *items = v;
    *n = s.v.n;
    return 0;
}

/* ---- parsing bodies ----------------------------------------------------- */

/* A field of a body: set = present in the body; for text, v NULL means
 * "clear" (JSON null or ""); for ids, 0 means "clear". */
struct in_text {
    int set;
    const char *v;
};
struct in_id {
    int set;
    int64_t v;
};

struct win_in {
    char ptr[64]; /* JSON pointer of this window in the body; "" at top */
    struct in_text number, name, kind;
    struct in_id dept_id;
    int active_set, active;
    int64_t revision; /* 0 = not given */
};

struct hall_in {
    char ptr[64];
    struct in_text name, address, hours;
    int64_t revision;
    struct win_in *wins;
    int n_wins;
};

struct org_in {
    struct in_text kind, name, short_name, region, credit_code, address,
        phone, hours;
    struct in_id parent_id;
    int64_t revision;
    struct hall_in *halls;
    int n_halls;
};

enum op {
    OP_ORG_CREATE = 1,
    OP_ORG_UPDATE,
    OP_ORG_DELETE,
    OP_HALL_CREATE,
    OP_HALL_UPDATE,
    OP_HALL_DELETE,
    OP_WIN_CREATE,
    OP_WIN_UPDATE,
    OP_WIN_DELETE,
};

struct org_write {
    enum op op;
    struct actor actor;
    struct arena *a;
    int64_t target; /* org, hall or window id of the path */
    struct org_in org;
    struct hall_in hall;
    struct win_in win;
    /* results */
    int64_t id;
    struct org_view *org_out;
    struct hall_view *hall_out;
    struct window_view *win_out;
    char region[13]; /* the region written in, for the audit row */
    /* Create: checked on a read connection by the prepare step. */
    const char *region_name;
    int prechecked;     /* app_org_write_precheck passed */
    char *audit_detail; /* the audit row's detail, serialised (arena) */
};

static int j_only(const json_t *obj, const char *ptr,
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

/* j_text — read text `key`. required: absent is an error; nullable: null
 * or "" clears (else they are errors). Copied into a. */
static int j_text(const json_t *obj, const char *ptr, const char *key,
                  const char *label, int required, int nullable,
                  size_t max_chars, struct arena *a, struct in_text *out,
                  struct err *e)
{
    char field[64];
    field_of(field, ptr, key);
    json_t *v = json_object_get(obj, key);
    out->set = 0;
    out->v = NULL;
    if (!v) {
        if (required)
            return err_set(e, ERR_INVALID, field, "缺少%s", label);
        return 0;
    }
    if (json_is_null(v)) {
        if (!nullable)
            return err_set(e, ERR_INVALID, field, "%s不能为空", label);
        out->set = 1;
        return 0;
    }
    if (!json_is_string(v))
        return err_set(e, ERR_INVALID, field, "%s应为字符串", label);
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0) {
        if (!nullable)
            return err_set(e, ERR_INVALID, field, "%s不能为空", label);
        out->set = 1;
        return 0;
    }
    if (strlen(s) != n || utf8_has_control(s, n))
        return err_set(e, ERR_INVALID, field, "%s含有控制字符", label);
    if (utf8_chars(s, n) > max_chars)
        return err_set(e, ERR_INVALID, field, "%s不能超过 %zu 个字符", label,
                       max_chars);
    out->set = 1;
    out->v = arena_strndup(a, s, n);
    return 0;
}

/* j_id — a positive integer id; null clears when nullable. */
static int j_id(const json_t *obj, const char *ptr, const char *key,
                const char *label, int nullable, struct in_id *out,
                struct err *e)
{
    char field[64];
    field_of(field, ptr, key);
    json_t *v = json_object_get(obj, key);
    out->set = 0;
    out->v = 0;
    if (!v)
        return 0;
    if (json_is_null(v)) {
        if (!nullable)
            return err_set(e, ERR_INVALID, field, "%s不能为空", label);
        out->set = 1;
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        return err_set(e, ERR_INVALID, field, "%s应为正整数编号", label);
    out->set = 1;
    out->v = (int64_t)json_integer_value(v);
    return 0;
}

static int j_revision(const json_t *obj, const char *ptr, int64_t *out,
                      struct err *e)
{
    struct in_id r;
    if (j_id(obj, ptr, "revision", "版本号 revision", 1, &r, e))
        return -1;
    *out = r.v;
    return 0;
}

static int j_bool(const json_t *obj, const char *ptr, const char *key,
                  const char *label, int *set, int *out, struct err *e)
{
    char field[64];
    field_of(field, ptr, key);
    json_t *v = json_object_get(obj, key);
    *set = 0;
    if (!v)
        return 0;
    if (!json_is_boolean(v))
        return err_set(e, ERR_INVALID, field, "%s应为 true 或 false", label);
    *set = 1;
    *out = json_is_true(v);
    return 0;
}

static int need_object(const json_t *v, const char *ptr, struct err *e)
{
    if (!json_is_object(v))
        return err_set(e, ERR_INVALID, ptr, "%s应为 JSON 对象",
                       *ptr ? "该项" : "请求体");
    return 0;
}

static int check_phone(const char *phone, const char *field, struct err *e)
{
    if (!phone)
        return 0;
    size_t n = strlen(phone);
    int digits = 0;
    for (size_t i = 0; i < n; i++) {
        if (phone[i] >= '0' && phone[i] <= '9')
            digits++;
        else if (!strchr("-+ ", phone[i]))
            n = 99;
    }
    if (n > 20 || digits == 0)
        return err_set(e, ERR_INVALID, field,
                       "电话只能由数字、-、+ 和空格组成，不超过 20 位");
    return 0;
}

static int check_window_number(const char *number, const char *field,
                               struct err *e)
{
    if (!number)
        return 0;
    size_t n = strlen(number);
    for (size_t i = 0; i < n; i++) {
        char c = number[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
              (c >= 'a' && c <= 'z') || c == '-'))
            return err_set(e, ERR_INVALID, field,
                           "窗口编号只能由字母、数字和 - 组成（如 A01）");
    }
    return 0;
}

/* parse_window — one window object at ptr. create: number and name
 * required, kind defaults to comprehensive, active to true. */
static int parse_window(const json_t *obj, const char *ptr, int create,
                        struct arena *a, struct win_in *w, struct err *e)
{
    static const char *const k_create[] = {"number", "name", "kind",
                                           "dept_id", "active", NULL};
    static const char *const k_update[] = {"number", "name",   "kind",
                                           "dept_id", "active", "revision",
                                           NULL};
    char field[64];
    snprintf(w->ptr, sizeof w->ptr, "%s", ptr);
    if (need_object(obj, ptr, e) ||
        j_only(obj, ptr, create ? k_create : k_update, e) ||
        j_text(obj, ptr, "number", "窗口编号", create, 0, 16, a, &w->number,
               e) ||
        j_text(obj, ptr, "name", "窗口名称", create, 0, 64, a, &w->name, e) ||
        j_text(obj, ptr, "kind", "窗口类型", 0, 0, 32, a, &w->kind, e) ||
        j_id(obj, ptr, "dept_id", "部门", 1, &w->dept_id, e) ||
        j_bool(obj, ptr, "active", "启用状态", &w->active_set, &w->active, e))
        return -1;
    if (!create && j_revision(obj, ptr, &w->revision, e))
        return -1;
    field_of(field, ptr, "number");
    if (check_window_number(w->number.v, field, e))
        return -1;
    if (w->kind.set && !app_window_kind_name(w->kind.v)) {
        field_of(field, ptr, "kind");
        return err_set(e, ERR_INVALID, field,
                       "窗口类型应为 comprehensive（综合窗口）或 "
                       "department（部门窗口）");
    }
    if (create) {
        if (!w->kind.set) {
            w->kind.set = 1;
            w->kind.v = "comprehensive";
        }
        if (!w->active_set) {
            w->active_set = 1;
            w->active = 1;
        }
    }
    /* Rules the body alone decides; the rest is checked against the row. */
    field_of(field, ptr, "dept_id");
    if (w->kind.set && strcmp(w->kind.v, "department") == 0 &&
        (create || w->dept_id.set) && w->dept_id.v == 0)
        return err_set(e, ERR_INVALID, field, "部门窗口须指定所属部门 dept_id");
    if (w->kind.set && strcmp(w->kind.v, "comprehensive") == 0 &&
        w->dept_id.v != 0)
        return err_set(e, ERR_INVALID, field,
                       "综合窗口不属于某个部门，请去掉 dept_id");
    return 0;
}

static int parse_hall(const json_t *obj, const char *ptr, int create,
                      struct arena *a, struct hall_in *h, struct err *e)
{
    static const char *const k_create[] = {"name", "address", "hours",
                                           "windows", NULL};
    static const char *const k_update[] = {"name", "address", "hours",
                                           "revision", NULL};
    char field[64];
    snprintf(h->ptr, sizeof h->ptr, "%s", ptr);
    if (need_object(obj, ptr, e) ||
        j_only(obj, ptr, create ? k_create : k_update, e) ||
        j_text(obj, ptr, "name", "大厅名称", create, 0, 64, a, &h->name, e) ||
        j_text(obj, ptr, "address", "地址", 0, 1, 128, a, &h->address, e) ||
        j_text(obj, ptr, "hours", "办公时间", 0, 1, 200, a, &h->hours, e))
        return -1;
    if (!create)
        return j_revision(obj, ptr, &h->revision, e);
    json_t *wins = json_object_get(obj, "windows");
    if (!wins || json_is_null(wins))
        return 0;
    field_of(field, ptr, "windows");
    if (!json_is_array(wins))
        return err_set(e, ERR_INVALID, field, "windows 应为数组");
    size_t n = json_array_size(wins);
    if (n > MAX_WINDOWS)
        return err_set(e, ERR_INVALID, field, "一个大厅最多 %d 个窗口",
                       MAX_WINDOWS);
    h->wins = arena_new_array(a, struct win_in, n ? n : 1);
    h->n_wins = (int)n;
    for (size_t j = 0; j < n; j++) {
        char wptr[64];
        snprintf(wptr, sizeof wptr, "%s/windows/%zu", ptr, j);
        if (parse_window(json_array_get(wins, j), wptr, 1, a, &h->wins[j], e))
            return -1;
        for (size_t k = 0; k < j; k++)
            if (strcmp(h->wins[k].number.v, h->wins[j].number.v) == 0) {
                field_of(field, wptr, "number");
                return err_set(e, ERR_INVALID, field,
                               "窗口编号 %s 与第 %zu 个窗口重复",
                               h->wins[j].number.v, k + 1);
            }
    }
    return 0;
}

static int check_scope(const struct actor *actor, const char *region,
                       const char *field, struct err *e)
{
    if (!actor_can(actor, CAP_ORG_WRITE, region))
        return err_set(e, ERR_FORBIDDEN, field, "无权管理该区划的机构");
    return 0;
}

static int parse_org(const json_t *body, int create, const struct actor *actor,
                     struct arena *a, struct org_in *o, struct err *e)
{
    static const char *const k_create[] = {
        "kind",    "name",  "short_name", "region", "parent_id", "credit_code",
        "address", "phone", "hours",      "halls",  NULL};
    static const char *const k_update[] = {
        "kind",    "name",  "short_name", "region",   "parent_id", "credit_code",
        "address", "phone", "hours",      "revision", NULL};
    int level = 0;
    if (need_object(body, "", e) ||
        j_only(body, "", create ? k_create : k_update, e) ||
        j_text(body, "", "region", "所属区划", create, 0, 12, a, &o->region,
               e))
        return -1;
    if (o->region.set &&
        (ids_division_check(o->region.v, &level, "/region", e) ||
         check_scope(actor, o->region.v, "/region", e)))
        return -1;
    if (j_text(body, "", "kind", "机构类型", create, 0, 32, a, &o->kind, e))
        return -1;
    if (o->kind.set && org_kind_index(o->kind.v) < 0)
        return err_set(e, ERR_INVALID, "/kind",
                       "机构类型应为 department（部门）、service_centre"
                       "（政务服务中心）、township_centre（为民服务中心）或 "
                       "village_station（为民服务工作站）");
    if (j_text(body, "", "name", "机构名称", create, 0, 64, a, &o->name, e) ||
        j_text(body, "", "short_name", "简称", 0, 1, 32, a, &o->short_name,
               e) ||
        j_id(body, "", "parent_id", "上级机构", 1, &o->parent_id, e) ||
        j_text(body, "", "credit_code", "统一社会信用代码", 0, 1, 18, a,
               &o->credit_code, e) ||
        j_text(body, "", "address", "地址", 0, 1, 128, a, &o->address, e) ||
        j_text(body, "", "phone", "电话", 0, 1, 20, a, &o->phone, e) ||
        j_text(body, "", "hours", "办公时间", 0, 1, 200, a, &o->hours, e) ||
        check_phone(o->phone.v, "/phone", e))
        return -1;
    if (o->credit_code.v) {
        struct ids_uscc u;
        if (ids_uscc_parse(o->credit_code.v, &u, "/credit_code", e))
            return -1;
        o->credit_code.v = arena_strdup(a, u.code);
    }
    if (o->kind.set && o->region.set &&
        kind_fits(o->kind.v, level, "/kind", e))
        return -1;
    if (!create)
        return j_revision(body, "", &o->revision, e);

    if (needs_credit(o->kind.v) && !o->credit_code.v)
        return err_set(e, ERR_INVALID, "/credit_code",
                       "%s须填写统一社会信用代码",
                       app_org_kind_name(o->kind.v));
    json_t *halls = json_object_get(body, "halls");
    if (!halls || json_is_null(halls))
        return 0;
    if (!json_is_array(halls))
        return err_set(e, ERR_INVALID, "/halls", "halls 应为数组");
    size_t n = json_array_size(halls);
    if (n > MAX_HALLS)
        return err_set(e, ERR_INVALID, "/halls", "一个机构最多 %d 个大厅",
                       MAX_HALLS);
    o->halls = arena_new_array(a, struct hall_in, n ? n : 1);
    o->n_halls = (int)n;
    for (size_t i = 0; i < n; i++) {
        char ptr[64];
        snprintf(ptr, sizeof ptr, "/halls/%zu", i);
        if (parse_hall(json_array_get(halls, i), ptr, 1, a, &o->halls[i], e))
            return -1;
        for (size_t k = 0; k < i; k++)
            if (strcmp(o->halls[k].name.v, o->halls[i].name.v) == 0) {
                char field[64];
                field_of(field, ptr, "name");
                return err_set(e, ERR_INVALID, field,
                               "大厅名称与第 %zu 个大厅重复", k + 1);
            }
    }
    return 0;
}

/* ---- prepare -------------------------------------------------------------- */

static struct org_write *write_new(const struct actor *actor, enum op op,
                                   int64_t target, struct arena *a,
                                   struct err *e)
{
    if (!actor_can(actor, CAP_ORG_WRITE, NULL)) {
        err_set(e, ERR_FORBIDDEN, NULL, "无权管理机构");
        return NULL;
    }
    struct org_write *w = arena_new_obj(a, struct org_write);
    w->op = op;
    w->actor = *actor;
    w->a = a;
    w->target = target;
    return w;
}

/* A path id that is not positive names nothing. */
static int target_ok(int64_t id, const char *what, struct err *e)
{
    if (id <= 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个%s", what);
    return 0;
}

static int region_level(struct db *db, const char *code, const char *field,
                        int *level, struct arena *a, const char **name,
                        struct err *e);
static int check_org_unique(struct db *db, int64_t self_id, const char *region,
                            const char *name, const char *credit_code,
                            struct err *e);

int app_org_create_prepare(struct app *app, const struct actor *actor,
                           const json_t *body, struct arena *a,
                           struct org_write **out, struct err *e)
{
    (void)app;
    struct org_write *w = write_new(actor, OP_ORG_CREATE, 0, a, e);
    if (!w || parse_org(body, 1, actor, a, &w->org, e))
        return -1;
    const struct org_in *o = &w->org;
    /* The audit row's detail, serialised here rather than on the writer. */
    json_t *detail = json_pack("{s:s, s:s, s:i}", "name", o->name.v, "kind",
                               o->kind.v, "revision", 1);
    char *text =
        detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(detail);
    if (!text)
        return err_set(e, ERR_INTERNAL, NULL, "内存不足");
    w->audit_detail = arena_strdup(a, text);
    free(text);
    *out = w;
    return 0;
}

/* create_checks — what a create checks by reading only: the region exists
 * (regions are only ever added) and fits the kind; name and credit code are
 * free. Fills w->region_name. */
static int create_checks(struct db *db, struct org_write *w, struct err *e)
{
    const struct org_in *o = &w->org;
    int level = 0;
    return region_level(db, o->region.v, "/region", &level, w->a,
                        &w->region_name, e) ||
                   kind_fits(o->kind.v, level, "/kind", e) ||
                   check_org_unique(db, 0, o->region.v, o->name.v,
                                    o->credit_code.v, e)
               ? -1
               : 0;
}

/* The precheck reads nothing from the database: the region comes from the
 * per-node region cache (app_region_level), and a name or credit code
 * already taken is left to the unit's INSERT, whose unique index answers
 * it with the same 409 (org_taken) — one read fewer per create on the
 * request path, where the check could only race with other writes anyway. */
int app_org_write_precheck(struct app *app, struct org_write *w, struct err *e)
{
    if (w->op != OP_ORG_CREATE || w->prechecked)
        return 0;
    const struct org_in *o = &w->org;
    int level = 0;
    struct err e2 = {0};
    if (app_region_level(app, o->region.v, w->a, &level, &w->region_name,
                         &e2)) {
        if (e2.code != ERR_NOT_FOUND && e2.code != ERR_INVALID)
            return *e = e2, -1;
        return err_set(e, ERR_INVALID, "/region", "区划 %s 不存在",
                       o->region.v);
    }
    if (kind_fits(o->kind.v, level, "/kind", e))
        return -1;
    w->prechecked = 1;
    return 0;
}

int app_org_update_prepare(struct app *app, const struct actor *actor,
                           int64_t id, const json_t *body, struct arena *a,
                           struct org_write **out, struct err *e)
{
    (void)app;
    struct org_write *w = write_new(actor, OP_ORG_UPDATE, id, a, e);
    if (!w || target_ok(id, "机构", e) ||
        parse_org(body, 0, actor, a, &w->org, e))
        return -1;
    *out = w;
    return 0;
}

int app_org_delete_prepare(struct app *app, const struct actor *actor,
                           int64_t id, struct arena *a, struct org_write **out,
                           struct err *e)
{
    (void)app;
    struct org_write *w = write_new(actor, OP_ORG_DELETE, id, a, e);
    if (!w || target_ok(id, "机构", e))
        return -1;
    *out = w;
    return 0;
}

int app_hall_create_prepare(struct app *app, const struct actor *actor,
                            int64_t org_id, const json_t *body,
                            struct arena *a, struct org_write **out,
                            struct err *e)
{
    (void)app;
    struct org_write *w = write_new(actor, OP_HALL_CREATE, org_id, a, e);
    if (!w || target_ok(org_id, "机构", e) ||
        parse_hall(body, "", 1, a, &w->hall, e))
        return -1;
    *out = w;
    return 0;
}

int app_hall_update_prepare(struct app *app, const struct actor *actor,
                            int64_t hall_id, const json_t *body,
                            struct arena *a, struct org_write **out,
                            struct err *e)
{
    (void)app;
    struct org_write *w = write_new(actor, OP_HALL_UPDATE, hall_id, a, e);
    if (!w || target_ok(hall_id, "大厅", e) ||
        parse_hall(body, "", 0, a, &w->hall, e))
        return -1;
    *out = w;
    return 0;
}

int app_hall_delete_prepare(struct app *app, const struct actor *actor,
                            int64_t hall_id, struct arena *a,
                            struct org_write **out, struct err *e)
{
    (void)app;
    struct org_write *w = write_new(actor, OP_HALL_DELETE, hall_id, a, e);
    if (!w || target_ok(hall_id, "大厅", e))
        return -1;
    *out = w;
    return 0;
}

int app_window_create_prepare(struct app *app, const struct actor *actor,
                              int64_t hall_id, const json_t *body,
                              struct arena *a, struct org_write **out,
                              struct err *e)
{
    (void)app;
    struct org_write *w = write_new(actor, OP_WIN_CREATE, hall_id, a, e);
    if (!w || target_ok(hall_id, "大厅", e) ||
        parse_window(body, "", 1, a, &w->win, e))
        return -1;
    *out = w;
    return 0;
}

int app_window_update_prepare(struct app *app, const struct actor *actor,
                              int64_t window_id, const json_t *body,
                              struct arena *a, struct org_write **out,
                              struct err *e)
{
    (void)app;
    struct org_write *w = write_new(actor, OP_WIN_UPDATE, window_id, a, e);
    if (!w || target_ok(window_id, "窗口", e) ||
        parse_window(body, "", 0, a, &w->win, e))
        return -1;
    *out = w;
    return 0;
}

int app_window_delete_prepare(struct app *app, const struct actor *actor,
                              int64_t window_id, struct arena *a,
                              struct org_write **out, struct err *e)
{
    (void)app;
    struct org_write *w = write_new(actor, OP_WIN_DELETE, window_id, a, e);
    if (!w || target_ok(window_id, "窗口", e))
        return -1;
    *out = w;
    return 0;
}

/* ---- checks inside the unit ------------------------------------------------ */

struct region_hit {
    int level;
    struct arena *a; /* NULL: no name wanted */
    const char *name;
};

static int take_region(void *ctx, const struct region_row *row)
{
    struct region_hit *h = ctx;
    h->level = row->level;
    if (h->a)
        h->name = dup_or_null(h->a, row->name);
    return 1;
}

/* region_level — the stored level of region `code` (and, with an arena, its
 * name in *name); ERR_INVALID on field when it does not exist. */
static int region_level(struct db *db, const char *code, const char *field,
                        int *level, struct arena *a, const char **name,
                        struct err *e)
{
    struct region_hit h = {.a = a};
    struct err e2 = {0};
    if (store_region_get(db, code, take_region, &h, &e2)) {
        if (e2.code == ERR_NOT_FOUND)
            return err_set(e, ERR_INVALID, field, "区划 %s 不存在", code);
        *e = e2;
        return -1;
    }
    *level = h.level;
    if (name)
        *name = h.name;
    return 0;
}

/* load_ref — an org referred to by the body: absent → ERR_INVALID on field
 * (not 404: the path was fine, the reference is not). */
static int load_ref(struct db *db, int64_t id, const char *field,
                    const char *what, struct arena *a, struct org_view **out,
                    struct err *e)
{
    struct err e2 = {0};
    if (load_org(db, id, 0, a, out, &e2) == 0)
        return 0;
    if (e2.code == ERR_NOT_FOUND)
        return err_set(e, ERR_INVALID, field, "%s %lld 不存在", what,
                       (long long)id);
    *e = e2;
    return -1;
}

/* check_parent — parent_id exists, sits in the org's region or above, and
 * (for an existing org self_id) is neither the org nor below it. */
static int check_parent(struct db *db, int64_t self_id, int64_t parent_id,
                        const char *region, struct arena *a, struct err *e)
{
    struct org_view *p;
    if (load_ref(db, parent_id, "/parent_id", "上级机构", a, &p, e))
        return -1;
    if (!region_covers(p->region, region))
        return err_set(e, ERR_INVALID, "/parent_id",
                       "上级机构应属于本区划或其上级区划");
    for (int depth = 0; self_id && depth < MAX_PARENT_DEPTH; depth++) {
        if (p->id == self_id)
            return err_set(e, ERR_INVALID, "/parent_id",
                           "上级机构不能是本机构或其下级机构");
        if (!p->parent_id)
            break;
        struct err e2 = {0};
        if (load_org(db, p->parent_id, 0, a, &p, &e2)) {
            if (e2.code == ERR_NOT_FOUND)
                break;
            *e = e2;
            return -1;
        }
    }
    return 0;
}

/* check_dept — a department window's dept_id: a department of the hall's
 * region or above. */
static int check_dept(struct db *db, int64_t dept_id, const char *org_region,
                      const char *ptr, struct arena *a, struct err *e)
{
    char field[64];
    field_of(field, ptr, "dept_id");
    struct org_view *d;
    if (load_ref(db, dept_id, field, "部门", a, &d, e))
        return -1;
    if (strcmp(d->kind, "department") != 0)
        return err_set(e, ERR_INVALID, field, "dept_id 应指向部门，「%s」是%s",
                       d->name, app_org_kind_name(d->kind));
    if (!region_covers(d->region, org_region))
        return err_set(e, ERR_INVALID, field,
                       "部门「%s」不属于本机构所在区划或其上级区划", d->name);
    return 0;
}

static int check_org_unique(struct db *db, int64_t self_id,
                            const char *region, const char *name,
                            const char *credit_code, struct err *e)
{
    int64_t other = 0;
    if (store_org_id_by_name(db, region, name, &other, e))
        return -1;
    if (other && other != self_id)
        return err_set(e, ERR_CONFLICT, "/name", "该区划已有名为「%s」的机构",
                       name);
    if (credit_code) {
        if (store_org_id_by_credit(db, credit_code, &other, e))
            return -1;
        if (other && other != self_id)
            return err_set(e, ERR_CONFLICT, "/credit_code",
                           "统一社会信用代码 %s 已被其他机构使用",
                           credit_code);
    }
    return 0;
}

static int stale(int64_t given, int64_t stored, const char *ptr,
                 const char *what, struct err *e)
{
    if (given && given != stored) {
        char field[64];
        field_of(field, ptr, "revision");
        return err_set(e, ERR_CONFLICT, field,
                       "%s已被他人修改（当前版本 %lld），请刷新后重试", what,
                       (long long)stored);
    }
    return 0;
}

/* ---- units --------------------------------------------------------------- */

static int insert_window(struct db *db, const struct win_in *w,
                         int64_t hall_id, const char *org_region,
                         int check_number, int64_t now, struct arena *a,
                         int64_t *id, struct err *e)
{
    if (w->dept_id.v && check_dept(db, w->dept_id.v, org_region, w->ptr, a, e))
        return -1;
    if (check_number) {
        int64_t other = 0;
        if (store_window_id_by_number(db, hall_id, w->number.v, &other, e))
            return -1;
        if (other) {
            char field[64];
            field_of(field, w->ptr, "number");
            return err_set(e, ERR_CONFLICT, field, "该大厅已有编号为 %s 的窗口",
                           w->number.v);
        }
    }
    struct window_row row = {
        .hall_id = hall_id,
        .number = w->number.v,
        .name = w->name.v,
        .kind = w->kind.v,
        .dept_id = w->dept_id.v,
        .active = w->active,
    };
    return store_window_insert(db, &row, now, id, e);
}

static int insert_hall(struct db *db, const struct hall_in *h, int64_t org_id,
                       const char *org_region, int check_name, int64_t now,
                       struct arena *a, int64_t *id, struct err *e)
{
    if (check_name) {
        int64_t other = 0;
        if (store_hall_id_by_name(db, org_id, h->name.v, &other, e))
            return -1;
        if (other) {
            char field[64];
            field_of(field, h->ptr, "name");
            return err_set(e, ERR_CONFLICT, field, "该机构已有名为「%s」的大厅",
                           h->name.v);
        }
    }
    struct hall_row row = {.org_id = org_id,
                           .name = h->name.v,
                           .address = h->address.v,
                           .hours = h->hours.v};
    if (store_hall_insert(db, &row, now, id, e))
        return -1;
    for (int j = 0; j < h->n_wins; j++) {
        int64_t wid;
        if (insert_window(db, &h->wins[j], *id, org_region, 0, now, a, &wid,
                          e))
            return -1;
    }
    return 0;
}

/* The org's own row failed on a unique index (a name or credit code taken
 * after the prepare step looked): the same field error as that step's. */
static int org_taken(const struct org_in *o, struct err *e)
{
    int credit = o->credit_code.v && strstr(e->log, "credit_code");
    char log[sizeof e->log];
    snprintf(log, sizeof log, "%s", e->log);
    if (credit)
        err_set(e, ERR_CONFLICT, "/credit_code",
                "统一社会信用代码 %s 已被其他机构使用", o->credit_code.v);
    else
        err_set(e, ERR_CONFLICT, "/name", "该区划已有名为「%s」的机构",
                o->name.v);
    err_log(e, "%s", log);
    return -1;
}

static int unit_org_create(struct db *db, struct org_write *w, struct err *e)
{
    const struct org_in *o = &w->org;
    if (!w->prechecked && create_checks(db, w, e))
        return -1;
    if (o->parent_id.v &&
        check_parent(db, 0, o->parent_id.v, o->region.v, w->a, e))
        return -1;
    int64_t now = store_now_ms();
    struct org_row row = {
        .kind = o->kind.v,
        .name = o->name.v,
        .short_name = o->short_name.v,
        .region = o->region.v,
        .parent_id = o->parent_id.v,
        .credit_code = o->credit_code.v,
        .address = o->address.v,
        .phone = o->phone.v,
        .hours = o->hours.v,
    };
    if (store_org_insert(db, &row, now, &w->id, e))
        return e->code == ERR_CONFLICT && !strstr(e->log, "FOREIGN") &&
                       !strstr(e->log, "23503")
                   ? org_taken(o, e)
                   : -1;
    for (int i = 0; i < o->n_halls; i++) {
        int64_t hid;
        if (insert_hall(db, &o->halls[i], w->id, o->region.v, 0, now, w->a,
                        &hid, e))
            return -1;
    }
    if (o->n_halls > 0) /* halls and windows as stored, in their order */
        return load_org(db, w->id, 1, w->a, &w->org_out, e);
    /* No read-back: the answer is what was inserted. */
    struct org_view *v = arena_new_obj(w->a, struct org_view);
    *v = (struct org_view){
        .id = w->id,
        .kind = o->kind.v,
        .name = o->name.v,
        .short_name = o->short_name.v,
        .region = o->region.v,
        .region_name = w->region_name,
        .parent_id = o->parent_id.v,
        .credit_code = o->credit_code.v,
        .address = o->address.v,
        .phone = o->phone.v,
        .hours = o->hours.v,
        .revision = 1,
        .created_at = now,
        .updated_at = now,
        .n_halls = 0,
    };
    w->org_out = v;
    return 0;
}

/* text_or — the new value when the body set the field, else the old. */
static const char *text_or(const struct in_text *t, const char *old)
{
    return t->set ? t->v : old;
}

static int unit_org_update(struct db *db, struct org_write *w, struct err *e)
{
    const struct org_in *o = &w->org;
    struct org_view *cur;
    if (load_org(db, w->target, 0, w->a, &cur, e) ||
        check_scope(&w->actor, cur->region, "", e) ||
        stale(o->revision, cur->revision, "", "机构", e))
        return -1;
    struct org_row m = {
        .id = cur->id,
        .kind = text_or(&o->kind, cur->kind),
        .name = text_or(&o->name, cur->name),
        .short_name = text_or(&o->short_name, cur->short_name),
        .region = text_or(&o->region, cur->region),
        .parent_id = o->parent_id.set ? o->parent_id.v : cur->parent_id,
        .credit_code = text_or(&o->credit_code, cur->credit_code),
        .address = text_or(&o->address, cur->address),
        .phone = text_or(&o->phone, cur->phone),
        .hours = text_or(&o->hours, cur->hours),
    };
    int region_moved = strcmp(m.region, cur->region) != 0;
    int kind_changed = strcmp(m.kind, cur->kind) != 0;
    int level;
    if (region_level(db, m.region, "/region", &level, NULL, NULL, e) ||
        kind_fits(m.kind, level, o->kind.set ? "/kind" : "/region", e))
        return -1;
    if (needs_credit(m.kind) && !m.credit_code)
        return err_set(e, ERR_INVALID, "/credit_code",
                       "%s须填写统一社会信用代码", app_org_kind_name(m.kind));
    if (region_moved || kind_changed) {
        struct org_refs refs;
        if (store_org_refs(db, cur->id, &refs, e))
            return -1;
        if (region_moved && refs.children)
            return err_set(e, ERR_CONFLICT, "/region",
                           "该机构有 %lld 个下级机构，不能改变所属区划",
                           (long long)refs.children);
        if (refs.windows)
            return err_set(e, ERR_CONFLICT, o->kind.set ? "/kind" : "/region",
                           "仍有 %lld 个部门窗口属于该部门，不能改变其类型或"
                           "所属区划",
                           (long long)refs.windows);
    }
    if (m.parent_id && (o->parent_id.set || region_moved) &&
        check_parent(db, cur->id, m.parent_id, m.region, w->a, e))
        return -1;
    if (check_org_unique(db, cur->id, m.region, m.name, m.credit_code, e))
        return -1;
    int changed;
    if (store_org_update(db, &m, cur->revision, store_now_ms(), &changed, e))
        return -1;
    if (!changed)
        return err_set(e, ERR_CONFLICT, "/revision",
                       "机构已被他人修改，请刷新后重试");
    w->id = cur->id;
    return load_org(db, cur->id, 0, w->a, &w->org_out, e);
}

static int unit_org_delete(struct db *db, struct org_write *w, struct err *e)
{
    struct org_view *cur;
    struct org_refs refs;
    if (load_org(db, w->target, 0, w->a, &cur, e) ||
        check_scope(&w->actor, cur->region, "", e) ||
        store_org_refs(db, cur->id, &refs, e))
        return -1;
    if (refs.halls)
        return err_set(e, ERR_CONFLICT, "",
                       "「%s」还有 %lld 个大厅，请先删除大厅", cur->name,
                       (long long)refs.halls);
    if (refs.children)
        return err_set(e, ERR_CONFLICT, "",
                       "「%s」还有 %lld 个下级机构，请先删除或改挂下级机构",
                       cur->name, (long long)refs.children);
    if (refs.windows)
        return err_set(e, ERR_CONFLICT, "",
                       "还有 %lld 个部门窗口属于「%s」，请先删除或改设这些窗口",
                       (long long)refs.windows, cur->name);
    if (refs.grants)
        return err_set(e, ERR_CONFLICT, "",
                       "还有 %lld 条人员授权限定于「%s」，请先收回授权",
                       (long long)refs.grants, cur->name);
    int changed;
    if (store_org_delete(db, cur->id, &changed, e))
        return -1;
    w->id = cur->id;
    snprintf(w->region, sizeof w->region, "%s", cur->region);
    return 0;
}

/* The hall and its org, with the actor's permission on the org's region. */
static int hall_in_scope(struct db *db, struct org_write *w,
                         int64_t hall_id, struct hall_view **h,
                         struct org_view **org, struct err *e)
{
    if (load_hall(db, hall_id, 0, w->a, h, e) ||
        load_org(db, (*h)->org_id, 0, w->a, org, e) ||
        check_scope(&w->actor, (*org)->region, "", e))
        return -1;
    snprintf(w->region, sizeof w->region, "%s", (*org)->region);
    return 0;
}

static int unit_hall_create(struct db *db, struct org_write *w, struct err *e)
{
    struct org_view *org;
    if (load_org(db, w->target, 0, w->a, &org, e) ||
        check_scope(&w->actor, org->region, "", e) ||
        insert_hall(db, &w->hall, org->id, org->region, 1, store_now_ms(),
                    w->a, &w->id, e))
        return -1;
    snprintf(w->region, sizeof w->region, "%s", org->region);
    return load_hall(db, w->id, 1, w->a, &w->hall_out, e);
}

static int unit_hall_update(struct db *db, struct org_write *w, struct err *e)
{
    const struct hall_in *in = &w->hall;
    struct hall_view *cur;
    struct org_view *org;
    if (hall_in_scope(db, w, w->target, &cur, &org, e) ||
        stale(in->revision, cur->revision, "", "大厅", e))
        return -1;
    struct hall_row m = {
        .id = cur->id,
        .org_id = cur->org_id,
        .name = text_or(&in->name, cur->name),
        .address = text_or(&in->address, cur->address),
        .hours = text_or(&in->hours, cur->hours),
    };
    if (strcmp(m.name, cur->name) != 0) {
        int64_t other = 0;
        if (store_hall_id_by_name(db, cur->org_id, m.name, &other, e))
            return -1;
        if (other)
            return err_set(e, ERR_CONFLICT, "/name",
                           "该机构已有名为「%s」的大厅", m.name);
    }
    int changed;
    if (store_hall_update(db, &m, cur->revision, store_now_ms(), &changed, e))
        return -1;
    if (!changed)
        return err_set(e, ERR_CONFLICT, "/revision",
                       "大厅已被他人修改，请刷新后重试");
    w->id = cur->id;
    return load_hall(db, cur->id, 1, w->a, &w->hall_out, e);
}

static int unit_hall_delete(struct db *db, struct org_write *w, struct err *e)
{
    struct hall_view *cur;
    struct org_view *org;
    int64_t n = 0;
    if (hall_in_scope(db, w, w->target, &cur, &org, e) ||
        store_hall_window_count(db, cur->id, &n, e))
        return -1;
    if (n)
        return err_set(e, ERR_CONFLICT, "",
                       "大厅「%s」还有 %lld 个窗口，请先删除窗口", cur->name,
                       (long long)n);
    int changed;
    if (store_hall_delete(db, cur->id, &changed, e))
        return -1;
    w->id = cur->id;
    return 0;
}

static int unit_window_create(struct db *db, struct org_write *w,
                              struct err *e)
{
    struct hall_view *hall;
    struct org_view *org;
    if (hall_in_scope(db, w, w->target, &hall, &org, e) ||
        insert_window(db, &w->win, hall->id, org->region, 1, store_now_ms(),
                      w->a, &w->id, e))
        return -1;
    return load_window(db, w->id, w->a, &w->win_out, e);
}

static int unit_window_update(struct db *db, struct org_write *w,
                              struct err *e)
{
    const struct win_in *in = &w->win;
    struct window_view *cur;
    struct hall_view *hall;
    struct org_view *org;
    if (load_window(db, w->target, w->a, &cur, e) ||
        hall_in_scope(db, w, cur->hall_id, &hall, &org, e) ||
        stale(in->revision, cur->revision, "", "窗口", e))
        return -1;
    struct window_row m = {
        .id = cur->id,
        .hall_id = cur->hall_id,
        .number = text_or(&in->number, cur->number),
        .name = text_or(&in->name, cur->name),
        .kind = text_or(&in->kind, cur->kind),
        .dept_id = in->dept_id.set ? in->dept_id.v : cur->dept_id,
        .active = in->active_set ? in->active : cur->active,
    };
    if (strcmp(m.kind, "comprehensive") == 0) {
        m.dept_id = 0; /* dept_id given with it was refused in prepare */
    } else if (!m.dept_id) {
        return err_set(e, ERR_INVALID, "/dept_id",
                       "部门窗口须指定所属部门 dept_id");
    } else if ((in->dept_id.set || in->kind.set) &&
               check_dept(db, m.dept_id, org->region, "", w->a, e)) {
        return -1;
    }
    if (strcmp(m.number, cur->number) != 0) {
        int64_t other = 0;
        if (store_window_id_by_number(db, cur->hall_id, m.number, &other, e))
            return -1;
        if (other)
            return err_set(e, ERR_CONFLICT, "/number",
                           "该大厅已有编号为 %s 的窗口", m.number);
    }
    int changed;
    if (store_window_update(db, &m, cur->revision, store_now_ms(), &changed,
                            e))
        return -1;
    if (!changed)
        return err_set(e, ERR_CONFLICT, "/revision",
                       "窗口已被他人修改，请刷新后重试");
    w->id = cur->id;
    return load_window(db, cur->id, w->a, &w->win_out, e);
}

static int unit_window_delete(struct db *db, struct org_write *w,
                              struct err *e)
{
    struct window_view *cur;
    struct hall_view *hall;
    struct org_view *org;
    if (load_window(db, w->target, w->a, &cur, e) ||
        hall_in_scope(db, w, cur->hall_id, &hall, &org, e))
        return -1;
    int changed;
    if (store_window_delete(db, cur->id, &changed, e))
        return -1;
    w->id = cur->id;
    return 0;
}

/* The audit row of a write that succeeded, in the same unit. */
static int audit_write(struct db *db, const struct org_write *w,
                       struct err *e)
{
    static const struct {
        const char *action, *kind;
    } k_ops[] = {
        [OP_ORG_CREATE] = {"org.create", "org"},
        [OP_ORG_UPDATE] = {"org.update", "org"},
        [OP_ORG_DELETE] = {"org.delete", "org"},
        [OP_HALL_CREATE] = {"hall.create", "hall"},
        [OP_HALL_UPDATE] = {"hall.update", "hall"},
        [OP_HALL_DELETE] = {"hall.delete", "hall"},
        [OP_WIN_CREATE] = {"window.create", "window"},
        [OP_WIN_UPDATE] = {"window.update", "window"},
        [OP_WIN_DELETE] = {"window.delete", "window"},
    };
    char target[24];
    snprintf(target, sizeof target, "%lld", (long long)w->id);
    json_t *detail = NULL;
    const char *region = w->region;
    if (w->org_out && w->audit_detail) { /* a create: serialised already */
        region = w->org_out->region;
    } else if (w->org_out) {
        region = w->org_out->region;
        detail = json_pack("{s:s, s:s, s:I}", "name", w->org_out->name, "kind",
                           w->org_out->kind, "revision",
                           (json_int_t)w->org_out->revision);
    } else if (w->hall_out) {
        detail = json_pack("{s:s, s:I}", "name", w->hall_out->name, "org_id",
                           (json_int_t)w->hall_out->org_id);
    } else if (w->win_out) {
        detail = json_pack("{s:s, s:s, s:I}", "number", w->win_out->number,
                           "name", w->win_out->name, "hall_id",
                           (json_int_t)w->win_out->hall_id);
    }
    struct audit_entry en = {0};
    audit_entry_actor(&en, &w->actor);
    en.action = k_ops[w->op].action;
    en.target_kind = k_ops[w->op].kind;
    en.target_id = target;
    en.region = region[0] ? region : NULL;
    en.outcome = "ok";
    en.detail = detail;
    en.detail_text = w->audit_detail;
    int rc = app_audit_unit_record(db, &en, e);
    json_decref(detail);
    return rc;
}

static int write_unit_op(struct db *db, struct org_write *w, struct err *e);

int app_org_write_unit(struct db *db, void *arg, struct err *e)
{
    struct org_write *w = arg;
    w->region[0] = '\0';
    if (app_audit_unit_lock(db, e) || write_unit_op(db, w, e))
        return -1;
    return audit_write(db, w, e);
}

static int write_unit_op(struct db *db, struct org_write *w, struct err *e)
{
    w->id = 0;
    w->org_out = NULL;
    w->hall_out = NULL;
    w->win_out = NULL;
    switch (w->op) {
    case OP_ORG_CREATE:
        return unit_org_create(db, w, e);
    case OP_ORG_UPDATE:
        return unit_org_update(db, w, e);
    case OP_ORG_DELETE:
        return unit_org_delete(db, w, e);
    case OP_HALL_CREATE:
        return unit_hall_create(db, w, e);
    case OP_HALL_UPDATE:
        return unit_hall_update(db, w, e);
    case OP_HALL_DELETE:
        return unit_hall_delete(db, w, e);
    case OP_WIN_CREATE:
        return unit_window_create(db, w, e);
    case OP_WIN_UPDATE:
        return unit_window_update(db, w, e);
    case OP_WIN_DELETE:
        return unit_window_delete(db, w, e);
    }
    return err_set(e, ERR_INTERNAL, NULL, "内部错误");
}

int app_org_write_run(struct app *app, struct org_write *w, struct err *e)
{
    return store_write(app->store, app_org_write_unit, w, e);
}

const struct org_view *app_org_write_org(const struct org_write *w)
{
    return w->org_out;
}

const struct hall_view *app_org_write_hall(const struct org_write *w)
{
    return w->hall_out;
}

const struct window_view *app_org_write_window(const struct org_write *w)
{
    return w->win_out;
}

int64_t app_org_write_id(const struct org_write *w)
{
    return w->id;
}

/* ---- JSON ------------------------------------------------------------------- */

static json_t *j_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *j_ref(int64_t id)
{
    return id > 0 ? json_integer((json_int_t)id) : json_null();
}

static json_t *j_time(int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char buf[32];
    if (!gmtime_r(&t, &tm) ||
        !strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm))
        return json_null();
    return json_string(buf);
}

json_t *app_window_json(const struct window_view *w)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer((json_int_t)w->id));
    json_object_set_new(o, "hall_id", json_integer((json_int_t)w->hall_id));
    json_object_set_new(o, "number", j_str(w->number));
    json_object_set_new(o, "name", j_str(w->name));
    json_object_set_new(o, "kind", j_str(w->kind));
    json_object_set_new(o, "kind_name", j_str(app_window_kind_name(w->kind)));
    json_object_set_new(o, "dept_id", j_ref(w->dept_id));
    json_object_set_new(o, "dept_name", j_str(w->dept_name));
    json_object_set_new(o, "active", json_boolean(w->active));
    json_object_set_new(o, "revision", json_integer((json_int_t)w->revision));
    json_object_set_new(o, "created_at", j_time(w->created_at));
    json_object_set_new(o, "updated_at", j_time(w->updated_at));
    return o;
}

json_t *app_hall_json(const struct hall_view *h)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer((json_int_t)h->id));
    json_object_set_new(o, "org_id", json_integer((json_int_t)h->org_id));
    json_object_set_new(o, "name", j_str(h->name));
    json_object_set_new(o, "address", j_str(h->address));
    json_object_set_new(o, "hours", j_str(h->hours));
    json_object_set_new(o, "revision", json_integer((json_int_t)h->revision));
    json_object_set_new(o, "created_at", j_time(h->created_at));
    json_object_set_new(o, "updated_at", j_time(h->updated_at));
    json_t *ws = json_array();
    for (int i = 0; i < h->n_windows; i++)
        json_array_append_new(ws, app_window_json(&h->windows[i]));
    json_object_set_new(o, "windows", ws);
    return o;
}

json_t *app_org_json(const struct org_view *v)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer((json_int_t)v->id));
    json_object_set_new(o, "kind", j_str(v->kind));
    json_object_set_new(o, "kind_name", j_str(app_org_kind_name(v->kind)));
    json_object_set_new(o, "name", j_str(v->name));
    json_object_set_new(o, "short_name", j_str(v->short_name));
    json_object_set_new(o, "region", j_str(v->region));
    json_object_set_new(o, "region_name", j_str(v->region_name));
    json_object_set_new(o, "parent_id", j_ref(v->parent_id));
    json_object_set_new(o, "credit_code", j_str(v->credit_code));
    json_object_set_new(o, "address", j_str(v->address));
    json_object_set_new(o, "phone", j_str(v->phone));
    json_object_set_new(o, "hours", j_str(v->hours));
    json_object_set_new(o, "revision", json_integer((json_int_t)v->revision));
    json_object_set_new(o, "created_at", j_time(v->created_at));
    json_object_set_new(o, "updated_at", j_time(v->updated_at));
    if (v->n_halls >= 0) {
        json_t *hs = json_array();
        for (int i = 0; i < v->n_halls; i++)
            json_array_append_new(hs, app_hall_json(&v->halls[i]));
        json_object_set_new(o, "halls", hs);
    }
    return o;
}

/* ---- demo: 六安市 ------------------------------------------------------------ */

/* Organisations of the demo city. parent: index into this table or -1;
 * credit: the 7-digit serial of a made-up but well-formed credit code
 * (11 + region + 00 + serial + check character), 0 for none. The township
 * centres and village stations carry one too: they implement catalogue
 * items (data/demo/catalogue.json), and an implementation code names the
 * implementing body's credit code (docs/catalogue.md). Parents come
 * before their children. */
static const struct demo_org {
    const char *kind, *name, *short_name, *region;
    int parent, credit;
    const char *address, *phone, *hours;
} k_demo_orgs[] = {
    /* 0 */ {"service_centre", "六安市政务服务中心", "市政务服务中心",
             "341500000000", -1, 1001, "六安市金安区梅山南路 88 号",
             "0564-3379000", "周一至周五 8:30-12:00, 14:30-17:30"},
    /* 1 */ {"service_centre", "金寨县政务服务中心", "县政务服务中心",
             "341524000000", 0, 1101, "金寨县梅山镇红军大道 1 号",
             "0564-7066000", "周一至周五 8:30-12:00, 14:30-17:30"},
    /* 2 */ {"service_centre", "霍山县政务服务中心", "县政务服务中心",
             "341525000000", 0, 1201, "霍山县衡山镇迎驾大道 6 号",
             "0564-5022000", "周一至周五 8:30-12:00, 14:30-17:30"},
    /* 3 */ {"department", "金寨县民政局", "县民政局", "341524000000", -1,
             1111, "金寨县梅山镇红军大道 1 号", "0564-7022301", NULL},
    /* 4 */ {"department", "金寨县人力资源和社会保障局", "县人社局",
             "341524000000", -1, 1112, "金寨县梅山镇红军大道 1 号",
             "0564-7022302", NULL},
    /* 5 */ {"department", "金寨县公安局", "县公安局", "341524000000", -1,
             1113, "金寨县梅山镇城关路 2 号", "0564-7022303", NULL},
    /* 6 */ {"department", "金寨县市场监督管理局", "县市场监管局",
             "341524000000", -1, 1114, "金寨县梅山镇红军大道 1 号",
             "0564-7022304", NULL},
    /* 7 */ {"department", "金寨县医疗保障局", "县医保局", "341524000000",
             -1, 1115, "金寨县梅山镇红军大道 1 号", "0564-7022305", NULL},
    /* 8 */ {"department", "六安市市场监督管理局", "市市场监管局",
             "341500000000", -1, 1011, "六安市金安区梅山南路 88 号",
             "0564-3379101", NULL},
    /* 9 */ {"township_centre", "金寨县梅山镇为民服务中心", "梅山镇为民服务中心",
             "341524100000", 1, 1401, "金寨县梅山镇", "0564-7066100",
             "周一至周五 8:30-12:00, 14:30-17:30"},
    /* 10 */ {"township_centre", "金寨县麻埠镇为民服务中心",
              "麻埠镇为民服务中心", "341524101000", 1, 1402, "金寨县麻埠镇",
              "0564-7066101", "周一至周五 8:30-12:00, 14:30-17:30"},
    /* 11 */ {"village_station", "梅山镇青山社区为民服务工作站",
              "青山社区工作站", "341524100001", 9, 1403, NULL, NULL,
              "周一至周五 8:30-11:30"},
    /* 12 */ {"village_station", "梅山镇红村社区为民服务工作站",
              "红村社区工作站", "341524100002", 9, 1404, NULL, NULL,
              "周一至周五 8:30-11:30"},
};
#define N_DEMO_ORGS ((int)(sizeof k_demo_orgs / sizeof k_demo_orgs[0]))

static const struct demo_hall {
    int org;
    const char *name, *address;
} k_demo_halls[] = {
    /* 0 */ {0, "综合服务大厅", "一楼"},
    /* 1 */ {1, "综合受理大厅", "一楼"},
    /* 2 */ {1, "部门服务专区", "二楼"},
    /* 3 */ {2, "综合受理大厅", "一楼"},
    /* 4 */ {9, "便民服务大厅", NULL},
    /* 5 */ {10, "便民服务大厅", NULL},
    /* 6 */ {11, "代办服务室", NULL},
    /* 7 */ {12, "代办服务室", NULL},
};
#define N_DEMO_HALLS ((int)(sizeof k_demo_halls / sizeof k_demo_halls[0]))

static const struct demo_window {
    int hall;
    const char *number, *name;
    int dept; /* org index of a department window, -1 for comprehensive */
} k_demo_windows[] = {
    {0, "A01", "综合受理窗口", -1},
    {0, "A02", "综合受理窗口", -1},
    {0, "A03", "综合出件窗口", -1},
    {0, "B01", "市场主体登记窗口", 8},
    {1, "A01", "综合受理窗口", -1},
    {1, "A02", "综合受理窗口", -1},
    {1, "A03", "综合受理窗口", -1},
    {1, "A04", "综合出件窗口", -1},
    {2, "B01", "民政窗口", 3},
    {2, "B02", "社会保障窗口", 4},
    {2, "B03", "户籍窗口", 5},
    {2, "B04", "市场主体登记窗口", 6},
    {2, "B05", "医保窗口", 7},
    {3, "A01", "综合受理窗口", -1},
    {3, "A02", "综合出件窗口", -1},
    {4, "01", "综合窗口", -1},
    {4, "02", "综合窗口", -1},
    {5, "01", "综合窗口", -1},
    {6, "01", "代办窗口", -1},
    {7, "01", "代办窗口", -1},
};
#define N_DEMO_WINDOWS ((int)(sizeof k_demo_windows / sizeof k_demo_windows[0]))

/* demo_credit — 11 (机关, 类别 1) + the region's first 6 digits + 00 + the
 * 7-digit serial + the GB 32100 check character. */
static void demo_credit(const char *region, int serial, char out[19])
{
    snprintf(out, 19, "11%.6s00%07d", region, serial);
    out[17] = ids_uscc_check_char(out);
    out[18] = '\0';
}

static int demo_unit(struct db *db, void *arg, struct err *e)
{
    (void)arg;
    int64_t org_ids[N_DEMO_ORGS], hall_ids[N_DEMO_HALLS];
    int64_t now = store_now_ms();
    for (int i = 0; i < N_DEMO_ORGS; i++) {
        const struct demo_org *d = &k_demo_orgs[i];
        if (store_org_id_by_name(db, d->region, d->name, &org_ids[i], e))
            return -1;
        if (org_ids[i])
            continue;
        char credit[19] = "";
        if (d->credit)
            demo_credit(d->region, d->credit, credit);
        struct org_row row = {
            .kind = d->kind,
            .name = d->name,
            .short_name = d->short_name,
            .region = d->region,
            .parent_id = d->parent >= 0 ? org_ids[d->parent] : 0,
            .credit_code = credit,
            .address = d->address,
            .phone = d->phone,
            .hours = d->hours,
        };
        if (store_org_insert(db, &row, now, &org_ids[i], e))
            return err_log(e, " (demo org %s)", d->name);
    }
    for (int i = 0; i < N_DEMO_HALLS; i++) {
        const struct demo_hall *d = &k_demo_halls[i];
        const struct demo_org *o = &k_demo_orgs[d->org];
        int64_t org_id = org_ids[d->org];
        if (store_hall_id_by_name(db, org_id, d->name, &hall_ids[i], e))
            return -1;
        if (hall_ids[i])
            continue;
        struct hall_row row = {.org_id = org_id,
                               .name = d->name,
                               .address = d->address,
                               .hours = o->hours};
        if (store_hall_insert(db, &row, now, &hall_ids[i], e))
            return err_log(e, " (demo hall %s)", d->name);
    }
    for (int i = 0; i < N_DEMO_WINDOWS; i++) {
        const struct demo_window *d = &k_demo_windows[i];
        int64_t id;
        if (store_window_id_by_number(db, hall_ids[d->hall], d->number, &id,
                                      e))
            return -1;
        if (id)
            continue;
        struct window_row row = {
            .hall_id = hall_ids[d->hall],
            .number = d->number,
            .name = d->name,
            .kind = d->dept >= 0 ? "department" : "comprehensive",
            .dept_id = d->dept >= 0 ? org_ids[d->dept] : 0,
            .active = 1,
        };
        if (store_window_insert(db, &row, now, &id, e))
            return err_log(e, " (demo window %s)", d->number);
    }
    return 0;
}

int app_demo_orgs(struct app *a, int *orgs, int *halls, int *windows,
                  struct err *e)
{
    if (store_write(a->store, demo_unit, NULL, e))
        return -1;
    struct db *db = store_read(a->store, e);
    if (!db)
        return -1;
    int64_t no = 0, nh = 0, nw = 0;
    int rc = store_org_counts(db, &no, &nh, &nw, e);
    store_read_done(a->store, db);
    if (rc)
        return -1;
    *orgs = (int)no;
    *halls = (int)nh;
    *windows = (int)nw;
    return 0;
}
