/* urlenc.h — hexadecimal digits and application/x-www-form-urlencoded
 * decoding ('+' is a blank, %XX a byte), shared by the API gate's CSRF
 * field (http/routes.c), the page forms (web/web.c) and the JSON escapes
 * of material digests (core/matdigest.c). Pure, thread-safe. */
#ifndef BIANMIN_CORE_URLENC_H
#define BIANMIN_CORE_URLENC_H

#include <stddef.h>

/* urlenc_hex — the value of hexadecimal digit c (either case), or -1. */
int urlenc_hex(char c);

/* urlenc_decode — decode s[0..n) into out, which has room for n + 1 bytes
 * (decoding never lengthens), and NUL-terminate it. Returns the decoded
 * length, or -1 when a %-escape is broken (out is then unspecified). A %00
 * is decoded as a NUL byte: callers that keep C strings compare the
 * length with strlen(out). */
long urlenc_decode(const char *s, size_t n, char *out);

#endif
