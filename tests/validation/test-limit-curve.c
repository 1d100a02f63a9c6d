/*
 * VMware, "Understanding Memory Resource Management in VMware vSphere 5.0"
 * (2011; the same kernel-compile experiment is in the ESX 4 and 4.1
 * editions): a VM whose workload uses little memory has its memory limit
 * lowered step by step. Reclaimed by ballooning, the throughput stays
 * nearly flat; reclaimed by host swapping alone, it falls steadily, because
 * the host picks random pages, hot ones among them, while the guest gives
 * up free and cold memory first.
 *
 * The scenario (scenarios/validation/limit-curve.json): a 4 GiB Linux VM
 * with a 1152 MiB hot set (kernel 256 + active anon 512 + page cache 384)
 * and 1280 MiB of data in all, alone on an idle host, compression off (host
 * swapping alone). Each limit is run once with the balloon driver and once
 * without.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "support/model.h"
#include "support/testutil.h"

/* From configured memory down to 1.2 x the hot set; the lowest stays
 * above 35% of configured, so the balloon's default cap (Mem.CtlMaxPercent
 * 65%) never forces host swapping. */
static const int limits_mb[] = {4096, 3072, 2560, 2048, 1792, 1536};
#define N_LIMITS G_N_ELEMENTS(limits_mb)

/* The published claim, as bounds: with drivers the mean performance index
 * stays at or above this at every limit above the working set. */
#define FLAT_BOUND 0.95
/* Without drivers, the lowest limit ends at least this far below the
 * balloon case. */
#define END_GAP 0.3

typedef struct Point {
    double perf;       /* mean performance index over the run */
    double swapped_mb; /* host swap at the end */
    double mctl_mb;    /* balloon at the end */
} Point;

static Point run_point(int limit_mb, bool driver)
{
    char *limit = g_strdup_printf("templates.vm.limit=%dMiB", limit_mb);
    const char *sets[] = {limit,
                          driver ? "templates.vm.guest.balloon_driver=true"
                                 : "templates.vm.guest.balloon_driver=false",
                          NULL};
    TestModel *m = test_model_from_file_with_sets("scenarios/validation/limit-curve.json", sets);
    test_model_execute(m);
    Point p = {
        .perf = test_model_mean_perf(m, 0),
        .swapped_mb = test_model_last_vm(m, 0)->swcur_mb,
        .mctl_mb = test_model_last_vm(m, 0)->mctlsz_mb,
    };
    test_model_free(m);
    g_free(limit);
    return p;
}

static void test_balloon_stays_flat_while_host_swapping_falls_with_the_limit(void **state)
{
    (void)state;
    Point with[N_LIMITS], without[N_LIMITS];
    print_message("limit MiB | drivers: perf  balloon MiB  swap MiB | none: perf  swap MiB\n");
    for (guint i = 0; i < N_LIMITS; i++) {
        with[i] = run_point(limits_mb[i], true);
        without[i] = run_point(limits_mb[i], false);
        print_message("%9d | %13.4f %12.0f %9.0f | %10.4f %9.0f\n", limits_mb[i], with[i].perf,
                      with[i].mctl_mb, with[i].swapped_mb, without[i].perf, without[i].swapped_mb);
    }
    for (guint i = 0; i < N_LIMITS; i++) {
        assert_true(with[i].perf >= FLAT_BOUND);
        assert_float_equal(without[i].mctl_mb, 0.0, 0.0);
    }
    for (guint i = 1; i < N_LIMITS; i++) {
        /* the balloon did the reclaiming: it holds configured - limit */
        assert_float_equal(with[i].mctl_mb, 4096.0 - limits_mb[i], 1.0);
        /* without drivers the host swapped and the index fell at each step */
        assert_true(without[i].swapped_mb > 0.5 * (4096.0 - limits_mb[i]));
        assert_true(without[i].perf < without[i - 1].perf);
    }
    assert_true(without[N_LIMITS - 1].perf < with[N_LIMITS - 1].perf - END_GAP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_balloon_stays_flat_while_host_swapping_falls_with_the_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
