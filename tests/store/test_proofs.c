/* test_proofs.c — the proofs module (app_proofs.h, app_evidence.h) on a
 * real database, once per driver (BIANMIN_TEST_DB = sqlite | postgres):
 * the registry and its refusals, "no proof outside the list" at
 * publication, a circular chain planted by the fixture
 * tests/fixtures/proofs-cycle.json found and shown whole, CSV records with
 * their validation, the evidence seam (shared data and licences, each
 * look-up in the sharing log), and the commitment post-check: the same seed
 * gives the same sample on two databases, a false promise revokes the
 * result and is recorded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>

#include "app/app.h"
#include "app/app_catalogue.h"
#include "app/app_evidence.h"
#include "app/app_proofs.h"
#include "app/app_regions.h"
#include "app/demo.h"
#include "store/proofs.h"
#include "store/store.h"
#include "testdb.h"

#ifndef BIANMIN_DATA_DIR
#define BIANMIN_DATA_DIR "data"
#endif
#define FIXTURE BIANMIN_DATA_DIR "/../tests/fixtures/proofs-cycle.json"

#define ZHANG "341524198503120017"
#define LI "341524199002281220"
#define WANG "341524198811050030"

#define OK(x)                                                                  \
    do {                                                                       \
        if ((x) != 0)                                                          \
            fail_msg("%s: %s [%s] (%s)", #x, e.msg, e.field, e.log);           \
    } while (0)
#define FAILS(x, want, fld)                                                    \
    do {                                                                       \
        err_clear(&e);                                                         \
        if ((x) == 0)                                                          \
            fail_msg("%s succeeded", #x);                                      \
        assert_int_equal(e.code, want);                                        \
        if (fld)                                                               \
            assert_string_equal(e.field, (const char *)(fld));                 \
    } while (0)

struct fx {
    char url[512];
    struct app *app;
};

static struct actor mk_actor(int64_t uid, enum role role, const char *region)
{
    struct actor a = {.user_id = uid, .n_grants = 1};
    snprintf(a.login, sizeof a.login, "u%lld", (long long)uid);
    a.grants[0].role = role;
    snprintf(a.grants[0].region, sizeof a.grants[0].region, "%s", region);
    return a;
}

static int fx_open(struct fx *f)
{
    struct err e = {0};
    if (testdb_create(f->url, sizeof f->url))
        return -1;
    f->app = app_open(&(struct app_opts){.db_url = f->url}, &e);
    static const char *const k_files[] = {"provinces", "cities", "areas",
                                          "streets", "villages"};
    char paths[5][512];
    const char *ptrs[5];
    for (int i = 0; i < 5; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/demo/regions/%s.csv",
                 BIANMIN_DATA_DIR, k_files[i]);
        ptrs[i] = paths[i];
    }
    struct region_import_report rep;
    int o, h, w;
    if (!f->app || store_migrate(app_store(f->app), NULL, &e) ||
        app_regions_import(f->app, ptrs, 5, &rep, &e) ||
        app_demo_orgs(f->app, &o, &h, &w, &e)) {
        fprintf(stderr, "setup %s: %s [%s] (%s)\n", f->url, e.msg, e.field,
                e.log);
        return -1;
    }
    return 0;
}

static void fx_close(struct fx *f)
{
    app_close(f->app);
    testdb_drop(f->url);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (!f || fx_open(f)) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    fx_close(f);
    free(f);
    return 0;
}

static json_t *J(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (!j)
        fail_msg("bad JSON in test: %s", je.text);
    return j;
}

static int put_proof(struct fx *f, const struct actor *by, const char *name,
                     const char *body, struct err *e)
{
    json_t *b = J(body), *out = NULL;
    int rc = app_proof_put(f->app, by, name, b, &out, NULL, e);
    json_decref(b);
    json_decref(out);
    return rc;
}

static int put_dataset(struct fx *f, const char *name, const char *body,
                       struct err *e)
{
    json_t *b = J(body), *out = NULL;
    int rc = app_dataset_put(f->app, NULL, name, b, &out, NULL, e);
    json_decref(b);
    json_decref(out);
    return rc;
}

/* ---- the registry ---------------------------------------------------------- */

