/*
 * hyperv-dm (policy/hyperv_dm.c): Hyper-V Dynamic Memory. Its tick on
 * built views (hot-add in 128 MiB chunks, Minimum and the balloon floor,
 * weight), and the real engine: a VM boots with Startup RAM, grows to
 * committed x 1.2 and up to Maximum, and a crowded host balloons the lower
 * weight first, never swapping, with conservation checked at every event.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "guest/guest.h"
#include "host/host.h"
#include "policy/policy.h"
#include "support/model.h"

#define MIB (1024.0 * 1024.0)
#define PAGE 4096u
#define PAGES(mib) ((uint64_t)((mib) * MIB / PAGE))
#define CHUNK PAGES(128)

/* ---- the tick on built views ---- */

typedef struct Bench {
    const PolicyClass *cls;
    void *state;
    PolicyVmView vms[2];
    PolicyVmTargets targets[2];
    PolicyView view;
    PolicyTargets out;
} Bench;

/* n running 4 GiB VMs with drivers at Startup (2 GiB), normal shares, on a
 * 64 GiB host with room; booted at t = 0, so they report from 45 s. */
static Bench *bench_new(guint n)
{
    Bench *b = g_new0(Bench, 1);
    b->cls = policy_lookup("hyperv-dm");
    assert_non_null(b->cls);
    b->state = g_malloc0(b->cls->state_size);
    for (guint i = 0; i < n; i++) {
        b->vms[i] = (PolicyVmView){.powered_on = true,
                                   .has_balloon = true,
                                   .configured = PAGES(4096),
                                   .limit = PAGES(4096),
                                   .shares = 10 * 4096,
                                   .consumed = PAGES(1024),
                                   .mctl = PAGES(2048),
                                   .mctl_max = PAGES(4096),
                                   .guest_available = PAGES(512),
                                   .guest_committed = PAGES(512)};
        b->targets[i].mctl_target = PAGES(2048);
    }
    b->view = (PolicyView){.host_pages = PAGES(65536),
                           .host_free = PAGES(65536) - n * PAGES(1024),
                           .min_free = PAGES(1024),
                           .n_vms = n,
                           .vms = b->vms,
                           .page_bytes = PAGE};
    b->out = (PolicyTargets){.n_vms = n, .vms = b->targets};
    GError *error = NULL;
    assert_true(b->cls->init(b->state, &b->view, &error));
    b->cls->tick(b->state, &b->view, &b->out); /* boot: the first tick that sees them */
    b->view.now = 50 * SIM_S;
    return b;
}

static void bench_free(Bench *b)
{
    b->cls->finalize(b->state);
    g_free(b->state);
    g_free(b);
}

static uint64_t assigned(const Bench *b, guint i)
{
    return b->vms[i].configured - b->targets[i].mctl_target;
}

/* hv_balloon's floor at 2 GiB and at 3.5 GiB of RAM: 232 MiB + RAM/16. */
#define FLOOR_2G PAGES(232 + 128)

static void test_tick_holds_startup_until_the_first_report(void **state)
{
    (void)state;
    Bench *b = bench_new(1);
    b->vms[0].guest_committed = PAGES(3000);
    b->view.now = 44 * SIM_S;
    b->cls->tick(b->state, &b->view, &b->out);
    assert_int_equal(assigned(b, 0), PAGES(2048));
    bench_free(b);
}

static void test_tick_hot_adds_whole_128_mib_chunks_to_committed_times_1_2(void **state)
{
    (void)state;
    Bench *b = bench_new(1);
    b->vms[0].guest_committed = PAGES(2000);
    b->cls->tick(b->state, &b->view, &b->out);
    uint64_t want = (uint64_t)((double)(PAGES(2000) + FLOOR_2G) * 1.2);
    uint64_t a = assigned(b, 0);
    print_message("want %.0f MiB, assigned %.0f MiB\n", (double)want * PAGE / MIB,
                  (double)a * PAGE / MIB);
    assert_true(a >= want && a < want + CHUNK);
    assert_int_equal((a - PAGES(2048)) % CHUNK, 0);
    /* a demand beyond Maximum: all of it */
    b->vms[0].guest_committed = PAGES(4000);
    b->cls->tick(b->state, &b->view, &b->out);
    assert_int_equal(assigned(b, 0), PAGES(4096));
    bench_free(b);
}

/* Hot-added memory stays present: it goes back by ballooning in 2 MiB
 * steps and comes back from the balloon in any amount, not in chunks. */
