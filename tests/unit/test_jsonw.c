/* test_jsonw.c — app/jsonw: the writer's commas and colons, its escaping
 * against jansson's own json_dumps, stored JSON text (jw_json) on its fast
 * and slow paths, and the failures that make jw_take return NULL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/jsonw.h"

/* The writer's text, checked and freed. */
static void expect_text(struct jsonw *w, const char *want)
{
    size_t n = 0;
    char *got = jw_take(w, &n);
    assert_non_null(got);
    assert_string_equal(got, want);
    assert_int_equal(n, strlen(want));
    free(got);
}

static void test_structure(void **state)
{
    (void)state;
    struct jsonw w = {0};
    jw_obj(&w);
    jw_kint(&w, "id", -42);
    jw_key(&w, "list");
    jw_arr(&w);
    jw_bool(&w, 1);
    jw_bool(&w, 0);
    jw_null(&w);
    jw_str(&w, "低保");
    jw_arr(&w);
    jw_end(&w);
    jw_end(&w);
    jw_key(&w, "empty");
    jw_obj(&w);
    jw_end(&w);
    jw_kstr(&w, "none", NULL);
    jw_end(&w);
    expect_text(&w, "{\"id\":-42,\"list\":[true,false,null,\"低保\",[]],"
                    "\"empty\":{},\"none\":null}");
}

/* jw_value writes what json_dumps(JSON_COMPACT) writes. */
static void test_value_as_jansson(void **state)
{
    (void)state;
    static const char *const k_docs[] = {
        "{}",
        "[]",
        "{\"a\":[1,2,{\"b\":null}],\"c\":\"x\"}",
        "[\"quote \\\" backslash \\\\ slash /\"]",
        "[\"\\b\\f\\n\\r\\t \\u0001 \\u001f \\u007f\"]",
        "{\"名称\":\"最低生活保障（首次申领）\",\"键\\n\":\"值\"}",
        "[\"\\u4e2d\\u6587\",\"\\ud83d\\ude00\"]",
        "[9223372036854775807,-9223372036854775808,0]",
        "[[[[[[[[[[\"deep\"]]]]]]]]]]",
    };
    for (size_t i = 0; i < sizeof k_docs / sizeof *k_docs; i++) {
        json_t *v = json_loads(k_docs[i], 0, NULL);
        assert_non_null(v);
        char *want = json_dumps(v, JSON_COMPACT);
        struct jsonw w = {0};
        jw_value(&w, v);
        expect_text(&w, want);
        free(want);
        json_decref(v);
    }
}

/* jw_json: what json_loads then json_dumps give (null when broken), on
 * the copied fast path and the parsed slow path alike. */
static void test_stored_json(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *want;
    } k_rows[] = {
        {NULL, "null"},
        {"[]", "[]"},
        {"[\"社会保障\",\"就业创业\"]", "[\"社会保障\",\"就业创业\"]"},
        {"[\"\"]", "[\"\"]"},
        {"[ \"a\" , \"b\" ]", "[\"a\",\"b\"]"},
        {"[\"a\\\"b\"]", "[\"a\\\"b\"]"},
        {"[\"\\u4e2d\"]", "[\"中\"]"},
        {"[\"a\",1]", "[\"a\",1]"},
        {"{\"fee\":12.5}", "{\"fee\":12.5}"},
        {"\"alone\"", "\"alone\""},
        {"[\"a\"", "null"},
        {"[\"a\",]", "null"},
        {"[\"a\"]]", "null"},
        {"[\"\xff\"]", "null"},
        {"", "null"},
    };
    for (size_t i = 0; i < sizeof k_rows / sizeof *k_rows; i++) {
        struct jsonw w = {0};
        jw_arr(&w);
        jw_json(&w, k_rows[i].text);
        jw_end(&w);
        char want[256];
        snprintf(want, sizeof want, "[%s]", k_rows[i].want);
        expect_text(&w, want);
    }
}

static void test_invalid_utf8_string_is_null(void **state)
{
    (void)state;
    struct jsonw w = {0};
    jw_arr(&w);
    jw_str(&w, "ok");
    jw_str(&w, "\xe4\xbd"); /* a cut character */
    jw_end(&w);
    expect_text(&w, "[\"ok\",null]");
}

static void test_failures(void **state)
{
    (void)state;
    size_t n = 99;
    struct jsonw w = {0};
    jw_end(&w); /* nothing open */
    assert_null(jw_take(&w, &n));
    assert_int_equal(n, 0);

    struct jsonw deep = {0};
    for (int i = 0; i <= JW_DEPTH; i++)
        jw_arr(&deep);
    assert_int_equal(deep.bad, 2);
    assert_null(jw_take(&deep, &n));

    json_t *real = json_pack("[f]", 1.5);
    struct jsonw r = {0};
    jw_value(&r, real);
    assert_int_equal(r.bad, 2);
    assert_null(jw_take(&r, &n));
    json_decref(real);

    struct jsonw none = {0}; /* nothing written: an empty text */
    expect_text(&none, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_value_as_jansson),
        cmocka_unit_test(test_stored_json),
        cmocka_unit_test(test_invalid_utf8_string_is_null),
        cmocka_unit_test(test_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
