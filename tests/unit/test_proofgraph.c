/* test_proofgraph.c — core/proofgraph (circular proofs as cycles of the
 * "needs" graph) and core/sample (the seeded post-check sample), row by row
 * with the reason for each. Graphs are written as text: "0>1 1>2 2>0". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/proofgraph.h"
#include "core/sample.h"

/* parse "a>b c>d" into edges; returns the count. */
static int parse_edges(const char *s, struct pg_edge *out, int cap)
{
    int n = 0, a, b, used;
    while (n < cap && sscanf(s, " %d>%d%n", &a, &b, &used) == 2) {
        out[n].from = a;
        out[n].to = b;
        n++;
        s += used;
    }
    return n;
}

/* format cycles as "0-1-2|3-4" (components separated by ';' when they
 * change): "0-1-2;3-4|3-5". */
static void format_cycles(const struct pg_cycle *c, int n, char *out,
                          size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i)
            len += (size_t)snprintf(out + len, cap - len, "%s",
                                    c[i].scc != c[i - 1].scc ? ";" : "|");
        for (int k = 0; k < c[i].n; k++)
            len += (size_t)snprintf(out + len, cap - len, "%s%d", k ? "-" : "",
                                    c[i].nodes[k]);
    }
}

static void test_cycles(void **state)
{
    (void)state;
    static const struct {
        int nodes;
        const char *edges;
        const char *want;
        const char *why;
    } k_rows[] = {
        {0, "", "", "an empty graph has no cycle"},
        {3, "0>1 1>2", "", "a chain is not a cycle"},
        {3, "0>1 1>2 2>0", "0-1-2", "a triangle, shown from its smallest node"},
        {3, "2>0 0>1 1>2", "0-1-2", "edge order does not matter"},
        {1, "0>0", "0", "a proof its own issuing item needs: self-loop"},
        {4, "0>1 1>0 2>3 3>2", "0-1;2-3", "two separate loops, two components"},
        {4, "0>1 1>0 1>2 2>1", "0-1|1-2", "two loops sharing node 1: one "
                                         "component, both cycles shown"},
        {5, "0>1 1>2 2>3 3>4 4>0 2>0", "0-1-2|0-1-2-3-4",
         "the shortest cycle through each node: 0-1-2 for 0, 1 and 2; 3 and "
         "4 lie only on the long one, which is shown too"},
        {6, "0>1 1>2 2>3 3>0 4>5", "0-1-2-3",
         "an item→proof→item→proof chain closed: the whole chain of four"},
        {4, "0>1 1>2 2>3 3>1", "1-2-3", "a cycle reached from outside: the "
                                        "entry node is not part of it"},
        {3, "0>1 0>1 1>0", "0-1", "duplicate edges change nothing"},
    };
    for (size_t i = 0; i < sizeof k_rows / sizeof k_rows[0]; i++) {
        struct pg_edge edges[32];
        int m = parse_edges(k_rows[i].edges, edges, 32);
        struct pg_cycle *c;
        int n;
        struct err e = {0};
        assert_int_equal(pg_cycles(k_rows[i].nodes, edges, m, &c, &n, &e), 0);
        char got[256];
        format_cycles(c, n, got, sizeof got);
        if (strcmp(got, k_rows[i].want))
            fail_msg("row %zu (%s): got \"%s\", want \"%s\"", i,
                     k_rows[i].why, got, k_rows[i].want);
        pg_cycles_free(c, n);
    }
}

static void test_cycle_component_size(void **state)
{
    (void)state;
    struct pg_edge edges[8];
    int m = parse_edges("0>1 1>2 2>3 3>4 4>0 2>0", edges, 8);
    struct pg_cycle *c;
    int n;
    struct err e = {0};
    assert_int_equal(pg_cycles(5, edges, m, &c, &n, &e), 0);
    /* The component is all five nodes even though the cycle shown through
     * its smallest node is shorter; 3 and 4 get the long cycle. */
    assert_int_equal(n, 2);
    assert_int_equal(c[0].scc_size, 5);
    assert_int_equal(c[0].n, 3);
    assert_int_equal(c[1].n, 5);
    pg_cycles_free(c, n);
}

