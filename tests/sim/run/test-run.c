#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "support/model.h"

static const char *vm_a =
    "{\"name\": \"a\", \"memory\": \"2GiB\", \"workload\": {\"memory\": \"1GiB\","
    " \"active\": \"512MiB\", \"page_cache\": \"256MiB\"}}";

/* Every VM draws from its own streams: adding a VM on a host with room
 * does not change another VM's draws or results. */
static void test_run_adding_a_vm_does_not_change_another_vms_draws(void **state)
{
    (void)state;
    char *alone = g_strdup_printf(
        "{\"duration\": \"30m\", \"host\": {\"memory\": \"64GiB\"}, \"vms\": [%s]}", vm_a);
    char *pair = g_strdup_printf(
        "{\"duration\": \"30m\", \"host\": {\"memory\": \"64GiB\"}, \"vms\": [%s,"
        " {\"name\": \"b\", \"memory\": \"4GiB\", \"workload\": {\"memory\": \"3GiB\"}}]}",
        vm_a);
    TestModel *m1 = test_model_new(alone), *m2 = test_model_new(pair);
    GError *error = NULL;
    assert_true(sim_run_execute(m1->run, &error));
    assert_true(sim_run_execute(m2->run, &error));
    const SimRecorder *r1 = sim_run_recorder(m1->run), *r2 = sim_run_recorder(m2->run);
    assert_int_equal(sim_recorder_n_samples(r1), sim_recorder_n_samples(r2));
    for (guint i = 0; i < sim_recorder_n_samples(r1); i++) {
        const SimVmSample *s1 = sim_recorder_vm_sample(r1, i, 0);
        const SimVmSample *s2 = sim_recorder_vm_sample(r2, i, 0);
        assert_float_equal(s1->consumed_mb, s2->consumed_mb, 0.0);
        assert_float_equal(s1->active_mb, s2->active_mb, 0.0);
        assert_float_equal(s1->guest_cache_mb, s2->guest_cache_mb, 0.0);
    }
    assert_true(test_model_last_vm(m2, 1)->consumed_mb > 3000.0);
    test_model_free(m1);
    test_model_free(m2);
    g_free(alone);
    g_free(pair);
}

static void test_run_power_events_start_and_stop_vms(void **state)
{
    (void)state;
    TestModel *m = test_model_new(
        "{\"duration\": \"30m\", \"host\": {\"memory\": \"16GiB\"},"
        " \"vms\": [{\"name\": \"a\", \"memory\": \"2GiB\", \"power_on\": null,"
        "            \"workload\": {\"memory\": \"1GiB\"}}],"
        " \"events\": [{\"at\": \"5m\", \"action\": \"power_on\", \"vm\": \"a\"},"
        "              {\"at\": \"20m\", \"action\": \"power_off\", \"vm\": \"a\"}]}");
    test_model_check_every_event(m);
    Host *host = sim_run_host(m->run);
    uint64_t free_idle = host_free_pages(host);
    sim_run_until(m->run, 4 * SIM_MIN);
    assert_false(host_vm(host, 0)->powered_on);
    assert_int_equal(host_free_pages(host), free_idle);
    sim_run_until(m->run, 19 * SIM_MIN);
    assert_true(host_vm(host, 0)->powered_on);
    assert_true(host_vm_consumed(host_vm(host, 0)) > 1024 * 256);
    assert_true(host_free_pages(host) < free_idle - 1024 * 256);
    sim_run_until(m->run, 21 * SIM_MIN);
    assert_false(host_vm(host, 0)->powered_on);
    assert_int_equal(host_vm_consumed(host_vm(host, 0)), 0);
    assert_int_equal(host_free_pages(host), free_idle);
    assert_string_equal(m->violation->str, "");
    test_model_free(m);
}

static TestModel *limit_sampled_every(const char *duration, const char *interval)
{
    g_autofree char *d = g_strdup_printf("duration=%s", duration);
    g_autofree char *i = g_strdup_printf("sample_interval=%s", interval);
    const char *sets[] = {d, i, NULL};
    return test_model_from_file_with_sets("scenarios/limit.json", sets);
}

/* Samples every interval from 0, and one at the end of the run when the
 * interval does not divide it. */
static void test_run_samples_the_end_when_the_interval_does_not_divide_the_run(void **state)
{
    (void)state;
    TestModel *m = limit_sampled_every("65s", "20s");
    test_model_execute(m);
    const SimRecorder *rec = sim_run_recorder(m->run);
    const double want[] = {0, 20, 40, 60, 65};
    assert_int_equal(sim_recorder_n_samples(rec), G_N_ELEMENTS(want));
    for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
        assert_true(sim_recorder_host_sample(rec, i)->time_s == want[i]);
    }
    test_model_free(m);
}

/* Sampling only observes: a run sampled every second and one sampled every
 * 7 s hold the same levels at the instants both sample. */
