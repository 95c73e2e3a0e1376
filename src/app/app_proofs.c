/* app_proofs.c — the proof registry, the shared data catalogue with its
 * providers and sharing log, electronic licences, notification-commitments
 * with their seeded post-check, the evidence seam of case intake
 * (app_evidence.h) and the demo data. The clean-up analyser is in
 * app_proofs_audit.c. Contract in app_proofs.h and docs/proofs.md. No state
 * outside the database; every write is one unit that audits itself. */
#include "app_proofs.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "../core/calendar.h"
#include "../core/ids.h"
#include "../core/sample.h"
#include "../core/utf8.h"
#include "../store/proofs.h"
#include "app_catalogue.h"
#include "app_evidence.h"
#include "audit.h"
#include "internal.h"
#include "proofs_internal.h"

/* ---- small helpers ------------------------------------------------------- */

static int need_cap(const struct actor *by, enum cap c, const char *what,
                    struct err *e)
{
    if (!by || actor_can(by, c, NULL))
        return 0;
    return err_set(e, ERR_FORBIDDEN, NULL, "无权%s", what);
}

static const char *dup_or_null(struct arena *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

static json_t *j_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* body_only — refuse keys outside `keys` (ERR_INVALID naming the key). */
static int body_only(const json_t *o, const char *ptr, const char *const *keys,
                     struct err *e)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        int ok = 0;
        for (int i = 0; keys[i] && !ok; i++)
            ok = strcmp(k, keys[i]) == 0;
        if (!ok) {
            err_set(e, ERR_INVALID, "", "未知字段 %s", k);
            snprintf(e->field, sizeof e->field, "%s/%s", ptr, k);
            return -1;
        }
    }
    return 0;
}

/* body_text — o[key] as text of min..max characters (no control
 * characters but newlines); absent/null → *out NULL, an error when
 * required. */
static int body_text(const json_t *o, const char *ptr, const char *key,
                     int required, size_t min, size_t max, const char **out,
                     struct err *e)
{
    char field[64];
    snprintf(field, sizeof field, "%s/%s", ptr, key);
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return err_set(e, ERR_INVALID, field, "缺少 %s", key);
        return 0;
    }
    if (!json_is_string(v))
        return err_set(e, ERR_INVALID, field, "%s 应为文本", key);
    const char *s = json_string_value(v);
    size_t n = strlen(s), chars = utf8_chars(s, n);
    if (chars < min || chars > max)
        return err_set(e, ERR_INVALID, field, "%s 应为 %zu–%zu 个字", key, min,
                       max);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 && s[i] != '\n')
            return err_set(e, ERR_INVALID, field, "%s 含有控制字符", key);
    *out = chars ? s : NULL;
    return 0;
}

static int body_int(const json_t *o, const char *ptr, const char *key,
                    int required, long long min, long long max,
                    long long def, long long *out, struct err *e)
{
    char field[64];
    snprintf(field, sizeof field, "%s/%s", ptr, key);
    json_t *v = json_object_get(o, key);
    *out = def;
    if (!v || json_is_null(v)) {
        if (required)
            return err_set(e, ERR_INVALID, field, "缺少 %s", key);
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < min ||
        json_integer_value(v) > max)
        return err_set(e, ERR_INVALID, field, "%s 应为 %lld–%lld 的整数", key,
                       min, max);
    *out = json_integer_value(v);
    return 0;
}

static int one_of(const char *s, const char *const *set)
{
    for (; s && *set; set++)
        if (!strcmp(s, *set))
            return 1;
    return 0;
}

static int date_ok(const char *s)
{
    struct cal_date d;
    return s && strlen(s) == 10 && cal_date_parse(s, &d, "", NULL) == 0;
}

int proofs_today(void)
{
    struct cal_date d = cal_date_of_instant(store_now_ms());
    return d.y * 10000 + d.m * 100 + d.d;
}

int proofs_subject_check(const char *s, const char *field, struct err *e)
{
    if (!s || strlen(s) != 18)
        return err_set(e, ERR_INVALID, field,
                       "应为 18 位公民身份号码或统一社会信用代码");
    if (strspn(s, "0123456789") >= 17) {
        struct ids_resident r;
        struct err e2 = {0};
        if (ids_resident_parse(s, proofs_today(), &r, field, &e2) == 0)
            return 0;
        if (strspn(s, "0123456789") == 18 || s[17] == 'X' || s[17] == 'x') {
            *e = e2;
            return -1;
        }
    }
    struct ids_uscc u;
    return ids_uscc_parse(s, &u, field, e);
}

void proofs_mask_subject(const char *s, char out[IDS_CODE_SIZE])
{
    if (s && strspn(s, "0123456789") >= 17)
        ids_mask_resident(s, out);
    else
        ids_mask_uscc(s, out);
}

void proofs_subject_hash(const char *s, char out[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)s, strlen(s),
                       (const unsigned char *)"bianmin-sharing", 15);
    sodium_bin2hex(out, 65, h, sizeof h);
}

/* audit_unit — one audit row for a write inside its unit. */
static int audit_unit(struct db *db, const struct actor *by,
                      const char *action, const char *kind, const char *id,
                      json_t *detail, struct err *e)
{
    struct audit_entry en = {
        .action = action,
        .target_kind = kind,
        .target_id = id,
        .region_of_actor = 1,
        .outcome = "ok",
        .detail = detail,
    };
    audit_entry_actor(&en, by);
    int rc = app_audit_unit_record(db, &en, e);
    json_decref(detail);
    return rc;
}

/* read_begin / read_end — a pooled read connection. */
static struct db *read_begin(struct app *a, struct err *e)
{
    return store_read(a->store, e);
}

static void read_end(struct app *a, struct db *db)
{
    if (db)
        store_read_done(a->store, db);
}

/* ---- the registry -------------------------------------------------------- */

static const char *const k_status[] = {"retained", "cancelled",
                                       "replaced_sharing",
                                       "replaced_commitment",
                                       "replaced_licence", NULL};

