/* Tests of sim/out/csv.c: host.csv and vms.csv from the fixture's samples. */
#include "fixture.h"

#include <string.h>

#include "sim/out/csv.h"

#define HOST_HEADER                                                                                \
    "time_s,state,free_mb,min_free_mb,overhead_mb,shared_mb,shrdsvd_mb,zip_mb,swcur_mb,"           \
    "mctlsz_mb,swr_mbps,sww_mbps"
#define VMS_HEADER                                                                                 \
    "time_s,vm,memsz_mb,grant_mb,consumed_mb,sztgt_mb,active_mb,mctlsz_mb,mctltgt_mb,"             \
    "mctlmax_mb,swcur_mb,swtgt_mb,swr_mbps,sww_mbps,zip_mb,zsaved_mb,shrd_mb,zero_mb,"             \
    "shrdsvd_mb,guest_free_mb,guest_cache_mb,guest_swap_mb,stall_pct,perf_index"

static void test_csv_host_has_the_exact_header_and_rows(void **state)
{
    Fixture *f = *state;
    GError *error = NULL;
    assert_true(sim_csv_write_host(f->recorder, f->tmp, NULL, &error));
    g_assert_no_error(error);
    g_autofree char *host = fixture_read(f->tmp, "host.csv");
    g_auto(GStrv) host_lines = g_strsplit(host, "\n", -1);
    assert_int_equal(g_strv_length(host_lines), 5); /* header, 3 rows, "" after the last \n */
    assert_string_equal(host_lines[0], HOST_HEADER);
    /* -0.001 prints as 0.00, never -0.00. */
    assert_string_equal(host_lines[1],
                        "0,high,0.00,163.84,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00");
    assert_string_equal(host_lines[3],
                        "40.500,soft,824.00,163.84,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00");
}

static void test_csv_vms_has_the_exact_header_and_a_row_per_sample_and_vm(void **state)
{
    Fixture *f = *state;
    GError *error = NULL;
    assert_true(sim_csv_write_vms(f->recorder, f->tmp, NULL, &error));
    g_assert_no_error(error);
    g_autofree char *vms = fixture_read(f->tmp, "vms.csv");
    g_auto(GStrv) vm_lines = g_strsplit(vms, "\n", -1);
    assert_int_equal(g_strv_length(vm_lines), 8); /* header, 3 samples x 2 VMs, "" */
    assert_string_equal(vm_lines[0], VMS_HEADER);
    assert_string_equal(vm_lines[3], "20,vm-1,2048.00,0.00,0.00,0.00,0.00,256.00,0.00,0.00,"
                                     "0.00,0.00,0.00,0.00,2.00,0.00,0.00,0.00,4.00,0.00,0.00,"
                                     "0.00,10.00,0.9000");
    assert_true(g_str_has_prefix(vm_lines[6], "40.500,vm-2,1024.00,"));
    assert_true(g_str_has_suffix(vm_lines[6], ",0.00,0.9700"));
    assert_null(strchr(vms, '\r'));
}

/* A VM name with a comma or a quote stays one cell (RFC 4180). */
static void test_csv_vms_quotes_a_name_with_a_comma_or_a_quote(void **state)
{
    Fixture *f = *state;
    SimVmConfig *vm1 = &g_array_index(f->scenario->vms, SimVmConfig, 0);
    g_free(vm1->name);
    vm1->name = g_strdup("web, \"a\"");
    GError *error = NULL;
    assert_true(sim_csv_write_vms(f->recorder, f->tmp, "out/x", &error));
    g_assert_no_error(error);
    g_autofree char *vms = fixture_read(f->tmp, "vms.csv");
    g_auto(GStrv) vm_lines = g_strsplit(vms, "\n", -1);
    assert_true(g_str_has_prefix(vm_lines[1], "0,\"web, \"\"a\"\"\",2048.00,"));
    assert_true(g_str_has_prefix(vm_lines[2], "0,vm-2,1024.00,"));
}

/* host.csv's state column spells the states as esxtop does. */
static void test_csv_names_host_states(void **state)
{
    (void)state;
    const char *want[] = {"high", "clear", "soft", "hard", "low"};
    for (int s = 0; s < HOST_STATE_MAX; s++) {
        assert_string_equal(host_state_to_string((HostState)s), want[s]);
    }
}

/* Without VMs vms.csv is its header alone. */
static void test_csv_vms_without_vms_is_the_header(void **state)
{
    Fixture *f = *state;
    GError *error = NULL;
    assert_true(sim_csv_write_vms(f->recorder, f->tmp, NULL, &error));
    g_assert_no_error(error);
    g_autofree char *vms = fixture_read(f->tmp, "vms.csv");
    assert_string_equal(vms, VMS_HEADER "\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_csv_host_has_the_exact_header_and_rows),
        FIXTURE_TEST(test_csv_vms_has_the_exact_header_and_a_row_per_sample_and_vm),
        FIXTURE_TEST(test_csv_vms_quotes_a_name_with_a_comma_or_a_quote),
        cmocka_unit_test(test_csv_names_host_states),
        FIXTURE_TEST_NO_VMS(test_csv_vms_without_vms_is_the_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
