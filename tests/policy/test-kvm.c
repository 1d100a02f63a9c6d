/*
 * policy/kvm.c: the kernel's part of every KVM policy (kswapd between the
 * watermarks, direct reclaim below min) and the KSM tuner of MOM's
 * ksm.rules and ksmtuned, fed with views built by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "policy/kvm.h"

#define KB_64G 67108864.0

/* MOM's rule on a 64 GiB host: thresh 20% = 13421772.8 kB. Free below it
 * boosts pages_to_scan by 300 up to 1250; free above it (but memory
 * committed beyond total - thresh) decays it by 50 down to 64; sleep is
 * 10 ms x 16 GiB / 64 GiB = 2.5 ms (MOM) or 10 ms (floored, ksmtuned). */
static void test_ksm_boosts_decays_and_clamps(void **state)
{
    (void)state;
    PolicyKsm k;
    policy_ksm_init(&k);
    assert_false(k.run);
    assert_float_equal(k.pages_to_scan, 100.0, 0.0);
    const double low_free = 4.0 * 1048576.0, committed = 70.0 * 1048576.0;
    double want[] = {400, 700, 1000, 1250, 1250};
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
        policy_ksm_step(&k, KB_64G, low_free, committed, 0.0);
        assert_true(k.run);
        assert_float_equal(k.pages_to_scan, want[i], 0.0);
        assert_float_equal(k.sleep_ms, 2.5, 1e-12);
    }
    /* plenty free, but overcommitted: keeps running and decays */
    for (int i = 0; i < 30; i++) {
        policy_ksm_step(&k, KB_64G, 32.0 * 1048576.0, committed, 10.0);
    }
    assert_true(k.run);
    assert_float_equal(k.pages_to_scan, 64.0, 0.0);
    assert_float_equal(k.sleep_ms, 10.0, 0.0);
}

/* Stops when thresh + committed < total and free > thresh; either one
 * failing keeps it on. */
static void test_ksm_stops_only_with_room_on_both_counts(void **state)
{
    (void)state;
    PolicyKsm k;
    policy_ksm_init(&k);
    double thresh = 0.2 * KB_64G;
    policy_ksm_step(&k, KB_64G, thresh + 1.0, KB_64G - thresh - 1.0, 0.0);
    assert_false(k.run);
    policy_ksm_step(&k, KB_64G, thresh, KB_64G - thresh - 1.0, 0.0);
    assert_true(k.run);
    policy_ksm_step(&k, KB_64G, thresh + 1.0, KB_64G - thresh, 0.0);
    assert_true(k.run);
    PolicyTargets out = {0};
    policy_ksm_apply(&k, &out);
    /* 200 pages per 2.5 ms: 80000 pages a second */
    assert_float_equal(out.share_rate, k.pages_to_scan * 1000.0 / 2.5, 1e-9);
    assert_float_equal(out.share_scan_factor, 1.0, 0.0);
    assert_true(out.break_large_pages);
}

/* Two VMs holding 3:1 of the host; watermarks 100/200/300 pages. */
static PolicyView view_at(uint64_t free, PolicyVmView *vms, PolicyVmTargets *t, PolicyTargets *out)
{
    vms[0] = (PolicyVmView){.powered_on = true, .consumed = 3000, .swapped = 10};
    vms[1] = (PolicyVmView){.powered_on = true, .consumed = 1000, .swapped = 0};
    *out = (PolicyTargets){.n_vms = 2, .vms = t};
    return (PolicyView){.host_free = free, .n_vms = 2, .vms = vms, .wmark_min = 100,
                        .wmark_low = 200, .wmark_high = 300};
}

/* kswapd wakes below low, reclaims toward high spread by what each VM
 * holds, keeps going between low and high, sleeps at high; below min the
 * VMs' allocations stall in direct reclaim. */
static void test_kswapd_wakes_below_low_and_sleeps_at_high(void **state)
{
    (void)state;
    PolicyVmView vms[2];
    PolicyVmTargets t[2];
    PolicyTargets out;
    PolicyKswapd k = {0};
    PolicyView v = view_at(250, vms, t, &out);
    policy_kvm_host_tick(&k, &v, &out);
    assert_false(k.awake);
    assert_int_equal(t[0].swap_target, 10);
    v = view_at(180, vms, t, &out);
    policy_kvm_host_tick(&k, &v, &out);
    assert_true(k.awake);
    assert_int_equal(t[0].swap_target, 10 + 90); /* 3/4 of 120 */
    assert_int_equal(t[1].swap_target, 30);
    assert_false(t[0].block_alloc);
    v = view_at(250, vms, t, &out);
    policy_kvm_host_tick(&k, &v, &out);
    assert_true(k.awake);
    assert_int_equal(t[1].swap_target, 13); /* 50 x 1/4, rounded */
    v = view_at(90, vms, t, &out);
    policy_kvm_host_tick(&k, &v, &out);
    assert_true(t[0].block_alloc && t[1].block_alloc);
    v = view_at(300, vms, t, &out);
    policy_kvm_host_tick(&k, &v, &out);
    assert_false(k.awake);
    assert_int_equal(t[1].swap_target, 0);
    assert_false(out.compression);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ksm_boosts_decays_and_clamps),
        cmocka_unit_test(test_ksm_stops_only_with_room_on_both_counts),
        cmocka_unit_test(test_kswapd_wakes_below_low_and_sleeps_at_high),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
