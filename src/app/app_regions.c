/* app_regions.c — administrative divisions: cached look-ups, children,
 * search, and the all-or-nothing CSV import. See app_regions.h. */
#include "app_regions.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../core/utf8.h"
#include "../store/regions.h"
#include "audit.h"
#include "internal.h"
#include "log.h"

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
        free(a->rc_slots[i].name);
        a->rc_slots[i].json = NULL;
        a->rc_slots[i].name = NULL;
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

/* rc_get — copy what the caller asks for (json/len/etag, or level/name:
 * each pointer may be NULL) of the cached answer for code into ar. */
static int rc_get(struct app *a, const char *code, struct arena *ar,
                  const char **json, size_t *len, const char **etag,
                  int *level, const char **name)
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
                if (json) {
                    *json = arena_strndup(ar, s->json, s->len);
                    *len = s->len;
                    *etag = arena_strdup(ar, s->etag);
                }
                if (level) {
                    *level = s->level;
                    *name = arena_strdup(ar, s->name);
                }
                hit = 1;
                break;
            }
        }
    }
    pthread_rwlock_unlock(&a->rc_lock);
    return hit;
}

static void rc_put(struct app *a, const char *code, const char *json,
                   size_t len, const char *etag, int level, const char *name)
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
                s->name = strdup(name);
                if (!s->json || !s->name) {
                    free(s->json);
                    free(s->name);
                    s->json = s->name = NULL;
                    break;
                }
                memcpy(s->json, json, len + 1);
                s->level = level;
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
    if (rc_get(app, code, a, json, len, etag, NULL, NULL))
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
    int level = (int)json_integer_value(json_object_get(obj, "level"));
    char *name = strdup(json_string_value(json_object_get(obj, "name")));
    json_decref(obj);
    if (!text || !name) {
        free(text);
        free(name);
        return err_set(e, ERR_INTERNAL, NULL, "内部错误");
    }
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)text, strlen(text),
                       NULL, 0);
    char tag[24];
    snprintf(tag, sizeof tag, "\"%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x\"",
             h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9]);
    *len = strlen(text);
    *json = arena_strndup(a, text, *len);
    *etag = arena_strdup(a, tag);
    rc_put(app, code, text, *len, tag, level, name);
    free(text);
    free(name);
    return 0;
}

