/* test_orgs.c — the organisation use cases (app_orgs.h) on a real database,
 * once per driver (BIANMIN_TEST_DB = sqlite | postgres, see testdb.h). Each
 * test gets a fresh database with the schema and the demo divisions of
 * 六安市 (data/demo/regions), then drives the app: nested creates, the
 * all-or-nothing unit (also by failing its k-th store call, k = 1, 2, …),
 * every refusal of every write with its code and JSON pointer, region
 * scope, optimistic revisions, delete guards, lists and the demo. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>

#include "app/app.h"
#include "app/app_orgs.h"
#include "app/app_regions.h"
#include "app/demo.h"
#include "core/arena.h"
#include "core/ids.h"
#include "store/orgs.h"
#include "faulty.h"
#include "testdb.h"

#ifndef BIANMIN_DATA_DIR
#define BIANMIN_DATA_DIR "data"
#endif

#define CITY "341500000000"     /* 六安市 */
#define JZ "341524000000"       /* 金寨县 */
#define HS "341525000000"       /* 霍山县 */
#define MEISHAN "341524100000"  /* 梅山镇, 金寨县 */
#define MABU "341524101000"     /* 麻埠镇, 金寨县 */
#define QINGSHAN "341524100001" /* 青山社区, 梅山镇 */
#define HENGSHAN "341525100000" /* 衡山镇, 霍山县 */

struct fx {
    char url[512];
    struct app *app;
    struct arena *arena;
    struct org_write *w; /* the last successful write */
    struct actor admin;  /* sys_admin of 安徽省 */
    struct actor jz;     /* centre_admin of 金寨县 */
    struct actor clerk;  /* clerk of 金寨县: no CAP_ORG_WRITE */
};

static struct actor mk_actor(int64_t uid, enum role role, const char *region)
{
    struct actor a = {.user_id = uid, .n_grants = 1};
    a.grants[0].role = role;
    snprintf(a.grants[0].region, sizeof a.grants[0].region, "%s", region);
    return a;
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
    if (!f->app || store_migrate(app_store(f->app), NULL, &e)) {
        fprintf(stderr, "setup %s: %s (%s)\n", f->url, e.msg, e.log);
        goto fail;
    }
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
    if (app_regions_import(f->app, ptrs, 5, &rep, &e)) {
        fprintf(stderr, "regions: %s [%s]\n", e.msg, e.field);
        goto fail;
    }
    f->arena = arena_new();
    f->admin = mk_actor(1, ROLE_SYS_ADMIN, "340000000000");
    f->jz = mk_actor(2, ROLE_CENTRE_ADMIN, JZ);
    f->clerk = mk_actor(3, ROLE_CLERK, JZ);
    *state = f;
    return 0;
fail:
    app_close(f->app);
    testdb_drop(f->url);
    free(f);
    return -1;
}

static int fx_teardown(void **state)
{
    struct fx *f = *state;
    app_close(f->app);
    arena_free(f->arena);
    testdb_drop(f->url);
    free(f);
    return 0;
}

/* ---- helpers ------------------------------------------------------------ */

