/* test_audit.c — the audit log: the hash chain verifies, and a deleted
 * row, a changed row, a swapped pair and a cut tail are each found (the
 * guard triggers are dropped/disabled first, as an attacker with the
 * database's own admin rights would); UPDATE and DELETE through SQL are
 * refused; many threads recording at once chain correctly (PostgreSQL: two
 * writer threads); actions leave their rows in the same unit (and a failed
 * action none); supervisors see only their subtree; masking; time parsing.
 * Runs once per driver (BIANMIN_TEST_DB = sqlite | postgres, testdb.h). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "app/accounts.h"
#include "app/app.h"
#include "app/app_orgs.h"
#include "app/audit.h"
#include "store/audit.h"
#include "store/regions.h"
#include "testdb.h"

#define CITY "341500000000"    /* 六安市 */
#define COUNTY "341524000000"  /* 金寨县 */
#define COUNTY2 "341525000000" /* 霍山县 */
#define TOWN "341524100000"    /* 梅山镇 */
#define PW "Correct-Horse-42"

struct fx {
    char url[512];
    struct app *app;
};

#define ok(call)                                                               \
    do {                                                                       \
        if ((call) != 0)                                                       \
            fail_msg("%s: %s [%s] (%s)", #call, e.msg, e.field, e.log);        \
    } while (0)

static const struct region_row k_regions[] = {
    {"340000000000", "安徽省", 1, NULL}, {CITY, "六安市", 2, "340000000000"},
    {COUNTY, "金寨县", 3, CITY},         {COUNTY2, "霍山县", 3, CITY},
    {TOWN, "梅山镇", 4, COUNTY},
};

static int unit_regions(struct db *db, void *arg, struct err *e)
{
    int64_t written;
    return store_region_upsert(db, k_regions,
                               (int)(sizeof k_regions / sizeof *k_regions),
                               store_now_ms(), &written, e);
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
    if (!f->app || store_migrate(app_store(f->app), NULL, &e) ||
        store_write(app_store(f->app), unit_regions, NULL, &e)) {
        fprintf(stderr, "setup %s: %s (%s)\n", f->url, e.msg, e.log);
        app_close(f->app);
        testdb_drop(f->url);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    struct fx *f = *state;
    app_close(f->app);
    testdb_drop(f->url);
    free(f);
    return 0;
}

/* ---- helpers ------------------------------------------------------------ */

static void record(struct fx *f, const char *action, const char *region,
                   int64_t actor_id)
{
    struct err e = {0};
    struct audit_entry en = {.actor_id = actor_id,
                             .actor_login = "tester",
                             .ip = "192.0.2.7",
                             .request_id = "rid-1",
                             .action = action,
                             .target_kind = "thing",
                             .target_id = "42",
                             .region = region,
                             .outcome = "ok"};
    json_t *d = json_pack("{s:s}", "note", "测试");
    en.detail = d;
    ok(app_audit_record(f->app, &en, &e));
    json_decref(d);
}

static struct audit_verdict verify(struct fx *f)
{
    struct err e = {0};
    struct audit_verdict v;
    ok(app_audit_verify(f->app, &v, &e));
    return v;
}

/* Run one admin statement on a connection of our own (not the store's). */
static void admin_sql(struct fx *f, const char *sql)
{
    struct err e = {0};
    struct db *db = db_open(f->url, 0, &e);
    if (!db)
        fail_msg("open: %s (%s)", e.msg, e.log);
    if (db_script(db, sql, &e)) {
        db_close(db);
        fail_msg("%s: %s (%s)", sql, e.msg, e.log);
    }
    db_close(db);
}

/* The guard off, as the database's owner can do. */
static void drop_guard(struct fx *f)
{
    if (testdb_is_pg())
        admin_sql(f, "ALTER TABLE audit_log DISABLE TRIGGER USER");
    else
        admin_sql(f, "DROP TRIGGER audit_log_no_update; "
                     "DROP TRIGGER audit_log_no_delete");
}

struct search_result {
    struct arena *ar;
    struct audit_view *items;
    int n;
    int64_t next;
};

static int search(struct fx *f, const struct actor *by,
                  const struct audit_query *q, struct search_result *r,
                  struct err *e)
{
    r->ar = arena_new();
    int rc = app_audit_search(f->app, by, q, r->ar, &r->items, &r->n,
                              &r->next, e);
    return rc;
}

static int count_action(struct fx *f, const char *action)
{
    struct err e = {0};
    struct search_result r;
    struct audit_query q = {.action = action, .limit = 1000};
    ok(search(f, NULL, &q, &r, &e));
    int n = r.n;
    arena_free(r.ar);
    return n;
}

/* Rows recorded with app_audit_submit trail their answer: wait for them. */
static void wait_for(struct fx *f, const char *action, int want)
{
    for (int i = 0; i < 400; i++) {
        if (count_action(f, action) >= want)
            return;
        nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
    }
    fail_msg("no %d rows of %s after 2 s", want, action);
}

static struct actor actor_with(int64_t id, enum role r, const char *region)
{
    struct actor a = {.user_id = id, .n_grants = 1};
    snprintf(a.login, sizeof a.login, "user%lld", (long long)id);
    snprintf(a.ip, sizeof a.ip, "198.51.100.%lld", (long long)id);
    a.grants[0].role = r;
    snprintf(a.grants[0].region, sizeof a.grants[0].region, "%s", region);
    return a;
}

/* ---- the chain ----------------------------------------------------------- */

static void test_chain_verifies(void **state)
{
    struct fx *f = *state;
    struct audit_verdict v = verify(f);
    assert_int_equal(v.rows, 0); /* empty is intact */
    assert_int_equal(v.bad_seq, 0);
    for (int i = 0; i < 25; i++)
        record(f, i % 2 ? "org.update" : "org.create", i % 3 ? COUNTY : NULL,
               i + 1);
    v = verify(f);
    assert_int_equal(v.bad_seq, 0);
    assert_int_equal(v.rows, 25);

    /* The rows read back as written, in seq order, each chained on the
     * last. */
    struct err e = {0};
    struct search_result r;
    ok(search(f, NULL, &(struct audit_query){.limit = 10}, &r, &e));
    assert_int_equal(r.n, 10);
    assert_int_equal(r.next, 10);
    assert_int_equal(r.items[0].seq, 1);
    assert_string_equal(r.items[0].action, "org.create");
    assert_string_equal(r.items[0].ip, "192.0.2.7");
    assert_string_equal(r.items[0].outcome, "ok");
    assert_string_equal(r.items[0].detail, "{\"note\":\"测试\"}");
    assert_null(r.items[0].region);
    assert_string_equal(r.items[1].region, COUNTY);
    for (int i = 1; i < r.n; i++)
        assert_int_equal(r.items[i].seq, r.items[i - 1].seq + 1);
    arena_free(r.ar);
}

static int unit_sql(struct db *db, void *arg, struct err *e)
{
    return db_script(db, arg, e);
}

static void test_update_delete_refused(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    for (int i = 0; i < 3; i++)
        record(f, "org.create", COUNTY, 1);
    static const char *const k_bad[] = {
        "UPDATE audit_log SET outcome = 'failed' WHERE seq = 2",
        "UPDATE audit_log SET detail = NULL",
        "DELETE FROM audit_log WHERE seq = 3",
        "DELETE FROM audit_log",
        "DELETE FROM audit_head",
    };
    for (size_t i = 0; i < sizeof k_bad / sizeof *k_bad; i++) {
        err_clear(&e);
        if (store_write(app_store(f->app), unit_sql, (void *)k_bad[i], &e) == 0)
            fail_msg("%s: allowed", k_bad[i]);
        assert_true(strstr(e.log, "append-only") ||
                    strstr(e.log, "cannot be deleted") ||
                    strstr(e.log, "42501"));
    }
    if (testdb_is_pg()) {
        err_clear(&e);
        assert_int_equal(store_write(app_store(f->app), unit_sql,
                                     "TRUNCATE audit_log", &e),
                         -1);
    }
    struct audit_verdict v = verify(f);
    assert_int_equal(v.bad_seq, 0);
    assert_int_equal(v.rows, 3);
}

static void test_deleted_row_found(void **state)
{
    struct fx *f = *state;
    for (int i = 0; i < 10; i++)
        record(f, "org.create", COUNTY, 1);
    drop_guard(f);
    admin_sql(f, "DELETE FROM audit_log WHERE seq = 3");
    struct audit_verdict v = verify(f);
    assert_int_equal(v.bad_seq, 3);
    assert_int_equal(v.rows, 2);
    assert_non_null(strstr(v.why, "缺失"));
}

static void test_changed_row_found(void **state)
{
    struct fx *f = *state;
    for (int i = 0; i < 10; i++)
        record(f, "org.create", COUNTY, 1);
    drop_guard(f);
    admin_sql(f, "UPDATE audit_log SET outcome = 'denied' WHERE seq = 6");
    struct audit_verdict v = verify(f);
    assert_int_equal(v.bad_seq, 6);
    assert_non_null(strstr(v.why, "改动"));
}

static void test_swapped_pair_found(void **state)
{
    struct fx *f = *state;
    for (int i = 0; i < 10; i++)
        record(f, i == 4 ? "org.delete" : "org.create", COUNTY, i + 1);
    drop_guard(f);
    /* Rows 4 and 5 trade every column but seq (a reordering). */
    admin_sql(f,
              "CREATE TEMP TABLE sw AS SELECT * FROM audit_log "
              "WHERE seq IN (4, 5);"
              "UPDATE audit_log SET at = sw.at, actor_id = sw.actor_id, "
              "actor_login = sw.actor_login, ip = sw.ip, "
              "request_id = sw.request_id, action = sw.action, "
              "target_kind = sw.target_kind, target_id = sw.target_id, "
              "region = sw.region, outcome = sw.outcome, detail = sw.detail, "
              "prev_hash = sw.prev_hash, hash = sw.hash FROM sw "
              "WHERE audit_log.seq IN (4, 5) AND sw.seq = 9 - audit_log.seq");
    struct audit_verdict v = verify(f);
    assert_int_equal(v.bad_seq, 4);
    assert_int_equal(v.rows, 3);
    assert_non_null(strstr(v.why, "prev_hash"));
}

static void test_cut_tail_found(void **state)
{
    struct fx *f = *state;
    for (int i = 0; i < 10; i++)
        record(f, "org.create", COUNTY, 1);
    drop_guard(f);
    admin_sql(f, "DELETE FROM audit_log WHERE seq >= 9");
    struct audit_verdict v = verify(f);
    assert_int_equal(v.bad_seq, 9);
    assert_int_equal(v.rows, 8);
}

/* ---- concurrency ------------------------------------------------------- */

#define THREADS 8
#define PER_THREAD 40

struct worker {
    struct fx *f;
    int i, failed;
};

/* A unit that records its row and then fails: the row must go with it,
 * while the other units of its batch commit theirs. */
static int record_then_fail(struct db *db, void *arg, struct err *e)
{
    if (app_audit_unit_record(db, arg, e))
        return -1;
    return err_set(e, ERR_CONFLICT, NULL, "test: refused after recording");
}

static void *worker_main(void *p)
{
    struct worker *w = p;
    char action[32];
    snprintf(action, sizeof action, "test.t%d", w->i);
    for (int k = 0; k < PER_THREAD; k++) {
        struct err e = {0};
        struct audit_entry en = {.actor_id = w->i + 1,
                                 .action = action,
                                 .region = w->i % 2 ? COUNTY : COUNTY2,
                                 .outcome = "ok"};
        if (k % 4 == 3) { /* some fire-and-forget in between */
            app_audit_submit(w->f->app, &en);
            continue;
        }
        if (k % 5 == 1) { /* and some that fail after recording */
            struct audit_entry bad = en;
            bad.action = "test.failed_unit";
            if (store_write(app_store(w->f->app), record_then_fail, &bad, &e) !=
                    -1 ||
                e.code != ERR_CONFLICT)
                w->failed++;
            err_clear(&e);
        }
        if (app_audit_record(w->f->app, &en, &e))
            w->failed++;
    }
    return NULL;
}

static void test_concurrent_units_chain(void **state)
{
    struct fx *f = *state;
    pthread_t t[THREADS];
    struct worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){f, i, 0};
        pthread_create(&t[i], NULL, worker_main, &w[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].failed, 0);
    }
    wait_for(f, "test.*", THREADS * PER_THREAD);
    struct audit_verdict v = verify(f);
    if (v.bad_seq)
        fail_msg("chain broken at %lld: %s", (long long)v.bad_seq, v.why);
    assert_int_equal(v.rows, THREADS * PER_THREAD); /* no failed unit's */
    struct store_stats st;
    store_stats(app_store(f->app), &st);
    assert_true(st.units >= THREADS * PER_THREAD);
}

