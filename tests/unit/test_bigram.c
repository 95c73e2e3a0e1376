/* test_bigram.c — core/bigram: the tokens of real item names and queries,
 * byte offsets, tails, query de-duplication, the joined text for
 * PostgreSQL, and hostile input (bad UTF-8, cut characters, long words). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/bigram.h"

/* The tokens of s joined by '/', each as text@start-end when `offsets`. */
static void tokens_of(const char *s, size_t n, unsigned flags, int offsets,
                      char *out, size_t cap)
{
    struct bigram_iter it;
    struct bigram_tok t;
    size_t w = 0;
    out[0] = '\0';
    bigram_init(&it, s, n, flags);
    while (bigram_next(&it, &t)) {
        assert_true(t.len > 0);
        assert_int_equal(strlen(t.text), t.len);
        assert_true(t.start < t.end && t.end <= n);
        if (t.kind != BIGRAM_WORD) /* CJK tokens are the source bytes */
            assert_memory_equal(s + t.start, t.text, t.len);
        int k;
        if (offsets)
            k = snprintf(out + w, cap - w, "%s%s%s@%zu-%zu", w ? "/" : "",
                         t.text, t.flags & BIGRAM_F_TAIL ? "^" : "", t.start,
                         t.end);
        else
            k = snprintf(out + w, cap - w, "%s%s%s", w ? "/" : "", t.text,
                         t.flags & BIGRAM_F_TAIL ? "^" : "");
        assert_true(k > 0 && (size_t)k < cap - w);
        w += (size_t)k;
    }
    assert_int_equal(bigram_next(&it, &t), 0); /* stays at the end */
}

static const struct {
    const char *in;
    const char *want;      /* without tails */
    const char *want_tail; /* with BIGRAM_TAIL */
} k_rows[] = {
    /* A CJK run: its overlapping pairs. */
    {"最低生活保障", "最低/低生/生活/活保/保障", "最低/低生/生活/活保/保障/障^"},
    /* A lone character is a unigram (never a tail). */
    {"低", "低", "低"},
    /* CJK, digits, CJK: the digits split the runs. */
    {"社保卡2024版", "社保/保卡/2024/版", "社保/保卡/卡^/2024/版"},
    /* Latin is lower-cased, split from CJK. */
    {"ETC卡办理", "etc/卡办/办理", "etc/卡办/办理/理^"},
    /* Full-width punctuation and spaces separate. */
    {"适龄儿童、少年因身体状况需要延缓入学",
     "适龄/龄儿/儿童/少年/年因/因身/身体/体状/状况/况需/需要/要延/延缓/缓入/入学",
     "适龄/龄儿/儿童/童^/少年/年因/因身/身体/体状/状况/况需/需要/要延/延缓/"
     "缓入/入学/学^"},
    {"《出生医学证明》首次签发", "出生/生医/医学/学证/证明/首次/次签/签发",
     "出生/生医/医学/学证/证明/明^/首次/次签/签发/发^"},
    {"医疗机构执业审批（校验）（县级）", "医疗/疗机/机构/构执/执业/业审/审批/校验/县级",
     "医疗/疗机/机构/构执/执业/业审/审批/批^/校验/验^/县级/级^"},
    /* ASCII punctuation, a lone character between separators. */
    {"残疾类别/等级变更", "残疾/疾类/类别/等级/级变/变更",
     "残疾/疾类/类别/别^/等级/级变/变更/更^"},
    {"(一)省 专利", "一/省/专利", "一/省/专利/利^"},
    /* Digits inside a name, and a 〇 counted as CJK. */
    {"80周岁以上", "80/周岁/岁以/以上", "80/周岁/岁以/以上/上^"},
    {"二〇二四年", "二〇/〇二/二四/四年", "二〇/〇二/二四/四年/年^"},
    /* Full-width letters and digits fold to ASCII words. */
    {"ＡＢＣ１２３号", "abc123/号", "abc123/号"},
    /* Extension A and compatibility ideographs. */
    {"㐀㐁", "㐀㐁", "㐀㐁/㐁^"},
    {"\xEF\xA4\x80\xE4\xB8\x80", "\xEF\xA4\x80\xE4\xB8\x80",
     "\xEF\xA4\x80\xE4\xB8\x80/\xE4\xB8\x80^"}, /* U+F900 一 */
    /* 4-byte characters (Extension B): 𠀀𠀁 and a lone 𪚥. */
    {"𠀀𠀁 𪚥", "𠀀𠀁/𪚥", "𠀀𠀁/𠀁^/𪚥"},
    /* Other scripts, symbols and emoji only separate. */
    {"café 😀 αβ 低保", "caf/低保", "caf/低保/保^"},
    {"", "", ""},
    {"  ，。！？、", "", ""},
    /* Japanese kana are not CJK ideographs: they separate. */
    {"保険のしおり", "保険", "保険/険^"},
};

