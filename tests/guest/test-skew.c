/*
 * The workload's popularity curve (docs/model.md "Workload: access skew"):
 * hot set, warm set and cold tail, each with a share of the touches; the
 * faults each tier takes follow from the draws; cold pages fault, rarely;
 * squeezing a VM below its working set costs gradually.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "guest/guest-private.h"
#include "support/model.h"

/* 2 GiB of anon: 512 MiB hot, 512 MiB warm, 1 GiB cold, 100000 touches/s;
 * a swap device so fast that faults cost next to nothing, so the touches
 * of a tick are the workload's whole rate. */
static const char *tiered_vm =
    "{\"duration\": \"1h\", \"host\": {\"memory\": \"16GiB\","
    "  \"compression\": {\"enabled\": false}, \"sharing\": {\"enabled\": false},"
    "  \"swap\": {\"latency\": \"1us\", \"bandwidth\": \"100GiB/s\"}},"
    " \"vms\": [{\"name\": \"v\", \"memory\": \"4GiB\","
    "  \"guest\": {\"balloon_driver\": false, \"cache_fill\": \"0MiB/s\"},"
    "  \"workload\": {\"memory\": \"2GiB\", \"active\": \"512MiB\", \"warm\": \"512MiB\","
    "   \"touch_rate\": \"100000/s\"}}]}";

static const HostUse hot_lists[] = {HOST_USE_KERNEL, HOST_USE_ANON_ACTIVE, HOST_USE_CACHE_ACTIVE};

/* Pages of tier t the host holds out of memory. */
static uint64_t out_of(HostPages *pages, GuestTier t)
{
    if (t != GUEST_TIER_HOT) {
        HostUse use = guest_tier_use(t);
        return host_pages_count_res(pages, use, HOST_RES_OUT) +
               host_pages_count_res(pages, use, HOST_RES_NONE);
    }
    uint64_t n = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(hot_lists); i++) {
        n += host_pages_count_res(pages, hot_lists[i], HOST_RES_OUT) +
             host_pages_count_res(pages, hot_lists[i], HOST_RES_NONE);
    }
    return n;
}

typedef struct Draws {
    uint64_t pages[GUEST_TIER_MAX]; /* tier sizes */
    uint64_t out[GUEST_TIER_MAX];   /* non-resident before the tick */
    uint64_t faults[GUEST_TIER_MAX];
} Draws;

/* Grows the workload, has the host swap half of the VM's resident pages,
 * then runs one guest tick of dt and counts each tier's faults. */
static Draws one_tick_after_swap_out(SimTime dt)
{
    TestModel *m = test_model_new(tiered_vm);
    sim_run_until(m->run, 2 * SIM_MIN);
    Host *host = sim_run_host(m->run);
    Guest *g = sim_run_guest(m->run, 0);
    HostPages *pages = guest_pages(g);
    SimTime now = sim_run_now(m->run);
    host_swap_out(host, 0, host_vm_consumed(host_vm(host, 0)) / 2, now);
    g->fault_cost_avg = 0.0; /* the tick's touches are the whole rate */
    Draws d;
    memset(&d, 0, sizeof d);
    for (GuestTier t = 0; t < GUEST_TIER_MAX; t++) {
        d.out[t] = out_of(pages, t);
    }
    guest_tick(g, host, now, dt);
    const HostVm *v = host_vm_const(host, 0);
    for (GuestTier t = 0; t < GUEST_TIER_MAX; t++) {
        d.pages[t] = v->touch[t].pages;
        d.faults[t] = d.out[t] - out_of(pages, t);
    }
    test_model_free(m);
    return d;
}

/* Each non-resident page of tier t faults with p_t = 1 - exp(-K_t / N_t),
 * so K_t = -N_t ln(1 - faults_t / out_t) recovers the touches the tier got
 * from the draws alone; they split 0.979 / 0.02 / 0.001 (the defaults) of
 * the 100000 touches of the second. The binomial spread is about
 * 1/sqrt(faults): some 0.5% hot, 2% warm, 7% cold. */
static void test_touches_split_over_the_tiers_by_their_shares(void **state)
{
    (void)state;
    Draws d = one_tick_after_swap_out(SIM_S);
    static const double share[] = {0.979, 0.02, 0.001};
    static const double tolerance[] = {0.03, 0.08, 0.25};
    for (GuestTier t = 0; t < GUEST_TIER_MAX; t++) {
        assert_true(d.out[t] > 10000);
        double p = (double)d.faults[t] / (double)d.out[t];
        double k = -(double)d.pages[t] * log1p(-p);
        print_message("tier %d: %lu of %lu out faulted, %.0f touches\n", t,
                      (unsigned long)d.faults[t], (unsigned long)d.out[t], k);
        assert_float_equal(k / 100000.0, share[t], tolerance[t] * share[t]);
    }
}

/* Cold pages fault, but rarely: in one second some of the cold tail's
 * non-resident pages come back, each far less likely than a warm one,
 * which is far less likely than a hot one. */