int app_region_level(struct app *app, const char *code, struct arena *a,
                     int *level, const char **name, struct err *e)
{
    if (check_code(code, e))
        return -1;
    rc_refresh(app);
    /* A miss loads and caches the region; a regions import may empty the
     * cache in between, hence a second try. */
    for (int attempt = 0; attempt < 3; attempt++) {
        if (rc_get(app, code, a, NULL, NULL, NULL, level, name))
            return 0;
        const char *json, *etag;
        size_t len;
        if (app_region_cached(app, code, a, &json, &len, &etag, e))
            return -1;
    }
    return err_set(e, ERR_INTERNAL, NULL, "内存不足"); /* could not cache */
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

/* ---- import -----------------------------------------------------------
 *
 * Speed matters here (issue #12: 620,000 villages well under a minute, and
 * within 1.5× of the sqlite3 shell's plain `.import` of the same file), so
 * the path is: each file is read whole into one buffer and scanned in place
 * (fields are cut with NUL bytes, quoted fields unescaped where they are; no
 * allocation per row); every row is checked as it is read into a 32-byte
 * record; the records are sorted by code (a no-op check for files in code
 * order), which puts duplicates side by side; then one write unit, alone in
 * its transaction, reads the existing rows of the levels concerned, checks
 * every parent against the import and the database, and inserts the new
 * rows in code order and updates the changed ones (an unchanged row is not
 * written). The parents being checked in that same transaction, SQLite's
 * per-row foreign-key look-up would only repeat the check: the unit runs
 * with it off (store_write_bulk); the key stays declared. */

/* One row to import. The parent's code is the row's own code cut to the
 * parent level's length and padded with zeros (the parent column must be a
 * prefix of the code), so only the parent's level is kept. */
struct imp_row {
    char code[13];               /* 12 digits */
    unsigned char level, plevel; /* plevel 0: a province, no parent */
    unsigned char op;            /* IMP_* once compared with the database */
    unsigned short file;         /* index into the paths */
    int line;
    const char *name; /* into the file's buffer */
};

enum { IMP_SAME = 0, IMP_NEW, IMP_CHANGED };

struct parse {
    const char *path;
    int file;
    long line; /* line of the current record (1 = header) */
    int level; /* from the header; 0 until known */
    int n_cols;
    struct err *e;
    int failed;
    long placeholders; /* rows standing for their parent (all-zero segment) */
    struct imp_row *rows;
    long n_rows, cap_rows;
};

static const struct {
    const char *third; /* the header's third column */
    int level, cols;
} k_headers[] = {
    {NULL, 1, 2},       {"provinceCode", 2, 3}, {"cityCode", 3, 4},
    {"areaCode", 4, 5}, {"streetCode", 5, 6},
};

/* The error of a row: field "FILE:LINE", message with both and the reason. */
static int fail_at(struct err *e, const char *path, long line,
                   const char *reason)
{
    char field[64];
    snprintf(field, sizeof field, "%.40s:%ld", path, line);
    return err_set(e, ERR_INVALID, field, "%s 第 %ld 行：%s", path, line,
                   reason);
}

static int fail(struct parse *p, const char *fmt, const char *arg)
{
    char msg[200];
    snprintf(msg, sizeof msg, fmt, arg ? arg : "");
    p->failed = 1;
    return fail_at(p->e, p->path, p->line, msg);
}

/* ---- the CSV scanner: RFC 4180 in place, as strict as libcsv's
 * CSV_STRICT mode was (a quote inside an unquoted field, text after a
 * closing quote and an unclosed quote are errors; blanks around fields are
 * dropped; CR, LF and CRLF end a record; empty lines are skipped). A NUL
 * byte is refused: C strings would cut the field there. */

#define REC_MAX 8
struct rec {
    char *f[REC_MAX];
    size_t len[REC_MAX];
    int n; /* fields seen, may exceed REC_MAX */
};

enum { K_TEXT = 0, K_COMMA, K_QUOTE, K_CR, K_LF, K_NUL, K_BLANK };
static const unsigned char k_class[256] = {
    [','] = K_COMMA, ['"'] = K_QUOTE, ['\r'] = K_CR,    ['\n'] = K_LF,
    [0] = K_NUL,     [' '] = K_BLANK, ['\t'] = K_BLANK,
};

struct scan {
    char *p, *end; /* *end == '\0' */
    long line;     /* line of p */
};

/* 1 with the next record in r (and *first = its first line), 0 at the end
 * of the data, -1 with the reason in *why. */
static int scan_record(struct scan *s, struct rec *r, long *first,
                       const char **why)
{
    char *p = s->p, *end = s->end;
    while (p < end && (*p == '\n' || *p == '\r')) { /* empty lines */
        if (*p == '\r' && p + 1 < end && p[1] == '\n')
            p++;
        p++;
        s->line++;
    }
    if (p == end) {
        s->p = p;
        return 0;
    }
    *first = s->line;
    r->n = 0;
    for (;;) {
        char *f, *w;
        while (p < end && k_class[(unsigned char)*p] == K_BLANK)
            p++;
        if (p < end && *p == '"') {
            f = w = ++p;
            long opened = s->line;
            for (;;) {
                if (p == end) {
                    *why = "引号未闭合";
                    s->line = opened; /* name the line the quote opened on */
                    goto bad;
                }
                char c = *p;
                if (c == '"') {
                    if (p + 1 < end && p[1] == '"') {
                        *w++ = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                if (c == '\0') {
                    *why = NULL;
                    goto bad;
                }
                if (c == '\n' || (c == '\r' && !(p + 1 < end && p[1] == '\n')))
                    s->line++;
                *w++ = c;
                p++;
            }
            while (p < end && k_class[(unsigned char)*p] == K_BLANK)
                p++;
            if (p < end && *p != ',' && *p != '\r' && *p != '\n') {
                *why = *p ? "闭合引号后还有字符" : NULL;
                goto bad;
            }
        } else {
            f = p;
            unsigned char k;
            while ((k = k_class[(unsigned char)*p]) == K_TEXT || k == K_BLANK)
                p++;
            if (k == K_QUOTE) {
                *why = "未加引号的字段中有引号";
                goto bad;
            }
            if (k == K_NUL && p < end) {
                *why = NULL;
                goto bad;
            }
            w = p;
            while (w > f && k_class[(unsigned char)w[-1]] == K_BLANK)
                w--;
        }
        char term = p < end ? *p : '\n'; /* before w's NUL may cover it */
        if (r->n < REC_MAX) {
            r->f[r->n] = f;
            r->len[r->n] = (size_t)(w - f);
        }
        r->n++;
        *w = '\0';
        if (term == ',') {
            p++;
            continue;
        }
        if (p < end) {
            if (term == '\r' && p + 1 < end && p[1] == '\n')
                p++;
            p++;
            s->line++;
        }
        s->p = p;
        return 1;
    }
bad:
    s->p = p;
    return -1;
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)(s[i] - '0') > 9)
            return 0;
    return 1;
}

static void header_row(struct parse *p, struct rec *r)
{
    const char *first = r->f[0];
    /* A UTF-8 byte-order mark before the header is tolerated. */
    if (strncmp(first, "\xEF\xBB\xBF", 3) == 0)
        first += 3;
    if (r->n < 2 || strcmp(first, "code") != 0 ||
        strcmp(r->f[1], "name") != 0) {
        fail(p, "表头应以 code,name 开头", NULL);
        return;
    }
    for (size_t i = 0; i < sizeof k_headers / sizeof k_headers[0]; i++) {
        int third_ok =
            k_headers[i].third
                ? r->n >= 3 && strcmp(r->f[2], k_headers[i].third) == 0
                : r->n == 2;
        if (third_ok && r->n == k_headers[i].cols) {
            p->level = k_headers[i].level;
            p->n_cols = k_headers[i].cols;
            return;
        }
    }
    fail(p, "无法识别的表头（应为统计用区划代码的省、市、县、乡、村文件之一）",
         NULL);
}

static void data_row(struct parse *p, struct rec *r)
{
    if (r->n != p->n_cols) {
        fail(p, "列数不对", NULL);
        return;
    }
    const char *code = r->f[0], *name = r->f[1];
    size_t n = r->len[0];
    size_t want = (size_t)k_code_len[p->level];
    if (n != want && n != 12) {
        char buf[8];
        snprintf(buf, sizeof buf, "%zu", want);
        fail(p, "代码应为 %s 位数字", buf);
        return;
    }
    if (!all_digits(code, n)) {
        fail(p, "代码含有非数字字符：%s", code);
        return;
    }
    char full[13];
    memcpy(full, code, n);
    memset(full + n, '0', 12 - n);
    full[12] = '\0';
    int own = k_code_len[p->level - 1 > 0 ? p->level - 1 : 0];
    if (p->level > 1 &&
        strspn(full + own, "0") >= (size_t)(k_code_len[p->level] - own)) {
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
    size_t nl = r->len[1];
    if (nl == 0 || !utf8_valid(name, nl) || utf8_chars(name, nl) > 64 ||
        utf8_has_control(name, nl)) {
        fail(p, "名称应为 1 到 64 个字符的有效文本", NULL);
        return;
    }
    int plevel = 0;
    if (p->level > 1) {
        const char *pc = r->f[2];
        size_t pn = r->len[2];
        size_t pwant = (size_t)k_code_len[p->level - 1];
        if ((pn != pwant && pn != 12) || !all_digits(pc, pn)) {
            fail(p, "上级代码格式错误：%s", pc);
            return;
        }
        char parent[13];
        memcpy(parent, pc, pn);
        memset(parent + pn, '0', 12 - pn);
        parent[12] = '\0';
        plevel = code_level(parent);
        if (memcmp(parent, full, pwant) != 0 || plevel < 1 ||
            plevel >= p->level) {
            fail(p, "代码 %s 不在其上级代码之下", code);
            return;
        }
    }
    if (p->n_rows == p->cap_rows) {
        long cap = p->cap_rows ? p->cap_rows * 2 : 4096;
        struct imp_row *nr = realloc(p->rows, (size_t)cap * sizeof *nr);
        if (!nr) {
            fail(p, "内存不足", NULL);
            return;
        }
        p->rows = nr;
        p->cap_rows = cap;
    }
    struct imp_row *row = &p->rows[p->n_rows++];
    memcpy(row->code, full, 13);
    row->level = (unsigned char)p->level;
    row->plevel = (unsigned char)plevel;
    row->op = IMP_SAME;
    row->file = (unsigned short)p->file;
    row->line = (int)p->line;
    row->name = name;
}

/* Scan and check one file's bytes: buf[n] must be '\0'; buf is cut up in
 * place and must outlive the rows (their names point into it). Rows are
 * appended to p->rows. The file import and app_regions_parse_buffer (the
 * fuzz target's entry) share it. */
static int parse_data(struct parse *p, char *buf, size_t n)
{
    struct scan s = {.p = buf, .end = buf + n, .line = 1};
    struct rec r;
    long records = 0;
    for (;;) {
        const char *why = NULL;
        int rc = scan_record(&s, &r, &p->line, &why);
        if (rc == 0)
            break;
        if (rc < 0) {
            p->line = s.line;
            if (why)
                return fail(p, "CSV 格式错误：%s", why);
            return fail(p, "含有 NUL 字符", NULL);
        }
        if (records++ == 0)
            header_row(p, &r);
        else
            data_row(p, &r);
        if (p->failed)
            return -1;
    }
    if (records == 0) {
        p->line = 1;
        return fail(p, "文件为空", NULL);
    }
    return 0;
}

#define IMPORT_FILE_MAX ((size_t)1 << 30)

/* The whole file in one buffer, with a NUL after its last byte. */
static char *read_file(const char *path, size_t *len, struct err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        err_set(e, ERR_INVALID, "file", "无法打开文件 %s：%s", path,
                strerror(errno));
        return NULL;
    }
    size_t cap = (size_t)1 << 20, n = 0;
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
        (size_t)st.st_size < IMPORT_FILE_MAX)
        cap = (size_t)st.st_size + 2; /* +1 for the NUL, +1 to see EOF */
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            err_set(e, ERR_INTERNAL, NULL, "内存不足");
            break;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (n < cap - 1) { /* end of file, or an error */
            if (ferror(f)) {
                err_set(e, ERR_INVALID, "file", "无法读取文件 %s：%s", path,
                        strerror(errno));
                break;
            }
            fclose(f);
            buf[n] = '\0';
            *len = n;
            return buf;
        }
        if (cap > IMPORT_FILE_MAX) {
            err_set(e, ERR_INVALID, "file", "文件 %s 过大（超过 1 GiB）", path);
            break;
        }
        char *grown = realloc(buf, cap * 2);
        if (!grown)
            free(buf);
        buf = grown;
        cap *= 2;
    }
    free(buf);
    fclose(f);
    return NULL;
}

