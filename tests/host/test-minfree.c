#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "host/host.h"
#include "sim/units.h"


/* The sliding scale written out by hand for one size (docs/design.md). */
static double formula_mib(double gib)
{
    double mib = 0, left = gib;
    const double bands[] = {4, 8, 16};
    const double pct[] = {6, 4, 2};
    for (int i = 0; i < 3 && left > 0; i++) {
        double in = left < bands[i] ? left : bands[i];
        mib += in * 1024.0 * pct[i] / 100.0;
        left -= in;
    }
    return mib + (left > 0 ? left * 1024.0 / 100.0 : 0);
}

static void test_minfree_is_901_mib_at_28_gib(void **state)
{
    (void)state;
    /* vSphere documents 901.12 MiB for a 28 GiB host */
    double mib = (double)host_minfree_for(28 * SIM_GIB) / (double)SIM_MIB;
    assert_float_equal(mib, 901.12, 0.01);
}

static void test_minfree_follows_the_sliding_scale_for_many_sizes(void **state)
{
    (void)state;
    const double sizes[] = {2, 4, 8, 12, 16, 28, 64, 96, 128, 256, 1024};
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        double mib = (double)host_minfree_for((uint64_t)(sizes[i] * (double)SIM_GIB)) / (double)SIM_MIB;
        assert_float_equal(mib, formula_mib(sizes[i]), 0.01);
    }
}

static void test_thresholds_are_percentages_of_minfree(void **state)
{
    (void)state;
    HostThresholds t;
    host_thresholds_init(&t, 10000, &host_states_esxi6);
    assert_int_equal(t.start[HOST_STATE_HIGH], 40000);
    assert_int_equal(t.start[HOST_STATE_CLEAR], 10000);
    assert_int_equal(t.start[HOST_STATE_SOFT], 6400);
    assert_int_equal(t.start[HOST_STATE_HARD], 3200);
    assert_int_equal(t.start[HOST_STATE_LOW], 1600);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minfree_is_901_mib_at_28_gib),
        cmocka_unit_test(test_minfree_follows_the_sliding_scale_for_many_sizes),
        cmocka_unit_test(test_thresholds_are_percentages_of_minfree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
