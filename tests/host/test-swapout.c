/* host/swapout.c: how many pages the host may swap out of a VM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "support/model.h"

/* A VM's swap file is sized configured - reservation (vSphere creates the
 * .vswp at power-on with that size): the host can swap no more of it, so a
 * fully reserved VM is never swapped. */
static void test_swap_file_holds_configured_minus_reservation(void **state)
{
    (void)state;
    TestModel *m = test_model_new(
        "{\"duration\": \"10m\", \"host\": {\"memory\": \"8GiB\","
        "  \"compression\": {\"enabled\": false}},"
        " \"vms\": [{\"name\": \"part\", \"memory\": \"1GiB\", \"reservation\": \"768MiB\","
        "   \"guest\": {\"cache_fill\": \"0MiB/s\"},"
        "   \"workload\": {\"memory\": \"640MiB\", \"active\": \"64MiB\"}},"
        "  {\"name\": \"full\", \"memory\": \"1GiB\", \"reservation\": \"1GiB\","
        "   \"guest\": {\"cache_fill\": \"0MiB/s\"},"
        "   \"workload\": {\"memory\": \"640MiB\", \"active\": \"64MiB\"}}]}");
    test_model_check_every_event(m);
    sim_run_until(m->run, 5 * SIM_MIN);
    Host *host = sim_run_host(m->run);
    uint64_t pages_256m = (256u << 20) / host_page_size(host);
    assert_int_equal(host_swap_out(host, 0, 1000000, 5 * SIM_MIN), pages_256m);
    assert_false(host_vm_swap_room(host_vm(host, 0)));
    assert_int_equal(host_swap_out(host, 0, 1, 5 * SIM_MIN), 0);
    assert_int_equal(host_swap_out(host, 1, 1000, 5 * SIM_MIN), 0);
    GError *error = NULL;
    assert_true(sim_run_execute(m->run, &error));
    assert_string_equal(m->violation->str, "");
    test_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_swap_file_holds_configured_minus_reservation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
