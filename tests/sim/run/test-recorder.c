/* Tests of sim/run/recorder.c: it records the samples and gives them back,
 * nothing else (the writers are tested in tests/sim/out/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <glib.h>

#include "sim/run/recorder.h"

/* A scenario with VMs vm-1 .. vm-N: the recorder reads only the VMs. */
static int setup_vms(void **state, guint n_vms)
{
    SimScenario *sc = g_new0(SimScenario, 1);
    sc->vms = g_array_new(FALSE, TRUE, sizeof(SimVmConfig));
    for (guint i = 0; i < n_vms; i++) {
        SimVmConfig vm = {.name = g_strdup_printf("vm-%u", i + 1)};
        g_array_append_val(sc->vms, vm);
    }
    *state = sc;
    return 0;
}

static int setup_two_vms(void **state)
{
    return setup_vms(state, 2);
}

static int setup_no_vms(void **state)
{
    return setup_vms(state, 0);
}

/* Frees only what setup_vms allocated (sim_scenario_free is the loader's). */
static int teardown(void **state)
{
    SimScenario *sc = *state;
    for (guint i = 0; i < sc->vms->len; i++) {
        g_free(g_array_index(sc->vms, SimVmConfig, i).name);
    }
    g_array_unref(sc->vms);
    g_free(sc);
    return 0;
}

/* Three samples at 0, 20 and 40.5 s in states high, clear, soft; vm-1's
 * balloon 0, 256, 128 MiB, vm-2's swap 0, 8, 16 MiB. */
static void add_samples(SimRecorder *r)
{
    const double times[] = {0.0, 20.0, 40.5}, mctl1[] = {0.0, 256.0, 128.0};
    for (guint i = 0; i < G_N_ELEMENTS(times); i++) {
        SimHostSample host = {.time_s = times[i], .state = (HostState)i};
        SimVmSample vms[2] = {{.mctlsz_mb = mctl1[i]}, {.swcur_mb = 8.0 * i}};
        sim_recorder_add(r, &host, vms);
    }
}

static void test_recorder_gives_back_its_samples(void **state)
{
    g_autoptr(SimRecorder) r = sim_recorder_new(*state, "esxi");
    assert_int_equal(sim_recorder_n_samples(r), 0);
    add_samples(r);
    assert_int_equal(sim_recorder_n_samples(r), 3);
    assert_true(sim_recorder_host_sample(r, 2)->time_s == 40.5);
    assert_int_equal(sim_recorder_host_sample(r, 1)->state, HOST_STATE_CLEAR);
    assert_true(sim_recorder_vm_sample(r, 1, 0)->mctlsz_mb == 256.0);
    assert_true(sim_recorder_vm_sample(r, 2, 1)->swcur_mb == 16.0);
}

/* Rows are copied: the caller's structs may be reused for the next sample. */
static void test_recorder_copies_the_rows_it_is_given(void **state)
{
    g_autoptr(SimRecorder) r = sim_recorder_new(*state, "esxi");
    SimHostSample host = {.time_s = 1};
    SimVmSample vms[2] = {{.swcur_mb = 8}, {.swcur_mb = 16}};
    sim_recorder_add(r, &host, vms);
    host.time_s = 2;
    vms[0].swcur_mb = 99;
    assert_true(sim_recorder_host_sample(r, 0)->time_s == 1.0);
    assert_true(sim_recorder_vm_sample(r, 0, 0)->swcur_mb == 8.0);
    assert_true(sim_recorder_vm_sample(r, 0, 1)->swcur_mb == 16.0);
}

static void test_recorder_knows_its_vms_policy_and_scenario(void **state)
{
    g_autoptr(SimRecorder) r = sim_recorder_new(*state, "esxi5");
    assert_int_equal(sim_recorder_n_vms(r), 2);
    assert_string_equal(sim_recorder_vm_name(r, 1), "vm-2");
    assert_string_equal(sim_recorder_policy(r), "esxi5");
    assert_ptr_equal(sim_recorder_scenario(r), *state);
    /* No policy name reads as "" (summary.json's policy then). */
    g_autoptr(SimRecorder) unnamed = sim_recorder_new(*state, NULL);
    assert_string_equal(sim_recorder_policy(unnamed), "");
}

/* Without VMs a sample is its host row alone; no VM array is needed. */
static void test_recorder_without_vms_records_host_rows(void **state)
{
    g_autoptr(SimRecorder) r = sim_recorder_new(*state, "esxi");
    SimHostSample host = {.time_s = 5, .free_mb = 42};
    sim_recorder_add(r, &host, NULL);
    assert_int_equal(sim_recorder_n_vms(r), 0);
    assert_int_equal(sim_recorder_n_samples(r), 1);
    assert_true(sim_recorder_host_sample(r, 0)->free_mb == 42.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_recorder_gives_back_its_samples, setup_two_vms,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_recorder_copies_the_rows_it_is_given, setup_two_vms,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_recorder_knows_its_vms_policy_and_scenario,
                                        setup_two_vms, teardown),
        cmocka_unit_test_setup_teardown(test_recorder_without_vms_records_host_rows, setup_no_vms,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
