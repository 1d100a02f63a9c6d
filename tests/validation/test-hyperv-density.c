/*
 * Hyper-V Dynamic Memory's density (scenarios/hyperv-density.json), a
 * shape check against Microsoft's published effect (2010): VDI density
 * +40% with Dynamic Memory over none, other server workloads +25-50%.
 *
 * Windows desktops of 2 GiB (Maximum RAM) whose users commit 700 MiB, then
 * 900 MiB after 10 minutes. A count of desktops fits when every desktop's
 * mean performance index meets the scenario's SLA (0.95: the "same
 * performance" of the published comparison, which measured user response
 * times) and the host never had to swap (policy hyperv-dm never swaps: a
 * forced swap means the desktops hold more than the host has). The count
 * that fits is found by bisection, once with Dynamic Memory and once with
 * static memory (the policy's setting dynamic = false: every desktop holds
 * its 2 GiB, no balloon, no hot-add).
 *
 * The model's gain follows from its demand: Dynamic Memory aims at
 * committed x 1.2, where committed = Committed_AS + kernel + hv_balloon's
 * floor (104 MiB + RAM/8 at 1-2 GiB); when the host is short the desktops
 * share it at equal pressure, and the floor inside committed leaves each a
 * few hundred MiB free even at 100% pressure, so the desktops start to page
 * only when each has about its Committed_AS + kernel + floor (~1.3 GiB).
 * Two counts are found: without more paging than the reference crowd
 * (the claim's "same performance"), and at the same performance index
 * alone (looser: the index forgives paging of cold pages). Measured:
 * static 23, Dynamic Memory 36 (+57%) and 39 (+70%): the model predicts
 * more than the published +40% (docs/validation.md says why). The band
 * asserted is the published gain within a factor of two, +20% to +80%: a
 * shape check (positive, of the published size), not a match.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "host/host.h"
#include "sim/load/scenario.h"
#include "support/model.h"
#include "support/testutil.h"

#define DENSITY_SCENARIO "scenarios/hyperv-density.json"
/* Microsoft (2010), "Hyper-V Dynamic Memory evaluation guide": VDI +40%. */
#define PUBLISHED_GAIN 0.40
#define GAIN_LOW 0.20
#define GAIN_HIGH 0.80
#define MAX_DESKTOPS 64

/* What a run of `count` desktops shows: its worst desktop. */
typedef struct Crowd {
    bool forced;       /* the host ran out of frames and swapped */
    double perf;       /* the desktops' mean performance index */
    double swap;       /* pagefile a desktop holds at the end, MiB, mean */
} Crowd;

static const SimVmSample *last_sample(const SimRun *run, guint vm)
{
    const SimRecorder *rec = sim_run_recorder(run);
    return sim_recorder_vm_sample(rec, sim_recorder_n_samples(rec) - 1, vm);
}

static Crowd run_desktops(guint count, bool dynamic)
{
    g_autofree char *path = test_source_path(DENSITY_SCENARIO);
    g_autofree char *set = g_strdup_printf("vms.0.count=%u", count);
    const char *sets[] = {set, NULL};
    GError *error = NULL;
    SimScenario *sc = sim_scenario_load_with_overrides(path, sets, &error);
    g_assert_no_error(error);
    /* startup, minimum, buffer, dynamic: hyperv-dm's defaults but dynamic */
    sc->host.n_policy_params = 4;
    sc->host.policy_params = g_new(double, 4);
    const double params[4] = {0.5, 0.25, 0.2, dynamic ? 1.0 : 0.0};
    memcpy(sc->host.policy_params, params, sizeof params);
    SimRun *run = sim_run_new(sc, NULL, &error);
    g_assert_no_error(error);
    assert_true(sim_run_execute(run, &error));
    const SimRunTotals *t = sim_run_totals(run);
    Crowd c = {.forced = host_forced_swaps(sim_run_host(run)) > 0};
    for (guint i = 0; i < t->n_vms; i++) {
        c.perf += t->vms[i].mean.perf_index / t->n_vms;
        c.swap += last_sample(run, i)->guest_swap_mb / t->n_vms;
    }
    sim_run_free(run);
    sim_scenario_free(sc);
    return c;
}

/* How a crowd is judged against the same policy's desktops with memory to
 * spare (the reference crowd). */
typedef enum {
    FIT_NO_PAGING, /* the desktops page no more than the reference's */
    FIT_PERF,      /* their performance index is no more than PERF_MARGIN below */
} FitRule;

/* What the crowd may lose to the reference (assumption): half a point of
 * the performance index, and 8 MiB of pagefile a desktop (4 pages of the
 * scenario's 2 MiB: the noise of the guests' reclaim draws). */
#define PERF_MARGIN 0.005
#define SWAP_MARGIN_MB 8.0

static bool desktops_fit(guint count, bool dynamic, FitRule rule, const Crowd *ref)
{
    Crowd c = run_desktops(count, dynamic);
    if (c.forced || c.perf < ref->perf - PERF_MARGIN) {
        return false;
    }
    return rule == FIT_PERF || c.swap <= ref->swap + SWAP_MARGIN_MB;
}

/* The most desktops that fit (bisection: more desktops never fit better). */
static guint most_desktops(bool dynamic, FitRule rule, guint ref_count)
{
    Crowd ref = run_desktops(ref_count, dynamic);
    assert_false(ref.forced);
    guint lo = ref_count, hi = MAX_DESKTOPS;
    assert_false(desktops_fit(hi, dynamic, rule, &ref));
    while (hi - lo > 1) {
        guint mid = (lo + hi) / 2;
        *(desktops_fit(mid, dynamic, rule, &ref) ? &lo : &hi) = mid;
    }
    return lo;
}

static void test_dynamic_memory_fits_more_desktops_at_the_same_performance(void **state)
{
    (void)state;
    /* static memory: its reference is one desktop; Dynamic Memory's, the
     * desktops static memory fits, which leave it memory to spare */
    guint fixed = most_desktops(false, FIT_NO_PAGING, 1);
    guint strict = most_desktops(true, FIT_NO_PAGING, fixed);
    guint loose = most_desktops(true, FIT_PERF, fixed);
    double gain = (double)strict / (double)fixed - 1.0;
    double gain_perf = (double)loose / (double)fixed - 1.0;
    print_message("static %u desktops; Dynamic Memory %u without more paging (%+.0f%%), %u at "
                  "the same performance index (%+.0f%%); published %+.0f%%\n",
                  fixed, strict, 100.0 * gain, loose, 100.0 * gain_perf, 100.0 * PUBLISHED_GAIN);
    assert_true(gain >= GAIN_LOW && gain <= GAIN_HIGH);
    /* the performance index alone forgives paging of cold pages: a looser bound */
    assert_true(gain_perf >= gain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dynamic_memory_fits_more_desktops_at_the_same_performance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
