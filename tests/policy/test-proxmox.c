/*
 * proxmox (policy/proxmox.c): pvestatd's auto_balloning and AutoBalloon.pm
 * compute_alg1 on views built by hand (the 80% goal, the 10 MiB dead band,
 * the 100 MiB step, shares, the clamps, who shrinks and who grows first,
 * the balloon at boot, ksmtuned), and a run of the real engine where the
 * host's use settles near 80% and KSM merges identical pages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <jansson.h>
#include <math.h>

#include "policy/policy.h"
#include "support/model.h"

#define PAGE 4096u
#define MIB (1024.0 * 1024.0)
#define MIB_PAGES 256u
#define N_MAX 4
#define HOST_MB 16000u

/* VMs under the policy on a host built by hand: 4 KiB pages, 16000 MiB,
 * so that 80% of it is a whole number of pages. */
typedef struct Pve {
    const PolicyClass *cls;
    void *state;
    PolicyVmView vms[N_MAX];
    PolicyVmTargets targets[N_MAX];
    PolicyView view;
    PolicyTargets out;
    double params[8];
} Pve;

/* n running 4 GiB VMs with drivers, normal shares (10 per MiB), their
 * balloons empty, no free memory. */
static Pve *pve_new(guint n)
{
    Pve *p = g_new0(Pve, 1);
    p->cls = policy_lookup("proxmox");
    assert_non_null(p->cls);
    for (guint i = 0; i < p->cls->n_params; i++) {
        p->params[i] = p->cls->params[i].def;
    }
    for (guint i = 0; i < n; i++) {
        uint64_t c = 4096 * MIB_PAGES;
        p->vms[i] = (PolicyVmView){.powered_on = true,
                                   .has_balloon = true,
                                   .configured = c,
                                   .limit = c,
                                   .shares = 10 * 4096,
                                   .consumed = c,
                                   .mctl_max = c};
    }
    uint64_t host = HOST_MB * MIB_PAGES;
    p->view = (PolicyView){.host_pages = host,
                           .host_free = host / 5,
                           .n_vms = n,
                           .vms = p->vms,
                           .page_bytes = PAGE,
                           .wmark_min = 16 * MIB_PAGES,
                           .wmark_low = 20 * MIB_PAGES,
                           .wmark_high = 24 * MIB_PAGES,
                           .n_params = p->cls->n_params,
                           .params = p->params};
    p->out = (PolicyTargets){.n_vms = n, .vms = p->targets};
    p->state = g_malloc0(p->cls->state_size);
    assert_true(p->cls->init(p->state, &p->view, NULL));
    return p;
}

static void pve_free(Pve *p)
{
    p->cls->finalize(p->state);
    g_free(p->state);
    g_free(p);
}

static void pve_param(Pve *p, const char *name, double value)
{
    for (guint i = 0; i < p->cls->n_params; i++) {
        if (strcmp(p->cls->params[i].name, name) == 0) {
            p->params[i] = value;
            return;
        }
    }
    fail_msg("no setting %s", name);
}

static void pve_tick_at(Pve *p, double seconds)
{
    p->view.now = (SimTime)(seconds * SIM_S);
    p->cls->tick(p->state, &p->view, &p->out);
}

/* Sets each VM's memory now (balloon `actual`) to what its target asks:
 * the balloon driver got there. */
static void pve_reach_targets(Pve *p)
{
    for (guint i = 0; i < p->view.n_vms; i++) {
        p->vms[i].mctl = p->targets[i].mctl_target;
    }
}

/* The VM's memory size the policy asks for, MiB. */
static double asked_mb(const Pve *p, guint i)
{
    return (double)(p->vms[i].configured - p->targets[i].mctl_target) / MIB_PAGES;
}

/* Host use such that pvestatd's goal is `goal_mb` (0.8 x 16000 MiB - used). */
static void pve_goal(Pve *p, int goal_mb)
{
    uint64_t used_mb = (uint64_t)(HOST_MB * 4 / 5 - goal_mb);
    p->view.host_free = p->view.host_pages - used_mb * MIB_PAGES;
}

