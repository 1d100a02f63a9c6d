#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <math.h>

#include "guest/guest-private.h"
#include "sim/units.h"
#include "support/model.h"

static TestModel *one_vm(const char *os, const char *workload)
{
    return test_model_newf(
        "{\"duration\": \"2h\", \"sample_interval\": \"60s\", \"host\": {\"memory\": \"16GiB\"},"
        " \"vms\": [{\"name\": \"v\", \"memory\": \"2GiB\", \"guest\": {\"os\": \"%s\","
        "   \"kernel\": \"256MiB\"},"
        "  \"workload\": %s}]}",
        os, workload);
}

static const char *small = "{\"memory\": \"512MiB\", \"active\": \"256MiB\"}";

static void test_workload_on_a_roomy_host_never_stalls(void **state)
{
    (void)state;
    TestModel *m = one_vm("linux", small);
    GError *error = NULL;
    assert_true(sim_run_execute(m->run, &error));
    const SimRecorder *rec = sim_run_recorder(m->run);
    for (guint i = 0; i < sim_recorder_n_samples(rec); i++) {
        assert_float_equal(sim_recorder_vm_sample(rec, i, 0)->perf_index, 1.0, 0.0);
    }
    test_model_free(m);
}

static void test_windows_guest_zeroes_all_memory_at_boot(void **state)
{
    (void)state;
    TestModel *m = one_vm("windows", small);
    sim_run_until(m->run, 0);
    const HostVm *v = host_vm(sim_run_host(m->run), 0);
    assert_int_equal(host_vm_consumed(v), v->configured);
    HostPages *pages = guest_pages(sim_run_guest(m->run, 0));
    uint32_t zero = 0;
    for (uint32_t p = 0; p < pages->n; p++) {
        zero += host_pages_key(pages, p) == 0 ? 1 : 0;
    }
    assert_true(zero >= pages->n - 256 * 256); /* all but the kernel's pages */
    test_model_free(m);
}

static void test_linux_guest_touches_lazily_then_fills_memory_with_cache(void **state)
{
    (void)state;
    TestModel *m = one_vm("linux", small);
    sim_run_until(m->run, 0);
    const HostVm *v = host_vm(sim_run_host(m->run), 0);
    assert_int_equal(host_vm_consumed(v), 256 * 256); /* the kernel only */
    sim_run_until(m->run, 2 * SIM_HOUR);
    Guest *g = sim_run_guest(m->run, 0);
    /* 2 GiB - 256 MiB kernel - 512 MiB anon, all but the watermark in cache */
    assert_true(guest_cache_pages(g) > 1200 * 256);
    assert_true(guest_free_pages(g) < 32 * 256);
    /* all of it backed (some of it shared, so consumed may be less) */
    HostPages *pages = guest_pages(g);
    assert_true(host_pages_count_backing(pages, HOST_BACK_PRIVATE) +
                    host_pages_count_backing(pages, HOST_BACK_SHARED) >
                (2048 - 32) * 256);
    test_model_free(m);
}

/* Pages the host swapped come back only when touched, and each touch of one
 * costs the device's latency and transfer: the workload stalls. */
static void test_host_swapped_hot_pages_stall_until_faulted_back(void **state)
{
    (void)state;
    TestModel *m = one_vm("linux", "{\"memory\": \"1GiB\", \"active\": \"1GiB\","
                                   " \"touch_rate\": \"200000/s\"}");
    test_model_check_every_event(m);
    sim_run_until(m->run, 60 * SIM_S);
    Host *host = sim_run_host(m->run);
    uint64_t out = host_swap_out(host, 0, 64 * 256, sim_run_now(m->run));
    assert_int_equal(out, 64 * 256);
    HostPages *pages = guest_pages(sim_run_guest(m->run, 0));
    uint64_t hot_out = host_pages_count_res(pages, HOST_USE_ANON_ACTIVE, HOST_RES_OUT);
    assert_true(hot_out > 0);
    sim_run_until(m->run, 30 * SIM_MIN);
    assert_true(host_pages_count_res(pages, HOST_USE_ANON_ACTIVE, HOST_RES_OUT) < hot_out / 10);
    const SimRecorder *rec = sim_run_recorder(m->run);
    double worst = 1.0;
    for (guint i = 0; i < sim_recorder_n_samples(rec); i++) {
        worst = MIN(worst, sim_recorder_vm_sample(rec, i, 0)->perf_index);
    }
    assert_true(worst < 0.9);
    assert_string_equal(m->violation->str, "");
    test_model_free(m);
}

