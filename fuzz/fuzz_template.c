/* fuzz_template — the page template renderer (web/tmpl.h) on outside text.
 * The input is split at its first NUL: before it a template (compiled as
 * "t" into a set that also holds the partial "p" and the layout "l", so
 * includes, layouts and self-inclusion are reachable); after it a JSON
 * context (a fixed one with lists, objects and hostile strings when it
 * does not parse). Invariants beyond "no sanitizer report, no leak":
 *   - a compile or render error is filled as err.h promises;
 *   - a render is deterministic, NUL-terminated, its length as reported
 *     and within max_out;
 *   - strict and lenient agree when strict succeeds (no unknown names);
 *     lenient fails only where strict fails too;
 *   - the escapes: html output holds no < > " ' and every & starts an
 *     entity; url output only unreserved bytes and %XX. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "web/tmpl.h"

static const char k_ctx[] =
    "{\"name\":\"<script>alert('x')&amp;\\\"\",\"n\":7,\"r\":-0.5,\"nil\":null,"
    "\"t\":true,\"f\":false,\"s\":\"\",\"e\":[],\"l\":[1,\"二\",{\"k\":\"<\"},"
    "[3]],\"o\":{\"a\":{\"b\":\"c\"},\"x_html\":\"<i>\"},\"x_html\":\"<b>\"}";

static void check_html(const char *in, size_t n)
{
    size_t cap = n * 6 + 1;
    char *out = malloc(cap);
    size_t m = tmpl_escape_html(in, n, out, cap);
    if (m >= cap || strlen(out) != m)
        __builtin_trap();
    for (size_t i = 0; i < m; i++) {
        if (out[i] == '<' || out[i] == '>' || out[i] == '"' || out[i] == '\'')
            __builtin_trap();
        if (out[i] == '&' && strncmp(out + i, "&amp;", 5) &&
            strncmp(out + i, "&lt;", 4) && strncmp(out + i, "&gt;", 4) &&
            strncmp(out + i, "&quot;", 6) && strncmp(out + i, "&#39;", 5))
            __builtin_trap();
    }
    free(out);
    out = malloc(n * 3 + 1);
    m = tmpl_escape_url(in, n, out, n * 3 + 1);
    for (size_t i = 0; i < m; i++) {
        char c = out[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                 c == '~' || c == '%';
        if (!ok)
            __builtin_trap();
        if (c == '%') {
            if (i + 2 >= m + 1 || !strchr("0123456789ABCDEF", out[i + 1]) ||
                !strchr("0123456789ABCDEF", out[i + 2]) || !out[i + 1] ||
                !out[i + 2])
                __builtin_trap();
            i += 2;
        }
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t tlen = nul ? (size_t)(nul - data) : size;
    check_html((const char *)data, tlen);

    json_t *ctx = NULL;
    if (nul) {
        json_error_t je;
        ctx = json_loadb((const char *)nul + 1, size - tlen - 1, 0, &je);
    }
    if (!ctx) {
        json_error_t je;
        ctx = json_loads(k_ctx, 0, &je);
    }

    struct tmpl_set *s = tmpl_set_new();
    struct err e = {0};
    if (tmpl_set_add(s, "p", "[{{#l}}{{.}}{{/l}}]", 18, &e) ||
        tmpl_set_add(s, "l", "<{{$body}}{{> p}}>", 18, &e))
        abort();
    /* An exactly sized copy of the template, so reads past it are seen. */
    char *text = malloc(tlen ? tlen : 1);
    if (tlen)
        memcpy(text, data, tlen);
    int rc = tmpl_set_add(s, "t", text, tlen, &e);
    free(text);
    fuzz_check_err(rc, &e);
    if (rc == 0) {
        struct err ce = {0};
        int crc = tmpl_set_check(s, &ce);
        fuzz_check_err(crc, &ce);
        const size_t max = 1 << 16;
        char *a = NULL, *b = NULL, *c = NULL;
        size_t na = 0, nb = 0, nc = 0;
        int ua = -1, uc = -1;
        struct err ea = {0}, eb = {0}, ec = {0};
        int ra = tmpl_render(s, "t", ctx, 1, max, &a, &na, &ua, &ea);
        int rb = tmpl_render(s, "t", ctx, 1, max, &b, &nb, NULL, &eb);
        int rcl = tmpl_render(s, "t", ctx, 0, max, &c, &nc, &uc, &ec);
        fuzz_check_err(ra, &ea);
        fuzz_check_err(rcl, &ec);
        if (ra != rb || (ra == 0 && (na != nb || memcmp(a, b, na))))
            __builtin_trap();
        if (ra == 0 && (strlen(a) != na || na > max || ua != 0 || rcl != 0 ||
                        nc != na || memcmp(a, c, na) || uc != 0))
            __builtin_trap();
        if (rcl == 0 && (strlen(c) != nc || nc > max))
            __builtin_trap();
        if (ra != 0 && a)
            __builtin_trap();
        if (rcl != 0 && ra == 0)
            __builtin_trap();
        free(a);
        free(b);
        free(c);
    }
    tmpl_set_free(s);
    json_decref(ctx);
    return 0;
}
