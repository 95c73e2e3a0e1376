/* utf8.h — strict UTF-8 checks for outside input (RFC 3629: no overlongs,
 * no surrogates, nothing above U+10FFFF). Pure, thread-safe. */
#ifndef BIANMIN_CORE_UTF8_H
#define BIANMIN_CORE_UTF8_H

#include <stddef.h>

/* utf8_valid — 1 when s[0..n) is valid UTF-8 with no NUL byte, else 0. */
int utf8_valid(const char *s, size_t n);
/* utf8_valid_prefix — the length of the longest prefix of s[0..n) that is
 * valid UTF-8 with no NUL byte (n when utf8_valid(s, n)). Cutting a string
 * there drops a character split by a fixed-size buffer, so that the rest
 * can still go into JSON. */
size_t utf8_valid_prefix(const char *s, size_t n);
/* utf8_chars — number of code points in valid UTF-8 s[0..n). */
size_t utf8_chars(const char *s, size_t n);
/* utf8_has_control — 1 when s holds a C0 control other than \t \n \r, or DEL. */
int utf8_has_control(const char *s, size_t n);

#endif
