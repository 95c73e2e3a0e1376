/* ids.h — identifiers bianmin checks on entry and masks for the public:
 * resident identity numbers (GB 11643), unified social credit codes
 * (GB 32100-2015), 12-digit statistical division codes (区划代码, first 6
 * digits GB/T 2260), phone numbers and personal names.
 *
 * Pure functions: no I/O, no allocation, no global state; thread-safe.
 * Validators take the caller's `field` (a JSON pointer such as
 * "/applicant/id_no"; NULL = "") and, on failure, return -1 with
 * ERR_INVALID, that field and a short zh-CN message naming the broken rule
 * (err.h). Outputs go to caller buffers of the sizes given; on failure the
 * output struct is untouched unless said otherwise. */
#ifndef BIANMIN_CORE_IDS_H
#define BIANMIN_CORE_IDS_H

#include <stddef.h>

#include "core/calendar.h"
#include "core/err.h"

#define IDS_CODE_SIZE 19     /* an 18-character id or code plus NUL */
#define IDS_DIVISION_SIZE 13 /* a 12-digit division code plus NUL */
#define IDS_PHONE_MASK_SIZE 12

/* ids_province_valid — 1 when the two-digit number is a province-level code
 * of GB/T 2260: 11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71 (台湾), 81
 * (香港), 82 (澳门); else 0. */
int ids_province_valid(int code);

/* ---- resident identity number, GB 11643 ---------------------------------- */

enum ids_sex {
    IDS_MALE = 1,   /* sequence code (17th digit) odd */
    IDS_FEMALE = 2, /* even */
};

struct ids_resident {
    char id[IDS_CODE_SIZE]; /* normalised: check character 'x' made 'X' */
    char region[7];         /* address code, the first 6 digits */
    struct cal_date birth;  /* digits 7-14 */
    enum ids_sex sex;
};

/* ids_resident_check_char — the ISO 7064 MOD 11-2 check character of 17
 * digits: weights 7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2, Σ mod 11 mapped by
 * "10X98765432". Returns '0'..'9' or 'X', or '\0' when first17 holds a
 * non-digit. Reads exactly 17 bytes. */
char ids_resident_check_char(const char first17[17]);

/* ids_resident_parse — check an 18-character resident identity number and
 * extract its parts into *out (may be NULL: check only). Rules, in this
 * order, each with its own message:
 *   长度: exactly 18 bytes              "身份证号应为18位"
 *   字符: 17 digits, then a digit or X/x  "身份证号含非法字符"
 *   校验位: the 18th is the check char    "身份证号校验位错误"
 *   出生日期: digits 7-14 are a real date from 1900-01-01 to
 *        today_yyyymmdd inclusive         "身份证号出生日期无效"
 *   地区码: digits 1-2 a province code (ids_province_valid)
 *                                         "身份证号地区码无效"
 * s == NULL fails the length rule. today_yyyymmdd (e.g. 20240930, the
 * caller's Shanghai date: core does not read the clock) must be a real date;
 * otherwise -1 with ERR_INTERNAL (a caller bug). */
int ids_resident_parse(const char *s, int today_yyyymmdd,
                       struct ids_resident *out, const char *field,
                       struct err *e);

/* ---- unified social credit code, GB 32100-2015 --------------------------- */

/* The 31 characters of the code, in value order 0..30 (no I O S V Z). */
#define IDS_USCC_CHARSET "0123456789ABCDEFGHJKLMNPQRTUWXY"

struct ids_uscc {
    char code[IDS_CODE_SIZE]; /* normalised to upper case */
    char authority;           /* 1st: 登记管理部门 '1'-'9', 'A', 'N', 'Y' */
    char category;            /* 2nd: 机构类别 '1'-'9' */
    char region[7];           /* 3rd-8th: 登记管理机关行政区划码 */
};

/* ids_uscc_check_char — the check character of the first 17 characters:
 * weights 1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28 on the values in
 * IDS_USCC_CHARSET; check = 31 − (Σ mod 31), 31 → 0. Lower-case letters
 * count as upper case. '\0' when a character is outside the set. Reads
 * exactly 17 bytes. */
char ids_uscc_check_char(const char first17[17]);

