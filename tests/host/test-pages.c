/*
 * host/pages.c: the lists a VM keeps its pages in, by (use, residency),
 * and the counters by (use, backing) that must agree with them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "host/pages.h"
#include "support/model.h"

#define N_PAGES 64u

/* A fresh set of N_PAGES pages for every test: all free and never touched. */
static int pages_setup(void **state)
{
    *state = host_pages_new(N_PAGES);
    return 0;
}

static int pages_teardown(void **state)
{
    host_pages_free(*state);
    return 0;
}

/* Fails the test with host_pages_check()'s message if lists and counters
 * disagree. */
static void assert_consistent(const HostPages *pages)
{
    GString *why = g_string_new(NULL);
    bool ok = host_pages_check(pages, why);
    if (!ok) {
        fail_msg("%s", why->str);
    }
    g_string_free(why, TRUE);
}

static void test_pages_start_free_and_untouched(void **state)
{
    HostPages *pages = *state;
    assert_int_equal(host_pages_count_use(pages, HOST_USE_FREE), pages->n);
    assert_int_equal(host_pages_count_res(pages, HOST_USE_FREE, HOST_RES_NONE), pages->n);
    assert_int_equal(host_pages_count_backing(pages, HOST_BACK_NONE), pages->n);
    for (uint32_t p = 0; p < pages->n; p++) {
        assert_int_equal(host_pages_use(pages, p), HOST_USE_FREE);
        assert_int_equal(host_pages_backing(pages, p), HOST_BACK_NONE);
    }
    assert_int_equal(pages->moves, 0);
    assert_consistent(pages);
}

static void test_pages_set_moves_a_page_between_lists_and_counters(void **state)
{
    HostPages *pages = *state;
    for (uint32_t p = 0; p < 5; p++) {
        host_pages_set(pages, p, HOST_USE_ANON_ACTIVE, HOST_BACK_PRIVATE);
    }
    for (uint32_t p = 5; p < 8; p++) {
        host_pages_set(pages, p, HOST_USE_CACHE_INACTIVE, HOST_BACK_SWAP);
    }
    /* a page moved to where it already is still counts once */
    host_pages_set(pages, 4, HOST_USE_ANON_ACTIVE, HOST_BACK_PRIVATE);
    assert_int_equal(host_pages_count(pages, HOST_USE_ANON_ACTIVE, HOST_BACK_PRIVATE), 5);
    assert_int_equal(host_pages_count_private(pages, HOST_USE_ANON_ACTIVE), 5);
    assert_int_equal(host_pages_count_use(pages, HOST_USE_CACHE_INACTIVE), 3);
    assert_int_equal(host_pages_count_res(pages, HOST_USE_CACHE_INACTIVE, HOST_RES_OUT), 3);
    assert_int_equal(host_pages_count_use(pages, HOST_USE_FREE), pages->n - 8);
    assert_int_equal(host_pages_count_backing(pages, HOST_BACK_SWAP), 3);
    assert_int_equal(host_pages_count_backing(pages, HOST_BACK_PRIVATE), 5);
    assert_int_equal(host_pages_use(pages, 6), HOST_USE_CACHE_INACTIVE);
    assert_int_equal(host_pages_backing(pages, 6), HOST_BACK_SWAP);
    assert_int_equal(pages->moves, 9);
    assert_consistent(pages);
}

static void test_pages_set_use_and_set_backing_change_only_their_half(void **state)
{
    HostPages *pages = *state;
    host_pages_set(pages, 3, HOST_USE_ANON_INACTIVE, HOST_BACK_PRIVATE);
    host_pages_set_backing(pages, 3, HOST_BACK_ZIP);
    assert_int_equal(host_pages_use(pages, 3), HOST_USE_ANON_INACTIVE);
    assert_int_equal(host_pages_backing(pages, 3), HOST_BACK_ZIP);
    host_pages_set_use(pages, 3, HOST_USE_FREE);
    assert_int_equal(host_pages_use(pages, 3), HOST_USE_FREE);
    assert_int_equal(host_pages_backing(pages, 3), HOST_BACK_ZIP);
    assert_int_equal(host_pages_count(pages, HOST_USE_FREE, HOST_BACK_ZIP), 1);
    assert_int_equal(host_pages_count_use(pages, HOST_USE_ANON_INACTIVE), 0);
    assert_consistent(pages);
}

static void test_pages_a_new_private_frame_is_fresh_unless_its_contents_are_unique(void **state)
{
    HostPages *pages = *state;
    host_pages_set_key(pages, 1, HOST_KEY_UNIQUE);
    host_pages_set(pages, 0, HOST_USE_KERNEL, HOST_BACK_PRIVATE); /* key 0: zero page */
    host_pages_set(pages, 1, HOST_USE_KERNEL, HOST_BACK_PRIVATE);
    assert_int_equal(host_pages_count_res(pages, HOST_USE_KERNEL, HOST_RES_FRESH), 1);
    assert_int_equal(host_pages_count_res(pages, HOST_USE_KERNEL, HOST_RES_IN), 1);
    assert_int_equal(host_pages_pick(pages, HOST_USE_KERNEL, HOST_RES_FRESH), 0);
    assert_int_equal(host_pages_pick(pages, HOST_USE_KERNEL, HOST_RES_IN), 1);
    /* both are private frames to the counters */
    assert_int_equal(host_pages_count_private(pages, HOST_USE_KERNEL), 2);
    assert_consistent(pages);
}

