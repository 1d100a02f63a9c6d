/*
 * kvm-static (policy/kvm_static.c): libvirt without a balloon manager.
 * Views built here, tick by tick as the engine calls the class: each VM's
 * balloon held at configured - limit where its driver runs (currentMemory,
 * `virsh setmem`), none without a driver (the cgroup hard limit, enforced
 * by the host) or without a limit; the kernel's kswapd and ksmtuned as
 * policy/kvm.c has them. Then the real engine and the binary's trace.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <jansson.h>

#include "policy/kvm.h"
#include "support/model.h"
#include "support/testutil.h"

#define GIB_PAGES (262144ull) /* 4 KiB pages in 1 GiB */
#define KB_PER_GIB 1048576.0

typedef struct Harness {
    const PolicyClass *cls;
    void *state;
    PolicyVmView vms[2];
    PolicyVmTargets targets[2];
    PolicyTargets out;
    PolicyView view;
    json_t *line; /* the last tick's trace line */
} Harness;

/* A 4 KiB host of 64 GiB, 32 GiB free, watermarks far below; two running
 * 8 GiB guests holding 4 GiB each, both with a balloon driver, VM 0
 * limited to 6 GiB, VM 1 unlimited. */
static Harness *harness_new(void)
{
    Harness *h = g_new0(Harness, 1);
    h->cls = policy_lookup("kvm-static");
    assert_non_null(h->cls);
    assert_int_equal(h->cls->n_params, 0);
    assert_true(h->cls->era == &policy_era_kvm);
    for (guint i = 0; i < 2; i++) {
        h->vms[i] = (PolicyVmView){.powered_on = true,
                                   .has_balloon = true,
                                   .configured = 8 * GIB_PAGES,
                                   .limit = i == 0 ? 6 * GIB_PAGES : 8 * GIB_PAGES,
                                   .consumed = 4 * GIB_PAGES,
                                   .mctl_max = 8 * GIB_PAGES};
    }
    h->out = (PolicyTargets){.n_vms = 2, .vms = h->targets};
    h->view = (PolicyView){.host_pages = 64 * GIB_PAGES,
                           .host_free = 32 * GIB_PAGES,
                           .n_vms = 2,
                           .vms = h->vms,
                           .page_bytes = 4096,
                           .wmark_min = 1000,
                           .wmark_low = 1250,
                           .wmark_high = 1500};
    h->state = g_malloc0(h->cls->state_size);
    assert_true(h->cls->init(h->state, &h->view, NULL));
    return h;
}

static void harness_free(Harness *h)
{
    assert_null(h->cls->finalize);
    g_free(h->state);
    json_decref(h->line);
    g_free(h);
}

/* One class tick (1 s), with its trace line kept. */
static void tick(Harness *h)
{
    h->cls->tick(h->state, &h->view, &h->out);
    char *text = h->cls->trace(h->state, &h->view, &h->out);
    json_decref(h->line);
    h->line = json_loads(text, 0, NULL);
    g_free(text);
    assert_non_null(h->line);
    h->view.now += h->cls->period;
}

static json_t *domain(const Harness *h, guint i)
{
    json_t *d = json_array_get(json_object_get(h->line, "domains"), i);
    assert_non_null(d);
    return d;
}

static double domain_kb(const Harness *h, guint i, const char *key)
{
    json_t *v = json_object_get(domain(h, i), key);
    assert_true(json_is_number(v));
    return json_number_value(v);
}

/* With its driver the limited VM's balloon target is configured - limit
 * from the first tick on, and stays (whatever the host's free memory):
 * libvirt shows currentMemory = the limit and no hard limit. The unlimited
 * VM gets no balloon. */
static void test_driver_holds_the_balloon_at_configured_less_limit(void **state)
{
    (void)state;
    Harness *h = harness_new();
    for (int t = 0; t < 5; t++) {
        h->view.host_free = t % 2 ? 32 * GIB_PAGES : 1 * GIB_PAGES;
        tick(h);
        assert_int_equal(h->targets[0].mctl_target, 2 * GIB_PAGES);
        assert_int_equal(h->targets[1].mctl_target, 0);
        h->vms[0].mctl = h->targets[0].mctl_target; /* the driver follows */
    }
    assert_true(domain_kb(h, 0, "memory") == 8 * KB_PER_GIB);
    assert_true(domain_kb(h, 0, "currentMemory") == 6 * KB_PER_GIB);
    assert_true(domain_kb(h, 0, "actual") == 6 * KB_PER_GIB);
    assert_true(json_is_null(json_object_get(domain(h, 0), "hard_limit")));
    assert_true(domain_kb(h, 1, "currentMemory") == 8 * KB_PER_GIB);
    assert_true(json_is_null(json_object_get(domain(h, 1), "hard_limit")));
    assert_string_equal(json_string_value(json_object_get(domain(h, 0), "state")), "running");
    harness_free(h);
}

/* Without a driver the limit is the cgroup's hard limit: no balloon (the
 * host swaps the VM above it), shown as hard_limit in kB; when the driver
 * comes up the balloon takes over. */
