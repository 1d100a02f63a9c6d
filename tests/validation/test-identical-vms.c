/*
 * Waldspurger, "Memory Resource Management in VMware ESX Server", OSDI 2002,
 * section 4.3 (Figure 4): identical Linux VMs of one image running the same
 * workload. Sharing approaches 67% of all VM memory and nearly 60% is
 * reclaimed; both rise with the number of VMs.
 *
 * What is fitted and what is predicted: the share of identical image
 * contents (content.image_shared 0.68 in the scenario) is the one number
 * set from the paper's shared figure at ten VMs. Everything else is the
 * model's: the reclaimed share (one frame per content for ten copies), the
 * rise with the number of VMs, the scan reaching the contents, and the
 * copy-on-write breaks of written pages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "support/model.h"
#include "support/testutil.h"

#define VM_MB 256.0 /* memory of each VM in the scenario */

typedef struct Sharing {
    double shared_pct, saved_pct; /* of all VM memory */
} Sharing;

static Sharing run_vms(int n)
{
    char *set = g_strdup_printf("vms.0.count=%d", n);
    TestModel *m = test_model_from_file_with("scenarios/validation/identical-vms.json", set);
    test_model_execute(m);
    double shared = 0, saved = 0;
    for (int i = 0; i < n; i++) {
        shared += test_model_last_vm(m, (guint)i)->shrd_mb;
        saved += test_model_last_vm(m, (guint)i)->shrdsvd_mb;
    }
    test_model_free(m);
    g_free(set);
    return (Sharing){100.0 * shared / (VM_MB * n), 100.0 * saved / (VM_MB * n)};
}

static void test_identical_vms_share_67_and_reclaim_60_percent(void **state)
{
    (void)state;
    const int counts[] = {1, 2, 5, 10};
    Sharing s[4];
    for (int i = 0; i < 4; i++) {
        s[i] = run_vms(counts[i]);
        print_message("%2d VMs: shared %.1f%%, reclaimed %.1f%%\n", counts[i], s[i].shared_pct,
                      s[i].saved_pct);
    }
    assert_float_equal(s[3].shared_pct, 67.0, 2.0); /* the fitted figure */
    assert_float_equal(s[3].saved_pct, 60.0, 2.5);  /* the prediction */
    for (int i = 1; i < 4; i++) {
        assert_true(s[i].saved_pct > s[i - 1].saved_pct + 2.0);
        assert_true(s[i].shared_pct >= s[i - 1].shared_pct - 0.5);
    }
    /* one VM still shares zero pages and its own duplicates */
    assert_true(s[0].saved_pct > 5.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical_vms_share_67_and_reclaim_60_percent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
