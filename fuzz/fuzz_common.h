/* fuzz_common.h — what the fuzz targets share: a NUL-terminated copy of the
 * input, and a check that every error a parser fills can go on the wire
 * (err.h: code set, field and message NUL-terminated; http_error cuts both
 * to their valid UTF-8 prefix before they go into JSON). Test code only. */
#ifndef BIANMIN_FUZZ_COMMON_H
#define BIANMIN_FUZZ_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

/* fuzz_cstr — malloc'd copy of data[0..n) plus NUL; caller frees. */
static inline char *fuzz_cstr(const uint8_t *data, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        abort();
    if (n)
        memcpy(s, data, n);
    s[n] = '\0';
    return s;
}

/* fuzz_check_err — a failing parser (rc != 0) must have filled e with a
 * code and terminated strings; a succeeding one must return exactly 0. */
static inline void fuzz_check_err(int rc, const struct err *e)
{
    if (rc == 0)
        return;
    if (rc != -1 || e->code == ERR_OK ||
        memchr(e->field, '\0', sizeof e->field) == NULL ||
        memchr(e->msg, '\0', sizeof e->msg) == NULL || e->msg[0] == '\0')
        abort();
}

#endif
