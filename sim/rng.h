/*
 * Seeded random streams. Every VM and every mechanism draws from its own
 * stream, derived from the scenario seed and a stream name, so adding a VM or
 * a mechanism does not change the draws of another.
 */
#pragma once

#include <stdint.h>

typedef struct SimRng {
    uint64_t s[4]; /* xoshiro256** state */
} SimRng;

/* Initialises `rng` from the scenario seed and a stream name ("vm:web-3:touch"). */
void sim_rng_init(SimRng *rng, uint64_t seed, const char *stream);

uint64_t sim_rng_next(SimRng *rng);

/* Uniform double in [0, 1). */
double sim_rng_uniform(SimRng *rng);

/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint64_t sim_rng_below(SimRng *rng, uint64_t n);

/* Binomial(n, p) draw; exact for small n*p, normal approximation for large. */
uint64_t sim_rng_binomial(SimRng *rng, uint64_t n, double p);
