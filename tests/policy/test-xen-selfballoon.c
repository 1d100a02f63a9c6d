/*
 * xen-selfballoon (policy/xen_selfballoon.c): selfballoon_process of Linux
 * drivers/xen/xen-selfballoon.c on views built by hand (the 1/8 shrink,
 * the full grow, the 5 s worker, the floor at each band boundary), and a
 * run of the real engine where the balloons follow Committed_AS and the
 * host never swaps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <jansson.h>
#include <math.h>

#include "guest/guest.h"
#include "policy/policy.h"
#include "support/model.h"

#define PAGE 4096u
#define MIB_PAGES 256u /* 4 KiB pages in a MiB */

/* One guest under the policy, on a view built by hand (4 KiB pages). */
typedef struct Xen {
    const PolicyClass *cls;
    void *state;
    PolicyVmView vm;
    PolicyVmTargets target;
    PolicyView view;
    PolicyTargets out;
    double params[8];
} Xen;

static Xen *xen_new(uint64_t configured, uint64_t kernel, uint64_t committed, uint64_t mctl)
{
    Xen *x = g_new0(Xen, 1);
    x->cls = policy_lookup("xen-selfballoon");
    assert_non_null(x->cls);
    assert_true(x->cls->n_params <= G_N_ELEMENTS(x->params));
    for (guint i = 0; i < x->cls->n_params; i++) {
        x->params[i] = x->cls->params[i].def;
    }
    x->vm = (PolicyVmView){.powered_on = true,
                           .has_balloon = true,
                           .configured = configured,
                           .limit = configured,
                           .consumed = configured - mctl,
                           .mctl = mctl,
                           .mctl_max = configured,
                           .guest_committed = committed,
                           .guest_kernel = kernel};
    x->view = (PolicyView){.host_pages = 4 * configured,
                           .host_free = configured,
                           .n_vms = 1,
                           .vms = &x->vm,
                           .page_bytes = PAGE,
                           .n_params = x->cls->n_params,
                           .params = x->params};
    x->out = (PolicyTargets){.n_vms = 1, .vms = &x->target};
    x->state = g_malloc0(x->cls->state_size);
    assert_true(x->cls->init(x->state, &x->view, NULL));
    return x;
}

static void xen_free(Xen *x)
{
    x->cls->finalize(x->state);
    g_free(x->state);
    g_free(x);
}

static void xen_param(Xen *x, const char *name, double value)
{
    for (guint i = 0; i < x->cls->n_params; i++) {
        if (strcmp(x->cls->params[i].name, name) == 0) {
            x->params[i] = value;
            return;
        }
    }
    fail_msg("no setting %s", name);
}

static void xen_tick_at(Xen *x, double seconds)
{
    x->view.now = (SimTime)(seconds * SIM_S);
    x->cls->tick(x->state, &x->view, &x->out);
}

/* The worker's first run: the guest is seen at 0 and its worker runs
 * `interval` later. */
static void xen_first_run(Xen *x)
{
    xen_tick_at(x, 0.0);
    xen_tick_at(x, x->params[0] / SIM_S);
}

/* A field of the guest's trace entry. */
static double xen_traced(Xen *x, const char *key)
{
    char *text = x->cls->trace(x->state, &x->view, &x->out);
    json_t *line = json_loads(text, 0, NULL);
    g_free(text);
    assert_non_null(line);
    json_t *v = json_object_get(json_array_get(json_object_get(line, "guests"), 0), key);
    assert_true(json_is_number(v) || json_is_boolean(v));
    double d = json_is_boolean(v) ? (json_is_true(v) ? 1.0 : 0.0) : json_number_value(v);
    json_decref(line);
    return d;
}

/* Linux's high watermark of a guest of n pages (the test's own
 * min_free_kbytes arithmetic): min = sqrt(16 x kB) in [128, 262144],
 * high = min + 2 x max(min / 4, kB / 1000). */