static void test_cold_pages_fault_but_rarely(void **state)
{
    (void)state;
    Draws d = one_tick_after_swap_out(SIM_S);
    double p[GUEST_TIER_MAX];
    for (GuestTier t = 0; t < GUEST_TIER_MAX; t++) {
        p[t] = (double)d.faults[t] / (double)d.out[t];
    }
    assert_true(d.faults[GUEST_TIER_COLD] > 0);
    assert_true(p[GUEST_TIER_COLD] < 0.001);
    assert_true(p[GUEST_TIER_COLD] * 20 < p[GUEST_TIER_WARM]);
    assert_true(p[GUEST_TIER_WARM] * 5 < p[GUEST_TIER_HOT]);
}

/* Runs m to its end and frees it: its one VM's mean performance index. */
static double run_mean_perf(TestModel *m)
{
    test_model_execute(m);
    double perf = test_model_mean_perf(m, 0);
    test_model_free(m);
    return perf;
}

/* Mean performance of the VM of `tiered_vm` on the default disk-like swap
 * device when held at `limit` MiB without a balloon. */
static double perf_at_limit(int limit)
{
    TestModel *m = test_model_newf(
        "{\"duration\": \"20m\", \"sample_interval\": \"60s\", \"seed\": 3,"
        " \"host\": {\"memory\": \"16GiB\", \"compression\": {\"enabled\": false}},"
        " \"vms\": [{\"name\": \"v\", \"memory\": \"4GiB\", \"limit\": \"%dMiB\","
        "  \"guest\": {\"balloon_driver\": false, \"cache_fill\": \"0MiB/s\"},"
        "  \"workload\": {\"memory\": \"2GiB\", \"active\": \"512MiB\", \"warm\": \"512MiB\"}}]}",
        limit);
    return run_mean_perf(m);
}

/* A VM squeezed stepwise below its 2.25 GiB footprint (kernel + 2 GiB of
 * anon) loses performance gradually: first the cold tail goes to swap and
 * costs little, then the warm set, then the hot set. The index never rises
 * as the limit falls (beyond noise) and no 256 MiB step costs more than a
 * third of it: no cliff. */
static void test_squeezing_below_the_working_set_costs_gradually(void **state)
{
    (void)state;
    static const int limits[] = {2560, 2048, 1792, 1536, 1280, 1024, 768};
    double prev = 1.0;
    for (size_t i = 0; i < G_N_ELEMENTS(limits); i++) {
        double perf = perf_at_limit(limits[i]);
        print_message("limit %4d MiB: perf %.3f\n", limits[i], perf);
        assert_true(perf <= prev + 0.01);
        assert_true(prev - perf < 0.34);
        prev = perf;
    }
    assert_true(prev < 0.5); /* squeezed into the hot set, it does suffer */
}

/* Mean performance of a file server (a 1 GiB Linux VM, 64 MiB of anon, a
 * 768 MiB file set read through the page cache) held at `limit` MiB by its
 * balloon, with `cache_hot` of the file set in the hot set. */
static double file_server_at(int limit, double cache_hot)
{
    TestModel *m = test_model_newf(
        "{\"duration\": \"20m\", \"sample_interval\": \"60s\", \"seed\": 3,"
        " \"host\": {\"memory\": \"16GiB\", \"compression\": {\"enabled\": false}},"
        " \"vms\": [{\"name\": \"v\", \"memory\": \"1GiB\", \"limit\": \"%dMiB\","
        "  \"guest\": {\"cache_fill\": \"0MiB/s\"},"
        "  \"workload\": {\"memory\": \"64MiB\", \"active\": \"32MiB\","
        "   \"page_cache\": \"768MiB\", \"touch_rate\": \"2500/s\", \"cache_hot\": %g}}]}",
        limit, cache_hot);
    return run_mean_perf(m);
}

/* The page cache's popularity curve: a file server ballooned stepwise below
 * its file set loses throughput gradually (its warm file pages are dropped
 * first and read back now and then), where the same server with its whole
 * file set in one hot tier falls off a cliff once the file set no longer
 * fits. */
static void test_squeezing_a_file_server_below_its_file_set_costs_gradually(void **state)
{
    (void)state;
    static const int limits[] = {1024, 896, 768, 640, 512, 384};
    double prev = 1.0;
    double prev_flat = 1.0;
    double worst_flat = 0.0;
    for (size_t i = 0; i < G_N_ELEMENTS(limits); i++) {
        double perf = file_server_at(limits[i], 0.25);
        double flat = file_server_at(limits[i], 1.0);
        print_message("limit %4d MiB: perf %.3f (file set all hot: %.3f)\n", limits[i], perf, flat);
        assert_true(perf <= prev + 0.01);
        assert_true(prev - perf < 0.2);
        worst_flat = MAX(worst_flat, prev_flat - flat);
        prev = perf;
        prev_flat = flat;
    }
    assert_true(prev < 0.9);        /* squeezed into its hot set, it does lose */
    assert_true(worst_flat > 0.3); /* one hot tier: a cliff */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_touches_split_over_the_tiers_by_their_shares),
        cmocka_unit_test(test_cold_pages_fault_but_rarely),
        cmocka_unit_test(test_squeezing_below_the_working_set_costs_gradually),
        cmocka_unit_test(test_squeezing_a_file_server_below_its_file_set_costs_gradually),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
