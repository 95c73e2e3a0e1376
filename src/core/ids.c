/* ids.c — checking, parsing and masking of identifiers: resident identity
 * numbers, unified social credit codes, division codes, phones, names.
 * Pure rules: no I/O, no allocation, thread-safe. Contract in core/ids.h. */
#include "core/ids.h"
#include "core/utf8.h"

#include <string.h>

/* strlen(s), but reading at most max bytes: returns max when no NUL comes
 * first (strnlen is POSIX, not ISO C). */
static size_t len_upto(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(char c)
{
    return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static char upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/* Value of n decimal digits; the caller has checked they are digits. */
static int num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

int ids_province_valid(int code)
{
    return (code >= 11 && code <= 15) || (code >= 21 && code <= 23) ||
           (code >= 31 && code <= 37) || (code >= 41 && code <= 46) ||
           (code >= 50 && code <= 54) || (code >= 61 && code <= 65) ||
           code == 71 || code == 81 || code == 82;
}

/* ---- resident identity number ------------------------------------------ */

char ids_resident_check_char(const char first17[17])
{
    static const int k_weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6,
                                      3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (!is_digit(first17[i]))
            return '\0';
        sum += (first17[i] - '0') * k_weights[i];
    }
    return "10X98765432"[sum % 11];
}

int ids_resident_parse(const char *s, int today_yyyymmdd,
                       struct ids_resident *out, const char *field,
                       struct err *e)
{
    struct cal_date today = {today_yyyymmdd / 10000,
                             today_yyyymmdd / 100 % 100,
                             today_yyyymmdd % 100};
    if (!cal_date_valid(today)) {
        err_set(e, ERR_INTERNAL, field, "内部错误");
        return err_log(e, "ids_resident_parse: bad today %d", today_yyyymmdd);
    }
    if (!s || len_upto(s, 19) != 18)
        return err_set(e, ERR_INVALID, field, "身份证号应为18位");
    for (int i = 0; i < 17; i++) {
        if (!is_digit(s[i]))
            return err_set(e, ERR_INVALID, field, "身份证号含非法字符");
    }
    char last = upper(s[17]);
    if (!is_digit(last) && last != 'X')
        return err_set(e, ERR_INVALID, field, "身份证号含非法字符");
    if (ids_resident_check_char(s) != last)
        return err_set(e, ERR_INVALID, field, "身份证号校验位错误");
    struct cal_date birth = {num(s + 6, 4), num(s + 10, 2), num(s + 12, 2)};
    if (!cal_date_valid(birth) || cal_date_cmp(birth, today) > 0)
        return err_set(e, ERR_INVALID, field, "身份证号出生日期无效");
    if (!ids_province_valid(num(s, 2)))
        return err_set(e, ERR_INVALID, field, "身份证号地区码无效");
    if (out) {
        memcpy(out->id, s, 17);
        out->id[17] = last;
        out->id[18] = '\0';
        memcpy(out->region, s, 6);
        out->region[6] = '\0';
        out->birth = birth;
        out->sex = (s[16] - '0') % 2 ? IDS_MALE : IDS_FEMALE;
    }
    return 0;
}

/* ---- unified social credit code ----------------------------------------- */

/* Value 0..30 of a code character (either case), or -1. */
static int uscc_value(char c)
{
    const char *p = c ? strchr(IDS_USCC_CHARSET, upper(c)) : NULL;
    return p ? (int)(p - IDS_USCC_CHARSET) : -1;
}

char ids_uscc_check_char(const char first17[17])
{
    static const int k_weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20,
                                      29, 25, 13, 8, 24, 10, 30, 28};
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        int v = uscc_value(first17[i]);
        if (v < 0)
            return '\0';
        sum += v * k_weights[i];
    }
    return IDS_USCC_CHARSET[(31 - sum % 31) % 31];
}

int ids_uscc_parse(const char *s, struct ids_uscc *out, const char *field,
                   struct err *e)
{
    if (!s || len_upto(s, 19) != 18)
        return err_set(e, ERR_INVALID, field, "统一社会信用代码应为18位");
    char code[IDS_CODE_SIZE];
    for (int i = 0; i < 18; i++) {
        if (uscc_value(s[i]) < 0)
            return err_set(e, ERR_INVALID, field,
                           "统一社会信用代码含非法字符");
        code[i] = upper(s[i]);
    }
    code[18] = '\0';
    if (ids_uscc_check_char(code) != code[17])
        return err_set(e, ERR_INVALID, field, "统一社会信用代码校验位错误");
    if (!((code[0] >= '1' && code[0] <= '9') || code[0] == 'A' ||
          code[0] == 'N' || code[0] == 'Y'))
        return err_set(e, ERR_INVALID, field,
                       "统一社会信用代码登记管理部门代码无效");
    if (code[1] < '1' || code[1] > '9')
        return err_set(e, ERR_INVALID, field,
                       "统一社会信用代码机构类别代码无效");
    for (int i = 2; i < 8; i++) {
        if (!is_digit(code[i]))
            return err_set(e, ERR_INVALID, field,
                           "统一社会信用代码登记机关区划码无效");
    }
    int prov = num(code + 2, 2);
    if (prov != 10 && !ids_province_valid(prov))
        return err_set(e, ERR_INVALID, field,
                       "统一社会信用代码登记机关区划码无效");
    if (out) {
        memcpy(out->code, code, sizeof code);
        out->authority = code[0];
        out->category = code[1];
        memcpy(out->region, code + 2, 6);
        out->region[6] = '\0';
    }
    return 0;
}

/* ---- division codes ----------------------------------------------------- */

/* Offsets and lengths of the five parts PP CC XX TTT VVV. */
static const int k_part_at[5] = {0, 2, 4, 6, 9};
static const int k_part_len[5] = {2, 2, 2, 3, 3};