static void test_without_driver_the_limit_is_a_hard_limit(void **state)
{
    (void)state;
    Harness *h = harness_new();
    h->vms[0].has_balloon = false;
    tick(h);
    assert_int_equal(h->targets[0].mctl_target, 0);
    assert_true(domain_kb(h, 0, "hard_limit") == 6 * KB_PER_GIB);
    assert_true(domain_kb(h, 0, "currentMemory") == 8 * KB_PER_GIB);
    assert_int_equal(h->targets[0].swap_target, 0); /* the host, not the policy, enforces it */
    h->vms[0].has_balloon = true;
    tick(h);
    assert_int_equal(h->targets[0].mctl_target, 2 * GIB_PAGES);
    assert_true(json_is_null(json_object_get(domain(h, 0), "hard_limit")));
    harness_free(h);
}

/* No limit, no balloon: a limit at (or above) the memory, a VM that is
 * off; a limit that changes (an event, `virsh setmem` again) moves the
 * target at the next tick, and taking it away deflates the balloon. */
static void test_no_target_without_a_limit(void **state)
{
    (void)state;
    Harness *h = harness_new();
    h->vms[0].limit = h->vms[0].configured;
    tick(h);
    assert_int_equal(h->targets[0].mctl_target, 0);
    h->vms[0].limit = 3 * GIB_PAGES;
    tick(h);
    assert_int_equal(h->targets[0].mctl_target, 5 * GIB_PAGES);
    h->vms[0].powered_on = false;
    tick(h);
    assert_int_equal(h->targets[0].mctl_target, 0);
    assert_string_equal(json_string_value(json_object_get(domain(h, 0), "state")), "shut off");
    h->vms[0].powered_on = true;
    h->vms[0].limit = h->vms[0].configured;
    tick(h);
    assert_int_equal(h->targets[0].mctl_target, 0);
    harness_free(h);
}

/* The kernel's part is policy_kvm_host_tick's: the same swap targets and
 * stalls as a kswapd driven alone on the same views (wakes below low,
 * works toward high by the VMs' shares, stalls below min, sleeps at high),
 * and it never touches the balloon targets. */
static void test_kswapd_is_the_kernels(void **state)
{
    (void)state;
    Harness *h = harness_new();
    h->vms[1].consumed = 2 * GIB_PAGES;
    PolicyKswapd alone = {0};
    PolicyVmTargets t[2] = {{0}};
    PolicyTargets out = {.n_vms = 2, .vms = t};
    const uint64_t free_at[] = {1300, 1200, 1400, 900, 1500, 1400};
    bool woke = false, stalled = false;
    for (guint k = 0; k < G_N_ELEMENTS(free_at); k++) {
        h->view.host_free = free_at[k];
        policy_kvm_host_tick(&alone, &h->view, &out);
        tick(h);
        for (guint i = 0; i < 2; i++) {
            assert_int_equal(h->targets[i].swap_target, t[i].swap_target);
            assert_int_equal(h->targets[i].block_alloc, t[i].block_alloc);
            h->vms[i].swapped = t[i].swap_target; /* the host follows */
        }
        assert_int_equal(h->targets[0].mctl_target, 2 * GIB_PAGES);
        assert_true(json_is_true(json_object_get(h->line, "kswapd")) == alone.awake);
        woke |= alone.awake;
        stalled |= t[0].block_alloc;
    }
    assert_true(woke && stalled);
    assert_false(alone.awake); /* asleep again at high */
    assert_false(h->out.compression);
    harness_free(h);
}

/* ksmtuned: KSM stays stopped (the kernel's 100 pages / 20 ms) until its
 * first adjust at 60 s; on a host with 16 GiB committed of 20 GiB (above
 * 80%) it then runs, boosted while free memory is under 20%, with
 * sleep_millisecs = 10 x 16 GiB / 20 GiB = 8, floored at 10; the next
 * adjust is at 120 s. */
static void test_ksmtuned_adjusts_every_minute(void **state)
{
    (void)state;
    Harness *h = harness_new();
    h->view.host_pages = 20 * GIB_PAGES;
    h->view.host_free = 2 * GIB_PAGES;
    for (int s = 0; s < 60; s++) {
        tick(h);
        assert_true(h->out.share_rate == 0.0);
    }
    json_t *ksm = json_object_get(h->line, "ksm");
    assert_true(json_integer_value(json_object_get(ksm, "run")) == 0);
    tick(h); /* t = 60 s */
    ksm = json_object_get(h->line, "ksm");
    assert_true(json_integer_value(json_object_get(ksm, "run")) == 1);
    assert_true(json_number_value(json_object_get(ksm, "pages_to_scan")) == 400.0);
    assert_true(json_number_value(json_object_get(ksm, "sleep_millisecs")) == 10.0);
    assert_true(h->out.share_rate == 400.0 * 100.0);
    assert_true(h->out.break_large_pages);
    for (int s = 61; s < 120; s++) {
        tick(h);
    }
    assert_true(h->out.share_rate == 400.0 * 100.0);
    tick(h); /* t = 120 s */
    assert_true(h->out.share_rate == 700.0 * 100.0);
    json_t *host = json_object_get(h->line, "host");
    assert_true(json_number_value(json_object_get(host, "MemTotal")) == 20 * KB_PER_GIB);
    assert_true(json_number_value(json_object_get(host, "MemFree")) == 2 * KB_PER_GIB);
    harness_free(h);
}

