/* app_regions.c — administrative divisions: cached look-ups, children,
 * search, and the all-or-nothing CSV import. See app_regions.h. */
#include "app_regions.h"

#include <csv.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/utf8.h"
#include "../store/regions.h"
#include "audit.h"
#include "internal.h"

#define RC_MAX (1u << 18) /* cached answers per node */
#define REV_CHECK_MS 1000

static const char *const k_level_names[] = {"", "省", "市", "县", "乡镇",
                                            "村社区"};
static const int k_code_len[] = {0, 2, 4, 6, 9, 12};

const char *app_region_level_name(int level)
{
    return level >= 1 && level <= 5 ? k_level_names[level] : "";
}

/* Significant length of a 12-digit code: 2/4/6/9/12, or 0 if malformed. */
static int code_level(const char *code)
{
    if (!code || strlen(code) != 12)
        return 0;
    for (int i = 0; i < 12; i++)
        if (code[i] < '0' || code[i] > '9')
            return 0;
    int level = 5;
    while (level > 1) {
        int zero = 1;
        for (int k = k_code_len[level - 1]; k < k_code_len[level]; k++)
            if (code[k] != '0')
                zero = 0;
        if (!zero)
            break;
        level--;
    }
    if (strncmp(code, "00", 2) == 0)
        return 0;
    return level;
}

static int check_code(const char *code, struct err *e)
{
    if (!code_level(code))
        return err_set(e, ERR_INVALID, "code",
                       "区划代码应为 12 位数字（如 341524000000）");
    return 0;
}

/* ---- cache ------------------------------------------------------------ */

void region_cache_clear(struct app *a)
{
    for (size_t i = 0; i < a->rc_cap; i++) {
        free(a->rc_slots[i].json);
        a->rc_slots[i].json = NULL;
        a->rc_slots[i].code[0] = '\0';
    }
    a->rc_used = 0;
}