static void test_pages_new_contents_make_a_private_page_fresh_or_in(void **state)
{
    HostPages *pages = *state;
    host_pages_set_key(pages, 2, HOST_KEY_UNIQUE);
    host_pages_set(pages, 2, HOST_USE_ANON_ACTIVE, HOST_BACK_PRIVATE);
    assert_int_equal(host_pages_count_res(pages, HOST_USE_ANON_ACTIVE, HOST_RES_IN), 1);
    host_pages_set_key(pages, 2, HOST_KEY_IMAGE_BASE + 7);
    assert_int_equal(host_pages_key(pages, 2), HOST_KEY_IMAGE_BASE + 7);
    assert_int_equal(host_pages_count_res(pages, HOST_USE_ANON_ACTIVE, HOST_RES_FRESH), 1);
    assert_int_equal(host_pages_count_res(pages, HOST_USE_ANON_ACTIVE, HOST_RES_IN), 0);
    host_pages_set_key(pages, 2, HOST_KEY_UNIQUE);
    assert_int_equal(host_pages_count_res(pages, HOST_USE_ANON_ACTIVE, HOST_RES_IN), 1);
    assert_int_equal(host_pages_count_res(pages, HOST_USE_ANON_ACTIVE, HOST_RES_FRESH), 0);
    assert_consistent(pages);
}

static void test_pages_new_contents_of_an_unbacked_page_leave_its_list_alone(void **state)
{
    HostPages *pages = *state;
    host_pages_set(pages, 9, HOST_USE_ANON_INACTIVE, HOST_BACK_SWAP);
    host_pages_set_key(pages, 9, HOST_KEY_DUP_BASE + 1);
    assert_int_equal(host_pages_key(pages, 9), HOST_KEY_DUP_BASE + 1);
    assert_int_equal(host_pages_count_res(pages, HOST_USE_ANON_INACTIVE, HOST_RES_OUT), 1);
    assert_int_equal(host_pages_count_res_all(pages, HOST_RES_FRESH), 0);
    assert_consistent(pages);
}

static void test_pages_a_large_page_is_broken_when_it_leaves_its_frame(void **state)
{
    HostPages *pages = *state;
    host_pages_set(pages, 4, HOST_USE_ANON_ACTIVE, HOST_BACK_PRIVATE);
    host_pages_set_large(pages, 4, true);
    assert_true(host_pages_large(pages, 4));
    assert_int_equal(host_pages_count_res(pages, HOST_USE_ANON_ACTIVE, HOST_RES_LARGE), 1);
    /* a use change keeps the frame, so the page stays large */
    host_pages_set_use(pages, 4, HOST_USE_ANON_INACTIVE);
    assert_true(host_pages_large(pages, 4));
    assert_int_equal(host_pages_count_res(pages, HOST_USE_ANON_INACTIVE, HOST_RES_LARGE), 1);
    host_pages_set_backing(pages, 4, HOST_BACK_SWAP);
    assert_false(host_pages_large(pages, 4));
    host_pages_set_backing(pages, 4, HOST_BACK_PRIVATE);
    assert_false(host_pages_large(pages, 4));
    assert_int_equal(host_pages_count_res_all(pages, HOST_RES_LARGE), 0);
    assert_int_equal(host_pages_count_res(pages, HOST_USE_ANON_INACTIVE, HOST_RES_FRESH), 1);
    assert_consistent(pages);
}

static void test_pages_breaking_a_large_page_leaves_it_fresh_or_in_by_contents(void **state)
{
    HostPages *pages = *state;
    host_pages_set_key(pages, 5, HOST_KEY_UNIQUE);
    host_pages_set(pages, 5, HOST_USE_KERNEL, HOST_BACK_PRIVATE);
    host_pages_set(pages, 6, HOST_USE_KERNEL, HOST_BACK_PRIVATE);
    host_pages_set_large(pages, 5, true);
    host_pages_set_large(pages, 6, true);
    assert_int_equal(host_pages_count_res(pages, HOST_USE_KERNEL, HOST_RES_LARGE), 2);
    host_pages_set_large(pages, 5, false);
    host_pages_set_large(pages, 6, false);
    assert_int_equal(host_pages_count_res(pages, HOST_USE_KERNEL, HOST_RES_IN), 1);
    assert_int_equal(host_pages_count_res(pages, HOST_USE_KERNEL, HOST_RES_FRESH), 1);
    assert_int_equal(host_pages_pick(pages, HOST_USE_KERNEL, HOST_RES_IN), 5);
    assert_consistent(pages);
}

/* The host's first touch in one move: the lists (members and their order,
 * which later picks see), the counters and the flags end as after
 * host_pages_set and host_pages_set_large, for new and brought-back pages,
 * large or not, shareable contents or not. */
