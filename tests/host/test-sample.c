/*
 * The active-memory sampler reads the touch process (docs/model.md
 * "Workload: access skew"): a sampled page is active if it was touched in
 * the sample period, per tier at the rate the unstalled workload touches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <math.h>

#include "support/model.h"

static TestModel *vm_with(const char *limit, const char *workload)
{
    return test_model_newf(
        "{\"duration\": \"2h\", \"sample_interval\": \"60s\", \"host\": {\"memory\": \"32GiB\"},"
        " \"vms\": [{\"name\": \"v\", \"memory\": \"8GiB\"%s,"
        "  \"guest\": {\"balloon_driver\": false, \"cache_fill\": \"0MiB/s\"},"
        "  \"workload\": %s}]}",
        limit, workload);
}

/* The estimate (active_mb) averaged over the samples of the run's second
 * hour: one sample's max of a fast and a slow average carries the binomial
 * noise of 100 sampled pages (some 3% of the VM). */
static double mean_estimate_mib(TestModel *m)
{
    const SimRecorder *rec = sim_run_recorder(m->run);
    double sum = 0;
    guint n = 0;
    for (guint i = 0; i < sim_recorder_n_samples(rec); i++) {
        const SimVmSample *s = sim_recorder_vm_sample(rec, i, 0);
        if (sim_recorder_host_sample(rec, i)->time_s >= 3600) {
            sum += s->active_mb;
            n++;
        }
    }
    assert_true(n > 30);
    return sum / n;
}

/* MiB of a tier of `mib` touched at least once in 60 s at `rate` 4 KiB
 * touches per second. */
static double touched_mib(double mib, double rate)
{
    return mib * -expm1(-rate * 60.0 / (mib * 256.0));
}

/* A steady workload (no stall) of 256 MiB kernel + 1 GiB hot, 1 GiB warm
 * and 2 GiB cold at the default 10000 touches/s: the estimate settles near
 * the memory it touches in a sample period, tier by tier, far below its 4
 * GiB of anon (the cold tail is mostly idle) and above its hot set. */
static void test_steady_estimate_is_its_touched_working_set(void **state)
{
    (void)state;
    TestModel *m = vm_with("", "{\"memory\": \"4GiB\", \"active\": \"1GiB\", \"warm\": \"1GiB\"}");
    test_model_execute(m);
    double want = touched_mib(1280.0, 10000 * 0.979) + touched_mib(1024.0, 10000 * 0.02) +
                  touched_mib(2048.0, 10000 * 0.001);
    double got = mean_estimate_mib(m);
    print_message("steady: estimate %.0f MiB, touched working set %.0f MiB\n", got, want);
    assert_float_equal(got, want, 0.1 * want);
    assert_true(test_model_last_vm(m, 0)->stall_pct < 0.1);
    test_model_free(m);
}

/* The case: a VM whose 6 GiB working set is touched every minute,
 * held at a 3 GiB limit, thrashes on host swap (stalled most of the time).
 * Its estimate stays near its working set (6 GiB + the 256 MiB kernel),
 * where counting only the touches it managed to make gave about 250 MiB.
 * Two hours: the slow average starts at 1 and decays by 0.9 a sample. */
static void test_thrashing_vm_is_estimated_near_its_working_set(void **state)
{
    (void)state;
    TestModel *m = vm_with(", \"limit\": \"3GiB\"",
                           "{\"memory\": \"6GiB\", \"active\": \"6GiB\", \"touch_rate\": "
                           "\"100000/s\"}");
    test_model_execute(m);
    double want = touched_mib(6400.0, 100000);
    double got = mean_estimate_mib(m);
    double stall = test_model_last_vm(m, 0)->stall_pct;
    print_message("thrashing: stall %.1f%%, estimate %.0f MiB, working set %.0f MiB\n", stall,
                  got, want);
    assert_true(stall > 80.0);
    assert_float_equal(got, want, 0.1 * want);
    test_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_steady_estimate_is_its_touched_working_set),
        cmocka_unit_test(test_thrashing_vm_is_estimated_near_its_working_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
