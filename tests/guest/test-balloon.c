#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "guest/guest-private.h" /* the slow rate: g->balloon.rate_slow */
#include "support/model.h"

#define MIB_PAGES(m) ((uint64_t)(m)*256)

/* A 1 GiB Linux guest on a roomy host: 384 MiB anon (64 MiB hot), 128 MiB
 * of file working set, and a slow cache fill, so after a minute it has free
 * memory, inactive cache, cold anon and hot memory to give, in that order. */
static const char *guest_json =
    "{\"duration\": \"1h\", \"host\": {\"memory\": \"8GiB\"},"
    " \"vms\": [{\"name\": \"g\", \"memory\": \"1GiB\","
    "  \"guest\": {\"kernel\": \"64MiB\", \"swap\": \"1GiB\", \"cache_fill\": \"1MiB/s\"},"
    "  \"workload\": {\"memory\": \"384MiB\", \"active\": \"64MiB\", \"page_cache\": \"128MiB\","
    "                \"touch_rate\": \"1000/s\", \"cache_hot\": 1}}]}";

typedef struct Snapshot {
    uint64_t balloon, free, cache_inactive, cache_active, swap, anon_active;
} Snapshot;

static Snapshot snap(Guest *g)
{
    HostPages *pages = guest_pages(g);
    return (Snapshot){
        .balloon = guest_balloon_size(g),
        .free = guest_free_pages(g),
        .cache_inactive = host_pages_count_use(pages, HOST_USE_CACHE_INACTIVE),
        .cache_active = host_pages_count_use(pages, HOST_USE_CACHE_ACTIVE),
        .swap = guest_swap_used(g),
        .anon_active = host_pages_count_use(pages, HOST_USE_ANON_ACTIVE),
    };
}

static void test_balloon_takes_free_then_cache_then_swap(void **state)
{
    (void)state;
    TestModel *m = test_model_new(guest_json);
    test_model_check_every_event(m);
    sim_run_until(m->run, 60 * SIM_S);
    Guest *g = sim_run_guest(m->run, 0);
    Host *host = sim_run_host(m->run);
    Snapshot before = snap(g);
    assert_true(before.free > MIB_PAGES(300));
    assert_true(before.cache_inactive > MIB_PAGES(40));
    bool saw_cache_drop = false, saw_swap = false;
    Snapshot prev = before;
    for (int poll = 0; poll < 400; poll++) {
        guest_balloon_poll(g, host, guest_balloon_max(g), sim_run_now(m->run));
        Snapshot now = snap(g);
        assert_true(now.balloon >= prev.balloon);
        if (now.cache_inactive < prev.cache_inactive) {
            saw_cache_drop = true;
            assert_false(saw_swap); /* inactive cache goes before any guest swap */
            assert_true(now.free < MIB_PAGES(32));
        }
        if (now.swap > prev.swap) {
            saw_swap = true;
            assert_int_equal(now.cache_inactive, 0);
        }
        /* the file working set and the hot set stay while cold memory remains */
        assert_int_equal(now.cache_active, before.cache_active);
        assert_int_equal(now.anon_active, before.anon_active);
        prev = now;
    }
    assert_true(saw_cache_drop);
    assert_true(saw_swap);
    assert_int_equal(prev.balloon, guest_balloon_max(g));
    GString *why = g_string_new(NULL);
    assert_true(sim_run_check(m->run, why));
    g_string_free(why, TRUE);
    test_model_free(m);
}

static void test_balloon_inflates_16384_pages_per_poll_from_free_memory(void **state)
{
    (void)state;
    TestModel *m = test_model_new(guest_json);
    sim_run_until(m->run, 10 * SIM_S);
    Guest *g = sim_run_guest(m->run, 0);
    guest_balloon_poll(g, sim_run_host(m->run), guest_balloon_max(g), sim_run_now(m->run));
    assert_int_equal(guest_balloon_size(g), 16384);
    guest_balloon_poll(g, sim_run_host(m->run), 20000, sim_run_now(m->run));
    assert_int_equal(guest_balloon_size(g), 20000);
    test_model_free(m);
}

/* The driver's rates count 4 KiB pages (vmw_balloon) at any page size:
 * with 2 MiB pages the 16384 pages of a fast poll are 32 pages (64 MiB),
 * deflate_slow's 1024 are 2, and a rate of 16 pages per poll, 1/32 of a
 * page, moves one page every 32 polls. */