static void test_pages_set_private_is_set_then_set_large_in_one_move(void **state)
{
    (void)state;
    g_autoptr(HostPages) two = host_pages_new(N_PAGES);
    g_autoptr(HostPages) one = host_pages_new(N_PAGES);
    for (uint32_t p = 0; p < N_PAGES; p++) {
        uint32_t key = p % 3 == 0 ? HOST_KEY_UNIQUE : p;
        host_pages_set_key(two, p, key);
        host_pages_set_key(one, p, key);
        if (p % 4 == 1) { /* a page back from swap */
            host_pages_set_backing(two, p, HOST_BACK_SWAP);
            host_pages_set_backing(one, p, HOST_BACK_SWAP);
        }
    }
    /* from the top, as the free list hands pages out, so pages leave the
     * middle of their lists too */
    for (uint32_t k = 0; k < N_PAGES; k++) {
        uint32_t p = (k * 37) % N_PAGES;
        HostUse use = p % 2 == 0 ? HOST_USE_ANON_ACTIVE : HOST_USE_CACHE_ACTIVE;
        bool large = p % 5 != 0;
        host_pages_set(two, p, use, HOST_BACK_PRIVATE);
        if (large) {
            host_pages_set_large(two, p, true);
        }
        host_pages_set_private(one, p, use, large, NULL);
        assert_int_equal(host_pages_flags(one, p), host_pages_flags(two, p));
    }
    test_assert_same_lists(one, two);
    assert_int_equal(host_pages_count_res(one, HOST_USE_ANON_ACTIVE, HOST_RES_LARGE) +
                         host_pages_count_res(one, HOST_USE_CACHE_ACTIVE, HOST_RES_LARGE),
                     N_PAGES - N_PAGES / 5 - 1);
    assert_consistent(one);
}

/* Zeroing every free page in one pass ends as page by page (set_key 0,
 * compressibility 1K, a private frame, large unless the page is marked
 * small): lists in the same order, counters, moves, every page's flags and
 * key. Pages are ballooned and marked small first, as a boot with a
 * balloon leaves them. */
static void zero_one_by_one(HostPages *pages, bool large_pages)
{
    for (uint32_t p = 0; p < pages->n; p++) {
        if (host_pages_use(pages, p) == HOST_USE_BALLOON) {
            continue;
        }
        host_pages_set_key(pages, p, 0);
        host_pages_set_zip_class(pages, p, HOST_ZIP_1K);
        host_pages_set_private(pages, p, HOST_USE_FREE, large_pages && !host_pages_small(pages, p),
                               NULL);
    }
}

static void assert_zero_free_is_page_by_page(bool large_pages)
{
    g_autoptr(HostPages) each = host_pages_new(N_PAGES);
    g_autoptr(HostPages) one = host_pages_new(N_PAGES);
    HostPages *both[] = {each, one};
    for (unsigned i = 0; i < 2; i++) {
        for (uint32_t p = 31; p < N_PAGES; p += 5) {
            host_pages_set(both[i], p, HOST_USE_BALLOON, HOST_BACK_NONE);
            host_pages_set_small(both[i], p, true);
            host_pages_set_key(both[i], p, p); /* stale contents of a ballooned page */
        }
        host_pages_set_small(both[i], 10, true); /* a deflated page: free, still small */
        host_pages_set_key(both[i], 11, HOST_KEY_UNIQUE);
    }
    zero_one_by_one(each, large_pages);
    const uint32_t n_free = N_PAGES - 7; /* 31, 36, ..., 61 ballooned */
    assert_int_equal(host_pages_zero_free(one, large_pages), n_free);
    test_assert_same_lists(one, each);
    assert_int_equal(one->moves, each->moves);
    for (uint32_t p = 0; p < N_PAGES; p++) {
        assert_int_equal(host_pages_flags(one, p), host_pages_flags(each, p));
        assert_int_equal(host_pages_key(one, p), host_pages_key(each, p));
    }
    assert_int_equal(host_pages_count_res(one, HOST_USE_FREE, HOST_RES_FRESH),
                     large_pages ? 1 : n_free);
    assert_consistent(one);
}

static void test_pages_zero_free_is_page_by_page(void **state)
{
    (void)state;
    assert_zero_free_is_page_by_page(true);
    assert_zero_free_is_page_by_page(false);
}

/* Pages of every kind of state, the same for every call: unbacked,
 * private (large, or FRESH or IN by their contents), shared and swapped. */
static void mixed_states(HostPages *pages)
{
    static const HostBacking backs[] = {HOST_BACK_NONE, HOST_BACK_PRIVATE, HOST_BACK_SHARED,
                                        HOST_BACK_SWAP};
    for (uint32_t p = 0; p < N_PAGES; p++) {
        host_pages_set_key(pages, p, p % 3 ? HOST_KEY_UNIQUE : 5);
        if (p % 8 == 1) {
            host_pages_set_private(pages, p, HOST_USE_ANON_ACTIVE, true, NULL);
        } else {
            host_pages_set(pages, p, HOST_USE_CACHE_ACTIVE, backs[p % 4]);
        }
    }
}

/* New contents in one write end as set_key then set_zip_class: lists in
 * the same order, flags, keys, for pages private (large or not), shared,
 * swapped and unbacked, with shareable, unique and zero contents. */