static void test_run_sampling_does_not_change_the_run(void **state)
{
    (void)state;
    TestModel *fine = limit_sampled_every("2m", "1s"), *coarse = limit_sampled_every("2m", "7s");
    test_model_execute(fine);
    test_model_execute(coarse);
    const SimRecorder *rf = sim_run_recorder(fine->run), *rc = sim_run_recorder(coarse->run);
    assert_int_equal(sim_recorder_n_samples(rc), 19); /* 0, 7, ..., 119, 120 */
    for (guint i = 0; i < sim_recorder_n_samples(rc); i++) {
        const SimHostSample *hc = sim_recorder_host_sample(rc, i);
        const SimHostSample *hf = sim_recorder_host_sample(rf, (guint)hc->time_s);
        assert_true(hf->time_s == hc->time_s);
        assert_true(hf->free_mb == hc->free_mb && hf->state == hc->state);
        const SimVmSample *vc = sim_recorder_vm_sample(rc, i, 0);
        const SimVmSample *vf = sim_recorder_vm_sample(rf, (guint)hc->time_s, 0);
        assert_true(vf->consumed_mb == vc->consumed_mb && vf->mctlsz_mb == vc->mctlsz_mb);
        assert_true(vf->swcur_mb == vc->swcur_mb && vf->zip_mb == vc->zip_mb);
    }
    test_model_free(fine);
    test_model_free(coarse);
}

static double total_state_time(const TestModel *m)
{
    const SimRunTotals *t = sim_run_totals(m->run);
    double total = 0;
    for (int s = 0; s < HOST_STATE_MAX; s++) {
        total += t->time_in_state_s[s];
    }
    return total;
}

/* The state integral covers exactly the time run, also when a run stops
 * between whole seconds and goes on (the state held then is counted once). */
static void test_run_time_in_state_covers_exactly_the_time_run(void **state)
{
    (void)state;
    TestModel *m = test_model_from_file("scenarios/default.json");
    sim_run_until(m->run, 90 * SIM_S + SIM_S / 2);
    assert_true(total_state_time(m) == 90.5);
    sim_run_until(m->run, 2 * SIM_MIN);
    assert_true(total_state_time(m) == 120.0);
    test_model_free(m);
}

/* The balloon cap (mctlmax) of a 1 GiB VM after 10 s under the esx2002
 * era, with `host_extra` added to the host object. */
static double esx2002_mctlmax_mb(const char *host_extra)
{
    char *json = g_strdup_printf(
        "{\"duration\": \"10s\", \"host\": {\"memory\": \"8GiB\", \"policy\": \"esx2002\"%s},"
        " \"vms\": [{\"name\": \"a\", \"memory\": \"1GiB\"}]}",
        host_extra);
    TestModel *m = test_model_new(json);
    GError *error = NULL;
    assert_true(sim_run_execute(m->run, &error));
    double cap = test_model_last_vm(m, 0)->mctlmax_mb;
    test_model_free(m);
    g_free(json);
    return cap;
}

/* An era changes defaults only: a value the scenario gives stays, even one
 * equal to the 6.0+ default (before, 65% was taken for the default). */
static void test_run_an_era_keeps_the_values_the_scenario_gives(void **state)
{
    (void)state;
    const double page_mb = 4.0 / 1024; /* the cap is whole pages */
    assert_float_equal(esx2002_mctlmax_mb(""), 512.0, page_mb); /* the era's 50% */
    assert_float_equal(esx2002_mctlmax_mb(", \"ctl_max_pct\": \"65%\""), 665.6, page_mb);
    assert_float_equal(esx2002_mctlmax_mb(", \"ctl_max_pct\": \"30%\""), 307.2, page_mb);
}

/* Targets of the idle and the active VM of the 2002 idle-tax experiment
 * at tax 0 under `policy`. */
static void idle_tax_targets(const char *policy, double *idle, double *active)
{
    g_autofree char *set_policy = g_strdup_printf("host.policy=%s", policy);
    const char *sets[] = {"host.idle_tax=0", set_policy, NULL};
    TestModel *m = test_model_from_file_with_sets("scenarios/validation/idle-tax.json", sets);
    test_model_execute(m);
    *idle = test_model_last_vm(m, 0)->sztgt_mb;
    *active = test_model_last_vm(m, 1)->sztgt_mb;
    test_model_free(m);
}

/* The 2002 era's scheduler divides by shares alone (no demand cap): at tax
 * 0 the idle VM keeps as much as the busy one; ESXi caps the idle VM's
 * entitlement by its demand and gives the rest to the busy VM. */
static void test_run_the_2002_era_has_no_demand_cap(void **state)
{
    (void)state;
    double idle = 0, active = 0;
    idle_tax_targets("esx2002", &idle, &active);
    print_message("esx2002, tax 0: idle %.1f MB, active %.1f MB\n", idle, active);
    assert_float_equal(idle, active, 1.0);
    idle_tax_targets("esxi", &idle, &active);
    print_message("esxi, tax 0: idle %.1f MB, active %.1f MB\n", idle, active);
    assert_true(active > idle + 40.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_adding_a_vm_does_not_change_another_vms_draws),
        cmocka_unit_test(test_run_power_events_start_and_stop_vms),
        cmocka_unit_test(test_run_samples_the_end_when_the_interval_does_not_divide_the_run),
        cmocka_unit_test(test_run_sampling_does_not_change_the_run),
        cmocka_unit_test(test_run_time_in_state_covers_exactly_the_time_run),
        cmocka_unit_test(test_run_an_era_keeps_the_values_the_scenario_gives),
        cmocka_unit_test(test_run_the_2002_era_has_no_demand_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