static size_t rc_hash(const char *code)
{
    size_t h = 1469598103934665603ull;
    for (const char *p = code; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return h;
}

/* Drop the cache when the database's regions_rev moved (checked at most once
 * a second per node). */
static void rc_refresh(struct app *a)
{
    int64_t now = store_now_ms();
    long long last = atomic_load(&a->rc_checked_ms); /* atomic_llong */
    if (now - last < REV_CHECK_MS ||
        !atomic_compare_exchange_strong(&a->rc_checked_ms, &last, now))
        return;
    struct err e = {0};
    struct db *db = store_read(a->store, &e);
    if (!db)
        return;
    char rev[32];
    int rc = store_meta_get(db, "regions_rev", rev, sizeof rev, &e);
    store_read_done(a->store, db);
    if (rc)
        return;
    pthread_rwlock_wrlock(&a->rc_lock);
    if (strcmp(rev, a->rc_rev) != 0) {
        region_cache_clear(a);
        snprintf(a->rc_rev, sizeof a->rc_rev, "%s", rev);
    }
    pthread_rwlock_unlock(&a->rc_lock);
}

static int rc_get(struct app *a, const char *code, struct arena *ar,
                  const char **json, size_t *len, const char **etag)
{
    int hit = 0;
    pthread_rwlock_rdlock(&a->rc_lock);
    if (a->rc_cap) {
        size_t mask = a->rc_cap - 1;
        for (size_t i = rc_hash(code) & mask;; i = (i + 1) & mask) {
            struct rc_slot *s = &a->rc_slots[i];
            if (!s->code[0])
                break;
            if (strcmp(s->code, code) == 0) {
                *json = arena_strndup(ar, s->json, s->len);
                *len = s->len;
                *etag = arena_strdup(ar, s->etag);
                hit = 1;
                break;
            }
        }
    }
    pthread_rwlock_unlock(&a->rc_lock);
    return hit;
}

static void rc_put(struct app *a, const char *code, const char *json,
                   size_t len, const char *etag)
{
    pthread_rwlock_wrlock(&a->rc_lock);
    if (!a->rc_cap) {
        a->rc_cap = RC_MAX * 2;
        a->rc_slots = calloc(a->rc_cap, sizeof *a->rc_slots);
        if (!a->rc_slots)
            a->rc_cap = 0;
    }
    if (a->rc_cap && a->rc_used >= RC_MAX)
        region_cache_clear(a);
    if (a->rc_cap) {
        size_t mask = a->rc_cap - 1;
        for (size_t i = rc_hash(code) & mask;; i = (i + 1) & mask) {
            struct rc_slot *s = &a->rc_slots[i];
            if (s->code[0] && strcmp(s->code, code) != 0)
                continue;
            if (!s->code[0]) {
                s->json = malloc(len + 1);
                if (!s->json)
                    break;
                memcpy(s->json, json, len + 1);
                s->len = len;
                snprintf(s->etag, sizeof s->etag, "%s", etag);
                snprintf(s->code, sizeof s->code, "%s", code);
                a->rc_used++;
            }
            break;
        }
    }
    pthread_rwlock_unlock(&a->rc_lock);
}

/* ---- look-ups --------------------------------------------------------- */

static json_t *row_json(const struct region_row *row)
{
    return json_pack("{s:s, s:s, s:i, s:s}", "code", row->code, "name",
                     row->name, "level", row->level, "level_name",
                     app_region_level_name(row->level));
}

struct one {
    json_t *obj;
    char parent[13];
};

static int take_one(void *ctx, const struct region_row *row)
{
    struct one *o = ctx;
    o->obj = row_json(row);
    snprintf(o->parent, sizeof o->parent, "%s", row->parent ? row->parent : "");
    return 1;
}

/* The region with ancestors, read from db. Caller owns *out. */
static int load_with_ancestors(struct db *db, const char *code, json_t **out,
                               struct err *e)
{
    struct one self = {0};
    if (store_region_get(db, code, take_one, &self, e))
        return -1;
    json_t *anc = json_array();
    char next[13];
    snprintf(next, sizeof next, "%s", self.parent);
    char full[512] = "";
    for (int guard = 0; next[0] && guard < 5; guard++) {
        struct one up = {0};
        if (store_region_get(db, next, take_one, &up, e)) {
            json_decref(anc);
            json_decref(self.obj);
            return -1;
        }
        json_array_insert_new(anc, 0, up.obj);
        snprintf(next, sizeof next, "%s", up.parent);
    }
    size_t i;
    json_t *x;
    json_array_foreach(anc, i, x)
    {
        size_t n = strlen(full);
        snprintf(full + n, sizeof full - n, "%s",
                 json_string_value(json_object_get(x, "name")));
    }
    size_t n = strlen(full);
    snprintf(full + n, sizeof full - n, "%s",
             json_string_value(json_object_get(self.obj, "name")));
    if (self.parent[0])
        json_object_set_new(self.obj, "parent", json_string(self.parent));
    else
        json_object_set_new(self.obj, "parent", json_null());
    json_object_set_new(self.obj, "full_name", json_string(full));
    json_object_set_new(self.obj, "ancestors", anc);
    *out = self.obj;
    return 0;
}

int app_region_cached(struct app *app, const char *code, struct arena *a,
                      const char **json, size_t *len, const char **etag,
                      struct err *e)
{
    if (check_code(code, e))
        return -1;
    rc_refresh(app);
    if (rc_get(app, code, a, json, len, etag))
        return 0;
    struct db *db = store_read(app->store, e);
    if (!db)
        return -1;
    json_t *obj = NULL;
    int rc = load_with_ancestors(db, code, &obj, e);
    store_read_done(app->store, db);
    if (rc)
        return -1;
    char *text = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!text)
        return err_set(e, ERR_INTERNAL, NULL, "内部错误");
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)text, strlen(text),
                       NULL, 0);
    char tag[24];
    snprintf(tag, sizeof tag, "\"%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x\"",
             h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9]);
    *len = strlen(text);
    *json = arena_strndup(a, text, *len);
    *etag = arena_strdup(a, tag);
    rc_put(app, code, text, *len, tag);
    free(text);
    return 0;
}

static int push_row(void *ctx, const struct region_row *row)
{
    json_array_append_new(ctx, row_json(row));
    return 0;
}