static void test_registry(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct actor legal = mk_actor(7, ROLE_LEGAL_REVIEWER, "341524000000");
    struct actor clerk = mk_actor(8, ROLE_CLERK, "341524000000");
    OK(put_proof(f, &legal, "居住证明",
                 "{\"issuing_office\":\"派出所\",\"legal_basis\":\"《居住证暂行"
                 "条例》第九条\",\"status\":\"retained\",\"published\":true}",
                 &e));
    FAILS(put_proof(f, &clerk, "居住证明", "{\"status\":\"retained\"}", &e),
          ERR_FORBIDDEN, NULL);
    FAILS(put_proof(f, &legal, "未婚证明", "{\"status\":\"cancelled\"}", &e),
          ERR_INVALID, "/status_date");
    FAILS(put_proof(f, &legal, "未婚证明",
                    "{\"status\":\"cancelled\",\"status_date\":\"2018-02-30\"}",
                    &e),
          ERR_INVALID, "/status_date");
    FAILS(put_proof(f, &legal, "亲属关系证明",
                    "{\"status\":\"replaced_sharing\",\"status_date\":"
                    "\"2018-06-28\",\"status_decision\":\"国办发〔2018〕47号\","
                    "\"replacement\":\"户籍\"}",
                    &e),
          ERR_INVALID, "/replacement"); /* no such data set yet */
    FAILS(put_proof(f, &legal, "收入证明",
                    "{\"status\":\"replaced_commitment\",\"status_date\":"
                    "\"2020-11-14\",\"status_decision\":\"国办发〔2020〕42号\"}",
                    &e),
          ERR_INVALID, "/commitment");
    FAILS(put_proof(f, &legal, "收入证明",
                    "{\"status\":\"retained\",\"commitment\":{\"condition\":"
                    "\"收入符合\"}}",
                    &e),
          ERR_INVALID, "/commitment/legal_basis");
    FAILS(put_proof(f, &legal, "居住证明",
                    "{\"status\":\"retained\",\"revision\":7}", &e),
          ERR_CONFLICT, "/revision");
    FAILS(put_proof(f, &legal, "居住证明",
                    "{\"status\":\"retained\",\"colour\":1}", &e),
          ERR_INVALID, "/colour");
    /* The public list shows published proofs only. */
    json_t *l;
    OK(put_proof(f, &legal, "无房证明", "{\"status\":\"retained\"}", &e));
    OK(app_proof_list(f->app, NULL, 1, &l, &e));
    assert_int_equal(json_array_size(json_object_get(l, "proofs")), 1);
    json_decref(l);
    FAILS(app_proof_list(f->app, &clerk, 0, &l, &e), ERR_FORBIDDEN, NULL);
}

/* ---- no proof outside the list, and a circular chain ------------------------ */

static void test_no_proof_outside_list_and_cycle(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    json_error_t je;
    json_t *fx = json_load_file(FIXTURE, 0, &je);
    if (!fx)
        fail_msg("%s: %s", FIXTURE, je.text);
    char *cat = json_dumps(json_object_get(fx, "catalogue"), JSON_COMPACT);
    struct cat_import_opts o = {.publish = CAT_IMPORT_PUBLISH};
    struct cat_import_report rep;
    /* The registry is empty: publication is refused, with the reason. */
    FAILS(app_catalogue_import_buffer(f->app, NULL, "cycle.json", cat,
                                      strlen(cat), &o, &rep, &e),
          ERR_INVALID, NULL);
    assert_non_null(strstr(e.msg, "清单之外无证明"));
    /* Listed (retained): published. */
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(fx, "proofs"), i, p)
    {
        json_t *out = NULL;
        OK(app_proof_put(f->app, NULL,
                         json_string_value(json_object_get(p, "name")), p,
                         &out, NULL, &e));
        json_decref(out);
    }
    OK(app_catalogue_import_buffer(f->app, NULL, "cycle.json", cat,
                                   strlen(cat), &o, &rep, &e));
    assert_int_equal(rep.published, 3);
    free(cat);
    json_decref(fx);

    json_t *r;
    OK(app_proofs_analyse(f->app, &r, &e));
    json_t *circ = json_object_get(r, "circular");
    assert_int_equal(json_array_size(circ), 1);
    json_t *c0 = json_array_get(circ, 0);
    assert_int_equal(json_integer_value(json_object_get(c0, "length")), 4);
    json_t *chain = json_object_get(c0, "chain");
    /* Shown whole: proof, item, proof, item, and back to the first. */
    assert_int_equal(json_array_size(chain), 5);
    const char *names = json_string_value(json_object_get(c0, "text"));
    assert_non_null(strstr(names, "测试居住证明"));
    assert_non_null(strstr(names, "测试亲属关系证明"));
    assert_non_null(strstr(names, "BMCYC00001"));
    assert_non_null(strstr(names, "BMCYC00002"));
    assert_null(strstr(names, "BMCYC00003")); /* not on the cycle */
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(chain, 0), "name")),
        json_string_value(json_object_get(json_array_get(chain, 4), "name")));
    char *text = app_proofs_report_text(r);
    assert_non_null(strstr(text, "循环证明（1）"));
    free(text);
    json_decref(r);
}

