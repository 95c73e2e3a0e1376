/* audit.c — recording, searching and verifying the audit log. Contract and
 * the hash's definition in audit.h; SQL in store/audit.c. No state outside
 * the database; thread-safe. */
#include "audit.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "log.h"

#define ZERO_HASH                                                              \
    "0000000000000000000000000000000000000000000000000000000000000000"

/* ---- masking and the actor --------------------------------------------- */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

void audit_mask_text(char *s)
{
    if (!s)
        return;
    for (size_t i = 0; s[i];) {
        if (!is_digit(s[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (is_digit(s[j]))
            j++;
        size_t n = j - i;
        /* An 18-character resident ID ends in a digit or X. */
        if (n == 17 && (s[j] == 'X' || s[j] == 'x'))
            n = 18, j++;
        if (n == 11 && s[i] == '1') /* mobile: 138****0001 */
            memset(s + i + 3, '*', 4);
        else if (n == 18)           /* resident ID: 3415**********1028 */
            memset(s + i + 4, '*', 10);
        else if (n == 15)           /* first-generation ID */
            memset(s + i + 4, '*', 7);
        i = j;
    }
}

void audit_entry_actor(struct audit_entry *en, const struct actor *a)
{
    if (!a) {
        en->actor_id = 0;
        en->actor_login = AUDIT_CLI_LOGIN;
        en->ip = NULL;
        en->request_id = NULL;
        return;
    }
    en->actor_id = a->user_id;
    en->actor_login = a->login[0] ? a->login : NULL;
    en->ip = a->ip[0] ? a->ip : NULL;
    en->request_id = a->rid[0] ? a->rid : NULL;
}

const char *audit_actor_region(const struct actor *a)
{
    if (!a)
        return NULL;
    for (int i = 0; i < a->n_grants; i++)
        if (strcmp(a->grants[i].region, REGION_ALL) != 0 &&
            strlen(a->grants[i].region) == 12)
            return a->grants[i].region;
    return NULL;
}

/* ---- the chain ----------------------------------------------------------- */

static void put_text(crypto_generichash_state *st, const char *s)
{
    char len[24];
    if (!s || !*s) {
        crypto_generichash_update(st, (const unsigned char *)"-;", 2);
        return;
    }
    size_t n = strlen(s);
    int w = snprintf(len, sizeof len, "%zu:", n);
    crypto_generichash_update(st, (const unsigned char *)len, (size_t)w);
    crypto_generichash_update(st, (const unsigned char *)s, n);
    crypto_generichash_update(st, (const unsigned char *)";", 1);
}

static void put_int(crypto_generichash_state *st, int64_t v, int zero_is_null)
{
    char buf[24];
    if (zero_is_null && v == 0) {
        put_text(st, NULL);
        return;
    }
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    put_text(st, buf);
}

/* row_hash — hex BLAKE2b-256 of prev ‖ "\n" ‖ canon(r) (audit.h). */
static void row_hash(const char *prev, const struct audit_row *r,
                     char out[AUDIT_HASH_SIZE])
{
    crypto_generichash_state st;
    unsigned char h[32];
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)prev, strlen(prev));
    crypto_generichash_update(&st, (const unsigned char *)"\n", 1);
    put_int(&st, r->seq, 0);
    put_int(&st, r->at, 0);
    put_int(&st, r->actor_id, 1);
    put_text(&st, r->actor_login);
    put_text(&st, r->ip);
    put_text(&st, r->request_id);
    put_text(&st, r->action);
    put_text(&st, r->target_kind);
    put_text(&st, r->target_id);
    put_text(&st, r->region);
    put_text(&st, r->outcome);
    put_text(&st, r->detail);
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(out, AUDIT_HASH_SIZE, h, sizeof h);
}

static int outcome_ok(const char *o)
{
    return o && (!strcmp(o, "ok") || !strcmp(o, "denied") ||
                 !strcmp(o, "failed"));
}

/* Copy s (or NULL) into buf and mask it. */
static const char *masked(const char *s, char *buf, size_t n)
{
    if (!s || !*s)
        return NULL;
    snprintf(buf, n, "%s", s);
    audit_mask_text(buf);
    return buf;
}

/* ---- the batch ------------------------------------------------------------
 *
 * On a writer connection of a store opened with app_audit_hooks (every
 * store app_open makes), a unit's rows do not touch the chain at once: they
 * wait, copied, in the writer thread's batch, and before_commit appends all
 * rows of the batch's surviving units in one go (one head read, one
 * pipelined insert, one head move). A unit that fails drops its rows with
 * it (unit_end). So the chain's lock (FOR UPDATE on PostgreSQL) is held only
 * from the end of the batch to its COMMIT, and the writers of all nodes run
 * their units at the same time. Without the hooks (a store opened directly)
 * a row is appended at once, as the unit records it. */

struct audit_batch {
    struct db *db;
    struct arena *ar;       /* copies of the rows' strings */
    struct audit_row *rows; /* malloc'd */
    int n, cap, mark;       /* mark: n when the current unit began */
};

/* One batch per writer thread at a time; NULL outside a unit. */
static _Thread_local struct audit_batch *tl_batch;

/* The `at` of rows appended now, after the head's lock: the clock, but
 * never below the row before (a clock set back, or another node's clock a
 * little behind), so that `at` grows with seq: the audit search turns a
 * time window into a range of seq (store/audit.h). */
static int64_t stamp(int64_t last_at)
{
    int64_t now = store_now_ms();
    return now < last_at ? last_at : now;
}

static struct audit_batch *batch_of(struct db *db)
{
    return tl_batch && tl_batch->db == db ? tl_batch : NULL;
}

static void hook_unit_begin(void *ctx, struct db *db)
{
    (void)ctx;
    if (!tl_batch) {
        tl_batch = calloc(1, sizeof *tl_batch);
        if (!tl_batch)
            return; /* rows then go to the chain at once */
        tl_batch->ar = arena_new();
    }
    tl_batch->db = db;
    tl_batch->mark = tl_batch->n;
}

static void hook_unit_end(void *ctx, struct db *db, int ok)
{
    (void)ctx;
    struct audit_batch *b = batch_of(db);
    if (b && !ok)
        b->n = b->mark;
}

static int hook_before_commit(void *ctx, struct db *db, struct err *e)
{
    (void)ctx;
    struct audit_batch *b = batch_of(db);
    if (!b || b->n == 0)
        return 0;
    int64_t head = 0, last_at = 0;
    char prev[AUDIT_HASH_SIZE];
    if (store_audit_head_lock(db, &head, prev, &last_at, e))
        return -1;
    int64_t now = stamp(last_at);
    char(*hashes)[AUDIT_HASH_SIZE] =
        arena_alloc(b->ar, (size_t)b->n * AUDIT_HASH_SIZE);
    for (int i = 0; i < b->n; i++) {
        struct audit_row *r = &b->rows[i];
        r->seq = head + 1 + i;
        r->at = now;
        r->prev_hash = i ? hashes[i - 1] : prev;
        row_hash(r->prev_hash, r, hashes[i]);
        r->hash = hashes[i];
    }
    return store_audit_append_many(db, b->rows, b->n, e);
}

static void hook_batch_end(void *ctx, struct db *db, int committed)
{
    (void)ctx;
    (void)db;
    (void)committed;
    if (!tl_batch)
        return;
    arena_free(tl_batch->ar);
    free(tl_batch->rows);
    free(tl_batch);
    tl_batch = NULL;
}

const struct store_hooks *app_audit_hooks(void)
{
    static const struct store_hooks k_hooks = {
        .unit_begin = hook_unit_begin,
        .unit_end = hook_unit_end,
        .before_commit = hook_before_commit,
        .batch_end = hook_batch_end,
    };
    return &k_hooks;
}

static const char *bdup(struct audit_batch *b, const char *s)
{
    return s ? arena_strdup(b->ar, s) : NULL;
}

/* defer — r (strings borrowed) copied into the batch; 0, or -1 when out of
 * memory. */
static int defer(struct audit_batch *b, const struct audit_row *r,
                 struct err *e)
{
    if (b->n == b->cap) {
        int cap = b->cap ? b->cap * 2 : 64;
        struct audit_row *grown = realloc(b->rows, (size_t)cap * sizeof *grown);
        if (!grown)
            return err_set(e, ERR_INTERNAL, NULL, "内存不足");
        b->rows = grown;
        b->cap = cap;
    }
    b->rows[b->n++] = (struct audit_row){
        .actor_id = r->actor_id,
        .actor_login = bdup(b, r->actor_login),
        .ip = bdup(b, r->ip),
        .request_id = bdup(b, r->request_id),
        .action = bdup(b, r->action),
        .target_kind = bdup(b, r->target_kind),
        .target_id = bdup(b, r->target_id),
        .region = bdup(b, r->region),
        .outcome = bdup(b, r->outcome),
        .detail = bdup(b, r->detail),
    };
    return 0;
}

/* record — the unit's work, with detail already serialised (malloc'd text,
 * masked here in place; may be NULL). */
static int record(struct db *db, const struct audit_entry *en, char *detail,
                  struct err *e)
{
    if (!en->action || !*en->action || strlen(en->action) > 64)
        return err_set(e, ERR_INVALID, NULL, "审计记录缺少操作名称");
    if (!outcome_ok(en->outcome))
        return err_set(e, ERR_INVALID, NULL, "审计记录的结果无效");
    char region[13] = "";
    if (en->region && strlen(en->region) == 12)
        memcpy(region, en->region, 13);
    else if (!en->region && en->region_of_actor && en->actor_id &&
             store_audit_user_region(db, en->actor_id, region, e))
        return -1;

    char login[80], target[80], ip[64];
    audit_mask_text(detail);
    struct audit_row r = {
        .actor_id = en->actor_id,
        .actor_login = masked(en->actor_login, login, sizeof login),
        .ip = en->ip && *en->ip ? (snprintf(ip, sizeof ip, "%s", en->ip), ip)
                                : NULL,
        .request_id = en->request_id && *en->request_id ? en->request_id : NULL,
        .action = en->action,
        .target_kind = en->target_kind,
        .target_id = masked(en->target_id, target, sizeof target),
        .region = region[0] ? region : NULL,
        .outcome = en->outcome,
        .detail = detail && *detail ? detail : NULL,
    };
    struct audit_batch *b = batch_of(db);
    if (b)
        return defer(b, &r, e);

    int64_t head = 0, last_at = 0;
    char prev[AUDIT_HASH_SIZE], hash[AUDIT_HASH_SIZE];
    if (store_audit_head_lock(db, &head, prev, &last_at, e))
        return -1;
    r.seq = head + 1;
    r.at = stamp(last_at);
    r.prev_hash = prev;
    row_hash(prev, &r, hash);
    r.hash = hash;
    return store_audit_append_many(db, &r, 1, e);
}

int app_audit_unit_lock(struct db *db, struct err *e)
{
    if (batch_of(db))
        return 0; /* the chain is locked at the end of the batch */
    int64_t seq;
    char hash[AUDIT_HASH_SIZE];
    return store_audit_head_lock(db, &seq, hash, NULL, e);
}

static char *detail_text(const json_t *d)
{
    if (!d || (json_is_object(d) && json_object_size(d) == 0))
        return NULL;
    return json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
}

int app_audit_unit_record(struct db *db, const struct audit_entry *en,
                          struct err *e)
{
    if (sodium_init() < 0)
        return err_set(e, ERR_INTERNAL, NULL, "内部错误"),
               err_log(e, "sodium_init failed");
    char *detail =
        en->detail_text ? strdup(en->detail_text) : detail_text(en->detail);
    int rc = record(db, en, detail, e);
    free(detail);
    return rc;
}

/* A queued entry owns copies of everything it points to. */
struct pending {
    struct store_unit u;
    struct audit_entry en;
    char *detail;
    char *s[6]; /* actor_login, ip, request_id, action, target_kind, … */
    char *target_id, *region;
};

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void pending_free(struct pending *p)
{
    for (size_t i = 0; i < sizeof p->s / sizeof *p->s; i++)
        free(p->s[i]);
    free(p->target_id);
    free(p->region);
    free(p->detail);
    free(p);
}

static int pending_unit(struct db *db, void *arg, struct err *e)
{
    struct pending *p = arg;
    if (sodium_init() < 0)
        return err_set(e, ERR_INTERNAL, NULL, "内部错误");
    return record(db, &p->en, p->detail, e);
}

static void pending_done(struct store_unit *u)
{
    struct pending *p = u->ctx;
    if (u->rc != 0)
        log_msg(LOG_ERROR, "audit_lost", "%s %s: %s %s",
                p->en.action ? p->en.action : "", p->en.outcome,
                u->err.msg, u->err.log);
    pending_free(p);
}

void app_audit_submit(struct app *a, const struct audit_entry *en)
{
    struct pending *p = calloc(1, sizeof *p);
    if (!p) {
        log_msg(LOG_ERROR, "audit_lost", "%s: out of memory",
                en->action ? en->action : "");
        return;
    }
    p->en = *en;
    p->en.actor_login = p->s[0] = dup_or_null(en->actor_login);
    p->en.ip = p->s[1] = dup_or_null(en->ip);
    p->en.request_id = p->s[2] = dup_or_null(en->request_id);
    p->en.action = p->s[3] = dup_or_null(en->action);
    p->en.target_kind = p->s[4] = dup_or_null(en->target_kind);
    p->en.outcome = p->s[5] = dup_or_null(en->outcome);
    p->en.target_id = p->target_id = dup_or_null(en->target_id);
    p->en.region = p->region = dup_or_null(en->region);
    p->en.detail = NULL;
    p->en.detail_text = NULL;
    p->detail =
        en->detail_text ? strdup(en->detail_text) : detail_text(en->detail);
    p->u.fn = pending_unit;
    p->u.arg = p;
    p->u.done = pending_done;
    p->u.ctx = p;
    store_submit(app_store(a), &p->u);
}

static int record_unit(struct db *db, void *arg, struct err *e)
{
    return app_audit_unit_record(db, arg, e);
}

int app_audit_record(struct app *a, const struct audit_entry *en,
                     struct err *e)
{
    return store_write(app_store(a), record_unit, (void *)en, e);
}

/* ---- time ------------------------------------------------------------------ */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int app_audit_time_parse(const char *s, const char *field, int64_t *out,
                         struct err *e)
{
    static const char k_msg[] =
        "时间格式应为 YYYY-MM-DD、YYYY-MM-DDTHH:MM:SS[Z|±HH:MM] 或毫秒数";
    if (!s || !*s)
        return err_set(e, ERR_INVALID, field, "%s", k_msg);
    size_t n = strlen(s), k = 0;
    while (k < n && is_digit(s[k]))
        k++;
    if (k == n) {
        if (n > 15)
            return err_set(e, ERR_INVALID, field, "%s", k_msg);
        *out = strtoll(s, NULL, 10);
        return 0;
    }
    int y, mo, d, h = 0, mi = 0, sec = 0, used = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3 || used != 10)
        return err_set(e, ERR_INVALID, field, "%s", k_msg);
    int64_t offset_min = 8 * 60; /* Beijing time unless told */
    const char *p = s + 10;
    if (*p == 'T' || *p == ' ') {
        int u2 = 0;
        if (sscanf(p + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &u2) != 3 || u2 != 8)
            return err_set(e, ERR_INVALID, field, "%s", k_msg);
        p += 9;
        if (*p == 'Z') {
            offset_min = 0;
            p++;
        } else if (*p == '+' || *p == '-') {
            int oh, om, u3 = 0;
            if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &u3) != 2 || u3 != 5 ||
                oh > 14 || om > 59)
                return err_set(e, ERR_INVALID, field, "%s", k_msg);
            offset_min = (*p == '-' ? -1 : 1) * (oh * 60 + om);
            p += 6;
        }
    }
    if (*p || y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
        h > 23 || mi > 59 || sec > 59)
        return err_set(e, ERR_INVALID, field, "%s", k_msg);
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
                   sec - offset_min * 60;
    *out = secs * 1000;
    return 0;
}

