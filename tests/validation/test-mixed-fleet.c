/*
 * Barker, Wood, Shenoy, Sitaraman, "An Empirical Study of Memory Sharing in
 * Virtual Machines", USENIX ATC 2012: absolute sharing levels, excluding
 * zero pages, generally stay under 15% of memory, and most of the sharing
 * there is lies within each machine.
 *
 * The scenario is a mixed fleet (four images, different workloads) with
 * the default content mix and inter-VM sharing allowed (salting 0), run
 * long enough for the scanner to visit nearly every page (four passes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "support/model.h"
#include "support/testutil.h"

typedef struct Fleet {
    double memory_mb, granted_mb, zero_mb, saved_mb;
} Fleet;

static Fleet run_fleet(const char *salting)
{
    char *set = g_strdup_printf("host.sharing.salting=%s", salting);
    TestModel *m = test_model_from_file_with("scenarios/validation/mixed-fleet.json", set);
    test_model_execute(m);
    Fleet f = {0};
    for (guint i = 0; i < m->scenario->vms->len; i++) {
        const SimVmSample *s = test_model_last_vm(m, i);
        f.memory_mb += s->memsz_mb;
        f.granted_mb += s->grant_mb;
        f.zero_mb += s->zero_mb;
        f.saved_mb += s->shrdsvd_mb;
    }
    test_model_free(m);
    g_free(set);
    return f;
}

/* Savings from non-zero contents: all zero pages of a domain map one frame,
 * so what they save is (nearly) their count. */
static double nonzero_saved_mb(const Fleet *f)
{
    return f->saved_mb - f->zero_mb;
}

static void test_mixed_fleet_shares_under_15_percent_without_zero_pages(void **state)
{
    (void)state;
    Fleet all = run_fleet("0");
    Fleet own = run_fleet("2");
    double level = nonzero_saved_mb(&all) / (all.granted_mb - all.zero_mb);
    double within = nonzero_saved_mb(&own) / nonzero_saved_mb(&all);
    print_message("memory %.0f MiB, granted %.0f, zero %.0f, saved %.0f (non-zero %.0f)\n",
                  all.memory_mb, all.granted_mb, all.zero_mb, all.saved_mb,
                  nonzero_saved_mb(&all));
    print_message("sharing level without zero pages %.1f%% of non-zero memory;"
                  " within each VM %.0f%% of it\n",
                  100.0 * level, 100.0 * within);
    assert_true(all.granted_mb > 0.9 * all.memory_mb); /* the fleet uses its memory */
    assert_true(level < 0.15);
    assert_true(level > 0.01); /* there is some sharing to measure */
    /* Barker et al. measured over 90% inside each VM; the model gives 37%
     * because VMs of one guest.image hold byte-identical image pages
     * (docs/validation.md reports it as a miss): this bound only guards
     * the figure against silent change */
    assert_true(within > 0.3 && within < 0.45);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mixed_fleet_shares_under_15_percent_without_zero_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