static uint64_t high_wmark(uint64_t n)
{
    double kb = (double)n * 4.0;
    double min_kb = fmin(262144.0, fmax(128.0, sqrt(16.0 * kb)));
    return (uint64_t)ceil((min_kb + 2.0 * fmax(min_kb / 4.0, kb / 1000.0)) / 4.0);
}

/* 4 GiB: min_free_kbytes sqrt(16 x 4194304) = 8192 kB, high = 8192 + 2 x
 * 4194.3 kB = 16580.6 kB, 4146 pages: the goal is Committed_AS + 4146. A
 * guest holding 3 GiB above its goal gives back an eighth of the gap. */
static void test_shrinks_by_an_eighth_of_the_gap_every_5s(void **state)
{
    (void)state;
    uint64_t n = 4096 * MIB_PAGES, kernel = 64 * MIB_PAGES, committed = 512 * MIB_PAGES;
    Xen *x = xen_new(n, kernel, committed, 0);
    xen_tick_at(x, 0.0);
    for (int s = 1; s < 5; s++) {
        xen_tick_at(x, s);
        assert_int_equal(x->target.mctl_target, 0); /* the worker waits its 5 s */
        assert_true(xen_traced(x, "ran") == 0.0);
    }
    xen_tick_at(x, 5.0);
    assert_true(xen_traced(x, "ran") == 1.0);
    assert_true(xen_traced(x, "totalreserve_pages") == 4146.0);
    uint64_t cur = n - kernel, goal = committed + 4146;
    assert_true(xen_traced(x, "cur_pages") == (double)cur);
    assert_true(xen_traced(x, "goal_pages") == (double)goal);
    uint64_t tgt = cur - (cur - goal) / 8;
    assert_true(xen_traced(x, "tgt_pages") == (double)tgt);
    assert_true(xen_traced(x, "target_kb") == (double)tgt * 4.0);
    /* the balloon takes the rest; the kernel's boot-reserved pages are
     * outside totalram_pages and stay */
    assert_int_equal(x->target.mctl_target, n - kernel - tgt);
    /* the balloon reached it: the next run, 5 s later, takes an eighth of
     * the smaller gap */
    x->vm.mctl = x->target.mctl_target;
    xen_tick_at(x, 9.0);
    assert_int_equal(x->target.mctl_target, n - kernel - tgt);
    xen_tick_at(x, 10.0);
    uint64_t tgt2 = tgt - (tgt - goal) / 8;
    assert_int_equal(x->target.mctl_target, n - kernel - tgt2);
    assert_int_equal(x->target.swap_target, 0);
    assert_false(x->target.block_alloc);
    xen_free(x);
}

/* Below its goal the guest takes the whole gap back at once (uphysteresis
 * 1); with uphysteresis 4, a quarter. */
static void test_grows_by_the_whole_gap(void **state)
{
    (void)state;
    uint64_t n = 4096 * MIB_PAGES, committed = 3000 * MIB_PAGES, mctl = 2048 * MIB_PAGES;
    Xen *x = xen_new(n, 0, committed, mctl);
    xen_first_run(x);
    uint64_t goal = committed + 4146;
    assert_int_equal(x->target.mctl_target, n - goal);
    xen_free(x);

    x = xen_new(n, 0, committed, mctl);
    xen_param(x, "uphysteresis", 4.0);
    xen_first_run(x);
    uint64_t cur = n - mctl;
    assert_int_equal(x->target.mctl_target, n - (cur + (goal - cur) / 4));
    xen_free(x);
}