/* ---- search ---------------------------------------------------------------- */

/* Significant digits of a 12-digit code by level (as auth.c): 2,4,6,9,12. */
static int significant(const char *code)
{
    static const int k_cut[] = {2, 4, 6, 9, 12};
    int sig = 12;
    for (int i = 4; i >= 0; i--) {
        int zero = 1;
        for (int k = i == 0 ? 0 : k_cut[i - 1]; k < k_cut[i]; k++)
            if (code[k] != '0')
                zero = 0;
        if (!zero)
            break;
        sig = i == 0 ? 0 : k_cut[i - 1];
    }
    return sig;
}

static int is_code12(const char *s)
{
    if (!s || strlen(s) != 12)
        return 0;
    for (int i = 0; i < 12; i++)
        if (!is_digit(s[i]))
            return 0;
    return 1;
}

/* Add the LIKE pattern of scope `code` unless a wider one is there. */
static void add_scope(struct audit_filter *f, char pats[][16], const char *code)
{
    int sig = significant(code);
    char pat[16];
    snprintf(pat, sizeof pat, "%.*s%%", sig, code);
    for (int i = 0; i < f->n_prefixes; i++) {
        size_t l = strlen(pats[i]) - 1; /* without % */
        if (strncmp(pats[i], pat, l) == 0)
            return; /* covered already */
    }
    if (f->n_prefixes >= AUDIT_SCOPES_MAX)
        return;
    /* Drop narrower ones this one covers. */
    for (int i = 0; i < f->n_prefixes;) {
        if (strncmp(pats[i], pat, (size_t)sig) == 0) {
            memcpy(pats[i], pats[f->n_prefixes - 1], 16);
            f->n_prefixes--;
        } else {
            i++;
        }
    }
    memcpy(pats[f->n_prefixes], pat, sizeof pat);
    f->prefixes[f->n_prefixes] = pats[f->n_prefixes];
    f->n_prefixes++;
    for (int i = 0; i < f->n_prefixes; i++)
        f->prefixes[i] = pats[i];
}