const char *proofs_status_title(const char *s)
{
    static const char *const k_titles[] = {"保留", "取消", "以数据共享替代",
                                           "以告知承诺替代", "以电子证照替代"};
    for (int i = 0; s && k_status[i]; i++)
        if (!strcmp(s, k_status[i]))
            return k_titles[i];
    return "未知";
}

static json_t *proof_json(const struct proof_row *r)
{
    json_t *c = r->commitment ? json_loads(r->commitment, 0, NULL) : NULL;
    return json_pack(
        "{s:I, s:s, s:o, s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:b, s:o, s:I, "
        "s:I}",
        "id", (json_int_t)r->id, "name", r->name, "issuing_office",
        j_str(r->issuing_office), "issuing_item", j_str(r->issuing_item),
        "legal_basis", j_str(r->legal_basis), "status", r->status,
        "status_title", proofs_status_title(r->status), "status_date",
        j_str(r->status_date), "status_decision", j_str(r->status_decision),
        "replacement", j_str(r->replacement), "published", r->published,
        "commitment", c ? c : json_null(), "revision", (json_int_t)r->revision,
        "updated_at", (json_int_t)r->updated_at);
}

struct proof_sink {
    json_t *list;
    int published_only;
    struct proof_row copy; /* one row kept (strings in arena) */
    struct arena *a;
    int n;
};

static int proof_take(void *ctx, const struct proof_row *r)
{
    struct proof_sink *s = ctx;
    if (s->list)
        json_array_append_new(s->list, proof_json(r));
    if (s->a) {
        s->copy = *r;
        s->copy.name = dup_or_null(s->a, r->name);
        s->copy.issuing_office = dup_or_null(s->a, r->issuing_office);
        s->copy.issuing_item = dup_or_null(s->a, r->issuing_item);
        s->copy.legal_basis = dup_or_null(s->a, r->legal_basis);
        s->copy.status = dup_or_null(s->a, r->status);
        s->copy.status_date = dup_or_null(s->a, r->status_date);
        s->copy.status_decision = dup_or_null(s->a, r->status_decision);
        s->copy.replacement = dup_or_null(s->a, r->replacement);
        s->copy.commitment = dup_or_null(s->a, r->commitment);
    }
    s->n++;
    return 0;
}

int app_proof_list(struct app *a, const struct actor *by, int published_only,
                   json_t **out, struct err *e)
{
    if (!published_only && need_cap(by, CAP_PROOF_WRITE, "查看未公布的证明事项", e))
        return -1;
    struct db *db = read_begin(a, e);
    if (!db)
        return -1;
    struct proof_sink s = {.list = json_array()};
    int rc = store_proof_list(db, published_only, proof_take, &s, e);
    read_end(a, db);
    if (rc) {
        json_decref(s.list);
        return -1;
    }
    *out = json_pack("{s:o}", "proofs", s.list);
    return 0;
}

int app_proof_get(struct app *a, const struct actor *by, const char *name,
                  json_t **out, struct err *e)
{
    struct db *db = read_begin(a, e);
    if (!db)
        return -1;
    struct proof_sink s = {.list = json_array()};
    int rc = store_proof_get(db, 0, name ? name : "", proof_take, &s, e);
    read_end(a, db);
    json_t *p = rc ? NULL : json_array_get(s.list, 0);
    if (p && !json_is_true(json_object_get(p, "published")) && by &&
        !actor_can(by, CAP_PROOF_WRITE, NULL)) {
        rc = err_set(e, ERR_NOT_FOUND, NULL, "证明事项清单中没有这项证明");
        p = NULL;
    }
    if (p)
        *out = json_incref(p);
    json_decref(s.list);
    return rc;
}

struct proof_write {
    const struct actor *by;
    struct proof_row row;
    long long revision; /* 0 = any */
    int created;
    json_t *result;
    struct arena *a;
};

static int proof_write_unit(struct db *db, void *arg, struct err *e)
{
    struct proof_write *w = arg;
    int64_t now = store_now_ms();
    struct proof_sink s = {.a = w->a};
    struct err e2 = {0};
    if (store_proof_get(db, 0, w->row.name, proof_take, &s, &e2)) {
        if (e2.code != ERR_NOT_FOUND) {
            *e = e2;
            return -1;
        }
    }
    if (!strcmp(w->row.status, "replaced_sharing")) {
        if (proofs_dataset_exists(db, w->row.replacement, e) != 1) {
            if (e->code)
                return -1;
            return err_set(e, ERR_INVALID, "/replacement",
                           "替代该证明的共享数据集“%s”不在数据资源目录中",
                           w->row.replacement);
        }
    }
    if (s.n) {
        int changed = 0;
        w->row.id = s.copy.id;
        if (store_proof_update(db, &w->row, w->revision, now, &changed, e))
            return -1;
        if (!changed)
            return err_set(e, ERR_CONFLICT, "/revision",
                           "该证明已被他人修改，请刷新后重试");
    } else {
        if (store_proof_insert(db, &w->row, now, &w->row.id, e))
            return -1;
        w->created = 1;
    }
    struct proof_sink back = {.list = json_array()};
    if (store_proof_get(db, w->row.id, NULL, proof_take, &back, e)) {
        json_decref(back.list);
        return -1;
    }
    w->result = json_incref(json_array_get(back.list, 0));
    json_decref(back.list);
    return audit_unit(db, w->by, "proof.put", "proof", w->row.name,
                      json_pack("{s:s, s:b}", "status", w->row.status,
                                "created", w->created),
                      e);
}