#define OK(call)                                                               \
    do {                                                                       \
        err_clear(&e);                                                         \
        if ((call) != 0)                                                       \
            fail_msg("%s: %s [%s] (%s)", #call, e.msg, e.field, e.log);        \
    } while (0)

/* FAILS — the call fails with code and JSON pointer field. */
#define FAILS(call, want_code, want_field)                                     \
    do {                                                                       \
        err_clear(&e);                                                         \
        if ((call) == 0)                                                       \
            fail_msg("%s: succeeded; wanted %s [%s]", #call,                   \
                     err_code_name(want_code), want_field);                    \
        if (e.code != (want_code) || strcmp(e.field, want_field) != 0)         \
            fail_msg("%s: got %s [%s] %s; wanted %s [%s]", #call,              \
                     err_code_name(e.code), e.field, e.msg,                    \
                     err_code_name(want_code), want_field);                    \
        if (!e.msg[0])                                                         \
            fail_msg("%s: no message", #call);                                 \
    } while (0)

enum t_op {
    ORG_C,
    ORG_U,
    ORG_D,
    HALL_C,
    HALL_U,
    HALL_D,
    WIN_C,
    WIN_U,
    WIN_D
};

/* wr — prepare and run one write. fmt is JSON with ' for " (printf
 * format), NULL for deletes. f->w is the write on success. */
static int wr(struct fx *f, enum t_op op, const struct actor *a, int64_t id,
              struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static int wr(struct fx *f, enum t_op op, const struct actor *a, int64_t id,
              struct err *e, const char *fmt, ...)
{
    json_t *body = NULL;
    if (fmt) {
        char text[16384];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(text, sizeof text, fmt, ap);
        va_end(ap);
        for (char *p = text; *p; p++)
            if (*p == '\'')
                *p = '"';
        json_error_t je;
        body = json_loads(text, JSON_DECODE_ANY, &je);
        if (!body)
            fail_msg("bad test JSON: %s: %s", je.text, text);
    }
    struct org_write *w = NULL;
    int rc = -1;
    switch (op) {
    case ORG_C:
        rc = app_org_create_prepare(f->app, a, body, f->arena, &w, e);
        break;
    case ORG_U:
        rc = app_org_update_prepare(f->app, a, id, body, f->arena, &w, e);
        break;
    case ORG_D:
        rc = app_org_delete_prepare(f->app, a, id, f->arena, &w, e);
        break;
    case HALL_C:
        rc = app_hall_create_prepare(f->app, a, id, body, f->arena, &w, e);
        break;
    case HALL_U:
        rc = app_hall_update_prepare(f->app, a, id, body, f->arena, &w, e);
        break;
    case HALL_D:
        rc = app_hall_delete_prepare(f->app, a, id, f->arena, &w, e);
        break;
    case WIN_C:
        rc = app_window_create_prepare(f->app, a, id, body, f->arena, &w, e);
        break;
    case WIN_U:
        rc = app_window_update_prepare(f->app, a, id, body, f->arena, &w, e);
        break;
    case WIN_D:
        rc = app_window_delete_prepare(f->app, a, id, f->arena, &w, e);
        break;
    }
    json_decref(body);
    if (rc == 0)
        rc = app_org_write_run(f->app, w, e);
    if (rc == 0)
        f->w = w;
    return rc;
}

static int64_t last_id(const struct fx *f)
{
    return app_org_write_id(f->w);
}

/* cc — a well-formed credit code: 11 + region6 + 00 + 7-digit serial +
 * check character. In the fixture's arena. */
static const char *cc(struct fx *f, const char *region, int serial)
{
    char *s = arena_alloc(f->arena, 19);
    snprintf(s, 19, "11%.6s00%07d", region, serial);
    s[17] = ids_uscc_check_char(s);
    s[18] = '\0';
    return s;
}

struct counts {
    int64_t orgs, halls, windows;
};

static struct counts counts(struct fx *f)
{
    struct err e = {0};
    struct counts c = {0};
    struct db *db = store_read(app_store(f->app), &e);
    assert_non_null(db);
    OK(store_org_counts(db, &c.orgs, &c.halls, &c.windows, &e));
    store_read_done(app_store(f->app), db);
    return c;
}

/* A department of 金寨县 (民政局); its id. */
static int64_t mk_dept(struct fx *f, const char *name, const char *region,
                       int serial)
{
    struct err e = {0};
    OK(wr(f, ORG_C, &f->admin, 0, &e,
          "{'kind':'department','name':'%s','region':'%s',"
          "'credit_code':'%s'}",
          name, region, cc(f, region, serial)));
    return last_id(f);
}

/* A 金寨县 service centre with one hall of two windows; its id. */
static int64_t mk_centre(struct fx *f, const char *name, const char *region,
                         int serial)
{
    struct err e = {0};
    OK(wr(f, ORG_C, &f->admin, 0, &e,
          "{'kind':'service_centre','name':'%s','region':'%s',"
          "'credit_code':'%s','halls':[{'name':'大厅','windows':["
          "{'number':'A01','name':'综合窗口'},"
          "{'number':'A02','name':'综合窗口'}]}]}",
          name, region, cc(f, region, serial)));
    return last_id(f);
}

static const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* ---- creating ------------------------------------------------------------ */

static void test_create_nested(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int64_t mz = mk_dept(f, "金寨县民政局", JZ, 1);
    int64_t city_dept = mk_dept(f, "六安市市场监督管理局", CITY, 2);
    char lower[19];
    snprintf(lower, sizeof lower, "%s", cc(f, "341524", 3));
    for (char *p = lower; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');

    OK(wr(f, ORG_C, &f->jz, 0, &e,
          "{'kind':'service_centre','name':'金寨县政务服务中心',"
          "'short_name':'县中心','region':'%s','credit_code':'%s',"
          "'address':'梅山镇红军大道1号','phone':'0564-7066000',"
          "'hours':'周一至周五','halls':["
          "{'name':'一楼大厅','address':'一楼','windows':["
          "{'number':'A01','name':'综合受理'},"
          "{'number':'B01','name':'民政窗口','kind':'department',"
          "'dept_id':%lld},"
          "{'number':'B02','name':'市场监管','kind':'department',"
          "'dept_id':%lld,'active':false}]},"
          "{'name':'二楼大厅'}]}",
          JZ, lower, (long long)mz, (long long)city_dept));
    const struct org_view *v = app_org_write_org(f->w);
    assert_non_null(v);
    assert_true(v->id > 0);
    assert_int_equal(v->id, last_id(f));
    assert_string_equal(v->kind, "service_centre");
    assert_string_equal(v->region_name, "金寨县");
    assert_string_equal(v->credit_code, cc(f, "341524", 3)); /* upper */
    assert_int_equal(v->revision, 1);
    assert_int_equal(v->n_halls, 2);
    assert_int_equal(v->halls[0].n_windows, 3);
    assert_int_equal(v->halls[1].n_windows, 0);
    assert_string_equal(v->halls[0].windows[1].dept_name, "金寨县民政局");
    assert_int_equal(v->halls[0].windows[2].active, 0);

    /* GET gives the same, and the JSON has the documented shape. */
    struct org_view *g;
    OK(app_org_get(f->app, v->id, f->arena, &g, &e));
    json_t *j = app_org_json(g);
    assert_string_equal(jstr(j, "kind_name"), "政务服务中心");
    assert_string_equal(jstr(j, "short_name"), "县中心");
    assert_true(json_is_null(json_object_get(j, "parent_id")));
    const char *t = jstr(j, "created_at");
    assert_non_null(t);
    assert_int_equal(strlen(t), 20); /* 2024-09-30T08:00:00Z */
    assert_int_equal(t[10], 'T');
    assert_int_equal(t[19], 'Z');
    json_t *halls = json_object_get(j, "halls");
    assert_int_equal(json_array_size(halls), 2);
    json_t *w1 = json_array_get(
        json_object_get(json_array_get(halls, 0), "windows"), 1);
    assert_string_equal(jstr(w1, "kind_name"), "部门窗口");
    assert_int_equal(json_integer_value(json_object_get(w1, "dept_id")), mz);
    json_t *w2 = json_array_get(
        json_object_get(json_array_get(halls, 0), "windows"), 2);
    assert_true(json_is_false(json_object_get(w2, "active")));
    json_decref(j);

    /* A township centre under it, and a village station under that. */
    OK(wr(f, ORG_C, &f->jz, 0, &e,
          "{'kind':'township_centre','name':'梅山镇为民服务中心',"
          "'region':'%s','parent_id':%lld}",
          MEISHAN, (long long)v->id));
    int64_t town = last_id(f);
    OK(wr(f, ORG_C, &f->jz, 0, &e,
          "{'kind':'village_station','name':'青山社区为民服务工作站',"
          "'region':'%s','parent_id':%lld,'halls':[]}",
          QINGSHAN, (long long)town));
    assert_int_equal(app_org_write_org(f->w)->parent_id, town);
    assert_null(app_org_write_org(f->w)->credit_code);

    /* A JSON of a list item has no halls. */
    struct org_view *items;
    int n;
    int64_t next;
    OK(app_org_list(f->app, &(struct org_query){.q = "青山"}, f->arena,
                    &items, &n, &next, &e));
    assert_int_equal(n, 1);
    j = app_org_json(&items[0]);
    assert_null(json_object_get(j, "halls"));
    assert_string_equal(jstr(j, "region_name"), "青山社区居委会");
    json_decref(j);
}

static void test_create_all_or_nothing(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int64_t centre = mk_centre(f, "六安市政务服务中心", CITY, 1);
    int64_t hs_dept = mk_dept(f, "霍山县民政局", HS, 2);
    struct counts before = counts(f);

    /* The second hall's window names a service centre as its department:
     * found in the unit after the org, one hall and a window were
     * written. Nothing of it stays. */
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'service_centre','name':'金寨县政务服务中心',"
             "'region':'%s','credit_code':'%s','halls':["
             "{'name':'一楼','windows':[{'number':'A01','name':'综合'}]},"
             "{'name':'二楼','windows':[{'number':'B01','name':'部门',"
             "'kind':'department','dept_id':%lld}]}]}",
             JZ, cc(f, "341524", 3), (long long)centre),
          ERR_INVALID, "/halls/1/windows/0/dept_id");
    struct counts after = counts(f);
    assert_int_equal(after.orgs, before.orgs);
    assert_int_equal(after.halls, before.halls);
    assert_int_equal(after.windows, before.windows);

    /* A department of another county; a department that does not exist. */
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'service_centre','name':'金寨县政务服务中心',"
             "'region':'%s','credit_code':'%s','halls':["
             "{'name':'一楼','windows':[{'number':'B01','name':'部门',"
             "'kind':'department','dept_id':%lld}]}]}",
             JZ, cc(f, "341524", 3), (long long)hs_dept),
          ERR_INVALID, "/halls/0/windows/0/dept_id");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'service_centre','name':'金寨县政务服务中心',"
             "'region':'%s','credit_code':'%s','halls':["
             "{'name':'一楼','windows':[{'number':'B01','name':'部门',"
             "'kind':'department','dept_id':999999}]}]}",
             JZ, cc(f, "341524", 3)),
          ERR_INVALID, "/halls/0/windows/0/dept_id");

    /* Duplicate window numbers in one hall: refused before the unit. */
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'service_centre','name':'金寨县政务服务中心',"
             "'region':'%s','credit_code':'%s','halls':["
             "{'name':'一楼','windows':[{'number':'A01','name':'综合'}]},"
             "{'name':'二楼','windows':[{'number':'A01','name':'综合'},"
             "{'number':'A01','name':'综合'}]}]}",
             JZ, cc(f, "341524", 3)),
          ERR_INVALID, "/halls/1/windows/1/number");
    /* Duplicate hall names. */
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'service_centre','name':'金寨县政务服务中心',"
             "'region':'%s','credit_code':'%s','halls':["
             "{'name':'一楼'},{'name':'一楼'}]}",
             JZ, cc(f, "341524", 3)),
          ERR_INVALID, "/halls/1/name");
    after = counts(f);
    assert_int_equal(after.orgs, before.orgs);
    assert_int_equal(after.halls, before.halls);
    assert_int_equal(after.windows, before.windows);
}

