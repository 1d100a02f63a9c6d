/*
 * kvm-mom (policy/kvm_mom.c): MOM's balloon and KSM rules fed views built
 * here, tick by tick, as the engine calls them; each test asserts on what
 * the policy decided (its targets and the trace line of the evaluation,
 * in MOM's kB).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <jansson.h>
#include <math.h>

#include "policy/policy.h"
#include "support/model.h"
#include "support/testutil.h"

#define KB_PER_PAGE 4.0
#define GIB_PAGES (262144ull) /* 4 KiB pages in 1 GiB */

/* Settings, in the class's order (policy/kvm_mom.c). */
enum { P_MONITOR, P_POLICY, P_HISTORY, P_MIN_GUARANTEED, P_SLEEP_FLOOR, P_BALLOON, P_N };

typedef struct Harness {
    const PolicyClass *cls;
    void *state;
    PolicyVmView vms[2];
    PolicyVmTargets targets[2];
    PolicyTargets out;
    PolicyView view;
    double params[P_N];
    json_t *line; /* the last evaluation's trace line */
} Harness;

/* A 4 KiB host of `host_pages` pages with `free` free, two running 8 GiB
 * guests with balloon drivers, no balloon yet and 4 GiB MemFree each, and
 * kswapd's watermarks far below. */
static Harness *harness_new(uint64_t host_pages, uint64_t free)
{
    Harness *h = g_new0(Harness, 1);
    h->cls = policy_lookup("kvm-mom");
    assert_non_null(h->cls);
    assert_int_equal(h->cls->n_params, P_N);
    for (guint i = 0; i < P_N; i++) {
        h->params[i] = h->cls->params[i].def;
    }
    for (guint i = 0; i < 2; i++) {
        h->vms[i] = (PolicyVmView){.powered_on = true,
                                   .has_balloon = true,
                                   .configured = 8 * GIB_PAGES,
                                   .limit = 8 * GIB_PAGES,
                                   .consumed = 8 * GIB_PAGES,
                                   .mctl_max = 8 * GIB_PAGES,
                                   .guest_free = 4 * GIB_PAGES};
    }
    h->out = (PolicyTargets){.n_vms = 2, .vms = h->targets};
    h->view = (PolicyView){.host_pages = host_pages,
                           .host_free = free,
                           .n_vms = 2,
                           .vms = h->vms,
                           .page_bytes = 4096,
                           .wmark_min = 1000,
                           .wmark_low = 1250,
                           .wmark_high = 1500,
                           .n_params = P_N,
                           .params = h->params};
    return h;
}

/* Init after the test's settings are in place. */
static void harness_start(Harness *h)
{
    h->state = g_malloc0(h->cls->state_size);
    assert_true(h->cls->init(h->state, &h->view, NULL));
}

static void harness_free(Harness *h)
{
    h->cls->finalize(h->state);
    g_free(h->state);
    json_decref(h->line);
    g_free(h);
}

/* One class tick (5 s); true when the rules ran, with their line kept. */
static bool tick(Harness *h)
{
    h->cls->tick(h->state, &h->view, &h->out);
    h->view.now += h->cls->period;
    char *text = h->cls->trace(h->state, &h->view, &h->out);
    json_t *line = json_loads(text, 0, NULL);
    g_free(text);
    assert_non_null(line);
    if (!json_is_true(json_object_get(line, "evaluated"))) {
        json_decref(line);
        return false;
    }
    json_decref(h->line);
    h->line = line;
    return true;
}

/* Ticks up to and including the next evaluation. */
static void evaluate(Harness *h)
{
    while (!tick(h)) {
    }
}

/* Ticks until the history holds `history` samples of the present view, and
 * the evaluation after that. */
static void fill_history(Harness *h)
{
    for (int i = 0; i < (int)h->params[P_HISTORY] * 2; i++) {
        tick(h);
    }
    evaluate(h);
}

