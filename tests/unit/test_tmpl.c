/* test_tmpl.c — the page template renderer (web/tmpl.h): escaping by
 * default and through every filter ("<script>'&" pushed through each),
 * sections over lists, objects, scalars and absent names, inverted
 * sections, loop helpers, includes and layouts, unknown names (an error
 * when strict, counted otherwise), every compile error with its line, and
 * the limits that stop a hostile template. Table-driven: each row says why. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "web/tmpl.h"

static const char *k_data =
    "{\"name\":\"<script>'&\\\"=`\",\"n\":42,\"r\":1.5,\"nil\":null,"
    "\"yes\":true,\"no\":false,\"empty\":\"\",\"none\":[],"
    "\"list\":[\"a\",\"b\",\"c\"],"
    "\"items\":[{\"t\":\"x\"},{\"t\":\"y\",\"sub\":{\"k\":\"deep\"}}],"
    "\"obj\":{\"k\":\"v\",\"inner\":{\"z\":\"zz\"}},\"name_html\":\"<b>ok</"
    "b>\","
    "\"q\":\"低保 a&b/c?\"}";

/* Render `text` (as template "t", with partial "p" and layout "l") against
 * k_data, strictly; NULL when it fails (e then set). */
static char *render(const char *text, int strict, int *unknown, struct err *e)
{
    struct tmpl_set *s = tmpl_set_new();
    assert_non_null(s);
    const char *p = "[{{t}}]";
    const char *l = "<main>{{> p2}}{{$body}}</main>";
    const char *p2 = "";
    char *out = NULL;
    json_error_t je;
    json_t *ctx = json_loads(k_data, 0, &je);
    assert_non_null(ctx);
    if (tmpl_set_add(s, "p", p, strlen(p), e) == 0 &&
        tmpl_set_add(s, "l", l, strlen(l), e) == 0 &&
        tmpl_set_add(s, "p2", p2, 0, e) == 0 &&
        tmpl_set_add(s, "t", text, strlen(text), e) == 0 &&
        tmpl_set_check(s, e) == 0)
        tmpl_render(s, "t", ctx, strict, 0, &out, NULL, unknown, e);
    json_decref(ctx);
    tmpl_set_free(s);
    return out;
}

static const struct {
    const char *tmpl, *want, *why;
} k_ok[] = {
    {"plain text", "plain text", "text passes through"},
    {"", "", "an empty template renders nothing"},
    {"{{name}}", "&lt;script&gt;&#39;&amp;&quot;=`", "HTML-escaped by default"},
    {"{{ name | html }}", "&lt;script&gt;&#39;&amp;&quot;=`",
     "html filter, blanks"},
    {"{{name|attr}}", "&lt;script&gt;&#39;&amp;&quot;&#61;&#96;",
     "attr also escapes = and `"},
    {"{{name|url}}", "%3Cscript%3E%27%26%22%3D%60", "url: one component"},
    {"{{q|url}}", "%E4%BD%8E%E4%BF%9D%20a%26b%2Fc%3F",
     "url: UTF-8 bytes and reserved"},
    {"{{{name_html}}}", "<b>ok</b>", "raw only for _html names"},
    {"{{n}} {{r}} [{{nil}}]", "42 1.5 []",
     "numbers as decimals, null as nothing"},
    {"{{obj.k}}{{obj.inner.z}}", "vzz", "dotted names"},
    {"{{#list}}{{.}}{{/list}}", "abc", "a list section, . is the element"},
    {"{{#list}}{{@number}}{{#@first}}^{{/@first}}{{#@last}}${{/@last}}{{/"
     "list}}",
     "1^23$", "loop helpers"},
    {"{{#items}}{{t}}{{#sub}}={{k}}{{/sub}}{{/items}}", "xy=deep",
     "objects in a list"},
    {"{{#items}}{{n}}{{/items}}", "4242", "names fall through to outer frames"},
    {"{{#obj}}{{k}}{{/obj}}", "v", "an object section pushes it"},
    {"{{#yes}}Y{{/yes}}{{#no}}N{{/no}}{{^no}}!{{/no}}", "Y!", "booleans"},
    {"{{#empty}}E{{/empty}}{{#none}}N{{/none}}{{#absent}}A{{/absent}}", "",
     "falsy: empty, [], absent"},
    {"{{^none}}no items{{/none}}{{^absent}}!{{/absent}}", "no items!",
     "inverted sections"},
    {"{{#n}}[{{.}}]{{/n}}", "[42]", "a scalar section pushes the scalar"},
    {"{{#obj}}{{> p2}}{{/obj}}", "", "an empty include"},
    {"{{#items}}{{> p}}{{/items}}", "[x][y]", "include inside a loop"},
    {"{{< l}}<h1>{{n}}</h1>", "<main><h1>42</h1></main>",
     "layout around the page"},
    {"{{! a comment }}{{< l}}body", "<main>body</main>",
     "a comment before the layout"},
    {"a {{! {{name}} }} b", "a  }} b", "a comment ends at the first }}"},
    {"{ {x}} }}{", "{ {x}} }}{", "braces that are no tag"},
    {"line\n{{#list}}\n{{.}}{{/list}}", "line\n\na\nb\nc", "newlines kept"},
};

