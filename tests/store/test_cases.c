/* test_cases.c — the case use cases (app_cases.h) on a real database, once
 * per driver (BIANMIN_TEST_DB = sqlite | postgres, see testdb.h), on the
 * demo regions, organisations and catalogue: the due date of a case
 * accepted on the eve of the Spring Festival, a supplement pause that does
 * not eat working days, a parallel step that blocks the case until every
 * department answers, immediate items, the one-time notice, evidence from
 * an electronic licence, events that no path can change (raw SQL
 * included), region scope, the public query (masked, wrong code = missing,
 * throttled), the warning scan, case numbers, accept failing at its k-th
 * store call (STYLE.md habit 13), and provisional due dates past 2026
 * recomputed when 2027 is imported (last: it imports a year). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>

#include "app/app.h"
#include "app/app_calendar.h"
#include "app/app_cases.h"
#include "app/app_catalogue.h"
#include "app/app_evidence.h"
#include "app/app_regions.h"
#include "app/demo.h"
#include "core/arena.h"
#include "core/calendar.h"
#include "faulty.h"
#include "testdb.h"

#ifndef BIANMIN_DATA_DIR
#define BIANMIN_DATA_DIR "data"
#endif

#define CITY "341500000000"    /* 六安市 */
#define JZ "341524000000"      /* 金寨县 */
#define MEISHAN "341524100000" /* 梅山镇 */
#define MABU "341524101000"    /* 麻埠镇 */

#define MZ "11341524000001111G"   /* 金寨县民政局 */
#define GA "11341524000001113Q"   /* 金寨县公安局 (checked in setup) */
#define MS "11341524000001401G"   /* 梅山镇为民服务中心 */
#define MB "11341524000001402K"   /* 麻埠镇为民服务中心 */
#define GJJ "113415000000010011"  /* 六安市住房公积金管理中心 */
#define ZW "11341524000001101F"   /* 金寨县政务服务中心 */

struct fx {
    char url[512];
    char files[64];
    struct app *app;
    struct arena *arena;
    struct actor clerk, reviewer, decider, city_clerk, city_decider,
        city_sup, meishan_clerk, mz_reviewer;
    int64_t it_gjj, it_zjd, it_marry, it_mabu, it_dibao, it_long, it_g4;
    int64_t org_zw;
    struct actor jz_admin;
    int64_t org_mz, org_ga;
    char pdf[65];
};

static struct fx *g_fx;

static struct actor mk_actor(int64_t uid, const char *login, enum role role,
                             const char *region, int64_t org)
{
    struct actor a = {.user_id = uid, .n_grants = 1};
    snprintf(a.login, sizeof a.login, "%s", login);
    snprintf(a.kind, sizeof a.kind, "staff");
    a.grants[0].role = role;
    a.grants[0].org_id = org;
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
            fail_msg("%s: succeeded; wanted %s", #call,                        \
                     err_code_name(want_code));                                \
        if (e.code != (want_code) ||                                           \
            ((want_field) && strcmp(e.field, (want_field) ? (want_field) : "")))\
            fail_msg("%s: got %s [%s] %s; wanted %s [%s]", #call,              \
                     err_code_name(e.code), e.field, e.msg,                    \
                     err_code_name(want_code), (want_field) ? (want_field) : "*");\
    } while (0)

/* UTC ms of a Shanghai wall-clock time. */
static int64_t at(const char *date, int hh)
{
    struct cal_date d;
    struct err e = {0};
    if (cal_date_parse(date, &d, "", &e))
        fail_msg("bad date %s", date);
    return (cal_day_number(d) * 86400 + hh * 3600 - 8 * 3600) * 1000LL;
}

static int64_t day_of(const char *date)
{
    return at(date, 12) / 86400000LL;
}

static int64_t q_int(struct fx *f, const char *sql, const char *a1,
                     const char *a2)
{
    struct err e = {0};
    struct db *db = store_read(app_store(f->app), &e);
    struct db_param p[2] = {DBP_TEXT(a1), DBP_TEXT(a2 ? a2 : "")};
    int64_t v = -1;
    if (db_query_int(db, sql, p, a2 ? 2 : 1, &v, &e))
        v = -1;
    store_read_done(app_store(f->app), db);
    return v;
}

static const char SQL_ITEM_ID[] =
    "SELECT i.id FROM items i JOIN base_items b ON b.id = i.base_id "
    "JOIN orgs o ON o.id = i.org_id WHERE b.code = $1 AND o.credit_code = $2";
static const char SQL_ORG_ID[] = "SELECT id FROM orgs WHERE credit_code = $1";
static const char SQL_EVENTS_OF[] =
    "SELECT count(*) FROM case_events e JOIN cases c ON c.id = e.case_id "
    "WHERE c.case_no = $1";
static const char SQL_STATE_IS[] =
    "SELECT count(*) FROM cases WHERE case_no = $1 AND state = $2";
static const char SQL_AUDIT_COUNT[] =
    "SELECT count(*) FROM audit_log WHERE target_id = $1";

static int grp_setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    struct err e = {0};
    if (!f || testdb_create(f->url, sizeof f->url))
        return -1;
    snprintf(f->files, sizeof f->files, "/tmp/bm_files_XXXXXX");
    if (!mkdtemp(f->files))
        return -1;
    f->app = app_open(&(struct app_opts){.db_url = f->url,
                                         .files_dir = f->files},
                      &e);
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
    int o, h, w, items;
    if (!f->app || store_migrate(app_store(f->app), NULL, &e) ||
        app_regions_import(f->app, ptrs, 5, &rep, &e) ||
        app_demo_orgs(f->app, &o, &h, &w, &e) ||
        app_demo_catalogue(f->app, &items, &e)) {
        fprintf(stderr, "setup %s: %s [%s] (%s)\n", f->url, e.msg, e.field,
                e.log);
        return -1;
    }
    f->arena = arena_new();
    f->it_gjj = q_int(f, SQL_ITEM_ID, "BM34150047-01", GJJ);
    f->it_zjd = q_int(f, SQL_ITEM_ID, "BM34150049", MS);
    f->it_marry = q_int(f, SQL_ITEM_ID, "BM34150004", MZ);
    f->it_mabu = q_int(f, SQL_ITEM_ID, "BM34150052", MB);
    f->it_dibao = q_int(f, SQL_ITEM_ID, "BM34150001", MS);
    f->it_long = q_int(f, SQL_ITEM_ID, "G-000006-001", ZW);
    f->it_g4 = q_int(f, SQL_ITEM_ID, "G-000004-001", ZW);
    f->org_zw = q_int(f, SQL_ORG_ID, ZW, NULL);
    f->org_mz = q_int(f, SQL_ORG_ID, MZ, NULL);
    /* 金寨县公安局: any second county department will do. */
    struct db *db = store_read(app_store(f->app), &e);
    db_query_int(db,
                 "SELECT min(id) FROM orgs WHERE region = '341524000000' "
                 "AND kind = 'department' AND credit_code <> $1",
                 (struct db_param[]){DBP_TEXT(MZ)}, 1, &f->org_ga, &e);
    store_read_done(app_store(f->app), db);
    if (f->it_gjj <= 0 || f->it_zjd <= 0 || f->it_marry <= 0 ||
        f->it_mabu <= 0 || f->it_dibao <= 0 || f->it_long <= 0 ||
        f->it_g4 <= 0 || f->org_zw <= 0 ||
        f->org_mz <= 0 ||
        f->org_ga <= 0) {
        fprintf(stderr, "setup: demo items not found\n");
        return -1;
    }
    f->clerk = mk_actor(11, "jz_clerk", ROLE_CLERK, JZ, 0);
    f->reviewer = mk_actor(12, "jz_reviewer", ROLE_REVIEWER, JZ, 0);
    f->decider = mk_actor(13, "jz_decider", ROLE_DECIDER, JZ, 0);
    f->city_clerk = mk_actor(14, "city_clerk", ROLE_CLERK, CITY, 0);
    f->city_decider = mk_actor(15, "city_decider", ROLE_DECIDER, CITY, 0);
    f->city_sup = mk_actor(16, "city_sup", ROLE_SUPERVISOR, CITY, 0);
    f->meishan_clerk = mk_actor(17, "ms_clerk", ROLE_CLERK, MEISHAN, 0);
    f->mz_reviewer = mk_actor(18, "mz_reviewer", ROLE_REVIEWER, JZ, f->org_mz);
    f->jz_admin = mk_actor(19, "jz_admin", ROLE_CENTRE_ADMIN, JZ, 0);
    static const char k_pdf[] = "%PDF-1.4 bianmin test material\n";
    json_t *out;
    if (app_file_store(f->app, &f->clerk, k_pdf, sizeof k_pdf - 1,
                       "application/pdf", "t.pdf", &out, &e)) {
        fprintf(stderr, "file: %s (%s)\n", e.msg, e.log);
        return -1;
    }
    snprintf(f->pdf, sizeof f->pdf, "%s",
             json_string_value(json_object_get(out, "sha256")));
    json_decref(out);
    g_fx = f;
    *state = f;
    return 0;
}

