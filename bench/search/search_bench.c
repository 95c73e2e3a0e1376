/* search_bench.c — the Chinese item search at 100,000 items (bench/search.sh
 * builds and runs it; method and figures in docs/performance.md "Search").
 *
 *   search_bench gen   DBURL SHARED_DATA N   make the corpus
 *   search_bench time  DBURL QUERIES RUNS    time raw index vs app search
 *   search_bench catalogue SHARED_DATA N DIR PER_FILE
 *                       write a catalogue of N implementation items as
 *                       import files DIR/cat-NN.json (for `bianmin import
 *                       catalogue --as-is`; bases in the first)
 *   search_bench http  HOST:PORT DBURL QUERIES RUNS
 *                       time GET /api/v1/items?q= against the raw index
 *                       query on the server's database, side by side
 *
 * gen: N implementation items from the real item names of the shared
 * catalogue samples (guides/*.csv, *.json: 190 names), each in one of the
 * first 2,978 counties of divisions/areas.csv, with a business variant
 * suffix for some ("（首次申领）", "（变更）"…), aliases made from the
 * shipped synonym dictionary (the terms whose expansion the name holds),
 * and about 200 characters of guide text (materials, the accepting unit
 * and a window of the real legal-basis text). Written straight through
 * store_search_put, 2,000 rows per write unit; then data/synonyms.tsv;
 * on PostgreSQL then VACUUM ANALYZE (the steady state autovacuum keeps).
 *
 * time: for each query line (`q` or `q<TAB>region`), RUNS rounds,
 * interleaved: "raw" = the server's own candidate statement, bare — the
 * query and its dictionary rewrites as token groups, every stage, 500
 * rows by id, every column read (store_search_staged: one SQLite
 * statement over the two FTS5 tables, or one item_search_staged call on
 * PostgreSQL), without synonym look-up, ranking, item rows or JSON — and
 * "app" = app_search_items (synonym look-up, that statement, ranking in
 * C, top 20). Also timed and printed last, as in the runs before: the
 * one-stage query (any token in name or aliases, 500 rows, every column:
 * store_search_match SEARCH_NAMES/SEARCH_ANY). Prints per-query medians
 * and the overall median and p99 of each, and their ratio. Times with
 * CLOCK_MONOTONIC. */
#define _GNU_SOURCE
#include <csv.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "app/app.h"
#include "app/app_catalogue.h"
#include "app/app_search.h"
#include "core/arena.h"
#include "core/bigram.h"
#include "core/ids.h"
#include "store/search.h"
#include "store/store.h"

static void die(const char *what, const struct err *e)
{
    fprintf(stderr, "search_bench: %s: %s [%s] (%s)\n", what,
            e ? e->msg : "", e ? e->field : "", e ? e->log : "");
    exit(1);
}

/* ---- corpus -------------------------------------------------------------- */

struct strs {
    char **v;
    int n, cap;
};

static void push(struct strs *s, const char *x)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->v = realloc(s->v, sizeof *s->v * (size_t)s->cap);
    }
    s->v[s->n++] = strdup(x);
}

struct csv_ctx {
    int row, col, want_col;
    struct strs *out;
    char field[1024];
};

static void csv_field(void *s, size_t n, void *p)
{
    struct csv_ctx *c = p;
    if (c->row > 0 && c->col == c->want_col) {
        snprintf(c->field, sizeof c->field, "%.*s", (int)n, (char *)s);
        push(c->out, c->field);
    }
    c->col++;
}

static void csv_row(int ch, void *p)
{
    struct csv_ctx *c = p;
    c->row++;
    c->col = 0;
}

static void read_csv_col(const char *path, int col, struct strs *out)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        perror(path);
        exit(1);
    }
    struct csv_parser p;
    csv_init(&p, CSV_APPEND_NULL);
    struct csv_ctx c = {.want_col = col, .out = out};
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
        csv_parse(&p, buf, n, csv_field, csv_row, &c);
    csv_fini(&p, csv_field, csv_row, &c);
    csv_free(&p);
    fclose(fp);
}

struct syn {
    char term[128], exp[512];
};

static int load_synonyms(const char *path, struct syn **out)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    int n = 0, cap = 0;
    struct syn *v = NULL;
    char line[1024];
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *tab = strchr(line, '\t');
        if (line[0] == '#' || !tab)
            continue;
        *tab = '\0';
        if (n == cap)
            v = realloc(v, sizeof *v * (size_t)(cap = cap ? cap * 2 : 256));
        snprintf(v[n].term, sizeof v[n].term, "%s", line);
        snprintf(v[n].exp, sizeof v[n].exp, "%s", tab + 1);
        n++;
    }
    fclose(fp);
    *out = v;
    return n;
}

struct put_arg {
    struct search_doc *d;
    int n;
};

static int put_unit(struct db *db, void *p, struct err *e)
{
    struct put_arg *a = p;
    for (int i = 0; i < a->n; i++)
        if (store_search_put(db, &a->d[i], e))
            return -1;
    return 0;
}

static uint64_t rng = 88172645463325252ull;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