static void test_render_ok(void **state)
{
    for (size_t i = 0; i < sizeof k_ok / sizeof k_ok[0]; i++) {
        struct err e = {0};
        int unknown = -1;
        char *out = render(k_ok[i].tmpl, 1, &unknown, &e);
        if (!out)
            fail_msg("%s: %s", k_ok[i].why, e.msg);
        if (strcmp(out, k_ok[i].want) != 0)
            fail_msg("%s: got [%s], want [%s]", k_ok[i].why, out, k_ok[i].want);
        assert_int_equal(unknown, 0);
        free(out);
    }
}

static const struct {
    const char *tmpl;
    enum err_code code;
    const char *msg_has, *why;
} k_bad[] = {
    {"{{name", ERR_INVALID, "第 1 行", "unterminated tag"},
    {"a\nb\n{{#list}}", ERR_INVALID, "第 3 行",
     "unclosed section names its line"},
    {"{{/list}}", ERR_INVALID, "多余的结束标签", "a stray closer"},
    {"{{#a}}{{/b}}", ERR_INVALID, "不配对", "mismatched closer"},
    {"{{}}", ERR_INVALID, "空标签", "empty tag"},
    {"{{ a b }}", ERR_INVALID, "名称无效", "blank inside a name"},
    {"{{a..b}}", ERR_INVALID, "名称无效", "empty part"},
    {"{{.a}}", ERR_INVALID, "名称无效", "leading dot"},
    {"{{@index}}", ERR_INVALID, "名称无效", "unknown helper"},
    {"{{name|js}}", ERR_INVALID, "未知的过滤器", "unknown filter"},
    {"{{{name}}}", ERR_INVALID, "_html", "raw output of a plain name"},
    {"{{{name_html}}", ERR_INVALID, "}}}", "triple opened, double closed"},
    {"{{n}}{{< l}}", ERR_INVALID, "第一个标签", "layout not first"},
    {"{{> nosuch}}", ERR_INVALID, "没有模板 nosuch",
     "include of an unknown template"},
    {"{{< nosuch}}", ERR_INVALID, "没有布局模板", "unknown layout"},
    {"{{$other}}", ERR_INVALID, "$body", "unknown slot"},
    {"{{nothing}}", ERR_INVALID, "nothing", "unknown name: strict error"},
    {"{{obj.none}}", ERR_INVALID, "obj.none", "unknown member"},
    {"{{list}}", ERR_INVALID, "不能作为文字输出", "a list as text"},
    {"{{@number}}", ERR_INVALID, "@number", "helper outside a list"},
};

