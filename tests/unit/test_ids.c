/* test_ids.c — core/ids: resident identity numbers, unified social credit
 * codes, division codes and masking, row by row with the reason for each.
 * Check characters of generated codes are computed here (and compared with
 * the public samples 11010519491231002X and 91350100M000100Y43). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/ids.h"

#define TODAY 20240930

/* ---- resident identity numbers ------------------------------------------- */

static void test_resident_check_char(void **state)
{
    (void)state;
    static const struct {
        const char *first17;
        char want;
    } k_rows[] = {
        {"11010519491231002", 'X'}, /* the GB 11643 sample number */
        {"34010419900307123", '5'},
        {"34010419900307126", 'X'},
        {"34010419900307120", '0'},
        {"1101051949123100A", '\0'}, /* a letter: no check char */
        {"1101051949123100 ", '\0'},
    };
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++)
        assert_int_equal(ids_resident_check_char(k_rows[r].first17), k_rows[r].want);
}

static void test_resident_valid(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *id;     /* normalised */
        const char *birth;  /* YYYY-MM-DD */
        enum ids_sex sex;
    } k_rows[] = {
        {"11010519491231002X", "11010519491231002X", "1949-12-31", IDS_FEMALE},
                                               /* public sample; 2 is even */
        {"11010519491231002x", "11010519491231002X", "1949-12-31", IDS_FEMALE},
                                               /* lower-case x accepted */
        {"340104199003071235", "340104199003071235", "1990-03-07", IDS_MALE},
                                               /* sequence 123: odd */
        {"34010419900307126X", "34010419900307126X", "1990-03-07", IDS_FEMALE},
        {"440306200002290017", "440306200002290017", "2000-02-29", IDS_MALE},
                                               /* born on a leap day */
        {"650102190001010032", "650102190001010032", "1900-01-01", IDS_MALE},
                                               /* the earliest birth date */
        {"810000202409300022", "810000202409300022", "2024-09-30", IDS_FEMALE},
                                               /* born today; Hong Kong 81 */
        {"710000199912310051", "710000199912310051", "1999-12-31", IDS_MALE},
                                               /* Taiwan 71 */
    };
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++) {
        struct ids_resident out;
        struct err e = {0};
        if (ids_resident_parse(k_rows[r].in, TODAY, &out, "/id_no", &e) != 0)
            fail_msg("row %zu (%s): %s", r, k_rows[r].in, e.msg);
        assert_string_equal(out.id, k_rows[r].id);
        char birth[11];
        cal_date_format(out.birth, birth);
        assert_string_equal(birth, k_rows[r].birth);
        assert_int_equal(out.sex, k_rows[r].sex);
        assert_memory_equal(out.region, k_rows[r].in, 6);
        assert_int_equal(out.region[6], '\0');
        assert_int_equal(ids_resident_parse(k_rows[r].in, TODAY, NULL, NULL, &e), 0);
    }
}

static void test_resident_invalid(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *msg;
    } k_rows[] = {
        {"1101051949123100", "身份证号应为18位"},      /* 16 characters */
        {"11010519491231002X1", "身份证号应为18位"},   /* 19 characters */
        {"110105491231002", "身份证号应为18位"},       /* old 15-digit number */
        {"", "身份证号应为18位"},
        {"１１0105194912310021", "身份证号应为18位"},  /* full-width digits are
                                                         3 bytes each */
        {"11010519491231002Y", "身份证号含非法字符"},  /* Y as check char */
        {"1101051949123100AX", "身份证号含非法字符"},  /* letter in the body */
        {"11010519491231 02X", "身份证号含非法字符"},  /* space */
        {"-11010519491231002", "身份证号含非法字符"},
        {"110105194912310021", "身份证号校验位错误"},  /* sample, check changed */
        {"340104199003071234", "身份证号校验位错误"},  /* typical made-up number */
        {"110105194912310002", "身份证号校验位错误"},  /* two digits swapped
                                                         (…002X → …0002 is
                                                         wrong too) */
        {"340104202410010012", "身份证号出生日期无效"}, /* born after today */
        {"340104202302290010", "身份证号出生日期无效"}, /* 2023-02-29 */
        {"340104189912310011", "身份证号出生日期无效"}, /* before 1900 */
        {"090104199003071233", "身份证号地区码无效"},   /* province 09 */
        {"160104199003071231", "身份证号地区码无效"},   /* province 16 */
    };
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++) {
        struct ids_resident out = {.sex = 7};
        struct err e = {0};
        if (ids_resident_parse(k_rows[r].in, TODAY, &out, "/applicant/id_no", &e) != -1)
            fail_msg("row %zu (%s) accepted", r, k_rows[r].in);
        assert_int_equal(e.code, ERR_INVALID);
        assert_string_equal(e.field, "/applicant/id_no");
        if (strcmp(e.msg, k_rows[r].msg) != 0)
            fail_msg("row %zu (%s): %s, want %s", r, k_rows[r].in, e.msg,
                     k_rows[r].msg);
        assert_int_equal(out.sex, 7); /* untouched */
    }
    struct err e = {0};
    assert_int_equal(ids_resident_parse(NULL, TODAY, NULL, "/id", &e), -1);
    assert_string_equal(e.msg, "身份证号应为18位");
    /* today is the caller's duty: a bad one is a bug, not bad input */
    assert_int_equal(ids_resident_parse("11010519491231002X", 20230229, NULL,
                                        "/id", &e), -1);
    assert_int_equal(e.code, ERR_INTERNAL);
    /* the same number is fine once today reaches the birth date */
    assert_int_equal(ids_resident_parse("340104202410010012", 20241001, NULL,
                                        "/id", &e), 0);
}