int app_region_children(struct app *app, const char *code, json_t **out,
                        struct err *e)
{
    int top = !code || strcmp(code, "000000000000") == 0;
    if (!top && check_code(code, e))
        return -1;
    struct db *db = store_read(app->store, e);
    if (!db)
        return -1;
    json_t *parent = json_null(), *kids = json_array();
    int rc;
    if (top) {
        rc = store_region_top(db, push_row, kids, e);
    } else {
        struct one self = {0};
        rc = store_region_get(db, code, take_one, &self, e);
        if (!rc) {
            parent = self.obj;
            rc = store_region_children(db, code, push_row, kids, e);
        }
    }
    store_read_done(app->store, db);
    if (rc) {
        json_decref(parent);
        json_decref(kids);
        return -1;
    }
    *out = json_pack("{s:o, s:I, s:o}", "parent", parent, "count",
                     (json_int_t)json_array_size(kids), "children", kids);
    return 0;
}

int app_region_search(struct app *app, const char *q, int level,
                      const char *within, int limit, json_t **out,
                      struct err *e)
{
    size_t n = q ? strlen(q) : 0;
    if (n == 0 || utf8_chars(q, n) > 32)
        return err_set(e, ERR_INVALID, "q", "查询词应为 1 到 32 个字符");
    if (level < 0 || level > 5)
        return err_set(e, ERR_INVALID, "level", "层级应为 1 到 5");
    char prefix[13] = "";
    if (within && *within) {
        int lv = code_level(within);
        if (!lv)
            return err_set(e, ERR_INVALID, "within",
                           "区划代码应为 12 位数字（如 341524000000）");
        snprintf(prefix, sizeof prefix, "%.*s", k_code_len[lv], within);
    }
    struct db *db = store_read(app->store, e);
    if (!db)
        return -1;
    json_t *items = json_array();
    int rc = store_region_search(db, q, level, prefix, limit, push_row, items,
                                 e);
    store_read_done(app->store, db);
    if (rc) {
        json_decref(items);
        return -1;
    }
    *out = json_pack("{s:s, s:I, s:o}", "q", q, "count",
                     (json_int_t)json_array_size(items), "items", items);
    return 0;
}

/* ---- import ----------------------------------------------------------- */

struct parse {
    struct arena *a;
    const char *path;
    long line;     /* current record number, 1 = header */
    int field;     /* index in the current record */
    int level;     /* from the header; 0 until known */
    int n_cols;
    char *cols[6];
    struct err *e;
    int failed;
    long placeholders; /* rows standing for their parent (all-zero segment) */
    /* rows collected */
    struct region_row *rows;
    long n_rows, cap_rows;
};

static const struct {
    const char *third; /* the header's third column */
    int level, cols;
} k_headers[] = {
    {NULL, 1, 2},          {"provinceCode", 2, 3}, {"cityCode", 3, 4},
    {"areaCode", 4, 5},    {"streetCode", 5, 6},
};

static int fail(struct parse *p, const char *fmt, const char *arg);

static void on_field(void *s, size_t len, void *data)
{
    struct parse *p = data;
    if (p->failed)
        return;
    if (s && memchr(s, '\0', len)) { /* C strings would cut the field */
        p->line++; /* counted when the record ends */
        fail(p, "含有 NUL 字符", NULL);
        return;
    }
    if (p->field < 6)
        p->cols[p->field] = arena_strndup(p->a, s ? s : "", s ? len : 0);
    p->field++;
}

static int fail(struct parse *p, const char *fmt, const char *arg)
{
    char field[64];
    snprintf(field, sizeof field, "%.40s:%ld", p->path, p->line);
    char msg[200];
    snprintf(msg, sizeof msg, fmt, arg ? arg : "");
    err_set(p->e, ERR_INVALID, field, "%s 第 %ld 行：%s", p->path, p->line,
            msg);
    p->failed = 1;
    return -1;
}

static void pad12(char out[13], const char *code)
{
    size_t n = strlen(code);
    if (n > 12)
        n = 12;
    memcpy(out, code, n);
    memset(out + n, '0', 12 - n);
    out[12] = '\0';
}

