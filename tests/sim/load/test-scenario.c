/* Scenario loading: defaults, templates, count expansion, overrides, checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>

#include "sim/error.h"
#include "sim/load/scenario.h"
#include "support/model.h"
#include "support/testutil.h"
#include "sim/units.h"


/* cmocka has no GError check; a message in the failure beats a bare NULL check. */
#define assert_no_error(e)                                                                         \
    do {                                                                                           \
        if ((e) != NULL) {                                                                         \
            fail_msg("%s", (e)->message);                                                          \
        }                                                                                          \
    } while (0)

#define MINIMAL                                                                                    \
    "{\"host\": {\"memory\": \"16GiB\"}, \"vms\": [{\"name\": \"web\", \"memory\": \"4GiB\"}]}"

/* Asserts loading fails with `code` and exactly `message`. */
static void load_err(const char *text, int code, const char *message)
{
    GError *error = NULL;
    SimScenario *sc = sim_scenario_load_text("t.json", text, strlen(text), &error);
    assert_null(sc);
    assert_non_null(error);
    assert_string_equal(error->message, message);
    assert_int_equal(error->code, code);
    g_error_free(error);
}

static const SimVmConfig *vm_at(const SimScenario *sc, guint i)
{
    assert_true(i < sc->vms->len);
    return &g_array_index(sc->vms, SimVmConfig, i);
}

static void test_scenario_minimal_gets_every_default(void **state)
{
    (void)state;
    g_autoptr(SimScenario) sc = test_scenario_load_ok(MINIMAL);
    assert_string_equal(sc->name, "t");
    assert_string_equal(sc->description, "");
    assert_int_equal(sc->seed, 1);
    assert_int_equal(sc->duration, SIM_HOUR);
    assert_int_equal(sc->sample_interval, 20 * SIM_S);
    const SimHostConfig *h = &sc->host;
    assert_int_equal(h->memory, 16 * SIM_GIB);
    assert_int_equal(h->page_size, 4096);
    assert_float_equal(h->cpu_ghz, 40, 1e-12);
    assert_int_equal(h->overhead, SIM_GIB);
    assert_float_equal(h->vm_overhead_base, 20.0 * SIM_MIB, 1e-6);
    assert_float_equal(h->vm_overhead_frac, 0.012, 1e-12);
    assert_int_equal(h->min_free, 0);
    assert_string_equal(h->policy, "esxi");
    assert_int_equal(h->state_reading, SIM_STATE_READING_BAND);
    assert_float_equal(h->state_hysteresis, 0.05, 1e-12);
    assert_float_equal(h->idle_tax, 0.75, 1e-12);
    assert_int_equal(h->balance_period, 15 * SIM_S);
    assert_int_equal(h->sample_period, 60 * SIM_S);
    assert_int_equal(h->sample_pages, 100);
    assert_float_equal(h->ctl_max_pct, 0.65, 1e-12);
    assert_true(h->sharing.enabled && h->sharing.large_pages);
    assert_int_equal(h->sharing.salting, 2);
    assert_int_equal(h->sharing.scan_time, 60 * SIM_MIN);
    assert_float_equal(h->sharing.rate_max, 1024, 1e-9);
    assert_float_equal(h->sharing.scan_ghz, 4.0 * SIM_MIB, 1e-6);
    assert_true(h->compression.enabled);
    assert_float_equal(h->compression.max_pct, 0.10, 1e-12);
    assert_int_equal(h->compression.latency, 20 * SIM_US);
    assert_int_equal(h->swap.latency, 5 * SIM_MS);
    assert_float_equal(h->swap.bandwidth, 200.0 * SIM_MIB, 1e-6);
    assert_int_equal(h->swap.cache_size, 0);
    assert_int_equal(h->swap.cache_latency, 100 * SIM_US);
    assert_float_equal(h->swap.cache_bandwidth, (double)SIM_GIB, 1e-6);
    assert_int_equal(sc->events->len, 0);
    assert_false(sc->has_sla);
}

static void test_scenario_vm_gets_every_default(void **state)
{
    (void)state;
    g_autoptr(SimScenario) sc = test_scenario_load_ok(MINIMAL);
    const SimVmConfig *vm = vm_at(sc, 0);
    assert_string_equal(vm->name, "web");
    assert_string_equal(vm->pointer, "/vms/0");
    assert_int_equal(vm->memory, 4 * SIM_GIB);
    assert_int_equal(vm->reservation, 0);
    assert_true(vm->limit == SIM_SIZE_UNLIMITED);
    assert_int_equal(vm->shares, 4096 * 10);
    assert_float_equal(vm->max_balloon, 1.0, 1e-12);
    assert_int_equal(vm->power_on, 0);
    assert_null(vm->salt);
    const SimGuestConfig *g = &vm->guest;
    assert_int_equal(g->os, SIM_OS_LINUX);
    assert_null(g->image);
    assert_int_equal(g->swap, 4 * SIM_GIB);
    assert_true(g->balloon_driver);
    assert_int_equal(g->kernel, 128 * SIM_MIB); /* 64 MiB + 4 GiB / 64 */
    assert_float_equal(g->cache_fill_rate, 8.0 * SIM_MIB, 1e-6);
    assert_int_equal(g->disk_latency, 5 * SIM_MS);
    assert_float_equal(g->disk_bandwidth, 100.0 * SIM_MIB, 1e-6);
    assert_int_equal(g->balloon.poll, SIM_S);
    assert_int_equal(g->balloon.rate_fast, 16384);
    assert_int_equal(g->balloon.rate_slow_max, 2048);
    assert_int_equal(g->balloon.rate_slow_min, 512);
    assert_int_equal(g->balloon.rate_slow_inc, 16);
    assert_int_equal(g->balloon.deflate_fast, 16384);
    assert_int_equal(g->balloon.deflate_slow, 1024);
    const SimWorkload *w = &vm->workload;
    assert_int_equal(w->memory, 0);
    assert_int_equal(w->active, 0);
    assert_int_equal(w->page_cache, 0);
    assert_float_equal(w->touch_rate, 10000, 1e-9);
    assert_float_equal(w->write_share, 0.3, 1e-12);
    assert_float_equal(w->alloc_rate, 256.0 * SIM_MIB, 1e-6);
    assert_float_equal(w->content.zero, 0.05, 1e-12);
    assert_float_equal(w->content.image_shared, 0.10, 1e-12);
    assert_float_equal(w->content.duplicate, 0.05, 1e-12);
    assert_float_equal(w->content.compressible, 0.5, 1e-12);
    assert_int_equal(w->phases->len, 0);
    assert_null(w->trace);
}