/* commitment_terms — check the commitment object; its compact text. */
static int commitment_terms(const json_t *c, struct arena *a,
                            const char **text, struct err *e)
{
    static const char *const k_keys[] = {"condition",   "legal_basis",
                                         "consequence", "text",
                                         "check_percent", "check_days", NULL};
    if (!json_is_object(c))
        return err_set(e, ERR_INVALID, "/commitment",
                       "commitment 应为对象：告知的条件、依据、虚假承诺的后果、承诺书文本与核查规则");
    const char *s;
    long long n;
    if (body_only(c, "/commitment", k_keys, e) ||
        body_text(c, "/commitment", "condition", 1, 2, 2000, &s, e) ||
        body_text(c, "/commitment", "legal_basis", 1, 2, 2000, &s, e) ||
        body_text(c, "/commitment", "consequence", 1, 2, 2000, &s, e) ||
        body_text(c, "/commitment", "text", 1, 2, 4000, &s, e) ||
        body_int(c, "/commitment", "check_percent", 1, 0, 100, 0, &n, e) ||
        body_int(c, "/commitment", "check_days", 1, 1, PROOF_CHECK_DAYS_MAX, 0,
                 &n, e))
        return -1;
    char *t = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
    *text = arena_strdup(a, t ? t : "{}");
    free(t);
    return 0;
}

int proofs_proof_prepare(const char *name, const json_t *body, struct arena *a,
                         struct proof_row *row, long long *revision,
                         struct err *e)
{
    static const char *const k_keys[] = {
        "issuing_office",  "issuing_item", "legal_basis", "status",
        "status_date",     "status_decision", "replacement", "published",
        "commitment",      "revision",     "name",        NULL};
    memset(row, 0, sizeof *row);
    if (!json_is_object(body))
        return err_set(e, ERR_INVALID, "", "请求体应为对象");
    size_t nlen = name ? strlen(name) : 0;
    if (nlen == 0 || utf8_chars(name, nlen) < 2 ||
        utf8_chars(name, nlen) > 100 || utf8_has_control(name, nlen))
        return err_set(e, ERR_INVALID, "name", "证明名称应为 2–100 个字");
    row->name = arena_strdup(a, name);
    const char *s;
    if (body_only(body, "", k_keys, e) ||
        body_text(body, "", "issuing_office", 0, 2, 200,
                  &row->issuing_office, e) ||
        body_text(body, "", "issuing_item", 0, 6, 96, &row->issuing_item,
                  e) ||
        body_text(body, "", "legal_basis", 0, 2, 4000, &row->legal_basis,
                  e) ||
        body_text(body, "", "status", 1, 1, 32, &row->status, e) ||
        body_text(body, "", "status_date", 0, 10, 10, &row->status_date, e) ||
        body_text(body, "", "status_decision", 0, 2, 500,
                  &row->status_decision, e) ||
        body_text(body, "", "replacement", 0, 1, 100, &row->replacement, e) ||
        body_text(body, "", "name", 0, 0, 100, &s, e) ||
        body_int(body, "", "revision", 0, 1, INT64_MAX, 0, revision, e))
        return -1;
    if (s && strcmp(s, name))
        return err_set(e, ERR_INVALID, "/name", "name 与地址中的证明名称不一致");
    if (!one_of(row->status, k_status))
        return err_set(e, ERR_INVALID, "/status",
                       "status 应为 retained、cancelled、replaced_sharing、"
                       "replaced_commitment 或 replaced_licence");
    if (row->status_date && !date_ok(row->status_date))
        return err_set(e, ERR_INVALID, "/status_date",
                       "status_date 应为 YYYY-MM-DD 格式的日期");
    int retained = !strcmp(row->status, "retained");
    if (!retained && !row->status_date)
        return err_set(e, ERR_INVALID, "/status_date",
                       "取消或替代证明应写明决定日期");
    if (!retained && !row->status_decision)
        return err_set(e, ERR_INVALID, "/status_decision",
                       "取消或替代证明应写明所依据的决定");
    if ((!strcmp(row->status, "replaced_sharing") ||
         !strcmp(row->status, "replaced_licence")) &&
        !row->replacement)
        return err_set(e, ERR_INVALID, "/replacement",
                       "以数据共享或电子证照替代的证明应写明替代的数据集或证照类型");
    json_t *pub = json_object_get(body, "published");
    if (pub && !json_is_boolean(pub))
        return err_set(e, ERR_INVALID, "/published", "published 应为布尔值");
    row->published = json_is_true(pub);
    json_t *c = json_object_get(body, "commitment");
    if (c && !json_is_null(c)) {
        if (!retained && strcmp(row->status, "replaced_commitment"))
            return err_set(e, ERR_INVALID, "/commitment",
                           "只有保留或以告知承诺替代的证明可以适用告知承诺");
        if (commitment_terms(c, a, &row->commitment, e))
            return -1;
    } else if (!strcmp(row->status, "replaced_commitment")) {
        return err_set(e, ERR_INVALID, "/commitment",
                       "以告知承诺替代的证明应写明告知承诺的内容与核查规则");
    }
    return 0;
}

int app_proof_put(struct app *a, const struct actor *by, const char *name,
                  const json_t *body, json_t **out, int *created,
                  struct err *e)
{
    if (need_cap(by, CAP_PROOF_WRITE, "维护证明事项清单", e))
        return -1;
    struct arena *ar = arena_new();
    struct proof_write w = {.by = by, .a = ar};
    int rc = proofs_proof_prepare(name, body, ar, &w.row, &w.revision, e);
    if (rc == 0)
        rc = store_write(a->store, proof_write_unit, &w, e);
    if (rc == 0) {
        *out = w.result;
        if (created)
            *created = w.created;
    } else {
        json_decref(w.result);
    }
    arena_free(ar);
    return rc;
}

/* ---- "no proof outside the list" ----------------------------------------- */

struct retained_ctx {
    struct db *db;
    struct err *e;
    int failed;
    char *why;
    size_t n;
};

struct status_take {
    char status[32];
};

static int take_status(void *ctx, const struct proof_row *r)
{
    struct status_take *t = ctx;
    snprintf(t->status, sizeof t->status, "%s", r->status);
    return 0;
}