static void test_bad_edge(void **state)
{
    (void)state;
    struct pg_edge edges[] = {{0, 1}, {1, 7}};
    struct pg_cycle *c;
    int n;
    struct err e = {0};
    assert_int_equal(pg_cycles(3, edges, 2, &c, &n, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    assert_string_equal(e.field, "edges");
    assert_null(c);
}

/* A big graph: a chain of 200,000 nodes (the iterative Tarjan must not
 * recurse) with one planted cycle in the middle. */
static void test_big_chain(void **state)
{
    (void)state;
    int n = 200000;
    struct pg_edge *edges = malloc(sizeof *edges * (size_t)n);
    assert_non_null(edges);
    for (int i = 0; i < n - 1; i++)
        edges[i] = (struct pg_edge){i, i + 1};
    edges[n - 1] = (struct pg_edge){123460, 123456};
    struct pg_cycle *c;
    int k;
    struct err e = {0};
    assert_int_equal(pg_cycles(n, edges, n, &c, &k, &e), 0);
    assert_int_equal(k, 1);
    assert_int_equal(c[0].n, 5);
    assert_int_equal(c[0].nodes[0], 123456);
    assert_int_equal(c[0].nodes[4], 123460);
    pg_cycles_free(c, k);
    free(edges);
}

/* ---- samples ------------------------------------------------------------- */

static void test_seed_text(void **state)
{
    (void)state;
    /* FNV-1a 64 published values. */
    assert_true(sample_seed_text("") == 0xcbf29ce484222325ULL);
    assert_true(sample_seed_text("a") == 0xaf63dc4c8601ec8cULL);
    assert_true(sample_seed_text("foobar") == 0x85944171f73967e8ULL);
}

static void test_rng_known(void **state)
{
    (void)state;
    /* splitmix64 from 0 gives the reference first output; xoshiro256**
     * then is fixed by it: the values below are this generator's, pinned so
     * that a change of algorithm (which would change every past sample)
     * fails here. */
    struct sample_rng r;
    sample_rng_init(&r, 0);
    assert_true(r.s[0] == 0xe220a8397b1dcdafULL);
    uint64_t a = sample_next(&r), b = sample_next(&r);
    struct sample_rng r2;
    sample_rng_init(&r2, 0);
    assert_true(sample_next(&r2) == a);
    assert_true(sample_next(&r2) == b);
    assert_true(a != b);
}

static void test_count(void **state)
{
    (void)state;
    static const struct {
        int n, percent, want;
    } k_rows[] = {
        {0, 10, 0},    /* nobody to check */
        {100, 0, 0},   /* no check rule */
        {100, 10, 10}, /* exact */
        {101, 10, 11}, /* rounded up: at least the share */
        {3, 5, 1},     /* a small population still gets one */
        {7, 100, 7},   /* everyone */
        {7, 150, 7},   /* over 100 is everyone */
    };
    for (size_t i = 0; i < sizeof k_rows / sizeof k_rows[0]; i++)
        assert_int_equal(sample_count(k_rows[i].n, k_rows[i].percent),
                         k_rows[i].want);
}

static void test_draw(void **state)
{
    (void)state;
    int work[1000], a[100], b[100], c[100];
    assert_int_equal(sample_draw(42, 1000, 100, work, a), 100);
    assert_int_equal(sample_draw(42, 1000, 100, work, b), 100);
    assert_memory_equal(a, b, sizeof a); /* same seed, same sample */
    for (int i = 1; i < 100; i++)
        assert_true(a[i] > a[i - 1]); /* ascending, distinct */
    assert_true(a[0] >= 0 && a[99] < 1000);
    assert_int_equal(sample_draw(43, 1000, 100, work, c), 100);
    assert_true(memcmp(a, c, sizeof a) != 0); /* another seed, another */
    assert_int_equal(sample_draw(1, 5, 5, work, a), 5); /* all of them */
    for (int i = 0; i < 5; i++)
        assert_int_equal(a[i], i);
    assert_int_equal(sample_draw(1, 5, 6, work, a), -1);
    assert_int_equal(sample_draw(1, 0, 0, work, a), 0);
    /* Streams: a proof's sample depends on the seed and its name only. */
    assert_true(sample_seed_mix(7, "居住证明") == sample_seed_mix(7, "居住证明"));
    assert_true(sample_seed_mix(7, "居住证明") != sample_seed_mix(7, "收入证明"));
}

/* Uniformity, roughly: over 60,000 draws of 1 from 6, each place within
 * 5% of 10,000. */
static void test_uniform(void **state)
{
    (void)state;
    struct sample_rng r;
    sample_rng_init(&r, 2026);
    int hist[6] = {0};
    for (int i = 0; i < 60000; i++)
        hist[sample_below(&r, 6)]++;
    for (int i = 0; i < 6; i++)
        assert_true(hist[i] > 9500 && hist[i] < 10500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cycles),
        cmocka_unit_test(test_cycle_component_size),
        cmocka_unit_test(test_bad_edge),
        cmocka_unit_test(test_big_chain),
        cmocka_unit_test(test_seed_text),
        cmocka_unit_test(test_rng_known),
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_draw),
        cmocka_unit_test(test_uniform),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
