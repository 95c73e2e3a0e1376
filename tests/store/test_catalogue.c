/* test_catalogue.c — the catalogue use cases (app_catalogue.h) on a real
 * database, once per driver (BIANMIN_TEST_DB = sqlite | postgres, see
 * testdb.h). Each test gets a fresh database with the schema, the demo
 * divisions and organisations of 六安市, then drives the app: the whole
 * life cycle with events, diff and comments; publication refused by the
 * lint (committed limit over the legal one); a published version that no
 * path can change, not even raw SQL; region scope; imports that are all or
 * nothing and name the bad row; the two real extracts; the browse by
 * region; publication with its k-th store call failing (k = 1, 2, …). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>

#include "app/app.h"
#include "app/app_catalogue.h"
#include "app/app_regions.h"
#include "app/demo.h"
#include "core/arena.h"
#include "core/ids.h"
#include "store/orgs.h"
#include "store/search.h"
#include "faulty.h"
#include "testdb.h"

#ifndef BIANMIN_DATA_DIR
#define BIANMIN_DATA_DIR "data"
#endif
#ifndef BIANMIN_SHARED_DIR
#define BIANMIN_SHARED_DIR "../shared"
#endif

#define JZ "341524000000"              /* 金寨县 */
#define HS "341525000000"              /* 霍山县 */
#define MZ_CREDIT "11341524000001111G" /* 金寨县民政局 (demo) */

struct fx {
    char url[512];
    struct app *app;
    struct arena *arena;
    struct cat_write *w;
    struct actor editor, reviewer, hs_editor, admin;
    int64_t mz; /* 金寨县民政局 */
};

static struct actor mk_actor(int64_t uid, const char *login, enum role role,
                             const char *region)
{
    struct actor a = {.user_id = uid, .n_grants = 1};
    snprintf(a.login, sizeof a.login, "%s", login);
    a.grants[0].role = role;
    snprintf(a.grants[0].region, sizeof a.grants[0].region, "%s", region);
    return a;
}

#define OK(call)                                                               \
    do {                                                                       \
        err_clear(&e);                                                         \
        if ((call) != 0)                                                       \
            fail_msg("%s: %s [%s] (%s)", #call, e.msg, e.field, e.log);        \
    } while (0)

#define FAILS(call, want_code, want_field)                                     \
    do {                                                                       \
        err_clear(&e);                                                         \
        if ((call) == 0)                                                       \
            fail_msg("%s: succeeded; wanted %s [%s]", #call,                   \
                     err_code_name(want_code), want_field);                    \
        if (e.code != (want_code) ||                                           \
            (want_field && strcmp(e.field, want_field ? want_field : "")))     \
            fail_msg("%s: got %s [%s] %s; wanted %s [%s]", #call,              \
                     err_code_name(e.code), e.field, e.msg,                    \
                     err_code_name(want_code), want_field ? want_field : "*"); \
    } while (0)

static int load_regions(struct app *app, const char *dir,
                        const char *const *files, int n, struct err *e)
{
    char paths[5][1024];
    const char *ptrs[5];
    for (int i = 0; i < n; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/%s", dir, files[i]);
        ptrs[i] = paths[i];
    }
    struct region_import_report rep;
    return app_regions_import(app, ptrs, n, &rep, e);
}

static int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    struct err e = {0};
    if (!f || testdb_create(f->url, sizeof f->url)) {
        free(f);
        return -1;
    }
    f->app = app_open(&(struct app_opts){.db_url = f->url}, &e);
    static const char *const k_files[] = {"provinces.csv", "cities.csv",
                                          "areas.csv", "streets.csv",
                                          "villages.csv"};
    int o, h, w;
    if (!f->app || store_migrate(app_store(f->app), NULL, &e) ||
        load_regions(f->app, BIANMIN_DATA_DIR "/demo/regions", k_files, 5,
                     &e) ||
        app_demo_orgs(f->app, &o, &h, &w, &e)) {
        fprintf(stderr, "setup %s: %s [%s] (%s)\n", f->url, e.msg, e.field,
                e.log);
        app_close(f->app);
        testdb_drop(f->url);
        free(f);
        return -1;
    }
    f->arena = arena_new();
    f->editor = mk_actor(1, "jz_editor", ROLE_EDITOR, JZ);
    f->reviewer = mk_actor(2, "jz_legal", ROLE_LEGAL_REVIEWER, JZ);
    f->hs_editor = mk_actor(3, "hs_editor", ROLE_EDITOR, HS);
    f->admin = mk_actor(4, "ah_admin", ROLE_SYS_ADMIN, "340000000000");
    struct db *db = store_read(app_store(f->app), &e);
    store_org_id_by_credit(db, MZ_CREDIT, &f->mz, &e);
    store_read_done(app_store(f->app), db);
    assert_true(f->mz > 0);
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    struct fx *f = *state;
    if (f->w)
        app_cat_write_free(f->w);
    app_close(f->app);
    arena_free(f->arena);
    testdb_drop(f->url);
    free(f);
    return 0;
}

