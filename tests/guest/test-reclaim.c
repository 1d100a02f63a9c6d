/* guest/reclaim.c: the guest's own reclaim order (inactive page cache,
 * the file set's warm part, inactive anon to guest swap, active cache,
 * active anon) and double paging.
 * Each test builds one Linux VM whose memory is full (anon, the workload's
 * file set and stale cache up to the high watermark), then asks the guest
 * to free pages and checks which lists gave them. The counts are read from
 * the guest before the call, so the expected figures are the model's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "guest/guest-private.h"
#include "support/model.h"

/* 2 GiB: 256 MiB kernel, 1 GiB anon (256 MiB hot), 256 MiB file set (all
 * of it hot), the rest filled with stale cache; a guest swap device larger
 * than the anon. */
static const char *full_vm =
    "{\"duration\": \"1h\", \"host\": {\"memory\": \"16GiB\","
    "  \"compression\": {\"enabled\": false}},"
    " \"vms\": [{\"name\": \"v\", \"memory\": \"2GiB\", \"guest\": {\"swap\": \"2GiB\"},"
    "  \"workload\": {\"memory\": \"1GiB\", \"active\": \"256MiB\","
    "   \"page_cache\": \"256MiB\", \"cache_hot\": 1}}]}";

/* The same with the default file set: a quarter hot, the rest warm. */
static const char *split_cache_vm =
    "{\"duration\": \"1h\", \"host\": {\"memory\": \"16GiB\","
    "  \"compression\": {\"enabled\": false}},"
    " \"vms\": [{\"name\": \"v\", \"memory\": \"2GiB\", \"guest\": {\"swap\": \"2GiB\"},"
    "  \"workload\": {\"memory\": \"1GiB\", \"active\": \"256MiB\","
    "   \"page_cache\": \"256MiB\"}}]}";

/* The same with a 4 MiB guest swap device. */
static const char *small_swap_vm =
    "{\"duration\": \"1h\", \"host\": {\"memory\": \"16GiB\","
    "  \"compression\": {\"enabled\": false}},"
    " \"vms\": [{\"name\": \"v\", \"memory\": \"2GiB\", \"guest\": {\"swap\": \"4MiB\"},"
    "  \"workload\": {\"memory\": \"1GiB\", \"active\": \"256MiB\","
    "   \"page_cache\": \"256MiB\", \"cache_hot\": 1}}]}";

typedef struct Fixture {
    TestModel *m;
    Host *host;
    Guest *g;
    HostPages *pages;
    SimTime now;
    uint32_t before[HOST_USE_MAX]; /* pages per list before the reclaim */
} Fixture;

/* Builds the run from the scenario text given as the prestate and runs it
 * until the guest has filled its memory with cache. */
