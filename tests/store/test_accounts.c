/* test_accounts.c — accounts, sign-in, sessions, the login throttle, grants
 * and their scope, and docs/permissions.md against auth.c. Runs once per
 * driver (BIANMIN_TEST_DB = sqlite | postgres, see testdb.h); each test gets
 * a fresh database with the schema and a few regions of 六安市. Passwords
 * are hashed with the product's argon2id parameters (≈0.2 s each), so the
 * tests make few of them; throttle timings use short test policies where
 * waiting would only slow the suite. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "app/accounts.h"
#include "app/app.h"
#include "store/regions.h"
#include "store/users.h"
#include "testdb.h"

#ifndef BIANMIN_DATA_DIR
#define BIANMIN_DATA_DIR "data"
#endif

#define CITY "341500000000"     /* 六安市 */
#define COUNTY "341524000000"   /* 金寨县 */
#define TOWN "341524100000"     /* 梅山镇 */
#define VILLAGE "341524100001"  /* 青山社区, in 梅山镇 */
#define TOWN2 "341524101000"    /* 麻埠镇, neighbour of 梅山镇 */
#define VILLAGE2 "341524101001" /* a village of 麻埠镇 */
#define COUNTY2 "341522000000"  /* 霍邱县, another county of 六安市 */
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
    {"340000000000", "安徽省", 1, NULL},  {CITY, "六安市", 2, "340000000000"},
    {COUNTY, "金寨县", 3, CITY},          {COUNTY2, "霍邱县", 3, CITY},
    {TOWN, "梅山镇", 4, COUNTY},          {TOWN2, "麻埠镇", 4, COUNTY},
    {VILLAGE, "青山社区居委会", 5, TOWN}, {VILLAGE2, "麻埠村", 5, TOWN2},
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
    struct app_opts o = {.db_url = f->url, .data_dir = BIANMIN_DATA_DIR};
    f->app = app_open(&o, &e);
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

/* A staff account made from the command line (no actor). */
static int64_t mk_staff(struct fx *f, const char *login, enum role r,
                        const char *region)
{
    struct err e = {0};
    int64_t id = 0;
    struct user_new u = {login, "测试人员", "13912345678", PW, r, region, 0};
    ok(app_user_create(f->app, NULL, &u, &id, &e));
    assert_true(id > 0);
    return id;
}

