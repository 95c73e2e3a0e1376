/* app_proofs_evidence.c — electronic licences (issue, import, look-up,
 * revocation, the tamper-evident hash), the evidence seam of case intake
 * (app_evidence.h), notification-commitments with their seeded post-check
 * draw and outcomes, and the demo data of the proofs module. Contract in
 * app_proofs.h and app_evidence.h; docs/proofs.md. No state outside the
 * database. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/calendar.h"
#include "../core/sample.h"
#include "../core/utf8.h"
#include "../store/orgs.h"
#include "../store/proofs.h"
#include "app_evidence.h"
#include "app_proofs.h"
#include "audit.h"
#include "internal.h"
#include "proofs_internal.h"

static int need_cap(const struct actor *by, enum cap c, const char *what,
                    struct err *e)
{
    if (!by || actor_can(by, c, NULL))
        return 0;
    return err_set(e, ERR_FORBIDDEN, NULL, "无权%s", what);
}

static json_t *j_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

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

/* ---- licences ---------------------------------------------------------------- */

static void hash_text(crypto_generichash_state *st, const char *s)
{
    char len[24];
    if (!s || !*s) {
        crypto_generichash_update(st, (const unsigned char *)"-;", 2);
        return;
    }
    int w = snprintf(len, sizeof len, "%zu:", strlen(s));
    crypto_generichash_update(st, (const unsigned char *)len, (size_t)w);
    crypto_generichash_update(st, (const unsigned char *)s, strlen(s));
    crypto_generichash_update(st, (const unsigned char *)";", 1);
}

static void hash_int(crypto_generichash_state *st, int64_t v)
{
    char t[24];
    if (!v) {
        hash_text(st, NULL);
        return;
    }
    snprintf(t, sizeof t, "%lld", (long long)v);
    hash_text(st, t);
}

void app_licence_hash(const char *number, const char *type, const char *holder,
                      const char *holder_name, const char *issuer_name,
                      int64_t issued_at, int64_t valid_until,
                      const char *case_no, char out[65])
{
    crypto_generichash_state st;
    unsigned char h[32];
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    hash_text(&st, number);
    hash_text(&st, type);
    hash_text(&st, holder);
    hash_text(&st, holder_name);
    hash_text(&st, issuer_name);
    hash_int(&st, issued_at);
    hash_int(&st, valid_until);
    hash_text(&st, case_no);
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(out, 65, h, sizeof h);
}

static int licence_intact(const struct licence_row *r)
{
    char h[65];
    app_licence_hash(r->number, r->type, r->holder, r->holder_name,
                     r->issuer_name, r->issued_at, r->valid_until, r->case_no,
                     h);
    return r->hash && !strcmp(h, r->hash);
}

/* status_now — a valid licence past its end shows as expired. */
static const char *status_now(const struct licence_row *r, int64_t now)
{
    if (!strcmp(r->status, "valid") && r->valid_until && r->valid_until <= now)
        return "expired";
    return r->status;
}

static json_t *licence_json(const struct licence_row *r, int64_t now,
                            int mask)
{
    char holder[IDS_CODE_SIZE];
    if (mask)
        proofs_mask_subject(r->holder, holder);
    else
        snprintf(holder, sizeof holder, "%s", r->holder);
    char name[128] = "";
    if (r->holder_name && mask)
        ids_mask_name(r->holder_name, name, sizeof name);
    else if (r->holder_name)
        snprintf(name, sizeof name, "%s", r->holder_name);
    return json_pack(
        "{s:s, s:s, s:s, s:o, s:s, s:o, s:s, s:I, s:o, s:s, s:o, s:s, s:b}",
        "number", r->number, "type", r->type, "holder", holder, "holder_name",
        r->holder_name ? json_string(name) : json_null(), "issuer_name",
        r->issuer_name, "case_no", j_str(r->case_no), "source", r->source,
        "issued_at", (json_int_t)r->issued_at, "valid_until",
        r->valid_until ? json_integer(r->valid_until) : json_null(), "status",
        status_now(r, now), "status_reason", j_str(r->status_reason), "hash",
        r->hash, "intact", licence_intact(r));
}

struct lic_sink {
    json_t *list;
    int64_t now;
    int mask;
    /* the first row, copied */
    int n;
    int64_t id;
    char number[64], status[16];
};

static int lic_take(void *ctx, const struct licence_row *r)
{
    struct lic_sink *s = ctx;
    if (s->list)
        json_array_append_new(s->list, licence_json(r, s->now, s->mask));
    if (s->n++ == 0) {
        s->id = r->id;
        snprintf(s->number, sizeof s->number, "%s", r->number);
        snprintf(s->status, sizeof s->status, "%s", r->status);
    }
    return 0;
}

static void audit_read(struct app *a, const struct actor *by,
                       const char *what, const char *id)
{
    if (!by)
        return;
    struct audit_entry en = {
        .action = "licence.read",
        .target_kind = what,
        .target_id = id,
        .region_of_actor = 1,
        .outcome = "ok",
    };
    audit_entry_actor(&en, by);
    app_audit_submit(a, &en);
}

int app_licence_find(struct app *a, const struct actor *by, const char *holder,
                     const char *type, json_t **out, struct err *e)
{
    if (need_cap(by, CAP_EVIDENCE_READ, "查询电子证照", e) ||
        proofs_subject_check(holder, "holder", e))
        return -1;
    struct db *db = store_read(a->store, e);
    if (!db)
        return -1;
    struct lic_sink s = {.list = json_array(), .now = store_now_ms()};
    int rc = store_licence_of_holder(db, holder, type && *type ? type : NULL,
                                     lic_take, &s, e);
    store_read_done(a->store, db);
    if (rc) {
        json_decref(s.list);
        return -1;
    }
    audit_read(a, by, "holder", holder);
    *out = json_pack("{s:o}", "licences", s.list);
    return 0;
}

int app_licence_get(struct app *a, const struct actor *by, const char *number,
                    json_t **out, struct err *e)
{
    if (need_cap(by, CAP_EVIDENCE_READ, "查询电子证照", e))
        return -1;
    struct db *db = store_read(a->store, e);
    if (!db)
        return -1;
    struct lic_sink s = {.list = json_array(), .now = store_now_ms()};
    int rc = store_licence_get(db, number ? number : "", lic_take, &s, e);
    store_read_done(a->store, db);
    if (rc == 0) {
        audit_read(a, by, "licence", number);
        *out = json_incref(json_array_get(s.list, 0));
    }
    json_decref(s.list);
    return rc;
}

struct lic_issue {
    const struct actor *by;
    struct licence_row row;
};