static json_t *guest_line(const Harness *h, guint i)
{
    json_t *g = json_array_get(json_object_get(h->line, "guests"), i);
    assert_non_null(g);
    return g;
}

/* The balloon_target MOM decided for guest i (kB), NAN for null. */
static double decided(const Harness *h, guint i)
{
    json_t *v = json_object_get(guest_line(h, i), "balloon_target");
    return json_is_null(v) ? NAN : json_number_value(v);
}

static double host_field(const Harness *h, const char *key)
{
    json_t *v = json_object_get(json_object_get(h->line, "host"), key);
    assert_true(json_is_number(v));
    return json_number_value(v);
}

/* The balloon driver reaches its target before the next evaluation. */
static void follow(Harness *h)
{
    for (guint i = 0; i < 2; i++) {
        h->vms[i].mctl = h->targets[i].mctl_target;
    }
}

static double cur_kb(const Harness *h, guint i)
{
    return (double)(h->vms[i].configured - h->vms[i].mctl) * KB_PER_PAGE;
}

/* MOM's own evaluator on the same input (64 GiB host, 8 GiB mem_free,
 * hfp 0.125; 8 GiB guests with 4 GiB MemFree) sets balloon_target
 * 7969177.6 kB: 95% of 8 GiB, the 5% step, above used + hfp x cur. */
static void test_worked_check_matches_moms_evaluator(void **state)
{
    (void)state;
    Harness *h = harness_new(64 * GIB_PAGES, 8 * GIB_PAGES);
    harness_start(h);
    fill_history(h);
    assert_true(host_field(h, "mem_available") == 67108864.0);
    assert_true(host_field(h, "mem_free_avg") == 8388608.0);
    for (guint i = 0; i < 2; i++) {
        assert_true(decided(h, i) == 7969177.6);
        /* the guest keeps at least 7969177.6 kB: 1992295 pages of 2097152 */
        assert_int_equal(h->targets[i].mctl_target, 2097152 - 1992295);
    }
    harness_free(h);
}

/* Under pressure with plenty of MemFree each evaluation takes 5% of what
 * the guest has now, step after step as the balloon follows. */
static void test_shrink_steps_five_percent_of_current(void **state)
{
    (void)state;
    Harness *h = harness_new(64 * GIB_PAGES, 8 * GIB_PAGES);
    harness_start(h);
    fill_history(h);
    for (int step = 0; step < 3; step++) {
        follow(h);
        double cur = cur_kb(h, 0);
        evaluate(h);
        assert_true(fabs(decided(h, 0) - 0.95 * cur) < 1e-6);
    }
    assert_true(cur_kb(h, 0) < 0.95 * 0.95 * 8388608.0);
    harness_free(h);
}

/* A change of at most 0.25% of balloon_cur is not made: the guest's floor
 * (used + hfp x cur) 0.2% under cur gives null; 0.5% under gives it. */
static void test_changes_within_a_quarter_percent_are_not_made(void **state)
{
    (void)state;
    /* hfp 0.125: floor = 1.125 cur - unused */
    Harness *h = harness_new(64 * GIB_PAGES, 8 * GIB_PAGES);
    for (guint i = 0; i < 2; i++) {
        h->vms[i].guest_free = (uint64_t)((i == 0 ? 0.127 : 0.130) * 8 * GIB_PAGES);
    }
    harness_start(h);
    fill_history(h);
    assert_true(isnan(decided(h, 0)));
    assert_int_equal(h->targets[0].mctl_target, 0);
    double cur = cur_kb(h, 1);
    double unused = (double)h->vms[1].guest_free * KB_PER_PAGE;
    assert_true(fabs(decided(h, 1) - (1.125 * cur - unused)) < 1e-6);
    harness_free(h);
}

/* hfp < 0.20 is pressure, 0.20 itself is not: with a balloon of 10% the
 * guest shrinks just below the threshold and grows at and above it. */
