/* urlenc.c — see urlenc.h. */
#include "urlenc.h"

int urlenc_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long urlenc_decode(const char *s, size_t n, char *out)
{
    char *o = out;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            *o++ = ' ';
        } else if (s[i] == '%') {
            int hi = i + 2 < n ? urlenc_hex(s[i + 1]) : -1;
            int lo = i + 2 < n ? urlenc_hex(s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return -1;
            *o++ = (char)(hi * 16 + lo);
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return (long)(o - out);
}
