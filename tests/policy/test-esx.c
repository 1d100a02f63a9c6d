/* The esx rules in a real run (policy/esx.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "support/model.h"

/* Four VMs without balloon drivers whose memory puts the host in soft
 * (free just below minFree, 655 MiB on 16 GiB) and keeps it there: no page
 * sharing (no shareable contents), no page cache fill. Before soft paged
 * such VMs, the host sat in soft for the whole hour with nothing
 * reclaiming. */
static const char no_driver_fleet[] =
    "{\"duration\": \"1h\", \"host\": {\"memory\": \"16GiB\"},"
    " \"vms\": [{\"name\": \"v\", \"count\": 4, \"memory\": \"4GiB\","
    "  \"guest\": {\"balloon_driver\": false, \"cache_fill\": \"0MiB/s\"},"
    "  \"workload\": {\"memory\": \"3400MiB\", \"active\": \"1GiB\","
    "   \"content\": {\"zero\": 0, \"image_shared\": 0, \"duplicate\": 0}}}]}";

static void test_esx_soft_pages_a_fleet_without_drivers_out_of_soft(void **state)
{
    (void)state;
    TestModel *m = test_model_new(no_driver_fleet);
    test_model_execute(m);
    const SimRunTotals *t = sim_run_totals(m->run);
    double run_s = 3600.0;
    assert_true(t->time_in_state_s[HOST_STATE_SOFT] < 0.05 * run_s);
    assert_true(t->time_in_state_s[HOST_STATE_CLEAR] > 0.9 * run_s);
    assert_int_equal(t->time_in_state_s[HOST_STATE_HARD], 0);
    Host *host = sim_run_host(m->run);
    uint64_t paged = 0;
    for (guint i = 0; i < 4; i++) {
        paged += host_vm_reclaimed_out(host_vm(host, i));
    }
    assert_true(paged > 0);
    assert_int_equal(host_state(host), HOST_STATE_CLEAR);
    test_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_esx_soft_pages_a_fleet_without_drivers_out_of_soft),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