static void test_pressure_starts_below_twenty_percent(void **state)
{
    (void)state;
    const uint64_t free_at[] = {399999, 400000, 400001}; /* of 2000000 pages */
    for (guint k = 0; k < 3; k++) {
        Harness *h = harness_new(2000000, free_at[k]);
        for (guint i = 0; i < 2; i++) {
            h->vms[i].mctl = h->vms[i].configured / 10;
        }
        harness_start(h);
        fill_history(h);
        double cur = cur_kb(h, 0);
        if (k == 0) {
            assert_true(fabs(decided(h, 0) - 0.95 * cur) < 1e-6);
        } else {
            assert_true(fabs(decided(h, 0) - 1.05 * cur) < 1e-6);
        }
        harness_free(h);
    }
}

/* hfp <= 0.05 is critical: the guest's free share becomes hfp - 0.05, so
 * a guest with 3% MemFree is taken to its used memory (97%) at 0.05 but
 * left alone just above, where used + hfp x cur is above what it has. */
static void test_critical_at_five_percent_and_not_above(void **state)
{
    (void)state;
    const uint64_t free_at[] = {100000, 100001}; /* of 2000000 pages */
    for (guint k = 0; k < 2; k++) {
        Harness *h = harness_new(2000000, free_at[k]);
        for (guint i = 0; i < 2; i++) {
            h->vms[i].guest_free = (uint64_t)(0.03 * 8 * GIB_PAGES);
        }
        harness_start(h);
        fill_history(h);
        double cur = cur_kb(h, 0);
        double used = cur - (double)h->vms[0].guest_free * KB_PER_PAGE;
        if (k == 0) {
            assert_true(fabs(decided(h, 0) - used) < 1e-6); /* gfp 0 */
        } else {
            assert_true(isnan(decided(h, 0)));
        }
        harness_free(h);
    }
}

/* When pressure ends the balloons deflate by 5% of balloon_cur an
 * evaluation (or to used + 20% of cur) until the guest has its memory. */
static void test_balloons_deflate_when_pressure_ends(void **state)
{
    (void)state;
    Harness *h = harness_new(64 * GIB_PAGES, 8 * GIB_PAGES);
    harness_start(h);
    fill_history(h);
    follow(h);
    for (int i = 0; i < 6; i++) {
        evaluate(h);
        follow(h);
    }
    double low = cur_kb(h, 0);
    assert_true(low < 0.75 * 8388608.0);
    h->view.host_free = 32 * GIB_PAGES; /* hfp 0.5 */
    fill_history(h); /* StatAvg now sees only the free host */
    int steps = 0;
    while (!isnan(decided(h, 0))) {
        double cur = cur_kb(h, 0);
        double want = MIN(8388608.0, 1.05 * cur);
        assert_true(fabs(decided(h, 0) - want) < 1e-6 || decided(h, 0) > want);
        assert_true(decided(h, 0) > cur);
        follow(h);
        evaluate(h);
        steps++;
    }
    assert_true(steps >= 2);
    assert_int_equal(h->targets[0].mctl_target, 0); /* the whole 8 GiB back */
    assert_true(cur_kb(h, 0) == 8388608.0);
    harness_free(h);
}

/* balloon_min (min_guaranteed of the memory, or the reservation) stops
 * the 5% step: at 97% guaranteed the guest keeps 97%. */
static void test_balloon_min_floors_the_shrink(void **state)
{
    (void)state;
    Harness *h = harness_new(64 * GIB_PAGES, 8 * GIB_PAGES);
    h->params[P_MIN_GUARANTEED] = 0.97;
    h->vms[1].reservation = (uint64_t)(0.99 * 8 * GIB_PAGES);
    harness_start(h);
    fill_history(h);
    assert_true(fabs(decided(h, 0) - 0.97 * 8388608.0) < 1e-6);
    assert_true(json_number_value(json_object_get(guest_line(h, 0), "balloon_min")) ==
                0.97 * 8388608.0);
    assert_true(decided(h, 1) == (double)h->vms[1].reservation * KB_PER_PAGE);
    follow(h);
    evaluate(h); /* at its floor: 5% of it would go below */
    assert_true(isnan(decided(h, 0)));
    harness_free(h);
}

