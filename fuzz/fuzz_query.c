/* fuzz_query — query strings and text checks: the strict UTF-8 rules the
 * gate applies to the path, every query parameter and every body
 * (utf8_valid, utf8_valid_prefix, utf8_chars, utf8_has_control), checked
 * against an independent decoder written from the Unicode standard's table
 * of well-formed byte sequences (Table 3-7); and http_query_int, the integer
 * reader of every query parameter (level, limit, after, workdays), run on
 * the real code with MHD's value look-up replaced by the fuzzed value.
 * Input: byte 0 picks the parameter's (default, min, max) as the routes use
 * them; the rest is the value. Invariants: no sanitizer report; the two
 * UTF-8 readings agree; http_query_int accepts exactly a decimal number
 * (strtol's leading spaces and sign allowed) inside [min, max], and returns
 * its value. */
#include <ctype.h>
#include <limits.h>
#include <microhttpd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "fuzz_common.h"
#include "fuzz_wire.h"
#include "http/http.h"

/* ---- MHD stand-in: the only MHD call http_query_int makes ---------------- */

static const char *g_value;

const char *MHD_lookup_connection_value(struct MHD_Connection *connection,
                                        enum MHD_ValueKind kind,
                                        const char *key)
{
    (void)connection;
    (void)kind;
    (void)key;
    return g_value;
}

/* ---- reference UTF-8 (Unicode 15, Table 3-7) ------------------------------ */

/* Length of the well-formed sequence at s[i..n), or 0. NUL is refused, as
 * bianmin refuses it. *cp gets the code point. */
static size_t ref_seq(const unsigned char *s, size_t i, size_t n, unsigned *cp)
{
    unsigned c = s[i];
    if (c >= 0x01 && c <= 0x7F) {
        *cp = c;
        return 1;
    }
    unsigned lo = 0x80, hi = 0xBF;
    size_t len;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n - i < len)
        return 0;
    if (s[i + 1] < lo || s[i + 1] > hi)
        return 0;
    for (size_t k = 2; k < len; k++)
        if (s[i + k] < 0x80 || s[i + k] > 0xBF)
            return 0;
    unsigned v = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    for (size_t k = 1; k < len; k++)
        v = (v << 6) | (s[i + k] & 0x3F);
    *cp = v;
    return len;
}

static void utf8_checks(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    size_t i = 0, chars = 0;
    unsigned cp;
    int control = 0;
    while (i < size) {
        size_t len = ref_seq(data, i, size, &cp);
        if (!len)
            break;
        i += len;
        chars++;
    }
    for (size_t k = 0; k < size; k++)
        if ((data[k] < 0x20 && data[k] != '\t' && data[k] != '\n' &&
             data[k] != '\r') ||
            data[k] == 0x7F)
            control = 1;
    int valid = i == size;
    if (utf8_valid(s, size) != valid || utf8_valid_prefix(s, size) != i)
        __builtin_trap();
    if (valid && utf8_chars(s, size) != chars)
        __builtin_trap();
    if (utf8_has_control(s, size) != control)
        __builtin_trap();
    /* The prefix is itself valid, and every shorter cut of valid text at a
     * character boundary too. */
    if (!utf8_valid(s, utf8_valid_prefix(s, size)))
        __builtin_trap();
}

/* ---- http_query_int ------------------------------------------------------- */

/* strtol's grammar without its clamping: spaces, sign, digits, end. 1 and
 * *out when s is such a number that fits in a long; 0 otherwise. */
static int ref_long(const char *s, long *out)
{
    while (isspace((unsigned char)*s))
        s++;
    int neg = 0;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    if (!isdigit((unsigned char)*s))
        return 0;
    unsigned long v = 0, lim = neg ? (unsigned long)LONG_MAX + 1 : LONG_MAX;
    for (; isdigit((unsigned char)*s); s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (lim - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    if (*s)
        return 0;
    *out = neg ? (long)(0 - v) : (long)v;
    return 1;
}

static void query_int(const uint8_t *data, size_t size)
{
    static const struct {
        long def, min, max;
    } k_params[] = {
        {0, 0, 5},           /* regions: level */
        {20, 1, 200},        /* regions: limit */
        {0, 0, LONG_MAX},    /* orgs: after */
        {50, 1, 200},        /* orgs: limit */
        {0, 0, 3650},        /* calendar/due: workdays */
        {0, LONG_MIN, LONG_MAX},
    };
    if (size == 0)
        return;
    size_t which = data[0] % (sizeof k_params / sizeof k_params[0]);
    char *v = fuzz_cstr(data + 1, size - 1);
    g_value = v;
    struct req r;
    memset(&r, 0, sizeof r);
    long got = 12345;
    int rc = http_query_int(&r, "limit", k_params[which].def,
                            k_params[which].min, k_params[which].max, &got);
    to_wire(rc, &r.err);
    long want;
    int ok;
    if (!*v) {
        ok = 1;
        want = k_params[which].def;
    } else {
        ok = ref_long(v, &want) && want >= k_params[which].min &&
             want <= k_params[which].max;
    }
    if ((rc == 0) != ok || (ok && got != want))
        __builtin_trap();
    if (rc != 0 && (r.err.code != ERR_INVALID || strcmp(r.err.field, "limit")))
        __builtin_trap();
    g_value = NULL;
    free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    utf8_checks(data, size);
    query_int(data, size);
    return 0;
}