/* ---- the analyser reads digests: the same report as from the guides ------- */

/* same_report — the report from the digests equals the one from the whole
 * guides (the day it is "as of" aside); returns the digest report. */
static json_t *same_report(struct fx *f)
{
    struct err e = {0};
    json_t *d, *g;
    OK(app_proofs_analyse_from(f->app, PROOFS_FROM_DIGESTS, &d, &e));
    OK(app_proofs_analyse_from(f->app, PROOFS_FROM_GUIDES, &g, &e));
    json_object_del(json_object_get(d, "summary"), "as_of");
    json_object_del(json_object_get(g, "summary"), "as_of");
    if (!json_equal(d, g)) {
        char *a = json_dumps(d, JSON_INDENT(1) | JSON_SORT_KEYS);
        char *b = json_dumps(g, JSON_INDENT(1) | JSON_SORT_KEYS);
        fprintf(stderr, "from digests:\n%s\nfrom guides:\n%s\n", a, b);
        free(a);
        free(b);
        fail_msg("the report from digests differs from the report from "
                 "guides");
    }
    json_decref(g);
    return d;
}

static int64_t count_of(struct fx *f, const char *sql)
{
    struct err e = {0};
    int64_t n = -1;
    struct db *db = store_read(app_store(f->app), &e);
    OK(db ? db_query_int(db, sql, NULL, 0, &n, &e) : -1);
    store_read_done(app_store(f->app), db);
    return n;
}

static int unit_script(struct db *db, void *sql, struct err *e)
{
    return db_script(db, sql, e);
}

static int unit_backfill(struct db *db, void *added, struct err *e)
{
    return store_digest_backfill(db, added, e);
}

/* A published version written without its digest (as by a program older
 * than migration 12): the first published item's guide under a new item. */
static const char k_no_digest[] =
    "INSERT INTO items (base_id, org_id, region, code, business_no, "
    "sub_path, created_at, updated_at) SELECT base_id, org_id, region, "
    "'BMTEST-NODIGEST', 99, '00', 0, 0 FROM items WHERE id = (SELECT min(id) "
    "FROM items WHERE current_version IS NOT NULL);\n"
    "INSERT INTO item_versions (item_id, version, state, guide, created_at, "
    "updated_at, published_at) SELECT n.id, 1, 'published', v.guide, 0, 0, 0 "
    "FROM items n, item_versions v WHERE n.code = 'BMTEST-NODIGEST' AND "
    "v.item_id = (SELECT min(id) FROM items WHERE current_version IS NOT "
    "NULL) AND v.state = 'published';\n"
    "UPDATE items SET current_version = 1 WHERE code = 'BMTEST-NODIGEST';\n";