/* ---- failing the k-th store call (STYLE.md habit 13) --------------------- */

/* A db that passes every call to `real` but fails the k-th exec or query. */

/* run_faulty — for k = 1, 2, …: prepare with `prep`, run the unit on a db
 * failing its k-th call inside BEGIN … COMMIT/ROLLBACK, and check with
 * `same` that a failed run left the database as it was. Ends at the first
 * k that does not fire (the unit then succeeded and is committed). */
static void run_faulty(struct fx *f,
                       struct org_write *(*prep)(struct fx *f, void *arg),
                       void *arg, void (*same)(struct fx *f, void *arg))
{
    struct err e = {0};
    struct db *real = db_open(f->url, 1, &e);
    if (!real)
        fail_msg("db_open: %s (%s)", e.msg, e.log);
    int fired_any = 0;
    for (int k = 1;; k++) {
        struct faulty fd;
        faulty_init(&fd, real, k);
        struct org_write *w = prep(f, arg);
        OK(db_script(real,
                     testdb_is_pg() ? "BEGIN" : "BEGIN IMMEDIATE", &e));
        err_clear(&e);
        int rc = app_org_write_unit(&fd.base, w, &e);
        if (rc) {
            assert_true(fd.fired);
            assert_int_equal(e.code, ERR_UNAVAILABLE);
            OK(db_script(real, "ROLLBACK", &e));
            same(f, arg);
            fired_any = 1;
            continue;
        }
        OK(db_script(real, "COMMIT", &e));
        assert_false(fd.fired);
        break;
    }
    assert_true(fired_any);
    db_close(real);
}

struct nested_arg {
    int64_t dept;
    struct counts before;
};

static struct org_write *prep_nested(struct fx *f, void *p)
{
    struct nested_arg *a = p;
    struct err e = {0};
    json_error_t je;
    char text[1024];
    snprintf(text, sizeof text,
             "{\"kind\":\"service_centre\",\"name\":\"金寨县政务服务中心\","
             "\"region\":\"%s\",\"credit_code\":\"%s\",\"parent_id\":%lld,"
             "\"halls\":[{\"name\":\"一楼\",\"windows\":["
             "{\"number\":\"A01\",\"name\":\"综合\"},"
             "{\"number\":\"B01\",\"name\":\"民政\",\"kind\":\"department\","
             "\"dept_id\":%lld}]},{\"name\":\"二楼\",\"windows\":["
             "{\"number\":\"C01\",\"name\":\"综合\"}]}]}",
             JZ, cc(f, "341524", 9), (long long)a->dept, (long long)a->dept);
    json_t *body = json_loads(text, 0, &je);
    assert_non_null(body);
    struct org_write *w;
    /* parent_id names a department of the same county: allowed. */
    OK(app_org_create_prepare(f->app, &f->admin, body, f->arena, &w, &e));
    json_decref(body);
    return w;
}

static void same_counts(struct fx *f, void *p)
{
    struct nested_arg *a = p;
    struct counts c = counts(f);
    assert_int_equal(c.orgs, a->before.orgs);
    assert_int_equal(c.halls, a->before.halls);
    assert_int_equal(c.windows, a->before.windows);
}

struct update_arg {
    int64_t org, dept;
    int64_t revision;
};

static struct org_write *prep_update(struct fx *f, void *p)
{
    struct update_arg *a = p;
    struct err e = {0};
    char text[512];
    snprintf(text, sizeof text,
             "{\"name\":\"金寨县民政局（新）\",\"parent_id\":%lld,"
             "\"revision\":%lld,\"phone\":\"0564 7022301\"}",
             (long long)a->dept, (long long)a->revision);
    json_t *body = json_loads(text, 0, NULL);
    assert_non_null(body);
    struct org_write *w;
    OK(app_org_update_prepare(f->app, &f->jz, a->org, body, f->arena, &w, &e));
    json_decref(body);
    return w;
}

static void same_org(struct fx *f, void *p)
{
    struct update_arg *a = p;
    struct err e = {0};
    struct org_view *v;
    OK(app_org_get(f->app, a->org, f->arena, &v, &e));
    assert_int_equal(v->revision, a->revision);
    assert_string_equal(v->name, "金寨县民政局");
    assert_int_equal(v->parent_id, 0);
}

static void test_faults(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct nested_arg na = {.dept = mk_dept(f, "金寨县民政局", JZ, 1)};
    na.before = counts(f);
    run_faulty(f, prep_nested, &na, same_counts);
    struct counts c = counts(f);
    assert_int_equal(c.orgs, na.before.orgs + 1);
    assert_int_equal(c.halls, na.before.halls + 2);
    assert_int_equal(c.windows, na.before.windows + 3);

    struct update_arg ua = {.org = na.dept,
                            .dept = mk_dept(f, "金寨县人民政府办公室", JZ, 2),
                            .revision = 1};
    run_faulty(f, prep_update, &ua, same_org);
    struct org_view *v;
    OK(app_org_get(f->app, ua.org, f->arena, &v, &e));
    assert_int_equal(v->revision, 2);
    assert_string_equal(v->phone, "0564 7022301");
}

/* ---- refusals ------------------------------------------------------------ */

static void test_credit_code(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    char bad[19];
    snprintf(bad, sizeof bad, "%s", cc(f, "341524", 1));
    bad[17] = bad[17] == '0' ? '1' : '0'; /* wrong check character */
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'department','name':'金寨县民政局','region':'%s',"
             "'credit_code':'%s'}",
             JZ, bad),
          ERR_INVALID, "/credit_code");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'department','name':'金寨县民政局','region':'%s',"
             "'credit_code':'1134152400'}",
             JZ),
          ERR_INVALID, "/credit_code");
    /* Required for departments and service centres. */
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'department','name':'金寨县民政局','region':'%s'}", JZ),
          ERR_INVALID, "/credit_code");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'service_centre','name':'金寨县政务服务中心',"
             "'region':'%s','credit_code':null}",
             JZ),
          ERR_INVALID, "/credit_code");
    /* Unique. */
    int64_t mz = mk_dept(f, "金寨县民政局", JZ, 1);
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'department','name':'金寨县公安局','region':'%s',"
             "'credit_code':'%s'}",
             JZ, cc(f, "341524", 1)),
          ERR_CONFLICT, "/credit_code");
    /* Optional for a township centre, and then still checked. */
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'township_centre','name':'梅山镇为民服务中心',"
             "'region':'%s','credit_code':'%s'}",
             MEISHAN, bad),
          ERR_INVALID, "/credit_code");
    /* PATCH: clearing a department's code; taking another's. */
    FAILS(wr(f, ORG_U, &f->admin, mz, &e, "{'credit_code':null}"),
          ERR_INVALID, "/credit_code");
    int64_t ga = mk_dept(f, "金寨县公安局", JZ, 2);
    FAILS(wr(f, ORG_U, &f->admin, ga, &e, "{'credit_code':'%s'}",
             cc(f, "341524", 1)),
          ERR_CONFLICT, "/credit_code");
    OK(wr(f, ORG_U, &f->admin, ga, &e, "{'credit_code':'%s'}",
          cc(f, "341524", 3)));
}