/* issue_row — number (when not given), hash, insert, audit; in a unit. */
static int issue_row(struct db *db, const struct actor *by,
                     struct licence_row *r, char number[64], struct err *e)
{
    int64_t now = store_now_ms();
    if (!r->number || !*r->number) {
        int64_t serial;
        if (store_licence_next_serial(db, &serial, e))
            return -1;
        struct cal_date d = cal_date_of_instant(now);
        snprintf(number, 64, "BM%04d%08lld", d.y, (long long)serial);
        r->number = number;
    } else {
        snprintf(number, 64, "%s", r->number);
    }
    char hash[65];
    app_licence_hash(r->number, r->type, r->holder, r->holder_name,
                     r->issuer_name, r->issued_at, r->valid_until, r->case_no,
                     hash);
    r->hash = hash;
    r->status = "valid";
    int64_t id;
    if (store_licence_insert(db, r, now, &id, e))
        return -1;
    return audit_unit(db, by,
                      !strcmp(r->source, "issued") ? "licence.issue"
                                                   : "licence.import",
                      "licence", r->number,
                      json_pack("{s:s, s:o}", "type", r->type, "case_no",
                                j_str(r->case_no)),
                      e);
}

static int org_name_take(void *ctx, const struct org_row *r)
{
    snprintf((char *)ctx, 256, "%s", r->name ? r->name : "");
    return 0;
}

int app_licence_issue(struct db *db, const struct actor *by,
                      const char *type, const char *holder,
                      const char *holder_name, int64_t issuer_org_id,
                      const char *case_no, int64_t valid_until_ms,
                      char number[64], struct err *e)
{
    if (!type || !*type || utf8_chars(type, strlen(type)) > 100)
        return err_set(e, ERR_INVALID, "/result/name", "证照类型应为 1–100 个字");
    if (proofs_subject_check(holder, "/holder", e))
        return -1;
    char issuer[256] = "";
    struct err e2 = {0};
    if (issuer_org_id &&
        store_org_get(db, issuer_org_id, org_name_take, issuer, &e2) &&
        e2.code != ERR_NOT_FOUND) {
        *e = e2;
        return -1;
    }
    struct licence_row row = {
        .type = type,
        .holder = holder,
        .holder_name = holder_name,
        .issuer_org_id = issuer_org_id,
        .issuer_name = issuer[0] ? issuer : "便民政务服务平台",
        .case_no = case_no,
        .source = "issued",
        .issued_at = store_now_ms(),
        .valid_until = valid_until_ms,
    };
    return issue_row(db, by, &row, number, e);
}

struct lic_import {
    const struct actor *by;
    struct licence_row *rows;
    int n;
};

static int lic_import_unit(struct db *db, void *arg, struct err *e)
{
    struct lic_import *u = arg;
    for (int i = 0; i < u->n; i++) {
        char number[64];
        if (issue_row(db, u->by, &u->rows[i], number, e)) {
            if (e->code == ERR_CONFLICT)
                snprintf(e->field, sizeof e->field, "/licences/%d/number", i);
            if (e->code == ERR_CONFLICT)
                snprintf(e->msg, sizeof e->msg, "证照编号“%s”已存在", number);
            return -1;
        }
    }
    return 0;
}

static int date_ms(const char *s, int end_of_day, int64_t *out)
{
    struct cal_date d;
    if (!s || strlen(s) != 10 || cal_date_parse(s, &d, "", NULL))
        return -1;
    /* 00:00 Beijing time = 16:00 UTC the day before. */
    *out = (cal_day_number(d) * 86400LL - 8 * 3600) * 1000 +
           (end_of_day ? 86400LL * 1000 - 1 : 0);
    return 0;
}

int app_licence_import(struct app *a, const struct actor *by,
                       const json_t *body, int *n, struct err *e)
{
    if (need_cap(by, CAP_PROOF_WRITE, "导入电子证照", e))
        return -1;
    json_t *list = json_object_get(body, "licences");
    size_t count = json_array_size(list);
    if (!json_is_array(list) || count < 1 || count > 1000)
        return err_set(e, ERR_INVALID, "/licences", "licences 应为 1–1000 个证照");
    struct licence_row *rows = calloc(count, sizeof *rows);
    if (!rows)
        return err_set(e, ERR_INTERNAL, NULL, "内存不足");
    int rc = 0;
    for (size_t i = 0; i < count && !rc; i++) {
        json_t *o = json_array_get(list, i);
        char f[48];
        struct licence_row *r = &rows[i];
#define TXT(key, dst, req, max)                                                \
    do {                                                                       \
        json_t *v_ = json_object_get(o, key);                                  \
        snprintf(f, sizeof f, "/licences/%zu/%s", i, key);                     \
        if (v_ && !json_is_null(v_) &&                                         \
            (!json_is_string(v_) || !*json_string_value(v_) ||                 \
             utf8_chars(json_string_value(v_),                                 \
                        strlen(json_string_value(v_))) > (max)))               \
            rc = err_set(e, ERR_INVALID, f, "%s 应为 1–%d 个字", key, max);     \
        else if (req && !json_is_string(v_))                                   \
            rc = err_set(e, ERR_INVALID, f, "缺少 %s", key);                    \
        else                                                                   \
            dst = json_string_value(v_);                                       \
    } while (0)
        if (!json_is_object(o)) {
            snprintf(f, sizeof f, "/licences/%zu", i);
            rc = err_set(e, ERR_INVALID, f, "证照应为对象");
            break;
        }
        const char *issued = NULL, *until = NULL;
        TXT("number", r->number, 1, 60);
        if (!rc)
            TXT("type", r->type, 1, 100);
        if (!rc)
            TXT("holder", r->holder, 1, 18);
        if (!rc)
            TXT("holder_name", r->holder_name, 0, 50);
        if (!rc)
            TXT("issuer_name", r->issuer_name, 1, 200);
        if (!rc)
            TXT("issued_on", issued, 1, 10);
        if (!rc)
            TXT("valid_until", until, 0, 10);
#undef TXT
        if (!rc) {
            snprintf(f, sizeof f, "/licences/%zu/holder", i);
            rc = proofs_subject_check(r->holder, f, e);
        }
        if (!rc && date_ms(issued, 0, &r->issued_at)) {
            snprintf(f, sizeof f, "/licences/%zu/issued_on", i);
            rc = err_set(e, ERR_INVALID, f, "issued_on 应为 YYYY-MM-DD");
        }
        if (!rc && until && date_ms(until, 1, &r->valid_until)) {
            snprintf(f, sizeof f, "/licences/%zu/valid_until", i);
            rc = err_set(e, ERR_INVALID, f, "valid_until 应为 YYYY-MM-DD");
        }
        r->source = "imported";
    }
    if (!rc) {
        struct lic_import u = {.by = by, .rows = rows, .n = (int)count};
        rc = store_write(a->store, lic_import_unit, &u, e);
    }
    free(rows);
    if (!rc && n)
        *n = (int)count;
    return rc;
}

