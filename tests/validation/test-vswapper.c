/*
 * VSwapper (Amit, Tsafrir, Schuster, ASPLOS 2014), KVM, one 7200 rpm disk,
 * KSM off. Published (measured):
 *   kernbench, guest configured 512 MB, given 192 MB: run time +15% with
 *   host swap only, +5% with the balloon (relative to 512 MB);
 *   sysbench sequential read of a 200 MB file, configured 512 MB, given
 *   100 MB: 38.7 s with host swap only, 3.1 s with the balloon (12.5x).
 * Modelled on the esxi policy with sharing and compression off (KSM off),
 * the balloon uncapped (KVM's virtio balloon has no Mem.CtlMaxPercent),
 * "given" as a limit, the balloon driver on or off. Run time = fixed work /
 * performance index, relative to the same VM without the limit.
 *
 * The ordering (the balloon costs less than host swapping) holds; the
 * magnitudes are MISSES (docs/validation.md), guarded here so a change to
 * them is seen, not claimed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "support/model.h"
#include "support/testutil.h"

/* Performance index of the scenario's VM with one --set (NULL: as shipped). */
static double perf_with(const char *file, const char *set)
{
    TestModel *m = set != NULL ? test_model_from_file_with(file, set) : test_model_from_file(file);
    test_model_execute(m);
    double perf = test_model_mean_perf(m, 0);
    test_model_free(m);
    return perf;
}

typedef struct RunTimes {
    double balloon, host_swap; /* run time relative to the VM without its limit */
} RunTimes;

static RunTimes run_times(const char *file)
{
    double full = perf_with(file, "vms.0.limit=unlimited");
    RunTimes r = {
        .balloon = full / perf_with(file, NULL),
        .host_swap = full / perf_with(file, "vms.0.guest.balloon_driver=false"),
    };
    return r;
}

static void test_vswapper_kernbench_balloon_costs_less_than_host_swap(void **state)
{
    (void)state;
    RunTimes r = run_times("scenarios/validation/vswapper-kernbench.json");
    print_message("kernbench at 192 of 512 MB: run time x%.2f balloon (published x1.05), "
                  "x%.2f host swap (published x1.15)\n",
                  r.balloon, r.host_swap);
    assert_true(r.balloon < r.host_swap); /* the ordering: pass */
    /* the miss, guarded: the compile kind's hot set does not fit 192 MB */
    assert_true(r.balloon > 5.0 && r.host_swap > 5.0);
}

static void test_vswapper_sysbench_host_swap_against_balloon(void **state)
{
    (void)state;
    RunTimes r = run_times("scenarios/validation/vswapper-sysbench.json");
    double ratio = r.host_swap / r.balloon;
    print_message("sysbench 200 MB read at 100 of 512 MB: run time x%.2f balloon, x%.2f host "
                  "swap; host swap / balloon %.2f (published 38.7 / 3.1 = 12.5)\n",
                  r.balloon, r.host_swap, ratio);
    /* the miss, guarded: the guest rereads its file with readahead (one
     * 12.4 ms latency per 128 KiB), host swap-ins pay it per 4 KiB page,
     * but the balloon's guest still stalls on its small share of memory
     * (3.29; 1.04 before sequential reads) */
    assert_true(ratio > 2.5 && ratio < 5.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vswapper_kernbench_balloon_costs_less_than_host_swap),
        cmocka_unit_test(test_vswapper_sysbench_host_swap_against_balloon),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