/* jbody — JSON from printf text with ' for ". Caller decrefs. */
static json_t *jbody(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static json_t *jbody(const char *fmt, ...)
{
    static char text[65536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    for (char *p = text; *p; p++)
        if (*p == '\'')
            *p = '"';
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (!j)
        fail_msg("bad test JSON: %s: %s", je.text, text);
    return j;
}

static int64_t count(struct fx *f, const char *sql)
{
    struct err e = {0};
    int64_t n = -1;
    struct db *db = store_read(app_store(f->app), &e);
    assert_non_null(db);
    OK(db_query_int(db, sql, NULL, 0, &n, &e));
    store_read_done(app_store(f->app), db);
    return n;
}

/* run — prep_rc is the prepare's result (evaluated before *wp is read);
 * run the write; keep it in f->w. */
static int run(struct fx *f, int prep_rc, struct cat_write **wp, struct err *e)
{
    struct cat_write *w = *wp;
    if (prep_rc)
        return -1;
    if (f->w)
        app_cat_write_free(f->w);
    f->w = w;
    return app_cat_write_run(f->app, w, e);
}

static int act(struct fx *f, const struct actor *a, int64_t id,
               enum cat_action act_, const char *reason, struct err *e)
{
    struct cat_write *w = NULL;
    json_t *body =
        reason ? json_pack("{s:s}", "reason", reason) : json_object();
    int rc =
        app_item_transition_prepare(f->app, a, id, act_, body, f->arena, &w, e);
    json_decref(body);
    return run(f, rc, &w, e);
}

static const char *k_good_guide =
    "{'accepting_unit':'金寨县民政局',"
    "'conditions':['持有本县户籍的城乡居民','"
    "家庭月人均收入低于当地最低生活保障标准'],"
    "'steps':[{'name':'受理','limit_days':1,'role':'clerk'},"
    "{'name':'审查','limit_days':10,'role':'reviewer'},"
    "{'name':'决定','limit_days':3,'role':'decider'},"
    "{'name':'送达','limit_days':1,'role':'clerk'}],"
    "'materials':[{'name':'居民身份证','need':'required','source':'licence',"
    "'form':'electronic','copies':1},"
    "{'name':'家庭收入情况声明','need':'required','source':'commitment'}],"
    "'fee':{'charged':false},'legal_limit_days':30,'committed_limit_days':%d,"
    "'kind':'committed','modes':['window','online'],'visits':1,"
    "'consult':['0564-7022301'],'complaint':['12345'],"
    "'address':'金寨县政务服务中心二楼民政窗口','hours':'周一至周五',"
    "'result':{'name':'最低生活保障证','e_licence':true},"
    "'outside_centre':null}";

/* mk_base — a base item of 金寨县 (leaf, county level) by the editor. */
static void mk_base(struct fx *f, const char *code, const char *name,
                    const char *alias)
{
    struct err e = {0};
    struct cat_write *w = NULL;
    json_t *b =
        jbody("{'code':'%s','name':'%s','type':'benefit',"
              "'themes':['social_security','poverty'],'audience':['natural'],"
              "'supply':'must','legal_basis':[{'law':'社会救助暂行办法',"
              "'article':'第九条','text':'国家对……给予最低生活保障。'}],"
              "'levels':[3],'aliases':['%s'],'region':'%s'}",
              code, name, alias, JZ);
    OK(run(f, app_base_create_prepare(f->app, &f->editor, b, f->arena, &w, &e),
           &w, &e));
    json_decref(b);
}

/* mk_item — an implementation item of 金寨县民政局 with the good guide
 * (committed limit `committed`); its id. */
static int64_t mk_item(struct fx *f, const char *base, int committed)
{
    struct err e = {0};
    struct cat_write *w = NULL;
    char guide[8192];
    snprintf(guide, sizeof guide, k_good_guide, committed);
    json_t *b = jbody("{'base':'%s','org_id':%lld,'guide':%s}", base,
                      (long long)f->mz, guide);
    OK(run(f, app_item_create_prepare(f->app, &f->editor, b, f->arena, &w, &e),
           &w, &e));
    json_decref(b);
    return app_cat_write_id(w);
}

static const char *state_of(struct fx *f, int64_t id, int version)
{
    struct err e = {0};
    json_t *v;
    OK(app_item_version(f->app, &f->admin, id, version, &v, &e));
    static char buf[32];
    snprintf(buf, sizeof buf, "%s",
             json_string_value(
                 json_object_get(json_object_get(v, "current"), "state")));
    json_decref(v);
    return buf;
}

static int64_t search_rows(struct fx *f)
{
    struct err e = {0};
    int64_t n = -1;
    struct db *db = store_read(app_store(f->app), &e);
    OK(store_search_count(db, &n, &e));
    store_read_done(app_store(f->app), db);
    return n;
}

/* ---- the life cycle
 * ---------------------------------------------------------- */

static void test_life_cycle(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    mk_base(f, "BM3415-0001", "最低生活保障金给付", "低保");
    int64_t id = mk_item(f, "BM3415-0001", 15);
    json_t *r = app_cat_write_take(f->w);
    char want_code[128];
    snprintf(want_code, sizeof want_code,
             "BM3415-0001-341524000000-000-%s-1-00", MZ_CREDIT);
    assert_string_equal(json_string_value(json_object_get(r, "code")),
                        want_code);
    assert_string_equal(json_string_value(json_object_get(r, "name")),
                        "最低生活保障金给付");
    json_decref(r);
    assert_string_equal(state_of(f, id, 1), "draft");

    /* Not public yet: the public sees nothing, staff see the draft. */
    json_t *v;
    FAILS(app_item_get(f->app, NULL, id, &v, &e), ERR_NOT_FOUND, "");
    OK(app_item_get(f->app, &f->editor, id, &v, &e));
    json_decref(v);

    /* Scope: 霍山's editor may not touch it; the editor may not approve. */
    struct cat_write *w = NULL;
    json_t *body = jbody("{'guide':{'accepting_unit':'x'}}");
    FAILS(run(f,
              app_item_draft_prepare(f->app, &f->hs_editor, id, body, f->arena,
                                     &w, &e),
              &w, &e),
          ERR_FORBIDDEN, "");
    json_decref(body);
    FAILS(act(f, &f->editor, id, CAT_APPROVE, NULL, &e), ERR_FORBIDDEN, "");
    /* From the wrong state: approve a draft. */
    FAILS(act(f, &f->reviewer, id, CAT_APPROVE, NULL, &e), ERR_CONFLICT, "");

    OK(act(f, &f->editor, id, CAT_SUBMIT, NULL, &e));
    assert_string_equal(state_of(f, id, 1), "legal_review");
    /* Reject needs a reason; with one, back to draft. */
    FAILS(act(f, &f->reviewer, id, CAT_REJECT, NULL, &e), ERR_INVALID,
          "/reason");
    OK(act(f, &f->reviewer, id, CAT_REJECT, "受理条件写得不清楚", &e));
    assert_string_equal(state_of(f, id, 1), "draft");
    OK(act(f, &f->editor, id, CAT_SUBMIT, NULL, &e));
    OK(act(f, &f->reviewer, id, CAT_APPROVE, NULL, &e));
    assert_string_equal(state_of(f, id, 1), "public_comment");

    /* Public comment: anyone; an editor replies. */
    body = jbody("{'text':'建议写明可以委托村委会代办'}");
    OK(run(f, app_comment_add_prepare(f->app, NULL, id, body, f->arena, &w, &e),
           &w, &e));
    json_decref(body);
    int64_t cid = app_cat_write_id(f->w);
    body = jbody("{'reply':'已在受理条件中补充'}");
    FAILS(run(f,
              app_comment_reply_prepare(f->app, &f->hs_editor, cid, body,
                                        f->arena, &w, &e),
              &w, &e),
          ERR_FORBIDDEN, "");
    OK(run(f,
           app_comment_reply_prepare(f->app, &f->editor, cid, body, f->arena,
                                     &w, &e),
           &w, &e));
    json_decref(body);
    OK(app_item_comments(f->app, id, &v, &e));
    json_t *c0 = json_array_get(json_object_get(v, "comments"), 0);
    assert_string_equal(json_string_value(json_object_get(c0, "name")), "匿名");
    assert_string_equal(json_string_value(json_object_get(c0, "reply")),
                        "已在受理条件中补充");
    json_decref(v);

    assert_int_equal(search_rows(f), 0);
    OK(act(f, &f->reviewer, id, CAT_PUBLISH, NULL, &e));
    assert_string_equal(state_of(f, id, 1), "published");
    assert_int_equal(search_rows(f), 1);
    /* Comments close with the comment period. */
    body = jbody("{'text':'还能提意见吗'}");
    FAILS(run(f,
              app_comment_add_prepare(f->app, NULL, id, body, f->arena, &w, &e),
              &w, &e),
          ERR_CONFLICT, "");
    json_decref(body);

    /* Public now. */
    OK(app_item_get(f->app, NULL, id, &v, &e));
    assert_int_equal(json_integer_value(json_object_get(v, "version")), 1);
    assert_int_equal(json_integer_value(
                         json_object_get(json_object_get(v, "lint"), "errors")),
                     0);
    json_decref(v);

    /* A new version: a draft copy; the published one stays public. */
    OK(act(f, &f->editor, id, CAT_NEW_VERSION, NULL, &e));
    assert_string_equal(state_of(f, id, 2), "draft");
    char guide[8192];
    snprintf(guide, sizeof guide, k_good_guide, 20);
    body = jbody("{'guide':%s,'version':2}", guide);
    OK(run(
        f,
        app_item_draft_prepare(f->app, &f->editor, id, body, f->arena, &w, &e),
        &w, &e));
    json_decref(body);
    OK(app_item_get(f->app, NULL, id, &v, &e));
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(v, "guide"), "committed_limit_days")),
                     15);
    json_decref(v);
    OK(act(f, &f->editor, id, CAT_SUBMIT, NULL, &e));
    OK(act(f, &f->reviewer, id, CAT_APPROVE, NULL, &e));
    OK(act(f, &f->reviewer, id, CAT_PUBLISH, "承诺时限调整", &e));
    assert_string_equal(state_of(f, id, 1), "superseded");
    assert_string_equal(state_of(f, id, 2), "published");
    assert_int_equal(search_rows(f), 1);

    /* Versions, diff, events. */
    OK(app_item_versions(f->app, NULL, id, &v, &e));
    assert_int_equal(json_array_size(json_object_get(v, "versions")), 2);
    json_decref(v);
    OK(app_item_diff(f->app, NULL, id, 1, 2, &v, &e));
    json_t *ch = json_object_get(v, "changes");
    assert_int_equal(json_array_size(ch), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(ch, 0), "path")),
        "/committed_limit_days");
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(ch, 0), "old")), 15);
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(ch, 0), "new")), 20);
    json_decref(v);
    FAILS(app_item_events(f->app, NULL, id, &v, &e), ERR_FORBIDDEN, "");
    OK(app_item_events(f->app, &f->reviewer, id, &v, &e));
    /* draft, review, reject→draft, review, comment, published, then v2:
     * draft, review, comment, v1 superseded, v2 published. */
    json_t *evs = json_object_get(v, "events");
    assert_int_equal(json_array_size(evs), 11);
    json_t *rej = json_array_get(evs, 2);
    assert_string_equal(json_string_value(json_object_get(rej, "to")), "draft");
    assert_string_equal(json_string_value(json_object_get(rej, "reason")),
                        "受理条件写得不清楚");
    assert_string_equal(json_string_value(json_object_get(rej, "actor")),
                        "jz_legal");
    json_decref(v);

    /* Abolish: reason required; then gone from browse and search. */
    FAILS(act(f, &f->reviewer, id, CAT_ABOLISH, NULL, &e), ERR_INVALID,
          "/reason");
    OK(act(f, &f->reviewer, id, CAT_ABOLISH, "职能调整，事项取消", &e));
    assert_string_equal(state_of(f, id, 2), "abolished");
    assert_int_equal(search_rows(f), 0);
    struct item_query q = {.region = JZ, .max_visits = -1};
    OK(app_item_browse(f->app, &q, &v, &e));
    assert_int_equal(json_array_size(json_object_get(v, "items")), 0);
    json_decref(v);
    FAILS(act(f, &f->editor, id, CAT_NEW_VERSION, NULL, &e), ERR_CONFLICT, "");
}

