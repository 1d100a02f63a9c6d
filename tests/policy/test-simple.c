/*
 * The study policies (policy/balloon_only.c, swap_only.c, no_sharing.c):
 * ESXi 6.0+ with one reclaimer taken away, each run on the same
 * overcommitted fleet as esxi and checked against what it takes away.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "support/model.h"

/* Four 6 GiB Linux VMs with balloon drivers growing to 5 GiB of anon on a
 * 16 GiB host, with shareable contents: every reclaimer has work. */
static TestModel *fleet_under(const char *policy)
{
    return test_model_newf(
        "{\"duration\": \"20m\", \"host\": {\"memory\": \"16GiB\", \"policy\": \"%s\","
        "  \"sharing\": {\"enabled\": true}},"
        " \"vms\": [{\"name\": \"v\", \"count\": 4, \"memory\": \"6GiB\","
        "  \"guest\": {\"cache_fill\": \"0MiB/s\"},"
        "  \"workload\": {\"memory\": \"5GiB\", \"active\": \"1GiB\"}}]}",
        policy);
}

typedef struct Peaks {
    double balloon, shared, out; /* MiB, peaks over the run */
    double perf;                 /* fleet mean performance index */
} Peaks;

static Peaks peaks_under(const char *policy)
{
    TestModel *m = fleet_under(policy);
    test_model_execute(m);
    const SimRunTotals *t = sim_run_totals(m->run);
    Peaks p = {t->reclaimed_balloon_mb, t->reclaimed_shared_mb,
               t->reclaimed_compressed_mb + t->reclaimed_swapped_mb, test_model_fleet_mean_perf(m)};
    print_message("%-13s balloon %6.0f shared %5.0f out %6.0f MiB perf %.3f\n", policy, p.balloon,
                  p.shared, p.out, p.perf);
    test_model_free(m);
    return p;
}

static void test_balloon_only_reclaims_by_balloon_alone(void **state)
{
    (void)state;
    Peaks esxi = peaks_under("esxi");
    Peaks only = peaks_under("balloon-only");
    assert_true(esxi.out > 0.0); /* esxi needs its host swap here */
    assert_true(only.out == 0.0);
    assert_true(only.balloon > esxi.balloon); /* the balloon takes up what swap did */
}

static void test_swap_only_never_balloons_and_costs_more(void **state)
{
    (void)state;
    Peaks esxi = peaks_under("esxi");
    Peaks only = peaks_under("swap-only");
    assert_true(esxi.balloon > 0.0);
    assert_true(only.balloon == 0.0);
    assert_true(only.out > esxi.out);
    /* the guest picks its coldest pages for the balloon, the host swaps at
     * random: without the balloon the fleet stalls more */
    assert_true(only.perf < esxi.perf);
}

static void test_no_sharing_shares_nothing_even_when_the_scenario_asks(void **state)
{
    (void)state;
    Peaks esxi = peaks_under("esxi");
    Peaks none = peaks_under("no-sharing");
    assert_true(esxi.shared > 0.0);
    assert_true(none.shared == 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_balloon_only_reclaims_by_balloon_alone),
        cmocka_unit_test(test_swap_only_never_balloons_and_costs_more),
        cmocka_unit_test(test_no_sharing_shares_nothing_even_when_the_scenario_asks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