struct collect {
    struct arena *ar;
    struct audit_view *items;
    int n;
};

static const char *ad(struct arena *ar, const char *s)
{
    return s ? arena_strdup(ar, s) : NULL;
}

static int collect_row(void *ctx, const struct audit_row *r)
{
    struct collect *c = ctx;
    struct audit_view *v = &c->items[c->n++];
    v->seq = r->seq;
    v->at = r->at;
    v->actor_id = r->actor_id;
    v->actor_login = ad(c->ar, r->actor_login);
    v->ip = ad(c->ar, r->ip);
    v->request_id = ad(c->ar, r->request_id);
    v->action = ad(c->ar, r->action);
    v->target_kind = ad(c->ar, r->target_kind);
    v->target_id = ad(c->ar, r->target_id);
    v->region = ad(c->ar, r->region);
    v->outcome = ad(c->ar, r->outcome);
    v->detail = ad(c->ar, r->detail);
    v->hash = ad(c->ar, r->hash);
    return 0;
}

int app_audit_search(struct app *a, const struct actor *by,
                     const struct audit_query *q, struct arena *ar,
                     struct audit_view **items, int *n, int64_t *next_after,
                     struct err *e)
{
    struct audit_filter f = {0};
    char pats[AUDIT_SCOPES_MAX][16];
    char action[72], login[72];
    *items = NULL;
    *n = 0;
    *next_after = 0;