/* ---- actions record in their own unit ------------------------------------ */

static void test_actions_recorded(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    /* A staff account from the command line, signed in, failing once. */
    struct user_new u = {"jz_admin", "金寨管理员", "13912345678", PW,
                         ROLE_CENTRE_ADMIN, COUNTY, 0};
    int64_t id = 0;
    ok(app_user_create(f->app, NULL, &u, &id, &e));
    struct session_new s;
    struct actor from = {0};
    snprintf(from.ip, sizeof from.ip, "203.0.113.9");
    snprintf(from.rid, sizeof from.rid, "req-77");
    assert_int_equal(app_login_from(f->app, &from, "jz_admin", "Wrong-Guess-01",
                                    NULL, &s, &e),
                     -1);
    assert_int_equal(app_login_from(f->app, &from, "13800000001",
                                    "Wrong-Guess-01", NULL, &s, &e),
                     -1);
    ok(app_login_from(f->app, &from, "jz_admin", PW, NULL, &s, &e));
    struct actor admin;
    ok(app_session_actor(f->app, s.token, &admin, &e));
    snprintf(admin.ip, sizeof admin.ip, "203.0.113.9");

    struct search_result r;
    ok(search(f, NULL, &(struct audit_query){.action = "session.*"}, &r, &e));
    assert_int_equal(r.n, 3);
    assert_string_equal(r.items[0].action, "session.fail");
    assert_string_equal(r.items[0].outcome, "failed");
    assert_int_equal(r.items[0].actor_id, id);
    assert_string_equal(r.items[0].region, COUNTY); /* the grant's */
    assert_string_equal(r.items[0].ip, "203.0.113.9");
    assert_string_equal(r.items[0].request_id, "req-77");
    /* An unknown login keeps only its keyed fingerprint (a password typed
     * into the login field must not be kept), system-wide. */
    assert_non_null(r.items[1].actor_login);
    assert_int_equal(strlen(r.items[1].actor_login), 33);
    assert_int_equal(r.items[1].actor_login[0], '#');
    assert_int_equal(strspn(r.items[1].actor_login + 1, "0123456789abcdef"),
                     32);
    assert_null(strstr(r.items[1].detail, "0001"));
    assert_null(r.items[1].region);
    assert_int_equal(r.items[1].actor_id, 0);
    assert_string_equal(r.items[2].action, "session.create");
    assert_string_equal(r.items[2].outcome, "ok");
    arena_free(r.ar);
    assert_int_equal(count_action(f, "user.create"), 1);

    /* A read of personal data trails its answer. */
    struct arena *ar = arena_new();
    struct user_view *me;
    ok(app_me(f->app, &admin, ar, &me, &e));
    arena_free(ar);
    wait_for(f, "person.read", 1);

    /* An org write and its row commit together; a failed one leaves none. */
    json_t *body = json_pack("{s:s, s:s, s:s}", "kind", "township_centre",
                             "name", "梅山镇为民服务中心", "region", TOWN);
    struct arena *wa = arena_new();
    struct org_write *w, *w2;
    /* Both prepared and checked before either runs: the second's unit then
     * meets the name on the unique index, as a write racing another. */
    ok(app_org_create_prepare(f->app, &admin, body, wa, &w, &e));
    ok(app_org_write_precheck(f->app, w, &e));
    ok(app_org_create_prepare(f->app, &admin, body, wa, &w2, &e));
    ok(app_org_write_precheck(f->app, w2, &e));
    ok(app_org_write_run(f->app, w, &e));
    assert_int_equal(app_org_write_run(f->app, w2, &e), -1); /* same name */
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_string_equal(e.field, "/name");
    /* Not prechecked: the unit checks the name itself. */
    ok(app_org_create_prepare(f->app, &admin, body, wa, &w2, &e));
    assert_int_equal(app_org_write_run(f->app, w2, &e), -1);
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_string_equal(e.field, "/name");
    /* Checked after the first committed: the precheck reads no database
     * (region from the cache), so the unit's unique index refuses it. */
    ok(app_org_create_prepare(f->app, &admin, body, wa, &w2, &e));
    ok(app_org_write_precheck(f->app, w2, &e));
    assert_int_equal(app_org_write_run(f->app, w2, &e), -1);
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_string_equal(e.field, "/name");
    json_decref(body);
    arena_free(wa);
    ok(search(f, NULL, &(struct audit_query){.action = "org.create"}, &r, &e));
    assert_int_equal(r.n, 1);
    assert_string_equal(r.items[0].region, TOWN);
    assert_string_equal(r.items[0].actor_login, "jz_admin");
    assert_string_equal(r.items[0].target_kind, "org");
    assert_non_null(strstr(r.items[0].detail, "梅山镇为民服务中心"));
    arena_free(r.ar);

    /* A grant and a logout. */
    ok(app_grant_add(f->app, &admin, "jz_admin", ROLE_CLERK, TOWN, 0, &e));
    assert_int_equal(count_action(f, "grant.add"), 1);
    ok(app_logout(f->app, &admin, &e));
    assert_int_equal(count_action(f, "session.delete"), 1);

    struct audit_verdict v = verify(f);
    assert_int_equal(v.bad_seq, 0);
}