static int part_zero(const char *code, int part)
{
    for (int i = 0; i < k_part_len[part]; i++) {
        if (code[k_part_at[part] + i] != '0')
            return 0;
    }
    return 1;
}

/* Level 1..5 of a valid code; 0 when not 12 digits; -1 when the province
 * is unknown; -2 when the parts are not contiguous. */
static int division_level(const char *code)
{
    if (!code || len_upto(code, 13) != 12)
        return 0;
    for (int i = 0; i < 12; i++) {
        if (!is_digit(code[i]))
            return 0;
    }
    if (!ids_province_valid(num(code, 2)))
        return -1;
    int level = 1;
    for (int p = 1; p < 5; p++) {
        if (!part_zero(code, p))
            level = p + 1;
    }
    /* Every part above the last non-zero one must be non-zero, except the
     * county part under a township (cities without counties). */
    for (int p = 1; p < level - 1; p++) {
        if (part_zero(code, p) && !(p == 2 && level >= 4))
            return -2;
    }
    return level;
}

int ids_division_check(const char *code, int *level, const char *field,
                       struct err *e)
{
    int l = division_level(code);
    if (l == 0)
        return err_set(e, ERR_INVALID, field, "区划代码应为12位数字");
    if (l == -1)
        return err_set(e, ERR_INVALID, field, "区划代码省级代码无效");
    if (l == -2)
        return err_set(e, ERR_INVALID, field, "区划代码层级不连续");
    if (level)
        *level = l;
    return 0;
}

int ids_division_level(const char *code)
{
    int l = division_level(code);
    return l > 0 ? l : 0;
}

int ids_division_pad(const char *code, char out[IDS_DIVISION_SIZE],
                     int *level, const char *field, struct err *e)
{
    size_t n = code ? len_upto(code, 13) : 0;
    int ok = n == 2 || n == 4 || n == 6 || n == 9 || n == 12;
    for (size_t i = 0; ok && i < n; i++)
        ok = is_digit(code[i]);
    if (!ok)
        return err_set(e, ERR_INVALID, field,
                       "区划代码应为2、4、6、9或12位数字");
    char buf[IDS_DIVISION_SIZE];
    memcpy(buf, code, n);
    memset(buf + n, '0', 12 - n);
    buf[12] = '\0';
    if (ids_division_check(buf, level, field, e) != 0)
        return -1;
    memcpy(out, buf, sizeof buf);
    return 0;
}

int ids_division_parent(const char *code, char out[IDS_DIVISION_SIZE])
{
    int level = ids_division_level(code);
    out[0] = '\0';
    if (level <= 1)
        return level == 1 ? 0 : -1;
    char buf[IDS_DIVISION_SIZE];
    memcpy(buf, code, sizeof buf);
    int p = level - 1; /* the last non-zero part */
    memset(buf + k_part_at[p], '0', (size_t)k_part_len[p]);
    memcpy(out, buf, sizeof buf);
    return division_level(buf);
}

int ids_division_within(const char *code, const char *ancestor)
{
    static const int k_prefix[6] = {0, 2, 4, 6, 9, 12};
    int la = ids_division_level(ancestor);
    if (la == 0 || ids_division_level(code) == 0)
        return 0;
    return memcmp(code, ancestor, (size_t)k_prefix[la]) == 0;
}

/* ---- masking ------------------------------------------------------------ */

static int all_alnum(const char *s, size_t n)
{
    if (!s || len_upto(s, n + 1) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_alnum(s[i]))
            return 0;
    }
    return 1;
}

/* out = head chars of s, stars '*', the last tail chars of s (len total). */
static void mask_keep(const char *s, size_t len, size_t head, size_t tail,
                      char *out)
{
    for (size_t i = 0; i < len; i++)
        out[i] = (i < head || i >= len - tail) ? upper(s[i]) : '*';
    out[len] = '\0';
}

void ids_mask_resident(const char *id, char out[IDS_CODE_SIZE])
{
    if (all_alnum(id, 18))
        mask_keep(id, 18, 4, 4, out);
    else
        memcpy(out, "******", 7);
}

void ids_mask_uscc(const char *code, char out[IDS_CODE_SIZE])
{
    if (all_alnum(code, 18))
        mask_keep(code, 18, 8, 2, out);
    else
        memcpy(out, "******", 7);
}

void ids_mask_phone(const char *phone, char out[IDS_PHONE_MASK_SIZE])
{
    int ok = phone && len_upto(phone, 12) == 11;
    for (int i = 0; ok && i < 11; i++)
        ok = is_digit(phone[i]);
    if (ok)
        mask_keep(phone, 11, 3, 4, out);
    else
        memcpy(out, "****", 5);
}

/* Bytes of the UTF-8 character whose lead byte is c (input valid). */
static size_t utf8_lead_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

static int mask_name_fail(char *out, size_t out_size)
{
    if (out_size >= 2)
        memcpy(out, "*", 2);
    else if (out_size == 1)
        out[0] = '\0';
    return -1;
}

int ids_mask_name(const char *name, char *out, size_t out_size)
{
    size_t n = name ? strlen(name) : 0;
    if (!name || !utf8_valid(name, n))
        return mask_name_fail(out, out_size);
    size_t n_chars = utf8_chars(name, n);
    /* One character: "*"; otherwise the first character and a '*' for
     * each further one. */
    size_t keep = n_chars > 1 ? utf8_lead_len((unsigned char)name[0]) : 0;
    size_t stars = n_chars > 1 ? n_chars - 1 : n_chars;
    if (keep + stars + 1 > out_size)
        return mask_name_fail(out, out_size);
    memcpy(out, name, keep);
    memset(out + keep, '*', stars);
    out[keep + stars] = '\0';
    return 0;
}
