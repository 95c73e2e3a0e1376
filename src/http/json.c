/* json.c — limits on JSON bodies and small typed readers for handlers.
 * Every failure fills r->err with the JSON pointer of the bad value. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../app/jsonw.h"
#include "../core/utf8.h"
#include "internal.h"

int json_depth_ok(const char *text, size_t n, int max_depth)
{
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = text[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        if (c == '"')
            in_str = 1;
        else if (c == '{' || c == '[') {
            if (++depth > max_depth)
                return 0;
        } else if (c == '}' || c == ']')
            depth--;
    }
    return 1;
}

/* Strings, lists and object keys within limits, walking the whole value;
 * on failure e names the JSON pointer of the first value over its limit. */
static int limits_walk(const struct json_limits *lim, json_t *v,
                       const char *ptr, struct err *e)
{
    size_t max_str = lim->max_string, max_list = lim->max_list;
    if (json_is_string(v)) {
        if (json_string_length(v) > max_str)
            return err_set(e, ERR_TOO_LARGE, ptr,
                           "字符串超过 %zu 字节的上限", max_str);
        return 0;
    }
    if (json_is_array(v)) {
        if (json_array_size(v) > max_list)
            return err_set(e, ERR_TOO_LARGE, ptr,
                           "列表超过 %zu 项的上限", max_list);
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            char sub[64];
            snprintf(sub, sizeof sub, "%s/%zu", ptr, i);
            if (limits_walk(lim, x, sub, e))
                return -1;
        }
        return 0;
    }
    if (json_is_object(v)) {
        if (json_object_size(v) > max_list)
            return err_set(e, ERR_TOO_LARGE, ptr,
                           "对象超过 %zu 个键的上限", max_list);
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            char sub[64];
            snprintf(sub, sizeof sub, "%s/%s", ptr, k);
            if (strlen(k) > 64)
                return err_set(e, ERR_TOO_LARGE, ptr, "键名过长");
            if (limits_walk(lim, x, sub, e))
                return -1;
        }
    }
    return 0;
}

int json_limits_ok(struct req *r, json_t *v, const char *ptr)
{
    struct json_limits lim = {.max_string = server_max_string(r->srv),
                              .max_list = server_max_list(r->srv)};
    return limits_walk(&lim, v, ptr, &r->err);
}

int json_body_parse(const char *body, size_t n, const struct json_limits *lim,
                    json_t **out, struct err *e)
{
    *out = NULL;
    if (n == 0)
        return err_set(e, ERR_BAD_REQUEST, "", "请求体为空");
    if (!json_depth_ok(body, n, lim->max_depth))
        return err_set(e, ERR_TOO_LARGE, "", "JSON 嵌套超过 %d 层的上限",
                       lim->max_depth);
    json_error_t je;
    *out = json_loadb(body, n, JSON_REJECT_DUPLICATES, &je);
    if (!*out) {
        if (!utf8_valid(body, n))
            return err_set(e, ERR_BAD_REQUEST, "",
                           "请求体不是有效的 UTF-8 文本");
        return err_set(e, ERR_BAD_REQUEST, "",
                       "JSON 格式错误（第 %d 行第 %d 列）", je.line,
                       je.column);
    }
    if (!json_is_object(*out))
        return err_set(e, ERR_BAD_REQUEST, "", "请求体应为 JSON 对象");
    return limits_walk(lim, *out, "", e);
}

const char *jbody_str(struct req *r, json_t *obj, const char *key,
                      const char *ptr, int required, size_t max_chars)
{
    char field[64];
    snprintf(field, sizeof field, "%s/%s", ptr, key);
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            err_set(&r->err, ERR_INVALID, field, "缺少必填项 %s", key);
        return NULL;
    }
    if (!json_is_string(v)) {
        err_set(&r->err, ERR_INVALID, field, "%s 应为字符串", key);
        return NULL;
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (required && n == 0) {
        err_set(&r->err, ERR_INVALID, field, "%s 不能为空", key);
        return NULL;
    }
    if (utf8_chars(s, n) > max_chars) {
        err_set(&r->err, ERR_INVALID, field, "%s 不能超过 %zu 个字符", key,
                max_chars);
        return NULL;
    }
    if (utf8_has_control(s, n)) {
        err_set(&r->err, ERR_INVALID, field, "%s 含有控制字符", key);
        return NULL;
    }
    return s;
}

int jbody_int(struct req *r, json_t *obj, const char *key, const char *ptr,
              int required, long long min, long long max, long long *out)
{
    char field[64];
    snprintf(field, sizeof field, "%s/%s", ptr, key);
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            return err_set(&r->err, ERR_INVALID, field, "缺少必填项 %s", key);
        return 1;
    }
    if (!json_is_integer(v))
        return err_set(&r->err, ERR_INVALID, field, "%s 应为整数", key);
    long long n = json_integer_value(v);
    if (n < min || n > max)
        return err_set(&r->err, ERR_INVALID, field,
                       "%s 应在 %lld 到 %lld 之间", key, min, max);
    *out = n;
    return 0;
}

int jbody_only(struct req *r, json_t *obj, const char *ptr,
               const char *const *keys)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        int known = 0;
        for (const char *const *p = keys; *p; p++)
            if (strcmp(*p, k) == 0)
                known = 1;
        if (!known) {
            char field[64];
            snprintf(field, sizeof field, "%s/%s", ptr, k);
            return err_set(&r->err, ERR_INVALID, field, "未知字段 %s", k);
        }
    }
    return 0;
}

/* ---- answers ------------------------------------------------------------
 *
 * json_text — `v` as compact JSON text (malloc'd, NUL-terminated, *len
 * bytes), byte for byte what jansson's json_dumps(v, JSON_COMPACT) writes,
 * by app/jsonw.h's writer: answers are mostly CJK text, which json_dumps
 * walks code point by code point through a callback per piece; the writer
 * copies runs with memcpy into one buffer. A value it does not write (a
 * real, or nesting deeper than JW_DEPTH) makes it fall back to json_dumps.
 * NULL when out of memory. */
char *json_text(json_t *v, size_t *len)
{
    struct jsonw w = {0};
    if (v && (json_is_object(v) || json_is_array(v)))
        jw_value(&w, v);
    else
        w.bad = 2;
    int bad = w.bad;
    char *text = jw_take(&w, len);
    if (text || bad != 2)
        return text;
    text = json_dumps(v, JSON_COMPACT);
    *len = text ? strlen(text) : 0;
    return text;
}