static int is_retained(void *ctx, const char *name)
{
    struct retained_ctx *c = ctx;
    struct status_take t = {""};
    struct err e2 = {0};
    if (store_proof_get(c->db, 0, name, take_status, &t, &e2)) {
        if (e2.code != ERR_NOT_FOUND && !c->failed) {
            c->failed = 1;
            *c->e = e2;
        }
    }
    int ok = !strcmp(t.status, "retained");
    if (!ok && c->why && !c->why[0])
        snprintf(c->why, c->n, "证明“%s”%s", name,
                 t.status[0] ? (!strcmp(t.status, "cancelled")
                                    ? "已取消"
                                    : !strcmp(t.status, "replaced_sharing")
                                          ? "已以数据共享替代"
                                          : !strcmp(t.status,
                                                    "replaced_commitment")
                                                ? "已以告知承诺替代"
                                                : "已以电子证照替代")
                             : "不在证明事项清单中");
    return ok;
}

int app_proofs_publish_check(struct db *db, const char *guide_json,
                             struct arena *a, struct lint_report *r,
                             char *why, size_t n, struct err *e)
{
    if (why && n)
        why[0] = '\0';
    json_t *j = json_loads(guide_json ? guide_json : "{}", 0, NULL);
    struct guide g;
    struct err e2 = {0};
    if (!j || app_guide_from_json(j, "", a, &g, &e2)) {
        json_decref(j);
        return 0; /* not a guide: the lint has said so already */
    }
    struct retained_ctx c = {.db = db, .e = e, .why = why, .n = n};
    struct proof_facts f = {.retained = is_retained, .ctx = &c};
    proof_lint(&g, &f, r);
    json_decref(j);
    return c.failed ? -1 : 0;
}

/* ---- data sets ------------------------------------------------------------- */

struct ds_copy {
    struct arena *a;
    struct dataset_row row;
    json_t *list;
    int n;
};

static json_t *dataset_json(const struct dataset_row *r)
{
    json_t *f = json_loads(r->fields ? r->fields : "[]", 0, NULL);
    return json_pack("{s:I, s:s, s:s, s:o, s:s, s:o, s:s, s:o, s:i, s:I, "
                     "s:I, s:I}",
                     "id", (json_int_t)r->id, "name", r->name, "provider",
                     r->provider, "fields", f ? f : json_array(), "sharing",
                     r->sharing, "sharing_condition",
                     j_str(r->sharing_condition), "kind", r->kind, "url",
                     j_str(r->url), "timeout_ms", r->timeout_ms, "records",
                     (json_int_t)r->n_records, "revision",
                     (json_int_t)r->revision, "updated_at",
                     (json_int_t)r->updated_at);
}

static int ds_take(void *ctx, const struct dataset_row *r)
{
    struct ds_copy *c = ctx;
    if (c->list)
        json_array_append_new(c->list, dataset_json(r));
    if (c->a) {
        c->row = *r;
        c->row.name = dup_or_null(c->a, r->name);
        c->row.provider = dup_or_null(c->a, r->provider);
        c->row.fields = dup_or_null(c->a, r->fields);
        c->row.sharing = dup_or_null(c->a, r->sharing);
        c->row.sharing_condition = dup_or_null(c->a, r->sharing_condition);
        c->row.kind = dup_or_null(c->a, r->kind);
        c->row.url = dup_or_null(c->a, r->url);
    }
    c->n++;
    return 0;
}

int proofs_dataset_exists(struct db *db, const char *name, struct err *e)
{
    if (!name)
        return 0;
    struct ds_copy c = {0};
    struct err e2 = {0};
    if (store_dataset_get(db, name, ds_take, &c, &e2)) {
        if (e2.code == ERR_NOT_FOUND)
            return 0;
        *e = e2;
        return -1;
    }
    return 1;
}

int app_dataset_list(struct app *a, json_t **out, struct err *e)
{
    struct db *db = read_begin(a, e);
    if (!db)
        return -1;
    struct ds_copy c = {.list = json_array()};
    int rc = store_dataset_list(db, ds_take, &c, e);
    read_end(a, db);
    if (rc) {
        json_decref(c.list);
        return -1;
    }
    *out = json_pack("{s:o}", "datasets", c.list);
    return 0;
}

int app_dataset_get(struct app *a, const char *name, json_t **out,
                    struct err *e)
{
    struct db *db = read_begin(a, e);
    if (!db)
        return -1;
    struct ds_copy c = {.list = json_array()};
    int rc = store_dataset_get(db, name ? name : "", ds_take, &c, e);
    read_end(a, db);
    if (rc == 0)
        *out = json_incref(json_array_get(c.list, 0));
    json_decref(c.list);
    return rc;
}

struct ds_write {
    const struct actor *by;
    struct dataset_row row;
    long long revision;
    int created;
    json_t *result;
    struct arena *a;
};

static int ds_write_unit(struct db *db, void *arg, struct err *e)
{
    struct ds_write *w = arg;
    int64_t now = store_now_ms();
    struct ds_copy c = {.a = w->a};
    struct err e2 = {0};
    if (store_dataset_get(db, w->row.name, ds_take, &c, &e2) &&
        e2.code != ERR_NOT_FOUND) {
        *e = e2;
        return -1;
    }
    if (c.n) {
        int changed = 0;
        w->row.id = c.row.id;
        if (store_dataset_update(db, &w->row, w->revision, now, &changed, e))
            return -1;
        if (!changed)
            return err_set(e, ERR_CONFLICT, "/revision",
                           "该数据集已被他人修改，请刷新后重试");
    } else {
        if (store_dataset_insert(db, &w->row, now, &w->row.id, e))
            return -1;
        w->created = 1;
    }
    struct ds_copy back = {.list = json_array()};
    if (store_dataset_get(db, w->row.name, ds_take, &back, e)) {
        json_decref(back.list);
        return -1;
    }
    w->result = json_incref(json_array_get(back.list, 0));
    json_decref(back.list);
    return audit_unit(db, w->by, "dataset.put", "dataset", w->row.name,
                      json_pack("{s:s, s:s, s:b}", "sharing", w->row.sharing,
                                "kind", w->row.kind, "created", w->created),
                      e);
}

static const char *const k_sharing[] = {"unconditional", "conditional", "none",
                                        NULL};

