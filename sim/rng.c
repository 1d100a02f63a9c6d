/*
 * Seeded random streams: xoshiro256** (Blackman and Vigna, 2018,
 * https://prng.di.unimi.it/xoshiro256starstar.c) seeded through splitmix64
 * from the scenario seed XOR a 64-bit FNV-1a hash of the stream name. Each
 * stream depends only on (seed, name), so adding a VM or a mechanism leaves
 * every other stream's draws unchanged.
 */
#include "sim/rng.h"

#include <math.h>
#include <stddef.h>

/* FNV-1a 64-bit constants (http://www.isthe.com/chongo/tech/comp/fnv/). */
#define FNV64_OFFSET 0xcbf29ce484222325ULL
#define FNV64_PRIME 0x100000001b3ULL

/*
 * Below this mean the binomial is drawn exactly (about mean + 1 geometric
 * skips); above it the normal approximation is accurate to well under 1%
 * and costs a constant two uniforms on average. Assumption: 30 is the usual
 * rule of thumb for the normal approximation.
 */
#define BINOMIAL_EXACT_MEAN 30.0

static uint64_t fnv1a64(const char *s)
{
    uint64_t h = FNV64_OFFSET;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        h ^= *p;
        h *= FNV64_PRIME;
    }
    return h;
}

/* splitmix64 (Vigna), the recommended way to fill xoshiro's state from one word. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void sim_rng_init(SimRng *rng, uint64_t seed, const char *stream)
{
    uint64_t x = seed ^ fnv1a64(stream != NULL ? stream : "");
    for (int i = 0; i < 4; i++) {
        rng->s[i] = splitmix64(&x);
    }
    /* splitmix64 is a bijection of a counter, so four zero words cannot happen
     * in practice; xoshiro would be stuck at zero forever, so guard anyway. */
    if ((rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3]) == 0) {
        rng->s[0] = 1;
    }
}

uint64_t sim_rng_next(SimRng *rng)
{
    uint64_t *s = rng->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double sim_rng_uniform(SimRng *rng)
{
    /* The top 53 bits fill a double's mantissa exactly: multiples of 2^-53 in [0, 1). */
    return (double)(sim_rng_next(rng) >> 11) * 0x1.0p-53;
}

/*
 * Lemire's nearly divisionless method ("Fast Random Integer Generation in an
 * Interval", ACM TOMACS 2019): the high word of x * n is uniform once the
 * few low words below (2^64 mod n) are rejected. Falls back to OpenBSD's
 * arc4random_uniform rejection where there is no 128-bit integer.
 */
uint64_t sim_rng_below(SimRng *rng, uint64_t n)
{
    if (n <= 1) {
        return 0;
    }
#ifdef __SIZEOF_INT128__
    __extension__ typedef unsigned __int128 u128;
    u128 m = (u128)sim_rng_next(rng) * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        const uint64_t threshold = -n % n;
        while (low < threshold) {
            m = (u128)sim_rng_next(rng) * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
#else
    const uint64_t threshold = -n % n;
    for (;;) {
        uint64_t r = sim_rng_next(rng);
        if (r >= threshold) {
            return r % n;
        }
    }
#endif
}

/*
 * Exact binomial for a small mean: the gaps between successes of n Bernoulli
 * trials are geometric, so count how many gaps fit in n trials
 * (Devroye, Non-Uniform Random Variate Generation, 1986, X.4.3). Costs
 * O(n * p) draws, bounded by BINOMIAL_EXACT_MEAN.
 */
static uint64_t binomial_geometric(SimRng *rng, uint64_t n, double p)
{
    const double log_q = log1p(-p);
    const double trials = (double)n;
    double position = 0.0; /* trials used so far */
    uint64_t successes = 0;
    for (;;) {
        /* 1 - uniform lies in (0, 1], so the log is finite. */
        double gap = floor(log(1.0 - sim_rng_uniform(rng)) / log_q);
        position += gap + 1.0;
        if (position > trials) {
            return successes;
        }
        successes++;
    }
}

/* A standard normal by Marsaglia's polar method (only log and sqrt, no trig). */
static double standard_normal(SimRng *rng)
{
    double u, v, s;
    do {
        u = 2.0 * sim_rng_uniform(rng) - 1.0;
        v = 2.0 * sim_rng_uniform(rng) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * log(s) / s);
}

uint64_t sim_rng_binomial(SimRng *rng, uint64_t n, double p)
{
    /* !(p > 0) also catches NaN. */
    if (n == 0 || !(p > 0.0)) {
        return 0;
    }
    if (p >= 1.0) {
        return n;
    }
    /* Draw the rarer outcome so the exact path covers p near 1 as well. */
    if (p > 0.5) {
        return n - sim_rng_binomial(rng, n, 1.0 - p);
    }
    const double mean = (double)n * p;
    if (mean < BINOMIAL_EXACT_MEAN) {
        return binomial_geometric(rng, n, p);
    }
    const double sd = sqrt(mean * (1.0 - p));
    const double x = floor(mean + sd * standard_normal(rng) + 0.5);
    if (x <= 0.0) {
        return 0;
    }
    if (x >= (double)n) {
        return n;
    }
    return (uint64_t)x;
}
