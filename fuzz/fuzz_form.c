/* fuzz_form — the page-form reader of the CSRF gate and the CSRF token
 * itself. http_form_value (http/routes.c) reads the _csrf field of an
 * application/x-www-form-urlencoded body; app_csrf_token / app_csrf_check
 * (app/accounts.h) derive and compare the token. Input: byte 0 picks the
 * output size (1..64), the rest is the body. Invariants: no sanitizer
 * report; a value is found only when its raw text fits in out, and is
 * then NUL-terminated inside out and equals an independent decoding of
 * the first matching pair; a body that is
 * token-shaped gets a 43-character token that checks, and no other value
 * (the body itself, the decoded field) checks unless it is that token. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/accounts.h"
#include "fuzz_common.h"
#include "http/internal.h"

/* Reference decoding with sscanf, written apart from the code under test. */
static int ref_value(const char *body, size_t n, char *out, size_t outn)
{
    size_t i = 0;
    while (i <= n) {
        size_t j = i;
        while (j < n && body[j] != '&')
            j++;
        if (j - i >= 6 && strncmp(body + i, "_csrf=", 6) == 0) {
            /* The raw value must fit (decoding never lengthens it). */
            if (j - (i + 6) + 1 > outn)
                return -1;
            size_t k = 0;
            for (size_t q = i + 6; q < j; q++) {
                unsigned v;
                char two[3] = {0};
                if (body[q] == '%') {
                    if (j - q < 3)
                        return -1;
                    two[0] = body[q + 1];
                    two[1] = body[q + 2];
                    if (!strchr("0123456789abcdefABCDEF", two[0]) ||
                        !strchr("0123456789abcdefABCDEF", two[1]) ||
                        !two[0] || !two[1] || sscanf(two, "%2x", &v) != 1)
                        return -1;
                    out[k++] = (char)v;
                    q += 2;
                } else {
                    out[k++] = body[q] == '+' ? ' ' : body[q];
                }
            }
            out[k] = '\0';
            return 0;
        }
        if (j >= n)
            break;
        i = j + 1;
    }
    return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t outn = (size_t)(data[0] % 64) + 1;
    char *body = fuzz_cstr(data + 1, size - 1);
    size_t n = size - 1;
    char *out = malloc(outn), *ref = malloc(outn);
    if (!out || !ref)
        abort();
    int rc = http_form_value(body, n, "_csrf", out, outn);
    int rr = ref_value(body, n, ref, outn);
    if (rc != rr)
        abort();
    if (rc == 0 && (memchr(out, '\0', outn) == NULL ||
                    memcmp(out, ref, strlen(ref) + 1) != 0))
        abort();

    char tok[ACCT_CSRF_SIZE];
    if (app_csrf_token(body, tok) == 0) {
        if (strlen(tok) != ACCT_CSRF_SIZE - 1 || !app_csrf_check(body, tok))
            abort();
        if (app_csrf_check(body, body) && strcmp(body, tok) != 0)
            abort();
        if (rc == 0 && app_csrf_check(body, out) && strcmp(out, tok) != 0)
            abort();
    } else if (app_csrf_check(body, rc == 0 ? out : body)) {
        abort(); /* no token checks against a non-token */
    }
    free(out);
    free(ref);
    free(body);
    return 0;
}
