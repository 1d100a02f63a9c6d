/*
 * Waldspurger, "Memory Resource Management in VMware ESX Server", OSDI 2002,
 * section 5.3, Figure 7 (idle memory tax): two 256 MB VMs with equal
 * shares, a Windows VM idle after boot and a Linux VM running dbench
 * (workload kind file-server). Published: about 179 MB each at tax 0; at
 * 75% memory moves to the busy VM and its dbench throughput rises by over
 * 30%. Throughput here is the busy VM's performance index over the run
 * (useful work per unit of time relative to an unconstrained run).
 *
 * The 179 MB split is fitted (host overhead), a unit check of equal shares.
 * The throughput gain is a MISS (docs/validation.md): the kind's file
 * working set fits in 179 MB, so the simulated gain is about 0%; the test
 * guards that figure so a change to it is seen, it does not claim it.
 * Since the page cache has a popularity curve (workload.cache_hot, a
 * quarter of the file set hot), the warm three quarters of the file set
 * are touched rarely and the sampler sees them as idle, so the tax moves
 * less memory to the busy VM than with one hot tier (202 against 226 MB).
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
    TestModel *m = test_model_from_file_with("scenarios/validation/idle-tax-dbench.json", set);
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

static void test_idle_tax_moves_memory_to_the_dbench_vm(void **state)
{
    (void)state;
    Result none = run_with_tax("0");
    Result tax = run_with_tax("75");
    double gain = tax.perf_active / none.perf_active - 1.0;
    print_message("tax 0: idle %.1f MB, active %.1f MB, active perf %.4f\n", none.sztgt_idle,
                  none.sztgt_active, none.perf_active);
    print_message("tax 75: idle %.1f MB, active %.1f MB, active perf %.4f; gain %+.1f%% "
                  "(published: over +30%%)\n",
                  tax.sztgt_idle, tax.sztgt_active, tax.perf_active, 100.0 * gain);
    /* fitted: the host's overhead gives the VMs 358 MB */
    assert_float_equal(none.sztgt_idle, 179.0, 2.0);
    assert_float_equal(none.sztgt_active, 179.0, 2.0);
    /* the prediction that holds: memory moves to the busy VM (the
     * published figure gives no size; guarded at what the model gives) */
    assert_true(tax.sztgt_active > 195.0);
    assert_true(tax.sztgt_idle < 165.0);
    /* the miss, guarded: no gain, because the file set fits in 179 MB */
    assert_true(gain > -0.02 && gain < 0.02);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idle_tax_moves_memory_to_the_dbench_vm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
