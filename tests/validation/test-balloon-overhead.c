/*
 * Waldspurger, "Memory Resource Management in VMware ESX Server", OSDI 2002,
 * section 3.2, Figure 2 (balloon overhead): a 256 MB Linux VM running
 * dbench, ballooned down to 128..224 MB, performs slightly worse than a VM
 * configured with that memory, because the guest sizes its per-page
 * structures by configured memory. Throughput here is the performance
 * index over the run.
 *
 * The sign is a prediction that holds. The size is a MISS
 * (docs/validation.md): no gap where dbench's file set fits both VMs, a
 * gap of 7 to 11 points where it fits neither; the test guards those
 * figures so a change to them is seen, it does not claim them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "support/model.h"
#include "support/testutil.h"

typedef struct Pair {
    double ballooned, configured;
} Pair;

static Pair run_at(int mb)
{
    char *limit = g_strdup_printf("vms.0.limit=%dMB", mb);
    char *memory = g_strdup_printf("vms.1.memory=%dMB", mb);
    const char *const sets[] = {limit, memory, NULL};
    TestModel *m = test_model_from_file_with_sets("scenarios/validation/balloon-overhead.json", sets);
    test_model_execute(m);
    Pair p = {test_model_mean_perf(m, 0), test_model_mean_perf(m, 1)};
    /* the balloon took configured - limit */
    assert_float_equal(test_model_last_vm(m, 0)->mctlsz_mb, 256.0 - mb, 1.0);
    test_model_free(m);
    g_free(limit);
    g_free(memory);
    return p;
}

static void test_balloon_overhead_a_ballooned_vm_is_never_faster(void **state)
{
    (void)state;
    const int sizes[] = {128, 160, 192, 224};
    double gap[G_N_ELEMENTS(sizes)];
    for (guint i = 0; i < G_N_ELEMENTS(sizes); i++) {
        Pair p = run_at(sizes[i]);
        gap[i] = p.configured - p.ballooned;
        print_message("%d MB: ballooned %.4f, configured %.4f, gap %.4f\n", sizes[i],
                      p.ballooned, p.configured, gap[i]);
        assert_true(gap[i] > -0.005); /* the prediction: never better */
    }
    /* the miss, guarded: none above the file set; below the file set the gap is more than slight
     * (0.11 and 0.07 with the page cache's popularity curve; 0.09 and 0.31
     * with one hot tier), but no cliff */
    assert_true(gap[0] > 0.05 && gap[1] > 0.05);
    assert_true(gap[0] < 0.2 && gap[1] < 0.2);
    assert_true(gap[2] < 0.005 && gap[3] < 0.005);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_balloon_overhead_a_ballooned_vm_is_never_faster),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