/* The guest alone decides: the host's free memory changes nothing. */
static void test_ignores_the_hosts_free_memory(void **state)
{
    (void)state;
    uint64_t n = 2048 * MIB_PAGES;
    Xen *full = xen_new(n, 0, 256 * MIB_PAGES, 0);
    Xen *empty = xen_new(n, 0, 256 * MIB_PAGES, 0);
    full->view.host_free = 0;
    empty->view.host_free = empty->view.host_pages;
    xen_first_run(full);
    xen_first_run(empty);
    assert_true(full->target.mctl_target > 0);
    assert_int_equal(full->target.mctl_target, empty->target.mctl_target);
    xen_free(full);
    xen_free(empty);
}

/* The configured pages whose useful memory (max_pfn - totalreserve) is
 * exactly `useful` pages (max_pfn - reserve hits every integer: the
 * reserve grows by at most one page a page). */
static uint64_t pages_with_useful(uint64_t useful)
{
    uint64_t n = useful;
    while (n - high_wmark(n) < useful) {
        n++;
    }
    assert_int_equal(n - high_wmark(n), useful);
    return n;
}

/* The floor of a guest with `useful` pages, as the policy computed it:
 * committed 0 and downhysteresis 1 put tgt under any floor. Returns the
 * balloon target; *reserve is the policy's totalreserve. */
static uint64_t floor_balloon(uint64_t useful, uint64_t *n_out, uint64_t *reserve)
{
    uint64_t n = pages_with_useful(useful);
    Xen *x = xen_new(n, 0, 0, 0);
    xen_param(x, "downhysteresis", 1.0);
    xen_first_run(x);
    *reserve = (uint64_t)xen_traced(x, "totalreserve_pages");
    assert_int_equal(*reserve, high_wmark(n));
    assert_int_equal((uint64_t)xen_traced(x, "tgt_pages"), (uint64_t)xen_traced(x, "floor_pages"));
    uint64_t mctl = x->target.mctl_target;
    *n_out = n;
    xen_free(x);
    return mctl;
}

/* selfballoon_process's piecewise floor at each boundary: < 16 MiB useful
 * no ballooning; [16, 64) reserve + 16 MiB + half the rest; [64, 512)
 * reserve + 40 MiB + an eighth; beyond, reserve + 99 MiB + 1/32. */
static void test_floor_at_each_band_boundary(void **state)
{
    (void)state;
    uint64_t n, r;
    const uint64_t m16 = 16 * MIB_PAGES, m40 = 40 * MIB_PAGES, m64 = 64 * MIB_PAGES,
                   m99 = 99 * MIB_PAGES, m512 = 512 * MIB_PAGES;
    /* below 16 MiB the floor is max_pfn; at 16 MiB the band starts at
     * the same point (reserve + 16 MiB = max_pfn), then half of each page
     * above it is kept */
    uint64_t b = floor_balloon(m16 - 1, &n, &r);
    assert_int_equal(b, 0); /* not worth ballooning */
    b = floor_balloon(m16, &n, &r);
    assert_int_equal(b, n - (r + m16));
    assert_int_equal(b, 0);
    b = floor_balloon(m16 + 2, &n, &r);
    assert_int_equal(b, n - (r + m16 + 1));
    assert_int_equal(b, 1);
    b = floor_balloon(m64 - 1, &n, &r);
    assert_int_equal(b, n - (r + m16 + ((m64 - 1 - m16) >> 1)));
    b = floor_balloon(m64, &n, &r);
    assert_int_equal(b, n - (r + m40 + ((m64 - m40) >> 3)));
    b = floor_balloon(m512 - 1, &n, &r);
    assert_int_equal(b, n - (r + m40 + ((m512 - 1 - m40) >> 3)));
    b = floor_balloon(m512, &n, &r);
    assert_int_equal(b, n - (r + m99 + ((m512 - m99) >> 5)));
    /* 4 GiB: 4096 MiB - 4146 reserve pages useful; floor = reserve + 99 MiB
     * + (useful - 99 MiB) / 32, about 225 MiB */
    uint64_t useful = 4096 * MIB_PAGES - 4146;
    b = floor_balloon(useful, &n, &r);
    assert_int_equal(b, n - (r + m99 + ((useful - m99) >> 5)));
    assert_int_equal(n, 4096 * MIB_PAGES);
}