static void test_tick_gives_hot_added_memory_back_only_by_ballooning(void **state)
{
    (void)state;
    Bench *b = bench_new(1);
    b->vms[0].guest_committed = PAGES(2000);
    b->cls->tick(b->state, &b->view, &b->out);
    assert_int_equal(assigned(b, 0), PAGES(2944)); /* 2048 + 7 chunks */
    /* floor of 2944 MiB of RAM: 232 + 184 MiB; (1700 + 416) x 1.2 -> 2540 MiB */
    b->vms[0].guest_committed = PAGES(1700);
    b->vms[0].guest_available = PAGES(1200);
    b->cls->tick(b->state, &b->view, &b->out);
    assert_int_equal(assigned(b, 0), PAGES(2540));
    /* (1800 + 416) x 1.2 -> 2660 MiB: 120 MiB back from the balloon */
    b->vms[0].guest_committed = PAGES(1800);
    b->cls->tick(b->state, &b->view, &b->out);
    assert_int_equal(assigned(b, 0), PAGES(2660));
    bench_free(b);
}

static void test_tick_hot_adds_nothing_the_host_has_not(void **state)
{
    (void)state;
    Bench *b = bench_new(1);
    b->vms[0].guest_committed = PAGES(3000);
    /* free memory less the reserve: 100 MiB, less than a chunk */
    b->view.host_free = b->view.min_free + PAGES(100) + (PAGES(2048) - b->vms[0].consumed);
    b->cls->tick(b->state, &b->view, &b->out);
    assert_int_equal(assigned(b, 0), PAGES(2048));
    bench_free(b);
}

static void test_tick_balloons_down_to_minimum_but_not_below(void **state)
{
    (void)state;
    Bench *b = bench_new(1);
    /* an idle guest: 4 GiB's floor (488 + 256 MiB) x 1.2 < Minimum (1 GiB) */
    b->vms[0].guest_committed = 0;
    b->vms[0].guest_available = PAGES(1900);
    b->cls->tick(b->state, &b->view, &b->out);
    assert_int_equal(assigned(b, 0), PAGES(1024));
    bench_free(b);
}

static void test_tick_never_balloons_available_memory_below_the_floor(void **state)
{
    (void)state;
    Bench *b = bench_new(1);
    b->vms[0].guest_committed = 0;
    /* only 300 MiB above the floor of its 2 GiB of RAM is available */
    b->vms[0].guest_available = FLOOR_2G + PAGES(300);
    b->cls->tick(b->state, &b->view, &b->out);
    assert_int_equal(assigned(b, 0), PAGES(2048) - PAGES(300));
    bench_free(b);
}

static void test_tick_takes_from_the_lower_weight_first(void **state)
{
    (void)state;
    Bench *b = bench_new(2);
    b->vms[1].shares = 5 * 4096; /* low */
    for (guint i = 0; i < 2; i++) {
        b->vms[i].guest_committed = PAGES(1500);
        b->vms[i].guest_available = PAGES(1200); /* 840 MiB above the floor */
        b->vms[i].consumed = PAGES(2048);
    }
    /* the VMs may hold 3.5 GiB together: not both their 2 GiB */
    b->view.host_pages = PAGES(3584) + b->view.min_free;
    b->view.host_free = b->view.host_pages - 2 * PAGES(2048);
    b->cls->tick(b->state, &b->view, &b->out);
    print_message("normal %.0f MiB, low %.0f MiB\n", (double)assigned(b, 0) * PAGE / MIB,
                  (double)assigned(b, 1) * PAGE / MIB);
    /* the normal VM keeps all (it would grow to 2232 MiB: no chunk fits); the
     * low one gets what is left, 3584 - 2232 MiB */
    assert_int_equal(assigned(b, 0), PAGES(2048));
    assert_int_equal(assigned(b, 1), PAGES(1352));
    bench_free(b);
}

/* ---- the real engine ---- */

/* Checks conservation and, before the first report, that no VM holds more
 * than its Startup RAM (half of its memory) after every event. */
typedef struct Watch {
    TestModel *m;
    uint64_t startup; /* pages */
    uint64_t peak_early; /* most a VM held before 45 s, pages */
} Watch;

