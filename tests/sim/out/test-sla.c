/* Tests of sim/out/sla.c: the SLA verdict on the model's totals. */
#include "fixture.h"

#include <math.h>

#include "sim/out/sla.h"

static void test_sla_names_the_worst_vm_and_misses_below_the_threshold(void **state)
{
    Fixture *f = *state;
    f->scenario->has_sla = true;
    f->scenario->sla_perf_index = 0.95;
    SimSlaVerdict v = sim_sla_evaluate(f->scenario, f->totals);
    assert_int_equal(v.worst_vm, 0);
    assert_true(v.worst_perf == 0.88);
    assert_false(v.met);
    /* vm-1's 0.88 meets 0.88: the threshold is inclusive. */
    f->scenario->sla_perf_index = 0.88;
    assert_true(sim_sla_evaluate(f->scenario, f->totals).met);
}

/* The verdict reads the model's mean (0.88), not the rows' (0.9). */
static void test_sla_judges_the_models_mean_not_the_rows(void **state)
{
    Fixture *f = *state;
    f->scenario->has_sla = true;
    f->scenario->sla_perf_index = 0.89;
    assert_false(sim_sla_evaluate(f->scenario, f->totals).met);
}

/* Without an SLA the worst VM is still named and nothing is missed. */
static void test_sla_without_a_threshold_is_met(void **state)
{
    Fixture *f = *state;
    SimSlaVerdict v = sim_sla_evaluate(f->scenario, f->totals);
    assert_true(v.met);
    assert_int_equal(v.worst_vm, 0);
}

static void test_sla_ties_name_the_first_vm_and_nan_misses(void **state)
{
    Fixture *f = *state;
    f->scenario->has_sla = true;
    f->scenario->sla_perf_index = 0.5;
    SimVmTotals vms[2] = {{.mean = {.perf_index = 0.7}}, {.mean = {.perf_index = 0.7}}};
    SimRunTotals t = {.n_vms = 2, .vms = vms};
    SimSlaVerdict v = sim_sla_evaluate(f->scenario, &t);
    assert_int_equal(v.worst_vm, 0);
    assert_true(v.met);
    vms[1].mean.perf_index = NAN; /* a VM whose index cannot be computed does not meet it */
    assert_false(sim_sla_evaluate(f->scenario, &t).met);
}

static void test_sla_without_vms_is_met_with_no_worst_vm(void **state)
{
    Fixture *f = *state;
    f->scenario->has_sla = true;
    f->scenario->sla_perf_index = 0.95;
    SimSlaVerdict v = sim_sla_evaluate(f->scenario, f->totals);
    assert_int_equal(v.worst_vm, -1);
    assert_true(isnan(v.worst_perf));
    assert_true(v.met);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_sla_names_the_worst_vm_and_misses_below_the_threshold),
        FIXTURE_TEST(test_sla_judges_the_models_mean_not_the_rows),
        FIXTURE_TEST(test_sla_without_a_threshold_is_met),
        FIXTURE_TEST(test_sla_ties_name_the_first_vm_and_nan_misses),
        FIXTURE_TEST_NO_VMS(test_sla_without_vms_is_met_with_no_worst_vm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