int proofs_dataset_prepare(const char *name, const json_t *body,
                           struct arena *a, struct dataset_row *row,
                           long long *revision, struct err *e)
{
    static const char *const k_keys[] = {
        "provider", "fields", "sharing", "sharing_condition", "kind", "url",
        "timeout_ms", "revision", "name", NULL};
    memset(row, 0, sizeof *row);
    if (!json_is_object(body))
        return err_set(e, ERR_INVALID, "", "请求体应为对象");
    size_t nlen = name ? strlen(name) : 0;
    if (nlen == 0 || utf8_chars(name, nlen) > 100 ||
        utf8_has_control(name, nlen))
        return err_set(e, ERR_INVALID, "name", "数据集名称应为 1–100 个字");
    row->name = arena_strdup(a, name);
    long long timeout;
    const char *s;
    if (body_only(body, "", k_keys, e) ||
        body_text(body, "", "provider", 1, 2, 200, &row->provider, e) ||
        body_text(body, "", "sharing", 1, 1, 32, &row->sharing, e) ||
        body_text(body, "", "sharing_condition", 0, 2, 1000,
                  &row->sharing_condition, e) ||
        body_text(body, "", "kind", 1, 1, 16, &row->kind, e) ||
        body_text(body, "", "url", 0, 8, 1000, &row->url, e) ||
        body_text(body, "", "name", 0, 0, 100, &s, e) ||
        body_int(body, "", "timeout_ms", 0, 100, DATASET_TIMEOUT_MAX, 2000,
                 &timeout, e) ||
        body_int(body, "", "revision", 0, 1, INT64_MAX, 0, revision, e))
        return -1;
    if (s && strcmp(s, name))
        return err_set(e, ERR_INVALID, "/name", "name 与地址中的数据集名称不一致");
    row->timeout_ms = (int)timeout;
    if (!one_of(row->sharing, k_sharing))
        return err_set(e, ERR_INVALID, "/sharing",
                       "sharing 应为 unconditional、conditional 或 none");
    if (!strcmp(row->sharing, "conditional") && !row->sharing_condition)
        return err_set(e, ERR_INVALID, "/sharing_condition",
                       "有条件共享的数据集应写明共享条件");
    if (strcmp(row->kind, "builtin") && strcmp(row->kind, "http"))
        return err_set(e, ERR_INVALID, "/kind", "kind 应为 builtin 或 http");
    if (!strcmp(row->kind, "http")) {
        if (!row->url || (strncmp(row->url, "http://", 7) &&
                          strncmp(row->url, "https://", 8)))
            return err_set(e, ERR_INVALID, "/url",
                           "http 数据源应写明以 http:// 或 https:// 开头的地址");
    } else if (row->url) {
        return err_set(e, ERR_INVALID, "/url", "内置数据源不需要地址");
    }
    json_t *f = json_object_get(body, "fields");
    size_t nf = json_array_size(f);
    if (!json_is_array(f) || nf < 1 || nf > DATASET_FIELDS_MAX)
        return err_set(e, ERR_INVALID, "/fields",
                       "fields 应为 1–%d 个字段名", DATASET_FIELDS_MAX);
    for (size_t i = 0; i < nf; i++) {
        const char *fi = json_string_value(json_array_get(f, i));
        char field[32];
        snprintf(field, sizeof field, "/fields/%zu", i);
        if (!fi || !*fi || utf8_chars(fi, strlen(fi)) > 50 ||
            strpbrk(fi, ",\"\n\r") || !strcmp(fi, "subject"))
            return err_set(e, ERR_INVALID, field,
                           "字段名应为 1–50 个字，不含逗号、引号，且不能是 subject");
        for (size_t j = 0; j < i; j++)
            if (!strcmp(fi, json_string_value(json_array_get(f, j))))
                return err_set(e, ERR_INVALID, field, "字段名“%s”重复", fi);
    }
    char *t = json_dumps(f, JSON_COMPACT);
    row->fields = arena_strdup(a, t ? t : "[]");
    free(t);
    return 0;
}

int app_dataset_put(struct app *a, const struct actor *by, const char *name,
                    const json_t *body, json_t **out, int *created,
                    struct err *e)
{
    if (need_cap(by, CAP_PROOF_WRITE, "维护政务数据资源目录", e))
        return -1;
    struct arena *ar = arena_new();
    struct ds_write w = {.by = by, .a = ar};
    int rc = proofs_dataset_prepare(name, body, ar, &w.row, &w.revision, e);
    if (rc == 0)
        rc = store_write(a->store, ds_write_unit, &w, e);
    if (rc == 0) {
        *out = w.result;
        if (created)
            *created = w.created;
    } else {
        json_decref(w.result);
    }
    arena_free(ar);
    return rc;
}

/* ---- CSV import of records ------------------------------------------------- */

#define CSV_COLS_MAX (DATASET_FIELDS_MAX + 1)

struct csv_state {
    struct arena *a;
    char *cells[CSV_COLS_MAX];
    int n_cells, too_many;
    int line; /* records seen, header = 1 */
    /* header */
    int n_cols;
    const char *cols[CSV_COLS_MAX];
    const json_t *fields; /* the data set's, borrowed */
    /* rows */
    const char **subject, **data;
    int n, cap;
    int failed;
    struct err *e;
};

static void csv_fail(struct csv_state *s, const char *col, const char *fmt,
                     const char *arg)
{
    if (s->failed)
        return;
    s->failed = 1;
    err_set(s->e, ERR_INVALID, "", fmt, arg ? arg : "");
    if (col)
        snprintf(s->e->field, sizeof s->e->field, "%d/%s", s->line, col);
    else
        snprintf(s->e->field, sizeof s->e->field, "%d", s->line);
}

static void on_cell(void *field, size_t n, void *ctx)
{
    struct csv_state *s = ctx;
    if (s->n_cells >= CSV_COLS_MAX) {
        s->too_many = 1;
        return;
    }
    s->cells[s->n_cells++] = arena_strndup(s->a, field, n);
}

