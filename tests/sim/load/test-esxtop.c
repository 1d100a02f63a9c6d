/*
 * Tests of sim/load/esxtop.c: the reader on small captures written here
 * with the quirks of real ones (esxtop's unquoted cell, a spreadsheet
 * re-save: CRLF, no quotes, no seconds), on files it must reject, and on a
 * run's own esxtop.csv replayed as a trace for VMs with odd names (the
 * writer, sim/out/esxtop.c, is tested in tests/sim/out/test-esxtop.c), and on
 * three real captures shipped under tests/data/esxtop/ (values read by hand).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <glib.h>
#include <math.h>
#include <string.h>

#include "sim/load/esxtop.h"
#include "sim/load/trace.h"
#include "support/testutil.h"

#define ESXTOP_DATA RECLAIMSIM_SOURCE_DIR "/tests/data/esxtop/"
#define SMALL ESXTOP_DATA "rach-sharp_esxtopd_small-esxtop-data.csv"
#define FULL ESXTOP_DATA "rach-sharp_esxtopd_esxtop-data.csv"
#define GSLIU ESXTOP_DATA "gsliu_VisualEsxtopOnline_origincsvfile.csv"

/* All lines of esxtop.csv through the strict reader. */
/* ---- the real captures ------------------------------------------------------- */

static SimEsxtop *read_ok(const char *path, guint *spread)
{
    GError *error = NULL;
    SimEsxtop *e = sim_esxtop_read(path, spread, &error);
    g_assert_no_error(error);
    assert_non_null(e);
    return e;
}

static double value(const SimEsxtop *e, guint i, const char *object, const char *instance,
                    const char *counter)
{
    int c = sim_esxtop_find(e, object, instance, counter);
    assert_true(c >= 0);
    return sim_esxtop_value(e, i, c);
}

/* Values read by hand from the file (04/26/2018 14:06:27 UTC = 1524751587). */
static void test_esxtop_reads_the_default_counter_capture(void **state)
{
    (void)state;
    g_autoptr(SimEsxtop) e = read_ok(SMALL, NULL);
    assert_string_equal(sim_esxtop_host(e), "localhost.home");
    assert_int_equal(sim_esxtop_n_samples(e), 3);
    assert_true(sim_esxtop_time(e, 0) == 1524751587.0);
    assert_true(sim_esxtop_time(e, 2) == 1524751597.0);
    assert_true(value(e, 0, "Memory", NULL, "Free MBytes") == 573);
    assert_true(value(e, 0, "Memory", NULL, "Kernel State") == 1);
    assert_string_equal(sim_esxtop_find_group(e, "poseidon"), "1423953:poseidon");
    assert_true(value(e, 0, "Group Memory", "1423953:poseidon", "Touched MBytes") == 2324.39);
    assert_true(value(e, 1, "Group Memory", "1423953:poseidon", "Memory Granted Size MBytes") ==
                4943.65);
    /* the default counters have no % Active Estimate */
    assert_int_equal(sim_esxtop_find(e, "Group Memory", "1423953:poseidon", "% Active Estimate"),
                     -1);
}

/* The -a capture, with esxtop's unquoted T-state cell; the columns after it keep their places. */
static void test_esxtop_reads_the_all_counter_capture_with_the_unquoted_cell(void **state)
{
    (void)state;
    g_autoptr(SimEsxtop) e = read_ok(FULL, NULL);
    assert_int_equal(sim_esxtop_n_samples(e), 3);
    assert_true(value(e, 0, "Memory", NULL, "Free MBytes") == 590);
    assert_true(value(e, 0, "Group Memory", "1302698:styx", "% Active Estimate") == 13);
    assert_true(value(e, 0, "Group Memory", "1302698:styx", "Memory Size MBytes") == 1069.34);
    assert_true(value(e, 2, "Group Memory", "1423953:poseidon", "% Active Estimate") == 4);
    assert_true(value(e, 0, "Group Memory", "1423953:poseidon", "Memctl MBytes") == 1230.57);
    assert_true(value(e, 2, "Group Memory", "1423953:poseidon", "Compressed Memory MBytes") == 0);
}

/* What reclaimsim's esxtop.csv writes as Overhead UW (docs/model.md "esxtop.csv"):
 * in this real 6.x capture every group reads 0.00 there, the six VMs
 * included, while their Overhead MBytes is tens of MB. */