    if (by && !actor_can(by, CAP_AUDIT_READ, NULL))
        return err_set(e, ERR_FORBIDDEN, NULL, "无权查看审计日志");
    if (q->limit < 0 || q->limit > APP_AUDIT_PAGE_MAX)
        return err_set(e, ERR_INVALID, "limit", "limit 应为 1 到 %d",
                       APP_AUDIT_PAGE_MAX);
    f.limit = q->limit ? q->limit : APP_AUDIT_PAGE_DEFAULT;
    if (q->after < 0)
        return err_set(e, ERR_INVALID, "after", "after 应为非负整数");
    f.after = q->after;
    if (q->action && *q->action) {
        size_t l = strlen(q->action);
        if (l > 64)
            return err_set(e, ERR_INVALID, "action", "action 过长");
        for (size_t i = 0; i < l; i++) {
            char c = q->action[i];
            int star_end = c == '*' && i == l - 1;
            if (!((c >= 'a' && c <= 'z') || c == '.' || c == '_' || star_end))
                return err_set(e, ERR_INVALID, "action",
                               "action 只能由小写字母、. 和 _ 组成，可以 * 结尾");
        }
        /* '_' is LIKE's one-character wildcard: escape-free because no
         * action has another character in its place. */
        snprintf(action, sizeof action, "%.*s%s",
                 (int)(q->action[l - 1] == '*' ? l - 1 : l), q->action,
                 q->action[l - 1] == '*' ? "%" : "");
        f.action = action;
    }
    if (q->actor && *q->actor) {
        size_t l = strlen(q->actor), k = 0;
        while (k < l && is_digit(q->actor[k]))
            k++;
        if (l > 64)
            return err_set(e, ERR_INVALID, "actor", "actor 过长");
        if (k == l && l <= 15) {
            f.actor_id = strtoll(q->actor, NULL, 10);
        } else {
            for (size_t i = 0; i <= l; i++) {
                char c = q->actor[i];
                login[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
            }
            f.actor_login = login;
        }
    }
    if (q->outcome && *q->outcome) {
        if (!outcome_ok(q->outcome))
            return err_set(e, ERR_INVALID, "outcome",
                           "outcome 应为 ok、denied 或 failed");
        f.outcome = q->outcome;
    }
    if (q->since && *q->since &&
        app_audit_time_parse(q->since, "since", &f.since, e))
        return -1;
    if (q->until && *q->until &&
        app_audit_time_parse(q->until, "until", &f.until, e))
        return -1;

    /* Scope. */
    if (q->region && *q->region) {
        if (!is_code12(q->region))
            return err_set(e, ERR_INVALID, "region", "region 应为 12 位区划代码");
        if (by && !actor_can(by, CAP_AUDIT_READ, q->region))
            return err_set(e, ERR_FORBIDDEN, "region",
                           "无权查看该区划的审计日志");
        add_scope(&f, pats, q->region);
    } else if (!by) {
        f.all_regions = 1;
    } else {
        for (int i = 0; i < by->n_grants; i++) {
            const struct grant *g = &by->grants[i];
            if (!role_has_cap(g->role, CAP_AUDIT_READ))
                continue;
            if (g->role == ROLE_SYS_ADMIN)
                f.system_rows = 1;
            add_scope(&f, pats, g->region);
        }
    }

    struct collect c = {ar, arena_new_array(ar, struct audit_view, f.limit), 0};
    struct db *db = store_read(app_store(a), e);
    if (!db)
        return -1;
    int seen = 0;
    int rc = store_audit_search(db, &f, collect_row, &c, &seen, e);
    store_read_done(app_store(a), db);
    if (rc)
        return -1;
    *items = c.items;
    *n = c.n;
    if (c.n == f.limit)
        *next_after = c.items[c.n - 1].seq;
    if (by) { /* watching the log is itself recorded */
        struct audit_entry en = {0};
        audit_entry_actor(&en, by);
        en.action = "audit.read";
        en.region = audit_actor_region(by);
        en.outcome = "ok";
        json_t *detail = json_pack("{s:i}", "rows", c.n);
        if (q->region && *q->region)
            json_object_set_new(detail, "region", json_string(q->region));
        if (f.action)
            json_object_set_new(detail, "action", json_string(q->action));
        en.detail = detail;
        app_audit_submit(a, &en);
        json_decref(detail);
    }
    return 0;
}

/* ---- verify ---------------------------------------------------------------- */

struct walk {
    int64_t head_seq;
    int64_t expect; /* the next seq */
    char prev[AUDIT_HASH_SIZE];
    struct audit_verdict *out;
    int stop;
};

static int walk_row(void *ctx, const struct audit_row *r)
{
    struct walk *w = ctx;
    struct audit_verdict *o = w->out;
    if (r->seq > w->head_seq) { /* appended after we read the head */
        w->stop = 1;
        return 1;
    }
    if (r->seq != w->expect) {
        o->bad_seq = w->expect;
        snprintf(o->why, sizeof o->why,
                 "第 %lld 条缺失：序号从 %lld 跳到 %lld（记录被删除）",
                 (long long)w->expect, (long long)(w->expect - 1),
                 (long long)r->seq);
        return 1;
    }
    if (!r->prev_hash || strcmp(r->prev_hash, w->prev) != 0) {
        o->bad_seq = r->seq;
        snprintf(o->why, sizeof o->why,
                 "第 %lld 条的 prev_hash 与第 %lld 条的哈希不符"
                 "（记录被调换、删除或改动）",
                 (long long)r->seq, (long long)(r->seq - 1));
        return 1;
    }
    char h[AUDIT_HASH_SIZE];
    row_hash(w->prev, r, h);
    if (!r->hash || strcmp(r->hash, h) != 0) {
        o->bad_seq = r->seq;
        snprintf(o->why, sizeof o->why,
                 "第 %lld 条的内容与其哈希不符（记录被改动）",
                 (long long)r->seq);
        return 1;
    }
    memcpy(w->prev, h, sizeof h);
    w->expect++;
    o->rows++;
    return 0;
}

int app_audit_verify(struct app *a, struct audit_verdict *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    if (sodium_init() < 0)
        return err_set(e, ERR_INTERNAL, NULL, "内部错误");
    struct walk w = {.expect = 1, .out = out};
    char head_hash[AUDIT_HASH_SIZE];
    memcpy(w.prev, ZERO_HASH, sizeof w.prev);
    struct db *db = store_read(app_store(a), e);
    if (!db)
        return -1;
    int rc = store_audit_head(db, &w.head_seq, head_hash, e);
    while (rc == 0 && !out->bad_seq && !w.stop) {
        int seen = 0;
        rc = store_audit_scan(db, w.expect - 1, 1000, walk_row, &w, &seen, e);
        if (seen < 1000)
            break;
    }
    store_read_done(app_store(a), db);
    if (rc)
        return -1;
    if (out->bad_seq)
        return 0;
    if (w.expect - 1 != w.head_seq) {
        out->bad_seq = w.expect;
        snprintf(out->why, sizeof out->why,
                 "日志止于第 %lld 条，而链头记为第 %lld 条（末尾记录被删除）",
                 (long long)(w.expect - 1), (long long)w.head_seq);
    } else if (strcmp(head_hash, w.prev) != 0) {
        out->bad_seq = w.head_seq;
        snprintf(out->why, sizeof out->why,
                 "第 %lld 条的哈希与链头不符（记录被改动）",
                 (long long)w.head_seq);
    }
    return 0;
}

/* ---- JSON ------------------------------------------------------------------ */

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *app_audit_json(const struct audit_view *v)
{
    char at[40];
    time_t t = (time_t)(v->at / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t k = strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(at + k, sizeof at - k, ".%03dZ", (int)(v->at % 1000));
    json_t *detail = NULL;
    if (v->detail)
        detail = json_loads(v->detail, 0, NULL);
    json_t *o = json_object();
    json_object_set_new(o, "seq", json_integer(v->seq));
    json_object_set_new(o, "at", json_string(at));
    json_object_set_new(
        o, "actor",
        json_pack("{s:o, s:o}", "id",
                  v->actor_id ? json_integer(v->actor_id) : json_null(),
                  "login", str_or_null(v->actor_login)));
    json_object_set_new(o, "ip", str_or_null(v->ip));
    json_object_set_new(o, "request_id", str_or_null(v->request_id));
    json_object_set_new(o, "action", json_string(v->action ? v->action : ""));
    json_object_set_new(o, "target",
                        v->target_kind || v->target_id
                            ? json_pack("{s:o, s:o}", "kind",
                                        str_or_null(v->target_kind), "id",
                                        str_or_null(v->target_id))
                            : json_null());
    json_object_set_new(o, "region", str_or_null(v->region));
    json_object_set_new(o, "outcome", json_string(v->outcome ? v->outcome : ""));
    json_object_set_new(o, "detail", detail ? detail : json_null());
    json_object_set_new(o, "hash", str_or_null(v->hash));
    return o;
}