struct lic_revoke {
    const struct actor *by;
    const char *number, *reason;
    json_t *result;
};

static int lic_revoke_unit(struct db *db, void *arg, struct err *e)
{
    struct lic_revoke *u = arg;
    struct lic_sink s = {0};
    if (store_licence_get(db, u->number, lic_take, &s, e))
        return -1;
    int changed = 0;
    if (store_licence_set_status(db, s.id, "valid", "revoked", u->reason,
                                 store_now_ms(), &changed, e))
        return -1;
    if (!changed)
        return err_set(e, ERR_CONFLICT, NULL, "该证照已被注销或已过期");
    struct lic_sink back = {.list = json_array(), .now = store_now_ms()};
    if (store_licence_get(db, u->number, lic_take, &back, e)) {
        json_decref(back.list);
        return -1;
    }
    u->result = json_incref(json_array_get(back.list, 0));
    json_decref(back.list);
    return audit_unit(db, u->by, "licence.revoke", "licence", u->number,
                      json_pack("{s:s}", "reason", u->reason), e);
}

int app_licence_revoke(struct app *a, const struct actor *by,
                       const char *number, const char *reason, json_t **out,
                       struct err *e)
{
    if (need_cap(by, CAP_PROOF_WRITE, "注销电子证照", e))
        return -1;
    if (!reason || utf8_chars(reason, strlen(reason)) < 2 ||
        utf8_chars(reason, strlen(reason)) > 500)
        return err_set(e, ERR_INVALID, "/reason", "注销应写明 2–500 字的理由");
    struct lic_revoke u = {.by = by, .number = number ? number : "",
                           .reason = reason};
    if (store_write(a->store, lic_revoke_unit, &u, e)) {
        json_decref(u.result);
        return -1;
    }
    *out = u.result;
    return 0;
}

/* ---- the evidence seam ------------------------------------------------------------ */

/* A candidate licence: valid now and of a fitting type; its hash is not
 * checked yet. */
struct lic_cand {
    size_t len; /* of its type: the longest fitting type wins */
    struct licence_row r; /* copied into the arena */
};

struct best_licence {
    struct arena *a;
    int64_t now;
    const char *want; /* a type that must match exactly, or NULL */
    const char *material;
    struct lic_cand *c;
    int n, cap;
    int failed;
};