static TestModel *guest_at_2m(const char *balloon)
{
    char *json = g_strdup_printf(
        "{\"duration\": \"1h\", \"host\": {\"memory\": \"8GiB\", \"page_size\": \"2MiB\"},"
        " \"vms\": [{\"name\": \"g\", \"memory\": \"1GiB\","
        "  \"guest\": {\"kernel\": \"64MiB\", \"cache_fill\": \"1MiB/s\", \"balloon\": %s},"
        "  \"workload\": {\"memory\": \"384MiB\", \"active\": \"64MiB\"}}]}",
        balloon);
    TestModel *m = test_model_new(json);
    g_free(json);
    sim_run_until(m->run, 60 * SIM_S);
    return m;
}

static void test_balloon_rates_are_4k_pages_per_poll_at_2m_pages(void **state)
{
    (void)state;
    TestModel *m = guest_at_2m("{}");
    Guest *g = sim_run_guest(m->run, 0);
    Host *host = sim_run_host(m->run);
    guest_balloon_poll(g, host, guest_balloon_max(g), sim_run_now(m->run));
    assert_int_equal(guest_balloon_size(g), 16384 / 512);
    guest_balloon_poll(g, host, 0, sim_run_now(m->run));
    assert_int_equal(guest_balloon_size(g), 16384 / 512 - 1024 / 512);
    test_model_free(m);
}

static void test_balloon_rate_below_one_2m_page_carries_over_polls(void **state)
{
    (void)state;
    TestModel *m = guest_at_2m("{\"deflate_slow\": 16}");
    Guest *g = sim_run_guest(m->run, 0);
    Host *host = sim_run_host(m->run);
    guest_balloon_poll(g, host, 10, sim_run_now(m->run));
    assert_int_equal(guest_balloon_size(g), 10);
    for (int poll = 1; poll < 32; poll++) {
        guest_balloon_poll(g, host, 0, sim_run_now(m->run));
        assert_int_equal(guest_balloon_size(g), 10);
    }
    guest_balloon_poll(g, host, 0, sim_run_now(m->run));
    assert_int_equal(guest_balloon_size(g), 9);
    test_model_free(m);
}

static void test_balloon_pages_are_released_to_the_host(void **state)
{
    (void)state;
    /* a Windows guest zeroed all its memory at boot: its free pages are backed */
    TestModel *m = test_model_new(
        "{\"duration\": \"1h\", \"host\": {\"memory\": \"8GiB\"},"
        " \"vms\": [{\"name\": \"w\", \"memory\": \"1GiB\", \"guest\": {\"os\": \"windows\"},"
        "  \"workload\": {\"memory\": \"256MiB\"}}]}");
    sim_run_until(m->run, 60 * SIM_S);
    Guest *g = sim_run_guest(m->run, 0);
    Host *host = sim_run_host(m->run);
    uint64_t free_before = host_free_pages(host);
    uint64_t backed_free = host_pages_count_private(guest_pages(g), HOST_USE_FREE);
    assert_true(backed_free > 0);
    guest_balloon_poll(g, host, 16384, sim_run_now(m->run));
    /* LIFO: backed free pages go first, and each one frees a host frame */
    assert_int_equal(host_free_pages(host) - free_before, MIN(backed_free, 16384));
    assert_int_equal(host_pages_count_use(guest_pages(g), HOST_USE_BALLOON),
                     host_pages_count(guest_pages(g), HOST_USE_BALLOON, HOST_BACK_NONE));
    test_model_free(m);
}

/* Three VMs, each with a different binding cap: Mem.CtlMaxPercent,
 * max_balloon, and configured - reservation. */
static void test_balloon_cap_is_the_smallest_of_the_three_limits(void **state)
{
    (void)state;
    TestModel *m = test_model_new(
        "{\"duration\": \"10m\", \"host\": {\"memory\": \"16GiB\"}, \"vms\": ["
        " {\"name\": \"ctl\", \"memory\": \"1GiB\"},"
        " {\"name\": \"vmmax\", \"memory\": \"1GiB\", \"max_balloon\": \"40%\"},"
        " {\"name\": \"resv\", \"memory\": \"1GiB\", \"reservation\": \"768MiB\"},"
        " {\"name\": \"nodrv\", \"memory\": \"1GiB\", \"guest\": {\"balloon_driver\": false}}]}");
    sim_run_until(m->run, 5 * SIM_S);
    const uint64_t pages = 262144;
    const uint64_t expected[] = {(uint64_t)(0.65 * pages), (uint64_t)(0.40 * pages), pages / 4, 0};
    for (guint i = 0; i < 4; i++) {
        Guest *g = sim_run_guest(m->run, i);
        assert_int_equal(guest_balloon_max(g), expected[i]);
        for (int poll = 0; poll < 100; poll++) {
            guest_balloon_poll(g, sim_run_host(m->run), pages, sim_run_now(m->run));
        }
        assert_int_equal(guest_balloon_size(g), expected[i]);
    }
    test_model_free(m);
}