static void test_item_rules(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct cat_write *w = NULL;
    mk_base(f, "BM3415-0001", "最低生活保障金给付", "低保");
    /* A main item with a sub-item: only the leaf can be implemented. */
    json_t *b = jbody("{'code':'BM3415-0002','name':'出生登记',"
                      "'parent':'BM3415-0001','type':'confirmation',"
                      "'themes':['household'],'audience':['natural'],"
                      "'supply':'must','legal_basis':[{'law':'户口登记条例'}],"
                      "'levels':[3],'region':'%s'}",
                      JZ);
    OK(run(f, app_base_create_prepare(f->app, &f->editor, b, f->arena, &w, &e),
           &w, &e));
    json_decref(b);
    b = jbody("{'base':'BM3415-0001','org_id':%lld}", (long long)f->mz);
    FAILS(run(f,
              app_item_create_prepare(f->app, &f->editor, b, f->arena, &w, &e),
              &w, &e),
          ERR_INVALID, "/base");
    json_decref(b);
    /* Level: a county base item cannot be implemented by a city org. */
    int64_t city_org;
    struct db *db = store_read(app_store(f->app), &e);
    OK(store_org_id_by_credit(db, "113415000000010112", &city_org, &e));
    store_read_done(app_store(f->app), db);
    b = jbody("{'base':'BM3415-0002','org_id':%lld}", (long long)city_org);
    FAILS(run(f,
              app_item_create_prepare(f->app, &f->admin, b, f->arena, &w, &e),
              &w, &e),
          ERR_INVALID, "/org_id");
    json_decref(b);
    /* An org without a credit code cannot implement. */
    int64_t nocredit;
    static const char SQL_NOCREDIT[] =
        "INSERT INTO orgs (kind, name, region, created_at, updated_at) "
        "VALUES ('department', '金寨县无代码局', '341524000000', 0, 0) "
        "RETURNING id";
    db = db_open(f->url, 1, &e);
    OK(db_query_int(db, SQL_NOCREDIT, NULL, 0, &nocredit, &e));
    db_close(db);
    b = jbody("{'base':'BM3415-0002','org_id':%lld}", (long long)nocredit);
    FAILS(run(f,
              app_item_create_prepare(f->app, &f->editor, b, f->arena, &w, &e),
              &w, &e),
          ERR_INVALID, "/org_id");
    json_decref(b);
    /* Body shape: unknown keys, wrong types inside the guide. */
    b = jbody("{'base':'BM3415-0002','org_id':%lld,'colour':'red'}",
              (long long)f->mz);
    FAILS(app_item_create_prepare(f->app, &f->editor, b, f->arena, &w, &e),
          ERR_INVALID, "/colour");
    json_decref(b);
    b = jbody("{'base':'BM3415-0002','org_id':%lld,'guide':{'steps':"
              "[{'name':'受理','limit_days':'一天'}]}}",
              (long long)f->mz);
    FAILS(app_item_create_prepare(f->app, &f->editor, b, f->arena, &w, &e),
          ERR_INVALID, "/guide/steps/0/limit_days");
    json_decref(b);
    /* Business numbers count up; the same number twice is a conflict. */
    b = jbody("{'base':'BM3415-0002','org_id':%lld}", (long long)f->mz);
    OK(run(f, app_item_create_prepare(f->app, &f->editor, b, f->arena, &w, &e),
           &w, &e));
    OK(run(f, app_item_create_prepare(f->app, &f->editor, b, f->arena, &w, &e),
           &w, &e));
    json_t *r = app_cat_write_take(f->w);
    assert_int_equal(json_integer_value(json_object_get(r, "business_no")), 2);
    json_decref(r);
    json_decref(b);
    b = jbody("{'base':'BM3415-0002','org_id':%lld,'business_no':1}",
              (long long)f->mz);
    FAILS(run(f,
              app_item_create_prepare(f->app, &f->editor, b, f->arena, &w, &e),
              &w, &e),
          ERR_CONFLICT, "/business_no");
    json_decref(b);
    /* A base item needs a legal basis; its code is unique. */
    b = jbody("{'code':'BM3415-0003','name':'某事项','type':'benefit',"
              "'themes':['other'],'audience':['natural'],'supply':'must',"
              "'legal_basis':[],'levels':[3],'region':'%s'}",
              JZ);
    FAILS(app_base_create_prepare(f->app, &f->editor, b, f->arena, &w, &e),
          ERR_INVALID, "/legal_basis");
    json_decref(b);
    /* National base items (no region) need a province-level grant. */
    b = jbody("{'code':'BM0000-0001','name':'全国事项','type':'benefit',"
              "'themes':['other'],'audience':['natural'],'supply':'must',"
              "'legal_basis':[{'law':'某法'}],'levels':[3]}");
    FAILS(app_base_create_prepare(f->app, &f->editor, b, f->arena, &w, &e),
          ERR_FORBIDDEN, "/region");
    OK(run(f, app_base_create_prepare(f->app, &f->admin, b, f->arena, &w, &e),
           &w, &e));
    json_decref(b);
    /* A base update keeps history; a stale revision is refused. */
    int64_t bid = app_cat_write_id(f->w);
    b = jbody("{'aliases':['全国'],'revision':1,'reason':'补充简称'}");
    OK(run(f,
           app_base_update_prepare(f->app, &f->admin, bid, b, f->arena, &w, &e),
           &w, &e));
    FAILS(run(f,
              app_base_update_prepare(f->app, &f->admin, bid, b, f->arena, &w,
                                      &e),
              &w, &e),
          ERR_CONFLICT, "/revision");
    json_decref(b);
    OK(app_base_get(f->app, bid, &r, &e));
    assert_int_equal(json_array_size(json_object_get(r, "history")), 2);
    assert_int_equal(json_integer_value(json_object_get(r, "revision")), 2);
    json_decref(r);
}

