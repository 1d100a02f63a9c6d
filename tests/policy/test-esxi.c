#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "policy/policy.h"

/* One 1000-page VM holding 900 pages with a target of 600. */
static PolicyVmView vm_over_target(void)
{
    return (PolicyVmView){
        .powered_on = true,
        .has_balloon = true,
        .configured = 1000,
        .limit = 1000,
        .shares = 10000,
        .consumed = 900,
        .sztgt = 600,
        .mctl = 100,
        .mctl_max = 650,
        .swapped = 0,
    };
}

static PolicyVmTargets tick_in(HostState state, PolicyVmView vm)
{
    const PolicyClass *esxi = policy_lookup("esxi");
    assert_non_null(esxi);
    PolicyView view = {.state = state, .n_vms = 1, .vms = &vm};
    PolicyVmTargets t = {0};
    PolicyTargets out = {.n_vms = 1, .vms = &t};
    esxi->tick(NULL, &view, &out);
    return t;
}

static void test_esxi_balloons_toward_the_target_in_soft(void **state)
{
    (void)state;
    PolicyVmTargets t = tick_in(HOST_STATE_SOFT, vm_over_target());
    assert_int_equal(t.mctl_target, 400); /* configured - sztgt */
    assert_int_equal(t.swap_target, 0);
    assert_false(t.block_alloc);
}

static void test_esxi_stops_balloon_growth_and_swaps_in_hard(void **state)
{
    (void)state;
    PolicyVmTargets t = tick_in(HOST_STATE_HARD, vm_over_target());
    assert_int_equal(t.mctl_target, 100); /* held, not grown */
    assert_int_equal(t.swap_target, 300); /* consumed - sztgt */
    assert_false(t.block_alloc);
}

static void test_esxi_blocks_vms_above_target_in_low(void **state)
{
    (void)state;
    PolicyVmTargets t = tick_in(HOST_STATE_LOW, vm_over_target());
    assert_true(t.block_alloc);
    assert_int_equal(t.swap_target, 300);
    PolicyVmView under = vm_over_target();
    under.consumed = 500;
    assert_false(tick_in(HOST_STATE_LOW, under).block_alloc);
}

static void test_esxi_does_not_grow_the_balloon_in_high_or_clear(void **state)
{
    (void)state;
    assert_int_equal(tick_in(HOST_STATE_HIGH, vm_over_target()).mctl_target, 100);
    assert_int_equal(tick_in(HOST_STATE_CLEAR, vm_over_target()).mctl_target, 100);
    assert_int_equal(tick_in(HOST_STATE_CLEAR, vm_over_target()).swap_target, 0);
    /* once the target has room again the balloon may deflate */
    PolicyVmView roomy = vm_over_target();
    roomy.sztgt = 1000;
    assert_int_equal(tick_in(HOST_STATE_HIGH, roomy).mctl_target, 0);
}

static void test_esxi_enforces_a_limit_in_every_state(void **state)
{
    (void)state;
    PolicyVmView limited = vm_over_target();
    limited.limit = 300;
    limited.sztgt = 300;
    for (int s = HOST_STATE_HIGH; s < HOST_STATE_MAX; s++) {
        assert_int_equal(tick_in((HostState)s, limited).mctl_target, 650); /* capped */
    }
    limited.mctl_max = 1000;
    assert_int_equal(tick_in(HOST_STATE_HIGH, limited).mctl_target, 700);
}

/* Soft pages only what the balloon cannot take (Waldspurger 2002: "page only
 * where ballooning is not possible"). */
static void test_esxi_soft_pages_a_vm_without_a_balloon_driver(void **state)
{
    (void)state;
    PolicyVmView vm = vm_over_target();
    vm.has_balloon = false;
    vm.mctl = 0;
    vm.swapped = 20;
    PolicyVmTargets t = tick_in(HOST_STATE_SOFT, vm);
    assert_int_equal(t.swap_target, 320); /* swapped + consumed - sztgt */
    assert_false(t.block_alloc);
}

static void test_esxi_soft_pages_what_a_capped_balloon_cannot_take(void **state)
{
    (void)state;
    PolicyVmView vm = vm_over_target();
    vm.mctl_max = 250;
    vm.mctl = 250;
    vm.consumed = 700;
    PolicyVmTargets t = tick_in(HOST_STATE_SOFT, vm);
    assert_int_equal(t.mctl_target, 250);
    assert_int_equal(t.swap_target, 100); /* consumed - sztgt, all beyond the cap */
    /* a balloon with room takes it all: nothing is paged */
    assert_int_equal(tick_in(HOST_STATE_SOFT, vm_over_target()).swap_target, 0);
}

static void test_esxi_leaves_powered_off_vms_alone(void **state)
{
    (void)state;
    PolicyVmView off = vm_over_target();
    off.powered_on = false;
    PolicyVmTargets t = tick_in(HOST_STATE_LOW, off);
    assert_int_equal(t.mctl_target, 0);
    assert_int_equal(t.swap_target, 0);
    assert_false(t.block_alloc);
}

/* The eras: 5.x has no clear state and breaks large pages only in soft;
 * 2002 has neither large pages nor compression. */
static void test_esx_eras_differ_in_compression_and_large_pages(void **state)
{
    (void)state;
    const char *names[] = {"esxi", "esxi5", "esx2002"};
    const bool compress[] = {true, true, false};
    const bool breaks_in_clear[] = {true, false, false};
    for (int i = 0; i < 3; i++) {
        const PolicyClass *cls = policy_lookup(names[i]);
        assert_non_null(cls);
        PolicyVmView vm = vm_over_target();
        PolicyView view = {.state = HOST_STATE_HARD, .n_vms = 1, .vms = &vm};
        PolicyVmTargets t = {0};
        PolicyTargets out = {.n_vms = 1, .vms = &t};
        cls->tick(NULL, &view, &out);
        assert_int_equal(out.compression, compress[i]);
        view.state = HOST_STATE_CLEAR;
        cls->tick(NULL, &view, &out);
        assert_int_equal(out.break_large_pages, breaks_in_clear[i]);
    }
    assert_null(policy_lookup("esxi")->era);
    assert_true(policy_lookup("esxi5")->era->state_pct[HOST_STATE_CLEAR] < 0);
    assert_float_equal(policy_lookup("esx2002")->era->state_pct[HOST_STATE_SOFT], 4.0, 0.0);
    assert_true(policy_lookup("esx2002")->era->pct_of_host);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_esxi_balloons_toward_the_target_in_soft),
        cmocka_unit_test(test_esxi_stops_balloon_growth_and_swaps_in_hard),
        cmocka_unit_test(test_esxi_blocks_vms_above_target_in_low),
        cmocka_unit_test(test_esxi_does_not_grow_the_balloon_in_high_or_clear),
        cmocka_unit_test(test_esxi_enforces_a_limit_in_every_state),
        cmocka_unit_test(test_esxi_soft_pages_a_vm_without_a_balloon_driver),
        cmocka_unit_test(test_esxi_soft_pages_what_a_capped_balloon_cannot_take),
        cmocka_unit_test(test_esxi_leaves_powered_off_vms_alone),
        cmocka_unit_test(test_esx_eras_differ_in_compression_and_large_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