static void watch_hook(SimRun *run, void *data)
{
    Watch *w = data;
    w->m->checks++;
    if (w->m->violation->len == 0 && !sim_run_check(run, w->m->violation)) {
        g_string_prepend(w->m->violation, "conservation broken: ");
    }
    if (sim_run_now(run) < 45 * SIM_S) {
        const Host *host = sim_run_host(run);
        for (guint i = 0; i < w->m->scenario->vms->len; i++) {
            w->peak_early = MAX(w->peak_early, host_vm_consumed(host_vm_const(host, i)));
        }
    }
}

static void watch(TestModel *m, Watch *w, uint64_t startup)
{
    *w = (Watch){.m = m, .startup = startup};
    sim_run_set_hook(m->run, watch_hook, w);
}

static void test_a_vm_boots_with_startup_and_grows_to_maximum(void **state)
{
    (void)state;
    /* a Windows guest zeroes all its memory at boot: only Startup is there */
    TestModel *m = test_model_newf(
        "{\"duration\": \"5m\", \"host\": {\"memory\": \"16GiB\", \"policy\": \"hyperv-dm\"},"
        " \"vms\": [{\"name\": \"w\", \"memory\": \"4GiB\", \"guest\": {\"os\": \"windows\"},"
        "  \"workload\": {\"memory\": \"1GiB\", \"active\": \"512MiB\", \"page_cache\": \"0MiB\","
        "   \"phases\": [{\"at\": \"3m\", \"memory\": \"3500MiB\"}]}}]}");
    Watch w;
    watch(m, &w, PAGES(2048));
    sim_run_until(m->run, 150 * SIM_S);
    double mb = PAGE / MIB;
    uint64_t a = PAGES(4096) - host_vm_const(sim_run_host(m->run), 0)->mctl_target;
    Guest *g = sim_run_guest(m->run, 0);
    double d = (double)(guest_committed(g) + guest_kernel(g));
    print_message("before the report at most %.0f MiB; at 150 s assigned %.0f MiB for committed "
                  "+ kernel %.0f MiB\n", (double)w.peak_early * mb, (double)a * mb, d * mb);
    assert_true(w.peak_early <= w.startup);
    assert_true(w.peak_early > w.startup / 2); /* it did boot: it zeroed its Startup */
    /* committed x 1.2, committed with the floor of <= 4 GiB (<= 488 MiB), and a chunk */
    assert_true((double)a >= d * 1.2);
    assert_true((double)a <= (d + (double)PAGES(488)) * 1.2 + (double)CHUNK);
    test_model_execute(m);
    const SimVmSample *last = test_model_last_vm(m, 0);
    assert_float_equal(last->mctltgt_mb, 0.0, 0.01); /* Maximum: all 4 GiB */
    assert_string_equal(m->violation->str, "");
    test_model_free(m);
}

/* A guest without Dynamic Memory's driver sees only what it booted with
 * (Startup RAM): nothing hot-adds the rest, however much it needs. */
static void test_a_vm_without_the_driver_stays_at_startup(void **state)
{
    (void)state;
    TestModel *m = test_model_newf(
        "{\"duration\": \"4m\", \"host\": {\"memory\": \"16GiB\", \"policy\": \"hyperv-dm\"},"
        " \"vms\": [{\"name\": \"w\", \"memory\": \"4GiB\","
        "  \"guest\": {\"os\": \"windows\", \"balloon_driver\": false},"
        "  \"workload\": {\"memory\": \"3GiB\", \"active\": \"1GiB\", \"page_cache\": \"0MiB\"}}]}");
    Watch w;
    watch(m, &w, PAGES(2048));
    test_model_execute(m);
    const Host *host = sim_run_host(m->run);
    uint64_t consumed = host_vm_consumed(host_vm_const(host, 0));
    const SimVmSample *last = test_model_last_vm(m, 0);
    print_message("consumed %.0f MiB, balloon %.0f MiB, guest swap %.0f MiB\n",
                  (double)consumed * PAGE / MIB, last->mctlsz_mb, last->guest_swap_mb);
    assert_true(w.peak_early <= w.startup);
    assert_true(consumed <= w.startup);
    assert_true(consumed > w.startup * 9 / 10);
    assert_float_equal(last->mctlsz_mb, 2048.0, 0.01); /* the half it never got */
    assert_true(last->guest_swap_mb > 900.0);          /* 3 GiB of anon in under 2 */
    assert_string_equal(m->violation->str, "");
    test_model_free(m);
}

/* Four 4 GiB Linux VMs whose demand outgrows a 12 GiB host; two of low
 * weight (shares low) and two normal. */
