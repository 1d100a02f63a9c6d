/*
 * Page size is only a speed knob (docs/model.md "Pages"): shipped scenarios
 * run by the real binary at host.page_size 4KiB and 2MiB give summaries
 * that agree. A simulated page of 2 MiB stands for 512 pages of 4 KiB that
 * share one fate, so the two runs draw different random numbers: they
 * agree within a tolerance, not exactly.
 *
 * Measured (session 7: every drawn fault of a large page served, pages
 * the balloon held backed small again), fleet mean performance index, and
 * the VMs' time-averaged balloon, shared-saved and compressed+swapped MiB,
 * 4 KiB / 2 MiB:
 *   limit.json        0.949/0.945  19551/19551 (0%)     426/413 (3%)     196/206 (5%)
 *   balloon-vs-swap   0.956/0.950   8382/8427 (0.5%)   1301/1283 (1.4%)  882/867 (2%)
 *   limit-windows     1.000/1.000  19567/19567 (0%)    2444/2451 (0.3%)     0/0
 *   identical-vms     1.000/1.000      0/0             1206/1155 (4%)       0/0
 *     (with 256 MiB VMs; the scenario's 40 MB VMs: 184/154 (16%))
 *   default.json, mean of seeds 1-3:
 *                     0.791/0.790  33080/33090 (0%)    2499/2491 (0.3%) 1236/1222 (1%)
 *     (one seed alone: balloon within 0.6%, shared 5.2%, out 11% over
 *     seeds 1-8, docs/model.md "Pages")
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>

#include "host/host.h"
#include "sim/run/run.h"
#include "support/model.h"
#include "support/testutil.h"

/* Tolerances: performance index absolute; memory relative, with a floor of
 * a few 2 MiB pages so that near-zero amounts do not fail on one page. */
typedef struct Tolerance {
    double perf, balloon, shared, out; /* perf absolute; memory relative */
} Tolerance;

static const Tolerance agree = {.perf = 0.02, .balloon = 0.03, .shared = 0.10, .out = 0.15};
#define MB_FLOOR 16.0

typedef struct Summary {
    double perf;     /* mean over VMs of each VM's mean performance index */
    double mctl_mb;  /* sum over VMs of the mean balloon size */
    double shared_mb; /* sum over VMs of the mean memory sharing saved */
    double out_mb;   /* sum over VMs of the mean compressed + swapped */
} Summary;

static double vm_mean(json_t *vm, const char *key)
{
    json_t *v = json_object_get(json_object_get(vm, "mean"), key);
    assert_non_null(v);
    return json_number_value(v);
}

/* Runs `scenario` with `seed` at `page_size` with the extra `--set`
 * values in `sets` (NULL-terminated, at most SETS_MAX, may be NULL). */
#define SETS_MAX 8

static Summary run_seed(const char *scenario, const char *page_size, const char *const *sets,
                        unsigned seed)
{
    char *dir = test_tmpdir();
    char *out = g_build_filename(dir, "out", NULL);
    char *path = test_source_path(scenario);
    char *set = g_strdup_printf("host.page_size=%s", page_size);
    char seed_text[16];
    g_snprintf(seed_text, sizeof seed_text, "%u", seed);
    const char *argv[9 + 2 * SETS_MAX] = {"run", path, "--set", set, "--seed", seed_text,
                                          "-o",  out};
    for (int i = 0; sets != NULL && sets[i] != NULL; i++) {
        assert_true(i < SETS_MAX);
        argv[8 + 2 * i] = "--set";
        argv[9 + 2 * i] = sets[i];
    }
    char *stdout_text = NULL;
    assert_int_equal(test_run_binary(argv, &stdout_text, NULL), 0);
    g_free(stdout_text);
    char *summary = g_build_filename(out, "summary.json", NULL);
    json_t *root = json_load_file(summary, 0, NULL);
    assert_non_null(root);
    json_t *vms = json_object_get(root, "vms");
    Summary s = {0};
    size_t i;
    json_t *vm;
    json_array_foreach(vms, i, vm)
    {
        s.perf += vm_mean(vm, "perf_index") / (double)json_array_size(vms);
        s.mctl_mb += vm_mean(vm, "mctlsz_mb");
        s.shared_mb += vm_mean(vm, "shrdsvd_mb");
        s.out_mb += vm_mean(vm, "zip_mb") + vm_mean(vm, "swcur_mb");
    }
    json_decref(root);
    test_rmtree(dir);
    g_free(summary);
    g_free(set);
    g_free(path);
    g_free(out);
    g_free(dir);
    return s;
}

/* The mean of the summaries of seeds 1 .. n: one seed's random draws
 * differ between the page sizes, so a fleet whose figures hinge on a few
 * VMs is compared over several. */
static Summary run_at(const char *scenario, const char *page_size, const char *const *sets,
                      unsigned n)
{
    Summary mean = {0};
    for (unsigned seed = 1; seed <= n; seed++) {
        Summary s = run_seed(scenario, page_size, sets, seed);
        mean.perf += s.perf / n;
        mean.mctl_mb += s.mctl_mb / n;
        mean.shared_mb += s.shared_mb / n;
        mean.out_mb += s.out_mb / n;
    }
    return mean;
}

static bool close_mb(double a, double b, double rel)
{
    return fabs(a - b) <= MAX(MB_FLOOR, rel * MAX(a, b));
}