static void test_kind_level(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'township_centre','name':'金寨县中心','region':'%s'}",
             JZ),
          ERR_INVALID, "/kind");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'village_station','name':'梅山镇站','region':'%s'}",
             MEISHAN),
          ERR_INVALID, "/kind");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'service_centre','name':'梅山镇中心','region':'%s',"
             "'credit_code':'%s'}",
             MEISHAN, cc(f, "341524", 1)),
          ERR_INVALID, "/kind");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'department','name':'青山社区某部门','region':'%s',"
             "'credit_code':'%s'}",
             QINGSHAN, cc(f, "341524", 1)),
          ERR_INVALID, "/kind");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'bureau','name':'某局','region':'%s'}", JZ),
          ERR_INVALID, "/kind");
    /* The same rules on PATCH, against the stored row. */
    int64_t c = mk_centre(f, "金寨县政务服务中心", JZ, 2);
    FAILS(wr(f, ORG_U, &f->admin, c, &e, "{'kind':'township_centre'}"),
          ERR_INVALID, "/kind");
    FAILS(wr(f, ORG_U, &f->admin, c, &e, "{'region':'%s'}", MEISHAN),
          ERR_INVALID, "/region");
    FAILS(wr(f, ORG_U, &f->admin, c, &e,
             "{'kind':'township_centre','region':'%s'}", QINGSHAN),
          ERR_INVALID, "/kind");
    /* kind and region together, fitting: allowed (credit code stays). */
    OK(wr(f, ORG_U, &f->admin, c, &e,
          "{'kind':'township_centre','region':'%s'}", MEISHAN));
    assert_string_equal(app_org_write_org(f->w)->region_name, "梅山镇");
}

static void test_region(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    /* Well-formed, but not a region of the database: found in the unit. */
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'township_centre','name':'某镇中心','region':"
             "'341524999000'}"),
          ERR_INVALID, "/region");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'service_centre','name':'某县中心','region':"
             "'341599000000','credit_code':'%s'}",
             cc(f, "341599", 1)),
          ERR_INVALID, "/region");
    /* Malformed codes: refused before the unit. */
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'service_centre','name':'某中心','region':'3415'}"),
          ERR_INVALID, "/region");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'service_centre','name':'某中心','region':'34152400000x'}"),
          ERR_INVALID, "/region");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'service_centre','name':'某中心'}"),
          ERR_INVALID, "/region");
    int64_t c = mk_centre(f, "金寨县政务服务中心", JZ, 1);
    FAILS(wr(f, ORG_U, &f->admin, c, &e, "{'region':'341599000000'}"),
          ERR_INVALID, "/region");
    FAILS(wr(f, ORG_U, &f->admin, c, &e, "{'region':null}"), ERR_INVALID,
          "/region");
}

/* pre — prepare a create and run the request path's precheck on it. */
static int pre(struct fx *f, const char *body_text, struct org_write **w,
               struct err *e)
{
    json_error_t je;
    json_t *body = json_loads(body_text, 0, &je);
    if (!body)
        fail_msg("bad test JSON: %s", je.text);
    int rc = app_org_create_prepare(f->app, &f->admin, body, f->arena, w, e) ||
                     app_org_write_precheck(f->app, *w, e)
                 ? -1
                 : 0;
    json_decref(body);
    return rc;
}

/* The request path's precheck: region and kind from the region cache, no
 * database read; a taken name is left to the unit's unique index. */
static void test_precheck(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct org_write *w;
    FAILS(pre(f,
              "{\"kind\":\"township_centre\",\"name\":\"某镇中心\","
              "\"region\":\"341524999000\"}",
              &w, &e),
          ERR_INVALID, "/region");
    FAILS(pre(f,
              "{\"kind\":\"village_station\",\"name\":\"梅山镇站\","
              "\"region\":\"" MEISHAN "\"}",
              &w, &e),
          ERR_INVALID, "/kind");
    /* Twice the same name: both pass the precheck, the second unit is
     * refused by the unique index with the answer the check would give. */
    static const char k_ok[] = "{\"kind\":\"township_centre\","
                               "\"name\":\"梅山镇为民服务中心\","
                               "\"region\":\"" MEISHAN "\"}";
    OK(pre(f, k_ok, &w, &e));
    OK(app_org_write_run(f->app, w, &e));
    assert_string_equal(app_org_write_org(w)->region_name, "梅山镇");
    OK(pre(f, k_ok, &w, &e));
    FAILS(app_org_write_run(f->app, w, &e), ERR_CONFLICT, "/name");
}

static void test_scope(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    /* 金寨县's centre admin: not in 霍山县, nor above (六安市). */
    FAILS(wr(f, ORG_C, &f->jz, 0, &e,
             "{'kind':'service_centre','name':'霍山县政务服务中心',"
             "'region':'%s','credit_code':'%s'}",
             HS, cc(f, "341525", 1)),
          ERR_FORBIDDEN, "/region");
    FAILS(wr(f, ORG_C, &f->jz, 0, &e,
             "{'kind':'township_centre','name':'衡山镇为民服务中心',"
             "'region':'%s'}",
             HENGSHAN),
          ERR_FORBIDDEN, "/region");
    FAILS(wr(f, ORG_C, &f->jz, 0, &e,
             "{'kind':'service_centre','name':'六安市政务服务中心',"
             "'region':'%s','credit_code':'%s'}",
             CITY, cc(f, "341500", 1)),
          ERR_FORBIDDEN, "/region");
    /* Within 金寨县 and below: allowed. */
    OK(wr(f, ORG_C, &f->jz, 0, &e,
          "{'kind':'township_centre','name':'麻埠镇为民服务中心',"
          "'region':'%s'}",
          MABU));
    int64_t mabu = last_id(f);

    /* Rows of 霍山县, made by the province's admin. */
    int64_t hs = mk_centre(f, "霍山县政务服务中心", HS, 2);
    struct org_view *v;
    OK(app_org_get(f->app, hs, f->arena, &v, &e));
    int64_t hall = v->halls[0].id, win = v->halls[0].windows[0].id;
    FAILS(wr(f, ORG_U, &f->jz, hs, &e, "{'phone':'0564-1'}"), ERR_FORBIDDEN,
          "");
    FAILS(wr(f, ORG_D, &f->jz, hs, &e, NULL), ERR_FORBIDDEN, "");
    FAILS(wr(f, HALL_C, &f->jz, hs, &e, "{'name':'二楼'}"), ERR_FORBIDDEN,
          "");
    FAILS(wr(f, HALL_U, &f->jz, hall, &e, "{'hours':'全天'}"), ERR_FORBIDDEN,
          "");
    FAILS(wr(f, HALL_D, &f->jz, hall, &e, NULL), ERR_FORBIDDEN, "");
    FAILS(wr(f, WIN_C, &f->jz, hall, &e, "{'number':'A09','name':'综合'}"),
          ERR_FORBIDDEN, "");
    FAILS(wr(f, WIN_U, &f->jz, win, &e, "{'active':false}"), ERR_FORBIDDEN,
          "");
    FAILS(wr(f, WIN_D, &f->jz, win, &e, NULL), ERR_FORBIDDEN, "");
    /* Moving a 金寨县 org out of its scope. */
    FAILS(wr(f, ORG_U, &f->jz, mabu, &e, "{'region':'%s'}", HENGSHAN),
          ERR_FORBIDDEN, "/region");
    /* Someone without the capability at all, and nobody. */
    FAILS(wr(f, ORG_C, &f->clerk, 0, &e,
             "{'kind':'township_centre','name':'梅山镇为民服务中心',"
             "'region':'%s'}",
             MEISHAN),
          ERR_FORBIDDEN, "");
    struct actor nobody = {0};
    FAILS(wr(f, ORG_D, &nobody, mabu, &e, NULL), ERR_FORBIDDEN, "");
    /* Nothing of 霍山县 changed. */
    OK(app_org_get(f->app, hs, f->arena, &v, &e));
    assert_int_equal(v->revision, 1);
    assert_int_equal(v->n_halls, 1);
    assert_int_equal(v->halls[0].n_windows, 2);
}