/* Whether the memory asked for VM i is `mb`, within the rounding of
 * compute_alg1's int() and QEMU's page shift (two pages). */
static bool asked_is(const Pve *p, guint i, double mb)
{
    return fabs(asked_mb(p, i) - mb) <= 2.0 / MIB_PAGES;
}

/* Boots at 0 s (each VM at its balloon minimum, as qemu-server's vm_start
 * sets it), the driver gets there, then pvestatd's first cycle at 10 s. */
static void pve_first_cycle(Pve *p)
{
    pve_tick_at(p, 0.0);
    pve_reach_targets(p);
    pve_tick_at(p, 10.0);
}

/* A trace field: top level (vm < 0) or of VM vm. */
static json_t *pve_traced(Pve *p, int vm, const char *obj, const char *key)
{
    char *text = p->cls->trace(p->state, &p->view, &p->out);
    json_t *line = json_loads(text, 0, NULL);
    g_free(text);
    assert_non_null(line);
    json_t *o = vm < 0 ? line : json_array_get(json_object_get(line, "vms"), (size_t)vm);
    if (obj != NULL) {
        o = json_object_get(o, obj);
    }
    json_t *v = json_incref(json_object_get(o, key));
    json_decref(line);
    assert_non_null(v);
    return v;
}

static double pve_traced_num(Pve *p, int vm, const char *obj, const char *key)
{
    json_t *v = pve_traced(p, vm, obj, key);
    assert_true(json_is_number(v));
    double d = json_number_value(v);
    json_decref(v);
    return d;
}

/* Every VM boots at its `balloon` minimum (50% by default), then grows by
 * 100 MiB per 10 s cycle while the host is under 80%: goal = int(0.8 x
 * memtotal - memused), in bytes. */
static void test_boots_at_minimum_and_grows_100mib_per_cycle_toward_80pct(void **state)
{
    (void)state;
    Pve *p = pve_new(2);
    pve_tick_at(p, 0.0);
    assert_true(asked_is(p, 0, 2048.0) && asked_is(p, 1, 2048.0));
    pve_reach_targets(p);
    p->view.host_free = 10000 * MIB_PAGES;
    for (int s = 1; s < 10; s++) {
        pve_tick_at(p, s);
        assert_true(asked_is(p, 0, 2048.0)); /* pvestatd runs every 10 s */
    }
    pve_tick_at(p, 10.0);
    double total = HOST_MB * MIB, used = (HOST_MB - 10000.0) * MIB;
    assert_true(pve_traced_num(p, -1, "host", "memtotal") == total);
    assert_true(pve_traced_num(p, -1, "host", "memused") == used);
    assert_true(pve_traced_num(p, -1, "host", "goal") == (double)(int64_t)(0.8 * total - used));
    assert_true(asked_is(p, 0, 2148.0) && asked_is(p, 1, 2148.0));
    assert_true(pve_traced_num(p, 0, NULL, "target") == 2148.0 * MIB);
    pve_reach_targets(p);
    pve_tick_at(p, 20.0);
    assert_true(asked_is(p, 0, 2248.0) && asked_is(p, 1, 2248.0));
    pve_free(p);
}

/* |goal| <= 10 MiB: nothing moves; just beyond, the VMs move. */
static void test_dead_band_of_10mib(void **state)
{
    (void)state;
    Pve *p = pve_new(2);
    pve_goal(p, 10);
    pve_first_cycle(p);
    assert_true(pve_traced_num(p, -1, "host", "goal") == 10.0 * MIB);
    assert_true(asked_is(p, 0, 2048.0) && asked_is(p, 1, 2048.0));
    json_t *target = pve_traced(p, 0, NULL, "target");
    assert_true(json_is_null(target)); /* no balloon command */
    json_decref(target);
    pve_goal(p, -10);
    pve_tick_at(p, 20.0);
    assert_true(asked_is(p, 0, 2048.0) && asked_is(p, 1, 2048.0));
    pve_goal(p, 12);
    pve_tick_at(p, 30.0);
    assert_true(asked_is(p, 0, 2054.0) && asked_is(p, 1, 2054.0)); /* 12 MiB over two */
    pve_free(p);
}