static void test_province(void **state)
{
    (void)state;
    static const struct {
        int code, want;
    } k_rows[] = {
        {11, 1}, {15, 1}, {16, 0}, {20, 0}, {21, 1}, {23, 1}, {24, 0},
        {31, 1}, {37, 1}, {38, 0}, {41, 1}, {46, 1}, {47, 0}, {50, 1},
        {54, 1}, {55, 0}, {61, 1}, {65, 1}, {66, 0}, {71, 1}, {72, 0},
        {81, 1}, {82, 1}, {83, 0}, {10, 0}, {0, 0}, {-11, 0}, {99, 0},
    };
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++)
        assert_int_equal(ids_province_valid(k_rows[r].code), k_rows[r].want);
}

/* ---- unified social credit codes ----------------------------------------- */

static void test_uscc_check_char(void **state)
{
    (void)state;
    static const struct {
        const char *first17;
        char want;
    } k_rows[] = {
        {"91350100M000100Y4", '3'}, /* the GB 32100 sample code */
        {"91350100m000100y4", '3'}, /* lower case counts as upper */
        {"91340100MA2MXXXXX", 'H'},
        {"51340100MJ0000000", '5'},
        {"91340102MA2M00000", '0'}, /* Σ mod 31 == 0: 31 maps to 0 */
        {"31110000400000000", '2'},
        {"91350100I000100Y4", '\0'}, /* I is not in the set */
        {"91350100-000100Y4", '\0'},
    };
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++)
        assert_int_equal(ids_uscc_check_char(k_rows[r].first17), k_rows[r].want);
}