/* ---- lint blocks publication
 * ------------------------------------------------- */

static void test_publish_refused_by_lint(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    mk_base(f, "BM3415-0001", "最低生活保障金给付", "低保");
    int64_t id = mk_item(f, "BM3415-0001", 31); /* 31 > 30 legal days */
    OK(act(f, &f->editor, id, CAT_SUBMIT, NULL, &e));
    OK(act(f, &f->reviewer, id, CAT_APPROVE, NULL, &e));
    int64_t events = count(f, "SELECT count(*) FROM item_events");
    FAILS(act(f, &f->reviewer, id, CAT_PUBLISH, NULL, &e), ERR_INVALID,
          "/guide/committed_limit_days");
    assert_true(app_cat_write_refused(f->w, NULL));
    json_t *lint = app_cat_write_lint(f->w);
    assert_non_null(lint);
    json_t *f0 = json_array_get(json_object_get(lint, "findings"), 0);
    assert_string_equal(json_string_value(json_object_get(f0, "code")),
                        "committed_over_legal");
    json_decref(lint);
    /* Nothing moved. */
    assert_string_equal(state_of(f, id, 1), "public_comment");
    assert_int_equal(count(f, "SELECT count(*) FROM item_events"), events);
    assert_int_equal(count(f, "SELECT count(*) FROM items WHERE "
                              "current_version IS NOT NULL"),
                     0);
    assert_int_equal(search_rows(f), 0);
}