/* A window of about `chars` characters of s starting near a random point,
 * on character boundaries. */
static void window(const char *s, int chars, char *out, size_t cap)
{
    size_t len = strlen(s), at = len > 600 ? rnd((unsigned)(len - 600)) : 0;
    while (at < len && ((unsigned char)s[at] & 0xC0) == 0x80)
        at++;
    size_t end = at;
    for (int c = 0; c < chars && end < len; c++) {
        end++;
        while (end < len && ((unsigned char)s[end] & 0xC0) == 0x80)
            end++;
    }
    size_t n = end - at < cap - 1 ? end - at : cap - 1;
    memcpy(out, s + at, n);
    out[n] = '\0';
    for (char *p = out; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

static int cmd_gen(const char *url, const char *shared, int n_items)
{
    struct err e = {0};
    char path[1024];
    struct strs names = {0}, counties = {0}, cnames = {0}, basis = {0};
    snprintf(path, sizeof path, "%s/guides/guangan-511602-catalogue-sample.csv",
             shared);
    read_csv_col(path, 2, &names);
    snprintf(path, sizeof path, "%s/guides/liaoning-catalogue-sample.json",
             shared);
    json_error_t je;
    json_t *lj = json_load_file(path, 0, &je);
    if (!lj)
        die(path, NULL);
    size_t i;
    json_t *it;
    json_array_foreach(lj, i, it)
    {
        push(&names, json_string_value(json_object_get(it, "事项名称")));
        push(&basis, json_string_value(json_object_get(it, "依据")));
    }
    json_decref(lj);
    snprintf(path, sizeof path, "%s/divisions/areas.csv", shared);
    read_csv_col(path, 0, &counties);
    read_csv_col(path, 1, &cnames);
    struct syn *syn = NULL;
    snprintf(path, sizeof path, "%s/synonyms.tsv", BIANMIN_DATA_DIR);
    int n_syn = load_synonyms(path, &syn);

    struct app *app = app_open(&(struct app_opts){.db_url = url}, &e);
    if (!app || store_migrate(app_store(app), NULL, &e))
        die("open", &e);
    static const char *const k_suffix[] = {
        "", "", "", "", "", "（首次申领）", "（变更）", "（注销）", "（补办）",
        "（延续）", "（县级）", "（乡镇）"};
    static const char *const k_materials[] = {
        "居民身份证", "户口簿", "申请书", "近期免冠照片", "结婚证",
        "残疾人证", "营业执照", "授权委托书", "家庭收入情况声明",
        "出生医学证明", "不动产权证书", "社会保障卡", "承诺书"};
    static const char *const k_depts[] = {"民政局", "人力资源和社会保障局",
                                          "公安局", "卫生健康局", "残疾人联合会",
                                          "教育局", "司法局", "医疗保障局"};
    enum { BATCH = 2000 };
    struct search_doc *d = calloc(BATCH, sizeof *d);
    char(*name)[512] = calloc(BATCH, 512);
    char(*alias)[512] = calloc(BATCH, 512);
    char(*body)[4096] = calloc(BATCH, 4096);
    char(*region)[16] = calloc(BATCH, 16);
    int64_t id = 1;
    size_t chars = 0;
    for (int done = 0; done < n_items;) {
        int k = 0;
        for (; k < BATCH && done < n_items; k++, done++) {
            int ci = (int)rnd((unsigned)counties.n);
            const char *base = names.v[rnd((unsigned)names.n)];
            snprintf(name[k], 512, "%s%s", base, k_suffix[rnd(12)]);
            alias[k][0] = '\0';
            for (int s = 0; s < n_syn; s++) {
                char exp[512];
                snprintf(exp, sizeof exp, "%s", syn[s].exp);
                for (char *tok = strtok(exp, "|"); tok; tok = strtok(NULL, "|"))
                    if (strstr(base, tok) && strlen(alias[k]) < 400) {
                        strcat(alias[k], alias[k][0] ? " " : "");
                        strcat(alias[k], syn[s].term);
                        break;
                    }
            }
            char win[2048];
            window(basis.v[rnd((unsigned)basis.n)], 110, win, sizeof win);
            snprintf(body[k], 4096,
                     "申请条件：符合规定条件的申请人。申请材料：%s、%s、%s。"
                     "受理单位：%s%s。办理结果：批准文书。依据：%s",
                     k_materials[rnd(13)], k_materials[rnd(13)],
                     k_materials[rnd(13)], cnames.v[ci], k_depts[rnd(8)], win);
            snprintf(region[k], 16, "%s000000", counties.v[ci]);
            d[k] = (struct search_doc){id++, region[k], name[k], alias[k],
                                       body[k]};
            chars += strlen(name[k]) + strlen(alias[k]) + strlen(body[k]);
        }
        struct put_arg a = {d, k};
        if (store_write(app_store(app), put_unit, &a, &e))
            die("put", &e);
    }
    int added = 0;
    if (app_synonyms_load(app, path, &added, &e))
        die("synonyms", &e);
    if (store_dialect(app_store(app)) == DB_POSTGRES) {
        /* Statistics, as autovacuum would have them in steady state. */
        struct db *db = store_read(app_store(app), &e);
        if (!db || db_script(db, "VACUUM ANALYZE item_search", &e) ||
            db_script(db, "VACUUM ANALYZE item_search_names", &e))
            die("analyze", &e);
        store_read_done(app_store(app), db);
    }
    printf("gen: %d items, %.0f bytes of text per item, %d synonyms\n",
           n_items, (double)chars / n_items, added);
    app_close(app);
    return 0;
}

/* ---- a catalogue to import -------------------------------------------------
 *
 * catalogue: the same names, counties, suffixes, aliases and guide text as
 * `gen`, but as the catalogue's own import model (docs/catalogue.md "Import
 * and export"), so that the items reach the index through the product's
 * path (import, publish as-is, cat_index). Names: the 190 of the shared
 * samples and the 82 base items of data/demo/catalogue.json (with their
 * own aliases and keywords), de-duplicated; one base item per name and
 * business suffix ("最低生活保障（变更）"), levels 2–4, no parents. Each
 * implementation item: a random county of divisions/areas.csv, one of 8
 * departments there (created by the import from org_credit_code, a valid
 * GB 32100 code "11" + county + department, and org_name), business_no
 * counting up per (department, base item), a guide with the accepting
 * unit, two conditions (one a window of real legal-basis text), three
 * materials and the result. */

struct basedef {
    const char *name;
    json_t *aliases, *keywords, *themes; /* borrowed or owned arrays */
    const char *type;
};

static json_t *syn_aliases(const char *name, const struct syn *syn, int n_syn)
{
    json_t *a = json_array();
    for (int s = 0; s < n_syn; s++) {
        char exp[512];
        snprintf(exp, sizeof exp, "%s", syn[s].exp);
        for (char *tok = strtok(exp, "|"); tok; tok = strtok(NULL, "|"))
            if (strstr(name, tok)) {
                json_array_append_new(a, json_string(syn[s].term));
                break;
            }
    }
    return a;
}

/* (org, base) → how many items so far: open addressing. */
#define PAIR_SLOTS (1u << 19)
static uint64_t pair_key[PAIR_SLOTS];
static int pair_n[PAIR_SLOTS];

static int pair_next(uint64_t key)
{
    key += 1; /* 0 = empty */
    for (uint64_t i = (key * 0x9E3779B97F4A7C15ull) >> 45;;
         i = (i + 1) & (PAIR_SLOTS - 1)) {
        if (!pair_key[i])
            pair_key[i] = key;
        if (pair_key[i] == key)
            return ++pair_n[i];
    }
}

static int cmd_catalogue(const char *shared, int n_items, const char *dir,
                         int per_file)
{
    char path[1024];
    struct strs names = {0}, counties = {0}, cnames = {0}, basis = {0};
    snprintf(path, sizeof path, "%s/guides/guangan-511602-catalogue-sample.csv",
             shared);
    read_csv_col(path, 2, &names);
    snprintf(path, sizeof path, "%s/guides/liaoning-catalogue-sample.json",
             shared);
    json_error_t je;
    json_t *lj = json_load_file(path, 0, &je);
    if (!lj)
        die(path, NULL);
    size_t i;
    json_t *it;
    json_array_foreach(lj, i, it)
    {
        push(&names, json_string_value(json_object_get(it, "事项名称")));
        push(&basis, json_string_value(json_object_get(it, "依据")));
    }
    json_decref(lj);
    snprintf(path, sizeof path, "%s/divisions/areas.csv", shared);
    read_csv_col(path, 0, &counties);
    read_csv_col(path, 1, &cnames);
    struct syn *syn = NULL;
    snprintf(path, sizeof path, "%s/synonyms.tsv", BIANMIN_DATA_DIR);
    int n_syn = load_synonyms(path, &syn);
    snprintf(path, sizeof path, "%s/demo/catalogue.json", BIANMIN_DATA_DIR);
    json_t *demo = json_load_file(path, 0, &je);
    if (!demo)
        die(path, NULL);

    /* The names: the demo's base items (their words), then the samples'. */
    int cap = names.n + 256, nb = 0;
    struct basedef *bd = calloc((size_t)cap, sizeof *bd);
    json_t *db_items = json_object_get(demo, "base_items");
    json_array_foreach(db_items, i, it)
    {
        const char *nm = json_string_value(json_object_get(it, "name"));
        json_t *al = json_object_get(it, "aliases"),
               *kw = json_object_get(it, "keywords");
        bd[nb++] = (struct basedef){
            nm, al ? json_incref(al) : json_array(),
            kw ? json_incref(kw) : json_array(),
            json_incref(json_object_get(it, "themes")),
            json_string_value(json_object_get(it, "type"))};
    }
    for (int k = 0; k < names.n && nb < cap; k++) {
        int dup = 0;
        for (int j = 0; j < nb && !dup; j++)
            dup = !strcmp(bd[j].name, names.v[k]);
        if (dup || !names.v[k][0])
            continue;
        bd[nb++] = (struct basedef){names.v[k],
                                    syn_aliases(names.v[k], syn, n_syn),
                                    json_array(),
                                    json_pack("[s]", "social_security"),
                                    "public_service"};
    }
    static const char *const k_suffix[] = {
        "", "", "", "", "", "（首次申领）", "（变更）", "（注销）", "（补办）",
        "（延续）", "（县级）", "（乡镇）"};
    enum { N_SUFFIX = 12, FIRST_SUFFIX = 4 }; /* 4: the "" base */
    static const char *const k_materials[] = {
        "居民身份证", "户口簿", "申请书", "近期免冠照片", "结婚证",
        "残疾人证", "营业执照", "授权委托书", "家庭收入情况声明",
        "出生医学证明", "不动产权证书", "社会保障卡", "承诺书"};
    static const char *const k_depts[] = {"民政局", "人力资源和社会保障局",
                                          "公安局", "卫生健康局", "残疾人联合会",
                                          "教育局", "司法局", "医疗保障局"};
    /* Base items: name × suffix; code BMS<name><suffix>. */
    json_t *bases = json_array();
    for (int b = 0; b < nb; b++)
        for (int s = FIRST_SUFFIX; s < N_SUFFIX; s++) {
            char code[32], nm[512], win[2048];
            snprintf(code, sizeof code, "BMS%04d%02d", b, s);
            snprintf(nm, sizeof nm, "%s%s", bd[b].name, k_suffix[s]);
            window(basis.v[rnd((unsigned)basis.n)], 110, win, sizeof win);
            json_array_append_new(
                bases,
                json_pack("{s:s, s:s, s:s, s:O, s:[s], s:s, "
                          "s:[{s:s, s:s}], s:[i,i,i], s:O, s:O}",
                          "code", code, "name", nm, "type", bd[b].type,
                          "themes", bd[b].themes, "audience", "natural",
                          "supply", "must", "legal_basis", "law",
                          "《有关法律法规》", "text", win, "levels", 2, 3, 4,
                          "aliases", bd[b].aliases, "keywords",
                          bd[b].keywords));
        }
    int files = 0;
    size_t chars = 0;
    for (int done = 0; done < n_items; files++) {
        json_t *items = json_array();
        for (int k = 0; k < per_file && done < n_items; k++, done++) {
            int ci = (int)rnd((unsigned)counties.n);
            int di = (int)rnd(8);
            int b = (int)rnd((unsigned)nb), s = (int)rnd(N_SUFFIX);
            if (s < FIRST_SUFFIX)
                s = FIRST_SUFFIX;
            char code[32], credit[20], org[256], region[16], win[2048];
            snprintf(code, sizeof code, "BMS%04d%02d", b, s);
            snprintf(credit, sizeof credit, "11%.6s%02d%07d", counties.v[ci],
                     di, ci);
            credit[17] = ids_uscc_check_char(credit);
            credit[18] = '\0';
            snprintf(org, sizeof org, "%s%s", cnames.v[ci], k_depts[di]);
            snprintf(region, sizeof region, "%.6s000000", counties.v[ci]);
            int no = pair_next(((uint64_t)ci * 8 + (uint64_t)di) << 20 |
                               (uint64_t)(b * N_SUFFIX + s));
            window(basis.v[rnd((unsigned)basis.n)], 110, win, sizeof win);
            json_t *mats = json_array();
            for (int m = 0; m < 3; m++)
                json_array_append_new(
                    mats, json_pack("{s:s, s:s, s:s}", "name",
                                    k_materials[rnd(13)], "need", "required",
                                    "source", "applicant"));
            json_array_append_new(
                items,
                json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:{s:s, s:[s,s], "
                          "s:o, s:{s:s}}}",
                          "base", code, "org_credit_code", credit, "org_name",
                          org, "region", region, "business_no", no,
                          "sub_path", "00", "guide", "accepting_unit", org,
                          "conditions", "符合规定条件的申请人。", win,
                          "materials", mats, "result", "name", "批准文书"));
            chars += strlen(win) + 2 * strlen(org) + 60;
        }
        json_t *doc = json_pack("{s:o, s:o}", "base_items",
                                files ? json_array() : json_incref(bases),
                                "items", items);
        snprintf(path, sizeof path, "%s/cat-%02d.json", dir, files);
        if (json_dump_file(doc, path, JSON_COMPACT | JSON_ENSURE_ASCII * 0))
            die(path, NULL);
        json_decref(doc);
    }
    printf("catalogue: %d items in %d files, %zu base items (%d names), "
           "about %.0f bytes of guide text per item\n",
           n_items, files, json_array_size(bases), nb,
           (double)chars / n_items);
    json_decref(bases);
    json_decref(demo);
    return 0;
}

/* ---- timing -------------------------------------------------------------- */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    int i = (int)(p * (n - 1) + 0.5);
    return v[i];
}

struct rows {
    size_t bytes;
    int n;
};

/* Read every column of a candidate, as the app does. */
static int read_row(void *ctx, const struct search_doc *d)
{
    struct rows *r = ctx;
    r->bytes += strlen(d->name) + strlen(d->aliases) + strlen(d->body);
    r->n++;
    return 0;
}

/* The tokens the app sends for q: q's and those of q with each dictionary
 * term it holds replaced by each expansion (as app_search.c does, without
 * the overlap rule — a superset at worst), all in one list (the one-stage
 * reference). */
static int raw_tokens(const char *q, const struct syn *syn, int n_syn,
                      char *buf, size_t cap, const char **toks, int max)
{
    char text[4096];
    size_t w = (size_t)snprintf(text, sizeof text, "%s", q);
    for (int s = 0; s < n_syn; s++) {
        const char *at = strstr(q, syn[s].term);
        if (!at)
            continue;
        char exp[512];
        snprintf(exp, sizeof exp, "%s", syn[s].exp);
        for (char *t = strtok(exp, "|"); t; t = strtok(NULL, "|"))
            w += (size_t)snprintf(text + w, sizeof text - w, " %.*s%s%s",
                                  (int)(at - q), q, t,
                                  at + strlen(syn[s].term));
    }
    return bigram_query_tokens(text, strlen(text), buf, cap, toks, max, NULL);
}

/* The same variants as groups, one per variant (q, then each rewrite), as
 * the server's staged statement gets them; *with_two when some variant
 * has 3 or more tokens (the stage "two of its tokens" runs then). */
#define RAW_VARIANTS 8
struct raw_plan {
    struct search_group g[RAW_VARIANTS];
    const char *toks[RAW_VARIANTS][SEARCH_MAX_TOKENS];
    char buf[RAW_VARIANTS][1024];
    int n, with_two;
};

static void raw_variant(struct raw_plan *p, const char *v)
{
    if (p->n >= RAW_VARIANTS)
        return;
    int k = p->n;
    int nt = bigram_query_tokens(v, strlen(v), p->buf[k], sizeof p->buf[k],
                                 p->toks[k], SEARCH_MAX_TOKENS, NULL);
    if (nt <= 0)
        return;
    p->g[k] = (struct search_group){p->toks[k], nt};
    p->with_two |= nt >= 3;
    p->n++;
}

static void raw_plan(const char *q, const struct syn *syn, int n_syn,
                     struct raw_plan *p)
{
    memset(p, 0, sizeof *p);
    raw_variant(p, q);
    for (int s = 0; s < n_syn; s++) {
        const char *at = strstr(q, syn[s].term);
        if (!at)
            continue;
        char exp[512];
        snprintf(exp, sizeof exp, "%s", syn[s].exp);
        for (char *t = strtok(exp, "|"); t; t = strtok(NULL, "|")) {
            char v[1024];
            snprintf(v, sizeof v, "%.*s%s%s", (int)(at - q), q, t,
                     at + strlen(syn[s].term));
            raw_variant(p, v);
        }
    }
}

/* The two raw queries on a read connection of app: *staged = the server's
 * own staged candidate statement (store_search_staged: every stage, 500
 * rows by id, every column read — the reference), *one = the one-stage
 * query of the earlier runs (any token in name or aliases, 500 rows). */
/* CPU time of this thread (ms), and of the whole process `pid` from
 * /proc (utime + stime of all its threads, ms; -1 when unreadable). */
static double thread_cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double proc_cpu_ms(const char *pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* the name may hold spaces */
    unsigned long long ut = 0, st = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
                            "%llu %llu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) * 1e3 / (double)sysconf(_SC_CLK_TCK);
}

static double g_raw_cpu_ms; /* CPU of the staged raw queries so far */

static void raw_run(struct app *app, const struct raw_plan *p,
                    const char **toks, int nt, const char *const *regions,
                    int n_regions, struct rows *rows, double *staged,
                    double *one)
{
    struct err e = {0};
    struct rows other = {0};
    struct db *db = store_read(app_store(app), &e);
    if (!db)
        die("raw", &e);
    double c0 = thread_cpu_ms(), t0 = now_ms();
    if (store_search_staged(db, p->g, p->n, p->with_two, regions, n_regions,
                            500, read_row, rows, &e))
        die("raw", &e);
    double t1 = now_ms();
    g_raw_cpu_ms += thread_cpu_ms() - c0;
    struct search_group g = {toks, nt};
    if (store_search_match(db, SEARCH_NAMES, SEARCH_ANY, &g, 1, regions,
                           n_regions, 500, read_row, &other, &e))
        die("raw one-stage", &e);
    double t2 = now_ms();
    store_read_done(app_store(app), db);
    *staged = t1 - t0;
    *one = t2 - t1;
}

static int cmd_time(const char *url, const char *qfile, int runs)
{
    struct err e = {0};
    struct app *app =
        app_open(&(struct app_opts){.db_url = url, .check_schema = 1}, &e);
    if (!app)
        die("open", &e);
    char path[1024];
    struct syn *syn = NULL;
    snprintf(path, sizeof path, "%s/synonyms.tsv", BIANMIN_DATA_DIR);
    int n_syn = load_synonyms(path, &syn);
    FILE *fp = fopen(qfile, "rb");
    if (!fp)
        die(qfile, NULL);
    char qs[256][256], rs[256][16];
    int nq = 0;
    char line[512];
    while (nq < 256 && fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char *tab = strchr(line, '\t');
        rs[nq][0] = '\0';
        if (tab) {
            *tab = '\0';
            snprintf(rs[nq], sizeof rs[nq], "%s", tab + 1);
        }
        snprintf(qs[nq], sizeof qs[nq], "%s", line);
        nq++;
    }
    fclose(fp);
    double *all_raw = calloc((size_t)(nq * runs), sizeof(double));
    double *all_app = calloc((size_t)(nq * runs), sizeof(double));
    double *all_one = calloc((size_t)(nq * runs), sizeof(double));
    double *one_raw = calloc((size_t)runs, sizeof(double));
    double *one_app = calloc((size_t)runs, sizeof(double));
    int na = 0;
    printf("%-14s %-13s %6s %6s %9s %9s %6s\n", "query", "region", "cands",
           "shown", "raw ms", "app ms", "ratio");
    for (int q = 0; q < nq; q++) {
        /* The region filter as the catalogue sends it: the county, its
         * city and its province. */
        char chain[3][13];
        const char *regions[3];
        int n_regions = 0;
        if (rs[q][0]) {
            snprintf(chain[0], 13, "%.6s000000", rs[q]);
            snprintf(chain[1], 13, "%.4s00000000", rs[q]);
            snprintf(chain[2], 13, "%.2s0000000000", rs[q]);
            for (int i = 0; i < 3; i++)
                regions[n_regions++] = chain[i];
        }
        char buf[4096];
        const char *toks[SEARCH_MAX_TOKENS];
        int nt = raw_tokens(qs[q], syn, n_syn, buf, sizeof buf, toks,
                            SEARCH_MAX_TOKENS);
        int cands = 0, shown = 0;
        struct raw_plan plan;
        raw_plan(qs[q], syn, n_syn, &plan);
        for (int r = -1; r < runs; r++) { /* one warm-up round */
            struct rows rows = {0};
            double t_raw, t_one;
            raw_run(app, &plan, toks, nt, regions, n_regions, &rows, &t_raw,
                    &t_one);
            struct arena *ar = arena_new();
            struct search_result *res;
            int n, sug;
            double t2 = now_ms();
            if (app_search_items(app, qs[q], regions, n_regions, 20, ar, &res,
                                 &n, &sug, &e))
                die("app", &e);
            double t3 = now_ms();
            arena_free(ar);
            shown = n;
            cands = rows.n;
            if (r < 0)
                continue;
            one_raw[r] = t_raw;
            one_app[r] = t3 - t2;
            all_raw[na] = t_raw;
            all_one[na] = t_one;
            all_app[na] = t3 - t2;
            na++;
        }
        double mr = pct(one_raw, runs, 0.5), ma = pct(one_app, runs, 0.5);
        printf("%-14s %-13s %6d %6d %9.2f %9.2f %6.2f\n", qs[q],
               rs[q][0] ? rs[q] : "-", cands, shown, mr, ma, ma / mr);
    }
    double r50 = pct(all_raw, na, 0.5), r99 = pct(all_raw, na, 0.99);
    double a50 = pct(all_app, na, 0.5), a99 = pct(all_app, na, 0.99);
    double o50 = pct(all_one, na, 0.5), o99 = pct(all_one, na, 0.99);
    printf("ALL raw median %.2f ms p99 %.2f ms | app median %.2f ms p99 %.2f "
           "ms | ratio median %.2f p99 %.2f (%d timings) | one-stage raw "
           "median %.2f p99 %.2f ratio %.2f\n",
           r50, r99, a50, a99, a50 / r50, a99 / r99, na, o50, o99,
           a50 / o50);
    app_close(app);
    return 0;
}

/* ---- over HTTP ---------------------------------------------------------------
 *
 * http: for each query line, RUNS rounds after one warm-up, interleaved:
 * "http" = GET /api/v1/items?q=<q>[&region=<county>]&limit=20 on one
 * keep-alive connection, timed from before the request is written until
 * the last byte of the body is read (status must be 200); "raw" = the
 * bare candidate statement of `time` on the server's own database (a
 * second connection to it from this process). Prints per-query medians and the
 * overall median and p99 of each, and their ratio. With SB_ROUTE set it
 * also times the route's work in-process (app_item_browse and its JSON
 * text) after each request, to tell HTTP's share from the route's. */

struct conn {
    char host[128], port[16];
    int fd;
    char buf[1 << 16];
    size_t have;
};

static int conn_open(struct conn *c)
{
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM},
                    *ai;
    if (getaddrinfo(c->host, c->port, &hints, &ai))
        return -1;
    c->fd = socket(ai->ai_family, ai->ai_socktype, 0);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int rc = connect(c->fd, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    c->have = 0;
    return rc;
}

/* Read more into c->buf; 0 on EOF/error. */
static size_t conn_fill(struct conn *c)
{
    if (c->have == sizeof c->buf)
        return 0;
    ssize_t n = read(c->fd, c->buf + c->have, sizeof c->buf - c->have);
    if (n <= 0)
        return 0;
    c->have += (size_t)n;
    return (size_t)n;
}

static void conn_eat(struct conn *c, size_t n)
{
    memmove(c->buf, c->buf + n, c->have - n);
    c->have -= n;
}

/* One GET; the status, or -1 on a broken connection. *body_bytes gets the
 * body's length. Content-Length or chunked bodies. */
static int http_get(struct conn *c, const char *path, size_t *body_bytes)
{
    char req[2048];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: application/json"
                     "\r\n\r\n",
                     path, c->host);
    if (write(c->fd, req, (size_t)n) != n)
        return -1;
    char *end;
    while (!(c->have && (end = memmem(c->buf, c->have, "\r\n\r\n", 4))))
        if (!conn_fill(c))
            return -1;
    size_t hlen = (size_t)(end - c->buf) + 4;
    int status = atoi(c->buf + 9);
    long clen = -1;
    int chunked = 0;
    for (char *l = c->buf; l < end; l = strstr(l, "\r\n") + 2) {
        if (!strncasecmp(l, "content-length:", 15))
            clen = atol(l + 15);
        if (!strncasecmp(l, "transfer-encoding:", 18) &&
            strstr(l, "chunked") && strstr(l, "chunked") < strstr(l, "\r\n"))
            chunked = 1;
    }
    conn_eat(c, hlen);
    *body_bytes = 0;
    if (!chunked) {
        size_t need = clen < 0 ? 0 : (size_t)clen;
        while (need) {
            if (!c->have && !conn_fill(c))
                return -1;
            size_t take = c->have < need ? c->have : need;
            conn_eat(c, take);
            need -= take;
            *body_bytes += take;
        }
        return status;
    }
    for (;;) {
        char *crlf;
        while (!(c->have && (crlf = memmem(c->buf, c->have, "\r\n", 2))))
            if (!conn_fill(c))
                return -1;
        size_t sz = strtoul(c->buf, NULL, 16);
        conn_eat(c, (size_t)(crlf - c->buf) + 2);
        size_t need = sz + 2; /* data and its CRLF */
        while (need) {
            if (!c->have && !conn_fill(c))
                return -1;
            size_t take = c->have < need ? c->have : need;
            conn_eat(c, take);
            need -= take;
        }
        *body_bytes += sz;
        if (!sz)
            return status;
    }
}

