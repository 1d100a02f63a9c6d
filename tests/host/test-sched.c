#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "support/model.h"

/* Two equal VMs on a host that cannot hold both. */
static TestModel *two_vms(const char *tax, const char *extra)
{
    char *json = g_strdup_printf(
        "{\"duration\": \"1h\", \"host\": {\"memory\": \"4GiB\", \"overhead\": \"0\","
        " \"min_free\": \"64MiB\", \"state_hysteresis\": 0, \"idle_tax\": %s,"
        " \"vm_overhead_base\": \"0\","
        " \"vm_overhead_pct\": 0},"
        " \"vms\": [{\"name\": \"a\", \"memory\": \"4GiB\"%s},"
        "           {\"name\": \"b\", \"memory\": \"4GiB\"}]}",
        tax, extra);
    TestModel *m = test_model_new(json);
    g_free(json);
    sim_run_until(m->run, SIM_S);
    return m;
}

static void set_active(TestModel *m, guint vm, double f)
{
    HostVm *v = host_vm(sim_run_host(m->run), vm);
    v->active_fast = v->active_slow = f;
}

static uint64_t sztgt(TestModel *m, guint vm)
{
    return host_vm(sim_run_host(m->run), vm)->sztgt;
}

static const uint64_t avail_pages = (4096 - 64) * 256;

static void test_sched_equal_shares_and_activity_split_memory_evenly(void **state)
{
    (void)state;
    TestModel *m = two_vms("75", "");
    set_active(m, 0, 0.5);
    set_active(m, 1, 0.5);
    host_sched_balance(sim_run_host(m->run));
    assert_true(sztgt(m, 0) + sztgt(m, 1) <= avail_pages);
    assert_true(sztgt(m, 0) + sztgt(m, 1) >= avail_pages - 2);
    assert_true(sztgt(m, 0) >= sztgt(m, 1) - 1 && sztgt(m, 0) <= sztgt(m, 1) + 1);
    test_model_free(m);
}

/* Waldspurger 2002: with the (flat) idle tax, an idle VM's pages cost
 * k = 1/(1-tax) times more, so memory moves to the active VM; with tax 0 it
 * does not. Both VMs' demands (active 100% and 50% of 4 GiB) exceed what
 * the split gives them, so the demand cap does not bind. */
static void test_sched_idle_tax_moves_memory_to_the_active_vm(void **state)
{
    (void)state;
    TestModel *m = two_vms("75, \"idle_tax_type\": \"flat\"", "");
    set_active(m, 0, 1.0);
    set_active(m, 1, 0.5);
    host_sched_balance(sim_run_host(m->run));
    /* rho equal: S/(Pa * 1) = S/(Pb * (0.5 + 4 * 0.5)), so Pa = 2.5 Pb */
    double ratio = (double)sztgt(m, 0) / (double)sztgt(m, 1);
    assert_float_equal(ratio, 2.5, 0.01);
    test_model_free(m);

    m = two_vms("0", "");
    set_active(m, 0, 1.0);
    set_active(m, 1, 0.5);
    host_sched_balance(sim_run_host(m->run));
    assert_float_equal((double)sztgt(m, 0) / (double)sztgt(m, 1), 1.0, 0.01);
    test_model_free(m);
}

/* Mem.IdleTaxType variable (the default): a half-idle VM's idle pages pay
 * 75% x 0.5 = 37.5%, so k = 1.6 and its pages cost 0.5 + 1.6 x 0.5 = 1.3;
 * the flat tax charges them 2.5. */
static void test_sched_variable_idle_tax_charges_a_half_idle_vm_less(void **state)
{
    (void)state;
    TestModel *m = two_vms("75", "");
    set_active(m, 0, 1.0);
    set_active(m, 1, 0.5);
    host_sched_balance(sim_run_host(m->run));
    assert_float_equal((double)sztgt(m, 0) / (double)sztgt(m, 1), 1.3, 0.01);
    test_model_free(m);
}

static void test_sched_shares_set_the_split(void **state)
{
    (void)state;
    TestModel *m = two_vms("75", ", \"shares\": \"high\"");
    set_active(m, 0, 0.75);
    set_active(m, 1, 0.75);
    host_sched_balance(sim_run_host(m->run));
    assert_float_equal((double)sztgt(m, 0) / (double)sztgt(m, 1), 2.0, 0.01);
    test_model_free(m);
}

/* Entitlement is capped by demand (active + 25% of idle consumed memory):
 * an idle VM does not keep half of the host against a busy one, even with
 * no idle tax. Here the idle VM holds only its 256 MiB kernel, all of it
 * within its 10% active estimate: its demand is 409.6 MiB. */
