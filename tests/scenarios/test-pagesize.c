/*
 * Page size is only a speed knob (docs/model.md "Pages"): shipped scenarios
 * run by the real binary at host.page_size 4KiB and 2MiB give summaries
 * that agree. A simulated page of 2 MiB stands for 512 pages of 4 KiB that
 * share one fate, so the two runs draw different random numbers: they
 * agree within a tolerance, not exactly.
 *
 * Measured (with the access-skew workload, the ESXi details, the Windows
 * guest and the page-cache curve of issue 11), fleet mean performance
 * index, and the VMs' time-averaged balloon, shared-saved and
 * compressed+swapped MiB, 4 KiB / 2 MiB:
 *   limit.json        0.949/0.942  19551/19547 (0%)     426/412 (3%)     196/192 (2%)
 *   balloon-vs-swap   0.956/0.953   8353/8375 (0.3%)   1332/1337 (0.4%)  882/856 (3%)
 *   limit-windows     1.000/1.000  19567/19567 (0%)    2444/2451 (0.3%)     0/0
 *   identical-vms     1.000/1.000      0/0             1206/1155 (4%)       0/0
 *     (with 256 MiB VMs; the scenario's 40 MB VMs: 184/154 (16%))
 * default.json does not agree: it is issue 11's open page-size gap
 * (docs/model.md "Pages"). Seeds 1, 2, 3:
 *   perf     0.800/0.828  0.800/0.832  0.795/0.839
 *   balloon  30578/29656 (3.0%)  30891/29606 (4.2%)  30446/29510 (3.1%)
 *   shared   4890/5405 (9.5%)    4529/5353 (15.4%)   5002/5679 (11.9%)
 *   out      1383/1873 (26%)     1465/1990 (26%)     1408/1724 (18%)
 * 2 MiB consistently runs a little faster, balloons less, shares and
 * swaps more. Its bounds (DEFAULT_*) are wider so that the gap cannot grow
 * unseen; they are not a claim that it is closed.
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
typedef struct Tolerance {
    double perf, balloon, shared, out; /* perf absolute; memory relative */
} Tolerance;

static const Tolerance agree = {.perf = 0.03, .balloon = 0.03, .shared = 0.10, .out = 0.25};
/* default.json: the open gap, see above (seed 1 is the one run here) */
static const Tolerance default_gap = {.perf = 0.05, .balloon = 0.06, .shared = 0.20, .out = 0.40};
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

static void check_scenario_sets(const char *scenario, const Tolerance *tol,
                                const char *const *sets)
{
    Summary small = run_at(scenario, "4KiB", sets);
    Summary large = run_at(scenario, "2MiB", sets);
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
    check_scenario_sets(scenario, &agree, NULL);
}

static void test_default_run_agrees_at_4k_and_2m_pages(void **state)
{
    (void)state;
    check_scenario_sets("scenarios/default.json", &default_gap, NULL);
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
    check_scenario_sets("scenarios/validation/identical-vms.json", &agree, sets);
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