static void test_pages_set_content_is_set_key_then_set_zip_class(void **state)
{
    (void)state;
    g_autoptr(HostPages) two = host_pages_new(N_PAGES);
    g_autoptr(HostPages) one = host_pages_new(N_PAGES);
    mixed_states(two);
    mixed_states(one);
    for (uint32_t p = 0; p < N_PAGES; p++) {
        uint32_t key = p % 5 == 0 ? 0 : p % 5 == 1 ? HOST_KEY_UNIQUE : HOST_KEY_DUP_BASE + p;
        HostZipClass zip = (HostZipClass)(p % HOST_ZIP_MAX);
        host_pages_set_key(two, p, key);
        host_pages_set_zip_class(two, p, zip);
        host_pages_set_content(one, p, key, zip);
        assert_int_equal(host_pages_key(one, p), key);
        assert_int_equal(host_pages_zip_class(one, p), zip);
    }
    test_assert_same_lists(one, two);
    for (uint32_t p = 0; p < N_PAGES; p++) {
        assert_int_equal(host_pages_flags(one, p), host_pages_flags(two, p));
    }
    assert_true(host_pages_count_res(one, HOST_USE_CACHE_ACTIVE, HOST_RES_FRESH) > 0);
    assert_true(host_pages_count_res(one, HOST_USE_CACHE_ACTIVE, HOST_RES_IN) > 0);
    assert_consistent(one);
}

/* A write with new contents in one move ends as the move then the contents
 * (host_pages_set or set_private, then set_content): lists in the same
 * order, flags, keys, moves. From every kind of state (unbacked, private
 * large or small, FRESH or IN, shared, swapped), to a private frame or in
 * place (a resident page written as its own use), with zero, unique and
 * shareable contents; pages leave the middle of their lists. */
static void test_pages_set_written_is_the_move_then_the_contents(void **state)
{
    (void)state;
    g_autoptr(HostPages) two = host_pages_new(N_PAGES);
    g_autoptr(HostPages) one = host_pages_new(N_PAGES);
    mixed_states(two);
    mixed_states(one);
    for (uint32_t k = 0; k < N_PAGES; k++) {
        uint32_t p = (k * 37) % N_PAGES;
        const HostContent c = {.key = p % 5 == 0   ? 0
                                      : p % 5 == 1 ? HOST_KEY_UNIQUE
                                                   : HOST_KEY_DUP_BASE + p,
                               .zip = (HostZipClass)(p % HOST_ZIP_MAX)};
        HostBacking b = host_pages_backing(two, p);
        if (b == HOST_BACK_PRIVATE) {
            /* written in place, or moved to another use */
            HostUse use = p % 7 == 0 ? host_pages_use(two, p) : HOST_USE_ANON_WARM;
            host_pages_set(two, p, use, b);
            host_pages_set_written(one, p, use, b, &c);
        } else {
            bool large = p % 2 == 0;
            host_pages_set_private(two, p, HOST_USE_KERNEL, large, NULL);
            host_pages_set_private(one, p, HOST_USE_KERNEL, large, &c);
        }
        host_pages_set_content(two, p, c.key, c.zip);
        assert_int_equal(host_pages_flags(one, p), host_pages_flags(two, p));
        assert_int_equal(host_pages_key(one, p), c.key);
    }
    test_assert_same_lists(one, two);
    assert_int_equal(one->moves, two->moves);
    for (uint32_t p = 0; p < N_PAGES; p++) {
        assert_int_equal(host_pages_flags(one, p), host_pages_flags(two, p));
        assert_int_equal(host_pages_key(one, p), host_pages_key(two, p));
    }
    assert_true(host_pages_count_res(one, HOST_USE_KERNEL, HOST_RES_FRESH) > 0);
    assert_true(host_pages_count_res(one, HOST_USE_KERNEL, HOST_RES_IN) > 0);
    assert_true(host_pages_count_res(one, HOST_USE_KERNEL, HOST_RES_LARGE) > 0);
    assert_true(host_pages_count_res(one, HOST_USE_ANON_WARM, HOST_RES_FRESH) > 0);
    assert_consistent(one);
}

/* pick_ahead names the pages that picks of the class's last member give one
 * after the other, and free_res the class pick_free takes from. */
static void test_pages_pick_ahead_names_the_picks_to_come(void **state)
{
    HostPages *pages = *state;
    for (uint32_t p = 0; p < 20; p++) {
        host_pages_set(pages, p, HOST_USE_FREE, p % 2 ? HOST_BACK_SHARED : HOST_BACK_SWAP);
    }
    assert_int_equal(host_pages_free_res(pages), HOST_RES_SHARED);
    uint32_t ahead[10];
    for (uint32_t k = 0; k < 10; k++) {
        ahead[k] = host_pages_pick_ahead(pages, HOST_USE_FREE, HOST_RES_SHARED, k);
    }
    assert_int_equal(host_pages_pick_ahead(pages, HOST_USE_FREE, HOST_RES_SHARED, 10), HOST_NO_PAGE);
    for (uint32_t k = 0; k < 10; k++) {
        uint32_t p = host_pages_pick_free(pages);
        assert_int_equal(p, ahead[k]);
        assert_int_equal(p % 2, 1);
        host_pages_set(pages, p, HOST_USE_KERNEL, HOST_BACK_SHARED);
    }
    /* the shared free pages are gone: then never-touched, then swapped */
    assert_int_equal(host_pages_free_res(pages), HOST_RES_NONE);
    for (uint32_t p = 20; p < N_PAGES; p++) {
        host_pages_set(pages, p, HOST_USE_KERNEL, HOST_BACK_NONE);
    }
    assert_int_equal(host_pages_free_res(pages), HOST_RES_OUT);
    for (uint32_t p = 0; p < 20; p += 2) {
        host_pages_set_use(pages, p, HOST_USE_KERNEL);
    }
    assert_int_equal(host_pages_free_res(pages), HOST_RES_MAX);
    assert_int_equal(host_pages_pick_free(pages), HOST_NO_PAGE);
}