static const char *adup(struct arena *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

/* A licence satisfies a material when it is valid now, its hash checks,
 * and its type is the one wanted, or (no type wanted) its type ends the
 * material's name (申请人居民身份证 ← 居民身份证, not 残疾人证申请表); the
 * longest such type wins (the newest of equal types). Candidates are
 * gathered without hashing; resolve_licence then checks the hash of the
 * one it would use only (and of any tampered one ahead of it), so a holder
 * with many licences costs one hash per look-up, not one per licence. */
static int cand_take(void *ctx, const struct licence_row *r)
{
    struct best_licence *b = ctx;
    if (strcmp(status_now(r, b->now), "valid"))
        return 0;
    size_t len = strlen(r->type);
    size_t ml = b->material ? strlen(b->material) : 0;
    int fits = b->want ? !strcmp(b->want, r->type)
                       : (ml >= len && !strcmp(b->material + ml - len, r->type));
    if (!fits)
        return 0;
    if (b->n == b->cap) {
        int cap = b->cap ? b->cap * 2 : 8;
        struct lic_cand *g = arena_alloc(b->a, sizeof *g * (size_t)cap);
        if (b->n)
            memcpy(g, b->c, sizeof *g * (size_t)b->n);
        b->c = g;
        b->cap = cap;
    }
    struct lic_cand *c = &b->c[b->n++];
    c->len = len;
    c->r = *r;
    c->r.number = adup(b->a, r->number);
    c->r.type = adup(b->a, r->type);
    c->r.holder = adup(b->a, r->holder);
    c->r.holder_name = adup(b->a, r->holder_name);
    c->r.issuer_name = adup(b->a, r->issuer_name);
    c->r.case_no = adup(b->a, r->case_no);
    c->r.hash = adup(b->a, r->hash);
    c->r.source = c->r.status = c->r.status_reason = NULL;
    return 0;
}

/* best_of — the candidate to use: longest type first, then the order read
 * (newest first); the first whose hash checks. NULL: none. */
static const struct licence_row *best_of(struct best_licence *b)
{
    char *tried = arena_alloc(b->a, (size_t)b->n + 1);
    memset(tried, 0, (size_t)b->n + 1);
    for (;;) {
        int k = -1;
        for (int i = 0; i < b->n; i++)
            if (!tried[i] && (k < 0 || b->c[i].len > b->c[k].len))
                k = i;
        if (k < 0)
            return NULL;
        if (licence_intact(&b->c[k].r))
            return &b->c[k].r;
        tried[k] = 1; /* tampered: never used */
    }
}

/* lookup_licence — the licence register's answer for l (local). */
static int lookup_licence(struct db *db, struct arena *a, const char *type,
                          struct evidence_lookup *l, struct err *e)
{
    struct best_licence b = {.a = arena_new(), .now = store_now_ms(),
                             .want = type, .material = l->material};
    /* A wanted type is filtered by the database (index on holder, type). */
    if (store_licence_of_holder(db, l->subject, type, cand_take, &b, e)) {
        arena_free(b.a);
        return -1;
    }
    const struct licence_row *best = best_of(&b);
    l->dataset = "电子证照";
    l->fields = type ? type : (best ? arena_strdup(a, best->type) : NULL);
    l->result = best ? "found" : "not_found";
    if (best) {
        snprintf(l->detail, sizeof l->detail, "%s %s", best->type,
                 best->number);
        l->ev.kind = EVIDENCE_LICENCE;
        snprintf(l->ev.ref, sizeof l->ev.ref, "%s", best->number);
        snprintf(l->ev.summary, sizeof l->ev.summary,
                 "电子证照：%.90s（%.60s，%.60s）", best->type, best->number,
                 best->issuer_name);
    }
    arena_free(b.a);
    return 0;
}

struct ds_one {
    struct arena *a;
    struct dataset_row row;
    int n;
};

static int ds_one_take(void *ctx, const struct dataset_row *r)
{
    struct ds_one *c = ctx;
    c->row = *r;
    c->row.name = arena_strdup(c->a, r->name);
    c->row.provider = arena_strdup(c->a, r->provider);
    c->row.fields = arena_strdup(c->a, r->fields);
    c->row.sharing = arena_strdup(c->a, r->sharing);
    c->row.sharing_condition =
        r->sharing_condition ? arena_strdup(c->a, r->sharing_condition) : NULL;
    c->row.kind = arena_strdup(c->a, r->kind);
    c->row.url = r->url ? arena_strdup(c->a, r->url) : NULL;
    c->n++;
    return 0;
}

/* A look-up for a case: a conditional data set's condition is met by the
 * case being filed (its number is only taken inside the unit). */
#define FOR_A_CASE "(filing)"

/* shared_answer — l's outcome from a provider's answer. */
static void shared_answer(struct evidence_lookup *l, const char *provider,
                          struct share_answer *ans)
{
    l->result = ans->result;
    snprintf(l->detail, sizeof l->detail, "%s", ans->detail);
    if (!ans->record)
        return;
    l->ev.kind = EVIDENCE_SHARED;
    char masked[IDS_CODE_SIZE];
    proofs_mask_subject(l->subject, masked);
    snprintf(l->ev.ref, sizeof l->ev.ref, "%.40s:%s", l->dataset, masked);
    char names[160] = "";
    size_t len = 0;
    const char *k;
    json_t *v;
    json_object_foreach(ans->record, k, v)
    {
        int w = snprintf(names + len, sizeof names - len, "%s%s",
                         len ? "、" : "", k);
        if (w < 0 || (size_t)w >= sizeof names - len)
            break;
        len += (size_t)w;
    }
    snprintf(l->ev.summary, sizeof l->ev.summary,
             "共享数据：%.60s（%.60s），已取得：%.90s", l->dataset,
             provider ? provider : "", names[0] ? names : "记录");
}

/* lookup_shared — the data set's answer for l: at once from a local
 * provider, or l->remote for app_evidence_fetch. */
static int lookup_shared(struct db *db, struct arena *a, const char *dataset,
                         struct evidence_lookup *l, struct err *e)
{
    struct ds_one c = {.a = a};
    struct err e2 = {0};
    l->dataset = arena_strdup(a, dataset);
    if (store_dataset_get(db, dataset, ds_one_take, &c, &e2)) {
        if (e2.code != ERR_NOT_FOUND) {
            *e = e2;
            return -1;
        }
        l->result = "refused";
        snprintf(l->detail, sizeof l->detail, "数据资源目录中没有该数据集");
        return 0;
    }
    const struct share_provider *p = proofs_provider(c.row.kind);
    if (p && p->remote) {
        l->remote = 1;
        l->ds = arena_alloc(a, sizeof *l->ds);
        *l->ds = c.row;
        return 0;
    }
    struct share_answer ans;
    proofs_share_run(db, &c.row, l->subject, FOR_A_CASE, NULL, 0, &ans);
    shared_answer(l, c.row.provider, &ans);
    json_decref(ans.record);
    return 0;
}

void app_evidence_fetch(struct evidence_lookup *l)
{
    if (!l->remote)
        return;
    struct share_answer ans;
    proofs_share_run(NULL, l->ds, l->subject, FOR_A_CASE, NULL, 0, &ans);
    l->at = store_now_ms();
    l->remote = 0;
    shared_answer(l, l->ds->provider, &ans);
    json_decref(ans.record);
}

int app_evidence_log(struct db *db, const struct actor *by,
                     const char *case_no, const char *note,
                     struct evidence_lookup *l, struct err *e)
{
    struct share_answer ans;
    memset(&ans, 0, sizeof ans);
    ans.result = l->result ? l->result : "error";
    ans.at = l->at;
    /* The note first; the detail after it, cut on a character boundary. */
    size_t len = 0;
    if (note && *note) {
        len = strlen(note);
        if (len > sizeof ans.detail / 2)
            len = 0; /* notes are short; never cut one */
        memcpy(ans.detail, note, len);
        if (len && l->detail[0]) {
            memcpy(ans.detail + len, "；", 3);
            len += 3;
        }
    }
    size_t n = strlen(l->detail);
    if (n > sizeof ans.detail - 1 - len) {
        n = sizeof ans.detail - 1 - len;
        while (n && ((unsigned char)l->detail[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(ans.detail + len, l->detail, n);
    ans.detail[len + n] = '\0';
    return proofs_share_log(db, by, case_no, l->dataset, l->subject,
                            l->material, l->fields, &ans, &l->ev.lookup_id,
                            e);
}

struct proof_status {
    char status[32], replacement[128];
    int n;
};

static int status_take(void *ctx, const struct proof_row *r)
{
    struct proof_status *s = ctx;
    snprintf(s->status, sizeof s->status, "%s", r->status);
    snprintf(s->replacement, sizeof s->replacement, "%s",
             r->replacement ? r->replacement : "");
    s->n++;
    return 0;
}

int app_evidence_prepare(struct db *db, struct arena *a,
                         const struct guide_material *m, int index,
                         const char *subject, struct evidence_lookup *out,
                         struct err *e)
{
    memset(out, 0, sizeof *out);
    if (!m || !m->source || !subject)
        return 0;
    out->index = index;
    out->material = m->name ? arena_strdup(a, m->name) : NULL;
    out->subject = arena_strdup(a, subject);
    out->at = store_now_ms();
    const char *dataset = NULL, *type = NULL;
    int licence = 0;
    if (!strcmp(m->source, "licence")) {
        licence = 1;
    } else if (!strcmp(m->source, "shared_data") && m->dataset &&
               *m->dataset) {
        dataset = m->dataset;
    } else if (!strcmp(m->source, "proof") && m->proof && *m->proof) {
        /* A proof the registry replaced by sharing or a licence is got
         * that way instead of from the applicant. */
        struct proof_status s = {0};
        struct err e2 = {0};
        if (store_proof_get(db, 0, m->proof, status_take, &s, &e2)) {
            if (e2.code != ERR_NOT_FOUND) {
                *e = e2;
                return -1;
            }
            return 0;
        }
        if (!strcmp(s.status, "replaced_sharing") && s.replacement[0])
            dataset = arena_strdup(a, s.replacement);
        else if (!strcmp(s.status, "replaced_licence") && s.replacement[0])
            licence = 1, type = arena_strdup(a, s.replacement);
        else
            return 0;
    } else {
        return 0;
    }
    if (licence)
        return lookup_licence(db, a, type, out, e) ? -1 : 1;
    out->fields = m->fields ? arena_strdup(a, m->fields) : NULL;
    return lookup_shared(db, a, dataset, out, e) ? -1 : 1;
}

/* ---- commitments -------------------------------------------------------------- */

struct proof_copy {
    int64_t id;
    char name[256];
    char status[32];
    json_t *terms; /* the commitment object or NULL */
    int n;
};

static int proof_copy_take(void *ctx, const struct proof_row *r)
{
    struct proof_copy *c = ctx;
    c->id = r->id;
    snprintf(c->name, sizeof c->name, "%s", r->name);
    snprintf(c->status, sizeof c->status, "%s", r->status);
    c->terms = r->commitment ? json_loads(r->commitment, 0, NULL) : NULL;
    c->n++;
    return 1;
}

static json_t *commitment_json(const struct commitment_row *r, int mask)
{
    char app[IDS_CODE_SIZE];
    if (mask)
        proofs_mask_subject(r->applicant, app);
    else
        snprintf(app, sizeof app, "%s", r->applicant);
    return json_pack(
        "{s:I, s:s, s:s, s:s, s:o, s:I, s:o, s:b, s:o, s:o, s:o, s:o}", "id",
        (json_int_t)r->id, "proof", r->proof_name, "case_no", r->case_no,
        "applicant", app, "item_code", j_str(r->item_code), "accepted_at",
        (json_int_t)r->accepted_at, "draw_id",
        r->draw_id ? json_integer(r->draw_id) : json_null(), "selected",
        r->selected, "check_due", j_str(r->check_due), "outcome",
        j_str(r->outcome), "outcome_note", j_str(r->outcome_note),
        "outcome_at", r->outcome_at ? json_integer(r->outcome_at)
                                    : json_null());
}

static int commitment_take(void *ctx, const struct commitment_row *r)
{
    json_t *list = ctx;
    json_array_append_new(list, commitment_json(r, 1));
    return 0;
}

/* record_commitment — in a unit. */
static int record_commitment(struct db *db, const struct actor *by,
                             const char *case_no, const char *proof,
                             const char *applicant, const char *item_code,
                             int64_t *id, struct err *e)
{
    struct proof_copy p = {0};
    if (store_proof_get(db, 0, proof, proof_copy_take, &p, e))
        return -1;
    int has_terms = p.terms != NULL;
    json_decref(p.terms);
    if (!has_terms)
        return err_set(e, ERR_INVALID, "/proof",
                       "证明“%s”不适用告知承诺", proof);
    struct commitment_row r = {.proof_id = p.id,
                               .case_no = case_no,
                               .applicant = applicant,
                               .item_code = item_code,
                               .accepted_at = store_now_ms(),
                               .actor_id = by ? by->user_id : 0};
    if (store_commitment_insert(db, &r, id, e)) {
        if (e->code == ERR_CONFLICT)
            err_set(e, ERR_CONFLICT, "/case_no", "该办件已就此证明作出承诺");
        return -1;
    }
    return audit_unit(db, by, "commitment.add", "case", case_no,
                      json_pack("{s:s}", "proof", proof), e);
}

int app_evidence_commitment(struct db *db, const struct actor *by,
                            const char *case_no, const char *proof,
                            const char *applicant, const char *item_code,
                            int64_t *id, struct err *e)
{
    if (proofs_subject_check(applicant, "/applicant", e))
        return -1;
    return record_commitment(db, by, case_no, proof, applicant, item_code, id,
                             e);
}

struct commit_add {
    const struct actor *by;
    const char *case_no, *proof, *applicant, *item_code;
    int64_t id;
    json_t *result;
};

static int commit_add_unit(struct db *db, void *arg, struct err *e)
{
    struct commit_add *u = arg;
    if (record_commitment(db, u->by, u->case_no, u->proof, u->applicant,
                          u->item_code, &u->id, e))
        return -1;
    json_t *list = json_array();
    if (store_commitment_get(db, u->id, commitment_take, list, e)) {
        json_decref(list);
        return -1;
    }
    u->result = json_incref(json_array_get(list, 0));
    json_decref(list);
    return 0;
}

static const char *body_str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

int app_commitment_add(struct app *a, const struct actor *by,
                       const json_t *body, json_t **out, struct err *e)
{
    if (need_cap(by, CAP_EVIDENCE_READ, "记录告知承诺", e))
        return -1;
    const char *case_no = body_str(body, "case_no");
    const char *proof = body_str(body, "proof");
    const char *applicant = body_str(body, "applicant");
    const char *item = body_str(body, "item_code");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)body, k, v)
    {
        if (strcmp(k, "case_no") && strcmp(k, "proof") &&
            strcmp(k, "applicant") && strcmp(k, "item_code")) {
            err_set(e, ERR_INVALID, "", "未知字段 %s", k);
            snprintf(e->field, sizeof e->field, "/%s", k);
            return -1;
        }
    }
    if (!case_no || !*case_no || strlen(case_no) > 64 ||
        utf8_has_control(case_no, strlen(case_no)))
        return err_set(e, ERR_INVALID, "/case_no", "应写明办件编号（1–64 个字符）");
    if (!proof || !*proof)
        return err_set(e, ERR_INVALID, "/proof", "应写明承诺替代的证明");
    if (proofs_subject_check(applicant, "/applicant", e))
        return -1;
    if (item && strlen(item) > 96)
        return err_set(e, ERR_INVALID, "/item_code", "事项编码过长");
    struct commit_add u = {.by = by, .case_no = case_no, .proof = proof,
                           .applicant = applicant, .item_code = item};
    if (store_write(a->store, commit_add_unit, &u, e)) {
        json_decref(u.result);
        return -1;
    }
    *out = u.result;
    return 0;
}

int app_commitment_list(struct app *a, const struct actor *by,
                        const struct commitment_query *q, json_t **out,
                        struct err *e)
{
    if (need_cap(by, CAP_PROOF_WRITE, "查看告知承诺核查", e))
        return -1;
    int limit = q->limit ? q->limit : 100;
    if (limit < 1 || limit > 1000)
        return err_set(e, ERR_INVALID, "limit", "limit 应为 1–1000");
    struct db *db = store_read(a->store, e);
    if (!db)
        return -1;
    json_t *list = json_array();
    struct commitment_filter f = {.draw_id = q->draw_id,
                                  .selected_only = q->selected_only,
                                  .case_no = q->case_no,
                                  .applicant = q->applicant,
                                  .after_id = q->after,
                                  .limit = limit + 1};
    int rc = store_commitment_list(db, &f, commitment_take, list, e);
    store_read_done(a->store, db);
    if (rc) {
        json_decref(list);
        return -1;
    }
    json_t *next = json_null();
    if (json_array_size(list) > (size_t)limit) {
        json_array_remove(list, (size_t)limit);
        next = json_incref(
            json_object_get(json_array_get(list, (size_t)limit - 1), "id"));
    }
    *out = json_pack("{s:o, s:o}", "commitments", list, "next_after", next);
    return 0;
}

/* ---- the post-check draw --------------------------------------------------------- */

struct pool {
    int64_t *id;
    char **case_no, **applicant;
    int n, cap;
};

static int pool_take(void *ctx, const struct commitment_row *r)
{
    struct pool *p = ctx;
    if (p->n == p->cap) {
        int cap = p->cap ? p->cap * 2 : 64;
        int64_t *id = realloc(p->id, sizeof *id * (size_t)cap);
        if (id)
            p->id = id;
        char **cn = realloc(p->case_no, sizeof *cn * (size_t)cap);
        if (cn)
            p->case_no = cn;
        char **ap = realloc(p->applicant, sizeof *ap * (size_t)cap);
        if (ap)
            p->applicant = ap;
        if (!id || !cn || !ap)
            return 1;
        p->cap = cap;
    }
    p->id[p->n] = r->id;
    p->case_no[p->n] = strdup(r->case_no);
    p->applicant[p->n] = strdup(r->applicant);
    p->n++;
    return 0;
}

static void pool_free(struct pool *p)
{
    for (int i = 0; i < p->n; i++) {
        free(p->case_no[i]);
        free(p->applicant[i]);
    }
    free(p->id);
    free(p->case_no);
    free(p->applicant);
    memset(p, 0, sizeof *p);
}

struct draw_unit {
    const struct actor *by;
    const struct draw_request *rq;
    int64_t until;
    uint64_t seed;
    const struct cal *cal;
    int write;
    json_t *result;
    int population, selected;
};

struct term_list {
    json_t *list; /* [{id, name, terms}] */
    const char *only;
};

static int term_take(void *ctx, const struct proof_row *r)
{
    struct term_list *t = ctx;
    if (!r->commitment || (t->only && strcmp(t->only, r->name)))
        return 0;
    json_t *terms = json_loads(r->commitment, 0, NULL);
    if (terms)
        json_array_append_new(t->list,
                              json_pack("{s:I, s:s, s:o}", "id",
                                        (json_int_t)r->id, "name", r->name,
                                        "terms", terms));
    return 0;
}

static int draw_fn(struct db *db, void *arg, struct err *e)
{
    struct draw_unit *u = arg;
    struct term_list t = {.list = json_array(), .only = u->rq->proof};
    json_t *proofs = json_array();
    int rc = store_proof_list(db, 0, term_take, &t, e);
    if (!rc && u->rq->proof && json_array_size(t.list) == 0)
        rc = err_set(e, ERR_INVALID, "/proof", "证明“%s”不适用告知承诺",
                     u->rq->proof);
    int64_t now = store_now_ms();
    u->population = u->selected = 0;
    /* Marks are written after the draw row exists: remember them. */
    struct mark {
        int64_t id;
        int selected;
        char due[11];
    } *marks = NULL;
    int n_marks = 0, cap_marks = 0;
    for (size_t i = 0; !rc && i < json_array_size(t.list); i++) {
        json_t *p = json_array_get(t.list, i);
        const char *name = json_string_value(json_object_get(p, "name"));
        json_t *terms = json_object_get(p, "terms");
        int percent =
            (int)json_integer_value(json_object_get(terms, "check_percent"));
        int days = (int)json_integer_value(json_object_get(terms, "check_days"));
        struct pool pool = {0};
        rc = store_commitment_pool(
            db, (int64_t)json_integer_value(json_object_get(p, "id")),
            u->until, pool_take, &pool, e);
        int k = sample_count(pool.n, percent);
        int *work = malloc(sizeof *work * (size_t)(pool.n + 1));
        int *pick = malloc(sizeof *pick * (size_t)(k + 1));
        char *chosen = calloc((size_t)pool.n + 1, 1);
        if (!rc && (!work || !pick || !chosen))
            rc = err_set(e, ERR_INTERNAL, NULL, "内存不足");
        if (!rc)
            sample_draw(sample_seed_mix(u->seed, name), pool.n, k, work, pick);
        char due[11] = "";
        if (!rc && u->cal) {
            struct cal_date d;
            struct err e2 = {0};
            if (cal_add_workdays_instant(u->cal, now, days, &d, &e2) == 0)
                cal_date_format(d, due);
        }
        json_t *sel = json_array();
        for (int j = 0; !rc && j < k; j++) {
            char masked[IDS_CODE_SIZE];
            proofs_mask_subject(pool.applicant[pick[j]], masked);
            chosen[pick[j]] = 1;
            json_array_append_new(
                sel, json_pack("{s:I, s:s, s:s, s:o}", "id",
                               (json_int_t)pool.id[pick[j]], "case_no",
                               pool.case_no[pick[j]], "applicant", masked,
                               "check_due", due[0] ? json_string(due)
                                                   : json_null()));
        }
        for (int j = 0; !rc && u->write && j < pool.n; j++) {
            if (n_marks == cap_marks) {
                cap_marks = cap_marks ? cap_marks * 2 : 64;
                struct mark *m = realloc(marks, sizeof *m * (size_t)cap_marks);
                if (!m) {
                    rc = err_set(e, ERR_INTERNAL, NULL, "内存不足");
                    break;
                }
                marks = m;
            }
            marks[n_marks].id = pool.id[j];
            marks[n_marks].selected = chosen[j];
            snprintf(marks[n_marks].due, sizeof marks[n_marks].due, "%s",
                     chosen[j] ? due : "");
            n_marks++;
        }
        json_array_append_new(
            proofs, json_pack("{s:s, s:i, s:i, s:i, s:o}", "proof", name,
                              "check_percent", percent, "check_days", days,
                              "population", pool.n, "selected", sel));
        u->population += pool.n;
        u->selected += k;
        free(work);
        free(pick);
        free(chosen);
        pool_free(&pool);
    }
    json_decref(t.list);
    int64_t draw_id = 0;
    if (!rc && u->write) {
        char *detail = json_dumps(proofs, JSON_COMPACT);
        rc = store_draw_insert(db, u->rq->seed, u->until,
                               u->by ? u->by->user_id : 0,
                               u->by ? u->by->login : AUDIT_CLI_LOGIN, now,
                               u->population, u->selected,
                               detail ? detail : "[]", &draw_id, e);
        free(detail);
        for (int j = 0; !rc && j < n_marks; j++) {
            int changed = 0;
            rc = store_commitment_mark(db, marks[j].id, draw_id,
                                       marks[j].selected,
                                       marks[j].due[0] ? marks[j].due : NULL,
                                       &changed, e);
            if (!rc && !changed)
                rc = err_set(e, ERR_CONFLICT, NULL,
                             "抽取期间有承诺已被其他抽查选中，请重试");
        }
        char idtext[24];
        snprintf(idtext, sizeof idtext, "%lld", (long long)draw_id);
        if (!rc)
            rc = audit_unit(db, u->by, "commitment.draw", "draw", idtext,
                            json_pack("{s:s, s:i, s:i}", "seed", u->rq->seed,
                                      "population", u->population,
                                      "selected", u->selected),
                            e);
    }
    free(marks);
    if (rc) {
        json_decref(proofs);
        return -1;
    }
    u->result = json_pack("{s:o, s:s, s:o, s:i, s:i, s:o}", "draw_id",
                          draw_id ? json_integer(draw_id) : json_null(),
                          "seed", u->rq->seed, "until",
                          u->until ? json_integer(u->until) : json_null(),
                          "population", u->population, "selected", u->selected,
                          "proofs", proofs);
    return 0;
}

int app_commitment_draw(struct app *a, const struct actor *by,
                        const struct draw_request *rq, json_t **out,
                        struct err *e)
{
    if (need_cap(by, CAP_PROOF_WRITE, "抽取告知承诺核查样本", e))
        return -1;
    if (!rq->seed || !*rq->seed || utf8_chars(rq->seed, strlen(rq->seed)) > 64 ||
        utf8_has_control(rq->seed, strlen(rq->seed)))
        return err_set(e, ERR_INVALID, "/seed", "seed 应为 1–64 个字符");
    struct draw_unit u = {.by = by, .rq = rq, .write = !rq->dry_run,
                          .seed = sample_seed_text(rq->seed)};
    if (rq->until && *rq->until &&
        app_audit_time_parse(rq->until, "/until", &u.until, e))
        return -1;
    struct app_cal *cal = app_cal_acquire(a, e);
    if (!cal)
        return -1;
    u.cal = cal->cal;
    int rc;
    if (rq->dry_run) {
        struct db *db = store_read(a->store, e);
        rc = db ? draw_fn(db, &u, e) : -1;
        if (db)
            store_read_done(a->store, db);
    } else {
        rc = store_write(a->store, draw_fn, &u, e);
    }
    app_cal_release(cal);
    if (rc) {
        json_decref(u.result);
        return -1;
    }
    *out = u.result;
    return 0;
}

struct outcome_unit {
    const struct actor *by;
    int64_t id;
    const char *outcome, *note;
    json_t *result;
};

struct one_commitment {
    struct commitment_row row;
    char case_no[65], applicant[19], proof[256];
    int n;
};

static int one_take(void *ctx, const struct commitment_row *r)
{
    struct one_commitment *c = ctx;
    c->row = *r;
    snprintf(c->case_no, sizeof c->case_no, "%s", r->case_no);
    snprintf(c->applicant, sizeof c->applicant, "%s", r->applicant);
    snprintf(c->proof, sizeof c->proof, "%s", r->proof_name);
    c->n++;
    return 0;
}

struct revoke_list {
    int64_t id[64];
    char number[64][64];
    int n;
};

static int revoke_take(void *ctx, const struct licence_row *r)
{
    struct revoke_list *l = ctx;
    if (l->n < 64 && !strcmp(r->status, "valid")) {
        l->id[l->n] = r->id;
        snprintf(l->number[l->n], sizeof l->number[l->n], "%s", r->number);
        l->n++;
    }
    return 0;
}

static int outcome_fn(struct db *db, void *arg, struct err *e)
{
    struct outcome_unit *u = arg;
    struct one_commitment c = {0};
    if (store_commitment_get(db, u->id, one_take, &c, e))
        return -1;
    if (!c.row.selected)
        return err_set(e, ERR_CONFLICT, NULL, "该承诺未被抽中核查");
    int64_t now = store_now_ms();
    int changed = 0;
    if (store_commitment_outcome(db, u->id, u->outcome, u->note,
                                 u->by ? u->by->user_id : 0, now, &changed, e))
        return -1;
    if (!changed)
        return err_set(e, ERR_CONFLICT, NULL, "该承诺的核查结果已经记录");
    json_t *revoked = json_array();
    if (!strcmp(u->outcome, "false_promise")) {
        struct revoke_list l = {.n = 0};
        if (store_licence_of_case(db, c.case_no, revoke_take, &l, e)) {
            json_decref(revoked);
            return -1;
        }
        for (int i = 0; i < l.n; i++) {
            int ch = 0;
            if (store_licence_set_status(db, l.id[i], "valid", "revoked",
                                         "虚假承诺，撤销办理结果", now, &ch, e)) {
                json_decref(revoked);
                return -1;
            }
            if (ch)
                json_array_append_new(revoked, json_string(l.number[i]));
        }
        struct dishonesty_row d = {.subject = c.applicant,
                                   .commitment_id = u->id,
                                   .case_no = c.case_no,
                                   .proof = c.proof,
                                   .reason = u->note,
                                   .actor_id = u->by ? u->by->user_id : 0,
                                   .at = now};
        if (store_dishonesty_add(db, &d, e)) {
            json_decref(revoked);
            return -1;
        }
    }
    json_t *list = json_array();
    if (store_commitment_get(db, u->id, commitment_take, list, e)) {
        json_decref(list);
        json_decref(revoked);
        return -1;
    }
    u->result = json_pack("{s:O, s:o}", "commitment", json_array_get(list, 0),
                          "revoked", revoked);
    json_decref(list);
    char idtext[24];
    snprintf(idtext, sizeof idtext, "%lld", (long long)u->id);
    return audit_unit(db, u->by, "commitment.outcome", "commitment", idtext,
                      json_pack("{s:s, s:s, s:O}", "outcome", u->outcome,
                                "case_no", c.case_no, "revoked",
                                json_object_get(u->result, "revoked")),
                      e);
}

int app_commitment_outcome(struct app *a, const struct actor *by, int64_t id,
                           const json_t *body, json_t **out, struct err *e)
{
    if (need_cap(by, CAP_PROOF_WRITE, "记录告知承诺核查结果", e))
        return -1;
    const char *outcome = body_str(body, "outcome");
    const char *note = body_str(body, "note");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)body, k, v)
    {
        if (strcmp(k, "outcome") && strcmp(k, "note")) {
            err_set(e, ERR_INVALID, "", "未知字段 %s", k);
            snprintf(e->field, sizeof e->field, "/%s", k);
            return -1;
        }
    }
    if (!outcome || (strcmp(outcome, "kept") && strcmp(outcome, "false_promise")))
        return err_set(e, ERR_INVALID, "/outcome",
                       "outcome 应为 kept（属实）或 false_promise（虚假承诺）");
    if (!note || utf8_chars(note, strlen(note)) < 2 ||
        utf8_chars(note, strlen(note)) > 1000)
        return err_set(e, ERR_INVALID, "/note", "应写明 2–1000 字的核查情况");
    struct outcome_unit u = {.by = by, .id = id, .outcome = outcome,
                             .note = note};
    if (store_write(a->store, outcome_fn, &u, e)) {
        json_decref(u.result);
        return -1;
    }
    *out = u.result;
    return 0;
}

static int dis_take(void *ctx, const struct dishonesty_row *r)
{
    json_t *list = ctx;
    json_array_append_new(
        list, json_pack("{s:I, s:I, s:s, s:s, s:s, s:I}", "id",
                        (json_int_t)r->id, "commitment_id",
                        (json_int_t)r->commitment_id, "case_no", r->case_no,
                        "proof", r->proof, "reason", r->reason, "at",
                        (json_int_t)r->at));
    return 0;
}

int app_dishonesty_of(struct app *a, const struct actor *by,
                      const char *subject, json_t **out, struct err *e)
{
    if (need_cap(by, CAP_PROOF_WRITE, "查看虚假承诺记录", e) ||
        proofs_subject_check(subject, "subject", e))
        return -1;
    struct db *db = store_read(a->store, e);
    if (!db)
        return -1;
    json_t *list = json_array();
    int rc = store_dishonesty_of(db, subject, dis_take, list, e);
    store_read_done(a->store, db);
    if (rc) {
        json_decref(list);
        return -1;
    }
    *out = json_pack("{s:o}", "records", list);
    return 0;
}

/* ---- demo data ------------------------------------------------------------------- */

static char *csv_cell(const char *s)
{
    size_t n = strlen(s);
    char *o = malloc(n * 2 + 3), *q = o;
    if (!o)
        return NULL;
    *q++ = '"';
    for (; *s; s++) {
        if (*s == '"')
            *q++ = '"';
        *q++ = *s;
    }
    *q++ = '"';
    *q = '\0';
    return o;
}

/* records_csv — the demo records of a data set as CSV (malloc'd). */
static char *records_csv(const json_t *fields, const json_t *records)
{
    size_t cap = 4096, len = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    out[0] = '\0';
#define APPEND(str)                                                            \
    do {                                                                       \
        const char *s_ = (str);                                                \
        size_t l_ = strlen(s_);                                                \
        if (len + l_ + 2 > cap) {                                              \
            cap = (len + l_ + 2) * 2;                                          \
            char *g_ = realloc(out, cap);                                      \
            if (!g_) {                                                         \
                free(out);                                                     \
                return NULL;                                                   \
            }                                                                  \
            out = g_;                                                          \
        }                                                                      \
        memcpy(out + len, s_, l_ + 1);                                         \
        len += l_;                                                             \
    } while (0)
    APPEND("subject");
    for (size_t i = 0; i < json_array_size(fields); i++) {
        APPEND(",");
        APPEND(json_string_value(json_array_get(fields, i)));
    }
    APPEND("\n");
    for (size_t r = 0; r < json_array_size(records); r++) {
        json_t *o = json_array_get(records, r);
        APPEND(json_string_value(json_object_get(o, "subject")));
        for (size_t i = 0; i < json_array_size(fields); i++) {
            const char *v = json_string_value(json_object_get(
                o, json_string_value(json_array_get(fields, i))));
            char *c = csv_cell(v ? v : "");
            if (!c) {
                free(out);
                return NULL;
            }
            APPEND(",");
            APPEND(c);
            free(c);
        }
        APPEND("\n");
    }
#undef APPEND
    return out;
}

int app_demo_proofs(struct app *a, int *proofs, int *datasets, int *licences,
                    struct err *e)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/demo/proofs.json", app_data_dir(a));
    json_error_t je;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!doc)
        return err_set(e, ERR_INVALID, path, "演示证明数据无法读取：%s", je.text);
    int rc = 0;
    size_t i;
    json_t *o;
    /* Data sets first: proofs replaced by sharing name them. */
    json_array_foreach(json_object_get(doc, "datasets"), i, o)
    {
        if (rc)
            break;
        const char *name = json_string_value(json_object_get(o, "name"));
        json_t *have = NULL;
        struct err e2 = {0};
        int64_t n_records = -1;
        if (app_dataset_get(a, name, &have, &e2) == 0) {
            n_records = json_integer_value(json_object_get(have, "records"));
            json_decref(have);
        } else {
            json_t *body = json_deep_copy(o);
            json_object_del(body, "records");
            json_t *out = NULL;
            rc = app_dataset_put(a, NULL, name, body, &out, NULL, e);
            json_decref(body);
            json_decref(out);
            n_records = 0;
        }
        json_t *recs = json_object_get(o, "records");
        if (!rc && n_records == 0 && json_array_size(recs) > 0) {
            char *csv = records_csv(json_object_get(o, "fields"), recs);
            struct dataset_import_report rep;
            rc = csv ? app_dataset_import_csv(a, NULL, name, csv, strlen(csv),
                                              1, &rep, e)
                     : err_set(e, ERR_INTERNAL, NULL, "内存不足");
            free(csv);
        }
    }
    json_array_foreach(json_object_get(doc, "proofs"), i, o)
    {
        if (rc)
            break;
        const char *name = json_string_value(json_object_get(o, "name"));
        json_t *have = NULL;
        struct err e2 = {0};
        if (app_proof_get(a, NULL, name, &have, &e2) == 0) {
            json_decref(have);
            continue;
        }
        json_t *out = NULL;
        rc = app_proof_put(a, NULL, name, o, &out, NULL, e);
        json_decref(out);
    }
    if (!rc) {
        /* Licences not yet on record, in one import. */
        json_t *missing = json_array();
        struct db *db = store_read(a->store, e);
        if (!db)
            rc = -1;
        json_array_foreach(json_object_get(doc, "licences"), i, o)
        {
            if (rc)
                break;
            struct lic_sink s = {0};
            struct err e2 = {0};
            if (store_licence_get(db, json_string_value(
                                          json_object_get(o, "number")),
                                  lic_take, &s, &e2))
                json_array_append(missing, o);
        }
        if (db)
            store_read_done(a->store, db);
        if (!rc && json_array_size(missing)) {
            json_t *body = json_pack("{s:O}", "licences", missing);
            rc = app_licence_import(a, NULL, body, NULL, e);
            json_decref(body);
        }
        json_decref(missing);
    }
    json_decref(doc);
    if (rc)
        return -1;
    /* Counts of what exists after. */
    json_t *l = NULL;
    if (app_proof_list(a, NULL, 0, &l, e))
        return -1;
    *proofs = (int)json_array_size(json_object_get(l, "proofs"));
    json_decref(l);
    if (app_dataset_list(a, &l, e))
        return -1;
    *datasets = (int)json_array_size(json_object_get(l, "datasets"));
    json_decref(l);
    struct db *db = store_read(a->store, e);
    if (!db)
        return -1;
    int64_t n = 0;
    rc = store_licence_count(db, &n, e);
    store_read_done(a->store, db);
    *licences = (int)n;
    return rc;
}
