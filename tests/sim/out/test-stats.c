/* Tests of sim/out/stats.c: the vms.csv columns by index, a VM's final, mean and max. */
#include "fixture.h"

#include <math.h>

#include "sim/out/stats.h"

/* The columns come in SIM_VM_FIELDS order, each at its own double. */
static void test_stats_fields_follow_the_recorders_column_list(void **state)
{
    (void)state;
    assert_int_equal(SIM_STATS_N_FIELDS, sizeof(SimVmSample) / sizeof(double));
    assert_string_equal(sim_stats_field_name(0), "memsz_mb");
    assert_string_equal(sim_stats_field_name(SIM_STATS_N_FIELDS - 1), "perf_index");
    assert_int_equal(sim_stats_field_offset(SIM_STATS_N_FIELDS - 1),
                     offsetof(SimVmSample, perf_index));
    SimVmSample s = {.mctlsz_mb = 3.5};
    for (guint c = 0; c < SIM_STATS_N_FIELDS; c++) {
        bool mctl = g_str_equal(sim_stats_field_name(c), "mctlsz_mb");
        assert_true(sim_stats_field_value(&s, c) == (mctl ? 3.5 : 0.0));
    }
}

static void test_stats_final_and_max_from_rows_mean_from_the_model(void **state)
{
    Fixture *f = *state;
    SimVmStats st;
    sim_stats_vm(f->recorder, f->totals, 0, &st);
    assert_true(st.final.mctlsz_mb == 128.0);
    assert_true(st.max.mctlsz_mb == 256.0);
    /* The model's 129.5, not the rows' plain mean 128. */
    assert_true(st.mean.mctlsz_mb == 129.5);
    assert_true(st.mean.perf_index == 0.88);
    assert_true(st.final.shrdsvd_mb == 8.0);
    sim_stats_vm(f->recorder, f->totals, 1, &st);
    assert_true(st.max.swcur_mb == 16.0);
    assert_true(st.final.perf_index == 0.97);
}

/* Rates, stall and perf index of the t = 0 row cover no time: left out of the max. */
static void test_stats_max_of_interval_columns_leaves_out_the_first_row(void **state)
{
    Fixture *f = *state;
    SimVmStats st;
    sim_stats_vm(f->recorder, f->totals, 0, &st);
    assert_true(st.max.perf_index == 0.9); /* not the 1.0 of t = 0 */
    assert_true(st.max.stall_pct == 20.0);
    /* A level column keeps the first row: memsz is 2048 in every row. */
    assert_true(st.max.memsz_mb == 2048.0);
}

/* A run with one sample has only the first row: it counts then. */
static void test_stats_of_a_single_row_are_that_row(void **state)
{
    Fixture *f = *state;
    g_autoptr(SimRecorder) one = sim_recorder_new(f->scenario, "esxi");
    SimHostSample host = {.time_s = 0};
    SimVmSample vms[2] = {{.perf_index = 0.5, .mctlsz_mb = 7}, {.perf_index = 1}};
    sim_recorder_add(one, &host, vms);
    SimVmStats st;
    sim_stats_vm(one, f->totals, 0, &st);
    assert_true(st.max.perf_index == 0.5);
    assert_true(st.final.mctlsz_mb == 7.0);
}

/* Without rows final and max are nan (summary.json prints null). */
static void test_stats_without_rows_are_nan(void **state)
{
    Fixture *f = *state;
    g_autoptr(SimRecorder) empty = sim_recorder_new(f->scenario, "esxi");
    SimVmStats st;
    sim_stats_vm(empty, f->totals, 1, &st);
    assert_true(isnan(st.final.memsz_mb));
    assert_true(isnan(st.max.perf_index));
    assert_true(st.mean.perf_index == 0.99);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats_fields_follow_the_recorders_column_list),
        FIXTURE_TEST(test_stats_final_and_max_from_rows_mean_from_the_model),
        FIXTURE_TEST(test_stats_max_of_interval_columns_leaves_out_the_first_row),
        FIXTURE_TEST(test_stats_of_a_single_row_are_that_row),
        FIXTURE_TEST(test_stats_without_rows_are_nan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