static void test_balloon_deflates_slowly_when_the_guest_needs_nothing(void **state)
{
    (void)state;
    TestModel *m = test_model_new(guest_json);
    sim_run_until(m->run, 60 * SIM_S);
    Guest *g = sim_run_guest(m->run, 0);
    Host *host = sim_run_host(m->run);
    guest_balloon_poll(g, host, 16384, sim_run_now(m->run));
    guest_balloon_poll(g, host, 0, sim_run_now(m->run));
    assert_int_equal(guest_balloon_size(g), 16384 - 1024);
    test_model_free(m);
}

/* The slow rate (docs/model.md "Balloon driver", after vmw_balloon's
 * rate_alloc): 2048 pages per poll, halved on a failed allocation down to
 * 512, +16 per good poll back to 2048. */

/* A 1 GiB Linux guest whose memory is all hot anon, with no guest swap and
 * no page cache: once the balloon has taken its free memory, the guest can
 * reclaim nothing and every allocation the balloon makes fails. */
static const char *no_reclaim_json =
    "{\"duration\": \"1h\", \"host\": {\"memory\": \"8GiB\"},"
    " \"vms\": [{\"name\": \"g\", \"memory\": \"1GiB\","
    "  \"guest\": {\"kernel\": \"64MiB\", \"swap\": \"0\", \"cache_fill\": \"0MiB/s\"},"
    "  \"workload\": {\"memory\": \"768MiB\", \"active\": \"768MiB\", \"page_cache\": \"0\"}}]}";

/* Fixture: that guest a minute after power-on, its workload at full size. */
static int no_reclaim_setup(void **state)
{
    TestModel *m = test_model_new(no_reclaim_json);
    test_model_check_every_event(m);
    sim_run_until(m->run, 60 * SIM_S);
    *state = m;
    return 0;
}

static int model_teardown(void **state)
{
    TestModel *m = *state;
    GString *why = g_string_new(NULL);
    bool ok = sim_run_check(m->run, why);
    if (!ok) {
        fail_msg("conservation: %s", why->str);
    }
    g_string_free(why, TRUE);
    test_model_free(m);
    return 0;
}

/* One poll toward the cap; returns the pages the balloon grew by. */
static uint64_t poll_to_max(TestModel *m)
{
    Guest *g = sim_run_guest(m->run, 0);
    uint64_t before = guest_balloon_size(g);
    guest_balloon_poll(g, sim_run_host(m->run), guest_balloon_max(g), sim_run_now(m->run));
    return guest_balloon_size(g) - before;
}

static void test_balloon_slow_rate_halves_on_each_failed_allocation_down_to_512(void **state)
{
    TestModel *m = *state;
    Guest *g = sim_run_guest(m->run, 0);
    assert_int_equal(g->balloon.rate_slow, 2048);
    /* free memory above the low watermark goes at the fast rate, no reclaim */
    while (guest_free_pages(g) > g->wmark.low + 16384) {
        assert_int_equal(poll_to_max(m), 16384);
        assert_int_equal(g->balloon.rate_slow, 2048);
    }
    /* the rest of the free memory, then the first allocation that must
     * reclaim fails: the guest stops at its min watermark */
    uint64_t got = poll_to_max(m);
    assert_true(got > 0);
    assert_int_equal(guest_free_pages(g), g->wmark.min);
    const uint32_t expected[] = {1024, 512, 512, 512};
    assert_int_equal(g->balloon.rate_slow, expected[0]);
    for (size_t i = 1; i < G_N_ELEMENTS(expected); i++) {
        assert_int_equal(poll_to_max(m), 0);
        assert_int_equal(g->balloon.rate_slow, expected[i]);
        assert_int_equal(guest_free_pages(g), g->wmark.min);
    }
    assert_true(guest_balloon_size(g) < guest_balloon_max(g));
}

/* Drives the no-reclaim guest's balloon until an allocation fails at the
 * slowest rate. */
static void fail_down_to_the_slowest_rate(TestModel *m)
{
    Guest *g = sim_run_guest(m->run, 0);
    for (int poll = 0; poll < 100 && g->balloon.rate_slow > 512; poll++) {
        poll_to_max(m);
    }
    assert_int_equal(g->balloon.rate_slow, 512);
    assert_int_equal(poll_to_max(m), 0);
}