static void test_one_swap_in_costs_latency_plus_transfer_on_an_idle_device(void **state)
{
    (void)state;
    TestModel *m = one_vm("linux", small);
    sim_run_until(m->run, 10 * SIM_S);
    Host *host = sim_run_host(m->run);
    HostPages *pages = guest_pages(sim_run_guest(m->run, 0));
    /* the device saw no traffic in the last tick: no queueing, and this
     * write only loads the current one; no compression, so it is swapped */
    host_set_compression(host, false);
    assert_int_equal(host_swap_out(host, 0, 1, sim_run_now(m->run)), 1);
    SimRng rng;
    sim_rng_init(&rng, 1, "test");
    uint32_t p = host_pages_pick_res(pages, &rng, HOST_RES_OUT);
    assert_int_not_equal(p, HOST_NO_PAGE);
    SimTime cost = host_access(host, 0, p, host_pages_use(pages, p), sim_run_now(m->run));
    double expected_s = 0.005 + 4096.0 / (200.0 * 1024 * 1024);
    assert_float_equal(sim_time_to_s(cost), expected_s, 1e-9);
    test_model_free(m);
}

static void test_phases_change_the_workload_at_their_time(void **state)
{
    (void)state;
    TestModel *m = one_vm("linux", "{\"memory\": \"256MiB\", \"active\": \"128MiB\","
                                   " \"phases\": [{\"at\": \"10m\", \"memory\": \"1GiB\","
                                   " \"active\": \"768MiB\"}]}");
    sim_run_until(m->run, 9 * SIM_MIN);
    HostPages *pages = guest_pages(sim_run_guest(m->run, 0));
    assert_int_equal(host_pages_count_use(pages, HOST_USE_ANON_ACTIVE), 128 * 256);
    sim_run_until(m->run, 11 * SIM_MIN);
    assert_int_equal(host_pages_count_use(pages, HOST_USE_ANON_ACTIVE), 768 * 256);
    /* the warm set is a quarter of the new memory, all that the hot set leaves */
    assert_int_equal(host_pages_count_use(pages, HOST_USE_ANON_WARM), 256 * 256);
    assert_int_equal(host_pages_count_use(pages, HOST_USE_ANON_INACTIVE), 0);
    test_model_free(m);
}

/* One VM whose pages share within it (zero and duplicate contents, no large
 * pages so the scanner shares at once) on a roomy host: nothing but writes
 * can break the sharing of a hot page (no reclaim, no cache growth, a hot
 * set of constant size). `extra` ends the workload object. */
static TestModel *sharing_vm(const char *extra)
{
    return test_model_newf(
        "{\"duration\": \"1h\", \"sample_interval\": \"60s\","
        " \"host\": {\"memory\": \"16GiB\", \"sharing\": {\"large_pages\": false}},"
        " \"vms\": [{\"name\": \"v\", \"memory\": \"2GiB\","
        "  \"guest\": {\"cache_fill\": \"0MiB/s\"},"
        "  \"workload\": {\"memory\": \"1GiB\", \"active\": \"256MiB\", \"touch_rate\": \"1000/s\","
        "   \"content\": {\"zero\": 0.1, \"image_shared\": 0, \"duplicate\": 0.5}%s}}]}",
        extra);
}

/* The hot anon pages the host shares now. */
static GArray *hot_shared_pages(HostPages *pages)
{
    GArray *out = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    for (uint32_t p = 0; p < pages->n; p++) {
        if (host_pages_use(pages, p) == HOST_USE_ANON_ACTIVE &&
            host_pages_backing(pages, p) == HOST_BACK_SHARED) {
            g_array_append_val(out, p);
        }
    }
    return out;
}

/* Of the pages in `list`, how many no longer share a frame. */
static guint broken(HostPages *pages, const GArray *list)
{
    guint n = 0;
    for (guint i = 0; i < list->len; i++) {
        n += host_pages_backing(pages, g_array_index(list, uint32_t, i)) != HOST_BACK_SHARED;
    }
    return n;
}