static void test_scenario_values_in_every_notation(void **state)
{
    (void)state;
    g_autoptr(SimScenario) sc = test_scenario_load_ok(
        "{\"name\": \"n\", \"seed\": 7, \"duration\": \"1h30m\", \"sample_interval\": \"500ms\","
        " \"host\": {\"memory\": 65536, \"min_free\": \"1GB\", \"idle_tax\": \"50%\","
        "  \"ctl_max_pct\": 40, \"state_reading\": \"below\", \"policy\": \"esxi\","
        "  \"sharing\": {\"rate_max\": 2048, \"salting\": 0}, \"swap\": {\"cache\": {\"size\": "
        "\"8GiB\"}}},"
        " \"vms\": [{\"name\": \"w\", \"memory\": \"4GiB\", \"max_balloon\": \"65%\","
        "  \"guest\": {\"os\": \"windows\", \"image\": \"win\"},"
        "  \"workload\": {\"memory\": \"2GiB\", \"touch_rate\": \"600/min\"}}],"
        " \"sla\": {\"perf_index\": 0.95}}");
    assert_string_equal(sc->name, "n");
    assert_int_equal(sc->seed, 7);
    assert_int_equal(sc->duration, 90 * SIM_MIN);
    assert_int_equal(sc->sample_interval, 500 * SIM_MS);
    assert_int_equal(sc->host.memory, 64 * SIM_GIB);
    assert_int_equal(sc->host.min_free, SIM_GIB);
    assert_float_equal(sc->host.idle_tax, 0.5, 1e-12);
    assert_float_equal(sc->host.ctl_max_pct, 0.4, 1e-12);
    assert_int_equal(sc->host.state_reading, SIM_STATE_READING_BELOW);
    assert_float_equal(sc->host.sharing.rate_max, 2048, 1e-9);
    assert_int_equal(sc->host.sharing.salting, 0);
    assert_int_equal(sc->host.swap.cache_size, 8 * SIM_GIB);
    const SimVmConfig *vm = vm_at(sc, 0);
    assert_float_equal(vm->max_balloon, 0.65, 1e-12);
    assert_int_equal(vm->guest.os, SIM_OS_WINDOWS);
    assert_string_equal(vm->guest.image, "win");
    assert_int_equal(vm->workload.active, SIM_GIB / 2); /* a quarter of the workload memory */
    assert_float_equal(vm->workload.touch_rate, 10, 1e-9);
    assert_true(sc->has_sla);
    assert_float_equal(sc->sla_perf_index, 0.95, 1e-12);
}

static void test_scenario_template_values_are_inherited_and_overridden(void **state)
{
    (void)state;
    g_autoptr(SimScenario) sc =
        test_scenario_load_ok("{\"host\": {\"memory\": \"64GiB\"},"
                " \"templates\": {\"web\": {\"memory\": \"8GiB\", \"reservation\": \"1GiB\","
                "   \"guest\": {\"os\": \"windows\", \"image\": \"win\", \"kernel\": \"512MiB\"},"
                "   \"workload\": {\"memory\": \"2GiB\", \"write_share\": 0.6,"
                "    \"content\": {\"zero\": 0.2, \"duplicate\": 0.1}}}},"
                " \"vms\": [{\"name\": \"a\", \"template\": \"web\", \"memory\": \"16GiB\","
                "   \"guest\": {\"image\": \"win11\"},"
                "   \"workload\": {\"active\": \"1GiB\", \"content\": {\"zero\": 0.3}}}]}");
    const SimVmConfig *vm = vm_at(sc, 0);
    assert_int_equal(vm->memory, 16 * SIM_GIB);         /* the VM's own */
    assert_int_equal(vm->reservation, SIM_GIB);         /* from the template */
    assert_int_equal(vm->guest.os, SIM_OS_WINDOWS); /* objects merge member by member */
    assert_string_equal(vm->guest.image, "win11");
    assert_int_equal(vm->guest.kernel, 512 * SIM_MIB);
    assert_int_equal(vm->workload.memory, 2 * SIM_GIB);
    assert_int_equal(vm->workload.active, SIM_GIB);
    assert_float_equal(vm->workload.content.zero, 0.3, 1e-12);
    assert_float_equal(vm->workload.content.duplicate, 0.1, 1e-12);
    assert_float_equal(vm->workload.write_share, 0.6, 1e-12);
    assert_float_equal(vm->workload.content.image_shared, 0.10, 1e-12);
}

static void test_scenario_count_names_vms_name_1_to_n(void **state)
{
    (void)state;
    g_autoptr(SimScenario) sc =
        test_scenario_load_ok("{\"host\": {\"memory\": \"64GiB\"},"
                " \"vms\": [{\"name\": \"web\", \"memory\": \"2GiB\", \"count\": 3},"
                "          {\"name\": \"db\", \"memory\": \"8GiB\"}]}");
    assert_int_equal(sc->vms->len, 4);
    assert_string_equal(vm_at(sc, 0)->name, "web-1");
    assert_string_equal(vm_at(sc, 1)->name, "web-2");
    assert_string_equal(vm_at(sc, 2)->name, "web-3");
    assert_string_equal(vm_at(sc, 3)->name, "db");
    assert_string_equal(vm_at(sc, 2)->pointer, "/vms/0");
    assert_string_equal(vm_at(sc, 3)->pointer, "/vms/1");
    assert_int_equal(sim_scenario_find_vm(sc, "web-2"), 1);
    assert_int_equal(sim_scenario_find_vm(sc, "db"), 3);
    assert_int_equal(sim_scenario_find_vm(sc, "web"), -1);
}

