/*
 * Published numbers the model must reproduce (docs/validation.md has the
 * table with sources). Each test names its source.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "support/model.h"
#include "support/testutil.h"
#include "sim/units.h"


/* vSphere Resource Management ("Free memory states"): minFree for
 * MemMinFreePct = 0 is 6% of the first 4 GiB, 4% of the next 8, 2% of the
 * next 16 and 1% of the rest; thresholds 400/100/64/32/16% of it. The
 * expected MiB values below are the rule worked out by hand. */
static void test_published_minfree_and_thresholds_for_ten_host_sizes(void **state)
{
    (void)state;
    const struct {
        uint64_t gib;
        double min_free_mib;
    } rows[] = {
        {4, 245.76},    {8, 409.6},     {12, 573.44},   {16, 655.36},   {28, 901.12},
        {64, 1269.76},  {96, 1597.44},  {128, 1925.12}, {256, 3235.84}, {1024, 11100.16},
    };
    const double pct[] = {400, 100, 64, 32, 16};
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        uint64_t bytes = host_minfree_for(rows[i].gib * SIM_GIB);
        assert_float_equal((double)bytes / 1048576.0, rows[i].min_free_mib, 0.005);
        HostThresholds t;
        host_thresholds_init(&t, bytes / 4096, &host_states_esxi6);
        for (int s = 0; s < HOST_STATE_MAX; s++) {
            double expected_pages = (double)(bytes / 4096) * pct[s] / 100.0;
            assert_float_equal((double)t.start[s], expected_pages, 0.5);
        }
    }
}

static const SimVmSample *run_limit(const char *set, TestModel **out)
{
    TestModel *m = test_model_from_file_with("scenarios/limit.json", set);
    test_model_execute(m);
    *out = m;
    return test_model_last_vm(m, 0);
}

/* The administrator's case (VMware KB "VM with a memory limit is
 * ballooning"): a 32 GiB VM limited to 12 GiB balloons 20 GiB. */
static void test_published_limit_balloons_configured_minus_limit(void **state)
{
    (void)state;
    TestModel *m = NULL;
    const SimVmSample *s = run_limit(NULL, &m);
    assert_float_equal(s->mctlsz_mb, 20480.0, 512.0);
    assert_true(s->swcur_mb + s->zip_mb < 1024.0);
    test_model_free(m);
}

/* The same with Mem.CtlMaxPercent 50: the balloon stops at 16 GiB and the
 * rest above the limit is compressed or swapped. */
static void test_published_ctl_max_percent_50_caps_the_balloon_at_16_gib(void **state)
{
    (void)state;
    TestModel *m = NULL;
    const SimVmSample *s = run_limit("host.ctl_max_pct=50", &m);
    assert_float_equal(s->mctlsz_mb, 16384.0, 1.0);
    assert_true(s->consumed_mb <= 12288.0 + 0.5);
    assert_true(s->zip_mb + s->swcur_mb > 2048.0);
    test_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_minfree_and_thresholds_for_ten_host_sizes),
        cmocka_unit_test(test_published_limit_balloons_configured_minus_limit),
        cmocka_unit_test(test_published_ctl_max_percent_50_caps_the_balloon_at_16_gib),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
