/* host/guest.c: a guest touch, write or release of one page as the host
 * sees it, and what the guest tells the host or asks it besides (touches,
 * blocked allocation). Each test builds a one-VM run, lets it boot and
 * settle, then drives host_access/host_write/host_release on one page and
 * checks the page's backing, the host's counters and the stall charged,
 * with conservation (sim_run_check) after the access. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "host/host-private.h"
#include "support/model.h"

/* One Linux VM on a roomy host, no page cache growth, no compression (a
 * page chosen for swap-out goes to the swap file). */
static const char *plain_vm = "{\"duration\": \"1h\", \"host\": {\"memory\": \"16GiB\","
                              "  \"compression\": {\"enabled\": false}},"
                              " \"vms\": [{\"name\": \"v\", \"memory\": \"2GiB\","
                              "  \"guest\": {\"cache_fill\": \"0MiB/s\", \"kernel\": \"256MiB\"},"
                              "  \"workload\": {\"memory\": \"512MiB\", \"active\": \"256MiB\"}}]}";

/* Same, with small pages only and contents that share within the VM, so
 * the scanner has shared pages after a few minutes. */
static const char *sharing_vm =
    "{\"duration\": \"1h\", \"host\": {\"memory\": \"16GiB\","
    "  \"sharing\": {\"large_pages\": false}, \"compression\": {\"enabled\": false}},"
    " \"vms\": [{\"name\": \"v\", \"memory\": \"2GiB\","
    "  \"guest\": {\"cache_fill\": \"0MiB/s\", \"kernel\": \"256MiB\"},"
    "  \"workload\": {\"memory\": \"512MiB\", \"active\": \"256MiB\", \"write_share\": 0,"
    "   \"content\": {\"zero\": 0.2, \"image_shared\": 0, \"duplicate\": 0.5}}}]}";

/* A VM held at a 1 GiB limit with the balloon off: the host swaps its pages. */
static const char *limited_vm =
    "{\"duration\": \"1h\", \"host\": {\"memory\": \"16GiB\","
    "  \"compression\": {\"enabled\": false}},"
    " \"vms\": [{\"name\": \"v\", \"memory\": \"2GiB\", \"limit\": \"1GiB\","
    "  \"guest\": {\"balloon_driver\": false, \"cache_fill\": \"0MiB/s\","
    "   \"kernel\": \"256MiB\"},"
    "  \"workload\": {\"memory\": \"1536MiB\", \"active\": \"256MiB\"}}]}";

typedef struct Fixture {
    TestModel *m;
    Host *host;
    HostVm *v;
    HostPages *pages;
    SimTime now;
} Fixture;

/* Builds the run from the scenario text given as the test's prestate and
 * runs it to `settle`. */
static int setup_at(void **state, SimTime settle)
{
    Fixture *f = g_new0(Fixture, 1);
    f->m = test_model_new(*state);
    sim_run_until(f->m->run, settle);
    f->host = sim_run_host(f->m->run);
    f->v = host_vm(f->host, 0);
    f->pages = guest_pages(sim_run_guest(f->m->run, 0));
    f->now = sim_run_now(f->m->run);
    *state = f;
    return 0;
}

static int setup_settled(void **state)
{
    return setup_at(state, 10 * SIM_S);
}

/* The sharing scanner needs minutes to find the duplicates. */
static int setup_shared(void **state)
{
    return setup_at(state, 10 * SIM_MIN);
}

static int teardown(void **state)
{
    Fixture *f = *state;
    test_model_free(f->m);
    g_free(f);
    return 0;
}

/* The first page (lowest number) with this use and backing. */
static uint32_t first_page(const HostPages *pages, HostUse use, HostBacking b)
{
    for (uint32_t p = 0; p < pages->n; p++) {
        if (host_pages_use(pages, p) == use && host_pages_backing(pages, p) == b) {
            return p;
        }
    }
    fail_msg("no %s page backed %s", host_use_to_string(use), host_backing_to_string(b));
    return HOST_NO_PAGE;
}

