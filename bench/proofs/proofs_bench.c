/* proofs_bench.c — the clean-up analyser at catalogue scale (docs/proofs.md
 * "Benchmark"). Two commands:
 *
 *   proofs_bench gen  DBURL N    a fresh database: demo regions,
 *                                organisations, proofs and catalogue, then
 *                                N published implementation items whose
 *                                guides are the demo guides (105 of them,
 *                                taken in turn), some material names varied
 *                                per item, and one planted circular chain;
 *                                written directly through store/ in units
 *                                of 5,000 items, each version with its
 *                                material digest (as cat_publish writes it).
 *   proofs_bench time DBURL RUNS alternated RUNS times: the baseline — one
 *                                read of the catalogue rows with their whole
 *                                published guides (what the analyser read
 *                                before digests), doing nothing with them —;
 *                                the read of the rows with their digests
 *                                alone; the whole analysis from digests
 *                                (app_proofs_analyse) and from guides
 *                                (PROOFS_FROM_GUIDES). Prints each round,
 *                                the medians and the median of the
 *                                per-round ratios to the baseline; checks
 *                                that both analyses give the same report.
 *
 * Linked like the store tests against the static libraries (bench/proofs.sh). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "app/app_catalogue.h"
#include "app/app_proofs.h"
#include "app/app_regions.h"
#include "app/demo.h"
#include "store/catalogue.h"
#include "store/proofs.h"

#ifndef BIANMIN_DATA_DIR
#define BIANMIN_DATA_DIR "data"
#endif

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what, const struct err *e)
{
    fprintf(stderr, "proofs_bench: %s: %s [%s] (%s)\n", what, e->msg, e->field,
            e->log);
    exit(1);
}

struct tmpl {
    int64_t base_id, org_id;
    char region[13];
    char *guide;
};

struct tmpls {
    struct tmpl v[256];
    int n;
    struct db *db;
};

static int take_item(void *ctx, const struct item_row *r)
{
    struct tmpls *t = ctx;
    if (t->n < 256 && r->current_version > 0) {
        t->v[t->n].base_id = r->base_id;
        t->v[t->n].org_id = r->org_id;
        snprintf(t->v[t->n].region, 13, "%s", r->region);
        t->v[t->n].guide = (char *)(intptr_t)r->id; /* id for now */
        t->n++;
    }
    return 0;
}

static int take_guide(void *ctx, const struct version_row *v)
{
    *(char **)ctx = strdup(v->guide);
    return 0;
}

struct gen {
    struct tmpls *t;
    int from, to;
};

/* vary — a guide with some applicant material names made item-specific
 * (so the catalogue is not 105 guides repeated) — every 3rd item. */
static char *vary(const char *g, int k)
{
    if (k % 3)
        return strdup(g);
    json_t *j = json_loads(g, 0, NULL);
    json_t *m = json_object_get(j, "materials");
    size_t i;
    json_t *x;
    json_array_foreach(m, i, x)
    {
        const char *src = json_string_value(json_object_get(x, "source"));
        if (src && !strcmp(src, "applicant")) {
            char name[600];
            snprintf(name, sizeof name, "%s（第%d式）",
                     json_string_value(json_object_get(x, "name")), k % 997);
            json_object_set_new(x, "name", json_string(name));
            break;
        }
    }
    char *out = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return out;
}

static int gen_unit(struct db *db, void *arg, struct err *e)
{
    struct gen *g = arg;
    int64_t now = store_now_ms();
    for (int k = g->from; k < g->to; k++) {
        struct tmpl *t = &g->t->v[k % g->t->n];
        char code[96];
        snprintf(code, sizeof code, "BENCH-%07d", k);
        struct item_row r = {.base_id = t->base_id,
                             .org_id = t->org_id,
                             .region = t->region,
                             .code = code,
                             .business_no = 100 + k,
                             .sub_path = "00"};
        int64_t id;
        char *guide = vary(t->guide, k);
        int rc = store_item_insert(db, &r, now, &id, e) ||
                 store_version_insert(db, id, 1, "published", guide, 0, now,
                                      e) ||
                 store_item_set_published(db, id, 1, " window ", 1, "active",
                                          now, e) ||
                 store_digest_put(db, id, 1, guide, e);
        free(guide);
        if (rc)
            return -1;
    }
    return 0;
}