static void test_digest_report_equals_guides(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int np, nd, nl, ni;
    /* The demo catalogue (its proofs first, as `init --demo` does). */
    OK(app_demo_proofs(f->app, &np, &nd, &nl, &e));
    OK(app_demo_catalogue(f->app, &ni, &e));
    assert_true(ni > 100);
    json_t *r = same_report(f);
    json_t *c = json_object_get(r, "counts");
    assert_int_equal(json_integer_value(json_object_get(c, "items")), ni);
    assert_true(json_integer_value(json_object_get(c, "materials")) > 300);
    assert_true(json_integer_value(json_object_get(c, "obtainable")) > 0);
    json_decref(r);
    /* Every published version has its digest, written at publication. */
    assert_int_equal(
        count_of(f, "SELECT count(*) FROM item_digests"),
        count_of(f, "SELECT count(*) FROM item_versions WHERE state = "
                    "'published'"));

    /* The planted circular chain. */
    json_error_t je;
    json_t *fx = json_load_file(FIXTURE, 0, &je);
    if (!fx)
        fail_msg("%s: %s", FIXTURE, je.text);
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(fx, "proofs"), i, p)
    {
        json_t *out = NULL;
        OK(app_proof_put(f->app, NULL,
                         json_string_value(json_object_get(p, "name")), p,
                         &out, NULL, &e));
        json_decref(out);
    }
    char *cat = json_dumps(json_object_get(fx, "catalogue"), JSON_COMPACT);
    struct cat_import_opts o = {.publish = CAT_IMPORT_PUBLISH};
    struct cat_import_report rep;
    OK(app_catalogue_import_buffer(f->app, NULL, "cycle.json", cat,
                                   strlen(cat), &o, &rep, &e));
    free(cat);
    json_decref(fx);
    r = same_report(f);
    assert_int_equal(json_array_size(json_object_get(r, "circular")), 1);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r, "counts"),
                                           "items")),
        ni + 3);
    json_decref(r);

    /* A version without a digest is read from its guide, and the backfill
     * (what migration 12 runs) digests it. */
    OK(store_write(app_store(f->app), unit_script, (void *)k_no_digest, &e));
    r = same_report(f);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r, "counts"),
                                           "items")),
        ni + 4);
    json_decref(r);
    int added = -1;
    OK(store_write(app_store(f->app), unit_backfill, &added, &e));
    assert_int_equal(added, 1);
    OK(store_write(app_store(f->app), unit_backfill, &added, &e));
    assert_int_equal(added, 0);
    json_decref(same_report(f));

    /* Digests are immutable, like the versions they digest. */
    assert_int_equal(store_write(app_store(f->app), unit_script,
                                 (void *)"UPDATE item_digests SET "
                                         "materials = ''",
                                 &e),
                     -1);
    assert_int_equal(store_write(app_store(f->app), unit_script,
                                 (void *)"DELETE FROM item_digests", &e),
                     -1);
    assert_int_equal(count_of(f, "SELECT count(*) FROM item_digests WHERE "
                                 "materials = ''"),
                     0);
}

/* ---- shared data, licences, the evidence seam -------------------------------- */

static void test_records_csv(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    OK(put_dataset(f, "户籍",
                   "{\"provider\":\"金寨县公安局\",\"fields\":[\"姓名\","
                   "\"户籍地址\"],\"sharing\":\"unconditional\",\"kind\":"
                   "\"builtin\"}",
                   &e));
    struct dataset_import_report rep;
    static const char k_bad_id[] = "subject,姓名\n" ZHANG ",张建国\n"
                                   "341524198503120018,李四\n";
    FAILS(app_dataset_import_csv(f->app, NULL, "户籍", k_bad_id,
                                 strlen(k_bad_id), 0, &rep, &e),
          ERR_INVALID, "3/subject");
    static const char k_bad_col[] = "subject,电话\n" ZHANG ",1\n";
    FAILS(app_dataset_import_csv(f->app, NULL, "户籍", k_bad_col,
                                 strlen(k_bad_col), 0, &rep, &e),
          ERR_INVALID, "1/电话");
    static const char k_short[] = "subject,姓名,户籍地址\n" ZHANG ",张建国\n";
    FAILS(app_dataset_import_csv(f->app, NULL, "户籍", k_short,
                                 strlen(k_short), 0, &rep, &e),
          ERR_INVALID, "2");
    static const char k_twice[] = "subject,姓名\n" ZHANG ",甲\n" ZHANG ",乙\n";
    FAILS(app_dataset_import_csv(f->app, NULL, "户籍", k_twice,
                                 strlen(k_twice), 0, &rep, &e),
          ERR_INVALID, "3/subject");
    static const char k_good[] = "subject,姓名,户籍地址\n" ZHANG
                                 ",张建国,\"金寨县梅山镇红军大道 8 号\"\n" LI
                                 ",李秀英,金寨县梅山镇\n";
    OK(app_dataset_import_csv(f->app, NULL, "户籍", k_good, strlen(k_good), 0,
                              &rep, &e));
    assert_int_equal(rep.rows, 2);
    json_t *d;
    OK(app_dataset_get(f->app, "户籍", &d, &e));
    assert_int_equal(json_integer_value(json_object_get(d, "records")), 2);
    json_decref(d);
}

