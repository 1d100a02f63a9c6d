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
    char *set = g_strdup_printf("templates.vm.guest.balloon_driver=%s", driver);
    TestModel *m = test_model_from_file_with("scenarios/validation/balloon-vs-swap.json", set);
    test_model_execute(m);
    Outcome o = {.mean_perf = test_model_fleet_mean_perf(m)};
    for (guint i = 0; i < m->scenario->vms->len; i++) {
        o.swapped_mb += test_model_last_vm(m, i)->swcur_mb;
        o.ballooned_mb += test_model_last_vm(m, i)->mctlsz_mb;
    }
    test_model_free(m);
    g_free(set);
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