static void test_uscc(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *msg;  /* NULL: valid */
        const char *norm; /* when valid */
    } k_rows[] = {
        {"91350100M000100Y43", NULL, "91350100M000100Y43"}, /* public sample */
        {"91350100m000100y43", NULL, "91350100M000100Y43"}, /* lower case */
        {"91340100MA2MXXXXXH", NULL, "91340100MA2MXXXXXH"}, /* 9 工商, 1 企业 */
        {"92340102MA2N00000F", NULL, "92340102MA2N00000F"}, /* 个体工商户 */
        {"12100000400012345P", NULL, "12100000400012345P"}, /* 1 机构编制 2 事业
                                                         单位, national 100000 */
        {"51340100MJ00000005", NULL, "51340100MJ00000005"}, /* 5 民政 社会团体 */
        {"Y1340100000000000P", NULL, "Y1340100000000000P"}, /* Y 其他 */
        {"N2341523MF0000000M", NULL, "N2341523MF0000000M"}, /* N 农业 村级集体 */
        {"A1100000MB0000000E", NULL, "A1100000MB0000000E"}, /* A 军队事业单位 */
        {"91340102MA2M000000", NULL, "91340102MA2M000000"}, /* check char 0 */
        {"311100004000000002", NULL, "311100004000000002"}, /* 3 司法行政 律师 */
        {"91350100M000100Y4", "统一社会信用代码应为18位", NULL},
        {"91350100M000100Y433", "统一社会信用代码应为18位", NULL},
        {"", "统一社会信用代码应为18位", NULL},
        {"91350100M000100I43", "统一社会信用代码含非法字符", NULL}, /* I */
        {"91350100M000100O43", "统一社会信用代码含非法字符", NULL}, /* O */
        {"91350100M000100Z43", "统一社会信用代码含非法字符", NULL}, /* Z */
        {"9135010-M000100Y43", "统一社会信用代码含非法字符", NULL},
        {"91350100M000100Y44", "统一社会信用代码校验位错误", NULL},
        {"19350100M000100Y43", "统一社会信用代码校验位错误", NULL}, /* swapped */
        {"02340100MA2M000009", "统一社会信用代码登记管理部门代码无效", NULL},
        {"B1340100MA2M000001", "统一社会信用代码登记管理部门代码无效", NULL},
        {"90340100MA2M000006", "统一社会信用代码机构类别代码无效", NULL},
        {"91000000MA2M000009", "统一社会信用代码登记机关区划码无效", NULL},
        {"91990000MA2M00000T", "统一社会信用代码登记机关区划码无效", NULL},
        {"913401AAMA2M00000E", "统一社会信用代码登记机关区划码无效", NULL},
    };
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++) {
        struct ids_uscc out = {.authority = '?'};
        struct err e = {0};
        int rc = ids_uscc_parse(k_rows[r].in, &out, "/org/credit_code", &e);
        if (!k_rows[r].msg) {
            if (rc != 0)
                fail_msg("row %zu (%s): %s", r, k_rows[r].in, e.msg);
            assert_string_equal(out.code, k_rows[r].norm);
            assert_int_equal(out.authority, k_rows[r].norm[0]);
            assert_int_equal(out.category, k_rows[r].norm[1]);
            assert_memory_equal(out.region, k_rows[r].norm + 2, 6);
            assert_int_equal(out.region[6], '\0');
        } else {
            if (rc != -1)
                fail_msg("row %zu (%s) accepted", r, k_rows[r].in);
            assert_int_equal(e.code, ERR_INVALID);
            assert_string_equal(e.field, "/org/credit_code");
            if (strcmp(e.msg, k_rows[r].msg) != 0)
                fail_msg("row %zu (%s): %s", r, k_rows[r].in, e.msg);
            assert_int_equal(out.authority, '?');
        }
    }
    struct err e = {0};
    assert_int_equal(ids_uscc_parse(NULL, NULL, NULL, &e), -1);
    assert_string_equal(e.field, "");
}

/* Every single-character error in a valid code is caught by the check
 * character (a property of the MOD 31 design). */
static void test_uscc_single_errors(void **state)
{
    (void)state;
    const char *good = "91350100M000100Y43";
    for (int i = 0; i < 18; i++) {
        for (const char *c = IDS_USCC_CHARSET; *c; c++) {
            char code[19];
            memcpy(code, good, sizeof code);
            if (code[i] == *c)
                continue;
            code[i] = *c;
            struct err e = {0};
            assert_int_equal(ids_uscc_parse(code, NULL, "/c", &e), -1);
        }
    }
}

/* ---- division codes ------------------------------------------------------- */

static void test_division(void **state)
{
    (void)state;
    static const struct {
        const char *code;
        int level;        /* 0: invalid */
        const char *msg;  /* when invalid */
    } k_rows[] = {
        {"340000000000", 1, NULL}, /* 安徽省 */
        {"340100000000", 2, NULL}, /* 合肥市 */
        {"340102000000", 3, NULL}, /* 瑶海区 */
        {"340102001000", 4, NULL}, /* 明光路街道 */
        {"340102001001", 5, NULL}, /* a community */
        {"110101001001", 5, NULL}, /* 北京 东城区 */
        {"441900003000", 4, NULL}, /* 东莞 东城街道: no county level */
        {"460400100000", 4, NULL}, /* 儋州 a town: no county level */
        {"820000000000", 1, NULL}, /* 澳门 */
        {"34010200100", 0, "区划代码应为12位数字"},   /* 11 digits */
        {"3401020010010", 0, "区划代码应为12位数字"}, /* 13 digits */
        {"34010200100a", 0, "区划代码应为12位数字"},
        {"", 0, "区划代码应为12位数字"},
        {"990000000000", 0, "区划代码省级代码无效"},
        {"000000000000", 0, "区划代码省级代码无效"},
        {"340002000000", 0, "区划代码层级不连续"}, /* county without a city */
        {"340100000001", 0, "区划代码层级不连续"}, /* village, no township */
        {"340000001000", 0, "区划代码层级不连续"}, /* township, no city */
        {"340002001001", 0, "区划代码层级不连续"},
    };
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++) {
        int level = -9;
        struct err e = {0};
        int rc = ids_division_check(k_rows[r].code, &level, "/region", &e);
        assert_int_equal(ids_division_level(k_rows[r].code), k_rows[r].level);
        if (k_rows[r].level) {
            if (rc != 0)
                fail_msg("row %zu (%s): %s", r, k_rows[r].code, e.msg);
            assert_int_equal(level, k_rows[r].level);
        } else {
            assert_int_equal(rc, -1);
            assert_int_equal(e.code, ERR_INVALID);
            assert_string_equal(e.field, "/region");
            if (strcmp(e.msg, k_rows[r].msg) != 0)
                fail_msg("row %zu (%s): %s", r, k_rows[r].code, e.msg);
            assert_int_equal(level, -9);
        }
    }
    struct err e = {0};
    assert_int_equal(ids_division_check(NULL, NULL, "/r", &e), -1);
    assert_int_equal(ids_division_level(NULL), 0);
}