/* A touch that changes neither use nor backing is counted and changes
 * nothing: a large page stays large, a fresh one fresh. */
static void test_pages_a_touch_in_place_keeps_the_page_large_and_fresh(void **state)
{
    HostPages *pages = *state;
    host_pages_set_key(pages, 7, 42);
    host_pages_set_private(pages, 7, HOST_USE_KERNEL, true, NULL);
    host_pages_set_private(pages, 8, HOST_USE_KERNEL, false, NULL);
    uint64_t moves = pages->moves;
    host_pages_set(pages, 7, HOST_USE_KERNEL, HOST_BACK_PRIVATE);
    host_pages_set(pages, 8, HOST_USE_KERNEL, HOST_BACK_PRIVATE);
    assert_int_equal(pages->moves, moves + 2);
    assert_true(host_pages_large(pages, 7));
    assert_int_equal(host_pages_flags(pages, 7) & HOST_FLAG_FRESH, HOST_FLAG_FRESH);
    assert_int_equal(host_pages_count_res(pages, HOST_USE_KERNEL, HOST_RES_LARGE), 1);
    assert_int_equal(host_pages_count_res(pages, HOST_USE_KERNEL, HOST_RES_FRESH), 1);
    assert_int_equal(host_pages_count_private(pages, HOST_USE_KERNEL), 2);
    assert_consistent(pages);
}

static void test_pages_zip_class_survives_moves(void **state)
{
    HostPages *pages = *state;
    host_pages_set(pages, 7, HOST_USE_ANON_INACTIVE, HOST_BACK_PRIVATE);
    host_pages_set_zip_class(pages, 7, HOST_ZIP_2K);
    host_pages_set_backing(pages, 7, HOST_BACK_ZIP);
    host_pages_set_use(pages, 7, HOST_USE_ANON_ACTIVE);
    assert_int_equal(host_pages_zip_class(pages, 7), HOST_ZIP_2K);
    assert_int_equal(host_pages_backing(pages, 7), HOST_BACK_ZIP);
    host_pages_set_zip_class(pages, 7, HOST_ZIP_NONE);
    assert_int_equal(host_pages_zip_class(pages, 7), HOST_ZIP_NONE);
    assert_int_equal(host_pages_backing(pages, 7), HOST_BACK_ZIP);
    assert_int_equal(host_pages_use(pages, 7), HOST_USE_ANON_ACTIVE);
    assert_consistent(pages);
}

static void test_pages_pick_takes_the_page_moved_in_last(void **state)
{
    HostPages *pages = *state;
    assert_int_equal(host_pages_pick(pages, HOST_USE_CACHE_ACTIVE, HOST_RES_OUT), HOST_NO_PAGE);
    const uint32_t order[] = {3, 11, 7};
    for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
        host_pages_set(pages, order[i], HOST_USE_CACHE_ACTIVE, HOST_BACK_SWAP);
        assert_int_equal(host_pages_pick(pages, HOST_USE_CACHE_ACTIVE, HOST_RES_OUT), order[i]);
    }
    /* popping in pick order gives the pages back last in, first out */
    for (size_t i = G_N_ELEMENTS(order); i-- > 0;) {
        uint32_t p = host_pages_pick(pages, HOST_USE_CACHE_ACTIVE, HOST_RES_OUT);
        assert_int_equal(p, order[i]);
        host_pages_set(pages, p, HOST_USE_FREE, HOST_BACK_NONE);
    }
    assert_int_equal(host_pages_pick(pages, HOST_USE_CACHE_ACTIVE, HOST_RES_OUT), HOST_NO_PAGE);
    assert_consistent(pages);
}

static void test_pages_pick_free_takes_backed_then_untouched_then_host_swapped(void **state)
{
    HostPages *pages = *state;
    /* leave four free pages: one of each kind */
    for (uint32_t p = 4; p < pages->n; p++) {
        host_pages_set(pages, p, HOST_USE_KERNEL, HOST_BACK_PRIVATE);
    }
    host_pages_set(pages, 0, HOST_USE_FREE, HOST_BACK_SWAP);
    /* page 1 stays untouched */
    host_pages_set(pages, 2, HOST_USE_FREE, HOST_BACK_SHARED);
    host_pages_set(pages, 3, HOST_USE_FREE, HOST_BACK_PRIVATE);
    const uint32_t expected[] = {3, 2, 1, 0};
    for (size_t i = 0; i < G_N_ELEMENTS(expected); i++) {
        uint32_t p = host_pages_pick_free(pages);
        assert_int_equal(p, expected[i]);
        host_pages_set(pages, p, HOST_USE_BALLOON, HOST_BACK_NONE);
    }
    assert_int_equal(host_pages_pick_free(pages), HOST_NO_PAGE);
    assert_int_equal(host_pages_count_use(pages, HOST_USE_BALLOON), 4);
    assert_consistent(pages);
}

