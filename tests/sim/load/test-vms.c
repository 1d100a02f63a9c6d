/* VM entries (sim/load/vms.c): guest defaults that scale with the VM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/load/scenario.h"
#include "sim/units.h"
#include "support/model.h"

static const SimGuestConfig *guest_of(const SimScenario *sc, guint i)
{
    return &g_array_index(sc->vms, SimVmConfig, i).guest;
}

/* Waldspurger 2002 ran 256 MB VMs (and 40 MB ones for Figure 4): valid as
 * written, with a kernel of 256 MiB / 8 + 256 MiB / 64 and as much swap as
 * memory. */
static void test_vms_a_256_mb_vm_of_the_2002_paper_is_valid_as_written(void **state)
{
    (void)state;
    g_autoptr(SimScenario) sc =
        test_scenario_load_ok("{\"host\": {\"memory\": \"1GiB\", \"overhead\": \"64MiB\"},"
                " \"vms\": [{\"name\": \"a\", \"memory\": \"256MB\"}]}");
    assert_int_equal(guest_of(sc, 0)->kernel, 36 * SIM_MIB); /* 256/8 + 256/64 */
    assert_int_equal(guest_of(sc, 0)->swap, 256 * SIM_MIB);
    g_autoptr(SimScenario) small = test_scenario_load_ok(
        "{\"host\": {\"memory\": \"1GiB\", \"overhead\": \"64MiB\"},"
        " \"vms\": [{\"name\": \"a\", \"memory\": \"40MB\"}]}");
    assert_int_equal(guest_of(small, 0)->kernel, 40 * SIM_MIB / 8 + 40 * SIM_MIB / 64);
}

/* The kernel's per-page structures are sized by configured memory: a 4 GiB
 * VM ballooned down by 2 GiB has less usable memory than a VM configured
 * with 2 GiB. Swap stops growing at 4 GiB; given values are kept. */
static void test_vms_guest_defaults_scale_with_configured_memory(void **state)
{
    (void)state;
    g_autoptr(SimScenario) sc = test_scenario_load_ok(
        "{\"host\": {\"memory\": \"64GiB\"}, \"vms\": [{\"name\": \"big\", \"memory\": \"4GiB\"},"
        " {\"name\": \"small\", \"memory\": \"2GiB\"}, {\"name\": \"huge\", \"memory\": \"32GiB\"},"
        " {\"name\": \"set\", \"memory\": \"32GiB\","
        "  \"guest\": {\"kernel\": \"200MiB\", \"swap\": \"1GiB\"}}]}");
    uint64_t balloon = 2 * SIM_GIB;
    uint64_t usable_ballooned = 4 * SIM_GIB - balloon - guest_of(sc, 0)->kernel;
    uint64_t usable_small = 2 * SIM_GIB - guest_of(sc, 1)->kernel;
    assert_true(usable_ballooned < usable_small);
    assert_int_equal(usable_small - usable_ballooned, 32 * SIM_MIB); /* 2 GiB / 64 */
    assert_int_equal(guest_of(sc, 2)->kernel, 576 * SIM_MIB);
    assert_int_equal(guest_of(sc, 2)->swap, 4 * SIM_GIB);
    assert_int_equal(guest_of(sc, 3)->kernel, 200 * SIM_MIB);
    assert_int_equal(guest_of(sc, 3)->swap, SIM_GIB);
}

/* A Windows guest's per-page structures are its PFN database, one 48-byte
 * MMPFN per 4 KiB page, under a fixed part capped at 128 MiB: a 256 MB VM
 * of the 2002 paper gets 256/8 + 3 MiB, a 32 GiB one 128 + 384 MiB, and a
 * 4 GiB VM ballooned to 2 GiB has 2 GiB x 48 / 4096 = 24 MiB less usable
 * memory than a VM configured with 2 GiB. */
static void test_vms_windows_kernel_holds_a_48_byte_mmpfn_per_page(void **state)
{
    (void)state;
    g_autoptr(SimScenario) sc = test_scenario_load_ok(
        "{\"host\": {\"memory\": \"64GiB\"}, \"templates\": {\"w\": {\"guest\": {\"os\": \"windows\"}}},"
        " \"vms\": [{\"name\": \"old\", \"template\": \"w\", \"memory\": \"256MB\"},"
        " {\"name\": \"big\", \"template\": \"w\", \"memory\": \"4GiB\"},"
        " {\"name\": \"small\", \"template\": \"w\", \"memory\": \"2GiB\"},"
        " {\"name\": \"huge\", \"template\": \"w\", \"memory\": \"32GiB\"}]}");
    assert_int_equal(guest_of(sc, 0)->kernel, 32 * SIM_MIB + 3 * SIM_MIB);
    assert_int_equal(guest_of(sc, 3)->kernel, 128 * SIM_MIB + 384 * SIM_MIB);
    uint64_t usable_ballooned = 4 * SIM_GIB - 2 * SIM_GIB - guest_of(sc, 1)->kernel;
    uint64_t usable_small = 2 * SIM_GIB - guest_of(sc, 2)->kernel;
    assert_int_equal(usable_small - usable_ballooned, 24 * SIM_MIB);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vms_windows_kernel_holds_a_48_byte_mmpfn_per_page),
        cmocka_unit_test(test_vms_a_256_mb_vm_of_the_2002_paper_is_valid_as_written),
        cmocka_unit_test(test_vms_guest_defaults_scale_with_configured_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