static uint32_t first_backed(const HostPages *pages, HostBacking b)
{
    for (uint32_t p = 0; p < pages->n; p++) {
        if (host_pages_backing(pages, p) == b) {
            return p;
        }
    }
    fail_msg("no page backed %s", host_backing_to_string(b));
    return HOST_NO_PAGE;
}

static void assert_conserved(const Fixture *f)
{
    g_autoptr(GString) why = g_string_new(NULL);
    if (!sim_run_check(f->m->run, why)) {
        fail_msg("conservation broken: %s", why->str);
    }
}

/* Swaps one page of the VM out to its swap file and returns it. */
static uint32_t swap_one_out(Fixture *f)
{
    uint64_t before = host_pages_count_backing(f->pages, HOST_BACK_SWAP);
    assert_int_equal(host_swap_out(f->host, 0, 1, f->now), 1);
    assert_int_equal(host_pages_count_backing(f->pages, HOST_BACK_SWAP), before + 1);
    SimRng rng;
    sim_rng_init(&rng, 1, "test-guest");
    uint32_t p = host_pages_pick_res(f->pages, &rng, HOST_RES_OUT);
    assert_int_equal(host_pages_backing(f->pages, p), HOST_BACK_SWAP);
    return p;
}

static void test_access_first_touch_takes_one_frame_at_no_cost(void **state)
{
    Fixture *f = *state;
    uint32_t p = first_page(f->pages, HOST_USE_FREE, HOST_BACK_NONE);
    uint64_t used = host_frames_used(f->host);
    uint64_t free = host_free_pages(f->host);
    uint64_t consumed = host_vm_consumed(f->v);
    assert_int_equal(host_access(f->host, 0, p, HOST_USE_ANON_ACTIVE, f->now), 0);
    assert_int_equal(host_pages_backing(f->pages, p), HOST_BACK_PRIVATE);
    assert_int_equal(host_pages_use(f->pages, p), HOST_USE_ANON_ACTIVE);
    assert_int_equal(host_frames_used(f->host), used + 1);
    assert_int_equal(host_free_pages(f->host), free - 1);
    assert_int_equal(host_vm_consumed(f->v), consumed + 1);
    assert_conserved(f);
}

/* AllocGuestLargePage: a first touch is backed by a 2 MiB page when the
 * scenario allows large pages (the default). */
static void test_access_first_touch_is_backed_by_a_large_page(void **state)
{
    Fixture *f = *state;
    assert_true(f->m->scenario->host.sharing.large_pages);
    uint32_t p = first_page(f->pages, HOST_USE_FREE, HOST_BACK_NONE);
    host_access(f->host, 0, p, HOST_USE_ANON_ACTIVE, f->now);
    assert_true(host_pages_large(f->pages, p));
    assert_int_equal(host_pages_count_res(f->pages, HOST_USE_ANON_ACTIVE, HOST_RES_LARGE),
                     host_pages_count_private(f->pages, HOST_USE_ANON_ACTIVE));
    assert_conserved(f);
}

static void test_access_to_a_resident_page_only_moves_it_to_its_new_list(void **state)
{
    Fixture *f = *state;
    uint32_t p = first_page(f->pages, HOST_USE_ANON_ACTIVE, HOST_BACK_PRIVATE);
    uint64_t used = host_frames_used(f->host);
    uint32_t inactive = host_pages_count_use(f->pages, HOST_USE_ANON_INACTIVE);
    assert_int_equal(host_access(f->host, 0, p, HOST_USE_ANON_INACTIVE, f->now), 0);
    assert_int_equal(host_pages_backing(f->pages, p), HOST_BACK_PRIVATE);
    assert_int_equal(host_pages_count_use(f->pages, HOST_USE_ANON_INACTIVE), inactive + 1);
    assert_int_equal(host_frames_used(f->host), used);
    assert_conserved(f);
}

/* A touch of a page in the swap file reads it back: one device read, one
 * swap-in for the VM, a fresh small frame, and the vCPU waits for the
 * device's latency and the page's transfer (the device is idle: no queue). */