/* KSM: committed (two 8 GiB qemu VSZ) above 80% of a 16 GiB host keeps
 * it running; free below 20% boosts pages_to_scan by 300 to 1250, free
 * above decays it by 50 to 64; with little committed and free above 20%
 * it stops. Sleep = 10 ms x 16 GiB / memory. */
static void test_ksm_boosts_decays_clamps_and_stops(void **state)
{
    (void)state;
    Harness *h = harness_new(16 * GIB_PAGES, 2 * GIB_PAGES);
    h->params[P_HISTORY] = 1; /* StatAvg is the newest sample */
    harness_start(h);
    const double boosted[] = {400, 700, 1000, 1250, 1250};
    for (guint i = 0; i < G_N_ELEMENTS(boosted); i++) {
        evaluate(h);
        assert_true(host_field(h, "ksm_run") == 1.0);
        assert_true(host_field(h, "ksm_pages_to_scan") == boosted[i]);
        assert_true(host_field(h, "ksm_sleep_millisecs") == 10.0);
        assert_true(h->out.share_rate == boosted[i] * 100.0); /* pages per 10 ms */
    }
    h->view.host_free = 8 * GIB_PAGES; /* above the threshold, committed still high */
    double pages = 1250;
    while (pages > 64) {
        evaluate(h);
        pages = MAX(64.0, pages - 50.0);
        assert_true(host_field(h, "ksm_pages_to_scan") == pages);
    }
    evaluate(h);
    assert_true(host_field(h, "ksm_pages_to_scan") == 64.0);
    h->vms[1].powered_on = false; /* committed 8 GiB + overhead: below 80% */
    evaluate(h);
    assert_true(host_field(h, "ksm_run") == 0.0);
    assert_true(h->out.share_rate == 0.0);
    harness_free(h);
}

/* balloon: false leaves the balloons at 0 under pressure (host swap and
 * KSM alone). */
static void test_balloon_setting_off_never_balloons(void **state)
{
    (void)state;
    Harness *h = harness_new(64 * GIB_PAGES, 8 * GIB_PAGES);
    h->params[P_BALLOON] = 0;
    harness_start(h);
    fill_history(h);
    assert_true(isnan(decided(h, 0)));
    assert_int_equal(h->targets[0].mctl_target, 0);
    assert_int_equal(h->targets[1].mctl_target, 0);
    harness_free(h);
}

/* Monitors every 5 s, rules every 10 s: one evaluation line every second
 * tick; at VDSM's 15 s, every third. */
static void test_rules_run_every_policy_interval(void **state)
{
    (void)state;
    for (int vdsm = 0; vdsm < 2; vdsm++) {
        Harness *h = harness_new(64 * GIB_PAGES, 8 * GIB_PAGES);
        if (vdsm) {
            h->params[P_MONITOR] = 15e9;
            h->params[P_POLICY] = 15e9;
        }
        harness_start(h);
        int evaluations = 0;
        for (int i = 0; i < 12; i++) {
            evaluations += tick(h);
        }
        assert_int_equal(evaluations, vdsm ? 4 : 6);
        harness_free(h);
    }
}

/* With the real engine: four 6 GiB guests of one image growing to 5 GiB
 * of anon on a 16 GiB host (committed 24 GiB). MOM's balloons inflate
 * while host free memory is under 20%, KSM merges the image's pages, and
 * kswapd swaps what the balloons have not taken (they move 5% of a guest
 * per 10 s and stop at used + hfp x cur); pages are conserved after every
 * event. */