static void test_esxtop_the_real_capture_reads_zero_overhead_uw_in_every_group(void **state)
{
    (void)state;
    g_autoptr(SimEsxtop) e = read_ok(FULL, NULL);
    const GPtrArray *groups = sim_esxtop_groups(e);
    guint with_uw = 0;
    for (guint g = 0; g < groups->len; g++) {
        const char *group = g_ptr_array_index(groups, g);
        int c = sim_esxtop_find(e, "Group Memory", group, "Overhead UW MBytes");
        if (c < 0) {
            continue;
        }
        with_uw++;
        for (guint i = 0; i < sim_esxtop_n_samples(e); i++) {
            assert_true(sim_esxtop_value(e, i, c) == 0.0);
        }
    }
    assert_int_equal(with_uw, 54);
    assert_true(value(e, 0, "Group Memory", "1302698:styx", "Overhead MBytes") == 20.11);
    assert_true(value(e, 0, "Group Memory", "1423953:poseidon", "Overhead MBytes") == 57.25);
}

/* The spreadsheet re-save: CRLF, no quotes, no trailing comma, times without seconds. */
static void test_esxtop_reads_the_spreadsheet_resave_and_spreads_its_minutes(void **state)
{
    (void)state;
    guint spread = 0;
    g_autoptr(SimEsxtop) e = read_ok(GSLIU, &spread);
    assert_string_equal(sim_esxtop_host(e), "proma-2n-dhcp60.eng.vmware.com");
    assert_int_equal(sim_esxtop_n_samples(e), 514);
    assert_true(spread > 400); /* about 11 samples share each minute */
    /* 3/26/2015 22:42 UTC = 1427409720; 23:29 = 1427412540 */
    assert_true(sim_esxtop_time(e, 0) == 1427409720.0);
    assert_true(sim_esxtop_time(e, 513) >= 1427412540.0);
    for (guint i = 1; i < 514; i++) {
        assert_true(sim_esxtop_time(e, i) > sim_esxtop_time(e, i - 1));
    }
    assert_true(value(e, 0, "Memory", NULL, "Kernel MBytes") == 1087);
    assert_true(value(e, 0, "Memory", NULL, "NonKernel MBytes") == 1742);
    assert_true(value(e, 513, "Memory", NULL, "NonKernel MBytes") == 1743);
    assert_int_equal(sim_esxtop_groups(e)->len, 0);
}

static void test_esxtop_reader_rejects_a_file_that_is_not_a_capture(void **state)
{
    (void)state;
    g_autofree char *tmp = test_tmpdir();
    g_autofree char *path = g_build_filename(tmp, "x.csv", NULL);
    g_assert_true(g_file_set_contents(path, "time_s,vm\n1,a\n", -1, NULL));
    GError *error = NULL;
    assert_null(sim_esxtop_read(path, NULL, &error));
    assert_non_null(strstr(error->message, "x.csv:1: not an esxtop batch capture"));
    g_clear_error(&error);
    g_assert_true(g_file_set_contents(
        path, "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\h\\Memory\\Free MBytes\",\n\"13/01/2020 00:00:00\",\"1\",\n",
        -1, NULL));
    assert_null(sim_esxtop_read(path, NULL, &error));
    assert_non_null(strstr(error->message, "x.csv:2: bad timestamp \"13/01/2020 00:00:00\""));
    g_clear_error(&error);
    test_rmtree(tmp);
}

/* ---- small captures with the real quirks --------------------------------------- */

static SimEsxtop *read_text_ok(const char *text, guint *spread)
{
    g_autofree char *tmp = test_tmpdir();
    g_autofree char *path = g_build_filename(tmp, "capture.csv", NULL);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    GError *error = NULL;
    SimEsxtop *e = sim_esxtop_read(path, spread, &error);
    g_assert_no_error(error);
    test_rmtree(tmp);
    return e;
}

/*
 * esxtop -a writes one T-state cell unquoted and glued to the next quoted
 * one (`,   -"\\h\PCPU Power State(PCPU 1)\%C-State C0",` in the header,
 * `,    73.1"8.93",` in rows, as in rach-sharp's esxtop-data.csv): one cell,
 * so the memory columns after it keep their places.
 */
