/* sample.c — xoshiro256** seeded by splitmix64, unbiased ranges, and the
 * Fisher–Yates sample. Contract in core/sample.h. No I/O, no allocation,
 * no global state; thread-safe. */
#include "core/sample.h"

#include <stdlib.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t sample_seed_text(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;
         p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

uint64_t sample_seed_mix(uint64_t seed, const char *stream)
{
    uint64_t x = seed ^ sample_seed_text(stream);
    return splitmix64(&x);
}

void sample_rng_init(struct sample_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

uint64_t sample_next(struct sample_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t sample_below(struct sample_rng *r, uint64_t n)
{
    if (n == 0)
        return 0;
    /* Reject the top partial block so every value is equally likely. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = sample_next(r);
    while (x >= limit);
    return x % n;
}

int sample_count(int n, int percent)
{
    if (n <= 0 || percent <= 0)
        return 0;
    if (percent >= 100)
        return n;
    long long k = ((long long)n * percent + 99) / 100;
    return (int)k;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int sample_draw(uint64_t seed, int n, int k, int *work, int *out)
{
    if (n < 0 || k < 0 || k > n)
        return -1;
    struct sample_rng r;
    sample_rng_init(&r, seed);
    for (int i = 0; i < n; i++)
        work[i] = i;
    for (int i = 0; i < k; i++) {
        int j = i + (int)sample_below(&r, (uint64_t)(n - i));
        int t = work[i];
        work[i] = work[j];
        work[j] = t;
        out[i] = work[i];
    }
    if (k > 1)
        qsort(out, (size_t)k, sizeof *out, cmp_int);
    return k;
}
