/* host/swapdev.c: the cost of a swap device access (latency, transfer and
 * the queue the last tick's load implies) and the host cache tier that
 * takes swapped pages before the swap files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "host/host-private.h"
#include "support/model.h"

#define PAGE 4096u

/* A device moving 4 pages per millisecond, 100 us per access. */
static HostSwapDevice device(void)
{
    HostSwapDevice dev = {.latency = 100 * SIM_US, .bandwidth = 4.0 * PAGE * 1000.0};
    return dev;
}

/* An idle device costs one read its latency and its transfer (0.25 ms). */
static void test_swapdev_idle_read_costs_latency_and_transfer(void **state)
{
    (void)state;
    HostSwapDevice dev = device();
    assert_int_equal(host_swap_device_access(&dev, PAGE, 0), 350 * SIM_US);
    assert_int_equal(dev.reads, 1);
}

/* Writes cost the VM nothing, but a tick half full of them makes the next
 * tick's reads queue behind them. */
static void test_swapdev_last_ticks_writes_make_reads_wait(void **state)
{
    (void)state;
    HostSwapDevice idle = device(), loaded = device();
    host_swap_device_write(&loaded, PAGE, 2000); /* 0.5 s of transfer */
    assert_int_equal(loaded.writes, 2000);
    host_swap_device_tick(&idle, SIM_S);
    host_swap_device_tick(&loaded, SIM_S);
    assert_float_equal(loaded.utilisation, 0.5, 1e-12);
    assert_true(loaded.backlog == 0.0);
    SimTime base = host_swap_device_access(&idle, PAGE, SIM_S);
    assert_true(host_swap_device_access(&loaded, PAGE, SIM_S) > base);
}

/* More work than a tick can do is carried over: the next read waits for
 * all of it, and an idle tick then works it off. */
static void test_swapdev_overload_is_carried_as_backlog(void **state)
{
    (void)state;
    HostSwapDevice dev = device();
    host_swap_device_write(&dev, PAGE, 12000); /* 3 s of transfer in a 1 s tick */
    host_swap_device_tick(&dev, SIM_S);
    assert_float_equal(dev.backlog, 2.0, 1e-9);
    assert_true(dev.utilisation < 1.0);
    assert_true(host_swap_device_access(&dev, PAGE, SIM_S) > 2 * SIM_S);
    host_swap_device_tick(&dev, SIM_S); /* 2 s + that read's transfer, less 1 s */
    host_swap_device_tick(&dev, SIM_S);
    host_swap_device_tick(&dev, SIM_S);
    assert_true(dev.backlog == 0.0);
}

/* A 1 MiB host cache: the first 256 pages swapped out go to it, the rest to
 * the swap file; a page that leaves the cache makes room for the next.
 * Sharing is off so that every victim is written (share before swap would
 * map the zero pages of the default content instead). */
static void test_swapdev_cache_tier_fills_before_the_swap_file(void **state)
{
    (void)state;
    TestModel *m = test_model_new(
        "{\"duration\": \"1h\", \"host\": {\"memory\": \"16GiB\","
        "  \"sharing\": {\"enabled\": false},"
        "  \"compression\": {\"enabled\": false}, \"swap\": {\"cache\": {\"size\": \"1MiB\"}}},"
        " \"vms\": [{\"name\": \"v\", \"memory\": \"2GiB\","
        "  \"guest\": {\"cache_fill\": \"0MiB/s\"},"
        "  \"workload\": {\"memory\": \"512MiB\", \"active\": \"256MiB\"}}]}");
    sim_run_until(m->run, 10 * SIM_S);
    Host *host = sim_run_host(m->run);
    HostVm *v = host_vm(host, 0);
    SimTime now = sim_run_now(m->run);
    uint64_t writes = host_swap_writes(host);
    assert_int_equal(host_swap_out(host, 0, 300, now), 300);
    assert_int_equal(host_pages_count_backing(v->pages, HOST_BACK_CACHE_SWAP), 256);
    assert_int_equal(host_pages_count_backing(v->pages, HOST_BACK_SWAP), 44);
    assert_int_equal(host_swap_writes(host), writes + 300);
    assert_int_equal(host_vm_swapped(v), 300);
    SimRng rng;
    sim_rng_init(&rng, 1, "test-swapdev");
    uint32_t p = HOST_NO_PAGE;
    while (p == HOST_NO_PAGE || host_pages_backing(v->pages, p) != HOST_BACK_CACHE_SWAP) {
        p = host_pages_pick_res(v->pages, &rng, HOST_RES_OUT);
    }
    host_release(host, 0, p, HOST_USE_FREE);
    assert_int_equal(host_swap_out(host, 0, 1, now), 1);
    assert_int_equal(host_pages_count_backing(v->pages, HOST_BACK_CACHE_SWAP), 256);
    assert_int_equal(host_pages_count_backing(v->pages, HOST_BACK_SWAP), 44);
    g_autoptr(GString) why = g_string_new(NULL);
    if (!sim_run_check(m->run, why)) {
        fail_msg("conservation broken: %s", why->str);
    }
    test_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_swapdev_idle_read_costs_latency_and_transfer),
        cmocka_unit_test(test_swapdev_last_ticks_writes_make_reads_wait),
        cmocka_unit_test(test_swapdev_overload_is_carried_as_backlog),
        cmocka_unit_test(test_swapdev_cache_tier_fills_before_the_swap_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