static void test_access_to_a_host_swapped_page_reads_it_back_and_stalls(void **state)
{
    Fixture *f = *state;
    uint32_t p = swap_one_out(f);
    uint64_t used = host_frames_used(f->host);
    uint64_t reads = host_swap_reads(f->host);
    uint64_t swap_ins = f->v->swap_ins;
    uint64_t swapped = host_vm_swapped(f->v);
    HostUse use = host_pages_use(f->pages, p);
    SimTime cost = host_access(f->host, 0, p, use, f->now);
    const SimSwapConfig *sw = &f->m->scenario->host.swap;
    double transfer_s = (double)host_page_size(f->host) / sw->bandwidth;
    assert_float_equal(sim_time_to_s(cost), sim_time_to_s(sw->latency) + transfer_s, 1e-9);
    assert_int_equal(host_pages_backing(f->pages, p), HOST_BACK_PRIVATE);
    assert_false(host_pages_large(f->pages, p));
    assert_int_equal(host_frames_used(f->host), used + 1);
    assert_int_equal(host_swap_reads(f->host), reads + 1);
    assert_int_equal(f->v->swap_ins, swap_ins + 1);
    assert_int_equal(host_vm_swapped(f->v), swapped - 1);
    assert_conserved(f);
}

/* A read of a shared page leaves it on its shared frame; a write copies it
 * to a private frame: one reference fewer on the shared frame, one frame
 * more in use, and no stall (copying is not modelled as a device access). */
static void test_access_reads_a_shared_page_in_place_and_a_write_copies_it(void **state)
{
    Fixture *f = *state;
    /* a zero page: its frame has other references, so the copy adds a frame
     * (a page alone on its frame, a hint, would free it as it copies) */
    uint32_t p = 0;
    while (host_pages_use(f->pages, p) != HOST_USE_ANON_ACTIVE ||
           host_pages_backing(f->pages, p) != HOST_BACK_SHARED || host_pages_key(f->pages, p) != 0) {
        p++;
    }
    uint64_t used = host_frames_used(f->host);
    uint64_t refs = host_shared_refs(f->host);
    assert_int_equal(host_access(f->host, 0, p, HOST_USE_ANON_ACTIVE, f->now), 0);
    assert_int_equal(host_pages_backing(f->pages, p), HOST_BACK_SHARED);
    assert_int_equal(host_shared_refs(f->host), refs);
    assert_int_equal(host_frames_used(f->host), used);

    assert_int_equal(host_write(f->host, 0, p, HOST_USE_ANON_ACTIVE, f->now), 0);
    assert_int_equal(host_pages_backing(f->pages, p), HOST_BACK_PRIVATE);
    assert_false(host_pages_large(f->pages, p));
    assert_int_equal(host_shared_refs(f->host), refs - 1);
    assert_int_equal(host_frames_used(f->host), used + 1);
    assert_conserved(f);
}

/* Only a first touch gets a large page: a write to a shared page copies it
 * to a small one (docs/model.md "large pages"), which the scanner can share
 * again without breaking anything. Before, the copy was backed as a first
 * touch, by a large page. */
static void test_access_a_copy_of_a_shared_page_is_a_small_page(void **state)
{
    Fixture *f = *state;
    assert_true(f->m->scenario->host.sharing.large_pages);
    uint32_t p = first_page(f->pages, HOST_USE_ANON_ACTIVE, HOST_BACK_PRIVATE);
    assert_true(host_pages_large(f->pages, p));
    /* zero contents: the host shares the page at once when offered */
    host_pages_set_key(f->pages, p, 0);
    assert_true(host_share_victim(f->host, 0, p));
    assert_int_equal(host_pages_backing(f->pages, p), HOST_BACK_SHARED);
    uint32_t fresh = host_pages_count_res(f->pages, HOST_USE_ANON_ACTIVE, HOST_RES_FRESH);
    uint32_t large = host_pages_count_res(f->pages, HOST_USE_ANON_ACTIVE, HOST_RES_LARGE);

    assert_int_equal(host_write(f->host, 0, p, HOST_USE_ANON_ACTIVE, f->now), 0);
    assert_int_equal(host_pages_backing(f->pages, p), HOST_BACK_PRIVATE);
    assert_false(host_pages_large(f->pages, p));
    assert_int_equal(host_pages_count_res(f->pages, HOST_USE_ANON_ACTIVE, HOST_RES_FRESH),
                     fresh + 1);
    assert_int_equal(host_pages_count_res(f->pages, HOST_USE_ANON_ACTIVE, HOST_RES_LARGE), large);
    assert_conserved(f);
}

