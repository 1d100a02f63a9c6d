#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "support/model.h"

/* scenarios/limit.json: a 32 GiB VM with a 12 GiB limit on an idle host
 * (the administrator's "why is this VM ballooned 20 GiB?"). */
static void test_limit_is_enforced_by_ballooning_configured_minus_limit(void **state)
{
    (void)state;
    TestModel *m = test_model_from_file("scenarios/limit.json");
    test_model_check_every_event(m);
    GError *error = NULL;
    assert_true(sim_run_execute(m->run, &error));
    assert_string_equal(m->violation->str, "");
    assert_true(m->checks > 10000);
    const SimVmSample *last = test_model_last_vm(m, 0);
    assert_float_equal(last->mctlsz_mb, 20480.0, 512.0);
    assert_true(last->swcur_mb < 1024.0); /* little or nothing swapped */
    assert_true(last->consumed_mb <= 12288.0);
    /* the host had no pressure at all: the limit alone did it */
    const SimRunTotals *t = sim_run_totals(m->run);
    assert_float_equal(t->time_in_state_s[HOST_STATE_HIGH], 3600.0, 0.5);
    test_model_free(m);
}

/* The limit is a hard cap at every sample, even while the balloon is still
 * inflating: the host swaps what the balloon has not yet taken. */
static void test_limit_caps_consumed_memory_at_every_sample(void **state)
{
    (void)state;
    TestModel *m = test_model_new(
        "{\"duration\": \"10m\", \"sample_interval\": \"5s\", \"host\": {\"memory\": \"16GiB\"},"
        " \"vms\": [{\"name\": \"v\", \"memory\": \"4GiB\", \"limit\": \"1GiB\","
        "  \"guest\": {\"balloon_driver\": false},"
        "  \"workload\": {\"memory\": \"3GiB\", \"active\": \"512MiB\"}}]}");
    GError *error = NULL;
    assert_true(sim_run_execute(m->run, &error));
    const SimRecorder *rec = sim_run_recorder(m->run);
    double max_consumed = 0;
    for (guint i = 0; i < sim_recorder_n_samples(rec); i++) {
        max_consumed = MAX(max_consumed, sim_recorder_vm_sample(rec, i, 0)->consumed_mb);
    }
    assert_true(max_consumed <= 1024.0);
    assert_true(max_consumed > 1000.0);
    /* without a balloon driver everything the guest touched above the limit
     * (kernel, anon, and the page cache it filled free memory with) is in
     * host swap */
    const SimVmSample *last = test_model_last_vm(m, 0);
    assert_true(last->swcur_mb + last->zip_mb + last->grant_mb >= 3072.0 + 256.0);
    assert_float_equal(last->swcur_mb + last->zip_mb + last->grant_mb + last->guest_free_mb,
                       4096.0, 64.0);
    assert_float_equal(last->mctlsz_mb, 0.0, 0.0);
    test_model_free(m);
}

/* A limit set by an event at run time is enforced from then on. */
static void test_limit_set_by_an_event_takes_effect(void **state)
{
    (void)state;
    TestModel *m = test_model_new(
        "{\"duration\": \"20m\", \"host\": {\"memory\": \"16GiB\"},"
        " \"vms\": [{\"name\": \"v\", \"memory\": \"4GiB\","
        "  \"workload\": {\"memory\": \"1GiB\", \"active\": \"256MiB\"}}],"
        " \"events\": [{\"at\": \"5m\", \"action\": \"set\", \"vm\": \"v\", \"limit\": \"2GiB\"}]}");
    sim_run_until(m->run, 5 * SIM_MIN - SIM_S);
    assert_int_equal(guest_balloon_size(sim_run_guest(m->run, 0)), 0);
    GError *error = NULL;
    assert_true(sim_run_execute(m->run, &error));
    const SimVmSample *last = test_model_last_vm(m, 0);
    assert_float_equal(last->mctlsz_mb, 2048.0, 16.0);
    assert_true(last->consumed_mb <= 2048.0);
    test_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit_is_enforced_by_ballooning_configured_minus_limit),
        cmocka_unit_test(test_limit_caps_consumed_memory_at_every_sample),
        cmocka_unit_test(test_limit_set_by_an_event_takes_effect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