/* The goal is spread by shares: high (20 per MiB, Proxmox 2000) gets twice
 * what normal (1000) gets, within the step. */
static void test_spreads_the_goal_by_shares(void **state)
{
    (void)state;
    Pve *p = pve_new(2);
    p->vms[1].shares = 20 * 4096;
    pve_goal(p, 60);
    pve_first_cycle(p);
    assert_true(pve_traced_num(p, 0, NULL, "shares") == 1000.0);
    assert_true(pve_traced_num(p, 1, NULL, "shares") == 2000.0);
    assert_true(asked_is(p, 0, 2048.0 + 20.0));
    assert_true(asked_is(p, 1, 2048.0 + 40.0));
    pve_free(p);
}

/* Each VM moves at most `step` (100 MiB) a cycle; with a larger step the
 * share is clamped to [balloon_min, maxmem] (here a 75% minimum). */
static void test_step_and_clamps(void **state)
{
    (void)state;
    Pve *p = pve_new(2);
    pve_goal(p, 3000);
    pve_first_cycle(p);
    assert_true(asked_is(p, 0, 2148.0) && asked_is(p, 1, 2148.0));
    pve_free(p);

    p = pve_new(2);
    pve_param(p, "step", 64.0 * 1024 * MIB);
    pve_param(p, "balloon_min", 0.75);
    pve_goal(p, 6000); /* 3000 each would pass maxmem: clamped at 4096 */
    pve_first_cycle(p);
    assert_true(asked_is(p, 0, 4096.0) && asked_is(p, 1, 4096.0));
    assert_int_equal(p->targets[0].mctl_target, 0);
    pve_reach_targets(p);
    pve_goal(p, -3000); /* 1500 each would pass the 3072 MiB minimum */
    pve_tick_at(p, 20.0);
    assert_true(asked_is(p, 0, 3072.0) && asked_is(p, 1, 3072.0));
    pve_free(p);
}

/* Shrinking takes first from the VMs with free memory above a quarter of
 * their minimum; growing feeds first the VMs under pressure. */
static void test_shrink_takes_from_free_vms_first_and_grow_feeds_pressure(void **state)
{
    (void)state;
    Pve *p = pve_new(2);
    pve_tick_at(p, 0.0);
    for (guint i = 0; i < 2; i++) { /* both at 3 GiB, as an earlier cycle asked */
        p->vms[i].mctl = p->targets[i].mctl_target = 1024 * MIB_PAGES;
    }
    p->vms[0].guest_free = 1024 * MIB_PAGES; /* > 0.25 x 2 GiB */
    p->vms[1].guest_free = 64 * MIB_PAGES;
    pve_goal(p, -150);
    pve_tick_at(p, 10.0);
    json_t *list = pve_traced(p, 0, NULL, "list");
    assert_string_equal(json_string_value(list), "free");
    json_decref(list);
    list = pve_traced(p, 1, NULL, "list");
    assert_string_equal(json_string_value(list), "pressure");
    json_decref(list);
    assert_true(asked_is(p, 0, 3072.0 - 100.0)); /* the step */
    assert_true(asked_is(p, 1, 3072.0));         /* the rest is left: progress was made */
    pve_goal(p, 50);
    pve_tick_at(p, 20.0);
    assert_true(asked_is(p, 1, 3072.0 + 50.0)); /* the VM under pressure first */
    assert_true(asked_is(p, 0, 3072.0 - 100.0));
    pve_free(p);
}

