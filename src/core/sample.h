/* sample.h — reproducible random samples for the post-check of
 * notification-commitment cases (告知承诺事后核查): the same seed and the same
 * population give the same sample on every machine, compiler and database.
 *
 * The generator is xoshiro256** (Blackman & Vigna) seeded through
 * splitmix64; numbers in a range are drawn without modulo bias (rejection).
 * Text seeds ("2026-Q1 民政") become numbers by FNV-1a 64 over their bytes.
 * A sample of k out of n is the first k places of a Fisher–Yates shuffle
 * of 0..n-1, returned ascending.
 *
 * Pure: no I/O, no allocation, no global state; thread-safe. */
#ifndef BIANMIN_CORE_SAMPLE_H
#define BIANMIN_CORE_SAMPLE_H

#include <stdint.h>

struct sample_rng {
    uint64_t s[4];
};

/* sample_seed_text — FNV-1a 64 of the bytes of s (NULL = ""). */
uint64_t sample_seed_text(const char *s);

/* sample_seed_mix — a seed for one stream of a draw: splitmix64 of
 * seed ^ FNV-1a 64 of `stream` (each proof gets its own stream, so adding
 * a proof to a draw does not change the others' samples). */
uint64_t sample_seed_mix(uint64_t seed, const char *stream);

/* sample_rng_init — the state from seed (splitmix64, four outputs). */
void sample_rng_init(struct sample_rng *r, uint64_t seed);

/* sample_next — the next 64 bits. */
uint64_t sample_next(struct sample_rng *r);

/* sample_below — uniform in [0, n); 0 when n is 0. */
uint64_t sample_below(struct sample_rng *r, uint64_t n);

/* sample_count — how many of a population of n a check of `percent`
 * (0–100) takes: ceil(n * percent / 100); 0 when n or percent is 0. */
int sample_count(int n, int percent);

/* sample_draw — k distinct places of 0..n-1 (0 <= k <= n), ascending, into
 * out[k]; work[n] is scratch. Returns k, or -1 for a bad k or n. */
int sample_draw(uint64_t seed, int n, int k, int *work, int *out);

#endif