static void test_scenario_shares_levels_scale_with_configured_memory(void **state)
{
    (void)state;
    g_autoptr(SimScenario) sc =
        test_scenario_load_ok("{\"host\": {\"memory\": \"64GiB\"},"
                " \"vms\": [{\"name\": \"l\", \"memory\": \"1GiB\", \"shares\": \"low\"},"
                "          {\"name\": \"h\", \"memory\": \"2GiB\", \"shares\": \"high\"},"
                "          {\"name\": \"n\", \"memory\": 512, \"shares\": 777}]}");
    assert_int_equal(vm_at(sc, 0)->shares, 1024 * 5);
    assert_int_equal(vm_at(sc, 1)->shares, 2048 * 20);
    assert_int_equal(vm_at(sc, 2)->shares, 777);
}

static void test_scenario_limit_above_memory_means_unlimited(void **state)
{
    (void)state;
    g_autoptr(SimScenario) sc =
        test_scenario_load_ok("{\"host\": {\"memory\": \"64GiB\"},"
                " \"vms\": [{\"name\": \"a\", \"memory\": \"4GiB\", \"limit\": \"8GiB\"},"
                "          {\"name\": \"b\", \"memory\": \"4GiB\", \"limit\": \"3GiB\"},"
                "          {\"name\": \"c\", \"memory\": \"4GiB\", \"limit\": \"unlimited\"}]}");
    assert_true(vm_at(sc, 0)->limit == SIM_SIZE_UNLIMITED);
    assert_int_equal(vm_at(sc, 1)->limit, 3 * SIM_GIB);
    assert_true(vm_at(sc, 2)->limit == SIM_SIZE_UNLIMITED);
}

static void test_scenario_power_on_null_stays_off_until_an_event(void **state)
{
    (void)state;
    g_autoptr(SimScenario) sc =
        test_scenario_load_ok("{\"host\": {\"memory\": \"64GiB\"},"
                " \"vms\": [{\"name\": \"a\", \"memory\": \"4GiB\", \"power_on\": null},"
                "          {\"name\": \"b\", \"memory\": \"4GiB\", \"power_on\": \"10m\"}]}");
    assert_true(vm_at(sc, 0)->power_on == SIM_TIME_NEVER);
    assert_int_equal(vm_at(sc, 1)->power_on, 10 * SIM_MIN);
}

static void test_scenario_phases_are_sorted_by_time(void **state)
{
    (void)state;
    g_autoptr(SimScenario) sc = test_scenario_load_ok(
        "{\"host\": {\"memory\": \"64GiB\"},"
        " \"vms\": [{\"name\": \"a\", \"memory\": \"8GiB\", \"workload\": {\"memory\": \"1GiB\","
        "   \"phases\": [{\"at\": \"1h\", \"memory\": \"6GiB\"}, {\"at\": \"30m\", \"active\": "
        "\"1GiB\"},"
        "                {\"at\": \"2h\", \"touch_rate\": \"5/s\", \"page_cache\": \"1GiB\","
        "                 \"write_share\": 0}]}}]}");
    const GArray *phases = vm_at(sc, 0)->workload.phases;
    assert_int_equal(phases->len, 3);
    const SimPhase *p0 = &g_array_index(phases, SimPhase, 0);
    const SimPhase *p1 = &g_array_index(phases, SimPhase, 1);
    const SimPhase *p2 = &g_array_index(phases, SimPhase, 2);
    assert_int_equal(p0->at, 30 * SIM_MIN);
    assert_true(p0->has_active && !p0->has_memory);
    assert_int_equal(p0->active, SIM_GIB);
    assert_int_equal(p1->at, SIM_HOUR);
    assert_true(p1->has_memory && !p1->has_active);
    assert_int_equal(p1->memory, 6 * SIM_GIB);
    assert_true(p2->has_touch_rate && p2->has_page_cache && p2->has_write_share);
    assert_float_equal(p2->touch_rate, 5, 1e-9);
    assert_float_equal(p2->write_share, 0, 0);
    assert_false(p0->has_write_share || p1->has_write_share);
}

static void test_scenario_events_are_sorted_by_time_and_stable(void **state)
{
    (void)state;
    g_autoptr(SimScenario) sc = test_scenario_load_ok(
        "{\"host\": {\"memory\": \"64GiB\"},"
        " \"vms\": [{\"name\": \"w\", \"memory\": \"4GiB\", \"count\": 2}],"
        " \"events\": [{\"at\": \"2h\", \"action\": \"power_off\", \"vm\": \"w-1\"},"
        "  {\"at\": \"1h\", \"action\": \"set\", \"vm\": \"w-2\", \"limit\": \"2GiB\", \"shares\": "
        "\"high\"},"
        "  {\"at\": \"1h\", \"action\": \"set\", \"vm\": \"w-1\", \"reservation\": \"1GiB\"},"
        "  {\"at\": \"90m\", \"action\": \"power_on\", \"vm\": \"w-2\"}]}");
    assert_int_equal(sc->events->len, 4);
    const SimEvent *e = (const SimEvent *)(void *)sc->events->data;
    assert_string_equal(e[0].pointer, "/events/1");
    assert_int_equal(e[0].action, SIM_EVENT_SET);
    assert_int_equal(e[0].vm, 1);
    assert_true(e[0].has_limit && e[0].has_shares && !e[0].has_reservation);
    assert_int_equal(e[0].limit, 2 * SIM_GIB);
    assert_int_equal(e[0].shares, 4096 * 20);
    assert_string_equal(e[1].pointer, "/events/2");
    assert_int_equal(e[1].reservation, SIM_GIB);
    assert_string_equal(e[2].pointer, "/events/3");
    assert_int_equal(e[2].action, SIM_EVENT_POWER_ON);
    assert_string_equal(e[3].pointer, "/events/0");
    assert_int_equal(e[3].at, 2 * SIM_HOUR);
}