/* ids_uscc_parse — check a unified social credit code; *out may be NULL.
 * Lower case is accepted and normalised. Rules, in this order:
 *   长度: exactly 18 bytes                  "统一社会信用代码应为18位"
 *   字符: all in IDS_USCC_CHARSET            "统一社会信用代码含非法字符"
 *   校验位: the 18th is the check char        "统一社会信用代码校验位错误"
 *   登记管理部门: 1st in 1-9, A, N, Y (GB 32100 table 1 and its later
 *        additions)                          "统一社会信用代码登记管理部门代码无效"
 *   机构类别: 2nd a digit 1-9 (the per-authority tables only use these;
 *        not checked per authority, to stay open to new categories)
 *                                            "统一社会信用代码机构类别代码无效"
 *   区划: 3rd-8th digits, the first two a province code or 10 (national
 *        registration)                       "统一社会信用代码登记机关区划码无效"
 * The 9th-17th (主体标识码) are not checked further: not every issuer
 * derives them from a GB 11714 organisation code. */
int ids_uscc_parse(const char *s, struct ids_uscc *out, const char *field,
                   struct err *e);

/* ---- division codes ------------------------------------------------------- */

/* A 12-digit statistical division code splits as PP CC XX TTT VVV:
 * province, city (prefecture), county, township, village. Its level is that
 * of its last non-zero part: 1 province … 5 village.
 * Structure: PP is a province code; a non-zero part needs every part above
 * it non-zero, except that XX may be 00 under a non-zero TTT — cities
 * without counties (东莞 4419, 中山 4420, 儋州 4604, 嘉峪关 6202) hold
 * townships directly: 441900003000 (东城街道) is level 4 and its parent is
 * the city 441900000000. */

/* ids_division_check — check a 12-digit code; *level (may be NULL) gets
 * 1..5. Messages: "区划代码应为12位数字", "区划代码省级代码无效",
 * "区划代码层级不连续". */
int ids_division_check(const char *code, int *level, const char *field,
                       struct err *e);

/* ids_division_level — 1..5 for a valid code, 0 for an invalid one. */
int ids_division_level(const char *code);

/* ids_division_pad — a 2, 4, 6, 9 or 12-digit code padded with zeros to 12
 * digits into out, then checked as ids_division_check (same messages;
 * other lengths: "区划代码应为2、4、6、9或12位数字"). out is written only on
 * success; *level may be NULL. */
int ids_division_pad(const char *code, char out[IDS_DIVISION_SIZE],
                     int *level, const char *field, struct err *e);

/* ids_division_parent — the code one level up, by zeroing the last
 * non-zero part: 340102001001 → 340102001000 → 340102000000 → 340100000000
 * → 340000000000. Returns the parent's level (1..4) and writes out; 0 for a
 * province (out = ""); -1 for an invalid code (out = ""). */
int ids_division_parent(const char *code, char out[IDS_DIVISION_SIZE]);

/* ids_division_within — 1 when `code` is `ancestor` or lies below it (its
 * first 2/4/6/9/12 digits, by the ancestor's level, equal the ancestor's);
 * 0 otherwise, and when either code is invalid. For region scoping of
 * permissions. */
int ids_division_within(const char *code, const char *ancestor);

/* ---- masking for public display ------------------------------------------ */
/* Masks never reveal more than their rule: an input of the wrong shape is
 * shown as a fixed run of '*' that does not leak its length. */

/* ids_mask_resident — first 4 + 10 '*' + last 4 ("3401**********123X", an
 * 'x' shown upper) when id is 18 ASCII letters/digits; else "******". */
void ids_mask_resident(const char *id, char out[IDS_CODE_SIZE]);

/* ids_mask_uscc — first 8 (authority, category, registering region: who
 * registered it, not who it is) + 8 '*' + last 2, keeping the 18-character
 * shape: "91350100********43"; lower case shown upper. Not 18 ASCII
 * letters/digits: "******". */
void ids_mask_uscc(const char *code, char out[IDS_CODE_SIZE]);

/* ids_mask_phone — an 11-digit mobile number as first 3 + "****" + last 4
 * ("138****1234"); anything else as "****". */
void ids_mask_phone(const char *phone, char out[IDS_PHONE_MASK_SIZE]);

/* ids_mask_name — a personal name as its first character followed by one
 * '*' per further character (UTF-8 aware: "张三丰" → "张**"; "·" and spaces
 * are characters too). A one-character name becomes "*" (showing it would
 * show the whole name); "" stays "". The result is never longer than the
 * input, so out_size >= strlen(name) + 1 always suffices.
 * 0 on success; -1 when name is NULL or not valid UTF-8, or out_size is too
 * small: out then holds "*" (or "" when out_size < 2). out_size 0 writes
 * nothing. */
int ids_mask_name(const char *name, char *out, size_t out_size);

#endif