/* Pages of `list` that no longer share a frame after the 10 minutes from
 * 30 to 40 minutes; `list` holds the hot shared pages at 30 minutes. */
static guint broken_in_ten_minutes(TestModel *m, guint *tracked)
{
    sim_run_until(m->run, 30 * SIM_MIN);
    HostPages *pages = guest_pages(sim_run_guest(m->run, 0));
    GArray *list = hot_shared_pages(pages);
    *tracked = list->len;
    sim_run_until(m->run, 40 * SIM_MIN);
    guint n = broken(pages, list);
    g_array_unref(list);
    return n;
}

static void test_write_share_zero_breaks_no_shared_page(void **state)
{
    (void)state;
    TestModel *m = sharing_vm(", \"write_share\": 0");
    test_model_check_every_event(m);
    guint tracked = 0;
    assert_int_equal(broken_in_ten_minutes(m, &tracked), 0);
    assert_true(tracked > 2000); /* the scanner found plenty to share in the hot set */
    assert_int_equal(guest_cow_breaks(sim_run_guest(m->run, 0)), 0);
    assert_string_equal(m->violation->str, "");
    test_model_free(m);
}

/*
 * With the default 0.3, each of the S shared hot anon pages is written in a
 * tick with probability p = 1 - exp(-0.3 K c / N) (K = 1000 touches a
 * second, c = 0.979 the hot set's share, N the hot set: kernel + hot anon
 * pages), so a tick breaks S p of them on average; the warm set and the
 * cold tail are only read. The sum over ten minutes of S p, with S read
 * before each tick, is what the model must have copied.
 */
static double expected_breaks(HostPages *pages)
{
    uint64_t shared = host_pages_count_res(pages, HOST_USE_ANON_ACTIVE, HOST_RES_SHARED);
    uint64_t hot = host_pages_count_use(pages, HOST_USE_KERNEL) +
                   host_pages_count_use(pages, HOST_USE_ANON_ACTIVE);
    assert_int_equal(host_pages_count_res(pages, HOST_USE_ANON_WARM, HOST_RES_SHARED) > 0, 1);
    return (double)shared * -expm1(-0.3 * 1000.0 * 0.979 / (double)hot);
}

static void test_write_share_default_breaks_shared_hot_pages(void **state)
{
    (void)state;
    TestModel *m = sharing_vm("");
    test_model_check_every_event(m);
    sim_run_until(m->run, 30 * SIM_MIN);
    Guest *g = sim_run_guest(m->run, 0);
    HostPages *pages = guest_pages(g);
    assert_float_equal(g_array_index(m->scenario->vms, SimVmConfig, 0).workload.write_share, 0.3,
                       0.0); /* the default */
    uint64_t before = guest_cow_breaks(g);
    assert_true(before > 0);
    double expected = 0;
    for (SimTime t = 30 * SIM_MIN; t < 40 * SIM_MIN; t += SIM_S) {
        expected += expected_breaks(pages);
        sim_run_until(m->run, t + SIM_S);
    }
    double got = (double)(guest_cow_breaks(g) - before);
    print_message("copy-on-write breaks in 10 min: %.0f, expected %.0f\n", got, expected);
    assert_true(expected > 1000);
    /* the binomial draws' spread is about sqrt(expected); the scanner
     * shares a few pages between the read and the tick */
    assert_float_equal(got, expected, 0.05 * expected);
    assert_string_equal(m->violation->str, "");
    test_model_free(m);
}

/* A phase changes the write share like the other workload rates: from 30
 * minutes on, no hot page the host shares is written any more. */
static void test_phase_sets_write_share(void **state)
{
    (void)state;
    TestModel *m = sharing_vm(", \"phases\": [{\"at\": \"30m\", \"write_share\": 0}]");
    guint tracked = 0;
    sim_run_until(m->run, 30 * SIM_MIN);
    uint64_t before = guest_cow_breaks(sim_run_guest(m->run, 0));
    assert_true(before > 1000); /* 0.3 until then */
    assert_int_equal(broken_in_ten_minutes(m, &tracked), 0);
    assert_true(tracked > 500);
    assert_int_equal(guest_cow_breaks(sim_run_guest(m->run, 0)), before);
    test_model_free(m);
}

