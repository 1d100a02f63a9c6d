/*
 * host/watermark.c and the LRU victim choice of a Linux host: the zone
 * watermarks a KVM host starts with, against the values real kernels show,
 * and the order in which its kswapd takes a guest's pages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "host/host.h"
#include "sim/units.h"

static double kib(uint64_t bytes)
{
    return (double)bytes / (double)SIM_KIB;
}

/* Without THP: sqrt(16 x kB), e.g. 16384 kB at 16 GiB, 65536 kB at 256 GiB;
 * the clamps at 128 kB and 262144 kB (Linux 5.7+). */
static void test_min_free_kbytes_follows_the_square_root_rule(void **state)
{
    (void)state;
    assert_float_equal(kib(host_linux_min_free(16 * SIM_GIB, false)), 16384.0, 0.0);
    assert_float_equal(kib(host_linux_min_free(256 * SIM_GIB, false)), 65536.0, 0.0);
    assert_float_equal(kib(host_linux_min_free(SIM_MIB, false)), 128.0, 0.0);
    assert_float_equal(kib(host_linux_min_free(16 * 1024 * SIM_GIB, false)), 262144.0, 0.0);
}

/* With THP, khugepaged raises it to 67584 kB, the value x86-64 KVM hosts
 * with transparent huge pages report, unless the square root is larger (a
 * 1 TiB host: 131072 kB) or 5% of memory is smaller (a 1 GiB host). */
static void test_thp_raises_min_free_to_67584_kb(void **state)
{
    (void)state;
    assert_float_equal(kib(host_linux_min_free(16 * SIM_GIB, true)), 67584.0, 0.0);
    assert_float_equal(kib(host_linux_min_free(256 * SIM_GIB, true)), 67584.0, 0.0);
    assert_float_equal(kib(host_linux_min_free(1024 * SIM_GIB, true)), 131072.0, 0.0);
    assert_float_equal(kib(host_linux_min_free(SIM_GIB, true)), 52428.0, 1.0);
}

/* Gaps of max(min / 4, 0.1% of memory): a 256 GiB host has a 268 MB gap
 * (262144 pages x 0.001), a 4 GiB one min / 4. */
static void test_watermarks_are_min_plus_one_and_two_gaps(void **state)
{
    (void)state;
    HostThresholds t;
    uint64_t pages = 256 * SIM_GIB / (4 * SIM_KIB);
    host_linux_thresholds(&t, pages, 16896);
    assert_int_equal(t.wmark_min, 16896);
    assert_int_equal(t.wmark_low, 16896 + 67108);
    assert_int_equal(t.wmark_high, 16896 + 2 * 67108);
    assert_false(t.has_clear);
    host_linux_thresholds(&t, 1048576, 16896);
    assert_int_equal(t.wmark_low, 16896 + 4224);
    /* the states: above high, between, below low (kswapd), below min */
    assert_int_equal(host_state_for(&t, SIM_STATE_READING_BAND, t.wmark_high), HOST_STATE_HIGH);
    assert_int_equal(host_state_for(&t, SIM_STATE_READING_BAND, t.wmark_high - 1), HOST_STATE_SOFT);
    assert_int_equal(host_state_for(&t, SIM_STATE_READING_BAND, t.wmark_low - 1), HOST_STATE_HARD);
    assert_int_equal(host_state_for(&t, SIM_STATE_READING_BAND, t.wmark_min - 1), HOST_STATE_LOW);
}

/* kswapd's victims: what the guest freed, then stale cache, then cold anon,
 * ... its hot set last; within one list, a random page. */
static void test_lru_takes_the_coldest_private_pages_first(void **state)
{
    (void)state;
    HostPages *pages = host_pages_new(40);
    SimRng rng;
    sim_rng_init(&rng, 1, "test");
    static const HostUse uses[] = {HOST_USE_ANON_ACTIVE, HOST_USE_CACHE_INACTIVE,
                                   HOST_USE_ANON_INACTIVE, HOST_USE_KERNEL};
    for (uint32_t p = 0; p < 40; p++) {
        host_pages_set(pages, p, uses[p % 4], HOST_BACK_PRIVATE);
    }
    HostUse seen[40];
    for (int i = 0; i < 40; i++) {
        uint32_t p = host_pages_pick_private_lru(pages, &rng);
        assert_int_not_equal(p, HOST_NO_PAGE);
        seen[i] = host_pages_use(pages, p);
        host_pages_set_backing(pages, p, HOST_BACK_SWAP);
    }
    for (int i = 0; i < 40; i++) {
        HostUse want = i < 10   ? HOST_USE_CACHE_INACTIVE
                       : i < 20 ? HOST_USE_ANON_INACTIVE
                       : i < 30 ? HOST_USE_KERNEL
                                : HOST_USE_ANON_ACTIVE;
        assert_int_equal(seen[i], want);
    }
    assert_int_equal(host_pages_pick_private_lru(pages, &rng), HOST_NO_PAGE);
    host_pages_free(pages);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_min_free_kbytes_follows_the_square_root_rule),
        cmocka_unit_test(test_thp_raises_min_free_to_67584_kb),
        cmocka_unit_test(test_watermarks_are_min_plus_one_and_two_gaps),
        cmocka_unit_test(test_lru_takes_the_coldest_private_pages_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