/* ---- published versions are immutable
 * ------------------------------------------- */

static void test_published_immutable(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    mk_base(f, "BM3415-0001", "最低生活保障金给付", "低保");
    int64_t id = mk_item(f, "BM3415-0001", 15);
    OK(act(f, &f->editor, id, CAT_SUBMIT, NULL, &e));
    OK(act(f, &f->reviewer, id, CAT_APPROVE, NULL, &e));
    OK(act(f, &f->reviewer, id, CAT_PUBLISH, NULL, &e));

    /* By the app: only drafts are edited. */
    struct cat_write *w = NULL;
    json_t *b = jbody("{'guide':{'accepting_unit':'改过的单位'}}");
    FAILS(
        run(f,
            app_item_draft_prepare(f->app, &f->editor, id, b, f->arena, &w, &e),
            &w, &e),
        ERR_CONFLICT, "");
    json_decref(b);

    /* By raw SQL, on a connection of its own: the database refuses. */
    struct db *db = db_open(f->url, 1, &e);
    assert_non_null(db);
    static const char *const k_raw[] = {
        "UPDATE item_versions SET guide = '{}' WHERE state = 'published'",
        "UPDATE item_versions SET state = 'draft' WHERE state = 'published'",
        "UPDATE item_versions SET version = 7 WHERE state = 'published'",
        "DELETE FROM item_versions WHERE state = 'published'",
        "UPDATE item_events SET reason = 'x'",
        "DELETE FROM item_events",
    };
    for (size_t i = 0; i < sizeof k_raw / sizeof *k_raw; i++) {
        err_clear(&e);
        if (db_script(db, k_raw[i], &e) == 0)
            fail_msg("raw SQL succeeded: %s", k_raw[i]);
        assert_int_equal(e.code, ERR_INVALID);
    }
    /* Its state may still move on (superseded, abolished). */
    OK(db_script(db,
                 "UPDATE item_versions SET state = 'superseded' "
                 "WHERE state = 'published'",
                 &e));
    err_clear(&e);
    assert_int_not_equal(db_script(db,
                                   "UPDATE item_versions SET guide = "
                                   "'{\"a\":1}' WHERE state = 'superseded'",
                                   &e),
                         0);
    db_close(db);
    json_t *v;
    OK(app_item_version(f->app, NULL, id, 1, &v, &e));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(v, "guide"), "accepting_unit")),
                        "金寨县民政局");
    json_decref(v);
}

/* ---- publication with the k-th store call failing
 * ----------------------------------- */


struct snap {
    int64_t events, published, search, superseded;
};

static struct snap snapshot(struct fx *f)
{
    struct snap s = {
        count(f, "SELECT count(*) FROM item_events"),
        count(f,
              "SELECT count(*) FROM item_versions WHERE state = 'published'"),
        search_rows(f),
        count(f, "SELECT count(*) FROM item_versions WHERE state = "
                 "'superseded'"),
    };
    return s;
}

static void test_fault_publish(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    mk_base(f, "BM3415-0001", "最低生活保障金给付", "低保");
    int64_t id = mk_item(f, "BM3415-0001", 15);
    /* Version 1 published, version 2 in public comment: publishing it
     * supersedes 1, moves 2, writes two events, the item and the index. */
    OK(act(f, &f->editor, id, CAT_SUBMIT, NULL, &e));
    OK(act(f, &f->reviewer, id, CAT_APPROVE, NULL, &e));
    OK(act(f, &f->reviewer, id, CAT_PUBLISH, NULL, &e));
    OK(act(f, &f->editor, id, CAT_NEW_VERSION, NULL, &e));
    OK(act(f, &f->editor, id, CAT_SUBMIT, NULL, &e));
    OK(act(f, &f->reviewer, id, CAT_APPROVE, NULL, &e));
    struct snap before = snapshot(f);
    assert_int_equal(before.published, 1);
    assert_int_equal(before.search, 1);

    struct db *real = db_open(f->url, 1, &e);
    assert_non_null(real);
    int fired_any = 0;
    for (int k = 1;; k++) {
        struct faulty fd;
        faulty_init(&fd, real, k);
        struct cat_write *w = NULL;
        json_t *body = json_object();
        OK(app_item_transition_prepare(f->app, &f->reviewer, id, CAT_PUBLISH,
                                       body, f->arena, &w, &e));
        json_decref(body);
        OK(db_script(real, testdb_is_pg() ? "BEGIN" : "BEGIN IMMEDIATE", &e));
        err_clear(&e);
        int rc = app_cat_write_unit(&fd.base, w, &e);
        app_cat_write_free(w);
        if (rc) {
            assert_true(fd.fired);
            assert_int_equal(e.code, ERR_UNAVAILABLE);
            OK(db_script(real, "ROLLBACK", &e));
            struct snap now = snapshot(f);
            assert_memory_equal(&now, &before, sizeof now);
            assert_string_equal(state_of(f, id, 2), "public_comment");
            fired_any = 1;
            continue;
        }
        OK(db_script(real, "COMMIT", &e));
        assert_false(fd.fired);
        break;
    }
    assert_true(fired_any);
    db_close(real);
    assert_string_equal(state_of(f, id, 1), "superseded");
    assert_string_equal(state_of(f, id, 2), "published");
    struct snap after = snapshot(f);
    assert_int_equal(after.events, before.events + 2);
    assert_int_equal(after.search, 1);
}