/* ---- scope --------------------------------------------------------------- */

static void test_scope(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    record(f, "org.create", COUNTY, 1);
    record(f, "org.create", TOWN, 1);
    record(f, "org.create", COUNTY2, 1);
    record(f, "regions.import", NULL, 0);

    struct actor sup = actor_with(10, ROLE_SUPERVISOR, COUNTY);
    struct actor city_sup = actor_with(11, ROLE_SUPERVISOR, CITY);
    struct actor sys = actor_with(12, ROLE_SYS_ADMIN, CITY);
    struct actor clerk = actor_with(13, ROLE_CLERK, COUNTY);
    struct search_result r;
    struct audit_query all = {.action = "org.*"};

    ok(search(f, &sup, &all, &r, &e)); /* the county and its township */
    assert_int_equal(r.n, 2);
    assert_string_equal(r.items[0].region, COUNTY);
    assert_string_equal(r.items[1].region, TOWN);
    arena_free(r.ar);
    ok(search(f, &city_sup, &all, &r, &e));
    assert_int_equal(r.n, 3); /* every county */
    arena_free(r.ar);
    ok(search(f, &city_sup, &(struct audit_query){.action = "regions.*"}, &r,
              &e));
    assert_int_equal(r.n, 0); /* not the system-wide row */
    arena_free(r.ar);
    ok(search(f, &sys, &(struct audit_query){.action = "regions.import"}, &r,
              &e));
    assert_int_equal(r.n, 1); /* system-wide: system administrators */
    arena_free(r.ar);
    ok(search(f, &city_sup, &(struct audit_query){.region = COUNTY2}, &r, &e));
    assert_int_equal(r.n, 1);
    arena_free(r.ar);

    assert_int_equal(
        search(f, &sup, &(struct audit_query){.region = COUNTY2}, &r, &e), -1);
    arena_free(r.ar);
    assert_int_equal(e.code, ERR_FORBIDDEN);
    assert_int_equal(search(f, &clerk, &all, &r, &e), -1);
    arena_free(r.ar);
    assert_int_equal(e.code, ERR_FORBIDDEN);
    assert_int_equal(
        search(f, &sys, &(struct audit_query){.action = "Org%"}, &r, &e), -1);
    arena_free(r.ar);
    assert_string_equal(e.field, "action");
    assert_int_equal(
        search(f, &sys, &(struct audit_query){.since = "yesterday"}, &r, &e),
        -1);
    arena_free(r.ar);
    assert_string_equal(e.field, "since");

    /* Time window and paging. */
    ok(search(f, &sys, &(struct audit_query){.since = "2000-01-01",
                                             .until = "2999-01-01T00:00:00Z",
                                             .limit = 2},
              &r, &e));
    assert_int_equal(r.n, 2);
    assert_int_equal(r.next, 2);
    arena_free(r.ar);
    ok(search(f, &sys, &(struct audit_query){.until = "2000-01-01"}, &r, &e));
    assert_int_equal(r.n, 0);
    arena_free(r.ar);
}