static int setup(void **state)
{
    Fixture *f = g_new0(Fixture, 1);
    f->m = test_model_new(*state);
    sim_run_until(f->m->run, 30 * SIM_MIN);
    f->host = sim_run_host(f->m->run);
    f->g = sim_run_guest(f->m->run, 0);
    f->pages = guest_pages(f->g);
    f->now = sim_run_now(f->m->run);
    for (HostUse u = 0; u < HOST_USE_MAX; u++) {
        f->before[u] = host_pages_count_use(f->pages, u);
    }
    /* every list the order names has pages to give */
    assert_true(f->before[HOST_USE_CACHE_INACTIVE] > 1000);
    assert_true(f->before[HOST_USE_ANON_INACTIVE] > 1000);
    assert_true(f->before[HOST_USE_CACHE_ACTIVE] > 1000);
    assert_true(f->before[HOST_USE_ANON_ACTIVE] > 1000);
    assert_int_equal(guest_swap_used(f->g), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    test_model_free(f->m);
    g_free(f);
    return 0;
}

/* How many pages list `use` gave up since the setup. */
static uint32_t taken(const Fixture *f, HostUse use)
{
    return f->before[use] - host_pages_count_use(f->pages, use);
}

static void assert_conserved(const Fixture *f)
{
    g_autoptr(GString) why = g_string_new(NULL);
    if (!sim_run_check(f->m->run, why)) {
        fail_msg("conservation broken: %s", why->str);
    }
}

/* Frees n pages and checks they all went to the free list; returns the
 * stall charged. */
static SimTime reclaim(Fixture *f, uint64_t n)
{
    SimTime cost = 0;
    assert_int_equal(guest_reclaim(f->g, f->host, n, f->now, &cost), n);
    assert_int_equal(guest_free_pages(f->g), f->before[HOST_USE_FREE] + n);
    assert_conserved(f);
    return cost;
}

/* Stale file data goes first, and dropping it costs nothing: it is clean,
 * and the freed pages keep their frames (the host cannot see a guest free). */
static void test_reclaim_takes_inactive_cache_before_anything_else(void **state)
{
    Fixture *f = *state;
    uint64_t used = host_frames_used(f->host);
    uint64_t n = f->before[HOST_USE_CACHE_INACTIVE] / 2;
    assert_int_equal(reclaim(f, n), 0);
    assert_int_equal(taken(f, HOST_USE_CACHE_INACTIVE), n);
    assert_int_equal(taken(f, HOST_USE_ANON_INACTIVE), 0);
    assert_int_equal(taken(f, HOST_USE_CACHE_ACTIVE), 0);
    assert_int_equal(taken(f, HOST_USE_ANON_ACTIVE), 0);
    assert_int_equal(taken(f, HOST_USE_KERNEL), 0);
    assert_int_equal(guest_swap_used(f->g), 0);
    assert_int_equal(host_frames_used(f->host), used);
}

/* Once the stale cache is gone, cold anon pages go to guest swap. */
static void test_reclaim_swaps_inactive_anon_once_inactive_cache_is_gone(void **state)
{
    Fixture *f = *state;
    uint64_t extra = f->before[HOST_USE_ANON_INACTIVE] / 2;
    reclaim(f, f->before[HOST_USE_CACHE_INACTIVE] + extra);
    assert_int_equal(host_pages_count_use(f->pages, HOST_USE_CACHE_INACTIVE), 0);
    assert_int_equal(taken(f, HOST_USE_ANON_INACTIVE), extra);
    assert_int_equal(f->g->swapped[GUEST_TIER_COLD], extra);
    assert_int_equal(f->g->swapped[GUEST_TIER_HOT], 0);
    assert_int_equal(taken(f, HOST_USE_CACHE_ACTIVE), 0);
    assert_int_equal(taken(f, HOST_USE_ANON_ACTIVE), 0);
}

/* Then the warm anon set (colder tiers first, docs/model.md "Workload:
 * access skew"), the workload's file set (each page dropped will refault
 * from disk), and the hot anon set last, each anon page to guest swap. */
static void test_reclaim_takes_warm_anon_then_active_cache_then_active_anon_last(void **state)
{
    Fixture *f = *state;
    assert_true(f->before[HOST_USE_ANON_WARM] > 1000);
    uint64_t extra = f->before[HOST_USE_ANON_ACTIVE] / 4;
    reclaim(f, f->before[HOST_USE_CACHE_INACTIVE] + f->before[HOST_USE_ANON_INACTIVE] +
                   f->before[HOST_USE_ANON_WARM] + f->before[HOST_USE_CACHE_ACTIVE] + extra);
    assert_int_equal(host_pages_count_use(f->pages, HOST_USE_CACHE_INACTIVE), 0);
    assert_int_equal(host_pages_count_use(f->pages, HOST_USE_ANON_INACTIVE), 0);
    assert_int_equal(host_pages_count_use(f->pages, HOST_USE_ANON_WARM), 0);
    assert_int_equal(host_pages_count_use(f->pages, HOST_USE_CACHE_ACTIVE), 0);
    assert_int_equal(f->g->evicted_hot, f->before[HOST_USE_CACHE_ACTIVE]);
    assert_int_equal(taken(f, HOST_USE_ANON_ACTIVE), extra);
    assert_int_equal(f->g->swapped[GUEST_TIER_HOT], extra);
    assert_int_equal(f->g->swapped[GUEST_TIER_WARM], f->before[HOST_USE_ANON_WARM]);
    assert_int_equal(f->g->swapped[GUEST_TIER_COLD], f->before[HOST_USE_ANON_INACTIVE]);
    assert_int_equal(taken(f, HOST_USE_KERNEL), 0);
}

/* Cold before warm: with all but one page of the cold tail asked for
 * beyond the stale cache, the warm set is untouched; two more take the
 * last cold page and one warm page. */
static void test_reclaim_takes_cold_anon_before_warm_anon(void **state)
{
    Fixture *f = *state;
    uint64_t extra = f->before[HOST_USE_ANON_INACTIVE] - 1;
    reclaim(f, f->before[HOST_USE_CACHE_INACTIVE] + extra);
    assert_int_equal(taken(f, HOST_USE_ANON_INACTIVE), extra);
    assert_int_equal(taken(f, HOST_USE_ANON_WARM), 0);
    SimTime cost = 0;
    assert_int_equal(guest_reclaim(f->g, f->host, 2, f->now, &cost), 2);
    assert_int_equal(host_pages_count_use(f->pages, HOST_USE_ANON_INACTIVE), 0);
    assert_int_equal(taken(f, HOST_USE_ANON_WARM), 1);
    assert_int_equal(f->g->swapped[GUEST_TIER_WARM], 1);
}

/* A full guest swap device stops anon reclaim: the order moves on to the
 * active cache instead of the rest of the cold anon. */
static void test_reclaim_skips_anon_when_guest_swap_is_full(void **state)
{
    Fixture *f = *state;
    uint64_t slots = f->g->swap_slots;
    assert_true(slots < f->before[HOST_USE_ANON_INACTIVE]);
    uint64_t extra = 10;
    reclaim(f, f->before[HOST_USE_CACHE_INACTIVE] + slots + extra);
    assert_int_equal(taken(f, HOST_USE_ANON_INACTIVE), slots);
    assert_int_equal(guest_swap_used(f->g), slots);
    assert_int_equal(taken(f, HOST_USE_CACHE_ACTIVE), extra);
    assert_int_equal(taken(f, HOST_USE_ANON_ACTIVE), 0);
    /* nothing anon can go any more: only the rest of the file set */
    SimTime cost = 0;
    uint64_t left = host_pages_count_use(f->pages, HOST_USE_CACHE_ACTIVE);
    assert_int_equal(guest_reclaim(f->g, f->host, UINT64_MAX, f->now, &cost), left);
    assert_int_equal(taken(f, HOST_USE_ANON_ACTIVE), 0);
    assert_conserved(f);
}

/* Double paging: a cold anon page the host had swapped must be read back
 * before the guest can write it to its own swap, and the reclaiming vCPU
 * waits for that read; host-swapped cache pages are dropped unread. */
static void test_reclaim_reads_back_host_swapped_anon_before_swapping_it(void **state)
{
    Fixture *f = *state;
    HostVm *v = host_vm(f->host, 0);
    host_swap_out(f->host, 0, f->pages->n / 4, f->now);
    uint64_t anon_out = host_pages_count_res(f->pages, HOST_USE_ANON_INACTIVE, HOST_RES_OUT);
    uint64_t cache_out = host_pages_count_res(f->pages, HOST_USE_CACHE_INACTIVE, HOST_RES_OUT);
    assert_true(anon_out > 100 && cache_out > 100);
    uint64_t swap_ins = v->swap_ins;
    uint64_t reads = host_swap_reads(f->host);
    uint64_t used = host_frames_used(f->host);
    SimTime cost =
        reclaim(f, f->before[HOST_USE_CACHE_INACTIVE] + f->before[HOST_USE_ANON_INACTIVE]);
    assert_int_equal(v->swap_ins, swap_ins + anon_out);
    assert_int_equal(host_swap_reads(f->host), reads + anon_out);
    assert_int_equal(host_frames_used(f->host), used + anon_out);
    /* the dropped cache pages stay in host swap, now on the free list */
    assert_int_equal(host_pages_count_res(f->pages, HOST_USE_FREE, HOST_RES_OUT), cache_out);
    /* each read costs the device's latency and the page's transfer, with no
     * queueing: the device was idle in the last tick (the swap-out's writes
     * load only the current one) */
    const SimSwapConfig *sw = &f->m->scenario->host.swap;
    SimTime one = sw->latency + sim_time_from_s((double)host_page_size(f->host) / sw->bandwidth);
    assert_int_equal(cost, (SimTime)anon_out * one);
}

/* Under pressure: allocations take free pages without reclaim down to the
 * min watermark; the allocation that finds free memory at min first
 * reclaims up to the high watermark, from the stale cache. */
static void test_reclaim_starts_at_the_min_watermark_and_refills_to_high(void **state)
{
    Fixture *f = *state;
    const GuestWatermarks *w = &f->g->wmark;
    assert_true(f->before[HOST_USE_FREE] > w->min);
    SimTime cost = 0;
    uint64_t allocated = 0;
    while (guest_free_pages(f->g) > w->min) {
        assert_int_not_equal(guest_take_free(f->g, f->host, HOST_USE_ANON_INACTIVE, f->now, &cost),
                             HOST_NO_PAGE);
        allocated++;
    }
    assert_int_equal(allocated, f->before[HOST_USE_FREE] - w->min);
    assert_int_equal(taken(f, HOST_USE_CACHE_INACTIVE), 0);
    assert_int_not_equal(guest_take_free(f->g, f->host, HOST_USE_ANON_INACTIVE, f->now, &cost),
                         HOST_NO_PAGE);
    assert_int_equal(taken(f, HOST_USE_CACHE_INACTIVE), w->high - w->min);
    assert_int_equal(guest_free_pages(f->g), w->high - 1);
    assert_int_equal(taken(f, HOST_USE_CACHE_ACTIVE), 0);
    assert_int_equal(guest_swap_used(f->g), 0);
    assert_conserved(f);
}

/* The file set's warm part goes after the stale cache and before the cold
 * anon tail: dropping it is free (clean file pages, no swap write), and a
 * dropped page is remembered, to be read back from disk when touched. */
static void test_reclaim_takes_warm_cache_after_stale_cache_before_cold_anon(void **state)
{
    Fixture *f = *state;
    uint64_t warm = f->before[HOST_USE_CACHE_WARM];
    assert_int_equal(warm + f->before[HOST_USE_CACHE_ACTIVE], (UINT64_C(256) << 20) / f->g->page_size);
    assert_int_equal(f->before[HOST_USE_CACHE_ACTIVE], (UINT64_C(64) << 20) / f->g->page_size);
    assert_int_equal(reclaim(f, f->before[HOST_USE_CACHE_INACTIVE] + warm / 2), 0);
    assert_int_equal(host_pages_count_use(f->pages, HOST_USE_CACHE_INACTIVE), 0);
    assert_int_equal(taken(f, HOST_USE_CACHE_WARM), warm / 2);
    assert_int_equal(f->g->evicted_warm, warm / 2);
    assert_int_equal(taken(f, HOST_USE_ANON_INACTIVE), 0);
    assert_int_equal(guest_swap_used(f->g), 0);
    uint64_t extra = f->before[HOST_USE_ANON_INACTIVE] / 2;
    SimTime cost = 0;
    assert_int_equal(guest_reclaim(f->g, f->host, warm - warm / 2 + extra, f->now, &cost),
                     warm - warm / 2 + extra);
    assert_conserved(f);
    assert_int_equal(host_pages_count_use(f->pages, HOST_USE_CACHE_WARM), 0);
    assert_int_equal(f->g->evicted_warm, warm);
    assert_int_equal(taken(f, HOST_USE_ANON_INACTIVE), extra);
    assert_int_equal(taken(f, HOST_USE_CACHE_ACTIVE), 0);
}

#define RECLAIM_TEST(fn, json)                                                                     \
    cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, (void *)(json))

int main(void)
{
    const struct CMUnitTest tests[] = {
        RECLAIM_TEST(test_reclaim_starts_at_the_min_watermark_and_refills_to_high, full_vm),
        RECLAIM_TEST(test_reclaim_takes_inactive_cache_before_anything_else, full_vm),
        RECLAIM_TEST(test_reclaim_swaps_inactive_anon_once_inactive_cache_is_gone, full_vm),
        RECLAIM_TEST(test_reclaim_takes_warm_anon_then_active_cache_then_active_anon_last, full_vm),
        RECLAIM_TEST(test_reclaim_takes_cold_anon_before_warm_anon, full_vm),
        RECLAIM_TEST(test_reclaim_skips_anon_when_guest_swap_is_full, small_swap_vm),
        RECLAIM_TEST(test_reclaim_reads_back_host_swapped_anon_before_swapping_it, full_vm),
        RECLAIM_TEST(test_reclaim_takes_warm_cache_after_stale_cache_before_cold_anon,
                     split_cache_vm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