static void header_row(struct parse *p)
{
    const char *first = p->field > 0 ? p->cols[0] : "";
    /* A UTF-8 byte-order mark before the header is tolerated. */
    if (strncmp(first, "\xEF\xBB\xBF", 3) == 0)
        first += 3;
    if (p->field < 2 || strcmp(first, "code") != 0 ||
        strcmp(p->cols[1], "name") != 0) {
        fail(p, "表头应以 code,name 开头", NULL);
        return;
    }
    for (size_t i = 0; i < sizeof k_headers / sizeof k_headers[0]; i++) {
        int third_ok = k_headers[i].third
                           ? p->field >= 3 &&
                                 strcmp(p->cols[2], k_headers[i].third) == 0
                           : p->field == 2;
        if (third_ok && p->field == k_headers[i].cols) {
            p->level = k_headers[i].level;
            p->n_cols = k_headers[i].cols;
            return;
        }
    }
    fail(p, "无法识别的表头（应为统计用区划代码的省、市、县、乡、村文件之一）",
         NULL);
}

static void data_row(struct parse *p)
{
    if (p->field != p->n_cols) {
        fail(p, "列数不对", NULL);
        return;
    }
    const char *code = p->cols[0], *name = p->cols[1];
    size_t want = (size_t)k_code_len[p->level];
    size_t n = strlen(code);
    if (n != want && n != 12) {
        char buf[8];
        snprintf(buf, sizeof buf, "%zu", want);
        fail(p, "代码应为 %s 位数字", buf);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (code[i] < '0' || code[i] > '9') {
            fail(p, "代码含有非数字字符：%s", code);
            return;
        }
    char full[13];
    pad12(full, code);
    if (p->level > 1 && strspn(full + k_code_len[p->level - 1], "0") >=
                            (size_t)(k_code_len[p->level] -
                                     k_code_len[p->level - 1])) {
        /* A row whose own segment is all zeros stands for its parent: a city
         * without counties (东莞 4419, 中山 4420, 儋州 4604…) is listed again
         * at county level as CCCC00, 金门县 at township level as 350527000.
         * Same 12-digit code as the parent; the rows below hang under it. */
        p->placeholders++;
        return;
    }
    if (code_level(full) != p->level) {
        fail(p, "代码 %s 与文件的层级不符", code);
        return;
    }
    size_t nl = strlen(name);
    if (nl == 0 || !utf8_valid(name, nl) || utf8_chars(name, nl) > 64 ||
        utf8_has_control(name, nl)) {
        fail(p, "名称应为 1 到 64 个字符的有效文本", NULL);
        return;
    }
    char parent[13] = "";
    if (p->level > 1) {
        const char *pc = p->cols[2];
        size_t pn = strlen(pc);
        size_t pwant = (size_t)k_code_len[p->level - 1];
        if ((pn != pwant && pn != 12) || strspn(pc, "0123456789") != pn) {
            fail(p, "上级代码格式错误：%s", pc);
            return;
        }
        pad12(parent, pc);
        int plevel = code_level(parent);
        if (strncmp(parent, full, pwant) != 0 || plevel < 1 ||
            plevel >= p->level) {
            fail(p, "代码 %s 不在其上级代码之下", code);
            return;
        }
    }
    if (p->n_rows == p->cap_rows) {
        long cap = p->cap_rows ? p->cap_rows * 2 : 4096;
        struct region_row *nr = realloc(p->rows, (size_t)cap * sizeof *nr);
        if (!nr) {
            fail(p, "内存不足", NULL);
            return;
        }
        p->rows = nr;
        p->cap_rows = cap;
    }
    struct region_row *r = &p->rows[p->n_rows++];
    r->code = arena_strdup(p->a, full);
    r->name = name;
    r->level = p->level;
    r->parent = p->level > 1 ? arena_strdup(p->a, parent) : NULL;
}

static void on_record(int c, void *data)
{
    struct parse *p = data;
    if (p->failed)
        return;
    p->line++;
    if (p->line == 1)
        header_row(p);
    else
        data_row(p);
    p->field = 0;
    memset(p->cols, 0, sizeof p->cols);
}

/* The CSV reader of one file, fed in chunks: parse_begin, parse_feed for
 * each chunk, parse_end. The file path and app_regions_parse_buffer (the
 * fuzz target's entry) share it. */
static void parse_begin(struct csv_parser *cp)
{
    csv_init(cp, CSV_STRICT | CSV_APPEND_NULL | CSV_STRICT_FINI);
}

static void parse_feed(struct parse *p, struct csv_parser *cp, const char *buf,
                       size_t n)
{
    if (!p->failed && csv_parse(cp, buf, n, on_field, on_record, p) != n &&
        !p->failed) {
        p->line++;
        fail(p, "CSV 格式错误：%s", csv_strerror(csv_error(cp)));
    }
}

static int parse_end(struct parse *p, struct csv_parser *cp)
{
    if (!p->failed && csv_fini(cp, on_field, on_record, p) != 0) {
        p->line++;
        fail(p, "CSV 格式错误：%s", csv_strerror(csv_error(cp)));
    }
    csv_free(cp);
    if (!p->failed && p->line == 0) {
        p->line = 1;
        fail(p, "文件为空", NULL);
    }
    return p->failed ? -1 : 0;
}

static int parse_file(struct parse *p, struct err *e)
{
    FILE *f = fopen(p->path, "rb");
    if (!f)
        return err_set(e, ERR_INVALID, "file", "无法打开文件 %s：%s", p->path,
                       strerror(errno));
    struct csv_parser cp;
    parse_begin(&cp);
    char buf[1 << 16];
    size_t n;
    while (!p->failed && (n = fread(buf, 1, sizeof buf, f)) > 0)
        parse_feed(p, &cp, buf, n);
    fclose(f);
    return parse_end(p, &cp);
}

int app_regions_parse_buffer(const char *name, const char *data, size_t n,
                             long *rows, long *placeholders, struct err *e)
{
    struct arena *a = arena_new();
    struct parse p = {.a = a, .path = name ? name : "", .e = e};
    struct csv_parser cp;
    parse_begin(&cp);
    parse_feed(&p, &cp, data ? data : "", data ? n : 0);
    int rc = parse_end(&p, &cp);
    if (rows)
        *rows = p.n_rows;
    if (placeholders)
        *placeholders = p.placeholders;
    free(p.rows);
    arena_free(a);
    return rc;
}

/* Open-addressing set of 12-digit codes, for parent checks. */
struct codeset {
    const char **slots;
    size_t cap;
};

static int codeset_add(struct codeset *s, const char *code)
{
    size_t mask = s->cap - 1;
    for (size_t i = rc_hash(code) & mask;; i = (i + 1) & mask) {
        if (!s->slots[i]) {
            s->slots[i] = code;
            return 1;
        }
        if (strcmp(s->slots[i], code) == 0)
            return 0;
    }
}

static int codeset_has(const struct codeset *s, const char *code)
{
    size_t mask = s->cap - 1;
    for (size_t i = rc_hash(code) & mask; s->slots[i]; i = (i + 1) & mask)
        if (strcmp(s->slots[i], code) == 0)
            return 1;
    return 0;
}

/* Codes from the database, in a set that grows as they come. */
struct known_ctx {
    struct codeset *set;
    struct arena *a;
    size_t used;
    int failed;
};

static int known_add(void *ctx, const char *code)
{
    struct known_ctx *k = ctx;
    struct codeset *s = k->set;
    if ((k->used + 1) * 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        const char **slots = calloc(cap, sizeof *slots);
        if (!slots) {
            k->failed = 1;
            return 1;
        }
        struct codeset grown = {.slots = slots, .cap = cap};
        for (size_t i = 0; i < s->cap; i++)
            if (s->slots[i])
                codeset_add(&grown, s->slots[i]);
        free(s->slots);
        *s = grown;
    }
    k->used += codeset_add(s, arena_strdup(k->a, code));
    return 0;
}

struct import_unit {
    struct region_row *rows;
    long n;
    int64_t written;
};


static int import_unit(struct db *db, void *arg, struct err *e)
{
    struct import_unit *u = arg;
    int64_t now = store_now_ms();
    if (store_region_upsert(db, u->rows, (int)u->n, now, &u->written, e))
        return -1;
    char rev[32];
    snprintf(rev, sizeof rev, "%lld", (long long)now);
    if (u->written && store_meta_set(db, "regions_rev", rev, e))
        return -1;
    /* Imports run from the command line only: a system-wide row. */
    struct audit_entry en = {0};
    audit_entry_actor(&en, NULL);
    en.action = "regions.import";
    en.outcome = "ok";
    json_t *detail = json_pack("{s:I, s:I}", "rows", (json_int_t)u->n,
                               "written", (json_int_t)u->written);
    en.detail = detail;
    int rc = app_audit_unit_record(db, &en, e);
    json_decref(detail);
    return rc;
}

/* By code. A parent's code always sorts before its children's (it is their
 * prefix padded with zeros), so the foreign key holds row by row, and the
 * primary-key B-tree is filled by appending. */
static int by_code(const void *x, const void *y)
{
    const struct region_row *a = x, *b = y;
    return strcmp(a->code, b->code);
}

int app_regions_import(struct app *app, const char *const *paths, int n_paths,
                       struct region_import_report *rep, struct err *e)
{
    memset(rep, 0, sizeof *rep);
    struct arena *a = arena_new();
    struct region_row *all = NULL;
    long n_all = 0;
    int rc = -1;
    struct codeset set = {0}, known = {0};

    for (int i = 0; i < n_paths; i++) {
        struct parse p = {.a = a, .path = paths[i], .e = e};
        if (parse_file(&p, e)) {
            free(p.rows);
            goto out;
        }
        struct region_row *grown =
            realloc(all, (size_t)(n_all + p.n_rows + 1) * sizeof *all);
        if (!grown) {
            free(p.rows);
            err_set(e, ERR_INTERNAL, NULL, "内存不足");
            goto out;
        }
        all = grown;
        if (p.n_rows)
            memcpy(all + n_all, p.rows, (size_t)p.n_rows * sizeof *all);
        n_all += p.n_rows;
        rep->placeholders += p.placeholders;
        free(p.rows);
        rep->files++;
    }
    if (n_all == 0) {
        err_set(e, ERR_INVALID, "file", "文件中没有数据行");
        goto out;
    }
    qsort(all, (size_t)n_all, sizeof *all, by_code);
    set.cap = 1;
    while (set.cap < (size_t)n_all * 2)
        set.cap <<= 1;
    set.slots = calloc(set.cap, sizeof *set.slots);
    if (!set.slots) {
        err_set(e, ERR_INTERNAL, NULL, "内存不足");
        goto out;
    }
    for (long i = 0; i < n_all; i++)
        if (!codeset_add(&set, all[i].code)) {
            err_set(e, ERR_INVALID, all[i].code, "代码 %s 在导入文件中重复",
                    all[i].code);
            goto out;
        }
    /* Parents not in the import must already be in the database: load the
     * codes of each level such parents are at, once, instead of one look-up
     * per parent (41,000 townships for a national village file). */
    int need_level[6] = {0};
    for (long i = 0; i < n_all; i++)
        if (all[i].parent && !codeset_has(&set, all[i].parent))
            need_level[code_level(all[i].parent)] = 1;
    struct db *db = store_read(app->store, e);
    if (!db)
        goto out;
    struct known_ctx kc = {.set = &known, .a = a};
    for (int lv = 1; lv <= 4; lv++) {
        if (need_level[lv] &&
            (store_region_codes_at(db, lv, known_add, &kc, e) || kc.failed)) {
            store_read_done(app->store, db);
            if (kc.failed)
                err_set(e, ERR_INTERNAL, NULL, "内存不足");
            goto out;
        }
    }
    store_read_done(app->store, db);
    for (long i = 0; i < n_all; i++) {
        const char *par = all[i].parent;
        if (!par || codeset_has(&set, par) ||
            (known.cap && codeset_has(&known, par)))
            continue;
        err_set(e, ERR_INVALID, all[i].code,
                "区划 %s（%s）的上级 %s 既不在导入文件中也不在数据库中",
                all[i].code, all[i].name, par);
        goto out;
    }

    struct import_unit u = {.rows = all, .n = n_all};
    if (store_write(app->store, import_unit, &u, e))
        goto out;
    rep->rows = n_all;
    rep->written = u.written;
    for (long i = 0; i < n_all; i++)
        rep->per_level[all[i].level]++;
    rc = 0;
out:
    free(set.slots);
    free(known.slots);
    free(all);
    arena_free(a);
    return rc;
}