struct resolve_ctx {
    const struct actor *by;
    const char *case_no, *subject;
    struct guide_material m;
    struct evidence ev;
    char number[64];
    int issue; /* 1: issue a licence instead */
    struct evidence_lookup l;
    int got;
};

static int resolve_unit(struct db *db, void *arg, struct err *e)
{
    struct resolve_ctx *c = arg;
    if (c->issue)
        return app_licence_issue(db, c->by, "居民身份证", c->subject, "张建国",
                                 0, c->case_no, 0, c->number, e);
    if (!c->got)
        return 0;
    if (app_evidence_log(db, c->by, c->case_no, NULL, &c->l, e))
        return -1;
    c->ev = c->l.ev;
    return 0;
}

/* resolve — as case intake does it: the look-up before the unit (a read
 * connection, then the remote part with none), its log row in the unit. */
static int resolve(struct fx *f, struct resolve_ctx *c, struct err *e)
{
    memset(&c->ev, 0, sizeof c->ev);
    c->got = 0;
    struct arena *a = arena_new();
    if (!c->issue) {
        struct db *db = store_read(app_store(f->app), e);
        if (!db) {
            arena_free(a);
            return -1;
        }
        c->got = app_evidence_prepare(db, a, &c->m, 0, c->subject, &c->l, e);
        store_read_done(app_store(f->app), db);
        if (c->got < 0) {
            arena_free(a);
            return -1;
        }
        if (c->got)
            app_evidence_fetch(&c->l);
    }
    int rc = store_write(app_store(f->app), resolve_unit, c, e);
    arena_free(a);
    return rc;
}

/* tamper — change a licence's holder name behind the database's back (its
 * trigger off), as someone with direct access to the tables might. */
static void tamper(struct fx *f, const char *number)
{
    struct err e = {0};
    char sql[512];
    if (!strcmp(testdb_driver(), "postgres"))
        snprintf(sql, sizeof sql,
                 "ALTER TABLE licences DISABLE TRIGGER licences_frozen;\n"
                 "UPDATE licences SET holder_name = '篡改' WHERE number = "
                 "'%s';\n"
                 "ALTER TABLE licences ENABLE TRIGGER licences_frozen;\n",
                 number);
    else
        snprintf(sql, sizeof sql,
                 "DROP TRIGGER IF EXISTS licences_frozen;\n"
                 "UPDATE licences SET holder_name = '篡改' WHERE number = "
                 "'%s';\n",
                 number);
    struct db *db = db_open(f->url, 1, &e);
    assert_non_null(db);
    OK(db_script(db, sql, &e));
    db_close(db);
}

static int log_count(struct fx *f, const char *case_no, const char *result)
{
    struct err e = {0};
    struct actor sup = mk_actor(9, ROLE_SYS_ADMIN, "340000000000");
    struct sharing_query q = {.case_no = case_no};
    json_t *out;
    OK(app_sharing_log(f->app, &sup, &q, &out, &e));
    int n = 0;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(out, "entries"), i, v)
        n += !strcmp(json_string_value(json_object_get(v, "result")), result);
    json_decref(out);
    return n;
}