static void test_update(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int64_t c = mk_centre(f, "金寨县政务服务中心", JZ, 1);
    OK(wr(f, ORG_U, &f->jz, c, &e,
          "{'short_name':'县中心','hours':'8:30-17:30','revision':1}"));
    const struct org_view *v = app_org_write_org(f->w);
    assert_int_equal(v->revision, 2);
    assert_string_equal(v->short_name, "县中心");
    assert_string_equal(v->name, "金寨县政务服务中心"); /* untouched */
    assert_int_equal(v->n_halls, -1);
    /* A stale revision: 409, nothing changed. */
    FAILS(wr(f, ORG_U, &f->jz, c, &e, "{'short_name':'旧','revision':1}"),
          ERR_CONFLICT, "/revision");
    struct org_view *g;
    OK(app_org_get(f->app, c, f->arena, &g, &e));
    assert_string_equal(g->short_name, "县中心");
    assert_int_equal(g->revision, 2);
    /* No revision: last writer wins; null and "" clear. */
    OK(wr(f, ORG_U, &f->jz, c, &e, "{'short_name':null,'hours':''}"));
    assert_null(app_org_write_org(f->w)->short_name);
    assert_null(app_org_write_org(f->w)->hours);
    assert_int_equal(app_org_write_org(f->w)->revision, 3);
    /* Required fields cannot be cleared; unknown keys are errors. */
    FAILS(wr(f, ORG_U, &f->jz, c, &e, "{'name':null}"), ERR_INVALID, "/name");
    FAILS(wr(f, ORG_U, &f->jz, c, &e, "{'name':''}"), ERR_INVALID, "/name");
    FAILS(wr(f, ORG_U, &f->jz, c, &e, "{'kind':null}"), ERR_INVALID, "/kind");
    FAILS(wr(f, ORG_U, &f->jz, c, &e, "{'halls':[]}"), ERR_INVALID,
          "/halls");
    FAILS(wr(f, ORG_U, &f->jz, c, &e, "{'revision':0}"), ERR_INVALID,
          "/revision");
    FAILS(wr(f, ORG_U, &f->jz, c, &e, "{'revision':'3'}"), ERR_INVALID,
          "/revision");
    /* Name taken in the region. */
    mk_dept(f, "金寨县民政局", JZ, 2);
    FAILS(wr(f, ORG_U, &f->jz, c, &e, "{'name':'金寨县民政局'}"),
          ERR_CONFLICT, "/name");
    FAILS(wr(f, ORG_C, &f->jz, 0, &e,
             "{'kind':'department','name':'金寨县民政局','region':'%s',"
             "'credit_code':'%s'}",
             JZ, cc(f, "341524", 3)),
          ERR_CONFLICT, "/name");
    /* No such org. */
    FAILS(wr(f, ORG_U, &f->jz, 999999, &e, "{'phone':'1'}"), ERR_NOT_FOUND,
          "");
    FAILS(wr(f, ORG_U, &f->jz, 0, &e, "{'phone':'1'}"), ERR_NOT_FOUND, "");
    FAILS(wr(f, ORG_U, &f->jz, -3, &e, "{'phone':'1'}"), ERR_NOT_FOUND, "");
}

static void test_parent(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int64_t jz = mk_centre(f, "金寨县政务服务中心", JZ, 1);
    int64_t hs = mk_centre(f, "霍山县政务服务中心", HS, 2);
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'township_centre','name':'梅山镇为民服务中心',"
             "'region':'%s','parent_id':999999}",
             MEISHAN),
          ERR_INVALID, "/parent_id");
    /* A parent of another county. */
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'township_centre','name':'梅山镇为民服务中心',"
             "'region':'%s','parent_id':%lld}",
             MEISHAN, (long long)hs),
          ERR_INVALID, "/parent_id");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'township_centre','name':'梅山镇为民服务中心',"
             "'region':'%s','parent_id':'%lld'}",
             MEISHAN, (long long)jz),
          ERR_INVALID, "/parent_id");
    OK(wr(f, ORG_C, &f->admin, 0, &e,
          "{'kind':'township_centre','name':'梅山镇为民服务中心',"
          "'region':'%s','parent_id':%lld}",
          MEISHAN, (long long)jz));
    int64_t town = last_id(f);
    /* A parent below: the county centre under its township centre. */
    FAILS(wr(f, ORG_U, &f->admin, jz, &e, "{'parent_id':%lld}",
             (long long)town),
          ERR_INVALID, "/parent_id");
    /* Itself, and a cycle inside one region. */
    FAILS(wr(f, ORG_U, &f->admin, jz, &e, "{'parent_id':%lld}",
             (long long)jz),
          ERR_INVALID, "/parent_id");
    int64_t a = mk_dept(f, "金寨县人民政府办公室", JZ, 3);
    OK(wr(f, ORG_C, &f->admin, 0, &e,
          "{'kind':'department','name':'金寨县数据资源管理局','region':'%s',"
          "'credit_code':'%s','parent_id':%lld}",
          JZ, cc(f, "341524", 4), (long long)a));
    int64_t b = last_id(f);
    FAILS(wr(f, ORG_U, &f->admin, a, &e, "{'parent_id':%lld}", (long long)b),
          ERR_INVALID, "/parent_id");
    /* Moving an org with children out of their region is refused. */
    FAILS(wr(f, ORG_U, &f->admin, jz, &e, "{'region':'%s'}", CITY),
          ERR_CONFLICT, "/region");
    /* Clearing the parent is fine. */
    OK(wr(f, ORG_U, &f->admin, b, &e, "{'parent_id':null}"));
    assert_int_equal(app_org_write_org(f->w)->parent_id, 0);
}