static void test_balloon_slow_rate_grows_by_16_per_good_poll_back_to_2048(void **state)
{
    TestModel *m = *state;
    Guest *g = sim_run_guest(m->run, 0);
    Host *host = sim_run_host(m->run);
    fail_down_to_the_slowest_rate(m);
    /* Give the guest 4096 free pages back (a deflation), then take them
     * again: the last ones come from between the low and min watermarks,
     * through the slow path, and no allocation fails. */
    uint64_t size = guest_balloon_size(g);
    uint32_t rate = g->balloon.rate_slow;
    int good_polls = 0;
    for (int cycle = 0; cycle < 120; cycle++) {
        guest_balloon_poll(g, host, size - 4096, sim_run_now(m->run));
        assert_int_equal(guest_balloon_size(g), size - 4096);
        assert_int_equal(g->balloon.rate_slow, rate); /* deflation leaves the rate alone */
        guest_balloon_poll(g, host, size, sim_run_now(m->run));
        assert_int_equal(guest_balloon_size(g), size);
        assert_int_equal(guest_free_pages(g), g->wmark.min);
        uint32_t next = g->balloon.rate_slow;
        if (rate < 2048) {
            assert_int_equal(next, rate + 16);
            good_polls++;
        } else {
            assert_int_equal(next, 2048); /* never above the maximum */
        }
        rate = next;
    }
    assert_int_equal(good_polls, (2048 - 512) / 16);
    /* and a failure halves it again */
    assert_int_equal(poll_to_max(m), 0);
    assert_int_equal(g->balloon.rate_slow, 1024);
}

static void test_balloon_takes_2048_pages_per_poll_once_the_guest_must_reclaim(void **state)
{
    (void)state;
    TestModel *m = test_model_new(guest_json);
    sim_run_until(m->run, 60 * SIM_S);
    Guest *g = sim_run_guest(m->run, 0);
    while (guest_free_pages(g) > g->wmark.low) {
        poll_to_max(m);
    }
    /* inactive cache and cold anon to reclaim: every allocation succeeds,
     * each poll takes the slow rate and the rate stays at its maximum */
    for (int poll = 0; poll < 20; poll++) {
        assert_int_equal(poll_to_max(m), 2048);
        assert_int_equal(g->balloon.rate_slow, 2048);
        assert_int_equal(guest_free_pages(g), g->wmark.min);
    }
    test_model_free(m);
}

/* Inflating into memory the host has swapped: every page the guest
 * reclaims must first be read back from host swap (double paging, 5 ms at
 * the default device). One poll's work stops once it has cost a poll
 * period, so the stall a poll leaves behind is bounded, and once the
 * balloon has stopped growing the VM stalls no more than its own faults. */
static void test_balloon_reclaim_work_per_poll_takes_at_most_the_poll_period(void **state)
{
    (void)state;
    TestModel *m = test_model_new(guest_json);
    sim_run_until(m->run, 60 * SIM_S);
    Guest *g = sim_run_guest(m->run, 0);
    Host *host = sim_run_host(m->run);
    while (guest_free_pages(g) > g->wmark.low) {
        poll_to_max(m);
    }
    /* the host swaps most of the guest's anon memory */
    assert_true(host_swap_out(host, 0, MIB_PAGES(300), sim_run_now(m->run)) > MIB_PAGES(200));
    SimTime poll = g->cfg->guest.balloon.poll;
    SimTime worst = 0;
    uint64_t took = 0;
    for (int i = 0; i < 10; i++) {
        SimTime before = g->pending_stall;
        took += poll_to_max(m);
        worst = MAX(worst, g->pending_stall - before);
        g->pending_stall = 0; /* as the next workload tick would take it */
    }
    assert_true(took > 0);      /* the balloon still grows ... */
    assert_true(took < 10 * 2048); /* ... but slower than the slow rate */
    assert_true(worst >= poll);  /* each poll did a period's worth of reclaim */
    /* one poll period plus the one read that crossed it */
    assert_true(worst <= poll + 50 * SIM_MS);
    test_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_balloon_takes_free_then_cache_then_swap),
        cmocka_unit_test(test_balloon_inflates_16384_pages_per_poll_from_free_memory),
        cmocka_unit_test(test_balloon_rates_are_4k_pages_per_poll_at_2m_pages),
        cmocka_unit_test(test_balloon_rate_below_one_2m_page_carries_over_polls),
        cmocka_unit_test(test_balloon_pages_are_released_to_the_host),
        cmocka_unit_test(test_balloon_cap_is_the_smallest_of_the_three_limits),
        cmocka_unit_test(test_balloon_deflates_slowly_when_the_guest_needs_nothing),
        cmocka_unit_test(test_balloon_reclaim_work_per_poll_takes_at_most_the_poll_period),
        cmocka_unit_test_setup_teardown(
            test_balloon_slow_rate_halves_on_each_failed_allocation_down_to_512, no_reclaim_setup,
            model_teardown),
        cmocka_unit_test_setup_teardown(
            test_balloon_slow_rate_grows_by_16_per_good_poll_back_to_2048, no_reclaim_setup,
            model_teardown),
        cmocka_unit_test(test_balloon_takes_2048_pages_per_poll_once_the_guest_must_reclaim),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