static void test_evidence(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    test_records_csv(state);
    struct actor clerk = mk_actor(8, ROLE_CLERK, "341524000000");
    struct resolve_ctx c = {
        .by = &clerk,
        .case_no = "JZ-2026-000001",
        .subject = ZHANG,
        .m = {.name = "户籍信息", .source = "shared_data", .dataset = "户籍",
              .fields = "姓名、户籍地址"}};
    OK(resolve(f, &c, &e));
    assert_int_equal(c.ev.kind, EVIDENCE_SHARED);
    assert_true(c.ev.lookup_id > 0);
    assert_non_null(strstr(c.ev.summary, "户籍"));
    assert_null(strstr(c.ev.ref, ZHANG)); /* masked */
    assert_int_equal(log_count(f, "JZ-2026-000001", "found"), 1);
    /* Nobody there: the applicant must bring it; still logged. */
    c.subject = WANG;
    OK(resolve(f, &c, &e));
    assert_int_equal(c.ev.kind, EVIDENCE_NONE);
    assert_int_equal(log_count(f, "JZ-2026-000001", "not_found"), 1);
    /* A data set not shared: refused, logged. */
    OK(put_dataset(f, "违法犯罪记录",
                   "{\"provider\":\"县公安局\",\"fields\":[\"有无\"],"
                   "\"sharing\":\"none\",\"kind\":\"builtin\"}",
                   &e));
    c.subject = ZHANG;
    c.m.dataset = "违法犯罪记录";
    OK(resolve(f, &c, &e));
    assert_int_equal(c.ev.kind, EVIDENCE_NONE);
    assert_int_equal(log_count(f, "JZ-2026-000001", "refused"), 1);
    /* A licence the platform issued satisfies 申请人居民身份证. */
    c.issue = 1;
    OK(resolve(f, &c, &e));
    assert_int_equal(strncmp(c.number, "BM", 2), 0);
    c.issue = 0;
    c.m = (struct guide_material){.name = "申请人居民身份证",
                                  .source = "licence"};
    OK(resolve(f, &c, &e));
    assert_int_equal(c.ev.kind, EVIDENCE_LICENCE);
    assert_string_equal(c.ev.ref, c.number);
    /* …but not 居民身份证申领登记表, a form. */
    c.m.name = "居民身份证申领登记表";
    OK(resolve(f, &c, &e));
    assert_int_equal(c.ev.kind, EVIDENCE_NONE);
    /* The licence's hash checks; revoked, it satisfies nothing. */
    json_t *l;
    OK(app_licence_get(f->app, NULL, c.number, &l, &e));
    assert_true(json_is_true(json_object_get(l, "intact")));
    json_decref(l);
    OK(app_licence_revoke(f->app, NULL, c.number, "测试注销", &l, &e));
    assert_string_equal(json_string_value(json_object_get(l, "status")),
                        "revoked");
    json_decref(l);
    c.m.name = "申请人居民身份证";
    OK(resolve(f, &c, &e));
    assert_int_equal(c.ev.kind, EVIDENCE_NONE);

    /* Only the licence used is hashed, yet a tampered one is never used:
     * two valid licences, the newest wins; tampered, the older one is used;
     * both tampered, none. */
    char older[64], newer[64];
    c.issue = 1;
    OK(resolve(f, &c, &e));
    snprintf(older, sizeof older, "%s", c.number);
    OK(resolve(f, &c, &e));
    snprintf(newer, sizeof newer, "%s", c.number);
    c.issue = 0;
    OK(resolve(f, &c, &e));
    assert_int_equal(c.ev.kind, EVIDENCE_LICENCE);
    assert_string_equal(c.ev.ref, newer);
    tamper(f, newer);
    OK(app_licence_get(f->app, NULL, newer, &l, &e));
    assert_false(json_is_true(json_object_get(l, "intact")));
    json_decref(l);
    OK(resolve(f, &c, &e));
    assert_int_equal(c.ev.kind, EVIDENCE_LICENCE);
    assert_string_equal(c.ev.ref, older);
    tamper(f, older);
    int before = log_count(f, c.case_no, "not_found");
    OK(resolve(f, &c, &e));
    assert_int_equal(c.ev.kind, EVIDENCE_NONE);
    assert_int_equal(log_count(f, c.case_no, "not_found"), before + 1);
}

/* ---- commitments ------------------------------------------------------------------ */

static void seed_commitments(struct fx *f, int n)
{
    struct err e = {0};
    OK(put_proof(f, NULL, "收入证明",
                 "{\"status\":\"replaced_commitment\",\"status_date\":"
                 "\"2020-11-14\",\"status_decision\":\"国办发〔2020〕42号\","
                 "\"commitment\":{\"condition\":\"家庭收入符合条件\","
                 "\"legal_basis\":\"《最低生活保障审核确认办法》\","
                 "\"consequence\":\"撤销决定并记入信用记录\",\"text\":"
                 "\"本人承诺所报收入属实\",\"check_percent\":25,"
                 "\"check_days\":20}}",
                 &e));
    for (int i = 0; i < n; i++) {
        char body[256];
        /* Inserted in a scrambled order: the population is ordered by
         * case number, not by insertion. */
        snprintf(body, sizeof body,
                 "{\"proof\":\"收入证明\",\"case_no\":\"JZ-2026-%06d\","
                 "\"applicant\":\"%s\"}",
                 (i * 7) % n + 1, i % 2 ? LI : ZHANG);
        json_t *b = J(body), *out = NULL;
        OK(app_commitment_add(f->app, NULL, b, &out, &e));
        json_decref(b);
        json_decref(out);
    }
}