static const char unquoted_capture[] =
    "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\h\\PCPU Power State(PCPU 0)\\%T-State T7\","
    "   -\"\\\\h\\PCPU Power State(PCPU 1)\\%C-State C0\",\"\\\\h\\Memory\\Free MBytes\","
    "\"\\\\h\\Group Memory(1302698:styx)\\% Active Estimate\",\n"
    "\"04/24/2018 10:49:12\",\"0.00\",    73.1\"8.93\",\"590\",\"13\",\n"
    "\"04/24/2018 10:49:17\",\"0.00\",    70.2\"10.94\",\"591\",\"14\",\n";

static void test_esxtop_the_unquoted_cell_keeps_the_columns_after_it(void **state)
{
    (void)state;
    g_autoptr(SimEsxtop) e = read_text_ok(unquoted_capture, NULL);
    assert_string_equal(sim_esxtop_host(e), "h");
    assert_int_equal(sim_esxtop_n_samples(e), 2);
    assert_true(value(e, 0, "Memory", NULL, "Free MBytes") == 590);
    assert_true(value(e, 1, "Memory", NULL, "Free MBytes") == 591);
    assert_true(value(e, 1, "Group Memory", "1302698:styx", "% Active Estimate") == 14);
    assert_true(sim_esxtop_time(e, 1) - sim_esxtop_time(e, 0) == 5.0);
}

/*
 * A spreadsheet re-save (gsliu's origincsvfile.csv): no quotes, CRLF, no
 * trailing comma, `M/D/YYYY H:MM` times that lost their seconds. The three
 * rows of 22:42 are spread evenly up to 22:43, the last minute's rows at
 * the spacing before.
 */
static const char resaved_capture[] =
    "(PDH-CSV 4.0) (UTC)(0),\\\\p.eng\\Memory\\Kernel MBytes,"
    "\\\\p.eng\\Group Memory(77:vm 1)\\Touched MBytes\r\n"
    "3/26/2015 22:42,1087,10\r\n"
    "3/26/2015 22:42,1088,11\r\n"
    "3/26/2015 22:42,1089,12\r\n"
    "3/26/2015 22:43,1090,13\r\n"
    "3/26/2015 22:43,1091,14\r\n";

static void test_esxtop_reads_a_spreadsheet_resave_and_spreads_its_minutes(void **state)
{
    (void)state;
    guint spread = 0;
    g_autoptr(SimEsxtop) e = read_text_ok(resaved_capture, &spread);
    assert_string_equal(sim_esxtop_host(e), "p.eng");
    assert_int_equal(sim_esxtop_n_samples(e), 5);
    assert_int_equal(spread, 3); /* two rows of 22:42 and one of 22:43 moved */
    const double want[] = {0, 20, 40, 60, 80};
    for (guint i = 0; i < 5; i++) {
        assert_true(sim_esxtop_time(e, i) == 1427409720.0 + want[i]);
        assert_true(value(e, i, "Memory", NULL, "Kernel MBytes") == 1087 + i);
    }
    assert_string_equal(sim_esxtop_find_group(e, "vm 1"), "77:vm 1");
    assert_true(value(e, 4, "Group Memory", "77:vm 1", "Touched MBytes") == 14);
    assert_int_equal(sim_esxtop_line(e, 4), 6);
}

/* ---- replaying a run's own esxtop.csv ------------------------------------------- */

/* Names the loader accepts that CSV or the counter paths could trip on. */
static const char *const odd_names[] = {
    "web, front", "db (primary)", "cache:1", "a;b", " spaced  name ", "ünïcødé-虚拟机",
    ")(", "1234567:x", "x"};

/* One VM per odd name; VM k has (k + 2) x 256 MiB and uses k x 192 + 128 MiB: each VM's
 * counters differ. */
static char *odd_names_scenario(const char *trace)
{
    GString *s = g_string_new("{\"duration\": \"2m\", \"sample_interval\": \"20s\", "
                              "\"host\": {\"memory\": \"32GiB\"}, \"vms\": [");
    for (guint k = 0; k < G_N_ELEMENTS(odd_names); k++) {
        g_string_append_printf(s, "%s{\"name\": \"%s\", \"memory\": \"%uMiB\", ", k ? ", " : "",
                               odd_names[k], (k + 2) * 256);
        if (trace == NULL) {
            g_string_append_printf(s, "\"workload\": {\"memory\": \"%uMiB\"}}", k * 192 + 128);
        } else {
            g_string_append_printf(s, "\"workload\": {\"trace\": {\"file\": \"%s\", \"format\": "
                                      "\"esxtop\"}}}", trace);
        }
    }
    g_string_append(s, "]}\n");
    return g_string_free(s, FALSE);
}