static void test_scenario_host_memory_rounds_down_to_whole_pages(void **state)
{
    (void)state;
    g_autoptr(SimScenario) sc =
        test_scenario_load_ok("{\"host\": {\"memory\": \"16.3GiB\", \"page_size\": \"2MiB\"},"
                " \"vms\": [{\"name\": \"a\", \"memory\": \"1GiB\"}]}");
    assert_int_equal(sc->host.page_size, 2 * SIM_MIB);
    assert_int_equal(sc->host.memory % (2 * SIM_MIB), 0);
    assert_int_equal(sc->host.memory, 16 * SIM_GIB + 306 * SIM_MIB);
}

static void test_scenario_error_in_template_points_at_the_template(void **state)
{
    (void)state;
    load_err("{\"host\": {\"memory\": \"16GiB\"},\n"
             " \"templates\": {\"t\": {\"memory\": \"8GiB\",\n"
             "   \"reservation\": \"9GiB\"}},\n"
             " \"vms\": [{\"name\": \"a\", \"template\": \"t\"}]}",
             SIM_ERROR_RANGE,
             "t.json:3:19: error: reservation (9GiB) exceeds the VM's memory (8GiB) (at "
             "/templates/t/reservation)");
}

static void test_scenario_reservation_above_memory_points_at_the_reservation(void **state)
{
    (void)state;
    load_err("{\"host\": {\"memory\": \"16GiB\"},\n"
             " \"vms\": [{\"name\": \"a\", \"memory\": \"2GiB\", \"reservation\": 4096}]}",
             SIM_ERROR_RANGE,
             "t.json:2:57: error: reservation (4GiB) exceeds the VM's memory (2GiB) (at "
             "/vms/0/reservation)");
}

static void test_scenario_limit_below_reservation_points_at_the_limit(void **state)
{
    (void)state;
    load_err("{\"host\": {\"memory\": \"16GiB\"},\n"
             " \"vms\": [{\"name\": \"a\", \"memory\": \"2GiB\", \"reservation\": \"1GiB\",\n"
             "          \"limit\": \"512MiB\"}]}",
             SIM_ERROR_RANGE,
             "t.json:3:20: error: limit (512MiB) is below the reservation (1GiB) (at "
             "/vms/0/limit)");
}

static void test_scenario_reservations_over_host_point_at_the_overflowing_vm(void **state)
{
    (void)state;
    load_err("{\"host\": {\"memory\": \"16GiB\"},\n"
             " \"vms\": [{\"name\": \"a\", \"memory\": \"8GiB\", \"reservation\": \"8GiB\"},\n"
             "  {\"name\": \"b\", \"memory\": \"8GiB\", \"reservation\": \"4GiB\"},\n"
             "  {\"name\": \"c\", \"memory\": \"8GiB\", \"reservation\": \"4GiB\", \"count\": 2}]}",
             SIM_ERROR_RANGE,
             "t.json:4:50: error: reservations exceed host memory (16GiB): earlier VMs reserve "
             "12GiB and this entry adds 2 x 4GiB (at /vms/2/reservation)");
}

static void test_scenario_workload_must_fit_beside_the_kernel(void **state)
{
    (void)state;
    load_err(
        "{\"host\": {\"memory\": \"16GiB\"},\n"
        " \"vms\": [{\"name\": \"a\", \"memory\": \"2GiB\", \"guest\": {\"kernel\": \"1GiB\"},\n"
        "   \"workload\": {\"memory\": \"1.5GiB\"}}]}",
        SIM_ERROR_RANGE,
        "t.json:3:27: error: workload memory (1536MiB) does not fit in the VM's memory "
        "minus the guest kernel (2GiB - 1GiB = 1GiB) (at /vms/0/workload/memory)");
}

static void test_scenario_active_above_workload_memory(void **state)
{
    (void)state;
    load_err("{\"host\": {\"memory\": \"16GiB\"},\n"
             " \"vms\": [{\"name\": \"a\", \"memory\": \"2GiB\",\n"
             "   \"workload\": {\"memory\": \"1GiB\", \"active\": \"1025MiB\"}}]}",
             SIM_ERROR_RANGE,
             "t.json:3:45: error: active (1025MiB) exceeds the workload memory (1GiB) (at "
             "/vms/0/workload/active)");
}

static void test_scenario_max_balloon_above_100_percent(void **state)
{
    (void)state;
    load_err("{\"host\": {\"memory\": \"16GiB\"},\n"
             " \"vms\": [{\"name\": \"a\", \"memory\": \"2GiB\", \"max_balloon\": \"100.5%\"}]}",
             SIM_ERROR_RANGE,
             "t.json:2:57: error: max_balloon must be at most 100% (got 100.5%) (at "
             "/vms/0/max_balloon)");
}

static void test_scenario_page_size_must_be_4k_or_2m(void **state)
{
    (void)state;
    load_err("{\"host\": {\"memory\": \"16GiB\", \"page_size\": \"1GiB\"},\n"
             " \"vms\": [{\"name\": \"a\", \"memory\": \"2GiB\"}]}",
             SIM_ERROR_RANGE,
             "t.json:1:43: error: page_size must be 4KiB or 2MiB (got 1GiB) (at /host/page_size)");
}

static void test_scenario_host_memory_below_one_page(void **state)
{
    (void)state;
    load_err("{\"host\": {\"memory\": \"1KiB\"},\n"
             " \"vms\": [{\"name\": \"a\", \"memory\": \"2GiB\"}]}",
             SIM_ERROR_RANGE,
             "t.json:1:21: error: memory (1KiB) is smaller than one page (4KiB) (at /host/memory)");
}

static void test_scenario_unknown_policy_lists_the_known_ones(void **state)
{
    (void)state;
    const char *text = "{\"host\": {\"memory\": \"16GiB\", \"policy\": \"esx\"},\n"
                       " \"vms\": [{\"name\": \"a\", \"memory\": \"2GiB\"}]}";
    GError *error = NULL;
    assert_null(sim_scenario_load_text("t.json", text, strlen(text), &error));
    assert_int_equal(error->code, SIM_ERROR_VALUE);
    assert_true(g_str_has_prefix(error->message, "t.json:1:40: error: unknown policy \"esx\" (did "
                                                 "you mean \"esxi\"?); known policies: esxi"));
    assert_true(g_str_has_suffix(error->message, " (at /host/policy)"));
    g_error_free(error);
}