/* Sign in and turn the token into an actor. */
static void sign_in(struct fx *f, const char *login, const char *pw,
                    struct session_new *s, struct actor *a)
{
    struct err e = {0};
    ok(app_login(f->app, login, pw, "127.0.0.1", "test-agent/1.0", s, &e));
    assert_int_equal(strlen(s->token), SESSION_TOKEN_SIZE - 1);
    ok(app_session_actor(f->app, s->token, a, &e));
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A policy without cooldowns and with short locks, for tests that count. */
static const struct acct_policy k_fast = {
    .lock_after = 5,
    .lock_ms = 400,
    .lock_max_ms = 24LL * 3600 * 1000,
    .cooldown_ms = 0,
    .forget_ms = 48LL * 3600 * 1000,
    .session_ttl_ms = ACCT_SESSION_TTL_MS,
};

/* ---- sign-in and sessions ----------------------------------------------- */

static void test_login_gives_actor_with_grants(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int64_t id = mk_staff(f, "JZ_Clerk", ROLE_CLERK, COUNTY);
    struct session_new s;
    struct actor a;
    sign_in(f, "jz_clerk", PW, &s, &a); /* logins are case-insensitive */
    assert_int_equal(s.user_id, id);
    assert_int_equal(a.user_id, id);
    assert_string_equal(a.login, "jz_clerk");
    assert_string_equal(a.kind, "staff");
    assert_int_equal(strlen(a.session), 64);
    assert_true(a.session_expires_at > store_now_ms() + 11 * 3600 * 1000LL);
    assert_int_equal(a.n_grants, 1);
    assert_int_equal(a.grants[0].role, ROLE_CLERK);
    assert_string_equal(a.grants[0].region, COUNTY);
    assert_true(actor_can(&a, CAP_SIGNED_IN, NULL));
    assert_false(actor_can(&a, CAP_USER_ADMIN, NULL));

    struct arena *ar = arena_new();
    struct user_view *v;
    ok(app_me(f->app, &a, ar, &v, &e));
    assert_string_equal(v->login, "jz_clerk");
    assert_string_equal(v->phone_masked, "139****5678");
    assert_int_equal(v->n_grants, 1);
    assert_string_equal(v->grants[0].region_name, "金寨县");
    arena_free(ar);

    /* Bad tokens: malformed, unknown. */
    struct actor b;
    assert_int_equal(app_session_actor(f->app, "nope", &b, &e), -1);
    assert_int_equal(e.code, ERR_UNAUTHORIZED);
    char fake[SESSION_TOKEN_SIZE];
    memset(fake, 'A', sizeof fake - 1);
    fake[sizeof fake - 1] = '\0';
    assert_int_equal(app_session_actor(f->app, fake, &b, &e), -1);
    assert_int_equal(e.code, ERR_UNAUTHORIZED);
    assert_int_equal(b.user_id, 0);
    assert_int_equal(app_session_actor(f->app, NULL, &b, &e), -1);
}

static void test_tokens_stored_hashed(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    mk_staff(f, "hash_check", ROLE_CLERK, COUNTY);
    struct session_new s;
    struct actor a;
    sign_in(f, "hash_check", PW, &s, &a);
    /* The table holds the hash, never the token. */
    struct db *db = store_read(app_store(f->app), &e);
    assert_non_null(db);
    int64_t n = -1;
    struct db_param p1[] = {DBP_TEXT(s.token)};
    ok(db_query_int(db,
                    "SELECT count(*) FROM sessions WHERE token_hash = $1 "
                    "OR user_agent = $1 OR ip = $1",
                    p1, 1, &n, &e));
    assert_int_equal(n, 0);
    struct db_param p2[] = {DBP_TEXT(a.session)};
    ok(db_query_int(db, "SELECT count(*) FROM sessions WHERE token_hash = $1",
                    p2, 1, &n, &e));
    assert_int_equal(n, 1);
    store_read_done(app_store(f->app), db);
}

static void test_wrong_password_locks(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct session_new s;
    mk_staff(f, "victim", ROLE_CLERK, COUNTY);
    for (int i = 1; i <= 5; i++) {
        assert_int_equal(app_login_policy(f->app, &k_fast, "victim",
                                          "Wrong-Guess-0001", NULL, NULL, &s,
                                          &e),
                         -1);
        assert_int_equal(e.code, ERR_UNAUTHORIZED);
        assert_string_equal(e.msg, "账号或密码错误");
        assert_string_equal(s.token, "");
    }
    /* Locked: even the right password is refused. */
    assert_int_equal(
        app_login_policy(f->app, &k_fast, "victim", PW, NULL, NULL, &s, &e),
        -1);
    assert_int_equal(e.code, ERR_RATE);
    assert_non_null(strstr(e.msg, "登录失败次数过多"));
    /* The lock ends (400 ms in this policy); a success clears the count. */
    usleep(450 * 1000);
    ok(app_login_policy(f->app, &k_fast, "victim", PW, NULL, NULL, &s, &e));
    assert_int_equal(app_login_policy(f->app, &k_fast, "victim", "Wrong-1234a",
                                      NULL, NULL, &s, &e),
                     -1);
    assert_int_equal(e.code, ERR_UNAUTHORIZED);
}

static void test_lock_grows(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct session_new s;
    int64_t id = mk_staff(f, "grow", ROLE_CLERK, COUNTY);
    for (int i = 1; i <= 5; i++)
        app_login_policy(f->app, &k_fast, "grow", "Wrong-Guess-0001", NULL,
                         NULL, &s, &e);
    usleep(450 * 1000);
    for (int i = 6; i <= 10; i++) {
        assert_int_equal(app_login_policy(f->app, &k_fast, "grow",
                                          "Wrong-Guess-0001", NULL, NULL, &s,
                                          &e),
                         -1);
        assert_int_equal(e.code, ERR_UNAUTHORIZED);
    }
    /* The second lock is twice the first: 800 ms. */
    struct db *db = store_read(app_store(f->app), &e);
    struct user_auth u;
    assert_int_equal(store_user_auth_by_id(db, id, &u, &e), 1);
    store_read_done(app_store(f->app), db);
    assert_int_equal(u.failed_logins, 10);
    int64_t left = u.locked_until - store_now_ms();
    assert_true(left > 600 && left <= 800);
}

static void test_unknown_login_same_answer_and_lock(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct session_new s;
    for (int i = 1; i <= 5; i++) {
        assert_int_equal(app_login_policy(f->app, &k_fast, "ghost",
                                          "Wrong-Guess-0001", NULL, NULL, &s,
                                          &e),
                         -1);
        assert_int_equal(e.code, ERR_UNAUTHORIZED);
        assert_string_equal(e.msg, "账号或密码错误");
        assert_string_equal(e.field, "");
    }
    assert_int_equal(
        app_login_policy(f->app, &k_fast, "ghost", "x", NULL, NULL, &s, &e),
        -1);
    assert_int_equal(e.code, ERR_RATE);
    /* An unknown login costs a real argon2 verify, like a wrong password. */
    double t0 = now_s();
    app_login(f->app, "nobody-at-all", "Wrong-Guess-0001", NULL, NULL, &s, &e);
    double unknown = now_s() - t0;
    assert_int_equal(e.code, ERR_UNAUTHORIZED);
    assert_true(unknown > 0.01);
    /* Empty input is a field error, not a sign-in attempt. */
    assert_int_equal(app_login(f->app, "", PW, NULL, NULL, &s, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    assert_string_equal(e.field, "/login");
    assert_int_equal(app_login(f->app, "x", "", NULL, NULL, &s, &e), -1);
    assert_string_equal(e.field, "/password");
}

static void test_locked_refusal_is_cheap(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct session_new s;
    mk_staff(f, "target", ROLE_CLERK, COUNTY);
    struct acct_policy p = acct_policy_default;
    p.cooldown_ms = 0; /* reach the lock without waiting out cooldowns */
    for (int i = 1; i <= 5; i++)
        app_login_policy(f->app, &p, "target", "Wrong-Guess-0001", NULL, NULL,
                         &s, &e);
    /* Locked for 15 min now; a thousand more guesses hash nothing. */
    double t0 = now_s();
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(app_login(f->app, "target", PW, NULL, NULL, &s, &e),
                         -1);
        assert_int_equal(e.code, ERR_RATE);
    }
    double spent = now_s() - t0;
    assert_true(spent < 2.0);
    assert_non_null(strstr(e.msg, "分钟"));
}

struct attacker {
    struct app *app;
    int tries, got_in, refused_fast;
};

static void *attack(void *p)
{
    struct attacker *t = p;
    struct acct_policy pol = acct_policy_default;
    pol.cooldown_ms = 0;
    for (int i = 0; i < t->tries; i++) {
        struct session_new s;
        struct err e = {0};
        char guess[32];
        snprintf(guess, sizeof guess, "Guess-%04d-Xy", i);
        if (app_login_policy(t->app, &pol, "victim2", guess, NULL, NULL, &s,
                             &e) == 0)
            t->got_in++;
        else if (e.code == ERR_RATE)
            t->refused_fast++;
    }
    return NULL;
}

/* A thousand wrong passwords from four threads at once: none gets in, the
 * count stops at the lock (in-flight attempts are not counted past it), and
 * another person signs in meanwhile. */
static void test_parallel_attack(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int64_t victim = mk_staff(f, "victim2", ROLE_CLERK, COUNTY);
    mk_staff(f, "bystander", ROLE_CLERK, COUNTY);
    enum { N = 4 };
    struct attacker t[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        t[i] = (struct attacker){f->app, 250, 0, 0};
        pthread_create(&th[i], NULL, attack, &t[i]);
    }
    double worst = 0;
    for (int k = 0; k < 3; k++) {
        struct session_new s;
        double t0 = now_s();
        ok(app_login(f->app, "bystander", PW, NULL, NULL, &s, &e));
        double took = now_s() - t0;
        if (took > worst)
            worst = took;
    }
    int got_in = 0, fast = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        got_in += t[i].got_in;
        fast += t[i].refused_fast;
    }
    assert_int_equal(got_in, 0);
    assert_true(fast >= 1000 - 5 - N);
    assert_true(worst < 5.0); /* a sanity bound, not a benchmark */
    struct user_auth u;
    struct db *db = store_read(app_store(f->app), &e);
    assert_int_equal(store_user_auth_by_id(db, victim, &u, &e), 1);
    store_read_done(app_store(f->app), db);
    assert_int_equal(u.failed_logins, 5);
    assert_true(u.locked_until > store_now_ms() + 10 * 60 * 1000LL);
}

static void test_cooldown_after_third_failure(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct session_new s;
    mk_staff(f, "typo", ROLE_CLERK, COUNTY);
    for (int i = 1; i <= 3; i++)
        app_login(f->app, "typo", "Wrong-Guess-0001", NULL, NULL, &s, &e);
    /* Product policy: 2 s cooldown after the third failure. */
    assert_int_equal(app_login(f->app, "typo", PW, NULL, NULL, &s, &e), -1);
    assert_int_equal(e.code, ERR_RATE);
    assert_non_null(strstr(e.msg, "秒"));
    usleep(2100 * 1000);
    ok(app_login(f->app, "typo", PW, NULL, NULL, &s, &e));
}

static void test_session_expiry(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct session_new s;
    struct actor a;
    mk_staff(f, "shortlived", ROLE_CLERK, COUNTY);
    struct acct_policy p = k_fast;
    p.session_ttl_ms = 1500; /* long enough for a loaded machine to check it */
    ok(app_login_policy(f->app, &p, "shortlived", PW, NULL, NULL, &s, &e));
    ok(app_session_actor(f->app, s.token, &a, &e));
    usleep(1600 * 1000);
    assert_int_equal(app_session_actor(f->app, s.token, &a, &e), -1);
    assert_int_equal(e.code, ERR_UNAUTHORIZED);
    assert_int_equal(a.user_id, 0);
}

static void test_logout_revokes(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct session_new s1, s2;
    struct actor a1, a2;
    mk_staff(f, "leaver", ROLE_CLERK, COUNTY);
    sign_in(f, "leaver", PW, &s1, &a1);
    sign_in(f, "leaver", PW, &s2, &a2);
    ok(app_logout(f->app, &a1, &e));
    struct actor x;
    assert_int_equal(app_session_actor(f->app, s1.token, &x, &e), -1);
    assert_int_equal(e.code, ERR_UNAUTHORIZED);
    ok(app_session_actor(f->app, s2.token, &x, &e)); /* the other lives */
    assert_int_equal(app_logout(f->app, &a1, &e), -1);
    assert_int_equal(e.code, ERR_UNAUTHORIZED);
}

static void test_password_change_revokes_others(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct session_new s1, s2;
    struct actor a1, a2, x;
    mk_staff(f, "changer", ROLE_CLERK, COUNTY);
    sign_in(f, "changer", PW, &s1, &a1);
    sign_in(f, "changer", PW, &s2, &a2);

    assert_int_equal(app_password_change(f->app, &a1, "Not-The-Old-1",
                                         "Brand-New-Pass-7", &e),
                     -1);
    assert_int_equal(e.code, ERR_INVALID);
    assert_string_equal(e.field, "/old_password");
    assert_int_equal(app_password_change(f->app, &a1, PW, "weakweak", &e), -1);
    assert_string_equal(e.field, "/new_password");
    assert_int_equal(app_password_change(f->app, &a1, PW, PW, &e), -1);
    assert_string_equal(e.field, "/new_password");

    ok(app_password_change(f->app, &a1, PW, "Brand-New-Pass-7", &e));
    ok(app_session_actor(f->app, s1.token, &x, &e)); /* this one stays */
    assert_int_equal(app_session_actor(f->app, s2.token, &x, &e), -1);
    assert_int_equal(e.code, ERR_UNAUTHORIZED);
    struct session_new s3;
    assert_int_equal(app_login(f->app, "changer", PW, NULL, NULL, &s3, &e), -1);
    assert_int_equal(e.code, ERR_UNAUTHORIZED);
    ok(app_login(f->app, "changer", "Brand-New-Pass-7", NULL, NULL, &s3, &e));

    /* The command line's reset revokes every session. */
    ok(app_password_set(f->app, "changer", "Reset-By-Admin-9", &e));
    assert_int_equal(app_session_actor(f->app, s1.token, &x, &e), -1);
    assert_int_equal(app_session_actor(f->app, s3.token, &x, &e), -1);
    assert_int_equal(app_password_set(f->app, "nobody", "Reset-By-Admin-9", &e),
                     -1);
    assert_int_equal(e.code, ERR_NOT_FOUND);
}

/* ---- passwords ----------------------------------------------------------- */

static void test_password_rule(void **state)
{
    static const struct {
        const char *pw;
        int good;
    } k_rows[] = {
        {"Abcdefgh12", 1},            /* 10 chars, 3 classes */
        {"abcdefgh1!", 1},            /* lower, digit, symbol */
        {"Abcdefg12", 0},             /* 9 chars */
        {"abcdefghijkl", 0},          /* one class */
        {"abcdefgh1234", 0},          /* two classes, under 16 */
        {"abcdefghijklmnop", 1},      /* 16 characters of one class */
        {"正确的马电池订书钉Ab1", 1}, /* non-ASCII counts as "other" */
        {"My-jz_clerk-pass1", 0},     /* contains the login */
        {"MY-JZ_CLERK-PASS1", 0},     /* in any case */
        {"", 0},
    };
    struct err e = {0};
    for (size_t i = 0; i < sizeof k_rows / sizeof *k_rows; i++) {
        int rc = app_password_check("jz_clerk", k_rows[i].pw, "/password", &e);
        if ((rc == 0) != k_rows[i].good)
            fail_msg("%s: want %s, got %s", k_rows[i].pw,
                     k_rows[i].good ? "ok" : "refused", e.msg);
        if (rc)
            assert_string_equal(e.field, "/password");
    }
    char longpw[200];
    memset(longpw, 'a', 129);
    memcpy(longpw, "A1", 2);
    longpw[129] = '\0';
    assert_int_equal(app_password_check("x", longpw, "/p", &e), -1);

    /* Creating an account with a weak one: a field error, nothing stored. */
    struct fx *f = *state;
    struct user_new u = {"weakling", "弱密码", NULL, "password1",
                         ROLE_CLERK, COUNTY,   0};
    assert_int_equal(app_user_create(f->app, NULL, &u, NULL, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    assert_string_equal(e.field, "/password");
    struct session_new s;
    u.password = PW;
    u.login = "bad login";
    assert_int_equal(app_user_create(f->app, NULL, &u, NULL, &e), -1);
    assert_string_equal(e.field, "/login");
    u.login = "okname";
    u.region = "341524999000";
    assert_int_equal(app_user_create(f->app, NULL, &u, NULL, &e), -1);
    assert_string_equal(e.field, "/region");
    assert_int_equal(
        app_login(f->app, "weakling", "password1", NULL, NULL, &s, &e), -1);
    assert_int_equal(e.code, ERR_UNAUTHORIZED);
}

/* ---- registration ---------------------------------------------------------
 */

static void test_citizen_register(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct citizen_new c = {.name = "张三",
                            .id_no = "341524198503121028",
                            .phone = "13800000001",
                            .password = PW};
    int64_t id = 0;
    ok(app_citizen_register(f->app, &c, &id, &e));
    struct session_new s;
    struct actor a;
    sign_in(f, "13800000001", PW, &s, &a); /* the login is the phone */
    assert_string_equal(a.kind, "citizen");
    assert_int_equal(a.n_grants, 1);
    assert_int_equal(a.grants[0].role, ROLE_APPLICANT);
    assert_true(region_covers(a.grants[0].region, VILLAGE2));
    struct arena *ar = arena_new();
    struct user_view *v;
    ok(app_me(f->app, &a, ar, &v, &e));
    assert_string_equal(v->id_no_masked, "3415**********1028");
    arena_free(ar);

    /* Same person again; a bad check digit; enterprise with a bad code. */
    c.phone = "13800000009";
    assert_int_equal(app_citizen_register(f->app, &c, NULL, &e), -1);
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_string_equal(e.field, "/id_no");
    c.id_no = "341524198503121027";
    assert_int_equal(app_citizen_register(f->app, &c, NULL, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    assert_string_equal(e.field, "/id_no");
    struct citizen_new ent = {.kind = "enterprise",
                              .login = "jz-farm",
                              .name = "金寨某农业有限公司",
                              .credit_code = "91341524MA2N0D1M0A",
                              .phone = "13800000002",
                              .password = PW};
    assert_int_equal(app_citizen_register(f->app, &ent, NULL, &e), -1);
    assert_string_equal(e.field, "/credit_code");
    ent.credit_code = "91341524ma2n0d1m0q"; /* lower case is normalised */
    ok(app_citizen_register(f->app, &ent, NULL, &e));
    c.phone = "1380000";
    assert_int_equal(app_citizen_register(f->app, &c, NULL, &e), -1);
    assert_string_equal(e.field, "/phone");
}

/* ---- grants and scope -----------------------------------------------------
 */

static int count_cb(void *ctx, const struct user_view *v)
{
    (*(int *)ctx)++;
    return 0;
}

static void test_grant_scope(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct session_new s;
    struct actor county_admin, sys;
    mk_staff(f, "jz_admin", ROLE_CENTRE_ADMIN, COUNTY);
    mk_staff(f, "city_sys", ROLE_SYS_ADMIN, CITY);
    sign_in(f, "jz_admin", PW, &s, &county_admin);
    sign_in(f, "city_sys", PW, &s, &sys);

    /* Inside the county: a township clerk. */
    struct user_new u = {"ms_clerk", "梅山镇受理员", NULL, PW,
                         ROLE_CLERK, TOWN,           0};
    int64_t id = 0;
    ok(app_user_create(f->app, &county_admin, &u, &id, &e));
    struct actor clerk;
    sign_in(f, "ms_clerk", PW, &s, &clerk);
    assert_string_equal(clerk.grants[0].region, TOWN);

    /* Above or beside the county: refused, and nothing is created. */
    u.login = "city_clerk";
    u.region = CITY;
    assert_int_equal(app_user_create(f->app, &county_admin, &u, NULL, &e), -1);
    assert_int_equal(e.code, ERR_FORBIDDEN);
    u.region = COUNTY2;
    assert_int_equal(app_user_create(f->app, &county_admin, &u, NULL, &e), -1);
    assert_int_equal(e.code, ERR_FORBIDDEN);
    /* A role a centre administrator may not hand out. */
    u.region = TOWN;
    u.role = ROLE_SYS_ADMIN;
    assert_int_equal(app_user_create(f->app, &county_admin, &u, NULL, &e), -1);
    assert_int_equal(e.code, ERR_FORBIDDEN);
    assert_int_equal(app_login(f->app, "city_clerk", PW, NULL, NULL, &s, &e),
                     -1);
    assert_int_equal(e.code, ERR_UNAUTHORIZED);

    /* Grants: in scope, out of scope, twice, to an unknown login. */
    ok(app_grant_add(f->app, &county_admin, "ms_clerk", ROLE_REVIEWER, TOWN2, 0,
                     &e));
    assert_int_equal(app_grant_add(f->app, &county_admin, "ms_clerk",
                                   ROLE_REVIEWER, COUNTY2, 0, &e),
                     -1);
    assert_int_equal(e.code, ERR_FORBIDDEN);
    assert_int_equal(app_grant_add(f->app, &county_admin, "ms_clerk",
                                   ROLE_REVIEWER, TOWN2, 0, &e),
                     -1);
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_int_equal(app_grant_add(f->app, &county_admin, "no_such_user",
                                   ROLE_CLERK, TOWN, 0, &e),
                     -1);
    assert_int_equal(e.code, ERR_NOT_FOUND);
    assert_int_equal(
        app_grant_add(f->app, &clerk, "ms_clerk", ROLE_CLERK, VILLAGE, 0, &e),
        -1);
    assert_int_equal(e.code, ERR_FORBIDDEN); /* a clerk administers nobody */
    /* The city's system administrator may grant anything in the city. */
    ok(app_grant_add(f->app, &sys, "ms_clerk", ROLE_SUPERVISOR, COUNTY2, 0,
                     &e));
    struct actor again;
    struct session_new s2;
    sign_in(f, "ms_clerk", PW, &s2, &again);
    assert_int_equal(again.n_grants, 3);

    /* Listing by an administrator shows only accounts in their scope. */
    int n = 0;
    ok(app_user_list(f->app, &county_admin, count_cb, &n, &e));
    assert_int_equal(n, 2); /* jz_admin, ms_clerk */
    n = 0;
    ok(app_user_list(f->app, NULL, count_cb, &n, &e));
    assert_int_equal(n, 3);
    assert_int_equal(app_user_list(f->app, &clerk, count_cb, &n, &e), -1);
    assert_int_equal(e.code, ERR_FORBIDDEN);
}

static struct actor actor_with(enum role r, const char *region)
{
    struct actor a = {.user_id = 1, .n_grants = 1};
    a.grants[0].role = r;
    snprintf(a.grants[0].region, sizeof a.grants[0].region, "%s", region);
    return a;
}

static void test_region_scope(void **state)
{
    static const struct {
        const char *scope, *code;
        int covers;
    } k_rows[] = {
        {COUNTY, VILLAGE, 1}, /* a county covers its villages */
        {COUNTY, TOWN2, 1},   /* and every township */
        {TOWN, VILLAGE, 1},   /* a township its own villages */
        {TOWN, VILLAGE2, 0},  /* not the neighbour's */
        {TOWN, TOWN2, 0},     /* nor the neighbour */
        {TOWN, COUNTY, 0},    /* nor upwards */
        {CITY, COUNTY2, 1},
        {COUNTY, COUNTY2, 0},
        {REGION_ALL, VILLAGE2, 1},   /* applicants: everywhere */
        {"34152410000", VILLAGE, 0}, /* malformed scope */
    };
    for (size_t i = 0; i < sizeof k_rows / sizeof *k_rows; i++)
        if (region_covers(k_rows[i].scope, k_rows[i].code) != k_rows[i].covers)
            fail_msg("region_covers(%s, %s) != %d", k_rows[i].scope,
                     k_rows[i].code, k_rows[i].covers);

    /* A township centre administrator cannot act in the next township. */
    struct actor town = actor_with(ROLE_CENTRE_ADMIN, TOWN);
    assert_true(actor_can(&town, CAP_ORG_WRITE, VILLAGE));
    assert_false(actor_can(&town, CAP_ORG_WRITE, TOWN2));
    assert_false(actor_can(&town, CAP_ORG_WRITE, VILLAGE2));
    assert_false(actor_can(&town, CAP_CALENDAR_WRITE, TOWN));
    /* A county supervisor covers its villages; its caps are its own. */
    struct actor sup = actor_with(ROLE_SUPERVISOR, COUNTY);
    assert_true(region_covers(sup.grants[0].region, VILLAGE2));
    assert_true(actor_can(&sup, CAP_SIGNED_IN, VILLAGE2));
    assert_false(actor_can(&sup, CAP_ORG_WRITE, VILLAGE2));
    struct actor county = actor_with(ROLE_CENTRE_ADMIN, COUNTY);
    assert_true(actor_can(&county, CAP_ORG_WRITE, VILLAGE2));
    assert_false(actor_can(&county, CAP_ORG_WRITE, COUNTY2));
    /* Granting: within scope, and only grantable roles. */
    assert_true(actor_can_grant(&county, ROLE_CLERK, VILLAGE2, 0));
    assert_false(actor_can_grant(&county, ROLE_CLERK, CITY, 0));
    assert_false(actor_can_grant(&county, ROLE_SUPERVISOR, TOWN, 0));
    assert_false(actor_can_grant(&county, ROLE_APPLICANT, TOWN, 0));
    struct actor org_admin = actor_with(ROLE_CENTRE_ADMIN, COUNTY);
    org_admin.grants[0].org_id = 7;
    assert_true(actor_can_grant(&org_admin, ROLE_CLERK, TOWN, 7));
    assert_false(actor_can_grant(&org_admin, ROLE_CLERK, TOWN, 8));
    assert_false(actor_can_grant(&org_admin, ROLE_CLERK, TOWN, 0));
    struct actor nobody = {0};
    assert_false(actor_can(&nobody, CAP_SIGNED_IN, NULL));
    assert_true(actor_can(&nobody, CAP_NONE, NULL));
}

/* Walk docs/permissions.md's capability × role table and compare it with
 * role_has_cap both ways: every ✓ is a capability, every capability a ✓. */
static void test_permissions_table(void **state)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/../docs/permissions.md", BIANMIN_DATA_DIR);
    FILE *fp = fopen(path, "r");
    if (!fp)
        fail_msg("cannot open %s", path);
    char line[2048];
    enum role cols[32];
    int n_cols = 0, in_table = 0;
    int seen[CAP__COUNT] = {0};
    while (fgets(line, sizeof line, fp)) {
        if (!in_table) {
            if (strncmp(line, "| capability | applicant", 24) != 0)
                continue;
            in_table = 1;
            char *save = NULL;
            char *cell = strtok_r(line, "|", &save); /* "capability" */
            while ((cell = strtok_r(NULL, "|\n", &save))) {
                char name[64];
                if (sscanf(cell, " %63s", name) != 1)
                    continue;
                enum role r = role_parse(name);
                if (r == ROLE_NONE)
                    fail_msg("unknown role column %s", name);
                cols[n_cols++] = r;
            }
            continue;
        }
        if (strncmp(line, "|---", 4) == 0)
            continue;
        if (line[0] != '|')
            break; /* the table ended */
        /* "| cap | ✓ |  | …" — split keeping empty cells. */
        char *p = line + 1;
        char *bar = strchr(p, '|');
        assert_non_null(bar);
        *bar = '\0';
        char name[64];
        assert_int_equal(sscanf(p, " %63s", name), 1);
        enum cap c = cap_parse(name);
        if (c == CAP_NONE)
            fail_msg("unknown capability row %s", name);
        seen[c] = 1;
        p = bar + 1;
        for (int i = 0; i < n_cols; i++) {
            bar = strchr(p, '|');
            if (!bar)
                fail_msg("row %s: %d cells, want %d", name, i, n_cols);
            *bar = '\0';
            int doc = strstr(p, "✓") != NULL;
            if (doc != role_has_cap(cols[i], c))
                fail_msg("permissions.md says %s %s %s; auth.c disagrees",
                         role_name(cols[i]), doc ? "has" : "lacks", name);
            p = bar + 1;
        }
    }
    fclose(fp);
    assert_int_equal(n_cols, ROLE__COUNT - 1); /* every role is a column */
    for (int c = CAP_NONE + 1; c < CAP__COUNT; c++)
        if (!seen[c])
            fail_msg("capability %s is missing from permissions.md",
                     cap_name((enum cap)c));
}

/* ---- demo ------------------------------------------------------------------
 */

static void test_demo_users(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int users = 0;
    ok(app_demo_users(f->app, &users, &e));
    assert_int_equal(users, 18);
    ok(app_demo_users(f->app, &users, &e)); /* twice changes nothing */
    assert_int_equal(users, 18);
    struct session_new s;
    struct actor a;
    sign_in(f, "jinzhai_clerk", ACCT_DEMO_PASSWORD, &s, &a);
    assert_int_equal(a.grants[0].role, ROLE_CLERK);
    assert_string_equal(a.grants[0].region, COUNTY);
    sign_in(f, "admin", ACCT_DEMO_PASSWORD, &s, &a);
    assert_true(actor_can(&a, CAP_USER_ADMIN, VILLAGE2));
    sign_in(f, "citizen", ACCT_DEMO_PASSWORD, &s, &a);
    assert_int_equal(a.grants[0].role, ROLE_APPLICANT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(x) cmocka_unit_test_setup_teardown(x, fx_setup, fx_teardown)
        T(test_login_gives_actor_with_grants),
        T(test_tokens_stored_hashed),
        T(test_wrong_password_locks),
        T(test_lock_grows),
        T(test_unknown_login_same_answer_and_lock),
        T(test_locked_refusal_is_cheap),
        T(test_parallel_attack),
        T(test_cooldown_after_third_failure),
        T(test_session_expiry),
        T(test_logout_revokes),
        T(test_password_change_revokes_others),
        T(test_password_rule),
        T(test_citizen_register),
        T(test_grant_scope),
        T(test_region_scope),
        T(test_permissions_table),
        T(test_demo_users),
    };
    fprintf(stderr, "test_accounts: driver %s\n", testdb_driver());
    return cmocka_run_group_tests(tests, NULL, NULL);
}