/* Column `name` of the last vms.csv row of VM k: cells counted from the right, so a
 * quoted name with commas does not shift them. */
static double last_vms_value(const char *dir, guint k, const char *name)
{
    g_autoptr(GPtrArray) rows = test_csv_rows(dir, "vms.csv");
    char **header = g_ptr_array_index(rows, 0);
    guint n_vms = G_N_ELEMENTS(odd_names);
    char **row = g_ptr_array_index(rows, rows->len - n_vms + k);
    guint from_right = g_strv_length(header) - (guint)test_csv_column(header, name);
    return g_ascii_strtod(row[g_strv_length(row) - from_right], NULL);
}

/*
 * reclaimsim reads back its own esxtop.csv: the real binary runs VMs with
 * odd names, then runs a scenario whose VMs of the same names replay that
 * file; each VM reads its own group (its granted and active memory, as
 * vms.csv of the first run has them, not another VM's).
 */
static void test_esxtop_a_runs_own_file_replays_for_every_vm_name(void **state)
{
    (void)state;
    g_autofree char *tmp = test_tmpdir();
    g_autofree char *first = g_build_filename(tmp, "first.json", NULL);
    g_autofree char *replay = g_build_filename(tmp, "replay.json", NULL);
    g_autofree char *out = g_build_filename(tmp, "out", NULL);
    g_autofree char *out2 = g_build_filename(tmp, "out2", NULL);
    g_autofree char *a = odd_names_scenario(NULL);
    g_autofree char *b = odd_names_scenario("out/esxtop.csv");
    g_assert_true(g_file_set_contents(first, a, -1, NULL));
    g_assert_true(g_file_set_contents(replay, b, -1, NULL));
    const char *run1[] = {"run", "--quiet", first, "-o", out, NULL};
    const char *run2[] = {"run", "--quiet", replay, "-o", out2, NULL};
    g_autofree char *err = NULL;
    assert_int_equal(test_run_binary(run1, NULL, NULL), 0);
    if (test_run_binary(run2, NULL, &err) != 0) {
        fail_msg("replaying esxtop.csv: %s", err);
    }
    g_autofree char *esxtop = g_build_filename(out, "esxtop.csv", NULL);
    for (guint k = 0; k < G_N_ELEMENTS(odd_names); k++) {
        SimTraceOptions opt = {.format = SIM_TRACE_ESXTOP, .vm = odd_names[k]};
        GError *error = NULL;
        g_autoptr(GArray) p = sim_trace_read(esxtop, &opt, NULL, &error);
        g_assert_no_error(error);
        const SimTracePoint *last = &g_array_index(p, SimTracePoint, p->len - 1);
        double memsz = (k + 2) * 256.0, grant = last_vms_value(out, k, "grant_mb");
        /* % Active Estimate is whole percent: within half a percent of memsz */
        assert_true(fabs(last->active_mb - last_vms_value(out, k, "active_mb")) <=
                    0.005 * memsz + 1e-9);
        assert_true(grant > 0.5 * memsz);
        assert_true(fabs(last->memory_mb - MAX(grant, last->active_mb)) < 1e-9);
    }
    /* the counter paths name the host by host.name's default */
    GError *error = NULL;
    g_autoptr(SimEsxtop) e = sim_esxtop_read(esxtop, NULL, &error);
    g_assert_no_error(error);
    assert_string_equal(sim_esxtop_host(e), "esxi-host");
    assert_int_equal(sim_esxtop_groups(e)->len, G_N_ELEMENTS(odd_names));
    test_rmtree(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_esxtop_reads_the_default_counter_capture),
        cmocka_unit_test(test_esxtop_reads_the_all_counter_capture_with_the_unquoted_cell),
        cmocka_unit_test(test_esxtop_the_real_capture_reads_zero_overhead_uw_in_every_group),
        cmocka_unit_test(test_esxtop_reads_the_spreadsheet_resave_and_spreads_its_minutes),
        cmocka_unit_test(test_esxtop_reader_rejects_a_file_that_is_not_a_capture),
        cmocka_unit_test(test_esxtop_the_unquoted_cell_keeps_the_columns_after_it),
        cmocka_unit_test(test_esxtop_reads_a_spreadsheet_resave_and_spreads_its_minutes),
        cmocka_unit_test(test_esxtop_a_runs_own_file_replays_for_every_vm_name),
    };
    return cmocka_run_group_tests_name("esxtop reader", tests, NULL, NULL);
}