static void test_render_errors(void **state)
{
    for (size_t i = 0; i < sizeof k_bad / sizeof k_bad[0]; i++) {
        struct err e = {0};
        char *out = render(k_bad[i].tmpl, 1, NULL, &e);
        if (out)
            fail_msg("%s: rendered [%s]", k_bad[i].why, out);
        if (e.code != k_bad[i].code || !strstr(e.msg, k_bad[i].msg_has))
            fail_msg("%s: code %d msg [%s], want [%s]", k_bad[i].why, e.code,
                     e.msg, k_bad[i].msg_has);
    }
}

static void test_lenient_unknown(void **state)
{
    /* Not strict (release builds): unknown names render as nothing and
     * are counted, so a page still shows. */
    struct err e = {0};
    int unknown = 0;
    char *out = render("a{{nothing}}b{{list}}c{{obj.x.y}}", 0, &unknown, &e);
    assert_non_null(out);
    assert_string_equal(out, "abc");
    assert_int_equal(unknown, 3);
    free(out);
}

static void test_escape_helpers(void **state)
{
    char buf[8];
    /* Truncation keeps a NUL and reports the needed length. */
    assert_int_equal(tmpl_escape_html("<<<", 3, buf, sizeof buf), 12);
    assert_string_equal(buf, "&lt;&lt");
    assert_int_equal(tmpl_escape_url("a b", 3, buf, sizeof buf), 5);
    assert_string_equal(buf, "a%20b");
}

static void test_limits(void **state)
{
    struct tmpl_set *s = tmpl_set_new();
    struct err e = {0};
    char *out = NULL;
    /* 8 nested loops over 10 elements: 10^8 visits, stopped. */
    char t[512] = "";
    for (int i = 0; i < 8; i++)
        strcat(t, "{{#l}}");
    for (int i = 0; i < 8; i++)
        strcat(t, "{{/l}}");
    assert_int_equal(tmpl_set_add(s, "loops", t, strlen(t), &e), 0);
    /* Self-inclusion: stopped at TMPL_MAX_INCLUDE. */
    assert_int_equal(tmpl_set_add(s, "self", "x{{> self}}", 11, &e), 0);
    /* Output over max_out. */
    assert_int_equal(tmpl_set_add(s, "big", "{{#l}}0123456789{{/l}}", 22, &e),
                     0);
    assert_int_equal(tmpl_set_check(s, &e), 0);
    json_t *ctx = json_pack("{s:[i,i,i,i,i,i,i,i,i,i]}", "l", 0, 1, 2, 3, 4, 5,
                            6, 7, 8, 9);
    assert_int_equal(tmpl_render(s, "loops", ctx, 1, 0, &out, NULL, NULL, &e),
                     -1);
    assert_int_equal(e.code, ERR_TOO_LARGE);
    assert_null(out);
    assert_int_equal(tmpl_render(s, "self", ctx, 1, 0, &out, NULL, NULL, &e),
                     -1);
    assert_int_equal(e.code, ERR_TOO_LARGE);
    assert_int_equal(tmpl_render(s, "big", ctx, 1, 50, &out, NULL, NULL, &e),
                     -1);
    assert_int_equal(e.code, ERR_TOO_LARGE);
    size_t n = 0;
    assert_int_equal(tmpl_render(s, "big", ctx, 1, 100, &out, &n, NULL, &e), 0);
    assert_int_equal(n, 100);
    free(out);
    assert_int_equal(tmpl_render(s, "nosuch", ctx, 1, 0, &out, NULL, NULL, &e),
                     -1);
    assert_int_equal(e.code, ERR_NOT_FOUND);
    /* Names of templates; duplicates. */
    assert_int_equal(tmpl_set_add(s, "Bad Name", "", 0, &e), -1);
    assert_int_equal(tmpl_set_add(s, "big", "", 0, &e), -1);
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_true(tmpl_has(s, "big"));
    assert_false(tmpl_has(s, "nosuch"));
    json_decref(ctx);
    tmpl_set_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_ok),
        cmocka_unit_test(test_render_errors),
        cmocka_unit_test(test_lenient_unknown),
        cmocka_unit_test(test_escape_helpers),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