static int grp_teardown(void **state)
{
    struct fx *f = *state;
    if (!f)
        return 0;
    app_close(f->app);
    arena_free(f->arena);
    testdb_drop(f->url);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->files);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->files);
    free(f);
    return 0;
}

/* ---- helpers ------------------------------------------------------------ */

/* jload — JSON from printf text with ' for ". */
static json_t *jload(const char *fmt, va_list ap)
{
    char text[4096];
    vsnprintf(text, sizeof text, fmt, ap);
    for (char *p = text; *p; p++)
        if (*p == '\'')
            *p = '"';
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (!j)
        fail_msg("bad test JSON %s: %s", text, je.text);
    return j;
}

/* submit — file a case at `when`; no[64] gets its number. */
static int submit(struct fx *f, const struct actor *a, int64_t when,
                  char no[64], json_t **res, struct err *e, const char *fmt,
                  ...)
{
    va_list ap;
    va_start(ap, fmt);
    json_t *body = jload(fmt, ap);
    va_end(ap);
    struct case_write *w = NULL;
    int rc = app_case_submit_prepare(f->app, a, body, f->arena, &w, e);
    json_decref(body);
    if (rc == 0) {
        app_case_write_at(w, when);
        rc = app_case_write_run(f->app, w, e);
    }
    if (rc == 0) {
        snprintf(no, 64, "%s", app_case_write_no(w));
        if (res)
            *res = app_case_write_result(w);
    }
    if (w)
        app_case_write_free(w);
    return rc;
}

static int act(struct fx *f, const struct actor *a, const char *no,
               enum case_action action, int64_t when, json_t **res,
               struct err *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    json_t *body = jload(fmt, ap);
    va_end(ap);
    struct case_write *w = NULL;
    int rc = app_case_action_prepare(f->app, a, no, action, body, f->arena,
                                     &w, e);
    json_decref(body);
    if (rc == 0) {
        app_case_write_at(w, when);
        rc = app_case_write_run(f->app, w, e);
    }
    if (rc == 0 && res)
        *res = app_case_write_result(w);
    if (w)
        app_case_write_free(w);
    return rc;
}

