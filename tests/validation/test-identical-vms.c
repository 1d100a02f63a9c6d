/*
 * Waldspurger, "Memory Resource Management in VMware ESX Server", OSDI 2002,
 * section 4.3 (Figure 4): 1 to 10 identical Linux VMs of 40 MB of one
 * image, each running SPEC95. One VM alone shares about 5 MB, over half of
 * it zero pages; with ten, sharing approaches 67% of all VM memory and
 * nearly 60% is reclaimed; both rise with the number of VMs.
 *
 * What is fitted and what is predicted: the share of identical image
 * contents (content.image_shared 0.68 in the scenario) is the one number
 * set from the paper's shared figure at ten VMs. Zero pages (0.05) and
 * in-VM duplicates (0.05) are assumptions, not set from the one-VM
 * figure. Everything else is the model's: the reclaimed share (one frame
 * per content for ten copies), the rise with the number of VMs, what one
 * VM shares alone, the scan reaching the contents, and the copy-on-write
 * breaks of written pages.
 *
 * The one-VM figure is a **miss**: 3.3 MB against about 5 MB (tolerance
 * 5 +- 1 MB: "about 5 MB" read with a figure's precision). The model's VM
 * shares only its zero pages (1.8 MB, over half: that part holds) and its
 * duplicates; what else a 2002 Linux guest running SPEC95 held twice is not
 * published, and raising zero or duplicate to meet 5 MB would fit the
 * number this row checks. The test guards the simulated value (2.5 to 4.5
 * MB) so that a change to it is seen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "support/model.h"
#include "support/testutil.h"

#define VM_MB 40.0 /* memory of each VM in the scenario */

typedef struct Sharing {
    double shared_pct, saved_pct; /* of all VM memory */
    double shared_mb, zero_mb;    /* per VM: shared pages, of them zero pages */
} Sharing;

static Sharing run_vms(int n)
{
    char *set = g_strdup_printf("vms.0.count=%d", n);
    TestModel *m = test_model_from_file_with("scenarios/validation/identical-vms.json", set);
    test_model_execute(m);
    double shared = 0, saved = 0, zero = 0;
    for (int i = 0; i < n; i++) {
        shared += test_model_last_vm(m, (guint)i)->shrd_mb;
        saved += test_model_last_vm(m, (guint)i)->shrdsvd_mb;
        zero += test_model_last_vm(m, (guint)i)->zero_mb;
    }
    test_model_free(m);
    g_free(set);
    return (Sharing){100.0 * shared / (VM_MB * n), 100.0 * saved / (VM_MB * n), shared / n,
                     zero / n};
}

static void test_identical_vms_share_67_and_reclaim_60_percent(void **state)
{
    (void)state;
    const int counts[] = {1, 2, 5, 10};
    Sharing s[4];
    for (int i = 0; i < 4; i++) {
        s[i] = run_vms(counts[i]);
        print_message("%2d VMs: shared %.1f%%, reclaimed %.1f%%; per VM shared %.2f MB, zero %.2f MB\n",
                      counts[i], s[i].shared_pct, s[i].saved_pct, s[i].shared_mb, s[i].zero_mb);
    }
    assert_float_equal(s[3].shared_pct, 67.0, 2.0); /* the fitted figure */
    assert_float_equal(s[3].saved_pct, 60.0, 2.5);  /* the prediction */
    for (int i = 1; i < 4; i++) {
        assert_true(s[i].saved_pct > s[i - 1].saved_pct + 2.0);
        assert_true(s[i].shared_pct >= s[i - 1].shared_pct - 0.5);
    }
    /* one VM alone: over half of what it shares is zero pages (the
     * prediction holds); about 5 MB +- 1 MB shared is missed (3.3 MB, see
     * above), so the simulated value is guarded, not checked */
    assert_true(s[0].zero_mb > 0.5 * s[0].shared_mb);
    assert_true(s[0].shared_mb > 2.5 && s[0].shared_mb < 4.5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical_vms_share_67_and_reclaim_60_percent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
