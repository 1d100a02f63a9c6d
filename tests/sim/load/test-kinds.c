/* workload.kind (sim/load/workload.c): presets of the workload keys that
 * scale with the VM, under any key the scenario gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/load/scenario.h"
#include "sim/units.h"
#include "support/model.h"

static const SimVmConfig *vm_of(const SimScenario *sc, guint i)
{
    return &g_array_index(sc->vms, SimVmConfig, i);
}

/* f x bytes in whole 4 KiB, as the loader rounds a kind's sizes. */
static uint64_t fraction_floor(double f, uint64_t bytes)
{
    return (uint64_t)(f * (double)bytes) / 4096 * 4096;
}

static SimScenario *load_vm(const char *memory, const char *workload)
{
    g_autofree char *text = g_strdup_printf(
        "{\"host\": {\"memory\": \"64GiB\"}, \"vms\": [{\"name\": \"a\", \"memory\": \"%s\","
        " \"workload\": %s}]}",
        memory, workload);
    return test_scenario_load_ok(text);
}

/* The default kind changes nothing: every workload field is as without it. */
static void test_kinds_generic_keeps_every_default(void **state)
{
    (void)state;
    g_autoptr(SimScenario) plain = load_vm("4GiB", "{\"memory\": \"2GiB\"}");
    g_autoptr(SimScenario) generic = load_vm("4GiB", "{\"memory\": \"2GiB\", \"kind\": \"generic\"}");
    const SimWorkload *p = &vm_of(plain, 0)->workload;
    const SimWorkload *g = &vm_of(generic, 0)->workload;
    assert_int_equal(g->kind, SIM_WORKLOAD_GENERIC);
    assert_int_equal(g->memory, p->memory);
    assert_int_equal(g->active, p->active);
    assert_int_equal(g->page_cache, p->page_cache);
    assert_int_equal(g->has_warm, p->has_warm);
    assert_true(g->touch_rate == p->touch_rate && g->write_share == p->write_share);
    assert_true(g->warm_share == p->warm_share && g->cold_share == p->cold_share);
}

/* A file server's page cache is the same share of what the workload can use
 * (memory minus the guest kernel) at any VM size, in whole 4 KiB. */
static void test_kinds_file_server_scales_with_the_vm(void **state)
{
    (void)state;
    const char *sizes[] = {"256MB", "2GiB", "16GiB"};
    for (guint i = 0; i < G_N_ELEMENTS(sizes); i++) {
        g_autoptr(SimScenario) sc = load_vm(sizes[i], "{\"kind\": \"file-server\"}");
        const SimVmConfig *vm = vm_of(sc, 0);
        double room = (double)(vm->memory - vm->guest.kernel);
        assert_int_equal(vm->workload.kind, SIM_WORKLOAD_FILE_SERVER);
        assert_float_equal((double)vm->workload.page_cache / room, 0.6, 1e-4);
        assert_float_equal((double)vm->workload.memory / room, 0.05, 1e-4);
        assert_int_equal(vm->workload.page_cache % 4096, 0);
        assert_true(vm->workload.page_cache > 10 * vm->workload.memory);
    }
}

/* A key the scenario gives wins over the kind; the kind's fractions of the
 * workload memory follow the memory given. */
static void test_kinds_a_given_key_wins(void **state)
{
    (void)state;
    g_autoptr(SimScenario) sc = load_vm(
        "8GiB", "{\"kind\": \"database\", \"memory\": \"4GiB\", \"touch_rate\": 5,"
                " \"cold_share\": 0}");
    const SimWorkload *w = &vm_of(sc, 0)->workload;
    assert_int_equal(w->memory, 4 * SIM_GIB);
    assert_true(w->touch_rate == 5.0 && w->cold_share == 0.0);
    assert_int_equal(w->active, fraction_floor(0.2, 4 * SIM_GIB));
    assert_true(w->has_warm);
    assert_int_equal(w->warm, fraction_floor(0.3, 4 * SIM_GIB));
    g_autoptr(SimScenario) plain = load_vm("8GiB", "{\"memory\": \"4GiB\"}");
    assert_true(w->warm_share > vm_of(plain, 0)->workload.warm_share);
}

/* A template's kind reaches its VMs; a VM's own key still wins. */
static void test_kinds_come_from_templates(void **state)
{
    (void)state;
    g_autoptr(SimScenario) sc = test_scenario_load_ok(
        "{\"host\": {\"memory\": \"64GiB\"},"
        " \"templates\": {\"t\": {\"memory\": \"4GiB\", \"workload\": {\"kind\": \"idle\"}}},"
        " \"vms\": [{\"name\": \"a\", \"template\": \"t\"},"
        "  {\"name\": \"b\", \"template\": \"t\", \"workload\": {\"touch_rate\": 99}}]}");
    assert_int_equal(vm_of(sc, 0)->workload.kind, SIM_WORKLOAD_IDLE);
    assert_true(vm_of(sc, 0)->workload.touch_rate < 100.0);
    assert_true(vm_of(sc, 1)->workload.touch_rate == 99.0);
    assert_int_equal(vm_of(sc, 1)->workload.memory, vm_of(sc, 0)->workload.memory);
}

/* Every kind loads on the smallest VM of the 2002 paper and on a large one,
 * and what it sets fits: workload memory in the VM, the hot and warm sets in
 * the workload memory, the shares below 1. */
static void test_kinds_every_kind_fits_small_and_large_vms(void **state)
{
    (void)state;
    const char *sizes[] = {"40MB", "256MB", "64GiB"};
    for (int k = 0; k < SIM_WORKLOAD_KIND_MAX; k++) {
        for (guint i = 0; i < G_N_ELEMENTS(sizes); i++) {
            g_autofree char *wl =
                g_strdup_printf("{\"kind\": \"%s\"}", sim_workload_kind_to_string(k));
            g_autoptr(SimScenario) sc = load_vm(sizes[i], wl);
            const SimVmConfig *vm = vm_of(sc, 0);
            const SimWorkload *w = &vm->workload;
            assert_int_equal(w->kind, k);
            assert_true(w->memory + w->page_cache <= vm->memory - vm->guest.kernel);
            assert_true(w->active <= w->memory);
            assert_true(!w->has_warm || w->warm <= w->memory - w->active);
            assert_true(w->warm_share + w->cold_share < 1.0);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds_generic_keeps_every_default),
        cmocka_unit_test(test_kinds_file_server_scales_with_the_vm),
        cmocka_unit_test(test_kinds_a_given_key_wins),
        cmocka_unit_test(test_kinds_come_from_templates),
        cmocka_unit_test(test_kinds_every_kind_fits_small_and_large_vms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