/* A guest of 16 MiB useful or less never balloons, even above its goal. */
static void test_no_ballooning_under_16mib_useful(void **state)
{
    (void)state;
    uint64_t n = pages_with_useful(16 * MIB_PAGES - 1);
    Xen *x = xen_new(n, 0, 0, 0);
    xen_tick_at(x, 0.0);
    for (int s = 5; s <= 60; s += 5) {
        xen_tick_at(x, s);
        assert_int_equal(x->target.mctl_target, 0);
    }
    assert_true(xen_traced(x, "floor_pages") == (double)n);
    xen_free(x);
}

/* min_usable (selfballoon_min_usable_mb) replaces the piecewise floor:
 * reserve + min_usable. */
static void test_min_usable_sets_the_floor(void **state)
{
    (void)state;
    uint64_t n = 4096 * MIB_PAGES;
    Xen *x = xen_new(n, 0, 0, 0);
    xen_param(x, "downhysteresis", 1.0);
    xen_param(x, "min_usable", 1024.0 * 1024 * 1024);
    xen_first_run(x);
    assert_int_equal(x->target.mctl_target, n - (4146 + 1024 * MIB_PAGES));
    xen_free(x);
}

/* A guest that is off, or without a balloon driver, balloons nothing;
 * a guest powered on again waits its interval before its first run. */
static void test_off_or_without_driver_balloons_nothing(void **state)
{
    (void)state;
    uint64_t n = 4096 * MIB_PAGES;
    Xen *x = xen_new(n, 0, 0, 0);
    xen_first_run(x);
    assert_true(x->target.mctl_target > 0);
    x->vm.powered_on = false;
    xen_tick_at(x, 6.0);
    assert_int_equal(x->target.mctl_target, 0);
    x->vm.powered_on = true;
    xen_tick_at(x, 7.0);
    assert_int_equal(x->target.mctl_target, 0);
    xen_tick_at(x, 11.0);
    assert_int_equal(x->target.mctl_target, 0);
    xen_tick_at(x, 12.0);
    assert_true(x->target.mctl_target > 0);
    x->vm.has_balloon = false;
    xen_tick_at(x, 17.0);
    assert_int_equal(x->target.mctl_target, 0);
    xen_free(x);
}

/* Four 4 GiB Linux guests on a 16 GiB host, 1 GiB of anon each, growing
 * to 2.5 GiB at 4 min: each balloon settles near configured - kernel -
 * Committed_AS - totalreserve, shrinks in 1/8 steps, gives the memory
 * back when Committed_AS grows; the host never swaps, shares or
 * compresses, and conservation holds after every event. */