/* A write to a private page is an ordinary touch: it stays where it is. */
static void test_access_write_to_a_private_page_keeps_its_frame(void **state)
{
    Fixture *f = *state;
    uint32_t p = first_page(f->pages, HOST_USE_ANON_ACTIVE, HOST_BACK_PRIVATE);
    uint64_t used = host_frames_used(f->host);
    uint64_t refs = host_shared_refs(f->host);
    assert_int_equal(host_write(f->host, 0, p, HOST_USE_ANON_ACTIVE, f->now), 0);
    assert_int_equal(host_pages_backing(f->pages, p), HOST_BACK_PRIVATE);
    assert_int_equal(host_frames_used(f->host), used);
    assert_int_equal(host_shared_refs(f->host), refs);
    assert_conserved(f);
}

static void test_access_release_of_a_private_page_gives_its_frame_back(void **state)
{
    Fixture *f = *state;
    uint32_t p = first_page(f->pages, HOST_USE_ANON_ACTIVE, HOST_BACK_PRIVATE);
    uint64_t used = host_frames_used(f->host);
    uint64_t free = host_free_pages(f->host);
    host_release(f->host, 0, p, HOST_USE_BALLOON);
    assert_int_equal(host_pages_backing(f->pages, p), HOST_BACK_NONE);
    assert_int_equal(host_pages_use(f->pages, p), HOST_USE_BALLOON);
    assert_int_equal(host_frames_used(f->host), used - 1);
    assert_int_equal(host_free_pages(f->host), free + 1);
    assert_conserved(f);
}

/* A page in the swap file holds no frame: releasing it frees none, and its
 * swap slot is no longer counted. */
static void test_access_release_of_a_swapped_page_frees_no_frame(void **state)
{
    Fixture *f = *state;
    uint32_t p = swap_one_out(f);
    uint64_t used = host_frames_used(f->host);
    uint64_t swapped = host_vm_swapped(f->v);
    host_release(f->host, 0, p, HOST_USE_BALLOON);
    assert_int_equal(host_pages_backing(f->pages, p), HOST_BACK_NONE);
    assert_int_equal(host_frames_used(f->host), used);
    assert_int_equal(host_vm_swapped(f->v), swapped - 1);
    assert_conserved(f);
}

static void test_access_release_of_a_shared_page_drops_one_reference(void **state)
{
    Fixture *f = *state;
    uint32_t p = first_backed(f->pages, HOST_BACK_SHARED);
    uint64_t used = host_frames_used(f->host);
    uint64_t refs = host_shared_refs(f->host);
    host_release(f->host, 0, p, HOST_USE_BALLOON);
    assert_int_equal(host_pages_backing(f->pages, p), HOST_BACK_NONE);
    assert_int_equal(host_shared_refs(f->host), refs - 1);
    assert_int_equal(host_frames_used(f->host), used);
    assert_conserved(f);
}

/* A VM at its limit gets a new frame only after the host swaps one of its
 * own pages: its consumption stays at the limit, one page more is out. */
static void test_access_at_the_limit_swaps_one_of_the_vms_own_pages_first(void **state)
{
    Fixture *f = *state;
    assert_int_equal(host_vm_consumed(f->v), f->v->limit);
    uint32_t p = first_page(f->pages, HOST_USE_FREE, HOST_BACK_NONE);
    uint64_t swap_outs = f->v->swap_outs;
    uint64_t swapped = host_vm_swapped(f->v);
    assert_int_equal(host_access(f->host, 0, p, HOST_USE_ANON_ACTIVE, f->now), 0);
    assert_int_equal(host_pages_backing(f->pages, p), HOST_BACK_PRIVATE);
    assert_int_equal(f->v->swap_outs, swap_outs + 1);
    assert_int_equal(host_vm_swapped(f->v), swapped + 1);
    assert_int_equal(host_vm_consumed(f->v), f->v->limit);
    assert_conserved(f);
}

