/* test_writer.c — the group-commit writer and the schema, on both drivers:
 * units from many threads share transactions, a failing unit rolls back
 * alone while the rest of its batch commits, every unit's done is called
 * once with the right result, migrations are idempotent, and a database from
 * a newer program is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "store/db.h"
#include "store/store.h"
#include "testdb.h"

#define THREADS 16
#define PER_THREAD 200

static const char SQL_PROBE_TABLE[] =
    "CREATE TABLE IF NOT EXISTS probe (tag TEXT PRIMARY KEY, n INTEGER NOT NULL)";
static const char SQL_PROBE_INSERT[] = "INSERT INTO probe (tag, n) VALUES ($1, $2)";
static const char SQL_PROBE_COUNT[] = "SELECT count(*) FROM probe";
static const char SQL_PROBE_HAS[] = "SELECT count(*) FROM probe WHERE tag = $1";

struct probe_arg {
    char tag[32];
    int fail_after_insert; /* insert, then insert a duplicate: must vanish */
};

static int probe_unit(struct db *db, void *p, struct err *e)
{
    struct probe_arg *a = p;
    struct db_param q[] = {DBP_TEXT(a->tag), DBP_INT(1)};
    if (db_exec(db, SQL_PROBE_INSERT, q, 2, NULL, e))
        return -1;
    if (a->fail_after_insert)
        return db_exec(db, SQL_PROBE_INSERT, q, 2, NULL, e); /* conflict */
    return 0;
}

static int create_table_unit(struct db *db, void *p, struct err *e)
{
    return db_exec(db, SQL_PROBE_TABLE, NULL, 0, NULL, e);
}

struct worker {
    struct store *s;
    int id;
    int ok, failed, wrong;
};

static void *worker_main(void *p)
{
    struct worker *w = p;
    for (int i = 0; i < PER_THREAD; i++) {
        struct probe_arg a = {.fail_after_insert = (i % 3 == 0)};
        snprintf(a.tag, sizeof a.tag, "t%d-%d", w->id, i);
        struct err e = {0};
        int rc = store_write(w->s, probe_unit, &a, &e);
        if (rc == 0 && !a.fail_after_insert)
            w->ok++;
        else if (rc != 0 && a.fail_after_insert && e.code == ERR_CONFLICT)
            w->failed++;
        else
            w->wrong++;
    }
    return NULL;
}

static void test_failing_unit_rolls_back_alone(void **state)
{
    char url[512];
    assert_int_equal(testdb_create(url, sizeof url), 0);
    struct err e = {0};
    struct store *s = store_open(url, NULL, &e);
    assert_non_null(s);
    assert_int_equal(store_write(s, create_table_unit, NULL, &e), 0);

    pthread_t th[THREADS];
    struct worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){.s = s, .id = i};
        pthread_create(&th[i], NULL, worker_main, &w[i]);
    }
    int ok = 0, failed = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].wrong, 0);
        ok += w[i].ok;
        failed += w[i].failed;
    }
    assert_int_equal(failed, THREADS * (PER_THREAD / 3 + 1));
    struct store_stats st;
    store_stats(s, &st);
    assert_int_equal(st.units, THREADS * PER_THREAD + 1);
    assert_int_equal(st.failed_units, failed);
    /* Group commit: concurrent units shared transactions. */
    assert_true(st.batches < st.units);
    print_message("units %lld in %lld commits\n", st.units, st.batches);

    struct db *db = store_read(s, &e);
    assert_non_null(db);
    int64_t n = -1;
    assert_int_equal(db_query_int(db, SQL_PROBE_COUNT, NULL, 0, &n, &e), 0);
    assert_int_equal(n, ok); /* failed units left nothing behind */
    struct db_param q[] = {DBP_TEXT("t3-0")}; /* i=0 failed */
    assert_int_equal(db_query_int(db, SQL_PROBE_HAS, q, 1, &n, &e), 0);
    assert_int_equal(n, 0);
    q[0] = DBP_TEXT("t3-1");
    assert_int_equal(db_query_int(db, SQL_PROBE_HAS, q, 1, &n, &e), 0);
    assert_int_equal(n, 1);
    store_read_done(s, db);
    store_close(s);
    testdb_drop(url);
}

static void test_migrations_idempotent_and_newer_refused(void **state)
{
    char url[512];
    assert_int_equal(testdb_create(url, sizeof url), 0);
    struct err e = {0};
    struct store *s = store_open(url, NULL, &e);
    assert_non_null(s);
    assert_int_equal(store_schema_check(s, &e), -1); /* empty: run init */
    assert_string_not_equal(e.msg, "");
    int applied = -1;
    assert_int_equal(store_migrate(s, &applied, &e), 0);
    /* Every listed migration (numbers assigned to other branches may be
     * missing from the list), ending at the latest. */
    assert_true(applied >= 1 && applied <= store_schema_latest());
    int version = 0;
    assert_int_equal(store_schema_version(s, &version, &e), 0);
    assert_int_equal(version, store_schema_latest());
    assert_int_equal(store_migrate(s, &applied, &e), 0);
    assert_int_equal(applied, 0);
    assert_int_equal(store_schema_check(s, &e), 0);
    store_close(s);

    /* A database written by a newer bianmin. */
    struct db *db = db_open(url, 1, &e);
    assert_non_null(db);
    assert_int_equal(db_script(db,
                               "INSERT INTO schema_migrations (version, name, "
                               "applied_at) VALUES (999, 'future', 0)",
                               &e),
                     0);
    db_close(db);
    s = store_open(url, NULL, &e);
    assert_non_null(s);
    err_clear(&e);
    assert_int_equal(store_schema_check(s, &e), -1);
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_non_null(strstr(e.msg, "升级"));
    assert_int_equal(store_migrate(s, &applied, &e), -1);
    store_close(s);
    testdb_drop(url);
}

static void test_submit_after_close_fails_cleanly(void **state)
{
    char url[512];
    assert_int_equal(testdb_create(url, sizeof url), 0);
    struct err e = {0};
    struct store *s = store_open(url, NULL, &e);
    assert_non_null(s);
    assert_int_equal(store_write(s, create_table_unit, NULL, &e), 0);
    /* A bad URL is a clear error, not a crash. */
    assert_null(store_open("mysql://nope", NULL, &e));
    assert_int_equal(e.code, ERR_INVALID);
    store_close(s);
    testdb_drop(url);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failing_unit_rolls_back_alone),
        cmocka_unit_test(test_migrations_idempotent_and_newer_refused),
        cmocka_unit_test(test_submit_after_close_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