static void test_delete(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int64_t mz = mk_dept(f, "金寨县民政局", JZ, 1);
    int64_t c = mk_centre(f, "金寨县政务服务中心", JZ, 2);
    struct org_view *v;
    OK(app_org_get(f->app, c, f->arena, &v, &e));
    int64_t hall = v->halls[0].id;
    int64_t w1 = v->halls[0].windows[0].id, w2 = v->halls[0].windows[1].id;

    FAILS(wr(f, ORG_D, &f->jz, c, &e, NULL), ERR_CONFLICT, "");
    assert_non_null(strstr(e.msg, "大厅"));
    FAILS(wr(f, HALL_D, &f->jz, hall, &e, NULL), ERR_CONFLICT, "");
    assert_non_null(strstr(e.msg, "窗口"));
    /* A department still served by a window; kind change refused too. */
    OK(wr(f, WIN_U, &f->jz, w2, &e,
          "{'kind':'department','dept_id':%lld}", (long long)mz));
    FAILS(wr(f, ORG_D, &f->jz, mz, &e, NULL), ERR_CONFLICT, "");
    assert_non_null(strstr(e.msg, "部门窗口"));
    FAILS(wr(f, ORG_U, &f->admin, mz, &e,
             "{'kind':'service_centre'}"),
          ERR_CONFLICT, "/kind");
    /* An org with a child. */
    OK(wr(f, ORG_C, &f->jz, 0, &e,
          "{'kind':'township_centre','name':'梅山镇为民服务中心',"
          "'region':'%s','parent_id':%lld}",
          MEISHAN, (long long)c));
    int64_t town = last_id(f);

    OK(wr(f, WIN_D, &f->jz, w1, &e, NULL));
    assert_int_equal(last_id(f), w1);
    OK(wr(f, WIN_D, &f->jz, w2, &e, NULL));
    FAILS(wr(f, WIN_D, &f->jz, w2, &e, NULL), ERR_NOT_FOUND, "");
    OK(wr(f, HALL_D, &f->jz, hall, &e, NULL));
    FAILS(wr(f, HALL_D, &f->jz, hall, &e, NULL), ERR_NOT_FOUND, "");
    FAILS(wr(f, ORG_D, &f->jz, c, &e, NULL), ERR_CONFLICT, "");
    assert_non_null(strstr(e.msg, "下级机构"));
    OK(wr(f, ORG_D, &f->jz, town, &e, NULL));
    OK(wr(f, ORG_D, &f->jz, c, &e, NULL));
    OK(wr(f, ORG_D, &f->jz, mz, &e, NULL));
    FAILS(app_org_get(f->app, c, f->arena, &v, &e), ERR_NOT_FOUND, "");
    FAILS(wr(f, ORG_D, &f->jz, c, &e, NULL), ERR_NOT_FOUND, "");
    FAILS(wr(f, ORG_D, &f->jz, 0, &e, NULL), ERR_NOT_FOUND, "");
    struct counts n = counts(f);
    assert_int_equal(n.orgs, 0);
    assert_int_equal(n.halls, 0);
    assert_int_equal(n.windows, 0);
}

static void test_halls(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int64_t c = mk_centre(f, "金寨县政务服务中心", JZ, 1);
    int64_t mz = mk_dept(f, "金寨县民政局", JZ, 2);
    OK(wr(f, HALL_C, &f->jz, c, &e,
          "{'name':'二楼','address':'二楼东侧','hours':'全天','windows':["
          "{'number':'B01','name':'民政','kind':'department','dept_id':%lld}"
          "]}",
          (long long)mz));
    const struct hall_view *h = app_org_write_hall(f->w);
    assert_int_equal(h->org_id, c);
    assert_int_equal(h->n_windows, 1);
    assert_string_equal(h->windows[0].dept_name, "金寨县民政局");
    int64_t hall = h->id;
    json_t *j = app_hall_json(h);
    assert_string_equal(jstr(j, "address"), "二楼东侧");
    assert_int_equal(json_array_size(json_object_get(j, "windows")), 1);
    json_decref(j);

    FAILS(wr(f, HALL_C, &f->jz, c, &e, "{'name':'二楼'}"), ERR_CONFLICT,
          "/name");
    FAILS(wr(f, HALL_C, &f->jz, 999999, &e, "{'name':'三楼'}"),
          ERR_NOT_FOUND, "");
    FAILS(wr(f, HALL_C, &f->jz, c, &e, "{'name':'三楼','floor':3}"),
          ERR_INVALID, "/floor");
    FAILS(wr(f, HALL_C, &f->jz, c, &e, "{'address':'三楼'}"), ERR_INVALID,
          "/name");
    FAILS(wr(f, HALL_C, &f->jz, c, &e, "{'name':'三楼','windows':{}}"),
          ERR_INVALID, "/windows");
    FAILS(wr(f, HALL_C, &f->jz, c, &e,
             "{'name':'三楼','windows':[{'number':'C01','name':'综合',"
             "'color':'red'}]}"),
          ERR_INVALID, "/windows/0/color");

    OK(wr(f, HALL_U, &f->jz, hall, &e, "{'hours':null,'revision':1}"));
    assert_null(app_org_write_hall(f->w)->hours);
    assert_int_equal(app_org_write_hall(f->w)->revision, 2);
    assert_int_equal(app_org_write_hall(f->w)->n_windows, 1);
    FAILS(wr(f, HALL_U, &f->jz, hall, &e, "{'hours':'x','revision':1}"),
          ERR_CONFLICT, "/revision");
    FAILS(wr(f, HALL_U, &f->jz, hall, &e, "{'name':'大厅'}"), ERR_CONFLICT,
          "/name");
    FAILS(wr(f, HALL_U, &f->jz, hall, &e, "{'name':null}"), ERR_INVALID,
          "/name");
    FAILS(wr(f, HALL_U, &f->jz, hall, &e, "{'windows':[]}"), ERR_INVALID,
          "/windows");
    FAILS(wr(f, HALL_U, &f->jz, 999999, &e, "{'hours':'x'}"), ERR_NOT_FOUND,
          "");
    OK(wr(f, HALL_U, &f->jz, hall, &e, "{'name':'二楼大厅'}"));
    assert_string_equal(app_org_write_hall(f->w)->name, "二楼大厅");
}