/* What the guest reports is what the sampler reads: no touches in the
 * period, so every sample finds its page untouched and both averages decay
 * by their weights; a rate that touches every hot page raises them. */
static void test_report_touches_feeds_the_sampler(void **state)
{
    Fixture *f = *state;
    uint64_t half = f->v->configured / 2;
    HostTouchTier idle[HOST_TOUCH_TIERS] = {{.pages = half, .resident = half}};
    host_vm_report_touches(f->host, 0, idle);
    assert_int_equal(f->v->touch[0].pages, half);
    assert_true(f->v->touch[0].rate == 0.0);
    double fast = f->v->active_fast, slow = f->v->active_slow;
    assert_true(fast > 0.0);
    host_sched_sample(f->host);
    assert_float_equal(f->v->active_fast, fast * 0.5, 1e-12);
    assert_float_equal(f->v->active_slow, slow * 0.9, 1e-12);

    for (int i = 0; i < 8; i++) {
        host_sched_sample(f->host); /* decays below the VM's hot share (1/8 or more) */
    }
    HostTouchTier busy[HOST_TOUCH_TIERS] = {
        {.pages = half, .resident = half, .rate = 1e12, .demand = 1e12}};
    host_vm_report_touches(f->host, 0, busy);
    assert_true(f->v->touch[0].demand == 1e12);
    fast = f->v->active_fast;
    assert_true(fast < 0.01);
    host_sched_sample(f->host);
    assert_true(f->v->active_fast > fast);
}

/* The guest sees the block the policy set (low state), and a VM powers on
 * unblocked whatever the policy said before. */
static void test_alloc_blocked_follows_the_policy_and_power_on_clears_it(void **state)
{
    Fixture *f = *state;
    assert_false(host_vm_alloc_blocked(f->host, 0));
    f->v->block_alloc = true; /* as the run loop writes the policy's targets */
    assert_true(host_vm_alloc_blocked(f->host, 0));
    guest_power_off(sim_run_guest(f->m->run, 0), f->host);
    assert_true(host_vm_alloc_blocked(f->host, 0));
    host_vm_power_on(f->host, 0);
    assert_false(host_vm_alloc_blocked(f->host, 0));
}

/* A VM at a 1 GiB limit with sharing (small pages) and compression: its
 * pages are private, shared, compressed and swapped, and a write that needs
 * a frame swaps or compresses another page first. */
static const char *mixed_vm =
    "{\"duration\": \"1h\", \"host\": {\"memory\": \"16GiB\","
    "  \"sharing\": {\"large_pages\": false}},"
    " \"vms\": [{\"name\": \"v\", \"memory\": \"2GiB\", \"limit\": \"1GiB\","
    "  \"guest\": {\"balloon_driver\": false, \"cache_fill\": \"0MiB/s\","
    "   \"kernel\": \"256MiB\"},"
    "  \"workload\": {\"memory\": \"1536MiB\", \"active\": \"256MiB\", \"write_share\": 0,"
    "   \"content\": {\"zero\": 0.2, \"image_shared\": 0, \"duplicate\": 0.5}}}]}";

/* host_write_new is host_write then host_pages_set_content: two runs of one
 * scenario, the pages of every backing written with new contents each
 * way, end with the same lists in the same order, the same records,
 * frames, frame table and stalls, and then go on to the same samples. */