static void test_scenario_unknown_key_hints_only_when_close(void **state)
{
    (void)state;
    load_err("{\"host\": {\"memory\": \"16GiB\", \"cpu_gz\": 3},\n"
             " \"vms\": [{\"name\": \"a\", \"memory\": \"2GiB\"}]}",
             SIM_ERROR_UNKNOWN_KEY,
             "t.json:1:30: error: unknown key \"cpu_gz\" (did you mean \"cpu_ghz\"?) (at "
             "/host/cpu_gz)");
    load_err("{\"host\": {\"memory\": \"16GiB\", \"frobnicate\": 3},\n"
             " \"vms\": [{\"name\": \"a\", \"memory\": \"2GiB\"}]}",
             SIM_ERROR_UNKNOWN_KEY,
             "t.json:1:30: error: unknown key \"frobnicate\" (at /host/frobnicate)");
}

static void test_scenario_event_limit_below_reservation_after_sorting(void **state)
{
    (void)state;
    /* In file order the reservation would come second; sorted, the limit does. */
    load_err(
        "{\"host\": {\"memory\": \"16GiB\"},\n"
        " \"vms\": [{\"name\": \"a\", \"memory\": \"4GiB\"}],\n"
        " \"events\": [{\"at\": \"2h\", \"action\": \"set\", \"vm\": \"a\", \"limit\": \"1GiB\"},\n"
        "   {\"at\": \"1h\", \"action\": \"set\", \"vm\": \"a\", \"reservation\": \"2GiB\"}]}",
        SIM_ERROR_RANGE,
        "t.json:3:63: error: after this event the limit (1GiB) of a is below its reservation "
        "(2GiB) (at /events/0/limit)");
}

static void test_scenario_parse_errors_have_their_own_code(void **state)
{
    (void)state;
    load_err("", SIM_ERROR_PARSE, "t.json:1:1: error: empty scenario file (at /)");
    load_err("{\"a\": \n\xff}", SIM_ERROR_PARSE,
             "t.json:2:1: error: invalid UTF-8 in scenario file (at /)");
    load_err("{\"a\": }", SIM_ERROR_PARSE,
             "t.json:1:7: error: invalid JSON: unexpected token near '}' (at /)");
    load_err("[]", SIM_ERROR_TYPE,
             "t.json:1:1: error: a scenario must be a JSON object, got an array (at /)");
}

/* Writes `text` to a fresh file named scenario.json; returns its path. */
static char *write_scenario(const char *dir, const char *text)
{
    char *path = g_build_filename(dir, "scenario.json", NULL);
    assert_true(g_file_set_contents(path, text, -1, NULL));
    return path;
}

static void test_scenario_overrides_apply_before_validation(void **state)
{
    (void)state;
    g_autofree char *dir = test_tmpdir();
    g_autofree char *path = write_scenario(dir, MINIMAL);
    const char *sets[] = {"host.memory=96GiB",      "vms.0.count=3",
                          "vms.0.guest.os=windows", "host.sharing.enabled=false",
                          "description=a b c",      NULL};
    GError *error = NULL;
    g_autoptr(SimScenario) sc = sim_scenario_load_with_overrides(path, sets, &error);
    assert_no_error(error);
    assert_int_equal(sc->host.memory, 96 * SIM_GIB);
    assert_int_equal(sc->vms->len, 3);
    assert_int_equal(vm_at(sc, 2)->guest.os, SIM_OS_WINDOWS);
    assert_false(sc->host.sharing.enabled);
    assert_string_equal(sc->description, "a b c");
    assert_string_equal(sc->name, "scenario");
    test_rmtree(dir);
}

static void override_err(const char *set, int code, const char *message)
{
    g_autofree char *dir = test_tmpdir();
    g_autofree char *path = write_scenario(dir, MINIMAL);
    const char *sets[] = {set, NULL};
    GError *error = NULL;
    assert_null(sim_scenario_load_with_overrides(path, sets, &error));
    assert_non_null(error);
    assert_string_equal(error->message, message);
    assert_int_equal(error->code, code);
    g_error_free(error);
    test_rmtree(dir);
}

static void test_scenario_override_errors_name_the_override(void **state)
{
    (void)state;
    override_err("host.memory=96XB", SIM_ERROR_VALUE,
                 "--set host.memory=96XB: error: unknown size unit \"XB\" in \"96XB\" (valid "
                 "units: B, KiB, MiB, GiB, TiB; KB, MB, GB, TB and K, M, G, T mean the same) (at "
                 "/host/memory)");
    override_err("vms.0.count=0", SIM_ERROR_RANGE,
                 "--set vms.0.count=0: error: count must be between 1 and 100000 (got 0) (at "
                 "/vms/0/count)");
    override_err("host.memroy=1", SIM_ERROR_UNKNOWN_KEY,
                 "--set host.memroy=1: error: unknown key \"memroy\" (did you mean \"memory\"?) "
                 "(at /host/memroy)");
    override_err("hots.memory=1", SIM_ERROR_UNKNOWN_KEY,
                 "--set hots.memory=1: error: unknown key \"hots\" (did you mean \"host\"?) (at "
                 "/hots)");
}

static void test_scenario_override_into_nothing_is_a_usage_error(void **state)
{
    (void)state;
    override_err("vms.1.count=2", SIM_ERROR_USAGE,
                 "--set vms.1.count=2: error: \"1\" is not an index of /vms (0 to 0)");
    override_err("host.memory.x=2", SIM_ERROR_USAGE,
                 "--set host.memory.x=2: error: /host/memory is a string, not an object or array");
    override_err("host..memory=2", SIM_ERROR_USAGE,
                 "--set host..memory=2: error: empty part in key \"host..memory\"");
    override_err("host.memory", SIM_ERROR_USAGE,
                 "--set host.memory: error: expected KEY=VALUE, e.g. host.memory=96GiB");
    /* found by fuzz-overrides: jansson freed the value of a non-UTF-8 key, then it was used */
    override_err("\xab.n=1", SIM_ERROR_USAGE, "--set \xab.n=1: error: the key is not valid UTF-8");
}

