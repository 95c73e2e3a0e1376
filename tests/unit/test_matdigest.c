/* test_matdigest.c — core/matdigest.h: the materials the scanner reads out
 * of a guide are the ones a digest of that guide gives back (kind, name,
 * reference, place), for every demo guide and for hand-made edge cases:
 * escapes, a reference only where the kind has one, a name cut at the
 * length limit on a UTF-8 boundary, no or null materials, an unreadable
 * guide, a malformed digest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/matdigest.h"

#ifndef BIANMIN_DATA_DIR
#define BIANMIN_DATA_DIR "data"
#endif

/* Materials reported by a scan, as one text: "kind|name|ref|idx\n"… */
struct seen {
    char text[1 << 16];
    size_t n;
    int calls;
};

static int record(void *ctx, enum md_kind kind, const char *name, size_t nlen,
                  const char *ref, size_t rlen, int idx)
{
    struct seen *s = ctx;
    int w = snprintf(s->text + s->n, sizeof s->text - s->n, "%c|%.*s|%.*s|%d\n",
                     (char)kind, (int)nlen, name, (int)rlen, ref, idx);
    assert_true(w > 0 && (size_t)w < sizeof s->text - s->n);
    s->n += (size_t)w;
    s->calls++;
    return 0;
}

/* The guide's scan and its digest's scan report the same; returns the
 * scan's result. */
static int same_both_ways(const char *guide, struct seen *a)
{
    memset(a, 0, sizeof *a);
    int rc = md_scan_guide(guide, record, a);
    char *d = md_build(guide);
    assert_non_null(d);
    struct seen b = {0};
    if (rc) {
        assert_string_equal(d, MD_UNREADABLE);
        assert_int_equal(md_scan(d, record, &b), -1);
        assert_int_equal(b.calls, 0);
    } else {
        assert_int_equal(md_scan(d, record, &b), 0);
        assert_string_equal(a->text, b.text);
        assert_int_equal(a->calls, b.calls);
        /* a tenth or less of a real guide, never more than the guide */
        assert_true(strlen(d) <= strlen(guide));
    }
    free(d);
    return rc;
}

static void test_kinds_and_refs(void **state)
{
    (void)state;
    struct seen s;
    const char *g =
        "{\"kind\":\"committed\",\"materials\":["
        "{\"name\":\"居民身份证\",\"source\":\"licence\",\"need\":\"required\"}"
        ","
        "{\"need\":\"required\",\"name\":\"户口簿\",\"source\":\"shared_data\","
        "\"dataset\":\"户籍\",\"fields\":[\"姓名\",\"住址\"]},"
        "{\"name\":\"居住证明\",\"source\":\"proof\",\"proof\":\"居住证明\","
        "\"dataset\":\"ignored\"},"
        "{\"name\":\"收入\\\"说明\\\"\\u6536\",\"source\":\"applicant\","
        "\"proof\":\"ignored\",\"sample\":{\"a\":[1,{\"b\":\"]}\"}]}},"
        "{\"name\":\"承诺书\",\"source\":\"commitment\"},"
        "{\"name\":\"其他\",\"source\":\"carrier_pigeon\"},"
        "{\"name\":\"无来源\"}],\"visits\":1}";
    assert_int_equal(same_both_ways(g, &s), 0);
    assert_string_equal(s.text, "l|居民身份证||0\n"
                                "s|户口簿|户籍|1\n"
                                "p|居住证明|居住证明|2\n"
                                "a|收入\"说明\"收||3\n"
                                "c|承诺书||4\n"
                                "o|其他||5\n"
                                "o|无来源||6\n");
}

