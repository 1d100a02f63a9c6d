/*
 * VSwapper (Amit, Tsafrir, Schuster, ASPLOS 2014), KVM, one 7200 rpm disk,
 * KSM off. Published (measured):
 *   kernbench, guest configured 512 MB, given 192 MB: run time +15% with
 *   host swap only, +5% with the balloon (relative to 512 MB);
 *   sysbench sequential read of a 200 MB file, configured 512 MB, given
 *   100 MB: 38.7 s with host swap only, 3.1 s with the balloon (12.5x).
 * Modelled on the kvm-static policy (libvirt on a KVM host, no balloon
 * manager) with sharing and compression off (KSM off), "given" as the VM's
 * limit: with the balloon driver its currentMemory (virsh setmem), without
 * it a cgroup hard limit the host enforces by swapping the VM (kswapd's
 * LRU order). Run time = fixed work / performance index, relative to the
 * same VM without the limit.
 *
 * kernbench's ordering is a MISS on the KVM host: balloon and host swap
 * tie (under esxi, random host victims and a slow vmw_balloon made the
 * ordering pass). Every magnitude is a MISS (docs/validation.md). All are
 * guarded here so a change to them is seen, not claimed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <math.h>

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

static void test_vswapper_kernbench_balloon_against_host_swap(void **state)
{
    (void)state;
    RunTimes r = run_times("scenarios/validation/vswapper-kernbench.json");
    print_message("kernbench at 192 of 512 MB: run time x%.2f balloon (published x1.05), "
                  "x%.2f host swap (published x1.15); balloon / host swap %.3f\n",
                  r.balloon, r.host_swap, r.balloon / r.host_swap);
    /* the ordering, a miss, guarded as a tie (x5.41 against x5.32; seeds 2
     * and 3: x5.61 and x5.44, x5.34 and x5.35): the Linux host swaps the
     * guest's coldest pages, the ones its own reclaim would drop, and each
     * fault is one 12.4 ms read either way */
    assert_true(fabs(r.balloon / r.host_swap - 1.0) < 0.05);
    /* the magnitudes, a miss, guarded: the compile kind's warm set does
     * not fit 192 MB */
    assert_true(r.balloon > 4.0 && r.host_swap > 4.0);
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
     * (6.36; seeds 2 and 3: 5.51, 6.08; under esxi 3.29, whose slow
     * vmw_balloon let the limit swap the ballooned guest at boot) */
    assert_true(ratio > 5.0 && ratio < 7.5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vswapper_kernbench_balloon_against_host_swap),
        cmocka_unit_test(test_vswapper_sysbench_host_swap_against_balloon),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