static void test_engine_balloons_merges_and_swaps_under_pressure(void **state)
{
    (void)state;
    TestModel *m = test_model_new(
        "{\"duration\": \"10m\", \"host\": {\"memory\": \"16GiB\", \"policy\": \"kvm-mom\","
        "  \"sharing\": {\"enabled\": true}},"
        " \"vms\": [{\"name\": \"v\", \"count\": 4, \"memory\": \"6GiB\","
        "  \"guest\": {\"cache_fill\": \"0MiB/s\", \"image\": \"linux\"},"
        "  \"workload\": {\"memory\": \"5GiB\", \"active\": \"1GiB\"}}]}");
    test_model_check_every_event(m);
    test_model_execute(m);
    const SimRunTotals *t = sim_run_totals(m->run);
    print_message("kvm-mom: balloon %.0f shared %.0f swapped %.0f compressed %.0f MiB, "
                  "%" G_GUINT64_FORMAT " checks\n",
                  t->reclaimed_balloon_mb, t->reclaimed_shared_mb, t->reclaimed_swapped_mb,
                  t->reclaimed_compressed_mb, m->checks);
    assert_true(m->checks > 0);
    assert_string_equal(m->violation->str, "");
    assert_true(t->reclaimed_balloon_mb > 1024.0);
    assert_true(t->reclaimed_shared_mb > 0.0);
    assert_true(t->reclaimed_swapped_mb > 0.0);
    assert_true(t->reclaimed_compressed_mb == 0.0); /* zswap off */
    for (guint i = 0; i < 4; i++) {
        assert_true(test_model_last_vm(m, i)->mctlsz_mb > 0.0);
    }
    test_model_free(m);
}

/* The run of `m` again with kvm-mom's setting `param` at `value` (the
 * others at their defaults), as `host.policy` {"name": "kvm-mom", ...}
 * gives them. */
static void set_param(TestModel *m, guint param, double value)
{
    const PolicyClass *cls = policy_lookup("kvm-mom");
    SimHostConfig *hc = &m->scenario->host;
    g_free(hc->policy_params);
    hc->policy_params = g_new(double, cls->n_params);
    hc->n_policy_params = cls->n_params;
    for (guint i = 0; i < cls->n_params; i++) {
        hc->policy_params[i] = i == param ? value : cls->params[i].def;
    }
    sim_run_free(m->run);
    GError *error = NULL;
    m->run = sim_run_new(m->scenario, NULL, &error);
    g_assert_no_error(error);
}

/* The same fleet with `balloon: false` (KSM and kswapd alone). MOM's
 * balloons lag: kswapd swaps as much in the first minute either way (the
 * peak), and what the balloons take later is mostly guest memory the
 * host never backed or already swapped: the host ends with a little more
 * free memory, and no more swapped. */
static void test_engine_balloons_lag_behind_kswapd(void **state)
{
    (void)state;
    double swapped[2], peak[2], free_mb[2];
    for (int off = 0; off < 2; off++) {
        TestModel *m = test_model_new(
            "{\"duration\": \"10m\", \"host\": {\"memory\": \"16GiB\", \"policy\": \"kvm-mom\","
            "  \"sharing\": {\"enabled\": true}},"
            " \"vms\": [{\"name\": \"v\", \"count\": 4, \"memory\": \"6GiB\","
            "  \"guest\": {\"cache_fill\": \"0MiB/s\", \"image\": \"linux\"},"
            "  \"workload\": {\"memory\": \"5GiB\", \"active\": \"1GiB\"}}]}");
        if (off) {
            set_param(m, P_BALLOON, 0.0);
        }
        test_model_execute(m);
        const SimRunTotals *t = sim_run_totals(m->run);
        const SimRecorder *rec = sim_run_recorder(m->run);
        free_mb[off] = sim_recorder_host_sample(rec, sim_recorder_n_samples(rec) - 1)->free_mb;
        peak[off] = t->reclaimed_swapped_mb;
        swapped[off] = 0.0;
        for (guint i = 0; i < 4; i++) {
            swapped[off] += test_model_last_vm(m, i)->swcur_mb;
        }
        print_message("balloon %s: balloon peak %.0f, swapped peak %.0f, at the end %.0f "
                      "swapped, %.0f free MiB\n",
                      off ? "off" : "on", t->reclaimed_balloon_mb, peak[off], swapped[off],
                      free_mb[off]);
        if (off) {
            assert_true(t->reclaimed_balloon_mb == 0.0);
        }
        test_model_free(m);
    }
    assert_true(fabs(peak[0] - peak[1]) < 0.01 * peak[1]);
    assert_true(swapped[0] <= swapped[1]);
    /* 1139 against 894 MiB: most of the balloons (3741 MiB) took guest
     * memory the host had not backed or had already swapped */
    assert_true(free_mb[0] > free_mb[1]);
}