static void test_scenario_default_scenario_loads(void **state)
{
    (void)state;
    GError *error = NULL;
    g_autoptr(SimScenario) sc = sim_scenario_load_with_overrides(NULL, NULL, &error);
    assert_no_error(error);
    assert_true(sc->vms->len > 0);
    assert_string_equal(sc->path, "<built-in>");
    g_autofree char *path = test_source_path("scenarios/default.json");
    g_autoptr(SimScenario) file = sim_scenario_load(path, &error);
    assert_no_error(error);
    assert_int_equal(file->vms->len, sc->vms->len);
}

static void test_scenario_missing_file_is_bad_input(void **state)
{
    (void)state;
    GError *error = NULL;
    assert_null(sim_scenario_load("/nonexistent/x.json", &error));
    assert_string_equal(error->message,
                        "/nonexistent/x.json: error: cannot read scenario: No such file or "
                        "directory");
    assert_int_equal(sim_error_exit_code(error), SIM_EXIT_BAD_INPUT);
    g_error_free(error);
}

static void test_scenario_enums_have_names(void **state)
{
    (void)state;
    assert_string_equal(sim_guest_os_to_string(SIM_OS_WINDOWS), "windows");
    assert_string_equal(sim_state_reading_to_string(SIM_STATE_READING_BELOW), "below");
    assert_string_equal(sim_event_action_to_string(SIM_EVENT_POWER_OFF), "power_off");
}

/* ---- issue 9: locations on defaults, bounds, names, warnings ---- */

static void test_scenario_error_on_a_default_points_at_the_value_given(void **state)
{
    (void)state;
    /* the default overhead (1GiB) does not fit: the message says so and points at memory */
    load_err("{\"host\": {\"memory\": \"512MiB\"},\n \"vms\": [{\"name\": \"a\", \"memory\": "
             "\"1GiB\"}]}",
             SIM_ERROR_RANGE,
             "t.json:1:21: error: overhead (1GiB by default) must be smaller than host memory "
             "(512MiB) (at /host/memory)");
    /* through --set the place is the override */
    g_autofree char *dir = test_tmpdir();
    g_autofree char *path = write_scenario(dir, MINIMAL);
    const char *sets[] = {"host.memory=512MiB", NULL};
    GError *error = NULL;
    assert_null(sim_scenario_load_with_overrides(path, sets, &error));
    assert_non_null(strstr(error->message, "--set host.memory=512MiB: error: overhead (1GiB by"));
    g_error_free(error);
    test_rmtree(dir);
}

static void test_scenario_vm_pages_stop_at_the_page_model_limit(void **state)
{
    (void)state;
    /* 2^32 - 4096 pages of 4KiB is the largest VM: one page more is refused */
    g_autofree char *ok = g_strdup_printf(
        "{\"host\": {\"memory\": \"64GiB\"}, \"vms\": [{\"name\": \"a\", \"memory\": \"%" G_GUINT64_FORMAT
        "KiB\"}]}",
        SIM_SCENARIO_MAX_VM_PAGES * 4);
    GError *error = NULL;
    g_autoptr(SimScenario) sc = sim_scenario_load_text("t.json", ok, strlen(ok), &error);
    /* it passes the page check, then the page state estimate (56 GiB) refuses it */
    assert_null(sc);
    assert_non_null(strstr(error->message, "the 1 VM up to this one holds 4.3e9 pages"));
    g_clear_error(&error);
    g_autofree char *bad = g_strdup_printf(
        "{\"host\": {\"memory\": \"64GiB\"}, \"vms\": [{\"name\": \"a\", \"memory\": \"%" G_GUINT64_FORMAT
        "KiB\"}]}",
        SIM_SCENARIO_MAX_VM_PAGES * 4 + 4);
    load_err(bad, SIM_ERROR_RANGE,
             "t.json:1:63: error: memory (17179852804KiB) is 4294963201 pages of 4KiB; the page "
             "model holds at most 4294963200 pages (2^32 - 4096) per VM (at /vms/0/memory)");
}

static void test_scenario_periods_have_a_lower_bound_of_1ms(void **state)
{
    (void)state;
    g_autoptr(SimScenario) sc = test_scenario_load_ok(
        "{\"sample_interval\": \"1ms\", \"duration\": \"10s\", \"host\": {\"memory\": \"16GiB\", "
        "\"balance_period\": \"1ms\", \"sample_period\": \"1ms\"}, \"vms\": [{\"name\": \"a\", "
        "\"memory\": \"1GiB\", \"guest\": {\"balloon\": {\"poll\": \"1ms\"}}}]}");
    assert_int_equal(sc->sample_interval, SIM_SCENARIO_MIN_PERIOD);
    assert_int_equal(sc->host.balance_period, SIM_SCENARIO_MIN_PERIOD);
    assert_int_equal(vm_at(sc, 0)->guest.balloon.poll, SIM_SCENARIO_MIN_PERIOD);
    load_err("{\"host\": {\"memory\": \"16GiB\", \"sample_period\": \"999999ns\"}, \"vms\": "
             "[{\"name\": \"a\", \"memory\": \"1GiB\"}]}",
             SIM_ERROR_RANGE,
             "t.json:1:47: error: sample_period must be at least 1ms (got 999us999ns) (at "
             "/host/sample_period)");
}

static void test_scenario_estimate_counts_pages_samples_and_events(void **state)
{
    (void)state;
    g_autoptr(SimScenario) sc = test_scenario_load_ok(
        "{\"duration\": \"1h\", \"sample_interval\": \"1m\", \"host\": {\"memory\": \"16GiB\"}, "
        "\"vms\": [{\"name\": \"a\", \"count\": 2, \"memory\": \"1GiB\", \"workload\": "
        "{\"phases\": [{\"at\": \"1m\", \"touch_rate\": 5}]}}]}");
    SimRunEstimate est = sim_scenario_estimate(sc);
    assert_float_equal(est.pages, 2.0 * 262144, 0);
    assert_float_equal(est.phases, 2, 0);
    assert_float_equal(est.samples, 62, 0); /* t = 0, 59 more, the end */
    /* per second: host tick, policy, balance (15s), active sampling (60s), samples (60s),
     * and each VM's workload tick and poll (1s) */
    double per_s = 1.0 + 1.0 + 1.0 / 15 + 1.0 / 60 + 1.0 / 60 + 2 * 2.0;
    assert_float_equal(est.events, 3600 * per_s + 2 + 0 + 2, 1e-6);
    assert_true(est.bytes > 2.0 * 262144 * 14);
}

