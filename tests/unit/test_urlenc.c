/* test_urlenc.c — core/urlenc: hex digits and form decoding, row by row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/urlenc.h"

static void test_hex(void **state)
{
    (void)state;
    assert_int_equal(urlenc_hex('0'), 0);
    assert_int_equal(urlenc_hex('9'), 9);
    assert_int_equal(urlenc_hex('a'), 10);
    assert_int_equal(urlenc_hex('F'), 15);
    assert_int_equal(urlenc_hex('g'), -1);
    assert_int_equal(urlenc_hex('G'), -1);
    assert_int_equal(urlenc_hex('%'), -1);
    assert_int_equal(urlenc_hex('\0'), -1);
}

static void test_decode(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        long want_len; /* -1: refused */
        const char *want;
    } k_rows[] = {
        {"", 0, ""},
        {"abc", 3, "abc"},
        {"a+b", 3, "a b"},
        {"%E4%BD%8E%E4%BF%9D", 6, "低保"},
        {"%e4%bd%8e%e4%bf%9d", 6, "低保"},
        {"100%25", 4, "100%"},
        {"%2B+", 2, "+ "},
        {"%", -1, NULL},     /* cut escape */
        {"%4", -1, NULL},    /* cut escape */
        {"%4g", -1, NULL},   /* not hex */
        {"ab%zz", -1, NULL}, /* not hex */
    };
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++) {
        char out[64];
        long n = urlenc_decode(k_rows[r].in, strlen(k_rows[r].in), out);
        assert_int_equal(n, k_rows[r].want_len);
        if (n >= 0)
            assert_string_equal(out, k_rows[r].want);
    }
    /* %00 decodes to a NUL byte inside the length: callers see it. */
    char out[8];
    assert_int_equal(urlenc_decode("a%00b", 5, out), 3);
    assert_int_equal(strlen(out), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