static void test_windows(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int64_t c = mk_centre(f, "金寨县政务服务中心", JZ, 1);
    int64_t mz = mk_dept(f, "金寨县民政局", JZ, 2);
    int64_t hs_dept = mk_dept(f, "霍山县民政局", HS, 3);
    struct org_view *v;
    OK(app_org_get(f->app, c, f->arena, &v, &e));
    int64_t hall = v->halls[0].id, a01 = v->halls[0].windows[0].id;

    OK(wr(f, WIN_C, &f->jz, hall, &e, "{'number':'B01','name':'民政',"
                                      "'kind':'department','dept_id':%lld}",
          (long long)mz));
    const struct window_view *w = app_org_write_window(f->w);
    int64_t b01 = w->id;
    assert_string_equal(w->kind, "department");
    assert_int_equal(w->active, 1);
    json_t *j = app_window_json(w);
    assert_string_equal(jstr(j, "kind_name"), "部门窗口");
    assert_true(json_is_true(json_object_get(j, "active")));
    json_decref(j);

    FAILS(wr(f, WIN_C, &f->jz, hall, &e, "{'number':'A01','name':'综合'}"),
          ERR_CONFLICT, "/number");
    FAILS(wr(f, WIN_C, &f->jz, hall, &e,
             "{'number':'B02','name':'部门','kind':'department'}"),
          ERR_INVALID, "/dept_id");
    FAILS(wr(f, WIN_C, &f->jz, hall, &e,
             "{'number':'B02','name':'综合','dept_id':%lld}", (long long)mz),
          ERR_INVALID, "/dept_id");
    FAILS(wr(f, WIN_C, &f->jz, hall, &e,
             "{'number':'B02','name':'部门','kind':'department',"
             "'dept_id':%lld}",
             (long long)hs_dept),
          ERR_INVALID, "/dept_id");
    FAILS(wr(f, WIN_C, &f->jz, hall, &e,
             "{'number':'B02','name':'部门','kind':'department',"
             "'dept_id':%lld}",
             (long long)c),
          ERR_INVALID, "/dept_id");
    FAILS(wr(f, WIN_C, &f->jz, hall, &e,
             "{'number':'B02','name':'部门','kind':'department',"
             "'dept_id':999999}"),
          ERR_INVALID, "/dept_id");
    FAILS(wr(f, WIN_C, &f->jz, hall, &e, "{'number':'B 2','name':'综合'}"),
          ERR_INVALID, "/number");
    FAILS(wr(f, WIN_C, &f->jz, hall, &e,
             "{'number':'B12345678901234567','name':'综合'}"),
          ERR_INVALID, "/number");
    FAILS(wr(f, WIN_C, &f->jz, hall, &e, "{'name':'综合'}"), ERR_INVALID,
          "/number");
    FAILS(wr(f, WIN_C, &f->jz, hall, &e, "{'number':'B02'}"), ERR_INVALID,
          "/name");
    FAILS(wr(f, WIN_C, &f->jz, hall, &e,
             "{'number':'B02','name':'综合','kind':'mobile'}"),
          ERR_INVALID, "/kind");
    FAILS(wr(f, WIN_C, &f->jz, hall, &e,
             "{'number':'B02','name':'综合','active':1}"),
          ERR_INVALID, "/active");
    FAILS(wr(f, WIN_C, &f->jz, hall, &e,
             "{'number':'B02','name':'综合','revision':1}"),
          ERR_INVALID, "/revision");
    FAILS(wr(f, WIN_C, &f->jz, 999999, &e, "{'number':'B02','name':'综合'}"),
          ERR_NOT_FOUND, "");

    /* PATCH. */
    OK(wr(f, WIN_U, &f->jz, a01, &e, "{'active':false,'revision':1}"));
    assert_int_equal(app_org_write_window(f->w)->active, 0);
    FAILS(wr(f, WIN_U, &f->jz, a01, &e, "{'active':true,'revision':1}"),
          ERR_CONFLICT, "/revision");
    FAILS(wr(f, WIN_U, &f->jz, a01, &e, "{'number':'B01'}"), ERR_CONFLICT,
          "/number");
    FAILS(wr(f, WIN_U, &f->jz, a01, &e, "{'kind':'department'}"),
          ERR_INVALID, "/dept_id");
    FAILS(wr(f, WIN_U, &f->jz, a01, &e,
             "{'kind':'department','dept_id':null}"),
          ERR_INVALID, "/dept_id");
    FAILS(wr(f, WIN_U, &f->jz, a01, &e,
             "{'kind':'department','dept_id':%lld}", (long long)hs_dept),
          ERR_INVALID, "/dept_id");
    FAILS(wr(f, WIN_U, &f->jz, b01, &e, "{'dept_id':%lld}", (long long)c),
          ERR_INVALID, "/dept_id");
    FAILS(wr(f, WIN_U, &f->jz, b01, &e, "{'dept_id':null}"), ERR_INVALID,
          "/dept_id");
    FAILS(wr(f, WIN_U, &f->jz, a01, &e, "{'number':''}"), ERR_INVALID,
          "/number");
    FAILS(wr(f, WIN_U, &f->jz, 999999, &e, "{'active':true}"),
          ERR_NOT_FOUND, "");
    OK(wr(f, WIN_U, &f->jz, a01, &e, "{'kind':'department','dept_id':%lld,"
                                     "'number':'B03'}",
          (long long)mz));
    assert_int_equal(app_org_write_window(f->w)->dept_id, mz);
    /* Back to comprehensive: the department goes with it. */
    OK(wr(f, WIN_U, &f->jz, a01, &e, "{'kind':'comprehensive'}"));
    assert_int_equal(app_org_write_window(f->w)->dept_id, 0);
    assert_null(app_org_write_window(f->w)->dept_name);
    assert_int_equal(app_org_write_window(f->w)->revision, 4);
}

static void test_body_shape(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    FAILS(wr(f, ORG_C, &f->admin, 0, &e, "[]"), ERR_INVALID, "");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'township_centre','name':'x','region':'%s','id':1}",
             MEISHAN),
          ERR_INVALID, "/id");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'township_centre','region':'%s'}", MEISHAN),
          ERR_INVALID, "/name");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'name':'梅山镇为民服务中心','region':'%s'}", MEISHAN),
          ERR_INVALID, "/kind");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'township_centre','name':'%s','region':'%s'}",
             "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"
             "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"
             "一二三四五",
             MEISHAN),
          ERR_INVALID, "/name");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'township_centre','name':'a\\u0007b','region':'%s'}",
             MEISHAN),
          ERR_INVALID, "/name");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'township_centre','name':7,'region':'%s'}", MEISHAN),
          ERR_INVALID, "/name");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'township_centre','name':'x','region':'%s',"
             "'phone':'tel:0564'}",
             MEISHAN),
          ERR_INVALID, "/phone");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'township_centre','name':'x','region':'%s',"
             "'phone':'0564-7066000-12345678'}",
             MEISHAN),
          ERR_INVALID, "/phone");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'township_centre','name':'x','region':'%s',"
             "'short_name':'%s'}",
             MEISHAN,
             "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"
             "一二三"),
          ERR_INVALID, "/short_name");
    char hours[700];
    memset(hours, 'h', 201);
    hours[201] = '\0';
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'township_centre','name':'x','region':'%s',"
             "'hours':'%s'}",
             MEISHAN, hours),
          ERR_INVALID, "/hours");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'township_centre','name':'x','region':'%s',"
             "'address':['a']}",
             MEISHAN),
          ERR_INVALID, "/address");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'township_centre','name':'x','region':'%s',"
             "'halls':{}}",
             MEISHAN),
          ERR_INVALID, "/halls");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'township_centre','name':'x','region':'%s',"
             "'halls':['一楼']}",
             MEISHAN),
          ERR_INVALID, "/halls/0");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'township_centre','name':'x','region':'%s',"
             "'halls':[{'name':'一楼'},{'name':'二楼','windows':[{"
             "'number':'A01','name':'综合','size':1}]}]}",
             MEISHAN),
          ERR_INVALID, "/halls/1/windows/0/size");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'township_centre','name':'x','region':'%s',"
             "'halls':[{'name':'一楼','windows':[{'number':'A01'}]}]}",
             MEISHAN),
          ERR_INVALID, "/halls/0/windows/0/name");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e,
             "{'kind':'township_centre','name':'x','region':'%s',"
             "'halls':[{'windows':[]}]}",
             MEISHAN),
          ERR_INVALID, "/halls/0/name");
    /* Too many windows in one hall, too many halls. */
    char big[16000];
    size_t n = (size_t)snprintf(big, sizeof big,
                                "{'kind':'township_centre','name':'x',"
                                "'region':'%s','halls':[{'name':'一楼',"
                                "'windows':[",
                                MEISHAN);
    for (int i = 0; i < 201; i++)
        n += (size_t)snprintf(big + n, sizeof big - n,
                              "%s{'number':'A%d','name':'w'}", i ? "," : "",
                              i);
    snprintf(big + n, sizeof big - n, "]}]}");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e, "%s", big), ERR_INVALID,
          "/halls/0/windows");
    n = (size_t)snprintf(big, sizeof big,
                         "{'kind':'township_centre','name':'x',"
                         "'region':'%s','halls':[",
                         MEISHAN);
    for (int i = 0; i < 51; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "%s{'name':'h%d'}",
                              i ? "," : "", i);
    snprintf(big + n, sizeof big - n, "]}");
    FAILS(wr(f, ORG_C, &f->admin, 0, &e, "%s", big), ERR_INVALID, "/halls");
    struct counts c = counts(f);
    assert_int_equal(c.orgs, 0);
}

