/*
 * The model property behind ballooning (Waldspurger OSDI 2002, section 3;
 * VMware, "Understanding Memory Resource Management in VMware vSphere 5.0"):
 * under the same overcommit, guests with balloon drivers give up their
 * coldest memory (free, cache, cold anon to their own swap), while without
 * drivers the host swaps random pages, hot ones among them, so the guests
 * stall more.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <string.h>

#include "support/model.h"
#include "support/testutil.h"

typedef struct Outcome {
    double mean_perf;   /* over VMs, of the mean over the run */
    double swapped_mb;  /* host swap at the end, all VMs */
    double ballooned_mb;
} Outcome;

static Outcome run_with(const char *driver)
{
    char *path = test_source_path("scenarios/validation/balloon-vs-swap.json");
    char *set = g_strdup_printf("templates.vm.guest.balloon_driver=%s", driver);
    const char *sets[] = {set, NULL};
    GError *error = NULL;
    SimScenario *sc = sim_scenario_load_with_overrides(path, sets, &error);
    g_assert_no_error(error);
    SimRun *run = sim_run_new(sc, NULL, &error);
    g_assert_no_error(error);
    assert_true(sim_run_execute(run, &error));
    TestModel m = {.scenario = sc, .run = run};
    Outcome o = {0};
    for (guint i = 0; i < sc->vms->len; i++) {
        o.mean_perf += test_model_mean_perf(&m, i) / sc->vms->len;
        o.swapped_mb += test_model_last_vm(&m, i)->swcur_mb;
        o.ballooned_mb += test_model_last_vm(&m, i)->mctlsz_mb;
    }
    sim_run_free(run);
    sim_scenario_free(sc);
    g_free(set);
    g_free(path);
    return o;
}

static void test_guests_with_balloon_drivers_lose_less_performance(void **state)
{
    (void)state;
    Outcome with = run_with("true");
    Outcome without = run_with("false");
    print_message("with drivers: perf %.4f, swapped %.0f MiB, ballooned %.0f MiB\n",
                  with.mean_perf, with.swapped_mb, with.ballooned_mb);
    print_message("without:      perf %.4f, swapped %.0f MiB\n", without.mean_perf,
                  without.swapped_mb);
    assert_true(with.ballooned_mb > 1024.0);
    assert_float_equal(without.ballooned_mb, 0.0, 0.0);
    assert_true(without.swapped_mb > 2.0 * with.swapped_mb);
    assert_true(with.mean_perf > without.mean_perf + 0.02);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_guests_with_balloon_drivers_lose_less_performance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