static void test_pages_pick_use_draws_residency_in_proportion_to_class_sizes(void **state)
{
    HostPages *pages = *state;
    /* anon inactive: 48 pages with a private frame (fresh), 16 in host swap */
    for (uint32_t p = 0; p < pages->n; p++) {
        host_pages_set(pages, p, HOST_USE_ANON_INACTIVE,
                       p < 48 ? HOST_BACK_PRIVATE : HOST_BACK_SWAP);
    }
    SimRng rng;
    sim_rng_init(&rng, 42, "test-pages");
    const int draws = 40000;
    int out = 0;
    for (int i = 0; i < draws; i++) {
        uint32_t p = host_pages_pick_use(pages, &rng, HOST_USE_ANON_INACTIVE);
        assert_int_not_equal(p, HOST_NO_PAGE);
        out += host_pages_backing(pages, p) == HOST_BACK_SWAP ? 1 : 0;
    }
    /* 1/4 expected; 5 standard deviations is about 0.011 */
    assert_float_equal((double)out / draws, 16.0 / 64.0, 0.011);
    assert_int_equal(host_pages_pick_use(pages, &rng, HOST_USE_FREE), HOST_NO_PAGE);
}

static void test_pages_pick_res_and_pick_private_cover_every_use(void **state)
{
    HostPages *pages = *state;
    SimRng rng;
    sim_rng_init(&rng, 7, "test-pages");
    assert_int_equal(host_pages_pick_private(pages, &rng), HOST_NO_PAGE);
    assert_int_equal(host_pages_pick_res(pages, &rng, HOST_RES_SHARED), HOST_NO_PAGE);
    host_pages_set_key(pages, 10, HOST_KEY_UNIQUE);
    host_pages_set(pages, 10, HOST_USE_KERNEL, HOST_BACK_PRIVATE);       /* IN */
    host_pages_set(pages, 20, HOST_USE_CACHE_ACTIVE, HOST_BACK_PRIVATE); /* FRESH */
    host_pages_set(pages, 30, HOST_USE_ANON_ACTIVE, HOST_BACK_PRIVATE);
    host_pages_set_large(pages, 30, true); /* LARGE */
    host_pages_set(pages, 40, HOST_USE_ANON_ACTIVE, HOST_BACK_SHARED);
    host_pages_set(pages, 50, HOST_USE_FREE, HOST_BACK_SHARED);
    bool seen_private[N_PAGES] = {false};
    bool seen_shared[N_PAGES] = {false};
    for (int i = 0; i < 400; i++) {
        uint32_t p = host_pages_pick_private(pages, &rng);
        assert_true(p == 10 || p == 20 || p == 30);
        seen_private[p] = true;
        p = host_pages_pick_res(pages, &rng, HOST_RES_SHARED);
        assert_true(p == 40 || p == 50);
        seen_shared[p] = true;
    }
    assert_true(seen_private[10] && seen_private[20] && seen_private[30]);
    assert_true(seen_shared[40] && seen_shared[50]);
    assert_int_equal(host_pages_count_res_all(pages, HOST_RES_SHARED), 2);
    assert_int_equal(host_pages_count_res_all(pages, HOST_RES_NONE), pages->n - 5);
    assert_consistent(pages);
}

static void test_pages_check_reports_counters_that_disagree_with_the_lists(void **state)
{
    HostPages *pages = *state;
    host_pages_set(pages, 0, HOST_USE_ANON_ACTIVE, HOST_BACK_PRIVATE);
    /* a counter moved without its page */
    pages->count[HOST_USE_ANON_ACTIVE][HOST_BACK_PRIVATE]--;
    pages->count[HOST_USE_ANON_ACTIVE][HOST_BACK_SWAP]++;
    GString *why = g_string_new(NULL);
    assert_false(host_pages_check(pages, why));
    assert_non_null(strstr(why->str, "anon_active pages with residency"));
    g_string_free(why, TRUE);
}

/* The sums by use and by backing that a fault reads (a VM's consumed
 * frames) follow every move, and the check catches one that does not. */
static void test_pages_sums_by_use_and_backing_follow_the_counters(void **state)
{
    HostPages *pages = *state;
    host_pages_set(pages, 0, HOST_USE_ANON_ACTIVE, HOST_BACK_PRIVATE);
    host_pages_set(pages, 1, HOST_USE_ANON_ACTIVE, HOST_BACK_SWAP);
    host_pages_set_private(pages, 2, HOST_USE_KERNEL, true, NULL);
    host_pages_set_backing(pages, 0, HOST_BACK_SHARED);
    assert_int_equal(host_pages_count_use(pages, HOST_USE_ANON_ACTIVE), 2);
    assert_int_equal(host_pages_count_use(pages, HOST_USE_KERNEL), 1);
    assert_int_equal(host_pages_count_use(pages, HOST_USE_FREE), pages->n - 3);
    assert_int_equal(host_pages_count_backing(pages, HOST_BACK_PRIVATE), 1);
    assert_int_equal(host_pages_count_backing(pages, HOST_BACK_SHARED), 1);
    assert_int_equal(host_pages_count_backing(pages, HOST_BACK_SWAP), 1);
    assert_int_equal(host_pages_count_backing(pages, HOST_BACK_NONE), pages->n - 3);
    assert_consistent(pages);
    pages->by_backing[HOST_BACK_SWAP]++;
    GString *why = g_string_new(NULL);
    assert_false(host_pages_check(pages, why));
    assert_non_null(strstr(why->str, "pages backed swap: counters 1, sum 2"));
    g_string_free(why, TRUE);
}