/* ---- reading ----------------------------------------------------------- */

static void test_list(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    mk_centre(f, "六安市政务服务中心", CITY, 1);
    mk_centre(f, "金寨县政务服务中心", JZ, 2);
    mk_centre(f, "霍山县政务服务中心", HS, 3);
    mk_dept(f, "金寨县民政局", JZ, 4);
    mk_dept(f, "金寨县100%服务办", JZ, 5);
    OK(wr(f, ORG_C, &f->jz, 0, &e,
          "{'kind':'township_centre','name':'梅山镇为民服务中心',"
          "'region':'%s'}",
          MEISHAN));
    struct org_view *items;
    int n;
    int64_t next;
    OK(app_org_list(f->app, &(struct org_query){0}, f->arena, &items, &n,
                    &next, &e));
    assert_int_equal(n, 6);
    assert_int_equal(next, 0);
    assert_int_equal(items[0].n_halls, -1);
    /* The subtree of 金寨县 (county, its departments, the township). */
    OK(app_org_list(f->app, &(struct org_query){.region = JZ}, f->arena,
                    &items, &n, &next, &e));
    assert_int_equal(n, 4);
    for (int i = 0; i < n; i++)
        assert_memory_equal(items[i].region, "341524", 6);
    OK(app_org_list(f->app, &(struct org_query){.region = MEISHAN}, f->arena,
                    &items, &n, &next, &e));
    assert_int_equal(n, 1);
    OK(app_org_list(f->app,
                    &(struct org_query){.region = JZ, .kind = "department"},
                    f->arena, &items, &n, &next, &e));
    assert_int_equal(n, 2);
    /* Name contains; LIKE wildcards are plain text. */
    OK(app_org_list(f->app, &(struct org_query){.q = "政务服务"}, f->arena,
                    &items, &n, &next, &e));
    assert_int_equal(n, 3);
    OK(app_org_list(f->app, &(struct org_query){.q = "%"}, f->arena, &items,
                    &n, &next, &e));
    assert_int_equal(n, 1);
    assert_string_equal(items[0].name, "金寨县100%服务办");
    OK(app_org_list(f->app, &(struct org_query){.q = "_"}, f->arena, &items,
                    &n, &next, &e));
    assert_int_equal(n, 0);
    /* Pages of two. */
    int64_t after = 0, seen = 0, last = 0;
    int pages = 0;
    do {
        OK(app_org_list(f->app, &(struct org_query){.after = after, .limit = 2},
                        f->arena, &items, &n, &next, &e));
        for (int i = 0; i < n; i++) {
            assert_true(items[i].id > last);
            last = items[i].id;
        }
        seen += n;
        pages++;
        after = next;
    } while (next);
    assert_int_equal(seen, 6);
    assert_int_equal(pages, 3);
    /* Bad arguments name themselves. */
    FAILS(app_org_list(f->app, &(struct org_query){.kind = "bureau"},
                       f->arena, &items, &n, &next, &e),
          ERR_INVALID, "kind");
    FAILS(app_org_list(f->app, &(struct org_query){.region = "3415"},
                       f->arena, &items, &n, &next, &e),
          ERR_INVALID, "region");
    FAILS(app_org_list(f->app, &(struct org_query){.limit = 201}, f->arena,
                       &items, &n, &next, &e),
          ERR_INVALID, "limit");
    FAILS(app_org_list(f->app, &(struct org_query){.after = -1}, f->arena,
                       &items, &n, &next, &e),
          ERR_INVALID, "after");
    FAILS(app_org_list(f->app,
                       &(struct org_query){
                           .q = "一二三四五六七八九十一二三四五六七八九十"
                                "一二三四五六七八九十一二三"},
                       f->arena, &items, &n, &next, &e),
          ERR_INVALID, "q");
    FAILS(app_org_get(f->app, 999999, f->arena, &items, &e), ERR_NOT_FOUND,
          "");
}

static void test_demo_twice(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int o1, h1, w1, o2, h2, w2;
    OK(app_demo_orgs(f->app, &o1, &h1, &w1, &e));
    assert_true(o1 >= 10);
    assert_true(h1 >= 5);
    assert_true(w1 >= 10);
    OK(app_demo_orgs(f->app, &o2, &h2, &w2, &e));
    assert_int_equal(o1, o2);
    assert_int_equal(h1, h2);
    assert_int_equal(w1, w2);
    /* Every demo org passes the rules a person's write must pass. */
    struct org_view *items;
    int n;
    int64_t next;
    OK(app_org_list(f->app, &(struct org_query){.limit = 200}, f->arena,
                    &items, &n, &next, &e));
    assert_int_equal(n, o1);
    int depts = 0, dept_windows = 0;
    for (int i = 0; i < n; i++) {
        const struct org_view *v = &items[i];
        assert_non_null(v->region_name);
        if (v->credit_code)
            OK(ids_uscc_parse(v->credit_code, NULL, "/credit_code", &e));
        else
            assert_false(!strcmp(v->kind, "department") ||
                         !strcmp(v->kind, "service_centre"));
        depts += !strcmp(v->kind, "department");
        struct org_view *g;
        OK(app_org_get(f->app, v->id, f->arena, &g, &e));
        for (int k = 0; k < g->n_halls; k++)
            for (int m = 0; m < g->halls[k].n_windows; m++)
                dept_windows +=
                    !strcmp(g->halls[k].windows[m].kind, "department");
    }
    assert_true(depts >= 5);
    assert_true(dept_windows >= 5);
    OK(app_org_list(f->app,
                    &(struct org_query){.region = JZ,
                                        .kind = "township_centre"},
                    f->arena, &items, &n, &next, &e));
    assert_true(n >= 2);
    OK(app_org_list(f->app,
                    &(struct org_query){.region = JZ,
                                        .kind = "village_station"},
                    f->arena, &items, &n, &next, &e));
    assert_true(n >= 2);
    /* A person's org next to the demo does not disturb a third run. */
    mk_dept(f, "金寨县退役军人事务局", JZ, 77);
    OK(app_demo_orgs(f->app, &o2, &h2, &w2, &e));
    assert_int_equal(o2, o1 + 1);
    assert_int_equal(h2, h1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_nested, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_create_all_or_nothing, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_faults, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_credit_code, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_kind_level, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_region, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_precheck, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_scope, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_update, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_parent, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_delete, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_halls, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_windows, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_body_shape, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_list, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_demo_twice, fx_setup,
                                        fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