static void test_run_balloons_follow_committed_memory(void **state)
{
    (void)state;
    TestModel *m =
        test_model_new("{\"duration\": \"8m\", \"sample_interval\": \"10s\","
                       " \"host\": {\"memory\": \"16GiB\", \"policy\": \"xen-selfballoon\","
                       "  \"sharing\": {\"enabled\": true}},"
                       " \"vms\": [{\"name\": \"v\", \"count\": 4, \"memory\": \"4GiB\","
                       "  \"guest\": {\"cache_fill\": \"0MiB/s\"},"
                       "  \"workload\": {\"memory\": \"1GiB\", \"active\": \"512MiB\","
                       "   \"phases\": [{\"at\": \"4m\", \"memory\": \"2560MiB\"}]}}]}");
    test_model_check_every_event(m);
    sim_run_until(m->run, 235 * SIM_S); /* before the phase */
    double before[4];
    for (guint i = 0; i < 4; i++) {
        Guest *g = sim_run_guest(m->run, i);
        double committed = (double)guest_committed(g) * PAGE / (1 << 20);
        double kernel = (double)guest_kernel(g) * PAGE / (1 << 20);
        before[i] = (double)guest_balloon_size(g) * PAGE / (1 << 20);
        print_message("v-%u at 235 s: balloon %.1f MiB, committed %.1f, kernel %.1f\n", i + 1,
                      before[i], committed, kernel);
        /* 4096 - kernel - committed - 16.2 MiB reserve, within the last
         * steps of 1/8 */
        double settled = 4096.0 - kernel - committed - 4146.0 / 256.0;
        assert_true(before[i] > settled - 64.0 && before[i] <= settled + 1.0);
    }
    test_model_execute(m);
    assert_string_equal(m->violation->str, "");
    print_message("%" G_GUINT64_FORMAT " conservation checks\n", m->checks);
    assert_true(m->checks > 8 * 60); /* at least one a simulated second */
    const SimRunTotals *t = sim_run_totals(m->run);
    assert_true(t->reclaimed_swapped_mb == 0.0);
    assert_true(t->reclaimed_compressed_mb == 0.0);
    assert_true(t->reclaimed_shared_mb == 0.0);
    for (guint i = 0; i < 4; i++) {
        double after = test_model_last_vm(m, i)->mctlsz_mb;
        print_message("v-%u at 8m: balloon %.1f MiB\n", i + 1, after);
        assert_true(after < before[i] - 1024.0); /* 1.5 GiB more committed */
        assert_true(test_model_last_vm(m, i)->swcur_mb == 0.0);
    }
    assert_int_equal(sim_run_warnings(m->run)->len, 0);
    test_model_free(m);
}

/* The trace of an engine run: each guest's worker runs every 5 s, and the
 * balloon target the engine applied is configured - kernel - tgt_pages. */
static void check_line(const PolicyView *view, const PolicyTargets *decided, const char *line,
                       void *data)
{
    guint *runs = data;
    json_t *o = json_loads(line, 0, NULL);
    assert_non_null(o);
    for (guint i = 0; i < view->n_vms; i++) {
        json_t *g = json_array_get(json_object_get(o, "guests"), i);
        bool ran = json_is_true(json_object_get(g, "ran"));
        assert_true(ran == (view->now > 0 && view->now % (5 * SIM_S) == 0));
        if (ran) {
            (*runs)++;
            uint64_t tgt = (uint64_t)json_integer_value(json_object_get(g, "tgt_pages"));
            assert_int_equal(decided->vms[i].mctl_target,
                             view->vms[i].configured - view->vms[i].guest_kernel - tgt);
        }
    }
    json_decref(o);
}

static void test_run_trace_has_each_workers_decision(void **state)
{
    (void)state;
    TestModel *m = test_model_new(
        "{\"duration\": \"1m\", \"host\": {\"memory\": \"8GiB\", \"policy\": \"xen-selfballoon\"},"
        " \"vms\": [{\"name\": \"v\", \"count\": 2, \"memory\": \"2GiB\","
        "  \"workload\": {\"memory\": \"512MiB\", \"active\": \"256MiB\"}}]}");
    guint runs = 0;
    sim_run_set_trace(m->run, check_line, &runs);
    test_model_execute(m);
    assert_int_equal(runs, 2 * 12); /* 5 s .. 60 s, two guests */
    test_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shrinks_by_an_eighth_of_the_gap_every_5s),
        cmocka_unit_test(test_grows_by_the_whole_gap),
        cmocka_unit_test(test_ignores_the_hosts_free_memory),
        cmocka_unit_test(test_floor_at_each_band_boundary),
        cmocka_unit_test(test_no_ballooning_under_16mib_useful),
        cmocka_unit_test(test_min_usable_sets_the_floor),
        cmocka_unit_test(test_off_or_without_driver_balloons_nothing),
        cmocka_unit_test(test_run_balloons_follow_committed_memory),
        cmocka_unit_test(test_run_trace_has_each_workers_decision),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