static int field_known(const json_t *fields, const char *name)
{
    for (size_t i = 0; i < json_array_size(fields); i++)
        if (!strcmp(json_string_value(json_array_get(fields, i)), name))
            return 1;
    return 0;
}

static void on_row(int c, void *ctx)
{
    struct csv_state *s = ctx;
    (void)c;
    s->line++;
    int n = s->n_cells;
    s->n_cells = 0;
    if (s->failed)
        return;
    if (s->too_many)
        return csv_fail(s, NULL, "列数超过上限%s", "");
    for (int i = 0; i < n; i++)
        if (!utf8_valid(s->cells[i], strlen(s->cells[i])))
            return csv_fail(s, NULL, "不是有效的 UTF-8 文本%s", "");
    if (s->line == 1) {
        if (n < 2 || strcmp(s->cells[0], "subject"))
            return csv_fail(s, NULL,
                            "表头应为 subject 加数据集的字段名%s", "");
        for (int i = 1; i < n; i++) {
            if (!field_known(s->fields, s->cells[i]))
                return csv_fail(s, s->cells[i],
                                "“%s”不是该数据集的字段", s->cells[i]);
            for (int j = 1; j < i; j++)
                if (!strcmp(s->cells[i], s->cells[j]))
                    return csv_fail(s, s->cells[i], "表头中“%s”重复",
                                    s->cells[i]);
        }
        s->n_cols = n;
        for (int i = 0; i < n; i++)
            s->cols[i] = s->cells[i];
        return;
    }
    if (n == 1 && !s->cells[0][0])
        return; /* a blank line */
    if (n != s->n_cols)
        return csv_fail(s, NULL, "列数与表头不一致%s", "");
    struct err e2 = {0};
    if (proofs_subject_check(s->cells[0], "subject", &e2))
        return csv_fail(s, "subject", "%s", e2.msg);
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->subject[i], s->cells[0]))
            return csv_fail(s, "subject", "同一对象在文件中出现了两次%s", "");
    json_t *o = json_object();
    for (int i = 1; i < n; i++) {
        if (utf8_chars(s->cells[i], strlen(s->cells[i])) > 1000) {
            json_decref(o);
            return csv_fail(s, s->cols[i], "“%s”超过 1000 个字", s->cols[i]);
        }
        json_object_set_new(o, s->cols[i], json_string(s->cells[i]));
    }
    char *t = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 64;
        const char **ns = arena_alloc(s->a, sizeof *ns * (size_t)cap);
        const char **nd = arena_alloc(s->a, sizeof *nd * (size_t)cap);
        if (s->n) {
            memcpy(ns, s->subject, sizeof *ns * (size_t)s->n);
            memcpy(nd, s->data, sizeof *nd * (size_t)s->n);
        }
        s->subject = ns;
        s->data = nd;
        s->cap = cap;
    }
    s->subject[s->n] = arena_strdup(s->a, s->cells[0]);
    s->data[s->n] = arena_strdup(s->a, t ? t : "{}");
    s->n++;
    free(t);
}

struct import_unit {
    const struct actor *by;
    const char *name;
    struct csv_state *s;
    int replace;
};

static int import_unit_fn(struct db *db, void *arg, struct err *e)
{
    struct import_unit *u = arg;
    struct ds_copy c = {.a = u->s->a};
    if (store_dataset_get(db, u->name, ds_take, &c, e))
        return -1;
    if (strcmp(c.row.kind, "builtin"))
        return err_set(e, ERR_INVALID, "name",
                       "该数据集由外部接口提供，不能导入记录");
    int64_t now = store_now_ms();
    if (u->replace && store_dataset_records_clear(db, c.row.id, e))
        return -1;
    for (int i = 0; i < u->s->n; i++)
        if (store_dataset_record_put(db, c.row.id, u->s->subject[i],
                                     u->s->data[i], now, e))
            return -1;
    return audit_unit(db, u->by, "dataset.import", "dataset", u->name,
                      json_pack("{s:i, s:b}", "rows", u->s->n, "replace",
                                u->replace),
                      e);
}

int app_dataset_import_csv(struct app *a, const struct actor *by,
                           const char *name, const char *csv, size_t n,
                           int replace, struct dataset_import_report *rep,
                           struct err *e)
{
    if (need_cap(by, CAP_PROOF_WRITE, "导入共享数据", e))
        return -1;
    memset(rep, 0, sizeof *rep);
    struct db *db = read_begin(a, e);
    if (!db)
        return -1;
    struct arena *ar = arena_new();
    struct ds_copy c = {.a = ar};
    int rc = store_dataset_get(db, name ? name : "", ds_take, &c, e);
    read_end(a, db);
    json_t *fields = rc ? NULL : json_loads(c.row.fields, 0, NULL);
    struct csv_state s = {.a = ar, .fields = fields, .e = e};
    if (rc == 0) {
        struct csv_parser cp;
        csv_init(&cp, CSV_STRICT | CSV_APPEND_NULL | CSV_STRICT_FINI);
        if (csv_parse(&cp, csv, n, on_cell, on_row, &s) != n && !s.failed) {
            s.failed = 1;
            err_set(e, ERR_INVALID, "", "CSV 格式错误：%s",
                    csv_strerror(csv_error(&cp)));
        }
        if (!s.failed && csv_fini(&cp, on_cell, on_row, &s) != 0 &&
            !s.failed) {
            s.failed = 1;
            err_set(e, ERR_INVALID, "", "CSV 格式错误：%s",
                    csv_strerror(csv_error(&cp)));
        }
        csv_free(&cp);
        if (!s.failed && s.line < 1) {
            s.failed = 1;
            err_set(e, ERR_INVALID, "1", "文件是空的");
        }
        rc = s.failed ? -1 : 0;
    }
    if (rc == 0) {
        struct import_unit u = {.by = by, .name = name, .s = &s,
                                .replace = replace};
        rc = store_write(a->store, import_unit_fn, &u, e);
    }
    if (rc == 0) {
        rep->rows = s.n;
        rep->replaced = replace;
    }
    json_decref(fields);
    arena_free(ar);
    return rc;
}

