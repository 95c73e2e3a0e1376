/* testdb.h — a fresh, empty database per store test, on the driver under
 * test. Header-only; shared by every tests/store/test_*.c.
 *
 * The same test binary runs once per driver, chosen by the environment
 * (CMake sets it per ctest entry):
 *   BIANMIN_TEST_DB=sqlite     a new temp file, URL "sqlite:/tmp/bm_test_….db"
 *   BIANMIN_TEST_DB=postgres   a new database bm_test_<pid>_<n> (UTF8,
 *                              C.UTF-8) on the cluster whose URL is in
 *                              BIANMIN_TEST_PG_URL, e.g. from
 *                              `export BIANMIN_TEST_PG_URL=$(scripts/pg-cluster start /tmp/bmpg)`
 * Unset BIANMIN_TEST_DB means sqlite (a binary run by hand). A misconfigured
 * run (unknown driver, postgres without BIANMIN_TEST_PG_URL) exits the test
 * binary with status 1 and a message: a suite that silently skips a driver
 * is a defect.
 *
 * Not thread-safe (a counter per test binary); call from the test thread. */
#ifndef BIANMIN_TESTS_STORE_TESTDB_H
#define BIANMIN_TESTS_STORE_TESTDB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/db.h"

#define TESTDB_UNUSED __attribute__((unused))

/* testdb_driver — "sqlite" or "postgres", from BIANMIN_TEST_DB; exits on an
 * unknown value. */
static TESTDB_UNUSED const char *testdb_driver(void)
{
    const char *d = getenv("BIANMIN_TEST_DB");
    if (!d || !*d || !strcmp(d, "sqlite"))
        return "sqlite";
    if (!strcmp(d, "postgres"))
        return "postgres";
    fprintf(stderr, "testdb: BIANMIN_TEST_DB=%s; want sqlite or postgres\n", d);
    exit(1);
}

static TESTDB_UNUSED int testdb_is_pg(void)
{
    return !strcmp(testdb_driver(), "postgres");
}

/* testdb_pg_admin — the cluster URL from BIANMIN_TEST_PG_URL; exits if unset. */
static TESTDB_UNUSED const char *testdb_pg_admin(void)
{
    const char *u = getenv("BIANMIN_TEST_PG_URL");
    if (!u || !*u) {
        fprintf(stderr,
                "testdb: BIANMIN_TEST_DB=postgres but BIANMIN_TEST_PG_URL is "
                "unset. Start a cluster first:\n"
                "  export BIANMIN_TEST_PG_URL=$(scripts/pg-cluster start "
                "/tmp/bmpg)\n");
        exit(1);
    }
    return u;
}

/* testdb_pg_url — `base` (a postgresql:// URL or a key=value conninfo)
 * pointed at database `name`, into url[n]. 0, or -1 if it does not fit. */
static TESTDB_UNUSED int testdb_pg_url(const char *base, const char *name,
                                       char *url, size_t n)
{
    int w;
    const char *scheme = strstr(base, "://");
    if (!scheme) { /* key=value conninfo: a later dbname wins */
        w = snprintf(url, n, "%s dbname=%s", base, name);
        return w < 0 || (size_t)w >= n ? -1 : 0;
    }
    const char *auth = scheme + 3;
    const char *path = auth + strcspn(auth, "/?");
    const char *query = path + strcspn(path, "?");
    w = snprintf(url, n, "%.*s/%s%s", (int)(path - base), base, name, query);
    return w < 0 || (size_t)w >= n ? -1 : 0;
}

/* testdb_pg_name — the database name of a URL made by testdb_create. */
static TESTDB_UNUSED int testdb_pg_name(const char *url, char *name, size_t n)
{
    const char *p = strstr(url, "bm_test_");
    if (!p)
        return -1;
    size_t len = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_");
    if (len >= n)
        return -1;
    memcpy(name, p, len);
    name[len] = '\0';
    return 0;
}

/* testdb_admin_script — run one statement on the cluster's admin database. */
static TESTDB_UNUSED int testdb_admin_script(const char *sql)
{
    struct err e = {0};
    struct db *db = db_open(testdb_pg_admin(), 0, &e);
    if (!db) {
        fprintf(stderr, "testdb: cannot connect to BIANMIN_TEST_PG_URL: %s (%s)\n",
                e.msg, e.log);
        return -1;
    }
    int rc = db_script(db, sql, &e);
    if (rc)
        fprintf(stderr, "testdb: %s: %s (%s)\n", sql, e.msg, e.log);
    db_close(db);
    return rc;
}

/* testdb_create — a fresh empty database; its URL (for db_open) in url[n].
 * 0 on success, -1 after printing why. Drop it with testdb_drop. */
static TESTDB_UNUSED int testdb_create(char *url, size_t n)
{
    static unsigned counter;
    if (!testdb_is_pg()) {
        char path[] = "/tmp/bm_test_XXXXXX.db";
        int fd = mkstemps(path, 3);
        if (fd < 0) {
            perror("testdb: mkstemps");
            return -1;
        }
        close(fd);
        int w = snprintf(url, n, "sqlite:%s", path);
        if (w < 0 || (size_t)w >= n) {
            unlink(path);
            return -1;
        }
        return 0;
    }
    char name[64], sql[256];
    snprintf(name, sizeof name, "bm_test_%ld_%u", (long)getpid(), ++counter);
    if (testdb_pg_url(testdb_pg_admin(), name, url, n)) {
        fprintf(stderr, "testdb: URL too long for the buffer\n");
        return -1;
    }
    /* The name is ours (digits and letters), so splicing it is safe. */
    snprintf(sql, sizeof sql,
             "CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8' "
             "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'",
             name);
    return testdb_admin_script(sql);
}

/* testdb_drop — remove a database made by testdb_create (its files, or the
 * PostgreSQL database, closing any connection a failed test left open). */
static TESTDB_UNUSED void testdb_drop(const char *url)
{
    if (!url || !*url)
        return;
    if (!strncmp(url, "sqlite:", 7)) {
        static const char *const k_suffix[] = {"", "-wal", "-shm", "-journal"};
        for (size_t i = 0; i < sizeof k_suffix / sizeof *k_suffix; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s%s", url + 7, k_suffix[i]);
            unlink(path);
        }
        return;
    }
    char name[64], sql[128];
    if (testdb_pg_name(url, name, sizeof name)) {
        fprintf(stderr, "testdb: not a test database URL: %s\n", url);
        return;
    }
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    testdb_admin_script(sql);
}

#endif