static int cmd_gen(const char *url, int n)
{
    struct err e = {0};
    struct app *app =
        app_open(&(struct app_opts){.db_url = url, .data_dir = BIANMIN_DATA_DIR}, &e);
    if (!app || store_migrate(app_store(app), NULL, &e))
        die("open", &e);
    struct demo_report rep;
    if (app_demo_load(app, &rep, &e))
        die("demo", &e);
    /* The planted chain (tests/fixtures/proofs-cycle.json). */
    json_error_t je;
    json_t *fx = json_load_file(BIANMIN_DATA_DIR "/../tests/fixtures/proofs-cycle.json", 0, &je);
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(fx, "proofs"), i, p)
    {
        json_t *out = NULL;
        if (app_proof_put(app, NULL, json_string_value(json_object_get(p, "name")), p, &out, NULL, &e))
            die("proof", &e);
        json_decref(out);
    }
    char *cat = json_dumps(json_object_get(fx, "catalogue"), JSON_COMPACT);
    struct cat_import_opts o = {.publish = CAT_IMPORT_PUBLISH};
    struct cat_import_report cr;
    if (app_catalogue_import_buffer(app, NULL, "cycle.json", cat, strlen(cat), &o, &cr, &e))
        die("cycle", &e);
    free(cat);
    json_decref(fx);
    struct tmpls t = {0};
    struct db *db = store_read(app_store(app), &e);
    if (!db || store_item_all(db, take_item, &t, &e))
        die("templates", &e);
    for (int k = 0; k < t.n; k++) {
        int64_t id = (int64_t)(intptr_t)t.v[k].guide;
        t.v[k].guide = NULL;
        if (store_version_get(db, id, 0, take_guide, &t.v[k].guide, &e))
            die("guide", &e);
    }
    store_read_done(app_store(app), db);
    double t0 = now_s();
    for (int from = 0; from < n; from += 5000) {
        struct gen g = {.t = &t, .from = from, .to = from + 5000 < n ? from + 5000 : n};
        if (store_write(app_store(app), gen_unit, &g, &e))
            die("generate", &e);
    }
    printf("gen: %d items (+%d demo) in %.1f s\n", n, t.n, now_s() - t0);
    for (int k = 0; k < t.n; k++)
        free(t.v[k].guide);
    app_close(app);
    return 0;
}

static int nop(void *ctx, const struct scan_row *r)
{
    (*(long *)ctx) += (long)strlen(r->guide);
    return 0;
}

static int nop_digest(void *ctx, const struct scan_row *r)
{
    (*(long *)ctx) += (long)strlen(r->digest ? r->digest : r->guide);
    return 0;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int cmd_time(const char *url, int runs)
{
    struct err e = {0};
    struct app *app = app_open(&(struct app_opts){.db_url = url}, &e);
    if (!app)
        die("open", &e);
    double base[64], dig[64], full[64], old[64], r_full[64], r_dig[64],
        r_old[64];
    if (runs > 64)
        runs = 64;
    long bytes = 0, dbytes = 0;
    json_t *rep = NULL, *rep_old = NULL;
    for (int i = 0; i < runs; i++) {
        double t0 = now_s();
        struct db *db = store_read(app_store(app), &e);
        bytes = 0;
        if (!db || store_catalogue_scan(db, nop, &bytes, &e))
            die("scan", &e);
        store_read_done(app_store(app), db);
        base[i] = now_s() - t0;
        t0 = now_s();
        db = store_read(app_store(app), &e);
        dbytes = 0;
        if (!db || store_catalogue_scan_digests(db, nop_digest, &dbytes, &e))
            die("scan digests", &e);
        store_read_done(app_store(app), db);
        dig[i] = now_s() - t0;
        t0 = now_s();
        json_decref(rep);
        if (app_proofs_analyse(app, &rep, &e))
            die("analyse", &e);
        full[i] = now_s() - t0;
        t0 = now_s();
        json_decref(rep_old);
        if (app_proofs_analyse_from(app, PROOFS_FROM_GUIDES, &rep_old, &e))
            die("analyse from guides", &e);
        old[i] = now_s() - t0;
        r_full[i] = full[i] / base[i];
        r_dig[i] = dig[i] / base[i];
        r_old[i] = old[i] / base[i];
        printf("round %d: rows+guides %.3f s, rows+digests %.3f s, "
               "analyser %.3f s, analyser from guides %.3f s\n",
               i + 1, base[i], dig[i], full[i], old[i]);
    }
    json_object_del(json_object_get(rep, "summary"), "as_of");
    json_object_del(json_object_get(rep_old, "summary"), "as_of");
    if (!json_equal(rep, rep_old)) {
        fprintf(stderr, "proofs_bench: the report from digests differs from "
                        "the report from guides\n");
        return 1;
    }
    json_t *c = json_object_get(rep, "counts");
    printf("items %lld, materials %lld, guide text %.1f MB, digests %.1f MB, "
           "circular %lld; reports from digests and from guides identical\n",
           (long long)json_integer_value(json_object_get(c, "items")),
           (long long)json_integer_value(json_object_get(c, "materials")),
           (double)bytes / 1e6, (double)dbytes / 1e6,
           (long long)json_integer_value(json_object_get(c, "circular")));
    printf("baseline: read rows with guides   median %.3f s\n",
           median(base, runs));
    printf("read rows with digests            median %.3f s  ratio %.2fx\n",
           median(dig, runs), median(r_dig, runs));
    printf("analyser (digests)                median %.3f s  ratio %.2fx\n",
           median(full, runs), median(r_full, runs));
    printf("analyser from guides (before)     median %.3f s  ratio %.2fx\n",
           median(old, runs), median(r_old, runs));
    printf("RESULT\t%.3f\t%.3f\t%.3f\t%.3f\t%.2f\n", median(base, runs),
           median(dig, runs), median(full, runs), median(old, runs),
           median(r_full, runs));
    json_decref(rep);
    json_decref(rep_old);
    app_close(app);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "gen"))
        return cmd_gen(argv[2], atoi(argv[3]));
    if (argc == 4 && !strcmp(argv[1], "time"))
        return cmd_time(argv[2], atoi(argv[3]));
    fprintf(stderr, "usage: proofs_bench gen DBURL N | time DBURL RUNS\n");
    return 2;
}