static void test_pages_check_reports_a_lost_page(void **state)
{
    HostPages *pages = *state;
    pages->n++; /* configured pages no list holds */
    GString *why = g_string_new(NULL);
    assert_false(host_pages_check(pages, why));
    assert_non_null(strstr(why->str, "pages by state sum to"));
    g_string_free(why, TRUE);
    pages->n--;
}

static void test_pages_check_reports_a_backed_balloon_page(void **state)
{
    HostPages *pages = *state;
    host_pages_set(pages, 0, HOST_USE_BALLOON, HOST_BACK_NONE);
    assert_consistent(pages);
    host_pages_set_backing(pages, 0, HOST_BACK_SWAP);
    GString *why = g_string_new(NULL);
    assert_false(host_pages_check(pages, why));
    assert_string_equal(why->str, "a ballooned page is backed; ");
    g_string_free(why, TRUE);
}

static void test_pages_names_are_the_csv_words_and_out_of_range_is_a_question_mark(void **state)
{
    (void)state;
    for (int u = 0; u < HOST_USE_MAX; u++) {
        assert_string_not_equal(host_use_to_string((HostUse)u), "?");
    }
    for (int b = 0; b < HOST_BACK_MAX; b++) {
        assert_string_not_equal(host_backing_to_string((HostBacking)b), "?");
    }
    assert_string_equal(host_use_to_string(HOST_USE_MAX), "?");
    assert_string_equal(host_backing_to_string(HOST_BACK_MAX), "?");
}

/* The key shares the page's record as a short code: every kind of key
 * reads back as written, through moves and flag changes. */
static void test_pages_keys_of_every_kind_survive_moves_and_flags(void **state)
{
    HostPages *pages = *state;
    static const uint32_t keys[] = {0, HOST_KEY_UNIQUE, HOST_KEY_IMAGE_BASE,
                                    HOST_KEY_IMAGE_BASE + 62, HOST_KEY_DUP_BASE,
                                    HOST_KEY_DUP_BASE + 5, HOST_KEY_DUP_BASE - 1,
                                    HOST_KEY_UNIQUE - 1};
    for (uint32_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        host_pages_set_key(pages, i, keys[i]);
        host_pages_set(pages, i, HOST_USE_ANON_ACTIVE, HOST_BACK_PRIVATE);
        host_pages_set_zip_class(pages, i, HOST_ZIP_2K);
        host_pages_set_large(pages, i, true);
        host_pages_set(pages, i, HOST_USE_ANON_INACTIVE, HOST_BACK_ZIP);
    }
    for (uint32_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        assert_int_equal(host_pages_key(pages, i), keys[i]);
        assert_int_equal(host_pages_zip_class(pages, i), HOST_ZIP_2K);
        assert_int_equal(host_pages_backing(pages, i), HOST_BACK_ZIP);
    }
    assert_null(pages->wide_key);
    assert_consistent(pages);
}

/* At 4 M pages (a 16 GiB VM at 4 KiB) the state is 11 B a page (8 B
 * record, 3 B list slot) and every key the model gives fits the record. */
static void test_pages_state_is_11_bytes_a_page_with_the_key_in_the_record(void **state)
{
    (void)state;
    enum { N = 1u << 22 };
    g_autoptr(HostPages) pages = host_pages_new(N);
    host_pages_set_key(pages, N - 1, HOST_KEY_IMAGE_BASE + N - 1);
    host_pages_set_key(pages, N - 2, HOST_KEY_DUP_BASE + N - 1);
    assert_null(pages->wide_key);
    assert_int_equal(host_pages_key(pages, N - 1), HOST_KEY_IMAGE_BASE + N - 1);
    assert_int_equal(host_pages_key(pages, N - 2), HOST_KEY_DUP_BASE + N - 1);
    assert_true(host_pages_bytes(pages) <= (size_t)11 * N + 65536);
}

/* A VM so large that the record's free bits cannot hold a key moves every
 * key to an array of its own, keeping the ones written before. */
static void test_pages_a_key_too_large_for_the_record_moves_keys_to_an_array(void **state)
{
    (void)state;
    enum { N = (1u << 26) + 1 }; /* 27 bits of position: 23 bits of code */
    g_autoptr(HostPages) pages = host_pages_new(N);
    host_pages_set_key(pages, 3, HOST_KEY_DUP_BASE + 3);
    host_pages_set_key(pages, 4, HOST_KEY_UNIQUE);
    host_pages_set(pages, 4, HOST_USE_KERNEL, HOST_BACK_PRIVATE);
    assert_null(pages->wide_key);
    host_pages_set_key(pages, 5, HOST_KEY_IMAGE_BASE + (1u << 21));
    assert_non_null(pages->wide_key);
    assert_int_equal(host_pages_key(pages, 3), HOST_KEY_DUP_BASE + 3);
    assert_int_equal(host_pages_key(pages, 4), HOST_KEY_UNIQUE);
    assert_int_equal(host_pages_key(pages, 5), HOST_KEY_IMAGE_BASE + (1u << 21));
    assert_int_equal(host_pages_key(pages, 6), 0);
    host_pages_set_key(pages, 4, HOST_KEY_IMAGE_BASE);
    assert_int_equal(host_pages_count_res(pages, HOST_USE_KERNEL, HOST_RES_FRESH), 1);
    assert_int_equal(host_pages_key(pages, 4), HOST_KEY_IMAGE_BASE);
}