static void test_division_pad(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *want; /* NULL: invalid */
        int level;
    } k_rows[] = {
        {"34", "340000000000", 1},
        {"3401", "340100000000", 2},
        {"340102", "340102000000", 3},    /* GB/T 2260 county code */
        {"340102001", "340102001000", 4},
        {"340102001001", "340102001001", 5},
        {"441900003", "441900003000", 4},  /* 东莞 township */
        {"340", NULL, 0},                  /* 3 digits */
        {"3401020011", NULL, 0},           /* 10 digits */
        {"34a1", NULL, 0},
        {"99", NULL, 0},                   /* no such province */
        {"", NULL, 0},
    };
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++) {
        char out[IDS_DIVISION_SIZE] = "untouched";
        int level = 0;
        struct err e = {0};
        int rc = ids_division_pad(k_rows[r].in, out, &level, "/region", &e);
        if (k_rows[r].want) {
            if (rc != 0)
                fail_msg("row %zu (%s): %s", r, k_rows[r].in, e.msg);
            assert_string_equal(out, k_rows[r].want);
            assert_int_equal(level, k_rows[r].level);
        } else {
            assert_int_equal(rc, -1);
            assert_string_equal(e.field, "/region");
            assert_string_equal(out, "untouched");
        }
    }
    struct err e = {0};
    char out[IDS_DIVISION_SIZE];
    assert_int_equal(ids_division_pad("34a1", out, NULL, "/r", &e), -1);
    assert_string_equal(e.msg, "区划代码应为2、4、6、9或12位数字");
    assert_int_equal(ids_division_pad("990000", out, NULL, "/r", &e), -1);
    assert_string_equal(e.msg, "区划代码省级代码无效");
}

static void test_division_parent(void **state)
{
    (void)state;
    static const struct {
        const char *code, *parent;
        int rc;
    } k_rows[] = {
        {"340102001001", "340102001000", 4}, /* village → township */
        {"340102001000", "340102000000", 3}, /* township → county */
        {"340102000000", "340100000000", 2}, /* county → city */
        {"340100000000", "340000000000", 1}, /* city → province */
        {"340000000000", "", 0},             /* a province has none */
        {"441900003000", "441900000000", 2}, /* 东莞 township → the city */
        {"340002000000", "", -1},            /* invalid */
        {"3401", "", -1},                    /* not padded */
    };
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++) {
        char out[IDS_DIVISION_SIZE] = "x";
        assert_int_equal(ids_division_parent(k_rows[r].code, out), k_rows[r].rc);
        assert_string_equal(out, k_rows[r].parent);
    }
}

static void test_division_within(void **state)
{
    (void)state;
    static const struct {
        const char *code, *ancestor;
        int want;
    } k_rows[] = {
        {"340102001001", "340000000000", 1}, /* village in its province */
        {"340102001001", "340100000000", 1}, /* in its city */
        {"340102001001", "340102001000", 1}, /* in its township */
        {"340102001001", "340102001001", 1}, /* itself */
        {"340103000000", "340102000000", 0}, /* a sibling county */
        {"340000000000", "340102000000", 0}, /* above, not below */
        {"350102001001", "340000000000", 0}, /* another province */
        {"441900003000", "441900000000", 1}, /* 东莞: township under city */
        {"340102001001", "3400", 0},         /* invalid ancestor */
        {"bad", "340000000000", 0},          /* invalid code */
    };
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++)
        assert_int_equal(ids_division_within(k_rows[r].code, k_rows[r].ancestor),
                         k_rows[r].want);
}

