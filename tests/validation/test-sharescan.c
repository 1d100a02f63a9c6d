/*
 * ShareScanTime and ShareRateMax (vSphere advanced settings, docs/design.md
 * "Page sharing"): a VM is scanned at min(size / 60 min, 1024 pages/s).
 * The scan order is random, so after time t a page has been visited with
 * probability 1 - exp(-t / T), T = size / rate: 63% after one ShareScanTime
 * for a 4 GiB VM; a 64 GiB VM is held to 1024 pages/s, T = 4.55 h, 20%.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <math.h>
#include <stddef.h>

#include <cmocka.h>

#include "support/model.h"

/* One VM whose memory is all duplicated contents, touched at once. */
static double shared_fraction_after_1h(const char *memory, const char *anon)
{
    char *json = g_strdup_printf(
        "{\"duration\": \"2h\", \"host\": {\"memory\": \"128GiB\", \"cpu_ghz\": 1000,"
        "  \"sharing\": {\"large_pages\": false, \"salting\": 2}},"
        " \"vms\": [{\"name\": \"v\", \"memory\": \"%s\", \"guest\": {\"cache_fill\": \"0MiB/s\"},"
        "  \"workload\": {\"memory\": \"%s\", \"active\": \"16MiB\", \"touch_rate\": \"10/s\","
        "   \"alloc_rate\": \"64GiB/s\","
        "   \"content\": {\"zero\": 0, \"image_shared\": 0, \"duplicate\": 1}}}]}",
        memory, anon);
    TestModel *m = test_model_new(json);
    g_free(json);
    sim_run_until(m->run, SIM_HOUR + 2 * SIM_S);
    HostPages *pages = guest_pages(sim_run_guest(m->run, 0));
    double anon_pages = (double)host_pages_count_use(pages, HOST_USE_ANON_INACTIVE) +
                        (double)host_pages_count_use(pages, HOST_USE_ANON_ACTIVE);
    double shared = (double)host_pages_count_res(pages, HOST_USE_ANON_INACTIVE, HOST_RES_SHARED) +
                    (double)host_pages_count_res(pages, HOST_USE_ANON_ACTIVE, HOST_RES_SHARED);
    test_model_free(m);
    return shared / anon_pages;
}

static void test_sharescan_4gib_vm_is_scanned_once_per_share_scan_time(void **state)
{
    (void)state;
    double f = shared_fraction_after_1h("4GiB", "3584MiB");
    print_message("4 GiB: %.3f of pages shared after 60 min (expected %.3f)\n", f, -expm1(-1.0));
    assert_float_equal(f, -expm1(-1.0), 0.03);
}

static void test_sharescan_64gib_vm_is_held_to_share_rate_max(void **state)
{
    (void)state;
    double f = shared_fraction_after_1h("64GiB", "60GiB");
    double expected = -expm1(-3600.0 * 1024.0 / (64.0 * 262144.0));
    print_message("64 GiB: %.3f of pages shared after 60 min (expected %.3f)\n", f, expected);
    assert_float_equal(f, expected, 0.02);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sharescan_4gib_vm_is_scanned_once_per_share_scan_time),
        cmocka_unit_test(test_sharescan_64gib_vm_is_held_to_share_rate_max),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