/* ---- providers -------------------------------------------------------------- */

/* builtin: the records imported into dataset_records. */
static int builtin_lookup(struct db *db, const struct dataset_row *ds,
                          const char *subject, json_t **record,
                          struct err *e)
{
    char *data;
    *record = NULL;
    if (store_dataset_record_get(db, ds->id, subject, &data, e))
        return -1;
    if (!data)
        return 0;
    *record = json_loads(data, 0, NULL);
    free(data);
    return *record ? 1 : err_set(e, ERR_INTERNAL, NULL, "共享记录已损坏");
}

struct body_buf {
    char *p;
    size_t n;
    int over;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    struct body_buf *b = ctx;
    size_t n = size * nmemb;
    if (b->n + n > (1u << 20)) {
        b->over = 1;
        return 0;
    }
    char *grown = realloc(b->p, b->n + n + 1);
    if (!grown)
        return 0;
    b->p = grown;
    memcpy(b->p + b->n, data, n);
    b->n += n;
    b->p[b->n] = '\0';
    return n;
}

/* http: GET url?subject=…&fields=a,b → 200 {"found": true, "record": {…}}
 * or {"found": false}; 404 = not found; anything else an error. */
static int http_lookup(struct db *db, const struct dataset_row *ds,
                       const char *subject, json_t **record, struct err *e)
{
    (void)db;
    *record = NULL;
    CURL *h = curl_easy_init();
    if (!h)
        return err_set(e, ERR_UNAVAILABLE, NULL, "无法连接共享数据接口");
    char *esc = curl_easy_escape(h, subject, 0);
    size_t ulen = strlen(ds->url) + (esc ? strlen(esc) : 0) + 32;
    char *url = malloc(ulen);
    struct body_buf b = {0};
    int rc = -1;
    if (!esc || !url) {
        err_set(e, ERR_INTERNAL, NULL, "内存不足");
        goto done;
    }
    snprintf(url, ulen, "%s%ssubject=%s", ds->url,
             strchr(ds->url, '?') ? "&" : "?", esc);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)ds->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)ds->timeout_ms);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "bianmin-sharing/1");
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (cc != CURLE_OK) {
        err_set(e, ERR_UNAVAILABLE, NULL, "共享数据接口未在 %d 毫秒内应答",
                ds->timeout_ms);
        err_log(e, "dataset %s: %s", ds->name, curl_easy_strerror(cc));
        goto done;
    }
    if (status == 404) {
        rc = 0;
        goto done;
    }
    json_t *j = status == 200 && b.p ? json_loads(b.p, 0, NULL) : NULL;
    if (!json_is_object(j)) {
        json_decref(j);
        err_set(e, ERR_UNAVAILABLE, NULL, "共享数据接口的应答无法识别");
        err_log(e, "dataset %s: HTTP %ld", ds->name, status);
        goto done;
    }
    json_t *rec = json_object_get(j, "record");
    if (json_is_true(json_object_get(j, "found")) && json_is_object(rec)) {
        *record = json_incref(rec);
        rc = 1;
    } else {
        rc = 0;
    }
    json_decref(j);
done:
    curl_free(esc);
    free(url);
    free(b.p);
    curl_easy_cleanup(h);
    return rc;
}

static const struct share_provider k_providers[] = {
    {"builtin", 0, builtin_lookup},
    {"http", 1, http_lookup},
};

const struct share_provider *proofs_provider(const char *kind)
{
    for (size_t i = 0; i < sizeof k_providers / sizeof k_providers[0]; i++)
        if (kind && !strcmp(kind, k_providers[i].kind))
            return &k_providers[i];
    return NULL;
}

/* keep_fields — the record with only `fields` (NULL = all of the data
 * set's fields) that the data set lists. New reference. */
static json_t *keep_fields(const json_t *rec, const char *ds_fields,
                           const char *const *fields, int n_fields)
{
    json_t *all = json_loads(ds_fields ? ds_fields : "[]", 0, NULL);
    json_t *out = json_object();
    for (size_t i = 0; i < json_array_size(all); i++) {
        const char *f = json_string_value(json_array_get(all, i));
        int want = n_fields == 0;
        for (int k = 0; k < n_fields && !want; k++)
            want = !strcmp(fields[k], f);
        json_t *v = json_object_get(rec, f);
        if (want && v)
            json_object_set(out, f, v);
    }
    json_decref(all);
    return out;
}

/* share_run — ask the provider of ds (already loaded) on db; the outcome
 * in *ans: result text, record (new ref, fields kept) and detail. Never
 * fails: a provider error is result "error" with e2 kept in detail. */
void proofs_share_run(struct db *db, const struct dataset_row *ds,
                      const char *subject, const char *case_no,
                      const char *const *fields, int n_fields,
                      struct share_answer *ans)
{
    memset(ans, 0, sizeof *ans);
    if (!strcmp(ds->sharing, "none")) {
        ans->result = "refused";
        snprintf(ans->detail, sizeof ans->detail, "该数据集不予共享");
        return;
    }
    if (!strcmp(ds->sharing, "conditional") && (!case_no || !*case_no)) {
        ans->result = "refused";
        snprintf(ans->detail, sizeof ans->detail,
                 "有条件共享：须为办理具体办件调取（%s）",
                 ds->sharing_condition ? ds->sharing_condition : "");
        return;
    }
    const struct share_provider *p = proofs_provider(ds->kind);
    json_t *rec = NULL;
    struct err e2 = {0};
    int rc = p ? p->lookup(db, ds, subject, &rec, &e2)
               : err_set(&e2, ERR_INTERNAL, NULL, "未知的数据源类型");
    if (rc < 0) {
        ans->result = "error";
        ans->err = e2;
        snprintf(ans->detail, sizeof ans->detail, "%s", e2.msg);
        return;
    }
    if (rc == 0) {
        ans->result = "not_found";
        return;
    }
    ans->result = "found";
    ans->record = keep_fields(rec, ds->fields, fields, n_fields);
    json_decref(rec);
}