static void test_scenario_memory_estimate_names_the_key_that_drives_it(void **state)
{
    (void)state;
    load_err("{\"duration\": \"100d\", \"sample_interval\": \"1ms\", \"host\": {\"memory\": "
             "\"64GiB\"}, \"vms\": [{\"name\": \"a\", \"memory\": \"1GiB\"}]}",
             SIM_ERROR_RANGE,
             "t.json:1:41: error: the run would need 2.14TiB of memory, more than 32GiB, most of "
             "it for 8.6e9 samples (every 1ms, of 1 VM); raise sample_interval (at "
             "/sample_interval)");
}

static void test_scenario_event_estimate_blames_the_fastest_poll(void **state)
{
    (void)state;
    load_err("{\"duration\": \"1000d\", \"sample_interval\": \"1h\", \"host\": {\"memory\": "
             "\"64GiB\"}, \"vms\": [{\"name\": \"slow\", \"memory\": \"1GiB\"}, {\"name\": "
             "\"fast\", \"memory\": \"1GiB\", \"guest\": {\"balloon\": {\"poll\": \"2ms\"}}}]}",
             SIM_ERROR_RANGE,
             "t.json:1:186: error: the run would process 4.4e10 events, more than 1e9, most of "
             "them balloon polls (every 2ms in VM fast); raise poll (at "
             "/vms/1/guest/balloon/poll)");
}

static void test_scenario_repeating_trace_with_a_tiny_period_is_refused_before_expanding(
    void **state)
{
    (void)state;
    g_autofree char *dir = test_tmpdir();
    g_autofree char *csv = g_build_filename(dir, "t.csv", NULL);
    assert_true(g_file_set_contents(csv, "time_s,vm,memory_mb,active_mb\n0,a,100,50\n"
                                         "0.001,a,200,60\n", -1, NULL));
    g_autofree char *path = write_scenario(
        dir, "{\"host\": {\"memory\": \"64GiB\"}, \"vms\": [{\"name\": \"a\", \"memory\": "
             "\"4GiB\", \"count\": 1000, \"workload\": {\"trace\": {\"file\": \"t.csv\", "
             "\"repeat\": true}}}]}");
    GError *error = NULL;
    assert_null(sim_scenario_load(path, &error));
    /* period 0.002 s: 1.8e6 loops over 1 h, 2 samples each, 1000 VMs */
    assert_non_null(strstr(error->message, "replaying the trace (2 samples, 1.8e6 loops, 1000 VMs) "
                                           "would make up to 3.6e9 workload phases"));
    assert_non_null(strstr(error->message, "(at /vms/0/workload/trace/repeat)"));
    g_error_free(error);
    test_rmtree(dir);
}

static void test_scenario_vm_names_refuse_what_breaks_an_output_line(void **state)
{
    (void)state;
    static const char *const bad[] = {"a\\tb", "a\\u001b[1m", "a\\u007f",
                                      "a\\u0080",  "a\\u009f", "a\\\"b", "a\\\\b"};
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *text = g_strdup_printf(
            "{\"host\": {\"memory\": \"16GiB\"}, \"vms\": [{\"name\": \"%s\", \"memory\": "
            "\"1GiB\"}]}",
            bad[i]);
        GError *error = NULL;
        assert_null(sim_scenario_load_text("t.json", text, strlen(text), &error));
        assert_non_null(strstr(error->message, "names must not hold control characters"));
        assert_int_equal(error->code, SIM_ERROR_VALUE);
        g_error_free(error);
    }
    /* other odd but harmless names pass: commas, spaces, non-ASCII, U+00A0 */
    g_autoptr(SimScenario) sc = test_scenario_load_ok(
        "{\"host\": {\"memory\": \"16GiB\"}, \"vms\": [{\"name\": \"web, caf\\u00e9\\u00a0x\", "
        "\"memory\": \"1GiB\"}]}");
    assert_string_equal(vm_at(sc, 0)->name, "web, caf\xc3\xa9\xc2\xa0x");
    assert_int_equal(sc->warnings->len, 0);
}

static void test_scenario_count_names_stay_unique(void **state)
{
    (void)state;
    load_err("{\"host\": {\"memory\": \"16GiB\"}, \"vms\": [{\"name\": \"a-1\", \"memory\": "
             "\"1GiB\"}, {\"name\": \"a\", \"count\": 2, \"memory\": \"1GiB\"}]}",
             SIM_ERROR_VALUE,
             "t.json:1:83: error: duplicate VM name \"a-1\", already used by /vms/0 (at "
             "/vms/1/name)");
}

static void test_scenario_odd_input_gets_one_warning_each(void **state)
{
    (void)state;
    g_autoptr(SimScenario) sc = test_scenario_load_ok(
        "{\"duration\": \"1h1h\",\n \"host\": {\"memory\": \"16GiB\"},\n \"vms\": [{\"name\": "
        "\"  \", \"memory\": \"1GiB\", \"power_on\": \"3h\"}],\n \"events\": [{\"at\": \"2h\", "
        "\"action\": \"power_off\", \"vm\": \"  \"}, {\"at\": \"2h1ns\", \"action\": "
        "\"power_on\", \"vm\": \"  \"}]}");
    assert_int_equal(sc->duration, 2 * SIM_HOUR); /* 1h1h is read as 2h */
    assert_int_equal(sc->warnings->len, 4);
    assert_string_equal(g_ptr_array_index(sc->warnings, 0),
                        "t.json:1:14: duration \"1h1h\" repeats the unit \"h\"; read as 2h (at "
                        "/duration)");
    assert_string_equal(g_ptr_array_index(sc->warnings, 1),
                        "t.json:3:19: VM name \"  \" is only spaces (at /vms/0/name)");
    assert_string_equal(g_ptr_array_index(sc->warnings, 2),
                        "t.json:3:55: VM \"  \" powers on at 3h, after the end of the run (2h): it "
                        "stays off (at /vms/0/power_on)");
    /* the event at exactly the end runs; the one after it warns */
    assert_string_equal(g_ptr_array_index(sc->warnings, 3),
                        "t.json:4:69: event at 2h1ns comes after the end of the run (2h) and never "
                        "happens (at /events/1/at)");
}

