/*
 * Waldspurger, "Memory Resource Management in VMware ESX Server", OSDI 2002,
 * section 5.3 (idle memory tax experiment): two 256 MB VMs with equal
 * shares, one idle and one active. With a tax of 0% each gets about 179 MB;
 * with 75% memory moves from the idle VM to the active one, whose
 * performance rises.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "support/model.h"
#include "support/testutil.h"

typedef struct Result {
    double sztgt_idle, sztgt_active, perf_active;
} Result;

static Result run_with_tax(const char *tax)
{
    char *set = g_strdup_printf("host.idle_tax=%s", tax);
    TestModel *m = test_model_from_file_with("scenarios/validation/idle-tax.json", set);
    test_model_execute(m);
    Result r = {
        .sztgt_idle = test_model_last_vm(m, 0)->sztgt_mb,
        .sztgt_active = test_model_last_vm(m, 1)->sztgt_mb,
        .perf_active = test_model_mean_perf(m, 1),
    };
    test_model_free(m);
    g_free(set);
    return r;
}

static void test_idle_tax_0_splits_evenly_and_75_favours_the_active_vm(void **state)
{
    (void)state;
    Result none = run_with_tax("0");
    Result tax = run_with_tax("75");
    print_message("tax 0: idle %.0f MB, active %.0f MB, active perf %.3f\n", none.sztgt_idle,
                  none.sztgt_active, none.perf_active);
    print_message("tax 75: idle %.0f MB, active %.0f MB, active perf %.3f\n", tax.sztgt_idle,
                  tax.sztgt_active, tax.perf_active);
    assert_float_equal(none.sztgt_idle, 179.0, 2.0);
    assert_float_equal(none.sztgt_active, 179.0, 2.0);
    assert_true(tax.sztgt_active > 230.0);
    assert_true(tax.sztgt_idle < 130.0);
    assert_true(tax.perf_active > none.perf_active + 0.5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idle_tax_0_splits_evenly_and_75_favours_the_active_vm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