/* Puts every page but a few in FRESH of three uses, the same in two sets. */
static void fill_fresh(HostPages *pages)
{
    static const HostUse uses[] = {HOST_USE_KERNEL, HOST_USE_ANON_ACTIVE, HOST_USE_CACHE_ACTIVE};
    for (uint32_t p = 0; p + 4 < pages->n; p++) {
        host_pages_set_key(pages, p, 1 + p % 5);
        host_pages_set(pages, p, uses[p % 3], HOST_BACK_PRIVATE);
    }
}

static void test_pages_picks_drawn_ahead_are_pick_res_one_by_one(void **state)
{
    (void)state;
    g_autoptr(HostPages) one = host_pages_new(N_PAGES);
    g_autoptr(HostPages) ahead_pages = host_pages_new(N_PAGES);
    fill_fresh(one);
    fill_fresh(ahead_pages);
    SimRng rng_one;
    SimRng rng_ahead;
    sim_rng_init(&rng_one, 3, "test-pages");
    sim_rng_init(&rng_ahead, 3, "test-pages");
    /* the caller's pattern: all draws first (as far ahead as it likes),
     * then each pick taken and moved out of FRESH in order */
    HostPickAhead ahead;
    host_pages_ahead_init(&ahead, ahead_pages, HOST_RES_FRESH);
    HostPick picks[N_PAGES];
    uint32_t n = 0;
    while (host_pages_ahead_draw(&ahead, &rng_ahead, &picks[n])) {
        host_pages_prefetch_slot(ahead_pages, &picks[n]);
        n++;
    }
    assert_int_equal(n, N_PAGES - 4);
    for (uint32_t k = 0; k < n; k++) {
        host_pages_prefetch_records(ahead_pages, &picks[k]);
        uint32_t p = host_pages_pick_res(one, &rng_one, HOST_RES_FRESH);
        assert_int_equal(host_pages_pick_taken(ahead_pages, &picks[k]), p);
        host_pages_set_backing(one, p, HOST_BACK_SHARED);
        host_pages_set_backing(ahead_pages, p, HOST_BACK_SHARED);
    }
    /* FRESH is empty: neither draws, and both streams are at the same place */
    assert_int_equal(host_pages_pick_res(one, &rng_one, HOST_RES_FRESH), HOST_NO_PAGE);
    assert_false(host_pages_ahead_draw(&ahead, &rng_ahead, &picks[0]));
    assert_int_equal(sim_rng_next(&rng_one), sim_rng_next(&rng_ahead));
    assert_consistent(ahead_pages);
}

#define PAGES_TEST(f) cmocka_unit_test_setup_teardown(f, pages_setup, pages_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        PAGES_TEST(test_pages_start_free_and_untouched),
        PAGES_TEST(test_pages_set_moves_a_page_between_lists_and_counters),
        PAGES_TEST(test_pages_set_use_and_set_backing_change_only_their_half),
        PAGES_TEST(test_pages_a_new_private_frame_is_fresh_unless_its_contents_are_unique),
        PAGES_TEST(test_pages_new_contents_make_a_private_page_fresh_or_in),
        PAGES_TEST(test_pages_new_contents_of_an_unbacked_page_leave_its_list_alone),
        PAGES_TEST(test_pages_a_large_page_is_broken_when_it_leaves_its_frame),
        PAGES_TEST(test_pages_breaking_a_large_page_leaves_it_fresh_or_in_by_contents),
        PAGES_TEST(test_pages_a_touch_in_place_keeps_the_page_large_and_fresh),
        cmocka_unit_test(test_pages_set_private_is_set_then_set_large_in_one_move),
        PAGES_TEST(test_pages_zip_class_survives_moves),
        PAGES_TEST(test_pages_pick_takes_the_page_moved_in_last),
        PAGES_TEST(test_pages_pick_free_takes_backed_then_untouched_then_host_swapped),
        PAGES_TEST(test_pages_pick_use_draws_residency_in_proportion_to_class_sizes),
        PAGES_TEST(test_pages_pick_res_and_pick_private_cover_every_use),
        PAGES_TEST(test_pages_check_reports_counters_that_disagree_with_the_lists),
        PAGES_TEST(test_pages_sums_by_use_and_backing_follow_the_counters),
        PAGES_TEST(test_pages_check_reports_a_lost_page),
        PAGES_TEST(test_pages_check_reports_a_backed_balloon_page),
        PAGES_TEST(test_pages_keys_of_every_kind_survive_moves_and_flags),
        cmocka_unit_test(test_pages_picks_drawn_ahead_are_pick_res_one_by_one),
        cmocka_unit_test(test_pages_state_is_11_bytes_a_page_with_the_key_in_the_record),
        cmocka_unit_test(test_pages_a_key_too_large_for_the_record_moves_keys_to_an_array),
        cmocka_unit_test(test_pages_names_are_the_csv_words_and_out_of_range_is_a_question_mark),
        cmocka_unit_test(test_pages_zero_free_is_page_by_page),
        cmocka_unit_test(test_pages_set_content_is_set_key_then_set_zip_class),
        cmocka_unit_test(test_pages_set_written_is_the_move_then_the_contents),
        PAGES_TEST(test_pages_pick_ahead_names_the_picks_to_come),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