int app_regions_parse_buffer(const char *name, const char *data, size_t n,
                             long *rows, long *placeholders, struct err *e)
{
    char *buf = malloc(n + 1);
    if (!buf)
        return err_set(e, ERR_INTERNAL, NULL, "内存不足");
    if (n)
        memcpy(buf, data, n);
    buf[n] = '\0';
    struct parse p = {.path = name ? name : "", .e = e};
    int rc = parse_data(&p, buf, n);
    if (rows)
        *rows = p.n_rows;
    if (placeholders)
        *placeholders = p.placeholders;
    free(p.rows);
    free(buf);
    return rc;
}

/* ---- the write unit --------------------------------------------------- */

/* A row already in the database. */
struct ex_row {
    char code[13];
    const char *name, *parent; /* parent NULL for a province */
};

struct import_unit {
    const char *const *paths;
    struct imp_row *rows; /* sorted by code, no duplicates */
    long n;
    int lo, hi; /* levels of the rows and of their parents */
    struct arena *a;
    struct ex_row *ex; /* existing rows of levels lo..hi, by code */
    long n_ex, cap_ex;
    int failed;
    int64_t inserted, updated;
};

static int ex_add(void *ctx, const struct region_row *row)
{
    struct import_unit *u = ctx;
    if (u->n_ex == u->cap_ex) {
        long cap = u->cap_ex ? u->cap_ex * 2 : 4096;
        struct ex_row *g = realloc(u->ex, (size_t)cap * sizeof *g);
        if (!g) {
            u->failed = 1;
            return 1;
        }
        u->ex = g;
        u->cap_ex = cap;
    }
    struct ex_row *x = &u->ex[u->n_ex++];
    snprintf(x->code, sizeof x->code, "%s", row->code ? row->code : "");
    x->name = arena_strdup(u->a, row->name ? row->name : "");
    x->parent = row->parent ? arena_strdup(u->a, row->parent) : NULL;
    return 0;
}