/* ---- time windows --------------------------------------------------------
 * store_audit_search turns [since, until) into a range of seq (store/audit.c);
 * rows with equal `at` (one batch) and the window's edges are where that
 * could go wrong. Rows are appended straight through the store with the
 * times below; then an entry recorded now must not be stamped before the
 * last of them (app/audit.c: `at` never falls behind the row before). */
#define T0 2000000000000LL /* 2033: later than any clock here */
static const int64_t k_at[] = {T0, T0, T0 + 10, T0 + 20, T0 + 20, T0 + 30};
#define N_AT ((int)(sizeof k_at / sizeof *k_at))

static int unit_rows_at(struct db *db, void *arg, struct err *e)
{
    int64_t *first = arg, head = 0, last_at = 0;
    char prev[AUDIT_HASH_SIZE];
    if (store_audit_head_lock(db, &head, prev, &last_at, e))
        return -1;
    struct audit_row rows[N_AT];
    static char hashes[N_AT][AUDIT_HASH_SIZE];
    for (int i = 0; i < N_AT; i++) {
        snprintf(hashes[i], sizeof hashes[i], "%064d", i + 1);
        rows[i] = (struct audit_row){.seq = head + 1 + i,
                                     .at = k_at[i],
                                     .action = i % 2 ? "test.odd" : "test.even",
                                     .outcome = "ok",
                                     .prev_hash = i ? hashes[i - 1] : prev,
                                     .hash = hashes[i]};
    }
    *first = head + 1;
    return store_audit_append_many(db, rows, N_AT, e);
}