/* After a tick the host's sampler sees the guest's tiers (the hot one:
 * kernel, hot anon, the file working set) and the touches each got: on a
 * roomy host nothing stalls, so the workload's whole touch rate, split by
 * the default shares 0.979 / 0.02 / 0.001. */
static void test_tick_reports_its_tiers_and_touch_rate_to_the_host(void **state)
{
    (void)state;
    TestModel *m = one_vm("linux", small);
    sim_run_until(m->run, 10 * SIM_MIN);
    Host *host = sim_run_host(m->run);
    Guest *g = sim_run_guest(m->run, 0);
    HostPages *pages = guest_pages(g);
    HostTouchTier none[HOST_TOUCH_TIERS] = {{0}};
    host_vm_report_touches(host, 0, none);
    guest_tick(g, host, sim_run_now(m->run), SIM_S);
    const HostVm *v = host_vm_const(host, 0);
    assert_int_equal(v->touch[0].pages, host_pages_count_use(pages, HOST_USE_KERNEL) +
                                            host_pages_count_use(pages, HOST_USE_ANON_ACTIVE) +
                                            host_pages_count_use(pages, HOST_USE_CACHE_ACTIVE));
    assert_int_equal(v->touch[1].pages, host_pages_count_use(pages, HOST_USE_ANON_WARM));
    assert_int_equal(v->touch[2].pages, host_pages_count_use(pages, HOST_USE_ANON_INACTIVE));
    assert_int_equal(v->touch[1].pages, 128 * 256); /* a quarter of 512 MiB */
    assert_int_equal(v->touch[2].pages, 128 * 256); /* the rest beyond 256 MiB hot */
    assert_float_equal(v->touch[0].rate, 9790.0, 1e-6); /* of the default touch_rate 10000/s */
    assert_float_equal(v->touch[1].rate, 200.0, 1e-6);
    assert_float_equal(v->touch[2].rate, 10.0, 1e-6);
    assert_float_equal(v->touch[2].demand, 10.0, 1e-6);
    test_model_free(m);
}

/* While the host blocks its allocations (low state), a guest below its anon
 * target waits the whole tick and takes no page; unblocked, it grows. */
static void test_tick_waits_while_the_host_blocks_allocation(void **state)
{
    (void)state;
    TestModel *m = one_vm("linux", "{\"memory\": \"1536MiB\", \"active\": \"256MiB\"}");
    sim_run_until(m->run, 2 * SIM_S);
    Host *host = sim_run_host(m->run);
    Guest *g = sim_run_guest(m->run, 0);
    uint64_t anon = guest_anon_pages(g);
    assert_true(anon < 1536 * SIM_MIB / 4096);
    host_vm(host, 0)->block_alloc = true; /* as the run loop writes the policy's targets */
    SimTime stalled, on;
    guest_take_interval(g, &stalled, &on);
    guest_tick(g, host, sim_run_now(m->run), SIM_S);
    guest_take_interval(g, &stalled, &on);
    assert_int_equal(stalled, SIM_S);
    assert_int_equal(on, SIM_S);
    assert_int_equal(guest_anon_pages(g), anon);
    host_vm(host, 0)->block_alloc = false;
    guest_tick(g, host, sim_run_now(m->run) + SIM_S, SIM_S);
    assert_true(guest_anon_pages(g) > anon);
    test_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_workload_on_a_roomy_host_never_stalls),
        cmocka_unit_test(test_windows_guest_zeroes_all_memory_at_boot),
        cmocka_unit_test(test_linux_guest_touches_lazily_then_fills_memory_with_cache),
        cmocka_unit_test(test_host_swapped_hot_pages_stall_until_faulted_back),
        cmocka_unit_test(test_one_swap_in_costs_latency_plus_transfer_on_an_idle_device),
        cmocka_unit_test(test_phases_change_the_workload_at_their_time),
        cmocka_unit_test(test_write_share_zero_breaks_no_shared_page),
        cmocka_unit_test(test_write_share_default_breaks_shared_hot_pages),
        cmocka_unit_test(test_phase_sets_write_share),
        cmocka_unit_test(test_tick_reports_its_tiers_and_touch_rate_to_the_host),
        cmocka_unit_test(test_tick_waits_while_the_host_blocks_allocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