static void test_write_new_is_a_write_then_the_contents(void **state)
{
    (void)state;
    TestModel *m[2] = {test_model_new(mixed_vm), test_model_new(mixed_vm)};
    HostPages *pages[2];
    Host *host[2];
    for (unsigned i = 0; i < 2; i++) {
        sim_run_until(m[i]->run, 10 * SIM_MIN);
        host[i] = sim_run_host(m[i]->run);
        pages[i] = guest_pages(sim_run_guest(m[i]->run, 0));
    }
    SimTime now = sim_run_now(m[0]->run);
    uint32_t seen[HOST_BACK_MAX] = {0};
    for (uint32_t p = 0; p < pages[0]->n; p += 7) {
        HostBacking b = host_pages_backing(pages[0], p);
        HostUse use = host_pages_use(pages[0], p);
        if (use == HOST_USE_BALLOON || seen[b] >= 200) {
            continue;
        }
        seen[b]++;
        const HostContent c = {.key = p % 3 == 0   ? 0
                                      : p % 3 == 1 ? HOST_KEY_UNIQUE
                                                   : HOST_KEY_DUP_BASE + p % 50,
                               .zip = (HostZipClass)(p % HOST_ZIP_MAX)};
        HostUse to = p % 2 == 0 ? use : HOST_USE_ANON_ACTIVE; /* in place, or moved */
        SimTime two = host_write(host[0], 0, p, to, now);
        host_pages_set_content(pages[0], p, c.key, c.zip);
        SimTime one = host_write_new(host[1], 0, p, to, &c, now);
        assert_int_equal(one, two);
    }
    for (HostBacking b = HOST_BACK_PRIVATE; b <= HOST_BACK_SWAP; b++) {
        assert_int_equal(seen[b], 200); /* every backing written, 200 pages each */
    }
    test_assert_same_lists(pages[1], pages[0]);
    for (uint32_t p = 0; p < pages[0]->n; p++) {
        assert_int_equal(host_pages_flags(pages[1], p), host_pages_flags(pages[0], p));
        assert_int_equal(host_pages_key(pages[1], p), host_pages_key(pages[0], p));
    }
    assert_int_equal(host_frames_used(host[1]), host_frames_used(host[0]));
    assert_int_equal(host_shared_frames(host[1]), host_shared_frames(host[0]));
    assert_int_equal(host_shared_refs(host[1]), host_shared_refs(host[0]));
    for (unsigned i = 0; i < 2; i++) {
        g_autoptr(GString) why = g_string_new(NULL);
        if (!sim_run_check(m[i]->run, why)) {
            fail_msg("conservation broken: %s", why->str);
        }
        sim_run_until(m[i]->run, 20 * SIM_MIN);
    }
    assert_memory_equal(test_model_last_vm(m[1], 0), test_model_last_vm(m[0], 0),
                        sizeof(SimVmSample));
    test_model_free(m[0]);
    test_model_free(m[1]);
}

#define ACCESS_TEST(fn, json, setup)                                                               \
    cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, (void *)(json))

int main(void)
{
    const struct CMUnitTest tests[] = {
        ACCESS_TEST(test_access_first_touch_takes_one_frame_at_no_cost, plain_vm, setup_settled),
        ACCESS_TEST(test_access_first_touch_is_backed_by_a_large_page, plain_vm, setup_settled),
        ACCESS_TEST(test_access_to_a_resident_page_only_moves_it_to_its_new_list, plain_vm,
                    setup_settled),
        ACCESS_TEST(test_access_to_a_host_swapped_page_reads_it_back_and_stalls, plain_vm,
                    setup_settled),
        ACCESS_TEST(test_access_reads_a_shared_page_in_place_and_a_write_copies_it, sharing_vm,
                    setup_shared),
        ACCESS_TEST(test_access_a_copy_of_a_shared_page_is_a_small_page, plain_vm, setup_settled),
        ACCESS_TEST(test_access_write_to_a_private_page_keeps_its_frame, plain_vm, setup_settled),
        ACCESS_TEST(test_access_release_of_a_private_page_gives_its_frame_back, plain_vm,
                    setup_settled),
        ACCESS_TEST(test_access_release_of_a_swapped_page_frees_no_frame, plain_vm, setup_settled),
        ACCESS_TEST(test_access_release_of_a_shared_page_drops_one_reference, sharing_vm,
                    setup_shared),
        ACCESS_TEST(test_access_at_the_limit_swaps_one_of_the_vms_own_pages_first, limited_vm,
                    setup_shared),
        ACCESS_TEST(test_report_touches_feeds_the_sampler, plain_vm, setup_settled),
        ACCESS_TEST(test_alloc_blocked_follows_the_policy_and_power_on_clears_it, plain_vm,
                    setup_settled),
        cmocka_unit_test(test_write_new_is_a_write_then_the_contents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