static void test_rows(void **state)
{
    char got[1024];
    for (size_t i = 0; i < sizeof k_rows / sizeof *k_rows; i++) {
        tokens_of(k_rows[i].in, strlen(k_rows[i].in), 0, 0, got, sizeof got);
        if (strcmp(got, k_rows[i].want))
            fail_msg("row %zu %s: got %s want %s", i, k_rows[i].in, got,
                     k_rows[i].want);
        tokens_of(k_rows[i].in, strlen(k_rows[i].in), BIGRAM_TAIL, 0, got,
                  sizeof got);
        if (strcmp(got, k_rows[i].want_tail))
            fail_msg("row %zu %s (tail): got %s want %s", i, k_rows[i].in, got,
                     k_rows[i].want_tail);
    }
}

static void test_offsets(void **state)
{
    char got[512];
    /* 3 bytes per CJK character; a tail ends where its run ends. */
    tokens_of("社保卡2024版", strlen("社保卡2024版"), BIGRAM_TAIL, 1, got,
              sizeof got);
    assert_string_equal(got, "社保@0-6/保卡@3-9/卡^@6-9/2024@9-13/版@13-16");
    /* Full-width digits: 3 source bytes each, 1 token byte each. */
    tokens_of("第１２号", strlen("第１２号"), 0, 1, got, sizeof got);
    assert_string_equal(got, "第@0-3/12@3-9/号@9-12");
    /* 4-byte characters. */
    tokens_of("a𠀀𠀁", strlen("a𠀀𠀁"), 0, 1, got, sizeof got);
    assert_string_equal(got, "a@0-1/𠀀𠀁@1-9");
}

/* Invalid UTF-8 never stops the iterator, never yields bytes that are not
 * in the text, and acts as a separator. */
static void test_invalid_utf8(void **state)
{
    static const struct {
        const char *in;
        size_t n;
        const char *want;
    } rows[] = {
        {"\xff低保", 7, "低保"},                  /* stray byte first */
        {"低\xff保", 7, "低/保"},                  /* a bad byte splits */
        {"低\xe4\xbf保", 8, "低/保"},              /* a cut character */
        {"最低\xe4", 7, "最低"},                   /* cut at the end */
        {"\xc0\xaf" "ab", 4, "ab"},               /* overlong '/' */
        {"\xed\xa0\x80" "ab", 5, "ab"},           /* a surrogate */
        {"\xf4\x90\x80\x80" "ab", 6, "ab"},       /* above U+10FFFF */
        {"\xe4\xbd", 2, ""},                      /* nothing whole */
        {"ab\0cd", 5, "ab/cd"},                   /* NUL separates */
    };
    char got[256];
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        tokens_of(rows[i].in, rows[i].n, 0, 0, got, sizeof got);
        if (strcmp(got, rows[i].want))
            fail_msg("row %zu: got %s want %s", i, got, rows[i].want);
    }
    /* Every byte value at every position: terminates, offsets in range. */
    unsigned char buf[6] = {0xe4, 0xbd, 0x8e, 0, 'a', 0xf0};
    for (int b = 0; b < 256; b++)
        for (int at = 0; at < 6; at++) {
            unsigned char c[6];
            memcpy(c, buf, sizeof c);
            c[at] = (unsigned char)b;
            tokens_of((const char *)c, sizeof c, BIGRAM_TAIL, 0, got,
                      sizeof got);
        }
}

static void test_long_word(void **state)
{
    char in[200], got[512];
    memset(in, 'A', 100);
    strcpy(in + 100, "低保");
    tokens_of(in, strlen(in), 0, 0, got, sizeof got);
    char want[128];
    memset(want, 'a', BIGRAM_WORD_MAX);
    strcpy(want + BIGRAM_WORD_MAX, "/低保");
    assert_string_equal(got, want);
}