struct seqs {
    int64_t v[16];
    int n;
};

static int take_seq(void *ctx, const struct audit_row *r)
{
    struct seqs *s = ctx;
    if (s->n < 16)
        s->v[s->n++] = r->seq;
    return 0;
}

/* The seqs a window gives, as offsets from the first crafted row. */
static void expect_window(struct db *db, int64_t first, int64_t since,
                          int64_t until, int64_t after, const char *action,
                          const int *want, int n_want)
{
    struct err e = {0};
    struct seqs got = {0};
    int n = 0;
    struct audit_filter flt = {.after = after,
                               .limit = 10,
                               .action = action,
                               .since = since,
                               .until = until,
                               .all_regions = 1};
    ok(store_audit_search(db, &flt, take_seq, &got, &n, &e));
    if (got.n != n_want)
        fail_msg("window [%lld, %lld) after %lld: %d rows, want %d",
                 (long long)since, (long long)until, (long long)after, got.n,
                 n_want);
    for (int i = 0; i < n_want; i++)
        assert_int_equal(got.v[i] - first, want[i]);
}

static void test_time_window(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int64_t first = 0;
    ok(store_write(app_store(f->app), unit_rows_at, &first, &e));
    struct db *db = store_read(app_store(f->app), &e);
    assert_non_null(db);
    static const int all[] = {0, 1, 2, 3, 4, 5}, mid[] = {2, 3, 4},
                     tie[] = {3, 4, 5}, head[] = {0, 1, 2}, odd[] = {3, 5},
                     paged[] = {4, 5};
    expect_window(db, first, T0, 0, 0, NULL, all, 6);
    expect_window(db, first, T0 + 10, T0 + 30, 0, NULL, mid, 3);
    expect_window(db, first, T0 + 20, 0, 0, NULL, tie, 3);
    expect_window(db, first, T0 + 15, 0, 0, NULL, tie, 3);
    expect_window(db, first, 0, T0 + 20, first - 1, NULL, head, 3);
    expect_window(db, first, T0 + 20, 0, 0, "test.odd", odd, 2);
    expect_window(db, first, T0 + 20, 0, first + 3, NULL, paged, 2);
    expect_window(db, first, T0 + 31, 0, 0, NULL, NULL, 0);
    expect_window(db, first, T0 + 1, T0 + 10, 0, NULL, NULL, 0);
    expect_window(db, first, 0, T0, first - 1, NULL, NULL, 0);
    store_read_done(app_store(f->app), db);

    /* Recorded now, after rows stamped in 2033: not stamped before them. */
    struct audit_entry en = {.action = "test.now", .outcome = "ok"};
    ok(app_audit_record(f->app, &en, &e));
    db = store_read(app_store(f->app), &e);
    assert_non_null(db);
    struct seqs got = {0};
    int n = 0;
    struct audit_filter flt = {
        .limit = 10, .action = "test.now", .all_regions = 1, .system_rows = 1};
    ok(store_audit_search(db, &flt, take_seq, &got, &n, &e));
    assert_int_equal(got.n, 1);
    assert_int_equal(got.v[0], first + N_AT);
    struct audit_filter later = {
        .limit = 10, .since = T0 + 30, .all_regions = 1, .system_rows = 1};
    got.n = 0;
    ok(store_audit_search(db, &later, take_seq, &got, &n, &e));
    assert_int_equal(got.n, 2); /* the last crafted row and the new one */
    store_read_done(app_store(f->app), db);
}