static void test_a_crowded_host_balloons_the_lower_weight_first_and_never_swaps(void **state)
{
    (void)state;
    TestModel *m = test_model_newf(
        "{\"duration\": \"8m\", \"host\": {\"memory\": \"12GiB\", \"policy\": \"hyperv-dm\"},"
        " \"vms\": [{\"name\": \"n\", \"count\": 2, \"memory\": \"4GiB\","
        "  \"guest\": {\"cache_fill\": \"0MiB/s\"},"
        "  \"workload\": {\"memory\": \"1GiB\", \"active\": \"512MiB\","
        "   \"phases\": [{\"at\": \"3m\", \"memory\": \"3GiB\"}]}},"
        "  {\"name\": \"l\", \"count\": 2, \"memory\": \"4GiB\", \"shares\": \"low\","
        "  \"guest\": {\"cache_fill\": \"0MiB/s\"},"
        "  \"workload\": {\"memory\": \"1GiB\", \"active\": \"512MiB\","
        "   \"phases\": [{\"at\": \"3m\", \"memory\": \"3GiB\"}]}}]}");
    Watch w;
    watch(m, &w, PAGES(2048));
    test_model_execute(m);
    double normal = test_model_last_vm(m, 0)->consumed_mb;
    double low = test_model_last_vm(m, 2)->consumed_mb;
    const SimRunTotals *t = sim_run_totals(m->run);
    print_message("normal %.0f MiB, low %.0f MiB, balloon peak %.0f MiB, swapped %.0f MiB\n",
                  normal, low, t->reclaimed_balloon_mb, t->reclaimed_swapped_mb);
    assert_true(normal > low + 256.0);
    /* Minimum (1 GiB) holds */
    for (guint i = 0; i < 4; i++) {
        assert_true(test_model_last_vm(m, i)->mctlsz_mb <= 3072.0 + 0.01);
    }
    assert_true(t->reclaimed_swapped_mb == 0.0 && t->reclaimed_compressed_mb == 0.0);
    assert_int_equal(host_forced_swaps(sim_run_host(m->run)), 0);
    assert_int_equal(sim_run_warnings(m->run)->len, 0);
    assert_string_equal(m->violation->str, "");
    test_model_free(m);
}

/* Hyper-V has no limit (Maximum RAM is the configured memory) and its host
 * never swaps: a limit is not enforced, and the run says so for the
 * scenario's limit and for one an event sets, naming the VM. */
static void test_a_limit_is_warned_about_not_enforced(void **state)
{
    (void)state;
    TestModel *m = test_model_new(
        "{\"duration\": \"2m\", \"host\": {\"memory\": \"16GiB\", \"policy\": \"hyperv-dm\"},"
        " \"vms\": [{\"name\": \"capped\", \"memory\": \"4GiB\", \"limit\": \"1GiB\"},"
        "  {\"name\": \"free\", \"memory\": \"4GiB\"}],"
        " \"events\": [{\"at\": \"1m\", \"action\": \"set\", \"vm\": \"free\", \"limit\": \"2GiB\"}]}");
    test_model_execute(m);
    const GPtrArray *w = sim_run_warnings(m->run);
    assert_int_equal(w->len, 2);
    assert_string_equal(g_ptr_array_index(w, 0),
                        "VM capped: its limit is not enforced under policy hyperv-dm, whose host "
                        "never swaps (set its memory instead)");
    assert_string_equal(g_ptr_array_index(w, 1),
                        "t=60 s: VM free: its new limit is not enforced under policy hyperv-dm, "
                        "whose host never swaps");
    test_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tick_holds_startup_until_the_first_report),
        cmocka_unit_test(test_tick_hot_adds_whole_128_mib_chunks_to_committed_times_1_2),
        cmocka_unit_test(test_tick_gives_hot_added_memory_back_only_by_ballooning),
        cmocka_unit_test(test_tick_hot_adds_nothing_the_host_has_not),
        cmocka_unit_test(test_tick_balloons_down_to_minimum_but_not_below),
        cmocka_unit_test(test_tick_never_balloons_available_memory_below_the_floor),
        cmocka_unit_test(test_tick_takes_from_the_lower_weight_first),
        cmocka_unit_test(test_a_vm_boots_with_startup_and_grows_to_maximum),
        cmocka_unit_test(test_a_vm_without_the_driver_stays_at_startup),
        cmocka_unit_test(test_a_crowded_host_balloons_the_lower_weight_first_and_never_swaps),
        cmocka_unit_test(test_a_limit_is_warned_about_not_enforced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