static const char *sget(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* mats — [{index, file}…] for every index in `files`, commitments for
 * those in `commits` (both -1 ended). */
static const char *mats(struct fx *f, const int *files, const int *commits)
{
    static char buf[2048];
    size_t n = 0;
    n += (size_t)snprintf(buf + n, sizeof buf - n, "[");
    int first = 1;
    for (const int *i = files; *i >= 0; i++, first = 0)
        n += (size_t)snprintf(buf + n, sizeof buf - n,
                              "%s{'index':%d,'file':'%s'}", first ? "" : ",",
                              *i, f->pdf);
    for (const int *i = commits; *i >= 0; i++, first = 0)
        n += (size_t)snprintf(buf + n, sizeof buf - n,
                              "%s{'index':%d,'commitment':true}",
                              first ? "" : ",", *i);
    snprintf(buf + n, sizeof buf - n, "]");
    return buf;
}

#define APPLICANT                                                              \
    "'applicant':{'kind':'natural','name':'王小明','id_no':"                  \
    "'341524198503121028','phone':'13900001111'}"

/* A complete filing of the 公积金 rent withdrawal (committed 2, legal 3). */
static int submit_gjj(struct fx *f, int64_t when, char no[64], struct err *e)
{
    return submit(f, &f->city_clerk, when, no, NULL, e,
                  "{'item_id':%lld,'channel':'window'," APPLICANT
                  ",'materials':%s}",
                  (long long)f->it_gjj,
                  mats(f, (int[]){0, 1, 2, -1}, (int[]){3, -1}));
}

/* assert_cites — a notice prints the case number and cites the item's
 * legal basis: its first law's title (without 《》) is in the text. */
static void assert_cites(json_t *n, const char *no)
{
    const char *text = json_string_value(json_object_get(n, "text"));
    json_t *lb = json_object_get(n, "legal_basis");
    if (!text || !strstr(text, no))
        fail_msg("%s: no case number in %s", sget(n, "kind"), text);
    if (json_array_size(lb) == 0)
        fail_msg("%s: no legal basis", sget(n, "kind"));
    char law[256];
    snprintf(law, sizeof law, "%s", sget(json_array_get(lb, 0), "law"));
    char *core = law;
    if (!strncmp(core, "《", strlen("《")))
        core += strlen("《");
    char *close = strstr(core, "》");
    if (close)
        *close = '\0';
    if (!*core || !strstr(text, core))
        fail_msg("%s: text does not cite %s: %s", sget(n, "kind"), core,
                 text);
}

static json_t *get_case(struct fx *f, const char *no)
{
    struct err e = {0};
    json_t *out = NULL;
    OK(app_case_get(f->app, NULL, no, &out, &e));
    return out;
}

/* ---- tests --------------------------------------------------------------- */

/* A case filed and accepted on the eve of the Spring Festival (Fri 13 Feb
 * 2026): the due date skips 15-23 Feb and counts the make-up Saturday 14
 * Feb; the receipt says so; the whole life cycle follows. */
static void test_spring_festival(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    char no[64];
    json_t *r;
    OK(submit_gjj(f, at("2026-02-13", 9), no, &e));
    assert_non_null(strstr(no, CITY "-20260213-"));
    OK(act(f, &f->city_clerk, no, CA_ACCEPT, at("2026-02-13", 16), &r, &e,
           "{}"));
    assert_string_equal(sget(r, "state"), "handling");
    /* 2 working days: Sat 14 Feb (make-up), then Tue 24 Feb. */
    assert_string_equal(sget(r, "due_date"), "2026-02-24");
    assert_string_equal(sget(r, "legal_due_date"), "2026-02-25");
    json_decref(r);
    json_t *n;
    OK(app_case_notices(f->app, &f->city_clerk, no, "receipt", &n, &e));
    assert_string_equal(sget(n, "due_date"), "2026-02-24");
    assert_non_null(strstr(sget(n, "text"), no));
    assert_non_null(strstr(sget(n, "text"), "2026-02-24"));
    assert_true(json_array_size(json_object_get(n, "legal_basis")) > 0);
    json_decref(n);
    /* The clerk's intake was step 0; the decider decides, the clerk
     * delivers and closes. */
    FAILS(act(f, &f->city_clerk, no, CA_DECIDE, at("2026-02-14", 10), NULL,
              &e, "{'decision':'grant'}"),
          ERR_FORBIDDEN, NULL);
    OK(act(f, &f->city_decider, no, CA_DECIDE, at("2026-02-14", 10), &r, &e,
           "{'decision':'grant','result':'准予提取 12000 元'}"));
    assert_string_equal(sget(r, "state"), "decided");
    json_decref(r);
    FAILS(act(f, &f->city_clerk, no, CA_WITHDRAW, at("2026-02-14", 11), NULL,
              &e, "{'reason':'不想办了'}"),
          ERR_CONFLICT, NULL);
    OK(act(f, &f->city_clerk, no, CA_DELIVER, at("2026-02-14", 11), NULL, &e,
           "{'method':'electronic'}"));
    OK(act(f, &f->city_clerk, no, CA_CLOSE, at("2026-02-14", 12), &r, &e,
           "{}"));
    assert_string_equal(sget(r, "state"), "closed");
    json_decref(r);
    json_t *c = get_case(f, no);
    json_t *evs = json_object_get(c, "events");
    assert_int_equal(json_array_size(evs), 5); /* submit accept decide
                                                  deliver close */
    static const char *const k_acts[] = {"submit", "accept", "decide",
                                         "deliver", "close"};
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(sget(json_array_get(evs, i), "action"),
                            k_acts[i]);
    json_decref(c);
    OK(app_case_notices(f->app, &f->city_clerk, no, NULL, &n, &e));
    json_t *list = json_object_get(n, "notices");
    assert_int_equal(json_array_size(list), 3);
    static const char *const k_kinds[] = {"receipt", "decision", "delivery"};
    for (size_t i = 0; i < 3; i++) {
        json_t *x = json_array_get(list, i);
        assert_string_equal(sget(x, "kind"), k_kinds[i]);
        assert_cites(x, no);
    }
    /* The receipt follows the guide: the committed limit in working days
     * and the consult telephone. */
    json_t *rc = json_array_get(list, 0);
    assert_int_equal(json_integer_value(json_object_get(rc, "limit_days")), 2);
    assert_non_null(strstr(sget(rc, "text"), "承诺办结时限 2 个工作日"));
    assert_non_null(strstr(sget(rc, "text"), sget(rc, "consult")));
    assert_true(strlen(sget(rc, "consult")) > 0);
    json_decref(n);
}

/* A supplement pause of Tue-Thu does not eat working days: the due date
 * moves by the two working days paused. */
static void test_supplement_pause(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    char no[64];
    json_t *r;
    OK(submit_gjj(f, at("2026-03-02", 9), no, &e));
    OK(act(f, &f->city_clerk, no, CA_ACCEPT, at("2026-03-02", 10), &r, &e,
           "{}"));
    assert_string_equal(sget(r, "due_date"), "2026-03-04");
    json_decref(r);
    FAILS(act(f, &f->city_decider, no, CA_PAUSE, at("2026-03-03", 9), NULL,
              &e, "{'kind':'supplement','reason':'租赁合同不清晰'}"),
          ERR_INVALID, "/limit_days");
    OK(act(f, &f->city_decider, no, CA_PAUSE, at("2026-03-03", 9), &r, &e,
           "{'kind':'supplement','reason':'租赁合同不清晰','limit_days':5}"));
    assert_string_equal(sget(r, "state"), "paused");
    json_decref(r);
    FAILS(act(f, &f->city_decider, no, CA_DECIDE, at("2026-03-04", 9), NULL,
              &e, "{'decision':'grant'}"),
          ERR_CONFLICT, NULL);
    OK(act(f, &f->city_decider, no, CA_RESUME, at("2026-03-05", 9), &r, &e,
           "{}"));
    /* 4 and 5 Mar paused: due Fri 6 Mar instead of Wed 4 Mar. */
    assert_string_equal(sget(r, "due_date"), "2026-03-06");
    json_decref(r);
    json_t *c = get_case(f, no);
    json_t *p = json_array_get(json_object_get(c, "pauses"), 0);
    assert_string_equal(sget(p, "kind"), "supplement");
    assert_int_equal(json_integer_value(json_object_get(p, "limit_days")), 5);
    assert_false(json_is_null(json_object_get(p, "end_at")));
    json_decref(c);
    /* Withdrawal before the decision is allowed, and closes the clock. */
    OK(act(f, &f->city_clerk, no, CA_WITHDRAW, at("2026-03-05", 10), &r, &e,
           "{'reason':'申请人书面撤回'}"));
    assert_string_equal(sget(r, "state"), "withdrawn");
    json_decref(r);
}

/* A parallel step (并联) goes to two departments; the case moves on only
 * when both answered, and only their own staff answer. */
static void test_parallel_blocks(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    char no[64];
    json_t *r;
    OK(submit(f, &f->clerk, at("2026-03-02", 9), no, NULL, &e,
              "{'item_id':%lld,'channel':'window'," APPLICANT
              ",'materials':%s}",
              (long long)f->it_zjd,
              mats(f, (int[]){0, 1, 2, 3, 5, 6, -1}, (int[]){4, -1})));
    OK(act(f, &f->clerk, no, CA_ACCEPT, at("2026-03-02", 10), NULL, &e, "{}"));
    /* Step 1 (联审与现场踏勘) is parallel: not done as a serial step. */
    FAILS(act(f, &f->reviewer, no, CA_STEP, at("2026-03-02", 11), NULL, &e,
              "{'opinion':'同意'}"),
          ERR_CONFLICT, NULL);
    FAILS(act(f, &f->reviewer, no, CA_DISPATCH, at("2026-03-02", 11), NULL, &e,
              "{'departments':[%lld]}", (long long)f->org_mz),
          ERR_INVALID, "/departments");
    OK(act(f, &f->reviewer, no, CA_DISPATCH, at("2026-03-02", 11), NULL, &e,
           "{'departments':[%lld,%lld]}", (long long)f->org_mz,
           (long long)f->org_ga));
    FAILS(act(f, &f->reviewer, no, CA_DISPATCH, at("2026-03-02", 11), NULL, &e,
              "{'departments':[%lld,%lld]}", (long long)f->org_mz,
              (long long)f->org_ga),
          ERR_CONFLICT, NULL);
    FAILS(act(f, &f->decider, no, CA_DECIDE, at("2026-03-03", 9), NULL, &e,
              "{'decision':'grant'}"),
          ERR_CONFLICT, NULL);
    /* The 民政局's own reviewer answers for it, not for the other one. */
    FAILS(act(f, &f->mz_reviewer, no, CA_ANSWER, at("2026-03-03", 10), NULL,
              &e, "{'department':%lld,'opinion':'同意'}", (long long)f->org_ga),
          ERR_FORBIDDEN, NULL);
    OK(act(f, &f->mz_reviewer, no, CA_ANSWER, at("2026-03-03", 10), &r, &e,
           "{'department':%lld,'opinion':'同意'}", (long long)f->org_mz));
    assert_int_equal(json_integer_value(json_object_get(r, "step")), 1);
    json_decref(r);
    FAILS(act(f, &f->mz_reviewer, no, CA_ANSWER, at("2026-03-03", 10), NULL,
              &e, "{'department':%lld,'opinion':'再次同意'}",
              (long long)f->org_mz),
          ERR_CONFLICT, NULL);
    FAILS(act(f, &f->decider, no, CA_DECIDE, at("2026-03-03", 11), NULL, &e,
              "{'decision':'grant'}"),
          ERR_CONFLICT, NULL);
    OK(act(f, &f->reviewer, no, CA_ANSWER, at("2026-03-04", 10), &r, &e,
           "{'department':%lld,'opinion':'现场踏勘无异议'}",
           (long long)f->org_ga));
    assert_int_equal(json_integer_value(json_object_get(r, "step")), 2);
    json_decref(r);
    /* A denial needs reason and basis. */
    FAILS(act(f, &f->decider, no, CA_DECIDE, at("2026-03-05", 9), NULL, &e,
              "{'decision':'deny','reason':'超出面积标准'}"),
          ERR_INVALID, "/basis");
    OK(act(f, &f->decider, no, CA_DECIDE, at("2026-03-05", 9), &r, &e,
           "{'decision':'deny','reason':'超出面积标准','basis':"
           "'《土地管理法》第六十二条'}"));
    assert_string_equal(sget(r, "decision"), "deny");
    json_decref(r);
    json_t *c = get_case(f, no);
    json_t *tasks = json_object_get(c, "tasks");
    assert_int_equal(json_array_size(tasks), 2);
    for (size_t i = 0; i < 2; i++)
        assert_false(
            json_is_null(json_object_get(json_array_get(tasks, i), "opinion")));
    json_decref(c);
    json_t *n;
    OK(app_case_notices(f->app, &f->clerk, no, "decision", &n, &e));
    assert_non_null(strstr(sget(n, "text"), "土地管理法"));
    assert_string_equal(sget(n, "title"), "不予决定书");
    json_decref(n);
}

/* 即办件: accepted and decided in one sitting, closed the same day. */
static void test_immediate(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    char no[64];
    json_t *r;
    OK(submit(f, &f->clerk, at("2026-04-08", 9), no, NULL, &e,
              "{'item_id':%lld,'channel':'window'," APPLICANT
              ",'materials':%s}",
              (long long)f->it_marry,
              mats(f, (int[]){0, 1, 3, -1}, (int[]){2, -1})));
    FAILS(act(f, &f->clerk, no, CA_ACCEPT, at("2026-04-08", 10), NULL, &e,
              "{}"),
          ERR_INVALID, "/decision");
    OK(act(f, &f->clerk, no, CA_ACCEPT, at("2026-04-08", 10), &r, &e,
           "{'decision':'grant','result':'结婚证'}"));
    assert_string_equal(sget(r, "state"), "closed");
    assert_string_equal(sget(r, "due_date"), "2026-04-08");
    json_decref(r);
    assert_int_equal(q_int(f, SQL_EVENTS_OF, no, NULL), 5);
}

struct lic {
    const struct actor *by;
    char number[64];
};

static int lic_unit(struct db *db, void *arg, struct err *x)
{
    struct lic *l = arg;
    return app_licence_issue(db, l->by, "居民身份证", "341524198503121028",
                             "王小明", g_fx->org_mz, NULL, 0, l->number, x);
}

/* has — 1 when the JSON text of v holds s. */
static int has(json_t *v, const char *s)
{
    char *t = json_dumps(v, 0);
    int r = t && strstr(t, s) != NULL;
    free(t);
    return r;
}

/* The one-time notice lists everything missing once; a second notice may
 * not name material already accepted; a material found as an electronic
 * licence is never asked of the applicant. */
static void test_notice_and_evidence(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    /* The applicant holds an electronic ID card licence. */
    struct lic l = {.by = &f->clerk};
    OK(store_write(app_store(f->app), lic_unit, &l, &e));
    char no[64];
    json_t *r;
    /* Only the application form is given; the commitment is not signed. */
    OK(submit(f, &f->clerk, at("2026-05-11", 9), no, &r, &e,
              "{'item_id':%lld,'channel':'window'," APPLICANT
              ",'materials':%s}",
              (long long)f->it_dibao, mats(f, (int[]){5, -1}, (int[]){-1})));
    json_t *missing = json_object_get(r, "missing");
    /* 0 (ID card) came from the licence: not missing. 1-4 shared data (no
     * data set in this database), 6 (授权书), 7 (承诺书) missing; 8, 9
     * conditional, not claimed. */
    assert_int_equal(json_array_size(missing), 6);
    for (size_t i = 0; i < json_array_size(missing); i++)
        assert_int_not_equal(
            json_integer_value(
                json_object_get(json_array_get(missing, i), "index")),
            0);
    json_decref(r);
    json_t *c = get_case(f, no);
    json_t *m0 = json_array_get(json_object_get(c, "materials"), 0);
    assert_string_equal(sget(m0, "status"), "evidence");
    assert_non_null(strstr(sget(json_object_get(m0, "evidence"), "ref"),
                           l.number));
    assert_string_equal(
        sget(json_array_get(json_object_get(c, "materials"), 8), "status"),
        "not_applicable");
    json_decref(c);
    FAILS(act(f, &f->clerk, no, CA_ACCEPT, at("2026-05-11", 10), NULL, &e,
              "{}"),
          ERR_INVALID, "/materials");
    /* Asking for the licence material is refused: it is never asked. */
    FAILS(act(f, &f->clerk, no, CA_NOTICE, at("2026-05-11", 10), NULL, &e,
              "{'items':[{'index':0,'reason':'请提供身份证'}]}"),
          ERR_INVALID, "/items/0/index");
    OK(act(f, &f->clerk, no, CA_NOTICE, at("2026-05-11", 10), &r, &e,
           "{'items':[{'index':1,'reason':'共享数据未返回'},{'index':2,"
           "'reason':'共享数据未返回'},{'index':3,'reason':'共享数据未返回'},"
           "{'index':4,'reason':'共享数据未返回'},{'index':6,'reason':'未签字'},"
           "{'index':7,'reason':'未签署承诺书'}]}"));
    assert_string_equal(sget(r, "state"), "supplement");
    json_decref(r);
    /* Not yet accepted: no due date, the clock has not started. */
    c = get_case(f, no);
    assert_true(json_is_null(json_object_get(c, "due_date")));
    json_decref(c);
    FAILS(act(f, &f->clerk, no, CA_SUPPLY, at("2026-05-12", 9), NULL, &e,
              "{'materials':[{'index':5,'file':'%s'}]}", f->pdf),
          ERR_INVALID, "/materials/0/index");
    OK(act(f, &f->clerk, no, CA_SUPPLY, at("2026-05-12", 9), NULL, &e,
           "{'materials':%s}",
           mats(f, (int[]){1, 2, 3, 4, -1}, (int[]){7, -1})));
    /* A second notice: what the first listed may be asked again, material
     * already accepted (5, the form) may not. */
    FAILS(act(f, &f->clerk, no, CA_NOTICE, at("2026-05-12", 10), NULL, &e,
              "{'items':[{'index':5,'reason':'再看看'},{'index':6,'reason':"
              "'仍未签字'}]}"),
          ERR_CONFLICT, "/items");
    OK(act(f, &f->clerk, no, CA_NOTICE, at("2026-05-12", 10), NULL, &e,
           "{'items':[{'index':6,'reason':'仍未签字'}]}"));
    OK(act(f, &f->clerk, no, CA_SUPPLY, at("2026-05-13", 9), NULL, &e,
           "{'materials':[{'index':6,'file':'%s'}]}", f->pdf));
    OK(act(f, &f->clerk, no, CA_ACCEPT, at("2026-05-13", 10), &r, &e, "{}"));
    assert_string_equal(sget(r, "state"), "handling");
    json_decref(r);
    json_t *n;
    OK(app_case_notices(f->app, &f->clerk, no, "notice", &n, &e));
    assert_int_equal(json_array_size(json_object_get(n, "items")), 1);
    /* The notice names each material as the guide does, with its reason,
     * and cites the basis. */
    json_t *it0 = json_array_get(json_object_get(n, "items"), 0);
    assert_true(strlen(sget(it0, "name")) > 0);
    assert_non_null(strstr(sget(n, "text"), sget(it0, "name")));
    assert_non_null(strstr(sget(n, "text"), "仍未签字"));
    assert_cites(n, no);
    json_decref(n);
    /* Fees are recorded with their receipt number. */
    FAILS(act(f, &f->clerk, no, CA_FEE, at("2026-05-13", 11), NULL, &e,
              "{'amount_fen':8000}"),
          ERR_INVALID, "/receipt_no");
    OK(act(f, &f->clerk, no, CA_FEE, at("2026-05-13", 11), NULL, &e,
           "{'amount_fen':8000,'receipt_no':'AH2026-000123'}"));
}


/* Events cannot be changed or deleted by any path, raw SQL included; a
 * case cannot change state without its event, nor be deleted. */
static void test_events_immutable(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    char no[64];
    OK(submit_gjj(f, at("2026-06-01", 9), no, &e));
    OK(act(f, &f->city_clerk, no, CA_ACCEPT, at("2026-06-01", 10), NULL, &e,
           "{}"));
    struct db *db = db_open(f->url, 1, &e);
    assert_non_null(db);
    static const char *const k_bad[] = {
        "UPDATE case_events SET reason = 'edited'",
        "UPDATE case_events SET to_state = 'closed'",
        "DELETE FROM case_events",
        "UPDATE cases SET state = 'closed'",
        "DELETE FROM cases",
        "UPDATE cases SET case_no = 'X'",
        "INSERT INTO cases (case_no, query_code, item_id, item_version, "
        "org_id, region, r1, kind, channel, state, applicant_kind, "
        "applicant_name, applicant_id, submitted_at, updated_at) SELECT "
        "'Y', 'Z', item_id, item_version, org_id, region, r1, kind, channel, "
        "'closed', applicant_kind, applicant_name, applicant_id, 0, 0 "
        "FROM cases LIMIT 1",
    };
    int64_t before = q_int(f, "SELECT count(*) FROM case_events", "", NULL);
    for (size_t i = 0; i < sizeof k_bad / sizeof k_bad[0]; i++) {
        err_clear(&e);
        if (db_script(db, k_bad[i], &e) == 0)
            fail_msg("allowed: %s", k_bad[i]);
    }
    if (testdb_is_pg()) {
        err_clear(&e);
        if (db_script(db, "TRUNCATE case_events CASCADE", &e) == 0)
            fail_msg("allowed: TRUNCATE");
    }
    db_close(db);
    assert_int_equal(q_int(f, "SELECT count(*) FROM case_events", "", NULL),
                     before);
    assert_int_equal(q_int(f, SQL_STATE_IS, no, "handling"), 1);
}

/* A township clerk reaches no case of the next township by any route. */
static void test_scope(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    char no[64];
    /* 梅山's clerk cannot file for 麻埠's item; the county clerk can. */
    FAILS(submit(f, &f->meishan_clerk, at("2026-06-02", 9), no, NULL, &e,
                 "{'item_id':%lld,'channel':'window'," APPLICANT "}",
                 (long long)f->it_mabu),
          ERR_FORBIDDEN, NULL);
    OK(submit(f, &f->clerk, at("2026-06-02", 9), no, NULL, &e,
              "{'item_id':%lld,'channel':'window'," APPLICANT "}",
              (long long)f->it_mabu));
    json_t *out = NULL;
    FAILS(app_case_get(f->app, &f->meishan_clerk, no, &out, &e),
          ERR_NOT_FOUND, NULL);
    FAILS(app_case_notices(f->app, &f->meishan_clerk, no, NULL, &out, &e),
          ERR_NOT_FOUND, NULL);
    FAILS(act(f, &f->meishan_clerk, no, CA_REFUSE, at("2026-06-02", 10), NULL,
              &e, "{'reason':'x','basis':'y'}"),
          ERR_NOT_FOUND, NULL);
    FAILS(act(f, &f->meishan_clerk, no, CA_WITHDRAW, at("2026-06-02", 10),
              NULL, &e, "{'reason':'x'}"),
          ERR_NOT_FOUND, NULL);
    struct case_query q = {.region = MABU};
    FAILS(app_case_list(f->app, &f->meishan_clerk, &q, &out, &e),
          ERR_FORBIDDEN, "region");
    struct case_query mine = {.region = NULL};
    OK(app_case_list(f->app, &f->meishan_clerk, &mine, &out, &e));
    assert_false(has(out, no));
    json_decref(out);
    struct warn_query wq = {.region = MABU};
    FAILS(app_case_warnings(f->app, &f->meishan_clerk, &wq, &out, &e),
          ERR_FORBIDDEN, "region");
    /* The county clerk sees it and refuses it with a basis. */
    OK(app_case_get(f->app, &f->clerk, no, &out, &e));
    json_decref(out);
    OK(act(f, &f->clerk, no, CA_REFUSE, at("2026-06-02", 10), NULL, &e,
           "{'reason':'不属于本机关职权范围','basis':'《行政许可法》第三十二条'}"));
    OK(app_case_notices(f->app, &f->clerk, no, "refusal", &out, &e));
    assert_non_null(strstr(sget(out, "text"), "行政许可法"));
    json_decref(out);
}

/* The public query: the timeline in plain words, the ID never whole, a
 * wrong code answers as a missing case, and guessing is slowed down. */
static void test_public_progress(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    char no[64];
    json_t *r;
    OK(submit(f, &f->city_clerk, at("2026-06-03", 9), no, &r, &e,
              "{'item_id':%lld,'channel':'window'," APPLICANT
              ",'materials':%s}",
              (long long)f->it_gjj,
              mats(f, (int[]){0, 1, 2, -1}, (int[]){3, -1})));
    char code[16];
    snprintf(code, sizeof code, "%s", sget(r, "query_code"));
    json_decref(r);
    OK(act(f, &f->city_clerk, no, CA_ACCEPT, at("2026-06-03", 10), NULL, &e,
           "{}"));
    json_t *p;
    OK(app_case_progress(f->app, no, code, "10.1.1.1", &p, &e));
    char *text = json_dumps(p, 0);
    assert_null(strstr(text, "341524198503121028"));
    assert_null(strstr(text, "13900001111"));
    assert_non_null(strstr(text, "3415**********1028"));
    assert_non_null(strstr(text, "王**"));
    assert_non_null(strstr(text, "已受理"));
    free(text);
    assert_string_equal(sget(p, "state"), "handling");
    json_decref(p);
    struct err e_missing = {0}, e_wrong = {0};
    assert_int_equal(app_case_progress(f->app, "341500000000-20260603-999999",
                                       code, "10.1.1.2", &p, &e_missing),
                     -1);
    assert_int_equal(
        app_case_progress(f->app, no, "WRONG234", "10.1.1.3", &p, &e_wrong),
        -1);
    assert_int_equal(e_missing.code, ERR_NOT_FOUND);
    assert_int_equal(e_wrong.code, ERR_NOT_FOUND);
    assert_string_equal(e_missing.msg, e_wrong.msg);
    assert_string_equal(e_missing.field, e_wrong.field);
    /* Guessing one number from many addresses: slowed after the limit,
     * for that number whatever the code. */
    for (int i = 0; i < APP_PROGRESS_MAX_PER_CASE - 1; i++) {
        char ip[32];
        snprintf(ip, sizeof ip, "10.2.0.%d", i);
        FAILS(app_case_progress(f->app, no, "GUESS234", ip, &p, &e),
              ERR_NOT_FOUND, NULL);
    }
    FAILS(app_case_progress(f->app, no, code, "10.3.0.1", &p, &e), ERR_RATE,
          NULL);
    /* From one address, across numbers. */
    for (int i = 0; i < APP_PROGRESS_MAX_PER_IP; i++) {
        char n2[64];
        snprintf(n2, sizeof n2, "341500000000-20260603-%06d", 900000 + i);
        FAILS(app_case_progress(f->app, n2, "GUESS234", "10.4.0.1", &p, &e),
              ERR_NOT_FOUND, NULL);
    }
    FAILS(app_case_progress(f->app, "341500000000-20260603-000001", "X",
                            "10.4.0.1", &p, &e),
          ERR_RATE, NULL);
}

/* The warning scan: yellow on the due day (threshold 1 for a 2-day limit),
 * red the day after, for the city subtree and for the office. */
static void test_warnings(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    char no[64];
    OK(submit_gjj(f, at("2026-07-06", 9), no, &e));
    OK(act(f, &f->city_clerk, no, CA_ACCEPT, at("2026-07-06", 10), NULL, &e,
           "{}")); /* Mon; due Wed 8 Jul */
    static const struct {
        const char *today, *level;
    } k_days[] = {
        {"2026-07-07", NULL}, {"2026-07-08", "yellow"}, {"2026-07-09", "red"}};
    for (size_t i = 0; i < 3; i++) {
        for (int by_org = 0; by_org < 2; by_org++) {
            struct warn_query q = {.region = by_org ? NULL : CITY,
                                   .org_id = by_org ? q_int(f, SQL_ORG_ID,
                                                            GJJ, NULL)
                                                    : 0,
                                   .limit = 200,
                                   .today = day_of(k_days[i].today)};
            json_t *out;
            OK(app_case_warnings(f->app, &f->city_sup, &q, &out, &e));
            const char *got = NULL;
            json_t *items = json_object_get(out, "items");
            for (size_t k = 0; k < json_array_size(items); k++)
                if (!strcmp(sget(json_array_get(items, k), "case_no"), no))
                    got = sget(json_array_get(items, k), "level");
            if (k_days[i].level == NULL)
                assert_null(got);
            else {
                assert_non_null(got);
                assert_string_equal(got, k_days[i].level);
                assert_true(json_integer_value(
                                json_object_get(out, k_days[i].level)) >= 1);
            }
            json_decref(out);
        }
    }
    /* Decided: the clock stops, the case leaves the scan. */
    OK(act(f, &f->city_decider, no, CA_DECIDE, at("2026-07-09", 9), NULL, &e,
           "{'decision':'grant'}"));
    struct warn_query q = {.region = CITY, .limit = 200,
                           .today = day_of("2026-07-09")};
    json_t *out;
    OK(app_case_warnings(f->app, &f->city_sup, &q, &out, &e));
    assert_false(has(out, no));
    json_decref(out);
}

static int submit_long(struct fx *f, int64_t when, char no[64],
                       struct err *e);

/* scan — the warning scan of the county service centre (ZW) on `date`;
 * the level and working days left of `no` in it (level NULL: not listed). */
static json_t *scan(struct fx *f, const struct actor *who, const char *date,
                    const char *level, int limit, const char *after)
{
    struct err e = {0};
    struct warn_query q = {.org_id = f->org_zw, .level = level,
                           .limit = limit, .after = after,
                           .today = day_of(date)};
    json_t *out = NULL;
    OK(app_case_warnings(f->app, who, &q, &out, &e));
    return out;
}

static json_t *listed(json_t *out, const char *no)
{
    json_t *items = json_object_get(out, "items");
    for (size_t k = 0; k < json_array_size(items); k++)
        if (!strcmp(sget(json_array_get(items, k), "case_no"), no))
            return json_array_get(items, k);
    return NULL;
}

static int64_t jint(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* Per-item thresholds around the Mid-Autumn and National Day holidays of
 * 2026 (25-27 Sep and 1-7 Oct off; Sun 20 Sep and Sat 10 Oct worked).
 * Two 30-day cases accepted Fri 21 Aug are due Fri 9 Oct: G-000004-001
 * with its guide's warning_workdays 10 turns yellow on the make-up Sunday
 * 20 Sep (9 working days left), G-000006-001 with the default
 * max(1, ⌈20% × 30⌉) = 6 on Thu 24 Sep (5 left); both are yellow through
 * the holiday and red on the make-up Saturday. A third, paused, is never
 * flagged. The scan pages by keyset and only supervisors, centre
 * administrators and clerks of the scope may run it. */
static void test_thresholds(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    char g4[64], g6[64], paused[64];
    json_t *r;
    const int64_t t = at("2026-08-21", 10);
    OK(submit(f, &f->clerk, at("2026-08-21", 9), g4, NULL, &e,
              "{'item_id':%lld,'channel':'window'," APPLICANT
              ",'materials':%s}",
              (long long)f->it_g4, mats(f, (int[]){0, 1, 2, 3, -1},
                                        (int[]){4, -1})));
    OK(submit_long(f, at("2026-08-21", 9), g6, &e));
    OK(submit_long(f, at("2026-08-21", 9), paused, &e));
    OK(act(f, &f->clerk, g4, CA_ACCEPT, t, &r, &e, "{}"));
    assert_string_equal(sget(r, "due_date"), "2026-10-09");
    json_decref(r);
    OK(act(f, &f->clerk, g6, CA_ACCEPT, t, NULL, &e, "{}"));
    OK(act(f, &f->clerk, paused, CA_ACCEPT, t, NULL, &e, "{}"));
    OK(act(f, &f->clerk, paused, CA_PAUSE, at("2026-09-01", 9), NULL, &e,
           "{'kind':'expert_review','reason':'专家评审','limit_days':20}"));
    json_t *cj = get_case(f, g4);
    assert_int_equal(jint(cj, "warn_workdays"), 10);
    assert_string_equal(sget(cj, "warn_date"), "2026-09-20");
    json_decref(cj);
    cj = get_case(f, g6);
    assert_int_equal(jint(cj, "warn_workdays"), 6);
    assert_string_equal(sget(cj, "warn_date"), "2026-09-24");
    json_decref(cj);
    cj = get_case(f, paused);
    assert_string_equal(sget(cj, "level"), "paused");
    assert_true(json_is_null(json_object_get(cj, "warn_date")));
    json_decref(cj);

    static const struct {
        const char *date;
        const char *g4, *g6; /* level, NULL = not listed */
        int left4, left6;
        int red, yellow;
    } k_days[] = {
        {"2026-09-19", NULL, NULL, 0, 0, 0, 0},
        {"2026-09-20", "yellow", NULL, 9, 0, 0, 1},
        {"2026-09-23", "yellow", NULL, 6, 0, 0, 1},
        {"2026-09-24", "yellow", "yellow", 5, 5, 0, 2},
        {"2026-10-07", "yellow", "yellow", 2, 2, 0, 2},
        {"2026-10-09", "yellow", "yellow", 0, 0, 0, 2},
        {"2026-10-10", "red", "red", -1, -1, 2, 0},
    };
    for (size_t i = 0; i < sizeof k_days / sizeof *k_days; i++) {
        json_t *out = scan(f, &f->city_sup, k_days[i].date, NULL, 200, NULL);
        json_t *a = listed(out, g4), *b = listed(out, g6);
        if ((k_days[i].g4 == NULL) != (a == NULL) ||
            (k_days[i].g6 == NULL) != (b == NULL))
            fail_msg("%s: listed g4 %d g6 %d", k_days[i].date, a != NULL,
                     b != NULL);
        if (a) {
            assert_string_equal(sget(a, "level"), k_days[i].g4);
            assert_int_equal(jint(a, "remaining_workdays"), k_days[i].left4);
            assert_string_equal(sget(json_object_get(a, "org"), "name"),
                                "金寨县政务服务中心");
        }
        if (b) {
            assert_string_equal(sget(b, "level"), k_days[i].g6);
            assert_int_equal(jint(b, "remaining_workdays"), k_days[i].left6);
        }
        assert_null(listed(out, paused));
        assert_int_equal(jint(out, "red"), k_days[i].red);
        assert_int_equal(jint(out, "yellow"), k_days[i].yellow);
        json_decref(out);
    }
    /* Levels filter the page, not the counts; the keyset pages one by one
     * (same due date: by id) and ends with next = null. */
    json_t *out = scan(f, &f->city_sup, "2026-10-09", "red", 200, NULL);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 0);
    assert_int_equal(jint(out, "yellow"), 2);
    json_decref(out);
    json_t *p1 = scan(f, &f->city_sup, "2026-10-09", "yellow", 1, NULL);
    assert_int_equal(json_array_size(json_object_get(p1, "items")), 1);
    assert_non_null(listed(p1, g4));
    json_t *p2 = scan(f, &f->city_sup, "2026-10-09", "yellow", 1,
                      sget(p1, "next"));
    assert_non_null(listed(p2, g6));
    json_t *p3 = scan(f, &f->city_sup, "2026-10-09", "yellow", 1,
                      sget(p2, "next"));
    assert_int_equal(json_array_size(json_object_get(p3, "items")), 0);
    assert_true(json_is_null(json_object_get(p3, "next")));
    json_decref(p1);
    json_decref(p2);
    json_decref(p3);
    struct warn_query bad = {.org_id = f->org_zw, .after = "12.x"};
    FAILS(app_case_warnings(f->app, &f->city_sup, &bad, &out, &e),
          ERR_INVALID, "after");

    /* Who: the county centre administrator and clerk yes (by region too);
     * a reviewer (reads cases, runs no scan) no; the 梅山镇 clerk neither
     * the county office nor the next township 麻埠镇. */
    out = scan(f, &f->jz_admin, "2026-10-10", NULL, 10, NULL);
    assert_int_equal(jint(out, "red"), 2);
    json_decref(out);
    struct warn_query q = {.region = JZ, .today = day_of("2026-10-10")};
    OK(app_case_warnings(f->app, &f->clerk, &q, &out, &e));
    assert_non_null(listed(out, g4));
    json_decref(out);
    FAILS(app_case_warnings(f->app, &f->reviewer, &q, &out, &e),
          ERR_FORBIDDEN, "region");
    struct warn_query qo = {.org_id = f->org_zw};
    FAILS(app_case_warnings(f->app, &f->meishan_clerk, &qo, &out, &e),
          ERR_FORBIDDEN, "org_id");
    struct warn_query qm = {.region = MABU};
    FAILS(app_case_warnings(f->app, &f->meishan_clerk, &qm, &out, &e),
          ERR_FORBIDDEN, "region");
    struct warn_query qs = {.region = MEISHAN, .today = day_of("2026-10-10")};
    OK(app_case_warnings(f->app, &f->meishan_clerk, &qs, &out, &e));
    assert_null(listed(out, g4));
    json_decref(out);

    /* Resumed: the clock runs again (a warn day again), with the working
     * days paused (2 Sep through 12 Oct) added to the due date. */
    OK(act(f, &f->clerk, paused, CA_RESUME, at("2026-10-12", 9), &r, &e,
           "{}"));
    assert_true(strcmp(sget(r, "due_date"), "2026-11-01") > 0);
    json_decref(r);
    cj = get_case(f, paused);
    assert_true(strcmp(sget(cj, "warn_date"), "2026-10-12") > 0);
    json_decref(cj);
    /* Withdraw the three so later tests see an empty office. */
    const char *all[] = {g4, g6, paused};
    for (int i = 0; i < 3; i++) {
        OK(act(f, &f->clerk, all[i], CA_WITHDRAW, at("2026-10-12", 10), NULL,
               &e, "{'reason':'申请人撤回'}"));
    }
}

/* Case numbers: region, date, a sequence per region and day. */
static void test_numbers(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    char a[64], b[64], c[64];
    OK(submit_gjj(f, at("2026-08-03", 9), a, &e));
    OK(submit_gjj(f, at("2026-08-03", 10), b, &e));
    OK(submit_gjj(f, at("2026-08-04", 9), c, &e));
    assert_string_equal(a, CITY "-20260803-000001");
    assert_string_equal(b, CITY "-20260803-000002");
    assert_string_equal(c, CITY "-20260804-000001");
    /* Bad applicants are refused naming the field. */
    FAILS(submit(f, &f->city_clerk, at("2026-08-03", 9), a, NULL, &e,
                 "{'item_id':%lld,'channel':'window','applicant':{'kind':"
                 "'natural','name':'张三','id_no':'341524198503121029'}}",
                 (long long)f->it_gjj),
          ERR_INVALID, "/applicant/id_no");
    FAILS(submit(f, &f->city_clerk, at("2026-08-03", 9), a, NULL, &e,
                 "{'item_id':%lld,'channel':'window','applicant':{'kind':"
                 "'legal','name':'某公司','credit_code':'91341524MA2N0D1M0X'}}",
                 (long long)f->it_gjj),
          ERR_INVALID, "/applicant/credit_code");
    FAILS(submit(f, &f->city_clerk, at("2026-08-03", 9), a, NULL, &e,
                 "{'item_id':%lld,'channel':'online'," APPLICANT "}",
                 (long long)f->it_gjj),
          ERR_FORBIDDEN, "/channel");
    FAILS(submit(f, &f->city_clerk, at("2026-08-03", 9), a, NULL, &e,
                 "{'item_id':%lld,'channel':'window'," APPLICANT
                 ",'materials':[{'index':0,'file':'%064d'}]}",
                 (long long)f->it_gjj, 0),
          ERR_INVALID, "/materials/0/file");
    /* A proof may be replaced by a commitment only where the proof
     * registry allows it (none is registered here). */
    int64_t adopt = q_int(f, SQL_ITEM_ID, "BM34150007", MZ);
    FAILS(submit(f, &f->clerk, at("2026-08-03", 9), a, NULL, &e,
                 "{'item_id':%lld,'channel':'window'," APPLICANT
                 ",'materials':[{'index':4,'commitment':true}]}",
                 (long long)adopt),
          ERR_INVALID, "/materials/0/commitment");
    /* A file material cannot be promised instead. */
    FAILS(submit(f, &f->clerk, at("2026-08-03", 9), a, NULL, &e,
                 "{'item_id':%lld,'channel':'window'," APPLICANT
                 ",'materials':[{'index':3,'commitment':true}]}",
                 (long long)adopt),
          ERR_INVALID, "/materials/0/commitment");
}

/* ---- failing the k-th store call (STYLE.md habit 13) --------------------- */


/* run_faulty — the write w (prepared) on a db failing its k-th call, k =
 * 1, 2, … inside BEGIN … ROLLBACK, until a run passes (then committed):
 * each failed run leaves the case, its events and the audit log as they
 * were. */
static void run_faulty(struct fx *f, struct case_write *w, const char *no,
                       const char *state_before)
{
    struct err e = {0};
    struct db *real = db_open(f->url, 1, &e);
    assert_non_null(real);
    int64_t ev0 = q_int(f, SQL_EVENTS_OF, no, NULL);
    int64_t au0 = q_int(f, SQL_AUDIT_COUNT, no, NULL);
    int fired_any = 0;
    for (int k = 1;; k++) {
        struct faulty fd;
        faulty_init(&fd, real, k);
        OK(db_script(real, testdb_is_pg() ? "BEGIN" : "BEGIN IMMEDIATE", &e));
        err_clear(&e);
        int rc = app_case_write_unit(&fd.base, w, &e);
        if (rc) {
            assert_true(fd.fired);
            OK(db_script(real, "ROLLBACK", &e));
            assert_int_equal(q_int(f, SQL_STATE_IS, no, state_before), 1);
            assert_int_equal(q_int(f, SQL_EVENTS_OF, no, NULL), ev0);
            assert_int_equal(q_int(f, SQL_AUDIT_COUNT, no, NULL), au0);
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

static void test_fault_accept(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    char no[64];
    OK(submit_gjj(f, at("2026-09-01", 9), no, &e));
    json_t *body = json_object();
    struct case_write *w = NULL;
    OK(app_case_action_prepare(f->app, &f->city_clerk, no, CA_ACCEPT, body,
                               f->arena, &w, &e));
    json_decref(body);
    app_case_write_at(w, at("2026-09-01", 10));
    run_faulty(f, w, no, "submitted");
    app_case_write_free(w);
    assert_int_equal(q_int(f, SQL_STATE_IS, no, "handling"), 1);
    assert_int_equal(q_int(f, SQL_EVENTS_OF, no, NULL), 2);
    /* Filing too: all or nothing, the case number taken only with it. */
    int64_t cases0 = q_int(f, "SELECT count(*) FROM cases", "", NULL);
    body = json_loads("{\"item_id\":1,\"channel\":\"window\",\"applicant\":"
                      "{\"kind\":\"natural\",\"name\":\"赵六\",\"id_no\":"
                      "\"341524198503121028\"}}",
                      0, NULL);
    json_object_set_new(body, "item_id", json_integer(f->it_gjj));
    OK(app_case_submit_prepare(f->app, &f->city_clerk, body, f->arena, &w,
                               &e));
    json_decref(body);
    app_case_write_at(w, at("2026-09-02", 9));
    OK(app_case_submit_lookups(f->app, w, &e)); /* before the unit */
    struct db *real = db_open(f->url, 1, &e);
    for (int k = 1;; k++) {
        struct faulty fd;
        faulty_init(&fd, real, k);
        OK(db_script(real, testdb_is_pg() ? "BEGIN" : "BEGIN IMMEDIATE", &e));
        err_clear(&e);
        int rc = app_case_write_unit(&fd.base, w, &e);
        if (rc) {
            OK(db_script(real, "ROLLBACK", &e));
            assert_int_equal(q_int(f, "SELECT count(*) FROM cases", "", NULL),
                             cases0);
            continue;
        }
        OK(db_script(real, "COMMIT", &e));
        break;
    }
    db_close(real);
    assert_string_equal(app_case_write_no(w), CITY "-20260902-000001");
    app_case_write_free(w);
}

/* ---- provisional due dates ---------------------------------------------- */

static const char SQL_AUDIT_RECOMPUTED[] =
    "SELECT count(*) FROM audit_log WHERE target_id = $1 "
    "AND action = 'case.due_recomputed'";

/* G-000006-001 at the county service centre: committed 30, legal 60
 * working days; files for its three required materials. */
static int submit_long(struct fx *f, int64_t when, char no[64], struct err *e)
{
    return submit(f, &f->clerk, when, no, NULL, e,
                  "{'item_id':%lld,'channel':'window'," APPLICANT
                  ",'materials':%s}",
                  (long long)f->it_long, mats(f, (int[]){0, 1, 4, -1},
                                               (int[]){-1}));
}

static void expect_days(struct fx *f, const char *no, const char *due,
                        const char *legal, int provisional)
{
    json_t *c = get_case(f, no);
    if (strcmp(sget(c, "due_date"), due) ||
        strcmp(sget(c, "legal_due_date"), legal) ||
        json_is_true(json_object_get(c, "due_provisional")) != provisional)
        fail_msg("%s: due %s legal %s provisional %d; want %s %s %d", no,
                 sget(c, "due_date"), sget(c, "legal_due_date"),
                 json_is_true(json_object_get(c, "due_provisional")), due,
                 legal, provisional);
    json_decref(c);
}

/* Today is Mon 23 Nov 2026 and 2027 is not known: a 30/60-day case gets
 * its dates by the weekday rule for 2027, flagged; a 2/3-day case inside
 * 2026 is not provisional; a 25/30-day case only by its legal date.
 * Importing tests/fixtures/holidays-2027.json (New Year's Day off, the
 * Spring Festival 6-13 Feb, make-up Sat 20 Feb) recomputes the open ones
 * in the import's unit, clears the flag and audits each change; a write
 * prepared before the import and run after it counts with 2027. */
static void test_provisional(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    char a[64], b[64], c[64], d[64], late[64];
    json_t *r;
    const int64_t t = at("2026-11-23", 10);
    OK(submit_long(f, at("2026-11-23", 9), a, &e));
    OK(act(f, &f->clerk, a, CA_ACCEPT, t, &r, &e, "{}"));
    /* 30: 28 working days left in 2026, then Fri 1 and Mon 4 Jan; 60:
     * no Spring Festival assumed, Mon 15 Feb. */
    assert_string_equal(sget(r, "due_date"), "2027-01-04");
    assert_string_equal(sget(r, "legal_due_date"), "2027-02-15");
    assert_true(json_is_true(json_object_get(r, "due_provisional")));
    json_decref(r);
    json_t *n;
    OK(app_case_notices(f->app, &f->clerk, a, "receipt", &n, &e));
    assert_true(json_is_true(json_object_get(n, "due_provisional")));
    assert_non_null(strstr(sget(n, "text"), "2027年的法定节假日安排尚未导入"));
    json_decref(n);
    json_t *cj = get_case(f, a);
    /* The warning period is that of the provisional date: 6 working days
     * (20% of 30), from Mon 28 Dec. */
    assert_string_equal(sget(cj, "warn_date"), "2026-12-28");
    assert_non_null(strstr(sget(cj, "due_note"), "可能调整"));
    char code[16];
    snprintf(code, sizeof code, "%s", sget(cj, "query_code"));
    json_decref(cj);
    json_t *p;
    OK(app_case_progress(f->app, a, code, "10.9.0.1", &p, &e));
    assert_true(json_is_true(json_object_get(p, "due_provisional")));
    assert_string_equal(sget(p, "due_date"), "2027-01-04");
    assert_non_null(strstr(sget(p, "due_note"), "国务院办公厅公布的2027年"));
    char *text = json_dumps(p, 0);
    assert_non_null(strstr(text, "（暂定）"));
    free(text);
    json_decref(p);

    /* Inside 2026: never provisional. */
    OK(submit_gjj(f, at("2026-11-23", 9), b, &e));
    OK(act(f, &f->city_clerk, b, CA_ACCEPT, t, &r, &e, "{}"));
    assert_string_equal(sget(r, "due_date"), "2026-11-25");
    assert_false(json_is_true(json_object_get(r, "due_provisional")));
    json_decref(r);
    OK(app_case_notices(f->app, &f->city_clerk, b, "receipt", &n, &e));
    assert_false(json_is_true(json_object_get(n, "due_provisional")));
    assert_null(strstr(sget(n, "text"), "暂定"));
    json_decref(n);

    /* 25/30 at 麻埠: committed Mon 28 Dec 2026 (final), legal 4 Jan. */
    OK(submit(f, &f->clerk, at("2026-11-23", 9), c, NULL, &e,
              "{'item_id':%lld,'channel':'window'," APPLICANT
              ",'materials':%s}",
              (long long)f->it_mabu,
              mats(f, (int[]){0, 1, 2, 4, -1}, (int[]){3, -1})));
    OK(act(f, &f->clerk, c, CA_ACCEPT, t, NULL, &e, "{}"));
    expect_days(f, c, "2026-12-28", "2027-01-04", 1);

    /* A paused one keeps no warn day; it is recomputed all the same. */
    OK(submit_long(f, at("2026-11-23", 9), d, &e));
    OK(act(f, &f->clerk, d, CA_ACCEPT, t, NULL, &e, "{}"));
    OK(act(f, &f->clerk, d, CA_PAUSE, at("2026-11-24", 9), NULL, &e,
           "{'kind':'supplement','reason':'补充说明','limit_days':5}"));

    /* Prepared before the import, run after it. */
    OK(submit_long(f, at("2026-11-23", 9), late, &e));
    json_t *body = json_object();
    struct case_write *w = NULL;
    OK(app_case_action_prepare(f->app, &f->clerk, late, CA_ACCEPT, body,
                               f->arena, &w, &e));
    json_decref(body);
    app_case_write_at(w, t);

    /* The scan on Tue 5 Jan 2027 before the import: past the provisional
     * due date (Mon 4 Jan), so red. */
    json_t *sc = scan(f, &f->city_sup, "2027-01-05", NULL, 200, NULL);
    assert_non_null(listed(sc, a));
    assert_string_equal(sget(listed(sc, a), "level"), "red");
    assert_true(json_is_true(json_object_get(listed(sc, a), "due_provisional")));
    assert_null(listed(sc, d));
    json_decref(sc);
    int64_t rev_a = q_int(f, "SELECT revision FROM cases WHERE case_no = $1",
                          a, NULL);
    int year = 0, days = 0, recomputed = -1;
    OK(app_calendar_import_file(
        f->app, BIANMIN_DATA_DIR "/../tests/fixtures/holidays-2027.json",
        &year, &days, &recomputed, &e));
    assert_int_equal(year, 2027);
    assert_int_equal(recomputed, 3); /* a, c, d */
    /* 30: New Year's Day off, Tue 5 Jan; 60: the Spring Festival and the
     * make-up Saturday, Sat 20 Feb. */
    expect_days(f, a, "2027-01-05", "2027-02-20", 0);
    expect_days(f, c, "2026-12-28", "2027-01-05", 0);
    expect_days(f, d, "2027-01-05", "2027-02-20", 0);
    expect_days(f, b, "2026-11-25", "2026-11-26", 0);
    cj = get_case(f, a);
    assert_string_equal(sget(cj, "warn_date"), "2026-12-28");
    assert_true(json_is_null(json_object_get(cj, "due_note")));
    json_decref(cj);
    cj = get_case(f, d);
    assert_true(json_is_null(json_object_get(cj, "warn_date")));
    json_decref(cj);
    /* The scan sees the recomputed dates at once: due that very day (New
     * Year's Day is off), so yellow with 0 working days left. */
    sc = scan(f, &f->city_sup, "2027-01-05", NULL, 200, NULL);
    assert_string_equal(sget(listed(sc, a), "level"), "yellow");
    assert_int_equal(jint(listed(sc, a), "remaining_workdays"), 0);
    assert_false(json_is_true(json_object_get(listed(sc, a), "due_provisional")));
    assert_int_equal(jint(sc, "red"), 0);
    json_decref(sc);
    assert_int_equal(q_int(f, "SELECT revision FROM cases WHERE case_no = $1",
                           a, NULL),
                     rev_a + 1);
    assert_int_equal(q_int(f, SQL_AUDIT_RECOMPUTED, a, NULL), 1);
    assert_int_equal(q_int(f, SQL_AUDIT_RECOMPUTED, c, NULL), 1);
    assert_int_equal(q_int(f, SQL_AUDIT_RECOMPUTED, b, NULL), 0);
    assert_int_equal(q_int(f, "SELECT count(*) FROM cases "
                              "WHERE due_provisional = 1 AND case_no = $1",
                           a, NULL),
                     0);
    /* No event: the timeline holds the actions of people only. */
    assert_int_equal(q_int(f, SQL_EVENTS_OF, a, NULL), 2);

    /* The write prepared with the old calendar counts with 2027. */
    OK(app_case_write_run(f->app, w, &e));
    r = app_case_write_result(w);
    assert_string_equal(sget(r, "due_date"), "2027-01-05");
    assert_string_equal(sget(r, "legal_due_date"), "2027-02-20");
    assert_false(json_is_true(json_object_get(r, "due_provisional")));
    json_decref(r);
    app_case_write_free(w);

    /* Resuming the paused case: 25 Nov - 1 Dec, 5 working days, known. */
    OK(act(f, &f->clerk, d, CA_RESUME, at("2026-12-01", 9), &r, &e, "{}"));
    assert_false(json_is_true(json_object_get(r, "due_provisional")));
    json_decref(r);
    /* A second import finds nothing provisional. */
    OK(app_calendar_import_file(
        f->app, BIANMIN_DATA_DIR "/../tests/fixtures/holidays-2027.json",
        &year, &days, &recomputed, &e));
    assert_int_equal(recomputed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spring_festival),
        cmocka_unit_test(test_supplement_pause),
        cmocka_unit_test(test_parallel_blocks),
        cmocka_unit_test(test_immediate),
        cmocka_unit_test(test_notice_and_evidence),
        cmocka_unit_test(test_events_immutable),
        cmocka_unit_test(test_scope),
        cmocka_unit_test(test_public_progress),
        cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_thresholds),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_fault_accept),
        cmocka_unit_test(test_provisional), /* last: imports 2027 */
    };
    return cmocka_run_group_tests(tests, grp_setup, grp_teardown);
}
