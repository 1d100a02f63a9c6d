/*
 * The machine's floor for the simulator's random accesses: the time of one
 * read of a random cache line as the array read grows from 4 MiB to
 * MAX_MIB (default 4096), in memory mapped as the page state is
 * (sim_big_alloc0: 2 MiB pages). Three figures a size: one read after
 * the other, each address known only once the last read has come (a chain:
 * the latency), and 8 and CHAINS such chains at once (reads the core
 * overlaps: what prefetching can reach at best). docs/benchmarks.md quotes
 * them.
 * Usage: reclaimsim-memlat [MAX_MIB]
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sim/bigalloc.h"
#include "sim/rng.h"

#define LINE_BYTES 64u
#define LINE_WORDS (LINE_BYTES / sizeof(uint64_t))
#define CHAINS 32u
/* reads a measurement: long enough that the set-up of the chains is
 * negligible, short enough for a sweep in under a minute at 500 ns */
#define READS (1u << 22)

/* Links the lines of `mem` into one random cycle (Sattolo's algorithm): the
 * first word of each line holds the number of the next. */
static void link_cycle(uint64_t *mem, uint64_t n_lines, SimRng *rng)
{
    uint32_t *order = g_new(uint32_t, n_lines);
    for (uint64_t i = 0; i < n_lines; i++) {
        order[i] = (uint32_t)i;
    }
    for (uint64_t i = n_lines - 1; i > 0; i--) {
        uint64_t j = sim_rng_below(rng, i);
        uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (uint64_t i = 0; i < n_lines; i++) {
        mem[(uint64_t)order[i] * LINE_WORDS] = order[(i + 1) % n_lines];
    }
    g_free(order);
}

/* ns a read, following `chains` chains that start spread over the cycle. */
static double chase(const uint64_t *mem, uint64_t n_lines, unsigned chains)
{
    uint64_t at[CHAINS];
    for (unsigned c = 0; c < chains; c++) {
        at[c] = (uint64_t)c * (n_lines / chains);
    }
    gint64 start = g_get_monotonic_time();
    for (uint32_t r = 0; r < READS / chains; r++) {
        for (unsigned c = 0; c < chains; c++) {
            at[c] = mem[at[c] * LINE_WORDS];
        }
    }
    double ns = (double)(g_get_monotonic_time() - start) * 1e3 / (double)READS;
    uint64_t sum = 0;
    for (unsigned c = 0; c < chains; c++) {
        sum += at[c];
    }
    /* the result is used, so the reads are not optimised away */
    return sum == UINT64_MAX ? -1.0 : ns;
}

/* The largest array measured: half the machine's memory (the rest for the
 * order of the lines and everything else), and line numbers in 32 bits. */
static uint64_t largest_mib(void)
{
    long pages = sysconf(_SC_PHYS_PAGES);
    long page = sysconf(_SC_PAGESIZE);
    uint64_t half = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page / 2 >> 20 : 4096;
    return MIN(half, ((uint64_t)UINT32_MAX * LINE_BYTES) >> 20);
}

int main(int argc, char **argv)
{
    char *end = NULL;
    uint64_t max_mib = argc > 1 ? g_ascii_strtoull(argv[1], &end, 10) : 4096;
    uint64_t largest = largest_mib();
    if (argc > 2 || (argc > 1 && (*end != '\0' || max_mib < 4 || max_mib > largest))) {
        fprintf(stderr,
                "usage: %s [MAX_MIB: 4 .. %" G_GUINT64_FORMAT ", half this machine's memory]\n",
                argv[0], largest);
        return 2;
    }
    SimRng rng;
    sim_rng_init(&rng, 1, "memlat");
    printf("%10s %14s %14s %14s\n", "array", "1 chain ns", "8 chains ns", "32 chains ns");
    for (uint64_t mib = 4; mib <= max_mib; mib *= 2) {
        size_t bytes = (size_t)mib << 20;
        uint64_t n_lines = bytes / LINE_BYTES;
        uint64_t *mem = sim_big_alloc0(bytes);
        link_cycle(mem, n_lines, &rng);
        chase(mem, n_lines, 1); /* warm: every page mapped, the TLB as it will be */
        double one = chase(mem, n_lines, 1);
        double eight = chase(mem, n_lines, 8);
        double many = chase(mem, n_lines, CHAINS);
        printf("%6" G_GUINT64_FORMAT " MiB %14.1f %14.1f %14.1f\n", mib, one, eight, many);
        fflush(stdout);
        sim_big_free(mem, bytes);
    }
    return 0;
}