static void check_scenario_sets(const char *scenario, const char *const *sets, unsigned seeds)
{
    const Tolerance *tol = &agree;
    Summary small = run_at(scenario, "4KiB", sets, seeds);
    Summary large = run_at(scenario, "2MiB", sets, seeds);
    print_message("%s: perf %.3f/%.3f balloon %.0f/%.0f shared %.0f/%.0f out %.0f/%.0f MiB\n",
                  scenario, small.perf, large.perf, small.mctl_mb, large.mctl_mb, small.shared_mb,
                  large.shared_mb, small.out_mb, large.out_mb);
    assert_true(fabs(small.perf - large.perf) <= tol->perf);
    assert_true(close_mb(small.mctl_mb, large.mctl_mb, tol->balloon));
    assert_true(close_mb(small.shared_mb, large.shared_mb, tol->shared));
    assert_true(close_mb(small.out_mb, large.out_mb, tol->out));
}

static void check_scenario(const char *scenario)
{
    check_scenario_sets(scenario, NULL, 1);
}

static void test_default_run_agrees_at_4k_and_2m_pages(void **state)
{
    (void)state;
    check_scenario_sets("scenarios/default.json", NULL, 3);
}

static void test_limit_run_agrees_at_4k_and_2m_pages(void **state)
{
    (void)state;
    check_scenario("scenarios/limit.json");
}

static void test_balloon_vs_swap_agrees_at_4k_and_2m_pages(void **state)
{
    (void)state;
    check_scenario("scenarios/validation/balloon-vs-swap.json");
}

static void test_windows_limit_agrees_at_4k_and_2m_pages(void **state)
{
    (void)state;
    check_scenario("scenarios/validation/limit-windows.json");
}

static void test_identical_vms_share_alike_at_4k_and_2m_pages(void **state)
{
    (void)state;
    /* The scenario's VMs are the paper's 40 MB: 20 pages of 2 MiB, whose
     * sharing differs by 16% (184 / 154 MiB saved), as small VMs do
     * (docs/model.md "Pages"). The page-size check runs it with the 256
     * MiB VMs it had before (1206 / 1156 MiB, 4%). */
    const char *const sets[] = {"host.memory=4GiB",
                                "templates.vm.memory=256MiB",
                                "templates.vm.workload.memory=160MiB",
                                "templates.vm.workload.active=32MiB",
                                "templates.vm.workload.page_cache=32MiB",
                                NULL};
    check_scenario_sets("scenarios/validation/identical-vms.json", sets, 1);
}

/* A 16 GiB VM thrashes against a 10 GiB limit (no balloon), which is
 * lifted at 10 min: its compressed and swapped memory comes back as its
 * touches fault it in, about 190 MiB in two minutes at either page size.
 * At 2 MiB a fault is 512 x 5 ms from swap; when the stall beyond a tick
 * also took the next ticks' touch time and the tick's other faults were
 * dropped, 2 MiB brought back 122 MiB (docs/model.md "Pages"). */
static double returned_mib_at(const char *page_size)
{
    TestModel *m = test_model_newf(
        "{\"duration\": \"12m\", \"host\": {\"memory\": \"64GiB\", \"page_size\": \"%s\","
        "  \"sharing\": {\"enabled\": false}},"
        " \"vms\": [{\"name\": \"v\", \"memory\": \"16GiB\", \"limit\": \"10GiB\","
        "  \"guest\": {\"balloon_driver\": false},"
        "  \"workload\": {\"memory\": \"14GiB\", \"active\": \"8GiB\", \"touch_rate\": \"50000/s\"}}],"
        " \"events\": [{\"at\": \"10m\", \"action\": \"set\", \"vm\": \"v\", \"limit\": \"unlimited\"}]}",
        page_size);
    const HostVm *vm = host_vm(sim_run_host(m->run), 0);
    double mib = (double)host_page_size(sim_run_host(m->run)) / (1024.0 * 1024.0);
    sim_run_until(m->run, 10 * SIM_MIN);
    double before = (double)host_vm_reclaimed_out(vm) * mib;
    test_model_execute(m);
    double returned = before - (double)host_vm_reclaimed_out(vm) * mib;
    test_model_free(m);
    return returned;
}

static void test_thrashing_vm_faults_back_alike_at_4k_and_2m_pages(void **state)
{
    (void)state;
    double small = returned_mib_at("4KiB");
    double large = returned_mib_at("2MiB");
    print_message("returned in 2 min: %.0f / %.0f MiB\n", small, large);
    assert_true(small > 100.0);
    assert_true(close_mb(small, large, 0.10));
}

/* The 2 MiB mechanisms (balloon carry, slots per sub-page, large pages
 * broken for a swap-out victim's sub-pages) keep memory conserved: per VM,
 * pages by backing sum to configured; on the host, frames match. */
static void test_default_run_at_2m_pages_conserves_memory_after_every_event(void **state)
{
    (void)state;
    const char *sets[] = {"host.page_size=2MiB", NULL};
    TestModel *m = test_model_from_file_with_sets("scenarios/default.json", sets);
    test_model_check_every_event(m);
    GError *error = NULL;
    assert_true(sim_run_execute(m->run, &error));
    assert_string_equal(m->violation->str, "");
    assert_true(m->checks > 10000);
    test_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_run_agrees_at_4k_and_2m_pages),
        cmocka_unit_test(test_limit_run_agrees_at_4k_and_2m_pages),
        cmocka_unit_test(test_balloon_vs_swap_agrees_at_4k_and_2m_pages),
        cmocka_unit_test(test_windows_limit_agrees_at_4k_and_2m_pages),
        cmocka_unit_test(test_identical_vms_share_alike_at_4k_and_2m_pages),
        cmocka_unit_test(test_thrashing_vm_faults_back_alike_at_4k_and_2m_pages),
        cmocka_unit_test(test_default_run_at_2m_pages_conserves_memory_after_every_event),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