static void test_scenario_a_template_value_warns_once(void **state)
{
    (void)state;
    g_autoptr(SimScenario) sc = test_scenario_load_ok(
        "{\"host\": {\"memory\": \"16GiB\"}, \"templates\": {\"t\": {\"power_on\": "
        "\"30m30m\"}}, \"vms\": [{\"name\": \"a\", \"template\": \"t\", \"memory\": \"1GiB\"}, "
        "{\"name\": \"b\", \"template\": \"t\", \"memory\": \"1GiB\"}]}");
    assert_int_equal(vm_at(sc, 1)->power_on, SIM_HOUR);
    assert_int_equal(sc->warnings->len, 1);
    assert_non_null(strstr(g_ptr_array_index(sc->warnings, 0), "(at /templates/t/power_on)"));
}

static void test_scenario_events_find_their_vm_among_many(void **state)
{
    (void)state;
    GString *text = g_string_new("{\"host\": {\"memory\": \"64GiB\"}, \"vms\": [{\"name\": \"v\", "
                                 "\"count\": 5000, \"memory\": \"32MiB\", \"guest\": {\"kernel\": "
                                 "\"16MiB\"}}], \"events\": [");
    for (guint i = 0; i < 2000; i++) {
        g_string_append_printf(text, "%s{\"at\": \"%us\", \"action\": \"set\", \"vm\": \"v-%u\", "
                                     "\"shares\": 7}",
                               i > 0 ? "," : "", i, 1 + (i * 7919) % 5000);
    }
    g_string_append(text, "]}");
    g_autoptr(SimScenario) sc = test_scenario_load_ok(text->str);
    g_string_free(text, TRUE);
    for (guint i = 0; i < sc->events->len; i++) {
        const SimEvent *ev = &g_array_index(sc->events, SimEvent, i);
        g_autofree char *name = g_strdup_printf("v-%u", 1 + (i * 7919) % 5000);
        assert_string_equal(vm_at(sc, ev->vm)->name, name);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scenario_minimal_gets_every_default),
        cmocka_unit_test(test_scenario_vm_gets_every_default),
        cmocka_unit_test(test_scenario_values_in_every_notation),
        cmocka_unit_test(test_scenario_template_values_are_inherited_and_overridden),
        cmocka_unit_test(test_scenario_count_names_vms_name_1_to_n),
        cmocka_unit_test(test_scenario_shares_levels_scale_with_configured_memory),
        cmocka_unit_test(test_scenario_limit_above_memory_means_unlimited),
        cmocka_unit_test(test_scenario_power_on_null_stays_off_until_an_event),
        cmocka_unit_test(test_scenario_phases_are_sorted_by_time),
        cmocka_unit_test(test_scenario_events_are_sorted_by_time_and_stable),
        cmocka_unit_test(test_scenario_host_memory_rounds_down_to_whole_pages),
        cmocka_unit_test(test_scenario_error_in_template_points_at_the_template),
        cmocka_unit_test(test_scenario_reservation_above_memory_points_at_the_reservation),
        cmocka_unit_test(test_scenario_limit_below_reservation_points_at_the_limit),
        cmocka_unit_test(test_scenario_reservations_over_host_point_at_the_overflowing_vm),
        cmocka_unit_test(test_scenario_workload_must_fit_beside_the_kernel),
        cmocka_unit_test(test_scenario_active_above_workload_memory),
        cmocka_unit_test(test_scenario_max_balloon_above_100_percent),
        cmocka_unit_test(test_scenario_page_size_must_be_4k_or_2m),
        cmocka_unit_test(test_scenario_host_memory_below_one_page),
        cmocka_unit_test(test_scenario_unknown_policy_lists_the_known_ones),
        cmocka_unit_test(test_scenario_unknown_key_hints_only_when_close),
        cmocka_unit_test(test_scenario_event_limit_below_reservation_after_sorting),
        cmocka_unit_test(test_scenario_parse_errors_have_their_own_code),
        cmocka_unit_test(test_scenario_overrides_apply_before_validation),
        cmocka_unit_test(test_scenario_override_errors_name_the_override),
        cmocka_unit_test(test_scenario_override_into_nothing_is_a_usage_error),
        cmocka_unit_test(test_scenario_default_scenario_loads),
        cmocka_unit_test(test_scenario_missing_file_is_bad_input),
        cmocka_unit_test(test_scenario_enums_have_names),
        cmocka_unit_test(test_scenario_error_on_a_default_points_at_the_value_given),
        cmocka_unit_test(test_scenario_vm_pages_stop_at_the_page_model_limit),
        cmocka_unit_test(test_scenario_periods_have_a_lower_bound_of_1ms),
        cmocka_unit_test(test_scenario_estimate_counts_pages_samples_and_events),
        cmocka_unit_test(test_scenario_memory_estimate_names_the_key_that_drives_it),
        cmocka_unit_test(test_scenario_event_estimate_blames_the_fastest_poll),
        cmocka_unit_test(test_scenario_repeating_trace_with_a_tiny_period_is_refused_before_expanding),
        cmocka_unit_test(test_scenario_vm_names_refuse_what_breaks_an_output_line),
        cmocka_unit_test(test_scenario_count_names_stay_unique),
        cmocka_unit_test(test_scenario_odd_input_gets_one_warning_each),
        cmocka_unit_test(test_scenario_a_template_value_warns_once),
        cmocka_unit_test(test_scenario_events_find_their_vm_among_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