/* ---- masking and time ---------------------------------------------------- */

static void test_mask(void **state)
{
    static const struct {
        const char *in, *want;
    } k_rows[] = {
        {"13800000001", "138****0001"},               /* a mobile number */
        {"phone 13912345678.", "phone 139****5678."}, /* inside text */
        {"341524198503121028", "3415**********1028"}, /* resident ID */
        {"34152419850312102X", "3415**********102X"}, /* check char X */
        {"341524850312102", "3415*******2102"},       /* 15-digit ID */
        {"341524000000", "341524000000"},             /* a region code */
        {"1767225600000", "1767225600000"},           /* a time in ms */
        {"23800000001", "23800000001"},               /* not a mobile */
        {"{\"id_no\":\"341524198503121028\",\"n\":12}",
         "{\"id_no\":\"3415**********1028\",\"n\":12}"},
    };
    for (size_t i = 0; i < sizeof k_rows / sizeof *k_rows; i++) {
        char buf[128];
        snprintf(buf, sizeof buf, "%s", k_rows[i].in);
        audit_mask_text(buf);
        if (strcmp(buf, k_rows[i].want) != 0)
            fail_msg("mask(%s) = %s, want %s", k_rows[i].in, buf,
                     k_rows[i].want);
    }
}

static void test_detail_masked_when_stored(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    json_t *d = json_pack("{s:s, s:s}", "phone", "13812345678", "id_no",
                          "341524198503121028");
    struct audit_entry en = {.action = "person.read",
                             .target_id = "341524198503121028",
                             .outcome = "ok",
                             .detail = d};
    ok(app_audit_record(f->app, &en, &e));
    json_decref(d);
    struct search_result r;
    ok(search(f, NULL, &(struct audit_query){0}, &r, &e));
    assert_int_equal(r.n, 1);
    assert_null(strstr(r.items[0].detail, "13812345678"));
    assert_null(strstr(r.items[0].detail, "198503121028"));
    assert_string_equal(r.items[0].target_id, "3415**********1028");
    arena_free(r.ar);
    assert_int_equal(verify(f).bad_seq, 0);
}