static void test_sched_demand_caps_an_idle_vm_and_the_busy_one_gets_the_rest(void **state)
{
    (void)state;
    TestModel *m = two_vms("0", "");
    set_active(m, 0, 1.0);
    set_active(m, 1, 0.1);
    host_sched_balance(sim_run_host(m->run));
    uint64_t idle_demand = (uint64_t)(0.1 * 4096 * 256 + 0.5);
    assert_true(sztgt(m, 1) >= idle_demand - 1 && sztgt(m, 1) <= idle_demand + 1);
    assert_true(sztgt(m, 0) + sztgt(m, 1) >= avail_pages - 2);
    assert_true(sztgt(m, 0) + sztgt(m, 1) <= avail_pages);
    test_model_free(m);
}

/* When every demand fits, the rest is divided above the demands by shares
 * (second round), so the VMs' targets use the host's room: with equal VMs
 * the split is even and the whole of it is given out. */
static void test_sched_spare_memory_goes_out_above_the_demands(void **state)
{
    (void)state;
    TestModel *m = two_vms("75", "");
    set_active(m, 0, 0.1);
    set_active(m, 1, 0.1);
    host_sched_balance(sim_run_host(m->run));
    assert_true(sztgt(m, 0) + sztgt(m, 1) >= avail_pages - 2);
    assert_true(sztgt(m, 0) >= sztgt(m, 1) - 1 && sztgt(m, 0) <= sztgt(m, 1) + 1);
    test_model_free(m);
}

static void test_sched_targets_respect_reservation_and_limit(void **state)
{
    (void)state;
    TestModel *m = two_vms("75", ", \"reservation\": \"3GiB\"");
    set_active(m, 0, 0.0);
    set_active(m, 1, 1.0);
    host_sched_balance(sim_run_host(m->run));
    assert_true(sztgt(m, 0) >= 3 * 262144);
    test_model_free(m);

    m = two_vms("75", ", \"limit\": \"512MiB\"");
    set_active(m, 0, 1.0);
    set_active(m, 1, 0.0);
    host_sched_balance(sim_run_host(m->run));
    assert_int_equal(sztgt(m, 0), 512 * 256);
    assert_true(sztgt(m, 1) >= avail_pages - 512 * 256 - 2);
    test_model_free(m);
}

/* Sampling: the estimate follows a workload that becomes busy fast, and
 * decays slowly when it goes idle (max of a fast and a slow average). */
static void test_sched_sampled_active_rises_fast_and_decays_slowly(void **state)
{
    (void)state;
    TestModel *m = test_model_new(
        "{\"duration\": \"3h\", \"host\": {\"memory\": \"16GiB\"},"
        " \"vms\": [{\"name\": \"v\", \"memory\": \"4GiB\","
        "  \"guest\": {\"cache_fill\": \"0MiB/s\", \"kernel\": \"256MiB\"},"
        "  \"workload\": {\"memory\": \"3GiB\", \"active\": \"256MiB\", \"touch_rate\": \"100000/s\","
        "   \"warm_share\": 0, \"cold_share\": 0,"
        "   \"phases\": [{\"at\": \"1h\", \"active\": \"2GiB\"}, {\"at\": \"2h\", \"active\": \"256MiB\"}]}}]}");
    HostVm *v = host_vm(sim_run_host(m->run), 0);
    sim_run_until(m->run, 59 * SIM_MIN);
    uint64_t idle = host_vm_active_pages(v);
    /* the hot set is the 256 MiB kernel and 256 MiB of anon */
    assert_float_equal((double)idle / 256.0, 512.0, 128.0);
    sim_run_until(m->run, 66 * SIM_MIN); /* six samples after the rise */
    uint64_t busy = host_vm_active_pages(v);
    assert_true((double)busy / 256.0 > 0.9 * (2048.0 + 256.0));
    sim_run_until(m->run, 126 * SIM_MIN); /* six samples after the drop */
    uint64_t after = host_vm_active_pages(v);
    assert_true(after > idle * 3 / 2); /* still remembered */
    assert_true(after < busy);
    test_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sched_equal_shares_and_activity_split_memory_evenly),
        cmocka_unit_test(test_sched_idle_tax_moves_memory_to_the_active_vm),
        cmocka_unit_test(test_sched_variable_idle_tax_charges_a_half_idle_vm_less),
        cmocka_unit_test(test_sched_shares_set_the_split),
        cmocka_unit_test(test_sched_demand_caps_an_idle_vm_and_the_busy_one_gets_the_rest),
        cmocka_unit_test(test_sched_spare_memory_goes_out_above_the_demands),
        cmocka_unit_test(test_sched_targets_respect_reservation_and_limit),
        cmocka_unit_test(test_sched_sampled_active_rises_fast_and_decays_slowly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