static char *sample_of(struct fx *f, const char *seed, int dry)
{
    struct err e = {0};
    struct draw_request rq = {.seed = seed, .dry_run = dry};
    json_t *out;
    OK(app_commitment_draw(f->app, NULL, &rq, &out, &e));
    json_t *sel =
        json_object_get(json_array_get(json_object_get(out, "proofs"), 0),
                        "selected");
    char buf[4096] = "";
    size_t i;
    json_t *v;
    json_array_foreach(sel, i, v)
    {
        strcat(buf, json_string_value(json_object_get(v, "case_no")));
        strcat(buf, " ");
    }
    json_decref(out);
    return strdup(buf);
}

static void test_draw_reproducible(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    seed_commitments(f, 40);
    char *a = sample_of(f, "2026-Q4 金寨", 1);
    char *b = sample_of(f, "2026-Q4 金寨", 1);
    char *other = sample_of(f, "2026-Q4 霍山", 1);
    assert_string_equal(a, b);
    assert_string_not_equal(a, other);
    /* 25% of 40 = 10 cases. */
    int words = 0;
    for (const char *p = a; *p; p++)
        words += *p == ' ';
    assert_int_equal(words, 10);
    /* Another database, the same commitments inserted in the same
     * scrambled order: the same sample. */
    struct fx g = {0};
    assert_int_equal(fx_open(&g), 0);
    seed_commitments(&g, 40);
    char *c = sample_of(&g, "2026-Q4 金寨", 1);
    assert_string_equal(a, c);
    fx_close(&g);
    /* The real draw is the dry run, stored; a second draw finds none
     * left. */
    char *d = sample_of(f, "2026-Q4 金寨", 0);
    assert_string_equal(a, d);
    char *none = sample_of(f, "2026-Q4 金寨", 0);
    assert_string_equal(none, "");
    free(a), free(b), free(c), free(d), free(none), free(other);
    (void)e;
}

struct issue_ctx {
    const char *case_no;
    char number[64];
};

static int issue_unit(struct db *db, void *arg, struct err *e)
{
    struct issue_ctx *c = arg;
    return app_licence_issue(db, NULL, "最低生活保障证", LI, "李秀英", 0,
                             c->case_no, 0, c->number, e);
}

static void test_false_promise(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    seed_commitments(f, 8);
    struct draw_request rq = {.seed = "s1"};
    json_t *out;
    OK(app_commitment_draw(f->app, NULL, &rq, &out, &e));
    json_t *pick = json_array_get(
        json_object_get(json_array_get(json_object_get(out, "proofs"), 0),
                        "selected"),
        0);
    int64_t id = json_integer_value(json_object_get(pick, "id"));
    char case_no[64];
    snprintf(case_no, sizeof case_no, "%s",
             json_string_value(json_object_get(pick, "case_no")));
    json_decref(out);
    /* The case issued a result (to whoever applied: look it up). */
    struct commitment_query q = {.case_no = case_no};
    OK(app_commitment_list(f->app, NULL, &q, &out, &e));
    json_decref(out);
    struct issue_ctx ic = {.case_no = case_no};
    OK(store_write(app_store(f->app), issue_unit, &ic, &e));
    json_t *body = J("{\"outcome\":\"false_promise\",\"note\":\"核查发现隐瞒"
                     "工资收入\"}");
    OK(app_commitment_outcome(f->app, NULL, id, body, &out, &e));
    assert_int_equal(json_array_size(json_object_get(out, "revoked")), 1);
    json_decref(out);
    FAILS(app_commitment_outcome(f->app, NULL, id, body, &out, &e),
          ERR_CONFLICT, NULL); /* once */
    json_decref(body);
    json_t *l;
    OK(app_licence_get(f->app, NULL, ic.number, &l, &e));
    assert_string_equal(json_string_value(json_object_get(l, "status")),
                        "revoked");
    json_decref(l);
    /* On record against whoever made the promise. */
    int found = 0;
    const char *who[] = {ZHANG, LI};
    for (int k = 0; k < 2; k++) {
        OK(app_dishonesty_of(f->app, NULL, who[k], &l, &e));
        found += (int)json_array_size(json_object_get(l, "records"));
        json_decref(l);
    }
    assert_int_equal(found, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_registry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_proof_outside_list_and_cycle,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_digest_report_equals_guides,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_records_csv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_evidence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_draw_reproducible, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_false_promise, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