/* ---- masking -------------------------------------------------------------- */

static void test_mask_codes(void **state)
{
    (void)state;
    static const struct {
        const char *in, *resident, *uscc;
    } k_rows[] = {
        {"340104199003071235", "3401**********1235", "34010419********35"},
        {"34010419900307126x", "3401**********126X", "34010419********6X"},
                                               /* x shown upper */
        {"91350100M000100Y43", "9135**********0Y43", "91350100********43"},
        {"91350100m000100y43", "9135**********0Y43", "91350100********43"},
        {"3401041990030712", "******", "******"},    /* short: nothing shown */
        {"3401041990030712355", "******", "******"}, /* long */
        {"3401041990030712３", "******", "******"},   /* non-ASCII */
        {"3401-4199003071235", "******", "******"},
        {"", "******", "******"},
        {NULL, "******", "******"},
    };
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++) {
        char out[IDS_CODE_SIZE];
        ids_mask_resident(k_rows[r].in, out);
        assert_string_equal(out, k_rows[r].resident);
        ids_mask_uscc(k_rows[r].in, out);
        assert_string_equal(out, k_rows[r].uscc);
    }
}

static void test_mask_phone(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } k_rows[] = {
        {"13812341234", "138****1234"},
        {"19955518888", "199****8888"},
        {"1381234123", "****"},     /* 10 digits */
        {"138123412345", "****"},   /* 12 digits */
        {"138-1234-1234", "****"},  /* separators */
        {"+8613812341234", "****"}, /* country code */
        {"1381234123a", "****"},
        {"", "****"},
        {NULL, "****"},
    };
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++) {
        char out[IDS_PHONE_MASK_SIZE];
        ids_mask_phone(k_rows[r].in, out);
        assert_string_equal(out, k_rows[r].want);
    }
}

static void test_mask_name(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        size_t size;
        int rc;
        const char *want;
    } k_rows[] = {
        {"张三", 16, 0, "张*"},
        {"张三丰", 16, 0, "张**"},
        {"欧阳娜娜", 16, 0, "欧***"},          /* compound surname: still 1 */
        {"阿卜杜拉·买买提", 32, 0, "阿*******"}, /* the dot is a character */
        {"𠀀明", 16, 0, "𠀀*"},                 /* 4-byte character (Ext. B) */
        {"Li Lei", 16, 0, "L*****"},
        {"王", 16, 0, "*"},                    /* one character: hide it */
        {"", 16, 0, ""},
        {"张三", 5, 0, "张*"},                 /* exactly enough: 3 + 1 + 1 */
        {"张三", 4, -1, "*"},                  /* one byte short */
        {"张三", 1, -1, ""},
        {"\xe5\xbc", 16, -1, "*"},             /* cut UTF-8 */
        {"张\xff三", 16, -1, "*"},             /* invalid byte */
        {"\xed\xa0\x80", 16, -1, "*"},         /* a surrogate */
        {"\xc0\xaf", 16, -1, "*"},             /* overlong '/' */
        {NULL, 16, -1, "*"},
    };
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++) {
        char out[32];
        memset(out, '#', sizeof out);
        assert_true(k_rows[r].size <= sizeof out);
        int rc = ids_mask_name(k_rows[r].in, out, k_rows[r].size);
        if (rc != k_rows[r].rc || strcmp(out, k_rows[r].want) != 0)
            fail_msg("row %zu: rc %d out %s", r, rc, out);
        for (size_t i = k_rows[r].size; i < sizeof out; i++)
            assert_int_equal(out[i], '#'); /* nothing beyond out_size */
    }
    char one = '#';
    assert_int_equal(ids_mask_name("张三", &one, 0), -1);
    assert_int_equal(one, '#');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resident_check_char),
        cmocka_unit_test(test_resident_valid),
        cmocka_unit_test(test_resident_invalid),
        cmocka_unit_test(test_province),
        cmocka_unit_test(test_uscc_check_char),
        cmocka_unit_test(test_uscc),
        cmocka_unit_test(test_uscc_single_errors),
        cmocka_unit_test(test_division),
        cmocka_unit_test(test_division_pad),
        cmocka_unit_test(test_division_parent),
        cmocka_unit_test(test_division_within),
        cmocka_unit_test(test_mask_codes),
        cmocka_unit_test(test_mask_phone),
        cmocka_unit_test(test_mask_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