/* share_log — the sharing-log row for one look-up, inside a unit. */
int proofs_share_log(struct db *db, const struct actor *by,
                     const char *case_no, const char *dataset,
                     const char *subject, const char *material,
                     const char *fields, const struct share_answer *ans,
                     int64_t *id, struct err *e)
{
    char masked[IDS_CODE_SIZE], hash[65];
    proofs_mask_subject(subject, masked);
    proofs_subject_hash(subject, hash);
    struct sharing_row row = {
        .at = ans->at ? ans->at : store_now_ms(),
        .actor_id = by ? by->user_id : 0,
        .actor_login = by ? by->login : AUDIT_CLI_LOGIN,
        .case_no = case_no,
        .dataset = dataset,
        .subject = masked,
        .subject_hash = hash,
        .material = material,
        .fields = fields,
        .result = ans->result,
        .detail = ans->detail[0] ? ans->detail : NULL,
    };
    return store_sharing_add(db, &row, id, e);
}

struct lookup_unit {
    const struct actor *by;
    const char *case_no, *dataset, *subject;
    const struct share_answer *ans;
    int64_t id;
};

static int lookup_unit_fn(struct db *db, void *arg, struct err *e)
{
    struct lookup_unit *u = arg;
    return proofs_share_log(db, u->by, u->case_no, u->dataset, u->subject,
                            NULL, NULL, u->ans, &u->id, e);
}

int app_dataset_lookup(struct app *a, const struct actor *by, const char *name,
                       const char *subject, const char *case_no,
                       const char *const *fields, int n_fields, json_t **out,
                       struct err *e)
{
    if (need_cap(by, CAP_EVIDENCE_READ, "调取共享数据", e) ||
        proofs_subject_check(subject, "/subject", e))
        return -1;
    if (case_no && (strlen(case_no) > 64 || utf8_has_control(case_no, strlen(case_no))))
        return err_set(e, ERR_INVALID, "/case_no", "办件编号应为 1–64 个字符");
    struct db *db = read_begin(a, e);
    if (!db)
        return -1;
    struct arena *ar = arena_new();
    struct ds_copy c = {.a = ar};
    int rc = store_dataset_get(db, name ? name : "", ds_take, &c, e);
    for (int i = 0; rc == 0 && i < n_fields; i++) {
        json_t *all = json_loads(c.row.fields, 0, NULL);
        int known = field_known(all, fields[i]);
        json_decref(all);
        if (!known)
            rc = err_set(e, ERR_INVALID, "/fields", "“%s”不是该数据集的字段",
                         fields[i]);
    }
    struct share_answer ans;
    memset(&ans, 0, sizeof ans);
    /* A remote provider is asked without holding a pooled connection. */
    const struct share_provider *p = rc == 0 ? proofs_provider(c.row.kind)
                                             : NULL;
    if (p && p->remote) {
        read_end(a, db);
        db = NULL;
    }
    if (rc == 0)
        proofs_share_run(db, &c.row, subject, case_no, fields, n_fields, &ans);
    read_end(a, db);
    if (rc == 0) {
        struct lookup_unit u = {.by = by, .case_no = case_no,
                                .dataset = c.row.name, .subject = subject,
                                .ans = &ans};
        rc = store_write(a->store, lookup_unit_fn, &u, e);
        if (rc == 0 && !strcmp(ans.result, "error")) {
            *e = ans.err;
            rc = -1;
        } else if (rc == 0) {
            *out = json_pack("{s:b, s:s, s:O, s:o, s:I}", "found",
                             ans.record != NULL, "result", ans.result,
                             "record", ans.record ? ans.record : json_null(),
                             "detail", ans.detail[0] ? json_string(ans.detail)
                                                     : json_null(),
                             "lookup_id", (json_int_t)u.id);
        }
    }
    json_decref(ans.record);
    arena_free(ar);
    return rc;
}

static int sharing_take(void *ctx, const struct sharing_row *r)
{
    json_t **list = ctx;
    json_array_append_new(
        *list,
        json_pack("{s:I, s:I, s:o, s:o, s:o, s:s, s:s, s:o, s:o, s:s, s:o}",
                  "id", (json_int_t)r->id, "at", (json_int_t)r->at, "actor_id",
                  r->actor_id ? json_integer(r->actor_id) : json_null(),
                  "actor_login", j_str(r->actor_login), "case_no",
                  j_str(r->case_no), "dataset", r->dataset, "subject",
                  r->subject, "material", j_str(r->material), "fields",
                  j_str(r->fields), "result", r->result, "detail",
                  j_str(r->detail)));
    return 0;
}

int app_sharing_log(struct app *a, const struct actor *by,
                    const struct sharing_query *q, json_t **out,
                    struct err *e)
{
    if (need_cap(by, CAP_AUDIT_READ, "查看数据共享日志", e))
        return -1;
    int limit = q->limit ? q->limit : 100;
    if (limit < 1 || limit > 1000)
        return err_set(e, ERR_INVALID, "limit", "limit 应为 1–1000");
    char hash[65] = "";
    if (q->subject && *q->subject) {
        if (proofs_subject_check(q->subject, "subject", e))
            return -1;
        proofs_subject_hash(q->subject, hash);
    }
    struct db *db = read_begin(a, e);
    if (!db)
        return -1;
    json_t *list = json_array();
    struct sharing_filter f = {.case_no = q->case_no, .dataset = q->dataset,
                               .subject_hash = hash, .after_id = q->after,
                               .limit = limit + 1};
    int rc = store_sharing_list(db, &f, sharing_take, &list, e);
    read_end(a, db);
    if (rc) {
        json_decref(list);
        return -1;
    }
    json_t *next = json_null();
    if (json_array_size(list) > (size_t)limit) {
        json_array_remove(list, (size_t)limit);
        next = json_object_get(json_array_get(list, (size_t)limit - 1), "id");
        next = json_incref(next);
    }
    *out = json_pack("{s:o, s:o}", "entries", list, "next_after", next);
    return 0;
}