/* The real engine, two 4 GiB VMs limited to 2 GiB whose workload wants
 * 3 GiB, on a 16 GiB host: with the driver the balloon holds 2 GiB and
 * the host swaps nothing (the guest reclaims its own memory); without it
 * no balloon, and the host swaps the VM down to its limit. Pages are
 * conserved after every event. */
static void test_engine_balloon_or_hard_limit(void **state)
{
    (void)state;
    for (int driver = 1; driver >= 0; driver--) {
        TestModel *m = test_model_newf(
            "{\"duration\": \"3m\", \"host\": {\"memory\": \"16GiB\", \"policy\": \"kvm-static\"},"
            " \"vms\": [{\"name\": \"v\", \"count\": 2, \"memory\": \"4GiB\", \"limit\": \"2GiB\","
            "  \"guest\": {\"balloon_driver\": %s, \"cache_fill\": \"0MiB/s\"},"
            "  \"workload\": {\"memory\": \"3GiB\", \"active\": \"1GiB\"}}]}",
            driver ? "true" : "false");
        test_model_check_every_event(m);
        test_model_execute(m);
        assert_string_equal(m->violation->str, "");
        for (guint i = 0; i < 2; i++) {
            const SimVmSample *s = test_model_last_vm(m, i);
            print_message("driver %d vm %u: balloon %.4f swapped %.4f consumed %.4f MiB\n", driver,
                          i, s->mctlsz_mb, s->swcur_mb, s->consumed_mb);
            assert_true(s->consumed_mb <= 2048.0 + 4.0 / 1024.0); /* at most a page over */
            if (driver) {
                assert_true(s->mctlsz_mb == 2048.0);
                assert_true(s->swcur_mb == 0.0);
            } else {
                assert_true(s->mctlsz_mb == 0.0);
                assert_true(s->swcur_mb > 900.0);
            }
        }
        test_model_free(m);
    }
}

/* `run --policy-trace` through the binary on VSwapper's kernbench for 5 s:
 * a line a second (0 to 5 s), the domain given 192 MB of its 512 MB by its balloon
 * (currentMemory 196608 kB: the scenario's MB are MiB), no hard limit; and the same without the
 * driver: the hard limit instead. */
static void test_binary_trace_in_libvirts_names(void **state)
{
    (void)state;
    g_autofree char *dir = test_tmpdir();
    g_autofree char *trace = g_build_filename(dir, "trace.jsonl", NULL);
    g_autofree char *out = g_build_filename(dir, "out", NULL);
    g_autofree char *scenario = test_source_path("scenarios/validation/vswapper-kernbench.json");
    for (int driver = 1; driver >= 0; driver--) {
        const char *drv =
            driver ? "vms.0.guest.balloon_driver=true" : "vms.0.guest.balloon_driver=false";
        const char *argv[] = {"run",   "--quiet",        "--force", "--policy", "kvm-static",
                              "--set", "duration=5s",    "--set",   drv,        "-o",
                              out,     "--policy-trace", trace,     scenario,   NULL};
        char *text = NULL, *err = NULL;
        assert_int_equal(test_run_binary(argv, &text, &err), 0);
        g_free(text);
        g_free(err);
        g_autofree char *body = NULL;
        assert_true(g_file_get_contents(trace, &body, NULL, NULL));
        g_auto(GStrv) rows = g_strsplit(body, "\n", -1);
        guint lines = 0;
        for (; rows[lines] != NULL && rows[lines][0] != '\0'; lines++) {
            json_t *line = json_loads(rows[lines], 0, NULL);
            assert_non_null(line);
            assert_string_equal(json_string_value(json_object_get(line, "policy")), "kvm-static");
            json_t *d = json_array_get(json_object_get(line, "domains"), 0);
            assert_true(json_number_value(json_object_get(d, "memory")) == 524288.0);
            double current = json_number_value(json_object_get(d, "currentMemory"));
            json_t *hard = json_object_get(d, "hard_limit");
            if (driver) {
                assert_true(current == 196608.0 && json_is_null(hard));
            } else {
                assert_true(current == 524288.0 && json_number_value(hard) == 196608.0);
            }
            json_decref(line);
        }
        assert_int_equal(lines, 6); /* 0 s to 5 s */
    }
    test_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_driver_holds_the_balloon_at_configured_less_limit),
        cmocka_unit_test(test_without_driver_the_limit_is_a_hard_limit),
        cmocka_unit_test(test_no_target_without_a_limit),
        cmocka_unit_test(test_kswapd_is_the_kernels),
        cmocka_unit_test(test_ksmtuned_adjusts_every_minute),
        cmocka_unit_test(test_engine_balloon_or_hard_limit),
        cmocka_unit_test(test_binary_trace_in_libvirts_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