static void url_escape(const char *s, char *out, size_t cap)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && w + 4 < cap;
         p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.')
            out[w++] = (char)*p;
        else
            w += (size_t)snprintf(out + w, cap - w, "%%%02X", *p);
    }
    out[w] = '\0';
}

static int cmd_http(const char *hostport, const char *url, const char *qfile,
                    int runs)
{
    struct err e = {0};
    struct conn *c = calloc(1, sizeof *c);
    const char *colon = strrchr(hostport, ':');
    if (!colon)
        die("HOST:PORT", NULL);
    snprintf(c->host, sizeof c->host, "%.*s", (int)(colon - hostport),
             hostport);
    snprintf(c->port, sizeof c->port, "%s", colon + 1);
    if (conn_open(c))
        die("connect", NULL);
    struct app *app =
        app_open(&(struct app_opts){.db_url = url, .check_schema = 1}, &e);
    if (!app)
        die("open", &e);
    char path[1024];
    struct syn *syn = NULL;
    snprintf(path, sizeof path, "%s/synonyms.tsv", BIANMIN_DATA_DIR);
    int n_syn = load_synonyms(path, &syn);
    FILE *fp = fopen(qfile, "rb");
    if (!fp)
        die(qfile, NULL);
    char qs[256][256], rs[256][16];
    int nq = 0;
    char line[512];
    while (nq < 256 && fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char *tab = strchr(line, '\t');
        rs[nq][0] = '\0';
        if (tab) {
            *tab = '\0';
            snprintf(rs[nq], sizeof rs[nq], "%s", tab + 1);
        }
        snprintf(qs[nq], sizeof qs[nq], "%s", line);
        nq++;
    }
    fclose(fp);
    double *all_raw = calloc((size_t)(nq * runs), sizeof(double));
    double *all_http = calloc((size_t)(nq * runs), sizeof(double));
    double *all_one = calloc((size_t)(nq * runs), sizeof(double));
    double *one_raw = calloc((size_t)runs, sizeof(double));
    double *one_http = calloc((size_t)runs, sizeof(double));
    double *one_route = calloc((size_t)runs, sizeof(double));
    int na = 0;
    /* CPU per search, SQLite only (the whole search runs in the server's
     * process there; on PostgreSQL most of it is in the database's
     * backends): the server's process (SB_SERVER_PID) against this
     * thread's for the raw query, over every request of the round. */
    const char *spid = getenv("SB_SERVER_PID");
    int cpu = spid && !strncmp(url, "sqlite:", 7);
    double srv0 = cpu ? proc_cpu_ms(spid) : -1, raw0 = g_raw_cpu_ms;
    printf("%-14s %-13s %6s %6s %9s %9s %6s\n", "query", "region", "cands",
           "bytes", "raw ms", "http ms", "ratio");
    for (int q = 0; q < nq; q++) {
        char chain[3][13];
        const char *regions[3];
        int n_regions = 0;
        if (rs[q][0]) {
            snprintf(chain[0], 13, "%.6s000000", rs[q]);
            snprintf(chain[1], 13, "%.4s00000000", rs[q]);
            snprintf(chain[2], 13, "%.2s0000000000", rs[q]);
            for (int i = 0; i < 3; i++)
                regions[n_regions++] = chain[i];
        }
        char esc[1024], target[1400];
        url_escape(qs[q], esc, sizeof esc);
        snprintf(target, sizeof target, "/api/v1/items?q=%s%s%s&limit=20", esc,
                 rs[q][0] ? "&region=" : "", rs[q]);
        char buf[4096];
        const char *toks[SEARCH_MAX_TOKENS];
        int nt = raw_tokens(qs[q], syn, n_syn, buf, sizeof buf, toks,
                            SEARCH_MAX_TOKENS);
        int cands = 0;
        size_t bytes = 0;
        struct raw_plan plan;
        raw_plan(qs[q], syn, n_syn, &plan);
        for (int r = -1; r < runs; r++) {
            struct rows rows = {0};
            double t_raw, t_one;
            raw_run(app, &plan, toks, nt, regions, n_regions, &rows, &t_raw,
                    &t_one);
            double t1h = now_ms();
            int status = http_get(c, target, &bytes);
            if (status < 0) { /* the server closed it: once more */
                close(c->fd);
                if (conn_open(c))
                    die("reconnect", NULL);
                t1h = now_ms();
                status = http_get(c, target, &bytes);
            }
            double t2 = now_ms();
            if (getenv("SB_ROUTE")) { /* the route's work, in-process */
                struct item_query iq = {.q = qs[q],
                                        .region = rs[q][0] ? rs[q] : NULL,
                                        .max_visits = -1,
                                        .limit = 20};
                json_t *out = NULL;
                double t3 = now_ms();
                if (app_item_browse(app, &iq, &out, &e))
                    die("browse", &e);
                char *txt = json_dumps(out, JSON_COMPACT);
                double t4 = now_ms();
                free(txt);
                json_decref(out);
                one_route[r < 0 ? 0 : r] = t4 - t3;
            }
            if (status != 200) {
                fprintf(stderr, "search_bench: %s → %d\n", target, status);
                exit(1);
            }
            cands = rows.n;
            if (r < 0)
                continue;
            one_raw[r] = t_raw;
            one_http[r] = t2 - t1h;
            all_raw[na] = t_raw;
            all_one[na] = t_one;
            all_http[na] = t2 - t1h;
            na++;
        }
        double mr = pct(one_raw, runs, 0.5), mh = pct(one_http, runs, 0.5);
        printf("%-14s %-13s %6d %6zu %9.2f %9.2f %6.2f", qs[q],
               rs[q][0] ? rs[q] : "-", cands, bytes, mr, mh, mh / mr);
        if (getenv("SB_ROUTE"))
            printf("  (route in-process %.2f ms)", pct(one_route, runs, 0.5));
        printf("\n");
    }
    double r50 = pct(all_raw, na, 0.5), r99 = pct(all_raw, na, 0.99);
    double h50 = pct(all_http, na, 0.5), h99 = pct(all_http, na, 0.99);
    double o50 = pct(all_one, na, 0.5), o99 = pct(all_one, na, 0.99);
    printf("ALL raw median %.2f ms p99 %.2f ms | http median %.2f ms p99 %.2f "
           "ms | ratio median %.2f p99 %.2f (%d timings) | one-stage raw "
           "median %.2f p99 %.2f ratio %.2f\n",
           r50, r99, h50, h99, h50 / r50, h99 / r99, na, o50, o99,
           h50 / o50);
    if (cpu && srv0 >= 0) {
        double srv = proc_cpu_ms(spid) - srv0, raw = g_raw_cpu_ms - raw0;
        int reqs = nq * (runs + 1);
        printf("CPU per search: server %.2f ms, raw %.2f ms, ratio %.2f "
               "(%d requests, the server's whole process)\n",
               srv / reqs, raw / reqs, srv / raw, reqs);
    }
    close(c->fd);
    app_close(app);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && !strcmp(argv[1], "gen"))
        return cmd_gen(argv[2], argv[3], atoi(argv[4]));
    if (argc == 5 && !strcmp(argv[1], "time"))
        return cmd_time(argv[2], argv[3], atoi(argv[4]));
    if (argc == 6 && !strcmp(argv[1], "catalogue"))
        return cmd_catalogue(argv[2], atoi(argv[3]), argv[4], atoi(argv[5]));
    if (argc == 6 && !strcmp(argv[1], "http"))
        return cmd_http(argv[2], argv[3], argv[4], atoi(argv[5]));
    fprintf(stderr,
            "usage: search_bench gen DBURL SHARED_DATA N\n"
            "       search_bench time DBURL QUERIES RUNS\n"
            "       search_bench catalogue SHARED_DATA N DIR PER_FILE\n"
            "       search_bench http HOST:PORT DBURL QUERIES RUNS\n");
    return 2;
}
