/* fuzz_ids — identifier checks and masks on outside text (core/ids.h):
 * resident identity numbers, unified social credit codes, division codes
 * (check, level, pad, parent, within) and the masks shown to the public.
 * The input is split at its first NUL into two strings (the second is the
 * ancestor of ids_division_within and the name of ids_mask_name); each
 * function sees exactly its argument, in an exactly sized buffer.
 * Invariants: no sanitizer report, errors filled, and what the header
 * promises:
 *   - a resident id that parses is 18 bytes and masks to 18 bytes;
 *     its check char is ids_resident_check_char of the first 17;
 *   - a USCC that parses is normalised upper case, with its check char;
 *   - ids_division_level agrees with ids_division_check; a valid code's
 *     parent has a lower level (level - 1 but for a township of a city
 *     without counties) and the code lies within its parent;
 *   - pad of a 12-digit code is the code itself;
 *   - masks are NUL-terminated within their buffers, a name's mask is
 *     never longer than the name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/utf8.h"
#include "fuzz_common.h"

static void resident(const char *s)
{
    struct ids_resident r;
    struct err e = {0};
    int rc = ids_resident_parse(s, 20261122, &r, "/id_no", &e);
    fuzz_check_err(rc, &e);
    if (rc == 0) {
        if (strlen(r.id) != 18 || ids_resident_check_char(r.id) != r.id[17] ||
            !cal_date_valid(r.birth) || (r.sex != IDS_MALE && r.sex != IDS_FEMALE))
            __builtin_trap();
        char m[IDS_CODE_SIZE];
        ids_mask_resident(r.id, m);
        if (strlen(m) != 18)
            __builtin_trap();
    }
    if (strlen(s) >= 17)
        (void)ids_resident_check_char(s);
}

static void uscc(const char *s)
{
    struct ids_uscc u;
    struct err e = {0};
    int rc = ids_uscc_parse(s, &u, "/credit_code", &e);
    fuzz_check_err(rc, &e);
    if (rc == 0) {
        if (strlen(u.code) != 18 || ids_uscc_check_char(u.code) != u.code[17] ||
            strspn(u.code, IDS_USCC_CHARSET) != 18)
            __builtin_trap();
    }
    if (strlen(s) >= 17)
        (void)ids_uscc_check_char(s);
}

static void division(const char *s, const char *other)
{
    int level = -1;
    struct err e = {0};
    int rc = ids_division_check(s, &level, "/region", &e);
    fuzz_check_err(rc, &e);
    int lv = ids_division_level(s);
    if ((rc == 0) != (lv != 0) || (rc == 0 && (level != lv || lv < 1 || lv > 5)))
        __builtin_trap();
    char parent[IDS_DIVISION_SIZE];
    int pl = ids_division_parent(s, parent);
    if (rc == 0) {
        /* One level up, or more for a township of a city without
         * counties (441900003000 → 441900000000). */
        if ((lv == 1 ? pl != 0 : pl < 1 || pl >= lv) ||
            memchr(parent, 0, sizeof parent) == NULL)
            __builtin_trap();
        if (pl > 0 && (ids_division_level(parent) != pl ||
                       !ids_division_within(s, parent)))
            __builtin_trap();
        if (!ids_division_within(s, s))
            __builtin_trap();
    } else if (pl != -1 || parent[0] != '\0') {
        __builtin_trap();
    }
    char padded[IDS_DIVISION_SIZE];
    int plevel = -1;
    struct err e2 = {0};
    int prc = ids_division_pad(s, padded, &plevel, "/region", &e2);
    fuzz_check_err(prc, &e2);
    if (prc == 0 && (strlen(padded) != 12 || ids_division_level(padded) != plevel))
        __builtin_trap();
    if (rc == 0 && (prc != 0 || strcmp(padded, s) != 0))
        __builtin_trap();
    (void)ids_division_within(s, other);
    (void)ids_division_within(other, s);
}

static void masks(const char *s, const char *name)
{
    char m[IDS_CODE_SIZE], p[IDS_PHONE_MASK_SIZE];
    ids_mask_resident(s, m);
    if (!memchr(m, 0, sizeof m))
        __builtin_trap();
    ids_mask_uscc(s, m);
    if (!memchr(m, 0, sizeof m))
        __builtin_trap();
    ids_mask_phone(s, p);
    if (!memchr(p, 0, sizeof p))
        __builtin_trap();
    size_t n = strlen(name);
    char *out = malloc(n + 1);
    if (!out)
        abort();
    int rc = ids_mask_name(name, out, n + 1);
    if (rc == 0 && (strlen(out) > n || !utf8_valid(out, strlen(out))))
        __builtin_trap();
    if (rc != 0 && utf8_valid(name, n))
        __builtin_trap(); /* out_size n + 1 always suffices */
    /* Small output buffers: never written past. */
    for (size_t k = 0; k < 4 && k <= n; k++)
        (void)ids_mask_name(name, out, k);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t n1 = nul ? (size_t)(nul - data) : size;
    char *a = fuzz_cstr(data, n1);
    char *b = nul ? fuzz_cstr(nul + 1, size - n1 - 1) : fuzz_cstr(data, 0);
    resident(a);
    uscc(a);
    division(a, b);
    masks(a, nul ? b : a);
    (void)ids_province_valid(size ? data[0] : 0);
    free(a);
    free(b);
    return 0;
}