static int by_ex_code(const void *x, const void *y)
{
    return strcmp(((const struct ex_row *)x)->code,
                  ((const struct ex_row *)y)->code);
}

static int imp_has(const struct imp_row *rows, long n, const char *code)
{
    long lo = 0, hi = n;
    while (lo < hi) {
        long mid = lo + (hi - lo) / 2;
        int c = memcmp(rows[mid].code, code, 12);
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int ex_has(const struct ex_row *rows, long n, const char *code)
{
    long lo = 0, hi = n;
    while (lo < hi) {
        long mid = lo + (hi - lo) / 2;
        int c = memcmp(rows[mid].code, code, 12);
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static void parent_code(char out[13], const struct imp_row *r)
{
    size_t k = (size_t)k_code_len[r->plevel];
    memcpy(out, r->code, k);
    memset(out + k, '0', 12 - k);
    out[12] = '\0';
}

#define WRITE_CHUNK 4096

/* Write the rows marked `op` (IMP_NEW: INSERT, IMP_CHANGED: UPDATE) in code
 * order, WRITE_CHUNK at a time. */
static int write_rows(struct db *db, struct import_unit *u, int op, int64_t now,
                      struct err *e)
{
    struct region_row *batch = malloc(WRITE_CHUNK * sizeof *batch);
    char(*parents)[13] = malloc(WRITE_CHUNK * sizeof *parents);
    int k = 0, rc = 0;
    if (!batch || !parents) {
        rc = err_set(e, ERR_INTERNAL, NULL, "内存不足");
        goto out;
    }
    for (long i = 0; i <= u->n; i++) {
        if (i < u->n && u->rows[i].op == op) {
            const struct imp_row *r = &u->rows[i];
            struct region_row *b = &batch[k];
            b->code = r->code;
            b->name = r->name;
            b->level = r->level;
            b->parent = NULL;
            if (r->plevel) {
                parent_code(parents[k], r);
                b->parent = parents[k];
            }
            k++;
        }
        if (k == WRITE_CHUNK || (i == u->n && k > 0)) {
            rc = op == IMP_NEW ? store_region_insert(db, batch, k, now, e)
                               : store_region_update(db, batch, k, now, e);
            if (rc)
                goto out;
            k = 0;
        }
    }
out:
    free(batch);
    free(parents);
    return rc;
}

/* A row already in the database, for rebuild_rows. */
struct old_row {
    const char *code, *name, *parent; /* parent NULL for a province */
    int level;
    int64_t at;
};

struct old_rows {
    struct old_row *v;
    long n, cap;
    struct arena *a;
    int failed;
};

static int old_add(void *ctx, const struct region_row *row, int64_t at)
{
    struct old_rows *o = ctx;
    if (o->n == o->cap) {
        long cap = o->cap ? o->cap * 2 : 4096;
        struct old_row *g = realloc(o->v, (size_t)cap * sizeof *g);
        if (!g) {
            o->failed = 1;
            return 1;
        }
        o->v = g;
        o->cap = cap;
    }
    struct old_row *x = &o->v[o->n++];
    x->code = arena_strdup(o->a, row->code ? row->code : "");
    x->name = arena_strdup(o->a, row->name ? row->name : "");
    x->parent = row->parent ? arena_strdup(o->a, row->parent) : NULL;
    x->level = row->level;
    x->at = at;
    return 0;
}

/* SQLite only, foreign keys off (store_write_bulk), many new rows and few
 * stored ones: write the whole table again in code order. New village codes
 * fall between the stored township codes, so inserting them searches each
 * B-tree from its root for every row; emptying the table and appending the
 * merged rows (stored ones unchanged, with their own updated_at) does not,
 * and costs about a third less. All inside the unit's transaction. */
static int rebuild_rows(struct db *db, struct import_unit *u, int64_t now,
                        struct err *e)
{
    struct old_rows o = {.a = u->a};
    struct region_row *batch = malloc(WRITE_CHUNK * sizeof *batch);
    int64_t *at = malloc(WRITE_CHUNK * sizeof *at);
    char(*parents)[13] = malloc(WRITE_CHUNK * sizeof *parents);
    int rc = -1;
    if (!batch || !at || !parents) {
        err_set(e, ERR_INTERNAL, NULL, "内存不足");
        goto out;
    }
    if (store_region_scan_all(db, old_add, &o, e))
        goto out;
    if (o.failed) {
        err_set(e, ERR_INTERNAL, NULL, "内存不足");
        goto out;
    }
    if (store_region_clear(db, e))
        goto out;
    long i = 0, j = 0;
    int k = 0;
    while (i < u->n || j < o.n) {
        int c = i == u->n  ? 1
                : j == o.n ? -1
                           : strcmp(u->rows[i].code, o.v[j].code);
        struct region_row *b = &batch[k];
        if (c < 0 || (c == 0 && u->rows[i].op != IMP_SAME)) {
            const struct imp_row *r = &u->rows[i];
            b->code = r->code;
            b->name = r->name;
            b->level = r->level;
            b->parent = NULL;
            if (r->plevel) {
                parent_code(parents[k], r);
                b->parent = parents[k];
            }
            at[k] = now;
            i++;
            j += c == 0;
        } else {
            const struct old_row *x = &o.v[j];
            b->code = x->code;
            b->name = x->name;
            b->level = x->level;
            b->parent = x->parent;
            at[k] = x->at;
            j++;
            i += c == 0;
        }
        if (++k == WRITE_CHUNK || (i == u->n && j == o.n)) {
            if (store_region_insert_at(db, batch, at, k, e))
                goto out;
            k = 0;
        }
    }
    rc = 0;
out:
    free(batch);
    free(at);
    free(parents);
    free(o.v);
    return rc;
}

static int import_unit(struct db *db, void *arg, struct err *e)
{
    struct import_unit *u = arg;
    u->n_ex = 0;
    u->inserted = u->updated = 0;
    /* What the database holds at the levels concerned, read inside this
     * transaction: the parents to check against and the rows to compare. */
    if (store_region_scan(db, u->lo, u->hi, ex_add, u, e))
        return -1;
    if (u->failed)
        return err_set(e, ERR_INTERNAL, NULL, "内存不足");
    int sorted = 1;
    for (long j = 1; j < u->n_ex && sorted; j++)
        sorted = strcmp(u->ex[j - 1].code, u->ex[j].code) < 0;
    if (!sorted)
        qsort(u->ex, (size_t)u->n_ex, sizeof *u->ex, by_ex_code);

    char last_ok[13] = "", par[13];
    long j = 0;
    for (long i = 0; i < u->n; i++) {
        struct imp_row *r = &u->rows[i];
        if (r->plevel) {
            parent_code(par, r);
            if (memcmp(par, last_ok, 12) != 0) {
                if (!imp_has(u->rows, u->n, par) &&
                    !ex_has(u->ex, u->n_ex, par)) {
                    char msg[200];
                    snprintf(msg, sizeof msg,
                             "区划 %s（%.60s）的上级 %s "
                             "既不在导入文件中也不在数据库中",
                             r->code, r->name, par);
                    return fail_at(e, u->paths[r->file], r->line, msg);
                }
                memcpy(last_ok, par, 13);
            }
        }
        while (j < u->n_ex && memcmp(u->ex[j].code, r->code, 12) < 0)
            j++;
        if (j < u->n_ex && memcmp(u->ex[j].code, r->code, 12) == 0) {
            const struct ex_row *x = &u->ex[j];
            int same_parent = r->plevel
                                  ? x->parent && strcmp(x->parent, par) == 0
                                  : x->parent == NULL;
            r->op = strcmp(x->name, r->name) == 0 && same_parent ? IMP_SAME
                                                                 : IMP_CHANGED;
        } else {
            r->op = IMP_NEW;
        }
        u->inserted += r->op == IMP_NEW;
        u->updated += r->op == IMP_CHANGED;
    }

    int64_t now = store_now_ms();
    /* At least twice as many new rows as stored ones: rebuild (SQLite, whose
     * bulk unit runs with foreign keys off; the stored rows of levels lo..hi
     * are a lower bound, so most imports skip the count). */
    int64_t stored = 0;
    int rebuild = db_dialect(db) == DB_SQLITE && u->inserted > 0 &&
                  u->n_ex * 2 <= u->inserted;
    if (rebuild && store_region_count(db, &stored, e))
        return -1;
    if (rebuild && stored * 2 <= u->inserted) {
        if (rebuild_rows(db, u, now, e))
            return -1;
    } else if (write_rows(db, u, IMP_NEW, now, e) ||
               write_rows(db, u, IMP_CHANGED, now, e)) {
        return -1;
    }
    int64_t written = u->inserted + u->updated;
    char rev[32];
    snprintf(rev, sizeof rev, "%lld", (long long)now);
    if (written && store_meta_set(db, "regions_rev", rev, e))
        return -1;
    /* Imports run from the command line only: a system-wide row. */
    struct audit_entry en = {0};
    audit_entry_actor(&en, NULL);
    en.action = "regions.import";
    en.outcome = "ok";
    json_t *detail =
        json_pack("{s:I, s:I, s:I, s:I}", "rows", (json_int_t)u->n, "written",
                  (json_int_t)written, "inserted", (json_int_t)u->inserted,
                  "updated", (json_int_t)u->updated);
    en.detail = detail;
    int rc = app_audit_unit_record(db, &en, e);
    json_decref(detail);
    return rc;
}

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* By code, then by file and line (so a duplicate is reported where it
 * appears the second time). A parent's code always sorts before its
 * children's (it is their prefix padded with zeros), and the primary-key
 * B-tree is filled by appending. */
static int by_code(const void *x, const void *y)
{
    const struct imp_row *a = x, *b = y;
    int c = memcmp(a->code, b->code, 12);
    if (c)
        return c;
    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    return (a->line > b->line) - (a->line < b->line);
}

int app_regions_import(struct app *app, const char *const *paths, int n_paths,
                       struct region_import_report *rep, struct err *e)
{
    memset(rep, 0, sizeof *rep);
    int64_t t0 = mono_us(), t_read = 0, t_parsed = 0;
    if (n_paths > 65535)
        return err_set(e, ERR_INVALID, "file", "一次最多导入 65535 个文件");
    char **bufs = calloc((size_t)(n_paths > 0 ? n_paths : 1), sizeof *bufs);
    struct import_unit u = {.paths = paths, .a = arena_new()};
    struct parse p = {.e = e};
    int rc = -1;
    if (!bufs) {
        err_set(e, ERR_INTERNAL, NULL, "内存不足");
        goto out;
    }
    for (int i = 0; i < n_paths; i++) {
        size_t n;
        int64_t tr = mono_us();
        bufs[i] = read_file(paths[i], &n, e);
        t_read += mono_us() - tr;
        if (!bufs[i])
            goto out;
        p.path = paths[i];
        p.file = i;
        p.level = p.n_cols = 0;
        if (parse_data(&p, bufs[i], n))
            goto out;
        rep->files++;
    }
    rep->placeholders = p.placeholders;
    u.rows = p.rows;
    u.n = p.n_rows;
    if (u.n == 0) {
        err_set(e, ERR_INVALID, "file", "文件中没有数据行");
        goto out;
    }
    int sorted = 1;
    for (long i = 1; i < u.n && sorted; i++)
        sorted = memcmp(u.rows[i - 1].code, u.rows[i].code, 12) < 0;
    if (!sorted)
        qsort(u.rows, (size_t)u.n, sizeof *u.rows, by_code);
    u.lo = 5;
    u.hi = 1;
    for (long i = 0; i < u.n; i++) {
        const struct imp_row *r = &u.rows[i];
        if (i > 0 && memcmp(u.rows[i - 1].code, r->code, 12) == 0) {
            const struct imp_row *q = &u.rows[i - 1];
            char msg[200];
            snprintf(msg, sizeof msg, "代码 %s 重复（已见于 %.40s 第 %d 行）",
                     r->code, paths[q->file], q->line);
            fail_at(e, paths[r->file], r->line, msg);
            goto out;
        }
        int low = r->plevel ? r->plevel : r->level;
        if (low < u.lo)
            u.lo = low;
        if (r->level > u.hi)
            u.hi = r->level;
        rep->per_level[r->level]++;
    }
    t_parsed = mono_us();
    if (store_write_bulk(app->store, import_unit, &u, e))
        goto out;
    if (log_enabled(LOG_DEBUG))
        log_msg(LOG_DEBUG, "regions.import",
                "rows %ld: read %lld ms, scan and check %lld ms, "
                "write and commit %lld ms (inserted %lld, updated %lld)",
                u.n, (long long)t_read / 1000,
                (long long)(t_parsed - t0 - t_read) / 1000,
                (long long)(mono_us() - t_parsed) / 1000, (long long)u.inserted,
                (long long)u.updated);
    rep->rows = u.n;
    rep->written = u.inserted + u.updated;
    rc = 0;
out:
    if (rc)
        memset(rep->per_level, 0, sizeof rep->per_level);
    free(u.ex);
    free(p.rows);
    for (int i = 0; bufs && i < n_paths; i++)
        free(bufs[i]);
    free(bufs);
    arena_free(u.a);
    return rc;
}