static void test_none_null_unreadable(void **state)
{
    (void)state;
    struct seen s;
    assert_int_equal(same_both_ways("{\"visits\":1}", &s), 0);
    assert_int_equal(s.calls, 0);
    assert_int_equal(same_both_ways("{\"materials\":null}", &s), 0);
    assert_int_equal(same_both_ways("{\"materials\":[]}", &s), 0);
    assert_int_equal(s.calls, 0);
    /* not what the catalogue writes */
    assert_int_equal(same_both_ways("{\"materials\":{\"name\":\"x\"}}", &s),
                     -1);
    assert_int_equal(same_both_ways("{\"materials\":[\"x\"]}", &s), -1);
    assert_int_equal(same_both_ways("{\"materials\":[{\"name\":\"x", &s), -1);
    assert_int_equal(
        same_both_ways("{\"materials\":[{\"name\":\"a\\u0000b\"}]}", &s), -1);
}

static void test_long_name_cut_on_boundary(void **state)
{
    (void)state;
    /* 400 × "证" (3 bytes) = 1200 bytes, with an escape in the middle: kept
     * as the first 341 characters (1023 bytes). */
    char g[4096];
    size_t n = (size_t)snprintf(g, sizeof g, "{\"materials\":[{\"name\":\"");
    for (int i = 0; i < 400; i++) {
        if (i == 200)
            n += (size_t)snprintf(g + n, sizeof g - n, "\\u8bc1");
        else
            n += (size_t)snprintf(g + n, sizeof g - n, "证");
    }
    snprintf(g + n, sizeof g - n, "\",\"source\":\"applicant\"}]}");
    struct seen s;
    assert_int_equal(same_both_ways(g, &s), 0);
    /* "a|" + name + "||0\n" */
    size_t name_len = s.n - 2 - 4;
    assert_int_equal(name_len, 341 * 3);
    assert_memory_equal(s.text + 2 + 1020, "证", 3);
}

static void test_malformed_digest(void **state)
{
    (void)state;
    struct seen s = {0};
    static const char *const k_bad[] = {
        "x1:a0:",    /* unknown kind */
        "a2:a0:",    /* name shorter than said */
        "a1:a",      /* no reference length */
        "a1:a0:p",   /* a second record cut short */
        "a9999:a0:", /* over the limit */
        MD_UNREADABLE,
    };
    for (size_t i = 0; i < sizeof k_bad / sizeof *k_bad; i++) {
        assert_int_equal(md_scan(k_bad[i], record, &s), -1);
        assert_int_equal(s.calls, 0); /* nothing reported before refusing */
    }
    assert_int_equal(md_scan("", record, &s), 0);
    assert_int_equal(s.calls, 0);
}

/* Every guide of the demo catalogue, both ways. */
static void test_demo_guides(void **state)
{
    (void)state;
    json_error_t je;
    json_t *cat =
        json_load_file(BIANMIN_DATA_DIR "/demo/catalogue.json", 0, &je);
    if (!cat)
        fail_msg("demo catalogue: %s", je.text);
    json_t *items = json_object_get(cat, "items");
    assert_true(json_array_size(items) > 50);
    size_t i;
    json_t *it;
    int mats = 0;
    size_t guide_bytes = 0, digest_bytes = 0;
    json_array_foreach(items, i, it)
    {
        char *g = json_dumps(json_object_get(it, "guide"), JSON_COMPACT);
        assert_non_null(g);
        struct seen s;
        assert_int_equal(same_both_ways(g, &s), 0);
        assert_int_equal(s.calls,
                         (int)json_array_size(json_object_get(
                             json_object_get(it, "guide"), "materials")));
        mats += s.calls;
        char *d = md_build(g);
        guide_bytes += strlen(g);
        digest_bytes += strlen(d);
        free(d);
        free(g);
    }
    assert_true(mats > 100);
    assert_true(digest_bytes * 5 < guide_bytes);
    json_decref(cat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds_and_refs),
        cmocka_unit_test(test_none_null_unreadable),
        cmocka_unit_test(test_long_name_cut_on_boundary),
        cmocka_unit_test(test_malformed_digest),
        cmocka_unit_test(test_demo_guides),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