static void test_time_parse(void **state)
{
    static const struct {
        const char *in;
        int64_t want; /* -1: refused */
    } k_rows[] = {
        {"1767225600000", 1767225600000LL},
        {"2026-01-01", 1767196800000LL},           /* 00:00 Beijing */
        {"2026-01-01T00:00:00Z", 1767225600000LL}, /* UTC */
        {"2026-01-01T08:00:00+08:00", 1767225600000LL},
        {"2026-01-01T08:00:00", 1767225600000LL}, /* Beijing by default */
        {"2026-1-1", -1},
        {"2026-01-01T25:00:00Z", -1},
        {"2026-01-01x", -1},
        {"", -1},
    };
    for (size_t i = 0; i < sizeof k_rows / sizeof *k_rows; i++) {
        struct err e = {0};
        int64_t got = 0;
        int rc = app_audit_time_parse(k_rows[i].in, "since", &got, &e);
        if (k_rows[i].want < 0) {
            if (rc == 0)
                fail_msg("%s: accepted", k_rows[i].in);
            assert_string_equal(e.field, "since");
        } else if (rc || got != k_rows[i].want) {
            fail_msg("%s: %lld, want %lld", k_rows[i].in, (long long)got,
                     (long long)k_rows[i].want);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(x) cmocka_unit_test_setup_teardown(x, fx_setup, fx_teardown)
        T(test_chain_verifies),
        T(test_update_delete_refused),
        T(test_deleted_row_found),
        T(test_changed_row_found),
        T(test_swapped_pair_found),
        T(test_cut_tail_found),
        T(test_concurrent_units_chain),
        T(test_actions_recorded),
        T(test_scope),
        T(test_detail_masked_when_stored),
        T(test_time_window),
        cmocka_unit_test(test_mask),
        cmocka_unit_test(test_time_parse),
    };
    fprintf(stderr, "test_audit: driver %s\n", testdb_driver());
    return cmocka_run_group_tests(tests, NULL, NULL);
}