/* When no VM has free memory to spare, every VM shrinks. */
static void test_shrink_falls_back_to_all_vms(void **state)
{
    (void)state;
    Pve *p = pve_new(2);
    pve_tick_at(p, 0.0);
    p->vms[0].mctl = p->vms[1].mctl = 1024 * MIB_PAGES;
    pve_goal(p, -150);
    pve_tick_at(p, 10.0);
    assert_true(asked_is(p, 0, 3072.0 - 75.0) && asked_is(p, 1, 3072.0 - 75.0));
    pve_free(p);
}

/* A VM without a driver, or with balloon_min 0 (the option unset), is not
 * auto-ballooned; an off VM holds no balloon. */
static void test_skips_vms_without_driver_or_minimum(void **state)
{
    (void)state;
    Pve *p = pve_new(2);
    p->vms[1].has_balloon = false;
    pve_goal(p, 100);
    pve_first_cycle(p);
    assert_true(asked_is(p, 0, 2148.0));
    assert_int_equal(p->targets[1].mctl_target, 0);
    json_t *list = pve_traced(p, 1, NULL, "list");
    assert_true(json_is_null(list));
    json_decref(list);
    pve_free(p);

    p = pve_new(1);
    pve_param(p, "balloon_min", 0.0);
    pve_goal(p, -2000);
    pve_first_cycle(p);
    assert_int_equal(p->targets[0].mctl_target, 0);
    p->vms[0].powered_on = false;
    p->targets[0].mctl_target = 7;
    pve_tick_at(p, 11.0);
    assert_int_equal(p->targets[0].mctl_target, 0);
    pve_free(p);
}

/* ksmtuned every 60 s: 16 GiB committed + 20% > 16000 MiB total, so KSM
 * runs, sleep max(10 ms x 16 GiB / total, 10) = 10.24 ms, pages_to_scan
 * 100 boosted by 300 (free < 20%): a host-wide 39062.5 pages/s. */
static void test_ksmtuned_starts_ksm_every_60s(void **state)
{
    (void)state;
    Pve *p = pve_new(4);
    p->view.host_free = 1024 * MIB_PAGES;
    pve_tick_at(p, 0.0);
    pve_tick_at(p, 59.0);
    assert_true(p->out.share_rate == 0.0);
    pve_tick_at(p, 60.0);
    double sleep_ms = 10.0 * 16777216.0 / (HOST_MB * 1024.0);
    assert_true(p->out.share_rate == 400.0 * 1000.0 / sleep_ms);
    assert_true(fabs(p->out.share_rate - 39062.5) < 1e-6);
    assert_true(p->out.break_large_pages);
    json_t *run = pve_traced(p, -1, "ksm", "run");
    assert_true(json_is_true(run));
    json_decref(run);
    pve_free(p);
}

/* Four 4 GiB VMs with 3 GiB of anon on a 16 GiB host, 30% of their pages
 * alike: they boot at 2 GiB, grow back 100 MiB a cycle while the host
 * is under 80%, and stop there; KSM merges the alike pages; no host swap;
 * conservation after every event. */
static void test_run_settles_near_80pct_with_ksm(void **state)
{
    (void)state;
    TestModel *m = test_model_new("{\"duration\": \"10m\", \"sample_interval\": \"10s\","
                                  " \"host\": {\"memory\": \"16GiB\", \"policy\": \"proxmox\"},"
                                  " \"vms\": [{\"name\": \"v\", \"count\": 4, \"memory\": \"4GiB\","
                                  "  \"workload\": {\"memory\": \"3GiB\", \"active\": \"1GiB\","
                                  "   \"content\": {\"image_shared\": 0.3, \"zero\": 0.1}}}]}");
    test_model_check_every_event(m);
    test_model_execute(m);
    assert_string_equal(m->violation->str, "");
    const SimRecorder *rec = sim_run_recorder(m->run);
    guint n = sim_recorder_n_samples(rec);
    double use = 0.0;
    for (guint i = n - 6; i < n; i++) { /* the last minute */
        use += (16384.0 - sim_recorder_host_sample(rec, i)->free_mb) / 16384.0 / 6.0;
    }
    const SimHostSample *last = sim_recorder_host_sample(rec, n - 1);
    print_message("host use %.3f, shared %.0f MiB (saved %.0f), balloons %.0f MiB\n", use,
                  last->shared_mb, last->shrdsvd_mb, last->mctlsz_mb);
    assert_true(use > 0.78 && use < 0.82);
    assert_true(last->shrdsvd_mb > 500.0);
    assert_true(last->mctlsz_mb > 1024.0);
    const SimRunTotals *t = sim_run_totals(m->run);
    assert_true(t->reclaimed_swapped_mb == 0.0 && t->reclaimed_compressed_mb == 0.0);
    test_model_free(m);
}