/* ---- import
 * ------------------------------------------------------------------------- */

static int import_text(struct fx *f, const char *name, const char *text,
                       enum cat_publish pub, struct cat_import_report *rep,
                       struct err *e)
{
    struct cat_import_opts o = {.publish = pub};
    return app_catalogue_import_buffer(f->app, NULL, name, text, strlen(text),
                                       &o, rep, e);
}

static void test_import_all_or_nothing(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct cat_import_report rep;
    /* The second item's guide has a text where a number belongs. */
    static const char k_bad_json[] =
        "{\"base_items\":[{\"code\":\"BM3415-0001\",\"name\":\"最低生活保障\","
        "\"type\":\"benefit\",\"themes\":[\"poverty\"],\"audience\":["
        "\"natural\"],"
        "\"supply\":\"must\",\"legal_basis\":[{\"law\":\"社会救助暂行办法\"}],"
        "\"levels\":[3]}],"
        "\"items\":[{\"base\":\"BM3415-0001\",\"org_credit_code\":\"" MZ_CREDIT
        "\",\"guide\":{}},"
        "{\"base\":\"BM3415-0001\",\"org_credit_code\":\"" MZ_CREDIT
        "\",\"business_no\":2,\"guide\":{\"visits\":\"一次\"}}]}";
    FAILS(import_text(f, "bad.json", k_bad_json, CAT_IMPORT_DRAFT, &rep, &e),
          ERR_INVALID, "bad.json#/items/1");
    assert_non_null(strstr(e.msg, "/guide/visits"));
    assert_int_equal(count(f, "SELECT count(*) FROM base_items"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM items"), 0);

    /* A row that only the database can refuse (an unknown organisation),
     * after good rows were written: the unit rolls everything back. */
    static const char k_bad_org[] =
        "{\"base_items\":[{\"code\":\"BM3415-0001\",\"name\":\"最低生活保障\","
        "\"type\":\"benefit\",\"themes\":[\"poverty\"],\"audience\":["
        "\"natural\"],"
        "\"supply\":\"must\",\"legal_basis\":[{\"law\":\"社会救助暂行办法\"}],"
        "\"levels\":[3]}],"
        "\"items\":[{\"base\":\"BM3415-0001\",\"org_credit_code\":\"" MZ_CREDIT
        "\",\"guide\":{}},"
        "{\"base\":\"BM3415-0001\",\"org_credit_code\":\"11341524000009999X\","
        "\"guide\":{}}]}";
    char fixed[2048];
    /* a well-formed but unknown credit code */
    snprintf(fixed, sizeof fixed, "%s", k_bad_org);
    char unknown[19] = "11341524000009999";
    unknown[17] = ids_uscc_check_char(unknown);
    unknown[18] = '\0';
    char *p = strstr(fixed, "11341524000009999X");
    memcpy(p, unknown, 18);
    FAILS(import_text(f, "org.json", fixed, CAT_IMPORT_DRAFT, &rep, &e),
          ERR_INVALID, "org.json#/items/1");
    assert_int_equal(count(f, "SELECT count(*) FROM base_items"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM items"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM item_versions"), 0);

    /* CSV: the bad row is named by file and line. */
    static const char k_bad_csv[] =
        "record,code,base,name,type,themes,audience,supply,levels,legal_basis,"
        "org_credit_code,visits\n"
        "base,BM3415-0001,,最低生活保障,benefit,poverty,natural,must,3,"
        "\"[{\"\"law\"\":\"\"社会救助暂行办法\"\"}]\",,\n"
        "item,,BM3415-0001,,,,,,,," MZ_CREDIT ",1\n"
        "item,,BM3415-0001,,,,,,,," MZ_CREDIT ",many\n";
    FAILS(import_text(f, "bad.csv", k_bad_csv, CAT_IMPORT_DRAFT, &rep, &e),
          ERR_INVALID, "bad.csv:4");
    assert_int_equal(count(f, "SELECT count(*) FROM base_items"), 0);

    /* Publishing imports refuse a guide the lint refuses, naming it. */
    static const char k_lint[] =
        "{\"base_items\":[{\"code\":\"BM3415-0001\",\"name\":\"最低生活保障\","
        "\"type\":\"benefit\",\"themes\":[\"poverty\"],\"audience\":["
        "\"natural\"],"
        "\"supply\":\"must\",\"legal_basis\":[{\"law\":\"社会救助暂行办法\"}],"
        "\"levels\":[3]}],"
        "\"items\":[{\"base\":\"BM3415-0001\",\"org_credit_code\":\"" MZ_CREDIT
        "\",\"guide\":{}}]}";
    FAILS(import_text(f, "lint.json", k_lint, CAT_IMPORT_PUBLISH, &rep, &e),
          ERR_INVALID, "lint.json#/items/0");
    assert_int_equal(count(f, "SELECT count(*) FROM items"), 0);
    /* As drafts it goes in; as-is it is published with lint errors. */
    OK(import_text(f, "lint.json", k_lint, CAT_IMPORT_DRAFT, &rep, &e));
    assert_int_equal(rep.items_new, 1);
    assert_int_equal(rep.published, 0);
    OK(import_text(f, "lint.json", k_lint, CAT_IMPORT_AS_IS, &rep, &e));
    assert_int_equal(rep.published, 1);
    assert_int_equal(rep.with_lint_errors, 1);
    OK(import_text(f, "lint.json", k_lint, CAT_IMPORT_AS_IS, &rep, &e));
    assert_int_equal(rep.items_same, 1);
    assert_int_equal(rep.published, 0);
}

static void test_import_mini_and_browse(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct cat_import_report rep;
    struct cat_import_opts o = {.publish = CAT_IMPORT_PUBLISH};
    OK(app_catalogue_import_file(
        f->app, BIANMIN_DATA_DIR "/../tests/fixtures/catalogue-mini.json", &o,
        &rep, &e));
    assert_int_equal(rep.bases_new, 6);
    assert_int_equal(rep.items_new, 6);
    assert_int_equal(rep.published, 6);
    assert_int_equal(rep.orgs_new, 3);
    /* Browse from 青山社区 (village of 梅山镇, 金寨县): the township's,
     * county's and city's items, not 霍山's. */
    struct item_query q = {.region = "341524100001", .max_visits = -1};
    json_t *v;
    OK(app_item_browse(f->app, &q, &v, &e));
    json_t *items = json_object_get(v, "items");
    int seen_city = 0, seen_town = 0, seen_county = 0;
    size_t i;
    json_t *x;
    json_array_foreach(items, i, x)
    {
        const char *r = json_string_value(json_object_get(x, "region"));
        assert_string_not_equal(r, HS);
        seen_city |= !strcmp(r, "341500000000");
        seen_town |= !strcmp(r, "341524100000");
        seen_county |= !strcmp(r, JZ);
    }
    assert_true(seen_city && seen_town && seen_county);
    assert_int_equal(json_array_size(items), 5);
    json_decref(v);
    /* Filters: theme, type, mode, visits. */
    q = (struct item_query){
        .region = "341524100001", .theme = "elderly", .max_visits = -1};
    OK(app_item_browse(f->app, &q, &v, &e));
    assert_int_equal(json_array_size(json_object_get(v, "items")), 2);
    json_decref(v);
    q = (struct item_query){.max_visits = 0};
    OK(app_item_browse(f->app, &q, &v, &e));
    assert_int_equal(json_array_size(json_object_get(v, "items")), 1);
    json_decref(v);
    q = (struct item_query){.mode = "agent", .max_visits = -1};
    OK(app_item_browse(f->app, &q, &v, &e));
    assert_int_equal(json_array_size(json_object_get(v, "items")), 1);
    json_decref(v);
    q = (struct item_query){.theme = "nonsense", .max_visits = -1};
    FAILS(app_item_browse(f->app, &q, &v, &e), ERR_INVALID, "theme");
    /* Paging by id. */
    q = (struct item_query){.limit = 4, .max_visits = -1};
    OK(app_item_browse(f->app, &q, &v, &e));
    assert_int_equal(json_array_size(json_object_get(v, "items")), 4);
    int64_t next = json_integer_value(json_object_get(v, "next_after"));
    json_decref(v);
    q.after = next;
    OK(app_item_browse(f->app, &q, &v, &e));
    assert_int_equal(json_array_size(json_object_get(v, "items")), 2);
    assert_true(json_is_null(json_object_get(v, "next_after")));
    json_decref(v);

    /* Export and import again: nothing changes. */
    json_t *m;
    OK(app_catalogue_export(f->app, 0, &m, &e));
    char *text = json_dumps(m, JSON_COMPACT);
    json_decref(m);
    OK(import_text(f, "export.json", text, CAT_IMPORT_PUBLISH, &rep, &e));
    free(text);
    assert_int_equal(rep.bases_same, 6);
    assert_int_equal(rep.items_same, 6);
    /* CSV round trip too. */
    size_t n;
    OK(app_catalogue_export_csv(f->app, 0, &text, &n, &e));
    OK(import_text(f, "export.csv", text, CAT_IMPORT_PUBLISH, &rep, &e));
    free(text);
    assert_int_equal(rep.format[0], 'c');
    assert_int_equal(rep.bases_same, 6);
    assert_int_equal(rep.items_same, 6);

    /* The audit: every current version is lint-clean but one warning. */
    json_t *audit;
    OK(app_catalogue_audit(f->app, &audit, &e));
    assert_int_equal(json_integer_value(json_object_get(audit, "items")), 6);
    assert_int_equal(json_integer_value(json_object_get(audit, "errors")), 0);
    json_decref(audit);
}

static void test_import_real_extracts(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct cat_import_report rep;
    struct cat_import_opts o = {.publish = CAT_IMPORT_AS_IS};
    const char *ga =
        BIANMIN_SHARED_DIR "/data/guides/guangan-511602-catalogue-sample.csv";
    /* Without the divisions of 四川 the first row names the region. */
    FAILS(app_catalogue_import_file(f->app, ga, &o, &rep, &e), ERR_INVALID,
          "guangan-511602-catalogue-sample.csv:2");
    assert_non_null(strstr(e.msg, "511602000000"));
    assert_int_equal(count(f, "SELECT count(*) FROM base_items"), 0);
    static const char *const k_files[] = {"provinces.csv", "cities.csv",
                                          "areas.csv"};
    OK(load_regions(f->app, BIANMIN_SHARED_DIR "/data/divisions", k_files, 3,
                    &e));
    OK(app_catalogue_import_file(f->app, ga, &o, &rep, &e));
    assert_string_equal(rep.format, "sczwfw-csv");
    assert_int_equal(rep.items_new, 160);
    assert_int_equal(rep.bases_new, 160);
    assert_int_equal(rep.orgs_new, 10);
    assert_int_equal(rep.published, 160);
    assert_int_equal(rep.with_lint_errors, 160);
    /* Real codes are kept as given; the department got the credit code
     * its items' codes name. */
    int64_t id = 0;
    struct db *db = store_read(app_store(f->app), &e);
    static const char SQL_ITEM[] =
        "SELECT i.id FROM items i JOIN orgs o ON o.id = i.org_id WHERE "
        "i.code = '511F0167300000-511602000000-000-45225901-3-2-00' AND "
        "o.name = '区气象局' AND o.credit_code = '12511300452259013M' AND "
        "i.region = '511602000000' AND i.business_no = 2";
    OK(db_query_int(db, SQL_ITEM, NULL, 0, &id, &e));
    store_read_done(app_store(f->app), db);
    json_t *v;
    OK(app_item_get(f->app, NULL, id, &v, &e));
    assert_string_equal(json_string_value(json_object_get(v, "type")),
                        "confirmation"); /* task_type 7 */
    assert_string_equal(json_string_value(json_object_get(v, "org_name")),
                        "区气象局");
    json_decref(v);
    /* Importing again changes nothing. */
    OK(app_catalogue_import_file(f->app, ga, &o, &rep, &e));
    assert_int_equal(rep.items_same, 160);
    assert_int_equal(rep.orgs_new, 0);

    /* 辽宁: base items with their full legal basis, cleaned. */
    o.publish = CAT_IMPORT_DRAFT;
    OK(app_catalogue_import_file(f->app,
                                 BIANMIN_SHARED_DIR
                                 "/data/guides/liaoning-catalogue-sample.json",
                                 &o, &rep, &e));
    assert_string_equal(rep.format, "lnzwfw-json");
    assert_int_equal(rep.bases_new, 30);
    struct base_query bq = {.q = "210973001000"};
    OK(app_base_list(f->app, &bq, &v, &e));
    json_t *b = json_array_get(json_object_get(v, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(b, "type")),
                        "ruling");
    json_t *lv = json_object_get(b, "levels"); /* 实施层级 2,3 */
    assert_int_equal(json_array_size(lv), 2);
    assert_int_equal(json_integer_value(json_array_get(lv, 0)), 1);
    assert_int_equal(json_integer_value(json_array_get(lv, 1)), 2);
    json_t *lb = json_object_get(b, "legal_basis");
    assert_int_equal(json_array_size(lb), 2);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(lb, 0), "law")),
        "中华人民共和国专利法");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(lb, 0), "article")),
        "第六十五条");
    json_decref(v);
    /* A basis published with a leading ';' and stray quotes. */
    bq.q = "000524021000";
    OK(app_base_list(f->app, &bq, &v, &e));
    b = json_array_get(json_object_get(v, "items"), 0);
    lb = json_object_get(b, "legal_basis");
    const char *t =
        json_string_value(json_object_get(json_array_get(lb, 0), "text"));
    assert_true(t[0] != ';' && t[0] != '"');
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(lb, 0), "law")),
        "军人抚恤优待条例");
    assert_string_equal(json_string_value(json_object_get(b, "type")),
                        "benefit");
    json_decref(v);
    bq.q = "210223060000";
    OK(app_base_list(f->app, &bq, &v, &e));
    b = json_array_get(json_object_get(v, "items"), 0);
    t = json_string_value(json_object_get(
        json_array_get(json_object_get(b, "legal_basis"), 0), "text"));
    assert_true(t[0] != '"' && t[strlen(t) - 1] != '"');
    json_decref(v);
}