static void test_query_tokens(void **state)
{
    char buf[256];
    const char *toks[16];
    int cut = -1;
    /* Repeated pairs come once, in order of first appearance. */
    int n = bigram_query_tokens("保障 保障卡 低保", strlen("保障 保障卡 低保"),
                                buf, sizeof buf, toks, 16, &cut);
    assert_int_equal(cut, 0);
    assert_int_equal(n, 3);
    assert_string_equal(toks[0], "保障");
    assert_string_equal(toks[1], "障卡");
    assert_string_equal(toks[2], "低保");
    /* No tails in queries. */
    n = bigram_query_tokens("低保", 6, buf, sizeof buf, toks, 16, &cut);
    assert_int_equal(n, 1);
    assert_string_equal(toks[0], "低保");
    n = bigram_query_tokens("婚", 3, buf, sizeof buf, toks, 16, NULL);
    assert_int_equal(n, 1);
    assert_string_equal(toks[0], "婚");
    /* Query syntax of FTS5 and tsquery only separates. */
    static const char hostile[] = "\"低保\" OR * : ( | & ! ' 'a':* NEAR(x y)";
    n = bigram_query_tokens(hostile, strlen(hostile), buf, sizeof buf, toks,
                            16, &cut);
    assert_int_equal(n, 6);
    assert_string_equal(toks[0], "低保");
    assert_string_equal(toks[1], "or");
    assert_string_equal(toks[2], "a");
    assert_string_equal(toks[3], "near");
    assert_string_equal(toks[4], "x");
    assert_string_equal(toks[5], "y");
    /* Full toks array, then a full buffer. */
    n = bigram_query_tokens("一二三四五六", 18, buf, sizeof buf, toks, 3, &cut);
    assert_int_equal(n, 3);
    assert_int_equal(cut, 1);
    n = bigram_query_tokens("一二三四五六", 18, buf, 15, toks, 16, &cut);
    assert_int_equal(n, 2); /* 7 bytes each with the NUL */
    assert_int_equal(cut, 1);
    assert_string_equal(toks[1], "二三");
}

static void test_join(void **state)
{
    char out[128];
    const char *s = "社保卡2024版";
    size_t need = bigram_join(s, strlen(s), BIGRAM_TAIL, out, sizeof out);
    assert_string_equal(out, "社保 保卡 卡 2024 版");
    assert_int_equal(need, strlen(out));
    need = bigram_join(s, strlen(s), 0, out, sizeof out);
    assert_string_equal(out, "社保 保卡 2024 版");
    /* Too small: cut at a token boundary, full length reported. */
    need = bigram_join(s, strlen(s), 0, out, 12);
    assert_string_equal(out, "社保");
    assert_int_equal(need, strlen("社保 保卡 2024 版"));
    need = bigram_join(s, strlen(s), 0, out, 0);
    assert_int_equal(need, strlen("社保 保卡 2024 版"));
    need = bigram_join("，。", 6, 0, out, sizeof out);
    assert_int_equal(need, 0);
    assert_string_equal(out, "");
}

static void test_cjk_ranges(void **state)
{
    static const struct {
        unsigned cp;
        int cjk;
    } rows[] = {
        {0x4E00, 1},  {0x9FFF, 1},  {0x4DFF, 0}, /* hexagram, not CJK */
        {0x3400, 1},  {0x4DBF, 1},  {0x33FF, 0}, {0xF900, 1},  {0xFAFF, 1},
        {0x3007, 1},  {0x3006, 0},  {0x3001, 0}, /* 、 */
        {0x20000, 1}, {0x2A6DF, 1}, {0x2B740, 1}, {0x2F800, 1},
        {0x30000, 1}, {0x1F600, 0}, {0xFF10, 0}, {'a', 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        if (bigram_is_cjk(rows[i].cp) != rows[i].cjk)
            fail_msg("U+%04X: want %d", rows[i].cp, rows[i].cjk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_offsets),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_long_word),
        cmocka_unit_test(test_query_tokens),
        cmocka_unit_test(test_join),
        cmocka_unit_test(test_cjk_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
