/*
 * VMware vSphere 5 "Swap to host cache" (vSphere 5.0 Storage / Resource
 * Management guides; "What's New in VMware vSphere 5.0 Performance"): when
 * the host must swap, swap files behind an SSD host cache cost the VMs less
 * than swap files on a SAN array, which cost less than swap files on a
 * local SATA disk.
 *
 * The scenario (scenarios/validation/host-cache.json): four 2 GiB Linux VMs
 * without balloon drivers on a 6 GiB host, so the host compresses and
 * swaps. The same run on three device setups; the figures and their
 * sources are in docs/model.md ("Validation device figures").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "support/model.h"
#include "support/testutil.h"

/* Local 7200 rpm SATA disk: the scenario as shipped. */
static const char *const sata[] = {NULL};
/* SAN array of 15k rpm FC disks behind a 4 Gb FC link. */
static const char *const san[] = {"host.swap.latency=5.3ms", "host.swap.bandwidth=380MiB/s", NULL};
/* The same SAN with an 8 GiB SATA SSD host cache in front: room for every
 * page the host swaps in this scenario (about 2 GiB at the peak). */
static const char *const ssd[] = {"host.swap.latency=5.3ms", "host.swap.bandwidth=380MiB/s",
                                  "host.swap.cache.size=8GiB", NULL};

/* Each step of the ordering must be at least this large. */
#define ORDER_MARGIN 0.1

typedef struct Outcome {
    double mean_perf;     /* over VMs, of the mean over the run */
    double swapped_mb;    /* peak host swap, all VMs */
    uint64_t reads;       /* pages read back from host swap, both tiers */
    uint64_t cache_reads; /* of those, served by the host cache */
} Outcome;

static Outcome run_on(const char *const *sets)
{
    TestModel *m = test_model_from_file_with_sets("scenarios/validation/host-cache.json",
                                                  sets[0] != NULL ? sets : NULL);
    test_model_execute(m);
    Outcome o = {.mean_perf = test_model_fleet_mean_perf(m)};
    o.swapped_mb = sim_run_totals(m->run)->reclaimed_swapped_mb;
    o.reads = host_swap_reads(sim_run_host(m->run));
    o.cache_reads = host_swap_cache_reads(sim_run_host(m->run));
    test_model_free(m);
    return o;
}

static void print_outcome(const char *name, const Outcome *o)
{
    print_message("%-5s perf %.4f, peak swapped %.0f MiB, swap-ins %" G_GUINT64_FORMAT
                  " pages, from the host cache %" G_GUINT64_FORMAT "\n",
                  name, o->mean_perf, o->swapped_mb, o->reads, o->cache_reads);
}

static void test_host_cache_beats_san_beats_local_sata(void **state)
{
    (void)state;
    Outcome on_sata = run_on(sata);
    Outcome on_san = run_on(san);
    Outcome on_ssd = run_on(ssd);
    print_outcome("SATA", &on_sata);
    print_outcome("SAN", &on_san);
    print_outcome("SSD", &on_ssd);
    /* the host swapped in every setup, and swapped pages were read back */
    assert_true(on_sata.swapped_mb > 1024.0 && on_san.swapped_mb > 1024.0);
    assert_true(on_ssd.swapped_mb > 1024.0 && on_ssd.swapped_mb < 8192.0);
    assert_true(on_sata.reads > 0 && on_san.reads > 0);
    /* no cache, no cache reads; with a cache large enough, it served all */
    assert_int_equal(on_sata.cache_reads, 0);
    assert_int_equal(on_san.cache_reads, 0);
    assert_true(on_ssd.cache_reads > 0);
    assert_int_equal(on_ssd.cache_reads, on_ssd.reads);
    /* the published ordering */
    assert_true(on_ssd.mean_perf > on_san.mean_perf + ORDER_MARGIN);
    assert_true(on_san.mean_perf > on_sata.mean_perf + ORDER_MARGIN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_cache_beats_san_beats_local_sata),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