static void test_demo_catalogue(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int items = 0;
    int users;
    OK(app_demo_users(f->app, &users, &e));
    OK(app_demo_catalogue(f->app, &items, &e));
    FILE *fp = fopen(BIANMIN_DATA_DIR "/demo/catalogue.json", "r");
    if (!fp) {
        assert_int_equal(items, 0);
        return;
    }
    fclose(fp);
    assert_true(items >= 60);
    json_t *audit;
    OK(app_catalogue_audit(f->app, &audit, &e));
    assert_int_equal(json_integer_value(json_object_get(audit, "errors")), 0);
    json_decref(audit);
    /* Loading twice changes nothing. */
    int again = 0;
    OK(app_demo_catalogue(f->app, &again, &e));
    assert_int_equal(again, items);
    /* Every level of 六安 has items; every theme has one. */
    static const char *const k_themes[] = {
        "education",     "employment",  "social_security",
        "health",        "housing",     "culture_sports",
        "poverty",       "elderly",     "disability",
        "civil_affairs", "household",   "birth",
        "business",      "agriculture", "natural_resources",
        "transport",     "veterans",    "legal",
        "tax",           "other"};
    for (size_t i = 0; i < sizeof k_themes / sizeof *k_themes; i++) {
        struct item_query q = {.theme = k_themes[i], .max_visits = -1};
        json_t *v;
        OK(app_item_browse(f->app, &q, &v, &e));
        if (json_array_size(json_object_get(v, "items")) == 0)
            fprintf(stderr, "note: no demo item of theme %s\n", k_themes[i]);
        json_decref(v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_life_cycle, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_item_rules, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_publish_refused_by_lint, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_published_immutable, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_fault_publish, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_import_all_or_nothing, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_import_mini_and_browse, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_import_real_extracts, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_demo_catalogue, fx_setup,
                                        fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