/* The trace of an engine run: every 10 s pvestatd's line holds the goal it
 * computed from the view it saw, and each `balloon` command it sent is the
 * balloon target the engine applied. */
typedef struct Traced {
    guint cycles;   /* lines where pvestatd ran */
    guint commands; /* balloon commands checked */
} Traced;

static void check_line(const PolicyView *view, const PolicyTargets *decided, const char *line,
                       void *data)
{
    Traced *t = data;
    json_t *o = json_loads(line, 0, NULL);
    assert_non_null(o);
    if (json_is_true(json_object_get(o, "ran"))) {
        t->cycles++;
        assert_int_equal(view->now % (10 * SIM_S), 0);
        json_t *host = json_object_get(o, "host");
        double total = (double)view->host_pages * (double)view->page_bytes;
        double used = total - (double)view->host_free * (double)view->page_bytes;
        assert_true(json_number_value(json_object_get(host, "memtotal")) == total);
        assert_true(json_number_value(json_object_get(host, "goal")) == trunc(0.8 * total - used));
        for (guint i = 0; i < view->n_vms; i++) {
            json_t *target =
                json_object_get(json_array_get(json_object_get(o, "vms"), i), "target");
            if (json_is_number(target)) {
                double bytes = (double)view->vms[i].configured * (double)view->page_bytes -
                               json_number_value(target);
                assert_int_equal(decided->vms[i].mctl_target,
                                 (uint64_t)floor(bytes / (double)view->page_bytes));
                t->commands++;
            }
        }
    }
    json_decref(o);
}

static void test_run_trace_holds_pvestatd_goal_and_commands(void **state)
{
    (void)state;
    TestModel *m = test_model_new(
        "{\"duration\": \"2m\", \"host\": {\"memory\": \"16GiB\", \"policy\": \"proxmox\"},"
        " \"vms\": [{\"name\": \"v\", \"count\": 3, \"memory\": \"4GiB\","
        "  \"workload\": {\"memory\": \"3GiB\", \"active\": \"1GiB\"}}]}");
    Traced t = {0};
    sim_run_set_trace(m->run, check_line, &t);
    test_model_execute(m);
    assert_int_equal(t.cycles, 12); /* 10 s .. 120 s */
    assert_true(t.commands > 12);
    test_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boots_at_minimum_and_grows_100mib_per_cycle_toward_80pct),
        cmocka_unit_test(test_dead_band_of_10mib),
        cmocka_unit_test(test_spreads_the_goal_by_shares),
        cmocka_unit_test(test_step_and_clamps),
        cmocka_unit_test(test_shrink_takes_from_free_vms_first_and_grow_feeds_pressure),
        cmocka_unit_test(test_shrink_falls_back_to_all_vms),
        cmocka_unit_test(test_skips_vms_without_driver_or_minimum),
        cmocka_unit_test(test_ksmtuned_starts_ksm_every_60s),
        cmocka_unit_test(test_run_settles_near_80pct_with_ksm),
        cmocka_unit_test(test_run_trace_holds_pvestatd_goal_and_commands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