/* `run --policy-trace` through the binary on the MapReduce fleet for 60 s:
 * a line every 5 s, the evaluations every 10 s in MOM's names; the first
 * guests' balloon targets appear once host free memory is under 20%. */
static void test_binary_trace_has_moms_lines(void **state)
{
    (void)state;
    g_autofree char *dir = test_tmpdir();
    g_autofree char *trace = g_build_filename(dir, "trace.jsonl", NULL);
    g_autofree char *out = g_build_filename(dir, "out", NULL);
    g_autofree char *scenario = test_source_path("scenarios/validation/vswapper-mapreduce.json");
    const char *argv[] = {"run", "--quiet", "--set", "duration=90s", "-o", out,
                          "--policy-trace", trace, scenario, NULL};
    char *text = NULL, *err = NULL;
    assert_int_equal(test_run_binary(argv, &text, &err), 0);
    g_free(text);
    g_free(err);
    g_autofree char *body = NULL;
    assert_true(g_file_get_contents(trace, &body, NULL, NULL));
    g_auto(GStrv) rows = g_strsplit(body, "\n", -1);
    guint lines = 0, evaluations = 0, targets = 0;
    for (guint i = 0; rows[i] != NULL && rows[i][0] != '\0'; i++, lines++) {
        json_t *line = json_loads(rows[i], 0, NULL);
        assert_non_null(line);
        assert_true(json_number_value(json_object_get(line, "time_s")) == 5.0 * i);
        assert_string_equal(json_string_value(json_object_get(line, "policy")), "kvm-mom");
        if (json_is_true(json_object_get(line, "evaluated"))) {
            evaluations++;
            json_t *host = json_object_get(line, "host");
            assert_true(json_number_value(json_object_get(host, "mem_available")) == 8388608.0);
            json_t *guests = json_object_get(line, "guests");
            assert_int_equal(json_array_size(guests), MIN(10, i / 2 + 1)); /* one a 10 s */
            for (size_t g = 0; g < json_array_size(guests); g++) {
                json_t *t = json_object_get(json_array_get(guests, g), "balloon_target");
                assert_true(json_is_null(t) || json_is_number(t));
                targets += json_is_number(t);
            }
        }
        json_decref(line);
    }
    assert_int_equal(lines, 19);
    assert_int_equal(evaluations, 10);
    assert_true(targets > 0);
    test_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_check_matches_moms_evaluator),
        cmocka_unit_test(test_shrink_steps_five_percent_of_current),
        cmocka_unit_test(test_changes_within_a_quarter_percent_are_not_made),
        cmocka_unit_test(test_pressure_starts_below_twenty_percent),
        cmocka_unit_test(test_critical_at_five_percent_and_not_above),
        cmocka_unit_test(test_balloons_deflate_when_pressure_ends),
        cmocka_unit_test(test_balloon_min_floors_the_shrink),
        cmocka_unit_test(test_ksm_boosts_decays_clamps_and_stops),
        cmocka_unit_test(test_balloon_setting_off_never_balloons),
        cmocka_unit_test(test_rules_run_every_policy_interval),
        cmocka_unit_test(test_engine_balloons_merges_and_swaps_under_pressure),
        cmocka_unit_test(test_engine_balloons_lag_behind_kswapd),
        cmocka_unit_test(test_binary_trace_has_moms_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
